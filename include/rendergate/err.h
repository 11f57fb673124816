/*
 * err.h - error codes and the error detail that travels with them.
 *
 * Fallible functions return int: 0 on success, a negative RG_E* code on
 * failure. The detail goes into a caller-provided struct rg_err: one line
 * of text and the origin (file, line, column) of the input that caused
 * it, so a pusher reads "envs/prod/values.yaml:12:4: ..." rather than
 * "parse error". A struct rg_err is left untouched on success, so calls
 * can be chained and checked once.
 *
 * struct rg_err is fixed-size and never allocates; it may be on the stack.
 */
#ifndef RENDERGATE_ERR_H
#define RENDERGATE_ERR_H

#include "rendergate/compat.h"

enum rg_errcode {
	RG_OK = 0,
	RG_ERROR = -1,	   /* generic failure: could not decide */
	RG_ENOTFOUND = -2, /* a path, key, object or ref does not exist */
	RG_EPARSE = -3,	   /* input is malformed (YAML, template, config) */
	RG_ELIMIT = -4,	   /* a cap from caps.h was hit */
	RG_EINVALID = -5,  /* input is well-formed but not acceptable */
	RG_EUNSAFE = -6,   /* refused for safety (symlink, '..', file mode) */
	RG_EIO = -7,	   /* reading or writing outside the process failed */
	RG_ETIMEOUT = -8,  /* the deadline passed */
	RG_EEXISTS = -9,   /* already there (duplicate key, identity, file) */
	RG_EUNSUPPORTED = -10, /* valid but not something rendergate does */
	RG_EFORGE = -11,   /* the forge answered with an error or not at all */
};

/* Where in the input something came from. file is borrowed (arena). */
struct rg_pos {
	const char *file; /* path inside the repository, or NULL */
	uint32_t line;	  /* 1-based, 0 when unknown */
	uint32_t col;	  /* 1-based, 0 when unknown */
};

#define RG_ERR_MSG_MAX 1024
#define RG_ERR_FILE_MAX 512

struct rg_err {
	int code;		     /* RG_E*; 0 when no error recorded */
	char msg[RG_ERR_MSG_MAX];    /* one line, no origin prefix */
	char file[RG_ERR_FILE_MAX];  /* origin file, "" when none */
	uint32_t line, col;	     /* origin, 0 when unknown */
};

#define RG_ERR_INIT { 0, "", "", 0, 0 }

void rg_err_init(struct rg_err *err);

/*
 * Record an error and return `code` (so callers can `return rg_err_set(...)`).
 * pos may be NULL. err may be NULL (the code is still returned).
 * Newlines in the formatted message are replaced by spaces.
 */
int rg_err_set(struct rg_err *err, int code, const struct rg_pos *pos,
	       const char *fmt, ...) RG_PRINTF(4, 5);
int rg_err_vset(struct rg_err *err, int code, const struct rg_pos *pos,
		const char *fmt, va_list ap);

/*
 * Prefix the existing message with "context: " (e.g. the environment name),
 * keeping the origin. Returns err->code.
 */
int rg_err_prefix(struct rg_err *err, const char *fmt, ...) RG_PRINTF(2, 3);

/*
 * Write "file:line:col: msg" (dropping missing parts) into out, always
 * NUL-terminated; returns the number of bytes written.
 */
size_t rg_err_format(const struct rg_err *err, char *out, size_t outsz);

/* Short name of a code, e.g. "parse error", "limit exceeded". */
const char *rg_err_codename(int code);

/*
 * A list of errors, for loaders that report every problem in one pass
 * (configs, policies). Heap-owned; at most max entries are kept (0 means
 * 100), further ones are counted in `dropped`.
 */
struct rg_errlist {
	struct rg_err *items;
	size_t len, alloc;
	size_t max;
	size_t dropped;
};

#define RG_ERRLIST_INIT { NULL, 0, 0, 0, 0 }

/* Append a copy of err. */
void rg_errlist_add(struct rg_errlist *l, const struct rg_err *err);
/* Format and append; returns code. */
int rg_errlist_addf(struct rg_errlist *l, int code, const struct rg_pos *pos,
		    const char *fmt, ...) RG_PRINTF(4, 5);
/* Free the entries. */
void rg_errlist_release(struct rg_errlist *l);

#endif
