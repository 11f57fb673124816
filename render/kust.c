/*
 * kust.c - the kustomize build pipeline: loading kustomizations and
 * resources, accumulation, the transformer order, patches, the final
 * steps and the legacy output order. See kust.h.
 */
#include "rendergate/compat.h"

#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/config.h"
#include "rendergate/doc.h"
#include "rendergate/env.h"
#include "rendergate/kust.h"
#include "rendergate/kustint.h"
#include "rendergate/objects.h"
#include "rendergate/regex.h"
#include "rendergate/tree.h"

/* --- resources -------------------------------------------------------- */

const char *rg_kust_str_at(const struct rg_node *n, const char *dotted)
{
	const struct rg_node *v = n ? rg_node_path(n, dotted) : NULL;
	const char *s = v ? rg_node_cstr(v) : NULL;

	return s ? s : "";
}

const char *rg_kust_scalar_text(struct rg_arena *a, const struct rg_node *n)
{
	char tmp[64];

	if (!n)
		return "";
	switch (n->kind) {
	case RG_STR:
		return n->u.s.ptr;
	case RG_INT:
		return rg_arena_printf(a, "%lld", (long long)n->u.i);
	case RG_BOOL:
		return n->u.b ? "true" : "false";
	case RG_FLOAT:
		rg_fmt_float(tmp, sizeof(tmp), n->u.f, 'g');
		return rg_arena_strdup(a, tmp);
	default:
		return "";
	}
}

struct rg_node *rg_kust_map_ensure(struct rg_arena *a, struct rg_node *n,
				   const char *key)
{
	struct rg_node *v = rg_map_gets(n, key);

	if (!v || v->kind != RG_MAP) {
		v = rg_node_map(a);
		rg_map_set(a, n, key, strlen(key), v);
	}
	return v;
}

void rg_kust_split_apiversion(struct rg_arena *a, const char *av,
			      const char **group, const char **version)
{
	const char *slash = strrchr(av, '/');

	if (!slash) {
		*group = "";
		*version = av;
		return;
	}
	*group = a ? rg_arena_strndup(a, av, (size_t)(slash - av)) : "";
	*version = slash + 1;
}

/* Identity without allocation: the group is cut into the struct. */
void rg_kust_res_id(struct rg_kust_id *out, const struct rg_node *obj)
{
	const char *av = rg_kust_str_at(obj, "apiVersion");
	const char *slash = strrchr(av, '/');
	size_t n;

	out->kind = rg_kust_str_at(obj, "kind");
	out->name = rg_kust_str_at(obj, "metadata.name");
	out->ns = rg_kust_str_at(obj, "metadata.namespace");
	out->gbuf[0] = 0;
	out->group = out->gbuf;
	if (!slash) {
		out->version = av;
		return;
	}
	out->version = slash + 1;
	n = (size_t)(slash - av);
	if (n >= sizeof(out->gbuf))
		n = sizeof(out->gbuf) - 1;
	memcpy(out->gbuf, av, n);
	out->gbuf[n] = 0;
}

struct rg_kust_id rg_kust_id_dup(struct rg_arena *a, const struct rg_kust_id *id)
{
	struct rg_kust_id c = *id;

	c.group = rg_arena_strdup(a, id->group);
	c.gbuf[0] = 0;
	return c;
}

static struct rg_kust_id id_copy(struct rg_arena *a, const struct rg_node *obj)
{
	struct rg_kust_id id;

	rg_kust_res_id(&id, obj);
	return rg_kust_id_dup(a, &id);
}

void rg_kust_res_store_prev(struct rg_arena *a, struct rg_kust_res *r)
{
	if (r->nprev == r->prev_alloc) {
		size_t n = r->prev_alloc ? r->prev_alloc * 2 : 4;

		r->prev = rg_arena_grow(a, r->prev, r->nprev, n,
					sizeof(*r->prev));
		r->prev_alloc = n;
	}
	r->prev[r->nprev++] = id_copy(a, r->obj);
}

struct rg_kust_res *rg_kust_res_new(struct rg_arena *a, struct rg_node *obj,
				    const char *file)
{
	struct rg_kust_res *r = rg_arena_alloc(a, sizeof(*r));

	r->obj = obj;
	r->org = id_copy(a, obj);
	r->file = file;
	return r;
}

void rg_kust_resmap_add(struct rg_arena *a, struct rg_kust_resmap *m,
			struct rg_kust_res *r)
{
	if (m->len == m->alloc) {
		size_t n = m->alloc ? m->alloc * 2 : 32;

		m->items = rg_arena_grow(a, m->items, m->len, n,
					 sizeof(*m->items));
		m->alloc = n;
	}
	m->items[m->len++] = r;
}

void rg_kust_resmap_remove(struct rg_kust_resmap *m, size_t i)
{
	memmove(m->items + i, m->items + i + 1,
		(m->len - i - 1) * sizeof(*m->items));
	m->len--;
}

bool rg_kust_cluster_scoped(const char *group, const char *kind)
{
	static const char *const kinds[] = {
		"APIService",
		"CSIDriver",
		"CSINode",
		"CertificateSigningRequest",
		"ClusterRole",
		"ClusterRoleBinding",
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
		"SelfSubjectAccessReview",
		"SelfSubjectRulesReview",
		"StorageClass",
		"SubjectAccessReview",
		"TokenReview",
		"ValidatingAdmissionPolicy",
		"ValidatingAdmissionPolicyBinding",
		"ValidatingWebhookConfiguration",
		"VolumeAttachment",
	};

	(void)group;
	for (size_t i = 0; i < RG_ARRAY_SIZE(kinds); i++)
		if (!strcmp(kind, kinds[i]))
			return true;
	return false;
}

static const char *eff_ns(const struct rg_kust_id *id)
{
	if (rg_kust_cluster_scoped(id->group, id->kind))
		return "";
	return *id->ns ? id->ns : "default";
}

bool rg_kust_id_equal(const struct rg_kust_id *x, const struct rg_kust_id *y)
{
	return !strcmp(x->group, y->group) && !strcmp(x->version, y->version) &&
	       !strcmp(x->kind, y->kind) && !strcmp(x->name, y->name) &&
	       !strcmp(eff_ns(x), eff_ns(y));
}

/* --- the build -------------------------------------------------------- */

struct kbuild {
	struct rg_arena *a;
	struct rg_tree *t;
	unsigned flags;
	struct rg_err *err;
	const char *stack[RG_CAP_KUST_DEPTH];
	size_t depth;
	struct rg_kust_var *vars;
	size_t nvars;
	const struct rg_node *sort_options; /* of the top kustomization */
	bool managed_by; /* buildMetadata: [managedByLabel] at the top */
	size_t builds;	 /* kustomizations built so far (diamonds repeat) */
};

struct acc {
	struct rg_kust_resmap m;
	struct rg_kust_tcfg cfg;
};

static const char *const kfile_names[] = { "kustomization.yaml",
					   "kustomization.yml",
					   "Kustomization" };

bool rg_kust_detect(struct rg_tree *t, const char *dir)
{
	struct rg_arena *a = t->arena;

	for (size_t i = 0; i < RG_ARRAY_SIZE(kfile_names); i++)
		if (rg_tree_stat(t, rg_tree_path_join(a, dir, kfile_names[i])) ==
		    RG_TREE_FILE)
			return true;
	return false;
}

static bool is_remote(const char *s)
{
	return strstr(s, "://") || !strncmp(s, "github.com/", 11) ||
	       !strncmp(s, "git@", 4) || strstr(s, "?ref=") ||
	       !strncmp(s, "gitlab.com/", 11) ||
	       !strncmp(s, "bitbucket.org/", 14);
}

static int read_kfile(struct rg_node **out, const char **file, struct kbuild *b,
		      const char *dir)
{
	const char *data;
	size_t len;
	int rc = RG_ENOTFOUND;

	for (size_t i = 0; i < RG_ARRAY_SIZE(kfile_names); i++) {
		const char *p = rg_tree_path_join(b->a, dir, kfile_names[i]);

		if (rg_tree_stat(b->t, p) != RG_TREE_FILE)
			continue;
		rc = rg_tree_read(b->t, p, &data, &len, b->err);
		if (rc)
			return rc;
		*file = p;
		rc = rg_doc_parse_one(out, b->a, p, data, len, RG_PARSE_YAML12,
				      b->err);
		if (!rc && (*out)->kind == RG_NULL)
			*out = rg_node_map(b->a);
		if (!rc && (*out)->kind != RG_MAP)
			rc = rg_err_set(b->err, RG_EINVALID, &(*out)->pos,
					"%s: a kustomization must be a mapping",
					p);
		return rc;
	}
	/* record the miss so a later kustomization file changes the render */
	rg_tree_read(b->t, rg_tree_path_join(b->a, dir, kfile_names[0]), &data,
		     &len, NULL);
	return rg_err_set(b->err, RG_ENOTFOUND, NULL,
			  "unable to find one of 'kustomization.yaml', "
			  "'kustomization.yml' or 'Kustomization' in directory "
			  "'%s'",
			  *dir ? dir : ".");
}

static int add_resource(struct kbuild *b, struct acc *ra, struct rg_node *obj,
			const char *file)
{
	struct rg_kust_id id;

	if (ra->m.len >= RG_CAP_KUST_RESOURCES)
		return rg_err_set(b->err, RG_ELIMIT, &obj->pos,
				  "more than %u resources "
				  "(RG_CAP_KUST_RESOURCES)",
				  RG_CAP_KUST_RESOURCES);
	rg_kust_res_id(&id, obj);
	if (!*id.kind || !*id.name)
		return rg_err_set(b->err, RG_EINVALID, &obj->pos,
				  "%s: missing %s in a resource", file,
				  !*id.kind ? "kind" : "metadata.name");
	/* duplicates are found in one pass when the entries are loaded */
	rg_kust_resmap_add(b->a, &ra->m, rg_kust_res_new(b->a, obj, file));
	return 0;
}

struct idkey {
	const char *key;
	size_t idx;
};

static int cmp_idkey(const void *x, const void *y)
{
	const struct idkey *a = x, *b = y;
	int c = strcmp(a->key, b->key);

	if (c)
		return c;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/*
 * kustomize refuses a resource whose id is already registered; checking
 * all ids at once (sorted) keeps big builds linear-logarithmic.
 */
static int check_dups(struct kbuild *b, struct acc *ra)
{
	struct idkey *k = rg_xcalloc(ra->m.len + 1, sizeof(*k));
	const struct rg_kust_res *dup = NULL;
	int rc = 0;

	for (size_t i = 0; i < ra->m.len; i++) {
		struct rg_kust_id id;

		rg_kust_res_id(&id, ra->m.items[i]->obj);
		k[i].key = rg_arena_printf(b->a, "%s\001%s\001%s\001%s\001%s",
					   id.group, id.version, id.kind,
					   eff_ns(&id), id.name);
		k[i].idx = i;
	}
	qsort(k, ra->m.len, sizeof(*k), cmp_idkey);
	for (size_t i = 1; i < ra->m.len && !dup; i++)
		if (!strcmp(k[i].key, k[i - 1].key))
			dup = ra->m.items[k[i].idx];
	if (dup) {
		struct rg_kust_id id;

		rg_kust_res_id(&id, dup->obj);
		rc = rg_err_set(b->err, RG_EEXISTS, &dup->obj->pos,
				"may not add resource with an already "
				"registered id: %s %s/%s",
				id.kind, *id.ns ? id.ns : "default", id.name);
	}
	free(k);
	return rc;
}

static int load_file(struct kbuild *b, struct acc *ra, const char *path)
{
	const char *data;
	size_t len;
	struct rg_docs docs;
	int rc = rg_tree_read(b->t, path, &data, &len, b->err);

	if (rc)
		return rc;
	rc = rg_doc_parse(&docs, b->a, path, data, len, RG_PARSE_YAML12, b->err);
	if (rc)
		return rc;
	for (size_t i = 0; i < docs.len && !rc; i++) {
		struct rg_node *d = docs.docs[i];
		const char *kind;
		struct rg_node *items;

		if (!d || d->kind == RG_NULL ||
		    (d->kind == RG_MAP && !d->u.map.len))
			continue;
		if (d->kind != RG_MAP)
			return rg_err_set(b->err, RG_EINVALID, &d->pos,
					  "%s: a resource must be a mapping",
					  path);
		kind = rg_kust_str_at(d, "kind");
		items = rg_map_gets(d, "items");
		if (items && items->kind == RG_SEQ && strlen(kind) >= 4 &&
		    !strcmp(kind + strlen(kind) - 4, "List")) {
			for (size_t j = 0; j < items->u.seq.len && !rc; j++)
				if (items->u.seq.items[j]->kind == RG_MAP)
					rc = add_resource(b, ra,
							  items->u.seq.items[j],
							  path);
			continue;
		}
		rc = add_resource(b, ra, d, path);
	}
	return rc;
}

static int accumulate(struct kbuild *b, struct acc *ra, const char *dir,
		      bool component);

static int sub_build(struct kbuild *b, struct acc *ra, const char *path)
{
	struct acc sub;
	int rc;

	memset(&sub, 0, sizeof(sub));
	rg_kust_tcfg_defaults(b->a, &sub.cfg);
	rc = accumulate(b, &sub, path, false);
	if (rc)
		return rc;
	for (size_t i = 0; i < sub.m.len; i++)
		rg_kust_resmap_add(b->a, &ra->m, sub.m.items[i]);
	rg_kust_tcfg_merge(b->a, &ra->cfg, &sub.cfg);
	return 0;
}

static int load_entries(struct kbuild *b, struct acc *ra, const char *dir,
			const struct rg_node *list, const char *field,
			bool components)
{
	int rc = 0;

	if (!list || list->kind == RG_NULL)
		return 0;
	if (list->kind != RG_SEQ)
		return rg_err_set(b->err, RG_EINVALID, &list->pos,
				  "%s must be a list", field);
	for (size_t i = 0; i < list->u.seq.len && !rc; i++) {
		const struct rg_node *e = list->u.seq.items[i];
		const char *s = rg_node_cstr(e);
		const char *path;
		enum rg_tree_kind k;

		if (!s)
			return rg_err_set(b->err, RG_EINVALID, &e->pos,
					  "%s entries must be strings", field);
		if (is_remote(s))
			return rg_err_set(b->err, RG_EUNSUPPORTED, &e->pos,
					  "unrenderable: remote resource %s",
					  s);
		rc = rg_kust_path_join(&path, b->a, dir, s, b->err);
		if (rc)
			return rc;
		k = rg_tree_stat(b->t, path);
		if (k == RG_TREE_DIR) {
			if (components)
				rc = accumulate(b, ra, path, true);
			else
				rc = sub_build(b, ra, path);
		} else if (k == RG_TREE_FILE && !components) {
			if (!(b->flags & RG_KUST_LOAD_ANYWHERE) &&
			    !rg_kust_path_under(path, dir))
				return rg_err_set(
					b->err, RG_EUNSAFE, &e->pos,
					"security; file '%s' is not in or below "
					"'%s' (load restrictions root-only)",
					path, *dir ? dir : ".");
			rc = load_file(b, ra, path);
		} else if (k == RG_TREE_MISSING) {
			const char *d;
			size_t l;

			/* record the miss for change scoping */
			rg_tree_read(b->t, path, &d, &l, NULL);
			return rg_err_set(b->err, RG_ENOTFOUND, &e->pos,
					  "%s: accumulating %s: '%s' does not "
					  "exist",
					  *dir ? dir : ".", field, path);
		} else {
			rc = rg_tree_read(b->t, path, NULL, NULL, b->err);
			if (!rc)
				rc = rg_err_set(b->err, RG_EINVALID, &e->pos,
						"%s: '%s' cannot be a %s entry",
						*dir ? dir : ".", path, field);
		}
	}
	if (!rc)
		rc = check_dups(b, ra);
	return rc;
}

/* --- selectors -------------------------------------------------------- */

static int regex_full(bool *out, struct rg_arena *a, const char *pat,
		      const char *s, struct rg_err *err)
{
	struct rg_regex *re = NULL;
	const char *anch;
	size_t m[2];
	int rc;

	if (!*pat) {
		*out = true;
		return 0;
	}
	/* literal names are the common case: no regex needed */
	if (!strpbrk(pat, ".*+?()[]{}|^$\\")) {
		*out = !strcmp(pat, s);
		return 0;
	}
	anch = rg_arena_printf(a, "^(?:%s)$", pat);
	rc = rg_regex_compile(&re, anch, strlen(anch), err);
	if (rc)
		return rc;
	rc = rg_regex_exec(re, s, strlen(s), 0, m, err);
	rg_regex_free(re);
	if (rc < 0)
		return rc;
	*out = rc == 1;
	return 0;
}

/* Kubernetes label selector: k=v, k==v, k!=v, k, !k, k in (..), k notin (..) */
static bool selector_matches(struct rg_arena *a, const struct rg_node *labels,
			     const char *sel)
{
	const char *p = sel;

	while (*p) {
		const char *e = p;
		int paren = 0;
		char *req, *q, *key;
		const char *val;
		const struct rg_node *lv;

		while (*e && (*e != ',' || paren)) {
			if (*e == '(')
				paren++;
			if (*e == ')')
				paren--;
			e++;
		}
		req = rg_arena_strndup(a, p, (size_t)(e - p));
		p = *e ? e + 1 : e;
		while (*req == ' ')
			req++;
		for (q = req + strlen(req); q > req && q[-1] == ' ';)
			*--q = 0;
		if (!*req)
			continue;
		if (*req == '!') {
			if (rg_map_gets(labels, req + 1))
				return false;
			continue;
		}
		if ((q = strstr(req, " notin ")) || (q = strstr(req, " in "))) {
			bool notin = q[1] == 'n';
			char *set = strchr(q, '(');
			bool found = false;

			*q = 0;
			key = req;
			lv = rg_map_gets(labels, key);
			val = lv ? rg_kust_scalar_text(a, lv) : NULL;
			for (char *t = set ? set + 1 : NULL; t && *t && *t != ')';) {
				char *c = t;
				size_t l;

				while (*c && *c != ',' && *c != ')')
					c++;
				l = (size_t)(c - t);
				while (l && t[0] == ' ') {
					t++;
					l--;
				}
				while (l && t[l - 1] == ' ')
					l--;
				if (val && strlen(val) == l && !strncmp(val, t, l))
					found = true;
				t = *c == ',' ? c + 1 : c;
			}
			if (notin ? (val && found) : !found)
				return false;
			continue;
		}
		if ((q = strstr(req, "!="))) {
			*q = 0;
			lv = rg_map_gets(labels, req);
			if (lv && !strcmp(rg_kust_scalar_text(a, lv), q + 2))
				return false;
			continue;
		}
		if ((q = strchr(req, '='))) {
			*q = 0;
			val = q[1] == '=' ? q + 2 : q + 1;
			lv = rg_map_gets(labels, req);
			if (!lv || strcmp(rg_kust_scalar_text(a, lv), val))
				return false;
			continue;
		}
		if (!rg_map_gets(labels, req))
			return false;
	}
	return true;
}

int rg_kust_selects(bool *out, struct rg_arena *a, const struct rg_kust_res *r,
		    const struct rg_node *sel, struct rg_err *err)
{
	struct rg_kust_id cur;
	const char *v;
	bool ok = false, ok2 = false;
	int rc;

	*out = false;
	rg_kust_res_id(&cur, r->obj);
	v = rg_kust_str_at(sel, "namespace");
	if (*v) {
		rc = regex_full(&ok, a, v, eff_ns(&r->org), err);
		if (!rc && !ok)
			rc = regex_full(&ok, a, v, eff_ns(&cur), err);
		if (rc || !ok)
			return rc;
	}
	v = rg_kust_str_at(sel, "name");
	rc = regex_full(&ok, a, v, r->org.name, err);
	if (!rc && !ok)
		rc = regex_full(&ok, a, v, cur.name, err);
	if (rc || !ok)
		return rc;
	rc = regex_full(&ok, a, rg_kust_str_at(sel, "group"), cur.group, err);
	if (!rc && ok)
		rc = regex_full(&ok2, a, rg_kust_str_at(sel, "version"),
				cur.version, err);
	if (rc || !ok || !ok2)
		return rc;
	rc = regex_full(&ok, a, rg_kust_str_at(sel, "kind"), cur.kind, err);
	if (rc || !ok)
		return rc;
	v = rg_kust_str_at(sel, "labelSelector");
	if (*v && !selector_matches(a, rg_node_path(r->obj, "metadata.labels"),
				    v))
		return 0;
	v = rg_kust_str_at(sel, "annotationSelector");
	if (*v &&
	    !selector_matches(a, rg_node_path(r->obj, "metadata.annotations"),
			      v))
		return 0;
	*out = true;
	return 0;
}

/* --- patches ---------------------------------------------------------- */

static int patch_text(struct rg_node **docs_out, size_t *ndocs,
		      struct rg_node ***list, struct kbuild *b, const char *dir,
		      const struct rg_node *entry, const char *field)
{
	const char *data, *file = NULL;
	size_t len;
	struct rg_docs docs;
	const char *path = rg_kust_str_at(entry, "path");
	const char *inl = rg_kust_str_at(entry, "patch");
	int rc;

	(void)docs_out;
	if (entry->kind != RG_MAP && strcmp(field, "patchesStrategicMerge"))
		return rg_err_set(b->err, RG_EINVALID, &entry->pos,
				  "invalid Kustomization: %s entries must be "
				  "mappings with path or patch",
				  field);
	if (entry->kind == RG_STR) {
		/* patchesStrategicMerge: a file name or an inline patch */
		const char *s = entry->u.s.ptr;

		if (strchr(s, '\n') || strchr(s, ':'))
			inl = s;
		else
			path = s;
	}
	if (*path) {
		rc = rg_kust_read_rel(&data, &len, &file, b->a, b->t, dir, path,
				      b->flags, b->err);
		if (rc)
			return rc;
	} else if (*inl) {
		data = inl;
		len = strlen(inl);
		file = rg_arena_printf(b->a, "%s (inline %s)",
				       rg_tree_path_join(b->a, dir,
							 "kustomization.yaml"),
				       field);
	} else {
		return rg_err_set(b->err, RG_EINVALID, &entry->pos,
				  "%s: an entry needs a path or a patch", field);
	}
	rc = rg_doc_parse(&docs, b->a, file, data, len, RG_PARSE_YAML12,
			  b->err);
	if (rc)
		return rc;
	*list = docs.docs;
	*ndocs = docs.len;
	return 0;
}

/* Apply one SMP document to resource i; may remove it. */
static int smp_one(struct kbuild *b, struct acc *ra, size_t i,
		   const struct rg_node *patch, bool allow_name,
		   bool allow_kind)
{
	struct rg_kust_res *r = ra->m.items[i];
	struct rg_kust_id id;
	struct rg_node *res = NULL, *p = rg_node_clone(b->a, patch);
	const char *name, *ns, *kind;
	int rc;

	rg_kust_res_id(&id, r->obj);
	name = rg_arena_strdup(b->a, id.name);
	ns = rg_arena_strdup(b->a, id.ns);
	kind = rg_arena_strdup(b->a, id.kind);
	if (allow_name || allow_kind)
		rg_kust_res_store_prev(b->a, r);
	/* the patch's own apiVersion must not rewrite the object's */
	rg_map_set(b->a, p, "apiVersion", 10,
		   rg_node_clone(b->a, rg_map_gets(r->obj, "apiVersion")));
	rc = rg_kust_smp(&res, b->a, r->obj, p, b->err);
	if (rc)
		return rc;
	if (!res || res->kind != RG_MAP || !res->u.map.len) {
		rg_kust_resmap_remove(&ra->m, i);
		return 1;
	}
	r->obj = res;
	{
		struct rg_node *md = rg_kust_map_ensure(b->a, res, "metadata");

		if (!allow_kind)
			rg_map_set(b->a, res, "kind", 4, rg_node_str(b->a, kind));
		if (!allow_name)
			rg_map_set(b->a, md, "name", 4, rg_node_str(b->a, name));
		if (*ns)
			rg_map_set(b->a, md, "namespace", 9,
				   rg_node_str(b->a, ns));
		else
			rg_map_del(md, "namespace", 9);
	}
	return 0;
}

static bool opt_true(const struct rg_node *entry, const char *key)
{
	const struct rg_node *o = rg_map_gets(entry, "options");
	const struct rg_node *v = rg_map_gets(o, key);

	return v && v->kind == RG_BOOL && v->u.b;
}

static int apply_patch_entry(struct kbuild *b, struct acc *ra, const char *dir,
			     const struct rg_node *entry, const char *field,
			     bool json_only)
{
	struct rg_node **docs = NULL;
	size_t nd = 0;
	const struct rg_node *target = rg_map_gets(entry, "target");
	bool an = opt_true(entry, "allowNameChange");
	bool ak = opt_true(entry, "allowKindChange");
	int rc = patch_text(NULL, &nd, &docs, b, dir, entry, field);

	if (rc)
		return rc;
	if (nd == 0)
		return 0;
	if (json_only || (docs[0] && docs[0]->kind == RG_SEQ)) {
		if (!target)
			return rg_err_set(b->err, RG_EINVALID, &entry->pos,
					  "must specify a target for JSON patch");
		for (size_t i = 0; i < ra->m.len; i++) {
			bool sel;
			struct rg_kust_res *r = ra->m.items[i];

			rc = rg_kust_selects(&sel, b->a, r, target, b->err);
			if (rc)
				return rc;
			if (!sel)
				continue;
			const char *kind = rg_kust_str_at(r->obj, "kind");
			const char *name = rg_kust_str_at(r->obj,
							  "metadata.name");

			rg_kust_res_store_prev(b->a, r);
			rc = rg_kust_json6902(&r->obj, b->a, docs[0], b->err);
			if (rc)
				return rg_err_prefix(b->err, "%s patch on %s %s",
						     field, kind, name);
			/* an op on the root ("path": "") may replace the
			 * object with a scalar or a list */
			if (!r->obj || r->obj->kind != RG_MAP)
				return rg_err_set(b->err, RG_EINVALID,
						  &entry->pos,
						  "%s patch on %s %s: the "
						  "result is not an object",
						  field, kind, name);
		}
		return 0;
	}
	for (size_t k = 0; k < nd; k++)
		if (docs[k] && docs[k]->kind != RG_MAP &&
		    docs[k]->kind != RG_NULL)
			return rg_err_set(b->err, RG_EINVALID, &entry->pos,
					  "%s: a strategic merge patch must be "
					  "a mapping",
					  field);
	if (target) {
		if (nd > 1)
			return rg_err_set(b->err, RG_EINVALID, &entry->pos,
					  "multiple strategic merge patches in "
					  "one entry cannot have a target");
		for (size_t i = 0; i < ra->m.len;) {
			bool sel;

			rc = rg_kust_selects(&sel, b->a, ra->m.items[i], target,
					     b->err);
			if (rc)
				return rc;
			if (!sel) {
				i++;
				continue;
			}
			rc = smp_one(b, ra, i, docs[0], an, ak);
			if (rc < 0)
				return rc;
			if (rc == 0)
				i++;
		}
		return 0;
	}
	for (size_t d = 0; d < nd; d++) {
		const struct rg_node *p = docs[d];
		struct rg_kust_id pid;
		size_t found = SIZE_MAX, nfound = 0;

		if (!p || p->kind != RG_MAP)
			continue;
		rg_kust_res_id(&pid, p);
		for (size_t i = 0; i < ra->m.len; i++) {
			struct rg_kust_res *r = ra->m.items[i];
			struct rg_kust_id cur;
			bool match;

			rg_kust_res_id(&cur, r->obj);
			match = rg_kust_id_equal(&cur, &pid);
			for (size_t k = 0; !match && k < r->nprev; k++)
				match = rg_kust_id_equal(&r->prev[k], &pid);
			if (match) {
				found = i;
				nfound++;
			}
		}
		if (nfound != 1)
			return rg_err_set(
				b->err, nfound ? RG_EINVALID : RG_ENOTFOUND,
				&p->pos,
				"%s matches for strategic merge patch %s %s/%s "
				"(group %s, version %s)",
				nfound ? "multiple" : "no resource", pid.kind,
				*pid.ns ? pid.ns : "default", pid.name,
				*pid.group ? pid.group : "core", pid.version);
		rc = smp_one(b, ra, found, p, an, ak);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int run_patches(struct kbuild *b, struct acc *ra, const char *dir,
		       const struct rg_node *list, const char *field,
		       bool json_only)
{
	int rc = 0;

	if (!list || list->kind == RG_NULL)
		return 0;
	if (list->kind != RG_SEQ)
		return rg_err_set(b->err, RG_EINVALID, &list->pos,
				  "%s must be a list", field);
	for (size_t i = 0; i < list->u.seq.len && !rc; i++)
		rc = apply_patch_entry(b, ra, dir, list->u.seq.items[i], field,
				       json_only);
	return rc;
}

/* --- one kustomization ------------------------------------------------ */

static int load_configurations(struct kbuild *b, struct acc *ra,
			       const char *dir, const struct rg_node *list)
{
	int rc = 0;

	for (size_t i = 0; list && list->kind == RG_SEQ && i < list->u.seq.len &&
			   !rc;
	     i++) {
		const char *data, *file;
		size_t len;
		struct rg_node *doc;
		const char *rel = rg_node_cstr(list->u.seq.items[i]);

		if (!rel)
			continue;
		rc = rg_kust_read_rel(&data, &len, &file, b->a, b->t, dir, rel,
				      b->flags, b->err);
		if (!rc)
			rc = rg_doc_parse_one(&doc, b->a, file, data, len,
					      RG_PARSE_YAML12, b->err);
		if (!rc)
			rc = rg_kust_tcfg_load(b->a, &ra->cfg, doc, file, b->err);
	}
	return rc;
}

static int labels_transform(struct kbuild *b, struct acc *ra,
			    const struct rg_node *k)
{
	const struct rg_node *labels = rg_map_gets(k, "labels");
	const struct rg_node *common = rg_map_gets(k, "commonLabels");
	int rc = 0;

	for (size_t i = 0; labels && labels->kind == RG_SEQ &&
			   i < labels->u.seq.len && !rc;
	     i++) {
		const struct rg_node *l = labels->u.seq.items[i];
		struct rg_kust_fslist fsl = { NULL, 0, 0 };
		const struct rg_node *f = rg_map_gets(l, "fields");
		struct rg_kust_fs meta = { "", "", "", "metadata/labels", true,
					   NULL, 0 };

		if (f) {
			struct rg_kust_tcfg tmp;
			struct rg_node *wrap = rg_node_map(b->a);

			memset(&tmp, 0, sizeof(tmp));
			rg_map_set(b->a, wrap, "labels", 6,
				   rg_node_clone(b->a, f));
			rc = rg_kust_tcfg_load(b->a, &tmp, wrap, "labels.fields",
					       b->err);
			if (rc)
				return rc;
			for (size_t j = 0; j < tmp.labels.len; j++)
				rg_kust_fslist_add(b->a, &fsl,
						   &tmp.labels.items[j]);
		}
		for (size_t j = 0; j < ra->cfg.labels.len; j++)
			rg_kust_fslist_add(b->a, &fsl, &ra->cfg.labels.items[j]);
		if (opt_true(l, "includeSelectors") ||
		    (rg_map_gets(l, "includeSelectors") &&
		     rg_map_gets(l, "includeSelectors")->kind == RG_BOOL &&
		     rg_map_gets(l, "includeSelectors")->u.b)) {
			for (size_t j = 0; j < ra->cfg.common_labels.len; j++)
				rg_kust_fslist_add(b->a, &fsl,
						   &ra->cfg.common_labels.items[j]);
		} else {
			const struct rg_node *it =
				rg_map_gets(l, "includeTemplates");

			if (it && it->kind == RG_BOOL && it->u.b)
				for (size_t j = 0;
				     j < ra->cfg.template_labels.len; j++)
					rg_kust_fslist_add(
						b->a, &fsl,
						&ra->cfg.template_labels.items[j]);
			rg_kust_fslist_add(b->a, &fsl, &meta);
		}
		rc = rg_kust_tr_map_entries(b->a, &ra->m, &fsl,
					    rg_map_gets(l, "pairs"), b->err);
	}
	if (!rc && common)
		rc = rg_kust_tr_map_entries(b->a, &ra->m, &ra->cfg.common_labels,
					    common, b->err);
	return rc;
}

static int run_transformers(struct kbuild *b, struct acc *ra, const char *dir,
			    const struct rg_node *k)
{
	const char *ns = rg_kust_str_at(k, "namespace");
	const char *prefix = rg_kust_str_at(k, "namePrefix");
	const char *suffix = rg_kust_str_at(k, "nameSuffix");
	const struct rg_node *l;
	int rc;

	rc = run_patches(b, ra, dir, rg_map_gets(k, "patchesStrategicMerge"),
			 "patchesStrategicMerge", false);
	if (!rc)
		rc = run_patches(b, ra, dir, rg_map_gets(k, "patches"),
				 "patches", false);
	if (!rc && *ns)
		rc = rg_kust_tr_namespace(b->a, &ra->m, &ra->cfg, ns, b->err);
	if (!rc && *prefix)
		rc = rg_kust_tr_affix(b->a, &ra->m, &ra->cfg.prefix, prefix,
				      false, b->err);
	if (!rc && *suffix)
		rc = rg_kust_tr_affix(b->a, &ra->m, &ra->cfg.suffix, suffix,
				      true, b->err);
	if (!rc)
		rc = labels_transform(b, ra, k);
	if (!rc)
		rc = rg_kust_tr_map_entries(b->a, &ra->m, &ra->cfg.annotations,
					    rg_map_gets(k, "commonAnnotations"),
					    b->err);
	if (!rc)
		rc = run_patches(b, ra, dir, rg_map_gets(k, "patchesJson6902"),
				 "patchesJson6902", true);
	l = rg_map_gets(k, "replicas");
	for (size_t i = 0; !rc && l && l->kind == RG_SEQ && i < l->u.seq.len;
	     i++)
		rc = rg_kust_tr_replicas(b->a, &ra->m, &ra->cfg.replicas,
					 l->u.seq.items[i], b->err);
	/* imageTags is the deprecated spelling of images */
	for (int f = 0; f < 2; f++) {
		l = rg_map_gets(k, f ? "imageTags" : "images");
		for (size_t i = 0;
		     !rc && l && l->kind == RG_SEQ && i < l->u.seq.len; i++)
			rc = rg_kust_tr_images(b->a, &ra->m, &ra->cfg.images,
					       l->u.seq.items[i], b->err);
	}
	l = rg_map_gets(k, "replacements");
	if (!rc && l)
		rc = rg_kust_replacements(b->a, &ra->m, l, b->t, dir, b->flags,
					  b->err);
	return rc;
}

/* The fields of a Kustomization (kustomize rejects any other). */
static const char *const known_fields[] = {
	"apiVersion", "kind", "metadata", "openapi", "namePrefix", "nameSuffix",
	"namespace", "commonLabels", "labels", "commonAnnotations",
	"patchesStrategicMerge", "patchesJson6902", "patches", "images",
	"imageTags", "replacements", "replicas", "vars", "sortOptions",
	"resources", "components", "crds", "bases", "configMapGenerator",
	"secretGenerator", "helmGlobals", "helmCharts",
	"helmChartInflationGenerator", "generatorOptions", "configurations",
	"generators", "transformers", "validators", "buildMetadata",
};

static int check_unsupported(struct kbuild *b, const struct rg_node *k,
			     const char *file)
{
	static const char *const fields[] = { "helmChartInflationGenerator",
					      "transformers", "generators",
					      "validators", "openapi", "crds" };
	const struct rg_node *bm = rg_map_gets(k, "buildMetadata");

	for (size_t i = 0; i < k->u.map.len; i++) {
		const struct rg_pair *p = &k->u.map.items[i];
		bool known = false;

		for (size_t j = 0; j < RG_ARRAY_SIZE(known_fields) && !known; j++)
			known = !strcmp(p->key.ptr, known_fields[j]);
		if (!known)
			return rg_err_set(b->err, RG_EINVALID, &p->key_pos,
					  "invalid Kustomization: unknown field "
					  "\"%s\"",
					  p->key.ptr);
	}
	for (size_t i = 0; bm && bm->kind == RG_SEQ && i < bm->u.seq.len; i++) {
		const char *o = rg_kust_scalar_text(b->a, bm->u.seq.items[i]);

		if (strcmp(o, "managedByLabel"))
			return rg_err_set(b->err, RG_EUNSUPPORTED,
					  &bm->u.seq.items[i]->pos,
					  "unrenderable: buildMetadata %s is not "
					  "something rendergate renders",
					  o);
		if (b->depth == 1)
			b->managed_by = true;
	}
	for (size_t i = 0; i < RG_ARRAY_SIZE(fields); i++) {
		const struct rg_node *v = rg_map_gets(k, fields[i]);

		if (v && !(v->kind == RG_SEQ && !v->u.seq.len) &&
		    v->kind != RG_NULL)
			return rg_err_set(b->err, RG_EUNSUPPORTED, &v->pos,
					  "unrenderable: the kustomization uses "
					  "%s, which rendergate does not render",
					  fields[i]);
	}
	return 0;
}

/* Resolve var objrefs against what is accumulated now (kustomize MergeVars). */
static int merge_vars(struct kbuild *b, struct acc *ra, const struct rg_node *vars)
{
	for (size_t i = 0; vars && vars->kind == RG_SEQ && i < vars->u.seq.len;
	     i++) {
		const struct rg_node *v = vars->u.seq.items[i];
		const char *name = rg_kust_str_at(v, "name");
		const struct rg_node *o = rg_map_gets(v, "objref");
		struct rg_kust_id want;
		size_t nmatch = 0;
		struct rg_kust_res *match = NULL;

		for (size_t j = 0; j < b->nvars; j++)
			if (!strcmp(rg_kust_str_at(b->vars[j].def, "name"), name))
				return rg_err_set(b->err, RG_EEXISTS, &v->pos,
						  "var '%s' already encountered",
						  name);
		want.kind = rg_kust_str_at(o, "kind");
		want.name = rg_kust_str_at(o, "name");
		want.ns = rg_kust_str_at(o, "namespace");
		if (*rg_kust_str_at(o, "apiVersion"))
			rg_kust_split_apiversion(b->a,
						 rg_kust_str_at(o, "apiVersion"),
						 &want.group, &want.version);
		else {
			want.group = rg_kust_str_at(o, "group");
			want.version = rg_kust_str_at(o, "version");
		}
		for (size_t j = 0; j < ra->m.len; j++) {
			struct rg_kust_res *r = ra->m.items[j];
			struct rg_kust_id cur;
			bool hit = false;

			for (size_t k = 0; k <= r->nprev && !hit; k++) {
				if (k < r->nprev)
					cur = r->prev[k];
				else
					rg_kust_res_id(&cur, r->obj);
				hit = !strcmp(cur.kind, want.kind) &&
				      !strcmp(cur.name, want.name) &&
				      (!*want.group ||
				       !strcmp(cur.group, want.group)) &&
				      (!*want.version ||
				       !strcmp(cur.version, want.version)) &&
				      (!*want.ns || !strcmp(eff_ns(&cur),
							    eff_ns(&want)));
			}
			if (hit) {
				match = r;
				nmatch++;
			}
		}
		if (nmatch > 1)
			return rg_err_set(b->err, RG_EINVALID, &v->pos,
					  "found %zu resId matches for var %s "
					  "(unable to disambiguate)",
					  nmatch, name);
		b->vars = rg_arena_grow(b->a, b->vars, b->nvars, b->nvars + 1,
					sizeof(*b->vars));
		b->vars[b->nvars].def = v;
		b->vars[b->nvars++].res = match;
	}
	return 0;
}

static int accumulate(struct kbuild *b, struct acc *ra, const char *dir,
		      bool component)
{
	struct rg_node *k = NULL;
	const char *file = NULL, *kind;
	int rc;

	for (size_t i = 0; i < b->depth; i++)
		if (!strcmp(b->stack[i], dir))
			return rg_err_set(b->err, RG_EINVALID, NULL,
					  "cycle: kustomization '%s' includes "
					  "itself (through %s)",
					  *dir ? dir : ".",
					  *b->stack[b->depth - 1]
						  ? b->stack[b->depth - 1]
						  : ".");
	if (++b->builds > RG_CAP_KUST_BUILDS)
		return rg_err_set(b->err, RG_ELIMIT, NULL,
				  "more than %u kustomizations built for one "
				  "render at '%s' (RG_CAP_KUST_BUILDS)",
				  RG_CAP_KUST_BUILDS, dir);
	if (b->depth >= RG_CAP_KUST_DEPTH)
		return rg_err_set(b->err, RG_ELIMIT, NULL,
				  "kustomizations nested deeper than %u levels "
				  "at '%s' (RG_CAP_KUST_DEPTH)",
				  RG_CAP_KUST_DEPTH, dir);
	b->stack[b->depth++] = dir;
	rc = read_kfile(&k, &file, b, dir);
	if (rc)
		goto out;
	kind = rg_kust_str_at(k, "kind");
	if (component && strcmp(kind, "Component")) {
		rc = rg_err_set(b->err, RG_EINVALID, &k->pos,
				"%s: a component must have kind Component", file);
		goto out;
	}
	if (!component && *kind && strcmp(kind, "Kustomization")) {
		rc = rg_err_set(b->err, RG_EINVALID, &k->pos,
				"%s: kind %s cannot be built as a kustomization",
				file, kind);
		goto out;
	}
	rc = check_unsupported(b, k, file);
	if (rc)
		goto out;
	if (b->depth == 1)
		b->sort_options = rg_map_gets(k, "sortOptions");
	rc = load_entries(b, ra, dir, rg_map_gets(k, "resources"), "resources",
			  false);
	if (!rc)
		rc = load_entries(b, ra, dir, rg_map_gets(k, "bases"), "bases",
				  false);
	if (!rc)
		rc = load_configurations(b, ra, dir,
					 rg_map_gets(k, "configurations"));
	if (!rc)
		rc = rg_kust_generate(b->a, &ra->m, b->t, dir, k, b->flags,
				      b->err);
	if (!rc)
		rc = rg_kust_helm(b->a, &ra->m, b->t, dir, k, b->flags, b->err);
	if (!rc)
		rc = check_dups(b, ra);
	if (!rc)
		rc = load_entries(b, ra, dir, rg_map_gets(k, "components"),
				  "components", true);
	if (!rc)
		rc = run_transformers(b, ra, dir, k);
	if (!rc)
		rc = merge_vars(b, ra, rg_map_gets(k, "vars"));
out:
	b->depth--;
	return rc;
}

/* --- legacy order ----------------------------------------------------- */

static const char *const order_first[] = {
	"Namespace",
	"ResourceQuota",
	"StorageClass",
	"CustomResourceDefinition",
	"ServiceAccount",
	"PodSecurityPolicy",
	"Role",
	"ClusterRole",
	"RoleBinding",
	"ClusterRoleBinding",
	"ConfigMap",
	"Secret",
	"Endpoints",
	"Service",
	"LimitRange",
	"PriorityClass",
	"PersistentVolume",
	"PersistentVolumeClaim",
	"Deployment",
	"StatefulSet",
	"CronJob",
	"PodDisruptionBudget",
};

static const char *const order_last[] = {
	"MutatingWebhookConfiguration",
	"ValidatingWebhookConfiguration",
};

/* Lists of kinds sorted first and last (sortOptions may give its own). */
struct order_lists {
	const char *const *first, *const *last;
	size_t nfirst, nlast;
};

static int type_order(const struct order_lists *o, const char *kind)
{
	int n = (int)o->nfirst;

	for (int i = 0; i < n; i++)
		if (!strcmp(kind, o->first[i]))
			return -n + i;
	for (int i = 0; i < (int)o->nlast; i++)
		if (!strcmp(kind, o->last[i]))
			return 1 + i;
	return 0;
}

/* A list of strings from a sequence node (arena), or the default. */
static void str_list(struct rg_arena *a, const struct rg_node *seq,
		     const char *const **out, size_t *n)
{
	const char **l;

	if (!seq || seq->kind != RG_SEQ)
		return;
	l = rg_arena_calloc(a, seq->u.seq.len + 1, sizeof(char *));
	for (size_t i = 0; i < seq->u.seq.len; i++)
		l[i] = rg_kust_scalar_text(a, seq->u.seq.items[i]);
	*out = l;
	*n = seq->u.seq.len;
}

struct sortkey {
	struct rg_node *obj;
	int order;
	const char *gvk;
	const char *full;
	const char *kind, *group;
};

static int cmp_legacy(const void *x, const void *y)
{
	const struct sortkey *a = x, *b = y;

	if (strcmp(a->gvk, b->gvk)) {
		if (a->order != b->order)
			return a->order < b->order ? -1 : 1;
		if (!strcmp(a->kind, "Namespace") && !strcmp(b->kind, "Namespace") &&
		    (!*a->group || !*b->group))
			return -strcmp(a->gvk, b->gvk);
		return strcmp(a->gvk, b->gvk);
	}
	return strcmp(a->full, b->full);
}

static void legacy_sort(struct rg_arena *a, struct rg_kust_result *res,
			const struct rg_node *legacy_opts)
{
	struct sortkey *k = rg_arena_calloc(a, res->len + 1, sizeof(*k));
	struct order_lists o = { order_first, order_last,
				 RG_ARRAY_SIZE(order_first),
				 RG_ARRAY_SIZE(order_last) };

	str_list(a, rg_map_gets(legacy_opts, "orderFirst"), &o.first, &o.nfirst);
	str_list(a, rg_map_gets(legacy_opts, "orderLast"), &o.last, &o.nlast);

	for (size_t i = 0; i < res->len; i++) {
		struct rg_kust_id id;

		rg_kust_res_id(&id, res->objs[i]);
		k[i].obj = res->objs[i];
		k[i].order = type_order(&o, id.kind);
		k[i].kind = id.kind;
		k[i].group = rg_arena_strdup(a, id.group);
		k[i].gvk = rg_arena_printf(a, "%s_%s_%s",
					   *id.group ? id.group : "~G",
					   *id.version ? id.version : "~V",
					   *id.kind ? id.kind : "~K");
		k[i].full = rg_arena_printf(a, "%s|%s|%s", k[i].gvk,
					    *id.ns ? id.ns : "~X",
					    *id.name ? id.name : "~N");
	}
	qsort(k, res->len, sizeof(*k), cmp_legacy);
	for (size_t i = 0; i < res->len; i++)
		res->objs[i] = k[i].obj;
}

int rg_kust_build(struct rg_kust_result *out, struct rg_arena *a,
		  struct rg_tree *t, const char *dir, unsigned flags,
		  struct rg_err *err)
{
	struct kbuild b;
	struct acc ra;
	struct rg_kust_result res = { NULL, 0 };
	int rc;

	memset(&b, 0, sizeof(b));
	memset(&ra, 0, sizeof(ra));
	b.a = a;
	b.t = t;
	b.flags = flags;
	b.err = err;
	rc = rg_tree_path_check(dir, err);
	if (rc)
		return rc;
	rg_kust_tcfg_defaults(a, &ra.cfg);
	rc = accumulate(&b, &ra, dir, false);
	if (!rc)
		rc = rg_kust_add_hashes(a, &ra.m, err);
	if (!rc)
		rc = rg_kust_fix_namerefs(a, &ra.m, &ra.cfg, err);
	if (!rc && b.nvars)
		rc = rg_kust_vars_resolve(a, &ra.m, b.vars, b.nvars, &ra.cfg,
					  err);
	if (rc)
		return rc;
	if (b.managed_by) {
		/* kubectl's embedded kustomize reports its version as (devel) */
		for (size_t i = 0; i < ra.m.len; i++) {
			struct rg_node *md = rg_kust_map_ensure(
				a, ra.m.items[i]->obj, "metadata");
			struct rg_node *l = rg_kust_map_ensure(a, md, "labels");

			rg_map_set(a, l, "app.kubernetes.io/managed-by", 28,
				   rg_node_str(a, "kustomize-(devel)"));
		}
	}
	res.objs = rg_arena_calloc(a, ra.m.len + 1, sizeof(*res.objs));
	for (size_t i = 0; i < ra.m.len; i++) {
		struct rg_node *o = ra.m.items[i]->obj;
		const struct rg_node *lc = rg_node_path(
			o, "metadata.annotations");

		lc = rg_map_gets(lc, "config.kubernetes.io/local-config");
		if (lc && !strcmp(rg_kust_scalar_text(a, lc), "true"))
			continue;
		res.objs[res.len++] = o;
	}
	{
		const char *order = rg_kust_str_at(b.sort_options, "order");

		/* sortOptions in the kustomization win over the default */
		if (!strcmp(order, "legacy") ||
		    (!*order && !(flags & RG_KUST_FIFO)))
			legacy_sort(a, &res,
				    rg_map_gets(b.sort_options,
						"legacySortOptions"));
		else if (*order && strcmp(order, "fifo"))
			return rg_err_set(err, RG_EINVALID,
					  &b.sort_options->pos,
					  "sortOptions.order must be legacy or "
					  "fifo, not '%s'",
					  order);
	}
	*out = res;
	return 0;
}

int rg_kust_emit(struct rg_buf *out, const struct rg_kust_result *res)
{
	int rc = 0;

	for (size_t i = 0; i < res->len && !rc; i++) {
		if (i)
			rc = rg_buf_adds(out, "---\n");
		if (!rc)
			rc = rg_doc_emit(out, res->objs[i], 0);
	}
	return rc;
}

int rg_kust_render(struct rg_objset *out, struct rg_findings *findings,
		   const struct rg_render_req *req, struct rg_err *err)
{
	struct rg_kust_result res = { NULL, 0 };
	const char *env = req->env ? req->env->name : "";
	int rc = rg_kust_build(&res, req->arena, req->tree, req->path, 0, err);

	if (rc)
		return rc;
	for (size_t i = 0; i < res.len; i++) {
		/* an object without identity becomes a finding; go on */
		rc = rg_objset_add_doc(NULL, out, res.objs[i], findings,
				       "kustomize", env, err);
		if (rc == RG_ELIMIT)
			return rc;
	}
	return 0;
}
