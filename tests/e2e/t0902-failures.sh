#!/bin/sh
test_description='failures: a killed hook, concurrent pushes, a corrupt object, a full disk, unsafe files'
. "$(dirname "$0")/lib.sh"

# Everything the hook or git might leave behind goes through TMPDIR or
# the bare repository; both are checked after each failure.
HOOK_TMP=$TRASH/hooktmp
mkdir -p "$HOOK_TMP"

test_expect_success 'setup: four environments of 2000 objects' '
	setup_server &&
	sh "$RG_TOP/bench/gen.sh" work 4 2000 &&
	git -C work remote add origin "$TRASH/server.git" &&
	git -C work push -q origin main 2>/dev/null &&
	cp server.git/hooks/pre-receive pre-receive.real
'

# no_leftovers: no quarantine directory, temporary object, lock, render
# cache or dependency log temporary file left in the bare repository, and
# nothing in the hook's TMPDIR.
no_leftovers() {
	left=$(find server.git -name "incoming-*" -o -name "tmp_obj_*" \
		-o -name "*.lock" -o -name ".tmp-*" -o -name "*.deps.[0-9]*") &&
	if [ -n "$left" ]; then echo "left behind: $left" >&2; return 1; fi &&
	if [ -n "$(ls -A "$HOOK_TMP")" ]; then
		echo "left in the hook's TMPDIR: $(ls -A "$HOOK_TMP")" >&2
		return 1
	fi &&
	git -C server.git fsck --no-dangling >fsck.out 2>&1 ||
		{ echo "git fsck:" >&2; cat fsck.out >&2; return 1; }
}

# A pre-receive hook that runs the real one in the background with the
# push on its stdin and SIGKILLs it after $1 seconds (unless it is done).
killing_hook() {
	cat >server.git/hooks/pre-receive <<HOOK
#!/bin/sh
exec 3<&0
TMPDIR='$HOOK_TMP' sh '$TRASH/pre-receive.real' "\$@" <&3 &
pid=\$!
sleep $1
# kill succeeds on a hook that has exited but is not reaped yet: only
# the status says whether the signal ended it
kill -9 \$pid 2>/dev/null
wait \$pid
rc=\$?
test \$rc = 137 && echo "killed after $1 s" >&2
exit \$rc
HOOK
	chmod +x server.git/hooks/pre-receive
}

n=0
for delay in 0 0.01 0.02 0.04 0.07 0.1 0.15 0.25 0.4; do
	n=$((n + 1))
	test_expect_success "SIGKILL after $delay s: rejected, nothing left, next push works" '
		killing_hook '"$delay"' &&
		sed "s/replicas: [0-9]*/replicas: '"$((n + 2))"'/" work/envs/env-1/part-0000.yaml >x &&
		mv x work/envs/env-1/part-0000.yaml &&
		commit_all work "change '"$n"'" &&
		before=$(git -C server.git rev-parse main) &&
		rc=0 && git -C work push origin main 2>err || rc=$? &&
		if grep -q "killed after" err; then
			test "$rc" != 0 &&
			test "$(git -C server.git rev-parse main)" = "$before"
		else
			# the hook finished before the kill: a normal verdict
			test "$rc" = 0 && test_grep "env-1: 0 added, [0-9]+ changed" err
		fi &&
		no_leftovers &&
		cp pre-receive.real server.git/hooks/pre-receive &&
		git -C work push origin main 2>err2 &&
		test "$(git -C server.git rev-parse main)" = "$(git -C work rev-parse main)"
	'
done

test_expect_success 'at least one kill landed mid-run' '
	cp pre-receive.real server.git/hooks/pre-receive &&
	killing_hook 0.01 &&
	sed "s/replicas: [0-9]*/replicas: 40/" work/envs/env-2/part-0000.yaml >x &&
	mv x work/envs/env-2/part-0000.yaml &&
	commit_all work "change k" &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "killed after" err &&
	no_leftovers &&
	cp pre-receive.real server.git/hooks/pre-receive
'

# --- killed while the spool jobs are written --------------------------------
# With a forge configured, a push to a feature branch is a preview: the
# pre-receive hook renders it and, last, spools two jobs for the drainer
# (the merge request comment and the commit status). The kills below
# land there: some when the first, second, ... file event happens in the
# spool (a watcher on inotify kills the hook at that moment), the others
# at random points around the end of a measured run. post-receive is set
# aside meanwhile, so no drainer runs while the spool is looked at.

SPOOL=$TRASH/spool-kill
start_forge fk-token-0902

# killwatch.py SPOOL SKIP CMD...: run CMD; SIGKILL it at the file event
# number SKIP+1 in SPOOL (a file created or moved in), printing its name.
cat >killwatch.py <<\PY
import ctypes, os, select, signal, struct, sys
spool, skip, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.inotify_init1(os.O_NONBLOCK)
IN_CREATE, IN_MOVED_TO = 0x100, 0x80
if fd < 0 or libc.inotify_add_watch(fd, spool.encode(), IN_CREATE | IN_MOVED_TO) < 0:
    sys.exit("killwatch: inotify: %s" % os.strerror(ctypes.get_errno()))
child = os.fork()
if child == 0:
    os.close(fd)
    os.execvp(cmd[0], cmd)
seen = 0
while True:
    pid, st = os.waitpid(child, os.WNOHANG)
    if pid:
        sys.exit(os.waitstatus_to_exitcode(st) if st else 0)
    r, _, _ = select.select([fd], [], [], 0.05)
    if not r:
        continue
    buf = os.read(fd, 65536)
    off = 0
    while off < len(buf):
        _, mask, _, n = struct.unpack_from("iIII", buf, off)
        name = buf[off + 16:off + 16 + n].rstrip(b"\0").decode()
        off += 16 + n
        seen += 1
        if seen == skip + 1:
            os.kill(child, signal.SIGKILL)
            sys.stderr.write("killed at spool event %d (%s %s)\n" % (
                seen, "create" if mask & IN_CREATE else "moved-to", name))
PY

# spool_whole: no temporary file in the spool, and every job file there is
# a whole JSON job.
spool_whole() {
	left=$(find "$SPOOL" -name ".tmp-*") &&
	if [ -n "$left" ]; then echo "left in the spool: $left" >&2; return 1; fi &&
	for j in "$SPOOL"/*.json; do
		[ -e "$j" ] || continue
		python3 -c "import json, sys; j = json.load(open(sys.argv[1])); assert j[\"kind\"] in (\"comment\", \"status\"), j" "$j" ||
			{ echo "not a whole job: $j" >&2; return 1; }
	done
}

# expect_jobs N: N job files in the spool (else list what is there).
expect_jobs() {
	got=$(ls "$SPOOL"/*.json 2>/dev/null | wc -l) &&
	if [ "$got" != "$1" ]; then
		echo "want $1 jobs, have $got:" >&2
		ls -la "$SPOOL" >&2
		return 1
	fi
}

# A pre-receive hook running the real one under killwatch.py (skip $1
# events), or killed after $1 seconds when $2 is "after".
spool_killing_hook() {
	if [ "$2" = after ]; then
		killing_hook "$1"
		return
	fi
	cat >server.git/hooks/pre-receive <<HOOK
#!/bin/sh
TMPDIR='$HOOK_TMP' exec python3 '$TRASH/killwatch.py' '$SPOOL' $1 sh '$TRASH/pre-receive.real' "\$@"
HOOK
	chmod +x server.git/hooks/pre-receive
}

test_expect_success 'setup: a forge with a merge request for feature branch fs' '
	forge_ctl POST /_ctl/seed "{\"gitlab\": {\"group/app\": {\"mrs\": [{\"iid\": 7, \"source_branch\": \"fs\", \"target_branch\": \"main\"}]}}}" >/dev/null &&
	cp server.yaml server.yaml.noforge &&
	printf "forge:\n  kind: gitlab\n  url: %s\n  token_file: %s\n  project: group/app\nspool_dir: %s\n" \
		"$FORGE_URL" "$TRASH/forge.token" "$SPOOL" >>server.yaml &&
	mkdir -p "$SPOOL" && chmod 0750 "$SPOOL" &&
	mv server.git/hooks/post-receive post-receive.real &&
	cp pre-receive.real server.git/hooks/pre-receive &&
	git -C work fetch -q origin && git -C work reset -q --hard origin/main &&
	git -C work checkout -q -b fs &&
	sed "s/replicas: [0-9]*/replicas: 50/" work/envs/env-3/part-0001.yaml >x &&
	mv x work/envs/env-3/part-0001.yaml && commit_all work "fs 0" &&
	start=$(date +%s%N) &&
	git -C work push origin fs 2>err &&
	echo $((($(date +%s%N) - start) / 1000000)) >preview.ms &&
	test_grep "env-3: 0 added, [0-9]+ changed" err &&
	expect_jobs 2 &&
	spool_whole
'

n=0
for kill in "0 watch" "1 watch" "2 watch" "3 watch" r1 r2 r3 r4 r5 r6; do
	n=$((n + 1))
	test_expect_success "killed while spooling ($kill): no partial job, nothing left, next push works" '
		case "$kill" in
		r*)	# a random point between 70% and 110% of a whole preview push
			ms=$(cat preview.ms) &&
			delay=$(awk -v ms="$ms" -v s="$n$$" "BEGIN { srand(s); printf \"%.3f\", ms * (0.7 + 0.4 * rand()) / 1000 }") &&
			echo "kill after $delay s (a whole push took $ms ms)" &&
			spool_killing_hook "$delay" after ;;
		*)	spool_killing_hook ${kill% *} watch ;;
		esac &&
		jobs_before=$(ls "$SPOOL"/*.json 2>/dev/null | wc -l) &&
		sed "s/replicas: [0-9]*/replicas: $((n + 50))/" work/envs/env-3/part-0001.yaml >x &&
		mv x work/envs/env-3/part-0001.yaml &&
		commit_all work "fs '"$n"'" &&
		before=$(git -C server.git rev-parse fs) &&
		rc=0 && git -C work push origin fs 2>err || rc=$? &&
		{ grep -E "killed a|push (accepted|rejected)" err || :; } &&
		if grep -q "killed a" err; then
			test "$rc" != 0 &&
			test "$(git -C server.git rev-parse fs)" = "$before"
		else
			test "$rc" = 0 &&
			expect_jobs $((jobs_before + 2))
		fi &&
		spool_whole &&
		no_leftovers &&
		cp pre-receive.real server.git/hooks/pre-receive &&
		jobs_before=$(ls "$SPOOL"/*.json 2>/dev/null | wc -l) &&
		configmap work/envs/env-3/next.yaml next k "'"$n"'" &&
		commit_all work "fs '"$n"' next" &&
		git -C work push origin fs 2>err2 &&
		test "$(git -C server.git rev-parse fs)" = "$(git -C work rev-parse fs)" &&
		expect_jobs $((jobs_before + 2)) &&
		spool_whole
	'
done

test_expect_success 'killed as the first job appears: it is whole, nothing else is there' '
	cp pre-receive.real server.git/hooks/pre-receive &&
	spool_killing_hook 0 watch &&
	sed "s/replicas: [0-9]*/replicas: 99/" work/envs/env-3/part-0001.yaml >x &&
	mv x work/envs/env-3/part-0001.yaml && commit_all work "fs last" &&
	test_must_fail git -C work push origin fs 2>err &&
	test_grep "killed at spool event 1" err &&
	spool_whole && no_leftovers &&
	cp pre-receive.real server.git/hooks/pre-receive
'

test_expect_success 'the drainer delivers every job the killed hooks left' '
	n=$(ls "$SPOOL"/*.json | wc -l) &&
	test "$n" -ge 2 &&
	"$RENDERGATE" drain --once --config server.yaml --wait 20 --backoff-ms 10 --retry-now >out 2>derr &&
	cat out derr &&
	test_grep "failed" out &&
	test_grep " 0 failed" out &&
	test_grep ! "unreadable" derr &&
	test "$(ls "$SPOOL"/*.json 2>/dev/null | wc -l)" = 0 &&
	{ test ! -d "$SPOOL/failed" || test -z "$(ls -A "$SPOOL/failed")"; }
'

test_expect_success 'teardown: the forge out of the server config, post-receive back' '
	mv server.yaml.noforge server.yaml &&
	mv post-receive.real server.git/hooks/post-receive &&
	git -C work checkout -q main
'

test_expect_success 'two pushes to the same branch at once: one wins, no crash' '
	git clone -q server.git w2 &&
	git -C work pull -q --ff-only origin main 2>/dev/null || git -C work fetch -q origin &&
	git -C work reset -q --hard origin/main &&
	git -C w2 fetch -q origin && git -C w2 reset -q --hard origin/main &&
	sed "s/replicas: [0-9]*/replicas: 11/" work/envs/env-3/part-0000.yaml >x &&
	mv x work/envs/env-3/part-0000.yaml && commit_all work "a" &&
	sed "s/replicas: [0-9]*/replicas: 12/" w2/envs/env-4/part-0000.yaml >x &&
	mv x w2/envs/env-4/part-0000.yaml && commit_all w2 "b"
	(r=0; git -C work push origin main >o1 2>e1 || r=$?; echo $r >rc1) &
	(r=0; git -C w2 push origin main >o2 2>e2 || r=$?; echo $r >rc2) &
	wait
	r1=$(cat rc1) && r2=$(cat rc2) &&
	test "$r1" -lt 126 && test "$r2" -lt 126 &&
	test_grep ! "Sanitizer|runtime error|internal error" e1 &&
	test_grep ! "Sanitizer|runtime error|internal error" e2 &&
	tip=$(git -C server.git rev-parse main) &&
	if [ "$r1" = 0 ]; then
		test "$tip" = "$(git -C work rev-parse main)"
	else
		test "$r2" = 0 && test "$tip" = "$(git -C w2 rev-parse main)"
	fi &&
	{ [ "$r1" = 0 ] || [ "$r2" = 0 ]; } &&
	no_leftovers
'

test_expect_success 'two pushes to different branches at once: both gated' '
	git -C work fetch -q origin && git -C work reset -q --hard origin/main &&
	git -C w2 fetch -q origin && git -C w2 reset -q --hard origin/main &&
	git -C work checkout -q -b feat-a && git -C w2 checkout -q -b feat-b &&
	sed "s/replicas: [0-9]*/replicas: 21/" work/envs/env-1/part-0000.yaml >x &&
	mv x work/envs/env-1/part-0000.yaml && commit_all work "fa" &&
	printf "kind: [\n" >w2/envs/env-2/broken.yaml && commit_all w2 "fb"
	(r=0; git -C work push origin feat-a >o1 2>e1 || r=$?; echo $r >rc1) &
	(r=0; git -C w2 push origin feat-b >o2 2>e2 || r=$?; echo $r >rc2) &
	wait
	test "$(cat rc1)" -lt 126 && test "$(cat rc2)" -lt 126 &&
	test_grep "envs/env-2/broken\.yaml" e2 &&
	no_leftovers &&
	git -C work checkout -q main && git -C w2 checkout -q main
'

# The corrupt blob is not part of the push (git would catch that itself):
# only the hook reads it, for the environment it belongs to.
test_expect_success 'a corrupt object in the repository: rejected with a clear message' '
	git -C work fetch -q origin && git -C work reset -q --hard origin/main &&
	configmap work/envs/env-1/corrupt.yaml victim k original &&
	commit_all work "victim" &&
	git -C work push -q origin main 2>/dev/null &&
	blob=$(git -C work rev-parse HEAD:envs/env-1/corrupt.yaml) &&
	obj=server.git/objects/$(echo $blob | cut -c1-2)/$(echo $blob | cut -c3-) &&
	test -f "$obj" &&
	cp "$obj" obj.good &&
	chmod u+w "$obj" &&
	printf "garbage, not zlib" >"$obj" &&
	sed "s/replicas: [0-9]*/replicas: 33/" work/envs/env-1/part-0000.yaml >x &&
	mv x work/envs/env-1/part-0000.yaml &&
	commit_all work "a change next to the corrupt file" &&
	before=$(git -C server.git rev-parse main) &&
	test_must_fail git -C work push origin main 2>err &&
	test "$(git -C server.git rev-parse main)" = "$before" &&
	test_grep "push rejected|rejected" err &&
	test_grep "cannot read envs/env-1/corrupt\.yaml" err &&
	test_grep ! "Sanitizer|runtime error" err
'

test_expect_success 'the object repaired, the same push is accepted' '
	blob=$(git -C work rev-parse HEAD:envs/env-1/corrupt.yaml) &&
	obj=server.git/objects/$(echo $blob | cut -c1-2)/$(echo $blob | cut -c3-) &&
	cp obj.good "$obj" &&
	git -C work push origin main 2>err &&
	test "$(git -C server.git rev-parse main)" = "$(git -C work rev-parse main)" &&
	no_leftovers
'

# The drainer rewrites a job (attempts + 1) when a delivery fails; with
# the file size limit at 1 KiB the rewrite cannot be written, as on a
# full disk. The job must stay whole and no temporary file may remain.
test_expect_success 'disk full while spooling: the job survives whole, no temporary file' '
	mkdir -p spool &&
	body=$(awk "BEGIN { for (i = 0; i < 3000; i++) printf \"x\" }") &&
	printf "{\"v\":1,\"kind\":\"comment\",\"mr\":5,\"body\":\"%s\",\"created\":1763713312,\"attempts\":0,\"next_attempt\":0}\n" "$body" >spool/.tmp-a &&
	mv spool/.tmp-a spool/20260101T000000.000000000-1-aaaa.json &&
	cp spool/20260101T000000.000000000-1-aaaa.json job.orig &&
	printf "mode: enforce\n" >empty.yaml &&
	printf "t0k3n\n" >token && chmod 600 token &&
	rc=0 &&
	(trap "" XFSZ; ulimit -f 2;
	 "$RENDERGATE" drain --once --config empty.yaml --spool spool \
		--forge gitlab --url http://127.0.0.1:9 --project g/p \
		--token-file token --backoff-ms 10 --wait 0) >out 2>err || rc=$? &&
	test "$rc" = 1 &&
	test_grep "cannot requeue: spool: writing .*File too large" err &&
	test_grep ! "Sanitizer|runtime error" err &&
	test -z "$(find spool -name ".tmp-*")" &&
	test "$(find spool -name "*.json" | wc -l)" = 1 &&
	cmp job.orig spool/20260101T000000.000000000-1-aaaa.json
'

test_expect_success 'a group-writable server config is refused, the push rejected' '
	git -C work fetch -q origin && git -C work reset -q --hard origin/main &&
	chmod 0664 server.yaml &&
	configmap work/envs/env-1/perm.yaml perm k v &&
	commit_all work "perm" &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "server\.yaml: mode 0664 lets group or others change it" err &&
	chmod 0644 server.yaml
'

test_expect_success 'a token file readable by others is refused, the push rejected' '
	cp server.yaml server.yaml.orig &&
	printf "s3cr3t-token-value\n" >tok && chmod 0644 tok &&
	printf "forge:\n  kind: gitlab\n  url: http://127.0.0.1:9\n  token_file: %s\n" "$TRASH/tok" >>server.yaml &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "tok: mode 0644 gives group or others access" err &&
	test_grep ! "s3cr3t-token-value" err &&
	mv server.yaml.orig server.yaml
'

test_expect_success 'a group-writable admin policy file is refused' '
	cp server.yaml server.yaml.orig &&
	printf "images:\n  allow: [\"nginx:.*\"]\n" >admin-policy.yaml && chmod 0666 admin-policy.yaml &&
	printf "policy_files: [%s]\n" "$TRASH/admin-policy.yaml" >>server.yaml &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "admin-policy\.yaml: mode 0666" err &&
	mv server.yaml.orig server.yaml
'

test_expect_success 'with the files fixed, the same push is accepted' '
	git -C work push origin main 2>err &&
	test "$(git -C server.git rev-parse main)" = "$(git -C work rev-parse main)"
'

test_done
