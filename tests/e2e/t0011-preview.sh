#!/bin/sh
test_description='feature branches: a preview of merging into the target branch'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: main holds two environments' '
	setup_server &&
	setup_work &&
	plain_config work a:envs/a b:envs/b &&
	deployment work/envs/a/web.yaml web nginx:1.25 &&
	deployment work/envs/b/web.yaml web nginx:1.25 &&
	commit_all work initial &&
	git -C work push -q origin main 2>/dev/null
'

test_expect_success 'a feature branch shows what merging it would change' '
	git -C work checkout -q -b feature main &&
	deployment work/envs/a/web.yaml web nginx:1.26 &&
	commit_all work "a: 1.26" &&
	git -C work push -o rendergate.trace origin feature 2>err &&
	test_grep "remote: rendergate: refs/heads/feature \(preview: merged into main\)" err &&
	test_grep "remote: a: 0 added, 1 changed, 0 removed" err &&
	test_grep "remote: \+.*image: nginx:1\.26" err &&
	test_grep "trace: refs/heads/feature \(preview: merged into main\): b: skipped" err &&
	test_grep "push accepted" err
'

test_expect_success 'the preview merges: changes made on main meanwhile are not shown as reverted' '
	git -C work checkout -q main &&
	deployment work/envs/b/web.yaml web nginx:1.30 &&
	commit_all work "b: 1.30" &&
	git -C work push -q origin main 2>/dev/null &&
	git -C work checkout -q feature &&
	configmap work/envs/a/cm.yaml cm k v &&
	commit_all work "a: cm" &&
	git -C work push -o rendergate.trace origin feature 2>err &&
	test_grep "a: 1 added, 1 changed, 0 removed" err &&
	test_grep ! "nginx:1\.30" err &&
	test_grep "preview: merged into main\): b: skipped" err
'

test_expect_success 'findings in a preview are warnings, not rejections' '
	write_file work/envs/a/bad.yaml <<-\EOT &&
	apiVersion: v1
	kind: ConfigMap
	EOT
	commit_all work "a: nameless" &&
	git -C work push origin feature 2>err &&
	test_grep "envs/a/bad\.yaml:1:1: warn: .*plain\.missing-name" err &&
	test_grep "accepted" err
'

test_expect_success 'feature_branches.fail_early rejects them' '
	printf "feature_branches:\n  fail_early: true\n" >server.yaml &&
	echo x >work/note.txt &&
	commit_all work "touch" &&
	test_must_fail git -C work push origin feature 2>err &&
	test_grep "envs/a/bad\.yaml:1:1: .*plain\.missing-name" err &&
	test_grep "push rejected: 1 problem\(s\)" err &&
	printf "mode: enforce\n" >server.yaml
'

test_expect_success 'a conflicting branch gets a note instead of a preview' '
	git -C work checkout -q -b conflicting main~1 &&
	deployment work/envs/b/web.yaml web nginx:1.99 &&
	commit_all work "b: 1.99" &&
	git -C work push origin conflicting 2>err &&
	test_grep "refs/heads/conflicting: no preview: merging it into main conflicts" err
'

test_done
