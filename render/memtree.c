#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/tree.h"

/*
 * The in-memory tree: a heap array of files sorted by path in byte order.
 * Directories are implicit; the files below "d" are the contiguous run of
 * paths starting with "d/", found by binary search.
 */
struct mfile {
	char *path;
	char *data;
	size_t len;
	enum rg_tree_kind kind;
	char id[RG_SHA1_HEX];
};

struct memtree {
	struct mfile *files;
	size_t len, alloc;
};

/* First index whose path is >= key. */
static size_t lower_bound(const struct memtree *m, const char *key)
{
	size_t lo = 0, hi = m->len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(m->files[mid].path, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct mfile *find_file(const struct memtree *m, const char *path)
{
	size_t i = lower_bound(m, path);

	if (i < m->len && !strcmp(m->files[i].path, path))
		return &m->files[i];
	return NULL;
}

/*
 * The range [*first, *end) of files below dir ("" is the root). Returns
 * false when there are none (so dir is not a directory).
 */
static bool dir_range(const struct memtree *m, const char *dir, size_t *first,
		      size_t *end)
{
	size_t dl = strlen(dir), i;
	char *prefix;

	if (!dl) {
		*first = 0;
		*end = m->len;
		return true;
	}
	prefix = rg_xmalloc(dl + 2);
	memcpy(prefix, dir, dl);
	prefix[dl] = '/';
	prefix[dl + 1] = '\0';
	i = lower_bound(m, prefix);
	*first = i;
	while (i < m->len && !strncmp(m->files[i].path, prefix, dl + 1))
		i++;
	*end = i;
	free(prefix);
	return *end > *first;
}

static int mem_read(void *ctx, struct rg_arena *a, const char *path,
		    const char **data, size_t *len, char id[RG_SHA1_HEX],
		    struct rg_err *err)
{
	const struct memtree *m = ctx;
	const struct mfile *f = find_file(m, path);
	size_t first, end;

	if (!f) {
		if (dir_range(m, path, &first, &end))
			return rg_err_set(err, RG_EINVALID, NULL,
					  "%s is a directory", path);
		return rg_err_set(err, RG_ENOTFOUND, NULL, "%s: no such file",
				  path);
	}
	if (f->kind == RG_TREE_SYMLINK)
		return rg_err_set(err, RG_EUNSAFE, NULL,
				  "%s is a symbolic link; symlinks are never "
				  "followed",
				  path);
	if (f->kind == RG_TREE_SUBMODULE)
		return rg_err_set(
		    err, RG_EUNSUPPORTED, NULL,
		    "%s is a submodule; submodules cannot be read", path);
	if (f->len > RG_CAP_BLOB_BYTES)
		return rg_err_set(err, RG_ELIMIT, NULL,
				  "%s is %zu bytes, more than %u "
				  "(RG_CAP_BLOB_BYTES)",
				  path, f->len, RG_CAP_BLOB_BYTES);
	*data = rg_arena_strndup(a, f->data, f->len);
	*len = f->len;
	memcpy(id, f->id, RG_SHA1_HEX);
	return 0;
}

/* A stable id for a directory listing (not git's tree id). */
static void dir_id(const struct rg_tree_entry *e, size_t n,
		   char id[RG_SHA1_HEX])
{
	struct rg_sha1 c;
	uint8_t md[RG_SHA1_LEN];

	rg_sha1_init(&c);
	for (size_t i = 0; i < n; i++) {
		uint8_t k = e[i].kind;

		rg_sha1_update(&c, e[i].name, strlen(e[i].name) + 1);
		rg_sha1_update(&c, &k, 1);
		rg_sha1_update(&c, e[i].id, strlen(e[i].id) + 1);
	}
	rg_sha1_final(&c, md);
	rg_hex(md, RG_SHA1_LEN, id);
}

static int list_dir(const struct memtree *m, struct rg_arena *a,
		    const char *path, struct rg_tree_entry **out, size_t *n,
		    char id[RG_SHA1_HEX]);

static int mem_list(void *ctx, struct rg_arena *a, const char *path,
		    struct rg_tree_entry **out, size_t *n, char id[RG_SHA1_HEX],
		    struct rg_err *err)
{
	const struct memtree *m = ctx;

	if (path[0] && find_file(m, path))
		return rg_err_set(err, RG_EINVALID, NULL,
				  "%s is not a directory", path);
	if (list_dir(m, a, path, out, n, id) < 0)
		return rg_err_set(err, RG_ENOTFOUND, NULL,
				  "%s: no such directory", path);
	return 0;
}

static int list_dir(const struct memtree *m, struct rg_arena *a,
		    const char *path, struct rg_tree_entry **out, size_t *n,
		    char id[RG_SHA1_HEX])
{
	size_t first, end, skip = path[0] ? strlen(path) + 1 : 0, ne = 0;
	struct rg_tree_entry *e;

	if (!dir_range(m, path, &first, &end) && path[0])
		return RG_ENOTFOUND;
	e = rg_arena_calloc(a, end - first + 1, sizeof(*e));
	for (size_t i = first; i < end; i++) {
		const char *rest = m->files[i].path + skip;
		const char *slash = strchr(rest, '/');
		size_t nl = slash ? (size_t)(slash - rest) : strlen(rest);

		/* files of one subdirectory are adjacent: merge them */
		if (ne && slash && e[ne - 1].kind == RG_TREE_DIR &&
		    strlen(e[ne - 1].name) == nl &&
		    !memcmp(e[ne - 1].name, rest, nl))
			continue;
		e[ne].name = rg_arena_strndup(a, rest, nl);
		if (slash) {
			const char *sub =
			    rg_arena_strndup(a, m->files[i].path, skip + nl);
			struct rg_tree_entry *se;
			size_t sn;

			e[ne].kind = RG_TREE_DIR;
			list_dir(m, a, sub, &se, &sn, e[ne].id);
		} else {
			e[ne].kind = (uint8_t)m->files[i].kind;
			memcpy(e[ne].id, m->files[i].id, RG_SHA1_HEX);
		}
		ne++;
	}
	/*
	 * Paths sort "a-b" before "a/x", so a directory's entries can come
	 * out of name order relative to files; sort the listing by name.
	 */
	for (size_t i = 1; i < ne; i++) {
		struct rg_tree_entry t = e[i];
		size_t j = i;

		while (j > 0 && strcmp(e[j - 1].name, t.name) > 0) {
			e[j] = e[j - 1];
			j--;
		}
		e[j] = t;
	}
	dir_id(e, ne, id);
	*out = e;
	*n = ne;
	return 0;
}

static int mem_stat(void *ctx, const char *path, enum rg_tree_kind *kind,
		    char id[RG_SHA1_HEX])
{
	const struct memtree *m = ctx;
	const struct mfile *f = find_file(m, path);
	size_t first, end;

	id[0] = '\0';
	if (f) {
		*kind = f->kind;
		memcpy(id, f->id, RG_SHA1_HEX);
	} else if (!path[0] || dir_range(m, path, &first, &end)) {
		/* the listing's id, so a recorded listing can be checked
		   against a stat (rcache.h) */
		struct rg_arena *a = rg_arena_new();
		struct rg_tree_entry *e;
		size_t n;

		*kind = RG_TREE_DIR;
		list_dir(m, a, path, &e, &n, id);
		rg_arena_free(a);
	} else {
		*kind = RG_TREE_MISSING;
	}
	return 0;
}

static void mem_free(void *ctx)
{
	struct memtree *m = ctx;

	if (!m)
		return;
	for (size_t i = 0; i < m->len; i++) {
		free(m->files[i].path);
		free(m->files[i].data);
	}
	free(m->files);
	free(m);
}

static const struct rg_tree_ops mem_ops = {
    mem_read,
    mem_list,
    mem_stat,
    mem_free,
};

struct rg_tree *rg_tree_mem_new(struct rg_arena *a, const char *label)
{
	struct memtree *m = rg_xcalloc(1, sizeof(*m));

	return rg_tree_new(a, &mem_ops, m, label ? label : "memory");
}

static struct memtree *mem_of(struct rg_tree *t)
{
	if (t->ops != &mem_ops)
		RG_BUG("rg_tree_mem_* called on a tree that is not in memory");
	return t->ctx;
}

/* Does a file sit where path needs a directory, or the reverse? */
static bool conflicts(const struct memtree *m, const char *path)
{
	size_t first, end;
	char *dir = rg_xstrdup(path);
	char *slash;
	bool bad = dir_range(m, path, &first, &end);

	while (!bad && (slash = strrchr(dir, '/'))) {
		*slash = '\0';
		bad = find_file(m, dir) != NULL;
	}
	free(dir);
	return bad;
}

int rg_tree_mem_put(struct rg_tree *t, const char *path, const char *data,
		    size_t len, enum rg_tree_kind kind)
{
	struct memtree *m = mem_of(t);
	struct mfile *f;
	size_t i;
	int error;

	error = rg_tree_path_check(path, NULL);
	if (error < 0 || !path[0])
		return RG_EUNSAFE;
	if (kind != RG_TREE_FILE && kind != RG_TREE_SYMLINK &&
	    kind != RG_TREE_SUBMODULE)
		return RG_EINVALID;
	i = lower_bound(m, path);
	if (i < m->len && !strcmp(m->files[i].path, path)) {
		f = &m->files[i];
		free(f->data);
	} else {
		if (conflicts(m, path))
			return RG_EEXISTS;
		RG_ALLOC_GROW(m->files, m->len + 1, m->alloc);
		memmove(&m->files[i + 1], &m->files[i],
			(m->len - i) * sizeof(*m->files));
		m->len++;
		f = &m->files[i];
		f->path = rg_xstrdup(path);
	}
	f->data = rg_xmalloc(len + 1);
	if (len)
		memcpy(f->data, data, len);
	f->data[len] = '\0';
	f->len = len;
	f->kind = kind;
	rg_git_blob_id(f->data, len, f->id);
	return 0;
}

int rg_tree_mem_del(struct rg_tree *t, const char *path)
{
	struct memtree *m = mem_of(t);
	size_t i = lower_bound(m, path);

	if (i >= m->len || strcmp(m->files[i].path, path))
		return RG_ENOTFOUND;
	free(m->files[i].path);
	free(m->files[i].data);
	memmove(&m->files[i], &m->files[i + 1],
		(m->len - i - 1) * sizeof(*m->files));
	m->len--;
	return 0;
}
