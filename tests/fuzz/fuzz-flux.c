/*
 * fuzz-flux.c - Flux's variable substitution and a Flux build on
 * arbitrary bytes.
 *
 * The input is expanded with rg_envsubst_eval against a fixed set of
 * variables, non-strict and strict. Invariants: every call returns 0 or
 * a negative code with a message; when strict mode succeeds, non-strict
 * mode succeeds with the same text (strict only adds errors). Then the
 * input is the only manifest of a folder applied by a Flux Kustomization
 * with postBuild variables and an overlay of overrides, and the same
 * bytes are tried as that Kustomization itself: rg_flux_build must
 * return 0 or fail with a message, never crash or loop.
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/envsubst.h"
#include "rendergate/finding.h"
#include "rendergate/flux.h"
#include "rendergate/objects.h"
#include "rendergate/tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool lookup(void *ctx, const char *name, bool has_default,
		   const char **val, size_t *vlen)
{
	static const char *const vars[][2] = {
	    {"a", "alpha"}, {"empty", ""}, {"path", "x/y/z.txt"}};

	(void)ctx;
	(void)has_default;
	for (size_t i = 0; i < RG_ARRAY_SIZE(vars); i++)
		if (!strcmp(name, vars[i][0])) {
			*val = vars[i][1];
			*vlen = strlen(vars[i][1]);
			return true;
		}
	return false;
}

static const char ks[] =
    "apiVersion: kustomize.toolkit.fluxcd.io/v1\n"
    "kind: Kustomization\n"
    "metadata: {name: app, namespace: flux-system}\n"
    "spec:\n"
    "  path: ./app\n"
    "  targetNamespace: fuzz\n"
    "  namePrefix: p-\n"
    "  sourceRef: {kind: GitRepository, name: flux-system}\n"
    "  postBuild:\n"
    "    substitute: {a: alpha, n: '3'}\n"
    "    substituteFrom: [{kind: ConfigMap, name: vars, optional: true}]\n";

static void build(const char *entry_file, const char *entry_data,
		  size_t entry_len, const char *app_data, size_t app_len)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tree *t = rg_tree_mem_new(a, "fuzz");
	struct rg_objset set;
	struct rg_findings f;
	struct rg_err err = RG_ERR_INIT;
	struct rg_flux_opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	rg_objset_init(&set, a);
	rg_finding_init(&f, a);
	rg_tree_mem_put(t, entry_file, entry_data, entry_len, RG_TREE_FILE);
	rg_tree_mem_put(t, "app/in.yaml", app_data, app_len, RG_TREE_FILE);
	rc = rg_flux_build(&set, &f, t, "cluster", &o, a, &err);
	if (rc > 0 || (rc < 0 && !err.msg[0]))
		abort();
	rg_tree_free(t);
	rg_arena_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_buf loose = RG_BUF_INIT(1u << 24), strict = RG_BUF_INIT(1u << 24);
	struct rg_err e1 = RG_ERR_INIT, e2 = RG_ERR_INIT;
	int r1, r2;

	r1 = rg_envsubst_eval(&loose, a, (const char *)data, size, lookup,
			      NULL, 0, &e1);
	r2 = rg_envsubst_eval(&strict, a, (const char *)data, size, lookup,
			      NULL, RG_ENVSUBST_STRICT, &e2);
	if (r1 > 0 || r2 > 0 || (r1 < 0 && !e1.msg[0]) ||
	    (r2 < 0 && !e2.msg[0]))
		abort();
	if (!r2 && (r1 || loose.len != strict.len ||
		    memcmp(loose.ptr, strict.ptr, loose.len)))
		abort();
	rg_buf_release(&loose);
	rg_buf_release(&strict);
	rg_arena_free(a);
	build("cluster/ks.yaml", ks, sizeof(ks) - 1, (const char *)data, size);
	build("cluster/ks.yaml", (const char *)data, size, ks, sizeof(ks) - 1);
	return 0;
}
