#include "rendergate/compat.h"
#include "rendergate/funcs_lib.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/encoding.h"
#include "rendergate/hash.h"

/*
 * Sprig's encodings and hashes (strings.go, crypto.go). b64dec/b32dec
 * return Go's decode error text as their result, as sprig does.
 * NEEDSWORK: sha512sum (hash.h has no SHA-512 yet).
 */

static int coding(struct rg_node **out, struct rg_tmpl_call *c,
		  struct rg_node *const *args, int which)
{
	struct rg_buf b = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);
	struct rg_str s;
	size_t bad = 0;
	int rc = rg_tmpl_arg_str(&s, c, args, 0), r = 0;

	if (rc)
		goto out;
	switch (which) {
	case 0: r = rg_b64_encode(&b, s.ptr, s.len, false); break;
	case 1: r = rg_b64_decode(&b, s.ptr, s.len, false, &bad); break;
	case 2: r = rg_b32_encode(&b, s.ptr, s.len); break;
	default: r = rg_b32_decode(&b, s.ptr, s.len, &bad); break;
	}
	if (r == RG_ELIMIT) {
		rc = rg_tmpl_fail_limit(c, "encoding result larger than %u bytes (RG_CAP_FUNC_OUTPUT_BYTES)",
					RG_CAP_FUNC_OUTPUT_BYTES);
		goto out;
	}
	if (r) {
		rg_buf_reset(&b);
		rg_buf_addf(&b, "illegal base%d data at input byte %zu", which == 1 ? 64 : 32, bad);
	}
	*out = rg_funcs_buf_str(c, &b);
out:
	rg_buf_release(&b);
	return rc;
}

static int fn_b64enc(struct rg_node **out, struct rg_tmpl_call *c,
		     struct rg_node *const *args, size_t nargs)
{
	return coding(out, c, args, 0);
}

static int fn_b64dec(struct rg_node **out, struct rg_tmpl_call *c,
		     struct rg_node *const *args, size_t nargs)
{
	return coding(out, c, args, 1);
}

static int fn_b32enc(struct rg_node **out, struct rg_tmpl_call *c,
		     struct rg_node *const *args, size_t nargs)
{
	return coding(out, c, args, 2);
}

static int fn_b32dec(struct rg_node **out, struct rg_tmpl_call *c,
		     struct rg_node *const *args, size_t nargs)
{
	return coding(out, c, args, 3);
}

static int fn_sha1sum(struct rg_node **out, struct rg_tmpl_call *c,
		      struct rg_node *const *args, size_t nargs)
{
	char hex[RG_SHA1_HEX];
	struct rg_str s;
	int rc = rg_tmpl_arg_str(&s, c, args, 0);

	if (!rc) {
		rg_sha1_hex(s.ptr, s.len, hex);
		*out = rg_node_str(c->arena, hex);
	}
	return rc;
}

static int fn_sha256sum(struct rg_node **out, struct rg_tmpl_call *c,
			struct rg_node *const *args, size_t nargs)
{
	char hex[RG_SHA256_HEX];
	struct rg_str s;
	int rc = rg_tmpl_arg_str(&s, c, args, 0);

	if (!rc) {
		rg_sha256_hex(s.ptr, s.len, hex);
		*out = rg_node_str(c->arena, hex);
	}
	return rc;
}

static int fn_adler32sum(struct rg_node **out, struct rg_tmpl_call *c,
			 struct rg_node *const *args, size_t nargs)
{
	char num[16];
	struct rg_str s;
	int rc = rg_tmpl_arg_str(&s, c, args, 0);

	if (!rc) {
		snprintf(num, sizeof(num), "%u", (unsigned)rg_adler32(s.ptr, s.len));
		*out = rg_node_str(c->arena, num);
	}
	return rc;
}

const struct rg_tmpl_func rg_funcs_encoding[] = {
	{ "b64enc", fn_b64enc, 1, 1, 0 },
	{ "b64dec", fn_b64dec, 1, 1, 0 },
	{ "b32enc", fn_b32enc, 1, 1, 0 },
	{ "b32dec", fn_b32dec, 1, 1, 0 },
	{ "sha1sum", fn_sha1sum, 1, 1, 0 },
	{ "sha256sum", fn_sha256sum, 1, 1, 0 },
	{ "adler32sum", fn_adler32sum, 1, 1, 0 },
	{ NULL, NULL, 0, 0, 0 },
};
