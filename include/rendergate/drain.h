/*
 * drain.h - `rendergate drain`: deliver the spooled comments and statuses.
 *
 *   rendergate drain [--once] [--spool DIR] [--config FILE]
 *                    [--forge gitlab|gitea] [--url URL] [--project P]
 *                    [--token-file F] [--ca-file F] [--wait SEC]
 *                    [--interval SEC] [--max-attempts N]
 *                    [--deadline-ms N] [--backoff-ms N] [--retry-now]
 *                    [--comment-limit N] [--verbose]
 *
 * Settings come from the server config (config.h: forge.kind, url,
 * token_file, ca_file, project, spool_dir; --config, $RENDERGATE_CONFIG or
 * /etc/rendergate/config.yaml) and flags override them. The spool defaults
 * to RG_DRAIN_SPOOL_DEFAULT.
 *
 * One pass: take the spool lock (waiting up to --wait seconds, default 10,
 * for another drainer; if it is still busy, exit 0: that drainer delivers
 * what we would have), then for every job, oldest first:
 *   - a job superseded by a newer one with the same target (same MR and
 *     marker for comments, same commit for statuses) is removed unsent:
 *     only the newest state matters and the older one must never land last;
 *   - a job whose next_attempt is in the future waits (unless
 *     --retry-now: after an outage is over, deliver everything now);
 *   - a comment job finds its merge requests (mr, or the open MRs of its
 *     source branch, or the MR merged as its sha) and upserts the one
 *     rendergate comment on each (forge.h: found by marker, updated in
 *     place, so delivering twice never makes two comments);
 *     A body over the forge's comment limit (GitLab 1,000,000 characters,
 *     Gitea --comment-limit, default RG_CAP_COMMENT_GITEA_CHARS) is
 *     refused for good without a request (mdreport cuts reports to fit);
 *   - a cut comment carries its full report (report_html, htmlreport.h):
 *     before the comment is posted the page is uploaded (forgeupload.h)
 *     and the comment's full-report line links to it. Once per report:
 *     GitLab's upload URL is saved in the job before the comment is
 *     posted and is also found in the comment an earlier delivery
 *     posted; Gitea's attachment (on the comment itself, so a first
 *     delivery posts the comment, attaches, then updates it) is found by
 *     its content-derived name, and once the comment links it the
 *     comment's older reports are deleted. An upload that fails for a
 *     while (5xx, refused connection, timeout) fails the job, which is
 *     retried; one the forge refuses for good (403, 404, 413, 422, no
 *     link in the answer) does not: the comment is posted saying why the
 *     report is not attached, and a log line says what the forge
 *     answered;
 *   - a status job sets the `rendergate` commit status;
 *   - delivered: the job file is removed. Failed: requeued with backoff
 *     (spool.h), or moved to failed/ after --max-attempts (default
 *     RG_CAP_SPOOL_ATTEMPTS) or at once when the forge refuses it for good
 *     (HTTP 400, 413, 422), with a log line on stderr saying why. A comment
 *     job whose branch has no open MR is retried 3 times, then dropped
 *     with a log line (a push to a branch without a merge request).
 * The pass repeats while new jobs appeared during it (bounded). With
 * --once the command then exits; without, it sleeps --interval seconds
 * (default 30) and passes again, forever.
 *
 * Exit: 0 when every job was delivered, requeued or left waiting; 1 when
 * a job was moved to failed/ or the spool could not be written; 2 for a
 * usage or configuration error (bad flags, token file not 0600, ...).
 * Log lines never contain the token.
 */
#ifndef RENDERGATE_DRAIN_H
#define RENDERGATE_DRAIN_H

#include "rendergate/compat.h"
#include "rendergate/err.h"
#include "rendergate/forge.h"
#include "rendergate/mdreport.h"

#define RG_DRAIN_SPOOL_DEFAULT "/var/spool/rendergate"

int rg_cmd_drain(int argc, char **argv);

/* What a hook hands to the drainer after a push (see rg_drain_enqueue). */
struct rg_drain_post {
	const char *spool;	   /* spool directory */
	enum rg_config_forge kind; /* sizes the comment (mdreport limit) */
	size_t comment_limit;	   /* 0: rg_mdreport_limit(kind) */
	const char *project;	   /* NULL: the drainer's configured one */
	long long mr;		   /* merge request number, 0: look it up */
	const char *source_branch; /* ... by its open MRs from this branch */
	const char *target_branch; /* ... into this branch (optional) */
	bool merged;		   /* ... or the MR merged as head_sha */
	const char *head_sha;	   /* the commit the status goes on */
	const struct rg_mdreport *report; /* NULL: no comment */
	bool status;			  /* also set the rendergate status */
	enum rg_forge_state state;
	const char *description; /* status text (cut to 255) */
	const char *target_url;	 /* optional */
};

/*
 * Render p->report (its limit from p, its marker RG_FORGE_MARKER_MERGED
 * when merged) and spool it as a comment job, then spool the status job
 * on head_sha when p->status. When the comment is cut, the job also
 * holds the full report as one HTML page (htmlreport.h) for the drainer
 * to upload and link; a page over RG_CAP_REPORT_HTML_BYTES is not
 * spooled and the comment says so. Jobs are written before this returns, so a
 * drainer started afterwards sees them. RG_EINVALID when the post names
 * no merge request or the status has no head_sha; spool errors as
 * rg_spool_write.
 */
int rg_drain_enqueue(const struct rg_drain_post *p, struct rg_arena *a,
		     struct rg_err *err);

/*
 * Start `<exe> drain --once [--config FILE] --spool DIR` detached from the
 * caller, for post-receive: the push must not wait for the forge. Double
 * fork, new session, stdin and stdout on /dev/null, stderr appended to
 * <spool>/drain.log (rotated to drain.log.1 past 1 MiB; /dev/null when it
 * cannot be opened). Returns once the grandchild is forked; never waits
 * for delivery. exe NULL: /proc/self/exe; config may be NULL.
 * RG_EIO when fork fails.
 */
int rg_drain_start_detached(const char *exe, const char *config,
			    const char *spool, struct rg_err *err);

#endif
