/*
 * toml.h - TOML output the way BurntSushi/toml v1.1.0's Encoder writes a
 * Go map[string]interface{} (Helm 3.10.1's toToml).
 *
 * In each table the keys holding plain values come first, then the keys
 * holding tables (maps) and arrays of tables (lists whose first element
 * is a map), each group sorted by byte order; nil values are skipped.
 * Sub-tables get "[a.b]" headers indented two spaces per level below the
 * first, arrays of tables "[[a.b]]"; a blank line precedes each header
 * except at the very start. Keys that are not bare (A-Z a-z 0-9 _ -)
 * are double-quoted. Values: strings in double quotes with TOML escapes
 * (\b \t \n \f \r, \uXXXX for other control characters and DEL), ints,
 * floats as strconv 'f' shortest with ".0" added when there is no point
 * ("nan", "+inf", "-inf"), booleans, inline arrays "[1, 2]" and inline
 * tables "{a = 1, b = 2}".
 *
 * Errors carry the library's text, which Helm's toToml returns as its
 * output: "toml: top-level values must be Go maps or structs",
 * "toml: cannot encode array with nil element" (RG_EINVALID). A list of
 * tables with a non-map element is RG_ERROR with the library's panic
 * text ("eTable: unhandled reflect.Value Kind: string"), which Helm
 * reports as a template error. RG_ELIMIT: the buffer's cap, or nesting
 * deeper than RG_CAP_JSON_DEPTH.
 */
#ifndef RENDERGATE_TOML_H
#define RENDERGATE_TOML_H

#include "rendergate/compat.h"
#include "rendergate/doc.h"
#include "rendergate/err.h"

struct rg_buf;

/* Append the TOML of v (a map; NULL or RG_NULL count as nil). */
int rg_toml_encode(struct rg_buf *out, const struct rg_node *v,
		   struct rg_err *err);

#endif
