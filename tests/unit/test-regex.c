#include "test.h"
#include "rendergate/regex.h"
#include "rendergate/buf.h"

/* Expectations follow Go's regexp package documentation and examples. */

static char joined[4096];

static const char *subject;

static const char *errmsg(const struct rg_err *err)
{
	snprintf(joined, sizeof(joined), "%s", err->msg);
	return joined;
}

static int join_match(void *ctx, const size_t *m)
{
	const char *s = subject;
	size_t l = strlen(joined);

	snprintf(joined + l, sizeof(joined) - l, "[%.*s]", (int)(m[1] - m[0]), s + m[0]);
	return 0;
}

static int join_piece(void *ctx, const char *p, size_t n)
{
	size_t l = strlen(joined);

	(void)ctx;
	snprintf(joined + l, sizeof(joined) - l, "<%.*s>", (int)n, p);
	return 0;
}

static const char *find_all(const char *pat, const char *s, long n)
{
	struct rg_regex *re = NULL;
	struct rg_err err = RG_ERR_INIT;

	joined[0] = 0;
	subject = s;
	if (rg_regex_compile(&re, pat, strlen(pat), &err))
		return errmsg(&err);
	rg_regex_find_all(re, s, strlen(s), n, join_match, NULL, &err);
	rg_regex_free(re);
	return joined;
}

static const char *split(const char *pat, const char *s, long n)
{
	struct rg_regex *re = NULL;
	struct rg_err err = RG_ERR_INIT;

	joined[0] = 0;
	if (rg_regex_compile(&re, pat, strlen(pat), &err))
		return errmsg(&err);
	rg_regex_split(re, s, strlen(s), n, join_piece, NULL, &err);
	rg_regex_free(re);
	return joined;
}

static const char *replace(const char *pat, const char *s, const char *repl, bool lit)
{
	struct rg_regex *re = NULL;
	struct rg_err err = RG_ERR_INIT;
	struct rg_buf b = RG_BUF_INIT(4096);

	joined[0] = 0;
	if (rg_regex_compile(&re, pat, strlen(pat), &err))
		return errmsg(&err);
	if (rg_regex_replace_all(&b, re, s, strlen(s), repl, strlen(repl), lit, &err) == 0)
		snprintf(joined, sizeof(joined), "%s", b.ptr);
	rg_buf_release(&b);
	rg_regex_free(re);
	return joined;
}

static int matches(const char *pat, const char *s)
{
	struct rg_regex *re = NULL;
	struct rg_err err = RG_ERR_INIT;
	bool m = false;

	if (rg_regex_compile(&re, pat, strlen(pat), &err))
		return -1;
	if (rg_regex_match(&m, re, s, strlen(s), &err))
		m = false;
	rg_regex_free(re);
	return m;
}

TEST(regex_match_basics)
{
	CHECK_INT(matches("^[a-z]+\\[[0-9]+\\]$", "adam[23]"), 1);
	CHECK_INT(matches("^[a-z]+\\[[0-9]+\\]$", "Job[48]"), 0);
	CHECK_INT(matches("a.c", "a\nc"), 0);
	CHECK_INT(matches("(?s)a.c", "a\nc"), 1);
	/* $ without (?m) is end of text only, not before a final newline */
	CHECK_INT(matches("abc$", "abc\n"), 0);
	CHECK_INT(matches("(?m)abc$", "abc\n"), 1);
	/* \s is Go's [\t\n\f\r ]: no vertical tab */
	CHECK_INT(matches("^\\s$", "\v"), 0);
	CHECK_INT(matches("^[\\s]$", "\v"), 0);
	CHECK_INT(matches("^\\S$", "\v"), 1);
	CHECK_INT(matches("^\\v$", "\v"), 1);
	/* \d and \w are ASCII only */
	CHECK_INT(matches("^\\d$", "\xd9\xa3"), 0);
	CHECK_INT(matches("^.$", "\xc3\xa9"), 1);
	CHECK_INT(matches("^\\p{Greek}+$", "\xce\xb1\xce\xb2"), 1);
	CHECK_INT(matches("^[[:alpha:]]+$", "abc"), 1);
	CHECK_INT(matches("^x{2,3}$", "xxx"), 1);
	CHECK_INT(matches("^a{,2}$", "a{,2}"), 1);
	CHECK_INT(matches("\\Qa.b\\E", "a.b"), 1);
	CHECK_INT(matches("\\Qa.b\\E", "axb"), 0);
}

TEST(regex_rejects_perl_only_syntax)
{
	struct rg_regex *re = NULL;
	struct rg_err err = RG_ERR_INIT;

	CHECK_INT(rg_regex_compile(&re, "a(?=b)", 6, &err), RG_EPARSE);
	CHECK_STR(err.msg, "error parsing regexp: invalid or unsupported Perl syntax: `(?=`");
	CHECK_INT(rg_regex_compile(&re, "(a)\\1", 5, &err), RG_EPARSE);
	CHECK_STR(err.msg, "error parsing regexp: invalid escape sequence: `\\1`");
	CHECK_INT(rg_regex_compile(&re, "a**", 3, &err), RG_EPARSE);
	CHECK_STR(err.msg, "error parsing regexp: invalid nested repetition operator: `**`");
	CHECK_INT(rg_regex_compile(&re, "a*+", 3, &err), RG_EPARSE);
	CHECK_INT(rg_regex_compile(&re, "\\Z", 2, &err), RG_EPARSE);
	CHECK_INT(rg_regex_compile(&re, "a{1001}", 7, &err), RG_EPARSE);
	CHECK_INT(rg_regex_compile(&re, "(a", 2, &err), RG_EPARSE);
	CHECK_STR(err.msg, "error parsing regexp: missing closing ): `(a`");
	CHECK_INT(rg_regex_compile(&re, "a)", 2, &err), RG_EPARSE);
	CHECK_STR(err.msg, "error parsing regexp: unexpected ): `a)`");
	CHECK_INT(rg_regex_compile(&re, "x[a-z", 5, &err), RG_EPARSE);
	CHECK_STR(err.msg, "error parsing regexp: missing closing ]: `[a-z`");
	CHECK_INT(rg_regex_compile(&re, "*a", 2, &err), RG_EPARSE);
	CHECK_STR(err.msg, "error parsing regexp: missing argument to repetition operator: `*`");
	CHECK_INT(rg_regex_compile(&re, "a*?", 3, &err), 0);
	rg_regex_free(re);
	re = NULL;
	CHECK_INT(rg_regex_compile(&re, "a{2}?", 5, &err), 0);
	rg_regex_free(re);
}

TEST(regex_find_all_like_go)
{
	/* examples from Go's regexp documentation */
	CHECK_STR(find_all("a.", "paranormal", -1), "[ar][an][al]");
	CHECK_STR(find_all("a.", "paranormal", 2), "[ar][an]");
	CHECK_STR(find_all("a.", "graal", -1), "[aa]");
	CHECK_STR(find_all("a.", "none", -1), "");
	/* empty matches: one per rune, none right after a match */
	CHECK_STR(find_all("a*", "baaab", -1), "[][aaa][]");
	CHECK_STR(find_all("", "abc", -1), "[][][][]");
	CHECK_STR(find_all("x*", "\xc3\xa9", -1), "[][]");
}

/*
 * Subjects with runes of several bytes, and subjects that are not UTF-8:
 * the patterns are compiled with PCRE2_MATCH_INVALID_UTF, so bad bytes
 * never match (not even "."), the text around them does, and nothing
 * fails.
 */
TEST(regex_utf8_subjects)
{
	static const char bad[] = "abc\xff\xfe d";
	struct rg_regex *re = NULL;
	struct rg_err err = RG_ERR_INIT;
	struct rg_buf b = RG_BUF_INIT(4096);

	/* E9 is e acute, E2 82 AC the euro sign */
	CHECK_STR(find_all("\xc3\xa9.", "a\xc3\xa9" "b\xc3\xa9" "c\xc3\xa9" "d", -1),
		  "[\xc3\xa9" "b][\xc3\xa9" "c][\xc3\xa9" "d]");
	CHECK_STR(find_all(".", "\xe2\x82\xac" "x", -1), "[\xe2\x82\xac][x]");
	CHECK_STR(replace("\xc3\xa9", "a\xc3\xa9" "b\xc3\xa9", "E", true), "aEbE");
	CHECK_STR(find_all(".", bad, -1), "[a][b][c][ ][d]");
	CHECK_INT(rg_regex_compile(&re, "[a-z]", 5, &err), 0);
	CHECK_INT(rg_regex_replace_all(&b, re, bad, sizeof(bad) - 1, "X", 1,
				       true, &err),
		  0);
	CHECK_MEM(b.ptr, b.len, "XXX\xff\xfe X", 7);
	rg_buf_release(&b);
	rg_regex_free(re);
}

TEST(regex_replace_all_like_go)
{
	/* Go docs: ReplaceAllString examples */
	CHECK_STR(replace("a(x*)b", "-ab-axxb-", "T", false), "-T-T-");
	CHECK_STR(replace("a(x*)b", "-ab-axxb-", "$1", false), "--xx-");
	CHECK_STR(replace("a(x*)b", "-ab-axxb-", "$1W", false), "---");
	CHECK_STR(replace("a(x*)b", "-ab-axxb-", "${1}W", false), "-W-xxW-");
	CHECK_STR(replace("a(?P<x>x*)b", "-ab-axxb-", "${x}W", false), "-W-xxW-");
	CHECK_STR(replace("a(x*)b", "-ab-axxb-", "$$1", false), "-$1-$1-");
	CHECK_STR(replace("a(x*)b", "-ab-axxb-", "${1", false), "-${1-${1-");
	CHECK_STR(replace("a(x*)b", "-ab-axxb-", "$1W", true), "-$1W-$1W-");
	CHECK_STR(replace("a*", "baaab", "X", false), "XbXbX");
	CHECK_STR(replace("", "abc", "-", false), "-a-b-c-");
	CHECK_STR(replace("ab*", "xabbbx", "Z", false), "xZx");
}

TEST(regex_split_like_go)
{
	/* Go docs: Split examples */
	CHECK_STR(split("a", "banana", -1), "<b><n><n><>");
	CHECK_STR(split("a", "banana", 0), "");
	CHECK_STR(split("a", "banana", 1), "<banana>");
	CHECK_STR(split("a", "banana", 2), "<b><nana>");
	CHECK_STR(split("z+", "pizza", -1), "<pi><a>");
	CHECK_STR(split("z+", "pizza", 0), "");
	CHECK_STR(split("z+", "pizza", 1), "<pizza>");
	CHECK_STR(split("z+", "pizza", 2), "<pi><a>");
	CHECK_STR(split("", "abc", -1), "<a><b><c>");
	CHECK_STR(split("x", "", -1), "<>");
	CHECK_STR(split("", "", -1), "");
}

TEST(regex_quote_meta)
{
	struct rg_buf b = RG_BUF_INIT(256);

	CHECK_INT(rg_regex_quote_meta(&b, "Escaping $5 [x]{1}.*", 20), 0);
	CHECK_STR(b.ptr, "Escaping \\$5 \\[x\\]\\{1\\}\\.\\*");
	rg_buf_release(&b);
}

TEST(regex_match_limit)
{
	struct rg_regex *re = NULL;
	struct rg_err err = RG_ERR_INIT;
	char s[64];
	bool m = false;

	memset(s, 'a', 40);
	s[40] = '!';
	s[41] = 0;
	CHECK_INT(rg_regex_compile(&re, "^(a+)+$", 7, &err), 0);
	CHECK_INT(rg_regex_match(&m, re, s, 41, &err), RG_ELIMIT);
	rg_regex_free(re);
}

TEST(regex_group_names)
{
	struct rg_regex *re = NULL;
	struct rg_err err = RG_ERR_INIT;

	CHECK_INT(rg_regex_compile(&re, "(?P<first>a)(b)", 15, &err), 0);
	CHECK_INT(rg_regex_ngroups(re), 2);
	CHECK_STR(rg_regex_group_name(re, 1), "first");
	CHECK(rg_regex_group_name(re, 2) == NULL);
	rg_regex_free(re);
}
