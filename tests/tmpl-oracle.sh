#!/bin/bash
# tests/tmpl-oracle.sh CASEFILE - run one template case through real Helm.
#
# Builds a throw-away chart "test" (version 0.1.0) from the case file:
#   --- template        -> templates/_t.yaml (main template)
#   --- template NAME   -> templates/NAME
#   --- values          -> values.yaml
#   --- data            -> values.yaml too, and the main template gets
#                          .Values as its dot (a note goes to stderr: helm
#                          turns numbers into float64, go-yaml v2 would not)
# plus templates/out.yaml, which includes the main template by name and
# writes it base64-encoded, so Helm's YAML handling of manifests cannot
# touch the text. Prints the decoded output with every "<no value>"
# removed (what Helm does to each rendered file), exactly, with no added
# newline; on a template error prints helm's error to stdout, prefixed
# with "ERROR: ", and exits 1.
#
# The main template is called "test/templates/_t.yaml" and the dot has
# .Template.Name "test/templates/out.yaml"; the case runner
# (tests/unit/test-tmplcases.c) uses the same names.
# HELM=path overrides the helm binary (default: install-oracles.sh).
#
# tests/tmpl-oracle.sh --record CASEFILE... rewrites each case's
# expectation in place from Helm's answer: "--- output" with the exact
# text, or "--- error" with the innermost message (the text after
# "error calling include: ", or from "): " for Helm's execution and parse
# errors), and adds a comment line saying where it came from.
set -u
if [ "${1:-}" = "--record" ]; then
	shift
	for f in "$@"; do
		res=$("$0" "$f"; printf '\n@@RC@@%d' $?)
		python3 - "$f" "$res" <<'PY'
import sys, re
path, res = sys.argv[1], sys.argv[2]
i = res.rindex('\n@@RC@@')
rc = int(res[i + 7:]); body = res[:i]
lines = open(path, encoding='utf-8').read().split('\n')
if lines and lines[-1] == '':
    lines.pop()
keep = []
skip = False
for ln in lines:
    if ln.startswith('--- output') or ln.startswith('--- error'):
        skip = True
        continue
    if ln.startswith('--- '):
        skip = False
    if not skip and not ln.startswith('# expectation recorded'):
        keep.append(ln)
if rc == 2:
    sys.stderr.write('%s: oracle failed\n' % path); sys.exit(0)
note = '# expectation recorded from helm 3.10.1 with tests/tmpl-oracle.sh'
if rc == 0:
    tail = ['--- output', body]
else:
    msg = body[len('ERROR: '):] if body.startswith('ERROR: ') else body
    msg = msg.split('\n')[0]
    if msg.startswith('Error: '):
        msg = msg[7:]
    i = msg.find('error calling include: ')
    if 'execution error at (' in msg or msg.startswith('parse error at ('):
        msg = msg[msg.find('): '):]
    elif i >= 0:
        msg = msg[i + len('error calling include: '):]
    tail = ['--- error', msg]
out = [note] + keep + tail
open(path, 'w', encoding='utf-8').write('\n'.join(out) + '\n')
PY
	done
	exit 0
fi
case_file=$1
helm=${HELM:-}
if [ -z "$helm" ]; then
	helm=$(bash "$(dirname "$0")/../../shared/tools/install-oracles.sh" 2>/dev/null) || {
		echo "tmpl-oracle: cannot install helm" >&2; exit 2; }
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/c/templates"
python3 - "$case_file" "$dir/c" <<'PY' || exit 2
import sys, os
path, out = sys.argv[1], sys.argv[2]
lines = open(path, encoding='utf-8').read().split('\n')
if lines and lines[-1] == '':
    lines.pop()
secs = []
cur = None
for ln in lines:
    if ln.startswith('--- ') or ln == '---':
        cur = [ln[4:].strip(), []]
        secs.append(cur)
    elif cur is not None:
        cur[1].append(ln)
data_mode = False
values = ''
for name, body in secs:
    text = '\n'.join(body)
    words = name.split(None, 1)
    kind = words[0] if words else ''
    if kind == 'template':
        fn = words[1] if len(words) > 1 else '_t.yaml'
        with open(os.path.join(out, 'templates', fn), 'w', encoding='utf-8') as f:
            f.write(text)
    elif kind in ('values', 'data'):
        values = text
        data_mode = data_mode or kind == 'data'
with open(os.path.join(out, 'values.yaml'), 'w', encoding='utf-8') as f:
    f.write(values + '\n')
with open(os.path.join(out, 'Chart.yaml'), 'w') as f:
    f.write('apiVersion: v2\nname: test\nversion: 0.1.0\n')
dot = '.Values' if data_mode else '.'
with open(os.path.join(out, 'templates', 'out.yaml'), 'w') as f:
    f.write('out: {{ include "test/templates/_t.yaml" %s | b64enc | quote }}\n' % dot)
if data_mode:
    sys.stderr.write('tmpl-oracle: --- data given as .Values (numbers become float64)\n')
PY
if ! "$helm" template rg "$dir/c" --kube-version v1.31.0 >"$dir/out" 2>"$dir/err"; then
	printf 'ERROR: '
	cat "$dir/err"
	exit 1
fi
python3 - "$dir/out" <<'PY'
import sys, base64, re
t = open(sys.argv[1]).read()
m = re.search(r'^out: "([^"]*)"', t, re.M)
if not m:
    sys.stderr.write('tmpl-oracle: unexpected helm output:\n' + t)
    sys.exit(2)
s = base64.b64decode(m.group(1)).decode('utf-8', 'surrogateescape')
sys.stdout.write(s.replace('<no value>', ''))
PY
