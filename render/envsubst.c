#include "rendergate/compat.h"

#include <ctype.h>

#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/envsubst.h"

/*
 * The parser mirrors Flux's scanner: a cursor over the text, token text
 * collected into a buffer so escapes ("$$", "\/") can drop a character
 * without rewriting the input. The tree is built first, then evaluated,
 * so syntax errors win over lookups as in Flux.
 */

enum { SCAN_IDENT = 1, SCAN_LBRACK = 2, SCAN_RBRACK = 4, SCAN_ESCAPE = 8 };
enum { ESC_DOLLAR = 1, ESC_BACKSLASH = 2 };
enum { TOK_ILLEGAL, TOK_EOF, TOK_IDENT, TOK_LBRACK, TOK_RBRACK };

/* accept functions, by number (r is a byte, i the token length so far
 * including r) */
enum {
	A_RUNE,
	A_IDENT,
	A_COLON,
	A_ONE_HASH,
	A_NOT_CLOSING,
	A_HASH_FUNC,
	A_PERCENT_FUNC,
	A_DEFAULT_FUNC,
	A_REPLACE_FUNC,
	A_ONE_EQUAL,
	A_ONE_COLON,
	A_REJECT_COLON_CLOSE,
	A_SLASH,
	A_NOT_SLASH,
	A_CASING_FUNC,
};

struct node {
	bool text;
	const char *value; /* text, or the function's name ("" plain) */
	size_t vlen;
	const char *param; /* variable name */
	struct node **args;
	size_t nargs;
	struct node *next; /* list */
};

struct parser {
	const char *s;
	size_t n, pos;
	unsigned mode, esc;
	int accept;
	struct rg_buf tok; /* text of the last token */
	struct rg_arena *a;
	unsigned depth;
	const char *errmsg;
	int code;
};

static bool is_ident_byte(unsigned char c)
{
	return c == '_' || isalnum(c) || c >= 0x80;
}

static bool accept(int fn, unsigned char r, size_t i)
{
	switch (fn) {
	case A_RUNE:
		return true;
	case A_IDENT:
		return is_ident_byte(r);
	case A_COLON:
		return r == ':';
	case A_ONE_HASH:
		return r == '#' && i == 1;
	case A_NOT_CLOSING:
		return r != '}';
	case A_HASH_FUNC:
		return r == '#' && i < 3;
	case A_PERCENT_FUNC:
		return r == '%' && i < 3;
	case A_DEFAULT_FUNC:
		return (i == 1 && r == ':') ||
		       (i == 2 &&
			(r == '=' || r == '-' || r == '?' || r == '+'));
	case A_REPLACE_FUNC:
		return (i == 1 && r == '/') ||
		       (i == 2 && (r == '/' || r == '#' || r == '%'));
	case A_ONE_EQUAL:
		return i == 1 && r == '=';
	case A_ONE_COLON:
		return i == 1 && r == ':';
	case A_REJECT_COLON_CLOSE:
		return r != ':' && r != '}';
	case A_SLASH:
		return r == '/';
	case A_NOT_SLASH:
		return r != '/';
	case A_CASING_FUNC:
		return (r == ',' || r == '^') && i < 3;
	}
	return false;
}

static int peek(const struct parser *p)
{
	return p->pos < p->n ? (unsigned char)p->s[p->pos] : -1;
}

static int peek2(const struct parser *p)
{
	return p->pos + 1 < p->n ? (unsigned char)p->s[p->pos + 1] : -1;
}

/* At p->pos: "${" and brackets are scanned? */
static bool at_lbrack(const struct parser *p)
{
	return (p->mode & SCAN_LBRACK) && peek(p) == '$' && peek2(p) == '{';
}

/* At p->pos: an escape character followed by what it escapes? */
static bool at_escape(const struct parser *p)
{
	int r = peek(p), nx = peek2(p);

	if (!(p->mode & SCAN_ESCAPE))
		return false;
	if (r == '$' && (p->esc & ESC_DOLLAR) && nx == '$')
		return true;
	return r == '\\' && (p->esc & ESC_BACKSLASH) &&
	       (nx == '/' || nx == '\\');
}

/* Width of the UTF-8 sequence starting with byte c (1 for junk). */
static size_t utf8_width(unsigned char c)
{
	if (c < 0xc0)
		return 1;
	if (c < 0xe0)
		return 2;
	if (c < 0xf0)
		return 3;
	return 4;
}

/* Take the character at p->pos into the token. */
static void take(struct parser *p)
{
	size_t w = utf8_width((unsigned char)p->s[p->pos]);

	if (p->pos + w > p->n)
		w = p->n - p->pos;
	rg_buf_add(&p->tok, p->s + p->pos, w);
	p->pos += w;
}

static bool scan_ident(struct parser *p)
{
	if (!(p->mode & SCAN_IDENT))
		return false;
	if (at_escape(p)) {
		p->pos++; /* drop the escape, keep what it escapes */
		take(p);
	} else if (!accept(p->accept, (unsigned char)p->s[p->pos],
			   p->tok.len +
			       utf8_width((unsigned char)p->s[p->pos]))) {
		return false;
	} else {
		take(p);
	}
	while (p->pos < p->n) {
		if (at_lbrack(p))
			break;
		if (at_escape(p)) {
			p->pos++;
			take(p);
			continue;
		}
		if (!accept(p->accept, (unsigned char)p->s[p->pos],
			    p->tok.len +
				utf8_width((unsigned char)p->s[p->pos])))
			break;
		take(p);
	}
	return true;
}

static int scan(struct parser *p)
{
	rg_buf_reset(&p->tok);
	if (p->pos >= p->n)
		return TOK_EOF;
	if (at_lbrack(p)) {
		p->pos += 2;
		return TOK_LBRACK;
	}
	if ((p->mode & SCAN_RBRACK) && p->s[p->pos] == '}') {
		take(p);
		return TOK_RBRACK;
	}
	if (scan_ident(p))
		return TOK_IDENT;
	return TOK_ILLEGAL;
}

static struct node *fail(struct parser *p, int code, const char *msg)
{
	if (!p->errmsg) {
		p->errmsg = msg;
		p->code = code;
	}
	return NULL;
}

static struct node *new_node(struct parser *p, bool text)
{
	struct node *nd = rg_arena_alloc(p->a, sizeof(*nd));

	nd->text = text;
	nd->value = "";
	nd->param = "";
	return nd;
}

static struct node *text_node(struct parser *p)
{
	struct node *nd = new_node(p, true);

	nd->value = rg_arena_strndup(p->a, p->tok.ptr, p->tok.len);
	nd->vlen = p->tok.len;
	return nd;
}

static void add_arg(struct parser *p, struct node *f, struct node *arg)
{
	f->args = rg_arena_grow(p->a, f->args, f->nargs, f->nargs + 1,
				sizeof(*f->args));
	f->args[f->nargs++] = arg;
}

static const char E_BAD[] = "bad substitution";
static const char E_BRACE[] = "missing closing brace";
static const char E_NAME[] = "unable to parse variable name";
static const char E_FUNC[] = "unable to parse substitution within function";
static const char E_DEFAULT[] = "unable to parse default function";

static struct node *parse_func(struct parser *p);

/* Scan a function name with the given accept function. */
static bool scan_name(struct parser *p, struct node *f, int fn)
{
	p->accept = fn;
	p->mode = SCAN_IDENT;
	if (scan(p) != TOK_IDENT)
		return false;
	f->value = rg_arena_strndup(p->a, p->tok.ptr, p->tok.len);
	f->vlen = p->tok.len;
	return true;
}

static struct node *consume_rbrack(struct parser *p, struct node *f)
{
	p->mode = SCAN_RBRACK;
	if (scan(p) != TOK_RBRACK)
		return fail(p, RG_EPARSE, E_BAD);
	return f;
}

static struct node *parse_param(struct parser *p, int fn, unsigned mode)
{
	p->accept = fn;
	p->mode = mode | SCAN_LBRACK;
	switch (scan(p)) {
	case TOK_LBRACK:
		return parse_func(p);
	case TOK_IDENT:
	case TOK_RBRACK:
		return text_node(p);
	default:
		return fail(p, RG_EPARSE, E_FUNC);
	}
}

static struct node *func_node(struct parser *p, const char *name)
{
	struct node *f = new_node(p, false);

	f->param = name;
	return f;
}

static struct node *parse_default(struct parser *p, const char *name)
{
	struct node *f = func_node(p, name);

	if (!scan_name(p, f, peek(p) == '=' ? A_ONE_EQUAL : A_DEFAULT_FUNC))
		return fail(p, RG_EPARSE, E_DEFAULT);
	for (;;) {
		struct node *arg;

		if (peek(p) == '}')
			return consume_rbrack(p, f);
		arg = parse_param(p, A_NOT_CLOSING, SCAN_IDENT);
		if (!arg)
			return NULL;
		add_arg(p, f, arg);
	}
}

static struct node *parse_substr(struct parser *p, const char *name)
{
	struct node *f = func_node(p, name), *arg;
	int tok;

	if (!scan_name(p, f, A_ONE_COLON))
		return fail(p, RG_EPARSE, E_BAD);
	arg = parse_param(p, A_REJECT_COLON_CLOSE, SCAN_IDENT);
	if (!arg)
		return NULL;
	add_arg(p, f, arg);
	p->accept = A_COLON;
	p->mode = SCAN_IDENT | SCAN_RBRACK;
	tok = scan(p);
	if (tok == TOK_RBRACK)
		return f;
	if (tok != TOK_IDENT)
		return fail(p, RG_EPARSE, E_BAD);
	arg = parse_param(p, A_NOT_CLOSING, SCAN_IDENT);
	if (!arg)
		return NULL;
	add_arg(p, f, arg);
	return consume_rbrack(p, f);
}

static struct node *parse_remove(struct parser *p, const char *name, int fn)
{
	struct node *f = func_node(p, name), *arg;

	if (!scan_name(p, f, fn))
		return fail(p, RG_EPARSE, E_BAD);
	arg = parse_param(p, A_NOT_CLOSING, SCAN_IDENT);
	if (!arg)
		return NULL;
	add_arg(p, f, arg);
	return consume_rbrack(p, f);
}

static struct node *parse_replace(struct parser *p, const char *name)
{
	struct node *f = func_node(p, name), *arg;

	if (!scan_name(p, f, A_REPLACE_FUNC))
		return fail(p, RG_EPARSE, E_BAD);
	arg = parse_param(p, A_NOT_SLASH, SCAN_IDENT | SCAN_ESCAPE);
	if (!arg)
		return NULL;
	add_arg(p, f, arg);
	p->accept = A_SLASH;
	p->mode = SCAN_IDENT;
	if (scan(p) != TOK_IDENT)
		return fail(p, RG_EPARSE, E_BAD);
	if (peek(p) == '}')
		return consume_rbrack(p, f);
	arg = parse_param(p, A_NOT_CLOSING, SCAN_IDENT | SCAN_ESCAPE);
	if (!arg)
		return NULL;
	add_arg(p, f, arg);
	return consume_rbrack(p, f);
}

/* After "${". */
static struct node *parse_func(struct parser *p)
{
	struct node *f = NULL;
	const char *name;

	if (++p->depth > RG_CAP_ENVSUBST_DEPTH) {
		p->depth--;
		return fail(p, RG_ELIMIT,
			    "substitutions nested deeper than "
			    "RG_CAP_ENVSUBST_DEPTH");
	}
	p->esc = ESC_DOLLAR | ESC_BACKSLASH;
	if (peek(p) == '#') {
		f = func_node(p, "");
		if (!scan_name(p, f, A_ONE_HASH))
			goto bad;
		p->accept = A_IDENT;
		p->mode = SCAN_IDENT;
		if (scan(p) != TOK_IDENT)
			goto bad;
		f->param = rg_arena_strndup(p->a, p->tok.ptr, p->tok.len);
		f = consume_rbrack(p, f);
		goto out;
	}
	p->accept = A_IDENT;
	p->mode = SCAN_IDENT;
	if (scan(p) != TOK_IDENT) {
		f = fail(p, RG_EPARSE, E_NAME);
		goto out;
	}
	name = rg_arena_strndup(p->a, p->tok.ptr, p->tok.len);
	switch (peek(p)) {
	case ':': {
		int r = peek2(p);

		if (r == '=' || r == '-' || r == '?' || r == '+')
			f = parse_default(p, name);
		else
			f = parse_substr(p, name);
		goto out;
	}
	case '=':
		f = parse_default(p, name);
		goto out;
	case ',':
	case '^':
		f = func_node(p, name);
		if (!scan_name(p, f, A_CASING_FUNC))
			goto bad;
		f = consume_rbrack(p, f);
		goto out;
	case '/':
		f = parse_replace(p, name);
		goto out;
	case '#':
		f = parse_remove(p, name, A_HASH_FUNC);
		goto out;
	case '%':
		f = parse_remove(p, name, A_PERCENT_FUNC);
		goto out;
	}
	p->accept = A_IDENT;
	p->mode = SCAN_RBRACK;
	if (scan(p) != TOK_RBRACK) {
		f = fail(p, RG_EPARSE, E_BRACE);
		goto out;
	}
	f = func_node(p, name);
	goto out;
bad:
	f = fail(p, RG_EPARSE, E_BAD);
out:
	p->depth--;
	return f;
}

/* The top level: a list of text and functions. */
static struct node *parse_any(struct parser *p)
{
	struct node *head = NULL, **tail = &head;

	for (;;) {
		struct node *nd = NULL;

		p->accept = A_RUNE;
		p->mode = SCAN_IDENT | SCAN_LBRACK | SCAN_ESCAPE;
		p->esc = ESC_DOLLAR;
		switch (scan(p)) {
		case TOK_IDENT:
			nd = text_node(p);
			break;
		case TOK_EOF:
			return head ? head : new_node(p, true);
		case TOK_LBRACK:
			nd = parse_func(p);
			if (!nd)
				return NULL;
			break;
		default:
			return fail(p, RG_EPARSE, E_BAD);
		}
		*tail = nd;
		tail = &nd->next;
	}
}

/* --- evaluation -------------------------------------------------------- */

struct evalctx {
	struct rg_arena *a;
	rg_envsubst_lookup_fn lookup;
	void *ctx;
	unsigned flags;
	struct rg_err *err;
};

static int eval(struct rg_buf *out, const struct node *nd,
		const struct evalctx *e);

static bool is_default_op(const char *name)
{
	static const char *const ops[] = {"-",	"+",  "=",  "?",
					  ":-", ":+", ":=", ":?"};

	for (size_t i = 0; i < RG_ARRAY_SIZE(ops); i++)
		if (!strcmp(name, ops[i]))
			return true;
	return false;
}

/* Go's strconv.Atoi on a string: optional sign, decimal digits only. */
static bool atoi_go(const char *s, long long *out)
{
	bool neg = false;
	long long v = 0;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 1000000000000LL)
			return false;
		v = v * 10 + (*s - '0');
	}
	*out = neg ? -v : v;
	return true;
}

static int substr(struct rg_buf *out, const char *s, size_t n,
		  char *const *args, size_t nargs)
{
	long long pos, len;

	if (!nargs || !atoi_go(args[0], &pos))
		return rg_buf_add(out, s, n);
	if (pos < 0) {
		pos += (long long)n;
		if (pos < 0)
			pos = 0;
	}
	if (nargs == 1)
		return (size_t)pos < n
			   ? rg_buf_add(out, s + pos, n - (size_t)pos)
			   : 0;
	if (!atoi_go(args[1], &len))
		return rg_buf_add(out, s, n);
	if (pos + len >= (long long)n)
		return (size_t)pos < n
			   ? rg_buf_add(out, s + pos, n - (size_t)pos)
			   : 0;
	if (len < 0)
		len = 0; /* Go would panic on a negative slice; keep it empty */
	return rg_buf_add(out, s + pos, (size_t)len);
}

/* Go's strings.Replace(s, old, new, limit) (limit < 0: all). */
static int replace(struct rg_buf *out, const char *s, size_t n, const char *old,
		   const char *new, long limit)
{
	size_t olen = strlen(old), i = 0;
	long done = 0;
	int error = 0;

	if (!olen) {
		/* empty old: a match before every character and at the end */
		while (!error && i <= n) {
			if (limit < 0 || done < limit) {
				error = rg_buf_adds(out, new);
				done++;
			}
			if (i == n)
				break;
			{
				size_t w = utf8_width((unsigned char)s[i]);

				if (i + w > n)
					w = n - i;
				error =
				    error ? error : rg_buf_add(out, s + i, w);
				i += w;
			}
		}
		return error;
	}
	while (!error && i < n) {
		if ((limit < 0 || done < limit) && n - i >= olen &&
		    !memcmp(s + i, old, olen)) {
			error = rg_buf_adds(out, new);
			i += olen;
			done++;
			continue;
		}
		error = rg_buf_addch(out, s[i++]);
	}
	return error;
}

/* Reverse s by UTF-8 characters into the arena. */
static char *reverse(struct rg_arena *a, const char *s, size_t n)
{
	char *r = rg_arena_alloc(a, n + 1);
	size_t i = 0;

	while (i < n) {
		size_t w = utf8_width((unsigned char)s[i]);

		if (i + w > n)
			w = n - i;
		memcpy(r + n - i - w, s + i, w);
		i += w;
	}
	return r;
}

/* Strip a prefix matching pat: shortest or longest; *cut gets its length. */
static size_t trim_prefix(const char *s, size_t n, const char *pat,
			  bool longest)
{
	size_t plen = strlen(pat), best = 0;

	for (size_t i = 0; i < n; i++) {
		int m = rg_envsubst_match(pat, plen, s, n - i);

		if (m < 0)
			return 0;
		if (m > 0) {
			if (longest)
				return n - i;
			best = n - i;
		}
	}
	return best;
}

static int trim(struct rg_buf *out, struct rg_arena *a, const char *s, size_t n,
		const char *pat, bool suffix, bool longest)
{
	size_t cut;

	if (!suffix) {
		cut = trim_prefix(s, n, pat, longest);
		return rg_buf_add(out, s + cut, n - cut);
	}
	{
		char *rs = reverse(a, s, n);
		char *rp = reverse(a, pat, strlen(pat));
		char *res;

		cut = trim_prefix(rs, n, rp, longest);
		res = reverse(a, rs + cut, n - cut);
		return rg_buf_add(out, res, n - cut);
	}
}

static int casing(struct rg_buf *out, const char *s, size_t n, bool upper,
		  bool all)
{
	size_t start = out->len;
	int error = rg_buf_add(out, s, n);

	if (error < 0)
		return error;
	for (size_t i = start; i < out->len; i++) {
		out->ptr[i] =
		    (char)(upper ? toupper((unsigned char)out->ptr[i])
				 : tolower((unsigned char)out->ptr[i]));
		if (!all)
			break;
	}
	return 0;
}

static int apply(struct rg_buf *out, const struct node *f, const char *v,
		 size_t vlen, char *const *args, size_t nargs,
		 const struct evalctx *e)
{
	const char *name = f->value;

	if (!strcmp(name, ","))
		return casing(out, v, vlen, false, false);
	if (!strcmp(name, ",,"))
		return casing(out, v, vlen, false, true);
	if (!strcmp(name, "^"))
		return casing(out, v, vlen, true, false);
	if (!strcmp(name, "^^"))
		return casing(out, v, vlen, true, true);
	if (!strcmp(name, "#") && !nargs)
		return rg_buf_addf(out, "%zu", vlen);
	if (!strcmp(name, "#") || !strcmp(name, "##"))
		return trim(out, e->a, v, vlen, args[0], false, name[1] == '#');
	if (!strcmp(name, "%") || !strcmp(name, "%%"))
		return nargs ? trim(out, e->a, v, vlen, args[0], true,
				    name[1] == '%')
			     : rg_buf_add(out, v, vlen);
	if (!strcmp(name, ":"))
		return substr(out, v, vlen, args, nargs);
	if (!strcmp(name, "/") || !strcmp(name, "//")) {
		if (!nargs)
			return rg_buf_add(out, v, vlen);
		return replace(out, v, vlen, args[0], nargs > 1 ? args[1] : "",
			       name[1] ? -1 : 1);
	}
	if (!strcmp(name, "/#") || !strcmp(name, "/%")) {
		size_t olen = nargs == 2 ? strlen(args[0]) : 0;
		bool hit;

		if (nargs != 2)
			return rg_buf_add(out, v, vlen);
		if (name[1] == '#') {
			hit = vlen >= olen && !memcmp(v, args[0], olen);
			if (hit)
				return replace(out, v, vlen, args[0], args[1],
					       1);
			return rg_buf_add(out, v, vlen);
		}
		hit = vlen >= olen && !memcmp(v + vlen - olen, args[0], olen);
		if (!hit)
			return rg_buf_add(out, v, vlen);
		if (rg_buf_add(out, v, vlen - olen) < 0)
			return RG_ELIMIT;
		return rg_buf_adds(out, args[1]);
	}
	/* the default operators, and anything unknown: toDefault */
	if (!vlen && nargs) {
		for (size_t i = 0; i < nargs; i++)
			if (rg_buf_adds(out, args[i]) < 0)
				return RG_ELIMIT;
		return 0;
	}
	return rg_buf_add(out, v, vlen);
}

static int eval_func(struct rg_buf *out, const struct node *f,
		     const struct evalctx *e)
{
	char **args = rg_arena_calloc(e->a, f->nargs + 1, sizeof(*args));
	const char *v = "";
	size_t vlen = 0;
	bool exists;
	int error = 0;

	for (size_t i = 0; i < f->nargs; i++) {
		struct rg_buf b = RG_BUF_INIT(out->cap);

		error = eval(&b, f->args[i], e);
		if (error < 0) {
			rg_buf_release(&b);
			return error;
		}
		args[i] = rg_arena_strndup(e->a, b.ptr, b.len);
		rg_buf_release(&b);
	}
	exists =
	    e->lookup(e->ctx, f->param, is_default_op(f->value), &v, &vlen);
	if (!exists) {
		v = "";
		vlen = 0;
		if ((e->flags & RG_ENVSUBST_STRICT) && !is_default_op(f->value))
			return rg_err_set(e->err, RG_EINVALID, NULL,
					  "variable not set (strict mode): "
					  "\"%s\"",
					  f->param);
	}
	error = apply(out, f, v, vlen, args, f->nargs, e);
	if (error < 0)
		return rg_err_set(e->err, RG_ELIMIT, NULL,
				  "substitution result over %zu bytes",
				  out->cap);
	return 0;
}

static int eval(struct rg_buf *out, const struct node *nd,
		const struct evalctx *e)
{
	for (; nd; nd = nd->next) {
		int error;

		if (nd->text) {
			if (rg_buf_add(out, nd->value, nd->vlen) < 0)
				return rg_err_set(e->err, RG_ELIMIT, NULL,
						  "substitution result over "
						  "%zu bytes",
						  out->cap);
			continue;
		}
		error = eval_func(out, nd, e);
		if (error < 0)
			return error;
	}
	return 0;
}

int rg_envsubst_eval(struct rg_buf *out, struct rg_arena *a, const char *s,
		     size_t n, rg_envsubst_lookup_fn lookup, void *ctx,
		     unsigned flags, struct rg_err *err)
{
	struct parser p;
	struct evalctx e = {a, lookup, ctx, flags, err};
	struct node *root;
	int error = 0;

	memset(&p, 0, sizeof(p));
	p.s = s;
	p.n = n;
	p.a = a;
	rg_buf_init(&p.tok, RG_CAP_YAML_SCALAR_BYTES);
	root = parse_any(&p);
	if (!root) {
		error = rg_err_set(err, p.code ? p.code : RG_EPARSE, NULL, "%s",
				   p.errmsg ? p.errmsg : E_BAD);
		goto out;
	}
	error = eval(out, root, &e);
out:
	rg_buf_release(&p.tok);
	return error;
}

bool rg_envsubst_needed(const char *s, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (s[i] == '$' && (s[i + 1] == '{' || s[i + 1] == '$'))
			return true;
	return false;
}

bool rg_envsubst_valid_name(const char *name, size_t n)
{
	if (!n || !(name[0] == '_' || isalpha((unsigned char)name[0])))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!(name[i] == '_' || isalnum((unsigned char)name[i])))
			return false;
	return true;
}

/* --- glob matching (Go's path.Match, Flux's fork) ---------------------- */

static int decode(const char *s, size_t n, size_t *w)
{
	unsigned char c = (unsigned char)s[0];
	size_t k = utf8_width(c);
	int r;

	if (k > n)
		k = 1;
	*w = k;
	if (k == 1)
		return c;
	r = c & (0xff >> (k + 1));
	for (size_t i = 1; i < k; i++)
		r = (r << 6) | ((unsigned char)s[i] & 0x3f);
	return r;
}

static int get_esc(const char **chunk, size_t *clen, int *r)
{
	const char *c = *chunk;
	size_t n = *clen, w;

	if (!n || c[0] == '-' || c[0] == ']')
		return RG_EPARSE;
	if (c[0] == '\\') {
		c++;
		n--;
		if (!n)
			return RG_EPARSE;
	}
	*r = decode(c, n, &w);
	*chunk = c + w;
	*clen = n - w;
	return 0;
}

/* Does chunk match the start of s? *rest gets the remainder offset. */
static int match_chunk(const char *chunk, size_t clen, const char *s, size_t n,
		       size_t *rest)
{
	size_t i = 0;

	while (clen) {
		if (i >= n)
			return 0;
		if (chunk[0] == '[') {
			size_t w;
			int r = decode(s + i, n - i, &w), nrange = 0;
			bool not_negated = true, match = false;

			i += w;
			chunk++;
			clen--;
			if (clen && chunk[0] == '^') {
				not_negated = false;
				chunk++;
				clen--;
			}
			for (;;) {
				int lo, hi;

				if (clen && chunk[0] == ']' && nrange > 0) {
					chunk++;
					clen--;
					break;
				}
				if (get_esc(&chunk, &clen, &lo) < 0)
					return RG_EPARSE;
				hi = lo;
				if (clen && chunk[0] == '-') {
					chunk++;
					clen--;
					if (get_esc(&chunk, &clen, &hi) < 0)
						return RG_EPARSE;
				} else if (!clen) {
					return RG_EPARSE;
				}
				if (lo <= r && r <= hi)
					match = true;
				nrange++;
			}
			if (match != not_negated)
				return 0;
		} else if (chunk[0] == '?') {
			size_t w;

			decode(s + i, n - i, &w);
			i += w;
			chunk++;
			clen--;
		} else {
			if (chunk[0] == '\\') {
				chunk++;
				clen--;
				if (!clen)
					return RG_EPARSE;
			}
			if (chunk[0] != s[i])
				return 0;
			i++;
			chunk++;
			clen--;
		}
	}
	*rest = i;
	return 1;
}

int rg_envsubst_match(const char *pat, size_t plen, const char *s, size_t n)
{
	while (plen) {
		bool star = false, inrange = false;
		size_t i, rest = 0;
		int m;

		while (plen && pat[0] == '*') {
			pat++;
			plen--;
			star = true;
		}
		for (i = 0; i < plen; i++) {
			if (pat[i] == '\\') {
				if (i + 1 < plen)
					i++;
			} else if (pat[i] == '[') {
				inrange = true;
			} else if (pat[i] == ']') {
				inrange = false;
			} else if (pat[i] == '*' && !inrange) {
				break;
			}
		}
		if (star && i == 0)
			return 1; /* a trailing star takes the rest */
		m = match_chunk(pat, i, s, n, &rest);
		if (m > 0 && (rest == n || plen > i)) {
			s += rest;
			n -= rest;
			pat += i;
			plen -= i;
			continue;
		}
		if (m < 0)
			return m;
		if (star) {
			bool found = false;

			for (size_t k = 0; k < n; k++) {
				m = match_chunk(pat, i, s + k + 1, n - k - 1,
						&rest);
				if (m > 0) {
					if (plen == i && rest != n - k - 1)
						continue;
					s += k + 1 + rest;
					n -= k + 1 + rest;
					found = true;
					break;
				}
				if (m < 0)
					return m;
			}
			if (found) {
				pat += i;
				plen -= i;
				continue;
			}
		}
		return 0;
	}
	return n == 0;
}
