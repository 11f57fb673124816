#include "rendergate/compat.h"
#include "rendergate/funcs_lib.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/gofmt.h"

/*
 * Sprig's string functions (strings.go, goutils v1.1.1, xstrings v1.3.2,
 * Go's strings package). Case mapping and character classes are exact
 * for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic; other runes
 * keep their case (NEEDSWORK: full Unicode tables).
 */

#define OUTCAP RG_CAP_FUNC_OUTPUT_BYTES

/* --- runes ------------------------------------------------------------- */

/* utf8.DecodeRuneInString: U+FFFD width 1 for bad bytes, width 0 at end. */
static uint32_t dec_rune(const char *s, size_t n, size_t *w)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t c = 0, min = 0;
	size_t l = 0;

	if (n == 0) {
		*w = 0;
		return 0xFFFD;
	}
	c = u[0];
	*w = 1;
	if (c < 0x80)
		return c;
	if (c >= 0xC2 && c <= 0xDF)
		l = 2, c &= 0x1F, min = 0x80;
	else if (c >= 0xE0 && c <= 0xEF)
		l = 3, c &= 0x0F, min = 0x800;
	else if (c >= 0xF0 && c <= 0xF4)
		l = 4, c &= 0x07, min = 0x10000;
	else
		return 0xFFFD;
	if (l > n)
		return 0xFFFD;
	for (size_t i = 1; i < l; i++) {
		if ((u[i] & 0xC0) != 0x80)
			return 0xFFFD;
		c = c << 6 | (u[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0xFFFD;
	*w = l;
	return c;
}

static int add_rune(struct rg_buf *b, uint32_t r)
{
	char u[4];

	if (r < 0x80)
		return rg_buf_addch(b, (char)r);
	if (r < 0x800) {
		u[0] = (char)(0xC0 | (r >> 6));
		u[1] = (char)(0x80 | (r & 0x3F));
		return rg_buf_add(b, u, 2);
	}
	if (r < 0x10000) {
		u[0] = (char)(0xE0 | (r >> 12));
		u[1] = (char)(0x80 | ((r >> 6) & 0x3F));
		u[2] = (char)(0x80 | (r & 0x3F));
		return rg_buf_add(b, u, 3);
	}
	u[0] = (char)(0xF0 | (r >> 18));
	u[1] = (char)(0x80 | ((r >> 12) & 0x3F));
	u[2] = (char)(0x80 | ((r >> 6) & 0x3F));
	u[3] = (char)(0x80 | (r & 0x3F));
	return rg_buf_add(b, u, 4);
}

/* unicode.IsSpace */
static bool is_space(uint32_t r)
{
	switch (r) {
	case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
	case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
	case 0x202F: case 0x205F: case 0x3000:
		return true;
	}
	return r >= 0x2000 && r <= 0x200A;
}

/* Simple case pairs: returns the other case or r itself. */
static uint32_t to_lower(uint32_t r)
{
	if (r >= 'A' && r <= 'Z')
		return r + 32;
	if (r < 0x80)
		return r;
	if ((r >= 0xC0 && r <= 0xDE && r != 0xD7) || (r >= 0x391 && r <= 0x3AB && r != 0x3A2) ||
	    (r >= 0x410 && r <= 0x42F))
		return r + 32;
	if (r >= 0x400 && r <= 0x40F)
		return r + 80;
	if (r == 0x178)
		return 0xFF;
	if (r == 0x130)
		return 'i';
	if ((r >= 0x100 && r <= 0x137) || (r >= 0x14A && r <= 0x177))
		return r % 2 == 0 ? r + 1 : r;
	if ((r >= 0x139 && r <= 0x148) || (r >= 0x179 && r <= 0x17E))
		return r % 2 == 1 ? r + 1 : r;
	return r;
}

static uint32_t to_upper(uint32_t r)
{
	if (r >= 'a' && r <= 'z')
		return r - 32;
	if (r < 0x80)
		return r;
	if ((r >= 0xE0 && r <= 0xFE && r != 0xF7) || (r >= 0x3B1 && r <= 0x3CB && r != 0x3C2) ||
	    (r >= 0x430 && r <= 0x44F))
		return r - 32;
	if (r == 0x3C2)
		return 0x3A3;
	if (r >= 0x450 && r <= 0x45F)
		return r - 80;
	if (r == 0xFF)
		return 0x178;
	if (r == 0xB5)
		return 0x39C;
	if (r == 0x131)
		return 'I';
	if ((r >= 0x100 && r <= 0x137) || (r >= 0x14A && r <= 0x177))
		return r % 2 == 1 ? r - 1 : r;
	if ((r >= 0x139 && r <= 0x148) || (r >= 0x179 && r <= 0x17E))
		return r % 2 == 0 ? r - 1 : r;
	return r;
}

static bool is_upper(uint32_t r)
{
	return to_lower(r) != r;
}

static bool is_lower(uint32_t r)
{
	return to_upper(r) != r || r == 0xDF;
}

static bool is_letter(uint32_t r)
{
	if (r < 0x80)
		return (r | 0x20) >= 'a' && (r | 0x20) <= 'z';
	if (r == 0xAA || r == 0xB5 || r == 0xBA)
		return true;
	if (r < 0xC0)
		return false;
	if (r == 0xD7 || r == 0xF7)
		return false;
	/* beyond Latin-1: treat everything that is not space or punctuation as a letter */
	return !is_space(r) && !(r >= 0x2000 && r <= 0x206F) && !(r >= 0x3000 && r <= 0x303F);
}

static bool is_digit(uint32_t r)
{
	return r >= '0' && r <= '9';
}

/* unicode.IsNumber for the ranges above (digits, superscripts, fractions) */
static bool is_number(uint32_t r)
{
	return is_digit(r) || r == 0xB2 || r == 0xB3 || r == 0xB9 || (r >= 0xBC && r <= 0xBE);
}

/* unicode.IsPunct on ASCII and Latin-1 (symbols like $ + < = > ^ ` | ~ are not) */
static bool is_punct(uint32_t r)
{
	if (r < 0x80)
		return r > 0x20 && r < 0x7F && !is_letter(r) && !is_digit(r) &&
		       !strchr("$+<=>^`|~", (int)r);
	return r == 0xA1 || r == 0xA7 || r == 0xAB || r == 0xB6 || r == 0xB7 || r == 0xBB ||
	       r == 0xBF || (r >= 0x2010 && r <= 0x2027) || (r >= 0x2030 && r <= 0x205E) ||
	       (r >= 0x3001 && r <= 0x3003);
}

/* --- argument plumbing ------------------------------------------------- */

static int limit(struct rg_tmpl_call *c)
{
	return rg_tmpl_fail_limit(c, "function result larger than %u bytes (RG_CAP_FUNC_OUTPUT_BYTES)",
				  OUTCAP);
}

/* Finish a function whose text is in b: result or cap error. */
static int done(struct rg_node **out, struct rg_tmpl_call *c, struct rg_buf *b, int brc)
{
	if (brc) {
		rg_buf_release(b);
		return limit(c);
	}
	*out = rg_funcs_buf_str(c, b);
	return 0;
}

/* --- simple wrappers of Go's strings package ---------------------------- */

static int map_runes(struct rg_node **out, struct rg_tmpl_call *c, struct rg_str s,
		     uint32_t (*f)(uint32_t))
{
	struct rg_buf b = RG_BUF_INIT(OUTCAP);
	int brc = 0;

	for (size_t i = 0; i < s.len && !brc;) {
		size_t w = 0;
		uint32_t r = dec_rune(s.ptr + i, s.len - i, &w);

		brc = add_rune(&b, r == 0xFFFD && w == 1 ? 0xFFFD : f(r));
		i += w;
	}
	return done(out, c, &b, brc);
}

static int fn_upper(struct rg_node **out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, size_t nargs)
{
	struct rg_str s;
	int rc = 0;

	RG_FUNCS_STR(s, 0);
	rc = map_runes(out, c, s, to_upper);
out:
	return rc;
}

static int fn_lower(struct rg_node **out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, size_t nargs)
{
	struct rg_str s;
	int rc = 0;

	RG_FUNCS_STR(s, 0);
	rc = map_runes(out, c, s, to_lower);
out:
	return rc;
}

/* strings.Title: upper-case the first letter of each word */
static int fn_title(struct rg_node **out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(OUTCAP);
	struct rg_str s;
	uint32_t prev = ' ';
	int rc = 0, brc = 0;

	RG_FUNCS_STR(s, 0);
	for (size_t i = 0; i < s.len && !brc;) {
		size_t w = 0;
		uint32_t r = dec_rune(s.ptr + i, s.len - i, &w);
		bool sep = prev < 0x80 ? !(is_letter(prev) || is_digit(prev) || prev == '_')
				       : !(is_letter(prev) || is_digit(prev)) && is_space(prev);

		brc = add_rune(&b, sep ? to_upper(r) : r);
		prev = r;
		i += w;
	}
	rc = done(out, c, &b, brc);
out:
	return rc;
}

static bool space_at(const char *s, size_t n, size_t *w)
{
	return is_space(dec_rune(s, n, w));
}

/* strings.TrimSpace */
static int fn_trim(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, size_t nargs)
{
	struct rg_str s;
	size_t st = 0, en = 0, w = 0;
	int rc = 0;

	RG_FUNCS_STR(s, 0);
	en = s.len;
	while (st < en && space_at(s.ptr + st, en - st, &w))
		st += w;
	while (en > st) {
		size_t k = en - 1;

		while (k > st && ((unsigned char)s.ptr[k] & 0xC0) == 0x80)
			k--;
		if (!space_at(s.ptr + k, en - k, &w) || k + w != en)
			break;
		en = k;
	}
	*out = rg_funcs_str(c, s.ptr + st, en - st);
out:
	return rc;
}

static bool in_cutset(uint32_t r, struct rg_str cut)
{
	for (size_t i = 0; i < cut.len;) {
		size_t w = 0;

		if (dec_rune(cut.ptr + i, cut.len - i, &w) == r)
			return true;
		i += w;
	}
	return false;
}

/* trimAll/trimall CUTSET S: strings.Trim(s, cutset) */
static int fn_trimall(struct rg_node **out, struct rg_tmpl_call *c,
		      struct rg_node *const *args, size_t nargs)
{
	struct rg_str cut, s;
	size_t st = 0, en = 0, w = 0;
	int rc = 0;

	RG_FUNCS_STR(cut, 0);
	RG_FUNCS_STR(s, 1);
	en = s.len;
	while (st < en && in_cutset(dec_rune(s.ptr + st, en - st, &w), cut))
		st += w;
	while (en > st) {
		size_t k = en - 1;
		uint32_t r;

		while (k > st && ((unsigned char)s.ptr[k] & 0xC0) == 0x80)
			k--;
		r = dec_rune(s.ptr + k, en - k, &w);
		if (k + w != en)
			r = 0xFFFD, k = en - 1;
		if (!in_cutset(r, cut))
			break;
		en = k;
	}
	*out = rg_funcs_str(c, s.ptr + st, en - st);
out:
	return rc;
}

static int fn_trim_prefix(struct rg_node **out, struct rg_tmpl_call *c,
			  struct rg_node *const *args, size_t nargs)
{
	struct rg_str p, s;
	int rc = 0;

	RG_FUNCS_STR(p, 0);
	RG_FUNCS_STR(s, 1);
	if (p.len <= s.len && memcmp(s.ptr, p.ptr, p.len) == 0)
		*out = rg_funcs_str(c, s.ptr + p.len, s.len - p.len);
	else
		*out = args[1];
out:
	return rc;
}

static int fn_trim_suffix(struct rg_node **out, struct rg_tmpl_call *c,
			  struct rg_node *const *args, size_t nargs)
{
	struct rg_str p, s;
	int rc = 0;

	RG_FUNCS_STR(p, 0);
	RG_FUNCS_STR(s, 1);
	if (p.len <= s.len && memcmp(s.ptr + s.len - p.len, p.ptr, p.len) == 0)
		*out = rg_funcs_str(c, s.ptr, s.len - p.len);
	else
		*out = args[1];
out:
	return rc;
}

static bool contains(struct rg_str s, struct rg_str sub)
{
	return sub.len == 0 || (sub.len <= s.len && memmem(s.ptr, s.len, sub.ptr, sub.len));
}

static int fn_contains(struct rg_node **out, struct rg_tmpl_call *c,
		       struct rg_node *const *args, size_t nargs)
{
	struct rg_str sub, s;
	int rc = 0;

	RG_FUNCS_STR(sub, 0);
	RG_FUNCS_STR(s, 1);
	*out = rg_node_bool(c->arena, contains(s, sub));
out:
	return rc;
}

static int fn_has_prefix(struct rg_node **out, struct rg_tmpl_call *c,
			 struct rg_node *const *args, size_t nargs)
{
	struct rg_str p, s;
	int rc = 0;

	RG_FUNCS_STR(p, 0);
	RG_FUNCS_STR(s, 1);
	*out = rg_node_bool(c->arena, p.len <= s.len && memcmp(s.ptr, p.ptr, p.len) == 0);
out:
	return rc;
}

static int fn_has_suffix(struct rg_node **out, struct rg_tmpl_call *c,
			 struct rg_node *const *args, size_t nargs)
{
	struct rg_str p, s;
	int rc = 0;

	RG_FUNCS_STR(p, 0);
	RG_FUNCS_STR(s, 1);
	*out = rg_node_bool(c->arena,
			    p.len <= s.len && memcmp(s.ptr + s.len - p.len, p.ptr, p.len) == 0);
out:
	return rc;
}

/* strings.Repeat with Go's panics and our output cap */
static int repeat(struct rg_buf *b, struct rg_tmpl_call *c, const char *s, size_t n,
		  int64_t count)
{
	int rc = 0;

	if (count < 0)
		return rg_tmpl_fail(c, "strings: negative Repeat count");
	if (n && (uint64_t)count > OUTCAP / n)
		return limit(c);
	rc = rg_tmpl_charge(c, (uint64_t)count / 64 + 1);
	for (int64_t i = 0; i < count && !rc; i++)
		if (rg_buf_add(b, s, n))
			rc = limit(c);
	return rc;
}

/* repeat COUNT STR */
static int fn_repeat(struct rg_node **out, struct rg_tmpl_call *c,
		     struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(OUTCAP);
	struct rg_str s;
	int64_t n = 0;
	int rc = 0;

	RG_FUNCS_INT(n, 0);
	RG_FUNCS_STR(s, 1);
	rc = repeat(&b, c, s.ptr, s.len, n);
	if (!rc)
		*out = rg_funcs_str(c, b.ptr, b.len);
out:
	rg_buf_release(&b);
	return rc;
}

/* strings.Replace(s, old, new, -1) into b */
static int replace_all(struct rg_buf *b, struct rg_str s, struct rg_str old, struct rg_str new)
{
	int brc = 0;
	size_t i = 0;

	if (old.len == 0) {
		/* insert new before every rune and at the end */
		while (i < s.len && !brc) {
			size_t w = 0;

			dec_rune(s.ptr + i, s.len - i, &w);
			brc = rg_buf_add(b, new.ptr, new.len);
			if (!brc)
				brc = rg_buf_add(b, s.ptr + i, w);
			i += w;
		}
		return brc ? brc : rg_buf_add(b, new.ptr, new.len);
	}
	while (!brc) {
		const char *hit = i < s.len ? memmem(s.ptr + i, s.len - i, old.ptr, old.len) : NULL;

		if (!hit)
			break;
		brc = rg_buf_add(b, s.ptr + i, (size_t)(hit - (s.ptr + i)));
		if (!brc)
			brc = rg_buf_add(b, new.ptr, new.len);
		i = (size_t)(hit - s.ptr) + old.len;
	}
	return brc ? brc : rg_buf_add(b, s.ptr + i, s.len - i);
}

/* replace OLD NEW SRC */
static int fn_replace(struct rg_node **out, struct rg_tmpl_call *c,
		      struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(OUTCAP);
	struct rg_str old, new, s;
	int rc = 0;

	RG_FUNCS_STR(old, 0);
	RG_FUNCS_STR(new, 1);
	RG_FUNCS_STR(s, 2);
	rc = done(out, c, &b, replace_all(&b, s, old, new));
out:
	rg_buf_release(&b);
	return rc;
}

/* indent N S: pad + s with every "\n" followed by pad */
static int indent(struct rg_node **out, struct rg_tmpl_call *c,
		  struct rg_node *const *args, bool leading_nl)
{
	struct rg_buf b = RG_BUF_INIT(OUTCAP), nlpad = RG_BUF_INIT(OUTCAP);
	struct rg_str s, nl = RG_STR_LIT("\n"), np;
	int64_t n = 0;
	int rc = 0, brc = 0;

	RG_FUNCS_INT(n, 0);
	RG_FUNCS_STR(s, 1);
	brc = rg_buf_addch(&nlpad, '\n');
	rc = repeat(&nlpad, c, " ", 1, n);
	if (rc)
		goto out;
	np.ptr = nlpad.ptr;
	np.len = nlpad.len;
	if (!leading_nl) {
		np.ptr++;
		np.len--;
	}
	brc = brc || rg_buf_add(&b, np.ptr, np.len);
	np.ptr = nlpad.ptr;
	np.len = nlpad.len;
	brc = brc || replace_all(&b, s, nl, np);
	rc = done(out, c, &b, brc);
out:
	rg_buf_release(&b);
	rg_buf_release(&nlpad);
	return rc;
}

static int fn_indent(struct rg_node **out, struct rg_tmpl_call *c,
		     struct rg_node *const *args, size_t nargs)
{
	return indent(out, c, args, false);
}

static int fn_nindent(struct rg_node **out, struct rg_tmpl_call *c,
		      struct rg_node *const *args, size_t nargs)
{
	return indent(out, c, args, true);
}

/* plural ONE MANY COUNT */
static int fn_plural(struct rg_node **out, struct rg_tmpl_call *c,
		     struct rg_node *const *args, size_t nargs)
{
	struct rg_str one, many;
	int64_t n = 0;
	int rc = 0;

	RG_FUNCS_STR(one, 0);
	RG_FUNCS_STR(many, 1);
	RG_FUNCS_INT(n, 2);
	*out = n == 1 ? args[0] : args[1];
out:
	return rc;
}

/* trunc C S: bytes; negative keeps the tail */
static int fn_trunc(struct rg_node **out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, size_t nargs)
{
	struct rg_str s;
	int64_t n = 0;
	int rc = 0;

	RG_FUNCS_INT(n, 0);
	RG_FUNCS_STR(s, 1);
	if (n < 0 && (int64_t)s.len + n > 0)
		*out = rg_funcs_str(c, s.ptr + s.len + n, (size_t)-n);
	else if (n >= 0 && (int64_t)s.len > n)
		*out = rg_funcs_str(c, s.ptr, (size_t)n);
	else
		*out = args[1];
out:
	return rc;
}

/* substr START END S with sprig's bounds and Go's slice panics */
static int fn_substr(struct rg_node **out, struct rg_tmpl_call *c,
		     struct rg_node *const *args, size_t nargs)
{
	struct rg_str s;
	int64_t st = 0, en = 0, len = 0;
	int rc = 0;

	RG_FUNCS_INT(st, 0);
	RG_FUNCS_INT(en, 1);
	RG_FUNCS_STR(s, 2);
	len = (int64_t)s.len;
	if (st < 0) {
		if (en < 0) {
			rc = rg_tmpl_fail(c, "runtime error: slice bounds out of range [:%lld]",
					  (long long)en);
		} else if (en > len) {
			rc = rg_tmpl_fail(c,
					  "runtime error: slice bounds out of range [:%lld] with length %lld",
					  (long long)en, (long long)len);
		} else {
			*out = rg_funcs_str(c, s.ptr, (size_t)en);
		}
		goto out;
	}
	if (en < 0 || en > len) {
		if (st > len)
			rc = rg_tmpl_fail(c, "runtime error: slice bounds out of range [%lld:%lld]",
					  (long long)st, (long long)len);
		else
			*out = rg_funcs_str(c, s.ptr + st, (size_t)(len - st));
		goto out;
	}
	if (st > en) {
		rc = rg_tmpl_fail(c, "runtime error: slice bounds out of range [%lld:%lld]",
				  (long long)st, (long long)en);
		goto out;
	}
	*out = rg_funcs_str(c, s.ptr + st, (size_t)(en - st));
out:
	return rc;
}

/* goutils DeleteWhiteSpace: works on bytes, each kept byte written as a rune */
static int fn_nospace(struct rg_node **out, struct rg_tmpl_call *c,
		      struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(OUTCAP);
	struct rg_str s;
	size_t kept = 0;
	int rc = 0, brc = 0;

	RG_FUNCS_STR(s, 0);
	for (size_t i = 0; i < s.len && !brc; i++) {
		uint32_t r = (unsigned char)s.ptr[i];

		if (!is_space(r)) {
			brc = add_rune(&b, r);
			kept++;
		}
	}
	if (kept == s.len) {
		*out = args[0];
		rg_buf_release(&b);
		goto out;
	}
	rc = done(out, c, &b, brc);
out:
	return rc;
}

/* goutils Initials: first byte of each space-separated word, as a rune */
static int fn_initials(struct rg_node **out, struct rg_tmpl_call *c,
		       struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(OUTCAP);
	struct rg_str s;
	bool gap = true;
	int rc = 0, brc = 0;

	RG_FUNCS_STR(s, 0);
	for (size_t i = 0; i < s.len && !brc; i++) {
		uint32_t r = (unsigned char)s.ptr[i];

		if (is_space(r)) {
			gap = true;
		} else if (gap) {
			brc = add_rune(&b, r);
			gap = false;
		}
	}
	rc = done(out, c, &b, brc);
out:
	return rc;
}

/* goutils Uncapitalize: lower-case the first rune of each space-separated word */
static int fn_untitle(struct rg_node **out, struct rg_tmpl_call *c,
		      struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(OUTCAP);
	struct rg_str s;
	bool next = true;
	int rc = 0, brc = 0;

	RG_FUNCS_STR(s, 0);
	for (size_t i = 0; i < s.len && !brc;) {
		size_t w = 0;
		uint32_t r = dec_rune(s.ptr + i, s.len - i, &w);

		if (is_space(r)) {
			next = true;
		} else if (next) {
			r = to_lower(r);
			next = false;
		}
		brc = add_rune(&b, r);
		i += w;
	}
	rc = done(out, c, &b, brc);
out:
	return rc;
}

/* goutils SwapCase */
static int fn_swapcase(struct rg_node **out, struct rg_tmpl_call *c,
		       struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(OUTCAP);
	struct rg_str s;
	int rc = 0, brc = 0;

	RG_FUNCS_STR(s, 0);
	for (size_t i = 0; i < s.len && !brc;) {
		size_t w = 0;
		uint32_t r = dec_rune(s.ptr + i, s.len - i, &w);

		/* goutils title-cases after whitespace; ToTitle is ToUpper in our ranges */
		if (is_upper(r))
			r = to_lower(r);
		else if (is_lower(r))
			r = to_upper(r);
		brc = add_rune(&b, r);
		i += w;
	}
	rc = done(out, c, &b, brc);
out:
	return rc;
}

/* --- xstrings: camelcase, snakecase, kebabcase -------------------------- */

static bool is_connector(uint32_t r)
{
	return r == '-' || r == '_' || is_space(r);
}

static bool is_alpha(uint32_t r)
{
	/* xstrings isAlphabet: a letter outside the CJK ranges */
	return is_letter(r) && !(r >= 0x4E00 && r <= 0x9FFF) && !(r >= 0x3400 && r <= 0x4DBF);
}

/* xstrings ToCamelCase */
static int fn_camelcase(struct rg_node **out, struct rg_tmpl_call *c,
			struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(OUTCAP);
	struct rg_str s;
	uint32_t r0 = 0, r1 = 0;
	size_t i = 0, w = 0;
	int rc = 0, brc = 0;

	RG_FUNCS_STR(s, 0);
	while (i < s.len) {
		r0 = dec_rune(s.ptr + i, s.len - i, &w);
		i += w;
		if (!is_connector(r0)) {
			r0 = to_upper(r0);
			break;
		}
		brc |= add_rune(&b, r0);
	}
	if (i >= s.len) {
		if (w != 0 && s.len)
			brc |= add_rune(&b, r0);
		rc = done(out, c, &b, brc);
		goto out;
	}
	while (i < s.len) {
		r1 = r0;
		r0 = dec_rune(s.ptr + i, s.len - i, &w);
		i += w;
		if (is_connector(r0) && is_connector(r1)) {
			brc |= add_rune(&b, r1);
			continue;
		}
		if (is_connector(r1)) {
			r0 = to_upper(r0);
		} else {
			r0 = to_lower(r0);
			brc |= add_rune(&b, r1);
		}
	}
	brc |= add_rune(&b, r0);
	rc = done(out, c, &b, brc);
out:
	return rc;
}

enum wtype { W_INVALID, W_NUMBER, W_UPPER, W_ALPHA, W_CONNECTOR, W_PUNCT, W_OTHER };

struct word {
	enum wtype t;
	const char *p;
	size_t n;
};

/* nextValidRune: skip bad bytes; at the end return prev */
static uint32_t valid_rune(const char *s, size_t n, uint32_t prev, size_t *size)
{
	size_t w = 0;

	*size = 0;
	while (n > 0) {
		uint32_t r = dec_rune(s, n, &w);

		*size += w;
		if (!(r == 0xFFFD && w == 1))
			return r;
		s += w;
		n -= w;
	}
	return prev;
}

/* xstrings nextWord on s[*pos..n) */
static struct word next_word(const char *s, size_t n, size_t *pos)
{
	struct word wd = { W_INVALID, s + *pos, 0 };
	const char *str = s + *pos, *rem = str;
	size_t len = n - *pos, remn = len, off = 0, size = 0;
	uint32_t r;

	if (len == 0)
		return wd;
	r = valid_rune(rem, remn, 0xFFFD, &size);
	off += size;
	if (r == 0xFFFD) {
		wd.n = off;
		*pos += off;
		return wd;
	}
#define ADVANCE(sz) (rem += (sz), remn -= (sz))
	if (is_connector(r)) {
		wd.t = W_CONNECTOR;
		ADVANCE(size);
		while (remn > 0) {
			r = valid_rune(rem, remn, r, &size);
			if (!is_connector(r))
				break;
			off += size;
			ADVANCE(size);
		}
	} else if (is_punct(r)) {
		wd.t = W_PUNCT;
		ADVANCE(size);
		while (remn > 0) {
			r = valid_rune(rem, remn, r, &size);
			if (!is_punct(r))
				break;
			off += size;
			ADVANCE(size);
		}
	} else if (is_upper(r)) {
		wd.t = W_UPPER;
		ADVANCE(size);
		if (remn > 0) {
			r = valid_rune(rem, remn, r, &size);
			if (is_upper(r)) {
				size_t prev = size;

				off += size;
				ADVANCE(size);
				while (remn > 0) {
					r = valid_rune(rem, remn, r, &size);
					if (!is_upper(r))
						break;
					prev = size;
					off += size;
					ADVANCE(size);
				}
				if (remn > 0 && is_alpha(r)) {
					off -= prev;
					rem = str + off;
					remn = len - off;
				}
			} else if (is_alpha(r)) {
				off += size;
				ADVANCE(size);
				while (remn > 0) {
					r = valid_rune(rem, remn, r, &size);
					if (!is_alpha(r) || is_upper(r))
						break;
					off += size;
					ADVANCE(size);
				}
			}
		}
	} else if (is_alpha(r)) {
		wd.t = W_ALPHA;
		ADVANCE(size);
		while (remn > 0) {
			r = valid_rune(rem, remn, r, &size);
			if (!is_alpha(r) || is_upper(r))
				break;
			off += size;
			ADVANCE(size);
		}
	} else if (is_number(r)) {
		wd.t = W_NUMBER;
		ADVANCE(size);
		while (remn > 0) {
			r = valid_rune(rem, remn, r, &size);
			if (!is_number(r))
				break;
			off += size;
			ADVANCE(size);
		}
	} else {
		wd.t = W_OTHER;
		ADVANCE(size);
		while (remn > 0) {
			r = valid_rune(rem, remn, r, &size);
			if (size == 0 || is_connector(r) || is_alpha(r) || is_number(r) || is_punct(r))
				break;
			off += size;
			ADVANCE(size);
		}
	}
#undef ADVANCE
	wd.n = off;
	*pos = (size_t)(rem - s);
	return wd;
}

static int word_lower(struct rg_buf *b, struct word w, uint32_t conn)
{
	int brc = 0;

	if (w.t != W_UPPER && w.t != W_CONNECTOR)
		return rg_buf_add(b, w.p, w.n);
	for (size_t i = 0; i < w.n && !brc;) {
		size_t k = 0;
		uint32_t r = dec_rune(w.p + i, w.n - i, &k);

		brc = add_rune(b, is_connector(r) ? conn : is_upper(r) ? to_lower(r) : r);
		i += k;
	}
	return brc;
}

/* xstrings camelCaseToLowerCase */
static int lower_case_words(struct rg_buf *b, struct rg_str s, uint32_t conn)
{
	size_t pos = 0;
	struct word w = next_word(s.ptr, s.len, &pos);
	int brc = 0;

	if (s.len == 0)
		return 0;
	while (pos < s.len && !brc) {
		struct word prev = w;

		if (w.t != W_CONNECTOR)
			brc |= word_lower(b, w, conn);
		w = next_word(s.ptr, s.len, &pos);
		switch (prev.t) {
		case W_NUMBER:
			while (w.t == W_ALPHA || w.t == W_NUMBER) {
				brc |= word_lower(b, w, conn);
				w = next_word(s.ptr, s.len, &pos);
			}
			if (w.t != W_INVALID && w.t != W_PUNCT)
				brc |= add_rune(b, conn);
			break;
		case W_CONNECTOR:
			brc |= word_lower(b, prev, conn);
			break;
		case W_PUNCT:
			break;
		default:
			if (w.t != W_NUMBER) {
				if (w.t != W_CONNECTOR && w.t != W_PUNCT)
					brc |= add_rune(b, conn);
				break;
			}
			if (pos >= s.len)
				break;
			{
				struct word last = w;

				w = next_word(s.ptr, s.len, &pos);
				if (w.t != W_ALPHA) {
					last.t = W_NUMBER;
					brc |= word_lower(b, last, conn);
					if (w.t != W_CONNECTOR && w.t != W_PUNCT)
						brc |= add_rune(b, conn);
					break;
				}
				brc |= add_rune(b, conn);
				last.t = W_NUMBER;
				brc |= word_lower(b, last, conn);
				while (w.t == W_ALPHA || w.t == W_NUMBER) {
					brc |= word_lower(b, w, conn);
					w = next_word(s.ptr, s.len, &pos);
				}
				if (w.t != W_INVALID && w.t != W_CONNECTOR && w.t != W_PUNCT)
					brc |= add_rune(b, conn);
			}
		}
	}
	brc |= word_lower(b, w, conn);
	return brc;
}

static int fn_snakecase(struct rg_node **out, struct rg_tmpl_call *c,
			struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(OUTCAP);
	struct rg_str s;
	int rc = 0;

	RG_FUNCS_STR(s, 0);
	rc = done(out, c, &b, lower_case_words(&b, s, '_'));
out:
	return rc;
}

static int fn_kebabcase(struct rg_node **out, struct rg_tmpl_call *c,
			struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(OUTCAP);
	struct rg_str s;
	int rc = 0;

	RG_FUNCS_STR(s, 0);
	rc = done(out, c, &b, lower_case_words(&b, s, '-'));
out:
	return rc;
}

/* --- goutils wrap and abbreviate ---------------------------------------- */

/* goutils WrapCustom (byte based) */
static int wrap(struct rg_buf *b, struct rg_str s, int64_t width, struct rg_str nl, bool long_words)
{
	size_t off = 0, n = s.len, wl = 0;
	int brc = 0;

	if (n == 0)
		return 0;
	if (nl.len == 0)
		nl = (struct rg_str)RG_STR_LIT("\n");
	wl = width < 1 ? 1 : (size_t)width;
	while (n - off > wl && !brc) {
		size_t end = 0, at = 0;
		const char *sp = NULL;

		if (s.ptr[off] == ' ') {
			off++;
			continue;
		}
		end = wl + off + 1;
		for (size_t k = end; k > off; k--)
			if (s.ptr[k - 1] == ' ') {
				sp = s.ptr + k - 1;
				break;
			}
		if (sp) {
			at = (size_t)(sp - s.ptr);
			brc |= rg_buf_add(b, s.ptr + off, at - off);
			brc |= rg_buf_add(b, nl.ptr, nl.len);
			off = at + 1;
		} else if (long_words) {
			brc |= rg_buf_add(b, s.ptr + off, wl);
			brc |= rg_buf_add(b, nl.ptr, nl.len);
			off += wl;
		} else {
			const char *next = memchr(s.ptr + wl + off, ' ', n - (wl + off));

			if (!next) {
				brc |= rg_buf_add(b, s.ptr + off, n - off);
				off = n;
			} else {
				at = (size_t)(next - s.ptr);
				brc |= rg_buf_add(b, s.ptr + off, at - off);
				brc |= rg_buf_add(b, nl.ptr, nl.len);
				off = at + 1;
			}
		}
	}
	return brc | rg_buf_add(b, s.ptr + off, n - off);
}

/* wrap WIDTH S */
static int fn_wrap(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(OUTCAP);
	struct rg_str s, none = { "", 0 };
	int64_t w = 0;
	int rc = 0;

	RG_FUNCS_INT(w, 0);
	RG_FUNCS_STR(s, 1);
	rc = done(out, c, &b, wrap(&b, s, w, none, false));
out:
	return rc;
}

/* wrapWith WIDTH SEP S */
static int fn_wrap_with(struct rg_node **out, struct rg_tmpl_call *c,
			struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(OUTCAP);
	struct rg_str s, sep;
	int64_t w = 0;
	int rc = 0;

	RG_FUNCS_INT(w, 0);
	RG_FUNCS_STR(sep, 1);
	RG_FUNCS_STR(s, 2);
	rc = done(out, c, &b, wrap(&b, s, w, sep, true));
out:
	return rc;
}

/* goutils AbbreviateFull; false when it would return its error ("") */
static bool abbreviate(struct rg_buf *b, const char *s, size_t n, int64_t off, int64_t maxw)
{
	int64_t len = (int64_t)n;

	if (n == 0)
		return true;
	if (maxw < 4)
		return false;
	if (len <= maxw)
		return rg_buf_add(b, s, n), true;
	if (off > len)
		off = len;
	if (len - off < maxw - 3)
		off = len - (maxw - 3);
	if (off <= 4) {
		rg_buf_add(b, s, (size_t)(maxw - 3));
		rg_buf_adds(b, "...");
		return true;
	}
	if (maxw < 7)
		return false;
	if (off + maxw - 3 < len) {
		struct rg_buf t = RG_BUF_INIT(OUTCAP);

		abbreviate(&t, s + off, (size_t)(len - off), 0, maxw - 3);
		rg_buf_adds(b, "...");
		rg_buf_add(b, t.ptr, t.len);
		rg_buf_release(&t);
		return true;
	}
	rg_buf_adds(b, "...");
	rg_buf_add(b, s + len - (maxw - 3), (size_t)(maxw - 3));
	return true;
}

/* abbrev WIDTH S */
static int fn_abbrev(struct rg_node **out, struct rg_tmpl_call *c,
		     struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(OUTCAP);
	struct rg_str s;
	int64_t w = 0;
	int rc = 0;

	RG_FUNCS_INT(w, 0);
	RG_FUNCS_STR(s, 1);
	if (w < 4) {
		*out = args[1];
		goto out;
	}
	abbreviate(&b, s.ptr, s.len, 0, w);
	rc = done(out, c, &b, 0);
out:
	rg_buf_release(&b);
	return rc;
}

/* abbrevboth LEFT RIGHT S */
static int fn_abbrevboth(struct rg_node **out, struct rg_tmpl_call *c,
			 struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(OUTCAP);
	struct rg_str s;
	int64_t l = 0, r = 0;
	int rc = 0;

	RG_FUNCS_INT(l, 0);
	RG_FUNCS_INT(r, 1);
	RG_FUNCS_STR(s, 2);
	if (r < 4 || (l > 0 && r < 7)) {
		*out = args[2];
		goto out;
	}
	if (!abbreviate(&b, s.ptr, s.len, l, r))
		rg_buf_reset(&b);
	rc = done(out, c, &b, 0);
out:
	rg_buf_release(&b);
	return rc;
}

/* --- quoting and joining ------------------------------------------------- */

/* quote ARGS...: %q of strval, nil arguments skipped */
static int fn_quote(struct rg_node **out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(OUTCAP);
	bool first = true;
	int rc = 0, brc = 0;

	for (size_t i = 0; i < nargs && !brc; i++) {
		struct rg_str s;

		if (rg_tmpl_isnil(args[i]))
			continue;
		rc = rg_funcs_strval(&s, c, args[i]);
		if (rc)
			goto out;
		if (!first)
			brc = rg_buf_addch(&b, ' ');
		first = false;
		if (!brc)
			brc = rg_gofmt_quote(&b, s.ptr, s.len);
	}
	rc = done(out, c, &b, brc);
out:
	rg_buf_release(&b);
	return rc;
}

/* squote ARGS...: '%v', nil arguments skipped, no escaping */
static int fn_squote(struct rg_node **out, struct rg_tmpl_call *c,
		     struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(OUTCAP);
	bool first = true;
	int brc = 0;

	for (size_t i = 0; i < nargs && !brc; i++) {
		if (rg_tmpl_isnil(args[i]))
			continue;
		if (!first)
			brc = rg_buf_addch(&b, ' ');
		first = false;
		brc = brc || rg_buf_addch(&b, '\'');
		brc = brc || rg_gofmt_value(&b, rg_tmpl_exec_set(c), args[i]);
		brc = brc || rg_buf_addch(&b, '\'');
	}
	return done(out, c, &b, brc);
}

/* cat ARGS...: %v of each non-nil argument, joined by spaces */
static int fn_cat(struct rg_node **out, struct rg_tmpl_call *c,
		  struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(OUTCAP);
	bool first = true;
	int brc = 0;

	for (size_t i = 0; i < nargs && !brc; i++) {
		if (rg_tmpl_isnil(args[i]))
			continue;
		if (!first)
			brc = rg_buf_addch(&b, ' ');
		first = false;
		brc = brc || rg_gofmt_value(&b, rg_tmpl_exec_set(c), args[i]);
	}
	return done(out, c, &b, brc);
}

/* sprig strslice: []string of a value */
static int strslice(struct rg_node **out, struct rg_tmpl_call *c, struct rg_node *v)
{
	struct rg_node *l = rg_tmpl_typed(rg_node_seq(c->arena), RG_GT_STRSLICE);
	int rc = 0;

	if (rg_tmpl_isnil(v))
		goto done;
	if (v->kind == RG_SEQ || (v->kind == RG_STR && v->tag == RG_GT_BYTES)) {
		size_t n = 0;
		struct rg_node **items = rg_funcs_list_items(c, v, &n);

		if (v->tag == RG_GT_STRSLICE) {
			*out = v;
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			struct rg_str s;

			if (rg_tmpl_isnil(items[i]))
				continue;
			rc = rg_funcs_strval(&s, c, items[i]);
			if (rc)
				goto out;
			rg_seq_push(c->arena, l, rg_node_strn(c->arena, s.ptr, s.len));
		}
	} else {
		struct rg_str s;

		rc = rg_funcs_strval(&s, c, v);
		if (rc)
			goto out;
		rg_seq_push(c->arena, l, rg_node_strn(c->arena, s.ptr, s.len));
	}
done:
	*out = l;
out:
	return rc;
}

static int fn_to_strings(struct rg_node **out, struct rg_tmpl_call *c,
			 struct rg_node *const *args, size_t nargs)
{
	return strslice(out, c, args[0]);
}

static int fn_to_string(struct rg_node **out, struct rg_tmpl_call *c,
			struct rg_node *const *args, size_t nargs)
{
	struct rg_str s;
	int rc = rg_funcs_strval(&s, c, args[0]);

	if (!rc)
		*out = rg_funcs_str(c, s.ptr, s.len);
	return rc;
}

/* join SEP LIST */
static int fn_join(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(OUTCAP);
	struct rg_node *l = NULL;
	struct rg_str sep;
	int rc = 0, brc = 0;

	RG_FUNCS_STR(sep, 0);
	rc = strslice(&l, c, args[1]);
	if (rc)
		goto out;
	for (size_t i = 0; i < l->u.seq.len && !brc; i++) {
		if (i)
			brc = rg_buf_add(&b, sep.ptr, sep.len);
		brc = brc || rg_buf_add(&b, l->u.seq.items[i]->u.s.ptr, l->u.seq.items[i]->u.s.len);
	}
	rc = done(out, c, &b, brc);
out:
	rg_buf_release(&b);
	return rc;
}

static int strcmp_nodes(const void *x, const void *y)
{
	const struct rg_node *const *a = x, *const *b = y;
	size_t l = (*a)->u.s.len < (*b)->u.s.len ? (*a)->u.s.len : (*b)->u.s.len;
	int r = memcmp((*a)->u.s.ptr, (*b)->u.s.ptr, l);

	if (r)
		return r;
	return (*a)->u.s.len < (*b)->u.s.len ? -1 : (*a)->u.s.len > (*b)->u.s.len;
}

/* sortAlpha LIST: []string sorted by bytes; a non-list gives [strval] */
static int fn_sort_alpha(struct rg_node **out, struct rg_tmpl_call *c,
			 struct rg_node *const *args, size_t nargs)
{
	struct rg_node *v = args[0];
	struct rg_node *l = NULL, *r = NULL;
	int rc = 0;

	if (!rg_tmpl_isnil(v) && (v->kind == RG_SEQ || (v->kind == RG_STR && v->tag == RG_GT_BYTES))) {
		rc = strslice(&l, c, v);
		if (rc)
			goto out;
		r = rg_tmpl_typed(rg_node_seq(c->arena), RG_GT_STRSLICE);
		for (size_t i = 0; i < l->u.seq.len; i++)
			rg_seq_push(c->arena, r, l->u.seq.items[i]);
		if (r->u.seq.len)
			qsort(r->u.seq.items, r->u.seq.len, sizeof(*r->u.seq.items), strcmp_nodes);
		/* sort.Sort sorts the caller's []string in place too */
		if (v->tag == RG_GT_STRSLICE && r->u.seq.len)
			memcpy(v->u.seq.items, r->u.seq.items, r->u.seq.len * sizeof(*r->u.seq.items));
	} else {
		struct rg_str s;

		rc = rg_funcs_strval(&s, c, v);
		if (rc)
			goto out;
		r = rg_tmpl_typed(rg_node_seq(c->arena), RG_GT_STRSLICE);
		rg_seq_push(c->arena, r, rg_node_strn(c->arena, s.ptr, s.len));
	}
	*out = r;
out:
	return rc;
}

/*
 * strings.SplitN(s, sep, n) calling fn for each part; n < 0 all parts,
 * n == 0 none. An empty sep splits into runes.
 */
static void split_n(struct rg_tmpl_call *c, struct rg_str s, struct rg_str sep, int64_t n,
		    void (*fn)(struct rg_tmpl_call *, struct rg_node *, size_t, const char *, size_t),
		    struct rg_node *acc)
{
	size_t i = 0, count = 0;

	if (n == 0)
		return;
	if (sep.len == 0) {
		while (i < s.len) {
			size_t w = 0;

			if (n > 0 && (int64_t)count == n - 1) {
				fn(c, acc, count++, s.ptr + i, s.len - i);
				return;
			}
			dec_rune(s.ptr + i, s.len - i, &w);
			fn(c, acc, count++, s.ptr + i, w);
			i += w;
		}
		return;
	}
	for (;;) {
		const char *hit = NULL;

		if (n > 0 && (int64_t)count == n - 1)
			break;
		hit = sep.len <= s.len - i ? memmem(s.ptr + i, s.len - i, sep.ptr, sep.len) : NULL;
		if (!hit)
			break;
		fn(c, acc, count++, s.ptr + i, (size_t)(hit - (s.ptr + i)));
		i = (size_t)(hit - s.ptr) + sep.len;
	}
	fn(c, acc, count, s.ptr + i, s.len - i);
}

static void push_part(struct rg_tmpl_call *c, struct rg_node *l, size_t i, const char *p, size_t n)
{
	(void)i;
	rg_seq_push(c->arena, l, rg_node_strn(c->arena, p, n));
}

static void map_part(struct rg_tmpl_call *c, struct rg_node *m, size_t i, const char *p, size_t n)
{
	char key[32];
	int kl = snprintf(key, sizeof(key), "_%zu", i);

	rg_map_set(c->arena, m, key, (size_t)kl, rg_node_strn(c->arena, p, n));
}

/* splitList SEP S: []string */
static int fn_split_list(struct rg_node **out, struct rg_tmpl_call *c,
			 struct rg_node *const *args, size_t nargs)
{
	struct rg_str sep, s;
	int rc = 0;

	RG_FUNCS_STR(sep, 0);
	RG_FUNCS_STR(s, 1);
	*out = rg_tmpl_typed(rg_node_seq(c->arena), RG_GT_STRSLICE);
	split_n(c, s, sep, -1, push_part, *out);
out:
	return rc;
}

/* split SEP S: map[string]string {_0: .., _1: ..} */
static int fn_split(struct rg_node **out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, size_t nargs)
{
	struct rg_str sep, s;
	int rc = 0;

	RG_FUNCS_STR(sep, 0);
	RG_FUNCS_STR(s, 1);
	*out = rg_tmpl_typed(rg_node_map(c->arena), RG_GT_STRMAP);
	split_n(c, s, sep, -1, map_part, *out);
out:
	return rc;
}

/* splitn SEP N S */
static int fn_splitn(struct rg_node **out, struct rg_tmpl_call *c,
		     struct rg_node *const *args, size_t nargs)
{
	struct rg_str sep, s;
	int64_t n = 0;
	int rc = 0;

	RG_FUNCS_STR(sep, 0);
	RG_FUNCS_INT(n, 1);
	RG_FUNCS_STR(s, 2);
	*out = rg_tmpl_typed(rg_node_map(c->arena), RG_GT_STRMAP);
	split_n(c, s, sep, n, map_part, *out);
out:
	return rc;
}

static int fn_hello(struct rg_node **out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, size_t nargs)
{
	*out = rg_node_str(c->arena, "Hello!");
	return 0;
}

const struct rg_tmpl_func rg_funcs_strings[] = {
	{ "hello", fn_hello, 0, 0, 0 },
	{ "abbrev", fn_abbrev, 2, 2, 0 },
	{ "abbrevboth", fn_abbrevboth, 3, 3, 0 },
	{ "trunc", fn_trunc, 2, 2, 0 },
	{ "trim", fn_trim, 1, 1, 0 },
	{ "upper", fn_upper, 1, 1, 0 },
	{ "lower", fn_lower, 1, 1, 0 },
	{ "title", fn_title, 1, 1, 0 },
	{ "untitle", fn_untitle, 1, 1, 0 },
	{ "substr", fn_substr, 3, 3, 0 },
	{ "repeat", fn_repeat, 2, 2, 0 },
	{ "trimall", fn_trimall, 2, 2, 0 },
	{ "trimAll", fn_trimall, 2, 2, 0 },
	{ "trimSuffix", fn_trim_suffix, 2, 2, 0 },
	{ "trimPrefix", fn_trim_prefix, 2, 2, 0 },
	{ "nospace", fn_nospace, 1, 1, 0 },
	{ "initials", fn_initials, 1, 1, 0 },
	{ "swapcase", fn_swapcase, 1, 1, 0 },
	{ "snakecase", fn_snakecase, 1, 1, 0 },
	{ "camelcase", fn_camelcase, 1, 1, 0 },
	{ "kebabcase", fn_kebabcase, 1, 1, 0 },
	{ "wrap", fn_wrap, 2, 2, 0 },
	{ "wrapWith", fn_wrap_with, 3, 3, 0 },
	{ "contains", fn_contains, 2, 2, 0 },
	{ "hasPrefix", fn_has_prefix, 2, 2, 0 },
	{ "hasSuffix", fn_has_suffix, 2, 2, 0 },
	{ "quote", fn_quote, 0, -1, 0 },
	{ "squote", fn_squote, 0, -1, 0 },
	{ "cat", fn_cat, 0, -1, 0 },
	{ "indent", fn_indent, 2, 2, 0 },
	{ "nindent", fn_nindent, 2, 2, 0 },
	{ "replace", fn_replace, 3, 3, 0 },
	{ "plural", fn_plural, 3, 3, 0 },
	{ "toString", fn_to_string, 1, 1, 0 },
	{ "toStrings", fn_to_strings, 1, 1, 0 },
	{ "split", fn_split, 2, 2, 0 },
	{ "splitList", fn_split_list, 2, 2, 0 },
	{ "splitn", fn_splitn, 3, 3, 0 },
	{ "join", fn_join, 2, 2, 0 },
	{ "sortAlpha", fn_sort_alpha, 1, 1, 0 },
	{ NULL, NULL, 0, 0, 0 },
};
