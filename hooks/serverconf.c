#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/config.h"
#include "rendergate/fsutil.h"
#include "rendergate/serverconf.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int rg_serverconf_read_file(const char **data, size_t *len, struct rg_arena *a,
			    const char *path, size_t max, bool secret,
			    struct rg_err *err)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int rc = 0, fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0) {
		rc = rg_err_set(err,
				errno == ENOENT	 ? RG_ENOTFOUND
				: errno == ELOOP ? RG_EUNSAFE
						 : RG_EIO,
				NULL, "%s: %s", path,
				errno == ELOOP ? "is a symbolic link"
					       : strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		rc = rg_err_set(err, RG_EIO, NULL, "%s: %s", path,
				strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = rg_err_set(err, RG_EUNSAFE, NULL, "%s: not a regular file",
				path);
		goto out;
	}
	if (secret && (st.st_mode & 077)) {
		rc = rg_err_set(err, RG_EUNSAFE, NULL,
				"%s: mode %04o gives group or others access; "
				"a token file must be mode 0600 "
				"(chmod 600 %s)",
				path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	if (!secret && (st.st_mode & 022)) {
		rc = rg_err_set(err, RG_EUNSAFE, NULL,
				"%s: mode %04o lets group or others change "
				"it; refusing to use it (chmod go-w %s)",
				path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		rc = rg_err_set(err, RG_ELIMIT, NULL,
				"%s: %lld bytes, more than %zu (%s)", path,
				(long long)st.st_size, max,
				secret ? "RG_CAP_TOKEN_BYTES"
				       : "RG_CAP_CONFIG_BYTES");
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
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

int rg_serverconf_load(struct rg_config_server **out, struct rg_arena *a,
		       const char *path, struct rg_errlist *errs)
{
	struct rg_config_server *c = NULL;
	struct rg_err err = RG_ERR_INIT;
	const char *data = NULL;
	size_t len = 0;
	bool is_default = false;
	int rc;

	if (!path || !*path)
		path = getenv("RENDERGATE_CONFIG");
	if (!path || !*path) {
		path = RG_SERVERCONF_DEFAULT_PATH;
		is_default = true;
	}
	rc = rg_serverconf_read_file(&data, &len, a, path, RG_CAP_CONFIG_BYTES,
				     false, &err);
	if (rc == RG_ENOTFOUND && is_default) {
		c = rg_arena_alloc(a, sizeof(*c));
		rg_config_server_defaults(c);
		*out = c;
		rc = 0;
		goto out;
	}
	if (rc) {
		rg_errlist_add(errs, &err);
		goto out;
	}
	rc = rg_config_server_parse(&c, a, path, data, len, errs);
	if (rc)
		goto out;
	if (c->forge.token_file) {
		const char *tok;
		size_t toklen;

		rc = rg_serverconf_read_file(&tok, &toklen, a,
					     c->forge.token_file,
					     RG_CAP_TOKEN_BYTES, true, &err);
		if (rc) {
			rg_errlist_add(errs, &err);
			goto out;
		}
	}
	*out = c;
out:
	return rc;
}
