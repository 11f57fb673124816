#include "test.h"
#include "rendergate/arena.h"
#include "rendergate/depstore.h"
#include "rendergate/env.h"
#include "rendergate/tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int put(struct rg_tree *t, const char *path, const char *s)
{
	return rg_tree_mem_put(t, path, s, strlen(s), RG_TREE_FILE);
}

/* Read and list as a render would, leaving the log in t->deps. */
static void reads(struct rg_tree *t)
{
	struct rg_tree_entry *e;
	const char *data;
	size_t n, len;

	rg_tree_deps_reset(t);
	rg_tree_list(t, "app", &e, &n, NULL);
	rg_tree_read(t, "app/a.yaml", &data, &len, NULL);
	rg_tree_read(t, "values.yaml", &data, &len, NULL); /* missing */
}

TEST(depstore_round_trip_and_staleness)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tree *t1 = rg_tree_mem_new(a, "one");
	struct rg_tree *t2 = rg_tree_mem_new(a, "two");
	struct rg_tree *t3 = rg_tree_mem_new(a, "three");
	struct rg_env_deplog log;
	struct rg_err err = RG_ERR_INIT;
	char dir[] = "/tmp/rg-depstore.XXXXXX", sub[64], path[96];
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(sub, sizeof(sub), "%s/deps", dir);
	CHECK_INT(put(t1, "app/a.yaml", "a: 1\n"), 0);
	CHECK_INT(put(t1, "other/x.yaml", "x: 1\n"), 0);
	CHECK_INT(put(t2, "app/a.yaml", "a: 1\n"), 0);
	CHECK_INT(put(t2, "other/x.yaml", "x: 2\n"), 0); /* not read */
	CHECK_INT(put(t3, "app/a.yaml", "a: 1\n"), 0);
	CHECK_INT(put(t3, "values.yaml", "v: 1\n"), 0); /* was missing */

	CHECK_INT(rg_depstore_load(&log, a, sub, "prod", t1), RG_ENOTFOUND);
	reads(t1);
	CHECK_INT(t1->ndeps, 3);
	CHECK_INT(rg_depstore_save(sub, "prod", t1->deps, t1->ndeps, &err), 0);

	CHECK_INT(rg_depstore_load(&log, a, sub, "prod", t1), 0);
	CHECK_INT(log.ndeps, 3);
	CHECK_STR(log.deps[1].path, "app/a.yaml");
	CHECK_INT(rg_depstore_load(&log, a, sub, "prod", t2), 0);
	CHECK_INT(rg_depstore_load(&log, a, sub, "prod", t3), RG_ENOTFOUND);
	CHECK(log.deps == NULL);
	CHECK_INT(rg_depstore_load(&log, a, sub, "dev", t1), RG_ENOTFOUND);

	/* a damaged log is not used */
	snprintf(path, sizeof(path), "%s/prod.deps", sub);
	f = fopen(path, "w");
	CHECK(f != NULL);
	fputs("rendergate-deps 1\nR 9 zz app/a.yaml\n", f);
	fclose(f);
	CHECK_INT(rg_depstore_load(&log, a, sub, "prod", t1), RG_ENOTFOUND);

	unlink(path);
	rmdir(sub);
	rmdir(dir);
	rg_tree_free(t1);
	rg_tree_free(t2);
	rg_tree_free(t3);
	rg_arena_free(a);
}
