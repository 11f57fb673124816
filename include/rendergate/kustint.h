/*
 * kustint.h - internals shared by render/kust*.c (not an API: use kust.h).
 *
 * The build keeps a resource map (struct rg_kust_resmap) of resources,
 * each a document plus the bookkeeping kustomize keeps in its internal
 * annotations: the original id, every previous id (names before prefix,
 * suffix, namespace and hash changes), the prefixes and suffixes applied,
 * and generator behaviour. Transformers walk fieldSpecs (group, version,
 * kind selector plus a '/'-separated path) from a transformer config
 * (struct rg_kust_tcfg) that starts as kustomize's defaults and grows
 * with `configurations:` files.
 */
#ifndef RENDERGATE_KUSTINT_H
#define RENDERGATE_KUSTINT_H

#include "rendergate/compat.h"
#include "rendergate/err.h"

struct rg_arena;
struct rg_node;

/*
 * An identity: group may be "", ns "" when unset. Filled by
 * rg_kust_res_id, group points into gbuf (so a copy of the struct must
 * not outlive the original unless made with rg_kust_id_dup).
 */
struct rg_kust_id {
	const char *group, *version, *kind, *name, *ns;
	char gbuf[128];
};

enum rg_kust_behavior {
	RG_KUST_BEH_NONE = 0,
	RG_KUST_BEH_CREATE,
	RG_KUST_BEH_MERGE,
	RG_KUST_BEH_REPLACE,
};

struct rg_kust_res {
	struct rg_node *obj;
	struct rg_kust_id org;	 /* as loaded or generated */
	struct rg_kust_id *prev; /* previous ids, oldest first */
	size_t nprev, prev_alloc;
	const char **prefixes, **suffixes;
	size_t nprefix, nsuffix;
	uint8_t behavior; /* enum rg_kust_behavior, generated objects */
	bool needs_hash;  /* generated and hash suffix not disabled */
	const char *file; /* where it came from, for messages */
};

struct rg_kust_resmap {
	struct rg_kust_res **items;
	size_t len, alloc;
};

/* A fieldSpec: selector (empty = any) and path. */
struct rg_kust_fs {
	const char *group, *version, *kind, *path;
	bool create;
	char **segs; /* path split at '/', set by rg_kust_fslist_add */
	size_t nsegs;
};

struct rg_kust_fslist {
	struct rg_kust_fs *items;
	size_t len, alloc;
};

/* nameReference entry: objects of this gvk are referred to along refs. */
struct rg_kust_nameref {
	const char *group, *version, *kind;
	struct rg_kust_fslist refs;
};

struct rg_kust_tcfg {
	struct rg_kust_fslist prefix, suffix, ns, labels, common_labels,
		template_labels, annotations, images, replicas, varref;
	struct rg_kust_nameref *nr;
	size_t nnr, nr_alloc;
};

/* --- resources (kust.c) ---------------------------------------------- */

/* Current identity of a resource's object (strings borrowed). */
void rg_kust_res_id(struct rg_kust_id *out, const struct rg_node *obj);
/* Copy of id whose strings live in the arena. */
struct rg_kust_id rg_kust_id_dup(struct rg_arena *a, const struct rg_kust_id *id);
/* Record the current id as a previous id (kustomize StorePreviousId). */
void rg_kust_res_store_prev(struct rg_arena *a, struct rg_kust_res *r);
/* New resource for obj with org id = current id. */
struct rg_kust_res *rg_kust_res_new(struct rg_arena *a, struct rg_node *obj,
				    const char *file);
void rg_kust_resmap_add(struct rg_arena *a, struct rg_kust_resmap *m,
			struct rg_kust_res *r);
/* Remove element i keeping order. */
void rg_kust_resmap_remove(struct rg_kust_resmap *m, size_t i);
/* Is this kind cluster-scoped (built-in OpenAPI knowledge)? */
bool rg_kust_cluster_scoped(const char *group, const char *kind);
/* ResId.Equals: gvk equal, names equal, namespaces equal ("" == default). */
bool rg_kust_id_equal(const struct rg_kust_id *x, const struct rg_kust_id *y);
/* Split "group/version" into group and version (arena). */
void rg_kust_split_apiversion(struct rg_arena *a, const char *apiversion,
			      const char **group, const char **version);
/* String value at dotted path, "" when missing or not a string. */
const char *rg_kust_str_at(const struct rg_node *n, const char *dotted);
/* Make sure map n has a mapping under key (created if missing/null). */
struct rg_node *rg_kust_map_ensure(struct rg_arena *a, struct rg_node *n,
				   const char *key);
/* Textual form of a scalar (ints, bools, floats printed) into the arena. */
const char *rg_kust_scalar_text(struct rg_arena *a, const struct rg_node *n);

/* --- fieldSpecs and transformer config (kust_fields.c) --------------- */

void rg_kust_tcfg_defaults(struct rg_arena *a, struct rg_kust_tcfg *c);
/* Merge src into dst (duplicates dropped). */
void rg_kust_tcfg_merge(struct rg_arena *a, struct rg_kust_tcfg *dst,
			const struct rg_kust_tcfg *src);
/* Read a `configurations:` file's document into c (added to c). */
int rg_kust_tcfg_load(struct rg_arena *a, struct rg_kust_tcfg *c,
		      const struct rg_node *doc, const char *file,
		      struct rg_err *err);
void rg_kust_fslist_add(struct rg_arena *a, struct rg_kust_fslist *l,
			const struct rg_kust_fs *fs);
/* Does the selector of fs select this group/version/kind? */
bool rg_kust_fs_selects(const struct rg_kust_fs *fs, const char *group,
			const char *version, const char *kind);

/*
 * Call fn on every node the fieldSpec's path reaches in obj (creating
 * missing mappings along the way when fs->create; the last step is
 * created as create_kind, RG_MAP or RG_STR, or not at all when 0).
 * fn gets the parent map and key so it can replace the value. A path
 * step longer than RG_CAP_KUST_FS_SEGMENT bytes is RG_ELIMIT (err set)
 * when the walk reaches it.
 */
typedef int (*rg_kust_fs_fn)(void *ctx, struct rg_node *parent,
			     const char *key, struct rg_node *val,
			     struct rg_err *err);
int rg_kust_fs_apply(struct rg_arena *a, struct rg_node *obj,
		     const struct rg_kust_fs *fs, int create_kind,
		     rg_kust_fs_fn fn, void *ctx, struct rg_err *err);

int rg_kust_tr_namespace(struct rg_arena *a, struct rg_kust_resmap *m,
			 const struct rg_kust_tcfg *c, const char *ns,
			 struct rg_err *err);
int rg_kust_tr_affix(struct rg_arena *a, struct rg_kust_resmap *m,
		     const struct rg_kust_fslist *fsl, const char *affix,
		     bool suffix, struct rg_err *err);
/* pairs: mapping of label or annotation keys to values. */
int rg_kust_tr_map_entries(struct rg_arena *a, struct rg_kust_resmap *m,
			   const struct rg_kust_fslist *fsl,
			   const struct rg_node *pairs, struct rg_err *err);
int rg_kust_tr_images(struct rg_arena *a, struct rg_kust_resmap *m,
		      const struct rg_kust_fslist *fsl,
		      const struct rg_node *image, struct rg_err *err);
int rg_kust_tr_replicas(struct rg_arena *a, struct rg_kust_resmap *m,
			const struct rg_kust_fslist *fsl,
			const struct rg_node *replica, struct rg_err *err);

/* --- names (kust_names.c) -------------------------------------------- */

int rg_kust_add_hashes(struct rg_arena *a, struct rg_kust_resmap *m,
		       struct rg_err *err);
int rg_kust_fix_namerefs(struct rg_arena *a, struct rg_kust_resmap *m,
			 const struct rg_kust_tcfg *c, struct rg_err *err);

/* --- generators (kust_gen.c) ----------------------------------------- */

struct rg_tree;
/*
 * Run configMapGenerator and secretGenerator of kustomization k (in
 * directory dir) into m, honouring behavior create/merge/replace.
 */
int rg_kust_generate(struct rg_arena *a, struct rg_kust_resmap *m,
		     struct rg_tree *t, const char *dir,
		     const struct rg_node *k, unsigned flags,
		     struct rg_err *err);
/*
 * Clean dir/rel into a tree path (".", ".." and empty steps resolved);
 * RG_EUNSAFE when it is absolute or climbs above the tree's root.
 */
int rg_kust_path_join(const char **out, struct rg_arena *a, const char *dir,
		      const char *rel, struct rg_err *err);
/* Is path dir itself or below it? */
bool rg_kust_path_under(const char *path, const char *dir);
/* helmCharts of kustomization k through the Helm engine (kust_helm.c). */
int rg_kust_helm(struct rg_arena *a, struct rg_kust_resmap *m,
		 struct rg_tree *t, const char *dir, const struct rg_node *k,
		 unsigned flags, struct rg_err *err);
/* Read a file relative to dir under the load restrictions of kust.h. */
int rg_kust_read_rel(const char **data, size_t *len, const char **path,
		     struct rg_arena *a, struct rg_tree *t, const char *dir,
		     const char *rel, unsigned flags, struct rg_err *err);

/* --- patches, replacements and vars (kust.c, kust_repl.c) ------------ */

/* Does r match a patch/replacement selector (group, version, kind, name,
 * namespace as anchored regexes, labelSelector, annotationSelector)? */
int rg_kust_selects(bool *out, struct rg_arena *a, const struct rg_kust_res *r,
		    const struct rg_node *sel, struct rg_err *err);
/* Entries with path: are read relative to dir under the load restrictions. */
int rg_kust_replacements(struct rg_arena *a, struct rg_kust_resmap *m,
			 const struct rg_node *list, struct rg_tree *t,
			 const char *dir, unsigned flags, struct rg_err *err);
/* A declared var and the object its objref matched when declared. */
struct rg_kust_var {
	const struct rg_node *def;
	struct rg_kust_res *res; /* NULL: matched nothing */
};

/* Substitute $(VAR) along the varReference fieldSpecs. */
int rg_kust_vars_resolve(struct rg_arena *a, struct rg_kust_resmap *m,
			 const struct rg_kust_var *vars, size_t nvars,
			 const struct rg_kust_tcfg *c, struct rg_err *err);

#endif
