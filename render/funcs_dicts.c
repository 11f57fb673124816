#include "rendergate/compat.h"
#include "rendergate/funcs_lib.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/json.h"

/* Sprig's dict functions (dict.go) with mergo v0.3.12's map merge. */

static bool is_map(const struct rg_node *n)
{
	return n && n->kind == RG_MAP;
}

/* a value to store in a map: Go nil is an RG_NULL node */
static struct rg_node *stored(struct rg_tmpl_call *c, struct rg_node *v)
{
	return v ? v : rg_node_null(c->arena);
}

/* an interface{} result: a nil value is Go's "no value" */
static struct rg_node *result(struct rg_node *v)
{
	return rg_tmpl_isnil(v) ? NULL : v;
}

static int fn_dict(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, size_t nargs)
{
	struct rg_node *m = rg_node_map(c->arena);
	int rc = 0;

	for (size_t i = 0; i < nargs; i += 2) {
		struct rg_str k;

		rc = rg_funcs_strval(&k, c, args[i]);
		if (rc)
			goto out;
		rg_map_set(c->arena, m, k.ptr, k.len,
			   i + 1 < nargs ? stored(c, args[i + 1]) : rg_node_str(c->arena, ""));
	}
	*out = m;
out:
	return rc;
}

/* get MAP KEY: the value, or "" when the key is missing */
static int fn_get(struct rg_node **out, struct rg_tmpl_call *c,
		  struct rg_node *const *args, size_t nargs)
{
	struct rg_node *m = NULL, *v = NULL;
	struct rg_str k;
	int rc = 0;

	RG_FUNCS_MAP(m, 0);
	RG_FUNCS_STR(k, 1);
	v = m ? rg_map_get(m, k.ptr, k.len) : NULL;
	*out = v ? result(v) : rg_node_str(c->arena, "");
out:
	return rc;
}

/* set MAP KEY VALUE: modifies MAP and returns it */
static int fn_set(struct rg_node **out, struct rg_tmpl_call *c,
		  struct rg_node *const *args, size_t nargs)
{
	struct rg_node *m = NULL;
	struct rg_str k;
	int rc = 0;

	RG_FUNCS_MAP(m, 0);
	RG_FUNCS_STR(k, 1);
	if (!m) {
		rc = rg_tmpl_fail(c, "assignment to entry in nil map");
		goto out;
	}
	rg_map_set(c->arena, m, k.ptr, k.len, stored(c, args[2]));
	*out = m;
out:
	return rc;
}

static int fn_unset(struct rg_node **out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, size_t nargs)
{
	struct rg_node *m = NULL;
	struct rg_str k;
	int rc = 0;

	RG_FUNCS_MAP(m, 0);
	RG_FUNCS_STR(k, 1);
	if (m)
		rg_map_del(m, k.ptr, k.len);
	*out = m ? m : rg_node_map(c->arena);
out:
	return rc;
}

static int fn_has_key(struct rg_node **out, struct rg_tmpl_call *c,
		      struct rg_node *const *args, size_t nargs)
{
	struct rg_node *m = NULL;
	struct rg_str k;
	int rc = 0;

	RG_FUNCS_MAP(m, 0);
	RG_FUNCS_STR(k, 1);
	*out = rg_node_bool(c->arena, m && rg_map_get(m, k.ptr, k.len));
out:
	return rc;
}

/* pluck KEY MAPS...: the values of KEY in the maps that have it */
static int fn_pluck(struct rg_node **out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, size_t nargs)
{
	struct rg_node *l = rg_node_seq(c->arena);
	struct rg_str k;
	int rc = 0;

	RG_FUNCS_STR(k, 0);
	for (size_t i = 1; i < nargs; i++) {
		struct rg_node *m = NULL, *v = NULL;

		RG_FUNCS_MAP(m, i);
		v = m ? rg_map_get(m, k.ptr, k.len) : NULL;
		if (v)
			rg_seq_push(c->arena, l, v);
	}
	*out = l;
out:
	return rc;
}

/* The pairs of m in byte order of their keys (Go's map order is random). */
static const struct rg_pair **sorted_pairs(struct rg_tmpl_call *c, const struct rg_node *m)
{
	const struct rg_pair **ps = rg_arena_calloc(c->arena, m->u.map.len + 1, sizeof(*ps));

	for (size_t i = 0; i < m->u.map.len; i++)
		ps[i] = &m->u.map.items[i];
	qsort(ps, m->u.map.len, sizeof(*ps), rg_json_pair_cmp);
	return ps;
}

/* keys MAPS...: []string, each map's keys sorted */
static int fn_keys(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, size_t nargs)
{
	struct rg_node *l = rg_tmpl_typed(rg_node_seq(c->arena), RG_GT_STRSLICE);
	int rc = 0;

	for (size_t i = 0; i < nargs; i++) {
		struct rg_node *m = NULL;
		const struct rg_pair **ps = NULL;

		RG_FUNCS_MAP(m, i);
		if (!m)
			continue;
		ps = sorted_pairs(c, m);
		for (size_t k = 0; k < m->u.map.len; k++)
			rg_seq_push(c->arena, l, rg_node_strn(c->arena, ps[k]->key.ptr, ps[k]->key.len));
	}
	*out = l;
out:
	return rc;
}

/* values MAP: []interface{} in sorted key order */
static int fn_values(struct rg_node **out, struct rg_tmpl_call *c,
		     struct rg_node *const *args, size_t nargs)
{
	struct rg_node *l = rg_node_seq(c->arena), *m = NULL;
	int rc = 0;

	RG_FUNCS_MAP(m, 0);
	if (m) {
		const struct rg_pair **ps = sorted_pairs(c, m);

		for (size_t k = 0; k < m->u.map.len; k++)
			rg_seq_push(c->arena, l, ps[k]->val);
	}
	*out = l;
out:
	return rc;
}

/* pick MAP KEYS... / omit MAP KEYS... */
static int pick_omit(struct rg_node **out, struct rg_tmpl_call *c,
		     struct rg_node *const *args, size_t nargs, bool pick)
{
	struct rg_node *m = NULL, *r = rg_node_map(c->arena);
	struct rg_str *ks = rg_arena_calloc(c->arena, nargs, sizeof(*ks));
	int rc = 0;

	RG_FUNCS_MAP(m, 0);
	for (size_t i = 1; i < nargs; i++)
		RG_FUNCS_STR(ks[i], i);
	if (!m)
		goto done;
	if (pick) {
		for (size_t i = 1; i < nargs; i++) {
			struct rg_node *v = rg_map_get(m, ks[i].ptr, ks[i].len);

			if (v)
				rg_map_set(c->arena, r, ks[i].ptr, ks[i].len, v);
		}
	} else {
		for (size_t k = 0; k < m->u.map.len; k++) {
			const struct rg_pair *p = &m->u.map.items[k];
			bool drop = false;

			for (size_t i = 1; i < nargs && !drop; i++)
				drop = ks[i].len == p->key.len && memcmp(ks[i].ptr, p->key.ptr, p->key.len) == 0;
			if (!drop)
				rg_map_set(c->arena, r, p->key.ptr, p->key.len, p->val);
		}
	}
done:
	*out = r;
out:
	return rc;
}

static int fn_pick(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, size_t nargs)
{
	return pick_omit(out, c, args, nargs, true);
}

static int fn_omit(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, size_t nargs)
{
	return pick_omit(out, c, args, nargs, false);
}

/*
 * mergo v0.3.12 deepMerge of two map[string]interface{} values, as traced
 * through its Map case: nested maps merge in place, a slice is taken from
 * src only when dst's value is missing or empty (or with overwrite),
 * other values fill missing or empty dst values (or all, with overwrite,
 * even with empty src values); a nil src value only clears with
 * overwrite; and a non-empty dst value facing a map or slice in src is
 * kept even with overwrite.
 */
static int merge_map(struct rg_tmpl_call *c, struct rg_node *dst, const struct rg_node *src,
		     bool overwrite, int depth)
{
	int rc = 0;

	if (depth > (int)RG_CAP_JSON_DEPTH)
		return rg_tmpl_fail_limit(c, "merge nesting deeper than %u levels", RG_CAP_JSON_DEPTH);
	rc = rg_tmpl_charge(c, src->u.map.len + 1);
	for (size_t i = 0; i < src->u.map.len && !rc; i++) {
		const struct rg_pair *p = &src->u.map.items[i];
		struct rg_node *sv = p->val, *dv = rg_map_get(dst, p->key.ptr, p->key.len);
		bool present = dv != NULL;

		if (rg_tmpl_isnil(sv)) {
			if (overwrite)
				rg_map_set(c->arena, dst, p->key.ptr, p->key.len, rg_node_null(c->arena));
			continue;
		}
		if (sv->kind == RG_MAP) {
			if (present && is_map(dv))
				rc = merge_map(c, dv, sv, overwrite, depth + 1);
		} else if (sv->kind == RG_SEQ) {
			struct rg_node *ds = NULL;

			if (!present || rg_tmpl_isnil(dv))
				ds = rg_tmpl_typed(rg_node_seq(c->arena), sv->tag);
			else
				ds = dv;
			if (overwrite || dst->u.map.len == 0)
				ds = sv;
			rg_map_set(c->arena, dst, p->key.ptr, p->key.len, ds);
		}
		if (rc)
			break;
		if (present && !rg_funcs_empty(dv) && (sv->kind == RG_MAP || sv->kind == RG_SEQ))
			continue;
		if (overwrite || !present || rg_funcs_empty(dv))
			rg_map_set(c->arena, dst, p->key.ptr, p->key.len, sv);
	}
	return rc;
}

static int merge(struct rg_node **out, struct rg_tmpl_call *c,
		 struct rg_node *const *args, size_t nargs, bool overwrite)
{
	struct rg_node *dst = NULL;
	int rc = 0;

	RG_FUNCS_MAP(dst, 0);
	for (size_t i = 1; i < nargs; i++) {
		struct rg_node *src = NULL;

		RG_FUNCS_MAP(src, i);
		if (!src)
			continue;
		if (!dst)
			dst = rg_node_map(c->arena);
		rc = merge_map(c, dst, src, overwrite, 0);
		if (rc)
			goto out;
	}
	*out = dst ? dst : rg_node_map(c->arena);
out:
	return rc;
}

static int fn_merge(struct rg_node **out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, size_t nargs)
{
	return merge(out, c, args, nargs, false);
}

static int fn_merge_overwrite(struct rg_node **out, struct rg_tmpl_call *c,
			      struct rg_node *const *args, size_t nargs)
{
	return merge(out, c, args, nargs, true);
}

static int fn_deep_copy(struct rg_node **out, struct rg_tmpl_call *c,
			struct rg_node *const *args, size_t nargs)
{
	/* copystructure panics on nil before copying anything */
	if (rg_tmpl_isnil(args[0]))
		return rg_tmpl_fail(c, "reflect: call of reflect.Value.Type on zero Value");
	*out = rg_node_clone(c->arena, args[0]);
	return 0;
}

/* Go's panic text for a failed x.(map[string]interface{}) or x.(string) */
static int conversion(struct rg_tmpl_call *c, const struct rg_node *v, const char *want)
{
	return rg_tmpl_fail(c, "interface conversion: interface {} is %s, not %s",
			    rg_tmpl_isnil(v) ? "nil" : rg_tmpl_typename(rg_tmpl_exec_set(c), v), want);
}

static bool is_plain_map(const struct rg_node *v)
{
	return v && v->kind == RG_MAP && v->tag == RG_GT_DEFAULT;
}

/* dig KEYS... DEFAULT MAP */
static int fn_dig(struct rg_node **out, struct rg_tmpl_call *c,
		  struct rg_node *const *args, size_t nargs)
{
	struct rg_node *m = NULL, *def = NULL;
	size_t nk = 0;
	int rc = 0;

	if (nargs < 3) {
		rc = rg_tmpl_fail(c, "dig needs at least three arguments");
		goto out;
	}
	m = args[nargs - 1];
	def = args[nargs - 2];
	nk = nargs - 2;
	if (!is_plain_map(m)) {
		rc = conversion(c, m, "map[string]interface {}");
		goto out;
	}
	for (size_t i = 0; i < nk; i++)
		if (!args[i] || args[i]->kind != RG_STR || args[i]->tag != RG_GT_DEFAULT) {
			rc = conversion(c, args[i], "string");
			goto out;
		}
	for (size_t i = 0; i < nk; i++) {
		struct rg_node *step = rg_map_get(m, args[i]->u.s.ptr, args[i]->u.s.len);

		if (!step) {
			*out = result(def);
			goto out;
		}
		if (i + 1 == nk) {
			*out = result(step);
			goto out;
		}
		if (!is_plain_map(step)) {
			rc = conversion(c, step, "map[string]interface {}");
			goto out;
		}
		m = step;
	}
out:
	return rc;
}

const struct rg_tmpl_func rg_funcs_dicts[] = {
	{ "dict", fn_dict, 0, -1, 0 },
	{ "get", fn_get, 2, 2, 0 },
	{ "set", fn_set, 3, 3, 0 },
	{ "unset", fn_unset, 2, 2, 0 },
	{ "hasKey", fn_has_key, 2, 2, 0 },
	{ "pluck", fn_pluck, 1, -1, 0 },
	{ "keys", fn_keys, 0, -1, 0 },
	{ "pick", fn_pick, 1, -1, 0 },
	{ "omit", fn_omit, 1, -1, 0 },
	{ "merge", fn_merge, 1, -1, 0 },
	{ "mustMerge", fn_merge, 1, -1, 0 },
	{ "mergeOverwrite", fn_merge_overwrite, 1, -1, 0 },
	{ "mustMergeOverwrite", fn_merge_overwrite, 1, -1, 0 },
	{ "values", fn_values, 1, 1, 0 },
	{ "deepCopy", fn_deep_copy, 1, 1, 0 },
	{ "mustDeepCopy", fn_deep_copy, 1, 1, 0 },
	{ "dig", fn_dig, 0, -1, 0 },
	{ NULL, NULL, 0, 0, 0 },
};
