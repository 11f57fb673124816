/*
 * policy.h - the policy: loading it, and checking environments and
 * pushes against it.
 *
 * The format is rendergate-policy(5) (doc/rendergate-policy.5); this
 * header is the C side. A policy is made of files: the admin files named
 * by the server config, the repository's policy files (read by hooks/
 * from the protected pre-push state), and for `rendergate check` extra
 * files given with --policy. rg_policy_load() turns their bytes into one
 * compiled, immutable struct rg_policy, or into a list of every problem
 * in every file ("policy.yaml:12:7: unknown key 'alow' (expected one of:
 * allow, deny, hint, ...)") and no policy at all.
 *
 * How files combine. Each file is a layer, and a push must satisfy every
 * layer: image and source allow lists are intersected (an image must
 * match the allow list of every file that has one), deny lists, rules,
 * namespace ownership and approval requirements add up. So a repository
 * file can tighten the admin's policy, never loosen it. Sections that
 * grant something - `push` (bypass users, direct pushes) and `owners`
 * (who approves policy changes) - are read from admin files only; in a
 * repository file they are an error.
 *
 * Evaluation is pure and deterministic: objects and a push context in,
 * findings (finding.h) out. A finding is a decision; an error (return <0)
 * means the policy could not be decided (a pattern hit the PCRE2 match
 * limit, a wildcard path selected more than RG_CAP_POLICY_PATH_HITS
 * places) and the gate fails closed.
 *
 * How hooks/ use it, per push (all functions are pure; hooks/ does the
 * reading, the forge calls and the history walks):
 *
 *   1. Load once: rg_policy_load() with the server config's
 *      policy_files (RG_POLICY_ADMIN), then the repository's policy
 *      files read from the protected pre-push state (RG_POLICY_REPO),
 *      then `rendergate check --policy` files (RG_POLICY_REPO too: they
 *      may only tighten). Errors: print every errs entry and fail closed.
 *   2. Per ref update: fill a struct rg_policy_push (forge kind from the
 *      server config, environ, env_branch/env from the repo config,
 *      changed paths, config_branch for the default branch), call
 *      rg_policy_push_fill_user() and rg_policy_check_push().
 *   3. Per rendered environment (the new state): rg_policy_check_objects()
 *      on its objset, rg_policy_check_releases() on its config entry,
 *      rg_policy_check_chart() / rg_policy_check_kustomization() on the
 *      Chart.yaml and kustomization files the renderers read, and
 *      rg_policy_versions_collect() + rg_policy_check_versions()
 *      (policy-versions.h).
 *   4. For forge merges into a gated branch: rg_policy_check_approvals()
 *      (policy-approvals.h) with the forge operations; then
 *      rg_policy_check_promotion_branch() with the merge request's source
 *      branch, or rg_policy_check_promotion_versions() for folder
 *      layouts (policy-promotion.h).
 *   5. Any RG_SEV_DENY finding rejects (in enforce mode); any error
 *      returned (< 0) rejects with the error's message.
 *   6. rg_policy_free() at the end of the run.
 *
 * Finding rule ids produced here:
 *   policy.image-invalid   an image that is not a valid reference
 *   policy.image-deny      an image matching a deny pattern
 *   policy.image-allow     an image matching no allow pattern of a file
 *   policy.image-latest    tag "latest" without a digest
 *   policy.image-tag       neither tag nor digest
 *   policy.image-digest    no digest in an environment that requires one
 *   policy.source-deny     a source URL matching a deny pattern
 *   policy.source-allow    a source URL matching no allow pattern
 *   policy.namespace       an object in a namespace the environment
 *                          does not own
 *   policy.direct-push     a direct push to an environment branch
 *   <rule id>              a generic rule (ids are the policy's own and
 *                          may not start with "policy.")
 */
#ifndef RENDERGATE_POLICY_H
#define RENDERGATE_POLICY_H

#include "rendergate/compat.h"
#include "rendergate/doc.h"
#include "rendergate/err.h"
#include "rendergate/policy-images.h"
#include "rendergate/policy-rules.h"

struct rg_arena;
struct rg_regex;
struct rg_obj;
struct rg_objset;
struct rg_findings;
struct rg_semver_constraints;
struct rg_config_env;

/* Who wrote a policy file: the platform team, or the repository. */
enum rg_policy_origin {
	RG_POLICY_ADMIN = 0,
	RG_POLICY_REPO = 1,
};

/* One policy file as bytes. */
struct rg_policy_file {
	const char *name; /* shown in positions: "/etc/rendergate/policy.yaml",
			     ".rendergate/policy.yaml" */
	const char *data;
	size_t len;
	uint8_t origin; /* enum rg_policy_origin */
};

/* A compiled pattern with where it was written. */
struct rg_policy_pattern {
	const char *text;
	struct rg_regex *re; /* owned by the policy */
	struct rg_pos pos;
};

struct rg_policy_patterns {
	struct rg_policy_pattern *items;
	size_t len;
	bool set; /* the key was written (an empty allow list denies all) */
};

/* Namespace ownership: environments matching envs may only hold
 * namespaced objects in namespaces matching allow. */
struct rg_policy_nsown {
	const char **envs; /* globs */
	size_t nenvs;
	const char **allow; /* globs */
	size_t nallow;
	const char *hint;
	struct rg_pos pos;
};

/* What one file says about images, sources and namespaces. */
struct rg_policy_layer {
	const char *file;
	uint8_t origin; /* enum rg_policy_origin */
	struct rg_policy_patterns image_allow, image_deny;
	const char *image_hint;
	int8_t forbid_latest;	     /* -1 unset, 0 false, 1 true */
	int8_t require_tag;	     /* -1 unset, 0 false, 1 true */
	const char **require_digest; /* environment globs */
	size_t nrequire_digest;
	struct rg_policy_patterns source_allow, source_deny;
	const char *source_hint;
	struct rg_policy_nsown *namespaces;
	size_t nnamespaces;
};

/* --- second-half sections: parsed and validated, see rendergate-policy(5) */

/* approvals: at a merge into a matching branch or environment, at least
 * min approvals by the named users or members of the named groups; the
 * merge request's author never counts. */
struct rg_policy_approval {
	const char **branches; /* globs */
	size_t nbranches;
	const char **environments; /* globs */
	size_t nenvironments;
	int64_t min;
	const char **users;
	size_t nusers;
	const char **groups;
	size_t ngroups;
	uint64_t timeout_ms; /* forge lookup deadline, 0 = server default */
	struct rg_pos pos;
};

/* promotion: enforce the repo config's `stages` order, with an optional
 * soak time per stage (the time a version must have spent in the stage
 * before it may arrive in the next). */
struct rg_policy_soak {
	const char *stage;
	uint64_t ms;
	struct rg_pos pos;
};

struct rg_policy_promotion {
	bool set;	  /* a `promotion` section was written */
	bool enforce;	  /* default true when the section exists */
	uint64_t soak_ms; /* default soak for every stage */
	struct rg_policy_soak *soaks;
	size_t nsoaks;
	struct rg_pos pos;
};

enum rg_policy_version_from {
	RG_POLICY_VERSION_IMAGE = 0, /* tag of images whose name matches */
	RG_POLICY_VERSION_CHART,     /* chart version of a named release */
	RG_POLICY_VERSION_LABEL,     /* a label of matching objects */
};

struct rg_policy_component {
	const char *name;
	uint8_t from;		/* enum rg_policy_version_from */
	struct rg_regex *image; /* IMAGE: pattern on the image name (owned) */
	const char *image_text;
	const char *release; /* CHART */
	const char *label;   /* LABEL: label key */
	const char *kind;    /* LABEL: optional kind filter */
	const char *object;  /* LABEL: optional metadata.name */
	struct rg_pos pos;
};

/* "when every component in `when` satisfies its range, every component
 * in `require` must satisfy its range". */
struct rg_policy_vterm {
	const struct rg_policy_component *component;
	const char *range;
	struct rg_semver_constraints *c;
	struct rg_pos pos;
};

struct rg_policy_constraint {
	struct rg_policy_vterm *when;
	size_t nwhen;
	struct rg_policy_vterm *require;
	size_t nrequire;
	const char *message; /* or NULL */
	struct rg_pos pos;
};

/* owners (admin only): changes to the named paths need approval from
 * these owners. */
struct rg_policy_owners {
	bool set;
	const char **paths; /* globs, repository-relative */
	size_t npaths;
	const char **users;
	size_t nusers;
	const char **groups;
	size_t ngroups;
	int64_t min;
	struct rg_pos pos;
};

/* The compiled policy. Read-only after rg_policy_load. */
struct rg_policy {
	struct rg_arena *arena;
	struct rg_policy_layer *layers; /* one per file, in load order */
	size_t nlayers;
	/* effective tag rules over all layers (see rendergate-policy(5)) */
	bool forbid_latest, require_tag;
	struct rg_images_custom *custom; /* all files' images.custom */
	size_t ncustom;
	struct rg_rules_rule *rules; /* all files' rules, in load order */
	size_t nrules;
	/* push section (admin files only) */
	bool direct_push_allowed; /* default false: direct pushes are denied */
	const char **push_branches; /* extra protected branches (globs) */
	size_t npush_branches;
	const char **bypass_users;
	size_t nbypass_users;
	const char *push_hint;
	/* second half */
	struct rg_policy_approval *approvals;
	size_t napprovals;
	struct rg_policy_promotion promotion;
	struct rg_policy_component *components;
	size_t ncomponents;
	struct rg_policy_constraint *constraints;
	size_t nconstraints;
	struct rg_policy_owners owners;
};

/*
 * Load files[0..n) in order into one policy allocated in arena a.
 * Every problem of every file is appended to errs with its file:line:col
 * (YAML errors, unknown keys, wrong types, bad patterns with the PCRE2
 * message, bad field paths, unknown placeholders, duplicate rule ids
 * naming the first definition, admin-only sections in repository files,
 * caps). Returns 0 and *out, or RG_EINVALID (RG_ELIMIT for more than
 * RG_CAP_POLICY_FILES files) with *out untouched and nothing left
 * allocated outside the arena. n == 0 gives an empty policy (which only
 * applies the default tag rules and denies direct pushes).
 */
int rg_policy_load(struct rg_policy **out, struct rg_arena *a,
		   const struct rg_policy_file *files, size_t n,
		   struct rg_errlist *errs);

/* Free the compiled patterns (the rest is arena memory). NULL is a no-op. */
void rg_policy_free(struct rg_policy *p);

/* --- checking rendered objects (policy/check.c) --------------------------- */

/*
 * Check every object of set, rendered for environment env (its name;
 * must not be NULL), against images, generic rules, namespace ownership
 * and sources (Flux GitRepository/HelmRepository/OCIRepository spec.url,
 * Argo CD Application and ApplicationSet repoURLs). Findings are
 * appended to out with env and the object's identity key; their origin
 * is the offending field's position when known, else the object's.
 * Returns 0, or <0 with err set when something could not be decided
 * (the gate fails closed); findings found before the error stay in out.
 */
int rg_policy_check_objects(struct rg_findings *out, const struct rg_policy *p,
			    const char *env, const struct rg_objset *set,
			    struct rg_err *err);

/* The same for one object. */
int rg_policy_check_object(struct rg_findings *out, const struct rg_policy *p,
			   const char *env, const struct rg_obj *o,
			   struct rg_err *err);

/* --- sources outside rendered objects (policy/sources.c) ------------------ */

/*
 * Check one source URL (what names it, e.g. "chart dependency 'redis'",
 * at pos) against every layer's source allow and deny lists. object
 * (identity key) may be NULL.
 */
int rg_policy_check_source(struct rg_findings *out, const struct rg_policy *p,
			   const char *env, const char *url,
			   const struct rg_pos *pos, const char *what,
			   const char *object, struct rg_err *err);

/*
 * The sources one rendered object names: Flux (source.toolkit.fluxcd.io)
 * GitRepository, HelmRepository and OCIRepository `spec.url`; Argo CD
 * (argoproj.io) Application `spec.source.repoURL` and
 * `spec.sources[*].repoURL`, ApplicationSet the same under
 * `spec.template`. Part of rg_policy_check_object.
 */
int rg_policy_check_object_sources(struct rg_findings *out,
				   const struct rg_policy *p, const char *env,
				   const struct rg_obj *o, struct rg_err *err);

/*
 * Check the `dependencies[*].repository` of a parsed Chart.yaml (and
 * nothing else of it). Local ("file://...") and empty repositories are
 * skipped; "@name" and "alias:name" references are checked as written.
 */
int rg_policy_check_chart(struct rg_findings *out, const struct rg_policy *p,
			  const char *env, const struct rg_node *chart_yaml,
			  struct rg_err *err);

/*
 * Check the chart repository (`repo`) of every release of an
 * environment in the repository config (config.h), at the release's
 * position.
 */
int rg_policy_check_releases(struct rg_findings *out, const struct rg_policy *p,
			     const struct rg_config_env *env,
			     struct rg_err *err);

/*
 * Check the remote entries of a parsed kustomization: `resources` and
 * `components` entries that are URLs (contain "://", start with "git@"
 * or "github.com/", or carry "?ref="), and `helmCharts[*].repo`.
 */
int rg_policy_check_kustomization(struct rg_findings *out,
				  const struct rg_policy *p, const char *env,
				  const struct rg_node *kustomization,
				  struct rg_err *err);

/* --- direct pushes (policy/check.c) --------------------------------------- */

enum rg_policy_forge {
	RG_POLICY_FORGE_NONE = 0, /* plain git: no forge merges exist */
	RG_POLICY_FORGE_GITLAB,
	RG_POLICY_FORGE_GITEA,
};

/* What the hooks know about one ref update of a push. */
struct rg_policy_push {
	uint8_t forge;	  /* enum rg_policy_forge, from the server config */
	const char *user; /* GL_USERNAME / GITEA_PUSHER_NAME, or NULL */
	const char *ref;  /* "refs/heads/main" */
	/* the repo config names this branch as an environment's branch */
	bool env_branch;
	const char *env; /* that environment's name, or NULL */
	/* snapshot of the hook's environment: "NAME=value" strings,
	   NULL-terminated (environ), or NULL */
	const char *const *environ;
	/* repository paths this update changes (NULL: not known), and
	   whether the repo config is read from this branch (the default
	   branch): a direct push there may not touch owners.paths */
	const char *const *changed;
	size_t nchanged;
	bool config_branch;
};

/*
 * Was this update made by the forge merging a merge request?
 *   GitLab: GL_PROTOCOL=web (every web operation runs with it: merges,
 *           but also web-editor commits; see rendergate-policy(5));
 *   Gitea/Forgejo: GITEA_PR_ID set to a number other than 0, unless
 *           GITEA_PUSH_TRIGGER is set to something other than
 *           "pr-merge-to-base" (e.g. "pr-update-with-base").
 * *why (may be NULL) gets a static one-line reason.
 */
bool rg_policy_push_is_forge_merge(const struct rg_policy_push *ctx,
				   const char **why);

/* Fill user from the environment snapshot (GL_USERNAME for GitLab,
 * GITEA_PUSHER_NAME for Gitea) when ctx->user is NULL. */
void rg_policy_push_fill_user(struct rg_policy_push *ctx);

/*
 * The direct-push rule: an update of an environment branch (env_branch,
 * or a branch matching push.branches) that is not a forge merge and not
 * by a bypass user gives one deny finding "policy.direct-push" (unless
 * push.direct is "allow"). Tags and other refs are never protected.
 * Self-protection: on the config branch, a direct push (not a forge
 * merge, not a bypass user) that changes a path of owners.paths gives a
 * deny finding "policy.owners" (merges are checked by
 * rg_policy_check_approvals instead), whatever push.direct says.
 * Never fails; returns the number of findings added (0, 1 or 2).
 */
int rg_policy_check_push(struct rg_findings *out, const struct rg_policy *p,
			 const struct rg_policy_push *ctx);

#endif
