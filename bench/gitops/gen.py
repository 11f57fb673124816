#!/usr/bin/env python3
"""bench/gitops/gen.py DIR [--envs N] [--releases N] [--overlays N] [--objects N]

Write a GitOps repository of the size real platform teams run into DIR (a
new git work tree, committed on branch main), for bench/gitops/run.sh:

  charts/<chart>/             the real charts of ../shared/corpus/helm, copied
  values/global/<chart>.yaml  values layer 1: shared by every environment
  envs/<env>/values/<rel>.yaml  layer 2: per environment and release
  envs/<env>/cluster/<chart>.yaml  layer 3: the environment's cluster
  bases/app-<k>/              Kustomize bases, OBJECTS objects each
  envs/<env>/overlays/app-<k>/  Kustomize overlays (namespace, labels,
                              images, a strategic-merge patch, a generator)
  .rendergate.yaml            3 environments (dev, staging, prod), folder per
                              environment on main, each RELEASES Helm
                              releases (charts in rotation) and OVERLAYS
                              overlays

Defaults (3 x 40 releases x 10 overlays x 450 objects per base) give about
5,000 rendered objects per environment. Deterministic: the same arguments
give the same tree. Also writes DIR/.bench/pipeline.txt, one line per
release or overlay ("helm ENV NAME NAMESPACE CHART VALUES..." or
"kustomize ENV NAME DIR"), for the helm/kubectl pipeline of run.sh.
"""
import argparse
import os
import shutil
import subprocess
import sys

ENVS = ["dev", "staging", "prod"]
HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared",
                                       "corpus", "helm"))

# Per chart: global values that keep one chart usable several times in one
# environment (cluster-scoped objects with fixed names would collide), and
# the dotted key of a pod annotation map and of a replica count, when the
# chart has them, for the environment and cluster layers.
CHARTS = {
    "alertmanager": ({}, "podAnnotations", "replicaCount"),
    "argo-rollouts": ({"installCRDs": False}, "podAnnotations", None),
    "argo-workflows": ({"crds": {"install": False}},
                       "controller.podAnnotations", None),
    "cert-manager": ({}, "podAnnotations", "replicaCount"),
    "fluent-bit": ({}, "podAnnotations", None),
    "ingress-nginx": ({}, "controller.podAnnotations",
                      "controller.replicaCount"),
    "kube-state-metrics": ({}, "podAnnotations", None),
    "loki-distributed": ({"ingester": {"maxUnavailable": 1}}, None,
                         "ingester.replicas"),
    "nginx": ({}, "podAnnotations", "replicaCount"),
    "prometheus-blackbox-exporter": ({}, "podAnnotations", "replicas"),
    "prometheus-node-exporter": ({}, "podAnnotations", None),
    "promtail": ({}, "podAnnotations", None),
}


def nest(dotted, value):
    out = value
    for part in reversed(dotted.split(".")):
        out = {part: out}
    return out


def merge(a, b):
    for k, v in b.items():
        if isinstance(v, dict) and isinstance(a.get(k), dict):
            merge(a[k], v)
        else:
            a[k] = v
    return a


def yaml_dump(obj, indent=0):
    """A small block-style emitter (no dependency on PyYAML)."""
    pad = "  " * indent
    lines = []
    for k, v in obj.items():
        if isinstance(v, dict):
            if v:
                lines.append("%s%s:" % (pad, k))
                lines.append(yaml_dump(v, indent + 1))
            else:
                lines.append("%s%s: {}" % (pad, k))
        elif isinstance(v, bool):
            lines.append("%s%s: %s" % (pad, k, "true" if v else "false"))
        elif isinstance(v, int):
            lines.append("%s%s: %d" % (pad, k, v))
        else:
            lines.append('%s%s: "%s"' % (pad, k, v))
    return "\n".join(lines)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def base_objects(k, n):
    """Kustomize base app-k: n objects, 10 per file; returns file names."""
    files = []
    for f0 in range(0, n, 10):
        docs = []
        for i in range(f0, min(n, f0 + 10)):
            kind = i % 3
            if kind == 0:
                docs.append(
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
                    "  name: app-%d-%d\n  labels:\n    app: app-%d-%d\n"
                    "    tier: backend\nspec:\n  replicas: 2\n"
                    "  selector:\n    matchLabels:\n      app: app-%d-%d\n"
                    "  template:\n    metadata:\n      labels:\n"
                    "        app: app-%d-%d\n    spec:\n      containers:\n"
                    "        - name: app\n"
                    "          image: registry.example.com/app-%d:1.0.%d\n"
                    "          ports:\n            - containerPort: 8080\n"
                    "          envFrom:\n            - configMapRef:\n"
                    "                name: cfg-%d-%d\n"
                    "          resources:\n            requests:\n"
                    "              cpu: 50m\n              memory: 64Mi\n"
                    % (k, i, k, i, k, i, k, i, k, i % 17, k, i + 2))
            elif kind == 1:
                docs.append(
                    "apiVersion: v1\nkind: Service\nmetadata:\n"
                    "  name: svc-%d-%d\nspec:\n  selector:\n"
                    "    app: app-%d-%d\n  ports:\n    - port: 80\n"
                    "      targetPort: 8080\n" % (k, i, k, i - 1))
            else:
                docs.append(
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                    "  name: cfg-%d-%d\ndata:\n  LOG_LEVEL: info\n"
                    "  INSTANCE: \"%d\"\n"
                    "  URL: https://svc-%d-%d.app:8443/api\n"
                    % (k, i, i, k, i - 1))
        name = "part-%03d.yaml" % (f0 // 10)
        files.append((name, "---\n".join(docs)))
    return files


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--envs", type=int, default=3)
    ap.add_argument("--releases", type=int, default=40)
    ap.add_argument("--overlays", type=int, default=10)
    ap.add_argument("--objects", type=int, default=450)
    ap.add_argument("--corpus", default=CORPUS)
    o = ap.parse_args()
    envs = ENVS[:o.envs] if o.envs <= 3 else \
        ["env-%d" % i for i in range(1, o.envs + 1)]
    charts = sorted(c for c in CHARTS
                    if os.path.isdir(os.path.join(o.corpus, c, "chart")))
    if not charts:
        sys.exit("gen.py: no charts below %s" % o.corpus)
    d = o.dir
    os.makedirs(d, exist_ok=True)

    for c in charts:
        dst = os.path.join(d, "charts", c)
        if not os.path.isdir(dst):
            shutil.copytree(os.path.join(o.corpus, c, "chart"), dst,
                            symlinks=True)
        g = dict(CHARTS[c][0])
        if CHARTS[c][1]:
            merge(g, nest(CHARTS[c][1], {"example.com/team": "platform"}))
        write(os.path.join(d, "values", "global", c + ".yaml"),
              "# global values for every release of %s\n%s\n"
              % (c, yaml_dump(g) if g else "{}"))

    cfg = ["# generated by bench/gitops/gen.py", "default_branch: main",
           "environments:"]
    pipeline = []
    for ei, env in enumerate(envs):
        cfg += ["  - name: %s" % env, "    path: envs/%s" % env,
                '    kube_version: "1.31.0"', "    releases:"]
        for c in charts:
            cl = {}
            if CHARTS[c][1]:
                cl = nest(CHARTS[c][1], {"example.com/cluster": env + "-1"})
            write(os.path.join(d, "envs", env, "cluster", c + ".yaml"),
                  "# cluster layer of %s for %s\n%s\n"
                  % (env, c, yaml_dump(cl) if cl else "{}"))
        for r in range(o.releases):
            c = charts[r % len(charts)]
            rel = "%s-%d" % (c, r // len(charts))
            ns = "%s-%s" % (env, rel)
            v = {}
            if CHARTS[c][2]:
                merge(v, nest(CHARTS[c][2], 1 + (ei + r) % 3))
            if CHARTS[c][1]:
                merge(v, nest(CHARTS[c][1], {"example.com/release": rel}))
            if c == "ingress-nginx":  # an IngressClass per release
                merge(v, {"controller": {"ingressClassResource": {
                    "name": rel, "controllerValue": "k8s.io/" + rel}}})
            vf = "envs/%s/values/%s.yaml" % (env, rel)
            write(os.path.join(d, vf), "# %s in %s\n%s\n"
                  % (rel, env, yaml_dump(v) if v else "{}"))
            files = ["values/global/%s.yaml" % c, vf,
                     "envs/%s/cluster/%s.yaml" % (env, c)]
            cfg += ["      - name: %s" % rel, "        chart: charts/%s" % c,
                    "        namespace: %s" % ns, "        values:"]
            cfg += ["          - %s" % f for f in files]
            pipeline.append("helm %s %s %s charts/%s %s"
                            % (env, rel, ns, c, " ".join(files)))
        for k in range(o.overlays):
            od = "envs/%s/overlays/app-%d" % (env, k)
            write(os.path.join(d, od, "kustomization.yaml"),
                  "apiVersion: kustomize.config.k8s.io/v1beta1\n"
                  "kind: Kustomization\n"
                  "namespace: %s-app-%d\n"
                  "resources:\n  - ../../../../bases/app-%d\n"
                  "labels:\n  - pairs:\n      env: %s\n"
                  "images:\n  - name: registry.example.com/app-%d\n"
                  "    newTag: %s-1.%d\n"
                  "patches:\n  - path: replicas.yaml\n"
                  "configMapGenerator:\n  - name: app-%d-env\n"
                  "    literals:\n      - ENV=%s\n      - CLUSTER=%s-1\n"
                  % (env, k, k, env, k, env, k, k, env, env))
            write(os.path.join(d, od, "replicas.yaml"),
                  "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
                  "  name: app-%d-0\nspec:\n  replicas: %d\n"
                  % (k, 2 + ei))
            cfg += ["      - name: app-%d" % k, "        kustomize: %s" % od]
            pipeline.append("kustomize %s app-%d %s" % (env, k, od))
    cfg.append("stages: [%s]" % ", ".join(envs))
    write(os.path.join(d, ".rendergate.yaml"), "\n".join(cfg) + "\n")

    for k in range(o.overlays):
        files = base_objects(k, o.objects)
        for name, text in files:
            write(os.path.join(d, "bases", "app-%d" % k, name), text)
        write(os.path.join(d, "bases", "app-%d" % k, "kustomization.yaml"),
              "apiVersion: kustomize.config.k8s.io/v1beta1\n"
              "kind: Kustomization\nresources:\n" +
              "".join("  - %s\n" % n for n, _ in files))
    write(os.path.join(d, ".bench", "pipeline.txt"), "\n".join(pipeline) + "\n")
    write(os.path.join(d, ".gitignore"), ".bench/\n")

    git = ["git", "-C", d, "-c", "user.name=bench",
           "-c", "user.email=bench@example.com"]
    if not os.path.isdir(os.path.join(d, ".git")):
        subprocess.run(git + ["init", "-q", "-b", "main"], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-q", "-m",
                          "bench: %d environments x %d releases + %d overlays"
                          % (len(envs), o.releases, o.overlays)], check=True)


if __name__ == "__main__":
    main()
