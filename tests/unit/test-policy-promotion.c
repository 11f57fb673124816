/* Promotion order (branch per environment and folders) and soak time. */
#include "test.h"
#include "rendergate/arena.h"
#include "rendergate/config.h"
#include "rendergate/finding.h"
#include "rendergate/policy.h"
#include "rendergate/policy-promotion.h"
#include "rendergate/policy-versions.h"

static struct rg_config_repo *repo_of(struct rg_arena *a, const char *text)
{
	struct rg_config_repo *r = NULL;
	struct rg_errlist errs = RG_ERRLIST_INIT;

	if (rg_config_repo_parse(&r, a, ".rendergate.yaml", text, strlen(text),
				 &errs) < 0) {
		for (size_t i = 0; i < errs.len; i++)
			fprintf(stderr, "  %s\n", errs.items[i].msg);
		r = NULL;
	}
	rg_errlist_release(&errs);
	return r;
}

static struct rg_policy *policy_of(struct rg_arena *a, const char *text)
{
	struct rg_policy_file f = { "policy.yaml", text, strlen(text),
				    RG_POLICY_ADMIN };
	struct rg_errlist errs = RG_ERRLIST_INIT;
	struct rg_policy *p = NULL;

	if (rg_policy_load(&p, a, &f, 1, &errs) < 0)
		p = NULL;
	rg_errlist_release(&errs);
	return p;
}

static const char *branches =
	"environments:\n"
	"  - {name: dev, branch: dev, path: deploy}\n"
	"  - {name: staging, branch: staging, path: deploy}\n"
	"  - {name: prod, branch: main, path: deploy}\n"
	"stages: [dev, staging, prod]\n";

TEST(branch_per_environment)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_config_repo *r = repo_of(a, branches);
	struct rg_policy *p = policy_of(a, "promotion: {}\n");
	struct rg_policy *off = policy_of(a, "promotion: {enforce: false}\n");
	struct rg_policy *none = policy_of(a, "");
	struct rg_findings f;

	CHECK(r != NULL);
	CHECK(p != NULL && off != NULL && none != NULL);
	rg_finding_init(&f, a);
	CHECK_INT(rg_policy_check_promotion_branch(&f, p, r, "staging", "dev"), 0);
	CHECK_INT(rg_policy_check_promotion_branch(&f, p, r, "prod", "staging"),
		  0);
	CHECK_INT(rg_policy_check_promotion_branch(&f, p, r, "dev", "feature/x"),
		  0);
	CHECK_INT(f.len, 0);
	CHECK_INT(rg_policy_check_promotion_branch(&f, p, r, "prod", "dev"), 0);
	CHECK_INT(f.len, 1);
	CHECK_STR(f.items[0].rule, "policy.promotion");
	CHECK_STR(f.items[0].message,
		  "prod can only be promoted from staging (branch staging); "
		  "this merge comes from branch dev");
	CHECK_STR(f.items[0].hint, "merge dev into the branch of staging "
				   "first, then open a merge request from "
				   "staging");
	CHECK_INT(rg_policy_check_promotion_branch(&f, p, r, "prod", NULL), 0);
	CHECK_INT(f.len, 2);
	CHECK(strstr(f.items[1].message, "not known") != NULL);
	/* not enforced */
	CHECK_INT(rg_policy_check_promotion_branch(&f, off, r, "prod", "dev"), 0);
	CHECK_INT(rg_policy_check_promotion_branch(&f, none, r, "prod", "dev"),
		  0);
	CHECK_INT(f.len, 2);
	rg_policy_free(p);
	rg_policy_free(off);
	rg_policy_free(none);
	rg_arena_free(a);
}

/* Soak answers from a table: component/version -> since. */
struct history {
	const char *version;
	int64_t since;
	int calls;
	bool cut; /* the walk stopped at RG_CAP_POLICY_SOAK_COMMITS */
};

static int since_fn(void *ctx, const char *stage, const char *component,
		    const char *version, int64_t *since, struct rg_err *err)
{
	struct history *h = ctx;

	h->calls++;
	if (!strcmp(version, "boom"))
		return rg_err_set(err, RG_EIO, NULL, "history unreadable");
	if (strcmp(version, h->version) != 0)
		return RG_ENOTFOUND;
	*since = h->since;
	if (h->cut)
		return RG_POLICY_SOAK_CUT;
	(void)stage;
	(void)component;
	return 0;
}

static void add(struct rg_arena *a, struct rg_policy_compvers *v,
		const struct rg_policy_component *c, const char *version,
		uint32_t line)
{
	v->items = rg_arena_grow(a, v->items, v->len, v->len + 1,
				 sizeof(*v->items));
	v->items[v->len].component = c;
	v->items[v->len].version = version;
	v->items[v->len].pos = (struct rg_pos){ "envs/prod/values.yaml", line,
						 3 };
	v->items[v->len].object = NULL;
	v->len++;
	v->alloc = v->len;
}

/* The policy check of a promotion into prod, from empty findings. */
struct promo {
	struct rg_arena *a;
	struct rg_policy *p;
	struct rg_config_repo *r;
	struct rg_policy_compvers *after, *before, *prev;
	struct rg_policy_soak_query *q;
	int64_t now;
	struct rg_err *e;
};

static int into_prod(struct rg_findings *f, const struct promo *c)
{
	rg_finding_init(f, c->a);
	return rg_policy_check_promotion_versions(f, c->p, c->r, "prod",
						  c->after, c->before, c->prev,
						  c->q, c->now, c->e);
}

TEST(folders_and_soak)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_config_repo *r = repo_of(
		a, "environments:\n"
		   "  - {name: staging, path: envs/staging}\n"
		   "  - {name: prod, path: envs/prod}\n"
		   "stages: [staging, prod]\n");
	struct rg_policy *p = policy_of(
		a, "promotion:\n  soak: 1h\n  stages:\n"
		   "  - {name: staging, soak: 24h}\n"
		   "versions:\n  components:\n  - {name: api, image: '/api$'}\n");
	struct rg_policy_compvers after = { 0 }, before = { 0 }, prev = { 0 };
	struct history h = { "2.0.0", 0, 0, false };
	struct rg_policy_soak_query q = { &h, since_fn };
	struct rg_findings f;
	struct rg_err e = RG_ERR_INIT;
	const int64_t now = 1700000000;
	struct promo pc = { a, p, r, &after, &before, &prev, &q, now, &e };

	CHECK(r != NULL && p != NULL);
	CHECK_INT(rg_policy_soak_ms(p, "staging"), 86400000);
	CHECK_INT(rg_policy_soak_ms(p, "prod"), 3600000);
	add(a, &before, &p->components[0], "1.0.0", 7);
	add(a, &after, &p->components[0], "1.0.0", 7);
	/* nothing arrives: nothing to check, history not asked */
	CHECK_INT(into_prod(&f, &pc), 0);
	CHECK_INT(f.len, 0);
	CHECK_INT(h.calls, 0);
	/* 2.0.0 arrives but staging runs 1.9.0 */
	after.items[0].version = "2.0.0";
	add(a, &prev, &p->components[0], "1.9.0", 4);
	CHECK_INT(into_prod(&f, &pc), 0);
	CHECK_INT(f.len, 1);
	CHECK_STR(f.items[0].rule, "policy.promotion");
	CHECK_STR(f.items[0].message,
		  "api 2.0.0 arrives in prod but is not in staging, the stage "
		  "before it (which has 1.9.0)");
	CHECK_INT(f.items[0].origin.line, 7);
	/* in staging for 2h of the 24h soak */
	prev.items[0].version = "2.0.0";
	h.since = now - 7200;
	CHECK_INT(into_prod(&f, &pc), 0);
	CHECK_INT(f.len, 1);
	CHECK_STR(f.items[0].rule, "policy.soak");
	CHECK_STR(f.items[0].message,
		  "api 2.0.0 has been in staging for 2h, less than the 24h it "
		  "must soak there before reaching prod");
	CHECK_STR(f.items[0].hint, "promote it again after 22h");
	/* soaked long enough */
	h.since = now - 86400;
	CHECK_INT(into_prod(&f, &pc), 0);
	CHECK_INT(f.len, 0);
	/* the walk stopped at its cap with the version in every commit and
	 * the oldest 2h old: the soak is not shown, a finding names the cap */
	h.since = now - 7200;
	h.cut = true;
	CHECK_INT(into_prod(&f, &pc), 0);
	CHECK_INT(f.len, 1);
	CHECK_STR(f.items[0].rule, "policy.soak");
	CHECK_INT(f.items[0].severity, RG_SEV_DENY);
	CHECK_STR(f.items[0].message,
		  "api 2.0.0 is in all 1000 commits of staging walked back "
		  "(RG_CAP_POLICY_SOAK_COMMITS) without reaching where it "
		  "arrived, and the oldest of them is 2h old: the 24h it must "
		  "soak there before reaching prod cannot be shown");
	CHECK_STR(f.items[0].hint,
		  "promote it again once the last 1000 commits of staging "
		  "span 24h");
	h.cut = false;
	rg_finding_init(&f, a);
	/* the first stage is never checked */
	CHECK_INT(rg_policy_check_promotion_versions(&f, p, r, "staging",
						     &after, NULL, NULL, &q,
						     now, &e),
		  0);
	CHECK_INT(f.len, 0);
	/* history that cannot be read, or no way to ask: fail closed */
	after.items[0].version = "boom";
	prev.items[0].version = "boom";
	CHECK_INT(into_prod(&f, &pc), RG_EIO);
	CHECK_INT(rg_policy_check_promotion_versions(&f, p, r, "prod", &after,
						     &before, &prev, NULL, now,
						     &e),
		  RG_EUNSUPPORTED);
	CHECK(strstr(e.msg, "soak time") != NULL);
	rg_policy_free(p);
	rg_arena_free(a);
}
