/*
 * kust_names.c - generator name hashes and name-reference updates.
 *
 * Hash (kustomize api/hasher): SHA-256 over the JSON (Go encoding/json
 * form: keys sorted, <>& escaped) of {"data","kind","name"} for a
 * ConfigMap (plus "binaryData" when it is a mapping) and of
 * {"data","kind","name","type"} for a Secret (plus "stringData"). The
 * "name" is always "": kustomize looks the name up with a path that
 * never matches, so the hash does not depend on the name. The first 10
 * hex digits with 0 1 3 a e mapped to g h k m t are the suffix.
 *
 * References (kustomize's nameref filter): after every rename, each
 * field along a nameReference fieldSpec holding an old name of an object
 * of the referenced kind is rewritten to the object's current name,
 * choosing among candidates in the referrer's namespace, with the same
 * prefixes and suffixes, as kustomize does.
 */
#include "rendergate/compat.h"

#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/doc.h"
#include "rendergate/hash.h"
#include "rendergate/kust.h"
#include "rendergate/kustint.h"

/* --- Go encoding/json ------------------------------------------------- */

static void json_str(struct rg_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	rg_buf_addch(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			rg_buf_addch(b, '\\');
			rg_buf_addch(b, (char)c);
		} else if (c == '\n') {
			rg_buf_adds(b, "\\n");
		} else if (c == '\r') {
			rg_buf_adds(b, "\\r");
		} else if (c == '\t') {
			rg_buf_adds(b, "\\t");
		} else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
			rg_buf_adds(b, "\\u00");
			rg_buf_addch(b, hex[c >> 4]);
			rg_buf_addch(b, hex[c & 15]);
		} else if (c == 0xe2 && i + 2 < n &&
			   (unsigned char)s[i + 1] == 0x80 &&
			   ((unsigned char)s[i + 2] == 0xa8 ||
			    (unsigned char)s[i + 2] == 0xa9)) {
			rg_buf_adds(b, (unsigned char)s[i + 2] == 0xa8
					       ? "\\u2028"
					       : "\\u2029");
			i += 2;
		} else {
			rg_buf_addch(b, (char)c);
		}
	}
	rg_buf_addch(b, '"');
}

static int cmp_pair(const void *x, const void *y)
{
	const struct rg_pair *const *a = x, *const *b = y;
	size_t n = (*a)->key.len < (*b)->key.len ? (*a)->key.len : (*b)->key.len;
	int c = memcmp((*a)->key.ptr, (*b)->key.ptr, n);

	if (c)
		return c;
	return (*a)->key.len < (*b)->key.len ? -1 : (*a)->key.len > (*b)->key.len;
}

static void json_node(struct rg_buf *b, const struct rg_node *n, unsigned depth)
{
	char tmp[64];

	if (!n || depth > RG_CAP_YAML_DEPTH) {
		rg_buf_adds(b, "null");
		return;
	}
	switch (n->kind) {
	case RG_NULL:
		rg_buf_adds(b, "null");
		break;
	case RG_BOOL:
		rg_buf_adds(b, n->u.b ? "true" : "false");
		break;
	case RG_INT:
		rg_buf_addf(b, "%lld", (long long)n->u.i);
		break;
	case RG_FLOAT:
		rg_fmt_float(tmp, sizeof(tmp), n->u.f, 'g');
		rg_buf_adds(b, tmp);
		break;
	case RG_STR:
		json_str(b, n->u.s.ptr, n->u.s.len);
		break;
	case RG_SEQ:
		rg_buf_addch(b, '[');
		for (size_t i = 0; i < n->u.seq.len; i++) {
			if (i)
				rg_buf_addch(b, ',');
			json_node(b, n->u.seq.items[i], depth + 1);
		}
		rg_buf_addch(b, ']');
		break;
	case RG_MAP: {
		const struct rg_pair **ps =
			rg_xcalloc(n->u.map.len + 1, sizeof(*ps));

		for (size_t i = 0; i < n->u.map.len; i++)
			ps[i] = &n->u.map.items[i];
		qsort(ps, n->u.map.len, sizeof(*ps), cmp_pair);
		rg_buf_addch(b, '{');
		for (size_t i = 0; i < n->u.map.len; i++) {
			if (i)
				rg_buf_addch(b, ',');
			json_str(b, ps[i]->key.ptr, ps[i]->key.len);
			rg_buf_addch(b, ':');
			json_node(b, ps[i]->val, depth + 1);
		}
		rg_buf_addch(b, '}');
		free(ps);
		break;
	}
	default:
		rg_buf_adds(b, "null");
	}
}

/* A value as the hasher sees it: missing is "", scalars as their text. */
static void json_field(struct rg_buf *b, const struct rg_node *v)
{
	if (!v || v->kind == RG_NULL)
		json_str(b, "", 0);
	else if (v->kind == RG_MAP || v->kind == RG_SEQ)
		json_node(b, v, 0);
	else if (v->kind == RG_STR)
		json_str(b, v->u.s.ptr, v->u.s.len);
	else
		json_node(b, v, 0);
}

int rg_kust_hash(char out[11], const struct rg_node *obj)
{
	const char *kind = rg_kust_str_at(obj, "kind");
	struct rg_buf b = RG_BUF_INIT(RG_CAP_YAML_EMIT_BYTES);
	char hex[RG_SHA256_HEX];
	bool cm = !strcmp(kind, "ConfigMap");
	const struct rg_node *extra;
	int rc = 0;

	if (!cm && strcmp(kind, "Secret")) {
		rc = RG_EINVALID;
		goto out;
	}
	/* keys in byte order: binaryData, data, kind, name, stringData, type */
	rg_buf_addch(&b, '{');
	extra = rg_map_gets(obj, cm ? "binaryData" : "stringData");
	if (cm && extra && extra->kind == RG_MAP) {
		rg_buf_adds(&b, "\"binaryData\":");
		json_node(&b, extra, 0);
		rg_buf_addch(&b, ',');
	}
	rg_buf_adds(&b, "\"data\":");
	json_field(&b, rg_map_gets(obj, "data"));
	rg_buf_adds(&b, cm ? ",\"kind\":\"ConfigMap\",\"name\":\"\""
			   : ",\"kind\":\"Secret\",\"name\":\"\"");
	if (!cm && extra && extra->kind == RG_MAP) {
		rg_buf_adds(&b, ",\"stringData\":");
		json_node(&b, extra, 0);
	}
	if (!cm) {
		rg_buf_adds(&b, ",\"type\":");
		json_field(&b, rg_map_gets(obj, "type"));
	}
	rg_buf_addch(&b, '}');
	rg_sha256_hex(b.ptr, b.len, hex);
	for (int i = 0; i < 10; i++) {
		char c = hex[i];

		switch (c) {
		case '0': c = 'g'; break;
		case '1': c = 'h'; break;
		case '3': c = 'k'; break;
		case 'a': c = 'm'; break;
		case 'e': c = 't'; break;
		default: break;
		}
		out[i] = c;
	}
	out[10] = 0;
out:
	rg_buf_release(&b);
	return rc;
}

int rg_kust_add_hashes(struct rg_arena *a, struct rg_kust_resmap *m,
		       struct rg_err *err)
{
	for (size_t i = 0; i < m->len; i++) {
		struct rg_kust_res *r = m->items[i];
		struct rg_node *md;
		char h[11];

		if (!r->needs_hash)
			continue;
		if (rg_kust_hash(h, r->obj))
			return rg_err_set(err, RG_EINVALID, &r->obj->pos,
					  "cannot hash generated %s",
					  rg_kust_str_at(r->obj, "kind"));
		rg_kust_res_store_prev(a, r);
		md = rg_kust_map_ensure(a, r->obj, "metadata");
		rg_map_set(a, md, "name", 4,
			   rg_node_str(a, rg_arena_printf(
						  a, "%s-%s",
						  rg_kust_str_at(r->obj,
								 "metadata.name"),
						  h)));
	}
	return 0;
}

/* --- name references -------------------------------------------------- */

/* kustomize EffectiveNamespace: cluster-scoped objects have none, an
 * unset namespace is "default". */
static const char *eff_ns(const struct rg_kust_id *id)
{
	if (rg_kust_cluster_scoped(id->group, id->kind))
		return "\001cluster";
	return *id->ns ? id->ns : "default";
}

static bool gvk_selected(const struct rg_kust_id *id, const char *group,
			 const char *version, const char *kind)
{
	if (*group && strcmp(group, id->group))
		return false;
	if (*version && strcmp(version, id->version))
		return false;
	if (*kind && strcmp(kind, id->kind))
		return false;
	return true;
}

static bool same_ending(const char *const *x, size_t nx, const char *const *y,
			size_t ny)
{
	const char *const *s = x, *const *l = y;
	size_t ns = nx, nl = ny, diff;

	if (ns > nl) {
		s = y;
		l = x;
		ns = ny;
		nl = nx;
	}
	diff = nl - ns;
	if (!ns)
		return diff == 0;
	for (size_t i = ns; i-- > 0;)
		if (strcmp(l[i + diff], s[i]))
			return false;
	return true;
}

static bool affixes_equal(const struct rg_kust_res *r,
			  const struct rg_kust_res *o, bool allow_empty)
{
	if (allow_empty) {
		bool pe = !r->nprefix || !o->nprefix;
		bool se = !r->nsuffix || !o->nsuffix;

		return (pe || same_ending(r->prefixes, r->nprefix, o->prefixes,
					  o->nprefix)) &&
		       (se || same_ending(r->suffixes, r->nsuffix, o->suffixes,
					  o->nsuffix));
	}
	return same_ending(r->prefixes, r->nprefix, o->prefixes, o->nprefix) &&
	       same_ending(r->suffixes, r->nsuffix, o->suffixes, o->nsuffix);
}

/* Resources by previous name: kustomize's first sieve, as a hash index. */
struct byname_slot {
	const char *name;
	struct rg_kust_res **items;
	size_t len, alloc;
};

struct byname {
	struct byname_slot *slots;
	size_t cap; /* power of two */
};

struct nr_ctx {
	struct rg_arena *a;
	struct rg_kust_resmap *m;
	struct rg_kust_res *referrer;
	struct rg_kust_id rid; /* the referrer's current id */
	const struct rg_node *subjects; /* of a RoleBinding referrer */
	const struct rg_kust_nameref *target;
	const struct rg_kust_fs *fs;
	struct byname idx;
	struct rg_kust_res **tmp;
};

/* Narrow list in place; returns new length. */
typedef bool (*sieve_fn)(struct nr_ctx *c, struct rg_kust_res *r,
			 const void *arg);

static size_t sieve(struct nr_ctx *c, struct rg_kust_res **l, size_t n,
		    sieve_fn fn, const void *arg)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++)
		if (fn(c, l[i], arg))
			l[w++] = l[i];
	return w;
}

static bool prev_name_matches(struct nr_ctx *c, struct rg_kust_res *r,
			      const void *arg)
{
	(void)c;
	for (size_t i = 0; i < r->nprev; i++)
		if (!strcmp(r->prev[i].name, arg))
			return true;
	return false;
}

static bool prev_gvk_selected(struct nr_ctx *c, struct rg_kust_res *r,
			      const void *arg)
{
	const struct rg_kust_id *sel = arg;

	(void)c;
	for (size_t i = 0; i < r->nprev; i++)
		if (gvk_selected(&r->prev[i], sel->group, sel->version,
				 sel->kind))
			return true;
	return false;
}

static bool same_ns_as_referrer(struct nr_ctx *c, struct rg_kust_res *r,
				const void *arg)
{
	struct rg_kust_id rid, cid;

	(void)arg;
	rg_kust_res_id(&rid, c->referrer->obj);
	rg_kust_res_id(&cid, r->obj);
	if (rg_kust_cluster_scoped(rid.group, rid.kind))
		return true;
	if (rg_kust_cluster_scoped(cid.group, cid.kind))
		return true;
	if (!strcmp(cid.kind, "ServiceAccount"))
		return true;
	return !strcmp(eff_ns(&rid), eff_ns(&cid));
}

static bool affix_sieve(struct nr_ctx *c, struct rg_kust_res *r,
			const void *arg)
{
	return affixes_equal(r, c->referrer, arg != NULL);
}

static bool ns_is(struct nr_ctx *c, struct rg_kust_res *r, const void *arg)
{
	(void)c;
	return !strcmp(rg_kust_str_at(r->obj, "metadata.namespace"), arg);
}

static bool org_ns_is(struct nr_ctx *c, struct rg_kust_res *r,
		      const void *arg)
{
	(void)c;
	return !strcmp(r->org.ns, arg);
}

static void byname_put(struct rg_arena *a, struct byname *ix, const char *name,
		       struct rg_kust_res *r)
{
	size_t h = (size_t)rg_fnv1a(RG_FNV1A_SEED, name, strlen(name));
	struct byname_slot *sl;

	for (h &= ix->cap - 1; ix->slots[h].name; h = (h + 1) & (ix->cap - 1))
		if (!strcmp(ix->slots[h].name, name))
			break;
	sl = &ix->slots[h];
	sl->name = name;
	for (size_t i = 0; i < sl->len; i++)
		if (sl->items[i] == r)
			return;
	if (sl->len == sl->alloc) {
		size_t n = sl->alloc ? sl->alloc * 2 : 2;

		sl->items = rg_arena_grow(a, sl->items, sl->len, n,
					  sizeof(*sl->items));
		sl->alloc = n;
	}
	sl->items[sl->len++] = r;
}

static const struct byname_slot *byname_get(const struct byname *ix,
					    const char *name)
{
	size_t h = (size_t)rg_fnv1a(RG_FNV1A_SEED, name, strlen(name));

	for (h &= ix->cap - 1; ix->slots[h].name; h = (h + 1) & (ix->cap - 1))
		if (!strcmp(ix->slots[h].name, name))
			return &ix->slots[h];
	return NULL;
}

static void byname_build(struct rg_arena *a, struct byname *ix,
			 const struct rg_kust_resmap *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->len; i++)
		n += m->items[i]->nprev;
	ix->cap = 16;
	while (ix->cap < 2 * n + 16)
		ix->cap *= 2;
	ix->slots = rg_arena_calloc(a, ix->cap, sizeof(*ix->slots));
	for (size_t i = 0; i < m->len; i++)
		for (size_t k = 0; k < m->items[i]->nprev; k++)
			byname_put(a, ix, m->items[i]->prev[k].name,
				   m->items[i]);
}

/* kustomize SubsetThatCouldBeReferencedByResource, for one candidate. */
static bool could_ref(const struct nr_ctx *c, const struct rg_kust_res *r)
{
	struct rg_kust_id id;
	const struct rg_node *subj = c->subjects;

	if (rg_kust_cluster_scoped(c->rid.group, c->rid.kind))
		return true;
	rg_kust_res_id(&id, r->obj);
	if (rg_kust_cluster_scoped(id.group, id.kind) ||
	    !strcmp(eff_ns(&id), eff_ns(&c->rid)))
		return true;
	for (size_t j = 0; subj && subj->kind == RG_SEQ && j < subj->u.seq.len;
	     j++) {
		const struct rg_node *s = subj->u.seq.items[j];

		if (!strcmp(rg_kust_str_at(s, "kind"), "ServiceAccount") &&
		    !strcmp(rg_kust_str_at(s, "namespace"), id.ns))
			return true;
	}
	return false;
}

/* Candidates that once had this name and could be referenced, into tmp,
 * in resource order. */
static size_t candidates(struct nr_ctx *c, const char *name)
{
	const struct byname_slot *sl = byname_get(&c->idx, name);
	size_t n = 0;

	for (size_t i = 0; sl && i < sl->len; i++)
		if (could_ref(c, sl->items[i]))
			c->tmp[n++] = sl->items[i];
	return n;
}

static int select_referral(struct rg_kust_res **out, struct nr_ctx *c,
			   const char *old, struct rg_kust_res **l, size_t n,
			   bool check_ns, struct rg_err *err)
{
	struct rg_kust_id tgt = { c->target->group, c->target->version,
				  c->target->kind, "", "", "" };

	*out = NULL;
	n = sieve(c, l, n, prev_name_matches, old);
	n = sieve(c, l, n, prev_gvk_selected, &tgt);
	if (!strcmp(c->fs->path + (strlen(c->fs->path) >= 12
					  ? strlen(c->fs->path) - 12
					  : 0),
		    "roleRef/name")) {
		struct rg_node *rr = rg_map_gets(c->referrer->obj, "roleRef");
		struct rg_kust_id sel = { rg_kust_str_at(rr, "apiGroup"), "",
					  rg_kust_str_at(rr, "kind"), "", "", "" };

		if (rr && *sel.kind)
			n = sieve(c, l, n, prev_gvk_selected, &sel);
	}
	n = sieve(c, l, n, same_ns_as_referrer, NULL);
	if (n == 1)
		goto one;
	n = sieve(c, l, n, affix_sieve, "allow-empty");
	if (n > 1)
		n = sieve(c, l, n, affix_sieve, NULL);
	if (n == 1)
		goto one;
	if (!n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		struct rg_kust_id x, y;

		rg_kust_res_id(&x, l[0]->obj);
		rg_kust_res_id(&y, l[i]->obj);
		if (strcmp(x.name, y.name) ||
		    (check_ns && strcmp(x.ns, y.ns)))
			return rg_err_set(err, RG_EINVALID, &c->referrer->obj->pos,
					  "found multiple possible referrals "
					  "for %s %s in %s %s",
					  c->target->kind, old,
					  rg_kust_str_at(c->referrer->obj, "kind"),
					  rg_kust_str_at(c->referrer->obj,
							 "metadata.name"));
	}
one:
	*out = l[0];
	return 0;
}

static int set_scalar_ref(struct nr_ctx *c, struct rg_node *parent,
			  const char *key, size_t idx, struct rg_node *val,
			  struct rg_err *err)
{
	struct rg_kust_res *ref = NULL;
	const char *cur;
	int rc;

	if (val->kind != RG_STR)
		return 0;
	rc = select_referral(&ref, c, val->u.s.ptr, c->tmp,
			     candidates(c, val->u.s.ptr), false, err);
	if (rc || !ref)
		return rc;
	cur = rg_kust_str_at(ref->obj, "metadata.name");
	if (!strcmp(cur, val->u.s.ptr))
		return 0;
	if (parent->kind == RG_SEQ)
		parent->u.seq.items[idx] = rg_node_str(c->a, cur);
	else
		rg_map_set(c->a, parent, key, strlen(key), rg_node_str(c->a, cur));
	return 0;
}

static int set_mapping_ref(struct nr_ctx *c, struct rg_node *map,
			   struct rg_err *err)
{
	struct rg_node *name = rg_map_gets(map, "name");
	struct rg_node *nsn = rg_map_gets(map, "namespace");
	struct rg_kust_res *ref = NULL;
	size_t n = 0;
	const char *cur, *curns;
	int rc;

	if (!name)
		return rg_err_set(err, RG_EINVALID, &map->pos,
				  "nameReference path %s: no 'name' field",
				  c->fs->path);
	if (name->kind != RG_STR)
		return 0;
	if (!nsn) {
		n = candidates(c, name->u.s.ptr);
	} else {
		/* kustomize groups the candidates by original namespace
		   when any has this one, else by current namespace */
		const char *ns = rg_kust_scalar_text(c->a, nsn);
		bool by_org = false;

		for (size_t i = 0; i < c->m->len && !by_org; i++)
			by_org = could_ref(c, c->m->items[i]) &&
				 org_ns_is(c, c->m->items[i], ns);
		n = candidates(c, name->u.s.ptr);
		n = sieve(c, c->tmp, n, by_org ? org_ns_is : ns_is, ns);
	}
	rc = select_referral(&ref, c, name->u.s.ptr, c->tmp, n, true, err);
	if (rc || !ref)
		return rc;
	cur = rg_kust_str_at(ref->obj, "metadata.name");
	curns = rg_kust_str_at(ref->obj, "metadata.namespace");
	if (!strcmp(cur, name->u.s.ptr) && !*curns)
		return 0;
	rg_map_set(c->a, map, "name", 4, rg_node_str(c->a, cur));
	if (*curns)
		rg_map_set(c->a, map, "namespace", 9, rg_node_str(c->a, curns));
	return 0;
}

static int set_ref(void *ctx, struct rg_node *parent, const char *key,
		   struct rg_node *val, struct rg_err *err)
{
	struct nr_ctx *c = ctx;
	int rc = 0;

	if (!val || val->kind == RG_NULL)
		return 0;
	if (val->kind == RG_MAP)
		return set_mapping_ref(c, val, err);
	if (val->kind == RG_SEQ) {
		for (size_t i = 0; i < val->u.seq.len && !rc; i++) {
			struct rg_node *e = val->u.seq.items[i];

			if (e->kind == RG_MAP)
				rc = set_mapping_ref(c, e, err);
			else
				rc = set_scalar_ref(c, val, NULL, i, e, err);
		}
		return rc;
	}
	return set_scalar_ref(c, parent, key, 0, val, err);
}

int rg_kust_fix_namerefs(struct rg_arena *a, struct rg_kust_resmap *m,
			 const struct rg_kust_tcfg *c, struct rg_err *err)
{
	struct nr_ctx ctx;
	int rc = 0;

	memset(&ctx, 0, sizeof(ctx));
	ctx.a = a;
	ctx.m = m;
	ctx.tmp = rg_arena_calloc(a, m->len + 1, sizeof(*ctx.tmp));
	byname_build(a, &ctx.idx, m);
	for (size_t i = 0; i < m->len && !rc; i++) {
		struct rg_kust_res *r = m->items[i];
		bool have = false;

		ctx.referrer = r;
		for (size_t t = 0; t < c->nnr && !rc; t++) {
			const struct rg_kust_nameref *nr = &c->nr[t];

			for (size_t f = 0; f < nr->refs.len && !rc; f++) {
				const struct rg_kust_fs *fs = &nr->refs.items[f];

				if (!gvk_selected(&r->org, fs->group,
						  fs->version, fs->kind))
					continue;
				if (!have) {
					rg_kust_res_id(&ctx.rid, r->obj);
					ctx.subjects =
						strcmp(ctx.rid.kind,
						       "RoleBinding")
							? NULL
							: rg_map_gets(r->obj,
								      "subjects");
					have = true;
				}
				ctx.target = nr;
				ctx.fs = fs;
				{
					struct rg_kust_fs nf = *fs;

					nf.create = false;
					rc = rg_kust_fs_apply(a, r->obj, &nf, 0,
							      set_ref, &ctx,
							      err);
				}
			}
		}
	}
	return rc;
}
