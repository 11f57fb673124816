#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/cfgread.h"
#include "rendergate/finding.h"
#include "rendergate/hash.h"
#include "rendergate/policy.h"
#include "rendergate/regex.h"
#include "rendergate/semver.h"

/*
 * Loading keeps every compiled pattern in one heap list, whatever it
 * belongs to, so a load that fails half-way (or rg_policy_free) releases
 * them all without walking half-built structures.
 */
struct owned {
	struct rg_regex **items;
	size_t len, alloc;
};

/* rg_policy as allocated by the loader: the public part plus the list. */
struct policy_box {
	struct rg_policy p;
	struct owned owned;
};

/* A component reference in a constraint, resolved after all files. */
struct vref {
	struct rg_policy_vterm *term;
	const char *name;
	struct rg_pos pos;
	const char *file;
};

struct loader {
	struct rg_cfg c;
	struct rg_arena *a;
	struct rg_errlist *errs;
	struct policy_box *box;
	struct rg_policy *p;
	uint8_t origin;
	size_t npatterns;
	bool rules_over; /* RG_CAP_POLICY_RULES reported */
	size_t rules_alloc, custom_alloc, appr_alloc, comp_alloc, cons_alloc;
	struct vref *vrefs;
	size_t nvrefs, vrefs_alloc;
	/* rule id index: open addressing over p->rules, 0 = empty slot */
	size_t *ids;
	size_t nids_slots;
};

static void *grow(struct rg_arena *a, void *p, size_t *alloc, size_t want,
		  size_t size)
{
	size_t n;

	if (want <= *alloc)
		return p;
	n = *alloc ? *alloc * 2 : 8;
	while (n < want)
		n *= 2;
	p = rg_arena_grow(a, p, *alloc, n, size);
	*alloc = n;
	return p;
}

static int errf(struct loader *L, const struct rg_pos *pos, const char *fmt,
		...) RG_PRINTF(3, 4);

static int errf(struct loader *L, const struct rg_pos *pos, const char *fmt,
		...)
{
	struct rg_err e = RG_ERR_INIT;
	va_list ap;

	va_start(ap, fmt);
	rg_err_vset(&e, RG_EINVALID, pos, fmt, ap);
	va_end(ap);
	if (!e.file[0])
		snprintf(e.file, sizeof(e.file), "%s", L->c.file);
	rg_errlist_add(L->errs, &e);
	return RG_EINVALID;
}

/* Position of the value under key (for messages about a whole list). */
static const struct rg_pos *pos_of(const struct rg_node *map, const char *key)
{
	const struct rg_node *v = rg_map_gets(map, key);

	return v ? &v->pos : map ? &map->pos : NULL;
}

static struct rg_regex *compile(struct loader *L, const char *text,
				const struct rg_pos *pos, const char *what)
{
	struct rg_err e = RG_ERR_INIT;
	struct rg_regex *re = NULL;

	if (++L->npatterns > RG_CAP_POLICY_PATTERNS) {
		if (L->npatterns == RG_CAP_POLICY_PATTERNS + 1)
			errf(L, pos,
			     "more than %u patterns in the policy "
			     "(RG_CAP_POLICY_PATTERNS)",
			     RG_CAP_POLICY_PATTERNS);
		return NULL;
	}
	if (strlen(text) > RG_CAP_POLICY_STRING_BYTES) {
		errf(L, pos,
		     "%s longer than %u bytes (RG_CAP_POLICY_STRING_BYTES)",
		     what, RG_CAP_POLICY_STRING_BYTES);
		return NULL;
	}
	if (rg_regex_compile(&re, text, strlen(text), &e) < 0) {
		errf(L, pos, "bad %s '%s': %s", what, text, e.msg);
		return NULL;
	}
	RG_ALLOC_GROW(L->box->owned.items, L->box->owned.len + 1,
		      L->box->owned.alloc);
	L->box->owned.items[L->box->owned.len++] = re;
	return re;
}

/* A list of patterns under key; out->set tells whether it was written. */
static void load_patterns(struct loader *L, struct rg_policy_patterns *out,
			  const struct rg_node *map, const char *key,
			  const char *what)
{
	const struct rg_node *seq = NULL;

	memset(out, 0, sizeof(*out));
	if (rg_cfg_seq(&seq, &L->c, map, key, 0) < 0)
		return;
	out->set = true;
	out->items =
	    rg_arena_calloc(L->a, seq->u.seq.len + 1, sizeof(*out->items));
	for (size_t i = 0; i < seq->u.seq.len; i++) {
		const struct rg_node *it = seq->u.seq.items[i];
		struct rg_policy_pattern *pt = &out->items[out->len];
		const char *s = NULL;
		char name[64];

		snprintf(name, sizeof(name), "'%s'[%zu]", key, i);
		if (rg_cfg_node_str(&s, &L->c, it, name, RG_CFG_NONEMPTY) < 0)
			continue;
		pt->text = s;
		pt->pos = it->pos;
		pt->re = compile(L, s, &it->pos, what);
		if (pt->re)
			out->len++;
	}
}

/* A list of globs (checked for syntax). */
static void load_globs(struct loader *L, const char ***out, size_t *n,
		       const struct rg_node *map, const char *key,
		       unsigned flags)
{
	const struct rg_node *seq = rg_map_gets(map, key);

	*out = NULL;
	*n = 0;
	if (rg_cfg_strlist(out, n, &L->c, map, key, flags | RG_CFG_NONEMPTY) <
	    0)
		return;
	for (size_t i = 0; i < *n; i++) {
		struct rg_err e = RG_ERR_INIT;

		if (rg_cfg_glob_check((*out)[i], &e) < 0)
			errf(L, &seq->u.seq.items[i]->pos, "'%s'[%zu]: %s", key,
			     i, e.msg);
	}
}

static void load_str(struct loader *L, const char **out,
		     const struct rg_node *map, const char *key, unsigned flags)
{
	const char *s = NULL;

	if (rg_cfg_str(&s, &L->c, map, key, flags) == 0) {
		if (strlen(s) > RG_CAP_POLICY_STRING_BYTES)
			errf(L, pos_of(map, key),
			     "'%s' is longer than %u bytes "
			     "(RG_CAP_POLICY_STRING_BYTES)",
			     key, RG_CAP_POLICY_STRING_BYTES);
		else
			*out = s;
	}
}

static int8_t load_tristate(struct loader *L, const struct rg_node *map,
			    const char *key)
{
	bool b = false;

	if (rg_cfg_bool(&b, &L->c, map, key, 0) != 0)
		return -1;
	return b ? 1 : 0;
}

static int load_path(struct loader *L, struct rg_rules_path *out,
		     const char *text, const struct rg_pos *pos)
{
	struct rg_err e = RG_ERR_INIT;

	if (rg_rules_path_parse(out, L->a, text, &e) < 0)
		return errf(L, pos, "%s", e.msg);
	return 0;
}

/* --- images ----------------------------------------------------------------
 */

static void load_custom(struct loader *L, const struct rg_node *it)
{
	static const char *const keys[] = {"kind", "api_version", "pod_spec",
					   "images", NULL};
	struct rg_images_custom cu = {0};
	const char *ps = NULL;
	const char **imgs = NULL;
	size_t nimgs = 0;
	const struct rg_node *iseq;
	bool bad = false;

	if (rg_cfg_expect(&L->c, it, RG_MAP, "'custom' entry") < 0)
		return;
	bad |= rg_cfg_check_keys(&L->c, it, keys) < 0;
	bad |= rg_cfg_str(&cu.kind, &L->c, it, "kind",
			  RG_CFG_REQUIRED | RG_CFG_NONEMPTY) < 0;
	load_str(L, &cu.api_version, it, "api_version", RG_CFG_NONEMPTY);
	load_str(L, &ps, it, "pod_spec", RG_CFG_NONEMPTY);
	if (ps && load_path(L, &cu.pod_spec, ps, pos_of(it, "pod_spec")) == 0) {
		bool plain = cu.pod_spec.root == RG_RULES_ROOT_OBJECT;

		for (size_t i = 0; i < cu.pod_spec.nsegs; i++)
			plain &= cu.pod_spec.segs[i].kind == RG_RULES_SEG_KEY;
		if (!plain)
			bad |= errf(L, pos_of(it, "pod_spec"),
				    "'pod_spec' must be a path of plain keys "
				    "(no [*], [N] or $ roots): '%s'",
				    ps) < 0;
	}
	if (rg_cfg_strlist(&imgs, &nimgs, &L->c, it, "images",
			   RG_CFG_NONEMPTY) == 0) {
		iseq = rg_map_gets(it, "images");
		cu.images =
		    rg_arena_calloc(L->a, nimgs + 1, sizeof(*cu.images));
		for (size_t i = 0; i < nimgs; i++)
			bad |= load_path(L, &cu.images[i], imgs[i],
					 &iseq->u.seq.items[i]->pos) < 0;
		cu.nimages = nimgs;
	}
	if (!ps && !nimgs)
		bad |=
		    errf(L, &it->pos,
			 "a 'custom' entry needs 'pod_spec' or 'images'") < 0;
	if (bad || !cu.kind)
		return;
	cu.pos = it->pos;
	L->p->custom = grow(L->a, L->p->custom, &L->custom_alloc,
			    L->p->ncustom + 1, sizeof(*L->p->custom));
	L->p->custom[L->p->ncustom++] = cu;
}

static void load_images(struct loader *L, struct rg_policy_layer *ly,
			const struct rg_node *root)
{
	static const char *const keys[] = {
	    "allow",	   "deny",	     "hint",   "forbid_latest",
	    "require_tag", "require_digest", "custom", NULL};
	const struct rg_node *m = NULL, *cs = NULL;

	if (rg_cfg_map(&m, &L->c, root, "images", 0) < 0)
		return;
	rg_cfg_check_keys(&L->c, m, keys);
	load_patterns(L, &ly->image_allow, m, "allow", "image pattern");
	load_patterns(L, &ly->image_deny, m, "deny", "image pattern");
	load_str(L, &ly->image_hint, m, "hint", RG_CFG_NONEMPTY);
	ly->forbid_latest = load_tristate(L, m, "forbid_latest");
	ly->require_tag = load_tristate(L, m, "require_tag");
	load_globs(L, &ly->require_digest, &ly->nrequire_digest, m,
		   "require_digest", 0);
	if (rg_cfg_seq(&cs, &L->c, m, "custom", 0) == 0)
		for (size_t i = 0; i < cs->u.seq.len; i++)
			load_custom(L, cs->u.seq.items[i]);
}

static void load_sources(struct loader *L, struct rg_policy_layer *ly,
			 const struct rg_node *root)
{
	static const char *const keys[] = {"allow", "deny", "hint", NULL};
	const struct rg_node *m = NULL;

	if (rg_cfg_map(&m, &L->c, root, "sources", 0) < 0)
		return;
	rg_cfg_check_keys(&L->c, m, keys);
	load_patterns(L, &ly->source_allow, m, "allow", "source pattern");
	load_patterns(L, &ly->source_deny, m, "deny", "source pattern");
	load_str(L, &ly->source_hint, m, "hint", RG_CFG_NONEMPTY);
}

static void load_namespaces(struct loader *L, struct rg_policy_layer *ly,
			    const struct rg_node *root)
{
	static const char *const keys[] = {"environments", "allow", "hint",
					   NULL};
	const struct rg_node *s = NULL;

	if (rg_cfg_seq(&s, &L->c, root, "namespaces", 0) < 0)
		return;
	ly->namespaces =
	    rg_arena_calloc(L->a, s->u.seq.len + 1, sizeof(*ly->namespaces));
	for (size_t i = 0; i < s->u.seq.len; i++) {
		const struct rg_node *it = s->u.seq.items[i];
		struct rg_policy_nsown *ns = &ly->namespaces[ly->nnamespaces];
		size_t before = L->errs->len;

		if (rg_cfg_expect(&L->c, it, RG_MAP, "'namespaces' entry") < 0)
			continue;
		rg_cfg_check_keys(&L->c, it, keys);
		load_globs(L, &ns->envs, &ns->nenvs, it, "environments",
			   RG_CFG_REQUIRED);
		load_globs(L, &ns->allow, &ns->nallow, it, "allow",
			   RG_CFG_REQUIRED);
		load_str(L, &ns->hint, it, "hint", RG_CFG_NONEMPTY);
		ns->pos = it->pos;
		if (L->errs->len == before)
			ly->nnamespaces++;
	}
}

/* --- rules -----------------------------------------------------------------
 */

static bool id_ok(const char *id)
{
	if (!((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= '0' && id[0] <= '9')))
		return false;
	for (const char *s = id; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '.' || *s == '_' || *s == '-'))
			return false;
	return strlen(id) <= 128;
}

/* Is the id taken? Insert it (index i into p->rules) when not. */
static const struct rg_rules_rule *id_insert(struct loader *L, const char *id,
					     size_t i)
{
	size_t mask = L->nids_slots - 1;
	size_t h = (size_t)rg_fnv1a(RG_FNV1A_SEED, id, strlen(id)) & mask;

	while (L->ids[h]) {
		const struct rg_rules_rule *r = &L->p->rules[L->ids[h] - 1];

		if (!strcmp(r->id, id))
			return r;
		h = (h + 1) & mask;
	}
	L->ids[h] = i + 1;
	return NULL;
}

static const char *const op_keys[] = {
    "exists", "absent",	    "equals", "not_equals", "matches", "not_matches",
    "one_of", "not_one_of", "lt",     "le",	    "gt",      "ge",
};

static int load_cond(struct loader *L, struct rg_rules_cond *out,
		     const struct rg_node *it)
{
	static const char *const keys[] = {
	    "path",    "exists",      "absent", "equals",     "not_equals",
	    "matches", "not_matches", "one_of", "not_one_of", "lt",
	    "le",      "gt",	      "ge",	NULL};
	struct rg_rules_cond c = {0};
	const char *path = NULL;
	const struct rg_node *v = NULL;
	int nops = 0, bad = 0;

	if (rg_cfg_expect(&L->c, it, RG_MAP, "condition") < 0)
		return RG_EINVALID;
	bad |= rg_cfg_check_keys(&L->c, it, keys);
	if (rg_cfg_str(&path, &L->c, it, "path",
		       RG_CFG_REQUIRED | RG_CFG_NONEMPTY) == 0)
		bad |= load_path(L, &c.path, path, pos_of(it, "path"));
	else
		bad = RG_EINVALID;
	for (size_t k = 0; k < RG_ARRAY_SIZE(op_keys); k++) {
		const struct rg_node *x = rg_map_gets(it, op_keys[k]);

		if (!x)
			continue;
		nops++;
		c.op = (uint8_t)k;
		v = x;
	}
	if (nops != 1)
		return errf(L, &it->pos,
			    "a condition needs exactly one test of: exists, "
			    "absent, equals, not_equals, matches, not_matches, "
			    "one_of, not_one_of, lt, le, gt, ge (found %d)",
			    nops);
	c.pos = v->pos;
	switch (c.op) {
	case RG_RULES_EXISTS:
	case RG_RULES_ABSENT:
		if (v->kind != RG_BOOL)
			return errf(L, &v->pos, "'%s' must be true or false",
				    op_keys[c.op]);
		if (!v->u.b)
			c.op = c.op == RG_RULES_EXISTS ? RG_RULES_ABSENT
						       : RG_RULES_EXISTS;
		break;
	case RG_RULES_EQUALS:
	case RG_RULES_NOT_EQUALS:
		if (v->kind == RG_MAP || v->kind == RG_SEQ)
			return errf(L, &v->pos,
				    "'%s' must be a scalar (string, number, "
				    "boolean or null), found %s",
				    op_keys[c.op], rg_kind_name(v->kind));
		c.value = v;
		break;
	case RG_RULES_ONE_OF:
	case RG_RULES_NOT_ONE_OF:
		if (v->kind != RG_SEQ)
			return errf(L, &v->pos, "'%s' must be a list, found %s",
				    op_keys[c.op], rg_kind_name(v->kind));
		for (size_t i = 0; i < v->u.seq.len; i++) {
			const struct rg_node *x = v->u.seq.items[i];

			if (x->kind == RG_MAP || x->kind == RG_SEQ)
				bad = errf(
				    L, &x->pos,
				    "'%s'[%zu] must be a scalar, found %s",
				    op_keys[c.op], i, rg_kind_name(x->kind));
		}
		c.value = v;
		break;
	case RG_RULES_MATCHES:
	case RG_RULES_NOT_MATCHES:
		if (v->kind != RG_STR || !v->u.s.len)
			return errf(L, &v->pos,
				    "'%s' must be a non-empty pattern string",
				    op_keys[c.op]);
		c.pattern = v->u.s.ptr;
		c.re = compile(L, c.pattern, &v->pos, "pattern");
		if (!c.re)
			bad = RG_EINVALID;
		break;
	default:
		if (v->kind == RG_INT)
			c.num = (double)v->u.i;
		else if (v->kind == RG_FLOAT)
			c.num = v->u.f;
		else
			return errf(L, &v->pos,
				    "'%s' must be a number, found %s",
				    op_keys[c.op], rg_kind_name(v->kind));
		break;
	}
	if (bad)
		return RG_EINVALID;
	*out = c;
	return 0;
}

static void load_conds(struct loader *L, struct rg_rules_cond **out, size_t *n,
		       const struct rg_node *rule, const char *key, bool *bad)
{
	const struct rg_node *s = NULL;

	*out = NULL;
	*n = 0;
	if (rg_cfg_seq(&s, &L->c, rule, key, 0) < 0) {
		*bad |= rg_map_gets(rule, key) != NULL &&
			rg_map_gets(rule, key)->kind != RG_NULL;
		return;
	}
	if (!s->u.seq.len) {
		*bad = true;
		errf(L, &s->pos, "'%s' is empty (leave it out instead)", key);
		return;
	}
	*out = rg_arena_calloc(L->a, s->u.seq.len, sizeof(**out));
	for (size_t i = 0; i < s->u.seq.len; i++)
		if (load_cond(L, &(*out)[(*n)], s->u.seq.items[i]) == 0)
			(*n)++;
		else
			*bad = true;
}

static void load_match(struct loader *L, struct rg_rules_match *m,
		       const struct rg_node *rule, bool *bad)
{
	static const char *const keys[] = {
	    "kinds",  "api_versions", "namespaces", "name",
	    "labels", "environments", NULL};
	const struct rg_node *mm = NULL, *labels = NULL;
	const char *name = NULL;
	size_t before = L->errs->len;

	if (rg_cfg_map(&mm, &L->c, rule, "match", 0) < 0) {
		*bad |= L->errs->len != before;
		return;
	}
	rg_cfg_check_keys(&L->c, mm, keys);
	rg_cfg_strlist(&m->kinds, &m->nkinds, &L->c, mm, "kinds",
		       RG_CFG_NONEMPTY);
	rg_cfg_strlist(&m->api_versions, &m->napi_versions, &L->c, mm,
		       "api_versions", RG_CFG_NONEMPTY);
	load_globs(L, &m->namespaces, &m->nnamespaces, mm, "namespaces", 0);
	load_globs(L, &m->environments, &m->nenvironments, mm, "environments",
		   0);
	load_str(L, &name, mm, "name", RG_CFG_NONEMPTY);
	if (name) {
		m->name_text = name;
		m->name_pos = *pos_of(mm, "name");
		m->name = compile(L, name, &m->name_pos, "name pattern");
	}
	if (rg_cfg_map(&labels, &L->c, mm, "labels", 0) == 0) {
		m->labels = rg_arena_calloc(L->a, labels->u.map.len + 1,
					    sizeof(*m->labels));
		for (size_t i = 0; i < labels->u.map.len; i++) {
			const struct rg_pair *pr = &labels->u.map.items[i];
			const char *v = NULL;
			char what[300];

			snprintf(what, sizeof(what), "label '%.200s'",
				 pr->key.ptr);
			if (rg_cfg_node_str(&v, &L->c, pr->val, what, 0) < 0)
				continue;
			m->labels[m->nlabels].key = pr->key.ptr;
			m->labels[m->nlabels++].value = v;
		}
	}
	*bad |= L->errs->len != before;
}

static void load_rule(struct loader *L, const struct rg_node *it)
{
	static const char *const keys[] = {"id",      "severity", "description",
					   "match",   "all",	  "any",
					   "message", "hint",	  NULL};
	static const char *const sevs[] = {"deny", "warn", NULL};
	struct rg_rules_rule r = {0};
	const struct rg_rules_rule *dup;
	struct rg_err e = RG_ERR_INIT;
	size_t before = L->errs->len;
	bool bad = false;
	int sev = 0;

	if (rg_cfg_expect(&L->c, it, RG_MAP, "rule") < 0)
		return;
	rg_cfg_check_keys(&L->c, it, keys);
	if (rg_cfg_str(&r.id, &L->c, it, "id",
		       RG_CFG_REQUIRED | RG_CFG_NONEMPTY) == 0) {
		if (!id_ok(r.id))
			errf(L, pos_of(it, "id"),
			     "rule id '%s' must be lower-case letters, digits, "
			     "'.', '_' and '-' (at most 128, starting with a "
			     "letter or digit)",
			     r.id);
		else if (!strncmp(r.id, "policy.", 7))
			errf(L, pos_of(it, "id"),
			     "rule id '%s': ids starting with 'policy.' are "
			     "reserved for rendergate's own checks",
			     r.id);
	}
	rg_cfg_enum(&sev, &L->c, it, "severity", sevs, 0);
	r.severity = sev == 1 ? RG_SEV_WARN : RG_SEV_DENY;
	load_str(L, &r.description, it, "description", RG_CFG_NONEMPTY);
	load_match(L, &r.match, it, &bad);
	load_conds(L, &r.all, &r.nall, it, "all", &bad);
	load_conds(L, &r.any, &r.nany, it, "any", &bad);
	load_str(L, &r.message, it, "message", RG_CFG_NONEMPTY);
	load_str(L, &r.hint, it, "hint", RG_CFG_NONEMPTY);
	if (r.message && rg_rules_template_check(r.message, &e) < 0)
		errf(L, pos_of(it, "message"), "'message': %s", e.msg);
	if (r.hint && rg_rules_template_check(r.hint, &e) < 0)
		errf(L, pos_of(it, "hint"), "'hint': %s", e.msg);
	r.pos = it->pos;
	if (bad || L->errs->len != before || !r.id)
		return;
	if (L->p->nrules >= RG_CAP_POLICY_RULES) {
		/* once: nrules stays at the cap */
		if (!L->rules_over)
			errf(L, &it->pos,
			     "more than %u rules in the policy "
			     "(RG_CAP_POLICY_RULES)",
			     RG_CAP_POLICY_RULES);
		L->rules_over = true;
		return;
	}
	dup = id_insert(L, r.id, L->p->nrules);
	if (dup) {
		errf(L, pos_of(it, "id"),
		     "rule id '%s' is already used at %s:%u:%u", r.id,
		     dup->pos.file ? dup->pos.file : "?", dup->pos.line,
		     dup->pos.col);
		return;
	}
	L->p->rules = grow(L->a, L->p->rules, &L->rules_alloc, L->p->nrules + 1,
			   sizeof(*L->p->rules));
	L->p->rules[L->p->nrules++] = r;
}

static void load_rules(struct loader *L, const struct rg_node *root)
{
	const struct rg_node *s = NULL;

	if (rg_cfg_seq(&s, &L->c, root, "rules", 0) < 0)
		return;
	for (size_t i = 0; i < s->u.seq.len; i++)
		load_rule(L, s->u.seq.items[i]);
}

/* --- push, owners (admin only) ---------------------------------------------
 */

static bool admin_only(struct loader *L, const struct rg_node *root,
		       const char *key)
{
	const struct rg_pos *at = NULL;

	for (size_t i = 0; i < root->u.map.len; i++)
		if (!strcmp(root->u.map.items[i].key.ptr, key))
			at = &root->u.map.items[i].key_pos;
	if (!at || L->origin == RG_POLICY_ADMIN)
		return true;
	errf(L, at,
	     "'%s' may only be set in an admin policy file, not in the "
	     "repository's",
	     key);
	return false;
}

/* Add l[0..n) to the end of a list gathered over several files. */
static void append_strs(struct loader *L, const char ***list, size_t *len,
			const char **l, size_t n)
{
	const char **all;

	if (!n)
		return;
	all = rg_arena_calloc(L->a, *len + n, sizeof(*all));
	if (*len)
		memcpy(all, *list, *len * sizeof(*all));
	memcpy(all + *len, l, n * sizeof(*all));
	*list = all;
	*len += n;
}

static void load_push(struct loader *L, const struct rg_node *root)
{
	static const char *const keys[] = {"direct", "branches", "bypass_users",
					   "hint", NULL};
	static const char *const modes[] = {"deny", "allow", NULL};
	const struct rg_node *m = NULL;
	const char **l = NULL;
	size_t n = 0;
	int mode = 0;

	if (!admin_only(L, root, "push") ||
	    rg_cfg_map(&m, &L->c, root, "push", 0) < 0)
		return;
	rg_cfg_check_keys(&L->c, m, keys);
	if (rg_cfg_enum(&mode, &L->c, m, "direct", modes, 0) == 0)
		L->p->direct_push_allowed = mode == 1;
	load_globs(L, &l, &n, m, "branches", 0);
	append_strs(L, &L->p->push_branches, &L->p->npush_branches, l, n);
	l = NULL;
	n = 0;
	rg_cfg_strlist(&l, &n, &L->c, m, "bypass_users", RG_CFG_NONEMPTY);
	append_strs(L, &L->p->bypass_users, &L->p->nbypass_users, l, n);
	load_str(L, &L->p->push_hint, m, "hint", RG_CFG_NONEMPTY);
}

static void load_owners(struct loader *L, const struct rg_node *root)
{
	static const char *const keys[] = {"paths", "users", "groups", "min",
					   NULL};
	struct rg_policy_owners *o = &L->p->owners;
	const struct rg_node *m = NULL;

	if (!admin_only(L, root, "owners") ||
	    rg_cfg_map(&m, &L->c, root, "owners", 0) < 0)
		return;
	if (o->set) {
		errf(L, &m->pos, "'owners' is already set at %s:%u:%u",
		     o->pos.file ? o->pos.file : "?", o->pos.line, o->pos.col);
		return;
	}
	rg_cfg_check_keys(&L->c, m, keys);
	o->set = true;
	o->pos = m->pos;
	o->min = 1;
	load_globs(L, &o->paths, &o->npaths, m, "paths", RG_CFG_REQUIRED);
	rg_cfg_strlist(&o->users, &o->nusers, &L->c, m, "users",
		       RG_CFG_NONEMPTY);
	rg_cfg_strlist(&o->groups, &o->ngroups, &L->c, m, "groups",
		       RG_CFG_NONEMPTY);
	rg_cfg_int(&o->min, &L->c, m, "min", 1, 100, 0);
	if (!o->nusers && !o->ngroups)
		errf(L, &m->pos, "'owners' needs 'users' or 'groups'");
}

/* --- approvals, promotion, versions ------------------------------------- */

static void load_approvals(struct loader *L, const struct rg_node *root)
{
	static const char *const keys[] = {
	    "branches", "environments", "min", "users",
	    "groups",	"timeout",	NULL};
	const struct rg_node *s = NULL;

	if (rg_cfg_seq(&s, &L->c, root, "approvals", 0) < 0)
		return;
	for (size_t i = 0; i < s->u.seq.len; i++) {
		const struct rg_node *it = s->u.seq.items[i];
		struct rg_policy_approval ap = {0};
		size_t before = L->errs->len;

		if (rg_cfg_expect(&L->c, it, RG_MAP, "'approvals' entry") < 0)
			continue;
		rg_cfg_check_keys(&L->c, it, keys);
		ap.min = 1;
		ap.pos = it->pos;
		load_globs(L, &ap.branches, &ap.nbranches, it, "branches", 0);
		load_globs(L, &ap.environments, &ap.nenvironments, it,
			   "environments", 0);
		rg_cfg_int(&ap.min, &L->c, it, "min", 1, 100, 0);
		rg_cfg_strlist(&ap.users, &ap.nusers, &L->c, it, "users",
			       RG_CFG_NONEMPTY);
		rg_cfg_strlist(&ap.groups, &ap.ngroups, &L->c, it, "groups",
			       RG_CFG_NONEMPTY);
		rg_cfg_duration(&ap.timeout_ms, &L->c, it, "timeout", 0);
		if (!ap.nbranches && !ap.nenvironments)
			errf(L, &it->pos,
			     "an 'approvals' entry needs 'branches' or "
			     "'environments'");
		if (L->errs->len != before)
			continue;
		L->p->approvals =
		    grow(L->a, L->p->approvals, &L->appr_alloc,
			 L->p->napprovals + 1, sizeof(*L->p->approvals));
		L->p->approvals[L->p->napprovals++] = ap;
	}
}

static void load_promotion(struct loader *L, const struct rg_node *root)
{
	static const char *const keys[] = {"enforce", "soak", "stages", NULL};
	static const char *const skeys[] = {"name", "soak", NULL};
	struct rg_policy_promotion *pr = &L->p->promotion;
	const struct rg_node *m = NULL, *st = NULL;
	bool enforce = true;

	if (rg_cfg_map(&m, &L->c, root, "promotion", 0) < 0)
		return;
	rg_cfg_check_keys(&L->c, m, keys);
	/* several files: enforcement and soak times only add up */
	rg_cfg_bool(&enforce, &L->c, m, "enforce", 0);
	if (!pr->set || enforce)
		pr->enforce = enforce || pr->enforce;
	if (!pr->set)
		pr->pos = m->pos;
	pr->set = true;
	{
		uint64_t soak = 0;

		if (rg_cfg_duration(&soak, &L->c, m, "soak", 0) == 0 &&
		    soak > pr->soak_ms)
			pr->soak_ms = soak;
	}
	if (rg_cfg_seq(&st, &L->c, m, "stages", 0) < 0)
		return;
	pr->soaks =
	    rg_arena_grow(L->a, pr->soaks, pr->nsoaks,
			  pr->nsoaks + st->u.seq.len + 1, sizeof(*pr->soaks));
	for (size_t i = 0; i < st->u.seq.len; i++) {
		const struct rg_node *it = st->u.seq.items[i];
		struct rg_policy_soak so = {0};

		if (rg_cfg_expect(&L->c, it, RG_MAP, "'stages' entry") < 0)
			continue;
		rg_cfg_check_keys(&L->c, it, skeys);
		if (rg_cfg_str(&so.stage, &L->c, it, "name",
			       RG_CFG_REQUIRED | RG_CFG_NONEMPTY) < 0 ||
		    rg_cfg_duration(&so.ms, &L->c, it, "soak",
				    RG_CFG_REQUIRED) < 0)
			continue;
		so.pos = it->pos;
		pr->soaks[pr->nsoaks++] = so;
	}
}

static void load_component(struct loader *L, const struct rg_node *it)
{
	static const char *const keys[] = {"name", "image",  "release", "label",
					   "kind", "object", NULL};
	struct rg_policy_component co = {0};
	size_t before = L->errs->len;
	const char *img = NULL;
	int nfrom = 0;

	if (rg_cfg_expect(&L->c, it, RG_MAP, "'components' entry") < 0)
		return;
	rg_cfg_check_keys(&L->c, it, keys);
	rg_cfg_str(&co.name, &L->c, it, "name",
		   RG_CFG_REQUIRED | RG_CFG_NONEMPTY);
	if (rg_cfg_str(&img, &L->c, it, "image", RG_CFG_NONEMPTY) == 0) {
		nfrom++;
		co.from = RG_POLICY_VERSION_IMAGE;
		co.image_text = img;
		co.image =
		    compile(L, img, pos_of(it, "image"), "image pattern");
	}
	if (rg_cfg_str(&co.release, &L->c, it, "release", RG_CFG_NONEMPTY) ==
	    0) {
		nfrom++;
		co.from = RG_POLICY_VERSION_CHART;
	}
	if (rg_cfg_str(&co.label, &L->c, it, "label", RG_CFG_NONEMPTY) == 0) {
		nfrom++;
		co.from = RG_POLICY_VERSION_LABEL;
	}
	rg_cfg_str(&co.kind, &L->c, it, "kind", RG_CFG_NONEMPTY);
	rg_cfg_str(&co.object, &L->c, it, "object", RG_CFG_NONEMPTY);
	if (nfrom != 1)
		errf(L, &it->pos,
		     "a component needs exactly one of 'image', 'release' or "
		     "'label'");
	else if ((co.kind || co.object) && co.from != RG_POLICY_VERSION_LABEL)
		errf(L, &it->pos, "'kind' and 'object' go with 'label' only");
	for (size_t i = 0; co.name && i < L->p->ncomponents; i++)
		if (!strcmp(L->p->components[i].name, co.name))
			errf(L, pos_of(it, "name"),
			     "component '%s' is already defined at %s:%u:%u",
			     co.name, L->p->components[i].pos.file,
			     L->p->components[i].pos.line,
			     L->p->components[i].pos.col);
	if (L->errs->len != before)
		return;
	co.pos = it->pos;
	L->p->components =
	    grow(L->a, L->p->components, &L->comp_alloc, L->p->ncomponents + 1,
		 sizeof(*L->p->components));
	L->p->components[L->p->ncomponents++] = co;
}

/* `when:` or `require:`: a mapping of component name -> semver range. */
static int load_vterms(struct loader *L, struct rg_policy_vterm **out,
		       size_t *n, const struct rg_node *it, const char *key)
{
	const struct rg_node *m = NULL;
	int bad = 0;

	if (rg_cfg_map(&m, &L->c, it, key, RG_CFG_REQUIRED) < 0)
		return RG_EINVALID;
	if (!m->u.map.len)
		return errf(L, &m->pos, "'%s' is empty", key);
	*out = rg_arena_calloc(L->a, m->u.map.len, sizeof(**out));
	*n = m->u.map.len;
	for (size_t i = 0; i < m->u.map.len; i++) {
		const struct rg_pair *pr = &m->u.map.items[i];
		struct rg_policy_vterm *t = &(*out)[i];
		struct rg_err e = RG_ERR_INIT;
		const char *range = NULL;
		char what[300];

		snprintf(what, sizeof(what), "range of '%.200s'", pr->key.ptr);
		if (rg_cfg_node_str(&range, &L->c, pr->val, what,
				    RG_CFG_NONEMPTY) < 0) {
			bad = RG_EINVALID;
			continue;
		}
		if (rg_semver_constraints_parse(&t->c, L->a, range,
						strlen(range), &e) < 0) {
			bad = errf(L, &pr->val->pos,
				   "bad version range '%s': %s", range, e.msg);
			continue;
		}
		t->range = range;
		t->pos = pr->val->pos;
		L->vrefs = grow(L->a, L->vrefs, &L->vrefs_alloc, L->nvrefs + 1,
				sizeof(*L->vrefs));
		L->vrefs[L->nvrefs].term = t;
		L->vrefs[L->nvrefs].name = pr->key.ptr;
		L->vrefs[L->nvrefs].pos = pr->key_pos;
		L->vrefs[L->nvrefs++].file = L->c.file;
	}
	return bad;
}

static void load_versions(struct loader *L, const struct rg_node *root)
{
	static const char *const keys[] = {"components", "constraints", NULL};
	static const char *const ckeys[] = {"when", "require", "message", NULL};
	const struct rg_node *m = NULL, *s = NULL;

	if (rg_cfg_map(&m, &L->c, root, "versions", 0) < 0)
		return;
	rg_cfg_check_keys(&L->c, m, keys);
	if (rg_cfg_seq(&s, &L->c, m, "components", 0) == 0)
		for (size_t i = 0; i < s->u.seq.len; i++)
			load_component(L, s->u.seq.items[i]);
	if (rg_cfg_seq(&s, &L->c, m, "constraints", 0) < 0)
		return;
	for (size_t i = 0; i < s->u.seq.len; i++) {
		const struct rg_node *it = s->u.seq.items[i];
		struct rg_policy_constraint cs = {0};
		int bad = 0;

		if (rg_cfg_expect(&L->c, it, RG_MAP, "'constraints' entry") < 0)
			continue;
		rg_cfg_check_keys(&L->c, it, ckeys);
		bad |= load_vterms(L, &cs.when, &cs.nwhen, it, "when");
		bad |= load_vterms(L, &cs.require, &cs.nrequire, it, "require");
		load_str(L, &cs.message, it, "message", RG_CFG_NONEMPTY);
		if (bad)
			continue;
		cs.pos = it->pos;
		L->p->constraints =
		    grow(L->a, L->p->constraints, &L->cons_alloc,
			 L->p->nconstraints + 1, sizeof(*L->p->constraints));
		L->p->constraints[L->p->nconstraints++] = cs;
	}
}

/* Constraints may name components of any file: resolve them at the end. */
static void resolve_components(struct loader *L)
{
	for (size_t i = 0; i < L->nvrefs; i++) {
		struct vref *v = &L->vrefs[i];

		for (size_t j = 0; j < L->p->ncomponents; j++)
			if (!strcmp(L->p->components[j].name, v->name))
				v->term->component = &L->p->components[j];
		if (!v->term->component) {
			L->c.file = v->file;
			errf(L, &v->pos,
			     "unknown component '%s' (define it under "
			     "versions.components)",
			     v->name);
		}
	}
}

/* --- files -----------------------------------------------------------------
 */

static void load_file(struct loader *L, const struct rg_policy_file *f,
		      struct rg_policy_layer *ly)
{
	static const char *const keys[] = {
	    "version",	  "images", "sources",	 "rules",
	    "namespaces", "push",   "approvals", "promotion",
	    "versions",	  "owners", NULL};
	struct rg_node *root = NULL;
	int64_t version = 1;

	rg_cfg_init(&L->c, L->a, L->errs, rg_arena_strdup(L->a, f->name));
	L->origin = f->origin;
	ly->file = L->c.file;
	ly->origin = f->origin;
	ly->forbid_latest = ly->require_tag = -1;
	if (rg_cfg_parse(&root, &L->c, f->data, f->len) < 0)
		return;
	rg_cfg_check_keys(&L->c, root, keys);
	rg_cfg_int(&version, &L->c, root, "version", 1, 1, 0);
	load_images(L, ly, root);
	load_sources(L, ly, root);
	load_namespaces(L, ly, root);
	load_rules(L, root);
	load_push(L, root);
	load_owners(L, root);
	load_approvals(L, root);
	load_promotion(L, root);
	load_versions(L, root);
}

/* Tag rules over all files: any "true" wins, else any "false", else on. */
static bool effective(const struct rg_policy *p, bool latest)
{
	bool any_false = false;

	for (size_t i = 0; i < p->nlayers; i++) {
		const struct rg_policy_layer *ly = &p->layers[i];
		int8_t v = latest ? ly->forbid_latest : ly->require_tag;

		if (v == 1)
			return true;
		any_false |= v == 0;
	}
	return !any_false;
}

static void free_owned(struct owned *o)
{
	for (size_t i = 0; i < o->len; i++)
		rg_regex_free(o->items[i]);
	free(o->items);
	o->items = NULL;
	o->len = o->alloc = 0;
}

int rg_policy_load(struct rg_policy **out, struct rg_arena *a,
		   const struct rg_policy_file *files, size_t n,
		   struct rg_errlist *errs)
{
	struct loader L = {0};
	size_t before = errs->len + errs->dropped;
	size_t nslots = 16;
	int ret = 0;

	if (n > RG_CAP_POLICY_FILES) {
		rg_errlist_addf(
		    errs, RG_ELIMIT, NULL,
		    "more than %u policy files (RG_CAP_POLICY_FILES)",
		    RG_CAP_POLICY_FILES);
		return RG_ELIMIT;
	}
	while (nslots < 2 * RG_CAP_POLICY_RULES)
		nslots *= 2;
	L.a = a;
	L.errs = errs;
	L.box = rg_arena_alloc(a, sizeof(*L.box));
	L.p = &L.box->p;
	L.p->arena = a;
	L.ids = rg_xcalloc(nslots, sizeof(*L.ids));
	L.nids_slots = nslots;
	L.p->layers = rg_arena_calloc(a, n + 1, sizeof(*L.p->layers));
	for (size_t i = 0; i < n; i++)
		load_file(&L, &files[i], &L.p->layers[L.p->nlayers++]);
	resolve_components(&L);
	L.p->forbid_latest = effective(L.p, true);
	L.p->require_tag = effective(L.p, false);
	free(L.ids);
	if (errs->len + errs->dropped != before) {
		free_owned(&L.box->owned);
		ret = RG_EINVALID;
		goto out;
	}
	*out = L.p;
out:
	return ret;
}

void rg_policy_free(struct rg_policy *p)
{
	/* p is the first member of its box (see rg_policy_load) */
	if (p)
		free_owned(&((struct policy_box *)(void *)p)->owned);
}
