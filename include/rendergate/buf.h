/*
 * buf.h - growable byte buffers with a hard cap.
 *
 * Every buffer has a maximum size set at init (curl's dynbuf rule): an
 * append that would pass it fails with RG_ELIMIT and leaves the buffer as
 * it was. The data is always NUL-terminated (ptr[len] == 0) but may
 * contain NUL bytes. ptr is never NULL after rg_buf_init, so printing an
 * empty buffer is safe. Buffers own heap memory (not arena memory):
 * release with rg_buf_release, or take the bytes with rg_buf_detach.
 */
#ifndef RENDERGATE_BUF_H
#define RENDERGATE_BUF_H

#include "rendergate/compat.h"

struct rg_buf {
	char *ptr;    /* the data, NUL-terminated; never NULL */
	size_t len;   /* bytes used, not counting the NUL */
	size_t alloc; /* bytes allocated, 0 while ptr is the shared "" */
	size_t cap;   /* most bytes the buffer may hold */
};

extern char rg_buf_empty[];
#define RG_BUF_INIT(cap) { rg_buf_empty, 0, 0, (cap) }

/* Set up an empty buffer holding at most cap bytes. Does not allocate. */
void rg_buf_init(struct rg_buf *b, size_t cap);
/* Free the memory and return to the empty state (cap kept). */
void rg_buf_release(struct rg_buf *b);
/* Empty the buffer, keeping its memory. */
void rg_buf_reset(struct rg_buf *b);
/* Hand the bytes to the caller (free() them); the buffer becomes empty. */
char *rg_buf_detach(struct rg_buf *b, size_t *len);

/* Append; return 0, or RG_ELIMIT (buffer unchanged) if cap would pass. */
int rg_buf_add(struct rg_buf *b, const void *data, size_t n);
int rg_buf_adds(struct rg_buf *b, const char *s);
int rg_buf_addch(struct rg_buf *b, char c);
int rg_buf_addf(struct rg_buf *b, const char *fmt, ...) RG_PRINTF(2, 3);
int rg_buf_vaddf(struct rg_buf *b, const char *fmt, va_list ap);
/* Append c n times. */
int rg_buf_addchn(struct rg_buf *b, char c, size_t n);
/* Make room for n more bytes without changing len (RG_ELIMIT if over cap). */
int rg_buf_grow(struct rg_buf *b, size_t n);
/* Shorten to len bytes (len <= b->len). */
void rg_buf_truncate(struct rg_buf *b, size_t len);

#endif
