/*
 * gofmt.c - Go's fmt printing (print.go, format.go) and strconv float and
 * quote formatting, for template values. The structure follows fmt's:
 * a printer state with flags, width and precision; printArg for the
 * top-level operand, printValue for elements of lists and maps.
 */
#include "rendergate/compat.h"
#include "rendergate/buf.h"
#include "rendergate/gofmt.h"
#include "rendergate/tmpl.h"
#include "rendergate/tmpl_int.h"

#include <math.h>

struct pp {
	struct rg_buf *b;
	const struct rg_tmpl_set *set;
	int err;
	/* fmt flags */
	bool plus, minus, sharp, space, zero, plus_v, sharp_v;
	bool wid_present, prec_present;
	int wid, prec;
	/* the operand being printed, for %!verb(type=value) */
	const struct rg_node *arg;
	bool arg_set;
};

static void put(struct pp *p, const char *s, size_t n)
{
	if (!p->err)
		p->err = rg_buf_add(p->b, s, n);
}

static void puts_(struct pp *p, const char *s)
{
	put(p, s, strlen(s));
}

static void putc_(struct pp *p, char c)
{
	put(p, &c, 1);
}

static void clear_flags(struct pp *p)
{
	p->plus = p->minus = p->sharp = p->space = p->zero = false;
	p->plus_v = p->sharp_v = false;
	p->wid_present = p->prec_present = false;
	p->wid = p->prec = 0;
}

static size_t rune_count(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

static void write_padding(struct pp *p, int n)
{
	char c = p->zero ? '0' : ' ';

	for (int i = 0; i < n && !p->err; i++)
		putc_(p, c);
}

static void pad(struct pp *p, const char *s, size_t n)
{
	int w;

	if (!p->wid_present || p->wid == 0) {
		put(p, s, n);
		return;
	}
	w = p->wid - (int)rune_count(s, n);
	if (!p->minus) {
		write_padding(p, w);
		put(p, s, n);
	} else {
		put(p, s, n);
		write_padding(p, w);
	}
}

/* --- strconv --------------------------------------------------------- */

/* decode one UTF-8 rune; returns its width, *r = 0xFFFD if invalid (w 1) */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *r)
{
	uint32_t c;
	size_t w;

	if (n == 0) {
		*r = 0xFFFD;
		return 0;
	}
	c = s[0];
	if (c < 0x80) {
		*r = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF)
		w = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		w = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		w = 4;
	else
		goto bad;
	if (n < w)
		goto bad;
	c &= w == 2 ? 0x1F : w == 3 ? 0x0F : 0x07;
	for (size_t i = 1; i < w; i++) {
		if ((s[i] & 0xC0) != 0x80)
			goto bad;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((w == 3 && c < 0x800) || (w == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		goto bad;
	*r = c;
	return w;
bad:
	*r = 0xFFFD;
	return 1;
}

static size_t utf8_encode(char *out, uint32_t r)
{
	if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
		r = 0xFFFD;
	if (r < 0x80) {
		out[0] = (char)r;
		return 1;
	}
	if (r < 0x800) {
		out[0] = (char)(0xC0 | (r >> 6));
		out[1] = (char)(0x80 | (r & 0x3F));
		return 2;
	}
	if (r < 0x10000) {
		out[0] = (char)(0xE0 | (r >> 12));
		out[1] = (char)(0x80 | ((r >> 6) & 0x3F));
		out[2] = (char)(0x80 | (r & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (r >> 18));
	out[1] = (char)(0x80 | ((r >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((r >> 6) & 0x3F));
	out[3] = (char)(0x80 | (r & 0x3F));
	return 4;
}

/*
 * unicode.IsPrint, approximated: ASCII exactly; above ASCII everything is
 * printable except C1 controls, U+00AD, the line/paragraph separators,
 * format characters commonly met (U+200B-U+200F, U+2060-U+2064, U+FEFF),
 * surrogates/private use and noncharacters. NEEDSWORK: full tables.
 */
static bool is_print(uint32_t r)
{
	if (r < 0x80)
		return r >= 0x20 && r < 0x7F;
	if (r < 0xA0 || r == 0xAD)
		return false;
	if ((r >= 0x200B && r <= 0x200F) || (r >= 0x2028 && r <= 0x202E) ||
	    (r >= 0x2060 && r <= 0x206F) || r == 0xFEFF)
		return false;
	if (r >= 0xE000 && r <= 0xF8FF)
		return false;
	if ((r & 0xFFFE) == 0xFFFE || (r >= 0xFFF9 && r <= 0xFFFB))
		return false;
	if (r >= 0xF0000)
		return false;
	return true;
}

static void quote_rune_into(struct rg_buf *b, uint32_t r, char q, bool ascii,
			    int *err)
{
	char tmp[16];
	int n = 0;

	if (r == (uint32_t)q || r == '\\') {
		tmp[0] = '\\';
		tmp[1] = (char)r;
		n = 2;
	} else if (ascii ? (r < 0x80 && is_print(r)) : is_print(r)) {
		n = (int)utf8_encode(tmp, r);
	} else {
		switch (r) {
		case '\a': n = snprintf(tmp, sizeof(tmp), "\\a"); break;
		case '\b': n = snprintf(tmp, sizeof(tmp), "\\b"); break;
		case '\f': n = snprintf(tmp, sizeof(tmp), "\\f"); break;
		case '\n': n = snprintf(tmp, sizeof(tmp), "\\n"); break;
		case '\r': n = snprintf(tmp, sizeof(tmp), "\\r"); break;
		case '\t': n = snprintf(tmp, sizeof(tmp), "\\t"); break;
		case '\v': n = snprintf(tmp, sizeof(tmp), "\\v"); break;
		default:
			if (r < ' ' || r == 0x7F)
				n = snprintf(tmp, sizeof(tmp), "\\x%02x", r);
			else if (r < 0x10000)
				n = snprintf(tmp, sizeof(tmp), "\\u%04x", r);
			else
				n = snprintf(tmp, sizeof(tmp), "\\U%08x", r);
		}
	}
	if (!*err)
		*err = rg_buf_add(b, tmp, (size_t)n);
}

static int quote_with(struct rg_buf *b, const char *s, size_t len, char q,
		      bool ascii)
{
	int err = rg_buf_addch(b, q);

	for (size_t i = 0; i < len && !err;) {
		uint32_t r;
		size_t w = utf8_decode((const unsigned char *)s + i, len - i, &r);

		if (w == 1 && r == 0xFFFD) {
			char tmp[8];
			int n = snprintf(tmp, sizeof(tmp), "\\x%02x",
					 (unsigned char)s[i]);

			err = rg_buf_add(b, tmp, (size_t)n);
			i++;
			continue;
		}
		quote_rune_into(b, r, q, ascii, &err);
		i += w;
	}
	if (!err)
		err = rg_buf_addch(b, q);
	return err;
}

int rg_gofmt_quote(struct rg_buf *out, const char *s, size_t len)
{
	return quote_with(out, s, len, '"', false);
}

/* Decimal digits of |f| (no trailing zeros) and the decimal point dp. */
struct digs {
	char d[800];
	int nd, dp;
};

static void digits_shortest(struct digs *g, double f)
{
	char tmp[64];

	g->nd = 0;
	g->dp = 0;
	if (f == 0)
		return;
	for (int p = 1; p <= 17; p++) {
		snprintf(tmp, sizeof(tmp), "%.*e", p - 1, f);
		if (strtod(tmp, NULL) == f)
			break;
	}
	/* tmp: d[.ddd]e[+-]xx */
	{
		char *e = strchr(tmp, 'e');
		int exp = (int)strtol(e + 1, NULL, 10);

		for (char *c = tmp; c < e; c++)
			if (*c >= '0' && *c <= '9')
				g->d[g->nd++] = *c;
		while (g->nd > 0 && g->d[g->nd - 1] == '0')
			g->nd--;
		g->dp = exp + 1;
	}
}

/* n significant digits, rounded (Go's fixed formatting), zeros trimmed */
static void digits_prec(struct digs *g, double f, int n)
{
	char tmp[900];
	char *e;
	int exp;

	g->nd = 0;
	g->dp = 0;
	if (f == 0)
		return;
	if (n > 700)
		n = 700;
	snprintf(tmp, sizeof(tmp), "%.*e", n - 1, f);
	e = strchr(tmp, 'e');
	exp = (int)strtol(e + 1, NULL, 10);
	for (char *c = tmp; c < e; c++)
		if (*c >= '0' && *c <= '9')
			g->d[g->nd++] = *c;
	while (g->nd > 0 && g->d[g->nd - 1] == '0')
		g->nd--;
	g->dp = exp + 1;
}

static int fmt_e(struct rg_buf *b, bool neg, const struct digs *g, int prec,
		 char fmtc)
{
	int err = 0, exp;
	char tmp[16];
	int n;

	if (neg)
		err = rg_buf_addch(b, '-');
	if (!err)
		err = rg_buf_addch(b, g->nd ? g->d[0] : '0');
	if (prec > 0) {
		if (!err)
			err = rg_buf_addch(b, '.');
		for (int i = 1; i <= prec && !err; i++)
			err = rg_buf_addch(b, i < g->nd ? g->d[i] : '0');
	}
	exp = g->nd ? g->dp - 1 : 0;
	n = snprintf(tmp, sizeof(tmp), "%c%c%02d", fmtc, exp < 0 ? '-' : '+',
		     exp < 0 ? -exp : exp);
	if (!err)
		err = rg_buf_add(b, tmp, (size_t)n);
	return err;
}

static int fmt_f(struct rg_buf *b, bool neg, const struct digs *g, int prec)
{
	int err = 0;

	if (neg)
		err = rg_buf_addch(b, '-');
	if (g->dp > 0) {
		for (int i = 0; i < g->dp && !err; i++)
			err = rg_buf_addch(b, i < g->nd ? g->d[i] : '0');
	} else if (!err) {
		err = rg_buf_addch(b, '0');
	}
	if (prec > 0) {
		if (!err)
			err = rg_buf_addch(b, '.');
		for (int i = 0; i < prec && !err; i++) {
			int j = g->dp + i;

			err = rg_buf_addch(b, j < 0 || j >= g->nd ? '0' : g->d[j]);
		}
	}
	return err;
}

/* strconv 'x': C's %a with Go's two-digit exponent */
static int fmt_hex(struct rg_buf *out, double f, char fmtc, int prec)
{
	char tmp[128], res[140];
	char *p;
	size_t j = 0;

	if (prec >= 0)
		snprintf(tmp, sizeof(tmp), fmtc == 'X' ? "%.*A" : "%.*a",
			 prec > 60 ? 60 : prec, f);
	else
		snprintf(tmp, sizeof(tmp), fmtc == 'X' ? "%A" : "%a", f);
	p = strchr(tmp, fmtc == 'X' ? 'P' : 'p');
	if (!p)
		return rg_buf_adds(out, tmp);
	memcpy(res, tmp, (size_t)(p - tmp) + 2);
	j = (size_t)(p - tmp) + 2;
	if (strlen(p + 2) < 2)
		res[j++] = '0';
	snprintf(res + j, sizeof(res) - j, "%s", p + 2);
	return rg_buf_adds(out, res);
}

/* strconv 'b': decimal mantissa, binary exponent */
static int fmt_bin(struct rg_buf *out, double f)
{
	int e = 0;
	double m = frexp(fabs(f), &e);
	uint64_t mant = (uint64_t)ldexp(m, 53);
	int exp = e - 53;

	if (f == 0) {
		mant = 0;
		exp = -1074;
	} else if (exp < -1074) {
		mant >>= (unsigned)(-1074 - exp);
		exp = -1074;
	}
	return rg_buf_addf(out, "%s%llup%+d", signbit(f) ? "-" : "",
			   (unsigned long long)mant, exp);
}

int rg_gofmt_float(struct rg_buf *out, double f, char fmtc, int prec)
{
	struct digs *g;
	bool neg = signbit(f) != 0;
	bool shortest = prec < 0;
	int err;

	if (isnan(f))
		return rg_buf_adds(out, "NaN");
	if (isinf(f))
		return rg_buf_adds(out, neg ? "-Inf" : "+Inf");
	if (fmtc == 'x' || fmtc == 'X')
		return fmt_hex(out, f, fmtc, prec);
	if (fmtc == 'b')
		return fmt_bin(out, f);
	if (fmtc == 'f' || fmtc == 'F') {
		if (!shortest) {
			char *tmp;
			int n;

			if (prec > 1000)
				prec = 1000;
			tmp = rg_xmalloc(1400);
			n = snprintf(tmp, 1400, "%.*f", prec, f);
			err = rg_buf_add(out, tmp, (size_t)n);
			free(tmp);
			return err;
		}
	}
	g = rg_xmalloc(sizeof(*g));
	if (shortest) {
		digits_shortest(g, fabs(f));
	} else if (fmtc == 'e' || fmtc == 'E') {
		digits_prec(g, fabs(f), prec + 1);
	} else {
		digits_prec(g, fabs(f), prec == 0 ? 1 : prec);
		if (prec == 0)
			prec = 1;
	}
	switch (fmtc) {
	case 'e':
	case 'E':
		if (shortest)
			prec = g->nd > 1 ? g->nd - 1 : 0;
		err = fmt_e(out, neg, g, prec, fmtc);
		break;
	case 'f':
	case 'F':
		err = fmt_f(out, neg, g, g->nd - g->dp > 0 ? g->nd - g->dp : 0);
		break;
	default: { /* g G */
		int eprec = prec, exp;

		if (shortest)
			prec = g->nd;
		else if (eprec > g->nd && g->nd >= g->dp)
			eprec = g->nd;
		if (shortest)
			eprec = 6;
		exp = g->dp - 1;
		if (exp < -4 || exp >= eprec) {
			if (prec > g->nd)
				prec = g->nd;
			err = fmt_e(out, neg, g, prec - 1 > 0 ? prec - 1 : 0,
				    fmtc == 'G' ? 'E' : 'e');
		} else {
			if (prec > g->dp)
				prec = g->nd;
			err = fmt_f(out, neg, g,
				    prec - g->dp > 0 ? prec - g->dp : 0);
		}
	}
	}
	free(g);
	return err;
}

/* --- types ----------------------------------------------------------- */

static bool is_string_kind(const struct rg_node *n)
{
	return n && n->kind == RG_STR && n->tag != RG_GT_BYTES;
}

static bool is_signed_int(const struct rg_node *n)
{
	return n->tag != RG_GT_UINT8 && n->tag != RG_GT_UINT64;
}

size_t rg_gofmt_utf8_decode(const char *s, size_t n, uint32_t *r)
{
	return utf8_decode((const unsigned char *)s, n, r);
}

bool rg_gofmt_isprint(uint32_t r)
{
	return is_print(r);
}

/* --- printing -------------------------------------------------------- */

static void print_value(struct pp *p, const struct rg_node *v, int verb,
			int depth);

static void bad_verb(struct pp *p, int verb)
{
	char tmp[8];
	size_t n;

	puts_(p, "%!");
	n = utf8_encode(tmp, (uint32_t)verb);
	put(p, tmp, n);
	putc_(p, '(');
	if (p->arg_set && p->arg && p->arg->kind != RG_NULL) {
		const struct rg_node *a = p->arg;

		puts_(p, rg_tmpl_typename(p->set, a));
		putc_(p, '=');
		p->arg_set = false;
		print_value(p, a, 'v', 0);
	} else {
		puts_(p, "<nil>");
	}
	putc_(p, ')');
}

static void fmt_integer(struct pp *p, uint64_t u, int base, bool is_signed,
			int verb, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEFX" : "0123456789abcdefx";
	bool negative = is_signed && (int64_t)u < 0;
	char *buf;
	size_t cap = 68, i;
	int prec = 0;

	if (negative)
		u = -u;
	if (p->wid_present || p->prec_present)
		cap += (size_t)(3 + p->wid + p->prec);
	buf = rg_xmalloc(cap);
	if (p->prec_present) {
		prec = p->prec;
		if (prec == 0 && u == 0) {
			bool oz = p->zero;

			p->zero = false;
			write_padding(p, p->wid);
			p->zero = oz;
			free(buf);
			return;
		}
	} else if (p->zero && p->wid_present) {
		prec = p->wid;
		if (negative || p->plus || p->space)
			prec--;
	}
	i = cap;
	if (u == 0) {
		buf[--i] = '0';
	} else {
		while (u > 0) {
			buf[--i] = digits[u % (uint64_t)base];
			u /= (uint64_t)base;
		}
	}
	while (i > 0 && prec > (int)(cap - i))
		buf[--i] = '0';
	if (p->sharp) {
		switch (base) {
		case 2:
			buf[--i] = 'b';
			buf[--i] = '0';
			break;
		case 8:
			if (buf[i] != '0')
				buf[--i] = '0';
			break;
		case 16:
			buf[--i] = digits[16];
			buf[--i] = '0';
			break;
		}
	}
	if (verb == 'O') {
		buf[--i] = 'o';
		buf[--i] = '0';
	}
	if (negative)
		buf[--i] = '-';
	else if (p->plus)
		buf[--i] = '+';
	else if (p->space)
		buf[--i] = ' ';
	{
		bool oz = p->zero;

		p->zero = false;
		pad(p, buf + i, cap - i);
		p->zero = oz;
	}
	free(buf);
}

static void fmt_c(struct pp *p, uint64_t c)
{
	char tmp[4];
	uint32_t r = c > 0x10FFFF ? 0xFFFD : (uint32_t)c;
	size_t n = utf8_encode(tmp, r);

	pad(p, tmp, n);
}

static void fmt_qc(struct pp *p, uint64_t c)
{
	struct rg_buf b = RG_BUF_INIT(64);
	int err = 0;
	uint32_t r = c > 0x10FFFF ? 0xFFFD : (uint32_t)c;

	if (r >= 0xD800 && r <= 0xDFFF)
		r = 0xFFFD;
	err = rg_buf_addch(&b, '\'');
	quote_rune_into(&b, r, '\'', p->plus, &err);
	if (!err)
		err = rg_buf_addch(&b, '\'');
	pad(p, b.ptr, b.len);
	rg_buf_release(&b);
}

static void fmt_unicode(struct pp *p, uint64_t u)
{
	char tmp[96];
	int prec = 4, n;

	if (p->prec_present && p->prec > 4)
		prec = p->prec > 64 ? 64 : p->prec;
	n = snprintf(tmp, sizeof(tmp), "U+%0*llX", prec, (unsigned long long)u);
	if (p->sharp && u <= 0x10FFFF && is_print((uint32_t)u)) {
		char r[4];
		size_t rn = utf8_encode(r, (uint32_t)u);

		n += snprintf(tmp + n, sizeof(tmp) - (size_t)n, " '%.*s'",
			      (int)rn, r);
	}
	{
		bool oz = p->zero;

		p->zero = false;
		pad(p, tmp, (size_t)n);
		p->zero = oz;
	}
}

static void print_int(struct pp *p, const struct rg_node *v, int verb)
{
	uint64_t u = (uint64_t)v->u.i;
	bool sg = is_signed_int(v);

	switch (verb) {
	case 'v':
		if (p->sharp_v && !sg) {
			bool os = p->sharp;

			p->sharp = true;
			fmt_integer(p, u, 16, sg, 'v', false);
			p->sharp = os;
		} else {
			fmt_integer(p, u, 10, sg, verb, false);
		}
		break;
	case 'd':
		fmt_integer(p, u, 10, sg, verb, false);
		break;
	case 'b':
		fmt_integer(p, u, 2, sg, verb, false);
		break;
	case 'o':
	case 'O':
		fmt_integer(p, u, 8, sg, verb, false);
		break;
	case 'x':
		fmt_integer(p, u, 16, sg, verb, false);
		break;
	case 'X':
		fmt_integer(p, u, 16, sg, verb, true);
		break;
	case 'c':
		fmt_c(p, u);
		break;
	case 'q':
		fmt_qc(p, u);
		break;
	case 'U':
		fmt_unicode(p, u);
		break;
	default:
		bad_verb(p, verb);
	}
}

static void fmt_float_verb(struct pp *p, double f, int verb, int prec)
{
	struct rg_buf b = RG_BUF_INIT(1u << 20);
	char *num;
	size_t n;

	if (p->prec_present)
		prec = p->prec;
	(void)rg_buf_addch(&b, '+');
	(void)rg_gofmt_float(&b, f, (char)verb, prec);
	num = b.ptr;
	n = b.len;
	if (num[1] == '-' || num[1] == '+') {
		num++;
		n--;
	}
	if (p->space && num[0] == '+' && !p->plus)
		num[0] = ' ';
	if (num[1] == 'I' || num[1] == 'N') {
		bool oz = p->zero;

		p->zero = false;
		if (num[1] == 'N' && !p->space && !p->plus) {
			num++;
			n--;
		}
		pad(p, num, n);
		p->zero = oz;
		rg_buf_release(&b);
		return;
	}
	if (p->sharp && verb != 'b') {
		/* %#g keeps trailing zeros and always shows a point */
		bool has_point = false;
		size_t e = n;

		for (size_t i = 1; i < n; i++) {
			if (num[i] == '.')
				has_point = true;
			if (num[i] == 'e' || num[i] == 'E') {
				e = i;
				break;
			}
		}
		if (!has_point) {
			struct rg_buf c = RG_BUF_INIT(1u << 20);

			(void)rg_buf_add(&c, num, e);
			(void)rg_buf_addch(&c, '.');
			(void)rg_buf_add(&c, num + e, n - e);
			rg_buf_release(&b);
			b = c;
			num = b.ptr;
			n = b.len;
		}
	}
	if (p->plus || num[0] != '+') {
		if (p->zero && p->wid_present && p->wid > (int)n) {
			putc_(p, num[0]);
			write_padding(p, p->wid - (int)n);
			put(p, num + 1, n - 1);
		} else {
			pad(p, num, n);
		}
	} else {
		pad(p, num + 1, n - 1);
	}
	rg_buf_release(&b);
}

static void print_float(struct pp *p, double f, int verb)
{
	switch (verb) {
	case 'v':
		fmt_float_verb(p, f, 'g', -1);
		break;
	case 'g':
	case 'G':
		fmt_float_verb(p, f, verb, -1);
		break;
	case 'f':
	case 'F':
	case 'e':
	case 'E':
		fmt_float_verb(p, f, verb, 6);
		break;
	case 'x':
	case 'X':
	case 'b':
		fmt_float_verb(p, f, verb, -1);
		break;
	default:
		bad_verb(p, verb);
	}
}

/* precision truncates to that many runes */
static size_t truncate_runes(const struct pp *p, const char *s, size_t n)
{
	size_t i = 0;
	int r = 0;

	if (!p->prec_present)
		return n;
	while (i < n) {
		if (r == p->prec)
			return i;
		i++;
		while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		r++;
	}
	return n;
}

static void fmt_sx(struct pp *p, const char *s, size_t n, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEFX" : "0123456789abcdefx";
	struct rg_buf b = RG_BUF_INIT(SIZE_MAX / 2);
	size_t len = n;

	if (p->prec_present && (size_t)p->prec < len)
		len = (size_t)p->prec;
	if (len == 0) {
		bool oz = p->zero;

		/* empty input prints nothing but padding */
		p->zero = false;
		write_padding(p, p->wid);
		p->zero = oz;
		return;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (p->space && i > 0)
			(void)rg_buf_addch(&b, ' ');
		if (p->sharp && (p->space || i == 0)) {
			(void)rg_buf_addch(&b, '0');
			(void)rg_buf_addch(&b, digits[16]);
		}
		(void)rg_buf_addch(&b, digits[c >> 4]);
		(void)rg_buf_addch(&b, digits[c & 15]);
	}
	pad(p, b.ptr, b.len);
	rg_buf_release(&b);
}

static bool can_backquote(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint32_t r;
		size_t w = utf8_decode((const unsigned char *)s + i, n - i, &r);

		if (w == 1 && r == 0xFFFD && (unsigned char)s[i] >= 0x80)
			return false;
		if (r == '`' || r == 0xFEFF)
			return false;
		if (r < ' ' && r != '\t')
			return false;
		if (r == 0x7F)
			return false;
		i += w;
	}
	return true;
}

static void fmt_q(struct pp *p, const char *s, size_t n)
{
	struct rg_buf b = RG_BUF_INIT(SIZE_MAX / 2);

	n = truncate_runes(p, s, n);
	if (p->sharp && can_backquote(s, n)) {
		(void)rg_buf_addch(&b, '`');
		(void)rg_buf_add(&b, s, n);
		(void)rg_buf_addch(&b, '`');
	} else {
		(void)quote_with(&b, s, n, '"', p->plus);
	}
	pad(p, b.ptr, b.len);
	rg_buf_release(&b);
}

static void print_string(struct pp *p, const char *s, size_t n, int verb)
{
	switch (verb) {
	case 'v':
		if (p->sharp_v)
			fmt_q(p, s, n);
		else
			pad(p, s, truncate_runes(p, s, n));
		break;
	case 's':
		pad(p, s, truncate_runes(p, s, n));
		break;
	case 'x':
		fmt_sx(p, s, n, false);
		break;
	case 'X':
		fmt_sx(p, s, n, true);
		break;
	case 'q':
		fmt_q(p, s, n);
		break;
	default:
		bad_verb(p, verb);
	}
}

static void print_bytes(struct pp *p, const struct rg_node *v, int verb)
{
	switch (verb) {
	case 'v':
	case 'd':
		if (p->sharp_v) {
			puts_(p, "[]byte{");
			for (size_t i = 0; i < v->u.s.len; i++) {
				char tmp[8];
				int n = snprintf(tmp, sizeof(tmp), "%s0x%x",
						 i ? ", " : "",
						 (unsigned char)v->u.s.ptr[i]);

				put(p, tmp, (size_t)n);
			}
			putc_(p, '}');
			return;
		}
		putc_(p, '[');
		for (size_t i = 0; i < v->u.s.len; i++) {
			if (i)
				putc_(p, ' ');
			fmt_integer(p, (unsigned char)v->u.s.ptr[i], 10, false,
				    verb, false);
		}
		putc_(p, ']');
		return;
	case 's':
	case 'x':
	case 'X':
	case 'q':
		print_string(p, v->u.s.ptr, v->u.s.len, verb);
		return;
	}
	/* other verbs: element-wise */
	putc_(p, '[');
	for (size_t i = 0; i < v->u.s.len; i++) {
		struct rg_node e = { 0 };

		if (i)
			putc_(p, ' ');
		e.kind = RG_INT;
		e.tag = RG_GT_UINT8;
		e.u.i = (unsigned char)v->u.s.ptr[i];
		p->arg = &e;
		p->arg_set = true;
		print_int(p, &e, verb);
	}
	putc_(p, ']');
}

static void print_value(struct pp *p, const struct rg_node *v, int verb,
			int depth)
{
	if (depth > 0) {
		p->arg = v;
		p->arg_set = true;
	}
	if (!v || v->kind == RG_NULL) {
		/* an interface{} element holding nil */
		if (depth == 0 && !p->arg_set) {
			if (verb == 'v' || verb == 'T')
				pad(p, "<nil>", 5);
			else
				bad_verb(p, verb);
			return;
		}
		puts_(p, p->sharp_v ? "interface {}(nil)" : "<nil>");
		return;
	}
	switch (v->kind) {
	case RG_BOOL:
		if (verb == 't' || verb == 'v')
			pad(p, v->u.b ? "true" : "false", v->u.b ? 4 : 5);
		else
			bad_verb(p, verb);
		return;
	case RG_INT:
		if (v->tag == RG_GT_METHOD) {
			pad(p, "<method>", 8);
			return;
		}
		print_int(p, v, verb);
		return;
	case RG_FLOAT:
		print_float(p, v->u.f, verb);
		return;
	case RG_STR:
		if (v->tag == RG_GT_BYTES)
			print_bytes(p, v, verb);
		else
			print_string(p, v->u.s.ptr, v->u.s.len, verb);
		return;
	case RG_SEQ:
		if (p->sharp_v) {
			puts_(p, rg_tmpl_typename(p->set, v));
			putc_(p, '{');
		} else {
			putc_(p, '[');
		}
		for (size_t i = 0; i < v->u.seq.len && !p->err; i++) {
			if (i)
				puts_(p, p->sharp_v ? ", " : " ");
			print_value(p, v->u.seq.items[i], verb, depth + 1);
		}
		putc_(p, p->sharp_v ? '}' : ']');
		return;
	case RG_MAP: {
		const struct rg_pair **keys;
		size_t n = v->u.map.len;
		bool is_struct = v->tag >= RG_GT_STRUCT;

		if (is_struct) {
			const char *tn = rg_tmpl_typename(p->set, v);

			if (tn[0] == '*' && depth == 0)
				putc_(p, '&');
			else if (tn[0] == '*') {
				char tmp[24];
				int k = snprintf(tmp, sizeof(tmp), "%p",
						 (const void *)v);

				put(p, tmp, (size_t)k);
				return;
			}
			putc_(p, '{');
			for (size_t i = 0; i < n && !p->err; i++) {
				const struct rg_pair *pr = &v->u.map.items[i];

				if (pr->val && pr->val->tag == RG_GT_METHOD)
					continue; /* a method, not a field */
				if (i)
					putc_(p, ' ');
				if (p->plus_v || p->sharp_v) {
					put(p, pr->key.ptr, pr->key.len);
					putc_(p, ':');
				}
				print_value(p, pr->val, verb, depth + 1);
			}
			putc_(p, '}');
			return;
		}
		if (p->sharp_v) {
			puts_(p, rg_tmpl_typename(p->set, v));
			putc_(p, '{');
		} else {
			puts_(p, "map[");
		}
		keys = rg_xcalloc(n ? n : 1, sizeof(*keys));
		for (size_t i = 0; i < n; i++)
			keys[i] = &v->u.map.items[i];
		qsort(keys, n, sizeof(*keys), rg_tmpl_pair_cmp);
		for (size_t i = 0; i < n && !p->err; i++) {
			struct rg_node k = { 0 };

			if (i)
				puts_(p, p->sharp_v ? ", " : " ");
			k.kind = RG_STR;
			k.u.s = keys[i]->key;
			print_value(p, &k, verb, depth + 1);
			putc_(p, ':');
			print_value(p, keys[i]->val, verb, depth + 1);
		}
		free(keys);
		putc_(p, p->sharp_v ? '}' : ']');
		return;
	}
	}
}

/* printArg: the top-level operand */
static void print_arg(struct pp *p, const struct rg_node *arg, int verb)
{
	p->arg = arg;
	p->arg_set = true;
	if (!arg || arg->kind == RG_NULL) {
		if (verb == 'T' || verb == 'v')
			pad(p, "<nil>", 5);
		else
			bad_verb(p, verb);
		return;
	}
	if (verb == 'T') {
		const char *t = rg_tmpl_typename(p->set, arg);

		pad(p, t, strlen(t));
		return;
	}
	if (verb == 'p') {
		bad_verb(p, verb);
		return;
	}
	print_value(p, arg, verb, 0);
}

static void pp_init(struct pp *p, struct rg_buf *b,
		    const struct rg_tmpl_set *set)
{
	memset(p, 0, sizeof(*p));
	p->b = b;
	p->set = set;
}

int rg_gofmt_value(struct rg_buf *out, const struct rg_tmpl_set *set,
		   const struct rg_node *v)
{
	struct pp p;

	pp_init(&p, out, set);
	print_arg(&p, v, 'v');
	return p.err;
}

int rg_gofmt_sprint(struct rg_buf *out, const struct rg_tmpl_set *set,
		    struct rg_node *const *args, size_t nargs)
{
	struct pp p;
	bool prev_string = false;

	pp_init(&p, out, set);
	for (size_t i = 0; i < nargs && !p.err; i++) {
		bool is_string = is_string_kind(args[i]);

		if (i > 0 && !is_string && !prev_string)
			putc_(&p, ' ');
		clear_flags(&p);
		print_arg(&p, args[i], 'v');
		prev_string = is_string;
	}
	return p.err;
}

int rg_gofmt_sprintln(struct rg_buf *out, const struct rg_tmpl_set *set,
		      struct rg_node *const *args, size_t nargs)
{
	struct pp p;

	pp_init(&p, out, set);
	for (size_t i = 0; i < nargs && !p.err; i++) {
		if (i > 0)
			putc_(&p, ' ');
		clear_flags(&p);
		print_arg(&p, args[i], 'v');
	}
	putc_(&p, '\n');
	return p.err;
}

static bool too_large(int x)
{
	return x > 1000000 || x < -1000000;
}

static int parsenum(const char *s, size_t start, size_t end, int *num,
		    bool *isnum)
{
	size_t i;

	*num = 0;
	*isnum = false;
	if (start >= end)
		return (int)end;
	for (i = start; i < end && s[i] >= '0' && s[i] <= '9'; i++) {
		if (too_large(*num)) {
			*num = 0;
			*isnum = false;
			return (int)end;
		}
		*num = *num * 10 + (s[i] - '0');
		*isnum = true;
	}
	return (int)i;
}

struct argstate {
	size_t argnum;
	bool reordered, good;
};

/* %[n] */
static size_t arg_number(struct argstate *st, const char *f, size_t i,
			 size_t end, size_t nargs, bool *found)
{
	*found = false;
	if (i >= end || f[i] != '[')
		return i;
	st->reordered = true;
	if (end - i < 3) {
		st->good = false;
		return i + 1;
	}
	for (size_t j = i + 1; j < end; j++) {
		if (f[j] == ']') {
			int w;
			bool ok;
			int ni = parsenum(f, i + 1, j, &w, &ok);

			if (!ok || (size_t)ni != j) {
				st->good = false;
				return j + 1;
			}
			if (w - 1 >= 0 && (size_t)(w - 1) < nargs) {
				st->argnum = (size_t)(w - 1);
				*found = true;
				return j + 1;
			}
			st->good = false;
			*found = true;
			return j + 1;
		}
	}
	st->good = false;
	return i + 1;
}

static bool int_from_arg(struct rg_node *const *args, size_t nargs,
			 size_t *argnum, int *num)
{
	bool ok = false;

	*num = 0;
	if (*argnum < nargs) {
		const struct rg_node *a = args[*argnum];

		if (a && a->kind == RG_INT && a->tag != RG_GT_METHOD) {
			if (a->tag == RG_GT_UINT64 || a->tag == RG_GT_UINT8) {
				if ((uint64_t)a->u.i <= INT_MAX) {
					*num = (int)a->u.i;
					ok = true;
				}
			} else if (a->u.i >= INT_MIN && a->u.i <= INT_MAX) {
				*num = (int)a->u.i;
				ok = true;
			}
		}
		(*argnum)++;
		if (too_large(*num)) {
			*num = 0;
			ok = false;
		}
	}
	return ok;
}

int rg_gofmt_sprintf(struct rg_buf *out, const struct rg_tmpl_set *set,
		     const char *f, size_t end, struct rg_node *const *args,
		     size_t nargs)
{
	struct pp p;
	struct argstate st = { 0, false, true };
	bool after_index = false;
	size_t i = 0;

	pp_init(&p, out, set);
	while (i < end && !p.err) {
		size_t lasti = i;
		int verb;

		st.good = true;
		while (i < end && f[i] != '%')
			i++;
		if (i > lasti)
			put(&p, f + lasti, i - lasti);
		if (i >= end)
			break;
		i++;
		clear_flags(&p);
		for (; i < end; i++) {
			char c = f[i];

			if (c == '#')
				p.sharp = true;
			else if (c == '0')
				p.zero = !p.minus;
			else if (c == '+')
				p.plus = true;
			else if (c == '-') {
				p.minus = true;
				p.zero = false;
			} else if (c == ' ')
				p.space = true;
			else
				break;
		}
		i = arg_number(&st, f, i, end, nargs, &after_index);
		if (i < end && f[i] == '*') {
			i++;
			p.wid_present = int_from_arg(args, nargs, &st.argnum,
						     &p.wid);
			if (!p.wid_present)
				puts_(&p, "%!(BADWIDTH)");
			if (p.wid < 0) {
				p.wid = -p.wid;
				p.minus = true;
				p.zero = false;
			}
			after_index = false;
		} else {
			i = (size_t)parsenum(f, i, end, &p.wid, &p.wid_present);
			if (after_index && p.wid_present)
				st.good = false;
		}
		if (i + 1 < end && f[i] == '.') {
			i++;
			if (after_index)
				st.good = false;
			i = arg_number(&st, f, i, end, nargs, &after_index);
			if (i < end && f[i] == '*') {
				i++;
				p.prec_present = int_from_arg(
					args, nargs, &st.argnum, &p.prec);
				if (p.prec < 0) {
					p.prec = 0;
					p.prec_present = false;
				}
				if (!p.prec_present)
					puts_(&p, "%!(BADPREC)");
				after_index = false;
			} else {
				i = (size_t)parsenum(f, i, end, &p.prec,
						     &p.prec_present);
				if (!p.prec_present) {
					p.prec = 0;
					p.prec_present = true;
				}
			}
		}
		if (!after_index)
			i = arg_number(&st, f, i, end, nargs, &after_index);
		if (i >= end) {
			puts_(&p, "%!(NOVERB)");
			break;
		}
		{
			uint32_t r;
			size_t w = utf8_decode((const unsigned char *)f + i,
					       end - i, &r);

			verb = (int)r;
			i += w ? w : 1;
		}
		if (verb == '%') {
			putc_(&p, '%');
		} else if (!st.good) {
			char tmp[8];
			size_t n = utf8_encode(tmp, (uint32_t)verb);

			puts_(&p, "%!");
			put(&p, tmp, n);
			puts_(&p, "(BADINDEX)");
		} else if (st.argnum >= nargs) {
			char tmp[8];
			size_t n = utf8_encode(tmp, (uint32_t)verb);

			puts_(&p, "%!");
			put(&p, tmp, n);
			puts_(&p, "(MISSING)");
		} else {
			if (verb == 'v') {
				p.sharp_v = p.sharp;
				p.sharp = false;
				p.plus_v = p.plus;
				p.plus = false;
			}
			print_arg(&p, args[st.argnum], verb);
			st.argnum++;
		}
	}
	if (!p.err && !st.reordered && st.argnum < nargs) {
		clear_flags(&p);
		puts_(&p, "%!(EXTRA ");
		for (size_t k = st.argnum; k < nargs; k++) {
			if (k > st.argnum)
				puts_(&p, ", ");
			if (!args[k] || args[k]->kind == RG_NULL) {
				puts_(&p, "<nil>");
			} else {
				puts_(&p, rg_tmpl_typename(set, args[k]));
				putc_(&p, '=');
				print_arg(&p, args[k], 'v');
			}
		}
		putc_(&p, ')');
	}
	return p.err;
}
