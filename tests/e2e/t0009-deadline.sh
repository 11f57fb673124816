#!/bin/sh
test_description='the deadline from the server config rejects a slow run'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: many environments' '
	setup_server &&
	sh "$RG_TOP/bench/gen.sh" work 8 1000 &&
	git -C work remote add origin "$TRASH/server.git" &&
	git -C work push -q origin main 2>/dev/null
'

test_expect_success 'a tiny deadline rejects with the environment named' '
	printf "deadline: 100ms\n" >server.yaml &&
	for e in 1 2 3 4 5 6 7 8; do
		sed "s/replicas: 2/replicas: 5/" work/envs/env-$e/part-0000.yaml >x &&
		mv x work/envs/env-$e/part-0000.yaml || return 1
	done &&
	commit_all work "all envs" &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "rendergate ran out of time after [0-9]+ ms while rendering env-[0-9]" err
'

test_expect_success 'a sane deadline accepts the same push' '
	printf "deadline: 30s\n" >server.yaml &&
	git -C work push origin main 2>err &&
	test_grep "env-8: 0 added, 4 changed, 0 removed" err
'

test_done
