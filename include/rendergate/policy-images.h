/*
 * policy-images.h - container images in rendered objects, and image
 * references.
 *
 * Pod-bearing objects. The pod spec of an object is found by kind:
 *
 *   Pod                                   spec
 *   PodTemplate                           template.spec
 *   Deployment, StatefulSet, DaemonSet,
 *   ReplicaSet, ReplicationController,
 *   Job                                   spec.template.spec
 *   CronJob                               spec.jobTemplate.spec.template.spec
 *
 * (any apiVersion), plus the custom resources a policy names with a
 * `pod_spec` path (rendergate-policy(5), images.custom). The pod's
 * metadata is the `metadata` next to the spec (for "spec.template.spec"
 * that is "spec.template.metadata"; for a Pod, "metadata").
 *
 * Images are read from `image` of every entry of the pod spec's
 * `containers`, `initContainers` and `ephemeralContainers`, and from
 * every string a custom resource's `images` paths select.
 *
 * Image references follow the Docker distribution grammar:
 *
 *   [host[:port]/]path[:tag][@algorithm:hex]
 *
 * The first component is a registry host when it contains '.' or ':',
 * is "localhost", or has an upper-case letter; otherwise the registry is
 * docker.io, and a one-component path on docker.io gets "library/"
 * ("nginx" is docker.io/library/nginx; index.docker.io is docker.io).
 * Path components are lower-case [a-z0-9] runs joined by '.', '_', '__'
 * or dashes; a tag is [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}; a sha256 digest
 * has 64 hex digits, other algorithms at least 32.
 */
#ifndef RENDERGATE_POLICY_IMAGES_H
#define RENDERGATE_POLICY_IMAGES_H

#include "rendergate/compat.h"
#include "rendergate/doc.h"
#include "rendergate/err.h"
#include "rendergate/policy-rules.h"

struct rg_arena;

/* A parsed image reference; strings are arena copies. */
struct rg_images_ref {
	const char *registry; /* "docker.io", "registry.example.com:5000" */
	const char *path;     /* "library/nginx" */
	const char *tag;      /* "1.25", or NULL when none was written */
	const char *digest;   /* "sha256:<hex>", or NULL */
	const char *name;     /* registry "/" path */
	/* name, then ":" tag when set, then "@" digest when set: the text
	   policy patterns are matched against */
	const char *normalized;
};

/*
 * Parse s[0..len). RG_EINVALID with a message saying what is wrong
 * ("invalid image reference 'Nginx': path component 'Nginx' must be
 * lower case") for anything outside the grammar above, an empty string,
 * or more than 255 bytes before the tag. err has no origin.
 */
int rg_images_parse_ref(struct rg_images_ref *out, struct rg_arena *a,
			const char *s, size_t len, struct rg_err *err);

/*
 * A custom resource that holds a pod spec or image strings (from the
 * policy). kind is exact; api_version NULL means any. pod_spec is a path
 * of plain keys (no wildcards, no $ root) or has nsegs == 0 when unset;
 * images are paths of any shape, evaluated from the object.
 */
struct rg_images_custom {
	const char *kind;
	const char *api_version;
	struct rg_rules_path pod_spec;
	struct rg_rules_path *images;
	size_t nimages;
	struct rg_pos pos;
};

/*
 * Find obj's pod spec and metadata (see above). Fills *out, all NULL
 * when obj bears no pod or the spec is not a mapping. Built-in kinds win
 * over custom entries of the same kind. Path strings are static or
 * borrowed from custom.
 */
void rg_images_pod_view(struct rg_rules_pod *out, const struct rg_node *obj,
			const struct rg_images_custom *custom, size_t ncustom,
			struct rg_arena *a);

/* One image use in an object. */
struct rg_images_use {
	const struct rg_node *node; /* the image value (a string normally) */
	const char *container;	    /* the container's name, or NULL */
	/* where it is: use rg_images_use_path (the text is written only
	   when asked, as most uses give no finding) */
	const struct rg_rules_place *place;
	const char *suffix; /* appended to the place's path: ".image" */
};

/* The concrete path of u ("spec.template.spec.containers[1].image"),
 * copied into a. Only valid in the callback. */
const char *rg_images_use_path(const struct rg_images_use *u,
			       struct rg_arena *a);

typedef int (*rg_images_fn)(void *ctx, const struct rg_images_use *u);

/*
 * Call fn for every image of obj, in document order: containers, then
 * initContainers, then ephemeralContainers, then custom image paths
 * (for custom entries whose kind and api_version match obj). Containers
 * without an `image` key are skipped; a value that is not a string is
 * passed on (the caller reports it). Returns 0, fn's non-zero return,
 * or RG_ELIMIT from a path walk.
 */
int rg_images_each(const struct rg_node *obj, const struct rg_rules_pod *pod,
		   const struct rg_images_custom *custom, size_t ncustom,
		   rg_images_fn fn, void *ctx, struct rg_err *err);

/* Does custom entry c apply to obj (kind, and apiVersion when set)? */
bool rg_images_custom_applies(const struct rg_images_custom *c,
			      const struct rg_node *obj);

#endif
