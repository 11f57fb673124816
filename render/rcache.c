/*
 * rcache.c - the render cache of one gate run (see rcache.h).
 */
#include "rendergate/rcache.h"

#include <string.h>

#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/finding.h"
#include "rendergate/helm.h"
#include "rendergate/objects.h"
#include "rendergate/tree.h"

struct entry {
	const void *key;
	struct rg_tree_dep *deps;
	size_t ndeps;
	struct rg_obj *objs;
	size_t nobjs;
	struct rg_finding *findings;
	size_t nfindings;
	struct entry *next; /* same bucket, newest first */
};

/* Buckets by key address; a run holds a few hundred releases. */
#define NBUCKETS 256

struct rg_rcache {
	struct rg_arena *arena;
	struct entry *buckets[NBUCKETS];
	size_t nentries;
	struct rg_rcache_stats stats;
	struct rg_helm_memo *helm_memo; /* made on first use */
};

static size_t bucket(const void *key)
{
	uintptr_t k = (uintptr_t)key;

	return (size_t)((k >> 4) ^ (k >> 12)) % NBUCKETS;
}

struct rg_rcache *rg_rcache_new(struct rg_arena *a)
{
	struct rg_rcache *c = rg_arena_alloc(a, sizeof(*c));

	memset(c, 0, sizeof(*c));
	c->arena = a;
	return c;
}

int rg_rcache_get(struct rg_rcache *c, const void *key, struct rg_tree *tree,
		  struct rg_objset *out, struct rg_findings *findings,
		  struct rg_err *err)
{
	const struct entry *e = NULL;
	int rc = RG_ENOTFOUND;

	if (!c)
		goto out;
	for (e = c->buckets[bucket(key)]; e; e = e->next)
		if (e->key == key && rg_tree_deps_hold(tree, e->deps, e->ndeps,
						       &c->stats.deps_checked))
			break;
	if (!e) {
		c->stats.misses++;
		goto out;
	}
	c->stats.hits++;
	rc = 0;
	for (size_t i = 0; i < e->nobjs && !rc; i++)
		rc = rg_objset_add(out, &e->objs[i], err);
	for (size_t i = 0; i < e->nfindings; i++) {
		const struct rg_finding *f = &e->findings[i];
		struct rg_finding *nf =
		    rg_finding_add(findings, (enum rg_severity)f->severity,
				   f->rule, &f->origin, "%s", f->message);

		if (nf) {
			nf->env = f->env;
			nf->object = f->object;
			nf->hint = f->hint;
		}
	}
	for (size_t i = 0; i < e->ndeps; i++)
		rg_tree_deps_add(tree, &e->deps[i]);
out:
	return rc;
}

void rg_rcache_put(struct rg_rcache *c, const void *key,
		   const struct rg_tree_dep *deps, size_t ndeps,
		   const struct rg_obj *objs, size_t nobjs,
		   const struct rg_finding *f, size_t nf)
{
	struct entry *e;
	size_t b;

	if (!c)
		return;
	if (c->nentries >= RG_CAP_RCACHE_ENTRIES) {
		c->stats.dropped++;
		return;
	}
	e = rg_arena_alloc(c->arena, sizeof(*e));
	memset(e, 0, sizeof(*e));
	e->key = key;
	e->ndeps = ndeps;
	e->nobjs = nobjs;
	e->nfindings = nf;
	if (ndeps) {
		e->deps = rg_arena_alloc(c->arena, ndeps * sizeof(*deps));
		for (size_t i = 0; i < ndeps; i++) {
			e->deps[i] = deps[i];
			e->deps[i].path =
			    rg_arena_strdup(c->arena, deps[i].path);
		}
	}
	if (nobjs) {
		e->objs = rg_arena_alloc(c->arena, nobjs * sizeof(*objs));
		memcpy(e->objs, objs, nobjs * sizeof(*objs));
	}
	if (nf) {
		e->findings = rg_arena_alloc(c->arena, nf * sizeof(*f));
		memcpy(e->findings, f, nf * sizeof(*f));
	}
	b = bucket(key);
	e->next = c->buckets[b];
	c->buckets[b] = e;
	c->nentries++;
	c->stats.puts++;
}

struct rg_helm_memo *rg_rcache_helm_memo(struct rg_rcache *c)
{
	if (!c)
		return NULL;
	if (!c->helm_memo)
		c->helm_memo = rg_helm_memo_new(c->arena);
	return c->helm_memo;
}

void rg_rcache_stats(struct rg_rcache_stats *out, const struct rg_rcache *c)
{
	if (c)
		*out = c->stats;
	else
		memset(out, 0, sizeof(*out));
}
