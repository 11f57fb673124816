#!/bin/sh
test_description='scoping follows what a kustomize environment reads, even outside its folder'
. "$(dirname "$0")/lib.sh"

overlay() { # DIR PREFIX
	write_file "$1/kustomization.yaml" <<-EOT
	resources:
	- ../../base
	namePrefix: $2-
	EOT
}

test_expect_success 'setup: two overlays over one base, plus a plain environment' '
	setup_server &&
	setup_work &&
	write_file work/.rendergate.yaml <<-\EOT &&
	environments:
	  - name: prod
	    path: overlays/prod
	  - name: staging
	    path: overlays/staging
	  - name: tools
	    path: tools
	EOT
	write_file work/base/kustomization.yaml <<-\EOT &&
	resources:
	- web.yaml
	EOT
	deployment work/base/web.yaml web nginx:1.25 &&
	overlay work/overlays/prod prod &&
	overlay work/overlays/staging staging &&
	configmap work/tools/cm.yaml tools k v &&
	commit_all work initial &&
	git -C work push -q origin main 2>/dev/null
'

# A change outside every environment folder may be read by any of them
# (render/env.c renders them all, to be safe).
test_expect_success 'a change in the shared base renders both overlays' '
	deployment work/base/web.yaml web nginx:1.26 &&
	commit_all work "base: 1.26" &&
	git -C work push -o rendergate.trace origin main 2>err &&
	test_grep "trace: refs/heads/main: prod: rendered: .*base/web\.yaml" err &&
	test_grep "trace: refs/heads/main: staging: rendered: " err &&
	test_grep "trace: refs/heads/main: tools: " err &&
	test_grep "prod: 0 added, 1 changed, 0 removed" err &&
	test_grep "staging: 0 added, 1 changed, 0 removed" err
'

test_expect_success 'a change in one overlay renders only that overlay' '
	write_file work/overlays/prod/kustomization.yaml <<-\EOT &&
	resources:
	- ../../base
	namePrefix: prod-
	commonLabels:
	  tier: prod
	EOT
	commit_all work "prod: label" &&
	git -C work push -o rendergate.trace origin main 2>err &&
	test_grep "trace: refs/heads/main: prod: rendered: " err &&
	test_grep "trace: refs/heads/main: staging: skipped: not affected: no file staging read changed" err
'

test_expect_success 'a broken shared base is rejected through the overlays' '
	before=$(git -C server.git rev-parse main) &&
	printf "apiVersion: v1\nkind: ConfigMap\n" >work/base/bad.yaml &&
	write_file work/base/kustomization.yaml <<-\EOT &&
	resources:
	- web.yaml
	- bad.yaml
	EOT
	commit_all work "base: bad" &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "push rejected" err &&
	test "$(git -C server.git rev-parse main)" = "$before"
'

test_done
