#!/bin/sh
# t0605-policy-push: every family of rendered-object and source checks
# rejects a real push, with the position of the offending value: images,
# sources (a Flux URL in an object, a release's chart repository, a remote
# kustomize resource), a generic rule, the pod security baseline,
# namespace ownership, and a Chart.yaml dependency range against the
# subchart vendored next to it. A push fixing each is accepted.
test_description='policy families in pushes'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: admin policy with every family, the baseline, a clean repository' '
	write_file policy.yaml <<-\EOT &&
	version: 1
	images:
	  allow: ['"'"'^registry\.example\.com/'"'"', '"'"'^docker\.io/library/'"'"']
	  hint: images come from registry.example.com or Docker Hub library
	sources:
	  deny: ['"'"'^https://(github\.com/evil|charts\.evil\.example)/'"'"']
	namespaces:
	  - environments: [prod]
	    allow: [apps]
	rules:
	  - id: replicas
	    match: {kinds: [Deployment]}
	    all:
	      - {path: spec.replicas, lt: 2}
	    message: "has {value} replica; prod runs at least 2"
	    hint: set spec.replicas to 2 or more
	EOT
	# a copy: the hook refuses a group-writable policy file, and a
	# checkout made with umask 002 leaves contrib/ group-writable
	cp "$RG_TOP/contrib/policies/pod-security-baseline.yaml" baseline.yaml &&
	chmod 0644 baseline.yaml &&
	printf "mode: enforce\npolicy_files: [%s, %s]\n" "$TRASH/policy.yaml" \
		"$TRASH/baseline.yaml" >server.yaml &&
	setup_server &&
	setup_work &&
	write_file work/.rendergate.yaml <<-\EOT &&
	environments:
	  - {name: prod, path: envs/prod, kind: plain}
	  - {name: edge, path: envs/edge}
	  - name: web
	    path: envs/web
	    releases:
	      - {name: web, chart: charts/web, namespace: apps}
	EOT
	deployment work/envs/prod/web.yaml web registry.example.com/web:1.0 &&
	configmap work/envs/edge/cm.yaml edge k v &&
	printf "resources: [cm.yaml]\n" >work/envs/edge/kustomization.yaml &&
	write_file work/charts/web/Chart.yaml <<-\EOT &&
	apiVersion: v2
	name: web
	version: 1.0.0
	dependencies:
	  - name: cache
	    version: ">=2.0.0"
	EOT
	write_file work/charts/web/templates/cm.yaml <<-\EOT &&
	apiVersion: v1
	kind: ConfigMap
	metadata:
	  name: web
	data: {a: b}
	EOT
	write_file work/charts/web/charts/cache/Chart.yaml <<-\EOT &&
	apiVersion: v2
	name: cache
	version: 2.1.0
	EOT
	write_file work/charts/web/charts/cache/templates/cm.yaml <<-\EOT &&
	apiVersion: v1
	kind: ConfigMap
	metadata:
	  name: cache
	data: {a: b}
	EOT
	mkdir -p work/envs/web && touch work/envs/web/.keep &&
	commit_all work initial &&
	git -C work push origin main 2>err &&
	test_grep "push accepted" err
'

# reject NAME PATTERN: the push of HEAD is rejected with PATTERN in its
# output (kept as $TRASH/msg-NAME), then HEAD is dropped
reject() {
	test_must_fail git -C work push origin main 2>err &&
	test_grep "$2" err &&
	test_grep "push rejected" err &&
	cp err "$TRASH/msg-$1" &&
	git -C work reset -q --hard HEAD~1
}

test_expect_success 'images: an image from an unknown registry' '
	deployment work/envs/prod/web.yaml web quay.io/x/web:1.0 &&
	commit_all work "quay" &&
	reject images "envs/prod/web\.yaml:18:18: Deployment apps/web: container .web. uses image .quay\.io/x/web:1\.0. .*\(policy\.image-allow\)"
'

test_expect_success 'sources: a Flux GitRepository from a denied host' '
	write_file work/envs/prod/src.yaml <<-\EOT &&
	apiVersion: source.toolkit.fluxcd.io/v1
	kind: GitRepository
	metadata:
	  name: infra
	  namespace: apps
	spec:
	  url: https://github.com/evil/infra
	EOT
	commit_all work "flux source" &&
	reject sources "envs/prod/src\.yaml:7:8: GitRepository apps/infra: source .https://github\.com/evil/infra. is denied .*\(policy\.source-deny\)"
'

test_expect_success 'sources: a remote kustomize base from a denied host' '
	printf "resources:\n  - cm.yaml\n  - https://github.com/evil/manifests//base?ref=v1\n" >work/envs/edge/kustomization.yaml &&
	commit_all work "remote base" &&
	reject sources-kustomize "envs/edge/kustomization\.yaml:3:5: .*https://github\.com/evil/manifests.*\(policy\.source-deny\)"
'

test_expect_success 'rules: a generic rule' '
	deployment work/envs/prod/web.yaml web registry.example.com/web:1.0 1 &&
	commit_all work "one replica" &&
	reject rules "envs/prod/web\.yaml:7:13: Deployment apps/web: has 1 replica; prod runs at least 2 \(replicas\)"
'

test_expect_success 'pod security baseline: a privileged container' '
	write_file work/envs/prod/debug.yaml <<-\EOT &&
	apiVersion: v1
	kind: Pod
	metadata:
	  name: debug
	  namespace: apps
	spec:
	  hostPID: true
	  containers:
	    - name: sh
	      image: docker.io/library/busybox:1.36
	      securityContext:
	        privileged: true
	EOT
	commit_all work "debug pod" &&
	reject baseline "envs/prod/debug\.yaml:12:21: Pod apps/debug: spec\.containers\[0\]\.securityContext\.privileged is true.*\(pss-baseline\.privileged\)" &&
	test_grep "envs/prod/debug\.yaml:7:12: .*hostPID is true.*\(pss-baseline\.host-namespaces\)" "$TRASH/msg-baseline"
'

test_expect_success 'namespaces: an object in a namespace prod does not own' '
	configmap work/envs/prod/cm.yaml settings k v &&
	sed -i "s/namespace: apps/namespace: kube-system/" work/envs/prod/cm.yaml &&
	commit_all work "kube-system" &&
	reject namespace "envs/prod/cm\.yaml:5:14: ConfigMap kube-system/settings: namespace .kube-system. is not owned by environment prod \(allowed: apps\) \(policy\.namespace\)"
'

test_expect_success 'chart dependencies: a vendored subchart outside its range' '
	sed -i "s/^version: 2.1.0/version: 1.9.0/" work/charts/web/charts/cache/Chart.yaml &&
	commit_all work "cache 1.9.0" &&
	reject chart-dependency "\(policy\.chart-dependency\)"
'

test_expect_success 'sources: a release whose chart repository is denied (last: the config stays)' '
	# a second release in the web environment: the last entry of the file
	echo "      - {name: cache, chart: redis, repo: \"https://charts.evil.example/stable\", version: 1.0.0}" \
		>>work/.rendergate.yaml &&
	commit_all work "evil release" &&
	git -C work push -q origin main 2>/dev/null &&
	sed -i "s/{a: b}/{a: c}/" work/charts/web/templates/cm.yaml &&
	commit_all work "web: a=c" &&
	reject sources-release "\.rendergate\.yaml:[0-9]+:[0-9]+: .*https://charts\.evil\.example/stable.*\(policy\.source-deny\)"
'

test_expect_success 'a push breaking nothing is accepted' '
	deployment work/envs/prod/web.yaml web registry.example.com/web:1.1 3 &&
	commit_all work "web 1.1" &&
	git -C work push origin main 2>err &&
	test_grep "push accepted" err
'

test_done
