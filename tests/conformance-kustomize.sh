#!/bin/sh
# Kustomize conformance: renders every case of ../shared/corpus/kustomize/*/cases.txt
# with `rendergate kustomize DIR` and compares the result with what kustomize
# v5.5.0 printed (expected/<slug>.yaml), semantically: both streams are parsed,
# objects paired by (apiVersion, kind, namespace, name), field trees and scalar
# types compared. Prints one PASS/FAIL line per case (with the first differing
# path), then the share of cases passing and, as a second figure, the share
# whose text is identical.
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
		echo "$slug $? $out/$slug.out $repo$exp $out/$slug.err" >>"$list"
	done <"$repo/cases.txt"
done

python3 - "$list" <<'EOF'
import sys, yaml

def load(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]

def ident(o):
    md = o.get("metadata") or {}
    return (o.get("apiVersion"), o.get("kind"), md.get("namespace"), md.get("name"))

def tname(v):
    return type(v).__name__

def diff(a, b, path):
    if type(a) is not type(b):
        return "%s: %s %r vs expected %s %r" % (path or ".", tname(a), short(a), tname(b), short(b))
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k not in a:
                return "%s.%s: missing" % (path, k)
            if k not in b:
                return "%s.%s: unexpected" % (path, k)
            d = diff(a[k], b[k], "%s.%s" % (path, k))
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return "%s: %d items vs expected %d" % (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = diff(x, y, "%s[%d]" % (path, i))
            if d:
                return d
        return None
    if a != b:
        return "%s: %r vs expected %r" % (path or ".", short(a), short(b))
    return None

def short(v):
    s = repr(v)
    return s if len(s) < 60 else s[:57] + "..."

cases = passed = same_text = 0
for line in open(sys.argv[1]):
    slug, rc, got, exp, errf = line.split()
    cases += 1
    if rc != "0":
        err = open(errf).read().strip().splitlines()
        print("FAIL %s: exit %s: %s" % (slug, rc, err[-1] if err else ""))
        continue
    try:
        g, e = load(got), load(exp)
    except Exception as ex:
        print("FAIL %s: unparsable output: %s" % (slug, str(ex).splitlines()[0]))
        continue
    gi = {ident(o): o for o in g}
    ei = {ident(o): o for o in e}
    why = None
    missing = [k for k in ei if k not in gi]
    extra = [k for k in gi if k not in ei]
    if missing:
        why = "missing %d object(s), first %s" % (len(missing), "/".join(str(x) for x in missing[0]))
    elif extra:
        why = "%d extra object(s), first %s" % (len(extra), "/".join(str(x) for x in extra[0]))
    else:
        for k in ei:
            d = diff(gi[k], ei[k], "")
            if d:
                why = "%s %s: %s" % (k[1], k[3], d)
                break
    if why:
        print("FAIL %s: %s" % (slug, why))
        continue
    passed += 1
    if open(got, "rb").read() == open(exp, "rb").read():
        same_text += 1
        print("PASS %s" % slug)
    else:
        print("PASS %s (text differs)" % slug)
print("kustomize conformance: %d/%d cases pass semantically (%.1f%%), %d/%d text-identical (%.1f%%)"
      % (passed, cases, 100.0 * passed / max(cases, 1), same_text, cases, 100.0 * same_text / max(cases, 1)))
print("conformance-kustomize: %d passed, %d failed" % (passed, cases - passed))
EOF
