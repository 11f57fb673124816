#!/bin/sh
# t0601-approvals: merges the forge performs into an environment branch
# need approvals from the merge request behind them, asked of the loopback
# fake forge (tests/forge/server.py) at pre-receive time: enough approvals
# pass; too few, the author's own, no merge request, and a forge that does
# not answer within the policy's timeout reject, saying which. Changes to
# .rendergate.yaml need the owners' approval (self-protection).
test_description='approvals at merge and owners, against a fake forge'
. "$(dirname "$0")/lib.sh"

start_forge

# server_config KIND PROJECT-LINE: forge config plus the admin policy
server_config() {
	{
		echo "mode: enforce"
		echo "forge:"
		echo "  kind: $1"
		echo "  url: $FORGE_URL"
		echo "  token_file: $TRASH/forge.token"
		[ -n "$2" ] && echo "  project: $2"
		echo "spool_dir: $TRASH/spool"
		echo "policy_files: [$TRASH/policy.yaml]"
	} >"$TRASH/server.yaml"
}

# merge_feature IMAGE: a feature branch from main bumping the image, merged
# into main locally (not pushed yet); HEAD is the merge, feature's tip in
# $TRASH/head.
merge_feature() {
	git -C work checkout -q -B feature main &&
	deployment work/envs/prod/web.yaml web "$1" &&
	commit_all work "prod: $1" &&
	git -C work rev-parse HEAD >"$TRASH/head" &&
	git -C work push -q origin feature 2>/dev/null &&
	git -C work checkout -q main &&
	git -C work merge -q --no-ff -m "Merge branch feature" feature
}

# seed_mr IID AUTHOR APPROVERS-JSON: one open merge request from feature
# into main whose head is $TRASH/head, with these approvals
seed_mr() {
	forge_ctl POST /_ctl/reset >/dev/null &&
	forge_ctl POST /_ctl/seed "{\"gitlab\": {\"group/app\": {\"mrs\": [{\"iid\": $1, \"source_branch\": \"feature\", \"target_branch\": \"main\", \"sha\": \"$(cat "$TRASH/head")\", \"author\": \"$2\"}], \"approvals\": {\"$1\": $3}}}}" >/dev/null
}

web_push() {
	GL_PROTOCOL=web GL_USERNAME=maria git -C work push origin main
}

test_expect_success 'setup: GitLab, a policy of two approvals from the SRE users for main' '
	write_file policy.yaml <<-\EOT &&
	version: 1
	approvals:
	  - branches: [main]
	    min: 2
	    users: [carol, dave, erin]
	    timeout: 2s
	owners:
	  paths: [.rendergate.yaml, .rendergate/*]
	  users: [olga]
	EOT
	server_config gitlab group/app &&
	setup_server &&
	setup_work &&
	plain_config work prod:envs/prod &&
	deployment work/envs/prod/web.yaml web nginx:1.25 &&
	commit_all work initial &&
	GL_PROTOCOL=web git -C work push -q origin main 2>/dev/null &&
	test -n "$FORGE_URL"
'

test_expect_success 'a merge with two approvals from the named users is accepted' '
	merge_feature nginx:1.26 &&
	seed_mr 7 alice "[\"carol\", \"dave\"]" &&
	web_push 2>err &&
	test_grep "push accepted" err &&
	test "$(git -C server.git rev-parse main)" = "$(git -C work rev-parse main)" &&
	forge_ctl GET /_ctl/requests >req &&
	test_grep "merge_requests/7/approvals" req
'

test_expect_success 'one approval is not enough: rejected, naming who approved' '
	merge_feature nginx:1.27 &&
	seed_mr 8 alice "[\"carol\", \"mallory\"]" &&
	test_must_fail web_push 2>err &&
	test_grep "policy\.yaml:3:5: merge request !8: a merge into main needs 2 approvals from users carol, dave, erin and has 1 \(carol\) \(policy\.approvals\)" err &&
	test_grep "GL-HOOK-ERR: .*needs 2 approvals" err &&
	test "$(git -C server.git rev-parse main)" != "$(git -C work rev-parse main)" &&
	cp err "$TRASH/msg-approvals"
'

test_expect_success "the author's own approval does not count" '
	seed_mr 8 carol "[\"carol\", \"dave\"]" &&
	test_must_fail web_push 2>err &&
	test_grep "merge request !8: a merge into main needs 2 approvals .* and has 1 \(dave\)" err &&
	test_grep "the author carol does not count" err
'

test_expect_success 'no merge request behind the merge: rejected' '
	forge_ctl POST /_ctl/seed "{\"gitlab\": {\"group/app\": {\"mrs\": [{\"iid\": 3, \"source_branch\": \"other\", \"target_branch\": \"main\", \"sha\": \"$(git -C work rev-parse main~1)\"}]}}}" >/dev/null &&
	test_must_fail web_push 2>err &&
	test_grep "no merge request was found behind this update" err
'

test_expect_success 'a forge that does not answer within the timeout rejects, saying so' '
	seed_mr 8 alice "[\"carol\", \"dave\"]" &&
	forge_ctl POST /_ctl/faults "[{\"path\": \"merge_requests\", \"kind\": \"slow\", \"delay\": 5, \"times\": 5}]" >/dev/null &&
	start=$(date +%s) &&
	test_must_fail web_push 2>err &&
	end=$(date +%s) &&
	test_grep "the forge did not answer within 2s while looking for the merge request; the merge is rejected \(policy\.approvals\)" err &&
	test $((end - start)) -lt 5 &&
	cp err "$TRASH/msg-timeout" &&
	forge_ctl POST /_ctl/reset >/dev/null
'

test_expect_success 'a forge that is down rejects the merge too' '
	sed "s|url: .*|url: http://127.0.0.1:1|" server.yaml >s.yaml && mv s.yaml server.yaml &&
	test_must_fail web_push 2>err &&
	test_grep "the forge (failed|did not answer within 2s) while looking for the merge request" err &&
	server_config gitlab group/app
'

test_expect_success 'the same merge, approved, is accepted' '
	seed_mr 8 alice "[\"erin\", \"dave\"]" &&
	web_push 2>err &&
	test_grep "push accepted" err
'

test_expect_success 'self-protection: a merge changing .rendergate.yaml needs the owners' '
	git -C work checkout -q -B feature main &&
	plain_config work prod:envs/prod staging:envs/staging &&
	commit_all work "config: staging" &&
	git -C work rev-parse HEAD >head &&
	git -C work push -q origin feature 2>/dev/null &&
	git -C work checkout -q main &&
	git -C work merge -q --no-ff -m "Merge branch feature" feature &&
	seed_mr 9 alice "[\"carol\", \"dave\"]" &&
	test_must_fail web_push 2>err &&
	test_grep "merge request !9: a change to \.rendergate\.yaml needs 1 approval from users olga and has 0 \(policy\.owners\)" err &&
	cp err "$TRASH/msg-owners" &&
	seed_mr 9 alice "[\"carol\", \"dave\", \"olga\"]" &&
	web_push 2>err &&
	test_grep "push accepted" err
'

test_expect_success 'self-protection: a direct push changing .rendergate.yaml is refused' '
	plain_config work prod:envs/prod &&
	commit_all work "config: drop staging" &&
	test_must_fail env GL_PROTOCOL=ssh GL_USERNAME=maria git -C work push origin main 2>err &&
	test_grep "policy\.owners" err &&
	test_grep "policy\.direct-push" err &&
	cp err "$TRASH/msg-direct-push" &&
	git -C work reset -q --hard HEAD~1
'

test_expect_success 'Gitea: a pull request merge (GITEA_PR_INDEX) with approving reviews' '
	server_config gitea "" &&
	merge_feature nginx:1.28 &&
	forge_ctl POST /_ctl/reset >/dev/null &&
	forge_ctl POST /_ctl/seed "{\"gitea\": {\"org/repo\": {\"id\": 3, \"pulls\": [{\"number\": 12, \"head\": \"feature\", \"base\": \"main\", \"head_sha\": \"$(cat head)\", \"user\": \"alice\"}], \"reviews\": {\"12\": [{\"user\": \"carol\", \"state\": \"APPROVED\"}, {\"user\": \"alice\", \"state\": \"APPROVED\"}]}}}}" >/dev/null &&
	test_must_fail env GITEA_REPO_USER_NAME=org GITEA_REPO_NAME=repo \
		GITEA_PR_ID=4712 GITEA_PR_INDEX=12 GITEA_PUSHER_NAME=maria \
		git -C work push origin main 2>err &&
	test_grep "merge request #12: a merge into main needs 2 approvals .* and has 1 \(carol\)" err &&
	forge_ctl POST /_ctl/seed "{\"gitea\": {\"org/repo\": {\"id\": 3, \"pulls\": [{\"number\": 12, \"head\": \"feature\", \"base\": \"main\", \"head_sha\": \"$(cat head)\", \"user\": \"alice\"}], \"reviews\": {\"12\": [{\"user\": \"carol\", \"state\": \"APPROVED\"}, {\"user\": \"dave\", \"state\": \"APPROVED\"}]}}}}" >/dev/null &&
	GITEA_REPO_USER_NAME=org GITEA_REPO_NAME=repo \
		GITEA_PR_ID=4712 GITEA_PR_INDEX=12 GITEA_PUSHER_NAME=maria \
		git -C work push origin main 2>err &&
	test_grep "push accepted" err
'

test_expect_success 'groups: an approval counts from a member of the named group' '
	write_file policy.yaml <<-\EOT &&
	version: 1
	approvals:
	  - environments: [prod]
	    groups: [platform/sre]
	    timeout: 2s
	EOT
	server_config gitlab group/app &&
	merge_feature nginx:1.29 &&
	seed_mr 14 alice "[\"harry\"]" &&
	forge_ctl POST /_ctl/seed "{\"groups\": {\"platform/sre\": [\"gina\"]}}" >/dev/null &&
	test_must_fail web_push 2>err &&
	test_grep "merge request !14: a merge into main needs 1 approval from groups platform/sre and has 0 \(policy\.approvals\)" err &&
	seed_mr 14 alice "[\"harry\", \"gina\"]" &&
	forge_ctl POST /_ctl/seed "{\"groups\": {\"platform/sre\": [\"gina\"]}}" >/dev/null &&
	web_push 2>err &&
	test_grep "push accepted" err
'

test_done
