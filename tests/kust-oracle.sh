#!/bin/sh
# Differential test against the real thing: every directory holding a
# kustomization below the given roots is rendered by `kubectl kustomize`
# (the oracle, kustomize v5.5.0 in kubectl 1.32) and by `rendergate
# kustomize`, and the results are compared: both succeed with the same
# objects (parsed, in the same order), or both fail. Prints one line per
# directory that disagrees and a summary.
#
# Usage: tests/kust-oracle.sh [ROOT...]   (default ../shared/corpus/kustomize)
# tests/cases/kust/err-diamond is skipped: kubectl has no cap on repeated
# builds and would take 2^30 of them.
# Needs kubectl and python3 with PyYAML.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${RENDERGATE:-$top/build/rendergate}
[ $# -gt 0 ] || set -- "$top/../shared/corpus/kustomize"
command -v kubectl >/dev/null || { echo "kust-oracle: needs kubectl"; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
i=0
find "$@" \( -name kustomization.yaml -o -name kustomization.yml -o -name Kustomization \) |
	sed 's|/[^/]*$||' | grep -v '/err-diamond/' | sort -u >"$out/dirs"
while read -r d; do
	i=$((i + 1))
	timeout 60 kubectl kustomize "$d" >"$out/k$i" 2>"$out/ke$i"
	krc=$?
	"$bin" kustomize "$d" >"$out/r$i" 2>"$out/re$i"
	echo "$i $krc $? $d" >>"$out/list"
done <"$out/dirs"
python3 - "$out" <<'PY'
import sys, yaml
out = sys.argv[1]
def load(p):
    return [d for d in yaml.safe_load_all(open(p, encoding="utf-8")) if d is not None]
agree = disagree = built = 0
for line in open(out + "/list"):
    i, krc, rrc, d = line.split(maxsplit=3)
    d = d.strip()
    if krc != "0" and rrc != "0":
        agree += 1
        continue
    if krc == "0" and rrc == "0":
        built += 1
        if load("%s/r%s" % (out, i)) == load("%s/k%s" % (out, i)):
            agree += 1
            continue
        why = "objects differ"
    elif krc == "0":
        why = "rendergate failed: " + open("%s/re%s" % (out, i)).read().strip()[-200:]
    else:
        why = "kubectl failed, rendergate built"
    disagree += 1
    print("DISAGREE %s: %s" % (d, why))
print("kust-oracle: %d directories agree (%d built by both), %d disagree" % (agree, built, disagree))
print("kust-oracle: %d passed, %d failed" % (agree, disagree))
PY
