/*
 * tgz.h - a bounded reader for gzip-compressed tar archives (chart .tgz).
 *
 * Helm packages a chart as a gzip-compressed tar whose entries all sit
 * below one top directory, "<name>/Chart.yaml", "<name>/templates/..."
 * (pkg/chart/loader/archive.go). rg_tgz_read turns such bytes into a
 * list of regular files with the top directory stripped, as Helm's
 * loader does, and refuses everything an archive pushed by a stranger
 * could use against the hook:
 *
 *   - sizes: the uncompressed stream (gzip members concatenated) is
 *     bounded by a byte budget (RG_CAP_TGZ_BYTES per load, shared by
 *     nested archives through *budget), one entry by
 *     RG_CAP_TGZ_ENTRY_BYTES, the number of entries by RG_CAP_TGZ_ENTRIES,
 *     a path by RG_CAP_TGZ_PATH_BYTES, a pax or GNU long-name header by
 *     RG_CAP_TGZ_HEADER_BYTES, and once the output passes
 *     RG_CAP_TGZ_RATIO_FLOOR bytes the expansion ratio by RG_CAP_TGZ_RATIO
 *     (a "zip bomb" stops early instead of filling the budget): RG_ELIMIT.
 *   - names: absolute paths, ".." components, a file at the top level
 *     (Helm: "chart yaml not in base directory" / "content outside the
 *     base directory"), two entries with the same path, and names with a
 *     NUL or control character: RG_EUNSAFE naming the entry.
 *   - types: symbolic and hard links, devices, FIFOs and sparse or other
 *     unknown entry types: RG_EUNSAFE naming the entry. Directories and
 *     pax global headers are skipped, as Helm skips them.
 *   - format: a bad gzip stream, a header checksum that does not match
 *     (unsigned or signed sum, as Go's archive/tar accepts), a bad octal
 *     or base-256 size, or a stream that ends inside an entry: RG_EPARSE
 *     with the entry name or the byte offset.
 *
 * Formats read: ustar (with the 155-byte prefix), GNU tar (long names,
 * base-256 sizes) and pax extended headers (path, size). A leading UTF-8
 * BOM is stripped from each file, as Helm strips it. A backslash in a
 * name is read as '/' (Helm accepts archives made on Windows).
 *
 * Entries are sorted by name (byte order). All memory (names, contents)
 * is allocated in the arena; nothing to free.
 */
#ifndef RENDERGATE_TGZ_H
#define RENDERGATE_TGZ_H

#include "rendergate/compat.h"
#include "rendergate/err.h"

struct rg_arena;

struct rg_tgz_entry {
	const char *name; /* cleaned, top directory stripped: "templates/a.yaml" */
	const char *data; /* NUL-terminated copy (may contain NULs) */
	size_t len;
};

struct rg_tgz {
	const char *top;	     /* the stripped top directory of the first
					entry (usually the chart name) */
	struct rg_tgz_entry *items;  /* sorted by name */
	size_t len;
};

/*
 * Read the archive data[0..len). label names it in messages
 * ("charts/redis-17.0.0.tgz: ..."; NULL or "" when the caller's own
 * prefix names it). Where Helm refuses an entry too, the message holds
 * Helm's words followed by the entry ("chart illegally references parent
 * directory: entry x/../y"). budget, when not NULL, is the number of
 * uncompressed bytes still allowed for this load; it is decreased by what
 * this archive used (so archives nested in archives share one budget).
 * NULL means a fresh RG_CAP_TGZ_BYTES. An archive without regular files
 * is RG_EINVALID ("no files in chart archive", Helm's words).
 */
int rg_tgz_read(struct rg_tgz *out, struct rg_arena *a, const char *label,
		const void *data, size_t len, size_t *budget,
		struct rg_err *err);

#endif
