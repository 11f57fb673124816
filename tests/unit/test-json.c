#include "test.h"
#include "rendergate/json.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/tmpl.h"

#include <math.h>

/* Expected texts were produced by helm 3.10.1 (toJson, toPrettyJson,
 * toRawJson, fromJson) on the same values. */

static const char *enc(struct rg_node *n, unsigned flags)
{
	static char r[2048];
	struct rg_buf b = RG_BUF_INIT(4096);
	struct rg_err err = RG_ERR_INIT;

	if (rg_json_encode(&b, n, flags, &err))
		snprintf(r, sizeof(r), "ERR %s", err.msg);
	else
		snprintf(r, sizeof(r), "%s", b.ptr);
	rg_buf_release(&b);
	return r;
}

static struct rg_node *values(struct rg_arena *a)
{
	struct rg_node *m = rg_node_map(a);

	rg_map_set(a, m, "a", 1, rg_node_str(a, "<b>&</b>"));
	rg_map_set(a, m, "ctl", 3, rg_node_str(a, "\001\b\f\t"));
	rg_map_set(a, m, "f", 1, rg_node_float(a, 1.5e-7));
	rg_map_set(a, m, "n", 1, rg_node_float(a, 1000000));
	rg_map_set(a, m, "g", 1, rg_node_float(a, 1e21));
	rg_map_set(a, m, "h", 1, rg_node_float(a, 123456789012.0));
	rg_map_set(a, m, "z", 1, rg_node_float(a, 0));
	rg_map_set(a, m, "neg", 3, rg_node_float(a, -0.5));
	rg_map_set(a, m, "list", 4, rg_node_seq(a));
	rg_map_set(a, m, "m", 1, rg_node_map(a));
	rg_map_set(a, m, "ls", 2, rg_node_str(a, "x\xe2\x80\xa8y"));
	return m;
}

TEST(json_encode_like_helm)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *v = values(a);

	CHECK_STR(enc(v, 0),
		  "{\"a\":\"\\u003cb\\u003e\\u0026\\u003c/b\\u003e\",\"ctl\":\"\\u0001\\u0008\\u000c\\t\","
		  "\"f\":1.5e-7,\"g\":1e+21,\"h\":123456789012,\"list\":[],\"ls\":\"x\\u2028y\","
		  "\"m\":{},\"n\":1000000,\"neg\":-0.5,\"z\":0}");
	CHECK_STR(enc(v, RG_JSON_NO_HTML_ESCAPE),
		  "{\"a\":\"<b>&</b>\",\"ctl\":\"\\u0001\\u0008\\u000c\\t\","
		  "\"f\":1.5e-7,\"g\":1e+21,\"h\":123456789012,\"list\":[],\"ls\":\"x\\u2028y\","
		  "\"m\":{},\"n\":1000000,\"neg\":-0.5,\"z\":0}");
	rg_arena_free(a);
}

TEST(json_encode_indent)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *m = rg_node_map(a), *l = rg_node_seq(a);

	rg_seq_push(a, l, rg_node_int(a, 1));
	rg_seq_push(a, l, rg_node_null(a));
	rg_map_set(a, m, "b", 1, l);
	rg_map_set(a, m, "a", 1, rg_node_map(a));
	rg_map_set(a, m, "c", 1, rg_node_bool(a, true));
	CHECK_STR(enc(m, RG_JSON_INDENT),
		  "{\n  \"a\": {},\n  \"b\": [\n    1,\n    null\n  ],\n  \"c\": true\n}");
	CHECK_STR(enc(NULL, 0), "null");
	rg_arena_free(a);
}

TEST(json_encode_types_and_errors)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *b = rg_node_str(a, "hi");

	b->tag = RG_GT_BYTES;

	CHECK_STR(enc(b, 0), "\"aGk=\"");
	CHECK_STR(enc(rg_node_float(a, NAN), 0), "ERR json: unsupported value: NaN");
	CHECK_STR(enc(rg_node_float(a, -INFINITY), 0), "ERR json: unsupported value: -Inf");
	CHECK_STR(enc(rg_node_str(a, "\xff"), 0), "\"\\ufffd\"");
	CHECK_STR(enc(rg_node_float(a, 1e20), 0), "100000000000000000000");
	CHECK_STR(enc(rg_node_float(a, 0.000001), 0), "0.000001");
	CHECK_STR(enc(rg_node_float(a, 0.1 + 0.2), 0), "0.30000000000000004");
	rg_arena_free(a);
}

TEST(json_fmt_float_shortest)
{
	char b[64];

	rg_json_fmt_float(b, sizeof(b), 1000000, 'g');
	CHECK_STR(b, "1e+06");
	rg_json_fmt_float(b, sizeof(b), 123456, 'g');
	CHECK_STR(b, "123456");
	rg_json_fmt_float(b, sizeof(b), 1234567, 'g');
	CHECK_STR(b, "1.234567e+06");
	rg_json_fmt_float(b, sizeof(b), 0.0001, 'g');
	CHECK_STR(b, "0.0001");
	rg_json_fmt_float(b, sizeof(b), 0.00001, 'g');
	CHECK_STR(b, "1e-05");
	rg_json_fmt_float(b, sizeof(b), 3.0, 'g');
	CHECK_STR(b, "3");
	rg_json_fmt_float(b, sizeof(b), 1.5, 'e');
	CHECK_STR(b, "1.5e+00");
	rg_json_fmt_float(b, sizeof(b), 0, 'e');
	CHECK_STR(b, "0e+00");
	rg_json_fmt_float(b, sizeof(b), -0.0, 'f');
	CHECK_STR(b, "-0");
}

static const char *dec(struct rg_arena *a, const char *s)
{
	static char r[1024];
	struct rg_node *n = NULL;
	struct rg_err err = RG_ERR_INIT;
	int rc = rg_json_decode(&n, a, s, strlen(s), &err);

	if (rc && rc != RG_EINVALID)
		snprintf(r, sizeof(r), "ERR %s", err.msg);
	else
		snprintf(r, sizeof(r), "%s%s%s", enc(n, 0), rc ? " ERR " : "", rc ? err.msg : "");
	return r;
}

TEST(json_decode_like_go)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *n = NULL;
	struct rg_err err = RG_ERR_INIT;

	CHECK_STR(dec(a, "{\"a\": 1, \"b\": [true, null, \"x\"]}"), "{\"a\":1,\"b\":[true,null,\"x\"]}");
	CHECK_INT(rg_json_decode(&n, a, "[1, 2.5]", 8, &err), 0);
	CHECK_INT(n->u.seq.items[0]->kind, RG_FLOAT);
	CHECK_STR(dec(a, "\"\\u00e9\\ud83d\\ude00\""), "\"\xc3\xa9\xf0\x9f\x98\x80\"");
	CHECK_STR(dec(a, "{\"a\": 1,"), "ERR unexpected end of JSON input");
	CHECK_STR(dec(a, ""), "ERR unexpected end of JSON input");
	CHECK_STR(dec(a, "{\"a\" 1}"), "ERR invalid character '1' after object key");
	CHECK_STR(dec(a, "{\"a\": tru}"), "ERR invalid character '}' in literal true (expecting 'e')");
	CHECK_STR(dec(a, "{\"a\": 1.}"), "ERR invalid character '}' after decimal point in numeric literal");
	CHECK_STR(dec(a, "{\"a\": 1} x"), "ERR invalid character 'x' after top-level value");
	CHECK_STR(dec(a, "{\"a\": \"\\q\"}"), "ERR invalid character 'q' in string escape code");
	CHECK_STR(dec(a, "{\"a\": 1e999}"),
		  "{\"a\":null} ERR json: cannot unmarshal number 1e999 into Go value of type float64");
	CHECK_STR(dec(a, "{'a': 1}"), "ERR invalid character '\\'' looking for beginning of object key string");
	CHECK_STR(dec(a, "[1 2]"), "ERR invalid character '2' after array element");
	CHECK_STR(dec(a, "{\"a\":1 \"b\":2}"), "ERR invalid character '\"' after object key:value pair");
	CHECK_STR(dec(a, "\"a\nb\""), "ERR invalid character '\\n' in string literal");
	rg_arena_free(a);
}
