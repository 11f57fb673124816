#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/finding.h"
#include "rendergate/objects.h"
#include "rendergate/policy.h"
#include "rendergate/policy-versions.h"
#include "rendergate/regex.h"
#include "rendergate/semver.h"

static void add_version(struct rg_policy_compvers *out, struct rg_arena *a,
			const struct rg_policy_component *c,
			const char *version, const struct rg_pos *pos,
			const char *object)
{
	struct rg_policy_compver *v;

	for (size_t i = 0; i < out->len; i++)
		if (out->items[i].component == c &&
		    !strcmp(out->items[i].version, version))
			return;
	if (out->len == out->alloc) {
		size_t n = out->alloc ? out->alloc * 2 : 8;

		out->items = rg_arena_grow(a, out->items, out->alloc, n,
					   sizeof(*out->items));
		out->alloc = n;
	}
	v = &out->items[out->len++];
	v->component = c;
	v->version = version;
	v->pos = pos ? *pos : (struct rg_pos){NULL, 0, 0};
	v->object = object;
}

struct collect {
	struct rg_policy_compvers *out;
	struct rg_arena *a;
	const struct rg_policy *p;
	const struct rg_obj *o;
	struct rg_err *err;
};

static int image_version(void *vctx, const struct rg_images_use *u)
{
	struct collect *cx = vctx;
	struct rg_images_ref ref;
	const char *img = rg_node_cstr(u->node);

	if (!img ||
	    rg_images_parse_ref(&ref, cx->a, img, u->node->u.s.len, NULL) < 0 ||
	    !ref.tag)
		return 0;
	for (size_t i = 0; i < cx->p->ncomponents; i++) {
		const struct rg_policy_component *c = &cx->p->components[i];
		bool m = false;
		int ret;

		if (c->from != RG_POLICY_VERSION_IMAGE)
			continue;
		ret = rg_regex_match(&m, c->image, ref.name, strlen(ref.name),
				     cx->err);
		if (ret < 0)
			return rg_err_set(cx->err, ret, &c->pos,
					  "could not decide: component '%s' "
					  "image pattern '%s' on '%.100s'",
					  c->name, c->image_text, ref.name);
		if (m)
			add_version(cx->out, cx->a, c, ref.tag, &u->node->pos,
				    cx->o->key);
	}
	return 0;
}

static void label_versions(struct collect *cx)
{
	const struct rg_node *labels =
	    rg_node_path(cx->o->doc, "metadata.labels");

	for (size_t i = 0; labels && i < cx->p->ncomponents; i++) {
		const struct rg_policy_component *c = &cx->p->components[i];
		const struct rg_node *v;

		if (c->from != RG_POLICY_VERSION_LABEL ||
		    (c->kind && strcmp(c->kind, cx->o->kind) != 0) ||
		    (c->object && strcmp(c->object, cx->o->name) != 0))
			continue;
		v = rg_map_gets(labels, c->label);
		if (rg_node_cstr(v) && v->u.s.len)
			add_version(cx->out, cx->a, c, v->u.s.ptr, &v->pos,
				    cx->o->key);
	}
}

int rg_policy_versions_collect(struct rg_policy_compvers *out,
			       struct rg_arena *a, const struct rg_policy *p,
			       const struct rg_objset *set,
			       const struct rg_policy_release *rels,
			       size_t nrels, struct rg_err *err)
{
	struct collect cx = {out, a, p, NULL, err};
	int ret = 0;

	if (!p->ncomponents)
		return 0;
	for (size_t i = 0; set && i < set->len && !ret; i++) {
		struct rg_rules_pod pod;

		cx.o = &set->items[i];
		rg_images_pod_view(&pod, cx.o->doc, p->custom, p->ncustom, a);
		ret = rg_images_each(cx.o->doc, &pod, p->custom, p->ncustom,
				     image_version, &cx, err);
		label_versions(&cx);
	}
	for (size_t i = 0; i < nrels && !ret; i++)
		for (size_t j = 0; j < p->ncomponents; j++) {
			const struct rg_policy_component *c = &p->components[j];

			if (c->from == RG_POLICY_VERSION_CHART &&
			    !strcmp(c->release, rels[i].name) &&
			    rels[i].version && rels[i].version[0])
				add_version(out, a, c, rels[i].version,
					    &rels[i].pos, NULL);
		}
	return ret;
}

const struct rg_policy_compver *
rg_policy_versions_find(const struct rg_policy_compvers *v, const char *name,
			size_t *n)
{
	const struct rg_policy_compver *first = NULL;

	*n = 0;
	for (size_t i = 0; i < v->len; i++) {
		if (strcmp(v->items[i].component->name, name) != 0)
			continue;
		/* versions of one component are not adjacent in general */
		if (!first)
			first = &v->items[i];
		(*n)++;
	}
	return first;
}

/* "file:line" of a position, for messages. */
static const char *at(struct rg_arena *a, const struct rg_pos *pos)
{
	if (!pos->file)
		return "an unknown place";
	return rg_arena_printf(a, "%s:%u", pos->file, pos->line);
}

/* Does version s satisfy c? *bad when s is not a semantic version. */
static bool satisfies(struct rg_arena *a, const struct rg_semver_constraints *c,
		      const char *s, bool *bad)
{
	struct rg_semver v;

	*bad = rg_semver_parse(&v, a, s, strlen(s), NULL) < 0;
	return !*bad && rg_semver_check(c, &v);
}

static void invalid(struct rg_findings *out, const char *env,
		    const struct rg_policy_compver *v)
{
	struct rg_finding *fd = rg_finding_add(
	    out, RG_SEV_DENY, "policy.version-invalid", &v->pos,
	    "version '%s' of component %s is not a semantic version, so "
	    "the version constraints cannot be checked",
	    v->version, v->component->name);

	if (fd) {
		fd->env = env;
		fd->object = v->object;
	}
	rg_finding_set_hint(out, fd,
			    "use a version like 1.2.3 (a leading v is fine)");
}

/* Do all versions of the term's component satisfy its range? Also the
 * first version (for messages). */
static bool term_holds(struct rg_arena *a, const struct rg_policy_vterm *t,
		       const struct rg_policy_compvers *v,
		       const struct rg_policy_compver **first)
{
	size_t n = 0;
	bool bad = false;

	*first = NULL;
	for (size_t i = 0; i < v->len; i++) {
		if (v->items[i].component != t->component)
			continue;
		if (!*first)
			*first = &v->items[i];
		n++;
		if (!satisfies(a, t->c, v->items[i].version, &bad))
			return false;
	}
	return n > 0;
}

static const char *because(struct rg_arena *a,
			   const struct rg_policy_constraint *cs,
			   const struct rg_policy_compver *const *whens)
{
	const char *s = "";

	for (size_t i = 0; i < cs->nwhen; i++)
		s = rg_arena_printf(a, "%s%s%s is %s (set at %s)", s,
				    i ? " and " : "",
				    cs->when[i].component->name,
				    whens[i]->version, at(a, &whens[i]->pos));
	return s;
}

static void check_constraint(struct rg_findings *out, const char *env,
			     const struct rg_policy_constraint *cs,
			     const struct rg_policy_compvers *v)
{
	struct rg_arena *a = out->arena;
	const struct rg_policy_compver **whens =
	    rg_arena_calloc(a, cs->nwhen, sizeof(*whens));
	const char *why;

	for (size_t i = 0; i < cs->nwhen; i++)
		if (!term_holds(a, &cs->when[i], v, &whens[i]))
			return;
	why = because(a, cs, whens);
	for (size_t i = 0; i < cs->nrequire; i++) {
		const struct rg_policy_vterm *t = &cs->require[i];
		struct rg_finding *fd;
		size_t n = 0;

		for (size_t j = 0; j < v->len; j++) {
			const struct rg_policy_compver *x = &v->items[j];
			bool bad = false;

			if (x->component != t->component)
				continue;
			n++;
			if (satisfies(a, t->c, x->version, &bad))
				continue;
			if (bad) {
				invalid(out, env, x);
				continue;
			}
			fd = rg_finding_add(
			    out, RG_SEV_DENY, "policy.version-set", &x->pos,
			    "%s %s (set here) is not %s, which "
			    "it must be because %s",
			    t->component->name, x->version, t->range, why);
			if (fd) {
				fd->env = env;
				fd->object = x->object;
			}
			rg_finding_set_hint(
			    out, fd, "%s",
			    cs->message ? cs->message
					: rg_arena_printf(
					      a,
					      "move %s to a version matching "
					      "%s, or keep the other "
					      "components below their ranges "
					      "(constraint at %s)",
					      t->component->name, t->range,
					      at(a, &cs->pos)));
		}
		if (n)
			continue;
		fd = rg_finding_add(out, RG_SEV_DENY, "policy.version-set",
				    &whens[0]->pos,
				    "%s must be deployed at %s because %s, but "
				    "environment %s has no version of it",
				    t->component->name, t->range, why, env);
		if (fd) {
			fd->env = env;
			fd->object = whens[0]->object;
		}
		rg_finding_set_hint(out, fd, "%s",
				    cs->message ? cs->message
						: "deploy the required "
						  "component, or keep this "
						  "one below its range");
	}
}

int rg_policy_check_versions(struct rg_findings *out, const struct rg_policy *p,
			     const char *env,
			     const struct rg_policy_compvers *v,
			     struct rg_err *err)
{
	for (size_t i = 0; i < p->nconstraints; i++) {
		const struct rg_policy_constraint *cs = &p->constraints[i];

		/* a bad version in a `when` component is reported once */
		for (size_t w = 0; w < cs->nwhen; w++)
			for (size_t j = 0; j < v->len; j++) {
				bool bad = false;

				if (v->items[j].component !=
				    cs->when[w].component)
					continue;
				satisfies(out->arena, cs->when[w].c,
					  v->items[j].version, &bad);
				if (bad)
					invalid(out, env, &v->items[j]);
			}
		check_constraint(out, env, cs, v);
	}
	return 0;
}

int rg_policy_check_chart_deps(struct rg_findings *out, const char *env,
			       const struct rg_node *chart,
			       const struct rg_policy_subchart *subs, size_t n,
			       struct rg_err *err)
{
	const struct rg_node *deps = rg_map_gets(chart, "dependencies");
	struct rg_arena *a = out->arena;

	for (size_t i = 0; deps && deps->kind == RG_SEQ && i < deps->u.seq.len;
	     i++) {
		const struct rg_node *d = deps->u.seq.items[i];
		const struct rg_node *rn = rg_map_gets(d, "version");
		const char *name = rg_node_cstr(rg_map_gets(d, "name"));
		const char *range = rg_node_cstr(rn);
		struct rg_semver_constraints *c = NULL;
		struct rg_err e = RG_ERR_INIT;
		struct rg_finding *fd = NULL;

		if (!name || !range || !range[0])
			continue;
		for (size_t j = 0; j < n; j++) {
			struct rg_semver v;
			struct rg_buf why = RG_BUF_INIT(1024);

			if (strcmp(subs[j].name, name) != 0)
				continue;
			if (!c && rg_semver_constraints_parse(
				      &c, a, range, strlen(range), &e) < 0) {
				fd = rg_finding_add(
				    out, RG_SEV_DENY, "policy.chart-dependency",
				    &rn->pos,
				    "dependency %s: bad version range "
				    "'%s': %s",
				    name, range, e.msg);
				break;
			}
			if (rg_semver_parse(&v, a, subs[j].version,
					    strlen(subs[j].version), &e) < 0) {
				fd = rg_finding_add(
				    out, RG_SEV_DENY, "policy.chart-dependency",
				    &subs[j].pos,
				    "vendored subchart %s has version "
				    "'%s', which is not a semantic version",
				    name, subs[j].version);
			} else if (!rg_semver_validate(c, &v, &why)) {
				fd = rg_finding_add(
				    out, RG_SEV_DENY, "policy.chart-dependency",
				    &subs[j].pos,
				    "vendored subchart %s %s does not "
				    "satisfy the dependency range '%s' "
				    "(%s:%u): %s",
				    name, subs[j].version, range,
				    rn->pos.file ? rn->pos.file : "?",
				    rn->pos.line, why.ptr);
				rg_finding_set_hint(
				    out, fd,
				    "vendor a %s version matching '%s' "
				    "(helm dependency update), or change "
				    "the range in Chart.yaml",
				    name, range);
			}
			rg_buf_release(&why);
			if (fd)
				fd->env = env;
			fd = NULL;
		}
		if (fd)
			fd->env = env;
	}
	return 0;
}
