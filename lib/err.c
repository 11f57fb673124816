#include "rendergate/compat.h"
#include "rendergate/err.h"

void rg_err_init(struct rg_err *err)
{
	memset(err, 0, sizeof(*err));
}

static void flatten(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

int rg_err_vset(struct rg_err *err, int code, const struct rg_pos *pos,
		const char *fmt, va_list ap)
{
	if (!err)
		return code;
	err->code = code;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	flatten(err->msg);
	err->file[0] = '\0';
	err->line = err->col = 0;
	if (pos) {
		if (pos->file)
			snprintf(err->file, sizeof(err->file), "%s", pos->file);
		err->line = pos->line;
		err->col = pos->col;
	}
	return code;
}

int rg_err_set(struct rg_err *err, int code, const struct rg_pos *pos,
	       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	code = rg_err_vset(err, code, pos, fmt, ap);
	va_end(ap);
	return code;
}

int rg_err_prefix(struct rg_err *err, const char *fmt, ...)
{
	char pre[RG_ERR_MSG_MAX], old[RG_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	snprintf(err->msg, sizeof(err->msg), "%s: %s", pre, old);
	flatten(err->msg);
	return err->code;
}

size_t rg_err_format(const struct rg_err *err, char *out, size_t outsz)
{
	int n;

	if (!outsz)
		return 0;
	if (err->file[0] && err->line && err->col)
		n = snprintf(out, outsz, "%s:%u:%u: %s", err->file, err->line,
			     err->col, err->msg);
	else if (err->file[0] && err->line)
		n = snprintf(out, outsz, "%s:%u: %s", err->file, err->line,
			     err->msg);
	else if (err->file[0])
		n = snprintf(out, outsz, "%s: %s", err->file, err->msg);
	else
		n = snprintf(out, outsz, "%s", err->msg);
	if (n < 0)
		n = 0;
	return (size_t)n < outsz ? (size_t)n : outsz - 1;
}

const char *rg_err_codename(int code)
{
	switch (code) {
	case RG_OK: return "ok";
	case RG_ENOTFOUND: return "not found";
	case RG_EPARSE: return "parse error";
	case RG_ELIMIT: return "limit exceeded";
	case RG_EINVALID: return "invalid";
	case RG_EUNSAFE: return "unsafe";
	case RG_EIO: return "I/O error";
	case RG_ETIMEOUT: return "timed out";
	case RG_EEXISTS: return "already exists";
	case RG_EUNSUPPORTED: return "unsupported";
	case RG_EFORGE: return "forge error";
	default: return "error";
	}
}

void rg_errlist_add(struct rg_errlist *l, const struct rg_err *err)
{
	size_t max = l->max ? l->max : 100;

	if (l->len >= max) {
		l->dropped++;
		return;
	}
	RG_ALLOC_GROW(l->items, l->len + 1, l->alloc);
	l->items[l->len++] = *err;
}

int rg_errlist_addf(struct rg_errlist *l, int code, const struct rg_pos *pos,
		    const char *fmt, ...)
{
	struct rg_err err = RG_ERR_INIT;
	va_list ap;

	va_start(ap, fmt);
	rg_err_vset(&err, code, pos, fmt, ap);
	va_end(ap);
	rg_errlist_add(l, &err);
	return code;
}

void rg_errlist_release(struct rg_errlist *l)
{
	free(l->items);
	l->items = NULL;
	l->len = l->alloc = l->dropped = 0;
}
