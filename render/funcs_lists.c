#include "rendergate/compat.h"
#include "rendergate/funcs_lib.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"

/* Sprig's list functions (list.go, numeric.go until/untilStep/seq). */

static struct rg_node *new_list(struct rg_tmpl_call *c)
{
	return rg_node_seq(c->arena);
}

/* The elements of a list argument, or an error named like sprig's. */
#define ITEMS(v, what)                                                         \
	do {                                                                   \
		rc = rg_funcs_need_list(c, (v), (what));                       \
		if (rc)                                                        \
			goto out;                                              \
		items = rg_funcs_list_items(c, (v), &n);                       \
	} while (0)

static int fn_list(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, size_t nargs)
{
	struct rg_node *l = new_list(c);

	for (size_t i = 0; i < nargs; i++)
		rg_seq_push(c->arena, l, args[i] ? args[i] : rg_node_null(c->arena));
	*out = l;
	return 0;
}

/* append/push LIST V and prepend LIST V: a new []interface{} */
static int push(struct rg_node **out, struct rg_tmpl_call *c,
		struct rg_node *const *args, bool front, const char *what)
{
	struct rg_node **items = NULL, *l = new_list(c);
	struct rg_node *v = args[1] ? args[1] : rg_node_null(c->arena);
	size_t n = 0;
	int rc = 0;

	ITEMS(args[0], what);
	if (front)
		rg_seq_push(c->arena, l, v);
	for (size_t i = 0; i < n; i++)
		rg_seq_push(c->arena, l, items[i]);
	if (!front)
		rg_seq_push(c->arena, l, v);
	*out = l;
out:
	return rc;
}

static int fn_append(struct rg_node **out, struct rg_tmpl_call *c,
		     struct rg_node *const *args, size_t nargs)
{
	return push(out, c, args, false, "Cannot push on type");
}

static int fn_prepend(struct rg_node **out, struct rg_tmpl_call *c,
		      struct rg_node *const *args, size_t nargs)
{
	return push(out, c, args, true, "Cannot prepend on type");
}

static int fn_first(struct rg_node **out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, size_t nargs)
{
	struct rg_node **items = NULL;
	size_t n = 0;
	int rc = 0;

	ITEMS(args[0], "Cannot find first on type");
	/* a nil interface{} result is Go's "no value" */
	*out = n && !rg_tmpl_isnil(items[0]) ? items[0] : NULL;
out:
	return rc;
}

static int fn_last(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, size_t nargs)
{
	struct rg_node **items = NULL;
	size_t n = 0;
	int rc = 0;

	ITEMS(args[0], "Cannot find last on type");
	*out = n && !rg_tmpl_isnil(items[n - 1]) ? items[n - 1] : NULL;
out:
	return rc;
}

/* a copy of items[from..to) as []interface{} */
static struct rg_node *sub(struct rg_tmpl_call *c, struct rg_node **items, size_t from, size_t to)
{
	struct rg_node *l = new_list(c);

	for (size_t i = from; i < to; i++)
		rg_seq_push(c->arena, l, items[i]);
	return l;
}

static int fn_rest(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, size_t nargs)
{
	struct rg_node **items = NULL;
	size_t n = 0;
	int rc = 0;

	ITEMS(args[0], "Cannot find rest on type");
	*out = n ? sub(c, items, 1, n) : new_list(c);
out:
	return rc;
}

static int fn_initial(struct rg_node **out, struct rg_tmpl_call *c,
		      struct rg_node *const *args, size_t nargs)
{
	struct rg_node **items = NULL;
	size_t n = 0;
	int rc = 0;

	ITEMS(args[0], "Cannot find initial on type");
	*out = n ? sub(c, items, 0, n - 1) : new_list(c);
out:
	return rc;
}

static int fn_reverse(struct rg_node **out, struct rg_tmpl_call *c,
		      struct rg_node *const *args, size_t nargs)
{
	struct rg_node **items = NULL, *l = NULL;
	size_t n = 0;
	int rc = 0;

	ITEMS(args[0], "Cannot find reverse on type");
	l = new_list(c);
	for (size_t i = n; i > 0; i--)
		rg_seq_push(c->arena, l, items[i - 1]);
	*out = l;
out:
	return rc;
}

static bool in_list(struct rg_node *const *hay, size_t n, const struct rg_node *needle)
{
	for (size_t i = 0; i < n; i++)
		if (rg_funcs_deep_equal(needle, hay[i]))
			return true;
	return false;
}

static int fn_uniq(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, size_t nargs)
{
	struct rg_node **items = NULL, *l = NULL;
	size_t n = 0;
	int rc = 0;

	ITEMS(args[0], "Cannot find uniq on type");
	rc = rg_tmpl_charge(c, (uint64_t)n * n / 64 + 1);
	if (rc)
		goto out;
	l = new_list(c);
	for (size_t i = 0; i < n; i++)
		if (!in_list(l->u.seq.items, l->u.seq.len, items[i]))
			rg_seq_push(c->arena, l, items[i]);
	*out = l;
out:
	return rc;
}

static int fn_compact(struct rg_node **out, struct rg_tmpl_call *c,
		      struct rg_node *const *args, size_t nargs)
{
	struct rg_node **items = NULL, *l = NULL;
	size_t n = 0;
	int rc = 0;

	ITEMS(args[0], "Cannot compact on type");
	l = new_list(c);
	for (size_t i = 0; i < n; i++)
		if (!rg_funcs_empty(items[i]))
			rg_seq_push(c->arena, l, items[i]);
	*out = l;
out:
	return rc;
}

/* without LIST OMIT... */
static int fn_without(struct rg_node **out, struct rg_tmpl_call *c,
		      struct rg_node *const *args, size_t nargs)
{
	struct rg_node **items = NULL, *l = NULL;
	size_t n = 0;
	int rc = 0;

	ITEMS(args[0], "Cannot find without on type");
	l = new_list(c);
	for (size_t i = 0; i < n; i++)
		if (!in_list(args + 1, nargs - 1, items[i]))
			rg_seq_push(c->arena, l, items[i]);
	*out = l;
out:
	return rc;
}

/* has NEEDLE LIST */
static int fn_has(struct rg_node **out, struct rg_tmpl_call *c,
		  struct rg_node *const *args, size_t nargs)
{
	struct rg_node **items = NULL;
	size_t n = 0;
	int rc = 0;

	if (rg_tmpl_isnil(args[1])) {
		*out = rg_node_bool(c->arena, false);
		goto out;
	}
	ITEMS(args[1], "Cannot find has on type");
	*out = rg_node_bool(c->arena, in_list(items, n, args[0]));
out:
	return rc;
}

/* slice LIST [START [END]]: reflect Slice of the list (keeps its type) */
static int fn_slice(struct rg_node **out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, size_t nargs)
{
	struct rg_node **items = NULL, *l = NULL;
	const struct rg_node *v = args[0];
	size_t n = 0;
	int64_t st = 0, en = 0;
	int rc = 0;

	ITEMS(v, "list should be type of slice or array but");
	if (n == 0) {
		*out = NULL;
		goto out;
	}
	st = nargs > 1 ? rg_funcs_to_int64(args[1]) : 0;
	en = nargs > 2 ? rg_funcs_to_int64(args[2]) : (int64_t)n;
	if (st < 0 || en < st || en > (int64_t)n) {
		/* reflect.Value.Slice panics */
		rc = rg_tmpl_fail(c, "reflect.Value.Slice: slice index out of bounds");
		goto out;
	}
	if (v->kind == RG_STR) {
		*out = rg_tmpl_typed(rg_node_strn(c->arena, v->u.s.ptr + st, (size_t)(en - st)),
				     RG_GT_BYTES);
		goto out;
	}
	l = sub(c, items, (size_t)st, (size_t)en);
	l->tag = v->tag;
	*out = l;
out:
	return rc;
}

/* concat LISTS...: nil []interface{} when there is nothing */
static int fn_concat(struct rg_node **out, struct rg_tmpl_call *c,
		     struct rg_node *const *args, size_t nargs)
{
	struct rg_node *l = new_list(c);
	int rc = 0;

	for (size_t k = 0; k < nargs; k++) {
		struct rg_node **items = NULL;
		size_t n = 0;

		if (rg_tmpl_isnil(args[k])) {
			rc = rg_tmpl_fail(c, "runtime error: invalid memory address or nil pointer dereference");
			goto out;
		}
		if (!(args[k]->kind == RG_SEQ || (args[k]->kind == RG_STR && args[k]->tag == RG_GT_BYTES))) {
			rc = rg_tmpl_fail(c, "Cannot concat type %s as list", rg_tmpl_kindname(args[k]));
			goto out;
		}
		items = rg_funcs_list_items(c, args[k], &n);
		for (size_t i = 0; i < n; i++)
			rg_seq_push(c->arena, l, items[i]);
	}
	*out = l;
out:
	return rc;
}

/* chunk SIZE LIST: [][]interface{} */
static int fn_chunk(struct rg_node **out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, size_t nargs)
{
	struct rg_node **items = NULL, *l = NULL;
	size_t n = 0;
	int64_t size = 0;
	int rc = 0;

	RG_FUNCS_INT(size, 0);
	ITEMS(args[1], "Cannot chunk type");
	if (size <= 0) {
		/* Go: float division by a non-positive size makes a bad length */
		rc = rg_tmpl_fail(c, "runtime error: makeslice: len out of range");
		goto out;
	}
	l = new_list(c);
	for (size_t i = 0; i < n; i += (size_t)size) {
		size_t e = i + (size_t)size < n ? i + (size_t)size : n;
		struct rg_node *part = sub(c, items, i, e);

		rg_seq_push(c->arena, l, part);
	}
	*out = l;
out:
	return rc;
}

/* untilStep START STOP STEP as sprig: []int */
static int until_step(struct rg_node **out, struct rg_tmpl_call *c, int64_t start, int64_t stop,
		      int64_t step)
{
	struct rg_node *l = rg_tmpl_typed(new_list(c), RG_GT_INTSLICE);
	uint64_t count = 0;
	int rc = 0;

	if (stop < start) {
		if (step >= 0)
			goto done;
		count = (uint64_t)((start - stop - 1) / -step) + 1;
	} else {
		if (step <= 0)
			goto done;
		count = stop > start ? (uint64_t)((stop - start - 1) / step) + 1 : 0;
	}
	if (count > RG_CAP_FUNC_OUTPUT_BYTES / 8) {
		rc = rg_tmpl_fail_limit(c, "until/untilStep list longer than %u items (RG_CAP_FUNC_OUTPUT_BYTES/8)",
					RG_CAP_FUNC_OUTPUT_BYTES / 8);
		goto out;
	}
	rc = rg_tmpl_charge(c, count);
	if (rc)
		goto out;
	for (uint64_t i = 0; i < count; i++)
		rg_seq_push(c->arena, l, rg_node_int(c->arena, start + (int64_t)i * step));
done:
	*out = l;
out:
	return rc;
}

static int fn_until(struct rg_node **out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, size_t nargs)
{
	int64_t n = 0;
	int rc = 0;

	RG_FUNCS_INT(n, 0);
	rc = until_step(out, c, 0, n, n < 0 ? -1 : 1);
out:
	return rc;
}

static int fn_until_step(struct rg_node **out, struct rg_tmpl_call *c,
			 struct rg_node *const *args, size_t nargs)
{
	int64_t a = 0, b = 0, s = 0;
	int rc = 0;

	RG_FUNCS_INT(a, 0);
	RG_FUNCS_INT(b, 1);
	RG_FUNCS_INT(s, 2);
	rc = until_step(out, c, a, b, s);
out:
	return rc;
}

/* seq [START [STEP]] END: numbers joined by spaces */
static int fn_seq(struct rg_node **out, struct rg_tmpl_call *c,
		  struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);
	struct rg_node *l = NULL;
	int64_t p[3] = { 0, 0, 0 }, start = 0, end = 0, step = 1;
	int rc = 0;

	for (size_t i = 0; i < nargs && i < 3; i++)
		RG_FUNCS_INT(p[i], i);
	switch (nargs) {
	case 1:
		start = 1, end = p[0], step = end < start ? -1 : 1;
		rc = until_step(&l, c, start, end + step, step);
		break;
	case 2:
		start = p[0], end = p[1], step = end < start ? -1 : 1;
		rc = until_step(&l, c, start, end + step, step);
		break;
	case 3: {
		int64_t inc = 1;

		start = p[0], step = p[1], end = p[2];
		if (end < start) {
			inc = -1;
			if (step > 0)
				break;
		}
		rc = until_step(&l, c, start, end + inc, step);
		break;
	}
	default:
		break;
	}
	if (rc)
		goto out;
	for (size_t i = 0; l && i < l->u.seq.len; i++)
		if (rg_buf_addf(&b, "%s%lld", i ? " " : "", (long long)l->u.seq.items[i]->u.i)) {
			rc = rg_tmpl_fail_limit(c, "seq result too large");
			goto out;
		}
	*out = rg_node_strn(c->arena, b.ptr, b.len);
out:
	rg_buf_release(&b);
	return rc;
}

const struct rg_tmpl_func rg_funcs_lists[] = {
	{ "list", fn_list, 0, -1, 0 },
	{ "tuple", fn_list, 0, -1, 0 },
	{ "append", fn_append, 2, 2, 0 },
	{ "push", fn_append, 2, 2, 0 },
	{ "mustAppend", fn_append, 2, 2, 0 },
	{ "mustPush", fn_append, 2, 2, 0 },
	{ "prepend", fn_prepend, 2, 2, 0 },
	{ "mustPrepend", fn_prepend, 2, 2, 0 },
	{ "first", fn_first, 1, 1, 0 },
	{ "mustFirst", fn_first, 1, 1, 0 },
	{ "rest", fn_rest, 1, 1, 0 },
	{ "mustRest", fn_rest, 1, 1, 0 },
	{ "last", fn_last, 1, 1, 0 },
	{ "mustLast", fn_last, 1, 1, 0 },
	{ "initial", fn_initial, 1, 1, 0 },
	{ "mustInitial", fn_initial, 1, 1, 0 },
	{ "reverse", fn_reverse, 1, 1, 0 },
	{ "mustReverse", fn_reverse, 1, 1, 0 },
	{ "uniq", fn_uniq, 1, 1, 0 },
	{ "mustUniq", fn_uniq, 1, 1, 0 },
	{ "without", fn_without, 1, -1, 0 },
	{ "mustWithout", fn_without, 1, -1, 0 },
	{ "has", fn_has, 2, 2, 0 },
	{ "mustHas", fn_has, 2, 2, 0 },
	{ "slice", fn_slice, 1, -1, 0 },
	{ "mustSlice", fn_slice, 1, -1, 0 },
	{ "concat", fn_concat, 0, -1, 0 },
	{ "compact", fn_compact, 1, 1, 0 },
	{ "mustCompact", fn_compact, 1, 1, 0 },
	{ "chunk", fn_chunk, 2, 2, 0 },
	{ "mustChunk", fn_chunk, 2, 2, 0 },
	{ "until", fn_until, 1, 1, 0 },
	{ "untilStep", fn_until_step, 3, 3, 0 },
	{ "seq", fn_seq, 0, -1, 0 },
	{ NULL, NULL, 0, 0, 0 },
};
