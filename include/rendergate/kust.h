/*
 * kust.h - Kustomize rendered natively, the way `kubectl kustomize DIR`
 * (kustomize v5.5.0) does.
 *
 * rg_kust_build() reads a kustomization directory through a tree view
 * (tree.h), so every file it reads is recorded in the tree's dependency
 * log, and returns the rendered objects in kustomize's legacy output
 * order (the `kubectl kustomize` default). rg_kust_emit() prints them the
 * way kustomize does (go-yaml v2 form, keys sorted, "---" between
 * objects).
 *
 * The pipeline per kustomization (kustomize's KustTarget), depth first:
 *   1. resources (and the deprecated bases) in list order: files (every
 *      document of a YAML stream), directories holding a kustomization
 *      (built recursively, their transformer configurations travel up),
 *   2. configurations (custom fieldSpecs, merged into the defaults),
 *   3. configMapGenerator, secretGenerator (with generatorOptions),
 *      helmCharts (rendered by rendergate's Helm engine, see
 *      render/kust_helm.c; charts must be in the repository),
 *   4. components (kind Component), applied to what was accumulated,
 *   5. transformers in kustomize's fixed order: patchesStrategicMerge,
 *      patches, namespace, namePrefix, nameSuffix, labels/commonLabels,
 *      commonAnnotations, patchesJson6902, replicas, images, replacements,
 *   6. vars are collected.
 * Then, once for the whole build: hash suffixes on generated ConfigMaps
 * and Secrets, name-reference updates (every referrer of a renamed
 * object along kustomize's nameReference fieldSpecs, or custom ones),
 * $(VAR) substitution, dropping objects annotated
 * config.kubernetes.io/local-config: "true", and the legacy sort.
 *
 * Scalars are read as YAML 1.2 (kyaml): `yes`/`on` stay strings.
 *
 * Load restrictions are kustomize's LoadRestrictionsRootOnly: a file
 * referenced by a kustomization must lie inside that kustomization's
 * directory; a reference outside is RG_EUNSAFE naming the file. A
 * directory resource (another kustomization) may lie anywhere in the
 * tree. Remote resources (URLs, github.com/...?ref=) are
 * RG_EUNSUPPORTED "unrenderable: remote resource <url>", never fetched.
 * helmCharts work as with `kubectl kustomize --enable-helm`, except that a
 * chart missing from <chartHome> is RG_EUNSUPPORTED (never pulled) and a
 * missing releaseName is "release-name" (not a random name).
 * A kustomization that includes itself, directly or through others, is
 * RG_EINVALID "cycle"; nesting deeper than RG_CAP_KUST_DEPTH is
 * RG_ELIMIT. A strategic merge patch without target whose object is not
 * in the resources is RG_ENOTFOUND "no resource matches strategic merge
 * patch ..." (kustomize fails the build the same way).
 *
 * The output order is kustomize's legacy order unless the top
 * kustomization's sortOptions says otherwise (order: fifo, or legacy with
 * its own orderFirst/orderLast lists) or the caller passes RG_KUST_FIFO.
 *
 * Not done (NEEDSWORK): openapi:, crds:, helmChartInflationGenerator, plugin configs
 * under transformers:/generators:/validators: are RG_EUNSUPPORTED;
 * $retainKeys, $setElementOrder and $deleteFromPrimitiveList stay plain
 * fields (as in kustomize, see rg_kust_smp);
 * the kustomization file is read as YAML 1.2 where kustomize reads it as
 * YAML 1.1 (an unquoted `yes` label value is an error in kustomize, the
 * string "yes" here).
 *
 * Everything is allocated in the caller's arena.
 */
#ifndef RENDERGATE_KUST_H
#define RENDERGATE_KUST_H

#include "rendergate/compat.h"
#include "rendergate/err.h"

struct rg_arena;
struct rg_buf;
struct rg_node;
struct rg_tree;
struct rg_objset;
struct rg_findings;
struct rg_render_req;

/* The result of a build: objects in output order. */
struct rg_kust_result {
	struct rg_node **objs; /* arena array of mappings */
	size_t len;
};

enum rg_kust_flags {
	/* keep accumulation order instead of the legacy sort (Flux, krusty) */
	RG_KUST_FIFO = 1 << 0,
	/* load restrictions off (kustomize --load-restrictor LoadRestrictionsNone) */
	RG_KUST_LOAD_ANYWHERE = 1 << 1,
};

/*
 * Build the kustomization in directory dir of tree t ("" for the root).
 * dir must hold kustomization.yaml, kustomization.yml or Kustomization.
 * Errors: see the file comment; RG_EPARSE for malformed YAML (with
 * file:line:col), RG_ENOTFOUND for a missing file or kustomization.
 */
int rg_kust_build(struct rg_kust_result *out, struct rg_arena *a,
		  struct rg_tree *t, const char *dir, unsigned flags,
		  struct rg_err *err);

/*
 * Append the objects as kustomize prints them: each object as go-yaml v2
 * writes it (rg_doc_emit), separated by "---\n". RG_ELIMIT on the
 * buffer's cap.
 */
int rg_kust_emit(struct rg_buf *out, const struct rg_kust_result *res);

/* True when dir holds a kustomization file (unrecorded stat). */
bool rg_kust_detect(struct rg_tree *t, const char *dir);

/*
 * The environment renderer (env.h registry signature): builds req->path
 * and appends the objects to out. Remote resources and helmCharts are
 * errors (RG_EUNSUPPORTED "unrenderable: ..."), so the gate fails closed.
 */
int rg_kust_render(struct rg_objset *out, struct rg_findings *findings,
		   const struct rg_render_req *req, struct rg_err *err);

/* --- the pieces, usable on their own -------------------------------- */

/*
 * Strategic merge patch: *out is target with patch applied (target is
 * modified in place and may be returned; *out is NULL when the patch
 * deletes the whole object with `$patch: delete`). kind/apiVersion of
 * target choose the merge keys of built-in types (containers by name,
 * ports by containerPort, Service ports by port, volumeMounts by
 * mountPath, ...; ports by containerPort and protocol with kyaml's
 * two-key ordering); every other list, and every list of a type without
 * a schema (custom resources), is replaced by the patch's list: kustomize
 * v5.5.0 does not infer merge keys when patching (kubectl kustomize
 * replaces a CRD's list of named elements). Directives: `$patch:
 * delete|replace|merge` on maps and list elements, `null` deletes a
 * field. `$retainKeys`, `$setElementOrder/<field>` and
 * `$deleteFromPrimitiveList/<field>` are not directives for kyaml: they
 * are copied into the object as plain fields, as kubectl kustomize
 * v5.5.0 does. New list elements are prepended, as kustomize does.
 */
int rg_kust_smp(struct rg_node **out, struct rg_arena *a,
		struct rg_node *target, const struct rg_node *patch,
		struct rg_err *err);

/*
 * RFC 6902 JSON patch: apply the operations in ops (a sequence of maps
 * with op/path/value/from) to *doc in place (the root may be replaced).
 * add, remove, replace, move, copy, test; JSON pointers with ~0 ~1
 * escapes, "-" for the end of a list. A failed test or a missing path
 * is RG_EINVALID naming the operation.
 */
int rg_kust_json6902(struct rg_node **doc, struct rg_arena *a,
		     const struct rg_node *ops, struct rg_err *err);

/*
 * The name-hash kustomize appends to generated ConfigMaps and Secrets
 * (api/hasher): 10 characters plus NUL into out. obj is the generated
 * object. Returns 0, or RG_EINVALID for an object that is neither.
 */
int rg_kust_hash(char out[11], const struct rg_node *obj);

#endif
