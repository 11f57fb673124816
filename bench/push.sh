#!/bin/sh
# bench/push.sh [-e ENVS] [-o OBJECTS] [-r RUNS] BINARY
#
# Time the pre-receive hook on a one-line change: generate a repository of
# ENVS environments x OBJECTS objects (bench/gen.sh; default 1 x 500),
# push it into a bare repository with rendergate as its pre-receive hook,
# then RUNS times (default 9) change one line in env-1 (a Deployment's
# replica count), commit and push. The hook runs under bench/rusage.c
# (compiled here with cc), which records its wall time, its CPU time (user
# + system, which a busy machine disturbs less than wall time) and its peak
# resident memory. Prints every run and the median, minimum and maximum.
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
cc -O2 -o "$tmp/rusage" "$here/rusage.c"
cat >"$tmp/server.git/hooks/pre-receive" <<HOOK
#!/bin/sh
RG_BENCH_OUT="$tmp/times" exec "$tmp/rusage" "$bin" pre-receive --config "$tmp/server.yaml"
HOOK
chmod +x "$tmp/server.git/hooks/pre-receive"

sh "$here/gen.sh" "$tmp/work" "$envs" "$objs"
cd "$tmp/work"
git remote add origin "$tmp/server.git"
git push -q origin main 2>/dev/null
: >"$tmp/times"

echo "rendergate bench: $envs environment(s) x $objs objects, one-line change in env-1, $runs runs"
echo "run  wall_ms   cpu_ms  peak_rss_kb"
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
	tail -n 1 "$tmp/times" | awk -v i="$i" '{ printf "%3d  %7.1f  %7.1f  %11d\n", i, $1 / 1000, $2 / 1000, $3 }'
	i=$((i + 1))
done
summary() { # column label
	awk -v c="$1" '{ print $c }' "$tmp/times" | sort -n | awk -v l="$2" '{ t[NR] = $1 }
	END {
		med = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
		printf "%s ms: median %.1f, min %.1f, max %.1f\n", l, med / 1000, t[1] / 1000, t[NR] / 1000
	}'
}
summary 1 "wall"
summary 2 "cpu "
awk '{ m = ($3 > m ? $3 : m) } END { printf "peak RSS: %d KB\n", m }' "$tmp/times"
