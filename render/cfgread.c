#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/cfgread.h"
#include "rendergate/tree.h"

void rg_cfg_init(struct rg_cfg *c, struct rg_arena *a, struct rg_errlist *errs,
		 const char *file)
{
	c->arena = a;
	c->errs = errs;
	c->file = file ? rg_arena_strdup(a, file) : "config";
}

int rg_cfg_errorf(struct rg_cfg *c, const struct rg_pos *pos, const char *fmt,
		  ...)
{
	struct rg_err err = RG_ERR_INIT;
	struct rg_pos p = {c->file, 0, 0};
	va_list ap;

	if (pos) {
		p = *pos;
		if (!p.file)
			p.file = c->file;
	}
	va_start(ap, fmt);
	rg_err_vset(&err, RG_EINVALID, &p, fmt, ap);
	va_end(ap);
	rg_errlist_add(c->errs, &err);
	return RG_EINVALID;
}

int rg_cfg_parse(struct rg_node **out, struct rg_cfg *c, const char *data,
		 size_t len)
{
	struct rg_err err = RG_ERR_INIT;
	struct rg_docs docs = {NULL, 0, 0};
	struct rg_node *root = NULL;
	int error;

	*out = NULL;
	if (len > RG_CAP_CONFIG_BYTES) {
		rg_cfg_errorf(c, NULL,
			      "file is %zu bytes, more than %u "
			      "(RG_CAP_CONFIG_BYTES)",
			      len, RG_CAP_CONFIG_BYTES);
		return RG_ELIMIT;
	}
	error = rg_doc_parse(&docs, c->arena, c->file, data, len, 0, &err);
	if (error < 0) {
		if (!err.file[0])
			snprintf(err.file, sizeof(err.file), "%s", c->file);
		rg_errlist_add(c->errs, &err);
		return error;
	}
	if (docs.len > 1)
		return rg_cfg_errorf(c, &docs.docs[1]->pos,
				     "a configuration file holds one YAML "
				     "document, found %zu",
				     docs.len);
	root = docs.len ? docs.docs[0] : NULL;
	if (!root || root->kind == RG_NULL) {
		*out = rg_node_map(c->arena);
		(*out)->pos.file = c->file;
		(*out)->pos.line = 1;
		(*out)->pos.col = 1;
		return 0;
	}
	if (rg_cfg_expect(c, root, RG_MAP, "the top level") < 0)
		return RG_EINVALID;
	*out = root;
	return 0;
}

int rg_cfg_expect(struct rg_cfg *c, const struct rg_node *n, enum rg_kind kind,
		  const char *what)
{
	const char *article;

	if (n && n->kind == kind)
		return 0;
	article = kind == RG_INT ? "an" : "a";
	return rg_cfg_errorf(
	    c, n ? &n->pos : NULL, "%s must be %s %s, found %s%s", what,
	    article, rg_kind_name(kind),
	    n ? rg_kind_name((enum rg_kind)n->kind) : "nothing",
	    kind == RG_STR && n && n->kind == RG_BOOL
		? " (quote it: y, n, yes, no, on and off "
		  "are booleans in YAML)"
		: "");
}

int rg_cfg_check_keys(struct rg_cfg *c, const struct rg_node *map,
		      const char *const *known)
{
	int error = 0;

	if (!map || map->kind != RG_MAP)
		return 0;
	for (size_t i = 0; i < map->u.map.len; i++) {
		const struct rg_pair *p = &map->u.map.items[i];
		struct rg_buf list = RG_BUF_INIT(RG_ERR_MSG_MAX / 2);
		size_t k;

		for (k = 0; known[k]; k++)
			if (strlen(known[k]) == p->key.len &&
			    !memcmp(known[k], p->key.ptr, p->key.len))
				break;
		if (known[k])
			continue;
		for (k = 0; known[k]; k++)
			if (rg_buf_addf(&list, "%s%s", k ? ", " : "",
					known[k]) < 0)
				break;
		error = rg_cfg_errorf(
		    c, &p->key_pos, "unknown key '%.*s' (expected one of: %s)",
		    (int)(p->key.len > 200 ? 200 : p->key.len), p->key.ptr,
		    list.ptr);
		rg_buf_release(&list);
	}
	return error;
}

const struct rg_node *rg_cfg_get(struct rg_cfg *c, const struct rg_node *map,
				 const char *key, unsigned flags)
{
	const struct rg_node *v;

	if (!map || map->kind != RG_MAP)
		return NULL;
	v = rg_map_gets(map, key);
	if (v && v->kind == RG_NULL)
		v = NULL;
	if (!v && (flags & RG_CFG_REQUIRED))
		rg_cfg_errorf(c, &map->pos, "missing required key '%s'", key);
	return v;
}

/* Check and copy a string node; what names it in messages. */
static int check_str(const char **out, struct rg_cfg *c,
		     const struct rg_node *n, const char *what, unsigned flags)
{
	struct rg_err err = RG_ERR_INIT;

	if (rg_cfg_expect(c, n, RG_STR, what) < 0)
		return RG_EINVALID;
	if (memchr(n->u.s.ptr, '\0', n->u.s.len))
		return rg_cfg_errorf(c, &n->pos, "%s contains a NUL byte",
				     what);
	if ((flags & RG_CFG_NONEMPTY) && n->u.s.len == 0)
		return rg_cfg_errorf(c, &n->pos, "%s must not be empty", what);
	if ((flags & RG_CFG_REPO_PATH) &&
	    rg_tree_path_check(n->u.s.ptr, &err) < 0)
		return rg_cfg_errorf(c, &n->pos, "%s: %s", what, err.msg);
	*out = rg_arena_strndup(c->arena, n->u.s.ptr, n->u.s.len);
	return 0;
}

/* The not-set result of an accessor, given what rg_cfg_get did. */
static int not_set(const struct rg_node *map, unsigned flags)
{
	return (flags & RG_CFG_REQUIRED) && map && map->kind == RG_MAP
		   ? RG_EINVALID
		   : RG_ENOTFOUND;
}

static const char *quoted(struct rg_cfg *c, const char *key)
{
	return rg_arena_printf(c->arena, "'%s'", key);
}

int rg_cfg_node_str(const char **out, struct rg_cfg *c, const struct rg_node *n,
		    const char *what, unsigned flags)
{
	return check_str(out, c, n, what, flags);
}

int rg_cfg_str(const char **out, struct rg_cfg *c, const struct rg_node *map,
	       const char *key, unsigned flags)
{
	const struct rg_node *v = rg_cfg_get(c, map, key, flags);

	if (!v)
		return not_set(map, flags);
	return check_str(out, c, v, quoted(c, key), flags);
}

int rg_cfg_bool(bool *out, struct rg_cfg *c, const struct rg_node *map,
		const char *key, unsigned flags)
{
	const struct rg_node *v = rg_cfg_get(c, map, key, flags);

	if (!v)
		return not_set(map, flags);
	if (rg_cfg_expect(c, v, RG_BOOL, quoted(c, key)) < 0)
		return RG_EINVALID;
	*out = v->u.b;
	return 0;
}

int rg_cfg_int(int64_t *out, struct rg_cfg *c, const struct rg_node *map,
	       const char *key, int64_t min, int64_t max, unsigned flags)
{
	const struct rg_node *v = rg_cfg_get(c, map, key, flags);

	if (!v)
		return not_set(map, flags);
	if (rg_cfg_expect(c, v, RG_INT, quoted(c, key)) < 0)
		return RG_EINVALID;
	if (v->u.i < min || v->u.i > max)
		return rg_cfg_errorf(c, &v->pos,
				     "'%s' must be between %lld and %lld "
				     "(found %lld)",
				     key, (long long)min, (long long)max,
				     (long long)v->u.i);
	*out = v->u.i;
	return 0;
}

#define DURATION_MAX_MS (24ull * 3600 * 1000)

/* Parse "1m30s", "1500ms"; false on any syntax error or overflow. */
static bool parse_duration(const char *s, size_t len, uint64_t *ms)
{
	const char *p = s, *end = s + len;
	uint64_t total = 0;

	if (p == end)
		return false;
	while (p < end) {
		uint64_t n = 0, mult;
		const char *digits = p;

		while (p < end && *p >= '0' && *p <= '9') {
			if (n > DURATION_MAX_MS)
				return false;
			n = n * 10 + (uint64_t)(*p - '0');
			p++;
		}
		if (p == digits)
			return false;
		if (end - p >= 2 && p[0] == 'm' && p[1] == 's') {
			mult = 1;
			p += 2;
		} else if (p < end && *p == 's') {
			mult = 1000;
			p++;
		} else if (p < end && *p == 'm') {
			mult = 60 * 1000;
			p++;
		} else if (p < end && *p == 'h') {
			mult = 3600 * 1000;
			p++;
		} else {
			return false;
		}
		if (n > DURATION_MAX_MS)
			return false;
		total += n * mult;
		if (total > DURATION_MAX_MS)
			return false;
	}
	*ms = total;
	return true;
}

int rg_cfg_duration(uint64_t *out_ms, struct rg_cfg *c,
		    const struct rg_node *map, const char *key, unsigned flags)
{
	const struct rg_node *v = rg_cfg_get(c, map, key, flags);
	uint64_t ms = 0;

	if (!v)
		return not_set(map, flags);
	if (v->kind == RG_INT || v->kind == RG_FLOAT)
		return rg_cfg_errorf(c, &v->pos,
				     "'%s' needs a unit: 5s, 1500ms, 2m", key);
	if (rg_cfg_expect(c, v, RG_STR, quoted(c, key)) < 0)
		return RG_EINVALID;
	if (!parse_duration(v->u.s.ptr, v->u.s.len, &ms))
		return rg_cfg_errorf(
		    c, &v->pos,
		    "'%s' is not a duration of at most 24h "
		    "(found '%.*s'; write e.g. 5s, 1500ms, "
		    "2m, 1m30s)",
		    key, (int)(v->u.s.len > 64 ? 64 : v->u.s.len), v->u.s.ptr);
	*out_ms = ms;
	return 0;
}

int rg_cfg_enum(int *out, struct rg_cfg *c, const struct rg_node *map,
		const char *key, const char *const *names, unsigned flags)
{
	const struct rg_node *v = rg_cfg_get(c, map, key, flags);
	struct rg_buf list = RG_BUF_INIT(RG_ERR_MSG_MAX / 2);
	int error;

	if (!v)
		return not_set(map, flags);
	for (int i = 0; names[i]; i++) {
		if (v->kind == RG_STR && strlen(names[i]) == v->u.s.len &&
		    !memcmp(names[i], v->u.s.ptr, v->u.s.len)) {
			rg_buf_release(&list);
			*out = i;
			return 0;
		}
		if (rg_buf_addf(&list, "%s%s", i ? ", " : "", names[i]) < 0)
			break;
	}
	if (v->kind == RG_STR)
		error = rg_cfg_errorf(
		    c, &v->pos, "'%s' must be one of %s (found '%.*s')", key,
		    list.ptr, (int)(v->u.s.len > 64 ? 64 : v->u.s.len),
		    v->u.s.ptr);
	else
		error = rg_cfg_errorf(
		    c, &v->pos, "'%s' must be one of %s (found %s)", key,
		    list.ptr, rg_kind_name((enum rg_kind)v->kind));
	rg_buf_release(&list);
	return error;
}

int rg_cfg_strlist(const char ***out, size_t *n, struct rg_cfg *c,
		   const struct rg_node *map, const char *key, unsigned flags)
{
	const struct rg_node *v = rg_cfg_get(c, map, key, flags);
	const char **items;
	size_t len;
	int error = 0;

	if (!v)
		return not_set(map, flags);
	if (rg_cfg_expect(c, v, RG_SEQ, quoted(c, key)) < 0)
		return RG_EINVALID;
	len = v->u.seq.len;
	items = len ? rg_arena_calloc(c->arena, len, sizeof(*items)) : NULL;
	for (size_t i = 0; i < len; i++) {
		const char *what =
		    rg_arena_printf(c->arena, "'%s'[%zu]", key, i);

		if (check_str(&items[i], c, v->u.seq.items[i], what, flags) < 0)
			error = RG_EINVALID;
	}
	if (error < 0)
		return error;
	*out = items;
	*n = len;
	return 0;
}

static int get_kind(const struct rg_node **out, struct rg_cfg *c,
		    const struct rg_node *map, const char *key, unsigned flags,
		    enum rg_kind kind)
{
	const struct rg_node *v = rg_cfg_get(c, map, key, flags);

	if (!v)
		return not_set(map, flags);
	if (rg_cfg_expect(c, v, kind, quoted(c, key)) < 0)
		return RG_EINVALID;
	*out = v;
	return 0;
}

int rg_cfg_map(const struct rg_node **out, struct rg_cfg *c,
	       const struct rg_node *map, const char *key, unsigned flags)
{
	return get_kind(out, c, map, key, flags, RG_MAP);
}

int rg_cfg_seq(const struct rg_node **out, struct rg_cfg *c,
	       const struct rg_node *map, const char *key, unsigned flags)
{
	return get_kind(out, c, map, key, flags, RG_SEQ);
}

/* --- globs ----------------------------------------------------------- */

/*
 * Globs are matched by simulating a small NFA over the compiled tokens,
 * one set of live states per input byte: O(pattern * input), no
 * backtracking, whatever the pattern.
 */
enum tok_kind { T_BYTE, T_ANY1, T_SET, T_STAR, T_DSTAR };

struct tok {
	uint8_t kind;
	uint8_t byte;
	uint8_t skip;	 /* T_STAR/T_DSTAR: tokens an empty match skips */
	const char *set; /* T_SET: bytes after '[' */
};

/* Does c match the class starting at set (after '[')? */
static bool set_match(const char *set, unsigned char c)
{
	const char *p = set;
	bool neg = false, hit = false, first = true;

	if (*p == '!' || *p == '^') {
		neg = true;
		p++;
	}
	while (*p && (first || *p != ']')) {
		unsigned char lo = (unsigned char)*p, hi;

		first = false;
		if (lo == '\\' && p[1])
			lo = (unsigned char)*++p;
		p++;
		hi = lo;
		if (p[0] == '-' && p[1] && p[1] != ']') {
			hi = (unsigned char)p[1];
			if (hi == '\\' && p[2])
				hi = (unsigned char)*(p += 1, p + 1);
			p += 2;
		}
		if (c >= lo && c <= hi)
			hit = true;
	}
	return hit != neg;
}

/* End of a class starting at set (after '['), or NULL if unclosed. */
static const char *set_end(const char *set)
{
	const char *p = set;

	if (*p == '!' || *p == '^')
		p++;
	if (*p == ']')
		p++;
	while (*p && *p != ']') {
		if (*p == '\\' && p[1])
			p++;
		p++;
	}
	return *p == ']' ? p : NULL;
}

static size_t compile_glob(const char *pat, struct tok *t)
{
	size_t n = 0;

	for (const char *p = pat; *p; p++) {
		struct tok k = {T_BYTE, (uint8_t)*p, 0, NULL};

		if (*p == '\\' && p[1]) {
			k.byte = (uint8_t) * ++p;
		} else if (*p == '?') {
			k.kind = T_ANY1;
		} else if (*p == '[' && set_end(p + 1)) {
			k.kind = T_SET;
			k.set = p + 1;
			p = set_end(p + 1);
		} else if (*p == '*' && p[1] == '*') {
			k.kind = T_DSTAR;
			k.skip = 1;
			p++;
			while (p[1] == '*')
				p++;
			if (p[1] == '/') {
				/* "**" + "/" may also match nothing at all */
				t[n++] = k;
				t[n - 1].skip = 2;
				k.kind = T_BYTE;
				k.byte = '/';
				k.skip = 0;
				p++;
			}
		} else if (*p == '*') {
			k.kind = T_STAR;
			k.skip = 1;
		}
		t[n++] = k;
	}
	return n;
}

/* Add state i and everything reachable from it by empty matches. */
static void add_state(bool *live, const struct tok *t, size_t n, size_t i)
{
	if (i > n || live[i])
		return;
	live[i] = true;
	if (i == n)
		return;
	if (t[i].skip >= 1)
		add_state(live, t, n, i + 1);
	if (t[i].skip == 2)
		add_state(live, t, n, i + 2);
}

static bool tok_match(const struct tok *k, unsigned char c)
{
	switch (k->kind) {
	case T_BYTE:
		return c == k->byte;
	case T_ANY1:
		return c != '/';
	case T_SET:
		return c != '/' && set_match(k->set, c);
	case T_STAR:
		return c != '/';
	default:
		return true;
	}
}

/*
 * The common shapes without compiling: a literal, and a literal followed
 * by one `*` (policy globs such as "team-*" run once per object and rule).
 * Returns 1 match, 0 no match, -1 not such a shape.
 */
static int glob_simple(const char *pattern, size_t plen, const char *s)
{
	size_t lit = strcspn(pattern, "*?[\\");

	if (lit == plen)
		return !strcmp(pattern, s);
	if (lit + 1 != plen || pattern[lit] != '*')
		return -1;
	return !strncmp(pattern, s, lit) && !strchr(s + lit, '/');
}

bool rg_cfg_glob_match(const char *pattern, const char *s)
{
	size_t plen = strlen(pattern), n;
	int simple = glob_simple(pattern, plen, s);
	struct tok *t = NULL;
	bool *cur, *next, ok;

	if (simple >= 0)
		return simple;
	t = rg_xcalloc(plen + 1, sizeof(*t));
	n = compile_glob(pattern, t);
	cur = rg_xcalloc(n + 1, sizeof(*cur));
	next = rg_xcalloc(n + 1, sizeof(*next));
	add_state(cur, t, n, 0);
	for (const char *p = s; *p; p++) {
		bool any = false;

		memset(next, 0, (n + 1) * sizeof(*next));
		for (size_t i = 0; i < n; i++) {
			if (!cur[i] || !tok_match(&t[i], (unsigned char)*p))
				continue;
			any = true;
			/*
			 * A star that consumed a byte stays live but may not
			 * take its empty-match skip again ("**" + "/" must
			 * then end in '/'). States are visited in increasing
			 * order, so empty-match arrivals at i came first.
			 */
			if (t[i].kind == T_STAR || t[i].kind == T_DSTAR) {
				if (!next[i]) {
					next[i] = true;
					add_state(next, t, n, i + 1);
				}
			} else
				add_state(next, t, n, i + 1);
		}
		memcpy(cur, next, (n + 1) * sizeof(*cur));
		if (!any)
			break;
	}
	ok = cur[n];
	free(t);
	free(cur);
	free(next);
	return ok;
}

int rg_cfg_glob_check(const char *pattern, struct rg_err *err)
{
	for (const char *p = pattern; *p; p++) {
		if (*p == '\\') {
			if (!p[1])
				return rg_err_set(err, RG_EINVALID, NULL,
						  "glob '%s' ends with a lone "
						  "backslash",
						  pattern);
			p++;
		} else if (*p == '[') {
			if (!set_end(p + 1))
				return rg_err_set(err, RG_EINVALID, NULL,
						  "glob '%s' has an unclosed "
						  "'['",
						  pattern);
			p = set_end(p + 1);
		}
	}
	return 0;
}
