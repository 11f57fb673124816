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

/*
 * Write data[0..len) as the file final (a path in dir) so that a writer
 * killed at any point leaves nothing or the whole file: the bytes go to
 * an unnamed file in dir (O_TMPFILE), are fsynced with mode, and are
 * linked in as final; when final exists, they are linked as tmp (a
 * unique path in dir) and renamed over it, so only a kill between those
 * two calls leaves a (whole) tmp. The directory is not fsynced. Returns
 * 0; RG_EIO with err set ("writing FINAL: ..."); or 1, with nothing
 * written, where the system has no O_TMPFILE or no /proc (the caller
 * then writes a named temporary file and renames it).
 */
int rg_fs_write_unnamed(const char *dir, const char *final, const char *tmp,
			const char *data, size_t len, unsigned mode,
			struct rg_err *err);

#endif
