#include "test.h"
#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/dirtree.h"
#include "rendergate/gittree.h"
#include "rendergate/hash.h"
#include "rendergate/repo.h"

#include <sys/stat.h>
#include <unistd.h>

/*
 * A repository built with libgit2 in a temp dir:
 *   a.yaml                "a: 1\n"
 *   dir/b.yml             "b: 2\n"
 *   dir/sub/c.yaml        "c\0d" (a NUL byte)
 *   link -> a.yaml        (symlink, 120000)
 *   mod                   (gitlink, 160000)
 *   big.yaml              RG_CAP_BLOB_BYTES + 1 bytes
 * and a second commit that changes dir/b.yml and removes a.yaml.
 */
struct fixture {
	char dir[256];
	git_repository *repo;
	git_oid tree1, tree2;
};

static void rm_rf(const char *dir)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

static int blob(git_oid *out, git_repository *r, const char *s, size_t n)
{
	return git_blob_create_from_buffer(out, r, s, n);
}

static int sub_tree(git_oid *out, git_repository *r, const char *name,
		    const git_oid *id, git_filemode_t mode)
{
	git_treebuilder *tb = NULL;
	int rc = git_treebuilder_new(&tb, r, NULL);

	if (!rc)
		rc = git_treebuilder_insert(NULL, tb, name, id, mode);
	if (!rc)
		rc = git_treebuilder_write(out, tb);
	git_treebuilder_free(tb);
	return rc;
}

static int build(struct fixture *f, bool second)
{
	git_treebuilder *tb = NULL;
	git_oid a, b, c, link, mod, big, sub, dir;
	char *bigdata = rg_xcalloc(1, RG_CAP_BLOB_BYTES + 1);
	int rc = 0;

	memset(bigdata, 'x', RG_CAP_BLOB_BYTES + 1);
	rc |= blob(&a, f->repo, "a: 1\n", 5);
	rc |= blob(&b, f->repo, second ? "b: 3\n" : "b: 2\n", 5);
	rc |= blob(&c, f->repo, "c\0d", 3);
	rc |= blob(&link, f->repo, "a.yaml", 6);
	rc |= blob(&big, f->repo, bigdata, RG_CAP_BLOB_BYTES + 1);
	free(bigdata);
	rc |= git_oid_fromstr(&mod, "1234567890123456789012345678901234567890");
	rc |= sub_tree(&sub, f->repo, "c.yaml", &c, GIT_FILEMODE_BLOB);
	rc |= git_treebuilder_new(&tb, f->repo, NULL);
	rc |= git_treebuilder_insert(NULL, tb, "b.yml", &b, GIT_FILEMODE_BLOB);
	rc |= git_treebuilder_insert(NULL, tb, "sub", &sub, GIT_FILEMODE_TREE);
	rc |= git_treebuilder_write(&dir, tb);
	git_treebuilder_free(tb);
	rc |= git_treebuilder_new(&tb, f->repo, NULL);
	if (!second)
		rc |= git_treebuilder_insert(NULL, tb, "a.yaml", &a,
					     GIT_FILEMODE_BLOB);
	rc |= git_treebuilder_insert(NULL, tb, "dir", &dir, GIT_FILEMODE_TREE);
	rc |=
	    git_treebuilder_insert(NULL, tb, "link", &link, GIT_FILEMODE_LINK);
	rc |=
	    git_treebuilder_insert(NULL, tb, "mod", &mod, GIT_FILEMODE_COMMIT);
	rc |= git_treebuilder_insert(NULL, tb, "big.yaml", &big,
				     GIT_FILEMODE_BLOB);
	rc |= git_treebuilder_write(second ? &f->tree2 : &f->tree1, tb);
	git_treebuilder_free(tb);
	return rc;
}

static int setup(struct fixture *f)
{
	const char *tmp = getenv("TMPDIR");

	git_libgit2_init();
	snprintf(f->dir, sizeof(f->dir), "%s/rg-gittree-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->dir))
		return -1;
	if (git_repository_init(&f->repo, f->dir, true) < 0)
		return -1;
	return build(f, false) || build(f, true) ? -1 : 0;
}

static void teardown(struct fixture *f)
{
	git_repository_free(f->repo);
	rm_rf(f->dir);
	git_libgit2_shutdown();
}

TEST(gittree_read_list_stat)
{
	struct fixture f;
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_tree *t;
	struct rg_tree_entry *ents = NULL;
	const char *data = NULL;
	size_t len = 0, n = 0;
	char want[RG_SHA1_HEX];

	CHECK_INT(setup(&f), 0);
	t = rg_gittree_new(a, f.repo, &f.tree1, "main@test", &err);
	CHECK(t != NULL);
	CHECK_STR(t->label, "main@test");
	CHECK_INT(rg_tree_read(t, "a.yaml", &data, &len, &err), 0);
	CHECK_MEM(data, len, "a: 1\n", 5);
	CHECK_INT(rg_tree_read(t, "dir/sub/c.yaml", &data, &len, &err), 0);
	CHECK_MEM(data, len, "c\0d", 3);
	CHECK_INT(data[3], 0);
	rg_git_blob_id("c\0d", 3, want);
	CHECK_STR(t->deps[t->ndeps - 1].id, want);

	CHECK_INT(rg_tree_list(t, "", &ents, &n, &err), 0);
	CHECK_INT(n, 5);
	/* byte order, not git's "dir/" order */
	CHECK_STR(ents[0].name, "a.yaml");
	CHECK_STR(ents[1].name, "big.yaml");
	CHECK_STR(ents[2].name, "dir");
	CHECK_INT(ents[2].kind, RG_TREE_DIR);
	CHECK_STR(ents[3].name, "link");
	CHECK_INT(ents[3].kind, RG_TREE_SYMLINK);
	CHECK_STR(ents[4].name, "mod");
	CHECK_INT(ents[4].kind, RG_TREE_SUBMODULE);
	CHECK_STR(ents[4].id, "1234567890123456789012345678901234567890");
	CHECK_INT(rg_tree_list(t, "dir", &ents, &n, &err), 0);
	CHECK_INT(n, 2);
	CHECK_STR(ents[0].name, "b.yml");
	CHECK_STR(ents[1].name, "sub");

	CHECK_INT(rg_tree_stat(t, "dir/sub"), RG_TREE_DIR);
	CHECK_INT(rg_tree_stat(t, "dir/b.yml"), RG_TREE_FILE);
	CHECK_INT(rg_tree_stat(t, "nope"), RG_TREE_MISSING);
	CHECK_INT(rg_tree_stat(t, "a.yaml/x"), RG_TREE_MISSING);
	rg_tree_free(t);
	rg_arena_free(a);
	teardown(&f);
}

TEST(gittree_refusals)
{
	struct fixture f;
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_tree *t;
	struct rg_tree_entry *ents = NULL;
	const char *data = NULL;
	size_t len = 0, n = 0;

	CHECK_INT(setup(&f), 0);
	t = rg_gittree_new(a, f.repo, &f.tree1, "t", &err);
	CHECK(t != NULL);
	CHECK_INT(rg_tree_read(t, "link", &data, &len, &err), RG_EUNSAFE);
	CHECK(strstr(err.msg, "symbolic link") != NULL);
	CHECK_INT(rg_tree_read(t, "mod", &data, &len, &err), RG_EUNSUPPORTED);
	CHECK(strstr(err.msg, "submodule") != NULL);
	CHECK_INT(rg_tree_read(t, "dir", &data, &len, &err), RG_EINVALID);
	CHECK_INT(rg_tree_read(t, "missing.yaml", &data, &len, &err),
		  RG_ENOTFOUND);
	CHECK_INT(rg_tree_read(t, "big.yaml", &data, &len, &err), RG_ELIMIT);
	CHECK(strstr(err.msg, "RG_CAP_BLOB_BYTES") != NULL);
	CHECK_INT(rg_tree_read(t, "../a.yaml", &data, &len, &err), RG_EUNSAFE);
	CHECK_INT(rg_tree_list(t, "a.yaml", &ents, &n, &err), RG_EINVALID);
	CHECK_INT(rg_tree_list(t, "nodir", &ents, &n, &err), RG_ENOTFOUND);
	rg_tree_free(t);
	rg_arena_free(a);
	teardown(&f);
}

TEST(gittree_missing_tree)
{
	struct fixture f;
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	git_oid bogus;

	CHECK_INT(setup(&f), 0);
	git_oid_fromstr(&bogus, "abababababababababababababababababababab");
	CHECK(rg_gittree_new(a, f.repo, &bogus, "t", &err) == NULL);
	CHECK_INT(err.code, RG_ENOTFOUND);
	rg_arena_free(a);
	teardown(&f);
}

TEST(repo_changed_paths)
{
	struct fixture f;
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	const char **paths = NULL;
	size_t n = 0;

	CHECK_INT(setup(&f), 0);
	CHECK_INT(rg_repo_changed_paths(&paths, &n, a, f.repo, &f.tree1,
					&f.tree2, &err),
		  0);
	CHECK_INT(n, 2);
	CHECK_STR(paths[0], "a.yaml");
	CHECK_STR(paths[1], "dir/b.yml");
	/* from the empty tree: every file, submodule and symlink */
	CHECK_INT(
	    rg_repo_changed_paths(&paths, &n, a, f.repo, NULL, &f.tree1, &err),
	    0);
	CHECK_INT(n, 6);
	CHECK_STR(paths[5], "mod");
	rg_arena_free(a);
	teardown(&f);
}

static int write_file(const char *path, const char *s)
{
	FILE *fp = fopen(path, "w");

	if (!fp)
		return -1;
	fputs(s, fp);
	return fclose(fp);
}

TEST(dirtree_basics)
{
	char dir[256], p[512];
	const char *tmp = getenv("TMPDIR");
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_tree *t;
	struct rg_tree_entry *ents = NULL;
	const char *data = NULL;
	size_t len = 0, n = 0;
	char want[RG_SHA1_HEX];

	snprintf(dir, sizeof(dir), "%s/rg-dirtree-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	CHECK(mkdtemp(dir) != NULL);
	snprintf(p, sizeof(p), "%s/x.yaml", dir);
	CHECK_INT(write_file(p, "x: 1\n"), 0);
	snprintf(p, sizeof(p), "%s/.git", dir);
	CHECK_INT(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/d", dir);
	CHECK_INT(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/d/y.yaml", dir);
	CHECK_INT(write_file(p, "y: 2\n"), 0);
	snprintf(p, sizeof(p), "%s/ln", dir);
	CHECK_INT(symlink("d", p), 0);

	t = rg_dirtree_new(a, dir, "disk", &err);
	CHECK(t != NULL);
	CHECK_INT(rg_tree_read(t, "x.yaml", &data, &len, &err), 0);
	CHECK_STR(data, "x: 1\n");
	rg_git_blob_id("x: 1\n", 5, want);
	CHECK_STR(t->deps[0].id, want);
	CHECK_INT(rg_tree_list(t, "", &ents, &n, &err), 0);
	CHECK_INT(n, 3); /* .git hidden */
	CHECK_STR(ents[0].name, "d");
	CHECK_STR(ents[1].name, "ln");
	CHECK_INT(ents[1].kind, RG_TREE_SYMLINK);
	CHECK_INT(rg_tree_read(t, "ln/y.yaml", &data, &len, &err), RG_EUNSAFE);
	CHECK_INT(rg_tree_read(t, "ln", &data, &len, &err), RG_EUNSAFE);
	CHECK_INT(rg_tree_list(t, "ln", &ents, &n, &err), RG_EUNSAFE);
	CHECK_INT(rg_tree_read(t, "d/y.yaml", &data, &len, &err), 0);
	/* d/ found safe is remembered; that must not let ln/ through */
	CHECK_INT(rg_tree_read(t, "ln/y.yaml", &data, &len, &err), RG_EUNSAFE);
	CHECK_INT(rg_tree_read(t, "d/y.yaml", &data, &len, &err), 0);
	CHECK_INT(rg_tree_stat(t, ".git"), RG_TREE_MISSING);
	CHECK(rg_dirtree_new(a, "/nonexistent/rg", "x", &err) == NULL);
	rg_tree_free(t);
	rg_arena_free(a);
	rm_rf(dir);
}
