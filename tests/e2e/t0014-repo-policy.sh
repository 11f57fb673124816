#!/bin/sh
test_description='the repository policy (.rendergate/policy.yaml) from the pre-push state, and the direct-push rule with a forge'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a repository policy denying one registry' '
	setup_server &&
	setup_work &&
	plain_config work prod:envs/prod &&
	mkdir -p work/.rendergate &&
	write_file work/.rendergate/policy.yaml <<-\EOT &&
	version: 1
	images:
	  deny:
	    - '"'"'^quay\.io/evil/'"'"'
	  hint: images from quay.io/evil are not allowed
	EOT
	deployment work/envs/prod/web.yaml web nginx:1.25 &&
	commit_all work initial &&
	git -C work push -q origin main 2>/dev/null
'

test_expect_success 'the repository policy rejects a denied image with its position' '
	deployment work/envs/prod/web.yaml web quay.io/evil/miner:1 &&
	commit_all work "prod: miner" &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "envs/prod/web\.yaml:[0-9]+:[0-9]+: .*policy\.image-deny" err &&
	test_grep "images from quay.io/evil are not allowed" err
'

test_expect_success 'a push cannot loosen the policy it is judged by' '
	write_file work/.rendergate/policy.yaml <<-\EOT &&
	version: 1
	EOT
	commit_all work "policy: allow everything" &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "policy\.image-deny" err &&
	git -C work reset -q --hard HEAD~2
'

test_expect_success 'a broken repository policy rejects with file:line:col' '
	write_file work/.rendergate/policy.yaml <<-\EOT &&
	version: 1
	images:
	  dney: []
	EOT
	commit_all work "policy: typo" &&
	git -C work push -q origin main 2>/dev/null &&
	deployment work/envs/prod/web.yaml web nginx:1.26 &&
	commit_all work "prod: 1.26" &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "\.rendergate/policy\.yaml:3:3: .*dney" err
'

test_expect_success 'setup: a GitLab forge and a fresh repository' '
	printf "mode: enforce\nforge:\n  kind: gitlab\n  url: http://127.0.0.1:9\n  token_file: %s\n" \
		"$TRASH/token" >server.yaml &&
	printf "secret-token\n" >token && chmod 600 token &&
	setup_server forge &&
	setup_work fwork forge &&
	plain_config fwork prod:envs/prod &&
	mkdir -p fwork/.rendergate &&
	printf "version: 1\n" >fwork/.rendergate/policy.yaml &&
	deployment fwork/envs/prod/web.yaml web nginx:1.25 &&
	commit_all fwork initial &&
	GL_PROTOCOL=web GL_USERNAME=alice git -C fwork push -q origin main 2>/dev/null
'

test_expect_success 'a direct push to an environment branch is denied' '
	deployment fwork/envs/prod/web.yaml web nginx:1.26 &&
	commit_all fwork "prod: 1.26" &&
	test_must_fail env GL_PROTOCOL=ssh GL_USERNAME=alice git -C fwork push origin main 2>err &&
	test_grep "policy\.direct-push" err
'

test_expect_success 'the same update made by a forge merge is accepted' '
	GL_PROTOCOL=web GL_USERNAME=alice git -C fwork push origin main 2>err &&
	test_grep "push accepted" err
'

test_done
