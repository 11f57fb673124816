#!/bin/sh
# t0603-versions: compatible version sets in a push and in `rendergate
# check`: "when api is >=2.0.0, db-migrator must be >=1.4.0", with api's
# version the tag of its image (a values file sets it) and db-migrator's
# the version of its chart (a Helm release); the finding names both
# components, their versions and where each was set.
test_description='compatible version sets, pushed and checked'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: two releases, a policy tying their versions' '
	write_file policy.yaml <<-\EOT &&
	version: 1
	versions:
	  components:
	    - {name: api, image: '"'"'^registry\.example\.com/shop/api$'"'"'}
	    - {name: db-migrator, release: db-migrator}
	  constraints:
	    - when: {api: ">=2.0.0"}
	      require: {db-migrator: ">=1.4.0"}
	      message: api 2 reads the new schema; migrate it first
	EOT
	printf "mode: enforce\npolicy_files: [%s]\n" "$TRASH/policy.yaml" >server.yaml &&
	setup_server &&
	setup_work &&
	write_file work/.rendergate.yaml <<-\EOT &&
	environments:
	  - name: prod
	    path: envs/prod
	    releases:
	      - name: api
	        chart: charts/api
	        namespace: shop
	        values: [envs/prod/api.yaml]
	      - name: db-migrator
	        chart: charts/db-migrator
	        namespace: shop
	EOT
	write_file work/charts/api/Chart.yaml <<-\EOT &&
	apiVersion: v2
	name: api
	version: 0.3.0
	EOT
	write_file work/charts/api/templates/deployment.yaml <<-\EOT &&
	apiVersion: apps/v1
	kind: Deployment
	metadata:
	  name: api
	spec:
	  selector:
	    matchLabels: {app: api}
	  template:
	    metadata:
	      labels: {app: api}
	    spec:
	      containers:
	        - name: api
	          image: "registry.example.com/shop/api:{{ .Values.tag }}"
	EOT
	write_file work/charts/db-migrator/Chart.yaml <<-\EOT &&
	apiVersion: v2
	name: db-migrator
	version: 1.3.0
	EOT
	write_file work/charts/db-migrator/templates/job.yaml <<-\EOT &&
	apiVersion: batch/v1
	kind: Job
	metadata:
	  name: db-migrator
	spec:
	  template:
	    spec:
	      restartPolicy: Never
	      containers:
	        - name: migrate
	          image: registry.example.com/shop/db-migrator:{{ .Chart.Version }}
	EOT
	write_file work/envs/prod/api.yaml <<-\EOT &&
	tag: "1.9.0"
	EOT
	commit_all work initial &&
	git -C work push -q origin main 2>/dev/null
'

test_expect_success 'api 2.1.0 with db-migrator 1.3.0 is rejected, naming both and where' '
	printf "tag: \"2.1.0\"\n" >work/envs/prod/api.yaml &&
	commit_all work "api 2.1.0" &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "charts/db-migrator/Chart\.yaml:3:10: db-migrator 1\.3\.0 \(set here\) is not >=1\.4\.0, which it must be because api is 2\.1\.0 \(set at api/templates/deployment\.yaml:14\) \(policy\.version-set\)" err &&
	test_grep "api 2 reads the new schema; migrate it first" err &&
	cp err "$TRASH/msg-versions"
'

test_expect_success 'rendergate check reports the same finding' '
	(cd work && test_expect_code 1 "$RENDERGATE" check --config "$TRASH/server.yaml") >out &&
	test_grep "charts/db-migrator/Chart\.yaml:3:10: .*db-migrator 1\.3\.0.*\(policy\.version-set\)" out
'

test_expect_success 'a feature branch preview warns about the set, and is accepted' '
	git -C work checkout -q -b feature &&
	git -C work push -q origin feature 2>/dev/null &&
	printf "tag: \"2.2.0\"\n" >work/envs/prod/api.yaml &&
	commit_all work "api 2.2.0" &&
	git -C work push origin feature 2>err &&
	test_grep "push accepted" err &&
	test_grep "charts/db-migrator/Chart\.yaml:3:10: .*db-migrator 1\.3\.0 \(set here\) is not >=1\.4\.0, which it must be because api is 2\.2\.0.*\(policy\.version-set\)" err &&
	git -C work checkout -q main
'

test_expect_success 'with db-migrator 1.4.0 the set is compatible and the push accepted' '
	sed -i "s/^version: 1.3.0/version: 1.4.0/" work/charts/db-migrator/Chart.yaml &&
	commit_all work "db-migrator 1.4.0" &&
	git -C work push origin main 2>err &&
	test_grep "push accepted" err &&
	(cd work && "$RENDERGATE" check --config "$TRASH/server.yaml") >out &&
	test_grep "0 problem" out
'

test_done
