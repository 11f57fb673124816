#include "rendergate/compat.h"
#include "rendergate/arena.h"

#include <sys/mman.h>

/*
 * Chunks of geometrically growing size; large requests get a chunk of
 * their own so they do not waste the tail of the current one. Chunks
 * come zeroed and memory is never handed out twice, so allocations are
 * zero without a memset.
 *
 * The standard chunks (CHUNK_MIN << k up to CHUNK_MAX) come from one
 * process-wide pool of POOL_BYTES, asked to be backed by transparent
 * huge pages. A render writes megabytes of fresh memory, and with 4 KiB
 * pages each first write is a fault (about 3.5 us each on a virtual
 * machine, a third of a chart's whole time); with 2 MiB pages it is one
 * fault per 2 MiB. Where the system gives no huge pages (THP "never") the
 * pool is ordinary zero-fill memory, no worse than calloc. A freed chunk
 * goes to its size's free list and is zeroed when taken again; a block
 * over CHUNK_MAX is carved from the pool's untouched rest and not reused.
 * When the pool is used up, chunks come from calloc as before. The pool
 * is address space only (MAP_NORESERVE) until written. No threads share
 * arenas (the hook and the commands are single-threaded), so the pool
 * has no lock.
 */
#define CHUNK_MIN (64 * 1024)
#define CHUNK_MAX (4 * 1024 * 1024)
#define NCLASS 7 /* CHUNK_MIN << 0 .. CHUNK_MIN << 6 == CHUNK_MAX */
#define ALIGN (_Alignof(max_align_t))
#define POOL_BYTES ((size_t)256 * 1024 * 1024)
#define HUGE_PAGE ((size_t)2 * 1024 * 1024)

struct chunk {
	struct chunk *next;
	size_t size, used;
	max_align_t data[];
};

#ifndef RG_ARENA_MALLOC
/* The standard chunk size that holds n bytes, or n past CHUNK_MAX. */
static size_t class_size(size_t n)
{
	size_t cs = CHUNK_MIN;

	while (cs < n && cs < CHUNK_MAX)
		cs *= 2;
	return cs >= n ? cs : n;
}

static struct {
	char *base;  /* HUGE_PAGE aligned; NULL: not mapped (yet) */
	size_t used; /* bump pointer */
	bool tried;
	struct chunk *free[NCLASS];
} pool;

static int size_class(size_t size)
{
	for (int k = 0; k < NCLASS; k++)
		if ((size_t)CHUNK_MIN << k == size)
			return k;
	return -1;
}

static void pool_map(void)
{
	char *p;
	uintptr_t at;

	pool.tried = true;
	/* reserve only: pages exist once written */
	p = mmap(NULL, POOL_BYTES + HUGE_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return;
	at = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
	pool.base = (char *)at;
#ifdef MADV_HUGEPAGE
	/*
	 * RENDERGATE_HUGEPAGES=0 keeps 4 KiB pages: where the kernel
	 * compacts memory synchronously for madvised regions (THP defrag
	 * "madvise", the default) a fragmented host may stall a fault.
	 */
	{
		const char *e = getenv("RENDERGATE_HUGEPAGES");

		if (!e || strcmp(e, "0"))
			(void)madvise(pool.base, POOL_BYTES, MADV_HUGEPAGE);
	}
#endif
}

/*
 * A zeroed chunk of size bytes, or NULL to use calloc. Standard sizes
 * are reused from the free lists; others (blocks over CHUNK_MAX) are
 * only carved from the untouched rest of the pool and not reused.
 */
static struct chunk *pool_get(size_t size, bool zero)
{
	int k = size_class(size);
	size_t need = sizeof(struct chunk) + size;
	struct chunk *c;

	if (k >= 0 && (c = pool.free[k])) {
		pool.free[k] = c->next;
		if (zero)
			memset(c->data, 0, c->used);
		c->next = NULL;
		c->used = 0;
		return c;
	}
	if (!pool.tried)
		pool_map();
	need = (need + 63) & ~(size_t)63;
	if (need < size || !pool.base || POOL_BYTES - pool.used < need)
		return NULL;
	c = (struct chunk *)(pool.base + pool.used);
	pool.used += need;
	c->size = size;
	return c;
}

static struct chunk *chunk_new(size_t size)
{
	struct chunk *c = pool_get(size, true);

	if (!c) {
		c = rg_xcalloc(1, sizeof(*c) + size);
		c->size = size;
	}
	return c;
}

/* The chunk's used bytes are zeroed when it is taken again. */
static void chunk_free(struct chunk *c)
{
	int k;

	if (rg_pool_owns(c)) {
		if ((k = size_class(c->size)) >= 0) {
			c->next = pool.free[k];
			pool.free[k] = c;
		}
		return;
	}
	free(c);
}

void *rg_pool_alloc(size_t *size)
{
	size_t cs = class_size(*size);
	struct chunk *c;

	if (cs > CHUNK_MAX || !(c = pool_get(cs, false)))
		return NULL;
	c->used = cs; /* all of it may be written */
	*size = cs;
	return c->data;
}

bool rg_pool_owns(const void *p)
{
	return pool.base && (const char *)p >= pool.base &&
	       (const char *)p < pool.base + POOL_BYTES;
}

void rg_pool_free(void *p)
{
	if (p)
		chunk_free((struct chunk *)((char *)p -
					    offsetof(struct chunk, data)));
}
#else
static void chunk_free(struct chunk *c)
{
	free(c);
}

void *rg_pool_alloc(size_t *size)
{
	(void)size;
	return NULL;
}

bool rg_pool_owns(const void *p)
{
	(void)p;
	return false;
}

void rg_pool_free(void *p)
{
	(void)p;
}
#endif

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
		chunk_free(c);
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
			chunk_free(c);
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
			/*
			 * big block: own chunk, linked behind the head; up
			 * to CHUNK_MAX in a standard size, to reuse it
			 */
			c = chunk_new(class_size(need));
			if (a->head) {
				c->next = a->head->next;
				a->head->next = c;
			} else {
				c->next = NULL;
				a->head = c;
			}
		} else {
			c = chunk_new(size);
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
