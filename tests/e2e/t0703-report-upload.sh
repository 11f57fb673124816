#!/bin/sh
# t0703-report-upload: a merge request comment cut to the forge's limit
# links the full report. Pushes through the installed hooks, then
# `rendergate drain` against the loopback fake forge (tests/forge/
# server.py): the HTML page arrives through GitLab's project uploads and
# Gitea's comment assets, the comment links it, the page holds every
# object (the cut ones too) and no masked value; a delivery that failed
# after the upload does not upload again; an upload outage keeps the job;
# a Gitea that does not allow .html gets a comment saying so; a Gitea
# comment keeps only the report it links.
test_description='the full report is uploaded and linked from a cut comment'
. "$(dirname "$0")/lib.sh"

TOKEN=e2e-token-0703
SECRET_VALUE=s3cr3t-0703-never-shown

start_forge "$TOKEN"
URL=$FORGE_URL

# A Python expression over the fake forge's /_ctl/state as s.
state() {
	forge_ctl GET /_ctl/state |
		python3 -c "import json,sys; s=json.load(sys.stdin); print($1)"
}

# How many API requests matched METHOD and a path regex.
requests() { # METHOD REGEX
	forge_ctl GET /_ctl/requests | python3 -c "
import json, re, sys
print(sum(1 for r in json.load(sys.stdin)
          if r['method'] == '$1' and re.search(r'$2', r['path'])))"
}

gl_notes='s["gitlab"]["group/app"]["notes"].get("4", [])'
gt_comments='s["gitea"]["org/repo"]["comments"].get("9", [])'
GL_SEED='{"gitlab": {"group/app": {"id": 42, "mrs": [{"iid": 4, "source_branch": "feature", "target_branch": "main"}]}}}'
GT_SEED='{"gitea": {"org/repo": {"id": 3, "pulls": [{"number": 9, "head": "feature", "base": "main"}]}}}'

# many DIR N SIZE: N ConfigMaps big-1..N, each with a SIZE-byte value.
many() {
	v=$(printf "%0${3}d" 7)
	for k in $(seq 1 "$2"); do
		configmap "$1/big-$k.yaml" "big-$k" k "$v" || return 1
	done
}

# The drain log lines, of ours and of a drainer the hooks started.
logs() {
	cat out &&
	if [ -f "$TRASH/spool-$1/drain.log" ]; then
		cat "$TRASH/spool-$1/drain.log"
	fi
}

# no_detached_drainer REPO: without post-receive, only the drains of the
# test deliver, so a fault injected for a test meets a known drainer (with
# a 10 ms backoff); t0701 covers the drainer post-receive starts.
no_detached_drainer() {
	test -f "$TRASH/$1/hooks/post-receive" &&
	rm "$TRASH/$1/hooks/post-receive"
}

# link_in FILE: the target of the "Full report" link in a comment body.
link_in() {
	sed -n 's/^\*\*Full report:\*\* \[every object, side by side (HTML)\](\([^)]*\)).*/\1/p' "$1"
}

# every_object PAGE N: the page shows ConfigMaps big-1..N, and no secret.
every_object() {
	test_grep "^<!DOCTYPE html>" "$1" &&
	for k in $(seq 1 "$2"); do
		grep -q "<span class=\"label\">ConfigMap apps/big-$k</span>" "$1" ||
			{ echo "big-$k missing from $1" >&2; return 1; }
	done &&
	test_grep "Secret apps/db</span><span class=\"tag\">values masked" "$1" &&
	test_grep ! "$SECRET_VALUE" "$1" &&
	test_grep ! "<script" "$1"
}

test_expect_success 'setup: the forge, a GitLab server, main with one environment' '
	test -n "$FORGE_URL" &&
	forge_ctl POST /_ctl/seed "$GL_SEED" &&
	forge_config server gitlab &&
	setup_server &&
	setup_work &&
	plain_config work a:envs/a &&
	deployment work/envs/a/web.yaml web nginx:1.25 &&
	secret work/envs/a/secret.yaml old-value &&
	commit_all work initial &&
	git -C work push -q origin main 2>/dev/null &&
	forge_drain server >out 2>&1 &&
	test "$(spool_jobs server)" = 0 &&
	no_detached_drainer server.git
'

test_expect_success 'GitLab: a cut comment links the full report, uploaded once' '
	git -C work checkout -q -b feature main &&
	many work/envs/a 20 60000 &&
	secret work/envs/a/secret.yaml "$SECRET_VALUE" &&
	commit_all work "a: 20 big configmaps" &&
	git -C work push origin feature 2>err &&
	test_grep "push accepted" err &&
	forge_drain server >out 2>&1 &&
	test "$(spool_jobs server)" = 0 &&
	test "$(state "len($gl_notes)")" = 1 &&
	state "$gl_notes[0][\"body\"]" >body &&
	test_grep "of 21 changed objects are not shown" body &&
	test "$(wc -c <body)" -le 1000000 &&
	test "$(grep -c "<summary>added: ConfigMap apps/big-" body)" -lt 20 &&
	link_in body >link &&
	test_grep "^/uploads/[0-9a-f]{32}/rendergate-report-[0-9a-f]{12}\.html$" link &&
	test "$(requests POST "^/api/v4/projects/group%2Fapp/uploads$")" = 1 &&
	test "$(state "len(s[\"uploads\"][\"group/app\"])")" = 1 &&
	test "$(state "s[\"uploads\"][\"group/app\"][0][\"url\"]")" = "$(cat link)" &&
	test "$(state "s[\"uploads\"][\"group/app\"][0][\"content_type\"]")" = text/html &&
	curl -sf "$URL/group/app$(cat link)" >page.html &&
	every_object page.html 20 &&
	test_grep "head <code>$(git -C work rev-parse --short=12 HEAD)</code> into <code>main</code>" page.html &&
	logs server >log &&
	test_grep "full report uploaded as rendergate-report-" log
'

test_expect_success 'GitLab: a failure after the upload does not upload again' '
	forge_ctl POST /_ctl/faults "[{\"path\": \"/notes/[0-9]+$\", \"method\": \"PUT\", \"kind\": \"500\", \"times\": 6}]" &&
	configmap work/envs/a/extra.yaml extra k v &&
	commit_all work "a: extra" &&
	git -C work push origin feature 2>err &&
	test_expect_code 0 forge_drain server >out 2>&1 &&
	test "$(spool_jobs server)" = 1 &&
	test_grep "attempt 1 failed.*HTTP 500" out &&
	test_grep "\"upload_url\": \"/uploads/" "$TRASH"/spool-server/*.json &&
	test "$(requests POST "/uploads$")" = 2 &&
	forge_drain server >out 2>&1 &&
	test "$(spool_jobs server)" = 0 &&
	test_grep "full report already on the forge" out &&
	test "$(requests PUT "/notes/[0-9]+$")" = 7 &&
	test "$(requests POST "/uploads$")" = 2 &&
	test "$(state "len($gl_notes)")" = 1 &&
	state "$gl_notes[0][\"body\"]" >body &&
	test "$(link_in body)" = "$(state "s[\"uploads\"][\"group/app\"][1][\"url\"]")" &&
	curl -sf "$URL/group/app$(link_in body)" >page.html &&
	test_grep "ConfigMap apps/extra</span>" page.html
'

test_expect_success 'GitLab: an upload outage keeps the job; a later drain delivers' '
	forge_ctl POST /_ctl/faults "[{\"path\": \"/uploads$\", \"method\": \"POST\", \"kind\": \"503\", \"times\": 100}]" &&
	configmap work/envs/a/extra2.yaml extra2 k v &&
	commit_all work "a: extra2" &&
	git -C work push origin feature 2>err &&
	test_grep "push accepted" err &&
	forge_drain server >out 2>&1 || : &&
	test "$(spool_jobs server)" = 1 &&
	test_grep "\"attempts\": [1-9]" "$TRASH"/spool-server/*.json &&
	test_grep ! "upload_url" "$TRASH"/spool-server/*.json &&
	state "$gl_notes[0][\"body\"]" >body &&
	test_grep ! "extra2" body &&
	forge_ctl POST /_ctl/reset &&
	forge_ctl POST /_ctl/seed "$GL_SEED" &&
	forge_drain server >out 2>&1 &&
	test "$(spool_jobs server)" = 0 &&
	test "$(requests POST "/uploads$")" = 1 &&
	test "$(state "len($gl_notes)")" = 1 &&
	state "$gl_notes[0][\"body\"]" >body &&
	curl -sf "$URL/group/app$(link_in body)" >page.html &&
	test_grep "ConfigMap apps/extra2</span>" page.html
'

test_expect_success 'setup: a Gitea server' '
	forge_config gitea gitea &&
	git init -q --bare gtserver.git &&
	"$RENDERGATE" install --config "$TRASH/gitea.yaml" gtserver.git >/dev/null &&
	no_detached_drainer gtserver.git &&
	git -C work push -q "$TRASH/gtserver.git" main 2>/dev/null &&
	forge_ctl POST /_ctl/reset &&
	forge_ctl POST /_ctl/seed "$GT_SEED" &&
	forge_ctl POST /_ctl/options "{\"gitea_attachment_types\": [\".html\", \".zip\"]}"
'

gtpush() {
	GITEA_REPO_USER_NAME=org GITEA_REPO_NAME=repo GITEA_PR_ID=0 \
		git -C work push "$TRASH/gtserver.git" "$@"
}

test_expect_success 'Gitea: the report is attached to the comment and linked' '
	git -C work checkout -q -b gtfeature main &&
	many work/envs/a 200 400 &&
	secret work/envs/a/secret.yaml "$SECRET_VALUE" &&
	commit_all work "a: 200 configmaps" &&
	gtpush gtfeature:feature 2>err &&
	test_grep "push accepted" err &&
	forge_drain gitea >out 2>&1 &&
	test "$(spool_jobs gitea)" = 0 &&
	test "$(state "len($gt_comments)")" = 1 &&
	state "$gt_comments[0][\"body\"]" >body &&
	test "$(wc -c <body)" -le 65000 &&
	test_grep "of 201 changed objects are not shown" body &&
	test "$(state "len($gt_comments[0][\"assets\"])")" = 1 &&
	state "$gt_comments[0][\"assets\"][0][\"name\"]" >name &&
	test_grep "^rendergate-report-[0-9a-f]{12}\.html$" name &&
	test "$(link_in body)" = "$(state "$gt_comments[0][\"assets\"][0][\"browser_download_url\"]")" &&
	link_in body >link &&
	test_grep "^$URL/attachments/[0-9a-f]{32}$" link &&
	test "$(requests POST "/issues/comments/[0-9]+/assets$")" = 1 &&
	forge_ctl GET /_ctl/requests | python3 -c "
import json, sys
r = [r for r in json.load(sys.stdin) if r[\"method\"] == \"POST\" and r[\"path\"].endswith(\"/assets\")][0]
assert r[\"query\"][\"name\"] == \"$(cat name)\", r[\"query\"]
f = r[\"body\"][\"multipart\"][\"attachment\"]
assert f[\"filename\"] == \"$(cat name)\" and f[\"content_type\"] == \"text/html\", f
" &&
	curl -sf "$(link_in body)" >page.html &&
	every_object page.html 200
'

test_expect_success 'Gitea: a failure after attaching does not attach again' '
	forge_ctl POST /_ctl/faults "[{\"path\": \"/issues/comments/[0-9]+$\", \"method\": \"PATCH\", \"kind\": \"500\", \"times\": 6}]" &&
	configmap work/envs/a/extra.yaml extra k v &&
	commit_all work "a: extra" &&
	gtpush gtfeature:feature 2>err &&
	test_expect_code 0 forge_drain gitea >out 2>&1 &&
	test "$(spool_jobs gitea)" = 1 &&
	test_grep "attempt 1 failed.*HTTP 500" out &&
	test "$(state "len($gt_comments[0][\"assets\"])")" = 2 &&
	state "$gt_comments[0][\"body\"]" >body &&
	link_in body >old-link &&
	curl -sf "$(cat old-link)" >/dev/null &&
	forge_drain gitea >out 2>&1 &&
	test "$(spool_jobs gitea)" = 0 &&
	test_grep "full report already on the forge" out &&
	test "$(state "len($gt_comments)")" = 1 &&
	test "$(requests POST "/assets$")" = 2 &&
	state "$gt_comments[0][\"body\"]" >body &&
	test "$(link_in body)" = "$(state "$gt_comments[0][\"assets\"][-1][\"browser_download_url\"]")" &&
	curl -sf "$(link_in body)" >page.html &&
	test_grep "ConfigMap apps/extra</span>" page.html &&
	test_grep "removed 1 older full report from comment" out &&
	test "$(state "len($gt_comments[0][\"assets\"])")" = 1 &&
	test_must_fail curl -sf "$(cat old-link)" >/dev/null
'

test_expect_success 'Gitea without .html in ALLOWED_TYPES: the comment says why' '
	forge_ctl POST /_ctl/reset &&
	forge_ctl POST /_ctl/seed "$GT_SEED" &&
	configmap work/envs/a/extra3.yaml extra3 k v &&
	commit_all work "a: extra3" &&
	gtpush gtfeature:feature 2>err &&
	forge_drain gitea >out 2>&1 &&
	test "$(spool_jobs gitea)" = 0 &&
	logs gitea >log &&
	test_grep "full report not attached: .*HTTP 422" log &&
	test "$(state "len($gt_comments)")" = 1 &&
	test "$(state "len($gt_comments[0][\"assets\"])")" = 0 &&
	state "$gt_comments[0][\"body\"]" >body &&
	grep -F "**Full report:** not attached (the forge does not allow .html attachments; an admin can add .html to \[attachment\] ALLOWED\_TYPES); run \`rendergate diff --format html\` to see every object" body &&
	test_grep ! "rendergate:full-report" body
'

test_done
