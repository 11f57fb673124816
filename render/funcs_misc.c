#include "rendergate/compat.h"
#include "rendergate/funcs_lib.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/semver.h"

/*
 * Sprig's defaults and flow (defaults.go), reflection (reflect.go), paths
 * (Go's path package; filepath is the same on Unix), URLs (url.go on
 * net/url), semver (semver.go) and getHostByName (no network: "").
 */

static struct rg_node *result(struct rg_node *v)
{
	return rg_tmpl_isnil(v) ? NULL : v;
}

/* default DEFAULT [GIVEN]: GIVEN unless it is empty */
static int fn_default(struct rg_node **out, struct rg_tmpl_call *c,
		      struct rg_node *const *args, size_t nargs)
{
	*out = nargs < 2 || rg_funcs_empty(args[1]) ? result(args[0]) : args[1];
	return 0;
}

static int fn_empty(struct rg_node **out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, size_t nargs)
{
	*out = rg_node_bool(c->arena, rg_funcs_empty(args[0]));
	return 0;
}

static int fn_coalesce(struct rg_node **out, struct rg_tmpl_call *c,
		       struct rg_node *const *args, size_t nargs)
{
	*out = NULL;
	for (size_t i = 0; i < nargs; i++)
		if (!rg_funcs_empty(args[i])) {
			*out = args[i];
			break;
		}
	return 0;
}

static int fn_all(struct rg_node **out, struct rg_tmpl_call *c,
		  struct rg_node *const *args, size_t nargs)
{
	bool r = true;

	for (size_t i = 0; i < nargs && r; i++)
		r = !rg_funcs_empty(args[i]);
	*out = rg_node_bool(c->arena, r);
	return 0;
}

static int fn_any(struct rg_node **out, struct rg_tmpl_call *c,
		  struct rg_node *const *args, size_t nargs)
{
	bool r = false;

	for (size_t i = 0; i < nargs && !r; i++)
		r = !rg_funcs_empty(args[i]);
	*out = rg_node_bool(c->arena, r);
	return 0;
}

/* ternary TRUEVAL FALSEVAL COND */
static int fn_ternary(struct rg_node **out, struct rg_tmpl_call *c,
		      struct rg_node *const *args, size_t nargs)
{
	bool v = false;
	int rc = rg_tmpl_arg_bool(&v, c, args, 2);

	if (!rc)
		*out = result(v ? args[0] : args[1]);
	return rc;
}

static int fn_type_of(struct rg_node **out, struct rg_tmpl_call *c,
		      struct rg_node *const *args, size_t nargs)
{
	*out = rg_node_str(c->arena, rg_tmpl_typename(rg_tmpl_exec_set(c), args[0]));
	return 0;
}

static int type_is(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, bool like)
{
	struct rg_str t;
	const char *name = NULL;
	int rc = 0;

	RG_FUNCS_STR(t, 0);
	name = rg_tmpl_typename(rg_tmpl_exec_set(c), args[1]);
	*out = rg_node_bool(c->arena,
			    (strlen(name) == t.len && memcmp(name, t.ptr, t.len) == 0) ||
				    (like && name[0] == '*' && strlen(name + 1) == t.len &&
				     memcmp(name + 1, t.ptr, t.len) == 0));
out:
	return rc;
}

static int fn_type_is(struct rg_node **out, struct rg_tmpl_call *c,
		      struct rg_node *const *args, size_t nargs)
{
	return type_is(out, c, args, false);
}

static int fn_type_is_like(struct rg_node **out, struct rg_tmpl_call *c,
			   struct rg_node *const *args, size_t nargs)
{
	return type_is(out, c, args, true);
}

static int fn_kind_of(struct rg_node **out, struct rg_tmpl_call *c,
		      struct rg_node *const *args, size_t nargs)
{
	*out = rg_node_str(c->arena, rg_tmpl_kindname(args[0]));
	return 0;
}

static int fn_kind_is(struct rg_node **out, struct rg_tmpl_call *c,
		      struct rg_node *const *args, size_t nargs)
{
	struct rg_str t;
	const char *k = NULL;
	int rc = 0;

	RG_FUNCS_STR(t, 0);
	k = rg_tmpl_kindname(args[1]);
	*out = rg_node_bool(c->arena, strlen(k) == t.len && memcmp(k, t.ptr, t.len) == 0);
out:
	return rc;
}

static int fn_deep_equal(struct rg_node **out, struct rg_tmpl_call *c,
			 struct rg_node *const *args, size_t nargs)
{
	*out = rg_node_bool(c->arena, rg_funcs_deep_equal(args[0], args[1]));
	return 0;
}

/* --- paths: Go's path package ------------------------------------------ */

/* path.Clean into b */
static void clean(struct rg_buf *b, const char *p, size_t n)
{
	size_t r = 0, dotdot = 0;
	bool rooted = n > 0 && p[0] == '/';

	if (n == 0) {
		rg_buf_addch(b, '.');
		return;
	}
	if (rooted) {
		rg_buf_addch(b, '/');
		r = dotdot = 1;
	}
	while (r < n) {
		if (p[r] == '/') {
			r++;
		} else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
			r++;
		} else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
			r += 2;
			if (b->len > dotdot) {
				size_t w = b->len - 1;

				while (w > dotdot && b->ptr[w] != '/')
					w--;
				rg_buf_truncate(b, w);
			} else if (!rooted) {
				if (b->len > 0)
					rg_buf_addch(b, '/');
				rg_buf_adds(b, "..");
				dotdot = b->len;
			}
		} else {
			if ((rooted && b->len != 1) || (!rooted && b->len != 0))
				rg_buf_addch(b, '/');
			for (; r < n && p[r] != '/'; r++)
				rg_buf_addch(b, p[r]);
		}
	}
	if (b->len == 0)
		rg_buf_addch(b, '.');
}

static int path_fn(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, char which)
{
	struct rg_buf b = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);
	struct rg_str s;
	int rc = 0;

	RG_FUNCS_STR(s, 0);
	switch (which) {
	case 'c':
		clean(&b, s.ptr, s.len);
		break;
	case 'b': {
		size_t n = s.len;
		const char *slash = NULL;

		if (n == 0) {
			rg_buf_addch(&b, '.');
			break;
		}
		while (n > 0 && s.ptr[n - 1] == '/')
			n--;
		slash = n ? memrchr(s.ptr, '/', n) : NULL;
		if (slash)
			rg_buf_add(&b, slash + 1, n - (size_t)(slash + 1 - s.ptr));
		else
			rg_buf_add(&b, s.ptr, n);
		if (b.len == 0)
			rg_buf_addch(&b, '/');
		break;
	}
	case 'd': {
		const char *slash = s.len ? memrchr(s.ptr, '/', s.len) : NULL;

		clean(&b, s.ptr, slash ? (size_t)(slash - s.ptr) + 1 : 0);
		break;
	}
	case 'e':
		for (size_t i = s.len; i > 0 && s.ptr[i - 1] != '/'; i--)
			if (s.ptr[i - 1] == '.') {
				rg_buf_add(&b, s.ptr + i - 1, s.len - i + 1);
				break;
			}
		break;
	}
	*out = rg_funcs_buf_str(c, &b);
out:
	rg_buf_release(&b);
	return rc;
}

static int fn_base(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, size_t nargs)
{
	return path_fn(out, c, args, 'b');
}

static int fn_dir(struct rg_node **out, struct rg_tmpl_call *c,
		  struct rg_node *const *args, size_t nargs)
{
	return path_fn(out, c, args, 'd');
}

static int fn_clean(struct rg_node **out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, size_t nargs)
{
	return path_fn(out, c, args, 'c');
}

static int fn_ext(struct rg_node **out, struct rg_tmpl_call *c,
		  struct rg_node *const *args, size_t nargs)
{
	return path_fn(out, c, args, 'e');
}

static int fn_is_abs(struct rg_node **out, struct rg_tmpl_call *c,
		     struct rg_node *const *args, size_t nargs)
{
	struct rg_str s;
	int rc = 0;

	RG_FUNCS_STR(s, 0);
	*out = rg_node_bool(c->arena, s.len > 0 && s.ptr[0] == '/');
out:
	return rc;
}

/* --- URLs (net/url) ---------------------------------------------------- */

static int unhex(char ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0' : (ch | 0x20) >= 'a' && (ch | 0x20) <= 'f' ? (ch | 0x20) - 'a' + 10 : -1;
}

/* url.unescape: %XX decoding; false on a bad escape (what names it in *bad) */
static bool unescape(struct rg_buf *b, const char *s, size_t n, const char **bad, size_t *badn)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '%') {
			rg_buf_addch(b, s[i]);
			continue;
		}
		if (i + 2 >= n || unhex(s[i + 1]) < 0 || unhex(s[i + 2]) < 0) {
			*bad = s + i;
			*badn = n - i < 3 ? n - i : 3;
			return false;
		}
		rg_buf_addch(b, (char)(unhex(s[i + 1]) << 4 | unhex(s[i + 2])));
		i += 2;
	}
	return true;
}

enum esc_mode { ESC_PATH, ESC_FRAGMENT, ESC_USER, ESC_HOST };

/* url.shouldEscape for the modes urlJoin needs */
static bool should_escape(unsigned char ch, enum esc_mode m)
{
	if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z')
		return false;
	if (ch >= '0' && ch <= '9')
		return false;
	if (m == ESC_HOST && strchr("!$&'()*+,;=:[]<>\"", ch) && ch)
		return false;
	switch (ch) {
	case '-': case '_': case '.': case '~':
		return false;
	case '$': case '&': case '+': case ',': case '/': case ':': case ';': case '=':
	case '?': case '@':
		if (m == ESC_PATH)
			return ch == '?';
		if (m == ESC_USER)
			return ch == '@' || ch == '/' || ch == '?' || ch == ':';
		if (m == ESC_FRAGMENT)
			return false;
		return true;
	}
	if (m == ESC_FRAGMENT && strchr("!()*", ch) && ch)
		return false;
	if (m == ESC_HOST && ch >= 0x80)
		return false;
	return true;
}

static void escape(struct rg_buf *b, const char *s, size_t n, enum esc_mode m)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (should_escape(ch, m)) {
			char e[3] = { '%', hex[ch >> 4], hex[ch & 15] };

			rg_buf_add(b, e, 3);
		} else {
			rg_buf_addch(b, (char)ch);
		}
	}
}

static struct rg_node *bstr(struct rg_tmpl_call *c, struct rg_buf *b)
{
	return rg_node_strn(c->arena, b->ptr, b->len);
}

/* urlParse URL: map of scheme host hostname path query opaque fragment userinfo */
static int fn_url_parse(struct rg_node **out, struct rg_tmpl_call *c,
			struct rg_node *const *args, size_t nargs)
{
	struct rg_buf path = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES), frag = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);
	struct rg_buf user = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);
	struct rg_node *m = rg_node_map(c->arena);
	struct rg_str s, scheme = { "", 0 }, host = { "", 0 }, query = { "", 0 }, opaque = { "", 0 };
	const char *p = NULL, *end = NULL, *hash = NULL, *q = NULL, *bad = NULL;
	size_t badn = 0;
	bool has_user = false;
	int rc = 0;

	RG_FUNCS_STR(s, 0);
	p = s.ptr;
	end = s.ptr + s.len;
	hash = memchr(p, '#', s.len);
	if (hash) {
		if (!unescape(&frag, hash + 1, (size_t)(end - hash - 1), &bad, &badn))
			goto bad_escape;
		end = hash;
	}
	/* scheme: a letter, then letters, digits, + - . up to ':' */
	if (p < end && ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z')) {
		const char *k = p;

		while (k < end && (((*k | 0x20) >= 'a' && (*k | 0x20) <= 'z') ||
				   (*k >= '0' && *k <= '9') || *k == '+' || *k == '-' || *k == '.'))
			k++;
		if (k < end && *k == ':') {
			char *low = rg_arena_strndup(c->arena, p, (size_t)(k - p));

			for (size_t i = 0; low[i]; i++)
				if (low[i] >= 'A' && low[i] <= 'Z')
					low[i] = (char)(low[i] | 0x20);
			scheme.ptr = low;
			scheme.len = (size_t)(k - p);
			p = k + 1;
		}
	}
	q = memchr(p, '?', (size_t)(end - p));
	if (q) {
		query.ptr = q + 1;
		query.len = (size_t)(end - q - 1);
		end = q;
	}
	if (scheme.len && (p >= end || *p != '/')) {
		opaque.ptr = p;
		opaque.len = (size_t)(end - p);
		p = end;
	} else if (end - p >= 2 && p[0] == '/' && p[1] == '/') {
		const char *a = p + 2, *slash = memchr(a, '/', (size_t)(end - a));
		const char *aend = slash ? slash : end;
		const char *at = NULL;

		for (const char *k = aend; k > a; k--)
			if (k[-1] == '@') {
				at = k - 1;
				break;
			}
		if (at) {
			has_user = true;
			if (!unescape(&user, a, (size_t)(at - a), &bad, &badn))
				goto bad_escape;
			a = at + 1;
		}
		host.ptr = a;
		host.len = (size_t)(aend - a);
		p = aend;
	}
	if (!unescape(&path, p, (size_t)(end - p), &bad, &badn))
		goto bad_escape;
	rg_map_set(c->arena, m, "scheme", 6, rg_node_strn(c->arena, scheme.ptr, scheme.len));
	rg_map_set(c->arena, m, "host", 4, rg_node_strn(c->arena, host.ptr, host.len));
	{
		/* Hostname(): without port, IPv6 brackets removed */
		const char *h = host.ptr, *he = host.ptr + host.len;

		if (host.len && h[0] == '[') {
			const char *rb = memchr(h, ']', host.len);

			h++;
			he = rb ? rb : he;
		} else {
			const char *colon = host.len ? memrchr(h, ':', host.len) : NULL;

			if (colon)
				he = colon;
		}
		rg_map_set(c->arena, m, "hostname", 8, rg_node_strn(c->arena, h, (size_t)(he - h)));
	}
	rg_map_set(c->arena, m, "path", 4, bstr(c, &path));
	rg_map_set(c->arena, m, "query", 5, rg_node_strn(c->arena, query.ptr, query.len));
	rg_map_set(c->arena, m, "opaque", 6, rg_node_strn(c->arena, opaque.ptr, opaque.len));
	rg_map_set(c->arena, m, "fragment", 8, bstr(c, &frag));
	if (has_user) {
		/* Userinfo.String(): user escaped, ":" password escaped */
		struct rg_buf ui = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);
		const char *colon = memchr(user.ptr, ':', user.len);
		size_t ul = colon ? (size_t)(colon - user.ptr) : user.len;

		escape(&ui, user.ptr, ul, ESC_USER);
		if (colon) {
			rg_buf_addch(&ui, ':');
			escape(&ui, colon + 1, user.len - ul - 1, ESC_USER);
		}
		rg_map_set(c->arena, m, "userinfo", 8, bstr(c, &ui));
		rg_buf_release(&ui);
	} else {
		rg_map_set(c->arena, m, "userinfo", 8, rg_node_str(c->arena, ""));
	}
	*out = m;
	goto out;
bad_escape:
	rc = rg_tmpl_fail(c, "unable to parse url: parse \"%.*s\": invalid URL escape \"%.*s\"",
			  (int)s.len, s.ptr, (int)badn, bad);
out:
	rg_buf_release(&path);
	rg_buf_release(&frag);
	rg_buf_release(&user);
	return rc;
}

/* dictGetOrEmpty */
static int url_part(struct rg_str *out, struct rg_tmpl_call *c, const struct rg_node *d,
		    const char *key)
{
	const struct rg_node *v = d ? rg_map_gets(d, key) : NULL;

	out->ptr = "";
	out->len = 0;
	if (!v)
		return 0;
	if (v->kind != RG_STR || v->tag != RG_GT_DEFAULT)
		return rg_tmpl_fail(c, "unable to parse %s key, must be of type string, but %s found",
				    key, rg_tmpl_kindname(v));
	*out = v->u.s;
	return 0;
}

/* urlJoin MAP: url.URL{...}.String() */
static int fn_url_join(struct rg_node **out, struct rg_tmpl_call *c,
		       struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES), ep = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);
	struct rg_node *d = NULL;
	struct rg_str scheme, host, path, query, opaque, frag, user;
	int rc = rg_tmpl_arg_map(&d, c, args, 0);

	if (rc || (rc = url_part(&scheme, c, d, "scheme")) || (rc = url_part(&host, c, d, "host")) ||
	    (rc = url_part(&path, c, d, "path")) || (rc = url_part(&query, c, d, "query")) ||
	    (rc = url_part(&opaque, c, d, "opaque")) || (rc = url_part(&frag, c, d, "fragment")) ||
	    (rc = url_part(&user, c, d, "userinfo")))
		goto out;
	if (scheme.len) {
		rg_buf_add(&b, scheme.ptr, scheme.len);
		rg_buf_addch(&b, ':');
	}
	if (opaque.len) {
		rg_buf_add(&b, opaque.ptr, opaque.len);
	} else {
		if (scheme.len || host.len || user.len) {
			if (host.len || path.len || user.len)
				rg_buf_adds(&b, "//");
			if (user.len) {
				/* parsed back from "proto://USERINFO@host" and re-escaped */
				struct rg_buf raw = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);
				const char *bad = NULL, *colon = NULL;
				size_t badn = 0, ul = 0;

				if (!unescape(&raw, user.ptr, user.len, &bad, &badn)) {
					rg_buf_release(&raw);
					rc = rg_tmpl_fail(c, "unable to parse userinfo in dict: parse \"proto://%.*s@host\": invalid URL escape \"%.*s\"",
							  (int)user.len, user.ptr, (int)badn, bad);
					goto out;
				}
				colon = memchr(raw.ptr, ':', raw.len);
				ul = colon ? (size_t)(colon - raw.ptr) : raw.len;
				escape(&b, raw.ptr, ul, ESC_USER);
				if (colon) {
					rg_buf_addch(&b, ':');
					escape(&b, colon + 1, raw.len - ul - 1, ESC_USER);
				}
				rg_buf_addch(&b, '@');
				rg_buf_release(&raw);
			}
			escape(&b, host.ptr, host.len, ESC_HOST);
		}
		escape(&ep, path.ptr, path.len, ESC_PATH);
		if (ep.len && ep.ptr[0] != '/' && host.len)
			rg_buf_addch(&b, '/');
		if (b.len == 0) {
			const char *colon = ep.len ? memchr(ep.ptr, ':', ep.len) : NULL;

			if (colon && !memchr(ep.ptr, '/', (size_t)(colon - ep.ptr)))
				rg_buf_adds(&b, "./");
		}
		rg_buf_add(&b, ep.ptr, ep.len);
	}
	if (query.len) {
		rg_buf_addch(&b, '?');
		rg_buf_add(&b, query.ptr, query.len);
	}
	if (frag.len) {
		rg_buf_addch(&b, '#');
		escape(&b, frag.ptr, frag.len, ESC_FRAGMENT);
	}
	*out = bstr(c, &b);
out:
	rg_buf_release(&b);
	rg_buf_release(&ep);
	return rc;
}

/* --- semver ------------------------------------------------------------- */

static int fn_semver_compare(struct rg_node **out, struct rg_tmpl_call *c,
			     struct rg_node *const *args, size_t nargs)
{
	struct rg_err err = RG_ERR_INIT;
	struct rg_str cons, ver;
	bool r = false;
	int rc = 0;

	RG_FUNCS_STR(cons, 0);
	RG_FUNCS_STR(ver, 1);
	if (rg_semver_compare_str(&r, c->arena, cons.ptr, cons.len, ver.ptr, ver.len, &err)) {
		rc = rg_tmpl_fail(c, "%s", err.msg);
		goto out;
	}
	*out = rg_node_bool(c->arena, r);
out:
	return rc;
}

/*
 * semver V: *semver.Version. Its methods are offered as fields of a map
 * (Major Minor Patch Prerelease Metadata Original), so `(semver
 * "1.2.3").Major` works; NEEDSWORK: printing it gives the map, where Go
 * prints the version through its String method.
 */
static int fn_semver(struct rg_node **out, struct rg_tmpl_call *c,
		     struct rg_node *const *args, size_t nargs)
{
	struct rg_err err = RG_ERR_INIT;
	struct rg_semver v;
	struct rg_node *m = NULL;
	struct rg_str s;
	int rc = 0;

	RG_FUNCS_STR(s, 0);
	if (rg_semver_parse(&v, c->arena, s.ptr, s.len, &err)) {
		rc = rg_tmpl_fail(c, "%s", err.msg);
		goto out;
	}
	m = rg_node_map(c->arena);
	rg_map_set(c->arena, m, "Major", 5, rg_tmpl_typed(rg_node_int(c->arena, (int64_t)v.major), RG_GT_UINT64));
	rg_map_set(c->arena, m, "Minor", 5, rg_tmpl_typed(rg_node_int(c->arena, (int64_t)v.minor), RG_GT_UINT64));
	rg_map_set(c->arena, m, "Patch", 5, rg_tmpl_typed(rg_node_int(c->arena, (int64_t)v.patch), RG_GT_UINT64));
	rg_map_set(c->arena, m, "Prerelease", 10, rg_node_strn(c->arena, v.pre.ptr, v.pre.len));
	rg_map_set(c->arena, m, "Metadata", 8, rg_node_strn(c->arena, v.meta.ptr, v.meta.len));
	rg_map_set(c->arena, m, "Original", 8, rg_node_strn(c->arena, v.original.ptr, v.original.len));
	*out = m;
out:
	return rc;
}

static int fn_get_host_by_name(struct rg_node **out, struct rg_tmpl_call *c,
			       struct rg_node *const *args, size_t nargs)
{
	struct rg_str s;
	int rc = 0;

	RG_FUNCS_STR(s, 0);
	*out = rg_node_str(c->arena, "");
out:
	return rc;
}

const struct rg_tmpl_func rg_funcs_misc[] = {
	{ "default", fn_default, 1, -1, 0 },
	{ "empty", fn_empty, 1, 1, 0 },
	{ "coalesce", fn_coalesce, 0, -1, 0 },
	{ "all", fn_all, 0, -1, 0 },
	{ "any", fn_any, 0, -1, 0 },
	{ "ternary", fn_ternary, 3, 3, 0 },
	{ "typeOf", fn_type_of, 1, 1, 0 },
	{ "typeIs", fn_type_is, 2, 2, 0 },
	{ "typeIsLike", fn_type_is_like, 2, 2, 0 },
	{ "kindOf", fn_kind_of, 1, 1, 0 },
	{ "kindIs", fn_kind_is, 2, 2, 0 },
	{ "deepEqual", fn_deep_equal, 2, 2, 0 },
	{ "base", fn_base, 1, 1, 0 },
	{ "dir", fn_dir, 1, 1, 0 },
	{ "clean", fn_clean, 1, 1, 0 },
	{ "ext", fn_ext, 1, 1, 0 },
	{ "isAbs", fn_is_abs, 1, 1, 0 },
	{ "osBase", fn_base, 1, 1, 0 },
	{ "osDir", fn_dir, 1, 1, 0 },
	{ "osClean", fn_clean, 1, 1, 0 },
	{ "osExt", fn_ext, 1, 1, 0 },
	{ "osIsAbs", fn_is_abs, 1, 1, 0 },
	{ "urlParse", fn_url_parse, 1, 1, 0 },
	{ "urlJoin", fn_url_join, 1, 1, 0 },
	{ "semver", fn_semver, 1, 1, 0 },
	{ "semverCompare", fn_semver_compare, 2, 2, 0 },
	{ "getHostByName", fn_get_host_by_name, 1, 1, RG_TMPL_FN_VOLATILE },
	{ NULL, NULL, 0, 0, 0 },
};
