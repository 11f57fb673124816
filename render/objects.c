#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/doc.h"
#include "rendergate/finding.h"
#include "rendergate/objects.h"

void rg_objset_init(struct rg_objset *s, struct rg_arena *a)
{
	memset(s, 0, sizeof(*s));
	s->arena = a;
	s->sorted = true;
}

const char *rg_obj_key(struct rg_arena *a, const char *group, const char *kind,
		       const char *namespace, const char *name)
{
	return rg_arena_printf(a, "%s/%s/%s/%s", group ? group : "", kind,
			       namespace ? namespace : "", name);
}

/*
 * The string at field of map, checked: *out is set, or err names the
 * problem. required: a missing field is an error too.
 */
static int field_str(const char **out, const struct rg_node *map,
		     const char *field, const char *label,
		     const struct rg_pos *where, bool required,
		     struct rg_err *err)
{
	const struct rg_node *v = rg_map_gets(map, field);

	if (!v || v->kind == RG_NULL) {
		if (!required)
			return 0;
		return rg_err_set(err, RG_EINVALID, where, "%s is missing",
				  label);
	}
	if (v->kind != RG_STR)
		return rg_err_set(err, RG_EINVALID, &v->pos,
				  "%s must be a string, found %s", label,
				  rg_kind_name((enum rg_kind)v->kind));
	/* an empty namespace means "not set", as kubectl reads it */
	if (v->u.s.len == 0 && !required)
		return 0;
	if (v->u.s.len == 0)
		return rg_err_set(err, RG_EINVALID, &v->pos,
				  "%s must not be empty", label);
	/* '/' would make identity keys ambiguous (apiVersion has its own) */
	if (memchr(v->u.s.ptr, '\0', v->u.s.len) ||
	    (strcmp(field, "apiVersion") && strchr(v->u.s.ptr, '/')))
		return rg_err_set(err, RG_EINVALID, &v->pos,
				  "%s must not contain '/' or NUL bytes",
				  label);
	*out = v->u.s.ptr;
	return 0;
}

int rg_obj_identify(struct rg_obj *out, struct rg_arena *a, struct rg_node *doc,
		    const char **rule, struct rg_err *err)
{
	const char *api = NULL, *kind = NULL, *name = NULL, *ns = "";
	const char *slash, *r = NULL;
	const struct rg_node *meta;
	int error = 0;

	if (!doc || doc->kind != RG_MAP) {
		r = "not-an-object";
		error = rg_err_set(err, RG_EINVALID, doc ? &doc->pos : NULL,
				   "document is a %s, not a Kubernetes object "
				   "(a mapping with apiVersion, kind and "
				   "metadata)",
				   doc ? rg_kind_name((enum rg_kind)doc->kind)
				       : "nothing");
		goto out;
	}
	error = field_str(&api, doc, "apiVersion", "apiVersion", &doc->pos,
			  true, err);
	if (error < 0) {
		r = "missing-apiversion";
		goto out;
	}
	error = field_str(&kind, doc, "kind", "kind", &doc->pos, true, err);
	if (error < 0) {
		r = "missing-kind";
		goto out;
	}
	meta = rg_map_gets(doc, "metadata");
	if (meta && meta->kind != RG_MAP) {
		r = "missing-name";
		error = rg_err_set(err, RG_EINVALID, &meta->pos,
				   "metadata must be a mapping, found %s",
				   rg_kind_name((enum rg_kind)meta->kind));
		goto out;
	}
	if (!meta) {
		r = "missing-name";
		error = rg_err_set(err, RG_EINVALID, &doc->pos,
				   "metadata.name is missing");
		goto out;
	}
	error = field_str(&name, meta, "name", "metadata.name", &doc->pos, true,
			  err);
	if (error < 0) {
		r = "missing-name";
		goto out;
	}
	error = field_str(&ns, meta, "namespace", "metadata.namespace",
			  &doc->pos, false, err);
	if (error < 0) {
		r = "bad-namespace";
		goto out;
	}
	memset(out, 0, sizeof(*out));
	out->doc = doc;
	slash = strrchr(api, '/');
	out->group =
	    slash ? rg_arena_strndup(a, api, (size_t)(slash - api)) : "";
	out->version = slash ? slash + 1 : api;
	out->kind = kind;
	out->namespace = ns;
	out->name = name;
	out->key = rg_obj_key(a, out->group, kind, ns, name);
	out->origin = doc->pos;
out:
	if (rule)
		*rule = r;
	return error;
}

int rg_objset_add(struct rg_objset *s, const struct rg_obj *obj,
		  struct rg_err *err)
{
	if (s->len >= RG_CAP_ENV_OBJECTS)
		return rg_err_set(err, RG_ELIMIT, &obj->origin,
				  "more than %u objects in one environment "
				  "(RG_CAP_ENV_OBJECTS)",
				  RG_CAP_ENV_OBJECTS);
	if (s->len >= s->alloc) {
		size_t n = s->alloc ? s->alloc * 2 : 32;

		s->items = rg_arena_grow(s->arena, s->items, s->len, n,
					 sizeof(*s->items));
		s->alloc = n;
	}
	if (s->len && strcmp(s->items[s->len - 1].key, obj->key) > 0)
		s->sorted = false;
	s->items[s->len++] = *obj;
	return 0;
}

int rg_objset_add_doc(struct rg_obj **out, struct rg_objset *s,
		      struct rg_node *doc, struct rg_findings *findings,
		      const char *rule_prefix, const char *env,
		      struct rg_err *err)
{
	struct rg_err why = RG_ERR_INIT;
	struct rg_obj obj;
	const char *rule = NULL;
	int error;

	error = rg_obj_identify(&obj, s->arena, doc, &rule, &why);
	if (error < 0) {
		struct rg_pos pos = {why.file[0] ? why.file : NULL, why.line,
				     why.col};
		struct rg_finding *fd = rg_finding_add(
		    findings, RG_SEV_DENY,
		    rg_arena_printf(s->arena, "%s.%s",
				    rule_prefix ? rule_prefix : "object", rule),
		    &pos, "%s", why.msg);

		if (fd)
			fd->env = env;
		rg_finding_set_hint(
		    findings, fd,
		    "every object needs apiVersion, kind and metadata.name");
		return RG_EINVALID;
	}
	error = rg_objset_add(s, &obj, err);
	if (error < 0)
		return error;
	if (out)
		*out = &s->items[s->len - 1];
	return 0;
}

static int cmp_obj(const struct rg_obj *x, const struct rg_obj *y)
{
	return strcmp(x->key, y->key);
}

/* Stable merge sort of objects, or of pointers to them. */
void rg_objset_sort(struct rg_objset *s)
{
	struct rg_obj *tmp;
	size_t n = s->len;

	if (s->sorted || n < 2) {
		s->sorted = true;
		return;
	}
	tmp = rg_xmalloc(n * sizeof(*tmp));
	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t i = lo, j = mid, k = lo;

			while (i < mid && j < hi)
				tmp[k++] =
				    cmp_obj(&s->items[j], &s->items[i]) < 0
					? s->items[j++]
					: s->items[i++];
			while (i < mid)
				tmp[k++] = s->items[i++];
			while (j < hi)
				tmp[k++] = s->items[j++];
		}
		memcpy(s->items, tmp, n * sizeof(*tmp));
	}
	free(tmp);
	s->sorted = true;
}

const struct rg_obj *rg_objset_find(const struct rg_objset *s, const char *key)
{
	size_t lo = 0, hi = s->len;

	if (!s->sorted) {
		for (size_t i = 0; i < s->len; i++)
			if (!strcmp(s->items[i].key, key))
				return &s->items[i];
		return NULL;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(s->items[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->len && !strcmp(s->items[lo].key, key) ? &s->items[lo]
							     : NULL;
}

const char *rg_obj_label(struct rg_arena *a, const struct rg_obj *o)
{
	if (o->namespace && o->namespace[0])
		return rg_arena_printf(a, "%s %s/%s", o->kind, o->namespace,
				       o->name);
	return rg_arena_printf(a, "%s %s", o->kind, o->name);
}

static const char *pos_text(struct rg_arena *a, const struct rg_pos *p)
{
	if (p->file && p->line)
		return rg_arena_printf(a, "%s:%u:%u", p->file, p->line, p->col);
	if (p->file)
		return p->file;
	return "an earlier object";
}

size_t rg_objset_check_dups(const struct rg_objset *s,
			    struct rg_findings *findings, const char *env)
{
	struct rg_objset idx;
	size_t dups = 0;

	/* sort a copy: stable, so the first of a run is the first added */
	rg_objset_init(&idx, s->arena);
	idx.items = rg_arena_calloc(s->arena, s->len + 1, sizeof(*idx.items));
	if (s->len)
		memcpy(idx.items, s->items, s->len * sizeof(*idx.items));
	idx.len = idx.alloc = s->len;
	idx.sorted = s->sorted;
	rg_objset_sort(&idx);
	for (size_t i = 1; i < idx.len; i++) {
		const struct rg_obj *first, *o = &idx.items[i];
		struct rg_finding *fd;
		size_t j = i;

		if (strcmp(idx.items[i - 1].key, o->key))
			continue;
		while (j > 0 && !strcmp(idx.items[j - 1].key, o->key))
			j--;
		first = &idx.items[j];
		dups++;
		fd = rg_finding_add(findings, RG_SEV_DENY, "duplicate-identity",
				    &o->origin,
				    "%s is defined twice (first at %s)",
				    rg_obj_label(s->arena, o),
				    pos_text(s->arena, &first->origin));
		if (!fd)
			continue;
		fd->env = env;
		fd->object = o->key;
		rg_finding_set_hint(
		    findings, fd,
		    "rename one of them, or give them different "
		    "namespaces");
	}
	return dups;
}
