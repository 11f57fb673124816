/*
 * gateforge.c - the policy's forge operations over the forge clients
 * (gateforge.h).
 */
#include "rendergate/compat.h"

#include "rendergate/arena.h"
#include "rendergate/config.h"
#include "rendergate/forge.h"
#include "rendergate/gate.h"
#include "rendergate/gateforge.h"

#include <inttypes.h>

/* A connection whose every request ends by the lookup's deadline;
 * RG_ETIMEOUT when nothing is left of it. */
static int forge_open(struct rg_forge **out, struct rg_gateforge *gf,
		   uint64_t timeout_ms, struct rg_err *err)
{
	struct rg_http_opts http;
	uint64_t now = rg_gate_now_ms(), left;

	*out = NULL;
	if (!gf->until_ms) {
		uint64_t t = timeout_ms < gf->left_ms ? timeout_ms : gf->left_ms;

		gf->until_ms = now + t;
	}
	left = gf->until_ms > now ? gf->until_ms - now : 0;
	if (!left)
		return rg_err_set(err, RG_ETIMEOUT, NULL,
				  "no time left to ask the forge");
	memset(&http, 0, sizeof(http));
	http.deadline_ms = (unsigned)left;
	http.attempt_ms = (unsigned)left;
	http.connect_ms = (unsigned)left;
	http.backoff_base_ms = 100;
	return rg_forge_from_config(out, gf->server, gf->project, &http, err);
}

/* Is the hex id of one of commit's parents after the first (or of
 * commit itself, a fast-forward merge) equal to sha? */
static bool merge_head(git_repository *repo, const git_oid *commit,
		       const char *sha)
{
	git_commit *c = NULL;
	git_oid id;
	bool yes = false;

	if (!sha || git_oid_fromstr(&id, sha) < 0)
		return false;
	if (git_oid_equal(&id, commit))
		return true;
	if (git_commit_lookup(&c, repo, commit) < 0)
		return false;
	for (unsigned i = 1; i < git_commit_parentcount(c) && !yes; i++)
		yes = git_oid_equal(git_commit_parent_id(c, i), &id);
	git_commit_free(c);
	return yes;
}

static void to_policy(struct rg_policy_mr *out, struct rg_arena *a,
		      const struct rg_gateforge *gf,
		      const struct rg_forge_mr *m)
{
	out->id = rg_arena_printf(
	    a, "%s%lld", gf->server->forge.kind == RG_FORGE_GITLAB ? "!" : "#",
	    m->iid);
	out->author = m->author;
	out->source_branch = m->source_branch;
	out->target_branch = m->target_branch;
}

/* GITEA_PR_INDEX as a number, or 0. */
static long long gitea_index(const struct rg_gateforge *gf)
{
	const char *s = getenv("GITEA_PR_INDEX");
	long long n = 0;

	if (gf->server->forge.kind != RG_FORGE_GITEA || !s)
		return 0;
	for (; *s >= '0' && *s <= '9' && n < 1000000000; s++)
		n = n * 10 + (*s - '0');
	return *s ? 0 : n;
}

static int find_merged_mr(void *ctx, struct rg_arena *a, const char *ref,
			  const char *commit, uint64_t timeout_ms,
			  struct rg_policy_mr *out, struct rg_err *err)
{
	struct rg_gateforge *gf = ctx;
	const char *branch = ref + (strncmp(ref, "refs/heads/", 11) ? 0 : 11);
	struct rg_forge *f = NULL;
	struct rg_forge_mr *mrs = NULL, merged;
	const struct rg_forge_mr *hit = NULL;
	long long index = gitea_index(gf);
	size_t n = 0;
	git_oid id;
	int ret = forge_open(&f, gf, timeout_ms, err);

	if (!ret && git_oid_fromstr(&id, commit) < 0)
		ret = rg_err_set(err, RG_EINVALID, NULL,
				 "%s is not a commit id", commit);
	if (!ret)
		ret = rg_forge_find_open_mrs(&mrs, &n, f, a, NULL, branch, err);
	for (size_t i = 0; !ret && i < n && !hit; i++)
		if (index ? mrs[i].iid == index
			  : merge_head(gf->repo, &id, mrs[i].head_sha))
			hit = &mrs[i];
	if (!ret && !hit) {
		ret = rg_forge_find_merged_mr(&merged, f, a, commit, err);
		if (!ret && merged.target_branch &&
		    !strcmp(merged.target_branch, branch))
			hit = &merged;
		else if (!ret || ret == RG_ENOTFOUND)
			ret = rg_err_set(err, RG_ENOTFOUND, NULL,
					 "no open merge request into %s has "
					 "head %.12s",
					 branch, commit);
	}
	if (!ret) {
		to_policy(out, a, gf, hit);
		gf->iid = hit->iid;
	}
	rg_forge_free(f);
	return ret;
}

/* Mark the approvers who are members of group (a group the forge does
 * not know has no members: the requirement is simply not met). */
static int add_group(struct rg_policy_approver *aps, size_t n,
		     struct rg_forge *f, struct rg_arena *a, const char *group,
		     struct rg_err *err)
{
	const char **members = NULL;
	size_t nm = 0;
	int ret = rg_forge_group_members(&members, &nm, f, a, group, err);

	if (ret == RG_ENOTFOUND)
		return 0;
	for (size_t i = 0; !ret && i < n; i++)
		for (size_t j = 0; j < nm; j++)
			if (aps[i].user && !strcmp(aps[i].user, members[j])) {
				aps[i].groups[aps[i].ngroups++] = group;
				break;
			}
	return ret;
}

static int list_approvals(void *ctx, struct rg_arena *a,
			  const struct rg_policy_mr *mr, uint64_t timeout_ms,
			  struct rg_policy_approver **out, size_t *n,
			  struct rg_err *err)
{
	struct rg_gateforge *gf = ctx;
	struct rg_forge *f = NULL;
	struct rg_forge_approval *aps = NULL;
	size_t na = 0;
	int ret = forge_open(&f, gf, timeout_ms, err);

	(void)mr; /* gf->iid is the one find_merged_mr found */
	*out = NULL;
	*n = 0;
	if (!ret)
		ret = rg_forge_list_approvals(&aps, &na, f, a, gf->iid, err);
	if (!ret) {
		*out = rg_arena_calloc(a, na ? na : 1, sizeof(**out));
		for (size_t i = 0; i < na; i++) {
			(*out)[i].user = aps[i].username;
			(*out)[i].groups = rg_arena_calloc(
			    a, gf->ngroups + 1, sizeof(*(*out)[i].groups));
		}
		*n = na;
	}
	for (size_t g = 0; !ret && na && g < gf->ngroups; g++)
		ret = add_group(*out, na, f, a, gf->groups[g], err);
	rg_forge_free(f);
	return ret;
}

void rg_gateforge_init(struct rg_gateforge *gf, struct rg_policy_forge_ops *ops,
		       const struct rg_config_server *server,
		       git_repository *repo, const char *project,
		       uint64_t left_ms)
{
	memset(gf, 0, sizeof(*gf));
	gf->server = server;
	gf->repo = repo;
	gf->project = project;
	gf->left_ms = left_ms;
	memset(ops, 0, sizeof(*ops));
	ops->ctx = gf;
	ops->find_merged_mr = find_merged_mr;
	ops->list_approvals = list_approvals;
}
