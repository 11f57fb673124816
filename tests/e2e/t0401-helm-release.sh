#!/bin/sh
test_description='a chart with subcharts and layered values as releases of two environments'
. "$(dirname "$0")/lib.sh"

# charts/web: the chart, with an unpacked subchart (charts/cache) and a
# packaged one (charts/sub-0.1.0.tgz, made by helm package for the golden
# cases). Values layered per release: chart defaults, global, environment,
# cluster.
KEY=https%3A%2F%2Fcharts.example.com%2Fstable

test_expect_success 'setup: chart, subcharts, layered values, two environments' '
	mkdir -p "$TRASH/cache/$KEY/sub" &&
	cp "$RG_TOP/tests/cases/helm/tgz-root/chart.tgz" "$TRASH/cache/$KEY/sub/0.1.0.tgz" &&
	printf "mode: enforce\nchart_cache_dir: %s\n" "$TRASH/cache" >"$TRASH/server.yaml" &&
	setup_server &&
	setup_work &&
	write_file work/envs/prod-eu/README <<-\EOT &&
	prod-eu: releases in .rendergate.yaml
	EOT
	write_file work/envs/staging/README <<-\EOT &&
	staging: releases in .rendergate.yaml
	EOT
	write_file work/.rendergate.yaml <<-\EOT &&
	environments:
	  - name: prod-eu
	    path: envs/prod-eu
	    releases:
	      - name: web
	        chart: charts/web
	        namespace: web
	        values: [values/global/web.yaml, values/prod/web.yaml, values/prod/eu/web.yaml]
	  - name: staging
	    path: envs/staging
	    releases:
	      - name: web
	        chart: charts/web
	        namespace: web-staging
	        values: [values/global/web.yaml, values/staging/web.yaml]
	        set:
	          replicas: 1
	  - name: edge
	    path: envs/edge
	    releases:
	      - name: sub
	        chart: sub
	        repo: https://charts.example.com/stable
	        version: ~0.1.0
	        values: [values/edge/sub.yaml]
	EOT
	write_file work/envs/edge/README <<-\EOT &&
	edge: a chart from the chart cache
	EOT
	write_file work/values/edge/sub.yaml <<-\EOT &&
	greeting: from-edge
	global: {env: edge}
	EOT
	commit_all work "config first: a push is judged by the config before it" &&
	git -C work push -q origin main 2>/dev/null &&
	write_file work/charts/web/Chart.yaml <<-\EOT &&
	apiVersion: v2
	name: web
	version: 1.0.0
	dependencies:
	  - name: cache
	    version: 0.1.0
	    condition: cache.enabled
	  - name: sub
	    version: 0.1.0
	EOT
	write_file work/charts/web/values.yaml <<-\EOT &&
	replicas: 2
	image: nginx:1.25
	cache:
	  enabled: true
	global:
	  env: default
	EOT
	write_file work/charts/web/templates/deploy.yaml <<-\EOT &&
	apiVersion: apps/v1
	kind: Deployment
	metadata:
	  name: {{ .Release.Name }}
	  namespace: {{ .Release.Namespace }}
	spec:
	  replicas: {{ .Values.replicas }}
	  selector:
	    matchLabels: {app: web}
	  template:
	    metadata:
	      labels: {app: web, env: {{ .Values.global.env }}}
	    spec:
	      containers:
	        - name: web
	          image: {{ .Values.image }}
	EOT
	write_file work/charts/web/charts/cache/Chart.yaml <<-\EOT &&
	apiVersion: v2
	name: cache
	version: 0.1.0
	EOT
	write_file work/charts/web/charts/cache/values.yaml <<-\EOT &&
	size: 64Mi
	EOT
	write_file work/charts/web/charts/cache/templates/cm.yaml <<-\EOT &&
	apiVersion: v1
	kind: ConfigMap
	metadata:
	  name: {{ .Release.Name }}-cache
	  namespace: {{ .Release.Namespace }}
	data:
	  size: {{ .Values.size | quote }}
	  env: {{ .Values.global.env | quote }}
	EOT
	cp "$RG_TOP/tests/cases/helm/tgz-root/chart.tgz" work/charts/web/charts/sub-0.1.0.tgz &&
	write_file work/values/global/web.yaml <<-\EOT &&
	image: nginx:1.26
	EOT
	write_file work/values/prod/web.yaml <<-\EOT &&
	replicas: 4
	global:
	  env: prod
	EOT
	write_file work/values/prod/eu/web.yaml <<-\EOT &&
	cache:
	  size: 256Mi
	EOT
	write_file work/values/staging/web.yaml <<-\EOT &&
	global:
	  env: staging
	cache:
	  enabled: false
	EOT
	commit_all work "web chart and values" &&
	git -C work push origin main 2>err &&
	test "$(git -C server.git rev-parse main)" = "$(git -C work rev-parse main)" &&
	test_grep "prod-eu: 4 added, 0 changed, 0 removed" err &&
	test_grep "staging: 3 added, 0 changed, 0 removed" err
'

test_expect_success 'the rendered objects carry the layered values' '
	(cd server.git && "$RENDERGATE" render --config "$TRASH/server.yaml" --env prod-eu main) >out &&
	test_grep "replicas: 4" out &&
	test_grep "image: nginx:1.26" out &&
	test_grep "size: 256Mi" out &&
	test_grep "env: prod" out &&
	test_grep "name: web-sub" out &&
	(cd server.git && "$RENDERGATE" render --config "$TRASH/server.yaml" --env staging main) >out &&
	test_grep "replicas: 1" out &&
	test_grep ! "web-cache" out
'

test_expect_success 'a cluster values change renders only that environment, with its diff' '
	write_file work/values/prod/eu/web.yaml <<-\EOT &&
	cache:
	  size: 512Mi
	EOT
	commit_all work "prod-eu: bigger cache" &&
	git -C work push -o rendergate.trace origin main 2>err &&
	test_grep "trace: refs/heads/main: prod-eu: rendered: " err &&
	test_grep "trace: refs/heads/main: staging: skipped: " err &&
	test_grep "prod-eu: 0 added, 1 changed, 0 removed" err &&
	test_grep "512Mi" err &&
	test_grep ! "^remote: staging: " err &&
	test "$(git -C server.git rev-parse main)" = "$(git -C work rev-parse main)"
'

test_expect_success 'a global values change renders both environments' '
	write_file work/values/global/web.yaml <<-\EOT &&
	image: nginx:1.27
	EOT
	commit_all work "all: nginx 1.27" &&
	git -C work push origin main 2>err &&
	test_grep "prod-eu: 0 added, 1 changed, 0 removed" err &&
	test_grep "staging: 0 added, 1 changed, 0 removed" err &&
	test_grep "nginx:1.27" err
'

test_expect_success 'a release from a chart repository renders from the chart cache' '
	(cd server.git && "$RENDERGATE" render --config "$TRASH/server.yaml" --env edge main) >out &&
	test_grep "greeting: from-edge" out &&
	test_grep "name: sub-inner" out &&
	write_file work/values/edge/sub.yaml <<-\EOT &&
	greeting: hello-edge
	global: {env: edge}
	EOT
	commit_all work "edge: greeting" &&
	git -C work push -o rendergate.trace origin main 2>err &&
	test_grep "trace: refs/heads/main: edge: rendered: " err &&
	test_grep "trace: refs/heads/main: prod-eu: skipped: " err &&
	test_grep "edge: 0 added, 1 changed, 0 removed" err
'

test_expect_success 'a chart missing from the cache rejects the push, naming the command' '
	before=$(git -C server.git rev-parse main) &&
	mv "$TRASH/cache/$KEY/sub/0.1.0.tgz" "$TRASH/sub.tgz" &&
	write_file work/values/edge/sub.yaml <<-\EOT &&
	greeting: again
	global: {env: edge}
	EOT
	commit_all work "edge: again" &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "unrenderable: chart sub ~0.1.0 from https://charts.example.com/stable is not in the chart cache" err &&
	test_grep "rendergate chart-cache add https://charts.example.com/stable sub ~0.1.0" err &&
	test "$(git -C server.git rev-parse main)" = "$before" &&
	mv "$TRASH/sub.tgz" "$TRASH/cache/$KEY/sub/0.1.0.tgz" &&
	git -C work push origin main 2>err &&
	test_grep "edge: 0 added, 1 changed, 0 removed" err
'

test_expect_success 'a template error rejects the push with the file and line' '
	before=$(git -C server.git rev-parse main) &&
	sed -i "s/replicas: {{ .Values.replicas }}/replicas: {{ .Values.replicas | nosuchfunc }}/" work/charts/web/templates/deploy.yaml &&
	commit_all work "web: broken template" &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "web/templates/deploy.yaml:7" err &&
	test_grep "nosuchfunc" err &&
	test "$(git -C server.git rev-parse main)" = "$before" &&
	git -C work reset -q --hard HEAD~1
'

test_expect_success 'a failing required value names the template position' '
	before=$(git -C server.git rev-parse main) &&
	sed -i "s/image: {{ .Values.image }}/image: {{ required \"image is required\" .Values.image }}/" work/charts/web/templates/deploy.yaml &&
	write_file work/values/staging/web.yaml <<-\EOT &&
	image: null
	EOT
	commit_all work "staging: no image" &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "execution error at .web/templates/deploy.yaml:16:20.: image is required" err &&
	test "$(git -C server.git rev-parse main)" = "$before" &&
	git -C work reset -q --hard HEAD~1
'

# rendergate.1: RENDERGATE_HUGEPAGES=0 keeps the arena pool in 4 KiB pages;
# the render must not depend on it.
test_expect_success 'rendergate template renders the same without huge pages' '
	"$RENDERGATE" template web work/charts/web --namespace web \
		-f work/values/staging/web.yaml >huge.yaml &&
	RENDERGATE_HUGEPAGES=0 "$RENDERGATE" template web work/charts/web \
		--namespace web -f work/values/staging/web.yaml >small.yaml &&
	test_grep "^kind: Deployment" huge.yaml &&
	cmp huge.yaml small.yaml
'

test_done
