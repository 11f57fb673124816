/*
 * helm.c - rendering loaded charts like `helm template` (helm.h).
 *
 * The steps and their Helm sources: dependencies (pkg/chartutil/
 * dependencies.go), coalescing (coalesce.go), the render context and the
 * template order (pkg/engine/engine.go recAllTpls, sortTemplates,
 * render), splitting and sorting (pkg/releaseutil/manifest.go,
 * manifest_sorter.go, kind_sorter.go) and the text `helm template`
 * prints (pkg/action/action.go renderResources, cmd/helm/template.go).
 */
#include "rendergate/compat.h"

#include <fnmatch.h>

#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/doc.h"
#include "rendergate/encoding.h"
#include "rendergate/env.h"
#include "rendergate/config.h"
#include "rendergate/finding.h"
#include "rendergate/funcs.h"
#include "rendergate/helm.h"
#include "rendergate/json.h"
#include "rendergate/jsonschema.h"
#include "rendergate/objects.h"
#include "rendergate/semver.h"
#include "rendergate/tmpl.h"
#include "rendergate/tree.h"

#define DEFAULT_KUBE_VERSION "v1.25.0"

/* --- values ---------------------------------------------------------- */

static bool is_table(const struct rg_node *n)
{
	return n && n->kind == RG_MAP;
}

static struct rg_node *map_get(const struct rg_node *m, const char *k)
{
	return rg_map_get(m, k, strlen(k));
}

static void map_put(struct rg_arena *a, struct rg_node *m, const char *k,
		    struct rg_node *v)
{
	rg_map_set(a, m, k, strlen(k), v);
}

void rg_helm_merge_values(struct rg_arena *a, struct rg_node *dst,
			  const struct rg_node *src)
{
	if (!is_table(dst) || !is_table(src))
		return;
	for (size_t i = 0; i < src->u.map.len; i++) {
		const struct rg_pair *p = &src->u.map.items[i];
		struct rg_node *dv = rg_map_get(dst, p->key.ptr, p->key.len);

		if (is_table(p->val) && is_table(dv))
			rg_helm_merge_values(a, dv, p->val);
		else
			rg_map_set(a, dst, p->key.ptr, p->key.len,
				   rg_node_clone(a, p->val));
	}
}

/* coalesceTablesFullKey: dst is authoritative; nulls in dst delete. */
static void coalesce_tables(struct rg_arena *a, struct rg_node *dst,
			    const struct rg_node *src)
{
	if (!is_table(dst) || !is_table(src))
		return;
	for (size_t i = 0; i < src->u.map.len; i++) {
		const struct rg_pair *p = &src->u.map.items[i];
		struct rg_node *dv = rg_map_get(dst, p->key.ptr, p->key.len);

		if (dv && dv->kind == RG_NULL)
			rg_map_del(dst, p->key.ptr, p->key.len);
		else if (!dv)
			rg_map_set(a, dst, p->key.ptr, p->key.len,
				   rg_node_clone(a, p->val));
		else if (is_table(p->val) && is_table(dv))
			coalesce_tables(a, dv, p->val);
	}
}

/* coalesceValues: chart defaults under the user's values v. */
static void coalesce_values(struct rg_arena *a, const struct rg_helm_chart *c,
			    struct rg_node *v)
{
	const struct rg_node *cv = c->values;

	for (size_t i = 0; cv && i < cv->u.map.len; i++) {
		const struct rg_pair *p = &cv->u.map.items[i];
		struct rg_node *value = rg_map_get(v, p->key.ptr, p->key.len);

		if (!value) {
			rg_map_set(a, v, p->key.ptr, p->key.len,
				   rg_node_clone(a, p->val));
		} else if (value->kind == RG_NULL) {
			rg_map_del(v, p->key.ptr, p->key.len);
		} else if (is_table(value) && is_table(p->val)) {
			coalesce_tables(a, value, p->val);
		}
	}
}

/* coalesceGlobals: the parent's global copied into the child's. */
static void coalesce_globals(struct rg_arena *a, struct rg_node *dest,
			     const struct rg_node *src)
{
	struct rg_node *dg = map_get(dest, "global");
	const struct rg_node *sg = map_get(src, "global");

	if (!dg)
		dg = rg_node_map(a);
	else if (!is_table(dg))
		return;
	if (sg && !is_table(sg))
		return;
	for (size_t i = 0; sg && i < sg->u.map.len; i++) {
		const struct rg_pair *p = &sg->u.map.items[i];
		struct rg_node *dv = rg_map_get(dg, p->key.ptr, p->key.len);

		if (is_table(p->val)) {
			struct rg_node *vv = rg_node_clone(a, p->val);

			if (!dv) {
				rg_map_set(a, dg, p->key.ptr, p->key.len, vv);
			} else if (is_table(dv)) {
				coalesce_tables(a, vv, dv);
				rg_map_set(a, dg, p->key.ptr, p->key.len, vv);
			}
		} else if (!(dv && is_table(dv))) {
			rg_map_set(a, dg, p->key.ptr, p->key.len,
				   rg_node_clone(a, p->val));
		}
	}
	map_put(a, dest, "global", dg);
}

static int coalesce(struct rg_arena *a, const struct rg_helm_chart *c,
		    struct rg_node *dest, struct rg_err *err)
{
	coalesce_values(a, c, dest);
	for (size_t i = 0; i < c->ncharts; i++) {
		const struct rg_helm_chart *sc = c->charts[i];
		struct rg_node *dv = map_get(dest, sc->name);
		int error;

		if (!dv) {
			dv = rg_node_map(a);
			map_put(a, dest, sc->name, dv);
		} else if (!is_table(dv)) {
			return rg_err_set(err, RG_EINVALID, &dv->pos,
					  "type mismatch on %s: values for a "
					  "subchart must be a map, found %s",
					  sc->name, rg_kind_name(dv->kind));
		}
		coalesce_globals(a, dv, dest);
		error = coalesce(a, sc, dv, err);
		if (error < 0)
			return error;
	}
	return 0;
}

/* CoalesceValues: a copy of the user's values coalesced with the chart. */
static int coalesce_copy(struct rg_node **out, struct rg_arena *a,
			 const struct rg_helm_chart *c,
			 const struct rg_node *vals, struct rg_err *err)
{
	struct rg_node *v = is_table(vals) ? rg_node_clone(a, vals)
					    : rg_node_map(a);
	int error = coalesce(a, c, v, err);

	if (error < 0)
		return error;
	*out = v;
	return 0;
}

/* Values.PathValue / Table: follow a dotted path of maps. */
static struct rg_node *path_value(struct rg_node *v, const char *path)
{
	const char *p = path;

	while (v && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);

		if (!is_table(v))
			return NULL;
		v = rg_map_get(v, p, n);
		p = dot ? dot + 1 : p + n;
	}
	return v;
}

/* --- values.schema.json ---------------------------------------------- */

/* ValidateAgainstSchema: c's schema, then its subcharts', into msg. */
static int check_schemas(struct rg_buf *msg, struct rg_arena *a,
			 const struct rg_helm_chart *c,
			 const struct rg_node *vals, struct rg_err *err)
{
	int error;

	if (c->schema) {
		struct rg_node *schema = NULL;
		struct rg_buf lines = RG_BUF_INIT(RG_CAP_YAML_EMIT_BYTES);
		size_t n = 0;

		error = rg_json_decode(&schema, a, c->schema, c->schema_len,
				       err);
		if (error < 0)
			return rg_err_prefix(err, "%s/values.schema.json",
					     c->dir && *c->dir ? c->dir : ".");
		error = rg_jsonschema_validate(&n, &lines, a, schema,
					       is_table(vals) ? vals : NULL,
					       err);
		if (!error && n)
			error = rg_buf_addf(msg, "%s:\n%s", c->name, lines.ptr);
		rg_buf_release(&lines);
		if (error == RG_ELIMIT && !err->code)
			error = rg_err_set(err, RG_ELIMIT, NULL,
					   "schema errors over "
					   "RG_CAP_YAML_EMIT_BYTES");
		if (error < 0)
			return error;
	}
	for (size_t i = 0; i < c->ncharts; i++) {
		const struct rg_node *sv = is_table(vals)
						   ? map_get(vals, c->charts[i]->name)
						   : NULL;

		error = check_schemas(msg, a, c->charts[i], sv, err);
		if (error < 0)
			return error;
	}
	return 0;
}

/* --- dependencies ---------------------------------------------------- */

struct dep {
	struct rg_node *node; /* the Chart.yaml entry */
	const char *name;     /* alias once processed */
	const char *version;
	const char *condition;
	struct rg_node *tags;
	const char *alias;
	bool enabled;
};

static const char *node_str(struct rg_node *m, const char *k)
{
	const char *s = rg_node_cstr(map_get(m, k));

	return s ? s : "";
}

static bool compatible(struct rg_arena *a, const char *range,
		       const char *version)
{
	struct rg_semver_constraints *c = NULL;
	struct rg_semver v;
	struct rg_err err = RG_ERR_INIT;

	if (rg_semver_constraints_parse(&c, a, range, strlen(range), &err) < 0)
		return false;
	if (rg_semver_parse(&v, a, version, strlen(version), &err) < 0)
		return false;
	return rg_semver_check(c, &v);
}

static struct rg_helm_chart *clone_chart(struct rg_arena *a,
					 const struct rg_helm_chart *c)
{
	struct rg_helm_chart *n = rg_arena_alloc(a, sizeof(*n));

	*n = *c;
	n->meta = rg_node_clone(a, c->meta);
	n->values = rg_node_clone(a, c->values);
	n->charts = rg_arena_calloc(a, c->ncharts + 1, sizeof(*n->charts));
	for (size_t i = 0; i < c->ncharts; i++) {
		n->charts[i] = clone_chart(a, c->charts[i]);
		n->charts[i]->parent = n;
	}
	return n;
}

static size_t read_deps(struct dep **out, struct rg_arena *a,
			const struct rg_helm_chart *c)
{
	size_t n = c->deps ? c->deps->u.seq.len : 0, k = 0;
	struct dep *d = rg_arena_calloc(a, n + 1, sizeof(*d));

	for (size_t i = 0; i < n; i++) {
		struct rg_node *e = c->deps->u.seq.items[i];

		if (!is_table(e))
			continue;
		d[k].node = e;
		d[k].name = node_str(e, "name");
		d[k].version = node_str(e, "version");
		d[k].condition = node_str(e, "condition");
		d[k].alias = node_str(e, "alias");
		d[k].tags = map_get(e, "tags");
		d[k].enabled = true;
		k++;
	}
	*out = d;
	return k;
}

/* processDependencyEnabled */
static int process_enabled(struct rg_arena *a, struct rg_helm_chart *c,
			   const struct rg_node *v, const char *path,
			   struct rg_err *err)
{
	struct dep *deps = NULL;
	size_t ndeps = read_deps(&deps, a, c);
	struct rg_helm_chart **keep = rg_arena_calloc(
		a, c->ncharts + ndeps + 1, sizeof(*keep));
	size_t nkeep = 0;
	struct rg_node *cvals = NULL, *tags;
	int error;

	for (size_t i = 0; i < c->ncharts; i++) {
		bool listed = false;

		for (size_t j = 0; j < ndeps && !listed; j++)
			listed = !strcmp(c->charts[i]->name, deps[j].name) &&
				 compatible(a, deps[j].version,
					    c->charts[i]->version);
		if (!listed)
			keep[nkeep++] = c->charts[i];
	}
	for (size_t j = 0; j < ndeps; j++) {
		for (size_t i = 0; i < c->ncharts; i++) {
			struct rg_helm_chart *sc = c->charts[i];

			if (strcmp(sc->name, deps[j].name) ||
			    !compatible(a, deps[j].version, sc->version))
				continue;
			if (*deps[j].alias) {
				sc = clone_chart(a, sc);
				sc->name = deps[j].alias;
				map_put(a, sc->meta, "name",
					rg_node_str(a, deps[j].alias));
				sc->parent = c;
			}
			keep[nkeep++] = sc;
			break;
		}
		if (*deps[j].alias) {
			deps[j].name = deps[j].alias;
			map_put(a, deps[j].node, "name",
				rg_node_str(a, deps[j].alias));
		}
	}
	c->charts = keep;
	c->ncharts = nkeep;

	error = coalesce_copy(&cvals, a, c, v, err);
	if (error < 0)
		return error;
	/* tags: disabled only when some tag is false and none is true */
	tags = map_get(cvals, "tags");
	for (size_t j = 0; j < ndeps; j++) {
		bool has_true = false, has_false = false;
		struct rg_node *t = deps[j].tags;

		if (!is_table(tags) || !t || t->kind != RG_SEQ)
			continue;
		for (size_t k = 0; k < t->u.seq.len; k++) {
			const char *name = rg_node_cstr(t->u.seq.items[k]);
			struct rg_node *tv = name ? map_get(tags, name) : NULL;

			if (tv && tv->kind == RG_BOOL) {
				if (tv->u.b)
					has_true = true;
				else
					has_false = true;
			}
		}
		if (!has_true && has_false)
			deps[j].enabled = false;
		else
			deps[j].enabled = true;
	}
	/* conditions: the first path holding a bool decides */
	for (size_t j = 0; j < ndeps; j++) {
		const char *cond = deps[j].condition;

		while (*cond) {
			const char *comma = strchr(cond, ',');
			size_t n = comma ? (size_t)(comma - cond) : strlen(cond);
			char *one = rg_arena_strndup(a, cond, n);
			char *s = one, *e = one + n;
			struct rg_node *cv;

			while (*s == ' ' || *s == '\t')
				s++;
			while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
				*--e = '\0';
			cond = comma ? comma + 1 : cond + n;
			if (!*s)
				continue;
			cv = path_value(cvals, rg_arena_printf(a, "%s%s", path, s));
			if (cv && cv->kind == RG_BOOL) {
				deps[j].enabled = cv->u.b;
				break;
			}
		}
	}
	/* drop disabled charts */
	nkeep = 0;
	for (size_t i = 0; i < c->ncharts; i++) {
		bool off = false;

		for (size_t j = 0; j < ndeps; j++)
			if (!deps[j].enabled &&
			    !strcmp(deps[j].name, c->charts[i]->name))
				off = true;
		if (!off)
			c->charts[nkeep++] = c->charts[i];
	}
	c->ncharts = nkeep;
	for (size_t i = 0; i < c->ncharts; i++) {
		const char *sub = rg_arena_printf(a, "%s%s.", path,
						  c->charts[i]->name);

		error = process_enabled(a, c->charts[i], cvals, sub, err);
		if (error < 0)
			return error;
	}
	return 0;
}

/* Build {a: {b: v}} for the path "a.b" (pathToMap). */
static struct rg_node *path_to_map(struct rg_arena *a, const char *path,
				   struct rg_node *v)
{
	const char *last;
	struct rg_node *m;

	if (!strcmp(path, "."))
		return v;
	last = strrchr(path, '.');
	m = rg_node_map(a);
	if (!last) {
		map_put(a, m, path, v);
		return m;
	}
	map_put(a, m, last + 1, v);
	return path_to_map(a, rg_arena_strndup(a, path, (size_t)(last - path)),
			   m);
}

/* processDependencyImportValues: children first, parent values win. */
static int process_imports(struct rg_arena *a, struct rg_helm_chart *c,
			   struct rg_err *err)
{
	struct dep *deps = NULL;
	size_t ndeps;
	struct rg_node *cvals = NULL, *b;
	bool any = false;
	int error;

	for (size_t i = 0; i < c->ncharts; i++) {
		error = process_imports(a, c->charts[i], err);
		if (error < 0)
			return error;
	}
	ndeps = read_deps(&deps, a, c);
	for (size_t j = 0; j < ndeps; j++)
		if (map_get(deps[j].node, "import-values"))
			any = true;
	if (!any)
		return 0;
	error = coalesce_copy(&cvals, a, c, NULL, err);
	if (error < 0)
		return error;
	b = rg_node_map(a);
	for (size_t j = 0; j < ndeps; j++) {
		struct rg_node *iv = map_get(deps[j].node, "import-values");

		if (!iv || iv->kind != RG_SEQ)
			continue;
		for (size_t k = 0; k < iv->u.seq.len; k++) {
			struct rg_node *e = iv->u.seq.items[k];
			struct rg_node *t;

			if (is_table(e)) {
				const char *child = node_str(e, "child");
				const char *parent = node_str(e, "parent");

				t = path_value(cvals, rg_arena_printf(
							      a, "%s.%s",
							      deps[j].name,
							      child));
				if (!is_table(t))
					continue;
				coalesce_tables(a, b,
						path_to_map(a, parent,
							    rg_node_clone(a, t)));
			} else if (e->kind == RG_STR) {
				t = path_value(cvals,
					       rg_arena_printf(a, "%s.exports.%s",
							       deps[j].name,
							       e->u.s.ptr));
				if (!is_table(t))
					continue;
				coalesce_tables(a, b, t);
			}
		}
	}
	coalesce_tables(a, cvals, b);
	c->values = cvals;
	return 0;
}

/* --- --set ----------------------------------------------------------- */

static struct rg_node *typed_val(struct rg_arena *a, const char *s, size_t n,
				 bool as_string)
{
	if (as_string)
		return rg_node_strn(a, s, n);
	if (n == 4 && !memcmp(s, "true", 4))
		return rg_node_bool(a, true);
	if (n == 5 && !memcmp(s, "false", 5))
		return rg_node_bool(a, false);
	if (n == 4 && !memcmp(s, "null", 4))
		return rg_node_null(a);
	if (n == 1 && s[0] == '0')
		return rg_tmpl_int64(a, 0);
	/* an integer without a leading zero becomes int64 */
	if (n && n < 20 && s[0] != '0') {
		size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
		bool digits = i < n && s[i] != '0';

		for (size_t k = i; k < n && digits; k++)
			digits = s[k] >= '0' && s[k] <= '9';
		if (digits) {
			char buf[32];

			memcpy(buf, s, n);
			buf[n] = '\0';
			return rg_tmpl_int64(a, strtoll(buf, NULL, 10));
		}
	}
	return rg_node_strn(a, s, n);
}

/* Set path (dots, [N] indexes, "\." escapes) in m to v. */
static int set_path(struct rg_arena *a, struct rg_node *m, const char *key,
		    size_t klen, struct rg_node *v, const char *arg,
		    struct rg_err *err)
{
	struct rg_node *cur = m;
	size_t i = 0;

	while (i < klen) {
		char seg[1024];
		size_t sl = 0;
		struct rg_node *next;

		while (i < klen && key[i] != '.' && key[i] != '[') {
			if (key[i] == '\\' && i + 1 < klen)
				i++;
			if (sl + 1 >= sizeof(seg))
				return rg_err_set(err, RG_EINVALID, NULL,
						  "key too long in %s", arg);
			seg[sl++] = key[i++];
		}
		seg[sl] = '\0';
		if (!sl)
			return rg_err_set(err, RG_EINVALID, NULL,
					  "key \"%.*s\" has no value: empty "
					  "key segment in %s",
					  (int)klen, key, arg);
		if (!is_table(cur))
			return rg_err_set(err, RG_EINVALID, NULL,
					  "%s: cannot set %s inside a %s", arg,
					  seg, rg_kind_name(cur->kind));
		/* indexes after the name: a[0][1] */
		if (i < klen && key[i] == '[') {
			struct rg_node *list = map_get(cur, seg);

			if (!list || list->kind != RG_SEQ) {
				list = rg_node_seq(a);
				map_put(a, cur, seg, list);
			}
			for (;;) {
				char *end = NULL;
				long idx = strtol(key + i + 1, &end, 10);
				size_t after = (size_t)(end - key);

				if (idx < 0 || idx > 65535 || after >= klen ||
				    key[after] != ']')
					return rg_err_set(err, RG_EINVALID,
							  NULL,
							  "bad list index in "
							  "%s",
							  arg);
				while (list->u.seq.len <= (size_t)idx)
					rg_seq_push(a, list, rg_node_null(a));
				i = after + 1;
				if (i >= klen) {
					list->u.seq.items[idx] = v;
					return 0;
				}
				if (key[i] == '[') {
					next = list->u.seq.items[idx];
					if (!next || next->kind != RG_SEQ) {
						next = rg_node_seq(a);
						list->u.seq.items[idx] = next;
					}
					list = next;
					continue;
				}
				if (key[i] != '.')
					return rg_err_set(err, RG_EINVALID,
							  NULL,
							  "bad key after index "
							  "in %s",
							  arg);
				i++;
				next = list->u.seq.items[idx];
				if (!is_table(next)) {
					next = rg_node_map(a);
					list->u.seq.items[idx] = next;
				}
				cur = next;
				break;
			}
			continue;
		}
		if (i >= klen) {
			map_put(a, cur, seg, v);
			return 0;
		}
		i++; /* the dot */
		next = map_get(cur, seg);
		if (!is_table(next)) {
			next = rg_node_map(a);
			map_put(a, cur, seg, next);
		}
		cur = next;
	}
	return 0;
}

int rg_helm_set(struct rg_arena *a, struct rg_node *values, const char *arg,
		bool as_string, struct rg_err *err)
{
	const char *p = arg;

	while (*p) {
		const char *eq = p;
		const char *vs, *ve;
		struct rg_node *v;
		int error;

		while (*eq && *eq != '=' && *eq != ',') {
			if (*eq == '\\' && eq[1])
				eq++;
			eq++;
		}
		if (*eq != '=')
			return rg_err_set(err, RG_EINVALID, NULL,
					  "key \"%.*s\" has no value (in %s)",
					  (int)(eq - p), p, arg);
		vs = eq + 1;
		if (*vs == '{') {
			/* a list {a,b,c} */
			const char *close = strchr(vs, '}');

			if (!close)
				return rg_err_set(err, RG_EINVALID, NULL,
						  "list value without '}' in "
						  "%s",
						  arg);
			v = rg_node_seq(a);
			for (const char *q = vs + 1; q < close;) {
				const char *c = q;

				while (c < close && *c != ',')
					c++;
				rg_seq_push(a, v,
					    typed_val(a, q, (size_t)(c - q),
						      as_string));
				q = c + 1;
			}
			ve = close + 1;
		} else {
			struct rg_buf val = RG_BUF_INIT(RG_CAP_CONFIG_BYTES);

			ve = vs;
			while (*ve && *ve != ',') {
				if (*ve == '\\' && ve[1])
					ve++;
				rg_buf_addch(&val, *ve);
				ve++;
			}
			v = typed_val(a, val.ptr, val.len, as_string);
			rg_buf_release(&val);
		}
		error = set_path(a, values, p, (size_t)(eq - p), v, arg, err);
		if (error < 0)
			return error;
		p = *ve == ',' ? ve + 1 : ve;
	}
	return 0;
}

/* --- the render context ---------------------------------------------- */

struct tpl {
	const char *name;	/* "<chart path>/templates/x.yaml" */
	const char *base;	/* "<chart path>/templates" */
	const struct rg_helm_file *file;
	struct rg_node *dot;	/* the chart's context (shared) */
};

struct ctx {
	struct rg_arena *a;
	struct rg_tmpl_set *set;
	const struct rg_helm_opts *opts;
	struct tpl *tpls;
	size_t ntpls, alloc;
	int m_get, m_getbytes, m_glob, m_lines, m_asconfig, m_assecrets;
	int m_has;
	int t_chart, t_caps, t_kube, t_helmv, t_apis;
};

static bool is_method(const struct rg_node *n)
{
	return n && n->kind == RG_INT && n->tag == RG_GT_METHOD;
}

static struct rg_node *files_node(struct ctx *x, const struct rg_node *src,
				  const struct rg_helm_file *f, size_t nf,
				  const char *glob);

static int files_arg(struct rg_str *out, struct rg_tmpl_call *c,
		     struct rg_node *const *args, size_t nargs)
{
	if (nargs < 2)
		return rg_tmpl_fail(c, "wrong number of args: want 1 got %zu",
				    nargs ? nargs - 1 : 0);
	return rg_tmpl_arg_str(out, c, args, 1);
}

static struct rg_node *file_data(const struct rg_node *files,
				 const struct rg_str *name)
{
	struct rg_node *v = rg_map_get(files, name->ptr, name->len);

	return is_method(v) ? NULL : v;
}

static int m_get(struct rg_node **out, struct rg_tmpl_call *c,
		 struct rg_node *const *args, size_t nargs)
{
	struct rg_str name;
	struct rg_node *d;
	int error = files_arg(&name, c, args, nargs);

	if (error < 0)
		return error;
	d = file_data(args[0], &name);
	*out = d ? rg_node_strn(c->arena, d->u.s.ptr, d->u.s.len)
		 : rg_node_str(c->arena, "");
	return 0;
}

static int m_getbytes(struct rg_node **out, struct rg_tmpl_call *c,
		      struct rg_node *const *args, size_t nargs)
{
	struct rg_str name;
	struct rg_node *d;
	int error = files_arg(&name, c, args, nargs);

	if (error < 0)
		return error;
	d = file_data(args[0], &name);
	*out = rg_tmpl_typed(d ? rg_node_strn(c->arena, d->u.s.ptr, d->u.s.len)
			       : rg_node_str(c->arena, ""),
			     RG_GT_BYTES);
	return 0;
}

static int m_lines(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, size_t nargs)
{
	struct rg_str name;
	struct rg_node *d, *list;
	size_t len;
	int error = files_arg(&name, c, args, nargs);

	if (error < 0)
		return error;
	d = file_data(args[0], &name);
	list = rg_tmpl_typed(rg_node_seq(c->arena), RG_GT_STRSLICE);
	*out = list;
	if (!d)
		return 0;
	/* Helm 3.10.1 splits the whole content: a final newline gives a
	   last empty line (later Helm versions drop it) */
	len = d->u.s.len;
	for (size_t i = 0, s = 0; i <= len; i++) {
		if (i == len || d->u.s.ptr[i] == '\n') {
			rg_seq_push(c->arena, list,
				    rg_node_strn(c->arena, d->u.s.ptr + s,
						 i - s));
			s = i + 1;
		}
	}
	return 0;
}

static int m_glob(struct rg_node **out, struct rg_tmpl_call *c,
		  struct rg_node *const *args, size_t nargs)
{
	struct rg_str pat;
	int error = files_arg(&pat, c, args, nargs);

	if (error < 0)
		return error;
	*out = files_node(rg_tmpl_exec_user(c), args[0], NULL, 0, pat.ptr);
	return 0;
}

/* map of basename -> content for AsConfig / AsSecrets */
static int as_map(struct rg_node **out, struct rg_tmpl_call *c,
		  const struct rg_node *files, bool b64)
{
	struct rg_node *m = rg_node_map(c->arena);

	for (size_t i = 0; i < files->u.map.len; i++) {
		const struct rg_pair *p = &files->u.map.items[i];
		const char *base = strrchr(p->key.ptr, '/');
		struct rg_node *v;

		if (is_method(p->val))
			continue;
		base = base ? base + 1 : p->key.ptr;
		if (b64) {
			struct rg_buf e = RG_BUF_INIT(RG_CAP_YAML_EMIT_BYTES);

			if (rg_b64_encode(&e, p->val->u.s.ptr, p->val->u.s.len,
					  false) < 0) {
				rg_buf_release(&e);
				return rg_tmpl_fail_limit(c, "AsSecrets: too "
							     "large");
			}
			v = rg_node_strn(c->arena, e.ptr, e.len);
			rg_buf_release(&e);
		} else {
			v = rg_node_strn(c->arena, p->val->u.s.ptr,
					 p->val->u.s.len);
		}
		map_put(c->arena, m, base, v);
	}
	*out = m;
	return 0;
}

static int as_yaml(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, bool b64)
{
	struct rg_node *m = NULL;
	struct rg_buf y = RG_BUF_INIT(RG_CAP_YAML_EMIT_BYTES);
	int error = as_map(&m, c, args[0], b64);

	if (error < 0)
		return error;
	if (!m->u.map.len) {
		*out = rg_node_str(c->arena, "");
		return 0;
	}
	if (rg_doc_emit(&y, m, 0) < 0) {
		rg_buf_release(&y);
		return rg_tmpl_fail_limit(c, "Files.AsConfig: output over "
					     "RG_CAP_YAML_EMIT_BYTES");
	}
	if (y.len && y.ptr[y.len - 1] == '\n')
		rg_buf_truncate(&y, y.len - 1);
	*out = rg_node_strn(c->arena, y.ptr, y.len);
	rg_buf_release(&y);
	return 0;
}

static int m_asconfig(struct rg_node **out, struct rg_tmpl_call *c,
		      struct rg_node *const *args, size_t nargs)
{
	return as_yaml(out, c, args, false);
}

static int m_assecrets(struct rg_node **out, struct rg_tmpl_call *c,
		       struct rg_node *const *args, size_t nargs)
{
	return as_yaml(out, c, args, true);
}

static int m_has(struct rg_node **out, struct rg_tmpl_call *c,
		 struct rg_node *const *args, size_t nargs)
{
	struct rg_str v;
	struct rg_node *e;
	int error = files_arg(&v, c, args, nargs);

	if (error < 0)
		return error;
	e = rg_map_get(args[0], v.ptr, v.len);
	*out = rg_node_bool(c->arena, e && !is_method(e));
	return 0;
}

/*
 * gobwas/glob with '/' as separator (what .Files.Glob uses): '*' and '?'
 * stay within a path segment, "**" crosses segments, {a,b} alternatives,
 * [...] classes. fnmatch(FNM_PATHNAME) does all but "**" and braces; a
 * pattern with braces is expanded first, "**" is handled here.
 */
static bool glob_files(const char *pat, const char *name)
{
	const char *brace = strchr(pat, '{');
	const char *ds = strstr(pat, "**");

	if (brace) {
		const char *close = strchr(brace, '}');
		const char *alt = brace + 1;

		if (!close)
			return fnmatch(pat, name, FNM_PATHNAME) == 0;
		while (alt <= close) {
			const char *e = alt;
			char buf[RG_CAP_PATH_BYTES];
			int n;

			while (e < close && *e != ',')
				e++;
			n = snprintf(buf, sizeof(buf), "%.*s%.*s%s",
				     (int)(brace - pat), pat, (int)(e - alt),
				     alt, close + 1);
			if (n > 0 && (size_t)n < sizeof(buf) &&
			    glob_files(buf, name))
				return true;
			alt = e + 1;
		}
		return false;
	}
	if (ds) {
		/* prefix must match a leading part, then any suffix tail */
		size_t pl = (size_t)(ds - pat);
		char prefix[RG_CAP_PATH_BYTES];
		const char *rest = ds + 2;

		if (pl >= sizeof(prefix))
			return false;
		memcpy(prefix, pat, pl);
		prefix[pl] = '\0';
		for (size_t i = 0; i <= strlen(name); i++) {
			char head[RG_CAP_PATH_BYTES];

			if (i >= sizeof(head))
				break;
			memcpy(head, name, i);
			head[i] = '\0';
			if (fnmatch(prefix, head, FNM_PATHNAME) != 0)
				continue;
			/* "**" eats name[i..j) (anything, '/' included) */
			for (size_t j = i; j <= strlen(name); j++)
				if (glob_files(*rest ? rest : "", name + j) &&
				    (*rest || name[j] == '\0'))
					return true;
		}
		return false;
	}
	return fnmatch(pat, name, FNM_PATHNAME) == 0;
}

static struct rg_node *files_node(struct ctx *x, const struct rg_node *src,
				  const struct rg_helm_file *f, size_t nf,
				  const char *glob)
{
	struct rg_arena *a = x->a;
	struct rg_node *m = rg_node_map(a);

	m->tag = RG_GT_DEFAULT; /* Go's engine.files is a map type */
	if (src) {
		for (size_t i = 0; i < src->u.map.len; i++) {
			const struct rg_pair *p = &src->u.map.items[i];

			if (is_method(p->val) || !glob_files(glob, p->key.ptr))
				continue;
			rg_map_set(a, m, p->key.ptr, p->key.len, p->val);
		}
	} else {
		for (size_t i = 0; i < nf; i++)
			map_put(a, m, f[i].name,
				rg_tmpl_typed(rg_node_strn(a, f[i].data,
							   f[i].len),
					      RG_GT_BYTES));
	}
	map_put(a, m, "Get", rg_tmpl_method_node(a, x->m_get));
	map_put(a, m, "GetBytes", rg_tmpl_method_node(a, x->m_getbytes));
	map_put(a, m, "Glob", rg_tmpl_method_node(a, x->m_glob));
	map_put(a, m, "Lines", rg_tmpl_method_node(a, x->m_lines));
	map_put(a, m, "AsConfig", rg_tmpl_method_node(a, x->m_asconfig));
	map_put(a, m, "AsSecrets", rg_tmpl_method_node(a, x->m_assecrets));
	return m;
}

/* The chart.Metadata struct with Go field names and zero values. */
static struct rg_node *chart_meta(struct ctx *x, const struct rg_helm_chart *c,
				  bool root)
{
	static const char *const strs[][2] = {
		{ "Name", "name" },	       { "Home", "home" },
		{ "Version", "version" },      { "Description", "description" },
		{ "Icon", "icon" },	       { "APIVersion", "apiVersion" },
		{ "Condition", "condition" },  { "Tags", "tags" },
		{ "AppVersion", "appVersion" }, { "KubeVersion", "kubeVersion" },
		{ "Type", "type" },
	};
	struct rg_arena *a = x->a;
	struct rg_node *m = rg_node_map(a);
	struct rg_node *v;

	m->tag = (uint8_t)x->t_chart;
	for (size_t i = 0; i < RG_ARRAY_SIZE(strs); i++) {
		const struct rg_node *src = map_get(c->meta, strs[i][1]);
		const char *s = "";

		if (i == 0)
			s = c->name;
		else if (src && src->kind != RG_SEQ && src->kind != RG_MAP)
			s = rg_helm_meta_string(a, src);
		map_put(a, m, strs[i][0], rg_node_str(a, s));
	}
	v = map_get(c->meta, "sources");
	map_put(a, m, "Sources",
		rg_tmpl_typed(v && v->kind == RG_SEQ ? rg_node_clone(a, v)
						     : rg_node_seq(a),
			      RG_GT_STRSLICE));
	v = map_get(c->meta, "keywords");
	map_put(a, m, "Keywords",
		rg_tmpl_typed(v && v->kind == RG_SEQ ? rg_node_clone(a, v)
						     : rg_node_seq(a),
			      RG_GT_STRSLICE));
	v = map_get(c->meta, "maintainers");
	map_put(a, m, "Maintainers",
		v && v->kind == RG_SEQ ? rg_node_clone(a, v) : rg_node_seq(a));
	v = map_get(c->meta, "annotations");
	map_put(a, m, "Annotations",
		rg_tmpl_typed(is_table(v) ? rg_node_clone(a, v)
					  : rg_node_map(a),
			      RG_GT_STRMAP));
	v = map_get(c->meta, "dependencies");
	map_put(a, m, "Dependencies",
		v && v->kind == RG_SEQ ? rg_node_clone(a, v) : rg_node_seq(a));
	v = map_get(c->meta, "deprecated");
	map_put(a, m, "Deprecated",
		rg_node_bool(a, v && v->kind == RG_BOOL && v->u.b));
	map_put(a, m, "IsRoot", rg_node_bool(a, root));
	return m;
}

/* The API versions Helm 3.10.1 knows offline (client-go v0.25 scheme). */
static const char *const default_apis[] = {
	"v1",
	"admissionregistration.k8s.io/v1",
	"admissionregistration.k8s.io/v1beta1",
	"internal.apiserver.k8s.io/v1alpha1",
	"apps/v1",
	"apps/v1beta1",
	"apps/v1beta2",
	"authentication.k8s.io/v1",
	"authentication.k8s.io/v1beta1",
	"authorization.k8s.io/v1",
	"authorization.k8s.io/v1beta1",
	"autoscaling/v1",
	"autoscaling/v2",
	"autoscaling/v2beta1",
	"autoscaling/v2beta2",
	"batch/v1",
	"batch/v1beta1",
	"certificates.k8s.io/v1",
	"certificates.k8s.io/v1beta1",
	"coordination.k8s.io/v1beta1",
	"coordination.k8s.io/v1",
	"discovery.k8s.io/v1",
	"discovery.k8s.io/v1beta1",
	"events.k8s.io/v1",
	"events.k8s.io/v1beta1",
	"extensions/v1beta1",
	"flowcontrol.apiserver.k8s.io/v1alpha1",
	"flowcontrol.apiserver.k8s.io/v1beta1",
	"flowcontrol.apiserver.k8s.io/v1beta2",
	"networking.k8s.io/v1",
	"networking.k8s.io/v1alpha1",
	"networking.k8s.io/v1beta1",
	"node.k8s.io/v1",
	"node.k8s.io/v1alpha1",
	"node.k8s.io/v1beta1",
	"policy/v1",
	"policy/v1beta1",
	"rbac.authorization.k8s.io/v1",
	"rbac.authorization.k8s.io/v1beta1",
	"rbac.authorization.k8s.io/v1alpha1",
	"scheduling.k8s.io/v1alpha1",
	"scheduling.k8s.io/v1beta1",
	"scheduling.k8s.io/v1",
	"storage.k8s.io/v1beta1",
	"storage.k8s.io/v1",
	"storage.k8s.io/v1alpha1",
	"apiextensions.k8s.io/v1beta1",
	"apiextensions.k8s.io/v1",
};

static int capabilities(struct rg_node **out, struct ctx *x,
			struct rg_err *err)
{
	struct rg_arena *a = x->a;
	struct rg_node *caps = rg_node_map(a), *kv = rg_node_map(a);
	struct rg_node *apis = rg_node_map(a), *hv = rg_node_map(a);
	const char *in = x->opts->kube_version;
	struct rg_semver v;
	const char *ver;

	caps->tag = (uint8_t)x->t_caps;
	kv->tag = (uint8_t)x->t_kube;
	hv->tag = (uint8_t)x->t_helmv;
	apis->tag = (uint8_t)x->t_apis;
	if (!in || !*in)
		in = DEFAULT_KUBE_VERSION;
	if (rg_semver_parse(&v, a, in, strlen(in), err) < 0)
		return rg_err_set(err, RG_EINVALID, NULL,
				  "invalid kube version '%s': %s", in,
				  err->msg);
	ver = rg_arena_printf(a, "v%llu.%llu.%llu", (unsigned long long)v.major,
			      (unsigned long long)v.minor,
			      (unsigned long long)v.patch);
	map_put(a, kv, "Version", rg_node_str(a, ver));
	map_put(a, kv, "Major",
		rg_node_str(a, rg_arena_printf(a, "%llu",
					       (unsigned long long)v.major)));
	map_put(a, kv, "Minor",
		rg_node_str(a, rg_arena_printf(a, "%llu",
					       (unsigned long long)v.minor)));
	map_put(a, kv, "GitVersion", rg_node_str(a, ver));
	/* KubeVersion.String(): what {{ .Capabilities.KubeVersion }} prints */
	map_put(a, kv, "String", rg_node_str(a, ver));
	for (size_t i = 0; i < RG_ARRAY_SIZE(default_apis); i++)
		map_put(a, apis, default_apis[i], rg_node_bool(a, true));
	for (size_t i = 0; i < x->opts->napi_versions; i++)
		map_put(a, apis, x->opts->api_versions[i], rg_node_bool(a, true));
	map_put(a, apis, "Has", rg_tmpl_method_node(a, x->m_has));
	map_put(a, hv, "Version", rg_node_str(a, "v3.10.1"));
	map_put(a, hv, "GitCommit",
		rg_node_str(a, "9f88ccb6aee40b9a0535fcc7efea6055e1ef72c9"));
	map_put(a, hv, "GitTreeState", rg_node_str(a, "clean"));
	map_put(a, hv, "GoVersion", rg_node_str(a, "go1.18.7"));
	map_put(a, caps, "KubeVersion", kv);
	map_put(a, caps, "APIVersions", apis);
	map_put(a, caps, "HelmVersion", hv);
	*out = caps;
	return 0;
}

/* recAllTpls: the context of chart c and its templates, recursively. */
static struct rg_node *rec_all(struct ctx *x, const struct rg_helm_chart *c,
			       struct rg_node *parent, const char *path,
			       bool root)
{
	struct rg_arena *a = x->a;
	struct rg_node *next = rg_node_map(a), *subs = rg_node_map(a);
	struct rg_node *vals = NULL;

	next->tag = RG_GT_VALUES;
	map_put(a, next, "Chart", chart_meta(x, c, root));
	map_put(a, next, "Files", files_node(x, NULL, c->files, c->nfiles, ""));
	map_put(a, next, "Release", map_get(parent, "Release"));
	map_put(a, next, "Capabilities", map_get(parent, "Capabilities"));
	if (root) {
		vals = map_get(parent, "Values");
	} else {
		struct rg_node *pv = map_get(parent, "Values");

		vals = is_table(pv) ? map_get(pv, c->name) : NULL;
		if (!is_table(vals))
			vals = rg_node_map(a);
	}
	vals->tag = RG_GT_VALUES;
	map_put(a, next, "Values", vals);
	map_put(a, next, "Subcharts", subs);
	for (size_t i = 0; i < c->ncharts; i++) {
		const char *sp = rg_arena_printf(a, "%s/charts/%s", path,
						 c->charts[i]->name);

		map_put(a, subs, c->charts[i]->name,
			rec_all(x, c->charts[i], next, sp, false));
	}
	for (size_t i = 0; i < c->ntemplates; i++) {
		const struct rg_helm_file *f = &c->templates[i];
		const char *base = strrchr(f->name, '/');

		base = base ? base + 1 : f->name;
		if (c->library && base[0] != '_')
			continue;
		RG_ALLOC_GROW(x->tpls, x->ntpls + 1, x->alloc);
		x->tpls[x->ntpls].name = rg_arena_printf(a, "%s/%s", path,
							 f->name);
		x->tpls[x->ntpls].base = rg_arena_printf(a, "%s/templates",
							 path);
		x->tpls[x->ntpls].file = f;
		x->tpls[x->ntpls].dot = next;
		x->ntpls++;
	}
	return next;
}

static size_t slashes(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '/';
	return n;
}

/* sortTemplates: deeper paths first, then reverse lexical order. */
static int tpl_cmp(const void *x, const void *y)
{
	const struct tpl *a = x, *b = y;
	size_t ca = slashes(a->name), cb = slashes(b->name);

	if (ca != cb)
		return ca > cb ? -1 : 1;
	return -strcmp(a->name, b->name);
}

/* --- splitting and sorting ------------------------------------------- */

static const char *const install_order[] = {
	"PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota",
	"LimitRange", "PodSecurityPolicy", "PodDisruptionBudget",
	"ServiceAccount", "Secret", "SecretList", "ConfigMap",
	"StorageClass", "PersistentVolume", "PersistentVolumeClaim",
	"CustomResourceDefinition", "ClusterRole", "ClusterRoleList",
	"ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList",
	"RoleBinding", "RoleBindingList", "Service", "DaemonSet", "Pod",
	"ReplicationController", "ReplicaSet", "Deployment",
	"HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob",
	"IngressClass", "Ingress", "APIService",
};

static const char *const hook_events[] = {
	"pre-install", "post-install", "pre-delete", "post-delete",
	"pre-upgrade", "post-upgrade", "pre-rollback", "post-rollback",
	"test", "test-success",
};

static int kind_rank(const char *kind)
{
	for (size_t i = 0; i < RG_ARRAY_SIZE(install_order); i++)
		if (!strcmp(kind, install_order[i]))
			return (int)i;
	return -1;
}

struct item {
	struct rg_helm_manifest m;
	size_t seq;
	int rank;
};

static int item_cmp(const void *x, const void *y)
{
	const struct item *a = x, *b = y;

	if (a->rank >= 0 && b->rank >= 0 && a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if (a->rank >= 0 && b->rank < 0)
		return -1;
	if (a->rank < 0 && b->rank >= 0)
		return 1;
	if (a->rank < 0 && b->rank < 0) {
		int c = strcmp(a->m.kind, b->m.kind);

		if (c)
			return c;
	}
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

/* The first "\n---" in s[0, n), or NULL. */
static const char *find_separator(const char *s, size_t n)
{
	const char *p = s, *end = s + n;

	while (end - p >= 4 && (p = memchr(p, '\n', (size_t)(end - p - 3)))) {
		if (p[1] == '-' && p[2] == '-' && p[3] == '-')
			return p;
		p++;
	}
	return NULL;
}

/* Trim text[b, e), end it with a NUL and add it to *docs. */
static void cut_doc(char *text, size_t b, size_t e, const char ***docs,
		    size_t *n, size_t *alloc)
{
	while (b < e && is_space(text[b]))
		b++;
	while (e > b && is_space(text[e - 1]))
		e--;
	text[e] = '\0';
	RG_ALLOC_GROW(*docs, *n + 1, *alloc);
	(*docs)[(*n)++] = text + b;
}

/*
 * SplitManifests: trim text, split it on (?:^|\s*\n)---\s* the way Go's
 * regexp.Split does (leftmost, non-overlapping matches), drop empty
 * pieces and trim the rest (a whitespace-only piece stays, as ""). The
 * pieces are cut out of text in place: a NUL is written after each,
 * where a separator or the text's end was already passed.
 */
static size_t split_docs(struct rg_arena *a, char *text, size_t len,
			 const char ***out)
{
	const char **docs = NULL;
	size_t n = 0, alloc = 0;
	size_t b = 0, e = len, pos, beg;

	while (b < e && is_space(text[b]))
		b++;
	while (e > b && is_space(text[e - 1]))
		e--;
	text += b;
	len = e - b;
	pos = beg = 0;
	for (;;) {
		size_t mstart, mend;

		if (pos == 0 && len >= 3 && !memcmp(text, "---", 3)) {
			mstart = 0;
			mend = 3;
		} else {
			/*
			 * A separator is a run of white space ending in a
			 * newline and then "---": find the "\n---", then
			 * the start of its run (text[pos] is not a space).
			 */
			const char *q = find_separator(text + pos, len - pos);

			if (!q)
				break;
			mstart = (size_t)(q - text);
			mend = mstart + 4;
			while (mstart > pos && is_space(text[mstart - 1]))
				mstart--;
		}
		while (mend < len && is_space(text[mend]))
			mend++;
		if (mstart > beg)
			cut_doc(text, beg, mstart, &docs, &n, &alloc);
		beg = pos = mend;
	}
	if (beg < len)
		cut_doc(text, beg, len, &docs, &n, &alloc);
	*out = rg_arena_calloc(a, n + 1, sizeof(**out));
	if (n)
		memcpy(*out, docs, n * sizeof(*docs));
	free(docs);
	return n;
}

/* Is the helm.sh/hook value a list of known events? Sets *test. */
static bool known_hook(const char *v, bool *test)
{
	const char *p = v;

	*test = false;
	while (1) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		char ev[64];
		size_t k = 0;
		bool ok = false;

		while (n && is_space(*p)) {
			p++;
			n--;
		}
		while (n && is_space(p[n - 1]))
			n--;
		if (n >= sizeof(ev))
			return false;
		for (size_t i = 0; i < n; i++) {
			char c = p[i];

			ev[k++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		}
		ev[k] = '\0';
		for (size_t i = 0; i < RG_ARRAY_SIZE(hook_events); i++)
			if (!strcmp(ev, hook_events[i]))
				ok = true;
		if (!ok)
			return false;
		if (!strcmp(ev, "test") || !strcmp(ev, "test-success"))
			*test = true;
		if (!comma)
			return true;
		p = comma + 1;
	}
}

int rg_helm_render(struct rg_helm_result *out, struct rg_helm_chart *chart,
		   const struct rg_helm_opts *opts, struct rg_arena *a,
		   struct rg_err *err)
{
	static const struct rg_tmpl_func fget = { "Get", m_get, 1, 2, 0 };
	static const struct rg_tmpl_func fgetb = { "GetBytes", m_getbytes, 1,
						   2, 0 };
	static const struct rg_tmpl_func fglob = { "Glob", m_glob, 1, 2, 0 };
	static const struct rg_tmpl_func flines = { "Lines", m_lines, 1, 2, 0 };
	static const struct rg_tmpl_func fcfg = { "AsConfig", m_asconfig, 1,
						  1, 0 };
	static const struct rg_tmpl_func fsec = { "AsSecrets", m_assecrets,
						  1, 1, 0 };
	static const struct rg_tmpl_func fhas = { "Has", m_has, 1, 2, 0 };
	struct rg_helm_opts defaults;
	struct ctx x;
	struct rg_node *top = NULL, *rel, *vals = NULL, *caps = NULL;
	struct item *items = NULL;
	size_t nitems = 0, items_alloc = 0, seq = 0;
	struct rg_buf buf = RG_BUF_INIT(RG_CAP_TMPL_OUTPUT_BYTES);
	char **rendered = NULL;
	size_t *rendered_len = NULL;
	size_t *order = NULL;
	struct rg_arena *scratch = NULL;
	int error = 0;

	memset(&x, 0, sizeof(x));
	memset(out, 0, sizeof(*out));
	if (!opts) {
		memset(&defaults, 0, sizeof(defaults));
		opts = &defaults;
	}
	if (chart->library) {
		error = rg_err_set(err, RG_EINVALID, NULL,
				   "library charts are not installable");
		goto out;
	}
	x.a = a;
	x.opts = opts;
	x.set = rg_tmpl_set_new(a);
	x.m_get = rg_tmpl_set_method(x.set, &fget);
	x.m_getbytes = rg_tmpl_set_method(x.set, &fgetb);
	x.m_glob = rg_tmpl_set_method(x.set, &fglob);
	x.m_lines = rg_tmpl_set_method(x.set, &flines);
	x.m_asconfig = rg_tmpl_set_method(x.set, &fcfg);
	x.m_assecrets = rg_tmpl_set_method(x.set, &fsec);
	x.m_has = rg_tmpl_set_method(x.set, &fhas);
	x.t_chart = rg_tmpl_set_struct(x.set, "struct { chart.Metadata; IsRoot bool }");
	x.t_caps = rg_tmpl_set_struct(x.set, "*chartutil.Capabilities");
	x.t_kube = rg_tmpl_set_struct(x.set, "chartutil.KubeVersion");
	x.t_helmv = rg_tmpl_set_struct(x.set, "chartutil.BuildInfo");
	x.t_apis = rg_tmpl_set_struct(x.set, "chartutil.VersionSet");

	/* ProcessDependencies, then ToRenderValues */
	error = process_enabled(a, chart, opts->values, "", err);
	if (error < 0)
		goto out;
	error = process_imports(a, chart, err);
	if (error < 0)
		goto out;
	error = coalesce_copy(&vals, a, chart, opts->values, err);
	if (error < 0)
		goto out;
	{
		struct rg_buf msg = RG_BUF_INIT(RG_CAP_YAML_EMIT_BYTES);

		error = check_schemas(&msg, a, chart, vals, err);
		if (!error && msg.len)
			error = rg_err_set(err, RG_EINVALID, NULL,
					   "values don't meet the "
					   "specifications of the schema(s) in "
					   "the following chart(s):\n%s",
					   msg.ptr);
		rg_buf_release(&msg);
		if (error < 0)
			goto out;
	}
	error = capabilities(&caps, &x, err);
	if (error < 0)
		goto out;
	top = rg_node_map(a);
	rel = rg_node_map(a);
	map_put(a, rel, "Name",
		rg_node_str(a, opts->release_name ? opts->release_name
						  : "release-name"));
	map_put(a, rel, "Namespace",
		rg_node_str(a, opts->namespace ? opts->namespace : "default"));
	map_put(a, rel, "IsUpgrade", rg_node_bool(a, opts->is_upgrade));
	map_put(a, rel, "IsInstall", rg_node_bool(a, !opts->is_upgrade));
	map_put(a, rel, "Revision", rg_node_int(a, 1));
	map_put(a, rel, "Service", rg_node_str(a, "Helm"));
	map_put(a, top, "Release", rel);
	map_put(a, top, "Capabilities", caps);
	map_put(a, top, "Values", vals);
	rec_all(&x, chart, top, chart->name, true);

	if (x.ntpls) /* qsort(NULL, 0, ...) is undefined */
		qsort(x.tpls, x.ntpls, sizeof(*x.tpls), tpl_cmp);
	for (size_t i = 0; i < x.ntpls; i++) {
		error = rg_tmpl_parse_memo(x.set, opts->tmpl_memo,
					   x.tpls[i].name, x.tpls[i].file->data,
					   x.tpls[i].file->len, err);
		if (error < 0) {
			if (error == RG_EPARSE)
				rg_funcs_helm_parse_error(err, x.tpls[i].name);
			goto out;
		}
	}
	rendered = rg_arena_calloc(a, x.ntpls + 1, sizeof(*rendered));
	rendered_len = rg_arena_calloc(a, x.ntpls + 1, sizeof(*rendered_len));
	for (size_t i = 0; i < x.ntpls; i++) {
		const char *base = strrchr(x.tpls[i].name, '/') + 1;
		struct rg_node *tm = rg_node_map(a);
		struct rg_tmpl_opts to = { 0, 0, RG_TMPL_STRIP_NO_VALUE, &x };

		if (base[0] == '_')
			continue;
		tm->tag = RG_GT_VALUES;
		map_put(a, tm, "Name", rg_node_str(a, x.tpls[i].name));
		map_put(a, tm, "BasePath", rg_node_str(a, x.tpls[i].base));
		map_put(a, x.tpls[i].dot, "Template", tm);
		rg_buf_reset(&buf);
		error = rg_tmpl_exec(&buf, x.set, x.tpls[i].name,
				     x.tpls[i].dot, &to, err);
		if (error < 0) {
			rg_funcs_helm_error(err);
			goto out;
		}
		rendered[i] = rg_arena_strndup(a, buf.ptr, buf.len);
		rendered_len[i] = buf.len;
	}

	/* SortManifests: files by path, NOTES.txt out, split, heads */
	order = rg_xcalloc(x.ntpls + 1, sizeof(*order));
	for (size_t i = 0; i < x.ntpls; i++)
		order[i] = i;
	for (size_t i = 1; i < x.ntpls; i++)
		for (size_t j = i; j > 0 && strcmp(x.tpls[order[j - 1]].name,
						   x.tpls[order[j]].name) > 0;
		     j--) {
			size_t t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (size_t k = 0; k < x.ntpls; k++) {
		size_t i = order[k];
		const char **docs = NULL;
		size_t nd, nl = strlen(x.tpls[i].name);

		if (!rendered[i])
			continue;
		if (nl >= 9 && !strcmp(x.tpls[i].name + nl - 9, "NOTES.txt"))
			continue;
		nd = split_docs(a, rendered[i], rendered_len[i], &docs);
		for (size_t d = 0; d < nd; d++) {
			struct rg_node *head = NULL;
			struct rg_err perr = RG_ERR_INIT;
			struct item it;
			const char *hook = NULL;
			struct rg_arena *pa = a;

			if (opts->heads_only) {
				/* the last head is done with: reuse its memory */
				if (scratch)
					rg_arena_reset(scratch);
				else
					scratch = rg_arena_new();
				pa = scratch;
			}
			memset(&it, 0, sizeof(it));
			error = rg_doc_parse_one(&head, pa, x.tpls[i].name,
						 docs[d], strlen(docs[d]), 0,
						 &perr);
			if (error < 0) {
				error = rg_err_set(err, RG_EPARSE, NULL,
						   "YAML parse error on %s: "
						   "error converting YAML to "
						   "JSON: yaml: line %u: %s",
						   x.tpls[i].name, perr.line,
						   perr.msg);
				goto out;
			}
			if (head && head->kind != RG_MAP && head->kind != RG_NULL) {
				static const char *const jt[] = {
					[RG_BOOL] = "bool", [RG_INT] = "number",
					[RG_FLOAT] = "number", [RG_STR] = "string",
					[RG_SEQ] = "array",
				};

				error = rg_err_set(err, RG_EPARSE, &head->pos,
						   "YAML parse error on %s: error "
						   "unmarshaling JSON: while "
						   "decoding JSON: json: cannot "
						   "unmarshal %s into Go value of "
						   "type releaseutil.SimpleHead",
						   x.tpls[i].name, jt[head->kind]);
				goto out;
			}
			it.m.source = x.tpls[i].name;
			it.m.text = docs[d];
			it.m.doc = opts->heads_only ? NULL : head;
			it.m.kind = "";
			if (is_table(head)) {
				const char *kd = rg_node_cstr(map_get(head, "kind"));

				if (kd && pa != a)
					kd = rg_arena_strdup(a, kd);
				it.m.kind = kd ? kd : "";
				{
					struct rg_node *ann = rg_node_path(
						head, "metadata.annotations");

					if (is_table(ann))
						hook = rg_node_cstr(map_get(
							ann, "helm.sh/hook"));
				}
			}
			if (hook) {
				bool test = false;

				if (!known_hook(hook, &test))
					continue; /* Helm drops unknown hooks */
				if (opts->no_hooks || (test && opts->skip_tests))
					continue;
				it.m.hook = true;
			}
			it.rank = kind_rank(it.m.kind);
			it.seq = seq++;
			RG_ALLOC_GROW(items, nitems + 1, items_alloc);
			items[nitems++] = it;
		}
	}
	/* a stable sort: seq breaks ties */
	if (nitems)
		qsort(items, nitems, sizeof(*items), item_cmp);
	out->items = rg_arena_calloc(a, nitems + 1, sizeof(*out->items));
	if (opts->include_crds) {
		/* crds/ of the root first, then the dependencies' */
		const struct rg_helm_chart *stack[64];
		size_t sp = 0;
		size_t ncrd = 0;

		stack[sp++] = chart;
		while (sp) {
			const struct rg_helm_chart *c = stack[--sp];

			for (size_t i = 0; i < c->nfiles; i++) {
				const struct rg_helm_file *f = &c->files[i];

				if (strncmp(f->name, "crds/", 5))
					continue;
				out->items = rg_arena_grow(
					a, out->items, out->len + ncrd,
					out->len + ncrd + nitems + 2,
					sizeof(*out->items));
				out->items[out->len].source =
					rg_arena_printf(a, "%s/%s", c->name,
							f->name);
				out->items[out->len].text =
					rg_arena_strndup(a, f->data, f->len);
				out->items[out->len].kind =
					"CustomResourceDefinition";
				out->items[out->len].crd = true;
				out->len++;
			}
			for (size_t i = c->ncharts; i > 0 && sp < 64; i--)
				stack[sp++] = c->charts[i - 1];
		}
	}
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < nitems; i++)
			if (items[i].m.hook == (pass == 1))
				out->items[out->len++] = items[i].m;
out:
	rg_arena_free(scratch);
	free(order);
	free(items);
	free(x.tpls);
	rg_buf_release(&buf);
	return error;
}

int rg_helm_print(struct rg_buf *out, const struct rg_helm_result *res)
{
	int error = 0;

	for (size_t i = 0; i < res->len && !error; i++) {
		const struct rg_helm_manifest *m = &res->items[i];

		/* no format: a manifest can run to megabytes */
		if (!(error = rg_buf_adds(out, "---\n# Source: ")) &&
		    !(error = rg_buf_adds(out, m->source)) &&
		    !(error = rg_buf_adds(out, "\n")) &&
		    !(error = rg_buf_adds(out, m->text)))
			error = rg_buf_adds(out, "\n");
	}
	return error;
}

/* --- environments ---------------------------------------------------- */

int rg_helm_render_env(struct rg_objset *out, struct rg_findings *findings,
		       const struct rg_render_req *req, struct rg_err *err)
{
	struct rg_arena *a = req->arena;
	const struct rg_config_release *rel = req->release;
	const struct rg_config_env *env = req->env;
	struct rg_helm_chart *chart = NULL;
	struct rg_helm_result res;
	struct rg_helm_opts opts;
	struct rg_node *vals = rg_node_map(a);
	int error;

	memset(&opts, 0, sizeof(opts));
	if (!req->path)
		error = rg_helm_cache_load(&chart,
					   req->repo ? req->repo->chart_cache
						     : NULL,
					   rel ? rel->repo : NULL,
					   rel ? rel->chart : NULL,
					   rel ? rel->version : NULL, a, err);
	else
		error = rg_helm_load_memo(&chart, req->helm_memo, req->tree,
					  req->path, a, err);
	if (error < 0)
		return error;
	for (size_t i = 0; rel && i < rel->nvalues; i++) {
		const char *data = NULL;
		size_t len = 0;
		struct rg_node *v = NULL;

		error = rg_tree_read(req->tree, rel->values[i], &data, &len, err);
		if (error < 0)
			return error;
		error = rg_doc_parse_one(&v, a, rel->values[i], data, len, 0,
					 err);
		if (error < 0)
			return error;
		if (v->kind == RG_NULL)
			continue;
		if (!is_table(v))
			return rg_err_set(err, RG_EINVALID, &v->pos,
					  "values file must hold a mapping, "
					  "found %s",
					  rg_kind_name(v->kind));
		rg_funcs_helm_numbers(v);
		rg_helm_merge_values(a, vals, v);
	}
	if (rel && rel->set && is_table(rel->set)) {
		for (size_t i = 0; i < rel->set->u.map.len; i++) {
			const struct rg_pair *p = &rel->set->u.map.items[i];
			struct rg_node *v = rg_node_clone(a, p->val);

			if (v->kind == RG_INT)
				v = rg_tmpl_int64(a, v->u.i);
			error = set_path(a, vals, p->key.ptr, p->key.len, v,
					 p->key.ptr, err);
			if (error < 0)
				return error;
		}
	}
	opts.release_name = rel ? rel->name : env->name;
	opts.namespace = rel && rel->namespace ? rel->namespace : "default";
	opts.kube_version = env->kube_version;
	opts.api_versions = env->api_versions;
	opts.napi_versions = env->napi_versions;
	opts.skip_tests = true;
	opts.values = vals;
	opts.tmpl_memo = rg_helm_memo_templates(req->helm_memo);
	error = rg_helm_render(&res, chart, &opts, a, err);
	if (error < 0)
		return error;
	for (size_t i = 0; i < res.len; i++) {
		struct rg_docs docs;
		const struct rg_helm_manifest *m = &res.items[i];

		if (m->doc) {
			/* rg_helm_render parsed it already, in this arena */
			docs = (struct rg_docs){ .docs = &res.items[i].doc,
						 .len = 1 };
		} else {
			error = rg_doc_parse(&docs, a, m->source, m->text,
					     strlen(m->text), 0, err);
			if (error < 0)
				return error;
		}
		for (size_t d = 0; d < docs.len; d++) {
			if (docs.docs[d]->kind == RG_NULL)
				continue;
			error = rg_objset_add_doc(NULL, out, docs.docs[d],
						  findings, "helm", env->name,
						  err);
			if (error == RG_EINVALID)
				error = 0;
			if (error < 0)
				return error;
		}
	}
	return 0;
}
