/*
 * gateforge.h - the forge as policy sees it (policy-approvals.h
 * struct rg_policy_forge_ops), implemented for the hooks with the GitLab
 * and Gitea clients (forge.h) and the repository.
 *
 * Finding the merge request behind a merge. At pre-receive time the forge
 * has not recorded the merge yet (forge.md 2.2, 4.2: the merge commit is
 * still in quarantine, and "the merge request of a commit" answers only
 * for commits it already knows), so the merge request is found among the
 * open ones that target the branch:
 *   - Gitea: the one numbered GITEA_PR_INDEX, when the forge sets it;
 *   - otherwise the one whose head commit is the pushed commit (fast
 *     forward) or one of its second and later parents (a merge commit);
 *   - failing that, the merge request the forge already knows for the
 *     pushed commit (a merge retried after the forge recorded it).
 * Nothing matching is RG_ENOTFOUND, which rejects a merge that needs
 * approvals (policy-approvals.h).
 *
 * Deadline. Every operation gets the smaller of the timeout policy asks
 * for and what is left of the hook's deadline (less a margin for the
 * verdict); the first operation starts one clock that the second shares,
 * so the whole lookup never takes longer than the timeout. A forge that
 * does not answer in time gives RG_ETIMEOUT.
 *
 * Groups. Each approver carries the groups of gf->groups (the groups the
 * policy names) the forge lists it in (forge.h rg_forge_group_members:
 * GitLab group paths, Gitea "org/team" or "org"), asked after the
 * approvals within the same deadline. A group the forge does not know
 * has no members.
 */
#ifndef RENDERGATE_GATEFORGE_H
#define RENDERGATE_GATEFORGE_H

#include <git2.h>

#include "rendergate/compat.h"
#include "rendergate/policy-approvals.h"

struct rg_config_server;

struct rg_gateforge {
	const struct rg_config_server *server;
	git_repository *repo;
	const char *project; /* forge.project, else from the hook env */
	uint64_t left_ms;    /* what is left of the hook's deadline */
	uint64_t until_ms;   /* shared end of the lookup (rg_gate_now_ms) */
	long long iid;	     /* the merge request found, 0 before */
	const char **groups; /* the groups the policy names (set by caller) */
	size_t ngroups;
};

/*
 * Set up gf and ops (ops->ctx = gf) for a hook run on server with
 * repository repo; left_ms is what is left of the hook's deadline.
 * Nothing is allocated and nothing asked until an operation is called.
 */
void rg_gateforge_init(struct rg_gateforge *gf, struct rg_policy_forge_ops *ops,
		       const struct rg_config_server *server,
		       git_repository *repo, const char *project,
		       uint64_t left_ms);

#endif
