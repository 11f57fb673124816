#!/bin/sh
test_description='rendergate install for plain git, GitLab and Gitea, and argv[0] dispatch'
. "$(dirname "$0")/lib.sh"

good_repo() {
	setup_work "$1" "$2" &&
	plain_config "$1" prod:envs/prod &&
	deployment "$1"/envs/prod/web.yaml web nginx:1.25 &&
	commit_all "$1" initial &&
	git -C "$1" push -q origin main 2>/dev/null &&
	write_file "$1"/envs/prod/bad.yaml <<-\EOT &&
	kind: ConfigMap
	EOT
	commit_all "$1" bad
}

test_expect_success 'plain install writes hooks/pre-receive and post-receive' '
	printf "mode: enforce\n" >server.yaml &&
	git init -q --bare plain.git &&
	"$RENDERGATE" install --config server.yaml plain.git >out &&
	test -x plain.git/hooks/pre-receive &&
	test -x plain.git/hooks/post-receive &&
	test_grep "^exec .* pre-receive --config .*/server\.yaml. \"\\\$@\"$" plain.git/hooks/pre-receive &&
	good_repo w1 plain &&
	test_must_fail git -C w1 push origin main 2>err &&
	test_grep "push rejected" err
'

test_expect_success 'install refuses to replace a foreign hook, and changes nothing' '
	git init -q --bare foreign.git &&
	printf "#!/bin/sh\nexit 0\n" >foreign.git/hooks/post-receive &&
	test_expect_code 2 "$RENDERGATE" install foreign.git 2>err &&
	test_grep "not written by rendergate; use --force" err &&
	test ! -e foreign.git/hooks/pre-receive &&
	"$RENDERGATE" install --force foreign.git >/dev/null &&
	test_grep "written by rendergate install" foreign.git/hooks/post-receive
'

test_expect_success 'reinstalling over our own hooks needs no --force' '
	"$RENDERGATE" install --config server.yaml plain.git >/dev/null
'

test_expect_success 'install on something that is not a repository is exit 2' '
	mkdir notrepo &&
	test_expect_code 2 "$RENDERGATE" install notrepo 2>err &&
	test_grep "not a git repository" err
'

test_expect_success 'GitLab layout: custom_hooks/<hook>.d/rendergate' '
	git init -q --bare gitlab.git &&
	"$RENDERGATE" install --gitlab --config server.yaml gitlab.git >/dev/null &&
	test -x gitlab.git/custom_hooks/pre-receive.d/rendergate &&
	test -x gitlab.git/custom_hooks/post-receive.d/rendergate &&
	good_repo w2 gitlab &&
	old=$(git -C gitlab.git rev-parse main) &&
	new=$(git -C w2 rev-parse HEAD) &&
	git -C gitlab.git fetch -q ../w2 main:refs/rg/tmp &&
	echo "$old $new refs/heads/main" >in &&
	abs=$(cd gitlab.git && pwd) &&
	(cd gitlab.git && test_expect_code 1 env -i PATH="$PATH" HOME="$HOME" \
		GIT_DIR="$abs" GL_PROTOCOL=web GL_USERNAME=dev \
		./custom_hooks/pre-receive.d/rendergate <"$TRASH/in" 2>"$TRASH/err") &&
	test_grep "^GL-HOOK-ERR: envs/prod/bad\.yaml:1:1: " err
'

# Gitea runs hooks/pre-receive, a wrapper that feeds stdin to every
# executable in hooks/pre-receive.d/ (forge.md 3.1); imitate it.
test_expect_success 'Gitea layout: hooks/pre-receive.d/rendergate under a Gitea-style wrapper' '
	git init -q --bare gitea.git &&
	"$RENDERGATE" install --gitea --config server.yaml gitea.git >/dev/null &&
	test -x gitea.git/hooks/pre-receive.d/rendergate &&
	write_file gitea.git/hooks/pre-receive <<-\EOT &&
	#!/usr/bin/env bash
	data=$(cat)
	exitcodes=""
	hookname=$(basename $0)
	GIT_DIR=${GIT_DIR:-$(dirname $0)/..}
	for hook in ${GIT_DIR}/hooks/${hookname}.d/*; do
		test -x "${hook}" && test -f "${hook}" || continue
		echo "${data}" | "${hook}"
		exitcodes="${exitcodes} $?"
	done
	for i in ${exitcodes}; do
		[ ${i} -eq 0 ] || exit ${i}
	done
	EOT
	chmod +x gitea.git/hooks/pre-receive &&
	good_repo w3 gitea &&
	test_must_fail git -C w3 push origin main 2>err &&
	test_grep "remote: envs/prod/bad\.yaml:1:1: " err
'

test_expect_success 'argv[0] dispatch: the binary linked as hooks/pre-receive' '
	git init -q --bare linked.git &&
	ln -s "$RENDERGATE" linked.git/hooks/pre-receive &&
	printf "mode: enforce\n" >linked.yaml &&
	good_repo w4 linked &&
	RENDERGATE_CONFIG="$TRASH/linked.yaml" test_must_fail git -C w4 push origin main 2>err &&
	test_grep "envs/prod/bad\.yaml:1:1: " err
'

test_expect_success 'dispatch by directory: the binary linked as custom_hooks/pre-receive.d/rendergate' '
	git init -q --bare dlinked.git &&
	mkdir -p dlinked.git/custom_hooks/pre-receive.d &&
	ln -s "$RENDERGATE" dlinked.git/custom_hooks/pre-receive.d/rendergate &&
	good_repo w5 dlinked &&
	old=$(git -C dlinked.git rev-parse main) &&
	new=$(git -C w5 rev-parse HEAD) &&
	git -C dlinked.git fetch -q ../w5 main:refs/rg/tmp &&
	echo "$old $new refs/heads/main" >in &&
	abs=$(cd dlinked.git && pwd) &&
	test_expect_code 1 env GIT_DIR="$abs" RENDERGATE_CONFIG="$TRASH/linked.yaml" \
		dlinked.git/custom_hooks/pre-receive.d/rendergate <in 2>err &&
	test_grep "envs/prod/bad\.yaml:1:1: " err
'

test_done
