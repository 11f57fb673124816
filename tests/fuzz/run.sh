#!/bin/sh
# run.sh - run libFuzzer harnesses (built by tests/fuzz/build.sh) one at a
# time for SECONDS each over their committed corpus, and print per
# harness: runs, execs/s and coverage (cov: and ft: from libFuzzer's last
# stats line).
#
# Usage: tests/fuzz/run.sh [SECONDS] [NAME...]   (default 60 s, every harness)
#
# New inputs go to build-fuzz/new/<name>/ (the first corpus directory, the
# only one libFuzzer writes to), never to tests/fuzz/corpus/<name>/; add a
# seed there by hand only when it is interesting (a crash's reproducer, or
# an input that reaches new code: see `-merge=1` below). Crashes, leaks
# and timeouts are written to build-fuzz/artifacts/<name>/, and the run
# ends with a non-zero exit if any harness found one.
#
# Runs under `nice -n 19` (the machine is shared). Environment:
# FUZZ_BUILD (default build-fuzz), FUZZ_TIMEOUT (seconds one input may
# take, default 10), FUZZ_RSS_MB (default 2048), FUZZ_ARGS (extra flags).
#
# To fold the new inputs that add coverage into a small set for review:
#   build-fuzz/fuzz-NAME -merge=1 /tmp/min tests/fuzz/corpus/NAME build-fuzz/new/NAME
#   (then copy from /tmp/min only what is worth keeping)
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
out=${FUZZ_BUILD:-build-fuzz}
secs=60
case $1 in
[0-9]*) secs=$1; shift ;;
esac
if [ $# -eq 0 ]; then
	set -- $(ls tests/fuzz/fuzz-*.c | sed 's|tests/fuzz/fuzz-||; s|\.c$||')
fi
status=0
printf '%-12s %8s %10s %8s %8s %6s  %s\n' harness seconds runs execs/s cov ft result
for name in "$@"; do
	bin=$out/fuzz-$name
	if [ ! -x "$bin" ]; then
		echo "$name: not built (run tests/fuzz/build.sh $name)" >&2
		status=1
		continue
	fi
	new=$out/new/$name
	art=$out/artifacts/$name
	log=$out/logs/$name.log
	mkdir -p "$new" "$art" "$out/logs"
	# shellcheck disable=SC2086
	nice -n 19 "$bin" -max_total_time="$secs" \
		-timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
		-print_final_stats=1 -artifact_prefix="$art/" $FUZZ_ARGS \
		"$new" "tests/fuzz/corpus/$name" >"$log" 2>&1
	rc=$?
	last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
	cov=$(echo "$last" | sed -nE 's/.* cov: ([0-9]+).*/\1/p')
	ft=$(echo "$last" | sed -nE 's/.* ft: ([0-9]+).*/\1/p')
	runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log")
	eps=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+).*/\1/p' "$log")
	if [ "$rc" = 0 ]; then
		result=ok
	else
		result="FOUND (exit $rc): $(grep -E '^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)' "$log" | tail -n 2 | tr '\n' ' ')"
		status=1
	fi
	printf '%-12s %8s %10s %8s %8s %6s  %s\n' "$name" "$secs" \
		"${runs:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}" "$result"
done
exit $status
