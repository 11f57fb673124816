/*
 * forgeupload.h - the full report (htmlreport.h) as a file on the forge,
 * for the link a cut merge request comment carries (mdreport.h).
 *
 * The upload APIs, as documented:
 *   GitLab  POST /projects/:id/uploads, multipart/form-data with the file
 *           in the field "file"; 201 and {"id", "alt", "url":
 *           "/uploads/<secret>/<name>", "full_path", "markdown"}. The url
 *           is what Markdown in the project links to: GitLab expands a
 *           link starting with /uploads/ to the project's upload. An
 *           upload belongs to the project, not to a comment. Needs the
 *           token's `api` scope, which comments already need.
 *   Gitea   POST /repos/{owner}/{repo}/issues/comments/{id}/assets?name=N,
 *   Forgejo multipart/form-data with the file in the field "attachment";
 *           201 and an Attachment {"id", "name", "size", "uuid",
 *           "browser_download_url", ...}. Only the comment's poster (or a
 *           repository admin) may attach, with write access to pull
 *           requests: rendergate attaches to its own comment. 422 when
 *           [attachment] ALLOWED_TYPES does not allow the file (the
 *           default list has no .html), 413 over [attachment] MAX_SIZE.
 *           GET .../issues/comments/{id}/assets lists a comment's files,
 *           DELETE .../assets/{attachment_id} removes one (204).
 *
 * Idempotence: the file is named after its content,
 * "rendergate-report-<first 12 hex digits of its SHA-1>.html", so the
 * same report always has the same name. On Gitea a file of that name
 * already attached to the comment is reused instead of sent again; on
 * GitLab (no listing without the Maintainer role) the drainer remembers
 * the URL in the spool job and finds it in the comment it posted (drain.h).
 * Once the comment links a new report, Gitea's older reports on it are
 * deleted (rg_forgeupload_prune), so the comment keeps one; GitLab's stay
 * (deleting a project upload takes the Maintainer role).
 *
 * The request is a POST that creates something, so it is not resent
 * after a 5xx or a dropped connection (http.h); the drainer requeues.
 * Errors are forge.h's: RG_EFORGE with the status (rg_forge_http_status
 * tells 413/422 from an outage), RG_EPARSE for a response without the
 * documented link field, and rg_http_request's.
 */
#ifndef RENDERGATE_FORGEUPLOAD_H
#define RENDERGATE_FORGEUPLOAD_H

#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/config.h"
#include "rendergate/err.h"

struct rg_forge;
struct rg_forge_comment;

/* "rendergate-report-<12 hex>.html" for the page data[0..len), arena. */
const char *rg_forgeupload_name(struct rg_arena *a, const char *data,
				size_t len);

/*
 * The first comment of merge request iid that is not a system note and
 * starts with marker (what rg_forge_upsert_comment would update first).
 * RG_ENOTFOUND when there is none.
 */
int rg_forgeupload_find_comment(struct rg_forge_comment *out,
				struct rg_forge *f, struct rg_arena *a,
				long long iid, const char *marker,
				struct rg_err *err);

/*
 * Put data[0..len) on the forge as `name` (text/html) and set *out_url
 * to the link target for a comment (arena): GitLab's "url", Gitea's
 * "browser_download_url". comment_id is the comment it belongs to (Gitea;
 * ignored by GitLab). *reused (may be NULL) is set when Gitea already had
 * a file of that name on the comment and nothing was sent.
 */
int rg_forgeupload_put(const char **out_url, bool *reused, struct rg_forge *f,
		       struct rg_arena *a, long long comment_id,
		       const char *name, const char *data, size_t len,
		       struct rg_err *err);

/*
 * Gitea: delete the attachments of comment_id that are full reports
 * ("rendergate-report-*.html") other than `keep`. *removed (may be NULL)
 * counts them. GitLab: nothing to do, 0.
 */
int rg_forgeupload_prune(size_t *removed, struct rg_forge *f,
			 struct rg_arena *a, long long comment_id,
			 const char *keep, struct rg_err *err);

/* --- pure parts (no network) ------------------------------------------ */

/*
 * A multipart/form-data body holding one file: field name, file name and
 * content type (the names must be plain: no quote, CR or LF, else
 * RG_EINVALID). The boundary is made from the data's hash and changed
 * until the data does not contain it. *out is malloc'd (*out_len bytes);
 * *ctype (arena) is the Content-Type header value with the boundary.
 */
int rg_forgeupload_multipart(char **out, size_t *out_len, const char **ctype,
			     struct rg_arena *a, const char *field,
			     const char *filename, const char *content_type,
			     const char *data, size_t len, struct rg_err *err);

/*
 * The link of an upload response: GitLab's "url" (else "full_path"),
 * Gitea's "browser_download_url". RG_EPARSE without one.
 */
int rg_forgeupload_parse(const char **out_url, struct rg_arena *a,
			 enum rg_config_forge kind, const char *json,
			 size_t len, struct rg_err *err);

/*
 * The browser_download_url of the attachment named `name` in a Gitea
 * attachment list, or NULL (also for JSON that is not a list).
 */
const char *rg_forgeupload_gitea_find(struct rg_arena *a, const char *json,
				      size_t len, const char *name);

/*
 * The ids of the attachments in a Gitea attachment list that are full
 * reports ("rendergate-report-*.html") not named keep: an arena array of
 * *n (0 for JSON that is not a list).
 */
long long *rg_forgeupload_gitea_stale(size_t *n, struct rg_arena *a,
				      const char *json, size_t len,
				      const char *keep);

#endif
