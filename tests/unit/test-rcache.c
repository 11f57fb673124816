#include "test.h"

#include <stdlib.h>

#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/doc.h"
#include "rendergate/config.h"
#include "rendergate/env.h"
#include "rendergate/finding.h"
#include "rendergate/objects.h"
#include "rendergate/plain.h"
#include "rendergate/rcache.h"
#include "rendergate/tree.h"

static int put(struct rg_tree *t, const char *path, const char *s)
{
	return rg_tree_mem_put(t, path, s, strlen(s), RG_TREE_FILE);
}

static const char cm_a[] =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n";
static const char cm_b[] =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n";
/* no name: a deny finding from the plain renderer */
static const char bad[] = "apiVersion: v1\nkind: ConfigMap\n";

/*
 * Render app/ of t as a plain release would, through the cache: a hit
 * appends the cached result, a miss renders and puts. Returns the get's
 * code (0 hit, RG_ENOTFOUND miss).
 */
static int render(struct rg_rcache *c, const void *key, struct rg_tree *t,
		  struct rg_objset *out, struct rg_findings *f,
		  struct rg_arena *a)
{
	struct rg_config_env env;
	struct rg_render_req req;
	struct rg_err err = RG_ERR_INIT;
	size_t mark, omark = out->len, fmark = f->len;
	int rc;

	memset(&env, 0, sizeof(env));
	env.name = "dev";
	env.path = "app";
	env.kind = "plain";
	memset(&req, 0, sizeof(req));
	req.env = &env;
	req.path = "app";
	req.tree = t;
	req.arena = a;
	rg_tree_deps_reset(t);
	mark = t->ndeps;
	rc = rg_rcache_get(c, key, t, out, f, &err);
	if (rc != RG_ENOTFOUND)
		return rc;
	if (rg_plain_render(out, f, &req, &err) < 0)
		return -1000;
	rg_rcache_put(c, key, t->deps + mark, t->ndeps - mark,
		      out->items + omark, out->len - omark, f->items + fmark,
		      f->len - fmark);
	return RG_ENOTFOUND;
}

TEST(rcache_hits_when_every_read_is_unchanged)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_rcache *c = rg_rcache_new(a);
	struct rg_tree *t1 = rg_tree_mem_new(a, "old");
	struct rg_tree *t2 = rg_tree_mem_new(a, "new");
	struct rg_objset s1, s2;
	struct rg_findings f1, f2;
	struct rg_rcache_stats st;
	int key;
	size_t ndeps1;

	/* same inputs below app/, a difference elsewhere */
	CHECK_INT(put(t1, "app/a.yaml", cm_a), 0);
	CHECK_INT(put(t1, "app/bad.yaml", bad), 0);
	CHECK_INT(put(t1, "other/x.yaml", "x: 1\n"), 0);
	CHECK_INT(put(t2, "app/a.yaml", cm_a), 0);
	CHECK_INT(put(t2, "app/bad.yaml", bad), 0);
	CHECK_INT(put(t2, "other/x.yaml", "x: 2\n"), 0);
	rg_objset_init(&s1, a);
	rg_objset_init(&s2, a);
	rg_finding_init(&f1, a);
	rg_finding_init(&f2, a);

	CHECK_INT(render(c, &key, t1, &s1, &f1, a), RG_ENOTFOUND);
	ndeps1 = t1->ndeps;
	CHECK(ndeps1 > 0);
	CHECK_INT(s1.len, 1);
	CHECK_INT(f1.len, 1);

	CHECK_INT(render(c, &key, t2, &s2, &f2, a), 0);
	CHECK_INT(s2.len, 1);
	CHECK_STR(s2.items[0].key, s1.items[0].key);
	CHECK(s2.items[0].doc == s1.items[0].doc); /* shared, not copied */
	CHECK_INT(f2.len, 1);
	CHECK_STR(f2.items[0].rule, f1.items[0].rule);
	CHECK_INT(f2.ndeny, f1.ndeny);
	/* the hit replays the dependency log */
	CHECK_INT(t2->ndeps, ndeps1);
	for (size_t i = 0; i < ndeps1; i++)
		CHECK_STR(t2->deps[i].path, t1->deps[i].path);

	rg_rcache_stats(&st, c);
	CHECK_INT(st.hits, 1);
	CHECK_INT(st.misses, 1);
	CHECK_INT(st.puts, 1);
	rg_tree_free(t1);
	rg_tree_free(t2);
	rg_arena_free(a);
}

TEST(rcache_misses_on_a_changed_or_new_file)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_rcache *c = rg_rcache_new(a);
	struct rg_tree *t1 = rg_tree_mem_new(a, "old");
	struct rg_tree *t2 = rg_tree_mem_new(a, "changed");
	struct rg_tree *t3 = rg_tree_mem_new(a, "added");
	struct rg_objset s;
	struct rg_findings f;
	int key, other;

	CHECK_INT(put(t1, "app/a.yaml", cm_a), 0);
	CHECK_INT(put(t2, "app/a.yaml", cm_b), 0);
	CHECK_INT(put(t3, "app/a.yaml", cm_a), 0);
	CHECK_INT(put(t3, "app/b.yaml", cm_b), 0); /* new in a listed dir */
	rg_objset_init(&s, a);
	rg_finding_init(&f, a);

	CHECK_INT(render(c, &key, t1, &s, &f, a), RG_ENOTFOUND);
	CHECK_INT(render(c, &key, t2, &s, &f, a), RG_ENOTFOUND);
	CHECK_INT(render(c, &key, t3, &s, &f, a), RG_ENOTFOUND);
	/* another key never sees the entries */
	CHECK_INT(render(c, &other, t1, &s, &f, a), RG_ENOTFOUND);
	/* both earlier states are still cached */
	CHECK_INT(render(c, &key, t1, &s, &f, a), 0);
	CHECK_INT(render(c, &key, t2, &s, &f, a), 0);
	CHECK_INT(render(c, &key, t3, &s, &f, a), 0);
	rg_tree_free(t1);
	rg_tree_free(t2);
	rg_tree_free(t3);
	rg_arena_free(a);
}

TEST(rcache_missing_input_that_appears_is_a_miss)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_rcache *c = rg_rcache_new(a);
	struct rg_tree *t1 = rg_tree_mem_new(a, "old");
	struct rg_tree *t2 = rg_tree_mem_new(a, "new");
	struct rg_tree_dep d = {0};
	struct rg_objset s;
	struct rg_findings f;
	int key, id_less;

	CHECK_INT(put(t1, "app/a.yaml", cm_a), 0);
	CHECK_INT(put(t2, "app/a.yaml", cm_a), 0);
	CHECK_INT(put(t2, "values.yaml", "x: 1\n"), 0);
	rg_objset_init(&s, a);
	rg_finding_init(&f, a);
	/* a lookup that found nothing, as a renderer's failed read records */
	d.path = "values.yaml";
	d.kind = RG_TREE_MISSING;
	rg_rcache_put(c, &key, &d, 1, NULL, 0, NULL, 0);
	CHECK_INT(rg_rcache_get(c, &key, t1, &s, &f, NULL), 0);
	CHECK_INT(rg_rcache_get(c, &key, t2, &s, &f, NULL), RG_ENOTFOUND);
	/* an id-less record proves nothing */
	d.path = "app";
	d.kind = RG_TREE_DIR;
	d.listed = true;
	d.id[0] = '\0';
	rg_rcache_put(c, &id_less, &d, 1, NULL, 0, NULL, 0);
	CHECK_INT(rg_rcache_get(c, &id_less, t1, &s, &f, NULL), RG_ENOTFOUND);
	rg_tree_free(t1);
	rg_tree_free(t2);
	rg_arena_free(a);
}

TEST(rcache_null_is_always_a_miss)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tree *t = rg_tree_mem_new(a, "t");
	struct rg_objset s;
	struct rg_findings f;
	struct rg_rcache_stats st;
	int key;

	rg_objset_init(&s, a);
	rg_finding_init(&f, a);
	rg_rcache_put(NULL, &key, NULL, 0, NULL, 0, NULL, 0);
	CHECK_INT(rg_rcache_get(NULL, &key, t, &s, &f, NULL), RG_ENOTFOUND);
	rg_rcache_stats(&st, NULL);
	CHECK_INT(st.hits, 0);
	rg_tree_free(t);
	rg_arena_free(a);
}

/* Render app/ of t1 into a cache and encode the entry as stored. */
static void stored_entry(struct rg_buf *b, struct rg_arena *a,
			 struct rg_tree *t, const char *name)
{
	struct rg_rcache *c = rg_rcache_new(a);
	struct rg_objset s;
	struct rg_findings f;
	int key;

	rg_objset_init(&s, a);
	rg_finding_init(&f, a);
	render(c, &key, t, &s, &f, a);
	rg_rcache_encode(b, name, t->bytes_read, t->deps, t->ndeps, s.items,
			 s.len, f.items, f.len);
}

TEST(rcache_stored_entry_round_trips)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tree *t1 = rg_tree_mem_new(a, "old");
	struct rg_tree *t2 = rg_tree_mem_new(a, "new");
	struct rg_buf b = RG_BUF_INIT(1u << 20);
	struct rg_buf e1 = RG_BUF_INIT(1u << 20), e2 = RG_BUF_INIT(1u << 20);
	struct rg_rcache *c = rg_rcache_new(a);
	struct rg_objset s1, s2;
	struct rg_findings f1, f2;
	struct rg_rcache_stats st;
	int key;

	CHECK_INT(put(t1, "app/a.yaml",
		      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
		      "data:\n  k: \"007\"\n  n: 1.5\n  i: 12\n  b: true\n"
		      "  z: null\n  l: [1, 'x', {y: z}]\n"),
		  0);
	CHECK_INT(put(t1, "app/bad.yaml", bad), 0);
	CHECK_INT(put(t2, "app/a.yaml",
		      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
		      "data:\n  k: \"007\"\n  n: 1.5\n  i: 12\n  b: true\n"
		      "  z: null\n  l: [1, 'x', {y: z}]\n"),
		  0);
	CHECK_INT(put(t2, "app/bad.yaml", bad), 0);
	stored_entry(&b, a, t1, "scope\nenv dev\nrelease 0 app");
	CHECK(b.len > 0);
	/* a fresh render of t2 and the decoded entry must agree exactly */
	rg_objset_init(&s1, a);
	rg_finding_init(&f1, a);
	CHECK_INT(render(NULL, &key, t2, &s1, &f1, a), RG_ENOTFOUND);
	CHECK_INT(rg_rcache_decode(c, &key, "scope\nenv dev\nrelease 0 app",
				   b.ptr, b.len),
		  0);
	rg_objset_init(&s2, a);
	rg_finding_init(&f2, a);
	rg_tree_deps_reset(t2);
	CHECK_INT(rg_rcache_get(c, &key, t2, &s2, &f2, NULL), 0);
	CHECK_INT(s2.len, s1.len);
	for (size_t i = 0; i < s1.len; i++) {
		CHECK_STR(s2.items[i].key, s1.items[i].key);
		CHECK_STR(s2.items[i].origin.file, s1.items[i].origin.file);
		CHECK_INT(s2.items[i].origin.line, s1.items[i].origin.line);
		CHECK(rg_node_equal(s2.items[i].doc, s1.items[i].doc));
		rg_buf_reset(&e1);
		rg_buf_reset(&e2);
		rg_doc_emit(&e1, s1.items[i].doc, 0);
		rg_doc_emit(&e2, s2.items[i].doc, 0);
		CHECK_STR(e2.ptr, e1.ptr);
	}
	CHECK_INT(f2.len, f1.len);
	CHECK_STR(f2.items[0].message, f1.items[0].message);
	CHECK_INT(f2.ndeny, f1.ndeny);
	CHECK_INT(t2->ndeps, t1->ndeps);
	CHECK_INT(t2->bytes_read, t1->bytes_read);
	rg_rcache_stats(&st, c);
	CHECK_INT(st.fetched, 1);
	CHECK_INT(st.stored_hits, 1);
	rg_buf_release(&b);
	rg_buf_release(&e1);
	rg_buf_release(&e2);
	rg_tree_free(t1);
	rg_tree_free(t2);
	rg_arena_free(a);
}

TEST(rcache_damaged_or_foreign_entries_are_refused)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tree *t = rg_tree_mem_new(a, "t");
	struct rg_buf b = RG_BUF_INIT(1u << 20);
	struct rg_rcache *c = rg_rcache_new(a);
	struct rg_rcache_stats st;
	const char *name = "scope\nenv dev\nrelease 0 app";
	char *copy;
	int key, other;

	CHECK_INT(put(t, "app/a.yaml", cm_a), 0);
	CHECK_INT(put(t, "app/bad.yaml", bad), 0);
	stored_entry(&b, a, t, name);
	CHECK(b.len > 16);
	copy = rg_arena_alloc(a, b.len);
	/* another name: another release, binary or config */
	CHECK_INT(rg_rcache_decode(c, &key, "scope\nenv dev\nrelease 1 app",
				   b.ptr, b.len),
		  RG_EPARSE);
	/* every truncation */
	for (size_t n = 0; n < b.len; n++)
		CHECK_INT(rg_rcache_decode(c, &key, name, b.ptr, n),
			  RG_EPARSE);
	/* every single flipped bit */
	for (size_t i = 0; i < b.len; i++)
		for (int bit = 0; bit < 8; bit++) {
			memcpy(copy, b.ptr, b.len);
			copy[i] = (char)(copy[i] ^ (1 << bit));
			CHECK_INT(rg_rcache_decode(c, &key, name, copy, b.len),
				  RG_EPARSE);
		}
	rg_rcache_stats(&st, c);
	CHECK_INT(st.fetched, 0);
	CHECK_INT(st.rejected, 1 + b.len + 8 * b.len);
	/*
	 * Damage the checksum cannot see (it is recomputed): decoding must
	 * stay within the bytes, whatever it then decides (run under
	 * make asan). A changed byte in a string or a number can decode.
	 */
	for (size_t i = 5; i + 8 < b.len; i++)
		for (int bit = 0; bit < 8; bit++) {
			uint64_t sum;

			memcpy(copy, b.ptr, b.len);
			copy[i] = (char)(copy[i] ^ (1 << bit));
			sum = rg_rcache_checksum(copy, b.len - 8);
			for (int k = 0; k < 8; k++)
				copy[b.len - 8 + k] = (char)(sum >> (8 * k));
			rg_rcache_decode(c, &other, name, copy, b.len);
		}
	/* nothing was added: the key still misses */
	{
		struct rg_objset s;
		struct rg_findings f;

		rg_objset_init(&s, a);
		rg_finding_init(&f, a);
		CHECK_INT(rg_rcache_get(c, &key, t, &s, &f, NULL),
			  RG_ENOTFOUND);
	}
	CHECK_INT(rg_rcache_decode(c, &key, name, b.ptr, b.len), 0);
	rg_buf_release(&b);
	rg_tree_free(t);
	rg_arena_free(a);
}

/* A store in memory: what was saved, by name. */
struct memstore {
	char *names[8];
	char *data[8];
	size_t len[8], n, loads;
};

static void ms_load(void *ctx, struct rg_arena *a, const char *name,
		    const char ***data, size_t **len, size_t *n)
{
	struct memstore *m = ctx;

	m->loads++;
	*data = rg_arena_calloc(a, m->n + 1, sizeof(**data));
	*len = rg_arena_calloc(a, m->n + 1, sizeof(**len));
	*n = 0;
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->names[i], name)) {
			(*data)[*n] = m->data[i];
			(*len)[(*n)++] = m->len[i];
		}
}

static void ms_save(void *ctx, const char *name, const void *data, size_t len)
{
	struct memstore *m = ctx;

	if (m->n == 8)
		return;
	m->names[m->n] = strdup(name);
	m->data[m->n] = malloc(len);
	memcpy(m->data[m->n], data, len);
	m->len[m->n++] = len;
}

TEST(rcache_store_fetches_once_per_key)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tree *t = rg_tree_mem_new(a, "t");
	struct memstore m;
	struct rg_rcache_store st = {&m, ms_load, ms_save};
	struct rg_rcache *c1 = rg_rcache_new(a), *c2 = rg_rcache_new(a);
	struct rg_rcache_stats s1, s2;
	struct rg_objset s;
	struct rg_findings f;
	int cfg, key;

	memset(&m, 0, sizeof(m));
	CHECK_INT(put(t, "app/a.yaml", cm_a), 0);
	rg_rcache_set_store(c1, &st);
	rg_rcache_set_store(c2, &st);
	/* no scope: not named, nothing fetched */
	CHECK(rg_rcache_scope(c1, &cfg) == NULL);
	rg_rcache_set_scope(c1, &cfg, "run1");
	CHECK_STR(rg_rcache_scope(c1, &cfg), "run1");
	rg_objset_init(&s, a);
	rg_finding_init(&f, a);
	rg_tree_deps_reset(t);
	render(c1, &key, t, &s, &f, a);
	rg_rcache_save(c1, "n", t->bytes_read, t->deps, t->ndeps, s.items,
		       s.len, f.items, f.len);
	rg_rcache_stats(&s1, c1);
	CHECK_INT(s1.saved, 1);
	/* a later run: fetched on first use of the key, a hit */
	rg_rcache_fetch(c2, &key, "n");
	rg_rcache_fetch(c2, &key, "n");
	CHECK_INT(m.loads, 1);
	rg_objset_init(&s, a);
	rg_finding_init(&f, a);
	rg_tree_deps_reset(t);
	CHECK_INT(rg_rcache_get(c2, &key, t, &s, &f, NULL), 0);
	CHECK_INT(s.len, 1);
	rg_rcache_stats(&s2, c2);
	CHECK_INT(s2.fetched, 1);
	CHECK_INT(s2.stored_hits, 1);
	/* NULL name or no store: nothing */
	rg_rcache_fetch(c2, &cfg, NULL);
	CHECK_INT(m.loads, 1);
	for (size_t i = 0; i < m.n; i++) {
		free(m.names[i]);
		free(m.data[i]);
	}
	rg_tree_free(t);
	rg_arena_free(a);
}
