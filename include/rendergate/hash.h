/*
 * hash.h - hashes rendergate needs: SHA-1 (git object ids, sha1sum),
 * SHA-256 (kustomize name hashes, sha256sum, cache keys), Adler-32
 * (adler32sum), and FNV-1a (hash tables; not for anything persistent).
 *
 * Streaming contexts are plain structs: _init, _update any number of
 * times, _final. One-shot helpers write lowercase hex.
 */
#ifndef RENDERGATE_HASH_H
#define RENDERGATE_HASH_H

#include "rendergate/compat.h"

#define RG_SHA1_LEN 20
#define RG_SHA256_LEN 32
#define RG_SHA1_HEX (RG_SHA1_LEN * 2 + 1)
#define RG_SHA256_HEX (RG_SHA256_LEN * 2 + 1)

struct rg_sha1 {
	uint32_t h[5];
	uint64_t len;
	uint8_t buf[64];
	size_t nbuf;
};

struct rg_sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
	size_t nbuf;
};

void rg_sha1_init(struct rg_sha1 *c);
void rg_sha1_update(struct rg_sha1 *c, const void *data, size_t n);
void rg_sha1_final(struct rg_sha1 *c, uint8_t out[RG_SHA1_LEN]);

void rg_sha256_init(struct rg_sha256 *c);
void rg_sha256_update(struct rg_sha256 *c, const void *data, size_t n);
void rg_sha256_final(struct rg_sha256 *c, uint8_t out[RG_SHA256_LEN]);

/* One-shot digests as lowercase hex, NUL-terminated. */
void rg_sha1_hex(const void *data, size_t n, char out[RG_SHA1_HEX]);
void rg_sha256_hex(const void *data, size_t n, char out[RG_SHA256_HEX]);

/* The id git gives a blob with this content ("blob <n>\0" + data), hex. */
void rg_git_blob_id(const void *data, size_t n, char out[RG_SHA1_HEX]);

/* zlib-compatible Adler-32 of data. */
uint32_t rg_adler32(const void *data, size_t n);

/* 64-bit FNV-1a; seed with RG_FNV1A_SEED and chain to hash several parts. */
#define RG_FNV1A_SEED 0xcbf29ce484222325ull
uint64_t rg_fnv1a(uint64_t h, const void *data, size_t n);

/* Lowercase hex of n bytes into out (2n+1 bytes). */
void rg_hex(const uint8_t *in, size_t n, char *out);

#endif
