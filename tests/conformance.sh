#!/bin/sh
# make conformance: compares rendering with the reference tools' output
# stored in ../shared/corpus (Helm 3.10.1 and kustomize v5.5.0), semantically
# (see ../shared/corpus/README.md). Each part prints its own PASS/FAIL lines,
# its share, and a "<name>: N passed, N failed" line; this script prints the
# total last. The corpus is not part of this repository: without it, this
# says so and exits 0, so `make check` never depends on it. It fails when
# fewer than RG_CONFORMANCE_MIN percent (default 90) of the cases pass.
# Usage: tests/conformance.sh [RENDERGATE]
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/build/rendergate}
case $bin in /*) ;; *) bin=$top/$bin ;; esac
corpus=${RG_CORPUS:-$top/../shared/corpus}
if [ ! -d "$corpus" ]; then
	echo "conformance: no corpus at $corpus (nothing to compare)"
	exit 0
fi
pass=0
fail=0
for part in kustomize helm; do
	script=$top/tests/conformance-$part.sh
	[ -f "$script" ] || continue
	[ -d "$corpus/$part" ] || continue
	out=$(mktemp)
	sh "$script" "$bin" "$corpus/$part" >"$out" 2>&1
	cat "$out"
	line=$(grep -E "^conformance-$part: [0-9]+ passed, [0-9]+ failed" "$out" | tail -n 1)
	rm -f "$out"
	if [ -z "$line" ]; then
		echo "conformance-$part: no summary line"
		fail=$((fail + 1))
		continue
	fi
	p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.*passed, ([0-9]+) failed.*/\1/')
	pass=$((pass + p))
	fail=$((fail + f))
done
echo "conformance: $pass passed, $fail failed"
# The bar the issues set is 90% of the corpus passing semantically; below
# it (RG_CONFORMANCE_MIN percent) this fails, so CI catches a regression.
min=${RG_CONFORMANCE_MIN:-90}
total=$((pass + fail))
if [ "$total" -gt 0 ] && [ $((pass * 100)) -lt $((min * total)) ]; then
	echo "conformance: below $min% of cases"
	exit 1
fi
