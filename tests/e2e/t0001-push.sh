#!/bin/sh
test_description='accepted and rejected pushes to a plain-manifest repository'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: server with hooks, first push without a config' '
	setup_server &&
	setup_work &&
	plain_config work staging:envs/staging prod:envs/prod &&
	deployment work/envs/staging/web.yaml web nginx:1.25 &&
	deployment work/envs/prod/web.yaml web nginx:1.25 &&
	configmap work/envs/prod/settings.yaml settings LOG_LEVEL info &&
	commit_all work initial &&
	git -C work push origin main 2>err &&
	test_grep "no \.rendergate\.yaml before this push" err &&
	test "$(git -C server.git rev-parse main)" = "$(git -C work rev-parse main)"
'

test_expect_success 'accepted push prints the summary and the diff' '
	deployment work/envs/prod/web.yaml web nginx:1.26 &&
	commit_all work "prod: nginx 1.26" &&
	git -C work push origin main 2>err &&
	test_grep "remote: prod: 0 added, 1 changed, 0 removed" err &&
	test_grep "remote: -.*image: nginx:1.25" err &&
	test_grep "remote: \+.*image: nginx:1.26" err &&
	test_grep "remote: rendergate: push accepted" err &&
	test_grep ! "staging:" err &&
	test "$(git -C server.git rev-parse main)" = "$(git -C work rev-parse main)"
'

test_expect_success 'added and removed objects are counted' '
	configmap work/envs/prod/extra.yaml extra A b &&
	git -C work rm -q envs/prod/settings.yaml &&
	commit_all work "prod: extra, no settings" &&
	git -C work push origin main 2>err &&
	test_grep "prod: 1 added, 0 changed, 1 removed" err
'

test_expect_success 'noise (a chart label) is hidden from the diff and disclosed' '
	write_file work/envs/prod/labelled.yaml <<-\EOT &&
	apiVersion: v1
	kind: ConfigMap
	metadata:
	  name: labelled
	  namespace: apps
	  labels:
	    helm.sh/chart: shop-1.0.0
	data:
	  a: b
	EOT
	commit_all work "prod: labelled" &&
	git -C work push -q origin main 2>/dev/null &&
	sed "s/shop-1.0.0/shop-1.0.1/" work/envs/prod/labelled.yaml >x &&
	mv x work/envs/prod/labelled.yaml &&
	commit_all work "prod: chart bump" &&
	git -C work push origin main 2>err &&
	test_grep "prod: 0 added, 1 changed, 0 removed" err &&
	test_grep "prod: [0-9]+ changed line\(s\) hidden by rule helm-chart-label" err &&
	test_grep ! "shop-1\.0\.1" err
'

test_expect_success 'object without metadata.name is rejected with file:line:col' '
	before=$(git -C server.git rev-parse main) &&
	write_file work/envs/prod/bad.yaml <<-\EOT &&
	apiVersion: v1
	kind: ConfigMap
	metadata:
	  namespace: apps
	data:
	  a: b
	EOT
	commit_all work "prod: nameless" &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "remote: envs/prod/bad\.yaml:1:1: .*name" err &&
	test_grep "plain\.missing-name" err &&
	test_grep "remote: rendergate: push rejected: 1 problem\(s\)" err &&
	test_grep "pre-receive hook declined" err &&
	test "$(git -C server.git rev-parse main)" = "$before"
'

test_expect_success 'duplicate identity is rejected naming both places' '
	git -C work reset -q --hard HEAD~1 &&
	deployment work/envs/prod/web-copy.yaml web nginx:1.26 &&
	commit_all work "prod: web twice" &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "duplicate-identity" err &&
	test_grep "envs/prod/web" err &&
	git -C work reset -q --hard HEAD~1
'

test_expect_success 'the hook exits 1 for findings, 0 for a clean update' '
	old=$(git -C server.git rev-parse main) &&
	deployment work/envs/prod/web.yaml web nginx:1.26 3 &&
	commit_all work "prod: 3 replicas" &&
	good=$(git -C work rev-parse HEAD) &&
	write_file work/envs/prod/bad.yaml <<-\EOT &&
	apiVersion: v1
	kind: ConfigMap
	EOT
	commit_all work "prod: bad" &&
	new=$(git -C work rev-parse HEAD) &&
	git -C server.git fetch -q ../work main:refs/rg-test/tmp &&
	echo "$old $new refs/heads/main" >in &&
	test_expect_code 1 env GIT_DIR=server.git "$RENDERGATE" pre-receive \
		--config server.yaml <in 2>out &&
	test_grep "push rejected" out &&
	echo "$old $good refs/heads/main" >in &&
	test_expect_code 0 env GIT_DIR=server.git "$RENDERGATE" pre-receive \
		--config server.yaml <in 2>out &&
	test_grep "prod: 0 added, 1 changed, 0 removed" out
'

test_expect_success 'GL_PROTOCOL=web adds GL-HOOK-ERR lines' '
	old=$(git -C server.git rev-parse main) &&
	new=$(git -C work rev-parse HEAD) &&
	echo "$old $new refs/heads/main" >in &&
	test_expect_code 1 env GIT_DIR=server.git GL_PROTOCOL=web \
		"$RENDERGATE" pre-receive --config server.yaml <in 2>out &&
	test_grep "^GL-HOOK-ERR: envs/prod/bad\.yaml:1:1: " out &&
	test_grep "^GL-HOOK-ERR: rendergate rejected the change" out &&
	env GIT_DIR=server.git "$RENDERGATE" pre-receive --config server.yaml \
		<in 2>out2 || true &&
	test_grep ! "GL-HOOK-ERR" out2
'

test_expect_success 'the update hook judges one ref' '
	old=$(git -C server.git rev-parse main) &&
	new=$(git -C work rev-parse HEAD) &&
	test_expect_code 1 env GIT_DIR=server.git "$RENDERGATE" update \
		--config server.yaml refs/heads/main "$old" "$new" 2>out &&
	test_grep "plain\.missing-" out &&
	test_expect_code 2 env GIT_DIR=server.git "$RENDERGATE" update \
		refs/heads/main "$old" 2>out
'

test_expect_success 'warn mode reports but accepts' '
	printf "mode: warn\n" >warn.yaml &&
	"$RENDERGATE" install --force --config "$TRASH/warn.yaml" server.git >/dev/null &&
	git -C work push origin main 2>err &&
	test_grep "plain\.missing-" err &&
	test_grep "accepted anyway because the server runs in warn mode" err &&
	"$RENDERGATE" install --force --config "$TRASH/server.yaml" server.git >/dev/null
'

test_expect_success 'post-receive succeeds quietly' '
	echo "0000000000000000000000000000000000000000 $(git -C server.git rev-parse main) refs/heads/x" |
		env GIT_DIR=server.git "$RENDERGATE" post-receive >out 2>&1 &&
	test ! -s out
'

test_expect_success 'post-receive starts the drainer when a forge is configured' '
	mkdir spool &&
	printf "forge:\n  kind: gitlab\n  url: http://127.0.0.1:9\nspool_dir: %s\n" \
		"$TRASH/spool" >forge.yaml &&
	echo "0000000000000000000000000000000000000000 $(git -C server.git rev-parse main) refs/heads/x" |
		env GIT_DIR=server.git "$RENDERGATE" post-receive \
		--config "$TRASH/forge.yaml" >out 2>&1 &&
	test ! -s out &&
	i=0 &&
	while [ ! -e spool/drain.log ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done &&
	test -e spool/drain.log
'

test_done
