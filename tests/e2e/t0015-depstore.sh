#!/bin/sh
test_description='stored dependency logs: scoping without rendering the state before the push'
. "$(dirname "$0")/lib.sh"

# Two Kustomize environments over one shared folder: a change inside
# prod's folder leaves staging to rg_gate_refine_choices, which needs
# staging's dependency log (hooks/depstore.c keeps it between pushes).
test_expect_success 'setup: prod and staging over one shared folder' '
	setup_server &&
	setup_work &&
	mkdir -p work/common work/envs/prod work/envs/staging &&
	printf "environments:\n  - {name: prod, path: envs/prod}\n  - {name: staging, path: envs/staging}\n" \
		>work/.rendergate.yaml &&
	printf "resources: [web.yaml]\n" >work/common/kustomization.yaml &&
	deployment work/common/web.yaml web nginx:1.25 &&
	printf "resources: [../../common, cm.yaml]\nnameSuffix: -p\n" \
		>work/envs/prod/kustomization.yaml &&
	configmap work/envs/prod/cm.yaml cm k v1 &&
	printf "resources: [../../common]\nnameSuffix: -s\n" \
		>work/envs/staging/kustomization.yaml &&
	commit_all work initial &&
	git -C work push -q origin main 2>/dev/null
'

test_expect_success 'the first scoping render stores the logs' '
	configmap work/envs/prod/cm.yaml cm k v2 &&
	commit_all work "prod: cm v2" &&
	git -C work push -o rendergate.trace origin main 2>err &&
	test_grep "trace: refs/heads/main: staging: skipped: not affected" err &&
	test -s server.git/rendergate-deps/staging.deps &&
	test -s server.git/rendergate-deps/prod.deps
'

test_expect_success 'a log that still holds is used, not rewritten' '
	touch -d "2000-01-01" server.git/rendergate-deps/staging.deps &&
	configmap work/envs/prod/cm.yaml cm k v3 &&
	commit_all work "prod: cm v3" &&
	git -C work push -o rendergate.trace origin main 2>err &&
	test_grep "trace: refs/heads/main: staging: skipped: not affected" err &&
	test "$(date -r server.git/rendergate-deps/staging.deps +%Y)" = 2000
'

test_expect_success 'a damaged log is not trusted: the gate renders and rewrites it' '
	printf "log: broken\n" >server.git/rendergate-deps/staging.deps &&
	configmap work/envs/prod/cm.yaml cm k v4 &&
	commit_all work "prod: cm v4" &&
	git -C work push -o rendergate.trace origin main 2>err &&
	test_grep "trace: refs/heads/main: staging: skipped: not affected" err &&
	test "$(head -n 1 server.git/rendergate-deps/staging.deps)" = "rendergate-deps 1"
'

test_done
