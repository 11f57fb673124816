#!/bin/sh
test_description='branch creation and deletion, several refs, force pushes, tags'
. "$(dirname "$0")/lib.sh"

# main holds the config (and the prod folder); staging is a
# branch-per-environment branch with its manifests in deploy/.
test_expect_success 'setup' '
	setup_server &&
	setup_work &&
	plain_config work prod:envs/prod staging:deploy:staging &&
	deployment work/envs/prod/web.yaml web nginx:1.25 &&
	commit_all work initial &&
	git -C work push -q origin main 2>/dev/null
'

test_expect_success 'creating a broken environment branch is rejected' '
	git -C work checkout -q -b staging &&
	write_file work/deploy/bad.yaml <<-\EOT &&
	kind: ConfigMap
	metadata:
	  name: x
	EOT
	commit_all work "staging: bad" &&
	test_must_fail git -C work push origin staging 2>err &&
	test_grep "deploy/bad\.yaml:1:1: .*apiVersion" err &&
	test_must_fail git -C server.git rev-parse -q --verify refs/heads/staging
'

test_expect_success 'creating an environment branch renders everything as added' '
	git -C work rm -q deploy/bad.yaml &&
	deployment work/deploy/web.yaml web nginx:1.26 &&
	configmap work/deploy/cm.yaml cm a b &&
	commit_all work "staging env" &&
	git -C work push origin staging 2>err &&
	test_grep "using \.rendergate\.yaml from refs/heads/main@" err &&
	test_grep "staging: 2 added, 0 changed, 0 removed" err &&
	test "$(git -C server.git rev-parse staging)" = "$(git -C work rev-parse staging)"
'

test_expect_success 'several refs in one push: both judged, one bad rejects all' '
	git -C work checkout -q main &&
	deployment work/envs/prod/web.yaml web nginx:1.26 &&
	commit_all work "prod: 1.26" &&
	git -C work checkout -q staging &&
	write_file work/deploy/noname.yaml <<-\EOT &&
	apiVersion: v1
	kind: Secret
	metadata: {}
	EOT
	commit_all work "staging: noname" &&
	main_before=$(git -C server.git rev-parse main) &&
	test_must_fail git -C work push origin main staging 2>err &&
	test_grep "remote: rendergate: refs/heads/main" err &&
	test_grep "prod: 0 added, 1 changed, 0 removed" err &&
	test_grep "deploy/noname\.yaml:1:1: " err &&
	test "$(git -C server.git rev-parse main)" = "$main_before" &&
	git -C work reset -q --hard HEAD~1 &&
	git -C work push origin main staging 2>err &&
	test_grep "prod: 0 added, 1 changed, 0 removed" err
'

test_expect_success 'force push: old tip and new tip are diffed' '
	git -C work checkout -q main &&
	git -C work reset -q --hard HEAD~1 &&
	deployment work/envs/prod/web.yaml web nginx:1.27 &&
	commit_all work "prod: 1.27 instead" &&
	test_must_fail git -C work push origin main 2>/dev/null &&
	git -C work push -f origin main 2>err &&
	test_grep "forced update" err &&
	test_grep "remote: -.*image: nginx:1.26" err &&
	test_grep "remote: \+.*image: nginx:1.27" err
'

test_expect_success 'deleting an environment branch is denied' '
	test_must_fail git -C work push origin :staging 2>err &&
	test_grep "gate\.env-branch-deletion" err &&
	test_grep "would delete environment staging" err &&
	git -C server.git rev-parse -q --verify refs/heads/staging
'

test_expect_success 'deleting another branch is allowed' '
	git -C work push -q origin main:refs/heads/feature 2>/dev/null &&
	git -C work push origin :feature 2>err &&
	test_must_fail git -C server.git rev-parse -q --verify refs/heads/feature
'

test_expect_success 'a branch without environments is accepted unrendered' '
	git -C work checkout -q -b feature2 main &&
	write_file work/envs/prod/bad.yaml <<-\EOT &&
	kind: Nothing
	EOT
	commit_all work "bad, but on a feature branch" &&
	RENDERGATE_TRACE=1 git -C work push origin feature2 2>err &&
	test_grep "trace: refs/heads/feature2: prod: skipped" err
'

test_expect_success 'tags are not gated by default' '
	git -C work tag -a -m v1 v1 feature2 &&
	RENDERGATE_TRACE=1 git -C work push origin v1 2>err &&
	test_grep "refs/tags/v1: -: skipped: ref not gated" err
'

test_expect_success 'HEAD names a branch that was never pushed: main'"'"'s config judges new branches' '
	git init -q --bare --initial-branch=master srv2.git &&
	"$RENDERGATE" install --config "$TRASH/server.yaml" srv2.git >/dev/null &&
	git -C srv2.git symbolic-ref HEAD >head &&
	test_grep "refs/heads/master" head &&
	git -C work push -q "$TRASH/srv2.git" main 2>/dev/null &&
	git -C work checkout -q -b staging-new main &&
	write_file work/deploy/bad.yaml <<-\EOT &&
	kind: NoApiVersion
	metadata:
	  name: x
	EOT
	commit_all work "staging: bad" &&
	test_must_fail git -C work push "$TRASH/srv2.git" staging-new:staging 2>err &&
	test_grep "using \.rendergate\.yaml from refs/heads/main@" err &&
	test_grep "deploy/bad\.yaml:1:1: " err
'

test_expect_success 'deleting an environment branch is allowed when configured' '
	printf "protect_env_branch_deletion: false\n" >server.yaml &&
	git -C work push origin :staging 2>err &&
	test_must_fail git -C server.git rev-parse -q --verify refs/heads/staging
'

test_done
