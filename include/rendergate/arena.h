/*
 * arena.h - the per-run bump allocator.
 *
 * One arena per run (one push, one CLI command) owns the document model,
 * strings, findings and diffs; rg_arena_free() releases all of it at once.
 * Allocation never fails: out of memory aborts (see compat.h). Memory from
 * an arena is zeroed and aligned for any type.
 *
 * Built with -DRG_ARENA_MALLOC (make asan, valgrind runs) every allocation
 * is a separate malloc, so the tools see each object's bounds.
 */
#ifndef RENDERGATE_ARENA_H
#define RENDERGATE_ARENA_H

#include "rendergate/compat.h"

struct rg_arena;

/* New empty arena; free with rg_arena_free(). */
struct rg_arena *rg_arena_new(void);
/* Release every allocation and the arena itself. NULL is a no-op. */
void rg_arena_free(struct rg_arena *a);
/*
 * Forget every allocation but keep the largest chunk, zeroed again, for
 * the next ones: for a scratch arena filled and emptied many times
 * without giving its memory back to the system each time.
 */
void rg_arena_reset(struct rg_arena *a);

/* n zeroed bytes, aligned to max_align_t. n == 0 returns a valid pointer. */
void *rg_arena_alloc(struct rg_arena *a, size_t n);
/* Array of nmemb elements of size bytes, zeroed; aborts on overflow. */
void *rg_arena_calloc(struct rg_arena *a, size_t nmemb, size_t size);
/*
 * Grow an arena array: returns a new block of newn*size bytes holding the
 * first oldn*size bytes of p (the old block is not reused).
 */
void *rg_arena_grow(struct rg_arena *a, void *p, size_t oldn, size_t newn,
		    size_t size);

/* Copy of s[0..n) plus a NUL terminator (s may contain NULs). */
char *rg_arena_strndup(struct rg_arena *a, const char *s, size_t n);
/* Copy of the NUL-terminated s; NULL gives NULL. */
char *rg_arena_strdup(struct rg_arena *a, const char *s);
/* printf into the arena. */
char *rg_arena_printf(struct rg_arena *a, const char *fmt, ...)
	RG_PRINTF(2, 3);
char *rg_arena_vprintf(struct rg_arena *a, const char *fmt, va_list ap);

/*
 * Blocks for large growable buffers (rg_buf), from the same pool of huge
 * pages as the arenas' chunks: rg_pool_alloc() returns a block of at
 * least *size bytes (not zeroed) and sets *size to its size, or NULL when
 * the pool cannot give one (too large, used up, or an RG_ARENA_MALLOC
 * build): then use malloc. rg_pool_owns() tells pool blocks from malloc's;
 * rg_pool_free() takes a block back for reuse.
 */
void *rg_pool_alloc(size_t *size);
bool rg_pool_owns(const void *p);
void rg_pool_free(void *p);

/* Bytes handed out so far (for peak-memory reports and caps). */
size_t rg_arena_used(const struct rg_arena *a);

#endif
