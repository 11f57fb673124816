#!/bin/sh
test_description='an Argo CD app-of-apps repository rendered as Argo CD would'
. "$(dirname "$0")/lib.sh"

repo="$RG_TOP/tests/cases/argo/app-of-apps/in"

test_expect_success 'setup: app of apps with Helm, Kustomize and directory apps' '
	setup_server &&
	setup_work &&
	cp -R "$repo"/. work/ &&
	rm work/plain/sub/cm.json &&
	write_file work/.rendergate.yaml <<-\EOT &&
	environments:
	  - name: cluster
	    path: apps
	    kind: argocd
	    repo_urls: [https://git.example.com/platform/gitops.git]
	EOT
	commit_all work initial &&
	git -C work push origin main 2>err &&
	test "$(git -C server.git rev-parse main)" = "$(git -C work rev-parse main)"
'

test_expect_success 'rendergate render follows the Applications' '
	(cd work && "$RENDERGATE" render --env cluster) >out 2>err &&
	test_grep "name: prod-shop" out &&
	test_grep "image: registry.example.com/shop:3.1" out &&
	test_grep "name: gb-multi" out &&
	test_grep "value: from-values-object" out
'

test_expect_success 'a value file change shows in the Helm application' '
	sed -i "s/replicas: 3/replicas: 7/" work/charts/guestbook/values-prod.yaml &&
	sed -i "s/replicas: 2/replicas: 6/" work/apps/guestbook.yaml &&
	commit_all work "guestbook: 6 replicas" &&
	git -C work push origin main 2>err &&
	test_grep "cluster: 0 added, 2 changed, 0 removed" err &&
	test_grep "+  replicas: 6" err &&
	test_grep "push accepted" err
'

test_expect_success 'sources that are not this repository are reported' '
	test_grep "https://github.com/other/repo.git is not this repository" err &&
	test_grep "chart redis 18.1.0 from https://charts.bitnami.com/bitnami is not in the chart cache" err
'

test_done
