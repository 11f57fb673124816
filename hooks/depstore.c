/*
 * depstore.c - dependency logs kept between pushes (see depstore.h).
 */
#include "rendergate/compat.h"
#include "rendergate/depstore.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/env.h"
#include "rendergate/fsutil.h"
#include "rendergate/tree.h"

int rg_depstore_load(struct rg_env_deplog *out, struct rg_arena *a,
		     const char *dir, const char *env, struct rg_tree *t)
{
	char path[4096];
	struct stat st;
	char *data = NULL;
	int fd = -1, rc = RG_ENOTFOUND;

	out->deps = NULL;
	out->ndeps = 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.deps", dir, env) >=
	    sizeof(path))
		goto out;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > (off_t)RG_CAP_DEPSTORE_BYTES)
		goto out;
	data = rg_arena_alloc(a, (size_t)st.st_size + 1);
	if (rg_fs_read_all(fd, data, (size_t)st.st_size, path, NULL) < 0)
		goto out;
	data[st.st_size] = '\0';
	if (rg_env_deplog_read(out, a, data, (size_t)st.st_size, NULL) < 0 ||
	    !rg_tree_deps_hold(t, out->deps, out->ndeps, NULL)) {
		out->deps = NULL;
		out->ndeps = 0;
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

int rg_depstore_save(const char *dir, const char *env,
		     const struct rg_tree_dep *deps, size_t n,
		     struct rg_err *err)
{
	char path[4096], tmp[4096];
	struct rg_buf b;
	int fd = -1, rc = 0;

	rg_buf_init(&b, RG_CAP_DEPSTORE_BYTES);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.deps", dir, env) >=
		sizeof(path) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/%s.deps.%ld", dir, env,
			     (long)getpid()) >= sizeof(tmp)) {
		rc = rg_err_set(err, RG_ELIMIT, NULL, "%s: path too long", dir);
		goto out;
	}
	rc = rg_env_deplog_write(&b, deps, n);
	if (rc) {
		rc = rg_err_set(err, rc, NULL,
				"dependency log of %s: over %u bytes "
				"(RG_CAP_DEPSTORE_BYTES)",
				env, RG_CAP_DEPSTORE_BYTES);
		goto out;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		rc = rg_err_set(err, RG_EIO, NULL, "cannot create %s: %s", dir,
				strerror(errno));
		goto out;
	}
	/*
	 * A hook killed mid-write (the watchdog, the forge) leaves nothing:
	 * the old log goes first, so the new one is linked in under its
	 * name, not through a temporary (a missing log only costs a render).
	 */
	unlink(path);
	rc = rg_fs_write_unnamed(dir, path, tmp, b.ptr, b.len, 0644, err);
	if (rc <= 0)
		goto out;
	rc = 0;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0644);
	if (fd < 0) {
		rc = rg_err_set(err, RG_EIO, NULL, "cannot write %s: %s", tmp,
				strerror(errno));
		goto out;
	}
	rc = rg_fs_write_all(fd, b.ptr, b.len);
	if (close(fd) < 0)
		rc = RG_EIO;
	if (rc || rename(tmp, path) < 0) {
		rc = rg_err_set(err, RG_EIO, NULL, "cannot write %s: %s", path,
				strerror(errno));
		unlink(tmp);
	}
out:
	rg_buf_release(&b);
	return rc;
}
