#include "test.h"
#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/config.h"
#include "rendergate/env.h"
#include "rendergate/finding.h"
#include "rendergate/objects.h"
#include "rendergate/plain.h"
#include "rendergate/tree.h"

/* One environment "dev" at envs/dev, with extra YAML for the entry. */
struct fx {
	struct rg_arena *a;
	struct rg_tree *t;
	struct rg_config_repo *repo;
	struct rg_objset objs;
	struct rg_findings f;
	struct rg_err err;
};

static void setup(struct fx *x, const char *env_extra)
{
	struct rg_errlist errs = RG_ERRLIST_INIT;
	char cfg[1024];

	memset(x, 0, sizeof(*x));
	x->a = rg_arena_new();
	x->t = rg_tree_mem_new(x->a, "main@1234567");
	snprintf(cfg, sizeof(cfg),
		 "environments:\n  - name: dev\n    path: envs/dev\n%s",
		 env_extra ? env_extra : "");
	if (rg_config_repo_parse(&x->repo, x->a, ".rendergate.yaml", cfg,
				 strlen(cfg), &errs) < 0)
		RG_BUG("bad test config: %s", errs.items[0].msg);
	rg_errlist_release(&errs);
	rg_objset_init(&x->objs, x->a);
	rg_finding_init(&x->f, x->a);
}

static void put(struct fx *x, const char *path, const char *s)
{
	if (rg_tree_mem_put(x->t, path, s, strlen(s), RG_TREE_FILE) < 0)
		RG_BUG("put %s", path);
}

static int render(struct fx *x)
{
	return rg_env_render(&x->objs, &x->f, x->repo, &x->repo->envs[0], x->t,
			     x->a, &x->err);
}

static void teardown(struct fx *x)
{
	rg_tree_free(x->t);
	rg_arena_free(x->a);
}

static const char *errtext(const struct rg_err *e)
{
	static char buf[2048];

	rg_err_format(e, buf, sizeof(buf));
	return buf;
}

#define CM(name) "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " name "\n"

TEST(renders_sorted_multi_document_files)
{
	struct fx x;

	setup(&x, NULL);
	put(&x, "envs/dev/b.yaml", CM("b1") "---\n" CM("b2"));
	put(&x, "envs/dev/a.yml", "---\n# only a comment\n---\n" CM("a1"));
	put(&x, "envs/dev/a-b.yaml", CM("ab"));
	put(&x, "envs/dev/a/z.yaml", CM("az"));
	put(&x, "envs/dev/README.md", "not yaml: [");
	put(&x, "envs/dev/.hidden.yaml", "not: [valid");
	put(&x, "envs/dev/.git-crypt/x.yaml", "not: [valid");
	put(&x, "envs/other/x.yaml", CM("other"));
	CHECK_INT(render(&x), 0);
	CHECK_INT(x.f.len, 0);
	CHECK_INT(x.objs.len, 5);
	/* path byte order: "a-b.yaml" < "a.yml" < "a/z.yaml" < "b.yaml" */
	CHECK_STR(x.objs.items[0].name, "ab");
	CHECK_STR(x.objs.items[1].name, "a1");
	CHECK_STR(x.objs.items[2].name, "az");
	CHECK_STR(x.objs.items[3].name, "b1");
	CHECK_STR(x.objs.items[4].name, "b2");
	CHECK_STR(x.objs.items[4].origin.file, "envs/dev/b.yaml");
	CHECK_INT(x.objs.items[4].origin.line, 6);
	CHECK_INT(x.t->ndeps > 0, 1);
	teardown(&x);
}

TEST(findings_for_incomplete_objects_and_duplicates)
{
	struct fx x;

	setup(&x, NULL);
	put(&x, "envs/dev/a.yaml",
	    CM("one") "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {}\n"
		      "---\n- just\n- a list\n");
	put(&x, "envs/dev/b.yaml", "kind: Service\nmetadata: {name: s}\n---\n"
				   CM("one"));
	CHECK_INT(render(&x), 0);
	CHECK_INT(x.objs.len, 2);
	CHECK_INT(x.f.len, 4);
	CHECK_STR(x.f.items[0].rule, "plain.missing-name");
	CHECK_STR(x.f.items[0].origin.file, "envs/dev/a.yaml");
	CHECK_INT(x.f.items[0].origin.line, 6);
	CHECK_STR(x.f.items[1].rule, "plain.not-an-object");
	CHECK_INT(x.f.items[1].origin.line, 10);
	CHECK_STR(x.f.items[2].rule, "plain.missing-apiversion");
	CHECK_STR(x.f.items[2].origin.file, "envs/dev/b.yaml");
	CHECK_STR(x.f.items[3].rule, "duplicate-identity");
	CHECK_STR(x.f.items[3].message,
		  "ConfigMap one is defined twice (first at "
		  "envs/dev/a.yaml:1:1)");
	CHECK_STR(x.f.items[3].origin.file, "envs/dev/b.yaml");
	CHECK_INT(x.f.items[3].origin.line, 4);
	CHECK_STR(x.f.items[3].env, "dev");
	teardown(&x);
}

TEST(list_kind_contributes_items)
{
	struct fx x;

	setup(&x, NULL);
	put(&x, "envs/dev/list.yaml",
	    "apiVersion: v1\nkind: List\nitems:\n"
	    "- {apiVersion: v1, kind: ConfigMap, metadata: {name: x}}\n"
	    "- {apiVersion: v1, kind: Secret, metadata: {name: s}}\n");
	CHECK_INT(render(&x), 0);
	CHECK_INT(x.objs.len, 2);
	CHECK_STR(x.objs.items[1].kind, "Secret");
	CHECK_INT(x.objs.items[1].origin.line, 5);
	teardown(&x);
}

TEST(exclude_globs)
{
	struct fx x;

	setup(&x, "    exclude: ['*.test.yaml', 'tests', 'ci/**']\n");
	put(&x, "envs/dev/a.yaml", CM("a"));
	put(&x, "envs/dev/a.test.yaml", "broken: [");
	put(&x, "envs/dev/sub/b.test.yaml", "broken: [");
	put(&x, "envs/dev/tests/c.yaml", "broken: [");
	put(&x, "envs/dev/sub/tests/c.yaml", "broken: [");
	put(&x, "envs/dev/ci/d.yaml", "broken: [");
	put(&x, "envs/dev/sub/ci/e.yaml", CM("e"));
	CHECK_INT(render(&x), 0);
	CHECK_INT(x.objs.len, 2);
	CHECK_STR(x.objs.items[1].name, "e");
	CHECK(rg_plain_excluded(&x.repo->envs[0], "sub/tests/x.yaml"));
	CHECK(rg_plain_excluded(&x.repo->envs[0], ".github/x.yaml"));
	CHECK(!rg_plain_excluded(&x.repo->envs[0], "sub/ci/e.yaml"));
	teardown(&x);
}

TEST(malformed_yaml_is_an_error_with_position)
{
	struct fx x;

	setup(&x, NULL);
	put(&x, "envs/dev/a.yaml", CM("a"));
	put(&x, "envs/dev/b.yaml", "apiVersion: v1\nkind: [ConfigMap\n");
	CHECK_INT(render(&x), RG_EPARSE);
	CHECK_STR(x.err.file, "envs/dev/b.yaml");
	CHECK(x.err.line >= 2);
	CHECK(strncmp(x.err.msg, "environment dev: ", 17) == 0);
	CHECK(strncmp(errtext(&x.err), "envs/dev/b.yaml:", 16) == 0);
	teardown(&x);
}

TEST(nul_bytes_and_invalid_utf8_are_errors)
{
	struct fx x;

	setup(&x, NULL);
	CHECK_INT(rg_tree_mem_put(x.t, "envs/dev/nul.yaml", "a: b\0c\n", 7,
				  RG_TREE_FILE), 0);
	CHECK_INT(render(&x), RG_EPARSE);
	CHECK_STR(x.err.file, "envs/dev/nul.yaml");
	teardown(&x);

	setup(&x, NULL);
	put(&x, "envs/dev/bad.yaml", "a: \xff\xfe\n");
	CHECK_INT(render(&x), RG_EPARSE);
	CHECK_STR(x.err.file, "envs/dev/bad.yaml");
	teardown(&x);
}

TEST(symlinks_and_submodules_are_refused)
{
	struct fx x;

	setup(&x, NULL);
	put(&x, "envs/dev/a.yaml", CM("a"));
	CHECK_INT(rg_tree_mem_put(x.t, "envs/dev/sub/link.yaml", "/etc/passwd",
				  11, RG_TREE_SYMLINK), 0);
	CHECK_INT(render(&x), RG_EUNSAFE);
	CHECK_STR(errtext(&x.err),
		  "envs/dev/sub/link.yaml: environment dev: symbolic link below "
		  "the environment path; it is never followed, remove it or add "
		  "it to 'exclude'");
	teardown(&x);

	setup(&x, NULL);
	CHECK_INT(rg_tree_mem_put(x.t, "envs/dev/vendor", "", 0,
				  RG_TREE_SUBMODULE), 0);
	CHECK_INT(render(&x), RG_EUNSUPPORTED);
	CHECK_STR(x.err.file, "envs/dev/vendor");
	CHECK(strstr(x.err.msg, "submodule") != NULL);
	teardown(&x);

	/* an excluded symlink is never looked at */
	setup(&x, "    exclude: [link.yaml]\n");
	put(&x, "envs/dev/a.yaml", CM("a"));
	CHECK_INT(rg_tree_mem_put(x.t, "envs/dev/link.yaml", "x", 1,
				  RG_TREE_SYMLINK), 0);
	CHECK_INT(render(&x), 0);
	teardown(&x);
}

TEST(file_over_cap_and_missing_path)
{
	struct fx x;
	size_t big = RG_CAP_BLOB_BYTES + 10;
	char *buf = rg_xmalloc(big);

	setup(&x, NULL);
	memset(buf, '#', big);
	CHECK_INT(rg_tree_mem_put(x.t, "envs/dev/big.yaml", buf, big,
				  RG_TREE_FILE), 0);
	CHECK_INT(render(&x), RG_ELIMIT);
	CHECK(strstr(x.err.msg, "RG_CAP_BLOB_BYTES") != NULL);
	teardown(&x);
	free(buf);

	setup(&x, NULL);
	put(&x, "envs/prod/a.yaml", CM("a"));
	CHECK_INT(render(&x), RG_ENOTFOUND);
	CHECK_STR(errtext(&x.err),
		  "envs/dev: environment dev: the environment path does not "
		  "exist in main@1234567");
	/* the miss is in the dependency log, so creating it re-renders */
	CHECK_INT(x.t->ndeps, 1);
	CHECK_STR(x.t->deps[0].path, "envs/dev");
	CHECK_INT(x.t->deps[0].kind, RG_TREE_MISSING);
	teardown(&x);

	setup(&x, NULL);
	put(&x, "envs/dev", "a file");
	CHECK_INT(render(&x), RG_ENOTFOUND);
	CHECK(strstr(x.err.msg, "not a directory") != NULL);
	teardown(&x);
}

TEST(depth_cap)
{
	struct fx x;
	char path[2048];
	size_t n;

	setup(&x, NULL);
	n = (size_t)snprintf(path, sizeof(path), "envs/dev");
	for (unsigned i = 0; i <= RG_CAP_DIR_DEPTH + 1; i++)
		n += (size_t)snprintf(path + n, sizeof(path) - n, "/d");
	snprintf(path + n, sizeof(path) - n, "/x.yaml");
	put(&x, path, CM("deep"));
	CHECK_INT(render(&x), RG_ELIMIT);
	CHECK(strstr(x.err.msg, "RG_CAP_DIR_DEPTH") != NULL);
	teardown(&x);
}

TEST(many_files_render_fast)
{
	struct fx x;
	char path[64], body[128];

	setup(&x, NULL);
	for (int i = 0; i < 2000; i++) {
		snprintf(path, sizeof(path), "envs/dev/d%02d/f%04d.yaml",
			 i % 50, i);
		snprintf(body, sizeof(body), CM("cm-%d"), i);
		put(&x, path, body);
	}
	CHECK_INT(render(&x), 0);
	CHECK_INT(x.objs.len, 2000);
	CHECK_INT(x.f.len, 0);
	teardown(&x);
}
