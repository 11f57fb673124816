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
};

/* An empty cache living in a (never NULL: allocation aborts). */
struct rg_rcache *rg_rcache_new(struct rg_arena *a);

/*
 * Look key up for a render on tree. On a hit, append the cached objects
 * to out, the cached findings to findings and the cached dependencies to
 * tree's log (rg_tree_deps_add), so tree->deps stays the exact record of
 * what the environment's render depends on; return 0. RG_ENOTFOUND on a
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
 * arena, documents shared). c may be NULL (no-op).
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

/* Counters since rg_rcache_new, for --trace and the bench. */
void rg_rcache_stats(struct rg_rcache_stats *out, const struct rg_rcache *c);

#endif
