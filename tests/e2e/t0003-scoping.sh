#!/bin/sh
test_description='change scoping: only the environments a push touches are rendered'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: three environments as folders of main' '
	setup_server &&
	setup_work &&
	plain_config work a:envs/a b:envs/b c:envs/c &&
	for e in a b c; do
		deployment work/envs/$e/web.yaml web nginx:1.25 || return 1
	done &&
	write_file work/README.md <<-\EOT &&
	shop environments
	EOT
	commit_all work initial &&
	git -C work push -q origin main 2>/dev/null
'

test_expect_success 'a change in env a renders a, not b or c (push option trace)' '
	deployment work/envs/a/web.yaml web nginx:1.26 &&
	commit_all work "a: 1.26" &&
	git -C work push -o rendergate.trace origin main 2>err &&
	test_grep "trace: refs/heads/main: a: rendered: " err &&
	test_grep "trace: refs/heads/main: b: skipped: " err &&
	test_grep "trace: refs/heads/main: c: skipped: " err &&
	test_grep "a: 0 added, 1 changed, 0 removed" err &&
	test_grep ! "^remote: b: " err
'

test_expect_success 'RENDERGATE_TRACE=1 in the environment works too' '
	configmap work/envs/b/cm.yaml cm k v &&
	commit_all work "b: cm" &&
	RENDERGATE_TRACE=1 git -C work push origin main 2>err &&
	test_grep "trace: refs/heads/main: b: rendered: " err &&
	test_grep "trace: refs/heads/main: a: skipped: " err &&
	test_grep "b: 1 added, 0 changed, 0 removed" err
'

test_expect_success 'a change outside every environment renders nothing' '
	echo more >>work/README.md &&
	commit_all work "readme" &&
	git -C work push -o rendergate.trace origin main 2>err &&
	test_grep "a: skipped" err &&
	test_grep "b: skipped" err &&
	test_grep "c: skipped" err &&
	test_grep ! "rendered:" err
'

test_expect_success 'a broken env b does not block a push that touches only a' '
	write_file work/envs/b/bad.yaml <<-\EOT &&
	kind: X
	EOT
	git -C work add envs/b/bad.yaml &&
	git -C work commit -q -m "b: bad" &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "envs/b/bad\.yaml" err &&
	git -C work reset -q --hard HEAD~1 &&
	deployment work/envs/a/web.yaml web nginx:1.27 &&
	commit_all work "a: 1.27" &&
	git -C work push origin main 2>err &&
	test_grep "a: 0 added, 1 changed, 0 removed" err
'

test_expect_success 'a push that changes .rendergate.yaml is judged by the old config' '
	plain_config work a:envs/a b:envs/b c:envs/c d:envs/d &&
	write_file work/envs/d/bad.yaml <<-\EOT &&
	kind: NotRenderedYet
	EOT
	commit_all work "add env d" &&
	git -C work push -o rendergate.trace origin main 2>err &&
	test_grep ! "trace: refs/heads/main: d:" err &&
	test_grep "trace: refs/heads/main: a: rendered: " err &&
	touch work/envs/d/x.txt &&
	commit_all work "touch d" &&
	test_must_fail git -C work push -o rendergate.trace origin main 2>err &&
	test_grep "trace: refs/heads/main: d: rendered: " err &&
	test_grep "envs/d/bad\.yaml" err
'

test_done
