#include "rendergate/compat.h"

#include <ctype.h>

#include "rendergate/argo.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/config.h"
#include "rendergate/doc.h"
#include "rendergate/env.h"
#include "rendergate/finding.h"
#include "rendergate/flux.h"
#include "rendergate/funcs.h"
#include "rendergate/helm.h"
#include "rendergate/kust.h"
#include "rendergate/objects.h"
#include "rendergate/tree.h"

#define ARGO_GROUP "argoproj.io"

struct app {
	struct rg_node *obj; /* an Application (possibly generated) */
	unsigned depth;
};

struct run {
	struct rg_objset *out;
	struct rg_findings *findings;
	struct rg_tree *tree;
	const struct rg_argo_opts *opts;
	struct rg_arena *a;
	struct rg_err *err;
	struct app *pending;
	size_t npending;
	const char **done;
	size_t ndone;
	size_t units;
};

/* What one source renders to. */
struct objs {
	struct rg_node **items;
	size_t len;
};

static bool truthy(const struct rg_node *n)
{
	return n && n->kind == RG_BOOL && n->u.b;
}

static bool is_kind(const struct rg_node *obj, const char *kind)
{
	const char *av = rg_flux_str(obj, "apiVersion"),
		   *k = rg_flux_str(obj, "kind");
	size_t gl = strlen(ARGO_GROUP);

	return av && k && !strcmp(k, kind) && !strncmp(av, ARGO_GROUP, gl) &&
	       av[gl] == '/';
}

static const char *app_label(struct run *r, const struct rg_node *app)
{
	return rg_arena_printf(r->a, "Application %s%s%s", rg_flux_obj_ns(app),
			       rg_flux_obj_ns(app)[0] ? "/" : "",
			       rg_flux_obj_name(app));
}

static struct rg_finding *finding(struct run *r, enum rg_severity sev,
				  const char *rule, const struct rg_node *at,
				  const char *fmt, ...) RG_PRINTF(5, 6);

static struct rg_finding *finding(struct run *r, enum rg_severity sev,
				  const char *rule, const struct rg_node *at,
				  const char *fmt, ...)
{
	struct rg_finding *fd;
	va_list ap;

	va_start(ap, fmt);
	fd = rg_finding_vadd(r->findings, r->opts->env, sev, rule,
			     at ? &at->pos : NULL, fmt, ap);
	va_end(ap);
	return fd;
}

static bool this_repo(struct run *r, const char *url)
{
	for (size_t i = 0; url && i < r->opts->nrepo_urls; i++)
		if (rg_flux_same_url(url, r->opts->repo_urls[i]))
			return true;
	return false;
}

static void push(struct run *r, struct objs *o, struct rg_node *doc)
{
	o->items = rg_arena_grow(r->a, o->items, o->len, o->len + 1,
				 sizeof(*o->items));
	o->items[o->len++] = doc;
}

/* --- globs -------------------------------------------------------------- */

static bool glob_at(const char *p, const char *pend, const char *s);

/* Match a class at p against c; *next gets the end of the class. */
static bool glob_class(const char *p, const char *pend, char c,
		       const char **next)
{
	bool neg = false, hit = false;

	p++;
	if (p < pend && (*p == '!' || *p == '^')) {
		neg = true;
		p++;
	}
	while (p < pend && *p != ']') {
		char lo = *p, hi = lo;

		if (p + 2 < pend && p[1] == '-' && p[2] != ']') {
			hi = p[2];
			p += 2;
		}
		if (c >= lo && c <= hi)
			hit = true;
		p++;
	}
	*next = p < pend ? p + 1 : pend;
	return hit != neg;
}

static bool glob_at(const char *p, const char *pend, const char *s)
{
	while (p < pend) {
		switch (*p) {
		case '*':
			while (p < pend && *p == '*')
				p++;
			for (const char *t = s;; t++) {
				if (glob_at(p, pend, t))
					return true;
				if (!*t)
					return false;
			}
		case '?':
			if (!*s)
				return false;
			p++;
			s++;
			break;
		case '[': {
			const char *next;

			if (!*s || !glob_class(p, pend, *s, &next))
				return false;
			p = next;
			s++;
			break;
		}
		case '\\':
			if (p + 1 < pend)
				p++;
			/* fall through */
		default:
			if (*s != *p)
				return false;
			p++;
			s++;
		}
	}
	return !*s;
}

bool rg_argo_glob(const char *pat, const char *s)
{
	const char *open = strchr(pat, '{'), *close;

	if (!open)
		return glob_at(pat, pat + strlen(pat), s);
	close = strchr(open, '}');
	if (!close)
		return glob_at(pat, pat + strlen(pat), s);
	/* expand the first {a,b,...} and try each alternative */
	for (const char *alt = open + 1; alt <= close;) {
		const char *end = alt;
		size_t n;
		char *exp;
		bool hit;

		while (end < close && *end != ',')
			end++;
		n = (size_t)(open - pat) + (size_t)(end - alt) +
		    strlen(close + 1);
		exp = malloc(n + 1);
		if (!exp)
			abort();
		memcpy(exp, pat, (size_t)(open - pat));
		memcpy(exp + (open - pat), alt, (size_t)(end - alt));
		memcpy(exp + (open - pat) + (end - alt), close + 1,
		       strlen(close + 1) + 1);
		hit = rg_argo_glob(exp, s);
		free(exp);
		if (hit)
			return true;
		alt = end + 1;
	}
	return false;
}

/* --- Directory ----------------------------------------------------------- */

static bool manifest_name(const char *name, bool *json, bool *jsonnet)
{
	size_t n = strlen(name);

	*json = n > 5 && !strcmp(name + n - 5, ".json");
	*jsonnet = n > 8 && !strcmp(name + n - 8, ".jsonnet");
	return *json || *jsonnet || (n > 5 && !strcmp(name + n - 5, ".yaml")) ||
	       (n > 4 && !strcmp(name + n - 4, ".yml"));
}

static int directory(struct run *r, struct objs *out, const char *root,
		     const char *rel, const struct rg_node *dir,
		     const struct rg_node *app, unsigned depth)
{
	const char *path = rel[0] ? rg_tree_path_join(r->a, root, rel) : root;
	const char *inc = rg_flux_str(dir, "include"),
		   *exc = rg_flux_str(dir, "exclude");
	struct rg_tree_entry *ents = NULL;
	size_t n = 0;
	int error;

	if (depth > RG_CAP_DIR_DEPTH)
		return rg_err_set(r->err, RG_ELIMIT, NULL,
				  "%s: directories nested deeper than %u "
				  "(RG_CAP_DIR_DEPTH)",
				  path, RG_CAP_DIR_DEPTH);
	error = rg_tree_list(r->tree, path, &ents, &n, r->err);
	if (error < 0)
		return error;
	for (size_t i = 0; i < n; i++) {
		const char *sub =
		    rel[0] ? rg_tree_path_join(r->a, rel, ents[i].name)
			   : ents[i].name;
		const char *file = rg_tree_path_join(r->a, root, sub);
		const char *data = NULL;
		size_t len = 0;
		bool json, jsonnet;
		struct rg_docs docs;

		if (ents[i].kind == RG_TREE_DIR) {
			if (!truthy(rg_map_gets(dir, "recurse")))
				continue;
			error =
			    directory(r, out, root, sub, dir, app, depth + 1);
			if (error < 0)
				return error;
			continue;
		}
		if (!manifest_name(ents[i].name, &json, &jsonnet))
			continue;
		if (exc && exc[0] && rg_argo_glob(exc, sub))
			continue;
		if (inc && inc[0] && !rg_argo_glob(inc, sub))
			continue;
		if (jsonnet) {
			finding(r, RG_SEV_WARN, "argo.unsupported", app,
				"%s: %s is jsonnet, which rendergate does not "
				"evaluate; skipped",
				app_label(r, app), file);
			continue;
		}
		error = rg_tree_read(r->tree, file, &data, &len, r->err);
		if (error < 0)
			return error;
		error = rg_doc_parse(&docs, r->a, file, data, len,
				     json ? RG_PARSE_JSON : 0, r->err);
		if (error < 0)
			return error;
		for (size_t d = 0; d < docs.len; d++)
			if (docs.docs[d]->kind != RG_NULL)
				push(r, out, docs.docs[d]);
	}
	return 0;
}

/* --- Kustomize ----------------------------------------------------------- */

static struct rg_node *seq_of(struct run *r, struct rg_node *map,
			      const char *key)
{
	struct rg_node *s = rg_map_gets(map, key);

	if (!s || s->kind != RG_SEQ) {
		s = rg_node_seq(r->a);
		rg_map_set(r->a, map, key, strlen(key), s);
	}
	return s;
}

static struct rg_node *map_of(struct run *r, struct rg_node *map,
			      const char *key)
{
	struct rg_node *m = rg_map_gets(map, key);

	if (!m || m->kind != RG_MAP) {
		m = rg_node_map(r->a);
		rg_map_set(r->a, map, key, strlen(key), m);
	}
	return m;
}

static void set_str(struct run *r, struct rg_node *map, const char *key,
		    const char *val)
{
	rg_map_set(r->a, map, key, strlen(key), rg_node_str(r->a, val));
}

/* "name=new:tag", "name:tag", "name@digest" -> an images entry. */
static void set_image(struct run *r, struct rg_node *kus, const char *spec)
{
	struct rg_node *images = seq_of(r, kus, "images");
	struct rg_node *im = rg_node_map(r->a);
	const char *eq = strchr(spec, '='), *ref = eq ? eq + 1 : spec;
	const char *at = strchr(ref, '@'), *slash = strrchr(ref, '/');
	const char *colon = strrchr(ref, ':');
	size_t reflen = at ? (size_t)(at - ref) : strlen(ref);
	const char *name;
	size_t namelen;

	if (colon && ((slash && colon < slash) || (at && colon > at)))
		colon = NULL;
	namelen = colon ? (size_t)(colon - ref) : reflen;
	if (eq) {
		name = rg_arena_strndup(r->a, spec, (size_t)(eq - spec));
		set_str(r, im, "name", name);
		set_str(r, im, "newName", rg_arena_strndup(r->a, ref, namelen));
	} else {
		name = rg_arena_strndup(r->a, ref, namelen);
		set_str(r, im, "name", name);
	}
	if (colon)
		set_str(
		    r, im, "newTag",
		    rg_arena_strndup(r->a, colon + 1, reflen - namelen - 1));
	if (at)
		set_str(r, im, "digest", at + 1);
	for (size_t i = 0; i < images->u.seq.len; i++) {
		const char *n = rg_flux_str(images->u.seq.items[i], "name");

		if (n && !strcmp(n, name)) {
			images->u.seq.items[i] = im;
			return;
		}
	}
	rg_seq_push(r->a, images, im);
}

static int kustomize(struct run *r, struct objs *out, const char *path,
		     const struct rg_node *k, const struct rg_node *app)
{
	const char *kf = rg_flux_kustomization_file(r->tree, path);
	const char *data = NULL, *s;
	size_t len = 0;
	struct rg_node *kus = NULL;
	struct rg_kust_result res = {NULL, 0};
	struct rg_buf text = RG_BUF_INIT(RG_CAP_YAML_EMIT_BYTES);
	struct rg_tree *t = r->tree;
	const struct rg_node *v;
	int error;

	if (!kf)
		return rg_err_set(r->err, RG_ENOTFOUND, NULL,
				  "%s: no kustomization in %s",
				  app_label(r, app), path);
	if (k && k->kind == RG_MAP && k->u.map.len) {
		error = rg_tree_read(r->tree, kf, &data, &len, r->err);
		if (!error)
			error = rg_doc_parse_one(&kus, r->a, kf, data, len,
						 RG_PARSE_YAML12, r->err);
		if (error < 0)
			return error;
		if (kus->kind != RG_MAP)
			kus = rg_node_map(r->a);
		if ((s = rg_flux_str(k, "namePrefix")))
			set_str(r, kus, "namePrefix", s);
		if ((s = rg_flux_str(k, "nameSuffix")))
			set_str(r, kus, "nameSuffix", s);
		if ((s = rg_flux_str(k, "namespace")))
			set_str(r, kus, "namespace", s);
		v = rg_map_gets(k, "images");
		for (size_t i = 0; v && v->kind == RG_SEQ && i < v->u.seq.len;
		     i++)
			if ((s = rg_node_cstr(v->u.seq.items[i])))
				set_image(r, kus, s);
		static const char *const maps[] = {"commonLabels",
						   "commonAnnotations"};
		for (size_t m = 0; m < RG_ARRAY_SIZE(maps); m++) {
			v = rg_map_gets(k, maps[m]);
			for (size_t i = 0;
			     v && v->kind == RG_MAP && i < v->u.map.len; i++)
				rg_map_set(
				    r->a, map_of(r, kus, maps[m]),
				    v->u.map.items[i].key.ptr,
				    v->u.map.items[i].key.len,
				    rg_node_clone(r->a, v->u.map.items[i].val));
		}
		static const char *const lists[] = {"replicas", "patches",
						    "components"};
		for (size_t l = 0; l < RG_ARRAY_SIZE(lists); l++) {
			v = rg_map_gets(k, lists[l]);
			for (size_t i = 0;
			     v && v->kind == RG_SEQ && i < v->u.seq.len; i++)
				rg_seq_push(
				    r->a, seq_of(r, kus, lists[l]),
				    rg_node_clone(r->a, v->u.seq.items[i]));
		}
		error = rg_doc_emit(&text, kus, RG_EMIT_KEEP_ORDER);
		if (error < 0)
			goto out;
		t = rg_flux_tree_overlay(r->a, r->tree, kf, text.ptr, text.len);
	}
	error = rg_kust_build(&res, r->a, t, path, 0, r->err);
	for (size_t i = 0; !error && i < res.len; i++)
		push(r, out, res.objs[i]);
out:
	if (t != r->tree)
		rg_tree_free(t);
	rg_buf_release(&text);
	return error;
}

/* --- Helm ---------------------------------------------------------------- */

/* The repository path a "$ref/x" value file names, or NULL. */
static const char *ref_path(struct run *r, const struct rg_node *sources,
			    const char *file, const struct rg_node *app)
{
	const char *slash = strchr(file, '/');
	size_t n = slash ? (size_t)(slash - file - 1) : strlen(file) - 1;

	for (size_t i = 0;
	     sources && sources->kind == RG_SEQ && i < sources->u.seq.len;
	     i++) {
		const struct rg_node *s = sources->u.seq.items[i];
		const char *ref = rg_flux_str(s, "ref");

		if (!ref || strlen(ref) != n || strncmp(ref, file + 1, n))
			continue;
		if (!this_repo(r, rg_flux_str(s, "repoURL"))) {
			finding(r, RG_SEV_WARN, "argo.source-unavailable", s,
				"%s: value file %s comes from %s, which is not "
				"this repository",
				app_label(r, app), file,
				rg_flux_str(s, "repoURL")
				    ? rg_flux_str(s, "repoURL")
				    : "?");
			return NULL;
		}
		return rg_flux_clean_path(r->a, slash ? slash + 1 : "");
	}
	finding(r, RG_SEV_DENY, "argo.invalid", app,
		"%s: value file %s names no source with that ref",
		app_label(r, app), file);
	return NULL;
}

static int read_values(struct run *r, struct rg_node *vals, const char *file,
		       bool ignore_missing, const struct rg_node *app)
{
	const char *data = NULL;
	size_t len = 0;
	struct rg_node *v = NULL;
	int error;

	if (ignore_missing && rg_tree_stat(r->tree, file) != RG_TREE_FILE)
		return 0;
	error = rg_tree_read(r->tree, file, &data, &len, r->err);
	if (error < 0)
		return rg_err_prefix(r->err, "%s: value file",
				     app_label(r, app));
	error = rg_doc_parse_one(&v, r->a, file, data, len, 0, r->err);
	if (error < 0)
		return error;
	if (v->kind != RG_MAP)
		return 0;
	rg_funcs_helm_numbers(v);
	rg_helm_merge_values(r->a, vals, v);
	return 0;
}

static int helm(struct run *r, struct objs *out, const char *path,
		const struct rg_node *src, const struct rg_node *app,
		const struct rg_node *sources)
{
	const struct rg_node *h = rg_map_gets(src, "helm");
	struct rg_node *vals = rg_node_map(r->a);
	struct rg_helm_chart *chart = NULL;
	struct rg_helm_result res;
	struct rg_helm_opts opts;
	const struct rg_node *vf = rg_map_gets(h, "valueFiles");
	const struct rg_node *vo = rg_map_gets(h, "valuesObject");
	const char *vs = rg_flux_str(h, "values"), *ns;
	const struct rg_node *params = rg_map_gets(h, "parameters");
	bool ign = truthy(rg_map_gets(h, "ignoreMissingValueFiles"));
	int error = rg_helm_load(&chart, r->tree, path, r->a, r->err);

	if (error < 0)
		return rg_err_prefix(r->err, "%s", app_label(r, app));
	for (size_t i = 0; vf && vf->kind == RG_SEQ && i < vf->u.seq.len; i++) {
		const char *f = rg_node_cstr(vf->u.seq.items[i]), *p;

		if (!f)
			continue;
		if (f[0] == '$') {
			p = ref_path(r, sources, f, app);
			if (!p)
				continue;
		} else {
			p = rg_flux_clean_path(
			    r->a, rg_tree_path_join(
				      r->a, path, rg_flux_clean_path(r->a, f)));
		}
		error = read_values(r, vals, p, ign, app);
		if (error < 0)
			return error;
	}
	if (vo && vo->kind == RG_MAP) {
		struct rg_node *c = rg_node_clone(r->a, vo);

		rg_funcs_helm_numbers(c);
		rg_helm_merge_values(r->a, vals, c);
	} else if (vs) {
		struct rg_node *v = NULL;

		error = rg_doc_parse_one(&v, r->a, app_label(r, app), vs,
					 strlen(vs), 0, r->err);
		if (error < 0)
			return rg_err_prefix(r->err, "%s: helm.values",
					     app_label(r, app));
		if (v->kind == RG_MAP) {
			rg_funcs_helm_numbers(v);
			rg_helm_merge_values(r->a, vals, v);
		}
	}
	for (size_t i = 0;
	     params && params->kind == RG_SEQ && i < params->u.seq.len; i++) {
		const struct rg_node *p = params->u.seq.items[i];
		const char *name = rg_flux_str(p, "name"),
			   *value = rg_flux_str(p, "value");

		if (!name)
			continue;
		error = rg_helm_set(
		    r->a, vals,
		    rg_arena_printf(r->a, "%s=%s", name, value ? value : ""),
		    truthy(rg_map_gets(p, "forceString")), r->err);
		if (error < 0)
			return rg_err_prefix(r->err, "%s: helm.parameters",
					     app_label(r, app));
	}
	memset(&opts, 0, sizeof(opts));
	opts.release_name = rg_flux_str(h, "releaseName")
				? rg_flux_str(h, "releaseName")
				: rg_flux_obj_name(app);
	ns = rg_flux_str(h, "namespace");
	if (!ns)
		ns = rg_flux_str(app, "spec.destination.namespace");
	opts.namespace = ns && ns[0] ? ns : "default";
	opts.kube_version = rg_flux_str(h, "kubeVersion")
				? rg_flux_str(h, "kubeVersion")
				: r->opts->kube_version;
	opts.api_versions = r->opts->api_versions;
	opts.napi_versions = r->opts->napi_versions;
	opts.include_crds = !truthy(rg_map_gets(h, "skipCrds"));
	opts.skip_tests = true;
	opts.values = vals;
	error = rg_helm_render(&res, chart, &opts, r->a, r->err);
	if (error < 0)
		return rg_err_prefix(r->err, "%s", app_label(r, app));
	for (size_t i = 0; i < res.len; i++) {
		struct rg_docs docs;

		error = rg_doc_parse(&docs, r->a, res.items[i].source,
				     res.items[i].text,
				     strlen(res.items[i].text), 0, r->err);
		if (error < 0)
			return rg_err_prefix(r->err, "%s", app_label(r, app));
		for (size_t d = 0; d < docs.len; d++)
			if (docs.docs[d]->kind != RG_NULL)
				push(r, out, docs.docs[d]);
	}
	return 0;
}

/* --- one source ---------------------------------------------------------- */

static int render_source(struct run *r, struct objs *out,
			 const struct rg_node *src, const struct rg_node *app,
			 const struct rg_node *sources)
{
	const char *url = rg_flux_str(src, "repoURL");
	const char *chart = rg_flux_str(src, "chart");
	const char *path;

	if (chart) {
		const char *ver = rg_flux_str(src, "targetRevision");

		finding(r, RG_SEV_WARN, "argo.chart-unavailable", src,
			"%s: unrenderable: chart %s%s%s from %s is not in the "
			"chart cache",
			app_label(r, app), chart, ver ? " " : "",
			ver ? ver : "", url ? url : "?");
		return 0;
	}
	if (!this_repo(r, url)) {
		struct rg_finding *fd = finding(
		    r, RG_SEV_WARN, "argo.source-unavailable", src,
		    "%s: source %s is not this repository; not rendered",
		    app_label(r, app), url ? url : "(no repoURL)");

		if (!r->opts->nrepo_urls)
			rg_finding_set_hint(r->findings, fd,
					    "list this repository's URLs in "
					    "the environment's repo_urls");
		return 0;
	}
	path = rg_flux_clean_path(r->a, rg_flux_str(src, "path"));
	if (rg_map_gets(src, "plugin")) {
		finding(r, RG_SEV_WARN, "argo.unsupported", src,
			"%s: config management plugins are not rendered",
			app_label(r, app));
		return 0;
	}
	if (rg_map_gets(src, "helm"))
		return helm(r, out, path, src, app, sources);
	if (rg_map_gets(src, "kustomize"))
		return kustomize(r, out, path, rg_map_gets(src, "kustomize"),
				 app);
	if (rg_map_gets(src, "directory"))
		return directory(r, out, path, "",
				 rg_map_gets(src, "directory"), app, 0);
	if (rg_flux_kustomization_file(r->tree, path))
		return kustomize(r, out, path, NULL, app);
	if (rg_tree_stat(r->tree,
			 rg_tree_path_join(r->a, path, "Chart.yaml")) ==
	    RG_TREE_FILE)
		return helm(r, out, path, src, app, sources);
	if (rg_tree_stat(r->tree, path) != RG_TREE_DIR)
		return rg_err_set(r->err, RG_ENOTFOUND, &src->pos,
				  "%s: path '%s' not found", app_label(r, app),
				  path);
	return directory(r, out, path, "", NULL, app, 0);
}

static int add_objs(struct run *r, struct objs *o, unsigned depth);

static int count(struct run *r)
{
	if (++r->units > RG_CAP_GITOPS_UNITS)
		return rg_err_set(r->err, RG_ELIMIT, NULL,
				  "more than %u Applications "
				  "(RG_CAP_GITOPS_UNITS)",
				  RG_CAP_GITOPS_UNITS);
	return 0;
}

static int render_app(struct run *r, const struct app *ap)
{
	const struct rg_node *app = ap->obj;
	const struct rg_node *spec = rg_map_gets(app, "spec");
	const struct rg_node *sources = rg_map_gets(spec, "sources");
	struct objs out = {NULL, 0};
	int error = 0;

	if (ap->depth + 1 > RG_CAP_GITOPS_DEPTH)
		return rg_err_set(r->err, RG_ELIMIT, &app->pos,
				  "%s: Applications nested deeper than %u "
				  "(RG_CAP_GITOPS_DEPTH)",
				  app_label(r, app), RG_CAP_GITOPS_DEPTH);
	error = count(r);
	if (error < 0)
		return error;
	if (sources && sources->kind == RG_SEQ) {
		for (size_t i = 0; i < sources->u.seq.len && !error; i++) {
			const struct rg_node *s = sources->u.seq.items[i];

			if (rg_flux_str(s, "ref") && !rg_flux_str(s, "path") &&
			    !rg_flux_str(s, "chart"))
				continue;
			error = render_source(r, &out, s, app, sources);
		}
	} else if (rg_map_gets(spec, "source")) {
		error = render_source(r, &out, rg_map_gets(spec, "source"), app,
				      NULL);
	} else {
		finding(r, RG_SEV_DENY, "argo.invalid", app,
			"%s: neither spec.source nor spec.sources",
			app_label(r, app));
	}
	if (error < 0)
		return error;
	for (size_t i = 0; i < out.len; i++)
		rg_flux_default_namespace(
		    r->a, out.items[i],
		    rg_flux_str(app, "spec.destination.namespace"));
	return add_objs(r, &out, ap->depth + 1);
}

/* --- ApplicationSets ----------------------------------------------------- */

struct params {
	const char **keys, **vals;
	size_t n;
};

static void param(struct run *r, struct params *p, const char *k, const char *v)
{
	p->keys = rg_arena_grow(r->a, p->keys, p->n, p->n + 1, sizeof(char *));
	p->vals = rg_arena_grow(r->a, p->vals, p->n, p->n + 1, sizeof(char *));
	p->keys[p->n] = k;
	p->vals[p->n++] = v;
}

/* fasttemplate: "{{ key }}" replaced when key is a parameter. */
static const char *fill(struct run *r, const char *s, const struct params *p)
{
	struct rg_buf b = RG_BUF_INIT(RG_CAP_YAML_SCALAR_BYTES);
	const char *res;

	while (*s) {
		const char *open = strstr(s, "{{"), *close, *k, *ke;
		bool hit = false;

		if (!open || !(close = strstr(open + 2, "}}"))) {
			rg_buf_adds(&b, s);
			break;
		}
		rg_buf_add(&b, s, (size_t)(open - s));
		for (k = open + 2; *k == ' '; k++)
			;
		for (ke = close; ke > k && ke[-1] == ' '; ke--)
			;
		for (size_t i = 0; i < p->n && !hit; i++)
			if (strlen(p->keys[i]) == (size_t)(ke - k) &&
			    !strncmp(p->keys[i], k, (size_t)(ke - k))) {
				rg_buf_adds(&b, p->vals[i]);
				hit = true;
			}
		if (!hit)
			rg_buf_add(&b, open, (size_t)(close + 2 - open));
		s = close + 2;
	}
	res = rg_arena_strndup(r->a, b.ptr, b.len);
	rg_buf_release(&b);
	return res;
}

static void fill_node(struct run *r, struct rg_node *n, const struct params *p)
{
	if (n->kind == RG_STR && strstr(n->u.s.ptr, "{{")) {
		n->u.s.ptr = fill(r, n->u.s.ptr, p);
		n->u.s.len = strlen(n->u.s.ptr);
	} else if (n->kind == RG_SEQ) {
		for (size_t i = 0; i < n->u.seq.len; i++)
			fill_node(r, n->u.seq.items[i], p);
	} else if (n->kind == RG_MAP) {
		for (size_t i = 0; i < n->u.map.len; i++) {
			struct rg_pair *pr = &n->u.map.items[i];

			if (strstr(pr->key.ptr, "{{")) {
				pr->key.ptr = fill(r, pr->key.ptr, p);
				pr->key.len = strlen(pr->key.ptr);
			}
			fill_node(r, pr->val, p);
		}
	}
}

static void generate_app(struct run *r, const struct rg_node *set,
			 const struct params *p, unsigned depth)
{
	struct rg_node *app = rg_node_map(r->a);
	const struct rg_node *tpl = rg_node_path(set, "spec.template");
	struct app ap;

	set_str(r, app, "apiVersion", "argoproj.io/v1alpha1");
	set_str(r, app, "kind", "Application");
	rg_map_set(r->a, app, "metadata", 8,
		   rg_node_clone(r->a, rg_map_gets(tpl, "metadata")));
	rg_map_set(r->a, app, "spec", 4,
		   rg_node_clone(r->a, rg_map_gets(tpl, "spec")));
	if (rg_map_gets(app, "metadata")->kind != RG_MAP)
		rg_map_set(r->a, app, "metadata", 8, rg_node_map(r->a));
	fill_node(r, app, p);
	if (!rg_flux_str(app, "metadata.namespace") && rg_flux_obj_ns(set)[0])
		set_str(r, rg_map_gets(app, "metadata"), "namespace",
			rg_flux_obj_ns(set));
	app->pos = tpl ? tpl->pos : set->pos;
	ap.obj = app;
	ap.depth = depth;
	r->pending = rg_arena_grow(r->a, r->pending, r->npending,
				   r->npending + 1, sizeof(ap));
	r->pending[r->npending++] = ap;
}

static void scalar_text(struct run *r, const struct rg_node *v,
			const char **out)
{
	char num[64];

	*out = rg_node_cstr(v);
	if (*out)
		return;
	if (v->kind == RG_INT) {
		snprintf(num, sizeof(num), "%lld", (long long)v->u.i);
		*out = rg_arena_strdup(r->a, num);
	} else if (v->kind == RG_BOOL) {
		*out = v->u.b ? "true" : "false";
	}
}

/* All directories of the tree (recorded listings), for git generators. */
static int all_dirs(struct run *r, const char *dir, const char ***out,
		    size_t *n, unsigned depth)
{
	struct rg_tree_entry *ents = NULL;
	size_t ne = 0;
	int error;

	if (depth > RG_CAP_DIR_DEPTH)
		return 0;
	error = rg_tree_list(r->tree, dir, &ents, &ne, r->err);
	if (error < 0)
		return error;
	for (size_t i = 0; i < ne; i++) {
		const char *p;

		if (ents[i].kind != RG_TREE_DIR || ents[i].name[0] == '.')
			continue;
		p = rg_tree_path_join(r->a, dir, ents[i].name);
		*out = rg_arena_grow(r->a, *out, *n, *n + 1, sizeof(char *));
		(*out)[(*n)++] = p;
		error = all_dirs(r, p, out, n, depth + 1);
		if (error < 0)
			return error;
	}
	return 0;
}

static int git_dirs(struct run *r, const struct rg_node *set,
		    const struct rg_node *git, unsigned depth)
{
	const struct rg_node *dirs = rg_map_gets(git, "directories");
	const char **all = NULL;
	size_t nall = 0;
	int error;

	if (!this_repo(r, rg_flux_str(git, "repoURL"))) {
		finding(r, RG_SEV_WARN, "argo.source-unavailable", git,
			"ApplicationSet %s: git generator repository %s is not "
			"this repository; not rendered",
			rg_flux_obj_name(set),
			rg_flux_str(git, "repoURL")
			    ? rg_flux_str(git, "repoURL")
			    : "?");
		return 0;
	}
	error = all_dirs(r, "", &all, &nall, 0);
	if (error < 0)
		return error;
	for (size_t i = 0; i < nall; i++) {
		bool in = false;
		struct params p = {NULL, NULL, 0};
		const char *base = strrchr(all[i], '/');
		char *norm;
		size_t seg = 0;

		for (size_t d = 0;
		     dirs && dirs->kind == RG_SEQ && d < dirs->u.seq.len; d++) {
			const struct rg_node *e = dirs->u.seq.items[d];
			const char *pat = rg_flux_str(e, "path");

			if (!pat || !rg_argo_glob(pat, all[i]))
				continue;
			in = !truthy(rg_map_gets(e, "exclude"));
			if (!in)
				break;
		}
		if (!in)
			continue;
		/* exclude entries win wherever they stand */
		for (size_t d = 0;
		     dirs && dirs->kind == RG_SEQ && d < dirs->u.seq.len; d++) {
			const struct rg_node *e = dirs->u.seq.items[d];
			const char *pat = rg_flux_str(e, "path");

			if (pat && truthy(rg_map_gets(e, "exclude")) &&
			    rg_argo_glob(pat, all[i]))
				in = false;
		}
		if (!in)
			continue;
		base = base ? base + 1 : all[i];
		norm = rg_arena_strdup(r->a, base);
		for (char *c = norm; *c; c++)
			if (!isalnum((unsigned char)*c) && *c != '-')
				*c = '-';
			else
				*c = (char)tolower((unsigned char)*c);
		param(r, &p, "path", all[i]);
		param(r, &p, "path.path", all[i]);
		param(r, &p, "path.basename", base);
		param(r, &p, "path.basenameNormalized", norm);
		for (const char *s = all[i]; *s; seg++) {
			const char *e = strchr(s, '/');
			size_t n = e ? (size_t)(e - s) : strlen(s);

			param(r, &p, rg_arena_printf(r->a, "path[%zu]", seg),
			      rg_arena_strndup(r->a, s, n));
			s += n + (e ? 1 : 0);
		}
		generate_app(r, set, &p, depth);
	}
	return 0;
}

static int appset(struct run *r, const struct rg_node *set, unsigned depth)
{
	const struct rg_node *gens = rg_node_path(set, "spec.generators");

	if (truthy(rg_node_path(set, "spec.goTemplate"))) {
		finding(r, RG_SEV_WARN, "argo.unsupported", set,
			"ApplicationSet %s: goTemplate is not rendered yet",
			rg_flux_obj_name(set));
		return 0;
	}
	for (size_t g = 0; gens && gens->kind == RG_SEQ && g < gens->u.seq.len;
	     g++) {
		const struct rg_node *gen = gens->u.seq.items[g];
		const struct rg_node *list = rg_map_gets(gen, "list");
		const struct rg_node *git = rg_map_gets(gen, "git");
		const struct rg_node *els = rg_map_gets(list, "elements");
		int error;

		if (list) {
			for (size_t i = 0;
			     els && els->kind == RG_SEQ && i < els->u.seq.len;
			     i++) {
				const struct rg_node *el = els->u.seq.items[i];
				struct params p = {NULL, NULL, 0};

				for (size_t k = 0;
				     el->kind == RG_MAP && k < el->u.map.len;
				     k++) {
					const char *v = NULL;

					scalar_text(r, el->u.map.items[k].val,
						    &v);
					if (v)
						param(
						    r, &p,
						    el->u.map.items[k].key.ptr,
						    v);
				}
				generate_app(r, set, &p, depth);
			}
		} else if (git && rg_map_gets(git, "directories")) {
			error = git_dirs(r, set, git, depth);
			if (error < 0)
				return error;
		} else {
			finding(r, RG_SEV_WARN, "argo.unsupported", gen,
				"ApplicationSet %s: only list and git "
				"directory generators are rendered",
				rg_flux_obj_name(set));
		}
	}
	return 0;
}

/* --- driving ------------------------------------------------------------ */

static int add_objs(struct run *r, struct objs *o, unsigned depth)
{
	for (size_t i = 0; i < o->len; i++) {
		struct rg_node *doc = o->items[i];
		int error = rg_objset_add_doc(NULL, r->out, doc, r->findings,
					      "argo", r->opts->env, r->err);

		if (error == RG_ELIMIT)
			return error;
		if (error < 0)
			continue;
		if (is_kind(doc, "Application")) {
			struct app ap = {doc, depth};

			r->pending =
			    rg_arena_grow(r->a, r->pending, r->npending,
					  r->npending + 1, sizeof(ap));
			r->pending[r->npending++] = ap;
		} else if (is_kind(doc, "ApplicationSet")) {
			error = appset(r, doc, depth);
			if (error < 0)
				return error;
		}
	}
	return 0;
}

int rg_argo_build(struct rg_objset *out, struct rg_findings *findings,
		  struct rg_tree *tree, const char *entry,
		  const struct rg_argo_opts *opts, struct rg_arena *a,
		  struct rg_err *err)
{
	struct run r;
	struct objs first = {NULL, 0};
	struct rg_node *root = rg_node_map(a);
	struct rg_node *md = rg_node_map(a);
	const char *path, *base;
	int error;

	memset(&r, 0, sizeof(r));
	r.out = out;
	r.findings = findings;
	r.tree = tree;
	r.opts = opts;
	r.a = a;
	r.err = err;
	path = rg_flux_clean_path(a, entry);
	base = strrchr(path, '/');
	base = base ? base + 1 : path[0] ? path : "root";
	/* the entry folder as an Application without overrides */
	rg_map_set(a, md, "name", 4, rg_node_str(a, base));
	rg_map_set(a, root, "metadata", 8, md);
	if (rg_flux_kustomization_file(tree, path))
		error = kustomize(&r, &first, path, NULL, root);
	else if (rg_tree_stat(tree, rg_tree_path_join(a, path, "Chart.yaml")) ==
		 RG_TREE_FILE)
		error = helm(&r, &first, path, root, root, NULL);
	else if (rg_tree_stat(tree, path) != RG_TREE_DIR)
		error = rg_err_set(err, RG_ENOTFOUND, NULL,
				   "Argo CD entry '%s' not found", path);
	else
		error = directory(&r, &first, path, "", NULL, root, 0);
	if (!error)
		error = add_objs(&r, &first, 0);
	while (!error && r.npending) {
		struct app ap = r.pending[0];
		const char *key =
		    rg_arena_printf(a, "%s/%s", rg_flux_obj_ns(ap.obj),
				    rg_flux_obj_name(ap.obj));
		bool seen = false;

		memmove(&r.pending[0], &r.pending[1],
			(r.npending - 1) * sizeof(ap));
		r.npending--;
		for (size_t i = 0; i < r.ndone && !seen; i++)
			seen = !strcmp(r.done[i], key);
		if (seen)
			continue;
		r.done = rg_arena_grow(a, r.done, r.ndone, r.ndone + 1,
				       sizeof(*r.done));
		r.done[r.ndone++] = key;
		error = render_app(&r, &ap);
	}
	return error;
}

int rg_argo_render(struct rg_objset *out, struct rg_findings *findings,
		   const struct rg_render_req *req, struct rg_err *err)
{
	struct rg_argo_opts o;
	const struct rg_config_env *env = req->env;

	memset(&o, 0, sizeof(o));
	if (env) {
		o.env = env->name;
		o.repo_urls = env->repo_urls;
		o.nrepo_urls = env->nrepo_urls;
		o.kube_version = env->kube_version;
		o.api_versions = env->api_versions;
		o.napi_versions = env->napi_versions;
	}
	return rg_argo_build(out, findings, req->tree,
			     req->path ? req->path : "", &o, req->arena, err);
}
