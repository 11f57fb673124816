#!/bin/sh
# Golden cases for `rendergate template`: tests/cases/helm/<case>/ holds a
# chart in chart/, the arguments in args (run inside chart/, as Helm was),
# and what Helm 3.10.1 printed: expected.out (compared byte for byte) or,
# for a failing case, expected.err (Helm's error without "Error: ",
# every line of which rendergate's message must contain; a chart.tgz
# instead of chart/ is rendered as a packaged chart). Recorded
# with tests/cases/record-helm.sh and the real helm binary. A case may
# hold differs.txt: the error rendergate prints where it deliberately
# differs from Helm, explained in the case's README.
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${RENDERGATE:-$top/build/rendergate}
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for dir in "$top"/tests/cases/helm/*/; do
	name=$(basename "$dir")
	# a case holds chart/ (run inside it on ".") or a packaged chart.tgz
	if [ -f "$dir/chart.tgz" ]; then
		# shellcheck disable=SC2046
		(cd "$dir" && "$bin" template $(cat args) chart.tgz) >"$tmp/out" 2>"$tmp/err"
	else
		# shellcheck disable=SC2046
		(cd "$dir/chart" && "$bin" template $(cat ../args) .) >"$tmp/out" 2>"$tmp/err"
	fi
	rc=$?
	if [ -f "$dir/expected.out" ]; then
		if [ $rc = 0 ] && cmp -s "$tmp/out" "$dir/expected.out"; then
			echo "ok - helm/$name"
			pass=$((pass + 1))
		else
			echo "not ok - helm/$name (exit $rc)"
			head -c 2000 "$tmp/err" | sed 's/^/  /'
			diff "$dir/expected.out" "$tmp/out" | head -n 30 | sed 's/^/  /'
			fail=$((fail + 1))
		fi
	else
		# differs.txt: the error rendergate gives where it deliberately
		# differs from Helm (say why in the case's README)
		if [ -f "$dir/differs.txt" ]; then
			want=$(cat "$dir/differs.txt")
		else
			want=$(cat "$dir/expected.err")
		fi
		# every line of the expected error must be in ours (schema
		# errors: gojsonschema lists properties in random map order,
		# and rendergate's messages are one line)
		missing=$(printf '%s\n' "$want" | while IFS= read -r line; do
			[ -n "$line" ] && ! grep -qF -- "$line" "$tmp/err" && echo "$line"
		done)
		if [ $rc != 0 ] && [ -z "$missing" ]; then
			echo "ok - helm/$name (fails as helm does)"
			pass=$((pass + 1))
		else
			echo "not ok - helm/$name (exit $rc)"
			echo "  want error containing: $want"
			sed 's/^/  got: /' "$tmp/err" | head -n 5
			fail=$((fail + 1))
		fi
	fi
done
echo "cases-helm: $pass passed, $fail failed"
[ $fail = 0 ]
