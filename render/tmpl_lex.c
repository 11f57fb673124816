/*
 * tmpl_lex.c - the lexer of Go's text/template (parse/lex.go, Go 1.18):
 * same items, same trim-marker rules, same error texts. Pulled one item
 * at a time by the parser instead of through a channel.
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/tmpl_int.h"

enum { S_TEXT, S_LEFT, S_INSIDE, S_DONE, S_EOF_NEXT };

#define EOFC (-1)

void rg_tlex_init(struct rg_tlex *l, struct rg_arena *a, const char *in,
		  size_t len)
{
	memset(l, 0, sizeof(*l));
	l->arena = a;
	l->in = in;
	l->len = len;
	l->line = 1;
	l->start_line = 1;
	l->state = S_TEXT;
}

static bool is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Go's unicode.IsLetter/IsDigit for ASCII; bytes of UTF-8 sequences count
 * as letters (NEEDSWORK: non-letter non-ASCII runes are accepted). */
static bool is_alnum(int c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c >= 0x80;
}

static int peekc(const struct rg_tlex *l)
{
	return l->pos < l->len ? (unsigned char)l->in[l->pos] : EOFC;
}

static int nextc(struct rg_tlex *l)
{
	int c;

	if (l->pos >= l->len)
		return EOFC;
	c = (unsigned char)l->in[l->pos++];
	if (c == '\n')
		l->line++;
	return c;
}

static void backupc(struct rg_tlex *l)
{
	if (l->pos > 0) {
		l->pos--;
		if (l->in[l->pos] == '\n')
			l->line--;
	}
}

static bool has_prefix(const struct rg_tlex *l, size_t at, const char *p)
{
	size_t n = strlen(p);

	return at <= l->len && l->len - at >= n && !memcmp(l->in + at, p, n);
}

static bool left_trim_marker(const struct rg_tlex *l, size_t at)
{
	return at + 2 <= l->len && l->in[at] == '-' &&
	       is_space((unsigned char)l->in[at + 1]);
}

static bool right_trim_marker(const struct rg_tlex *l, size_t at)
{
	return at + 2 <= l->len && is_space((unsigned char)l->in[at]) &&
	       l->in[at + 1] == '-';
}

/* at "}}" or " -}}" */
static bool at_right_delim(const struct rg_tlex *l, bool *trim)
{
	*trim = false;
	if (right_trim_marker(l, l->pos) && has_prefix(l, l->pos + 2, "}}")) {
		*trim = true;
		return true;
	}
	return has_prefix(l, l->pos, "}}");
}

static void ignore(struct rg_tlex *l)
{
	l->start = l->pos;
	l->start_line = l->line;
}

/*
 * Newlines in in[from, to), eight bytes at a time: long texts (CRDs kept
 * as templates are hundreds of KB with no action) are counted here once.
 */
static void count_lines(struct rg_tlex *l, size_t from, size_t to)
{
	const uint64_t low7 = 0x7f7f7f7f7f7f7f7fu, nl = 0x0a0a0a0a0a0a0a0au;
	size_t i = from;

	for (; i + 8 <= to; i += 8) {
		uint64_t w, t;

		memcpy(&w, l->in + i, 8);
		w ^= nl; /* a newline is now a zero byte */
		/* high bit of each byte of t: that byte of w is not zero */
		t = ((w & low7) + low7) | w;
		/* one bit per zero byte, at the bottom of each; sum them */
		t = (~t & ~low7) >> 7;
		l->line += (uint32_t)((t * 0x0101010101010101u) >> 56);
	}
	for (; i < to; i++)
		if (l->in[i] == '\n')
			l->line++;
}

/* The first "{{" in in[from, len), or NULL; from + 1 < len. */
static const char *find_ldelim(const struct rg_tlex *l, size_t from)
{
	const char *p = l->in + from;
	const char *last = l->in + l->len - 1; /* "{{" starts before it */

	while (p < last && (p = memchr(p, '{', (size_t)(last - p)))) {
		if (p[1] == '{')
			return p;
		p++;
	}
	return NULL;
}

static void emit(struct rg_tlex *l, struct rg_titem_tok *it, int typ)
{
	it->typ = (uint8_t)typ;
	it->pos = (uint32_t)l->start;
	it->line = l->start_line;
	it->val = l->in + l->start;
	it->len = l->pos - l->start;
	l->start = l->pos;
	l->start_line = l->line;
}

static void errorf(struct rg_tlex *l, struct rg_titem_tok *it,
		   const char *fmt, ...) RG_PRINTF(3, 4);
static void errorf(struct rg_tlex *l, struct rg_titem_tok *it,
		   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	it->val = rg_arena_vprintf(l->arena, fmt, ap);
	va_end(ap);
	it->typ = TI_ERROR;
	it->pos = (uint32_t)l->start;
	it->line = l->start_line;
	it->len = strlen(it->val);
	l->state = S_DONE;
}

/* %#U of the rune at p (Go: U+0023 '#') */
static const char *rune_desc(struct rg_tlex *l, int c)
{
	if (c == EOFC)
		return "U+FFFFFFFF";
	if (c >= 0x20 && c < 0x7f)
		return rg_arena_printf(l->arena, "U+%04X '%c'", c, c);
	return rg_arena_printf(l->arena, "U+%04X", c);
}

static bool at_terminator(const struct rg_tlex *l)
{
	int c = peekc(l);

	if (c == EOFC || is_space(c))
		return true;
	switch (c) {
	case '.':
	case ',':
	case '|':
	case ':':
	case ')':
	case '(':
	case '}':
		return true;
	}
	return false;
}

static bool accept(struct rg_tlex *l, const char *valid)
{
	int c = nextc(l);

	if (c != EOFC && strchr(valid, c))
		return true;
	if (c != EOFC)
		backupc(l);
	return false;
}

static void accept_run(struct rg_tlex *l, const char *valid)
{
	int c;

	while ((c = nextc(l)) != EOFC && strchr(valid, c))
		;
	if (c != EOFC)
		backupc(l);
}

static bool scan_number(struct rg_tlex *l)
{
	const char *digits = "0123456789_";

	accept(l, "+-");
	if (accept(l, "0")) {
		if (accept(l, "xX"))
			digits = "0123456789abcdefABCDEF_";
		else if (accept(l, "oO"))
			digits = "01234567_";
		else if (accept(l, "bB"))
			digits = "01_";
	}
	accept_run(l, digits);
	if (accept(l, "."))
		accept_run(l, digits);
	if (strlen(digits) == 11 && accept(l, "eE")) {
		accept(l, "+-");
		accept_run(l, "0123456789_");
	}
	if (strlen(digits) == 23 && accept(l, "pP")) {
		accept(l, "+-");
		accept_run(l, "0123456789_");
	}
	accept(l, "i");
	if (is_alnum(peekc(l))) {
		nextc(l);
		return false;
	}
	return true;
}

static const char *quote_prefix(struct rg_tlex *l)
{
	/* %q of the text so far, as Go's lexer error shows it */
	size_t n = l->pos - l->start;
	char *s = rg_arena_alloc(l->arena, n * 4 + 3);
	size_t j = 0;

	s[j++] = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)l->in[l->start + i];

		if (c == '"' || c == '\\') {
			s[j++] = '\\';
			s[j++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			j += (size_t)snprintf(s + j, 5, "\\x%02x", c);
		} else {
			s[j++] = (char)c;
		}
	}
	s[j++] = '"';
	s[j] = 0;
	return s;
}

static void lex_text(struct rg_tlex *l, struct rg_titem_tok *it)
{
	const char *p = NULL;

	if (l->pos + 1 < l->len)
		p = find_ldelim(l, l->pos);
	if (p) {
		size_t x = (size_t)(p - l->in);
		size_t end = x;

		if (left_trim_marker(l, x + 2))
			while (end > l->start &&
			       is_space((unsigned char)l->in[end - 1]))
				end--;
		l->state = S_LEFT;
		if (end > l->start) {
			count_lines(l, l->start, end);
			l->pos = end;
			emit(l, it, TI_TEXT);
			count_lines(l, end, x);
			l->pos = x;
			ignore(l);
			return;
		}
		count_lines(l, l->start, x);
		l->pos = x;
		ignore(l);
		it->typ = 255; /* nothing emitted */
		return;
	}
	l->pos = l->len;
	if (l->pos > l->start) {
		count_lines(l, l->start, l->pos);
		emit(l, it, TI_TEXT);
		l->state = S_EOF_NEXT; /* EOF next */
		return;
	}
	l->state = S_DONE;
	emit(l, it, TI_EOF);
}

static void lex_left(struct rg_tlex *l, struct rg_titem_tok *it)
{
	bool trim;
	size_t after;

	l->pos += 2;
	trim = left_trim_marker(l, l->pos);
	after = trim ? 2 : 0;
	if (has_prefix(l, l->pos + after, "/*")) {
		const char *e;
		bool rtrim;

		/* comment */
		l->pos += after;
		ignore(l);
		l->pos += 2;
		e = l->pos <= l->len ? memmem(l->in + l->pos, l->len - l->pos,
					      "*/", 2)
				     : NULL;
		if (!e) {
			errorf(l, it, "unclosed comment");
			return;
		}
		while (l->in + l->pos < e + 2)
			nextc(l);
		if (!at_right_delim(l, &rtrim)) {
			errorf(l, it, "comment ends before closing delimiter");
			return;
		}
		if (l->emit_comment) {
			emit(l, it, TI_COMMENT);
		} else {
			it->typ = 255;
		}
		if (rtrim)
			l->pos += 2;
		l->pos += 2;
		if (rtrim)
			while (l->pos < l->len &&
			       is_space((unsigned char)l->in[l->pos]))
				nextc(l);
		ignore(l);
		l->state = S_TEXT;
		return;
	}
	emit(l, it, TI_LDELIM);
	l->pos += after;
	ignore(l);
	l->paren_depth = 0;
	l->state = S_INSIDE;
}

static void lex_right(struct rg_tlex *l, struct rg_titem_tok *it)
{
	bool trim = right_trim_marker(l, l->pos);

	if (trim) {
		l->pos += 2;
		ignore(l);
	}
	l->pos += 2;
	emit(l, it, TI_RDELIM);
	if (trim) {
		while (l->pos < l->len && is_space((unsigned char)l->in[l->pos]))
			nextc(l);
		ignore(l);
	}
	l->state = S_TEXT;
}

static const struct {
	const char *word;
	size_t len;
	int typ;
} keywords[] = {
	{ ".", 1, TI_DOT },	      { "block", 5, TI_BLOCK },
	{ "break", 5, TI_BREAK },     { "continue", 8, TI_CONTINUE },
	{ "define", 6, TI_DEFINE },   { "else", 4, TI_ELSE },
	{ "end", 3, TI_END },	      { "if", 2, TI_IF },
	{ "range", 5, TI_RANGE },     { "nil", 3, TI_NIL },
	{ "template", 8, TI_TEMPLATE }, { "with", 4, TI_WITH },
};

static void lex_identifier(struct rg_tlex *l, struct rg_titem_tok *it)
{
	int c;
	size_t n;
	const char *w;

	while (is_alnum(c = peekc(l)))
		nextc(l);
	if (!at_terminator(l)) {
		nextc(l);
		errorf(l, it, "bad character %s", rune_desc(l, c));
		return;
	}
	w = l->in + l->start;
	n = l->pos - l->start;
	for (size_t i = 0; i < RG_ARRAY_SIZE(keywords); i++) {
		if (keywords[i].len == n && keywords[i].word[0] == w[0] &&
		    !memcmp(keywords[i].word, w, n)) {
			emit(l, it, keywords[i].typ);
			return;
		}
	}
	if ((n == 4 && !memcmp(w, "true", 4)) ||
	    (n == 5 && !memcmp(w, "false", 5)))
		emit(l, it, TI_BOOL);
	else
		emit(l, it, TI_IDENT);
}

static void lex_field_or_var(struct rg_tlex *l, struct rg_titem_tok *it,
			     int typ)
{
	int c;

	if (at_terminator(l)) {
		emit(l, it, typ == TI_VARIABLE ? TI_VARIABLE : TI_DOT);
		return;
	}
	while (is_alnum(c = peekc(l)))
		nextc(l);
	if (!at_terminator(l)) {
		nextc(l);
		errorf(l, it, "bad character %s", rune_desc(l, c));
		return;
	}
	emit(l, it, typ);
}

/* lexQuote and lexChar: up to the closing q, escapes skip a byte */
static void lex_quote(struct rg_tlex *l, struct rg_titem_tok *it, int q,
		      int typ, const char *unterminated)
{
	int c;

	for (;;) {
		c = nextc(l);
		if (c == '\\') {
			c = nextc(l);
			if (c != EOFC && c != '\n')
				continue;
		}
		if (c == EOFC || c == '\n') {
			errorf(l, it, "%s", unterminated);
			return;
		}
		if (c == q)
			break;
	}
	emit(l, it, typ);
}

static void lex_inside(struct rg_tlex *l, struct rg_titem_tok *it)
{
	bool trim;
	int c;

	if (l->paren_depth < 0) {
		/* the ')' was emitted first, as Go's lexer does */
		errorf(l, it, "unexpected right paren U+0029 ')'");
		return;
	}
	if (at_right_delim(l, &trim)) {
		if (l->paren_depth == 0) {
			lex_right(l, it);
			return;
		}
		errorf(l, it, "unclosed left paren");
		return;
	}
	c = nextc(l);
	if (c == EOFC) {
		errorf(l, it, "unclosed action");
		return;
	}
	if (is_space(c)) {
		size_t n = 1;

		while (is_space(peekc(l))) {
			nextc(l);
			n++;
		}
		/* a space before "-}}" belongs to the delimiter */
		if (right_trim_marker(l, l->pos - 1) &&
		    has_prefix(l, l->pos + 1, "}}")) {
			backupc(l);
			if (n == 1) {
				lex_right(l, it);
				return;
			}
		}
		emit(l, it, TI_SPACE);
		return;
	}
	switch (c) {
	case '=':
		emit(l, it, TI_ASSIGN);
		return;
	case ':':
		if (nextc(l) != '=') {
			errorf(l, it, "expected :=");
			return;
		}
		emit(l, it, TI_DECLARE);
		return;
	case '|':
		emit(l, it, TI_PIPE);
		return;
	case '"':
		lex_quote(l, it, '"', TI_STRING, "unterminated quoted string");
		return;
	case '`':
		for (;;) {
			c = nextc(l);
			if (c == EOFC) {
				errorf(l, it, "unterminated raw quoted string");
				return;
			}
			if (c == '`')
				break;
		}
		emit(l, it, TI_RAWSTRING);
		return;
	case '$':
		if (at_terminator(l)) {
			emit(l, it, TI_VARIABLE);
			return;
		}
		lex_field_or_var(l, it, TI_VARIABLE);
		return;
	case '\'':
		lex_quote(l, it, '\'', TI_CHARCONST,
			  "unterminated character constant");
		return;
	case '.':
		if (l->pos < l->len &&
		    !(l->in[l->pos] >= '0' && l->in[l->pos] <= '9')) {
			lex_field_or_var(l, it, TI_FIELD);
			return;
		}
		/* '.' can start a number */
		/* fall through */
	case '+':
	case '-':
	case '0':
	case '1':
	case '2':
	case '3':
	case '4':
	case '5':
	case '6':
	case '7':
	case '8':
	case '9':
		backupc(l);
		if (!scan_number(l)) {
			errorf(l, it, "bad number syntax: %s", quote_prefix(l));
			return;
		}
		c = peekc(l);
		if (c == '+' || c == '-') {
			if (!scan_number(l) || l->in[l->pos - 1] != 'i') {
				errorf(l, it, "bad number syntax: %s",
				       quote_prefix(l));
				return;
			}
			emit(l, it, TI_COMPLEX);
			return;
		}
		emit(l, it, TI_NUMBER);
		return;
	case '(':
		emit(l, it, TI_LPAREN);
		l->paren_depth++;
		return;
	case ')':
		emit(l, it, TI_RPAREN);
		l->paren_depth--;
		return;
	}
	if (is_alnum(c)) {
		backupc(l);
		lex_identifier(l, it);
		return;
	}
	if (c < 0x7f && c >= 0x20) {
		emit(l, it, TI_CHAR);
		return;
	}
	errorf(l, it, "unrecognized character in action: %s", rune_desc(l, c));
}

void rg_tlex_next(struct rg_tlex *l, struct rg_titem_tok *it)
{
	for (;;) {
		it->typ = 255;
		switch (l->state) {
		case S_TEXT:
			lex_text(l, it);
			break;
		case S_LEFT:
			lex_left(l, it);
			break;
		case S_INSIDE:
			lex_inside(l, it);
			break;
		case S_EOF_NEXT:
			l->state = S_DONE;
			emit(l, it, TI_EOF);
			break;
		default:
			it->typ = TI_EOF;
			it->pos = (uint32_t)l->len;
			it->line = l->line;
			it->val = l->in + l->len;
			it->len = 0;
			break;
		}
		if (it->typ != 255)
			return;
	}
}
