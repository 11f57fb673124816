#include "rendergate/compat.h"
#include "rendergate/funcs_lib.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/encoding.h"
#include "rendergate/hash.h"

/*
 * Deterministic stand-ins for Sprig's random and key-generating functions
 * (crypto.go, goutils random strings, xstrings Shuffle, uuid). Every call
 * draws from a splitmix64 stream seeded by rg_tmpl_call_seed(); results
 * have the right alphabet, length and framing, and the table marks them
 * volatile. See funcs_lib.h for what each one returns.
 */

struct rng {
	uint64_t s;
};

static uint64_t next(struct rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static struct rng rng_of(struct rg_tmpl_call *c)
{
	struct rng r = { rg_tmpl_call_seed(c) };

	return r;
}

/* count characters of alphabet abc; a negative count gives "" (goutils' error) */
static int rand_string(struct rg_node **out, struct rg_tmpl_call *c,
		       struct rg_node *const *args, const char *abc)
{
	struct rg_buf b = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);
	struct rng r = rng_of(c);
	size_t an = strlen(abc);
	int64_t n = 0;
	int rc = 0;

	RG_FUNCS_INT(n, 0);
	if (n > (int64_t)RG_CAP_FUNC_OUTPUT_BYTES) {
		rc = rg_tmpl_fail_limit(c, "random string longer than %u bytes (RG_CAP_FUNC_OUTPUT_BYTES)",
					RG_CAP_FUNC_OUTPUT_BYTES);
		goto out;
	}
	for (int64_t i = 0; i < n; i++)
		rg_buf_addch(&b, abc[next(&r) % an]);
	*out = rg_funcs_buf_str(c, &b);
out:
	rg_buf_release(&b);
	return rc;
}

#define UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define LOWER "abcdefghijklmnopqrstuvwxyz"
#define DIGITS "0123456789"

static int fn_rand_alpha_num(struct rg_node **out, struct rg_tmpl_call *c,
			     struct rg_node *const *args, size_t nargs)
{
	return rand_string(out, c, args, UPPER LOWER DIGITS);
}

static int fn_rand_alpha(struct rg_node **out, struct rg_tmpl_call *c,
			 struct rg_node *const *args, size_t nargs)
{
	return rand_string(out, c, args, UPPER LOWER);
}

static int fn_rand_numeric(struct rg_node **out, struct rg_tmpl_call *c,
			   struct rg_node *const *args, size_t nargs)
{
	return rand_string(out, c, args, DIGITS);
}

static int fn_rand_ascii(struct rg_node **out, struct rg_tmpl_call *c,
			 struct rg_node *const *args, size_t nargs)
{
	static const char printable[] =
		" !\"#$%&'()*+,-./0123456789:;<=>?@" UPPER "[\\]^_`" LOWER "{|}~";

	return rand_string(out, c, args, printable);
}

/* n seed-derived bytes, base64 */
static void rand_b64(struct rg_buf *b, struct rng *r, size_t n)
{
	unsigned char *raw = rg_xmalloc(n ? n : 1);

	for (size_t i = 0; i < n; i++)
		raw[i] = (unsigned char)next(r);
	rg_b64_encode(b, raw, n, false);
	free(raw);
}

static int fn_rand_bytes(struct rg_node **out, struct rg_tmpl_call *c,
			 struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);
	struct rng r = rng_of(c);
	int64_t n = 0;
	int rc = 0;

	RG_FUNCS_INT(n, 0);
	if (n < 0) {
		rc = rg_tmpl_fail(c, "runtime error: makeslice: len out of range");
		goto out;
	}
	if (n > (int64_t)RG_CAP_FUNC_OUTPUT_BYTES / 2) {
		rc = rg_tmpl_fail_limit(c, "randBytes count too large (RG_CAP_FUNC_OUTPUT_BYTES)");
		goto out;
	}
	rand_b64(&b, &r, (size_t)n);
	*out = rg_funcs_buf_str(c, &b);
out:
	rg_buf_release(&b);
	return rc;
}

static int fn_uuidv4(struct rg_node **out, struct rg_tmpl_call *c,
		     struct rg_node *const *args, size_t nargs)
{
	struct rng r = rng_of(c);
	uint64_t hi = next(&r), lo = next(&r);
	char u[40];

	hi = (hi & ~0xF000ull) | 0x4000ull;		     /* version 4 */
	lo = (lo & ~(3ull << 62)) | (2ull << 62);	     /* RFC 4122 variant */
	snprintf(u, sizeof(u), "%08llx-%04llx-%04llx-%04llx-%012llx",
		 (unsigned long long)(hi >> 32), (unsigned long long)((hi >> 16) & 0xFFFF),
		 (unsigned long long)(hi & 0xFFFF), (unsigned long long)(lo >> 48),
		 (unsigned long long)(lo & 0xFFFFFFFFFFFFull));
	*out = rg_node_str(c->arena, u);
	return 0;
}

/* xstrings Shuffle: Fisher-Yates over the runes */
static int fn_shuffle(struct rg_node **out, struct rg_tmpl_call *c,
		      struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);
	struct rng r = rng_of(c);
	struct rg_str s;
	size_t *starts = NULL, *lens = NULL, n = 0;
	int rc = 0;

	RG_FUNCS_STR(s, 0);
	starts = rg_xcalloc(s.len + 1, sizeof(size_t));
	lens = rg_xcalloc(s.len + 1, sizeof(size_t));
	for (size_t i = 0; i < s.len; n++) {
		unsigned char ch = (unsigned char)s.ptr[i];
		size_t l = ch < 0x80 ? 1 : ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : ch >= 0xC0 ? 2 : 1;

		if (i + l > s.len)
			l = 1;
		starts[n] = i;
		lens[n] = l;
		i += l;
	}
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(next(&r) % i), t = starts[i - 1], tl = lens[i - 1];

		starts[i - 1] = starts[j], lens[i - 1] = lens[j];
		starts[j] = t, lens[j] = tl;
	}
	for (size_t i = 0; i < n; i++)
		rg_buf_add(&b, s.ptr + starts[i], lens[i]);
	*out = rg_funcs_buf_str(c, &b);
	free(starts);
	free(lens);
out:
	rg_buf_release(&b);
	return rc;
}

/* PEM framing of n seed-derived bytes */
static void pem(struct rg_buf *b, struct rng *r, const char *type, size_t n)
{
	struct rg_buf body = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);

	rand_b64(&body, r, n);
	rg_buf_addf(b, "-----BEGIN %s-----\n", type);
	for (size_t i = 0; i < body.len; i += 64) {
		rg_buf_add(b, body.ptr + i, body.len - i < 64 ? body.len - i : 64);
		rg_buf_addch(b, '\n');
	}
	rg_buf_addf(b, "-----END %s-----\n", type);
	rg_buf_release(&body);
}

/* the struct tag for Go type name, registered once per set */
static int struct_tag(struct rg_tmpl_call *c, const char *goname)
{
	struct rg_tmpl_set *set = rg_tmpl_exec_set(c);
	struct rg_node probe = { .kind = RG_MAP };

	for (int i = 0; i < 192; i++) {
		probe.tag = (uint8_t)(RG_GT_STRUCT + i);
		if (strcmp(rg_tmpl_typename(set, &probe), goname) == 0)
			return RG_GT_STRUCT + i;
	}
	return rg_tmpl_set_struct(set, goname);
}

static struct rg_node *certificate(struct rg_tmpl_call *c, const char *cert, size_t cl,
				   const char *key, size_t kl)
{
	struct rg_node *m = rg_node_map(c->arena);
	int tag = struct_tag(c, "sprig.certificate");

	rg_map_set(c->arena, m, "Cert", 4, rg_node_strn(c->arena, cert, cl));
	rg_map_set(c->arena, m, "Key", 3, rg_node_strn(c->arena, key, kl));
	if (tag >= RG_GT_STRUCT)
		m->tag = (uint8_t)tag;
	return m;
}

/* genCA, genSelfSignedCert, genSignedCert and their *WithKey forms */
static int gen_cert(struct rg_node **out, struct rg_tmpl_call *c, const char *key)
{
	struct rg_buf cb = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES), kb = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);
	struct rng r = rng_of(c);

	pem(&cb, &r, "CERTIFICATE", 800);
	if (key)
		rg_buf_adds(&kb, key);
	else
		pem(&kb, &r, "RSA PRIVATE KEY", 1190);
	*out = certificate(c, cb.ptr, cb.len, kb.ptr, kb.len);
	rg_buf_release(&cb);
	rg_buf_release(&kb);
	return 0;
}

static int check_cn_days(struct rg_tmpl_call *c, struct rg_node *const *args, size_t days_at)
{
	struct rg_str cn;
	int64_t days = 0;
	int rc = rg_tmpl_arg_str(&cn, c, args, 0);

	if (!rc)
		rc = rg_tmpl_arg_int(&days, c, args, days_at);
	return rc;
}

static int fn_gen_ca(struct rg_node **out, struct rg_tmpl_call *c,
		     struct rg_node *const *args, size_t nargs)
{
	int rc = check_cn_days(c, args, 1);

	return rc ? rc : gen_cert(out, c, NULL);
}

static int fn_gen_ca_with_key(struct rg_node **out, struct rg_tmpl_call *c,
			      struct rg_node *const *args, size_t nargs)
{
	struct rg_str key;
	int rc = check_cn_days(c, args, 1);

	if (!rc)
		rc = rg_tmpl_arg_str(&key, c, args, 2);
	return rc ? rc : gen_cert(out, c, key.ptr);
}

static int fn_gen_self_signed(struct rg_node **out, struct rg_tmpl_call *c,
			      struct rg_node *const *args, size_t nargs)
{
	int rc = check_cn_days(c, args, 3);

	return rc ? rc : gen_cert(out, c, NULL);
}

static int fn_gen_self_signed_with_key(struct rg_node **out, struct rg_tmpl_call *c,
				       struct rg_node *const *args, size_t nargs)
{
	struct rg_str key;
	int rc = check_cn_days(c, args, 3);

	if (!rc)
		rc = rg_tmpl_arg_str(&key, c, args, 4);
	return rc ? rc : gen_cert(out, c, key.ptr);
}

static int check_ca(struct rg_tmpl_call *c, struct rg_node *const *args, size_t i)
{
	const struct rg_node *ca = args[i];

	if (!ca || ca->kind != RG_MAP || !rg_map_gets(ca, "Cert") || !rg_map_gets(ca, "Key"))
		return rg_tmpl_arg_error(c, args, i, "sprig.certificate");
	return 0;
}

static int fn_gen_signed(struct rg_node **out, struct rg_tmpl_call *c,
			 struct rg_node *const *args, size_t nargs)
{
	int rc = check_cn_days(c, args, 3);

	if (!rc)
		rc = check_ca(c, args, 4);
	return rc ? rc : gen_cert(out, c, NULL);
}

static int fn_gen_signed_with_key(struct rg_node **out, struct rg_tmpl_call *c,
				  struct rg_node *const *args, size_t nargs)
{
	struct rg_str key;
	int rc = check_cn_days(c, args, 3);

	if (!rc)
		rc = check_ca(c, args, 4);
	if (!rc)
		rc = rg_tmpl_arg_str(&key, c, args, 5);
	return rc ? rc : gen_cert(out, c, key.ptr);
}

/* buildCustomCert B64CERT B64KEY: decoded and checked for PEM framing only */
static int fn_build_custom_cert(struct rg_node **out, struct rg_tmpl_call *c,
				struct rg_node *const *args, size_t nargs)
{
	struct rg_buf cb = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES), kb = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);
	struct rg_str cert, key;
	size_t bad = 0;
	int rc = 0;

	RG_FUNCS_STR(cert, 0);
	RG_FUNCS_STR(key, 1);
	if (rg_b64_decode(&cb, cert.ptr, cert.len, false, &bad)) {
		rc = rg_tmpl_fail(c, "unable to decode base64 certificate");
		goto out;
	}
	if (rg_b64_decode(&kb, key.ptr, key.len, false, &bad)) {
		rc = rg_tmpl_fail(c, "unable to decode base64 private key");
		goto out;
	}
	if (!memmem(cb.ptr, cb.len, "-----BEGIN ", 11)) {
		rc = rg_tmpl_fail(c, "unable to decode certificate");
		goto out;
	}
	if (!memmem(kb.ptr, kb.len, "-----BEGIN ", 11)) {
		rc = rg_tmpl_fail(c, "error parsing private key: no PEM data found");
		goto out;
	}
	*out = certificate(c, cb.ptr, cb.len, kb.ptr, kb.len);
out:
	rg_buf_release(&cb);
	rg_buf_release(&kb);
	return rc;
}

static int fn_gen_private_key(struct rg_node **out, struct rg_tmpl_call *c,
			      struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);
	struct rng r = rng_of(c);
	struct rg_str t;
	int rc = 0;

	RG_FUNCS_STR(t, 0);
	if (t.len == 0 || (t.len == 3 && memcmp(t.ptr, "rsa", 3) == 0))
		pem(&b, &r, "RSA PRIVATE KEY", 2350);
	else if (t.len == 3 && memcmp(t.ptr, "dsa", 3) == 0)
		pem(&b, &r, "DSA PRIVATE KEY", 850);
	else if (t.len == 5 && memcmp(t.ptr, "ecdsa", 5) == 0)
		pem(&b, &r, "EC PRIVATE KEY", 121);
	else if (t.len == 7 && memcmp(t.ptr, "ed25519", 7) == 0)
		pem(&b, &r, "PRIVATE KEY", 48);
	else
		rg_buf_addf(&b, "Unknown type %.*s", (int)t.len, t.ptr);
	*out = rg_funcs_buf_str(c, &b);
out:
	rg_buf_release(&b);
	return rc;
}

/* "$2a$10$" and 53 characters of bcrypt's alphabet */
static void bcrypt_text(struct rg_buf *b, struct rng *r)
{
	static const char abc[] = "./" UPPER LOWER DIGITS;

	rg_buf_adds(b, "$2a$10$");
	for (int i = 0; i < 53; i++)
		rg_buf_addch(b, abc[next(r) % 64]);
}

static int fn_bcrypt(struct rg_node **out, struct rg_tmpl_call *c,
		     struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);
	struct rng r = rng_of(c);
	struct rg_str s;
	int rc = 0;

	RG_FUNCS_STR(s, 0);
	bcrypt_text(&b, &r);
	*out = rg_funcs_buf_str(c, &b);
out:
	rg_buf_release(&b);
	return rc;
}

static int fn_htpasswd(struct rg_node **out, struct rg_tmpl_call *c,
		       struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);
	struct rng r = rng_of(c);
	struct rg_str user, pass;
	int rc = 0;

	RG_FUNCS_STR(user, 0);
	RG_FUNCS_STR(pass, 1);
	if (memchr(user.ptr, ':', user.len)) {
		rg_buf_addf(&b, "invalid username: %.*s", (int)user.len, user.ptr);
	} else {
		rg_buf_add(&b, user.ptr, user.len);
		rg_buf_addch(&b, ':');
		bcrypt_text(&b, &r);
	}
	*out = rg_funcs_buf_str(c, &b);
out:
	rg_buf_release(&b);
	return rc;
}

/*
 * derivePassword COUNTER TYPE PASSWORD USER SITE: sprig's templates and
 * character classes, characters chosen from SHA-256 of the arguments
 * (sprig uses scrypt + HMAC; NEEDSWORK if a chart depends on the value).
 */
static int fn_derive_password(struct rg_node **out, struct rg_tmpl_call *c,
			      struct rg_node *const *args, size_t nargs)
{
	static const struct { const char *type, *tmpl; } types[] = {
		{ "maximum", "anoxxxxxxxxxxxxxxxxx" }, { "long", "CvcvnoCvcvCvcv" },
		{ "medium", "CvcnoCvc" },	       { "short", "Cvcn" },
		{ "basic", "aaanaaan" },	       { "pin", "nnnn" },
	};
	static const struct { char k; const char *set; } classes[] = {
		{ 'V', "AEIOU" },
		{ 'C', "BCDFGHJKLMNPQRSTVWXYZ" },
		{ 'v', "aeiou" },
		{ 'c', "bcdfghjklmnpqrstvwxyz" },
		{ 'A', "AEIOUBCDFGHJKLMNPQRSTVWXYZ" },
		{ 'a', "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz" },
		{ 'n', "0123456789" },
		{ 'o', "@&%?,=[]_:-+*$#!'^~;()/." },
		{ 'x', "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()" },
	};
	struct rg_str t, pw, user, site;
	struct rg_sha256 h;
	uint8_t d[RG_SHA256_LEN];
	const char *tmpl = NULL;
	char res[32];
	int64_t counter = 0;
	int rc = 0;

	RG_FUNCS_INT(counter, 0);
	RG_FUNCS_STR(t, 1);
	RG_FUNCS_STR(pw, 2);
	RG_FUNCS_STR(user, 3);
	RG_FUNCS_STR(site, 4);
	for (size_t i = 0; i < RG_ARRAY_SIZE(types); i++)
		if (strlen(types[i].type) == t.len && memcmp(types[i].type, t.ptr, t.len) == 0)
			tmpl = types[i].tmpl;
	if (!tmpl) {
		char msg[300];

		snprintf(msg, sizeof(msg), "cannot find password template %.*s", (int)t.len, t.ptr);
		*out = rg_node_str(c->arena, msg);
		goto out;
	}
	rg_sha256_init(&h);
	rg_sha256_update(&h, &counter, sizeof(counter));
	rg_sha256_update(&h, pw.ptr, pw.len + 1);
	rg_sha256_update(&h, user.ptr, user.len + 1);
	rg_sha256_update(&h, site.ptr, site.len + 1);
	rg_sha256_final(&h, d);
	for (size_t i = 0; tmpl[i]; i++) {
		const char *set = "";

		for (size_t k = 0; k < RG_ARRAY_SIZE(classes); k++)
			if (classes[k].k == tmpl[i])
				set = classes[k].set;
		res[i] = set[d[(i + 1) % RG_SHA256_LEN] % strlen(set)];
		res[i + 1] = 0;
	}
	*out = rg_node_str(c->arena, res);
out:
	return rc;
}

/* encryptAES PASSWORD TEXT: base64 of IV + padded-length seed bytes */
static int fn_encrypt_aes(struct rg_node **out, struct rg_tmpl_call *c,
			  struct rg_node *const *args, size_t nargs)
{
	struct rg_buf b = RG_BUF_INIT(RG_CAP_FUNC_OUTPUT_BYTES);
	struct rng r = rng_of(c);
	struct rg_str pw, text;
	int rc = 0;

	RG_FUNCS_STR(pw, 0);
	RG_FUNCS_STR(text, 1);
	if (text.len)
		rand_b64(&b, &r, 16 + (text.len / 16 + 1) * 16);
	*out = rg_funcs_buf_str(c, &b);
out:
	rg_buf_release(&b);
	return rc;
}

static int fn_decrypt_aes(struct rg_node **out, struct rg_tmpl_call *c,
			  struct rg_node *const *args, size_t nargs)
{
	struct rg_str pw, text;
	int rc = 0;

	RG_FUNCS_STR(pw, 0);
	RG_FUNCS_STR(text, 1);
	*out = rg_node_str(c->arena, "");
out:
	return rc;
}

const struct rg_tmpl_func rg_funcs_crypto[] = {
	{ "randAlphaNum", fn_rand_alpha_num, 1, 1, RG_TMPL_FN_VOLATILE },
	{ "randAlpha", fn_rand_alpha, 1, 1, RG_TMPL_FN_VOLATILE },
	{ "randNumeric", fn_rand_numeric, 1, 1, RG_TMPL_FN_VOLATILE },
	{ "randAscii", fn_rand_ascii, 1, 1, RG_TMPL_FN_VOLATILE },
	{ "randBytes", fn_rand_bytes, 1, 1, RG_TMPL_FN_VOLATILE },
	{ "uuidv4", fn_uuidv4, 0, 0, RG_TMPL_FN_VOLATILE },
	{ "shuffle", fn_shuffle, 1, 1, RG_TMPL_FN_VOLATILE },
	{ "genCA", fn_gen_ca, 2, 2, RG_TMPL_FN_VOLATILE },
	{ "genCAWithKey", fn_gen_ca_with_key, 3, 3, RG_TMPL_FN_VOLATILE },
	{ "genSelfSignedCert", fn_gen_self_signed, 4, 4, RG_TMPL_FN_VOLATILE },
	{ "genSelfSignedCertWithKey", fn_gen_self_signed_with_key, 5, 5, RG_TMPL_FN_VOLATILE },
	{ "genSignedCert", fn_gen_signed, 5, 5, RG_TMPL_FN_VOLATILE },
	{ "genSignedCertWithKey", fn_gen_signed_with_key, 6, 6, RG_TMPL_FN_VOLATILE },
	{ "buildCustomCert", fn_build_custom_cert, 2, 2, 0 },
	{ "genPrivateKey", fn_gen_private_key, 1, 1, RG_TMPL_FN_VOLATILE },
	{ "htpasswd", fn_htpasswd, 2, 2, RG_TMPL_FN_VOLATILE },
	{ "bcrypt", fn_bcrypt, 1, 1, RG_TMPL_FN_VOLATILE },
	{ "derivePassword", fn_derive_password, 5, 5, 0 },
	{ "encryptAES", fn_encrypt_aes, 2, 2, RG_TMPL_FN_VOLATILE },
	{ "decryptAES", fn_decrypt_aes, 2, 2, RG_TMPL_FN_VOLATILE },
	{ NULL, NULL, 0, 0, 0 },
};
