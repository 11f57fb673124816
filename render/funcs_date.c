#include "rendergate/compat.h"
#include "rendergate/funcs_lib.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"

/*
 * Sprig's date functions (date.go) on Go's time package semantics:
 * reference-layout Format and Parse ("2006-01-02T15:04:05Z07:00"),
 * Duration.String and ParseDuration. `now` is the fixed instant
 * RG_FUNCS_NOW_UNIX (volatile). There is no time zone database in
 * render/: "Local" is UTC and every zone name renders as UTC.
 *
 * A time.Time is an RG_MAP tagged as the Go struct "time.Time" with the
 * keys "unix" (seconds), "nsec" and "offset" (seconds east of UTC).
 * NEEDSWORK: printing one with {{ }} shows that map, where Go prints
 * "2006-01-02 15:04:05.999999999 -0700 MST".
 */

struct gotime {
	int64_t unix;
	int64_t nsec;
	int64_t offset;
};

static const char *const months[] = { "January", "February", "March",	  "April",
				      "May",	 "June",     "July",	  "August",
				      "September", "October", "November", "December" };
static const char *const wdays[] = { "Sunday",   "Monday", "Tuesday", "Wednesday",
				    "Thursday", "Friday", "Saturday" };

/* --- time values -------------------------------------------------------- */

static int time_tag(struct rg_tmpl_call *c)
{
	struct rg_tmpl_set *set = rg_tmpl_exec_set(c);
	struct rg_node probe = { .kind = RG_MAP };

	for (int i = 0; i < 192; i++) {
		probe.tag = (uint8_t)(RG_GT_STRUCT + i);
		if (strcmp(rg_tmpl_typename(set, &probe), "time.Time") == 0)
			return RG_GT_STRUCT + i;
	}
	return rg_tmpl_set_struct(set, "time.Time");
}

static struct rg_node *time_node(struct rg_tmpl_call *c, struct gotime t)
{
	struct rg_node *m = rg_node_map(c->arena);
	int tag = time_tag(c);

	rg_map_set(c->arena, m, "unix", 4, rg_tmpl_int64(c->arena, t.unix));
	rg_map_set(c->arena, m, "nsec", 4, rg_tmpl_int64(c->arena, t.nsec));
	rg_map_set(c->arena, m, "offset", 6, rg_tmpl_int64(c->arena, t.offset));
	if (tag >= RG_GT_STRUCT)
		m->tag = (uint8_t)tag;
	return m;
}

static bool is_time(struct rg_tmpl_call *c, const struct rg_node *n)
{
	return n && n->kind == RG_MAP && n->tag >= RG_GT_STRUCT &&
	       strcmp(rg_tmpl_typename(rg_tmpl_exec_set(c), n), "time.Time") == 0 &&
	       rg_map_gets(n, "unix");
}

static struct gotime time_of(const struct rg_node *n)
{
	struct gotime t = { rg_map_gets(n, "unix")->u.i, 0, 0 };
	const struct rg_node *ns = rg_map_gets(n, "nsec"), *off = rg_map_gets(n, "offset");

	t.nsec = ns ? ns->u.i : 0;
	t.offset = off ? off->u.i : 0;
	return t;
}

static struct gotime now(void)
{
	struct gotime t = { RG_FUNCS_NOW_UNIX, 0, 0 };

	return t;
}

/* a time.Time parameter, with the executor's wording when it is not one */
static int arg_time(struct gotime *out, struct rg_tmpl_call *c, struct rg_node *const *args,
		    size_t i)
{
	if (!is_time(c, args[i]))
		return rg_tmpl_arg_error(c, args, i, "time.Time");
	*out = time_of(args[i]);
	return 0;
}

/*
 * The interface{} date argument of date/dateInZone/ago; other types mean
 * time.Now() in sprig, and *used_now tells the caller so.
 */
static struct gotime any_time(struct rg_tmpl_call *c, const struct rg_node *v, bool int32_ok,
			      bool *used_now)
{
	struct gotime t = now();

	*used_now = false;
	if (is_time(c, v))
		return time_of(v);
	if (v && v->kind == RG_INT &&
	    (v->tag == RG_GT_DEFAULT || v->tag == RG_GT_INT64 || (int32_ok && v->tag == RG_GT_INT32)))
		t.unix = v->u.i;
	else
		*used_now = true;
	return t;
}

/* a result that depends on the stand-in clock is volatile */
static void mark(struct rg_node *n, bool used_now)
{
	if (n && used_now)
		n->flags |= RG_NODE_VOLATILE;
}

/* --- civil calendar ---------------------------------------------------- */

static int64_t floordiv(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* days since 1970-01-01 -> y m d (Howard Hinnant's civil_from_days) */
static void civil(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = floordiv(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = floordiv(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

struct parts {
	int64_t year;
	int month, day, hour, min, sec, wday, yday;
	int64_t nsec, offset;
};

static struct parts split_time(struct gotime t)
{
	struct parts p;
	int64_t local = t.unix + t.offset, days = floordiv(local, 86400), rem = local - days * 86400;

	civil(days, &p.year, &p.month, &p.day);
	p.hour = (int)(rem / 3600);
	p.min = (int)(rem % 3600 / 60);
	p.sec = (int)(rem % 60);
	p.wday = (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
	p.yday = (int)(days - days_from_civil(p.year, 1, 1)) + 1;
	p.nsec = t.nsec;
	p.offset = t.offset;
	return p;
}

/* --- layouts --------------------------------------------------------------- */

enum std {
	S_NONE, S_LONGMONTH, S_MONTH, S_NUMMONTH, S_ZEROMONTH, S_LONGWEEKDAY, S_WEEKDAY,
	S_DAY, S_UNDERDAY, S_ZERODAY, S_HOUR, S_HOUR12, S_ZEROHOUR12, S_MINUTE, S_ZEROMINUTE,
	S_SECOND, S_ZEROSECOND, S_LONGYEAR, S_YEAR, S_PM, S_pm, S_TZ, S_ISO8601TZ,
	S_ISO8601SECONDSTZ, S_ISO8601SHORTTZ, S_ISO8601COLONTZ, S_ISO8601COLONSECONDSTZ,
	S_NUMTZ, S_NUMSECONDSTZ, S_NUMSHORTTZ, S_NUMCOLONTZ, S_NUMCOLONSECONDSTZ,
	S_FRACZERO, S_FRACNINE, S_ZEROYEARDAY,
};

static bool lower_start(const char *s, size_t n)
{
	return n > 0 && s[0] >= 'a' && s[0] <= 'z';
}

static bool has(const char *s, size_t n, size_t i, const char *w)
{
	size_t l = strlen(w);

	return n - i >= l && memcmp(s + i, w, l) == 0;
}

/*
 * Go's nextStdChunk: the next layout element at or after i; *at and *len
 * locate it, *digits is the fraction width.
 */
static enum std next_std(const char *s, size_t n, size_t i, size_t *at, size_t *len, int *digits)
{
	for (; i < n; i++) {
		char ch = s[i];
		enum std r = S_NONE;
		size_t l = 0;

		switch (ch) {
		case 'J':
			if (has(s, n, i, "Jan")) {
				if (has(s, n, i, "January"))
					r = S_LONGMONTH, l = 7;
				else if (!lower_start(s + i + 3, n - i - 3))
					r = S_MONTH, l = 3;
			}
			break;
		case 'M':
			if (has(s, n, i, "Mon")) {
				if (has(s, n, i, "Monday"))
					r = S_LONGWEEKDAY, l = 6;
				else if (!lower_start(s + i + 3, n - i - 3))
					r = S_WEEKDAY, l = 3;
			}
			if (!r && has(s, n, i, "MST"))
				r = S_TZ, l = 3;
			break;
		case '0':
			if (i + 1 < n && s[i + 1] >= '1' && s[i + 1] <= '6') {
				static const enum std z[] = { S_ZEROMONTH, S_ZERODAY, S_ZEROHOUR12,
							      S_ZEROMINUTE, S_ZEROSECOND, S_YEAR };

				r = z[s[i + 1] - '1'], l = 2;
			} else if (has(s, n, i, "002")) {
				r = S_ZEROYEARDAY, l = 3;
			}
			break;
		case '1':
			if (i + 1 < n && s[i + 1] == '5')
				r = S_HOUR, l = 2;
			else
				r = S_NUMMONTH, l = 1;
			break;
		case '2':
			if (has(s, n, i, "2006"))
				r = S_LONGYEAR, l = 4;
			else
				r = S_DAY, l = 1;
			break;
		case '_':
			if (i + 1 < n && s[i + 1] == '2') {
				if (has(s, n, i + 1, "2006")) {
					*at = i + 1, *len = 4;
					return S_LONGYEAR;
				}
				r = S_UNDERDAY, l = 2;
			}
			break;
		case '3': r = S_HOUR12, l = 1; break;
		case '4': r = S_MINUTE, l = 1; break;
		case '5': r = S_SECOND, l = 1; break;
		case 'P':
			if (i + 1 < n && s[i + 1] == 'M')
				r = S_PM, l = 2;
			break;
		case 'p':
			if (i + 1 < n && s[i + 1] == 'm')
				r = S_pm, l = 2;
			break;
		case '-':
			if (has(s, n, i, "-070000")) r = S_NUMSECONDSTZ, l = 7;
			else if (has(s, n, i, "-07:00:00")) r = S_NUMCOLONSECONDSTZ, l = 9;
			else if (has(s, n, i, "-0700")) r = S_NUMTZ, l = 5;
			else if (has(s, n, i, "-07:00")) r = S_NUMCOLONTZ, l = 6;
			else if (has(s, n, i, "-07")) r = S_NUMSHORTTZ, l = 3;
			break;
		case 'Z':
			if (has(s, n, i, "Z070000")) r = S_ISO8601SECONDSTZ, l = 7;
			else if (has(s, n, i, "Z07:00:00")) r = S_ISO8601COLONSECONDSTZ, l = 9;
			else if (has(s, n, i, "Z0700")) r = S_ISO8601TZ, l = 5;
			else if (has(s, n, i, "Z07:00")) r = S_ISO8601COLONTZ, l = 6;
			else if (has(s, n, i, "Z07")) r = S_ISO8601SHORTTZ, l = 3;
			break;
		case '.':
		case ',':
			if (i + 1 < n && (s[i + 1] == '0' || s[i + 1] == '9')) {
				char d = s[i + 1];
				size_t j = i + 1;

				while (j < n && s[j] == d)
					j++;
				if (!(j < n && s[j] >= '0' && s[j] <= '9')) {
					r = d == '0' ? S_FRACZERO : S_FRACNINE;
					l = j - i;
					*digits = (int)(j - i - 1);
				}
			}
			break;
		}
		if (r) {
			*at = i;
			*len = l;
			return r;
		}
	}
	*at = n;
	*len = 0;
	return S_NONE;
}

static void pad(struct rg_buf *b, int64_t v, int width)
{
	if (v < 0) {
		rg_buf_addch(b, '-');
		v = -v;
	}
	rg_buf_addf(b, "%0*lld", width, (long long)v);
}

static void fmt_zone(struct rg_buf *b, int64_t off, enum std s)
{
	int64_t z = off / 60, abs = z < 0 ? -z : z, secs = (off < 0 ? -off : off) % 60;
	bool iso = s >= S_ISO8601TZ && s <= S_ISO8601COLONSECONDSTZ;

	if (iso && off == 0) {
		rg_buf_addch(b, 'Z');
		return;
	}
	rg_buf_addch(b, z < 0 ? '-' : '+');
	pad(b, abs / 60, 2);
	if (s == S_ISO8601COLONTZ || s == S_NUMCOLONTZ || s == S_ISO8601COLONSECONDSTZ ||
	    s == S_NUMCOLONSECONDSTZ)
		rg_buf_addch(b, ':');
	if (s != S_NUMSHORTTZ && s != S_ISO8601SHORTTZ)
		pad(b, abs % 60, 2);
	if (s == S_ISO8601SECONDSTZ || s == S_NUMSECONDSTZ || s == S_NUMCOLONSECONDSTZ ||
	    s == S_ISO8601COLONSECONDSTZ) {
		if (s == S_NUMCOLONSECONDSTZ || s == S_ISO8601COLONSECONDSTZ)
			rg_buf_addch(b, ':');
		pad(b, secs, 2);
	}
}

/* time.Time.Format */
static void format(struct rg_buf *b, struct gotime t, const char *lay, size_t n)
{
	struct parts p = split_time(t);
	size_t i = 0;

	while (i < n) {
		size_t at = 0, len = 0;
		int digits = 0;
		enum std s = next_std(lay, n, i, &at, &len, &digits);

		rg_buf_add(b, lay + i, at - i);
		if (s == S_NONE)
			break;
		i = at + len;
		switch (s) {
		case S_YEAR: pad(b, (p.year % 100 + 100) % 100, 2); break;
		case S_LONGYEAR: pad(b, p.year, 4); break;
		case S_MONTH: rg_buf_add(b, months[p.month - 1], 3); break;
		case S_LONGMONTH: rg_buf_adds(b, months[p.month - 1]); break;
		case S_NUMMONTH: rg_buf_addf(b, "%d", p.month); break;
		case S_ZEROMONTH: pad(b, p.month, 2); break;
		case S_WEEKDAY: rg_buf_add(b, wdays[p.wday], 3); break;
		case S_LONGWEEKDAY: rg_buf_adds(b, wdays[p.wday]); break;
		case S_DAY: rg_buf_addf(b, "%d", p.day); break;
		case S_UNDERDAY: rg_buf_addf(b, "%2d", p.day); break;
		case S_ZERODAY: pad(b, p.day, 2); break;
		case S_ZEROYEARDAY: pad(b, p.yday, 3); break;
		case S_HOUR: pad(b, p.hour, 2); break;
		case S_HOUR12: rg_buf_addf(b, "%d", p.hour % 12 ? p.hour % 12 : 12); break;
		case S_ZEROHOUR12: pad(b, p.hour % 12 ? p.hour % 12 : 12, 2); break;
		case S_MINUTE: rg_buf_addf(b, "%d", p.min); break;
		case S_ZEROMINUTE: pad(b, p.min, 2); break;
		case S_SECOND: rg_buf_addf(b, "%d", p.sec); break;
		case S_ZEROSECOND: pad(b, p.sec, 2); break;
		case S_PM: rg_buf_adds(b, p.hour >= 12 ? "PM" : "AM"); break;
		case S_pm: rg_buf_adds(b, p.hour >= 12 ? "pm" : "am"); break;
		case S_TZ:
			if (p.offset == 0)
				rg_buf_adds(b, "UTC");
			else
				fmt_zone(b, p.offset, S_NUMSHORTTZ);
			break;
		case S_FRACZERO:
		case S_FRACNINE: {
			char f[16];
			int w = digits;

			snprintf(f, sizeof(f), "%09lld", (long long)p.nsec);
			if (s == S_FRACNINE) {
				while (w > 0 && f[w - 1] == '0')
					w--;
				if (w == 0)
					break;
			}
			rg_buf_addch(b, lay[at]);
			rg_buf_add(b, f, (size_t)w);
			break;
		}
		default:
			fmt_zone(b, p.offset, s);
		}
	}
}

/* --- parsing (time.ParseInLocation with UTC) ----------------------------- */

static bool getnum(const char *s, size_t n, size_t *i, int width, bool fixed, int64_t *v)
{
	size_t k = 0;

	*v = 0;
	while (k < (size_t)width && *i + k < n && s[*i + k] >= '0' && s[*i + k] <= '9') {
		*v = *v * 10 + (s[*i + k] - '0');
		k++;
	}
	if (k == 0 || (fixed && k != (size_t)width))
		return false;
	*i += k;
	return true;
}

static int lookup(const char *s, size_t n, size_t *i, const char *const *tab, size_t nt, bool short3)
{
	for (size_t k = 0; k < nt; k++) {
		size_t l = short3 ? 3 : strlen(tab[k]);

		if (n - *i >= l && strncasecmp(s + *i, tab[k], l) == 0) {
			*i += l;
			return (int)k;
		}
	}
	return -1;
}

static int parse_time(struct gotime *out, struct rg_buf *msg, const char *lay, size_t ln,
		      const char *val, size_t vn)
{
	int64_t year = 1, month = 1, day = 1, hour = 0, min = 0, sec = 0, nsec = 0, off = 0, tmp = 0;
	bool pm = false, pm_set = false;
	size_t li = 0, vi = 0;

	while (li < ln) {
		size_t at = 0, len = 0, vstart = 0;
		int digits = 0;
		enum std s = next_std(lay, ln, li, &at, &len, &digits);
		bool ok = true;

		/* literal prefix must match */
		if (vn - vi < at - li || memcmp(val + vi, lay + li, at - li) != 0) {
			rg_buf_addf(msg, "parsing time \"%.*s\" as \"%.*s\": cannot parse \"%.*s\" as \"%.*s\"",
				    (int)vn, val, (int)ln, lay, (int)(vn - vi), val + vi, (int)(at - li), lay + li);
			return RG_EPARSE;
		}
		vi += at - li;
		if (s == S_NONE)
			break;
		li = at + len;
		vstart = vi;
		switch (s) {
		case S_YEAR:
			ok = getnum(val, vn, &vi, 2, true, &tmp);
			year = tmp >= 69 ? tmp + 1900 : tmp + 2000;
			break;
		case S_LONGYEAR: ok = getnum(val, vn, &vi, 4, true, &year); break;
		case S_MONTH: tmp = lookup(val, vn, &vi, months, 12, true); ok = tmp >= 0; month = tmp + 1; break;
		case S_LONGMONTH: tmp = lookup(val, vn, &vi, months, 12, false); ok = tmp >= 0; month = tmp + 1; break;
		case S_NUMMONTH: case S_ZEROMONTH:
			ok = getnum(val, vn, &vi, 2, s == S_ZEROMONTH, &month);
			if (ok && (month < 1 || month > 12)) {
				rg_buf_addf(msg, "parsing time \"%.*s\": month out of range", (int)vn, val);
				return RG_EPARSE;
			}
			break;
		case S_WEEKDAY: ok = lookup(val, vn, &vi, wdays, 7, true) >= 0; break;
		case S_LONGWEEKDAY: ok = lookup(val, vn, &vi, wdays, 7, false) >= 0; break;
		case S_DAY: case S_UNDERDAY: case S_ZERODAY:
			if (s == S_UNDERDAY && vi < vn && val[vi] == ' ')
				vi++;
			ok = getnum(val, vn, &vi, 2, s == S_ZERODAY, &day);
			break;
		case S_ZEROYEARDAY: ok = getnum(val, vn, &vi, 3, true, &tmp); break;
		case S_HOUR: ok = getnum(val, vn, &vi, 2, false, &hour) && hour < 24; break;
		case S_HOUR12: case S_ZEROHOUR12: ok = getnum(val, vn, &vi, 2, s == S_ZEROHOUR12, &hour) && hour <= 12; break;
		case S_MINUTE: case S_ZEROMINUTE: ok = getnum(val, vn, &vi, 2, s == S_ZEROMINUTE, &min) && min < 60; break;
		case S_SECOND: case S_ZEROSECOND:
			ok = getnum(val, vn, &vi, 2, s == S_ZEROSECOND, &sec) && sec < 60;
			/* a fraction after seconds is accepted even if the layout has none */
			if (ok && vi + 1 < vn && (val[vi] == '.' || val[vi] == ',') &&
			    val[vi + 1] >= '0' && val[vi + 1] <= '9' &&
			    !(li < ln && (lay[li] == '.' || lay[li] == ','))) {
				int64_t scale = 100000000;

				vi++;
				while (vi < vn && val[vi] >= '0' && val[vi] <= '9') {
					nsec += (val[vi++] - '0') * scale;
					scale /= 10;
				}
			}
			break;
		case S_PM: case S_pm:
			ok = vn - vi >= 2;
			if (ok) {
				pm_set = true;
				pm = strncasecmp(val + vi, "PM", 2) == 0;
				ok = pm || strncasecmp(val + vi, "AM", 2) == 0;
				vi += 2;
			}
			break;
		case S_TZ:
			if (vn - vi >= 3 && strncmp(val + vi, "UTC", 3) == 0) {
				vi += 3;
			} else {
				size_t k = vi;

				while (k < vn && val[k] >= 'A' && val[k] <= 'Z')
					k++;
				ok = k - vi >= 3;
				vi = k;
			}
			break;
		case S_FRACZERO: case S_FRACNINE: {
			int64_t scale = 100000000;

			ok = vi < vn && (val[vi] == '.' || val[vi] == ',');
			if (!ok && s == S_FRACNINE) {
				ok = true;
				break;
			}
			if (ok) {
				vi++;
				while (vi < vn && val[vi] >= '0' && val[vi] <= '9') {
					nsec += (val[vi++] - '0') * scale;
					scale /= 10;
				}
			}
			break;
		}
		default: {
			bool iso = s >= S_ISO8601TZ && s <= S_ISO8601COLONSECONDSTZ;
			int64_t hh = 0, mm = 0, ss = 0;
			int sign = 1;

			if (iso && vi < vn && val[vi] == 'Z') {
				vi++;
				off = 0;
				break;
			}
			ok = vi < vn && (val[vi] == '+' || val[vi] == '-');
			if (!ok)
				break;
			sign = val[vi++] == '-' ? -1 : 1;
			ok = getnum(val, vn, &vi, 2, true, &hh);
			if (ok && s != S_NUMSHORTTZ && s != S_ISO8601SHORTTZ) {
				if (s == S_NUMCOLONTZ || s == S_ISO8601COLONTZ || s == S_NUMCOLONSECONDSTZ ||
				    s == S_ISO8601COLONSECONDSTZ)
					ok = vi < vn && val[vi++] == ':';
				ok = ok && getnum(val, vn, &vi, 2, true, &mm);
			}
			if (ok && (s == S_NUMSECONDSTZ || s == S_ISO8601SECONDSTZ || s == S_NUMCOLONSECONDSTZ ||
				   s == S_ISO8601COLONSECONDSTZ)) {
				if (s == S_NUMCOLONSECONDSTZ || s == S_ISO8601COLONSECONDSTZ)
					ok = vi < vn && val[vi++] == ':';
				ok = ok && getnum(val, vn, &vi, 2, true, &ss);
			}
			off = sign * (hh * 3600 + mm * 60 + ss);
			break;
		}
		}
		if (!ok) {
			rg_buf_addf(msg, "parsing time \"%.*s\" as \"%.*s\": cannot parse \"%.*s\" as \"%.*s\"",
				    (int)vn, val, (int)ln, lay, (int)(vn - vstart), val + vstart, (int)len, lay + at);
			return RG_EPARSE;
		}
	}
	if (vi < vn) {
		rg_buf_addf(msg, "parsing time \"%.*s\": extra text: \"%.*s\"", (int)vn, val, (int)(vn - vi), val + vi);
		return RG_EPARSE;
	}
	if (pm_set && pm && hour < 12)
		hour += 12;
	else if (pm_set && !pm && hour == 12)
		hour = 0;
	{
		static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
		bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

		if (day < 1 || day > mdays[month - 1] || (month == 2 && day == 29 && !leap)) {
			rg_buf_addf(msg, "parsing time \"%.*s\": day out of range", (int)vn, val);
			return RG_EPARSE;
		}
	}
	out->unix = days_from_civil(year, (int)month, (int)day) * 86400 + hour * 3600 + min * 60 + sec - off;
	out->nsec = nsec;
	out->offset = off;
	return 0;
}

/* --- durations ------------------------------------------------------------- */

/* time.Duration.String */
static void duration_string(struct rg_buf *b, int64_t d)
{
	char buf[40];
	int w = (int)sizeof(buf);
	uint64_t u = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;
	int prec = 9;
	bool print = false;

#define PUT(ch) (buf[--w] = (ch))
	if (u == 0) {
		rg_buf_adds(b, "0s");
		return;
	}
	if (u < 1000000000ull) {
		PUT('s');
		if (u < 1000ull) {
			prec = 0;
			PUT('n');
		} else if (u < 1000000ull) {
			prec = 3;
			PUT('\xb5');
			PUT('\xc2');
		} else {
			prec = 6;
			PUT('m');
		}
	} else {
		PUT('s');
	}
	for (int i = 0; i < prec; i++) {
		int digit = (int)(u % 10);

		print = print || digit != 0;
		if (print)
			PUT((char)('0' + digit));
		u /= 10;
	}
	if (print)
		PUT('.');
	if (prec == 9) {
		uint64_t s = u % 60, m = 0;

		do {
			PUT((char)('0' + s % 10));
			s /= 10;
		} while (s);
		u /= 60;
		if (u > 0) {
			PUT('m');
			m = u % 60;
			do {
				PUT((char)('0' + m % 10));
				m /= 10;
			} while (m);
			u /= 60;
			if (u > 0) {
				PUT('h');
				do {
					PUT((char)('0' + u % 10));
					u /= 10;
				} while (u);
			}
		}
	} else {
		do {
			PUT((char)('0' + u % 10));
			u /= 10;
		} while (u);
	}
	if (d < 0)
		PUT('-');
#undef PUT
	rg_buf_add(b, buf + w, sizeof(buf) - (size_t)w);
}

/* time.ParseDuration */
static int parse_duration(int64_t *out, struct rg_buf *msg, const char *s, size_t n)
{
	static const struct { const char *u; uint64_t ns; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "\xc2\xb5s", 1000 }, { "\xce\xbcs", 1000 },
		{ "ms", 1000000 }, { "s", 1000000000ull }, { "m", 60000000000ull }, { "h", 3600000000000ull },
	};
	size_t i = 0;
	bool neg = false;
	double total = 0;

	if (n && (s[0] == '-' || s[0] == '+'))
		neg = s[i++] == '-';
	if (n - i == 1 && s[i] == '0') {
		*out = 0;
		return 0;
	}
	if (i == n)
		goto invalid;
	while (i < n) {
		double v = 0, frac = 0, scale = 1;
		size_t st = i, ust = 0;
		bool pre = false, post = false;
		uint64_t unit = 0;

		if (!(s[i] == '.' || (s[i] >= '0' && s[i] <= '9')))
			goto invalid;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			v = v * 10 + (s[i++] - '0');
			pre = true;
		}
		if (i < n && s[i] == '.') {
			i++;
			while (i < n && s[i] >= '0' && s[i] <= '9') {
				scale /= 10;
				frac += (s[i++] - '0') * scale;
				post = true;
			}
		}
		if (!pre && !post)
			goto invalid;
		ust = i;
		while (i < n && s[i] != '.' && !(s[i] >= '0' && s[i] <= '9'))
			i++;
		if (ust == i) {
			rg_buf_addf(msg, "time: missing unit in duration \"%.*s\"", (int)n, s);
			return RG_EPARSE;
		}
		for (size_t k = 0; k < RG_ARRAY_SIZE(units); k++)
			if (strlen(units[k].u) == i - ust && memcmp(units[k].u, s + ust, i - ust) == 0)
				unit = units[k].ns;
		if (!unit) {
			rg_buf_addf(msg, "time: unknown unit \"%.*s\" in duration \"%.*s\"", (int)(i - ust),
				    s + ust, (int)n, s);
			return RG_EPARSE;
		}
		(void)st;
		total += (v + frac) * (double)unit;
		if (total > 9223372036854775807.0)
			goto invalid;
	}
	*out = neg ? -(int64_t)total : (int64_t)total;
	return 0;
invalid:
	rg_buf_addf(msg, "time: invalid duration \"%.*s\"", (int)n, s);
	return RG_EPARSE;
}

/* --- the functions ----------------------------------------------------------- */

static int fn_now(struct rg_node **out, struct rg_tmpl_call *c,
		  struct rg_node *const *args, size_t nargs)
{
	*out = time_node(c, now());
	return 0;
}

static int date_in_zone(struct rg_node **out, struct rg_tmpl_call *c, struct rg_str lay,
			const struct rg_node *date)
{
	struct rg_buf b = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);
	bool used_now = false;

	/* every zone is UTC here (see the top of this file) */
	format(&b, any_time(c, date, true, &used_now), lay.ptr, lay.len);
	*out = rg_funcs_buf_str(c, &b);
	mark(*out, used_now);
	return 0;
}

/* date LAYOUT DATE */
static int fn_date(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, size_t nargs)
{
	struct rg_str lay;
	int rc = 0;

	RG_FUNCS_STR(lay, 0);
	rc = date_in_zone(out, c, lay, args[1]);
out:
	return rc;
}

/* dateInZone LAYOUT DATE ZONE */
static int fn_date_in_zone(struct rg_node **out, struct rg_tmpl_call *c,
			   struct rg_node *const *args, size_t nargs)
{
	struct rg_str lay, zone;
	int rc = 0;

	RG_FUNCS_STR(lay, 0);
	RG_FUNCS_STR(zone, 2);
	rc = date_in_zone(out, c, lay, args[1]);
out:
	return rc;
}

static int fn_html_date(struct rg_node **out, struct rg_tmpl_call *c,
			struct rg_node *const *args, size_t nargs)
{
	return date_in_zone(out, c, (struct rg_str)RG_STR_LIT("2006-01-02"), args[0]);
}

static int fn_html_date_in_zone(struct rg_node **out, struct rg_tmpl_call *c,
				struct rg_node *const *args, size_t nargs)
{
	struct rg_str zone;
	int rc = 0;

	RG_FUNCS_STR(zone, 1);
	rc = date_in_zone(out, c, (struct rg_str)RG_STR_LIT("2006-01-02"), args[0]);
out:
	return rc;
}

static int to_date(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, bool must)
{
	struct rg_buf msg = RG_BUF_INIT(RG_ERR_MSG_MAX);
	struct gotime t = { -62135596800LL, 0, 0 }; /* the zero time.Time */
	struct rg_str lay, val;
	int rc = 0;

	RG_FUNCS_STR(lay, 0);
	RG_FUNCS_STR(val, 1);
	if (parse_time(&t, &msg, lay.ptr, lay.len, val.ptr, val.len)) {
		if (must) {
			rc = rg_tmpl_fail(c, "%s", msg.ptr);
			goto out;
		}
		t.unix = -62135596800LL, t.nsec = 0, t.offset = 0;
	}
	*out = time_node(c, t);
out:
	rg_buf_release(&msg);
	return rc;
}

static int fn_to_date(struct rg_node **out, struct rg_tmpl_call *c,
		      struct rg_node *const *args, size_t nargs)
{
	return to_date(out, c, args, false);
}

static int fn_must_to_date(struct rg_node **out, struct rg_tmpl_call *c,
			   struct rg_node *const *args, size_t nargs)
{
	return to_date(out, c, args, true);
}

static int fn_unix_epoch(struct rg_node **out, struct rg_tmpl_call *c,
			 struct rg_node *const *args, size_t nargs)
{
	struct gotime t;
	char b[32];
	int rc = arg_time(&t, c, args, 0);

	if (!rc) {
		snprintf(b, sizeof(b), "%lld", (long long)t.unix);
		*out = rg_node_str(c->arena, b);
	}
	return rc;
}

static int date_modify(struct rg_node **out, struct rg_tmpl_call *c,
		       struct rg_node *const *args, bool must)
{
	struct rg_buf msg = RG_BUF_INIT(RG_ERR_MSG_MAX);
	struct rg_str d;
	struct gotime t;
	int64_t ns = 0;
	int rc = 0;

	RG_FUNCS_STR(d, 0);
	rc = arg_time(&t, c, args, 1);
	if (rc)
		goto out;
	if (parse_duration(&ns, &msg, d.ptr, d.len)) {
		if (must)
			rc = rg_tmpl_fail(c, "%s", msg.ptr);
		else
			*out = args[1];
		goto out;
	}
	t.nsec += ns % 1000000000;
	t.unix += ns / 1000000000 + floordiv(t.nsec, 1000000000);
	t.nsec = t.nsec - floordiv(t.nsec, 1000000000) * 1000000000;
	*out = time_node(c, t);
out:
	rg_buf_release(&msg);
	return rc;
}

static int fn_date_modify(struct rg_node **out, struct rg_tmpl_call *c,
			  struct rg_node *const *args, size_t nargs)
{
	return date_modify(out, c, args, false);
}

static int fn_must_date_modify(struct rg_node **out, struct rg_tmpl_call *c,
			       struct rg_node *const *args, size_t nargs)
{
	return date_modify(out, c, args, true);
}

static bool decimal_i64(const char *s, size_t n, int64_t *v)
{
	size_t i = 0;
	bool neg = false;
	uint64_t u = 0;

	if (n && (s[0] == '+' || s[0] == '-'))
		neg = s[i++] == '-';
	if (i == n)
		return false;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || u > (UINT64_MAX - 9) / 10)
			return false;
		u = u * 10 + (uint64_t)(s[i] - '0');
	}
	if (u > (uint64_t)INT64_MAX + neg)
		return false;
	*v = neg ? (int64_t)(0 - u) : (int64_t)u;
	return true;
}

/* duration SECONDS: string or int64 only (an int gives 0s, as in sprig) */
static int fn_duration(struct rg_node **out, struct rg_tmpl_call *c,
		       struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);
	const struct rg_node *v = args[0];
	int64_t n = 0;

	if (v && v->kind == RG_STR && v->tag == RG_GT_DEFAULT) {
		if (!decimal_i64(v->u.s.ptr, v->u.s.len, &n))
			n = 0;
	} else if (v && v->kind == RG_INT && v->tag == RG_GT_INT64) {
		n = v->u.i;
	}
	duration_string(&b, (int64_t)((uint64_t)n * 1000000000ull));
	*out = rg_funcs_buf_str(c, &b);
	return 0;
}

static int fn_duration_round(struct rg_node **out, struct rg_tmpl_call *c,
			     struct rg_node *const *args, size_t nargs)
{
	static const struct { uint64_t div; const char *u; } steps[] = {
		{ 3600ull * 24 * 365 * 1000000000ull, "y" }, { 3600ull * 24 * 30 * 1000000000ull, "mo" },
		{ 3600ull * 24 * 1000000000ull, "d" },	     { 3600ull * 1000000000ull, "h" },
		{ 60ull * 1000000000ull, "m" },		     { 1000000000ull, "s" },
	};
	struct rg_buf msg = RG_BUF_INIT(RG_ERR_MSG_MAX);
	const struct rg_node *v = args[0];
	bool used_now = false;
	int64_t d = 0;
	uint64_t u = 0;
	char b[48];

	if (v && v->kind == RG_STR && v->tag == RG_GT_DEFAULT) {
		if (parse_duration(&d, &msg, v->u.s.ptr, v->u.s.len))
			d = 0;
	} else if (v && v->kind == RG_INT && v->tag == RG_GT_INT64) {
		d = v->u.i;
	} else if (is_time(c, v)) {
		struct gotime t = time_of(v), n = now();

		d = (n.unix - t.unix) * 1000000000 + (n.nsec - t.nsec);
		used_now = true;
	}
	rg_buf_release(&msg);
	u = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;
	snprintf(b, sizeof(b), "0s");
	for (size_t i = 0; i < RG_ARRAY_SIZE(steps); i++)
		if (u > steps[i].div) {
			snprintf(b, sizeof(b), "%llu%s", (unsigned long long)(u / steps[i].div), steps[i].u);
			break;
		}
	*out = rg_node_str(c->arena, b);
	mark(*out, used_now);
	return 0;
}

/* ago DATE: time since DATE rounded to seconds */
static int fn_ago(struct rg_node **out, struct rg_tmpl_call *c,
		  struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);
	bool used_now = false;
	struct gotime t = any_time(c, args[0], false, &used_now), n = now();
	int64_t secs = n.unix - t.unix, ns = n.nsec - t.nsec;

	if (ns < 0) {
		secs--;
		ns += 1000000000;
	}
	if (ns >= 500000000) /* Round(time.Second): halves away from zero */
		secs += secs >= 0 ? 1 : 0;
	duration_string(&b, secs * 1000000000);
	*out = rg_funcs_buf_str(c, &b);
	return 0;
}

const struct rg_tmpl_func rg_funcs_date[] = {
	{ "now", fn_now, 0, 0, RG_TMPL_FN_VOLATILE },
	{ "date", fn_date, 2, 2, 0 },
	{ "dateInZone", fn_date_in_zone, 3, 3, 0 },
	{ "date_in_zone", fn_date_in_zone, 3, 3, 0 },
	{ "htmlDate", fn_html_date, 1, 1, 0 },
	{ "htmlDateInZone", fn_html_date_in_zone, 2, 2, 0 },
	{ "toDate", fn_to_date, 2, 2, 0 },
	{ "mustToDate", fn_must_to_date, 2, 2, 0 },
	{ "unixEpoch", fn_unix_epoch, 1, 1, 0 },
	{ "dateModify", fn_date_modify, 2, 2, 0 },
	{ "date_modify", fn_date_modify, 2, 2, 0 },
	{ "mustDateModify", fn_must_date_modify, 2, 2, 0 },
	{ "must_date_modify", fn_must_date_modify, 2, 2, 0 },
	{ "duration", fn_duration, 1, 1, 0 },
	{ "durationRound", fn_duration_round, 1, 1, 0 },
	{ "ago", fn_ago, 1, 1, RG_TMPL_FN_VOLATILE },
	{ NULL, NULL, 0, 0, 0 },
};
