/*
 * compat.h - the first include of every rendergate source file.
 *
 * Sets the feature macros the code relies on (POSIX 2008 plus the few
 * GNU/BSD extras named below), pulls in the headers almost every module
 * needs, defines the attributes and the RG_BUG() assertion, and finally
 * includes banned.h so the banned functions become compile errors in all
 * of our code but not in system headers.
 */
#ifndef RENDERGATE_COMPAT_H
#define RENDERGATE_COMPAT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* memmem, mkostemp, strnlen with glibc */
#endif

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define RG_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define RG_NORETURN __attribute__((noreturn))
#define RG_UNUSED __attribute__((unused))
#define RG_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define RG_PRINTF(fmt, args)
#define RG_NORETURN
#define RG_UNUSED
#define RG_WARN_UNUSED
#endif

#define RG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * A broken invariant inside rendergate itself: print where and abort.
 * Never used for bad input; bad input is an error code with a message.
 */
#define RG_BUG(...) rg_bug(__FILE__, __LINE__, __VA_ARGS__)
RG_NORETURN void rg_bug(const char *file, int line, const char *fmt, ...)
	RG_PRINTF(3, 4);

/* Aborting allocators: out of memory ends the run (and so rejects a push). */
void *rg_xmalloc(size_t n);
void *rg_xcalloc(size_t nmemb, size_t size);
void *rg_xrealloc(void *p, size_t n);
char *rg_xstrndup(const char *s, size_t n);
char *rg_xstrdup(const char *s);

/*
 * Grow an array of `nr` used elements to hold at least `want` elements,
 * doubling; `alloc` is the current capacity (git's ALLOC_GROW).
 */
#define RG_ALLOC_GROW(x, want, alloc)                                          \
	do {                                                                   \
		if ((size_t)(want) > (size_t)(alloc)) {                        \
			size_t rg_ag_n_ = (size_t)(alloc) < 8 ? 8 : (alloc); \
			while (rg_ag_n_ < (size_t)(want))                      \
				rg_ag_n_ *= 2;                                 \
			(x) = rg_xrealloc((x), rg_ag_n_ * sizeof(*(x)));       \
			(alloc) = rg_ag_n_;                                    \
		}                                                              \
	} while (0)

#include "rendergate/banned.h"

#endif
