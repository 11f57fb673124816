/*
 * funcs_lib.h - the Sprig v3.2.2 function library and Helm 3.10.1's data
 * functions (toYaml, fromYaml, toJson, ...), as template function tables.
 *
 * Each table is NULL-name terminated (struct rg_tmpl_func, tmpl.h) and
 * rg_funcs_lib_tables lists them all, in the order a registry should add
 * them (later entries override earlier ones; the Helm table is last, so
 * Helm's toJson/fromJson win over Sprig's as in Helm). Sprig's env and
 * expandenv are not provided (Helm deletes them); include, tpl, required,
 * fail and lookup live in funcs.h.
 *
 * Semantics follow the Go code exactly, including its traps: `default`
 * and `empty` treat 0, "", false, empty lists and maps as unset; `int`,
 * `int64` and the arithmetic functions convert through spf13/cast v1.4.1
 * (floats truncate, strings parse with base prefixes, failures give 0),
 * add/sub/mul/div/mod/max/min return int64, `div` is integer division,
 * the *f variants use float64 (through shopspring/decimal: results are
 * the decimal result rounded to float64); `trunc` cuts bytes and keeps
 * the tail for negative counts; `substr` has sprig's bounds and its
 * out-of-range panics become errors with Go's runtime message; `quote`
 * skips nil arguments; `merge`/`mergeOverwrite` follow mergo v0.3.12 on
 * maps and modify their first argument; `keys` and `values` return Go map
 * order, which is random: here they come in sorted key order (charts pipe
 * them through sortAlpha anyway); `split` returns map[string]string with
 * keys _0, _1, ...; `list` is []interface{}, `splitList` []string, `until`
 * []int.
 *
 * Stand-ins. Functions that are random, time-based or create keys return
 * deterministic values derived from rg_tmpl_call_seed() (template name,
 * position of the call, how often it ran) and are flagged
 * RG_TMPL_FN_VOLATILE, so the executor marks their results:
 *   - randAlphaNum/randAlpha/randNumeric/randAscii/randBytes/randInt/
 *     shuffle/uuidv4: the right alphabet, length and format;
 *   - now: the fixed instant 2024-01-01T00:00:00Z (RG_FUNCS_NOW_UNIX);
 *     ago is flagged too, and date/dateInZone/htmlDate/durationRound mark
 *     their result volatile when they fall back to now (a date argument
 *     that is not a time.Time or an int); every zone renders as UTC,
 *     "Local" included (render/ has no tz database; NEEDSWORK: named
 *     zones);
 *   - genCA, genSelfSignedCert, genSignedCert (and *WithKey): a
 *     sprig.certificate {Cert, Key} of PEM-framed text
 *     ("-----BEGIN CERTIFICATE-----" ...) whose body is base64 of
 *     seed-derived bytes, not a parsable certificate (the *WithKey forms
 *     keep the given key); buildCustomCert really decodes its base64
 *     arguments but checks only the PEM framing, not the X.509 content;
 *     genPrivateKey: PEM-framed text of the requested key type;
 *     htpasswd: "user:$2a$10$" + 53 seed-derived bcrypt-alphabet chars;
 *     bcrypt: "$2a$10$" + 53 such chars; derivePassword: 20 characters of
 *     the template's class derived from its arguments (deterministic
 *     here, as it is in sprig - but not sprig's algorithm);
 *     encryptAES: base64 of seed-derived bytes; decryptAES: "".
 *   - getHostByName: "" (no network).
 *
 * Objects Go prints through methods are maps here: `semver` gives
 * {Major Minor Patch Prerelease Metadata Original} (so .Major works) and
 * time values are the struct "time.Time" {unix nsec offset}; NEEDSWORK:
 * printing either with {{ }} shows the map, not Go's String() text.
 */
#ifndef RENDERGATE_FUNCS_LIB_H
#define RENDERGATE_FUNCS_LIB_H

#include "rendergate/compat.h"
#include "rendergate/tmpl.h"

/* The instant `now` returns (2024-01-01T00:00:00Z), Unix seconds. */
#define RG_FUNCS_NOW_UNIX 1704067200

/* strings: trim upper lower title untitle substr repeat trimAll trimall
 * trimPrefix trimSuffix nospace initials swapcase snakecase camelcase
 * kebabcase wrap wrapWith contains hasPrefix hasSuffix quote squote cat
 * indent nindent replace plural abbrev abbrevboth trunc split splitList
 * splitn join sortAlpha toString toStrings hello */
extern const struct rg_tmpl_func rg_funcs_strings[];
/* lists: list tuple append push prepend first rest last initial reverse
 * uniq without has slice concat compact chunk until untilStep seq
 * (and the must* forms) */
extern const struct rg_tmpl_func rg_funcs_lists[];
/* dicts: dict get set unset hasKey pluck keys pick omit merge
 * mergeOverwrite mustMerge mustMergeOverwrite values deepCopy
 * mustDeepCopy dig */
extern const struct rg_tmpl_func rg_funcs_dicts[];
/* math and conversion: add1 add sub div mod mul add1f addf subf divf mulf
 * max biggest min maxf minf ceil floor round int int64 float64 atoi
 * toDecimal randInt */
extern const struct rg_tmpl_func rg_funcs_math[];
/* flow, reflection, paths, URLs, semver: default empty coalesce all any
 * ternary typeOf typeIs typeIsLike kindOf kindIs deepEqual base dir clean
 * ext isAbs osBase osDir osClean osExt osIsAbs urlParse urlJoin semver
 * semverCompare getHostByName */
extern const struct rg_tmpl_func rg_funcs_misc[];
/* encodings and hashes: b64enc b64dec b32enc b32dec sha1sum sha256sum
 * adler32sum */
extern const struct rg_tmpl_func rg_funcs_encoding[];
/* stand-ins (volatile): randAlphaNum randAlpha randNumeric randAscii
 * randBytes shuffle uuidv4 genCA genCAWithKey genSelfSignedCert
 * genSelfSignedCertWithKey genSignedCert genSignedCertWithKey
 * buildCustomCert genPrivateKey htpasswd bcrypt derivePassword encryptAES
 * decryptAES */
extern const struct rg_tmpl_func rg_funcs_crypto[];
/* dates: now date dateInZone date_in_zone htmlDate htmlDateInZone toDate
 * mustToDate unixEpoch dateModify date_modify mustDateModify
 * must_date_modify duration durationRound ago */
extern const struct rg_tmpl_func rg_funcs_date[];
/* regexMatch regexFind regexFindAll regexReplaceAll regexReplaceAllLiteral
 * regexSplit regexQuoteMeta and their must* forms */
extern const struct rg_tmpl_func rg_funcs_regex[];
/* Sprig's JSON (toPrettyJson toRawJson mustToJson mustToPrettyJson
 * mustToRawJson mustFromJson) and Helm's toYaml fromYaml fromYamlArray
 * toJson fromJson fromJsonArray toToml (json.h, toml.h, doc.h do the
 * formats; fromYaml errors are worded like go-yaml's) */
extern const struct rg_tmpl_func rg_funcs_yaml[];

/* Every table above, NULL-terminated, in registration order. */
extern const struct rg_tmpl_func *const rg_funcs_lib_tables[];

/* --- helpers shared by render/funcs_*.c -------------------------------- */

struct rg_buf;

/* Sprig's strval: strings and []byte as they are, anything else as fmt %v. */
int rg_funcs_strval(struct rg_str *out, struct rg_tmpl_call *c,
		    const struct rg_node *v);
/* Sprig's empty(): nil, false, 0, 0.0, "" and empty lists/maps. */
bool rg_funcs_empty(const struct rg_node *v);
/* reflect.DeepEqual of two template values (Go types included). */
bool rg_funcs_deep_equal(const struct rg_node *x, const struct rg_node *y);
/* spf13/cast v1.4.1 ToInt64 / ToFloat64, errors giving 0. */
int64_t rg_funcs_to_int64(const struct rg_node *v);
double rg_funcs_to_float64(const struct rg_node *v);
/* A string result copied into the call's arena. */
struct rg_node *rg_funcs_str(struct rg_tmpl_call *c, const char *s, size_t n);
/* The text of a buffer as a string result; releases the buffer. */
struct rg_node *rg_funcs_buf_str(struct rg_tmpl_call *c, struct rg_buf *b);
/*
 * Go's reflect Kind check on a list argument: RG_SEQ (and []byte) pass;
 * for anything else fails with "<prefix> <kind>" (e.g. "Cannot find
 * first on type map"), nil with Go's nil-dereference panic text.
 */
int rg_funcs_need_list(struct rg_tmpl_call *c, const struct rg_node *v,
		       const char *prefix);
/* Items of a list argument checked by rg_funcs_need_list ([]byte gives uint8s). */
struct rg_node **rg_funcs_list_items(struct rg_tmpl_call *c,
				     const struct rg_node *v, size_t *n);

/*
 * Argument fetchers for function bodies written as `int rc = 0; ... out:`
 * with the parameters named c and args: convert argument i with the
 * executor's rules (tmpl.h rg_tmpl_arg_*) into var, or jump to out with
 * rc set.
 */
#define RG_FUNCS_ARG(fetch, var, i)                                            \
	do {                                                                   \
		rc = fetch(&(var), c, args, (i));                              \
		if (rc)                                                        \
			goto out;                                              \
	} while (0)
#define RG_FUNCS_STR(var, i) RG_FUNCS_ARG(rg_tmpl_arg_str, var, i)
#define RG_FUNCS_INT(var, i) RG_FUNCS_ARG(rg_tmpl_arg_int, var, i)
#define RG_FUNCS_MAP(var, i) RG_FUNCS_ARG(rg_tmpl_arg_map, var, i)

#endif
