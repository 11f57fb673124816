/*
 * gatepolicy.c - the policy of an update and the direct-push rule
 * (gatepolicy.h).
 */
#include "rendergate/compat.h"

#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/config.h"
#include "rendergate/finding.h"
#include "rendergate/forge.h"
#include "rendergate/gate.h"
#include "rendergate/gateforge.h"
#include "rendergate/gatepolicy.h"
#include "rendergate/gittree.h"
#include "rendergate/policy.h"
#include "rendergate/policy-approvals.h"
#include "rendergate/policy-promotion.h"
#include "rendergate/push.h"
#include "rendergate/report.h"
#include "rendergate/serverconf.h"
#include "rendergate/tree.h"

extern char **environ;

int rg_gatepolicy_load_tree(struct rg_policy **out, struct rg_gate *g,
			    struct rg_tree *t,
			    const struct rg_policy_file *extra, size_t nextra)
{
	const struct rg_config_server *srv = g->server;
	struct rg_err err = RG_ERR_INIT;
	struct rg_errlist errs = RG_ERRLIST_INIT;
	struct rg_policy_file *files = NULL;
	struct rg_policy *p = NULL;
	bool repo_file = t && rg_tree_stat(t, RG_GATEPOLICY_FILE) !=
				  RG_TREE_MISSING;
	size_t n = 0;
	int rc = 0;

	*out = NULL;
	if (!repo_file && !nextra)
		goto out;
	files = rg_arena_calloc(g->arena, srv->npolicy_files + 1 + nextra,
				sizeof(*files));
	for (size_t i = 0; i < srv->npolicy_files; i++, n++) {
		files[n].name = srv->policy_files[i];
		files[n].origin = RG_POLICY_ADMIN;
		rc = rg_serverconf_read_file(&files[n].data, &files[n].len,
					     g->arena, files[n].name,
					     RG_CAP_CONFIG_BYTES, false, &err);
		if (rc) {
			rg_report_error(g->report, &err);
			goto out;
		}
	}
	if (repo_file) {
		files[n].name = RG_GATEPOLICY_FILE;
		files[n].origin = RG_POLICY_REPO;
		rc = rg_tree_read(t, RG_GATEPOLICY_FILE, &files[n].data,
				  &files[n].len, &err);
		if (rc) {
			rg_err_prefix(&err, "%s", RG_GATEPOLICY_FILE);
			rg_report_error(g->report, &err);
			goto out;
		}
		n++;
	}
	for (size_t i = 0; i < nextra; i++)
		files[n++] = extra[i];
	rc = rg_policy_load(&p, g->arena, files, n, &errs);
	if (rc) {
		for (size_t i = 0; i < errs.len; i++)
			rg_report_error(g->report, &errs.items[i]);
		goto out;
	}
	*out = p;
out:
	rg_errlist_release(&errs);
	return rc;
}

int rg_gatepolicy_for_update(struct rg_policy **out, struct rg_gate *g,
			     const git_oid *cfg_tree)
{
	struct rg_err err = RG_ERR_INIT;
	struct rg_tree *t =
	    rg_gittree_new(g->arena, g->repo, cfg_tree, "policy", &err);
	int rc = 0;

	*out = NULL;
	if (!t) {
		rg_report_error(g->report, &err);
		rc = err.code ? err.code : RG_ERROR;
		goto out;
	}
	rc = rg_gatepolicy_load_tree(out, g, t, NULL, 0);
out:
	rg_tree_free(t);
	return rc;
}

/* What is left of the hook's deadline for asking the forge, keeping a
 * little for the verdict. */
static uint64_t forge_budget(const struct rg_gate *g)
{
	uint64_t spent = rg_gate_now_ms() - g->start_ms;
	uint64_t left = g->server->deadline_ms > spent
			    ? g->server->deadline_ms - spent
			    : 0;

	return left > 1000 ? left - 500 : left / 2;
}

/* Is env a stage after the first with promotion enforced? */
static bool promotes(const struct rg_policy *p, const struct rg_config_repo *cfg,
		     const char *env)
{
	return env && p->promotion.set && p->promotion.enforce &&
	       rg_config_stage_index(cfg, env) > 0;
}

/* Every group the approvals and owners sections name, each once. */
static size_t policy_groups(const char ***out, struct rg_arena *a,
			    const struct rg_policy *p)
{
	size_t max = p->owners.ngroups, n = 0;
	const char **all;

	for (size_t i = 0; i < p->napprovals; i++)
		max += p->approvals[i].ngroups;
	all = rg_arena_calloc(a, max + 1, sizeof(*all));
	for (size_t i = 0; i <= p->napprovals; i++) {
		const char **gs = i < p->napprovals ? p->approvals[i].groups
						    : p->owners.groups;
		size_t ng = i < p->napprovals ? p->approvals[i].ngroups
					      : p->owners.ngroups;

		for (size_t j = 0; j < ng; j++) {
			size_t k = 0;

			while (k < n && strcmp(all[k], gs[j]))
				k++;
			if (k == n)
				all[n++] = gs[j];
		}
	}
	*out = all;
	return n;
}

/*
 * A merge the forge performs: approvals (and owners, for changes to the
 * paths they own) from the merge request behind it, then, for a stage
 * with a branch of its own, that the merge request comes from the
 * previous stage's branch.
 */
static void check_merge(struct rg_gate *g, const struct rg_config_repo *cfg,
			const struct rg_policy_push *ctx,
			const struct rg_push_update *u)
{
	struct rg_findings *out = &g->report->findings;
	enum rg_config_forge kind = g->server->forge.kind;
	struct rg_policy_merge m;
	struct rg_policy_mr mr;
	struct rg_policy_forge_ops ops;
	struct rg_gateforge gf;
	struct rg_err err = RG_ERR_INIT;
	uint64_t left = forge_budget(g);

	memset(&m, 0, sizeof(m));
	memset(&mr, 0, sizeof(mr));
	m.ref = u->ref;
	m.env = ctx->env;
	m.commit = u->new_id;
	m.changed = ctx->changed;
	m.nchanged = ctx->nchanged;
	m.timeout_ms = left ? left : 1;
	rg_gateforge_init(&gf, &ops, g->server, g->repo,
			  rg_forge_project_from_env(g->arena, kind), left);
	gf.ngroups = policy_groups(&gf.groups, g->arena, g->policy);
	rg_policy_check_approvals(out, g->policy, &m, &ops, &mr, &err);
	/* creating a stage's branch (GitLab's "new branch" runs as web
	   too) is not a merge */
	if (u->kind != RG_PUSH_UPDATE || !promotes(g->policy, cfg, ctx->env))
		return;
	if (!mr.source_branch && !gf.until_ms) {
		/* no approvals asked: ask for the merge request itself */
		if (ops.find_merged_mr(&gf, g->arena, u->ref, u->new_id,
				       m.timeout_ms, &mr, &err) < 0)
			rg_report_note(g->report,
				       "%s: the merge request behind this "
				       "merge was not found: %s",
				       u->ref, err.msg);
	}
	rg_policy_check_promotion_branch(out, g->policy, cfg, ctx->env,
					 mr.source_branch);
}

void rg_gatepolicy_check_push(struct rg_gate *g,
			      const struct rg_config_repo *cfg,
			      const struct rg_push_update *u,
			      const char *const *paths, size_t npaths)
{
	struct rg_policy_push ctx;
	const char *branch = NULL;

	/* without a forge nothing merges on the server's behalf, so every
	   update is "direct": the rule needs a forge to tell them apart */
	if (!g->policy || g->server->forge.kind == RG_FORGE_NONE)
		return;
	memset(&ctx, 0, sizeof(ctx));
	ctx.forge = g->server->forge.kind == RG_FORGE_GITLAB ? RG_POLICY_FORGE_GITLAB
		    : g->server->forge.kind == RG_FORGE_GITEA ? RG_POLICY_FORGE_GITEA
							      : RG_POLICY_FORGE_NONE;
	ctx.user = g->user;
	ctx.ref = u->ref;
	ctx.environ = (const char *const *)environ;
	ctx.changed = paths;
	ctx.nchanged = npaths;
	if (!strncmp(u->ref, "refs/heads/", 11))
		branch = u->ref + 11;
	for (size_t i = 0; branch && i < cfg->nenvs; i++) {
		const char *b = rg_config_env_branch(cfg, &cfg->envs[i]);

		if (b && !strcmp(b, branch)) {
			ctx.env_branch = true;
			ctx.env = cfg->envs[i].name;
			break;
		}
	}
	ctx.config_branch = branch && cfg->default_branch &&
			    !strcmp(branch, cfg->default_branch);
	rg_policy_push_fill_user(&ctx);
	rg_policy_check_push(&g->report->findings, g->policy, &ctx);
	if (u->kind != RG_PUSH_DELETE && rg_policy_push_is_forge_merge(&ctx, NULL))
		check_merge(g, cfg, &ctx, u);
}
