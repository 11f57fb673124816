#include "rendergate/compat.h"
#include "rendergate/funcs_lib.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/gofmt.h"

#include <math.h>

const struct rg_tmpl_func *const rg_funcs_lib_tables[] = {
	rg_funcs_strings, rg_funcs_lists, rg_funcs_dicts,  rg_funcs_math,
	rg_funcs_misc,	  rg_funcs_encoding, rg_funcs_crypto, rg_funcs_date,
	rg_funcs_regex,	  rg_funcs_yaml,    NULL,
};

struct rg_node *rg_funcs_str(struct rg_tmpl_call *c, const char *s, size_t n)
{
	return rg_node_strn(c->arena, s, n);
}

struct rg_node *rg_funcs_buf_str(struct rg_tmpl_call *c, struct rg_buf *b)
{
	struct rg_node *n = rg_node_strn(c->arena, b->ptr, b->len);

	rg_buf_release(b);
	return n;
}

int rg_funcs_strval(struct rg_str *out, struct rg_tmpl_call *c,
		    const struct rg_node *v)
{
	struct rg_buf b = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);
	int rc = 0;

	if (v && v->kind == RG_STR) {
		*out = v->u.s;
		goto out;
	}
	rc = rg_gofmt_value(&b, rg_tmpl_exec_set(c), v);
	if (rc) {
		rc = rg_tmpl_fail_limit(c, "value too large to print (RG_CAP_FUNC_OUTPUT_BYTES)");
		goto out;
	}
	out->ptr = rg_arena_strndup(c->arena, b.ptr, b.len);
	out->len = b.len;
out:
	rg_buf_release(&b);
	return rc;
}

bool rg_funcs_empty(const struct rg_node *v)
{
	if (!v)
		return true;
	switch (v->kind) {
	case RG_NULL:
		return true;
	case RG_BOOL:
		return !v->u.b;
	case RG_INT:
		/* a method value is a func: never nil here */
		return v->tag != RG_GT_METHOD && v->u.i == 0;
	case RG_FLOAT:
		return v->u.f == 0;
	case RG_STR:
		return v->u.s.len == 0;
	case RG_SEQ:
		return v->u.seq.len == 0;
	case RG_MAP:
		/* reflect.Struct is never empty */
		return v->tag < RG_GT_STRUCT && v->u.map.len == 0;
	}
	return false;
}

/* The Go type of a value, for DeepEqual: kind and tag together. */
static bool same_type(const struct rg_node *x, const struct rg_node *y)
{
	return x->kind == y->kind && x->tag == y->tag;
}

bool rg_funcs_deep_equal(const struct rg_node *x, const struct rg_node *y)
{
	bool xn = rg_tmpl_isnil(x), yn = rg_tmpl_isnil(y);

	if (xn || yn)
		return xn && yn;
	if (!same_type(x, y))
		return false;
	switch (x->kind) {
	case RG_BOOL:
		return x->u.b == y->u.b;
	case RG_INT:
		return x->u.i == y->u.i;
	case RG_FLOAT:
		return x->u.f == y->u.f;
	case RG_STR:
		return x->u.s.len == y->u.s.len &&
		       memcmp(x->u.s.ptr, y->u.s.ptr, x->u.s.len) == 0;
	case RG_SEQ:
		if (x->u.seq.len != y->u.seq.len)
			return false;
		for (size_t i = 0; i < x->u.seq.len; i++)
			if (!rg_funcs_deep_equal(x->u.seq.items[i], y->u.seq.items[i]))
				return false;
		return true;
	case RG_MAP:
		if (x->u.map.len != y->u.map.len)
			return false;
		for (size_t i = 0; i < x->u.map.len; i++) {
			const struct rg_pair *p = &x->u.map.items[i];
			const struct rg_node *o = rg_map_get(y, p->key.ptr, p->key.len);

			if (!o || !rg_funcs_deep_equal(p->val, o))
				return false;
		}
		return true;
	}
	return false;
}

/*
 * strconv.ParseInt(s, 0, 64): sign, base prefix (0x 0o 0b, or 0 for
 * octal), underscores only where Go allows them with base 0.
 */
static bool parse_int0(const char *s, size_t n, int64_t *out)
{
	size_t i = 0;
	bool neg = false, digits = false;
	unsigned base = 10;
	uint64_t v = 0, lim = 0;
	char prev = '^'; /* for underscore rule: '0' digit, '_' underscore */

	if (n == 0)
		return false;
	if (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-';
		i++;
	}
	if (i + 1 < n && s[i] == '0') {
		char p = (char)(s[i + 1] | 0x20);

		if (p == 'x' || p == 'o' || p == 'b') {
			base = p == 'x' ? 16 : p == 'o' ? 8 : 2;
			i += 2;
			prev = '0'; /* underscore allowed right after the prefix */
		} else {
			base = 8;
			i++;
			digits = true;
			prev = '0';
		}
	}
	for (; i < n; i++) {
		char ch = s[i];
		unsigned d = 0;

		if (ch == '_') {
			if (prev != '0')
				return false;
			prev = '_';
			continue;
		}
		if (ch >= '0' && ch <= '9')
			d = (unsigned)(ch - '0');
		else if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z')
			d = (unsigned)((ch | 0x20) - 'a' + 10);
		else
			return false;
		if (d >= base)
			return false;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
		digits = true;
		prev = '0';
	}
	if (!digits || prev == '_')
		return false;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	if (v > lim)
		return false;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

/* Go's int64(f): truncation; out of range and NaN give INT64_MIN on amd64. */
static int64_t f2i(double f)
{
	if (isnan(f) || f >= 9223372036854775808.0 || f < -9223372036854775808.0)
		return INT64_MIN;
	return (int64_t)f;
}

int64_t rg_funcs_to_int64(const struct rg_node *v)
{
	int64_t r = 0;

	if (!v)
		return 0;
	switch (v->kind) {
	case RG_BOOL:
		return v->u.b;
	case RG_INT:
		return v->tag == RG_GT_METHOD ? 0 : v->u.i;
	case RG_FLOAT:
		return f2i(v->u.f);
	case RG_STR:
		if (v->tag == RG_GT_BYTES)
			return 0;
		return parse_int0(v->u.s.ptr, v->u.s.len, &r) ? r : 0;
	default:
		return 0;
	}
}

/* strconv.ParseFloat(s, 64): no leading/trailing space, Go's spellings. */
static bool parse_float(const char *s, size_t n, double *out)
{
	char *end = NULL, *tmp = NULL;
	bool ok = false;

	if (n == 0 || s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[0] == '\r' ||
	    s[0] == '\f' || s[0] == '\v' || memchr(s, '_', n) || memchr(s, 0, n))
		return false;
	tmp = rg_xstrndup(s, n);
	errno = 0;
	*out = strtod(tmp, &end);
	ok = end == tmp + n && !(errno == ERANGE && isinf(*out));
	/* Go accepts inf, infinity, nan (any case) but not "infinit" etc.: strtod agrees */
	free(tmp);
	return ok;
}

double rg_funcs_to_float64(const struct rg_node *v)
{
	double f = 0;

	if (!v)
		return 0;
	switch (v->kind) {
	case RG_BOOL:
		return v->u.b;
	case RG_INT:
		if (v->tag == RG_GT_METHOD)
			return 0;
		return v->tag == RG_GT_UINT64 ? (double)(uint64_t)v->u.i : (double)v->u.i;
	case RG_FLOAT:
		return v->u.f;
	case RG_STR:
		if (v->tag == RG_GT_BYTES)
			return 0;
		return parse_float(v->u.s.ptr, v->u.s.len, &f) ? f : 0;
	default:
		return 0;
	}
}

int rg_funcs_need_list(struct rg_tmpl_call *c, const struct rg_node *v,
		       const char *prefix)
{
	if (rg_tmpl_isnil(v))
		return rg_tmpl_fail(c, "runtime error: invalid memory address or nil pointer dereference");
	if (v->kind == RG_SEQ || (v->kind == RG_STR && v->tag == RG_GT_BYTES))
		return 0;
	return rg_tmpl_fail(c, "%s %s", prefix, rg_tmpl_kindname(v));
}

struct rg_node **rg_funcs_list_items(struct rg_tmpl_call *c,
				     const struct rg_node *v, size_t *n)
{
	struct rg_node **items = NULL;

	if (v->kind == RG_SEQ) {
		*n = v->u.seq.len;
		return v->u.seq.items;
	}
	/* []byte: its elements are uint8 */
	*n = v->u.s.len;
	items = rg_arena_calloc(c->arena, *n ? *n : 1, sizeof(*items));
	for (size_t i = 0; i < *n; i++)
		items[i] = rg_tmpl_typed(rg_node_int(c->arena, (unsigned char)v->u.s.ptr[i]),
					 RG_GT_UINT8);
	return items;
}
