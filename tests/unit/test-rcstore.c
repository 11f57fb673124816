#include "test.h"
#include "rendergate/arena.h"
#include "rendergate/objects.h"
#include "rendergate/finding.h"
#include "rendergate/rcache.h"
#include "rendergate/rcstore.h"
#include "rendergate/tree.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t count_files(const char *dir, const char *part)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	while (d && (de = readdir(d)) != NULL)
		n += strstr(de->d_name, part) != NULL;
	if (d)
		closedir(d);
	return n;
}

/* A cache over a store in dir, as one hook run has. */
static struct rg_rcache *run_cache(struct rg_arena *a, const char *dir,
				   struct rg_rcstore **s)
{
	struct rg_rcache *c = rg_rcache_new(a);

	*s = rg_rcstore_open(a, dir);
	rg_rcstore_attach(*s, c);
	return c;
}

/* Store a render of t's one file under name, with dependency on it. */
static void save(struct rg_rcache *c, struct rg_tree *t, const char *name)
{
	const char *data;
	size_t len;

	rg_tree_deps_reset(t);
	rg_tree_read(t, "a.yaml", &data, &len, NULL);
	rg_rcache_save(c, name, t->bytes_read, t->deps, t->ndeps, NULL, 0,
		       NULL, 0);
}

static int get(struct rg_rcache *c, const void *key, const char *name,
	       struct rg_tree *t, struct rg_arena *a)
{
	struct rg_objset s;
	struct rg_findings f;

	rg_objset_init(&s, a);
	rg_finding_init(&f, a);
	rg_rcache_fetch(c, key, name);
	rg_tree_deps_reset(t);
	return rg_rcache_get(c, key, t, &s, &f, NULL);
}

TEST(rcstore_keeps_entries_between_runs_and_ignores_damage)
{
	struct rg_arena *a = rg_arena_new();
	char dir[] = "/tmp/rg-rcstore-XXXXXX";
	struct rg_tree *t = rg_tree_mem_new(a, "t");
	struct rg_rcstore *s = NULL;
	struct rg_rcache *c;
	struct rg_rcache_stats st;
	struct stat sb;
	char path[600];
	int key;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/store", dir);
	/* run 1: four versions of one release, and another release */
	c = run_cache(a, path, &s);
	for (int v = 0; v < 4; v++) {
		char text[32];

		snprintf(text, sizeof(text), "v: %d\n", v);
		rg_tree_mem_put(t, "a.yaml", text, strlen(text), RG_TREE_FILE);
		save(c, t, "scope\nrelease 0");
	}
	save(c, t, "scope\nrelease 1");
	rg_rcstore_prune(s);
	CHECK_INT(count_files(path, ".rce"), RG_RCSTORE_KEEP + 1);
	/* entries are linked in whole: no temporary file is ever left */
	CHECK_INT(count_files(path, ".tmp-"), 0);
	CHECK_INT(stat(path, &sb), 0);
	CHECK_INT(sb.st_mode & 0777, 0700);

	/* run 2: the newest version hits, from disk */
	c = run_cache(a, path, &s);
	CHECK_INT(get(c, &key, "scope\nrelease 0", t, a), 0);
	rg_rcache_stats(&st, c);
	CHECK_INT(st.stored_hits, 1);
	CHECK_INT(st.fetched, RG_RCSTORE_KEEP);

	/* run 3: every file damaged: refused, a miss, never an error */
	{
		DIR *d = opendir(path);
		struct dirent *de;

		while (d && (de = readdir(d)) != NULL) {
			char p[1200];
			FILE *fp;

			if (!strstr(de->d_name, ".rce"))
				continue;
			snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
			fp = fopen(p, "r+");
			if (fp) {
				fseek(fp, 10, SEEK_SET);
				fputc('X', fp);
				fclose(fp);
			}
		}
		if (d)
			closedir(d);
	}
	c = run_cache(a, path, &s);
	CHECK_INT(get(c, &key, "scope\nrelease 0", t, a), RG_ENOTFOUND);
	rg_rcache_stats(&st, c);
	CHECK_INT(st.fetched, 0);
	CHECK_INT(st.rejected, RG_RCSTORE_KEEP);

	/* a store that cannot be created costs hits, nothing else */
	c = run_cache(a, "/proc/no/such/dir", &s);
	save(c, t, "scope\nrelease 0");
	CHECK_INT(get(c, &key, "scope\nrelease 9", t, a), RG_ENOTFOUND);
	rg_rcstore_prune(s);

	CHECK(rg_rcstore_binary_id(a) != NULL);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	CHECK_INT(system(path), 0);
	rg_tree_free(t);
	rg_arena_free(a);
}
