#include "rendergate/compat.h"
#include "rendergate/toml.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/json.h"
#include "rendergate/tmpl.h"

#include <math.h>

/* The walk of BurntSushi/toml v1.1.0 encode.go over interface{} values. */

struct key {
	const struct rg_str *parts;
	size_t len;
};

struct enc {
	struct rg_buf *out;
	struct rg_err *err;
	bool written; /* hasWritten */
	int rc;
};

enum ttype { T_NIL, T_SCALAR, T_ARRAY, T_HASH, T_ARRAYHASH };

static bool nilv(const struct rg_node *v)
{
	return !v || v->kind == RG_NULL;
}

static void wr(struct enc *e, const char *s, size_t n)
{
	if (!e->rc && rg_buf_add(e->out, s, n))
		e->rc = rg_err_set(e->err, RG_ELIMIT, NULL, "TOML output larger than its buffer cap");
	e->written = true;
}

static void wrs(struct enc *e, const char *s)
{
	wr(e, s, strlen(s));
}

static void fail(struct enc *e, int code, const char *msg)
{
	if (!e->rc)
		e->rc = rg_err_set(e->err, code, NULL, "%s", msg);
}

static void newline(struct enc *e)
{
	if (e->written)
		wr(e, "\n", 1);
}

/* tomlTypeOfGo, with tomlArrayType's nil-element panics */
static enum ttype type_of(struct enc *e, const struct rg_node *v)
{
	if (nilv(v))
		return T_NIL;
	if (v->kind == RG_MAP)
		return T_HASH;
	if (v->kind != RG_SEQ)
		return T_SCALAR;
	if (v->u.seq.len == 0)
		return T_ARRAY;
	for (size_t i = 0; i < v->u.seq.len; i++)
		if (nilv(v->u.seq.items[i])) {
			fail(e, RG_EINVALID, "toml: cannot encode array with nil element");
			return T_ARRAY;
		}
	return type_of(e, v->u.seq.items[0]) == T_HASH ? T_ARRAYHASH : T_ARRAY;
}

static void quoted(struct enc *e, const char *s, size_t n)
{
	wr(e, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		char u[8];

		switch (ch) {
		case '"': wrs(e, "\\\""); break;
		case '\\': wrs(e, "\\\\"); break;
		case '\b': wrs(e, "\\b"); break;
		case '\t': wrs(e, "\\t"); break;
		case '\n': wrs(e, "\\n"); break;
		case '\f': wrs(e, "\\f"); break;
		case '\r': wrs(e, "\\r"); break;
		default:
			if (ch < 0x20 || ch == 0x7f) {
				snprintf(u, sizeof(u), "\\u%04x", ch);
				wrs(e, u);
			} else {
				wr(e, s + i, 1);
			}
		}
	}
	wr(e, "\"", 1);
}

static void key_part(struct enc *e, const struct rg_str *k)
{
	bool bare = k->len > 0;

	for (size_t i = 0; i < k->len && bare; i++) {
		char ch = k->ptr[i];

		bare = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		       ch == '_' || ch == '-';
	}
	if (bare)
		wr(e, k->ptr, k->len);
	else
		quoted(e, k->ptr, k->len);
}

static void key_string(struct enc *e, struct key k)
{
	for (size_t i = 0; i < k.len; i++) {
		if (i)
			wr(e, ".", 1);
		key_part(e, &k.parts[i]);
	}
}

static void indent(struct enc *e, struct key k)
{
	for (size_t i = 1; i < k.len; i++)
		wr(e, "  ", 2);
}

static void element(struct enc *e, const struct rg_node *v, int depth);
static void emap(struct enc *e, struct key k, const struct rg_node *m, bool inl, int depth);

static void key_value(struct enc *e, struct key k, const struct rg_node *v, bool inl, int depth)
{
	if (k.len == 0) {
		fail(e, RG_EINVALID, "toml: top-level values must be Go maps or structs");
		return;
	}
	indent(e, k);
	key_part(e, &k.parts[k.len - 1]);
	wr(e, " = ", 3);
	element(e, v, depth);
	if (!inl)
		newline(e);
}

static void element(struct enc *e, const struct rg_node *v, int depth)
{
	char num[400]; /* 'f' of 1e308 has 309 digits */

	if (e->rc)
		return;
	if (nilv(v)) {
		fail(e, RG_ERROR, "toml: unexpected primitive type: <nil>");
		return;
	}
	switch (v->kind) {
	case RG_STR:
		quoted(e, v->u.s.ptr, v->u.s.len);
		break;
	case RG_BOOL:
		wrs(e, v->u.b ? "true" : "false");
		break;
	case RG_INT:
		if (v->tag == RG_GT_UINT64)
			snprintf(num, sizeof(num), "%llu", (unsigned long long)(uint64_t)v->u.i);
		else
			snprintf(num, sizeof(num), "%lld", (long long)v->u.i);
		wrs(e, num);
		break;
	case RG_FLOAT:
		if (isnan(v->u.f)) {
			wrs(e, "nan");
		} else if (isinf(v->u.f)) {
			wrs(e, signbit(v->u.f) ? "-inf" : "+inf");
		} else {
			rg_json_fmt_float(num, sizeof(num), v->u.f, 'f');
			wrs(e, num);
			if (!strchr(num, '.'))
				wrs(e, ".0");
		}
		break;
	case RG_SEQ:
		wr(e, "[", 1);
		for (size_t i = 0; i < v->u.seq.len; i++) {
			element(e, v->u.seq.items[i], depth + 1);
			if (i + 1 != v->u.seq.len)
				wr(e, ", ", 2);
		}
		wr(e, "]", 1);
		break;
	case RG_MAP: {
		struct key none = { NULL, 0 };

		emap(e, none, v, true, depth + 1);
		break;
	}
	}
}

static struct key key_add(struct key k, const struct rg_str *s, struct rg_str *buf)
{
	struct key r = { buf, k.len + 1 };

	if (k.len)
		memcpy(buf, k.parts, k.len * sizeof(*buf));
	buf[k.len] = *s;
	return r;
}

static void encode(struct enc *e, struct key k, const struct rg_node *v, int depth);

static void emap(struct enc *e, struct key k, const struct rg_node *m, bool inl, int depth)
{
	size_t n = m->u.map.len, nd = 0, ns = 0;
	const struct rg_pair **direct = rg_xcalloc(n + 1, sizeof(*direct));
	const struct rg_pair **sub = rg_xcalloc(n + 1, sizeof(*sub));
	struct rg_str *kbuf = rg_xcalloc(k.len + 2, sizeof(*kbuf));

	if (depth > (int)RG_CAP_JSON_DEPTH) {
		fail(e, RG_ELIMIT, "TOML nesting deeper than RG_CAP_JSON_DEPTH");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		enum ttype t = type_of(e, m->u.map.items[i].val);

		if (t == T_HASH || t == T_ARRAYHASH)
			sub[ns++] = &m->u.map.items[i];
		else
			direct[nd++] = &m->u.map.items[i];
	}
	qsort(direct, nd, sizeof(*direct), rg_json_pair_cmp);
	qsort(sub, ns, sizeof(*sub), rg_json_pair_cmp);
	if (inl)
		wr(e, "{", 1);
	for (int g = 0; g < 2 && !e->rc; g++) {
		const struct rg_pair **ps = g ? sub : direct;
		size_t np = g ? ns : nd;
		bool trail = g == 0 && ns > 0;

		for (size_t i = 0; i < np && !e->rc; i++) {
			if (nilv(ps[i]->val))
				continue;
			if (inl) {
				struct key one = { &ps[i]->key, 1 };

				key_value(e, one, ps[i]->val, true, depth);
				if (trail || i != np - 1)
					wr(e, ", ", 2);
			} else {
				encode(e, key_add(k, &ps[i]->key, kbuf), ps[i]->val, depth + 1);
			}
		}
	}
	if (inl)
		wr(e, "}", 1);
out:
	free(direct);
	free(sub);
	free(kbuf);
}

/* reflect Kind names for the panic text */
static const char *kind_name(const struct rg_node *v)
{
	switch (v->kind) {
	case RG_BOOL: return "bool";
	case RG_INT: return v->tag == RG_GT_INT64 ? "int64" : "int";
	case RG_FLOAT: return "float64";
	case RG_STR: return v->tag == RG_GT_BYTES ? "slice" : "string";
	case RG_SEQ: return "slice";
	default: return "map";
	}
}

static void table(struct enc *e, struct key k, const struct rg_node *m, int depth, bool array)
{
	if (!array && k.len == 1)
		newline(e);
	if (array)
		newline(e);
	if (k.len > 0) {
		indent(e, k);
		wrs(e, array ? "[[" : "[");
		key_string(e, k);
		wrs(e, array ? "]]" : "]");
		newline(e);
	}
	if (m->kind != RG_MAP) {
		char msg[96];

		snprintf(msg, sizeof(msg), "eTable: unhandled reflect.Value Kind: %s", kind_name(m));
		fail(e, RG_ERROR, msg);
		return;
	}
	emap(e, k, m, false, depth);
}

static void encode(struct enc *e, struct key k, const struct rg_node *v, int depth)
{
	if (e->rc || nilv(v))
		return;
	switch (v->kind) {
	case RG_MAP:
		table(e, k, v, depth, false);
		break;
	case RG_SEQ:
		if (type_of(e, v) == T_ARRAYHASH) {
			if (k.len == 0) {
				fail(e, RG_EINVALID, "toml: top-level values must be Go maps or structs");
				return;
			}
			for (size_t i = 0; i < v->u.seq.len && !e->rc; i++)
				if (!nilv(v->u.seq.items[i]))
					table(e, k, v->u.seq.items[i], depth + 1, true);
		} else {
			key_value(e, k, v, false, depth);
		}
		break;
	default:
		key_value(e, k, v, false, depth);
	}
}

int rg_toml_encode(struct rg_buf *out, const struct rg_node *v, struct rg_err *err)
{
	struct enc e = { out, err, false, 0 };
	struct key none = { NULL, 0 };
	size_t mark = out->len;

	encode(&e, none, v, 0);
	if (e.rc)
		rg_buf_truncate(out, mark);
	return e.rc;
}
