/*
 * gate.h - the run of a hook: from a push to a verdict.
 *
 * For every ref a push updates (push.h), the gate
 *
 *   1. skips refs the server config does not gate (branches always are;
 *      other refs only when they match ref_include), with a trace line;
 *   2. reads .rendergate.yaml from the state before the push: the old tip
 *      of that ref, or for a new branch the default branch tip (HEAD of
 *      the bare repository, or main or master when HEAD's branch has no
 *      commit); when the old tip has none, the default branch's is used
 * (branch-per-environment repositories often keep the config on the default
 * branch only). No config anywhere: the ref is accepted with a one-line note. A
 * broken config rejects with every ".rendergate.yaml:LINE:COL: message". A push
 * that changes .rendergate.yaml is therefore judged by the config it replaces;
 *   3. deletion: deleting a branch an environment lives on is a deny
 *      finding (rule "gate.env-branch-deletion") unless the server config
 *      sets protect_env_branch_deletion: false; other deletions pass;
 *   4. asks rg_env_select (env.h) which environments the change touches
 *      (creation and unknown history: all environments on the branch);
 *   5. renders each chosen environment twice, old tree and new tree
 *      (a force push is diffed the same way, old tip against new tip),
 *      diffs the two (diff.h) and collects the new render's findings,
 *      plus the policy's findings on the new objects (policy.h
 *      rg_policy_check_objects) when a policy applies (the server
 *      config's policy files, the repository's: gatepolicy.h); then,
 *      per rendered environment, the sources named outside its objects,
 *      its version constraints and the promotion of its versions from
 *      the previous stage (gatestage.h). Before rendering, the direct-push
 *      rule, and for merges the forge performs the approvals, owners and
 *      promotion order of the merge request behind them (gatepolicy.h,
 *      gateforge.h).
 *      An environment whose old state cannot be rendered is shown as all
 *      added, with a note; one whose path is gone from the new tree as all
 *      removed; an error in the new render rejects;
 *   6. a branch no environment lives on gets a preview: the target
 *      branch's environments (feature_branches.target, else the repo's
 *      default_branch) are rendered as after merging the pushed commit
 *      (rg_repo_merge_tree; a conflict is a note) and diffed against the
 *      target's tip. Their findings reject only with
 *      feature_branches.fail_early; otherwise they are warnings, and an
 *      environment that cannot be rendered is a note;
 *   7. checks the deadline after every environment: past it, the push is
 *      rejected with "rendergate ran out of time after N ms while
 *      rendering X".
 *
 * Everything lands in a struct rg_report (report.h), which decides the
 * exit code. Nothing here writes to stdout or stderr; the commands at
 * the bottom do.
 */
#ifndef RENDERGATE_GATE_H
#define RENDERGATE_GATE_H

#include "rendergate/compat.h"
#include "rendergate/err.h"

#include <git2.h>

struct rg_arena;
struct rg_report;
struct rg_push;
struct rg_push_update;
struct rg_objset;
struct rg_findings;
struct rg_config_server;
struct rg_config_repo;
struct rg_tree;
struct rg_config_env;

struct rg_policy;
struct rg_rcache;

struct rg_gate {
	struct rg_arena *arena;
	git_repository *repo;		       /* borrowed */
	const struct rg_config_server *server; /* never NULL */
	struct rg_report *report;	       /* results go here */
	uint64_t start_ms;		       /* rg_gate_now_ms() at start */
	const char *user;		       /* pusher, or NULL */
	/* the admin policy (server config policy_files), or NULL when the
	   server names none: then no policy checks run */
	const struct rg_policy *policy;
	/* renders of this run by release and inputs (rcache.h), or NULL */
	struct rg_rcache *rcache;
	/* where environments' dependency logs are kept between pushes
	   (depstore.h), or NULL */
	const char *depdir;
	/* what identifies the rendering code (rg_rcstore_binary_id), or
	   NULL: then renders are not named for the store (rcache.h) */
	const char *binary_id;
};

/*
 * Load the admin policy files the server config names (each refused, like
 * the config itself, when group or others can write it) into *out; NULL
 * when it names none. Every problem goes into errs (policy.h); returns
 * 0 or the first failure's code.
 */
int rg_gate_load_policy(struct rg_policy **out, struct rg_arena *a,
			const struct rg_config_server *srv,
			struct rg_errlist *errs);

/* Monotonic milliseconds. */
uint64_t rg_gate_now_ms(void);

/* Gate every update of push (see above). Returns 0; results in report. */
int rg_gate_run(struct rg_gate *g, const struct rg_push *push);

/* Gate one update (used by rg_gate_run and the update hook). */
int rg_gate_update(struct rg_gate *g, const struct rg_push_update *u);

/*
 * Read and parse .rendergate.yaml from the tree tree_id. *out is NULL
 * (and 0 returned) when the file does not exist. Parse errors are added
 * to g->report and RG_EINVALID (or the parser's code) returned.
 */
int rg_gate_repo_config(struct rg_config_repo **out, struct rg_gate *g,
			const git_oid *tree_id);

/* The same from any tree view (the CLI's --worktree uses dirtree.h). */
int rg_gate_repo_config_tree(struct rg_config_repo **out, struct rg_gate *g,
			     struct rg_tree *t);

/*
 * Render env from the tree tree_id into a fresh *out, appending its
 * findings to findings. With missing_ok, a tree without the
 * environment's path gives *out == NULL and 0 (the environment does not
 * exist there). Errors as rg_env_render (env.h).
 */
int rg_gate_render(struct rg_objset **out, struct rg_findings *findings,
		   struct rg_gate *g, const struct rg_config_repo *cfg,
		   const struct rg_config_env *env, const git_oid *tree_id,
		   bool missing_ok, struct rg_err *err);

/* The same from any tree view. */
int rg_gate_render_tree(struct rg_objset **out, struct rg_findings *findings,
			struct rg_gate *g, const struct rg_config_repo *cfg,
			const struct rg_config_env *env, struct rg_tree *t,
			bool missing_ok, struct rg_err *err);

/*
 * Sharpen rg_env_select's first cut for a push to ref that changed
 * paths[0..npaths) since old_tree. The first cut (paths below an
 * environment's folder) is exact for plain environments, which read
 * nothing else; Kustomize and Helm environments may read bases, charts
 * and values files anywhere. Each such environment of ref's branch that
 * the first cut skipped is rendered from old_tree, and its dependency log
 * decides (rg_env_affected); one that cannot be rendered there is
 * rendered for the push, to be safe. Reasons are updated for --trace.
 */
struct rg_env_choice;
void rg_gate_refine_choices(struct rg_gate *g, const struct rg_config_repo *cfg,
			    const char *ref, struct rg_env_choice *choices,
			    size_t n, const git_oid *old_tree,
			    const char *const *paths, size_t npaths);

/* The hook commands (argv[0] is the command name); return exit codes. */
int rg_gate_cmd_pre_receive(int argc, char **argv);
int rg_gate_cmd_update(int argc, char **argv);
int rg_gate_cmd_post_receive(int argc, char **argv);

#endif
