/*
 * env.h - environments: which renderer draws them, rendering one, and
 * which environments a push affects (change scoping).
 *
 * Rendering. An environment (config.h) is drawn by one renderer from a
 * small registry in render/env.c, each entry a struct rg_renderer:
 *
 *   "plain"      every YAML file below the path     (plain.h)
 *   "kustomize"  a kustomization directory           (kustomize engineer)
 *   "helm"       a chart with layered values         (Helm engineer)
 *
 * An environment of kind "auto" without releases asks each renderer's
 * detect() in registry order (kustomize: kustomization.yaml, .yml or
 * Kustomization in the path; helm: Chart.yaml; plain: always). An
 * environment with `releases` renders each release in file order: a
 * release with `chart` through "helm", one with `kustomize` through
 * "kustomize", all into the one objset. A renderer that this build lacks
 * (its registry entry has render == NULL) is RG_EUNSUPPORTED, "environment
 * prod uses kustomize, which this build cannot render yet", so the gate
 * fails closed rather than passing an environment it did not look at.
 *
 * Adding a renderer: write `int rg_<name>_render(struct rg_objset *,
 * struct rg_findings *, const struct rg_render_req *, struct rg_err *)`
 * (and optionally a detect function) and put it in the registry line
 * for its name in render/env.c.
 *
 * Scoping. A push updates one ref; rg_env_select() decides for every
 * configured environment whether it must be rendered and why, from the
 * branch and the paths the push changed. The reasons are one line each,
 * meant for `--trace`.
 */
#ifndef RENDERGATE_ENV_H
#define RENDERGATE_ENV_H

#include "rendergate/compat.h"
#include "rendergate/err.h"

struct rg_arena;
struct rg_buf;
struct rg_tree;
struct rg_tree_dep;
struct rg_objset;
struct rg_findings;
struct rg_config_repo;
struct rg_config_env;
struct rg_config_release;
struct rg_rcache;
struct rg_helm_memo;

/*
 * What a renderer is asked to draw. New fields may be added at the end
 * (renderers must not assume the struct's size); zero means "default".
 */
struct rg_render_req {
	const struct rg_config_repo *repo; /* may be NULL in tests */
	const struct rg_config_env *env;   /* never NULL */
	/* the release being drawn, or NULL when the environment has no
	   releases and its path is drawn as a whole */
	const struct rg_config_release *release;
	/*
	 * Directory to draw: env->path, release->chart or release->kustomize;
	 * NULL for a chart that comes from a chart repository (release->repo
	 * set: the Helm renderer finds it in the chart cache). A Helm
	 * environment without releases uses env->name as the release name
	 * (as rendergate-config(5) says).
	 */
	const char *path;
	struct rg_tree *tree;	/* read everything through this */
	struct rg_arena *arena; /* owns the objects and findings */
	/* charts and templates already loaded this run (helm.h), or NULL */
	struct rg_helm_memo *helm_memo;
	/*
	 * The render cache and the name a release's render is stored under
	 * (rcache.h rg_rcache_save), or NULL: the built-in Helm and
	 * Kustomize renderers store what they render there.
	 */
	struct rg_rcache *rcache;
	const char *rcache_name;
};

struct rg_renderer {
	const char *name; /* RG_CONFIG_KIND_* spelling */
	/* true when the directory at path looks like this renderer's input;
	   NULL means "never auto-detected" */
	bool (*detect)(struct rg_tree *tree, const char *path);
	/* append objects to out and findings; NULL means "not in this build" */
	int (*render)(struct rg_objset *out, struct rg_findings *findings,
		      const struct rg_render_req *req, struct rg_err *err);
};

/* The registry entry called name, or NULL. */
const struct rg_renderer *rg_env_renderer(const char *name);

/*
 * The renderer that draws env as a whole (env->kind, or detection for
 * "auto"). Detection uses rg_tree_stat, so it is not recorded; the render
 * itself reads those files again. For environments with releases, returns
 * NULL (each release picks its own).
 */
const struct rg_renderer *rg_env_detect(struct rg_tree *tree,
					const struct rg_config_env *env);

/*
 * Render env from tree into out (which must be rg_objset_init'ed; objects
 * are appended) and findings. Resets tree's dependency log first, so on
 * return tree->deps holds exactly what this render read. After the
 * renderers, duplicate identities across the whole environment become
 * "duplicate-identity" findings (rg_objset_check_dups).
 *
 * Errors (the environment is unrenderable and the gate fails closed):
 * whatever the renderer returns (RG_EPARSE for malformed YAML with its
 * file:line:col, RG_EUNSAFE for a symlink, RG_ELIMIT, ...), RG_ENOTFOUND
 * when the environment's path does not exist, RG_EUNSUPPORTED for a
 * renderer this build lacks. err's message is prefixed with
 * "environment <name>: " (and ", release <name>" when a release failed).
 */
int rg_env_render(struct rg_objset *out, struct rg_findings *findings,
		  const struct rg_config_repo *repo,
		  const struct rg_config_env *env, struct rg_tree *tree,
		  struct rg_arena *a, struct rg_err *err);

/*
 * rg_env_render through a render cache (rcache.h): a release whose
 * recorded inputs are all unchanged since a render cached in c is taken
 * from c instead of rendered, and every release rendered is put in c.
 * Releases with a chart from a chart repository (release->repo) are
 * always rendered. tree->deps ends up the same as without the cache. c
 * must only have seen renders with this same parsed repo config, and
 * may be NULL (then this is rg_env_render).
 */
int rg_env_render_cached(struct rg_objset *out, struct rg_findings *findings,
			 const struct rg_config_repo *repo,
			 const struct rg_config_env *env, struct rg_tree *tree,
			 struct rg_rcache *c, struct rg_arena *a,
			 struct rg_err *err);

/* --- change scoping -------------------------------------------------- */

/* A recorded dependency log of an earlier render of one environment. */
struct rg_env_deplog {
	const struct rg_tree_dep *deps; /* NULL when not known */
	size_t ndeps;
};

/*
 * Did a push that changed paths[0..npaths) affect a render that recorded
 * deps? Affected when a changed path was read (or looked up and found
 * missing), is an ancestor of a path that was read, or lies below a
 * directory that was listed (a new file or directory there may be picked
 * up). On true, *why (if not NULL) is "envs/prod/app.yaml changed, read
 * by prod" or "envs/prod/new.yaml changed, below envs/prod which prod
 * lists" (arena string, env->name used for the wording).
 */
bool rg_env_affected(const char **why, const struct rg_config_env *env,
		     const struct rg_tree_dep *deps, size_t ndeps,
		     const char *const *paths, size_t npaths,
		     struct rg_arena *a);

/*
 * Keeping dependency logs between pushes. hooks/ may store the log of an
 * environment's render (tree->deps after rg_env_render), for example in
 * the spool directory keyed by environment name and tree id, and pass it
 * back to rg_env_select on the next push for exact scoping. The format is
 * text: a header line "rendergate-deps 1", then one line per entry,
 * "<L|R> <kind> <id|-> <path>" (L a listing, R a read; kind the
 * enum rg_tree_kind number; the path with '\' and newline escaped as
 * "\\" and "\n").
 */

/* Append the text form of deps[0..n) to out. 0 or RG_ELIMIT (out's cap). */
int rg_env_deplog_write(struct rg_buf *out, const struct rg_tree_dep *deps,
			size_t n);

/*
 * Parse a log written by rg_env_deplog_write into *out (arena-owned).
 * Anything malformed (bad header, kind, id or escape, a path that fails
 * rg_tree_path_check) is RG_EPARSE with the line number in err, and more
 * than 4 * RG_CAP_ENV_FILES entries is RG_ELIMIT; a caller should then
 * render as if it had no log.
 */
int rg_env_deplog_read(struct rg_env_deplog *out, struct rg_arena *a,
		       const char *data, size_t len, struct rg_err *err);

/* One environment's scoping decision. */
struct rg_env_choice {
	const struct rg_config_env *env;
	bool render;	    /* true: render it for this push */
	const char *reason; /* one line, for --trace */
};

/*
 * Decide, for every environment of repo (in config order, *n ==
 * repo->nenvs), whether a push to refname must render it:
 *
 *   - refname not under refs/heads/: nothing is rendered ("refs/tags/v1
 *     is not a branch").
 *   - an environment on another branch: not rendered ("lives on branch
 *     staging, not main").
 *   - the only environment on this branch: rendered ("branch staging is
 *     environment staging").
 *   - paths == NULL (everything changed: branch creation, or unknown
 *     history): every environment on the branch is rendered.
 *   - the repo config file itself changed: every environment on the
 *     branch is rendered.
 *   - otherwise, with a dependency log for the environment (logs != NULL
 *     and logs[i].deps != NULL, logs parallel to repo->envs): rendered
 *     when rg_env_affected() says so. Without a log, the cheap first cut:
 *     rendered when a changed path lies below the environment's path
 *     (and is not excluded), or equals or lies below a release's chart,
 *     kustomize directory or values file, or - for environments that can
 *     read outside their folder (any kind but plain when without releases,
 *     or with a kustomize release; Helm releases read only their chart
 *     and values files, checked above) -
 *     lies outside the folder of every environment on the branch and is
 *     not hidden (a shared Kustomize base, a chart): "base/app.yaml
 *     changed outside every environment folder, and prod may read it".
 *     Plain environments are scoped exactly.
 *     NEEDSWORK: without a log, a kustomize overlay reading another
 *     environment's folder is not seen; hooks should keep the log of the
 *     last render.
 *
 * For a feature-branch preview, pass the target branch's ref and the
 * paths that differ between the target tip and the merged tree.
 * *out is an arena array. Never fails (returns 0).
 */
int rg_env_select(struct rg_env_choice **out, size_t *n,
		  const struct rg_config_repo *repo, const char *refname,
		  const char *const *paths, size_t npaths,
		  const struct rg_env_deplog *logs, struct rg_arena *a);

#endif
