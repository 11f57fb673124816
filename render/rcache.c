/*
 * rcache.c - the render cache of one gate run (see rcache.h).
 */
#include "rendergate/rcache.h"

#include <string.h>

#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/doc.h"
#include "rendergate/finding.h"
#include "rendergate/helm.h"
#include "rendergate/objects.h"
#include "rendergate/tree.h"

struct entry {
	const void *key;
	struct rg_tree_dep *deps;
	size_t ndeps;
	struct rg_obj *objs;
	size_t nobjs;
	struct rg_finding *findings;
	size_t nfindings;
	size_t bytes_read; /* what the render charged to the tree */
	bool fetched;	   /* decoded from the store */
	struct entry *next; /* same bucket, newest first */
};

/* A key whose stored entries were fetched, or a config's scope. */
struct tag {
	const void *ptr;
	const char *scope; /* NULL for a fetched key */
	struct tag *next;
};

/* Buckets by key address; a run holds a few hundred releases. */
#define NBUCKETS 256

struct rg_rcache {
	struct rg_arena *arena;
	struct entry *buckets[NBUCKETS];
	size_t nentries;
	struct rg_rcache_stats stats;
	struct rg_helm_memo *helm_memo; /* made on first use */
	struct rg_rcache_store store;	/* store.load NULL: none */
	struct tag *scopes, *fetched;
	/* the tree of the last miss and its bytes read then (for put) */
	const struct rg_tree *miss_tree;
	size_t miss_bytes;
};

static size_t bucket(const void *key)
{
	uintptr_t k = (uintptr_t)key;

	return (size_t)((k >> 4) ^ (k >> 12)) % NBUCKETS;
}

struct rg_rcache *rg_rcache_new(struct rg_arena *a)
{
	struct rg_rcache *c = rg_arena_alloc(a, sizeof(*c));

	memset(c, 0, sizeof(*c));
	c->arena = a;
	return c;
}

int rg_rcache_get(struct rg_rcache *c, const void *key, struct rg_tree *tree,
		  struct rg_objset *out, struct rg_findings *findings,
		  struct rg_err *err)
{
	const struct entry *e = NULL;
	int rc = RG_ENOTFOUND;

	if (!c)
		goto out;
	/* an entry the read budget cannot pay for renders, to fail as that
	   does (RG_CAP_RENDER_READ_BYTES) */
	for (e = c->buckets[bucket(key)]; e; e = e->next)
		if (e->key == key &&
		    e->bytes_read <=
			RG_CAP_RENDER_READ_BYTES - tree->bytes_read &&
		    rg_tree_deps_hold(tree, e->deps, e->ndeps,
				      &c->stats.deps_checked))
			break;
	if (!e) {
		c->stats.misses++;
		c->miss_tree = tree;
		c->miss_bytes = tree->bytes_read;
		goto out;
	}
	tree->bytes_read += e->bytes_read;
	c->stats.hits++;
	if (e->fetched)
		c->stats.stored_hits++;
	rc = 0;
	for (size_t i = 0; i < e->nobjs && !rc; i++)
		rc = rg_objset_add(out, &e->objs[i], err);
	for (size_t i = 0; i < e->nfindings; i++) {
		const struct rg_finding *f = &e->findings[i];
		struct rg_finding *nf =
		    rg_finding_add(findings, (enum rg_severity)f->severity,
				   f->rule, &f->origin, "%s", f->message);

		if (nf) {
			nf->env = f->env;
			nf->object = f->object;
			nf->hint = f->hint;
		}
	}
	for (size_t i = 0; i < e->ndeps; i++)
		rg_tree_deps_add(tree, &e->deps[i]);
out:
	return rc;
}

static struct entry *new_entry(struct rg_rcache *c, const void *key)
{
	struct entry *e;
	size_t b;

	if (c->nentries >= RG_CAP_RCACHE_ENTRIES) {
		c->stats.dropped++;
		return NULL;
	}
	e = rg_arena_calloc(c->arena, 1, sizeof(*e));
	e->key = key;
	b = bucket(key);
	e->next = c->buckets[b];
	c->buckets[b] = e;
	c->nentries++;
	return e;
}

void rg_rcache_put(struct rg_rcache *c, const void *key,
		   const struct rg_tree_dep *deps, size_t ndeps,
		   const struct rg_obj *objs, size_t nobjs,
		   const struct rg_finding *f, size_t nf)
{
	struct entry *e;

	if (!c)
		return;
	e = new_entry(c, key);
	if (!e)
		return;
	e->ndeps = ndeps;
	e->nobjs = nobjs;
	e->nfindings = nf;
	if (c->miss_tree)
		e->bytes_read = c->miss_tree->bytes_read - c->miss_bytes;
	c->miss_tree = NULL;
	if (ndeps) {
		e->deps = rg_arena_alloc(c->arena, ndeps * sizeof(*deps));
		for (size_t i = 0; i < ndeps; i++) {
			e->deps[i] = deps[i];
			e->deps[i].path =
			    rg_arena_strdup(c->arena, deps[i].path);
		}
	}
	if (nobjs) {
		e->objs = rg_arena_alloc(c->arena, nobjs * sizeof(*objs));
		memcpy(e->objs, objs, nobjs * sizeof(*objs));
	}
	if (nf) {
		e->findings = rg_arena_alloc(c->arena, nf * sizeof(*f));
		memcpy(e->findings, f, nf * sizeof(*f));
	}
	c->stats.puts++;
}

/* --- the stored form ------------------------------------------------- */

#define MAGIC "RGRC"
#define FORMAT 1
#define MAX_DEPTH (2 * RG_CAP_YAML_DEPTH)

uint64_t rg_rcache_checksum(const char *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 29;
	}
	for (; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3ull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

struct enc {
	struct rg_buf *b;
	int rc;
	/* file names of positions: 1-based index of the earlier copy */
	const char *files[64];
	size_t nfiles;
	/* pointers seen, by address: the same names come in many copies */
	const char *seen[256];
	uint32_t seen_ref[256];
};

static void put_bytes(struct enc *e, const void *p, size_t n)
{
	if (!e->rc)
		e->rc = rg_buf_add(e->b, p, n);
}

static void put_u8(struct enc *e, unsigned v)
{
	unsigned char c = (unsigned char)v;

	put_bytes(e, &c, 1);
}

static void put_u32(struct enc *e, uint64_t v)
{
	unsigned char c[4];

	if (v > UINT32_MAX) {
		e->rc = RG_ELIMIT;
		return;
	}
	for (int i = 0; i < 4; i++)
		c[i] = (unsigned char)(v >> (8 * i));
	put_bytes(e, c, 4);
}

static void put_u64(struct enc *e, uint64_t v)
{
	unsigned char c[8];

	for (int i = 0; i < 8; i++)
		c[i] = (unsigned char)(v >> (8 * i));
	put_bytes(e, c, 8);
}

/* A string (or NULL): 0, or 1 + length, then the bytes. */
static void put_strn(struct enc *e, const char *s, size_t n)
{
	if (!s) {
		put_u32(e, 0);
		return;
	}
	put_u32(e, (uint64_t)n + 1);
	put_bytes(e, s, n);
}

static void put_str(struct enc *e, const char *s)
{
	put_strn(e, s, s ? strlen(s) : 0);
}

/* A file name: 0 NULL, k an earlier one, or new (nfiles + 1) and text. */
static void put_file(struct enc *e, const char *f)
{
	size_t i, h = ((uintptr_t)f >> 4) % RG_ARRAY_SIZE(e->seen);

	if (!f) {
		put_u32(e, 0);
		return;
	}
	if (e->seen[h] == f) {
		put_u32(e, e->seen_ref[h]);
		return;
	}
	for (i = 0; i < e->nfiles; i++)
		if (e->files[i] == f || !strcmp(e->files[i], f)) {
			e->seen[h] = f;
			e->seen_ref[h] = (uint32_t)i + 1;
			put_u32(e, i + 1);
			return;
		}
	if (e->nfiles == RG_ARRAY_SIZE(e->files)) {
		put_u32(e, UINT32_MAX); /* inline, not remembered */
		put_str(e, f);
		return;
	}
	e->files[e->nfiles++] = f;
	put_u32(e, e->nfiles);
	put_str(e, f);
}

static void put_pos(struct enc *e, const struct rg_pos *p)
{
	put_file(e, p->file);
	put_u32(e, p->line);
	put_u32(e, p->col);
}

static void put_node(struct enc *e, const struct rg_node *n, unsigned depth)
{
	uint64_t bits;

	if (depth > MAX_DEPTH) {
		e->rc = RG_ELIMIT;
		return;
	}
	if (!n) {
		put_u8(e, 0xff);
		return;
	}
	put_u8(e, n->kind);
	put_u8(e, n->flags);
	put_u8(e, n->tag);
	put_pos(e, &n->pos);
	switch (n->kind) {
	case RG_BOOL:
		put_u8(e, n->u.b);
		break;
	case RG_INT:
		put_u64(e, (uint64_t)n->u.i);
		break;
	case RG_FLOAT:
		memcpy(&bits, &n->u.f, 8);
		put_u64(e, bits);
		break;
	case RG_STR:
		put_strn(e, n->u.s.ptr, n->u.s.len);
		break;
	case RG_SEQ:
		put_u32(e, n->u.seq.len);
		for (size_t i = 0; i < n->u.seq.len && !e->rc; i++)
			put_node(e, n->u.seq.items[i], depth + 1);
		break;
	case RG_MAP:
		put_u32(e, n->u.map.len);
		for (size_t i = 0; i < n->u.map.len && !e->rc; i++) {
			const struct rg_pair *p = &n->u.map.items[i];

			put_strn(e, p->key.ptr, p->key.len);
			put_pos(e, &p->key_pos);
			put_node(e, p->val, depth + 1);
		}
		break;
	default:
		break;
	}
}

int rg_rcache_encode(struct rg_buf *out, const char *name, size_t bytes_read,
		     const struct rg_tree_dep *deps, size_t ndeps,
		     const struct rg_obj *objs, size_t nobjs,
		     const struct rg_finding *f, size_t nf)
{
	struct enc e;
	size_t start = out->len;

	memset(&e, 0, sizeof(e));
	e.b = out;
	/* a few hundred bytes an object: grow once, not by doubling */
	rg_buf_grow(out, nobjs < (out->cap - out->len) / 256
			     ? nobjs * 256
			     : out->cap - out->len);
	put_bytes(&e, MAGIC, 4);
	put_u8(&e, FORMAT);
	put_str(&e, name);
	put_u64(&e, bytes_read);
	put_u32(&e, ndeps);
	for (size_t i = 0; i < ndeps; i++) {
		put_str(&e, deps[i].path);
		put_u8(&e, deps[i].kind);
		put_u8(&e, deps[i].listed);
		put_str(&e, deps[i].id);
	}
	put_u32(&e, nobjs);
	for (size_t i = 0; i < nobjs && !e.rc; i++) {
		const struct rg_obj *o = &objs[i];

		put_str(&e, o->group);
		put_str(&e, o->version);
		put_str(&e, o->kind);
		put_str(&e, o->namespace);
		put_str(&e, o->name);
		put_str(&e, o->key);
		put_pos(&e, &o->origin);
		put_node(&e, o->doc, 0);
	}
	put_u32(&e, nf);
	for (size_t i = 0; i < nf; i++) {
		put_u8(&e, f[i].severity);
		put_str(&e, f[i].rule);
		put_str(&e, f[i].message);
		put_pos(&e, &f[i].origin);
		put_str(&e, f[i].env);
		put_str(&e, f[i].object);
		put_str(&e, f[i].hint);
	}
	if (!e.rc)
		put_u64(&e, rg_rcache_checksum(out->ptr + start, out->len - start));
	if (e.rc)
		rg_buf_truncate(out, start);
	return e.rc ? RG_ELIMIT : 0;
}

struct dec {
	struct rg_arena *a;
	const unsigned char *p, *end;
	bool bad;
	const char *files[64];
	size_t nfiles;
};

static inline bool need(struct dec *d, size_t n)
{
	if (d->bad || (size_t)(d->end - d->p) < n)
		d->bad = true;
	return !d->bad;
}

static inline unsigned get_u8(struct dec *d)
{
	return need(d, 1) ? *d->p++ : 0;
}

static inline uint32_t get_u32(struct dec *d)
{
	uint32_t v = 0;

	if (!need(d, 4))
		return 0;
	for (int i = 0; i < 4; i++)
		v |= (uint32_t)d->p[i] << (8 * i);
	d->p += 4;
	return v;
}

static inline uint64_t get_u64(struct dec *d)
{
	uint64_t v = 0;

	if (!need(d, 8))
		return 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)d->p[i] << (8 * i);
	d->p += 8;
	return v;
}

/* A count of items each taking at least min bytes. */
static size_t get_count(struct dec *d, size_t min)
{
	uint32_t n = get_u32(d);

	if (!d->bad && (size_t)n > (size_t)(d->end - d->p) / min)
		d->bad = true;
	return d->bad ? 0 : n;
}

static const char *get_strn(struct dec *d, size_t *len)
{
	uint32_t n = get_u32(d);
	const char *s;

	*len = 0;
	if (d->bad || !n)
		return NULL;
	if (!need(d, n - 1))
		return NULL;
	s = rg_arena_strndup(d->a, (const char *)d->p, n - 1);
	d->p += n - 1;
	*len = n - 1;
	return s;
}

static const char *get_str(struct dec *d)
{
	size_t n;

	return get_strn(d, &n);
}

static const char *get_file(struct dec *d)
{
	uint32_t k = get_u32(d);
	const char *f;

	if (d->bad || !k)
		return NULL;
	if (k == UINT32_MAX)
		return get_str(d);
	if (k <= d->nfiles)
		return d->files[k - 1];
	if (k != d->nfiles + 1 || d->nfiles == RG_ARRAY_SIZE(d->files)) {
		d->bad = true;
		return NULL;
	}
	f = get_str(d);
	if (!f)
		d->bad = true;
	d->files[d->nfiles++] = f;
	return f;
}

static inline void get_pos(struct dec *d, struct rg_pos *p)
{
	p->file = get_file(d);
	p->line = get_u32(d);
	p->col = get_u32(d);
}

static struct rg_node *get_node(struct dec *d, unsigned depth)
{
	unsigned kind = get_u8(d);
	struct rg_node *n;
	uint64_t bits;
	size_t len;

	if (d->bad || kind == 0xff || depth > MAX_DEPTH || kind > RG_MAP) {
		if (kind != 0xff || depth > MAX_DEPTH)
			d->bad = true;
		return NULL;
	}
	n = rg_node_new(d->a, (enum rg_kind)kind);
	n->flags = (uint8_t)get_u8(d);
	n->tag = (uint8_t)get_u8(d);
	get_pos(d, &n->pos);
	switch (kind) {
	case RG_BOOL:
		n->u.b = get_u8(d) != 0;
		break;
	case RG_INT:
		n->u.i = (int64_t)get_u64(d);
		break;
	case RG_FLOAT:
		bits = get_u64(d);
		memcpy(&n->u.f, &bits, 8);
		break;
	case RG_STR:
		n->u.s.ptr = get_strn(d, &len);
		n->u.s.len = len;
		if (!n->u.s.ptr)
			d->bad = true;
		break;
	case RG_SEQ: {
		size_t k = get_count(d, 1);

		for (size_t i = 0; i < k && !d->bad; i++)
			rg_seq_push(d->a, n, get_node(d, depth + 1));
		break;
	}
	case RG_MAP: {
		size_t k = get_count(d, 13);

		for (size_t i = 0; i < k && !d->bad; i++) {
			const char *key = get_strn(d, &len);
			struct rg_pos kp;
			struct rg_node *v;

			get_pos(d, &kp);
			v = get_node(d, depth + 1);
			if (!key)
				d->bad = true;
			if (d->bad)
				break;
			/* a repeated key (only from a forged entry) replaces */
			rg_map_set(d->a, n, key, len, v);
			n->u.map.items[n->u.map.len - 1].key_pos = kp;
		}
		break;
	}
	default:
		break;
	}
	return d->bad ? NULL : n;
}

int rg_rcache_decode(struct rg_rcache *c, const void *key, const char *name,
		     const char *data, size_t len)
{
	struct dec d;
	struct entry tmp, *e;
	const char *got;
	size_t n;

	memset(&d, 0, sizeof(d));
	memset(&tmp, 0, sizeof(tmp));
	if (!c || len < 4 + 1 + 8 || memcmp(data, MAGIC, 4) ||
	    (unsigned char)data[4] != FORMAT)
		goto bad;
	{
		uint64_t want = 0;

		for (int i = 0; i < 8; i++)
			want |= (uint64_t)(unsigned char)data[len - 8 + i]
				<< (8 * i);
		if (rg_rcache_checksum(data, len - 8) != want)
			goto bad;
	}
	d.a = c->arena;
	d.p = (const unsigned char *)data + 5;
	d.end = (const unsigned char *)data + len - 8;
	got = get_strn(&d, &n);
	if (!got || strcmp(got, name) || n != strlen(name))
		goto bad;
	tmp.bytes_read = (size_t)get_u64(&d);
	tmp.ndeps = get_count(&d, 4 + 2 + 4);
	tmp.deps = rg_arena_calloc(c->arena, tmp.ndeps + 1, sizeof(*tmp.deps));
	for (size_t i = 0; i < tmp.ndeps && !d.bad; i++) {
		struct rg_tree_dep *dp = &tmp.deps[i];
		const char *id;

		dp->path = get_str(&d);
		dp->kind = (uint8_t)get_u8(&d);
		dp->listed = get_u8(&d) != 0;
		id = get_strn(&d, &n);
		if (!dp->path || !id || n >= sizeof(dp->id) ||
		    dp->kind > RG_TREE_SUBMODULE)
			d.bad = true;
		else
			memcpy(dp->id, id, n + 1);
	}
	tmp.nobjs = get_count(&d, 6 * 4 + 12 + 1);
	tmp.objs = rg_arena_calloc(c->arena, tmp.nobjs + 1, sizeof(*tmp.objs));
	for (size_t i = 0; i < tmp.nobjs && !d.bad; i++) {
		struct rg_obj *o = &tmp.objs[i];

		o->group = get_str(&d);
		o->version = get_str(&d);
		o->kind = get_str(&d);
		o->namespace = get_str(&d);
		o->name = get_str(&d);
		o->key = get_str(&d);
		get_pos(&d, &o->origin);
		o->doc = get_node(&d, 0);
		if (!o->group || !o->version || !o->kind || !o->namespace ||
		    !o->name || !o->key || !o->doc)
			d.bad = true;
	}
	tmp.nfindings = get_count(&d, 1 + 6 * 4 + 12);
	tmp.findings = rg_arena_calloc(c->arena, tmp.nfindings + 1,
				       sizeof(*tmp.findings));
	for (size_t i = 0; i < tmp.nfindings && !d.bad; i++) {
		struct rg_finding *f = &tmp.findings[i];

		f->severity = (uint8_t)get_u8(&d);
		f->rule = get_str(&d);
		f->message = get_str(&d);
		get_pos(&d, &f->origin);
		f->env = get_str(&d);
		f->object = get_str(&d);
		f->hint = get_str(&d);
		if (!f->rule || !f->message || f->severity > RG_SEV_DENY)
			d.bad = true;
	}
	if (d.bad || d.p != d.end)
		goto bad;
	e = new_entry(c, key);
	if (!e)
		return RG_ELIMIT;
	tmp.key = key;
	tmp.next = e->next;
	tmp.fetched = true;
	*e = tmp;
	c->stats.fetched++;
	return 0;
bad:
	c->stats.rejected++;
	return RG_EPARSE;
}

void rg_rcache_set_store(struct rg_rcache *c, const struct rg_rcache_store *s)
{
	if (!c)
		return;
	if (s)
		c->store = *s;
	else
		memset(&c->store, 0, sizeof(c->store));
}

void rg_rcache_set_scope(struct rg_rcache *c, const void *cfg,
			 const char *scope)
{
	struct tag *t;

	if (!c || !cfg || !scope)
		return;
	t = rg_arena_calloc(c->arena, 1, sizeof(*t));
	t->ptr = cfg;
	t->scope = rg_arena_strdup(c->arena, scope);
	t->next = c->scopes;
	c->scopes = t;
}

const char *rg_rcache_scope(const struct rg_rcache *c, const void *cfg)
{
	for (const struct tag *t = c ? c->scopes : NULL; t; t = t->next)
		if (t->ptr == cfg)
			return t->scope;
	return NULL;
}

void rg_rcache_fetch(struct rg_rcache *c, const void *key, const char *name)
{
	const char **data = NULL;
	size_t *len = NULL, n = 0;
	struct tag *t;

	if (!c || !name || !c->store.load)
		return;
	for (t = c->fetched; t; t = t->next)
		if (t->ptr == key)
			return;
	t = rg_arena_calloc(c->arena, 1, sizeof(*t));
	t->ptr = key;
	t->next = c->fetched;
	c->fetched = t;
	c->store.load(c->store.ctx, c->arena, name, &data, &len, &n);
	for (size_t i = 0; i < n; i++)
		rg_rcache_decode(c, key, name, data[i], len[i]);
}

void rg_rcache_save(struct rg_rcache *c, const char *name, size_t bytes_read,
		    const struct rg_tree_dep *deps, size_t ndeps,
		    const struct rg_obj *objs, size_t nobjs,
		    const struct rg_finding *f, size_t nf)
{
	struct rg_buf b = RG_BUF_INIT(RG_CAP_RCACHE_ENTRY_BYTES);

	if (!c || !name || !c->store.save)
		return;
	if (!rg_rcache_encode(&b, name, bytes_read, deps, ndeps, objs, nobjs, f,
			      nf)) {
		c->store.save(c->store.ctx, name, b.ptr, b.len);
		c->stats.saved++;
	} else {
		/* only caps stop the encoder (entry bytes, nesting);
		   counted, so a release too big to keep shows why it
		   never hits across runs */
		c->stats.oversize++;
	}
	rg_buf_release(&b);
}

struct rg_helm_memo *rg_rcache_helm_memo(struct rg_rcache *c)
{
	if (!c)
		return NULL;
	if (!c->helm_memo)
		c->helm_memo = rg_helm_memo_new(c->arena);
	return c->helm_memo;
}

void rg_rcache_stats(struct rg_rcache_stats *out, const struct rg_rcache *c)
{
	if (c)
		*out = c->stats;
	else
		memset(out, 0, sizeof(*out));
}
