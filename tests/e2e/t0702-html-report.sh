#!/bin/sh
# t0702-html-report: `rendergate diff --format html` opened in headless
# Chromium (Debian package chromium, installed by `make deps`), checked as
# a reviewer sees it: the screenshot is a real page with red and green diff
# rows, the DOM holds every changed object, the findings come first, a
# hostile object name stays text, masked values never appear; and the page
# equals tests/forge/example-report.html (RG_UPDATE_GOLDEN=1 rewrites it),
# so the example reviewers read is what the binary writes.
# No Chromium is a failure, never a skip.
test_description='the HTML report in a real browser'
. "$(dirname "$0")/lib.sh"

EXAMPLE=$RG_TOP/tests/forge/example-report.html

CHROMIUM=
for c in chromium chromium-browser google-chrome; do
	if command -v "$c" >/dev/null 2>&1; then
		CHROMIUM=$(command -v "$c")
		break
	fi
done

# chrome ARGS... URL: headless Chromium with its own profile, bounded.
chrome() {
	timeout 120 "$CHROMIUM" --headless --disable-gpu --no-sandbox \
		--user-data-dir="$TRASH/chrome" --no-first-run --disable-dev-shm-usage \
		--hide-scrollbars "$@" 2>>"$TRASH/chrome.log"
}

test_expect_success 'Chromium is installed (Debian package chromium, make deps)' '
	if [ -z "$CHROMIUM" ]; then
		echo "t0702: no chromium on PATH: install the Debian package chromium (make deps does)" >&2
		false
	fi &&
	chrome --version >version &&
	test_grep "Chromium|Chrome" version
'

test_expect_success 'setup: two environments, a policy, a change worth reviewing' '
	cat >policy.yaml <<-\EOT &&
	version: 1
	rules:
	  - id: resources.memory-limit
	    severity: warn
	    description: every container should set a memory limit
	    match:
	      kinds: [Deployment]
	    any:
	      - path: $containers[*].resources.limits.memory
	        absent: true
	    message: "{path} is not set"
	    hint: set resources.limits.memory so the scheduler can place the pod
	EOT
	printf "mode: enforce\npolicy_files: [%s]\n" "$TRASH/policy.yaml" >server.yaml &&
	git init -q work &&
	plain_config work prod-eu:envs/prod-eu staging:envs/staging &&
	deployment work/envs/prod-eu/web.yaml web nginx:1.25 3 &&
	deployment work/envs/staging/web.yaml web nginx:1.25 &&
	secret work/envs/prod-eu/secret.yaml old-db-pass-0702 &&
	configmap work/envs/prod-eu/settings.yaml settings api_token tok-old-0702 &&
	write_file work/envs/prod-eu/svc.yaml <<-\EOT &&
	apiVersion: v1
	kind: Service
	metadata:
	  name: legacy
	  namespace: apps
	spec:
	  ports:
	    - port: 80
	EOT
	commit_all work initial &&
	git -C work branch -q -m main &&
	git -C work checkout -q -b feature &&
	deployment work/envs/prod-eu/web.yaml web nginx:1.26 4 &&
	deployment work/envs/staging/web.yaml web nginx:1.26 &&
	secret work/envs/prod-eu/secret.yaml new-db-pass-0702 &&
	configmap work/envs/prod-eu/settings.yaml settings api_token tok-new-0702 &&
	git -C work rm -q envs/prod-eu/svc.yaml &&
	write_file work/envs/prod-eu/hostile.yaml <<-\EOT &&
	apiVersion: v1
	kind: ConfigMap
	metadata:
	  name: "evil\"><script>alert(1)<"
	  namespace: apps
	data:
	  note: "</td></tr></table><script>alert(2)</script> & <b>bold</b>"
	EOT
	commit_all work "feature: bump web, rotate secrets"
'

test_expect_success 'rendergate diff --format html writes the page' '
	(cd work && "$RENDERGATE" diff --config "$TRASH/server.yaml" \
		--format html main feature >"$TRASH/report.html" 2>"$TRASH/err") &&
	test_grep "^<!DOCTYPE html>" report.html &&
	test_grep "</html>$" report.html &&
	test_grep "<h2>Findings \(2\)</h2>" report.html &&
	test_grep ! "old-db-pass|new-db-pass|tok-old-0702|tok-new-0702" report.html &&
	test_grep ! "<script" report.html &&
	test_grep ! "https?://" report.html
'

test_expect_success 'the page is tests/forge/example-report.html' '
	if [ -n "$RG_UPDATE_GOLDEN" ]; then
		cp report.html "$EXAMPLE"
	fi &&
	cmp report.html "$EXAMPLE"
'

test_expect_success 'screenshot: a non-trivial PNG with the diff colours' '
	chrome --screenshot="$TRASH/shot.png" --window-size=1280,1400 \
		"file://$TRASH/report.html" >/dev/null &&
	test -s shot.png &&
	test "$(wc -c <shot.png)" -gt 20000 &&
	python3 "$RG_TOP/tests/e2e/png-colors.py" shot.png ffebe9 dafbe1 ddf4ff >colors &&
	cat colors &&
	read w h distinct <colors &&
	test "$w" = 1280 && test "$h" = 1400 &&
	test "$distinct" -gt 50 &&
	test "$(sed -n "s/^ffebe9 //p" colors)" -gt 2000 &&
	test "$(sed -n "s/^dafbe1 //p" colors)" -gt 2000 &&
	test "$(sed -n "s/^ddf4ff //p" colors)" -gt 1000
'

test_expect_success 'DOM: findings first, every object, hostile text inert, no secrets' '
	chrome --dump-dom "file://$TRASH/report.html" >dom.html &&
	test_grep "<h1>rendergate: rendered diff: main\.\.feature</h1>" dom.html &&
	test "$(grep -c "<span class=\"label\">Deployment apps/web</span>" dom.html)" = 2 &&
	for o in "Secret apps/db" "ConfigMap apps/settings" "Service apps/legacy"; do
		test "$(grep -c "<span class=\"label\">$o</span>" dom.html)" = 1 || return 1
	done &&
	test_grep "<span class=\"label\">ConfigMap apps/evil\"&gt;&lt;script&gt;alert\(1\)&lt;</span>" dom.html &&
	test_grep "&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;alert\(2\)&lt;/script&gt; &amp;amp; &lt;b&gt;bold&lt;/b&gt;|&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;alert\(2\)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" dom.html &&
	test "$(grep -c "<script" dom.html)" = 0 &&
	test "$(grep -c "<b>" dom.html)" = 0 &&
	test_grep ! "old-db-pass|new-db-pass|tok-old-0702|tok-new-0702" dom.html &&
	test_grep "&lt;secret: 16 bytes, new value&gt;" dom.html &&
	test_grep "ConfigMap apps/settings</span><span class=\"tag\">values masked</span>" dom.html &&
	test_grep "<li class=\"finding\"><span class=\"env\">prod-eu</span>: .*warn: .*memory is not set \(resources\.memory-limit\)" dom.html &&
	test "$(grep -n "<h2>Findings" dom.html | cut -d: -f1)" -lt "$(grep -n "<h2>Summary" dom.html | cut -d: -f1)" &&
	test "$(grep -n "<h2>Summary" dom.html | cut -d: -f1)" -lt "$(grep -n "id=\"env-1\"" dom.html | cut -d: -f1)" &&
	test_grep "<a href=\"#env-1\">prod-eu</a></td><td class=\"n\">1</td><td class=\"n\">1</td><td class=\"n\">3</td><td class=\"n\">1</td><td class=\"n\">1</td>" dom.html &&
	test "$(grep -c "<details class=\"env\" id=\"env-[12]\" open=\"\">" dom.html)" = 2
'

test_done
