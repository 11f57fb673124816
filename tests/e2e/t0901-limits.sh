#!/bin/sh
test_description='hook-level caps: each one rejects with a message naming it'
. "$(dirname "$0")/lib.sh"

# Caps covered elsewhere: RG_CAP_BLOB_BYTES (t0005 "a 50 MB scalar"),
# YAML depth and aliases (t0005), the deadline (t0009). The rest of
# caps.h is hit by unit tests (tests/unit/test-limits.c and the modules'
# own tests); doc/HARDENING.md lists which test hits which cap.

zero=0000000000000000000000000000000000000000

test_expect_success 'setup' '
	setup_server &&
	setup_work &&
	plain_config work prod:envs/prod &&
	deployment work/envs/prod/web.yaml web nginx:1.25 &&
	commit_all work initial &&
	git -C work push -q origin main 2>/dev/null
'

# run_hook STDIN-FILE: the installed pre-receive hook run as git runs it
# (in the bare repository), output in $TRASH/err.
run_hook() {
	(cd "$TRASH/server.git" && GIT_DIR=. ./hooks/pre-receive <"$TRASH/$1") \
		>"$TRASH/out" 2>"$TRASH/err"
}

test_expect_success "RG_CAP_PUSH_REFS: $((10000 + 1)) ref updates in one push" '
	new=$(git -C server.git rev-parse main) &&
	awk -v z=$zero -v n=$new "BEGIN { for (i = 0; i <= 10000; i++) printf \"%s %s refs/heads/b%d\n\", z, n, i }" >refs.in &&
	test "$(wc -l <refs.in)" = 10001 &&
	test_must_fail run_hook refs.in &&
	test_grep "RG_CAP_PUSH_REFS" err
'

test_expect_success 'RG_CAP_PUSH_REFS: exactly 10000 updates are parsed' '
	head -n 10000 refs.in >refs10k.in &&
	test "$(wc -l <refs10k.in)" = 10000 &&
	rc=0 && run_hook refs10k.in || rc=$? &&
	test "$rc" -lt 126 &&
	test -s err &&
	test_grep ! "RG_CAP_PUSH_REFS" err
'

test_expect_success 'RG_CAP_PUSH_LINE_BYTES: a 9000-byte stdin line' '
	new=$(git -C server.git rev-parse main) &&
	long=$(awk "BEGIN { for (i = 0; i < 9000; i++) printf \"a\" }") &&
	printf "%s %s refs/heads/%s\n" $zero $new "$long" >long.in &&
	test_must_fail run_hook long.in &&
	test_grep "RG_CAP_PUSH_LINE_BYTES" err
'

test_expect_success 'RG_CAP_PUSH_OPTIONS: 101 push options' '
	configmap work/envs/prod/cm.yaml cm k v1 &&
	commit_all work "cm" &&
	set -- &&
	i=0 &&
	while [ $i -le 100 ]; do set -- "$@" -o "opt$i=x"; i=$((i + 1)); done &&
	before=$(git -C server.git rev-parse main) &&
	test_must_fail git -C work push "$@" origin main 2>err &&
	test_grep "RG_CAP_PUSH_OPTIONS" err &&
	test "$(git -C server.git rev-parse main)" = "$before"
'

test_expect_success 'RG_CAP_PUSH_OPTIONS: 100 options pass' '
	set -- &&
	i=1 &&
	while [ $i -le 100 ]; do set -- "$@" -o "opt$i=x"; i=$((i + 1)); done &&
	git -C work push "$@" origin main 2>err &&
	test_grep ! "RG_CAP_PUSH_OPTIONS" err
'

test_expect_success 'RG_CAP_ENV_FILES: 20001 manifests in one environment' '
	mkdir -p work/envs/prod/many &&
	(cd work/envs/prod/many &&
	 awk "BEGIN { for (i = 0; i <= 20000; i++) { f = \"cm-\" i \".yaml\"; print \"x: 1\" >f; close(f) } }") &&
	commit_all work "20001 files" &&
	before=$(git -C server.git rev-parse main) &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "RG_CAP_ENV_FILES" err &&
	test "$(git -C server.git rev-parse main)" = "$before" &&
	git -C work reset -q --hard HEAD~1
'

test_expect_success 'RG_CAP_CONFIG_BYTES: a server config over 4 MiB' '
	cp server.yaml server.yaml.orig &&
	head -c 4194305 /dev/zero | tr "\\000" "#" >>server.yaml &&
	configmap work/envs/prod/cm.yaml cm k v2 &&
	commit_all work "cm v2" &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "RG_CAP_CONFIG_BYTES" err &&
	mv server.yaml.orig server.yaml
'

test_expect_success 'RG_CAP_TOKEN_BYTES: a token file over 4 KiB' '
	cp server.yaml server.yaml.orig &&
	head -c 4097 /dev/zero | tr "\\000" t >token &&
	chmod 600 token &&
	printf "forge:\n  kind: gitlab\n  url: http://127.0.0.1:9\n  token_file: %s\n" "$TRASH/token" >>server.yaml &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "RG_CAP_TOKEN_BYTES" err &&
	mv server.yaml.orig server.yaml
'

test_expect_success 'after every cap, a normal push still works' '
	git -C work push origin main 2>err &&
	test_grep "prod: 1 added|prod: 0 added, 1 changed" err
'

test_done
