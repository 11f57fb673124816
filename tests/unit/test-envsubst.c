/*
 * test-envsubst.c - Flux's postBuild variable syntax (envsubst.h).
 * Expected values follow fluxcd/pkg/envsubst's behaviour (its parser and
 * functions), including the forms it refuses that bash accepts.
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/envsubst.h"
#include "test.h"

static const char *const vars[][2] = {
    {"name", "podinfo"},  {"empty", ""},	   {"path", "a/b/c.txt"},
    {"mixed", "HeLLo"},	  {"cluster", "staging"}, {"num", "3"},
};

static bool lookup(void *ctx, const char *name, bool has_default,
		   const char **val, size_t *vlen)
{
	(void)ctx;
	(void)has_default;
	for (size_t i = 0; i < RG_ARRAY_SIZE(vars); i++)
		if (!strcmp(vars[i][0], name)) {
			*val = vars[i][1];
			*vlen = strlen(vars[i][1]);
			return true;
		}
	return false;
}

/* Expand s; returns the text, or "ERR:<message>". */
static const char *run(struct rg_arena *a, const char *s, unsigned flags)
{
	struct rg_buf b = RG_BUF_INIT(1 << 20);
	struct rg_err err = RG_ERR_INIT;
	const char *res;

	if (rg_envsubst_eval(&b, a, s, strlen(s), lookup, NULL, flags, &err) <
	    0)
		res = rg_arena_printf(a, "ERR:%s", err.msg);
	else
		res = rg_arena_strndup(a, b.ptr, b.len);
	rg_buf_release(&b);
	return res;
}

#define EXPECT(in, want) CHECK_STR(run(a, in, 0), want)

TEST(plain_text_and_vars)
{
	struct rg_arena *a = rg_arena_new();

	EXPECT("", "");
	EXPECT("no vars here", "no vars here");
	EXPECT("${name}", "podinfo");
	EXPECT("app-${name}-${cluster}", "app-podinfo-staging");
	EXPECT("$name stays", "$name stays");
	EXPECT("cost: $5 and }", "cost: $5 and }");
	EXPECT("${unset}", "");
	EXPECT("x${unset}y", "xy");
	rg_arena_free(a);
}

TEST(escapes)
{
	struct rg_arena *a = rg_arena_new();

	EXPECT("$${name}", "${name}");
	EXPECT("a$$b", "a$b");
	EXPECT("$$$", "$$");
	EXPECT("$$${name}", "$podinfo");
	EXPECT("${name}$${name}", "podinfo${name}");
	rg_arena_free(a);
}

TEST(defaults)
{
	struct rg_arena *a = rg_arena_new();

	EXPECT("${unset:=def}", "def");
	EXPECT("${unset=def}", "def");
	EXPECT("${unset:-def}", "def");
	EXPECT("${empty:=def}", "def");
	EXPECT("${name:=def}", "podinfo");
	EXPECT("${unset:=}", "");
	EXPECT("${unset:=a b:c}", "a b:c");
	/* nested substitutions inside the default */
	EXPECT("${unset:=${name}-x}", "podinfo-x");
	EXPECT("${unset:=${also:=${cluster}}}", "staging");
	/* Flux treats :+ and :? as defaults too */
	EXPECT("${unset:+alt}", "alt");
	EXPECT("${name:+alt}", "podinfo");
	rg_arena_free(a);
}

TEST(functions)
{
	struct rg_arena *a = rg_arena_new();

	EXPECT("${#name}", "7");
	EXPECT("${#unset}", "0");
	EXPECT("${mixed^}", "HeLLo");
	EXPECT("${mixed^^}", "HELLO");
	EXPECT("${mixed,}", "heLLo");
	EXPECT("${mixed,,}", "hello");
	EXPECT("${name:3}", "info");
	EXPECT("${name:0:3}", "pod");
	EXPECT("${name:-4}", "podinfo"); /* ":-" is a default, as in bash */
	EXPECT("${name:1:100}", "odinfo");
	EXPECT("${name:100}", "");
	EXPECT("${name:x}", "podinfo"); /* bad offset: unchanged */
	EXPECT("${path#*/}", "b/c.txt");
	EXPECT("${path##*/}", "c.txt");
	EXPECT("${path%/*}", "a/b");
	EXPECT("${path%%/*}", "a");
	EXPECT("${path%.txt}", "a/b/c");
	EXPECT("${path#[ab]/}", "b/c.txt");
	EXPECT("${name/o/0}", "p0dinfo");
	EXPECT("${name//o/0}", "p0dinf0");
	EXPECT("${name/#pod/svc}", "svcinfo");
	EXPECT("${name/#info/x}", "podinfo");
	EXPECT("${name/%info/cast}", "podcast");
	EXPECT("${path//\\//-}", "a-b-c.txt");
	rg_arena_free(a);
}

TEST(syntax_errors)
{
	struct rg_arena *a = rg_arena_new();

	EXPECT("${", "ERR:unable to parse variable name");
	EXPECT("${}", "ERR:unable to parse variable name");
	EXPECT("${ name}", "ERR:unable to parse variable name");
	EXPECT("${name", "ERR:missing closing brace");
	EXPECT("${name x}", "ERR:missing closing brace");
	/* bash forms Flux's parser refuses */
	EXPECT("${name-def}", "ERR:missing closing brace");
	EXPECT("${name+def}", "ERR:missing closing brace");
	EXPECT("${name/x}", "ERR:bad substitution");
	EXPECT("${unset:=abc", "ERR:unable to parse substitution within function");
	EXPECT("${name:}", "ERR:unable to parse substitution within function");
	EXPECT("${#}", "ERR:bad substitution");
	EXPECT("${name^x}", "ERR:bad substitution");
	/* an error anywhere wins, even after good substitutions */
	EXPECT("${name} ok ${", "ERR:unable to parse variable name");
	rg_arena_free(a);
}

TEST(strict_mode)
{
	struct rg_arena *a = rg_arena_new();

	CHECK_STR(run(a, "${name}", RG_ENVSUBST_STRICT), "podinfo");
	CHECK_STR(run(a, "${unset}", RG_ENVSUBST_STRICT),
		  "ERR:variable not set (strict mode): \"unset\"");
	CHECK_STR(run(a, "${unset^^}", RG_ENVSUBST_STRICT),
		  "ERR:variable not set (strict mode): \"unset\"");
	CHECK_STR(run(a, "${unset:=d}", RG_ENVSUBST_STRICT), "d");
	CHECK_STR(run(a, "${empty}", RG_ENVSUBST_STRICT), "");
	rg_arena_free(a);
}

TEST(deep_nesting_is_capped)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_buf in = RG_BUF_INIT(1 << 20);
	const char *res;

	for (int i = 0; i < 200; i++)
		rg_buf_adds(&in, "${v:=");
	for (int i = 0; i < 200; i++)
		rg_buf_addch(&in, '}');
	res = run(a, in.ptr, 0);
	CHECK(!strncmp(res, "ERR:", 4));
	CHECK(strstr(res, "RG_CAP_ENVSUBST_DEPTH") != NULL);
	rg_buf_release(&in);
	rg_arena_free(a);
}

TEST(names_and_globs)
{
	CHECK(rg_envsubst_valid_name("cluster_name", 12));
	CHECK(rg_envsubst_valid_name("_x1", 3));
	CHECK(!rg_envsubst_valid_name("1x", 2));
	CHECK(!rg_envsubst_valid_name("a-b", 3));
	CHECK(!rg_envsubst_valid_name("", 0));
	CHECK_INT(rg_envsubst_match("*.txt", 5, "a/b.txt", 7), 1);
	CHECK_INT(rg_envsubst_match("a?c", 3, "abc", 3), 1);
	CHECK_INT(rg_envsubst_match("a?c", 3, "abbc", 4), 0);
	CHECK_INT(rg_envsubst_match("[a-c]x", 6, "bx", 2), 1);
	CHECK_INT(rg_envsubst_match("[^a-c]x", 7, "bx", 2), 0);
	CHECK(rg_envsubst_match("[", 1, "a", 1) < 0);
	CHECK(rg_envsubst_needed("a${b}", 5));
	CHECK(rg_envsubst_needed("a$$b", 4));
	CHECK(!rg_envsubst_needed("a$b", 3));
}
