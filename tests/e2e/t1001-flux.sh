#!/bin/sh
test_description='a Flux repository: one environment per cluster folder, rendered as Flux would apply it'
. "$(dirname "$0")/lib.sh"

fleet="$RG_TOP/tests/cases/flux/fleet-production/in"

test_expect_success 'setup: a fleet with staging and production clusters' '
	setup_server &&
	setup_work &&
	cp -R "$fleet"/. work/ &&
	write_file work/.rendergate.yaml <<-\EOT &&
	environments:
	  - name: staging
	    path: clusters/staging
	    kind: flux
	  - name: production
	    path: clusters/production
	    kind: flux
	EOT
	commit_all work initial &&
	git -C work push origin main 2>err &&
	test "$(git -C server.git rev-parse main)" = "$(git -C work rev-parse main)"
'

test_expect_success 'rendergate render draws a cluster the way Flux applies it' '
	(cd work && "$RENDERGATE" render --env production) >out 2>err &&
	test_grep "priorityClassName: production-high" out &&
	test_grep "host: podinfo.example.com" out &&
	test_grep "value: Hello from production" out &&
	test_grep "kustomize.toolkit.fluxcd.io/name: apps" out &&
	(cd work && "$RENDERGATE" render --env staging) >out 2>err &&
	test_grep "host: podinfo.staging.example.com" out &&
	! grep -q priorityClassName out
'

test_expect_success 'a values change in the shared base reaches both clusters' '
	sed -i "s/color: \"#34577c\"/color: \"#ff0000\"/" work/apps/base/podinfo/release.yaml &&
	commit_all work "podinfo: red" &&
	git -C work push origin main 2>err &&
	if [ -n "$RG_E2E_SHOW" ]; then cat err >&2; fi &&
	test_grep "staging: 0 added, 2 changed, 0 removed" err &&
	test_grep "production: 0 added, 2 changed, 0 removed" err &&
	test_grep "#ff0000" err &&
	test_grep "not in the chart cache" err &&
	test_grep "push accepted" err
'

test_expect_success 'a cluster variable change reaches only its cluster' '
	sed -i "s/cluster_domain: example.com/cluster_domain: example.org/" work/clusters/production/cluster-vars.yaml &&
	commit_all work "production: example.org" &&
	git -C work push origin main 2>err &&
	test_grep "production: 0 added, [0-9]* changed, 0 removed" err &&
	test_grep "podinfo.example.org" err &&
	! grep -q "staging: 0 added, [1-9]" err
'

test_expect_success 'a broken substitution rejects the push, naming the Kustomization' '
	before=$(git -C server.git rev-parse main) &&
	printf "  broken: \${cluster_name\n" >>work/infrastructure/configs/base/ingress-defaults.yaml &&
	commit_all work broken &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "Kustomization flux-system/infra-configs" err &&
	test_grep "missing closing brace" err &&
	test "$(git -C server.git rev-parse main)" = "$before"
'

test_done
