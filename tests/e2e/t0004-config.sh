#!/bin/sh
test_description='missing and broken configuration, server and repository'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	setup_server &&
	setup_work &&
	deployment work/envs/prod/web.yaml web nginx:1.25 &&
	commit_all work initial &&
	git -C work push -q origin main 2>/dev/null
'

test_expect_success 'no .rendergate.yaml anywhere: accepted with a note' '
	write_file work/envs/prod/bad.yaml <<-\EOT &&
	kind: Whatever
	EOT
	commit_all work "no config yet" &&
	git -C work push origin main 2>err &&
	test_grep "remote: rendergate: refs/heads/main: no \.rendergate\.yaml before this push; accepting without rendering" err
'

test_expect_success 'a broken .rendergate.yaml on the server rejects with line:col' '
	write_file work/.rendergate.yaml <<-\EOT &&
	environments:
	  - name: prod
	    path: envs/prod
	    kind: plain
	    brnach: main
	EOT
	git -C work rm -q envs/prod/bad.yaml &&
	commit_all work "config with a typo" &&
	git -C work push origin main 2>err &&
	deployment work/envs/prod/web.yaml web nginx:1.26 &&
	commit_all work "prod: 1.26" &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "remote: \.rendergate\.yaml:5:5: unknown key .brnach." err &&
	test_grep "hint: the repository config is read from the branch as it was before this push" err &&
	test_grep "push rejected" err
'

test_expect_success 'malformed YAML in .rendergate.yaml rejects with line:col' '
	printf "environments: [\n  - name: x\n" >bad-config.yaml &&
	blob=$(git -C server.git hash-object -w --stdin <bad-config.yaml) &&
	tree=$(printf "100644 blob %s\t.rendergate.yaml\n" "$blob" | git -C server.git mktree) &&
	c=$(echo broken | git -C server.git commit-tree "$tree") &&
	git -C server.git update-ref refs/heads/broken "$c" &&
	git -C work fetch -q origin broken &&
	git -C work checkout -q -b broken FETCH_HEAD &&
	echo x >work/file.txt &&
	commit_all work "on broken" &&
	test_must_fail git -C work push origin broken 2>err &&
	test_grep "remote: \.rendergate\.yaml:[0-9]+:[0-9]+: " err &&
	git -C work checkout -q main
'

test_expect_success 'the config fix itself is judged by the broken config (admin fixes it)' '
	plain_config work prod:envs/prod &&
	commit_all work "fix the config" &&
	test_must_fail git -C work push origin main 2>err &&
	printf "mode: warn\n" >server.yaml &&
	git -C work push origin main 2>err &&
	test_grep "warn mode" err &&
	printf "mode: enforce\n" >server.yaml &&
	deployment work/envs/prod/web.yaml web nginx:1.26 3 &&
	commit_all work "prod: 3 replicas" &&
	git -C work push origin main 2>err &&
	test_grep "prod: 0 added, 1 changed, 0 removed" err
'

test_expect_success '".." in a configured path is rejected' '
	write_file work/.rendergate.yaml <<-\EOT &&
	environments:
	  - name: prod
	    path: envs/../../etc
	EOT
	commit_all work "escape" &&
	git -C work push -q origin main 2>/dev/null &&
	deployment work/envs/prod/web.yaml web nginx:1.27 &&
	commit_all work "prod: 1.27" &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "\.rendergate\.yaml:3:11: " err &&
	test_grep "\.\." err &&
	printf "mode: warn\n" >server.yaml &&
	plain_config work prod:envs/prod &&
	commit_all work "config again" &&
	git -C work push -q origin main 2>/dev/null &&
	printf "mode: enforce\n" >server.yaml
'

test_expect_success 'a broken server config rejects every push' '
	printf "mode: enforce\nmoed: warn\n" >server.yaml &&
	deployment work/envs/prod/web.yaml web nginx:1.28 &&
	commit_all work "prod: 1.28" &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "server\.yaml:2:1: unknown key .moed." err &&
	test_grep "the server config is broken" err
'

test_expect_success 'a group-writable server config is refused' '
	printf "mode: enforce\n" >server.yaml &&
	chmod 664 server.yaml &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "lets group or others change it" err &&
	chmod 644 server.yaml &&
	git -C work push origin main 2>err &&
	test_grep "prod: 0 added, 1 changed, 0 removed" err
'

test_expect_success 'a token file readable by others is refused' '
	printf "secret\n" >token &&
	chmod 644 token &&
	printf "forge:\n  kind: gitlab\n  url: https://gitlab.example.com\n  token_file: %s\n" \
		"$TRASH/token" >server.yaml &&
	deployment work/envs/prod/web.yaml web nginx:1.29 &&
	commit_all work "prod: 1.29" &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "token file must be mode 0600" err &&
	chmod 600 token &&
	git -C work push origin main 2>err &&
	test_grep "prod: 0 added, 1 changed, 0 removed" err
'

test_expect_success 'an explicit --config that does not exist is an error' '
	echo "0000000000000000000000000000000000000000 $(git -C server.git rev-parse main) refs/heads/x" >in &&
	test_expect_code 2 env GIT_DIR=server.git "$RENDERGATE" pre-receive \
		--config "$TRASH/nope.yaml" <in 2>out &&
	test_grep "nope\.yaml" out
'

test_done
