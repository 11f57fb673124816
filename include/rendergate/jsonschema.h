/*
 * jsonschema.h - JSON Schema validation of chart values, with the results
 * and messages of Helm 3.10.1 (xeipuuv/gojsonschema, drafts 4/6/7).
 *
 * Keywords: type (one or a list; "integer" accepts any whole number, as a
 * values number 3.0 reaches gojsonschema as the JSON 3), enum, const,
 * required, properties, patternProperties, additionalProperties (bool or
 * schema), minProperties/maxProperties, items (one schema or a list, with
 * additionalItems), minItems/maxItems, uniqueItems, minLength/maxLength
 * (in code points), pattern (Go regexp through regex.h, unanchored),
 * minimum/maximum, exclusiveMinimum/exclusiveMaximum (draft 4 booleans
 * and draft 6+ numbers), multipleOf, allOf/anyOf/oneOf/not,
 * if/then/else, true/false schemas, and $ref to a JSON pointer inside the
 * same file ("#", "#/definitions/x", "#/$defs/x", with ~0 ~1 escapes); a
 * $ref replaces its siblings, as in draft 7. Keywords not listed
 * (format, dependencies, contains, propertyNames, remote $ref) are
 * ignored. NEEDSWORK: format is not checked (gojsonschema checks
 * "email", "date-time", ... formats).
 *
 * Each violation is one line "- FIELD: MESSAGE\n" as gojsonschema's
 * ResultError prints it: FIELD is "(root)" or the dotted path
 * ("image.tag", "list.0"), MESSAGE its English text ("image is
 * required", "Invalid type. Expected: integer, given: string",
 * "Additional property x is not allowed", "Must be less than or equal to
 * 10", "Does not match pattern '^a$'", "x must be one of the following:
 * \"a\", \"b\"", ...). Lines come in gojsonschema's order for one value
 * (type; anyOf, oneOf, allOf, not; the kind's own keywords; const and
 * enum; then properties); gojsonschema visits properties and object keys
 * in Go map order, which is random, so Helm's order varies between runs
 * where ours follows the schema file and the values.
 *
 * Recursion ($ref cycles, deep values) is capped by RG_CAP_JSON_DEPTH.
 */
#ifndef RENDERGATE_JSONSCHEMA_H
#define RENDERGATE_JSONSCHEMA_H

#include "rendergate/compat.h"
#include "rendergate/err.h"

struct rg_arena;
struct rg_buf;
struct rg_node;

/*
 * Validate value against schema (a decoded JSON document, json.h).
 * Appends one line per violation to out and sets *nerrors to their
 * number (0: valid). Returns 0 whether or not the value is valid; errors
 * are for the schema itself: RG_EINVALID (a $ref that does not resolve,
 * a bad pattern, a keyword of the wrong type), RG_ELIMIT (nesting over
 * RG_CAP_JSON_DEPTH, a regex match limit, out over its cap).
 */
int rg_jsonschema_validate(size_t *nerrors, struct rg_buf *out,
			   struct rg_arena *a, const struct rg_node *schema,
			   const struct rg_node *value, struct rg_err *err);

#endif
