#!/bin/sh
# t0701-mr-flow: pushes through the installed hooks to a bare repository
# whose server config names the loopback fake forge (tests/forge/server.py),
# then `rendergate drain`: what arrives on the merge request. GitLab: a
# feature-branch push gives one comment with the rendered diff and a
# status, a second push updates that comment in place, a rejected push
# still posts its findings, a web merge into the environment branch posts
# the "merged" summary, an outage keeps the jobs until a later drain.
# Gitea: the same comment and status, and a merge with GITEA_PR_ID.
test_description='merge request comments and statuses from pushes'
. "$(dirname "$0")/lib.sh"

TOKEN=e2e-token-0701
SECRET_VALUE=hunter2-do-not-print

start_forge "$TOKEN"
URL=$FORGE_URL
PORT=${FORGE_URL##*:}

ctl() { # METHOD PATH [JSON]
	forge_ctl "$@"
}

# A Python expression over the fake forge's /_ctl/state as s.
state() {
	ctl GET /_ctl/state |
		python3 -c "import json,sys; s=json.load(sys.stdin); print($1)"
}

gl_notes='s["gitlab"]["group/app"]["notes"].get("4", [])'
gt_comments='s["gitea"]["org/repo"]["comments"].get("9", [])'

printf '%s\n' "$TOKEN" >"$TRASH/token"
chmod 600 "$TRASH/token"

# server_config NAME KIND URL [EXTRA-LINE...]
server_config() {
	f=$TRASH/$1.yaml
	{
		echo "mode: enforce"
		echo "forge:"
		echo "  kind: $2"
		echo "  url: $3"
		echo "  token_file: $TRASH/token"
		[ "$2" = gitlab ] && echo "  project: group/app"
		echo "spool_dir: $TRASH/spool-$1"
		shift 3
		for l in "$@"; do
			echo "$l"
		done
	} >"$f"
}

# drain NAME [ARGS...]: one pass, after any drainer the hooks started.
drain() {
	n=$1
	shift
	"$RENDERGATE" drain --once --config "$TRASH/$n.yaml" --wait 20 \
		--backoff-ms 10 --retry-now "$@"
}

jobs_in() {
	ls "$TRASH/spool-$1"/*.json 2>/dev/null | wc -l
}

test_expect_success 'setup: the forge, a GitLab server, main with two environments' '
	test -n "$PORT" &&
	ctl POST /_ctl/seed "{\"gitlab\": {\"group/app\": {\"mrs\": [{\"iid\": 4, \"source_branch\": \"feature\", \"target_branch\": \"main\"}]}}, \"gitea\": {\"org/repo\": {\"id\": 3, \"pulls\": [{\"number\": 9, \"head\": \"feature\", \"base\": \"main\"}]}}}" &&
	server_config server gitlab "$URL" &&
	setup_server &&
	setup_work &&
	plain_config work a:envs/a b:envs/b &&
	deployment work/envs/a/web.yaml web nginx:1.25 &&
	deployment work/envs/b/web.yaml web nginx:1.25 &&
	secret work/envs/a/secret.yaml old-value &&
	commit_all work initial &&
	git -C work push -q origin main 2>/dev/null &&
	drain server >out 2>&1 &&
	test "$(jobs_in server)" = 0
'

test_expect_success 'GitLab: a feature push gives one comment with the diff and a status' '
	git -C work checkout -q -b feature main &&
	deployment work/envs/a/web.yaml web nginx:1.26 &&
	secret work/envs/a/secret.yaml "$SECRET_VALUE" &&
	commit_all work "a: 1.26" &&
	git -C work rev-parse HEAD >head1 &&
	git -C work push origin feature 2>err &&
	test_grep "push accepted" err &&
	drain server >out 2>&1 &&
	test "$(jobs_in server)" = 0 &&
	test "$(state "len($gl_notes)")" = 1 &&
	state "$gl_notes[0][\"body\"]" >body &&
	test_grep "^<!-- rendergate:report -->" body &&
	test_grep "^\*\*Push accepted\*\* · head \`$(cut -c1-12 head1)\` into main" body &&
	test_grep "^\| a \| 0 \| 0 \| 2 \| 1 \| 0 \|" body &&
	test_grep "<summary>changed: Deployment apps/web</summary>" body &&
	test_grep "^\`\`\`diff" body &&
	test_grep "^\+ *- image: nginx:1\.26" body &&
	test_grep "Secret apps/db.*values masked" body &&
	test_grep ! "$SECRET_VALUE" body &&
	test_grep ! "^\| b " body &&
	test "$(state "[x[\"sha\"] for x in s[\"statuses\"]][-1]")" = "$(cat head1)" &&
	test "$(state "s[\"statuses\"][-1][\"status\"]")" = success &&
	test "$(state "s[\"statuses\"][-1][\"name\"]")" = rendergate &&
	state "s[\"statuses\"][-1][\"description\"]" >desc &&
	test_grep "^accepted: 1 environment, 0 added, 2 changed, 0 removed" desc
'

test_expect_success 'GitLab: a second push updates the same comment in place' '
	id1=$(state "$gl_notes[0][\"id\"]") &&
	configmap work/envs/b/cm.yaml cm k v &&
	commit_all work "b: cm" &&
	git -C work rev-parse HEAD >head2 &&
	git -C work push origin feature 2>err &&
	drain server >out 2>&1 &&
	test "$(state "len($gl_notes)")" = 1 &&
	test "$(state "$gl_notes[0][\"id\"]")" = "$id1" &&
	state "$gl_notes[0][\"body\"]" >body &&
	test_grep "head \`$(cut -c1-12 head2)\`" body &&
	test_grep "^\| b \| 1 \| 0 \| 0 \| 0 \| 0 \|" body &&
	test_grep "<summary>added: ConfigMap apps/cm</summary>" body &&
	test "$(state "[x[\"sha\"] for x in s[\"statuses\"]][-1]")" = "$(cat head2)"
'

test_expect_success 'GitLab: a rejected push still posts its findings' '
	server_config server gitlab "$URL" "feature_branches:" "  fail_early: true" &&
	write_file work/envs/a/bad.yaml <<-\EOT &&
	apiVersion: v1
	kind: ConfigMap
	EOT
	commit_all work "a: nameless" &&
	git -C work rev-parse HEAD >head3 &&
	test_must_fail git -C work push origin feature 2>err &&
	test_grep "push rejected" err &&
	test "$(git -C server.git rev-parse feature)" = "$(cat head2)" &&
	drain server >out 2>&1 &&
	test "$(jobs_in server)" = 0 &&
	test "$(state "len($gl_notes)")" = 1 &&
	state "$gl_notes[0][\"body\"]" >body &&
	test_grep "^\*\*Push rejected\*\*" body &&
	test_grep "^\*\*Findings\*\*" body &&
	test_grep "envs/a/bad\.yaml:1:1: deny: .*\(plain\.missing-name\)" body &&
	test "$(state "[x[\"sha\"] for x in s[\"statuses\"]][-1]")" = "$(cat head3)" &&
	test "$(state "s[\"statuses\"][-1][\"status\"]")" = failed &&
	state "s[\"statuses\"][-1][\"description\"]" >desc &&
	test_grep "^rejected: 1 problem" desc &&
	git -C work reset -q --hard HEAD~1 &&
	server_config server gitlab "$URL"
'

test_expect_success 'GitLab: a web merge into main posts the merged summary' '
	git -C work checkout -q main &&
	git -C work merge -q --no-ff -m "Merge branch feature" feature &&
	m=$(git -C work rev-parse HEAD) &&
	ctl POST /_ctl/seed "{\"gitlab\": {\"group/app\": {\"mrs\": [{\"iid\": 4, \"source_branch\": \"feature\", \"target_branch\": \"main\", \"state\": \"merged\", \"merge_commit_sha\": \"$m\"}], \"commit_mrs\": {\"$m\": [4]}}}}" &&
	GL_PROTOCOL=web git -C work push origin main 2>err &&
	test_grep "push accepted" err &&
	drain server >out 2>&1 &&
	test "$(jobs_in server)" = 0 &&
	test "$(state "len($gl_notes)")" = 1 &&
	state "$gl_notes[0][\"body\"]" >body &&
	test_grep "^<!-- rendergate:merged -->" body &&
	test_grep "^### rendergate: merged into main" body &&
	test_grep "^\*\*Merged\*\*" body &&
	test_grep "^\| a \| 0 \| 0 \| 2 \| 1 \| 0 \|" body &&
	test_grep "^\| b \| 1 \| 0 \| 0 \| 0 \| 0 \|" body &&
	test_grep ! "\`\`\`diff" body &&
	test_grep ! "$SECRET_VALUE" body
'

test_expect_success 'a plain push to main posts nothing' '
	ctl POST /_ctl/seed "{\"gitlab\": {\"group/app\": {\"mrs\": [{\"iid\": 4, \"source_branch\": \"feature\", \"target_branch\": \"main\"}]}}}" &&
	deployment work/envs/b/web.yaml web nginx:1.27 &&
	commit_all work "b: 1.27" &&
	git -C work push origin main 2>err &&
	test "$(jobs_in server)" = 0 &&
	drain server >out 2>&1 &&
	test "$(state "len($gl_notes)")" = 0
'

test_expect_success 'GitLab down: the push is unchanged, the jobs wait, a later drain delivers once' '
	server_config server gitlab http://127.0.0.1:1 &&
	git -C work checkout -q feature &&
	git -C work merge -q -m "merge main" main &&
	deployment work/envs/a/web.yaml web nginx:1.28 &&
	commit_all work "a: 1.28" &&
	git -C work rev-parse HEAD >head4 &&
	git -C work push origin feature 2>err &&
	test_grep "push accepted" err &&
	drain server --deadline-ms 1000 >out 2>&1 || : &&
	test "$(jobs_in server)" = 2 &&
	test_grep "\"attempts\": [1-9]" "$TRASH"/spool-server/*.json &&
	test "$(state "len($gl_notes)")" = 0 &&
	server_config server gitlab "$URL" &&
	drain server >out 2>&1 &&
	test_grep "2 delivered" out &&
	test "$(jobs_in server)" = 0 &&
	drain server >out 2>&1 &&
	test_grep "0 delivered" out &&
	test "$(state "len($gl_notes)")" = 1 &&
	state "$gl_notes[0][\"body\"]" >body &&
	test_grep "head \`$(cut -c1-12 head4)\`" body &&
	test_grep "^\+ *- image: nginx:1\.28" body &&
	test "$(state "[x[\"sha\"] for x in s[\"statuses\"]][-1]")" = "$(cat head4)"
'

test_expect_success 'GitLab: -o merge_request.create: the MR appears later, a retry finds it' '
	git -C work checkout -q -b feature2 main &&
	deployment work/envs/b/web.yaml web nginx:2.0 &&
	commit_all work "b: 2.0" &&
	git -C work push -o merge_request.create -o merge_request.target=main \
		origin feature2 2>err &&
	test_grep "push accepted" err &&
	drain server >out 2>&1 &&
	test "$(jobs_in server)" = 1 &&
	test_grep "no open merge request for branch feature2" "$TRASH"/spool-server/*.json &&
	ctl POST /_ctl/seed "{\"gitlab\": {\"group/app\": {\"mrs\": [{\"iid\": 5, \"source_branch\": \"feature2\", \"target_branch\": \"main\"}]}}}" &&
	drain server >out 2>&1 &&
	test "$(jobs_in server)" = 0 &&
	test "$(state "len(s[\"gitlab\"][\"group/app\"][\"notes\"][\"5\"])")" = 1 &&
	state "s[\"gitlab\"][\"group/app\"][\"notes\"][\"5\"][0][\"body\"]" >body &&
	test_grep "^\+ *- image: nginx:2\.0" body
'

test_expect_success 'a spool that cannot be written is a note; the verdict stands' '
	server_config server gitlab "$URL" &&
	sed "s|^spool_dir:.*|spool_dir: /dev/null/spool|" server.yaml >s.yaml &&
	mv s.yaml server.yaml &&
	chmod 644 server.yaml &&
	deployment work/envs/b/web.yaml web nginx:2.1 &&
	commit_all work "b: 2.1" &&
	git -C work push origin feature2 2>err &&
	test_grep "rendergate: note: pre-receive: refs/heads/feature2: the merge request report was not queued" err &&
	test_grep "push accepted" err &&
	server_config server gitlab "$URL"
'

test_expect_success 'setup: a Gitea server with the same history' '
	server_config gitea gitea "$URL" &&
	git init -q --bare gtserver.git &&
	"$RENDERGATE" install --config "$TRASH/gitea.yaml" gtserver.git >/dev/null &&
	git -C work push -q "$TRASH/gtserver.git" main~2:refs/heads/main 2>/dev/null &&
	test "$(jobs_in gitea)" = 0
'

test_expect_success 'Gitea: a feature push gives one comment and a status' '
	git -C work checkout -q -b gtfeature main~2 &&
	deployment work/envs/a/web.yaml web nginx:1.30 &&
	commit_all work "a: 1.30" &&
	git -C work rev-parse HEAD >gthead &&
	GITEA_REPO_USER_NAME=org GITEA_REPO_NAME=repo GITEA_PR_ID=0 \
		git -C work push "$TRASH/gtserver.git" gtfeature:feature 2>err &&
	test_grep "push accepted" err &&
	drain gitea >out 2>&1 &&
	test "$(jobs_in gitea)" = 0 &&
	test "$(state "len($gt_comments)")" = 1 &&
	state "$gt_comments[0][\"body\"]" >body &&
	test_grep "^<!-- rendergate:report -->" body &&
	test_grep "^\| a \| 0 \| 0 \| 1 \| 1 \| 0 \|" body &&
	test_grep "^\+ *- image: nginx:1\.30" body &&
	test "$(state "[x[\"status\"] for x in s[\"statuses\"] if x[\"forge\"] == \"gitea\"][-1]")" = success &&
	test "$(state "[x[\"context\"] for x in s[\"statuses\"] if x[\"forge\"] == \"gitea\"][-1]")" = rendergate &&
	test "$(state "[x[\"sha\"] for x in s[\"statuses\"] if x[\"forge\"] == \"gitea\"][-1]")" = "$(cat gthead)"
'

test_expect_success 'Gitea: a second push updates the comment in place, credentials masked' '
	configmap work/envs/a/cm2.yaml cm2 api_token tok-0701-not-for-eyes &&
	commit_all work "a: cm2" &&
	GITEA_REPO_USER_NAME=org GITEA_REPO_NAME=repo \
		git -C work push "$TRASH/gtserver.git" gtfeature:feature 2>err &&
	drain gitea >out 2>&1 &&
	test "$(state "len($gt_comments)")" = 1 &&
	state "$gt_comments[0][\"body\"]" >body &&
	test_grep "^\| a \| 1 \| 0 \| 1 \| 1 \| 0 \|" body &&
	test_grep "ConfigMap apps/cm2 \(values masked\)" body &&
	test_grep ! "tok-0701-not-for-eyes" body
'

test_expect_success 'Gitea: without a known project nothing is spooled, with a note' '
	git -C work checkout -q gtfeature &&
	configmap work/envs/a/cm3.yaml cm3 k v &&
	commit_all work "a: cm3" &&
	git -C work push "$TRASH/gtserver.git" gtfeature:feature 2>err &&
	test_grep "push accepted" err &&
	test_grep "rendergate: note: no merge request report: the forge project is unknown" err &&
	test "$(jobs_in gitea)" = 0 &&
	git -C work reset -q --hard HEAD~1
'

test_expect_success 'Gitea: a PR merge (GITEA_PR_ID) posts the merged summary' '
	git -C work checkout -q -b gtmain main~2 &&
	git -C work merge -q --no-ff -m "Merge pull request 9" gtfeature &&
	GITEA_REPO_USER_NAME=org GITEA_REPO_NAME=repo GITEA_PR_ID=4711 \
		GITEA_PR_INDEX=9 \
		git -C work push "$TRASH/gtserver.git" gtmain:main 2>err &&
	test_grep "push accepted" err &&
	drain gitea >out 2>&1 &&
	test "$(jobs_in gitea)" = 0 &&
	test "$(state "len($gt_comments)")" = 2 &&
	state "$gt_comments[1][\"body\"]" >body &&
	test_grep "^<!-- rendergate:merged -->" body &&
	test_grep "^\*\*Merged\*\*" body &&
	test_grep "^\| a \| 1 \| 0 \| 1 \| 1 \| 0 \|" body &&
	state "$gt_comments[0][\"body\"]" >report &&
	test_grep "^<!-- rendergate:report -->" report
'

test_expect_success 'Gitea: a report over 64 KiB is cut at object boundaries' '
	ctl POST /_ctl/seed "{\"gitea\": {\"org/repo\": {\"id\": 3, \"pulls\": [{\"number\": 10, \"head\": \"big\", \"base\": \"main\"}]}}}" &&
	git -C work checkout -q -b big gtmain &&
	long=$(printf "%0400d" 7) &&
	for i in $(seq 1 300); do
		configmap work/envs/a/big-$i.yaml big-$i k "$long" || return 1
	done &&
	commit_all work "a: 300 configmaps" &&
	GITEA_REPO_USER_NAME=org GITEA_REPO_NAME=repo \
		git -C work push "$TRASH/gtserver.git" big 2>err &&
	drain gitea >out 2>&1 &&
	test "$(jobs_in gitea)" = 0 &&
	test "$(state "len(s[\"gitea\"][\"org/repo\"][\"comments\"][\"10\"])")" = 1 &&
	state "s[\"gitea\"][\"org/repo\"][\"comments\"][\"10\"][0][\"body\"]" >body &&
	test "$(wc -c <body)" -le 65001 &&
	test_grep "^\| a \| 300 \| 0 \| 0 \| 0 \| 0 \|" body &&
	test_grep "of 300 changed objects are not shown \(a\)" body &&
	test_grep "rendergate diff" body &&
	test "$(grep -c "<details>" body)" = "$(grep -c "</details>" body)" &&
	test $(($(grep -c "^\`\`\`" body) % 2)) = 0
'

test_done
