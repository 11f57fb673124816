/*
 * regex.h - Go regexp (RE2 syntax) on top of PCRE2.
 *
 * Templates (sprig's regex* functions) and policies (allow/deny lists)
 * write patterns in Go's syntax and expect Go's results. This module
 * compiles such a pattern with PCRE2 and runs the match loops of Go's
 * regexp package (FindAll, ReplaceAll, Split, Expand) on top of it.
 *
 * How PCRE2 is made to agree with RE2:
 *   - UTF mode, no UCP: \d \w \s \b are ASCII-only as in Go; `.` and
 *     classes match whole code points;
 *   - `$` without (?m) matches only at the very end (DOLLAR_ENDONLY);
 *     newline is LF only;
 *   - the pattern is translated before compiling: Go's \v (vertical tab)
 *     becomes \x0B, \s and \S become Go's [\t\n\f\r ] and its complement
 *     (PCRE2's \s also matches \v);
 *   - Perl features RE2 lacks are rejected with Go's error text:
 *     lookaround, atomic groups, conditionals, recursion, backtracking
 *     verbs, backreferences, possessive and nested repetition (`a*+`,
 *     `a**`), \Z \h \H \R \K \X \g \k \N \C ...;
 *   - Go's semantics for empty matches in FindAll/ReplaceAll/Split.
 *
 * Documented differences (rare in charts and policies):
 *   - matching is backtracking, bounded by RG_CAP_REGEX_MATCH_LIMIT and
 *     RG_CAP_REGEX_DEPTH_LIMIT; hitting them is RG_ELIMIT, where RE2 would
 *     have answered in linear time;
 *   - invalid UTF-8 in a subject cannot be matched by anything (Go reads
 *     each bad byte as U+FFFD, which `.` would match);
 *   - compile error messages are PCRE2's text wrapped in Go's
 *     "error parsing regexp: ..." frame, not Go's exact wording (except
 *     for the rejected Perl features above);
 *   - repetition counts up to 1000 are accepted by both; PCRE2 accepts
 *     larger ones, which Go rejects (we reject above 1000 as Go does).
 *
 * Compiled patterns live on the heap (PCRE2 owns them); free them with
 * rg_regex_free. A compiled pattern may be used by one thread at a time
 * (it counts its matches: after 16 it is JIT-compiled, except in checking
 * builds with RG_ARENA_MALLOC, where valgrind would flag the JIT).
 * Offsets are byte offsets into the subject.
 */
#ifndef RENDERGATE_REGEX_H
#define RENDERGATE_REGEX_H

#include "rendergate/compat.h"
#include "rendergate/err.h"

struct rg_regex;
struct rg_buf;

/*
 * Compile pat[0..len) (Go syntax). On error returns RG_EPARSE with a
 * message like Go's "error parsing regexp: missing closing ): `(a`", or
 * RG_ELIMIT when the pattern is longer than RG_CAP_REGEX_PATTERN_BYTES.
 */
int rg_regex_compile(struct rg_regex **out, const char *pat, size_t len,
		     struct rg_err *err);
/* Free a compiled pattern; NULL is a no-op. */
void rg_regex_free(struct rg_regex *re);

/* Number of capture groups (not counting group 0). */
size_t rg_regex_ngroups(const struct rg_regex *re);
/*
 * Name of group i (1-based), or NULL when the group is unnamed or i is out
 * of range. Borrowed from re.
 */
const char *rg_regex_group_name(const struct rg_regex *re, size_t i);

/*
 * Leftmost-first match at or after byte `pos` of s[0..len) (the text
 * before pos still counts for ^ and \b, as Go's doExecute). On a match
 * returns 1 and fills m[0..2*(ngroups+1)) with start/end pairs, SIZE_MAX
 * for groups that did not take part; no match returns 0. m must have
 * room for 2*(rg_regex_ngroups(re)+1) entries. RG_ELIMIT when a match
 * limit was hit.
 */
int rg_regex_exec(const struct rg_regex *re, const char *s, size_t len,
		  size_t pos, size_t *m, struct rg_err *err);

/* MatchString: *out is true when the pattern matches anywhere in s. */
int rg_regex_match(bool *out, const struct rg_regex *re, const char *s,
		   size_t len, struct rg_err *err);

/*
 * FindAll with Go's loop: at most n matches (n < 0: all), no empty match
 * right after a previous match. For each match fn(ctx, m) is called with
 * the start/end pairs as in rg_regex_exec; a non-zero return from fn stops
 * the loop and is returned.
 */
typedef int (*rg_regex_each_fn)(void *ctx, const size_t *m);
int rg_regex_find_all(const struct rg_regex *re, const char *s, size_t len,
		      long n, rg_regex_each_fn fn, void *ctx,
		      struct rg_err *err);

/*
 * Append to out the template repl[0..rlen) expanded for match m of src,
 * as Go's Regexp.Expand: $1, ${1}, $name, ${name}, $$; a reference to a
 * group that does not exist or did not match expands to nothing, and
 * `$1x` names the group "1x". Returns 0 or RG_ELIMIT (out's cap).
 */
int rg_regex_expand(struct rg_buf *out, const struct rg_regex *re,
		    const char *repl, size_t rlen, const char *src,
		    const size_t *m);

/*
 * ReplaceAllString (literal=false: repl is expanded per match) or
 * ReplaceAllLiteralString (literal=true), appended to out.
 */
int rg_regex_replace_all(struct rg_buf *out, const struct rg_regex *re,
			 const char *s, size_t len, const char *repl,
			 size_t rlen, bool literal, struct rg_err *err);

/*
 * Split as Go's Regexp.Split(s, n): n == 0 gives no pieces, n < 0 all,
 * n > 0 at most n (the last holds the rest). fn(ctx, ptr, len) receives
 * each piece in order (pointers into s).
 */
typedef int (*rg_regex_piece_fn)(void *ctx, const char *p, size_t n);
int rg_regex_split(const struct rg_regex *re, const char *s, size_t len,
		   long n, rg_regex_piece_fn fn, void *ctx, struct rg_err *err);

/* QuoteMeta: backslash before each of \.+*?()|[]{}^$ ; appended to out. */
int rg_regex_quote_meta(struct rg_buf *out, const char *s, size_t len);

#endif
