/*
 * tmpl.h - Go text/template, as Helm 3.10.1 runs it.
 *
 * The target is the template package of Go 1.18.7 (what the helm 3.10.1
 * binary was built with), with Helm's option missingkey=zero. So:
 *   - break/continue exist (Go 1.18), and/or short-circuit and return the
 *     deciding argument (Go 1.18), actions may span lines (Go 1.16);
 *   - `else with` (Go 1.23) and range over an integer (Go 1.22/1.24) do
 *     not exist: they are parse/exec errors exactly as in Go 1.18;
 *   - a missing map key yields Go's "no value" (printed `<no value>`);
 *     Helm then removes every `<no value>` from each rendered file and
 *     every tpl result - rg_tmpl_exec does not, the caller asks for it
 *     with RG_TMPL_STRIP_NO_VALUE (or calls rg_tmpl_strip_no_value).
 *
 * VALUES. Template values are struct rg_node * from doc.h. They are never
 * modified once built, except by the map/list functions that Go code
 * also mutates in place (sprig set/unset/merge), which edit the node the
 * caller passed. Results are allocated in the run's arena (call->arena).
 * The doc.h kinds carry Go's types through node->tag (enum rg_gotype):
 *
 *   kind       tag RG_GT_DEFAULT            other tags
 *   RG_NULL    nil interface{}
 *   RG_BOOL    bool
 *   RG_INT     int                          int64, uint8, int32 (rune), uint64
 *   RG_FLOAT   float64
 *   RG_STR     string                       []byte
 *   RG_SEQ     []interface{}                []string, []int
 *   RG_MAP     map[string]interface{}       map[string]string,
 *                                           chartutil.Values, structs
 *
 * Numbers from Helm values files are RG_FLOAT (sigs.k8s.io/yaml turns
 * every YAML number into float64); `--set` integers are RG_INT/int64;
 * template integer literals RG_INT/int; YAML read as go-yaml v2 types
 * (case files' `--- data`) gives RG_INT/int.
 *
 * "No value" (Go's invalid reflect.Value) is the C NULL pointer. It is
 * what a pipeline that produced nil yields, what a variable bound to such
 * a pipeline holds, and it prints as `<no value>`. An RG_NULL node is a
 * nil interface{} held in a map or list (`a: null`, a missing key under
 * missingkey=zero, a nil list element); a field access on it is Go's
 * "nil pointer evaluating interface {}.b" error, while a field access on
 * NULL quietly yields NULL again - the same distinction Go makes.
 * Functions receive both as arguments; for interface{} parameters both
 * mean nil (use rg_tmpl_isnil).
 *
 * ERRORS read like Go's:
 *   template: NAME:LINE:COL: executing "NAME" at <.Values.x>: MSG
 *   template: NAME:LINE: unexpected "}" in operand          (parse)
 * and are returned as RG_EPARSE (parse), RG_ERROR (execution, including
 * function errors and Helm's fail/required), RG_ELIMIT (a cap below).
 * err->msg holds the whole Go text; err->file/line/col the position. A
 * text longer than RG_ERR_MSG_MAX (deeply nested include errors) keeps
 * its first 300 bytes and its end, where the innermost cause is, joined
 * by " ... ". Cap errors (RG_ELIMIT) are not wrapped by the calls they
 * pass through: the message is the innermost one.
 *
 * KNOWN DIFFERENCES from Go 1.18 (none reachable from Helm's data):
 *   - complex literals (1+2i) are a parse error;
 *   - identifiers take any non-ASCII byte as a letter (Go: Unicode
 *     letters and digits only); %q and strconv.Quote approximate
 *     unicode.IsPrint above ASCII;
 *   - there are no function, channel or iterator values: `call` always
 *     fails ("non-function of type ..."), range covers lists, maps and
 *     []byte;
 *   - Go nests template calls 100000 deep; here RG_CAP_TMPL_DEPTH, and a
 *     cap error is reported once, at the innermost call.
 *
 * LIMITS (caps.h): RG_CAP_TMPL_BYTES per parsed text, RG_CAP_TMPL_PARSE_DEPTH
 * nesting of blocks and parentheses, RG_CAP_TMPL_STEPS evaluation steps per
 * rg_tmpl_exec (include/tpl share the budget), RG_CAP_TMPL_OUTPUT_BYTES
 * output per rg_tmpl_exec, RG_CAP_TMPL_DEPTH nested template/include/tpl
 * calls, RG_CAP_TMPL_INCLUDE_DEPTH nested includes of one name (Helm's
 * limit, with Helm's message).
 */
#ifndef RENDERGATE_TMPL_H
#define RENDERGATE_TMPL_H

#include "rendergate/compat.h"
#include "rendergate/doc.h"
#include "rendergate/err.h"

struct rg_arena;
struct rg_buf;
struct rg_tnode;     /* a parse tree node (internal) */
struct rg_tmpl_set;  /* a set of named templates (Go's *template.Template) */
struct rg_tmpl_exec; /* one running execution (opaque) */

/* Go types the document model lacks; stored in rg_node.tag. */
enum rg_gotype {
	RG_GT_DEFAULT = 0, /* the kind's natural type, see the table above */
	RG_GT_INT64,	   /* RG_INT: int64 */
	RG_GT_UINT8,	   /* RG_INT: uint8 (index of a string, []byte items) */
	RG_GT_INT32,	   /* RG_INT: int32 (rune) */
	RG_GT_UINT64,	   /* RG_INT: uint64 (value in u.i, reinterpret) */
	RG_GT_BYTES,	   /* RG_STR: []byte */
	RG_GT_STRSLICE,	   /* RG_SEQ: []string */
	RG_GT_INTSLICE,	   /* RG_SEQ: []int */
	RG_GT_STRMAP,	   /* RG_MAP: map[string]string */
	RG_GT_VALUES,	   /* RG_MAP: chartutil.Values (Helm's dot, .Values) */
	RG_GT_METHOD,	   /* RG_INT: a method; u.i = rg_tmpl_set_method() id;
			      any other kind: the result of a method without
			      arguments (a struct entry fmt does not print) */
	/*
	 * RG_MAP tags from RG_GT_STRUCT on are Go structs whose type names
	 * were registered with rg_tmpl_set_struct(); accessing a key they do
	 * not have is "can't evaluate field X in type T", not "no value".
	 * A struct with a string entry "String" prints as that string when an
	 * action prints it (text/template's printableValue finds a String()
	 * on the pointer type, as for Helm's KubeVersion); fmt functions
	 * (printf) get the plain struct. Methods without arguments can be
	 * entries holding their result, tagged RG_GT_METHOD.
	 */
	RG_GT_STRUCT = 64,
};

/*
 * One function call in progress. The executor fills it for each call;
 * functions read it and report through it.
 */
struct rg_tmpl_call {
	struct rg_arena *arena;	  /* results go here */
	struct rg_tmpl_exec *ex;  /* the execution (include, tpl, budget) */
	const char *name;	  /* the function's name as called */
	const char *tmpl;	  /* name of the template being executed */
	struct rg_pos pos;	  /* file = template name (line and col are
				     found only for rg_tmpl_call_seed) */
	struct rg_err *err;	  /* fill with rg_tmpl_fail / rg_tmpl_fail_arg */
	unsigned err_raw;	  /* set by rg_tmpl_fail_arg: no "error calling" */
	bool has_final;		  /* last arg came from the pipeline (x | f) */
	/* internal: the argument nodes, for the rg_tmpl_arg_* checks */
	const struct rg_tnode *const *argnodes;
	const struct rg_tnode *node; /* internal: the call, for its place */
};

/*
 * A template function. args[0..nargs) are the evaluated arguments (the
 * piped value last); an arg may be NULL (no value). Return 0 with *out
 * set (NULL is allowed and means "no value"), or a negative code with
 * the error filled by rg_tmpl_fail (message = Go's err.Error() of the
 * function; the executor adds `error calling NAME: ` and the position)
 * or rg_tmpl_fail_arg (for the executor's own argument checks, e.g.
 * "wrong type for value; expected string; got float64").
 */
typedef int (*rg_tmpl_fn)(struct rg_node **out, struct rg_tmpl_call *call,
			  struct rg_node *const *args, size_t nargs);

enum rg_tmpl_func_flags {
	/* results are random/time-derived: the executor marks them VOLATILE */
	RG_TMPL_FN_VOLATILE = 1 << 0,
};

struct rg_tmpl_func {
	const char *name; /* NULL ends a table */
	rg_tmpl_fn fn;
	int min_args;
	int max_args; /* -1: variadic */
	unsigned flags;
};

/* --- helpers for function writers ------------------------------------ */

/* Record a function error (Go's err.Error() text); returns RG_ERROR. */
int rg_tmpl_fail(struct rg_tmpl_call *c, const char *fmt, ...) RG_PRINTF(2, 3);
/* Record an argument error worded by the executor; returns RG_ERROR. */
int rg_tmpl_fail_arg(struct rg_tmpl_call *c, const char *fmt, ...)
	RG_PRINTF(2, 3);
/* Record a cap error; returns RG_ELIMIT. */
int rg_tmpl_fail_limit(struct rg_tmpl_call *c, const char *fmt, ...)
	RG_PRINTF(2, 3);

/* Go nil: NULL, or an RG_NULL node. */
bool rg_tmpl_isnil(const struct rg_node *n);
/* Go's truth: false for nil, false, 0, 0.0, "", empty list or map. */
bool rg_tmpl_truth(const struct rg_node *n);
/*
 * Go's %T name: "int", "float64", "string", "[]interface {}",
 * "map[string]interface {}", "chartutil.Values", "<nil>" for nil, ...
 */
const char *rg_tmpl_typename(const struct rg_tmpl_set *set,
			     const struct rg_node *n);
/* reflect Kind name: "int", "float64", "slice", "map", "invalid", ... */
const char *rg_tmpl_kindname(const struct rg_node *n);

/*
 * Argument checks with the executor's wording for a Go parameter of that
 * type. A literal argument is checked the way Go converts constants
 * (`indent 2.0 "x"` is fine, `b64enc 123` is "expected string; found
 * 123", nil is "cannot assign nil to string"); other values must have the
 * type ("wrong type for value; expected string; got float64"):
 *   string:  a string (not []byte) -> s
 *   int:     an int-kind value of type int, or of any int type when
 *            Go would convert it (untyped constants are int already)
 *   bool, float64, map (map[string]interface{} / chartutil.Values),
 *   list ([]interface{}).
 * Each returns 0 or RG_ERROR with the error set through the call.
 */
int rg_tmpl_arg_str(struct rg_str *out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, size_t i);
int rg_tmpl_arg_int(int64_t *out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, size_t i);
int rg_tmpl_arg_bool(bool *out, struct rg_tmpl_call *c,
		     struct rg_node *const *args, size_t i);
int rg_tmpl_arg_float(double *out, struct rg_tmpl_call *c,
		      struct rg_node *const *args, size_t i);
int rg_tmpl_arg_map(struct rg_node **out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, size_t i);

/*
 * The executor's error for argument i not being of Go type goname (a
 * type no literal converts to, e.g. "time.Time"): "can't handle "2020"
 * for arg of type time.Time" for a literal, "wrong type for value;
 * expected time.Time; got string" for a value, "invalid value; expected
 * time.Time" for no value. Returns RG_ERROR.
 */
int rg_tmpl_arg_error(struct rg_tmpl_call *c, struct rg_node *const *args,
		      size_t i, const char *goname);

/* New scalar nodes with a Go type tag. */
struct rg_node *rg_tmpl_int64(struct rg_arena *a, int64_t v);
struct rg_node *rg_tmpl_typed(struct rg_node *n, enum rg_gotype t);

/*
 * Charge n evaluation steps to the running execution (for functions whose
 * work grows with their input: until, repeat, deep copies ...). Returns 0
 * or RG_ELIMIT with the error set.
 */
int rg_tmpl_charge(struct rg_tmpl_call *c, uint64_t n);

/*
 * A deterministic 64-bit seed for random/time stand-ins: derived from the
 * template name, line and column of the call and how many times this call
 * site ran before in this execution. Same input, same seed.
 */
uint64_t rg_tmpl_call_seed(const struct rg_tmpl_call *c);

/*
 * Execute the named template of the running execution's set with dot,
 * appending its output to *out (arena string). What Helm's include does;
 * counts against RG_CAP_TMPL_DEPTH and RG_CAP_TMPL_INCLUDE_DEPTH.
 * RG_ENOTFOUND with Go's `no template "x" associated with template "y"`.
 */
int rg_tmpl_call_template(struct rg_str *out, struct rg_tmpl_call *c,
			  const char *name, struct rg_node *dot);
/*
 * Helm's tpl: parse text as the template `name` in a copy of the running
 * set, execute it with dot, strip `<no value>`, return the output. As in
 * Helm's renderWithReferences, defines in the text are visible inside
 * this call only, a same-named non-empty define from another parsed file
 * wins over them, and defines held only by the file `name` are not
 * visible. Parse errors come back as RG_EPARSE with Go's text.
 */
int rg_tmpl_call_tpl(struct rg_str *out, struct rg_tmpl_call *c,
		     const char *name, const char *text, size_t len,
		     struct rg_node *dot);

/* --- sets and execution ---------------------------------------------- */

/*
 * A new empty set using the built-ins, Helm's functions and the Sprig
 * library (funcs.h). Everything is allocated in a; nothing to free.
 */
struct rg_tmpl_set *rg_tmpl_set_new(struct rg_arena *a);

/*
 * Add a table of functions (NULL-name terminated) visible to templates
 * parsed afterwards; they override same-named ones (Go's Funcs()).
 */
void rg_tmpl_set_funcs(struct rg_tmpl_set *set, const struct rg_tmpl_func *t);

/*
 * Register a Go struct type name (e.g. "*chart.Metadata") and return the
 * tag for nodes of that type (RG_GT_STRUCT + n; the same tag again for a
 * name already registered), or RG_ELIMIT past 191 names.
 */
int rg_tmpl_set_struct(struct rg_tmpl_set *set, const char *goname);

/*
 * Register a method and return its id. A map entry whose value is
 * rg_tmpl_method_node(a, id) acts as a method of that map: `.Files.Get
 * "x"` calls the function with args = (receiver, "x").
 */
int rg_tmpl_set_method(struct rg_tmpl_set *set, const struct rg_tmpl_func *f);
struct rg_node *rg_tmpl_method_node(struct rg_arena *a, int id);

/*
 * Parse text[0..len) as the template `name` (which also names it in
 * errors) and add it and every {{define}}/{{block}} in it to the set.
 * As in Go, a later definition replaces an earlier one unless the later
 * body is empty (whitespace only). Helm parses files deepest path first,
 * then reverse lexical order; callers wanting Helm's override order
 * parse in that order. RG_EPARSE or RG_ELIMIT with err filled.
 */
int rg_tmpl_parse(struct rg_tmpl_set *set, const char *name,
		  const char *text, size_t len, struct rg_err *err);

/* Whether the set holds a template called name. */
bool rg_tmpl_has(const struct rg_tmpl_set *set, const char *name);

enum rg_tmpl_flags {
	/* missingkey=error: a missing map key is an execution error */
	RG_TMPL_MISSINGKEY_ERROR = 1 << 0,
	/* remove every "<no value>" from the output (Helm) */
	RG_TMPL_STRIP_NO_VALUE = 1 << 1,
};

struct rg_tmpl_opts {
	uint64_t max_steps; /* 0: RG_CAP_TMPL_STEPS */
	size_t max_output;  /* 0: RG_CAP_TMPL_OUTPUT_BYTES */
	unsigned flags;	    /* enum rg_tmpl_flags */
	void *user;	    /* for functions: rg_tmpl_exec_user() */
};

/*
 * Execute template `name` with dot (also `$`), appending to out (its cap
 * still applies). opts may be NULL. On error the output so far stays in
 * out. Returns 0, RG_ENOTFOUND (no such template), RG_ERROR (execution
 * error), RG_ELIMIT.
 */
int rg_tmpl_exec(struct rg_buf *out, struct rg_tmpl_set *set,
		 const char *name, struct rg_node *dot,
		 const struct rg_tmpl_opts *opts, struct rg_err *err);

/* The opts->user pointer of the execution a function runs in. */
void *rg_tmpl_exec_user(const struct rg_tmpl_call *c);
/* The set a function's execution runs on. */
struct rg_tmpl_set *rg_tmpl_exec_set(const struct rg_tmpl_call *c);

/* strings.ReplaceAll(s, "<no value>", "") in place on a buffer. */
void rg_tmpl_strip_no_value(struct rg_buf *b);

/* --- parsing a text once per run ------------------------------------- */

/*
 * A parse memo: parse trees of template texts, kept so that the same
 * text under the same name is parsed once however many sets use it (the
 * templates of a chart that several releases render). Trees are read-only
 * once parsed: execution never writes to them, and a set only points at
 * them, so sharing them between sets and renders is safe. Everything
 * lives in the arena given to rg_tmpl_memo_new; once the memo holds
 * RG_CAP_TMPL_MEMO_BYTES, further texts are parsed without keeping them.
 */
struct rg_tmpl_memo;

struct rg_tmpl_memo_stats {
	size_t hits, misses, dropped;
};

struct rg_tmpl_memo *rg_tmpl_memo_new(struct rg_arena *a);

/*
 * rg_tmpl_parse through memo m (NULL: rg_tmpl_parse): a text parsed
 * before under the same name (byte-identical) adds the remembered trees
 * to set; otherwise it is parsed, remembered and added. The memo resolves
 * function names with the default table of rg_tmpl_set_new, so set must
 * not have had rg_tmpl_set_funcs called on it. Errors are never
 * remembered: a text that fails is parsed again (same error) each time.
 */
int rg_tmpl_parse_memo(struct rg_tmpl_set *set, struct rg_tmpl_memo *m,
		       const char *name, const char *text, size_t len,
		       struct rg_err *err);

void rg_tmpl_memo_stats(struct rg_tmpl_memo_stats *out,
			const struct rg_tmpl_memo *m);

#endif
