#!/bin/sh
# t7001-drain: `rendergate drain` as installed, against the loopback fake
# forge (tests/forge/server.py): jobs written by hand in the documented
# spool format (spool.h) are delivered to GitLab and Gitea, comments are
# updated in place, an outage requeues, the token file must be 0600 and
# the token never shows in the output.
test_description='drain delivers spooled comments and statuses'
. "$(dirname "$0")/lib.sh"

TOKEN=e2e-token-7c1d9
SHA=0123456789abcdef0123456789abcdef01234567

# The fake forge, stopped when the script ends (and after 300 s anyway).
start_forge "$TOKEN"
URL=$FORGE_URL
PORT=${FORGE_URL##*:}

ctl() { # METHOD PATH [JSON]
	forge_ctl "$@"
}

state_field() { # python expression over the /_ctl/state JSON as s
	ctl GET /_ctl/state | python3 -c "import json,sys; s=json.load(sys.stdin); print($1)"
}

job() { # FILE-ID JSON: a job as the hooks write it
	mkdir -p "$TRASH/spool" &&
	printf '%s\n' "$2" >"$TRASH/spool/.tmp-$1" &&
	mv "$TRASH/spool/.tmp-$1" "$TRASH/spool/$1.json"
}

printf '%s\n' "$TOKEN" >"$TRASH/token"
chmod 600 "$TRASH/token"
printf 'mode: enforce\n' >"$TRASH/empty.yaml"

drain() { # FORGE PROJECT [ARGS...]
	f=$1
	p=$2
	shift 2
	"$RENDERGATE" drain --once --config "$TRASH/empty.yaml" --spool "$TRASH/spool" \
		--forge "$f" --url "$URL" --project "$p" --token-file "$TRASH/token" \
		--backoff-ms 10 --wait 0 "$@"
}

test_expect_success 'the fake forge is up' '
	test -n "$PORT" &&
	ctl POST /_ctl/seed "{\"gitlab\": {\"group/app\": {\"mrs\": [{\"iid\": 4, \"source_branch\": \"feat\", \"target_branch\": \"main\", \"sha\": \"$SHA\"}]}}, \"gitea\": {\"org/repo\": {\"id\": 3, \"pulls\": [{\"number\": 9, \"head\": \"feat\", \"base\": \"main\"}]}}}"
'

test_expect_success 'drain --help' '
	"$RENDERGATE" drain --help >out &&
	test_grep "--once" out &&
	test_grep "Exit status" out
'

test_expect_success 'GitLab: comment by source branch and status delivered' '
	job 20260101T000000.000000001-1-aaaa "{\"v\": 1, \"kind\": \"comment\", \"project\": \"group/app\", \"source_branch\": \"feat\", \"body\": \"<!-- rendergate:report -->\\n### first\"}" &&
	job 20260101T000000.000000002-1-aaab "{\"v\": 1, \"kind\": \"status\", \"project\": \"group/app\", \"sha\": \"$SHA\", \"state\": \"failed\", \"description\": \"1 finding\"}" &&
	drain gitlab group/app >out 2>err &&
	test_grep "2 delivered" out &&
	test -z "$(ls "$TRASH/spool"/*.json 2>/dev/null)" &&
	test "$(state_field "len(s[\"gitlab\"][\"group/app\"][\"notes\"][\"4\"])")" = 1 &&
	test "$(state_field "s[\"statuses\"][0][\"status\"]")" = failed &&
	test "$(state_field "s[\"statuses\"][0][\"name\"]")" = rendergate
'

test_expect_success 'GitLab: the next push updates the same comment' '
	job 20260101T000001.000000001-1-aaac "{\"v\": 1, \"kind\": \"comment\", \"project\": \"group/app\", \"mr\": 4, \"body\": \"<!-- rendergate:report -->\\n### second\"}" &&
	drain gitlab group/app --verbose >out 2>err &&
	test_grep "comment [0-9]+ updated on merge request 4" err &&
	test "$(state_field "len(s[\"gitlab\"][\"group/app\"][\"notes\"][\"4\"])")" = 1 &&
	test "$(state_field "s[\"gitlab\"][\"group/app\"][\"notes\"][\"4\"][0][\"body\"]")" = "<!-- rendergate:report -->
### second" &&
	test_grep "http: GET $URL/api/v4/projects/group%2Fapp/merge_requests/4/notes" err &&
	test_grep ! "$TOKEN" err &&
	test_grep ! "$TOKEN" out
'

test_expect_success 'Gitea: outage requeues, later drain delivers once' '
	ctl POST /_ctl/faults "{\"path\": \"/api/v1/\", \"kind\": \"503\", \"times\": 1000}" &&
	job 20260101T000002.000000001-1-aaad "{\"v\": 1, \"kind\": \"comment\", \"source_branch\": \"feat\", \"body\": \"<!-- rendergate:report -->\\ngitea\"}" &&
	drain gitea org/repo --deadline-ms 1500 >out 2>err &&
	test_grep "1 requeued" out &&
	test_grep "\"attempts\": 1" "$TRASH/spool/20260101T000002.000000001-1-aaad.json" &&
	test_grep "HTTP 503" "$TRASH/spool/20260101T000002.000000001-1-aaad.json" &&
	ctl POST /_ctl/reset "{}" >/dev/null &&
	ctl POST /_ctl/seed "{\"gitea\": {\"org/repo\": {\"id\": 3, \"pulls\": [{\"number\": 9, \"head\": \"feat\", \"base\": \"main\"}]}}}" >/dev/null &&
	drain gitea org/repo >out 2>err &&
	test_grep "1 waiting" out &&
	drain gitea org/repo --retry-now >out 2>err &&
	test_grep "1 delivered" out &&
	drain gitea org/repo --retry-now >out 2>err &&
	test_grep "0 delivered" out &&
	test "$(state_field "len(s[\"gitea\"][\"org/repo\"][\"comments\"][\"9\"])")" = 1
'

test_expect_success 'two drainers at once deliver a job once' '
	ctl POST /_ctl/reset "{}" >/dev/null &&
	ctl POST /_ctl/seed "{\"gitlab\": {\"group/app\": {\"mrs\": [{\"iid\": 4, \"source_branch\": \"feat\"}]}}, \"gitea\": {\"org/repo\": {\"id\": 3, \"pulls\": [{\"number\": 9, \"head\": \"feat\", \"base\": \"main\"}]}}}" >/dev/null &&
	ctl POST /_ctl/faults "{\"path\": \"/notes$\", \"method\": \"GET\", \"kind\": \"slow\", \"delay\": 8}" >/dev/null &&
	job 20260101T000002.500000001-1-aaba "{\"v\": 1, \"kind\": \"comment\", \"project\": \"group/app\", \"mr\": 4, \"body\": \"<!-- rendergate:report -->\\nonce\"}" &&
	{ drain gitlab group/app >out1 2>err1 & p1=$!; } &&
	{ drain gitlab group/app >out2 2>err2 & p2=$!; } &&
	wait $p1 && wait $p2 &&
	cat out1 out2 err1 err2 >all &&
	test_grep "another drainer is running" all &&
	test "$(grep -c "1 delivered" all)" = 1 &&
	test "$(ctl GET /_ctl/requests | python3 -c "import json,sys; print(sum(1 for r in json.load(sys.stdin) if r[\"method\"] == \"POST\"))")" = 1 &&
	test "$(state_field "len(s[\"gitlab\"][\"group/app\"][\"notes\"][\"4\"])")" = 1
'

test_expect_success 'settings from the server config file' '
	cat >"$TRASH/server.yaml" <<-EOF &&
	forge:
	  kind: gitea
	  url: $URL
	  token_file: $TRASH/token
	  project: org/repo
	spool_dir: $TRASH/spool2
	EOF
	mkdir -p "$TRASH/spool2" &&
	printf "%s\n" "{\"v\": 1, \"kind\": \"status\", \"sha\": \"$SHA\", \"state\": \"success\"}" >"$TRASH/spool2/20260101T000003.000000001-1-aaae.json" &&
	"$RENDERGATE" drain --once --config "$TRASH/server.yaml" --wait 0 >out 2>err &&
	test_grep "1 delivered" out &&
	test "$(state_field "[x[\"status\"] for x in s[\"statuses\"] if x[\"forge\"] == \"gitea\"][-1]")" = success &&
	test "$(state_field "[x[\"context\"] for x in s[\"statuses\"] if x[\"forge\"] == \"gitea\"][-1]")" = rendergate
'

test_expect_success 'a token file readable by others is refused, token unprinted' '
	chmod 644 "$TRASH/token" &&
	test_expect_code 2 drain gitlab group/app >out 2>err &&
	test_grep "chmod 600" err &&
	test_grep ! "$TOKEN" err &&
	chmod 600 "$TRASH/token"
'

test_expect_success 'plain http to a remote host is refused' '
	test_expect_code 2 "$RENDERGATE" drain --once --config "$TRASH/empty.yaml" \
		--spool "$TRASH/spool" --forge gitlab --url http://gitlab.example.com \
		--project g/p --token-file "$TRASH/token" >out 2>err &&
	test_grep "https is required" err
'

test_expect_success 'a broken job file moves to failed/' '
	printf "{not json\n" >"$TRASH/spool/20260101T000004.000000001-1-aaaf.json" &&
	test_expect_code 1 drain gitlab group/app >out 2>err &&
	test_grep "unreadable job" err &&
	test -f "$TRASH/spool/failed/20260101T000004.000000001-1-aaaf.json"
'

test_done
