/*
 * Policy over a rendered environment: an in-memory repository with a
 * repo config, a repo policy file and plain manifests is rendered with
 * rg_env_render and checked the way hooks/ will do it (admin file +
 * repository file, objects, releases, push, versions), so the findings
 * carry the manifests' real file:line:col.
 */
#include "test.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/config.h"
#include "rendergate/env.h"
#include "rendergate/finding.h"
#include "rendergate/objects.h"
#include "rendergate/policy.h"
#include "rendergate/policy-versions.h"
#include "rendergate/tree.h"

static const char admin_policy[] =
	"images:\n"
	"  allow: ['^registry\\.example\\.com/']\n"
	"  require_digest: [prod]\n"
	"  hint: use an image from registry.example.com/ or ask the platform "
	"team to allow this registry\n"
	"namespaces:\n"
	"- environments: ['*']\n"
	"  allow: [shop]\n"
	"push:\n"
	"  bypass_users: [release-bot]\n";

static const char repo_policy[] =
	"rules:\n"
	"- id: shop.replicas\n"
	"  match: {kinds: [Deployment], environments: [prod]}\n"
	"  all:\n"
	"  - {path: spec.replicas, lt: 2}\n"
	"  hint: prod runs at least two replicas\n"
	"versions:\n"
	"  components:\n"
	"  - {name: api, image: 'shop/api$'}\n"
	"  - {name: worker, image: 'shop/worker$'}\n"
	"  constraints:\n"
	"  - when: {api: '>=2'}\n"
	"    require: {worker: '>=2'}\n";

static const char repo_config[] =
	"environments:\n"
	"  - name: prod\n"
	"    branch: main\n"
	"    path: envs/prod\n";

static const char app_yaml[] =
	"apiVersion: apps/v1\n"
	"kind: Deployment\n"
	"metadata:\n"
	"  name: api\n"
	"  namespace: shop\n"
	"spec:\n"
	"  replicas: 1\n"
	"  template:\n"
	"    spec:\n"
	"      containers:\n"
	"      - name: api\n"
	"        image: registry.example.com/shop/api:2.0.0\n"
	"      - name: worker\n"
	"        image: quay.io/shop/worker:1.9.0\n"
	"---\n"
	"apiVersion: v1\n"
	"kind: ConfigMap\n"
	"metadata:\n"
	"  name: settings\n"
	"  namespace: kube-system\n";

TEST(rendered_environment)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tree *t = rg_tree_mem_new(a, "main@1234567");
	struct rg_config_repo *repo = NULL;
	struct rg_errlist errs = RG_ERRLIST_INIT;
	struct rg_policy *p = NULL;
	struct rg_policy_file files[2] = {
		{ "/etc/rendergate/policy.yaml", admin_policy,
		  sizeof(admin_policy) - 1, RG_POLICY_ADMIN },
		{ ".rendergate/policy.yaml", repo_policy,
		  sizeof(repo_policy) - 1, RG_POLICY_REPO },
	};
	struct rg_objset set;
	struct rg_findings f;
	struct rg_policy_compvers v;
	struct rg_err e = RG_ERR_INIT;
	struct rg_buf out = RG_BUF_INIT(1 << 20);
	const char *env_ssh[] = { "GL_USERNAME=alice", "GL_PROTOCOL=ssh",
				  NULL };
	struct rg_policy_push push = { RG_POLICY_FORGE_GITLAB, NULL,
				       "refs/heads/main", true, "prod",
				       env_ssh, NULL, 0, false };

	CHECK_INT(rg_tree_mem_put(t, "envs/prod/app.yaml", app_yaml,
				  sizeof(app_yaml) - 1, RG_TREE_FILE),
		  0);
	CHECK_INT(rg_config_repo_parse(&repo, a, ".rendergate.yaml",
				       repo_config, sizeof(repo_config) - 1,
				       &errs),
		  0);
	CHECK_INT(rg_policy_load(&p, a, files, 2, &errs), 0);
	rg_errlist_release(&errs);
	rg_objset_init(&set, a);
	rg_finding_init(&f, a);
	CHECK_INT(rg_env_render(&set, &f, repo, &repo->envs[0], t, a, &e), 0);
	CHECK_INT(set.len, 2);
	CHECK_INT(rg_policy_check_objects(&f, p, "prod", &set, &e), 0);
	CHECK_INT(rg_policy_check_releases(&f, p, &repo->envs[0], &e), 0);
	memset(&v, 0, sizeof(v));
	CHECK_INT(rg_policy_versions_collect(&v, a, p, &set, NULL, 0, &e), 0);
	CHECK_INT(rg_policy_check_versions(&f, p, "prod", &v, &e), 0);
	rg_policy_push_fill_user(&push);
	CHECK_INT(rg_policy_check_push(&f, p, &push), 1);
	rg_finding_sort(&f);
	for (size_t i = 0; i < f.len; i++) {
		CHECK_INT(rg_finding_format(&out, &f.items[i]), 0);
		CHECK_INT(rg_buf_addch(&out, '\n'), 0);
	}
	CHECK_STR(out.ptr,
		  "envs/prod/app.yaml:7:13: deny: Deployment shop/api: "
		  "spec.replicas is 1 [shop.replicas] (hint: prod runs at "
		  "least two replicas)\n"
		  "envs/prod/app.yaml:12:16: deny: Deployment shop/api: "
		  "container 'api' uses image "
		  "'registry.example.com/shop/api:2.0.0' without a digest, "
		  "which environment prod requires [policy.image-digest] "
		  "(hint: pin the image by digest: "
		  "registry.example.com/shop/api:2.0.0@sha256:<digest>)\n"
		  "envs/prod/app.yaml:14:16: deny: Deployment shop/api: "
		  "container 'worker' uses image 'quay.io/shop/worker:1.9.0' "
		  "(quay.io/shop/worker:1.9.0), which no allowed pattern of "
		  "/etc/rendergate/policy.yaml matches [policy.image-allow] "
		  "(hint: use an image from registry.example.com/ or ask the "
		  "platform team to allow this registry)\n"
		  "envs/prod/app.yaml:14:16: deny: Deployment shop/api: "
		  "container 'worker' uses image 'quay.io/shop/worker:1.9.0' "
		  "without a digest, which environment prod requires "
		  "[policy.image-digest] (hint: pin the image by digest: "
		  "quay.io/shop/worker:1.9.0@sha256:<digest>)\n"
		  "envs/prod/app.yaml:14:16: deny: worker 1.9.0 (set here) is "
		  "not >=2, which it must be because api is 2.0.0 (set at "
		  "envs/prod/app.yaml:12) [policy.version-set] (hint: move "
		  "worker to a version matching >=2, or keep the other "
		  "components below their ranges (constraint at "
		  ".rendergate/policy.yaml:12))\n"
		  "envs/prod/app.yaml:20:14: deny: ConfigMap "
		  "kube-system/settings: namespace 'kube-system' is not owned "
		  "by environment prod (allowed: shop) [policy.namespace] "
		  "(hint: deploy into one of the namespaces this environment "
		  "owns, or ask the platform team "
		  "(/etc/rendergate/policy.yaml:6))\n"
		  "deny: direct push to branch main by alice: environment "
		  "prod's branch only takes merges made by the forge "
		  "[policy.direct-push] (hint: push to another branch, open a "
		  "merge request into main and merge it in the forge)\n");
	rg_buf_release(&out);
	rg_policy_free(p);
	rg_tree_free(t);
	rg_arena_free(a);
}
