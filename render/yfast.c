/*
 * yfast.c: the block-YAML subset scanner (see rendergate/yfast.h).
 *
 * The rules below follow libyaml's scanner and parser for that subset:
 * where they are subtle (where a plain scalar ends, which marks the end
 * events carry, how a literal block scalar is chomped) the comment says
 * what libyaml does. Whenever the input leaves the subset, the scan gives
 * up (returns 0) rather than guess: a missed fast path costs time, a
 * wrong one would change what the gate sees.
 */
#include "rendergate/compat.h"
#include "rendergate/yfast.h"

/* Where the cursor stands after skipping blank and comment lines. */
enum st { ST_CONTENT, ST_EOF, ST_DOCSEP };

struct sc {
	const char *s;
	size_t n;
	size_t pos;    /* cursor */
	size_t lstart; /* start of the cursor's line */
	uint32_t line; /* 0-based line of the cursor */
	size_t ind;    /* with ST_CONTENT: column of the content */
	enum st st;
	bool ascii;
	unsigned depth;
	struct rg_yfast *y;
};

/* Nesting deeper than this is left to libyaml (and the depth cap). */
#define MAX_DEPTH 64
/* libyaml allows simple keys of at most 1024 characters */
#define MAX_KEY 1000

static bool eol(const struct sc *c, size_t p)
{
	return p >= c->n || c->s[p] == '\n';
}

static bool blankz(const struct sc *c, size_t p)
{
	return p >= c->n || c->s[p] == ' ' || c->s[p] == '\n';
}

static uint32_t col_of(const struct sc *c, size_t p)
{
	uint32_t col = 0;

	if (c->ascii)
		return (uint32_t)(p - c->lstart);
	for (size_t i = c->lstart; i < p; i++)
		col += ((unsigned char)c->s[i] & 0xc0) != 0x80;
	return col;
}

static int event(struct sc *c, enum rg_yfast_type type, uint32_t line,
		 uint32_t col)
{
	struct rg_yfast *y = c->y;
	struct rg_yfast_event *e;

	RG_ALLOC_GROW(y->ev, y->nev + 1, y->aev);
	e = &y->ev[y->nev++];
	memset(e, 0, sizeof(*e));
	e->type = (unsigned char)type;
	e->line = line;
	e->col = col;
	return 1;
}

/* Start a scalar event whose value the caller appends to y->strs. */
static struct rg_yfast_event *scalar(struct sc *c, enum rg_yfast_style style,
				     uint32_t line, uint32_t col)
{
	struct rg_yfast_event *e;

	event(c, RG_YF_SCALAR, line, col);
	e = &c->y->ev[c->y->nev - 1];
	e->style = (unsigned char)style;
	e->off = c->y->strs.len;
	return e;
}

static int add(struct sc *c, const char *p, size_t len)
{
	return rg_buf_add(&c->y->strs, p, len) == 0;
}

/* Close the value begun by scalar(): length and NUL. */
static int end_scalar(struct sc *c, struct rg_yfast_event *e)
{
	e->len = c->y->strs.len - e->off;
	return rg_buf_addch(&c->y->strs, '\0') == 0;
}

/* The mark of the token the cursor stands on (what libyaml's block end,
 * indentless sequence end and empty scalars before it carry). */
static void next_mark(const struct sc *c, uint32_t *line, uint32_t *col)
{
	if (c->st == ST_CONTENT) {
		*line = c->line;
		*col = col_of(c, c->pos);
	} else if (c->st == ST_DOCSEP) {
		*line = c->line;
		*col = 0;
	} else {
		/* libyaml forces a new line at the end of the stream */
		*line = c->line + (c->pos > c->lstart);
		*col = 0;
	}
}

static void newline(struct sc *c, size_t p)
{
	/* p is at a '\n' */
	c->pos = p + 1;
	c->lstart = p + 1;
	c->line++;
}

/*
 * The first byte at or after p that is not a space, or c->n: eight at a
 * time, for the deep indentation of CRDs.
 */
static size_t skip_spaces(const struct sc *c, size_t p)
{
	const uint64_t spaces = 0x2020202020202020u;

	while (p <= c->n && c->n - p >= 8) {
		uint64_t w;

		memcpy(&w, c->s + p, 8);
		w ^= spaces; /* a space is now a zero byte */
		if (w)
			break; /* a non-space among these eight */
		p += 8;
	}
	while (p < c->n && c->s[p] == ' ')
		p++;
	return p;
}

/*
 * From the start of a line, skip blank and comment lines. Sets c->st and,
 * for content, c->ind; returns 0 for what the subset leaves out.
 */
static int skip_lines(struct sc *c)
{
	for (;;) {
		size_t p = skip_spaces(c, c->pos);

		if (p >= c->n) {
			c->pos = p;
			c->st = ST_EOF;
			return 1;
		}
		if (c->s[p] == '\n') {
			newline(c, p);
			continue;
		}
		if (c->s[p] == '#') {
			while (!eol(c, p))
				p++;
			if (p >= c->n) {
				c->pos = p;
				c->st = ST_EOF;
				return 1;
			}
			newline(c, p);
			continue;
		}
		c->pos = p;
		c->ind = p - c->lstart;
		c->st = ST_CONTENT;
		if (c->ind == 0 && c->n - p >= 3) {
			if (!memcmp(c->s + p, "---", 3) && blankz(c, p + 3)) {
				c->st = ST_DOCSEP;
				return 1;
			}
			if (!memcmp(c->s + p, "...", 3) && blankz(c, p + 3))
				return 0;
		}
		if (c->ind == 0 && c->s[p] == '%')
			return 0;
		return 1;
	}
}

/*
 * After a token: the rest of the line may hold spaces and a comment that
 * follows a space. Then move to the next content.
 */
static int finish_line(struct sc *c)
{
	size_t p = c->pos;

	while (p < c->n && c->s[p] == ' ')
		p++;
	if (!eol(c, p)) {
		if (c->s[p] != '#' || p == c->pos)
			return 0;
		while (!eol(c, p))
			p++;
	}
	if (p >= c->n) {
		c->pos = p;
		c->st = ST_EOF;
		return 1;
	}
	newline(c, p);
	return skip_lines(c);
}

static bool seq_entry(const struct sc *c, size_t p)
{
	return c->s[p] == '-' && blankz(c, p + 1);
}

/* Characters that may not start a plain scalar (we also refuse -?: ). */
static bool indicator(char ch)
{
	return strchr("-?:,[]{}#&*!|>'\"%@`", ch) != NULL;
}

/* End of a single-line quoted scalar starting at p (on the quote), just
 * past the closing quote; 0 if it does not close on this line. */
static size_t quoted_end(const struct sc *c, size_t p)
{
	char q = c->s[p];

	for (p++; !eol(c, p); p++) {
		if (q == '\'' && c->s[p] == '\'') {
			if (p + 1 < c->n && c->s[p + 1] == '\'') {
				p++;
				continue;
			}
			return p + 1;
		}
		if (q == '"' && c->s[p] == '\\') {
			if (eol(c, p + 1))
				return 0;
			p++;
			continue;
		}
		if (q == '"' && c->s[p] == '"')
			return p + 1;
	}
	return 0;
}

/*
 * Does a simple key start at p? Sets *colon to its ':' (followed by a
 * space or the end of the line).
 */
static bool key_at(const struct sc *c, size_t p, size_t *colon)
{
	size_t q;

	if (c->s[p] == '\'' || c->s[p] == '"') {
		q = quoted_end(c, p);
		if (!q)
			return false;
		while (q < c->n && c->s[q] == ' ')
			q++;
		if (q < c->n && c->s[q] == ':' && blankz(c, q + 1)) {
			*colon = q;
			return true;
		}
		return false;
	}
	if (indicator(c->s[p]))
		return false;
	for (q = p; !eol(c, q); q++) {
		if (c->s[q] == ':' && blankz(c, q + 1)) {
			*colon = q;
			return true;
		}
		if (c->s[q] == ' ' && q + 1 < c->n && c->s[q + 1] == '#')
			return false;
	}
	return false;
}

/*
 * Past the line break at p: skip blank lines, counting them in *breaks;
 * return where the next line's text starts (after its indentation).
 */
static size_t next_text(struct sc *c, size_t p, size_t *breaks)
{
	size_t q;

	newline(c, p);
	for (;;) {
		q = skip_spaces(c, c->pos);
		if (q < c->n && c->s[q] == '\n') {
			++*breaks;
			newline(c, q);
			continue;
		}
		return q;
	}
}

/* Line folding: a break becomes a space, or blank lines newlines. */
static int fold(struct sc *c, size_t breaks, bool space)
{
	if (!breaks)
		return !space || add(c, " ", 1);
	while (breaks--)
		if (!add(c, "\n", 1))
			return 0;
	return 1;
}

/* Append the escape at p (just past the backslash); 0 if unknown. */
static int escape(struct sc *c, size_t p)
{
	/* Go's %q writes these; the rest fall back to libyaml */
	static const char from[] = "\\\"ntr ";
	static const char to[] = "\\\"\n\t\r ";
	const char *at = p < c->n && c->s[p] ? strchr(from, c->s[p]) : NULL;

	return at && add(c, to + (at - from), 1);
}

/* The value of a quoted scalar from p to end (just past the quote). */
static int quoted_value(struct sc *c, size_t p, size_t end)
{
	char q = c->s[p];

	for (p++; p < end - 1; p++) {
		char ch = c->s[p];

		if (q == '\'' && ch == '\'') {
			p++; /* '' */
		} else if (q == '"' && ch == '\\') {
			if (!escape(c, ++p))
				return 0;
			continue;
		}
		if (!add(c, &ch, 1))
			return 0;
	}
	return 1;
}

/*
 * A quoted scalar at the cursor in a block indented pi, perhaps over
 * several lines. libyaml keeps blanks inside a line, drops them around
 * line breaks, and folds a break into a space, or into one newline per
 * blank line that follows it.
 */
static int quoted(struct sc *c, long pi)
{
	size_t p = c->pos, ei;
	char q = c->s[p];

	scalar(c, q == '\'' ? RG_YF_SINGLE : RG_YF_DOUBLE, c->line,
	       col_of(c, p));
	ei = c->y->nev - 1;
	for (p++;;) {
		size_t breaks = 0, r;
		bool escaped = false;

		while (!eol(c, p)) {
			char ch = c->s[p];

			if (ch == q && q == '\'' && p + 1 < c->n &&
			    c->s[p + 1] == '\'') {
				if (!add(c, "'", 1))
					return 0;
				p += 2;
			} else if (ch == q) {
				c->pos = p + 1;
				if (!end_scalar(c, &c->y->ev[ei]))
					return 0;
				return finish_line(c);
			} else if (ch == '\\' && q == '"' && p + 1 < c->n &&
				   c->s[p + 1] == '\n') {
				/* an escaped line break: joins without a space */
				escaped = true;
				p++;
				break;
			} else if (ch == '\\' && q == '"') {
				if (!escape(c, p + 1))
					return 0;
				p += 2;
			} else if (ch == ' ') {
				size_t w = p;

				while (p < c->n && c->s[p] == ' ')
					p++;
				if (!eol(c, p) && !add(c, c->s + w, p - w))
					return 0;
			} else {
				if (!add(c, &ch, 1))
					return 0;
				p++;
			}
		}
		if (p >= c->n)
			return 0; /* never closed */
		r = next_text(c, p, &breaks);
		if (r >= c->n || (long)(r - c->lstart) <= pi)
			return 0;
		if (!fold(c, breaks, !escaped))
			return 0;
		p = r;
	}
}

/*
 * A flow collection on one line, of scalars: [a, "b"], {k: v}, [] or {}.
 * Plain scalars end at , ] } and ": "; nesting, empty entries, a
 * trailing comma and anything over two lines fall back.
 */
static int flow_scalar(struct sc *c, size_t *pp)
{
	size_t p = *pp, end;

	if (c->s[p] == '\'' || c->s[p] == '"') {
		end = quoted_end(c, p);
		if (!end)
			return 0;
		scalar(c, c->s[p] == '\'' ? RG_YF_SINGLE : RG_YF_DOUBLE,
		       c->line, col_of(c, p));
		if (!quoted_value(c, p, end))
			return 0;
		*pp = end;
		return end_scalar(c, &c->y->ev[c->y->nev - 1]);
	}
	if (indicator(c->s[p]) && !(c->s[p] == '-' && !blankz(c, p + 1)))
		return 0;
	scalar(c, RG_YF_PLAIN, c->line, col_of(c, p));
	for (end = p; !eol(c, end); end++) {
		char ch = c->s[end];

		if (ch == ',' || ch == ']' || ch == '}')
			break;
		if (ch == ':' && (blankz(c, end + 1) ||
				  strchr(",[]{}", c->s[end + 1])))
			break;
		if (ch == '[' || ch == '{' || ch == '#')
			return 0;
	}
	if (eol(c, end))
		return 0;
	*pp = end;
	while (end > p && c->s[end - 1] == ' ')
		end--;
	if (!add(c, c->s + p, end - p))
		return 0;
	return end_scalar(c, &c->y->ev[c->y->nev - 1]);
}

static int flow(struct sc *c)
{
	size_t p = c->pos;
	bool map = c->s[p] == '{';
	char close = map ? '}' : ']';

	event(c, map ? RG_YF_MAP_START : RG_YF_SEQ_START, c->line,
	      col_of(c, p));
	c->y->ev[c->y->nev - 1].style = 1;
	for (p++; p < c->n && c->s[p] == ' '; p++)
		;
	if (!eol(c, p) && c->s[p] != close) {
		for (;;) {
			if (!flow_scalar(c, &p))
				return 0;
			while (p < c->n && c->s[p] == ' ')
				p++;
			if (map) {
				if (eol(c, p) || c->s[p] != ':' ||
				    !blankz(c, p + 1))
					return 0;
				for (p++; p < c->n && c->s[p] == ' '; p++)
					;
				if (eol(c, p) || !flow_scalar(c, &p))
					return 0;
				while (p < c->n && c->s[p] == ' ')
					p++;
			}
			if (eol(c, p))
				return 0;
			if (c->s[p] == close)
				break;
			if (c->s[p] != ',')
				return 0;
			for (p++; p < c->n && c->s[p] == ' '; p++)
				;
			if (eol(c, p) || c->s[p] == close || c->s[p] == ',')
				return 0;
		}
	}
	if (eol(c, p))
		return 0;
	event(c, map ? RG_YF_MAP_END : RG_YF_SEQ_END, c->line, col_of(c, p));
	c->pos = p + 1;
	return finish_line(c);
}

/*
 * A plain scalar at the cursor, in a block whose indentation is pi (-1
 * at the root). libyaml ends it at ": " or ":" at the end of a line (an
 * error in a value: we give up), at " #", at a document marker, or at a
 * line indented no deeper than pi; further lines fold into one space, or
 * into one newline per blank line between them.
 */
static int plain(struct sc *c, long pi)
{
	size_t p = c->pos, start = p, end = p;
	size_t ei;

	if (indicator(c->s[p]) && !(c->s[p] == '-' && !blankz(c, p + 1)))
		return 0;
	scalar(c, RG_YF_PLAIN, c->line, col_of(c, p));
	ei = c->y->nev - 1;
	for (;;) {
		bool comment = false;

		for (; !eol(c, p); p++) {
			char ch = c->s[p];

			if (ch == ':' && blankz(c, p + 1))
				return 0;
			if (ch == ' ' && p + 1 < c->n && c->s[p + 1] == '#') {
				comment = true;
				break;
			}
			if (ch != ' ')
				end = p + 1;
		}
		if (!add(c, c->s + start, end - start))
			return 0;
		if (comment) {
			c->pos = p;
			if (!end_scalar(c, &c->y->ev[ei]))
				return 0;
			return finish_line(c);
		}
		/* p at the end of the line: look for a continuation */
		{
			size_t breaks = 0, q;

			if (p >= c->n) {
				c->pos = p;
				c->st = ST_EOF;
				break;
			}
			q = next_text(c, p, &breaks);
			if (q >= c->n || (long)(q - c->lstart) <= pi ||
			    c->s[q] == '#') {
				/* not a continuation: blank lines are skipped */
				if (!skip_lines(c))
					return 0;
				break;
			}
			/*
			 * In a continuation only '#', ": " and document
			 * markers are special; "- x" or "*" are text.
			 */
			if (q == c->lstart && c->n - q >= 3 &&
			    (!memcmp(c->s + q, "---", 3) ||
			     !memcmp(c->s + q, "...", 3)))
				return 0;
			if (!fold(c, breaks, true))
				return 0;
			p = start = end = q;
		}
	}
	return end_scalar(c, &c->y->ev[ei]);
}

/*
 * A literal (| |- |+) or folded (> >- >+) block scalar at the cursor in
 * a block indented pi. The content's indentation is that of its first
 * non-empty line; lines keep everything after it; clip keeps one final
 * newline, strip none, keep all of them. Folding is libyaml's: the break
 * between two lines that do not start with a blank becomes a space when
 * no empty line follows it and disappears when some do; the breaks
 * around a line that starts with a blank (more indented) stay.
 */
static int literal(struct sc *c, long pi)
{
	size_t p = c->pos + 1, indent = 0, ei, trail = 0, lead = 0;
	char chomp = 0;
	bool have = false, folded = c->s[c->pos] == '>', lead_blank = false;
	bool later = false; /* a content line was copied */

	scalar(c, folded ? RG_YF_FOLDED : RG_YF_LITERAL, c->line,
	       col_of(c, c->pos));
	ei = c->y->nev - 1;
	if (p < c->n && (c->s[p] == '-' || c->s[p] == '+'))
		chomp = c->s[p++];
	while (p < c->n && c->s[p] == ' ')
		p++;
	if (!eol(c, p)) {
		if (c->s[p] != '#' || c->s[p - 1] != ' ')
			return 0;
		while (!eol(c, p))
			p++;
	}
	if (p >= c->n)
		return 0;
	newline(c, p);
	for (;;) {
		size_t q = c->pos, sp;

		while (q < c->n && c->s[q] == ' ')
			q++;
		sp = q - c->lstart;
		if (eol(c, q) && (!have || sp <= indent)) {
			/*
			 * An empty line: a break. libyaml eats spaces up to
			 * the indentation; before it is known, all of them,
			 * and the deepest such line sets the least
			 * indentation.
			 */
			if (q >= c->n) {
				if (q > c->lstart)
					return 0;
				c->pos = q;
				break;
			}
			if (!have && sp > lead)
				lead = sp;
			trail++;
			newline(c, q);
			continue;
		}
		if (!have) {
			if ((long)sp <= pi || sp < lead)
				return 0; /* empty, or an error */
			indent = sp;
			have = true;
		} else if (sp < indent) {
			break;
		}
		/* a line of spaces past the indentation keeps the rest */
		if (eol(c, q) && q >= c->n)
			return 0;
		q = c->lstart + indent;
		if (folded) {
			/*
			 * trail is this line's leading break (after the
			 * first line) plus the empty lines before it
			 */
			bool blank = c->s[q] == ' ' || c->s[q] == '\t';

			if (later && !lead_blank && !blank) {
				if (trail == 1 && !add(c, " ", 1))
					return 0;
				trail--;
			}
			lead_blank = blank;
		}
		/* breaks seen so far belong inside the value */
		while (trail) {
			if (!add(c, "\n", 1))
				return 0;
			trail--;
		}
		p = q;
		while (!eol(c, p))
			p++;
		if (!add(c, c->s + q, p - q))
			return 0;
		later = true;
		if (p >= c->n) {
			c->pos = p;
			break;
		}
		trail = 1;
		newline(c, p);
	}
	if (!have)
		return 0;
	if (chomp == '+') {
		while (trail--)
			if (!add(c, "\n", 1))
				return 0;
	} else if (!chomp && trail) {
		if (!add(c, "\n", 1))
			return 0;
	}
	if (!end_scalar(c, &c->y->ev[ei]))
		return 0;
	if (c->pos >= c->n) {
		c->st = ST_EOF;
		return 1;
	}
	c->pos = c->lstart;
	return skip_lines(c);
}

static int block_mapping(struct sc *c, size_t col);
static int block_sequence(struct sc *c, size_t col, bool indentless);

/* A scalar value written on the line of its key or dash. */
static int inline_scalar(struct sc *c, long pi)
{
	char ch = c->s[c->pos];

	if (ch == '|' || ch == '>')
		return literal(c, pi);
	if (ch == '\'' || ch == '"')
		return quoted(c, pi);
	if (ch == '[' || ch == '{')
		return flow(c);
	return plain(c, pi);
}

/* A node that starts at the cursor (ST_CONTENT, deeper than pi). */
static int node(struct sc *c, long pi)
{
	size_t colon;

	if (c->depth >= MAX_DEPTH)
		return 0;
	if (seq_entry(c, c->pos))
		return block_sequence(c, c->ind, false);
	if (key_at(c, c->pos, &colon))
		return block_mapping(c, c->ind);
	if (pi < 0)
		return 0; /* a scalar document */
	return inline_scalar(c, pi);
}

/* The value after "key:" or "-" (the cursor just past it), in a block
 * indented col; empty at mark (line, ecol). */
static int value(struct sc *c, size_t col, bool in_map)
{
	uint32_t line = c->line, ecol = col_of(c, c->pos);
	size_t p = c->pos;
	size_t colon;

	while (p < c->n && c->s[p] == ' ')
		p++;
	if (eol(c, p) || c->s[p] == '#') {
		int ret;

		if (!eol(c, p) && p == c->pos)
			return 0;
		if (!finish_line(c))
			return 0;
		if (c->st == ST_CONTENT && c->ind > col) {
			c->depth++;
			ret = node(c, (long)col);
			c->depth--;
			return ret;
		}
		if (in_map && c->st == ST_CONTENT && c->ind == col &&
		    seq_entry(c, c->pos)) {
			c->depth++;
			ret = block_sequence(c, col, true);
			c->depth--;
			return ret;
		}
		scalar(c, RG_YF_PLAIN, line, ecol);
		return end_scalar(c, &c->y->ev[c->y->nev - 1]);
	}
	if (p == c->pos)
		return 0; /* "-x" or ":x" cannot get here, but be sure */
	c->pos = p;
	if (seq_entry(c, p))
		return 0; /* a compact sequence */
	if (!in_map && key_at(c, p, &colon)) {
		int ret;

		/*
		 * "- key: value": a mapping indented at the key (only spaces
		 * and the dash before it, so bytes count characters)
		 */
		c->depth++;
		ret = block_mapping(c, p - c->lstart);
		c->depth--;
		return ret;
	}
	return inline_scalar(c, (long)col);
}

static int key(struct sc *c, size_t colon)
{
	size_t p = c->pos, end = colon;

	if (colon - p > MAX_KEY)
		return 0;
	if (c->s[p] == '\'' || c->s[p] == '"') {
		size_t qe = quoted_end(c, p);

		scalar(c, c->s[p] == '\'' ? RG_YF_SINGLE : RG_YF_DOUBLE,
		       c->line, col_of(c, p));
		if (!quoted_value(c, p, qe))
			return 0;
	} else {
		while (end > p && c->s[end - 1] == ' ')
			end--;
		if (end == p)
			return 0;
		scalar(c, RG_YF_PLAIN, c->line, col_of(c, p));
		if (!add(c, c->s + p, end - p))
			return 0;
	}
	if (!end_scalar(c, &c->y->ev[c->y->nev - 1]))
		return 0;
	c->pos = colon + 1;
	return 1;
}

/* The cursor is on the first key, at column col (bytes = characters). */
static int block_mapping(struct sc *c, size_t col)
{
	uint32_t line, mcol;

	event(c, RG_YF_MAP_START, c->line, col_of(c, c->pos));
	for (;;) {
		size_t colon;

		if (!key_at(c, c->pos, &colon) || !key(c, colon))
			return 0;
		if (!value(c, col, true))
			return 0;
		if (c->st != ST_CONTENT || c->ind < col)
			break;
		if (c->ind > col)
			return 0;
	}
	next_mark(c, &line, &mcol);
	return event(c, RG_YF_MAP_END, line, mcol);
}

static int block_sequence(struct sc *c, size_t col, bool indentless)
{
	uint32_t line, mcol;

	event(c, RG_YF_SEQ_START, c->line, col_of(c, c->pos));
	for (;;) {
		c->pos++; /* the dash */
		if (!value(c, col, false))
			return 0;
		if (c->st != ST_CONTENT || c->ind < col)
			break;
		if (c->ind > col)
			return 0;
		if (!seq_entry(c, c->pos)) {
			if (indentless)
				break;
			return 0;
		}
	}
	next_mark(c, &line, &mcol);
	return event(c, RG_YF_SEQ_END, line, mcol);
}

/*
 * Bytes the subset leaves out: invalid UTF-8, tabs, CR, C0 and C1
 * controls, DEL, and the characters libyaml treats specially (NEL, LS,
 * PS, BOM U+FEFF, U+FFFE, U+FFFF).
 */
/* Are u[0, 8) all printable ASCII (0x20 to 0x7e) or newlines? */
static bool printable8(const unsigned char *u)
{
	const uint64_t ones = 0x0101010101010101u, high = ones * 0x80;
	const uint64_t low7 = ones * 0x7f;
	uint64_t w, z, nl;

	memcpy(&w, u, 8);
	if (w & high)
		return false;
	/* 0x80 in each newline byte, exactly (no borrows between bytes) */
	z = w ^ (ones * '\n');
	nl = ~(((z & low7) + low7) | z) & high;
	w |= nl >> 2; /* a newline (0x0a) becomes '*' (0x2a) */
	/* bytes under 0x80: + 0x60 reaches bit 7 iff >= 0x20, + 1 iff 0x7f */
	return ((w + ones * 0x60) & high) == high && !((w + ones) & high);
}

static bool plain_bytes(const char *s, size_t n, bool *ascii)
{
	const unsigned char *u = (const unsigned char *)s;

	*ascii = true;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch;
		uint32_t cp;
		size_t need;

		while (n - i >= 8 && printable8(u + i))
			i += 8;
		if (i == n)
			break;
		ch = u[i];
		if (ch >= 0x20 && ch < 0x7f)
			continue;
		if (ch == '\n')
			continue;
		if (ch < 0x80)
			return false;
		*ascii = false;
		if (ch >= 0xc2 && ch <= 0xdf)
			need = 1, cp = ch & 0x1f;
		else if (ch >= 0xe0 && ch <= 0xef)
			need = 2, cp = ch & 0x0f;
		else if (ch >= 0xf0 && ch <= 0xf4)
			need = 3, cp = ch & 0x07;
		else
			return false;
		if (n - i - 1 < need)
			return false;
		for (size_t k = 1; k <= need; k++) {
			if ((u[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (u[i + k] & 0x3f);
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
		    cp < 0xa0 || cp == 0x2028 || cp == 0x2029 ||
		    cp == 0xfeff || cp == 0xfffe || cp == 0xffff)
			return false;
		i += need;
	}
	return true;
}

int rg_yfast_scan(struct rg_yfast *y, const char *data, size_t len)
{
	struct sc c;

	memset(&c, 0, sizeof(c));
	c.s = data;
	c.n = len;
	c.y = y;
	if (!plain_bytes(data, len, &c.ascii))
		return 0;
	if (len && data[len - 1] != '\n') {
		/*
		 * A last line without a newline that holds only blanks or a
		 * comment: libyaml ends the blocks indented deeper than its
		 * end at that column, the rest on the next line. Left to it.
		 */
		size_t p = len;

		while (p && data[p - 1] != '\n')
			p--;
		while (p < len && data[p] == ' ')
			p++;
		if (p == len || data[p] == '#')
			return 0;
	}
	if (!skip_lines(&c))
		return 0;
	while (c.st != ST_EOF) {
		if (c.st == ST_DOCSEP) {
			event(&c, RG_YF_DOC_START, c.line, 0);
			c.pos += 3;
			if (!finish_line(&c))
				return 0;
			if (c.st != ST_CONTENT) {
				uint32_t line, col;

				next_mark(&c, &line, &col);
				scalar(&c, RG_YF_PLAIN, line, col);
				if (!end_scalar(&c, &y->ev[y->nev - 1]))
					return 0;
				event(&c, RG_YF_DOC_END, line, col);
				continue;
			}
		} else {
			event(&c, RG_YF_DOC_START, c.line, col_of(&c, c.pos));
		}
		if (!node(&c, -1))
			return 0;
		if (c.st == ST_CONTENT)
			return 0; /* less indented than an indented root */
		event(&c, RG_YF_DOC_END, c.line, 0);
	}
	return 1;
}

void rg_yfast_release(struct rg_yfast *y)
{
	free(y->ev);
	y->ev = NULL;
	y->nev = y->aev = 0;
	rg_buf_release(&y->strs);
}
