/*
 * gatestage.h - compatible version sets and promotion order over real
 * trees and histories (hooks side of policy-versions.h and
 * policy-promotion.h).
 *
 * Component versions (policy-versions.h) are read from an environment's
 * rendered objects and from its Helm releases: a release whose chart is a
 * directory in the repository has the `version` of that chart's
 * Chart.yaml (with its position), one from a chart repository has the
 * version its config entry names.
 *
 * Promotion of versions. For an environment that is stage N (N > 0) of
 * the repo config's `stages`, when the policy's `promotion` section is
 * enforced, every component version that arrives with a push (is in the
 * environment after it and was not before) must be in stage N-1:
 *   - at the pushed commit, when stage N-1 lives on the same branch
 *     (folders), or at the tip of stage N-1's branch (a branch per
 *     environment);
 *   - and, when stage N-1 has a soak time, it must have been there for at
 *     least that long: the first-parent history of that commit is walked
 *     back (at most RG_CAP_POLICY_SOAK_COMMITS commits, rendering stage
 *     N-1 at each) to the oldest commit of the unbroken run that has the
 *     version, whose committer time is when it arrived. Walking stops as
 *     soon as the run is long enough. A run that reaches the cap without
 *     being long enough is a policy.soak finding naming the cap: the
 *     version may have arrived earlier, but that cannot be shown, so it
 *     is rejected. On the pushed branch, commits the push brings (not
 *     reachable from the tip before it) count as arriving now whatever
 *     their dates say, so a version cannot soak by being backdated in
 *     the push that promotes it.
 * Renders made here do not touch the stored dependency logs (depstore.h).
 */
#ifndef RENDERGATE_GATESTAGE_H
#define RENDERGATE_GATESTAGE_H

#include <git2.h>

#include "rendergate/compat.h"
#include "rendergate/err.h"

struct rg_gate;
struct rg_tree;
struct rg_findings;
struct rg_objset;
struct rg_config_repo;
struct rg_config_env;
struct rg_policy_compvers;

/*
 * The component versions of env in tree t into out (zeroed by the
 * caller): from set when it is not NULL, else from a render of t (an
 * environment whose path is missing from t has none, and *exists, which
 * may be NULL, is set false). Uses g->policy (must not be NULL).
 */
int rg_gatestage_versions(struct rg_policy_compvers *out, bool *exists,
			  struct rg_gate *g, const struct rg_config_repo *cfg,
			  const struct rg_config_env *env, struct rg_tree *t,
			  const struct rg_objset *set, struct rg_err *err);

/*
 * The sources of env named outside its rendered objects, read from t,
 * into out: the chart repositories of its releases
 * (rg_policy_check_releases), the dependency repositories of their
 * charts in the repository (rg_policy_check_chart) and their ranges
 * against the subcharts vendored unpacked in the chart's charts/
 * (rg_policy_check_chart_deps), and the remote entries of the
 * kustomization at the environment's path or a release's kustomize
 * directory (rg_policy_check_kustomization; not those of its bases).
 * Needs no render, so it runs for environments that cannot be rendered
 * too (a remote base is unrenderable and perhaps denied). No-op without
 * a policy.
 */
int rg_gatestage_check_sources(struct rg_findings *out, struct rg_gate *g,
			       const struct rg_config_env *env,
			       struct rg_tree *t, struct rg_err *err);

/*
 * The version constraints on env's objects set (rendered from t; NULL:
 * render t) into out. No-op without a policy or constraints.
 */
int rg_gatestage_check_versions(struct rg_findings *out, struct rg_gate *g,
				const struct rg_config_repo *cfg,
				const struct rg_config_env *env,
				struct rg_tree *t, const struct rg_objset *set,
				struct rg_err *err);

/*
 * Promotion of versions into env for an update of ref from commit
 * old_commit (NULL: the branch is new) to new_commit, as above. No-op
 * unless env is a stage after the first, the policy enforces promotion
 * and names components.
 */
int rg_gatestage_check_promotion(struct rg_findings *out, struct rg_gate *g,
				 const struct rg_config_repo *cfg,
				 const struct rg_config_env *env,
				 const char *ref, const git_oid *old_commit,
				 const git_oid *new_commit, struct rg_err *err);

/*
 * For a gated update u of a push, for every environment of
 * choices[0..n) that is rendered, after the gate rendered it: its
 * sources, and when the gate's render succeeded (else the push is
 * rejected already) its version constraints and the promotion of its
 * versions (renders come from the run's render cache). Errors are reported to g->report (the push is
 * rejected: the policy could not be decided).
 */
struct rg_push_update;
struct rg_env_choice;
void rg_gatestage_check_update(struct rg_gate *g,
			       const struct rg_config_repo *cfg,
			       const struct rg_push_update *u,
			       const struct rg_env_choice *choices, size_t n);

/*
 * The same for a preview (gate.h: a push to a branch no environment lives
 * on, rendered as merged into its target): sources and version
 * constraints of the environments of choices[0..n) rendered from tree
 * (the merge result) for the report's ref label, findings into out (the
 * gate turns them into warnings unless feature_branches.fail_early).
 * The promotion of versions needs a commit and is left to the merge.
 * Errors are notes with errors_are_notes, else reported.
 */
void rg_gatestage_check_preview(struct rg_findings *out, struct rg_gate *g,
				const struct rg_config_repo *cfg,
				const char *label,
				const struct rg_env_choice *choices, size_t n,
				const git_oid *tree, bool errors_are_notes);

#endif
