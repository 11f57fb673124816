/*
 * fuzz-config.c - the two config parsers and change scoping on arbitrary
 * bytes.
 *
 * The input is parsed as a repository config and as a server config.
 * Whatever happens, the parsers must either return a config with no
 * errors recorded or fail with at least one error. A repository config
 * that loads is then used for scoping decisions (with and without a
 * dependency log) and its environments' globs are exercised, checking
 * invariants: one choice per environment, each with a reason, and every
 * configured path passing the tree path check. The input is also read as
 * a dependency log (env.h); one that reads must round-trip.
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/cfgread.h"
#include "rendergate/config.h"
#include "rendergate/env.h"
#include "rendergate/tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_repo(const struct rg_config_repo *r, struct rg_arena *a)
{
	static const char *const paths[] = {"envs/prod/app.yaml",
					    ".rendergate.yaml", "a/b/c",
					    "charts/x/values.yaml", ""};
	struct rg_env_choice *c = NULL;
	struct rg_tree_dep deps[2];
	struct rg_env_deplog *logs;
	size_t n = 0;

	for (size_t i = 0; i < r->nenvs; i++) {
		const struct rg_config_env *e = &r->envs[i];

		if (!e->name || !e->path || rg_tree_path_check(e->path, NULL))
			abort();
		for (size_t k = 0; k < e->nexclude; k++)
			(void)rg_cfg_glob_match(e->exclude[k], "a/b/c.yaml");
		for (size_t k = 0; k < e->nreleases; k++)
			if (!e->releases[k].chart == !e->releases[k].kustomize)
				abort();
	}
	for (size_t i = 0; i < r->nstages; i++)
		if (!rg_config_repo_env(r, r->stages[i]))
			abort();
	rg_env_select(&c, &n, r, "refs/heads/main", paths,
		      RG_ARRAY_SIZE(paths) - 1, NULL, a);
	if (n != r->nenvs)
		abort();
	for (size_t i = 0; i < n; i++)
		if (!c[i].reason || c[i].env != &r->envs[i])
			abort();
	memset(deps, 0, sizeof(deps));
	deps[0].path = "envs";
	deps[0].listed = true;
	deps[1].path = "a/b/c";
	logs = rg_arena_calloc(a, r->nenvs + 1, sizeof(*logs));
	for (size_t i = 0; i < r->nenvs; i++) {
		logs[i].deps = deps;
		logs[i].ndeps = 2;
	}
	rg_env_select(&c, &n, r, "refs/heads/staging", paths,
		      RG_ARRAY_SIZE(paths) - 1, logs, a);
	rg_env_select(&c, &n, r, "refs/tags/x", NULL, 0, NULL, a);
}

/* A dependency log that reads must write back to text that reads the same. */
static void check_deplog(struct rg_arena *a, const uint8_t *data, size_t size)
{
	struct rg_env_deplog log = {NULL, 0}, again = {NULL, 0};
	struct rg_buf b = RG_BUF_INIT((size_t)1 << 30);

	if (rg_env_deplog_read(&log, a, (const char *)data, size, NULL) < 0)
		return;
	if (rg_env_deplog_write(&b, log.deps, log.ndeps) < 0 ||
	    rg_env_deplog_read(&again, a, b.ptr, b.len, NULL) < 0 ||
	    again.ndeps != log.ndeps)
		abort();
	for (size_t i = 0; i < log.ndeps; i++)
		if (strcmp(log.deps[i].path, again.deps[i].path) ||
		    strcmp(log.deps[i].id, again.deps[i].id) ||
		    log.deps[i].kind != again.deps[i].kind)
			abort();
	rg_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_errlist errs = RG_ERRLIST_INIT;
	struct rg_config_repo *r = NULL;
	struct rg_config_server *s = NULL;
	int error;

	error = rg_config_repo_parse(&r, a, ".rendergate.yaml",
				     (const char *)data, size, &errs);
	if ((error == 0) != (errs.len == 0 && errs.dropped == 0))
		abort();
	if (error == 0)
		check_repo(r, a);
	rg_errlist_release(&errs);

	error = rg_config_server_parse(&s, a, "config.yaml", (const char *)data,
				       size, &errs);
	if ((error == 0) != (errs.len == 0 && errs.dropped == 0))
		abort();
	if (error == 0) {
		(void)rg_config_ref_gated(s, "refs/tags/v1");
		(void)rg_config_user_bypasses(s, "root");
	}
	rg_errlist_release(&errs);
	check_deplog(a, data, size);
	rg_arena_free(a);
	return 0;
}
