#!/bin/sh
test_description='admin policy files from the server config are applied to rendered objects'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a policy allowing only nginx from Docker Hub' '
	write_file policy.yaml <<-\EOT &&
	version: 1
	images:
	  allow:
	    - '"'"'^docker\.io/library/nginx:'"'"'
	  hint: use nginx from Docker Hub
	EOT
	printf "mode: enforce\npolicy_files: [%s]\n" "$TRASH/policy.yaml" >server.yaml &&
	setup_server &&
	setup_work &&
	plain_config work prod:envs/prod &&
	deployment work/envs/prod/web.yaml web nginx:1.25 &&
	commit_all work initial &&
	git -C work push -q origin main 2>/dev/null
'

test_expect_success 'an allowed image passes' '
	deployment work/envs/prod/web.yaml web nginx:1.26 &&
	commit_all work "prod: 1.26" &&
	git -C work push origin main 2>err &&
	test_grep "prod: 0 added, 1 changed, 0 removed" err &&
	test_grep "push accepted" err
'

test_expect_success 'an image outside the allow list is rejected with its position' '
	deployment work/envs/prod/web.yaml web quay.io/evil/miner:1 &&
	commit_all work "prod: miner" &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "envs/prod/web\.yaml:[0-9]+:[0-9]+: .*policy\.image-allow" err &&
	test_grep "hint: use nginx from Docker Hub" err &&
	(cd work && test_expect_code 1 "$RENDERGATE" check --config "$TRASH/server.yaml") >out &&
	test_grep "policy\.image-allow" out &&
	git -C work reset -q --hard HEAD~1
'

test_expect_success 'a broken policy file rejects every push' '
	printf "version: 1\nimages:\n  alow: []\n" >policy.yaml &&
	deployment work/envs/prod/web.yaml web nginx:1.27 &&
	commit_all work "prod: 1.27" &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "policy\.yaml:3:3: .*alow" err &&
	test_grep "the server config is broken" err
'

test_expect_success 'a policy file others can write is refused' '
	printf "version: 1\n" >policy.yaml &&
	chmod 666 policy.yaml &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "policy\.yaml: mode 0666 lets group or others change it" err &&
	chmod 644 policy.yaml &&
	git -C work push origin main 2>err &&
	test_grep "push accepted" err
'

test_done
