/*
 * kust_repl.c - replacements and vars.
 *
 * Replacements copy one field of a source object into fields of target
 * objects. Field paths are '.'-separated; a step in brackets is one key
 * even if it holds dots (`metadata.annotations.[a.b/c]`), `[k=v]` picks
 * the list elements whose field k is v, a number indexes a list and `*`
 * takes every element. With options.delimiter the value is split and
 * only part options.index is read or written (an index past the end
 * appends, a negative one prepends). options.create makes missing
 * target fields; a target field that is missing otherwise is an error,
 * as in kustomize.
 *
 * Vars (deprecated in kustomize, still used): $(NAME) in the fields of
 * the varReference fieldSpecs is replaced by the named field of the
 * object the var's objref named; $$ is a literal '$'.
 */
#include "rendergate/compat.h"

#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/doc.h"
#include "rendergate/kust.h"
#include "rendergate/kustint.h"

/* Split a field path into steps. */
static size_t split_fp(struct rg_arena *a, const char *fp, char ***out)
{
	size_t n = 0, cap = strlen(fp) + 1;
	char **steps = rg_arena_calloc(a, cap, sizeof(char *));

	while (*fp == '.')
		fp++;
	while (*fp) {
		const char *e;

		if (*fp == '[') {
			const char *close = strchr(fp, ']');

			if (close) {
				/* "[a.b]" is a key; "[k=v]" a selector */
				const char *eq = memchr(fp, '=', (size_t)(close - fp));

				if (eq)
					steps[n++] = rg_arena_strndup(
						a, fp, (size_t)(close - fp + 1));
				else
					steps[n++] = rg_arena_strndup(
						a, fp + 1, (size_t)(close - fp - 1));
				fp = close + 1;
				while (*fp == '.')
					fp++;
				continue;
			}
		}
		e = fp;
		while (*e && *e != '.') {
			if (*e == '[') {
				/* key followed by a selector: "containers[name=x]" */
				break;
			}
			e++;
		}
		steps[n++] = rg_arena_strndup(a, fp, (size_t)(e - fp));
		fp = e;
		while (*fp == '.')
			fp++;
	}
	*out = steps;
	return n;
}

static bool parse_num(const char *s, long *out)
{
	char *end;
	long v;

	if (!*s)
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

struct hit {
	struct rg_node *parent; /* map or seq holding the field */
	const char *key;	/* map key, or NULL for a seq slot */
	size_t idx;
	struct rg_node *val; /* may be NULL when just created */
};

struct hits {
	struct hit *items;
	size_t len, alloc;
};

static void hit_add(struct rg_arena *a, struct hits *h, struct hit x)
{
	if (h->len == h->alloc) {
		size_t n = h->alloc ? h->alloc * 2 : 8;

		h->items = rg_arena_grow(a, h->items, h->len, n, sizeof(x));
		h->alloc = n;
	}
	h->items[h->len++] = x;
}

/* Find (or create, when create_kind != 0) every node the path reaches. */
static void find_path(struct rg_arena *a, struct rg_node *node, char **steps,
		      size_t n, int create_kind, struct hits *h)
{
	const char *s = steps[0];
	long idx;

	if (node->kind == RG_SEQ) {
		if (s[0] == '[') {
			/* [k=v] selects elements */
			const char *eq = strchr(s, '=');
			char *k = rg_arena_strndup(a, s + 1, (size_t)(eq - s - 1));
			char *v = rg_arena_strndup(a, eq + 1, strlen(eq + 1) - 1);

			for (size_t i = 0; i < node->u.seq.len; i++) {
				struct rg_node *e = node->u.seq.items[i];
				struct rg_node *f = rg_map_gets(e, k);

				if (!f || strcmp(rg_kust_scalar_text(a, f), v))
					continue;
				if (n == 1)
					hit_add(a, h,
						(struct hit){ node, NULL, i, e });
				else
					find_path(a, e, steps + 1, n - 1,
						  create_kind, h);
			}
			return;
		}
		if (!strcmp(s, "*") || !strcmp(s, "-")) {
			for (size_t i = 0; i < node->u.seq.len; i++) {
				struct rg_node *e = node->u.seq.items[i];

				if (n == 1)
					hit_add(a, h,
						(struct hit){ node, NULL, i, e });
				else
					find_path(a, e, steps + 1, n - 1,
						  create_kind, h);
			}
			return;
		}
		if (parse_num(s, &idx) && idx >= 0 &&
		    (size_t)idx < node->u.seq.len) {
			struct rg_node *e = node->u.seq.items[idx];

			if (n == 1)
				hit_add(a, h,
					(struct hit){ node, NULL, (size_t)idx, e });
			else
				find_path(a, e, steps + 1, n - 1, create_kind,
					  h);
		}
		return;
	}
	if (node->kind != RG_MAP)
		return;
	{
		struct rg_node *v = rg_map_gets(node, s);

		if (n == 1) {
			if (!v && create_kind) {
				hit_add(a, h, (struct hit){ node, s, 0, NULL });
				return;
			}
			if (v)
				hit_add(a, h, (struct hit){ node, s, 0, v });
			return;
		}
		if (!v || v->kind == RG_NULL) {
			long dummy;

			if (!create_kind)
				return;
			v = parse_num(steps[1], &dummy) || steps[1][0] == '['
				    ? rg_node_seq(a)
				    : rg_node_map(a);
			rg_map_set(a, node, s, strlen(s), v);
		}
		find_path(a, v, steps + 1, n - 1, create_kind, h);
	}
}

static const struct rg_kust_res *find_source(struct rg_kust_resmap *m,
					     const struct rg_node *src,
					     size_t *count)
{
	const struct rg_kust_res *found = NULL;
	const char *g = rg_kust_str_at(src, "group");
	const char *v = rg_kust_str_at(src, "version");
	const char *k = rg_kust_str_at(src, "kind");
	const char *name = rg_kust_str_at(src, "name");
	const char *ns = rg_kust_str_at(src, "namespace");

	*count = 0;
	for (size_t i = 0; i < m->len; i++) {
		const struct rg_kust_res *r = m->items[i];

		for (size_t j = 0; j <= r->nprev; j++) {
			struct rg_kust_id id;

			if (j < r->nprev)
				id = r->prev[j];
			else
				rg_kust_res_id(&id, r->obj);
			if ((*g && strcmp(g, id.group)) ||
			    (*v && strcmp(v, id.version)) ||
			    (*k && strcmp(k, id.kind)) ||
			    (*name && strcmp(name, id.name)) ||
			    (*ns && strcmp(ns, *id.ns ? id.ns : "default")))
				continue;
			found = r;
			(*count)++;
			break;
		}
	}
	return found;
}

/* Does selector sel (group, version, kind, name, namespace, label and
 * annotation selectors; exact matches) pick r by any of its ids? */
static int target_selects(bool *out, struct rg_arena *a,
			  const struct rg_kust_res *r, const struct rg_node *sel,
			  struct rg_err *err)
{
	const char *g = rg_kust_str_at(sel, "group");
	const char *v = rg_kust_str_at(sel, "version");
	const char *k = rg_kust_str_at(sel, "kind");
	const char *name = rg_kust_str_at(sel, "name");
	const char *ns = rg_kust_str_at(sel, "namespace");
	bool any = false;

	*out = false;
	for (size_t j = 0; j <= r->nprev && !any; j++) {
		struct rg_kust_id id;

		if (j < r->nprev)
			id = r->prev[j];
		else
			rg_kust_res_id(&id, r->obj);
		any = !((*g && strcmp(g, id.group)) ||
			(*v && strcmp(v, id.version)) ||
			(*k && strcmp(k, id.kind)) ||
			(*name && strcmp(name, id.name)) ||
			(*ns && strcmp(ns, *id.ns ? id.ns : "default")));
	}
	if (!any)
		return 0;
	if (*rg_kust_str_at(sel, "labelSelector") ||
	    *rg_kust_str_at(sel, "annotationSelector")) {
		/* reuse the patch selector for label/annotation matching */
		struct rg_node *only = rg_node_map(a);
		const struct rg_node *ls = rg_map_gets(sel, "labelSelector");
		const struct rg_node *as = rg_map_gets(sel, "annotationSelector");

		if (ls)
			rg_map_set(a, only, "labelSelector", 13, rg_node_clone(a, ls));
		if (as)
			rg_map_set(a, only, "annotationSelector", 18,
				   rg_node_clone(a, as));
		return rg_kust_selects(out, a, r, only, err);
	}
	*out = true;
	return 0;
}

static const char *part(struct rg_arena *a, const char *s, const char *delim,
			long index)
{
	size_t dl = strlen(delim);
	long i = 0;

	if (index < 0)
		return "";
	for (;;) {
		const char *e = strstr(s, delim);

		if (i == index)
			return e ? rg_arena_strndup(a, s, (size_t)(e - s))
				 : s;
		if (!e)
			return "";
		s = e + dl;
		i++;
	}
}

static const char *put_part(struct rg_arena *a, const char *cur,
			    const char *delim, long index, const char *v)
{
	size_t dl = strlen(delim);
	struct rg_buf b = RG_BUF_INIT(RG_CAP_YAML_SCALAR_BYTES);
	const char *p = cur, *res;
	long i = 0;
	bool done = false;

	if (index < 0) {
		res = rg_arena_printf(a, "%s%s%s", v, delim, cur);
		return res;
	}
	for (;;) {
		const char *e = strstr(p, delim);
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (i)
			rg_buf_add(&b, delim, dl);
		if (i == index) {
			rg_buf_adds(&b, v);
			done = true;
		} else {
			rg_buf_add(&b, p, n);
		}
		i++;
		if (!e)
			break;
		p = e + dl;
	}
	if (!done) {
		rg_buf_add(&b, delim, dl);
		rg_buf_adds(&b, v);
	}
	res = rg_arena_strndup(a, b.ptr, b.len);
	rg_buf_release(&b);
	return res;
}

static void set_hit(struct rg_arena *a, struct hit *t, struct rg_node *v)
{
	if (t->key)
		rg_map_set(a, t->parent, t->key, strlen(t->key), v);
	else
		t->parent->u.seq.items[t->idx] = v;
	t->val = v;
}

/*
 * kustomize writes only the text of a scalar target, so the target keeps
 * its type: "3" into an int field gives the int 3. Text that does not
 * read as the target's type stays a string.
 */
static struct rg_node *retyped(struct rg_arena *a, const struct rg_node *target,
			       const struct rg_node *value)
{
	const char *text = rg_kust_scalar_text(a, value);
	struct rg_node *n = NULL;
	struct rg_err err = RG_ERR_INIT;

	if (target->kind == RG_STR)
		return rg_node_str(a, text);
	if (rg_doc_parse_one(&n, a, "replacement", text, strlen(text),
			     RG_PARSE_YAML12, &err) == 0 &&
	    n->kind == target->kind)
		return n;
	return rg_node_str(a, text);
}

static int one_replacement(struct rg_arena *a, struct rg_kust_resmap *m,
			   const struct rg_node *rep, struct rg_err *err)
{
	const struct rg_node *src = rg_map_gets(rep, "source");
	const struct rg_node *targets = rg_map_gets(rep, "targets");
	const struct rg_node *sopt = rg_map_gets(src, "options");
	const char *fp = rg_kust_str_at(src, "fieldPath");
	const struct rg_kust_res *sr;
	struct rg_node *value;
	struct hits h = { NULL, 0, 0 };
	char **steps;
	size_t n, count;
	int rc = 0;

	if (!src)
		return rg_err_set(err, RG_EINVALID, &rep->pos,
				  "replacements: an entry needs a source");
	sr = find_source(m, src, &count);
	if (count > 1)
		return rg_err_set(err, RG_EINVALID, &src->pos,
				  "replacements: multiple matches for source "
				  "%s %s",
				  rg_kust_str_at(src, "kind"),
				  rg_kust_str_at(src, "name"));
	if (!sr)
		return rg_err_set(err, RG_ENOTFOUND, &src->pos,
				  "replacements: nothing selected by source %s "
				  "%s",
				  rg_kust_str_at(src, "kind"),
				  rg_kust_str_at(src, "name"));
	if (!*fp)
		fp = "metadata.name";
	n = split_fp(a, fp, &steps);
	find_path(a, sr->obj, steps, n, 0, &h);
	if (!h.len || !h.items[0].val)
		return rg_err_set(err, RG_ENOTFOUND, &src->pos,
				  "replacements: field %s not found in source "
				  "%s %s",
				  fp, rg_kust_str_at(src, "kind"),
				  rg_kust_str_at(src, "name"));
	value = h.items[0].val;
	if (*rg_kust_str_at(sopt, "delimiter")) {
		const struct rg_node *ix = rg_map_gets(sopt, "index");

		value = rg_node_str(a, part(a, rg_kust_scalar_text(a, value),
					    rg_kust_str_at(sopt, "delimiter"),
					    ix && ix->kind == RG_INT ? (long)ix->u.i
								     : 0));
	}
	for (size_t t = 0; targets && targets->kind == RG_SEQ &&
			   t < targets->u.seq.len && !rc;
	     t++) {
		const struct rg_node *tg = targets->u.seq.items[t];
		const struct rg_node *sel = rg_map_gets(tg, "select");
		const struct rg_node *rej = rg_map_gets(tg, "reject");
		const struct rg_node *fps = rg_map_gets(tg, "fieldPaths");
		const struct rg_node *opt = rg_map_gets(tg, "options");
		const struct rg_node *cr = rg_map_gets(opt, "create");
		const struct rg_node *ix = rg_map_gets(opt, "index");
		const char *delim = rg_kust_str_at(opt, "delimiter");
		bool create = cr && cr->kind == RG_BOOL && cr->u.b;
		long index = ix && ix->kind == RG_INT ? (long)ix->u.i : 0;

		if (!sel)
			return rg_err_set(err, RG_EINVALID, &tg->pos,
					  "replacements: a target needs select");
		for (size_t i = 0; i < m->len && !rc; i++) {
			struct rg_kust_res *r = m->items[i];
			bool ok = false, rj = false;

			rc = target_selects(&ok, a, r, sel, err);
			for (size_t j = 0; !rc && ok && rej &&
					   rej->kind == RG_SEQ &&
					   j < rej->u.seq.len;
			     j++) {
				rc = target_selects(&rj, a, r,
						    rej->u.seq.items[j], err);
				if (rj)
					ok = false;
			}
			if (rc || !ok)
				continue;
			for (size_t f = 0; !rc && (fps ? fps->kind == RG_SEQ &&
								 f < fps->u.seq.len
							   : f < 1);
			     f++) {
				const char *tfp =
					fps ? rg_kust_scalar_text(
						      a, fps->u.seq.items[f])
					    : "metadata.name";
				struct hits th = { NULL, 0, 0 };
				char **ts;
				size_t tn = split_fp(a, tfp, &ts);

				find_path(a, r->obj, ts, tn, create, &th);
				if (!th.len)
					return rg_err_set(
						err, RG_ENOTFOUND, &tg->pos,
						"replacements: unable to find "
						"field \"%s\" in target %s %s",
						tfp,
						rg_kust_str_at(r->obj, "kind"),
						rg_kust_str_at(r->obj,
							       "metadata.name"));
				for (size_t k = 0; k < th.len; k++) {
					struct hit *x = &th.items[k];

					if (*delim) {
						const char *cur =
							x->val ? rg_kust_scalar_text(
									 a, x->val)
								: "";

						set_hit(a, x,
							rg_node_str(
								a,
								put_part(
									a, cur,
									delim,
									index,
									rg_kust_scalar_text(
										a,
										value))));
					} else if (x->val &&
						   x->val->kind != RG_MAP &&
						   x->val->kind != RG_SEQ &&
						   x->val->kind != RG_NULL &&
						   value->kind != RG_MAP &&
						   value->kind != RG_SEQ) {
						set_hit(a, x,
							retyped(a, x->val,
								value));
					} else {
						set_hit(a, x,
							rg_node_clone(a, value));
					}
				}
			}
		}
	}
	return rc;
}

/* A replacements file holds one replacement or a list of them. */
static int replacements_file(struct rg_arena *a, struct rg_kust_resmap *m,
			     const struct rg_node *e, struct rg_tree *t,
			     const char *dir, unsigned flags, struct rg_err *err)
{
	const char *data, *file;
	size_t len;
	struct rg_node *doc;
	int rc;

	if (rg_map_gets(e, "source") || rg_map_gets(e, "targets"))
		return rg_err_set(err, RG_EINVALID, &e->pos,
				  "replacements: cannot specify both path and "
				  "an inline replacement");
	rc = rg_kust_read_rel(&data, &len, &file, a, t, dir,
			      rg_kust_str_at(e, "path"), flags, err);
	if (!rc)
		rc = rg_doc_parse_one(&doc, a, file, data, len, RG_PARSE_YAML12,
				      err);
	if (rc)
		return rc;
	if (doc->kind == RG_SEQ) {
		for (size_t i = 0; i < doc->u.seq.len && !rc; i++)
			rc = one_replacement(a, m, doc->u.seq.items[i], err);
		return rc;
	}
	return one_replacement(a, m, doc, err);
}

int rg_kust_replacements(struct rg_arena *a, struct rg_kust_resmap *m,
			 const struct rg_node *list, struct rg_tree *t,
			 const char *dir, unsigned flags, struct rg_err *err)
{
	int rc = 0;

	if (list->kind == RG_NULL)
		return 0;
	if (list->kind != RG_SEQ)
		return rg_err_set(err, RG_EINVALID, &list->pos,
				  "replacements must be a list");
	for (size_t i = 0; i < list->u.seq.len && !rc; i++) {
		const struct rg_node *e = list->u.seq.items[i];

		if (rg_map_gets(e, "path"))
			rc = replacements_file(a, m, e, t, dir, flags, err);
		else
			rc = one_replacement(a, m, e, err);
	}
	return rc;
}

/* --- vars ------------------------------------------------------------- */

struct var_ctx {
	struct rg_arena *a;
	const char **names;
	struct rg_node **vals;
	size_t n;
	bool *used;
};

static const struct rg_node *var_lookup(struct var_ctx *vc, const char *s,
					size_t len, size_t *which)
{
	for (size_t i = 0; i < vc->n; i++)
		if (strlen(vc->names[i]) == len && !memcmp(vc->names[i], s, len)) {
			*which = i;
			return vc->vals[i];
		}
	return NULL;
}

/* Expand $(VAR) in s; *whole is the value when s is exactly one var. */
static struct rg_node *expand(struct var_ctx *vc, const struct rg_node *n)
{
	const char *s = n->u.s.ptr;
	struct rg_buf b = RG_BUF_INIT(RG_CAP_YAML_SCALAR_BYTES);
	struct rg_node *out;
	bool changed = false;

	for (size_t i = 0; i < n->u.s.len;) {
		if (s[i] == '$' && s[i + 1] == '$') {
			rg_buf_addch(&b, '$');
			i += 2;
			changed = true;
			continue;
		}
		if (s[i] == '$' && s[i + 1] == '(') {
			const char *close = strchr(s + i + 2, ')');
			size_t which;
			const struct rg_node *v;

			if (close) {
				v = var_lookup(vc, s + i + 2,
					       (size_t)(close - s - i - 2), &which);
				if (v) {
					vc->used[which] = true;
					if (i == 0 && (size_t)(close - s) + 1 ==
							      n->u.s.len &&
					    v->kind != RG_STR) {
						rg_buf_release(&b);
						return rg_node_clone(vc->a, v);
					}
					rg_buf_adds(&b, rg_kust_scalar_text(vc->a,
									    v));
					i = (size_t)(close - s) + 1;
					changed = true;
					continue;
				}
			}
		}
		rg_buf_addch(&b, s[i]);
		i++;
	}
	out = changed ? rg_node_strn(vc->a, b.ptr, b.len) : NULL;
	rg_buf_release(&b);
	return out;
}

static int sub_vars(void *ctx, struct rg_node *parent, const char *key,
		    struct rg_node *val, struct rg_err *err)
{
	struct var_ctx *vc = ctx;
	struct rg_node *r;

	(void)err;
	if (!val)
		return 0;
	if (val->kind == RG_STR) {
		r = expand(vc, val);
		if (r)
			rg_map_set(vc->a, parent, key, strlen(key), r);
	} else if (val->kind == RG_SEQ) {
		for (size_t i = 0; i < val->u.seq.len; i++) {
			struct rg_node *e = val->u.seq.items[i];

			if (e->kind == RG_STR && (r = expand(vc, e)))
				val->u.seq.items[i] = r;
		}
	} else if (val->kind == RG_MAP) {
		for (size_t i = 0; i < val->u.map.len; i++) {
			struct rg_node *e = val->u.map.items[i].val;

			if (e->kind == RG_STR && (r = expand(vc, e)))
				val->u.map.items[i].val = r;
		}
	}
	return 0;
}

int rg_kust_vars_resolve(struct rg_arena *a, struct rg_kust_resmap *m,
			 const struct rg_kust_var *vars, size_t nvars,
			 const struct rg_kust_tcfg *c, struct rg_err *err)
{
	struct var_ctx vc = { a, rg_arena_calloc(a, nvars, sizeof(char *)),
			      rg_arena_calloc(a, nvars, sizeof(struct rg_node *)),
			      nvars, rg_arena_calloc(a, nvars, sizeof(bool)) };
	int rc = 0;

	for (size_t i = 0; i < nvars; i++) {
		const struct rg_node *d = vars[i].def;
		const char *fp = rg_kust_str_at(d, "fieldref.fieldpath");
		struct hits h = { NULL, 0, 0 };
		char **steps;
		size_t n;

		vc.names[i] = rg_kust_str_at(d, "name");
		if (!vars[i].res)
			return rg_err_set(err, RG_ENOTFOUND, &d->pos,
					  "var '%s' cannot be mapped to a field "
					  "in the set of known resources",
					  vc.names[i]);
		if (!*fp)
			fp = "metadata.name";
		n = split_fp(a, fp, &steps);
		find_path(a, vars[i].res->obj, steps, n, 0, &h);
		if (!h.len || !h.items[0].val)
			return rg_err_set(err, RG_ENOTFOUND, &d->pos,
					  "var '%s': field %s not found", vc.names[i],
					  fp);
		vc.vals[i] = h.items[0].val;
	}
	for (size_t i = 0; i < m->len && !rc; i++) {
		struct rg_kust_res *r = m->items[i];
		struct rg_kust_id id;

		rg_kust_res_id(&id, r->obj);
		for (size_t j = 0; j < c->varref.len && !rc; j++) {
			const struct rg_kust_fs *fs = &c->varref.items[j];

			if (!rg_kust_fs_selects(fs, id.group, id.version, id.kind))
				continue;
			rc = rg_kust_fs_apply(a, r->obj, fs, 0, sub_vars, &vc,
					      err);
		}
	}
	return rc;
}
