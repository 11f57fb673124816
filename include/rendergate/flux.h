/*
 * flux.h - Flux repositories rendered the way the Flux controllers would
 * apply them (kustomize-controller v1, helm-controller v2), offline.
 *
 * Entry point. rg_flux_build() renders a cluster folder (an environment
 * of kind "flux", e.g. clusters/production, the folder `flux bootstrap`
 * writes): the folder itself is built with Flux's rules (below). When its
 * output holds a Kustomization whose source is this repository and whose
 * spec.path is the folder itself (the flux-system Kustomization), the
 * folder is built again as that Kustomization, so its overrides and owner
 * labels apply; otherwise the plain build stands.
 *
 * Which source is "this repository". A Kustomization's spec.sourceRef (or
 * a HelmRelease's spec.chart.spec.sourceRef) names a GitRepository
 * (namespace defaults to the referrer's). It is this repository when its
 * "namespace/name" is in opts->sources (default: "flux-system/flux-system",
 * what `flux bootstrap` creates), or when a GitRepository object of that
 * name in the rendered output has a spec.url that names one of
 * opts->repo_urls (compared by rg_flux_same_url). Any other source
 * (another GitRepository, OCIRepository, Bucket) is a finding
 * "flux.source-unavailable" (warn) naming it, and that Kustomization is
 * not rendered.
 *
 * Kustomizations (kustomize.toolkit.fluxcd.io, any version), in
 * kustomize-controller's order:
 *   1. spec.path (relative to the repository root; "./" prefixes and
 *      trailing slashes dropped; default the root). When it holds no
 *      kustomization file, one is generated listing every .yaml/.yml file
 *      below it in path order; a subdirectory holding its own
 *      kustomization file is listed as a directory and not descended into.
 *      Files the source-controller never ships are skipped (.git/,
 *      .github/, .circleci/, .sops.yaml, .flux.yaml, .goreleaser.yml and
 *      the CI files of sourceignore's defaults). With nothing to list, the
 *      generated kustomization has `namespace: _placeholder` (no objects).
 *      .sourceignore files (gitignore syntax: '#' comments, '!' negation,
 *      a trailing '/' for folders, a pattern with '/' anchored to the
 *      file's folder, one without matching a name at any depth; last
 *      match wins) are honoured from the repository root and from every
 *      folder the generator walks, and so are the spec.ignore patterns
 *      of the Kustomization's GitRepository when that object is in the
 *      rendered output (relative to the repository root).
 *   2. the kustomization file (found or generated) is changed as Flux's
 *      generator does: targetNamespace -> namespace, namePrefix,
 *      nameSuffix (replace), patches, patchesStrategicMerge,
 *      patchesJson6902, components (appended; a missing component is
 *      dropped with ignoreMissingComponents), images (merged by name:
 *      newName replaces, newTag and digest replace together).
 *   3. kustomize build (kust.h) on an overlay of the tree holding that
 *      file, with load restrictions off and FIFO order.
 *   4. postBuild: variables from substituteFrom (ConfigMap data, Secret
 *      data base64-decoded and stringData, in list order, later wins),
 *      then spec.postBuild.substitute (wins); newlines removed from
 *      values. Substitution runs when at least one variable is set or
 *      substituteStrategy is Always, on every string and mapping key
 *      (envsubst.h) of every object not labelled or annotated
 *      kustomize.toolkit.fluxcd.io/substitute: disabled. A string that was
 *      a plain (unquoted) YAML scalar is read again as YAML after the
 *      substitution, as Flux's round trip through YAML text does, so
 *      `replicas: ${n}` becomes an int while `"${n}"` stays a string.
 *      substituteFrom objects are looked up in everything rendered so far
 *      (Kustomizations waiting for one are built after the others); one
 *      that is missing is a finding "flux.missing-reference" (deny) unless
 *      `optional: true`; a SOPS-encrypted Secret is "flux.encrypted"
 *      (warn) and contributes no variables. An unset variable without a
 *      default becomes "" and a "flux.unset-variable" finding (warn),
 *      unless opts->strict, where it is an error as in Flux's strict mode.
 *   5. spec.commonMetadata labels and annotations are set on every object,
 *      then the owner labels kustomize.toolkit.fluxcd.io/name and
 *      kustomize.toolkit.fluxcd.io/namespace.
 *   6. Kustomizations and HelmReleases in the output are followed. A
 *      Kustomization already rendered (same namespace/name) is not
 *      rendered twice (the flux-system self-reference); nesting deeper
 *      than RG_CAP_GITOPS_DEPTH or more than RG_CAP_GITOPS_UNITS units is
 *      RG_ELIMIT.
 *
 * HelmReleases (helm.toolkit.fluxcd.io, any version) are rendered after
 * every Kustomization, so valuesFrom can find objects from any of them:
 *   - the chart: spec.chart.spec.chart is a repository path when
 *     spec.chart.spec.sourceRef is a GitRepository that is this
 *     repository (spec.chart.spec.valuesFiles then replace the chart's
 *     values.yaml, read from the repository root); a HelmRepository,
 *     OCIRepository or spec.chartRef is "flux.chart-unavailable" (warn):
 *     "unrenderable: chart X from HelmRepository ns/name is not in the
 *     chart cache", and only the HelmRelease object itself is in the set;
 *   - values: valuesFrom in order (ConfigMap or Secret in the release's
 *     namespace, key valuesKey, default "values.yaml", merged as YAML, or
 *     set at targetPath with Helm's --set typing, quoted values as
 *     strings), then spec.values merged last; a missing reference is
 *     "flux.missing-reference" (deny) unless optional;
 *   - release name spec.releaseName, default [targetNamespace-]name,
 *     longer than 53 characters shortened to 40 + "-" + 12 hex digits of
 *     its SHA-256 (helm-controller's ShortenName); namespace
 *     spec.targetNamespace or the HelmRelease's namespace;
 *   - rendered with CRDs (unless spec.install.crds is Skip), without
 *     test hooks (rg_helm_render); objects
 *     without metadata.namespace get the release namespace, as Helm
 *     installs them, unless their kind is a known cluster-scoped one;
 *     then
 *     spec.postRenderers[].kustomize (patches, images, and the legacy
 *     patchesStrategicMerge/patchesJson6902) through kust.h, then
 *     spec.commonMetadata labels and annotations, then the origin labels
 *     helm.toolkit.fluxcd.io/name and
 *     helm.toolkit.fluxcd.io/namespace.
 *
 * A Kustomization or HelmRelease whose spec.dependsOn names one of its
 * kind that is not in the rendered output is "flux.missing-dependency"
 * (warn): Flux would wait for it forever.
 *
 * Errors (the environment is unrenderable): whatever the Kustomize and
 * Helm renderers return, prefixed with the Kustomization or HelmRelease
 * ("Kustomization flux-system/apps: ..."), RG_EPARSE for a broken
 * substitution expression, RG_ELIMIT for the caps above.
 *
 * Every object rendered (the entry folder's, every Kustomization's and
 * every HelmRelease's) is appended to the objset; findings name the
 * environment opts->env.
 */
#ifndef RENDERGATE_FLUX_H
#define RENDERGATE_FLUX_H

#include "rendergate/compat.h"
#include "rendergate/err.h"

struct rg_arena;
struct rg_tree;
struct rg_objset;
struct rg_findings;
struct rg_render_req;

struct rg_flux_opts {
	const char *const *sources; /* "namespace/name"; NULL: the default */
	size_t nsources;
	const char *const *repo_urls; /* URLs of this repository, or NULL */
	size_t nrepo_urls;
	const char *kube_version; /* for Helm's .Capabilities, or NULL */
	const char *const *api_versions;
	size_t napi_versions;
	const char *env; /* environment name for findings, or NULL */
	bool strict;	 /* strict substitution (unset variable = error) */
};

/* Render the Flux entry folder `entry` of tree into out (see above). */
int rg_flux_build(struct rg_objset *out, struct rg_findings *findings,
		  struct rg_tree *tree, const char *entry,
		  const struct rg_flux_opts *opts, struct rg_arena *a,
		  struct rg_err *err);

/*
 * The "flux" renderer of the registry (env.h): rg_flux_build on req->path
 * with the environment's flux_sources, repo_urls and kube_version.
 */
int rg_flux_render(struct rg_objset *out, struct rg_findings *findings,
		   const struct rg_render_req *req, struct rg_err *err);

/*
 * A view of base where the file at path reads as data[0..len) (copied):
 * how a generated or edited kustomization file is put in front of the
 * Kustomize renderer without touching the repository. Every other read
 * and listing goes to base and is recorded in base's dependency log;
 * listings of the file's directory show it. Free with rg_tree_free (base
 * stays).
 */
struct rg_tree *rg_flux_tree_overlay(struct rg_arena *a, struct rg_tree *base,
				     const char *path, const char *data,
				     size_t len);

/*
 * Do two Git URLs name the same repository? Compared after dropping the
 * scheme and user ("https://", "ssh://git@", "git@host:" becomes
 * "host/"), a port, a trailing "/" and ".git", with the host
 * case-insensitive: https://Git.example.com/a/b.git and
 * git@git.example.com:a/b are the same.
 */
bool rg_flux_same_url(const char *a, const char *b);

/* --- small helpers, shared with argo.c ---------------------------------- */

struct rg_node;

/* The string at a dotted path of mapping keys, or NULL (rg_node_path). */
const char *rg_flux_str(const struct rg_node *n, const char *dotted);
/* metadata.namespace and metadata.name of an object, "" when absent. */
const char *rg_flux_obj_ns(const struct rg_node *obj);
const char *rg_flux_obj_name(const struct rg_node *obj);
/*
 * A path as Flux and Argo CD write it, made a tree path: "./apps/prod/"
 * becomes "apps/prod"; NULL, "", "." and "./" become "" (the root).
 * Arena string. The result still goes through the tree's path checks.
 */
const char *rg_flux_clean_path(struct rg_arena *a, const char *p);
/*
 * The kustomization file in dir (kustomization.yaml, kustomization.yml
 * or Kustomization, in kustomize's order), or NULL. Unrecorded stat.
 */
const char *rg_flux_kustomization_file(struct rg_tree *t, const char *dir);

/*
 * Is kind cluster-scoped? The built-in cluster-scoped kinds and a few
 * common custom ones (ClusterIssuer, ClusterSecretStore); the API server
 * would know the rest (NEEDSWORK).
 */
bool rg_flux_cluster_scoped(const char *kind);
/*
 * Put obj in namespace ns when it has no metadata.namespace and its kind
 * is not cluster-scoped, as Helm (and Argo CD) install such objects. A
 * NULL or empty ns does nothing.
 */
void rg_flux_default_namespace(struct rg_arena *a, struct rg_node *obj,
			       const char *ns);

/*
 * Helm release name as helm-controller computes it: name as given, or
 * "<targetNamespace>-<name>" when target_ns is not NULL or empty; longer
 * than 53 bytes becomes its first 40 bytes, "-" and the first 12 hex
 * digits of the SHA-256 of the long name. Arena string.
 */
const char *rg_flux_release_name(struct rg_arena *a, const char *name,
				 const char *target_ns);

#endif
