/*
 * rcstore.h - render cache entries kept between pushes (rcache.h's
 * store), in a directory of the repository: GIT_DIR/rendergate-rcache.
 *
 * One file per entry, DIR/<sha1 of the name>-<checksum>.rce, written as
 * an unnamed file (O_TMPFILE) and linked in under that name, so a reader
 * sees a whole file or none and a hook killed mid-write leaves nothing
 * (without O_TMPFILE: a temporary name renamed into place, and such a
 * file a killed run left is removed after an hour). Names follow the
 * bytes, so two hooks writing at once only race to put identical or
 * equally valid files in place. The contents are never trusted: rcache.h decodes them
 * with a checksum and the name inside, and holds every entry to its
 * dependency log. Rendered objects can hold Secret data, so the
 * directory is 0700 and the files 0600.
 *
 * Bounds: at most RG_CAP_RCSTORE_FILES files and RG_CAP_RCSTORE_BYTES
 * bytes (the oldest written are removed past either, when the run ends),
 * the newest RCSTORE_KEEP of one name are read and kept, and a file
 * larger than RG_CAP_RCACHE_ENTRY_BYTES is never read. Every failure
 * (no directory, a file vanishing, a full disk) only means fewer hits.
 */
#ifndef RENDERGATE_RCSTORE_H
#define RENDERGATE_RCSTORE_H

#include "rendergate/compat.h"

struct rg_arena;
struct rg_rcache;
struct rg_rcstore;

/* Entries of one name read and kept; older ones are removed on save. */
#define RG_RCSTORE_KEEP 3

/* A store over dir (created on the first save), living in a. */
struct rg_rcstore *rg_rcstore_open(struct rg_arena *a, const char *dir);

/* Make s the store of c (rg_rcache_set_store). */
void rg_rcstore_attach(struct rg_rcstore *s, struct rg_rcache *c);

/* Remove the oldest files while over the caps. s may be NULL. */
void rg_rcstore_prune(struct rg_rcstore *s);

/*
 * What identifies the code that renders: the running executable (device,
 * inode, size and modification time of /proc/self/exe) and the versions
 * of the libraries that parse (libyaml, PCRE2, zlib), as one line in a;
 * NULL when the executable cannot be identified (then nothing should be
 * stored).
 */
const char *rg_rcstore_binary_id(struct rg_arena *a);

#endif
