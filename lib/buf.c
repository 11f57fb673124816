#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/err.h"

/*
 * Buffers of 64 KiB and more take their blocks from the arena pool (huge
 * pages, see arena.c): rendered charts grow buffers of megabytes, and
 * their page faults cost more than the copying.
 */
#define POOL_MIN (64 * 1024)

static void release_block(char *p)
{
	if (rg_pool_owns(p))
		rg_pool_free(p);
	else
		free(p);
}

char rg_buf_empty[1];

void rg_buf_init(struct rg_buf *b, size_t cap)
{
	b->ptr = rg_buf_empty;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
}

void rg_buf_release(struct rg_buf *b)
{
	if (b->alloc)
		release_block(b->ptr);
	rg_buf_init(b, b->cap);
}

void rg_buf_reset(struct rg_buf *b)
{
	b->len = 0;
	if (b->alloc)
		b->ptr[0] = '\0';
}

char *rg_buf_detach(struct rg_buf *b, size_t *len)
{
	char *p;

	if (len)
		*len = b->len;
	if (!b->alloc) {
		p = rg_xstrdup("");
	} else if (rg_pool_owns(b->ptr)) {
		/* the caller frees it with free() */
		p = rg_xmalloc(b->len + 1);
		memcpy(p, b->ptr, b->len + 1);
		rg_pool_free(b->ptr);
	} else {
		p = b->ptr;
	}
	rg_buf_init(b, b->cap);
	return p;
}

int rg_buf_grow(struct rg_buf *b, size_t n)
{
	size_t want, na;

	if (n > b->cap || b->len > b->cap - n)
		return RG_ELIMIT;
	want = b->len + n + 1;
	if (want <= b->alloc)
		return 0;
	na = b->alloc ? b->alloc : 64;
	while (na < want)
		na = na > SIZE_MAX / 2 ? want : na * 2;
	if (na >= POOL_MIN) {
		size_t got = na;
		char *q = rg_pool_alloc(&got);

		if (q) {
			if (b->alloc) {
				memcpy(q, b->ptr, b->len + 1);
				release_block(b->ptr);
			} else {
				q[0] = '\0';
			}
			b->ptr = q;
			b->alloc = got;
			return 0;
		}
	}
	if (b->alloc && rg_pool_owns(b->ptr)) {
		char *q = rg_xmalloc(na);

		memcpy(q, b->ptr, b->len + 1);
		rg_pool_free(b->ptr);
		b->ptr = q;
	} else if (b->alloc) {
		b->ptr = rg_xrealloc(b->ptr, na);
	} else {
		b->ptr = rg_xmalloc(na);
		b->ptr[0] = '\0';
	}
	b->alloc = na;
	return 0;
}

int rg_buf_add(struct rg_buf *b, const void *data, size_t n)
{
	int error = rg_buf_grow(b, n);

	if (error < 0)
		return error;
	if (n)
		memcpy(b->ptr + b->len, data, n);
	b->len += n;
	if (b->alloc)
		b->ptr[b->len] = '\0';
	return 0;
}

int rg_buf_adds(struct rg_buf *b, const char *s)
{
	return rg_buf_add(b, s, strlen(s));
}

int rg_buf_addch(struct rg_buf *b, char c)
{
	return rg_buf_add(b, &c, 1);
}

int rg_buf_addchn(struct rg_buf *b, char c, size_t n)
{
	int error = rg_buf_grow(b, n);

	if (error < 0)
		return error;
	memset(b->ptr + b->len, c, n);
	b->len += n;
	if (b->alloc)
		b->ptr[b->len] = '\0';
	return 0;
}

int rg_buf_vaddf(struct rg_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n, error;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		RG_BUG("bad format string %s", fmt);
	error = rg_buf_grow(b, (size_t)n);
	if (error < 0)
		return error;
	if (!b->alloc && n == 0)
		return 0;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int rg_buf_addf(struct rg_buf *b, const char *fmt, ...)
{
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = rg_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return error;
}

void rg_buf_truncate(struct rg_buf *b, size_t len)
{
	if (len > b->len)
		RG_BUG("truncate to %zu beyond length %zu", len, b->len);
	b->len = len;
	if (b->alloc)
		b->ptr[len] = '\0';
}
