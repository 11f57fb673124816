/*
 * forge.h - the merge-request operations rendergate needs from a forge,
 * with one implementation per forge API (GitLab v4, Gitea/Forgejo v1).
 *
 * The operations:
 *   rg_forge_find_open_mrs     open merge requests whose source is a branch
 *   rg_forge_find_merged_mr    the merge request behind a merge commit
 *   rg_forge_list_approvals    who approved a merge request
 *   rg_forge_upsert_comment    create, or update in place, the one
 *                              rendergate comment of a merge request
 *   rg_forge_set_status        the `rendergate` commit status of a commit
 *
 * Merge requests are named by their per-project number ("iid" on GitLab,
 * "index"/"number" on Gitea), never by database id.
 *
 * The project is "group/sub/project" (GitLab; a numeric id works too) or
 * "owner/repo" (Gitea). The base URL is the forge's web root
 * ("https://gitlab.example.com"); "/api/v4" or "/api/v1" is added unless
 * the URL already ends with it.
 *
 * Results live in the arena passed to each call. Every listing follows
 * pagination (GitLab: Link rel=next or X-Next-Page; Gitea: Link rel=next,
 * else page+1 until X-Total-Count is reached or a page comes back short)
 * up to RG_CAP_FORGE_PAGES pages and RG_CAP_FORGE_ITEMS items; a Link to
 * another origin is never followed (the token would go with it).
 *
 * Errors: RG_EFORGE when the forge answers with an error status (the
 * message names the status and the forge's "message" field, never the
 * token), RG_ENOTFOUND where a lookup legitimately finds nothing,
 * RG_EPARSE for a response that is not the documented JSON, and whatever
 * rg_http_request returns (RG_ETIMEOUT, RG_ELIMIT, RG_EUNSAFE).
 * rg_forge_http_status() tells callers the last HTTP status, so the
 * drainer can tell a permanent refusal (400, 422) from an outage.
 */
#ifndef RENDERGATE_FORGE_H
#define RENDERGATE_FORGE_H

#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/config.h"
#include "rendergate/err.h"
#include "rendergate/http.h"

/* Forge kinds are config.h's enum rg_config_forge (RG_FORGE_GITLAB, ...). */

/* The commit status states rendergate sets (mapped per forge:
 * GitLab pending/success/failed, Gitea pending/success/failure). */
enum rg_forge_state {
	RG_FORGE_PENDING = 0,
	RG_FORGE_SUCCESS,
	RG_FORGE_FAILED,
};

/* Status context (Gitea) / name (GitLab) rendergate posts under. */
#define RG_FORGE_STATUS_NAME "rendergate"

/* The hidden marker that makes a comment the rendergate comment. The
 * drainer's comment body starts with it (mdreport writes it). */
#define RG_FORGE_MARKER_PREFIX	"<!-- rendergate:"
#define RG_FORGE_MARKER_DEFAULT "<!-- rendergate:report -->"
/* The marker of the short "merged" summary, kept apart from the report. */
#define RG_FORGE_MARKER_MERGED "<!-- rendergate:merged -->"

struct rg_forge_mr {
	long long iid;		   /* number shown in the UI */
	const char *source_branch; /* head ref */
	const char *target_branch; /* base ref */
	const char *head_sha;	   /* may be NULL */
	const char *merge_sha;	   /* merge commit when merged, or NULL */
	const char *squash_sha;	   /* GitLab squash commit, or NULL */
	const char *state;	   /* "opened"/"open", "merged", "closed" */
	const char *web_url;	   /* may be NULL */
	const char *author;	   /* username of its author, or NULL */
};

struct rg_forge_approval {
	const char *username;
	bool official; /* Gitea: counts under branch protection; GitLab: true */
};

/* One comment as listed (only what the upsert needs). */
struct rg_forge_comment {
	long long id;
	const char *body;
	bool system; /* GitLab system note */
};

/* Settings of one forge connection. Strings are copied. */
struct rg_forge_opts {
	enum rg_config_forge kind;
	const char *url;	  /* web root or API root */
	const char *project;	  /* "group/sub/project" or "owner/repo" */
	const char *token;	  /* secret; NULL for anonymous (tests only) */
	struct rg_http_opts http; /* auth_name/auth_value are set by forge */
};

struct rg_forge;

/* Parse "gitlab" / "gitea" / "forgejo" / "none". RG_EINVALID otherwise. */
int rg_forge_kind_parse(enum rg_config_forge *out, const char *s,
			struct rg_err *err);
const char *rg_forge_kind_name(enum rg_config_forge k);

/*
 * Read a token file: must be a regular file (not a symlink), with no
 * permission bits for group or others (mode 0600 or 0400), at most
 * RG_CAP_TOKEN_BYTES; one line, surrounding whitespace stripped. Errors
 * (RG_EUNSAFE for the mode, RG_EIO, RG_EINVALID for an empty or
 * multi-line file) name the file and never its content. *out is malloc'd;
 * free with rg_forge_token_free (which wipes it).
 */
int rg_forge_token_read(char **out, const char *path, struct rg_err *err);
void rg_forge_token_free(char *token);

/*
 * A connection from the server config's forge section (config.h): reads
 * forge.token_file with rg_forge_token_read (0600 or refused), uses
 * forge.ca_file, and the project from forge.project, else `project`
 * (e.g. from rg_forge_project_from_env). http (may be NULL) gives
 * timeouts and a log sink; its auth fields are ignored. RG_ENOTFOUND when
 * the config names no forge (kind none); RG_EINVALID without a project.
 */
int rg_forge_from_config(struct rg_forge **out,
			 const struct rg_config_server *c, const char *project,
			 const struct rg_http_opts *http, struct rg_err *err);

/*
 * The project of the repository a hook runs in, from the forge's hook
 * environment: GL_PROJECT_PATH (GitLab), GITEA_REPO_USER_NAME "/"
 * GITEA_REPO_NAME (Gitea; wikis excluded). An arena copy, or NULL when
 * the variables are missing.
 */
const char *rg_forge_project_from_env(struct rg_arena *a,
				      enum rg_config_forge kind);

/* New connection; RG_EINVALID for a missing url/project or kind none. */
int rg_forge_new(struct rg_forge **out, const struct rg_forge_opts *opts,
		 struct rg_err *err);
void rg_forge_free(struct rg_forge *f);

/* HTTP status of the last response (0 when none arrived). */
long rg_forge_http_status(const struct rg_forge *f);

/*
 * Open merge requests whose source branch is `branch` in this project
 * (forks excluded on Gitea), optionally only those targeting `target`
 * (NULL: any). *out is an arena array of *n entries, possibly 0.
 */
int rg_forge_find_open_mrs(struct rg_forge_mr **out, size_t *n,
			   struct rg_forge *f, struct rg_arena *a,
			   const char *branch, const char *target,
			   struct rg_err *err);

/*
 * The merge request whose merge (or squash) commit is `sha`.
 * RG_ENOTFOUND when there is none. GitLab: the commit's merge requests,
 * preferring the one whose merge_commit_sha or squash_commit_sha is sha,
 * then a merged one; Gitea: GET /commits/{sha}/pull.
 */
int rg_forge_find_merged_mr(struct rg_forge_mr *out, struct rg_forge *f,
			    struct rg_arena *a, const char *sha,
			    struct rg_err *err);

/*
 * Users who approved merge request iid, each once.
 * GitLab: /approvals approved_by[], falling back to the Premium
 * /approval_state rules[].approved_by[] when /approvals answers 404.
 * Gitea: /reviews; for each user the latest review that approves or
 * requests changes decides; it counts when it is APPROVED and neither
 * dismissed nor stale.
 */
int rg_forge_list_approvals(struct rg_forge_approval **out, size_t *n,
			    struct rg_forge *f, struct rg_arena *a,
			    long long iid, struct rg_err *err);

/*
 * The usernames of the members of `group`, in *out (*n of them; an arena
 * array). GitLab: the group's full path ("platform/sre"), members
 * including inherited ones (/groups/:id/members/all). Gitea: "org/team"
 * is a team of an organisation (/orgs/{org}/teams, then
 * /teams/{id}/members), "org" alone the organisation's members
 * (/orgs/{org}/members). RG_ENOTFOUND when there is no such group.
 */
int rg_forge_group_members(const char ***out, size_t *n, struct rg_forge *f,
			   struct rg_arena *a, const char *group,
			   struct rg_err *err);

/*
 * Make `body` the rendergate comment of merge request iid: the first
 * non-system comment whose body starts with `marker` (NULL:
 * RG_FORGE_MARKER_DEFAULT) is updated in place when its body differs;
 * one the forge does not let us edit (403: another user's comment that
 * starts with the marker) is skipped; when none is left a new comment is
 * created. body must start with marker
 * (RG_EINVALID otherwise). *out_id gets the comment id (may be NULL);
 * *out_action (may be NULL) gets "created", "updated" or "unchanged".
 */
int rg_forge_upsert_comment(long long *out_id, const char **out_action,
			    struct rg_forge *f, struct rg_arena *a,
			    long long iid, const char *marker, const char *body,
			    struct rg_err *err);

/*
 * Set the rendergate commit status on sha. description is cut to
 * RG_CAP_STATUS_DESC_CHARS; target_url may be NULL.
 */
int rg_forge_set_status(struct rg_forge *f, const char *sha,
			enum rg_forge_state state, const char *target_url,
			const char *description, struct rg_err *err);

/* --- pure response parsers (no network; fuzzed by fuzz-forgejson) ------
 * Each parses one page of a documented JSON response into arena entries
 * appended to *items (*n entries, *alloc capacity). RG_EPARSE when the
 * JSON or its shape is wrong; unknown fields are ignored.
 */

int rg_forge_gitlab_parse_mrs(struct rg_forge_mr **items, size_t *n,
			      size_t *alloc, struct rg_arena *a,
			      const char *json, size_t len, struct rg_err *err);
int rg_forge_gitlab_parse_approvals(struct rg_forge_approval **items, size_t *n,
				    size_t *alloc, struct rg_arena *a,
				    const char *json, size_t len,
				    struct rg_err *err);
/* Comments: GitLab notes (with "system") and Gitea issue comments. */
int rg_forge_parse_comments(struct rg_forge_comment **items, size_t *n,
			    size_t *alloc, struct rg_arena *a, const char *json,
			    size_t len, struct rg_err *err);
/* Parses the {"id": ...} of a created or updated note or comment. */
int rg_forge_parse_id(long long *out, const char *json, size_t len,
		      struct rg_err *err);

/* Gitea pulls; only_branch (NULL: all) keeps same-repo PRs with that head. */
int rg_forge_gitea_parse_pulls(struct rg_forge_mr **items, size_t *n,
			       size_t *alloc, struct rg_arena *a,
			       const char *json, size_t len,
			       const char *only_branch, struct rg_err *err);
/* A single Gitea pull object (GET /pulls/{index}, /commits/{sha}/pull). */
int rg_forge_gitea_parse_pull(struct rg_forge_mr *out, struct rg_arena *a,
			      const char *json, size_t len, struct rg_err *err);
/* Gitea reviews of one PR, all pages concatenated as one JSON array. */
int rg_forge_gitea_parse_reviews(struct rg_forge_approval **items, size_t *n,
				 size_t *alloc, struct rg_arena *a,
				 const char *json, size_t len,
				 struct rg_err *err);

/* The forge's error text from a JSON error body ({"message": ...} or
 * {"error": ...}), arena-copied and cut to 200 bytes, or NULL. */
const char *rg_forge_error_message(struct rg_arena *a, const char *json,
				   size_t len);

/* --- for the per-forge implementations (forge_gitlab.c, forge_gitea.c) -- */

struct rg_forge_ops {
	int (*find_open_mrs)(struct rg_forge_mr **out, size_t *n,
			     struct rg_forge *f, struct rg_arena *a,
			     const char *branch, const char *target,
			     struct rg_err *err);
	int (*find_merged_mr)(struct rg_forge_mr *out, struct rg_forge *f,
			      struct rg_arena *a, const char *sha,
			      struct rg_err *err);
	int (*list_approvals)(struct rg_forge_approval **out, size_t *n,
			      struct rg_forge *f, struct rg_arena *a,
			      long long iid, struct rg_err *err);
	int (*list_comments)(struct rg_forge_comment **out, size_t *n,
			     struct rg_forge *f, struct rg_arena *a,
			     long long iid, struct rg_err *err);
	int (*create_comment)(long long *out_id, struct rg_forge *f,
			      struct rg_arena *a, long long iid,
			      const char *body, struct rg_err *err);
	int (*update_comment)(struct rg_forge *f, struct rg_arena *a,
			      long long iid, long long id, const char *body,
			      struct rg_err *err);
	int (*set_status)(struct rg_forge *f, const char *sha,
			  const char *state, const char *target_url,
			  const char *description, struct rg_err *err);
	const char *state_names[3]; /* indexed by enum rg_forge_state */
	int (*group_members)(const char ***out, size_t *n, struct rg_forge *f,
			     struct rg_arena *a, const char *group,
			     struct rg_err *err);
};

struct rg_forge {
	enum rg_config_forge kind;
	const struct rg_forge_ops *ops;
	struct rg_http *http;
	char *api;	/* API root, no trailing slash */
	char *project;	/* as configured */
	char *proj_enc; /* percent-encoded (GitLab :id) */
	long last_status;
};

extern const struct rg_forge_ops rg_forge_gitlab_ops;
extern const struct rg_forge_ops rg_forge_gitea_ops;

/* One page callback for rg_forge_get_all: parse body, append items. */
typedef int rg_forge_page_fn(void *ctx, const char *json, size_t len,
			     size_t *added, struct rg_err *err);

/*
 * GET url (API-relative path with query, e.g. "/projects/x/notes?a=b")
 * and every following page. page_param names the page query parameter
 * ("page"); per_page is the page size asked for (a full page without
 * pagination headers means "ask for the next one"; 0 for endpoints that
 * are not paginated). Stops at RG_CAP_FORGE_PAGES.
 */
int rg_forge_get_all(struct rg_forge *f, const char *path, unsigned per_page,
		     rg_forge_page_fn *fn, void *ctx, struct rg_err *err);

/* Percent-encoded copy of s in the arena (a path segment). */
const char *rg_forge_escape(struct rg_arena *a, const char *s);

/* Append one zeroed element to an arena array; returns it. */
void *rg_forge_push(struct rg_arena *a, void **items, size_t *n, size_t *alloc,
		    size_t size);

/* Page callback collecting comments into a struct rg_forge_comment_acc. */
struct rg_forge_comment_acc {
	struct rg_arena *a;
	struct rg_forge_comment *items;
	size_t n, alloc;
};
int rg_forge_comment_page(void *ctx, const char *json, size_t len,
			  size_t *added, struct rg_err *err);

/* Page callback collecting the string field `key` ("username", "login")
 * of each object of a JSON array into a struct rg_forge_names_acc. */
struct rg_forge_names_acc {
	struct rg_arena *a;
	const char *key;
	const char **items;
	size_t n, alloc;
};
int rg_forge_names_page(void *ctx, const char *json, size_t len,
			size_t *added, struct rg_err *err);

/* {"body": body} as malloc'd JSON. */
char *rg_forge_body_json(const char *body);

/*
 * POST a commit status to path with {state, <name_key>: "rendergate",
 * target_url, description}.
 */
int rg_forge_post_status(struct rg_forge *f, const char *path,
			 const char *name_key, const char *state,
			 const char *target_url, const char *description,
			 struct rg_err *err);

/*
 * One request to an API-relative path; a 2xx status returns 0 with the
 * response in *resp (release it); another status is RG_EFORGE (RG_ENOTFOUND
 * for 404 when notfound_ok) with the forge's message.
 */
int rg_forge_call(struct rg_http_resp *resp, struct rg_forge *f,
		  const char *method, const char *path, const char *body,
		  bool idempotent, bool notfound_ok, struct rg_err *err);

#endif
