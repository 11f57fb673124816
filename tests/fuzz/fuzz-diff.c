/*
 * fuzz-diff.c - the line diff and the semantic diff on arbitrary bytes.
 *
 * The input is split at the first "\n=====\n" into an old and a new text
 * (no separator: both sides are the input).
 *
 *   1. rg_diff_text on the raw texts: unless the diff was replaced by a
 *      summary, applying its hunks to the old text must give the new one
 *      (both read as if they ended in '\n'), and the '+'/'-' counts must
 *      match the hunks.
 *   2. Both texts are parsed as YAML streams into objsets and diffed both
 *      ways: every object is accounted for exactly once and the counts
 *      mirror each other (added one way is removed the other way).
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/diff.h"
#include "rendergate/doc.h"
#include "rendergate/finding.h"
#include "rendergate/objects.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Lines of s[0..n) (a final line without '\n' counts). */
static size_t split(const char *s, size_t n, const char ***out)
{
	const char **l = NULL;
	size_t k = 0, alloc = 0;

	for (size_t i = 0; i < n;) {
		RG_ALLOC_GROW(l, k + 1, alloc);
		l[k++] = s + i;
		while (i < n && s[i] != '\n')
			i++;
		i++;
	}
	*out = l;
	return k;
}

static size_t line_len(const char *p, const char *end)
{
	const char *e = memchr(p, '\n', (size_t)(end - p));

	return e ? (size_t)(e - p) : (size_t)(end - p);
}

/* Apply unified diff d to a; true if the result is b. */
static bool applies(const char *a, size_t alen, const char *b, size_t blen,
		    const char *d, size_t dlen)
{
	struct rg_buf out = RG_BUF_INIT((size_t)1 << 30);
	const char **la = NULL, *p = d, *end = d + dlen;
	size_t na = split(a, alen, &la), pos = 0;
	bool ok = true;

	for (int skip = 0; skip < 2 && p < end; skip++)
		p += line_len(p, end) + 1;
	while (ok && p < end) {
		unsigned long as, ac = 1;
		char *q;

		if (strncmp(p, "@@ -", 4)) {
			ok = false;
			break;
		}
		as = strtoul(p + 4, &q, 10);
		if (*q == ',')
			ac = strtoul(q + 1, &q, 10);
		if (ac == 0)
			as++;
		for (; pos + 1 < as && pos < na; pos++) {
			rg_buf_add(&out, la[pos], line_len(la[pos], a + alen));
			rg_buf_addch(&out, '\n');
		}
		p += line_len(p, end) + 1;
		while (ok && p < end && *p != '@') {
			size_t n = line_len(p, end);

			if (*p == ' ' || *p == '-') {
				ok = pos < na &&
				     line_len(la[pos], a + alen) == n - 1 &&
				     !memcmp(la[pos], p + 1, n - 1);
				pos++;
			}
			if (*p == ' ' || *p == '+') {
				rg_buf_add(&out, p + 1, n - 1);
				rg_buf_addch(&out, '\n');
			}
			p += n + 1;
		}
	}
	for (; ok && pos < na; pos++) {
		rg_buf_add(&out, la[pos], line_len(la[pos], a + alen));
		rg_buf_addch(&out, '\n');
	}
	if (ok) {
		/* b as if it ended in '\n' */
		ok = (out.len == blen && !memcmp(out.ptr, b, blen)) ||
		     (blen && b[blen - 1] != '\n' && out.len == blen + 1 &&
		      !memcmp(out.ptr, b, blen));
	}
	rg_buf_release(&out);
	free(la);
	return ok;
}

static void load(struct rg_objset *s, struct rg_arena *a, const char *text,
		 size_t len)
{
	struct rg_docs docs = {NULL, 0, 0};
	struct rg_err err = RG_ERR_INIT;
	struct rg_findings f;

	rg_objset_init(s, a);
	rg_finding_init(&f, a);
	if (rg_doc_parse(&docs, a, "f.yaml", text, len, 0, &err) < 0)
		return;
	for (size_t i = 0; i < docs.len; i++)
		if (rg_objset_add_doc(NULL, s, docs.docs[i], &f, "fuzz", NULL,
				      &err) == RG_ELIMIT)
			return;
}

static void check_text(struct rg_arena *a, const char *x, size_t xl,
		       const char *y, size_t yl)
{
	struct rg_err err = RG_ERR_INIT;
	const char *out = NULL;
	size_t len = 0, add = 0, del = 0, plus = 0, minus = 0;
	bool rep = false;

	if (rg_diff_text(&out, &len, &rep, &add, &del, x, xl, y, yl, "a", "b",
			 a, &err) < 0)
		abort();
	if (rep)
		return;
	if (!applies(x, xl, y, yl, out, len))
		abort();
	for (const char *p = out; p < out + len;
	     p += line_len(p, out + len) + 1) {
		plus += *p == '+';
		minus += *p == '-';
	}
	/* the two header lines start with "---" and "+++" */
	if (len && (plus != add + 1 || minus != del + 1))
		abort();
}

static void check_sets(struct rg_arena *a, const struct rg_objset *o,
		       const struct rg_objset *n)
{
	struct rg_err err = RG_ERR_INIT;
	struct rg_diff *d1 = NULL, *d2 = NULL;

	if (rg_diff_objsets(&d1, o, n, "fuzz", a, &err) < 0 ||
	    rg_diff_objsets_flags(&d2, n, o, "fuzz", RG_DIFF_NO_NOISE_RULES, a,
				  &err) < 0)
		return; /* an object over the emitter's cap */
	if (d1->len !=
		d1->nadded + d1->nremoved + d1->nchanged + d1->nunchanged ||
	    d1->nadded != d2->nremoved || d1->nremoved != d2->nadded ||
	    d1->nchanged != d2->nchanged || d1->len != d2->len)
		abort();
	for (size_t i = 0; i < d1->len; i++) {
		const struct rg_diff_obj *x = &d1->objs[i];

		if (i && strcmp(d1->objs[i - 1].key, x->key) >= 0)
			abort();
		if (x->status == RG_DIFF_UNCHANGED && x->unified_len)
			abort();
		if (x->status == RG_DIFF_ADDED && (x->old || !x->new))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *sep = memmem(s, size, "\n=====\n", 7);
	size_t xl = sep ? (size_t)(sep - s) + 1 : size;
	const char *y = sep ? sep + 7 : s;
	size_t yl = sep ? size - (size_t)(y - s) : size;
	struct rg_arena *a = rg_arena_new();
	struct rg_objset o, n;

	check_text(a, s, xl, y, yl);
	load(&o, a, s, xl);
	load(&n, a, y, yl);
	check_sets(a, &o, &n);
	rg_arena_free(a);
	return 0;
}
