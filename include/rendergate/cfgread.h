/*
 * cfgread.h - typed accessors for loading YAML configuration files.
 *
 * Configuration (the server config, .rendergate.yaml, policy files) is
 * parsed into the document model (doc.h) and then read field by field
 * with these helpers. They never stop at the first problem: every error
 * is appended to the reader's struct rg_errlist (err.h) with the origin
 * of the offending node, so an admin sees all of
 *
 *   .rendergate.yaml:4:11: 'kind' must be one of auto, plain, kustomize, helm
 * (found 'kustomise') .rendergate.yaml:9:5: unknown key 'brnach' (expected one
 * of: name, branch, path, ...) .rendergate.yaml:12:3: missing required key
 * 'name'
 *
 * in one run. A loader calls the accessors it needs, then looks at
 * errs->len: any error means the whole file is rejected (loaders never
 * return a half-loaded config).
 *
 * Conventions shared by every accessor below:
 *   - `map` is the mapping that should hold `key`. If map is not a mapping
 *     the accessor reports nothing and returns RG_ENOTFOUND (the caller
 *     reported the type error when it got the mapping).
 *   - A key that is absent, or present with a null value (`key:` or
 *     `key: ~`), is "not set": with RG_CFG_REQUIRED that is the error
 *     "missing required key 'k'" at the mapping's position; otherwise the
 *     accessor returns RG_ENOTFOUND and leaves *out untouched, so callers
 *     assign defaults before the call.
 *   - A value of the wrong kind is the error "'k' must be a string, found
 *     int" at the value's position.
 *   - Return values: 0 when *out was set, RG_ENOTFOUND when not set and
 *     optional, RG_EINVALID when an error was recorded.
 *   - Strings are returned as arena copies (NUL-terminated). A string
 *     value containing a NUL byte is an error (configs are names and
 *     paths, never binary).
 */
#ifndef RENDERGATE_CFGREAD_H
#define RENDERGATE_CFGREAD_H

#include "rendergate/compat.h"
#include "rendergate/err.h"
#include "rendergate/doc.h"

struct rg_arena;

/* One configuration file being read. */
struct rg_cfg {
	struct rg_arena *arena;	 /* results are allocated here */
	struct rg_errlist *errs; /* every error is appended here */
	const char *file;	 /* the file's name, for whole-file errors */
};

enum rg_cfg_flags {
	/* the key must be set (see "not set" above) */
	RG_CFG_REQUIRED = 1 << 0,
	/* strings: the empty string is an error */
	RG_CFG_NONEMPTY = 1 << 1,
	/* strings and string lists: must pass rg_tree_path_check (a
	   repository-relative path: no leading '/', no '.', '..' or empty
	   components); "" is allowed unless RG_CFG_NONEMPTY */
	RG_CFG_REPO_PATH = 1 << 2,
};

/* Set up a reader (does not allocate). */
void rg_cfg_init(struct rg_cfg *c, struct rg_arena *a, struct rg_errlist *errs,
		 const char *file);

/*
 * Parse data[0..len) as exactly one YAML document and check that it is a
 * mapping (an empty file counts as an empty mapping). Files over
 * RG_CAP_CONFIG_BYTES, YAML errors (with line:col), several documents and
 * non-mapping documents are recorded as errors. *out is the mapping, or
 * NULL when an error was recorded (then RG_EPARSE, RG_ELIMIT or
 * RG_EINVALID is returned).
 */
int rg_cfg_parse(struct rg_node **out, struct rg_cfg *c, const char *data,
		 size_t len);

/* Record an error at pos (may be NULL: then the file alone). Returns
 * RG_EINVALID. */
int rg_cfg_errorf(struct rg_cfg *c, const struct rg_pos *pos, const char *fmt,
		  ...) RG_PRINTF(3, 4);

/*
 * Check that every key of map is in the NULL-terminated list known;
 * each other key is the error "unknown key 'foo' (expected one of: a,
 * b, c)" at the key's position. Returns 0 or RG_EINVALID.
 */
int rg_cfg_check_keys(struct rg_cfg *c, const struct rg_node *map,
		      const char *const *known);

/*
 * Check that n has kind `kind`, else record "<what> must be a <kind>,
 * found <kind>" at n's position. what is the field's name as the user
 * wrote it ("'environments'", "environment entry"). Returns 0 or
 * RG_EINVALID.
 */
int rg_cfg_expect(struct rg_cfg *c, const struct rg_node *n, enum rg_kind kind,
		  const char *what);

/* The value of key in map, whatever its kind, or NULL when not set
 * (absent or null). Records "missing required key" when required. */
const struct rg_node *rg_cfg_get(struct rg_cfg *c, const struct rg_node *map,
				 const char *key, unsigned flags);

/* Typed accessors (see the conventions above). */
int rg_cfg_str(const char **out, struct rg_cfg *c, const struct rg_node *map,
	       const char *key, unsigned flags);
int rg_cfg_bool(bool *out, struct rg_cfg *c, const struct rg_node *map,
		const char *key, unsigned flags);
/* An int in [min, max], else "'k' must be between min and max". */
int rg_cfg_int(int64_t *out, struct rg_cfg *c, const struct rg_node *map,
	       const char *key, int64_t min, int64_t max, unsigned flags);
/*
 * A duration string: one or more <digits><unit> with unit ms, s, m or h
 * ("5s", "1500ms", "2m", "1m30s"), stored in milliseconds. A bare number
 * is refused ("'deadline' needs a unit: 5s, 1500ms, 2m"), as is a total
 * over 24h (a typo rather than a deadline). Sets *out_ms.
 */
int rg_cfg_duration(uint64_t *out_ms, struct rg_cfg *c,
		    const struct rg_node *map, const char *key, unsigned flags);
/*
 * One of the NULL-terminated names; sets *out to its index. Else
 * "'k' must be one of a, b, c (found 'x')".
 */
int rg_cfg_enum(int *out, struct rg_cfg *c, const struct rg_node *map,
		const char *key, const char *const *names, unsigned flags);
/*
 * A list of strings: *out is an arena array of *n strings (NULL and 0
 * for an empty list). Each element must be a string (errors name the
 * element: "'values'[2] must be a string, found int"); flags apply to
 * each element (RG_CFG_NONEMPTY, RG_CFG_REPO_PATH). A single string where
 * a list is expected is an error, not a one-element list.
 */
int rg_cfg_strlist(const char ***out, size_t *n, struct rg_cfg *c,
		   const struct rg_node *map, const char *key, unsigned flags);
/* A mapping (returned as-is) or a sequence. */
int rg_cfg_map(const struct rg_node **out, struct rg_cfg *c,
	       const struct rg_node *map, const char *key, unsigned flags);
int rg_cfg_seq(const struct rg_node **out, struct rg_cfg *c,
	       const struct rg_node *map, const char *key, unsigned flags);

/*
 * The string of a node that is not under a key (a list element): checks
 * kind and flags as above, naming it `what` in messages.
 */
int rg_cfg_node_str(const char **out, struct rg_cfg *c, const struct rg_node *n,
		    const char *what, unsigned flags);

/*
 * Glob matching for patterns in config files (exclude lists, ref
 * patterns). `*` matches any run of bytes except '/', `**` any run
 * including '/' (so "a/" then `**` matches everything below a, and
 * `**` followed by '/' also matches zero directories), `?` one byte except '/',
 * and
 * `[abc]`, `[a-z]`, `[!x]` one byte from a set. A backslash quotes the
 * next byte. The whole string must match. Never recursive in a way that
 * can blow up: runs in O(len(pattern) * len(s)).
 */
bool rg_cfg_glob_match(const char *pattern, const char *s);

/* Check a glob for syntax (an unclosed '[', a trailing '\'): 0 or
 * RG_EINVALID with a message in err. */
int rg_cfg_glob_check(const char *pattern, struct rg_err *err);

#endif
