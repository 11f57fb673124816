#include "test.h"
#include "rendergate/arena.h"
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
