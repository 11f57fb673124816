/*
 * test-forge.c - HTTP client, forge clients and the drainer against the
 * loopback fake forge (tests/forge/server.py, started as a child process
 * once and reset before each test). Timing checks are loose on purpose:
 * the machine may be loaded.
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/drain.h"
#include "rendergate/forge.h"
#include "rendergate/http.h"
#include "rendergate/mdreport.h"
#include "rendergate/spool.h"

#include "test.h"

#include <jansson.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TOKEN "s3cret-test-token-4f9a"

static pid_t server_pid;
static char server_url[64];
static char tmpdir[] = "/tmp/rg-test-forge-XXXXXX";
static bool have_tmp;

static void stop_server(void)
{
	if (server_pid > 0) {
		int st;

		kill(server_pid, SIGTERM);
		waitpid(server_pid, &st, 0);
		server_pid = 0;
	}
	if (have_tmp) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
		have_tmp = false;
	}
}

static const char *tmp(const char *name)
{
	static char buf[8][256];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

/* Start server.py with extra arguments; returns its pid, port in *port. */
static pid_t spawn_server(const char *pf, const char *cert, const char *key,
			  unsigned *port)
{
	pid_t pid = fork();
	int i;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* a test that crashes must not leave the server behind */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (cert)
			execlp("python3", "python3", "tests/forge/server.py", "--port-file", pf,
			       "--token", TOKEN, "--max-seconds", "900", "--tls-cert", cert,
			       "--tls-key", key, (char *)NULL);
		else
			execlp("python3", "python3", "tests/forge/server.py", "--port-file", pf,
			       "--token", TOKEN, "--max-seconds", "900", (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 300; i++) { /* up to 30 s on a loaded machine */
		FILE *f = fopen(pf, "r");

		*port = 0;
		if (f) {
			if (fscanf(f, "%u", port) == 1 && *port) {
				fclose(f);
				return pid;
			}
			fclose(f);
		}
		usleep(100000);
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	return -1;
}

static int start_server(void)
{
	char pf[256];
	unsigned port = 0;

	if (server_pid > 0)
		return 0;
	if (!have_tmp) {
		if (!mkdtemp(tmpdir))
			return -1;
		have_tmp = true;
		atexit(stop_server);
	}
	snprintf(pf, sizeof(pf), "%s/port", tmpdir);
	server_pid = spawn_server(pf, NULL, NULL, &port);
	if (server_pid < 0)
		return -1;
	snprintf(server_url, sizeof(server_url), "http://127.0.0.1:%u", port);
	return 0;
}

/* A control call; returns the body (malloc) or NULL. */
static char *ctl(const char *method, const char *path, const char *body)
{
	struct rg_http_opts o = { 0 };
	struct rg_http *h = NULL;
	struct rg_http_resp r;
	struct rg_err err = RG_ERR_INIT;
	char url[256];
	struct rg_http_req req = { method, url, body, body ? strlen(body) : 0, NULL, true };
	char *out = NULL;

	snprintf(url, sizeof(url), "%s%s", server_url, path);
	o.deadline_ms = 20000;
	if (rg_http_new(&h, &o, &err) < 0)
		return NULL;
	if (rg_http_request(&r, h, &req, &err) == 0 && r.status == 200)
		out = rg_xstrdup(r.body.ptr);
	rg_http_resp_release(&r);
	rg_http_free(h);
	return out;
}

static int setup(const char *seed)
{
	char *r;

	if (start_server() < 0)
		return -1;
	r = ctl("POST", "/_ctl/reset", "{}");
	if (!r)
		return -1;
	free(r);
	if (seed) {
		r = ctl("POST", "/_ctl/seed", seed);
		if (!r)
			return -1;
		free(r);
	}
	return 0;
}

static int fault(const char *json)
{
	char *r = ctl("POST", "/_ctl/faults", json);

	free(r);
	return r ? 0 : -1;
}

/* Requests seen by the server, as a jansson array (decref it). */
static json_t *requests(void)
{
	char *r = ctl("GET", "/_ctl/requests", NULL);
	json_t *j = r ? json_loads(r, 0, NULL) : NULL;

	free(r);
	return j;
}

static size_t count_requests(const char *method, const char *path_part)
{
	json_t *all = requests(), *o;
	size_t i, n = 0;

	json_array_foreach(all, i, o) {
		const char *m = json_string_value(json_object_get(o, "method"));
		const char *p = json_string_value(json_object_get(o, "path"));

		if (m && p && !strcmp(m, method) && strstr(p, path_part))
			n++;
	}
	json_decref(all);
	return n;
}

static json_t *state(void)
{
	char *r = ctl("GET", "/_ctl/state", NULL);
	json_t *j = r ? json_loads(r, 0, NULL) : NULL;

	free(r);
	return j;
}

/* Collects log lines so tests can look for the token in them. */
static char logbuf[65536];
static size_t loglen;

static void log_cb(void *ctx, const char *line)
{
	size_t n = strlen(line);

	(void)ctx;
	if (loglen + n + 2 < sizeof(logbuf)) {
		memcpy(logbuf + loglen, line, n);
		loglen += n;
		logbuf[loglen++] = '\n';
		logbuf[loglen] = 0;
	}
}

static struct rg_forge *mkforge(enum rg_config_forge kind, const char *project,
				const char *token)
{
	struct rg_forge_opts o;
	struct rg_forge *f = NULL;
	struct rg_err err = RG_ERR_INIT;

	memset(&o, 0, sizeof(o));
	o.kind = kind;
	o.url = server_url;
	o.project = project;
	o.token = token;
	o.http.backoff_base_ms = 20;
	o.http.deadline_ms = 30000;
	o.http.log = log_cb;
	if (rg_forge_new(&f, &o, &err) < 0)
		fprintf(stderr, "  rg_forge_new: %s\n", err.msg);
	return f;
}

#define GL_SEED                                                                   \
	"{\"gitlab\": {\"group/app\": {\"id\": 42, \"mrs\": ["                    \
	"{\"iid\": 1, \"source_branch\": \"feat\", \"target_branch\": \"main\", " \
	"\"sha\": \"aaaa111\"},"                                                  \
	"{\"iid\": 2, \"source_branch\": \"other\", \"target_branch\": \"main\"}," \
	"{\"iid\": 3, \"source_branch\": \"feat\", \"target_branch\": \"main\", " \
	"\"state\": \"merged\", \"merge_commit_sha\": \"bbbb222\"},"              \
	"{\"iid\": 4, \"source_branch\": \"feat\", \"target_branch\": \"staging\"}]," \
	"\"approvals\": {\"1\": [\"alice\", \"bob\"]},"                           \
	"\"commit_mrs\": {\"bbbb222\": [1, 3]},"                                  \
	"\"notes\": {\"1\": [{\"body\": \"LGTM\", \"author\": \"alice\"},"        \
	"{\"body\": \"quoting <!-- rendergate:report --> here\", \"author\": \"bob\"}," \
	"{\"body\": \"<!-- rendergate:report --> system\", \"system\": true}]}}}}"

#define GT_SEED                                                                   \
	"{\"gitea\": {\"org/repo\": {\"id\": 7, \"pulls\": ["                     \
	"{\"number\": 5, \"head\": \"feat\", \"base\": \"main\", \"head_sha\": \"cccc333\"}," \
	"{\"number\": 6, \"head\": \"feat\", \"base\": \"main\", \"fork\": true}," \
	"{\"number\": 7, \"head\": \"x\", \"base\": \"main\"},"                   \
	"{\"number\": 8, \"head\": \"feat\", \"base\": \"main\", \"merged\": true, " \
	"\"merge_commit_sha\": \"dddd444\"}],"                                    \
	"\"reviews\": {\"5\": ["                                                   \
	"{\"id\": 1, \"user\": \"alice\", \"state\": \"APPROVED\"},"              \
	"{\"id\": 2, \"user\": \"bob\", \"state\": \"APPROVED\"},"                \
	"{\"id\": 3, \"user\": \"bob\", \"state\": \"REQUEST_CHANGES\"},"         \
	"{\"id\": 4, \"user\": \"carol\", \"state\": \"APPROVED\", \"stale\": true}," \
	"{\"id\": 5, \"user\": \"dave\", \"state\": \"APPROVED\", \"dismissed\": true}," \
	"{\"id\": 6, \"user\": \"erin\", \"state\": \"APPROVED\"},"               \
	"{\"id\": 7, \"user\": \"erin\", \"state\": \"COMMENT\"},"                \
	"{\"id\": 8, \"user\": \"frank\", \"state\": \"REQUEST_CHANGES\"},"       \
	"{\"id\": 9, \"user\": \"frank\", \"state\": \"APPROVED\", \"official\": false}]}}}}"

/* --- pure helpers ---------------------------------------------------- */

TEST(url_check_loopback_only)
{
	struct rg_err err = RG_ERR_INIT;

	CHECK_INT(rg_http_url_check("https://gitlab.example.com/api/v4", NULL), 0);
	CHECK_INT(rg_http_url_check("http://127.0.0.1:8080/x", NULL), 0);
	CHECK_INT(rg_http_url_check("http://127.3.4.5/x", NULL), 0);
	CHECK_INT(rg_http_url_check("http://localhost:1/x", NULL), 0);
	CHECK_INT(rg_http_url_check("http://[::1]:9/x", NULL), 0);
	CHECK_INT(rg_http_url_check("http://gitlab.example.com/", &err), RG_EUNSAFE);
	CHECK(strstr(err.msg, "https is required"));
	CHECK_INT(rg_http_url_check("http://127.0.0.1.evil.example/", NULL), RG_EUNSAFE);
	CHECK_INT(rg_http_url_check("http://10.0.0.1/", NULL), RG_EUNSAFE);
	CHECK_INT(rg_http_url_check("ftp://127.0.0.1/", NULL), RG_EUNSAFE);
	CHECK(rg_http_url_check("not a url", NULL) < 0);
}

TEST(same_origin)
{
	CHECK(rg_http_same_origin("https://a.example/api/v4", "https://a.example/api/v4/x?page=2"));
	CHECK(rg_http_same_origin("https://a.example/api", "https://A.example:443/y"));
	CHECK(!rg_http_same_origin("https://a.example/api", "https://b.example/api"));
	CHECK(!rg_http_same_origin("https://a.example/api", "http://a.example/api"));
	CHECK(!rg_http_same_origin("https://a.example/api", "https://a.example:8443/api"));
}

TEST(retry_after_seconds_and_dates)
{
	uint64_t ms = 1;
	int64_t now = 784111777; /* Sun, 06 Nov 1994 08:49:37 GMT */

	CHECK_INT(rg_http_parse_retry_after(&ms, "120", 3, now), 0);
	CHECK_INT(ms, 120000);
	CHECK_INT(rg_http_parse_retry_after(&ms, " 0 ", 3, now), 0);
	CHECK_INT(ms, 0);
	CHECK_INT(rg_http_parse_retry_after(&ms, "Sun, 06 Nov 1994 08:50:07 GMT", 29, now), 0);
	CHECK_INT(ms, 30000);
	CHECK_INT(rg_http_parse_retry_after(&ms, "Sunday, 06-Nov-94 08:49:47 GMT", 30, now), 0);
	CHECK_INT(ms, 10000);
	CHECK_INT(rg_http_parse_retry_after(&ms, "Sun Nov  6 08:49:57 1994", 24, now), 0);
	CHECK_INT(ms, 20000);
	CHECK_INT(rg_http_parse_retry_after(&ms, "Sun, 06 Nov 1994 08:00:00 GMT", 29, now), 0);
	CHECK_INT(ms, 0); /* in the past: go now */
	CHECK_INT(rg_http_parse_retry_after(&ms, "soon", 4, now), RG_EPARSE);
	CHECK_INT(rg_http_parse_retry_after(&ms, "", 0, now), RG_EPARSE);
	CHECK_INT(rg_http_parse_retry_after(&ms, "12x", 3, now), RG_EPARSE);
}

TEST(link_header_next)
{
	const char *v = "<https://g.example/api/v4/projects?page=1>; rel=\"prev\", "
			"<https://g.example/api/v4/projects?page=3&a=b,c>; rel=\"next\", "
			"<https://g.example/api/v4/projects?page=9>; rel=\"last\"";
	char *next = NULL;

	CHECK_INT(rg_http_parse_link_next(&next, v, strlen(v)), 0);
	CHECK_STR(next, "https://g.example/api/v4/projects?page=3&a=b,c");
	free(next);
	v = "<https://x/?page=2>; rel=\"next last\"";
	CHECK_INT(rg_http_parse_link_next(&next, v, strlen(v)), 0);
	CHECK_STR(next, "https://x/?page=2");
	free(next);
	v = "<https://x/?page=2>; rel=next";
	CHECK_INT(rg_http_parse_link_next(&next, v, strlen(v)), 0);
	free(next);
	v = "<https://x/?page=1>; rel=\"first\"";
	CHECK_INT(rg_http_parse_link_next(&next, v, strlen(v)), RG_ENOTFOUND);
	v = "garbage; rel=next";
	CHECK_INT(rg_http_parse_link_next(&next, v, strlen(v)), RG_EPARSE);
	v = "<unterminated; rel=next";
	CHECK_INT(rg_http_parse_link_next(&next, v, strlen(v)), RG_EPARSE);
}

TEST(backoff_grows_jittered_and_capped)
{
	uint64_t st = 12345, ms;
	unsigned i;

	for (i = 0; i < 50; i++) {
		ms = rg_http_backoff_ms(2, 100, &st);
		CHECK(ms >= 50 && ms <= 100);
		ms = rg_http_backoff_ms(4, 100, &st);
		CHECK(ms >= 200 && ms <= 400);
		ms = rg_http_backoff_ms(40, 100, &st);
		CHECK(ms >= RG_CAP_HTTP_BACKOFF_MS_MAX / 2 && ms <= RG_CAP_HTTP_BACKOFF_MS_MAX);
	}
}

TEST(escape_path_segments)
{
	struct rg_buf b = RG_BUF_INIT(1024);

	CHECK_INT(rg_http_escape(&b, "group/sub proj~x_y.z-1"), 0);
	CHECK_STR(b.ptr, "group%2Fsub%20proj~x_y.z-1");
	rg_buf_release(&b);
}

static int write_file(const char *path, const char *data, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(data, f);
	fclose(f);
	return chmod(path, mode);
}

TEST(token_file_mode_and_content)
{
	struct rg_err err = RG_ERR_INIT;
	char *tok = NULL;

	CHECK_INT(start_server(), 0); /* for the temporary directory */
	CHECK_INT(write_file(tmp("tok-ok"), "  " TOKEN "\n\n", 0600), 0);
	CHECK_INT(rg_forge_token_read(&tok, tmp("tok-ok"), &err), 0);
	CHECK_STR(tok, TOKEN);
	rg_forge_token_free(tok);
	tok = NULL;
	CHECK_INT(write_file(tmp("tok-ro"), TOKEN, 0400), 0);
	CHECK_INT(rg_forge_token_read(&tok, tmp("tok-ro"), &err), 0);
	rg_forge_token_free(tok);
	tok = NULL;

	CHECK_INT(write_file(tmp("tok-644"), TOKEN "\n", 0644), 0);
	CHECK_INT(rg_forge_token_read(&tok, tmp("tok-644"), &err), RG_EUNSAFE);
	CHECK(tok == NULL);
	CHECK(strstr(err.msg, "0644"));
	CHECK(strstr(err.msg, "chmod 600"));
	CHECK(!strstr(err.msg, TOKEN));

	CHECK_INT(write_file(tmp("tok-empty"), " \n", 0600), 0);
	CHECK_INT(rg_forge_token_read(&tok, tmp("tok-empty"), &err), RG_EINVALID);
	CHECK_INT(write_file(tmp("tok-two"), TOKEN "\nsecond-line\n", 0600), 0);
	CHECK_INT(rg_forge_token_read(&tok, tmp("tok-two"), &err), RG_EINVALID);
	CHECK(!strstr(err.msg, TOKEN));
	CHECK_INT(symlink(tmp("tok-ok"), tmp("tok-link")), 0);
	CHECK_INT(rg_forge_token_read(&tok, tmp("tok-link"), &err), RG_EUNSAFE);
	CHECK_INT(rg_forge_token_read(&tok, tmp("tok-missing"), &err), RG_EIO);
}

TEST(plain_http_to_other_hosts_refused)
{
	struct rg_forge_opts o;
	struct rg_forge *f = NULL;
	struct rg_err err = RG_ERR_INIT;

	memset(&o, 0, sizeof(o));
	o.kind = RG_FORGE_GITLAB;
	o.url = "http://gitlab.example.com";
	o.project = "g/p";
	o.token = TOKEN;
	CHECK_INT(rg_forge_new(&f, &o, &err), RG_EUNSAFE);
	CHECK(!strstr(err.msg, TOKEN));
	CHECK(f == NULL);
}

TEST(tls_verification_on_and_ca_bundle_used)
{
	struct rg_http_opts o = { 0 };
	struct rg_http *h = NULL;
	struct rg_http_resp r;
	struct rg_err err = RG_ERR_INIT;
	char cmd[1024], url[128];
	struct rg_http_req req = { "GET", url, NULL, 0, NULL, true };
	unsigned port = 0;
	pid_t pid;

	CHECK_INT(start_server(), 0);
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
		 "-addext subjectAltName=IP:127.0.0.1 -keyout '%s' -out '%s' >/dev/null 2>&1",
		 tmp("tls.key"), tmp("tls.crt"));
	CHECK_INT(system(cmd), 0);
	pid = spawn_server(tmp("tls-port"), tmp("tls.crt"), tmp("tls.key"), &port);
	CHECK(pid > 0);
	snprintf(url, sizeof(url), "https://127.0.0.1:%u/_ctl/requests", port);
	o.deadline_ms = 20000;
	o.backoff_base_ms = 10;
	/* the system store does not know our certificate: refused, not retried */
	CHECK_INT(rg_http_new(&h, &o, &err), 0);
	CHECK_INT(rg_http_request(&r, h, &req, &err), RG_EFORGE);
	CHECK_INT(r.attempts, 1);
	rg_http_resp_release(&r);
	rg_http_free(h);
	/* with the CA bundle named, the same server is trusted */
	o.ca_file = tmp("tls.crt");
	CHECK_INT(rg_http_new(&h, &o, &err), 0);
	CHECK_INT(rg_http_request(&r, h, &req, &err), 0);
	CHECK_INT(r.status, 200);
	rg_http_resp_release(&r);
	rg_http_free(h);
	/* a CA bundle that cannot be read is a configuration error */
	o.ca_file = tmp("no-such-ca.pem");
	CHECK_INT(rg_http_new(&h, &o, &err), RG_EINVALID);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

/* --- GitLab ---------------------------------------------------------- */

TEST(gitlab_open_mrs_for_branch)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_forge *f;
	struct rg_forge_mr *mrs = NULL;
	struct rg_err err = RG_ERR_INIT;
	size_t n = 9;
	json_t *all;

	CHECK_INT(setup(GL_SEED), 0);
	f = mkforge(RG_FORGE_GITLAB, "group/app", TOKEN);
	CHECK(f);
	CHECK_INT(rg_forge_find_open_mrs(&mrs, &n, f, a, "feat", NULL, &err), 0);
	CHECK_INT(n, 2);
	CHECK_INT(mrs[0].iid, 1);
	CHECK_STR(mrs[0].head_sha, "aaaa111");
	CHECK_INT(mrs[1].iid, 4);
	CHECK_INT(rg_forge_find_open_mrs(&mrs, &n, f, a, "feat", "staging", &err), 0);
	CHECK_INT(n, 1);
	CHECK_INT(mrs[0].iid, 4);
	CHECK_INT(rg_forge_find_open_mrs(&mrs, &n, f, a, "nothing", NULL, &err), 0);
	CHECK_INT(n, 0);
	{
		/* a branch name far longer than any path: an answer, never an abort */
		char *longb = rg_xmalloc(30001);
		int ret;

		memset(longb, 'b', 30000);
		longb[30000] = 0;
		ret = rg_forge_find_open_mrs(&mrs, &n, f, a, longb, NULL, &err);
		CHECK(ret == 0 ? n == 0 : ret == RG_EFORGE);
		free(longb);
	}
	/* the project id travels URL-encoded, the token as PRIVATE-TOKEN */
	all = requests();
	CHECK(json_array_size(all) >= 1);
	CHECK_STR(json_string_value(json_object_get(json_array_get(all, 0), "path")),
		  "/api/v4/projects/group%2Fapp/merge_requests");
	CHECK_STR(json_string_value(json_object_get(json_array_get(all, 0), "auth")), "ok");
	CHECK_STR(json_string_value(json_object_get(
			  json_object_get(json_array_get(all, 0), "query"), "state")),
		  "opened");
	json_decref(all);
	rg_forge_free(f);
	rg_arena_free(a);
}

/* the approvals lookup (gateforge.h) lists every open merge request
 * into a branch, whatever its source, and needs each one's author */
TEST(open_mrs_into_a_target_from_any_branch_with_authors)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_forge *f;
	struct rg_forge_mr *mrs = NULL;
	struct rg_err err = RG_ERR_INIT;
	size_t n = 0;
	json_t *all;

	CHECK_INT(setup(GL_SEED), 0);
	f = mkforge(RG_FORGE_GITLAB, "group/app", TOKEN);
	CHECK_INT(rg_forge_find_open_mrs(&mrs, &n, f, a, NULL, "main", &err), 0);
	CHECK_INT(n, 2);
	CHECK_INT(mrs[0].iid, 1);
	CHECK_INT(mrs[1].iid, 2);
	CHECK_STR(mrs[1].source_branch, "other");
	CHECK_STR(mrs[0].author, "alice");
	all = requests();
	CHECK(json_object_get(json_object_get(json_array_get(all, 0), "query"),
			      "source_branch") == NULL);
	CHECK_STR(json_string_value(json_object_get(
			  json_object_get(json_array_get(all, 0), "query"),
			  "target_branch")),
		  "main");
	json_decref(all);
	rg_forge_free(f);
	CHECK_INT(setup(GT_SEED), 0);
	f = mkforge(RG_FORGE_GITEA, "org/repo", TOKEN);
	CHECK_INT(rg_forge_find_open_mrs(&mrs, &n, f, a, NULL, "main", &err), 0);
	CHECK_INT(n, 3);
	CHECK_INT(mrs[2].iid, 7);
	CHECK_STR(mrs[2].author, "alice");
	rg_forge_free(f);
	rg_arena_free(a);
}

/* approvals from groups (gateforge.h): who is in a GitLab group, a Gitea
 * team ("org/team") or organisation ("org") */
TEST(group_members_gitlab_and_gitea)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_forge *f;
	const char **m = NULL;
	struct rg_err err = RG_ERR_INIT;
	size_t n = 0;
	json_t *all;

	CHECK_INT(setup("{\"groups\": {\"platform/sre\": [\"carol\", \"dave\"], "
			"\"org/sre\": [\"carol\"], \"org/web\": [\"erin\", \"carol\"]}}"),
		  0);
	f = mkforge(RG_FORGE_GITLAB, "group/app", TOKEN);
	CHECK_INT(rg_forge_group_members(&m, &n, f, a, "platform/sre", &err), 0);
	CHECK_INT(n, 2);
	CHECK_STR(m[0], "carol");
	CHECK_STR(m[1], "dave");
	all = requests();
	CHECK_STR(json_string_value(json_object_get(json_array_get(all, 0), "path")),
		  "/api/v4/groups/platform%2Fsre/members/all");
	json_decref(all);
	CHECK_INT(rg_forge_group_members(&m, &n, f, a, "nobody", &err), RG_ENOTFOUND);
	rg_forge_free(f);
	f = mkforge(RG_FORGE_GITEA, "org/repo", TOKEN);
	CHECK_INT(rg_forge_group_members(&m, &n, f, a, "org/web", &err), 0);
	CHECK_INT(n, 2);
	CHECK_STR(m[0], "erin");
	CHECK_INT(rg_forge_group_members(&m, &n, f, a, "org", &err), 0);
	CHECK_INT(n, 2);
	CHECK_STR(m[0], "carol");
	CHECK_STR(m[1], "erin");
	CHECK_INT(rg_forge_group_members(&m, &n, f, a, "org/ops", &err), RG_ENOTFOUND);
	CHECK_INT(rg_forge_group_members(&m, &n, f, a, "other", &err), RG_ENOTFOUND);
	rg_forge_free(f);
	rg_arena_free(a);
}

TEST(gitlab_pagination_follows_all_pages)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_forge *f;
	struct rg_forge_mr *mrs = NULL;
	struct rg_err err = RG_ERR_INIT;
	json_t *seed = json_object(), *p = json_object(), *list = json_array();
	char *s;
	size_t n = 0, i;

	for (i = 1; i <= 222; i++)
		json_array_append_new(list, json_pack("{s:I, s:s, s:s}", "iid", (json_int_t)i,
						      "source_branch", i % 10 ? "feat" : "x",
						      "target_branch", "main"));
	json_object_set_new(p, "mrs", list);
	json_object_set_new(seed, "gitlab", json_pack("{s:o}", "group/app", p));
	s = json_dumps(seed, 0);
	json_decref(seed);
	CHECK_INT(setup(s), 0);
	free(s);
	f = mkforge(RG_FORGE_GITLAB, "group/app", TOKEN);
	CHECK_INT(rg_forge_find_open_mrs(&mrs, &n, f, a, "feat", NULL, &err), 0);
	CHECK_INT(n, 200);
	CHECK_INT(mrs[0].iid, 1);
	CHECK_INT(mrs[199].iid, 222);
	CHECK_INT(count_requests("GET", "/merge_requests"), 2); /* 100 per page */
	/* without Link and X-Next-Page, X-Total tells when to stop */
	free(ctl("POST", "/_ctl/options", "{\"link\": false, \"next_page\": false}"));
	CHECK_INT(rg_forge_find_open_mrs(&mrs, &n, f, a, "feat", NULL, &err), 0);
	CHECK_INT(n, 200);
	/* two full pages and no third request: the total said so */
	CHECK_INT(count_requests("GET", "/merge_requests"), 4);
	rg_forge_free(f);
	rg_arena_free(a);
}

/* A page callback counting the items of each page. */
static int count_page(void *ctx, const char *json, size_t len, size_t *added,
		      struct rg_err *err)
{
	json_t *j = json_loadb(json, len, 0, NULL);

	(void)ctx;
	(void)err;
	*added = json_array_size(j);
	json_decref(j);
	return 0;
}

/* A seed of one forge project (gitlab) or repo (gitea) holding items. */
static char *seed_with(const char *forge, const char *name, const char *key,
		       json_t *items)
{
	json_t *seed = json_object(), *p = json_object();
	char *s;

	json_object_set_new(p, "id", json_integer(7));
	json_object_set_new(p, key, items);
	json_object_set_new(seed, forge, json_pack("{s:o}", name, p));
	s = json_dumps(seed, 0);
	json_decref(seed);
	return s;
}

TEST(forge_pages_and_items_caps)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_forge *f;
	struct rg_err err = RG_ERR_INIT;
	json_t *list = json_array(), *cs = json_array();
	char *s;
	size_t i;

	for (i = 1; i <= RG_CAP_FORGE_PAGES + 1; i++)
		json_array_append_new(list, json_pack("{s:I, s:s, s:s}", "iid", (json_int_t)i,
						      "source_branch", "feat",
						      "target_branch", "main"));
	s = seed_with("gitlab", "group/app", "mrs", list);
	CHECK_INT(setup(s), 0);
	free(s);
	f = mkforge(RG_FORGE_GITLAB, "group/app", TOKEN);
	/* one item a page: page RG_CAP_FORGE_PAGES + 1 is not fetched */
	CHECK_INT(rg_forge_get_all(f, "/projects/group%2Fapp/merge_requests?per_page=1",
				   1, count_page, NULL, &err),
		  RG_ELIMIT);
	CHECK(strstr(err.msg, "RG_CAP_FORGE_PAGES"));
	CHECK_INT(count_requests("GET", "/merge_requests"), RG_CAP_FORGE_PAGES);
	rg_forge_free(f);
	/* Gitea lists an issue's comments in one unpaginated answer: one
	 * more than RG_CAP_FORGE_ITEMS fails the comment upsert */
	for (i = 0; i <= RG_CAP_FORGE_ITEMS; i++)
		json_array_append_new(cs, json_pack("{s:s, s:s}", "body", "+1",
						    "user", "alice"));
	s = seed_with("gitea", "org/repo", "comments", json_pack("{s:o}", "5", cs));
	CHECK_INT(setup(s), 0);
	free(s);
	f = mkforge(RG_FORGE_GITEA, "org/repo", TOKEN);
	CHECK_INT(rg_forge_upsert_comment(NULL, NULL, f, a, 5, NULL,
					  "<!-- rendergate:report -->\nx", &err),
		  RG_ELIMIT);
	CHECK(strstr(err.msg, "RG_CAP_FORGE_ITEMS"));
	CHECK_INT(count_requests("POST", "/comments"), 0);
	rg_forge_free(f);
	rg_arena_free(a);
}

TEST(gitlab_merged_mr_and_approvals)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_forge *f;
	struct rg_forge_mr mr;
	struct rg_forge_approval *ap = NULL;
	struct rg_err err = RG_ERR_INIT;
	size_t n = 0;

	CHECK_INT(setup(GL_SEED), 0);
	f = mkforge(RG_FORGE_GITLAB, "group/app", TOKEN);
	CHECK_INT(rg_forge_find_merged_mr(&mr, f, a, "bbbb222", &err), 0);
	CHECK_INT(mr.iid, 3); /* the one whose merge_commit_sha matches */
	CHECK_INT(rg_forge_find_merged_mr(&mr, f, a, "eeee555", &err), RG_ENOTFOUND);
	CHECK_INT(rg_forge_list_approvals(&ap, &n, f, a, 1, &err), 0);
	CHECK_INT(n, 2);
	CHECK_STR(ap[0].username, "alice");
	CHECK_STR(ap[1].username, "bob");
	CHECK_INT(rg_forge_list_approvals(&ap, &n, f, a, 4, &err), 0);
	CHECK_INT(n, 0);
	CHECK_INT(count_requests("GET", "/approval_state"), 0);
	rg_forge_free(f);
	rg_arena_free(a);
}

TEST(gitlab_approvals_fallback_to_approval_state)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_forge *f;
	struct rg_forge_approval *ap = NULL;
	struct rg_err err = RG_ERR_INIT;
	size_t n = 0;

	CHECK_INT(setup("{\"gitlab\": {\"group/app\": {\"approvals_api\": false, \"mrs\": "
			"[{\"iid\": 1, \"source_branch\": \"feat\"}], "
			"\"approvals\": {\"1\": [\"carol\"]}}}}"),
		  0);
	f = mkforge(RG_FORGE_GITLAB, "group/app", TOKEN);
	CHECK_INT(rg_forge_list_approvals(&ap, &n, f, a, 1, &err), 0);
	CHECK_INT(n, 1);
	CHECK_STR(ap[0].username, "carol");
	CHECK_INT(count_requests("GET", "/approvals"), 1);
	CHECK_INT(count_requests("GET", "/approval_state"), 1);
	/* an MR that does not exist fails: never an empty approval list */
	CHECK(rg_forge_list_approvals(&ap, &n, f, a, 99, &err) < 0);
	rg_forge_free(f);
	rg_arena_free(a);
}

static json_t *gl_notes(const char *iid)
{
	json_t *st = state();
	json_t *notes = json_object_get(
		json_object_get(json_object_get(json_object_get(st, "gitlab"), "group/app"),
				"notes"),
		iid);

	json_incref(notes);
	json_decref(st);
	return notes;
}

TEST(gitlab_comment_created_then_updated_in_place)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_forge *f;
	struct rg_err err = RG_ERR_INIT;
	long long id1 = 0, id2 = 0, id3 = 0;
	const char *act = NULL;
	json_t *notes;
	size_t i, mine = 0;

	CHECK_INT(setup(GL_SEED), 0);
	f = mkforge(RG_FORGE_GITLAB, "group/app", TOKEN);
	CHECK_INT(rg_forge_upsert_comment(&id1, &act, f, a, 1, NULL,
					  "<!-- rendergate:report -->\nfirst", &err), 0);
	CHECK_STR(act, "created");
	CHECK_INT(rg_forge_upsert_comment(&id2, &act, f, a, 1, NULL,
					  "<!-- rendergate:report -->\nsecond", &err), 0);
	CHECK_STR(act, "updated");
	CHECK_INT(id2, id1);
	CHECK_INT(rg_forge_upsert_comment(&id3, &act, f, a, 1, NULL,
					  "<!-- rendergate:report -->\nsecond", &err), 0);
	CHECK_STR(act, "unchanged");
	CHECK_INT(id3, id1);
	CHECK_INT(count_requests("POST", "/notes"), 1);
	CHECK_INT(count_requests("PUT", "/notes/"), 1);
	notes = gl_notes("1");
	for (i = 0; i < json_array_size(notes); i++) {
		const char *b = json_string_value(json_object_get(json_array_get(notes, i), "body"));

		if (!strncmp(b, "<!-- rendergate:report -->\n", 27)) {
			mine++;
			CHECK_STR(b, "<!-- rendergate:report -->\nsecond");
		}
	}
	CHECK_INT(mine, 1);
	/* bob's note quoting the marker and the system note are untouched */
	CHECK_STR(json_string_value(json_object_get(json_array_get(notes, 1), "body")),
		  "quoting <!-- rendergate:report --> here");
	json_decref(notes);
	/* a human's copy of our comment comes first: skipped (403), ours kept */
	CHECK_INT(setup("{\"gitlab\": {\"group/app\": {\"mrs\": [{\"iid\": 1, "
			"\"source_branch\": \"feat\"}], \"notes\": {\"1\": [{\"body\": "
			"\"<!-- rendergate:report -->\\ncopied by hand\", \"author\": \"bob\"}]}}}}"),
		  0);
	CHECK_INT(rg_forge_upsert_comment(&id1, &act, f, a, 1, NULL,
					  "<!-- rendergate:report -->\nthird", &err), 0);
	CHECK_STR(act, "created");
	CHECK_INT(rg_forge_upsert_comment(&id2, &act, f, a, 1, NULL,
					  "<!-- rendergate:report -->\nfourth", &err), 0);
	CHECK_STR(act, "updated");
	CHECK_INT(id2, id1);
	notes = gl_notes("1");
	CHECK_INT(json_array_size(notes), 2);
	CHECK_STR(json_string_value(json_object_get(json_array_get(notes, 0), "body")),
		  "<!-- rendergate:report -->\ncopied by hand");
	json_decref(notes);
	/* a body without its marker is refused before any request */
	CHECK_INT(rg_forge_upsert_comment(NULL, NULL, f, a, 1, NULL, "no marker", &err),
		  RG_EINVALID);
	rg_forge_free(f);
	rg_arena_free(a);
}

TEST(gitlab_status_name_state_and_description_cap)
{
	struct rg_forge *f;
	struct rg_err err = RG_ERR_INIT;
	char desc[400];
	json_t *st, *s0;

	memset(desc, 'd', sizeof(desc) - 1);
	desc[sizeof(desc) - 1] = 0;
	CHECK_INT(setup(GL_SEED), 0);
	f = mkforge(RG_FORGE_GITLAB, "group/app", TOKEN);
	CHECK_INT(rg_forge_set_status(f, "aaaa1111", RG_FORGE_FAILED, "https://ci.example/r/1",
				      desc, &err), 0);
	CHECK_INT(rg_forge_set_status(f, "not-hex!", RG_FORGE_SUCCESS, NULL, NULL, &err),
		  RG_EINVALID);
	/* the same state again: GitLab says 400 "Cannot transition", which is success */
	CHECK_INT(rg_forge_set_status(f, "aaaa1111", RG_FORGE_FAILED, NULL, "again", &err), 0);
	CHECK_INT(count_requests("POST", "/statuses/aaaa1111"), 2);
	st = state();
	s0 = json_array_get(json_object_get(st, "statuses"), 0);
	CHECK_STR(json_string_value(json_object_get(s0, "status")), "failed");
	CHECK_STR(json_string_value(json_object_get(s0, "name")), "rendergate");
	CHECK_STR(json_string_value(json_object_get(s0, "sha")), "aaaa1111");
	CHECK_INT(strlen(json_string_value(json_object_get(s0, "description"))), 255);
	json_decref(st);
	CHECK_INT(count_requests("POST", "/api/v4/projects/group%2Fapp/statuses/aaaa1111"), 2);
	rg_forge_free(f);
}

/* --- Gitea ----------------------------------------------------------- */

TEST(gitea_open_pulls_filtered_by_head_not_forks)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_forge *f;
	struct rg_forge_mr *mrs = NULL, mr;
	struct rg_err err = RG_ERR_INIT;
	size_t n = 0;
	json_t *all;

	CHECK_INT(setup(GT_SEED), 0);
	f = mkforge(RG_FORGE_GITEA, "org/repo", TOKEN);
	CHECK_INT(rg_forge_find_open_mrs(&mrs, &n, f, a, "feat", NULL, &err), 0);
	CHECK_INT(n, 1);
	CHECK_INT(mrs[0].iid, 5);
	CHECK_STR(mrs[0].head_sha, "cccc333");
	CHECK_INT(rg_forge_find_merged_mr(&mr, f, a, "dddd444", &err), 0);
	CHECK_INT(mr.iid, 8);
	CHECK_STR(mr.state, "merged");
	CHECK_INT(rg_forge_find_merged_mr(&mr, f, a, "eeee555", &err), RG_ENOTFOUND);
	all = requests();
	CHECK_STR(json_string_value(json_object_get(json_array_get(all, 0), "path")),
		  "/api/v1/repos/org/repo/pulls");
	CHECK_STR(json_string_value(json_object_get(json_array_get(all, 0), "auth")), "ok");
	json_decref(all);
	rg_forge_free(f);
	rg_arena_free(a);
}

TEST(gitea_pagination_by_limit)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_forge *f;
	struct rg_forge_mr *mrs = NULL;
	struct rg_err err = RG_ERR_INIT;
	json_t *seed = json_object(), *p = json_object(), *list = json_array();
	char *s;
	size_t n = 0, i;

	for (i = 1; i <= 100; i++)
		json_array_append_new(list, json_pack("{s:I, s:s, s:s}", "number", (json_int_t)i,
						      "head", i == 97 ? "feat" : "y", "base", "main"));
	json_object_set_new(p, "pulls", list);
	json_object_set_new(seed, "gitea", json_pack("{s:o}", "org/repo", p));
	s = json_dumps(seed, 0);
	json_decref(seed);
	CHECK_INT(setup(s), 0);
	free(s);
	f = mkforge(RG_FORGE_GITEA, "org/repo", TOKEN);
	CHECK_INT(rg_forge_find_open_mrs(&mrs, &n, f, a, "feat", NULL, &err), 0);
	CHECK_INT(n, 1);
	CHECK_INT(mrs[0].iid, 97);
	CHECK_INT(count_requests("GET", "/pulls"), 2); /* 50 per page */
	/* without Link, X-Total-Count tells when to stop */
	free(ctl("POST", "/_ctl/options", "{\"link\": false}"));
	CHECK_INT(rg_forge_find_open_mrs(&mrs, &n, f, a, "feat", NULL, &err), 0);
	CHECK_INT(n, 1);
	CHECK_INT(mrs[0].iid, 97);
	CHECK_INT(count_requests("GET", "/pulls"), 4);
	rg_forge_free(f);
	rg_arena_free(a);
}

static bool has_user(const struct rg_forge_approval *ap, size_t n, const char *u)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(ap[i].username, u))
			return true;
	return false;
}

TEST(gitea_reviews_latest_per_user)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_forge *f;
	struct rg_forge_approval *ap = NULL;
	struct rg_err err = RG_ERR_INIT;
	size_t n = 0, i;

	CHECK_INT(setup(GT_SEED), 0);
	f = mkforge(RG_FORGE_GITEA, "org/repo", TOKEN);
	CHECK_INT(rg_forge_list_approvals(&ap, &n, f, a, 5, &err), 0);
	CHECK_INT(n, 3);
	CHECK(has_user(ap, n, "alice"));
	CHECK(!has_user(ap, n, "bob"));	  /* changed his mind */
	CHECK(!has_user(ap, n, "carol")); /* stale */
	CHECK(!has_user(ap, n, "dave"));  /* dismissed */
	CHECK(has_user(ap, n, "erin"));	  /* a comment does not undo it */
	CHECK(has_user(ap, n, "frank"));
	for (i = 0; i < n; i++)
		if (!strcmp(ap[i].username, "frank"))
			CHECK(!ap[i].official);
	rg_forge_free(f);
	rg_arena_free(a);
}

TEST(gitea_comment_upsert_and_status)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_forge *f;
	struct rg_err err = RG_ERR_INIT;
	long long id1 = 0, id2 = 0;
	const char *act = NULL;
	json_t *st, *cs, *s0;

	CHECK_INT(setup(GT_SEED), 0);
	f = mkforge(RG_FORGE_GITEA, "org/repo", TOKEN);
	CHECK_INT(rg_forge_upsert_comment(&id1, &act, f, a, 5, NULL,
					  "<!-- rendergate:report -->\nv1", &err), 0);
	CHECK_STR(act, "created");
	CHECK_INT(rg_forge_upsert_comment(&id2, &act, f, a, 5, NULL,
					  "<!-- rendergate:report -->\nv2", &err), 0);
	CHECK_STR(act, "updated");
	CHECK_INT(id1, id2);
	CHECK_INT(count_requests("PATCH", "/api/v1/repos/org/repo/issues/comments/"), 1);
	CHECK_INT(rg_forge_set_status(f, "cccc333", RG_FORGE_FAILED, NULL, "2 findings", &err),
		  0);
	st = state();
	cs = json_object_get(json_object_get(json_object_get(st, "gitea"), "org/repo"),
			     "comments");
	CHECK_INT(json_array_size(json_object_get(cs, "5")), 1);
	CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(cs, "5"), 0),
						    "body")),
		  "<!-- rendergate:report -->\nv2");
	s0 = json_array_get(json_object_get(st, "statuses"), 0);
	CHECK_STR(json_string_value(json_object_get(s0, "status")), "failure");
	CHECK_STR(json_string_value(json_object_get(s0, "context")), "rendergate");
	CHECK_STR(json_string_value(json_object_get(s0, "description")), "2 findings");
	json_decref(st);
	rg_forge_free(f);
	rg_arena_free(a);
}

/* --- faults, retries, secrecy ----------------------------------------- */

/*
 * Seed the fake forge, inject faults, and look up the open MRs of "feat"
 * in the seeded project. *nreq counts the GETs whose path holds part.
 */
static int feat_mrs_after(enum rg_config_forge kind, const char *seed,
			  const char *faults, size_t *n, size_t *nreq,
			  const char *part, struct rg_err *err)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_forge *f = NULL;
	struct rg_forge_mr *mrs = NULL;
	int ret = -100;

	if (setup(seed) == 0 && fault(faults) == 0)
		f = mkforge(kind, kind == RG_FORGE_GITLAB ? "group/app" : "org/repo",
			    TOKEN);
	if (f)
		ret = rg_forge_find_open_mrs(&mrs, n, f, a, "feat", NULL, err);
	*nreq = count_requests("GET", part);
	rg_forge_free(f);
	rg_arena_free(a);
	return ret;
}

TEST(retry_429_with_retry_after_seconds_and_date)
{
	struct rg_err err = RG_ERR_INIT;
	size_t n = 0, nreq = 0;

	CHECK_INT(feat_mrs_after(
		      RG_FORGE_GITLAB, GL_SEED,
		      "[{\"path\": \"merge_requests\", \"kind\": \"429\", \"retry_after\": \"1\"},"
		      "{\"path\": \"merge_requests\", \"kind\": \"429\", \"retry_after\": \"date:+1\"},"
		      "{\"path\": \"merge_requests\", \"kind\": \"429\"}]",
		      &n, &nreq, "/merge_requests", &err),
		  0);
	CHECK_INT(n, 2);
	CHECK_INT(nreq, 4);
}

TEST(retry_5xx_and_dropped_connections_for_reads)
{
	struct rg_err err = RG_ERR_INIT;
	size_t n = 0, nreq = 0;

	CHECK_INT(feat_mrs_after(RG_FORGE_GITEA, GT_SEED,
				 "[{\"path\": \"pulls\", \"kind\": \"500\"},"
				 "{\"path\": \"pulls\", \"kind\": \"drop\"},"
				 "{\"path\": \"pulls\", \"kind\": \"503\"}]",
				 &n, &nreq, "/pulls", &err),
		  0);
	CHECK_INT(n, 1);
	CHECK_INT(nreq, 4);
}

TEST(no_retry_of_a_create_after_5xx_and_none_on_4xx)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_forge *f;
	struct rg_err err = RG_ERR_INIT;

	CHECK_INT(setup(GL_SEED), 0);
	CHECK_INT(fault("{\"path\": \"/notes$\", \"method\": \"POST\", \"kind\": \"500\"}"), 0);
	f = mkforge(RG_FORGE_GITLAB, "group/app", TOKEN);
	CHECK_INT(rg_forge_upsert_comment(NULL, NULL, f, a, 1, NULL,
					  "<!-- rendergate:report -->\nx", &err), RG_EFORGE);
	CHECK(strstr(err.msg, "HTTP 500"));
	CHECK_INT(count_requests("POST", "/notes"), 1);
	/* 404 is final: one request */
	CHECK(rg_forge_upsert_comment(NULL, NULL, f, a, 99, NULL,
				      "<!-- rendergate:report -->\nx", &err) < 0);
	CHECK(strstr(err.msg, "HTTP 404"));
	CHECK_INT(count_requests("GET", "/merge_requests/99/notes"), 1);
	rg_forge_free(f);
	rg_arena_free(a);
}

/*
 * GET /pulls/5 of the fake Gitea with a fresh client made from o (token
 * added), after injecting fault_json. Returns rg_http_request's code.
 */
static int get_pull5(struct rg_http_resp *r, struct rg_http_opts *o,
		     const char *fault_json, struct rg_err *err)
{
	struct rg_http *h = NULL;
	char url[128];
	struct rg_http_req req = { "GET", url, NULL, 0, NULL, true };
	int ret;

	rg_http_resp_init(r);
	if (setup(GT_SEED) < 0 || fault(fault_json) < 0)
		return -100;
	snprintf(url, sizeof(url), "%s/api/v1/repos/org/repo/pulls/5", server_url);
	o->auth_name = "Authorization";
	o->auth_value = "token " TOKEN;
	if (rg_http_new(&h, o, err) < 0)
		return -101;
	ret = rg_http_request(r, h, &req, err);
	rg_http_free(h);
	return ret;
}

TEST(slow_response_times_out_then_retries)
{
	struct rg_http_opts o = { 0 };
	struct rg_http_resp r;
	struct rg_err err = RG_ERR_INIT;

	/* the first try hangs 10 s; the client gives up on it after 3 s */
	o.attempt_ms = 3000;
	o.deadline_ms = 60000;
	o.backoff_base_ms = 10;
	CHECK_INT(get_pull5(&r, &o, "{\"path\": \"pulls/5$\", \"kind\": \"slow\", \"delay\": 10}",
			    &err), 0);
	CHECK_INT(r.status, 200);
	CHECK(r.attempts >= 2);
	rg_http_resp_release(&r);
}

TEST(attempt_timeout_is_named)
{
	struct rg_http_opts o = { 0 };
	struct rg_http_resp r;
	struct rg_err err = RG_ERR_INIT;

	/* the only try hangs 5 s; it is given up after attempt_ms */
	o.attempt_ms = 1000;
	o.max_attempts = 1;
	CHECK_INT(get_pull5(&r, &o, "{\"path\": \"pulls/5$\", \"kind\": \"slow\", \"delay\": 5}",
			    &err), RG_ETIMEOUT);
	CHECK_INT(r.attempts, 1);
	CHECK(strstr(err.msg, "attempt 1000 ms"));
	rg_http_resp_release(&r);
}

TEST(deadline_bounds_retries)
{
	struct rg_http_opts o = { 0 };
	struct rg_http_resp r;
	struct rg_err err = RG_ERR_INIT;
	time_t t0 = time(NULL);

	o.deadline_ms = 15000;
	CHECK_INT(get_pull5(&r, &o,
			    "{\"path\": \"pulls/5$\", \"kind\": \"429\", \"retry_after\": \"50\"}",
			    &err), 0);
	/* the 50 s wait would pass the deadline: the 429 comes back at once */
	CHECK_INT(r.status, 429);
	CHECK_INT(r.attempts, 1);
	CHECK(time(NULL) - t0 < 40);
	rg_http_resp_release(&r);
}

TEST(oversized_response_is_a_limit_error)
{
	struct rg_http_opts o = { 0 };
	struct rg_http_resp r;
	struct rg_err err = RG_ERR_INIT;

	o.max_response_bytes = 100000;
	CHECK_INT(get_pull5(&r, &o,
			    "{\"path\": \"pulls/5$\", \"kind\": \"big\", \"size\": 300000}", &err),
		  RG_ELIMIT);
	CHECK(strstr(err.msg, "RG_CAP_HTTP_RESPONSE_BYTES"));
	CHECK_INT(count_requests("GET", "/pulls/5"), 1);
	rg_http_resp_release(&r);
}

/* GET /pulls/5 answered with header: size x's and suffix. */
static int long_header(struct rg_http_resp *r, const char *header,
		       const char *suffix, struct rg_err *err)
{
	struct rg_http_opts o = { 0 };
	char f[256];

	snprintf(f, sizeof(f),
		 "{\"path\": \"pulls/5$\", \"kind\": \"longheader\", "
		 "\"header\": \"%s\", \"size\": %u, \"suffix\": \"%s\"}",
		 header, RG_CAP_HTTP_HEADER_BYTES + 100, suffix);
	return get_pull5(r, &o, f, err);
}

TEST(long_response_headers)
{
	struct rg_http_resp r;
	struct rg_err err = RG_ERR_INIT;

	/* a Link to a next page over the cap fails the request (dropping
	 * it would end a listing after its first page) */
	CHECK_INT(long_header(&r, "Link", "; rel=\\\"next\\\"", &err), RG_ELIMIT);
	CHECK(strstr(err.msg, "Link"));
	CHECK(strstr(err.msg, "RG_CAP_HTTP_HEADER_BYTES"));
	CHECK_INT(count_requests("GET", "/pulls/5"), 1);
	rg_http_resp_release(&r);
	CHECK_INT(long_header(&r, "X-Next-Page", "", &err), RG_ELIMIT);
	CHECK(strstr(err.msg, "RG_CAP_HTTP_HEADER_BYTES"));
	rg_http_resp_release(&r);
	/* any other is ignored: one the client does not read, a Link
	 * without a next page */
	CHECK_INT(long_header(&r, "X-Padding", "", &err), 0);
	CHECK_INT(r.status, 200);
	rg_http_resp_release(&r);
	CHECK_INT(long_header(&r, "Link", "; rel=\\\"last\\\"", &err), 0);
	CHECK_INT(r.status, 200);
	rg_http_resp_release(&r);
}

TEST(attempts_cap)
{
	struct rg_err err = RG_ERR_INIT;
	size_t n = 0, nreq = 0;

	/* 502 on every try: RG_CAP_HTTP_ATTEMPTS tries, then the error
	 * says it was the last one the cap allows */
	CHECK_INT(feat_mrs_after(RG_FORGE_GITLAB, GL_SEED,
				 "{\"path\": \"merge_requests\", \"kind\": \"502\", "
				 "\"times\": 100}",
				 &n, &nreq, "/merge_requests", &err),
		  RG_EFORGE);
	CHECK_INT(nreq, RG_CAP_HTTP_ATTEMPTS);
	CHECK(strstr(err.msg, "HTTP 502"));
	CHECK(strstr(err.msg, "RG_CAP_HTTP_ATTEMPTS"));
	/* the same for a dropped connection (a transport error) */
	CHECK_INT(feat_mrs_after(RG_FORGE_GITEA, GT_SEED,
				 "{\"path\": \"pulls\", \"kind\": \"drop\", "
				 "\"times\": 100}",
				 &n, &nreq, "/pulls", &err),
		  RG_EFORGE);
	CHECK_INT(nreq, RG_CAP_HTTP_ATTEMPTS);
	CHECK(strstr(err.msg, "RG_CAP_HTTP_ATTEMPTS"));
}

TEST(connect_timeout)
{
	/* a listener whose accept queue is full drops new SYNs: the
	 * connect times out after connect_ms (not the attempt's timeout) */
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int ls = socket(AF_INET, SOCK_STREAM, 0), cs[3];
	struct rg_http_opts o = { 0 };
	struct rg_http *h = NULL;
	struct rg_http_resp r;
	struct rg_err err = RG_ERR_INIT;
	char url[64];
	struct rg_http_req req = { "GET", url, NULL, 0, NULL, true };

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(ls >= 0);
	CHECK_INT(bind(ls, (struct sockaddr *)&sa, sizeof(sa)), 0);
	CHECK_INT(listen(ls, 0), 0);
	CHECK_INT(getsockname(ls, (struct sockaddr *)&sa, &sl), 0);
	for (int i = 0; i < 3; i++) {
		cs[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (connect(cs[i], (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
		    errno != EINPROGRESS)
			FAILF("connect: %s", strerror(errno));
	}
	usleep(100000);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/api/v4/x",
		 (unsigned)ntohs(sa.sin_port));
	o.connect_ms = 300;
	o.attempt_ms = 60000;
	o.max_attempts = 1;
	CHECK_INT(rg_http_new(&h, &o, &err), 0);
	CHECK_INT(rg_http_request(&r, h, &req, &err), RG_ETIMEOUT);
	CHECK_INT(r.attempts, 1);
	/* curl says how long it waited; the message names the limit */
	CHECK(strstr(err.msg, "timeouts: connect 300 ms, attempt 60000 ms"));
	rg_http_resp_release(&r);
	rg_http_free(h);
	for (int i = 0; i < 3; i++)
		close(cs[i]);
	close(ls);
}

TEST(refused_connection_is_a_forge_error)
{
	struct rg_http_opts o = { 0 };
	struct rg_http *h = NULL;
	struct rg_http_resp r;
	struct rg_err err = RG_ERR_INIT;
	struct rg_http_req req = { "GET", "http://127.0.0.1:1/api/v4/x", NULL, 0, NULL, true };

	o.deadline_ms = 5000;
	o.backoff_base_ms = 10;
	o.max_attempts = 3;
	CHECK_INT(rg_http_new(&h, &o, &err), 0);
	CHECK_INT(rg_http_request(&r, h, &req, &err), RG_EFORGE);
	CHECK_INT(r.attempts, 3);
	rg_http_resp_release(&r);
	rg_http_free(h);
}

TEST(unauthorized_and_token_never_printed)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_forge *f;
	struct rg_forge_mr *mrs = NULL;
	struct rg_err err = RG_ERR_INIT;
	size_t n = 0;

	CHECK_INT(setup(GL_SEED), 0);
	loglen = 0;
	logbuf[0] = 0;
	f = mkforge(RG_FORGE_GITLAB, "group/app", "wrong-token-77");
	CHECK_INT(rg_forge_find_open_mrs(&mrs, &n, f, a, "feat", NULL, &err), RG_EFORGE);
	CHECK(strstr(err.msg, "401"));
	CHECK(!strstr(err.msg, "wrong-token-77"));
	rg_forge_free(f);
	f = mkforge(RG_FORGE_GITLAB, "group/app", NULL);
	CHECK_INT(rg_forge_find_open_mrs(&mrs, &n, f, a, "feat", NULL, &err), RG_EFORGE);
	rg_forge_free(f);
	/* with the right token, through retries and errors, in both forges */
	CHECK_INT(fault("[{\"path\": \"notes\", \"kind\": \"503\"}]"), 0);
	f = mkforge(RG_FORGE_GITLAB, "group/app", TOKEN);
	CHECK_INT(rg_forge_upsert_comment(NULL, NULL, f, a, 1, NULL,
					  "<!-- rendergate:report -->\nx", &err), 0);
	CHECK(rg_forge_upsert_comment(NULL, NULL, f, a, 77, NULL,
				      "<!-- rendergate:report -->\nx", &err) < 0);
	CHECK(!strstr(err.msg, TOKEN));
	rg_forge_free(f);
	CHECK_INT(setup(GT_SEED), 0);
	f = mkforge(RG_FORGE_GITEA, "org/repo", TOKEN);
	CHECK(rg_forge_set_status(f, "abcdef1", RG_FORGE_SUCCESS, NULL, NULL, &err) == 0);
	{
		struct rg_forge_approval *ap = NULL;

		CHECK_INT(rg_forge_list_approvals(&ap, &n, f, a, 999, &err), RG_EFORGE);
		CHECK(strstr(err.msg, "HTTP 404"));
		CHECK(!strstr(err.msg, TOKEN));
	}
	rg_forge_free(f);
	CHECK(loglen > 0);
	CHECK(strstr(logbuf, "retrying"));
	CHECK(!strstr(logbuf, TOKEN));
	CHECK(!strstr(logbuf, "wrong-token-77"));
	rg_arena_free(a);
}

TEST(retry_after_on_503_and_foreign_next_link)
{
	struct rg_err err = RG_ERR_INIT;
	size_t n = 0, nreq = 0;

	CHECK_INT(feat_mrs_after(RG_FORGE_GITEA, GT_SEED,
				 "{\"path\": \"pulls\", \"kind\": \"503\", \"retry_after\": \"1\"}",
				 &n, &nreq, "/pulls", &err),
		  0);
	CHECK_INT(n, 1);
	CHECK_INT(nreq, 2);
	CHECK_INT(feat_mrs_after(RG_FORGE_GITEA, GT_SEED,
				 "{\"path\": \"pulls\", \"kind\": \"badlink\"}", &n, &nreq,
				 "/pulls", &err),
		  RG_EUNSAFE);
	CHECK(strstr(err.msg, "another host"));
	CHECK_INT(nreq, 1);
}

TEST(forge_from_config_and_project_from_env)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_config_server c;
	struct rg_forge *f = NULL;
	struct rg_forge_mr *mrs = NULL;
	struct rg_err err = RG_ERR_INIT;
	size_t n = 0;

	CHECK_INT(setup(GL_SEED), 0);
	CHECK_INT(write_file(tmp("cfg-token"), TOKEN "\n", 0600), 0);
	memset(&c, 0, sizeof(c));
	c.file = "/etc/rendergate/config.yaml";
	CHECK_INT(rg_forge_from_config(&f, &c, "group/app", NULL, &err), RG_ENOTFOUND);
	c.forge.kind = RG_FORGE_GITLAB;
	c.forge.url = server_url;
	c.forge.token_file = tmp("cfg-token");
	CHECK_INT(rg_forge_from_config(&f, &c, NULL, NULL, &err), RG_EINVALID);
	CHECK(strstr(err.msg, "forge.project"));
	CHECK_INT(rg_forge_from_config(&f, &c, "group/app", NULL, &err), 0);
	CHECK_INT(rg_forge_find_open_mrs(&mrs, &n, f, a, "feat", NULL, &err), 0);
	CHECK_INT(n, 2);
	rg_forge_free(f);
	CHECK_INT(chmod(tmp("cfg-token"), 0604), 0);
	CHECK_INT(rg_forge_from_config(&f, &c, "group/app", NULL, &err), RG_EUNSAFE);
	CHECK(!strstr(err.msg, TOKEN));

	setenv("GL_PROJECT_PATH", "group/sub/app", 1);
	CHECK_STR(rg_forge_project_from_env(a, RG_FORGE_GITLAB), "group/sub/app");
	unsetenv("GL_PROJECT_PATH");
	CHECK(rg_forge_project_from_env(a, RG_FORGE_GITLAB) == NULL);
	setenv("GITEA_REPO_USER_NAME", "org", 1);
	setenv("GITEA_REPO_NAME", "repo", 1);
	setenv("GITEA_REPO_IS_WIKI", "false", 1);
	CHECK_STR(rg_forge_project_from_env(a, RG_FORGE_GITEA), "org/repo");
	setenv("GITEA_REPO_IS_WIKI", "true", 1);
	CHECK(rg_forge_project_from_env(a, RG_FORGE_GITEA) == NULL);
	unsetenv("GITEA_REPO_USER_NAME");
	unsetenv("GITEA_REPO_NAME");
	unsetenv("GITEA_REPO_IS_WIKI");
	rg_arena_free(a);
}

/* --- the drainer end to end ------------------------------------------- */

static int run_drain(const char *kind, const char *project, const char *extra)
{
	const char *args[32] = {
		"drain", "--once", "--spool", tmp("spool"), "--forge", kind,
		"--url", server_url, "--project", project, "--token-file", tmp("token"),
		"--backoff-ms", "10", "--wait", "0", "--config", tmp("config.yaml"),
	};
	static char store[32][256];
	char *argv[33];
	char buf[512], *p;
	int argc = 18, i;

	snprintf(buf, sizeof(buf), "%s", extra ? extra : "");
	for (p = buf; *p && argc < 30;) {
		char *e = strchr(p, ' ');

		if (e)
			*e = 0;
		args[argc++] = p;
		if (!e)
			break;
		p = e + 1;
	}
	/* rg_cmd_drain takes a writable argv, as main() gets it */
	for (i = 0; i < argc; i++) {
		snprintf(store[i], sizeof(store[i]), "%s", args[i]);
		argv[i] = store[i];
	}
	argv[argc] = NULL;
	return rg_cmd_drain(argc, argv);
}

static int drain_setup(const char *seed)
{
	char cmd[512];

	if (setup(seed) < 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp("spool"));
	if (system(cmd) != 0)
		return -1;
	if (write_file(tmp("token"), TOKEN "\n", 0600) < 0)
		return -1;
	/* an empty server config: everything comes from the flags */
	return write_file(tmp("config.yaml"), "mode: enforce\n", 0644);
}

static size_t spool_count(const char *sub)
{
	struct rg_arena *a = rg_arena_new();
	const char **ids = NULL;
	size_t n = 0;

	rg_spool_list(&ids, &n, sub ? tmp(sub) : tmp("spool"), a, NULL);
	rg_arena_free(a);
	return n;
}

static int spool_add(const struct rg_spool_job *j)
{
	struct rg_arena *a = rg_arena_new();
	int ret = rg_spool_write(NULL, tmp("spool"), a, j, NULL);

	rg_arena_free(a);
	return ret;
}

TEST(drain_delivers_comment_and_status_gitlab_idempotently)
{
	struct rg_spool_job c = { 0 }, s = { 0 };
	json_t *notes, *st;

	CHECK_INT(drain_setup(GL_SEED), 0);
	c.kind = RG_SPOOL_COMMENT;
	c.source_branch = "feat";
	c.target_branch = "main";
	c.body = "<!-- rendergate:report -->\n### first";
	s.kind = RG_SPOOL_STATUS;
	s.sha = "aaaa111";
	s.state = "success";
	s.description = "no findings";
	CHECK_INT(spool_add(&c), 0);
	CHECK_INT(spool_add(&s), 0);
	CHECK_INT(spool_count(NULL), 2);
	CHECK_INT(run_drain("gitlab", "group/app", NULL), 0);
	CHECK_INT(spool_count(NULL), 0);
	/* the second push: same MR, new body, no marker in it (added) */
	c.body = "### second";
	CHECK_INT(spool_add(&c), 0);
	CHECK_INT(run_drain("gitlab", "group/app", NULL), 0);
	CHECK_INT(spool_count(NULL), 0);
	notes = gl_notes("1");
	CHECK_INT(json_array_size(notes), 4); /* 3 seeded + exactly one of ours */
	CHECK_STR(json_string_value(json_object_get(json_array_get(notes, 3), "body")),
		  "<!-- rendergate:report -->\n### second");
	json_decref(notes);
	CHECK_INT(count_requests("POST", "/notes"), 1);
	st = state();
	CHECK_INT(json_array_size(json_object_get(st, "statuses")), 1);
	json_decref(st);
}

TEST(drain_outage_requeues_then_delivers_once_gitea)
{
	struct rg_spool_job c = { 0 };
	struct rg_arena *a = rg_arena_new();
	struct rg_spool_job j;
	const char **ids = NULL;
	size_t n = 0;
	json_t *st, *cs;

	CHECK_INT(drain_setup(GT_SEED), 0);
	c.kind = RG_SPOOL_COMMENT;
	c.mr = 5;
	c.body = "<!-- rendergate:report -->\nreport";
	CHECK_INT(spool_add(&c), 0);
	/* the forge is down for every try of this run */
	CHECK_INT(fault("{\"path\": \"/api/v1/\", \"kind\": \"503\", \"times\": 100}"), 0);
	CHECK_INT(run_drain("gitea", "org/repo", "--deadline-ms 2000"), 0);
	CHECK_INT(spool_count(NULL), 1);
	CHECK_INT(rg_spool_list(&ids, &n, tmp("spool"), a, NULL), 0);
	CHECK_INT(rg_spool_load(&j, tmp("spool"), ids[0], a, NULL), 0);
	CHECK_INT(j.attempts, 1);
	CHECK(j.next_attempt > (int64_t)time(NULL));
	CHECK(j.last_error && strstr(j.last_error, "503"));
	/* not due yet: a plain drain leaves it waiting */
	CHECK_INT(setup(GT_SEED), 0);
	CHECK_INT(run_drain("gitea", "org/repo", NULL), 0);
	CHECK_INT(spool_count(NULL), 1);
	CHECK_INT(count_requests("GET", "/comments"), 0);
	/* the outage is over */
	CHECK_INT(run_drain("gitea", "org/repo", "--retry-now"), 0);
	CHECK_INT(spool_count(NULL), 0);
	CHECK_INT(run_drain("gitea", "org/repo", "--retry-now"), 0);
	st = state();
	cs = json_object_get(json_object_get(json_object_get(st, "gitea"), "org/repo"), "comments");
	CHECK_INT(json_array_size(json_object_get(cs, "5")), 1);
	json_decref(st);
	rg_arena_free(a);
}

TEST(drain_merged_summary_is_its_own_comment)
{
	struct rg_spool_job c = { 0 };
	json_t *notes;

	CHECK_INT(drain_setup(GL_SEED), 0);
	c.kind = RG_SPOOL_COMMENT;
	c.mr = 3;
	c.body = "<!-- rendergate:report -->\nthe diff";
	CHECK_INT(spool_add(&c), 0);
	memset(&c, 0, sizeof(c));
	c.kind = RG_SPOOL_COMMENT;
	c.merged = true;
	c.sha = "bbbb222";
	c.body = "merged into main: 2 objects changed";
	CHECK_INT(spool_add(&c), 0);
	CHECK_INT(run_drain("gitlab", "group/app", NULL), 0);
	CHECK_INT(spool_count(NULL), 0);
	notes = gl_notes("3");
	CHECK_INT(json_array_size(notes), 2);
	CHECK_STR(json_string_value(json_object_get(json_array_get(notes, 0), "body")),
		  "<!-- rendergate:report -->\nthe diff");
	CHECK_STR(json_string_value(json_object_get(json_array_get(notes, 1), "body")),
		  "<!-- rendergate:merged -->\nmerged into main: 2 objects changed");
	json_decref(notes);
	/* found through the commit's merge requests */
	CHECK_INT(count_requests("GET", "/repository/commits/bbbb222/merge_requests"), 1);
}

TEST(drain_enqueue_then_deliver_report_and_status)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_drain_post p;
	struct rg_mdreport r;
	struct rg_mdreport_env env;
	struct rg_err err = RG_ERR_INIT;
	json_t *st, *cs;
	const char *body;

	CHECK_INT(drain_setup(GT_SEED), 0);
	memset(&env, 0, sizeof(env));
	env.name = "prod";
	env.changed = 1;
	memset(&r, 0, sizeof(r));
	r.title = "1 environment affected";
	r.envs = &env;
	r.nenvs = 1;
	memset(&p, 0, sizeof(p));
	p.spool = tmp("spool");
	p.kind = RG_FORGE_GITEA;
	p.source_branch = "feat";
	p.head_sha = "cccc333";
	p.report = &r;
	p.status = true;
	p.state = RG_FORGE_SUCCESS;
	p.description = "no findings";
	CHECK_INT(rg_drain_enqueue(&p, a, &err), 0);
	CHECK_INT(spool_count(NULL), 2);
	CHECK_INT(run_drain("gitea", "org/repo", NULL), 0);
	CHECK_INT(spool_count(NULL), 0);
	st = state();
	cs = json_object_get(json_object_get(json_object_get(st, "gitea"), "org/repo"),
			     "comments");
	body = json_string_value(
	    json_object_get(json_array_get(json_object_get(cs, "5"), 0), "body"));
	CHECK(body && !strncmp(body, RG_FORGE_MARKER_DEFAULT "\n", 27));
	CHECK(strstr(body, "| prod | 0 | 0 | 1 | 0 | 0 |"));
	CHECK_STR(json_string_value(json_object_get(
		      json_array_get(json_object_get(st, "statuses"), 0), "status")),
		  "success");
	json_decref(st);
	/* a status without its commit is refused */
	p.head_sha = NULL;
	p.report = NULL;
	CHECK_INT(rg_drain_enqueue(&p, a, &err), RG_EINVALID);
	rg_arena_free(a);
}

TEST(drain_superseded_jobs_only_newest_lands)
{
	struct rg_spool_job c = { 0 }, s = { 0 };
	json_t *notes, *st;

	CHECK_INT(drain_setup(GL_SEED), 0);
	c.kind = RG_SPOOL_COMMENT;
	c.mr = 1;
	c.body = "<!-- rendergate:report -->\nold";
	CHECK_INT(spool_add(&c), 0);
	c.body = "<!-- rendergate:report -->\nnew";
	CHECK_INT(spool_add(&c), 0);
	s.kind = RG_SPOOL_STATUS;
	s.sha = "aaaa111";
	s.state = "pending";
	CHECK_INT(spool_add(&s), 0);
	s.state = "success";
	CHECK_INT(spool_add(&s), 0);
	CHECK_INT(run_drain("gitlab", "group/app", NULL), 0);
	CHECK_INT(spool_count(NULL), 0);
	CHECK_INT(count_requests("POST", "/notes"), 1);
	notes = gl_notes("1");
	CHECK_STR(json_string_value(json_object_get(json_array_get(notes, 3), "body")),
		  "<!-- rendergate:report -->\nnew");
	json_decref(notes);
	st = state();
	CHECK_INT(json_array_size(json_object_get(st, "statuses")), 1);
	CHECK_STR(json_string_value(json_object_get(
			  json_array_get(json_object_get(st, "statuses"), 0), "status")),
		  "success");
	json_decref(st);
}

TEST(drain_moves_to_failed_after_max_attempts_and_on_refusal)
{
	struct rg_spool_job c = { 0 };
	char *big;

	CHECK_INT(drain_setup(GL_SEED), 0);
	c.kind = RG_SPOOL_STATUS;
	c.sha = "aaaa111";
	c.state = "failed";
	CHECK_INT(spool_add(&c), 0);
	CHECK_INT(fault("{\"path\": \"statuses\", \"kind\": \"502\", \"times\": 100}"), 0);
	CHECK_INT(run_drain("gitlab", "group/app", "--max-attempts 2 --deadline-ms 1500"), 0);
	CHECK_INT(spool_count(NULL), 1);
	CHECK_INT(run_drain("gitlab", "group/app",
			    "--max-attempts 2 --deadline-ms 1500 --retry-now"), 1);
	CHECK_INT(spool_count(NULL), 0);
	CHECK_INT(spool_count("spool/failed"), 1);
	/* a note over GitLab's 1,000,000 characters is refused for good: 400 */
	big = rg_xmalloc(1000100);
	memset(big, 'x', 1000099);
	big[1000099] = 0;
	memcpy(big, "<!-- rendergate:report -->\n", 27);
	memset(&c, 0, sizeof(c));
	c.kind = RG_SPOOL_COMMENT;
	c.mr = 1;
	c.body = big;
	CHECK_INT(spool_add(&c), 0);
	free(big);
	CHECK_INT(run_drain("gitlab", "group/app", NULL), 1);
	CHECK_INT(spool_count(NULL), 0);
	CHECK_INT(spool_count("spool/failed"), 2);
	{
		struct rg_arena *a = rg_arena_new();
		const char **ids = NULL;
		size_t n = 0;
		struct rg_spool_job j;

		CHECK_INT(rg_spool_list(&ids, &n, tmp("spool/failed"), a, NULL), 0);
		CHECK_INT(n, 2);
		CHECK_INT(rg_spool_load(&j, tmp("spool/failed"), ids[1], a, NULL), 0);
		CHECK(j.last_error && strstr(j.last_error, "over the forge's limit"));
		rg_arena_free(a);
	}
	CHECK_INT(count_requests("POST", "/notes"), 0);
	/* the forge's own refusal: a target_url over GitLab's 255 characters */
	CHECK_INT(setup(GL_SEED), 0); /* no more injected 502s */
	memset(&c, 0, sizeof(c));
	c.kind = RG_SPOOL_STATUS;
	c.sha = "aaaa111";
	c.state = "success";
	big = rg_xmalloc(301);
	memset(big, 'x', 300);
	big[300] = 0;
	c.target_url = big;
	CHECK_INT(spool_add(&c), 0);
	free(big);
	CHECK_INT(run_drain("gitlab", "group/app", NULL), 1);
	CHECK_INT(spool_count("spool/failed"), 3);
	{
		struct rg_arena *a = rg_arena_new();
		const char **ids = NULL;
		size_t n = 0;
		struct rg_spool_job j;

		CHECK_INT(rg_spool_list(&ids, &n, tmp("spool/failed"), a, NULL), 0);
		CHECK_INT(rg_spool_load(&j, tmp("spool/failed"), ids[2], a, NULL), 0);
		/* the forge's reason, from {"message": {"target_url": [...]}} */
		CHECK(j.last_error && strstr(j.last_error, "HTTP 400"));
		CHECK(strstr(j.last_error, "is too long"));
		rg_arena_free(a);
	}
}

TEST(drain_refuses_a_comment_over_the_forge_limit_without_sending)
{
	struct rg_spool_job c = { 0 };
	char *body = rg_xmalloc(3001);

	CHECK_INT(drain_setup(GT_SEED), 0);
	memset(body, 'y', 3000);
	body[3000] = 0;
	memcpy(body, "<!-- rendergate:report -->\n", 27);
	c.kind = RG_SPOOL_COMMENT;
	c.mr = 5;
	c.body = body;
	CHECK_INT(spool_add(&c), 0);
	free(body);
	CHECK_INT(run_drain("gitea", "org/repo", "--comment-limit 2000"), 1);
	CHECK_INT(spool_count(NULL), 0);
	CHECK_INT(spool_count("spool/failed"), 1);
	CHECK_INT(count_requests("POST", "/comments"), 0);
	CHECK_INT(count_requests("GET", "/comments"), 0);
}

TEST(drain_started_detached)
{
	char script[300], out[300], line[512] = "";
	FILE *f;
	int i;

	CHECK_INT(start_server(), 0);
	snprintf(out, sizeof(out), "%s", tmp("detached.out"));
	snprintf(script, sizeof(script), "%s", tmp("fake-rendergate"));
	f = fopen(script, "w");
	CHECK(f);
	/* records its arguments and what its stdin and stderr are */
	fprintf(f, "#!/bin/sh\necho \"$*\" > '%s.tmp'\necho to-the-log >&2\n"
		   "mv '%s.tmp' '%s'\n", out, out, out);
	fclose(f);
	CHECK_INT(chmod(script, 0755), 0);
	CHECK_INT(mkdir(tmp("dspool"), 0750), 0);
	CHECK_INT(rg_drain_start_detached(script, "/etc/rg.yaml", tmp("dspool"), NULL), 0);
	for (i = 0; i < 200; i++) { /* up to 20 s */
		f = fopen(out, "r");
		if (f) {
			if (!fgets(line, sizeof(line), f))
				line[0] = 0;
			fclose(f);
			break;
		}
		usleep(100000);
	}
	CHECK(strstr(line, "drain --once --config /etc/rg.yaml --spool "));
	f = fopen(tmp("dspool/drain.log"), "r");
	CHECK(f);
	CHECK(fgets(line, sizeof(line), f));
	fclose(f);
	CHECK_STR(line, "to-the-log\n");
}

TEST(drain_no_mr_is_retried_then_dropped)
{
	struct rg_spool_job c = { 0 };

	CHECK_INT(drain_setup(GL_SEED), 0);
	c.kind = RG_SPOOL_COMMENT;
	c.source_branch = "no-mr-here";
	c.body = "<!-- rendergate:report -->\nx";
	CHECK_INT(spool_add(&c), 0);
	CHECK_INT(run_drain("gitlab", "group/app", "--retry-now"), 0);
	CHECK_INT(spool_count(NULL), 1);
	CHECK_INT(run_drain("gitlab", "group/app", "--retry-now"), 0);
	CHECK_INT(run_drain("gitlab", "group/app", "--retry-now"), 0);
	CHECK_INT(spool_count(NULL), 0);
	CHECK_INT(spool_count("spool/failed"), 0);
	CHECK_INT(count_requests("POST", "/notes"), 0);
}

TEST(drain_respects_the_lock_and_refuses_open_token)
{
	struct rg_spool_job c = { 0 };
	struct rg_err err = RG_ERR_INIT;
	int fd = -1;

	CHECK_INT(drain_setup(GL_SEED), 0);
	c.kind = RG_SPOOL_STATUS;
	c.sha = "aaaa111";
	c.state = "success";
	CHECK_INT(spool_add(&c), 0);
	CHECK_INT(rg_spool_lock(&fd, tmp("spool"), 0, &err), 0);
	CHECK_INT(run_drain("gitlab", "group/app", NULL), 0);
	CHECK_INT(spool_count(NULL), 1); /* the lock holder delivers, not us */
	rg_spool_unlock(fd);
	CHECK_INT(chmod(tmp("token"), 0640), 0);
	CHECK_INT(run_drain("gitlab", "group/app", NULL), 2);
	CHECK_INT(spool_count(NULL), 1);
	CHECK_INT(chmod(tmp("token"), 0600), 0);
	CHECK_INT(run_drain("gitlab", "group/app", NULL), 0);
	CHECK_INT(spool_count(NULL), 0);
	CHECK_INT(run_drain("gitlab", "group/app", "--bogus"), 2);
}
