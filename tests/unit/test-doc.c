#include "test.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/doc.h"

#include <math.h>
#include <time.h>

/* "kind:value" for a scalar node, for table comparisons */
static const char *describe(char *buf, size_t sz, const struct rg_node *n)
{
	char f[64];

	switch (n->kind) {
	case RG_NULL:
		snprintf(buf, sz, "null");
		break;
	case RG_BOOL:
		snprintf(buf, sz, "bool:%s", n->u.b ? "true" : "false");
		break;
	case RG_INT:
		snprintf(buf, sz, "int:%lld", (long long)n->u.i);
		break;
	case RG_FLOAT:
		rg_fmt_float(f, sizeof(f), n->u.f, 'g');
		snprintf(buf, sz, "float:%s", f);
		break;
	case RG_STR:
		snprintf(buf, sz, "str:%s", n->u.s.ptr);
		break;
	default:
		snprintf(buf, sz, "%s", rg_kind_name(n->kind));
		break;
	}
	return buf;
}

/* Parse "v: <text>" and describe the value (or "error: msg"). */
static const char *scalar(struct rg_arena *a, char *buf, size_t sz,
			  const char *text, unsigned flags)
{
	char *doc = rg_arena_printf(a, "v: %s\n", text);
	struct rg_node *root = NULL;
	struct rg_err err = RG_ERR_INIT;

	if (rg_doc_parse_one(&root, a, "t.yaml", doc, strlen(doc), flags, &err)) {
		snprintf(buf, sz, "error: %s", err.msg);
		return buf;
	}
	return describe(buf, sz, rg_map_gets(root, "v"));
}

static const struct {
	const char *in, *want;
} yaml11[] = {
	{ "y", "bool:true" },
	{ "Y", "bool:true" },
	{ "yes", "bool:true" },
	{ "Yes", "bool:true" },
	{ "YES", "bool:true" },
	{ "on", "bool:true" },
	{ "On", "bool:true" },
	{ "ON", "bool:true" },
	{ "true", "bool:true" },
	{ "True", "bool:true" },
	{ "TRUE", "bool:true" },
	{ "n", "bool:false" },
	{ "N", "bool:false" },
	{ "no", "bool:false" },
	{ "No", "bool:false" },
	{ "NO", "bool:false" },
	{ "off", "bool:false" },
	{ "Off", "bool:false" },
	{ "OFF", "bool:false" },
	{ "false", "bool:false" },
	{ "False", "bool:false" },
	{ "FALSE", "bool:false" },
	{ "yEs", "str:yEs" },
	{ "tRUE", "str:tRUE" },
	{ "~", "null" },
	{ "null", "null" },
	{ "Null", "null" },
	{ "NULL", "null" },
	{ "", "null" },
	{ "nULL", "str:nULL" },
	{ "o", "str:o" },
	{ "of", "str:of" },
	{ "nul", "str:nul" },
	{ "yess", "str:yess" },
	{ "type", "str:type" },
	{ "falsy", "str:falsy" },
	{ "falsey", "str:falsey" },
	{ "0644", "int:420" },
	{ "0x1F", "int:31" },
	{ "0X1f", "int:31" },
	{ "0b101", "int:5" },
	{ "-0b101", "int:-5" },
	{ "0o17", "int:15" },
	{ "1_000", "int:1000" },
	{ "1__0", "int:10" },
	{ "_1", "str:_1" },
	{ "+12", "int:12" },
	{ "-7", "int:-7" },
	{ "0", "int:0" },
	{ "-0", "int:0" },
	{ "08", "float:8" },
	{ "09.5", "float:9.5" },
	{ "0x", "str:0x" },
	{ "0b", "str:0b" },
	{ "0x1g", "str:0x1g" },
	{ "9223372036854775807", "int:9223372036854775807" },
	{ "-9223372036854775808", "int:-9223372036854775808" },
	{ "9223372036854775808", "float:9.223372036854776e+18" },
	{ "-9223372036854775809", "float:-9.223372036854776e+18" },
	{ "18446744073709551615", "float:1.8446744073709552e+19" },
	{ "0xFFFFFFFFFFFFFFFF", "float:1.8446744073709552e+19" },
	{ "0x1FFFFFFFFFFFFFFFF", "str:0x1FFFFFFFFFFFFFFFF" },
	{ "123456789012345678901234567890", "float:1.2345678901234568e+29" },
	{ "1.5", "float:1.5" },
	{ "1e3", "float:1000" },
	{ "1E3", "float:1000" },
	{ "1e+3", "float:1000" },
	{ "-1e3", "float:-1000" },
	{ ".5", "float:0.5" },
	{ "-.5", "float:-0.5" },
	{ "+.5", "float:0.5" },
	{ "1.", "float:1" },
	{ "6.8523015e+5", "float:685230.15" },
	{ "1_0.5", "float:10.5" },
	{ ".5_0", "float:0.5" },
	{ "1e400", "str:1e400" },
	{ "1e-400", "float:0" },
	{ "1e", "str:1e" },
	{ "1.5.6", "str:1.5.6" },
	{ ".", "str:." },
	{ ".inf", "float:+Inf" },
	{ ".Inf", "float:+Inf" },
	{ ".INF", "float:+Inf" },
	{ "+.inf", "float:+Inf" },
	{ "-.inf", "float:-Inf" },
	{ "-.Inf", "float:-Inf" },
	{ ".nan", "float:NaN" },
	{ ".NaN", "float:NaN" },
	{ ".NAN", "float:NaN" },
	{ ".Nan", "str:.Nan" },
	{ "inf", "str:inf" },
	{ "NaN", "str:NaN" },
	{ "0x1p3", "str:0x1p3" },
	{ "2001-12-14", "str:2001-12-14" },
	{ "2001-12-14T21:59:43.10Z", "str:2001-12-14T21:59:43.10Z" },
	{ "2001-12-14 21:59:43.10", "str:2001-12-14 21:59:43.10" },
	{ "1:20", "str:1:20" },
	{ "190:20:30", "str:190:20:30" },
	{ "<<", "str:<<" },
	{ "+", "str:+" },
	{ "-", "error: block sequence entries are not allowed in this context" },
	{ "hello world", "str:hello world" },
	{ "\"123\"", "str:123" },
	{ "'1.5'", "str:1.5" },
	{ "\"true\"", "str:true" },
	{ "\"\"", "str:" },
	{ "''", "str:" },
	{ "\"a\\tb\"", "str:a\tb" },
	{ "|\n  12\n", "str:12\n" },
	{ ">-\n  yes\n", "str:yes" },
	{ "!!str 123", "str:123" },
	{ "!!str yes", "str:yes" },
	{ "!!str", "str:" },
	{ "!!int \"12\"", "int:12" },
	{ "!!int 0x10", "int:16" },
	{ "!!float 1", "float:1" },
	{ "!!float \"2.5\"", "float:2.5" },
	{ "!!bool yes", "bool:true" },
	{ "!!bool \"false\"", "bool:false" },
	{ "!!null \"\"", "null" },
	{ "!!null ~", "null" },
	{ "!!binary aGVsbG8=", "str:hello" },
	{ "!!binary |\n  aGVs\n  bG8=\n", "str:hello" },
	{ "!!timestamp 2001-12-14", "str:2001-12-14" },
	{ "!foo 12", "str:12" },
	{ "!!int 1.5", "error: cannot decode !!float `1.5` as a !!int" },
	{ "!!int foo", "error: cannot decode !!str `foo` as a !!int" },
	{ "!!bool 1", "error: cannot decode !!int `1` as a !!bool" },
	{ "!!binary a$b=", "error: !!binary value contains invalid base64 data" },
};

TEST(scalars_yaml11_table)
{
	struct rg_arena *a = rg_arena_new();
	char buf[256];

	CHECK(RG_ARRAY_SIZE(yaml11) >= 60);
	for (size_t i = 0; i < RG_ARRAY_SIZE(yaml11); i++) {
		const char *got = scalar(a, buf, sizeof(buf), yaml11[i].in, 0);

		if (strcmp(got, yaml11[i].want) != 0)
			FAILF("v: %s -> %s, want %s", yaml11[i].in, got,
			      yaml11[i].want);
	}
	rg_arena_free(a);
}

/* yaml.v3/kyaml: only the booleans differ (v3 still reads 0644 as octal) */
static const struct {
	const char *in, *want;
} yaml12[] = {
	{ "yes", "str:yes" },	{ "no", "str:no" },	  { "on", "str:on" },
	{ "off", "str:off" },	{ "y", "str:y" },	  { "N", "str:N" },
	{ "true", "bool:true" }, { "True", "bool:true" }, { "FALSE", "bool:false" },
	{ "~", "null" },	{ "", "null" },		  { "Null", "null" },
	{ "0644", "int:420" },	{ "0o17", "int:15" },	  { "0x1F", "int:31" },
	{ "1_000", "int:1000" }, { "1e3", "float:1000" }, { ".inf", "float:+Inf" },
	{ "!!bool yes", "error: cannot decode !!str `yes` as a !!bool" },
};

TEST(scalars_yaml12_table)
{
	struct rg_arena *a = rg_arena_new();
	char buf[256];

	for (size_t i = 0; i < RG_ARRAY_SIZE(yaml12); i++) {
		const char *got =
			scalar(a, buf, sizeof(buf), yaml12[i].in, RG_PARSE_YAML12);

		if (strcmp(got, yaml12[i].want) != 0)
			FAILF("v: %s -> %s, want %s", yaml12[i].in, got,
			      yaml12[i].want);
	}
	CHECK_STR(scalar(a, buf, sizeof(buf), "yes", RG_PARSE_JSON), "str:yes");
	rg_arena_free(a);
}

TEST(scalar_flags)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *r = NULL;
	const char *y = "a: 'x'\nb: x\nc: 10000000000000000000\nd: 1.0\ne: |\n  t\n";

	CHECK_INT(rg_doc_parse_one(&r, a, "f", y, strlen(y), 0, NULL), 0);
	CHECK(rg_map_gets(r, "a")->flags & RG_NODE_QUOTED);
	CHECK(!(rg_map_gets(r, "b")->flags & RG_NODE_QUOTED));
	CHECK(rg_map_gets(r, "e")->flags & RG_NODE_QUOTED);
	CHECK_INT(rg_map_gets(r, "c")->kind, RG_FLOAT);
	CHECK(rg_map_gets(r, "c")->flags & RG_NODE_FLOAT_INTLIKE);
	CHECK(!(rg_map_gets(r, "d")->flags & RG_NODE_FLOAT_INTLIKE));
	rg_arena_free(a);
}

TEST(resolve_reports_timestamps_and_merge)
{
	struct rg_doc_scalar v;

	CHECK_INT(rg_doc_resolve(&v, "2001-12-14", 10, 0), RG_RTAG_TIMESTAMP);
	CHECK_INT(rg_doc_resolve(&v, "2001-2-3", 8, 0), RG_RTAG_TIMESTAMP);
	CHECK_INT(rg_doc_resolve(&v, "2001-02-30", 10, 0), RG_RTAG_STR);
	CHECK_INT(rg_doc_resolve(&v, "2000-02-29", 10, 0), RG_RTAG_TIMESTAMP);
	CHECK_INT(rg_doc_resolve(&v, "1900-02-29", 10, 0), RG_RTAG_STR);
	CHECK_INT(rg_doc_resolve(&v, "2015-02-24T18:19:39Z", 20, 0),
		  RG_RTAG_TIMESTAMP);
	CHECK_INT(rg_doc_resolve(&v, "2015-02-24t18:19:39.5+01:00", 27, 0),
		  RG_RTAG_TIMESTAMP);
	CHECK_INT(rg_doc_resolve(&v, "2015-02-24T18:19:39", 19, 0), RG_RTAG_STR);
	CHECK_INT(rg_doc_resolve(&v, "2015-02-24 18:19:39", 19, 0),
		  RG_RTAG_TIMESTAMP);
	CHECK_INT(rg_doc_resolve(&v, "<<", 2, 0), RG_RTAG_MERGE);
	CHECK_INT(rg_doc_resolve(&v, "12", 2, 0), RG_RTAG_INT);
	CHECK_INT(v.i, 12);
	CHECK_INT(rg_doc_resolve(&v, "1\0", 2, 0), RG_RTAG_STR);
}

TEST(positions_on_nodes_and_keys)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *r = NULL, *b, *c;
	const char *y = "# c\na:\n  b: [1, 22]\n  c:\n  - x: é\n";

	CHECK_INT(rg_doc_parse_one(&r, a, "envs/v.yaml", y, strlen(y), 0, NULL),
		  0);
	CHECK_STR(r->pos.file, "envs/v.yaml");
	CHECK_INT(r->pos.line, 2);
	CHECK_INT(r->pos.col, 1);
	CHECK_INT(r->u.map.items[0].key_pos.line, 2);
	CHECK_INT(r->u.map.items[0].key_pos.col, 1);
	b = rg_node_path(r, "a.b");
	CHECK(b && b->kind == RG_SEQ);
	CHECK_INT(b->pos.line, 3);
	CHECK_INT(b->pos.col, 6);
	CHECK_INT(b->u.seq.items[1]->pos.line, 3);
	CHECK_INT(b->u.seq.items[1]->pos.col, 10);
	CHECK_INT(rg_map_gets(r, "a")->u.map.items[0].key_pos.col, 3);
	c = rg_node_path(r, "a.c");
	CHECK_INT(c->pos.line, 5);
	CHECK_INT(c->pos.col, 3);
	CHECK_INT(c->u.seq.items[0]->u.map.items[0].key_pos.col, 5);
	CHECK_INT(c->u.seq.items[0]->u.map.items[0].val->pos.col, 8);
	rg_arena_free(a);
}

TEST(documents_and_empty_documents)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_docs d;
	const char *y = "---\n# only a comment\n---\na: 1\n---\n---\n~\n---\n[]\n";
	const char *c = "# nothing but\n# comments\n";
	struct rg_node *one = NULL;
	struct rg_err err = RG_ERR_INIT;

	CHECK_INT(rg_doc_parse(&d, a, "m", y, strlen(y), 0, NULL), 0);
	CHECK_INT(d.len, 3);
	CHECK_INT(d.empty_docs, 2);
	CHECK_INT(d.docs[0]->kind, RG_MAP);
	CHECK_INT(d.docs[1]->kind, RG_NULL);
	CHECK_INT(d.docs[2]->kind, RG_SEQ);
	CHECK_INT(rg_doc_parse(&d, a, "m", c, strlen(c), 0, NULL), 0);
	CHECK_INT(d.len, 0);
	CHECK_INT(d.empty_docs, 1);
	CHECK_INT(rg_doc_parse(&d, a, "m", "", 0, 0, NULL), 0);
	CHECK_INT(d.len + d.empty_docs, 0);
	CHECK_INT(rg_doc_parse_one(&one, a, "m", "", 0, 0, NULL), 0);
	CHECK_INT(one->kind, RG_NULL);
	CHECK_INT(rg_doc_parse_one(&one, a, "m", "a\n---\nb\n", 8, 0, &err),
		  RG_EPARSE);
	CHECK_INT(err.line, 3);
	rg_arena_free(a);
}

TEST(non_string_keys_keep_source_text)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *r = NULL;
	const char *y = "1: one\ntrue: t\n0x10: h\n~: n\n\"2\": two\n1.50: f\n"
			"!!binary aGVsbG8=: b\n!!str 3: s\n";

	CHECK_INT(rg_doc_parse_one(&r, a, "k", y, strlen(y), 0, NULL), 0);
	CHECK_INT(r->u.map.len, 8);
	CHECK_STR(rg_node_cstr(rg_map_gets(r, "hello")), "b");
	CHECK(!(rg_map_gets(r, "3")->flags & RG_NODE_KEY_NONSTR));
	CHECK_STR(rg_node_cstr(rg_map_gets(r, "1")), "one");
	CHECK(rg_map_gets(r, "1")->flags & RG_NODE_KEY_NONSTR);
	CHECK(rg_map_gets(r, "true")->flags & RG_NODE_KEY_NONSTR);
	CHECK(rg_map_gets(r, "0x10")->flags & RG_NODE_KEY_NONSTR);
	CHECK(rg_map_gets(r, "~")->flags & RG_NODE_KEY_NONSTR);
	CHECK(rg_map_gets(r, "1.50")->flags & RG_NODE_KEY_NONSTR);
	CHECK(!(rg_map_gets(r, "2")->flags & RG_NODE_KEY_NONSTR));
	rg_arena_free(a);
}

TEST(complex_keys_are_errors)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *r = NULL;
	struct rg_err err = RG_ERR_INIT;
	const char *y = "? [a, b]\n: c\n";

	CHECK_INT(rg_doc_parse_one(&r, a, "k", y, strlen(y), 0, &err), RG_EPARSE);
	CHECK(strstr(err.msg, "invalid map key") != NULL);
	CHECK_INT(err.line, 1);
	rg_arena_free(a);
}

TEST(anchors_and_aliases_are_deep_copies)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *r = NULL, *x, *y;
	const char *doc = "base: &b\n  k: [1, 2]\ncopy: *b\ns: &s hello\nt: *s\n"
			  "*s : aliased key\n";

	CHECK_INT(rg_doc_parse_one(&r, a, "a", doc, strlen(doc), 0, NULL), 0);
	x = rg_map_gets(r, "base");
	y = rg_map_gets(r, "copy");
	CHECK(x != y);
	CHECK(rg_node_equal(x, y));
	rg_seq_push(a, rg_map_gets(y, "k"), rg_node_int(a, 3));
	CHECK_INT(rg_map_gets(x, "k")->u.seq.len, 2);
	CHECK_STR(rg_node_cstr(rg_map_gets(r, "t")), "hello");
	CHECK_STR(rg_node_cstr(rg_map_gets(r, "hello")), "aliased key");
	rg_arena_free(a);
}

TEST(alias_errors)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *r = NULL;
	struct rg_err err = RG_ERR_INIT;
	const char *unknown = "a: 1\nb: *nope\n";
	const char *self = "a: &x [1, *x]\n";
	const char *perdoc = "a: &x 1\n---\nb: *x\n";

	CHECK_INT(rg_doc_parse_one(&r, a, "a", unknown, strlen(unknown), 0, &err),
		  RG_EPARSE);
	CHECK(strstr(err.msg, "unknown anchor 'nope'") != NULL);
	CHECK_INT(err.line, 2);
	CHECK_INT(err.col, 4);
	CHECK_INT(rg_doc_parse_one(&r, a, "a", self, strlen(self), 0, &err),
		  RG_EPARSE);
	CHECK(strstr(err.msg, "contains itself") != NULL);
	{
		struct rg_docs d;

		CHECK_INT(rg_doc_parse(&d, a, "a", perdoc, strlen(perdoc), 0, &err),
			  RG_EPARSE);
		CHECK_INT(err.line, 3);
	}
	rg_arena_free(a);
}

static const char *keys_of(char *buf, size_t sz, const struct rg_node *m)
{
	size_t k = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < m->u.map.len && k < sz; i++) {
		const struct rg_pair *p = &m->u.map.items[i];
		char v[64];

		k += (size_t)snprintf(buf + k, sz - k, "%s%s=%s", i ? " " : "",
				      p->key.ptr, describe(v, sizeof(v), p->val));
	}
	return buf;
}

TEST(merge_keys)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *r = NULL;
	char buf[512];
	const char *doc = "a: &a {x: 1, y: 1}\n"
			  "b: &b {y: 2, z: 2}\n"
			  "one:\n  <<: *a\n  y: 9\n"
			  "before:\n  y: 9\n  <<: *a\n"
			  "list:\n  w: 0\n  <<: [*a, *b]\n  q: 5\n"
			  "inline:\n  <<: {m: 1}\n  n: 2\n"
			  "quoted:\n  \"<<\": 1\n";

	CHECK_INT(rg_doc_parse_one(&r, a, "m", doc, strlen(doc), 0, NULL), 0);
	CHECK_STR(keys_of(buf, sizeof(buf), rg_map_gets(r, "one")),
		  "x=int:1 y=int:9");
	/* written keys win wherever they stand */
	CHECK_STR(keys_of(buf, sizeof(buf), rg_map_gets(r, "before")),
		  "y=int:9 x=int:1");
	/* earlier maps in the list win; merged keys sit where << was */
	CHECK_STR(keys_of(buf, sizeof(buf), rg_map_gets(r, "list")),
		  "w=int:0 x=int:1 y=int:1 z=int:2 q=int:5");
	CHECK_STR(keys_of(buf, sizeof(buf), rg_map_gets(r, "inline")),
		  "m=int:1 n=int:2");
	CHECK_STR(keys_of(buf, sizeof(buf), rg_map_gets(r, "quoted")),
		  "<<=int:1");
	rg_arena_free(a);
}

TEST(merge_errors)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *r = NULL;
	struct rg_err err = RG_ERR_INIT;
	const char *scalar_merge = "a:\n  <<: 1\n";
	const char *list_merge = "a:\n  <<: [{x: 1}, 2]\n";
	const char *alias_list = "l: &l [{x: 1}]\na:\n  <<: *l\n";

	CHECK_INT(rg_doc_parse_one(&r, a, "m", scalar_merge, strlen(scalar_merge),
				   0, &err),
		  RG_EPARSE);
	CHECK(strstr(err.msg, "map merge requires") != NULL);
	CHECK_INT(err.line, 2);
	CHECK_INT(rg_doc_parse_one(&r, a, "m", list_merge, strlen(list_merge), 0,
				   &err),
		  RG_EPARSE);
	/* go-yaml v2: an alias in a merge must be a map, even to a list */
	CHECK_INT(rg_doc_parse_one(&r, a, "m", alias_list, strlen(alias_list), 0,
				   &err),
		  RG_EPARSE);
	CHECK_INT(err.line, 3);
	rg_arena_free(a);
}

TEST(duplicate_keys)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *r = NULL;
	struct rg_err err = RG_ERR_INIT;
	char msg[512];
	const char *doc = "a: 1\nb: 2\na: 3\n";

	CHECK_INT(rg_doc_parse_one(&r, a, "d.yaml", doc, strlen(doc), 0, &err),
		  RG_EPARSE);
	rg_err_format(&err, msg, sizeof(msg));
	CHECK_STR(msg, "d.yaml:3:1: mapping key \"a\" already defined at line 1");
	CHECK_INT(rg_doc_parse_one(&r, a, "d.yaml", doc, strlen(doc),
				   RG_PARSE_DUP_KEYS_OK, &err),
		  0);
	CHECK_INT(r->u.map.len, 2);
	CHECK_INT(rg_map_gets(r, "a")->u.i, 3);
	CHECK_STR(r->u.map.items[0].key.ptr, "a");
	rg_arena_free(a);
}

/* a map big enough to use the hashed key set */
TEST(duplicate_keys_in_big_map)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_buf b = RG_BUF_INIT(1 << 20);
	struct rg_node *r = NULL;
	struct rg_err err = RG_ERR_INIT;

	for (int i = 0; i < 5000; i++)
		rg_buf_addf(&b, "k%d: %d\n", i, i);
	CHECK_INT(rg_doc_parse_one(&r, a, "d", b.ptr, b.len, 0, &err), 0);
	CHECK_INT(r->u.map.len, 5000);
	CHECK_INT(rg_map_gets(r, "k4999")->u.i, 4999);
	rg_buf_addf(&b, "k17: again\n");
	CHECK_INT(rg_doc_parse_one(&r, a, "d", b.ptr, b.len, 0, &err), RG_EPARSE);
	CHECK_INT(err.line, 5001);
	CHECK(strstr(err.msg, "line 18") != NULL);
	rg_buf_release(&b);
	rg_arena_free(a);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

TEST(alias_bomb_fails_fast)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_buf b = RG_BUF_INIT(1 << 20);
	struct rg_docs d;
	struct rg_err err = RG_ERR_INIT;
	double t0;

	rg_buf_adds(&b, "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
	for (char c = 'b'; c <= 'i'; c++) {
		rg_buf_addf(&b, "%c: &%c [", c, c);
		for (int i = 0; i < 9; i++)
			rg_buf_addf(&b, "%s*%c", i ? ", " : "", c - 1);
		rg_buf_adds(&b, "]\n");
	}
	t0 = now_s();
	CHECK_INT(rg_doc_parse(&d, a, "bomb.yaml", b.ptr, b.len, 0, &err),
		  RG_ELIMIT);
	/* it stops before copying: little memory, and no long run even
	 * under valgrind on a loaded machine */
	CHECK(rg_arena_used(a) < 32u * 1024 * 1024);
	CHECK(now_s() - t0 < 30.0);
	CHECK(strstr(err.msg, "RG_CAP_YAML_ALIAS_NODES") != NULL);
	CHECK_STR(err.file, "bomb.yaml");
	CHECK(err.line >= 5 && err.line <= 7);
	rg_buf_release(&b);
	rg_arena_free(a);
}

TEST(deep_nesting_is_limited)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_buf b = RG_BUF_INIT(1 << 20);
	struct rg_docs d;
	struct rg_err err = RG_ERR_INIT;

	rg_buf_addchn(&b, '[', 10000);
	rg_buf_addchn(&b, ']', 10000);
	CHECK_INT(rg_doc_parse(&d, a, "deep", b.ptr, b.len, 0, &err), RG_ELIMIT);
	CHECK(strstr(err.msg, "RG_CAP_YAML_DEPTH") != NULL);
	CHECK_INT(err.line, 1);
	CHECK_INT(err.col, RG_CAP_YAML_DEPTH + 1);
	/* block sequences nested on one line: "- - - ... x" */
	rg_buf_reset(&b);
	for (int i = 0; i < 10000; i++)
		rg_buf_adds(&b, "- ");
	rg_buf_adds(&b, "x\n");
	CHECK_INT(rg_doc_parse(&d, a, "deep", b.ptr, b.len, 0, &err), RG_ELIMIT);
	/* exactly at the cap is fine */
	rg_buf_reset(&b);
	rg_buf_addchn(&b, '[', RG_CAP_YAML_DEPTH);
	rg_buf_addchn(&b, ']', RG_CAP_YAML_DEPTH);
	CHECK_INT(rg_doc_parse(&d, a, "deep", b.ptr, b.len, 0, &err), 0);
	rg_buf_release(&b);
	rg_arena_free(a);
}

/* an alias cannot smuggle depth past the cap */
TEST(deep_alias_is_limited)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_buf b = RG_BUF_INIT(1 << 20);
	struct rg_docs d;
	struct rg_err err = RG_ERR_INIT;

	rg_buf_adds(&b, "- &x ");
	rg_buf_addchn(&b, '[', 400);
	rg_buf_addchn(&b, ']', 400);
	rg_buf_adds(&b, "\n- ");
	rg_buf_addchn(&b, '[', 300);
	rg_buf_adds(&b, "*x");
	rg_buf_addchn(&b, ']', 300);
	rg_buf_adds(&b, "\n");
	CHECK_INT(rg_doc_parse(&d, a, "deep", b.ptr, b.len, 0, &err), RG_ELIMIT);
	CHECK(strstr(err.msg, "RG_CAP_YAML_DEPTH") != NULL);
	rg_buf_release(&b);
	rg_arena_free(a);
}

TEST(huge_scalar_is_limited)
{
	struct rg_arena *a = rg_arena_new();
	size_t n = 50u * 1024 * 1024;
	char *big = rg_xmalloc(n + 8);
	struct rg_docs d;
	struct rg_err err = RG_ERR_INIT;

	memcpy(big, "v: ", 3);
	memset(big + 3, 'x', n);
	big[n + 3] = '\n';
	CHECK_INT(rg_doc_parse(&d, a, "big", big, n + 4, 0, &err), RG_ELIMIT);
	CHECK(strstr(err.msg, "RG_CAP_YAML_SCALAR_BYTES") != NULL);
	CHECK_INT(err.line, 1);
	CHECK_INT(err.col, 4);
	free(big);
	rg_arena_free(a);
}

TEST(too_many_documents)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_buf b = RG_BUF_INIT(4u << 20);
	struct rg_docs d;
	struct rg_err err = RG_ERR_INIT;

	for (unsigned i = 0; i <= RG_CAP_YAML_DOCS; i++)
		rg_buf_adds(&b, "--- 1\n");
	CHECK_INT(rg_doc_parse(&d, a, "docs", b.ptr, b.len, 0, &err), RG_ELIMIT);
	CHECK(strstr(err.msg, "RG_CAP_YAML_DOCS") != NULL);
	rg_buf_release(&b);
	rg_arena_free(a);
}

static int parse_err(struct rg_err *err, const char *data, size_t len)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_docs d;
	int ret = rg_doc_parse(&d, a, "bad.yaml", data, len, 0, err);

	rg_arena_free(a);
	return ret;
}

TEST(bad_bytes_are_clear_errors)
{
	struct rg_err err = RG_ERR_INIT;

	CHECK_INT(parse_err(&err, "a: 1\nb: x\0y\n", 11), RG_EPARSE);
	CHECK(strstr(err.msg, "NUL byte") != NULL);
	CHECK_INT(err.line, 2);
	CHECK_INT(err.col, 5);
	CHECK_INT(parse_err(&err, "a: é\nb: \xc3\x28\n", 11), RG_EPARSE);
	CHECK(strstr(err.msg, "invalid UTF-8") != NULL);
	CHECK_INT(err.line, 2);
	CHECK_INT(err.col, 4);
	/* overlong encoding and a UTF-16 surrogate */
	CHECK_INT(parse_err(&err, "a: \xc0\xaf\n", 6), RG_EPARSE);
	CHECK_INT(parse_err(&err, "a: \xed\xa0\x80\n", 7), RG_EPARSE);
	CHECK_INT(parse_err(&err, "a: b\x01\n", 6), RG_EPARSE);
	CHECK(strstr(err.msg, "control characters") != NULL);
	CHECK_INT(err.col, 5);
}

TEST(malformed_yaml_errors)
{
	struct rg_err err = RG_ERR_INIT;
	char msg[512];
	const char *unterminated = "a: 1\nb: \"abc\nc: 2\n";
	const char *badindent = "a:\n  b: 1\n c: 2\n";
	const char *tab = "a:\n\tb: 1\n";

	CHECK_INT(parse_err(&err, unterminated, strlen(unterminated)), RG_EPARSE);
	rg_err_format(&err, msg, sizeof(msg));
	CHECK_STR(msg, "bad.yaml:4:1: found unexpected end of stream while "
		       "scanning a quoted scalar started at line 2");
	CHECK_INT(parse_err(&err, badindent, strlen(badindent)), RG_EPARSE);
	rg_err_format(&err, msg, sizeof(msg));
	CHECK_STR(msg, "bad.yaml:3:2: did not find expected key while parsing a "
		       "block mapping started at line 1");
	CHECK_INT(parse_err(&err, tab, strlen(tab)), RG_EPARSE);
	CHECK_INT(err.line, 2);
	CHECK_INT(parse_err(&err, "[a, b", 5), RG_EPARSE);
	CHECK_INT(parse_err(&err, "'x", 2), RG_EPARSE);
}

TEST(json_input)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *r = NULL;
	const char *j = "{\"a\": [1, 2.5, true, null, \"x\"], \"b\": {}}";

	CHECK_INT(rg_doc_parse_one(&r, a, "j.json", j, strlen(j), RG_PARSE_JSON,
				   NULL),
		  0);
	CHECK_INT(rg_node_path(r, "a")->u.seq.len, 5);
	CHECK_INT(rg_node_path(r, "a")->u.seq.items[1]->kind, RG_FLOAT);
	CHECK_INT(rg_node_path(r, "a")->u.seq.items[2]->kind, RG_BOOL);
	CHECK_INT(rg_node_path(r, "a")->u.seq.items[3]->kind, RG_NULL);
	CHECK_INT(rg_node_path(r, "b")->kind, RG_MAP);
	/* tab-indented JSON, with tabs around the value too */
	j = "\t{\n\t\"k\": \"x\\/y\",\n\t\"n\": -0\n}\t\n\t\n";
	CHECK_INT(rg_doc_parse_one(&r, a, "j.json", j, strlen(j), RG_PARSE_JSON,
				   NULL),
		  0);
	CHECK_STR(rg_node_cstr(rg_map_gets(r, "k")), "x/y");
	CHECK_INT(rg_map_gets(r, "k")->pos.line, 2);
	CHECK_INT(rg_map_gets(r, "k")->pos.col, 7);
	CHECK_INT(rg_map_gets(r, "n")->kind, RG_INT);
	rg_arena_free(a);
}

TEST(node_helpers)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *m = rg_node_map(a), *s = rg_node_seq(a), *c;

	CHECK_STR(rg_node_cstr(rg_node_str(a, "x")), "x");
	CHECK(rg_node_cstr(rg_node_int(a, 1)) == NULL);
	CHECK(rg_node_cstr(NULL) == NULL);
	CHECK_STR(rg_node_cstr(rg_node_new(a, RG_STR)), "");
	rg_map_set(a, m, "b", 1, rg_node_int(a, 1));
	rg_map_set(a, m, "a", 1, rg_node_bool(a, true));
	rg_map_set(a, m, "b", 1, rg_node_float(a, 2.5));
	CHECK_INT(m->u.map.len, 2);
	CHECK_STR(m->u.map.items[0].key.ptr, "b");
	CHECK_INT(rg_map_gets(m, "b")->kind, RG_FLOAT);
	for (int i = 0; i < 100; i++)
		rg_seq_push(a, s, rg_node_int(a, i));
	CHECK_INT(s->u.seq.len, 100);
	CHECK_INT(s->u.seq.items[99]->u.i, 99);
	rg_map_set(a, m, "list", 4, s);
	{
		struct rg_node *meta = rg_node_map(a);

		rg_map_set(a, meta, "name", 4, rg_node_strn(a, "web\0x", 5));
		rg_map_set(a, m, "metadata", 8, meta);
	}
	CHECK_INT(rg_node_path(m, "metadata.name")->u.s.len, 5);
	CHECK(rg_node_path(m, "metadata.nope") == NULL);
	CHECK(rg_node_path(m, "list.x") == NULL);
	CHECK(rg_map_gets(s, "x") == NULL);
	c = rg_node_clone(a, m);
	CHECK(rg_node_equal(c, m));
	CHECK(rg_map_del(c, "a", 1));
	CHECK(!rg_map_del(c, "a", 1));
	CHECK(!rg_node_equal(c, m));
	rg_map_set(a, c, "a", 1, rg_node_bool(a, true));
	/* same keys in another order are equal */
	CHECK(rg_node_equal(c, m));
	CHECK(!rg_node_equal(rg_node_int(a, 1), rg_node_float(a, 1)));
	CHECK(rg_node_equal(rg_node_float(a, NAN), rg_node_float(a, NAN)));
	CHECK(rg_node_equal(rg_node_null(a), rg_node_null(a)));
	CHECK_STR(rg_kind_name(RG_MAP), "mapping");
	CHECK_STR(rg_kind_name(RG_SEQ), "sequence");
	CHECK_STR(rg_kind_name(RG_STR), "string");
	rg_arena_free(a);
}

/* go-yaml v2's TestSortedOutput order, the string part */
static const char *const sorted_keys[] = {
	"",	 ".1",	    ".2",     ".a",    "1",	"2",	 "a!10",
	"a/0001", "a/002", "a/3",    "a/10",  "a/11",	"a/0012", "a/100",
	"a~10",	 "ab/1",   "b/1",    "b/01",  "b/2",	"b/02",	 "b/3",
	"b/03",	 "b1",	    "b01",    "b3",    "c2.10", "c10.2", "d1",
	"d7",	 "d7abc",  "d12",    "d12a",
};

TEST(keycmp_natural_order)
{
	size_t n = RG_ARRAY_SIZE(sorted_keys);

	for (size_t i = 0; i + 1 < n; i++) {
		const char *x = sorted_keys[i], *y = sorted_keys[i + 1];

		if (rg_yaml_keycmp(x, strlen(x), y, strlen(y)) >= 0)
			FAILF("\"%s\" should sort before \"%s\"", x, y);
		if (rg_yaml_keycmp(y, strlen(y), x, strlen(x)) <= 0)
			FAILF("\"%s\" should sort after \"%s\"", y, x);
	}
	CHECK_INT(rg_yaml_keycmp("a9", 2, "a10", 3), -1);
	CHECK_INT(rg_yaml_keycmp("abc", 3, "abc", 3), 0);
	CHECK_INT(rg_yaml_keycmp("B", 1, "a", 1), -1);
	CHECK_INT(rg_yaml_keycmp("_x", 2, "ax", 2), -1);
	CHECK(rg_yaml_keycmp("é", 2, "z", 1) > 0);
}

TEST(equal_maps_in_any_order)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *x = rg_node_map(a), *y = rg_node_map(a);
	char k[16];

	for (int i = 0; i < 100; i++) {
		snprintf(k, sizeof(k), "k%d", i);
		rg_map_set(a, x, k, strlen(k), rg_node_int(a, i));
		snprintf(k, sizeof(k), "k%d", 99 - i);
		rg_map_set(a, y, k, strlen(k), rg_node_int(a, 99 - i));
	}
	CHECK(rg_node_equal(x, y));
	CHECK(rg_node_equal(y, x));
	rg_map_gets(y, "k50")->u.i = -1;
	CHECK(!rg_node_equal(x, y));
	rg_map_gets(y, "k50")->u.i = 50;
	rg_map_del(y, "k7", 2);
	rg_map_set(a, y, "other", 5, rg_node_int(a, 7));
	CHECK(!rg_node_equal(x, y));
	CHECK(!rg_node_equal(y, x));
	rg_arena_free(a);
}

/*
 * Mappings past 16 keys are indexed: random sets, deletes and lookups
 * checked against a plain array model, through growth, clones and merges.
 */
TEST(big_map_index_matches_model)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *m = rg_node_map(a);
	int model[300];
	uint32_t seed = 12345;
	char k[16];

	for (int i = 0; i < 300; i++)
		model[i] = -1;
	for (int step = 0; step < 20000; step++) {
		int key, op;

		seed = seed * 1103515245u + 12345u;
		key = (int)((seed >> 8) % 300);
		op = (int)((seed >> 20) % 4);
		snprintf(k, sizeof(k), "key-%d", key);
		if (op == 0 && model[key] >= 0) {
			CHECK(rg_map_del(m, k, strlen(k)));
			model[key] = -1;
		} else if (op == 1) {
			struct rg_node *v = rg_map_gets(m, k);

			CHECK(model[key] < 0 ? v == NULL : v && v->u.i == model[key]);
		} else {
			rg_map_set(a, m, k, strlen(k), rg_node_int(a, step));
			model[key] = step;
		}
	}
	for (int i = 0, n = 0; i < 300; i++) {
		struct rg_node *v;

		snprintf(k, sizeof(k), "key-%d", i);
		v = rg_map_gets(m, k);
		CHECK(model[i] < 0 ? v == NULL : v && v->u.i == model[i]);
		n += model[i] >= 0;
		if (i == 299)
			CHECK_INT(m->u.map.len, n);
	}
	{
		struct rg_node *c = rg_node_clone(a, m);

		CHECK(rg_node_equal(c, m));
		rg_map_set(a, c, "fresh", 5, rg_node_null(a));
		CHECK(rg_map_gets(c, "fresh") != NULL);
		CHECK(rg_map_gets(m, "fresh") == NULL);
	}
	rg_arena_free(a);
}

TEST(big_parsed_maps_are_indexed_and_merge)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_buf b = RG_BUF_INIT(1 << 20);
	struct rg_node *r = NULL, *m;
	char k[16];

	rg_buf_adds(&b, "base: &b\n");
	for (int i = 0; i < 40; i++)
		rg_buf_addf(&b, "  b%d: %d\n", i, i);
	rg_buf_adds(&b, "m:\n  b3: mine\n  <<: *b\n");
	for (int i = 0; i < 40; i++)
		rg_buf_addf(&b, "  m%d: %d\n", i, i);
	rg_buf_adds(&b, "d:\n");
	for (int i = 0; i < 40; i++)
		rg_buf_addf(&b, "  k%d: %d\n", i % 30, i);
	CHECK_INT(rg_doc_parse_one(&r, a, "m", b.ptr, b.len, RG_PARSE_DUP_KEYS_OK,
				   NULL),
		  0);
	m = rg_map_gets(r, "m");
	CHECK_INT(m->u.map.len, 80);
	CHECK_STR(rg_node_cstr(rg_map_gets(m, "b3")), "mine");
	for (int i = 0; i < 40; i++) {
		snprintf(k, sizeof(k), "m%d", i);
		CHECK(rg_map_gets(m, k) && rg_map_gets(m, k)->u.i == i);
		snprintf(k, sizeof(k), "b%d", i);
		CHECK(rg_map_gets(m, k) != NULL);
	}
	/* duplicates removed (last wins) and the index still right */
	m = rg_map_gets(r, "d");
	CHECK_INT(m->u.map.len, 30);
	CHECK_INT(rg_map_gets(m, "k5")->u.i, 35);
	CHECK_INT(rg_map_gets(m, "k29")->u.i, 29);
	CHECK(rg_map_gets(m, "k30") == NULL);
	rg_buf_release(&b);
	rg_arena_free(a);
}

/* code that empties a mapping by cutting len leaves stale index slots */
TEST(map_index_survives_len_cut)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *m = rg_node_map(a);
	char k[16];

	for (int round = 0; round < 50; round++) {
		m->u.map.len = 0;
		for (int i = 0; i < 31; i++) {
			snprintf(k, sizeof(k), "r%d-%d", round, i);
			rg_map_set(a, m, k, strlen(k), rg_node_int(a, i));
		}
		CHECK_INT(m->u.map.len, 31);
		for (int i = 0; i < 31; i++) {
			snprintf(k, sizeof(k), "r%d-%d", round, i);
			CHECK(rg_map_gets(m, k) && rg_map_gets(m, k)->u.i == i);
		}
		snprintf(k, sizeof(k), "r%d-%d", round ? round - 1 : 99, 3);
		CHECK(rg_map_gets(m, k) == NULL);
	}
	rg_arena_free(a);
}
