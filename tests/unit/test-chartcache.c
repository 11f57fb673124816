/*
 * test-chartcache.c - `rendergate chart-cache add` (rg_cmd_chart_cache)
 * on a temporary directory, then the hook's read-only view of it
 * (rg_chartcache_open) feeding rg_helm_cache_load. Runs from the top of
 * the source tree.
 */
#include "rendergate/compat.h"

#include <sys/stat.h>
#include <unistd.h>

#include "rendergate/arena.h"
#include "rendergate/chartcache.h"
#include "rendergate/helm.h"
#include "rendergate/tree.h"
#include "test.h"

#define TGZ "tests/cases/helm/tgz-root/chart.tgz"
#define URL "https://charts.example.com/stable"

static int cmd(const char *dir, const char *name, const char *version,
	       const char *file)
{
	char a0[] = "chart-cache", a1[] = "--dir", a3[] = "add", a4[] = URL;
	char a2[256], a5[64], a6[64], a7[256];
	char *argv[] = { a0, a1, a2, a3, a4, a5, a6, a7, NULL };
	int rc;

	snprintf(a2, sizeof(a2), "%s", dir);
	snprintf(a5, sizeof(a5), "%s", name);
	snprintf(a6, sizeof(a6), "%s", version);
	snprintf(a7, sizeof(a7), "%s", file);

	fflush(stdout);
	rc = rg_cmd_chart_cache(8, argv);
	fflush(stdout);
	return rc;
}

TEST(chartcache_add_then_render_side_reads_it)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	char dir[] = "/tmp/rg-chartcache-XXXXXX";
	char path[512], bad[600];
	struct rg_tree *t;
	struct rg_helm_chart *c = NULL;
	struct stat st;
	FILE *f;

	CHECK(mkdtemp(dir));
	CHECK_INT(cmd(dir, "sub", "0.1.0", TGZ), 0);
	snprintf(path, sizeof(path),
		 "%s/https%%3A%%2F%%2Fcharts.example.com%%2Fstable/sub/0.1.0.tgz",
		 dir);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0644);
	/* the same bytes again: a no-op */
	CHECK_INT(cmd(dir, "sub", "0.1.0", TGZ), 0);
	/* name or version not the archive's */
	CHECK_INT(cmd(dir, "other", "0.1.0", TGZ), 1);
	CHECK_INT(cmd(dir, "sub", "0.2.0", TGZ), 1);
	/* not an archive */
	snprintf(bad, sizeof(bad), "%s/changed.tgz", dir);
	f = fopen(bad, "wb");
	CHECK(f);
	fputs("not a chart", f);
	fclose(f);
	CHECK_INT(cmd(dir, "sub", "0.1.0", bad), 1);
	/* different bytes already cached for the version: refused, kept */
	f = fopen(path, "wb");
	CHECK(f);
	fputs("older", f);
	fclose(f);
	CHECK_INT(cmd(dir, "sub", "0.1.0", TGZ), 1);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_size, 5);
	CHECK_INT(unlink(path), 0);
	CHECK_INT(cmd(dir, "sub", "0.1.0", TGZ), 0);
	/* usage */
	{
		char u0[] = "chart-cache", u1[] = "add", u2[] = URL;
		char *argv[] = { u0, u1, u2, NULL };

		CHECK_INT(rg_cmd_chart_cache(3, argv), 2);
	}
	t = rg_chartcache_open(a, dir, &err);
	CHECK(t);
	CHECK_INT(rg_helm_cache_load(&c, t, URL "/", "sub", "~0.1", a, &err), 0);
	CHECK_STR(c->name, "sub");
	CHECK_STR(c->version, "0.1.0");
	CHECK(!rg_chartcache_open(a, "/nonexistent/rg-cache", &err));
	CHECK_INT(err.code, RG_ENOTFOUND);
	unlink(bad);
	unlink(path);
	snprintf(bad, sizeof(bad),
		 "%s/https%%3A%%2F%%2Fcharts.example.com%%2Fstable/sub", dir);
	rmdir(bad);
	snprintf(bad, sizeof(bad),
		 "%s/https%%3A%%2F%%2Fcharts.example.com%%2Fstable", dir);
	rmdir(bad);
	CHECK_INT(rmdir(dir), 0);
	rg_arena_free(a);
}
