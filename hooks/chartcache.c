/*
 * chartcache.c - `rendergate chart-cache` and the cache's tree view
 * (chartcache.h).
 */
#include "rendergate/compat.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/chartcache.h"
#include "rendergate/config.h"
#include "rendergate/dirtree.h"
#include "rendergate/fsutil.h"
#include "rendergate/helm.h"
#include "rendergate/serverconf.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rendergate chart-cache [--dir DIR] [--config FILE] add "
		"REPO_URL NAME VERSION FILE.tgz\n"
		"\n"
		"Put a packaged chart into the chart cache the hook renders "
		"releases with\n`repo:` from (DIR/<repo key>/NAME/VERSION.tgz; "
		"see rendergate-config(5)).\nDIR defaults to chart_cache_dir of "
		"the server config.\n");
}

/*
 * The cache tree opens a directory view for each operation and closes it
 * again, so the tree holds no descriptor or heap memory and can live in
 * the run's arena with the repo config that points at it (nothing to
 * free when the run ends). A chart needs a few dozen operations.
 */
struct cache {
	struct rg_arena *a;
	const char *dir;
};

static struct rg_tree *view(struct cache *c, struct rg_err *err)
{
	return rg_dirtree_new(c->a, c->dir, "chart-cache", err);
}

static int cc_read(void *ctx, struct rg_arena *a, const char *path,
		   const char **data, size_t *len, char id[RG_SHA1_HEX],
		   struct rg_err *err)
{
	struct rg_tree *t = view(ctx, err);
	int rc;

	if (!t)
		return err->code;
	rc = t->ops->read(t->ctx, a, path, data, len, id, err);
	rg_tree_free(t);
	return rc;
}

static int cc_list(void *ctx, struct rg_arena *a, const char *path,
		   struct rg_tree_entry **out, size_t *n, char id[RG_SHA1_HEX],
		   struct rg_err *err)
{
	struct rg_tree *t = view(ctx, err);
	int rc;

	if (!t)
		return err->code;
	rc = t->ops->list(t->ctx, a, path, out, n, id, err);
	rg_tree_free(t);
	return rc;
}

static int cc_stat(void *ctx, const char *path, enum rg_tree_kind *kind,
		   char id[RG_SHA1_HEX])
{
	struct rg_err err = RG_ERR_INIT;
	struct rg_tree *t = view(ctx, &err);
	int rc = 0;

	*kind = RG_TREE_MISSING;
	if (!t)
		return 0;
	rc = t->ops->stat(t->ctx, path, kind, id);
	rg_tree_free(t);
	return rc;
}

static const struct rg_tree_ops cache_ops = {
	.read = cc_read,
	.list = cc_list,
	.stat = cc_stat,
	.free = NULL,
};

struct rg_tree *rg_chartcache_open(struct rg_arena *a, const char *dir,
				   struct rg_err *err)
{
	struct rg_tree *t;
	struct cache *c;

	if (!dir)
		return NULL;
	t = rg_dirtree_new(a, dir, "chart-cache", err);
	if (!t)
		return NULL;
	rg_tree_free(t);
	c = rg_arena_alloc(a, sizeof(*c));
	c->a = a;
	c->dir = rg_arena_strdup(a, dir);
	return rg_tree_new(a, &cache_ops, c, "chart-cache");
}

/* mkdir -p below root for the components of rel (already safe). */
static int make_dirs(const char *root, const char *rel, struct rg_err *err)
{
	char path[RG_CAP_PATH_BYTES * 2];
	int n = snprintf(path, sizeof(path), "%s/%s", root, rel);

	if (n < 0 || (size_t)n >= sizeof(path))
		return rg_err_set(err, RG_ELIMIT, NULL, "path too long: %s/%s",
				  root, rel);
	for (char *p = path + strlen(root) + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		{
			char c = *p;

			*p = '\0';
			if (mkdir(path, 0755) < 0 && errno != EEXIST)
				return rg_err_set(err, RG_EIO, NULL,
						  "mkdir %s: %s", path,
						  strerror(errno));
			*p = c;
			if (!c)
				break;
		}
	}
	return 0;
}

static char *slurp(const char *path, size_t max, size_t *len,
		   struct rg_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;

	if (fd < 0) {
		rg_err_set(err, errno == ENOENT ? RG_ENOTFOUND : RG_EIO, NULL,
			   "open %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rg_err_set(err, RG_EUNSAFE, NULL, "%s: not a regular file",
			   path);
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		rg_err_set(err, RG_ELIMIT, NULL,
			   "%s: larger than %zu bytes (RG_CAP_BLOB_BYTES)",
			   path, max);
		goto out;
	}
	buf = rg_xmalloc((size_t)st.st_size + 1);
	if (rg_fs_read_all(fd, buf, (size_t)st.st_size, path, err) < 0) {
		free(buf);
		buf = NULL;
		goto out;
	}
	buf[st.st_size] = '\0';
	*len = (size_t)st.st_size;
out:
	close(fd);
	return buf;
}

static int add(const char *dir, const char *url, const char *name,
	       const char *version, const char *file, struct rg_arena *a,
	       struct rg_err *err)
{
	struct rg_helm_chart *c = NULL;
	size_t len = 0, olen = 0;
	char *data = slurp(file, RG_CAP_BLOB_BYTES, &len, err);
	char *old = NULL;
	const char *rel, *dest, *tmp;
	int fd = -1, error = 0;

	if (!data)
		return err->code;
	if (!strstr(url, "://")) {
		error = rg_err_set(err, RG_EINVALID, NULL,
				   "%s: not a repository URL (want "
				   "https://... or oci://...)",
				   url);
		goto out;
	}
	error = rg_helm_load_archive(&c, file, data, len, a, err);
	if (error < 0)
		goto out;
	if (strcmp(c->name, name) || strcmp(c->version, version)) {
		error = rg_err_set(err, RG_EINVALID, NULL,
				   "%s holds chart %s version %s, not %s %s",
				   file, c->name, c->version, name, version);
		goto out;
	}
	if (strchr(name, '/') || strchr(version, '/') || name[0] == '.' ||
	    version[0] == '.') {
		error = rg_err_set(err, RG_EUNSAFE, NULL,
				   "chart name or version unusable as a file "
				   "name: %s %s",
				   name, version);
		goto out;
	}
	rel = rg_arena_printf(a, "%s/%s", rg_helm_cache_key(a, url), name);
	error = make_dirs(dir, rel, err);
	if (error < 0)
		goto out;
	dest = rg_arena_printf(a, "%s/%s/%s.tgz", dir, rel, version);
	old = slurp(dest, RG_CAP_BLOB_BYTES, &olen, err);
	if (old) {
		if (olen == len && !memcmp(old, data, len)) {
			printf("%s: already in the cache\n", dest);
			goto out;
		}
		error = rg_err_set(err, RG_EEXISTS, NULL,
				   "%s: a different archive of %s %s is "
				   "already cached (chart versions are "
				   "immutable; remove it first to replace it)",
				   dest, name, version);
		goto out;
	}
	rg_err_init(err);
	tmp = rg_arena_printf(a, "%s.tmp.%ld", dest, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || rg_fs_write_all(fd, data, len) < 0 || fsync(fd) < 0 ||
	    close(fd) < 0 || rename(tmp, dest) < 0) {
		error = rg_err_set(err, RG_EIO, NULL, "writing %s: %s", dest,
				   strerror(errno));
		if (fd >= 0)
			unlink(tmp);
		fd = -1;
		goto out;
	}
	fd = -1;
	printf("added %s %s from %s: %s\n", name, version, url, dest);
out:
	if (fd >= 0)
		close(fd);
	free(old);
	free(data);
	return error;
}

int rg_cmd_chart_cache(int argc, char **argv)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	const char *dir = NULL, *config = NULL;
	int i = 1, status = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			status = 0;
			goto out;
		} else if (!strcmp(argv[i], "--dir") && i + 1 < argc) {
			dir = argv[++i];
		} else if (!strcmp(argv[i], "--config") && i + 1 < argc) {
			config = argv[++i];
		} else {
			usage(stderr);
			status = 2;
			goto out;
		}
	}
	if (argc - i != 5 || strcmp(argv[i], "add")) {
		usage(stderr);
		status = 2;
		goto out;
	}
	if (!dir) {
		struct rg_config_server *srv = NULL;
		struct rg_errlist errs = RG_ERRLIST_INIT;

		if (rg_serverconf_load(&srv, a, config, &errs) < 0) {
			for (size_t k = 0; k < errs.len; k++) {
				char msg[RG_ERR_MSG_MAX + RG_ERR_FILE_MAX + 64];

				rg_err_format(&errs.items[k], msg, sizeof(msg));
				fprintf(stderr, "error: %s\n", msg);
			}
			rg_errlist_release(&errs);
			goto out;
		}
		rg_errlist_release(&errs);
		dir = srv->chart_cache_dir;
		if (!dir) {
			fprintf(stderr, "error: no chart cache: pass --dir or "
					"set chart_cache_dir in the server "
					"config\n");
			goto out;
		}
	}
	if (add(dir, argv[i + 1], argv[i + 2], argv[i + 3], argv[i + 4], a,
		&err) < 0) {
		char msg[RG_ERR_MSG_MAX + RG_ERR_FILE_MAX + 64];

		rg_err_format(&err, msg, sizeof(msg));
		fprintf(stderr, "error: %s\n", msg);
		goto out;
	}
	status = 0;
out:
	rg_arena_free(a);
	return status;
}
