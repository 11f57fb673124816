/*
 * helm_memo.c - charts loaded once per run (helm.h, rg_helm_memo).
 *
 * An entry is a chart directory at one tree id: everything rg_helm_load
 * reads lies below the directory (Chart.yaml, .helmignore, the walk, the
 * archives in charts/), so the same path with the same tree id loads the
 * same chart and records the same dependency log. The entry keeps the
 * loaded chart untouched; each render gets an instance (chart_instance)
 * whose mutable parts are its own.
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/doc.h"
#include "rendergate/helm.h"
#include "rendergate/tmpl.h"
#include "rendergate/tree.h"

struct memo_entry {
	const char *dir;
	char id[RG_SHA1_HEX];
	struct rg_helm_chart *chart; /* never handed out: instances are */
	struct rg_tree_dep *deps;    /* what loading it recorded */
	size_t ndeps;
	size_t bytes_read; /* what loading it charged to the tree */
	struct memo_entry *next;
};

struct rg_helm_memo {
	struct rg_arena *arena;
	struct rg_tmpl_memo *templates;
	struct memo_entry *entries; /* a run sees a few dozen charts */
	size_t bytes;
	struct rg_helm_memo_stats stats;
};

struct rg_helm_memo *rg_helm_memo_new(struct rg_arena *a)
{
	struct rg_helm_memo *m = rg_arena_calloc(a, 1, sizeof(*m));

	m->arena = a;
	m->templates = rg_tmpl_memo_new(a);
	return m;
}

struct rg_tmpl_memo *rg_helm_memo_templates(struct rg_helm_memo *m)
{
	return m ? m->templates : NULL;
}

/*
 * What rendering writes to (helm.h: "the chart is modified"): the struct
 * fields (charts, ncharts, values, name), Chart.yaml's node (an alias
 * renames the chart) and the dependency entries (an alias renames the
 * entry, in Chart.yaml's node when the list comes from there). The
 * instance copies those; values, templates and files are only read and
 * stay shared.
 */
static struct rg_helm_chart *chart_instance(struct rg_arena *a,
					    const struct rg_helm_chart *c,
					    struct rg_helm_chart *parent)
{
	struct rg_helm_chart *n = rg_arena_alloc(a, sizeof(*n));
	const struct rg_node *md = rg_map_gets(c->meta, "dependencies");

	*n = *c;
	n->parent = parent;
	n->meta = rg_node_clone(a, c->meta);
	if (c->deps && c->deps == md)
		n->deps = rg_map_gets(n->meta, "dependencies");
	else if (c->deps)
		n->deps = rg_node_clone(a, c->deps);
	n->charts = rg_arena_calloc(a, c->ncharts + 1, sizeof(*n->charts));
	for (size_t i = 0; i < c->ncharts; i++)
		n->charts[i] = chart_instance(a, c->charts[i], n);
	return n;
}

/* Copy the file contents read through the tree into the memo's arena. */
static void own_files(struct rg_arena *a, struct rg_helm_chart *c)
{
	for (size_t i = 0; i < c->ntemplates; i++)
		c->templates[i].data = rg_arena_strndup(a, c->templates[i].data,
							c->templates[i].len);
	for (size_t i = 0; i < c->nfiles; i++)
		c->files[i].data =
		    rg_arena_strndup(a, c->files[i].data, c->files[i].len);
	if (c->schema)
		c->schema = rg_arena_strndup(a, c->schema, c->schema_len);
	for (size_t i = 0; i < c->ncharts; i++)
		own_files(a, c->charts[i]);
}

static void remember(struct rg_helm_memo *m, const char *dir, const char *id,
		     struct rg_helm_chart *c, const struct rg_tree *tree,
		     size_t dmark, size_t bmark)
{
	struct memo_entry *e = rg_arena_calloc(m->arena, 1, sizeof(*e));

	e->dir = rg_arena_strdup(m->arena, dir);
	memcpy(e->id, id, RG_SHA1_HEX);
	e->chart = c;
	e->ndeps = tree->ndeps - dmark;
	e->deps = rg_arena_calloc(m->arena, e->ndeps + 1, sizeof(*e->deps));
	for (size_t i = 0; i < e->ndeps; i++) {
		e->deps[i] = tree->deps[dmark + i];
		e->deps[i].path =
		    rg_arena_strdup(m->arena, tree->deps[dmark + i].path);
	}
	e->bytes_read = tree->bytes_read - bmark;
	own_files(m->arena, c);
	e->next = m->entries;
	m->entries = e;
}

int rg_helm_load_memo(struct rg_helm_chart **out, struct rg_helm_memo *m,
		      struct rg_tree *tree, const char *dir, struct rg_arena *a,
		      struct rg_err *err)
{
	char id[RG_SHA1_HEX];
	const char *d = dir ? dir : "";
	struct memo_entry *e = NULL;
	struct rg_helm_chart *c = NULL;
	size_t dmark = tree->ndeps, bmark = tree->bytes_read, used;
	int error;

	/* without a log to replay, a hit could not say what it read */
	if (!m || !tree->recording ||
	    rg_tree_stat_id(tree, d, id) != RG_TREE_DIR || !id[0])
		return rg_helm_load(out, tree, dir, a, err);
	for (e = m->entries; e; e = e->next)
		if (!strcmp(e->id, id) && !strcmp(e->dir, d))
			break;
	/* a hit over the read budget loads for real, to fail as that does */
	if (e && e->bytes_read <= RG_CAP_RENDER_READ_BYTES - tree->bytes_read) {
		m->stats.hits++;
		for (size_t i = 0; i < e->ndeps; i++)
			rg_tree_deps_add(tree, &e->deps[i]);
		tree->bytes_read += e->bytes_read;
		*out = chart_instance(a, e->chart, NULL);
		return 0;
	}
	if (e || m->bytes >= RG_CAP_HELM_MEMO_BYTES) {
		m->stats.dropped++;
		return rg_helm_load(out, tree, dir, a, err);
	}
	m->stats.misses++;
	used = rg_arena_used(m->arena);
	error = rg_helm_load(&c, tree, dir, m->arena, err);
	if (error < 0)
		return error;
	remember(m, d, id, c, tree, dmark, bmark);
	m->bytes += rg_arena_used(m->arena) - used;
	*out = chart_instance(a, c, NULL);
	return 0;
}

void rg_helm_memo_stats(struct rg_helm_memo_stats *out,
			const struct rg_helm_memo *m)
{
	if (m)
		*out = m->stats;
	else
		memset(out, 0, sizeof(*out));
}
