#include "test.h"
#include "rendergate/encoding.h"
#include "rendergate/buf.h"

/* Vectors from RFC 4648 section 10; error offsets checked with helm 3.10.1
 * (sprig b64dec/b32dec print them). */

static const char *b64(const char *s, bool url)
{
	static char r[256];
	struct rg_buf b = RG_BUF_INIT(256);

	rg_b64_encode(&b, s, strlen(s), url);
	snprintf(r, sizeof(r), "%s", b.ptr);
	rg_buf_release(&b);
	return r;
}

static const char *unb64(const char *s)
{
	static char r[256];
	struct rg_buf b = RG_BUF_INIT(256);
	size_t bad = 0;

	if (rg_b64_decode(&b, s, strlen(s), false, &bad))
		snprintf(r, sizeof(r), "illegal base64 data at input byte %zu", bad);
	else
		snprintf(r, sizeof(r), "%s", b.ptr);
	rg_buf_release(&b);
	return r;
}

static const char *b32(const char *s)
{
	static char r[256];
	struct rg_buf b = RG_BUF_INIT(256);

	rg_b32_encode(&b, s, strlen(s));
	snprintf(r, sizeof(r), "%s", b.ptr);
	rg_buf_release(&b);
	return r;
}

static const char *unb32(const char *s)
{
	static char r[256];
	struct rg_buf b = RG_BUF_INIT(256);
	size_t bad = 0;

	if (rg_b32_decode(&b, s, strlen(s), &bad))
		snprintf(r, sizeof(r), "illegal base32 data at input byte %zu", bad);
	else
		snprintf(r, sizeof(r), "%s", b.ptr);
	rg_buf_release(&b);
	return r;
}

TEST(base64_rfc4648)
{
	CHECK_STR(b64("", false), "");
	CHECK_STR(b64("f", false), "Zg==");
	CHECK_STR(b64("fo", false), "Zm8=");
	CHECK_STR(b64("foo", false), "Zm9v");
	CHECK_STR(b64("foob", false), "Zm9vYg==");
	CHECK_STR(b64("fooba", false), "Zm9vYmE=");
	CHECK_STR(b64("foobar", false), "Zm9vYmFy");
	CHECK_STR(b64("\xfb\xff", false), "+/8=");
	CHECK_STR(b64("\xfb\xff", true), "-_8=");
	CHECK_STR(unb64("Zm9vYmFy"), "foobar");
	CHECK_STR(unb64("Zm9vYg=="), "foob");
	CHECK_STR(unb64("Zm9v\r\nYmE="), "fooba");
	CHECK_STR(unb64(""), "");
}

TEST(base64_errors_like_go)
{
	CHECK_STR(unb64("Zm9vYg"), "illegal base64 data at input byte 4");
	CHECK_STR(unb64("Zm9v!"), "illegal base64 data at input byte 4");
	CHECK_STR(unb64("Zg="), "illegal base64 data at input byte 3");
	CHECK_STR(unb64("Zg==x"), "illegal base64 data at input byte 4");
	CHECK_STR(unb64("Z"), "illegal base64 data at input byte 0");
	CHECK_STR(unb64("=="), "illegal base64 data at input byte 0");
}

TEST(base32_rfc4648)
{
	CHECK_STR(b32(""), "");
	CHECK_STR(b32("f"), "MY======");
	CHECK_STR(b32("fo"), "MZXQ====");
	CHECK_STR(b32("foo"), "MZXW6===");
	CHECK_STR(b32("foob"), "MZXW6YQ=");
	CHECK_STR(b32("fooba"), "MZXW6YTB");
	CHECK_STR(b32("foobar"), "MZXW6YTBOI======");
	CHECK_STR(unb32("MZXW6YTBOI======"), "foobar");
	CHECK_STR(unb32("MZXW6YQ="), "foob");
	CHECK_STR(unb32("MY======"), "f");
	CHECK_STR(unb32("MY=====!"), "illegal base32 data at input byte 6");
	CHECK_STR(unb32("M!"), "illegal base32 data at input byte 1");
}
