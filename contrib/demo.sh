#!/bin/sh
# contrib/demo.sh BINARY - rendergate in five steps, in a throw-away
# directory: a bare repository with rendergate installed as its hooks, the
# example GitOps repository pushed into it, one good change (accepted, with
# the rendered diff) and one bad change (rejected, with the reason).
# Run by `make demo`. Touches nothing outside its temporary directory.
set -eu

bin=${1:?usage: contrib/demo.sh path/to/rendergate}
case $bin in
/*) ;;
*) bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin") ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
[ -x "$bin" ] || { echo "demo: $bin is not an executable" >&2; exit 2; }
command -v git >/dev/null || { echo "demo: git is not installed (make deps)" >&2; exit 2; }

umask 022
demo=$(mktemp -d "${TMPDIR:-/tmp}/rendergate-demo.XXXXXX")
trap 'rm -rf "$demo"' EXIT
trap 'exit 130' INT TERM

# Keep the demo independent of your own git configuration.
export HOME="$demo/home" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
unset GIT_DIR GIT_WORK_TREE RENDERGATE_CONFIG RENDERGATE_TRACE
git config --global user.name "Demo User"
git config --global user.email "demo@example.com"
git config --global init.defaultBranch main
git config --global advice.detachedHead false

if [ -t 1 ]; then b=$(printf '\033[1m'); n=$(printf '\033[0m'); else b=; n=; fi
step() { printf '\n%s==> %s%s\n' "$b" "$*" "$n"; }
explain() { printf '    %s\n' "$@"; }
show() { printf '%s$ %s%s\n' "$b" "$*" "$n"; }

step "1. A bare repository with rendergate installed as its hooks"
explain "This stands in for the repository on your Git server." \
	"'rendergate install' writes hooks/pre-receive and hooks/post-receive;" \
	"each is a two-line script that runs this rendergate binary."
printf 'mode: enforce\ndeadline: 10s\n' >"$demo/server.yaml"
git init -q --bare "$demo/shop.git"
git -C "$demo/shop.git" config receive.advertisePushOptions true
show rendergate install --config server.yaml shop.git
"$bin" install --config "$demo/server.yaml" "$demo/shop.git" | sed "s|$demo/||"

step "2. The example GitOps repository, pushed for the first time"
explain "contrib/example-repo: three environments (staging, prod-eu, prod-us)" \
	"as folders of plain manifests, named in .rendergate.yaml." \
	"The server has no .rendergate.yaml yet, so this first push is accepted" \
	"without rendering: rendergate always reads its config from the state" \
	"before the push, never from the push itself."
git init -q "$demo/shop"
cp -R "$here/example-repo/." "$demo/shop/"
cd "$demo/shop"
git add -A
git commit -q -m "shop: staging, prod-eu and prod-us"
git remote add origin "$demo/shop.git"
show git push origin main
git push origin main 2>&1 | grep -v '^To ' || true

step "3. A good change: roll web 1.8.0 out to prod-eu"
explain "Only envs/prod-eu changes, so only prod-eu is rendered (the trace" \
	"line says why); the push is accepted and the rendered diff is printed."
sed 's|shop/web:1.7.2|shop/web:1.8.0|' envs/prod-eu/web.yaml >web.tmp
mv web.tmp envs/prod-eu/web.yaml
git commit -q -am "prod-eu: web 1.8.0"
show git push -o rendergate.trace origin main
git push -o rendergate.trace origin main 2>&1 | grep -v '^To '

step "4. A bad change: a manifest without a name, and a duplicate"
explain "staging gets a ConfigMap that lacks metadata.name, and a second" \
	"Service called web. rendergate rejects the whole push and says where."
cat >envs/staging/broken.yaml <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  namespace: shop
data:
  LOG_LEVEL: debug
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  ports:
    - port: 8080
EOF
git add envs/staging/broken.yaml
git commit -q -m "staging: debug settings"
show git push origin main
if git push origin main >"$demo/push.out" 2>&1; then
	cat "$demo/push.out"
	echo "demo: the bad push was accepted; that is a bug" >&2
	exit 1
fi
grep -v '^To ' "$demo/push.out"

step "5. The server still has the good state"
show git -C shop.git log --oneline
git -C "$demo/shop.git" log --oneline
explain "" "Next: README.md ('Installing on a server'), rendergate(1)," \
	"and 'rendergate render|diff|check' inside any checkout." \
	"The demo directory is removed now."
