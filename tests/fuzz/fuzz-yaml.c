/*
 * fuzz-yaml.c - the YAML reader and writer on arbitrary bytes.
 *
 * Parses the input as YAML 1.1 (go-yaml v2 rules) and as YAML 1.2 with
 * duplicate keys allowed; every document that parses is emitted, the
 * text parsed again, and the two trees compared: emit must produce YAML
 * that reads back to the same tree (floats that are whole numbers come
 * back as ints, as in go-yaml, so those compare by value). Then the
 * top-level mapping is edited (rg_map_del/rg_map_set) and every lookup
 * checked against a scan, which exercises the mapping index. Strings with a
 * carriage return or U+2028/U+2029 are left out of the comparison:
 * go-yaml v2 writes those characters raw inside quotes and reads them
 * back as line folds, and we reproduce its output (see doc.h).
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/doc.h"

#include <math.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool odd_breaks(const struct rg_str *s)
{
	return memchr(s->ptr, '\r', s->len) ||
	       memmem(s->ptr, s->len, "\xe2\x80\xa8", 3) ||
	       memmem(s->ptr, s->len, "\xe2\x80\xa9", 3);
}

/* Equal, except that a whole float may have become an int. */
static bool same(const struct rg_node *x, const struct rg_node *y)
{
	if (x->kind == RG_STR && odd_breaks(&x->u.s))
		return true;
	if (x->kind == RG_FLOAT && y->kind == RG_INT)
		return x->u.f == (double)y->u.i;
	if (x->kind != y->kind)
		return false;
	switch (x->kind) {
	case RG_SEQ:
		for (size_t i = 0; i < x->u.seq.len; i++)
			if (!same(x->u.seq.items[i], y->u.seq.items[i]))
				return false;
		return x->u.seq.len == y->u.seq.len;
	case RG_MAP:
		if (x->u.map.len != y->u.map.len)
			return false;
		for (size_t i = 0; i < x->u.map.len; i++) {
			const struct rg_pair *p = &x->u.map.items[i];
			const struct rg_node *v = rg_map_get(y, p->key.ptr, p->key.len);

			if (odd_breaks(&p->key))
				continue;
			if (!v || !same(p->val, v))
				return false;
		}
		return true;
	default:
		return rg_node_equal(x, y);
	}
}

static void roundtrip(struct rg_arena *a, const struct rg_node *n)
{
	struct rg_buf b = RG_BUF_INIT(RG_CAP_YAML_EMIT_BYTES);
	struct rg_node *again = NULL;
	struct rg_err err = RG_ERR_INIT;

	if (rg_doc_emit(&b, n, 0) != 0)
		goto out;
	if (rg_doc_parse_one(&again, a, "emitted", b.ptr, b.len, 0, &err) != 0) {
		/* caps may legitimately trip on the re-read; nothing else may */
		if (err.code != RG_ELIMIT)
			RG_BUG("emitted YAML does not parse: %s\n%s", err.msg,
			       b.ptr);
		goto out;
	}
	if (!same(n, again))
		RG_BUG("emitted YAML reads back differently:\n%s", b.ptr);
out:
	rg_buf_release(&b);
}

/* rg_map_get must agree with a scan, whatever the index holds. */
static void check_lookups(const struct rg_node *m)
{
	for (size_t i = 0; i < m->u.map.len; i++) {
		const struct rg_pair *p = &m->u.map.items[i];

		if (rg_map_get(m, p->key.ptr, p->key.len) != p->val)
			RG_BUG("lookup of key %zu disagrees with the scan", i);
	}
}

/*
 * Edit the top-level mapping (delete every third key, set them again,
 * add new ones) and check every lookup, exercising the mapping index.
 */
static void edit_map(struct rg_arena *a, struct rg_node *m)
{
	size_t n = m->u.map.len;
	struct rg_str *keys;

	if (m->kind != RG_MAP)
		return;
	check_lookups(m);
	keys = rg_arena_calloc(a, n + 1, sizeof(*keys));
	for (size_t i = 0; i < n; i++)
		keys[i] = m->u.map.items[i].key;
	for (size_t i = 0; i < n; i += 3)
		if (!rg_map_del(m, keys[i].ptr, keys[i].len))
			RG_BUG("key %zu vanished", i);
	check_lookups(m);
	for (size_t i = 0; i < n; i += 3)
		rg_map_set(a, m, keys[i].ptr, keys[i].len, rg_node_int(a, 1));
	for (int i = 0; i < 40; i++) {
		char k[24];
		bool there = false;

		snprintf(k, sizeof(k), "fuzz-extra-%d", i);
		for (size_t j = 0; j < m->u.map.len; j++)
			there |= m->u.map.items[j].key.len == strlen(k) &&
				 !memcmp(m->u.map.items[j].key.ptr, k, strlen(k));
		rg_map_set(a, m, k, strlen(k), rg_node_null(a));
		n += !there;
	}
	check_lookups(m);
	if (m->u.map.len != n)
		RG_BUG("edited mapping has %zu keys, want %zu", m->u.map.len, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned flagsets[] = { 0,
					     RG_PARSE_YAML12 | RG_PARSE_DUP_KEYS_OK };

	for (size_t f = 0; f < RG_ARRAY_SIZE(flagsets); f++) {
		struct rg_arena *a = rg_arena_new();
		struct rg_docs docs;
		struct rg_err err = RG_ERR_INIT;

		if (rg_doc_parse(&docs, a, "fuzz.yaml", (const char *)data, size,
				 flagsets[f], &err) == 0 && flagsets[f] == 0) {
			for (size_t i = 0; i < docs.len; i++) {
				roundtrip(a, docs.docs[i]);
				edit_map(a, docs.docs[i]);
			}
		}
		rg_arena_free(a);
	}
	return 0;
}
