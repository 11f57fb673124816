/*
 * config.h - the server config and the repository config, parsed.
 *
 * Two YAML files, documented field by field in rendergate-config(5)
 * (doc/rendergate-config.5) with complete examples in contrib/:
 *
 *   - the server config (admin-owned, e.g. /etc/rendergate/config.yaml):
 *     forge, admin policy files, mode, deadline, spool and chart cache
 *     directories, which refs are gated, feature-branch handling;
 *   - the repository config (.rendergate.yaml at the root of the
 *     repository, read from the state before the push): environments,
 *     promotion stages, default branch.
 *
 * Both parsers are pure (bytes in, struct out): reading the files, the
 * 0600 check on the token file and the choice of which commit to read
 * .rendergate.yaml from belong to hooks/. Each parser reports every
 * problem it finds into errs as "file:line:col: message" (cfgread.h),
 * unknown keys included, and returns RG_EINVALID (or RG_EPARSE for
 * malformed YAML, RG_ELIMIT for an oversized file) with *out untouched
 * when there was any: a config is used whole or not at all.
 *
 * Everything is allocated in the arena passed in; strings are never NULL
 * unless documented as optional.
 */
#ifndef RENDERGATE_CONFIG_H
#define RENDERGATE_CONFIG_H

#include "rendergate/compat.h"
#include "rendergate/err.h"

struct rg_arena;
struct rg_node;
struct rg_helmexec;

/* --- server config --------------------------------------------------- */

enum rg_config_forge {
	RG_FORGE_NONE = 0,
	RG_FORGE_GITLAB,
	RG_FORGE_GITEA, /* Gitea and Forgejo */
};

enum rg_config_mode {
	RG_MODE_ENFORCE = 0, /* findings with severity deny reject the push */
	RG_MODE_WARN,	     /* report everything, never reject */
};

struct rg_config_server {
	const char *file; /* name the config was loaded from, for messages */
	struct {
		enum rg_config_forge kind; /* default RG_FORGE_NONE */
		const char *url;	   /* required unless kind is none */
		const char *token_file;	   /* optional; hooks/ checks 0600 */
		const char *ca_file;	   /* optional */
		const char *project;	   /* optional: "group/repo" override */
	} forge;
	const char **policy_files; /* admin policy files, absolute paths */
	size_t npolicy_files;
	enum rg_config_mode mode;    /* default enforce */
	uint64_t deadline_ms;	     /* default RG_CAP_DEADLINE_MS_DEFAULT */
	const char *spool_dir;	     /* optional */
	const char *chart_cache_dir; /* optional */
	/*
	 * Non-branch refs that are gated as well, as globs over the full ref
	 * name ("refs/tags/release-*"). Branches (refs/heads/) are always
	 * gated; every other ref is ignored unless it matches one of these.
	 */
	const char **ref_include;
	size_t nref_include;
	struct {
		const char *target; /* preview merges into this branch;
				       default: the repo's default_branch
				       (NULL here means "use the repo's") */
		bool fail_early;    /* reject feature-branch pushes with deny
				       findings; default false */
	} feature_branches;
	const char **bypass_users; /* user names whose pushes are not gated
				      (still reported) */
	size_t nbypass_users;
	bool protect_env_branch_deletion; /* default true */
	/*
	 * The helm binary that releases with `engine: helm` run (helmexec.h),
	 * an absolute path, or NULL (none configured: such releases are
	 * unrenderable). Only the server config names it: a pusher must not
	 * choose what runs on the server.
	 */
	const char *helm_binary;
	uint64_t helm_timeout_ms; /* per helm run, default
				     RG_CAP_HELM_TIMEOUT_MS_DEFAULT; the
				     hook's deadline bounds it too */
};

/* Fill c with the defaults (for a server without a config file). */
void rg_config_server_defaults(struct rg_config_server *c);

/* Parse a server config. See the top of this file for errors. */
int rg_config_server_parse(struct rg_config_server **out, struct rg_arena *a,
			   const char *file, const char *data, size_t len,
			   struct rg_errlist *errs);

/*
 * Is this ref gated? Branches (refs/heads/...) always are; other refs
 * only when they match c->ref_include. c may be NULL (defaults).
 */
bool rg_config_ref_gated(const struct rg_config_server *c, const char *refname);

/* Is user in bypass_users? NULL user is never. */
bool rg_config_user_bypasses(const struct rg_config_server *c,
			     const char *user);

/* --- repository config ----------------------------------------------- */

/* Environment kinds (the spelling in the file and in env.h's registry). */
#define RG_CONFIG_KIND_AUTO	 "auto"
#define RG_CONFIG_KIND_PLAIN	 "plain"
#define RG_CONFIG_KIND_KUSTOMIZE "kustomize"
#define RG_CONFIG_KIND_HELM	 "helm"
/* a Flux cluster folder (flux.h) and an Argo CD app-of-apps folder (argo.h);
   never auto-detected */
#define RG_CONFIG_KIND_FLUX	 "flux"
#define RG_CONFIG_KIND_ARGOCD	 "argocd"

/* How a chart release is rendered (rg_config_release.engine). */
#define RG_CONFIG_ENGINE_BUILTIN "builtin"
#define RG_CONFIG_ENGINE_HELM	 "helm" /* the server's helm binary */

/*
 * One release of an environment: a Helm chart with layered values, or a
 * Kustomize directory. Exactly one of chart and kustomize is set.
 */
struct rg_config_release {
	const char *name;      /* required, unique within the environment */
	const char *chart;     /* repository path of a chart directory, or a
				  chart name in `repo` (then version too) */
	const char *repo;      /* optional chart repository URL */
	const char *version;   /* optional chart version (constraint) */
	const char *kustomize; /* repository path of a kustomization dir */
	const char *namespace; /* optional release namespace */
	const char **values;   /* values files (repository paths), applied in
				  order after the chart's own values.yaml */
	size_t nvalues;
	const struct rg_node *set; /* optional mapping of --set style
				      overrides (keys may be dotted paths,
				      values scalars), applied last */
	struct rg_pos pos;	   /* where the entry starts */
	const char *engine;	   /* RG_CONFIG_ENGINE_*, default builtin; chart
				      releases only */
};

struct rg_config_env {
	const char *name;   /* required, unique, [A-Za-z0-9._-]+ */
	const char *branch; /* default: the repo's default_branch */
	const char *path;   /* required; repository path of the environment
			       folder ("" is the root of the branch) */
	const char *kind;   /* RG_CONFIG_KIND_*; default "auto" */
	const char *kube_version; /* optional, e.g. "1.29" (must be quoted
				     in YAML: 1.30 would be the float 1.3) */
	const char *
	    *api_versions; /* extra API versions for Helm's
			      .Capabilities, e.g. "monitoring.coreos.com/v1" */
	size_t napi_versions;
	struct rg_config_release *releases; /* in file order */
	size_t nreleases;
	/* globs of paths below `path` not rendered (cfgread.h syntax); a
	   pattern without '/' matches a file or directory name anywhere */
	const char **exclude;
	size_t nexclude;
	struct rg_pos pos; /* where the entry starts */
	/* kinds flux and argocd: which sources are this repository */
	const char **flux_sources; /* GitRepository "namespace/name"s;
				      none: "flux-system/flux-system" */
	size_t nflux_sources;
	const char **repo_urls; /* URLs this repository is known by */
	size_t nrepo_urls;
};

struct rg_config_repo {
	const char *file;	    /* usually ".rendergate.yaml" */
	struct rg_config_env *envs; /* in file order, at most RG_CAP_ENVS */
	size_t nenvs;
	const char **stages; /* promotion order: names of environments,
				first stage first; each at most once */
	size_t nstages;
	const char *default_branch; /* default "main" */
	struct rg_tree *chart_cache; /* set by hooks/: chart cache (helm.h) */
	/* set by hooks/: runs helm for `engine: helm` releases (helmexec.h),
	   or NULL */
	const struct rg_helmexec *helm_exec;
};

#define RG_CONFIG_REPO_FILE ".rendergate.yaml"

/*
 * Parse a repository config. Besides the per-field checks: environment
 * names are unique, paths are repository paths (a ".." is an error
 * naming file:line:col), release names are unique per environment, each
 * release has exactly one of chart and kustomize, and every stage names
 * a defined environment.
 */
int rg_config_repo_parse(struct rg_config_repo **out, struct rg_arena *a,
			 const char *file, const char *data, size_t len,
			 struct rg_errlist *errs);

/* The environment called name, or NULL. */
const struct rg_config_env *rg_config_repo_env(const struct rg_config_repo *c,
					       const char *name);

/* The branch an environment lives on (its own or the default branch). */
const char *rg_config_env_branch(const struct rg_config_repo *c,
				 const struct rg_config_env *env);

/* Index of an environment in c->stages, or -1 if it is not a stage. */
int rg_config_stage_index(const struct rg_config_repo *c, const char *name);

#endif
