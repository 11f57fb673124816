#include "rendergate/compat.h"
#include "rendergate/arena.h"

/*
 * Chunks of geometrically growing size; large requests get a chunk of
 * their own so they do not waste the tail of the current one. Chunks
 * come zeroed from calloc and memory is never handed out twice, so
 * allocations are zero without a memset: the large chunks calloc takes
 * from mmap stay untouched (no page faults) until they are written.
 */
#define CHUNK_MIN (64 * 1024)
#define CHUNK_MAX (4 * 1024 * 1024)
#define ALIGN (_Alignof(max_align_t))

struct chunk {
	struct chunk *next;
	size_t size, used;
	max_align_t data[];
};

struct rg_arena {
	struct chunk *head;
	size_t next_size;
	size_t used;
#ifdef RG_ARENA_MALLOC
	void **blocks;
	size_t nblocks, blocks_alloc;
#endif
};

struct rg_arena *rg_arena_new(void)
{
	struct rg_arena *a = rg_xcalloc(1, sizeof(*a));

	a->next_size = CHUNK_MIN;
	return a;
}

void rg_arena_free(struct rg_arena *a)
{
	struct chunk *c, *next;

	if (!a)
		return;
	for (c = a->head; c; c = next) {
		next = c->next;
		free(c);
	}
#ifdef RG_ARENA_MALLOC
	for (size_t i = 0; i < a->nblocks; i++)
		free(a->blocks[i]);
	free(a->blocks);
#endif
	free(a);
}

void rg_arena_reset(struct rg_arena *a)
{
	struct chunk *c, *next, *keep = NULL;

	for (c = a->head; c; c = c->next)
		if (!keep || c->size > keep->size)
			keep = c;
	for (c = a->head; c; c = next) {
		next = c->next;
		if (c != keep)
			free(c);
	}
	if (keep) {
		memset(keep->data, 0, keep->used);
		keep->used = 0;
		keep->next = NULL;
	}
	a->head = keep;
	a->used = 0;
#ifdef RG_ARENA_MALLOC
	for (size_t i = 0; i < a->nblocks; i++)
		free(a->blocks[i]);
	a->nblocks = 0;
#endif
}

void *rg_arena_alloc(struct rg_arena *a, size_t n)
{
	size_t need = (n + ALIGN - 1) & ~(ALIGN - 1);
	struct chunk *c = a->head;
	void *p;

	if (need < n)
		RG_BUG("arena allocation of %zu bytes overflows", n);
	a->used += need;
#ifdef RG_ARENA_MALLOC
	(void)c;
	RG_ALLOC_GROW(a->blocks, a->nblocks + 1, a->blocks_alloc);
	p = rg_xcalloc(1, n ? n : 1);
	a->blocks[a->nblocks++] = p;
	return p;
#else
	if (!c || c->size - c->used < need) {
		size_t size = a->next_size;

		if (need > size / 4) {
			/* big block: own chunk, linked behind the head */
			c = rg_xcalloc(1, sizeof(*c) + need);
			c->size = need;
			c->used = 0;
			if (a->head) {
				c->next = a->head->next;
				a->head->next = c;
			} else {
				c->next = NULL;
				a->head = c;
			}
		} else {
			c = rg_xcalloc(1, sizeof(*c) + size);
			c->size = size;
			c->used = 0;
			c->next = a->head;
			a->head = c;
			if (a->next_size < CHUNK_MAX)
				a->next_size *= 2;
		}
	}
	p = (char *)c->data + c->used;
	c->used += need;
	return p;
#endif
}

void *rg_arena_calloc(struct rg_arena *a, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		RG_BUG("arena array of %zu x %zu overflows", nmemb, size);
	return rg_arena_alloc(a, nmemb * size);
}

void *rg_arena_grow(struct rg_arena *a, void *p, size_t oldn, size_t newn,
		    size_t size)
{
	void *q = rg_arena_calloc(a, newn, size);

	if (p && oldn)
		memcpy(q, p, (oldn < newn ? oldn : newn) * size);
	return q;
}

char *rg_arena_strndup(struct rg_arena *a, const char *s, size_t n)
{
	char *p = rg_arena_alloc(a, n + 1);

	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *rg_arena_strdup(struct rg_arena *a, const char *s)
{
	return s ? rg_arena_strndup(a, s, strlen(s)) : NULL;
}

char *rg_arena_vprintf(struct rg_arena *a, const char *fmt, va_list ap)
{
	va_list cp;
	int n;
	char *p;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		RG_BUG("bad format string %s", fmt);
	p = rg_arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *rg_arena_printf(struct rg_arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = rg_arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

size_t rg_arena_used(const struct rg_arena *a)
{
	return a->used;
}
