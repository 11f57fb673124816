#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/diff.h"
#include "rendergate/gitsecrets.h"
#include "rendergate/doc.h"
#include "rendergate/hash.h"
#include "rendergate/objects.h"

#define CONTEXT 3

/* --- the line diff (Myers, "An O(ND) Difference Algorithm") ----------- */

struct line {
	const char *p;
	size_t n; /* without the '\n' */
};

enum op { OP_EQ, OP_DEL, OP_INS };

struct edit {
	uint8_t op;
	uint32_t a,
	    b; /* line index in a (OP_EQ, OP_DEL) and b (OP_EQ, OP_INS) */
};

/* Split text into lines; false when there are more than max. */
static bool split_lines(struct line **out, size_t *n, const char *s, size_t len,
			size_t max)
{
	size_t count = 0, k = 0;
	struct line *l;

	for (size_t i = 0; i < len; i++)
		if (s[i] == '\n')
			count++;
	if (len && s[len - 1] != '\n')
		count++;
	if (count > max)
		return false;
	l = rg_xcalloc(count + 1, sizeof(*l));
	for (size_t i = 0, start = 0; i < len; i++) {
		if (s[i] == '\n' || i == len - 1) {
			size_t end = s[i] == '\n' ? i : i + 1;

			l[k].p = s + start;
			l[k].n = end - start;
			k++;
			start = i + 1;
		}
	}
	*out = l;
	*n = k;
	return true;
}

/*
 * Give every distinct line a number, so the search compares integers.
 * Open addressing over FNV-1a hashes.
 */
static void number_lines(const struct line *a, size_t na, const struct line *b,
			 size_t nb, uint32_t *ia, uint32_t *ib)
{
	size_t total = na + nb, size = 16, next = 0;
	struct slot {
		const struct line *l;
		uint32_t id;
	} * tab;

	while (size < total * 2)
		size *= 2;
	tab = rg_xcalloc(size, sizeof(*tab));
	for (size_t i = 0; i < total; i++) {
		const struct line *l = i < na ? &a[i] : &b[i - na];
		size_t h =
		    (size_t)rg_fnv1a(RG_FNV1A_SEED, l->p, l->n) & (size - 1);
		uint32_t id;

		while (tab[h].l &&
		       (tab[h].l->n != l->n || memcmp(tab[h].l->p, l->p, l->n)))
			h = (h + 1) & (size - 1);
		if (!tab[h].l) {
			tab[h].l = l;
			tab[h].id = (uint32_t)next++;
		}
		id = tab[h].id;
		if (i < na)
			ia[i] = id;
		else
			ib[i - na] = id;
	}
	free(tab);
}

/*
 * Shortest edit script between a[0..n) and b[0..m), appended to e in
 * order. Returns false when the edit distance is over maxd (e untouched
 * then). Keeps each round's V (2d+1 entries) for the backtrack: (D+1)^2
 * ints at most.
 */
static bool myers(const uint32_t *a, size_t n, const uint32_t *b, size_t m,
		  size_t offa, size_t offb, size_t maxd, struct edit *e,
		  size_t *ne)
{
	size_t max = n + m, dfound = 0, total;
	int32_t *trace = NULL, *v;
	size_t trace_len = 0, trace_alloc = 0;
	bool found = false;
	struct edit *rev;
	size_t nrev = 0;
	long x, y;

	if (maxd > max)
		maxd = max;
	/* v is indexed by k + max + 1, k in [-max-1, max+1] */
	v = rg_xcalloc(2 * max + 3, sizeof(*v));
	for (size_t d = 0; d <= maxd && !found; d++) {
		long dd = (long)d;

		for (long k = -dd; k <= dd; k += 2) {
			long xi;
			size_t ki = (size_t)(k + (long)max + 1);

			if (k == -dd || (k != dd && v[ki - 1] < v[ki + 1]))
				xi = v[ki + 1];
			else
				xi = v[ki - 1] + 1;
			y = xi - k;
			while (xi < (long)n && y < (long)m && a[xi] == b[y]) {
				xi++;
				y++;
			}
			v[ki] = (int32_t)xi;
			if (xi >= (long)n && y >= (long)m) {
				found = true;
				dfound = d;
			}
		}
		RG_ALLOC_GROW(trace, trace_len + 2 * d + 1, trace_alloc);
		for (long k = -dd; k <= dd; k++)
			trace[trace_len++] = v[(size_t)(k + (long)max + 1)];
	}
	free(v);
	if (!found) {
		free(trace);
		return false;
	}
	/* backtrack from (n, m); round d's V starts at offset d*d */
	rev = rg_xmalloc((n + m + 1) * sizeof(*rev));
	x = (long)n;
	y = (long)m;
	for (long d = (long)dfound; d >= 0; d--) {
		long k = x - y, pk, px, py;

		if (d == 0) {
			pk = 0;
			px = py = 0;
		} else {
			const int32_t *pv = trace + (size_t)((d - 1) * (d - 1));
			/* pv[k + (d-1)] is round d-1's V[k] */
			if (k == -d ||
			    (k != d && pv[k - 1 + d - 1] < pv[k + 1 + d - 1]))
				pk = k + 1;
			else
				pk = k - 1;
			px = pv[pk + d - 1];
			py = px - pk;
		}
		while (x > px && y > py) {
			x--;
			y--;
			rev[nrev++] = (struct edit){OP_EQ, (uint32_t)(offa + x),
						    (uint32_t)(offb + y)};
		}
		if (d > 0) {
			if (pk == k + 1)
				rev[nrev++] =
				    (struct edit){OP_INS, (uint32_t)(offa + px),
						  (uint32_t)(offb + py)};
			else
				rev[nrev++] =
				    (struct edit){OP_DEL, (uint32_t)(offa + px),
						  (uint32_t)(offb + py)};
		}
		x = px;
		y = py;
	}
	total = *ne;
	for (size_t i = nrev; i > 0; i--)
		e[total++] = rev[i - 1];
	*ne = total;
	free(rev);
	free(trace);
	return true;
}

/* "@@ -l,n +l,n @@" range, GNU style: ",1" left out, empty ranges at l-1. */
static int add_range(struct rg_buf *o, char sign, size_t start, size_t count)
{
	if (count == 1)
		return rg_buf_addf(o, "%c%zu", sign, start + 1);
	return rg_buf_addf(o, "%c%zu,%zu", sign, count ? start + 1 : start,
			   count);
}

static int add_line(struct rg_buf *o, char c, const struct line *l)
{
	int error = rg_buf_addch(o, c);

	if (!error)
		error = rg_buf_add(o, l->p, l->n);
	if (!error)
		error = rg_buf_addch(o, '\n');
	return error;
}

static int write_hunks(struct rg_buf *o, const struct edit *e, size_t ne,
		       const struct line *la, const struct line *lb)
{
	size_t i = 0;
	int error = 0;

	while (i < ne && !error) {
		size_t c = i, start, end, last, pa = 0, pb = 0, ca = 0, cb = 0;

		while (c < ne && e[c].op == OP_EQ)
			c++;
		if (c == ne)
			break;
		start = c > CONTEXT ? c - CONTEXT : 0;
		if (start < i)
			start = i;
		/* extend while the next change is within 2 * CONTEXT */
		last = c;
		for (size_t k = c + 1; k < ne; k++) {
			if (e[k].op == OP_EQ)
				continue;
			if (k - last - 1 > 2 * CONTEXT)
				break;
			last = k;
		}
		end = last + 1 + CONTEXT < ne ? last + 1 + CONTEXT : ne;
		/* lines of a and b before the hunk */
		pa = e[start].a;
		pb = e[start].b;
		for (size_t k = start; k < end; k++) {
			if (e[k].op != OP_INS)
				ca++;
			if (e[k].op != OP_DEL)
				cb++;
		}
		error = rg_buf_adds(o, "@@ ");
		if (!error)
			error = add_range(o, '-', pa, ca);
		if (!error)
			error = rg_buf_addch(o, ' ');
		if (!error)
			error = add_range(o, '+', pb, cb);
		if (!error)
			error = rg_buf_adds(o, " @@\n");
		for (size_t k = start; k < end && !error; k++) {
			if (e[k].op == OP_EQ)
				error = add_line(o, ' ', &la[e[k].a]);
			else if (e[k].op == OP_DEL)
				error = add_line(o, '-', &la[e[k].a]);
			else
				error = add_line(o, '+', &lb[e[k].b]);
		}
		i = end;
	}
	return error;
}

static const char *replaced_text(struct rg_arena *arena, size_t na, size_t nb,
				 size_t *len)
{
	const char *s;

	if (!na)
		s = rg_arena_printf(arena,
				    "object added: %zu lines (too large to "
				    "show)\n",
				    nb);
	else if (!nb)
		s = rg_arena_printf(arena,
				    "object removed: %zu lines (too large to "
				    "show)\n",
				    na);
	else
		s = rg_arena_printf(arena,
				    "object replaced: %zu lines -> %zu lines "
				    "(too large to diff line by line)\n",
				    na, nb);

	*len = strlen(s);
	return s;
}

int rg_diff_text(const char **out, size_t *outlen, bool *replaced,
		 size_t *added, size_t *removed, const char *a, size_t alen,
		 const char *b, size_t blen, const char *la, const char *lb,
		 struct rg_arena *arena, struct rg_err *err)
{
	struct line *A = NULL, *B = NULL;
	size_t na = 0, nb = 0, ne = 0, pre = 0, suf = 0, nadd = 0, ndel = 0;
	uint32_t *ia = NULL, *ib = NULL;
	struct edit *e = NULL;
	struct rg_buf o = RG_BUF_INIT(RG_CAP_DIFF_OBJECT_BYTES);
	bool over = false;
	int error = 0;

	*replaced = false;
	if (!split_lines(&A, &na, a, alen, RG_CAP_DIFF_LINES) ||
	    !split_lines(&B, &nb, b, blen, RG_CAP_DIFF_LINES)) {
		/* count lines without keeping them */
		na = nb = 0;
		for (size_t i = 0; i < alen; i++)
			na += a[i] == '\n';
		for (size_t i = 0; i < blen; i++)
			nb += b[i] == '\n';
		na += alen && a[alen - 1] != '\n';
		nb += blen && b[blen - 1] != '\n';
		over = true;
		goto out;
	}
	ia = rg_xcalloc(na + 1, sizeof(*ia));
	ib = rg_xcalloc(nb + 1, sizeof(*ib));
	number_lines(A, na, B, nb, ia, ib);
	while (pre < na && pre < nb && ia[pre] == ib[pre])
		pre++;
	while (suf < na - pre && suf < nb - pre &&
	       ia[na - 1 - suf] == ib[nb - 1 - suf])
		suf++;
	e = rg_xmalloc((na + nb + 1) * sizeof(*e));
	for (size_t i = 0; i < pre; i++)
		e[ne++] = (struct edit){OP_EQ, (uint32_t)i, (uint32_t)i};
	if (pre + suf == na) {
		for (size_t i = pre; i < nb - suf; i++)
			e[ne++] = (struct edit){OP_INS, (uint32_t)na - suf,
						(uint32_t)i};
	} else if (pre + suf == nb) {
		for (size_t i = pre; i < na - suf; i++)
			e[ne++] = (struct edit){OP_DEL, (uint32_t)i,
						(uint32_t)nb - suf};
	} else if (!myers(ia + pre, na - pre - suf, ib + pre, nb - pre - suf,
			  pre, pre, RG_CAP_DIFF_EDITS, e, &ne)) {
		over = true;
		goto out;
	}
	for (size_t i = 0; i < suf; i++)
		e[ne++] = (struct edit){OP_EQ, (uint32_t)(na - suf + i),
					(uint32_t)(nb - suf + i)};
	for (size_t i = 0; i < ne; i++) {
		nadd += e[i].op == OP_INS;
		ndel += e[i].op == OP_DEL;
	}
	if (!nadd && !ndel)
		goto out;
	error = rg_buf_addf(&o, "--- %s\n+++ %s\n", la ? la : "/dev/null",
			    lb ? lb : "/dev/null");
	if (!error)
		error = write_hunks(&o, e, ne, A, B);
	if (error == RG_ELIMIT) {
		error = 0;
		over = true;
	}
out:
	if (over) {
		*replaced = true;
		*out = replaced_text(arena, na, nb, outlen);
		nadd = nb;
		ndel = na;
	} else if (!error) {
		*out = rg_arena_strndup(arena, o.ptr, o.len);
		*outlen = o.len;
	}
	if (!error) {
		if (added)
			*added = nadd;
		if (removed)
			*removed = ndel;
	} else {
		rg_err_set(err, error, NULL, "diff failed: %s",
			   rg_err_codename(error));
	}
	rg_buf_release(&o);
	free(A);
	free(B);
	free(ia);
	free(ib);
	free(e);
	return error;
}

/* --- masking --------------------------------------------------------- */

/*
 * Where values must not be shown, as a small state machine over the keys
 * from the object's root: Secret data/stringData values, a Secret's
 * last-applied-configuration annotation, ConfigMap data values under
 * credential-looking keys, and the value of an `env` list entry whose
 * name looks like a credential (in any object: pod templates).
 */
enum mask_state {
	M_NONE = 0, /* nothing masked below */
	M_ROOT,	    /* at the root of an object */
	M_ANY,	    /* somewhere inside: only env lists matter */
	M_SECRET_DATA,
	M_CM_DATA,
	M_META,
	M_ANNOT,
	M_ENV_LIST, /* a value under the key "env" */
	M_ENV_ITEM, /* an entry of an env list */
	M_MASKED,   /* this value is masked */
};

enum obj_class { C_PLAIN, C_SECRET, C_CONFIGMAP };

#define LAST_APPLIED "kubectl.kubernetes.io/last-applied-configuration"

static bool key_is(const struct rg_str *k, const char *s)
{
	return k->len == strlen(s) && !memcmp(k->ptr, s, k->len);
}

static bool credential_key(const struct rg_str *k)
{
	static const char *const words[] = {"password",	  "passwd", "secret",
					    "token",	  "apikey", "api_key",
					    "credential", "private"};

	for (size_t w = 0; w < RG_ARRAY_SIZE(words); w++) {
		size_t wl = strlen(words[w]);

		for (size_t i = 0; i + wl <= k->len; i++) {
			size_t j = 0;

			while (j < wl && (k->ptr[i + j] | 0x20) == words[w][j])
				j++;
			if (j == wl)
				return true;
		}
	}
	return false;
}

/* An env entry ({name: DB_PASSWORD, value: ...}) naming a credential. */
static bool credential_env(const struct rg_node *entry)
{
	const struct rg_node *name = rg_map_gets(entry, "name");

	return name && name->kind == RG_STR && credential_key(&name->u.s);
}

/* State for key in map (map is the mapping holding the key). */
static enum mask_state mask_next(enum obj_class cls, enum mask_state st,
				 const struct rg_str *key,
				 const struct rg_node *map)
{
	switch (st) {
	case M_ROOT:
		if (cls == C_SECRET &&
		    (key_is(key, "data") || key_is(key, "stringData")))
			return M_SECRET_DATA;
		if (cls == C_CONFIGMAP && key_is(key, "data"))
			return M_CM_DATA;
		if (cls == C_SECRET && key_is(key, "metadata"))
			return M_META;
		break;
	case M_SECRET_DATA:
		return M_MASKED;
	case M_CM_DATA:
		return credential_key(key) ? M_MASKED : M_NONE;
	case M_META:
		if (key_is(key, "annotations"))
			return M_ANNOT;
		break;
	case M_ANNOT:
		return key_is(key, LAST_APPLIED) ? M_MASKED : M_NONE;
	case M_ENV_ITEM:
		return key_is(key, "value") && credential_env(map) ? M_MASKED
								   : M_NONE;
	case M_NONE:
	case M_MASKED:
		return M_NONE;
	default:
		break;
	}
	return key_is(key, "env") ? M_ENV_LIST : M_ANY;
}

/* State of the items of a sequence in state st. */
static enum mask_state mask_item(enum mask_state st)
{
	if (st == M_ENV_LIST)
		return M_ENV_ITEM;
	return st == M_NONE || st == M_MASKED ? M_NONE : M_ANY;
}

static enum obj_class classify(const struct rg_obj *o)
{
	if (!o || o->group[0])
		return C_PLAIN;
	if (!strcmp(o->kind, "Secret"))
		return C_SECRET;
	if (!strcmp(o->kind, "ConfigMap"))
		return C_CONFIGMAP;
	return C_PLAIN;
}

/* Bytes a masked value stands for (decoded for base64 Secret data). */
static size_t value_bytes(const struct rg_node *n, bool b64)
{
	size_t len = 0;

	if (!n || n->kind != RG_STR)
		return 0;
	if (!b64)
		return n->u.s.len;
	for (size_t i = 0; i < n->u.s.len; i++) {
		char c = n->u.s.ptr[i];

		if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
			continue;
		if (c == '=')
			continue;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '/')
			len++;
		else
			return n->u.s.len; /* not base64: count the text */
	}
	return len * 3 / 4;
}

/* --- noise rules and volatile values -------------------------------- */

/* Where noise may sit: labels and annotations of any metadata mapping. */
enum noise_state { N_NONE = 0, N_META, N_LABELS, N_ANNOTS };

#define RULE_CHART    "helm-chart-label"
#define RULE_VERSION  "app-version-label"
#define RULE_CHECKSUM "checksum-annotation"
#define RULE_VOLATILE "volatile"

static const char *const noise_rules[] = {RULE_CHART, RULE_VERSION,
					  RULE_CHECKSUM, RULE_VOLATILE};

static bool rule_is(const char *rule, const char *name)
{
	return rule && !strcmp(rule, name);
}

static bool has_volatile(const struct rg_node *n)
{
	if (n->flags & RG_NODE_VOLATILE)
		return true;
	if (n->kind == RG_SEQ)
		for (size_t i = 0; i < n->u.seq.len; i++)
			if (has_volatile(n->u.seq.items[i]))
				return true;
	if (n->kind == RG_MAP)
		for (size_t i = 0; i < n->u.map.len; i++)
			if (has_volatile(n->u.map.items[i].val))
				return true;
	return false;
}

static enum noise_state noise_next(enum noise_state st, const struct rg_str *k)
{
	if (st == N_META && key_is(k, "labels"))
		return N_LABELS;
	if (st == N_META && key_is(k, "annotations"))
		return N_ANNOTS;
	return key_is(k, "metadata") ? N_META : N_NONE;
}

/* The noise rule covering key k in state st, or NULL. */
static const char *noise_rule(enum noise_state st, const struct rg_str *k)
{
	if (st == N_LABELS &&
	    (key_is(k, "helm.sh/chart") || key_is(k, "chart")))
		return RULE_CHART;
	if (st == N_LABELS && key_is(k, "app.kubernetes.io/version"))
		return RULE_VERSION;
	if (st == N_ANNOTS && k->len > 9 && !memcmp(k->ptr, "checksum/", 9))
		return RULE_CHECKSUM;
	return NULL;
}

static bool volatile_pair(const struct rg_node *x, const struct rg_node *y)
{
	return x && y && (x->flags & RG_NODE_VOLATILE) &&
	       (y->flags & RG_NODE_VOLATILE) && x->kind != RG_MAP &&
	       x->kind != RG_SEQ && y->kind != RG_MAP && y->kind != RG_SEQ;
}

/*
 * rg_node_equal, except that two volatile scalars compare as present
 * (their values come from random or time functions).
 */
static bool same(const struct rg_node *x, const struct rg_node *y)
{
	/* both sides from one cached render share their documents; a node
	   always equals itself (NaN too, see rg_node_equal) */
	if (x == y)
		return true;
	if (volatile_pair(x, y))
		return true;
	if (!x || !y || x->kind != y->kind)
		return x == y;
	if (x->kind == RG_SEQ) {
		if (x->u.seq.len != y->u.seq.len)
			return false;
		for (size_t i = 0; i < x->u.seq.len; i++)
			if (!same(x->u.seq.items[i], y->u.seq.items[i]))
				return false;
		return true;
	}
	if (x->kind == RG_MAP) {
		if (x->u.map.len != y->u.map.len)
			return false;
		for (size_t i = 0; i < x->u.map.len; i++) {
			const struct rg_pair *p = &x->u.map.items[i];
			const struct rg_node *q =
			    i < y->u.map.len &&
				    y->u.map.items[i].key.len == p->key.len &&
				    !memcmp(y->u.map.items[i].key.ptr,
					    p->key.ptr, p->key.len)
				? y->u.map.items[i].val
				: rg_map_get(y, p->key.ptr, p->key.len);

			if (!q || !same(p->val, q))
				return false;
		}
		return true;
	}
	return rg_node_equal(x, y);
}

/* --- field paths ----------------------------------------------------- */

struct walk {
	struct rg_arena *a;
	struct rg_diff_obj *d;
	size_t alloc;
	enum obj_class cls;
	bool b64;   /* current masked map is Secret `data` */
	bool noise; /* noise rules apply */
};

static bool word_key(const struct rg_str *k)
{
	if (!k->len)
		return false;
	for (size_t i = 0; i < k->len; i++) {
		char c = k->ptr[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static const char *path_key(struct rg_arena *a, const char *base,
			    const struct rg_str *k)
{
	struct rg_buf b = RG_BUF_INIT(RG_CAP_PATH_BYTES * 4);
	const char *s;

	rg_buf_adds(&b, base);
	if (word_key(k)) {
		if (base[0])
			rg_buf_addch(&b, '.');
		rg_buf_add(&b, k->ptr, k->len);
	} else {
		rg_buf_adds(&b, "[\"");
		for (size_t i = 0; i < k->len; i++) {
			unsigned char c = (unsigned char)k->ptr[i];

			if (c == '"' || c == '\\')
				rg_buf_addf(&b, "\\%c", c);
			else if (c < 0x20)
				rg_buf_addf(&b, "\\x%02x", c);
			else
				rg_buf_addch(&b, (char)c);
		}
		rg_buf_adds(&b, "\"]");
	}
	s = rg_arena_strndup(a, b.ptr, b.len);
	rg_buf_release(&b);
	return s;
}

static void add_field(struct walk *w, const char *path, enum rg_diff_status c,
		      const char *note, const char *rule)
{
	struct rg_diff_obj *d = w->d;

	if (d->nfields >= RG_CAP_DIFF_FIELDS) {
		d->fields_dropped++;
		return;
	}
	if (d->nfields >= w->alloc) {
		size_t n = w->alloc ? w->alloc * 2 : 8;

		d->fields = rg_arena_grow(w->a, d->fields, d->nfields, n,
					  sizeof(*d->fields));
		w->alloc = n;
	}
	d->fields[d->nfields++] =
	    (struct rg_diff_field){path, (uint8_t)c, note, rule};
}

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

static void masked_field(struct walk *w, const char *path,
			 const struct rg_node *x, const struct rg_node *y)
{
	size_t bx = value_bytes(x, w->b64), by = value_bytes(y, w->b64);

	if (x && y)
		add_field(w, path, RG_DIFF_CHANGED,
			  rg_arena_printf(w->a,
					  "changed (%zu byte%s -> %zu "
					  "byte%s)",
					  bx, plural(bx), by, plural(by)),
			  NULL);
	else if (y)
		add_field(
		    w, path, RG_DIFF_ADDED,
		    rg_arena_printf(w->a, "added (%zu byte%s)", by, plural(by)),
		    NULL);
	else
		add_field(w, path, RG_DIFF_REMOVED,
			  rg_arena_printf(w->a, "removed (%zu byte%s)", bx,
					  plural(bx)),
			  NULL);
	w->d->masked = true;
}

static void walk_node(struct walk *w, const struct rg_node *x,
		      const struct rg_node *y, const char *path,
		      enum mask_state st, enum noise_state nst);

/* y's value for the key of x's pair i (same index first: O(1) usually). */
static const struct rg_node *other_val(const struct rg_node *y,
				       const struct rg_pair *p, size_t i)
{
	if (i < y->u.map.len && y->u.map.items[i].key.len == p->key.len &&
	    !memcmp(y->u.map.items[i].key.ptr, p->key.ptr, p->key.len))
		return y->u.map.items[i].val;
	return rg_map_get(y, p->key.ptr, p->key.len);
}

static void walk_map(struct walk *w, const struct rg_node *x,
		     const struct rg_node *y, const char *path,
		     enum mask_state st, enum noise_state nst)
{
	for (size_t i = 0; i < x->u.map.len; i++) {
		const struct rg_pair *p = &x->u.map.items[i];
		const struct rg_node *yv = other_val(y, p, i);
		enum mask_state ms = mask_next(w->cls, st, &p->key, x);
		const char *kp, *rule;

		if (yv && same(p->val, yv))
			continue;
		w->b64 = st == M_SECRET_DATA && !strcmp(path, "data");
		kp = path_key(w->a, path, &p->key);
		rule = w->noise ? noise_rule(nst, &p->key) : NULL;
		if (ms == M_MASKED)
			masked_field(w, kp, p->val, yv);
		else if (!yv)
			add_field(w, kp, RG_DIFF_REMOVED, NULL, rule);
		else if (rule)
			add_field(w, kp, RG_DIFF_CHANGED, NULL, rule);
		else
			walk_node(w, p->val, yv, kp, ms,
				  noise_next(nst, &p->key));
	}
	for (size_t i = 0; i < y->u.map.len; i++) {
		const struct rg_pair *p = &y->u.map.items[i];
		const char *kp;

		if (other_val(x, p, i))
			continue;
		w->b64 = st == M_SECRET_DATA && !strcmp(path, "data");
		kp = path_key(w->a, path, &p->key);
		if (mask_next(w->cls, st, &p->key, y) == M_MASKED)
			masked_field(w, kp, NULL, p->val);
		else
			add_field(w, kp, RG_DIFF_ADDED, NULL,
				  w->noise ? noise_rule(nst, &p->key) : NULL);
	}
}

static void walk_node(struct walk *w, const struct rg_node *x,
		      const struct rg_node *y, const char *path,
		      enum mask_state st, enum noise_state nst)
{
	if (x->kind == RG_MAP && y->kind == RG_MAP) {
		walk_map(w, x, y, path, st, nst);
	} else if (x->kind == RG_SEQ && y->kind == RG_SEQ) {
		size_t nx = x->u.seq.len, ny = y->u.seq.len;

		for (size_t i = 0; i < nx || i < ny; i++) {
			const char *ip;

			if (i < nx && i < ny &&
			    same(x->u.seq.items[i], y->u.seq.items[i]))
				continue;
			ip = rg_arena_printf(w->a, "%s[%zu]", path, i);
			if (i >= ny)
				add_field(w, ip, RG_DIFF_REMOVED, NULL, NULL);
			else if (i >= nx)
				add_field(w, ip, RG_DIFF_ADDED, NULL, NULL);
			else
				walk_node(w, x->u.seq.items[i],
					  y->u.seq.items[i], ip, mask_item(st),
					  N_NONE);
		}
	} else if (!same(x, y)) {
		/* SOPS ciphertext, SealedSecret data and Vault placeholders
		   change wholesale: say so instead of a meaningless edit */
		bool enc = (x->kind == RG_STR &&
			    rg_gitsecrets_value(x->u.s.ptr, x->u.s.len)) ||
			   (y->kind == RG_STR &&
			    rg_gitsecrets_value(y->u.s.ptr, y->u.s.len));

		add_field(w, path, RG_DIFF_CHANGED,
			  enc ? "encrypted value changed" : NULL, NULL);
	}
}

static struct rg_pair *find_pair(struct rg_node *m, const struct rg_str *k,
				 size_t hint);

/*
 * Make copy y agree with copy x wherever `rule` says a difference is
 * noise, so the unified diff leaves those lines out.
 */
static void denoise(struct rg_node *x, struct rg_node *y, enum noise_state nst,
		    const char *rule)
{
	bool vol = rule_is(rule, RULE_VOLATILE);

	if (!x || !y)
		return;
	if (x->kind == RG_SEQ && y->kind == RG_SEQ) {
		for (size_t i = 0; i < x->u.seq.len && i < y->u.seq.len; i++) {
			if (vol &&
			    volatile_pair(x->u.seq.items[i], y->u.seq.items[i]))
				y->u.seq.items[i] = x->u.seq.items[i];
			else
				denoise(x->u.seq.items[i], y->u.seq.items[i],
					N_NONE, rule);
		}
		return;
	}
	if (x->kind != RG_MAP || y->kind != RG_MAP)
		return;
	/* noise keys on one side only leave both copies */
	for (size_t i = x->u.map.len; !vol && i > 0; i--) {
		struct rg_pair *p = &x->u.map.items[i - 1];

		if (rule_is(noise_rule(nst, &p->key), rule) &&
		    !other_val(y, p, i - 1))
			rg_map_del(x, p->key.ptr, p->key.len);
	}
	for (size_t i = y->u.map.len; !vol && i > 0; i--) {
		struct rg_pair *p = &y->u.map.items[i - 1];

		if (rule_is(noise_rule(nst, &p->key), rule) &&
		    !other_val(x, p, i - 1))
			rg_map_del(y, p->key.ptr, p->key.len);
	}
	for (size_t i = 0; i < y->u.map.len; i++) {
		struct rg_pair *p = &y->u.map.items[i];
		struct rg_pair *q = find_pair(x, &p->key, i);

		if (!q)
			continue;
		if ((vol && volatile_pair(q->val, p->val)) ||
		    (!vol && rule_is(noise_rule(nst, &p->key), rule)))
			p->val = q->val;
		else
			denoise(q->val, p->val, noise_next(nst, &p->key), rule);
	}
}

/* --- masked copies for the unified diff ------------------------------ */

static struct rg_node *placeholder(struct rg_arena *a, size_t bytes,
				   const char *suffix)
{
	return rg_node_str(a,
			   rg_arena_printf(a, "<secret: %zu byte%s%s>", bytes,
					   bytes == 1 ? "" : "s", suffix));
}

/* The pair of m with key k; index hint is tried first (same order). */
static struct rg_pair *find_pair(struct rg_node *m, const struct rg_str *k,
				 size_t hint)
{
	if (!m || m->kind != RG_MAP)
		return NULL;
	if (hint < m->u.map.len && m->u.map.items[hint].key.len == k->len &&
	    !memcmp(m->u.map.items[hint].key.ptr, k->ptr, k->len))
		return &m->u.map.items[hint];
	for (size_t i = 0; i < m->u.map.len; i++)
		if (m->u.map.items[i].key.len == k->len &&
		    !memcmp(m->u.map.items[i].key.ptr, k->ptr, k->len))
			return &m->u.map.items[i];
	return NULL;
}

struct masker {
	struct rg_arena *a;
	enum obj_class cls;
	bool hit; /* a placeholder was written */
};

static struct rg_node *mask_value(struct masker *m, const struct rg_node *v,
				  bool b64, const char *suffix)
{
	m->hit = true;
	return placeholder(m->a, value_bytes(v, b64), suffix);
}

/*
 * Replace masked values in copies x and y of the two sides (either may be
 * NULL) by placeholders, so that a changed value still shows as a changed
 * line and an unchanged one as context, without either value.
 */
static void mask_pair(struct masker *m, struct rg_node *x, struct rg_node *y,
		      enum mask_state st, bool b64)
{
	if (st == M_NONE)
		return;
	if ((x && x->kind == RG_SEQ) || (y && y->kind == RG_SEQ)) {
		size_t nx = x && x->kind == RG_SEQ ? x->u.seq.len : 0;
		size_t ny = y && y->kind == RG_SEQ ? y->u.seq.len : 0;

		for (size_t i = 0; i < nx || i < ny; i++)
			mask_pair(m, i < nx ? x->u.seq.items[i] : NULL,
				  i < ny ? y->u.seq.items[i] : NULL,
				  mask_item(st), false);
		return;
	}
	for (size_t i = 0; x && x->kind == RG_MAP && i < x->u.map.len; i++) {
		struct rg_pair *p = &x->u.map.items[i];
		struct rg_pair *q = find_pair(y, &p->key, i);
		enum mask_state ns = mask_next(m->cls, st, &p->key, x);
		bool data = m->cls == C_SECRET && st == M_ROOT &&
			    key_is(&p->key, "data");

		if (ns == M_MASKED) {
			bool changed = q && !rg_node_equal(p->val, q->val);

			/* y's entry is masked too if it names a credential */
			if (q && mask_next(m->cls, st, &q->key, y) == M_MASKED)
				q->val =
				    mask_value(m, q->val, b64,
					       changed ? ", new value" : "");
			p->val = mask_value(m, p->val, b64,
					    changed ? ", old value" : "");
		} else {
			mask_pair(m, p->val, q ? q->val : NULL, ns, data);
		}
	}
	for (size_t i = 0; y && y->kind == RG_MAP && i < y->u.map.len; i++) {
		struct rg_pair *q = &y->u.map.items[i];
		enum mask_state ns = mask_next(m->cls, st, &q->key, y);
		bool data = m->cls == C_SECRET && st == M_ROOT &&
			    key_is(&q->key, "data");
		struct rg_pair *p = find_pair(x, &q->key, i);

		/* a credential entry in y whose x twin was not one */
		if (p && ns == M_MASKED &&
		    mask_next(m->cls, st, &p->key, x) != M_MASKED)
			q->val = mask_value(m, q->val, b64, "");
		if (p)
			continue;
		if (ns == M_MASKED)
			q->val = mask_value(m, q->val, b64, "");
		else
			mask_pair(m, NULL, q->val, ns, data);
	}
}

/* --- pairing objects ------------------------------------------------- */

static int cmp_objp(const void *x, const void *y)
{
	const struct rg_obj *a = *(const struct rg_obj *const *)x;
	const struct rg_obj *b = *(const struct rg_obj *const *)y;
	int c = strcmp(a->key, b->key);

	if (c)
		return c;
	/* keep the first added first (qsort is not stable) */
	return a < b ? -1 : a > b;
}

/* Pointers to s's objects sorted by key, first of each key only. */
static const struct rg_obj **sorted(const struct rg_objset *s, size_t *n)
{
	const struct rg_obj **p;
	size_t k = 0;

	*n = 0;
	if (!s || !s->len)
		return NULL;
	p = rg_xmalloc(s->len * sizeof(*p));
	for (size_t i = 0; i < s->len; i++)
		p[i] = &s->items[i];
	qsort(p, s->len, sizeof(*p), cmp_objp);
	for (size_t i = 0; i < s->len; i++)
		if (!k || strcmp(p[k - 1]->key, p[i]->key))
			p[k++] = p[i];
	*n = k;
	return p;
}

static const char *header_label(struct rg_arena *a, const char *side,
				const struct rg_obj *o)
{
	if (!o)
		return NULL;
	return rg_arena_printf(a, "%s/%s%s%s/%s%s%s", side, o->group,
			       o->group[0] ? "/" : "", o->kind, o->namespace,
			       o->namespace[0] ? "/" : "", o->name);
}

static int emit(const char **out, size_t *len, const struct rg_node *n,
		struct rg_arena *a, struct rg_err *err)
{
	struct rg_buf b = RG_BUF_INIT(RG_CAP_YAML_EMIT_BYTES);
	int error = 0;

	*out = "";
	*len = 0;
	if (!n)
		return 0;
	error = rg_doc_emit(&b, n, 0);
	if (error < 0) {
		rg_err_set(err, error, &n->pos,
			   "object too large to show as YAML "
			   "(RG_CAP_YAML_EMIT_BYTES)");
	} else {
		*out = rg_arena_strndup(a, b.ptr, b.len);
		*len = b.len;
	}
	rg_buf_release(&b);
	return error;
}

/* Emit both sides and diff them into d's unified text and counts. */
static int diff_docs(struct rg_diff_obj *d, const struct rg_node *od,
		     const struct rg_node *nd, struct rg_arena *a,
		     struct rg_err *err)
{
	const char *ta = "", *tb = "";
	size_t la = 0, lb = 0;
	int error;

	error = emit(&ta, &la, od, a, err);
	if (!error)
		error = emit(&tb, &lb, nd, a, err);
	if (error < 0)
		return error;
	d->old_lines = d->new_lines = 0;
	for (size_t i = 0; i < la; i++)
		d->old_lines += ta[i] == '\n';
	for (size_t i = 0; i < lb; i++)
		d->new_lines += tb[i] == '\n';
	return rg_diff_text(&d->unified, &d->unified_len, &d->replaced,
			    &d->lines_added, &d->lines_removed, ta, la, tb, lb,
			    header_label(a, "a", d->old),
			    header_label(a, "b", d->new), a, err);
}

/* Apply each noise rule in turn to the copies, disclosing what it hid. */
static int hide_noise(struct rg_diff_obj *d, struct rg_node *od,
		      struct rg_node *nd, bool vol, struct rg_arena *a,
		      struct rg_err *err)
{
	size_t alloc = 0, old_lines = d->old_lines, new_lines = d->new_lines;
	int error = 0;

	for (size_t r = 0; r < RG_ARRAY_SIZE(noise_rules) && !error; r++) {
		const char *rule = noise_rules[r];
		size_t fields = 0, before = d->lines_added + d->lines_removed;

		for (size_t i = 0; i < d->nfields; i++)
			fields += rule_is(d->fields[i].rule, rule);
		if (!fields && !(vol && rule_is(rule, RULE_VOLATILE)))
			continue;
		denoise(od, nd, N_NONE, rule);
		error = diff_docs(d, od, nd, a, err);
		if (error < 0 || d->replaced)
			break;
		if (!fields && before == d->lines_added + d->lines_removed)
			continue;
		if (d->nhidden >= alloc) {
			size_t n = alloc ? alloc * 2 : 4;

			d->hidden = rg_arena_grow(a, d->hidden, d->nhidden, n,
						  sizeof(*d->hidden));
			alloc = n;
		}
		d->hidden[d->nhidden++] = (struct rg_diff_hidden){
		    rule, fields, before - (d->lines_added + d->lines_removed)};
	}
	/* line counts describe the objects, not the filtered copies */
	d->old_lines = old_lines;
	d->new_lines = new_lines;
	return error;
}

static int diff_one(struct rg_diff_obj *d, unsigned flags, struct rg_arena *a,
		    struct rg_err *err)
{
	const struct rg_obj *o = d->old, *n = d->new;
	struct rg_node *od = o ? o->doc : NULL, *nd = n ? n->doc : NULL;
	enum obj_class cls = classify(o ? o : n);
	bool noise = !(flags & RG_DIFF_NO_NOISE_RULES), vol = false;
	bool ruled = false;
	struct masker mk = {a, cls, false};
	int error;

	d->key = o ? o->key : n->key;
	d->label = rg_obj_label(a, o ? o : n);
	if (o && n && same(od, nd)) {
		d->status = RG_DIFF_UNCHANGED;
		d->unified = "";
		return 0;
	}
	d->status = !o ? RG_DIFF_ADDED : !n ? RG_DIFF_REMOVED : RG_DIFF_CHANGED;
	if (o && n) {
		struct walk w = {a, d, 0, cls, false, noise};

		walk_node(&w, od, nd, "", M_ROOT, N_NONE);
		vol = has_volatile(od) && has_volatile(nd);
	}
	for (size_t i = 0; i < d->nfields; i++)
		ruled = ruled || d->fields[i].rule;
	/* masking works on copies: the objsets stay as rendered */
	od = od ? rg_node_clone(a, od) : NULL;
	nd = nd ? rg_node_clone(a, nd) : NULL;
	mask_pair(&mk, od, nd, M_ROOT, false);
	if (mk.hit || cls == C_SECRET)
		d->masked = true;
	error = diff_docs(d, od, nd, a, err);
	if (!error && !d->replaced && (ruled || vol))
		error = hide_noise(d, od, nd, vol, a, err);
	d->noise_only =
	    d->status == RG_DIFF_CHANGED && ruled && !d->fields_dropped;
	for (size_t i = 0; i < d->nfields && d->noise_only; i++)
		d->noise_only = d->fields[i].rule != NULL;
	return error;
}

int rg_diff_objsets(struct rg_diff **out, const struct rg_objset *old,
		    const struct rg_objset *new, const char *env,
		    struct rg_arena *a, struct rg_err *err)
{
	return rg_diff_objsets_flags(out, old, new, env, 0, a, err);
}

int rg_diff_objsets_flags(struct rg_diff **out, const struct rg_objset *old,
			  const struct rg_objset *new, const char *env,
			  unsigned flags, struct rg_arena *a,
			  struct rg_err *err)
{
	size_t no = 0, nn = 0, i = 0, j = 0;
	const struct rg_obj **po = sorted(old, &no), **pn = sorted(new, &nn);
	struct rg_diff *d = rg_arena_alloc(a, sizeof(*d));
	int error = 0;

	d->env = env ? rg_arena_strdup(a, env) : NULL;
	d->objs = rg_arena_calloc(a, no + nn + 1, sizeof(*d->objs));
	while (i < no || j < nn) {
		struct rg_diff_obj *x = &d->objs[d->len++];
		int c = i >= no	  ? 1
			: j >= nn ? -1
				  : strcmp(po[i]->key, pn[j]->key);

		if (c <= 0)
			x->old = po[i++];
		if (c >= 0)
			x->new = pn[j++];
		error = diff_one(x, flags, a, err);
		if (error < 0)
			goto out;
		switch (x->status) {
		case RG_DIFF_ADDED:
			d->nadded++;
			break;
		case RG_DIFF_REMOVED:
			d->nremoved++;
			break;
		case RG_DIFF_CHANGED:
			d->nchanged++;
			break;
		default:
			d->nunchanged++;
			break;
		}
	}
	*out = d;
out:
	free(po);
	free(pn);
	return error;
}

bool rg_diff_has_changes(const struct rg_diff *d)
{
	return d && (d->nadded || d->nremoved || d->nchanged);
}

const char *rg_diff_status_name(enum rg_diff_status s)
{
	switch (s) {
	case RG_DIFF_ADDED:
		return "added";
	case RG_DIFF_REMOVED:
		return "removed";
	case RG_DIFF_CHANGED:
		return "changed";
	default:
		return "unchanged";
	}
}
