#!/bin/sh
test_description='releases on engine: helm (the server'"'"'s helm binary) next to the built-in engine'
# install-oracles.sh keeps helm below the real home; lib.sh replaces HOME
oracles=${HOME:+$HOME/.cache/rendergate-oracles}
. "$(dirname "$0")/lib.sh"

# The real helm 3.10.1 for the releases on engine: helm, from the script
# CI runs before `make conformance`; `make check` may run first, so the
# test installs it the same way. Without it, the tests that need it fail
# (they never pass silently); the failure cases fall back to fake helms.
HELM=$(bash "$RG_TOP/../shared/tools/install-oracles.sh" ${oracles:+"$oracles"} 2>/dev/null | tail -n 1)
if [ -n "$HELM" ] && [ -x "$HELM" ]; then
	say "using $HELM"
else
	say "helm 3.10.1 could not be installed (../shared/tools/install-oracles.sh)"
	HELM=
fi
need_helm() {
	if [ -z "$HELM" ]; then
		echo "helm is not available: ../shared/tools/install-oracles.sh failed" >&2
		return 1
	fi
}

# The hook makes its helm work directories in $TMPDIR: a private one, so
# the tests can see that nothing is left behind.
TMPDIR=$TRASH/tmp
export TMPDIR
mkdir -p "$TMPDIR" "$TRASH/bin"
no_leftovers() {
	left=$(ls -A "$TMPDIR")
	if [ -n "$left" ]; then
		echo "left behind in TMPDIR: $left" >&2
		return 1
	fi
}

# server_config BINARY [DEADLINE] [HELM_TIMEOUT]
server_config() {
	{
		echo "mode: enforce"
		echo "deadline: ${2:-30s}"
		if [ -n "$1" ]; then
			echo "helm_binary: $1"
		fi
		if [ -n "$3" ]; then
			echo "helm_timeout: $3"
		fi
	} >"$TRASH/server.yaml"
}

test_expect_success 'setup: one release on engine: helm, one on the built-in engine' '
	need_helm &&
	server_config "$HELM" &&
	setup_server &&
	setup_work &&
	write_file work/.rendergate.yaml <<-\EOT &&
	environments:
	  - name: prod
	    path: envs/prod
	    kube_version: "1.29"
	    releases:
	      - name: web
	        chart: charts/web
	        namespace: web
	        engine: helm
	        values: [values/global/web.yaml, values/prod/web.yaml]
	        set:
	          team: "payments,core"
	          replicas: 3
	      - name: api
	        chart: charts/api
	        namespace: api
	        values: [values/prod/api.yaml]
	  - name: staging
	    path: envs/staging
	    releases:
	      - name: api
	        chart: charts/api
	        namespace: api-staging
	        values: [values/staging/api.yaml]
	EOT
	write_file work/envs/prod/README <<-\EOT &&
	prod: releases in .rendergate.yaml
	EOT
	write_file work/envs/staging/README <<-\EOT &&
	staging: releases in .rendergate.yaml
	EOT
	commit_all work "config first" &&
	git -C work push -q origin main 2>/dev/null &&
	write_file work/charts/web/Chart.yaml <<-\EOT &&
	apiVersion: v2
	name: web
	version: 1.0.0
	dependencies:
	  - name: cache
	    version: 0.1.0
	  - name: sub
	    version: 0.1.0
	EOT
	write_file work/charts/web/values.yaml <<-\EOT &&
	replicas: 2
	image: nginx:1.25
	team: none
	EOT
	write_file work/charts/web/files/motd <<-\EOT &&
	welcome to web
	EOT
	write_file work/charts/web/templates/deploy.yaml <<-\EOT &&
	apiVersion: apps/v1
	kind: Deployment
	metadata:
	  name: {{ .Release.Name }}
	  namespace: {{ .Release.Namespace }}
	  labels:
	    team: {{ .Values.team | quote }}
	    kube: {{ .Capabilities.KubeVersion.Version | quote }}
	spec:
	  replicas: {{ .Values.replicas }}
	  selector:
	    matchLabels: {app: web}
	  template:
	    metadata:
	      labels: {app: web}
	    spec:
	      containers:
	        - name: web
	          image: {{ .Values.image }}
	EOT
	write_file work/charts/web/templates/motd.yaml <<-\EOT &&
	apiVersion: v1
	kind: ConfigMap
	metadata:
	  name: {{ .Release.Name }}-motd
	data:
	  motd: {{ .Files.Get "files/motd" | trim | quote }}
	EOT
	write_file work/charts/web/charts/cache/Chart.yaml <<-\EOT &&
	apiVersion: v2
	name: cache
	version: 0.1.0
	EOT
	write_file work/charts/web/charts/cache/templates/cm.yaml <<-\EOT &&
	apiVersion: v1
	kind: ConfigMap
	metadata:
	  name: {{ .Release.Name }}-cache
	data:
	  size: 64Mi
	EOT
	cp "$RG_TOP/tests/cases/helm/tgz-root/chart.tgz" work/charts/web/charts/sub-0.1.0.tgz &&
	write_file work/values/global/web.yaml <<-\EOT &&
	image: nginx:1.26
	EOT
	write_file work/values/prod/web.yaml <<-\EOT &&
	replicas: 4
	EOT
	write_file work/charts/api/Chart.yaml <<-\EOT &&
	apiVersion: v2
	name: api
	version: 2.0.0
	EOT
	write_file work/charts/api/templates/svc.yaml <<-\EOT &&
	apiVersion: v1
	kind: Service
	metadata:
	  name: {{ .Release.Name }}
	  namespace: {{ .Release.Namespace }}
	spec:
	  ports: [{port: {{ .Values.port }}}]
	EOT
	write_file work/values/prod/api.yaml <<-\EOT &&
	port: 8080
	EOT
	write_file work/values/staging/api.yaml <<-\EOT &&
	port: 9090
	EOT
	commit_all work "web on helm, api built in" &&
	git -C work push origin main 2>err &&
	test "$(git -C server.git rev-parse main)" = "$(git -C work rev-parse main)" &&
	test_grep "prod: 6 added, 0 changed, 0 removed" err &&
	test_grep "staging: 1 added, 0 changed, 0 removed" err &&
	no_leftovers
'

test_expect_success 'helm rendered the layered values, set entries and kube version' '
	need_helm &&
	(cd server.git && "$RENDERGATE" render --config "$TRASH/server.yaml" --env prod main) >out &&
	test_grep "replicas: 3" out &&
	test_grep "image: nginx:1.26" out &&
	test_grep "team: payments,core" out &&
	test_grep "kube: v1.29.0" out &&
	test_grep "motd: welcome to web" out &&
	test_grep "name: web-cache" out &&
	test_grep "name: web-sub" out &&
	test_grep "name: web-inner" out &&
	test_grep "port: 8080" out &&
	no_leftovers
'

test_expect_success 'a values change of the helm release renders it again, with its diff' '
	need_helm &&
	write_file work/values/global/web.yaml <<-\EOT &&
	image: nginx:1.27
	EOT
	commit_all work "web: nginx 1.27" &&
	git -C work push -o rendergate.trace origin main 2>err &&
	test_grep "trace: refs/heads/main: prod: rendered: " err &&
	test_grep "trace: refs/heads/main: staging: skipped: " err &&
	test_grep "prod: 0 added, 1 changed, 0 removed" err &&
	test_grep "nginx:1.27" err &&
	test "$(git -C server.git rev-parse main)" = "$(git -C work rev-parse main)" &&
	no_leftovers
'

test_expect_success 'a change only staging reads leaves the helm release alone' '
	need_helm &&
	write_file work/values/staging/api.yaml <<-\EOT &&
	port: 9191
	EOT
	commit_all work "staging: port" &&
	git -C work push -o rendergate.trace origin main 2>err &&
	test_grep "trace: refs/heads/main: prod: skipped: " err &&
	test_grep "staging: 0 added, 1 changed, 0 removed" err
'

# fake helms, for what a real helm cannot be made to do on demand
write_file bin/fail-helm <<EOF
#!/bin/sh
echo "WARNING: something harmless" >&2
echo 'Error: parse error at (web/templates/deploy.yaml:7): function "nosuchfunc" not defined' >&2
exit 1
EOF
write_file bin/hang-helm <<EOF
#!/bin/sh
echo \$\$ >>"$TRASH/hang.pids"
sleep 60 &
echo \$! >>"$TRASH/hang.pids"
wait
EOF
chmod +x bin/fail-helm bin/hang-helm

test_expect_success 'a template helm cannot render rejects the push with helm'"'"'s message' '
	before=$(git -C server.git rev-parse main) &&
	if [ -z "$HELM" ]; then
		server_config "$TRASH/bin/fail-helm"
	fi &&
	sed -i "s/replicas: {{ .Values.replicas }}/replicas: {{ .Values.replicas | nosuchfunc }}/" work/charts/web/templates/deploy.yaml &&
	commit_all work "web: broken template" &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "environment prod, release web: unrenderable: helm template exited with status 1: " err &&
	test_grep "Error: parse error at .web/templates/deploy.yaml:(7|10|12)" err &&
	test_grep "function \"nosuchfunc\" not defined" err &&
	test_grep ! "WARNING: something harmless" err &&
	test_grep ! "Use --debug" err &&
	test_grep ! "rendergate-helm-" err &&
	test "$(git -C server.git rev-parse main)" = "$before" &&
	no_leftovers &&
	git -C work reset -q --hard HEAD~1
'

test_expect_success 'a helm that hangs is stopped within the deadline, leaving nothing behind' '
	before=$(git -C server.git rev-parse main) &&
	server_config "$TRASH/bin/hang-helm" 3s 60s &&
	write_file work/values/prod/web.yaml <<-\EOT &&
	replicas: 5
	EOT
	commit_all work "web: 5 replicas" &&
	start=$(date +%s) &&
	test_must_fail git -C work push origin main 2>err &&
	end=$(date +%s) &&
	test $((end - start)) -lt 8 &&
	test_grep "release web: helm template did not finish within [0-9]+ ms .what was left of the hook.s deadline. and was stopped" err &&
	test "$(git -C server.git rev-parse main)" = "$before" &&
	no_leftovers &&
	test -s hang.pids &&
	for pid in $(cat hang.pids); do
		st=$(ps -o stat= -p "$pid" 2>/dev/null || true) &&
		case "$st" in
		""|Z*) ;;
		*) echo "process $pid is still there ($st)" >&2; exit 1 ;;
		esac
	done
'

test_expect_success 'helm_timeout stops it before the deadline' '
	rm -f hang.pids &&
	server_config "$TRASH/bin/hang-helm" 30s 1s &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "helm template did not finish within 1000 ms .helm_timeout in the server config. and was stopped" err &&
	no_leftovers
'

test_expect_success 'without helm_binary in the server config the release is unrenderable' '
	before=$(git -C server.git rev-parse main) &&
	server_config "" &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "release web: unrenderable: engine helm needs a helm binary, and none is configured .set helm_binary in the server config $TRASH/server.yaml." err &&
	server_config "$TRASH/bin/no-such-helm" &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "unrenderable: helm_binary $TRASH/bin/no-such-helm .server config $TRASH/server.yaml.: No such file or directory" err &&
	test "$(git -C server.git rev-parse main)" = "$before" &&
	no_leftovers
'

test_expect_success 'a pusher cannot name the binary in .rendergate.yaml' '
	need_helm &&
	server_config "$HELM" &&
	git -C work push -q origin main 2>/dev/null &&
	sed -i "s|        engine: helm|        engine: helm\n        helm_binary: /bin/true|" work/.rendergate.yaml &&
	commit_all work "try to choose the binary" &&
	git -C work push -q origin main 2>/dev/null &&
	write_file work/values/prod/web.yaml <<-\EOT &&
	replicas: 6
	EOT
	commit_all work "web: 6 replicas" &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "unknown key .helm_binary." err
'

test_done
