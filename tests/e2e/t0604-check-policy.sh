#!/bin/sh
# t0604-check-policy: `rendergate check --policy FILE...` applies extra
# policy files on top of the configured ones (the server's admin files and
# the repository's .rendergate/policy.yaml from the revision checked), for
# every family that applies to a revision: images, sources (Flux URLs,
# release chart repositories, remote kustomize resources), generic rules,
# the pod security baseline, namespace ownership and version sets. Extra
# files only tighten, and their errors carry file:line:col.
test_description='rendergate check --policy, family by family'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a repository with one problem per family, no admin policy' '
	setup_server &&
	setup_work &&
	write_file work/.rendergate.yaml <<-\EOT &&
	environments:
	  - {name: prod, path: envs/prod, kind: plain}
	  - {name: edge, path: envs/edge}
	  - name: charts
	    path: envs/charts
	    releases:
	      - {name: cache, chart: redis, repo: "https://charts.evil.example/stable", version: 1.0.0}
	EOT
	deployment work/envs/prod/web.yaml web quay.io/evil/miner:1 &&
	deployment work/envs/prod/api.yaml api registry.example.com/shop/api:2.0.0 &&
	deployment work/envs/prod/migrator.yaml migrator registry.example.com/shop/db-migrator:1.2.0 &&
	write_file work/envs/prod/priv.yaml <<-\EOT &&
	apiVersion: v1
	kind: Pod
	metadata:
	  name: debug
	  namespace: apps
	spec:
	  containers:
	    - name: sh
	      image: docker.io/library/busybox:1.36
	      securityContext:
	        privileged: true
	EOT
	write_file work/envs/prod/flux.yaml <<-\EOT &&
	apiVersion: source.toolkit.fluxcd.io/v1
	kind: GitRepository
	metadata:
	  name: infra
	  namespace: apps
	spec:
	  url: https://github.com/evil/infra
	EOT
	configmap work/envs/prod/cm.yaml settings k v &&
	sed -i "s/namespace: apps/namespace: kube-system/" work/envs/prod/cm.yaml &&
	write_file work/envs/edge/kustomization.yaml <<-\EOT &&
	resources:
	  - https://github.com/evil/manifests//base?ref=v1
	  - cm.yaml
	EOT
	configmap work/envs/edge/cm.yaml edge k v &&
	mkdir -p work/envs/charts && touch work/envs/charts/.keep &&
	commit_all work initial &&
	git -C work push -q origin main 2>/dev/null &&
	write_file extra.yaml <<-\EOT &&
	version: 1
	images:
	  deny: ['"'"'^quay\.io/evil/'"'"']
	sources:
	  deny: ['"'"'^https://(github\.com/evil|charts\.evil\.example)/'"'"']
	namespaces:
	  - environments: [prod]
	    allow: [apps]
	rules:
	  - id: web-replicas
	    match: {kinds: [Deployment], name: "^web$"}
	    all:
	      - {path: spec.replicas, lt: 3}
	    message: "has {value} replicas; prod needs at least 3"
	versions:
	  components:
	    - {name: api, image: '"'"'^registry\.example\.com/shop/api$'"'"'}
	    - {name: db-migrator, image: '"'"'^registry\.example\.com/shop/db-migrator$'"'"'}
	  constraints:
	    - when: {api: ">=2.0.0"}
	      require: {db-migrator: ">=1.4.0"}
	EOT
	(cd work && "$RENDERGATE" check --env prod >../out) &&
	test_grep "0 problem" out
'

test_expect_success 'check --policy finds every family' '
	(cd work && test_expect_code 1 "$RENDERGATE" check --env prod --policy ../extra.yaml \
		--policy "$RG_TOP/contrib/policies/pod-security-baseline.yaml") >out &&
	test_grep "envs/prod/web\.yaml:[0-9]+:[0-9]+: .*\(policy\.image-deny\)" out &&
	test_grep "envs/prod/flux\.yaml:7:8: .*https://github\.com/evil/infra.*\(policy\.source-deny\)" out &&
	test_grep "envs/prod/cm\.yaml:5:14: .*kube-system.*\(policy\.namespace\)" out &&
	test_grep "envs/prod/web\.yaml:[0-9]+:[0-9]+: .*has 2 replicas; prod needs at least 3 \(web-replicas\)" out &&
	test_grep "envs/prod/priv\.yaml:11:21: .*\(pss-baseline\.privileged\)" out &&
	test_grep "envs/prod/migrator\.yaml:[0-9]+:[0-9]+: db-migrator 1\.2\.0 \(set here\) is not >=1\.4\.0, which it must be because api is 2\.0\.0 \(set at envs/prod/api\.yaml:[0-9]+\) \(policy\.version-set\)" out &&
	cp out "$TRASH/msg-check"
'

test_expect_success 'sources outside the objects are checked even when unrenderable' '
	(cd work && test_expect_code 2 "$RENDERGATE" check --policy ../extra.yaml) >out &&
	test_grep "envs/edge/kustomization\.yaml:2:5: .*https://github\.com/evil/manifests.*\(policy\.source-deny\)" out &&
	test_grep "\.rendergate\.yaml:[0-9]+:[0-9]+: .*https://charts\.evil\.example/stable.*\(policy\.source-deny\)" out &&
	test_grep "unrenderable: remote resource" out
'

test_expect_success 'the repository policy applies in check, and --policy cannot loosen it' '
	mkdir -p work/.rendergate &&
	write_file work/.rendergate/policy.yaml <<-\EOT &&
	version: 1
	images:
	  deny: ['"'"'^quay\.io/'"'"']
	EOT
	commit_all work "repo policy" &&
	printf "version: 1\nimages:\n  allow: [\".*\"]\n" >loose.yaml &&
	(cd work && test_expect_code 1 "$RENDERGATE" check --env prod --policy ../loose.yaml) >out &&
	test_grep "envs/prod/web\.yaml:[0-9]+:[0-9]+: .*\(policy\.image-deny\)" out &&
	test_grep "1 problem" out
'

test_expect_success 'an admin policy and --policy add up' '
	printf "version: 1\nimages:\n  deny: [\"busybox\"]\n" >admin.yaml &&
	printf "mode: enforce\npolicy_files: [%s]\n" "$TRASH/admin.yaml" >server.yaml &&
	(cd work && test_expect_code 1 "$RENDERGATE" check --env prod --config ../server.yaml \
		--policy "$RG_TOP/contrib/policies/pod-security-baseline.yaml") >out &&
	test_grep "envs/prod/priv\.yaml:[0-9]+:[0-9]+: .*busybox.*\(policy\.image-deny\)" out &&
	test_grep "\(pss-baseline\.privileged\)" out &&
	test_grep "envs/prod/web\.yaml:[0-9]+:[0-9]+: .*\(policy\.image-deny\)" out
'

test_expect_success 'a broken --policy file is reported with file:line:col' '
	printf "version: 1\nrules:\n  - id: x\n    match: {kindz: [Pod]}\n" >bad.yaml &&
	(cd work && test_expect_code 2 "$RENDERGATE" check --policy ../bad.yaml) >out 2>&1 &&
	test_grep "bad\.yaml:4:13: .*kindz" out &&
	(cd work && test_expect_code 2 "$RENDERGATE" check --policy ../missing.yaml) >out 2>&1 &&
	test_grep "missing\.yaml" out
'

test_done
