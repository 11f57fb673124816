#include "rendergate/compat.h"

#include <ctype.h>

#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/cfgread.h"
#include "rendergate/config.h"
#include "rendergate/doc.h"
#include "rendergate/encoding.h"
#include "rendergate/env.h"
#include "rendergate/envsubst.h"
#include "rendergate/finding.h"
#include "rendergate/flux.h"
#include "rendergate/funcs.h"
#include "rendergate/gitsecrets.h"
#include "rendergate/hash.h"
#include "rendergate/helm.h"
#include "rendergate/kust.h"
#include "rendergate/kustint.h"
#include "rendergate/objects.h"
#include "rendergate/tree.h"

#define KS_GROUP  "kustomize.toolkit.fluxcd.io"
#define HR_GROUP  "helm.toolkit.fluxcd.io"
#define SRC_GROUP "source.toolkit.fluxcd.io"

/* --- an overlay tree: a few files replaced or added over a base tree --- */

struct ovl_file {
	const char *path;
	const char *data;
	size_t len;
};

struct ovl {
	struct rg_tree *base;
	struct ovl_file *files;
	size_t nfiles;
};

static const struct ovl_file *ovl_find(const struct ovl *o, const char *path)
{
	for (size_t i = 0; i < o->nfiles; i++)
		if (!strcmp(o->files[i].path, path))
			return &o->files[i];
	return NULL;
}

static int ovl_read(void *ctx, struct rg_arena *a, const char *path,
		    const char **data, size_t *len, char id[RG_SHA1_HEX],
		    struct rg_err *err)
{
	struct ovl *o = ctx;
	const struct ovl_file *f = ovl_find(o, path);
	enum rg_tree_kind kind;
	int error;

	if (f) {
		*data = f->data;
		*len = f->len;
		rg_git_blob_id(f->data, f->len, id);
		return 0;
	}
	/* through the base's checked, recorded read */
	error = rg_tree_read(o->base, path, data, len, err);
	if (error < 0)
		return error;
	if (o->base->ops->stat(o->base->ctx, path, &kind, id) < 0)
		id[0] = '\0';
	return 0;
}

static int entry_cmp(const void *x, const void *y)
{
	const struct rg_tree_entry *a = x, *b = y;

	return strcmp(a->name, b->name);
}

static int ovl_list(void *ctx, struct rg_arena *a, const char *path,
		    struct rg_tree_entry **out, size_t *n, char id[RG_SHA1_HEX],
		    struct rg_err *err)
{
	struct ovl *o = ctx;
	struct rg_tree_entry *ents = NULL;
	size_t nents = 0, plen = strlen(path);
	int error = rg_tree_list(o->base, path, &ents, &nents, err);

	if (error < 0)
		return error;
	for (size_t i = 0; i < o->nfiles; i++) {
		const char *fp = o->files[i].path, *name;
		bool have = false;

		if (plen && (strncmp(fp, path, plen) || fp[plen] != '/'))
			continue;
		name = plen ? fp + plen + 1 : fp;
		if (strchr(name, '/'))
			continue;
		for (size_t k = 0; k < nents && !have; k++)
			have = !strcmp(ents[k].name, name);
		if (have)
			continue;
		ents = rg_arena_grow(a, ents, nents, nents + 1, sizeof(*ents));
		ents[nents].name = rg_arena_strdup(a, name);
		ents[nents].kind = RG_TREE_FILE;
		rg_git_blob_id(o->files[i].data, o->files[i].len,
			       ents[nents].id);
		nents++;
		qsort(ents, nents, sizeof(*ents), entry_cmp);
	}
	id[0] = '\0';
	*out = ents;
	*n = nents;
	return 0;
}

static int ovl_stat(void *ctx, const char *path, enum rg_tree_kind *kind,
		    char id[RG_SHA1_HEX])
{
	struct ovl *o = ctx;
	const struct ovl_file *f = ovl_find(o, path);

	if (f) {
		*kind = RG_TREE_FILE;
		rg_git_blob_id(f->data, f->len, id);
		return 0;
	}
	return o->base->ops->stat(o->base->ctx, path, kind, id);
}

static void ovl_free(void *ctx)
{
	(void)ctx;
}

static const struct rg_tree_ops ovl_ops = {ovl_read, ovl_list, ovl_stat,
					   ovl_free};

struct rg_tree *rg_flux_tree_overlay(struct rg_arena *a, struct rg_tree *base,
				     const char *path, const char *data,
				     size_t len)
{
	struct ovl *o = rg_arena_alloc(a, sizeof(*o));

	o->base = base;
	o->files = rg_arena_alloc(a, sizeof(*o->files));
	o->files[0].path = rg_arena_strdup(a, path);
	o->files[0].data = rg_arena_strndup(a, data, len);
	o->files[0].len = len;
	o->nfiles = 1;
	return rg_tree_new(a, &ovl_ops, o, base->label);
}

/* --- the run ------------------------------------------------------------ */

struct unit {
	struct rg_node *obj; /* the Kustomization or HelmRelease */
	const char *ns, *name;
	unsigned depth;
};

struct run {
	struct rg_objset *out;
	struct rg_findings *findings;
	struct rg_tree *tree;
	const struct rg_flux_opts *opts;
	struct rg_arena *a;
	struct rg_err *err;
	const char *entry;
	const char *ks_ns; /* namespace of the Kustomization being built */
	/* Kustomizations waiting, and done; HelmReleases found */
	struct unit *pending;
	size_t npending;
	const char **done; /* "ns/name" */
	size_t ndone;
	struct unit *releases;
	size_t nreleases;
	size_t units;
};

const char *rg_flux_str(const struct rg_node *n, const char *dotted)
{
	return rg_node_cstr(rg_node_path(n, dotted));
}

static bool is_kind(const struct rg_node *obj, const char *group,
		    const char *kind)
{
	const char *av = rg_flux_str(obj, "apiVersion"),
		   *k = rg_flux_str(obj, "kind");
	size_t gl = strlen(group);

	return av && k && !strcmp(k, kind) && !strncmp(av, group, gl) &&
	       av[gl] == '/';
}

const char *rg_flux_obj_ns(const struct rg_node *obj)
{
	const char *ns = rg_flux_str(obj, "metadata.namespace");

	return ns ? ns : "";
}

const char *rg_flux_obj_name(const struct rg_node *obj)
{
	const char *n = rg_flux_str(obj, "metadata.name");

	return n ? n : "";
}

static const char *label(struct run *r, const char *kind,
			 const struct rg_node *obj)
{
	return rg_arena_printf(r->a, "%s %s/%s", kind, rg_flux_obj_ns(obj),
			       rg_flux_obj_name(obj));
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

const char *rg_flux_clean_path(struct rg_arena *a, const char *p)
{
	size_t n;

	if (!p)
		return "";
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	while (*p == '/')
		p++;
	if (!strcmp(p, "."))
		return "";
	n = strlen(p);
	while (n && p[n - 1] == '/')
		n--;
	return rg_arena_strndup(a, p, n);
}

/* Is the GitRepository ns/name this repository? */
static bool this_repo(struct run *r, const char *ns, const char *name)
{
	const struct rg_flux_opts *o = r->opts;
	const char *key = rg_arena_printf(r->a, "%s/%s", ns, name);

	if (!o->nsources && !strcmp(key, "flux-system/flux-system"))
		return true;
	for (size_t i = 0; i < o->nsources; i++)
		if (!strcmp(o->sources[i], key))
			return true;
	if (!o->nrepo_urls)
		return false;
	for (size_t i = 0; i < r->out->len; i++) {
		const struct rg_obj *ob = &r->out->items[i];
		const char *url;

		if (strcmp(ob->kind, "GitRepository") ||
		    strcmp(ob->group, SRC_GROUP) || strcmp(ob->name, name) ||
		    strcmp(ob->namespace, ns))
			continue;
		url = rg_flux_str(ob->doc, "spec.url");
		for (size_t k = 0; url && k < o->nrepo_urls; k++)
			if (rg_flux_same_url(url, o->repo_urls[k]))
				return true;
	}
	return false;
}

/*
 * Check a sourceRef: true when it is this repository, else a finding.
 * what names the referrer and its field for the message.
 */
static bool source_ok(struct run *r, const struct rg_node *ref,
		      const struct rg_node *obj, const char *what)
{
	const char *kind = rg_flux_str(ref, "kind"),
		   *name = rg_flux_str(ref, "name");
	const char *ns = rg_flux_str(ref, "namespace");

	if (!ns)
		ns = rg_flux_obj_ns(obj);
	if (kind && name && !strcmp(kind, "GitRepository") &&
	    this_repo(r, ns, name))
		return true;
	finding(r, RG_SEV_WARN, "flux.source-unavailable", ref ? ref : obj,
		"%s: source %s %s/%s is not this repository; not rendered",
		what, kind ? kind : "(no kind)", ns, name ? name : "(no name)");
	return false;
}

/* --- Flux's kustomization generator ------------------------------------ */

static const char *const kfiles[] = {"kustomization.yaml", "kustomization.yml",
				     "Kustomization"};

const char *rg_flux_kustomization_file(struct rg_tree *t, const char *dir)
{
	for (size_t i = 0; i < RG_ARRAY_SIZE(kfiles); i++) {
		const char *p = rg_tree_path_join(t->arena, dir, kfiles[i]);

		if (rg_tree_stat(t, p) == RG_TREE_FILE)
			return p;
	}
	return NULL;
}

/* Names the source-controller leaves out of every artifact. */
static bool never_shipped(const char *name, bool dir)
{
	static const char *const dirs[] = {".git", ".github", ".circleci"};
	static const char *const files[] = {".travis.yml",
					    ".gitlab-ci.yml",
					    "appveyor.yml",
					    ".drone.yml",
					    "cloudbuild.yaml",
					    ".goreleaser.yml",
					    "codeship-services.yml",
					    "codeship-steps.yml",
					    ".sops.yaml",
					    ".flux.yaml"};

	if (dir) {
		for (size_t i = 0; i < RG_ARRAY_SIZE(dirs); i++)
			if (!strcmp(name, dirs[i]))
				return true;
		return false;
	}
	for (size_t i = 0; i < RG_ARRAY_SIZE(files); i++)
		if (!strcmp(name, files[i]))
			return true;
	return false;
}

static bool yaml_name(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && !strcmp(name + n - 5, ".yaml")) ||
	       (n > 4 && !strcmp(name + n - 4, ".yml"));
}

/* Walk dir (relative rel below root) adding resources to seq. */
/* .sourceignore patterns (gitignore syntax), each with its folder. */
struct ignores {
	const char **pats, **bases;
	size_t n;
};

/* Read dir/.sourceignore into ig (a missing file is recorded, not an
 * error: one appearing later changes the render). */
/* Add the gitignore lines of data[0..len) to ig, relative to dir. */
static void add_patterns(struct run *r, struct ignores *ig, const char *dir,
			 const char *data, size_t len)
{
	const char *p;

	for (p = data; p < data + len;) {
		const char *nl = memchr(p, '\n', (size_t)(data + len - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(data + len - p);

		while (n && (p[n - 1] == '\r' || p[n - 1] == ' '))
			n--;
		if (n && p[0] != '#') {
			ig->pats = rg_arena_grow(r->a, ig->pats, ig->n,
						 ig->n + 1, sizeof(char *));
			ig->bases = rg_arena_grow(r->a, ig->bases, ig->n,
						  ig->n + 1, sizeof(char *));
			ig->pats[ig->n] = rg_arena_strndup(r->a, p, n);
			ig->bases[ig->n++] = dir;
		}
		p += n + 1;
		if (nl)
			p = nl + 1;
	}
}

static int load_ignores(struct run *r, struct ignores *ig, const char *dir)
{
	const char *path = rg_tree_path_join(r->a, dir, ".sourceignore");
	const char *data = NULL;
	size_t len = 0;
	int error = rg_tree_read(r->tree, path, &data, &len, r->err);

	if (error == RG_ENOTFOUND)
		return 0;
	if (error < 0)
		return error;
	add_patterns(r, ig, dir, data, len);
	return 0;
}

/*
 * The spec.ignore patterns of the GitRepository a Kustomization's spec
 * names, when that object is in the rendered output.
 */
static void source_ignores(struct run *r, struct ignores *ig,
			   const struct rg_node *spec, const char *ks_ns)
{
	const struct rg_node *ref = rg_map_gets(spec, "sourceRef");
	const char *name = rg_flux_str(ref, "name");
	const char *ns = rg_flux_str(ref, "namespace");

	if (!name)
		return;
	if (!ns)
		ns = ks_ns;
	for (size_t i = 0; i < r->out->len; i++) {
		const struct rg_obj *o = &r->out->items[i];
		const char *text;

		if (strcmp(o->kind, "GitRepository") ||
		    strcmp(o->group, SRC_GROUP) || strcmp(o->name, name) ||
		    strcmp(o->namespace, ns))
			continue;
		text = rg_flux_str(o->doc, "spec.ignore");
		if (text)
			add_patterns(r, ig, "", text, strlen(text));
		return;
	}
}

/* Is path (from the repository root) ignored? The last match wins. */
static bool ignored(const struct ignores *ig, const char *path, bool dir)
{
	bool out = false;

	for (size_t i = 0; i < ig->n; i++) {
		const char *pat = ig->pats[i], *base = ig->bases[i];
		const char *rel = path, *name, *slash;
		size_t bl = strlen(base), pl;
		bool neg = false, dironly, hit;
		char buf[RG_CAP_PATH_BYTES];

		if (bl && (strncmp(path, base, bl) || path[bl] != '/'))
			continue;
		if (bl)
			rel = path + bl + 1;
		if (*pat == '!') {
			neg = true;
			pat++;
		}
		pl = strlen(pat);
		dironly = pl && pat[pl - 1] == '/';
		if (dironly)
			pl--;
		if (!pl || pl >= sizeof(buf) || (dironly && !dir))
			continue;
		memcpy(buf, pat, pl);
		buf[pl] = '\0';
		slash = strchr(buf, '/');
		name = strrchr(rel, '/');
		name = name ? name + 1 : rel;
		if (slash)
			hit = rg_cfg_glob_match(buf[0] == '/' ? buf + 1 : buf,
						rel);
		else
			hit = rg_cfg_glob_match(buf, name);
		if (hit)
			out = !neg;
	}
	return out;
}

static int scan(struct run *r, struct rg_node *seq, const char *root,
		const char *rel, struct ignores *ig, unsigned depth)
{
	const char *dir = rel[0] ? rg_tree_path_join(r->a, root, rel) : root;
	struct rg_tree_entry *ents = NULL;
	size_t n = 0;
	int error;

	if (depth > RG_CAP_DIR_DEPTH)
		return rg_err_set(r->err, RG_ELIMIT, NULL,
				  "%s: directories nested deeper than %u "
				  "(RG_CAP_DIR_DEPTH)",
				  dir, RG_CAP_DIR_DEPTH);
	error = rg_tree_list(r->tree, dir, &ents, &n, r->err);
	if (error < 0)
		return error;
	if (dir[0]) {
		error = load_ignores(r, ig, dir);
		if (error < 0)
			return error;
	}
	for (size_t i = 0; i < n; i++) {
		const char *sub =
		    rel[0] ? rg_tree_path_join(r->a, rel, ents[i].name)
			   : ents[i].name;

		if (ignored(ig, rg_tree_path_join(r->a, root, sub),
			    ents[i].kind == RG_TREE_DIR))
			continue;
		if (ents[i].kind == RG_TREE_DIR) {
			if (never_shipped(ents[i].name, true))
				continue;
			if (rg_flux_kustomization_file(
				r->tree, rg_tree_path_join(r->a, root, sub))) {
				rg_seq_push(r->a, seq, rg_node_str(r->a, sub));
				continue;
			}
			error = scan(r, seq, root, sub, ig, depth + 1);
			if (error < 0)
				return error;
			continue;
		}
		if (!yaml_name(ents[i].name) ||
		    never_shipped(ents[i].name, false))
			continue;
		rg_seq_push(r->a, seq, rg_node_str(r->a, sub));
	}
	return 0;
}

static void append_list(struct run *r, struct rg_node *kus, const char *key,
			const struct rg_node *items)
{
	struct rg_node *seq = rg_map_gets(kus, key);

	if (!items || items->kind != RG_SEQ || !items->u.seq.len)
		return;
	if (!seq || seq->kind != RG_SEQ) {
		seq = rg_node_seq(r->a);
		rg_map_set(r->a, kus, key, strlen(key), seq);
	}
	for (size_t i = 0; i < items->u.seq.len; i++)
		rg_seq_push(r->a, seq,
			    rg_node_clone(r->a, items->u.seq.items[i]));
}

static void merge_images(struct run *r, struct rg_node *kus,
			 const struct rg_node *images)
{
	struct rg_node *seq = rg_map_gets(kus, "images");

	if (!images || images->kind != RG_SEQ)
		return;
	if (!seq || seq->kind != RG_SEQ) {
		seq = rg_node_seq(r->a);
		rg_map_set(r->a, kus, "images", 6, seq);
	}
	for (size_t i = 0; i < images->u.seq.len; i++) {
		const struct rg_node *im = images->u.seq.items[i];
		const char *name = rg_flux_str(im, "name");
		struct rg_node *have = NULL;

		for (size_t k = 0; name && k < seq->u.seq.len && !have; k++) {
			const char *hn =
			    rg_flux_str(seq->u.seq.items[k], "name");

			if (hn && !strcmp(hn, name))
				have = seq->u.seq.items[k];
		}
		if (!have) {
			rg_seq_push(r->a, seq, rg_node_clone(r->a, im));
			continue;
		}
		if (rg_flux_str(im, "newName"))
			rg_map_set(
			    r->a, have, "newName", 7,
			    rg_node_clone(r->a, rg_map_gets(im, "newName")));
		if (rg_flux_str(im, "newTag") || rg_flux_str(im, "digest")) {
			rg_map_del(have, "newTag", 6);
			rg_map_del(have, "digest", 6);
			if (rg_flux_str(im, "newTag"))
				rg_map_set(
				    r->a, have, "newTag", 6,
				    rg_node_clone(r->a,
						  rg_map_gets(im, "newTag")));
			if (rg_flux_str(im, "digest"))
				rg_map_set(
				    r->a, have, "digest", 6,
				    rg_node_clone(r->a,
						  rg_map_gets(im, "digest")));
		}
	}
}

/* Does component path c (relative to dir, ".." allowed) exist? */
static bool component_exists(struct run *r, const char *dir, const char *c)
{
	const char *p = NULL;

	if (rg_kust_path_join(&p, r->a, dir, c, NULL) < 0)
		return false;
	return rg_tree_stat(r->tree, p) != RG_TREE_MISSING;
}

static void set_str(struct run *r, struct rg_node *map, const char *key,
		    const char *val)
{
	rg_map_set(r->a, map, key, strlen(key), rg_node_str(r->a, val));
}

/*
 * The kustomization Flux builds for spec (a Kustomization's spec, or NULL
 * for the plain entry build) at dir: *file is its path, *text its YAML.
 */
static int generate(struct run *r, const char **file, struct rg_buf *text,
		    const char *dir, const struct rg_node *spec)
{
	const char *kf = rg_flux_kustomization_file(r->tree, dir);
	struct rg_node *kus = NULL;
	const struct rg_node *v;
	int error;

	if (kf) {
		const char *data = NULL;
		size_t len = 0;

		error = rg_tree_read(r->tree, kf, &data, &len, r->err);
		if (error < 0)
			return error;
		error = rg_doc_parse_one(&kus, r->a, kf, data, len,
					 RG_PARSE_YAML12, r->err);
		if (error < 0)
			return error;
		if (kus->kind == RG_NULL)
			kus = rg_node_map(r->a);
		if (kus->kind != RG_MAP)
			return rg_err_set(r->err, RG_EINVALID, &kus->pos,
					  "a kustomization must be a mapping");
		*file = kf;
	} else {
		struct rg_node *res = rg_node_seq(r->a);
		struct ignores ig = {NULL, NULL, 0};

		if (rg_tree_stat(r->tree, dir) != RG_TREE_DIR)
			return rg_err_set(r->err, RG_ENOTFOUND, NULL,
					  "path '%s' not found", dir);
		/* the repository root's .sourceignore shapes the artifact */
		if (spec)
			source_ignores(r, &ig, spec, r->ks_ns);
		error = load_ignores(r, &ig, "");
		if (!error)
			error = scan(r, res, dir, "", &ig, 0);
		if (error < 0)
			return error;
		kus = rg_node_map(r->a);
		set_str(r, kus, "apiVersion",
			"kustomize.config.k8s.io/v1beta1");
		set_str(r, kus, "kind", "Kustomization");
		if (res->u.seq.len)
			rg_map_set(r->a, kus, "resources", 9, res);
		else
			set_str(r, kus, "namespace", "_placeholder");
		*file = rg_tree_path_join(r->a, dir, "kustomization.yaml");
	}
	if (spec) {
		const char *s;

		if ((s = rg_flux_str(spec, "targetNamespace")))
			set_str(r, kus, "namespace", s);
		if ((s = rg_flux_str(spec, "namePrefix")))
			set_str(r, kus, "namePrefix", s);
		if ((s = rg_flux_str(spec, "nameSuffix")))
			set_str(r, kus, "nameSuffix", s);
		append_list(r, kus, "patches", rg_map_gets(spec, "patches"));
		v = rg_map_gets(spec, "components");
		if (v && v->kind == RG_SEQ) {
			struct rg_node *keep = rg_node_seq(r->a);
			const struct rg_node *ign =
			    rg_map_gets(spec, "ignoreMissingComponents");

			for (size_t i = 0; i < v->u.seq.len; i++) {
				const char *c = rg_node_cstr(v->u.seq.items[i]);

				if (!c)
					continue;
				if (ign && ign->kind == RG_BOOL && ign->u.b &&
				    !component_exists(r, dir, c))
					continue;
				rg_seq_push(r->a, keep, v->u.seq.items[i]);
			}
			append_list(r, kus, "components", keep);
		}
		append_list(r, kus, "patchesStrategicMerge",
			    rg_map_gets(spec, "patchesStrategicMerge"));
		append_list(r, kus, "patchesJson6902",
			    rg_map_gets(spec, "patchesJson6902"));
		merge_images(r, kus, rg_map_gets(spec, "images"));
	}
	return rg_doc_emit(text, kus, RG_EMIT_KEEP_ORDER);
}

/* Build dir as spec says; *res gets the objects. */
static int build_dir(struct run *r, struct rg_kust_result *res, const char *dir,
		     const struct rg_node *spec)
{
	struct rg_buf text = RG_BUF_INIT(RG_CAP_YAML_EMIT_BYTES);
	const char *file = NULL;
	struct rg_tree *t = NULL;
	int error = generate(r, &file, &text, dir, spec);

	if (error < 0)
		goto out;
	t = rg_flux_tree_overlay(r->a, r->tree, file, text.ptr, text.len);
	error = rg_kust_build(res, r->a, t, dir,
			      RG_KUST_FIFO | RG_KUST_LOAD_ANYWHERE, r->err);
out:
	rg_tree_free(t);
	rg_buf_release(&text);
	return error;
}

/* --- postBuild substitution -------------------------------------------- */

struct vars {
	const char **names, **vals;
	size_t n;
	struct run *r;
	const struct rg_node *ks;
	const char **unset; /* reported once per name */
	size_t nunset;
};

static void var_set(struct vars *v, struct rg_arena *a, const char *name,
		    const char *val, size_t vlen)
{
	char *clean = rg_arena_alloc(a, vlen + 1);
	size_t k = 0;

	for (size_t i = 0; i < vlen; i++)
		if (val[i] != '\n')
			clean[k++] = val[i];
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->names[i], name)) {
			v->vals[i] = clean;
			return;
		}
	v->names = rg_arena_grow(a, v->names, v->n, v->n + 1, sizeof(char *));
	v->vals = rg_arena_grow(a, v->vals, v->n, v->n + 1, sizeof(char *));
	v->names[v->n] = rg_arena_strdup(a, name);
	v->vals[v->n++] = clean;
}

static bool var_lookup(void *ctx, const char *name, bool has_default,
		       const char **val, size_t *vlen)
{
	struct vars *v = ctx;

	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->names[i], name)) {
			*val = v->vals[i];
			*vlen = strlen(v->vals[i]);
			return true;
		}
	if (has_default)
		return false;
	for (size_t i = 0; i < v->nunset; i++)
		if (!strcmp(v->unset[i], name))
			return false;
	v->unset = rg_arena_grow(v->r->a, v->unset, v->nunset, v->nunset + 1,
				 sizeof(char *));
	v->unset[v->nunset++] = rg_arena_strdup(v->r->a, name);
	return false;
}

/* The object in the output: kind, namespace, name; NULL when absent. */
static const struct rg_obj *find_obj(struct run *r, const char *kind,
				     const char *ns, const char *name)
{
	for (size_t i = 0; i < r->out->len; i++) {
		const struct rg_obj *o = &r->out->items[i];

		if (!strcmp(o->kind, kind) && !o->group[0] &&
		    !strcmp(o->name, name) &&
		    (!strcmp(o->namespace, ns) || !o->namespace[0]))
			return o;
	}
	return NULL;
}

static bool sops_encrypted(const struct rg_node *doc)
{
	return rg_gitsecrets_object(doc) == RG_GITSECRETS_SOPS;
}

/*
 * Call fn for every key of a ConfigMap's data or a Secret's data
 * (decoded) and stringData.
 */
static int each_data(struct run *r, const struct rg_obj *o,
		     void (*fn)(void *, const char *, const char *, size_t),
		     void *ctx)
{
	const struct rg_node *data = rg_map_gets(o->doc, "data");
	bool secret = !strcmp(o->kind, "Secret");

	for (size_t i = 0; data && data->kind == RG_MAP && i < data->u.map.len;
	     i++) {
		const struct rg_pair *p = &data->u.map.items[i];
		const char *s = rg_node_cstr(p->val);

		if (!s)
			continue;
		if (secret) {
			struct rg_buf dec = RG_BUF_INIT(RG_CAP_BLOB_BYTES);
			size_t bad = 0;

			if (rg_b64_decode(&dec, s, p->val->u.s.len, false,
					  &bad) < 0) {
				rg_buf_release(&dec);
				return rg_err_set(
				    r->err, RG_EINVALID, &p->val->pos,
				    "Secret %s/%s key %s is not "
				    "base64 (at byte %zu)",
				    o->namespace, o->name, p->key.ptr, bad);
			}
			fn(ctx, p->key.ptr,
			   rg_arena_strndup(r->a, dec.ptr, dec.len), dec.len);
			rg_buf_release(&dec);
		} else {
			fn(ctx, p->key.ptr, s, p->val->u.s.len);
		}
	}
	data = secret ? rg_map_gets(o->doc, "stringData") : NULL;
	for (size_t i = 0; data && data->kind == RG_MAP && i < data->u.map.len;
	     i++) {
		const struct rg_pair *p = &data->u.map.items[i];
		const char *s = rg_node_cstr(p->val);

		if (s)
			fn(ctx, p->key.ptr, s, p->val->u.s.len);
	}
	return 0;
}

static void add_var(void *ctx, const char *key, const char *val, size_t len)
{
	struct vars *v = ctx;

	var_set(v, v->r->a, key, val, len);
}

/* Is every substituteFrom reference of ks resolvable now? */
static bool refs_ready(struct run *r, const struct rg_node *ks)
{
	const struct rg_node *from =
	    rg_node_path(ks, "spec.postBuild.substituteFrom");

	for (size_t i = 0; from && from->kind == RG_SEQ && i < from->u.seq.len;
	     i++) {
		const struct rg_node *ref = from->u.seq.items[i];
		const char *kind = rg_flux_str(ref, "kind"),
			   *name = rg_flux_str(ref, "name");

		if (kind && name &&
		    !find_obj(r, kind, rg_flux_obj_ns(ks), name))
			return false;
	}
	return true;
}

static int load_vars(struct run *r, struct vars *v, const struct rg_node *ks)
{
	const struct rg_node *pb = rg_node_path(ks, "spec.postBuild");
	const struct rg_node *from = rg_map_gets(pb, "substituteFrom");
	const struct rg_node *inl = rg_map_gets(pb, "substitute");

	for (size_t i = 0; from && from->kind == RG_SEQ && i < from->u.seq.len;
	     i++) {
		const struct rg_node *ref = from->u.seq.items[i];
		const char *kind = rg_flux_str(ref, "kind"),
			   *name = rg_flux_str(ref, "name");
		const struct rg_node *opt = rg_map_gets(ref, "optional");
		const struct rg_obj *o;
		int error;

		if (!kind || !name ||
		    (strcmp(kind, "ConfigMap") && strcmp(kind, "Secret"))) {
			finding(r, RG_SEV_DENY, "flux.invalid", ref,
				"%s: substituteFrom entry needs kind "
				"ConfigMap or Secret and a name",
				label(r, "Kustomization", ks));
			continue;
		}
		o = find_obj(r, kind, rg_flux_obj_ns(ks), name);
		if (!o) {
			if (opt && opt->kind == RG_BOOL && opt->u.b)
				continue;
			finding(r, RG_SEV_DENY, "flux.missing-reference", ref,
				"%s: substituteFrom %s %s/%s is not in the "
				"rendered output (it may exist only in the "
				"cluster); rendered without its variables",
				label(r, "Kustomization", ks), kind,
				rg_flux_obj_ns(ks), name);
			continue;
		}
		if (sops_encrypted(o->doc)) {
			finding(r, RG_SEV_WARN, "flux.encrypted", ref,
				"%s: substituteFrom %s %s/%s is "
				"SOPS-encrypted; its variables are unknown "
				"here",
				label(r, "Kustomization", ks), kind,
				rg_flux_obj_ns(ks), name);
			continue;
		}
		error = each_data(r, o, add_var, v);
		if (error < 0)
			return error;
	}
	for (size_t i = 0; inl && inl->kind == RG_MAP && i < inl->u.map.len;
	     i++) {
		const struct rg_pair *p = &inl->u.map.items[i];
		const struct rg_node *val = p->val;
		char num[64];
		const char *s = rg_node_cstr(val);

		if (!s && val->kind == RG_INT) {
			snprintf(num, sizeof(num), "%lld", (long long)val->u.i);
			s = num;
		} else if (!s && val->kind == RG_BOOL) {
			s = val->u.b ? "true" : "false";
		}
		if (!s)
			return rg_err_set(r->err, RG_EINVALID, &val->pos,
					  "%s: postBuild.substitute.%s must "
					  "be a string",
					  label(r, "Kustomization", ks),
					  p->key.ptr);
		var_set(v, r->a, p->key.ptr, s, strlen(s));
	}
	for (size_t i = 0; i < v->n; i++)
		if (!rg_envsubst_valid_name(v->names[i], strlen(v->names[i])))
			return rg_err_set(
			    r->err, RG_EINVALID, pb ? &pb->pos : NULL,
			    "%s: '%s' var name is invalid, must "
			    "match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'",
			    label(r, "Kustomization", ks), v->names[i]);
	return 0;
}

static int subst_str(struct run *r, struct vars *v, struct rg_str *s,
		     struct rg_buf *b)
{
	rg_buf_reset(b);
	return rg_envsubst_eval(b, r->a, s->ptr, s->len, var_lookup, v,
				r->opts->strict ? RG_ENVSUBST_STRICT : 0,
				r->err);
}

/* Substitute in n (recursively); *out may be replaced by a re-read node. */
static int subst_node(struct run *r, struct vars *v, struct rg_node **np,
		      struct rg_buf *b, unsigned depth)
{
	struct rg_node *n = *np;
	int error = 0;

	if (depth > RG_CAP_YAML_DEPTH)
		return rg_err_set(r->err, RG_ELIMIT, &n->pos,
				  "object nested deeper than %u levels "
				  "(RG_CAP_YAML_DEPTH)",
				  RG_CAP_YAML_DEPTH);
	switch (n->kind) {
	case RG_STR: {
		struct rg_node *nn = NULL;

		if (!rg_envsubst_needed(n->u.s.ptr, n->u.s.len))
			return 0;
		error = subst_str(r, v, &n->u.s, b);
		if (error < 0)
			return error;
		if (n->flags & RG_NODE_QUOTED || memchr(b->ptr, '\n', b->len)) {
			nn = rg_node_strn(r->a, b->ptr, b->len);
			nn->flags = n->flags;
		} else {
			/* a plain scalar is read again, as Flux's YAML round
			   trip does */
			error = rg_doc_parse_one(&nn, r->a, n->pos.file, b->ptr,
						 b->len, 0, r->err);
			if (error < 0)
				return error;
		}
		nn->pos = n->pos;
		*np = nn;
		return 0;
	}
	case RG_SEQ:
		for (size_t i = 0; i < n->u.seq.len && !error; i++)
			error =
			    subst_node(r, v, &n->u.seq.items[i], b, depth + 1);
		return error;
	case RG_MAP:
		for (size_t i = 0; i < n->u.map.len && !error; i++) {
			struct rg_pair *p = &n->u.map.items[i];

			if (rg_envsubst_needed(p->key.ptr, p->key.len)) {
				error = subst_str(r, v, &p->key, b);
				if (error < 0)
					return error;
				p->key.ptr =
				    rg_arena_strndup(r->a, b->ptr, b->len);
				p->key.len = b->len;
			}
			error = subst_node(r, v, &p->val, b, depth + 1);
		}
		return error;
	default:
		return 0;
	}
}

static bool subst_disabled(const struct rg_node *obj)
{
	static const char *const where[] = {"labels", "annotations"};
	const struct rg_node *md = rg_map_gets(obj, "metadata");

	for (size_t i = 0; i < RG_ARRAY_SIZE(where); i++) {
		const char *s = rg_node_cstr(
		    rg_map_gets(rg_map_gets(md, where[i]),
				"kustomize.toolkit.fluxcd.io/substitute"));

		if (s && !strcmp(s, "disabled"))
			return true;
	}
	return false;
}

static int post_build(struct run *r, const struct rg_node *ks,
		      struct rg_kust_result *res)
{
	const struct rg_node *pb = rg_node_path(ks, "spec.postBuild");
	struct vars v;
	struct rg_buf b = RG_BUF_INIT(RG_CAP_YAML_SCALAR_BYTES);
	const char *strategy;
	int error = 0;

	if (!pb)
		return 0;
	memset(&v, 0, sizeof(v));
	v.r = r;
	v.ks = ks;
	error = load_vars(r, &v, ks);
	if (error < 0)
		return error;
	strategy = rg_flux_str(pb, "substituteStrategy");
	if (!v.n && !(strategy && !strcmp(strategy, "Always")))
		return 0;
	for (size_t i = 0; i < res->len && !error; i++) {
		if (subst_disabled(res->objs[i]))
			continue;
		error = subst_node(r, &v, &res->objs[i], &b, 0);
		if (error < 0)
			rg_err_prefix(r->err, "%s: post build failed for %s/%s",
				      label(r, "Kustomization", ks),
				      rg_flux_str(res->objs[i], "kind")
					  ? rg_flux_str(res->objs[i], "kind")
					  : "?",
				      rg_flux_obj_name(res->objs[i]));
	}
	rg_buf_release(&b);
	for (size_t i = 0; !error && i < v.nunset; i++)
		finding(r, RG_SEV_WARN, "flux.unset-variable", pb,
			"%s: variable %s is not set; Flux substitutes an "
			"empty string",
			label(r, "Kustomization", ks), v.unset[i]);
	return error;
}

/* --- metadata ---------------------------------------------------------- */

static struct rg_node *meta_map(struct run *r, struct rg_node *obj,
				const char *key)
{
	struct rg_node *md = rg_map_gets(obj, "metadata"), *m;

	if (!md || md->kind != RG_MAP)
		return NULL;
	m = rg_map_gets(md, key);
	if (!m || m->kind != RG_MAP) {
		m = rg_node_map(r->a);
		rg_map_set(r->a, md, key, strlen(key), m);
	}
	return m;
}

static void set_meta(struct run *r, struct rg_node *obj, const char *which,
		     const struct rg_node *src)
{
	struct rg_node *m;

	if (!src || src->kind != RG_MAP || !src->u.map.len)
		return;
	m = meta_map(r, obj, which);
	for (size_t i = 0; m && i < src->u.map.len; i++)
		rg_map_set(r->a, m, src->u.map.items[i].key.ptr,
			   src->u.map.items[i].key.len,
			   rg_node_clone(r->a, src->u.map.items[i].val));
}

static void owner_labels(struct run *r, struct rg_node *obj, const char *group,
			 const char *ns, const char *name)
{
	struct rg_node *m = meta_map(r, obj, "labels");
	const char *k1 = rg_arena_printf(r->a, "%s/name", group);
	const char *k2 = rg_arena_printf(r->a, "%s/namespace", group);

	if (!m)
		return;
	set_str(r, m, k1, name);
	set_str(r, m, k2, ns);
}

/* --- adding output and finding units ----------------------------------- */

static bool done_has(struct run *r, const char *key)
{
	for (size_t i = 0; i < r->ndone; i++)
		if (!strcmp(r->done[i], key))
			return true;
	return false;
}

static void done_add(struct run *r, const char *key)
{
	r->done = rg_arena_grow(r->a, r->done, r->ndone, r->ndone + 1,
				sizeof(*r->done));
	r->done[r->ndone++] = key;
}

static int count_unit(struct run *r)
{
	if (++r->units > RG_CAP_GITOPS_UNITS)
		return rg_err_set(r->err, RG_ELIMIT, NULL,
				  "more than %u Kustomizations and "
				  "HelmReleases (RG_CAP_GITOPS_UNITS)",
				  RG_CAP_GITOPS_UNITS);
	return 0;
}

static int add_output(struct run *r, struct rg_kust_result *res, unsigned depth)
{
	for (size_t i = 0; i < res->len; i++) {
		struct rg_node *o = res->objs[i];
		struct unit u;
		int error = rg_objset_add_doc(NULL, r->out, o, r->findings,
					      "flux", r->opts->env, r->err);

		if (error == RG_ELIMIT)
			return error;
		if (error < 0)
			continue;
		memset(&u, 0, sizeof(u));
		u.obj = o;
		u.ns = rg_flux_obj_ns(o);
		u.name = rg_flux_obj_name(o);
		u.depth = depth;
		if (is_kind(o, KS_GROUP, "Kustomization")) {
			r->pending =
			    rg_arena_grow(r->a, r->pending, r->npending,
					  r->npending + 1, sizeof(u));
			r->pending[r->npending++] = u;
		} else if (is_kind(o, HR_GROUP, "HelmRelease")) {
			r->releases =
			    rg_arena_grow(r->a, r->releases, r->nreleases,
					  r->nreleases + 1, sizeof(u));
			r->releases[r->nreleases++] = u;
		}
	}
	return 0;
}

/* Render one Kustomization (spec of ks) into *res, without adding it. */
static int build_ks(struct run *r, struct rg_kust_result *res,
		    const struct rg_node *ks)
{
	const struct rg_node *spec = rg_map_gets(ks, "spec");
	const char *path = rg_flux_clean_path(r->a, rg_flux_str(spec, "path"));
	int error;

	r->ks_ns = rg_flux_obj_ns(ks);
	error = build_dir(r, res, path, spec);

	if (error < 0)
		return rg_err_prefix(r->err, "%s",
				     label(r, "Kustomization", ks));
	error = post_build(r, ks, res);
	if (error < 0)
		return error;
	for (size_t i = 0; i < res->len; i++) {
		set_meta(r, res->objs[i], "labels",
			 rg_node_path(spec, "commonMetadata.labels"));
		set_meta(r, res->objs[i], "annotations",
			 rg_node_path(spec, "commonMetadata.annotations"));
		owner_labels(r, res->objs[i], KS_GROUP, rg_flux_obj_ns(ks),
			     rg_flux_obj_name(ks));
	}
	return 0;
}

/* Take the next pending Kustomization: the first whose references
 * resolve, else the first. */
static bool next_pending(struct run *r, struct unit *u)
{
	size_t pick = 0;

	if (!r->npending)
		return false;
	for (size_t i = 0; i < r->npending; i++)
		if (refs_ready(r, r->pending[i].obj)) {
			pick = i;
			break;
		}
	*u = r->pending[pick];
	memmove(&r->pending[pick], &r->pending[pick + 1],
		(r->npending - pick - 1) * sizeof(*u));
	r->npending--;
	return true;
}

static int run_kustomizations(struct run *r)
{
	struct unit u;

	while (next_pending(r, &u)) {
		const char *key = rg_arena_printf(r->a, "%s/%s", u.ns, u.name);
		struct rg_kust_result res = {NULL, 0};
		int error;

		if (done_has(r, key))
			continue;
		done_add(r, key);
		if (!source_ok(r, rg_node_path(u.obj, "spec.sourceRef"), u.obj,
			       label(r, "Kustomization", u.obj)))
			continue;
		if (u.depth + 1 > RG_CAP_GITOPS_DEPTH)
			return rg_err_set(r->err, RG_ELIMIT, &u.obj->pos,
					  "%s: Kustomizations nested deeper "
					  "than %u (RG_CAP_GITOPS_DEPTH)",
					  label(r, "Kustomization", u.obj),
					  RG_CAP_GITOPS_DEPTH);
		error = count_unit(r);
		if (error < 0)
			return error;
		error = build_ks(r, &res, u.obj);
		if (error < 0)
			return error;
		error = add_output(r, &res, u.depth + 1);
		if (error < 0)
			return error;
	}
	return 0;
}

/* --- HelmReleases ------------------------------------------------------- */

const char *rg_flux_release_name(struct rg_arena *a, const char *name,
				 const char *target_ns)
{
	const char *full = target_ns && target_ns[0]
			       ? rg_arena_printf(a, "%s-%s", target_ns, name)
			       : rg_arena_strdup(a, name);
	char hex[RG_SHA256_HEX];

	if (strlen(full) <= 53)
		return full;
	rg_sha256_hex(full, strlen(full), hex);
	return rg_arena_printf(a, "%.40s-%.12s", full, hex);
}

struct valctx {
	struct run *r;
	const char *key;
	const char *val;
	size_t len;
};

static void pick_key(void *ctx, const char *key, const char *val, size_t len)
{
	struct valctx *c = ctx;

	if (!strcmp(key, c->key)) {
		c->val = val;
		c->len = len;
	}
}

static int values_from(struct run *r, struct rg_node *vals,
		       const struct rg_node *hr)
{
	const struct rg_node *from = rg_node_path(hr, "spec.valuesFrom");

	for (size_t i = 0; from && from->kind == RG_SEQ && i < from->u.seq.len;
	     i++) {
		const struct rg_node *ref = from->u.seq.items[i];
		const char *kind = rg_flux_str(ref, "kind"),
			   *name = rg_flux_str(ref, "name");
		const char *key = rg_flux_str(ref, "valuesKey");
		const char *tpath = rg_flux_str(ref, "targetPath");
		const struct rg_node *opt = rg_map_gets(ref, "optional");
		bool optional = opt && opt->kind == RG_BOOL && opt->u.b;
		const struct rg_obj *o;
		struct valctx c = {r, key ? key : "values.yaml", NULL, 0};
		struct rg_node *v = NULL;
		int error;

		if (!kind || !name ||
		    (strcmp(kind, "ConfigMap") && strcmp(kind, "Secret"))) {
			finding(r, RG_SEV_DENY, "flux.invalid", ref,
				"%s: valuesFrom entry needs kind ConfigMap "
				"or Secret and a name",
				label(r, "HelmRelease", hr));
			continue;
		}
		o = find_obj(r, kind, rg_flux_obj_ns(hr), name);
		if (o && sops_encrypted(o->doc)) {
			finding(r, RG_SEV_WARN, "flux.encrypted", ref,
				"%s: valuesFrom %s %s/%s is SOPS-encrypted; "
				"rendered without it",
				label(r, "HelmRelease", hr), kind,
				rg_flux_obj_ns(hr), name);
			continue;
		}
		if (o) {
			error = each_data(r, o, pick_key, &c);
			if (error < 0)
				return error;
		}
		if (!o || !c.val) {
			if (optional)
				continue;
			finding(r, RG_SEV_DENY, "flux.missing-reference", ref,
				"%s: valuesFrom %s %s/%s%s%s is not in the "
				"rendered output (it may exist only in the "
				"cluster); rendered without it",
				label(r, "HelmRelease", hr), kind,
				rg_flux_obj_ns(hr), name, o ? " key " : "",
				o ? c.key : "");
			continue;
		}
		if (tpath) {
			size_t n = c.len;
			bool quoted =
			    n >= 2 &&
			    ((c.val[0] == '"' && c.val[n - 1] == '"') ||
			     (c.val[0] == '\'' && c.val[n - 1] == '\''));
			const char *arg =
			    quoted ? rg_arena_printf(r->a, "%s=%.*s", tpath,
						     (int)(n - 2), c.val + 1)
				   : rg_arena_printf(r->a, "%s=%.*s", tpath,
						     (int)n, c.val);

			error = rg_helm_set(r->a, vals, arg, quoted, r->err);
			if (error < 0)
				return rg_err_prefix(
				    r->err, "%s: valuesFrom %s/%s",
				    label(r, "HelmRelease", hr), kind, name);
			continue;
		}
		error = rg_doc_parse_one(
		    &v, r->a,
		    rg_arena_printf(r->a, "%s/%s/%s:%s", kind,
				    rg_flux_obj_ns(hr), name, c.key),
		    c.val, c.len, 0, r->err);
		if (error < 0)
			return rg_err_prefix(r->err, "%s",
					     label(r, "HelmRelease", hr));
		if (v->kind == RG_NULL)
			continue;
		if (v->kind != RG_MAP)
			return rg_err_set(r->err, RG_EINVALID, &ref->pos,
					  "%s: values from %s %s/%s must be a "
					  "mapping",
					  label(r, "HelmRelease", hr), kind,
					  rg_flux_obj_ns(hr), name);
		rg_funcs_helm_numbers(v);
		rg_helm_merge_values(r->a, vals, v);
	}
	return 0;
}

/* Emit docs as one YAML stream. */
static int emit_stream(struct rg_buf *b, struct rg_node **docs, size_t n)
{
	int error = 0;

	for (size_t i = 0; i < n && !error; i++) {
		if (i)
			error = rg_buf_adds(b, "---\n");
		if (!error)
			error = rg_doc_emit(b, docs[i], 0);
	}
	return error;
}

static int post_render(struct run *r, struct rg_kust_result *res,
		       const struct rg_node *hr)
{
	const struct rg_node *prs = rg_node_path(hr, "spec.postRenderers");
	int error = 0;

	for (size_t i = 0; prs && prs->kind == RG_SEQ && i < prs->u.seq.len;
	     i++) {
		const struct rg_node *k =
		    rg_map_gets(prs->u.seq.items[i], "kustomize");
		struct rg_buf text = RG_BUF_INIT(RG_CAP_YAML_EMIT_BYTES);
		struct rg_buf kt = RG_BUF_INIT(RG_CAP_YAML_EMIT_BYTES);
		struct rg_tree *t;
		struct rg_node *kus;

		if (!k || k->kind != RG_MAP)
			continue;
		kus = rg_node_map(r->a);
		set_str(r, kus, "apiVersion",
			"kustomize.config.k8s.io/v1beta1");
		set_str(r, kus, "kind", "Kustomization");
		{
			struct rg_node *rs = rg_node_seq(r->a);

			rg_seq_push(r->a, rs,
				    rg_node_str(r->a, "helm-output.yaml"));
			rg_map_set(r->a, kus, "resources", 9, rs);
		}
		append_list(r, kus, "patches", rg_map_gets(k, "patches"));
		append_list(r, kus, "patchesStrategicMerge",
			    rg_map_gets(k, "patchesStrategicMerge"));
		append_list(r, kus, "patchesJson6902",
			    rg_map_gets(k, "patchesJson6902"));
		merge_images(r, kus, rg_map_gets(k, "images"));
		error = emit_stream(&text, res->objs, res->len);
		if (!error)
			error = rg_doc_emit(&kt, kus, RG_EMIT_KEEP_ORDER);
		if (error < 0) {
			rg_buf_release(&text);
			rg_buf_release(&kt);
			return rg_err_set(r->err, RG_ELIMIT, NULL,
					  "%s: rendered manifests over "
					  "RG_CAP_YAML_EMIT_BYTES",
					  label(r, "HelmRelease", hr));
		}
		t = rg_tree_mem_new(r->a, "post-renderer");
		rg_tree_mem_put(t, "helm-output.yaml", text.ptr, text.len,
				RG_TREE_FILE);
		rg_tree_mem_put(t, "kustomization.yaml", kt.ptr, kt.len,
				RG_TREE_FILE);
		rg_buf_release(&text);
		rg_buf_release(&kt);
		error = rg_kust_build(res, r->a, t, "", RG_KUST_FIFO, r->err);
		rg_tree_free(t);
		if (error < 0)
			return rg_err_prefix(r->err, "%s: postRenderers[%zu]",
					     label(r, "HelmRelease", hr), i);
	}
	return 0;
}

/*
 * Helm installs a namespaced object without metadata.namespace into the
 * release namespace. Which kinds are cluster-scoped comes from the API
 * server; offline, the built-in ones and a few common CRDs are known.
 * NEEDSWORK: other cluster-scoped custom resources get a namespace too.
 */
bool rg_flux_cluster_scoped(const char *kind)
{
	static const char *const kinds[] = {
	    "APIService",
	    "CSIDriver",
	    "CSINode",
	    "CertificateSigningRequest",
	    "ClusterIssuer",
	    "ClusterRole",
	    "ClusterRoleBinding",
	    "ClusterSecretStore",
	    "ComponentStatus",
	    "CustomResourceDefinition",
	    "FlowSchema",
	    "IngressClass",
	    "MutatingWebhookConfiguration",
	    "Namespace",
	    "Node",
	    "PersistentVolume",
	    "PodSecurityPolicy",
	    "PriorityClass",
	    "PriorityLevelConfiguration",
	    "RuntimeClass",
	    "StorageClass",
	    "ValidatingAdmissionPolicy",
	    "ValidatingAdmissionPolicyBinding",
	    "ValidatingWebhookConfiguration",
	    "VolumeAttachment",
	    "VolumeSnapshotClass",
	};

	for (size_t i = 0; kind && i < RG_ARRAY_SIZE(kinds); i++)
		if (!strcmp(kinds[i], kind))
			return true;
	return false;
}

void rg_flux_default_namespace(struct rg_arena *a, struct rg_node *obj,
			       const char *ns)
{
	struct rg_node *md = rg_map_gets(obj, "metadata");

	if (!ns || !ns[0] || !md || md->kind != RG_MAP ||
	    rg_map_gets(md, "namespace") ||
	    rg_flux_cluster_scoped(rg_flux_str(obj, "kind")))
		return;
	rg_map_set(a, md, "namespace", 9, rg_node_str(a, ns));
}

static int render_release(struct run *r, const struct rg_node *hr)
{
	const struct rg_node *spec = rg_map_gets(hr, "spec");
	const struct rg_node *cs = rg_node_path(spec, "chart.spec");
	const char *tns = rg_flux_str(spec, "targetNamespace");
	const char *chart = rg_flux_str(cs, "chart");
	struct rg_helm_chart *ch = NULL;
	struct rg_helm_opts opts;
	struct rg_helm_result hres;
	struct rg_kust_result res = {NULL, 0};
	struct rg_node *vals = rg_node_map(r->a);
	const struct rg_node *sv = rg_map_gets(spec, "values");
	const char *relname = rg_flux_str(spec, "releaseName");
	int error;

	if (rg_map_gets(spec, "chartRef")) {
		const struct rg_node *cr = rg_map_gets(spec, "chartRef");

		finding(
		    r, RG_SEV_WARN, "flux.chart-unavailable", cr,
		    "%s: unrenderable: chart from %s %s/%s is not in the "
		    "chart cache",
		    label(r, "HelmRelease", hr),
		    rg_flux_str(cr, "kind") ? rg_flux_str(cr, "kind") : "?",
		    rg_flux_str(cr, "namespace") ? rg_flux_str(cr, "namespace")
						 : rg_flux_obj_ns(hr),
		    rg_flux_str(cr, "name") ? rg_flux_str(cr, "name") : "?");
		return 0;
	}
	if (!cs || !chart) {
		finding(r, RG_SEV_DENY, "flux.invalid", hr,
			"%s: neither spec.chart.spec.chart nor spec.chartRef",
			label(r, "HelmRelease", hr));
		return 0;
	}
	{
		const struct rg_node *ref = rg_map_gets(cs, "sourceRef");
		const char *kind = rg_flux_str(ref, "kind");

		if (kind && strcmp(kind, "GitRepository")) {
			const char *ver = rg_flux_str(cs, "version");

			finding(r, RG_SEV_WARN, "flux.chart-unavailable", ref,
				"%s: unrenderable: chart %s%s%s from %s %s/%s "
				"is not in the chart cache",
				label(r, "HelmRelease", hr), chart,
				ver ? " " : "", ver ? ver : "", kind,
				rg_flux_str(ref, "namespace")
				    ? rg_flux_str(ref, "namespace")
				    : rg_flux_obj_ns(hr),
				rg_flux_str(ref, "name")
				    ? rg_flux_str(ref, "name")
				    : "?");
			return 0;
		}
		if (!source_ok(r, ref, hr, label(r, "HelmRelease", hr)))
			return 0;
	}
	error = rg_helm_load(&ch, r->tree, rg_flux_clean_path(r->a, chart),
			     r->a, r->err);
	if (error < 0)
		goto fail;
	{
		const struct rg_node *vf = rg_map_gets(cs, "valuesFiles");

		if (vf && vf->kind == RG_SEQ && vf->u.seq.len) {
			struct rg_node *cv = rg_node_map(r->a);

			for (size_t i = 0; i < vf->u.seq.len; i++) {
				const char *p = rg_flux_clean_path(
				    r->a, rg_node_cstr(vf->u.seq.items[i]));
				const char *data = NULL;
				size_t len = 0;
				struct rg_node *v = NULL;

				error = rg_tree_read(r->tree, p, &data, &len,
						     r->err);
				if (!error)
					error = rg_doc_parse_one(
					    &v, r->a, p, data, len, 0, r->err);
				if (error < 0)
					goto fail;
				if (v->kind != RG_MAP)
					continue;
				rg_funcs_helm_numbers(v);
				rg_helm_merge_values(r->a, cv, v);
			}
			ch->values = cv;
		}
	}
	error = values_from(r, vals, hr);
	if (error < 0)
		return error;
	if (sv && sv->kind == RG_MAP) {
		struct rg_node *c = rg_node_clone(r->a, sv);

		rg_funcs_helm_numbers(c);
		rg_helm_merge_values(r->a, vals, c);
	}
	memset(&opts, 0, sizeof(opts));
	opts.release_name =
	    relname ? relname
		    : rg_flux_release_name(r->a, rg_flux_obj_name(hr), tns);
	if (strlen(opts.release_name) > 53)
		opts.release_name =
		    rg_flux_release_name(r->a, opts.release_name, NULL);
	opts.namespace = tns && tns[0] ? tns : rg_flux_obj_ns(hr);
	opts.kube_version = r->opts->kube_version;
	opts.api_versions = r->opts->api_versions;
	opts.napi_versions = r->opts->napi_versions;
	{
		const char *crds = rg_flux_str(spec, "install.crds");

		/* helm-controller's install.crds: Create (default),
		   CreateReplace, or Skip */
		opts.include_crds = !crds || strcmp(crds, "Skip");
	}
	opts.skip_tests = true;
	opts.values = vals;
	error = rg_helm_render(&hres, ch, &opts, r->a, r->err);
	if (error < 0)
		goto fail;
	for (size_t i = 0; i < hres.len; i++) {
		struct rg_docs docs;
		const struct rg_helm_manifest *m = &hres.items[i];

		error = rg_doc_parse(&docs, r->a, m->source, m->text,
				     strlen(m->text), 0, r->err);
		if (error < 0)
			goto fail;
		for (size_t d = 0; d < docs.len; d++) {
			if (docs.docs[d]->kind == RG_NULL)
				continue;
			res.objs =
			    rg_arena_grow(r->a, res.objs, res.len, res.len + 1,
					  sizeof(*res.objs));
			res.objs[res.len++] = docs.docs[d];
		}
	}
	error = post_render(r, &res, hr);
	if (error < 0)
		return error;
	for (size_t i = 0; i < res.len; i++) {
		int e2;

		rg_flux_default_namespace(r->a, res.objs[i], opts.namespace);
		set_meta(r, res.objs[i], "labels",
			 rg_node_path(spec, "commonMetadata.labels"));
		set_meta(r, res.objs[i], "annotations",
			 rg_node_path(spec, "commonMetadata.annotations"));
		owner_labels(r, res.objs[i], HR_GROUP, rg_flux_obj_ns(hr),
			     rg_flux_obj_name(hr));
		e2 = rg_objset_add_doc(NULL, r->out, res.objs[i], r->findings,
				       "flux", r->opts->env, r->err);
		if (e2 == RG_ELIMIT)
			return e2;
	}
	return 0;
fail:
	return rg_err_prefix(r->err, "%s", label(r, "HelmRelease", hr));
}

/*
 * A Kustomization or HelmRelease whose dependsOn names an object of its
 * kind that is not in the rendered output never becomes ready in Flux.
 */
static void check_depends(struct run *r)
{
	size_t n = r->out->len;

	for (size_t i = 0; i < n; i++) {
		const struct rg_obj *o = &r->out->items[i];
		const struct rg_node *deps = rg_node_path(o->doc, "spec.dependsOn");
		bool ks = !strcmp(o->group, KS_GROUP) &&
			  !strcmp(o->kind, "Kustomization");
		bool hr = !strcmp(o->group, HR_GROUP) &&
			  !strcmp(o->kind, "HelmRelease");

		if (!(ks || hr) || !deps || deps->kind != RG_SEQ)
			continue;
		for (size_t k = 0; k < deps->u.seq.len; k++) {
			const struct rg_node *d = deps->u.seq.items[k];
			const char *name = rg_flux_str(d, "name");
			const char *ns = rg_flux_str(d, "namespace");
			bool found = false;

			if (!name)
				continue;
			if (!ns)
				ns = o->namespace;
			for (size_t j = 0; j < n && !found; j++) {
				const struct rg_obj *t = &r->out->items[j];

				found = !strcmp(t->group, o->group) &&
					!strcmp(t->kind, o->kind) &&
					!strcmp(t->name, name) &&
					!strcmp(t->namespace, ns);
			}
			if (!found)
				finding(r, RG_SEV_WARN, "flux.missing-dependency", d,
					"%s %s/%s depends on %s %s/%s, which is not "
					"in the rendered output; Flux waits for it "
					"forever",
					o->kind, o->namespace, o->name, o->kind, ns,
					name);
		}
	}
}

/* --- the entry point ---------------------------------------------------- */

int rg_flux_build(struct rg_objset *out, struct rg_findings *findings,
		  struct rg_tree *tree, const char *entry,
		  const struct rg_flux_opts *opts, struct rg_arena *a,
		  struct rg_err *err)
{
	struct run r;
	struct rg_kust_result res = {NULL, 0};
	const struct rg_node *self = NULL;
	int error;

	memset(&r, 0, sizeof(r));
	r.out = out;
	r.findings = findings;
	r.tree = tree;
	r.opts = opts;
	r.a = a;
	r.err = err;
	r.entry = rg_flux_clean_path(a, entry);
	error = build_dir(&r, &res, r.entry, NULL);
	if (error < 0)
		return rg_err_prefix(err, "Flux entry %s",
				     r.entry[0] ? r.entry : "(root)");
	/* the Kustomization that applies the entry folder itself */
	for (size_t i = 0; i < res.len && !self; i++) {
		const struct rg_node *o = res.objs[i];
		const struct rg_node *ref = rg_node_path(o, "spec.sourceRef");
		const char *kind = rg_flux_str(ref, "kind"),
			   *name = rg_flux_str(ref, "name");
		const char *ns = rg_flux_str(ref, "namespace");

		if (is_kind(o, KS_GROUP, "Kustomization") &&
		    !strcmp(rg_flux_clean_path(a, rg_flux_str(o, "spec.path")),
			    r.entry) &&
		    kind && !strcmp(kind, "GitRepository") && name &&
		    this_repo(&r, ns ? ns : rg_flux_obj_ns(o), name))
			self = o;
	}
	if (self) {
		struct rg_kust_result again = {NULL, 0};

		done_add(&r, rg_arena_printf(a, "%s/%s", rg_flux_obj_ns(self),
					     rg_flux_obj_name(self)));
		error = count_unit(&r);
		if (!error)
			error = build_ks(&r, &again, self);
		if (error < 0)
			return error;
		res = again;
	}
	error = add_output(&r, &res, 0);
	if (!error)
		error = run_kustomizations(&r);
	for (size_t i = 0; !error && i < r.nreleases; i++) {
		error = count_unit(&r);
		if (!error)
			error = render_release(&r, r.releases[i].obj);
	}
	if (!error)
		check_depends(&r);
	return error;
}

int rg_flux_render(struct rg_objset *out, struct rg_findings *findings,
		   const struct rg_render_req *req, struct rg_err *err)
{
	struct rg_flux_opts o;
	const struct rg_config_env *env = req->env;

	memset(&o, 0, sizeof(o));
	o.env = env ? env->name : NULL;
	if (env) {
		o.sources = env->flux_sources;
		o.nsources = env->nflux_sources;
		o.repo_urls = env->repo_urls;
		o.nrepo_urls = env->nrepo_urls;
		o.kube_version = env->kube_version;
		o.api_versions = env->api_versions;
		o.napi_versions = env->napi_versions;
	}
	return rg_flux_build(out, findings, req->tree,
			     req->path ? req->path : "", &o, req->arena, err);
}

/* --- URLs ---------------------------------------------------------------- */

/* The comparable form of a Git URL: host/path, host lower-cased. */
static const char *url_key(struct rg_arena *a, const char *u)
{
	const char *p = strstr(u, "://");
	char *k;
	size_t n, i;

	if (p) {
		u = p + 3;
		p = strchr(u, '@');
		if (p && p < strchr(u, '/') + (strchr(u, '/') ? 0 : strlen(u)))
			u = p + 1;
	} else if ((p = strchr(u, '@')) && strchr(p, ':')) {
		u = p + 1; /* scp-like git@host:path */
	}
	k = rg_arena_strdup(a, u);
	/* host part: up to ':' or '/'; drop a port, turn scp ':' into '/' */
	for (i = 0; k[i] && k[i] != '/' && k[i] != ':'; i++)
		k[i] = (char)tolower((unsigned char)k[i]);
	if (k[i] == ':') {
		size_t j = i + 1;

		while (isdigit((unsigned char)k[j]))
			j++;
		if (k[j] == '/' && j > i + 1)
			memmove(k + i, k + j, strlen(k + j) + 1);
		else
			k[i] = '/';
	}
	n = strlen(k);
	while (n && k[n - 1] == '/')
		k[--n] = '\0';
	if (n > 4 && !strcmp(k + n - 4, ".git"))
		k[n - 4] = '\0';
	return k;
}

bool rg_flux_same_url(const char *a, const char *b)
{
	struct rg_arena *ar;
	bool same;

	if (!a || !b)
		return false;
	ar = rg_arena_new();
	same = !strcmp(url_key(ar, a), url_key(ar, b));
	rg_arena_free(ar);
	return same;
}
