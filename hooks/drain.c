/*
 * drain.c - `rendergate drain`: deliver spooled jobs to the forge
 * (see drain.h for the behaviour and exit codes).
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/config.h"
#include "rendergate/drain.h"
#include "rendergate/forge.h"
#include "rendergate/forgeupload.h"
#include "rendergate/htmlreport.h"
#include "rendergate/mdreport.h"
#include "rendergate/serverconf.h"
#include "rendergate/spool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A comment job for a branch without an open MR is dropped after this. */
#define NOMR_TRIES 3
/* Passes in one run while new jobs keep arriving. */
#define MAX_PASSES 10

struct forge_slot {
	char *project;
	struct rg_forge *forge;
};

struct drain {
	const char *spool, *config;
	enum rg_config_forge kind;
	const char *url, *project, *token_file, *ca_file;
	char *token;
	unsigned wait_s, interval_s, max_attempts, deadline_ms, backoff_ms;
	unsigned comment_limit;
	bool once, verbose, retry_now;
	struct forge_slot *forges;
	size_t nforges;
	char **seen; /* ids handled in this run: each at most once per run */
	size_t nseen, seen_alloc;
	size_t delivered, requeued, failed, waiting, superseded, dropped;
	bool io_error;
};

static void logline(const char *fmt, ...) RG_PRINTF(1, 2);
static void logline(const char *fmt, ...)
{
	va_list ap;

	fputs("rendergate drain: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void http_log(void *ctx, const char *line)
{
	(void)ctx;
	logline("http: %s", line);
}

static void usage(FILE *f)
{
	fputs("usage: rendergate drain [--once] [--spool DIR] [--config FILE]\n"
	      "                        [--forge gitlab|gitea] [--url URL] "
	      "[--project P]\n"
	      "                        [--token-file F] [--ca-file F] [--wait "
	      "SEC]\n"
	      "                        [--interval SEC] [--max-attempts N]\n"
	      "                        [--deadline-ms N] [--backoff-ms N] "
	      "[--retry-now]\n"
	      "                        [--comment-limit N] [--verbose]\n"
	      "\n"
	      "Delivers the merge request comments and commit statuses that "
	      "the hooks\n"
	      "spooled. Settings come from the server config; flags override "
	      "them.\n"
	      "  --once          one pass over the due jobs, then exit (timer "
	      "units)\n"
	      "  --spool DIR     the spool directory "
	      "(default " RG_DRAIN_SPOOL_DEFAULT ")\n"
	      "  --wait SEC      wait this long for another drainer's lock "
	      "(default 10)\n"
	      "  --interval SEC  without --once: seconds between passes "
	      "(default 30)\n"
	      "  --retry-now     deliver waiting jobs now (after an outage is "
	      "over)\n"
	      "  --comment-limit N  Gitea comment limit in characters (default "
	      "65000)\n"
	      "Exit status: 0 all delivered, requeued or waiting; 1 a job "
	      "moved to\n"
	      "failed/ or the spool is not writable; 2 usage or configuration "
	      "error.\n",
	      f);
}

static int parse_uint(unsigned *out, const char *flag, const char *v)
{
	char *end = NULL;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || !end || *end || end == v || n > 100000000ul) {
		logline("%s wants a number, not '%s'", flag, v);
		return -1;
	}
	*out = (unsigned)n;
	return 0;
}

static bool known_option(const char *name)
{
	static const char *const opts[] = {
	    "--spool",	       "--config",	"--forge",
	    "--url",	       "--project",	"--token-file",
	    "--ca-file",       "--wait",	"--interval",
	    "--max-attempts",  "--deadline-ms", "--backoff-ms",
	    "--comment-limit",
	};
	size_t i;

	for (i = 0; i < RG_ARRAY_SIZE(opts); i++)
		if (!strcmp(name, opts[i]))
			return true;
	return false;
}

/* Returns 0, 1 for --help, -1 for a usage error. */
static int parse_args(struct drain *d, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *eq = strchr(arg, '='), *val = NULL;
		char name[32];
		size_t nl = eq ? (size_t)(eq - arg) : strlen(arg);

		if (!strcmp(arg, "--help") || !strcmp(arg, "-h"))
			return 1;
		if (!strcmp(arg, "--once")) {
			d->once = true;
			continue;
		}
		if (!strcmp(arg, "--retry-now")) {
			d->retry_now = true;
			continue;
		}
		if (!strcmp(arg, "--verbose") || !strcmp(arg, "-v")) {
			d->verbose = true;
			continue;
		}
		if (nl >= sizeof(name) || strncmp(arg, "--", 2)) {
			logline("unknown argument '%s'", arg);
			return -1;
		}
		memcpy(name, arg, nl);
		name[nl] = 0;
		if (!known_option(name)) {
			logline("unknown option '%s'", name);
			return -1;
		}
		if (eq)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		else {
			logline("%s needs a value", name);
			return -1;
		}
		if (!strcmp(name, "--spool"))
			d->spool = val;
		else if (!strcmp(name, "--config"))
			d->config = val;
		else if (!strcmp(name, "--forge")) {
			struct rg_err err = RG_ERR_INIT;

			if (rg_forge_kind_parse(&d->kind, val, &err) < 0) {
				logline("%s", err.msg);
				return -1;
			}
		} else if (!strcmp(name, "--url"))
			d->url = val;
		else if (!strcmp(name, "--project"))
			d->project = val;
		else if (!strcmp(name, "--token-file"))
			d->token_file = val;
		else if (!strcmp(name, "--ca-file"))
			d->ca_file = val;
		else if (!strcmp(name, "--wait")) {
			if (parse_uint(&d->wait_s, name, val) < 0)
				return -1;
		} else if (!strcmp(name, "--interval")) {
			if (parse_uint(&d->interval_s, name, val) < 0)
				return -1;
		} else if (!strcmp(name, "--max-attempts")) {
			if (parse_uint(&d->max_attempts, name, val) < 0)
				return -1;
		} else if (!strcmp(name, "--deadline-ms")) {
			if (parse_uint(&d->deadline_ms, name, val) < 0)
				return -1;
		} else if (!strcmp(name, "--backoff-ms")) {
			if (parse_uint(&d->backoff_ms, name, val) < 0)
				return -1;
		} else if (!strcmp(name, "--comment-limit")) {
			if (parse_uint(&d->comment_limit, name, val) < 0)
				return -1;
		} else {
			logline("unknown option '%s'", name);
			return -1;
		}
	}
	return 0;
}

/* Fill what the flags left open from the server config. */
static int apply_config(struct drain *d, struct rg_arena *a, bool kind_given)
{
	struct rg_config_server *c = NULL;
	struct rg_errlist errs = RG_ERRLIST_INIT;
	size_t i;
	int ret = rg_serverconf_load(&c, a, d->config, &errs);

	if (ret < 0) {
		for (i = 0; i < errs.len; i++) {
			char line[RG_ERR_MSG_MAX + RG_ERR_FILE_MAX + 32];

			rg_err_format(&errs.items[i], line, sizeof(line));
			logline("%s", line);
		}
		if (!errs.len)
			logline("cannot load the server config (%s)",
				rg_err_codename(ret));
		goto out;
	}
	if (!kind_given)
		d->kind = c->forge.kind;
	if (!d->url)
		d->url = c->forge.url;
	if (!d->project)
		d->project = c->forge.project;
	if (!d->token_file)
		d->token_file = c->forge.token_file;
	if (!d->ca_file)
		d->ca_file = c->forge.ca_file;
	if (!d->spool)
		d->spool = c->spool_dir;
out:
	rg_errlist_release(&errs);
	return ret;
}

static struct rg_forge *forge_for(struct drain *d, const char *project,
				  struct rg_err *err)
{
	struct rg_forge_opts o;
	struct rg_forge *f = NULL;
	size_t i;

	for (i = 0; i < d->nforges; i++)
		if (!strcmp(d->forges[i].project, project))
			return d->forges[i].forge;
	memset(&o, 0, sizeof(o));
	o.kind = d->kind;
	o.url = d->url;
	o.project = project;
	o.token = d->token;
	o.http.ca_file = d->ca_file;
	o.http.deadline_ms = d->deadline_ms;
	o.http.backoff_base_ms = d->backoff_ms;
	if (d->verbose)
		o.http.log = http_log;
	if (rg_forge_new(&f, &o, err) < 0)
		return NULL;
	d->forges =
	    rg_xrealloc(d->forges, (d->nforges + 1) * sizeof(*d->forges));
	d->forges[d->nforges].project = rg_xstrdup(project);
	d->forges[d->nforges].forge = f;
	d->nforges++;
	return f;
}

/* A merged summary gets its own comment, so the diff report stays. */
static const char *job_marker(const struct rg_spool_job *j)
{
	if (j->marker)
		return j->marker;
	return j->merged ? RG_FORGE_MARKER_MERGED : RG_FORGE_MARKER_DEFAULT;
}

static const char *job_key(struct rg_arena *a, const struct rg_spool_job *j,
			   const char *proj)
{
	if (j->kind == RG_SPOOL_STATUS)
		return rg_arena_printf(a, "s\n%s\n%s", proj, j->sha);
	return rg_arena_printf(a, "c\n%s\n%lld\n%s\n%s\n%s\n%s", proj, j->mr,
			       j->mr		  ? ""
			       : j->source_branch ? j->source_branch
						  : "",
			       j->target_branch ? j->target_branch : "",
			       j->merged && j->sha ? j->sha : "",
			       job_marker(j));
}

static bool starts_with(const char *s, const char *prefix)
{
	while (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
		s++;
	return !strncmp(s, prefix, strlen(prefix));
}

enum result { DELIVERED, NO_MR, FAILED };

/* Characters (UTF-8 code points) in s, as the forges count them. */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* The target of a Markdown link in body that ends with "/<name>". */
static const char *linked_upload(struct rg_arena *a, const char *body,
				 const char *name)
{
	const char *end = body, *start;
	size_t nl = strlen(name);

	while (body && (end = strstr(end, name))) {
		for (start = end; start > body && start[-1] != '(' &&
				  start[-1] != ' ' && start[-1] != '\n';
		     start--)
			;
		if (end > start && end[-1] == '/' && end[nl] == ')' &&
		    start - body >= 2 && !strncmp(start - 2, "](", 2))
			return rg_arena_strndup(a, start,
						(size_t)(end + nl - start));
		end += nl;
	}
	return NULL;
}

/*
 * Why the forge refused an upload for good, or NULL when it may work
 * later (an outage: the job is retried). Short phrases of ours, shown in
 * the comment.
 */
static const char *upload_refused(enum rg_config_forge kind, int code,
				  long status)
{
	if (code == RG_EPARSE)
		return "the forge's answer had no link to the file";
	if (code != RG_EFORGE || status < 400 || status > 499 ||
	    status == 408 || status == 429)
		return NULL;
	if (status == 413)
		return "the file is over the forge's attachment size limit";
	if (status == 422 && kind == RG_FORGE_GITEA)
		return "the forge does not allow .html attachments; an admin "
		       "can add .html to [attachment] ALLOWED_TYPES";
	if (status == 403)
		return "the token may not upload files";
	if (status == 404)
		return "the forge has no upload API here, or attachments are "
		       "disabled";
	return "the forge refused the upload";
}

/*
 * The job's full report on the forge for merge request iid: *out gets
 * body with its placeholder replaced by the link (or by why there is
 * none). Never uploads a report the forge already has: GitLab's URL is
 * kept in the job (saved before the comment is posted) and found in the
 * comment posted earlier; Gitea's attachments are named by content and
 * listed first. Gitea attaches files to a comment, so a first delivery
 * posts the comment, attaches, then updates it with the link.
 */
static enum result attach_report(struct drain *d, struct rg_forge *f,
				 struct rg_arena *a, struct rg_spool_job *j,
				 long long iid, const char *marker,
				 const char *body, const char **out,
				 const char **linked, struct rg_err *err)
{
	size_t hlen = strlen(j->report_html);
	const char *name = rg_forgeupload_name(a, j->report_html, hlen);
	const char *url = NULL, *why = NULL;
	struct rg_forge_comment c;
	long long cid = 0;
	bool reused = false;
	int ret = rg_forgeupload_find_comment(&c, f, a, iid, marker, err);

	if (ret < 0 && ret != RG_ENOTFOUND)
		return FAILED;
	if (ret == 0)
		cid = c.id;
	if (d->kind == RG_FORGE_GITLAB) {
		url = j->upload_url ? j->upload_url
		      : cid	    ? linked_upload(a, c.body, name)
				    : NULL;
		reused = url != NULL;
	}
	for (int tries = 0; !url && tries < 2; tries++) {
		if (d->kind == RG_FORGE_GITEA && !cid &&
		    rg_forge_upsert_comment(&cid, NULL, f, a, iid, marker, body,
					    err) < 0)
			return FAILED;
		ret = rg_forgeupload_put(&url, &reused, f, a, cid, name,
					 j->report_html, hlen, err);
		if (ret == RG_EFORGE && rg_forge_http_status(f) == 403 &&
		    d->kind == RG_FORGE_GITEA && !tries) {
			/* someone else's comment with our marker: the upsert
			 * finds or makes ours */
			cid = 0;
			continue;
		}
		if (ret < 0) {
			why = upload_refused(d->kind, ret,
					     rg_forge_http_status(f));
			if (!why)
				return FAILED;
			logline("%s: full report not attached: %s", j->id,
				err->msg);
			rg_err_init(err);
			break;
		}
	}
	if (url && d->kind == RG_FORGE_GITLAB && !j->upload_url) {
		struct rg_err serr = RG_ERR_INIT;

		/* remembered before the comment links it: a retry after a
		 * failure from here on reuses this upload */
		j->upload_url = url;
		if (rg_spool_save(d->spool, j, &serr) < 0)
			logline("%s: %s", j->id, serr.msg);
	}
	if (url)
		logline("%s: full report %s as %s: %s", j->id,
			reused ? "already on the forge" : "uploaded", name,
			url);
	*out = rg_mdreport_link_full(a, body, url, why);
	*linked = url ? name : NULL;
	return DELIVERED;
}

/* The comment links report `name` now: its older reports can go. */
static void prune_reports(struct rg_forge *f, struct rg_arena *a,
			  const struct rg_spool_job *j, long long id,
			  const char *name)
{
	struct rg_err err = RG_ERR_INIT;
	size_t n = 0;

	if (rg_forgeupload_prune(&n, f, a, id, name, &err) < 0)
		logline("%s: older full reports not removed: %s", j->id,
			err.msg);
	else if (n)
		logline("%s: removed %zu older full report%s from comment %lld",
			j->id, n, n == 1 ? "" : "s", id);
}

static enum result deliver_comment(struct drain *d, struct rg_forge *f,
				   struct rg_arena *a, struct rg_spool_job *j,
				   struct rg_err *err)
{
	const char *marker = job_marker(j);
	const char *body = starts_with(j->body, marker)
			       ? j->body
			       : rg_arena_printf(a, "%s\n%s", marker, j->body);
	size_t limit = d->kind == RG_FORGE_GITLAB ? RG_CAP_COMMENT_GITLAB_CHARS
		       : d->comment_limit	  ? d->comment_limit
						  : RG_CAP_COMMENT_GITEA_CHARS;
	struct rg_forge_mr *mrs = NULL, one;
	size_t n = 0, i, chars = utf8_chars(body);
	int ret = 0;

	/* the full-report line that may replace the placeholder fits in
	 * the room mdreport kept for it */
	if (rg_mdreport_is_cut(body))
		chars += RG_MDREPORT_LINK_RESERVE;
	if (chars > limit) {
		rg_err_set(err, RG_EINVALID, NULL,
			   "comment of %zu characters is over the forge's "
			   "limit of %zu",
			   chars, limit);
		return FAILED;
	}

	if (j->mr > 0) {
		memset(&one, 0, sizeof(one));
		one.iid = j->mr;
		mrs = &one;
		n = 1;
	} else if (j->merged && j->sha) {
		ret = rg_forge_find_merged_mr(&one, f, a, j->sha, err);
		if (ret == RG_ENOTFOUND)
			return NO_MR;
		mrs = &one;
		n = ret == 0 ? 1 : 0;
	} else {
		ret = rg_forge_find_open_mrs(&mrs, &n, f, a, j->source_branch,
					     j->target_branch, err);
		if (ret == 0 && n == 0) {
			rg_err_set(err, RG_ENOTFOUND, NULL,
				   "no open merge request for branch %s",
				   j->source_branch);
			return NO_MR;
		}
	}
	if (ret < 0)
		return FAILED;
	for (i = 0; i < n; i++) {
		long long id = 0;
		const char *action = NULL, *final = body, *linked = NULL;

		if (j->report_html && rg_mdreport_is_cut(body)) {
			enum result r =
			    attach_report(d, f, a, j, mrs[i].iid, marker, body,
					  &final, &linked, err);

			if (r != DELIVERED) {
				rg_err_prefix(err, "merge request %lld",
					      mrs[i].iid);
				return r;
			}
		} else {
			/* no report to link (none spooled): say so */
			final = rg_mdreport_link_full(
			    a, body, NULL, "no full report was spooled");
		}
		ret = rg_forge_upsert_comment(&id, &action, f, a, mrs[i].iid,
					      marker, final, err);
		if (ret < 0) {
			rg_err_prefix(err, "merge request %lld", mrs[i].iid);
			return FAILED;
		}
		logline("%s: comment %lld %s on merge request %lld", j->id, id,
			action, mrs[i].iid);
		if (linked)
			prune_reports(f, a, j, id, linked);
	}
	return DELIVERED;
}

static enum result deliver_status(struct rg_forge *f,
				  const struct rg_spool_job *j,
				  struct rg_err *err)
{
	enum rg_forge_state st = !strcmp(j->state, "success") ? RG_FORGE_SUCCESS
				 : !strcmp(j->state, "failed")
				     ? RG_FORGE_FAILED
				     : RG_FORGE_PENDING;

	if (rg_forge_set_status(f, j->sha, st, j->target_url, j->description,
				err) < 0)
		return FAILED;
	logline("%s: status %s set on %.12s", j->id, j->state, j->sha);
	return DELIVERED;
}

static bool permanent(int code, long status)
{
	return code == RG_EINVALID ||
	       (code == RG_EFORGE &&
		(status == 400 || status == 413 || status == 422));
}

static void handle(struct drain *d, struct rg_arena *a, struct rg_spool_job *j,
		   const char *proj, int64_t now)
{
	struct rg_err err = RG_ERR_INIT;
	struct rg_forge *f = forge_for(d, proj, &err);
	enum result r = FAILED;
	char why[RG_ERR_MSG_MAX + RG_ERR_FILE_MAX + 32] = "";
	long status = 0;
	bool moved = false;

	if (f) {
		r = j->kind == RG_SPOOL_COMMENT
			? deliver_comment(d, f, a, j, &err)
			: deliver_status(f, j, &err);
		status = rg_forge_http_status(f);
	}
	if (r == DELIVERED) {
		d->delivered++;
		if (rg_spool_remove(d->spool, j->id, &err) < 0) {
			logline("%s: delivered but not removed: %s", j->id,
				err.msg);
			d->io_error = true;
		}
		return;
	}
	rg_err_format(&err, why, sizeof(why));
	if (r == NO_MR && j->attempts + 1 >= NOMR_TRIES) {
		logline("%s: dropped after %u tries: %s", j->id,
			j->attempts + 1, why);
		d->dropped++;
		if (rg_spool_remove(d->spool, j->id, &err) < 0)
			d->io_error = true;
		return;
	}
	if (r == FAILED && permanent(err.code, status)) {
		logline("%s: moved to failed/: the forge refused it: %s", j->id,
			why);
		d->failed++;
		if (rg_spool_fail(d->spool, j->id, j, why, &err) < 0) {
			logline("%s: %s", j->id, err.msg);
			d->io_error = true;
		}
		return;
	}
	if (rg_spool_requeue(&moved, d->spool, j, now, why, d->max_attempts,
			     &err) < 0) {
		logline("%s: cannot requeue: %s", j->id, err.msg);
		d->io_error = true;
		return;
	}
	if (moved) {
		logline("%s: moved to failed/ after %u attempts: %s", j->id,
			j->attempts, why);
		d->failed++;
	} else {
		logline("%s: attempt %u failed, next try in %lld s: %s", j->id,
			j->attempts, (long long)(j->next_attempt - now), why);
		d->requeued++;
	}
}

static bool was_seen(const struct drain *d, const char *id)
{
	size_t i;

	for (i = 0; i < d->nseen; i++)
		if (!strcmp(d->seen[i], id))
			return true;
	return false;
}

/*
 * One pass over the spool. *handled counts the jobs handled (delivered,
 * requeued, failed) so the caller can pass again when new ones came.
 */
static void pass(struct drain *d, size_t *handled)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	const char **ids = NULL, **keys;
	struct rg_spool_job *jobs;
	bool *ok;
	size_t n = 0, i, k;
	int64_t now = (int64_t)time(NULL);

	*handled = 0;
	d->waiting = 0;
	if (rg_spool_list(&ids, &n, d->spool, a, &err) < 0) {
		logline("%s", err.msg);
		d->io_error = true;
		goto out;
	}
	jobs = rg_arena_calloc(a, n ? n : 1, sizeof(*jobs));
	keys = rg_arena_calloc(a, n ? n : 1, sizeof(*keys));
	ok = rg_arena_calloc(a, n ? n : 1, sizeof(*ok));
	for (i = 0; i < n; i++) {
		int ret = rg_spool_load(&jobs[i], d->spool, ids[i], a, &err);

		if (ret == RG_ENOTFOUND)
			continue;
		if (ret < 0) {
			logline("%s: moved to failed/: unreadable job: %s",
				ids[i], err.msg);
			d->failed++;
			if (rg_spool_fail(d->spool, ids[i], NULL, err.msg,
					  &err) < 0)
				d->io_error = true;
			continue;
		}
		ok[i] = true;
		keys[i] =
		    job_key(a, &jobs[i],
			    jobs[i].project ? jobs[i].project : d->project);
	}
	for (i = 0; i < n; i++) {
		const char *proj;

		if (!ok[i])
			continue;
		for (k = i + 1; k < n; k++)
			if (ok[k] && !strcmp(keys[i], keys[k]))
				break;
		if (k < n) {
			logline("%s: superseded by %s, not sent", ids[i],
				ids[k]);
			d->superseded++;
			if (rg_spool_remove(d->spool, ids[i], &err) < 0)
				d->io_error = true;
			continue;
		}
		if (was_seen(d, ids[i]))
			continue;
		if (jobs[i].next_attempt > now && !d->retry_now) {
			d->waiting++;
			continue;
		}
		proj = jobs[i].project ? jobs[i].project : d->project;
		if (!proj) {
			logline("%s: moved to failed/: no project in the job "
				"and none configured",
				ids[i]);
			d->failed++;
			rg_spool_fail(d->spool, ids[i], &jobs[i],
				      "no project configured", &err);
			continue;
		}
		handle(d, a, &jobs[i], proj, now);
		RG_ALLOC_GROW(d->seen, d->nseen + 1, d->seen_alloc);
		d->seen[d->nseen++] = rg_xstrdup(ids[i]);
		(*handled)++;
	}
out:
	rg_arena_free(a);
}

static int run(struct drain *d)
{
	struct rg_err err = RG_ERR_INIT;
	int fd = -1, ret = 0;

	for (;;) {
		size_t handled = 0, passes = 0;

		ret = rg_spool_lock(&fd, d->spool, d->wait_s * 1000, &err);
		if (ret == RG_EEXISTS) {
			logline("another drainer is running; it will deliver "
				"the jobs");
			ret = 0;
			if (d->once)
				return 0;
		} else if (ret < 0) {
			logline("%s", err.msg);
			return 1;
		} else {
			size_t stale = 0;

			/* leftovers of writers that crashed mid-write */
			if (rg_spool_clean_tmp(&stale, d->spool,
					       (int64_t)time(NULL), 3600,
					       &err) == 0 &&
			    stale)
				logline("removed %zu stale temporary files",
					stale);
			do
				pass(d, &handled);
			while (handled && ++passes < MAX_PASSES);
			rg_spool_unlock(fd);
			fd = -1;
		}
		if (d->once)
			break;
		sleep(d->interval_s ? d->interval_s
				    : 1); /* never a busy loop */
	}
	printf("drain: %zu delivered, %zu requeued, %zu failed, %zu waiting, "
	       "%zu superseded, %zu dropped\n",
	       d->delivered, d->requeued, d->failed, d->waiting, d->superseded,
	       d->dropped);
	fflush(stdout);
	return d->failed || d->io_error ? 1 : 0;
}

int rg_drain_enqueue(const struct rg_drain_post *p, struct rg_arena *a,
		     struct rg_err *err)
{
	static const char *const states[] = {"pending", "success", "failed"};
	struct rg_spool_job j;
	int ret = 0;

	if (p->status &&
	    (!p->head_sha || (unsigned)p->state > RG_FORGE_FAILED)) {
		ret = rg_err_set(
		    err, RG_EINVALID, NULL,
		    "drain: a status needs the head commit and a state");
		goto out;
	}
	if (p->report) {
		struct rg_mdreport r = *p->report;
		const char *body = NULL, *html = NULL;

		r.limit = p->comment_limit ? p->comment_limit
					   : rg_mdreport_limit(p->kind);
		if (!r.marker)
			r.marker = p->merged ? RG_FORGE_MARKER_MERGED
					     : RG_FORGE_MARKER_DEFAULT;
		/* room for the link to the full report when the body is cut */
		if (r.limit >= 4 * RG_MDREPORT_LINK_RESERVE)
			r.link_reserve = RG_MDREPORT_LINK_RESERVE;
		ret = rg_mdreport_render(&body, NULL, &r, a, err);
		if (ret < 0)
			goto out;
		if (rg_mdreport_is_cut(body) &&
		    rg_htmlreport_render(&html, NULL, &r, 0, a, NULL) < 0)
			body =
			    rg_mdreport_link_full(a, body, NULL,
						  "the full report is over "
						  "RG_CAP_REPORT_HTML_BYTES");
		memset(&j, 0, sizeof(j));
		j.kind = RG_SPOOL_COMMENT;
		j.project = p->project;
		j.mr = p->mr;
		j.source_branch = p->source_branch;
		j.target_branch = p->target_branch;
		j.merged = p->merged;
		j.sha = p->head_sha;
		j.marker = r.marker;
		j.body = body;
		j.report_html = html;
		ret = rg_spool_write(NULL, p->spool, a, &j, err);
		if (ret < 0)
			goto out;
	}
	if (p->status) {
		memset(&j, 0, sizeof(j));
		j.kind = RG_SPOOL_STATUS;
		j.project = p->project;
		j.sha = p->head_sha;
		j.state = states[p->state];
		j.description = p->description;
		j.target_url = p->target_url;
		ret = rg_spool_write(NULL, p->spool, a, &j, err);
	}
out:
	return ret;
}

/* Open <spool>/drain.log for appending, rotating it past 1 MiB. */
static int open_log(const char *spool)
{
	char path[4096], old[4096 + 2];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/drain.log", spool);
	snprintf(old, sizeof(old), "%s.1", path);
	if (stat(path, &st) == 0 && st.st_size > 1024 * 1024)
		rename(path, old);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		  0640);
	if (fd < 0)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	return fd;
}

int rg_drain_start_detached(const char *exe, const char *config,
			    const char *spool, struct rg_err *err)
{
	char *argv[8];
	int argc = 0, st = 0;
	pid_t pid;

	argv[argc++] = (char *)(uintptr_t) "rendergate";
	argv[argc++] = (char *)(uintptr_t) "drain";
	argv[argc++] = (char *)(uintptr_t) "--once";
	if (config) {
		argv[argc++] = (char *)(uintptr_t) "--config";
		argv[argc++] = (char *)(uintptr_t)config;
	}
	argv[argc++] = (char *)(uintptr_t) "--spool";
	argv[argc++] = (char *)(uintptr_t)spool;
	argv[argc] = NULL;
	if (!exe)
		exe = "/proc/self/exe";
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return rg_err_set(err, RG_EIO, NULL,
				  "cannot start the drainer: %s",
				  strerror(errno));
	if (pid == 0) {
		int in, log;

		/* the child only forks the drainer, so the hook can reap it now
		 */
		setsid();
		if (fork() != 0)
			_exit(0);
		in = open("/dev/null", O_RDWR);
		log = open_log(spool);
		if (in >= 0) {
			dup2(in, 0);
			dup2(in, 1);
		}
		if (log >= 0)
			dup2(log, 2);
		execv(exe, argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return 0;
}

int rg_cmd_drain(int argc, char **argv)
{
	struct drain d;
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	bool kind_given;
	size_t i;
	int ret = 0, rc = 2;

	memset(&d, 0, sizeof(d));
	d.wait_s = 10;
	d.interval_s = 30;
	ret = parse_args(&d, argc, argv);
	if (ret == 1) {
		usage(stdout);
		rc = 0;
		goto out;
	}
	if (ret < 0) {
		usage(stderr);
		goto out;
	}
	kind_given = d.kind != RG_FORGE_NONE;
	if (apply_config(&d, a, kind_given) < 0)
		goto out;
	if (!d.spool)
		d.spool = RG_DRAIN_SPOOL_DEFAULT;
	if (d.kind == RG_FORGE_NONE || !d.url) {
		logline("no forge configured (forge.kind and forge.url in the "
			"server config, or --forge and --url)");
		goto out;
	}
	if (d.token_file &&
	    rg_forge_token_read(&d.token, d.token_file, &err) < 0) {
		logline("%s", err.msg);
		goto out;
	}
	if (rg_http_url_check(d.url, &err) < 0) {
		logline("%s", err.msg);
		goto out;
	}
	rc = run(&d);
out:
	for (i = 0; i < d.nforges; i++) {
		free(d.forges[i].project);
		rg_forge_free(d.forges[i].forge);
	}
	free(d.forges);
	for (i = 0; i < d.nseen; i++)
		free(d.seen[i]);
	free(d.seen);
	rg_forge_token_free(d.token);
	rg_arena_free(a);
	return rc;
}
