# tests/e2e/lib.sh - the end-to-end test library, in the spirit of git's
# t/test-lib.sh. A test script sets test_description, sources this file,
# runs test_expect_success blocks and ends with test_done:
#
#   test_description='accepted push shows the diff'
#   . "$(dirname "$0")/lib.sh"
#   setup_server
#   test_expect_success 'push is accepted' '
#       ... && git push origin main 2>err && test_grep "1 added" err
#   '
#   test_done
#
# Every script runs in its own trash directory under ${TMPDIR:-/tmp}
# (removed at exit unless RG_E2E_KEEP=1), with HOME inside it and no
# system or user git config, so the developer's settings cannot change
# the result. $RENDERGATE is the binary under test (tests/run.sh exports
# its absolute path). The last line a script prints is
# "<name>: N passed, N failed"; it exits non-zero when a test failed.
#
# Test bodies are shell snippets run with `set -e` in a subshell, in the
# trash directory; chain commands with && anyway, as git's tests do.
# RG_E2E_VERBOSE=1 shows every body's output, not only failing ones.

umask 022
LC_ALL=C
export LC_ALL

test_name=$(basename "$0" .sh)
RG_TOP=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
RENDERGATE=${RENDERGATE:-$RG_TOP/build/rendergate}
export RENDERGATE RG_TOP
case $RENDERGATE in
/*) ;;
*) RENDERGATE=$(cd "$(dirname "$RENDERGATE")" && pwd)/$(basename "$RENDERGATE") ;;
esac

test_passed=0
test_failed=0
test_count=0

TRASH=$(mktemp -d "${TMPDIR:-/tmp}/rg-e2e-$test_name.XXXXXX") || exit 3
test_cleanup() {
	if [ -n "$RG_E2E_KEEP" ]; then
		echo "# trash kept in $TRASH"
	else
		chmod -R u+rwx "$TRASH" 2>/dev/null
		rm -rf "$TRASH"
	fi
}
trap test_cleanup EXIT
trap 'exit 130' INT TERM

# Isolation from the user's and the system's git configuration.
HOME=$TRASH/home
mkdir -p "$HOME"
export HOME
GIT_CONFIG_NOSYSTEM=1
GIT_CONFIG_GLOBAL=$HOME/.gitconfig
export GIT_CONFIG_NOSYSTEM GIT_CONFIG_GLOBAL
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY \
	GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_QUARANTINE_PATH GIT_COMMON_DIR \
	GIT_CEILING_DIRECTORIES GIT_PUSH_OPTION_COUNT XDG_CONFIG_HOME \
	RENDERGATE_CONFIG RENDERGATE_TRACE GL_PROTOCOL GL_USERNAME \
	GITEA_PUSHER_NAME
GIT_AUTHOR_NAME='A U Thor'
GIT_AUTHOR_EMAIL='author@example.com'
GIT_COMMITTER_NAME='C O Mitter'
GIT_COMMITTER_EMAIL='committer@example.com'
GIT_AUTHOR_DATE='2026-01-01T00:00:00Z'
GIT_COMMITTER_DATE='2026-01-01T00:00:00Z'
export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME \
	GIT_COMMITTER_EMAIL GIT_AUTHOR_DATE GIT_COMMITTER_DATE
git config --global user.name 'A U Thor'
git config --global user.email 'author@example.com'
git config --global init.defaultBranch main
git config --global advice.detachedHead false
git config --global protocol.file.allow always

# Sanitizers: make their reports distinguishable from our exit codes.
ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=86:detect_leaks=1:abort_on_error=0}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-exitcode=87:print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS

cd "$TRASH" || exit 3

say() {
	echo "# $*"
}

# test_expect_success DESCRIPTION BODY
test_expect_success() {
	test_count=$((test_count + 1))
	cd "$TRASH" || exit 3
	(
		set -e
		eval "$2"
	) >"$TRASH/.out" 2>&1
	rc=$?
	cd "$TRASH" || exit 3
	if [ "$rc" = 0 ] && test_sanitizer_clean "$TRASH/.out"; then
		test_passed=$((test_passed + 1))
		echo "ok $test_count - $1"
		[ -n "$RG_E2E_VERBOSE" ] && sed 's/^/    /' "$TRASH/.out"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $1 (exit $rc)"
		sed 's/^/    /' "$TRASH/.out" | tail -n 60
	fi
	return 0
}

# test_sanitizer_clean FILE: no sanitizer report in FILE.
test_sanitizer_clean() {
	! grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:|SUMMARY: .*Sanitizer' "$1"
}

# test_must_fail CMD...: CMD exits non-zero, but not by a signal or a
# sanitizer (which would be a crash, not a refusal).
test_must_fail() {
	rc=0
	"$@" || rc=$?
	if [ "$rc" = 0 ]; then
		echo "test_must_fail: '$*' succeeded" >&2
		return 1
	fi
	if [ "$rc" -gt 125 ] || [ "$rc" = 86 ] || [ "$rc" = 87 ]; then
		echo "test_must_fail: '$*' crashed (exit $rc)" >&2
		return 1
	fi
	return 0
}

# test_expect_code CODE CMD...: CMD exits with exactly CODE.
test_expect_code() {
	want=$1
	shift
	rc=0
	"$@" || rc=$?
	if [ "$rc" != "$want" ]; then
		echo "test_expect_code: '$*' exited $rc, want $want" >&2
		return 1
	fi
	return 0
}

# test_grep [!] PATTERN FILE: extended regexp search, with the file shown
# when it does not match.
test_grep() {
	if [ "$1" = "!" ]; then
		shift
		if grep -qE -- "$1" "$2"; then
			echo "test_grep: '$1' unexpectedly found in $2:" >&2
			cat "$2" >&2
			return 1
		fi
		return 0
	fi
	if ! grep -qE -- "$1" "$2"; then
		echo "test_grep: '$1' not found in $2:" >&2
		cat "$2" >&2
		return 1
	fi
	return 0
}

# write_file PATH: standard input into PATH, creating directories.
write_file() {
	mkdir -p "$(dirname "$1")" && cat >"$1"
}

# setup_server [NAME] [INSTALL-OPTIONS...]: a bare repository
# $TRASH/NAME.git (default "server") with rendergate installed as its
# hooks, push options advertised, and a server config $TRASH/server.yaml
# (enforce mode) unless one exists already.
setup_server() {
	name=${1:-server}
	if [ $# -gt 0 ]; then
		shift
	fi
	[ -f "$TRASH/server.yaml" ] || printf 'mode: enforce\n' >"$TRASH/server.yaml"
	git init -q --bare "$TRASH/$name.git" &&
	git -C "$TRASH/$name.git" config receive.advertisePushOptions true &&
	"$RENDERGATE" install --config "$TRASH/server.yaml" "$@" \
		"$TRASH/$name.git" >/dev/null
}

# setup_work [NAME] [SERVER]: a clone of the server in $TRASH/NAME
# (default "work"), on branch main.
setup_work() {
	work=${1:-work}
	srv=${2:-server}
	git init -q "$TRASH/$work" &&
	git -C "$TRASH/$work" remote add origin "$TRASH/$srv.git"
}

# commit_all DIR MESSAGE: add everything in DIR and commit.
commit_all() {
	git -C "$1" add -A && git -C "$1" commit -q -m "$2"
}

# plain_config DIR ENV:PATH[:BRANCH]...: write DIR/.rendergate.yaml with
# plain environments.
plain_config() {
	dir=$1
	shift
	{
		echo "environments:"
		for spec in "$@"; do
			n=${spec%%:*}
			rest=${spec#*:}
			p=${rest%%:*}
			b=
			[ "$rest" != "$p" ] && b=${rest#*:}
			echo "  - name: $n"
			echo "    path: $p"
			echo "    kind: plain"
			if [ -n "$b" ]; then
				echo "    branch: $b"
			fi
		done
	} >"$dir/.rendergate.yaml"
}

# deployment FILE NAME IMAGE [REPLICAS]: a small Deployment manifest.
deployment() {
	write_file "$1" <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: $2
  namespace: apps
spec:
  replicas: ${4:-2}
  selector:
    matchLabels:
      app: $2
  template:
    metadata:
      labels:
        app: $2
    spec:
      containers:
        - name: $2
          image: $3
EOF
}

# configmap FILE NAME KEY VALUE
configmap() {
	write_file "$1" <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: $2
  namespace: apps
data:
  $3: "$4"
EOF
}

# secret FILE VALUE: the Secret apps/db with stringData password VALUE.
secret() {
	write_file "$1" <<EOF
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: apps
stringData:
  password: "$2"
EOF
}

test_done() {
	echo "$test_name: $test_passed passed, $test_failed failed"
	[ "$test_failed" = 0 ]
	exit $?
}

# start_forge [TOKEN]: the loopback fake forge (tests/forge/server.py) in
# the background, stopped at exit; sets FORGE_URL and FORGE_PID, and
# forge_ctl METHOD PATH [JSON] talks to its control endpoints.
start_forge() {
	python3 "$RG_TOP/tests/forge/server.py" --port-file "$TRASH/forge.port" \
		--token "${1:-e2e-token}" --max-seconds 300 >"$TRASH/forge.log" 2>&1 &
	FORGE_PID=$!
	trap 'kill $FORGE_PID 2>/dev/null; test_cleanup' EXIT
	n=0
	while [ ! -s "$TRASH/forge.port" ] && [ $n -lt 300 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	FORGE_URL=http://127.0.0.1:$(cat "$TRASH/forge.port")
	printf '%s\n' "${1:-e2e-token}" >"$TRASH/forge.token"
	chmod 600 "$TRASH/forge.token"
}

forge_ctl() {
	curl -sf -X "$1" -H 'Content-Type: application/json' \
		${3:+--data-binary "$3"} "$FORGE_URL$2"
}

# forge_config NAME KIND [LINE...]: $TRASH/NAME.yaml, an enforcing server
# config whose forge (KIND gitlab or gitea) is the fake forge of
# start_forge, GitLab project group/app, spool $TRASH/spool-NAME; each
# LINE is appended.
forge_config() {
	fc=$TRASH/$1.yaml
	{
		echo "mode: enforce"
		echo "forge:"
		echo "  kind: $2"
		echo "  url: $FORGE_URL"
		echo "  token_file: $TRASH/forge.token"
		[ "$2" = gitlab ] && echo "  project: group/app"
		echo "spool_dir: $TRASH/spool-$1"
		shift 2
		for l in "$@"; do
			echo "$l"
		done
	} >"$fc"
}

# forge_drain NAME [ARGS...]: one drain pass with NAME's config, due or
# not (--retry-now), after any drainer a hook started.
forge_drain() {
	fd=$1
	shift
	"$RENDERGATE" drain --once --config "$TRASH/$fd.yaml" --wait 20 \
		--backoff-ms 10 --retry-now "$@"
}

# spool_jobs NAME: how many jobs wait in NAME's spool.
spool_jobs() {
	ls "$TRASH/spool-$1"/*.json 2>/dev/null | wc -l
}
