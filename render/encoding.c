#include "rendergate/compat.h"
#include "rendergate/encoding.h"
#include "rendergate/buf.h"
#include "rendergate/err.h"

static const char b64std[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64url[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char b32std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int rg_b64_encode(struct rg_buf *out, const void *in, size_t n, bool url)
{
	const unsigned char *s = in;
	const char *abc = url ? b64url : b64std;
	size_t i = 0;
	int rc = rg_buf_grow(out, (n + 2) / 3 * 4);

	for (; !rc && i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
		char q[4] = { abc[v >> 18], abc[(v >> 12) & 63], abc[(v >> 6) & 63], abc[v & 63] };

		rc = rg_buf_add(out, q, 4);
	}
	if (!rc && i < n) {
		uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0);
		char q[4] = { abc[v >> 18], abc[(v >> 12) & 63],
			      i + 1 < n ? abc[(v >> 6) & 63] : '=', '=' };

		rc = rg_buf_add(out, q, 4);
	}
	return rc;
}

static int b64val(unsigned char c, bool url)
{
	const char *abc = url ? b64url : b64std;
	const char *p = c ? memchr(abc, c, 64) : NULL;

	return p ? (int)(p - abc) : -1;
}

static bool is_nl(char c)
{
	return c == '\n' || c == '\r';
}

/* One quantum of Go's base64 decodeQuantum; returns 0, 1 at clean end. */
static int b64_quantum(struct rg_buf *out, const char *src, size_t n,
		       size_t *psi, bool url, size_t *bad_at)
{
	size_t si = *psi;
	int dbuf[4] = { 0, 0, 0, 0 };
	size_t dlen = 4;
	int j = 0, rc = 0;
	long bad = -1;

	for (j = 0; j < 4; j++) {
		char in;
		int v;

		if (si == n) {
			if (j == 0) {
				rc = 1;
				goto out;
			}
			bad = (long)(si - (size_t)j);
			goto fail;
		}
		in = src[si++];
		v = b64val((unsigned char)in, url);
		if (v >= 0) {
			dbuf[j] = v;
			continue;
		}
		if (is_nl(in)) {
			j--;
			continue;
		}
		if (in != '=' || j < 2) {
			bad = (long)(si - 1);
			goto fail;
		}
		if (j == 2) {
			while (si < n && is_nl(src[si]))
				si++;
			if (si == n) {
				bad = (long)n;
				goto fail;
			}
			if (src[si] != '=') {
				bad = (long)(si - 1);
				goto fail;
			}
			si++;
		}
		while (si < n && is_nl(src[si]))
			si++;
		if (si < n)
			bad = (long)si; /* trailing garbage, reported after decoding */
		dlen = (size_t)j;
		break;
	}
	{
		uint32_t val = (uint32_t)dbuf[0] << 18 | (uint32_t)dbuf[1] << 12 |
			       (uint32_t)dbuf[2] << 6 | (uint32_t)dbuf[3];
		unsigned char b[3] = { (unsigned char)(val >> 16), (unsigned char)(val >> 8),
				       (unsigned char)val };

		rc = rg_buf_add(out, b, dlen - 1);
		if (rc)
			goto out;
	}
	if (bad >= 0)
		goto fail;
	*psi = si;
	rc = dlen < 4 ? 1 : 0;
	goto out;
fail:
	*bad_at = (size_t)bad;
	rc = RG_EPARSE;
out:
	return rc;
}

int rg_b64_decode(struct rg_buf *out, const char *in, size_t n, bool url,
		  size_t *bad_at)
{
	size_t si = 0;
	int rc = 0;

	while (rc == 0)
		rc = b64_quantum(out, in, n, &si, url, bad_at);
	return rc == 1 ? 0 : rc;
}

int rg_b32_encode(struct rg_buf *out, const void *in, size_t n)
{
	const unsigned char *s = in;
	int rc = 0;

	for (size_t i = 0; i < n && !rc; i += 5) {
		unsigned char b[5] = { 0, 0, 0, 0, 0 };
		size_t k = n - i < 5 ? n - i : 5;
		/* output characters per input length 1..5 */
		static const size_t nout[6] = { 0, 2, 4, 5, 7, 8 };
		char q[8];
		uint64_t v = 0;

		memcpy(b, s + i, k);
		for (int j = 0; j < 5; j++)
			v = v << 8 | b[j];
		for (int j = 0; j < 8; j++)
			q[j] = (size_t)j < nout[k] ? b32std[(v >> (35 - 5 * j)) & 31] : '=';
		rc = rg_buf_add(out, q, 8);
	}
	return rc;
}

int rg_b32_decode(struct rg_buf *out, const char *in, size_t n,
		  size_t *bad_at)
{
	struct rg_buf s = RG_BUF_INIT(n + 1);
	const char *src = NULL;
	size_t len = 0, olen = 0;
	bool end = false;
	int rc = 0;

	/* Go's DecodeString strips newlines first; offsets refer to the rest */
	for (size_t i = 0; i < n; i++)
		if (!is_nl(in[i]))
			rg_buf_addch(&s, in[i]);
	src = s.ptr;
	len = olen = s.len;
	while (len > 0 && !end) {
		unsigned char dbuf[8] = { 0 };
		size_t dlen = 8, j = 0;

		while (j < 8) {
			char c;
			const char *p;

			if (len == 0) {
				*bad_at = olen - len - j;
				rc = RG_EPARSE;
				goto out;
			}
			c = *src++;
			len--;
			if (c == '=' && j >= 2 && len < 8) {
				if (len + j < 7) {
					*bad_at = olen;
					rc = RG_EPARSE;
					goto out;
				}
				for (size_t k = 0; k < 7 - j; k++)
					if (len > k && src[k] != '=') {
						*bad_at = olen - len + k - 1;
						rc = RG_EPARSE;
						goto out;
					}
				dlen = j;
				end = true;
				if (dlen == 1 || dlen == 3 || dlen == 6) {
					*bad_at = olen - len - 1;
					rc = RG_EPARSE;
					goto out;
				}
				break;
			}
			p = c ? memchr(b32std, c, 32) : NULL;
			if (!p) {
				*bad_at = olen - len - 1;
				rc = RG_EPARSE;
				goto out;
			}
			dbuf[j++] = (unsigned char)(p - b32std);
		}
		{
			unsigned char b[5] = {
				(unsigned char)(dbuf[0] << 3 | dbuf[1] >> 2),
				(unsigned char)(dbuf[1] << 6 | dbuf[2] << 1 | dbuf[3] >> 4),
				(unsigned char)(dbuf[3] << 4 | dbuf[4] >> 1),
				(unsigned char)(dbuf[4] << 7 | dbuf[5] << 2 | dbuf[6] >> 3),
				(unsigned char)(dbuf[6] << 5 | dbuf[7]),
			};
			static const size_t nb[9] = { 0, 0, 1, 0, 2, 3, 0, 4, 5 };

			rc = rg_buf_add(out, b, nb[dlen]);
			if (rc)
				goto out;
		}
	}
out:
	rg_buf_release(&s);
	return rc;
}
