/*
 * tmpl_int.h - internals shared by render/tmpl_*.c and render/funcs.c.
 *
 * Not for other modules: use tmpl.h. Holds the parse tree (Go's
 * text/template/parse nodes), the set, the lexer interface and a small
 * string-keyed hash table.
 */
#ifndef RENDERGATE_TMPL_INT_H
#define RENDERGATE_TMPL_INT_H

#include "rendergate/compat.h"
#include "rendergate/doc.h"
#include "rendergate/err.h"
#include "rendergate/tmpl.h"

struct rg_arena;
struct rg_buf;
struct rg_funcs;

/* --- string -> pointer hash table (arena-allocated, grows) ------------ */

struct rg_tmpl_hent {
	const char *key; /* arena copy, NUL-terminated */
	size_t klen;
	void *val;
};

struct rg_tmpl_hash {
	struct rg_tmpl_hent *ents;
	size_t cap, len; /* cap is a power of two or 0 */
};

void *rg_tmpl_hash_get(const struct rg_tmpl_hash *h, const char *key,
		       size_t klen);
/* Set key (copied into a) to val, replacing any previous value. */
void rg_tmpl_hash_put(struct rg_arena *a, struct rg_tmpl_hash *h,
		      const char *key, size_t klen, void *val);

/* --- lexer ------------------------------------------------------------ */

enum rg_titem {
	TI_ERROR = 0,
	TI_BOOL,
	TI_CHAR, /* printable ASCII not otherwise lexed (',') */
	TI_CHARCONST,
	TI_COMPLEX,
	TI_ASSIGN,
	TI_DECLARE,
	TI_EOF,
	TI_FIELD,
	TI_IDENT,
	TI_LDELIM,
	TI_LPAREN,
	TI_NUMBER,
	TI_PIPE,
	TI_RAWSTRING,
	TI_RDELIM,
	TI_RPAREN,
	TI_SPACE,
	TI_STRING,
	TI_TEXT,
	TI_VARIABLE,
	TI_COMMENT,
	/* keywords, in Go's order; all > TI_KEYWORD */
	TI_KEYWORD,
	TI_BLOCK,
	TI_BREAK,
	TI_CONTINUE,
	TI_DOT,
	TI_DEFINE,
	TI_ELSE,
	TI_END,
	TI_IF,
	TI_NIL,
	TI_RANGE,
	TI_TEMPLATE,
	TI_WITH,
};

struct rg_titem_tok {
	uint8_t typ;	 /* enum rg_titem */
	uint32_t pos;	 /* byte offset */
	uint32_t line;	 /* 1-based line where the item starts */
	const char *val; /* into the text, or the error message (arena) */
	size_t len;
};

struct rg_tlex {
	struct rg_arena *arena;
	const char *in;
	size_t len;
	size_t start, pos;
	uint32_t line, start_line;
	int paren_depth;
	int state; /* 0 text, 1 inside action, 2 done */
	bool emit_comment;
};

void rg_tlex_init(struct rg_tlex *l, struct rg_arena *a, const char *in,
		  size_t len);
/* Next item; after TI_EOF or TI_ERROR keeps returning TI_EOF. */
void rg_tlex_next(struct rg_tlex *l, struct rg_titem_tok *it);

/* --- parse tree ------------------------------------------------------- */

enum rg_tnode_type {
	TN_TEXT,
	TN_ACTION,
	TN_BOOL,
	TN_CHAIN,
	TN_COMMAND,
	TN_DOT,
	TN_FIELD,
	TN_IDENT,
	TN_IF,
	TN_LIST,
	TN_NIL,
	TN_NUMBER,
	TN_PIPE,
	TN_RANGE,
	TN_STRING,
	TN_TEMPLATE,
	TN_VARIABLE,
	TN_WITH,
	TN_COMMENT,
	TN_BREAK,
	TN_CONTINUE,
	TN_END,	 /* parser only */
	TN_ELSE, /* parser only */
};

struct rg_ttree;

struct rg_tnode {
	uint8_t type;
	bool flag;	  /* PIPE: assignment (=); BOOL: true */
	uint32_t pos;	  /* byte offset in the tree's text */
	uint32_t line;	  /* 1-based */
	const struct rg_ttree *tree;
	struct rg_str text; /* TEXT bytes; STRING/NUMBER source; IDENT name;
			       TEMPLATE called name */
	struct rg_tnode **kids; /* LIST nodes; PIPE commands; COMMAND args */
	size_t nkids;
	struct rg_tnode **decl; /* PIPE: declared/assigned VARIABLE nodes */
	size_t ndecl;
	struct rg_str *idents; /* FIELD names; VARIABLE "$x" then fields;
				  CHAIN fields */
	size_t nidents;
	struct rg_tnode *pipe;	   /* ACTION/IF/RANGE/WITH/TEMPLATE; CHAIN node */
	struct rg_tnode *list;	   /* IF/RANGE/WITH */
	struct rg_tnode *elselist; /* IF/RANGE/WITH, may be NULL */
	struct rg_node *value;	   /* NUMBER/STRING constant (NULL: see err) */
	const char *numerr;	   /* NUMBER that overflows int at exec */
	const struct rg_tmpl_func *fn; /* IDENT */
};

struct rg_ttree {
	const char *name;	/* the template's name */
	const char *parse_name; /* name of the top-level template parsed */
	const char *text;	/* whole parsed text */
	size_t len;
	struct rg_tnode *root; /* a LIST */
};

struct rg_tmpl_set {
	struct rg_arena *arena;
	struct rg_funcs *funcs;
	struct rg_tmpl_hash trees; /* name -> struct rg_ttree */
	const char *struct_names[192];
	size_t nstructs;
	const struct rg_tmpl_func **methods;
	size_t nmethods, amethods;
};

/* Is the tree empty in Go's sense (only whitespace text and comments)? */
bool rg_tmpl_empty_tree(const struct rg_tnode *n);
/* Append Go's Node.String() of n (parse/node.go) to b. */
void rg_tmpl_node_string(struct rg_buf *b, const struct rg_tnode *n);
/*
 * Go's Tree.Root.String() of the template name with text nodes quoted
 * (%q), as parse_test.go prints trees; nothing when name is unknown.
 */
void rg_tmpl_tree_string(struct rg_buf *b, const struct rg_tmpl_set *set,
			 const char *name);
/*
 * Parse into the set (tmpl_parse.c). funcs resolves identifiers; trees
 * defined are added to set->trees with Go's associate rule.
 */
int rg_tmpl_parse_into(struct rg_tmpl_set *set, const char *name,
		       const char *text, size_t len, struct rg_err *err);

/*
 * The two halves of rg_tmpl_parse_into. rg_tmpl_parse_defs parses text
 * into trees allocated in set->arena (identifiers resolved through
 * set->funcs) without adding them to the set: *defs (arena array of
 * *ndefs) holds every tree the parse defines (the file's own among
 * them), in the order Go's associate sees them. rg_tmpl_associate adds them to
 * a set with Go's rule (an empty tree never replaces an existing one);
 * the trees are shared, never copied, and execution only reads them
 * (tmpl_memo.c relies on that).
 */
int rg_tmpl_parse_defs(struct rg_ttree ***defs, size_t *ndefs,
		       struct rg_tmpl_set *set, const char *name,
		       const char *text, size_t len, struct rg_err *err);
void rg_tmpl_associate(struct rg_tmpl_set *set, struct rg_ttree *const *defs,
		       size_t ndefs);

/*
 * Set err to text; a text longer than an rg_err holds keeps its first 300
 * bytes and its tail (the innermost cause) around " ... ".
 */
int rg_tmpl_err_elided(struct rg_err *err, int code, const struct rg_pos *pos,
		       const char *text, size_t len);

/*
 * qsort comparison of two `const struct rg_pair *` by key bytes: the order
 * Go's fmt and range use for map[string] keys.
 */
int rg_tmpl_pair_cmp(const void *a, const void *b);

/* Copy a set (shallow: trees shared, tables copied) for tpl. */
struct rg_tmpl_set *rg_tmpl_set_clone(const struct rg_tmpl_set *set);

/* Evaluation of the built-ins that need the executor (tmpl_exec.c). */
bool rg_tmpl_is_and(const struct rg_tmpl_func *f);
bool rg_tmpl_is_or(const struct rg_tmpl_func *f);

#endif
