/*
 * gofmt.h - Go's fmt package, for template values.
 *
 * Prints struct rg_node values (with their Go types from tmpl.h) the way
 * fmt.Sprint, fmt.Sprintln and fmt.Sprintf print the interface{} values
 * text/template hands them:
 *   - %v: ints in decimal, float64 with strconv 'g' shortest form
 *     (3, 1e+06, 1.5), strings raw, bools true/false, nil as <nil>,
 *     lists as [a b], maps as map[k:v ...] with keys sorted by byte order,
 *     []byte as [104 105], structs as {a b} (pointers &{a b});
 *   - verbs %v %+v %#v (approximate) %s %d %q %f %F %e %E %g %G %x %X %o
 *     %O %b %t %T %c %U %p (as %!p) %%, flags + - # 0 space, width and
 *     precision including `*`, and argument indexes %[n]d;
 *   - Go's error forms: %!d(float64=3), %!s(MISSING), %!(EXTRA int=1,
 *     string=x), %!(NOVERB), %!(BADWIDTH), %!(BADPREC), %!(BADINDEX).
 * Sprint puts a space between operands when neither is a string;
 * Sprintln always separates with spaces and ends with a newline.
 *
 * set names registered struct types for %T (may be NULL). All functions
 * append to out and return 0 or RG_ELIMIT (the buffer's cap).
 */
#ifndef RENDERGATE_GOFMT_H
#define RENDERGATE_GOFMT_H

#include "rendergate/compat.h"
#include "rendergate/doc.h"

struct rg_buf;
struct rg_tmpl_set;

/* fmt.Sprint(args...) */
int rg_gofmt_sprint(struct rg_buf *out, const struct rg_tmpl_set *set,
		    struct rg_node *const *args, size_t nargs);
/* fmt.Sprintln(args...) */
int rg_gofmt_sprintln(struct rg_buf *out, const struct rg_tmpl_set *set,
		      struct rg_node *const *args, size_t nargs);
/* fmt.Sprintf(format, args...) */
int rg_gofmt_sprintf(struct rg_buf *out, const struct rg_tmpl_set *set,
		     const char *format, size_t flen,
		     struct rg_node *const *args, size_t nargs);
/* fmt.Sprint(v) of one value: what {{ v }} prints (NULL: <nil>). */
int rg_gofmt_value(struct rg_buf *out, const struct rg_tmpl_set *set,
		   const struct rg_node *v);

/*
 * strconv.FormatFloat(f, fmt, prec, 64) for fmt in 'e' 'E' 'f' 'g' 'G'
 * (prec -1: shortest). Appends to out.
 */
int rg_gofmt_float(struct rg_buf *out, double f, char fmt, int prec);

/*
 * Decode one UTF-8 rune from s[0..n): returns its width (0 when n is 0)
 * and sets *r, or width 1 and U+FFFD for an invalid byte (Go's rule).
 */
size_t rg_gofmt_utf8_decode(const char *s, size_t n, uint32_t *r);
/* unicode.IsPrint, exact for ASCII, approximated above (see gofmt.c). */
bool rg_gofmt_isprint(uint32_t r);

/* strconv.Quote(s): Go double-quoted string with Go escapes. */
int rg_gofmt_quote(struct rg_buf *out, const char *s, size_t len);

#endif
