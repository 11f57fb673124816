#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/tree.h"

struct rg_tree *rg_tree_new(struct rg_arena *a, const struct rg_tree_ops *ops,
			    void *ctx, const char *label)
{
	struct rg_tree *t = rg_arena_alloc(a, sizeof(*t));

	t->ops = ops;
	t->ctx = ctx;
	t->arena = a;
	t->label = rg_arena_strdup(a, label ? label : "tree");
	t->recording = true;
	return t;
}

void rg_tree_free(struct rg_tree *t)
{
	if (!t)
		return;
	if (t->ops && t->ops->free)
		t->ops->free(t->ctx);
	t->ctx = NULL;
}

int rg_tree_path_check(const char *path, struct rg_err *err)
{
	const char *p = path, *comp;
	size_t len;

	if (!path)
		return rg_err_set(err, RG_EUNSAFE, NULL, "missing path");
	len = strlen(path);
	if (len == 0)
		return 0;
	if (len > RG_CAP_PATH_BYTES)
		return rg_err_set(
		    err, RG_EUNSAFE, NULL,
		    "path longer than %u bytes (RG_CAP_PATH_BYTES)",
		    RG_CAP_PATH_BYTES);
	if (path[0] == '/')
		return rg_err_set(
		    err, RG_EUNSAFE, NULL,
		    "path '%s' is absolute; paths are relative to "
		    "the repository root",
		    path);
	for (comp = p;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		len = (size_t)(p - comp);
		if (len == 0)
			return rg_err_set(err, RG_EUNSAFE, NULL,
					  "path '%s' has an empty component",
					  path);
		if (len == 1 && comp[0] == '.')
			return rg_err_set(err, RG_EUNSAFE, NULL,
					  "path '%s' has a '.' component",
					  path);
		if (len == 2 && comp[0] == '.' && comp[1] == '.')
			return rg_err_set(
			    err, RG_EUNSAFE, NULL,
			    "path '%s' has a '..' component; paths "
			    "cannot leave the repository",
			    path);
		if (*p == '\0')
			break;
		comp = p + 1;
	}
	return 0;
}

const char *rg_tree_path_join(struct rg_arena *a, const char *dir,
			      const char *name)
{
	if (!dir || !dir[0])
		return rg_arena_strdup(a, name);
	if (!name || !name[0])
		return rg_arena_strdup(a, dir);
	return rg_arena_printf(a, "%s/%s", dir, name);
}

static void record(struct rg_tree *t, const char *path, enum rg_tree_kind kind,
		   bool listed, const char *id)
{
	struct rg_tree_dep *d;

	if (!t->recording)
		return;
	if (t->ndeps >= t->deps_alloc) {
		size_t n = t->deps_alloc ? t->deps_alloc * 2 : 32;

		t->deps = rg_arena_grow(t->arena, t->deps, t->ndeps, n,
					sizeof(*t->deps));
		t->deps_alloc = n;
	}
	d = &t->deps[t->ndeps++];
	d->path = rg_arena_strdup(t->arena, path);
	d->kind = (uint8_t)kind;
	d->listed = listed;
	snprintf(d->id, sizeof(d->id), "%s", id ? id : "");
}

/* What a failed lookup says about the path, for the dependency log. */
static int failure_kind(int code)
{
	switch (code) {
	case RG_ENOTFOUND:
		return RG_TREE_MISSING;
	case RG_EUNSAFE:
		return RG_TREE_SYMLINK;
	case RG_EUNSUPPORTED:
		return RG_TREE_SUBMODULE;
	case RG_EINVALID:
		return RG_TREE_DIR;
	default:
		return -1;
	}
}

int rg_tree_read(struct rg_tree *t, const char *path, const char **data,
		 size_t *len, struct rg_err *err)
{
	char id[RG_SHA1_HEX] = "";
	const char *d = NULL;
	size_t n = 0;
	int error, fk;

	error = rg_tree_path_check(path, err);
	if (error < 0)
		goto out;
	error = t->ops->read(t->ctx, t->arena, path, &d, &n, id, err);
	if (error < 0) {
		fk = failure_kind(error);
		if (fk >= 0)
			record(t, path, (enum rg_tree_kind)fk, false, "");
		goto out;
	}
	if (n > RG_CAP_RENDER_READ_BYTES - t->bytes_read) {
		error = rg_err_set(err, RG_ELIMIT, NULL,
				   "%s: reading it would pass %u bytes read in "
				   "one render (RG_CAP_RENDER_READ_BYTES)",
				   path, RG_CAP_RENDER_READ_BYTES);
		goto out;
	}
	t->bytes_read += n;
	record(t, path, RG_TREE_FILE, false, id);
	*data = d;
	*len = n;
out:
	return error;
}

int rg_tree_list(struct rg_tree *t, const char *path,
		 struct rg_tree_entry **out, size_t *n, struct rg_err *err)
{
	char id[RG_SHA1_HEX] = "";
	struct rg_tree_entry *e = NULL;
	size_t ne = 0;
	int error, fk;

	error = rg_tree_path_check(path, err);
	if (error < 0)
		goto out;
	error = t->ops->list(t->ctx, t->arena, path, &e, &ne, id, err);
	if (error < 0) {
		fk = failure_kind(error);
		if (fk >= 0 && error != RG_EINVALID)
			record(t, path, (enum rg_tree_kind)fk, true, "");
		goto out;
	}
	record(t, path, RG_TREE_DIR, true, id);
	*out = e;
	*n = ne;
out:
	return error;
}

enum rg_tree_kind rg_tree_stat(struct rg_tree *t, const char *path)
{
	char id[RG_SHA1_HEX];

	return rg_tree_stat_id(t, path, id);
}

enum rg_tree_kind rg_tree_stat_id(struct rg_tree *t, const char *path,
				  char id[RG_SHA1_HEX])
{
	enum rg_tree_kind kind = RG_TREE_MISSING;

	id[0] = '\0';
	if (rg_tree_path_check(path, NULL) < 0)
		return RG_TREE_MISSING;
	if (t->ops->stat(t->ctx, path, &kind, id) < 0) {
		id[0] = '\0';
		return RG_TREE_MISSING;
	}
	return kind;
}

void rg_tree_deps_add(struct rg_tree *t, const struct rg_tree_dep *d)
{
	record(t, d->path, (enum rg_tree_kind)d->kind, d->listed, d->id);
}

bool rg_tree_deps_hold(struct rg_tree *t, const struct rg_tree_dep *deps,
		       size_t n, size_t *checked)
{
	for (size_t i = 0; i < n; i++) {
		const struct rg_tree_dep *d = &deps[i];
		char id[RG_SHA1_HEX];
		enum rg_tree_kind kind;

		if (d->kind != RG_TREE_MISSING && !d->id[0])
			return false;
		if (checked)
			(*checked)++;
		kind = rg_tree_stat_id(t, d->path, id);
		if (kind != (enum rg_tree_kind)d->kind)
			return false;
		if (kind != RG_TREE_MISSING && strcmp(id, d->id))
			return false;
	}
	return true;
}

void rg_tree_deps_reset(struct rg_tree *t)
{
	t->ndeps = 0;
	t->bytes_read = 0;
}
