/*
 * fuzz-regex.c - Go-syntax patterns on PCRE2 with arbitrary input: the
 * first line is the pattern, the rest the subject. Compiling must fail
 * cleanly or succeed; matches must lie inside the subject, in order, and
 * FindAll, ReplaceAll (with $-expansion) and Split must stay within their
 * caps (RG_ELIMIT is an acceptable answer).
 */
#include "rendergate/compat.h"
#include "rendergate/buf.h"
#include "rendergate/regex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct span {
	size_t len, last;
};

static int check_match(void *ctx, const size_t *m)
{
	struct span *s = ctx;

	if (m[0] > m[1] || m[1] > s->len || (s->last != SIZE_MAX && m[0] < s->last))
		RG_BUG("match [%zu,%zu) out of order or bounds", m[0], m[1]);
	s->last = m[1];
	return 0;
}

static int count_piece(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *nl = memchr(s, '\n', size);
	size_t plen = nl ? (size_t)(nl - s) : size;
	const char *subj = nl ? nl + 1 : "";
	size_t slen = nl ? size - plen - 1 : 0;
	struct rg_err err = RG_ERR_INIT;
	struct rg_regex *re = NULL;
	struct rg_buf b = RG_BUF_INIT(1u << 20), q = RG_BUF_INIT(1u << 20);
	struct span sp = { slen, SIZE_MAX };
	bool m = false;

	if (rg_regex_compile(&re, s, plen, &err) == 0) {
		(void)rg_regex_match(&m, re, subj, slen, &err);
		(void)rg_regex_find_all(re, subj, slen, -1, check_match, &sp, &err);
		(void)rg_regex_replace_all(&b, re, subj, slen, "<$1|${name}|$$>", 15, false, &err);
		(void)rg_regex_split(re, subj, slen, -1, count_piece, NULL, &err);
		rg_regex_free(re);
	}
	(void)rg_regex_quote_meta(&q, s, plen);
	if (rg_regex_compile(&re, q.ptr, q.len, &err) == 0) {
		/* a quoted pattern matches itself literally */
		if (q.len <= 4096 && memchr(s, 0, plen) == NULL &&
		    rg_regex_match(&m, re, s, plen, &err) == 0 && !m)
			RG_BUG("QuoteMeta pattern does not match its own text");
		rg_regex_free(re);
	}
	rg_buf_release(&b);
	rg_buf_release(&q);
	return 0;
}
