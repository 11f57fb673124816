/*
 * kust_gen.c - configMapGenerator and secretGenerator.
 *
 * Data comes from literals ("key=value", surrounding quotes removed),
 * files ("path" or "key=path"; not UTF-8 goes to binaryData, base64) and
 * env files (KEY=VALUE lines; blank and '#' lines skipped). Options come
 * from generatorOptions, overridden per generator. Behaviour create adds
 * the object (an existing one of the same id is an error), merge folds
 * data, labels and annotations into the existing object (new wins),
 * replace swaps it, both keeping its place in the output.
 */
#include "rendergate/compat.h"

#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/doc.h"
#include "rendergate/kust.h"
#include "rendergate/kustint.h"
#include "rendergate/tree.h"

static bool valid_utf8(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t k;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0 && c >= 0xc2)
			k = 1;
		else if ((c & 0xf0) == 0xe0)
			k = 2;
		else if ((c & 0xf8) == 0xf0 && c <= 0xf4)
			k = 3;
		else
			return false;
		for (size_t j = 1; j <= k; j++)
			if (i + j >= n || ((unsigned char)s[i + j] & 0xc0) != 0x80)
				return false;
		i += k + 1;
	}
	return true;
}

static const char *b64(struct rg_arena *a, const char *s, size_t n)
{
	static const char tbl[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = rg_arena_alloc(a, (n + 2) / 3 * 4 + 1);
	size_t w = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)(unsigned char)s[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)(unsigned char)s[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)s[i + 2];
		out[w++] = tbl[(v >> 18) & 63];
		out[w++] = tbl[(v >> 12) & 63];
		out[w++] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
		out[w++] = i + 2 < n ? tbl[v & 63] : '=';
	}
	out[w] = 0;
	return out;
}

int rg_kust_path_join(const char **out, struct rg_arena *a, const char *dir,
		      const char *rel, struct rg_err *err)
{
	size_t cap = strlen(dir) + strlen(rel) + 2;
	char *buf = rg_arena_alloc(a, cap);
	size_t len = 0;
	const char *parts[2] = { dir, rel };

	if (rel[0] == '/')
		return rg_err_set(err, RG_EUNSAFE, NULL,
				  "%s: absolute path '%s' in a kustomization",
				  *dir ? dir : ".", rel);
	for (int k = 0; k < 2; k++) {
		const char *p = parts[k];

		while (*p) {
			const char *e = strchr(p, '/');
			size_t n = e ? (size_t)(e - p) : strlen(p);

			if (n == 2 && p[0] == '.' && p[1] == '.') {
				if (!len)
					return rg_err_set(
						err, RG_EUNSAFE, NULL,
						"%s: '%s' is outside the "
						"repository",
						*dir ? dir : ".", rel);
				while (len && buf[len - 1] != '/')
					len--;
				if (len)
					len--;
			} else if (n && !(n == 1 && p[0] == '.')) {
				if (len)
					buf[len++] = '/';
				memcpy(buf + len, p, n);
				len += n;
			}
			p += n;
			if (*p == '/')
				p++;
		}
	}
	buf[len] = 0;
	*out = buf;
	return 0;
}

bool rg_kust_path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (!n)
		return true;
	return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == 0);
}

int rg_kust_read_rel(const char **data, size_t *len, const char **path,
		     struct rg_arena *a, struct rg_tree *t, const char *dir,
		     const char *rel, unsigned flags, struct rg_err *err)
{
	const char *p;
	int rc = rg_kust_path_join(&p, a, dir, rel, err);

	if (rc)
		return rc;
	if (!(flags & RG_KUST_LOAD_ANYWHERE) && !rg_kust_path_under(p, dir))
		return rg_err_set(err, RG_EUNSAFE, NULL,
				  "%s: security; file '%s' is not in or below "
				  "'%s' (load restrictions root-only)",
				  *dir ? dir : ".", p, *dir ? dir : ".");
	if (path)
		*path = p;
	return rg_tree_read(t, p, data, len, err);
}

static const char *basename_of(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

static const char *unquote(struct rg_arena *a, const char *v)
{
	size_t n = strlen(v);

	if (n >= 2 && ((v[0] == '"' && v[n - 1] == '"') ||
		       (v[0] == '\'' && v[n - 1] == '\'')))
		return rg_arena_strndup(a, v + 1, n - 2);
	return v;
}

struct gen {
	struct rg_arena *a;
	struct rg_tree *t;
	const char *dir;
	unsigned flags;
	struct rg_err *err;
	bool secret;
	struct rg_node *data, *bin;
};

static int put(struct gen *g, const char *key, const char *val, size_t n,
	       const struct rg_pos *pos)
{
	if (rg_map_gets(g->data, key) || rg_map_gets(g->bin, key))
		return rg_err_set(g->err, RG_EINVALID, pos,
				  "generator: key %s is given twice", key);
	if (g->secret)
		rg_map_set(g->a, g->data, key, strlen(key),
			   rg_node_str(g->a, b64(g->a, val, n)));
	else if (valid_utf8(val, n))
		rg_map_set(g->a, g->data, key, strlen(key),
			   rg_node_strn(g->a, val, n));
	else
		rg_map_set(g->a, g->bin, key, strlen(key),
			   rg_node_str(g->a, b64(g->a, val, n)));
	return 0;
}

static int add_env_file(struct gen *g, const char *rel,
			const struct rg_pos *pos)
{
	const char *data;
	size_t len;
	int rc = rg_kust_read_rel(&data, &len, NULL, g->a, g->t, g->dir, rel,
				  g->flags, g->err);

	if (rc)
		return rc;
	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3)) {
		data += 3;
		len -= 3;
	}
	for (size_t i = 0; i < len && !rc;) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - data) : len;
		size_t s = i, ee = e;
		const char *eq;

		i = e + 1;
		if (ee > s && data[ee - 1] == '\r')
			ee--;
		while (s < ee && (data[s] == ' ' || data[s] == '\t'))
			s++;
		if (s == ee || data[s] == '#')
			continue;
		eq = memchr(data + s, '=', ee - s);
		if (!eq) {
			/* KEY alone takes the value from kustomize's process
			   environment, which a hook must not consult */
			rc = put(g, rg_arena_strndup(g->a, data + s, ee - s), "",
				 0, pos);
			continue;
		}
		rc = put(g, rg_arena_strndup(g->a, data + s, (size_t)(eq - data) - s),
			 eq + 1, ee - (size_t)(eq - data) - 1, pos);
	}
	return rc;
}

static int fill(struct gen *g, const struct rg_node *spec)
{
	const struct rg_node *lit = rg_map_gets(spec, "literals");
	const struct rg_node *files = rg_map_gets(spec, "files");
	const struct rg_node *envs = rg_map_gets(spec, "envs");
	const struct rg_node *env = rg_map_gets(spec, "env");
	int rc = 0;

	for (size_t i = 0; lit && lit->kind == RG_SEQ && i < lit->u.seq.len &&
			   !rc;
	     i++) {
		const struct rg_node *l = lit->u.seq.items[i];
		const char *s = rg_kust_scalar_text(g->a, l);
		const char *eq = strchr(s, '=');
		const char *v;

		if (!eq)
			return rg_err_set(g->err, RG_EINVALID, &l->pos,
					  "literal '%s' is not key=value", s);
		v = unquote(g->a, eq + 1);
		rc = put(g, rg_arena_strndup(g->a, s, (size_t)(eq - s)), v,
			 strlen(v), &l->pos);
	}
	for (size_t i = 0;
	     files && files->kind == RG_SEQ && i < files->u.seq.len && !rc; i++) {
		const struct rg_node *f = files->u.seq.items[i];
		const char *s = rg_kust_scalar_text(g->a, f);
		const char *eq = strchr(s, '=');
		const char *key, *rel, *data;
		size_t len;

		key = eq ? rg_arena_strndup(g->a, s, (size_t)(eq - s))
			 : basename_of(s);
		rel = eq ? eq + 1 : s;
		rc = rg_kust_read_rel(&data, &len, NULL, g->a, g->t, g->dir, rel,
				      g->flags, g->err);
		if (!rc)
			rc = put(g, key, data, len, &f->pos);
	}
	for (size_t i = 0; envs && envs->kind == RG_SEQ && i < envs->u.seq.len &&
			   !rc;
	     i++)
		rc = add_env_file(g, rg_kust_scalar_text(g->a, envs->u.seq.items[i]),
				  &envs->u.seq.items[i]->pos);
	if (!rc && env && env->kind == RG_STR)
		rc = add_env_file(g, env->u.s.ptr, &env->pos);
	return rc;
}

static void merge_meta_map(struct rg_arena *a, struct rg_node *obj,
			   const char *field, const struct rg_node *src)
{
	struct rg_node *md, *m;

	if (!src || src->kind != RG_MAP || !src->u.map.len)
		return;
	md = rg_kust_map_ensure(a, obj, "metadata");
	m = rg_kust_map_ensure(a, md, field);
	for (size_t i = 0; i < src->u.map.len; i++)
		rg_map_set(a, m, src->u.map.items[i].key.ptr,
			   src->u.map.items[i].key.len,
			   rg_node_str(a, rg_kust_scalar_text(
						  a, src->u.map.items[i].val)));
}

static bool opt_bool(const struct rg_node *o, const struct rg_node *g,
		     const char *key)
{
	const struct rg_node *v = rg_map_gets(o, key);

	if (!v || v->kind != RG_BOOL)
		v = rg_map_gets(g, key);
	return v && v->kind == RG_BOOL && v->u.b;
}

/* Merge old's metadata maps (and data for merge) under new (new wins). */
static void fold_old(struct rg_arena *a, struct rg_node *nw,
		     const struct rg_node *old, bool data)
{
	static const char *const meta[] = { "labels", "annotations" };
	static const char *const maps[] = { "data", "binaryData" };

	for (size_t k = 0; k < 2; k++) {
		const struct rg_node *om =
			rg_node_path(old, k ? "metadata.annotations"
					    : "metadata.labels");
		struct rg_node *md, *nm;

		if (!om || om->kind != RG_MAP)
			continue;
		md = rg_kust_map_ensure(a, nw, "metadata");
		nm = rg_kust_map_ensure(a, md, meta[k]);
		for (size_t i = 0; i < om->u.map.len; i++)
			if (!rg_map_get(nm, om->u.map.items[i].key.ptr,
					om->u.map.items[i].key.len))
				rg_map_set(a, nm, om->u.map.items[i].key.ptr,
					   om->u.map.items[i].key.len,
					   om->u.map.items[i].val);
	}
	for (size_t k = 0; data && k < 2; k++) {
		const struct rg_node *om = rg_map_gets(old, maps[k]);
		struct rg_node *nm;

		if (!om || om->kind != RG_MAP || !om->u.map.len)
			continue;
		nm = rg_kust_map_ensure(a, nw, maps[k]);
		for (size_t i = 0; i < om->u.map.len; i++)
			if (!rg_map_get(nm, om->u.map.items[i].key.ptr,
					om->u.map.items[i].key.len))
				rg_map_set(a, nm, om->u.map.items[i].key.ptr,
					   om->u.map.items[i].key.len,
					   om->u.map.items[i].val);
	}
}

static int absorb(struct rg_arena *a, struct rg_kust_resmap *m,
		  struct rg_kust_res *r, const struct rg_pos *pos,
		  struct rg_err *err)
{
	struct rg_kust_id id;
	size_t found = SIZE_MAX, nfound = 0;

	rg_kust_res_id(&id, r->obj);
	for (size_t i = 0; i < m->len; i++) {
		struct rg_kust_res *o = m->items[i];
		struct rg_kust_id cur;
		bool match;

		rg_kust_res_id(&cur, o->obj);
		match = rg_kust_id_equal(&cur, &id);
		for (size_t k = 0; !match && k < o->nprev; k++)
			match = rg_kust_id_equal(&o->prev[k], &id);
		if (match) {
			found = i;
			nfound++;
		}
	}
	if (nfound > 1)
		return rg_err_set(err, RG_EINVALID, pos,
				  "generator %s %s matches several objects",
				  id.kind, id.name);
	if (!nfound) {
		if (r->behavior == RG_KUST_BEH_MERGE ||
		    r->behavior == RG_KUST_BEH_REPLACE)
			return rg_err_set(err, RG_ENOTFOUND, pos,
					  "%s %s does not exist; cannot merge "
					  "or replace",
					  id.kind, id.name);
		rg_kust_resmap_add(a, m, r);
		return 0;
	}
	if (r->behavior != RG_KUST_BEH_MERGE &&
	    r->behavior != RG_KUST_BEH_REPLACE)
		return rg_err_set(err, RG_EEXISTS, pos,
				  "%s %s exists; behavior must be merge or "
				  "replace",
				  id.kind, id.name);
	{
		struct rg_kust_res *old = m->items[found];

		fold_old(a, r->obj, old->obj, r->behavior == RG_KUST_BEH_MERGE);
		/* kustomize keeps the old object's build annotations: the
		   hash suffix stays only if both want it */
		r->needs_hash = old->needs_hash && r->needs_hash;
		r->org = old->org;
		r->prev = old->prev;
		r->nprev = old->nprev;
		r->prev_alloc = old->prev_alloc;
		r->prefixes = old->prefixes;
		r->nprefix = old->nprefix;
		r->suffixes = old->suffixes;
		r->nsuffix = old->nsuffix;
		m->items[found] = r;
	}
	return 0;
}

static int one(struct rg_arena *a, struct rg_kust_resmap *m,
	       struct rg_tree *t, const char *dir, const struct rg_node *spec,
	       const struct rg_node *gopts, bool secret, unsigned flags,
	       struct rg_err *err)
{
	struct gen g = { a, t, dir, flags, err, secret, rg_node_map(a),
			 rg_node_map(a) };
	const struct rg_node *opts = rg_map_gets(spec, "options");
	const char *name = rg_kust_str_at(spec, "name");
	const char *ns = rg_kust_str_at(spec, "namespace");
	const char *beh = rg_kust_str_at(spec, "behavior");
	struct rg_node *obj = rg_node_map(a), *md = rg_node_map(a);
	struct rg_kust_res *r;
	int rc;

	if (!*name)
		return rg_err_set(err, RG_EINVALID, &spec->pos,
				  "a generator needs a name");
	rc = fill(&g, spec);
	if (rc)
		return rc;
	rg_map_set(a, obj, "apiVersion", 10, rg_node_str(a, "v1"));
	rg_map_set(a, obj, "kind", 4,
		   rg_node_str(a, secret ? "Secret" : "ConfigMap"));
	rg_map_set(a, md, "name", 4, rg_node_str(a, name));
	if (*ns)
		rg_map_set(a, md, "namespace", 9, rg_node_str(a, ns));
	rg_map_set(a, obj, "metadata", 8, md);
	if (secret) {
		const char *type = rg_kust_str_at(spec, "type");

		rg_map_set(a, obj, "type", 4,
			   rg_node_str(a, *type ? type : "Opaque"));
	}
	if (g.data->u.map.len || !g.bin->u.map.len)
		rg_map_set(a, obj, "data", 4, g.data);
	if (g.bin->u.map.len)
		rg_map_set(a, obj, "binaryData", 10, g.bin);
	merge_meta_map(a, obj, "labels", rg_map_gets(gopts, "labels"));
	merge_meta_map(a, obj, "labels", rg_map_gets(opts, "labels"));
	merge_meta_map(a, obj, "annotations", rg_map_gets(gopts, "annotations"));
	merge_meta_map(a, obj, "annotations", rg_map_gets(opts, "annotations"));
	if (opt_bool(opts, gopts, "immutable"))
		rg_map_set(a, obj, "immutable", 9, rg_node_bool(a, true));
	r = rg_kust_res_new(a, obj, dir);
	r->needs_hash = !opt_bool(opts, gopts, "disableNameSuffixHash");
	if (!*beh || !strcmp(beh, "create"))
		r->behavior = RG_KUST_BEH_CREATE;
	else if (!strcmp(beh, "merge"))
		r->behavior = RG_KUST_BEH_MERGE;
	else if (!strcmp(beh, "replace"))
		r->behavior = RG_KUST_BEH_REPLACE;
	else
		return rg_err_set(err, RG_EINVALID, &spec->pos,
				  "generator %s: unknown behavior '%s'", name,
				  beh);
	return absorb(a, m, r, &spec->pos, err);
}

int rg_kust_generate(struct rg_arena *a, struct rg_kust_resmap *m,
		     struct rg_tree *t, const char *dir,
		     const struct rg_node *k, unsigned flags,
		     struct rg_err *err)
{
	static const char *const keys[] = { "configMapGenerator",
					    "secretGenerator" };
	const struct rg_node *gopts = rg_map_gets(k, "generatorOptions");
	int rc = 0;

	for (int s = 0; s < 2 && !rc; s++) {
		const struct rg_node *l = rg_map_gets(k, keys[s]);

		if (!l || l->kind == RG_NULL)
			continue;
		if (l->kind != RG_SEQ)
			return rg_err_set(err, RG_EINVALID, &l->pos,
					  "%s must be a list", keys[s]);
		for (size_t i = 0; i < l->u.seq.len && !rc; i++)
			rc = one(a, m, t, dir, l->u.seq.items[i], gopts, s == 1,
				 flags, err);
	}
	return rc;
}
