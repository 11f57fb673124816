/*
 * test-jsonschema.c - what the golden schema cases (tests/cases/helm/
 * schema-*, recorded with helm) cannot show: schema errors ($ref that
 * does not resolve, $ref cycles, bad patterns), JSON pointer escapes,
 * and the integer rule for float64 values.
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/doc.h"
#include "rendergate/json.h"
#include "rendergate/jsonschema.h"
#include "test.h"

static int run(size_t *n, struct rg_buf *out, struct rg_arena *a,
	       const char *schema, const char *value, struct rg_err *err)
{
	struct rg_node *s = NULL, *v = NULL;

	if (rg_json_decode(&s, a, schema, strlen(schema), err) < 0 ||
	    rg_json_decode(&v, a, value, strlen(value), err) < 0)
		return -100;
	return rg_jsonschema_validate(n, out, a, s, v, err);
}

TEST(jsonschema_ref_pointer_escapes)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_buf out = RG_BUF_INIT(1 << 20);
	size_t n = 9;

	CHECK_INT(run(&n, &out, a,
		      "{\"definitions\":{\"a/b\":{\"x~y\":{\"type\":\"string\"}}},"
		      "\"properties\":{\"p\":{\"$ref\":\"#/definitions/a~1b/x~0y\"}}}",
		      "{\"p\": 1}", &err),
		  0);
	CHECK_INT(n, 1);
	CHECK_STR(out.ptr, "- p: Invalid type. Expected: string, given: integer\n");
	rg_buf_release(&out);
	rg_arena_free(a);
}

TEST(jsonschema_whole_floats_are_integers)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_buf out = RG_BUF_INIT(1 << 20);
	size_t n = 9;

	/* json.h decodes every number as float64, as values files do */
	CHECK_INT(run(&n, &out, a, "{\"type\":\"integer\"}", "3.0", &err), 0);
	CHECK_INT(n, 0);
	CHECK_INT(run(&n, &out, a, "{\"type\":\"integer\"}", "3.5", &err), 0);
	CHECK_INT(n, 1);
	CHECK_STR(out.ptr, "- (root): Invalid type. Expected: integer, given: number\n");
	rg_buf_release(&out);
	rg_arena_free(a);
}

TEST(jsonschema_schema_errors)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_buf out = RG_BUF_INIT(1 << 20);
	size_t n = 0;

	CHECK_INT(run(&n, &out, a, "{\"$ref\":\"#/definitions/none\"}", "1",
		      &err),
		  RG_EINVALID);
	CHECK(strstr(err.msg, "$ref #/definitions/none does not resolve"));
	CHECK_INT(run(&n, &out, a, "{\"$ref\":\"other.json#/x\"}", "1", &err),
		  RG_EINVALID);
	CHECK(strstr(err.msg, "only references inside the file"));
	/* a schema that refers to itself with the same value */
	CHECK_INT(run(&n, &out, a, "{\"definitions\":{\"l\":{\"$ref\":\"#/definitions/l\"}},"
				  "\"$ref\":\"#/definitions/l\"}",
		      "1", &err),
		  RG_ELIMIT);
	CHECK(strstr(err.msg, "RG_CAP_JSON_DEPTH"));
	CHECK_INT(run(&n, &out, a, "{\"pattern\":\"(a\"}", "\"a\"", &err),
		  RG_EPARSE);
	CHECK(strstr(err.msg, "values.schema.json: pattern of (root)"));
	rg_buf_release(&out);
	rg_arena_free(a);
}

TEST(jsonschema_recursive_schema_on_finite_value)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_buf out = RG_BUF_INIT(1 << 20);
	size_t n = 9;

	/* a tree type: recursion follows the value and ends with it */
	CHECK_INT(run(&n, &out, a,
		      "{\"$ref\":\"#/$defs/node\",\"$defs\":{\"node\":{\"type\":\"object\","
		      "\"properties\":{\"kids\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/node\"}}}}}}",
		      "{\"kids\":[{\"kids\":[]},{\"kids\":[5]}]}", &err),
		  0);
	CHECK_INT(n, 1);
	CHECK_STR(out.ptr, "- kids.1.kids.0: Invalid type. Expected: object, given: integer\n");
	rg_buf_release(&out);
	rg_arena_free(a);
}
