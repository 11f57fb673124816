/*
 * docfloat.c - float64 to text the way Go's strconv.FormatFloat(f, fmt,
 * -1, 64) writes it (see rg_fmt_float in doc.h).
 */
#include "rendergate/compat.h"
#include "rendergate/doc.h"

#include <math.h>

/* Shortest decimal digits that read back as f, and the decimal point. */
struct digits {
	char d[32]; /* no leading or trailing zeros; nd == 0 for zero */
	int nd;
	int dp; /* value = 0.d[0]d[1]... * 10^dp */
};

/*
 * The shortest precision whose correctly rounded %e text reads back
 * exactly: the same digits Go's shortest formatting finds.
 * NEEDSWORK: at exact powers of two the rounding interval is lopsided and
 * Go may find a shorter string that is not the nearest one; this search
 * then returns one digit more.
 */
static void shortest(struct digits *out, double f)
{
	char buf[64];
	int exp = 0;

	out->nd = 0;
	out->dp = 0;
	if (f == 0)
		return;
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec - 1, f);
		if (strtod(buf, NULL) == f)
			break;
	}
	for (const char *p = buf; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			out->d[out->nd++] = *p;
	exp = (int)strtol(strchr(buf, 'e') + 1, NULL, 10);
	while (out->nd > 1 && out->d[out->nd - 1] == '0')
		out->nd--;
	out->d[out->nd] = '\0';
	out->dp = exp + 1;
}

struct out {
	char *p;
	size_t sz, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->sz)
		o->p[o->len] = c;
	o->len++;
}

static void fmt_e(struct out *o, const struct digits *dg, int prec)
{
	int exp = dg->nd ? dg->dp - 1 : 0;
	char eb[8];
	int n;

	put(o, dg->nd ? dg->d[0] : '0');
	if (prec > 0) {
		put(o, '.');
		for (int i = 1; i <= prec; i++)
			put(o, i < dg->nd ? dg->d[i] : '0');
	}
	put(o, 'e');
	put(o, exp < 0 ? '-' : '+');
	if (exp < 0)
		exp = -exp;
	n = snprintf(eb, sizeof(eb), "%02d", exp);
	for (int i = 0; i < n; i++)
		put(o, eb[i]);
}

static void fmt_f(struct out *o, const struct digits *dg, int prec)
{
	if (dg->dp > 0) {
		for (int i = 0; i < dg->dp; i++)
			put(o, i < dg->nd ? dg->d[i] : '0');
	} else {
		put(o, '0');
	}
	if (prec > 0) {
		put(o, '.');
		for (int i = 1; i <= prec; i++) {
			int j = dg->dp + i - 1;

			put(o, j >= 0 && j < dg->nd ? dg->d[j] : '0');
		}
	}
}

size_t rg_fmt_float(char *out, size_t outsz, double f, char fmt)
{
	struct out o = { out, outsz, 0 };
	struct digits dg;
	const char *special = NULL;

	if (isnan(f))
		special = "NaN";
	else if (isinf(f))
		special = f > 0 ? "+Inf" : "-Inf";
	if (special) {
		for (; *special; special++)
			put(&o, *special);
		goto out;
	}
	if (signbit(f))
		put(&o, '-');
	shortest(&dg, fabs(f));
	switch (fmt) {
	case 'e':
		fmt_e(&o, &dg, dg.nd > 1 ? dg.nd - 1 : 0);
		break;
	case 'f':
		fmt_f(&o, &dg, dg.nd - dg.dp > 0 ? dg.nd - dg.dp : 0);
		break;
	default: /* 'g' and 'v': shortest 'g' decides with precision 6 */
		if (dg.dp - 1 < -4 || dg.dp - 1 >= 6)
			fmt_e(&o, &dg, dg.nd > 1 ? dg.nd - 1 : 0);
		else
			fmt_f(&o, &dg, dg.nd - dg.dp > 0 ? dg.nd - dg.dp : 0);
		break;
	}
out:
	if (outsz)
		out[o.len < outsz ? o.len : outsz - 1] = '\0';
	return o.len < outsz ? o.len : (outsz ? outsz - 1 : 0);
}
