#!/usr/bin/env python3
"""Semantic comparison of rendered YAML streams with a reference tool's
output (../shared/corpus/README.md, "How to compare").

Usage: semcmp.py LABEL LISTFILE
LISTFILE has one case per line, tab-separated:
    name  exit-code  got-file  expected-file  stderr-file  [volatile-file]
Both streams are parsed, objects paired by (apiVersion, kind, namespace,
name) and compared field by field with scalar types (the string "1" is not
the integer 1). Fields named in the volatile file
("apiVersion/kind/namespace/name dotted.path" per line) must be present
but may differ. Prints PASS/FAIL per case with the first differing path,
the share passing semantically and, second, the share text-identical, and
last "conformance-LABEL: N passed, N failed".
"""
import sys
import yaml


def load(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def ident(o):
    if not isinstance(o, dict):
        return (None, None, None, repr(o)[:40])
    md = o.get("metadata") or {}
    return (o.get("apiVersion"), o.get("kind"), md.get("namespace"), md.get("name"))


def short(v):
    s = repr(v)
    return s if len(s) < 60 else s[:57] + "..."


def diff(a, b, path, volatile):
    if path.lstrip(".") in volatile:
        return None
    if type(a) is not type(b):
        return "%s: %s %s vs expected %s %s" % (path or ".", type(a).__name__, short(a),
                                                 type(b).__name__, short(b))
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b), key=str):
            sub = "%s.%s" % (path, k)
            if k not in a:
                return "%s: missing" % sub
            if k not in b:
                return "%s: unexpected" % sub
            d = diff(a[k], b[k], sub, volatile)
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return "%s: %d items vs expected %d" % (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = diff(x, y, "%s[%d]" % (path, i), volatile)
            if d:
                return d
        return None
    if a != b:
        return "%s: %s vs expected %s" % (path or ".", short(a), short(b))
    return None


def volatile_map(path):
    vol = {}
    if not path:
        return vol
    try:
        for line in open(path, encoding="utf-8"):
            parts = line.split()
            if len(parts) == 2:
                obj, field = parts
                av_kind_ns_name = obj.split("/")
                vol.setdefault(obj, set()).add(field)
    except OSError:
        pass
    return vol


def obj_key(o):
    av, kind, ns, name = ident(o)
    return "%s/%s/%s/%s" % (av, kind, ns or "", name)


def main():
    label, listfile = sys.argv[1], sys.argv[2]
    cases = passed = same_text = 0
    for line in open(listfile, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if len(f) < 5:
            continue
        slug, rc, got, exp, errf = f[:5]
        vol = volatile_map(f[5] if len(f) > 5 else "")
        cases += 1
        if rc != "0":
            err = open(errf, encoding="utf-8", errors="replace").read().strip().splitlines()
            print("FAIL %s: exit %s: %s" % (slug, rc, err[-1] if err else ""))
            continue
        try:
            g, e = load(got), load(exp)
        except Exception as ex:  # a parse error is a failure of the case
            print("FAIL %s: unparsable output: %s" % (slug, str(ex).splitlines()[0]))
            continue
        gi = {ident(o): o for o in g}
        ei = {ident(o): o for o in e}
        why = None
        missing = [k for k in ei if k not in gi]
        extra = [k for k in gi if k not in ei]
        if len(g) != len(gi) or len(e) != len(ei):
            why = "duplicate identities (%d/%d objects got, %d/%d expected)" % (
                len(gi), len(g), len(ei), len(e))
        elif missing:
            why = "missing %d object(s), first %s" % (len(missing), "/".join(str(x) for x in missing[0]))
        elif extra:
            why = "%d extra object(s), first %s" % (len(extra), "/".join(str(x) for x in extra[0]))
        else:
            for k in ei:
                v = set()
                for key, fields in vol.items():
                    if key == obj_key(ei[k]) or key == "%s/%s/%s/%s" % (k[0], k[1], k[2] or "default", k[3]):
                        v |= fields
                d = diff(gi[k], ei[k], "", v)
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
    print("%s conformance: %d/%d cases pass semantically (%.1f%%), %d/%d text-identical (%.1f%%)"
          % (label, passed, cases, 100.0 * passed / max(cases, 1), same_text, cases,
             100.0 * same_text / max(cases, 1)))
    print("conformance-%s: %d passed, %d failed" % (label, passed, cases - passed))


if __name__ == "__main__":
    main()
