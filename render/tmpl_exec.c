/*
 * tmpl_exec.c - the executor of Go's text/template (exec.go, Go 1.18),
 * plus the set, the value helpers of tmpl.h and the built-ins that need
 * the executor (and, or).
 *
 * Values carry one bit Go keeps in reflect.Value and the document model
 * lacks: whether a value was read out of an interface{} slot (a map value
 * or list element) rather than produced by a pipeline. Go reports field
 * errors on such values as "interface {}", and only a nil read from such
 * a slot is a "nil pointer" error.
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/funcs.h"
#include "rendergate/gofmt.h"
#include "rendergate/hash.h"
#include "rendergate/tmpl_int.h"

enum { WALK_BREAK = 1, WALK_CONTINUE = 2 };

struct val {
	struct rg_node *n; /* NULL: no value (Go's invalid Value) */
	bool iface;	   /* read from an interface{} slot */
};

struct var {
	const char *name;
	size_t len;
	struct val v;
};

struct rg_tmpl_exec {
	struct rg_tmpl_set *set;
	struct rg_arena *a;
	struct rg_buf *out;
	size_t out_limit; /* out->len may not pass this */
	const struct rg_ttree *tmpl;
	const struct rg_tnode *node;
	struct var *vars;
	size_t nvars, avars;
	uint64_t steps, max_steps;
	unsigned flags;
	unsigned depth;
	size_t vbase; /* first variable of the running template */
	struct rg_err *err;
	struct rg_tmpl_hash includes; /* name -> (uintptr_t) nesting */
	struct rg_tmpl_hash sites;    /* call site -> (uintptr_t) runs */
	void *user;
};

/* --- hash table ------------------------------------------------------ */

static uint64_t hash_str(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

void *rg_tmpl_hash_get(const struct rg_tmpl_hash *h, const char *key,
		       size_t klen)
{
	size_t i;

	if (!h->cap)
		return NULL;
	i = (size_t)hash_str(key, klen) & (h->cap - 1);
	for (;;) {
		const struct rg_tmpl_hent *e = &h->ents[i];

		if (!e->key)
			return NULL;
		if (e->klen == klen && !memcmp(e->key, key, klen))
			return e->val;
		i = (i + 1) & (h->cap - 1);
	}
}

void rg_tmpl_hash_put(struct rg_arena *a, struct rg_tmpl_hash *h,
		      const char *key, size_t klen, void *val)
{
	size_t i;

	if ((h->len + 1) * 2 > h->cap) {
		size_t nc = h->cap ? h->cap * 2 : 64;
		struct rg_tmpl_hent *ne = rg_arena_calloc(a, nc, sizeof(*ne));

		for (size_t k = 0; k < h->cap; k++) {
			struct rg_tmpl_hent *e = &h->ents[k];
			size_t j;

			if (!e->key)
				continue;
			j = (size_t)hash_str(e->key, e->klen) & (nc - 1);
			while (ne[j].key)
				j = (j + 1) & (nc - 1);
			ne[j] = *e;
		}
		h->ents = ne;
		h->cap = nc;
	}
	i = (size_t)hash_str(key, klen) & (h->cap - 1);
	for (;;) {
		struct rg_tmpl_hent *e = &h->ents[i];

		if (!e->key) {
			e->key = rg_arena_strndup(a, key, klen);
			e->klen = klen;
			e->val = val;
			h->len++;
			return;
		}
		if (e->klen == klen && !memcmp(e->key, key, klen)) {
			e->val = val;
			return;
		}
		i = (i + 1) & (h->cap - 1);
	}
}

/* --- values ---------------------------------------------------------- */

bool rg_tmpl_isnil(const struct rg_node *n)
{
	return !n || n->kind == RG_NULL;
}

bool rg_tmpl_truth(const struct rg_node *n)
{
	if (!n)
		return false;
	switch (n->kind) {
	case RG_NULL:
		return false;
	case RG_BOOL:
		return n->u.b;
	case RG_INT:
		return n->tag == RG_GT_METHOD || n->u.i != 0;
	case RG_FLOAT:
		return n->u.f != 0;
	case RG_STR:
		return n->u.s.len > 0;
	case RG_SEQ:
		return n->u.seq.len > 0;
	case RG_MAP:
		return n->tag >= RG_GT_STRUCT || n->u.map.len > 0;
	}
	return false;
}

const char *rg_tmpl_typename(const struct rg_tmpl_set *set,
			     const struct rg_node *n)
{
	if (!n || n->kind == RG_NULL)
		return "<nil>";
	switch (n->kind) {
	case RG_BOOL:
		return "bool";
	case RG_INT:
		switch (n->tag) {
		case RG_GT_INT64: return "int64";
		case RG_GT_UINT8: return "uint8";
		case RG_GT_INT32: return "int32";
		case RG_GT_UINT64: return "uint64";
		case RG_GT_METHOD: return "func";
		}
		return "int";
	case RG_FLOAT:
		return "float64";
	case RG_STR:
		return n->tag == RG_GT_BYTES ? "[]uint8" : "string";
	case RG_SEQ:
		switch (n->tag) {
		case RG_GT_STRSLICE: return "[]string";
		case RG_GT_INTSLICE: return "[]int";
		}
		return "[]interface {}";
	case RG_MAP:
		if (n->tag >= RG_GT_STRUCT) {
			size_t i = (size_t)(n->tag - RG_GT_STRUCT);

			if (set && i < set->nstructs)
				return set->struct_names[i];
			return "struct {}";
		}
		switch (n->tag) {
		case RG_GT_STRMAP: return "map[string]string";
		case RG_GT_VALUES: return "chartutil.Values";
		}
		return "map[string]interface {}";
	}
	return "<nil>";
}

const char *rg_tmpl_kindname(const struct rg_node *n)
{
	if (!n || n->kind == RG_NULL)
		return "invalid";
	switch (n->kind) {
	case RG_BOOL:
	case RG_INT:
	case RG_FLOAT:
		/* the scalar types are their own kinds */
		return rg_tmpl_typename(NULL, n);
	case RG_STR:
		return n->tag == RG_GT_BYTES ? "slice" : "string";
	case RG_SEQ:
		return "slice";
	case RG_MAP:
		return n->tag >= RG_GT_STRUCT ? "ptr" : "map";
	}
	return "invalid";
}

struct rg_node *rg_tmpl_int64(struct rg_arena *a, int64_t v)
{
	struct rg_node *n = rg_node_int(a, v);

	n->tag = RG_GT_INT64;
	return n;
}

struct rg_node *rg_tmpl_typed(struct rg_node *n, enum rg_gotype t)
{
	n->tag = (uint8_t)t;
	return n;
}

/* --- function helpers ------------------------------------------------ */

int rg_tmpl_fail(struct rg_tmpl_call *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rg_err_vset(c->err, RG_ERROR, NULL, fmt, ap);
	va_end(ap);
	c->err_raw = 0;
	return RG_ERROR;
}

int rg_tmpl_fail_arg(struct rg_tmpl_call *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rg_err_vset(c->err, RG_ERROR, NULL, fmt, ap);
	va_end(ap);
	c->err_raw = UINT_MAX;
	return RG_ERROR;
}

int rg_tmpl_fail_limit(struct rg_tmpl_call *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rg_err_vset(c->err, RG_ELIMIT, NULL, fmt, ap);
	va_end(ap);
	c->err_raw = UINT_MAX;
	return RG_ELIMIT;
}

/* the literal node of argument i, or NULL for computed values */
static const struct rg_tnode *arg_literal(const struct rg_tmpl_call *c,
					  size_t i)
{
	const struct rg_tnode *n = c->argnodes ? c->argnodes[i] : NULL;

	if (!n)
		return NULL;
	switch (n->type) {
	case TN_BOOL:
	case TN_NUMBER:
	case TN_STRING:
	case TN_NIL:
		return n;
	}
	return NULL;
}

static int at_arg(struct rg_tmpl_call *c, size_t i, int r)
{
	c->err_raw = (unsigned)i + 1;
	return r;
}

static int arg_type_error(struct rg_tmpl_call *c, struct rg_node *const *args,
			  size_t i, const char *want)
{
	int r;

	if (!args[i])
		r = rg_tmpl_fail_arg(c, "invalid value; expected %s", want);
	else if (args[i]->kind == RG_NULL)
		r = rg_tmpl_fail_arg(c,
				     "wrong type for value; expected %s; got "
				     "interface {}",
				     want);
	else
		r = rg_tmpl_fail_arg(c,
				     "wrong type for value; expected %s; got %s",
				     want,
				     rg_tmpl_typename(c->ex ? c->ex->set : NULL,
						      args[i]));
	return at_arg(c, i, r);
}

/*
 * evalArg of a literal for a typed parameter: kind is what the parameter
 * accepts ("string", "integer", "float", "bool", or NULL for types no
 * literal converts to, named by goname).
 */
static int literal_error(struct rg_tmpl_call *c, const struct rg_tnode *n,
			 size_t i, const char *kind, const char *goname)
{
	struct rg_buf b = RG_BUF_INIT(600);
	int r;

	rg_tmpl_node_string(&b, n);
	if (n->type == TN_NIL)
		r = rg_tmpl_fail_arg(c, "cannot assign nil to %s", goname);
	else if (kind)
		r = rg_tmpl_fail_arg(c, "expected %s; found %s", kind, b.ptr);
	else
		r = rg_tmpl_fail_arg(c, "can't handle %s for arg of type %s",
				     b.ptr, goname);
	rg_buf_release(&b);
	return at_arg(c, i, r);
}

int rg_tmpl_arg_error(struct rg_tmpl_call *c, struct rg_node *const *args,
		      size_t i, const char *goname)
{
	const struct rg_tnode *lit = arg_literal(c, i);

	if (lit)
		return literal_error(c, lit, i, NULL, goname);
	return arg_type_error(c, args, i, goname);
}

int rg_tmpl_arg_str(struct rg_str *out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, size_t i)
{
	const struct rg_node *n = args[i];
	const struct rg_tnode *lit = arg_literal(c, i);

	if (lit && lit->type != TN_STRING)
		return literal_error(c, lit, i, "string", "string");
	if (n && n->kind == RG_STR && n->tag != RG_GT_BYTES) {
		*out = n->u.s;
		return 0;
	}
	return arg_type_error(c, args, i, "string");
}

int rg_tmpl_arg_int(int64_t *out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, size_t i)
{
	const struct rg_node *n = args[i];
	const struct rg_tnode *lit = arg_literal(c, i);

	if (lit) {
		/* Go's evalInteger: a number literal with an exact int value */
		if (lit->type == TN_NUMBER && lit->value &&
		    lit->value->kind == RG_INT) {
			*out = lit->value->u.i;
			return 0;
		}
		if (lit->type == TN_NUMBER && lit->value &&
		    lit->value->kind == RG_FLOAT &&
		    lit->value->u.f == (double)(int64_t)lit->value->u.f) {
			*out = (int64_t)lit->value->u.f;
			return 0;
		}
		return literal_error(c, lit, i, "integer", "int");
	}
	if (n && n->kind == RG_INT && n->tag == RG_GT_DEFAULT) {
		*out = n->u.i;
		return 0;
	}
	return arg_type_error(c, args, i, "int");
}

int rg_tmpl_arg_bool(bool *out, struct rg_tmpl_call *c,
		     struct rg_node *const *args, size_t i)
{
	const struct rg_node *n = args[i];
	const struct rg_tnode *lit = arg_literal(c, i);

	if (lit && lit->type != TN_BOOL)
		return literal_error(c, lit, i, "bool", "bool");
	if (n && n->kind == RG_BOOL) {
		*out = n->u.b;
		return 0;
	}
	return arg_type_error(c, args, i, "bool");
}

int rg_tmpl_arg_float(double *out, struct rg_tmpl_call *c,
		      struct rg_node *const *args, size_t i)
{
	const struct rg_node *n = args[i];
	const struct rg_tnode *lit = arg_literal(c, i);

	if (lit) {
		if (lit->type == TN_NUMBER && lit->value) {
			*out = lit->value->kind == RG_INT
				       ? (double)lit->value->u.i
				       : lit->value->u.f;
			return 0;
		}
		return literal_error(c, lit, i, "float", "float64");
	}
	if (n && n->kind == RG_FLOAT) {
		*out = n->u.f;
		return 0;
	}
	return arg_type_error(c, args, i, "float64");
}

int rg_tmpl_arg_map(struct rg_node **out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, size_t i)
{
	struct rg_node *n = args[i];
	const struct rg_tnode *lit = arg_literal(c, i);

	if (lit && lit->type != TN_NIL)
		return literal_error(c, lit, i, NULL,
				     "map[string]interface {}");
	if (n && n->kind == RG_MAP && n->tag < RG_GT_STRUCT &&
	    n->tag != RG_GT_STRMAP) {
		*out = n;
		return 0;
	}
	if (!n || n->kind == RG_NULL) {
		/* nil converts to a nil map[string]interface{} */
		if (!n && !lit)
			return arg_type_error(c, args, i,
					      "map[string]interface {}");
		*out = NULL;
		return 0;
	}
	return arg_type_error(c, args, i, "map[string]interface {}");
}

/* --- the set --------------------------------------------------------- */

struct rg_tmpl_set *rg_tmpl_set_new(struct rg_arena *a)
{
	struct rg_tmpl_set *s = rg_arena_alloc(a, sizeof(*s));

	s->arena = a;
	s->funcs = rg_funcs_new(a);
	return s;
}

void rg_tmpl_set_funcs(struct rg_tmpl_set *set, const struct rg_tmpl_func *t)
{
	rg_funcs_add(set->funcs, t);
}

int rg_tmpl_set_struct(struct rg_tmpl_set *set, const char *goname)
{
	for (size_t i = 0; i < set->nstructs; i++)
		if (!strcmp(set->struct_names[i], goname))
			return RG_GT_STRUCT + (int)i;
	if (set->nstructs >= RG_ARRAY_SIZE(set->struct_names))
		return RG_ELIMIT;
	set->struct_names[set->nstructs] = rg_arena_strdup(set->arena, goname);
	return RG_GT_STRUCT + (int)set->nstructs++;
}

int rg_tmpl_set_method(struct rg_tmpl_set *set, const struct rg_tmpl_func *f)
{
	if (set->nmethods == set->amethods) {
		size_t na = set->amethods ? set->amethods * 2 : 8;

		set->methods = rg_arena_grow(set->arena, (void *)set->methods,
					     set->nmethods, na,
					     sizeof(*set->methods));
		set->amethods = na;
	}
	set->methods[set->nmethods] = f;
	return (int)set->nmethods++;
}

struct rg_node *rg_tmpl_method_node(struct rg_arena *a, int id)
{
	struct rg_node *n = rg_node_int(a, id);

	n->tag = RG_GT_METHOD;
	return n;
}

int rg_tmpl_parse(struct rg_tmpl_set *set, const char *name,
		  const char *text, size_t len, struct rg_err *err)
{
	return rg_tmpl_parse_into(set, name, text, len, err);
}

bool rg_tmpl_has(const struct rg_tmpl_set *set, const char *name)
{
	return rg_tmpl_hash_get(&set->trees, name, strlen(name)) != NULL;
}

struct rg_tmpl_set *rg_tmpl_set_clone(const struct rg_tmpl_set *set)
{
	struct rg_tmpl_set *s = rg_arena_alloc(set->arena, sizeof(*s));

	*s = *set;
	s->trees.ents = rg_arena_calloc(set->arena, set->trees.cap ? set->trees.cap : 1,
					sizeof(*s->trees.ents));
	if (set->trees.cap)
		memcpy(s->trees.ents, set->trees.ents,
		       set->trees.cap * sizeof(*s->trees.ents));
	return s;
}

/* The first "<no value>" in s[0, n), or NULL ('<' is rare in YAML). */
static char *find_no_value(char *s, size_t n)
{
	char *p = s, *end = s + n;

	while (end - p >= 10 && (p = memchr(p, '<', (size_t)(end - p - 9)))) {
		if (!memcmp(p, "<no value>", 10))
			return p;
		p++;
	}
	return NULL;
}

void rg_tmpl_strip_no_value(struct rg_buf *b)
{
	static const char nv[] = "<no value>";
	const size_t nvlen = sizeof(nv) - 1;
	char *hit = find_no_value(b->ptr, b->len);
	size_t i, j;

	if (!hit)
		return;
	/* move the runs between occurrences down, one memmove each */
	i = j = (size_t)(hit - b->ptr);
	while (i < b->len) {
		size_t run;

		i += nvlen;
		hit = find_no_value(b->ptr + i, b->len - i);
		run = (hit ? (size_t)(hit - b->ptr) : b->len) - i;
		memmove(b->ptr + j, b->ptr + i, run);
		i += run;
		j += run;
	}
	rg_buf_truncate(b, j);
}

/* --- errors ---------------------------------------------------------- */

/*
 * Go's ErrorContext: 1-based line, 0-based byte column. The parser keeps
 * every node's line, so only the column is found by scanning back to the
 * line start (function calls ask for it on every call).
 */
static void location(const struct rg_tnode *n, const struct rg_ttree *t,
		     uint32_t *line, uint32_t *col)
{
	const struct rg_ttree *tree = n && n->tree ? n->tree : t;
	size_t pos = n ? n->pos : 0, start;

	if (pos > tree->len)
		pos = tree->len;
	start = pos;
	while (start > 0 && tree->text[start - 1] != '\n')
		start--;
	if (n && n->line) {
		*line = n->line;
	} else {
		uint32_t l = 1;

		for (size_t i = 0; i < pos; i++)
			if (tree->text[i] == '\n')
				l++;
		*line = l;
	}
	*col = (uint32_t)(pos - start);
}

/*
 * Set err to text; a text longer than an rg_err holds keeps its head and
 * its tail (the innermost cause of nested include errors) around " ... ".
 */
int rg_tmpl_err_elided(struct rg_err *err, int code, const struct rg_pos *pos,
		       const char *text, size_t len)
{
	const size_t head = 300, room = RG_ERR_MSG_MAX - 1;

	if (len <= room)
		return rg_err_set(err, code, pos, "%s", text);
	return rg_err_set(err, code, pos, "%.*s ... %s", (int)head, text,
			  text + len - (room - head - 5));
}

static int verrorf(struct rg_tmpl_exec *ex, int code, const char *fmt,
		   va_list ap)
{
	struct rg_buf b = RG_BUF_INIT(1u << 16);
	struct rg_pos pos = { ex->tmpl->name, 0, 0 };
	int r;

	if (!ex->node) {
		(void)rg_buf_addf(&b, "template: %s: ", ex->tmpl->name);
	} else {
		const struct rg_ttree *tree =
			ex->node->tree ? ex->node->tree : ex->tmpl;
		struct rg_buf ctx = RG_BUF_INIT(600);
		uint32_t line, col;

		location(ex->node, ex->tmpl, &line, &col);
		rg_tmpl_node_string(&ctx, ex->node);
		pos.file = tree->parse_name;
		pos.line = line;
		pos.col = col;
		(void)rg_buf_addf(&b, "template: %s:%u:%u: executing \"%s\" at <%s>: ",
				  tree->parse_name, line, col, ex->tmpl->name,
				  ctx.ptr);
		rg_buf_release(&ctx);
	}
	(void)rg_buf_vaddf(&b, fmt, ap);
	r = rg_tmpl_err_elided(ex->err, code, &pos, b.ptr, b.len);
	rg_buf_release(&b);
	return r;
}

static int errorf(struct rg_tmpl_exec *ex, const char *fmt, ...)
	RG_PRINTF(2, 3);
static int errorf(struct rg_tmpl_exec *ex, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = verrorf(ex, RG_ERROR, fmt, ap);
	va_end(ap);
	return r;
}

static int limitf(struct rg_tmpl_exec *ex, const char *fmt, ...)
	RG_PRINTF(2, 3);
static int limitf(struct rg_tmpl_exec *ex, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = verrorf(ex, RG_ELIMIT, fmt, ap);
	va_end(ap);
	return r;
}

static void at(struct rg_tmpl_exec *ex, const struct rg_tnode *n)
{
	ex->node = n;
}

static int step(struct rg_tmpl_exec *ex, uint64_t n)
{
	ex->steps += n;
	if (ex->steps > ex->max_steps)
		return limitf(ex,
			      "template evaluation took more than %llu steps "
			      "(RG_CAP_TMPL_STEPS)",
			      (unsigned long long)ex->max_steps);
	return 0;
}

static int write_out(struct rg_tmpl_exec *ex, const char *s, size_t n)
{
	if (n > ex->out_limit - ex->out->len || rg_buf_add(ex->out, s, n) < 0)
		return limitf(ex,
			      "template output exceeds %zu bytes "
			      "(RG_CAP_TMPL_OUTPUT_BYTES)",
			      ex->out_limit);
	return 0;
}

/* --- variables ------------------------------------------------------- */

static void push_var(struct rg_tmpl_exec *ex, const char *name, size_t len,
		     struct val v)
{
	RG_ALLOC_GROW(ex->vars, ex->nvars + 1, ex->avars);
	ex->vars[ex->nvars].name = name;
	ex->vars[ex->nvars].len = len;
	ex->vars[ex->nvars].v = v;
	ex->nvars++;
}

static struct var *find_var(struct rg_tmpl_exec *ex, const struct rg_str *name)
{
	for (size_t i = ex->nvars; i-- > ex->vbase;)
		if (ex->vars[i].len == name->len &&
		    !memcmp(ex->vars[i].name, name->ptr, name->len))
			return &ex->vars[i];
	return NULL;
}

/* --- evaluation ------------------------------------------------------ */

static int eval_pipeline(struct rg_tmpl_exec *ex, struct val dot,
			 const struct rg_tnode *pipe, struct val *out);
static int walk(struct rg_tmpl_exec *ex, struct val dot,
		const struct rg_tnode *n);

static struct rg_node *nil_node(struct rg_tmpl_exec *ex)
{
	return rg_node_null(ex->a);
}

/* Go's "dig down one level" of evalPipeline: nil interface -> no value */
static struct val dig(struct val v)
{
	if (v.n && v.n->kind == RG_NULL)
		v.n = NULL;
	v.iface = false;
	return v;
}

static int not_a_function(struct rg_tmpl_exec *ex,
			  struct rg_tnode *const *args, size_t nargs,
			  const struct val *final)
{
	if (nargs > 1 || final) {
		struct rg_buf b = RG_BUF_INIT(600);
		int r;

		rg_tmpl_node_string(&b, args[0]);
		r = errorf(ex, "can't give argument to non-function %s", b.ptr);
		rg_buf_release(&b);
		return r;
	}
	return 0;
}

static int eval_call(struct rg_tmpl_exec *ex, struct val dot,
		     const struct rg_tmpl_func *fn, const struct rg_tnode *node,
		     const struct rg_tnode *ident, const char *name,
		     struct rg_tnode *const *args, size_t nargs,
		     const struct val *final, const struct val *recv,
		     struct val *out);

static int eval_field(struct rg_tmpl_exec *ex, struct val dot,
		      const struct rg_str *name, const struct rg_tnode *node,
		      struct rg_tnode *const *args, size_t nargs,
		      const struct val *final, struct val recv, struct val *out)
{
	const char *typ;
	bool has_args = nargs > 1 || final;
	struct rg_node *r = recv.n;

	if (!r) {
		if (ex->flags & RG_TMPL_MISSINGKEY_ERROR)
			return errorf(ex, "nil data; no entry for key \"%s\"",
				      name->ptr);
		out->n = NULL;
		out->iface = false;
		return 0;
	}
	typ = recv.iface ? "interface {}" : rg_tmpl_typename(ex->set, r);
	if (r->kind == RG_NULL)
		return errorf(ex, "nil pointer evaluating %s.%s", typ,
			      name->ptr);
	if (r->kind == RG_MAP) {
		struct rg_node *v = rg_map_get(r, name->ptr, name->len);

		if (v && v->kind == RG_INT && v->tag == RG_GT_METHOD) {
			if (v->u.i < 0 || (size_t)v->u.i >= ex->set->nmethods)
				return errorf(ex, "bad method %s", name->ptr);
			return eval_call(ex, dot, ex->set->methods[v->u.i],
					 node, node, name->ptr, args, nargs,
					 final, &recv, out);
		}
		if (r->tag >= RG_GT_STRUCT) {
			if (!v)
				return errorf(ex,
					      "can't evaluate field %s in type %s",
					      name->ptr, typ);
			if (has_args)
				return errorf(ex,
					      "%s has arguments but cannot be "
					      "invoked as function",
					      name->ptr);
			out->n = v;
			out->iface = false;
			return 0;
		}
		if (has_args)
			return errorf(ex, "%s is not a method but has arguments",
				      name->ptr);
		if (!v) {
			if (ex->flags & RG_TMPL_MISSINGKEY_ERROR)
				return errorf(ex, "map has no entry for key \"%s\"",
					      name->ptr);
			if (r->tag == RG_GT_STRMAP) {
				out->n = rg_node_strn(ex->a, "", 0);
				out->iface = false;
			} else {
				out->n = nil_node(ex);
				out->iface = true;
			}
			return 0;
		}
		out->n = v;
		out->iface = r->tag != RG_GT_STRMAP;
		return 0;
	}
	return errorf(ex, "can't evaluate field %s in type %s", name->ptr, typ);
}

static int eval_field_chain(struct rg_tmpl_exec *ex, struct val dot,
			    struct val recv, const struct rg_tnode *node,
			    const struct rg_str *idents, size_t n,
			    struct rg_tnode *const *args, size_t nargs,
			    const struct val *final, struct val *out)
{
	int error;

	for (size_t i = 0; i + 1 < n; i++) {
		error = eval_field(ex, dot, &idents[i], node, NULL, 0, NULL,
				   recv, &recv);
		if (error < 0)
			return error;
	}
	return eval_field(ex, dot, &idents[n - 1], node, args, nargs, final,
			  recv, out);
}

static int eval_variable_node(struct rg_tmpl_exec *ex, struct val dot,
			      const struct rg_tnode *v,
			      struct rg_tnode *const *args, size_t nargs,
			      const struct val *final, struct val *out)
{
	struct var *var;

	at(ex, v);
	var = find_var(ex, &v->idents[0]);
	if (!var)
		return errorf(ex, "undefined variable: %s", v->idents[0].ptr);
	if (v->nidents == 1) {
		int error = not_a_function(ex, args, nargs, final);

		if (error < 0)
			return error;
		*out = var->v;
		return 0;
	}
	return eval_field_chain(ex, dot, var->v, v, v->idents + 1,
				v->nidents - 1, args, nargs, final, out);
}

static int eval_function(struct rg_tmpl_exec *ex, struct val dot,
			 const struct rg_tnode *ident,
			 const struct rg_tnode *cmd,
			 struct rg_tnode *const *args, size_t nargs,
			 const struct val *final, struct val *out)
{
	at(ex, ident);
	return eval_call(ex, dot, ident->fn, cmd, ident, ident->text.ptr, args,
			 nargs, final, NULL, out);
}

/* evalArg for an interface{} (or reflect.Value) parameter */
static int eval_arg(struct rg_tmpl_exec *ex, struct val dot,
		    const struct rg_tnode *n, struct val *out);

static int eval_chain_node(struct rg_tmpl_exec *ex, struct val dot,
			   const struct rg_tnode *chain,
			   struct rg_tnode *const *args, size_t nargs,
			   const struct val *final, struct val *out)
{
	struct val recv;
	int error;

	at(ex, chain);
	if (chain->pipe->type == TN_NIL) {
		struct rg_buf b = RG_BUF_INIT(600);

		rg_tmpl_node_string(&b, chain);
		error = errorf(ex, "indirection through explicit nil in %s",
			       b.ptr);
		rg_buf_release(&b);
		return error;
	}
	error = eval_arg(ex, dot, chain->pipe, &recv);
	if (error < 0)
		return error;
	recv = dig(recv);
	return eval_field_chain(ex, dot, recv, chain, chain->idents,
				chain->nidents, args, nargs, final, out);
}

static int constant(struct rg_tmpl_exec *ex, const struct rg_tnode *n,
		    struct val *out)
{
	at(ex, n);
	if (n->numerr)
		return errorf(ex, "%s", n->numerr);
	out->n = n->value;
	out->iface = false;
	return 0;
}

static int eval_arg(struct rg_tmpl_exec *ex, struct val dot,
		    const struct rg_tnode *n, struct val *out)
{
	at(ex, n);
	out->iface = false;
	switch (n->type) {
	case TN_DOT:
		*out = dot;
		return 0;
	case TN_NIL:
		out->n = nil_node(ex);
		return 0;
	case TN_FIELD:
		at(ex, n);
		return eval_field_chain(ex, dot, dot, n, n->idents, n->nidents,
					NULL, 0, NULL, out);
	case TN_VARIABLE:
		return eval_variable_node(ex, dot, n, NULL, 0, NULL, out);
	case TN_PIPE:
		return eval_pipeline(ex, dot, n, out);
	case TN_IDENT:
		return eval_function(ex, dot, n, n, NULL, 0, NULL, out);
	case TN_CHAIN:
		return eval_chain_node(ex, dot, n, NULL, 0, NULL, out);
	case TN_BOOL:
		out->n = rg_node_bool(ex->a, n->flag);
		return 0;
	case TN_NUMBER:
	case TN_STRING:
		return constant(ex, n, out);
	}
	return errorf(ex, "can't handle argument");
}

static int eval_call(struct rg_tmpl_exec *ex, struct val dot,
		     const struct rg_tmpl_func *fn, const struct rg_tnode *node,
		     const struct rg_tnode *ident, const char *name,
		     struct rg_tnode *const *args, size_t nargs,
		     const struct val *final, const struct val *recv,
		     struct val *out)
{
	struct rg_node *stackv[8];
	struct rg_node **argv = stackv;
	const struct rg_tnode *stackn[8];
	const struct rg_tnode **argn = stackn;
	size_t numin, total, k = 0;
	struct rg_tmpl_call call;
	struct rg_err ferr = RG_ERR_INIT;
	struct rg_node *result = NULL;
	int error = 0;
	bool is_and, is_or;

	if (args) {
		args++;
		nargs--;
	} else {
		nargs = 0;
	}
	numin = nargs + (final ? 1 : 0) + (recv ? 1 : 0);
	if (fn->max_args < 0) {
		if (numin < (size_t)fn->min_args)
			return errorf(ex,
				      "wrong number of args for %s: want at "
				      "least %d got %zu",
				      name, fn->min_args, nargs);
	} else if (numin < (size_t)fn->min_args ||
		   numin > (size_t)fn->max_args) {
		return errorf(ex, "wrong number of args for %s: want %d got %zu",
			      name, fn->max_args, numin);
	}
	if ((error = step(ex, 1)) < 0)
		return error;
	is_and = rg_tmpl_is_and(fn);
	is_or = !is_and && rg_tmpl_is_or(fn);
	if (is_and || is_or) {
		struct val v = { NULL, false };

		for (size_t i = 0; i < nargs; i++) {
			error = eval_arg(ex, dot, args[i], &v);
			if (error < 0)
				return error;
			if (rg_tmpl_truth(v.n) == is_or) {
				*out = v;
				return 0;
			}
		}
		if (final)
			v = *final;
		*out = v;
		return 0;
	}
	total = numin + (recv ? 1 : 0);
	if (total > RG_ARRAY_SIZE(stackv)) {
		argv = rg_arena_calloc(ex->a, total, sizeof(*argv));
		argn = rg_arena_calloc(ex->a, total, sizeof(*argn));
	}
	if (recv) {
		argv[k] = recv->n;
		argn[k++] = node;
	}
	for (size_t i = 0; i < nargs; i++) {
		struct val v;

		error = eval_arg(ex, dot, args[i], &v);
		if (error < 0)
			return error;
		argv[k] = v.n;
		argn[k++] = args[i];
	}
	if (final) {
		argv[k] = final->n;
		argn[k++] = NULL;
	}
	memset(&call, 0, sizeof(call));
	call.arena = ex->a;
	call.ex = ex;
	call.name = name;
	call.tmpl = ex->tmpl->name;
	/* line and column only when asked (rg_tmpl_call_seed) */
	call.pos.file = node && node->tree ? node->tree->parse_name
					   : ex->tmpl->parse_name;
	call.node = node;
	call.err = &ferr;
	call.has_final = final != NULL;
	call.argnodes = argn;
	error = fn->fn(&result, &call, argv, k);
	if (error < 0) {
		if (call.err_raw) {
			/* the executor's own wording, at the argument */
			unsigned ai = call.err_raw;

			if (ai != UINT_MAX && ai - 1 < k && argn[ai - 1])
				at(ex, argn[ai - 1]);
			else
				at(ex, ident);
			if (error == RG_ELIMIT && ferr.msg[0] &&
			    !strncmp(ferr.msg, "template: ", 10)) {
				*ex->err = ferr;
				return error;
			}
			return ferr.code == RG_ELIMIT
				       ? limitf(ex, "%s", ferr.msg)
				       : errorf(ex, "%s", ferr.msg);
		}
		at(ex, node);
		if (error == RG_ELIMIT)
			return limitf(ex, "error calling %s: %s", name,
				      ferr.msg);
		return errorf(ex, "error calling %s: %s", name, ferr.msg);
	}
	if (result && (fn->flags & RG_TMPL_FN_VOLATILE))
		result->flags |= RG_NODE_VOLATILE;
	out->n = result;
	out->iface = false;
	return 0;
}

static int eval_command(struct rg_tmpl_exec *ex, struct val dot,
			const struct rg_tnode *cmd, const struct val *final,
			struct val *out)
{
	const struct rg_tnode *first = cmd->kids[0];
	int error;

	switch (first->type) {
	case TN_FIELD:
		at(ex, first);
		return eval_field_chain(ex, dot, dot, first, first->idents,
					first->nidents, cmd->kids, cmd->nkids,
					final, out);
	case TN_CHAIN:
		return eval_chain_node(ex, dot, first, cmd->kids, cmd->nkids,
				       final, out);
	case TN_IDENT:
		return eval_function(ex, dot, first, cmd, cmd->kids,
				     cmd->nkids, final, out);
	case TN_PIPE:
		error = not_a_function(ex, cmd->kids, cmd->nkids, final);
		if (error < 0)
			return error;
		return eval_pipeline(ex, dot, first, out);
	case TN_VARIABLE:
		return eval_variable_node(ex, dot, first, cmd->kids,
					  cmd->nkids, final, out);
	}
	at(ex, first);
	error = not_a_function(ex, cmd->kids, cmd->nkids, final);
	if (error < 0)
		return error;
	out->iface = false;
	switch (first->type) {
	case TN_BOOL:
		out->n = rg_node_bool(ex->a, first->flag);
		return 0;
	case TN_DOT:
		*out = dot;
		return 0;
	case TN_NIL:
		return errorf(ex, "nil is not a command");
	case TN_NUMBER:
	case TN_STRING:
		return constant(ex, first, out);
	}
	return errorf(ex, "can't evaluate command");
}

static int eval_pipeline(struct rg_tmpl_exec *ex, struct val dot,
			 const struct rg_tnode *pipe, struct val *out)
{
	struct val v = { NULL, false };
	int error;

	out->n = NULL;
	out->iface = false;
	if (!pipe)
		return 0;
	at(ex, pipe);
	for (size_t i = 0; i < pipe->nkids; i++) {
		error = eval_command(ex, dot, pipe->kids[i], i ? &v : NULL, &v);
		if (error < 0)
			return error;
		v = dig(v);
	}
	for (size_t i = 0; i < pipe->ndecl; i++) {
		const struct rg_str *name = &pipe->decl[i]->idents[0];

		if (pipe->flag) {
			struct var *var = find_var(ex, name);

			if (!var)
				return errorf(ex, "undefined variable: %s",
					      name->ptr);
			var->v = v;
		} else {
			push_var(ex, name->ptr, name->len, v);
		}
	}
	*out = v;
	return 0;
}

/* --- walking --------------------------------------------------------- */

static int print_value(struct rg_tmpl_exec *ex, const struct rg_tnode *n,
		       struct val v)
{
	struct rg_buf b = RG_BUF_INIT(ex->out_limit);
	int error;

	at(ex, n);
	if (!v.n)
		return write_out(ex, "<no value>", 10);
	if (v.n->kind == RG_STR && v.n->tag != RG_GT_BYTES)
		return write_out(ex, v.n->u.s.ptr, v.n->u.s.len);
	if (v.n->kind == RG_MAP && v.n->tag >= RG_GT_STRUCT) {
		/* printableValue takes the address of a struct field whose
		 * pointer type has String() (Helm's KubeVersion) */
		const struct rg_node *str = rg_map_get(v.n, "String", 6);

		if (str && str->kind == RG_STR)
			return write_out(ex, str->u.s.ptr, str->u.s.len);
	}
	if (rg_gofmt_value(&b, ex->set, v.n) < 0) {
		rg_buf_release(&b);
		return write_out(ex, NULL, SIZE_MAX);
	}
	error = write_out(ex, b.ptr, b.len);
	rg_buf_release(&b);
	return error;
}

static int walk_if_or_with(struct rg_tmpl_exec *ex, struct val dot,
			   const struct rg_tnode *n)
{
	size_t mark = ex->nvars;
	struct val v;
	int error = eval_pipeline(ex, dot, n->pipe, &v);

	if (error < 0)
		goto out;
	if (rg_tmpl_truth(v.n)) {
		error = walk(ex, n->type == TN_WITH ? v : dot, n->list);
	} else if (n->elselist) {
		error = walk(ex, dot, n->elselist);
	}
out:
	ex->nvars = mark;
	return error;
}

static int range_error(struct rg_tmpl_exec *ex, const struct rg_node *v)
{
	struct rg_buf b = RG_BUF_INIT(600);
	int error;

	(void)rg_gofmt_value(&b, ex->set, v);
	error = errorf(ex, "range can't iterate over %s", b.ptr);
	rg_buf_release(&b);
	return error;
}

int rg_tmpl_pair_cmp(const void *a, const void *b)
{
	const struct rg_pair *x = *(const struct rg_pair *const *)a;
	const struct rg_pair *y = *(const struct rg_pair *const *)b;
	size_t n = x->key.len < y->key.len ? x->key.len : y->key.len;
	int c = memcmp(x->key.ptr, y->key.ptr, n);

	if (c)
		return c;
	return x->key.len < y->key.len ? -1 : x->key.len > y->key.len;
}

static int range_one(struct rg_tmpl_exec *ex, const struct rg_tnode *r,
		     size_t mark, struct val idx, struct val elem)
{
	int error;

	if ((error = step(ex, 1)) < 0)
		return error;
	if (r->pipe->ndecl > 0)
		ex->vars[ex->nvars - 1].v = elem;
	if (r->pipe->ndecl > 1)
		ex->vars[ex->nvars - 2].v = idx;
	error = walk(ex, elem, r->list);
	ex->nvars = mark;
	if (error == WALK_CONTINUE)
		error = 0;
	return error;
}

static int walk_range(struct rg_tmpl_exec *ex, struct val dot,
		      const struct rg_tnode *r)
{
	size_t outer = ex->nvars, mark;
	struct val v;
	int error;
	bool iterated = false;

	at(ex, r);
	error = eval_pipeline(ex, dot, r->pipe, &v);
	if (error < 0)
		goto out;
	mark = ex->nvars;
	if (v.n && v.n->kind == RG_SEQ && v.n->u.seq.len > 0) {
		bool iface = v.n->tag == RG_GT_DEFAULT;

		iterated = true;
		for (size_t i = 0; i < v.n->u.seq.len; i++) {
			struct val idx = { rg_node_int(ex->a, (int64_t)i), false };
			struct val el = { v.n->u.seq.items[i], iface };

			if (!el.n)
				el.n = nil_node(ex);
			error = range_one(ex, r, mark, idx, el);
			if (error == WALK_BREAK) {
				error = 0;
				break;
			}
			if (error < 0)
				goto out;
		}
	} else if (v.n && v.n->kind == RG_MAP && v.n->tag < RG_GT_STRUCT &&
		   v.n->u.map.len > 0) {
		size_t n = v.n->u.map.len;
		const struct rg_pair **keys = rg_xcalloc(n, sizeof(*keys));
		bool iface = v.n->tag != RG_GT_STRMAP;

		/* entries holding methods (Helm's .Files.Get ...) are the
		 * receiver's methods, not elements of the Go map */
		size_t nk = 0;

		for (size_t i = 0; i < n; i++) {
			const struct rg_node *e = v.n->u.map.items[i].val;

			if (!(e && e->kind == RG_INT && e->tag == RG_GT_METHOD))
				keys[nk++] = &v.n->u.map.items[i];
		}
		n = nk;
		iterated = n > 0;
		qsort(keys, n, sizeof(*keys), rg_tmpl_pair_cmp);
		for (size_t i = 0; i < n; i++) {
			struct val k = { rg_node_strn(ex->a, keys[i]->key.ptr,
						      keys[i]->key.len),
					 false };
			struct val el = { keys[i]->val, iface };

			if (!el.n)
				el.n = nil_node(ex);
			error = range_one(ex, r, mark, k, el);
			if (error == WALK_BREAK) {
				error = 0;
				break;
			}
			if (error < 0) {
				free(keys);
				goto out;
			}
		}
		free(keys);
	} else if (v.n && v.n->kind == RG_STR && v.n->tag == RG_GT_BYTES &&
		   v.n->u.s.len > 0) {
		iterated = true;
		for (size_t i = 0; i < v.n->u.s.len; i++) {
			struct val idx = { rg_node_int(ex->a, (int64_t)i), false };
			struct val el = { rg_node_int(ex->a, (unsigned char)v.n->u.s.ptr[i]),
					  false };

			el.n->tag = RG_GT_UINT8;
			error = range_one(ex, r, mark, idx, el);
			if (error == WALK_BREAK) {
				error = 0;
				break;
			}
			if (error < 0)
				goto out;
		}
	} else if (v.n && !(v.n->kind == RG_SEQ || v.n->kind == RG_MAP ||
			    (v.n->kind == RG_STR && v.n->tag == RG_GT_BYTES))) {
		/* reported at the last node the pipeline evaluated, as Go */
		error = range_error(ex, v.n);
		goto out;
	} else if (v.n && v.n->kind == RG_MAP && v.n->tag >= RG_GT_STRUCT) {
		error = range_error(ex, v.n);
		goto out;
	}
	if (!iterated && r->elselist)
		error = walk(ex, dot, r->elselist);
out:
	ex->nvars = outer;
	return error;
}

static int exec_tree(struct rg_tmpl_exec *ex, const struct rg_ttree *t,
		     struct val dot);

static int walk_template(struct rg_tmpl_exec *ex, struct val dot,
			 const struct rg_tnode *n)
{
	const struct rg_ttree *t;
	struct val v;
	int error;

	at(ex, n);
	t = rg_tmpl_hash_get(&ex->set->trees, n->text.ptr, n->text.len);
	if (!t)
		return errorf(ex, "template \"%s\" not defined", n->text.ptr);
	if (ex->depth >= RG_CAP_TMPL_DEPTH)
		return limitf(ex,
			      "exceeded maximum template depth (%u, "
			      "RG_CAP_TMPL_DEPTH)",
			      RG_CAP_TMPL_DEPTH);
	error = eval_pipeline(ex, dot, n->pipe, &v);
	if (error < 0)
		return error;
	return exec_tree(ex, t, v);
}

static int walk(struct rg_tmpl_exec *ex, struct val dot,
		const struct rg_tnode *n)
{
	int error;

	at(ex, n);
	if ((error = step(ex, 1)) < 0)
		return error;
	switch (n->type) {
	case TN_ACTION: {
		struct val v;

		error = eval_pipeline(ex, dot, n->pipe, &v);
		if (error < 0)
			return error;
		if (n->pipe->ndecl == 0)
			return print_value(ex, n, v);
		return 0;
	}
	case TN_BREAK:
		return WALK_BREAK;
	case TN_CONTINUE:
		return WALK_CONTINUE;
	case TN_COMMENT:
		return 0;
	case TN_IF:
	case TN_WITH:
		return walk_if_or_with(ex, dot, n);
	case TN_LIST:
		for (size_t i = 0; i < n->nkids; i++) {
			error = walk(ex, dot, n->kids[i]);
			if (error)
				return error;
		}
		return 0;
	case TN_RANGE:
		return walk_range(ex, dot, n);
	case TN_TEMPLATE:
		return walk_template(ex, dot, n);
	case TN_TEXT:
		if (n->text.len > 256 &&
		    (error = step(ex, n->text.len / 256)) < 0)
			return error;
		return write_out(ex, n->text.ptr, n->text.len);
	}
	return errorf(ex, "unknown node");
}

/* Run tree t with dot in a fresh variable scope ($ = dot). */
static int exec_tree(struct rg_tmpl_exec *ex, const struct rg_ttree *t,
		     struct val dot)
{
	const struct rg_ttree *saved_tmpl = ex->tmpl;
	const struct rg_tnode *saved_node = ex->node;
	size_t saved_vbase = ex->vbase, saved_n = ex->nvars;
	int error;

	if (ex->depth >= RG_CAP_TMPL_DEPTH)
		return limitf(ex,
			      "exceeded maximum template depth (%u, "
			      "RG_CAP_TMPL_DEPTH)",
			      RG_CAP_TMPL_DEPTH);
	ex->depth++;
	ex->tmpl = t;
	ex->vbase = ex->nvars;
	push_var(ex, "$", 1, dot);
	error = t->root ? walk(ex, dot, t->root) : 0;
	if (error > 0)
		error = 0;
	ex->nvars = saved_n;
	ex->vbase = saved_vbase;
	ex->tmpl = saved_tmpl;
	if (error == 0)
		ex->node = saved_node;
	ex->depth--;
	return error;
}

int rg_tmpl_exec(struct rg_buf *out, struct rg_tmpl_set *set,
		 const char *name, struct rg_node *dot,
		 const struct rg_tmpl_opts *opts, struct rg_err *err)
{
	struct rg_tmpl_exec ex;
	const struct rg_ttree *t;
	struct val d = { dot, false };
	size_t max_out = opts && opts->max_output ? opts->max_output
						  : RG_CAP_TMPL_OUTPUT_BYTES;
	size_t start = out->len;
	int error;

	memset(&ex, 0, sizeof(ex));
	ex.set = set;
	ex.a = set->arena;
	ex.out = out;
	ex.out_limit = max_out > SIZE_MAX - start ? SIZE_MAX : start + max_out;
	ex.max_steps = opts && opts->max_steps ? opts->max_steps
					       : RG_CAP_TMPL_STEPS;
	ex.flags = opts ? opts->flags : 0;
	ex.user = opts ? opts->user : NULL;
	ex.err = err;
	t = rg_tmpl_hash_get(&set->trees, name, strlen(name));
	if (!t) {
		struct rg_pos pos = { name, 0, 0 };

		return rg_err_set(err, RG_ENOTFOUND, &pos,
				  "template: no template \"%s\" associated "
				  "with template \"gotpl\"",
				  name);
	}
	if (dot && dot->kind == RG_NULL)
		d.n = NULL;
	error = exec_tree(&ex, t, d);
	free(ex.vars);
	if (error == 0 && (ex.flags & RG_TMPL_STRIP_NO_VALUE)) {
		struct rg_buf tail = RG_BUF_INIT(out->cap);

		/* strip only what this execution wrote */
		(void)rg_buf_add(&tail, out->ptr + start, out->len - start);
		rg_tmpl_strip_no_value(&tail);
		rg_buf_truncate(out, start);
		(void)rg_buf_add(out, tail.ptr, tail.len);
		rg_buf_release(&tail);
	}
	return error;
}

void *rg_tmpl_exec_user(const struct rg_tmpl_call *c)
{
	return c->ex ? c->ex->user : NULL;
}

struct rg_tmpl_set *rg_tmpl_exec_set(const struct rg_tmpl_call *c)
{
	return c->ex ? c->ex->set : NULL;
}

int rg_tmpl_charge(struct rg_tmpl_call *c, uint64_t n)
{
	if (!c->ex)
		return 0;
	c->ex->steps += n;
	if (c->ex->steps > c->ex->max_steps)
		return rg_tmpl_fail_limit(c,
					  "template evaluation took more than "
					  "%llu steps (RG_CAP_TMPL_STEPS)",
					  (unsigned long long)c->ex->max_steps);
	return 0;
}

uint64_t rg_tmpl_call_seed(const struct rg_tmpl_call *c)
{
	char key[600];
	struct rg_pos pos = c->pos;
	int n;

	if (c->ex)
		location(c->node, c->ex->tmpl, &pos.line, &pos.col);
	n = snprintf(key, sizeof(key), "%s:%u:%u:%s",
		     pos.file ? pos.file : "", pos.line, pos.col,
		     c->name ? c->name : "");
	uintptr_t runs = 0;
	uint64_t h;

	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(key))
		n = (int)sizeof(key) - 1;
	if (c->ex) {
		runs = (uintptr_t)rg_tmpl_hash_get(&c->ex->sites, key,
						   (size_t)n);
		rg_tmpl_hash_put(c->ex->a, &c->ex->sites, key, (size_t)n,
				 (void *)(runs + 1));
	}
	h = hash_str(key, (size_t)n);
	h ^= (uint64_t)runs * 0x9E3779B97F4A7C15ull;
	h ^= h >> 31;
	h *= 0xBF58476D1CE4E5B9ull;
	h ^= h >> 29;
	return h;
}

/* Run a template into a fresh buffer and copy it into the arena. */
static int run_nested(struct rg_str *out, struct rg_tmpl_call *c,
		      struct rg_tmpl_set *set, const struct rg_ttree *t,
		      struct rg_node *dot, bool strip)
{
	struct rg_tmpl_exec *ex = c->ex;
	struct rg_buf b = RG_BUF_INIT(RG_CAP_TMPL_OUTPUT_BYTES);
	struct rg_buf *saved_out = ex->out;
	size_t saved_limit = ex->out_limit;
	struct rg_tmpl_set *saved_set = ex->set;
	struct rg_err *saved_err = ex->err;
	const struct rg_tnode *saved_node = ex->node;
	struct val d = { dot && dot->kind != RG_NULL ? dot : NULL, false };
	int error;

	ex->out = &b;
	ex->out_limit = saved_limit - saved_out->len;
	if (ex->out_limit > RG_CAP_TMPL_OUTPUT_BYTES)
		ex->out_limit = RG_CAP_TMPL_OUTPUT_BYTES;
	ex->set = set;
	ex->err = c->err;
	error = exec_tree(ex, t, d);
	ex->out = saved_out;
	ex->out_limit = saved_limit;
	ex->set = saved_set;
	ex->err = saved_err;
	ex->node = saved_node;
	if (error == 0) {
		if (strip)
			rg_tmpl_strip_no_value(&b);
		if (b.len / 256 && (error = rg_tmpl_charge(c, b.len / 256)) < 0)
			goto out;
		out->ptr = rg_arena_strndup(ex->a, b.ptr, b.len);
		out->len = b.len;
	} else {
		/* the nested message is already Go's full text */
		c->err_raw = error == RG_ELIMIT ? UINT_MAX : 0;
	}
out:
	rg_buf_release(&b);
	return error;
}

int rg_tmpl_call_template(struct rg_str *out, struct rg_tmpl_call *c,
			  const char *name, struct rg_node *dot)
{
	struct rg_tmpl_exec *ex = c->ex;
	const struct rg_ttree *t;
	size_t nlen = strlen(name);
	uintptr_t cnt;
	int error;

	if (!ex)
		return rg_tmpl_fail(c, "no execution");
	t = rg_tmpl_hash_get(&ex->set->trees, name, nlen);
	if (!t) {
		rg_err_set(c->err, RG_ENOTFOUND, NULL,
			   "template: no template \"%s\" associated with "
			   "template \"gotpl\"",
			   name);
		c->err_raw = 0;
		return RG_ENOTFOUND;
	}
	cnt = (uintptr_t)rg_tmpl_hash_get(&ex->includes, name, nlen);
	if (cnt > RG_CAP_TMPL_INCLUDE_DEPTH) {
		rg_err_set(c->err, RG_ELIMIT, NULL,
			   "rendering template has a nested reference name: "
			   "%s: unable to execute template "
			   "(RG_CAP_TMPL_INCLUDE_DEPTH)",
			   name);
		c->err_raw = 0;
		return RG_ELIMIT;
	}
	rg_tmpl_hash_put(ex->a, &ex->includes, name, nlen,
			 (void *)(cnt ? cnt + 1 : 1));
	error = run_nested(out, c, ex->set, t, dot, false);
	rg_tmpl_hash_put(ex->a, &ex->includes, name, nlen,
			 (void *)(uintptr_t)(cnt ? cnt : 0));
	return error;
}

/*
 * Helm's tpl (renderWithReferences): a fresh set where the text is parsed
 * as the template `name`, then every chart file except `name` itself is
 * parsed again. So the text's defines are visible, a chart file's
 * non-empty define of the same name wins over them, and defines that only
 * the file `name` holds are not visible.
 */
int rg_tmpl_call_tpl(struct rg_str *out, struct rg_tmpl_call *c,
		     const char *name, const char *text, size_t len,
		     struct rg_node *dot)
{
	struct rg_tmpl_exec *ex = c->ex;
	struct rg_tmpl_set *fresh, *merged;
	const struct rg_ttree *t;
	int error;

	if (!ex)
		return rg_tmpl_fail(c, "no execution");
	fresh = rg_tmpl_set_clone(ex->set);
	memset(&fresh->trees, 0, sizeof(fresh->trees));
	error = rg_tmpl_parse_into(fresh, name, text, len, c->err);
	if (error < 0) {
		c->err_raw = error == RG_ELIMIT ? UINT_MAX : 0;
		return error;
	}
	t = rg_tmpl_hash_get(&fresh->trees, name, strlen(name));
	if (!t) {
		out->ptr = "";
		out->len = 0;
		return 0;
	}
	if (fresh->trees.len == 1)
		/* no defines in the text: the chart's set serves as is */
		return run_nested(out, c, ex->set, t, dot, true);
	merged = rg_tmpl_set_clone(ex->set);
	for (size_t i = 0; i < merged->trees.cap; i++) {
		struct rg_tmpl_hent *e = &merged->trees.ents[i];
		const struct rg_ttree *old = e->val;

		if (e->key && old && !strcmp(old->parse_name, name))
			e->val = NULL;
	}
	for (size_t i = 0; i < fresh->trees.cap; i++) {
		const struct rg_tmpl_hent *e = &fresh->trees.ents[i];
		const struct rg_ttree *old;

		if (!e->key)
			continue;
		old = rg_tmpl_hash_get(&merged->trees, e->key, e->klen);
		if (old && !rg_tmpl_empty_tree(old->root) &&
		    strcmp(e->key, name))
			continue;
		rg_tmpl_hash_put(ex->a, &merged->trees, e->key, e->klen, e->val);
	}
	return run_nested(out, c, merged, t, dot, true);
}
