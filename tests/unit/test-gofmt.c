/*
 * test-gofmt.c - Go fmt/strconv emulation. Float expectations are rows of
 * Go's strconv/ftoa_test.go and fmt/fmt_test.go; fmt forms from the fmt
 * package documentation.
 */
#include "test.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/gofmt.h"
#include "rendergate/tmpl.h"

static const char *ff(double f, char fmt, int prec)
{
	static char out[256];
	struct rg_buf b = RG_BUF_INIT(1 << 16);

	(void)rg_gofmt_float(&b, f, fmt, prec);
	snprintf(out, sizeof(out), "%s", b.ptr);
	rg_buf_release(&b);
	return out;
}

TEST(float_ftoa_table)
{
	CHECK_STR(ff(1, 'e', 5), "1.00000e+00");
	CHECK_STR(ff(1, 'f', 5), "1.00000");
	CHECK_STR(ff(1, 'g', 5), "1");
	CHECK_STR(ff(1, 'g', -1), "1");
	CHECK_STR(ff(20, 'g', -1), "20");
	CHECK_STR(ff(1234567.8, 'g', -1), "1.2345678e+06");
	CHECK_STR(ff(200000, 'g', -1), "200000");
	CHECK_STR(ff(2000000, 'g', -1), "2e+06");
	CHECK_STR(ff(400, 'g', 2), "4e+02");
	CHECK_STR(ff(40, 'g', 2), "40");
	CHECK_STR(ff(4, 'g', 2), "4");
	CHECK_STR(ff(.4, 'g', 2), "0.4");
	CHECK_STR(ff(.04, 'g', 2), "0.04");
	CHECK_STR(ff(.004, 'g', 2), "0.004");
	CHECK_STR(ff(.0004, 'g', 2), "0.0004");
	CHECK_STR(ff(.00004, 'g', 2), "4e-05");
	CHECK_STR(ff(.000004, 'g', 2), "4e-06");
	CHECK_STR(ff(0, 'e', 5), "0.00000e+00");
	CHECK_STR(ff(0, 'f', 5), "0.00000");
	CHECK_STR(ff(0, 'g', 5), "0");
	CHECK_STR(ff(0, 'g', -1), "0");
	CHECK_STR(ff(-1, 'e', 5), "-1.00000e+00");
	CHECK_STR(ff(-1, 'g', -1), "-1");
	CHECK_STR(ff(12, 'e', 5), "1.20000e+01");
	CHECK_STR(ff(12, 'f', 5), "12.00000");
	CHECK_STR(ff(123456700, 'e', 5), "1.23457e+08");
	CHECK_STR(ff(123456700, 'f', 5), "123456700.00000");
	CHECK_STR(ff(123456700, 'g', 5), "1.2346e+08");
	CHECK_STR(ff(123456700, 'g', -1), "1.234567e+08");
	CHECK_STR(ff(1.2345e6, 'g', 5), "1.2345e+06");
	CHECK_STR(ff(1e23, 'e', 17), "9.99999999999999916e+22");
	CHECK_STR(ff(1e23, 'f', 17), "99999999999999991611392.00000000000000000");
	CHECK_STR(ff(1e23, 'g', 17), "9.9999999999999992e+22");
	CHECK_STR(ff(1e23, 'e', -1), "1e+23");
	CHECK_STR(ff(1e23, 'f', -1), "100000000000000000000000");
	CHECK_STR(ff(1e23, 'g', -1), "1e+23");
	CHECK_STR(ff(32, 'g', -1), "32");
	CHECK_STR(ff(32, 'g', 0), "3e+01");
	CHECK_STR(ff(100, 'g', -1), "100");
	CHECK_STR(ff(1000000, 'g', -1), "1e+06");
}

TEST(float_specials)
{
	CHECK_STR(ff(1.0 / 0.0, 'g', -1), "+Inf");
	CHECK_STR(ff(-1.0 / 0.0, 'g', -1), "-Inf");
	CHECK_STR(ff(0.0 / 0.0, 'g', -1), "NaN");
	CHECK_STR(ff(-0.0, 'g', -1), "-0");
}

static const char *sprintf_(struct rg_arena *a, const char *f, int n, ...)
{
	static char out[512];
	struct rg_node *args[8];
	struct rg_buf b = RG_BUF_INIT(1 << 16);
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		args[i] = va_arg(ap, struct rg_node *);
	va_end(ap);
	(void)rg_gofmt_sprintf(&b, NULL, f, strlen(f), args, (size_t)n);
	snprintf(out, sizeof(out), "%s", b.ptr);
	rg_buf_release(&b);
	(void)a;
	return out;
}

TEST(sprintf_forms)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *seq = rg_node_seq(a);
	struct rg_node *map = rg_node_map(a);

	rg_seq_push(a, seq, rg_node_int(a, 1));
	rg_seq_push(a, seq, rg_node_str(a, "x"));
	rg_seq_push(a, seq, rg_node_null(a));
	rg_map_set(a, map, "b", 1, rg_node_int(a, 2));
	rg_map_set(a, map, "a", 1, rg_node_float(a, 1.5));
	/* fmt docs: %v of slices and maps, sorted keys */
	CHECK_STR(sprintf_(a, "%v", 1, seq), "[1 x <nil>]");
	CHECK_STR(sprintf_(a, "%v", 1, map), "map[a:1.5 b:2]");
	CHECK_STR(sprintf_(a, "%d", 1, rg_node_float(a, 3)), "%!d(float64=3)");
	CHECK_STR(sprintf_(a, "%s %s", 1, rg_node_str(a, "a")), "a %!s(MISSING)");
	CHECK_STR(sprintf_(a, "%d", 2, rg_node_int(a, 1), rg_node_str(a, "x")),
		  "1%!(EXTRA string=x)");
	CHECK_STR(sprintf_(a, "%", 0), "%!(NOVERB)");
	CHECK_STR(sprintf_(a, "%6.2f|%-6d|%06d", 3, rg_node_float(a, 3.14159),
			   rg_node_int(a, 42), rg_node_int(a, -42)),
		  "  3.14|42    |-00042");
	CHECK_STR(sprintf_(a, "%x %X %o %b %c %q %U", 7,
			   rg_node_int(a, 255), rg_node_int(a, 255),
			   rg_node_int(a, 8), rg_node_int(a, 5),
			   rg_node_int(a, 'A'), rg_node_int(a, 'A'),
			   rg_node_int(a, 0x1F600)),
		  "ff FF 10 101 A 'A' U+1F600");
	CHECK_STR(sprintf_(a, "%q", 1, rg_node_str(a, "a\"b\n")), "\"a\\\"b\\n\"");
	CHECK_STR(sprintf_(a, "%T %T", 2, rg_node_int(a, 1), seq),
		  "int []interface {}");
	CHECK_STR(sprintf_(a, "%[2]d %[1]d", 2, rg_node_int(a, 1),
			   rg_node_int(a, 2)),
		  "2 1");
	/* fmt docs: too few arguments is %!verb(MISSING), here verb '!' */
	CHECK_STR(sprintf_(a, "%!", 0), "%!!(MISSING)");
	rg_arena_free(a);
}

TEST(sprint_spacing)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *args[4] = { rg_node_int(a, 1), rg_node_int(a, 2),
				    rg_node_str(a, "a"), rg_node_int(a, 3) };
	struct rg_buf b = RG_BUF_INIT(1024);

	/* fmt.Sprint adds spaces between operands when neither is a string */
	CHECK_INT(rg_gofmt_sprint(&b, NULL, args, 4), 0);
	CHECK_STR(b.ptr, "1 2a3");
	rg_buf_reset(&b);
	CHECK_INT(rg_gofmt_sprintln(&b, NULL, args, 4), 0);
	CHECK_STR(b.ptr, "1 2 a 3\n");
	rg_buf_release(&b);
	rg_arena_free(a);
}

TEST(quote)
{
	struct rg_buf b = RG_BUF_INIT(1024);

	/* strconv.Quote */
	CHECK_INT(rg_gofmt_quote(&b, "\x01\t\xff\xc3\xa9\\", 6), 0);
	CHECK_STR(b.ptr, "\"\\x01\\t\\xff\xc3\xa9\\\\\"");
	rg_buf_release(&b);
}

TEST(output_cap)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *s = rg_node_str(a, "0123456789");
	struct rg_buf b = RG_BUF_INIT(5);

	CHECK_INT(rg_gofmt_value(&b, NULL, s), RG_ELIMIT);
	rg_buf_release(&b);
	rg_arena_free(a);
}
