#include "rendergate/compat.h"
#include "rendergate/json.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/encoding.h"
#include "rendergate/tmpl.h"

#include <math.h>

/* --- floats ------------------------------------------------------------ */

/*
 * Shortest decimal digits of f that read back exactly: digits in d (no
 * leading or trailing zeros, "0" for zero), value = 0.d * 10^dp.
 */
static void shortest(double f, char *d, size_t dsz, int *dp)
{
	char tmp[64];

	if (f == 0) {
		snprintf(d, dsz, "0");
		*dp = 1;
		return;
	}
	for (int p = 1; p <= 17; p++) {
		snprintf(tmp, sizeof(tmp), "%.*e", p - 1, f);
		if (strtod(tmp, NULL) == f)
			break;
	}
	{
		const char *s = tmp + (tmp[0] == '-');
		const char *e = strchr(s, 'e');
		size_t n = 0;

		for (const char *q = s; q < e && n + 1 < dsz; q++)
			if (*q != '.')
				d[n++] = *q;
		while (n > 1 && d[n - 1] == '0')
			n--;
		d[n] = 0;
		*dp = (int)strtol(e + 1, NULL, 10) + 1;
	}
}

size_t rg_json_fmt_float(char *out, size_t outsz, double f, char fmt)
{
	char d[32], b[400];
	int dp = 0, exp = 0;
	size_t n = 0, nd = 0;

	if (isnan(f))
		return (size_t)snprintf(out, outsz, "NaN");
	if (isinf(f))
		return (size_t)snprintf(out, outsz, f > 0 ? "+Inf" : "-Inf");
	shortest(fabs(f), d, sizeof(d), &dp);
	nd = strlen(d);
	if (signbit(f))
		b[n++] = '-';
	exp = dp - 1;
	if (fmt == 'g')
		fmt = exp < -4 || exp >= 6 ? 'e' : 'f'; /* Go: eprec 6 when shortest */
	if (fmt == 'e') {
		int x = d[0] == '0' ? 0 : exp;

		b[n++] = d[0];
		if (nd > 1) {
			b[n++] = '.';
			memcpy(b + n, d + 1, nd - 1);
			n += nd - 1;
		}
		n += (size_t)snprintf(b + n, sizeof(b) - n, "e%c%02d", x < 0 ? '-' : '+',
				      x < 0 ? -x : x);
	} else if (dp <= 0) {
		b[n++] = '0';
		b[n++] = '.';
		for (int i = 0; i < -dp; i++)
			b[n++] = '0';
		memcpy(b + n, d, nd);
		n += nd;
	} else if ((size_t)dp >= nd) {
		memcpy(b + n, d, nd);
		n += nd;
		for (size_t i = nd; i < (size_t)dp; i++)
			b[n++] = '0';
	} else {
		memcpy(b + n, d, (size_t)dp);
		n += (size_t)dp;
		b[n++] = '.';
		memcpy(b + n, d + dp, nd - (size_t)dp);
		n += nd - (size_t)dp;
	}
	b[n] = 0;
	return (size_t)snprintf(out, outsz, "%s", b);
}

/* --- encoding ------------------------------------------------------------ */

struct enc {
	struct rg_buf *out;
	unsigned flags;
	struct rg_err *err;
	int rc;
};

static void put(struct enc *e, const char *s, size_t n)
{
	if (!e->rc && rg_buf_add(e->out, s, n))
		e->rc = rg_err_set(e->err, RG_ELIMIT, NULL, "JSON output larger than its buffer cap");
}

static void puts_(struct enc *e, const char *s)
{
	put(e, s, strlen(s));
}

/* Length of a valid UTF-8 sequence at s (0 when invalid), and its rune. */
static size_t utf8_dec(const unsigned char *s, size_t n, uint32_t *r)
{
	uint32_t c = s[0], min = 0;
	size_t l = 0;

	if (c < 0x80) {
		*r = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF)
		l = 2, c &= 0x1F, min = 0x80;
	else if (c >= 0xE0 && c <= 0xEF)
		l = 3, c &= 0x0F, min = 0x800;
	else if (c >= 0xF0 && c <= 0xF4)
		l = 4, c &= 0x07, min = 0x10000;
	else
		return 0;
	if (l > n)
		return 0;
	for (size_t i = 1; i < l; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*r = c;
	return l;
}

static void enc_string(struct enc *e, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, start = 0;
	bool html = !(e->flags & RG_JSON_NO_HTML_ESCAPE);

	put(e, "\"", 1);
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		uint32_t r = 0;
		size_t l = 0;

		if (c < 0x80) {
			if (c >= 0x20 && c != '"' && c != '\\' &&
			    !(html && (c == '<' || c == '>' || c == '&'))) {
				i++;
				continue;
			}
			put(e, s + start, i - start);
			if (c == '"' || c == '\\') {
				char q[2] = { '\\', (char)c };

				put(e, q, 2);
			} else if (c == '\n') {
				put(e, "\\n", 2);
			} else if (c == '\r') {
				put(e, "\\r", 2);
			} else if (c == '\t') {
				put(e, "\\t", 2);
			} else {
				char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

				put(e, u, 6);
			}
			i++;
			start = i;
			continue;
		}
		l = utf8_dec((const unsigned char *)s + i, n - i, &r);
		if (l == 0) {
			put(e, s + start, i - start);
			put(e, "\\ufffd", 6);
			i++;
			start = i;
			continue;
		}
		if (r == 0x2028 || r == 0x2029) {
			put(e, s + start, i - start);
			put(e, r == 0x2028 ? "\\u2028" : "\\u2029", 6);
			i += l;
			start = i;
			continue;
		}
		i += l;
	}
	put(e, s + start, n - start);
	put(e, "\"", 1);
}

static void newline(struct enc *e, int depth)
{
	if (!(e->flags & RG_JSON_INDENT))
		return;
	put(e, "\n", 1);
	for (int i = 0; i < depth; i++)
		put(e, "  ", 2);
}

int rg_json_pair_cmp(const void *x, const void *y)
{
	const struct rg_pair *const *a = x, *const *b = y;
	size_t l = (*a)->key.len < (*b)->key.len ? (*a)->key.len : (*b)->key.len;
	int c = memcmp((*a)->key.ptr, (*b)->key.ptr, l);

	if (c)
		return c;
	return (*a)->key.len < (*b)->key.len ? -1 : (*a)->key.len > (*b)->key.len;
}

static void enc_node(struct enc *e, const struct rg_node *n, int depth)
{
	char num[64];

	if (e->rc)
		return;
	if (depth > (int)RG_CAP_JSON_DEPTH) {
		e->rc = rg_err_set(e->err, RG_ELIMIT, NULL,
				   "JSON nesting deeper than %u levels (RG_CAP_JSON_DEPTH)",
				   RG_CAP_JSON_DEPTH);
		return;
	}
	if (!n || n->kind == RG_NULL) {
		puts_(e, "null");
		return;
	}
	switch (n->kind) {
	case RG_BOOL:
		puts_(e, n->u.b ? "true" : "false");
		break;
	case RG_INT:
		if (n->tag == RG_GT_UINT64)
			snprintf(num, sizeof(num), "%llu", (unsigned long long)(uint64_t)n->u.i);
		else
			snprintf(num, sizeof(num), "%lld", (long long)n->u.i);
		puts_(e, num);
		break;
	case RG_FLOAT: {
		double f = n->u.f, a = fabs(f);
		size_t l = 0;

		if (isnan(f) || isinf(f)) {
			rg_json_fmt_float(num, sizeof(num), f, 'g');
			e->rc = rg_err_set(e->err, RG_EINVALID, NULL, "json: unsupported value: %s", num);
			return;
		}
		l = rg_json_fmt_float(num, sizeof(num), f, a != 0 && (a < 1e-6 || a >= 1e21) ? 'e' : 'f');
		if (l >= 4 && num[l - 4] == 'e' && num[l - 3] == '-' && num[l - 2] == '0') {
			num[l - 2] = num[l - 1];
			num[l - 1] = 0;
		}
		puts_(e, num);
		break;
	}
	case RG_STR:
		if (n->tag == RG_GT_BYTES) {
			struct rg_buf b = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);

			if (rg_b64_encode(&b, n->u.s.ptr, n->u.s.len, false))
				e->rc = rg_err_set(e->err, RG_ELIMIT, NULL, "JSON output too large");
			put(e, "\"", 1);
			put(e, b.ptr, b.len);
			put(e, "\"", 1);
			rg_buf_release(&b);
		} else {
			enc_string(e, n->u.s.ptr, n->u.s.len);
		}
		break;
	case RG_SEQ:
		if (n->u.seq.len == 0) {
			puts_(e, "[]");
			break;
		}
		put(e, "[", 1);
		for (size_t i = 0; i < n->u.seq.len && !e->rc; i++) {
			if (i)
				put(e, ",", 1);
			newline(e, depth + 1);
			enc_node(e, n->u.seq.items[i], depth + 1);
		}
		newline(e, depth);
		put(e, "]", 1);
		break;
	case RG_MAP: {
		size_t len = n->u.map.len;
		const struct rg_pair **ps = NULL;

		if (len == 0) {
			puts_(e, "{}");
			break;
		}
		ps = rg_xcalloc(len, sizeof(*ps));
		for (size_t i = 0; i < len; i++)
			ps[i] = &n->u.map.items[i];
		if (n->tag < RG_GT_STRUCT)
			qsort(ps, len, sizeof(*ps), rg_json_pair_cmp);
		put(e, "{", 1);
		for (size_t i = 0; i < len && !e->rc; i++) {
			if (i)
				put(e, ",", 1);
			newline(e, depth + 1);
			enc_string(e, ps[i]->key.ptr, ps[i]->key.len);
			put(e, (e->flags & RG_JSON_INDENT) ? ": " : ":",
			    (e->flags & RG_JSON_INDENT) ? 2 : 1);
			enc_node(e, ps[i]->val, depth + 1);
		}
		newline(e, depth);
		put(e, "}", 1);
		free(ps);
		break;
	}
	default:
		puts_(e, "null");
	}
}

int rg_json_encode(struct rg_buf *out, const struct rg_node *n,
		   unsigned flags, struct rg_err *err)
{
	struct enc e = { out, flags, err, 0 };
	size_t mark = out->len;

	enc_node(&e, n, 0);
	if (e.rc)
		rg_buf_truncate(out, mark);
	return e.rc;
}

/* --- decoding ------------------------------------------------------------ */

struct dec {
	struct rg_arena *a;
	const char *s;
	size_t n, i;
	int depth;
	struct rg_err *err;
	bool type_err; /* a value did not fit its Go type; decoding goes on */
};

/* Go's quoteChar: how the scanner names a byte in its messages. */
static void quote_char(char *out, size_t outsz, unsigned char c)
{
	if (c == '\'')
		snprintf(out, outsz, "'\\''");
	else if (c == '"')
		snprintf(out, outsz, "'\"'");
	else if (c == '\n')
		snprintf(out, outsz, "'\\n'");
	else if (c == '\r')
		snprintf(out, outsz, "'\\r'");
	else if (c == '\t')
		snprintf(out, outsz, "'\\t'");
	else if (c == 7 || c == 8 || c == 11 || c == 12)
		snprintf(out, outsz, "'\\%c'", "ab..vf"[c - 7]);
	else if (c < 0x20 || c == 0x7f)
		snprintf(out, outsz, "'\\x%02x'", c);
	else if (c >= 0x80 && c < 0xA0)
		snprintf(out, outsz, "'\\u%04x'", c);
	else if (c == 0xAD)
		snprintf(out, outsz, "'\\u00ad'");
	else if (c >= 0x80) /* Go quotes string(byte) = U+0080..U+00FF */
		snprintf(out, outsz, "'%c%c'", (char)(0xC0 | (c >> 6)), (char)(0x80 | (c & 0x3F)));
	else
		snprintf(out, outsz, "'%c'", c);
}

static int bad(struct dec *d, const char *context)
{
	char q[16];

	if (d->i >= d->n)
		return rg_err_set(d->err, RG_EPARSE, NULL, "unexpected end of JSON input");
	quote_char(q, sizeof(q), (unsigned char)d->s[d->i]);
	return rg_err_set(d->err, RG_EPARSE, NULL, "invalid character %s %s", q, context);
}

static void ws(struct dec *d)
{
	while (d->i < d->n && (d->s[d->i] == ' ' || d->s[d->i] == '\t' ||
			       d->s[d->i] == '\n' || d->s[d->i] == '\r'))
		d->i++;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
		: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static void put_rune(struct rg_buf *b, uint32_t r)
{
	char u[4];

	if (r < 0x80) {
		rg_buf_addch(b, (char)r);
		return;
	}
	if (r < 0x800) {
		u[0] = (char)(0xC0 | (r >> 6));
		u[1] = (char)(0x80 | (r & 0x3F));
		rg_buf_add(b, u, 2);
	} else if (r < 0x10000) {
		u[0] = (char)(0xE0 | (r >> 12));
		u[1] = (char)(0x80 | ((r >> 6) & 0x3F));
		u[2] = (char)(0x80 | (r & 0x3F));
		rg_buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xF0 | (r >> 18));
		u[1] = (char)(0x80 | ((r >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((r >> 6) & 0x3F));
		u[3] = (char)(0x80 | (r & 0x3F));
		rg_buf_add(b, u, 4);
	}
}

static int read_u4(struct dec *d, uint32_t *out)
{
	uint32_t v = 0;

	for (int k = 0; k < 4; k++) {
		int h = d->i < d->n ? hexval(d->s[d->i]) : -1;

		if (h < 0)
			return bad(d, "in \\u hexadecimal character escape");
		v = v << 4 | (uint32_t)h;
		d->i++;
	}
	*out = v;
	return 0;
}

static int dec_string(struct dec *d, struct rg_str *out)
{
	/* uncapped here (at most 3 bytes out per byte in); checked below */
	struct rg_buf b = RG_BUF_INIT(SIZE_MAX / 2);
	int rc = 0;

	d->i++; /* opening quote */
	for (;;) {
		unsigned char c;

		if (d->i >= d->n) {
			rc = bad(d, "");
			goto out;
		}
		c = (unsigned char)d->s[d->i];
		if (c == '"') {
			d->i++;
			break;
		}
		if (c < 0x20) {
			rc = bad(d, "in string literal");
			goto out;
		}
		if (c == '\\') {
			char e;

			d->i++;
			if (d->i >= d->n) {
				rc = bad(d, "");
				goto out;
			}
			e = d->s[d->i];
			switch (e) {
			case '"': case '\\': case '/':
				rg_buf_addch(&b, e);
				d->i++;
				break;
			case 'b': rg_buf_addch(&b, '\b'); d->i++; break;
			case 'f': rg_buf_addch(&b, '\f'); d->i++; break;
			case 'n': rg_buf_addch(&b, '\n'); d->i++; break;
			case 'r': rg_buf_addch(&b, '\r'); d->i++; break;
			case 't': rg_buf_addch(&b, '\t'); d->i++; break;
			case 'u': {
				uint32_t r = 0, r2 = 0;

				d->i++;
				rc = read_u4(d, &r);
				if (rc)
					goto out;
				if (r >= 0xD800 && r < 0xDC00 && d->i + 1 < d->n &&
				    d->s[d->i] == '\\' && d->s[d->i + 1] == 'u') {
					size_t save = d->i;

					d->i += 2;
					rc = read_u4(d, &r2);
					if (rc)
						goto out;
					if (r2 >= 0xDC00 && r2 < 0xE000) {
						r = 0x10000 + ((r - 0xD800) << 10) + (r2 - 0xDC00);
					} else {
						d->i = save;
						r = 0xFFFD;
					}
				} else if (r >= 0xD800 && r < 0xE000) {
					r = 0xFFFD;
				}
				put_rune(&b, r);
				break;
			}
			default:
				rc = bad(d, "in string escape code");
				goto out;
			}
			continue;
		}
		if (c < 0x80) {
			/* the run of plain ASCII up to the next special byte */
			size_t e = d->i + 1;

			while (e < d->n) {
				unsigned char x = (unsigned char)d->s[e];

				if (x == '"' || x == '\\' || x < 0x20 || x >= 0x80)
					break;
				e++;
			}
			rg_buf_add(&b, d->s + d->i, e - d->i);
			d->i = e;
		} else {
			uint32_t r = 0;
			size_t l = utf8_dec((const unsigned char *)d->s + d->i, d->n - d->i, &r);

			if (l == 0) {
				put_rune(&b, 0xFFFD);
				d->i++;
			} else {
				rg_buf_add(&b, d->s + d->i, l);
				d->i += l;
			}
		}
	}
	if (b.len > RG_CAP_YAML_SCALAR_BYTES) {
		rc = rg_err_set(d->err, RG_ELIMIT, NULL,
				"JSON string of %zu bytes is over %u "
				"(RG_CAP_YAML_SCALAR_BYTES)",
				b.len, RG_CAP_YAML_SCALAR_BYTES);
		goto out;
	}
	out->ptr = rg_arena_strndup(d->a, b.ptr, b.len);
	out->len = b.len;
out:
	rg_buf_release(&b);
	return rc;
}

static bool isdig(struct dec *d)
{
	return d->i < d->n && d->s[d->i] >= '0' && d->s[d->i] <= '9';
}

static int dec_number(struct dec *d, struct rg_node **out)
{
	size_t start = d->i;
	char *tmp = NULL;
	double f = 0;
	int rc = 0;

	if (d->s[d->i] == '-')
		d->i++;
	if (!isdig(d)) {
		rc = bad(d, "in numeric literal");
		goto out;
	}
	if (d->s[d->i] == '0')
		d->i++;
	else
		while (isdig(d))
			d->i++;
	if (d->i < d->n && d->s[d->i] == '.') {
		d->i++;
		if (!isdig(d)) {
			rc = bad(d, "after decimal point in numeric literal");
			goto out;
		}
		while (isdig(d))
			d->i++;
	}
	if (d->i < d->n && (d->s[d->i] == 'e' || d->s[d->i] == 'E')) {
		d->i++;
		if (d->i < d->n && (d->s[d->i] == '+' || d->s[d->i] == '-'))
			d->i++;
		if (!isdig(d)) {
			rc = bad(d, "in exponent of numeric literal");
			goto out;
		}
		while (isdig(d))
			d->i++;
	}
	tmp = rg_xstrndup(d->s + start, d->i - start);
	errno = 0;
	f = strtod(tmp, NULL);
	if (errno == ERANGE && isinf(f)) {
		/* Go records the first such error, stores nil and goes on */
		if (!d->type_err)
			rg_err_set(d->err, RG_EINVALID, NULL,
				   "json: cannot unmarshal number %s into Go value of type float64",
				   tmp);
		d->type_err = true;
		*out = rg_node_null(d->a);
		goto out;
	}
	*out = rg_node_float(d->a, f);
out:
	free(tmp);
	return rc;
}

static int dec_value(struct dec *d, struct rg_node **out);

static int dec_literal(struct dec *d, const char *word, struct rg_node **out,
		       struct rg_node *v)
{
	size_t l = strlen(word);

	for (size_t k = 0; k < l; k++) {
		if (d->i >= d->n || d->s[d->i] != word[k]) {
			char ctx[64];

			snprintf(ctx, sizeof(ctx), "in literal %s (expecting '%c')", word, word[k]);
			return bad(d, ctx);
		}
		d->i++;
	}
	*out = v;
	return 0;
}

static int dec_value(struct dec *d, struct rg_node **out)
{
	int rc = 0;
	char c;

	ws(d);
	if (d->i >= d->n)
		return bad(d, "");
	if (++d->depth > (int)RG_CAP_JSON_DEPTH) {
		rc = rg_err_set(d->err, RG_ELIMIT, NULL,
				"JSON nesting deeper than %u levels (RG_CAP_JSON_DEPTH)",
				RG_CAP_JSON_DEPTH);
		goto out;
	}
	c = d->s[d->i];
	if (c == '{') {
		struct rg_node *m = rg_node_map(d->a);

		d->i++;
		ws(d);
		if (d->i < d->n && d->s[d->i] == '}') {
			d->i++;
			*out = m;
			goto out;
		}
		for (;;) {
			struct rg_str k = { NULL, 0 };
			struct rg_node *v = NULL;

			ws(d);
			if (d->i >= d->n || d->s[d->i] != '"') {
				rc = bad(d, "looking for beginning of object key string");
				goto out;
			}
			rc = dec_string(d, &k);
			if (rc)
				goto out;
			ws(d);
			if (d->i >= d->n || d->s[d->i] != ':') {
				rc = bad(d, "after object key");
				goto out;
			}
			d->i++;
			rc = dec_value(d, &v);
			if (rc)
				goto out;
			rg_map_set(d->a, m, k.ptr, k.len, v);
			ws(d);
			if (d->i < d->n && d->s[d->i] == ',') {
				d->i++;
				continue;
			}
			if (d->i < d->n && d->s[d->i] == '}') {
				d->i++;
				break;
			}
			rc = bad(d, "after object key:value pair");
			goto out;
		}
		*out = m;
	} else if (c == '[') {
		struct rg_node *s = rg_node_seq(d->a);

		d->i++;
		ws(d);
		if (d->i < d->n && d->s[d->i] == ']') {
			d->i++;
			*out = s;
			goto out;
		}
		for (;;) {
			struct rg_node *v = NULL;

			rc = dec_value(d, &v);
			if (rc)
				goto out;
			rg_seq_push(d->a, s, v);
			ws(d);
			if (d->i < d->n && d->s[d->i] == ',') {
				d->i++;
				continue;
			}
			if (d->i < d->n && d->s[d->i] == ']') {
				d->i++;
				break;
			}
			rc = bad(d, "after array element");
			goto out;
		}
		*out = s;
	} else if (c == '"') {
		struct rg_str s = { NULL, 0 };

		rc = dec_string(d, &s);
		if (!rc) {
			*out = rg_node_new(d->a, RG_STR);
			(*out)->u.s = s;
		}
	} else if (c == '-' || (c >= '0' && c <= '9')) {
		rc = dec_number(d, out);
	} else if (c == 't') {
		rc = dec_literal(d, "true", out, rg_node_bool(d->a, true));
	} else if (c == 'f') {
		rc = dec_literal(d, "false", out, rg_node_bool(d->a, false));
	} else if (c == 'n') {
		rc = dec_literal(d, "null", out, rg_node_null(d->a));
	} else {
		rc = bad(d, "looking for beginning of value");
	}
out:
	d->depth--;
	return rc;
}

int rg_json_decode(struct rg_node **out, struct rg_arena *a, const char *s,
		   size_t len, struct rg_err *err)
{
	struct dec d = { a, s, len, 0, 0, err, false };
	struct rg_node *v = NULL;
	int rc = dec_value(&d, &v);

	if (rc)
		goto out;
	ws(&d);
	if (d.i < d.n) {
		rc = bad(&d, "after top-level value");
		goto out;
	}
	*out = v;
	if (d.type_err)
		rc = RG_EINVALID;
out:
	return rc;
}
