#!/bin/sh
test_description='the deadline stops a render that is already running'
. "$(dirname "$0")/lib.sh"

# t0009 checks the deadline between environments. Here one environment
# alone runs far past it (a Helm template looping nine million times,
# well inside RG_CAP_TMPL_STEPS): the hook must stop itself close to the
# deadline and reject saying so, not finish the render first (a forge
# would have killed it by then: GitHub Enterprise allows 5 s in total).

test_expect_success 'setup: one Helm environment' '
	setup_server &&
	setup_work &&
	write_file work/.rendergate.yaml <<-EOF &&
	environments:
	  - name: prod
	    path: envs/prod
	EOF
	mkdir -p work/envs/prod/templates &&
	printf "apiVersion: v2\nname: c\nversion: 0.1.0\n" >work/envs/prod/Chart.yaml &&
	printf "n: 1\n" >work/envs/prod/values.yaml &&
	configmap work/envs/prod/templates/cm.yaml cm n one &&
	commit_all work initial &&
	git -C work push -q origin main 2>/dev/null
'

test_expect_success 'a render running 9x past a 1 s deadline is stopped near it' '
	printf "mode: enforce\ndeadline: 1s\n" >server.yaml &&
	write_file work/envs/prod/templates/slow.yaml <<-\EOF &&
	{{- $x := 0 }}{{- range $i := until 3000 }}{{- range $j := until 3000 }}{{- $x = add1 $x }}{{- end }}{{- end }}
	apiVersion: v1
	kind: ConfigMap
	metadata: {name: slow}
	data: {x: "{{ $x }}"}
	EOF
	commit_all work slow &&
	before=$(git -C server.git rev-parse main) &&
	test_must_fail git -C work push origin main 2>err &&
	test "$(git -C server.git rev-parse main)" = "$before" &&
	test_grep "rendergate ran out of time after [0-9]+ ms while rendering prod" err &&
	# the watchdog (hooks/gate.c) wrote it, mid-render: the check between
	# environments, after the render, words the verdict otherwise
	test_grep "rendergate: push rejected: out of time" err &&
	ms=$(sed -nE "s/.*ran out of time after ([0-9]+) ms.*/\1/p" err | head -n 1) &&
	echo "stopped after $ms ms" &&
	test "$ms" -lt 3000
'

test_done
