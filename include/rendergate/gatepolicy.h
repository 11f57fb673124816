/*
 * gatepolicy.h - which policy a ref update is judged by, and the
 * direct-push rule (hooks side of policy.h).
 *
 * The policy of an update is the admin policy (the server config's
 * policy_files) plus the repository's own policy file, RG_GATEPOLICY_FILE,
 * read from the same pre-push state as .rendergate.yaml (so a push can
 * never loosen the rules it is judged by). Each file is a layer that every
 * push must satisfy (rendergate-policy(5)): a repository file can only
 * tighten the admin's rules.
 *
 * When neither exists, no policy applies: only rendering problems and
 * the renderers' own findings decide.
 *
 * The direct-push rule (pushes to environment branches must be merges the
 * forge performed) runs only when a policy exists and the server config
 * names a forge (gitlab or gitea): on a plain git server nothing merges on
 * the server's behalf, so every update would count as direct. NEEDSWORK:
 * owners self-protection (policy.owners) is skipped there too; plain git
 * servers protect .rendergate.yaml with the admin's branch permissions.
 *
 * Merges the forge performs (GL_PROTOCOL=web, a Gitea pull request merge)
 * are checked against the merge request behind them, asked of the forge
 * through gateforge.h within what is left of the hook's deadline:
 * approvals and owners (policy-approvals.h; a forge that does not answer
 * in time rejects, saying so), and for a stage on a branch of its own
 * the promotion order (policy-promotion.h: the merge request's source
 * branch must be the previous stage's).
 */
#ifndef RENDERGATE_GATEPOLICY_H
#define RENDERGATE_GATEPOLICY_H

#include <git2.h>

#include "rendergate/compat.h"

struct rg_gate;
struct rg_policy;
struct rg_config_repo;
struct rg_push_update;

#define RG_GATEPOLICY_FILE ".rendergate/policy.yaml"

struct rg_tree;
struct rg_policy_file;

/*
 * The policy of tree t (may be NULL): the admin files, t's
 * RG_GATEPOLICY_FILE and extra[0..nextra) (rendergate check --policy,
 * origin RG_POLICY_REPO: they only tighten). *out is NULL when t has no
 * repository policy and there are no extra files (the admin policy,
 * g->policy, applies alone). Errors as rg_gatepolicy_for_update.
 */
int rg_gatepolicy_load_tree(struct rg_policy **out, struct rg_gate *g,
			    struct rg_tree *t,
			    const struct rg_policy_file *extra, size_t nextra);

/*
 * The policy for an update whose repo config came from tree cfg_tree:
 * *out is NULL when the tree has no RG_GATEPOLICY_FILE (the admin policy,
 * g->policy, applies alone), else a new policy of the admin files plus
 * that file, which the caller frees with rg_policy_free. A broken
 * repository policy adds every problem to g->report (file:line:col) and
 * returns RG_EINVALID, which rejects the update (fail closed).
 */
int rg_gatepolicy_for_update(struct rg_policy **out, struct rg_gate *g,
			     const git_oid *cfg_tree);

/*
 * The direct-push rule and owners self-protection (policy.h
 * rg_policy_check_push) for update u, with the forge kind from the server
 * config, the pusher and forge variables from the environment, and the
 * paths the update changes; for a forge merge, approvals, owners and the
 * promotion order as above. No-op when g->policy is NULL.
 */
void rg_gatepolicy_check_push(struct rg_gate *g,
			      const struct rg_config_repo *cfg,
			      const struct rg_push_update *u,
			      const char *const *paths, size_t npaths);

#endif
