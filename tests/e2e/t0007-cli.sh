#!/bin/sh
test_description='render, diff and check from the command line, bare and not'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	git init -q repo &&
	plain_config repo staging:envs/staging prod:envs/prod &&
	deployment repo/envs/staging/web.yaml web nginx:1.25 &&
	deployment repo/envs/prod/web.yaml web nginx:1.25 &&
	configmap repo/envs/prod/cm.yaml settings LEVEL info &&
	commit_all repo one &&
	deployment repo/envs/prod/web.yaml web nginx:1.26 &&
	commit_all repo two &&
	git clone -q --bare repo bare.git
'

test_expect_success 'render prints a YAML stream with sources' '
	(cd repo && "$RENDERGATE" render --env prod) >out &&
	test_grep "^# Environment: prod" out &&
	test_grep "^---$" out &&
	test_grep "^# Source: envs/prod/web\.yaml$" out &&
	test_grep "image: nginx:1\.26" out &&
	test_grep ! "^# Environment: staging" out
'

test_expect_success 'render an older revision, in a bare repository' '
	(cd bare.git && "$RENDERGATE" render --env prod HEAD~1) >out &&
	test_grep "image: nginx:1\.25" out
'

test_expect_success 'render all environments, and from a subdirectory' '
	(cd repo/envs && "$RENDERGATE" render) >out &&
	test_grep "^# Environment: staging" out &&
	test_grep "^# Environment: prod" out
'

test_expect_success 'render --format json is valid JSON' '
	(cd repo && "$RENDERGATE" render --format json --env prod) >out.json &&
	python3 -c "import json,sys; d=json.load(open(\"out.json\")); o=d[\"environments\"][0][\"objects\"]; assert d[\"environments\"][0][\"name\"]==\"prod\"; assert any(x[\"object\"][\"kind\"]==\"Deployment\" for x in o), o"
'

test_expect_success 'diff shows the summary and the unified diff' '
	(cd repo && "$RENDERGATE" diff HEAD~1 HEAD) >out &&
	test_grep "^prod: 0 added, 1 changed, 0 removed" out &&
	test_grep "^-.*image: nginx:1\.25" out &&
	test_grep "^\+.*image: nginx:1\.26" out &&
	test_grep ! "^staging:" out
'

test_expect_success 'diff --trace says why' '
	(cd repo && "$RENDERGATE" diff --trace HEAD~1 HEAD) >out 2>err &&
	test_grep "trace: prod: rendered: " err &&
	test_grep "trace: staging: skipped: " err
'

test_expect_success 'diff --format json' '
	(cd repo && "$RENDERGATE" diff --format json HEAD~1 HEAD) >out.json &&
	python3 -c "import json; d=json.load(open(\"out.json\")); e=[x for x in d[\"environments\"] if x[\"name\"]==\"prod\"][0]; assert e[\"diff\"][\"changed\"]==1, e"
'

test_expect_success 'check: clean is 0, a deny finding is 1' '
	(cd repo && "$RENDERGATE" check) >out &&
	test_grep "2 environment\(s\) checked, 0 problem\(s\)" out &&
	printf "apiVersion: v1\nkind: ConfigMap\n" >repo/envs/prod/bad.yaml &&
	commit_all repo bad &&
	(cd repo && test_expect_code 1 "$RENDERGATE" check) >out &&
	test_grep "envs/prod/bad\.yaml:1:1: " out &&
	(cd repo && test_expect_code 1 "$RENDERGATE" check --format json) >out.json &&
	python3 -c "import json; d=json.load(open(\"out.json\")); assert d[\"exit_code\"]==1 and d[\"findings\"], d"
'

test_expect_success 'check --worktree sees uncommitted files; bare repositories have none' '
	git -C repo rm -q envs/prod/bad.yaml &&
	commit_all repo "no bad" &&
	(cd repo && "$RENDERGATE" check) >out &&
	printf "apiVersion: v1\nkind: Secret\n" >repo/envs/staging/uncommitted.yaml &&
	(cd repo && "$RENDERGATE" check) >out &&
	(cd repo && test_expect_code 1 "$RENDERGATE" check --worktree) >out &&
	test_grep "envs/staging/uncommitted\.yaml:1:1: " out &&
	(cd repo && "$RENDERGATE" render --worktree --env prod) >out &&
	test_grep "^# Source: envs/prod/web\.yaml$" out &&
	(cd bare.git && test_expect_code 2 "$RENDERGATE" check --worktree) 2>err >out &&
	test_grep "bare" out &&
	(cd repo && test_expect_code 2 "$RENDERGATE" check --worktree HEAD) 2>err &&
	test_grep "exclude each other" err &&
	rm repo/envs/staging/uncommitted.yaml
'

test_expect_success 'usage errors are exit 2, --help is 0' '
	for c in render diff check install pre-receive update post-receive; do
		"$RENDERGATE" $c --help >out || return 1
		test_grep "^usage: rendergate" out || return 1
	done &&
	test_expect_code 2 "$RENDERGATE" frobnicate 2>err &&
	test_grep "unknown command" err &&
	(cd repo && test_expect_code 2 "$RENDERGATE" diff HEAD) 2>err &&
	(cd repo && test_expect_code 2 "$RENDERGATE" render --env nope) 2>err &&
	test_grep "no environment .nope." err &&
	(cd repo && test_expect_code 2 "$RENDERGATE" render --format yaml) 2>err &&
	"$RENDERGATE" --version >out &&
	test_grep "^rendergate [0-9]" out &&
	"$RENDERGATE" --help >out &&
	test_grep "render" out
'

test_expect_success 'outside a repository' '
	mkdir empty &&
	(cd empty && GIT_CEILING_DIRECTORIES="$TRASH" test_expect_code 2 "$RENDERGATE" render) 2>err &&
	test_grep "not inside a git repository" err
'

test_done
