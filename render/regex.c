#include "rendergate/compat.h"
#include "rendergate/regex.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/*
 * JIT compiling costs more than a few interpreted matches, and templates
 * compile a pattern for every call (semverCompare, regexMatch), so a
 * pattern is JIT-compiled only once it has run this many times (policies
 * keep theirs for a whole push).
 */
#define JIT_AFTER_RUNS 16

struct usage {
	unsigned runs;
	bool jit_done;
};

struct rg_regex {
	pcre2_code *code;
	struct usage *use; /* mutable through a const pattern */
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	size_t ngroups;
	size_t patlen; /* Go's Split looks at len(re.expr) */
	char **names; /* [ngroups + 1], NULL for unnamed groups */
};

static int perr(struct rg_err *err, const char *pat, size_t len,
		const char *what, const char *frag, size_t fraglen)
{
	return rg_err_set(err, RG_EPARSE, NULL, "error parsing regexp: %s: `%.*s`",
			  what, (int)(frag ? fraglen : len), frag ? frag : pat);
}

/* Length of the UTF-8 sequence starting at s[0] (1 for bad bytes). */
static size_t u8len(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];
	size_t l = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;

	if (c >= 0x80 && c < 0xC0)
		return 1;
	return l > n ? n : l;
}

static int is_rep(char c)
{
	return c == '*' || c == '+' || c == '?';
}

/* Parse {n}, {n,}, {n,m} at p; returns its length or 0 if not a repeat. */
static size_t repeat_len(const char *p, size_t n, long *lo, long *hi)
{
	size_t i = 1;
	long a = 0, b = -1;

	if (n < 3 || p[0] != '{' || p[1] < '0' || p[1] > '9')
		return 0;
	while (i < n && p[i] >= '0' && p[i] <= '9' && a < 100000)
		a = a * 10 + (p[i++] - '0');
	b = a;
	if (i < n && p[i] == ',') {
		i++;
		b = -1;
		if (i < n && p[i] >= '0' && p[i] <= '9') {
			b = 0;
			while (i < n && p[i] >= '0' && p[i] <= '9' && b < 100000)
				b = b * 10 + (p[i++] - '0');
		}
	}
	if (i >= n || p[i] != '}')
		return 0;
	*lo = a;
	*hi = b;
	return i + 1;
}

/*
 * Translate Go syntax into PCRE2 syntax, rejecting what RE2 lacks.
 * Character classes are tracked so that \s inside [...] expands to the
 * bare members.
 */
static int translate(struct rg_buf *o, const char *p, size_t n,
		     struct rg_err *err)
{
	size_t i = 0;
	int in_class = 0;
	int prev_rep = 0; /* the previous token was a repetition operator */
	int rc = 0;

	while (i < n) {
		char c = p[i];
		int was_rep = prev_rep;

		prev_rep = 0;
		if (c == '\\') {
			char e = i + 1 < n ? p[i + 1] : 0;

			if (i + 1 >= n) {
				rc = perr(err, p, n, "trailing backslash at end of expression", "", 0);
				goto out;
			}
			if (e == 'Q') {
				/* \Q...\E literal text: copy through */
				const char *end = NULL;
				size_t j;

				for (j = i + 2; j + 1 < n; j++)
					if (p[j] == '\\' && p[j + 1] == 'E') {
						end = p + j;
						break;
					}
				j = end ? (size_t)(end - p) + 2 : n;
				rg_buf_add(o, p + i, j - i);
				if (!end)
					rg_buf_adds(o, "\\E");
				i = j;
				continue;
			}
			if ((e == 'p' || e == 'P' || e == 'x') && i + 2 < n && p[i + 2] == '{') {
				const char *close = memchr(p + i, '}', n - i);
				size_t l = close ? (size_t)(close - (p + i)) + 1 : n - i;

				rg_buf_add(o, p + i, l);
				i += l;
				continue;
			}
			if (e == 'v') {
				rg_buf_adds(o, "\\x{0B}");
			} else if (e == 's') {
				rg_buf_adds(o, in_class ? "\\t\\n\\f\\r " : "[\\t\\n\\f\\r ]");
			} else if (e == 'S') {
				rg_buf_adds(o, in_class ? "\\x00-\\x08\\x{0B}\\x0E-\\x1F\\x21-\\x{10FFFF}"
							: "[^\\t\\n\\f\\r ]");
			} else if (e >= '1' && e <= '9') {
				rc = perr(err, p, n, "invalid escape sequence", p + i, 2);
				goto out;
			} else if (e == '0') {
				/* Go: octal \0, \01, \012 (at most three digits) */
				rg_buf_add(o, p + i, 2);
			} else if (strchr("afnrtxdDwWbBAzpP", e) ||
				   !((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') ||
				     (unsigned char)e >= 0x80)) {
				if ((e == 'b' || e == 'B' || e == 'A' || e == 'z') && in_class) {
					rc = perr(err, p, n, "invalid escape sequence", p + i, 2);
					goto out;
				}
				rg_buf_add(o, p + i, 2);
			} else {
				rc = perr(err, p, n, "invalid escape sequence", p + i, 2);
				goto out;
			}
			i += 2;
			continue;
		}
		if (in_class) {
			if (c == '[' && i + 1 < n && p[i + 1] == ':') {
				const char *close = NULL;

				for (size_t j = i + 2; j + 1 < n; j++)
					if (p[j] == ':' && p[j + 1] == ']') {
						close = p + j;
						break;
					}
				if (close) {
					size_t l = (size_t)(close - (p + i)) + 2;

					rg_buf_add(o, p + i, l);
					i += l;
					continue;
				}
			}
			if (c == ']') {
				in_class = 0;
			}
			rg_buf_add(o, p + i, 1);
			i++;
			continue;
		}
		if (c == '[') {
			in_class = 1;
			rg_buf_addch(o, c);
			i++;
			if (i < n && p[i] == '^')
				rg_buf_addch(o, p[i++]);
			if (i < n && p[i] == ']') /* literal ] first in class */
				rg_buf_adds(o, "\\]"), i++;
			continue;
		}
		if (c == '(' && i + 1 < n && p[i + 1] == '?') {
			char f = i + 2 < n ? p[i + 2] : 0;

			if (f == 'P' && i + 3 < n && p[i + 3] == '<') {
				rg_buf_add(o, p + i, 4);
				i += 4;
				continue;
			}
			if (f == '<' && i + 3 < n && p[i + 3] != '=' && p[i + 3] != '!') {
				rg_buf_add(o, p + i, 3);
				i += 3;
				continue;
			}
			if (f == ':' || f == 'i' || f == 'm' || f == 's' || f == 'U' || f == '-') {
				/* flag groups: Go allows only i m s U */
				size_t j = i + 2;

				while (j < n && p[j] != ')' && p[j] != ':') {
					if (!strchr("imsU-", p[j])) {
						rc = perr(err, p, n, "invalid or unsupported Perl syntax",
							  p + i, j - i + 1);
						goto out;
					}
					j++;
				}
				rg_buf_add(o, p + i, 2);
				i += 2;
				continue;
			}
			rc = perr(err, p, n, "invalid or unsupported Perl syntax", p + i,
				  i + 3 <= n ? 3 : n - i);
			goto out;
		}
		if (c == '(' && i + 1 < n && p[i + 1] == '*') {
			rc = perr(err, p, n, "missing argument to repetition operator", p + i + 1, 1);
			goto out;
		}
		if (is_rep(c)) {
			if (was_rep == 1 && c == '?') {
				prev_rep = 2; /* lazy marker */
			} else if (was_rep) {
				rc = perr(err, p, n, "invalid nested repetition operator", p + i - 1, 2);
				goto out;
			} else {
				prev_rep = 1;
			}
			rg_buf_addch(o, c);
			i++;
			continue;
		}
		if (c == '{') {
			long lo = 0, hi = 0;
			size_t l = repeat_len(p + i, n - i, &lo, &hi);

			if (l) {
				if (lo > (long)RG_CAP_REGEX_REPEAT || hi > (long)RG_CAP_REGEX_REPEAT) {
					/* Go's words, then the cap RE2 has too */
					rc = rg_err_set(err, RG_EPARSE, NULL,
							"error parsing regexp: invalid repeat count: "
							"`%.*s` (more than %u, RG_CAP_REGEX_REPEAT)",
							(int)l, p + i, RG_CAP_REGEX_REPEAT);
					goto out;
				}
				if (hi >= 0 && hi < lo) {
					rc = perr(err, p, n, "invalid repeat count", p + i, l);
					goto out;
				}
				if (was_rep) {
					rc = perr(err, p, n, "invalid nested repetition operator", p + i, l);
					goto out;
				}
				rg_buf_add(o, p + i, l);
				i += l;
				prev_rep = 1;
				continue;
			}
			/* a literal brace in Go */
			rg_buf_adds(o, "\\{");
			i++;
			continue;
		}
		{
			size_t l = u8len(p + i, n - i);

			rg_buf_add(o, p + i, l);
			i += l;
		}
	}
out:
	return rc;
}

/*
 * A PCRE2 compile error in Go's words where the cause is common (an
 * unbalanced parenthesis or bracket, a repetition with nothing to
 * repeat); PCRE2's own text otherwise.
 */
static int compile_error(struct rg_err *err, const char *pat, size_t len, int ecode,
			 const char *tr, size_t eoff)
{
	PCRE2_UCHAR msg[256];

	switch (ecode) {
	case PCRE2_ERROR_MISSING_CLOSING_PARENTHESIS:
		return perr(err, pat, len, "missing closing )", NULL, 0);
	case PCRE2_ERROR_UNMATCHED_CLOSING_PARENTHESIS:
		return perr(err, pat, len, "unexpected )", NULL, 0);
	case PCRE2_ERROR_MISSING_SQUARE_BRACKET: {
		/* Go quotes the class from its '[' to the end */
		size_t at = len;

		for (size_t i = 0; i < len; i++) {
			if (pat[i] == '\\') {
				i++;
				continue;
			}
			if (pat[i] == '[' && at == len)
				at = i;
			else if (pat[i] == ']' && at != len && i > at + 1)
				at = len;
		}
		if (at == len)
			at = 0;
		return perr(err, pat, len, "missing closing ]", pat + at, len - at);
	}
	case PCRE2_ERROR_QUANTIFIER_INVALID:
		/* PCRE2's offset is at or just after the operator */
		for (size_t k = eoff + 1; k > 0 && k + 1 >= eoff; k--)
			if (tr[k - 1] && strchr("*+?{", tr[k - 1]))
				return perr(err, pat, len, "missing argument to repetition operator",
					    tr + k - 1, 1);
		break;
	}
	pcre2_get_error_message(ecode, msg, sizeof(msg));
	return perr(err, pat, len, (const char *)msg, NULL, 0);
}

int rg_regex_compile(struct rg_regex **out, const char *pat, size_t len,
		     struct rg_err *err)
{
	struct rg_buf tr = RG_BUF_INIT(RG_CAP_REGEX_PATTERN_BYTES * 8);
	struct rg_regex *re = NULL;
	pcre2_compile_context *cctx = NULL;
	int ecode = 0;
	PCRE2_SIZE eoff = 0;
	int rc = 0;

	if (len > RG_CAP_REGEX_PATTERN_BYTES) {
		rc = rg_err_set(err, RG_ELIMIT, NULL,
				"regular expression longer than %u bytes (RG_CAP_REGEX_PATTERN_BYTES)",
				RG_CAP_REGEX_PATTERN_BYTES);
		goto out;
	}
	rc = translate(&tr, pat, len, err);
	if (rc)
		goto out;
	cctx = pcre2_compile_context_create(NULL);
	pcre2_set_newline(cctx, PCRE2_NEWLINE_LF);
	pcre2_set_bsr(cctx, PCRE2_BSR_ANYCRLF);
	re = rg_xcalloc(1, sizeof(*re));
	re->patlen = len;
	re->code = pcre2_compile((PCRE2_SPTR)tr.ptr, tr.len,
				 PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_NEVER_BACKSLASH_C |
					 PCRE2_MATCH_INVALID_UTF,
				 &ecode, &eoff, cctx);
	if (!re->code) {
		rc = compile_error(err, pat, len, ecode, tr.ptr, eoff);
		goto out;
	}
	re->use = rg_xcalloc(1, sizeof(*re->use));
	{
		uint32_t cap = 0, nnames = 0, esz = 0;
		PCRE2_SPTR table = NULL;

		pcre2_pattern_info(re->code, PCRE2_INFO_CAPTURECOUNT, &cap);
		re->ngroups = cap;
		re->names = rg_xcalloc(cap + 1, sizeof(char *));
		pcre2_pattern_info(re->code, PCRE2_INFO_NAMECOUNT, &nnames);
		pcre2_pattern_info(re->code, PCRE2_INFO_NAMEENTRYSIZE, &esz);
		pcre2_pattern_info(re->code, PCRE2_INFO_NAMETABLE, &table);
		for (uint32_t k = 0; k < nnames; k++) {
			const unsigned char *e = table + (size_t)k * esz;
			uint32_t g = ((uint32_t)e[0] << 8) | e[1];

			if (g <= cap)
				re->names[g] = rg_xstrdup((const char *)e + 2);
		}
	}
	re->md = pcre2_match_data_create_from_pattern(re->code, NULL);
	re->mctx = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(re->mctx, RG_CAP_REGEX_MATCH_LIMIT);
	pcre2_set_depth_limit(re->mctx, RG_CAP_REGEX_DEPTH_LIMIT);
	*out = re;
	re = NULL;
out:
	pcre2_compile_context_free(cctx);
	rg_regex_free(re);
	rg_buf_release(&tr);
	return rc;
}

void rg_regex_free(struct rg_regex *re)
{
	if (!re)
		return;
	if (re->names)
		for (size_t i = 0; i <= re->ngroups; i++)
			free(re->names[i]);
	free(re->names);
	pcre2_match_data_free(re->md);
	pcre2_match_context_free(re->mctx);
	pcre2_code_free(re->code);
	free(re->use);
	free(re);
}

size_t rg_regex_ngroups(const struct rg_regex *re)
{
	return re->ngroups;
}

const char *rg_regex_group_name(const struct rg_regex *re, size_t i)
{
	return i >= 1 && i <= re->ngroups ? re->names[i] : NULL;
}

static void maybe_jit(const struct rg_regex *re)
{
	if (re->use->jit_done || ++re->use->runs < JIT_AFTER_RUNS)
		return;
	re->use->jit_done = true;
#ifndef RG_ARENA_MALLOC
	/*
	 * JIT code reads ahead in ways valgrind reports as uninitialised;
	 * checking builds (make asan/valgrind define RG_ARENA_MALLOC) stay
	 * with the interpreter, which gives the same answers.
	 */
	(void)pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE);
#endif
}

int rg_regex_exec(const struct rg_regex *re, const char *s, size_t len,
		  size_t pos, size_t *m, struct rg_err *err)
{
	int r = 0, rc = 0;
	PCRE2_SIZE *ov = NULL;

	if (pos > len)
		goto out;
	/*
	 * No PCRE2_NO_UTF_CHECK: the patterns are compiled with
	 * PCRE2_MATCH_INVALID_UTF (a subject that is not UTF-8 is matched
	 * around its bad bytes instead of failing), and PCRE2 then checks
	 * the subject on every call whatever the options say.
	 */
	maybe_jit(re);
	r = pcre2_match(re->code, (PCRE2_SPTR)s, len, pos, 0, re->md, re->mctx);
	if (r == PCRE2_ERROR_NOMATCH)
		goto out;
	/* name the cap that was hit, so the pusher knows which one; the
	   heap and the JIT's stack (the JIT has no depth limit) are not
	   caps of caps.h and keep naming both */
	if (r == PCRE2_ERROR_MATCHLIMIT) {
		rc = rg_err_set(err, RG_ELIMIT, NULL,
				"regular expression match exceeded its step limit "
				"(RG_CAP_REGEX_MATCH_LIMIT)");
		goto out;
	}
	if (r == PCRE2_ERROR_DEPTHLIMIT) {
		rc = rg_err_set(err, RG_ELIMIT, NULL,
				"regular expression match backtracked deeper "
				"than %u levels (RG_CAP_REGEX_DEPTH_LIMIT)",
				RG_CAP_REGEX_DEPTH_LIMIT);
		goto out;
	}
	if (r == PCRE2_ERROR_HEAPLIMIT || r == PCRE2_ERROR_JIT_STACKLIMIT) {
		rc = rg_err_set(err, RG_ELIMIT, NULL,
				"regular expression match exceeded its step limit "
				"(RG_CAP_REGEX_MATCH_LIMIT/RG_CAP_REGEX_DEPTH_LIMIT)");
		goto out;
	}
	if (r < 0) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(r, msg, sizeof(msg));
		rc = rg_err_set(err, RG_ERROR, NULL, "regular expression match failed: %s",
				(const char *)msg);
		goto out;
	}
	ov = pcre2_get_ovector_pointer(re->md);
	for (size_t g = 0; g <= re->ngroups; g++) {
		if ((int)g < r && ov[2 * g] != PCRE2_UNSET) {
			m[2 * g] = ov[2 * g];
			m[2 * g + 1] = ov[2 * g + 1];
		} else {
			m[2 * g] = m[2 * g + 1] = SIZE_MAX;
		}
	}
	rc = 1;
out:
	return rc;
}

int rg_regex_match(bool *out, const struct rg_regex *re, const char *s,
		   size_t len, struct rg_err *err)
{
	size_t *m = rg_xcalloc(2 * (re->ngroups + 1), sizeof(size_t));
	int rc = rg_regex_exec(re, s, len, 0, m, err);

	free(m);
	if (rc < 0)
		return rc;
	*out = rc == 1;
	return 0;
}

/* Width of the rune at s[pos] (0 at the end), as utf8.DecodeRuneInString. */
static size_t rune_width(const char *s, size_t len, size_t pos)
{
	return pos >= len ? 0 : u8len(s + pos, len - pos);
}

int rg_regex_find_all(const struct rg_regex *re, const char *s, size_t len,
		      long n, rg_regex_each_fn fn, void *ctx,
		      struct rg_err *err)
{
	size_t *m = rg_xcalloc(2 * (re->ngroups + 1), sizeof(size_t));
	size_t pos = 0, prev_end = SIZE_MAX;
	long found = 0;
	int rc = 0;

	if (n < 0)
		n = LONG_MAX;
	while (found < n && pos <= len) {
		int accept = 1;

		rc = rg_regex_exec(re, s, len, pos, m, err);
		if (rc <= 0)
			break;
		rc = 0;
		if (m[1] == pos) {
			size_t w = rune_width(s, len, pos);

			if (m[0] == prev_end)
				accept = 0;
			pos = w > 0 ? pos + w : len + 1;
		} else {
			pos = m[1];
		}
		prev_end = m[1];
		if (accept) {
			rc = fn(ctx, m);
			if (rc)
				break;
			found++;
		}
	}
	free(m);
	return rc < 0 || rc > 0 ? rc : 0;
}

static int is_name_byte(unsigned char c)
{
	/* unicode.IsLetter/IsDigit for ASCII; other runes count as letters */
	return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c >= 0x80;
}

int rg_regex_expand(struct rg_buf *out, const struct rg_regex *re,
		    const char *t, size_t tl, const char *src, const size_t *m)
{
	size_t i = 0;
	int rc = 0;

	while (i < tl) {
		const char *d = memchr(t + i, '$', tl - i);
		size_t j, nstart, nlen;
		int brace = 0;
		long num = 0;

		if (!d)
			break;
		rc = rg_buf_add(out, t + i, (size_t)(d - (t + i)));
		if (rc)
			goto out;
		i = (size_t)(d - t) + 1;
		if (i < tl && t[i] == '$') {
			rc = rg_buf_addch(out, '$');
			if (rc)
				goto out;
			i++;
			continue;
		}
		j = i;
		if (j < tl && t[j] == '{') {
			brace = 1;
			j++;
		}
		nstart = j;
		while (j < tl && is_name_byte((unsigned char)t[j]))
			j++;
		nlen = j - nstart;
		if (nlen == 0 || (brace && (j >= tl || t[j] != '}'))) {
			/* malformed: the $ is literal text */
			rc = rg_buf_addch(out, '$');
			if (rc)
				goto out;
			continue;
		}
		if (brace)
			j++;
		i = j;
		for (size_t k = 0; k < nlen; k++) {
			char c = t[nstart + k];

			if (c < '0' || c > '9' || num >= 100000000) {
				num = -1;
				break;
			}
			num = num * 10 + (c - '0');
		}
		if (t[nstart] == '0' && nlen > 1)
			num = -1;
		if (num >= 0) {
			if ((size_t)num <= re->ngroups && m[2 * num] != SIZE_MAX)
				rc = rg_buf_add(out, src + m[2 * num], m[2 * num + 1] - m[2 * num]);
		} else {
			for (size_t g = 1; g <= re->ngroups; g++) {
				const char *nm = re->names[g];

				if (nm && strlen(nm) == nlen && memcmp(nm, t + nstart, nlen) == 0) {
					if (m[2 * g] != SIZE_MAX)
						rc = rg_buf_add(out, src + m[2 * g],
								m[2 * g + 1] - m[2 * g]);
					break;
				}
			}
		}
		if (rc)
			goto out;
	}
	if (i < tl)
		rc = rg_buf_add(out, t + i, tl - i);
out:
	return rc;
}

int rg_regex_replace_all(struct rg_buf *out, const struct rg_regex *re,
			 const char *s, size_t len, const char *repl,
			 size_t rlen, bool literal, struct rg_err *err)
{
	size_t *m = rg_xcalloc(2 * (re->ngroups + 1), sizeof(size_t));
	size_t last = 0, search = 0;
	int rc = 0;

	while (search <= len) {
		size_t w;

		rc = rg_regex_exec(re, s, len, search, m, err);
		if (rc < 0)
			goto out;
		if (rc == 0)
			break;
		rc = rg_buf_add(out, s + last, m[0] - last);
		if (rc)
			goto limit;
		if (m[1] > last || m[0] == 0) {
			rc = literal ? rg_buf_add(out, repl, rlen)
				     : rg_regex_expand(out, re, repl, rlen, s, m);
			if (rc)
				goto limit;
		}
		last = m[1];
		w = rune_width(s, len, search);
		if (search + w > m[1])
			search += w;
		else if (search + 1 > m[1])
			search++;
		else
			search = m[1];
	}
	rc = rg_buf_add(out, s + last, len - last);
limit:
	if (rc)
		rc = rg_err_set(err, RG_ELIMIT, NULL,
				"regular expression replacement larger than its buffer cap");
out:
	free(m);
	return rc;
}

struct split_ctx {
	long n;
	const char *s;
	size_t beg, end, count;
	rg_regex_piece_fn fn;
	void *ctx;
};

static int split_one(void *vctx, const size_t *m)
{
	struct split_ctx *c = vctx;
	int rc = 0;

	if (c->n > 0 && (long)c->count == c->n - 1)
		return 1; /* stop; not an error */
	c->end = m[0];
	if (m[1] != 0) {
		rc = c->fn(c->ctx, c->s + c->beg, c->end - c->beg);
		if (rc)
			return rc;
		c->count++;
	}
	c->beg = m[1];
	return 0;
}

int rg_regex_split(const struct rg_regex *re, const char *s, size_t len,
		   long n, rg_regex_piece_fn fn, void *ctx, struct rg_err *err)
{
	struct split_ctx c = { n, s, 0, 0, 0, fn, ctx };
	int rc = 0;

	if (n == 0)
		goto out;
	if (len == 0) {
		/* Go: a non-empty pattern on "" gives [""]; an empty one gives [] */
		if (re->patlen > 0)
			rc = fn(ctx, s, 0);
		goto out;
	}
	rc = rg_regex_find_all(re, s, len, n, split_one, &c, err);
	if (rc == 1)
		rc = 0;
	if (rc)
		goto out;
	if (c.end != len)
		rc = fn(ctx, s + c.beg, len - c.beg);
out:
	return rc;
}

int rg_regex_quote_meta(struct rg_buf *out, const char *s, size_t len)
{
	int rc = 0;

	for (size_t i = 0; i < len && !rc; i++) {
		if (strchr("\\.+*?()|[]{}^$", s[i]) && s[i])
			rc = rg_buf_addch(out, '\\');
		if (!rc)
			rc = rg_buf_addch(out, s[i]);
	}
	return rc;
}
