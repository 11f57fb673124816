/*
 * policy-promotion.h - promotion order between stages, and soak time.
 *
 * The repository config lists `stages:` in promotion order (config.h);
 * the policy's `promotion` section turns enforcement on and sets soak
 * times (rendergate-policy(5), PROMOTION). Two layouts:
 *
 *   Branch per environment: a merge into stage N's branch must come
 *   from stage N-1's branch (the merge request's source branch, which
 *   rg_policy_check_approvals returns, or what hooks/ learn otherwise).
 *
 *   Folders (several environments on one branch): every component
 *   version (policy-versions.h) that arrives in stage N with this push
 *   must already be in stage N-1 at the pushed tip, and, with a soak
 *   time, must have been there for at least that long. How long is a
 *   question about history that only hooks/ can answer (first-parent
 *   commit times), so it is asked through a callback.
 *
 * The first stage, environments that are not stages, and a policy
 * without an enforcing `promotion` section give no findings.
 *
 * Findings:
 *   policy.promotion   a merge or version that skips the previous stage
 *   policy.soak        a version that has not soaked long enough
 */
#ifndef RENDERGATE_POLICY_PROMOTION_H
#define RENDERGATE_POLICY_PROMOTION_H

#include "rendergate/compat.h"
#include "rendergate/err.h"

struct rg_findings;
struct rg_policy;
struct rg_config_repo;
struct rg_policy_compvers;

/*
 * Branch per environment: check that a forge merge into the branch of
 * stage target_env came from the previous stage's branch. source_branch
 * is the merged branch name without refs/heads/ (NULL when unknown:
 * that is a finding too, since the order cannot be shown).
 */
int rg_policy_check_promotion_branch(struct rg_findings *out,
				     const struct rg_policy *p,
				     const struct rg_config_repo *repo,
				     const char *target_env,
				     const char *source_branch);

/*
 * Soak: since when (Unix seconds) has `version` of `component` been in
 * stage `stage` without interruption, by first-parent commit time on
 * that stage's branch? Return 0 with *since set, RG_ENOTFOUND when it is
 * not there, or another code with err set (the check then fails).
 * RG_POLICY_SOAK_CUT, with *since the time of the oldest commit looked
 * at, says the walk stopped at RG_CAP_POLICY_SOAK_COMMITS with the
 * version in every commit it saw, none of them old enough: it may have
 * soaked long enough, but that cannot be shown, and the check rejects
 * the version naming the cap.
 */
#define RG_POLICY_SOAK_CUT 1

struct rg_policy_soak_query {
	void *ctx;
	int (*since)(void *ctx, const char *stage, const char *component,
		     const char *version, int64_t *since, struct rg_err *err);
};

/*
 * Folders: versions in target_env after the push (after) and before it
 * (before; NULL for a new environment), and in the previous stage at the
 * pushed tip (prev). A version in after but not in before "arrives";
 * it must be in prev, and, when the stage's soak time is not zero, q
 * must say it has been in prev for at least that long before now
 * (Unix seconds). Errors (a failed soak query, or a soak time with q ==
 * NULL) are returned with err set: the gate fails closed.
 */
int rg_policy_check_promotion_versions(struct rg_findings *out,
				       const struct rg_policy *p,
				       const struct rg_config_repo *repo,
				       const char *target_env,
				       const struct rg_policy_compvers *after,
				       const struct rg_policy_compvers *before,
				       const struct rg_policy_compvers *prev,
				       const struct rg_policy_soak_query *q,
				       int64_t now, struct rg_err *err);

/* The soak time that applies to stage (its own, else the default), ms. */
uint64_t rg_policy_soak_ms(const struct rg_policy *p, const char *stage);

#endif
