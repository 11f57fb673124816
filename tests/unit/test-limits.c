/*
 * test-limits.c - every cap of caps.h that a pure module enforces and that
 * no module's own unit test already hits: the input is built just past
 * the cap, and the test wants RG_ELIMIT (or the module's documented code)
 * with a message naming the cap. The caps other unit tests hit (YAML
 * depth, aliases, docs and scalars, template steps/output/depth, push
 * refs and lines, diff caps, findings, blob and read bytes, spool, HTTP
 * response, comment sizes, tgz caps ...) and the hook-level ones (e2e
 * t0901-limits.sh) are listed in doc/HARDENING.md.
 *
 * Last, a failure that is not a cap: the disk filling up while a spool
 * job is written (RLIMIT_FSIZE in a child process stands in for a full
 * file system): the write fails with RG_EIO, and neither a job nor a
 * temporary file is left behind.
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/config.h"
#include "rendergate/diff.h"
#include "rendergate/doc.h"
#include "rendergate/funcs.h"
#include "rendergate/json.h"
#include "rendergate/kust.h"
#include "rendergate/policy.h"
#include "rendergate/regex.h"
#include "rendergate/semver.h"
#include "rendergate/spool.h"
#include "rendergate/tmpl.h"
#include "rendergate/tree.h"
#include "test.h"

#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* A heap string of n copies of unit (n * strlen(unit) bytes), NUL-ended. */
static char *repeat(const char *unit, size_t n)
{
	size_t u = strlen(unit);
	char *s = rg_xmalloc(u * n + 1);

	for (size_t i = 0; i < n; i++)
		memcpy(s + i * u, unit, u);
	s[u * n] = '\0';
	return s;
}

static bool names(const struct rg_err *err, const char *cap)
{
	return strstr(err->msg, cap) != NULL;
}

static bool list_names(const struct rg_errlist *l, const char *cap)
{
	for (size_t i = 0; i < l->len; i++)
		if (strstr(l->items[i].msg, cap))
			return true;
	return false;
}

TEST(path_bytes)
{
	struct rg_err err = RG_ERR_INIT;
	char *p = repeat("a/", RG_CAP_PATH_BYTES / 2 + 1);

	CHECK_INT(rg_tree_path_check(p, &err), RG_EUNSAFE);
	CHECK(names(&err, "RG_CAP_PATH_BYTES"));
	p[RG_CAP_PATH_BYTES - 1] = '\0'; /* at the cap: fine */
	CHECK_INT(rg_tree_path_check(p, NULL), 0);
	free(p);
}

TEST(regex_pattern_bytes)
{
	struct rg_err err = RG_ERR_INIT;
	struct rg_regex *re = NULL;
	char *p = repeat("a", RG_CAP_REGEX_PATTERN_BYTES + 1);

	CHECK_INT(rg_regex_compile(&re, p, strlen(p), &err), RG_ELIMIT);
	CHECK(names(&err, "RG_CAP_REGEX_PATTERN_BYTES"));
	CHECK(re == NULL);
	free(p);
}

TEST(regex_repeat)
{
	struct rg_err err = RG_ERR_INIT;
	struct rg_regex *re = NULL;

	CHECK(rg_regex_compile(&re, "a{1001}", 7, &err) < 0);
	CHECK(strstr(err.msg, "invalid repeat count") != NULL);
	rg_regex_free(re);
	re = NULL;
	rg_err_init(&err);
	CHECK_INT(rg_regex_compile(&re, "a{1000}", 7, &err), 0);
	rg_regex_free(re);
}

TEST(regex_match_limit)
{
	struct rg_err err = RG_ERR_INIT;
	struct rg_regex *re = NULL;
	/* (a|a)*b backtracks exponentially on a run of a's without b; PCRE2
	 * is a backtracker, unlike Go's RE2, so the caps must stop it */
	const char *pat = "^(a|aa|a?a)*$";
	char *s = repeat("a", 40);
	bool m = false;
	int rc;

	s[39] = 'b';
	CHECK_INT(rg_regex_compile(&re, pat, strlen(pat), &err), 0);
	rc = rg_regex_match(&m, re, s, strlen(s), &err);
	CHECK_INT(rc, RG_ELIMIT);
	CHECK(names(&err, "RG_CAP_REGEX_MATCH_LIMIT"));
	rg_regex_free(re);
	free(s);
}

TEST(semver_bytes)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_semver v;
	struct rg_semver_constraints *cs = NULL;
	char *s = repeat("1", RG_CAP_SEMVER_BYTES + 1);

	CHECK_INT(rg_semver_parse(&v, a, s, strlen(s), &err), RG_ELIMIT);
	CHECK(names(&err, "RG_CAP_SEMVER_BYTES"));
	rg_err_init(&err);
	CHECK_INT(rg_semver_constraints_parse(&cs, a, s, strlen(s), &err),
		  RG_ELIMIT);
	CHECK(names(&err, "RG_CAP_SEMVER_BYTES"));
	free(s);
	rg_arena_free(a);
}

TEST(json_depth)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_node *n = NULL;
	char *deep = repeat("[", RG_CAP_JSON_DEPTH + 2);
	char *ok = repeat("[", 100);
	char *close = repeat("]", 100);
	struct rg_buf b = RG_BUF_INIT(1u << 20);

	CHECK_INT(rg_json_decode(&n, a, deep, strlen(deep), &err), RG_ELIMIT);
	CHECK(names(&err, "RG_CAP_JSON_DEPTH"));
	rg_buf_add(&b, ok, strlen(ok));
	rg_buf_add(&b, close, strlen(close));
	rg_err_init(&err);
	CHECK_INT(rg_json_decode(&n, a, b.ptr, b.len, &err), 0);
	rg_buf_release(&b);
	free(deep);
	free(ok);
	free(close);
	rg_arena_free(a);
}

/* Execute text as a standalone template; the error in *err. */
static int exec_tmpl(struct rg_arena *a, const char *text, struct rg_buf *out,
		     const struct rg_tmpl_opts *opts, struct rg_err *err)
{
	struct rg_tmpl_set *set = rg_tmpl_set_new(a);
	struct rg_node *dot = rg_funcs_standalone_dot(a, set, NULL);
	int rc = rg_tmpl_parse(set, "t", text, strlen(text), err);

	if (rc < 0)
		return rc;
	return rg_tmpl_exec(out, set, "t", dot, opts, err);
}

TEST(func_output_bytes)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_buf out = RG_BUF_INIT(RG_CAP_TMPL_OUTPUT_BYTES);
	char text[128];

	/* repeat's result alone is one byte over the cap */
	snprintf(text, sizeof(text), "{{ repeat %u \"x\" | len }}",
		 RG_CAP_FUNC_OUTPUT_BYTES + 1);
	CHECK_INT(exec_tmpl(a, text, &out, NULL, &err), RG_ELIMIT);
	CHECK(names(&err, "RG_CAP_FUNC_OUTPUT_BYTES"));
	rg_buf_release(&out);
	rg_arena_free(a);
}

TEST(tmpl_include_depth)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_buf out = RG_BUF_INIT(1u << 20);
	const char *text = "{{ define \"r\" }}{{ include \"r\" . }}{{ end }}"
			   "{{ include \"r\" . }}";

	CHECK_INT(exec_tmpl(a, text, &out, NULL, &err), RG_ELIMIT);
	/* Helm's own wording, then the cap */
	CHECK(strstr(err.msg, "nested reference name: r") != NULL);
	CHECK(names(&err, "RG_CAP_TMPL_INCLUDE_DEPTH"));
	rg_buf_release(&out);
	rg_arena_free(a);
}

TEST(kust_depth)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_tree *t = rg_tree_mem_new(a, "limits");
	struct rg_kust_result res;
	struct rg_buf path = RG_BUF_INIT(RG_CAP_PATH_BYTES);

	/* k/k/k/...: each kustomization includes the one below it */
	for (unsigned i = 0; i <= RG_CAP_KUST_DEPTH + 1; i++) {
		const char *k = "resources: [k]\n";
		struct rg_buf f = RG_BUF_INIT(RG_CAP_PATH_BYTES);

		rg_buf_add(&f, path.ptr ? path.ptr : "", path.len);
		rg_buf_adds(&f, "kustomization.yaml");
		CHECK_INT(rg_tree_mem_put(t, f.ptr, k, strlen(k), RG_TREE_FILE), 0);
		rg_buf_release(&f);
		rg_buf_adds(&path, "k/");
	}
	CHECK(rg_kust_build(&res, a, t, "", 0, &err) < 0);
	CHECK_INT(err.code, RG_ELIMIT);
	CHECK(names(&err, "RG_CAP_KUST_DEPTH"));
	rg_buf_release(&path);
	rg_tree_free(t);
	rg_arena_free(a);
}

TEST(kust_builds)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_tree *t = rg_tree_mem_new(a, "limits");
	struct rg_kust_result res;
	char path[64];

	/* a diamond ladder: level i lists level i+1 twice (as two
	 * directories of the same content), so the builds double per level:
	 * 2^14 > RG_CAP_KUST_BUILDS while the depth stays at 14 */
	for (int i = 0; i < 14; i++) {
		char body[128];

		snprintf(body, sizeof(body),
			 "resources: [../../l%d/a, ../../l%d/b]\n", i + 1,
			 i + 1);
		snprintf(path, sizeof(path), "l%d/a/kustomization.yaml", i);
		CHECK_INT(rg_tree_mem_put(t, path, body, strlen(body),
					  RG_TREE_FILE), 0);
		snprintf(path, sizeof(path), "l%d/b/kustomization.yaml", i);
		CHECK_INT(rg_tree_mem_put(t, path, body, strlen(body),
					  RG_TREE_FILE), 0);
	}
	{
		/* empty leaves: no objects, so no duplicate identities */
		const char *k = "namePrefix: p-\n";

		rg_tree_mem_put(t, "l14/a/kustomization.yaml", k, strlen(k),
				RG_TREE_FILE);
		rg_tree_mem_put(t, "l14/b/kustomization.yaml", k, strlen(k),
				RG_TREE_FILE);
	}
	CHECK(rg_kust_build(&res, a, t, "l0/a", 0, &err) < 0);
	CHECK_INT(err.code, RG_ELIMIT);
	CHECK(names(&err, "RG_CAP_KUST_BUILDS"));
	rg_tree_free(t);
	rg_arena_free(a);
}

TEST(policy_files)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_errlist errs = RG_ERRLIST_INIT;
	struct rg_policy *p = NULL;
	struct rg_policy_file files[RG_CAP_POLICY_FILES + 1];

	memset(files, 0, sizeof(files));
	for (size_t i = 0; i < RG_ARRAY_SIZE(files); i++) {
		files[i].name = "policy.yaml";
		files[i].data = "";
		files[i].len = 0;
	}
	CHECK_INT(rg_policy_load(&p, a, files, RG_ARRAY_SIZE(files), &errs),
		  RG_ELIMIT);
	CHECK(list_names(&errs, "RG_CAP_POLICY_FILES"));
	CHECK(p == NULL);
	rg_errlist_release(&errs);
	rg_arena_free(a);
}

/* Load one policy file; true if it failed (naming cap, unless NULL). */
static bool policy_fails(const char *text, const char *cap)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_errlist errs = RG_ERRLIST_INIT;
	struct rg_policy *p = NULL;
	struct rg_policy_file f;
	bool ok;

	memset(&f, 0, sizeof(f));
	f.name = "policy.yaml";
	f.data = text;
	f.len = strlen(text);
	ok = rg_policy_load(&p, a, &f, 1, &errs) < 0 &&
	     (!cap || list_names(&errs, cap));
	rg_policy_free(p);
	rg_errlist_release(&errs);
	rg_arena_free(a);
	return ok;
}

TEST(policy_string_bytes)
{
	struct rg_buf b = RG_BUF_INIT(1u << 20);
	char *s = repeat("x", RG_CAP_POLICY_STRING_BYTES + 1);

	/* a rule message */
	rg_buf_addf(&b,
		    "rules:\n  - id: r\n    match: {kinds: [Pod]}\n"
		    "    any:\n      - path: spec.x\n        absent: true\n"
		    "    message: \"%s\"\n",
		    s);
	CHECK(policy_fails(b.ptr, "RG_CAP_POLICY_STRING_BYTES"));
	/* an image pattern */
	rg_buf_reset(&b);
	rg_buf_addf(&b, "images:\n  allow:\n    - \"%s\"\n", s);
	CHECK(policy_fails(b.ptr, "RG_CAP_POLICY_STRING_BYTES"));
	/* at the cap: loads */
	rg_buf_reset(&b);
	s[RG_CAP_POLICY_STRING_BYTES] = '\0';
	rg_buf_addf(&b, "images:\n  allow:\n    - \"%s\"\n", s);
	CHECK(!policy_fails(b.ptr, NULL));
	rg_buf_release(&b);
	free(s);
}

TEST(config_bytes)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_errlist errs = RG_ERRLIST_INIT;
	struct rg_config_repo *r = NULL;
	size_t n = RG_CAP_CONFIG_BYTES + 1;
	char *big = rg_xmalloc(n);

	memset(big, '#', n); /* one long comment: valid YAML, too large */
	CHECK(rg_config_repo_parse(&r, a, ".rendergate.yaml", big, n, &errs) < 0);
	CHECK(list_names(&errs, "RG_CAP_CONFIG_BYTES"));
	free(big);
	rg_errlist_release(&errs);
	rg_arena_free(a);
}

TEST(envs)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_errlist errs = RG_ERRLIST_INIT;
	struct rg_config_repo *r = NULL;
	struct rg_buf b = RG_BUF_INIT(1u << 24);

	rg_buf_adds(&b, "environments:\n");
	for (unsigned i = 0; i <= RG_CAP_ENVS; i++)
		rg_buf_addf(&b, "  - {name: e%u, branch: main, path: envs/e%u}\n",
			    i, i);
	CHECK(rg_config_repo_parse(&r, a, ".rendergate.yaml", b.ptr, b.len,
				   &errs) < 0);
	CHECK(list_names(&errs, "RG_CAP_ENVS"));
	rg_buf_release(&b);
	rg_errlist_release(&errs);
	rg_arena_free(a);
}

TEST(yaml_alias_nodes_many_small)
{
	/* many uses of one small anchor add up: the alias cap counts the
	 * nodes of every expansion, not the number of aliases */
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_docs docs;
	struct rg_buf b = RG_BUF_INIT(1u << 24);

	rg_buf_adds(&b, "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: [");
	for (unsigned i = 0; i < RG_CAP_YAML_ALIAS_NODES / 10 + 10; i++)
		rg_buf_adds(&b, "*a, ");
	rg_buf_adds(&b, "0]\n");
	CHECK_INT(rg_doc_parse(&docs, a, "x.yaml", b.ptr, b.len, 0, &err),
		  RG_ELIMIT);
	CHECK(names(&err, "RG_CAP_YAML_ALIAS_NODES"));
	rg_buf_release(&b);
	rg_arena_free(a);
}

/* Two texts of n lines each: every line differs when all_differ, else
 * they are equal but for the last line. */
static void diff_texts(struct rg_buf *x, struct rg_buf *y, unsigned n,
		       bool all_differ)
{
	for (unsigned i = 0; i < n; i++) {
		rg_buf_addf(x, "a%u\n", i);
		rg_buf_addf(y, "%c%u\n",
			    all_differ || i + 1 == n ? 'b' : 'a', i);
	}
}

/* RG_CAP_DIFF_EDITS and RG_CAP_DIFF_LINES cut output, they do not fail:
 * past them an object is summarised as replaced, with its line counts. */
TEST(diff_edits)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_buf x = RG_BUF_INIT(1u << 24), y = RG_BUF_INIT(1u << 24);
	const char *out = NULL;
	size_t len = 0, add = 0, del = 0;
	bool rep = false;
	unsigned n = RG_CAP_DIFF_EDITS / 2 + 1; /* n + n edits > the cap */

	diff_texts(&x, &y, n, true);
	CHECK_INT(rg_diff_text(&out, &len, &rep, &add, &del, x.ptr, x.len,
			       y.ptr, y.len, "a", "b", a, &err), 0);
	CHECK(rep);
	CHECK(strstr(out, "too large to diff line by line") != NULL);
	CHECK_INT(add, n);
	CHECK_INT(del, n);
	/* the same size with one changed line is shown exactly */
	rg_buf_reset(&x);
	rg_buf_reset(&y);
	diff_texts(&x, &y, n, false);
	rep = false;
	CHECK_INT(rg_diff_text(&out, &len, &rep, &add, &del, x.ptr, x.len,
			       y.ptr, y.len, "a", "b", a, &err), 0);
	CHECK(!rep);
	CHECK_INT(add, 1);
	CHECK_INT(del, 1);
	rg_buf_release(&x);
	rg_buf_release(&y);
	rg_arena_free(a);
}

TEST(diff_lines)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_buf x = RG_BUF_INIT(1u << 26), y = RG_BUF_INIT(1u << 26);
	const char *out = NULL;
	size_t len = 0, add = 0, del = 0;
	bool rep = false;

	/* one changed line, but more lines than the exact diff works on */
	diff_texts(&x, &y, RG_CAP_DIFF_LINES + 1, false);
	CHECK_INT(rg_diff_text(&out, &len, &rep, &add, &del, x.ptr, x.len,
			       y.ptr, y.len, "a", "b", a, &err), 0);
	CHECK(rep);
	CHECK(strstr(out, "too large to diff line by line") != NULL);
	rg_buf_release(&x);
	rg_buf_release(&y);
	rg_arena_free(a);
}

/* Entries of dir (not . or ..): jobs and temporary files alike. */
static size_t count_entries(const char *dir, size_t *ntmp)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	*ntmp = 0;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		n++;
		*ntmp += !strncmp(e->d_name, ".tmp-", 5);
	}
	closedir(d);
	return n;
}

/* In a child limited to fsize bytes per file: write one comment job with
 * a body of blen bytes; exit 0 if the write succeeded, 1 if it failed
 * with RG_EIO and a message, 2 otherwise. */
static int spool_child(const char *dir, rlim_t fsize, size_t blen)
{
	pid_t pid = fork();
	int st = 0;

	if (pid == 0) {
		struct rlimit rl = { fsize, fsize };
		struct rg_arena *a = rg_arena_new();
		struct rg_err err = RG_ERR_INIT;
		struct rg_spool_job j;
		char *body = repeat("b", blen);
		int rc;

		signal(SIGXFSZ, SIG_IGN); /* write() fails with EFBIG instead */
		if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
			_exit(3);
		memset(&j, 0, sizeof(j));
		j.kind = RG_SPOOL_COMMENT;
		j.mr = 7;
		j.body = body;
		rc = rg_spool_write(NULL, dir, a, &j, &err);
		_exit(rc == 0 ? 0 : rc == RG_EIO && err.msg[0] ? 1 : 2);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

TEST(spool_disk_full)
{
	char dir[] = "/tmp/rg-limits-spool-XXXXXX";
	size_t ntmp = 0;

	CHECK(mkdtemp(dir) != NULL);
	/* control: the same write with room succeeds and leaves one job */
	CHECK_INT(spool_child(dir, RLIM_INFINITY, 100000), 0);
	CHECK_INT(count_entries(dir, &ntmp), 1);
	CHECK_INT(ntmp, 0);
	/* full after 4 KiB: a 100 KB job cannot be written */
	CHECK_INT(spool_child(dir, 4096, 100000), 1);
	CHECK_INT(count_entries(dir, &ntmp), 1);
	CHECK_INT(ntmp, 0);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		CHECK_INT(system(cmd), 0);
	}
}
