#!/bin/sh
# Renders every kustomization of ../shared/corpus/kustomize (cases.txt) with
# `rendergate kustomize` and with `kubectl kustomize` (kustomize v5.5.0), in
# the same run, each case ROUNDS times, and reports the wall time of each
# and the ratio. Without kubectl, only rendergate's time is reported (and
# the script says so). The engine is timed through build/kust-driver (no
# libgit2 start-up) and, when it dispatches `kustomize`, through the full binary.
#
# Usage: bench/kustomize.sh [ROUNDS] [RENDERGATE] [CORPUS]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-3}
bin=${2:-$top/build/rendergate}
corpus=${3:-$top/../shared/corpus/kustomize}
[ -d "$corpus" ] || { echo "bench/kustomize: no corpus at $corpus"; exit 2; }

# The engine alone: a small program calling rg_cmd_kustomize, without the
# start-up work of the full binary (libgit2 initialisation).
drv=$top/build/kust-driver
if [ ! -x "$drv" ] || [ "$drv" -ot "$top/build/librendergate.a" ]; then
	cc -std=c11 -O2 -I"$top/include" -o "$drv" "$top/tests/kust-driver.c" \
		"$top/build/librendergate.a" \
		$(pkg-config --libs libgit2 yaml-0.1 libcurl jansson libpcre2-8 zlib) -lm ||
		{ echo "bench/kustomize: cannot build $drv"; exit 2; }
fi
cmd="$bin kustomize"
$cmd "$top/tests/cases/kust/basic/in" >/dev/null 2>&1 || cmd=

dirs=$(for repo in "$corpus"/*/; do
	[ -f "$repo/cases.txt" ] || continue
	while read -r dir exp; do [ -n "$dir" ] && echo "$repo/tree/$dir"; done <"$repo/cases.txt"
done)
n=$(echo "$dirs" | wc -l)

now() { date +%s%N; }
run_all() { # command...
	r=0
	while [ $r -lt "$rounds" ]; do
		for d in $dirs; do "$@" "$d" >/dev/null 2>&1; done
		r=$((r + 1))
	done
}

t0=$(now); run_all "$drv"; t1=$(now)
rg_ms=$(( (t1 - t0) / 1000000 ))
echo "rendergate engine (build/kust-driver): $n kustomizations x $rounds rounds in ${rg_ms} ms ($(( rg_ms * 1000 / (n * rounds) )) us each)"
cli_ms=
if [ -n "$cmd" ]; then
	t0=$(now); run_all $cmd; t1=$(now)
	cli_ms=$(( (t1 - t0) / 1000000 ))
	echo "rendergate kustomize (full binary): $n kustomizations x $rounds rounds in ${cli_ms} ms ($(( cli_ms * 1000 / (n * rounds) )) us each)"
fi
if command -v kubectl >/dev/null 2>&1 && kubectl kustomize "$top/tests/cases/kust/basic/in" >/dev/null 2>&1; then
	t0=$(now); run_all kubectl kustomize; t1=$(now)
	k_ms=$(( (t1 - t0) / 1000000 ))
	echo "kubectl kustomize ($(kubectl version --client 2>/dev/null | sed -n 's/Kustomize Version: //p')): $n kustomizations x $rounds rounds in ${k_ms} ms ($(( k_ms * 1000 / (n * rounds) )) us each)"
	echo "ratio (engine): rendergate is $(awk "BEGIN { printf \"%.1f\", $k_ms / ($rg_ms > 0 ? $rg_ms : 1) }")x faster (whole processes, start-up included)"
	[ -n "$cli_ms" ] && echo "ratio (full binary): rendergate is $(awk "BEGIN { printf \"%.1f\", $k_ms / ($cli_ms > 0 ? $cli_ms : 1) }")x faster"
else
	echo "kubectl kustomize not available: no reference timing (rendergate only)"
fi
