#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/policy-images.h"

/* --- references ---------------------------------------------------------- */

static bool lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool alnum(char c)
{
	return lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static bool hexdig(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* [a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)* */
static bool path_component_ok(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t run = 0;

		while (i < n && lower_alnum(s[i])) {
			i++;
			run++;
		}
		if (!run)
			return false;
		if (i == n)
			return true;
		if (s[i] == '.') {
			i++;
		} else if (s[i] == '_') {
			i++;
			if (i < n && s[i] == '_')
				i++;
		} else if (s[i] == '-') {
			while (i < n && s[i] == '-')
				i++;
		} else {
			return false;
		}
		if (i == n)
			return false;
	}
	return n > 0;
}

/* host labels [A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])? joined by '.',
 * or a bracketed IPv6 address, then an optional :port */
static bool domain_ok(const char *s, size_t n)
{
	size_t i = 0, port;

	if (n && s[0] == '[') {
		while (i < n && s[i] != ']') {
			if (!hexdig(s[i]) && s[i] != ':' && s[i] != '[')
				return false;
			i++;
		}
		if (i == n)
			return false;
		i++;
	} else {
		while (i < n && s[i] != ':') {
			size_t start = i;

			while (i < n && (alnum(s[i]) || s[i] == '-'))
				i++;
			if (i == start || s[start] == '-' || s[i - 1] == '-')
				return false;
			if (i < n && s[i] == '.') {
				i++;
				if (i == n || s[i] == ':')
					return false;
			}
		}
	}
	if (i == n)
		return true;
	if (s[i] != ':')
		return false;
	port = ++i;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	return i == n && i > port;
}

static bool tag_ok(const char *s, size_t n)
{
	if (!n || n > 128)
		return false;
	if (!(alnum(s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!(alnum(s[i]) || s[i] == '_' || s[i] == '.' || s[i] == '-'))
			return false;
	return true;
}

static bool digest_ok(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	size_t alen, hlen;

	if (!colon)
		return false;
	alen = (size_t)(colon - s);
	hlen = n - alen - 1;
	if (!alen || !lower_alnum(s[0]) || !lower_alnum(s[alen - 1]))
		return false;
	for (size_t i = 0; i < alen; i++)
		if (!lower_alnum(s[i]) && !strchr("+._-", s[i]))
			return false;
	for (size_t i = 0; i < hlen; i++)
		if (!hexdig(colon[1 + i]))
			return false;
	if (alen == 6 && !memcmp(s, "sha256", 6))
		return hlen == 64;
	return hlen >= 32;
}

/* x + y + z into the arena (cheaper than printf on the hot path). */
static const char *cat(struct rg_arena *a, const char *x, size_t xn,
		       const char *y, size_t yn, const char *z, size_t zn)
{
	char *out = rg_arena_alloc(a, xn + yn + zn + 1);

	memcpy(out, x, xn);
	memcpy(out + xn, y, yn);
	if (zn)
		memcpy(out + xn + yn, z, zn);
	return out;
}

static int bad_ref(struct rg_err *err, const char *s, size_t len,
		   const char *why)
{
	return rg_err_set(err, RG_EINVALID, NULL,
			  "invalid image reference '%.*s': %s",
			  (int)(len > 200 ? 200 : len), s, why);
}

int rg_images_parse_ref(struct rg_images_ref *out, struct rg_arena *a,
			const char *s, size_t len, struct rg_err *err)
{
	const char *at = memchr(s, '@', len);
	size_t nlen = at ? (size_t)(at - s) : len;
	const char *slash, *colon = NULL, *reg = "docker.io";
	size_t reglen = 9, pstart = 0, plen;
	struct rg_images_ref r = {0};
	bool library;

	if (!len)
		return bad_ref(err, s, len, "empty");
	if (memchr(s, '\0', len))
		return bad_ref(err, s, len, "contains a NUL byte");
	if (at && !digest_ok(at + 1, len - nlen - 1))
		return bad_ref(err, s, len,
			       "digest must be algorithm:hex (sha256 with 64 "
			       "hex digits)");
	/* a tag is a ':' after the last '/' */
	for (size_t i = nlen; i > 0; i--) {
		if (s[i - 1] == '/')
			break;
		if (s[i - 1] == ':') {
			colon = s + i - 1;
			break;
		}
	}
	if (colon) {
		size_t tlen = nlen - (size_t)(colon - s) - 1;

		if (!tag_ok(colon + 1, tlen))
			return bad_ref(err, s, len,
				       "tag must be 1-128 of [A-Za-z0-9_.-], "
				       "not starting with '.' or '-'");
		r.tag = rg_arena_strndup(a, colon + 1, tlen);
		nlen = (size_t)(colon - s);
	}
	if (!nlen)
		return bad_ref(err, s, len, "no repository name");
	if (nlen > 255)
		return bad_ref(err, s, len,
			       "repository name longer than 255 bytes");
	slash = memchr(s, '/', nlen);
	if (slash) {
		size_t flen = (size_t)(slash - s);
		bool upper = false;

		for (size_t i = 0; i < flen; i++)
			upper |= s[i] >= 'A' && s[i] <= 'Z';
		if (memchr(s, '.', flen) || memchr(s, ':', flen) || upper ||
		    (flen == 9 && !memcmp(s, "localhost", 9))) {
			if (!domain_ok(s, flen))
				return bad_ref(err, s, len,
					       "registry host is not a valid "
					       "host[:port]");
			reg = s;
			reglen = flen;
			pstart = flen + 1;
		}
	}
	plen = nlen - pstart;
	if (!plen)
		return bad_ref(err, s, len, "no repository path");
	for (size_t i = pstart; i < nlen;) {
		const char *e = memchr(s + i, '/', nlen - i);
		size_t clen = e ? (size_t)(e - s) - i : nlen - i;

		if (!path_component_ok(s + i, clen))
			return rg_err_set(err, RG_EINVALID, NULL,
					  "invalid image reference '%.*s': "
					  "path component '%.*s' must be "
					  "lower-case letters and digits "
					  "joined by '.', '_' or '-'",
					  (int)(len > 200 ? 200 : len), s,
					  (int)(clen > 100 ? 100 : clen),
					  s + i);
		i += clen + 1;
		if (e && i == nlen)
			return bad_ref(err, s, len, "path ends with '/'");
	}
	if (reglen == 15 && !memcmp(reg, "index.docker.io", 15)) {
		reg = "docker.io";
		reglen = 9;
	}
	library = reglen == 9 && !memcmp(reg, "docker.io", 9) &&
		  !memchr(s + pstart, '/', plen);
	r.registry = rg_arena_strndup(a, reg, reglen);
	r.path = library ? cat(a, "library/", 8, s + pstart, plen, NULL, 0)
			 : rg_arena_strndup(a, s + pstart, plen);
	if (at)
		r.digest =
		    rg_arena_strndup(a, at + 1, len - (size_t)(at - s) - 1);
	r.name = cat(a, r.registry, reglen, "/", 1, r.path, strlen(r.path));
	r.normalized = r.name;
	if (r.tag)
		r.normalized = cat(a, r.normalized, strlen(r.normalized), ":",
				   1, r.tag, strlen(r.tag));
	if (r.digest)
		r.normalized = cat(a, r.normalized, strlen(r.normalized), "@",
				   1, r.digest, strlen(r.digest));
	*out = r;
	return 0;
}

/* --- pod-bearing objects ------------------------------------------------- */

static const struct {
	const char *kind;
	const char *spec;
	const char *meta;
} builtin[] = {
    {"Pod", "spec", "metadata"},
    {"PodTemplate", "template.spec", "template.metadata"},
    {"Deployment", "spec.template.spec", "spec.template.metadata"},
    {"StatefulSet", "spec.template.spec", "spec.template.metadata"},
    {"DaemonSet", "spec.template.spec", "spec.template.metadata"},
    {"ReplicaSet", "spec.template.spec", "spec.template.metadata"},
    {"ReplicationController", "spec.template.spec", "spec.template.metadata"},
    {"Job", "spec.template.spec", "spec.template.metadata"},
    {"CronJob", "spec.jobTemplate.spec.template.spec",
     "spec.jobTemplate.spec.template.metadata"},
};

bool rg_images_custom_applies(const struct rg_images_custom *c,
			      const struct rg_node *obj)
{
	const char *kind = rg_node_cstr(rg_map_gets(obj, "kind"));
	const char *av = rg_node_cstr(rg_map_gets(obj, "apiVersion"));

	if (!kind || strcmp(kind, c->kind) != 0)
		return false;
	return !c->api_version || (av && !strcmp(av, c->api_version));
}

/* Follow a path of plain keys. */
static const struct rg_node *follow(const struct rg_node *n,
				    const struct rg_rules_path *p, size_t nsegs)
{
	for (size_t i = 0; n && i < nsegs; i++)
		n = rg_map_get(n, p->segs[i].key, p->segs[i].keylen);
	return n;
}

void rg_images_pod_view(struct rg_rules_pod *out, const struct rg_node *obj,
			const struct rg_images_custom *custom, size_t ncustom,
			struct rg_arena *a)
{
	const char *kind = rg_node_cstr(rg_map_gets(obj, "kind"));

	memset(out, 0, sizeof(*out));
	if (!kind || obj->kind != RG_MAP)
		return;
	for (size_t i = 0; i < RG_ARRAY_SIZE(builtin); i++) {
		if (strcmp(kind, builtin[i].kind) != 0)
			continue;
		out->spec = rg_node_path(obj, builtin[i].spec);
		out->meta = rg_node_path(obj, builtin[i].meta);
		out->spec_path = builtin[i].spec;
		out->meta_path = builtin[i].meta;
		goto check;
	}
	for (size_t i = 0; i < ncustom; i++) {
		const struct rg_images_custom *c = &custom[i];
		const struct rg_rules_path *p = &c->pod_spec;

		if (!p->nsegs || !rg_images_custom_applies(c, obj))
			continue;
		out->spec = follow(obj, p, p->nsegs);
		out->spec_path = p->text;
		/* the metadata next to a ".spec" */
		if (p->segs[p->nsegs - 1].keylen == 4 &&
		    !memcmp(p->segs[p->nsegs - 1].key, "spec", 4)) {
			const struct rg_node *parent =
			    follow(obj, p, p->nsegs - 1);

			out->meta = rg_map_gets(parent, "metadata");
			out->meta_path =
			    p->nsegs == 1
				? "metadata"
				: rg_arena_printf(a, "%.*s.metadata",
						  (int)(strlen(p->text) - 5),
						  p->text);
		}
		goto check;
	}
	return;
check:
	if (!out->spec || out->spec->kind != RG_MAP) {
		memset(out, 0, sizeof(*out));
		return;
	}
	if (out->meta && out->meta->kind != RG_MAP) {
		out->meta = NULL;
		out->meta_path = NULL;
	}
}

struct each {
	rg_images_fn fn;
	void *ctx;
};

static int container_place(void *vctx, const struct rg_rules_place *p)
{
	struct each *e = vctx;
	struct rg_images_use u;
	const struct rg_node *img;

	if (!p->node || p->node->kind != RG_MAP)
		return 0;
	img = rg_map_gets(p->node, "image");
	if (!img)
		return 0;
	u.node = img;
	u.place = p;
	u.suffix = ".image";
	u.container = rg_node_cstr(rg_map_gets(p->node, "name"));
	return e->fn(e->ctx, &u);
}

static int image_place(void *vctx, const struct rg_rules_place *p)
{
	struct each *e = vctx;
	struct rg_images_use u;

	if (!p->node || p->node->kind == RG_NULL)
		return 0;
	u.node = p->node;
	u.place = p;
	u.suffix = "";
	u.container = NULL;
	return e->fn(e->ctx, &u);
}

const char *rg_images_use_path(const struct rg_images_use *u,
			       struct rg_arena *a)
{
	return rg_arena_printf(a, "%s%s", rg_rules_place_path(u->place),
			       u->suffix);
}

int rg_images_each(const struct rg_node *obj, const struct rg_rules_pod *pod,
		   const struct rg_images_custom *custom, size_t ncustom,
		   rg_images_fn fn, void *ctx, struct rg_err *err)
{
	static struct rg_rules_seg all = {RG_RULES_SEG_ALL, NULL, 0, 0};
	static const struct rg_rules_path containers = {
	    RG_RULES_ROOT_CONTAINERS, &all, 1, "$containers[*]"};
	struct each e = {fn, ctx};
	int ret = 0;

	if (pod && pod->spec)
		ret = rg_rules_path_walk(&containers, obj, pod, container_place,
					 &e, err);
	for (size_t i = 0; i < ncustom && !ret; i++) {
		if (!rg_images_custom_applies(&custom[i], obj))
			continue;
		for (size_t j = 0; j < custom[i].nimages && !ret; j++)
			ret = rg_rules_path_walk(&custom[i].images[j], obj, pod,
						 image_place, &e, err);
	}
	return ret;
}
