#!/bin/sh
# bench/push.sh [-e ENVS] [-o OBJECTS] [-r RUNS] BINARY
#
# Time the pre-receive hook on a one-line change: generate a repository of
# ENVS environments x OBJECTS objects (bench/gen.sh; default 1 x 500),
# push it into a bare repository with rendergate as its pre-receive hook,
# then RUNS times (default 9) change one line in env-1 (a Deployment's
# replica count), commit and push. The hook runs under a wrapper that
# records its wall time (date +%s%N around it) and its peak resident
# memory (/usr/bin/time -f %M, Debian package `time`). Prints every run
# and the median, minimum and maximum.
#
# Each push renders env-1 twice (the state before and after) and diffs the
# two, exactly as a real push does; the other environments are skipped by
# change scoping.
set -eu

envs=1 objs=500 runs=9
while getopts e:o:r: opt; do
	case $opt in
	e) envs=$OPTARG ;;
	o) objs=$OPTARG ;;
	r) runs=$OPTARG ;;
	*) echo "usage: bench/push.sh [-e ENVS] [-o OBJECTS] [-r RUNS] BINARY" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
bin=${1:?usage: bench/push.sh [-e ENVS] [-o OBJECTS] [-r RUNS] BINARY}
case $bin in /*) ;; *) bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin") ;; esac
here=$(cd "$(dirname "$0")" && pwd)
timebin=/usr/bin/time
[ -x "$timebin" ] || timebin=

umask 022
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rendergate-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp/home" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
git config --global user.name bench
git config --global user.email bench@example.com
git config --global init.defaultBranch main

printf 'mode: enforce\ndeadline: 60s\n' >"$tmp/server.yaml"
git init -q --bare "$tmp/server.git"
cat >"$tmp/server.git/hooks/pre-receive" <<HOOK
#!/bin/sh
t0=\$(date +%s%N)
if [ -n "$timebin" ]; then
	$timebin -f %M -o "$tmp/mem" "$bin" pre-receive --config "$tmp/server.yaml"
else
	"$bin" pre-receive --config "$tmp/server.yaml"
fi
rc=\$?
t1=\$(date +%s%N)
echo "\$(( (t1 - t0) / 1000 )) \$(cat "$tmp/mem" 2>/dev/null || echo 0)" >>"$tmp/times"
exit \$rc
HOOK
chmod +x "$tmp/server.git/hooks/pre-receive"

sh "$here/gen.sh" "$tmp/work" "$envs" "$objs"
cd "$tmp/work"
git remote add origin "$tmp/server.git"
git push -q origin main 2>/dev/null
: >"$tmp/times"

echo "rendergate bench: $envs environment(s) x $objs objects, one-line change in env-1, $runs runs"
echo "run  wall_ms  peak_rss_kb"
i=1
while [ "$i" -le "$runs" ]; do
	sed "0,/^  replicas: [0-9]*/s//  replicas: $((i + 2))/" envs/env-1/part-0000.yaml >p.tmp
	mv p.tmp envs/env-1/part-0000.yaml
	git commit -q -am "run $i"
	if ! git push origin main >"$tmp/push.out" 2>&1; then
		cat "$tmp/push.out" >&2
		echo "bench: push $i was rejected" >&2
		exit 1
	fi
	grep -q 'env-1: 0 added, 1 changed, 0 removed' "$tmp/push.out" || {
		cat "$tmp/push.out" >&2
		echo "bench: push $i did not render env-1 as expected" >&2
		exit 1
	}
	tail -n 1 "$tmp/times" | awk -v i="$i" '{ printf "%3d  %7.1f  %11d\n", i, $1 / 1000, $2 }'
	i=$((i + 1))
done
sort -n "$tmp/times" | awk '{ t[NR] = $1; m = ($2 > m ? $2 : m) }
END {
	med = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
	printf "wall ms: median %.1f, min %.1f, max %.1f; peak RSS: %d KB\n", med / 1000, t[1] / 1000, t[NR] / 1000, m
}'
