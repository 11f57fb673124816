/*
 * gatepolicy.c - the policy of an update and the direct-push rule
 * (gatepolicy.h).
 */
#include "rendergate/compat.h"

#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/config.h"
#include "rendergate/finding.h"
#include "rendergate/gate.h"
#include "rendergate/gatepolicy.h"
#include "rendergate/gittree.h"
#include "rendergate/policy.h"
#include "rendergate/push.h"
#include "rendergate/report.h"
#include "rendergate/serverconf.h"
#include "rendergate/tree.h"

extern char **environ;

int rg_gatepolicy_for_update(struct rg_policy **out, struct rg_gate *g,
			     const git_oid *cfg_tree)
{
	const struct rg_config_server *srv = g->server;
	struct rg_err err = RG_ERR_INIT;
	struct rg_errlist errs = RG_ERRLIST_INIT;
	struct rg_policy_file *files = NULL;
	struct rg_policy *p = NULL;
	struct rg_tree *t = NULL;
	size_t n = 0;
	int rc = 0;

	*out = NULL;
	t = rg_gittree_new(g->arena, g->repo, cfg_tree, "policy", &err);
	if (!t) {
		rg_report_error(g->report, &err);
		rc = err.code ? err.code : RG_ERROR;
		goto out;
	}
	if (rg_tree_stat(t, RG_GATEPOLICY_FILE) == RG_TREE_MISSING)
		goto out;
	files = rg_arena_calloc(g->arena, srv->npolicy_files + 1,
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
	files[n].name = RG_GATEPOLICY_FILE;
	files[n].origin = RG_POLICY_REPO;
	rc = rg_tree_read(t, RG_GATEPOLICY_FILE, &files[n].data, &files[n].len,
			  &err);
	if (rc) {
		rg_err_prefix(&err, "%s", RG_GATEPOLICY_FILE);
		rg_report_error(g->report, &err);
		goto out;
	}
	n++;
	rc = rg_policy_load(&p, g->arena, files, n, &errs);
	if (rc) {
		for (size_t i = 0; i < errs.len; i++)
			rg_report_error(g->report, &errs.items[i]);
		goto out;
	}
	*out = p;
out:
	rg_errlist_release(&errs);
	rg_tree_free(t);
	return rc;
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
}
