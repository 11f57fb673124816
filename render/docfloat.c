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

/* Step the digit string d[0..nd) by one unit in the last place. */
static bool step_digits(char *d, int nd, int *exp, int dir)
{
	int i = nd - 1;

	if (dir > 0) {
		while (i >= 0 && d[i] == '9')
			d[i--] = '0';
		if (i < 0) {
			/* 99..9 + 1 = 100..0: one more power of ten */
			d[0] = '1';
			(*exp)++;
			return true;
		}
		d[i]++;
		return true;
	}
	while (i >= 0 && d[i] == '0')
		d[i--] = '9';
	if (i < 0 || (i == 0 && d[0] == '1' && nd > 1))
		return false; /* would lose a digit; not a candidate */
	d[i]--;
	return d[0] != '0';
}

static bool reads_back(const char *d, int nd, int exp, double f)
{
	char buf[64];
	int k = 0;

	buf[k++] = d[0];
	buf[k++] = '.';
	for (int i = 1; i < nd; i++)
		buf[k++] = d[i];
	snprintf(buf + k, sizeof(buf) - (size_t)k, "e%d", exp);
	return strtod(buf, NULL) == f;
}

/*
 * The shortest digits that read back as f, as Go finds them: for each
 * precision, the correctly rounded %e digits, or, where f is a power of
 * two and the interval of values that read back as f is lopsided, the
 * neighbour one unit in the last place away.
 */
static void shortest(struct digits *out, double f)
{
	char buf[64];

	out->nd = 0;
	out->dp = 0;
	if (f == 0)
		return;
	for (int prec = 1; prec <= 17; prec++) {
		char d[32], alt[32];
		int nd = 0, exp, aexp;

		snprintf(buf, sizeof(buf), "%.*e", prec - 1, f);
		for (const char *p = buf; *p && *p != 'e'; p++)
			if (*p >= '0' && *p <= '9')
				d[nd++] = *p;
		exp = (int)strtol(strchr(buf, 'e') + 1, NULL, 10);
		if (!reads_back(d, nd, exp, f) && prec < 17) {
			bool found = false;

			for (int dir = 1; dir >= -1 && !found; dir -= 2) {
				memcpy(alt, d, (size_t)nd);
				aexp = exp;
				if (step_digits(alt, nd, &aexp, dir) &&
				    reads_back(alt, nd, aexp, f)) {
					memcpy(d, alt, (size_t)nd);
					exp = aexp;
					found = true;
				}
			}
			if (!found)
				continue;
		}
		memcpy(out->d, d, (size_t)nd);
		out->nd = nd;
		out->dp = exp + 1;
		break;
	}
	while (out->nd > 1 && out->d[out->nd - 1] == '0')
		out->nd--;
	out->d[out->nd] = '\0';
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
	struct out o = {out, outsz, 0};
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
