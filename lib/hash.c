#include "rendergate/compat.h"
#include "rendergate/hash.h"

/*
 * SHA-1 (FIPS 180-4) and SHA-256, written from the specification. Both
 * share the 64-byte block buffering; only the compression differs.
 */

static uint32_t rol32(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32 - n));
}

static uint32_t ror32(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void store_be64(uint8_t *p, uint64_t v)
{
	store_be32(p, (uint32_t)(v >> 32));
	store_be32(p + 4, (uint32_t)v);
}

static void sha1_block(uint32_t h[5], const uint8_t *blk)
{
	uint32_t w[80];
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];

	for (int i = 0; i < 16; i++)
		w[i] = load_be32(blk + 4 * i);
	for (int i = 16; i < 80; i++)
		w[i] = rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	for (int i = 0; i < 80; i++) {
		uint32_t f, k, t;

		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		t = rol32(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = rol32(b, 30);
		b = a;
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

static const uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static void sha256_block(uint32_t h[8], const uint8_t *blk)
{
	uint32_t w[64];
	uint32_t s[8];

	for (int i = 0; i < 16; i++)
		w[i] = load_be32(blk + 4 * i);
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^
			      (w[i - 15] >> 3);
		uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^
			      (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	memcpy(s, h, sizeof(s));
	for (int i = 0; i < 64; i++) {
		uint32_t S1 =
		    ror32(s[4], 6) ^ ror32(s[4], 11) ^ ror32(s[4], 25);
		uint32_t ch = (s[4] & s[5]) ^ (~s[4] & s[6]);
		uint32_t t1 = s[7] + S1 + ch + sha256_k[i] + w[i];
		uint32_t S0 =
		    ror32(s[0], 2) ^ ror32(s[0], 13) ^ ror32(s[0], 22);
		uint32_t maj = (s[0] & s[1]) ^ (s[0] & s[2]) ^ (s[1] & s[2]);
		uint32_t t2 = S0 + maj;

		s[7] = s[6];
		s[6] = s[5];
		s[5] = s[4];
		s[4] = s[3] + t1;
		s[3] = s[2];
		s[2] = s[1];
		s[1] = s[0];
		s[0] = t1 + t2;
	}
	for (int i = 0; i < 8; i++)
		h[i] += s[i];
}

/*
 * The Merkle-Damgard buffering both hashes share: feed whole blocks to
 * `block`, keep the tail in buf.
 */
static void md_update(uint32_t *h, uint8_t *buf, size_t *nbuf, uint64_t *len,
		      const void *data, size_t n,
		      void (*block)(uint32_t *, const uint8_t *))
{
	const uint8_t *p = data;

	*len += n;
	if (*nbuf) {
		size_t take = 64 - *nbuf < n ? 64 - *nbuf : n;

		memcpy(buf + *nbuf, p, take);
		*nbuf += take;
		p += take;
		n -= take;
		if (*nbuf < 64)
			return;
		block(h, buf);
		*nbuf = 0;
	}
	while (n >= 64) {
		block(h, p);
		p += 64;
		n -= 64;
	}
	if (n) {
		memcpy(buf, p, n);
		*nbuf = n;
	}
}

static void md_final(uint32_t *h, uint8_t *buf, size_t nbuf, uint64_t len,
		     void (*block)(uint32_t *, const uint8_t *))
{
	buf[nbuf++] = 0x80;
	if (nbuf > 56) {
		memset(buf + nbuf, 0, 64 - nbuf);
		block(h, buf);
		nbuf = 0;
	}
	memset(buf + nbuf, 0, 56 - nbuf);
	store_be64(buf + 56, len * 8);
	block(h, buf);
}

void rg_sha1_init(struct rg_sha1 *c)
{
	static const uint32_t iv[5] = {0x67452301, 0xefcdab89, 0x98badcfe,
				       0x10325476, 0xc3d2e1f0};

	memcpy(c->h, iv, sizeof(iv));
	c->len = 0;
	c->nbuf = 0;
}

void rg_sha1_update(struct rg_sha1 *c, const void *data, size_t n)
{
	md_update(c->h, c->buf, &c->nbuf, &c->len, data, n, sha1_block);
}

void rg_sha1_final(struct rg_sha1 *c, uint8_t out[RG_SHA1_LEN])
{
	md_final(c->h, c->buf, c->nbuf, c->len, sha1_block);
	for (int i = 0; i < 5; i++)
		store_be32(out + 4 * i, c->h[i]);
}

void rg_sha256_init(struct rg_sha256 *c)
{
	static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372,
				       0xa54ff53a, 0x510e527f, 0x9b05688c,
				       0x1f83d9ab, 0x5be0cd19};

	memcpy(c->h, iv, sizeof(iv));
	c->len = 0;
	c->nbuf = 0;
}

void rg_sha256_update(struct rg_sha256 *c, const void *data, size_t n)
{
	md_update(c->h, c->buf, &c->nbuf, &c->len, data, n, sha256_block);
}

void rg_sha256_final(struct rg_sha256 *c, uint8_t out[RG_SHA256_LEN])
{
	md_final(c->h, c->buf, c->nbuf, c->len, sha256_block);
	for (int i = 0; i < 8; i++)
		store_be32(out + 4 * i, c->h[i]);
}

void rg_hex(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

void rg_sha1_hex(const void *data, size_t n, char out[RG_SHA1_HEX])
{
	struct rg_sha1 c;
	uint8_t md[RG_SHA1_LEN];

	rg_sha1_init(&c);
	rg_sha1_update(&c, data, n);
	rg_sha1_final(&c, md);
	rg_hex(md, sizeof(md), out);
}

void rg_sha256_hex(const void *data, size_t n, char out[RG_SHA256_HEX])
{
	struct rg_sha256 c;
	uint8_t md[RG_SHA256_LEN];

	rg_sha256_init(&c);
	rg_sha256_update(&c, data, n);
	rg_sha256_final(&c, md);
	rg_hex(md, sizeof(md), out);
}

void rg_git_blob_id(const void *data, size_t n, char out[RG_SHA1_HEX])
{
	struct rg_sha1 c;
	uint8_t md[RG_SHA1_LEN];
	char hdr[32];
	int hl = snprintf(hdr, sizeof(hdr), "blob %zu", n);

	rg_sha1_init(&c);
	/* the header includes its terminating NUL */
	rg_sha1_update(&c, hdr, (size_t)hl + 1);
	rg_sha1_update(&c, data, n);
	rg_sha1_final(&c, md);
	rg_hex(md, sizeof(md), out);
}

uint32_t rg_adler32(const void *data, size_t n)
{
	/* 5552 is the longest run before the sums can pass 2^32 (zlib's NMAX)
	 */
	const uint8_t *p = data;
	uint32_t a = 1, b = 0;

	while (n) {
		size_t run = n < 5552 ? n : 5552;

		n -= run;
		while (run--) {
			a += *p++;
			b += a;
		}
		a %= 65521;
		b %= 65521;
	}
	return b << 16 | a;
}

uint64_t rg_fnv1a(uint64_t h, const void *data, size_t n)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}
