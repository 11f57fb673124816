/*
 * spool.c - delivery jobs as crash-safe JSON files (see spool.h).
 */
#include "rendergate/compat.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/fsutil.h"
#include "rendergate/hash.h"
#include "rendergate/spool.h"

#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define JOB_VERSION 1

static bool is_hex(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n >= 7 && n <= 64 && strspn(s, "0123456789abcdef") == n;
}

static bool valid_state(const char *s)
{
	return s && (!strcmp(s, "pending") || !strcmp(s, "success") ||
		     !strcmp(s, "failed"));
}

int rg_spool_job_check(const struct rg_spool_job *job, struct rg_err *err)
{
	if (job->kind == RG_SPOOL_COMMENT) {
		if (!job->body)
			return rg_err_set(err, RG_EINVALID, NULL,
					  "spool: comment job without a body");
		if (job->mr <= 0 &&
		    !(job->source_branch && *job->source_branch) &&
		    !(job->merged && is_hex(job->sha)))
			return rg_err_set(
			    err, RG_EINVALID, NULL,
			    "spool: comment job names no merge request (mr, "
			    "source_branch, or merged sha)");
		if (job->mr < 0)
			return rg_err_set(
			    err, RG_EINVALID, NULL,
			    "spool: negative merge request number");
		return 0;
	}
	if (job->kind == RG_SPOOL_STATUS) {
		if (!is_hex(job->sha))
			return rg_err_set(
			    err, RG_EINVALID, NULL,
			    "spool: status job without a hex commit id");
		if (!valid_state(job->state))
			return rg_err_set(err, RG_EINVALID, NULL,
					  "spool: status state must be "
					  "pending, success or failed");
		return 0;
	}
	return rg_err_set(err, RG_EINVALID, NULL, "spool: unknown job kind");
}

static void set_str(json_t *o, const char *key, const char *v)
{
	if (v)
		json_object_set_new(o, key, json_string(v));
}

char *rg_spool_job_json(const struct rg_spool_job *job)
{
	json_t *o = json_object();
	char *s;

	json_object_set_new(o, "v", json_integer(JOB_VERSION));
	json_object_set_new(
	    o, "kind",
	    json_string(job->kind == RG_SPOOL_STATUS ? "status" : "comment"));
	set_str(o, "project", job->project);
	if (job->mr > 0)
		json_object_set_new(o, "mr", json_integer(job->mr));
	set_str(o, "source_branch", job->source_branch);
	set_str(o, "target_branch", job->target_branch);
	set_str(o, "sha", job->sha);
	if (job->merged)
		json_object_set_new(o, "merged", json_true());
	set_str(o, "marker", job->marker);
	set_str(o, "body", job->body);
	set_str(o, "state", job->state);
	set_str(o, "description", job->description);
	set_str(o, "target_url", job->target_url);
	set_str(o, "report_html", job->report_html);
	set_str(o, "upload_url", job->upload_url);
	json_object_set_new(o, "created", json_integer(job->created));
	json_object_set_new(o, "attempts", json_integer(job->attempts));
	json_object_set_new(o, "next_attempt", json_integer(job->next_attempt));
	set_str(o, "last_error", job->last_error);
	s = json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!s)
		RG_BUG("cannot encode a spool job (invalid UTF-8 in a field?)");
	return s;
}

static int get_str(const char **out, struct rg_arena *a, json_t *o,
		   const char *key, struct rg_err *err)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return rg_err_set(err, RG_EPARSE, NULL,
				  "spool: \"%s\" must be a string", key);
	*out = rg_arena_strndup(a, json_string_value(v), json_string_length(v));
	return 0;
}

static int get_int(long long *out, json_t *o, const char *key,
		   struct rg_err *err)
{
	json_t *v = json_object_get(o, key);

	*out = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return rg_err_set(err, RG_EPARSE, NULL,
				  "spool: \"%s\" must be an integer", key);
	*out = (long long)json_integer_value(v);
	return 0;
}

int rg_spool_job_parse(struct rg_spool_job *out, struct rg_arena *a,
		       const char *json, size_t len, struct rg_err *err)
{
	json_error_t je;
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
	const char *kind = NULL;
	long long v = 0, created = 0, attempts = 0, next = 0;
	json_t *merged;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (!root) {
		ret = rg_err_set(err, RG_EPARSE, NULL,
				 "spool: bad JSON at line %d: %s", je.line,
				 je.text);
		goto out;
	}
	if (!json_is_object(root)) {
		ret = rg_err_set(err, RG_EPARSE, NULL,
				 "spool: a job is a JSON object");
		goto out;
	}
	ret = get_int(&v, root, "v", err);
	if (!ret)
		ret = get_str(&kind, a, root, "kind", err);
	if (!ret)
		ret = get_str(&out->project, a, root, "project", err);
	if (!ret)
		ret = get_int(&out->mr, root, "mr", err);
	if (!ret)
		ret =
		    get_str(&out->source_branch, a, root, "source_branch", err);
	if (!ret)
		ret =
		    get_str(&out->target_branch, a, root, "target_branch", err);
	if (!ret)
		ret = get_str(&out->sha, a, root, "sha", err);
	if (!ret)
		ret = get_str(&out->marker, a, root, "marker", err);
	if (!ret)
		ret = get_str(&out->body, a, root, "body", err);
	if (!ret)
		ret = get_str(&out->state, a, root, "state", err);
	if (!ret)
		ret = get_str(&out->description, a, root, "description", err);
	if (!ret)
		ret = get_str(&out->target_url, a, root, "target_url", err);
	if (!ret)
		ret = get_str(&out->report_html, a, root, "report_html", err);
	if (!ret)
		ret = get_str(&out->upload_url, a, root, "upload_url", err);
	if (!ret)
		ret = get_int(&created, root, "created", err);
	if (!ret)
		ret = get_int(&attempts, root, "attempts", err);
	if (!ret)
		ret = get_int(&next, root, "next_attempt", err);
	if (!ret)
		ret = get_str(&out->last_error, a, root, "last_error", err);
	if (ret < 0)
		goto out;
	merged = json_object_get(root, "merged");
	if (merged && !json_is_boolean(merged)) {
		ret = rg_err_set(err, RG_EPARSE, NULL,
				 "spool: \"merged\" must be true or false");
		goto out;
	}
	out->merged = json_is_true(merged);
	if (v != JOB_VERSION) {
		ret = rg_err_set(err, RG_EINVALID, NULL,
				 "spool: unknown job version %lld", v);
		goto out;
	}
	if (!kind || (strcmp(kind, "comment") && strcmp(kind, "status"))) {
		ret = rg_err_set(err, RG_EINVALID, NULL,
				 "spool: kind must be comment or status");
		goto out;
	}
	out->kind =
	    !strcmp(kind, "status") ? RG_SPOOL_STATUS : RG_SPOOL_COMMENT;
	if (attempts < 0 || attempts > 1000000) {
		ret = rg_err_set(err, RG_EINVALID, NULL,
				 "spool: bad attempts count");
		goto out;
	}
	out->created = created;
	out->attempts = (unsigned)attempts;
	out->next_attempt = next;
	ret = rg_spool_job_check(out, err);
out:
	json_decref(root);
	return ret;
}

/* --- files ----------------------------------------------------------- */

static char *path2(struct rg_arena *a, const char *dir, const char *name,
		   const char *ext)
{
	return rg_arena_printf(a, "%s/%s%s", dir, name, ext);
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -1;
	if (fsync(fd) < 0 && errno != EINVAL)
		ret = -1;
	close(fd);
	return ret;
}

static int ensure_dir(const char *dir, struct rg_err *err)
{
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return rg_err_set(err, RG_EIO, NULL,
				  "spool: cannot create %s: %s", dir,
				  strerror(errno));
	return 0;
}

/*
 * Write data through an unnamed file (rg_fs_write_unnamed): a new job
 * appears whole or not at all; a rewrite is linked under a .tmp- name and
 * renamed over the job. 1 when the system cannot, 0 or RG_EIO.
 */
static int write_unnamed(const char *dir, const char *name, const char *final,
			 const char *data, struct rg_err *err)
{
	static unsigned counter;
	struct rg_arena *a = rg_arena_new();
	char *tmp = rg_arena_printf(a, "%s/.tmp-%s-%ld-%u", dir, name,
				    (long)getpid(), ++counter);
	struct rg_err e = RG_ERR_INIT;
	int ret =
	    rg_fs_write_unnamed(dir, final, tmp, data, strlen(data), 0640, &e);

	if (ret < 0)
		ret = rg_err_set(err, ret, NULL, "spool: %s", e.msg);
	rg_arena_free(a);
	return ret;
}

/* The same through a named temporary file: write, fsync, rename. */
static int write_named(const char *dir, const char *name, const char *final,
		       const char *data, struct rg_err *err)
{
	struct rg_arena *a = rg_arena_new();
	char *tmp = rg_arena_printf(a, "%s/.tmp-%s-XXXXXX", dir, name);
	int fd = mkostemp(tmp, O_CLOEXEC), ret = 0;

	if (fd < 0) {
		ret = rg_err_set(err, RG_EIO, NULL,
				 "spool: cannot create a file in %s: %s", dir,
				 strerror(errno));
		tmp = NULL;
		goto out;
	}
	if (rg_fs_write_all(fd, data, strlen(data)) < 0) {
		ret = rg_err_set(err, RG_EIO, NULL, "spool: writing %s: %s",
				 tmp, strerror(errno));
		goto out;
	}
	if (fchmod(fd, 0640) < 0 || fsync(fd) < 0) {
		ret = rg_err_set(err, RG_EIO, NULL, "spool: syncing %s: %s",
				 tmp, strerror(errno));
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		ret = rg_err_set(err, RG_EIO, NULL, "spool: closing %s: %s",
				 tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, final) < 0)
		ret = rg_err_set(err, RG_EIO, NULL, "spool: renaming to %s: %s",
				 final, strerror(errno));
	else
		tmp = NULL;
out:
	if (fd >= 0)
		close(fd);
	if (tmp)
		unlink(tmp);
	rg_arena_free(a);
	return ret;
}

/*
 * Write data to dir/<name>.json atomically, through an unnamed file where
 * the system has them, else a named temporary file (a writer killed
 * mid-way then leaves it for rg_spool_clean_tmp); then fsync the
 * directory.
 */
static int write_atomic(const char *dir, const char *name, const char *data,
			struct rg_err *err)
{
	struct rg_arena *a = rg_arena_new();
	char *final = path2(a, dir, name, ".json");
	int ret = write_unnamed(dir, name, final, data, err);

	if (ret == 1)
		ret = write_named(dir, name, final, data, err);
	if (ret == 0 && fsync_dir(dir) < 0)
		ret = rg_err_set(err, RG_EIO, NULL,
				 "spool: syncing directory %s: %s", dir,
				 strerror(errno));
	rg_arena_free(a);
	return ret;
}

static const char *new_id(struct rg_arena *a)
{
	struct timespec ts;
	struct tm tm;
	char stamp[32];
	static unsigned counter;
	uint64_t h;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	/* pid and a per-process counter make two writers in one nanosecond
	 * differ */
	counter++;
	h = rg_fnv1a(RG_FNV1A_SEED, &ts, sizeof(ts));
	h = rg_fnv1a(h, &counter, sizeof(counter));
	return rg_arena_printf(a, "%s.%09ld-%ld-%04x", stamp, (long)ts.tv_nsec,
			       (long)getpid(), (unsigned)(h & 0xffff));
}

int rg_spool_write(const char **out_id, const char *dir, struct rg_arena *a,
		   const struct rg_spool_job *job, struct rg_err *err)
{
	struct rg_spool_job j = *job;
	char *json = NULL;
	const char *id;
	int ret;

	ret = rg_spool_job_check(job, err);
	if (ret < 0)
		goto out;
	ret = ensure_dir(dir, err);
	if (ret < 0)
		goto out;
	if (!j.created)
		j.created = (int64_t)time(NULL);
	id = new_id(a);
	j.id = id;
	json = rg_spool_job_json(&j);
	ret = write_atomic(dir, id, json, err);
	if (ret == 0 && out_id)
		*out_id = id;
out:
	free(json);
	return ret;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

int rg_spool_list(const char ***out, size_t *n, const char *dir,
		  struct rg_arena *a, struct rg_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	const char **ids = NULL;
	size_t nn = 0, alloc = 0;
	int ret = 0;

	*out = NULL;
	*n = 0;
	if (!d) {
		if (errno == ENOENT)
			return 0;
		return rg_err_set(err, RG_EIO, NULL,
				  "spool: cannot read %s: %s", dir,
				  strerror(errno));
	}
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (e->d_name[0] == '.' || l <= 5 ||
		    strcmp(e->d_name + l - 5, ".json"))
			continue;
		if (nn >= alloc) {
			size_t na = alloc ? alloc * 2 : 16;

			ids = rg_arena_grow(a, ids, nn, na, sizeof(*ids));
			alloc = na;
		}
		ids[nn++] = rg_arena_strndup(a, e->d_name, l - 5);
	}
	closedir(d);
	if (nn)
		qsort(ids, nn, sizeof(*ids), cmp_str);
	*out = ids;
	*n = nn > RG_CAP_SPOOL_JOBS ? RG_CAP_SPOOL_JOBS : nn;
	return ret;
}

static int read_file(char **out, size_t *len, const char *path,
		     struct rg_err *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, alloc = 0;
	int ret = 0;

	*out = NULL;
	if (!f) {
		if (errno == ENOENT)
			return RG_ENOTFOUND;
		return rg_err_set(err, RG_EIO, NULL,
				  "spool: cannot open %s: %s", path,
				  strerror(errno));
	}
	for (;;) {
		size_t r;

		RG_ALLOC_GROW(buf, n + 65536, alloc);
		r = fread(buf + n, 1, alloc - n, f);
		n += r;
		if (n > RG_CAP_SPOOL_JOB_BYTES) {
			ret = rg_err_set(err, RG_ELIMIT, NULL,
					 "spool: %s is larger than %u bytes "
					 "(RG_CAP_SPOOL_JOB_BYTES)",
					 path, RG_CAP_SPOOL_JOB_BYTES);
			goto out;
		}
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		ret = rg_err_set(err, RG_EIO, NULL, "spool: reading %s failed",
				 path);
		goto out;
	}
	*out = buf;
	*len = n;
	buf = NULL;
out:
	free(buf);
	fclose(f);
	return ret;
}

int rg_spool_load(struct rg_spool_job *out, const char *dir, const char *id,
		  struct rg_arena *a, struct rg_err *err)
{
	char *data = NULL;
	size_t len = 0;
	int ret = read_file(&data, &len, path2(a, dir, id, ".json"), err);

	if (ret == RG_ENOTFOUND)
		return rg_err_set(err, RG_ENOTFOUND, NULL,
				  "spool: job %s is gone", id);
	if (ret < 0)
		return ret;
	ret = rg_spool_job_parse(out, a, data, len, err);
	out->id = rg_arena_strdup(a, id);
	free(data);
	return ret;
}

int rg_spool_save(const char *dir, const struct rg_spool_job *job,
		  struct rg_err *err)
{
	char *json = NULL;
	int ret = rg_spool_job_check(job, err);

	if (ret == 0 && !job->id)
		ret = rg_err_set(err, RG_EINVALID, NULL,
				 "spool: saving a job that has no id");
	if (ret < 0)
		return ret;
	json = rg_spool_job_json(job);
	ret = write_atomic(dir, job->id, json, err);
	free(json);
	return ret;
}

int rg_spool_remove(const char *dir, const char *id, struct rg_err *err)
{
	struct rg_arena *a = rg_arena_new();
	int ret = 0;

	if (unlink(path2(a, dir, id, ".json")) < 0 && errno != ENOENT)
		ret = rg_err_set(err, RG_EIO, NULL,
				 "spool: cannot remove job %s: %s", id,
				 strerror(errno));
	else
		fsync_dir(dir);
	rg_arena_free(a);
	return ret;
}

int rg_spool_fail(const char *dir, const char *id, struct rg_spool_job *job,
		  const char *why, struct rg_err *err)
{
	struct rg_arena *a = rg_arena_new();
	char *fdir = rg_arena_printf(a, "%s/failed", dir);
	char *json = NULL;
	int ret = ensure_dir(fdir, err);

	if (ret < 0)
		goto out;
	if (!job) {
		/* unreadable: keep the bytes as they are for a human to look at
		 */
		if (rename(path2(a, dir, id, ".json"),
			   path2(a, fdir, id, ".json")) < 0 &&
		    errno != ENOENT)
			ret = rg_err_set(err, RG_EIO, NULL,
					 "spool: cannot move %s to failed/: %s",
					 id, strerror(errno));
		fsync_dir(fdir);
		fsync_dir(dir);
		goto out;
	}
	job->last_error = why;
	json = rg_spool_job_json(job);
	ret = write_atomic(fdir, id, json, err);
	if (ret == 0)
		ret = rg_spool_remove(dir, id, err);
out:
	free(json);
	rg_arena_free(a);
	return ret;
}

int rg_spool_requeue(bool *moved, const char *dir, struct rg_spool_job *job,
		     int64_t now, const char *why, unsigned max_attempts,
		     struct rg_err *err)
{
	uint64_t delay = 60, jitter;
	char *json = NULL;
	unsigned i;
	int ret;

	if (moved)
		*moved = false;
	job->attempts++;
	job->last_error = why;
	if (job->attempts >=
	    (max_attempts ? max_attempts : RG_CAP_SPOOL_ATTEMPTS)) {
		/* the failed job says why it was given up on */
		if (!max_attempts) {
			struct rg_buf b = RG_BUF_INIT(RG_CAP_SPOOL_JOB_BYTES);

			rg_buf_addf(&b,
				    "%s (gave up after %u attempts, "
				    "RG_CAP_SPOOL_ATTEMPTS)",
				    why ? why : "failed", job->attempts);
			json = rg_buf_detach(&b, NULL);
		}
		ret = rg_spool_fail(dir, job->id, job, json ? json : why, err);
		job->last_error = why;
		if (ret == 0 && moved)
			*moved = true;
		goto out;
	}
	for (i = 1; i < job->attempts && delay < RG_CAP_SPOOL_BACKOFF_S_MAX;
	     i++)
		delay *= 2;
	if (delay > RG_CAP_SPOOL_BACKOFF_S_MAX)
		delay = RG_CAP_SPOOL_BACKOFF_S_MAX;
	/* spread retries of jobs that failed together (one outage) */
	jitter =
	    rg_fnv1a(RG_FNV1A_SEED, job->id, strlen(job->id)) % (delay / 4 + 1);
	job->next_attempt = now + (int64_t)(delay - delay / 8 + jitter / 2);
	json = rg_spool_job_json(job);
	ret = write_atomic(dir, job->id, json, err);
out:
	free(json);
	return ret;
}

int rg_spool_clean_tmp(size_t *removed, const char *dir, int64_t now,
		       unsigned max_age_s, struct rg_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;
	int ret = 0;

	if (removed)
		*removed = 0;
	if (!d)
		return errno == ENOENT ? 0
				       : rg_err_set(err, RG_EIO, NULL,
						    "spool: cannot read %s: %s",
						    dir, strerror(errno));
	while ((e = readdir(d))) {
		struct stat st;

		if (strncmp(e->d_name, ".tmp-", 5))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if ((int64_t)st.st_mtime + (int64_t)max_age_s > now)
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) == 0)
			n++;
	}
	closedir(d);
	if (removed)
		*removed = n;
	return ret;
}

int rg_spool_lock(int *out_fd, const char *dir, unsigned wait_ms,
		  struct rg_err *err)
{
	struct rg_arena *a = rg_arena_new();
	char *path = rg_arena_printf(a, "%s/.lock", dir);
	unsigned waited = 0;
	int fd = -1, ret = 0;

	*out_fd = -1;
	ret = ensure_dir(dir, err);
	if (ret < 0)
		goto out;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0660);
	if (fd < 0) {
		ret = rg_err_set(err, RG_EIO, NULL, "spool: cannot open %s: %s",
				 path, strerror(errno));
		goto out;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		struct timespec ts = {0, 100 * 1000000L};

		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			ret = rg_err_set(err, RG_EIO, NULL,
					 "spool: cannot lock %s: %s", path,
					 strerror(errno));
			goto out;
		}
		if (waited >= wait_ms) {
			ret =
			    rg_err_set(err, RG_EEXISTS, NULL,
				       "spool: another drainer holds %s", path);
			goto out;
		}
		nanosleep(&ts, NULL);
		waited += 100;
	}
	*out_fd = fd;
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	rg_arena_free(a);
	return ret;
}

void rg_spool_unlock(int fd)
{
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}
