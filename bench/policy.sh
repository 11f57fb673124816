#!/bin/sh
# Times the policy check of one rendered environment: 50 generic rules
# (the 11 of contrib/policies/pod-security-baseline.yaml and 39 generated
# ones using every kind of condition, wildcard paths, name patterns and
# label matches), plus image allow/deny lists, tag rules and namespace
# ownership, over 5,000 objects (Deployments with two containers,
# Services, ConfigMaps, some StatefulSets and CronJobs). The check runs
# in-process (tests/policy-driver.c, built here like bench/helm.sh builds
# the helm driver), ROUNDS times on the same parsed objects; printed:
# the number of objects, rules and findings, and the median, min and max
# wall and CPU time of one check (CPU time is the fairer figure on a
# loaded machine). Target: under 50 ms.
#
# Usage: bench/policy.sh [ROUNDS] [BUILD-DIR] [OBJECTS]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-21}
build=${2:-$top/build}
nobj=${3:-5000}
lib=$build/librendergate.a
drv=$build/policy-driver
[ -f "$lib" ] || { echo "bench/policy: no $lib (make BUILD=...)"; exit 2; }
if [ ! -x "$drv" ] || [ "$drv" -ot "$lib" ] ||
	[ "$drv" -ot "$top/tests/policy-driver.c" ]; then
	cc -std=c11 -O2 -I"$top/include" -o "$drv" "$top/tests/policy-driver.c" "$lib" \
		$(pkg-config --libs libgit2 yaml-0.1 libcurl jansson libpcre2-8 zlib) -lm -ldl -pthread ||
		{ echo "bench/policy: cannot build $drv"; exit 2; }
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/rg-bench-policy.XXXXXX") || exit 2
[ -n "${RG_BENCH_KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
python3 - "$work" "$nobj" <<'PY'
import sys
work, n = sys.argv[1], int(sys.argv[2])
objs = []
for i in range(n):
    ns = "team-%d" % (i % 20)
    k = i % 10
    if k < 5:
        kind = "Deployment" if k < 4 else ("StatefulSet" if i % 20 < 10 else "CronJob")
        spec = """      containers:
        - name: app
          image: registry.example.com/team/app-%d:1.%d.%d
          ports: [{containerPort: 8080}]
          resources:
            limits: {cpu: 500m, memory: 256Mi}
            requests: {cpu: 100m, memory: 128Mi}
          securityContext: {runAsNonRoot: true, allowPrivilegeEscalation: false}
          livenessProbe: {httpGet: {path: /healthz, port: 8080}}
          env:
            - {name: LOG_LEVEL, value: info}
            - {name: REGION, value: eu-%d}
        - name: proxy
          image: docker.io/library/nginx:1.25
          livenessProbe: {tcpSocket: {port: 80}}
          resources:
            limits: {cpu: 200m, memory: %s}
          securityContext:
            capabilities: {add: [%s]}
""" % (i, i % 7, i % 3, i % 3, "64Mi" if i % 89 else "null",
       "NET_ADMIN" if i % 97 == 0 else "CHOWN")
        pod = "      hostNetwork: true\n" if i % 211 == 0 else ""
        if kind == "CronJob":
            body = """spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
""" + pod.replace("      ", "          ") + spec.replace("\n      ", "\n          ").replace("      containers", "          containers", 1)
        else:
            body = """spec:
  replicas: %d
  selector: {matchLabels: {app: app-%d}}
  template:
    metadata:
      labels: {app: app-%d}
    spec:
%s%s""" % (1 if i % 101 == 0 else 2 + i % 3, i, i, pod, spec)
        objs.append("""apiVersion: %s
kind: %s
metadata:
  name: app-%d
  namespace: %s
  labels: {app.kubernetes.io/name: app-%d, team: t%d, tier: %s}
%s""" % ("batch/v1" if kind == "CronJob" else "apps/v1", kind, i, ns, i, i % 20,
          "web" if i % 2 else "worker", body))
    elif k < 8:
        objs.append("""apiVersion: v1
kind: Service
metadata:
  name: svc-%d
  namespace: %s
  labels: {app.kubernetes.io/name: app-%d}
spec:
  type: %s
  selector: {app: app-%d}
  ports: [{port: 80, targetPort: 8080}]
""" % (i, ns, i, "LoadBalancer" if i % 53 == 0 else "ClusterIP", i))
    else:
        objs.append("""apiVersion: v1
kind: ConfigMap
metadata:
  name: cm-%d
  namespace: %s
data:
  setting: value-%d
  url: https://svc-%d.%s.svc:8443/
""" % (i, ns, i, i, ns))
open(work + "/objects.yaml", "w").write("---\n".join(objs))

rules = []
conds = [
    ("exists", "{path: '$containers[*].livenessProbe', absent: true}"),
    ("limits", "{path: '$containers[*].resources.limits.memory', absent: true}"),
    ("replicas", "{path: 'spec.replicas', lt: 2}"),
    ("image", "{path: '$containers[*].image', matches: ':latest$'}"),
    ("policy", "{path: '$containers[*].imagePullPolicy', not_one_of: [IfNotPresent, Always]}"),
    ("port", "{path: '$containers[*].ports[*].containerPort', one_of: [22, 23, 3389]}"),
    ("env", "{path: '$containers[*].env[*].name', matches: '(?i)password|secret'}"),
    ("svc", "{path: 'spec.type', equals: LoadBalancer}"),
    ("label", "{path: 'metadata.labels.team', absent: true}"),
    ("cpu", "{path: '$containers[*].resources.requests.cpu', not_matches: '^[0-9]+m?$'}"),
    ("ro", "{path: '$containers[*].securityContext.readOnlyRootFilesystem', not_equals: true}"),
    ("nonroot", "{path: '$containers[*].securityContext.runAsNonRoot', equals: false}"),
    ("cm", "{path: 'data.url', matches: '^http://'}"),
]
for j in range(39):
    name, cond = conds[j % len(conds)]
    kinds = "[Service]" if name == "svc" else ("[ConfigMap]" if name == "cm" else
            "[Deployment, StatefulSet, CronJob]")
    match = "kinds: %s" % kinds
    if j % 3 == 1:
        match += ", namespaces: ['team-%d*']" % (j % 10)
    if j % 3 == 2:
        match += ", name: '^(app|svc|cm)-[0-9]*%d$'" % (j % 10)
    if j % 5 == 4:
        match += ", labels: {tier: web}"
    rules.append("""  - id: bench-%s-%d
    severity: %s
    match: {%s}
    any:
      - %s
    message: "{path} is {value}"
""" % (name, j, "warn" if j % 2 else "deny", match, cond))
open(work + "/rules.yaml", "w").write("""version: 1
images:
  allow: ['^registry\\.example\\.com/', '^docker\\.io/library/']
  deny: ['^registry\\.example\\.com/team/app-4999:']
  forbid_latest: true
  require_tag: true
namespaces:
  - environments: ['*']
    allow: ['team-*']
rules:
""" + "".join(rules))
PY
[ $? = 0 ] || { echo "bench/policy: workload generation failed"; exit 2; }
echo "policy check: $drv; load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
"$drv" "$rounds" "$work/objects.yaml" "$top/contrib/policies/pod-security-baseline.yaml" \
	"$work/rules.yaml" >"$work/out" || { echo "bench/policy: driver failed"; exit 2; }
python3 - "$work/out" "$rounds" <<'PY'
import statistics, sys
lines = open(sys.argv[1]).read().split("\n")
head, rows = lines[0], [x.split() for x in lines[1:] if x.strip()]
print(head)
for i, what in ((0, "wall"), (1, "CPU ")):
    t = [float(r[i]) for r in rows]
    print("one check, %s time, %d rounds: median %.1f ms, min %.1f ms, max %.1f ms (target < 50 ms)"
          % (what, len(t), statistics.median(t), min(t), max(t)))
PY
