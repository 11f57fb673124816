/*
 * kust_json6902.c - RFC 6902 JSON patch over the document model.
 *
 * Pointers (RFC 6901): "" is the whole document, "/a/0/b" steps through
 * mappings by key and sequences by decimal index; "~1" is '/', "~0" is
 * '~'. In add, "-" as the last step means "after the last element".
 */
#include "rendergate/compat.h"

#include "rendergate/arena.h"
#include "rendergate/doc.h"
#include "rendergate/kust.h"
#include "rendergate/kustint.h"

struct ptr {
	char **tok;
	size_t n;
};

static int parse_ptr(struct ptr *p, struct rg_arena *a, const char *s,
		     struct rg_err *err, const struct rg_pos *pos)
{
	size_t cnt = 0;

	p->n = 0;
	p->tok = NULL;
	if (!*s)
		return 0;
	if (*s != '/')
		return rg_err_set(err, RG_EINVALID, pos,
				  "JSON pointer \"%s\" must start with '/'", s);
	for (const char *c = s; *c; c++)
		if (*c == '/')
			cnt++;
	p->tok = rg_arena_calloc(a, cnt, sizeof(char *));
	while (*s == '/') {
		const char *e = strchr(s + 1, '/');
		size_t len = e ? (size_t)(e - s - 1) : strlen(s + 1);
		char *t = rg_arena_alloc(a, len + 1);
		size_t w = 0;

		for (size_t i = 0; i < len; i++) {
			char c = s[1 + i];

			if (c == '~' && i + 1 < len && s[2 + i] == '1') {
				c = '/';
				i++;
			} else if (c == '~' && i + 1 < len && s[2 + i] == '0') {
				i++;
			} else if (c == '~') {
				return rg_err_set(err, RG_EINVALID, pos,
						  "JSON pointer \"%s\" has a bad "
						  "~ escape", s);
			}
			t[w++] = c;
		}
		t[w] = 0;
		p->tok[p->n++] = t;
		s += 1 + len;
	}
	return 0;
}

static bool parse_index(const char *t, size_t *out)
{
	size_t v = 0;

	if (!*t || (t[0] == '0' && t[1]))
		return false;
	for (; *t; t++) {
		if (*t < '0' || *t > '9' || v > (SIZE_MAX - 9) / 10)
			return false;
		v = v * 10 + (size_t)(*t - '0');
	}
	*out = v;
	return true;
}

/* The node the first n tokens lead to, or NULL. */
static struct rg_node *walk(struct rg_node *doc, const struct ptr *p, size_t n)
{
	struct rg_node *cur = doc;

	for (size_t i = 0; cur && i < n; i++) {
		size_t idx;

		if (cur->kind == RG_MAP) {
			cur = rg_map_gets(cur, p->tok[i]);
		} else if (cur->kind == RG_SEQ && parse_index(p->tok[i], &idx) &&
			   idx < cur->u.seq.len) {
			cur = cur->u.seq.items[idx];
		} else {
			cur = NULL;
		}
	}
	return cur;
}

static void seq_insert(struct rg_arena *a, struct rg_node *seq, size_t at,
		       struct rg_node *v)
{
	rg_seq_push(a, seq, v);
	memmove(seq->u.seq.items + at + 1, seq->u.seq.items + at,
		(seq->u.seq.len - 1 - at) * sizeof(*seq->u.seq.items));
	seq->u.seq.items[at] = v;
}

static int op_add(struct rg_node **doc, struct rg_arena *a, const struct ptr *p,
		  struct rg_node *v, const char *path, struct rg_err *err,
		  const struct rg_pos *pos)
{
	struct rg_node *parent;
	const char *last;
	size_t idx;

	if (!p->n) {
		*doc = v;
		return 0;
	}
	parent = walk(*doc, p, p->n - 1);
	last = p->tok[p->n - 1];
	if (!parent)
		goto missing;
	if (parent->kind == RG_MAP) {
		rg_map_set(a, parent, last, strlen(last), v);
		return 0;
	}
	if (parent->kind == RG_SEQ) {
		if (!strcmp(last, "-")) {
			rg_seq_push(a, parent, v);
			return 0;
		}
		if (parse_index(last, &idx) && idx <= parent->u.seq.len) {
			seq_insert(a, parent, idx, v);
			return 0;
		}
	}
missing:
	return rg_err_set(err, RG_EINVALID, pos,
			  "JSON patch: path \"%s\" does not exist", path);
}

static int op_remove(struct rg_node **doc, const struct ptr *p,
		     struct rg_node **removed, const char *path,
		     struct rg_err *err, const struct rg_pos *pos)
{
	struct rg_node *parent;
	const char *last;
	size_t idx;

	if (!p->n)
		return rg_err_set(err, RG_EINVALID, pos,
				  "JSON patch: cannot remove the whole document");
	parent = walk(*doc, p, p->n - 1);
	last = p->tok[p->n - 1];
	if (parent && parent->kind == RG_MAP) {
		struct rg_node *v = rg_map_gets(parent, last);

		if (v) {
			*removed = v;
			rg_map_del(parent, last, strlen(last));
			return 0;
		}
	} else if (parent && parent->kind == RG_SEQ &&
		   parse_index(last, &idx) && idx < parent->u.seq.len) {
		*removed = parent->u.seq.items[idx];
		memmove(parent->u.seq.items + idx, parent->u.seq.items + idx + 1,
			(parent->u.seq.len - idx - 1) *
				sizeof(*parent->u.seq.items));
		parent->u.seq.len--;
		return 0;
	}
	return rg_err_set(err, RG_EINVALID, pos,
			  "JSON patch: path \"%s\" does not exist", path);
}

static int op_replace(struct rg_node **doc, struct rg_arena *a,
		      const struct ptr *p, struct rg_node *v, const char *path,
		      struct rg_err *err, const struct rg_pos *pos)
{
	struct rg_node *parent;
	const char *last;
	size_t idx;

	if (!p->n) {
		*doc = v;
		return 0;
	}
	parent = walk(*doc, p, p->n - 1);
	last = p->tok[p->n - 1];
	if (parent && parent->kind == RG_MAP && rg_map_gets(parent, last)) {
		rg_map_set(a, parent, last, strlen(last), v);
		return 0;
	}
	if (parent && parent->kind == RG_SEQ && parse_index(last, &idx) &&
	    idx < parent->u.seq.len) {
		parent->u.seq.items[idx] = v;
		return 0;
	}
	return rg_err_set(err, RG_EINVALID, pos,
			  "JSON patch: path \"%s\" does not exist", path);
}

static int apply_one(struct rg_node **doc, struct rg_arena *a,
		     const struct rg_node *op, size_t i, struct rg_err *err)
{
	const char *name = rg_kust_str_at(op, "op");
	const char *path = rg_kust_str_at(op, "path");
	const char *from = rg_kust_str_at(op, "from");
	const struct rg_node *val = rg_map_gets(op, "value");
	const struct rg_pos *pos = &op->pos;
	struct ptr p, fp;
	struct rg_node *moved = NULL;
	int rc;

	if (op->kind != RG_MAP)
		return rg_err_set(err, RG_EINVALID, pos,
				  "JSON patch operation %zu is not a mapping", i);
	rc = parse_ptr(&p, a, path, err, pos);
	if (rc)
		return rc;
	if (!strcmp(name, "add") || !strcmp(name, "replace") ||
	    !strcmp(name, "test")) {
		if (!val)
			return rg_err_set(err, RG_EINVALID, pos,
					  "JSON patch %s at \"%s\" has no value",
					  name, path);
	}
	if (!strcmp(name, "add"))
		return op_add(doc, a, &p, rg_node_clone(a, val), path, err, pos);
	if (!strcmp(name, "remove"))
		return op_remove(doc, &p, &moved, path, err, pos);
	if (!strcmp(name, "replace"))
		return op_replace(doc, a, &p, rg_node_clone(a, val), path, err,
				  pos);
	if (!strcmp(name, "test")) {
		struct rg_node *cur = walk(*doc, &p, p.n);

		if (!cur || !rg_node_equal(cur, val))
			return rg_err_set(err, RG_EINVALID, pos,
					  "JSON patch test at \"%s\" failed",
					  path);
		return 0;
	}
	if (!strcmp(name, "move") || !strcmp(name, "copy")) {
		struct rg_node *src;

		rc = parse_ptr(&fp, a, from, err, pos);
		if (rc)
			return rc;
		src = walk(*doc, &fp, fp.n);
		if (!src)
			return rg_err_set(err, RG_EINVALID, pos,
					  "JSON patch %s: from \"%s\" does not "
					  "exist",
					  name, from);
		if (!strcmp(name, "copy"))
			return op_add(doc, a, &p, rg_node_clone(a, src), path,
				      err, pos);
		rc = op_remove(doc, &fp, &moved, from, err, pos);
		if (rc)
			return rc;
		return op_add(doc, a, &p, moved, path, err, pos);
	}
	return rg_err_set(err, RG_EINVALID, pos,
			  "JSON patch operation %zu: unknown op \"%s\"", i,
			  name);
}

int rg_kust_json6902(struct rg_node **doc, struct rg_arena *a,
		     const struct rg_node *ops, struct rg_err *err)
{
	int rc = 0;

	if (!ops || ops->kind != RG_SEQ)
		return rg_err_set(err, RG_EINVALID, ops ? &ops->pos : NULL,
				  "a JSON patch must be a list of operations");
	for (size_t i = 0; i < ops->u.seq.len; i++) {
		rc = apply_one(doc, a, ops->u.seq.items[i], i, err);
		if (rc)
			goto out;
	}
out:
	return rc;
}
