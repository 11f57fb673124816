#include "test.h"
#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/tree.h"

static int put(struct rg_tree *t, const char *path, const char *s)
{
	return rg_tree_mem_put(t, path, s, strlen(s), RG_TREE_FILE);
}

TEST(path_check_refuses_escapes)
{
	struct rg_err err = RG_ERR_INIT;

	CHECK_INT(rg_tree_path_check("", &err), 0);
	CHECK_INT(rg_tree_path_check("envs/prod/a.yaml", &err), 0);
	CHECK_INT(rg_tree_path_check("a..b/.c/c..", &err), 0);
	CHECK_INT(rg_tree_path_check("/etc/passwd", &err), RG_EUNSAFE);
	CHECK(strstr(err.msg, "absolute") != NULL);
	CHECK_INT(rg_tree_path_check("envs/../secret", &err), RG_EUNSAFE);
	CHECK(strstr(err.msg, "'..'") != NULL);
	CHECK_INT(rg_tree_path_check("..", &err), RG_EUNSAFE);
	CHECK_INT(rg_tree_path_check("a/..", &err), RG_EUNSAFE);
	CHECK_INT(rg_tree_path_check("./a", &err), RG_EUNSAFE);
	CHECK_INT(rg_tree_path_check("a/./b", &err), RG_EUNSAFE);
	CHECK_INT(rg_tree_path_check("a//b", &err), RG_EUNSAFE);
	CHECK_INT(rg_tree_path_check("a/", &err), RG_EUNSAFE);
	CHECK_INT(rg_tree_path_check(NULL, &err), RG_EUNSAFE);
}

TEST(path_join)
{
	struct rg_arena *a = rg_arena_new();

	CHECK_STR(rg_tree_path_join(a, "", "x.yaml"), "x.yaml");
	CHECK_STR(rg_tree_path_join(a, NULL, "x.yaml"), "x.yaml");
	CHECK_STR(rg_tree_path_join(a, "envs/prod", "x.yaml"),
		  "envs/prod/x.yaml");
	CHECK_STR(rg_tree_path_join(a, "envs", ""), "envs");
	rg_arena_free(a);
}

TEST(mem_read_list_and_ids)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tree *t = rg_tree_mem_new(a, "test");
	struct rg_err err = RG_ERR_INIT;
	struct rg_tree_entry *e = NULL;
	const char *data = NULL;
	size_t len = 0, n = 0;

	CHECK_INT(put(t, "envs/prod/b.yaml", "b: 1\n"), 0);
	CHECK_INT(put(t, "envs/prod/a.yaml", "a: 1\n"), 0);
	CHECK_INT(put(t, "envs/prod-eu/x.yaml", "x"), 0);
	CHECK_INT(put(t, "envs/prod/sub/c.yml", "c"), 0);
	CHECK_INT(put(t, "README", ""), 0);

	CHECK_INT(rg_tree_read(t, "envs/prod/a.yaml", &data, &len, &err), 0);
	CHECK_MEM(data, len, "a: 1\n", 5);
	CHECK_INT(data[len], 0);

	CHECK_INT(rg_tree_list(t, "envs/prod", &e, &n, &err), 0);
	CHECK_INT(n, 3);
	CHECK_STR(e[0].name, "a.yaml");
	CHECK_INT(e[0].kind, RG_TREE_FILE);
	/* git's blob id of "a: 1\n" */
	{
		char want[RG_SHA1_HEX];

		rg_git_blob_id("a: 1\n", 5, want);
		CHECK_STR(e[0].id, want);
	}
	CHECK_STR(e[1].name, "b.yaml");
	CHECK_STR(e[2].name, "sub");
	CHECK_INT(e[2].kind, RG_TREE_DIR);

	CHECK_INT(rg_tree_list(t, "envs", &e, &n, &err), 0);
	CHECK_INT(n, 2);
	CHECK_STR(e[0].name, "prod");
	CHECK_STR(e[1].name, "prod-eu");

	CHECK_INT(rg_tree_list(t, "", &e, &n, &err), 0);
	CHECK_INT(n, 2);
	CHECK_STR(e[0].name, "README");
	CHECK_STR(e[1].name, "envs");

	CHECK_INT(rg_tree_stat(t, "envs"), RG_TREE_DIR);
	CHECK_INT(rg_tree_stat(t, "README"), RG_TREE_FILE);
	CHECK_INT(rg_tree_stat(t, "nope"), RG_TREE_MISSING);
	CHECK_INT(rg_tree_stat(t, ""), RG_TREE_DIR);
	CHECK_INT(rg_tree_stat(t, "../x"), RG_TREE_MISSING);
	rg_tree_free(t);
	rg_arena_free(a);
}

TEST(mem_errors)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tree *t = rg_tree_mem_new(a, NULL);
	struct rg_err err = RG_ERR_INIT;
	struct rg_tree_entry *e = NULL;
	const char *data = NULL;
	size_t len = 0, n = 0;

	CHECK_INT(put(t, "d/f", "x"), 0);
	CHECK_INT(rg_tree_mem_put(t, "d/link", "f", 1, RG_TREE_SYMLINK), 0);
	CHECK_INT(rg_tree_mem_put(t, "d/mod", "", 0, RG_TREE_SUBMODULE), 0);
	/* a file where a directory is, and the reverse */
	CHECK_INT(put(t, "d", "x"), RG_EEXISTS);
	CHECK_INT(put(t, "d/f/g", "x"), RG_EEXISTS);
	CHECK_INT(put(t, "../x", "x"), RG_EUNSAFE);

	CHECK_INT(rg_tree_read(t, "d/link", &data, &len, &err), RG_EUNSAFE);
	CHECK_INT(rg_tree_read(t, "d/mod", &data, &len, &err),
		  RG_EUNSUPPORTED);
	CHECK_INT(rg_tree_read(t, "d", &data, &len, &err), RG_EINVALID);
	CHECK_INT(rg_tree_read(t, "nope", &data, &len, &err), RG_ENOTFOUND);
	CHECK_INT(rg_tree_read(t, "/d/f", &data, &len, &err), RG_EUNSAFE);
	CHECK_INT(rg_tree_read(t, "d/../d/f", &data, &len, &err), RG_EUNSAFE);
	CHECK_INT(rg_tree_list(t, "d/f", &e, &n, &err), RG_EINVALID);
	CHECK_INT(rg_tree_list(t, "x", &e, &n, &err), RG_ENOTFOUND);
	CHECK_INT(rg_tree_list(t, "d", &e, &n, &err), 0);
	CHECK_INT(n, 3);
	CHECK_INT(e[1].kind, RG_TREE_SYMLINK);
	CHECK_INT(e[2].kind, RG_TREE_SUBMODULE);

	CHECK_INT(rg_tree_mem_del(t, "d/link"), 0);
	CHECK_INT(rg_tree_mem_del(t, "d/link"), RG_ENOTFOUND);
	CHECK_INT(rg_tree_stat(t, "d/link"), RG_TREE_MISSING);
	rg_tree_free(t);
	rg_arena_free(a);
}

TEST(dependency_log_records_reads_lists_and_misses)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tree *t = rg_tree_mem_new(a, "log");
	struct rg_err err = RG_ERR_INIT;
	struct rg_tree_entry *e = NULL;
	const char *data = NULL;
	size_t len = 0, n = 0;

	put(t, "a/b.yaml", "x: 1\n");
	CHECK_INT(rg_tree_list(t, "a", &e, &n, &err), 0);
	CHECK_INT(rg_tree_read(t, "a/b.yaml", &data, &len, &err), 0);
	CHECK_INT(rg_tree_read(t, "a/missing.yaml", &data, &len, &err),
		  RG_ENOTFOUND);
	CHECK_INT(t->ndeps, 3);
	CHECK_STR(t->deps[0].path, "a");
	CHECK(t->deps[0].listed);
	CHECK_INT(t->deps[0].kind, RG_TREE_DIR);
	CHECK_STR(t->deps[1].path, "a/b.yaml");
	CHECK(!t->deps[1].listed);
	CHECK_INT(t->deps[1].kind, RG_TREE_FILE);
	CHECK_INT(strlen(t->deps[1].id), 40);
	CHECK_STR(t->deps[2].path, "a/missing.yaml");
	CHECK_INT(t->deps[2].kind, RG_TREE_MISSING);
	CHECK_INT(t->bytes_read, 5);

	/* a directory id changes when a file below it changes */
	{
		char before[RG_SHA1_HEX];

		memcpy(before, t->deps[0].id, RG_SHA1_HEX);
		put(t, "a/b.yaml", "x: 2\n");
		rg_tree_deps_reset(t);
		CHECK_INT(t->ndeps, 0);
		CHECK_INT(rg_tree_list(t, "a", &e, &n, &err), 0);
		CHECK(strcmp(before, t->deps[0].id) != 0);
	}

	t->recording = false;
	CHECK_INT(rg_tree_read(t, "a/b.yaml", &data, &len, &err), 0);
	CHECK_INT(t->ndeps, 1);
	rg_tree_free(t);
	rg_arena_free(a);
}

TEST(blob_and_render_byte_caps)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tree *t = rg_tree_mem_new(a, "big");
	struct rg_err err = RG_ERR_INIT;
	size_t big = RG_CAP_BLOB_BYTES + 1, len = 0;
	char *buf = rg_xcalloc(1, big);
	const char *data = NULL;

	memset(buf, 'a', big);
	CHECK_INT(rg_tree_mem_put(t, "huge.yaml", buf, big, RG_TREE_FILE), 0);
	CHECK_INT(rg_tree_read(t, "huge.yaml", &data, &len, &err), RG_ELIMIT);
	CHECK(strstr(err.msg, "RG_CAP_BLOB_BYTES") != NULL);
	free(buf);

	CHECK_INT(put(t, "small", "12345"), 0);
	t->bytes_read = RG_CAP_RENDER_READ_BYTES - 4;
	CHECK_INT(rg_tree_read(t, "small", &data, &len, &err), RG_ELIMIT);
	CHECK(strstr(err.msg, "RG_CAP_RENDER_READ_BYTES") != NULL);
	t->bytes_read = RG_CAP_RENDER_READ_BYTES - 5;
	CHECK_INT(rg_tree_read(t, "small", &data, &len, &err), 0);
	rg_tree_free(t);
	rg_arena_free(a);
}
