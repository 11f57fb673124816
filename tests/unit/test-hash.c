#include "test.h"
#include "rendergate/hash.h"

static const char abc448[] =
	"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

TEST(sha1_vectors)
{
	char hex[RG_SHA1_HEX];

	rg_sha1_hex("", 0, hex);
	CHECK_STR(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	rg_sha1_hex("abc", 3, hex);
	CHECK_STR(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
	rg_sha1_hex(abc448, strlen(abc448), hex);
	CHECK_STR(hex, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

TEST(sha256_vectors)
{
	char hex[RG_SHA256_HEX];

	rg_sha256_hex("", 0, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	rg_sha256_hex("abc", 3, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	rg_sha256_hex(abc448, strlen(abc448), hex);
	CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* a million 'a' fed in uneven pieces exercises the block buffering */
TEST(million_a_streaming)
{
	static char chunk[1024];
	struct rg_sha1 c1;
	struct rg_sha256 c2;
	uint8_t md1[RG_SHA1_LEN], md2[RG_SHA256_LEN];
	char hex[RG_SHA256_HEX];
	size_t left = 1000000;

	memset(chunk, 'a', sizeof(chunk));
	rg_sha1_init(&c1);
	rg_sha256_init(&c2);
	for (size_t step = 1; left; step = step % 1000 + 7) {
		size_t n = step < left ? step : left;

		rg_sha1_update(&c1, chunk, n);
		rg_sha256_update(&c2, chunk, n);
		left -= n;
	}
	rg_sha1_final(&c1, md1);
	rg_sha256_final(&c2, md2);
	rg_hex(md1, sizeof(md1), hex);
	CHECK_STR(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	rg_hex(md2, sizeof(md2), hex);
	CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* lengths around the 55/56/64 padding boundaries, checked against python */
TEST(padding_boundaries)
{
	char data[130], hex[RG_SHA256_HEX];

	memset(data, 'x', sizeof(data));
	rg_sha1_hex(data, 55, hex);
	CHECK_STR(hex, "cef734ba81a024479e09eb5a75b6ddae62e6abf1");
	rg_sha1_hex(data, 56, hex);
	CHECK_STR(hex, "901305367c259952f4e7af8323f480d59f81335b");
	rg_sha1_hex(data, 64, hex);
	CHECK_STR(hex, "bb2fa3ee7afb9f54c6dfb5d021f14b1ffe40c163");
	rg_sha256_hex(data, 119, hex);
	CHECK_STR(hex, "000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c");
	rg_sha256_hex(data, 128, hex);
	CHECK_STR(hex, "24da1b81d0b16df6428eee73c69fcb2a93c76bc6df706f0c6670fe6bfe800464");
}

TEST(git_blob_id)
{
	char hex[RG_SHA1_HEX];

	rg_git_blob_id("hello\n", 6, hex);
	CHECK_STR(hex, "ce013625030ba8dba906f756967f9e9ca394464a");
	rg_git_blob_id("", 0, hex);
	CHECK_STR(hex, "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
}

TEST(adler32)
{
	static uint8_t big[100000];

	CHECK_INT(rg_adler32("", 0), 1);
	CHECK_INT(rg_adler32("Wikipedia", 9), 0x11E60398);
	memset(big, 0xff, sizeof(big));
	CHECK_INT(rg_adler32(big, sizeof(big)), 0x149a302c);
}

TEST(fnv1a)
{
	uint64_t h = rg_fnv1a(RG_FNV1A_SEED, "", 0);

	CHECK(h == 0xcbf29ce484222325ull);
	CHECK(rg_fnv1a(RG_FNV1A_SEED, "a", 1) == 0xaf63dc4c8601ec8cull);
	CHECK(rg_fnv1a(RG_FNV1A_SEED, "foobar", 6) == 0x85944171f73967e8ull);
	/* chaining equals hashing the concatenation */
	CHECK(rg_fnv1a(rg_fnv1a(RG_FNV1A_SEED, "foo", 3), "bar", 3) ==
	      0x85944171f73967e8ull);
}

TEST(hex)
{
	const uint8_t in[] = { 0x00, 0x0f, 0xa5, 0xff };
	char out[9];

	rg_hex(in, 4, out);
	CHECK_STR(out, "000fa5ff");
	rg_hex(in, 0, out);
	CHECK_STR(out, "");
}
