/*
 * rcache.h - the render cache of one gate run: what a release rendered,
 * keyed by the release and the ids of everything its render read.
 *
 * A push renders each affected environment twice, before and after, and
 * most releases of an environment read exactly the same trees and blobs
 * on both sides (a values change in one release leaves the other 49
 * alone). The render cache remembers, per release, the objects and
 * findings its render produced together with the slice of the tree's
 * dependency log (tree.h) the render recorded. A later render of the same
 * release on another tree is a hit when every recorded dependency is
 * still there with the same kind and the same object id: the inputs are
 * byte-identical, so the output is too, and the render is skipped.
 *
 * What the key does not cover, the caller must hold fixed: the key is
 * the address of the release's configuration (struct rg_config_release),
 * so one cache serves renders that share one parsed repository config,
 * as the old and new side of one push do. Releases whose chart comes from
 * outside the tree (release->repo) must not be cached.
 *
 * Hits share the cached documents with the render that produced them
 * (struct rg_obj is copied, its doc is not): objsets built from the cache
 * are read-only, as every objset is once rendered. Findings are copied
 * (their strings shared).
 *
 * Dependencies without an id (a directory listed on disk, where tree.h
 * has none) cannot be checked, so an entry holding one never hits.
 * Everything lives in the arena given to rg_rcache_new; there is nothing
 * to free. At most RG_CAP_RCACHE_ENTRIES entries are kept; later puts are
 * dropped (counted in stats).
 */
#ifndef RENDERGATE_RCACHE_H
#define RENDERGATE_RCACHE_H

#include "rendergate/compat.h"
#include "rendergate/err.h"

struct rg_arena;
struct rg_buf;
struct rg_tree;
struct rg_tree_dep;
struct rg_obj;
struct rg_objset;
struct rg_finding;
struct rg_findings;
struct rg_helm_memo;

struct rg_rcache;

struct rg_rcache_stats {
	size_t hits, misses, puts, dropped;
	size_t deps_checked; /* rg_tree_stat calls made by lookups */
	size_t fetched;	     /* entries decoded from the store */
	size_t rejected;     /* blobs from the store that failed to decode */
	size_t saved;	     /* entries handed to the store */
	size_t oversize;     /* not saved: past RG_CAP_RCACHE_ENTRY_BYTES
				or nested too deep (rg_rcache_encode) */
	size_t stored_hits;  /* hits on fetched entries */
};

/* An empty cache living in a (never NULL: allocation aborts). */
struct rg_rcache *rg_rcache_new(struct rg_arena *a);

/*
 * Look key up for a render on tree. On a hit, append the cached objects
 * to out, the cached findings to findings and the cached dependencies to
 * tree's log (rg_tree_deps_add), so tree->deps stays the exact record of
 * what the environment's render depends on, and charge the bytes the
 * render read to tree->bytes_read; return 0. An entry whose bytes would
 * pass RG_CAP_RENDER_READ_BYTES is not a hit (the render then fails as
 * it would have). RG_ENOTFOUND on a
 * miss (nothing changed). RG_ELIMIT (err set) when out is full
 * (RG_CAP_ENV_OBJECTS), as rendering would have been.
 * c may be NULL (always a miss).
 */
int rg_rcache_get(struct rg_rcache *c, const void *key, struct rg_tree *tree,
		  struct rg_objset *out, struct rg_findings *findings,
		  struct rg_err *err);

/*
 * Remember that rendering key read deps[0..ndeps) and produced
 * objs[0..nobjs) and findings f[0..nf) (all copied into the cache's
 * arena, documents shared). Called after the rg_rcache_get that missed,
 * it also remembers the bytes the render read on that get's tree. c may
 * be NULL (no-op).
 */
void rg_rcache_put(struct rg_rcache *c, const void *key,
		   const struct rg_tree_dep *deps, size_t ndeps,
		   const struct rg_obj *objs, size_t nobjs,
		   const struct rg_finding *f, size_t nf);

/*
 * The chart memo (helm.h) of the renders this cache serves, made on first
 * use in the cache's arena: a release that misses the cache still loads
 * its chart and parses its templates only once per run. NULL for c NULL.
 */
struct rg_helm_memo *rg_rcache_helm_memo(struct rg_rcache *c);

/* --- keeping entries between runs ------------------------------------ */

/*
 * A push's state before is the state after of the push before it, so
 * most of what a gate run renders on the old side was rendered by the
 * run before. A store (hooks/rcstore.h keeps one under GIT_DIR) lets the
 * cache hand entries to later runs. Its contract with the store is
 * bytes: rg_rcache_encode writes an entry with a checksum, and whatever
 * the store hands back goes through rg_rcache_decode, which accepts
 * only an intact entry written for the very same name; anything else
 * (truncated, damaged, another format or name) is dropped and counted,
 * so a bad store can only cost a render, never change one. A fetched
 * entry is then held to its dependency log like any other (a hit only
 * when every recorded path still has the same kind and id).
 *
 * The name must cover everything the render depends on besides the
 * tree: the gate builds it from the rendergate binary's identity, the
 * id of the repository config blob (so every release setting is in it),
 * the environment and the release's place in it (rg_rcache_scope).
 * Only renders of the built-in Helm and Kustomize renderers with a chart
 * from the tree are saved (env.c): their output depends on nothing else.
 */
struct rg_rcache_store {
	void *ctx;
	/*
	 * The entries stored under name: *n blobs, (*data)[i] of
	 * (*len)[i] bytes, arena-owned. Never fails: nothing is *n = 0.
	 */
	void (*load)(void *ctx, struct rg_arena *a, const char *name,
		     const char ***data, size_t **len, size_t *n);
	/* Keep data[0..len) under name; failures are the store's business. */
	void (*save)(void *ctx, const char *name, const void *data,
		     size_t len);
};

/* Use store s (copied; NULL: none) for fetches and saves. */
void rg_rcache_set_store(struct rg_rcache *c, const struct rg_rcache_store *s);

/*
 * Renders made with the parsed repository config cfg are named under
 * scope (copied): a string that changes whenever anything besides the
 * tree that could change their output does. Without a scope, nothing is
 * fetched or saved for cfg's releases.
 */
void rg_rcache_set_scope(struct rg_rcache *c, const void *cfg,
			 const char *scope);

/* The scope given for cfg, or NULL (also for c NULL). */
const char *rg_rcache_scope(const struct rg_rcache *c, const void *cfg);

/*
 * Add the entries the store holds under name as entries for key (once per
 * key and run; later calls do nothing). They are checked by
 * rg_rcache_get like any other. No-op without a store.
 */
void rg_rcache_fetch(struct rg_rcache *c, const void *key, const char *name);

/*
 * Encode a render as rg_rcache_put takes it, with the bytes it read
 * (tree.h bytes_read), and hand it to the store. An entry the encoder
 * refuses (past RG_CAP_RCACHE_ENTRY_BYTES, or nested too deep) is not
 * saved but counted in oversize: later runs render that release again.
 */
void rg_rcache_save(struct rg_rcache *c, const char *name, size_t bytes_read,
		    const struct rg_tree_dep *deps, size_t ndeps,
		    const struct rg_obj *objs, size_t nobjs,
		    const struct rg_finding *f, size_t nf);

/*
 * The stored form: "RGRC", a format byte, the name, the bytes read, the
 * dependency log,
 * the objects (documents with positions, flags and tags), the findings,
 * then a 64-bit checksum of all before it. RG_ELIMIT past out's cap.
 */
int rg_rcache_encode(struct rg_buf *out, const char *name, size_t bytes_read,
		     const struct rg_tree_dep *deps, size_t ndeps,
		     const struct rg_obj *objs, size_t nobjs,
		     const struct rg_finding *f, size_t nf);

/*
 * The checksum that ends a stored entry (little-endian, over all bytes
 * before it): made to catch damage, not forgery (whoever can write the
 * store can write the hooks).
 */
uint64_t rg_rcache_checksum(const char *p, size_t n);

/*
 * Decode data[0..len) as an entry stored under name and add it to c for
 * key. 0, or RG_EPARSE (nothing added) for anything but an intact entry
 * of this format and name. Bounded by len: nesting deeper than twice
 * RG_CAP_YAML_DEPTH (which rg_rcache_encode refuses to write: RG_ELIMIT)
 * or a count the remaining bytes cannot hold is RG_EPARSE.
 */
int rg_rcache_decode(struct rg_rcache *c, const void *key, const char *name,
		     const char *data, size_t len);

/* Counters since rg_rcache_new, for --trace and the bench. */
void rg_rcache_stats(struct rg_rcache_stats *out, const struct rg_rcache *c);

#endif
