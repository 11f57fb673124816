/*
 * kust_helm.c - helmCharts, inflated through rendergate's Helm engine
 * (helm.h) instead of a helm process.
 *
 * As kustomize's HelmChartInflationGenerator: the chart is read from
 * <chartHome>/<name> (chartHome from helmGlobals, default "charts" in the
 * kustomization's directory; <chartHome>/<name>-<version>/<name> when
 * both version and repo are given). A chart that is not there would be
 * pulled by kustomize; rendergate never fetches, so that is
 * RG_EUNSUPPORTED "unrenderable: ...". Values: valuesFile (default the
 * chart's values.yaml) with valuesInline merged over it (valuesMerge
 * override, the default), under it (merge) or instead of it (replace),
 * then additionalValuesFiles. releaseName defaults to "release-name"
 * (kustomize asks helm for a generated, random name there; a gate needs
 * a stable one). The manifests, hooks included unless skipHooks, join the
 * resources like generated objects.
 */
#include "rendergate/compat.h"

#include "rendergate/arena.h"
#include "rendergate/doc.h"
#include "rendergate/funcs.h"
#include "rendergate/helm.h"
#include "rendergate/kust.h"
#include "rendergate/kustint.h"
#include "rendergate/tree.h"

static bool flag(const struct rg_node *e, const char *key)
{
	const struct rg_node *v = rg_map_gets(e, key);

	return v && v->kind == RG_BOOL && v->u.b;
}

static int parse_values(struct rg_node **out, struct rg_arena *a,
			const char *file, const char *data, size_t len,
			struct rg_err *err)
{
	int rc = rg_doc_parse_one(out, a, file, data, len, 0, err);

	if (rc)
		return rc;
	if ((*out)->kind == RG_NULL)
		*out = rg_node_map(a);
	if ((*out)->kind != RG_MAP)
		return rg_err_set(err, RG_EINVALID, &(*out)->pos,
				  "%s: values must be a mapping", file);
	return 0;
}

/* The values helm is given: file and inline merged as valuesMerge says. */
static int chart_values(struct rg_node **out, struct rg_arena *a,
			struct rg_tree *t, const char *dir, const char *chartdir,
			const struct rg_node *e, unsigned flags,
			struct rg_err *err)
{
	const char *vf = rg_kust_str_at(e, "valuesFile");
	const char *merge = rg_kust_str_at(e, "valuesMerge");
	const struct rg_node *inl = rg_map_gets(e, "valuesInline");
	const struct rg_node *more = rg_map_gets(e, "additionalValuesFiles");
	const char *data, *file;
	size_t len;
	struct rg_node *vals = NULL;
	int rc;

	if (*vf) {
		rc = rg_kust_read_rel(&data, &len, &file, a, t, dir, vf, flags,
				      err);
	} else {
		file = rg_tree_path_join(a, chartdir, "values.yaml");
		rc = rg_tree_read(t, file, &data, &len, err);
	}
	if (!rc)
		rc = parse_values(&vals, a, file, data, len, err);
	if (rc)
		return rc;
	if (inl && inl->kind == RG_MAP && inl->u.map.len) {
		struct rg_node *res = NULL;

		if (!*merge || !strcmp(merge, "override"))
			rc = rg_kust_smp(&res, a, vals, inl, err);
		else if (!strcmp(merge, "merge"))
			rc = rg_kust_smp(&res, a, rg_node_clone(a, inl), vals,
					 err);
		else if (!strcmp(merge, "replace"))
			res = rg_node_clone(a, inl);
		else
			return rg_err_set(err, RG_EINVALID, &e->pos,
					  "valuesMerge must be one of override, "
					  "merge or replace, not '%s'",
					  merge);
		if (rc)
			return rc;
		vals = res ? res : rg_node_map(a);
	}
	for (size_t i = 0; more && more->kind == RG_SEQ && i < more->u.seq.len;
	     i++) {
		struct rg_node *v = NULL;

		rc = rg_kust_read_rel(&data, &len, &file, a, t, dir,
				      rg_kust_scalar_text(a, more->u.seq.items[i]),
				      flags, err);
		if (!rc)
			rc = parse_values(&v, a, file, data, len, err);
		if (rc)
			return rc;
		rg_helm_merge_values(a, vals, v);
	}
	rg_funcs_helm_numbers(vals);
	*out = vals;
	return 0;
}

static int one_chart(struct rg_arena *a, struct rg_kust_resmap *m,
		     struct rg_tree *t, const char *dir, const char *home,
		     const struct rg_node *e, unsigned flags, struct rg_err *err)
{
	const char *name = rg_kust_str_at(e, "name");
	const char *version = rg_kust_str_at(e, "version");
	const char *repo = rg_kust_str_at(e, "repo");
	const char *release = rg_kust_str_at(e, "releaseName");
	const char *ns = rg_kust_str_at(e, "namespace");
	const struct rg_node *apis = rg_map_gets(e, "apiVersions");
	struct rg_helm_opts opts;
	struct rg_helm_chart *chart = NULL;
	struct rg_helm_result res;
	const char *chartdir;
	int rc;

	memset(&opts, 0, sizeof(opts));
	if (!*name)
		return rg_err_set(err, RG_EINVALID, &e->pos,
				  "helmCharts: chart name cannot be empty");
	if (*rg_kust_str_at(e, "nameTemplate"))
		return rg_err_set(err, RG_EUNSUPPORTED, &e->pos,
				  "unrenderable: helmCharts nameTemplate is not "
				  "supported");
	if (*version && *repo)
		home = rg_tree_path_join(
			a, home, rg_arena_printf(a, "%s-%s", name, version));
	chartdir = rg_tree_path_join(a, home, name);
	if (rg_tree_stat(t, chartdir) != RG_TREE_DIR) {
		const char *d;
		size_t l;

		/* record the miss: adding the chart later changes the render */
		rg_tree_read(t, rg_tree_path_join(a, chartdir, "Chart.yaml"), &d,
			     &l, NULL);
		return rg_err_set(err, RG_EUNSUPPORTED, &e->pos,
				  "unrenderable: helm chart %s%s%s%s%s is not "
				  "in the repository at %s (rendergate never "
				  "pulls charts)",
				  name, *version ? " " : "", version,
				  *repo ? " from " : "", repo, chartdir);
	}
	rc = chart_values(&opts.values, a, t, dir, chartdir, e, flags, err);
	if (!rc)
		rc = rg_helm_load(&chart, t, chartdir, a, err);
	if (rc)
		return rc;
	opts.release_name = *release ? release : "release-name";
	opts.namespace = *ns ? ns : "default";
	opts.kube_version = *rg_kust_str_at(e, "kubeVersion")
				    ? rg_kust_str_at(e, "kubeVersion")
				    : NULL;
	if (apis && apis->kind == RG_SEQ && apis->u.seq.len) {
		const char **l = rg_arena_calloc(a, apis->u.seq.len,
						 sizeof(char *));

		for (size_t i = 0; i < apis->u.seq.len; i++)
			l[i] = rg_kust_scalar_text(a, apis->u.seq.items[i]);
		opts.api_versions = l;
		opts.napi_versions = apis->u.seq.len;
	}
	opts.include_crds = flag(e, "includeCRDs");
	opts.skip_tests = flag(e, "skipTests");
	opts.no_hooks = flag(e, "skipHooks");
	rc = rg_helm_render(&res, chart, &opts, a, err);
	if (rc)
		return rg_err_prefix(err, "helm chart %s", name);
	for (size_t i = 0; i < res.len && !rc; i++) {
		const struct rg_helm_manifest *mf = &res.items[i];
		struct rg_docs docs;

		rc = rg_doc_parse(&docs, a, mf->source, mf->text,
				  strlen(mf->text), RG_PARSE_YAML12, err);
		for (size_t d = 0; !rc && d < docs.len; d++) {
			struct rg_node *o = docs.docs[d];

			if (!o || o->kind == RG_NULL ||
			    (o->kind == RG_MAP && !o->u.map.len))
				continue;
			if (o->kind != RG_MAP)
				return rg_err_set(err, RG_EINVALID, &o->pos,
						  "helm chart %s: %s is not an "
						  "object",
						  name, mf->source);
			rg_kust_resmap_add(a, m,
					   rg_kust_res_new(a, o, mf->source));
		}
	}
	return rc;
}

int rg_kust_helm(struct rg_arena *a, struct rg_kust_resmap *m,
		 struct rg_tree *t, const char *dir, const struct rg_node *k,
		 unsigned flags, struct rg_err *err)
{
	const struct rg_node *charts = rg_map_gets(k, "helmCharts");
	const char *home = rg_kust_str_at(k, "helmGlobals.chartHome");
	const char *homepath;
	int rc;

	if (!charts || charts->kind == RG_NULL)
		return 0;
	if (charts->kind != RG_SEQ)
		return rg_err_set(err, RG_EINVALID, &charts->pos,
				  "helmCharts must be a list");
	rc = rg_kust_path_join(&homepath, a, dir, *home ? home : "charts", err);
	for (size_t i = 0; !rc && i < charts->u.seq.len; i++)
		rc = one_chart(a, m, t, dir, homepath, charts->u.seq.items[i],
			       flags, err);
	return rc;
}
