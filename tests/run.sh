#!/bin/sh
# Runs the whole test suite and prints one summary line per program plus a
# total. Every part prints "<name>: N passed, N failed" as its last line:
#   unit     build/tests/test-*           (tests/unit/test-*.c)
#   fuzz     build/fuzz-replay/fuzz-*     replays tests/fuzz/corpus/<name>/
#   cases    tests/cases/run.sh           golden cases
#   e2e      tests/e2e/t*.sh              pushes to real bare repositories
# Usage: tests/run.sh [unit|fuzz|cases|e2e]...   (default: all)
# RG_BUILD names the build directory, RG_VALGRIND=1 runs programs under valgrind.
BUILD=${RG_BUILD:-build}
parts=${*:-unit fuzz cases e2e}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
export RG_BUILD="$BUILD" RG_TOP="$top"
export RENDERGATE="$top/$BUILD/rendergate"
total_pass=0
total_fail=0
broken=""
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

vg=""
if [ -n "$RG_VALGRIND" ]; then
	vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"
fi

tally() { # name logfile exitcode
	line=$(grep -E '^[^ ]+: [0-9]+ passed, [0-9]+ failed' "$2" | tail -n 1)
	if [ -z "$line" ]; then
		echo "$1: no summary line (exit $3)"
		total_fail=$((total_fail + 1))
		broken="$broken $1"
		return
	fi
	echo "$line"
	p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1/')
	f=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\2/')
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	if [ "$3" != 0 ] && [ "$f" = 0 ]; then
		# exited non-zero without a counted failure (crash, sanitizer, valgrind)
		total_fail=$((total_fail + 1))
		broken="$broken $1"
	fi
	if [ "$f" != 0 ] || [ "$3" != 0 ]; then
		grep -E '^(not ok|  )' "$2" | head -n 40
		tail -n 30 "$2" | grep -vE '^(ok|not ok)' | head -n 30
	fi
}

for part in $parts; do
	case $part in
	unit)
		for t in "$BUILD"/tests/test-*; do
			[ -x "$t" ] || continue
			n=$(basename "$t")
			$vg "$t" >"$log/$n" 2>&1
			tally "$n" "$log/$n" $?
		done ;;
	fuzz)
		for t in "$BUILD"/fuzz-replay/fuzz-*; do
			[ -x "$t" ] || continue
			n=$(basename "$t")
			$vg "$t" "tests/fuzz/corpus/${n#fuzz-}" >"$log/$n" 2>&1
			tally "$n" "$log/$n" $?
		done ;;
	cases)
		if [ -x tests/cases/run.sh ]; then
			tests/cases/run.sh >"$log/cases" 2>&1
			tally cases "$log/cases" $?
		fi ;;
	e2e)
		for t in tests/e2e/t[0-9]*.sh; do
			[ -f "$t" ] || continue
			n=$(basename "$t" .sh)
			sh "$t" >"$log/$n" 2>&1
			tally "$n" "$log/$n" $?
		done ;;
	*) echo "unknown part: $part"; exit 2 ;;
	esac
done
[ -n "$broken" ] && echo "crashed or no summary:$broken"
echo "rendergate: $total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
