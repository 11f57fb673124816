/*
 * funcs.c - the function registry, Go's built-in template functions
 * (text/template/funcs.go, Go 1.18) and Helm's include, tpl, required,
 * fail and lookup (pkg/engine, Helm 3.10.1).
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/funcs.h"
#include "rendergate/funcs_lib.h"
#include "rendergate/gofmt.h"
#include "rendergate/tmpl_int.h"

struct rg_funcs {
	struct rg_arena *a;
	struct rg_tmpl_hash h;
};

/* --- registry -------------------------------------------------------- */

void rg_funcs_add(struct rg_funcs *f, const struct rg_tmpl_func *table)
{
	for (; table && table->name; table++)
		rg_tmpl_hash_put(f->a, &f->h, table->name, strlen(table->name),
				 (void *)(uintptr_t)table);
}

const struct rg_tmpl_func *rg_funcs_find(const struct rg_funcs *f,
					 const char *name, size_t len)
{
	return rg_tmpl_hash_get(&f->h, name, len);
}

size_t rg_funcs_count(const struct rg_funcs *f)
{
	return f->h.len;
}

struct rg_funcs *rg_funcs_new(struct rg_arena *a)
{
	struct rg_funcs *f = rg_arena_alloc(a, sizeof(*f));

	f->a = a;
	rg_funcs_add(f, rg_funcs_builtin);
	for (size_t i = 0; rg_funcs_lib_tables[i]; i++)
		rg_funcs_add(f, rg_funcs_lib_tables[i]);
	rg_funcs_add(f, rg_funcs_helm);
	return f;
}

/* --- argument checks for the built-ins ------------------------------- */

static int ret_bool(struct rg_node **out, struct rg_tmpl_call *c, bool b)
{
	*out = rg_node_bool(c->arena, b);
	return 0;
}

/* --- and, or (evaluated by the executor), not, len ------------------- */

static int fn_and_or(struct rg_node **out, struct rg_tmpl_call *c,
		     struct rg_node *const *args, size_t nargs)
{
	/* reached only through `call`; the executor short-circuits */
	*out = nargs ? args[nargs - 1] : NULL;
	(void)c;
	return 0;
}

static int fn_not(struct rg_node **out, struct rg_tmpl_call *c,
		  struct rg_node *const *args, size_t nargs)
{
	(void)nargs;
	return ret_bool(out, c, !rg_tmpl_truth(args[0]));
}

static int fn_len(struct rg_node **out, struct rg_tmpl_call *c,
		  struct rg_node *const *args, size_t nargs)
{
	const struct rg_node *v = args[0];
	int64_t n;

	(void)nargs;
	/* Go 1.18 hands "no value" to len, which panics in reflect */
	if (!v)
		return rg_tmpl_fail(c, "reflect: call of reflect.Value.Type "
				       "on zero Value");
	switch (v->kind) {
	case RG_NULL:
		return rg_tmpl_fail(c, "len of nil pointer");
	case RG_STR:
		n = (int64_t)v->u.s.len;
		break;
	case RG_SEQ:
		n = (int64_t)v->u.seq.len;
		break;
	case RG_MAP:
		if (v->tag >= RG_GT_STRUCT)
			return rg_tmpl_fail(c, "len of type %s",
					    rg_tmpl_typename(rg_tmpl_exec_set(c), v));
		n = (int64_t)v->u.map.len;
		break;
	default:
		return rg_tmpl_fail(c, "len of type %s",
				    rg_tmpl_typename(rg_tmpl_exec_set(c), v));
	}
	*out = rg_node_int(c->arena, n);
	return 0;
}

/* --- index, slice ---------------------------------------------------- */

static bool is_intlike(const struct rg_node *v)
{
	return v && v->kind == RG_INT && v->tag != RG_GT_METHOD;
}

static bool is_unsigned(const struct rg_node *v)
{
	return v->tag == RG_GT_UINT8 || v->tag == RG_GT_UINT64;
}

/* indexArg: an index for a list/string of length cap */
static int index_arg(int64_t *out, struct rg_tmpl_call *c,
		     const struct rg_node *ix, size_t cap)
{
	int64_t x;

	if (!ix || ix->kind == RG_NULL)
		return rg_tmpl_fail(c, "cannot index slice/array with nil");
	if (!is_intlike(ix))
		return rg_tmpl_fail(c, "cannot index slice/array with type %s",
				    rg_tmpl_typename(rg_tmpl_exec_set(c), ix));
	x = ix->u.i;
	if (is_unsigned(ix) && (uint64_t)x > (uint64_t)INT64_MAX)
		x = -1;
	if (x < 0 || (uint64_t)x > cap)
		return rg_tmpl_fail(c, "index out of range: %lld",
				    (long long)ix->u.i);
	*out = x;
	return 0;
}

static int fn_index(struct rg_node **out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, size_t nargs)
{
	struct rg_node *item = args[0];
	int error;

	if (!item || item->kind == RG_NULL)
		return rg_tmpl_fail(c, "index of untyped nil");
	for (size_t i = 1; i < nargs; i++) {
		const struct rg_node *ix = args[i];
		int64_t x;

		if (item->kind == RG_NULL)
			return rg_tmpl_fail(c, "index of nil pointer");
		switch (item->kind) {
		case RG_SEQ:
			if ((error = index_arg(&x, c, ix, item->u.seq.len)) < 0)
				return error;
			if ((size_t)x == item->u.seq.len)
				return rg_tmpl_fail(
					c, "reflect: slice index out of range");
			{
				struct rg_node *e = item->u.seq.items[x];

				item = e ? e : rg_node_null(c->arena);
			}
			break;
		case RG_STR: {
			struct rg_node *b;

			if ((error = index_arg(&x, c, ix, item->u.s.len)) < 0)
				return error;
			if ((size_t)x == item->u.s.len)
				return rg_tmpl_fail(
					c, item->tag == RG_GT_BYTES
						   ? "reflect: slice index out of range"
						   : "reflect: string index out of range");
			b = rg_node_int(c->arena,
					(unsigned char)item->u.s.ptr[x]);
			b->tag = RG_GT_UINT8;
			item = b;
			break;
		}
		case RG_MAP: {
			struct rg_node *v;

			if (item->tag >= RG_GT_STRUCT)
				goto cant;
			if (!ix || ix->kind == RG_NULL)
				return rg_tmpl_fail(c,
						    "value is nil; should be of "
						    "type string");
			if (ix->kind != RG_STR || ix->tag == RG_GT_BYTES)
				return rg_tmpl_fail(
					c, "value has type %s; should be string",
					rg_tmpl_typename(rg_tmpl_exec_set(c), ix));
			v = rg_map_get(item, ix->u.s.ptr, ix->u.s.len);
			if (!v)
				v = item->tag == RG_GT_STRMAP
					    ? rg_node_strn(c->arena, "", 0)
					    : rg_node_null(c->arena);
			item = v;
			break;
		}
		default:
		cant:
			return rg_tmpl_fail(c, "can't index item of type %s",
					    rg_tmpl_typename(rg_tmpl_exec_set(c),
							     item));
		}
	}
	*out = item;
	return 0;
}

static int fn_slice(struct rg_node **out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, size_t nargs)
{
	struct rg_node *item = args[0];
	int64_t idx[3] = { 0, 0, 0 };
	size_t cap, len;
	int error;

	if (!item || item->kind == RG_NULL)
		return rg_tmpl_fail(c, "slice of untyped nil");
	if (nargs - 1 > 3)
		return rg_tmpl_fail(c, "too many slice indexes: %zu", nargs - 1);
	if (item->kind == RG_STR) {
		if (nargs - 1 == 3 && item->tag != RG_GT_BYTES)
			return rg_tmpl_fail(c, "cannot 3-index slice a string");
		cap = len = item->u.s.len;
	} else if (item->kind == RG_SEQ) {
		cap = len = item->u.seq.len;
	} else {
		return rg_tmpl_fail(c, "can't slice item of type %s",
				    rg_tmpl_typename(rg_tmpl_exec_set(c), item));
	}
	idx[1] = (int64_t)len;
	for (size_t i = 1; i < nargs; i++)
		if ((error = index_arg(&idx[i - 1], c, args[i], cap)) < 0)
			return error;
	if (idx[0] > idx[1])
		return rg_tmpl_fail(c, "invalid slice index: %lld > %lld",
				    (long long)idx[0], (long long)idx[1]);
	if (nargs - 1 == 3 && idx[1] > idx[2])
		return rg_tmpl_fail(c, "invalid slice index: %lld > %lld",
				    (long long)idx[1], (long long)idx[2]);
	if (item->kind == RG_STR) {
		*out = rg_node_strn(c->arena, item->u.s.ptr + idx[0],
				    (size_t)(idx[1] - idx[0]));
		(*out)->tag = item->tag;
		return 0;
	}
	*out = rg_node_seq(c->arena);
	(*out)->tag = item->tag;
	for (int64_t i = idx[0]; i < idx[1]; i++)
		rg_seq_push(c->arena, *out, item->u.seq.items[i]);
	return 0;
}

/* --- printing -------------------------------------------------------- */

static struct rg_node *buf_result(struct rg_tmpl_call *c, struct rg_buf *b)
{
	struct rg_node *n = rg_node_strn(c->arena, b->ptr, b->len);

	rg_buf_release(b);
	return n;
}

static int print_limit(struct rg_tmpl_call *c, struct rg_buf *b)
{
	rg_buf_release(b);
	return rg_tmpl_fail_limit(c,
				  "%s output exceeds %u bytes "
				  "(RG_CAP_TMPL_OUTPUT_BYTES)",
				  c->name, RG_CAP_TMPL_OUTPUT_BYTES);
}

static int fn_print(struct rg_node **out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(RG_CAP_TMPL_OUTPUT_BYTES);

	if (rg_gofmt_sprint(&b, rg_tmpl_exec_set(c), args, nargs) < 0)
		return print_limit(c, &b);
	*out = buf_result(c, &b);
	return 0;
}

static int fn_println(struct rg_node **out, struct rg_tmpl_call *c,
		      struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(RG_CAP_TMPL_OUTPUT_BYTES);

	if (rg_gofmt_sprintln(&b, rg_tmpl_exec_set(c), args, nargs) < 0)
		return print_limit(c, &b);
	*out = buf_result(c, &b);
	return 0;
}

static int fn_printf(struct rg_node **out, struct rg_tmpl_call *c,
		     struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(RG_CAP_TMPL_OUTPUT_BYTES);
	struct rg_str f;
	int error = rg_tmpl_arg_str(&f, c, args, 0);

	if (error < 0)
		return error;
	if (rg_gofmt_sprintf(&b, rg_tmpl_exec_set(c), f.ptr, f.len, args + 1,
			     nargs - 1) < 0)
		return print_limit(c, &b);
	*out = buf_result(c, &b);
	return 0;
}

/*
 * evalArgs of funcs.go: one string as is, else fmt.Sprint of the args,
 * each passed through printableValue first, which turns a nil argument
 * (an invalid reflect.Value) into the string "<no value>".
 */
static int eval_args(struct rg_buf *b, struct rg_tmpl_call *c,
		     struct rg_node *const *args, size_t nargs)
{
	struct rg_node *stackv[8];
	struct rg_node **v = stackv;
	int err;

	if (nargs == 1 && args[0] && args[0]->kind == RG_STR &&
	    args[0]->tag != RG_GT_BYTES)
		return rg_buf_add(b, args[0]->u.s.ptr, args[0]->u.s.len);
	if (nargs > RG_ARRAY_SIZE(stackv))
		v = rg_arena_calloc(c->arena, nargs, sizeof(*v));
	for (size_t i = 0; i < nargs; i++)
		v[i] = rg_tmpl_isnil(args[i])
			       ? rg_node_str(c->arena, "<no value>")
			       : args[i];
	err = rg_gofmt_sprint(b, rg_tmpl_exec_set(c), v, nargs);
	return err;
}

/* one byte of template.HTMLEscapeString */
static int esc_html(struct rg_buf *b, unsigned char ch)
{
	switch (ch) {
	case '"': return rg_buf_adds(b, "&#34;");
	case '\'': return rg_buf_adds(b, "&#39;");
	case '&': return rg_buf_adds(b, "&amp;");
	case '<': return rg_buf_adds(b, "&lt;");
	case '>': return rg_buf_adds(b, "&gt;");
	case '\0': return rg_buf_adds(b, "\xEF\xBF\xBD");
	}
	return rg_buf_addch(b, (char)ch);
}

/* one byte of template.JSEscapeString (ASCII part) */
static int esc_js(struct rg_buf *b, unsigned char ch)
{
	switch (ch) {
	case '\\': return rg_buf_adds(b, "\\\\");
	case '\'': return rg_buf_adds(b, "\\'");
	case '"': return rg_buf_adds(b, "\\\"");
	case '<': return rg_buf_adds(b, "\\u003C");
	case '>': return rg_buf_adds(b, "\\u003E");
	case '&': return rg_buf_adds(b, "\\u0026");
	case '=': return rg_buf_adds(b, "\\u003D");
	}
	if (ch < ' ')
		return rg_buf_addf(b, "\\u%04X", ch);
	return rg_buf_addch(b, (char)ch);
}

/* one byte of url.QueryEscape */
static int esc_query(struct rg_buf *b, unsigned char ch)
{
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' ||
	    ch == '~')
		return rg_buf_addch(b, (char)ch);
	if (ch == ' ')
		return rg_buf_addch(b, '+');
	return rg_buf_addf(b, "%%%02X", ch);
}

/* html, js, urlquery: evalArgs, then escape byte by byte */
static int escape_fn(struct rg_node **out, struct rg_tmpl_call *c,
		     struct rg_node *const *args, size_t nargs,
		     int (*esc)(struct rg_buf *, unsigned char))
{
	struct rg_buf s = RG_BUF_INIT(RG_CAP_TMPL_OUTPUT_BYTES);
	struct rg_buf b = RG_BUF_INIT(RG_CAP_TMPL_OUTPUT_BYTES);
	int err = eval_args(&s, c, args, nargs);

	for (size_t i = 0; i < s.len && !err; i++) {
		uint32_t r;
		size_t w;

		if (esc != esc_js || (unsigned char)s.ptr[i] < 0x80) {
			err = esc(&b, (unsigned char)s.ptr[i]);
			continue;
		}
		/* JSEscape: non-printable runes as \uXXXX, the rest as is */
		w = rg_gofmt_utf8_decode(s.ptr + i, s.len - i, &r);
		if (rg_gofmt_isprint(r) && !(w == 1 && r == 0xFFFD))
			err = rg_buf_add(&b, s.ptr + i, w);
		else
			err = rg_buf_addf(&b, "\\u%04X", r);
		i += w - 1;
	}
	rg_buf_release(&s);
	if (err < 0)
		return print_limit(c, &b);
	*out = buf_result(c, &b);
	return 0;
}

static int fn_html(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, size_t nargs)
{
	return escape_fn(out, c, args, nargs, esc_html);
}

static int fn_js(struct rg_node **out, struct rg_tmpl_call *c,
		 struct rg_node *const *args, size_t nargs)
{
	return escape_fn(out, c, args, nargs, esc_js);
}

static int fn_urlquery(struct rg_node **out, struct rg_tmpl_call *c,
		       struct rg_node *const *args, size_t nargs)
{
	return escape_fn(out, c, args, nargs, esc_query);
}

static int fn_call(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, size_t nargs)
{
	const struct rg_node *f = args[0];

	(void)out;
	(void)nargs;
	if (!f || f->kind == RG_NULL)
		return rg_tmpl_fail(c, "call of nil");
	return rg_tmpl_fail(c, "non-function of type %s",
			    rg_tmpl_typename(rg_tmpl_exec_set(c), f));
}

/* --- comparisons ----------------------------------------------------- */

enum bkind { K_INVALID, K_BOOL, K_INT, K_UINT, K_FLOAT, K_STRING };

static enum bkind basic_kind(const struct rg_node *v)
{
	if (!v)
		return K_INVALID;
	switch (v->kind) {
	case RG_BOOL:
		return K_BOOL;
	case RG_INT:
		if (v->tag == RG_GT_METHOD)
			return K_INVALID;
		return is_unsigned(v) ? K_UINT : K_INT;
	case RG_FLOAT:
		return K_FLOAT;
	case RG_STR:
		return v->tag == RG_GT_BYTES ? K_INVALID : K_STRING;
	}
	return K_INVALID;
}

static const char err_bad_type[] = "invalid type for comparison";
static const char err_bad_cmp[] = "incompatible types for comparison";

static bool str_eq(const struct rg_node *a, const struct rg_node *b)
{
	return a->u.s.len == b->u.s.len &&
	       !memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len);
}

static bool comparable(const struct rg_node *v)
{
	return v->kind != RG_SEQ && !(v->kind == RG_STR && v->tag == RG_GT_BYTES) &&
	       !(v->kind == RG_MAP);
}

/* Go 1.18: "uncomparable type %s: %v" */
static int uncomparable(struct rg_tmpl_call *c, const struct rg_node *v)
{
	struct rg_buf b = RG_BUF_INIT(RG_ERR_MSG_MAX);
	int r;

	(void)rg_gofmt_value(&b, rg_tmpl_exec_set(c), v);
	r = rg_tmpl_fail(c, "uncomparable type %s: %s",
			 rg_tmpl_typename(rg_tmpl_exec_set(c), v), b.ptr);
	rg_buf_release(&b);
	return r;
}

/* eq: 0 ok (*truth set), or error */
static int do_eq(bool *truth, struct rg_tmpl_call *c,
		 struct rg_node *const *args, size_t nargs)
{
	const struct rg_node *a1 = args[0];
	enum bkind k1;

	if (a1 && a1->kind == RG_NULL)
		a1 = NULL;
	if (a1 && !comparable(a1))
		return uncomparable(c, a1);
	if (nargs < 2)
		return rg_tmpl_fail(c, "missing argument for comparison");
	k1 = basic_kind(a1);
	*truth = false;
	for (size_t i = 1; i < nargs; i++) {
		const struct rg_node *a = args[i];
		enum bkind k2;
		bool t = false;

		if (a && a->kind == RG_NULL)
			a = NULL;
		k2 = basic_kind(a);
		if (k1 != k2) {
			if (k1 == K_INT && k2 == K_UINT)
				t = a1->u.i >= 0 && (uint64_t)a1->u.i == (uint64_t)a->u.i;
			else if (k1 == K_UINT && k2 == K_INT)
				t = a->u.i >= 0 && (uint64_t)a1->u.i == (uint64_t)a->u.i;
			else if (a1 && a)
				return rg_tmpl_fail(c, "%s", err_bad_cmp);
		} else {
			switch (k1) {
			case K_BOOL:
				t = a1->u.b == a->u.b;
				break;
			case K_FLOAT:
				t = a1->u.f == a->u.f;
				break;
			case K_INT:
			case K_UINT:
				t = a1->u.i == a->u.i;
				break;
			case K_STRING:
				t = str_eq(a1, a);
				break;
			case K_INVALID:
				if (!a || !a1) {
					t = a1 == a;
				} else {
					if (!comparable(a))
						return uncomparable(c, a);
					t = a1 == a;
				}
				break;
			}
		}
		if (t) {
			*truth = true;
			return 0;
		}
	}
	return 0;
}

static int fn_eq(struct rg_node **out, struct rg_tmpl_call *c,
		 struct rg_node *const *args, size_t nargs)
{
	bool t = false;
	int error = do_eq(&t, c, args, nargs);

	if (error < 0)
		return error;
	return ret_bool(out, c, t);
}

static int fn_ne(struct rg_node **out, struct rg_tmpl_call *c,
		 struct rg_node *const *args, size_t nargs)
{
	bool t = false;
	int error = do_eq(&t, c, args, nargs);

	if (error < 0)
		return error;
	return ret_bool(out, c, !t);
}

static int do_lt(bool *truth, struct rg_tmpl_call *c,
		 struct rg_node *const *args)
{
	const struct rg_node *a1 = args[0], *a2 = args[1];
	enum bkind k1 = basic_kind(a1 && a1->kind != RG_NULL ? a1 : NULL);
	enum bkind k2;

	if (k1 == K_INVALID)
		return rg_tmpl_fail(c, "%s", err_bad_type);
	k2 = basic_kind(a2 && a2->kind != RG_NULL ? a2 : NULL);
	if (k2 == K_INVALID)
		return rg_tmpl_fail(c, "%s", err_bad_type);
	*truth = false;
	if (k1 != k2) {
		if (k1 == K_INT && k2 == K_UINT)
			*truth = a1->u.i < 0 || (uint64_t)a1->u.i < (uint64_t)a2->u.i;
		else if (k1 == K_UINT && k2 == K_INT)
			*truth = a2->u.i >= 0 && (uint64_t)a1->u.i < (uint64_t)a2->u.i;
		else
			return rg_tmpl_fail(c, "%s", err_bad_cmp);
		return 0;
	}
	switch (k1) {
	case K_BOOL:
	case K_INVALID:
		return rg_tmpl_fail(c, "%s", err_bad_type);
	case K_FLOAT:
		*truth = a1->u.f < a2->u.f;
		break;
	case K_INT:
		*truth = a1->u.i < a2->u.i;
		break;
	case K_UINT:
		*truth = (uint64_t)a1->u.i < (uint64_t)a2->u.i;
		break;
	case K_STRING: {
		size_t n = a1->u.s.len < a2->u.s.len ? a1->u.s.len : a2->u.s.len;
		int r = memcmp(a1->u.s.ptr, a2->u.s.ptr, n);

		*truth = r < 0 || (r == 0 && a1->u.s.len < a2->u.s.len);
		break;
	}
	}
	return 0;
}

enum { OP_LT, OP_LE, OP_GT, OP_GE };

static int cmp_op(struct rg_node **out, struct rg_tmpl_call *c,
		  struct rg_node *const *args, int op)
{
	bool lt = false, eq = false;
	int error;

	if ((error = do_lt(&lt, c, args)) < 0)
		return error;
	if (op == OP_LT)
		return ret_bool(out, c, lt);
	if (op == OP_GE)
		return ret_bool(out, c, !lt);
	if (!lt && (error = do_eq(&eq, c, args, 2)) < 0)
		return error;
	return ret_bool(out, c, op == OP_LE ? (lt || eq) : !(lt || eq));
}

static int fn_lt(struct rg_node **out, struct rg_tmpl_call *c,
		 struct rg_node *const *args, size_t nargs)
{
	(void)nargs;
	return cmp_op(out, c, args, OP_LT);
}

static int fn_le(struct rg_node **out, struct rg_tmpl_call *c,
		 struct rg_node *const *args, size_t nargs)
{
	(void)nargs;
	return cmp_op(out, c, args, OP_LE);
}

static int fn_gt(struct rg_node **out, struct rg_tmpl_call *c,
		 struct rg_node *const *args, size_t nargs)
{
	(void)nargs;
	return cmp_op(out, c, args, OP_GT);
}

static int fn_ge(struct rg_node **out, struct rg_tmpl_call *c,
		 struct rg_node *const *args, size_t nargs)
{
	(void)nargs;
	return cmp_op(out, c, args, OP_GE);
}

/* "and" must stay first and "or" ninth: see rg_tmpl_is_and/or */
const struct rg_tmpl_func rg_funcs_builtin[] = {
	{ "and", fn_and_or, 1, -1, 0 },
	{ "call", fn_call, 1, -1, 0 },
	{ "html", fn_html, 0, -1, 0 },
	{ "index", fn_index, 1, -1, 0 },
	{ "slice", fn_slice, 1, -1, 0 },
	{ "js", fn_js, 0, -1, 0 },
	{ "len", fn_len, 1, 1, 0 },
	{ "not", fn_not, 1, 1, 0 },
	{ "or", fn_and_or, 1, -1, 0 },
	{ "print", fn_print, 0, -1, 0 },
	{ "printf", fn_printf, 1, -1, 0 },
	{ "println", fn_println, 0, -1, 0 },
	{ "urlquery", fn_urlquery, 0, -1, 0 },
	{ "eq", fn_eq, 1, -1, 0 },
	{ "ge", fn_ge, 2, 2, 0 },
	{ "gt", fn_gt, 2, 2, 0 },
	{ "le", fn_le, 2, 2, 0 },
	{ "lt", fn_lt, 2, 2, 0 },
	{ "ne", fn_ne, 2, 2, 0 },
	{ NULL, NULL, 0, 0, 0 },
};

bool rg_tmpl_is_and(const struct rg_tmpl_func *f)
{
	return f == &rg_funcs_builtin[0];
}

bool rg_tmpl_is_or(const struct rg_tmpl_func *f)
{
	return f == &rg_funcs_builtin[8];
}

/* --- Helm ------------------------------------------------------------ */

#define HELM_ERR_START "HELM_ERR_START"
#define HELM_ERR_END "HELM_ERR_END"

static int fn_include(struct rg_node **out, struct rg_tmpl_call *c,
		      struct rg_node *const *args, size_t nargs)
{
	struct rg_str name, text;
	int error = rg_tmpl_arg_str(&name, c, args, 0);

	(void)nargs;
	if (error < 0)
		return error;
	error = rg_tmpl_call_template(&text, c, name.ptr,
				      args[1] && args[1]->kind != RG_NULL
					      ? args[1]
					      : NULL);
	if (error < 0)
		return error;
	*out = rg_node_strn(c->arena, text.ptr, text.len);
	return 0;
}

/* chartutil.Values.PathValue("Template.X") as a string, or NULL */
static const char *template_field(const struct rg_node *vals, const char *k)
{
	const struct rg_node *t = rg_map_gets(vals, "Template");
	const struct rg_node *v = t && t->kind == RG_MAP ? rg_map_gets(t, k)
							 : NULL;

	return v && v->kind == RG_STR ? v->u.s.ptr : NULL;
}

void rg_funcs_helm_parse_error(struct rg_err *e, const char *filename)
{
	char msg[RG_ERR_MSG_MAX];
	const char *p = e->msg, *loc, *last = e->msg, *s;

	s = strstr(p, ": ");
	if (!s) {
		snprintf(msg, sizeof(msg), "parse error in (%s): %s", filename,
			 e->msg);
		goto out;
	}
	loc = s + 2;
	s = strstr(loc, ": ");
	for (const char *q = e->msg; (q = strstr(q, ": ")); q += 2)
		last = q + 2;
	snprintf(msg, sizeof(msg), "parse error at (%.*s): %s",
		 (int)(s ? (size_t)(s - loc) : strlen(loc)), loc, last);
out:
	snprintf(e->msg, sizeof(e->msg), "%s", msg);
}

static int fn_tpl(struct rg_node **out, struct rg_tmpl_call *c,
		  struct rg_node *const *args, size_t nargs)
{
	struct rg_str text, res;
	struct rg_node *vals = NULL;
	const char *name, *base;
	int error = rg_tmpl_arg_str(&text, c, args, 0);

	(void)nargs;
	if (error < 0)
		return error;
	if ((error = rg_tmpl_arg_map(&vals, c, args, 1)) < 0) {
		/* the parameter is chartutil.Values */
		char *m = strstr(c->err->msg, "map[string]interface {}");

		if (m)
			snprintf(m, sizeof(c->err->msg) - (size_t)(m - c->err->msg),
				 "chartutil.Values%s",
				 rg_arena_strdup(c->arena, m + 23));
		return error;
	}
	base = vals ? template_field(vals, "BasePath") : NULL;
	if (!base)
		return rg_tmpl_fail(c,
				    "cannot retrieve Template.Basepath from "
				    "values inside tpl function: %s: "
				    "\"BasePath\" is not a value",
				    text.ptr);
	name = template_field(vals, "Name");
	if (!name)
		return rg_tmpl_fail(c,
				    "cannot retrieve Template.Name from values "
				    "inside tpl function: %s: \"Name\" is not a "
				    "value",
				    text.ptr);
	error = rg_tmpl_call_tpl(&res, c, name, text.ptr, text.len, vals);
	if (error < 0) {
		struct rg_buf m = RG_BUF_INIT(1u << 16);

		if (error == RG_ELIMIT)
			return error;
		if (error == RG_EPARSE)
			rg_funcs_helm_parse_error(c->err, name);
		(void)rg_buf_adds(&m, "error during tpl function execution for ");
		(void)rg_gofmt_quote(&m, text.ptr, text.len);
		(void)rg_buf_addf(&m, ": %s", c->err->msg);
		c->err_raw = 0;
		rg_tmpl_err_elided(c->err, RG_ERROR, NULL, m.ptr, m.len);
		rg_buf_release(&m);
		return RG_ERROR;
	}
	*out = rg_node_strn(c->arena, res.ptr, res.len);
	return 0;
}

static int fn_required(struct rg_node **out, struct rg_tmpl_call *c,
		       struct rg_node *const *args, size_t nargs)
{
	struct rg_str warn;
	const struct rg_node *v = args[1];
	int error = rg_tmpl_arg_str(&warn, c, args, 0);

	(void)nargs;
	if (error < 0)
		return error;
	if (!v || v->kind == RG_NULL ||
	    (v->kind == RG_STR && v->tag != RG_GT_BYTES && v->u.s.len == 0))
		return rg_tmpl_fail(c, HELM_ERR_START "%s" HELM_ERR_END,
				    warn.ptr);
	*out = args[1];
	return 0;
}

static int fn_fail(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, size_t nargs)
{
	struct rg_str msg;
	int error = rg_tmpl_arg_str(&msg, c, args, 0);

	(void)out;
	(void)nargs;
	if (error < 0)
		return error;
	return rg_tmpl_fail(c, HELM_ERR_START "%s" HELM_ERR_END, msg.ptr);
}

static int fn_lookup(struct rg_node **out, struct rg_tmpl_call *c,
		     struct rg_node *const *args, size_t nargs)
{
	struct rg_str s;
	int error;

	for (size_t i = 0; i < nargs; i++)
		if ((error = rg_tmpl_arg_str(&s, c, args, i)) < 0)
			return error;
	*out = rg_node_map(c->arena);
	return 0;
}

const struct rg_tmpl_func rg_funcs_helm[] = {
	{ "include", fn_include, 2, 2, 0 },
	{ "tpl", fn_tpl, 2, 2, 0 },
	{ "required", fn_required, 2, 2, 0 },
	{ "fail", fn_fail, 1, 1, 0 },
	{ "lookup", fn_lookup, 4, 4, 0 },
	{ NULL, NULL, 0, 0, 0 },
};

void rg_funcs_helm_error(struct rg_err *err)
{
	const char *s = strstr(err->msg, HELM_ERR_START);
	const char *e = s ? strstr(s, HELM_ERR_END) : NULL;
	const char *p1, *p2;
	char msg[RG_ERR_MSG_MAX];

	if (!s || !e || strncmp(err->msg, "template: ", 10))
		return;
	p1 = err->msg + 10;
	p2 = strstr(p1, ": ");
	if (!p2)
		return;
	snprintf(msg, sizeof(msg), "execution error at (%.*s): %.*s",
		 (int)(p2 - p1), p1, (int)(e - s - strlen(HELM_ERR_START)),
		 s + strlen(HELM_ERR_START));
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
}

/* --- standalone execution -------------------------------------------- */

/*
 * A key go-yaml v2 read as a bool or an int comes out of the JSON round
 * trip as its Go text: "true"/"false", decimal digits.
 */
static void helm_key(struct rg_pair *p)
{
	static const char *const t[] = { "y", "Y", "yes", "Yes", "YES", "on",
					  "On", "ON", "true", "True", "TRUE" };
	static const char *const f[] = { "n", "N", "no", "No", "NO", "off",
					  "Off", "OFF", "false", "False",
					  "FALSE" };

	if (!p->val || !(p->val->flags & RG_NODE_KEY_NONSTR))
		return;
	for (size_t i = 0; i < RG_ARRAY_SIZE(t); i++) {
		if (!strcmp(p->key.ptr, t[i])) {
			p->key = RG_STR_LIT("true");
			return;
		}
		if (!strcmp(p->key.ptr, f[i])) {
			p->key = RG_STR_LIT("false");
			return;
		}
	}
}

void rg_funcs_helm_numbers(struct rg_node *n)
{
	if (!n)
		return;
	switch (n->kind) {
	case RG_INT:
		n->kind = RG_FLOAT;
		n->u.f = (double)n->u.i;
		n->tag = RG_GT_DEFAULT;
		break;
	case RG_SEQ:
		for (size_t i = 0; i < n->u.seq.len; i++)
			rg_funcs_helm_numbers(n->u.seq.items[i]);
		break;
	case RG_MAP:
		for (size_t i = 0; i < n->u.map.len; i++) {
			helm_key(&n->u.map.items[i]);
			rg_funcs_helm_numbers(n->u.map.items[i].val);
		}
		break;
	}
}

static void set_str(struct rg_arena *a, struct rg_node *m, const char *k,
		    const char *v)
{
	rg_map_set(a, m, k, strlen(k), rg_node_str(a, v));
}

struct rg_node *rg_funcs_standalone_dot(struct rg_arena *a,
					struct rg_tmpl_set *set,
					struct rg_node *values)
{
	struct rg_node *dot = rg_node_map(a);
	struct rg_node *rel = rg_node_map(a);
	struct rg_node *chart = rg_node_map(a);
	struct rg_node *caps = rg_node_map(a);
	struct rg_node *kv = rg_node_map(a);
	struct rg_node *tmpl = rg_node_map(a);

	dot->tag = RG_GT_VALUES;
	if (!values || values->kind != RG_MAP)
		values = rg_node_map(a);
	values->tag = RG_GT_VALUES;
	rg_map_set(a, dot, "Values", 6, values);
	set_str(a, rel, "Name", "rg");
	set_str(a, rel, "Namespace", "default");
	rg_map_set(a, rel, "IsUpgrade", 9, rg_node_bool(a, false));
	rg_map_set(a, rel, "IsInstall", 9, rg_node_bool(a, true));
	rg_map_set(a, rel, "Revision", 8, rg_node_int(a, 1));
	set_str(a, rel, "Service", "Helm");
	rg_map_set(a, dot, "Release", 7, rel);
	chart->tag = (uint8_t)rg_tmpl_set_struct(set, "*chart.Metadata");
	set_str(a, chart, "Name", "test");
	set_str(a, chart, "Version", "0.1.0");
	set_str(a, chart, "APIVersion", "v2");
	set_str(a, chart, "AppVersion", "");
	set_str(a, chart, "Description", "");
	set_str(a, chart, "Type", "");
	rg_map_set(a, dot, "Chart", 5, chart);
	caps->tag = (uint8_t)rg_tmpl_set_struct(set, "*chartutil.Capabilities");
	kv->tag = (uint8_t)rg_tmpl_set_struct(set, "chartutil.KubeVersion");
	set_str(a, kv, "Version", "v1.31.0");
	set_str(a, kv, "Major", "1");
	set_str(a, kv, "Minor", "31");
	/* methods without arguments: String() (actions print it), GitVersion() */
	rg_map_set(a, kv, "String", 6,
		   rg_tmpl_typed(rg_node_str(a, "v1.31.0"), RG_GT_METHOD));
	rg_map_set(a, kv, "GitVersion", 10,
		   rg_tmpl_typed(rg_node_str(a, "v1.31.0"), RG_GT_METHOD));
	rg_map_set(a, caps, "KubeVersion", 11, kv);
	rg_map_set(a, dot, "Capabilities", 12, caps);
	tmpl->tag = RG_GT_VALUES;
	set_str(a, tmpl, "Name", "test/templates/out.yaml");
	set_str(a, tmpl, "BasePath", "test/templates");
	rg_map_set(a, dot, "Template", 8, tmpl);
	return dot;
}
