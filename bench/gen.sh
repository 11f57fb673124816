#!/bin/sh
# bench/gen.sh DIR ENVS OBJECTS - write a GitOps repository into DIR (a new
# git work tree, committed on branch main): ENVS plain environments
# envs/env-1 ... envs/env-ENVS, each with OBJECTS objects (Deployments,
# Services and ConfigMaps in rotation, 10 objects per file), and the
# .rendergate.yaml that names them. Deterministic: the same arguments give
# the same tree.
set -eu
dir=${1:?usage: bench/gen.sh DIR ENVS OBJECTS}
envs=${2:?usage: bench/gen.sh DIR ENVS OBJECTS}
objs=${3:?usage: bench/gen.sh DIR ENVS OBJECTS}

mkdir -p "$dir"
cd "$dir"
[ -d .git ] || git init -q -b main .

{
	echo "environments:"
	e=1
	while [ "$e" -le "$envs" ]; do
		printf '  - name: env-%d\n    path: envs/env-%d\n    kind: plain\n' "$e" "$e"
		e=$((e + 1))
	done
} >.rendergate.yaml

# One environment, written by awk for speed: object i goes to file i/10.
e=1
while [ "$e" -le "$envs" ]; do
	mkdir -p "envs/env-$e"
	awk -v env="env-$e" -v n="$objs" -v dir="envs/env-$e" 'BEGIN {
		for (i = 0; i < n; i++) {
			f = sprintf("%s/part-%04d.yaml", dir, int(i / 10));
			if (i % 10) print "---" > f;
			k = i % 3;
			if (k == 0) {
				print "apiVersion: apps/v1\nkind: Deployment\nmetadata:" > f;
				printf "  name: app-%d\n  namespace: %s\n", i, env > f;
				printf "  labels:\n    app: app-%d\n    tier: backend\n", i > f;
				print "spec:\n  replicas: 2\n  selector:\n    matchLabels:" > f;
				printf "      app: app-%d\n", i > f;
				print "  template:\n    metadata:\n      labels:" > f;
				printf "        app: app-%d\n", i > f;
				print "    spec:\n      containers:" > f;
				printf "        - name: app\n          image: registry.example.com/app-%d:1.0.%d\n", i, i % 17 > f;
				print "          ports:\n            - containerPort: 8080" > f;
				print "          resources:\n            requests:\n              cpu: 50m\n              memory: 64Mi" > f;
			} else if (k == 1) {
				print "apiVersion: v1\nkind: Service\nmetadata:" > f;
				printf "  name: svc-%d\n  namespace: %s\n", i, env > f;
				printf "spec:\n  selector:\n    app: app-%d\n", i - 1 > f;
				print "  ports:\n    - port: 80\n      targetPort: 8080" > f;
			} else {
				print "apiVersion: v1\nkind: ConfigMap\nmetadata:" > f;
				printf "  name: cfg-%d\n  namespace: %s\n", i, env > f;
				printf "data:\n  LOG_LEVEL: info\n  INSTANCE: \"%d\"\n  URL: https://svc-%d.%s.svc:8443/api\n", i, i, env > f;
			}
			if (i % 10 == 9) close(f);
		}
	}'
	e=$((e + 1))
done
git add -A
git -c user.name=bench -c user.email=bench@example.com commit -q -m "bench: $envs environments x $objs objects"
