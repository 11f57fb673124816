/*
 * helm_chart.c - loading Helm charts through a tree view (helm.h).
 *
 * Follows Helm's directory loader (pkg/chart/loader/directory.go) and
 * LoadFiles (load.go): walk the chart in byte order applying the top
 * .helmignore plus "templates/.?*", strip a UTF-8 BOM, route every file
 * by its name, and load each charts/<dir> as a subchart from the files
 * the walk found below it.
 */
#include "rendergate/compat.h"

#include <fnmatch.h>

#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/doc.h"
#include "rendergate/funcs.h"
#include "rendergate/helm.h"
#include "rendergate/semver.h"
#include "rendergate/tgz.h"
#include "rendergate/tree.h"

/* One .helmignore rule (pkg/ignore/rules.go). */
struct ignore_rule {
	const char *pat; /* without '!', trailing '/' and leading '/' */
	bool negate;
	bool must_dir;
	bool anchored; /* had a '/': matched against the whole path */
};

struct ignore_rules {
	struct ignore_rule *items;
	size_t len;
};

struct walk_file {
	const char *name; /* relative to the chart root */
	const char *data;
	size_t len;
};

struct walk {
	struct rg_tree *tree;
	struct rg_arena *a;
	const char *root;
	struct ignore_rules rules;
	struct walk_file *files;
	size_t len, alloc;
};

static int parse_ignore(struct ignore_rules *r, struct rg_arena *a,
			const char *file, const char *data, size_t len,
			struct rg_err *err)
{
	size_t n = 1;
	size_t line = 0;

	for (size_t i = 0; i < len; i++)
		if (data[i] == '\n')
			n++;
	r->items = rg_arena_calloc(a, n + 1, sizeof(*r->items));
	r->len = 0;
	for (size_t i = 0; i < len;) {
		size_t e = i, b, t;
		struct ignore_rule *rule;
		char *p;

		while (e < len && data[e] != '\n')
			e++;
		line++;
		b = i;
		t = e;
		i = e + 1;
		while (b < t && strchr(" \t\r\f\v", data[b]))
			b++;
		while (t > b && strchr(" \t\r\f\v", data[t - 1]))
			t--;
		if (b == t || data[b] == '#')
			continue;
		p = rg_arena_strndup(a, data + b, t - b);
		if (strstr(p, "**")) {
			struct rg_pos pos = { file, (uint32_t)line, 1 };

			return rg_err_set(err, RG_EPARSE, &pos,
					  "double-star (**) syntax is not "
					  "supported");
		}
		rule = &r->items[r->len++];
		if (*p == '!') {
			rule->negate = true;
			p++;
		}
		if (*p && p[strlen(p) - 1] == '/') {
			rule->must_dir = true;
			p[strlen(p) - 1] = '\0';
		}
		if (*p == '/') {
			rule->anchored = true;
			p++;
		} else if (strchr(p, '/')) {
			rule->anchored = true;
		}
		rule->pat = p;
	}
	return 0;
}

/* filepath.Match: '*' and '?' do not cross '/'. */
static bool glob_match(const char *pat, const char *name)
{
	return fnmatch(pat, name, FNM_PATHNAME) == 0;
}

static bool ignored(const struct ignore_rules *r, const char *path,
		    bool is_dir)
{
	for (size_t i = 0; i < r->len; i++) {
		const struct ignore_rule *p = &r->items[i];
		const char *subject = path;
		bool m;

		if (!p->anchored) {
			const char *s = strrchr(path, '/');

			subject = s ? s + 1 : path;
		}
		if (p->negate) {
			if (p->must_dir && !is_dir)
				return true;
			m = glob_match(p->pat, subject);
			if (!m)
				return true;
			continue;
		}
		if (p->must_dir && !is_dir)
			continue;
		if (glob_match(p->pat, subject))
			return true;
	}
	return false;
}

static int walk_dir(struct walk *w, const char *rel, unsigned depth,
		    struct rg_err *err)
{
	struct rg_tree_entry *ents = NULL;
	size_t n = 0;
	const char *dir = rg_tree_path_join(w->a, w->root, rel);
	int error;

	if (depth > RG_CAP_DIR_DEPTH)
		return rg_err_set(err, RG_ELIMIT, NULL,
				  "chart %s: directories nested deeper than "
				  "%u levels (RG_CAP_DIR_DEPTH)",
				  w->root, RG_CAP_DIR_DEPTH);
	error = rg_tree_list(w->tree, dir, &ents, &n, err);
	if (error < 0)
		return error;
	for (size_t i = 0; i < n; i++) {
		const char *name = rg_tree_path_join(w->a, rel, ents[i].name);
		const char *full = rg_tree_path_join(w->a, w->root, name);
		bool is_dir = ents[i].kind == RG_TREE_DIR;

		if (ignored(&w->rules, name, is_dir))
			continue;
		if (is_dir) {
			error = walk_dir(w, name, depth + 1, err);
			if (error < 0)
				return error;
			continue;
		}
		if (ents[i].kind == RG_TREE_SYMLINK)
			return rg_err_set(err, RG_EUNSAFE, NULL,
					  "%s: symbolic links are not followed "
					  "in charts",
					  full);
		if (ents[i].kind == RG_TREE_SUBMODULE)
			return rg_err_set(err, RG_EUNSUPPORTED, NULL,
					  "%s: a submodule cannot be part of a "
					  "chart",
					  full);
		if (w->len >= RG_CAP_ENV_FILES)
			return rg_err_set(err, RG_ELIMIT, NULL,
					  "chart %s: more than %u files "
					  "(RG_CAP_ENV_FILES)",
					  w->root, RG_CAP_ENV_FILES);
		RG_ALLOC_GROW(w->files, w->len + 1, w->alloc);
		w->files[w->len].name = name;
		error = rg_tree_read(w->tree, full, &w->files[w->len].data,
				     &w->files[w->len].len, err);
		if (error < 0)
			return error;
		if (w->files[w->len].len >= 3 &&
		    !memcmp(w->files[w->len].data, "\xef\xbb\xbf", 3)) {
			w->files[w->len].data += 3;
			w->files[w->len].len -= 3;
		}
		w->len++;
	}
	return 0;
}

/* Parse a YAML file of the chart with Helm's typing (numbers float64). */
static int parse_yaml(struct rg_node **out, struct rg_arena *a,
		      const char *dir, const struct walk_file *f,
		      struct rg_err *err)
{
	const char *path = rg_tree_path_join(a, dir, f->name);
	int error = rg_doc_parse_one(out, a, path, f->data, f->len, 0, err);

	if (error < 0)
		return error;
	return 0;
}

/*
 * sigs.k8s.io/yaml into a string field: a YAML float becomes
 * strconv.FormatFloat(f, 'g', -1, 32) (so appVersion 1.10 is "1.1"),
 * an int its decimal text, a bool "true"/"false".
 */
const char *rg_helm_meta_string(struct rg_arena *a, const struct rg_node *n)
{
	char buf[64];

	if (!n)
		return "";
	switch (n->kind) {
	case RG_STR:
		return n->u.s.ptr;
	case RG_INT:
		return rg_arena_printf(a, "%lld", (long long)n->u.i);
	case RG_BOOL:
		return n->u.b ? "true" : "false";
	case RG_FLOAT: {
		float f = (float)n->u.f;
		int p;

		/* shortest digits that read back as the same float32 */
		for (p = 1; p < 9; p++) {
			snprintf(buf, sizeof(buf), "%.*g", p, (double)f);
			if (strtof(buf, NULL) == f)
				break;
		}
		rg_fmt_float(buf, sizeof(buf), strtod(buf, NULL), 'g');
		return rg_arena_strdup(a, buf);
	}
	default:
		return "";
	}
}

/* One load: the byte budget packaged subcharts share, their nesting. */
struct load {
	size_t budget;
	unsigned nesting;
	bool sub; /* loading a subchart of a chart directory */
};

static int load_files(struct rg_helm_chart **out, struct load *ld,
		      struct walk_file *files, size_t n, const char *dir,
		      struct rg_arena *a, struct rg_err *err);

/* A packaged chart (charts/x.tgz, or a whole chart given as .tgz). */
static int load_archive(struct rg_helm_chart **out, struct load *ld,
			const char *label, const char *data, size_t len,
			struct rg_arena *a, struct rg_err *err)
{
	struct rg_tgz tgz;
	struct walk_file *files;
	int error;

	if (ld->nesting >= RG_CAP_TGZ_NESTING)
		return rg_err_set(err, RG_ELIMIT, NULL,
				  "%s: archives nested deeper than %u levels "
				  "(RG_CAP_TGZ_NESTING)",
				  label, RG_CAP_TGZ_NESTING);
	/* a subchart's errors get "error unpacking x.tgz in P: " instead */
	error = rg_tgz_read(&tgz, a, ld->nesting || ld->sub ? "" : label, data,
			    len, &ld->budget, err);
	if (error < 0)
		return error;
	files = rg_arena_calloc(a, tgz.len + 1, sizeof(*files));
	for (size_t i = 0; i < tgz.len; i++) {
		files[i].name = tgz.items[i].name;
		files[i].data = tgz.items[i].data;
		files[i].len = tgz.items[i].len;
	}
	ld->nesting++;
	error = load_files(out, ld, files, tgz.len, label, a, err);
	ld->nesting--;
	return error;
}

/* Group charts/<name>/... files and load each group as a subchart. */
static int load_subcharts(struct rg_helm_chart *c, struct load *ld,
			  struct walk_file *files, size_t n, struct rg_arena *a,
			  struct rg_err *err)
{
	size_t i = 0;
	int error = 0;

	/* files are in byte order, so each subchart's files are adjacent */
	while (i < n) {
		const char *rest = files[i].name + 7; /* after "charts/" */
		const char *slash = strchr(rest, '/');
		size_t nlen = slash ? (size_t)(slash - rest) : strlen(rest);
		char *sub = rg_arena_strndup(a, rest, nlen);
		size_t j = i;
		struct walk_file *group;
		size_t ng = 0;
		struct rg_helm_chart *sc = NULL;

		while (j < n && !strncmp(files[j].name + 7, sub, nlen) &&
		       (files[j].name[7 + nlen] == '/' ||
			files[j].name[7 + nlen] == '\0'))
			j++;
		if (sub[0] == '_' || sub[0] == '.') {
			i = j;
			continue;
		}
		if (nlen > 4 && !strcmp(sub + nlen - 4, ".tgz")) {
			/* Helm: a .tgz group is the one file charts/x.tgz */
			const char *label = rg_tree_path_join(
				a, c->dir, rg_arena_printf(a, "charts/%s", sub));

			if (j - i != 1 || files[i].name[7 + nlen]) {
				error = rg_err_set(err, RG_EINVALID, NULL,
						   "error unpacking tar in %s: "
						   "expected %s, got %s",
						   c->name, sub,
						   files[i].name + 7);
				goto out;
			}
			ld->sub = true;
			error = load_archive(&sc, ld, label, files[i].data,
					     files[i].len, a, err);
			ld->sub = false;
			if (error < 0) {
				rg_err_prefix(err, "error unpacking %s in %s",
					      sub, c->name);
				goto out;
			}
			goto add;
		}
		group = rg_arena_calloc(a, j - i + 1, sizeof(*group));
		for (size_t k = i; k < j; k++) {
			const char *p = strchr(files[k].name + 7, '/');

			if (!p)
				continue;
			group[ng] = files[k];
			group[ng].name = p + 1;
			ng++;
		}
		error = load_files(&sc, ld, group, ng,
				   rg_tree_path_join(a, c->dir,
						     rg_arena_printf(a, "charts/%s",
								     sub)),
				   a, err);
		if (error < 0)
			goto out;
add:
		sc->parent = c;
		c->charts = rg_arena_grow(a, c->charts, c->ncharts,
					  c->ncharts + 1, sizeof(*c->charts));
		c->charts[c->ncharts++] = sc;
		i = j;
	}
out:
	return error;
}

static int load_files(struct rg_helm_chart **out, struct load *ld,
		      struct walk_file *files, size_t n, const char *dir,
		      struct rg_arena *a, struct rg_err *err)
{
	struct rg_helm_chart *c = rg_arena_alloc(a, sizeof(*c));
	struct rg_node *req = NULL;
	struct walk_file *charts = rg_arena_calloc(a, n + 1, sizeof(*charts));
	size_t nchart = 0;
	const char *apiv;
	int error = 0;

	c->dir = dir;
	c->templates = rg_arena_calloc(a, n + 1, sizeof(*c->templates));
	c->files = rg_arena_calloc(a, n + 1, sizeof(*c->files));
	for (size_t i = 0; i < n; i++) {
		struct walk_file *f = &files[i];
		struct rg_helm_file hf = { f->name, f->data, f->len };

		if (!strcmp(f->name, "Chart.yaml")) {
			error = parse_yaml(&c->meta, a, dir, f, err);
		} else if (!strcmp(f->name, "values.yaml")) {
			error = parse_yaml(&c->values, a, dir, f, err);
			if (!error)
				rg_funcs_helm_numbers(c->values);
		} else if (!strcmp(f->name, "requirements.yaml")) {
			error = parse_yaml(&req, a, dir, f, err);
			c->files[c->nfiles++] = hf;
		} else if (!strcmp(f->name, "requirements.lock")) {
			c->files[c->nfiles++] = hf;
		} else if (!strcmp(f->name, "values.schema.json")) {
			c->schema = f->data;
			c->schema_len = f->len;
		} else if (!strcmp(f->name, "Chart.lock")) {
			/* not in .Files */
		} else if (!strncmp(f->name, "templates/", 10)) {
			c->templates[c->ntemplates++] = hf;
		} else if (!strncmp(f->name, "charts/", 7)) {
			size_t l = strlen(f->name);

			if (l > 5 && !strcmp(f->name + l - 5, ".prov")) {
				c->files[c->nfiles++] = hf;
			} else {
				charts[nchart++] = *f;
			}
		} else {
			c->files[c->nfiles++] = hf;
		}
		if (error < 0)
			goto out;
	}
	if (!c->meta || c->meta->kind != RG_MAP) {
		error = rg_err_set(err, RG_ENOTFOUND, NULL,
				   "%s: not a chart: Chart.yaml is missing "
				   "or not a mapping",
				   *dir ? dir : ".");
		goto out;
	}
	apiv = rg_helm_meta_string(a, rg_map_gets(c->meta, "apiVersion"));
	if (!*apiv)
		rg_map_set(a, c->meta, "apiVersion", 10, rg_node_str(a, "v1"));
	c->name = rg_helm_meta_string(a, rg_map_gets(c->meta, "name"));
	c->version = rg_helm_meta_string(a, rg_map_gets(c->meta, "version"));
	if (!*c->name) {
		error = rg_err_set(err, RG_EINVALID, &c->meta->pos,
				   "validation: chart.metadata.name is "
				   "required");
		goto out;
	}
	if (!*c->version) {
		error = rg_err_set(err, RG_EINVALID, &c->meta->pos,
				   "validation: chart.metadata.version is "
				   "required");
		goto out;
	}
	{
		const char *type = rg_helm_meta_string(a, rg_map_gets(c->meta, "type"));

		if (*type && strcmp(type, "application") &&
		    strcmp(type, "library")) {
			error = rg_err_set(err, RG_EINVALID, &c->meta->pos,
					   "validation: chart.metadata.type "
					   "must be application or library");
			goto out;
		}
		c->library = !strcmp(type, "library");
	}
	c->deps = rg_map_gets(c->meta, "dependencies");
	if (req && req->kind == RG_MAP && rg_map_gets(req, "dependencies"))
		c->deps = rg_map_gets(req, "dependencies");
	if (c->deps && c->deps->kind != RG_SEQ)
		c->deps = NULL;
	if (!c->values || c->values->kind != RG_MAP)
		c->values = rg_node_map(a);
	if (nchart) {
		error = load_subcharts(c, ld, charts, nchart, a, err);
		if (error < 0)
			goto out;
	}
	*out = c;
out:
	return error;
}

int rg_helm_load(struct rg_helm_chart **out, struct rg_tree *tree,
		 const char *dir, struct rg_arena *a, struct rg_err *err)
{
	struct walk w;
	struct load ld = { RG_CAP_TGZ_BYTES, 0, false };
	const char *data = NULL;
	size_t len = 0;
	int error;

	memset(&w, 0, sizeof(w));
	w.tree = tree;
	w.a = a;
	w.root = dir ? dir : "";
	if (rg_tree_stat(tree, rg_tree_path_join(a, w.root, "Chart.yaml")) !=
	    RG_TREE_FILE) {
		error = rg_err_set(err, RG_ENOTFOUND, NULL,
				   "%s: Chart.yaml file is missing",
				   *w.root ? w.root : ".");
		goto out;
	}
	if (rg_tree_stat(tree, rg_tree_path_join(a, w.root, ".helmignore")) ==
	    RG_TREE_FILE) {
		const char *p = rg_tree_path_join(a, w.root, ".helmignore");

		error = rg_tree_read(tree, p, &data, &len, err);
		if (error < 0)
			goto out;
		error = parse_ignore(&w.rules, a, p, data, len, err);
		if (error < 0)
			goto out;
	}
	/* Helm's AddDefaults(): "templates/.?*" */
	{
		struct ignore_rule *r = rg_arena_calloc(a, w.rules.len + 1,
							sizeof(*r));

		if (w.rules.len)
			memcpy(r, w.rules.items, w.rules.len * sizeof(*r));
		r[w.rules.len].pat = "templates/.?*";
		r[w.rules.len].anchored = true;
		w.rules.items = r;
		w.rules.len++;
	}
	error = walk_dir(&w, "", 0, err);
	if (error < 0)
		goto out;
	error = load_files(out, &ld, w.files, w.len, w.root, a, err);
out:
	free(w.files);
	return error;
}

int rg_helm_load_archive(struct rg_helm_chart **out, const char *label,
			 const char *data, size_t len, struct rg_arena *a,
			 struct rg_err *err)
{
	struct load ld = { RG_CAP_TGZ_BYTES, 0, false };

	return load_archive(out, &ld, label, data, len, a, err);
}

/* --- the chart cache ------------------------------------------------- */

const char *rg_helm_cache_key(struct rg_arena *a, const char *url)
{
	size_t n = strlen(url);
	char *out, *o;

	while (n && url[n - 1] == '/')
		n--;
	out = o = rg_arena_alloc(a, 3 * n + 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)url[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == '~' || c == '-') {
			*o++ = (char)c;
		} else {
			*o++ = '%';
			*o++ = "0123456789ABCDEF"[c >> 4];
			*o++ = "0123456789ABCDEF"[c & 15];
		}
	}
	*o = '\0';
	return out;
}

/* A name or version usable as one path component. */
static bool plain_component(const char *s)
{
	if (!*s || *s == '.')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("._+-", *s)))
			return false;
	return true;
}

static int cache_missing(struct rg_err *err, const char *url,
			 const char *name, const char *version,
			 const char *why)
{
	const char *v = version && *version ? version : "VERSION";

	return rg_err_set(err, RG_ENOTFOUND, NULL,
			  "unrenderable: chart %s %s from %s %s; add it with: "
			  "rendergate chart-cache add %s %s %s %s-%s.tgz",
			  name, version && *version ? version : "(any version)",
			  url, why, url, name, v, name, v);
}

/* Load <dir>/<entry> (a .tgz file or a chart directory). */
static int cache_load_entry(struct rg_helm_chart **out, struct rg_tree *cache,
			    const char *path, enum rg_tree_kind kind,
			    struct rg_arena *a, struct rg_err *err)
{
	const char *data = NULL;
	size_t len = 0;
	int error;

	if (kind == RG_TREE_DIR)
		return rg_helm_load(out, cache, path, a, err);
	error = rg_tree_read(cache, path, &data, &len, err);
	if (error < 0)
		return error;
	return rg_helm_load_archive(out, path, data, len, a, err);
}

int rg_helm_cache_load(struct rg_helm_chart **out, struct rg_tree *cache,
		       const char *url, const char *name, const char *version,
		       struct rg_arena *a, struct rg_err *err)
{
	const char *dir, *best = NULL, *path;
	struct rg_semver bestv;
	struct rg_semver_constraints *cons = NULL;
	struct rg_tree_entry *ents = NULL;
	size_t n = 0;
	enum rg_tree_kind kind = RG_TREE_MISSING, bestk = RG_TREE_MISSING;
	struct rg_err tmp = RG_ERR_INIT;
	int error;

	if (!url || !*url || !name || !plain_component(name))
		return rg_err_set(err, RG_EINVALID, NULL,
				  "chart cache: bad chart name or repository "
				  "URL (%s from %s)",
				  name ? name : "(none)", url ? url : "(none)");
	if (!cache)
		return cache_missing(err, url, name, version,
				     "cannot be read: the chart cache is not "
				     "configured or not a directory "
				     "(chart_cache_dir in the server config)");
	dir = rg_arena_printf(a, "%s/%s", rg_helm_cache_key(a, url), name);
	if (version && plain_component(version)) {
		path = rg_arena_printf(a, "%s/%s.tgz", dir, version);
		kind = rg_tree_stat(cache, path);
		if (kind != RG_TREE_FILE) {
			path = rg_arena_printf(a, "%s/%s", dir, version);
			kind = rg_tree_stat(cache, path);
		}
		if (kind == RG_TREE_FILE || kind == RG_TREE_DIR) {
			best = path;
			bestk = kind;
		}
	}
	if (!best) {
		/* a constraint (or none): the highest cached version in it */
		if (version && *version &&
		    rg_semver_constraints_parse(&cons, a, version,
						strlen(version), &tmp) < 0)
			return cache_missing(err, url, name, version,
					     "is not in the chart cache");
		if (rg_tree_stat(cache, dir) == RG_TREE_DIR) {
			error = rg_tree_list(cache, dir, &ents, &n, err);
			if (error < 0)
				return error;
		}
		for (size_t i = 0; i < n; i++) {
			const char *e = ents[i].name;
			size_t l = strlen(e);
			struct rg_semver v;

			if (ents[i].kind == RG_TREE_FILE && l > 4 &&
			    !strcmp(e + l - 4, ".tgz"))
				l -= 4;
			else if (ents[i].kind != RG_TREE_DIR)
				continue;
			if (rg_semver_parse(&v, a, e, l, &tmp) < 0)
				continue;
			if (cons && !rg_semver_check(cons, &v))
				continue;
			if (best && rg_semver_compare(&v, &bestv) <= 0)
				continue;
			best = rg_arena_printf(a, "%s/%s", dir, e);
			bestk = ents[i].kind;
			bestv = v;
		}
	}
	if (!best)
		return cache_missing(err, url, name, version,
				     "is not in the chart cache");
	error = cache_load_entry(out, cache, best, bestk, a, err);
	if (error < 0)
		return error;
	if (strcmp((*out)->name, name))
		return rg_err_set(err, RG_EINVALID, NULL,
				  "chart cache: %s holds chart %s, not %s",
				  best, (*out)->name, name);
	return 0;
}
