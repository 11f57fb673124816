/*
 * test-tgz.c - the archive reader (tgz.h) on archives built here: good
 * ones in the three header formats, and hostile ones (traversal, links,
 * devices, bombs, truncation, bad checksums, huge headers).
 */
#include "rendergate/compat.h"

#include <zlib.h>

#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/helm.h"
#include "rendergate/tgz.h"
#include "test.h"

/* --- building archives ------------------------------------------------ */

struct tarb {
	unsigned char *p;
	size_t len, alloc;
};

static void tb_raw(struct tarb *t, const void *d, size_t n)
{
	RG_ALLOC_GROW(t->p, t->len + n, t->alloc);
	memcpy(t->p + t->len, d, n);
	t->len += n;
}

static void tb_pad(struct tarb *t)
{
	static const unsigned char z[512];

	if (t->len % 512)
		tb_raw(t, z, 512 - t->len % 512);
}

static void set_checksum(unsigned char *h)
{
	unsigned sum = 0;

	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
}

/* A ustar header; prefix may be NULL. size is what the header says. */
static void tb_header(struct tarb *t, const char *name, const char *prefix,
		      char type, unsigned long long size)
{
	unsigned char h[512];

	memset(h, 0, sizeof(h));
	memcpy(h, name, strlen(name) < 100 ? strlen(name) : 100);
	memcpy(h + 100, "0000644", 7);
	memcpy(h + 108, "0000000", 7);
	memcpy(h + 116, "0000000", 7);
	snprintf((char *)h + 124, 12, "%011llo", size);
	memcpy(h + 136, "00000000000", 11);
	h[156] = (unsigned char)type;
	memcpy(h + 257, "ustar\0" "00", 8);
	if (prefix)
		memcpy(h + 345, prefix, strlen(prefix));
	set_checksum(h);
	tb_raw(t, h, 512);
}

static void tb_file(struct tarb *t, const char *name, const char *data)
{
	tb_header(t, name, NULL, '0', strlen(data));
	tb_raw(t, data, strlen(data));
	tb_pad(t);
}

static void tb_end(struct tarb *t)
{
	static const unsigned char z[1024];

	tb_raw(t, z, sizeof(z));
}

/* gzip the tar (one member); returns heap bytes. */
static unsigned char *gz(const unsigned char *d, size_t n, size_t *out)
{
	z_stream zs;
	size_t cap = n + n / 100 + 1024;
	unsigned char *o = rg_xmalloc(cap);

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	zs.next_in = (unsigned char *)(uintptr_t)d;
	zs.avail_in = (uInt)n;
	zs.next_out = o;
	zs.avail_out = (uInt)cap;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		abort();
	*out = zs.total_out;
	deflateEnd(&zs);
	return o;
}

static int read_tar(struct rg_tgz *res, struct rg_arena *a, struct tarb *t,
		    struct rg_err *err)
{
	size_t n = 0;
	unsigned char *z = gz(t->p, t->len, &n);
	int rc = rg_tgz_read(res, a, "x.tgz", z, n, NULL, err);

	free(z);
	free(t->p);
	memset(t, 0, sizeof(*t));
	return rc;
}

/* --- good archives ---------------------------------------------------- */

TEST(tgz_ustar_strips_top_dir_sorted)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct tarb t = { 0 };
	struct rg_tgz res;

	tb_header(&t, "app/", NULL, '5', 0);
	tb_file(&t, "app/values.yaml", "\xef\xbb\xbfx: 1\n");
	tb_file(&t, "app/Chart.yaml", "name: app\n");
	tb_file(&t, "app//templates/./a.yaml", "kind: A\n");
	tb_header(&t, "b.yaml", "app/templates", '0', 3);
	tb_raw(&t, "b:1", 3);
	tb_pad(&t);
	tb_end(&t);
	CHECK_INT(read_tar(&res, a, &t, &err), 0);
	CHECK_STR(res.top, "app");
	CHECK_INT(res.len, 4);
	CHECK_STR(res.items[0].name, "Chart.yaml");
	CHECK_STR(res.items[1].name, "templates/a.yaml");
	CHECK_STR(res.items[2].name, "templates/b.yaml");
	CHECK_STR(res.items[2].data, "b:1");
	CHECK_STR(res.items[3].name, "values.yaml");
	CHECK_STR(res.items[3].data, "x: 1\n"); /* BOM stripped */
	rg_arena_free(a);
}

TEST(tgz_pax_and_gnu_long_names)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct tarb t = { 0 };
	struct rg_tgz res;
	char longname[300], rec[400];
	int n;

	memset(longname, 'n', sizeof(longname));
	memcpy(longname, "app/", 4);
	longname[299] = '\0';
	/* pax: path and size override the ustar fields */
	/* "LEN path=NAME\n" with a 3-digit LEN */
	n = snprintf(rec, sizeof(rec), "%d path=%s\n", (int)strlen(longname) + 10,
		     longname);
	tb_header(&t, "PaxHeaders/x", NULL, 'x', (unsigned)n);
	tb_raw(&t, rec, (size_t)n);
	tb_pad(&t);
	tb_header(&t, "short", NULL, '0', 2);
	tb_raw(&t, "ok", 2);
	tb_pad(&t);
	/* GNU 'L': the next entry's name */
	tb_header(&t, "././@LongLink", NULL, 'L', 17);
	tb_raw(&t, "app/gnu/long.txt", 17);
	tb_pad(&t);
	tb_file(&t, "truncated-name", "gnu");
	/* a pax global header is skipped */
	tb_header(&t, "global", NULL, 'g', 0);
	tb_end(&t);
	CHECK_INT(read_tar(&res, a, &t, &err), 0);
	CHECK_INT(res.len, 2);
	CHECK_STR(res.items[0].name, "gnu/long.txt");
	CHECK_STR(res.items[0].data, "gnu");
	CHECK_INT(strlen(res.items[1].name), 295);
	CHECK_STR(res.items[1].data, "ok");
	rg_arena_free(a);
}

TEST(tgz_stream_without_end_blocks_and_two_members)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct tarb t1 = { 0 }, t2 = { 0 };
	struct rg_tgz res;
	size_t n1 = 0, n2 = 0;
	unsigned char *z1, *z2, *both;

	/* Go's reader accepts a stream that ends at a block boundary, and
	   a gzip file made of several members */
	tb_file(&t1, "c/a", "1");
	tb_file(&t2, "c/b", "2");
	z1 = gz(t1.p, t1.len, &n1);
	z2 = gz(t2.p, t2.len, &n2);
	both = rg_xmalloc(n1 + n2);
	memcpy(both, z1, n1);
	memcpy(both + n1, z2, n2);
	CHECK_INT(rg_tgz_read(&res, a, "x.tgz", both, n1 + n2, NULL, &err), 0);
	CHECK_INT(res.len, 2);
	CHECK_STR(res.items[1].data, "2");
	free(z1);
	free(z2);
	free(both);
	free(t1.p);
	free(t2.p);
	rg_arena_free(a);
}

/* --- hostile archives ------------------------------------------------- */

static void expect_fail(int *rg_failed_, struct tarb *t, int code,
			const char *needle)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_tgz res;
	int rc = read_tar(&res, a, t, &err);

	rg_arena_free(a);
	if (rc != code)
		FAILF("code %d (%s), want %d", rc, err.msg, code);
	if (!strstr(err.msg, needle))
		FAILF("message \"%s\" lacks \"%s\"", err.msg, needle);
}

TEST(tgz_refuses_traversal)
{
	struct tarb t = { 0 };

	tb_file(&t, "app/Chart.yaml", "name: a\n");
	tb_file(&t, "app/../../etc/passwd", "x");
	tb_end(&t);
	expect_fail(rg_failed_, &t, RG_EUNSAFE,
		    "x.tgz: chart illegally references parent directory: "
		    "entry app/../../etc/passwd");
	tb_file(&t, "app/templates/..", "x");
	expect_fail(rg_failed_, &t, RG_EUNSAFE, "parent directory");
	tb_file(&t, "app\\..\\x", "x");
	expect_fail(rg_failed_, &t, RG_EUNSAFE, "parent directory");
}

TEST(tgz_refuses_absolute_and_top_level)
{
	struct tarb t = { 0 };

	tb_file(&t, "/etc/passwd", "x");
	expect_fail(rg_failed_, &t, RG_EUNSAFE,
		    "chart illegally contains absolute paths: entry /etc/passwd");
	tb_file(&t, "Chart.yaml", "x");
	expect_fail(rg_failed_, &t, RG_EUNSAFE, "chart yaml not in base");
	tb_file(&t, "README", "x");
	expect_fail(rg_failed_, &t, RG_EUNSAFE, "outside the base directory");
	tb_file(&t, "c:/x", "x");
	expect_fail(rg_failed_, &t, RG_EUNSAFE, "illegally named");
	tb_file(&t, "app/a\tb", "x");
	expect_fail(rg_failed_, &t, RG_EUNSAFE, "control character");
}

TEST(tgz_refuses_links_and_devices)
{
	static const char types[] = "12346S";
	static const char *const words[] = {
		"is a hard link",	 "is a symbolic link", "character device",
		"is a block device", "is a FIFO",	  "sparse file",
	};

	for (size_t i = 0; i < strlen(types); i++) {
		struct tarb t = { 0 };

		tb_file(&t, "app/Chart.yaml", "name: a\n");
		tb_header(&t, "app/templates/evil", NULL, types[i], 0);
		tb_end(&t);
		expect_fail(rg_failed_, &t, RG_EUNSAFE, words[i]);
		if (*rg_failed_)
			return;
	}
}

TEST(tgz_refuses_duplicates_and_empty)
{
	struct tarb t = { 0 };

	tb_file(&t, "app/a", "1");
	tb_file(&t, "app/a", "2");
	expect_fail(rg_failed_, &t, RG_EUNSAFE, "entry a appears twice");
	tb_header(&t, "app/", NULL, '5', 0);
	tb_end(&t);
	expect_fail(rg_failed_, &t, RG_EINVALID, "no files in chart archive");
}

TEST(tgz_bad_checksum_and_size)
{
	struct tarb t = { 0 };

	tb_file(&t, "app/a", "1");
	t.p[0] ^= 1; /* name changed after the checksum */
	expect_fail(rg_failed_, &t, RG_EPARSE, "checksum mismatch at byte 0");
	tb_file(&t, "app/a", "1");
	memcpy(t.p + 124, "99999999999", 11); /* not octal */
	set_checksum(t.p);
	expect_fail(rg_failed_, &t, RG_EPARSE, "invalid size field");
}

TEST(tgz_truncated)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct tarb t = { 0 };
	struct rg_tgz res;
	size_t n = 0;
	unsigned char *z;

	/* an entry announcing more bytes than the stream holds */
	tb_header(&t, "app/a", NULL, '0', 100000);
	tb_raw(&t, "short", 5);
	tb_pad(&t);
	expect_fail(rg_failed_, &t, RG_EPARSE, "archive ends inside an entry");
	/* half a header */
	tb_file(&t, "app/a", "1");
	tb_file(&t, "app/b", "2");
	t.len = 1024 + 100;
	expect_fail(rg_failed_, &t, RG_EPARSE, "truncated header");
	/* a gzip stream cut short */
	tb_file(&t, "app/a", "some content to compress");
	tb_end(&t);
	z = gz(t.p, t.len, &n);
	CHECK_INT(rg_tgz_read(&res, a, "x.tgz", z, n / 2, NULL, &err),
		  RG_EPARSE);
	CHECK(strstr(err.msg, "gzip: unexpected end of data"));
	/* not gzip at all */
	CHECK_INT(rg_tgz_read(&res, a, "x.tgz", t.p, t.len, NULL, &err),
		  RG_EPARSE);
	CHECK(strstr(err.msg, "not a gzip archive"));
	/* trailing garbage after the member */
	{
		unsigned char *g = rg_xmalloc(n + 4);

		memcpy(g, z, n);
		memcpy(g + n, "junk", 4);
		CHECK_INT(rg_tgz_read(&res, a, "x.tgz", g, n + 4, NULL, &err),
			  RG_EPARSE);
		CHECK(strstr(err.msg, "gzip: invalid header"));
		free(g);
	}
	free(z);
	free(t.p);
	rg_arena_free(a);
}

TEST(tgz_bombs)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct tarb t = { 0 };
	struct rg_tgz res;
	size_t n = 0, budget = 4096;
	unsigned char *z;
	size_t big = 8u * 1024 * 1024;

	/* 8 MiB of zeros in one entry: the ratio check stops it */
	tb_header(&t, "app/zeros", NULL, '0', big);
	RG_ALLOC_GROW(t.p, t.len + big, t.alloc);
	memset(t.p + t.len, 0, big);
	t.len += big;
	tb_end(&t);
	z = gz(t.p, t.len, &n);
	CHECK(n < big / RG_CAP_TGZ_RATIO);
	CHECK_INT(rg_tgz_read(&res, a, "x.tgz", z, n, NULL, &err), RG_ELIMIT);
	CHECK(strstr(err.msg, "RG_CAP_TGZ_RATIO"));
	/* a budget shared with other archives of the same load */
	CHECK_INT(rg_tgz_read(&res, a, "x.tgz", z, n, &budget, &err),
		  RG_ELIMIT);
	CHECK(strstr(err.msg, "RG_CAP_TGZ_BYTES"));
	free(z);
	free(t.p);
	rg_arena_free(a);
}

TEST(tgz_huge_headers_and_names)
{
	struct tarb t = { 0 };
	char *big = rg_xmalloc(RG_CAP_TGZ_HEADER_BYTES + 2);

	memset(big, 'a', RG_CAP_TGZ_HEADER_BYTES + 1);
	big[RG_CAP_TGZ_HEADER_BYTES + 1] = '\0';
	tb_header(&t, "././@LongLink", NULL, 'L',
		  RG_CAP_TGZ_HEADER_BYTES + 1);
	tb_raw(&t, big, RG_CAP_TGZ_HEADER_BYTES + 1);
	tb_pad(&t);
	tb_file(&t, "x", "1");
	expect_fail(rg_failed_, &t, RG_ELIMIT, "RG_CAP_TGZ_HEADER_BYTES");
	/* a pax record whose length runs past the header */
	tb_header(&t, "pax", NULL, 'x', 12);
	tb_raw(&t, "99 path=abc\n", 12);
	tb_pad(&t);
	tb_file(&t, "app/x", "1");
	expect_fail(rg_failed_, &t, RG_EPARSE, "malformed pax");
	/* a name longer than RG_CAP_TGZ_PATH_BYTES through pax */
	{
		size_t nl = RG_CAP_TGZ_PATH_BYTES + 10;
		char *rec = rg_xmalloc(nl + 32);
		int hl;

		memset(rec, 0, nl + 32);
		/* "LEN path=VALUE\n" with a 4-digit LEN */
		hl = snprintf(rec, 32, "%zu path=", nl + 11);
		memset(rec + hl, 'p', nl);
		rec[hl + nl] = '\n';
		tb_header(&t, "pax", NULL, 'x', (size_t)hl + nl + 1);
		tb_raw(&t, rec, (size_t)hl + nl + 1);
		tb_pad(&t);
		tb_file(&t, "app/x", "1");
		expect_fail(rg_failed_, &t, RG_ELIMIT,
			    "RG_CAP_TGZ_PATH_BYTES");
		free(rec);
	}
	free(big);
}

TEST(tgz_too_many_entries)
{
	struct tarb t = { 0 };

	for (unsigned i = 0; i <= RG_CAP_TGZ_ENTRIES; i++) {
		char name[32];

		snprintf(name, sizeof(name), "app/f%u", i);
		tb_header(&t, name, NULL, '0', 0);
	}
	expect_fail(rg_failed_, &t, RG_ELIMIT, "RG_CAP_TGZ_ENTRIES");
}

/* An entry of size zero bytes (no end blocks). */
static void tb_zeros(struct tarb *t, const char *name, size_t size)
{
	tb_header(t, name, NULL, '0', size);
	RG_ALLOC_GROW(t->p, t->len + size, t->alloc);
	memset(t->p + t->len, 0, size);
	t->len += size;
}

/* An entry of size bytes: pseudo-random for the first 256 KiB, so the
 * archive stays below RG_CAP_TGZ_RATIO, then zeros. */
static void tb_big_file(struct tarb *t, const char *name, size_t size)
{
	uint32_t x = 2463534242u;
	size_t at = t->len + 512; /* after the header */

	tb_zeros(t, name, size);
	for (size_t i = 0; i < size && i < 256u * 1024; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		t->p[at + i] = (unsigned char)x;
	}
	tb_pad(t);
}

TEST(tgz_entry_bytes)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct tarb t = { 0 };
	struct rg_tgz res;

	/* one byte over: refused by its header, before it is copied */
	tb_file(&t, "app/Chart.yaml", "name: app\n");
	tb_big_file(&t, "app/big", RG_CAP_TGZ_ENTRY_BYTES + 1);
	tb_end(&t);
	expect_fail(rg_failed_, &t, RG_ELIMIT, "RG_CAP_TGZ_ENTRY_BYTES");
	/* at the cap: read */
	tb_file(&t, "app/Chart.yaml", "name: app\n");
	tb_big_file(&t, "app/big", RG_CAP_TGZ_ENTRY_BYTES);
	tb_end(&t);
	CHECK_INT(read_tar(&res, a, &t, &err), 0);
	CHECK_INT(res.len, 2);
	CHECK_STR(res.items[1].name, "big");
	CHECK_INT(res.items[1].len, RG_CAP_TGZ_ENTRY_BYTES);
	rg_arena_free(a);
}

TEST(tgz_ratio_floor)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct tarb t = { 0 };
	struct rg_tgz res;
	size_t n = 0;
	unsigned char *z;
	size_t below = RG_CAP_TGZ_RATIO_FLOOR - 64 * 1024;

	/* zeros expand about 1000 times: fine while the output stays below
	 * RG_CAP_TGZ_RATIO_FLOOR ... */
	tb_zeros(&t, "app/zeros", below);
	tb_end(&t);
	z = gz(t.p, t.len, &n);
	CHECK(n * RG_CAP_TGZ_RATIO < t.len);
	free(z);
	CHECK_INT(read_tar(&res, a, &t, &err), 0);
	/* ... and refused once it passes it */
	tb_zeros(&t, "app/zeros", RG_CAP_TGZ_RATIO_FLOOR + 64 * 1024);
	tb_end(&t);
	expect_fail(rg_failed_, &t, RG_ELIMIT, "RG_CAP_TGZ_RATIO");
	rg_arena_free(a);
}

/* --- through the chart loader ------------------------------------------ */

TEST(tgz_helm_load_archive)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct tarb t = { 0 };
	struct rg_helm_chart *c = NULL;
	size_t n = 0;
	unsigned char *z;

	tb_file(&t, "web/Chart.yaml", "apiVersion: v2\nname: web\nversion: 1.0.0\n");
	tb_file(&t, "web/templates/a.yaml", "kind: A\n");
	tb_file(&t, "web/.helmignore", "templates/\n"); /* not applied */
	tb_end(&t);
	z = gz(t.p, t.len, &n);
	CHECK_INT(rg_helm_load_archive(&c, "web.tgz", (const char *)z, n, a,
				       &err),
		  0);
	CHECK_STR(c->name, "web");
	CHECK_INT(c->ntemplates, 1);
	CHECK_STR(c->templates[0].name, "templates/a.yaml");
	free(z);
	free(t.p);
	rg_arena_free(a);
}

/* A chart "c" whose charts/ holds the previous level (or nothing). */
static unsigned char *nested(unsigned levels, size_t *n)
{
	unsigned char *z = NULL;

	*n = 0;
	for (unsigned l = 0; l < levels; l++) {
		struct tarb t = { 0 };
		unsigned char *next;

		tb_file(&t, "c/Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n");
		if (z) {
			tb_header(&t, "c/charts/c.tgz", NULL, '0', *n);
			tb_raw(&t, z, *n);
			tb_pad(&t);
		}
		tb_end(&t);
		next = gz(t.p, t.len, n);
		free(t.p);
		free(z);
		z = next;
	}
	return z;
}

TEST(tgz_nesting_cap)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_helm_chart *c = NULL;
	size_t n = 0;
	unsigned char *z = nested(RG_CAP_TGZ_NESTING, &n);

	CHECK_INT(rg_helm_load_archive(&c, "c.tgz", (const char *)z, n, a,
				       &err),
		  0);
	CHECK_INT(c->ncharts, 1);
	free(z);
	z = nested(RG_CAP_TGZ_NESTING + 1, &n);
	CHECK_INT(rg_helm_load_archive(&c, "c.tgz", (const char *)z, n, a,
				       &err),
		  RG_ELIMIT);
	CHECK(strstr(err.msg, "RG_CAP_TGZ_NESTING"));
	free(z);
	rg_arena_free(a);
}
