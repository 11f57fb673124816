/*
 * mrflow.h - from a gated push to the merge request comment and commit
 * status: the spool jobs (spool.h) the pre-receive and update hooks
 * write after the verdict, for `rendergate drain` to deliver.
 *
 * Only when the server config names a forge. Per branch update of the
 * push (rg_mrflow_classify):
 *
 *   - a preview (a branch no environment lives on: gate.h step 6): a
 *     comment job addressed by source branch (the drainer finds the open
 *     merge requests from it into the preview's target; one opened later
 *     by `-o merge_request.create` is found by the drainer's retries)
 *     holding the Markdown report (mdreport.h: summary table, notes,
 *     findings, one collapsible diff per object, cut to the forge's
 *     limit), and a `rendergate` status on the pushed head: success, or
 *     failed when the push is rejected, with a one-line description. A
 *     rejected push still spools both: post-receive never runs for it,
 *     so pre-receive must;
 *   - a forge merge into an environment branch (GL_PROTOCOL=web on
 *     GitLab; GITEA_PR_ID other than 0 on Gitea): the short "merged"
 *     summary (table and findings, no diffs) under the merged marker,
 *     addressed by the merge commit (the drainer asks the forge for the
 *     merge request merged as it) or, when Gitea gives GITEA_PR_INDEX, by
 *     number. A rejected merge is spooled only when the number is known
 *     (a rejected merge commit belongs to no merge request); GitLab shows
 *     the GL-HOOK-ERR lines on the merge page instead;
 *   - anything else (direct pushes to environment branches, tags,
 *     deletions, repositories without .rendergate.yaml): nothing.
 *
 * What the gate decided is read back from the report (report.h): a
 * preview's environments carry the ref label "<ref> (preview: merged
 * into <target>)", an environment branch's carry "<ref>", and a
 * conflicting preview leaves the note "<ref>: no preview: merging it into
 * <target> conflicts".
 *
 * The project is the server config's forge.project, else the hook
 * environment's (rg_forge_project_from_env); with neither, nothing is
 * spooled and a note says why.
 *
 * Spooling never changes the verdict and never touches the network: a
 * failure to write a job is one "rendergate: note: ..." line on stderr.
 * When the push is rejected and a job was written, the drainer is started
 * detached (drain.h) since post-receive will not run.
 *
 * NEEDSWORK: findings carry an environment name but no ref, so a push
 * updating two branches whose previews share environment names shows
 * each such finding on both comments. With both pre-receive and update
 * installed the jobs are written twice; the drainer keeps the newest.
 */
#ifndef RENDERGATE_MRFLOW_H
#define RENDERGATE_MRFLOW_H

#include "rendergate/compat.h"
#include "rendergate/config.h"
#include "rendergate/err.h"

struct rg_arena;
struct rg_mdreport;
struct rg_push;
struct rg_push_update;
struct rg_report;

enum rg_mrflow_kind {
	RG_MRFLOW_NONE = 0, /* nothing to post */
	RG_MRFLOW_PREVIEW,  /* feature branch: report comment and status */
	RG_MRFLOW_MERGED,   /* forge merge into an environment branch */
};

/* What one update of a push is for the merge request flow. */
struct rg_mrflow_ref {
	enum rg_mrflow_kind kind;
	const char *ref;    /* "refs/heads/feat" */
	const char *branch; /* "feat" */
	const char *target; /* preview: the branch it was merged into, or
			       NULL; merged: the environment branch */
	const char *label;  /* the report's ref label of its environments */
	bool conflict;	    /* preview: merging conflicted, nothing rendered */
	long long mr;	    /* merged: GITEA_PR_INDEX, else 0 */
};

/*
 * Classify update u of a push (see above). getenv_fn reads the hook
 * environment (getenv, or a table in tests). Strings are in the arena.
 * Pure.
 */
void rg_mrflow_classify(struct rg_mrflow_ref *out, const struct rg_report *rep,
			const struct rg_push_update *u,
			enum rg_config_forge kind,
			const char *(*getenv_fn)(const char *),
			struct rg_arena *a);

/*
 * The Markdown report of one classified ref: one environment per
 * rendered (or failed) report environment with that ref's label, built
 * by rg_mdreport_env_from_diff; its findings (by environment name) as
 * lines "file:line:col: severity: message (rule)" plus hints; report
 * notes for that ref, the push's errors and findings with no
 * environment; verdict from the report's exit code. Merged refs get the
 * summary form. Pure; everything in the arena.
 */
void rg_mrflow_build(struct rg_mdreport *out, const struct rg_report *rep,
		     const struct rg_mrflow_ref *ref, const char *head_sha,
		     struct rg_arena *a);

/*
 * The report of a CLI diff (`rendergate diff --format html`), built as a
 * preview's: every rendered (or failed) environment of rep (a CLI report:
 * no refs), its findings, the report's notes, errors and findings with no
 * environment, titled "rendered diff: OLD..NEW"; the verdict says whether
 * a push would be rejected; new_sha (may be NULL) is shown as the head
 * and old_rev as the target. Pure; everything in the arena.
 */
void rg_mrflow_build_cli(struct rg_mdreport *out, const struct rg_report *rep,
			 const char *old_rev, const char *new_rev,
			 const char *new_sha, struct rg_arena *a);

/*
 * The one-line status description for a built report (at most
 * RG_CAP_STATUS_DESC_CHARS): "accepted: 2 environments, 1 added, 3
 * changed, 0 removed, 1 warning" or "rejected: 2 problems (...)". Pure.
 */
const char *rg_mrflow_status_text(const struct rg_report *rep,
				  const struct rg_mdreport *md,
				  struct rg_arena *a);

/*
 * Spool the jobs of a push whose verdict is in rep (see above), with the
 * forge and spool directory of server (forge none: nothing).
 * config_path (--config, may be NULL) is passed to a detached drainer;
 * hook ("pre-receive", "update") names the notes. Returns the number of
 * jobs written; problems go to stderr as notes and never change the
 * verdict.
 */
size_t rg_mrflow_spool_push(const struct rg_config_server *server,
			    const char *config_path, const char *hook,
			    const struct rg_push *push,
			    const struct rg_report *rep, struct rg_arena *a);

#endif
