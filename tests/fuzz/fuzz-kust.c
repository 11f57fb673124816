/*
 * fuzz-kust.c - strategic merge and JSON 6902 patches from arbitrary
 * bytes, applied to a fixed Deployment, and a kustomization built from
 * the same bytes in an in-memory tree.
 *
 * Each YAML document of the input is a patch: a mapping is applied as a
 * strategic merge patch, a sequence as JSON 6902 operations, in turn to
 * the same object. The first document is also used as kustomization.yaml
 * of a tree holding the Deployment. Invariants: every call returns 0 or
 * a negative code; on error the message is set; a successful patch
 * leaves a mapping (or NULL for a `$patch: delete`) that the emitter can
 * write.
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/doc.h"
#include "rendergate/kust.h"
#include "rendergate/tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char deployment[] =
	"apiVersion: apps/v1\n"
	"kind: Deployment\n"
	"metadata:\n  name: web\n  labels: {app: web}\n"
	"spec:\n  replicas: 2\n  template:\n    spec:\n"
	"      containers:\n      - name: web\n        image: web:1\n"
	"        env: [{name: A, value: a}]\n"
	"        ports: [{containerPort: 80, protocol: TCP}]\n"
	"      volumes: [{name: data, emptyDir: {}}]\n";

static void check_err(int rc, const struct rg_err *err)
{
	if (rc > 0 || (rc < 0 && !err->msg[0]))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_docs docs;
	struct rg_node *obj = NULL;
	struct rg_buf out = RG_BUF_INIT(64u << 20);
	struct rg_tree *t;
	struct rg_kust_result res;
	int rc;

	if (rg_doc_parse_one(&obj, a, "d.yaml", deployment, sizeof(deployment) - 1,
			     RG_PARSE_YAML12, &err))
		abort();
	if (rg_doc_parse(&docs, a, "fuzz.yaml", (const char *)data, size,
			 RG_PARSE_YAML12, &err))
		goto build;
	for (size_t i = 0; i < docs.len && obj; i++) {
		struct rg_node *p = docs.docs[i];
		struct rg_err e2 = RG_ERR_INIT;

		if (p->kind == RG_MAP) {
			struct rg_node *res1 = NULL;

			rc = rg_kust_smp(&res1, a, obj, p, &e2);
			check_err(rc, &e2);
			if (!rc)
				obj = res1;
		} else if (p->kind == RG_SEQ) {
			rc = rg_kust_json6902(&obj, a, p, &e2);
			check_err(rc, &e2);
		}
		if (obj && rg_doc_emit(&out, obj, 0) < 0)
			abort();
		rg_buf_reset(&out);
	}
build:
	t = rg_tree_mem_new(a, "fuzz");
	rg_tree_mem_put(t, "kustomization.yaml", (const char *)data, size,
			RG_TREE_FILE);
	rg_tree_mem_put(t, "d.yaml", deployment, sizeof(deployment) - 1,
			RG_TREE_FILE);
	rg_tree_mem_put(t, "base/kustomization.yaml", "resources: [../d.yaml]\n",
			23, RG_TREE_FILE);
	err = (struct rg_err)RG_ERR_INIT;
	rc = rg_kust_build(&res, a, t, "", 0, &err);
	check_err(rc, &err);
	if (!rc && rg_kust_emit(&out, &res) < 0)
		abort();
	rg_tree_free(t);
	rg_buf_release(&out);
	rg_arena_free(a);
	return 0;
}
