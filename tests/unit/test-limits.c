/*
 * test-limits.c - every cap of caps.h that a pure module enforces and that
 * no module's own unit test already hits: the input is built just past
 * the cap, and the test wants RG_ELIMIT (or the module's documented code)
 * with a message naming the cap. The caps other unit tests hit (YAML
 * depth, aliases, docs and scalars, template steps/output/depth, push
 * refs and lines, diff caps, findings, blob and read bytes, spool, HTTP
 * response, comment sizes, tgz caps ...) and the hook-level ones (e2e
 * t0901-limits.sh) are listed in doc/HARDENING.md. The render cache
 * store (hooks/rcstore.c) is here too: it needs no Git, only a directory.
 *
 * Last, a failure that is not a cap: the disk filling up while a spool
 * job is written (RLIMIT_FSIZE in a child process stands in for a full
 * file system): the write fails with RG_EIO, and neither a job nor a
 * temporary file is left behind.
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/argo.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/config.h"
#include "rendergate/depstore.h"
#include "rendergate/diff.h"
#include "rendergate/doc.h"
#include "rendergate/env.h"
#include "rendergate/finding.h"
#include "rendergate/flux.h"
#include "rendergate/funcs.h"
#include "rendergate/helm.h"
#include "rendergate/json.h"
#include "rendergate/kust.h"
#include "rendergate/objects.h"
#include "rendergate/policy.h"
#include "rendergate/policy-rules.h"
#include "rendergate/rcache.h"
#include "rendergate/rcstore.h"
#include "rendergate/report.h"
#include "rendergate/regex.h"
#include "rendergate/semver.h"
#include "rendergate/spool.h"
#include "rendergate/tmpl.h"
#include "rendergate/tree.h"
#include "test.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
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
	CHECK(names(&err, "RG_CAP_REGEX_REPEAT"));
	rg_regex_free(re);
	re = NULL;
	rg_err_init(&err);
	CHECK(rg_regex_compile(&re, "a{2,1001}", 9, &err) < 0);
	CHECK(names(&err, "RG_CAP_REGEX_REPEAT"));
	/* a reversed range is Go's error, not the cap's */
	rg_regex_free(re);
	re = NULL;
	rg_err_init(&err);
	CHECK(rg_regex_compile(&re, "a{3,2}", 6, &err) < 0);
	CHECK_STR(err.msg, "error parsing regexp: invalid repeat count: `{3,2}`");
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
	CHECK(!names(&err, "RG_CAP_REGEX_DEPTH_LIMIT"));
	rg_regex_free(re);
	free(s);
}

TEST(regex_depth_limit)
{
	/* each (a|b) taken is a backtracking point kept until c fails at
	 * the end: 20,000 of them pass RG_CAP_REGEX_DEPTH_LIMIT long before
	 * the few steps per letter reach RG_CAP_REGEX_MATCH_LIMIT, and the
	 * error names the depth cap; 2,000 fail to match within both */
	struct rg_err err = RG_ERR_INIT;
	struct rg_regex *re = NULL;
	const char *pat = "^(a|b)*c";
	char *s = repeat("a", 20000);
	bool m = true;

	CHECK_INT(rg_regex_compile(&re, pat, strlen(pat), &err), 0);
	CHECK_INT(rg_regex_match(&m, re, s, 2000, &err), 0);
	CHECK(!m);
	CHECK_INT(rg_regex_match(&m, re, s, 20000, &err), RG_ELIMIT);
	CHECK(names(&err, "RG_CAP_REGEX_DEPTH_LIMIT"));
	CHECK(!names(&err, "RG_CAP_REGEX_MATCH_LIMIT"));
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

/*
 * A JSON string past RG_CAP_YAML_SCALAR_BYTES is an error naming it, not
 * a string cut short; one at the cap decodes whole. Escapes and invalid
 * bytes (one byte in, three out as U+FFFD) count as what they decode to.
 */
TEST(json_string_bytes)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_node *n = NULL;
	size_t cap = RG_CAP_YAML_SCALAR_BYTES;
	char *s = rg_xmalloc(cap + 8);

	s[0] = '"';
	memset(s + 1, 'x', cap);
	s[cap + 1] = '"';
	CHECK_INT(rg_json_decode(&n, a, s, cap + 2, &err), 0);
	CHECK(n && n->kind == RG_STR && n->u.s.len == cap);
	s[cap + 1] = 'x';
	s[cap + 2] = '"';
	rg_err_init(&err);
	CHECK_INT(rg_json_decode(&n, a, s, cap + 3, &err), RG_ELIMIT);
	CHECK(names(&err, "RG_CAP_YAML_SCALAR_BYTES"));
	/* a third of the cap of bytes that are not UTF-8, and a few more */
	memset(s + 1, '\xff', cap / 3 + 2);
	s[cap / 3 + 3] = '"';
	rg_err_init(&err);
	CHECK_INT(rg_json_decode(&n, a, s, cap / 3 + 4, &err), RG_ELIMIT);
	CHECK(names(&err, "RG_CAP_YAML_SCALAR_BYTES"));
	free(s);
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

/* --- caps that had no test (doc/HARDENING.md) --------------------------- */

/*
 * The few tests below that push a few seconds and hundreds of MB of
 * input through the parsers natively would take many minutes under
 * valgrind (make valgrind sets RG_VALGRIND); there they return at once,
 * saying so. make check and make asan run them.
 */
static bool skip_under_valgrind(const char *name)
{
	if (!getenv("RG_VALGRIND"))
		return false;
	printf("# %s: skipped under valgrind (too slow there)\n", name);
	return true;
}

static void run_yaml_nodes(int *rg_failed_)
{
	/* a flow sequence of RG_CAP_YAML_NODES zeros: with the sequence
	 * itself one node over (8 MB of text; about 2 s and 260 MB) */
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_docs docs;
	size_t n = RG_CAP_YAML_NODES;
	char *s = rg_xmalloc(2 * n + 1);

	s[0] = '[';
	for (size_t i = 0; i < n; i++)
		memcpy(s + 1 + 2 * i, "0,", 2);
	s[2 * n] = ']';
	CHECK_INT(rg_doc_parse(&docs, a, "x.yaml", s, 2 * n + 1, 0, &err),
		  RG_ELIMIT);
	CHECK(names(&err, "RG_CAP_YAML_NODES"));
	CHECK_INT(err.line, 1);
	free(s);
	rg_arena_free(a);
}

TEST(yaml_nodes)
{
	if (!skip_under_valgrind("yaml_nodes"))
		run_yaml_nodes(rg_failed_);
}

static void run_yaml_emit_bytes(int *rg_failed_)
{
	/* two references to one 32 MiB string: toYaml writes it twice */
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_buf out = RG_BUF_INIT(1u << 20);
	char text[160];

	snprintf(text, sizeof(text),
		 "{{ $s := repeat %u \"x\" }}{{ list $s $s | toYaml | len }}",
		 RG_CAP_YAML_EMIT_BYTES / 2);
	CHECK_INT(exec_tmpl(a, text, &out, NULL, &err), RG_ELIMIT);
	CHECK(names(&err, "RG_CAP_YAML_EMIT_BYTES"));
	/* one copy fits */
	rg_buf_reset(&out);
	rg_err_init(&err);
	snprintf(text, sizeof(text),
		 "{{ $s := repeat %u \"x\" }}{{ list $s | toYaml | len }}",
		 RG_CAP_YAML_EMIT_BYTES / 2);
	CHECK_INT(exec_tmpl(a, text, &out, NULL, &err), 0);
	rg_buf_release(&out);
	rg_arena_free(a);
}

TEST(yaml_emit_bytes)
{
	if (!skip_under_valgrind("yaml_emit_bytes"))
		run_yaml_emit_bytes(rg_failed_);
}

TEST(env_objects)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_objset s;
	struct rg_obj o;
	int rc = 0;

	rg_objset_init(&s, a);
	memset(&o, 0, sizeof(o));
	o.group = "";
	o.version = "v1";
	o.kind = "ConfigMap";
	o.namespace = "";
	o.name = "c";
	o.key = "/ConfigMap//c";
	o.origin.file = "envs/big/all.yaml";
	o.origin.line = 7;
	for (unsigned i = 0; i < RG_CAP_ENV_OBJECTS && !rc; i++)
		rc = rg_objset_add(&s, &o, &err);
	CHECK_INT(rc, 0);
	CHECK_INT(s.len, RG_CAP_ENV_OBJECTS);
	CHECK_INT(rg_objset_add(&s, &o, &err), RG_ELIMIT);
	CHECK(names(&err, "RG_CAP_ENV_OBJECTS"));
	CHECK_STR(err.file, "envs/big/all.yaml");
	CHECK_INT(s.len, RG_CAP_ENV_OBJECTS);
	rg_arena_free(a);
}

TEST(report_term_bytes)
{
	/* 100 added objects of 50 diff lines (about 130 KB): the pusher
	 * sees RG_CAP_REPORT_TERM_BYTES of it, cut at a line, and a count */
	struct rg_arena *a = rg_arena_new();
	struct rg_buf out = RG_BUF_INIT(1u << 22);
	struct rg_report r;
	struct rg_diff *d = rg_arena_calloc(a, 1, sizeof(*d));
	size_t shown = 0, lines = 0, cut = 0;
	const char *p, *more;

	d->len = d->nadded = 100;
	d->objs = rg_arena_calloc(a, d->len, sizeof(*d->objs));
	for (size_t i = 0; i < d->len; i++) {
		struct rg_buf b = RG_BUF_INIT(1u << 20);

		for (size_t k = 0; k < 50; k++)
			rg_buf_addf(&b, "+line %zu of object %zu\n", k, i);
		d->objs[i].status = RG_DIFF_ADDED;
		d->objs[i].key = rg_arena_printf(a, "/ConfigMap/ns/cm-%03zu", i);
		d->objs[i].label = d->objs[i].key;
		d->objs[i].unified = rg_arena_strdup(a, b.ptr);
		d->objs[i].unified_len = b.len;
		rg_buf_release(&b);
	}
	rg_report_init(&r, a);
	rg_report_add_env(&r, "refs/heads/main", "big", true, "changed")->diff = d;
	CHECK_INT(rg_report_text(&out, &r, 0), 0);
	for (p = out.ptr; (p = strstr(p, "+line ")) != NULL; p++) {
		shown += strlen("+line ");
		shown += (size_t)(strchr(p, '\n') - p) + 1 - strlen("+line ");
		lines++;
	}
	CHECK(shown <= RG_CAP_REPORT_TERM_BYTES);
	CHECK(shown > RG_CAP_REPORT_TERM_BYTES - 64);
	more = strstr(out.ptr, " more lines not shown");
	CHECK(more != NULL);
	CHECK(strstr(more, "RG_CAP_REPORT_TERM_BYTES") != NULL);
	for (p = more; p > out.ptr && p[-1] != ' '; p--)
		;
	cut = strtoul(p, NULL, 10);
	CHECK_INT(lines + cut, 100 * 50);
	/* the verdict line is never lost */
	CHECK(strstr(out.ptr, "rendergate: push accepted\n") != NULL);
	rg_buf_release(&out);
	rg_report_release(&r);
	rg_arena_free(a);
}

TEST(policy_rules)
{
	/* RG_CAP_POLICY_RULES + 3 rules over two files (the cap counts all
	 * files together): one error naming the cap, at the first rule over */
	struct rg_arena *a = rg_arena_new();
	struct rg_errlist errs = RG_ERRLIST_INIT;
	struct rg_policy *p = NULL;
	struct rg_policy_file f[2];
	struct rg_buf b[2] = { RG_BUF_INIT(RG_CAP_CONFIG_BYTES),
			       RG_BUF_INIT(RG_CAP_CONFIG_BYTES) };
	size_t hits = 0;

	memset(f, 0, sizeof(f));
	for (unsigned i = 0; i < RG_CAP_POLICY_RULES + 3; i++) {
		struct rg_buf *o = &b[i % 2];

		if (!o->len)
			rg_buf_adds(o, "rules:\n");
		rg_buf_addf(o,
			    "  - {id: r%u, match: {kinds: [Pod]}, any: [{path: "
			    "spec.x, absent: true}], message: m}\n",
			    i);
	}
	for (int i = 0; i < 2; i++) {
		f[i].name = i ? "b.yaml" : "a.yaml";
		f[i].data = b[i].ptr;
		f[i].len = b[i].len;
	}
	CHECK(rg_policy_load(&p, a, f, 2, &errs) < 0);
	CHECK(p == NULL);
	for (size_t i = 0; i < errs.len; i++)
		hits += strstr(errs.items[i].msg, "RG_CAP_POLICY_RULES") != NULL;
	CHECK_INT(hits, 1);
	CHECK_INT(errs.len, 1);
	/* at the cap: loads (a.yaml without its last two rules, b.yaml
	 * without its last one) */
	rg_errlist_release(&errs);
	for (int i = 0; i < 2; i++) {
		for (int k = 0; k < 2 - i; k++) {
			const char *last = b[i].ptr + f[i].len - 1;

			while (last > b[i].ptr && last[-1] != '\n')
				last--;
			f[i].len = (size_t)(last - b[i].ptr);
		}
	}
	CHECK_INT(rg_policy_load(&p, a, f, 2, &errs), 0);
	rg_policy_free(p);
	rg_errlist_release(&errs);
	rg_buf_release(&b[0]);
	rg_buf_release(&b[1]);
	rg_arena_free(a);
}

TEST(policy_patterns)
{
	struct rg_buf b = RG_BUF_INIT(RG_CAP_CONFIG_BYTES);

	rg_buf_adds(&b, "images:\n  allow:\n");
	for (unsigned i = 0; i <= RG_CAP_POLICY_PATTERNS; i++)
		rg_buf_addf(&b, "    - \"^registry.example/team%u/\"\n", i);
	CHECK(policy_fails(b.ptr, "RG_CAP_POLICY_PATTERNS"));
	rg_buf_release(&b);
}

TEST(policy_message_bytes)
{
	/* a 4,000-byte message (under RG_CAP_POLICY_STRING_BYTES) expands
	 * to at most RG_CAP_POLICY_MESSAGE_BYTES, ending in "..." */
	struct rg_arena *a = rg_arena_new();
	struct rg_rules_vars v;
	char *t = repeat("m", 4000);
	const char *out;

	memset(&v, 0, sizeof(v));
	v.name = "web";
	memcpy(t, "{name}: ", 8);
	out = rg_rules_expand(a, t, &v);
	CHECK_INT(strlen(out), RG_CAP_POLICY_MESSAGE_BYTES);
	CHECK(!strncmp(out, "web: mmm", 8));
	CHECK_STR(out + RG_CAP_POLICY_MESSAGE_BYTES - 3, "...");
	/* the longest text kept whole leaves room for the "..." */
	t[RG_CAP_POLICY_MESSAGE_BYTES] = '\0'; /* "{name}" is 6 bytes, "web" 3 */
	out = rg_rules_expand(a, t, &v);
	CHECK_INT(strlen(out), RG_CAP_POLICY_MESSAGE_BYTES - 3);
	CHECK(out[strlen(out) - 1] == 'm');
	free(t);
	rg_arena_free(a);
}

/* Put NUL-terminated text at path of t. */
static int put(struct rg_tree *t, const char *path, const char *text)
{
	return rg_tree_mem_put(t, path, text, strlen(text), RG_TREE_FILE);
}

TEST(kust_fs_segment)
{
	/* a custom fieldSpec (configurations:) whose one step is longer
	 * than the cap fails instead of silently matching nothing */
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_tree *t = rg_tree_mem_new(a, "limits");
	struct rg_kust_result res;
	struct rg_buf cfg = RG_BUF_INIT(1u << 16);
	char *step = repeat("s", RG_CAP_KUST_FS_SEGMENT + 1);

	CHECK_INT(put(t, "kustomization.yaml",
		      "resources: [cm.yaml]\ncommonLabels: {team: a}\n"
		      "configurations: [cfg.yaml]\n"), 0);
	CHECK_INT(put(t, "cm.yaml", "apiVersion: v1\nkind: ConfigMap\n"
				    "metadata: {name: c}\ndata: {k: v}\n"), 0);
	rg_buf_addf(&cfg, "commonLabels:\n- path: data/%s\n  kind: ConfigMap\n",
		    step);
	CHECK_INT(put(t, "cfg.yaml", cfg.ptr), 0);
	CHECK(rg_kust_build(&res, a, t, "", 0, &err) < 0);
	CHECK_INT(err.code, RG_ELIMIT);
	CHECK(names(&err, "RG_CAP_KUST_FS_SEGMENT"));
	/* a step of exactly the cap is walked (and creates nothing here) */
	step[RG_CAP_KUST_FS_SEGMENT] = '\0';
	rg_buf_reset(&cfg);
	rg_buf_addf(&cfg, "commonLabels:\n- path: data/%s\n  kind: ConfigMap\n",
		    step);
	CHECK_INT(put(t, "cfg.yaml", cfg.ptr), 0);
	rg_err_init(&err);
	CHECK_INT(rg_kust_build(&res, a, t, "", 0, &err), 0);
	CHECK_INT(res.len, 1);
	rg_buf_release(&cfg);
	free(step);
	rg_tree_free(t);
	rg_arena_free(a);
}

TEST(kust_resources)
{
	/* RG_CAP_KUST_RESOURCES + 1 ConfigMaps in two files (one stream may
	 * hold RG_CAP_YAML_DOCS documents, fewer than the resource cap) */
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_tree *t = rg_tree_mem_new(a, "limits");
	struct rg_kust_result res;
	struct rg_buf f[2] = { RG_BUF_INIT(RG_CAP_BLOB_BYTES),
			       RG_BUF_INIT(RG_CAP_BLOB_BYTES) };

	for (unsigned i = 0; i <= RG_CAP_KUST_RESOURCES; i++)
		rg_buf_addf(&f[i % 2],
			    "---\n{apiVersion: v1, kind: ConfigMap, metadata: "
			    "{name: c%u}}\n",
			    i);
	CHECK_INT(put(t, "kustomization.yaml", "resources: [a.yaml, b.yaml]\n"),
		  0);
	CHECK_INT(rg_tree_mem_put(t, "a.yaml", f[0].ptr, f[0].len, RG_TREE_FILE),
		  0);
	CHECK_INT(rg_tree_mem_put(t, "b.yaml", f[1].ptr, f[1].len, RG_TREE_FILE),
		  0);
	CHECK(rg_kust_build(&res, a, t, "", 0, &err) < 0);
	CHECK_INT(err.code, RG_ELIMIT);
	CHECK(names(&err, "RG_CAP_KUST_RESOURCES"));
	rg_buf_release(&f[0]);
	rg_buf_release(&f[1]);
	rg_tree_free(t);
	rg_arena_free(a);
}

#define KS_FMT                                                                 \
	"---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n" \
	"metadata: {name: k%u, namespace: flux-system}\n"                      \
	"spec: {path: ./%s, sourceRef: {kind: GitRepository, name: "           \
	"flux-system}}\n"

#define APP_FMT                                                                \
	"---\napiVersion: argoproj.io/v1alpha1\nkind: Application\n"           \
	"metadata: {name: a%u, namespace: argocd}\n"                          \
	"spec: {destination: {namespace: d}, source: {repoURL: "               \
	"'https://git.example/r.git', path: %s}}\n"

/*
 * Render a Flux (argo false) or Argo CD entry folder "l0" of t; the
 * error code, err set.
 */
static int gitops_build(struct rg_arena *a, struct rg_tree *t, bool argo,
			struct rg_err *err)
{
	struct rg_objset out;
	struct rg_findings fs;
	static const char *const urls[] = { "https://git.example/r.git" };

	rg_objset_init(&out, a);
	rg_finding_init(&fs, a);
	if (argo) {
		struct rg_argo_opts o;

		memset(&o, 0, sizeof(o));
		o.repo_urls = urls;
		o.nrepo_urls = 1;
		return rg_argo_build(&out, &fs, t, "l0", &o, a, err);
	} else {
		struct rg_flux_opts o;

		memset(&o, 0, sizeof(o));
		return rg_flux_build(&out, &fs, t, "l0", &o, a, err);
	}
}

/* Folders l0 .. l<levels>: each holds the unit rendering the next. */
static struct rg_tree *gitops_chain(struct rg_arena *a, unsigned levels,
				    bool argo)
{
	struct rg_tree *t = rg_tree_mem_new(a, "limits");

	for (unsigned i = 0; i < levels; i++) {
		char path[64], next[32], body[512];

		snprintf(path, sizeof(path), "l%u/unit.yaml", i);
		snprintf(next, sizeof(next), "l%u", i + 1);
		snprintf(body, sizeof(body), argo ? APP_FMT : KS_FMT, i + 1,
			 next);
		put(t, path, body);
	}
	{
		char path[64];

		snprintf(path, sizeof(path), "l%u/cm.yaml", levels);
		put(t, path, "{apiVersion: v1, kind: ConfigMap, metadata: {name: c}}\n");
	}
	return t;
}

TEST(gitops_depth)
{
	for (int argo = 0; argo < 2; argo++) {
		struct rg_arena *a = rg_arena_new();
		struct rg_err err = RG_ERR_INIT;
		struct rg_tree *t = gitops_chain(a, RG_CAP_GITOPS_DEPTH + 2, argo);

		CHECK_INT(gitops_build(a, t, argo, &err), RG_ELIMIT);
		CHECK(names(&err, "RG_CAP_GITOPS_DEPTH"));
		rg_tree_free(t);
		/* a chain well inside the cap renders */
		t = gitops_chain(a, RG_CAP_GITOPS_DEPTH - 2, argo);
		rg_err_init(&err);
		CHECK_INT(gitops_build(a, t, argo, &err), 0);
		rg_tree_free(t);
		rg_arena_free(a);
	}
}

static void run_gitops_units(int *rg_failed_)
{
	/* RG_CAP_GITOPS_UNITS + 1 units in one folder, each rendering an
	 * empty one */
	for (int argo = 0; argo < 2; argo++) {
		struct rg_arena *a = rg_arena_new();
		struct rg_err err = RG_ERR_INIT;
		struct rg_tree *t = rg_tree_mem_new(a, "limits");
		struct rg_buf b = RG_BUF_INIT(RG_CAP_BLOB_BYTES);

		for (unsigned i = 0; i <= RG_CAP_GITOPS_UNITS; i++)
			rg_buf_addf(&b, argo ? APP_FMT : KS_FMT, i, "leaf");
		CHECK_INT(rg_tree_mem_put(t, "l0/units.yaml", b.ptr, b.len,
					  RG_TREE_FILE), 0);
		CHECK_INT(put(t, "leaf/README.md", "empty\n"), 0);
		CHECK_INT(gitops_build(a, t, argo, &err), RG_ELIMIT);
		CHECK(names(&err, "RG_CAP_GITOPS_UNITS"));
		rg_buf_release(&b);
		rg_tree_free(t);
		rg_arena_free(a);
	}
}

TEST(gitops_units)
{
	if (!skip_under_valgrind("gitops_units"))
		run_gitops_units(rg_failed_);
}

TEST(rcache_entries)
{
	/* puts past RG_CAP_RCACHE_ENTRIES are dropped and counted; a
	 * dropped release is a miss (rendered again), never a wrong hit */
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_rcache *c = rg_rcache_new(a);
	struct rg_rcache_stats st;
	struct rg_tree *t = rg_tree_mem_new(a, "limits");
	struct rg_objset out;
	struct rg_findings fs;
	char *keys = rg_xmalloc(RG_CAP_RCACHE_ENTRIES + 1);

	for (unsigned i = 0; i <= RG_CAP_RCACHE_ENTRIES; i++)
		rg_rcache_put(c, keys + i, NULL, 0, NULL, 0, NULL, 0);
	rg_rcache_stats(&st, c);
	CHECK_INT(st.puts, RG_CAP_RCACHE_ENTRIES);
	CHECK_INT(st.dropped, 1);
	rg_objset_init(&out, a);
	rg_finding_init(&fs, a);
	CHECK_INT(rg_rcache_get(c, keys, t, &out, &fs, &err), 0);
	CHECK_INT(rg_rcache_get(c, keys + RG_CAP_RCACHE_ENTRIES, t, &out, &fs,
				&err),
		  RG_ENOTFOUND);
	free(keys);
	rg_tree_free(t);
	rg_arena_free(a);
}

TEST(spool_jobs)
{
	/* one drain pass looks at the RG_CAP_SPOOL_JOBS oldest jobs; the
	 * rest wait for the next pass (a cut, not an error) */
	char dir[] = "/tmp/rg-limits-jobs-XXXXXX";
	struct rg_arena *a = rg_arena_new();
	const char **ids = NULL;
	size_t n = 0;
	char path[128], cmd[128];

	CHECK(mkdtemp(dir) != NULL);
	for (unsigned i = 0; i <= RG_CAP_SPOOL_JOBS; i++) {
		int fd;

		/* ids sort by creation time; the listing reads names only */
		snprintf(path, sizeof(path), "%s/%010u-job.json", dir,
			 RG_CAP_SPOOL_JOBS - i);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
		CHECK(fd >= 0);
		close(fd);
	}
	CHECK_INT(rg_spool_list(&ids, &n, dir, a, NULL), 0);
	CHECK_INT(n, RG_CAP_SPOOL_JOBS);
	CHECK_STR(ids[0], "0000000000-job");
	CHECK_STR(ids[n - 1], "0000009999-job");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK_INT(system(cmd), 0);
	rg_arena_free(a);
}

TEST(spool_attempts)
{
	char dir[] = "/tmp/rg-limits-attempts-XXXXXX";
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_spool_job j, k;
	const char *id = NULL;
	bool moved = false;
	char cmd[128];
	unsigned i;

	CHECK(mkdtemp(dir) != NULL);
	memset(&j, 0, sizeof(j));
	j.kind = RG_SPOOL_COMMENT;
	j.mr = 7;
	j.body = "<!-- rendergate:report -->\nx";
	CHECK_INT(rg_spool_write(&id, dir, a, &j, &err), 0);
	/* max_attempts 0: RG_CAP_SPOOL_ATTEMPTS failed deliveries */
	for (i = 1; i <= RG_CAP_SPOOL_ATTEMPTS && !moved; i++) {
		CHECK_INT(rg_spool_load(&k, dir, id, a, &err), 0);
		CHECK_INT(rg_spool_requeue(&moved, dir, &k, 1800000000, "HTTP 502",
					   0, &err), 0);
		CHECK_INT(k.attempts, i);
	}
	CHECK(moved);
	CHECK_INT(i - 1, RG_CAP_SPOOL_ATTEMPTS);
	CHECK_INT(rg_spool_load(&k, dir, id, a, NULL), RG_ENOTFOUND);
	CHECK_INT(rg_spool_load(&k, rg_arena_printf(a, "%s/failed", dir), id, a,
				&err), 0);
	CHECK_INT(k.attempts, RG_CAP_SPOOL_ATTEMPTS);
	CHECK(strstr(k.last_error, "HTTP 502") != NULL);
	CHECK(strstr(k.last_error, "RG_CAP_SPOOL_ATTEMPTS") != NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK_INT(system(cmd), 0);
	rg_arena_free(a);
}

TEST(depstore_bytes)
{
	/* a log over RG_CAP_DEPSTORE_BYTES is not written (an error naming
	 * the cap; the gate goes on without it), and a file over it is not
	 * read */
	char dir[] = "/tmp/rg-limits-deps-XXXXXX";
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_tree *t = rg_tree_mem_new(a, "limits");
	struct rg_env_deplog log;
	size_t n = RG_CAP_DEPSTORE_BYTES / RG_CAP_PATH_BYTES + 16;
	struct rg_tree_dep *deps = rg_xcalloc(n, sizeof(*deps));
	char *p = repeat("d/", RG_CAP_PATH_BYTES / 2 - 8);
	char path[128], cmd[128];
	int fd;

	CHECK(mkdtemp(dir) != NULL);
	for (size_t i = 0; i < n; i++) {
		deps[i].path = p;
		deps[i].kind = RG_TREE_MISSING;
	}
	CHECK_INT(rg_depstore_save(dir, "prod", deps, n, &err), RG_ELIMIT);
	CHECK(names(&err, "RG_CAP_DEPSTORE_BYTES"));
	snprintf(path, sizeof(path), "%s/prod.deps", dir);
	CHECK(access(path, F_OK) < 0);
	/* a file one byte over (sparse) is ignored, not read */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0);
	CHECK_INT(ftruncate(fd, (off_t)RG_CAP_DEPSTORE_BYTES + 1), 0);
	close(fd);
	CHECK_INT(rg_depstore_load(&log, a, dir, "prod", t), RG_ENOTFOUND);
	CHECK(log.deps == NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK_INT(system(cmd), 0);
	free(deps);
	free(p);
	rg_tree_free(t);
	rg_arena_free(a);
}

/* --- caches and memos: a cap is a cut, never a wrong result ------------ */

/* A store that keeps nothing and counts what it is handed. */
struct countstore {
	size_t saves, last_len;
};

static void cs_load(void *ctx, struct rg_arena *a, const char *name,
		    const char ***data, size_t **len, size_t *n)
{
	*n = 0;
}

static void cs_save(void *ctx, const char *name, const void *data,
		    size_t len)
{
	struct countstore *s = ctx;

	s->saves++;
	s->last_len = len;
}

/* A ConfigMap whose data.l lists the string node v k times. */
static void listing_obj(struct rg_obj *o, struct rg_arena *a,
			struct rg_node *v, size_t k)
{
	struct rg_node *doc = rg_node_map(a), *l = rg_node_seq(a);

	for (size_t i = 0; i < k; i++)
		rg_seq_push(a, l, v);
	rg_map_set(a, doc, "l", 1, l);
	memset(o, 0, sizeof(*o));
	o->doc = doc;
	o->group = "";
	o->version = "v1";
	o->kind = "ConfigMap";
	o->namespace = "";
	o->name = "big";
	o->key = "v1/ConfigMap//big";
}

/* Fetch name for key into a fresh cache over a fresh store on dir (one
 * hook run) and look it up; the cache's counters in *st. */
static int stored_get(struct rg_rcache_stats *st, struct rg_objset *out,
		      struct rg_arena *a, const char *dir, const void *key,
		      const char *name)
{
	struct rg_rcache *c = rg_rcache_new(a);
	struct rg_tree *t = rg_tree_mem_new(a, "limits");
	struct rg_findings f;
	int rc;

	rg_rcstore_attach(rg_rcstore_open(a, dir), c);
	rg_objset_init(out, a);
	rg_finding_init(&f, a);
	rg_rcache_fetch(c, key, name);
	rc = rg_rcache_get(c, key, t, out, &f, NULL);
	rg_rcache_stats(st, c);
	rg_tree_free(t);
	return rc;
}

/* The one file in dir whose name ends in suffix, as a path in a. */
static const char *file_in(struct rg_arena *a, const char *dir,
			   const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	const char *p = NULL;

	while (d && (de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name), sl = strlen(suffix);

		if (l > sl && !strcmp(de->d_name + l - sl, suffix))
			p = rg_arena_printf(a, "%s/%s", dir, de->d_name);
	}
	if (d)
		closedir(d);
	return p;
}

static void run_rcache_entry_bytes(int *rg_failed_)
{
	/*
	 * An entry over RG_CAP_RCACHE_ENTRY_BYTES is neither saved nor
	 * read: the release is rendered again (a miss), never answered
	 * from a cut entry. One string of 1 MiB listed 63 times encodes
	 * to just under 64 MiB, listed 64 times to just over.
	 */
	char dir[] = "/tmp/rg-limits-rce-XXXXXX";
	struct rg_arena *a = rg_arena_new();
	struct countstore cs = {0, 0};
	struct rg_rcache_store store = {&cs, cs_load, cs_save};
	struct rg_rcache *c = rg_rcache_new(a);
	struct rg_rcache_stats st;
	struct rg_objset out;
	size_t mib = 1u << 20, k = RG_CAP_RCACHE_ENTRY_BYTES / mib;
	char *s = repeat("x", mib), cmd[128];
	struct rg_node *v = rg_node_strn(a, s, mib);
	const char *path;
	struct rg_obj o;
	int key;

	rg_rcache_set_store(c, &store);
	listing_obj(&o, a, v, k - 1);
	rg_rcache_save(c, "n", 0, NULL, 0, &o, 1, NULL, 0);
	CHECK_INT(cs.saves, 1);
	CHECK(cs.last_len > (k - 1) * mib);
	CHECK(cs.last_len <= RG_CAP_RCACHE_ENTRY_BYTES);
	listing_obj(&o, a, v, k);
	rg_rcache_save(c, "n", 0, NULL, 0, &o, 1, NULL, 0);
	CHECK_INT(cs.saves, 1);
	rg_rcache_stats(&st, c);
	CHECK_INT(st.saved, 1);
	CHECK_INT(st.oversize, 1);

	/* through the store between runs: the entry under the cap is a
	 * hit in the next run ... */
	CHECK(mkdtemp(dir) != NULL);
	c = rg_rcache_new(a);
	rg_rcstore_attach(rg_rcstore_open(a, dir), c);
	listing_obj(&o, a, v, k - 1);
	rg_rcache_save(c, "n", 0, NULL, 0, &o, 1, NULL, 0);
	listing_obj(&o, a, v, k);
	rg_rcache_save(c, "n", 0, NULL, 0, &o, 1, NULL, 0);
	rg_rcache_stats(&st, c);
	CHECK_INT(st.saved, 1);
	CHECK_INT(st.oversize, 1);
	path = file_in(a, dir, ".rce");
	CHECK(path != NULL);
	CHECK_INT(stored_get(&st, &out, a, dir, &key, "n"), 0);
	CHECK_INT(st.fetched, 1);
	CHECK_INT(out.len, 1);
	CHECK_INT(rg_map_gets(out.items[0].doc, "l")->u.seq.len, k - 1);
	/* ... one byte over the cap, the file is not even read (a miss);
	 * at the cap it is read, and refused as damaged (a miss too) */
	CHECK_INT(truncate(path, (off_t)RG_CAP_RCACHE_ENTRY_BYTES + 1), 0);
	CHECK_INT(stored_get(&st, &out, a, dir, &key, "n"), RG_ENOTFOUND);
	CHECK_INT(st.fetched, 0);
	CHECK_INT(st.rejected, 0);
	CHECK_INT(truncate(path, (off_t)RG_CAP_RCACHE_ENTRY_BYTES), 0);
	CHECK_INT(stored_get(&st, &out, a, dir, &key, "n"), RG_ENOTFOUND);
	CHECK_INT(st.fetched, 0);
	CHECK_INT(st.rejected, 1);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK_INT(system(cmd), 0);
	free(s);
	rg_arena_free(a);
}

TEST(rcache_entry_bytes)
{
	if (!skip_under_valgrind("rcache_entry_bytes"))
		run_rcache_entry_bytes(rg_failed_);
}

/* An entry file of the store, named as rcstore.c names them, of size
 * bytes (sparse), written seconds after a fixed time. */
static bool store_file(const char *dir, unsigned i, off_t bytes,
		       time_t seconds)
{
	char path[256];
	struct timespec ts[2];
	int fd;
	bool ok;

	snprintf(path, sizeof(path), "%s/%040x-%016x.rce", dir, i, i);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return false;
	ts[0].tv_sec = ts[1].tv_sec = 1700000000 + seconds;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	ok = ftruncate(fd, bytes) == 0 && futimens(fd, ts) == 0;
	close(fd);
	return ok;
}

static bool has_store_file(const char *dir, unsigned i)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%040x-%016x.rce", dir, i, i);
	return access(path, F_OK) == 0;
}

/* One hook run over the store in dir: a fetch lists the directory, then
 * the run ends with a prune. */
static void store_run(const char *dir)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_rcache *c = rg_rcache_new(a);
	struct rg_rcstore *s = rg_rcstore_open(a, dir);
	int key;

	rg_rcstore_attach(s, c);
	rg_rcache_fetch(c, &key, "nothing");
	rg_rcstore_prune(s);
	rg_arena_free(a);
}

TEST(rcstore_files)
{
	/* at RG_CAP_RCSTORE_FILES nothing is removed; one over, the oldest
	 * are removed down to 90% of the cap (a cut: fewer hits later) */
	char dir[] = "/tmp/rg-limits-rcfiles-XXXXXX";
	unsigned cap = RG_CAP_RCSTORE_FILES, keep = cap / 10 * 9;
	size_t ntmp = 0;
	char cmd[128];

	CHECK(mkdtemp(dir) != NULL);
	for (unsigned i = 0; i < cap; i++)
		CHECK(store_file(dir, i, 1, i));
	store_run(dir);
	CHECK_INT(count_entries(dir, &ntmp), cap);
	CHECK(store_file(dir, cap, 1, cap));
	store_run(dir);
	CHECK_INT(count_entries(dir, &ntmp), keep);
	CHECK(!has_store_file(dir, cap - keep));
	CHECK(has_store_file(dir, cap - keep + 1));
	CHECK(has_store_file(dir, cap));
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK_INT(system(cmd), 0);
}

TEST(rcstore_bytes)
{
	/* four sparse files of a quarter of RG_CAP_RCSTORE_BYTES fill it
	 * and stay; one more byte, and the oldest are removed until the
	 * store holds at most 90% of the cap */
	char dir[] = "/tmp/rg-limits-rcbytes-XXXXXX";
	off_t q = RG_CAP_RCSTORE_BYTES / 4;
	size_t ntmp = 0;
	char cmd[128];

	CHECK(mkdtemp(dir) != NULL);
	for (unsigned i = 0; i < 4; i++)
		CHECK(store_file(dir, i, q, i));
	store_run(dir);
	CHECK_INT(count_entries(dir, &ntmp), 4);
	CHECK(store_file(dir, 4, 1, 4));
	store_run(dir);
	CHECK_INT(count_entries(dir, &ntmp), 4);
	CHECK(!has_store_file(dir, 0));
	for (unsigned i = 1; i <= 4; i++)
		CHECK(has_store_file(dir, i));
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK_INT(system(cmd), 0);
}

/* Parse text (len bytes) as name through m into a fresh set, execute it
 * into out. */
static int memo_exec(struct rg_buf *out, struct rg_tmpl_memo *m,
		     const char *name, const char *text, size_t len,
		     struct rg_err *err)
{
	struct rg_arena *b = rg_arena_new();
	struct rg_tmpl_set *set = rg_tmpl_set_new(b);
	int rc = rg_tmpl_parse_memo(set, m, name, text, len, err);

	rg_buf_reset(out);
	if (!rc)
		rc = rg_tmpl_exec(out, set, name, rg_node_map(b), NULL, err);
	rg_arena_free(b);
	return rc;
}

static void run_tmpl_memo_bytes(int *rg_failed_)
{
	/*
	 * Texts of 4 MiB less a little, each a number then filler, parsed
	 * through one memo: once it holds RG_CAP_TMPL_MEMO_BYTES, a new
	 * text is parsed for each use (dropped, twice, never a hit) and
	 * renders the same; texts kept before still hit.
	 */
	struct rg_arena *a = rg_arena_new();
	struct rg_tmpl_memo *m = rg_tmpl_memo_new(a);
	struct rg_tmpl_memo_stats st = {0, 0, 0};
	struct rg_buf out = RG_BUF_INIT(RG_CAP_TMPL_OUTPUT_BYTES);
	struct rg_err err = RG_ERR_INIT;
	size_t len = RG_CAP_TMPL_BYTES - 1024, kept;
	char *text = repeat("x", len), head[32];
	unsigned i;

	for (i = 0; i < 100 && !st.dropped; i++) {
		snprintf(head, sizeof(head), "{{ \"%04u\" }}", i);
		memcpy(text, head, strlen(head));
		CHECK_INT(memo_exec(&out, m, "t.yaml", text, len, &err), 0);
		CHECK_INT(out.len, len - strlen(head) + 4);
		CHECK(!memcmp(out.ptr, head + 4, 4));
		rg_tmpl_memo_stats(&st, m);
	}
	CHECK_INT(st.dropped, 1);
	kept = st.misses;
	/* each kept parse holds its own copy of the text at least */
	CHECK(kept <= RG_CAP_TMPL_MEMO_BYTES / len + 1);
	CHECK(kept >= RG_CAP_TMPL_MEMO_BYTES / len / 2);
	CHECK_INT(memo_exec(&out, m, "t.yaml", text, len, &err), 0);
	CHECK(!memcmp(out.ptr, head + 4, 4));
	rg_tmpl_memo_stats(&st, m);
	CHECK_INT(st.dropped, 2);
	CHECK_INT(st.misses, kept);
	CHECK_INT(st.hits, 0);
	memcpy(text, "{{ \"0000\" }}", 12);
	CHECK_INT(memo_exec(&out, m, "t.yaml", text, len, &err), 0);
	CHECK(!memcmp(out.ptr, "0000xxxx", 8));
	rg_tmpl_memo_stats(&st, m);
	CHECK_INT(st.hits, 1);
	CHECK_INT(st.dropped, 2);
	rg_buf_release(&out);
	free(text);
	rg_arena_free(a);
}

TEST(tmpl_memo_bytes)
{
	if (!skip_under_valgrind("tmpl_memo_bytes"))
		run_tmpl_memo_bytes(rg_failed_);
}

/* Chart i in t: Chart.yaml named c<i>, and files/big.txt of big bytes. */
static void big_chart(struct rg_tree *t, unsigned i, const char *big,
		      size_t blen)
{
	char p[64], meta[96];

	snprintf(p, sizeof(p), "charts/c%u/Chart.yaml", i);
	snprintf(meta, sizeof(meta), "apiVersion: v2\nname: c%u\nversion: 1.0.%u\n",
		 i, i);
	rg_tree_mem_put(t, p, meta, strlen(meta), RG_TREE_FILE);
	snprintf(p, sizeof(p), "charts/c%u/files/big.txt", i);
	rg_tree_mem_put(t, p, big, blen, RG_TREE_FILE);
}

static void run_helm_memo_bytes(int *rg_failed_)
{
	/*
	 * Charts holding an 8 MiB file each, loaded through one memo until
	 * it holds RG_CAP_HELM_MEMO_BYTES: then a new chart is loaded for
	 * each use (dropped, twice, never a hit) and loads whole; charts
	 * kept before still hit.
	 */
	struct rg_arena *a = rg_arena_new();
	struct rg_helm_memo *m = rg_helm_memo_new(a);
	struct rg_tree *t = rg_tree_mem_new(a, "limits");
	struct rg_helm_memo_stats st = {0, 0, 0};
	struct rg_err err = RG_ERR_INIT;
	struct rg_helm_chart *c = NULL;
	size_t blen = 8u << 20, kept;
	char *big = repeat("x", blen), dir[32];
	unsigned i;

	for (i = 0; i < 64 && !st.dropped; i++) {
		struct rg_arena *b = rg_arena_new();

		big_chart(t, i, big, blen);
		snprintf(dir, sizeof(dir), "charts/c%u", i);
		/* each load is a render's: its own read budget */
		t->bytes_read = 0;
		CHECK_INT(rg_helm_load_memo(&c, m, t, dir, b, &err), 0);
		CHECK_STR(c->name, dir + 7);
		CHECK_INT(c->nfiles, 1);
		CHECK_INT(c->files[0].len, blen);
		rg_helm_memo_stats(&st, m);
		rg_arena_free(b);
	}
	CHECK_INT(st.dropped, 1);
	kept = st.misses;
	/* each kept chart holds its file at least once */
	CHECK(kept <= RG_CAP_HELM_MEMO_BYTES / blen + 1);
	CHECK(kept >= RG_CAP_HELM_MEMO_BYTES / blen / 4);
	t->bytes_read = 0;
	CHECK_INT(rg_helm_load_memo(&c, m, t, dir, a, &err), 0);
	CHECK_STR(c->name, dir + 7);
	CHECK_INT(c->files[0].len, blen);
	rg_helm_memo_stats(&st, m);
	CHECK_INT(st.dropped, 2);
	CHECK_INT(st.misses, kept);
	CHECK_INT(st.hits, 0);
	t->bytes_read = 0;
	CHECK_INT(rg_helm_load_memo(&c, m, t, "charts/c0", a, &err), 0);
	CHECK_STR(c->name, "c0");
	CHECK_INT(c->files[0].len, blen);
	rg_helm_memo_stats(&st, m);
	CHECK_INT(st.hits, 1);
	CHECK_INT(st.dropped, 2);
	free(big);
	rg_tree_free(t);
	rg_arena_free(a);
}

TEST(helm_memo_bytes)
{
	if (!skip_under_valgrind("helm_memo_bytes"))
		run_helm_memo_bytes(rg_failed_);
}
