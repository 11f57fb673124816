#!/bin/sh
# Runs every golden-case family with a runner here (run-<family>.sh) and
# prints the total as "cases: N passed, N failed". Families whose runner is
# a unit-test program (tmpl, kust) run with the unit tests instead.
dir=$(cd "$(dirname "$0")" && pwd)
pass=0
fail=0
for r in "$dir"/run-*.sh; do
	[ -f "$r" ] || continue
	out=$(sh "$r" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	line=$(printf '%s\n' "$out" | grep -E '^[^ ]+: [0-9]+ passed, [0-9]+ failed' | tail -n 1)
	if [ -z "$line" ]; then
		fail=$((fail + 1))
		continue
	fi
	p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.*passed, ([0-9]+) failed.*/\1/')
	[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
	pass=$((pass + p))
	fail=$((fail + f))
done
echo "cases: $pass passed, $fail failed"
[ $fail = 0 ]
