#include "test.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/err.h"

TEST(arena_alloc_zeroed_and_aligned)
{
	struct rg_arena *a = rg_arena_new();
	char *p = rg_arena_alloc(a, 13);
	double *d = rg_arena_alloc(a, sizeof(double));

	CHECK(p != NULL);
	for (int i = 0; i < 13; i++)
		CHECK_INT(p[i], 0);
	CHECK_INT((uintptr_t)d % _Alignof(max_align_t), 0);
	*d = 1.5;
	rg_arena_free(a);
}

TEST(arena_big_blocks_and_strings)
{
	struct rg_arena *a = rg_arena_new();
	char *big = rg_arena_alloc(a, 10 * 1024 * 1024);
	char *s = rg_arena_strndup(a, "ab\0cd", 5);

	big[10 * 1024 * 1024 - 1] = 'x';
	CHECK_MEM(s, 5, "ab\0cd", 5);
	CHECK_INT(s[5], 0);
	CHECK_STR(rg_arena_printf(a, "%s-%d", "x", 42), "x-42");
	CHECK(rg_arena_used(a) >= 10 * 1024 * 1024);
	for (int i = 0; i < 100000; i++)
		rg_arena_alloc(a, 100);
	rg_arena_free(a);
	rg_arena_free(NULL);
}

TEST(arena_reset_reuses_zeroed)
{
	struct rg_arena *a = rg_arena_new();

	for (int round = 0; round < 3; round++) {
		/* small ones over several chunks, then a big block */
		for (int i = 0; i < 5000; i++) {
			unsigned char *p = rg_arena_alloc(a, 200);

			for (int k = 0; k < 200; k++)
				if (p[k])
					FAILF("round %d: byte %d of allocation "
					      "%d not zero", round, k, i);
			memset(p, 0xa5, 200);
		}
		memset(rg_arena_alloc(a, 3 << 20), 0x5a, 3 << 20);
		CHECK(rg_arena_used(a) >= (3 << 20) + 5000 * 200);
		rg_arena_reset(a);
		CHECK_INT(rg_arena_used(a), 0);
	}
	rg_arena_free(a);
}

/*
 * Chunks freed by one arena go back to the pool and come out zeroed for
 * the next arena, whatever the last one wrote in them.
 */
TEST(arena_pool_chunks_come_back_zeroed)
{
	for (int round = 0; round < 4; round++) {
		struct rg_arena *a = rg_arena_new();
		size_t n = 0;

		/* past several chunk sizes, and a block over CHUNK_MAX */
		while (rg_arena_used(a) < (size_t)(9 << 20)) {
			size_t sz = 100 + (n * 7919) % 40000;
			unsigned char *p = rg_arena_alloc(a, sz);

			for (size_t k = 0; k < sz; k++)
				if (p[k])
					FAILF("round %d: byte %zu of "
					      "allocation %zu not zero",
					      round, k, n);
			memset(p, 0xc3, sz);
			n++;
		}
		memset(rg_arena_alloc(a, 5 << 20), 0x3c, 5 << 20);
		rg_arena_free(a);
	}
}

/*
 * Large buffers live in the pool; growing, resetting and detaching them
 * keeps their bytes, and a detached one is plain malloc memory.
 */
TEST(buf_large_pool_blocks)
{
	struct rg_buf b = RG_BUF_INIT(64u << 20);
	size_t len = 0;
	char *p;

	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < (6u << 20); i++)
			CHECK_INT(rg_buf_addch(&b, (char)('a' + i % 26)), 0);
		CHECK_INT(b.len, 6u << 20);
		CHECK_INT(b.ptr[b.len], 0);
		for (size_t i = 0; i < b.len; i += 4093)
			if (b.ptr[i] != (char)('a' + i % 26))
				FAILF("round %d: byte %zu is %c", round, i,
				      b.ptr[i]);
		rg_buf_reset(&b);
	}
	CHECK_INT(rg_buf_addchn(&b, 'z', 300000), 0);
	p = rg_buf_detach(&b, &len);
	CHECK_INT(len, 300000);
	CHECK(!rg_pool_owns(p));
	CHECK_INT(p[0], 'z');
	CHECK_INT(p[len - 1], 'z');
	CHECK_INT(p[len], 0);
	free(p);
	CHECK_INT(rg_buf_addchn(&b, 'y', 200000), 0);
	rg_buf_release(&b);
	CHECK_STR(b.ptr, "");
}

TEST(buf_cap_is_enforced)
{
	struct rg_buf b = RG_BUF_INIT(8);

	CHECK_STR(b.ptr, "");
	CHECK_INT(rg_buf_adds(&b, "12345"), 0);
	CHECK_INT(rg_buf_adds(&b, "6789"), RG_ELIMIT);
	CHECK_STR(b.ptr, "12345");
	CHECK_INT(rg_buf_addf(&b, "%d", 678), 0);
	CHECK_STR(b.ptr, "12345678");
	CHECK_INT(rg_buf_addch(&b, 'x'), RG_ELIMIT);
	CHECK_INT(b.len, 8);
	rg_buf_truncate(&b, 2);
	CHECK_STR(b.ptr, "12");
	rg_buf_release(&b);
	CHECK_INT(b.len, 0);
}

TEST(buf_detach_and_binary)
{
	struct rg_buf b = RG_BUF_INIT(1024);
	size_t len = 0;
	char *p;

	CHECK_INT(rg_buf_add(&b, "a\0b", 3), 0);
	CHECK_INT(rg_buf_addchn(&b, '-', 3), 0);
	p = rg_buf_detach(&b, &len);
	CHECK_MEM(p, len, "a\0b---", 6);
	free(p);
	CHECK_STR(b.ptr, "");
	p = rg_buf_detach(&b, &len);
	CHECK_INT(len, 0);
	free(p);
}

TEST(err_format_with_origin)
{
	struct rg_err err = RG_ERR_INIT;
	struct rg_pos pos = { "envs/prod/values.yaml", 12, 4 };
	char out[256];

	CHECK_INT(rg_err_set(&err, RG_EPARSE, &pos, "bad %s\nthing", "x"),
		  RG_EPARSE);
	rg_err_format(&err, out, sizeof(out));
	CHECK_STR(out, "envs/prod/values.yaml:12:4: bad x thing");
	rg_err_prefix(&err, "environment %s", "prod");
	rg_err_format(&err, out, sizeof(out));
	CHECK_STR(out, "envs/prod/values.yaml:12:4: environment prod: bad x thing");
	rg_err_set(&err, RG_ELIMIT, NULL, "too big");
	rg_err_format(&err, out, sizeof(out));
	CHECK_STR(out, "too big");
	CHECK_STR(rg_err_codename(RG_ELIMIT), "limit exceeded");
	CHECK_INT(rg_err_set(NULL, RG_EIO, NULL, "x"), RG_EIO);
}

TEST(errlist_collects_and_caps)
{
	struct rg_errlist l = RG_ERRLIST_INIT;
	struct rg_pos pos = { "a.yaml", 3, 0 };
	char out[128];

	l.max = 2;
	rg_errlist_addf(&l, RG_EINVALID, &pos, "unknown key %s", "foo");
	rg_errlist_addf(&l, RG_EINVALID, NULL, "second");
	rg_errlist_addf(&l, RG_EINVALID, NULL, "third");
	CHECK_INT(l.len, 2);
	CHECK_INT(l.dropped, 1);
	rg_err_format(&l.items[0], out, sizeof(out));
	CHECK_STR(out, "a.yaml:3: unknown key foo");
	rg_errlist_release(&l);
	CHECK_INT(l.len, 0);
}
