#!/bin/sh
test_description='hostile content: every push ends in a clear rejection, never a crash'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	setup_server &&
	setup_work &&
	plain_config work prod:envs/prod &&
	deployment work/envs/prod/web.yaml web nginx:1.25 &&
	commit_all work initial &&
	git -C work push -q origin main 2>/dev/null
'

# push_rejected PATTERN: commit everything, push, expect a rejection whose
# output matches PATTERN, check the server did not move, and drop the
# commit again.
push_rejected() {
	before=$(git -C server.git rev-parse main) &&
	commit_all work "hostile" &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "$1" err &&
	test_grep "push rejected" err &&
	test "$(git -C server.git rev-parse main)" = "$before" &&
	git -C work reset -q --hard HEAD~1
}

test_expect_success 'malformed YAML' '
	printf "apiVersion: v1\nkind: ConfigMap\ndata: [1, 2\n" >work/envs/prod/bad.yaml &&
	push_rejected "envs/prod/bad\.yaml:[0-9]+:[0-9]+: "
'

test_expect_success 'alias bomb (billion laughs)' '
	{
		echo "apiVersion: v1" &&
		echo "kind: ConfigMap" &&
		echo "metadata: {name: bomb}" &&
		echo "a0: &a0 [x, x, x, x, x, x, x, x, x, x]" &&
		i=1 &&
		while [ $i -le 9 ]; do
			p=$((i - 1)) &&
			echo "a$i: &a$i [*a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p]" &&
			i=$((i + 1)) || return 1
		done
	} >work/envs/prod/bomb.yaml &&
	push_rejected "envs/prod/bomb\.yaml.*(alias|RG_CAP_YAML)"
'

test_expect_success '10,000-deep nesting' '
	awk "BEGIN { for (i = 0; i < 10000; i++) printf \"[\"; for (i = 0; i < 10000; i++) printf \"]\"; print \"\" }" \
		>work/envs/prod/deep.yaml &&
	push_rejected "envs/prod/deep\.yaml.*(deep|depth|nesting|RG_CAP_YAML_DEPTH)"
'

test_expect_success '10,000-deep block nesting' '
	awk "BEGIN { for (i = 0; i < 10000; i++) { for (j = 0; j < i; j++) printf \" \"; print \"k:\" } }" \
		>work/envs/prod/deep2.yaml &&
	push_rejected "envs/prod/deep2\.yaml"
'

test_expect_success 'a 50 MB scalar' '
	{ printf "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  x: " &&
	  head -c 52428800 /dev/zero | tr "\\000" a &&
	  echo; } >work/envs/prod/big.yaml &&
	push_rejected "envs/prod/big\.yaml.*(RG_CAP_BLOB_BYTES|larger)"
'

test_expect_success 'a blob with NUL bytes' '
	printf "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: nul}\ndata:\n  x: a\000b\n" \
		>work/envs/prod/nul.yaml &&
	push_rejected "envs/prod/nul\.yaml"
'

test_expect_success 'invalid UTF-8' '
	printf "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: utf}\ndata:\n  x: \377\376\n" \
		>work/envs/prod/utf.yaml &&
	push_rejected "envs/prod/utf\.yaml"
'

test_expect_success 'a symlink in an environment' '
	ln -s ../../../../etc/passwd work/envs/prod/passwd.yaml &&
	push_rejected "envs/prod/passwd\.yaml.*symbolic link"
'

test_expect_success 'a symlinked directory in an environment' '
	ln -s /etc work/envs/prod/etc &&
	push_rejected "envs/prod/etc.*symbolic link"
'

test_expect_success 'a submodule in an environment' '
	mkdir work/envs/prod/sub &&
	git -C work update-index --add --cacheinfo \
		160000,1234567890123456789012345678901234567890,envs/prod/sub &&
	push_rejected "envs/prod/sub.*submodule"
'

test_expect_success 'a non-object document is a finding' '
	printf -- "- just\n- a list\n" >work/envs/prod/list.yaml &&
	push_rejected "envs/prod/list\.yaml:1:1: .*plain\.not-an-object"
'

test_expect_success 'thousands of problems: the output is cut, the verdict is not' '
	awk "BEGIN { for (i = 0; i < 5000; i++) print \"---\\napiVersion: v1\\nkind: ConfigMap\\ndata: {i: \\\"\" i \"\\\"}\" }" \
		>work/envs/prod/many.yaml &&
	push_rejected "more problem\(s\) and remark\(s\) not shown" &&
	test_grep "remote: rendergate: push rejected: 5000 problem\(s\)" err
'

test_expect_success 'the server is still healthy afterwards' '
	deployment work/envs/prod/web.yaml web nginx:1.26 &&
	commit_all work "prod: 1.26" &&
	git -C work push origin main 2>err &&
	test_grep "prod: 0 added, 1 changed, 0 removed" err
'

test_done
