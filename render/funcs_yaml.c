#include "rendergate/compat.h"
#include "rendergate/funcs_lib.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/doc.h"
#include "rendergate/encoding.h"
#include "rendergate/json.h"
#include "rendergate/toml.h"

#include <math.h>

/*
 * Helm 3.10.1's toYaml, fromYaml, fromYamlArray, toJson, fromJson,
 * fromJsonArray (pkg/engine/funcs.go) and Sprig's other JSON functions.
 *
 * toYaml is sigs.k8s.io/yaml.Marshal: the value goes through JSON, so a
 * whole float64 below 2^63 becomes an int, []byte becomes base64 text,
 * NaN/Inf make it fail (toYaml then returns ""); go-yaml v2 writes the
 * result (rg_doc_emit), and the final newline is cut. fromYaml reads the
 * first document with YAML 1.1 rules and then turns every number into
 * float64, as the JSON step does. Parse errors are reworded the way
 * go-yaml v2 and sigs.k8s.io/yaml print them ("error converting YAML to
 * JSON: yaml: line 1: did not find expected ',' or ']'"); NEEDSWORK:
 * libyaml and go-yaml differ on a few problem texts and on the line of
 * errors reported at a context mark.
 */

/* --- toYaml --------------------------------------------------------------- */

/* The value as it comes back from JSON; false for NaN/Inf (Marshal error). */
static bool json_shape(struct rg_node **out, struct rg_tmpl_call *c, const struct rg_node *v,
		       int depth)
{
	struct rg_node *r = NULL;

	if (depth > (int)RG_CAP_JSON_DEPTH)
		return false;
	if (rg_tmpl_isnil(v)) {
		*out = rg_node_null(c->arena);
		return true;
	}
	switch (v->kind) {
	case RG_FLOAT:
		if (isnan(v->u.f) || isinf(v->u.f))
			return false;
		if (v->u.f == trunc(v->u.f) && fabs(v->u.f) < 9.2e18) {
			*out = rg_node_int(c->arena, (int64_t)v->u.f);
			return true;
		}
		*out = rg_node_float(c->arena, v->u.f);
		return true;
	case RG_STR:
		if (v->tag == RG_GT_BYTES) {
			struct rg_buf b = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);

			rg_b64_encode(&b, v->u.s.ptr, v->u.s.len, false);
			*out = rg_funcs_buf_str(c, &b);
			return true;
		}
		*out = rg_node_strn(c->arena, v->u.s.ptr, v->u.s.len);
		return true;
	case RG_SEQ:
		r = rg_node_seq(c->arena);
		for (size_t i = 0; i < v->u.seq.len; i++) {
			struct rg_node *e = NULL;

			if (!json_shape(&e, c, v->u.seq.items[i], depth + 1))
				return false;
			rg_seq_push(c->arena, r, e);
		}
		*out = r;
		return true;
	case RG_MAP:
		r = rg_node_map(c->arena);
		for (size_t i = 0; i < v->u.map.len; i++) {
			struct rg_node *e = NULL;
			const struct rg_pair *p = &v->u.map.items[i];

			if (!json_shape(&e, c, p->val, depth + 1))
				return false;
			rg_map_set(c->arena, r, p->key.ptr, p->key.len, e);
		}
		*out = r;
		return true;
	case RG_INT:
		*out = rg_node_int(c->arena, v->u.i);
		return true;
	default:
		*out = rg_node_bool(c->arena, v->u.b);
		return true;
	}
}

static int fn_to_yaml(struct rg_node **out, struct rg_tmpl_call *c,
		      struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(RG_CAP_YAML_EMIT_BYTES);
	struct rg_node *v = NULL;
	int rc = 0;

	if (!json_shape(&v, c, args[0], 0)) {
		*out = rg_node_str(c->arena, "");
		goto out;
	}
	rc = rg_tmpl_charge(c, 1);
	if (rc)
		goto out;
	if (rg_doc_emit(&b, v, 0)) {
		rc = rg_tmpl_fail_limit(c, "toYaml output larger than %u bytes (RG_CAP_YAML_EMIT_BYTES)",
					RG_CAP_YAML_EMIT_BYTES);
		goto out;
	}
	if (b.len && b.ptr[b.len - 1] == '\n')
		rg_buf_truncate(&b, b.len - 1);
	*out = rg_funcs_buf_str(c, &b);
out:
	rg_buf_release(&b);
	return rc;
}

/* --- fromYaml ----------------------------------------------------------------- */

/* every number becomes float64 (the JSON step of sigs.k8s.io/yaml) */
static void floats(struct rg_node *n)
{
	if (!n)
		return;
	if (n->kind == RG_INT) {
		double f = (double)n->u.i;

		n->kind = RG_FLOAT;
		n->u.f = f;
		n->tag = RG_GT_DEFAULT;
	} else if (n->kind == RG_SEQ) {
		for (size_t i = 0; i < n->u.seq.len; i++)
			floats(n->u.seq.items[i]);
	} else if (n->kind == RG_MAP) {
		for (size_t i = 0; i < n->u.map.len; i++)
			floats(n->u.map.items[i].val);
	}
}

static const char *json_kind(const struct rg_node *n)
{
	switch (n->kind) {
	case RG_BOOL: return "bool";
	case RG_INT: case RG_FLOAT: return "number";
	case RG_STR: return "string";
	case RG_SEQ: return "array";
	case RG_MAP: return "object";
	default: return "null";
	}
}

/*
 * go-yaml v2's wording of a libyaml error: "yaml: line N: PROBLEM", where
 * N is the 0-based line of the problem for parser errors and the 1-based
 * one for scanner errors, and there is no "line" part when the 0-based
 * line is 0.
 * doc.c reports the problem with libyaml's context appended (" while
 * parsing ...") and a 1-based line.
 */
static void go_yaml_error(struct rg_buf *msg, const struct rg_err *err)
{
	static const char *const parser_problems[] = {
		"did not find expected <document start>", "did not find expected node content",
		"did not find expected key", "did not find expected '-' indicator",
		"did not find expected ',' or ']'", "did not find expected ',' or '}'",
		"found duplicate %YAML directive", "found incompatible YAML document",
		"found duplicate %TAG directive", "found undefined tag handle",
	};
	const char *ctx = strstr(err->msg, " while ");
	size_t plen = ctx ? (size_t)(ctx - err->msg) : strlen(err->msg);
	/* scanner: go-yaml adds 1 to a non-zero 0-based line, so line 1 shows none */
	uint32_t line = err->line >= 2 ? err->line : 0;

	for (size_t i = 0; i < RG_ARRAY_SIZE(parser_problems); i++)
		if (strlen(parser_problems[i]) == plen && memcmp(parser_problems[i], err->msg, plen) == 0)
			line = err->line ? err->line - 1 : 0;
	rg_buf_adds(msg, "error converting YAML to JSON: yaml: ");
	if (line)
		rg_buf_addf(msg, "line %u: ", (unsigned)line);
	rg_buf_add(msg, err->msg, plen);
}

/*
 * Parse str as sigs.k8s.io/yaml.Unmarshal into a value of kind `want`
 * (RG_MAP or RG_SEQ). Returns the value (NULL for a null document) or
 * NULL with msg set.
 */
static struct rg_node *from_yaml(struct rg_tmpl_call *c, struct rg_str s, enum rg_kind want,
				 struct rg_buf *msg)
{
	struct rg_err err = RG_ERR_INIT;
	struct rg_docs docs = { NULL, 0, 0 };
	struct rg_node *v = NULL;

	if (rg_doc_parse(&docs, c->arena, "fromYaml", s.ptr, s.len, 0, &err)) {
		go_yaml_error(msg, &err);
		return NULL;
	}
	v = docs.len ? docs.docs[0] : NULL;
	if (!v || v->kind == RG_NULL)
		return NULL;
	if (v->kind != want) {
		rg_buf_addf(msg,
			    "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal %s into Go value of type %s",
			    json_kind(v), want == RG_MAP ? "map[string]interface {}" : "[]interface {}");
		return NULL;
	}
	floats(v);
	return v;
}

/* --- JSON ------------------------------------------------------------------------ */

/* json.Marshal with flags; must: errors fail the call, else give "" */
static int to_json(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, unsigned flags, bool must)
{
	struct rg_buf b = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);
	struct rg_err err = RG_ERR_INIT;
	int rc = rg_json_encode(&b, args[0], flags, &err);

	if (rc == RG_ELIMIT) {
		rc = rg_tmpl_fail_limit(c, "%s", err.msg);
	} else if (rc && must) {
		rc = rg_tmpl_fail(c, "%s", err.msg);
	} else {
		rc = 0;
		*out = rg_funcs_buf_str(c, &b);
	}
	rg_buf_release(&b);
	return rc;
}

static int fn_to_json(struct rg_node **out, struct rg_tmpl_call *c,
		      struct rg_node *const *args, size_t nargs)
{
	return to_json(out, c, args, 0, false);
}

static int fn_must_to_json(struct rg_node **out, struct rg_tmpl_call *c,
			   struct rg_node *const *args, size_t nargs)
{
	return to_json(out, c, args, 0, true);
}

static int fn_to_pretty_json(struct rg_node **out, struct rg_tmpl_call *c,
			     struct rg_node *const *args, size_t nargs)
{
	return to_json(out, c, args, RG_JSON_INDENT, false);
}

static int fn_must_to_pretty_json(struct rg_node **out, struct rg_tmpl_call *c,
				  struct rg_node *const *args, size_t nargs)
{
	return to_json(out, c, args, RG_JSON_INDENT, true);
}

/* toRawJson panics on a marshal error; the panic text is the error */
static int fn_to_raw_json(struct rg_node **out, struct rg_tmpl_call *c,
			  struct rg_node *const *args, size_t nargs)
{
	return to_json(out, c, args, RG_JSON_NO_HTML_ESCAPE, true);
}

/*
 * Decode s; want is RG_MAP (fromJson), RG_SEQ (fromJsonArray) or RG_NULL
 * (any: mustFromJson). Returns the value and sets msg on error.
 */
static struct rg_node *from_json(struct rg_tmpl_call *c, struct rg_str s, enum rg_kind want,
				 struct rg_buf *msg)
{
	struct rg_err err = RG_ERR_INIT;
	struct rg_node *v = NULL;
	int rc = rg_json_decode(&v, c->arena, s.ptr, s.len, &err);

	if (rc && rc != RG_EINVALID) {
		rg_buf_adds(msg, err.msg);
		return NULL;
	}
	if (want != RG_NULL && v && v->kind != RG_NULL && v->kind != want) {
		rg_buf_addf(msg, "json: cannot unmarshal %s into Go value of type %s", json_kind(v),
			    want == RG_MAP ? "map[string]interface {}" : "[]interface {}");
		return NULL;
	}
	if (rc)
		rg_buf_adds(msg, err.msg);
	return v && v->kind == RG_NULL && want != RG_NULL ? NULL : v;
}

/*
 * Helm's fromYaml/fromJson (want RG_MAP: a map, with the error text under
 * "Error") and fromYamlArray/fromJsonArray (want RG_SEQ: the list, or a
 * list holding just the error text).
 */
static int from_text(struct rg_node **out, struct rg_tmpl_call *c,
		     struct rg_node *const *args, enum rg_kind want, bool yaml)
{
	struct rg_buf msg = RG_BUF_INIT(RG_ERR_MSG_MAX);
	struct rg_node *v = NULL;
	struct rg_str s;
	int rc = 0;

	RG_FUNCS_STR(s, 0);
	v = yaml ? from_yaml(c, s, want, &msg) : from_json(c, s, want, &msg);
	if (want == RG_SEQ && msg.len) {
		v = rg_node_seq(c->arena);
		rg_seq_push(c->arena, v, rg_node_strn(c->arena, msg.ptr, msg.len));
	}
	if (!v)
		v = want == RG_MAP ? rg_node_map(c->arena) : rg_node_seq(c->arena);
	if (want == RG_MAP && msg.len)
		rg_map_set(c->arena, v, "Error", 5, rg_node_strn(c->arena, msg.ptr, msg.len));
	*out = v;
out:
	rg_buf_release(&msg);
	return rc;
}

static int fn_from_yaml(struct rg_node **out, struct rg_tmpl_call *c,
			struct rg_node *const *args, size_t nargs)
{
	return from_text(out, c, args, RG_MAP, true);
}

static int fn_from_yaml_array(struct rg_node **out, struct rg_tmpl_call *c,
			      struct rg_node *const *args, size_t nargs)
{
	return from_text(out, c, args, RG_SEQ, true);
}

static int fn_from_json(struct rg_node **out, struct rg_tmpl_call *c,
			struct rg_node *const *args, size_t nargs)
{
	return from_text(out, c, args, RG_MAP, false);
}

static int fn_from_json_array(struct rg_node **out, struct rg_tmpl_call *c,
			      struct rg_node *const *args, size_t nargs)
{
	return from_text(out, c, args, RG_SEQ, false);
}

/* mustFromJson S: any JSON value, or the decode error */
static int fn_must_from_json(struct rg_node **out, struct rg_tmpl_call *c,
			     struct rg_node *const *args, size_t nargs)
{
	struct rg_buf msg = RG_BUF_INIT(RG_ERR_MSG_MAX);
	struct rg_node *v = NULL;
	struct rg_str s;
	int rc = 0;

	RG_FUNCS_STR(s, 0);
	v = from_json(c, s, RG_NULL, &msg);
	if (msg.len) {
		rc = rg_tmpl_fail(c, "%s", msg.ptr);
		goto out;
	}
	*out = rg_tmpl_isnil(v) ? NULL : v;
out:
	rg_buf_release(&msg);
	return rc;
}

/* toToml V: the TOML text, or the encoder's error text as the result */
static int fn_to_toml(struct rg_node **out, struct rg_tmpl_call *c,
		      struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);
	struct rg_err err = RG_ERR_INIT;
	int rc = rg_toml_encode(&b, args[0], &err);

	if (rc == RG_ELIMIT) {
		rc = rg_tmpl_fail_limit(c, "%s", err.msg);
	} else if (rc == RG_EINVALID) {
		rc = 0;
		*out = rg_node_str(c->arena, err.msg);
	} else if (rc) {
		rc = rg_tmpl_fail(c, "%s", err.msg);
	} else {
		*out = rg_funcs_buf_str(c, &b);
	}
	rg_buf_release(&b);
	return rc;
}

const struct rg_tmpl_func rg_funcs_yaml[] = {
	{ "toToml", fn_to_toml, 1, 1, 0 },
	{ "toYaml", fn_to_yaml, 1, 1, 0 },
	{ "fromYaml", fn_from_yaml, 1, 1, 0 },
	{ "fromYamlArray", fn_from_yaml_array, 1, 1, 0 },
	{ "toJson", fn_to_json, 1, 1, 0 },
	{ "mustToJson", fn_must_to_json, 1, 1, 0 },
	{ "toPrettyJson", fn_to_pretty_json, 1, 1, 0 },
	{ "mustToPrettyJson", fn_must_to_pretty_json, 1, 1, 0 },
	{ "toRawJson", fn_to_raw_json, 1, 1, 0 },
	{ "mustToRawJson", fn_to_raw_json, 1, 1, 0 },
	{ "fromJson", fn_from_json, 1, 1, 0 },
	{ "fromJsonArray", fn_from_json_array, 1, 1, 0 },
	{ "mustFromJson", fn_must_from_json, 1, 1, 0 },
	{ NULL, NULL, 0, 0, 0 },
};
