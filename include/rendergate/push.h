/*
 * push.h - the hook protocol: what a push asks for.
 *
 * git hands a pre-receive and a post-receive hook one line per ref on
 * standard input, "<old-id> SP <new-id> SP <refname> LF", and the update
 * hook the same three values as argv (refname first). Creation has the
 * all-zero id as old, deletion as new; ids are 40 hex digits in SHA-1
 * repositories and 64 in SHA-256 ones, and every id of one push has the
 * same length. Push options (git push -o) arrive as GIT_PUSH_OPTION_COUNT
 * and GIT_PUSH_OPTION_<i>.
 *
 * The parser is strict: it is the first thing that sees bytes from the
 * outside, so anything that is not exactly the format above is refused
 * with RG_EPARSE and a message naming the line, rather than guessed at.
 * Limits: RG_CAP_PUSH_LINE_BYTES per line, RG_CAP_PUSH_REFS lines,
 * RG_CAP_PUSH_OPTIONS options (all RG_ELIMIT).
 */
#ifndef RENDERGATE_PUSH_H
#define RENDERGATE_PUSH_H

#include "rendergate/compat.h"
#include "rendergate/err.h"

struct rg_arena;

/* Longest id (SHA-256) in hex, plus the NUL. */
#define RG_PUSH_ID_HEX 65

enum rg_push_kind {
	RG_PUSH_UPDATE = 0, /* old and new are both real commits */
	RG_PUSH_CREATE,	    /* old is the zero id */
	RG_PUSH_DELETE,	    /* new is the zero id */
};

struct rg_push_update {
	char old_id[RG_PUSH_ID_HEX]; /* lowercase hex, as sent */
	char new_id[RG_PUSH_ID_HEX];
	const char *ref; /* full ref name, e.g. "refs/heads/main"; arena */
	uint8_t kind;	 /* enum rg_push_kind */
	uint32_t line;	 /* 1-based input line (0 from argv) */
};

struct rg_push {
	struct rg_push_update *updates; /* arena array, in input order */
	size_t len, alloc;
	unsigned idlen; /* 40 or 64 once the first id was seen; 0 before */
	const char **options; /* push options (arena strings), in order */
	size_t noptions;
	bool options_sent; /* GIT_PUSH_OPTION_COUNT was set (even to 0) */
};

/* Empty push. Does not allocate. */
void rg_push_init(struct rg_push *p);

/*
 * Parse a whole pre-receive/post-receive standard input data[0..len)
 * and append its updates to p. A final line without LF is accepted;
 * empty input is a push with no updates. Errors (err names the line):
 * RG_EPARSE for a malformed line (wrong field count, not hex, wrong id
 * length, ids of different lengths, old == new == zero, a ref that
 * git check-ref-format would refuse, NUL or CR bytes), RG_ELIMIT for a
 * cap. On error p may hold the lines before the bad one.
 */
int rg_push_parse(struct rg_push *p, struct rg_arena *a, const char *data,
		  size_t len, struct rg_err *err);

/*
 * Append one update from the update hook's argv (ref, old, new), with
 * the same checks as one line of rg_push_parse.
 */
int rg_push_add_args(struct rg_push *p, struct rg_arena *a, const char *ref,
		     const char *old_id, const char *new_id,
		     struct rg_err *err);

/*
 * Read push options through getenv_fn (getenv in the hooks, a table in
 * tests): GIT_PUSH_OPTION_COUNT must be a decimal number no larger than
 * RG_CAP_PUSH_OPTIONS (RG_EPARSE / RG_ELIMIT otherwise) and each
 * GIT_PUSH_OPTION_<i> must be set (RG_EPARSE). No COUNT means no options.
 */
int rg_push_options_load(struct rg_push *p, struct rg_arena *a,
			 const char *(*getenv_fn)(const char *name),
			 struct rg_err *err);

/*
 * The value of push option "name=value" (or "" for a bare "name"); the
 * last occurrence wins. NULL when absent.
 */
const char *rg_push_option(const struct rg_push *p, const char *name);

/* True if id (NUL-terminated hex) is all zeros. */
bool rg_push_id_is_zero(const char *id);

/* A ref name check in the spirit of git check-ref-format: 0 or RG_EPARSE. */
int rg_push_ref_check(const char *ref, size_t len);

#endif
