#include "rendergate/compat.h"

void rg_bug(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "rendergate: BUG at %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static void oom(size_t n)
{
	fprintf(stderr, "rendergate: out of memory allocating %zu bytes\n", n);
	abort();
}

void *rg_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom(n);
	return p;
}

void *rg_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		oom(nmemb * size);
	return p;
}

void *rg_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom(n);
	return q;
}

char *rg_xstrndup(const char *s, size_t n)
{
	char *p = rg_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *rg_xstrdup(const char *s)
{
	return rg_xstrndup(s, strlen(s));
}
