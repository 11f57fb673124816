#include "test.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/config.h"
#include "rendergate/env.h"
#include "rendergate/finding.h"
#include "rendergate/objects.h"
#include "rendergate/tree.h"

static struct rg_config_repo *cfg(struct rg_arena *a, const char *yaml)
{
	struct rg_errlist errs = RG_ERRLIST_INIT;
	struct rg_config_repo *r = NULL;

	if (rg_config_repo_parse(&r, a, ".rendergate.yaml", yaml, strlen(yaml),
				 &errs) < 0)
		RG_BUG("bad test config: %s (line %u)", errs.items[0].msg,
		       errs.items[0].line);
	rg_errlist_release(&errs);
	return r;
}

static void put(struct rg_tree *t, const char *path, const char *s)
{
	if (rg_tree_mem_put(t, path, s, strlen(s), RG_TREE_FILE) < 0)
		RG_BUG("put %s", path);
}

static const char *const folders =
	"environments:\n"
	"  - {name: dev, path: envs/dev, kind: plain}\n"
	"  - {name: prod, path: envs/prod, exclude: ['*.md']}\n"
	"  - {name: staging, branch: staging, path: deploy}\n"
	"  - name: apps\n"
	"    path: envs/apps\n"
	"    releases:\n"
	"      - {name: web, chart: charts/web, values: [values/web.yaml]}\n"
	"      - {name: k, kustomize: overlays/apps}\n";

TEST(detection)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tree *t = rg_tree_mem_new(a, "t");
	struct rg_config_repo *r = cfg(a,
				       "environments:\n"
				       "  - {name: k1, path: k1}\n"
				       "  - {name: k2, path: k2}\n"
				       "  - {name: k3, path: k3}\n"
				       "  - {name: h, path: h}\n"
				       "  - {name: p, path: p}\n"
				       "  - {name: forced, path: k1, kind: plain}\n"
				       "  - {name: root, path: \"\"}\n");

	put(t, "k1/kustomization.yaml", "resources: []\n");
	put(t, "k2/kustomization.yml", "resources: []\n");
	put(t, "k3/Kustomization", "resources: []\n");
	put(t, "h/Chart.yaml", "name: h\n");
	put(t, "p/a.yaml", "a: 1\n");
	put(t, "kustomization.yaml", "resources: []\n");
	CHECK_STR(rg_env_detect(t, &r->envs[0])->name, "kustomize");
	CHECK_STR(rg_env_detect(t, &r->envs[1])->name, "kustomize");
	CHECK_STR(rg_env_detect(t, &r->envs[2])->name, "kustomize");
	CHECK_STR(rg_env_detect(t, &r->envs[3])->name, "helm");
	CHECK_STR(rg_env_detect(t, &r->envs[4])->name, "plain");
	CHECK_STR(rg_env_detect(t, &r->envs[5])->name, "plain");
	CHECK_STR(rg_env_detect(t, &r->envs[6])->name, "kustomize");
	/* detection is not recorded */
	CHECK_INT(t->ndeps, 0);
	CHECK(rg_env_renderer("plain")->render != NULL);
	CHECK(rg_env_renderer("nope") == NULL);
	rg_tree_free(t);
	rg_arena_free(a);
}

TEST(unrenderable_kinds_fail_closed)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tree *t = rg_tree_mem_new(a, "t");
	struct rg_config_repo *r = cfg(a, folders);
	struct rg_config_repo *k = cfg(a, "environments:\n"
					  "  - {name: prod, path: k1}\n");
	struct rg_err err = RG_ERR_INIT;
	struct rg_objset s;
	struct rg_findings f;

	rg_objset_init(&s, a);
	rg_finding_init(&f, a);
	put(t, "k1/kustomization.yaml", "resources: []\n");
	if (rg_env_renderer("kustomize")->render == NULL) {
		CHECK_INT(rg_env_render(&s, &f, k, &k->envs[0], t, a, &err),
			  RG_EUNSUPPORTED);
		CHECK_STR(err.msg, "environment prod uses kustomize, which this "
				   "build cannot render yet");
	}
	if (rg_env_renderer("helm")->render == NULL) {
		CHECK_INT(rg_env_render(&s, &f, r, &r->envs[3], t, a, &err),
			  RG_EUNSUPPORTED);
		CHECK_STR(err.msg, "environment apps uses helm, which this "
				   "build cannot render yet");
	}
	rg_tree_free(t);
	rg_arena_free(a);
}

/* Find the choice for env name. */
static const struct rg_env_choice *pick(const struct rg_env_choice *c,
					size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(c[i].env->name, name))
			return &c[i];
	return NULL;
}

TEST(select_by_branch_and_folder)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_config_repo *r = cfg(a, folders);
	struct rg_env_choice *c = NULL;
	size_t n = 0;
	const char *one[] = { "envs/prod/app.yaml" };
	const char *doc[] = { "envs/prod/README.md", "README.md" };
	const char *vals[] = { "values/web.yaml" };
	const char *chart[] = { "charts/web/templates/x.yaml" };
	const char *kust[] = { "overlays/apps/kustomization.yaml" };
	const char *conf[] = { ".rendergate.yaml" };
	const char *hid[] = {".gitlab-ci.yml"};

	CHECK_INT(rg_env_select(&c, &n, r, "refs/heads/main", one, 1, NULL, a),
		  0);
	CHECK_INT(n, 4);
	CHECK(!pick(c, n, "dev")->render);
	CHECK_STR(pick(c, n, "dev")->reason,
		  "not affected: no changed path under envs/dev");
	CHECK(pick(c, n, "prod")->render);
	CHECK_STR(pick(c, n, "prod")->reason,
		  "envs/prod/app.yaml changed, below envs/prod");
	CHECK(!pick(c, n, "staging")->render);
	CHECK_STR(pick(c, n, "staging")->reason,
		  "lives on branch staging, not main");
	CHECK(!pick(c, n, "apps")->render);

	/*
	 * An excluded file, and a file outside every environment: plain
	 * environments are scoped exactly, the others may read it.
	 */
	rg_env_select(&c, &n, r, "refs/heads/main", doc, 1, NULL, a);
	CHECK(!pick(c, n, "prod")->render);
	CHECK(!pick(c, n, "dev")->render);
	rg_env_select(&c, &n, r, "refs/heads/main", doc, 2, NULL, a);
	CHECK(!pick(c, n, "dev")->render);
	CHECK(pick(c, n, "prod")->render);
	CHECK_STR(pick(c, n, "prod")->reason,
		  "README.md changed outside every environment folder, and "
		  "prod may read it (kind auto; no record of its inputs)");
	CHECK(pick(c, n, "apps")->render);
	CHECK(strstr(pick(c, n, "apps")->reason, "(kind releases;") != NULL);
	rg_env_select(&c, &n, r, "refs/heads/main", hid, 1, NULL, a);
	for (size_t i = 0; i < n; i++)
		CHECK(!c[i].render);

	rg_env_select(&c, &n, r, "refs/heads/main", vals, 1, NULL, a);
	CHECK(pick(c, n, "apps")->render);
	CHECK_STR(pick(c, n, "apps")->reason,
		  "values/web.yaml changed, a values file of release web");
	rg_env_select(&c, &n, r, "refs/heads/main", chart, 1, NULL, a);
	CHECK_STR(pick(c, n, "apps")->reason,
		  "charts/web/templates/x.yaml changed, below charts/web of "
		  "release web");
	rg_env_select(&c, &n, r, "refs/heads/main", kust, 1, NULL, a);
	CHECK(pick(c, n, "apps")->render);
	CHECK(!pick(c, n, "dev")->render);

	/* the branch of a single environment always renders it */
	rg_env_select(&c, &n, r, "refs/heads/staging", doc, 2, NULL, a);
	CHECK(pick(c, n, "staging")->render);
	CHECK_STR(pick(c, n, "staging")->reason,
		  "branch staging is environment staging");
	CHECK(!pick(c, n, "prod")->render);

	/* branch creation: everything changed */
	rg_env_select(&c, &n, r, "refs/heads/main", NULL, 0, NULL, a);
	CHECK(pick(c, n, "dev")->render && pick(c, n, "prod")->render);
	CHECK(strstr(pick(c, n, "dev")->reason, "new branch") != NULL);

	/* the repo config changed: everything on the branch */
	rg_env_select(&c, &n, r, "refs/heads/main", conf, 1, NULL, a);
	CHECK(pick(c, n, "dev")->render);
	CHECK_STR(pick(c, n, "dev")->reason, ".rendergate.yaml changed");

	/* tags and other refs render nothing */
	rg_env_select(&c, &n, r, "refs/tags/v1", NULL, 0, NULL, a);
	CHECK(!pick(c, n, "staging")->render);
	CHECK_STR(pick(c, n, "staging")->reason, "refs/tags/v1 is not a branch");

	/* a feature branch: nothing lives there */
	rg_env_select(&c, &n, r, "refs/heads/feature/x", one, 1, NULL, a);
	for (size_t i = 0; i < n; i++)
		CHECK(!c[i].render);
	rg_arena_free(a);
}

TEST(select_with_a_dependency_log)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tree *t = rg_tree_mem_new(a, "t");
	struct rg_config_repo *r = cfg(a, folders);
	struct rg_err err = RG_ERR_INIT;
	struct rg_env_deplog logs[4];
	struct rg_env_choice *c = NULL;
	struct rg_objset s;
	struct rg_findings f;
	size_t n = 0;
	const char *base[] = { "envs/base/common.yaml" };
	const char *other[] = { "envs/other/x.yaml" };
	const char *newfile[] = { "envs/dev/sub/new.yaml" };

	put(t, "envs/dev/a.yaml",
	    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n");
	rg_objset_init(&s, a);
	rg_finding_init(&f, a);
	CHECK_INT(rg_env_render(&s, &f, r, &r->envs[0], t, a, &err), 0);
	/* pretend dev also read a shared file outside its folder */
	{
		struct rg_tree_dep *d = rg_arena_calloc(a, t->ndeps + 1,
							sizeof(*d));

		memcpy(d, t->deps, t->ndeps * sizeof(*d));
		d[t->ndeps].path = "envs/base/common.yaml";
		d[t->ndeps].kind = RG_TREE_FILE;
		memset(logs, 0, sizeof(logs));
		logs[0].deps = d;
		logs[0].ndeps = t->ndeps + 1;
	}
	rg_env_select(&c, &n, r, "refs/heads/main", base, 1, logs, a);
	CHECK(pick(c, n, "dev")->render);
	CHECK_STR(pick(c, n, "dev")->reason,
		  "envs/base/common.yaml changed, read by dev");
	/* prod has no log: the cheap cut renders it (it may read envs/base) */
	CHECK(pick(c, n, "prod")->render);
	CHECK(strstr(pick(c, n, "prod")->reason, "outside every") != NULL);

	rg_env_select(&c, &n, r, "refs/heads/main", other, 1, logs, a);
	CHECK(!pick(c, n, "dev")->render);
	CHECK_STR(pick(c, n, "dev")->reason,
		  "not affected: none of the 1 changed paths was read or "
		  "listed by dev");

	rg_env_select(&c, &n, r, "refs/heads/main", newfile, 1, logs, a);
	CHECK(pick(c, n, "dev")->render);
	CHECK_STR(pick(c, n, "dev")->reason,
		  "envs/dev/sub/new.yaml changed, below envs/dev which dev "
		  "lists");
	rg_tree_free(t);
	rg_arena_free(a);
}

TEST(affected_rules)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_config_repo *r = cfg(a, folders);
	const struct rg_config_env *prod = &r->envs[1];
	struct rg_tree_dep deps[3];
	const char *why = NULL;
	const char *missing[] = { "envs/prod/values.yaml" };
	const char *parent[] = { "envs/shared" };
	const char *md[] = { "envs/prod/notes.md" };
	const char *hidden[] = { "envs/prod/.ci/x.yaml" };

	memset(deps, 0, sizeof(deps));
	deps[0].path = "envs/prod";
	deps[0].listed = true;
	deps[0].kind = RG_TREE_DIR;
	deps[1].path = "envs/prod/values.yaml";
	deps[1].kind = RG_TREE_MISSING;
	deps[2].path = "envs/shared/x.yaml";
	deps[2].kind = RG_TREE_FILE;
	CHECK(rg_env_affected(&why, prod, deps, 3, missing, 1, a));
	CHECK_STR(why, "envs/prod/values.yaml changed, looked up by prod");
	CHECK(rg_env_affected(&why, prod, deps, 3, parent, 1, a));
	CHECK_STR(why, "envs/shared changed, holds a file read by prod");
	/* excluded and hidden files under a listed directory do not count */
	CHECK(!rg_env_affected(&why, prod, deps, 3, md, 1, a));
	CHECK(!rg_env_affected(&why, prod, deps, 3, hidden, 1, a));
	CHECK(!rg_env_affected(&why, prod, deps, 3, NULL, 0, a));
	rg_arena_free(a);
}

TEST(dependency_logs_round_trip_as_text)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tree *t = rg_tree_mem_new(a, "t");
	struct rg_config_repo *r = cfg(a, folders);
	struct rg_buf b = RG_BUF_INIT(1 << 20);
	struct rg_err err = RG_ERR_INIT;
	struct rg_env_deplog log = {NULL, 0};
	struct rg_tree_dep odd[2];
	struct rg_objset s;
	struct rg_findings f;
	static const char *const bad[] = {
		"",
		"rendergate-deps 2\n",
		"rendergate-deps 1\nX 1 - a\n",
		"rendergate-deps 1\nR 9 - a\n",
		"rendergate-deps 1\nR 1 abc a\n",
		"rendergate-deps 1\nR 1 - ../etc\n",
		"rendergate-deps 1\nR 1 - a\\x\n",
		"rendergate-deps 1\nR 1 - a",
	};

	put(t, "envs/dev/a.yaml",
	    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n");
	rg_objset_init(&s, a);
	rg_finding_init(&f, a);
	CHECK_INT(rg_env_render(&s, &f, r, &r->envs[0], t, a, &err), 0);
	CHECK_INT(rg_env_deplog_write(&b, t->deps, t->ndeps), 0);
	CHECK_INT(rg_env_deplog_read(&log, a, b.ptr, b.len, &err), 0);
	CHECK_INT(log.ndeps, t->ndeps);
	for (size_t i = 0; i < log.ndeps; i++) {
		CHECK_STR(log.deps[i].path, t->deps[i].path);
		CHECK_STR(log.deps[i].id, t->deps[i].id);
		CHECK_INT(log.deps[i].kind, t->deps[i].kind);
		CHECK_INT(log.deps[i].listed, t->deps[i].listed);
	}

	memset(odd, 0, sizeof(odd));
	odd[0].path = "we\\ird\nname";
	odd[0].kind = RG_TREE_MISSING;
	odd[1].path = "";
	odd[1].listed = true;
	odd[1].kind = RG_TREE_DIR;
	rg_buf_reset(&b);
	CHECK_INT(rg_env_deplog_write(&b, odd, 2), 0);
	CHECK_STR(b.ptr, "rendergate-deps 1\nR 0 - we\\\\ird\\nname\nL 2 - \n");
	CHECK_INT(rg_env_deplog_read(&log, a, b.ptr, b.len, &err), 0);
	CHECK_INT(log.ndeps, 2);
	CHECK_STR(log.deps[0].path, "we\\ird\nname");
	CHECK_STR(log.deps[1].path, "");
	CHECK(log.deps[1].listed);

	for (size_t i = 0; i < RG_ARRAY_SIZE(bad); i++)
		if (rg_env_deplog_read(&log, a, bad[i], strlen(bad[i]), &err) !=
		    RG_EPARSE)
			FAILF("bad log %zu accepted", i);
	rg_buf_release(&b);
	rg_tree_free(t);
	rg_arena_free(a);
}
