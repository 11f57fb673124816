#include "rendergate/compat.h"
#include "rendergate/funcs_lib.h"
#include "rendergate/arena.h"
#include "rendergate/json.h"

#include <math.h>

/*
 * Sprig's arithmetic and conversions (functions.go, numeric.go) on top of
 * spf13/cast v1.4.1 (rg_funcs_to_int64/to_float64) and, for the *f
 * functions, shopspring/decimal v1.2.0 arithmetic: operands are taken at
 * their shortest decimal form, added/subtracted/multiplied exactly and
 * divided to 16 decimal places (rounded half away from zero), then
 * converted back to the nearest float64. When an exact intermediate would
 * not fit 128 bits, plain float64 arithmetic is used (NEEDSWORK: exact big
 * decimals; it needs operands 20+ orders of magnitude apart).
 */

static struct rg_node *i64(struct rg_tmpl_call *c, int64_t v)
{
	return rg_tmpl_int64(c->arena, v);
}

static int fn_add1(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, size_t nargs)
{
	*out = i64(c, (int64_t)((uint64_t)rg_funcs_to_int64(args[0]) + 1));
	return 0;
}

static int fn_add(struct rg_node **out, struct rg_tmpl_call *c,
		  struct rg_node *const *args, size_t nargs)
{
	uint64_t s = 0; /* Go integer overflow wraps */

	for (size_t i = 0; i < nargs; i++)
		s += (uint64_t)rg_funcs_to_int64(args[i]);
	*out = i64(c, (int64_t)s);
	return 0;
}

static int fn_sub(struct rg_node **out, struct rg_tmpl_call *c,
		  struct rg_node *const *args, size_t nargs)
{
	*out = i64(c, (int64_t)((uint64_t)rg_funcs_to_int64(args[0]) -
				(uint64_t)rg_funcs_to_int64(args[1])));
	return 0;
}

static int fn_mul(struct rg_node **out, struct rg_tmpl_call *c,
		  struct rg_node *const *args, size_t nargs)
{
	uint64_t p = (uint64_t)rg_funcs_to_int64(args[0]);

	for (size_t i = 1; i < nargs; i++)
		p *= (uint64_t)rg_funcs_to_int64(args[i]);
	*out = i64(c, (int64_t)p);
	return 0;
}

static int divmod(struct rg_node **out, struct rg_tmpl_call *c,
		  struct rg_node *const *args, bool mod)
{
	int64_t a = rg_funcs_to_int64(args[0]), b = rg_funcs_to_int64(args[1]);

	if (b == 0)
		return rg_tmpl_fail(c, "runtime error: integer divide by zero");
	if (b == -1) /* INT64_MIN / -1 wraps in Go */
		*out = i64(c, mod ? 0 : (int64_t)(0 - (uint64_t)a));
	else
		*out = i64(c, mod ? a % b : a / b);
	return 0;
}

static int fn_div(struct rg_node **out, struct rg_tmpl_call *c,
		  struct rg_node *const *args, size_t nargs)
{
	return divmod(out, c, args, false);
}

static int fn_mod(struct rg_node **out, struct rg_tmpl_call *c,
		  struct rg_node *const *args, size_t nargs)
{
	return divmod(out, c, args, true);
}

static int minmax(struct rg_node **out, struct rg_tmpl_call *c,
		  struct rg_node *const *args, size_t nargs, bool max)
{
	int64_t a = rg_funcs_to_int64(args[0]);

	for (size_t i = 1; i < nargs; i++) {
		int64_t b = rg_funcs_to_int64(args[i]);

		if (max ? b > a : b < a)
			a = b;
	}
	*out = i64(c, a);
	return 0;
}

static int fn_max(struct rg_node **out, struct rg_tmpl_call *c,
		  struct rg_node *const *args, size_t nargs)
{
	return minmax(out, c, args, nargs, true);
}

static int fn_min(struct rg_node **out, struct rg_tmpl_call *c,
		  struct rg_node *const *args, size_t nargs)
{
	return minmax(out, c, args, nargs, false);
}

/* math.Max / math.Min, NaN and signed zeros included */
static double go_max(double x, double y)
{
	if (isinf(x) && x > 0)
		return x;
	if (isinf(y) && y > 0)
		return y;
	if (isnan(x) || isnan(y))
		return NAN;
	if (x == 0 && x == y)
		return signbit(x) ? y : x;
	return x > y ? x : y;
}

static double go_min(double x, double y)
{
	if (isinf(x) && x < 0)
		return x;
	if (isinf(y) && y < 0)
		return y;
	if (isnan(x) || isnan(y))
		return NAN;
	if (x == 0 && x == y)
		return signbit(x) ? x : y;
	return x < y ? x : y;
}

static int fminmax(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, size_t nargs, bool max)
{
	double a = rg_funcs_to_float64(args[0]);

	for (size_t i = 1; i < nargs; i++)
		a = max ? go_max(a, rg_funcs_to_float64(args[i])) : go_min(a, rg_funcs_to_float64(args[i]));
	*out = rg_node_float(c->arena, a);
	return 0;
}

static int fn_maxf(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, size_t nargs)
{
	return fminmax(out, c, args, nargs, true);
}

static int fn_minf(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, size_t nargs)
{
	return fminmax(out, c, args, nargs, false);
}

/* --- decimal arithmetic for the *f functions ----------------------------- */

typedef __int128 i128;

struct dec {
	i128 coef;
	int exp; /* value = coef * 10^exp */
	bool ok; /* false: not representable here, use float64 */
};

static struct dec dec_of(double f)
{
	struct dec d = { 0, 0, true };
	char b[64], *e = NULL;
	int frac = 0;
	bool neg = false, in_frac = false;

	if (isnan(f) || isinf(f)) {
		d.ok = false;
		return d;
	}
	rg_json_fmt_float(b, sizeof(b), f, 'e');
	for (char *p = b; *p; p++) {
		if (*p == '-') {
			neg = true;
		} else if (*p == '.') {
			in_frac = true;
		} else if (*p == 'e') {
			e = p;
			break;
		} else {
			d.coef = d.coef * 10 + (*p - '0');
			frac += in_frac;
		}
	}
	d.exp = (int)strtol(e + 1, NULL, 10) - frac;
	if (neg)
		d.coef = -d.coef;
	return d;
}

static const i128 I128_LIM = (i128)1 << 120;

/* multiply by 10^k, false on overflow */
static bool scale(i128 *v, int k)
{
	while (k-- > 0) {
		if (*v > I128_LIM / 10 || *v < -I128_LIM / 10)
			return false;
		*v *= 10;
	}
	return true;
}

static struct dec dec_align_add(struct dec a, struct dec b, bool sub)
{
	struct dec r = { 0, 0, false };
	i128 x = a.coef, y = b.coef;
	int e = a.exp < b.exp ? a.exp : b.exp;

	if (!a.ok || !b.ok || !scale(&x, a.exp - e) || !scale(&y, b.exp - e))
		return r;
	r.coef = sub ? x - y : x + y;
	r.exp = e;
	r.ok = true;
	return r;
}

static struct dec dec_mul(struct dec a, struct dec b)
{
	struct dec r = { 0, 0, false };

	if (!a.ok || !b.ok)
		return r;
	/* both coefficients have at most 17 digits: the product fits */
	r.coef = a.coef * b.coef;
	r.exp = a.exp + b.exp;
	r.ok = true;
	return r;
}

/* a / b rounded half away from zero to 16 decimal places */
static struct dec dec_div(struct dec a, struct dec b)
{
	struct dec r = { 0, -16, false };
	i128 num = a.coef, den = b.coef, q, rem;
	int k = 16 + a.exp - b.exp; /* num * 10^k / den = result * 10^16 */

	if (!a.ok || !b.ok || b.coef == 0)
		return r;
	if (k < 0) {
		if (!scale(&den, -k))
			return r;
	} else if (!scale(&num, k)) {
		return r;
	}
	q = num / den;
	rem = num % den;
	if (rem != 0) {
		i128 twice = rem < 0 ? -rem * 2 : rem * 2, ad = den < 0 ? -den : den;

		if (twice >= ad)
			q += (num < 0) != (den < 0) ? -1 : 1;
	}
	r.coef = q;
	r.ok = true;
	return r;
}

static double dec_float(struct dec d)
{
	char b[80];
	size_t n = sizeof(b) - 1;
	i128 v = d.coef < 0 ? -d.coef : d.coef;

	b[n] = 0;
	do {
		b[--n] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v);
	if (d.coef < 0)
		b[--n] = '-';
	{
		char t[120];

		snprintf(t, sizeof(t), "%se%d", b + n, d.exp);
		return strtod(t, NULL);
	}
}

enum fop { F_ADD, F_SUB, F_MUL, F_DIV };

static int float_op(struct rg_node **out, struct rg_tmpl_call *c, const struct rg_node *first,
		    struct rg_node *const *rest, size_t n, enum fop op)
{
	double fa = rg_funcs_to_float64(first);
	struct dec acc = dec_of(fa);

	for (size_t i = 0; i < n; i++) {
		double fb = rg_funcs_to_float64(rest[i]);
		struct dec b = dec_of(fb);

		if (op == F_DIV && fb == 0)
			return rg_tmpl_fail(c, "decimal division by 0");
		switch (op) {
		case F_ADD: acc = dec_align_add(acc, b, false); break;
		case F_SUB: acc = dec_align_add(acc, b, true); break;
		case F_MUL: acc = dec_mul(acc, b); break;
		case F_DIV: acc = dec_div(acc, b); break;
		}
		fa = op == F_ADD ? fa + fb : op == F_SUB ? fa - fb : op == F_MUL ? fa * fb : fa / fb;
		if (acc.ok)
			fa = dec_float(acc);
		else
			acc = dec_of(fa);
	}
	*out = rg_node_float(c->arena, fa);
	return 0;
}

static int fn_addf(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, size_t nargs)
{
	struct rg_node zero = { .kind = RG_FLOAT };

	return float_op(out, c, &zero, args, nargs, F_ADD);
}

static int fn_add1f(struct rg_node **out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, size_t nargs)
{
	struct rg_node one = { .kind = RG_INT, .u.i = 1 };
	struct rg_node *onep = &one;

	return float_op(out, c, args[0], &onep, 1, F_ADD);
}

static int fn_subf(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, size_t nargs)
{
	return float_op(out, c, args[0], args + 1, nargs - 1, F_SUB);
}

static int fn_mulf(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, size_t nargs)
{
	return float_op(out, c, args[0], args + 1, nargs - 1, F_MUL);
}

static int fn_divf(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, size_t nargs)
{
	return float_op(out, c, args[0], args + 1, nargs - 1, F_DIV);
}

static int fn_ceil(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, size_t nargs)
{
	*out = rg_node_float(c->arena, ceil(rg_funcs_to_float64(args[0])));
	return 0;
}

static int fn_floor(struct rg_node **out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, size_t nargs)
{
	*out = rg_node_float(c->arena, floor(rg_funcs_to_float64(args[0])));
	return 0;
}

/* round VALUE PLACES [ROUND_ON] as sprig computes it */
static int fn_round(struct rg_node **out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, size_t nargs)
{
	double on = 0.5, val = 0, pw = 0, digit = 0, ip = 0, frac = 0;
	int64_t places = 0;
	int rc = 0;

	RG_FUNCS_INT(places, 1);
	if (nargs > 2) {
		rc = rg_tmpl_arg_float(&on, c, args, 2);
		if (rc)
			goto out;
	}
	val = rg_funcs_to_float64(args[0]);
	pw = pow(10, (double)places);
	digit = pw * val;
	frac = modf(digit, &ip);
	*out = rg_node_float(c->arena, (frac >= on ? ceil(digit) : floor(digit)) / pw);
out:
	return rc;
}

static int fn_int(struct rg_node **out, struct rg_tmpl_call *c,
		  struct rg_node *const *args, size_t nargs)
{
	*out = rg_node_int(c->arena, rg_funcs_to_int64(args[0]));
	return 0;
}

static int fn_int64(struct rg_node **out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, size_t nargs)
{
	*out = i64(c, rg_funcs_to_int64(args[0]));
	return 0;
}

static int fn_float64(struct rg_node **out, struct rg_tmpl_call *c,
		      struct rg_node *const *args, size_t nargs)
{
	*out = rg_node_float(c->arena, rg_funcs_to_float64(args[0]));
	return 0;
}

/* strconv.ParseInt(s, base, 64) for base 8 or 10: no prefixes, no '_' */
static bool parse_plain(const char *s, size_t n, unsigned base, int64_t *out)
{
	size_t i = 0;
	bool neg = false;
	uint64_t v = 0, lim = 0;

	if (n && (s[0] == '+' || s[0] == '-'))
		neg = s[i++] == '-';
	if (i == n)
		return false;
	for (; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (s[i] < '0' || d >= base || v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	if (v > lim)
		return false;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

/* atoi S: strconv.Atoi, 0 on error */
static int fn_atoi(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, size_t nargs)
{
	struct rg_str s;
	int64_t v = 0;
	int rc = 0;

	RG_FUNCS_STR(s, 0);
	if (!parse_plain(s.ptr, s.len, 10, &v))
		v = 0;
	*out = rg_node_int(c->arena, v);
out:
	return rc;
}

/* toDecimal V: the octal digits of fmt.Sprint(v) as a number */
static int fn_to_decimal(struct rg_node **out, struct rg_tmpl_call *c,
			 struct rg_node *const *args, size_t nargs)
{
	struct rg_str s;
	int64_t v = 0;
	int rc = rg_funcs_strval(&s, c, args[0]);

	if (rc)
		goto out;
	if (!parse_plain(s.ptr, s.len, 8, &v))
		v = 0;
	*out = i64(c, v);
out:
	return rc;
}

/* randInt MIN MAX: a seed-derived number in [min, max) (stand-in) */
static int fn_rand_int(struct rg_node **out, struct rg_tmpl_call *c,
		       struct rg_node *const *args, size_t nargs)
{
	int64_t lo = 0, hi = 0;
	int rc = 0;

	RG_FUNCS_INT(lo, 0);
	RG_FUNCS_INT(hi, 1);
	if (hi - lo <= 0) {
		rc = rg_tmpl_fail(c, "invalid argument to Intn");
		goto out;
	}
	*out = rg_node_int(c->arena, lo + (int64_t)(rg_tmpl_call_seed(c) % (uint64_t)(hi - lo)));
out:
	return rc;
}

const struct rg_tmpl_func rg_funcs_math[] = {
	{ "add1", fn_add1, 1, 1, 0 },
	{ "add", fn_add, 0, -1, 0 },
	{ "sub", fn_sub, 2, 2, 0 },
	{ "div", fn_div, 2, 2, 0 },
	{ "mod", fn_mod, 2, 2, 0 },
	{ "mul", fn_mul, 1, -1, 0 },
	{ "randInt", fn_rand_int, 2, 2, RG_TMPL_FN_VOLATILE },
	{ "add1f", fn_add1f, 1, 1, 0 },
	{ "addf", fn_addf, 0, -1, 0 },
	{ "subf", fn_subf, 1, -1, 0 },
	{ "divf", fn_divf, 1, -1, 0 },
	{ "mulf", fn_mulf, 1, -1, 0 },
	{ "biggest", fn_max, 1, -1, 0 },
	{ "max", fn_max, 1, -1, 0 },
	{ "min", fn_min, 1, -1, 0 },
	{ "maxf", fn_maxf, 1, -1, 0 },
	{ "minf", fn_minf, 1, -1, 0 },
	{ "ceil", fn_ceil, 1, 1, 0 },
	{ "floor", fn_floor, 1, 1, 0 },
	{ "round", fn_round, 2, 3, 0 },
	{ "int", fn_int, 1, 1, 0 },
	{ "int64", fn_int64, 1, 1, 0 },
	{ "float64", fn_float64, 1, 1, 0 },
	{ "atoi", fn_atoi, 1, 1, 0 },
	{ "toDecimal", fn_to_decimal, 1, 1, 0 },
	{ NULL, NULL, 0, 0, 0 },
};
