#!/bin/sh
# Kustomize conformance: renders every case of ../shared/corpus/kustomize/*/cases.txt
# with `rendergate kustomize DIR` and compares the result with what kustomize
# v5.5.0 printed (expected/<slug>.yaml), semantically: both streams are parsed,
# objects paired by (apiVersion, kind, namespace, name), field trees and scalar
# types compared. Prints one PASS/FAIL line per case (with the first differing
# path), then the share of cases passing and, as a second figure, the share
# whose text is identical (the comparison is tests/semcmp.py, shared with
# the Helm conformance run).
#
# Usage: tests/conformance-kustomize.sh [RENDERGATE] [CORPUS]
#   RENDERGATE  binary (default build/rendergate; when it does not know the
#               `kustomize` command, build/kust-driver is built and used)
#   CORPUS      default ../shared/corpus/kustomize
# Needs python3 with PyYAML (Debian: python3-yaml).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/build/rendergate}
corpus=${2:-$top/../shared/corpus/kustomize}
[ -d "$corpus" ] || { echo "conformance-kustomize: no corpus at $corpus"; exit 2; }
python3 -c 'import yaml' 2>/dev/null || { echo "conformance-kustomize: needs python3-yaml"; exit 2; }

cmd="$bin kustomize"
if ! $cmd --reorder=legacy "$top/tests/cases/kust/basic/in" >/dev/null 2>&1; then
	drv=$top/build/kust-driver
	if [ ! -x "$drv" ] || [ "$drv" -ot "$top/build/librendergate.a" ]; then
		cc -std=c11 -O2 -I"$top/include" -o "$drv" "$top/tests/kust-driver.c" \
			"$top/build/librendergate.a" \
			$(pkg-config --libs libgit2 yaml-0.1 libcurl jansson libpcre2-8 zlib) -lm ||
			{ echo "conformance-kustomize: cannot build $drv"; exit 2; }
	fi
	cmd="$drv"
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
list=$out/list
for repo in "$corpus"/*/; do
	[ -f "$repo/cases.txt" ] || continue
	while read -r dir exp; do
		[ -n "$dir" ] || continue
		slug=$(basename "$repo")__$(echo "$dir" | tr '/' '_')
		$cmd "$repo/tree/$dir" >"$out/$slug.out" 2>"$out/$slug.err"
		printf '%s\t%s\t%s\t%s\t%s\n' "$slug" $? "$out/$slug.out" "$repo$exp" \
			"$out/$slug.err" >>"$list"
	done <"$repo/cases.txt"
done

python3 "$top/tests/semcmp.py" kustomize "$list"
