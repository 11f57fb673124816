/*
 * doc.h - the document model: YAML streams as trees of nodes.
 *
 * Every YAML (and JSON) input rendergate reads - values files, manifests,
 * configs, policies, template output - becomes a tree of struct rg_node,
 * allocated in an arena, where every node remembers the file, line and
 * column it came from. Scalars are resolved the way go-yaml v2 resolves
 * them into interface{} (what Helm does with values files and Chart.yaml):
 *
 *   - YAML 1.1 booleans: y Y yes Yes YES on On ON true True TRUE and
 *     n N no No NO off Off OFF false False FALSE;
 *   - null: ~ null Null NULL and the empty plain scalar;
 *   - ints as strconv.ParseInt(s, 0, 64) after removing '_': 0644 is 420,
 *     0x1F is 31, 0b101 is 5, +12, -7; too large for int64 -> float;
 *   - floats: 1.5, 1e3, .5, -.inf, .nan, 6.8523015e+5 ...;
 *   - timestamps stay strings; anything quoted, or with an explicit !!str
 *     tag, is a string; !!int / !!float / !!bool / !!null tags are honoured.
 *
 * Other tags: !!binary is base64-decoded into a string, !!timestamp and
 * unknown or local tags (!foo) leave the text as a string, and a value
 * that does not fit its core tag (!!int foo) is RG_EPARSE. With
 * RG_PARSE_YAML12 the booleans are only true/false (see rg_doc_resolve).
 *
 * Anchors and aliases are expanded on read (an alias becomes a deep copy,
 * counted against RG_CAP_YAML_ALIAS_NODES, keeping the positions of the
 * anchored nodes), anchors are scoped to their document, and merge keys
 * (<<, a map or a list of maps) are applied with go-yaml v2's rule: keys
 * written in the mapping itself win over merged ones (wherever they stand),
 * earlier merged maps win over later; merged keys take the place of the
 * << entry in the mapping's order. A quoted "<<" is an ordinary key.
 * An alias to a node that is still open (&a [*a]) is RG_EPARSE, and so is
 * an alias whose copy would nest deeper than RG_CAP_YAML_DEPTH.
 *
 * Mapping keys are always strings in this model (Helm and kustomize both
 * go through JSON, where keys are strings); a non-string key is kept as
 * its source text (`1: a` has key "1", `true: x` key "true"), with
 * RG_NODE_KEY_NONSTR set on the pair's value node so the emitter can
 * write it back the same way. A mapping or sequence used as a key is
 * RG_EPARSE ("invalid map key"). Mappings keep their source order;
 * duplicate keys are an RG_EPARSE error naming both lines (go-yaml v2
 * behaviour).
 *
 * All strings in the model are (ptr, len) and also NUL-terminated; they
 * may contain NUL bytes (from "\0" escapes) and len is authoritative.
 */
#ifndef RENDERGATE_DOC_H
#define RENDERGATE_DOC_H

#include "rendergate/compat.h"
#include "rendergate/err.h"

struct rg_arena;
struct rg_buf;

enum rg_kind {
	RG_NULL = 0,
	RG_BOOL,
	RG_INT,	  /* int64 */
	RG_FLOAT, /* float64 */
	RG_STR,
	RG_SEQ,
	RG_MAP,
};

/* A byte string; ptr[len] == 0 always. */
struct rg_str {
	const char *ptr;
	size_t len;
};

#define RG_STR_LIT(s) ((struct rg_str){ (s), sizeof(s) - 1 })

enum rg_node_flags {
	/* scalar was quoted or block (style), so it is a string by choice */
	RG_NODE_QUOTED = 1 << 0,
	/* value produced by a random/time function: compare as "present" */
	RG_NODE_VOLATILE = 1 << 1,
	/* the key of this pair was a non-string scalar in the source */
	RG_NODE_KEY_NONSTR = 1 << 2,
	/* a float that was written without '.', 'e' or inf/nan (e.g. big int) */
	RG_NODE_FLOAT_INTLIKE = 1 << 3,
};

struct rg_node;

struct rg_pair {
	struct rg_str key;
	struct rg_pos key_pos;
	struct rg_node *val;
};

struct rg_node {
	uint8_t kind;  /* enum rg_kind */
	uint8_t flags; /* enum rg_node_flags */
	uint8_t tag;   /* free for engines (the template engine's Go type) */
	struct rg_pos pos;
	union {
		bool b;
		int64_t i;
		double f;
		struct rg_str s;
		struct {
			struct rg_node **items;
			size_t len, alloc;
		} seq;
		struct {
			struct rg_pair *items;
			size_t len, alloc;
		} map;
	} u;
};

/* One parsed stream: its documents in order. */
struct rg_docs {
	struct rg_node **docs; /* a document may be NULL-valued (RG_NULL) */
	size_t len;
	/*
	 * Documents that held nothing but comments or were empty are not in
	 * docs[]; this counts them (Helm prints comment-only documents).
	 */
	size_t empty_docs;
};

enum rg_parse_flags {
	/* resolve scalars as YAML 1.2 core (yaml.v3/kyaml): yes/on stay strings */
	RG_PARSE_YAML12 = 1 << 0,
	/* a mapping key given twice is allowed; the last one wins (kyaml) */
	RG_PARSE_DUP_KEYS_OK = 1 << 1,
	/* input is JSON (YAML parser still used; JSON is YAML 1.2 flow) */
	RG_PARSE_JSON = 1 << 2,
	/*
	 * always use libyaml, not the fast scanner for plain block YAML
	 * (rendergate/yfast.h); for tests that compare the two
	 */
	RG_PARSE_NO_FAST = 1 << 3,
};

/*
 * Parse a YAML stream (one or more documents) from data[0..len).
 * file names the input in positions and errors (borrowed; copied into the
 * arena). On failure returns RG_EPARSE (malformed YAML, with line:col),
 * or RG_ELIMIT (a RG_CAP_YAML_* cap), with err filled; *out is untouched.
 * Input containing NUL bytes or invalid UTF-8 is RG_EPARSE.
 *
 * Messages carry libyaml's problem and context, and where the context
 * started when that was on another line, for example
 *   "did not find expected key while parsing a block mapping started at
 *    line 1" or "found unexpected end of stream while scanning a quoted
 *    scalar started at line 2";
 * the cap messages name the cap ("YAML nesting deeper than 512 levels
 * (RG_CAP_YAML_DEPTH)"). The position in err is the problem's line:col.
 * An alias bomb fails as soon as the next copy would pass the alias cap,
 * before copying. Nothing in the parser recurses with the input's depth.
 */
int rg_doc_parse(struct rg_docs *out, struct rg_arena *a, const char *file,
		 const char *data, size_t len, unsigned flags,
		 struct rg_err *err);

/*
 * Parse exactly one document (zero documents gives an RG_NULL node; two
 * or more is RG_EPARSE at the second one). Empty documents are ignored.
 */
int rg_doc_parse_one(struct rg_node **out, struct rg_arena *a,
		     const char *file, const char *data, size_t len,
		     unsigned flags, struct rg_err *err);

/*
 * What the text of an untagged plain scalar resolves to, by go-yaml v2's
 * resolve.go (or yaml.v3's with RG_PARSE_YAML12 or RG_PARSE_JSON in
 * flags, which differs only in the booleans: yes/no/on/off/y/n stay
 * strings; v3 still reads 0644 as octal, 0o17, 0x1F, 0b101 and '_').
 * The parser uses it for every plain scalar and the emitter to decide
 * which strings need quotes. Ints that do not fit int64 but fit uint64
 * come back as RG_RTAG_FLOAT with intlike set; ints beyond that and
 * floats that overflow are strings, as in go-yaml. Timestamps (2001-12-14,
 * 2001-12-14T21:59:43.1Z) are reported as RG_RTAG_TIMESTAMP but the
 * parser keeps them as strings, and "<<" is RG_RTAG_MERGE.
 */
enum rg_doc_rtag {
	RG_RTAG_STR = 0,
	RG_RTAG_NULL,
	RG_RTAG_BOOL,
	RG_RTAG_INT,
	RG_RTAG_FLOAT,
	RG_RTAG_TIMESTAMP,
	RG_RTAG_MERGE,
};

struct rg_doc_scalar {
	bool b;	      /* RG_RTAG_BOOL */
	bool intlike; /* RG_RTAG_FLOAT written as an integer */
	int64_t i;    /* RG_RTAG_INT */
	double f;     /* RG_RTAG_FLOAT */
};

enum rg_doc_rtag rg_doc_resolve(struct rg_doc_scalar *out, const char *s,
				size_t n, unsigned flags);

/* --- building and reading nodes -------------------------------------- */

struct rg_node *rg_node_new(struct rg_arena *a, enum rg_kind kind);
struct rg_node *rg_node_null(struct rg_arena *a);
struct rg_node *rg_node_bool(struct rg_arena *a, bool b);
struct rg_node *rg_node_int(struct rg_arena *a, int64_t i);
struct rg_node *rg_node_float(struct rg_arena *a, double f);
/* String node holding a copy of s[0..n). */
struct rg_node *rg_node_strn(struct rg_arena *a, const char *s, size_t n);
struct rg_node *rg_node_str(struct rg_arena *a, const char *s);
struct rg_node *rg_node_seq(struct rg_arena *a);
struct rg_node *rg_node_map(struct rg_arena *a);

/*
 * Append to a sequence (grows in the arena). rg_seq_push on a node that is
 * not a sequence, and rg_map_set on one that is not a mapping, are bugs in
 * the caller (RG_BUG). Mappings of 16 keys or more carry a hash index, so
 * rg_map_get/set are O(1) there; it lives in a hidden slot past `alloc`
 * of the items array, which is why items must only ever be allocated or
 * reordered through these functions (read them freely; replacing a
 * pair's val in place is fine).
 */
void rg_seq_push(struct rg_arena *a, struct rg_node *seq, struct rg_node *v);
/*
 * Set key in a mapping: replaces the value if the key exists (keeping its
 * position in the order), appends otherwise. The key is copied.
 */
void rg_map_set(struct rg_arena *a, struct rg_node *map, const char *key,
		size_t keylen, struct rg_node *v);
/* Remove key; returns true if it was there. */
bool rg_map_del(struct rg_node *map, const char *key, size_t keylen);
/* Value for key, or NULL (also NULL when map is not a mapping). */
struct rg_node *rg_map_get(const struct rg_node *map, const char *key,
			   size_t keylen);
/* Convenience for NUL-terminated keys. */
struct rg_node *rg_map_gets(const struct rg_node *map, const char *key);
/*
 * Follow a dotted path of mapping keys ("metadata.name"); NULL if any step
 * is missing or not a mapping.
 */
struct rg_node *rg_node_path(const struct rg_node *n, const char *dotted);
/* The string of a RG_STR node, or NULL for any other kind. */
const char *rg_node_cstr(const struct rg_node *n);

/* Deep copy into arena a (positions kept). */
struct rg_node *rg_node_clone(struct rg_arena *a, const struct rg_node *n);
/*
 * Deep equality: same kinds, same scalars (ints and floats are different
 * kinds, as Go would see them), same keys in any order, same lists in order.
 */
bool rg_node_equal(const struct rg_node *x, const struct rg_node *y);

/* "null", "bool", "int", "float", "string", "sequence", "mapping" */
const char *rg_kind_name(enum rg_kind k);

/*
 * Compare two mapping keys the way go-yaml v2 sorts them when it writes a
 * map (the "natural" order of sorter.go: digit runs compare as numbers,
 * letters after non-letters at the first difference). Returns <0, 0, >0.
 */
int rg_yaml_keycmp(const char *a, size_t alen, const char *b, size_t blen);

/* --- writing YAML ---------------------------------------------------- */

enum rg_emit_flags {
	/* keep mapping keys in document order instead of sorting them */
	RG_EMIT_KEEP_ORDER = 1 << 0,
	/* do not fold long scalars at 80 columns */
	RG_EMIT_NO_WRAP = 1 << 1,
	/*
	 * write the tree as sigs.k8s.io/yaml does after its JSON round trip
	 * (Helm's toYaml): a whole float below 1e21 that fits int64 or
	 * uint64 is written as an integer (1e6 -> 1000000, other floats as
	 * below), and every key is a string, so RG_NODE_KEY_NONSTR is ignored
	 * (a key 80 is written "80").
	 */
	RG_EMIT_JSON = 1 << 2,
};

/*
 * Append n as one YAML document (no "---") the way go-yaml v2 Marshal
 * writes it, which is what `toYaml`, sigs.k8s.io/yaml and kustomize print:
 * block style, indent 2, sequences under a key not indented, keys sorted
 * with rg_yaml_keycmp, strings quoted by go-yaml v2's rules (double quotes
 * for strings that would resolve to another type, single quotes for plain-
 * unsafe text, literal blocks for multi-line text), floats formatted like
 * strconv.FormatFloat(f, 'g', -1, 64) (.inf, -.inf, .nan for the
 * specials), empty maps and lists as {} and []. Strings that are not
 * valid UTF-8 are written as !!binary base64, as go-yaml does. A NULL
 * node is written as null. The output always ends with a newline.
 *
 * Faithful to go-yaml v2 also where it is odd: a string holding a carriage
 * return or U+2028/U+2029 (but no \n) is written single-quoted with the
 * character raw, which a YAML reader folds into a space. Floats that are
 * whole numbers (3.0, 1e3) are written as integers and read back as ints.
 *
 * Recursion follows the tree: trees from rg_doc_parse are within
 * RG_CAP_YAML_DEPTH; code that builds trees itself must keep to that cap
 * too (a deeper tree gives RG_ELIMIT here, not a crash).
 * Returns 0 or RG_ELIMIT (the buffer's cap, RG_CAP_YAML_EMIT_BYTES, or
 * the depth); on error the buffer is as it was before the call.
 */
int rg_doc_emit(struct rg_buf *out, const struct rg_node *n, unsigned flags);

/*
 * Format a float64 the way Go's strconv.FormatFloat(f, fmt, -1, 64) does
 * (shortest representation that reads back exactly) for fmt 'g' or 'e'
 * or 'f', or fmt 'v' for Go's fmt %v of a float64 (the same text as 'g':
 * 1e+06, 1.5, 1e-05, 123456, +Inf, -Inf, NaN). The exponent has at least
 * two digits (1e+06, 1e-07); 'g' switches to exponent form below 1e-4 and
 * from 1e+06 up (Go's shortest rule uses precision 6 for that decision).
 * 'f' can need up to about 330 bytes for extreme values; out is always
 * NUL-terminated and the return value is the length written.
 */
size_t rg_fmt_float(char *out, size_t outsz, double f, char fmt);

#endif
