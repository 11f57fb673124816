#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/gittree.h"

struct gittree {
	git_repository *repo; /* borrowed */
	git_odb *odb;	      /* owned */
	git_tree *root;	      /* owned */
};

static int git_fail(struct rg_err *err, int code, const char *what,
		    const char *path)
{
	const git_error *e = git_error_last();

	return rg_err_set(err, code, NULL, "%s %s: %s", what, path,
			  e && e->message ? e->message : "libgit2 error");
}

static enum rg_tree_kind kind_of(git_filemode_t mode)
{
	switch (mode) {
	case GIT_FILEMODE_TREE:
		return RG_TREE_DIR;
	case GIT_FILEMODE_LINK:
		return RG_TREE_SYMLINK;
	case GIT_FILEMODE_COMMIT:
		return RG_TREE_SUBMODULE;
	case GIT_FILEMODE_BLOB:
	case GIT_FILEMODE_BLOB_EXECUTABLE:
		return RG_TREE_FILE;
	default:
		return RG_TREE_MISSING;
	}
}

static void oid_hex(const git_oid *oid, char id[RG_SHA1_HEX])
{
	git_oid_tostr(id, RG_SHA1_HEX, oid);
}

/*
 * Look up path: *entry is an owned copy (NULL for the root "").
 * RG_ENOTFOUND if nothing is there.
 */
static int lookup(struct gittree *g, const char *path, git_tree_entry **entry,
		  struct rg_err *err)
{
	int rc;

	*entry = NULL;
	if (!*path)
		return 0;
	rc = git_tree_entry_bypath(entry, g->root, path);
	if (rc == GIT_ENOTFOUND)
		return rg_err_set(err, RG_ENOTFOUND, NULL, "%s: no such file",
				  path);
	if (rc < 0)
		return git_fail(err, RG_EIO, "cannot look up", path);
	return 0;
}

static int gt_read(void *ctx, struct rg_arena *a, const char *path,
		   const char **data, size_t *len, char id[RG_SHA1_HEX],
		   struct rg_err *err)
{
	struct gittree *g = ctx;
	git_tree_entry *e = NULL;
	git_blob *blob = NULL;
	const git_oid *oid;
	git_object_t type = GIT_OBJECT_INVALID;
	size_t size = 0;
	int rc = lookup(g, path, &e, err);

	if (rc)
		goto out;
	if (!e) {
		rc = rg_err_set(err, RG_EINVALID, NULL,
				"the root is a directory, not a file");
		goto out;
	}
	switch (kind_of(git_tree_entry_filemode(e))) {
	case RG_TREE_FILE:
		break;
	case RG_TREE_SYMLINK:
		rc = rg_err_set(err, RG_EUNSAFE, NULL,
				"%s: is a symbolic link; rendergate does not "
				"follow symbolic links",
				path);
		goto out;
	case RG_TREE_SUBMODULE:
		rc = rg_err_set(err, RG_EUNSUPPORTED, NULL,
				"%s: is a submodule; rendergate does not read "
				"submodules",
				path);
		goto out;
	case RG_TREE_DIR:
		rc = rg_err_set(err, RG_EINVALID, NULL,
				"%s: is a directory, not a file", path);
		goto out;
	default:
		rc = rg_err_set(err, RG_EINVALID, NULL,
				"%s: has an unknown file mode %o", path,
				(unsigned)git_tree_entry_filemode(e));
		goto out;
	}
	oid = git_tree_entry_id(e);
	if (git_odb_read_header(&size, &type, g->odb, oid) < 0) {
		rc = git_fail(err, RG_EIO, "cannot read", path);
		goto out;
	}
	if (size > RG_CAP_BLOB_BYTES) {
		rc = rg_err_set(err, RG_ELIMIT, NULL,
				"%s: %zu bytes, larger than %u bytes "
				"(RG_CAP_BLOB_BYTES)",
				path, size, RG_CAP_BLOB_BYTES);
		goto out;
	}
	if (git_blob_lookup(&blob, g->repo, oid) < 0) {
		rc = git_fail(err, RG_EIO, "cannot read", path);
		goto out;
	}
	size = (size_t)git_blob_rawsize(blob);
	*data = rg_arena_strndup(a, git_blob_rawcontent(blob), size);
	*len = size;
	oid_hex(oid, id);
out:
	git_blob_free(blob);
	git_tree_entry_free(e);
	return rc;
}

static int entry_cmp(const void *x, const void *y)
{
	const struct rg_tree_entry *a = x, *b = y;

	return strcmp(a->name, b->name);
}

static int gt_list(void *ctx, struct rg_arena *a, const char *path,
		   struct rg_tree_entry **out, size_t *n, char id[RG_SHA1_HEX],
		   struct rg_err *err)
{
	struct gittree *g = ctx;
	git_tree_entry *e = NULL;
	git_tree *sub = NULL;
	const git_tree *t = g->root;
	struct rg_tree_entry *ents;
	size_t count;
	int rc = lookup(g, path, &e, err);

	if (rc)
		goto out;
	if (e) {
		if (git_tree_entry_type(e) != GIT_OBJECT_TREE) {
			rc = rg_err_set(err, RG_EINVALID, NULL,
					"%s: is not a directory", path);
			goto out;
		}
		if (git_tree_lookup(&sub, g->repo, git_tree_entry_id(e)) < 0) {
			rc = git_fail(err, RG_EIO, "cannot list", path);
			goto out;
		}
		t = sub;
	}
	count = git_tree_entrycount(t);
	ents = rg_arena_calloc(a, count ? count : 1, sizeof(*ents));
	for (size_t i = 0; i < count; i++) {
		const git_tree_entry *te = git_tree_entry_byindex(t, i);

		ents[i].name = rg_arena_strdup(a, git_tree_entry_name(te));
		ents[i].kind = (uint8_t)kind_of(git_tree_entry_filemode(te));
		oid_hex(git_tree_entry_id(te), ents[i].id);
	}
	/* git orders a directory as if its name ended in '/'; we want bytes */
	qsort(ents, count, sizeof(*ents), entry_cmp);
	*out = ents;
	*n = count;
	oid_hex(git_tree_id(t), id);
out:
	git_tree_free(sub);
	git_tree_entry_free(e);
	return rc;
}

static int gt_stat(void *ctx, const char *path, enum rg_tree_kind *kind,
		   char id[RG_SHA1_HEX])
{
	struct gittree *g = ctx;
	git_tree_entry *e = NULL;
	int rc = lookup(g, path, &e, NULL);

	*kind = RG_TREE_MISSING;
	id[0] = '\0';
	if (rc == RG_ENOTFOUND) {
		rc = 0;
		goto out;
	}
	if (rc)
		goto out;
	if (!e) {
		*kind = RG_TREE_DIR;
		oid_hex(git_tree_id(g->root), id);
		goto out;
	}
	*kind = kind_of(git_tree_entry_filemode(e));
	oid_hex(git_tree_entry_id(e), id);
out:
	git_tree_entry_free(e);
	return rc;
}

static void gt_free(void *ctx)
{
	struct gittree *g = ctx;

	if (!g)
		return;
	git_tree_free(g->root);
	git_odb_free(g->odb);
	free(g);
}

static const struct rg_tree_ops gittree_ops = {
    .read = gt_read,
    .list = gt_list,
    .stat = gt_stat,
    .free = gt_free,
};

struct rg_tree *rg_gittree_new(struct rg_arena *a, git_repository *repo,
			       const git_oid *tree_id, const char *label,
			       struct rg_err *err)
{
	struct gittree *g = rg_xcalloc(1, sizeof(*g));
	struct rg_tree *t = NULL;
	char hex[RG_SHA1_HEX];
	int rc;

	g->repo = repo;
	oid_hex(tree_id, hex);
	if (git_repository_odb(&g->odb, repo) < 0) {
		git_fail(err, RG_EIO, "cannot open the object database for",
			 hex);
		goto out;
	}
	rc = git_tree_lookup(&g->root, repo, tree_id);
	if (rc < 0) {
		git_fail(err, rc == GIT_ENOTFOUND ? RG_ENOTFOUND : RG_EIO,
			 "cannot read tree", hex);
		goto out;
	}
	t = rg_tree_new(a, &gittree_ops, g, rg_arena_strdup(a, label));
	g = NULL; /* the tree owns it now */
out:
	gt_free(g);
	return t;
}

struct rg_tree *rg_gittree_empty(struct rg_arena *a, const char *label)
{
	return rg_tree_mem_new(a, label);
}
