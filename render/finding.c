#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/finding.h"

void rg_finding_init(struct rg_findings *f, struct rg_arena *a)
{
	memset(f, 0, sizeof(*f));
	f->arena = a;
}

static void count(struct rg_findings *f, enum rg_severity sev)
{
	if (sev == RG_SEV_DENY)
		f->ndeny++;
	else if (sev == RG_SEV_WARN)
		f->nwarn++;
	else
		f->ninfo++;
}

static struct rg_finding *slot(struct rg_findings *f, enum rg_severity sev)
{
	count(f, sev);
	if (f->len >= RG_CAP_FINDINGS) {
		f->dropped++;
		return NULL;
	}
	if (f->len >= f->alloc) {
		size_t n = f->alloc ? f->alloc * 2 : 16;

		f->items = rg_arena_grow(f->arena, f->items, f->len, n,
					 sizeof(*f->items));
		f->alloc = n;
	}
	return &f->items[f->len++];
}

struct rg_finding *rg_finding_vadd(struct rg_findings *f, const char *env,
				   enum rg_severity sev, const char *rule,
				   const struct rg_pos *origin, const char *fmt,
				   va_list ap)
{
	struct rg_finding *fd = slot(f, sev);

	if (!fd)
		return NULL;
	fd->severity = (uint8_t)sev;
	fd->rule = rg_arena_strdup(f->arena, rule ? rule : "");
	fd->message = rg_arena_vprintf(f->arena, fmt, ap);
	if (origin) {
		fd->origin = *origin;
		fd->origin.file = rg_arena_strdup(f->arena, origin->file);
	}
	if (env)
		fd->env = env;
	return fd;
}

struct rg_finding *rg_finding_add(struct rg_findings *f, enum rg_severity sev,
				  const char *rule, const struct rg_pos *origin,
				  const char *fmt, ...)
{
	struct rg_finding *fd;
	va_list ap;

	va_start(ap, fmt);
	fd = rg_finding_vadd(f, NULL, sev, rule, origin, fmt, ap);
	va_end(ap);
	return fd;
}

void rg_finding_set_hint(struct rg_findings *f, struct rg_finding *fd,
			 const char *fmt, ...)
{
	va_list ap;

	if (!fd)
		return;
	va_start(ap, fmt);
	fd->hint = rg_arena_vprintf(f->arena, fmt, ap);
	va_end(ap);
}

void rg_finding_append(struct rg_findings *dst, const struct rg_findings *src)
{
	for (size_t i = 0; i < src->len; i++) {
		struct rg_finding *fd =
		    slot(dst, (enum rg_severity)src->items[i].severity);

		if (fd)
			*fd = src->items[i];
	}
	/* findings src itself dropped are still counted in dst */
	dst->dropped += src->dropped;
	if (src->dropped) {
		size_t kept_deny = 0, kept_warn = 0, kept_info = 0;

		for (size_t i = 0; i < src->len; i++) {
			if (src->items[i].severity == RG_SEV_DENY)
				kept_deny++;
			else if (src->items[i].severity == RG_SEV_WARN)
				kept_warn++;
			else
				kept_info++;
		}
		dst->ndeny += src->ndeny - kept_deny;
		dst->nwarn += src->nwarn - kept_warn;
		dst->ninfo += src->ninfo - kept_info;
	}
}

static int cmp_str(const char *a, const char *b)
{
	if (!a || !b)
		return (a == NULL) - (b == NULL);
	return strcmp(a, b);
}

static int cmp_finding(const struct rg_finding *x, const struct rg_finding *y)
{
	int c;

	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	c = cmp_str(x->origin.file, y->origin.file);
	if (c)
		return c;
	if (x->origin.line != y->origin.line)
		return x->origin.line < y->origin.line ? -1 : 1;
	if (x->origin.col != y->origin.col)
		return x->origin.col < y->origin.col ? -1 : 1;
	return cmp_str(x->rule, y->rule);
}

void rg_finding_sort(struct rg_findings *f)
{
	struct rg_finding *tmp;
	size_t n = f->len;

	if (n < 2)
		return;
	/* bottom-up merge sort: stable, O(n log n) */
	tmp = rg_xmalloc(n * sizeof(*tmp));
	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t i = lo, j = mid, k = lo;

			while (i < mid && j < hi)
				tmp[k++] =
				    cmp_finding(&f->items[j], &f->items[i]) < 0
					? f->items[j++]
					: f->items[i++];
			while (i < mid)
				tmp[k++] = f->items[i++];
			while (j < hi)
				tmp[k++] = f->items[j++];
		}
		memcpy(f->items, tmp, n * sizeof(*tmp));
	}
	free(tmp);
}

const char *rg_finding_severity_name(enum rg_severity sev)
{
	switch (sev) {
	case RG_SEV_DENY:
		return "deny";
	case RG_SEV_WARN:
		return "warn";
	default:
		return "info";
	}
}

int rg_finding_format(struct rg_buf *out, const struct rg_finding *fd)
{
	size_t start = out->len;
	int error = 0;

	if (fd->origin.file && fd->origin.file[0]) {
		error = rg_buf_adds(out, fd->origin.file);
		if (!error && fd->origin.line)
			error = rg_buf_addf(out, ":%u", fd->origin.line);
		if (!error && fd->origin.line && fd->origin.col)
			error = rg_buf_addf(out, ":%u", fd->origin.col);
		if (!error)
			error = rg_buf_adds(out, ": ");
	}
	if (!error)
		error = rg_buf_addf(
		    out, "%s: %s [%s]",
		    rg_finding_severity_name((enum rg_severity)fd->severity),
		    fd->message, fd->rule);
	if (!error && fd->hint)
		error = rg_buf_addf(out, " (hint: %s)", fd->hint);
	if (error < 0)
		rg_buf_truncate(out, start);
	return error;
}
