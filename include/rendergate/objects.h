/*
 * objects.h - the rendered resource set of one environment.
 *
 * Every renderer (plain, Helm, Kustomize) turns an environment into a
 * struct rg_objset: Kubernetes objects as document-model trees, each with
 * its identity (group, version, kind, namespace, name) pulled out once,
 * and the position of the document it came from. Policy checks and the
 * diff work on objsets.
 *
 * Identity: two objects are "the same" when group, kind, namespace and
 * name are equal (the version is not part of it: apps/v1 and
 * apps/v1beta2 Deployments of one name are one object). The identity
 * key is the string "group/kind/namespace/name", with "" for the core
 * group and for an unset namespace: "apps/Deployment/prod/web",
 * "/ConfigMap//settings". Names and kinds cannot contain '/', so the key
 * is unambiguous.
 *
 * An objset and its objects live in one arena; documents are borrowed
 * (they normally live in the same arena, from rg_doc_parse).
 */
#ifndef RENDERGATE_OBJECTS_H
#define RENDERGATE_OBJECTS_H

#include "rendergate/compat.h"
#include "rendergate/err.h"

struct rg_arena;
struct rg_node;
struct rg_findings;

struct rg_obj {
	struct rg_node *doc;   /* the whole object (a mapping) */
	const char *group;     /* "" for the core group ("v1") */
	const char *version;   /* "v1" */
	const char *kind;      /* "Deployment" */
	const char *namespace; /* metadata.namespace, or "" when unset */
	const char *name;      /* metadata.name */
	const char *key;       /* identity key, see above */
	struct rg_pos origin;  /* where the document starts */
};

struct rg_objset {
	struct rg_obj *items; /* arena array, in the order added */
	size_t len, alloc;
	struct rg_arena *arena;
	bool sorted; /* items are in key order (rg_objset_sort) */
};

/* Empty set allocating from a. */
void rg_objset_init(struct rg_objset *s, struct rg_arena *a);

/*
 * Fill *out with the identity of doc (a parsed document). Returns
 * RG_EINVALID with err naming the problem and its position when doc is
 * not a mapping, or apiVersion, kind or metadata.name is missing, empty
 * or not a string, or kind, metadata.name or metadata.namespace holds a
 * '/' or NUL byte (or metadata.namespace is present but not a string; an
 * empty namespace counts as unset):
 * "metadata.name is missing", "apiVersion must be a string, found int".
 * *rule, if not NULL, receives a short rule suffix for a finding:
 * "not-an-object", "missing-apiversion", "missing-kind", "missing-name",
 * "bad-namespace".
 */
int rg_obj_identify(struct rg_obj *out, struct rg_arena *a, struct rg_node *doc,
		    const char **rule, struct rg_err *err);

/*
 * Identify doc and append it. When its identity is incomplete, nothing is
 * added and a deny finding "<rule_prefix>.<rule>" (e.g.
 * "plain.missing-name") is appended to findings with the document's
 * position and env; the function then returns RG_EINVALID (not an error:
 * the caller carries on). More than RG_CAP_ENV_OBJECTS objects is
 * RG_ELIMIT with err set (an error). *out (may be NULL) is the new object.
 */
int rg_objset_add_doc(struct rg_obj **out, struct rg_objset *s,
		      struct rg_node *doc, struct rg_findings *findings,
		      const char *rule_prefix, const char *env,
		      struct rg_err *err);

/* Append an already identified object (copied). RG_ELIMIT as above. */
int rg_objset_add(struct rg_objset *s, const struct rg_obj *obj,
		  struct rg_err *err);

/* Stable sort by identity key (objects of one key keep their order). */
void rg_objset_sort(struct rg_objset *s);

/*
 * The first object with this key, or NULL: binary search when sorted,
 * a linear scan otherwise.
 */
const struct rg_obj *rg_objset_find(const struct rg_objset *s, const char *key);

/* Format an identity key into the arena (group may be ""). */
const char *rg_obj_key(struct rg_arena *a, const char *group, const char *kind,
		       const char *namespace, const char *name);

/*
 * Report every identity that occurs more than once as a deny finding
 * "duplicate-identity" at the later object's origin, naming the first:
 * "Deployment prod/web is defined twice (first at envs/prod/a.yaml:1:1)".
 * Does not change the set (works on a sorted index of its own). Returns
 * the number of duplicates found.
 */
size_t rg_objset_check_dups(const struct rg_objset *s,
			    struct rg_findings *findings, const char *env);

/* "Deployment prod/web" or "ClusterRole admin" (no namespace), arena. */
const char *rg_obj_label(struct rg_arena *a, const struct rg_obj *o);

#endif
