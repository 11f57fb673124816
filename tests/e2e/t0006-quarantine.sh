#!/bin/sh
test_description='pre-receive reads pushed objects that are still in quarantine'
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	setup_server &&
	setup_work &&
	plain_config work prod:envs/prod &&
	deployment work/envs/prod/web.yaml web nginx:1.25 &&
	commit_all work initial &&
	git -C work push -q origin main 2>/dev/null
'

test_expect_success 'a rejected push: the hook read objects the server never stored' '
	write_file work/envs/prod/only-in-quarantine.yaml <<-\EOT &&
	apiVersion: v1
	kind: ConfigMap
	metadata:
	  namespace: quarantined-namespace
	EOT
	commit_all work "quarantined" &&
	blob=$(git -C work rev-parse HEAD:envs/prod/only-in-quarantine.yaml) &&
	commit=$(git -C work rev-parse HEAD) &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "envs/prod/only-in-quarantine\.yaml:1:1: " err &&
	test_must_fail git -C server.git cat-file -e "$blob" &&
	test_must_fail git -C server.git cat-file -e "$commit"
'

test_expect_success 'an accepted push: the new objects rendered from quarantine' '
	git -C work reset -q --hard HEAD~1 &&
	configmap work/envs/prod/new.yaml brand-new key quarantined-value &&
	commit_all work "new cm" &&
	git -C work push origin main 2>err &&
	test_grep "remote: \+  key: quarantined-value" err &&
	git -C server.git cat-file -e "$(git -C work rev-parse HEAD:envs/prod/new.yaml)"
'

# Gitaly passes GIT_OBJECT_DIRECTORY and GIT_ALTERNATE_OBJECT_DIRECTORIES
# but not GIT_QUARANTINE_PATH, and an absolute GIT_DIR: a hook wrapper
# that rebuilds the environment the same way.
test_expect_success 'GitLab-style environment (no GIT_QUARANTINE_PATH)' '
	abs=$(cd server.git && pwd) &&
	write_file server.git/hooks/pre-receive <<-EOT &&
	#!/bin/sh
	test -n "\$GIT_OBJECT_DIRECTORY" || { echo "no quarantine?" >&2; exit 9; }
	exec env -u GIT_QUARANTINE_PATH GIT_DIR="$abs" "$RENDERGATE" pre-receive --config "$TRASH/server.yaml"
	EOT
	chmod +x server.git/hooks/pre-receive &&
	write_file work/envs/prod/x.yaml <<-\EOT &&
	apiVersion: v1
	kind: ConfigMap
	EOT
	commit_all work "bad again" &&
	test_must_fail git -C work push origin main 2>err &&
	test_grep "envs/prod/x\.yaml:1:1: " err &&
	test_grep ! "no quarantine" err
'

test_done
