#!/bin/sh
# Helm conformance: renders every case of ../shared/corpus/helm/*/cases/
# with `rendergate template` (same arguments as Helm 3.10.1 got, run inside
# the chart directory) and compares with the stored output semantically
# (tests/semcmp.py; volatile fields as "present").
# Usage: tests/conformance-helm.sh [RENDERGATE] [CORPUS]
# Needs python3 with PyYAML (Debian: python3-yaml).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/build/rendergate}
corpus=${2:-$top/../shared/corpus/helm}
[ -d "$corpus" ] || { echo "conformance-helm: no corpus at $corpus"; exit 2; }
python3 -c 'import yaml' 2>/dev/null || { echo "conformance-helm: needs python3-yaml"; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
list=$out/list
: >"$list"
for chart in "$corpus"/*/; do
	name=$(basename "$chart")
	for args in "$chart"cases/*.args; do
		[ -f "$args" ] || continue
		case_name=$(basename "$args" .args)
		slug=$name/$case_name
		got=$out/$name-$case_name.out
		err=$out/$name-$case_name.err
		# shellcheck disable=SC2046
		(cd "$chart/chart" && "$bin" template $(cat "$args") .) >"$got" 2>"$err"
		rc=$?
		vol=${args%.args}.volatile
		[ -f "$vol" ] || vol=
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$slug" "$rc" "$got" \
			"${args%.args}.expected.yaml" "$err" "$vol" >>"$list"
	done
done
python3 "$top/tests/semcmp.py" helm "$list"
