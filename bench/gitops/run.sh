#!/bin/sh
# bench/gitops/run.sh [-r RUNS] [-p PIPELINE_RUNS] [-c CASES] [-k] BINARY
#
# The speed bench of issue 8. Generates the GitOps repository of
# bench/gitops/gen.py (3 environments x 40 Helm releases of the corpus
# charts + 10 Kustomize overlays, about 5,000 objects per environment),
# pushes it into a bare repository whose pre-receive hook is BINARY, then
# times the hook, RUNS times each (default 5), on:
#
#   a  a one-line values change in one environment
#      (envs/staging/values/nginx-0.yaml, replicaCount)
#   b  a chart version bump used by every environment
#      (charts/nginx/Chart.yaml version, patch level + 1)
#   c  a merge that promotes staging to prod: staging's values of four
#      releases are changed and pushed (not timed), then the same change
#      is made to prod on a branch and merged into main with --no-ff; the
#      push of the merge commit is timed
#
# and "what users do today" on the same change (the last run's commits),
# PIPELINE_RUNS times (default 3): bench/gitops/pipeline.sh, i.e. `helm
# template` (helm 3.10.1 from ../shared/tools/install-oracles.sh, or
# $HELM) per release and `kubectl kustomize` per overlay (or $KUSTOMIZE) of
# the environments the change touches, old and new, and a diff -r. The
# pipeline is given the same scoping the hook works out (staging for a,
# all three for b, prod for c), which favours it.
#
# Every timed command runs under bench/rusage.c: wall time, CPU time (user
# + system of the process and its children; less disturbed than wall time
# on a busy machine) and peak RSS (the largest single process). Prints the
# median, min and max of each and the ratio of the medians.
# CASES is a subset of "abc" (default abc). -k keeps the work directory.
# -p 0 skips the pipeline (its figures do not depend on BINARY).
set -eu

runs=5 pruns=3 cases=abc keep=
while getopts r:p:c:k opt; do
	case $opt in
	r) runs=$OPTARG ;;
	p) pruns=$OPTARG ;;
	c) cases=$OPTARG ;;
	k) keep=1 ;;
	*) echo "usage: bench/gitops/run.sh [-r RUNS] [-p PIPELINE_RUNS] [-c CASES] [-k] BINARY" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
bin=${1:?usage: bench/gitops/run.sh [-r RUNS] [-p PIPELINE_RUNS] [-c CASES] [-k] BINARY}
case $bin in /*) ;; *) bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin") ;; esac
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
HELM=${HELM:-$("$top/../shared/tools/install-oracles.sh")}
KUSTOMIZE=${KUSTOMIZE:-kubectl kustomize}
export HELM KUSTOMIZE
umask 022
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rendergate-gitops.XXXXXX")
if [ -n "$keep" ]; then echo "work directory: $tmp"; else trap 'rm -rf "$tmp"' EXIT; fi
export HOME="$tmp/home" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
git config --global user.name bench
git config --global user.email bench@example.com
git config --global init.defaultBranch main
git config --global advice.detachedHead false

printf 'mode: enforce\ndeadline: 600s\n' >"$tmp/server.yaml"
git init -q --bare "$tmp/server.git"
cc -O2 -o "$tmp/rusage" "$here/../rusage.c"
cat >"$tmp/server.git/hooks/pre-receive" <<HOOK
#!/bin/sh
RG_BENCH_OUT="\$RG_TIMES" exec "$tmp/rusage" "$bin" pre-receive --config "$tmp/server.yaml"
HOOK
chmod +x "$tmp/server.git/hooks/pre-receive"

python3 "$here/gen.py" "$tmp/work" >/dev/null
cd "$tmp/work"
git remote add origin "$tmp/server.git"

# push CASE RUN: push main, keep the output, fail on a rejection.
push() {
	if ! RG_TIMES="$tmp/times-$1" git push origin main >"$tmp/push-$1-$2.out" 2>&1; then
		cat "$tmp/push-$1-$2.out" >&2
		echo "bench: push $1/$2 was rejected" >&2
		exit 1
	fi
}
push init 1
echo "rendergate gitops bench: $(git ls-files | wc -l) files, $(date -u +%FT%TZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
awk '{ printf "initial push (no state before it: nothing to diff): wall %.0f ms, cpu %.0f ms, peak %.0f MB\n", $1 / 1000, $2 / 1000, $3 / 1024 }' "$tmp/times-init"

# pipe CASE ENV...: time the helm/kustomize pipeline on HEAD^1 -> HEAD.
pipe() {
	c=$1
	shift
	[ "$pruns" -gt 0 ] || return 0
	rm -rf "$tmp/old" "$tmp/new"
	mkdir -p "$tmp/old" "$tmp/new"
	git archive HEAD^1 | tar -x -C "$tmp/old"
	git archive HEAD | tar -x -C "$tmp/new"
	cp -r .bench "$tmp/new/.bench"
	j=1
	while [ "$j" -le "$pruns" ]; do
		RG_BENCH_OUT="$tmp/times-pipe-$c" "$tmp/rusage" /bin/sh \
			"$here/pipeline.sh" "$tmp/old" "$tmp/new" "$tmp/pipe-$c" "$@" ||
			{ echo "bench: pipeline $c failed" >&2; exit 1; }
		j=$((j + 1))
	done
	echo "case $c: pipeline diff: $(grep -c '^[<>]' "$tmp/pipe-$c/diff") changed lines in $(grep -c '^diff' "$tmp/pipe-$c/diff") files"
}

# change_CASE RUN: make and commit case CASE's change for run RUN.
change_a() {
	sed -i "s/^replicaCount: .*/replicaCount: $(($1 + 3))/" envs/staging/values/nginx-0.yaml
	git commit -q -am "staging: nginx-0 replicas $(($1 + 3))"
}
change_b() {
	awk '/^version:/ { n = split($2, v, "."); v[n]++; s = v[1]; for (k = 2; k <= n; k++) s = s "." v[k]; print "version: " s; next } { print }' \
		charts/nginx/Chart.yaml >c.tmp && mv c.tmp charts/nginx/Chart.yaml
	git commit -q -am "charts/nginx: version $(sed -n 's/^version: //p' charts/nginx/Chart.yaml)"
}
rels="nginx-0 nginx-1 alertmanager-0 promtail-0"
annotate() { # ENV RUN
	for r in $rels; do
		sed -i "s/^\(  example.com\/release:\).*/\1 \"$r-v$2\"/" "envs/$1/values/$r.yaml"
	done
}
change_c() {
	annotate staging "$1"
	git commit -q -am "staging: $rels v$1"
	push c-setup "$1"
	git checkout -q -b "promote-$1"
	annotate prod "$1"
	git commit -q -am "prod: promote $rels v$1 from staging"
	git checkout -q main
	git merge -q --no-ff -m "Merge branch promote-$1: staging to prod" "promote-$1"
}

# bench CASE ENV...: RUNS timed pushes of CASE, then the pipeline on ENVs.
bench() {
	c=$1
	shift
	case $cases in *$c*) ;; *) return 0 ;; esac
	i=1
	while [ "$i" -le "$runs" ]; do
		"change_$c" "$i"
		push "$c" "$i"
		i=$((i + 1))
	done
	echo "case $c: hook said: $(grep -E 'added|not affected' "$tmp/push-$c-$runs.out" | sed 's/^remote: *//' | tr '\n' ';')"
	pipe "$c" "$@"
}
bench a staging
bench b dev staging prod
bench c prod

# stats FILE COLUMN: "median min max" of one column (wall and cpu in ms,
# peak RSS in MB).
stats() {
	awk -v c="$2" '{ print $c / (c == 3 ? 1024 : 1000) }' "$1" |
		sort -n | awk '{ t[NR] = $1 } END { m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2; printf "%.0f %.0f %.0f", m, t[1], t[NR] }'
}
echo
echo "times in ms, memory in MB: median (min-max) over the runs"
printf '%-5s %-10s %4s %22s %22s %18s\n' case what runs wall cpu peak_rss
for c in a b c; do
	case $cases in *$c*) ;; *) continue ;; esac
	for w in rendergate pipeline; do
		f=$tmp/times-$c
		[ $w = pipeline ] && f=$tmp/times-pipe-$c
		[ -s "$f" ] || { eval "${w}_wall=0 ${w}_cpu=0"; continue; }
		set -- $(stats "$f" 1) $(stats "$f" 2) $(stats "$f" 3)
		printf '%-5s %-10s %4d %8s (%s-%s) %8s (%s-%s) %6s (%s-%s)\n' "$c" $w "$(wc -l <"$f")" "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$9"
		eval "${w}_wall=$1 ${w}_cpu=$4"
	done
	# shellcheck disable=SC2154
	awk -v c="$c" -v rw="$rendergate_wall" -v rc="$rendergate_cpu" -v pw="$pipeline_wall" -v pc="$pipeline_cpu" \
		'BEGIN { printf "%-5s ratio: pipeline / rendergate = %.1fx wall, %.1fx cpu\n", c, pw / (rw > 0 ? rw : 1), pc / (rc > 0 ? rc : 1) }'
done
