/*
 * test-spool.c - spool jobs: JSON round trip and validation, crash-safe
 * files, listing order, requeue with backoff, failed/, the drainer lock.
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/spool.h"

#include "test.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char *newdir(void)
{
	char *d = rg_xstrdup("/tmp/rg-test-spool-XXXXXX");

	if (!mkdtemp(d))
		RG_BUG("mkdtemp failed");
	return d;
}

static void rmdir_all(char *d)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", d);
	free(d);
}

static size_t count_entries(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, prefix, strlen(prefix)))
			n++;
	closedir(d);
	return n;
}

static struct rg_spool_job comment_job(void)
{
	struct rg_spool_job j;

	memset(&j, 0, sizeof(j));
	j.kind = RG_SPOOL_COMMENT;
	j.project = "group/app";
	j.source_branch = "feature/x";
	j.target_branch = "main";
	j.body = "<!-- rendergate:report -->\n### diff \"quoted\" \xc3\xa9\n";
	return j;
}

TEST(job_json_round_trip)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_spool_job j = comment_job(), k;
	struct rg_err err = RG_ERR_INIT;
	char *json;

	j.created = 1763713312;
	j.attempts = 3;
	j.next_attempt = 1763713999;
	j.last_error = "HTTP 503";
	j.marker = "<!-- rendergate:report -->";
	json = rg_spool_job_json(&j);
	CHECK(strstr(json, "\"kind\": \"comment\""));
	CHECK_INT(rg_spool_job_parse(&k, a, json, strlen(json), &err), 0);
	free(json);
	CHECK_INT(k.kind, RG_SPOOL_COMMENT);
	CHECK_STR(k.project, "group/app");
	CHECK_STR(k.source_branch, "feature/x");
	CHECK_STR(k.target_branch, "main");
	CHECK_STR(k.body, j.body);
	CHECK_STR(k.marker, j.marker);
	CHECK_STR(k.last_error, "HTTP 503");
	CHECK_INT(k.created, 1763713312);
	CHECK_INT(k.attempts, 3);
	CHECK_INT(k.next_attempt, 1763713999);
	CHECK_INT(k.mr, 0);
	CHECK(!k.merged);
	rg_arena_free(a);
}

TEST(status_job_round_trip)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_spool_job j, k;
	char *json;

	memset(&j, 0, sizeof(j));
	j.kind = RG_SPOOL_STATUS;
	j.sha = "0123456789abcdef0123456789abcdef01234567";
	j.state = "failed";
	j.description = "2 findings in prod-eu";
	j.target_url = "https://ci.example/r/1";
	json = rg_spool_job_json(&j);
	CHECK_INT(rg_spool_job_parse(&k, a, json, strlen(json), NULL), 0);
	free(json);
	CHECK_INT(k.kind, RG_SPOOL_STATUS);
	CHECK_STR(k.sha, j.sha);
	CHECK_STR(k.state, "failed");
	CHECK_STR(k.description, j.description);
	CHECK_STR(k.target_url, j.target_url);
	rg_arena_free(a);
}

TEST(job_validation)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_spool_job k;
	struct rg_err err = RG_ERR_INIT;
	static const struct {
		const char *json;
		int code;
	} cases[] = {
		{ "{", RG_EPARSE },
		{ "[]", RG_EPARSE },
		{ "{\"v\":1,\"kind\":\"comment\",\"mr\":\"12\",\"body\":\"x\"}", RG_EPARSE },
		{ "{\"v\":1,\"kind\":\"comment\",\"mr\":1,\"body\":7}", RG_EPARSE },
		{ "{\"v\":1,\"kind\":\"comment\",\"mr\":1,\"body\":\"x\",\"merged\":1}", RG_EPARSE },
		{ "{\"v\":1,\"kind\":\"comment\",\"mr\":1,\"mr\":2,\"body\":\"x\"}", RG_EPARSE },
		{ "{\"v\":2,\"kind\":\"comment\",\"mr\":1,\"body\":\"x\"}", RG_EINVALID },
		{ "{\"v\":1,\"kind\":\"note\",\"mr\":1,\"body\":\"x\"}", RG_EINVALID },
		{ "{\"v\":1,\"kind\":\"comment\",\"mr\":1}", RG_EINVALID },
		{ "{\"v\":1,\"kind\":\"comment\",\"body\":\"x\"}", RG_EINVALID },
		{ "{\"v\":1,\"kind\":\"comment\",\"merged\":true,\"sha\":\"zz\",\"body\":\"x\"}", RG_EINVALID },
		{ "{\"v\":1,\"kind\":\"comment\",\"mr\":-3,\"body\":\"x\"}", RG_EINVALID },
		{ "{\"v\":1,\"kind\":\"status\",\"sha\":\"abcdef1\",\"state\":\"running\"}", RG_EINVALID },
		{ "{\"v\":1,\"kind\":\"status\",\"sha\":\"main\",\"state\":\"success\"}", RG_EINVALID },
		{ "{\"v\":1,\"kind\":\"status\",\"sha\":\"abcdef1\",\"state\":\"success\",\"attempts\":-1}", RG_EINVALID },
		{ "{\"v\":1,\"kind\":\"status\",\"sha\":\"abcdef1\",\"state\":\"success\"}", 0 },
		{ "{\"v\":1,\"kind\":\"comment\",\"merged\":true,\"sha\":\"abcdef1\",\"body\":\"x\"}", 0 },
	};
	size_t i;

	for (i = 0; i < RG_ARRAY_SIZE(cases); i++) {
		int got = rg_spool_job_parse(&k, a, cases[i].json, strlen(cases[i].json), &err);

		if (got != cases[i].code)
			FAILF("case %zu (%s): got %d, want %d (%s)", i, cases[i].json, got,
			      cases[i].code, err.msg);
	}
	rg_arena_free(a);
}

TEST(write_is_atomic_private_and_listed_in_order)
{
	struct rg_arena *a = rg_arena_new();
	char *dir = newdir();
	char *spool = rg_arena_printf(a, "%s/spool", dir);
	struct rg_spool_job j = comment_job(), k;
	const char *ids[20], **list = NULL;
	size_t n = 0, i;
	struct stat st;

	for (i = 0; i < 20; i++)
		CHECK_INT(rg_spool_write(&ids[i], spool, a, &j, NULL), 0);
	/* a stray temporary file and a non-job file are not jobs */
	CHECK(fclose(fopen(rg_arena_printf(a, "%s/.tmp-x-123456", spool), "w")) == 0);
	CHECK(fclose(fopen(rg_arena_printf(a, "%s/notes.txt", spool), "w")) == 0);
	CHECK_INT(rg_spool_list(&list, &n, spool, a, NULL), 0);
	CHECK_INT(n, 20);
	for (i = 0; i < 20; i++)
		CHECK_STR(list[i], ids[i]); /* creation order */
	for (i = 1; i < 20; i++)
		CHECK(strcmp(ids[i - 1], ids[i]) < 0);
	CHECK_INT(count_entries(spool, ".tmp-"), 1);
	CHECK_INT(stat(rg_arena_printf(a, "%s/%s.json", spool, ids[0]), &st), 0);
	CHECK_INT(st.st_mode & 0777, 0640);
	CHECK_INT(rg_spool_load(&k, spool, ids[3], a, NULL), 0);
	CHECK_STR(k.id, ids[3]);
	CHECK(k.created >= (int64_t)time(NULL) - 600);
	CHECK_INT(rg_spool_remove(spool, ids[3], NULL), 0);
	CHECK_INT(rg_spool_remove(spool, ids[3], NULL), 0); /* gone is fine */
	CHECK_INT(rg_spool_load(&k, spool, ids[3], a, NULL), RG_ENOTFOUND);
	/* a bad job is refused before anything is written */
	j.body = NULL;
	CHECK_INT(rg_spool_write(NULL, spool, a, &j, NULL), RG_EINVALID);
	CHECK_INT(rg_spool_list(&list, &n, spool, a, NULL), 0);
	CHECK_INT(n, 19);
	/* a missing spool is an empty one */
	CHECK_INT(rg_spool_list(&list, &n, rg_arena_printf(a, "%s/none", dir), a, NULL), 0);
	CHECK_INT(n, 0);
	rmdir_all(dir);
	rg_arena_free(a);
}

TEST(requeue_backoff_then_failed)
{
	struct rg_arena *a = rg_arena_new();
	char *dir = newdir();
	struct rg_spool_job j = comment_job(), k;
	const char *id = NULL;
	bool moved = true;
	int64_t now = 1800000000;

	CHECK_INT(rg_spool_write(&id, dir, a, &j, NULL), 0);
	CHECK_INT(rg_spool_load(&k, dir, id, a, NULL), 0);
	CHECK_INT(rg_spool_requeue(&moved, dir, &k, now, "HTTP 503", 4, NULL), 0);
	CHECK(!moved);
	CHECK_INT(rg_spool_load(&k, dir, id, a, NULL), 0);
	CHECK_INT(k.attempts, 1);
	CHECK_STR(k.last_error, "HTTP 503");
	CHECK(k.next_attempt >= now + 52 && k.next_attempt <= now + 68);
	CHECK_INT(rg_spool_requeue(&moved, dir, &k, now, "HTTP 502", 4, NULL), 0);
	CHECK_INT(rg_spool_load(&k, dir, id, a, NULL), 0);
	CHECK(k.next_attempt >= now + 105 && k.next_attempt <= now + 135);
	CHECK_INT(rg_spool_requeue(&moved, dir, &k, now, "timeout", 4, NULL), 0);
	CHECK(!moved);
	CHECK_INT(rg_spool_load(&k, dir, id, a, NULL), 0);
	CHECK_INT(rg_spool_requeue(&moved, dir, &k, now, "HTTP 500 again", 4, NULL), 0);
	CHECK(moved);
	CHECK_INT(rg_spool_load(&k, dir, id, a, NULL), RG_ENOTFOUND);
	CHECK_INT(rg_spool_load(&k, rg_arena_printf(a, "%s/failed", dir), id, a, NULL), 0);
	CHECK_INT(k.attempts, 4);
	CHECK_STR(k.last_error, "HTTP 500 again");
	CHECK_STR(k.body, j.body);
	/* the backoff never passes its cap */
	CHECK_INT(rg_spool_write(&id, dir, a, &j, NULL), 0);
	CHECK_INT(rg_spool_load(&k, dir, id, a, NULL), 0);
	k.attempts = 40;
	CHECK_INT(rg_spool_requeue(&moved, dir, &k, now, "x", 1000, NULL), 0);
	CHECK(k.next_attempt <= now + (int64_t)RG_CAP_SPOOL_BACKOFF_S_MAX * 5 / 4);
	CHECK(k.next_attempt >= now + (int64_t)RG_CAP_SPOOL_BACKOFF_S_MAX / 2);
	rmdir_all(dir);
	rg_arena_free(a);
}

TEST(unreadable_jobs_are_moved_aside_as_they_are)
{
	struct rg_arena *a = rg_arena_new();
	char *dir = newdir();
	struct rg_spool_job k;
	struct rg_err err = RG_ERR_INIT;
	FILE *f = fopen(rg_arena_printf(a, "%s/20260101T000000.1-1-0000.json", dir), "w");
	const char **list = NULL;
	size_t n = 0;

	CHECK(f);
	fputs("{not json", f);
	fclose(f);
	CHECK_INT(rg_spool_load(&k, dir, "20260101T000000.1-1-0000", a, &err), RG_EPARSE);
	CHECK_INT(rg_spool_fail(dir, "20260101T000000.1-1-0000", NULL, err.msg, NULL), 0);
	CHECK_INT(rg_spool_list(&list, &n, dir, a, NULL), 0);
	CHECK_INT(n, 0);
	CHECK_INT(rg_spool_list(&list, &n, rg_arena_printf(a, "%s/failed", dir), a, NULL), 0);
	CHECK_INT(n, 1);
	rmdir_all(dir);
	rg_arena_free(a);
}

TEST(oversized_job_file_is_a_limit_error)
{
	struct rg_arena *a = rg_arena_new();
	char *dir = newdir();
	struct rg_spool_job k;
	FILE *f = fopen(rg_arena_printf(a, "%s/big.json", dir), "w");
	size_t i;

	CHECK(f);
	for (i = 0; i < RG_CAP_SPOOL_JOB_BYTES / 1000 + 2; i++)
		fprintf(f, "%1000s", " ");
	fclose(f);
	CHECK_INT(rg_spool_load(&k, dir, "big", a, NULL), RG_ELIMIT);
	rmdir_all(dir);
	rg_arena_free(a);
}

TEST(stale_temporary_files_are_cleaned)
{
	struct rg_arena *a = rg_arena_new();
	char *dir = newdir();
	char *old = rg_arena_printf(a, "%s/.tmp-old-AAAAAA", dir);
	char *fresh = rg_arena_printf(a, "%s/.tmp-new-BBBBBB", dir);
	struct timespec ts[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	size_t removed = 9;

	CHECK(fclose(fopen(old, "w")) == 0);
	CHECK(fclose(fopen(fresh, "w")) == 0);
	CHECK_INT(utimensat(AT_FDCWD, old, ts, 0), 0);
	CHECK_INT(rg_spool_clean_tmp(&removed, dir, (int64_t)time(NULL), 3600, NULL), 0);
	CHECK_INT(removed, 1);
	CHECK(access(old, F_OK) < 0);
	CHECK_INT(access(fresh, F_OK), 0);
	CHECK_INT(rg_spool_clean_tmp(&removed, rg_arena_printf(a, "%s/none", dir), 0, 1, NULL), 0);
	CHECK_INT(removed, 0);
	rmdir_all(dir);
	rg_arena_free(a);
}

TEST(lock_excludes_a_second_drainer)
{
	char *dir = newdir();
	struct rg_err err = RG_ERR_INIT;
	int fd1 = -1, fd2 = -1;

	CHECK_INT(rg_spool_lock(&fd1, dir, 0, &err), 0);
	CHECK(fd1 >= 0);
	CHECK_INT(rg_spool_lock(&fd2, dir, 300, &err), RG_EEXISTS);
	CHECK(fd2 < 0);
	CHECK(strstr(err.msg, "another drainer"));
	rg_spool_unlock(fd1);
	CHECK_INT(rg_spool_lock(&fd2, dir, 0, &err), 0);
	rg_spool_unlock(fd2);
	rmdir_all(dir);
}

TEST(full_report_and_its_upload_are_kept_and_saved_in_place)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_spool_job j = comment_job(), k;
	struct rg_err err = RG_ERR_INIT;
	const char *id = NULL, **ids = NULL;
	char *dir = newdir();
	size_t n = 0;

	j.report_html = "<!DOCTYPE html>\n<p class=\"x\">\xc3\xa9 &amp;</p>\n";
	CHECK_INT(rg_spool_write(&id, dir, a, &j, &err), 0);
	CHECK_INT(rg_spool_load(&k, dir, id, a, &err), 0);
	CHECK_STR(k.report_html, j.report_html);
	CHECK(k.upload_url == NULL);
	/* the drainer remembers its upload under the same id */
	k.upload_url = "/uploads/abc/rendergate-report-0123456789ab.html";
	CHECK_INT(rg_spool_save(dir, &k, &err), 0);
	CHECK_INT(rg_spool_list(&ids, &n, dir, a, &err), 0);
	CHECK_INT(n, 1);
	CHECK_STR(ids[0], id);
	CHECK_INT(count_entries(dir, ".tmp-"), 0);
	memset(&j, 0, sizeof(j));
	CHECK_INT(rg_spool_load(&j, dir, id, a, &err), 0);
	CHECK_STR(j.upload_url, k.upload_url);
	CHECK_STR(j.report_html, k.report_html);
	CHECK_STR(j.body, k.body);
	/* a job without an id cannot be saved; an invalid one neither */
	j.id = NULL;
	CHECK_INT(rg_spool_save(dir, &j, &err), RG_EINVALID);
	j.id = id;
	j.body = NULL;
	CHECK_INT(rg_spool_save(dir, &j, &err), RG_EINVALID);
	rmdir_all(dir);
	rg_arena_free(a);
}
