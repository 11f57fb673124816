/*
 * depstore.h - the dependency log of each environment's last render,
 * kept between pushes, so change scoping need not render an environment
 * only to learn what it reads.
 *
 * Without a log, the gate renders the state before the push of every
 * Helm or Kustomize environment that the first scoping cut skips, only to
 * see whether it reads a changed path (rg_gate_refine_choices): on a
 * repository of three 5,000-object environments, two of the three full
 * renders of a one-line values change. The store keeps, per environment,
 * the log (env.h's text format, with object ids) of the last render, and
 * hands it back only when it holds for the tree at hand: every recorded
 * path still has the same kind and id there (rg_tree_deps_hold). A render
 * of that tree would then read exactly the same bytes and record exactly
 * the same log, so scoping on the stored log is exact, never a guess. A
 * stale, missing or damaged log is simply not used (the gate renders, as
 * before).
 *
 * Files: DIR/<env>.deps, written to an unnamed file and linked in (or,
 * where the system has no O_TMPFILE, to a temporary name and renamed), so
 * a reader never sees half a log and a killed hook leaves no temporary. Environment names are [A-Za-z0-9._-]+
 * (config.h), and the ".deps" suffix keeps "." and ".." from naming a
 * directory. Logs over RG_CAP_DEPSTORE_BYTES are not written.
 */
#ifndef RENDERGATE_DEPSTORE_H
#define RENDERGATE_DEPSTORE_H

#include "rendergate/compat.h"
#include "rendergate/err.h"

struct rg_arena;
struct rg_tree;
struct rg_tree_dep;
struct rg_env_deplog;

/*
 * Load DIR/<env>.deps into *out (arena-owned) if it holds for t.
 * 0 on success; RG_ENOTFOUND when there is no log, it cannot be read or
 * parsed, or it no longer holds for t (*out is then {NULL, 0}).
 */
int rg_depstore_load(struct rg_env_deplog *out, struct rg_arena *a,
		     const char *dir, const char *env, struct rg_tree *t);

/*
 * Store deps[0..n) as env's log, creating DIR (mode 0755) if needed.
 * 0, or RG_EIO / RG_ELIMIT with err set; the gate goes on without it.
 */
int rg_depstore_save(const char *dir, const char *env,
		     const struct rg_tree_dep *deps, size_t n,
		     struct rg_err *err);

#endif
