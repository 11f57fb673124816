/* Approvals at merge with an in-process fake forge. */
#include "test.h"
#include "rendergate/arena.h"
#include "rendergate/finding.h"
#include "rendergate/policy.h"
#include "rendergate/policy-approvals.h"

/* The fake forge: one merge request and its approvals, or a failure. */
struct fake {
	int find_ret, list_ret; /* 0 or an RG_E* code to return */
	const char *author;
	struct rg_policy_approver aps[8];
	size_t naps;
	int finds, lists;	 /* calls seen */
	uint64_t last_timeout;
};

static int fake_find(void *ctx, struct rg_arena *a, const char *ref,
		     const char *commit, uint64_t timeout_ms,
		     struct rg_policy_mr *out, struct rg_err *err)
{
	struct fake *f = ctx;

	f->finds++;
	f->last_timeout = timeout_ms;
	if (f->find_ret)
		return rg_err_set(err, f->find_ret, NULL, "HTTP 502 from the "
							  "forge");
	out->id = "!42";
	out->author = f->author;
	out->source_branch = "feature/x";
	out->target_branch = ref + 11;
	(void)a;
	(void)commit;
	return 0;
}

static int fake_list(void *ctx, struct rg_arena *a,
		     const struct rg_policy_mr *mr, uint64_t timeout_ms,
		     struct rg_policy_approver **out, size_t *n,
		     struct rg_err *err)
{
	struct fake *f = ctx;

	f->lists++;
	if (f->list_ret)
		return rg_err_set(err, f->list_ret, NULL, "listing failed");
	*out = f->aps;
	*n = f->naps;
	(void)a;
	(void)mr;
	(void)timeout_ms;
	return 0;
}

static const char *sre[] = { "sre" };
static const char *platform[] = { "platform", "sre" };

static struct rg_policy *load(struct rg_arena *a)
{
	static const char text[] =
		"approvals:\n"
		"- environments: [prod-*]\n"
		"  min: 2\n"
		"  groups: [sre]\n"
		"  users: [carol]\n"
		"  timeout: 3s\n"
		"- branches: [staging]\n"
		"owners:\n"
		"  paths: ['.rendergate.yaml', '.rendergate/**']\n"
		"  groups: [platform]\n";
	struct rg_policy_file f = { "admin.yaml", text, sizeof(text) - 1,
				    RG_POLICY_ADMIN };
	struct rg_errlist errs = RG_ERRLIST_INIT;
	struct rg_policy *p = NULL;

	if (rg_policy_load(&p, a, &f, 1, &errs) < 0)
		p = NULL;
	rg_errlist_release(&errs);
	return p;
}

static struct rg_findings F;

static int run(struct rg_arena *a, struct rg_policy *p, struct fake *fk,
	       const char *ref, const char *env, const char *changed)
{
	struct rg_policy_forge_ops ops = { fk, fake_find, fake_list };
	const char *paths[1] = { changed };
	struct rg_policy_merge m = { ref,   env, "abc123", changed ? paths : NULL,
				     changed ? 1 : 0, 0 };
	struct rg_err e = RG_ERR_INIT;

	rg_finding_init(&F, a);
	return rg_policy_check_approvals(&F, p, &m, fk ? &ops : NULL, NULL, &e);
}

TEST(approved)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_policy *p = load(a);
	struct fake fk = { 0, 0, "alice", {
		{ "bob", sre, 1 }, { "carol", NULL, 0 } }, 2, 0, 0, 0 };

	CHECK(p != NULL);
	CHECK_INT(run(a, p, &fk, "refs/heads/main", "prod-eu", NULL), 0);
	CHECK_INT(F.len, 0);
	CHECK_INT(fk.finds, 1);
	CHECK_INT(fk.last_timeout, 3000);
	rg_policy_free(p);
	rg_arena_free(a);
}

TEST(not_enough)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_policy *p = load(a);
	struct fake fk = { 0, 0, "alice", {
		{ "bob", sre, 1 }, { "bob", sre, 1 }, { "dave", NULL, 0 } },
		3, 0, 0, 0 };

	CHECK(p != NULL);
	CHECK_INT(run(a, p, &fk, "refs/heads/main", "prod-eu", NULL), 0);
	CHECK_INT(F.len, 1);
	CHECK_STR(F.items[0].rule, "policy.approvals");
	CHECK_STR(F.items[0].message,
		  "merge request !42: a merge into main needs 2 approvals from "
		  "users carol or groups sre and has 1 (bob)");
	CHECK_STR(F.items[0].hint,
		  "ask users carol or groups sre to approve !42 (the author "
		  "alice does not count), then merge again");
	CHECK_STR(F.items[0].origin.file, "admin.yaml");
	CHECK_INT(F.items[0].origin.line, 2);
	CHECK_STR(F.items[0].env, "prod-eu");
	rg_policy_free(p);
	rg_arena_free(a);
}

TEST(author_only)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_policy *p = load(a);
	struct fake fk = { 0, 0, "bob", { { "bob", sre, 1 } }, 1, 0, 0, 0 };

	CHECK(p != NULL);
	/* staging: min 1 from anyone but the author */
	CHECK_INT(run(a, p, &fk, "refs/heads/staging", "staging", NULL), 0);
	CHECK_INT(F.len, 1);
	CHECK(strstr(F.items[0].message, "needs 1 approval from anyone but the "
					 "author and has 0") != NULL);
	fk.aps[1] = (struct rg_policy_approver){ "erin", NULL, 0 };
	fk.naps = 2;
	CHECK_INT(run(a, p, &fk, "refs/heads/staging", "staging", NULL), 0);
	CHECK_INT(F.len, 0);
	rg_policy_free(p);
	rg_arena_free(a);
}

TEST(timeout_and_forge_errors_reject)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_policy *p = load(a);
	struct fake fk = { RG_ETIMEOUT, 0, "alice", { { 0 } }, 0, 0, 0, 0 };

	CHECK(p != NULL);
	CHECK_INT(run(a, p, &fk, "refs/heads/main", "prod-eu", NULL), 0);
	CHECK_INT(F.len, 1);
	CHECK_INT(F.items[0].severity, RG_SEV_DENY);
	CHECK_STR(F.items[0].message,
		  "a merge into main needs 2 approvals from users carol or "
		  "groups sre, but the forge did not answer within 3s while "
		  "looking for the merge request; the merge is rejected");
	fk.find_ret = 0;
	fk.list_ret = RG_ETIMEOUT;
	CHECK_INT(run(a, p, &fk, "refs/heads/main", "prod-eu", NULL), 0);
	CHECK(strstr(F.items[0].message, "within 3s while listing its "
					 "approvals") != NULL);
	fk.list_ret = RG_EFORGE;
	CHECK_INT(run(a, p, &fk, "refs/heads/main", "prod-eu", NULL), 0);
	CHECK(strstr(F.items[0].message, "the forge failed while listing its "
					 "approvals: listing failed") != NULL);
	fk.find_ret = RG_ENOTFOUND;
	CHECK_INT(run(a, p, &fk, "refs/heads/main", "prod-eu", NULL), 0);
	CHECK(strstr(F.items[0].message, "no merge request was found") != NULL);
	/* no forge configured at all */
	CHECK_INT(run(a, p, NULL, "refs/heads/main", "prod-eu", NULL), 0);
	CHECK(strstr(F.items[0].message, "no forge is configured") != NULL);
	rg_policy_free(p);
	rg_arena_free(a);
}

TEST(nothing_required_asks_nothing)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_policy *p = load(a);
	struct fake fk = { RG_ETIMEOUT, 0, "alice", { { 0 } }, 0, 0, 0, 0 };

	CHECK(p != NULL);
	CHECK_INT(run(a, p, &fk, "refs/heads/dev", "dev", "envs/dev/a.yaml"), 0);
	CHECK_INT(F.len, 0);
	CHECK_INT(fk.finds, 0);
	CHECK_INT(run(a, p, &fk, "refs/tags/v1", "prod-eu", NULL), 0);
	CHECK_INT(F.len, 0);
	rg_policy_free(p);
	rg_arena_free(a);
}

TEST(owners_protect_config)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_policy *p = load(a);
	struct fake fk = { 0, 0, "alice", { { "bob", sre, 1 } }, 1, 0, 0, 0 };
	const char *which = NULL;
	const char *changed[] = { "envs/dev/a.yaml", ".rendergate/policy.yaml" };

	CHECK(p != NULL);
	CHECK(rg_policy_owners_touched(p, changed, 2, &which));
	CHECK_STR(which, ".rendergate/policy.yaml");
	CHECK(!rg_policy_owners_touched(p, changed, 1, &which));
	CHECK_INT(run(a, p, &fk, "refs/heads/dev", "dev", ".rendergate.yaml"), 0);
	CHECK_INT(F.len, 1);
	CHECK_STR(F.items[0].rule, "policy.owners");
	CHECK_STR(F.items[0].message,
		  "merge request !42: a change to .rendergate.yaml needs 1 "
		  "approval from groups platform and has 0");
	fk.aps[0].groups = platform;
	fk.aps[0].ngroups = 2;
	CHECK_INT(run(a, p, &fk, "refs/heads/dev", "dev", ".rendergate.yaml"), 0);
	CHECK_INT(F.len, 0);
	rg_policy_free(p);
	rg_arena_free(a);
}
