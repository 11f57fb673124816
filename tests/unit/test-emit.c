#include "test.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/doc.h"

#include <math.h>

/* Emit n into a fresh string (static buffer, one at a time). */
static const char *emit(const struct rg_node *n, unsigned flags)
{
	static char out[8192];
	struct rg_buf b = RG_BUF_INIT(1 << 20);

	if (rg_doc_emit(&b, n, flags) != 0)
		snprintf(out, sizeof(out), "(emit failed)");
	else
		snprintf(out, sizeof(out), "%s", b.ptr);
	rg_buf_release(&b);
	return out;
}

/* {v: <string s>} */
static const char *emit_str(struct rg_arena *a, const char *s, size_t n)
{
	struct rg_node *m = rg_node_map(a);

	rg_map_set(a, m, "v", 1, rg_node_strn(a, s, n));
	return emit(m, 0);
}

/* Parse YAML text, emit it again. */
static const char *reemit(struct rg_arena *a, const char *y, unsigned flags)
{
	struct rg_node *r = NULL;
	static struct rg_err err;

	if (rg_doc_parse_one(&r, a, "t", y, strlen(y), 0, &err))
		return err.msg;
	return emit(r, flags);
}

static const struct {
	const char *in, *want;
} quoting[] = {
	{ "hi", "v: hi\n" },
	{ "hello world", "v: hello world\n" },
	{ "true", "v: \"true\"\n" },
	{ "false", "v: \"false\"\n" },
	{ "yes", "v: \"yes\"\n" },
	{ "on", "v: \"on\"\n" },
	{ "y", "v: \"y\"\n" },
	{ "N", "v: \"N\"\n" },
	{ "10", "v: \"10\"\n" },
	{ "-10", "v: \"-10\"\n" },
	{ "1.0", "v: \"1.0\"\n" },
	{ "null", "v: \"null\"\n" },
	{ "~", "v: \"~\"\n" },
	{ "", "v: \"\"\n" },
	{ "0644", "v: \"0644\"\n" },
	{ "0x1F", "v: \"0x1F\"\n" },
	{ "1e3", "v: \"1e3\"\n" },
	{ "1_000", "v: \"1_000\"\n" },
	{ ".inf", "v: \".inf\"\n" },
	{ ".nan", "v: \".nan\"\n" },
	{ "1:20", "v: \"1:20\"\n" },
	{ "1:1", "v: \"1:1\"\n" },
	{ "1:60", "v: 1:60\n" },
	{ "1:2:3.5", "v: \"1:2:3.5\"\n" },
	{ "a:1", "v: a:1\n" },
	{ "2015-02-24T18:19:39Z", "v: \"2015-02-24T18:19:39Z\"\n" },
	{ "2001-12-14", "v: \"2001-12-14\"\n" },
	{ "2001-13-14", "v: 2001-13-14\n" },
	{ "<<", "v: \"<<\"\n" },
	{ "1.2.3.4", "v: 1.2.3.4\n" },
	{ "*.example.com", "v: '*.example.com'\n" },
	{ "b: c", "v: 'b: c'\n" },
	{ "Hello #comment", "v: 'Hello #comment'\n" },
	{ "a#b", "v: a#b\n" },
	{ "#a", "v: '#a'\n" },
	{ "-", "v: '-'\n" },
	{ "- x", "v: '- x'\n" },
	{ "-x", "v: -x\n" },
	{ "@a", "v: '@a'\n" },
	{ "`a", "v: '`a'\n" },
	{ "&a", "v: '&a'\n" },
	{ "!a", "v: '!a'\n" },
	{ "|a", "v: '|a'\n" },
	{ ">a", "v: '>a'\n" },
	{ "%a", "v: '%a'\n" },
	{ "'a", "v: '''a'\n" },
	{ "\"a", "v: '\"a'\n" },
	{ "a'b", "v: a'b\n" },
	{ "{a", "v: '{a'\n" },
	{ "[a", "v: '[a'\n" },
	{ "a,b", "v: a,b\n" },
	{ "a[b]", "v: a[b]\n" },
	{ "?a", "v: ?a\n" },
	{ "? a", "v: '? a'\n" },
	{ ":a", "v: :a\n" },
	{ "a:", "v: 'a:'\n" },
	{ "---", "v: '---'\n" },
	{ "...", "v: '...'\n" },
	{ " lead", "v: ' lead'\n" },
	{ "trail ", "v: 'trail '\n" },
	{ "a\tb", "v: \"a\\tb\"\n" },
	{ "back\\slash", "v: back\\slash\n" },
	{ "é", "v: é\n" },
	{ "你好", "v: 你好\n" },
	{ "你好 #comment", "v: '你好 #comment'\n" },
	{ "\xf0\x9f\x98\x80", "v: \"\\U0001F600\"\n" },
	{ "a\xc2\x85", "v: \"a\\N\"\n" },
	{ "bell\x07", "v: \"bell\\a\"\n" },
	{ "esc\x1b", "v: \"esc\\e\"\n" },
	{ "del\x7f", "v: \"del\\x7F\"\n" },
	{ "a\nb", "v: |-\n  a\n  b\n" },
	{ "a\nb\n", "v: |\n  a\n  b\n" },
	{ "a\n\n", "v: |+\n  a\n\n" },
	{ " a\nb", "v: |2-\n   a\n  b\n" },
	{ "\n", "v: |2+\n\n" },
	{ "a \nb", "v: \"a \\nb\"\n" },
	{ "a\n b", "v: |-\n  a\n   b\n" },
	{ "x\ty\nz", "v: \"x\\ty\\nz\"\n" },
	{ "true\n", "v: |\n  true\n" },
};

TEST(string_quoting_table)
{
	struct rg_arena *a = rg_arena_new();

	CHECK(RG_ARRAY_SIZE(quoting) >= 40);
	for (size_t i = 0; i < RG_ARRAY_SIZE(quoting); i++) {
		const char *got =
			emit_str(a, quoting[i].in, strlen(quoting[i].in));

		if (strcmp(got, quoting[i].want) != 0)
			FAILF("\"%s\" -> \"%s\", want \"%s\"", quoting[i].in,
			      got, quoting[i].want);
	}
	rg_arena_free(a);
}

TEST(strings_with_nul_and_invalid_utf8)
{
	struct rg_arena *a = rg_arena_new();
	char nineties[54], want54[128];
	size_t k = 0;

	/* go-yaml v2's own test: 17 "kJCQ", then "kJ", a line break, "CQ" */
	k += (size_t)snprintf(want54, sizeof(want54), "v: !!binary |\n  ");
	for (int i = 0; i < 17; i++)
		k += (size_t)snprintf(want54 + k, sizeof(want54) - k, "kJCQ");
	snprintf(want54 + k, sizeof(want54) - k, "kJ\n  CQ\n");

	CHECK_STR(emit_str(a, "\0", 1), "v: \"\\0\"\n");
	CHECK_STR(emit_str(a, "\x80\x81\x82", 3), "v: !!binary gIGC\n");
	memset(nineties, 0x90, sizeof(nineties));
	CHECK_STR(emit_str(a, nineties, sizeof(nineties)), want54);
	rg_arena_free(a);
}

TEST(scalars_of_other_kinds)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *m = rg_node_map(a);

	rg_map_set(a, m, "b", 1, rg_node_bool(a, true));
	rg_map_set(a, m, "c", 1, rg_node_bool(a, false));
	rg_map_set(a, m, "d", 1, rg_node_int(a, -10));
	rg_map_set(a, m, "e", 1, rg_node_int(a, INT64_MIN));
	rg_map_set(a, m, "f", 1, rg_node_float(a, 0.1));
	rg_map_set(a, m, "g", 1, rg_node_float(a, 1e6));
	rg_map_set(a, m, "h", 1, rg_node_float(a, INFINITY));
	rg_map_set(a, m, "i", 1, rg_node_float(a, -INFINITY));
	rg_map_set(a, m, "j", 1, rg_node_float(a, NAN));
	rg_map_set(a, m, "k", 1, rg_node_null(a));
	rg_map_set(a, m, "l", 1, rg_node_float(a, 3.0));
	rg_map_set(a, m, "m", 1, rg_node_float(a, 1e21));
	rg_map_set(a, m, "o", 1, NULL);
	CHECK_STR(emit(m, 0), "b: true\nc: false\nd: -10\ne: -9223372036854775808\n"
			      "f: 0.1\ng: 1e+06\nh: .inf\ni: -.inf\nj: .nan\n"
			      "k: null\nl: 3\nm: 1e+21\no: null\n");
	/* "n" would read back as false, so as a key it is quoted */
	m = rg_node_map(a);
	rg_map_set(a, m, "n", 1, rg_node_int(a, 1));
	CHECK_STR(emit(m, 0), "\"n\": 1\n");
	/* sigs.k8s.io/yaml: JSON text read back by go-yaml */
	CHECK_STR(emit(rg_node_float(a, 1e6), RG_EMIT_JSON), "1000000\n");
	CHECK_STR(emit(rg_node_float(a, 1e19), RG_EMIT_JSON),
		  "10000000000000000000\n");
	CHECK_STR(emit(rg_node_float(a, 1e20), RG_EMIT_JSON), "1e+20\n");
	CHECK_STR(emit(rg_node_float(a, 1e21), RG_EMIT_JSON), "1e+21\n");
	CHECK_STR(emit(rg_node_float(a, 1.5), RG_EMIT_JSON), "1.5\n");
	CHECK_STR(emit(rg_node_float(a, 1e-7), RG_EMIT_JSON), "1e-07\n");
	CHECK_STR(emit(NULL, 0), "null\n");
	rg_arena_free(a);
}

TEST(key_quoting)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *m = rg_node_map(a);

	rg_map_set(a, m, "80", 2, rg_node_str(a, "x"));
	rg_map_set(a, m, "true", 4, rg_node_str(a, "x"));
	rg_map_set(a, m, "a b", 3, rg_node_str(a, "x"));
	rg_map_set(a, m, "", 0, rg_node_str(a, "x"));
	rg_map_set(a, m, "- a", 3, rg_node_str(a, "x"));
	rg_map_set(a, m, "k: v", 4, rg_node_str(a, "x"));
	CHECK_STR(emit(m, RG_EMIT_KEEP_ORDER),
		  "\"80\": x\n\"true\": x\na b: x\n\"\": x\n'- a': x\n'k: v': x\n");
	/* a key that was a number in the source is written back plain */
	CHECK_STR(reemit(a, "80: x\n\"81\": w\ntrue: z\n", 0),
		  "true: z\n80: x\n\"81\": w\n");
	/* unless the tree went through JSON, where keys are strings */
	CHECK_STR(reemit(a, "80: x\n\"81\": w\ntrue: z\n", RG_EMIT_JSON),
		  "\"80\": x\n\"81\": w\n\"true\": z\n");
	rg_arena_free(a);
}

TEST(long_and_multiline_keys)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *m = rg_node_map(a);
	char key[140], want[300];

	memset(key, 'k', sizeof(key));
	rg_map_set(a, m, key, 129, rg_node_str(a, "v"));
	snprintf(want, sizeof(want), "? %.129s\n: v\n", key);
	CHECK_STR(emit(m, 0), want);
	m = rg_node_map(a);
	rg_map_set(a, m, key, 128, rg_node_str(a, "v"));
	snprintf(want, sizeof(want), "%.128s: v\n", key);
	CHECK_STR(emit(m, 0), want);
	m = rg_node_map(a);
	rg_map_set(a, m, "a\nb", 3, rg_node_int(a, 1));
	CHECK_STR(emit(m, 0), "? |-\n  a\n  b\n: 1\n");
	rg_arena_free(a);
}

static const struct {
	const char *in, *want;
} layout[] = {
	{ "a: {b: {c: 1}}", "a:\n  b:\n    c: 1\n" },
	{ "a: [1, 2]", "a:\n- 1\n- 2\n" },
	{ "[[a, b], c]", "- - a\n  - b\n- c\n" },
	{ "[[[a]]]", "- - - a\n" },
	{ "[{a: 1, b: 2}, {c: 3}]", "- a: 1\n  b: 2\n- c: 3\n" },
	{ "[{a: [x], b: 1}]", "- a:\n  - x\n  b: 1\n" },
	{ "{}", "{}\n" },
	{ "[]", "[]\n" },
	{ "{a: {}, b: []}", "a: {}\nb: []\n" },
	{ "[[], {}]", "- []\n- {}\n" },
	{ "a: [[]]", "a:\n- []\n" },
	{ "[\"a\\nb\"]", "- |-\n  a\n  b\n" },
	{ "a: {b: \"x\\ny\\n\"}", "a:\n  b: |\n    x\n    y\n" },
	{ "a: [{b: \"x\\ny\"}]", "a:\n- b: |-\n    x\n    y\n" },
	{ "hi", "hi\n" },
	{ "~", "null\n" },
	{ "\"a\\nb\"", "|-\n  a\n  b\n" },
	{ "{a10: 1, a9: 2, b: 3, A: 4, 1: 5}", "1: 5\nA: 4\na9: 2\na10: 1\nb: 3\n" },
	{ "{z: {b: 1, a: 2}}", "z:\n  a: 2\n  b: 1\n" },
	/* keys that were numbers or booleans sort first, numerically */
	{ "{b: 1, 10: x, 9: p, 1.5: z, true: t, ~: q, \"8\": s}",
	  "true: t\n1.5: z\n9: p\n10: x\n~: q\n\"8\": s\nb: 1\n" },
};

TEST(layout_table)
{
	struct rg_arena *a = rg_arena_new();

	for (size_t i = 0; i < RG_ARRAY_SIZE(layout); i++) {
		const char *got = reemit(a, layout[i].in, 0);

		if (strcmp(got, layout[i].want) != 0)
			FAILF("%s ->\n%s\nwant\n%s", layout[i].in, got,
			      layout[i].want);
	}
	rg_arena_free(a);
}

TEST(keep_order_flag)
{
	struct rg_arena *a = rg_arena_new();

	CHECK_STR(reemit(a, "b: 1\na: {d: 1, c: 2}\n", RG_EMIT_KEEP_ORDER),
		  "b: 1\na:\n  d: 1\n  c: 2\n");
	CHECK_STR(reemit(a, "b: 1\na: {d: 1, c: 2}\n", 0),
		  "a:\n  c: 2\n  d: 1\nb: 1\n");
	rg_arena_free(a);
}

/* go-yaml v2's TestLineWrapping */
TEST(folding_at_80_columns)
{
	struct rg_arena *a = rg_arena_new();
	const char *s = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ "
			"1234567890 abcdefghijklmnopqrstuvwxyz "
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ 1234567890 ";
	struct rg_node *m = rg_node_map(a);
	const char *plain = "word word word word word word word word word word "
			    "word word word word word word word word";

	rg_map_set(a, m, "a", 1, rg_node_str(a, s));
	CHECK_STR(emit(m, 0),
		  "a: 'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ "
		  "1234567890 abcdefghijklmnopqrstuvwxyz\n"
		  "  ABCDEFGHIJKLMNOPQRSTUVWXYZ 1234567890 '\n");
	CHECK_STR(emit(m, RG_EMIT_NO_WRAP),
		  "a: 'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ "
		  "1234567890 abcdefghijklmnopqrstuvwxyz "
		  "ABCDEFGHIJKLMNOPQRSTUVWXYZ 1234567890 '\n");
	/* plain text breaks at the first space past column 80 */
	m = rg_node_map(a);
	rg_map_set(a, m, "key", 3, rg_node_str(a, plain));
	CHECK_STR(emit(m, 0), "key: word word word word word word word word word "
			      "word word word word word word word\n  word word\n");
	/* nested deeper, the continuation follows the indentation */
	CHECK_STR(reemit(a, "a:\n  b: word word word word word word word word word "
			    "word word word word word word word word word\n",
			 0),
		  "a:\n  b: word word word word word word word word word word "
		  "word word word word word word\n    word word\n");
	/* double-quoted text folds too, escaping a second space */
	m = rg_node_map(a);
	rg_map_set(a, m, "t", 1,
		   rg_node_str(a, "tab\there and then a long run of words that "
				  "goes past the eighty column limit  twice"));
	CHECK_STR(emit(m, 0), "t: \"tab\\there and then a long run of words that "
			      "goes past the eighty column limit\n  \\ twice\"\n");
	/* words longer than the line are never split, keys never fold */
	rg_arena_free(a);
}

/* Values worked out from Go's strconv/ftoa.go (shortest digits, %e when
 * exp < -4 || exp >= 6 for 'g') and fmt's %v (the same as 'g'). */
static const struct {
	double f;
	char fmt;
	const char *want;
} floats[] = {
	{ 1e6, 'g', "1e+06" },
	{ 123456789, 'g', "1.23456789e+08" },
	{ 100000, 'g', "100000" },
	{ 999999, 'g', "999999" },
	{ 1.5, 'g', "1.5" },
	{ 0.1, 'g', "0.1" },
	{ 0.0001, 'g', "0.0001" },
	{ 0.00001, 'g', "1e-05" },
	{ 1e-7, 'g', "1e-07" },
	{ 1e20, 'g', "1e+20" },
	{ 1e21, 'g', "1e+21" },
	{ 123456.7, 'g', "123456.7" },
	{ 1234567.8, 'g', "1.2345678e+06" },
	{ 12345678.9, 'g', "1.23456789e+07" },
	{ 0, 'g', "0" },
	{ -0.0, 'g', "-0" },
	{ -2.5, 'g', "-2.5" },
	{ 3.0, 'g', "3" },
	{ 1.0 / 3, 'g', "0.3333333333333333" },
	{ 0.1 + 0.2, 'g', "0.30000000000000004" },
	{ 1e100, 'g', "1e+100" },
	{ 5e-324, 'g', "5e-324" },
	{ 1.7976931348623157e308, 'g', "1.7976931348623157e+308" },
	{ 9007199254740993.0, 'g', "9.007199254740992e+15" },
	/* a power of two: the shorter neighbour digit string reads back */
	{ 7.120236347223045e-307, 'g', "7.120236347223045e-307" },
	{ 0x1p-1000, 'g', "9.332636185032189e-302" },
	{ INFINITY, 'g', "+Inf" },
	{ -INFINITY, 'g', "-Inf" },
	{ NAN, 'g', "NaN" },
	{ 1e6, 'e', "1e+06" },
	{ 1.5, 'e', "1.5e+00" },
	{ 0, 'e', "0e+00" },
	{ 123.456, 'e', "1.23456e+02" },
	{ 1e-7, 'e', "1e-07" },
	{ 1e100, 'e', "1e+100" },
	{ -1234.5, 'e', "-1.2345e+03" },
	{ 1e6, 'f', "1000000" },
	{ 1.5, 'f', "1.5" },
	{ 1e-7, 'f', "0.0000001" },
	{ 0, 'f', "0" },
	{ 123.456, 'f', "123.456" },
	{ 1e21, 'f', "1000000000000000000000" },
	{ 0.1 + 0.2, 'f', "0.30000000000000004" },
	{ -0.5, 'f', "-0.5" },
	{ NAN, 'f', "NaN" },
	{ 1e6, 'v', "1e+06" },
	{ 3.0, 'v', "3" },
	{ 1e-5, 'v', "1e-05" },
	{ 123456, 'v', "123456" },
	{ INFINITY, 'v', "+Inf" },
};

TEST(fmt_float_table)
{
	char buf[64];

	CHECK(RG_ARRAY_SIZE(floats) >= 25);
	for (size_t i = 0; i < RG_ARRAY_SIZE(floats); i++) {
		size_t n = rg_fmt_float(buf, sizeof(buf), floats[i].f,
					floats[i].fmt);

		if (strcmp(buf, floats[i].want) != 0 || n != strlen(buf))
			FAILF("%.17g '%c' -> %s, want %s", floats[i].f,
			      floats[i].fmt, buf, floats[i].want);
	}
	/* a short buffer is truncated but terminated */
	CHECK_INT(rg_fmt_float(buf, 4, 123456789.0, 'f'), 3);
	CHECK_STR(buf, "123");
}

static const char *const roundtrip_docs[] = {
	"a: 1\nb: [x, 'y', \"true\", '', null, ~, 1.5, -3]\n",
	"s: [\"0644\", \"1e3\", \"*.example.com\", \"a: b\", \" lead\", \"tail \"]\n",
	"m: {k: \"line1\\nline2\\n\", k2: \"x\\n\\n\", k3: \" a\\nb\", k4: \"a \\nb\"}\n",
	"u: [é, 你好, \"\\U0001F600\", \"tab\\t\", \"\\0\", \"\\x7f\"]\n",
	"deep: [[[[{a: [{b: {c: [1, [2, [3]]]}}]}]]]]\n",
	"e: [{}, [], {a: {}}, [[]]]\n",
	"n: [0x10, 0644, 1.25e-3, .inf, -.inf, 9223372036854775807, 2.5e-8]\n",
	"80: x\n1.5: y\ntrue: z\n\"81\": w\n",
	"long: \"aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm "
	"nnnn oooo pppp qqqq rrrr ssss\"\n",
	"q: \"it's a 'quoted' \\\"thing\\\" with # and : inside\"\n",
	"b60: [\"1:20\", \"190:20:30\", \"2001-12-14\", \"<<\", \"yes\", \"off\"]\n",
};

TEST(roundtrip_parse_emit_parse)
{
	struct rg_arena *a = rg_arena_new();

	for (size_t i = 0; i < RG_ARRAY_SIZE(roundtrip_docs); i++) {
		const char *y = roundtrip_docs[i];
		struct rg_node *x = NULL, *z = NULL;
		struct rg_buf b = RG_BUF_INIT(1 << 20);
		struct rg_err err = RG_ERR_INIT;

		CHECK_INT(rg_doc_parse_one(&x, a, "x", y, strlen(y), 0, &err), 0);
		CHECK_INT(rg_doc_emit(&b, x, 0), 0);
		if (rg_doc_parse_one(&z, a, "z", b.ptr, b.len, 0, &err) != 0)
			FAILF("re-parse of %s failed: %s\n%s", y, err.msg, b.ptr);
		if (!rg_node_equal(x, z))
			FAILF("round trip changed %s into\n%s", y, b.ptr);
		rg_buf_release(&b);
	}
	rg_arena_free(a);
}

/* float64 whole numbers come back as ints, as in go-yaml */
TEST(roundtrip_whole_floats_become_ints)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *z = NULL;
	const char *t = emit(rg_node_float(a, 3.0), 0);

	CHECK_INT(rg_doc_parse_one(&z, a, "z", t, strlen(t), 0, NULL), 0);
	CHECK_INT(z->kind, RG_INT);
	rg_arena_free(a);
}

TEST(emit_limits)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *root = rg_node_seq(a), *n = root;
	struct rg_buf b = RG_BUF_INIT(16);

	/* a hand-built tree deeper than the cap fails cleanly */
	for (int i = 0; i < 1000; i++) {
		struct rg_node *c = rg_node_seq(a);

		rg_seq_push(a, n, c);
		n = c;
	}
	CHECK_INT(rg_doc_emit(&b, root, 0), RG_ELIMIT);
	CHECK_INT(b.len, 0);
	/* the buffer's cap, with the buffer left as it was */
	CHECK_INT(rg_buf_adds(&b, "x"), 0);
	CHECK_INT(rg_doc_emit(&b, rg_node_str(a, "a long string value here"), 0),
		  RG_ELIMIT);
	CHECK_STR(b.ptr, "x");
	rg_buf_release(&b);
	rg_arena_free(a);
}
