#!/bin/sh
# t0602-promotion: promotion order between stages over real branch
# histories. Branch per environment (dev -> staging -> prod): a version
# arriving in a stage must be at the tip of the previous stage's branch,
# and must have soaked there (by first-parent commit time) for the
# previous stage's soak time; a forge merge into a stage must come from
# the previous stage's branch. Folders on one branch: the same for
# versions arriving in envs/prod while envs/staging lacks them, or has
# had them for too short a time.
test_description='promotion order and soak time, branches and folders'
. "$(dirname "$0")/lib.sh"

# api DIR VERSION: the api Deployment in DIR at VERSION
api() {
	deployment "$1/api.yaml" api "registry.example.com/shop/api:$2"
}

# commit_ago DIR SECONDS MESSAGE: commit everything, dated SECONDS ago
commit_ago() {
	GIT_COMMITTER_DATE="@$(($(date +%s) - $2)) +0000" commit_all "$1" "$3"
}

test_expect_success 'setup: dev, staging and prod branches; staging soaks 2h' '
	write_file policy.yaml <<-\EOT &&
	version: 1
	promotion:
	  stages:
	    - {name: staging, soak: 2h}
	versions:
	  components:
	    - {name: api, image: '"'"'^registry\.example\.com/shop/api$'"'"'}
	EOT
	printf "mode: enforce\npolicy_files: [%s]\n" "$TRASH/policy.yaml" >server.yaml &&
	setup_server &&
	setup_work &&
	write_file work/.rendergate.yaml <<-\EOT &&
	environments:
	  - {name: dev, branch: dev, path: deploy}
	  - {name: staging, branch: staging, path: deploy}
	  - {name: prod, branch: prod, path: deploy}
	stages: [dev, staging, prod]
	EOT
	commit_all work config &&
	git -C work push -q origin main 2>/dev/null &&
	api work/deploy 1.0.0 &&
	commit_all work "api 1.0.0" &&
	git -C work rev-parse HEAD >base &&
	git -C work push -q origin HEAD:dev 2>/dev/null &&
	git -C work push -q origin HEAD:staging 2>/dev/null &&
	git -C work push -q origin HEAD:prod 2>/dev/null &&
	test "$(git -C server.git rev-parse prod)" = "$(git -C work rev-parse HEAD)"
'

test_expect_success 'a version that skips dev is rejected on staging' '
	git -C work checkout -q -b staging origin/staging &&
	api work/deploy 2.0.0 &&
	commit_all work "api 2.0.0 straight to staging" &&
	test_must_fail git -C work push origin staging 2>err &&
	test_grep "deploy/api\.yaml:[0-9]+:[0-9]+: api 2\.0\.0 arrives in staging but is not in dev, the stage before it \(which has 1\.0\.0\) \(policy\.promotion\)" err &&
	test_grep "hint: promote api 2\.0\.0 to dev first" err &&
	cp err "$TRASH/msg-promotion" &&
	git -C work reset -q --hard origin/staging
'

test_expect_success 'through dev, then staging, a version soaked 3h reaches prod' '
	git -C work checkout -q -b dev origin/dev &&
	api work/deploy 2.0.0 &&
	commit_all work "dev: api 2.0.0" &&
	git -C work push -q origin dev 2>/dev/null &&
	git -C work checkout -q staging &&
	api work/deploy 2.0.0 &&
	commit_ago work 10800 "staging: api 2.0.0" &&
	git -C work push origin staging 2>err &&
	test_grep "push accepted" err &&
	git -C work checkout -q -b prod origin/prod &&
	api work/deploy 2.0.0 &&
	commit_all work "prod: api 2.0.0" &&
	git -C work push origin prod 2>err &&
	test_grep "push accepted" err
'

test_expect_success 'a version in staging for 30 minutes has not soaked: rejected on prod' '
	git -C work checkout -q dev &&
	api work/deploy 3.0.0 &&
	commit_all work "dev: api 3.0.0" &&
	git -C work push -q origin dev 2>/dev/null &&
	git -C work checkout -q staging &&
	api work/deploy 3.0.0 &&
	commit_ago work 1800 "staging: api 3.0.0" &&
	git -C work push -q origin staging 2>/dev/null &&
	git -C work checkout -q prod &&
	api work/deploy 3.0.0 &&
	commit_all work "prod: api 3.0.0" &&
	test_must_fail git -C work push origin prod 2>err &&
	test_grep "deploy/api\.yaml:[0-9]+:[0-9]+: api 3\.0\.0 has been in staging for (29|30)m, less than the 2h it must soak there before reaching prod \(policy\.soak\)" err &&
	cp err "$TRASH/msg-soak" &&
	git -C work reset -q --hard origin/prod
'

# staging_chain N: on top of staging's tip (api 3.0.0), a commit dated 3h
# ago, then N commits dated 10 minutes ago, all with the same tree; the
# last is printed
staging_chain() {
	tree=$(git -C work rev-parse "origin/staging^{tree}") &&
	now=$(date +%s) &&
	c=$(GIT_COMMITTER_DATE="@$((now - 10800)) +0000" \
		git -C work commit-tree -p origin/staging -m "staging: 3h ago" "$tree") &&
	i=0 &&
	while [ $i -lt "$1" ]; do
		c=$(GIT_COMMITTER_DATE="@$((now - 600)) +0000" \
			git -C work commit-tree -p "$c" -m "staging: $i" "$tree") ||
			return 1
		i=$((i + 1))
	done &&
	echo "$c"
}

test_expect_success 'a version in all 1000 commits of staging walked, none 2h old: rejected naming RG_CAP_POLICY_SOAK_COMMITS' '
	staging_chain 1000 >tip1000 &&
	git -C work push -q origin "$(cat tip1000):refs/heads/staging" 2>/dev/null &&
	git -C work checkout -q prod &&
	api work/deploy 3.0.0 &&
	commit_all work "prod: api 3.0.0" &&
	test_must_fail git -C work push origin prod 2>err &&
	test_grep "deploy/api\.yaml:[0-9]+:[0-9]+: api 3\.0\.0 is in all 1000 commits of staging walked back \(RG_CAP_POLICY_SOAK_COMMITS\) without reaching where it arrived, and the oldest of them is 10m old: the 2h it must soak there before reaching prod cannot be shown \(policy\.soak\)" err &&
	test_grep "hint: promote it again once the last 1000 commits of staging span 2h" err &&
	test_grep "push rejected" err &&
	cp err "$TRASH/msg-soak-cap" &&
	git -C work reset -q --hard origin/prod
'

test_expect_success 'the 1000th commit walked back is 3h old: soaked, accepted on prod' '
	git -C work push -q -f origin "$(cat tip1000)^:refs/heads/staging" 2>/dev/null &&
	test "$(git -C server.git rev-parse staging)" = "$(git -C work rev-parse "$(cat tip1000)^")" &&
	git -C work checkout -q prod &&
	api work/deploy 3.0.0 &&
	commit_all work "prod: api 3.0.0" &&
	git -C work push origin prod 2>err &&
	test_grep "push accepted" err
'

start_forge

test_expect_success 'setup: a GitLab server whose stages are all at 1.0.0' '
	printf "mode: enforce\nforge:\n  kind: gitlab\n  url: %s\n  token_file: %s\n  project: group/app\nspool_dir: %s\npolicy_files: [%s]\n" \
		"$FORGE_URL" "$TRASH/forge.token" "$TRASH/spool" "$TRASH/policy.yaml" >fserver.yaml &&
	git init -q --bare fserver.git &&
	"$RENDERGATE" install --config "$TRASH/fserver.yaml" fserver.git >/dev/null &&
	git -C work push -q "$TRASH/fserver.git" main:main 2>/dev/null &&
	for b in dev staging prod; do
		GL_PROTOCOL=web git -C work push -q "$TRASH/fserver.git" \
			"$(cat base):refs/heads/$b" 2>/dev/null || exit 1
	done &&
	test "$(git -C fserver.git rev-parse prod)" = "$(cat base)"
'

# mr IID SOURCE TARGET HEAD: one open merge request on the fake forge
mr() {
	forge_ctl POST /_ctl/seed "{\"gitlab\": {\"group/app\": {\"mrs\": [{\"iid\": $1, \"source_branch\": \"$2\", \"target_branch\": \"$3\", \"sha\": \"$4\"}]}}}" >/dev/null
}

test_expect_success 'a forge merge of dev into prod is rejected: prod comes from staging' '
	git -C work checkout -q -B fprod "$(cat base)" &&
	git -C work merge -q --no-ff -m "Merge branch dev into prod" dev &&
	mr 21 dev prod "$(git -C work rev-parse dev)" &&
	test_must_fail env GL_PROTOCOL=web git -C work push "$TRASH/fserver.git" fprod:prod 2>err &&
	test_grep "prod can only be promoted from staging \(branch staging\); this merge comes from branch dev \(policy\.promotion\)" err &&
	test_grep "GL-HOOK-ERR: .*prod can only be promoted from staging" err &&
	cp err "$TRASH/msg-promotion-branch"
'

test_expect_success 'dev into staging, then staging (soaked 3h) into prod, by forge merges' '
	GL_PROTOCOL=web git -C work push -q "$TRASH/fserver.git" dev:dev 2>/dev/null &&
	git -C work checkout -q -B fstaging "$(cat base)" &&
	GIT_COMMITTER_DATE="@$(($(date +%s) - 10800)) +0000" \
		git -C work merge -q --no-ff -m "Merge branch dev into staging" dev &&
	mr 22 dev staging "$(git -C work rev-parse dev)" &&
	GL_PROTOCOL=web git -C work push "$TRASH/fserver.git" fstaging:staging 2>err &&
	test_grep "push accepted" err &&
	git -C work checkout -q -B fprod "$(cat base)" &&
	git -C work merge -q --no-ff -m "Merge branch staging into prod" fstaging &&
	mr 23 staging prod "$(git -C work rev-parse fstaging)" &&
	GL_PROTOCOL=web git -C work push "$TRASH/fserver.git" fprod:prod 2>err &&
	test_grep "push accepted" err
'

test_expect_success 'setup: folders on one branch, staging then prod, staging soaks 1h' '
	write_file policy2.yaml <<-\EOT &&
	version: 1
	promotion:
	  soak: 1h
	versions:
	  components:
	    - {name: api, image: '"'"'^registry\.example\.com/shop/api$'"'"'}
	EOT
	printf "mode: enforce\npolicy_files: [%s]\n" "$TRASH/policy2.yaml" >dserver.yaml &&
	git init -q --bare dserver.git &&
	"$RENDERGATE" install --config "$TRASH/dserver.yaml" dserver.git >/dev/null &&
	setup_work dwork dserver &&
	plain_config dwork staging:envs/staging prod:envs/prod &&
	printf "stages: [staging, prod]\n" >>dwork/.rendergate.yaml &&
	api dwork/envs/staging 1.0.0 &&
	api dwork/envs/prod 1.0.0 &&
	commit_all dwork initial &&
	git -C dwork push -q origin HEAD:main 2>/dev/null
'

test_expect_success 'folders: prod ahead of staging is rejected' '
	api dwork/envs/prod 1.1.0 &&
	commit_all dwork "prod: 1.1.0" &&
	test_must_fail git -C dwork push origin HEAD:main 2>err &&
	test_grep "envs/prod/api\.yaml:[0-9]+:[0-9]+: api 1\.1\.0 arrives in prod but is not in staging, the stage before it \(which has 1\.0\.0\) \(policy\.promotion\)" err &&
	(cd dwork && test_expect_code 1 "$RENDERGATE" check --config ../dserver.yaml) >out &&
	test_grep "envs/prod/api\.yaml:[0-9]+:[0-9]+: api 1\.1\.0 arrives in prod but is not in staging.*\(policy\.promotion\)" out &&
	git -C dwork reset -q --hard HEAD~1
'

test_expect_success 'folders: staging and prod in one commit has not soaked' '
	api dwork/envs/staging 1.1.0 &&
	api dwork/envs/prod 1.1.0 &&
	commit_all dwork "both: 1.1.0" &&
	test_must_fail git -C dwork push origin HEAD:main 2>err &&
	test_grep "api 1\.1\.0 has been in staging for 0s, less than the 1h it must soak there before reaching prod \(policy\.soak\)" err &&
	(cd dwork && test_expect_code 1 "$RENDERGATE" check --config ../dserver.yaml) >out &&
	test_grep "api 1\.1\.0 has been in staging for 0s.*\(policy\.soak\)" out &&
	git -C dwork reset -q --hard HEAD~1
'

test_expect_success 'folders: staging two hours ago, then prod, is accepted' '
	api dwork/envs/staging 1.1.0 &&
	commit_ago dwork 7200 "staging: 1.1.0" &&
	git -C dwork push -q origin HEAD:main 2>/dev/null &&
	api dwork/envs/prod 1.1.0 &&
	commit_all dwork "prod: 1.1.0" &&
	git -C dwork push origin HEAD:main 2>err &&
	test_grep "push accepted" err
'

test_done
