/*
 * doc.c - reading YAML into the document model, and the node helpers.
 *
 * libyaml's event API drives an explicit stack of open collections, so
 * nothing here recurses with the depth of the input. The only recursive
 * helpers (clone, equal) work on trees whose depth the parser has capped
 * at RG_CAP_YAML_DEPTH.
 */
#include "rendergate/compat.h"
#include "rendergate/doc.h"
#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/hash.h"
#include "rendergate/yfast.h"

#include <math.h>
#include <yaml.h>

#define TAG_PREFIX "tag:yaml.org,2002:"

/* --- a set of keys, for duplicate checks, merges, anchors, equality ---- */

static bool str_eq(const struct rg_str *x, const struct rg_str *y)
{
	return x->len == y->len && memcmp(x->ptr, y->ptr, x->len) == 0;
}

/*
 * Open addressing over pointers to struct rg_str that the caller keeps
 * alive (a pair's key, an anchor's name: both are the first member of
 * their struct, so a hit can be cast back). Heap memory, released with
 * keyset_release; small sets are scanned linearly without allocating.
 */
struct keyset {
	const struct rg_str **slots;
	size_t cap, len;
	const struct rg_str *small[8];
};

#define KEYSET_INIT                                                            \
	{                                                                      \
		NULL, 0, 0,                                                    \
		{                                                              \
			NULL                                                   \
		}                                                              \
	}

static uint64_t key_hash(const struct rg_str *k)
{
	return rg_fnv1a(RG_FNV1A_SEED, k->ptr, k->len);
}

static const struct rg_str **keyset_slot(struct keyset *s,
					 const struct rg_str *k)
{
	size_t i = (size_t)key_hash(k) & (s->cap - 1);

	while (s->slots[i] && !str_eq(s->slots[i], k))
		i = (i + 1) & (s->cap - 1);
	return &s->slots[i];
}

static void keyset_grow(struct keyset *s)
{
	const struct rg_str **old = s->slots;
	size_t oldcap = s->cap;

	s->cap = s->cap ? s->cap * 2 : 32;
	s->slots = rg_xcalloc(s->cap, sizeof(*s->slots));
	if (!old) {
		for (size_t i = 0; i < s->len; i++)
			*keyset_slot(s, s->small[i]) = s->small[i];
		return;
	}
	for (size_t i = 0; i < oldcap; i++)
		if (old[i])
			*keyset_slot(s, old[i]) = old[i];
	free(old);
}

static const struct rg_str *keyset_get(struct keyset *s, const struct rg_str *k)
{
	if (!s->slots) {
		for (size_t i = 0; i < s->len; i++)
			if (str_eq(s->small[i], k))
				return s->small[i];
		return NULL;
	}
	return *keyset_slot(s, k);
}

/* Add k, or replace the entry with the same text. */
static void keyset_put(struct keyset *s, const struct rg_str *k)
{
	const struct rg_str **slot;

	if (!s->slots) {
		for (size_t i = 0; i < s->len; i++) {
			if (str_eq(s->small[i], k)) {
				s->small[i] = k;
				return;
			}
		}
		if (s->len < RG_ARRAY_SIZE(s->small)) {
			s->small[s->len++] = k;
			return;
		}
		keyset_grow(s);
	} else if (2 * (s->len + 1) > s->cap) {
		keyset_grow(s);
	}
	slot = keyset_slot(s, k);
	if (!*slot)
		s->len++;
	*slot = k;
}

static void keyset_release(struct keyset *s)
{
	free(s->slots);
	s->slots = NULL;
	s->cap = 0;
	s->len = 0;
}

/* --- node helpers ------------------------------------------------------ */

struct rg_node *rg_node_new(struct rg_arena *a, enum rg_kind kind)
{
	struct rg_node *n = rg_arena_alloc(a, sizeof(*n));

	n->kind = (uint8_t)kind;
	if (kind == RG_STR)
		n->u.s.ptr = "";
	return n;
}

struct rg_node *rg_node_null(struct rg_arena *a)
{
	return rg_node_new(a, RG_NULL);
}

struct rg_node *rg_node_bool(struct rg_arena *a, bool b)
{
	struct rg_node *n = rg_node_new(a, RG_BOOL);

	n->u.b = b;
	return n;
}

struct rg_node *rg_node_int(struct rg_arena *a, int64_t i)
{
	struct rg_node *n = rg_node_new(a, RG_INT);

	n->u.i = i;
	return n;
}

struct rg_node *rg_node_float(struct rg_arena *a, double f)
{
	struct rg_node *n = rg_node_new(a, RG_FLOAT);

	n->u.f = f;
	return n;
}

struct rg_node *rg_node_strn(struct rg_arena *a, const char *s, size_t len)
{
	struct rg_node *n = rg_node_new(a, RG_STR);

	n->u.s.ptr = rg_arena_strndup(a, s, len);
	n->u.s.len = len;
	return n;
}

struct rg_node *rg_node_str(struct rg_arena *a, const char *s)
{
	return rg_node_strn(a, s, strlen(s));
}

struct rg_node *rg_node_seq(struct rg_arena *a)
{
	return rg_node_new(a, RG_SEQ);
}

struct rg_node *rg_node_map(struct rg_arena *a)
{
	return rg_node_new(a, RG_MAP);
}

void rg_seq_push(struct rg_arena *a, struct rg_node *seq, struct rg_node *v)
{
	if (seq->kind != RG_SEQ)
		RG_BUG("rg_seq_push on a %s", rg_kind_name(seq->kind));
	if (seq->u.seq.len == seq->u.seq.alloc) {
		size_t na = seq->u.seq.alloc ? seq->u.seq.alloc * 2 : 4;

		seq->u.seq.items =
		    rg_arena_grow(a, seq->u.seq.items, seq->u.seq.len, na,
				  sizeof(*seq->u.seq.items));
		seq->u.seq.alloc = na;
	}
	seq->u.seq.items[seq->u.seq.len++] = v;
}

/*
 * Big mappings get a hash index so lookups and inserts stay O(1). Every
 * items array is allocated here with one hidden pair past `alloc`; that
 * pair's val holds the index (or NULL). Nobody else allocates items, so
 * the public layout is unchanged. The index maps a key to its position
 * and is checked on use: a slot whose position is out of range or holds
 * another key is skipped, so a stale entry can only cost time.
 */
#define MAP_INDEX_MIN 16

struct mapidx {
	size_t cap;	  /* power of two */
	uint32_t slots[]; /* position + 1; 0 is empty */
};

static struct mapidx *idx_of(const struct rg_node *map)
{
	if (!map->u.map.items)
		return NULL;
	return (struct mapidx *)(uintptr_t)map->u.map.items[map->u.map.alloc]
	    .val;
}

static void idx_attach(struct rg_node *map, struct mapidx *idx)
{
	map->u.map.items[map->u.map.alloc].val =
	    (struct rg_node *)(uintptr_t)idx;
}

static size_t idx_home(const struct mapidx *idx, const char *key, size_t len)
{
	return (size_t)rg_fnv1a(RG_FNV1A_SEED, key, len) & (idx->cap - 1);
}

static void idx_fill(struct mapidx *idx, const struct rg_node *map);

/* Index position pos (its key) unless the key is there already. */
static void idx_insert(struct mapidx *idx, const struct rg_node *map,
		       size_t pos)
{
	const struct rg_str *k = &map->u.map.items[pos].key;
	size_t i = idx_home(idx, k->ptr, k->len);

	for (size_t probes = 0; idx->slots[i]; probes++) {
		size_t at = idx->slots[i] - 1;

		if (at < map->u.map.len && str_eq(&map->u.map.items[at].key, k))
			return; /* the first position of a key wins */
		if (probes == idx->cap) {
			/* full of stale slots (len was cut from outside) */
			idx_fill(idx, map);
			return;
		}
		i = (i + 1) & (idx->cap - 1);
	}
	idx->slots[i] = (uint32_t)(pos + 1);
}

static void idx_fill(struct mapidx *idx, const struct rg_node *map)
{
	memset(idx->slots, 0, idx->cap * sizeof(idx->slots[0]));
	for (size_t i = 0; i < map->u.map.len; i++)
		idx_insert(idx, map, i);
}

/* (Re)build the index with room to grow, or drop it for a small map. */
static void idx_build(struct rg_arena *a, struct rg_node *map)
{
	struct mapidx *idx;
	size_t cap = 64;

	if (!map->u.map.items)
		return;
	if (map->u.map.len < MAP_INDEX_MIN || map->u.map.len > UINT32_MAX / 4) {
		idx_attach(map, NULL);
		return;
	}
	while (cap < 4 * map->u.map.len)
		cap *= 2;
	idx = rg_arena_alloc(a, sizeof(*idx) + cap * sizeof(idx->slots[0]));
	idx->cap = cap;
	idx_fill(idx, map);
	idx_attach(map, idx);
}

static ssize_t map_find(const struct rg_node *map, const char *key,
			size_t keylen)
{
	const struct mapidx *idx;
	struct rg_str k = {key, keylen};

	if (!map || map->kind != RG_MAP)
		return -1;
	idx = idx_of(map);
	if (idx) {
		size_t i = idx_home(idx, key, keylen);

		for (size_t probes = 0; idx->slots[i] && probes < idx->cap;
		     probes++, i = (i + 1) & (idx->cap - 1)) {
			size_t at = idx->slots[i] - 1;

			if (at < map->u.map.len &&
			    str_eq(&map->u.map.items[at].key, &k))
				return (ssize_t)at;
		}
		if (!idx->slots[i])
			return -1;
		/* a table full of stale slots: fall back to the scan */
	}
	for (size_t i = 0; i < map->u.map.len; i++)
		if (str_eq(&map->u.map.items[i].key, &k))
			return (ssize_t)i;
	return -1;
}

/* Append a copy of pr, keeping the index. */
static void map_append(struct rg_arena *a, struct rg_node *map,
		       const struct rg_pair *pr)
{
	struct mapidx *idx = idx_of(map);

	if (map->u.map.len == map->u.map.alloc) {
		size_t na = map->u.map.alloc ? map->u.map.alloc * 2 : 4;

		/* one more for the hidden pair that carries the index */
		map->u.map.items =
		    rg_arena_grow(a, map->u.map.items, map->u.map.len, na + 1,
				  sizeof(*map->u.map.items));
		map->u.map.alloc = na;
		idx_attach(map, idx);
	}
	map->u.map.items[map->u.map.len++] = *pr;
	if (!idx && map->u.map.len < MAP_INDEX_MIN)
		return;
	if (!idx || 2 * map->u.map.len > idx->cap)
		idx_build(a, map);
	else
		idx_insert(idx, map, map->u.map.len - 1);
}

void rg_map_set(struct rg_arena *a, struct rg_node *map, const char *key,
		size_t keylen, struct rg_node *v)
{
	ssize_t i;
	struct rg_pair pr;

	if (map->kind != RG_MAP)
		RG_BUG("rg_map_set on a %s", rg_kind_name(map->kind));
	i = map_find(map, key, keylen);
	if (i >= 0) {
		map->u.map.items[i].val = v;
		return;
	}
	pr.key.ptr = rg_arena_strndup(a, key, keylen);
	pr.key.len = keylen;
	pr.key_pos = v ? v->pos : (struct rg_pos){NULL, 0, 0};
	pr.val = v;
	map_append(a, map, &pr);
}

bool rg_map_del(struct rg_node *map, const char *key, size_t keylen)
{
	ssize_t i = map_find(map, key, keylen);

	if (i < 0)
		return false;
	memmove(&map->u.map.items[i], &map->u.map.items[i + 1],
		(map->u.map.len - (size_t)i - 1) * sizeof(*map->u.map.items));
	map->u.map.len--;
	/* positions moved: refill the index in place (it only shrank) */
	if (idx_of(map))
		idx_fill(idx_of(map), map);
	return true;
}

struct rg_node *rg_map_get(const struct rg_node *map, const char *key,
			   size_t keylen)
{
	ssize_t i = map_find(map, key, keylen);

	return i < 0 ? NULL : map->u.map.items[i].val;
}

struct rg_node *rg_map_gets(const struct rg_node *map, const char *key)
{
	return rg_map_get(map, key, strlen(key));
}

struct rg_node *rg_node_path(const struct rg_node *n, const char *dotted)
{
	const char *p = dotted;

	while (n) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);

		n = rg_map_get(n, p, len);
		if (!dot)
			break;
		p = dot + 1;
	}
	return (struct rg_node *)(uintptr_t)n;
}

const char *rg_node_cstr(const struct rg_node *n)
{
	return n && n->kind == RG_STR ? n->u.s.ptr : NULL;
}

/* Recursion is bounded by RG_CAP_YAML_DEPTH (see doc.h). */
struct rg_node *rg_node_clone(struct rg_arena *a, const struct rg_node *n)
{
	struct rg_node *c;

	if (!n)
		return NULL;
	c = rg_arena_alloc(a, sizeof(*c));
	*c = *n;
	switch (n->kind) {
	case RG_STR:
		c->u.s.ptr = rg_arena_strndup(a, n->u.s.ptr, n->u.s.len);
		break;
	case RG_SEQ:
		c->u.seq.alloc = n->u.seq.len;
		c->u.seq.items =
		    rg_arena_calloc(a, n->u.seq.len ? n->u.seq.len : 1,
				    sizeof(*c->u.seq.items));
		for (size_t i = 0; i < n->u.seq.len; i++)
			c->u.seq.items[i] = rg_node_clone(a, n->u.seq.items[i]);
		break;
	case RG_MAP:
		c->u.map.alloc = n->u.map.len;
		/* the extra pair is the hidden index slot (map_append) */
		c->u.map.items = rg_arena_calloc(a, n->u.map.len + 1,
						 sizeof(*c->u.map.items));
		for (size_t i = 0; i < n->u.map.len; i++) {
			const struct rg_pair *p = &n->u.map.items[i];

			c->u.map.items[i].key.ptr =
			    rg_arena_strndup(a, p->key.ptr, p->key.len);
			c->u.map.items[i].key.len = p->key.len;
			c->u.map.items[i].key_pos = p->key_pos;
			c->u.map.items[i].val = rg_node_clone(a, p->val);
		}
		idx_build(a, c);
		break;
	default:
		break;
	}
	return c;
}

/*
 * Mappings are equal with their keys in any order. The same order is the
 * common case; otherwise y's keys are looked up through a key set.
 */
static bool map_equal(const struct rg_node *x, const struct rg_node *y)
{
	struct keyset set = KEYSET_INIT;
	bool eq = true;
	size_t i = 0;

	if (x->u.map.len != y->u.map.len)
		return false;
	for (; i < x->u.map.len; i++) {
		const struct rg_pair *p = &x->u.map.items[i];
		const struct rg_pair *q = &y->u.map.items[i];

		if (!str_eq(&p->key, &q->key))
			break;
		if (!rg_node_equal(p->val, q->val))
			return false;
	}
	if (i == x->u.map.len)
		return true;
	for (size_t j = i; j < y->u.map.len; j++)
		keyset_put(&set, &y->u.map.items[j].key);
	/* keys repeated in y (only hand-built trees have them) never match */
	eq = set.len == y->u.map.len - i;
	for (; i < x->u.map.len && eq; i++) {
		const struct rg_pair *p = &x->u.map.items[i];
		const struct rg_str *hit = keyset_get(&set, &p->key);

		eq = hit &&
		     rg_node_equal(
			 p->val, ((const struct rg_pair *)(uintptr_t)hit)->val);
	}
	keyset_release(&set);
	return eq;
}

bool rg_node_equal(const struct rg_node *x, const struct rg_node *y)
{
	if (!x || !y)
		return x == y;
	if (x->kind != y->kind)
		return false;
	switch (x->kind) {
	case RG_NULL:
		return true;
	case RG_BOOL:
		return x->u.b == y->u.b;
	case RG_INT:
		return x->u.i == y->u.i;
	case RG_FLOAT:
		/* NaN equals NaN here: the same document read twice is equal */
		return x->u.f == y->u.f || (isnan(x->u.f) && isnan(y->u.f));
	case RG_STR:
		return str_eq(&x->u.s, &y->u.s);
	case RG_SEQ:
		if (x->u.seq.len != y->u.seq.len)
			return false;
		for (size_t i = 0; i < x->u.seq.len; i++)
			if (!rg_node_equal(x->u.seq.items[i],
					   y->u.seq.items[i]))
				return false;
		return true;
	case RG_MAP:
		return map_equal(x, y);
	default:
		return false;
	}
}

const char *rg_kind_name(enum rg_kind k)
{
	switch (k) {
	case RG_NULL:
		return "null";
	case RG_BOOL:
		return "bool";
	case RG_INT:
		return "int";
	case RG_FLOAT:
		return "float";
	case RG_STR:
		return "string";
	case RG_SEQ:
		return "sequence";
	case RG_MAP:
		return "mapping";
	}
	return "unknown";
}

/* --- go-yaml v2 key order ----------------------------------------------- */

static uint32_t utf8_at(const char *s, size_t len, size_t i)
{
	const uint8_t *p = (const uint8_t *)s + i;
	size_t left = len - i;
	uint32_t c = p[0];

	if (c < 0x80 || left < 2)
		return c;
	if (c < 0xe0)
		return (c & 0x1f) << 6 | (p[1] & 0x3f);
	if (c < 0xf0 || left < 4)
		return left < 3
			   ? c
			   : (c & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 |
				 (p[2] & 0x3f);
	return (c & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 |
	       (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
}

/*
 * Go's unicode.IsLetter. ASCII is exact; above it, the large punctuation,
 * symbol and space blocks are excluded and everything else counts as a
 * letter. NEEDSWORK: use the real Unicode letter tables if keys in other
 * scripts ever need exact ordering against symbols.
 */
static bool is_letter(uint32_t c)
{
	if (c < 0x80)
		return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
	if (c < 0xc0)
		return c == 0xaa || c == 0xb5 || c == 0xba;
	if (c == 0xd7 || c == 0xf7)
		return false;
	if ((c >= 0x2000 && c <= 0x2bff) || (c >= 0x3000 && c <= 0x3003) ||
	    (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff20) ||
	    (c >= 0x1f000 && c <= 0x1faff))
		return false;
	return true;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool key_less(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i = 0, ai, bi;
	uint32_t ra, rb;
	int64_t an = 0, bn = 0;

	while (i < alen && i < blen && a[i] == b[i])
		i++;
	if (i == alen || i == blen)
		return alen < blen;
	/* back up to the start of the rune holding the first difference */
	while (i > 0 && ((uint8_t)a[i] & 0xc0) == 0x80)
		i--;
	ra = utf8_at(a, alen, i);
	rb = utf8_at(b, blen, i);
	if (is_letter(ra) && is_letter(rb))
		return ra < rb;
	if (is_letter(ra) || is_letter(rb))
		return is_letter(rb);
	if (ra == '0' || rb == '0') {
		/* a zero inside a number (10 vs 1a) is not a leading zero */
		for (size_t j = i; j > 0 && is_digit(a[j - 1]); j--) {
			if (a[j - 1] != '0') {
				an = bn = 1;
				break;
			}
		}
	}
	/* Go's int64 arithmetic wraps; do it unsigned to keep C defined */
	for (ai = i; ai < alen && is_digit(a[ai]); ai++)
		an = (int64_t)((uint64_t)an * 10 + (uint64_t)(a[ai] - '0'));
	for (bi = i; bi < blen && is_digit(b[bi]); bi++)
		bn = (int64_t)((uint64_t)bn * 10 + (uint64_t)(b[bi] - '0'));
	if (an != bn)
		return an < bn;
	if (ai != bi)
		return ai < bi;
	return ra < rb;
}

int rg_yaml_keycmp(const char *a, size_t alen, const char *b, size_t blen)
{
	if (key_less(a, alen, b, blen))
		return -1;
	if (key_less(b, blen, a, alen))
		return 1;
	return 0;
}

/* --- scalar resolution (go-yaml v2 resolve.go) ---------------------------- */

/* strconv.ParseUint(s, 0, 64) with Go's base prefixes; false on error. */
static bool go_parse_uint(const char *s, size_t n, uint64_t *out)
{
	unsigned base = 10;
	size_t i = 0;
	uint64_t v = 0;

	if (n == 0)
		return false;
	if (s[0] == '0' && n > 1) {
		char c = (char)(s[1] | 0x20);

		base = 8;
		i = 1;
		if (n >= 3 && (c == 'x' || c == 'o' || c == 'b')) {
			base = c == 'x' ? 16 : c == 'o' ? 8 : 2;
			i = 2;
		}
	}
	for (; i < n; i++) {
		unsigned d;
		char c = s[i];

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
			d = (unsigned)((c | 0x20) - 'a' + 10);
		else
			return false;
		if (d >= base)
			return false;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

/* strconv.ParseInt(s, 0, 64). */
static bool go_parse_int(const char *s, size_t n, int64_t *out)
{
	bool neg = false;
	uint64_t u;

	if (n && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		s++;
		n--;
	}
	if (!go_parse_uint(s, n, &u))
		return false;
	if (neg) {
		if (u > (uint64_t)INT64_MAX + 1)
			return false;
		*out = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
	} else {
		if (u > (uint64_t)INT64_MAX)
			return false;
		*out = (int64_t)u;
	}
	return true;
}

static size_t digits_at(const char *s, size_t n, size_t i)
{
	size_t j = i;

	while (j < n && is_digit(s[j]))
		j++;
	return j - i;
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool yaml_style_float(const char *s, size_t n)
{
	size_t i = 0, d;

	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i < n && s[i] == '.') {
		d = digits_at(s, n, i + 1);
		if (!d)
			return false;
		i += 1 + d;
	} else {
		d = digits_at(s, n, i);
		if (!d)
			return false;
		i += d;
		if (i < n && s[i] == '.')
			i += 1 + digits_at(s, n, i + 1);
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		d = digits_at(s, n, i);
		if (!d)
			return false;
		i += d;
	}
	return i == n;
}

/*
 * strconv.ParseFloat on text already known to be a plain decimal float:
 * fails only when the value overflows to infinity (Go's ErrRange).
 */
static bool go_parse_float(const char *s, size_t n, double *out)
{
	char small[64];
	char *buf = n < sizeof(small) ? small : rg_xmalloc(n + 1);
	double v;

	memcpy(buf, s, n);
	buf[n] = '\0';
	v = strtod(buf, NULL);
	if (buf != small)
		free(buf);
	if (isinf(v))
		return false;
	*out = v;
	return true;
}

/* Copy s without '_' into a heap buffer (the caller frees). */
static char *strip_underscores(const char *s, size_t n, size_t *outn)
{
	char *p = rg_xmalloc(n + 1);
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (s[i] != '_')
			p[k++] = s[i];
	p[k] = '\0';
	*outn = k;
	return p;
}

/* s[0, n) is lit (which has no NUL inside); most differ at once */
static bool streq(const char *s, size_t n, const char *lit)
{
	for (size_t i = 0; i < n; i++)
		if (!lit[i] || lit[i] != s[i])
			return false;
	return !lit[n];
}

static bool any_of(const char *s, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (streq(s, n, *list))
			return true;
	return false;
}

/*
 * The null and bool words by length (n <= 5, first byte one of
 * yYnNtTfFoO~), so a plain scalar like "type" meets six candidates, not
 * 27: null (~, null, Null, NULL; the empty scalar is handled before),
 * then true and false in YAML 1.1 and in 1.2 (JSON).
 */
enum { W_NULL = 1, W_T11 = 2, W_F11 = 4, W_T12 = 8, W_F12 = 16 };
static const struct {
	const char *w;
	unsigned char kind;
} words_by_len[6][7] = {
	[1] = { { "~", W_NULL }, { "y", W_T11 }, { "Y", W_T11 },
		{ "n", W_F11 }, { "N", W_F11 } },
	[2] = { { "on", W_T11 }, { "On", W_T11 }, { "ON", W_T11 },
		{ "no", W_F11 }, { "No", W_F11 }, { "NO", W_F11 } },
	[3] = { { "yes", W_T11 }, { "Yes", W_T11 }, { "YES", W_T11 },
		{ "off", W_F11 }, { "Off", W_F11 }, { "OFF", W_F11 } },
	[4] = { { "null", W_NULL }, { "Null", W_NULL }, { "NULL", W_NULL },
		{ "true", W_T11 | W_T12 }, { "True", W_T11 | W_T12 },
		{ "TRUE", W_T11 | W_T12 } },
	[5] = { { "false", W_F11 | W_F12 }, { "False", W_F11 | W_F12 },
		{ "FALSE", W_F11 | W_F12 } },
};

static unsigned word_kind(const char *s, size_t n)
{
	if (n < 1 || n > 5)
		return 0;
	for (size_t i = 0; i < 7 && words_by_len[n][i].w; i++)
		if (words_by_len[n][i].w[0] == s[0] &&
		    !memcmp(words_by_len[n][i].w, s, n))
			return words_by_len[n][i].kind;
	return 0;
}

static const char *const nan_forms[] = {".nan", ".NaN", ".NAN", NULL};
static const char *const inf_forms[] = {".inf",	 ".Inf",  ".INF", "+.inf",
					"+.Inf", "+.INF", NULL};
static const char *const ninf_forms[] = {"-.inf", "-.Inf", "-.INF", NULL};

/*
 * Go's underscoreOK for a decimal float that starts with '.': every '_'
 * sits between two digits.
 */
static bool underscores_between_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '_')
			continue;
		if (i == 0 || i + 1 == n || !is_digit(s[i - 1]) ||
		    !is_digit(s[i + 1]))
			return false;
	}
	return true;
}

static enum rg_doc_rtag resolve_number(const char *in, size_t n,
				       struct rg_doc_scalar *v)
{
	size_t pn;
	char *plain = strip_underscores(in, n, &pn);
	enum rg_doc_rtag t = RG_RTAG_STR;
	int64_t i;
	uint64_t u;

	if (memchr(in, '\0', n))
		goto out;
	if (go_parse_int(plain, pn, &i)) {
		v->i = i;
		t = RG_RTAG_INT;
	} else if (go_parse_uint(plain, pn, &u)) {
		/* beyond int64: our model has no uint64, JSON makes it a float
		 */
		v->f = (double)u;
		v->intlike = true;
		t = RG_RTAG_FLOAT;
	} else if (yaml_style_float(plain, pn) &&
		   go_parse_float(plain, pn, &v->f)) {
		v->intlike = !memchr(plain, '.', pn) &&
			     !memchr(plain, 'e', pn) && !memchr(plain, 'E', pn);
		t = RG_RTAG_FLOAT;
	}
out:
	free(plain);
	return t;
}

static bool is_timestamp(const char *s, size_t n);

enum rg_doc_rtag rg_doc_resolve(struct rg_doc_scalar *v, const char *in,
				size_t n, unsigned flags)
{
	bool yaml12 = flags & (RG_PARSE_YAML12 | RG_PARSE_JSON);
	char c = n ? in[0] : 0;

	memset(v, 0, sizeof(*v));
	/* go-yaml's resolve table: the first byte says what it could be */
	switch (c) {
	case 0:
		return n ? RG_RTAG_STR : RG_RTAG_NULL;
	case 'y':
	case 'Y':
	case 'n':
	case 'N':
	case 't':
	case 'T':
	case 'f':
	case 'F':
	case 'o':
	case 'O':
	case '~':
	{
		/* "false" is the longest of these words; n >= 1 here */
		unsigned k = word_kind(in, n);

		if (k & W_NULL)
			return RG_RTAG_NULL;
		if (k & (yaml12 ? W_T12 : W_T11)) {
			v->b = true;
			return RG_RTAG_BOOL;
		}
		if (k & (yaml12 ? W_F12 : W_F11))
			return RG_RTAG_BOOL;
		return RG_RTAG_STR;
	}
	case '<':
		return streq(in, n, "<<") ? RG_RTAG_MERGE : RG_RTAG_STR;
	case '.':
	case '+':
	case '-':
		if (any_of(in, n, nan_forms)) {
			v->f = NAN;
			return RG_RTAG_FLOAT;
		}
		if (any_of(in, n, inf_forms)) {
			v->f = INFINITY;
			return RG_RTAG_FLOAT;
		}
		if (any_of(in, n, ninf_forms)) {
			v->f = -INFINITY;
			return RG_RTAG_FLOAT;
		}
		break;
	default:
		if (!is_digit(c))
			return RG_RTAG_STR;
		break;
	}
	if (c == '.') {
		size_t pn;
		char *plain;
		bool ok = false;

		if (!underscores_between_digits(in, n) || memchr(in, '\0', n))
			return RG_RTAG_STR;
		plain = strip_underscores(in, n, &pn);
		ok = yaml_style_float(plain, pn) &&
		     go_parse_float(plain, pn, &v->f);
		free(plain);
		return ok ? RG_RTAG_FLOAT : RG_RTAG_STR;
	}
	if (is_timestamp(in, n))
		return RG_RTAG_TIMESTAMP;
	return resolve_number(in, n, v);
}

/* Up to two digits (Go time's getnum with fixed=false). */
static bool getnum2(const char *s, size_t n, size_t *i, int *out)
{
	if (*i >= n || !is_digit(s[*i]))
		return false;
	*out = s[(*i)++] - '0';
	if (*i < n && is_digit(s[*i]))
		*out = *out * 10 + (s[(*i)++] - '0');
	return true;
}

static int days_in(int month, int year)
{
	static const int days[] = {31, 28, 31, 30, 31, 30,
				   31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

/*
 * go-yaml's parseTimestamp: time.Parse with the layouts
 * "2006-1-2T15:4:5.999999999Z07:00" (also with 't'),
 * "2006-1-2 15:4:5.999999999" and "2006-1-2".
 */
static bool is_timestamp(const char *s, size_t n)
{
	size_t i = 0;
	int year = 0, month, day, hh, mm, ss;
	bool tz;

	while (i < n && i < 5 && is_digit(s[i]))
		year = year * 10 + (s[i++] - '0');
	if (i != 4 || i == n || s[i] != '-')
		return false;
	i++;
	if (!getnum2(s, n, &i, &month) || month < 1 || month > 12)
		return false;
	if (i >= n || s[i++] != '-')
		return false;
	if (!getnum2(s, n, &i, &day))
		return false;
	if (day < 1 || day > days_in(month, year))
		return false;
	if (i == n)
		return true;
	tz = s[i] == 'T' || s[i] == 't';
	if (!tz && s[i] != ' ')
		return false;
	i++;
	if (!getnum2(s, n, &i, &hh) || hh > 23 || i >= n || s[i++] != ':')
		return false;
	if (!getnum2(s, n, &i, &mm) || mm > 59 || i >= n || s[i++] != ':')
		return false;
	if (!getnum2(s, n, &i, &ss) || ss > 59)
		return false;
	if (i + 1 < n && (s[i] == '.' || s[i] == ',') && is_digit(s[i + 1])) {
		i++;
		while (i < n && is_digit(s[i]))
			i++;
	}
	if (!tz)
		return i == n;
	if (i < n && s[i] == 'Z')
		return i + 1 == n;
	/* +hh:mm or -hh:mm exactly */
	if (n - i != 6 || (s[i] != '+' && s[i] != '-') || s[i + 3] != ':')
		return false;
	if (!is_digit(s[i + 1]) || !is_digit(s[i + 2]) || !is_digit(s[i + 4]) ||
	    !is_digit(s[i + 5]))
		return false;
	hh = (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
	mm = (s[i + 4] - '0') * 10 + (s[i + 5] - '0');
	return hh <= 24 && mm <= 60;
}

/* --- the parser ---------------------------------------------------------- */

struct anchor {
	struct rg_str name; /* first: the key set reads it */
	struct rg_node *node;
	struct rg_str text; /* source text of a scalar (for keys) */
	size_t nodes;	    /* nodes in the subtree */
	uint32_t height;    /* 0 for a scalar */
	bool complete;
};

struct merge {
	size_t at; /* explicit pairs before the << */
	struct rg_node *src;
};

struct frame {
	struct rg_node *node;
	struct anchor *anchor; /* being defined by this collection */
	size_t nodes;
	uint32_t height;
	/* mappings: the pending key */
	bool have_key, key_merge, key_nonstr;
	struct rg_str key;
	struct rg_pos key_pos;
	struct merge *merges;
	size_t nmerges, amerges;
};

struct parser {
	struct rg_arena *a;
	const char *file;
	const char *data;
	unsigned flags;
	struct rg_err *err;
	yaml_parser_t yp;
	struct frame *stack;
	size_t depth, astack;
	struct anchor **anchors;
	size_t nanchors, aanchors;
	struct keyset anchor_set;
	size_t nodes, alias_nodes;
	bool placing_alias; /* the node being placed is an alias's copy */
	struct rg_node *root;
	bool root_empty;
	struct rg_docs docs;
	size_t adocs;
};

static struct rg_pos mark_pos(struct parser *p, yaml_mark_t m)
{
	struct rg_pos pos = {p->file, (uint32_t)m.line + 1,
			     (uint32_t)m.column + 1};

	return pos;
}

static int fail(struct parser *p, int code, yaml_mark_t m, const char *fmt, ...)
    RG_PRINTF(4, 5);

static int fail(struct parser *p, int code, yaml_mark_t m, const char *fmt, ...)
{
	struct rg_pos pos = mark_pos(p, m);
	va_list ap;

	va_start(ap, fmt);
	rg_err_vset(p->err, code, &pos, fmt, ap);
	va_end(ap);
	return code;
}

/*
 * Reject NUL bytes and invalid UTF-8 before libyaml sees the input, with
 * the position of the first bad byte (columns count characters, as
 * libyaml's marks do).
 */
/* The same checks as check_bytes, without positions: the common case. */
static bool bytes_ok(const char *data, size_t len)
{
	const uint8_t *s = (const uint8_t *)data;
	const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;

	for (size_t i = 0; i < len; i++) {
		uint8_t c;
		uint32_t cp;
		size_t need;

		/* eight ASCII bytes, none of them NUL, at a time */
		while (len - i >= 8) {
			uint64_t w;

			memcpy(&w, s + i, 8);
			if ((w & high) || ((w - ones) & ~w & high))
				break;
			i += 8;
		}
		if (i == len)
			break;
		c = s[i];
		if (c && c < 0x80)
			continue;
		if (c >= 0xc2 && c <= 0xdf)
			need = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3, cp = c & 0x07;
		else
			return false;
		if (len - i - 1 < need)
			return false;
		for (size_t k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += need;
	}
	return true;
}

static int check_bytes(struct parser *p, const char *data, size_t len)
{
	const uint8_t *s = (const uint8_t *)data;
	yaml_mark_t m = {0, 0, 0};
	size_t i = 0;

	while (i < len) {
		uint8_t c = s[i];
		size_t need = 0;
		uint32_t cp = 0, min = 0;

		if (c == 0)
			return fail(p, RG_EPARSE, m,
				    "NUL byte in YAML input (binary file?)");
		if (c < 0x80) {
			need = 0;
		} else if (c >= 0xc2 && c <= 0xdf) {
			need = 1, cp = c & 0x1f, min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2, cp = c & 0x0f, min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3, cp = c & 0x07, min = 0x10000;
		} else {
			goto bad;
		}
		if (len - i - 1 < need)
			goto bad;
		for (size_t k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				goto bad;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (need && (cp < min || cp > 0x10ffff ||
			     (cp >= 0xd800 && cp <= 0xdfff)))
			goto bad;
		if (c == '\n' ||
		    (c == '\r' && (i + 1 == len || s[i + 1] != '\n'))) {
			m.line++;
			m.column = 0;
		} else if (c != '\r') {
			m.column++;
		}
		i += need + 1;
	}
	return 0;
bad:
	return fail(p, RG_EPARSE, m, "invalid UTF-8 byte 0x%02x in YAML input",
		    s[i]);
}

static yaml_mark_t offset_mark(const char *data, size_t off)
{
	yaml_mark_t m = {off, 0, 0};

	for (size_t i = 0; i < off; i++) {
		if (data[i] == '\n') {
			m.line++;
			m.column = 0;
		} else if (((uint8_t)data[i] & 0xc0) != 0x80) {
			m.column++;
		}
	}
	return m;
}

static int yaml_error(struct parser *p)
{
	yaml_parser_t *y = &p->yp;
	const char *problem = y->problem ? y->problem : "malformed YAML";

	if (y->error == YAML_MEMORY_ERROR)
		RG_BUG("libyaml ran out of memory");
	if (y->error == YAML_READER_ERROR) {
		/* reader errors carry a byte offset, not a mark */
		yaml_mark_t m = offset_mark(p->data, y->problem_offset);

		return fail(p, RG_EPARSE, m, "%s", problem);
	}
	if (y->context && y->context_mark.line != y->problem_mark.line)
		return fail(p, RG_EPARSE, y->problem_mark,
			    "%s %s started at line %zu", problem, y->context,
			    y->context_mark.line + 1);
	if (y->context)
		return fail(p, RG_EPARSE, y->problem_mark, "%s %s", problem,
			    y->context);
	return fail(p, RG_EPARSE, y->problem_mark, "%s", problem);
}

static int count_nodes(struct parser *p, size_t n, yaml_mark_t m)
{
	if (n > RG_CAP_YAML_NODES - p->nodes)
		return fail(
		    p, RG_ELIMIT, m,
		    "YAML stream has more than %u nodes (RG_CAP_YAML_NODES)",
		    RG_CAP_YAML_NODES);
	p->nodes += n;
	return 0;
}

static const char *tag_name(const char *tag)
{
	size_t pl = strlen(TAG_PREFIX);

	return tag && strncmp(tag, TAG_PREFIX, pl) == 0 ? tag + pl : NULL;
}

/* Go's base64.StdEncoding.DecodeString (ignoring \r and \n). */
static bool base64_decode(struct rg_arena *a, const char *s, size_t n,
			  struct rg_str *out)
{
	char *buf = rg_arena_alloc(a, n / 4 * 3 + 4);
	size_t k = 0, q = 0, pad = 0;
	uint32_t acc = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int v;

		if (c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			pad++;
			acc <<= 6;
			q++;
		} else {
			if (pad)
				return false;
			if (c >= 'A' && c <= 'Z')
				v = c - 'A';
			else if (c >= 'a' && c <= 'z')
				v = c - 'a' + 26;
			else if (c >= '0' && c <= '9')
				v = c - '0' + 52;
			else if (c == '+')
				v = 62;
			else if (c == '/')
				v = 63;
			else
				return false;
			acc = acc << 6 | (uint32_t)v;
			q++;
		}
		if (q == 4) {
			if (pad > 2)
				return false;
			buf[k++] = (char)(acc >> 16);
			if (pad < 2)
				buf[k++] = (char)(acc >> 8);
			if (pad < 1)
				buf[k++] = (char)acc;
			q = 0;
			acc = 0;
		}
	}
	if (q != 0)
		return false;
	buf[k] = '\0';
	out->ptr = buf;
	out->len = k;
	return true;
}

static const char *rtag_name(enum rg_doc_rtag t)
{
	static const char *const names[] = {"str",   "null",	  "bool", "int",
					    "float", "timestamp", "merge"};

	return (size_t)t < RG_ARRAY_SIZE(names) ? names[t] : "str";
}

static int set_resolved(struct parser *p, struct rg_node *n, enum rg_doc_rtag t,
			const struct rg_doc_scalar *v, const char *val,
			size_t len)
{
	switch (t) {
	case RG_RTAG_NULL:
		n->kind = RG_NULL;
		break;
	case RG_RTAG_BOOL:
		n->kind = RG_BOOL;
		n->u.b = v->b;
		break;
	case RG_RTAG_INT:
		n->kind = RG_INT;
		n->u.i = v->i;
		break;
	case RG_RTAG_FLOAT:
		n->kind = RG_FLOAT;
		n->u.f = v->f;
		if (v->intlike)
			n->flags |= RG_NODE_FLOAT_INTLIKE;
		break;
	default:
		n->kind = RG_STR;
		n->u.s.ptr = rg_arena_strndup(p->a, val, len);
		n->u.s.len = len;
		break;
	}
	return 0;
}

/*
 * Turn a scalar event into a node, go-yaml style: untagged plain scalars
 * are resolved, quoted ones are strings, core tags force a type.
 */
static int scalar_node(struct parser *p, yaml_event_t *ev, struct rg_node **out)
{
	const char *val = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	const char *tn = tag_name(tag);
	struct rg_node *n = rg_node_new(p->a, RG_STR);
	struct rg_doc_scalar v;
	enum rg_doc_rtag t;
	int ret = 0;

	n->pos = mark_pos(p, ev->start_mark);
	if (!tag && !ev->data.scalar.plain_implicit) {
		n->flags |= RG_NODE_QUOTED;
		set_resolved(p, n, RG_RTAG_STR, NULL, val, len);
		goto out;
	}
	if (tag && !tn) {
		/* local or non-specific tag: go-yaml keeps the text */
		set_resolved(p, n, RG_RTAG_STR, NULL, val, len);
		goto out;
	}
	if (tn && (!strcmp(tn, "str") || !strcmp(tn, "timestamp"))) {
		n->flags |= RG_NODE_QUOTED;
		set_resolved(p, n, RG_RTAG_STR, NULL, val, len);
		goto out;
	}
	if (tn && !strcmp(tn, "binary")) {
		n->flags |= RG_NODE_QUOTED;
		if (!base64_decode(p->a, val, len, &n->u.s)) {
			ret =
			    fail(p, RG_EPARSE, ev->start_mark,
				 "!!binary value contains invalid base64 data");
			goto out;
		}
		goto out;
	}
	t = rg_doc_resolve(&v, val, len, p->flags);
	if (t == RG_RTAG_MERGE || t == RG_RTAG_TIMESTAMP)
		t = RG_RTAG_STR;
	if (tn && !strcmp(tn, "float") && t == RG_RTAG_INT) {
		v.f = (double)v.i;
		v.intlike = true;
		t = RG_RTAG_FLOAT;
	}
	if (tn && strcmp(tn, "merge") != 0 && strcmp(tn, rtag_name(t)) != 0) {
		ret = fail(p, RG_EPARSE, ev->start_mark,
			   "cannot decode !!%s `%.*s` as a !!%s", rtag_name(t),
			   (int)(len > 80 ? 80 : len), val, tn);
		goto out;
	}
	set_resolved(p, n, t, &v, val, len);
out:
	*out = n;
	return ret;
}

/* A pending key from a scalar event: its text, and whether it is '<<'. */
static int scalar_key(struct parser *p, struct frame *f, yaml_event_t *ev)
{
	const char *val = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	const char *tn = tag_name((const char *)ev->data.scalar.tag);
	struct rg_node *n = NULL;
	int ret;

	f->key_merge = ev->data.scalar.plain_implicit && !ev->data.scalar.tag &&
		       streq(val, len, "<<");
	f->key_merge |= tn && !strcmp(tn, "merge");
	ret = scalar_node(p, ev, &n);
	if (ret)
		return ret;
	f->have_key = true;
	f->key_nonstr = n->kind != RG_STR;
	if (n->kind == RG_STR) {
		/* the string itself (a !!binary key is decoded) */
		f->key = n->u.s;
	} else {
		f->key.ptr = rg_arena_strndup(p->a, val, len);
		f->key.len = len;
	}
	f->key_pos = n->pos;
	return 0;
}

static struct anchor *new_anchor(struct parser *p, const char *name)
{
	struct anchor *an = rg_arena_alloc(p->a, sizeof(*an));

	an->name.ptr = rg_arena_strdup(p->a, name);
	an->name.len = strlen(name);
	RG_ALLOC_GROW(p->anchors, p->nanchors + 1, p->aanchors);
	p->anchors[p->nanchors++] = an;
	keyset_put(&p->anchor_set, &an->name);
	return an;
}

static struct anchor *find_anchor(struct parser *p, const char *name)
{
	struct rg_str key = {name, strlen(name)};
	const struct rg_str *hit = keyset_get(&p->anchor_set, &key);

	return hit ? (struct anchor *)(uintptr_t)hit : NULL;
}

/*
 * Place a finished node (with its subtree size and height) into the open
 * collection on top of the stack, or make it the document root.
 */
static int place(struct parser *p, struct rg_node *n, size_t nodes,
		 uint32_t height, yaml_mark_t m)
{
	struct frame *f;

	if (!p->depth) {
		p->root = n;
		return 0;
	}
	f = &p->stack[p->depth - 1];
	f->nodes += nodes;
	if (height + 1 > f->height)
		f->height = height + 1;
	if (f->node->kind == RG_SEQ) {
		rg_seq_push(p->a, f->node, n);
		return 0;
	}
	if (f->key_merge) {
		bool ok = n->kind == RG_MAP;

		/* go-yaml takes a list of maps inline only, not through an
		 * alias */
		if (n->kind == RG_SEQ && !p->placing_alias) {
			ok = true;
			for (size_t i = 0; i < n->u.seq.len; i++)
				ok &= n->u.seq.items[i]->kind == RG_MAP;
		}
		if (!ok)
			return fail(p, RG_EPARSE, m,
				    "map merge requires map or sequence of "
				    "maps as the value");
		RG_ALLOC_GROW(f->merges, f->nmerges + 1, f->amerges);
		f->merges[f->nmerges].at = f->node->u.map.len;
		f->merges[f->nmerges++].src = n;
	} else {
		struct rg_pair pr = {f->key, f->key_pos, n};

		if (f->key_nonstr)
			n->flags |= RG_NODE_KEY_NONSTR;
		map_append(p->a, f->node, &pr);
	}
	f->have_key = false;
	f->key_merge = false;
	return 0;
}

static int key_from_alias(struct parser *p, struct frame *f, struct anchor *an,
			  yaml_mark_t m)
{
	if (an->node->kind == RG_SEQ || an->node->kind == RG_MAP)
		return fail(p, RG_EPARSE, m,
			    "invalid map key: a %s (alias *%s)",
			    rg_kind_name(an->node->kind), an->name.ptr);
	f->have_key = true;
	f->key_merge = false;
	f->key_nonstr = an->node->kind != RG_STR;
	f->key = an->text;
	f->key_pos = mark_pos(p, m);
	return 0;
}

static int alias_event(struct parser *p, yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	struct anchor *an = find_anchor(p, name);
	struct frame *f = p->depth ? &p->stack[p->depth - 1] : NULL;
	struct rg_node *copy;
	int ret;

	if (!an)
		return fail(p, RG_EPARSE, ev->start_mark,
			    "unknown anchor '%s' referenced", name);
	if (!an->complete)
		return fail(p, RG_EPARSE, ev->start_mark,
			    "anchor '%s' value contains itself", name);
	if (f && f->node->kind == RG_MAP && !f->have_key)
		return key_from_alias(p, f, an, ev->start_mark);
	if (p->depth + an->height > RG_CAP_YAML_DEPTH)
		return fail(p, RG_ELIMIT, ev->start_mark,
			    "YAML nesting deeper than %u levels "
			    "(RG_CAP_YAML_DEPTH) through alias *%s",
			    RG_CAP_YAML_DEPTH, name);
	if (an->nodes > RG_CAP_YAML_ALIAS_NODES - p->alias_nodes)
		return fail(p, RG_ELIMIT, ev->start_mark,
			    "YAML aliases expand to more than %u nodes "
			    "(RG_CAP_YAML_ALIAS_NODES)",
			    RG_CAP_YAML_ALIAS_NODES);
	p->alias_nodes += an->nodes;
	ret = count_nodes(p, an->nodes, ev->start_mark);
	if (ret)
		return ret;
	copy = rg_node_clone(p->a, an->node);
	copy->flags &= (uint8_t)~RG_NODE_KEY_NONSTR;
	p->placing_alias = true;
	ret = place(p, copy, an->nodes, an->height, ev->start_mark);
	p->placing_alias = false;
	return ret;
}

static int scalar_event(struct parser *p, yaml_event_t *ev)
{
	struct frame *f = p->depth ? &p->stack[p->depth - 1] : NULL;
	const char *anchor = (const char *)ev->data.scalar.anchor;
	struct rg_node *n = NULL;
	int ret;

	if (ev->data.scalar.length > RG_CAP_YAML_SCALAR_BYTES)
		return fail(p, RG_ELIMIT, ev->start_mark,
			    "YAML scalar of %zu bytes is over %u "
			    "(RG_CAP_YAML_SCALAR_BYTES)",
			    ev->data.scalar.length, RG_CAP_YAML_SCALAR_BYTES);
	ret = scalar_node(p, ev, &n);
	if (ret)
		return ret;
	if (anchor) {
		struct anchor *an = new_anchor(p, anchor);

		an->node = n;
		an->text.ptr =
		    rg_arena_strndup(p->a, (const char *)ev->data.scalar.value,
				     ev->data.scalar.length);
		an->text.len = ev->data.scalar.length;
		an->nodes = 1;
		an->complete = true;
	}
	if (f && f->node->kind == RG_MAP && !f->have_key)
		return scalar_key(p, f, ev);
	ret = count_nodes(p, 1, ev->start_mark);
	if (ret)
		return ret;
	if (!p->depth && !anchor && !ev->data.scalar.tag &&
	    !ev->data.scalar.length && ev->data.scalar.plain_implicit)
		p->root_empty = true;
	return place(p, n, 1, 0, ev->start_mark);
}

static int start_event(struct parser *p, yaml_event_t *ev, enum rg_kind kind)
{
	const char *anchor = kind == RG_MAP
				 ? (const char *)ev->data.mapping_start.anchor
				 : (const char *)ev->data.sequence_start.anchor;
	struct frame *f = p->depth ? &p->stack[p->depth - 1] : NULL;
	struct frame *nf;
	int ret;

	if (f && f->node->kind == RG_MAP && !f->have_key)
		return fail(
		    p, RG_EPARSE, ev->start_mark,
		    "invalid map key: a %s (rendergate keys are strings)",
		    rg_kind_name(kind));
	if (p->depth >= RG_CAP_YAML_DEPTH)
		return fail(
		    p, RG_ELIMIT, ev->start_mark,
		    "YAML nesting deeper than %u levels (RG_CAP_YAML_DEPTH)",
		    RG_CAP_YAML_DEPTH);
	ret = count_nodes(p, 1, ev->start_mark);
	if (ret)
		return ret;
	RG_ALLOC_GROW(p->stack, p->depth + 1, p->astack);
	nf = &p->stack[p->depth++];
	memset(nf, 0, sizeof(*nf));
	nf->node = rg_node_new(p->a, kind);
	nf->node->pos = mark_pos(p, ev->start_mark);
	nf->nodes = 1;
	if (anchor) {
		nf->anchor = new_anchor(p, anchor);
		nf->anchor->node = nf->node;
	}
	return 0;
}

/* Duplicate keys: an error naming both lines, or (flag) the last wins. */
static int check_dups(struct parser *p, struct rg_node *map)
{
	struct keyset set = KEYSET_INIT;
	size_t k = 0;
	int ret = 0;

	for (size_t i = 0; i < map->u.map.len; i++) {
		struct rg_pair *pr = &map->u.map.items[i];
		const struct rg_str *hit = keyset_get(&set, &pr->key);

		if (!hit) {
			map->u.map.items[k] = *pr;
			keyset_put(&set, &map->u.map.items[k].key);
			k++;
			continue;
		}
		if (!(p->flags & RG_PARSE_DUP_KEYS_OK)) {
			const struct rg_pair *first =
			    (const struct rg_pair *)(uintptr_t)hit;

			rg_err_set(
			    p->err, RG_EPARSE, &pr->key_pos,
			    "mapping key \"%.*s\" already defined at line %u",
			    (int)(pr->key.len > 80 ? 80 : pr->key.len),
			    pr->key.ptr, first->key_pos.line);
			ret = RG_EPARSE;
			goto out;
		}
		((struct rg_pair *)(uintptr_t)hit)->val = pr->val;
	}
	if (k != map->u.map.len && idx_of(map)) {
		map->u.map.len = k;
		idx_fill(idx_of(map), map);
	}
	map->u.map.len = k;
out:
	keyset_release(&set);
	return ret;
}

static void merge_one(struct parser *p, struct keyset *set, struct rg_node *dst,
		      const struct rg_node *src)
{
	for (size_t i = 0; i < src->u.map.len; i++) {
		const struct rg_pair *sp = &src->u.map.items[i];

		if (keyset_get(set, &sp->key))
			continue;
		map_append(p->a, dst, sp);
		keyset_put(set, &sp->key);
	}
}

/*
 * Apply << merges: keys written in the mapping win, then earlier merged
 * maps over later ones; merged keys take the place of the << entry.
 */
static void apply_merges(struct parser *p, struct frame *f)
{
	struct rg_node *map = f->node;
	struct rg_node *out = rg_node_map(p->a);
	struct keyset set = KEYSET_INIT;
	size_t m = 0;

	for (size_t i = 0; i < map->u.map.len; i++)
		keyset_put(&set, &map->u.map.items[i].key);
	for (size_t i = 0; i <= map->u.map.len; i++) {
		for (; m < f->nmerges && f->merges[m].at == i; m++) {
			const struct rg_node *src = f->merges[m].src;

			if (src->kind == RG_MAP) {
				merge_one(p, &set, out, src);
				continue;
			}
			for (size_t j = 0; j < src->u.seq.len; j++)
				merge_one(p, &set, out, src->u.seq.items[j]);
		}
		if (i < map->u.map.len)
			map_append(p->a, out, &map->u.map.items[i]);
	}
	map->u.map = out->u.map;
	keyset_release(&set);
}

static int end_event(struct parser *p, yaml_event_t *ev)
{
	struct frame f = p->stack[--p->depth];
	int ret = 0;

	if (f.node->kind == RG_MAP) {
		/* merged keys never repeat a written one, so merge first */
		if (f.nmerges)
			apply_merges(p, &f);
		ret = check_dups(p, f.node);
		if (ret)
			goto out;
	}
	if (f.anchor) {
		f.anchor->nodes = f.nodes;
		f.anchor->height = f.height ? f.height : 1;
		f.anchor->complete = true;
	}
	ret =
	    place(p, f.node, f.nodes, f.height ? f.height : 1, ev->start_mark);
out:
	free(f.merges);
	return ret;
}

static void end_document(struct parser *p)
{
	if (p->root_empty) {
		p->docs.empty_docs++;
	} else {
		if (p->docs.len == p->adocs) {
			size_t na = p->adocs ? p->adocs * 2 : 4;

			p->docs.docs =
			    rg_arena_grow(p->a, p->docs.docs, p->docs.len, na,
					  sizeof(*p->docs.docs));
			p->adocs = na;
		}
		p->docs.docs[p->docs.len++] = p->root;
	}
	p->root = NULL;
	p->root_empty = false;
	p->nanchors = 0;
	keyset_release(&p->anchor_set);
}

static int handle_event(struct parser *p, yaml_event_t *ev, size_t *ndocs)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++*ndocs > RG_CAP_YAML_DOCS)
			return fail(p, RG_ELIMIT, ev->start_mark,
				    "YAML stream has more than %u documents "
				    "(RG_CAP_YAML_DOCS)",
				    RG_CAP_YAML_DOCS);
		return 0;
	case YAML_DOCUMENT_END_EVENT:
		end_document(p);
		return 0;
	case YAML_SCALAR_EVENT:
		return scalar_event(p, ev);
	case YAML_ALIAS_EVENT:
		return alias_event(p, ev);
	case YAML_SEQUENCE_START_EVENT:
		return start_event(p, ev, RG_SEQ);
	case YAML_MAPPING_START_EVENT:
		return start_event(p, ev, RG_MAP);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return end_event(p, ev);
	default:
		return 0;
	}
}

static bool only_blank(const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (data[i] != ' ' && data[i] != '\t' && data[i] != '\n' &&
		    data[i] != '\r')
			return false;
	return true;
}

static bool json_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * JSON allows tabs around the value; YAML does not at the start of a line
 * in block context. Tabs before the first and after the last token become
 * spaces in a copy (same length, so positions stay right); the caller
 * frees *copy.
 */
static const char *json_outer_tabs(const char *data, size_t len, char **copy)
{
	size_t head = 0, tail = len;
	bool tab = false;

	for (; head < len && json_space(data[head]); head++)
		tab |= data[head] == '\t';
	for (; tail > head && json_space(data[tail - 1]); tail--)
		tab |= data[tail - 1] == '\t';
	if (!tab)
		return data;
	*copy = rg_xmalloc(len + 1);
	memcpy(*copy, data, len);
	for (size_t k = 0; k < len; k++)
		if ((k < head || k >= tail) && (*copy)[k] == '\t')
			(*copy)[k] = ' ';
	return *copy;
}

/*
 * Replay the events rg_yfast_scan recorded through the handlers libyaml's
 * events go to, as libyaml would have delivered them.
 */
static int replay(struct parser *p, const struct rg_yfast *y, size_t *ndocs)
{
	static const yaml_event_type_t types[] = {
		[RG_YF_DOC_START] = YAML_DOCUMENT_START_EVENT,
		[RG_YF_DOC_END] = YAML_DOCUMENT_END_EVENT,
		[RG_YF_MAP_START] = YAML_MAPPING_START_EVENT,
		[RG_YF_MAP_END] = YAML_MAPPING_END_EVENT,
		[RG_YF_SEQ_START] = YAML_SEQUENCE_START_EVENT,
		[RG_YF_SEQ_END] = YAML_SEQUENCE_END_EVENT,
		[RG_YF_SCALAR] = YAML_SCALAR_EVENT,
	};
	static const yaml_scalar_style_t styles[] = {
		[RG_YF_PLAIN] = YAML_PLAIN_SCALAR_STYLE,
		[RG_YF_SINGLE] = YAML_SINGLE_QUOTED_SCALAR_STYLE,
		[RG_YF_DOUBLE] = YAML_DOUBLE_QUOTED_SCALAR_STYLE,
		[RG_YF_LITERAL] = YAML_LITERAL_SCALAR_STYLE,
		[RG_YF_FOLDED] = YAML_FOLDED_SCALAR_STYLE,
	};

	for (size_t i = 0; i < y->nev; i++) {
		const struct rg_yfast_event *e = &y->ev[i];
		yaml_event_t ev;
		int ret;

		memset(&ev, 0, sizeof(ev));
		ev.type = types[e->type];
		ev.start_mark.line = e->line;
		ev.start_mark.column = e->col;
		ev.end_mark = ev.start_mark;
		switch (e->type) {
		case RG_YF_SCALAR:
			ev.data.scalar.value =
			    (yaml_char_t *)(y->strs.ptr + e->off);
			ev.data.scalar.length = e->len;
			ev.data.scalar.plain_implicit = e->style == RG_YF_PLAIN;
			ev.data.scalar.quoted_implicit = e->style != RG_YF_PLAIN;
			ev.data.scalar.style = styles[e->style];
			break;
		case RG_YF_MAP_START:
			ev.data.mapping_start.implicit = 1;
			ev.data.mapping_start.style =
			    e->style ? YAML_FLOW_MAPPING_STYLE
				     : YAML_BLOCK_MAPPING_STYLE;
			break;
		case RG_YF_SEQ_START:
			ev.data.sequence_start.implicit = 1;
			ev.data.sequence_start.style =
			    e->style ? YAML_FLOW_SEQUENCE_STYLE
				     : YAML_BLOCK_SEQUENCE_STYLE;
			break;
		case RG_YF_DOC_START:
			ev.data.document_start.implicit = 1;
			break;
		case RG_YF_DOC_END:
			ev.data.document_end.implicit = 1;
			break;
		}
		ret = handle_event(p, &ev, ndocs);
		if (ret)
			return ret;
	}
	return 0;
}

int rg_doc_parse(struct rg_docs *out, struct rg_arena *a, const char *file,
		 const char *data, size_t len, unsigned flags,
		 struct rg_err *err)
{
	struct parser p;
	char *copy = NULL;
	size_t ndocs = 0;
	bool done = false, yp = false;
	int ret;

	memset(&p, 0, sizeof(p));
	p.a = a;
	p.file = file ? rg_arena_strdup(a, file) : NULL;
	p.flags = flags;
	p.data = data;
	p.err = err;
	if (!(flags & (RG_PARSE_JSON | RG_PARSE_NO_FAST))) {
		struct rg_yfast y = RG_YFAST_INIT;

		/*
		 * yfast takes only bytes bytes_ok accepts (printable ASCII,
		 * newlines, UTF-8 without controls), so what it takes is
		 * not checked a second time
		 */
		if (rg_yfast_scan(&y, data, len)) {
			ret = replay(&p, &y, &ndocs);
			rg_yfast_release(&y);
			if (ret)
				goto out;
			goto done;
		}
		rg_yfast_release(&y);
	}
	ret = bytes_ok(data, len) ? 0 : check_bytes(&p, data, len);
	if (ret)
		goto out;
	if (flags & RG_PARSE_JSON)
		data = json_outer_tabs(data, len, &copy);
	if (!yaml_parser_initialize(&p.yp))
		RG_BUG("yaml_parser_initialize failed");
	yp = true;
	yaml_parser_set_encoding(&p.yp, YAML_UTF8_ENCODING);
	yaml_parser_set_input_string(&p.yp, (const unsigned char *)data, len);
	while (!done) {
		yaml_event_t ev;

		if (!yaml_parser_parse(&p.yp, &ev)) {
			ret = yaml_error(&p);
			goto out;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		ret = handle_event(&p, &ev, &ndocs);
		yaml_event_delete(&ev);
		if (ret)
			goto out;
	}
done:
	/* a stream of nothing but comments is one (empty) document */
	if (!ndocs && !only_blank(data, len))
		p.docs.empty_docs++;
	*out = p.docs;
out:
	for (size_t i = 0; i < p.depth; i++)
		free(p.stack[i].merges);
	free(p.stack);
	free(p.anchors);
	keyset_release(&p.anchor_set);
	if (yp)
		yaml_parser_delete(&p.yp);
	free(copy);
	return ret;
}

int rg_doc_parse_one(struct rg_node **out, struct rg_arena *a, const char *file,
		     const char *data, size_t len, unsigned flags,
		     struct rg_err *err)
{
	struct rg_docs docs;
	int ret = rg_doc_parse(&docs, a, file, data, len, flags, err);

	if (ret)
		return ret;
	if (docs.len > 1) {
		struct rg_pos pos = docs.docs[1]->pos;

		return rg_err_set(err, RG_EPARSE, &pos,
				  "expected one YAML document, found %zu",
				  docs.len);
	}
	*out = docs.len ? docs.docs[0] : rg_node_null(a);
	return 0;
}
