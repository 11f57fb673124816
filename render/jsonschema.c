/*
 * jsonschema.c - gojsonschema's validation walk (jsonschema.h).
 *
 * A result is a list of error lines plus gojsonschema's "score" (how far
 * validation got), which anyOf and oneOf use to pick the failed branch
 * whose errors they report.
 */
#include "rendergate/compat.h"

#include <math.h>

#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/doc.h"
#include "rendergate/json.h"
#include "rendergate/jsonschema.h"
#include "rendergate/regex.h"

struct result {
	const char **lines;
	size_t len;
	size_t alloc;
	long score;
};

struct ctx {
	struct rg_arena *a;
	const struct rg_node *root;
	unsigned depth;
	struct rg_err *err;
};

static void add(struct ctx *x, struct result *r, const char *field,
		const char *fmt, ...) RG_PRINTF(4, 5);

static void add(struct ctx *x, struct result *r, const char *field,
		const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = rg_arena_vprintf(x->a, fmt, ap);
	va_end(ap);
	r->lines = rg_arena_grow(x->a, r->lines, r->len, r->len + 1,
				 sizeof(*r->lines));
	r->lines[r->len++] = rg_arena_printf(x->a, "- %s: %s\n", field, msg);
}

static void merge(struct ctx *x, struct result *dst, const struct result *src)
{
	for (size_t i = 0; i < src->len; i++) {
		dst->lines = rg_arena_grow(x->a, dst->lines, dst->len,
					   dst->len + 1, sizeof(*dst->lines));
		dst->lines[dst->len++] = src->lines[i];
	}
	dst->score += src->score;
}

static const struct rg_node *get(const struct rg_node *m, const char *k)
{
	if (!m || m->kind != RG_MAP)
		return NULL;
	return rg_map_get(m, k, strlen(k));
}

static bool is_num(const struct rg_node *n)
{
	return n && (n->kind == RG_INT || n->kind == RG_FLOAT);
}

static double num(const struct rg_node *n)
{
	return n->kind == RG_INT ? (double)n->u.i : n->u.f;
}

static bool is_integer(const struct rg_node *n)
{
	return n->kind == RG_INT ||
	       (n->kind == RG_FLOAT && isfinite(n->u.f) && floor(n->u.f) == n->u.f);
}

/* gojsonschema's names for the type of a value */
static const char *type_of(const struct rg_node *n)
{
	if (!n)
		return "null";
	switch (n->kind) {
	case RG_BOOL: return "boolean";
	case RG_INT: return "integer";
	case RG_FLOAT: return is_integer(n) ? "integer" : "number";
	case RG_STR: return "string";
	case RG_SEQ: return "array";
	case RG_MAP: return "object";
	default: return "null";
	}
}

/* big.Float's String(): %.10g */
static const char *fmt_num(struct ctx *x, double d)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.10g", d);
	return rg_arena_strdup(x->a, buf);
}

static const char *to_json(struct ctx *x, const struct rg_node *n)
{
	struct rg_buf b = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);
	struct rg_err e = RG_ERR_INIT;
	const char *s;

	if (rg_json_encode(&b, n, 0, &e) < 0)
		rg_buf_adds(&b, "?");
	s = rg_arena_strndup(x->a, b.ptr, b.len);
	rg_buf_release(&b);
	return s;
}

/* JSON equality (numbers by value, maps by keys) */
static bool equal(const struct rg_node *p, const struct rg_node *q)
{
	bool pn = !p || p->kind == RG_NULL, qn = !q || q->kind == RG_NULL;

	if (pn || qn)
		return pn && qn;
	if (is_num(p) && is_num(q))
		return num(p) == num(q);
	if (p->kind != q->kind)
		return false;
	switch (p->kind) {
	case RG_BOOL:
		return p->u.b == q->u.b;
	case RG_STR:
		return p->u.s.len == q->u.s.len &&
		       !memcmp(p->u.s.ptr, q->u.s.ptr, p->u.s.len);
	case RG_SEQ:
		if (p->u.seq.len != q->u.seq.len)
			return false;
		for (size_t i = 0; i < p->u.seq.len; i++)
			if (!equal(p->u.seq.items[i], q->u.seq.items[i]))
				return false;
		return true;
	case RG_MAP:
		if (p->u.map.len != q->u.map.len)
			return false;
		for (size_t i = 0; i < p->u.map.len; i++) {
			const struct rg_pair *e = &p->u.map.items[i];
			const struct rg_node *o =
				rg_map_get(q, e->key.ptr, e->key.len);

			if (!o || !equal(e->val, o))
				return false;
		}
		return true;
	default:
		return false;
	}
}

static const char *child(struct ctx *x, const char *field, const char *key,
			 size_t klen)
{
	if (!strcmp(field, "(root)"))
		return rg_arena_strndup(x->a, key, klen);
	return rg_arena_printf(x->a, "%s.%.*s", field, (int)klen, key);
}

static int bad_schema(struct ctx *x, const char *field, const char *what)
{
	return rg_err_set(x->err, RG_EINVALID, NULL,
			  "values.schema.json: %s (validating %s)", what,
			  field);
}

/* "#/definitions/a~1b" inside the same document */
static int resolve(const struct rg_node **out, struct ctx *x,
		   const struct rg_node *ref, const char *field)
{
	const char *s = ref->kind == RG_STR ? ref->u.s.ptr : NULL;
	const struct rg_node *n = x->root;

	if (!s || s[0] != '#')
		return bad_schema(x, field,
				  rg_arena_printf(x->a,
						  "$ref %s: only references "
						  "inside the file (#/...) "
						  "are supported",
						  s ? s : "(not a string)"));
	s++;
	while (*s == '/') {
		const char *e = strchr(s + 1, '/');
		size_t l = e ? (size_t)(e - s - 1) : strlen(s + 1);
		struct rg_buf seg = RG_BUF_INIT(RG_CAP_PATH_BYTES);

		for (size_t i = 0; i < l; i++) {
			char c = s[1 + i];

			if (c == '~' && i + 1 < l && (s[2 + i] == '0' ||
						      s[2 + i] == '1')) {
				c = s[2 + i] == '0' ? '~' : '/';
				i++;
			}
			rg_buf_addch(&seg, c);
		}
		if (n && n->kind == RG_MAP) {
			n = rg_map_get(n, seg.ptr, seg.len);
		} else if (n && n->kind == RG_SEQ) {
			char *end = NULL;
			unsigned long k = strtoul(seg.ptr, &end, 10);

			n = (end && !*end && seg.len && k < n->u.seq.len)
				    ? n->u.seq.items[k]
				    : NULL;
		} else {
			n = NULL;
		}
		rg_buf_release(&seg);
		s += 1 + l;
	}
	if (*s || !n)
		return bad_schema(x, field,
				  rg_arena_printf(x->a,
						  "$ref %s does not resolve",
						  ref->u.s.ptr));
	*out = n;
	return 0;
}

static int validate(struct ctx *x, struct result *r, const struct rg_node *s,
		    const struct rg_node *v, const char *field);

static int sub(struct ctx *x, struct result *out, const struct rg_node *s,
	       const struct rg_node *v, const char *field)
{
	memset(out, 0, sizeof(*out));
	return validate(x, out, s, v, field);
}

/* anyOf, oneOf, allOf, not, if/then/else */
static int v_schema(struct ctx *x, struct result *r, const struct rg_node *s,
		    const struct rg_node *v, const char *field)
{
	const struct rg_node *k;
	int error;

	k = get(s, "anyOf");
	if (k && k->kind == RG_SEQ && k->u.seq.len) {
		struct result best;
		bool ok = false, have = false;

		memset(&best, 0, sizeof(best));
		for (size_t i = 0; i < k->u.seq.len && !ok; i++) {
			struct result t;

			error = sub(x, &t, k->u.seq.items[i], v, field);
			if (error < 0)
				return error;
			ok = t.len == 0;
			if (!ok && (!have || t.score > best.score)) {
				best = t;
				have = true;
			}
		}
		if (!ok) {
			add(x, r, field,
			    "Must validate at least one schema (anyOf)");
			merge(x, r, &best);
		}
	}
	k = get(s, "oneOf");
	if (k && k->kind == RG_SEQ && k->u.seq.len) {
		struct result best;
		size_t nok = 0;
		bool have = false;

		memset(&best, 0, sizeof(best));
		for (size_t i = 0; i < k->u.seq.len; i++) {
			struct result t;

			error = sub(x, &t, k->u.seq.items[i], v, field);
			if (error < 0)
				return error;
			if (t.len == 0)
				nok++;
			else if (!nok && (!have || t.score > best.score)) {
				best = t;
				have = true;
			}
		}
		if (nok != 1) {
			add(x, r, field,
			    "Must validate one and only one schema (oneOf)");
			if (!nok)
				merge(x, r, &best);
		}
	}
	k = get(s, "allOf");
	if (k && k->kind == RG_SEQ && k->u.seq.len) {
		size_t nok = 0;

		for (size_t i = 0; i < k->u.seq.len; i++) {
			struct result t;

			error = sub(x, &t, k->u.seq.items[i], v, field);
			if (error < 0)
				return error;
			nok += t.len == 0;
			merge(x, r, &t);
		}
		if (nok != k->u.seq.len)
			add(x, r, field, "Must validate all the schemas (allOf)");
	}
	k = get(s, "not");
	if (k) {
		struct result t;

		error = sub(x, &t, k, v, field);
		if (error < 0)
			return error;
		if (!t.len)
			add(x, r, field, "Must not validate the schema (not)");
	}
	k = get(s, "if");
	if (k) {
		struct result t, u;
		const struct rg_node *then = get(s, "then"), *els = get(s, "else");

		error = sub(x, &t, k, v, field);
		if (error < 0)
			return error;
		if (!t.len && then) {
			error = sub(x, &u, then, v, field);
			if (error < 0)
				return error;
			if (u.len) {
				add(x, r, field,
				    "Must validate \"then\" as \"if\" was valid");
				merge(x, r, &u);
			}
		} else if (t.len && els) {
			error = sub(x, &u, els, v, field);
			if (error < 0)
				return error;
			if (u.len) {
				add(x, r, field,
				    "Must validate \"else\" as \"if\" was not "
				    "valid");
				merge(x, r, &u);
			}
		}
	}
	r->score++;
	return 0;
}

/* const, enum */
static void v_common(struct ctx *x, struct result *r, const struct rg_node *s,
		     const struct rg_node *v, const char *field)
{
	const struct rg_node *k = get(s, "const");

	if (k && !equal(k, v))
		add(x, r, field, "%s does not match: %s", field, to_json(x, k));
	k = get(s, "enum");
	if (k && k->kind == RG_SEQ && k->u.seq.len) {
		struct rg_buf all = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);
		bool found = false;

		for (size_t i = 0; i < k->u.seq.len; i++) {
			found = found || equal(k->u.seq.items[i], v);
			rg_buf_addf(&all, "%s%s", i ? ", " : "",
				    to_json(x, k->u.seq.items[i]));
		}
		if (!found)
			add(x, r, field, "%s must be one of the following: %s",
			    field, all.ptr);
		rg_buf_release(&all);
	}
}

static bool kw_num(double *out, const struct rg_node *s, const char *kw)
{
	const struct rg_node *k = get(s, kw);

	if (!is_num(k))
		return false;
	*out = num(k);
	return true;
}

static void v_number(struct ctx *x, struct result *r, const struct rg_node *s,
		     const struct rg_node *v, const char *field)
{
	double d = num(v), lim;
	const struct rg_node *exb;

	if (kw_num(&lim, s, "multipleOf") && lim > 0) {
		double q = d / lim;

		if (floor(q) != q)
			add(x, r, field, "Must be a multiple of %s",
			    fmt_num(x, lim));
	}
	/* draft 4: a boolean exclusiveMaximum makes maximum exclusive */
	exb = get(s, "exclusiveMaximum");
	if (kw_num(&lim, s, "maximum")) {
		if (exb && exb->kind == RG_BOOL && exb->u.b) {
			if (d >= lim)
				add(x, r, field, "Must be less than %s",
				    fmt_num(x, lim));
		} else if (d > lim) {
			add(x, r, field, "Must be less than or equal to %s",
			    fmt_num(x, lim));
		}
	}
	if (kw_num(&lim, s, "exclusiveMaximum") && d >= lim)
		add(x, r, field, "Must be less than %s", fmt_num(x, lim));
	exb = get(s, "exclusiveMinimum");
	if (kw_num(&lim, s, "minimum")) {
		if (exb && exb->kind == RG_BOOL && exb->u.b) {
			if (d <= lim)
				add(x, r, field, "Must be greater than %s",
				    fmt_num(x, lim));
		} else if (d < lim) {
			add(x, r, field, "Must be greater than or equal to %s",
			    fmt_num(x, lim));
		}
	}
	if (kw_num(&lim, s, "exclusiveMinimum") && d <= lim)
		add(x, r, field, "Must be greater than %s", fmt_num(x, lim));
}

static size_t runes(const char *p, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)p[i] & 0xc0) != 0x80;
	return c;
}

static int v_string(struct ctx *x, struct result *r, const struct rg_node *s,
		    const struct rg_node *v, const char *field)
{
	const struct rg_node *k;
	size_t n = runes(v->u.s.ptr, v->u.s.len);
	double lim;

	if (kw_num(&lim, s, "minLength") && (double)n < lim)
		add(x, r, field,
		    "String length must be greater than or equal to %s",
		    fmt_num(x, lim));
	if (kw_num(&lim, s, "maxLength") && (double)n > lim)
		add(x, r, field,
		    "String length must be less than or equal to %s",
		    fmt_num(x, lim));
	k = get(s, "pattern");
	if (k && k->kind == RG_STR) {
		struct rg_regex *re = NULL;
		bool m = false;
		int error = rg_regex_compile(&re, k->u.s.ptr, k->u.s.len,
					     x->err);

		if (error < 0)
			return rg_err_prefix(x->err, "values.schema.json: "
						     "pattern of %s",
					     field);
		error = rg_regex_match(&m, re, v->u.s.ptr, v->u.s.len, x->err);
		rg_regex_free(re);
		if (error < 0)
			return error;
		if (!m)
			add(x, r, field, "Does not match pattern '%s'",
			    k->u.s.ptr);
	}
	return 0;
}

static int v_array(struct ctx *x, struct result *r, const struct rg_node *s,
		   const struct rg_node *v, const char *field)
{
	const struct rg_node *items = get(s, "items");
	size_t n = v->u.seq.len;
	double lim;
	int error;

	for (size_t i = 0; items && i < n; i++) {
		const struct rg_node *is = items;
		struct result t;
		char idx[32];

		if (items->kind == RG_SEQ) {
			is = i < items->u.seq.len ? items->u.seq.items[i]
						  : get(s, "additionalItems");
			if (!is)
				break;
			if (is->kind == RG_BOOL && i >= items->u.seq.len) {
				if (!is->u.b)
					add(x, r, field,
					    "No additional items allowed on "
					    "array");
				break;
			}
		}
		snprintf(idx, sizeof(idx), "%zu", i);
		error = sub(x, &t, is, v->u.seq.items[i],
			    child(x, field, idx, strlen(idx)));
		if (error < 0)
			return error;
		merge(x, r, &t);
	}
	if (kw_num(&lim, s, "minItems") && (double)n < lim)
		add(x, r, field, "Array must have at least %s items",
		    fmt_num(x, lim));
	if (kw_num(&lim, s, "maxItems") && (double)n > lim)
		add(x, r, field, "Array must have at most %s items",
		    fmt_num(x, lim));
	items = get(s, "uniqueItems");
	if (items && items->kind == RG_BOOL && items->u.b) {
		for (size_t i = 0; i < n; i++)
			for (size_t j = i + 1; j < n; j++)
				if (equal(v->u.seq.items[i],
					  v->u.seq.items[j])) {
					add(x, r, field,
					    "array items[%zu,%zu] must be "
					    "unique",
					    i, j);
					i = j = n;
				}
	}
	return 0;
}

static int v_object(struct ctx *x, struct result *r, const struct rg_node *s,
		    const struct rg_node *v, const char *field)
{
	const struct rg_node *props = get(s, "properties");
	const struct rg_node *pats = get(s, "patternProperties");
	const struct rg_node *ap = get(s, "additionalProperties");
	const struct rg_node *req = get(s, "required");
	double lim;
	int error;

	if (kw_num(&lim, s, "minProperties") && (double)v->u.map.len < lim)
		add(x, r, field, "Must have at least %s properties",
		    fmt_num(x, lim));
	if (kw_num(&lim, s, "maxProperties") && (double)v->u.map.len > lim)
		add(x, r, field, "Must have at most %s properties",
		    fmt_num(x, lim));
	for (size_t i = 0; req && req->kind == RG_SEQ && i < req->u.seq.len;
	     i++) {
		const struct rg_node *p = req->u.seq.items[i];

		if (p->kind != RG_STR)
			continue;
		if (rg_map_get(v, p->u.s.ptr, p->u.s.len))
			r->score++;
		else
			add(x, r, field, "%s is required", p->u.s.ptr);
	}
	for (size_t i = 0; i < v->u.map.len; i++) {
		const struct rg_pair *e = &v->u.map.items[i];
		bool found = props && props->kind == RG_MAP &&
			     rg_map_get(props, e->key.ptr, e->key.len);
		bool pm = false;

		for (size_t j = 0; pats && pats->kind == RG_MAP &&
				   j < pats->u.map.len;
		     j++) {
			const struct rg_pair *pp = &pats->u.map.items[j];
			struct rg_regex *re = NULL;
			bool m = false;
			struct result t;

			error = rg_regex_compile(&re, pp->key.ptr, pp->key.len,
						 x->err);
			if (error < 0)
				return rg_err_prefix(x->err,
						     "values.schema.json: "
						     "patternProperties");
			error = rg_regex_match(&m, re, e->key.ptr, e->key.len,
					       x->err);
			rg_regex_free(re);
			if (error < 0)
				return error;
			if (!m)
				continue;
			pm = true;
			error = sub(x, &t, pp->val, e->val,
				    child(x, field, e->key.ptr, e->key.len));
			if (error < 0)
				return error;
			merge(x, r, &t);
		}
		if (found || pm || !ap)
			continue;
		if (ap->kind == RG_BOOL) {
			if (!ap->u.b)
				add(x, r, field,
				    "Additional property %s is not allowed",
				    e->key.ptr);
		} else {
			struct result t;

			error = sub(x, &t, ap, e->val,
				    child(x, field, e->key.ptr, e->key.len));
			if (error < 0)
				return error;
			merge(x, r, &t);
		}
	}
	return 0;
}

/* Does the "type" keyword accept v? *want is its text for messages. */
static bool type_ok(struct ctx *x, const struct rg_node *t,
		    const struct rg_node *v, const char **want)
{
	const char *given = type_of(v);
	bool ok = false;

	if (!t)
		return true;
	if (t->kind == RG_STR) {
		*want = t->u.s.ptr;
		return !strcmp(given, *want) ||
		       (!strcmp(*want, "number") && !strcmp(given, "integer"));
	}
	if (t->kind != RG_SEQ || !t->u.seq.len)
		return true;
	{
		struct rg_buf b = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);

		for (size_t i = 0; i < t->u.seq.len; i++) {
			const char *n = rg_node_cstr(t->u.seq.items[i]);

			if (!n)
				continue;
			rg_buf_addf(&b, "%s%s", i ? "," : "", n);
			if (!strcmp(given, n) ||
			    (!strcmp(n, "number") && !strcmp(given, "integer")))
				ok = true;
		}
		*want = t->u.seq.len == 1
				? rg_arena_strndup(x->a, b.ptr, b.len)
				: rg_arena_printf(x->a, "[%s]", b.ptr);
		rg_buf_release(&b);
	}
	return ok;
}

static int validate(struct ctx *x, struct result *r, const struct rg_node *s,
		    const struct rg_node *v, const char *field)
{
	const struct rg_node *ref;
	const char *want = "";
	int error = 0;

	if (v && v->kind == RG_NULL)
		v = NULL;
	if (++x->depth > RG_CAP_JSON_DEPTH) {
		error = rg_err_set(x->err, RG_ELIMIT, NULL,
				   "values.schema.json: validation nested "
				   "deeper than %u levels (RG_CAP_JSON_DEPTH), "
				   "at %s",
				   RG_CAP_JSON_DEPTH, field);
		goto out;
	}
	if (s && s->kind == RG_BOOL) {
		if (!s->u.b)
			add(x, r, field, "False always fails validation");
		goto out;
	}
	if (!s || s->kind != RG_MAP)
		goto out;
	ref = get(s, "$ref");
	if (ref) {
		const struct rg_node *target = NULL;

		error = resolve(&target, x, ref, field);
		if (error < 0)
			goto out;
		error = validate(x, r, target, v, field);
		goto out;
	}
	if (!type_ok(x, get(s, "type"), v, &want)) {
		add(x, r, field, "Invalid type. Expected: %s, given: %s", want,
		    type_of(v));
		goto out;
	}
	error = v_schema(x, r, s, v, field);
	if (error < 0)
		goto out;
	if (!v) {
		v_common(x, r, s, v, field);
	} else if (is_num(v)) {
		v_number(x, r, s, v, field);
		v_common(x, r, s, v, field);
	} else if (v->kind == RG_SEQ) {
		error = v_array(x, r, s, v, field);
		if (error < 0)
			goto out;
		v_common(x, r, s, v, field);
	} else if (v->kind == RG_MAP) {
		const struct rg_node *props = get(s, "properties");

		error = v_object(x, r, s, v, field);
		if (error < 0)
			goto out;
		v_common(x, r, s, v, field);
		for (size_t i = 0; props && props->kind == RG_MAP &&
				   i < props->u.map.len;
		     i++) {
			const struct rg_pair *p = &props->u.map.items[i];
			const struct rg_node *pv =
				rg_map_get(v, p->key.ptr, p->key.len);

			if (!pv)
				continue;
			error = validate(x, r, p->val, pv,
					 child(x, field, p->key.ptr,
					       p->key.len));
			if (error < 0)
				goto out;
		}
	} else if (v->kind == RG_STR) {
		v_common(x, r, s, v, field);
		error = v_string(x, r, s, v, field);
		if (error < 0)
			goto out;
	} else {
		v_common(x, r, s, v, field);
	}
	r->score++;
out:
	x->depth--;
	return error;
}

int rg_jsonschema_validate(size_t *nerrors, struct rg_buf *out,
			   struct rg_arena *a, const struct rg_node *schema,
			   const struct rg_node *value, struct rg_err *err)
{
	struct ctx x = { a, schema, 0, err };
	struct result r;
	int error;

	memset(&r, 0, sizeof(r));
	*nerrors = 0;
	error = validate(&x, &r, schema, value, "(root)");
	if (error < 0)
		return error;
	for (size_t i = 0; i < r.len; i++)
		if (rg_buf_adds(out, r.lines[i]) < 0)
			return rg_err_set(err, RG_ELIMIT, NULL,
					  "schema errors longer than the "
					  "buffer's cap");
	*nerrors = r.len;
	return 0;
}
