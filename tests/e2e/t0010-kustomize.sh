#!/bin/sh
test_description='kustomize overlays rendered in a push'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: base and overlay, config naming the overlay' '
	setup_server &&
	setup_work &&
	write_file work/.rendergate.yaml <<-\EOT &&
	environments:
	  - name: prod
	    path: overlays/prod
	EOT
	write_file work/base/kustomization.yaml <<-\EOT &&
	resources:
	- web.yaml
	configMapGenerator:
	- name: web-config
	  literals:
	  - LOG_LEVEL=info
	EOT
	deployment work/base/web.yaml web nginx:1.25 &&
	write_file work/overlays/prod/kustomization.yaml <<-\EOT &&
	resources:
	- ../../base
	namePrefix: prod-
	images:
	- name: nginx
	  newTag: "1.25"
	EOT
	commit_all work initial &&
	git -C work push origin main 2>err &&
	test "$(git -C server.git rev-parse main)" = "$(git -C work rev-parse main)"
'

test_expect_success 'a change in the base is seen through the overlay' '
	write_file work/overlays/prod/kustomization.yaml <<-\EOT &&
	resources:
	- ../../base
	namePrefix: prod-
	images:
	- name: nginx
	  newTag: "1.26"
	EOT
	commit_all work "prod: nginx 1.26" &&
	git -C work push origin main 2>err &&
	test_grep "prod: 0 added, 1 changed, 0 removed" err &&
	test_grep "image: nginx:1.26" err &&
	test_grep "push accepted" err
'

test_expect_success 'a generator change renames the ConfigMap (new hash)' '
	sed -i "s/LOG_LEVEL=info/LOG_LEVEL=debug/" work/base/kustomization.yaml &&
	commit_all work "base: debug" &&
	git -C work push origin main 2>err &&
	test_grep "prod: 1 added, 0 changed, 1 removed" err &&
	test_grep "prod-web-config-" err
'

test_expect_success 'a remote resource is refused, never fetched' '
	before=$(git -C server.git rev-parse main) &&
	write_file work/overlays/prod/kustomization.yaml <<-\EOT &&
	resources:
	- ../../base
	- https://github.com/example/repo//deploy?ref=main
	EOT
	commit_all work "prod: remote" &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "unrenderable: remote resource https://github.com/example/repo//deploy" err &&
	test "$(git -C server.git rev-parse main)" = "$before" &&
	git -C work reset -q --hard HEAD~1
'

test_expect_success 'a patch without a target object is refused' '
	before=$(git -C server.git rev-parse main) &&
	write_file work/overlays/prod/kustomization.yaml <<-\EOT &&
	resources:
	- ../../base
	patches:
	- patch: |-
	    apiVersion: apps/v1
	    kind: Deployment
	    metadata:
	      name: nosuch
	      namespace: apps
	    spec:
	      replicas: 1
	EOT
	commit_all work "prod: bad patch" &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "no resource matches for strategic merge patch Deployment apps/nosuch" err &&
	test "$(git -C server.git rev-parse main)" = "$before" &&
	git -C work reset -q --hard HEAD~1
'

test_done
