/*
 * docemit.c - writing the document model as YAML, byte for byte the way
 * go-yaml v2's Marshal does for an interface{} tree.
 *
 * go-yaml v2's encoder (encode.go) picks a style per scalar and its
 * emitter (emitterc.go, a port of libyaml's) lays the text out. We only
 * ever emit block collections, empty flow collections and scalars, so
 * instead of the event state machine this walks the tree and keeps the
 * emitter's layout state (column, indent stack, whitespace/indention
 * flags, contexts) with the same transitions, which is what makes the
 * output identical: "key:\n- a" for sequences under keys, "- - a",
 * "- a: 1\n  b: 2", 80-column folding, the same quoting decisions.
 * libyaml's own emitter differs in small ways (for instance which
 * characters count as whitespace after an indicator), so it is not used.
 *
 * Recursion follows the tree depth, capped at RG_CAP_YAML_DEPTH.
 */
#include "rendergate/compat.h"
#include "rendergate/doc.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"

#include <math.h>

enum style { PLAIN, SINGLE, DOUBLE, LITERAL };

struct analysis {
	bool multiline;
	bool flow_plain_allowed, block_plain_allowed;
	bool single_quoted_allowed, block_allowed;
};

struct emitter {
	struct rg_buf *out;
	size_t start;
	size_t written; /* bytes produced, staged or not */
	/* output is staged here and appended to out in blocks */
	char stage[4096];
	size_t nstage;
	unsigned flags;
	int ret;
	int best_width, best_indent;
	int indent;
	int *indents;
	size_t nindents, aindents;
	int column;
	bool whitespace, indention;
	int flow_level;
	bool root_ctx, seq_ctx, map_ctx, simple_key_ctx;
	size_t depth;
	/* the scalar being written */
	struct analysis sd;
	const char *tag_handle, *tag_suffix;
};

/* --- characters (go-yaml's yamlprivateh.go), bounds-checked ------------ */

static uint8_t at(const char *s, size_t n, size_t i)
{
	return i < n ? (uint8_t)s[i] : 0;
}

static size_t width(uint8_t b)
{
	if ((b & 0x80) == 0)
		return 1;
	if ((b & 0xe0) == 0xc0)
		return 2;
	if ((b & 0xf0) == 0xe0)
		return 3;
	if ((b & 0xf8) == 0xf0)
		return 4;
	return 1;
}

static bool is_space(const char *s, size_t n, size_t i)
{
	return at(s, n, i) == ' ';
}

static bool is_blank(const char *s, size_t n, size_t i)
{
	return at(s, n, i) == ' ' || at(s, n, i) == '\t';
}

static bool is_break(const char *s, size_t n, size_t i)
{
	uint8_t c = at(s, n, i);

	return c == '\r' || c == '\n' ||
	       (c == 0xc2 && at(s, n, i + 1) == 0x85) ||
	       (c == 0xe2 && at(s, n, i + 1) == 0x80 &&
		(at(s, n, i + 2) == 0xa8 || at(s, n, i + 2) == 0xa9));
}

static bool is_blankz(const char *s, size_t n, size_t i)
{
	return is_blank(s, n, i) || is_break(s, n, i) || at(s, n, i) == 0;
}

static bool is_printable(const char *s, size_t n, size_t i)
{
	uint8_t c = at(s, n, i), c1 = at(s, n, i + 1), c2 = at(s, n, i + 2);

	return c == 0x0a || (c >= 0x20 && c <= 0x7e) ||
	       (c == 0xc2 && c1 >= 0xa0) || (c > 0xc2 && c < 0xed) ||
	       (c == 0xed && c1 < 0xa0) || c == 0xee ||
	       (c == 0xef && !(c1 == 0xbb && c2 == 0xbf) &&
		!(c1 == 0xbf && (c2 == 0xbe || c2 == 0xbf)));
}

/* go-yaml's is_bom looks at the start of the string, whatever i is. */
static bool starts_with_bom(const char *s, size_t n)
{
	return at(s, n, 0) == 0xef && at(s, n, 1) == 0xbb &&
	       at(s, n, 2) == 0xbf;
}

/* --- output ------------------------------------------------------------- */

static void flush(struct emitter *e)
{
	if (!e->ret && e->nstage)
		e->ret = rg_buf_add(e->out, e->stage, e->nstage);
	e->nstage = 0;
}

static void add(struct emitter *e, const void *p, size_t n)
{
	if (e->ret)
		return;
	if (n > RG_CAP_YAML_EMIT_BYTES - e->written) {
		e->ret = RG_ELIMIT;
		return;
	}
	e->written += n;
	if (e->nstage + n > sizeof(e->stage))
		flush(e);
	if (n > sizeof(e->stage)) {
		if (!e->ret)
			e->ret = rg_buf_add(e->out, p, n);
		return;
	}
	memcpy(e->stage + e->nstage, p, n);
	e->nstage += n;
}

static void put(struct emitter *e, char c)
{
	add(e, &c, 1);
	e->column++;
}

static void put_break(struct emitter *e)
{
	add(e, "\n", 1);
	e->column = 0;
}

/* Copy one character of s at *i. */
static void write_ch(struct emitter *e, const char *s, size_t n, size_t *i)
{
	size_t w = width(at(s, n, *i));

	if (*i + w > n)
		w = n - *i;
	add(e, s + *i, w);
	e->column++;
	*i += w;
}

static void write_all(struct emitter *e, const char *s)
{
	size_t n = strlen(s);
	bool ascii = true;

	for (size_t i = 0; i < n; i++)
		ascii &= !((uint8_t)s[i] & 0x80);
	if (ascii) { /* indicators: one character per byte */
		add(e, s, n);
		e->column += (int)n;
		return;
	}
	for (size_t i = 0; i < n;)
		write_ch(e, s, n, &i);
}

static void write_break(struct emitter *e, const char *s, size_t n, size_t *i)
{
	if (s[*i] == '\n') {
		put_break(e);
		(*i)++;
	} else {
		write_ch(e, s, n, i);
		e->column = 0;
	}
}

static void increase_indent(struct emitter *e, bool flow, bool indentless)
{
	RG_ALLOC_GROW(e->indents, e->nindents + 1, e->aindents);
	e->indents[e->nindents++] = e->indent;
	if (e->indent < 0)
		e->indent = flow ? e->best_indent : 0;
	else if (!indentless)
		e->indent += e->best_indent;
}

static void pop_indent(struct emitter *e)
{
	e->indent = e->indents[--e->nindents];
}

static void write_indent(struct emitter *e)
{
	int indent = e->indent < 0 ? 0 : e->indent;

	if (!e->indention || e->column > indent ||
	    (e->column == indent && !e->whitespace))
		put_break(e);
	if (e->column < indent) {
		static const char spaces[64] = "                                "
					       "                                ";

		while (e->column < indent) {
			int k = indent - e->column;

			if (k > (int)sizeof(spaces))
				k = (int)sizeof(spaces);
			add(e, spaces, (size_t)k);
			e->column += k;
		}
	}
	e->whitespace = true;
	e->indention = true;
}

static void write_indicator(struct emitter *e, const char *ind,
			    bool need_whitespace, bool is_whitespace,
			    bool is_indention)
{
	if (need_whitespace && !e->whitespace)
		put(e, ' ');
	write_all(e, ind);
	e->whitespace = is_whitespace;
	e->indention = e->indention && is_indention;
}

/* --- scalar analysis and style (emitterc.go) ---------------------------- */

/* Characters that may not start a plain scalar in any context. */
static bool first_indicator(char c)
{
	switch (c) {
	case '#':
	case ',':
	case '[':
	case ']':
	case '{':
	case '}':
	case '&':
	case '*':
	case '!':
	case '|':
	case '>':
	case '\'':
	case '"':
	case '%':
	case '@':
	case '`':
		return true;
	default:
		return false;
	}
}

static void analyze_scalar(struct emitter *e, const char *v, size_t n)
{
	bool block_ind = false, flow_ind = false, line_breaks = false;
	bool special = false, leading_space = false, leading_break = false;
	bool trailing_space = false, trailing_break = false;
	bool break_space = false, space_break = false;
	bool preceded_by_ws = true, followed_by_ws;
	bool prev_space = false, prev_break = false;
	struct analysis *a = &e->sd;

	if (n == 0) {
		*a = (struct analysis){false, false, true, true, false};
		return;
	}
	if (n >= 3 && ((v[0] == '-' && v[1] == '-' && v[2] == '-') ||
		       (v[0] == '.' && v[1] == '.' && v[2] == '.'))) {
		block_ind = true;
		flow_ind = true;
	}
	for (size_t i = 0, w; i < n; i += w) {
		char c = v[i];

		/* letters and digits past the first change nothing else */
		if (i && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9'))) {
			w = 1;
			prev_space = prev_break = preceded_by_ws = false;
			continue;
		}
		w = width((uint8_t)c);
		followed_by_ws = i + w >= n || is_blank(v, n, i + w);
		if (i == 0) {
			if (first_indicator(c)) {
				flow_ind = true;
				block_ind = true;
			} else if (c == '?' || c == ':') {
				flow_ind = true;
				block_ind |= followed_by_ws;
			} else if (c == '-' && followed_by_ws) {
				flow_ind = true;
				block_ind = true;
			}
		} else {
			if (c == ',' || c == '?' || c == '[' || c == ']' ||
			    c == '{' || c == '}') {
				flow_ind = true;
			} else if (c == ':') {
				flow_ind = true;
				block_ind |= followed_by_ws;
			} else if (c == '#' && preceded_by_ws) {
				flow_ind = true;
				block_ind = true;
			}
		}
		if (!is_printable(v, n, i))
			special = true;
		if (is_space(v, n, i)) {
			leading_space |= i == 0;
			trailing_space |= i + w == n;
			break_space |= prev_break;
			prev_space = true;
			prev_break = false;
		} else if (is_break(v, n, i)) {
			line_breaks = true;
			leading_break |= i == 0;
			trailing_break |= i + w == n;
			space_break |= prev_space;
			prev_space = false;
			prev_break = true;
		} else {
			prev_space = false;
			prev_break = false;
		}
		preceded_by_ws = is_blankz(v, n, i);
	}
	*a = (struct analysis){line_breaks, true, true, true, true};
	if (leading_space || leading_break || trailing_space ||
	    trailing_break) {
		a->flow_plain_allowed = false;
		a->block_plain_allowed = false;
	}
	if (trailing_space)
		a->block_allowed = false;
	if (break_space) {
		a->flow_plain_allowed = false;
		a->block_plain_allowed = false;
		a->single_quoted_allowed = false;
	}
	if (space_break || special) {
		a->flow_plain_allowed = false;
		a->block_plain_allowed = false;
		a->single_quoted_allowed = false;
		a->block_allowed = false;
	}
	if (line_breaks) {
		a->flow_plain_allowed = false;
		a->block_plain_allowed = false;
	}
	if (flow_ind)
		a->flow_plain_allowed = false;
	if (block_ind)
		a->block_plain_allowed = false;
}

static enum style select_style(struct emitter *e, enum style style, size_t n)
{
	if (e->simple_key_ctx && e->sd.multiline)
		style = DOUBLE;
	if (style == PLAIN) {
		if ((e->flow_level && !e->sd.flow_plain_allowed) ||
		    (!e->flow_level && !e->sd.block_plain_allowed))
			style = SINGLE;
		if (!n && (e->flow_level || e->simple_key_ctx))
			style = SINGLE;
	}
	if (style == SINGLE && !e->sd.single_quoted_allowed)
		style = DOUBLE;
	if (style == LITERAL &&
	    (!e->sd.block_allowed || e->flow_level || e->simple_key_ctx))
		style = DOUBLE;
	return style;
}

/* --- scalar writers ------------------------------------------------------ */

static void write_plain(struct emitter *e, const char *v, size_t n,
			bool allow_breaks)
{
	bool spaces = false, breaks = false;

	if (!e->whitespace)
		put(e, ' ');
	for (size_t i = 0; i < n;) {
		if (is_space(v, n, i)) {
			if (allow_breaks && !spaces &&
			    e->column > e->best_width &&
			    !is_space(v, n, i + 1)) {
				write_indent(e);
				i++;
			} else {
				write_ch(e, v, n, &i);
			}
			spaces = true;
		} else if (is_break(v, n, i)) {
			if (!breaks && v[i] == '\n')
				put_break(e);
			write_break(e, v, n, &i);
			e->indention = true;
			breaks = true;
		} else {
			/* a run of other characters, copied at once */
			size_t j = i, chars = 0;

			if (breaks)
				write_indent(e);
			while (j < n) {
				uint8_t b = (uint8_t)v[j];

				if (b == ' ' || b == '\n' || b == '\r' ||
				    (b >= 0x80 && is_break(v, n, j)))
					break;
				j += width(b);
				chars++;
			}
			if (j > n)
				j = n;
			add(e, v + i, j - i);
			e->column += (int)chars;
			i = j;
			e->indention = false;
			spaces = false;
			breaks = false;
		}
	}
	e->whitespace = false;
	e->indention = false;
}

static void write_single(struct emitter *e, const char *v, size_t n,
			 bool allow_breaks)
{
	bool spaces = false, breaks = false;

	write_indicator(e, "'", true, false, false);
	for (size_t i = 0; i < n;) {
		if (is_space(v, n, i)) {
			if (allow_breaks && !spaces &&
			    e->column > e->best_width && i > 0 && i < n - 1 &&
			    !is_space(v, n, i + 1)) {
				write_indent(e);
				i++;
			} else {
				write_ch(e, v, n, &i);
			}
			spaces = true;
		} else if (is_break(v, n, i)) {
			if (!breaks && v[i] == '\n')
				put_break(e);
			write_break(e, v, n, &i);
			e->indention = true;
			breaks = true;
		} else {
			if (breaks)
				write_indent(e);
			if (v[i] == '\'')
				put(e, '\'');
			write_ch(e, v, n, &i);
			e->indention = false;
			spaces = false;
			breaks = false;
		}
	}
	write_indicator(e, "'", false, false, false);
	e->whitespace = false;
	e->indention = false;
}

static void write_escape(struct emitter *e, const char *v, size_t n, size_t *i)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t w = width(at(v, n, *i));
	uint32_t c = at(v, n, *i) & (w == 1   ? 0x7f
				     : w == 2 ? 0x1f
				     : w == 3 ? 0x0f
					      : 0x07);
	char esc = 0;
	int digits;

	for (size_t k = 1; k < w; k++)
		c = c << 6 | (at(v, n, *i + k) & 0x3f);
	*i += w;
	put(e, '\\');
	switch (c) {
	case 0x00:
		esc = '0';
		break;
	case 0x07:
		esc = 'a';
		break;
	case 0x08:
		esc = 'b';
		break;
	case 0x09:
		esc = 't';
		break;
	case 0x0a:
		esc = 'n';
		break;
	case 0x0b:
		esc = 'v';
		break;
	case 0x0c:
		esc = 'f';
		break;
	case 0x0d:
		esc = 'r';
		break;
	case 0x1b:
		esc = 'e';
		break;
	case 0x22:
		esc = '"';
		break;
	case 0x5c:
		esc = '\\';
		break;
	case 0x85:
		esc = 'N';
		break;
	case 0xa0:
		esc = '_';
		break;
	case 0x2028:
		esc = 'L';
		break;
	case 0x2029:
		esc = 'P';
		break;
	default:
		break;
	}
	if (esc) {
		put(e, esc);
		return;
	}
	if (c <= 0xff) {
		put(e, 'x');
		digits = 2;
	} else if (c <= 0xffff) {
		put(e, 'u');
		digits = 4;
	} else {
		put(e, 'U');
		digits = 8;
	}
	for (int k = (digits - 1) * 4; k >= 0; k -= 4)
		put(e, hex[(c >> k) & 0xf]);
}

static void write_double(struct emitter *e, const char *v, size_t n,
			 bool allow_breaks)
{
	bool spaces = false;
	bool bom = starts_with_bom(v, n);

	write_indicator(e, "\"", true, false, false);
	for (size_t i = 0; i < n;) {
		if (!is_printable(v, n, i) || bom || is_break(v, n, i) ||
		    v[i] == '"' || v[i] == '\\') {
			write_escape(e, v, n, &i);
			spaces = false;
		} else if (is_space(v, n, i)) {
			if (allow_breaks && !spaces &&
			    e->column > e->best_width && i > 0 && i < n - 1) {
				write_indent(e);
				if (is_space(v, n, i + 1))
					put(e, '\\');
				i++;
			} else {
				write_ch(e, v, n, &i);
			}
			spaces = true;
		} else {
			write_ch(e, v, n, &i);
			spaces = false;
		}
	}
	write_indicator(e, "\"", false, false, false);
	e->whitespace = false;
	e->indention = false;
}

/* Start of the character that ends at byte i (UTF-8). */
static size_t char_start(const char *v, size_t i)
{
	while (i > 0 && ((uint8_t)v[i] & 0xc0) == 0x80)
		i--;
	return i;
}

static void write_block_hints(struct emitter *e, const char *v, size_t n)
{
	char hint[2] = {0, 0};

	if (is_space(v, n, 0) || is_break(v, n, 0)) {
		hint[0] = (char)('0' + e->best_indent);
		write_indicator(e, hint, false, false, false);
	}
	hint[0] = 0;
	if (n == 0) {
		hint[0] = '-';
	} else {
		size_t i = char_start(v, n - 1);

		if (!is_break(v, n, i))
			hint[0] = '-';
		else if (i == 0)
			hint[0] = '+';
		else if (is_break(v, n, char_start(v, i - 1)))
			hint[0] = '+';
	}
	if (hint[0])
		write_indicator(e, hint, false, false, false);
}

static void write_literal(struct emitter *e, const char *v, size_t n)
{
	bool breaks = true;

	write_indicator(e, "|", true, false, false);
	write_block_hints(e, v, n);
	put_break(e);
	e->indention = true;
	e->whitespace = true;
	for (size_t i = 0; i < n;) {
		if (is_break(v, n, i)) {
			write_break(e, v, n, &i);
			e->indention = true;
			breaks = true;
		} else {
			if (breaks)
				write_indent(e);
			write_ch(e, v, n, &i);
			e->indention = false;
			breaks = false;
		}
	}
}

/* --- scalars ---------------------------------------------------------------
 */

struct scalar {
	const char *v;
	size_t n;
	enum style style;
	bool binary; /* tagged !!binary */
};

static void emit_scalar(struct emitter *e, const struct scalar *s)
{
	enum style style;

	e->tag_handle = s->binary ? "!!" : NULL;
	e->tag_suffix = s->binary ? "binary" : NULL;
	analyze_scalar(e, s->v, s->n);
	style = select_style(e, s->style, s->n);
	if (e->tag_handle) {
		if (!e->whitespace)
			put(e, ' ');
		write_all(e, e->tag_handle);
		write_all(e, e->tag_suffix);
		e->whitespace = false;
		e->indention = false;
	}
	increase_indent(e, true, false);
	switch (style) {
	case PLAIN:
		write_plain(e, s->v, s->n, !e->simple_key_ctx);
		break;
	case SINGLE:
		write_single(e, s->v, s->n, !e->simple_key_ctx);
		break;
	case DOUBLE:
		write_double(e, s->v, s->n, !e->simple_key_ctx);
		break;
	case LITERAL:
		write_literal(e, s->v, s->n);
		break;
	}
	pop_indent(e);
}

static bool valid_utf8(const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s;

	for (size_t i = 0; i < n;) {
		uint8_t c = p[i];
		size_t need;
		uint32_t cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1, cp = c & 0x1f, min = 0x80;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2, cp = c & 0x0f, min = 0x800;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3, cp = c & 0x07, min = 0x10000;
		else
			return false;
		if (n - i - 1 < need)
			return false;
		for (size_t k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += need + 1;
	}
	return true;
}

/* go-yaml's encodeBase64: 70-column lines, each ended by \n if several. */
static char *base64_lines(const char *s, size_t n, size_t *outn)
{
	static const char tbl[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t enc = (n + 2) / 3 * 4;
	size_t lines = enc / 70 + 1;
	char *b64 = rg_xmalloc(enc + 1);
	char *out = rg_xmalloc(enc + lines + 1);
	size_t k = 0;
	const uint8_t *p = (const uint8_t *)s;

	for (size_t i = 0, j = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		b64[j++] = tbl[v >> 18 & 63];
		b64[j++] = tbl[v >> 12 & 63];
		b64[j++] = i + 1 < n ? tbl[v >> 6 & 63] : '=';
		b64[j++] = i + 2 < n ? tbl[v & 63] : '=';
	}
	for (size_t i = 0; i < enc; i += 70) {
		size_t j = i + 70 < enc ? i + 70 : enc;

		memcpy(out + k, b64 + i, j - i);
		k += j - i;
		if (lines > 1)
			out[k++] = '\n';
	}
	out[k] = '\0';
	free(b64);
	*outn = k;
	return out;
}

/* ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$ */
static bool is_base60_float(const char *s, size_t n)
{
	size_t i = 0;
	int groups = 0;

	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i >= n || s[i] < '0' || s[i] > '9')
		return false;
	while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
		i++;
	while (i < n && s[i] == ':') {
		size_t d = 0;

		i++;
		while (i + d < n && s[i + d] >= '0' && s[i + d] <= '9' && d < 3)
			d++;
		/* [0-5]?[0-9]: one digit, or two with the first <= 5 */
		if (d == 0)
			return false;
		if (d >= 2 && s[i] <= '5')
			i += 2;
		else
			i += 1;
		groups++;
	}
	if (!groups)
		return false;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			i++;
	}
	return i == n;
}

/* encode.go stringv: the style go-yaml v2 gives a string. */
static void string_scalar(struct scalar *s, const char *v, size_t n,
			  char **owned)
{
	struct rg_doc_scalar ignored;
	bool plain_ok = true;

	s->v = v;
	s->n = n;
	s->binary = false;
	*owned = NULL;
	if (!valid_utf8(v, n)) {
		*owned = base64_lines(v, n, &s->n);
		s->v = *owned;
		s->binary = true;
	} else {
		plain_ok = rg_doc_resolve(&ignored, v, n, 0) == RG_RTAG_STR &&
			   !is_base60_float(v, n);
	}
	if (memchr(s->v, '\n', s->n))
		s->style = LITERAL;
	else if (plain_ok)
		s->style = PLAIN;
	else
		s->style = DOUBLE;
}

/*
 * The text of a float: Go's FormatFloat 'g', or with RG_EMIT_JSON
 * what sigs.k8s.io/yaml makes of it (encoding/json text read back by
 * go-yaml v2: whole numbers below 1e21 become integers).
 */
static void float_text(char *buf, size_t sz, double f, unsigned flags)
{
	if (isnan(f)) {
		snprintf(buf, sz, ".nan");
		return;
	}
	if (isinf(f)) {
		snprintf(buf, sz, f > 0 ? ".inf" : "-.inf");
		return;
	}
	if ((flags & RG_EMIT_JSON) && f == floor(f) && fabs(f) < 1e21) {
		if (f >= -9223372036854775808.0 && f < 9223372036854775808.0) {
			snprintf(buf, sz, "%lld", (long long)f);
			return;
		}
		if (f > 0 && f < 18446744073709551616.0) {
			snprintf(buf, sz, "%llu", (unsigned long long)f);
			return;
		}
	}
	rg_fmt_float(buf, sz, f, 'g');
}

/* --- collections -----------------------------------------------------------
 */

static void emit_node(struct emitter *e, const struct rg_node *n, bool root,
		      bool seq, bool map, bool simple_key_ctx);

static void emit_empty_flow(struct emitter *e, const char *open,
			    const char *close)
{
	write_indicator(e, open, true, true, false);
	increase_indent(e, true, false);
	pop_indent(e);
	write_indicator(e, close, false, false, false);
}

static void emit_seq(struct emitter *e, const struct rg_node *n)
{
	if (!n->u.seq.len) {
		emit_empty_flow(e, "[", "]");
		return;
	}
	increase_indent(e, false, e->map_ctx && !e->indention);
	for (size_t i = 0; i < n->u.seq.len; i++) {
		write_indent(e);
		write_indicator(e, "-", true, false, true);
		emit_node(e, n->u.seq.items[i], false, true, false, false);
	}
	pop_indent(e);
}

/*
 * Sorting keys like go-yaml v2's sorter.go over a map[interface{}]...:
 * keys that were numbers or booleans in the source (RG_NODE_KEY_NONSTR)
 * compare as numbers and come before null keys, which come before
 * strings; strings use rg_yaml_keycmp. The reflect.Kind numbers below
 * give Go's order between kinds.
 */
enum go_kind {
	GO_BOOL = 1,
	GO_INT = 2,
	GO_UINT64 = 11,
	GO_FLOAT64 = 14,
	GO_NIL = 20,
	GO_STRING = 24,
};

struct sortkey {
	size_t idx;
	const struct rg_str *text;
	enum go_kind kind;
	double f; /* keyFloat for the number kinds */
	int64_t i;
};

static void classify(struct sortkey *k, const struct rg_pair *p, unsigned flags)
{
	struct rg_doc_scalar v;

	k->text = &p->key;
	k->kind = GO_STRING;
	if (!p->val || !(p->val->flags & RG_NODE_KEY_NONSTR) ||
	    (flags & RG_EMIT_JSON))
		return;
	switch (rg_doc_resolve(&v, p->key.ptr, p->key.len, 0)) {
	case RG_RTAG_BOOL:
		k->kind = GO_BOOL;
		k->f = v.b;
		k->i = v.b;
		break;
	case RG_RTAG_INT:
		k->kind = GO_INT;
		k->f = (double)v.i;
		k->i = v.i;
		break;
	case RG_RTAG_FLOAT:
		k->kind = v.intlike && v.f >= 9223372036854775808.0
			      ? GO_UINT64
			      : GO_FLOAT64;
		k->f = v.f;
		break;
	case RG_RTAG_NULL:
		k->kind = GO_NIL;
		break;
	default:
		break;
	}
}

static bool is_number_kind(enum go_kind k)
{
	return k == GO_BOOL || k == GO_INT || k == GO_UINT64 || k == GO_FLOAT64;
}

static bool sortkey_less(const struct sortkey *a, const struct sortkey *b)
{
	if (is_number_kind(a->kind) && is_number_kind(b->kind)) {
		if (a->f != b->f)
			return a->f < b->f;
		if (a->kind != b->kind)
			return a->kind < b->kind;
		return a->kind == GO_FLOAT64 ? false : a->i < b->i;
	}
	if (a->kind != GO_STRING || b->kind != GO_STRING)
		return a->kind < b->kind;
	return rg_yaml_keycmp(a->text->ptr, a->text->len, b->text->ptr,
			      b->text->len) < 0;
}

/* Stable merge sort (no qsort: it has no context argument in C11). */
static void sort_keys(struct sortkey *k, struct sortkey *tmp, size_t n)
{
	size_t mid = n / 2, i = 0, j = mid, o = 0;

	if (n < 2)
		return;
	sort_keys(k, tmp, mid);
	sort_keys(k + mid, tmp, n - mid);
	while (i < mid && j < n)
		tmp[o++] = sortkey_less(&k[j], &k[i]) ? k[j++] : k[i++];
	while (i < mid)
		tmp[o++] = k[i++];
	while (j < n)
		tmp[o++] = k[j++];
	memcpy(k, tmp, n * sizeof(*k));
}

/* The order to write a mapping's pairs in (heap array, caller frees). */
static size_t *sorted_order(const struct rg_node *n, unsigned flags)
{
	size_t len = n->u.map.len;
	size_t *order = rg_xmalloc(len * sizeof(*order));
	struct sortkey *k, *tmp;

	if (flags & RG_EMIT_KEEP_ORDER) {
		for (size_t i = 0; i < len; i++)
			order[i] = i;
		return order;
	}
	k = rg_xcalloc(len, sizeof(*k));
	tmp = rg_xcalloc(len, sizeof(*tmp));
	for (size_t i = 0; i < len; i++) {
		k[i].idx = i;
		classify(&k[i], &n->u.map.items[i], flags);
	}
	sort_keys(k, tmp, len);
	for (size_t i = 0; i < len; i++)
		order[i] = k[i].idx;
	free(k);
	free(tmp);
	return order;
}

static void key_scalar(struct scalar *s, const struct rg_pair *p,
		       unsigned flags, char **owned)
{
	if (p->val && (p->val->flags & RG_NODE_KEY_NONSTR) &&
	    !(flags & RG_EMIT_JSON) && valid_utf8(p->key.ptr, p->key.len)) {
		s->v = p->key.ptr;
		s->n = p->key.len;
		s->style =
		    memchr(p->key.ptr, '\n', p->key.len) ? LITERAL : PLAIN;
		s->binary = false;
		*owned = NULL;
		return;
	}
	string_scalar(s, p->key.ptr, p->key.len, owned);
}

/* check_simple_key for a scalar key: one line, at most 128 bytes. */
static bool is_simple_key(struct emitter *e, const struct scalar *s)
{
	size_t len = s->n + (s->binary ? strlen("!!binary") : 0);

	analyze_scalar(e, s->v, s->n);
	return !e->sd.multiline && len <= 128;
}

static void emit_map(struct emitter *e, const struct rg_node *n)
{
	size_t *order;

	if (!n->u.map.len) {
		emit_empty_flow(e, "{", "}");
		return;
	}
	order = sorted_order(n, e->flags);
	increase_indent(e, false, false);
	for (size_t k = 0; k < n->u.map.len && !e->ret; k++) {
		const struct rg_pair *p = &n->u.map.items[order[k]];
		struct scalar key;
		char *owned = NULL;

		key_scalar(&key, p, e->flags, &owned);
		write_indent(e);
		if (is_simple_key(e, &key)) {
			e->root_ctx = e->seq_ctx = false;
			e->map_ctx = e->simple_key_ctx = true;
			emit_scalar(e, &key);
			write_indicator(e, ":", false, false, false);
		} else {
			write_indicator(e, "?", true, false, true);
			e->root_ctx = e->seq_ctx = e->simple_key_ctx = false;
			e->map_ctx = true;
			emit_scalar(e, &key);
			write_indent(e);
			write_indicator(e, ":", true, false, true);
		}
		free(owned);
		emit_node(e, p->val, false, false, true, false);
	}
	pop_indent(e);
	free(order);
}

static void emit_node(struct emitter *e, const struct rg_node *n, bool root,
		      bool seq, bool map, bool simple_key_ctx)
{
	struct scalar s = {NULL, 0, PLAIN, false};
	char buf[64];
	char *owned = NULL;

	e->root_ctx = root;
	e->seq_ctx = seq;
	e->map_ctx = map;
	e->simple_key_ctx = simple_key_ctx;
	if (e->ret)
		return;
	if (++e->depth > RG_CAP_YAML_DEPTH + 1) {
		e->ret = RG_ELIMIT;
		goto out;
	}
	switch (n ? n->kind : RG_NULL) {
	case RG_SEQ:
		emit_seq(e, n);
		goto out;
	case RG_MAP:
		emit_map(e, n);
		goto out;
	case RG_NULL:
		s.v = "null";
		break;
	case RG_BOOL:
		s.v = n->u.b ? "true" : "false";
		break;
	case RG_INT:
		snprintf(buf, sizeof(buf), "%lld", (long long)n->u.i);
		s.v = buf;
		break;
	case RG_FLOAT:
		float_text(buf, sizeof(buf), n->u.f, e->flags);
		s.v = buf;
		break;
	case RG_STR:
		string_scalar(&s, n->u.s.ptr, n->u.s.len, &owned);
		break;
	default:
		RG_BUG("emitting a node of kind %d", n->kind);
	}
	if (!n || n->kind != RG_STR)
		s.n = strlen(s.v);
	emit_scalar(e, &s);
	free(owned);
out:
	e->depth--;
}

int rg_doc_emit(struct rg_buf *out, const struct rg_node *n, unsigned flags)
{
	struct emitter e;
	int ret;

	memset(&e, 0, sizeof(e));
	e.out = out;
	e.start = out->len;
	e.flags = flags;
	e.best_indent = 2;
	e.best_width = (flags & RG_EMIT_NO_WRAP) ? INT_MAX : 80;
	e.indent = -1;
	e.whitespace = true;
	e.indention = true;
	emit_node(&e, n, true, false, false, false);
	/* document end: an implicit end just finishes the line */
	write_indent(&e);
	flush(&e);
	ret = e.ret;
	free(e.indents);
	if (ret)
		rg_buf_truncate(out, e.start);
	return ret;
}
