/*
 * json.h - JSON in and out the way Go's encoding/json does it for
 * interface{} values (Helm's toJson/fromJson, sprig's toPrettyJson,
 * toRawJson, mustFromJson ...).
 *
 * ENCODING (json.Marshal of the Go value a node stands for):
 *   - map keys sorted by byte order; maps tagged as Go structs
 *     (tag >= RG_GT_STRUCT, tmpl.h) keep their node order instead;
 *   - strings: `"` `\` escaped, \n \r \t short, other control bytes as
 *     \u00XX (Go 1.18 has no \b \f short forms), invalid UTF-8 as \ufffd,
 *     U+2028/U+2029 as \u2028/\u2029, and unless RG_JSON_NO_HTML_ESCAPE,
 *     `<` `>` `&` as \u003c \u003e \u0026;
 *   - float64 as strconv 'f' shortest, or 'e' shortest below 1e-6 and
 *     from 1e21 on, exponent without a leading zero (1e-07 -> 1e-7);
 *     NaN and infinities are an error "json: unsupported value: NaN";
 *   - []byte (RG_GT_BYTES) as a base64 string; uint64 (RG_GT_UINT64)
 *     unsigned; nil (NULL or RG_NULL) as null;
 *   - RG_JSON_INDENT is json.MarshalIndent(v, "", "  ").
 * The output is appended to a capped buffer (RG_ELIMIT past its cap);
 * nesting deeper than RG_CAP_JSON_DEPTH is RG_ELIMIT.
 *
 * DECODING (json.Unmarshal into interface{}): objects become RG_MAP,
 * arrays RG_SEQ, every number RG_FLOAT (float64), strings RG_STR with
 * invalid UTF-8 replaced by U+FFFD, null RG_NULL; a repeated key keeps
 * the last value. The whole input is checked first, as Go does, and a
 * syntax error reads like Go's: "invalid character 'x' looking for
 * beginning of value", "unexpected end of JSON input", ... (RG_EPARSE).
 * A number too large for float64 becomes null and, as in Go, decoding
 * goes on: the result is still stored in *out and RG_EINVALID returned
 * with Go's "json: cannot unmarshal number 1e999 into Go value of type
 * float64" (Helm's fromJson shows both the partial map and the Error).
 */
#ifndef RENDERGATE_JSON_H
#define RENDERGATE_JSON_H

#include "rendergate/compat.h"
#include "rendergate/doc.h"
#include "rendergate/err.h"

struct rg_arena;
struct rg_buf;

enum rg_json_flags {
	RG_JSON_NO_HTML_ESCAPE = 1 << 0, /* SetEscapeHTML(false): toRawJson */
	RG_JSON_INDENT = 1 << 1,	 /* MarshalIndent(v, "", "  ") */
};

/* Append the JSON text of n (NULL means nil). */
int rg_json_encode(struct rg_buf *out, const struct rg_node *n,
		   unsigned flags, struct rg_err *err);

/* Parse s[0..len) into a new tree in arena a. */
int rg_json_decode(struct rg_node **out, struct rg_arena *a, const char *s,
		   size_t len, struct rg_err *err);

/*
 * qsort comparator for an array of const struct rg_pair * ordering keys by
 * their bytes (Go's sort.Strings and encoding/json map order). Shared by
 * the encoders and the functions that list map keys.
 */
int rg_json_pair_cmp(const void *x, const void *y);

/*
 * strconv.FormatFloat(f, fmt, -1, 64) for fmt 'e', 'f' or 'g': the
 * shortest digits that read back as f. Writes at most 40 bytes plus NUL.
 * Returns the length.
 */
size_t rg_json_fmt_float(char *out, size_t outsz, double f, char fmt);

#endif
