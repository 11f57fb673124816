/*
 * encoding.h - base64 and base32 exactly as Go's encoding/base64 and
 * encoding/base32 (StdEncoding, URLEncoding; padded), which is what
 * sprig's b64enc/b64dec/b32enc/b32dec call.
 *
 * Decoders follow Go's rules: '\r' and '\n' anywhere are ignored, padding
 * is required, and on malformed input they return RG_EPARSE with *bad_at
 * set to the byte offset Go's CorruptInputError reports, so callers can
 * print "illegal base64 data at input byte N" like sprig does (sprig's
 * b64dec returns that text as its result instead of failing).
 *
 * Output is appended to a capped buffer; RG_ELIMIT when its cap passes.
 */
#ifndef RENDERGATE_ENCODING_H
#define RENDERGATE_ENCODING_H

#include "rendergate/compat.h"

struct rg_buf;

/* Append the base64 of in[0..n); url selects the URL alphabet (-_). */
int rg_b64_encode(struct rg_buf *out, const void *in, size_t n, bool url);
/*
 * Append the bytes of base64 text in[0..n). RG_EPARSE (bad_at set, out
 * holds the bytes decoded before the error) or RG_ELIMIT.
 */
int rg_b64_decode(struct rg_buf *out, const char *in, size_t n, bool url,
		  size_t *bad_at);

/* The same for base32 (RFC 4648 standard alphabet, '=' padding). */
int rg_b32_encode(struct rg_buf *out, const void *in, size_t n);
int rg_b32_decode(struct rg_buf *out, const char *in, size_t n,
		  size_t *bad_at);

#endif
