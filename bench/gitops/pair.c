/*
 * bench/gitops/pair.c - render the environments of a Git repository at
 * two revisions and diff them, as the pre-receive hook's gate_env does,
 * with or without the render cache (rcache.h), and print what was
 * rendered and the cache's counters. For profiling the render pair in
 * isolation (valgrind --tool=callgrind); not part of rendergate.
 *
 * Usage: pair [-n] [-v] GITDIR OLD NEW [ENV...]
 *   -n: no render cache; -v: libgit2's strict hash verification on (its
 *   default; hooks/repo.c turns it off). The repository is opened as the
 *   hook opens it (rg_repo_open_discover), with the same libgit2 settings.
 * Built by bench/gitops/profile.sh.
 */
#include <git2.h>
#include <stdio.h>
#include <string.h>

#include "rendergate/arena.h"
#include "rendergate/config.h"
#include "rendergate/diff.h"
#include "rendergate/env.h"
#include "rendergate/finding.h"
#include "rendergate/gittree.h"
#include "rendergate/objects.h"
#include "rendergate/rcache.h"
#include "rendergate/repo.h"
#include "rendergate/tree.h"

static struct rg_tree *tree_at(struct rg_arena *a, git_repository *repo,
			       const char *rev)
{
	git_object *o = NULL;
	struct rg_err err = RG_ERR_INIT;
	struct rg_tree *t = NULL;

	if (git_revparse_single(&o, repo, rev) == 0) {
		git_object *tr = NULL;

		if (git_object_peel(&tr, o, GIT_OBJECT_TREE) == 0)
			t = rg_gittree_new(a, repo, git_object_id(tr), rev,
					   &err);
		git_object_free(tr);
	}
	git_object_free(o);
	if (!t)
		fprintf(stderr, "pair: %s: cannot read (%s)\n", rev, err.msg);
	return t;
}

int main(int argc, char **argv)
{
	struct rg_arena *a;
	struct rg_rcache *c = NULL;
	struct rg_config_repo *cfg = NULL;
	struct rg_errlist errs;
	struct rg_rcache_stats st;
	git_repository *repo = NULL;
	struct rg_tree *told, *tnew;
	const char *data;
	size_t len;
	int i = 1, rc = 0;
	bool cached = true, verify = false;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-n"))
			cached = false;
		else if (!strcmp(argv[i], "-v"))
			verify = true;
	}
	if (argc - i < 3) {
		fprintf(stderr,
			"usage: pair [-n] [-v] GITDIR OLD NEW [ENV...]\n");
		return 2;
	}
	git_libgit2_init();
	a = rg_arena_new();
	memset(&errs, 0, sizeof(errs));
	/* the hook's libgit2 settings (hooks/repo.c) */
	if (rg_repo_open_discover(&repo, argv[i], NULL) < 0) {
		fprintf(stderr, "pair: cannot open %s\n", argv[i]);
		return 2;
	}
	if (verify)
		git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 1);
	told = tree_at(a, repo, argv[i + 1]);
	tnew = tree_at(a, repo, argv[i + 2]);
	if (!told || !tnew ||
	    rg_tree_read(told, RG_CONFIG_REPO_FILE, &data, &len, NULL) ||
	    rg_config_repo_parse(&cfg, a, RG_CONFIG_REPO_FILE, data, len,
				 &errs) ||
	    !cfg) {
		fprintf(stderr, "pair: no usable %s\n", RG_CONFIG_REPO_FILE);
		return 2;
	}
	if (cached)
		c = rg_rcache_new(a);
	for (size_t e = 0; e < cfg->nenvs; e++) {
		const struct rg_config_env *env = &cfg->envs[e];
		struct rg_objset so, sn;
		struct rg_findings fo, fn;
		struct rg_diff *d = NULL;
		struct rg_err err = RG_ERR_INIT;
		bool wanted = argc - i == 3;

		for (int k = i + 3; k < argc; k++)
			wanted |= !strcmp(argv[k], env->name);
		if (!wanted)
			continue;
		rg_objset_init(&so, a);
		rg_objset_init(&sn, a);
		rg_finding_init(&fo, a);
		rg_finding_init(&fn, a);
		if (rg_env_render_cached(&so, &fo, cfg, env, told, c, a,
					 &err) ||
		    rg_env_render_cached(&sn, &fn, cfg, env, tnew, c, a,
					 &err) ||
		    rg_diff_objsets(&d, &so, &sn, env->name, a, &err)) {
			fprintf(stderr, "pair: %s: %s\n", env->name, err.msg);
			rc = 1;
			continue;
		}
		printf("%s: %zu -> %zu objects, %zu -> %zu findings, %zu "
		       "changed\n",
		       env->name, so.len, sn.len, fo.len, fn.len, d->nchanged);
	}
	rg_rcache_stats(&st, c);
	printf("rcache: %zu hits, %zu misses, %zu puts, %zu deps checked\n",
	       st.hits, st.misses, st.puts, st.deps_checked);
	git_repository_free(repo);
	rg_arena_free(a);
	git_libgit2_shutdown();
	return rc;
}
