/*
 * envsubst.h - Flux's postBuild variable substitution (fluxcd/pkg/envsubst,
 * a fork of drone/envsubst), reimplemented.
 *
 * Only the braced form is an expansion; "$var" without braces is text.
 * What rg_envsubst_eval() understands, with Flux's quirks kept:
 *
 *   ${var}              the value ("" when unset, unless strict)
 *   ${#var}             length in bytes
 *   ${var^} ${var^^}    upper-case the first / every character
 *   ${var,} ${var,,}    lower-case the first / every character
 *   ${var:off} ${var:off:len}   substring by bytes (negative off counts
 *                       from the end; an offset or length that is not a
 *                       plain decimal leaves the value unchanged)
 *   ${var#pat} ${var##pat}      strip the shortest / longest prefix
 *   ${var%pat} ${var%%pat}      matching the glob pat ('*' also matches
 *                       '/', '?', [classes], '\' escapes); a bad pattern
 *                       leaves the value unchanged
 *   ${var/old/new} ${var//old/new} ${var/#old/new} ${var/%old/new}
 *                       literal (not glob) replacement: first, all,
 *                       prefix, suffix; "\/" and "\\" escape in old/new
 *   ${var:=def} ${var=def} ${var:-def}  (and :+ :? which Flux treats
 *                       the same) the default when the value is empty;
 *                       the default may hold nested ${...}
 *   $${var}             the text "${var}" ("$$" is "$" in text)
 *
 * Flux's own parser refuses some forms bash takes: "${var-def}" and
 * "${var+x}" are "missing closing brace", "${var/x}" is "bad
 * substitution", "${}" is "unable to parse variable name". Errors are
 * RG_EPARSE with Flux's wording ("bad substitution", "missing closing
 * brace", "unable to parse variable name", "unable to parse substitution
 * within function", "unable to parse default function"); the whole text
 * is parsed before anything is evaluated, so a syntax error anywhere wins
 * over a missing variable.
 *
 * Variable names are looked up as written (letters, digits, '_'; bytes
 * >= 0x80 count as letters: NEEDSWORK, Go asks unicode.IsLetter).
 * Upper/lower casing maps ASCII letters only (NEEDSWORK: Go maps all of
 * Unicode).
 */
#ifndef RENDERGATE_ENVSUBST_H
#define RENDERGATE_ENVSUBST_H

#include "rendergate/compat.h"
#include "rendergate/err.h"

struct rg_arena;
struct rg_buf;

/*
 * Look a variable up: return true and set *val and *vlen when it is set.
 * name is NUL-terminated; has_default is true when the expression brings
 * its own fallback (${v:=x}, ${v:-x} ...), so an unset v is expected.
 */
typedef bool (*rg_envsubst_lookup_fn)(void *ctx, const char *name,
				      bool has_default, const char **val,
				      size_t *vlen);

enum rg_envsubst_flags {
	/*
	 * An unset variable used without a default operator (${v}, ${#v},
	 * ${v^^}, ${v/a/b} ...) is RG_EINVALID "variable not set (strict
	 * mode): \"v\"" (Flux's StrictPostBuildSubstitutions). Without it an
	 * unset variable reads as "".
	 */
	RG_ENVSUBST_STRICT = 1 << 0,
};

/*
 * Expand s[0..n) into out (appended). Temporary memory comes from a.
 * Errors: RG_EPARSE (syntax, see above), RG_EINVALID (strict mode),
 * RG_ELIMIT (out's cap, or nesting deeper than RG_CAP_ENVSUBST_DEPTH).
 * On error out may hold part of the expansion.
 */
int rg_envsubst_eval(struct rg_buf *out, struct rg_arena *a, const char *s,
		     size_t n, rg_envsubst_lookup_fn lookup, void *ctx,
		     unsigned flags, struct rg_err *err);

/*
 * Does s[0..n) hold anything the expansion would change ("${" or "$$")?
 * Cheap test to skip strings that cannot change.
 */
bool rg_envsubst_needed(const char *s, size_t n);

/* Is name a valid Flux variable name ([_A-Za-z][_A-Za-z0-9]*)? */
bool rg_envsubst_valid_name(const char *name, size_t n);

/*
 * Flux's glob match (fluxcd/pkg/envsubst/path, Go's path.Match with '*'
 * matching '/' too): 1 match, 0 no match, RG_EPARSE bad pattern.
 */
int rg_envsubst_match(const char *pat, size_t plen, const char *s, size_t n);

#endif
