#include "rendergate/compat.h"
#include "rendergate/funcs_lib.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/regex.h"

/*
 * Sprig's regex functions (regex.go) on regex.h. The plain forms use
 * regexp.MustCompile, whose panic becomes the error
 * "regexp: Compile(`PAT`): error parsing regexp: ..."; the must* forms
 * return Go's compile error itself; regexMatch alone swallows it (false).
 */

enum how { MUST_COMPILE, RETURN_ERR };

static int compile(struct rg_regex **re, struct rg_tmpl_call *c, struct rg_str pat, enum how how)
{
	struct rg_err err = RG_ERR_INIT;
	int rc = rg_regex_compile(re, pat.ptr, pat.len, &err);

	if (rc == RG_ELIMIT)
		return rg_tmpl_fail_limit(c, "%s", err.msg);
	if (rc && how == MUST_COMPILE)
		return rg_tmpl_fail(c, "regexp: Compile(%s): %s",
				    rg_arena_printf(c->arena, "`%.*s`", (int)pat.len, pat.ptr), err.msg);
	if (rc)
		return rg_tmpl_fail(c, "%s", err.msg);
	return 0;
}

static int match_fail(struct rg_tmpl_call *c, struct rg_err *err)
{
	return err->code == RG_ELIMIT ? rg_tmpl_fail_limit(c, "%s", err->msg)
				      : rg_tmpl_fail(c, "%s", err->msg);
}

static int match(struct rg_node **out, struct rg_tmpl_call *c,
		 struct rg_node *const *args, bool must)
{
	struct rg_err err = RG_ERR_INIT;
	struct rg_regex *re = NULL;
	struct rg_str pat, s;
	bool m = false;
	int rc = 0;

	RG_FUNCS_STR(pat, 0);
	RG_FUNCS_STR(s, 1);
	if (rg_regex_compile(&re, pat.ptr, pat.len, &err)) {
		if (must)
			rc = rg_tmpl_fail(c, "%s", err.msg);
		else
			*out = rg_node_bool(c->arena, false);
		goto out;
	}
	if (rg_regex_match(&m, re, s.ptr, s.len, &err)) {
		rc = match_fail(c, &err);
		goto out;
	}
	*out = rg_node_bool(c->arena, m);
out:
	rg_regex_free(re);
	return rc;
}

static int fn_regex_match(struct rg_node **out, struct rg_tmpl_call *c,
			  struct rg_node *const *args, size_t nargs)
{
	return match(out, c, args, false);
}

static int fn_must_regex_match(struct rg_node **out, struct rg_tmpl_call *c,
			       struct rg_node *const *args, size_t nargs)
{
	return match(out, c, args, true);
}

struct collect {
	struct rg_tmpl_call *c;
	const char *s;
	struct rg_node *list;
};

static int collect_match(void *ctx, const size_t *m)
{
	struct collect *k = ctx;

	rg_seq_push(k->c->arena, k->list, rg_node_strn(k->c->arena, k->s + m[0], m[1] - m[0]));
	return 0;
}

static int collect_piece(void *ctx, const char *p, size_t n)
{
	struct collect *k = ctx;

	rg_seq_push(k->c->arena, k->list, rg_node_strn(k->c->arena, p, n));
	return 0;
}

/* regexFindAll REGEX S N: []string (nil when nothing matched) */
static int find_all(struct rg_node **out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, enum how how)
{
	struct rg_err err = RG_ERR_INIT;
	struct rg_regex *re = NULL;
	struct rg_str pat, s;
	struct collect k = { c, NULL, NULL };
	int64_t n = 0;
	int rc = 0;

	RG_FUNCS_STR(pat, 0);
	RG_FUNCS_STR(s, 1);
	RG_FUNCS_INT(n, 2);
	rc = compile(&re, c, pat, how);
	if (rc)
		goto out;
	k.s = s.ptr;
	k.list = rg_tmpl_typed(rg_node_seq(c->arena), RG_GT_STRSLICE);
	if (rg_regex_find_all(re, s.ptr, s.len, n < 0 ? -1 : (long)n, collect_match, &k, &err)) {
		rc = match_fail(c, &err);
		goto out;
	}
	*out = k.list;
out:
	rg_regex_free(re);
	return rc;
}

static int fn_regex_find_all(struct rg_node **out, struct rg_tmpl_call *c,
			     struct rg_node *const *args, size_t nargs)
{
	return find_all(out, c, args, MUST_COMPILE);
}

static int fn_must_regex_find_all(struct rg_node **out, struct rg_tmpl_call *c,
				  struct rg_node *const *args, size_t nargs)
{
	return find_all(out, c, args, RETURN_ERR);
}

/* regexFind REGEX S: the first match or "" */
static int find(struct rg_node **out, struct rg_tmpl_call *c,
		struct rg_node *const *args, enum how how)
{
	struct rg_err err = RG_ERR_INIT;
	struct rg_regex *re = NULL;
	struct rg_str pat, s;
	size_t *m = NULL;
	int rc = 0, r = 0;

	RG_FUNCS_STR(pat, 0);
	RG_FUNCS_STR(s, 1);
	rc = compile(&re, c, pat, how);
	if (rc)
		goto out;
	m = rg_arena_calloc(c->arena, 2 * (rg_regex_ngroups(re) + 1), sizeof(size_t));
	r = rg_regex_exec(re, s.ptr, s.len, 0, m, &err);
	if (r < 0) {
		rc = match_fail(c, &err);
		goto out;
	}
	*out = r ? rg_node_strn(c->arena, s.ptr + m[0], m[1] - m[0]) : rg_node_str(c->arena, "");
out:
	rg_regex_free(re);
	return rc;
}

static int fn_regex_find(struct rg_node **out, struct rg_tmpl_call *c,
			 struct rg_node *const *args, size_t nargs)
{
	return find(out, c, args, MUST_COMPILE);
}

static int fn_must_regex_find(struct rg_node **out, struct rg_tmpl_call *c,
			      struct rg_node *const *args, size_t nargs)
{
	return find(out, c, args, RETURN_ERR);
}

/* regexReplaceAll REGEX S REPL (literal: ReplaceAllLiteralString) */
static int replace(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, enum how how, bool literal)
{
	struct rg_buf b = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);
	struct rg_err err = RG_ERR_INIT;
	struct rg_regex *re = NULL;
	struct rg_str pat, s, repl;
	int rc = 0;

	RG_FUNCS_STR(pat, 0);
	RG_FUNCS_STR(s, 1);
	RG_FUNCS_STR(repl, 2);
	rc = compile(&re, c, pat, how);
	if (rc)
		goto out;
	if (rg_regex_replace_all(&b, re, s.ptr, s.len, repl.ptr, repl.len, literal, &err)) {
		rc = err.code == RG_ELIMIT ? rg_tmpl_fail_limit(c, "%s", err.msg) : match_fail(c, &err);
		goto out;
	}
	*out = rg_funcs_buf_str(c, &b);
out:
	rg_buf_release(&b);
	rg_regex_free(re);
	return rc;
}

static int fn_regex_replace_all(struct rg_node **out, struct rg_tmpl_call *c,
				struct rg_node *const *args, size_t nargs)
{
	return replace(out, c, args, MUST_COMPILE, false);
}

static int fn_must_regex_replace_all(struct rg_node **out, struct rg_tmpl_call *c,
				     struct rg_node *const *args, size_t nargs)
{
	return replace(out, c, args, RETURN_ERR, false);
}

static int fn_regex_replace_all_literal(struct rg_node **out, struct rg_tmpl_call *c,
					struct rg_node *const *args, size_t nargs)
{
	return replace(out, c, args, MUST_COMPILE, true);
}

static int fn_must_regex_replace_all_literal(struct rg_node **out, struct rg_tmpl_call *c,
					     struct rg_node *const *args, size_t nargs)
{
	return replace(out, c, args, RETURN_ERR, true);
}

/* regexSplit REGEX S N: []string */
static int split(struct rg_node **out, struct rg_tmpl_call *c,
		 struct rg_node *const *args, enum how how)
{
	struct rg_err err = RG_ERR_INIT;
	struct rg_regex *re = NULL;
	struct rg_str pat, s;
	struct collect k = { c, NULL, NULL };
	int64_t n = 0;
	int rc = 0;

	RG_FUNCS_STR(pat, 0);
	RG_FUNCS_STR(s, 1);
	RG_FUNCS_INT(n, 2);
	rc = compile(&re, c, pat, how);
	if (rc)
		goto out;
	k.list = rg_tmpl_typed(rg_node_seq(c->arena), RG_GT_STRSLICE);
	if (rg_regex_split(re, s.ptr, s.len, n < 0 ? -1 : (long)n, collect_piece, &k, &err)) {
		rc = match_fail(c, &err);
		goto out;
	}
	*out = k.list;
out:
	rg_regex_free(re);
	return rc;
}

static int fn_regex_split(struct rg_node **out, struct rg_tmpl_call *c,
			  struct rg_node *const *args, size_t nargs)
{
	return split(out, c, args, MUST_COMPILE);
}

static int fn_must_regex_split(struct rg_node **out, struct rg_tmpl_call *c,
			       struct rg_node *const *args, size_t nargs)
{
	return split(out, c, args, RETURN_ERR);
}

static int fn_regex_quote_meta(struct rg_node **out, struct rg_tmpl_call *c,
			       struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);
	struct rg_str s;
	int rc = 0;

	RG_FUNCS_STR(s, 0);
	if (rg_regex_quote_meta(&b, s.ptr, s.len)) {
		rc = rg_tmpl_fail_limit(c, "regexQuoteMeta result too large (RG_CAP_FUNC_OUTPUT_BYTES)");
		goto out;
	}
	*out = rg_funcs_buf_str(c, &b);
out:
	rg_buf_release(&b);
	return rc;
}

const struct rg_tmpl_func rg_funcs_regex[] = {
	{ "regexMatch", fn_regex_match, 2, 2, 0 },
	{ "mustRegexMatch", fn_must_regex_match, 2, 2, 0 },
	{ "regexFindAll", fn_regex_find_all, 3, 3, 0 },
	{ "mustRegexFindAll", fn_must_regex_find_all, 3, 3, 0 },
	{ "regexFind", fn_regex_find, 2, 2, 0 },
	{ "mustRegexFind", fn_must_regex_find, 2, 2, 0 },
	{ "regexReplaceAll", fn_regex_replace_all, 3, 3, 0 },
	{ "mustRegexReplaceAll", fn_must_regex_replace_all, 3, 3, 0 },
	{ "regexReplaceAllLiteral", fn_regex_replace_all_literal, 3, 3, 0 },
	{ "mustRegexReplaceAllLiteral", fn_must_regex_replace_all_literal, 3, 3, 0 },
	{ "regexSplit", fn_regex_split, 3, 3, 0 },
	{ "mustRegexSplit", fn_must_regex_split, 3, 3, 0 },
	{ "regexQuoteMeta", fn_regex_quote_meta, 1, 1, 0 },
	{ NULL, NULL, 0, 0, 0 },
};
