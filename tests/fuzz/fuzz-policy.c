/*
 * fuzz-policy.c - the policy loader on arbitrary bytes, then the loaded
 * policy over a fixed set of objects and pushes.
 *
 * The input is loaded twice: as an admin file, and as a repository file
 * on top of a small admin file. Invariants: a load either returns a
 * policy with no error recorded, or fails with at least one error, every
 * one naming a file; a loaded policy checks the sample objects and pushes
 * without crashing, and every finding has a rule id and a message.
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/doc.h"
#include "rendergate/finding.h"
#include "rendergate/objects.h"
#include "rendergate/policy.h"
#include "rendergate/policy-approvals.h"
#include "rendergate/policy-versions.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char sample[] =
	"apiVersion: apps/v1\nkind: Deployment\n"
	"metadata: {name: web, namespace: team-a, labels: {app: web}}\n"
	"spec:\n  replicas: 1\n  template:\n"
	"    metadata: {annotations: {a.io/x: y}}\n"
	"    spec:\n      hostNetwork: true\n"
	"      containers:\n      - name: app\n        image: nginx:latest\n"
	"        securityContext: {privileged: true, capabilities: "
	"{add: [SYS_ADMIN]}}\n        ports: [{hostPort: 80}]\n"
	"      initContainers: [{name: i, image: 'Bad Image'}]\n"
	"---\napiVersion: v1\nkind: Namespace\nmetadata: {name: other}\n"
	"---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\n"
	"metadata: {name: g, namespace: flux}\nspec: {url: 'https://x/y'}\n"
	"---\napiVersion: argoproj.io/v1alpha1\nkind: Rollout\n"
	"metadata: {name: r}\nspec: {template: {spec: {containers: "
	"[{image: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab'}]}}}\n";

/* A forge that never answers in time, and one with two approvals. */
static int no_mr(void *ctx, struct rg_arena *a, const char *ref,
		 const char *commit, uint64_t timeout_ms,
		 struct rg_policy_mr *out, struct rg_err *err)
{
	(void)ctx;
	(void)a;
	(void)ref;
	(void)commit;
	(void)timeout_ms;
	(void)out;
	return rg_err_set(err, RG_ETIMEOUT, NULL, "timed out");
}

static int one_mr(void *ctx, struct rg_arena *a, const char *ref,
		  const char *commit, uint64_t timeout_ms,
		  struct rg_policy_mr *out, struct rg_err *err)
{
	(void)ctx;
	(void)a;
	(void)commit;
	(void)timeout_ms;
	(void)err;
	out->id = "!1";
	out->author = "alice";
	out->source_branch = "staging";
	out->target_branch = ref;
	return 0;
}

static int two_approvals(void *ctx, struct rg_arena *a,
			 const struct rg_policy_mr *mr, uint64_t timeout_ms,
			 struct rg_policy_approver **out, size_t *n,
			 struct rg_err *err)
{
	static const char *groups[] = { "sre", "platform" };
	static struct rg_policy_approver aps[] = { { "alice", groups, 2 },
						   { "bob", groups, 1 } };

	(void)ctx;
	(void)a;
	(void)mr;
	(void)timeout_ms;
	(void)err;
	*out = aps;
	*n = 2;
	return 0;
}

static void exercise_merge(struct rg_policy *p, struct rg_findings *f,
			   const struct rg_objset *set, struct rg_arena *a)
{
	static const char *changed[] = { ".rendergate.yaml", "envs/prod/a" };
	struct rg_policy_forge_ops slow = { NULL, no_mr, two_approvals };
	struct rg_policy_forge_ops ok = { NULL, one_mr, two_approvals };
	struct rg_policy_merge m = { "refs/heads/main", "prod", "abc",
				     changed, 2, 0 };
	struct rg_policy_release rel = { "db-migrator", "1.2.3",
					 { "Chart.yaml", 1, 1 } };
	struct rg_policy_compvers v;
	struct rg_err e = RG_ERR_INIT;

	(void)rg_policy_check_approvals(f, p, &m, &slow, NULL, &e);
	(void)rg_policy_check_approvals(f, p, &m, &ok, NULL, &e);
	(void)rg_policy_check_approvals(f, p, &m, NULL, NULL, &e);
	memset(&v, 0, sizeof(v));
	if (rg_policy_versions_collect(&v, a, p, set, &rel, 1, &e) == 0)
		(void)rg_policy_check_versions(f, p, "prod", &v, &e);
}

static void exercise(struct rg_policy *p, struct rg_arena *a)
{
	static const char *env_web[] = { "GL_PROTOCOL=web", NULL };
	struct rg_findings f;
	struct rg_objset set;
	struct rg_docs d;
	struct rg_err e = RG_ERR_INIT;
	struct rg_policy_push push = { .forge = RG_POLICY_FORGE_GITLAB,
				       .user = "alice",
				       .ref = "refs/heads/main",
				       .env_branch = true,
				       .env = "prod",
				       .environ = env_web };

	rg_finding_init(&f, a);
	rg_objset_init(&set, a);
	if (rg_doc_parse(&d, a, "sample.yaml", sample, sizeof(sample) - 1, 0,
			 &e) < 0)
		abort();
	for (size_t i = 0; i < d.len; i++)
		if (rg_objset_add_doc(NULL, &set, d.docs[i], &f, "plain", "prod",
				      &e) < 0)
			abort();
	(void)rg_policy_check_objects(&f, p, "prod", &set, &e);
	(void)rg_policy_check_objects(&f, p, "dev", &set, &e);
	(void)rg_policy_check_push(&f, p, &push);
	push.environ = NULL;
	(void)rg_policy_check_push(&f, p, &push);
	exercise_merge(p, &f, &set, a);
	for (size_t i = 0; i < f.len; i++)
		if (!f.items[i].rule[0] || !f.items[i].message)
			abort();
}

static void one(const struct rg_policy_file *files, size_t n)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_errlist errs = RG_ERRLIST_INIT;
	struct rg_policy *p = NULL;
	int ret = rg_policy_load(&p, a, files, n, &errs);

	if (ret == 0) {
		if (errs.len || !p)
			abort();
		exercise(p, a);
		rg_policy_free(p);
	} else {
		if (!errs.len || p)
			abort();
		for (size_t i = 0; i < errs.len; i++)
			if (!errs.items[i].file[0] || !errs.items[i].msg[0])
				abort();
	}
	rg_errlist_release(&errs);
	rg_arena_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char admin[] =
		"images: {allow: ['^docker\\.io/'], require_digest: [prod]}\n"
		"push: {bypass_users: [bot]}\n";
	struct rg_policy_file f[2] = {
		{ "admin.yaml", admin, sizeof(admin) - 1, RG_POLICY_ADMIN },
		{ "policy.yaml", (const char *)data, size, RG_POLICY_ADMIN },
	};

	one(&f[1], 1);
	f[1].origin = RG_POLICY_REPO;
	one(f, 2);
	return 0;
}
