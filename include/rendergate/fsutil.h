/*
 * fsutil.h - whole reads and writes on file descriptors, for hooks/.
 *
 * read(2) and write(2) may move fewer bytes than asked and may be
 * interrupted; these loop until done. Both live in hooks/ because only
 * hooks/ touches files.
 */
#ifndef RENDERGATE_FSUTIL_H
#define RENDERGATE_FSUTIL_H

#include "rendergate/compat.h"
#include "rendergate/err.h"

/*
 * Read exactly n bytes from fd into buf. RG_EIO (err names path) when
 * read fails or the file ends early ("file shrank while reading").
 */
int rg_fs_read_all(int fd, char *buf, size_t n, const char *path,
		   struct rg_err *err);

/* Write all n bytes of buf to fd: 0 or RG_EIO. */
int rg_fs_write_all(int fd, const char *buf, size_t n);

#endif
