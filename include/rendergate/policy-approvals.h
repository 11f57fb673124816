/*
 * policy-approvals.h - approvals at merge time, and self-protection.
 *
 * When the forge merges a merge request into a branch, the policy may
 * require approvals (rendergate-policy(5), APPROVALS): at least `min`
 * approvals, from the named users or members of the named groups (or
 * anyone, when neither is given), never counting the merge request's
 * author. Changes to paths the admin's `owners` section names (the
 * repository config, the repository's policy files) need approvals from
 * those owners (OWNERS).
 *
 * The policy logic talks to the forge through the small interface below,
 * which hooks/ implements with the GitLab and Gitea clients (forge.h) and
 * tests implement in-process. policy/ never does I/O itself: it calls the
 * two operations with a timeout, and fails closed when they do not
 * answer - a forge that times out or errs rejects the merge with a
 * finding saying so.
 *
 * Findings:
 *   policy.approvals   too few approvals, no merge request found, or the
 *                      forge did not answer (the message says which)
 *   policy.owners      a change to owner-protected paths without enough
 *                      owner approvals
 */
#ifndef RENDERGATE_POLICY_APPROVALS_H
#define RENDERGATE_POLICY_APPROVALS_H

#include "rendergate/compat.h"
#include "rendergate/err.h"

struct rg_arena;
struct rg_findings;
struct rg_policy;

/* A merge request, as far as approvals care. Strings in the arena. */
struct rg_policy_mr {
	const char *id;		   /* "!42" / "#42", for messages */
	const char *author;	   /* username */
	const char *source_branch; /* branch it merges from */
	const char *target_branch;
};

/* One approval: who, and the groups that user belongs to (those the
 * forge client could tell; groups in the policy match these names). */
struct rg_policy_approver {
	const char *user;
	const char **groups;
	size_t ngroups;
};

/*
 * The forge, seen from policy. Both operations must give up after
 * timeout_ms and return RG_ETIMEOUT; other failures are RG_EFORGE (or
 * any code) with err set. Results live in arena a.
 */
struct rg_policy_forge_ops {
	void *ctx;
	/* The merge request whose merge produced commit on ref:
	   RG_ENOTFOUND when there is none. */
	int (*find_merged_mr)(void *ctx, struct rg_arena *a, const char *ref,
			      const char *commit, uint64_t timeout_ms,
			      struct rg_policy_mr *out, struct rg_err *err);
	/* Who approved it (any order, duplicates allowed). */
	int (*list_approvals)(void *ctx, struct rg_arena *a,
			      const struct rg_policy_mr *mr,
			      uint64_t timeout_ms,
			      struct rg_policy_approver **out, size_t *n,
			      struct rg_err *err);
};

/* One forge merge into a branch. */
struct rg_policy_merge {
	const char *ref;    /* "refs/heads/main" */
	const char *env;    /* environment living on that branch, or NULL */
	const char *commit; /* new tip (hex) */
	/* repository paths the merge changes (for owners), or NULL */
	const char *const *changed;
	size_t nchanged;
	/* timeout when no matching approvals entry sets one (the server
	   config's forge deadline); 0 means 5000 ms */
	uint64_t timeout_ms;
};

/* Do any of the changed paths match the admin's owners.paths? *which
 * (may be NULL) gets the first such path. */
bool rg_policy_owners_touched(const struct rg_policy *p,
			      const char *const *changed, size_t nchanged,
			      const char **which);

/*
 * Check the approvals the policy requires for merge m. Nothing is asked
 * of the forge when no approvals entry matches the branch or
 * environment and no owner-protected path changed. *mr_out (may be
 * NULL) receives the merge request when one was found, so hooks can
 * reuse it (promotion order needs its source branch). Returns 0; the
 * decisions, including "the forge did not answer within 5s", are
 * findings. forge may be NULL (no forge configured): any requirement
 * then gives a finding saying approvals cannot be checked.
 */
int rg_policy_check_approvals(struct rg_findings *out,
			      const struct rg_policy *p,
			      const struct rg_policy_merge *m,
			      const struct rg_policy_forge_ops *forge,
			      struct rg_policy_mr *mr_out, struct rg_err *err);

#endif
