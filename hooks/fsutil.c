#include "rendergate/compat.h"
#include "rendergate/fsutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int rg_fs_read_all(int fd, char *buf, size_t n, const char *path,
		   struct rg_err *err)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return rg_err_set(err, RG_EIO, NULL, "%s: %s", path,
					  r < 0 ? strerror(errno)
						: "file shrank while reading");
		got += (size_t)r;
	}
	return 0;
}

int rg_fs_write_all(int fd, const char *buf, size_t n)
{
	size_t off = 0;

	while (off < n) {
		ssize_t w = write(fd, buf + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return RG_EIO;
		off += (size_t)w;
	}
	return 0;
}

int rg_fs_write_unnamed(const char *dir, const char *final, const char *tmp,
			const char *data, size_t len, unsigned mode,
			struct rg_err *err)
{
	int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600), ret = 1;
	char proc[64];

	if (fd < 0)
		goto out; /* no O_TMPFILE here */
	if (rg_fs_write_all(fd, data, len) < 0 ||
	    fchmod(fd, (mode_t)mode) < 0 || fsync(fd) < 0) {
		ret = rg_err_set(err, RG_EIO, NULL, "writing %s: %s", final,
				 strerror(errno));
		goto out;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, final, AT_SYMLINK_FOLLOW) == 0) {
		ret = 0;
	} else if (errno == EEXIST && linkat(AT_FDCWD, proc, AT_FDCWD, tmp,
					     AT_SYMLINK_FOLLOW) == 0) {
		ret = rename(tmp, final) == 0
			  ? 0
			  : rg_err_set(err, RG_EIO, NULL, "renaming to %s: %s",
				       final, strerror(errno));
		if (ret < 0)
			unlink(tmp);
	}
	/* any other linkat failure (no /proc): ret 1, the named way */
out:
	if (fd >= 0)
		close(fd);
	return ret;
}
