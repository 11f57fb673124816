#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/cfgread.h"
#include "rendergate/finding.h"
#include "rendergate/policy-rules.h"
#include "rendergate/regex.h"

#include <inttypes.h>
#include <math.h>

/* --- field paths --------------------------------------------------------- */

static const struct {
	const char *name;
	enum rg_rules_root root;
} roots[] = {
    {"$podspec", RG_RULES_ROOT_PODSPEC},
    {"$podmeta", RG_RULES_ROOT_PODMETA},
    {"$containers", RG_RULES_ROOT_CONTAINERS},
};

static int path_error(struct rg_err *err, const char *text, size_t off,
		      const char *what)
{
	return rg_err_set(err, RG_EPARSE, NULL,
			  "bad field path '%s': %s at offset %zu", text, what,
			  off);
}

static int add_seg(struct rg_rules_path *p, struct rg_arena *a, size_t *alloc,
		   const struct rg_rules_seg *seg, struct rg_err *err)
{
	if (p->nsegs >= RG_CAP_POLICY_PATH_SEGS)
		return rg_err_set(err, RG_ELIMIT, NULL,
				  "field path '%s' has more than %u segments "
				  "(RG_CAP_POLICY_PATH_SEGS)",
				  p->text, RG_CAP_POLICY_PATH_SEGS);
	if (p->nsegs == *alloc) {
		size_t n = *alloc ? *alloc * 2 : 8;

		p->segs =
		    rg_arena_grow(a, p->segs, *alloc, n, sizeof(*p->segs));
		*alloc = n;
	}
	p->segs[p->nsegs++] = *seg;
	return 0;
}

/* Parse `["..."]` starting at text[*i] == '"'; leaves *i after ']'. */
static int parse_quoted(struct rg_rules_seg *seg, struct rg_arena *a,
			const char *text, size_t *i, struct rg_err *err)
{
	size_t len = strlen(text), start = *i;
	char *key = rg_arena_alloc(a, len + 1);
	size_t n = 0, j = *i + 1;
	bool prefix = false;

	for (; j < len && text[j] != '"'; j++) {
		if (text[j] == '\\' && j + 1 < len) {
			j++;
			key[n++] = text[j];
			continue;
		}
		if (text[j] == '*' && j + 1 < len && text[j + 1] == '"') {
			prefix = true;
			continue;
		}
		if (text[j] == '*')
			return path_error(err, text, j,
					  "'*' inside a quoted key may only "
					  "end it");
		key[n++] = text[j];
	}
	if (j >= len)
		return path_error(err, text, start, "unterminated quoted key");
	j++;
	if (j >= len || text[j] != ']')
		return path_error(err, text, j,
				  "expected ']' after quoted key");
	if (!n && !prefix)
		return path_error(err, text, start, "empty quoted key");
	seg->kind = prefix ? RG_RULES_SEG_PREFIX : RG_RULES_SEG_KEY;
	seg->key = key;
	seg->keylen = n;
	*i = j + 1;
	return 0;
}

static int parse_bracket(struct rg_rules_seg *seg, struct rg_arena *a,
			 const char *text, size_t *i, struct rg_err *err)
{
	size_t j = *i + 1;

	if (text[j] == '"') {
		*i = j;
		return parse_quoted(seg, a, text, i, err);
	}
	if (text[j] == '*' && text[j + 1] == ']') {
		seg->kind = RG_RULES_SEG_ALL;
		*i = j + 2;
		return 0;
	}
	if (text[j] >= '0' && text[j] <= '9') {
		size_t v = 0;

		for (; text[j] >= '0' && text[j] <= '9'; j++) {
			if (v > 100000000)
				return path_error(err, text, j,
						  "list index too large");
			v = v * 10 + (size_t)(text[j] - '0');
		}
		if (text[j] != ']')
			return path_error(err, text, j, "expected ']'");
		seg->kind = RG_RULES_SEG_INDEX;
		seg->index = v;
		*i = j + 1;
		return 0;
	}
	return path_error(err, text, j,
			  "expected [*], [N] or [\"key\"] after '['");
}

int rg_rules_path_parse(struct rg_rules_path *out, struct rg_arena *a,
			const char *text, struct rg_err *err)
{
	struct rg_rules_path p = {0};
	size_t alloc = 0, i = 0, len = strlen(text);
	int ret = 0;

	p.text = rg_arena_strdup(a, text);
	if (!len) {
		ret = path_error(err, text, 0, "empty path");
		goto out;
	}
	if (len > RG_CAP_POLICY_STRING_BYTES) {
		ret = rg_err_set(err, RG_ELIMIT, NULL,
				 "field path longer than %u bytes "
				 "(RG_CAP_POLICY_STRING_BYTES)",
				 RG_CAP_POLICY_STRING_BYTES);
		goto out;
	}
	if (text[0] == '$') {
		size_t k;

		for (k = 0; k < RG_ARRAY_SIZE(roots); k++) {
			size_t rl = strlen(roots[k].name);

			if (!strncmp(text, roots[k].name, rl) &&
			    (text[rl] == '\0' || text[rl] == '.' ||
			     text[rl] == '[')) {
				p.root = (uint8_t)roots[k].root;
				i = rl;
				break;
			}
		}
		if (k == RG_ARRAY_SIZE(roots)) {
			ret = path_error(err, text, 0,
					 "unknown root (expected $podspec, "
					 "$podmeta or $containers)");
			goto out;
		}
		if (p.root == RG_RULES_ROOT_CONTAINERS &&
		    strncmp(text + i, "[*]", 3) != 0) {
			ret = path_error(err, text, i,
					 "$containers must be followed by [*]");
			goto out;
		}
		if (text[i] == '.')
			i++;
		if (text[i] == '\0' && p.root != RG_RULES_ROOT_CONTAINERS &&
		    text[i - 1] == '.') {
			ret = path_error(err, text, i, "path ends with '.'");
			goto out;
		}
	}
	while (i < len) {
		struct rg_rules_seg seg = {0};

		if (text[i] == '[') {
			ret = parse_bracket(&seg, a, text, &i, err);
		} else {
			size_t start = i;

			while (i < len && text[i] != '.' && text[i] != '[') {
				if (text[i] == ']' || text[i] == '"' ||
				    text[i] == '*') {
					ret = path_error(err, text, i,
							 "unexpected character "
							 "(quote keys like "
							 "[\"a.b\"])");
					goto out;
				}
				i++;
			}
			if (i == start) {
				ret = path_error(err, text, i, "empty key");
				goto out;
			}
			seg.kind = RG_RULES_SEG_KEY;
			seg.key = rg_arena_strndup(a, text + start, i - start);
			seg.keylen = i - start;
		}
		if (ret < 0)
			goto out;
		ret = add_seg(&p, a, &alloc, &seg, err);
		if (ret < 0)
			goto out;
		if (i < len && text[i] == '.') {
			i++;
			if (i == len) {
				ret = path_error(err, text, i,
						 "path ends with '.'");
				goto out;
			}
		} else if (i < len && text[i] != '[') {
			ret = path_error(err, text, i, "expected '.' or '['");
			goto out;
		}
	}
	*out = p;
out:
	return ret;
}

/* One step taken so far: a key, or a list index. */
struct step {
	const char *key; /* NULL for an index */
	size_t keylen;
	size_t index;
};

/*
 * The walk keeps the steps it took and writes the concrete path text
 * only when a callback asks for it (rg_rules_place_path), which is rare:
 * most places are tested and dropped.
 */
struct rg_rules_walk {
	const struct rg_rules_path *path;
	rg_rules_place_fn fn;
	void *ctx;
	struct rg_err *err;
	size_t places;
	const char *prefix; /* root's concrete path, "" for the object */
	struct step steps[RG_CAP_POLICY_PATH_SEGS + 1];
	size_t nsteps;
	size_t missing_from; /* first segment not reached, or SIZE_MAX */
	char buf[512];
	size_t len; /* used bytes of buf (buf[len] == 0) */
};

static bool simple_key(const char *k, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = k[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* Append text to the walk's path buffer, cutting silently when full. */
static void put(struct rg_rules_walk *w, const char *s, size_t n)
{
	size_t room = sizeof(w->buf) - 1 - w->len;

	if (n > room)
		n = room;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void put_key(struct rg_rules_walk *w, const char *k, size_t n)
{
	if (simple_key(k, n)) {
		if (w->len)
			put(w, ".", 1);
		put(w, k, n);
		return;
	}
	put(w, "[\"", 2);
	for (size_t i = 0; i < n; i++) {
		if (k[i] == '"' || k[i] == '\\')
			put(w, "\\", 1);
		put(w, k + i, 1);
	}
	put(w, "\"]", 2);
}

static void put_index(struct rg_rules_walk *w, size_t i)
{
	char tmp[32];
	size_t n = sizeof(tmp);

	tmp[--n] = ']';
	do {
		tmp[--n] = (char)('0' + i % 10);
		i /= 10;
	} while (i);
	tmp[--n] = '[';
	put(w, tmp + n, sizeof(tmp) - n);
}

static void put_seg(struct rg_rules_walk *w, const struct rg_rules_seg *s)
{
	switch (s->kind) {
	case RG_RULES_SEG_KEY:
		put_key(w, s->key, s->keylen);
		break;
	case RG_RULES_SEG_INDEX:
		put_index(w, s->index);
		break;
	case RG_RULES_SEG_ALL:
		put(w, "[*]", 3);
		break;
	default:
		put(w, "[\"", 2);
		put(w, s->key, s->keylen);
		put(w, "*\"]", 3);
		break;
	}
}

const char *rg_rules_place_path(const struct rg_rules_place *pl)
{
	struct rg_rules_walk *w = pl->walk;

	w->len = 0;
	w->buf[0] = '\0';
	put(w, w->prefix, strlen(w->prefix));
	for (size_t i = 0; i < w->nsteps; i++) {
		if (w->steps[i].key)
			put_key(w, w->steps[i].key, w->steps[i].keylen);
		else
			put_index(w, w->steps[i].index);
	}
	/* a missing place names the rest of the path as written */
	for (size_t k = w->missing_from; k < w->path->nsegs; k++)
		put_seg(w, &w->path->segs[k]);
	return w->buf;
}

static int emit(struct rg_rules_walk *w, const struct rg_node *node,
		const struct rg_node *near, size_t from)
{
	struct rg_rules_place pl;

	if (++w->places > RG_CAP_POLICY_PATH_HITS)
		return rg_err_set(w->err, RG_ELIMIT, NULL,
				  "field path '%s' selects more than %u places "
				  "(RG_CAP_POLICY_PATH_HITS)",
				  w->path->text, RG_CAP_POLICY_PATH_HITS);
	w->missing_from = node ? SIZE_MAX : from;
	pl.node = node;
	pl.near = near;
	pl.walk = w;
	return w->fn(w->ctx, &pl);
}

static void push_key(struct rg_rules_walk *w, const char *k, size_t n)
{
	struct step *st = &w->steps[w->nsteps++];

	st->key = k;
	st->keylen = n;
}

static void push_index(struct rg_rules_walk *w, size_t i)
{
	struct step *st = &w->steps[w->nsteps++];

	st->key = NULL;
	st->index = i;
}

static int walk_at(struct rg_rules_walk *w, const struct rg_node *n, size_t k)
{
	const struct rg_rules_seg *s;
	size_t save = w->nsteps;
	int ret = 0;

	if (k == w->path->nsegs)
		return emit(w, n, n, k);
	s = &w->path->segs[k];
	switch (s->kind) {
	case RG_RULES_SEG_KEY: {
		const struct rg_node *v = NULL;

		if (n->kind == RG_MAP)
			v = rg_map_get(n, s->key, s->keylen);
		if (!v)
			return emit(w, NULL, n, k);
		push_key(w, s->key, s->keylen);
		ret = walk_at(w, v, k + 1);
		break;
	}
	case RG_RULES_SEG_INDEX:
		if (n->kind != RG_SEQ || s->index >= n->u.seq.len)
			return emit(w, NULL, n, k);
		push_index(w, s->index);
		ret = walk_at(w, n->u.seq.items[s->index], k + 1);
		break;
	case RG_RULES_SEG_ALL:
		if (n->kind == RG_SEQ) {
			for (size_t i = 0; i < n->u.seq.len && !ret; i++) {
				push_index(w, i);
				ret = walk_at(w, n->u.seq.items[i], k + 1);
				w->nsteps = save;
			}
		} else if (n->kind == RG_MAP) {
			for (size_t i = 0; i < n->u.map.len && !ret; i++) {
				const struct rg_pair *p = &n->u.map.items[i];

				push_key(w, p->key.ptr, p->key.len);
				ret = walk_at(w, p->val, k + 1);
				w->nsteps = save;
			}
		} else {
			return emit(w, NULL, n, k);
		}
		break;
	default: /* PREFIX */
		if (n->kind != RG_MAP)
			return emit(w, NULL, n, k);
		for (size_t i = 0; i < n->u.map.len && !ret; i++) {
			const struct rg_pair *p = &n->u.map.items[i];

			if (p->key.len < s->keylen ||
			    memcmp(p->key.ptr, s->key, s->keylen) != 0)
				continue;
			push_key(w, p->key.ptr, p->key.len);
			ret = walk_at(w, p->val, k + 1);
			w->nsteps = save;
		}
		break;
	}
	w->nsteps = save;
	return ret;
}

int rg_rules_path_walk(const struct rg_rules_path *path,
		       const struct rg_node *obj,
		       const struct rg_rules_pod *pod, rg_rules_place_fn fn,
		       void *ctx, struct rg_err *err)
{
	static const char *const lists[] = {"containers", "initContainers",
					    "ephemeralContainers"};
	struct rg_rules_walk w;
	int ret = 0;

	w.path = path;
	w.fn = fn;
	w.ctx = ctx;
	w.err = err;
	w.places = 0;
	w.prefix = "";
	w.nsteps = 0;
	w.len = 0;
	switch (path->root) {
	case RG_RULES_ROOT_OBJECT:
		ret = walk_at(&w, obj, 0);
		break;
	case RG_RULES_ROOT_PODSPEC:
		if (!pod || !pod->spec)
			break;
		w.prefix = pod->spec_path;
		ret = walk_at(&w, pod->spec, 0);
		break;
	case RG_RULES_ROOT_PODMETA:
		if (!pod || !pod->meta)
			break;
		w.prefix = pod->meta_path;
		ret = walk_at(&w, pod->meta, 0);
		break;
	default: /* CONTAINERS: the three lists, one after the other */
		if (!pod || !pod->spec)
			break;
		w.prefix = pod->spec_path;
		for (size_t i = 0; i < RG_ARRAY_SIZE(lists) && !ret; i++) {
			const struct rg_node *l =
			    rg_map_gets(pod->spec, lists[i]);

			if (!l || l->kind != RG_SEQ)
				continue;
			w.nsteps = 0;
			push_key(&w, lists[i], strlen(lists[i]));
			ret = walk_at(&w, l, 0);
		}
		break;
	}
	return ret;
}

/* --- conditions ---------------------------------------------------------- */

static const char *const op_names[] = {
    "exists", "absent",	    "equals", "not_equals", "matches", "not_matches",
    "one_of", "not_one_of", "lt",     "le",	    "gt",      "ge",
};

const char *rg_rules_op_name(enum rg_rules_op op)
{
	return (size_t)op < RG_ARRAY_SIZE(op_names) ? op_names[op] : "?";
}

static bool is_scalar(const struct rg_node *n)
{
	return n->kind != RG_SEQ && n->kind != RG_MAP;
}

static bool number_of(const struct rg_node *n, double *out)
{
	char *end = NULL;

	switch (n->kind) {
	case RG_INT:
		*out = (double)n->u.i;
		return true;
	case RG_FLOAT:
		*out = n->u.f;
		return !isnan(n->u.f);
	case RG_STR:
		if (!n->u.s.len || n->u.s.len > 64 ||
		    n->u.s.len != strspn(n->u.s.ptr, "0123456789+-.eE"))
			return false; /* decimal only: no hex, inf or nan */
		errno = 0;
		*out = strtod(n->u.s.ptr, &end);
		return end == n->u.s.ptr + n->u.s.len && errno == 0 &&
		       !isnan(*out);
	default:
		return false;
	}
}

static bool scalar_equal(const struct rg_node *x, const struct rg_node *y)
{
	if ((x->kind == RG_INT || x->kind == RG_FLOAT) &&
	    (y->kind == RG_INT || y->kind == RG_FLOAT)) {
		if (x->kind == RG_INT && y->kind == RG_INT)
			return x->u.i == y->u.i;
		return (x->kind == RG_INT ? (double)x->u.i : x->u.f) ==
		       (y->kind == RG_INT ? (double)y->u.i : y->u.f);
	}
	if (x->kind != y->kind)
		return false;
	switch (x->kind) {
	case RG_NULL:
		return true;
	case RG_BOOL:
		return x->u.b == y->u.b;
	case RG_STR:
		return x->u.s.len == y->u.s.len &&
		       !memcmp(x->u.s.ptr, y->u.s.ptr, x->u.s.len);
	default:
		return false;
	}
}

static bool in_list(const struct rg_node *n, const struct rg_node *list)
{
	if (!is_scalar(n))
		return false;
	for (size_t i = 0; i < list->u.seq.len; i++)
		if (scalar_equal(n, list->u.seq.items[i]))
			return true;
	return false;
}

bool rg_rules_scalar_text(const struct rg_node *n, char *out, size_t outsz)
{
	switch (n->kind) {
	case RG_NULL:
		snprintf(out, outsz, "null");
		return true;
	case RG_BOOL:
		snprintf(out, outsz, "%s", n->u.b ? "true" : "false");
		return true;
	case RG_INT:
		snprintf(out, outsz, "%" PRId64, n->u.i);
		return true;
	case RG_FLOAT:
		rg_fmt_float(out, outsz, n->u.f, 'g');
		return true;
	case RG_STR:
		snprintf(out, outsz, "%.*s",
			 (int)(n->u.s.len < outsz ? n->u.s.len : outsz),
			 n->u.s.ptr);
		return true;
	default:
		return false;
	}
}

/*
 * A pattern could not be decided (match limit): restate the error at the
 * pattern's place in the policy, naming the subject, so the admin sees
 * which pattern is hostile.
 */
static void reword(struct rg_err *err, int code, const struct rg_pos *pos,
		   const char *what, const char *pattern, const char *s,
		   size_t len)
{
	char why[RG_ERR_MSG_MAX] = "";

	if (err)
		memcpy(why, err->msg, sizeof(why));
	rg_err_set(err, code, pos, "could not decide: %s '%s' on '%.60s%s': %s",
		   what, pattern, s, len > 60 ? "..." : "", why);
}

static int regex_test(bool *out, const struct rg_rules_cond *c,
		      const struct rg_node *n, struct rg_err *err)
{
	char tmp[64];
	const char *s;
	size_t len;
	int ret;

	if (n->kind == RG_STR) {
		s = n->u.s.ptr;
		len = n->u.s.len;
	} else {
		rg_rules_scalar_text(n, tmp, sizeof(tmp));
		s = tmp;
		len = strlen(tmp);
	}
	ret = rg_regex_match(out, c->re, s, len, err);
	if (ret < 0)
		reword(err, ret, &c->pos, "pattern", c->pattern, s, len);
	return ret;
}

/* Does place p pass the condition's test? */
static int test_place(bool *out, const struct rg_rules_cond *c,
		      const struct rg_rules_place *p, struct rg_err *err)
{
	const struct rg_node *n = p->node;
	bool present = n && n->kind != RG_NULL;
	double x;
	bool m = false;
	int ret = 0;

	*out = false;
	switch (c->op) {
	case RG_RULES_EXISTS:
		*out = present;
		break;
	case RG_RULES_ABSENT:
		*out = !present;
		break;
	case RG_RULES_EQUALS:
		*out = n && is_scalar(n) && scalar_equal(n, c->value);
		break;
	case RG_RULES_NOT_EQUALS:
		*out = present && !(is_scalar(n) && scalar_equal(n, c->value));
		break;
	case RG_RULES_ONE_OF:
		*out = n && in_list(n, c->value);
		break;
	case RG_RULES_NOT_ONE_OF:
		*out = present && !in_list(n, c->value);
		break;
	case RG_RULES_MATCHES:
	case RG_RULES_NOT_MATCHES:
		if (!present || !is_scalar(n))
			break;
		ret = regex_test(&m, c, n, err);
		*out = c->op == RG_RULES_MATCHES ? m : !m;
		break;
	default:
		if (!n || !number_of(n, &x))
			break;
		*out = c->op == RG_RULES_LT   ? x < c->num
		       : c->op == RG_RULES_LE ? x <= c->num
		       : c->op == RG_RULES_GT ? x > c->num
					      : x >= c->num;
		break;
	}
	return ret;
}

struct cond_ctx {
	const struct rg_rules_cond *c;
	struct rg_rules_result *res;
	struct rg_err *err;
};

#define FOUND 1

static int cond_place(void *vctx, const struct rg_rules_place *p)
{
	struct cond_ctx *cx = vctx;
	bool ok = false;
	int ret = test_place(&ok, cx->c, p, cx->err);

	if (ret < 0)
		return ret;
	if (!ok)
		return 0;
	if (cx->res) {
		cx->res->cond = cx->c;
		cx->res->node = p->node;
		cx->res->near = p->near;
		snprintf(cx->res->path, sizeof(cx->res->path), "%s",
			 rg_rules_place_path(p));
	}
	return FOUND;
}

int rg_rules_cond_eval(bool *holds, struct rg_rules_result *res,
		       const struct rg_rules_cond *c, const struct rg_node *obj,
		       const struct rg_rules_pod *pod, struct rg_err *err)
{
	struct cond_ctx cx = {c, res, err};
	int ret = rg_rules_path_walk(&c->path, obj, pod, cond_place, &cx, err);

	*holds = false;
	if (ret == FOUND) {
		*holds = true;
		ret = 0;
	} else if (ret == RG_ELIMIT && err && !err->file[0]) {
		/* name the rule's place in the policy for a path cap */
		char msg[RG_ERR_MSG_MAX];

		memcpy(msg, err->msg, sizeof(msg));
		rg_err_set(err, ret, &c->pos, "%s", msg);
	}
	return ret;
}

int rg_rules_eval(bool *fired, struct rg_rules_result *res,
		  const struct rg_rules_rule *r, const struct rg_node *obj,
		  const struct rg_rules_pod *pod, struct rg_err *err)
{
	struct rg_rules_result first = {0}, tmp;
	bool have = false, h = false;
	int ret = 0;

	*fired = false;
	for (size_t i = 0; i < r->nall; i++) {
		ret = rg_rules_cond_eval(&h, have ? &tmp : &first, &r->all[i],
					 obj, pod, err);
		if (ret < 0 || !h)
			goto out;
		have = true;
	}
	if (r->nany) {
		bool any = false;

		for (size_t i = 0; i < r->nany && !any; i++) {
			ret = rg_rules_cond_eval(&any, &tmp, &r->any[i], obj,
						 pod, err);
			if (ret < 0)
				goto out;
		}
		if (!any)
			goto out;
		first = tmp;
		have = true;
	}
	*fired = true;
	if (res) {
		if (have) {
			*res = first;
		} else {
			memset(res, 0, sizeof(*res));
			res->near = obj;
		}
	}
out:
	return ret;
}

/* --- matching ------------------------------------------------------------ */

static bool in_strs(const char *s, const char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s && !strcmp(s, list[i]))
			return true;
	return false;
}

static bool in_globs(const char *s, const char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s && rg_cfg_glob_match(list[i], s))
			return true;
	return false;
}

void rg_rules_subject_init(struct rg_rules_subject *s,
			   const struct rg_node *obj)
{
	const struct rg_node *meta = rg_map_gets(obj, "metadata");

	s->kind = rg_node_cstr(rg_map_gets(obj, "kind"));
	s->api_version = rg_node_cstr(rg_map_gets(obj, "apiVersion"));
	s->namespace = rg_node_cstr(rg_map_gets(meta, "namespace"));
	s->name = rg_node_cstr(rg_map_gets(meta, "name"));
	s->labels = rg_map_gets(meta, "labels");
}

int rg_rules_match_object(bool *out, const struct rg_rules_rule *r,
			  const struct rg_rules_subject *s, const char *env,
			  struct rg_err *err)
{
	const struct rg_rules_match *m = &r->match;
	bool ok = false;
	int ret = 0;

	*out = false;
	if (m->nkinds && !in_strs(s->kind, m->kinds, m->nkinds))
		goto out;
	if (m->napi_versions &&
	    !in_strs(s->api_version, m->api_versions, m->napi_versions))
		goto out;
	if (m->nenvironments &&
	    !in_globs(env, m->environments, m->nenvironments))
		goto out;
	if (m->nnamespaces &&
	    !in_globs(s->namespace, m->namespaces, m->nnamespaces))
		goto out;
	for (size_t i = 0; i < m->nlabels; i++) {
		const char *v =
		    rg_node_cstr(rg_map_gets(s->labels, m->labels[i].key));

		if (!v || strcmp(v, m->labels[i].value) != 0)
			goto out;
	}
	if (m->name) {
		if (!s->name)
			goto out;
		ret =
		    rg_regex_match(&ok, m->name, s->name, strlen(s->name), err);
		if (ret < 0) {
			reword(err, ret, &m->name_pos, "name pattern",
			       m->name_text, s->name, strlen(s->name));
			goto out;
		}
		if (!ok)
			goto out;
	}
	*out = true;
out:
	return ret;
}

/* --- message templates --------------------------------------------------- */

static const char *const vars[] = {"rule", "kind", "name", "namespace",
				   "env",  "path", "value"};

static int var_index(const char *s, size_t n)
{
	for (size_t i = 0; i < RG_ARRAY_SIZE(vars); i++)
		if (strlen(vars[i]) == n && !memcmp(vars[i], s, n))
			return (int)i;
	return -1;
}

int rg_rules_template_check(const char *t, struct rg_err *err)
{
	for (size_t i = 0; t[i]; i++) {
		const char *close;

		if ((t[i] == '{' && t[i + 1] == '{') ||
		    (t[i] == '}' && t[i + 1] == '}')) {
			i++;
			continue;
		}
		if (t[i] == '}')
			return rg_err_set(err, RG_EINVALID, NULL,
					  "lone '}' at offset %zu (write }} "
					  "for a literal brace)",
					  i);
		if (t[i] != '{')
			continue;
		close = strchr(t + i, '}');
		if (!close)
			return rg_err_set(err, RG_EINVALID, NULL,
					  "unclosed '{' at offset %zu", i);
		if (var_index(t + i + 1, (size_t)(close - t - i - 1)) < 0)
			return rg_err_set(
			    err, RG_EINVALID, NULL,
			    "unknown placeholder '%.*s' (expected "
			    "one of {rule} {kind} {name} "
			    "{namespace} {env} {path} {value})",
			    (int)(close - t - i + 1), t + i);
		i = (size_t)(close - t);
	}
	return 0;
}

struct out {
	char *p;
	size_t len, cap;
	bool cut;
};

static void out_add(struct out *o, const char *s, size_t n)
{
	if (o->len + n > o->cap) {
		n = o->cap - o->len;
		o->cut = true;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void out_value(struct out *o, const struct rg_node *v)
{
	char tmp[256];

	if (!v) {
		out_add(o, "(missing)", 9);
		return;
	}
	if (v->kind == RG_MAP) {
		out_add(o, "a mapping", 9);
		return;
	}
	if (v->kind == RG_SEQ) {
		out_add(o, "a list", 6);
		return;
	}
	if (v->kind == RG_STR) {
		size_t n = v->u.s.len > 200 ? 200 : v->u.s.len;

		for (size_t i = 0; i < n; i++)
			out_add(o,
				(v->u.s.ptr[i] == '\n' || v->u.s.ptr[i] == '\r')
				    ? " "
				    : v->u.s.ptr + i,
				1);
		if (n < v->u.s.len)
			out_add(o, "...", 3);
		return;
	}
	rg_rules_scalar_text(v, tmp, sizeof(tmp));
	out_add(o, tmp, strlen(tmp));
}

const char *rg_rules_expand(struct rg_arena *a, const char *t,
			    const struct rg_rules_vars *v)
{
	char buf[RG_CAP_POLICY_MESSAGE_BYTES + 1];
	struct out o = {buf, 0, RG_CAP_POLICY_MESSAGE_BYTES - 3, false};

	for (size_t i = 0; t[i] && !o.cut; i++) {
		const char *close, *s = NULL;
		int k;

		if ((t[i] == '{' && t[i + 1] == '{') ||
		    (t[i] == '}' && t[i + 1] == '}')) {
			out_add(&o, t + i, 1);
			i++;
			continue;
		}
		close = t[i] == '{' ? strchr(t + i, '}') : NULL;
		k = close ? var_index(t + i + 1, (size_t)(close - t - i - 1))
			  : -1;
		if (k < 0) {
			out_add(&o, t + i, 1);
			continue;
		}
		switch (k) {
		case 0:
			s = v->rule;
			break;
		case 1:
			s = v->kind;
			break;
		case 2:
			s = v->name;
			break;
		case 3:
			s = v->ns;
			break;
		case 4:
			s = v->env;
			break;
		case 5:
			s = v->path;
			break;
		default:
			out_value(&o, v->value);
			break;
		}
		if (s)
			out_add(&o, s, strlen(s));
		i = (size_t)(close - t);
	}
	if (o.cut) {
		memcpy(o.p + o.len, "...", 3);
		o.len += 3;
	}
	return rg_arena_strndup(a, o.p, o.len);
}

void rg_rules_rule_release(struct rg_rules_rule *r)
{
	rg_regex_free(r->match.name);
	r->match.name = NULL;
	for (size_t i = 0; i < r->nall; i++) {
		rg_regex_free(r->all[i].re);
		r->all[i].re = NULL;
	}
	for (size_t i = 0; i < r->nany; i++) {
		rg_regex_free(r->any[i].re);
		r->any[i].re = NULL;
	}
}
