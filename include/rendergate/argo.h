/*
 * argo.h - Argo CD repositories rendered the way Argo CD's repo-server
 * would generate them, offline.
 *
 * Entry point. rg_argo_build() renders an app-of-apps folder (an
 * environment of kind "argocd", e.g. apps/): the folder itself is
 * rendered with Argo CD's tool detection (below, as an Application named
 * after the folder's last component with no overrides), its objects go
 * into the set, and every Application and ApplicationSet (argoproj.io)
 * in them is rendered in turn, and so on for what those render (app of
 * apps of apps). An Application already rendered (same namespace/name)
 * is not rendered twice; nesting deeper than RG_CAP_GITOPS_DEPTH or more
 * than RG_CAP_GITOPS_UNITS Applications is RG_ELIMIT.
 *
 * Which source is this repository: a source whose repoURL names one of
 * opts->repo_urls (rg_flux_same_url). Any other repoURL is a finding
 * "argo.source-unavailable" (warn) naming it; a Helm chart from a chart
 * repository (source.chart set) is "argo.chart-unavailable" (warn),
 * "unrenderable: chart X version Y from URL is not in the chart cache".
 * Without repo_urls every source is unavailable (the finding's hint says
 * to set repo_urls): rendergate never guesses which URL is this
 * repository.
 *
 * One source (spec.source, or each entry of spec.sources that has a
 * path; entries with only `ref` just name a repository for $ref paths):
 *   - tool: an explicit helm:, kustomize: or directory: section wins
 *     (plugin: is "argo.unsupported", warn); otherwise a kustomization
 *     file at path means Kustomize (it wins over Chart.yaml, as in Argo
 *     CD's discovery), Chart.yaml means Helm, anything else Directory;
 *   - Helm: values are chart defaults < valueFiles (relative to path, or
 *     "$ref/..." relative to the repository of the source with that ref;
 *     a missing file is an error unless ignoreMissingValueFiles) <
 *     valuesObject, or values (YAML text) when there is no valuesObject <
 *     parameters (--set, or --set-string with forceString); release name
 *     helm.releaseName or the Application's name; namespace
 *     helm.namespace or spec.destination.namespace (default "default");
 *     CRDs included unless helm.skipCrds; test hooks left out;
 *   - Kustomize: the kustomization file edited the way Argo CD's
 *     `kustomize edit` calls do (namePrefix, nameSuffix, namespace
 *     replace; images "name=new:tag" / "name:tag" / "name@digest" merged
 *     by name; commonLabels and commonAnnotations merged; replicas,
 *     patches and components appended), then built with kustomize's
 *     defaults (legacy order, load restrictions on);
 *   - Directory: .yaml, .yml and .json files at path (below it too with
 *     directory.recurse), path order, filtered by directory.include and
 *     directory.exclude (globs over the path relative to the source path;
 *     '*' also matches '/', {a,b} alternatives); .jsonnet files are
 *     "argo.unsupported" (warn) and skipped.
 *
 * ApplicationSets: the list generator (elements) and the git directories
 * generator (this repository only; directories[].path globs, exclude
 * entries removing matches) produce parameters ({{path}},
 * {{path.basename}}, {{path.basenameNormalized}}, {{path[N]}} for git;
 * each element's keys for list) that fill spec.template's strings by
 * fasttemplate substitution ("{{ name }}"); an unknown parameter stays
 * as written. Each generated Application is rendered as above (it is not
 * itself added to the set: the controller creates it in the cluster).
 * Other generators, and goTemplate: true, are "argo.unsupported" (warn).
 *
 * Every object an Application renders without metadata.namespace is put
 * in spec.destination.namespace, as Argo CD applies it, unless its kind
 * is cluster-scoped (rg_flux_cluster_scoped).
 *
 * Not done (NEEDSWORK): Argo CD's tracking label/annotation is not added
 * (the diff compares without it); kustomize.patches with a path and helm
 * fileParameters are ignored.
 */
#ifndef RENDERGATE_ARGO_H
#define RENDERGATE_ARGO_H

#include "rendergate/compat.h"
#include "rendergate/err.h"

struct rg_arena;
struct rg_tree;
struct rg_objset;
struct rg_findings;
struct rg_render_req;

struct rg_argo_opts {
	const char *const *repo_urls; /* URLs of this repository */
	size_t nrepo_urls;
	const char *kube_version; /* for Helm's .Capabilities, or NULL */
	const char *const *api_versions;
	size_t napi_versions;
	const char *env; /* environment name for findings, or NULL */
};

/* Render the app-of-apps folder `entry` of tree into out (see above). */
int rg_argo_build(struct rg_objset *out, struct rg_findings *findings,
		  struct rg_tree *tree, const char *entry,
		  const struct rg_argo_opts *opts, struct rg_arena *a,
		  struct rg_err *err);

/* The "argocd" renderer of the registry (env.h). */
int rg_argo_render(struct rg_objset *out, struct rg_findings *findings,
		   const struct rg_render_req *req, struct rg_err *err);

/*
 * Argo CD's include/exclude glob (gobwas/glob without separators): '*'
 * any run of characters ('/' included), '?' one character, [a-z] and
 * [!a-z] sets, {a,b} alternatives. True on a match.
 */
bool rg_argo_glob(const char *pat, const char *s);

#endif
