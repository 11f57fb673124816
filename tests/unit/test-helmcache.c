/*
 * test-helmcache.c - charts from the chart cache (helm.h
 * rg_helm_cache_load) through an in-memory cache tree: the layout, exact
 * versions, constraints picking the highest cached version, unpacked
 * directories, and the "unrenderable" errors that name the command.
 * Runs from the top of the source tree (tests/run.sh does).
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/helm.h"
#include "rendergate/tree.h"
#include "test.h"

#define URL "https://charts.example.com/stable/"
#define KEY "https%3A%2F%2Fcharts.example.com%2Fstable"

/* the packaged chart "sub" 0.1.0 of the tgz golden cases */
static char *packaged(size_t *len)
{
	FILE *f = fopen("tests/cases/helm/tgz-root/chart.tgz", "rb");
	char *buf = rg_xmalloc(1 << 20);

	*len = f ? fread(buf, 1, 1 << 20, f) : 0;
	if (f)
		fclose(f);
	return buf;
}

static struct rg_tree *cache(struct rg_arena *a)
{
	struct rg_tree *t = rg_tree_mem_new(a, "cache");
	size_t len = 0;
	char *tgz = packaged(&len);

	rg_tree_mem_put(t, KEY "/sub/0.1.0.tgz", tgz, len, RG_TREE_FILE);
	/* another version, unpacked */
	rg_tree_mem_put(t, KEY "/sub/0.3.0/Chart.yaml",
			"apiVersion: v2\nname: sub\nversion: 0.3.0\n", 40,
			RG_TREE_FILE);
	rg_tree_mem_put(t, KEY "/sub/0.2.0-rc.1.tgz", tgz, len, RG_TREE_FILE);
	rg_tree_mem_put(t, KEY "/sub/notes.txt", "x", 1, RG_TREE_FILE);
	/* a cached archive that is not the chart it claims to be */
	rg_tree_mem_put(t, KEY "/other/0.1.0.tgz", tgz, len, RG_TREE_FILE);
	free(tgz);
	return t;
}

TEST(helmcache_key)
{
	struct rg_arena *a = rg_arena_new();

	CHECK_STR(rg_helm_cache_key(a, URL), KEY);
	CHECK_STR(rg_helm_cache_key(a, "oci://r.io/charts"),
		  "oci%3A%2F%2Fr.io%2Fcharts");
	CHECK_STR(rg_helm_cache_key(a, "https://h/a b?x=1"),
		  "https%3A%2F%2Fh%2Fa%20b%3Fx%3D1");
	rg_arena_free(a);
}

TEST(helmcache_exact_and_constraints)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_tree *t = cache(a);
	struct rg_helm_chart *c = NULL;

	CHECK_INT(rg_helm_cache_load(&c, t, URL, "sub", "0.1.0", a, &err), 0);
	CHECK_STR(c->version, "0.1.0");
	CHECK_INT(c->ncharts, 1); /* charts/inner inside the archive */
	/* a constraint: the highest cached version in it */
	CHECK_INT(rg_helm_cache_load(&c, t, URL, "sub", "^0.1.0 || ^0.3.0", a,
				     &err),
		  0);
	CHECK_STR(c->version, "0.3.0");
	CHECK_INT(rg_helm_cache_load(&c, t, URL, "sub", "<0.3.0", a, &err), 0);
	CHECK_STR(c->version, "0.1.0"); /* prereleases need a prerelease range */
	CHECK_INT(rg_helm_cache_load(&c, t, URL, "sub", NULL, a, &err), 0);
	CHECK_STR(c->version, "0.3.0");
	rg_tree_free(t);
	rg_arena_free(a);
}

TEST(helmcache_missing_names_the_command)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_tree *t = cache(a);
	struct rg_helm_chart *c = NULL;

	CHECK_INT(rg_helm_cache_load(&c, t, URL, "sub", "9.9.9", a, &err),
		  RG_ENOTFOUND);
	CHECK_STR(err.msg,
		  "unrenderable: chart sub 9.9.9 from " URL " is not in the "
		  "chart cache; add it with: rendergate chart-cache add " URL
		  " sub 9.9.9 sub-9.9.9.tgz");
	CHECK_INT(rg_helm_cache_load(&c, t, "https://elsewhere", "sub", "0.1.0",
				     a, &err),
		  RG_ENOTFOUND);
	CHECK_INT(rg_helm_cache_load(&c, NULL, URL, "sub", "0.1.0", a, &err),
		  RG_ENOTFOUND);
	CHECK(strstr(err.msg, "chart_cache_dir in the server config"));
	CHECK(strstr(err.msg, "rendergate chart-cache add " URL " sub 0.1.0"));
	CHECK_INT(rg_helm_cache_load(&c, t, URL, "other", "0.1.0", a, &err),
		  RG_EINVALID);
	CHECK(strstr(err.msg, "holds chart sub, not other"));
	CHECK_INT(rg_helm_cache_load(&c, t, URL, "../x", "0.1.0", a, &err),
		  RG_EINVALID);
	rg_tree_free(t);
	rg_arena_free(a);
}
