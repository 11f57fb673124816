/*
 * spool.h - the queue between the hooks and the forge: one JSON file per
 * delivery job in a spool directory, delivered later by `rendergate drain`.
 *
 * The hooks never wait on the forge for comments and statuses: they call
 * rg_spool_write, which is quick and local, and the drainer delivers.
 *
 * On disk (all in one directory, the spool):
 *   <id>.json        a due or waiting job; <id> sorts by creation time
 *                    ("20261121T082152.123456789-4242-1a2b")
 *   .tmp-*           a job being written where unnamed files are not
 *                    available (ignored by readers)
 *   .lock            flock(2)ed by the one drainer delivering
 *   failed/<id>.json a job given up on, with "last_error" saying why
 *
 * Crash safety: a job is written to an unnamed file in the spool
 * (O_TMPFILE), fsynced, and linked in under its final name, then the
 * directory is fsynced; a reader sees either no job or the whole job, and
 * a writer killed at any point leaves nothing else behind. Updates
 * (attempt counts) are written the same way, linked under a temporary
 * name and renamed over the job. Where the file system has no unnamed
 * files, a named .tmp- file is written, fsynced and renamed instead; a
 * writer killed mid-way then leaves it for rg_spool_clean_tmp.
 *
 * Job file (version 1), every field but kind optional:
 *   {"v":1, "kind":"comment"|"status", "project":"group/app",
 *    "mr":12,                  merge request number, 0/absent: look it up
 *    "source_branch":"feat",   look up open MRs from this branch
 *    "target_branch":"main",   ... and only those into this branch
 *    "sha":"<hex>",            status: the commit; comment: see "merged"
 *    "merged":true,            comment: the MR whose merge commit is sha
 *    "marker":"<!-- rendergate:report -->", "body":"<markdown>",
 *    "state":"pending"|"success"|"failed", "description":"...",
 *    "target_url":"https://...",
 *    "report_html":"<!DOCTYPE html>...",  comment: the full report, to be
 *                              uploaded and linked (a cut comment)
 *    "upload_url":"/uploads/...",  comment: where report_html went, kept
 *                              once uploaded so a retry links the same file
 *    "created":1763713312, "attempts":0, "next_attempt":0,
 *    "last_error":"..."}
 * Times are unix seconds. The payload is forge-independent.
 *
 * Permissions: job files are created 0640 so a drainer running as another
 * user in the spool directory's group can read them (make the directory
 * setgid and group-writable; see contrib/rendergate-drain.service).
 */
#ifndef RENDERGATE_SPOOL_H
#define RENDERGATE_SPOOL_H

#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/err.h"

enum rg_spool_kind {
	RG_SPOOL_COMMENT = 1,
	RG_SPOOL_STATUS = 2,
};

struct rg_spool_job {
	enum rg_spool_kind kind;
	const char *project;	   /* NULL: the drainer's configured project */
	long long mr;		   /* merge request number; 0: look it up */
	const char *source_branch; /* comment: find open MRs from it */
	const char *target_branch; /* comment: only MRs into it (optional) */
	const char *sha;	   /* status: commit; comment: see merged */
	bool merged;		   /* comment: post on the MR merged as sha */
	const char *marker;	   /* comment marker; NULL: RG_FORGE_MARKER_
				      DEFAULT, or _MERGED for merged jobs */
	const char *body;	   /* comment Markdown */
	const char *state;	   /* status: "pending", "success", "failed" */
	const char *description;   /* status */
	const char *target_url;	   /* status (optional) */
	const char *report_html;   /* comment: full report to upload */
	const char *upload_url;	   /* comment: report_html's project upload
				      (GitLab), once made */
	int64_t created;	   /* unix seconds; 0 on write: now */
	unsigned attempts;	   /* failed deliveries so far */
	int64_t next_attempt;	   /* not before (unix seconds); 0: now */
	const char *last_error;	   /* why the last delivery failed */
	const char *id;		   /* file name without ".json" */
};

/*
 * Check that job has what its kind needs (RG_EINVALID with the reason):
 * comment: body, and mr or source_branch or (merged and sha);
 * status: a hex sha and a state of pending/success/failed.
 */
int rg_spool_job_check(const struct rg_spool_job *job, struct rg_err *err);

/* The job as JSON (version 1), malloc'd, NUL-terminated. */
char *rg_spool_job_json(const struct rg_spool_job *job);

/*
 * Parse a job file's content into *out (strings in the arena). RG_EPARSE
 * for bad JSON or a wrong field type, RG_EINVALID for a job that fails
 * rg_spool_job_check or has an unknown version or kind. Pure.
 */
int rg_spool_job_parse(struct rg_spool_job *out, struct rg_arena *a,
		       const char *json, size_t len, struct rg_err *err);

/*
 * Write a new job into dir (created, mode 0750, if missing). Sets the
 * creation time when job->created is 0. *out_id (may be NULL) gets the
 * arena copy of the new id. RG_EINVALID for a bad job, RG_EIO otherwise.
 */
int rg_spool_write(const char **out_id, const char *dir, struct rg_arena *a,
		   const struct rg_spool_job *job, struct rg_err *err);

/*
 * The ids of all jobs in dir, sorted (oldest first), at most
 * RG_CAP_SPOOL_JOBS (the rest wait for the next pass). A missing dir is an
 * empty spool.
 */
int rg_spool_list(const char ***out, size_t *n, const char *dir,
		  struct rg_arena *a, struct rg_err *err);

/*
 * Load job id from dir. RG_ENOTFOUND when it is gone (delivered by
 * someone else meanwhile), RG_ELIMIT over RG_CAP_SPOOL_JOB_BYTES, else as
 * rg_spool_job_parse.
 */
int rg_spool_load(struct rg_spool_job *out, const char *dir, const char *id,
		  struct rg_arena *a, struct rg_err *err);

/*
 * Rewrite job (loaded from dir, so job->id is set) in place, atomically,
 * e.g. to remember an upload before the comment that links it is posted.
 */
int rg_spool_save(const char *dir, const struct rg_spool_job *job,
		  struct rg_err *err);

/* Remove a delivered job. A job already gone is not an error. */
int rg_spool_remove(const char *dir, const char *id, struct rg_err *err);

/*
 * Count a failed delivery: attempts+1, last_error = why, next_attempt =
 * now + backoff (60 s * 2^(attempts-1), jittered by the id, capped at
 * RG_CAP_SPOOL_BACKOFF_S_MAX), rewritten in place. After max_attempts
 * (0: RG_CAP_SPOOL_ATTEMPTS) the job moves to failed/ instead, and *moved
 * (may be NULL) is set to true; with the default, the failed job's
 * last_error adds "(gave up after N attempts, RG_CAP_SPOOL_ATTEMPTS)".
 */
int rg_spool_requeue(bool *moved, const char *dir, struct rg_spool_job *job,
		     int64_t now, const char *why, unsigned max_attempts,
		     struct rg_err *err);

/*
 * Move a job to dir/failed/ at once (a permanent refusal, or an unreadable
 * file when job is NULL: then the file is moved as it is), recording why.
 */
int rg_spool_fail(const char *dir, const char *id, struct rg_spool_job *job,
		  const char *why, struct rg_err *err);

/*
 * Remove temporary files (".tmp-*") older than max_age_s seconds: what a
 * writer that crashed mid-write left behind. Call with the lock held.
 * *removed (may be NULL) counts them.
 */
int rg_spool_clean_tmp(size_t *removed, const char *dir, int64_t now,
		       unsigned max_age_s, struct rg_err *err);

/*
 * Take the drainer lock on dir/.lock, waiting up to wait_ms for another
 * drainer to finish. *out_fd gets the descriptor to pass to
 * rg_spool_unlock. RG_EEXISTS when another drainer still holds it.
 */
int rg_spool_lock(int *out_fd, const char *dir, unsigned wait_ms,
		  struct rg_err *err);
void rg_spool_unlock(int fd);

#endif
