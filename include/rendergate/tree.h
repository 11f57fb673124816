/*
 * tree.h - read-only views of a repository tree, with read recording.
 *
 * Renderers read files and list directories only through a struct
 * rg_tree, never through the file system or libgit2 directly. Three
 * implementations exist: a Git tree (hooks/gittree.c, the only one that
 * touches libgit2), an in-memory tree (tests, in-memory merges) and a
 * directory on disk (CLI on a checkout, `rendergate template DIR`).
 *
 * Paths are relative to the tree's root, '/'-separated, without a leading
 * '/', without "." or ".." components and without empty components; ""
 * names the root. Anything else is refused with RG_EUNSAFE before any
 * lookup, so a configured path can never leave the tree.
 *
 * Every successful read and list is recorded (path, kind and object id)
 * in the tree's dependency log, so a render knows exactly which inputs it
 * depended on; change scoping compares that log with the paths a push
 * changed, and the render cache keys on it. Failed lookups are recorded
 * too (as RG_TREE_MISSING), since a file appearing later changes the
 * render.
 */
#ifndef RENDERGATE_TREE_H
#define RENDERGATE_TREE_H

#include "rendergate/compat.h"
#include "rendergate/err.h"
#include "rendergate/hash.h"

struct rg_arena;

enum rg_tree_kind {
	RG_TREE_MISSING = 0,
	RG_TREE_FILE,	   /* regular or executable file */
	RG_TREE_DIR,
	RG_TREE_SYMLINK,   /* never followed; reading one is RG_EUNSAFE */
	RG_TREE_SUBMODULE, /* gitlink; reading one is RG_EUNSUPPORTED */
};

struct rg_tree_entry {
	const char *name; /* last path component, arena-owned */
	uint8_t kind;	  /* enum rg_tree_kind */
	char id[RG_SHA1_HEX]; /* git object id (blob or tree), hex, or "" */
};

/* One recorded access. */
struct rg_tree_dep {
	const char *path; /* arena-owned */
	uint8_t kind;	  /* what was found there (RG_TREE_MISSING if none) */
	bool listed;	  /* true for a directory listing, false for a read */
	char id[RG_SHA1_HEX];
};

struct rg_tree_ops {
	/*
	 * Read the file at path into *data and *len (arena-owned, NUL-terminated
	 * copy; len excludes the NUL). Set *id to the blob's git id (hex).
	 * Errors: RG_ENOTFOUND, RG_EUNSAFE (symlink), RG_EUNSUPPORTED
	 * (submodule), RG_EINVALID (a directory), RG_ELIMIT (over
	 * RG_CAP_BLOB_BYTES), RG_EIO.
	 */
	int (*read)(void *ctx, struct rg_arena *a, const char *path,
		    const char **data, size_t *len, char id[RG_SHA1_HEX],
		    struct rg_err *err);
	/*
	 * List the directory at path: *out is an arena array of *n entries,
	 * sorted by name in byte order. Errors: RG_ENOTFOUND, RG_EINVALID
	 * (not a directory), RG_EIO. Set *id to the tree's id, or "" if the
	 * implementation has none (a directory on disk).
	 */
	int (*list)(void *ctx, struct rg_arena *a, const char *path,
		    struct rg_tree_entry **out, size_t *n, char id[RG_SHA1_HEX],
		    struct rg_err *err);
	/* What is at path, without recording: RG_TREE_MISSING if nothing. */
	int (*stat)(void *ctx, const char *path, enum rg_tree_kind *kind,
		    char id[RG_SHA1_HEX]);
	/* Release ctx. */
	void (*free)(void *ctx);
};

struct rg_tree {
	const struct rg_tree_ops *ops;
	void *ctx;
	struct rg_arena *arena; /* owns read data and the dependency log */
	const char *label;	/* for messages, e.g. "main@1a2b3c4" */
	struct rg_tree_dep *deps;
	size_t ndeps, deps_alloc;
	bool recording;		/* true by default */
	size_t bytes_read;	/* checked against RG_CAP_RENDER_READ_BYTES */
};

/*
 * Wrap an implementation. The tree borrows arena for all results and
 * takes ownership of ctx (ops->free is called by rg_tree_free).
 */
struct rg_tree *rg_tree_new(struct rg_arena *a, const struct rg_tree_ops *ops,
			    void *ctx, const char *label);
void rg_tree_free(struct rg_tree *t);

/* Check a repository-relative path (see above): 0 or RG_EUNSAFE. */
int rg_tree_path_check(const char *path, struct rg_err *err);
/* Join dir and name into an arena path ("" dir gives name). */
const char *rg_tree_path_join(struct rg_arena *a, const char *dir,
			      const char *name);

/* Recorded, checked operations (see rg_tree_ops for the codes). */
int rg_tree_read(struct rg_tree *t, const char *path, const char **data,
		 size_t *len, struct rg_err *err);
int rg_tree_list(struct rg_tree *t, const char *path,
		 struct rg_tree_entry **out, size_t *n, struct rg_err *err);
/* Unrecorded existence check. */
enum rg_tree_kind rg_tree_stat(struct rg_tree *t, const char *path);
/* The same, also filling id with the object id at path ("" if none). */
enum rg_tree_kind rg_tree_stat_id(struct rg_tree *t, const char *path,
				  char id[RG_SHA1_HEX]);

/* Forget the log (start recording a new render). */
void rg_tree_deps_reset(struct rg_tree *t);

/*
 * Append a copy of d to the log (path copied), as if the read or listing
 * had happened: the render cache (rcache.h) replays the dependencies of
 * a cached render this way. A no-op while recording is off.
 */
void rg_tree_deps_add(struct rg_tree *t, const struct rg_tree_dep *d);

/*
 * Does t still hold exactly what deps[0..n) recorded: at every path the
 * same kind and, unless missing, the same object id (unrecorded stats)?
 * Then a render that recorded deps would read the same bytes from t and
 * record the same log. An entry without an id (a listing on disk) proves
 * nothing and makes the answer false. *checked (may be NULL) is
 * increased by the number of stats made.
 */
bool rg_tree_deps_hold(struct rg_tree *t, const struct rg_tree_dep *deps,
		       size_t n, size_t *checked);

/* --- in-memory trees ------------------------------------------------- */

/*
 * An empty in-memory tree; add files with rg_tree_mem_put. Directories
 * exist implicitly. Ids are git blob ids of the content and, for
 * directories, a hash over the entries (stable, not git's tree id).
 */
struct rg_tree *rg_tree_mem_new(struct rg_arena *a, const char *label);
/* Add or replace a file (content copied). kind may be RG_TREE_SYMLINK or
 * RG_TREE_SUBMODULE to build hostile trees in tests. */
int rg_tree_mem_put(struct rg_tree *t, const char *path, const char *data,
		    size_t len, enum rg_tree_kind kind);
/* Remove a file; RG_ENOTFOUND if absent. */
int rg_tree_mem_del(struct rg_tree *t, const char *path);

#endif
