#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/dirtree.h"
#include "rendergate/fsutil.h"
#include "rendergate/hash.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

struct dirtree {
	int rootfd; /* O_DIRECTORY descriptor of the root */
	bool no_ids; /* rg_dirtree_skip_ids: leave blob ids empty */
	/* the last directory parents_safe found free of symlinks */
	char safe[RG_CAP_PATH_BYTES + 1];
	size_t safelen;
};

/* fstatat without following a final symlink; "" is the root itself. */
static int lstat_rel(struct dirtree *d, const char *path, struct stat *st)
{
	if (!*path)
		return fstat(d->rootfd, st);
	return fstatat(d->rootfd, path, st, AT_SYMLINK_NOFOLLOW);
}

/* ".git" anywhere in the path is hidden, as in a Git tree. */
static bool hidden(const char *path)
{
	const char *p = path;

	while (p) {
		if (!strncmp(p, ".git", 4) && (p[4] == '/' || !p[4]))
			return true;
		p = strchr(p, '/');
		if (p)
			p++;
	}
	return false;
}

/*
 * Check that no directory on the way to path is a symlink, so that
 * "link/file" cannot read outside the root; the final component is
 * checked by the caller.
 */
static int parents_safe(struct dirtree *d, const char *path, struct rg_err *err)
{
	char buf[RG_CAP_PATH_BYTES + 1];
	size_t n = strlen(path);
	struct stat st;

	if (n > RG_CAP_PATH_BYTES)
		return rg_err_set(err, RG_ELIMIT, NULL,
				  "path longer than %u bytes "
				  "(RG_CAP_PATH_BYTES)",
				  RG_CAP_PATH_BYTES);
	memcpy(buf, path, n + 1);
	/*
	 * Files are read directory by directory: the parents of the last
	 * path checked need no second look.
	 */
	if (d->safelen && d->safelen < n && path[d->safelen] == '/' &&
	    !memcmp(path, d->safe, d->safelen) &&
	    !memchr(path + d->safelen + 1, '/', n - d->safelen - 1))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (buf[i] != '/')
			continue;
		buf[i] = '\0';
		if (fstatat(d->rootfd, buf, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode))
			return rg_err_set(err, RG_EUNSAFE, NULL,
					  "%s: is a symbolic link; rendergate "
					  "does not follow symbolic links",
					  buf);
		buf[i] = '/';
	}
	d->safelen = 0;
	if (memrchr(path, '/', n)) {
		d->safelen = (size_t)((const char *)memrchr(path, '/', n) - path);
		memcpy(d->safe, path, d->safelen);
	}
	return 0;
}

static enum rg_tree_kind kind_of(const struct stat *st)
{
	if (S_ISREG(st->st_mode))
		return RG_TREE_FILE;
	if (S_ISDIR(st->st_mode))
		return RG_TREE_DIR;
	if (S_ISLNK(st->st_mode))
		return RG_TREE_SYMLINK;
	return RG_TREE_MISSING;
}

static int dt_read(void *ctx, struct rg_arena *a, const char *path,
		   const char **data, size_t *len, char id[RG_SHA1_HEX],
		   struct rg_err *err)
{
	struct dirtree *d = ctx;
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd = -1, rc = parents_safe(d, path, err);

	if (rc)
		goto out;
	if (hidden(path) || lstat_rel(d, path, &st) < 0) {
		rc = rg_err_set(err, RG_ENOTFOUND, NULL, "%s: no such file",
				path);
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		rc = rg_err_set(err, RG_EUNSAFE, NULL,
				"%s: is a symbolic link; rendergate does not "
				"follow symbolic links",
				path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = rg_err_set(err, RG_EINVALID, NULL,
				"%s: is not a regular file", path);
		goto out;
	}
	if ((uint64_t)st.st_size > RG_CAP_BLOB_BYTES) {
		rc = rg_err_set(err, RG_ELIMIT, NULL,
				"%s: %lld bytes, larger than %u bytes "
				"(RG_CAP_BLOB_BYTES)",
				path, (long long)st.st_size, RG_CAP_BLOB_BYTES);
		goto out;
	}
	fd = openat(d->rootfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		rc = rg_err_set(err, RG_EIO, NULL, "%s: %s", path,
				strerror(errno));
		goto out;
	}
	got = (size_t)st.st_size;
	buf = rg_arena_alloc(a, got + 1);
	rc = rg_fs_read_all(fd, buf, got, path, err);
	if (rc)
		goto out;
	buf[got] = '\0';
	*data = buf;
	*len = got;
	if (!d->no_ids)
		rg_git_blob_id(buf, got, id);
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

static int entry_cmp(const void *x, const void *y)
{
	const struct rg_tree_entry *a = x, *b = y;

	return strcmp(a->name, b->name);
}

static int dt_list(void *ctx, struct rg_arena *a, const char *path,
		   struct rg_tree_entry **out, size_t *n, char id[RG_SHA1_HEX],
		   struct rg_err *err)
{
	struct dirtree *d = ctx;
	struct rg_tree_entry *ents = NULL;
	size_t len = 0, alloc = 0;
	struct dirent *de;
	struct stat st;
	DIR *dir = NULL;
	int fd = -1, rc = parents_safe(d, path, err);

	if (rc)
		goto out;
	if (hidden(path) || lstat_rel(d, path, &st) < 0) {
		rc = rg_err_set(err, RG_ENOTFOUND, NULL,
				"%s: no such directory", path);
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		rc = rg_err_set(err, RG_EUNSAFE, NULL,
				"%s: is a symbolic link; rendergate does not "
				"follow symbolic links",
				path);
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		rc = rg_err_set(err, RG_EINVALID, NULL,
				"%s: is not a directory", path);
		goto out;
	}
	fd = openat(d->rootfd, *path ? path : ".",
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dir) {
		rc = rg_err_set(err, RG_EIO, NULL, "%s: %s", *path ? path : ".",
				strerror(errno));
		goto out;
	}
	fd = -1; /* owned by dir now */
	while ((de = readdir(dir)) != NULL) {
		struct stat es;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !strcmp(de->d_name, ".git"))
			continue;
		/* the entry's type from readdir, when the file system says */
		if (de->d_type == DT_REG)
			es.st_mode = S_IFREG;
		else if (de->d_type == DT_DIR)
			es.st_mode = S_IFDIR;
		else if (de->d_type == DT_LNK)
			es.st_mode = S_IFLNK;
		else if (de->d_type != DT_UNKNOWN)
			continue; /* sockets, fifos, devices: not content */
		else if (fstatat(dirfd(dir), de->d_name, &es,
				 AT_SYMLINK_NOFOLLOW) < 0 ||
			 kind_of(&es) == RG_TREE_MISSING)
			continue;
		if (len >= RG_CAP_ENV_FILES) {
			rc = rg_err_set(err, RG_ELIMIT, NULL,
					"%s: more than %u entries "
					"(RG_CAP_ENV_FILES)",
					path, RG_CAP_ENV_FILES);
			goto out;
		}
		if (len == alloc) {
			size_t na = alloc ? 2 * alloc : 16;

			ents = rg_arena_grow(a, ents, len, na, sizeof(*ents));
			alloc = na;
		}
		ents[len].name = rg_arena_strdup(a, de->d_name);
		ents[len].kind = (uint8_t)kind_of(&es);
		ents[len].id[0] = '\0';
		len++;
	}
	if (len)
		qsort(ents, len, sizeof(*ents), entry_cmp);
	*out = ents ? ents : rg_arena_alloc(a, sizeof(*ents));
	*n = len;
	id[0] = '\0';
out:
	if (dir)
		closedir(dir);
	if (fd >= 0)
		close(fd);
	return rc;
}

static int dt_stat(void *ctx, const char *path, enum rg_tree_kind *kind,
		   char id[RG_SHA1_HEX])
{
	struct dirtree *d = ctx;
	struct stat st;

	*kind = RG_TREE_MISSING;
	id[0] = '\0';
	if (hidden(path) || parents_safe(d, path, NULL))
		return 0;
	if (lstat_rel(d, path, &st) == 0)
		*kind = kind_of(&st);
	return 0;
}

static void dt_free(void *ctx)
{
	struct dirtree *d = ctx;

	if (!d)
		return;
	if (d->rootfd >= 0)
		close(d->rootfd);
	free(d);
}

static const struct rg_tree_ops dirtree_ops = {
    .read = dt_read,
    .list = dt_list,
    .stat = dt_stat,
    .free = dt_free,
};

struct rg_tree *rg_dirtree_new(struct rg_arena *a, const char *root,
			       const char *label, struct rg_err *err)
{
	struct dirtree *d = NULL;
	struct rg_tree *t = NULL;
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		rg_err_set(err, errno == ENOENT ? RG_ENOTFOUND : RG_EIO, NULL,
			   "%s: %s", root, strerror(errno));
		goto out;
	}
	d = rg_xcalloc(1, sizeof(*d));
	d->rootfd = fd;
	t = rg_tree_new(a, &dirtree_ops, d,
			rg_arena_strdup(a, label ? label : root));
out:
	return t;
}

void rg_dirtree_skip_ids(struct rg_tree *t)
{
	((struct dirtree *)t->ctx)->no_ids = true;
}
