#!/bin/sh
# Renders every kustomization of ../shared/corpus/kustomize (cases.txt) with
# `rendergate kustomize` and with `kubectl kustomize` (kustomize v5.5.0), in
# the same run, each case ROUNDS times, and reports the wall time of each
# and the ratio. Without kubectl, only rendergate's time is reported (and
# the script says so).
#
# Usage: bench/kustomize.sh [ROUNDS] [RENDERGATE] [CORPUS]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-3}
bin=${2:-$top/build/rendergate}
corpus=${3:-$top/../shared/corpus/kustomize}
[ -d "$corpus" ] || { echo "bench/kustomize: no corpus at $corpus"; exit 2; }

cmd="$bin kustomize"
if ! $cmd "$top/tests/cases/kust/basic/in" >/dev/null 2>&1; then
	drv=$top/build/kust-driver
	if [ ! -x "$drv" ] || [ "$drv" -ot "$top/build/librendergate.a" ]; then
		cc -std=c11 -O2 -I"$top/include" -o "$drv" "$top/tests/kust-driver.c" \
			"$top/build/librendergate.a" \
			$(pkg-config --libs libgit2 yaml-0.1 libcurl jansson libpcre2-8 zlib) -lm ||
			{ echo "bench/kustomize: cannot build $drv"; exit 2; }
	fi
	cmd=$drv
fi

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

t0=$(now); run_all $cmd; t1=$(now)
rg_ms=$(( (t1 - t0) / 1000000 ))
echo "rendergate kustomize: $n kustomizations x $rounds rounds in ${rg_ms} ms ($(( rg_ms * 1000 / (n * rounds) )) us each)"
if command -v kubectl >/dev/null 2>&1 && kubectl kustomize "$top/tests/cases/kust/basic/in" >/dev/null 2>&1; then
	t0=$(now); run_all kubectl kustomize; t1=$(now)
	k_ms=$(( (t1 - t0) / 1000000 ))
	echo "kubectl kustomize ($(kubectl version --client 2>/dev/null | sed -n 's/Kustomize Version: //p')): $n kustomizations x $rounds rounds in ${k_ms} ms ($(( k_ms * 1000 / (n * rounds) )) us each)"
	echo "ratio: rendergate is $(awk "BEGIN { printf \"%.1f\", $k_ms / ($rg_ms > 0 ? $rg_ms : 1) }")x faster (whole processes, start-up included)"
else
	echo "kubectl kustomize not available: no reference timing (rendergate only)"
fi
