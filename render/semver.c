#include "rendergate/compat.h"
#include "rendergate/semver.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/regex.h"

#include <inttypes.h>

/* The library's regular expressions (semver v3.1.1 version.go, constraints.go). */
#define PRE_META                                                               \
	"(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?"                           \
	"(\\+([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?"
#define SEMVER_RE "v?([0-9]+)(\\.[0-9]+)?(\\.[0-9]+)?" PRE_META
#define CV_RE "v?([0-9|x|X|\\*]+)(\\.[0-9|x|X|\\*]+)?(\\.[0-9|x|X|\\*]+)?" PRE_META
#define OPS_RE "=||!=|>|<|>=|=>|<=|=<|~|~>|\\^"

static const char version_re[] = "^" SEMVER_RE "$";
static const char constraint_re[] = "^\\s*(" OPS_RE ")\\s*(" CV_RE ")\\s*$";
static const char range_re[] = "\\s*(" CV_RE ")\\s+-\\s+(" CV_RE ")\\s*";
static const char find_re[] = "(" OPS_RE ")\\s*(" CV_RE ")";
static const char valid_re[] = "^(\\s*(" OPS_RE ")\\s*(" CV_RE ")\\s*\\,?)+$";

enum op { OP_TILDE_OR_EQ, OP_NE, OP_GT, OP_LT, OP_GE, OP_LE, OP_TILDE, OP_CARET };

struct cons {
	struct rg_semver con;
	struct rg_str orig;
	enum op op;
	bool minor_dirty, dirty, patch_dirty;
};

struct cgroup {
	struct cons *items;
	size_t len;
};

struct rg_semver_constraints {
	struct cgroup *groups;
	size_t len;
};

#define M_LEN(m, g) ((m)[2 * (g)] == SIZE_MAX ? 0 : (m)[2 * (g) + 1] - (m)[2 * (g)])
#define M_PTR(s, m, g) ((m)[2 * (g)] == SIZE_MAX ? "" : (s) + (m)[2 * (g)])

/*
 * The fixed patterns compile once per process and stay: charts call
 * semverCompare in loops, and compiling four patterns per call cost more
 * than the rest of the comparison. Nothing runs in parallel, and no
 * pattern is used inside a match of itself.
 */
static int compile(struct rg_regex **re, const char *pat, struct rg_err *err)
{
	static struct {
		const char *pat;
		struct rg_regex *re;
	} cache[8];
	size_t i;
	int rc;

	for (i = 0; i < RG_ARRAY_SIZE(cache) && cache[i].pat; i++)
		if (cache[i].pat == pat) {
			*re = cache[i].re;
			return 0;
		}
	if (i == RG_ARRAY_SIZE(cache))
		RG_BUG("semver: more patterns than the cache holds");
	rc = rg_regex_compile(re, pat, strlen(pat), err);
	if (rc)
		RG_BUG("semver pattern failed to compile: %s", err ? err->msg : "");
	cache[i].pat = pat;
	cache[i].re = *re;
	return rc;
}

static bool only_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool only_allowed(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z') || c == '-'))
			return false;
	}
	return true;
}

/* validatePrerelease (meta=false) / validateMetadata (meta=true) */
static int validate_ids(const char *s, size_t n, bool meta, struct rg_err *err)
{
	size_t i = 0;

	while (i <= n) {
		const char *dot = memchr(s + i, '.', n - i);
		size_t l = dot ? (size_t)(dot - (s + i)) : n - i;

		if (meta) {
			if (!only_allowed(s + i, l))
				return rg_err_set(err, RG_EPARSE, NULL, "Invalid Metadata string");
		} else if (only_digits(s + i, l)) {
			if (l > 1 && s[i] == '0')
				return rg_err_set(err, RG_EPARSE, NULL,
						  "Version segment starts with 0");
		} else if (!only_allowed(s + i, l)) {
			return rg_err_set(err, RG_EPARSE, NULL, "Invalid Prerelease string");
		}
		i += l + 1;
	}
	return 0;
}

/* strconv.ParseUint(s, 10, 64) on digits only */
static int parse_u64(uint64_t *out, const char *s, size_t n, struct rg_err *err)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return rg_err_set(err, RG_EPARSE, NULL,
					  "Error parsing version segment: strconv.ParseUint: "
					  "parsing \"%.*s\": value out of range",
					  (int)n, s);
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static struct rg_str astr(struct rg_arena *a, const char *s, size_t n)
{
	struct rg_str r = { rg_arena_strndup(a, s, n), n };

	return r;
}

int rg_semver_parse(struct rg_semver *out, struct rg_arena *a, const char *s,
		    size_t len, struct rg_err *err)
{
	struct rg_regex *re = NULL;
	size_t m[2 * 10];
	struct rg_semver v;
	int rc = 0;

	memset(&v, 0, sizeof(v));
	if (len > RG_CAP_SEMVER_BYTES) {
		rc = rg_err_set(err, RG_ELIMIT, NULL,
				"version longer than %u bytes (RG_CAP_SEMVER_BYTES)",
				RG_CAP_SEMVER_BYTES);
		goto out;
	}
	rc = compile(&re, version_re, err);
	if (rc)
		goto out;
	rc = rg_regex_exec(re, s, len, 0, m, err);
	if (rc < 0)
		goto out;
	if (rc == 0) {
		rc = rg_err_set(err, RG_EPARSE, NULL, "Invalid Semantic Version");
		goto out;
	}
	rc = parse_u64(&v.major, M_PTR(s, m, 1), M_LEN(m, 1), err);
	if (!rc && M_LEN(m, 2))
		rc = parse_u64(&v.minor, M_PTR(s, m, 2) + 1, M_LEN(m, 2) - 1, err);
	if (!rc && M_LEN(m, 3))
		rc = parse_u64(&v.patch, M_PTR(s, m, 3) + 1, M_LEN(m, 3) - 1, err);
	if (rc)
		goto out;
	v.pre = astr(a, M_PTR(s, m, 5), M_LEN(m, 5));
	v.meta = astr(a, M_PTR(s, m, 8), M_LEN(m, 8));
	v.original = astr(a, s, len);
	if (v.pre.len)
		rc = validate_ids(v.pre.ptr, v.pre.len, false, err);
	if (!rc && v.meta.len)
		rc = validate_ids(v.meta.ptr, v.meta.len, true, err);
	if (rc)
		goto out;
	*out = v;
out:
	return rc;
}

int rg_semver_parse_strict(struct rg_semver *out, struct rg_arena *a,
			   const char *s, size_t len, struct rg_err *err)
{
	const char *d1 = NULL, *d2 = NULL, *end = s + len, *p3end = NULL;
	const char *plus = NULL, *dash = NULL;
	struct rg_semver v;
	struct { const char *p; size_t n; } part[3];
	int rc = 0;

	memset(&v, 0, sizeof(v));
	if (len == 0) {
		rc = rg_err_set(err, RG_EPARSE, NULL, "Version string empty");
		goto out;
	}
	d1 = memchr(s, '.', len);
	d2 = d1 ? memchr(d1 + 1, '.', (size_t)(end - d1 - 1)) : NULL;
	if (!d2) {
		rc = rg_err_set(err, RG_EPARSE, NULL, "Invalid Semantic Version");
		goto out;
	}
	p3end = end;
	plus = memchr(d2 + 1, '+', (size_t)(end - d2 - 1));
	if (plus) {
		v.meta = astr(a, plus + 1, (size_t)(end - plus - 1));
		p3end = plus;
	}
	dash = memchr(d2 + 1, '-', (size_t)(p3end - d2 - 1));
	if (dash) {
		v.pre = astr(a, dash + 1, (size_t)(p3end - dash - 1));
		p3end = dash;
	}
	part[0].p = s, part[0].n = (size_t)(d1 - s);
	part[1].p = d1 + 1, part[1].n = (size_t)(d2 - d1 - 1);
	part[2].p = d2 + 1, part[2].n = (size_t)(p3end - d2 - 1);
	for (int i = 0; i < 3; i++) {
		if (!only_digits(part[i].p, part[i].n)) {
			rc = rg_err_set(err, RG_EPARSE, NULL, "Invalid characters in version");
			goto out;
		}
		if (part[i].n > 1 && part[i].p[0] == '0') {
			rc = rg_err_set(err, RG_EPARSE, NULL, "Version segment starts with 0");
			goto out;
		}
		if (part[i].n == 0) {
			/* strconv.ParseUint("") */
			rc = rg_err_set(err, RG_EPARSE, NULL,
					"strconv.ParseUint: parsing \"\": invalid syntax");
			goto out;
		}
	}
	rc = parse_u64(&v.major, part[0].p, part[0].n, err);
	if (!rc)
		rc = parse_u64(&v.minor, part[1].p, part[1].n, err);
	if (!rc)
		rc = parse_u64(&v.patch, part[2].p, part[2].n, err);
	if (!rc && v.pre.len)
		rc = validate_ids(v.pre.ptr, v.pre.len, false, err);
	if (!rc && v.meta.len)
		rc = validate_ids(v.meta.ptr, v.meta.len, true, err);
	if (rc)
		goto out;
	if (!v.pre.ptr)
		v.pre = astr(a, "", 0);
	if (!v.meta.ptr)
		v.meta = astr(a, "", 0);
	v.original = astr(a, s, len);
	*out = v;
out:
	return rc;
}

static int cmp_u64(uint64_t x, uint64_t y)
{
	return x < y ? -1 : x > y ? 1 : 0;
}

static bool u64_of(const char *s, size_t n, uint64_t *out)
{
	struct rg_err e = RG_ERR_INIT;

	return n > 0 && only_digits(s, n) && parse_u64(out, s, n, &e) == 0;
}

/* comparePrePart */
static int cmp_pre_part(const char *s, size_t sn, const char *o, size_t on)
{
	uint64_t si = 0, oi = 0;
	bool sn_ok, on_ok;

	if (sn == on && memcmp(s, o, sn) == 0)
		return 0;
	if (sn == 0)
		return -1;
	if (on == 0)
		return 1;
	on_ok = u64_of(o, on, &oi);
	sn_ok = u64_of(s, sn, &si);
	if (!on_ok && !sn_ok) {
		size_t l = sn < on ? sn : on;
		int c = memcmp(s, o, l);

		return c > 0 || (c == 0 && sn > on) ? 1 : -1;
	}
	if (!on_ok)
		return -1;
	if (!sn_ok)
		return 1;
	return si > oi ? 1 : -1;
}

/* comparePrerelease: dot-separated parts, missing parts are "" */
static int cmp_pre(struct rg_str x, struct rg_str y)
{
	size_t i = 0, j = 0;
	bool xdone = false, ydone = false;

	while (!xdone || !ydone) {
		const char *xd = xdone ? NULL : memchr(x.ptr + i, '.', x.len - i);
		const char *yd = ydone ? NULL : memchr(y.ptr + j, '.', y.len - j);
		size_t xl = xdone ? 0 : xd ? (size_t)(xd - (x.ptr + i)) : x.len - i;
		size_t yl = ydone ? 0 : yd ? (size_t)(yd - (y.ptr + j)) : y.len - j;
		int d = cmp_pre_part(xdone ? "" : x.ptr + i, xl, ydone ? "" : y.ptr + j, yl);

		if (d)
			return d;
		if (!xdone) {
			i += xl + 1;
			xdone = !xd;
		}
		if (!ydone) {
			j += yl + 1;
			ydone = !yd;
		}
	}
	return 0;
}

int rg_semver_compare(const struct rg_semver *x, const struct rg_semver *y)
{
	int d = cmp_u64(x->major, y->major);

	if (!d)
		d = cmp_u64(x->minor, y->minor);
	if (!d)
		d = cmp_u64(x->patch, y->patch);
	if (d)
		return d;
	if (!x->pre.len && !y->pre.len)
		return 0;
	if (!x->pre.len)
		return 1;
	if (!y->pre.len)
		return -1;
	return cmp_pre(x->pre, y->pre);
}

int rg_semver_format(struct rg_buf *out, const struct rg_semver *v)
{
	int rc = rg_buf_addf(out, "%" PRIu64 ".%" PRIu64 ".%" PRIu64, v->major,
			     v->minor, v->patch);

	if (!rc && v->pre.len)
		rc = rg_buf_addf(out, "-%s", v->pre.ptr);
	if (!rc && v->meta.len)
		rc = rg_buf_addf(out, "+%s", v->meta.ptr);
	return rc;
}

static bool is_x(const char *s, size_t n)
{
	return n == 1 && (*s == 'x' || *s == 'X' || *s == '*');
}

static enum op op_of(const char *s, size_t n)
{
	static const struct { const char *s; enum op op; } tab[] = {
		{ "", OP_TILDE_OR_EQ }, { "=", OP_TILDE_OR_EQ }, { "!=", OP_NE },
		{ ">", OP_GT },		{ "<", OP_LT },		 { ">=", OP_GE },
		{ "=>", OP_GE },	{ "<=", OP_LE },	 { "=<", OP_LE },
		{ "~", OP_TILDE },	{ "~>", OP_TILDE },	 { "^", OP_CARET },
	};

	for (size_t i = 0; i < RG_ARRAY_SIZE(tab); i++)
		if (strlen(tab[i].s) == n && memcmp(tab[i].s, s, n) == 0)
			return tab[i].op;
	return OP_TILDE_OR_EQ;
}

static int parse_one(struct cons *c, struct rg_arena *a, const struct rg_regex *cre,
		     const char *s, size_t n, struct rg_err *err)
{
	size_t m[2 * 12];
	char *ver = NULL;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	if (n == 0) {
		c->orig = astr(a, "", 0);
		c->dirty = true;
		c->con.pre = c->con.meta = c->con.original = astr(a, "", 0);
		goto out;
	}
	rc = rg_regex_exec(cre, s, n, 0, m, err);
	if (rc < 0)
		goto out;
	if (rc == 0) {
		rc = rg_err_set(err, RG_EPARSE, NULL, "improper constraint: %.*s", (int)n, s);
		goto out;
	}
	rc = 0;
	c->orig = astr(a, M_PTR(s, m, 2), M_LEN(m, 2));
	c->op = op_of(M_PTR(s, m, 1), M_LEN(m, 1));
	if (M_LEN(m, 3) == 0 || is_x(M_PTR(s, m, 3), M_LEN(m, 3))) {
		ver = rg_arena_strdup(a, "0.0.0");
		c->dirty = true;
	} else if (M_LEN(m, 4) == 0 || is_x(M_PTR(s, m, 4) + 1, M_LEN(m, 4) - 1)) {
		c->minor_dirty = c->dirty = true;
		ver = rg_arena_printf(a, "%.*s.0.0%.*s", (int)M_LEN(m, 3), M_PTR(s, m, 3),
				      (int)M_LEN(m, 6), M_PTR(s, m, 6));
	} else if (M_LEN(m, 5) == 0 || is_x(M_PTR(s, m, 5) + 1, M_LEN(m, 5) - 1)) {
		c->patch_dirty = c->dirty = true;
		ver = rg_arena_printf(a, "%.*s%.*s.0%.*s", (int)M_LEN(m, 3), M_PTR(s, m, 3),
				      (int)M_LEN(m, 4), M_PTR(s, m, 4), (int)M_LEN(m, 6),
				      M_PTR(s, m, 6));
	} else {
		ver = rg_arena_strndup(a, M_PTR(s, m, 2), M_LEN(m, 2));
	}
	if (rg_semver_parse(&c->con, a, ver, strlen(ver), err)) {
		rc = rg_err_set(err, RG_EPARSE, NULL, "constraint Parser Error");
		goto out;
	}
out:
	return rc;
}

/* rewriteRange: "A - B" becomes ">= A, <= B" (first occurrence of each match text) */
static int rewrite_range(struct rg_buf *o, struct rg_regex *rre, const char *s,
			 size_t n, struct rg_err *err)
{
	size_t m[2 * 22];
	size_t pos = 0;
	int rc = rg_buf_add(o, s, n);

	while (!rc && pos <= n) {
		struct rg_buf t = RG_BUF_INIT(2 * RG_CAP_SEMVER_BYTES + 64);
		const char *hit = NULL;
		size_t mlen = 0;

		rc = rg_regex_exec(rre, s, n, pos, m, err);
		if (rc <= 0)
			break;
		rc = 0;
		mlen = m[1] - m[0];
		rg_buf_addf(&t, ">= %.*s, <= %.*s", (int)M_LEN(m, 1), M_PTR(s, m, 1),
			    (int)M_LEN(m, 11), M_PTR(s, m, 11));
		hit = mlen ? memmem(o->ptr, o->len, s + m[0], mlen) : o->ptr;
		if (hit) {
			struct rg_buf r = RG_BUF_INIT(o->cap);
			size_t at = (size_t)(hit - o->ptr);

			rg_buf_add(&r, o->ptr, at);
			rg_buf_add(&r, t.ptr, t.len);
			rg_buf_add(&r, o->ptr + at + mlen, o->len - at - mlen);
			rg_buf_reset(o);
			rc = rg_buf_add(o, r.ptr, r.len);
			rg_buf_release(&r);
		}
		rg_buf_release(&t);
		pos = m[1] > m[0] ? m[1] : m[1] + 1;
	}
	return rc < 0 ? rc : 0;
}

struct find_ctx {
	struct rg_arena *a;
	const struct rg_regex *cre;
	const char *s;
	struct cgroup *g;
	size_t alloc;
	struct rg_err *err;
};

static int add_found(void *vctx, const size_t *m)
{
	struct find_ctx *f = vctx;
	struct cons c;
	int rc = parse_one(&c, f->a, f->cre, f->s + m[0], m[1] - m[0], f->err);

	if (rc)
		return rc;
	if (f->g->len == f->alloc) {
		size_t na = f->alloc ? 2 * f->alloc : 4;

		f->g->items = rg_arena_grow(f->a, f->g->items, f->g->len, na, sizeof(c));
		f->alloc = na;
	}
	f->g->items[f->g->len++] = c;
	return 0;
}

int rg_semver_constraints_parse(struct rg_semver_constraints **out,
				struct rg_arena *a, const char *s, size_t len,
				struct rg_err *err)
{
	struct rg_regex *cre = NULL, *rre = NULL, *fre = NULL, *vre = NULL;
	struct rg_buf rw = RG_BUF_INIT(4 * RG_CAP_SEMVER_BYTES);
	struct rg_semver_constraints *cs = NULL;
	size_t nor = 1;
	int rc = 0;

	if (len > RG_CAP_SEMVER_BYTES) {
		rc = rg_err_set(err, RG_ELIMIT, NULL,
				"constraint longer than %u bytes (RG_CAP_SEMVER_BYTES)",
				RG_CAP_SEMVER_BYTES);
		goto out;
	}
	if ((rc = compile(&cre, constraint_re, err)) || (rc = compile(&rre, range_re, err)) ||
	    (rc = compile(&fre, find_re, err)) || (rc = compile(&vre, valid_re, err)))
		goto out;
	rc = rewrite_range(&rw, rre, s, len, err);
	if (rc)
		goto out;
	for (size_t i = 0; i + 1 < rw.len; i++)
		if (rw.ptr[i] == '|' && rw.ptr[i + 1] == '|')
			nor++, i++;
	cs = rg_arena_alloc(a, sizeof(*cs));
	cs->groups = rg_arena_calloc(a, nor, sizeof(struct cgroup));
	{
		size_t start = 0;

		for (size_t k = 0; k < nor; k++) {
			const char *bar = NULL;
			size_t end = rw.len;
			bool valid = false;
			struct find_ctx f = { a, cre, NULL, &cs->groups[k], 0, err };

			for (size_t i = start; i + 1 < rw.len; i++)
				if (rw.ptr[i] == '|' && rw.ptr[i + 1] == '|') {
					bar = rw.ptr + i;
					break;
				}
			if (bar)
				end = (size_t)(bar - rw.ptr);
			f.s = rw.ptr + start;
			rc = rg_regex_match(&valid, vre, f.s, end - start, err);
			if (rc)
				goto out;
			if (!valid) {
				rc = rg_err_set(err, RG_EPARSE, NULL, "improper constraint: %.*s",
						(int)(end - start), f.s);
				goto out;
			}
			rc = rg_regex_find_all(fre, f.s, end - start, -1, add_found, &f, err);
			if (rc)
				goto out;
			if (cs->groups[k].len == 0) {
				struct cons c;

				rc = parse_one(&c, a, cre, f.s, end - start, err);
				if (rc)
					goto out;
				cs->groups[k].items = rg_arena_alloc(a, sizeof(c));
				cs->groups[k].items[0] = c;
				cs->groups[k].len = 1;
			}
			start = end + 2;
		}
	}
	cs->len = nor;
	*out = cs;
out:
	rg_buf_release(&rw);
	return rc;
}

/* The reason text of one failed check, with v printed by String(). */
static void why(struct rg_buf *b, const struct rg_semver *v, const char *fmt,
		const struct cons *c)
{
	struct rg_buf vs = RG_BUF_INIT(2 * RG_CAP_SEMVER_BYTES + 64);

	if (!b)
		return;
	rg_semver_format(&vs, v);
	if (b->len)
		rg_buf_adds(b, "; ");
	rg_buf_addf(b, fmt, vs.ptr, c ? c->orig.ptr : "");
	rg_buf_release(&vs);
}

#define PRERELEASE_MSG "%s is a prerelease version and the constraint is only looking for release versions"

static bool check_tilde(const struct rg_semver *v, const struct cons *c, struct rg_buf *b)
{
	if (v->pre.len && !c->con.pre.len)
		return why(b, v, PRERELEASE_MSG, c), false;
	if (rg_semver_compare(v, &c->con) < 0)
		return why(b, v, "%s is less than %s", c), false;
	if (c->con.major == 0 && c->con.minor == 0 && c->con.patch == 0 &&
	    !c->minor_dirty && !c->patch_dirty)
		return true;
	if (v->major != c->con.major)
		return why(b, v, "%s does not have same major version as %s", c), false;
	if (v->minor != c->con.minor && !c->minor_dirty)
		return why(b, v, "%s does not have same major and minor version as %s", c), false;
	return true;
}

static bool check_one(const struct rg_semver *v, const struct cons *c, struct rg_buf *b)
{
	const struct rg_semver *k = &c->con;
	bool pre_blocked = v->pre.len && !k->pre.len;

	switch (c->op) {
	case OP_NE:
		if (c->dirty) {
			if (pre_blocked)
				return why(b, v, PRERELEASE_MSG, c), false;
			if (k->major != v->major)
				return true;
			if (k->minor != v->minor && !c->minor_dirty)
				return true;
			else if (c->minor_dirty)
				return why(b, v, "%s is equal to %s", c), false;
			else if (k->patch != v->patch && !c->patch_dirty)
				return true;
			else if (c->patch_dirty) {
				if ((v->pre.len || k->pre.len) && cmp_pre(v->pre, k->pre) != 0)
					return true;
				return why(b, v, "%s is equal to %s", c), false;
			}
		}
		if (rg_semver_compare(v, k) == 0)
			return why(b, v, "%s is equal to %s", c), false;
		return true;
	case OP_GT:
		if (pre_blocked)
			return why(b, v, PRERELEASE_MSG, c), false;
		if (c->dirty) {
			if (v->major > k->major)
				return true;
			if (v->major < k->major || c->minor_dirty)
				return why(b, v, "%s is less than or equal to %s", c), false;
			if (c->patch_dirty) {
				if (v->minor > k->minor)
					return true;
				return why(b, v, "%s is less than or equal to %s", c), false;
			}
		}
		if (rg_semver_compare(v, k) > 0)
			return true;
		return why(b, v, "%s is less than or equal to %s", c), false;
	case OP_LT:
		if (pre_blocked)
			return why(b, v, PRERELEASE_MSG, c), false;
		if (rg_semver_compare(v, k) < 0)
			return true;
		return why(b, v, "%s is greater than or equal to %s", c), false;
	case OP_GE:
		if (pre_blocked)
			return why(b, v, PRERELEASE_MSG, c), false;
		if (rg_semver_compare(v, k) >= 0)
			return true;
		return why(b, v, "%s is less than %s", c), false;
	case OP_LE:
		if (pre_blocked)
			return why(b, v, PRERELEASE_MSG, c), false;
		if (!c->dirty) {
			if (rg_semver_compare(v, k) <= 0)
				return true;
			return why(b, v, "%s is greater than %s", c), false;
		}
		if (v->major > k->major ||
		    (v->major == k->major && v->minor > k->minor && !c->minor_dirty))
			return why(b, v, "%s is greater than %s", c), false;
		return true;
	case OP_TILDE:
		return check_tilde(v, c, b);
	case OP_TILDE_OR_EQ:
		if (pre_blocked)
			return why(b, v, PRERELEASE_MSG, c), false;
		if (c->dirty)
			return check_tilde(v, c, b);
		if (rg_semver_compare(v, k) == 0)
			return true;
		return why(b, v, "%s is not equal to %s", c), false;
	case OP_CARET:
		if (pre_blocked)
			return why(b, v, PRERELEASE_MSG, c), false;
		if (rg_semver_compare(v, k) < 0)
			return why(b, v, "%s is less than %s", c), false;
		if (k->major > 0 || c->minor_dirty) {
			if (v->major == k->major)
				return true;
			return why(b, v, "%s does not have same major version as %s", c), false;
		}
		if (k->major == 0 && v->major > 0)
			return why(b, v, "%s does not have same major version as %s", c), false;
		if (k->minor > 0 || c->patch_dirty) {
			if (v->minor == k->minor)
				return true;
			return why(b, v,
				   "%s does not have same minor version as %s. Expected minor "
				   "versions to match when constraint major version is 0",
				   c),
			       false;
		}
		if (k->patch == v->patch)
			return true;
		return why(b, v,
			   "%s does not equal %s. Expect version and constraint to equal when "
			   "major and minor versions are 0",
			   c),
		       false;
	}
	return false;
}

bool rg_semver_check(const struct rg_semver_constraints *cs,
		     const struct rg_semver *v)
{
	for (size_t g = 0; g < cs->len; g++) {
		bool joy = true;

		for (size_t i = 0; i < cs->groups[g].len && joy; i++)
			joy = check_one(v, &cs->groups[g].items[i], NULL);
		if (joy)
			return true;
	}
	return false;
}

bool rg_semver_validate(const struct rg_semver_constraints *cs,
			const struct rg_semver *v, struct rg_buf *b)
{
	bool prerelease_said = false;
	size_t mark = b ? b->len : 0;

	for (size_t g = 0; g < cs->len; g++) {
		bool joy = true;

		for (size_t i = 0; i < cs->groups[g].len; i++) {
			const struct cons *c = &cs->groups[g].items[i];

			if (!c->con.pre.len && v->pre.len) {
				if (!prerelease_said)
					why(b, v, PRERELEASE_MSG, c);
				prerelease_said = true;
				joy = false;
			} else if (!check_one(v, c, b)) {
				joy = false;
			}
		}
		if (joy) {
			if (b)
				rg_buf_truncate(b, mark);
			return true;
		}
	}
	return false;
}

int rg_semver_compare_str(bool *out, struct rg_arena *a, const char *cons,
			  size_t clen, const char *ver, size_t vlen,
			  struct rg_err *err)
{
	struct rg_semver_constraints *cs = NULL;
	struct rg_semver v;
	int rc = rg_semver_constraints_parse(&cs, a, cons, clen, err);

	if (!rc)
		rc = rg_semver_parse(&v, a, ver, vlen, err);
	if (!rc)
		*out = rg_semver_check(cs, &v);
	return rc;
}
