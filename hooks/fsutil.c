#include "rendergate/compat.h"
#include "rendergate/fsutil.h"

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
