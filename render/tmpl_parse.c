/*
 * tmpl_parse.c - the parser of Go's text/template (parse/parse.go, Go
 * 1.18): recursive descent over the lexer's items with three items of
 * look-ahead, the same node kinds, the same scoping of variables, the
 * same error texts ("template: NAME:LINE: unexpected ..."), and Go's
 * associate rule for redefinitions.
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/funcs.h"
#include "rendergate/gofmt.h"
#include "rendergate/tmpl_int.h"

#include <math.h>
#include <setjmp.h>

struct parser {
	struct rg_tmpl_set *set;
	struct rg_arena *a;
	struct rg_tlex lex;
	struct rg_titem_tok token[3];
	int peek_count;
	const char *parse_name;
	const char *text;
	size_t len;
	struct rg_ttree *tree; /* tree being built */
	/* variables in scope: names */
	struct rg_str *vars;
	size_t nvars, avars;
	size_t vars_base; /* first variable of the template being parsed */
	int range_depth;
	unsigned depth;
	uint32_t action_line;
	/* trees defined by this parse, added at the end */
	struct rg_ttree **defs;
	size_t ndefs, adefs;
	struct rg_err *err;
	int code;
	jmp_buf jb;
};

static RG_NORETURN void fail(struct parser *p, int code, const char *fmt, ...)
	RG_PRINTF(3, 4);
static RG_NORETURN void fail(struct parser *p, int code, const char *fmt, ...)
{
	char msg[RG_ERR_MSG_MAX];
	va_list ap;
	struct rg_pos pos = { p->parse_name, p->token[0].line, 0 };

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rg_err_set(p->err, code, &pos, "template: %s:%u: %s", p->parse_name,
		   (unsigned)p->token[0].line, msg);
	p->code = code;
	longjmp(p->jb, 1);
}

/* --- tokens ---------------------------------------------------------- */

static struct rg_titem_tok *next(struct parser *p)
{
	if (p->peek_count > 0)
		p->peek_count--;
	else
		rg_tlex_next(&p->lex, &p->token[0]);
	return &p->token[p->peek_count];
}

static void backup(struct parser *p)
{
	p->peek_count++;
}

static void backup2(struct parser *p, const struct rg_titem_tok *t1)
{
	p->token[1] = *t1;
	p->peek_count = 2;
}

static void backup3(struct parser *p, const struct rg_titem_tok *t2,
		    const struct rg_titem_tok *t1)
{
	p->token[1] = *t1;
	p->token[2] = *t2;
	p->peek_count = 3;
}

static struct rg_titem_tok *peek(struct parser *p)
{
	if (p->peek_count > 0)
		return &p->token[p->peek_count - 1];
	p->peek_count = 1;
	rg_tlex_next(&p->lex, &p->token[0]);
	return &p->token[0];
}

static struct rg_titem_tok *next_nonspace(struct parser *p)
{
	struct rg_titem_tok *t;

	for (;;) {
		t = next(p);
		if (t->typ != TI_SPACE)
			break;
	}
	return t;
}

static struct rg_titem_tok *peek_nonspace(struct parser *p)
{
	struct rg_titem_tok *t = next_nonspace(p);

	backup(p);
	return t;
}

/* Go's item.String() */
static const char *item_string(struct parser *p, const struct rg_titem_tok *t)
{
	struct rg_buf b = RG_BUF_INIT(4096);
	char *s;

	if (t->typ == TI_EOF)
		return "EOF";
	if (t->typ == TI_ERROR)
		return rg_arena_strndup(p->a, t->val, t->len);
	if (t->typ > TI_KEYWORD)
		return rg_arena_printf(p->a, "<%.*s>", (int)t->len, t->val);
	/* %q, or %.10q... */
	{
		size_t n = t->len, runes = 0, i = 0;

		if (n > 10) {
			/* %.10q truncates to 10 runes before quoting */
			while (i < n && runes < 10) {
				unsigned char c = (unsigned char)t->val[i];
				size_t w = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;

				i += w;
				runes++;
			}
			if (i > n)
				i = n;
			(void)rg_gofmt_quote(&b, t->val, i);
			(void)rg_buf_adds(&b, "...");
		} else {
			(void)rg_gofmt_quote(&b, t->val, n);
		}
	}
	s = rg_arena_strndup(p->a, b.ptr, b.len);
	rg_buf_release(&b);
	return s;
}

static RG_NORETURN void unexpected(struct parser *p,
				   const struct rg_titem_tok *t,
				   const char *context)
{
	if (t->typ == TI_ERROR) {
		if (p->action_line != 0 && p->action_line != t->line) {
			const char *extra = " in action started at";
			size_t n = t->len;

			if (n >= 7 && !memcmp(t->val + n - 7, " action", 7))
				extra = " started at";
			fail(p, RG_EPARSE, "%.*s%s %s:%u", (int)t->len, t->val,
			     extra, p->parse_name, (unsigned)p->action_line);
		}
		fail(p, RG_EPARSE, "%.*s", (int)t->len, t->val);
	}
	fail(p, RG_EPARSE, "unexpected %s in %s", item_string(p, t), context);
}

static struct rg_titem_tok *expect(struct parser *p, int typ,
				   const char *context)
{
	struct rg_titem_tok *t = next_nonspace(p);

	if (t->typ != typ)
		unexpected(p, t, context);
	return t;
}

/* --- nodes ----------------------------------------------------------- */

static struct rg_tnode *new_node(struct parser *p, int type, uint32_t pos,
				 uint32_t line)
{
	struct rg_tnode *n = rg_arena_alloc(p->a, sizeof(*n));

	n->type = (uint8_t)type;
	n->pos = pos;
	n->line = line;
	n->tree = p->tree;
	return n;
}

static void push_kid(struct parser *p, struct rg_tnode *n, struct rg_tnode *k)
{
	/* capacity is 0, then 4, 8, 16 ...: grow when full */
	size_t n0 = n->nkids;

	if (n0 == 0 || (n0 >= 4 && (n0 & (n0 - 1)) == 0))
		n->kids = rg_arena_grow(p->a, n->kids, n0, n0 ? n0 * 2 : 4,
					sizeof(*n->kids));
	n->kids[n->nkids++] = k;
}

static void push_decl(struct parser *p, struct rg_tnode *pipe,
		      struct rg_tnode *v)
{
	pipe->decl = rg_arena_grow(p->a, pipe->decl, pipe->ndecl,
				   pipe->ndecl + 1, sizeof(*pipe->decl));
	pipe->decl[pipe->ndecl++] = v;
}

/* Split "$x.a.b" / ".a.b" into identifiers. */
static void split_idents(struct parser *p, struct rg_tnode *n, const char *s,
			 size_t len, bool field)
{
	size_t cnt = 1, i, start, k = 0;

	for (i = 0; i < len; i++)
		if (s[i] == '.' && !(field && i == 0))
			cnt++;
	n->idents = rg_arena_calloc(p->a, cnt, sizeof(*n->idents));
	start = field ? 1 : 0;
	for (i = start; i <= len; i++) {
		if (i == len || s[i] == '.') {
			n->idents[k].ptr = rg_arena_strndup(p->a, s + start,
							    i - start);
			n->idents[k].len = i - start;
			k++;
			start = i + 1;
		}
	}
	n->nidents = k;
}

static struct rg_tnode *new_variable(struct parser *p, uint32_t pos,
				     uint32_t line, const char *s, size_t len)
{
	struct rg_tnode *n = new_node(p, TN_VARIABLE, pos, line);

	split_idents(p, n, s, len, false);
	return n;
}

static struct rg_tnode *new_field(struct parser *p, uint32_t pos,
				  uint32_t line, const char *s, size_t len)
{
	struct rg_tnode *n = new_node(p, TN_FIELD, pos, line);

	split_idents(p, n, s, len, true);
	return n;
}

static void push_var(struct parser *p, const char *s, size_t len)
{
	RG_ALLOC_GROW(p->vars, p->nvars + 1, p->avars);
	p->vars[p->nvars].ptr = s;
	p->vars[p->nvars].len = len;
	p->nvars++;
}

/* --- literals -------------------------------------------------------- */

/* strconv.Unquote for "..." `...` and '...' (one rune). */
static int unquote(struct parser *p, const char *s, size_t n, char **out,
		   size_t *outlen)
{
	char *buf = rg_arena_alloc(p->a, n + 1);
	size_t j = 0;
	char q;

	if (n < 2)
		return -1;
	q = s[0];
	if (s[n - 1] != q)
		return -1;
	if (q == '`') {
		for (size_t i = 1; i + 1 < n; i++)
			if (s[i] != '\r')
				buf[j++] = s[i];
		buf[j] = 0;
		*out = buf;
		*outlen = j;
		return 0;
	}
	for (size_t i = 1; i + 1 < n;) {
		unsigned char c = (unsigned char)s[i];
		uint32_t r = 0;
		int nd = 0, base = 16;

		if (c == q && q == '\'')
			return -1;
		if (c == '\n')
			return -1;
		if (c != '\\') {
			buf[j++] = (char)c;
			i++;
			continue;
		}
		if (i + 2 > n - 1)
			return -1;
		c = (unsigned char)s[i + 1];
		i += 2;
		switch (c) {
		case 'a': buf[j++] = '\a'; continue;
		case 'b': buf[j++] = '\b'; continue;
		case 'f': buf[j++] = '\f'; continue;
		case 'n': buf[j++] = '\n'; continue;
		case 'r': buf[j++] = '\r'; continue;
		case 't': buf[j++] = '\t'; continue;
		case 'v': buf[j++] = '\v'; continue;
		case '\\': buf[j++] = '\\'; continue;
		case '\'':
		case '"':
			if (c != (unsigned char)q)
				return -1;
			buf[j++] = (char)c;
			continue;
		case 'x': nd = 2; break;
		case 'u': nd = 4; break;
		case 'U': nd = 8; break;
		case '0': case '1': case '2': case '3':
		case '4': case '5': case '6': case '7':
			nd = 3;
			base = 8;
			i--;
			break;
		default:
			return -1;
		}
		if (i + (size_t)nd > n - 1)
			return -1;
		for (int k = 0; k < nd; k++) {
			int d;
			char h = s[i + (size_t)k];

			if (h >= '0' && h <= '9')
				d = h - '0';
			else if (base == 16 && h >= 'a' && h <= 'f')
				d = h - 'a' + 10;
			else if (base == 16 && h >= 'A' && h <= 'F')
				d = h - 'A' + 10;
			else
				return -1;
			if (d >= base)
				return -1;
			r = r * (uint32_t)base + (uint32_t)d;
		}
		i += (size_t)nd;
		if (base == 8 || c == 'x') {
			if (r > 255)
				return -1;
			buf[j++] = (char)r;
			continue;
		}
		if (r > 0x10FFFF || (r >= 0xD800 && r < 0xE000))
			return -1;
		if (r < 0x80) {
			buf[j++] = (char)r;
		} else if (r < 0x800) {
			buf[j++] = (char)(0xC0 | (r >> 6));
			buf[j++] = (char)(0x80 | (r & 0x3F));
		} else if (r < 0x10000) {
			buf[j++] = (char)(0xE0 | (r >> 12));
			buf[j++] = (char)(0x80 | ((r >> 6) & 0x3F));
			buf[j++] = (char)(0x80 | (r & 0x3F));
		} else {
			buf[j++] = (char)(0xF0 | (r >> 18));
			buf[j++] = (char)(0x80 | ((r >> 12) & 0x3F));
			buf[j++] = (char)(0x80 | ((r >> 6) & 0x3F));
			buf[j++] = (char)(0x80 | (r & 0x3F));
		}
	}
	buf[j] = 0;
	*out = buf;
	*outlen = j;
	return 0;
}

static struct rg_tnode *new_string(struct parser *p,
				   const struct rg_titem_tok *t)
{
	struct rg_tnode *n = new_node(p, TN_STRING, t->pos, t->line);
	char *s;
	size_t sl;

	if (unquote(p, t->val, t->len, &s, &sl) < 0)
		fail(p, RG_EPARSE, "invalid syntax");
	n->text.ptr = rg_arena_strndup(p->a, t->val, t->len);
	n->text.len = t->len;
	n->value = rg_node_strn(p->a, s, sl);
	return n;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* strconv's underscoreOK: '_' only between digits or after a prefix */
static bool underscore_ok(const char *s, size_t n)
{
	int saw = '^';
	size_t i = 0;
	bool hex = false;

	if (n >= 1 && (s[0] == '-' || s[0] == '+')) {
		s++;
		n--;
	}
	if (n >= 2 && s[0] == '0' &&
	    (lower(s[1]) == 'b' || lower(s[1]) == 'o' || lower(s[1]) == 'x')) {
		i = 2;
		saw = '0';
		hex = lower(s[1]) == 'x';
	}
	for (; i < n; i++) {
		if ((s[i] >= '0' && s[i] <= '9') ||
		    (hex && lower(s[i]) >= 'a' && lower(s[i]) <= 'f')) {
			saw = '0';
			continue;
		}
		if (s[i] == '_') {
			if (saw != '0')
				return false;
			saw = '_';
			continue;
		}
		if (saw == '_')
			return false;
		saw = '!';
	}
	return saw != '_';
}

/*
 * strconv.ParseUint(s, 0, 64) magnitude, sign allowed unless is_unsigned:
 * 1 ok, 0 syntax error, -1 out of range.
 */
static int parse_int(const char *s, size_t n, bool is_unsigned, uint64_t *out,
		     bool *neg)
{
	const char *s0 = s;
	size_t n0 = n;
	unsigned base = 10;
	uint64_t v = 0;
	bool any = false, ovf = false, unders = false;

	*neg = false;
	if (n > 0 && (s[0] == '+' || s[0] == '-')) {
		if (is_unsigned)
			return 0;
		*neg = s[0] == '-';
		s++;
		n--;
	}
	if (n == 0)
		return 0;
	if (s[0] == '0') {
		if (n >= 3 && lower(s[1]) == 'x') {
			base = 16;
			s += 2;
			n -= 2;
		} else if (n >= 3 && lower(s[1]) == 'o') {
			base = 8;
			s += 2;
			n -= 2;
		} else if (n >= 3 && lower(s[1]) == 'b') {
			base = 2;
			s += 2;
			n -= 2;
		} else if (n > 1) {
			base = 8;
			s++;
			n--;
			any = true;
		}
	}
	for (size_t i = 0; i < n; i++) {
		unsigned d;
		char c = s[i];

		if (c == '_') {
			unders = true;
			continue;
		}
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (lower(c) >= 'a' && lower(c) <= 'z')
			d = (unsigned)(lower(c) - 'a' + 10);
		else
			return 0;
		if (d >= base)
			return 0;
		if (v > (UINT64_MAX - d) / base)
			ovf = true;
		else
			v = v * base + d;
		any = true;
	}
	if (!any)
		return 0;
	if (unders && !underscore_ok(s0, n0))
		return 0;
	*out = v;
	return ovf ? -1 : 1;
}

static struct rg_tnode *new_number(struct parser *p,
				   const struct rg_titem_tok *t)
{
	struct rg_tnode *n = new_node(p, TN_NUMBER, t->pos, t->line);
	const char *s = t->val;
	size_t len = t->len;
	bool is_int = false, is_uint = false, is_float = false, neg;
	int64_t iv = 0;
	uint64_t uv = 0;
	double fv = 0;
	int r;

	n->text.ptr = rg_arena_strndup(p->a, s, len);
	n->text.len = len;
	if (t->typ == TI_CHARCONST) {
		char *u;
		size_t ul;
		uint32_t cp = 0;

		if (unquote(p, s, len, &u, &ul) < 0 || ul == 0)
			fail(p, RG_EPARSE, "invalid syntax");
		{
			unsigned char c = (unsigned char)u[0];
			size_t w = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;

			if (w != ul)
				fail(p, RG_EPARSE,
				     "malformed character constant: %.*s",
				     (int)len, s);
			cp = w == 1 ? c : w == 2 ? (c & 0x1F) : w == 3 ? (c & 0x0F) : (c & 0x07);
			for (size_t k = 1; k < w; k++)
				cp = (cp << 6) | ((unsigned char)u[k] & 0x3F);
		}
		n->value = rg_node_int(p->a, cp);
		return n;
	}
	if (t->typ == TI_COMPLEX || (len > 0 && s[len - 1] == 'i'))
		fail(p, RG_EPARSE, "complex numbers are not supported: %.*s",
		     (int)len, s);
	r = parse_int(s, len, true, &uv, &neg);
	if (r == 1)
		is_uint = true;
	r = parse_int(s, len, false, &uv, &neg);
	if (r == 1) {
		if (!neg && uv <= (uint64_t)INT64_MAX) {
			is_int = true;
			iv = (int64_t)uv;
		} else if (neg && uv <= (uint64_t)INT64_MAX + 1) {
			is_int = true;
			iv = uv == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)uv;
		}
	}
	if (!is_int && !is_uint) {
		/* strconv.ParseFloat, underscores removed */
		char buf[128];
		size_t j = 0;
		char *end = NULL;
		double d;
		bool hex = len > 2 && s[0] == '0' && lower(s[1]) == 'x';
		bool has_p = memchr(s, 'p', len) || memchr(s, 'P', len);

		for (size_t i = 0; i < len && j + 1 < sizeof(buf); i++)
			if (s[i] != '_')
				buf[j++] = s[i];
		buf[j] = 0;
		errno = 0;
		d = j > 0 ? strtod(buf, &end) : 0;
		if (j > 0 && end == buf + j && errno != ERANGE &&
		    (!hex || has_p) && !isinf(d) &&
		    (!memchr(s, '_', len) || underscore_ok(s, len))) {
			if (!memchr(s, '.', len) && !memchr(s, 'e', len) &&
			    !memchr(s, 'E', len) && !has_p)
				fail(p, RG_EPARSE, "integer overflow: \"%.*s\"",
				     (int)len, s);
			fv = d;
			is_float = true;
		}
	} else {
		is_float = true;
		fv = is_int ? (double)iv : (double)uv;
	}
	if (!is_int && !is_uint && !is_float)
		fail(p, RG_EPARSE, "illegal number syntax: \"%.*s\"", (int)len,
		     s);
	/* idealConstant: which Go value this literal becomes at exec */
	{
		bool hexint = len > 2 && s[0] == '0' &&
			      (s[1] == 'x' || s[1] == 'X') &&
			      !memchr(s, 'p', len) && !memchr(s, 'P', len);
		bool looks_float = memchr(s, '.', len) || memchr(s, 'e', len) ||
				   memchr(s, 'E', len) || memchr(s, 'p', len) ||
				   memchr(s, 'P', len);

		if (is_float && !hexint && looks_float) {
			n->value = rg_node_float(p->a, fv);
		} else if (is_int) {
			n->value = rg_node_int(p->a, iv);
		} else if (is_uint) {
			n->numerr = rg_arena_printf(p->a, "%.*s overflows int",
						    (int)len, s);
		} else {
			/* float-valued without '.': only huge ints, rejected above */
			n->value = rg_node_float(p->a, fv);
		}
	}
	return n;
}

/* --- grammar --------------------------------------------------------- */

static struct rg_tnode *pipeline(struct parser *p, const char *context,
				 int end);
static struct rg_tnode *text_or_action(struct parser *p);

static void depth_in(struct parser *p)
{
	if (++p->depth > RG_CAP_TMPL_PARSE_DEPTH)
		fail(p, RG_ELIMIT,
		     "template nesting deeper than %u levels "
		     "(RG_CAP_TMPL_PARSE_DEPTH)",
		     RG_CAP_TMPL_PARSE_DEPTH);
}

static struct rg_tnode *item_list(struct parser *p, struct rg_tnode **endp)
{
	struct rg_titem_tok *first = peek_nonspace(p);
	struct rg_tnode *list = new_node(p, TN_LIST, first->pos, first->line);

	while (peek_nonspace(p)->typ != TI_EOF) {
		struct rg_tnode *n = text_or_action(p);

		if (n->type == TN_END || n->type == TN_ELSE) {
			*endp = n;
			return list;
		}
		push_kid(p, list, n);
	}
	fail(p, RG_EPARSE, "unexpected EOF");
}

static struct rg_tnode *term(struct parser *p)
{
	struct rg_titem_tok *t = next_nonspace(p);
	struct rg_tnode *n;

	switch (t->typ) {
	case TI_IDENT:
		n = new_node(p, TN_IDENT, t->pos, t->line);
		n->fn = rg_funcs_find(p->set->funcs, t->val, t->len);
		if (!n->fn)
			fail(p, RG_EPARSE, "function \"%.*s\" not defined",
			     (int)t->len, t->val);
		n->text.ptr = rg_arena_strndup(p->a, t->val, t->len);
		n->text.len = t->len;
		return n;
	case TI_DOT:
		return new_node(p, TN_DOT, t->pos, t->line);
	case TI_NIL:
		return new_node(p, TN_NIL, t->pos, t->line);
	case TI_VARIABLE: {
		struct rg_tnode *v =
			new_variable(p, t->pos, t->line, t->val, t->len);

		for (size_t i = p->nvars; i-- > p->vars_base;)
			if (p->vars[i].len == v->idents[0].len &&
			    !memcmp(p->vars[i].ptr, v->idents[0].ptr,
				    v->idents[0].len))
				return v;
		fail(p, RG_EPARSE, "undefined variable \"%s\"",
		     v->idents[0].ptr);
	}
	case TI_FIELD:
		return new_field(p, t->pos, t->line, t->val, t->len);
	case TI_BOOL:
		n = new_node(p, TN_BOOL, t->pos, t->line);
		n->flag = t->len == 4;
		return n;
	case TI_CHARCONST:
	case TI_COMPLEX:
	case TI_NUMBER:
		return new_number(p, t);
	case TI_LPAREN: {
		struct rg_tnode *pipe;

		depth_in(p);
		pipe = pipeline(p, "parenthesized pipeline", TI_RPAREN);
		p->depth--;
		return pipe;
	}
	case TI_STRING:
	case TI_RAWSTRING:
		return new_string(p, t);
	}
	backup(p);
	return NULL;
}

static struct rg_tnode *operand(struct parser *p)
{
	struct rg_tnode *node = term(p);
	struct rg_tnode *chain;

	if (!node)
		return NULL;
	if (peek(p)->typ != TI_FIELD)
		return node;
	chain = new_node(p, TN_CHAIN, peek(p)->pos, peek(p)->line);
	chain->pipe = node;
	while (peek(p)->typ == TI_FIELD) {
		struct rg_titem_tok *f = next(p);

		chain->idents = rg_arena_grow(p->a, chain->idents,
					      chain->nidents,
					      chain->nidents + 1,
					      sizeof(*chain->idents));
		chain->idents[chain->nidents].ptr =
			rg_arena_strndup(p->a, f->val + 1, f->len - 1);
		chain->idents[chain->nidents].len = f->len - 1;
		chain->nidents++;
	}
	switch (node->type) {
	case TN_FIELD:
	case TN_VARIABLE: {
		struct rg_buf b = RG_BUF_INIT(1u << 20);
		struct rg_tnode *n;

		rg_tmpl_node_string(&b, chain);
		if (node->type == TN_FIELD)
			n = new_field(p, chain->pos, chain->line, b.ptr, b.len);
		else
			n = new_variable(p, chain->pos, chain->line, b.ptr,
					 b.len);
		rg_buf_release(&b);
		return n;
	}
	case TN_BOOL:
	case TN_STRING:
	case TN_NUMBER:
	case TN_NIL:
	case TN_DOT: {
		struct rg_buf b = RG_BUF_INIT(4096);
		char msg[512];

		rg_tmpl_node_string(&b, node);
		snprintf(msg, sizeof(msg), "%s", b.ptr);
		rg_buf_release(&b);
		{
			struct rg_buf q = RG_BUF_INIT(4096);

			(void)rg_gofmt_quote(&q, msg, strlen(msg));
			snprintf(msg, sizeof(msg), "%s", q.ptr);
			rg_buf_release(&q);
		}
		fail(p, RG_EPARSE, "unexpected . after term %s", msg);
	}
	}
	return chain;
}

static struct rg_tnode *command(struct parser *p)
{
	struct rg_titem_tok *first = peek_nonspace(p);
	struct rg_tnode *cmd = new_node(p, TN_COMMAND, first->pos, first->line);

	for (;;) {
		struct rg_tnode *o;
		struct rg_titem_tok *t;

		peek_nonspace(p);
		o = operand(p);
		if (o)
			push_kid(p, cmd, o);
		t = next(p);
		switch (t->typ) {
		case TI_SPACE:
			continue;
		case TI_RDELIM:
		case TI_RPAREN:
			backup(p);
			break;
		case TI_PIPE:
			break;
		default:
			unexpected(p, t, "operand");
		}
		break;
	}
	if (cmd->nkids == 0)
		fail(p, RG_EPARSE, "empty command");
	return cmd;
}

static void check_pipeline(struct parser *p, struct rg_tnode *pipe,
			   const char *context)
{
	if (pipe->nkids == 0)
		fail(p, RG_EPARSE, "missing value for %s", context);
	for (size_t i = 1; i < pipe->nkids; i++) {
		switch (pipe->kids[i]->kids[0]->type) {
		case TN_BOOL:
		case TN_DOT:
		case TN_NIL:
		case TN_NUMBER:
		case TN_STRING:
			fail(p, RG_EPARSE,
			     "non executable command in pipeline stage %zu",
			     i + 1);
		}
	}
}

static struct rg_tnode *pipeline(struct parser *p, const char *context,
				 int end)
{
	struct rg_titem_tok *t = peek_nonspace(p);
	struct rg_tnode *pipe = new_node(p, TN_PIPE, t->pos, t->line);

decls:
	t = peek_nonspace(p);
	if (t->typ == TI_VARIABLE) {
		struct rg_titem_tok v = *next(p);
		struct rg_titem_tok after = *peek(p);
		struct rg_titem_tok nx = *peek_nonspace(p);

		if (nx.typ == TI_ASSIGN || nx.typ == TI_DECLARE) {
			pipe->flag = nx.typ == TI_ASSIGN;
			next_nonspace(p);
			push_decl(p, pipe,
				  new_variable(p, v.pos, v.line, v.val, v.len));
			push_var(p, v.val, v.len);
		} else if (nx.typ == TI_CHAR && nx.len == 1 &&
			   nx.val[0] == ',') {
			next_nonspace(p);
			push_decl(p, pipe,
				  new_variable(p, v.pos, v.line, v.val, v.len));
			push_var(p, v.val, v.len);
			if (!strcmp(context, "range") && pipe->ndecl < 2) {
				switch (peek_nonspace(p)->typ) {
				case TI_VARIABLE:
				case TI_RDELIM:
				case TI_RPAREN:
					goto decls;
				default:
					fail(p, RG_EPARSE,
					     "range can only initialize "
					     "variables");
				}
			}
			fail(p, RG_EPARSE, "too many declarations in %s",
			     context);
		} else if (after.typ == TI_SPACE) {
			backup3(p, &v, &after);
		} else {
			backup2(p, &v);
		}
	}
	for (;;) {
		t = next_nonspace(p);
		if (t->typ == end) {
			check_pipeline(p, pipe, context);
			return pipe;
		}
		switch (t->typ) {
		case TI_BOOL:
		case TI_CHARCONST:
		case TI_COMPLEX:
		case TI_DOT:
		case TI_FIELD:
		case TI_IDENT:
		case TI_NUMBER:
		case TI_NIL:
		case TI_RAWSTRING:
		case TI_STRING:
		case TI_VARIABLE:
		case TI_LPAREN:
			backup(p);
			push_kid(p, pipe, command(p));
			break;
		default:
			unexpected(p, t, context);
		}
	}
}

static struct rg_tnode *parse_control(struct parser *p, int type,
				      bool allow_else_if,
				      const char *context)
{
	size_t saved_vars = p->nvars;
	struct rg_tnode *pipe, *list, *next_node = NULL, *n;

	depth_in(p);
	pipe = pipeline(p, context, TI_RDELIM);
	if (type == TN_RANGE)
		p->range_depth++;
	list = item_list(p, &next_node);
	if (type == TN_RANGE)
		p->range_depth--;
	n = new_node(p, type, pipe->pos, pipe->line);
	n->pipe = pipe;
	n->list = list;
	if (next_node->type == TN_ELSE) {
		if (allow_else_if && peek(p)->typ == TI_IF) {
			struct rg_tnode *inner;

			next(p);
			n->elselist = new_node(p, TN_LIST, next_node->pos,
					       next_node->line);
			inner = parse_control(p, TN_IF, true, "if");
			push_kid(p, n->elselist, inner);
		} else {
			n->elselist = item_list(p, &next_node);
			if (next_node->type != TN_END)
				fail(p, RG_EPARSE, "expected end; found %s",
				     next_node->type == TN_ELSE ? "{{else}}"
								: "{{end}}");
		}
	}
	p->nvars = saved_vars;
	p->depth--;
	return n;
}

static const char *template_name(struct parser *p, struct rg_titem_tok *t,
				 const char *context)
{
	char *s;
	size_t sl;

	if (t->typ != TI_STRING && t->typ != TI_RAWSTRING)
		unexpected(p, t, context);
	if (unquote(p, t->val, t->len, &s, &sl) < 0)
		fail(p, RG_EPARSE, "invalid syntax");
	return s;
}

static void add_def(struct parser *p, struct rg_ttree *t)
{
	/* within one parse, two non-empty definitions of a name clash */
	for (size_t i = 0; i < p->ndefs; i++) {
		if (strcmp(p->defs[i]->name, t->name))
			continue;
		if (rg_tmpl_empty_tree(p->defs[i]->root)) {
			p->defs[i] = t;
			return;
		}
		if (!rg_tmpl_empty_tree(t->root))
			fail(p, RG_EPARSE,
			     "template: multiple definition of template \"%s\"",
			     t->name);
		return;
	}
	RG_ALLOC_GROW(p->defs, p->ndefs + 1, p->adefs);
	p->defs[p->ndefs++] = t;
}

static struct rg_ttree *new_tree(struct parser *p, const char *name)
{
	struct rg_ttree *t = rg_arena_alloc(p->a, sizeof(*t));

	t->name = rg_arena_strdup(p->a, name);
	t->parse_name = p->parse_name;
	t->text = p->text;
	t->len = p->len;
	return t;
}

/* Parse a nested definition body into a new tree (define and block). */
static void parse_body(struct parser *p, struct rg_ttree *t,
		       const char *context)
{
	struct rg_ttree *saved_tree = p->tree;
	size_t saved_base = p->vars_base, saved_n = p->nvars;
	int saved_range = p->range_depth;
	struct rg_tnode *end = NULL;

	/* a definition sees only its own variables and $ */
	p->tree = t;
	p->vars_base = p->nvars;
	p->range_depth = 0;
	push_var(p, "$", 1);
	t->root = item_list(p, &end);
	if (end->type != TN_END)
		fail(p, RG_EPARSE, "unexpected {{else}} in %s", context);
	p->nvars = saved_n;
	p->vars_base = saved_base;
	p->tree = saved_tree;
	p->range_depth = saved_range;
	add_def(p, t);
}

static struct rg_tnode *action(struct parser *p)
{
	struct rg_titem_tok *t = next_nonspace(p);
	struct rg_tnode *n;

	switch (t->typ) {
	case TI_BLOCK: {
		const char *context = "block clause";
		struct rg_titem_tok nt = *next_nonspace(p);
		const char *name = template_name(p, &nt, context);
		struct rg_tnode *pipe = pipeline(p, context, TI_RDELIM);
		struct rg_ttree *bt = new_tree(p, name);

		depth_in(p);
		parse_body(p, bt, context);
		p->depth--;
		n = new_node(p, TN_TEMPLATE, nt.pos, nt.line);
		n->text.ptr = name;
		n->text.len = strlen(name);
		n->pipe = pipe;
		return n;
	}
	case TI_BREAK:
	case TI_CONTINUE: {
		bool brk = t->typ == TI_BREAK;
		struct rg_titem_tok tt = *t;
		struct rg_titem_tok *x = next_nonspace(p);

		if (x->typ != TI_RDELIM)
			unexpected(p, x, brk ? "{{break}}" : "{{continue}}");
		if (p->range_depth == 0)
			fail(p, RG_EPARSE, "{{%s}} outside {{range}}",
			     brk ? "break" : "continue");
		return new_node(p, brk ? TN_BREAK : TN_CONTINUE, tt.pos,
				tt.line);
	}
	case TI_ELSE: {
		struct rg_titem_tok *pk = peek_nonspace(p);

		if (pk->typ == TI_IF)
			return new_node(p, TN_ELSE, pk->pos, pk->line);
		t = expect(p, TI_RDELIM, "else");
		return new_node(p, TN_ELSE, t->pos, t->line);
	}
	case TI_END:
		t = expect(p, TI_RDELIM, "end");
		return new_node(p, TN_END, t->pos, t->line);
	case TI_IF:
		return parse_control(p, TN_IF, true, "if");
	case TI_RANGE:
		return parse_control(p, TN_RANGE, false, "range");
	case TI_WITH:
		return parse_control(p, TN_WITH, false, "with");
	case TI_TEMPLATE: {
		const char *context = "template clause";
		struct rg_titem_tok nt = *next_nonspace(p);
		const char *name = template_name(p, &nt, context);
		struct rg_tnode *pipe = NULL;

		if (next_nonspace(p)->typ != TI_RDELIM) {
			backup(p);
			pipe = pipeline(p, context, TI_RDELIM);
		}
		n = new_node(p, TN_TEMPLATE, nt.pos, nt.line);
		n->text.ptr = name;
		n->text.len = strlen(name);
		n->pipe = pipe;
		return n;
	}
	}
	backup(p);
	t = peek(p);
	n = new_node(p, TN_ACTION, t->pos, t->line);
	n->pipe = pipeline(p, "command", TI_RDELIM);
	return n;
}

static struct rg_tnode *text_or_action(struct parser *p)
{
	struct rg_titem_tok *t = next_nonspace(p);
	struct rg_tnode *n;

	switch (t->typ) {
	case TI_TEXT:
		n = new_node(p, TN_TEXT, t->pos, t->line);
		n->text.ptr = t->val;
		n->text.len = t->len;
		return n;
	case TI_LDELIM: {
		uint32_t saved = p->action_line;

		p->action_line = t->line;
		n = action(p);
		p->action_line = saved;
		return n;
	}
	case TI_COMMENT:
		return new_node(p, TN_COMMENT, t->pos, t->line);
	}
	unexpected(p, t, "input");
}

static void parse_top(struct parser *p, struct rg_ttree *top)
{
	p->tree = top;
	top->root = new_node(p, TN_LIST, peek(p)->pos, peek(p)->line);
	push_var(p, "$", 1);
	while (peek(p)->typ != TI_EOF) {
		struct rg_tnode *n;

		if (peek(p)->typ == TI_LDELIM) {
			struct rg_titem_tok delim = *next(p);

			if (next_nonspace(p)->typ == TI_DEFINE) {
				const char *context = "define clause";
				struct rg_titem_tok nt = *next_nonspace(p);
				const char *name;
				struct rg_ttree *dt;

				if (nt.typ != TI_STRING &&
				    nt.typ != TI_RAWSTRING)
					unexpected(p, &nt, context);
				name = template_name(p, &nt, context);
				expect(p, TI_RDELIM, context);
				dt = new_tree(p, name);
				parse_body(p, dt, context);
				p->tree = top;
				continue;
			}
			backup2(p, &delim);
		}
		n = text_or_action(p);
		if (n->type == TN_END || n->type == TN_ELSE)
			fail(p, RG_EPARSE, "unexpected %s",
			     n->type == TN_END ? "{{end}}" : "{{else}}");
		push_kid(p, top->root, n);
	}
}

int rg_tmpl_parse_defs(struct rg_ttree ***defs, size_t *ndefs,
		       struct rg_tmpl_set *set, const char *name,
		       const char *text, size_t len, struct rg_err *err)
{
	struct parser *p = rg_xcalloc(1, sizeof(*p));
	struct rg_ttree *top;
	int code = 0;

	*defs = NULL;
	*ndefs = 0;
	p->set = set;
	p->a = set->arena;
	p->err = err;
	p->parse_name = rg_arena_strdup(set->arena, name);
	if (len > RG_CAP_TMPL_BYTES) {
		struct rg_pos pos = { p->parse_name, 0, 0 };

		code = rg_err_set(err, RG_ELIMIT, &pos,
				  "template: %s: text of %zu bytes is over "
				  "%u (RG_CAP_TMPL_BYTES)",
				  name, len, RG_CAP_TMPL_BYTES);
		goto out;
	}
	p->text = rg_arena_strndup(set->arena, text, len);
	p->len = len;
	rg_tlex_init(&p->lex, set->arena, p->text, len);
	top = new_tree(p, name);
	if (setjmp(p->jb)) {
		code = p->code;
		goto out;
	}
	parse_top(p, top);
	add_def(p, top);
	*defs = rg_arena_calloc(set->arena, p->ndefs + 1, sizeof(**defs));
	memcpy(*defs, p->defs, p->ndefs * sizeof(*p->defs));
	*ndefs = p->ndefs;
out:
	free(p->vars);
	free(p->defs);
	free(p);
	return code;
}

void rg_tmpl_associate(struct rg_tmpl_set *set, struct rg_ttree *const *defs,
		       size_t ndefs)
{
	/* Go's associate: an empty tree never replaces an existing one */
	for (size_t i = 0; i < ndefs; i++) {
		struct rg_ttree *t = defs[i];
		struct rg_ttree *old = rg_tmpl_hash_get(&set->trees, t->name,
							strlen(t->name));

		if (old && rg_tmpl_empty_tree(t->root))
			continue;
		rg_tmpl_hash_put(set->arena, &set->trees, t->name,
				 strlen(t->name), t);
	}
}

int rg_tmpl_parse_into(struct rg_tmpl_set *set, const char *name,
		       const char *text, size_t len, struct rg_err *err)
{
	struct rg_ttree **defs = NULL;
	size_t ndefs = 0;
	int code = rg_tmpl_parse_defs(&defs, &ndefs, set, name, text, len, err);

	if (!code)
		rg_tmpl_associate(set, defs, ndefs);
	return code;
}

/* --- tree utilities -------------------------------------------------- */

bool rg_tmpl_empty_tree(const struct rg_tnode *n)
{
	if (!n)
		return true;
	switch (n->type) {
	case TN_COMMENT:
		return true;
	case TN_LIST:
		for (size_t i = 0; i < n->nkids; i++)
			if (!rg_tmpl_empty_tree(n->kids[i]))
				return false;
		return true;
	case TN_TEXT:
		for (size_t i = 0; i < n->text.len; i++) {
			unsigned char c = (unsigned char)n->text.ptr[i];

			if (!(c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
			      c == '\v' || c == '\f'))
				return false;
		}
		return true;
	}
	return false;
}

static void node_string(struct rg_buf *b, const struct rg_tnode *n,
			bool quote_text);

static void pipe_string(struct rg_buf *b, const struct rg_tnode *n)
{
	for (size_t i = 0; i < n->ndecl; i++) {
		if (i)
			(void)rg_buf_adds(b, ", ");
		rg_tmpl_node_string(b, n->decl[i]);
	}
	if (n->ndecl)
		(void)rg_buf_adds(b, n->flag ? " = " : " := ");
	for (size_t i = 0; i < n->nkids; i++) {
		if (i)
			(void)rg_buf_adds(b, " | ");
		rg_tmpl_node_string(b, n->kids[i]);
	}
}

static void idents_string(struct rg_buf *b, const struct rg_tnode *n,
			  bool lead_dot)
{
	for (size_t i = 0; i < n->nidents; i++) {
		if (i || lead_dot)
			(void)rg_buf_addch(b, '.');
		(void)rg_buf_add(b, n->idents[i].ptr, n->idents[i].len);
	}
}

static void control_string(struct rg_buf *b, const struct rg_tnode *n,
			   const char *name, bool q)
{
	(void)rg_buf_addf(b, "{{%s ", name);
	pipe_string(b, n->pipe);
	(void)rg_buf_adds(b, "}}");
	node_string(b, n->list, q);
	if (n->elselist) {
		(void)rg_buf_adds(b, "{{else}}");
		node_string(b, n->elselist, q);
	}
	(void)rg_buf_adds(b, "{{end}}");
}

void rg_tmpl_node_string(struct rg_buf *b, const struct rg_tnode *n)
{
	node_string(b, n, false);
}

void rg_tmpl_tree_string(struct rg_buf *b, const struct rg_tmpl_set *set,
			 const char *name)
{
	const struct rg_ttree *t =
		rg_tmpl_hash_get(&set->trees, name, strlen(name));

	if (t)
		node_string(b, t->root, true);
}

static void node_string(struct rg_buf *b, const struct rg_tnode *n,
			bool q)
{
	if (!n)
		return;
	switch (n->type) {
	case TN_TEXT:
		if (q)
			(void)rg_gofmt_quote(b, n->text.ptr, n->text.len);
		else
			(void)rg_buf_add(b, n->text.ptr, n->text.len);
		break;
	case TN_ACTION:
		(void)rg_buf_adds(b, "{{");
		pipe_string(b, n->pipe);
		(void)rg_buf_adds(b, "}}");
		break;
	case TN_BOOL:
		(void)rg_buf_adds(b, n->flag ? "true" : "false");
		break;
	case TN_CHAIN:
		if (n->pipe->type == TN_PIPE) {
			(void)rg_buf_addch(b, '(');
			pipe_string(b, n->pipe);
			(void)rg_buf_addch(b, ')');
		} else {
			rg_tmpl_node_string(b, n->pipe);
		}
		idents_string(b, n, true);
		break;
	case TN_COMMAND:
		for (size_t i = 0; i < n->nkids; i++) {
			if (i)
				(void)rg_buf_addch(b, ' ');
			if (n->kids[i]->type == TN_PIPE) {
				(void)rg_buf_addch(b, '(');
				pipe_string(b, n->kids[i]);
				(void)rg_buf_addch(b, ')');
			} else {
				rg_tmpl_node_string(b, n->kids[i]);
			}
		}
		break;
	case TN_DOT:
		(void)rg_buf_addch(b, '.');
		break;
	case TN_FIELD:
		idents_string(b, n, true);
		break;
	case TN_VARIABLE:
		idents_string(b, n, false);
		break;
	case TN_IDENT:
	case TN_NUMBER:
	case TN_STRING:
		(void)rg_buf_add(b, n->text.ptr, n->text.len);
		break;
	case TN_IF:
		control_string(b, n, "if", q);
		break;
	case TN_RANGE:
		control_string(b, n, "range", q);
		break;
	case TN_WITH:
		control_string(b, n, "with", q);
		break;
	case TN_LIST:
		for (size_t i = 0; i < n->nkids; i++)
			node_string(b, n->kids[i], q);
		break;
	case TN_NIL:
		(void)rg_buf_adds(b, "nil");
		break;
	case TN_PIPE:
		pipe_string(b, n);
		break;
	case TN_TEMPLATE:
		(void)rg_buf_adds(b, "{{template ");
		(void)rg_gofmt_quote(b, n->text.ptr, n->text.len);
		if (n->pipe) {
			(void)rg_buf_addch(b, ' ');
			pipe_string(b, n->pipe);
		}
		(void)rg_buf_adds(b, "}}");
		break;
	case TN_COMMENT:
		(void)rg_buf_adds(b, "{{/* */}}");
		break;
	case TN_BREAK:
		(void)rg_buf_adds(b, "{{break}}");
		break;
	case TN_CONTINUE:
		(void)rg_buf_adds(b, "{{continue}}");
		break;
	case TN_END:
		(void)rg_buf_adds(b, "{{end}}");
		break;
	case TN_ELSE:
		(void)rg_buf_adds(b, "{{else}}");
		break;
	}
}
