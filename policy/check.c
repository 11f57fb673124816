#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/cfgread.h"
#include "rendergate/finding.h"
#include "rendergate/objects.h"
#include "rendergate/policy.h"
#include "rendergate/policy-approvals.h"
#include "rendergate/regex.h"

/* One object being checked. */
struct ctx {
	struct rg_findings *out;
	const struct rg_policy *p;
	const char *env;
	const struct rg_obj *o;
	const char *label; /* "Deployment prod/web" */
	struct rg_rules_subject subj;
	struct rg_arena *a;
	struct rg_err *err;
};

/* The field's position when it has one, else the object's. */
static const struct rg_pos *where(const struct ctx *cx, const struct rg_node *n)
{
	return n && n->pos.line ? &n->pos : &cx->o->origin;
}

static struct rg_finding *add(struct ctx *cx, enum rg_severity sev,
			      const char *rule, const struct rg_node *at,
			      const char *msg)
{
	struct rg_finding *fd =
	    rg_finding_add(cx->out, sev, rule, where(cx, at), "%s", msg);

	if (fd) {
		fd->env = cx->env;
		fd->object = cx->o->key;
	}
	return fd;
}

/*
 * Does any pattern of the list match s? *which gets the first that does.
 * A pattern that cannot decide is an error at its place in the policy.
 */
static int match_any(const struct rg_policy_pattern **which,
		     const struct rg_policy_patterns *l, const char *s,
		     struct rg_err *err)
{
	*which = NULL;
	for (size_t i = 0; i < l->len; i++) {
		bool m = false;
		int ret = rg_regex_match(&m, l->items[i].re, s, strlen(s), err);

		if (ret < 0) {
			char why[RG_ERR_MSG_MAX];

			memcpy(why, err->msg, sizeof(why));
			return rg_err_set(err, ret, &l->items[i].pos,
					  "could not decide: pattern '%s' on "
					  "'%.100s': %s",
					  l->items[i].text, s, why);
		}
		if (m) {
			*which = &l->items[i];
			return 0;
		}
	}
	return 0;
}

/* "'^a', '^b', '^c' and 2 more" for hints. */
static const char *list_patterns(struct rg_arena *a,
				 const struct rg_policy_patterns *l)
{
	const char *s = "";

	for (size_t i = 0; i < l->len && i < 3; i++)
		s = rg_arena_printf(a, "%s%s'%s'", s, i ? ", " : "",
				    l->items[i].text);
	if (l->len > 3)
		s = rg_arena_printf(a, "%s and %zu more", s, l->len - 3);
	return l->len ? s : "(none: the allow list is empty)";
}

/* --- images ----------------------------------------------------------------
 */

static bool env_in(const char *env, const char **globs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (env && rg_cfg_glob_match(globs[i], env))
			return true;
	return false;
}

/* "container 'app'" or the image's path, for messages (on demand). */
static const char *user_of(struct ctx *cx, const struct rg_images_use *u,
			   const char **who)
{
	if (!*who)
		*who = u->container ? rg_arena_printf(cx->a, "container '%s'",
						      u->container)
				    : rg_images_use_path(u, cx->a);
	return *who;
}

static int image_use(void *vctx, const struct rg_images_use *u)
{
	struct ctx *cx = vctx;
	const struct rg_policy *p = cx->p;
	struct rg_images_ref ref;
	struct rg_err e = RG_ERR_INIT;
	struct rg_finding *fd;
	const char *img = rg_node_cstr(u->node);
	const char *who = NULL;
	bool digest_needed = false;
	int ret = 0;

	if (!img) {
		fd = add(cx, RG_SEV_DENY, "policy.image-invalid", u->node,
			 rg_arena_printf(cx->a,
					 "%s: %s: image must be a string, "
					 "found %s",
					 cx->label, rg_images_use_path(u, cx->a),
					 rg_kind_name(u->node->kind)));
		rg_finding_set_hint(cx->out, fd,
				    "write the image as a string, e.g. "
				    "registry.example.com/app:1.2.3");
		return 0;
	}
	if (rg_images_parse_ref(&ref, cx->a, img, u->node->u.s.len, &e) < 0) {
		fd = add(cx, RG_SEV_DENY, "policy.image-invalid", u->node,
			 rg_arena_printf(cx->a, "%s: %s: %s", cx->label,
					 user_of(cx, u, &who), e.msg));
		rg_finding_set_hint(cx->out, fd,
				    "write the image as "
				    "[registry/]path[:tag][@sha256:digest]");
		return 0;
	}
	for (size_t i = 0; i < p->nlayers; i++) {
		const struct rg_policy_layer *ly = &p->layers[i];
		const struct rg_policy_pattern *m = NULL;

		ret = match_any(&m, &ly->image_deny, ref.normalized, cx->err);
		if (ret < 0)
			goto out;
		if (m) {
			fd =
			    add(cx, RG_SEV_DENY, "policy.image-deny", u->node,
				rg_arena_printf(cx->a,
						"%s: %s uses image '%s' (%s), "
						"denied by pattern '%s' at "
						"%s:%u",
						cx->label, user_of(cx, u, &who),
						img, ref.normalized, m->text,
						m->pos.file, m->pos.line));
			if (ly->image_hint)
				rg_finding_set_hint(cx->out, fd, "%s",
						    ly->image_hint);
			else
				rg_finding_set_hint(cx->out, fd,
						    "use an image that no deny "
						    "pattern of %s matches",
						    ly->file);
		}
		digest_needed |=
		    env_in(cx->env, ly->require_digest, ly->nrequire_digest);
		if (!ly->image_allow.set)
			continue;
		ret = match_any(&m, &ly->image_allow, ref.normalized, cx->err);
		if (ret < 0)
			goto out;
		if (!m) {
			fd =
			    add(cx, RG_SEV_DENY, "policy.image-allow", u->node,
				rg_arena_printf(cx->a,
						"%s: %s uses image '%s' (%s), "
						"which no allowed pattern of "
						"%s matches",
						cx->label, user_of(cx, u, &who),
						img, ref.normalized, ly->file));
			if (ly->image_hint)
				rg_finding_set_hint(cx->out, fd, "%s",
						    ly->image_hint);
			else
				rg_finding_set_hint(
				    cx->out, fd,
				    "use an image matching %s, or ask the "
				    "platform team to allow this registry",
				    list_patterns(cx->a, &ly->image_allow));
		}
	}
	if (p->forbid_latest && ref.tag && !strcmp(ref.tag, "latest") &&
	    !ref.digest) {
		fd = add(cx, RG_SEV_DENY, "policy.image-latest", u->node,
			 rg_arena_printf(cx->a,
					 "%s: %s uses image '%s' with the tag "
					 "'latest'",
					 cx->label, user_of(cx, u, &who), img));
		rg_finding_set_hint(cx->out, fd,
				    "pin a version tag (e.g. %s:1.2.3) or a "
				    "digest",
				    ref.name);
	}
	if (p->require_tag && !ref.tag && !ref.digest) {
		fd = add(cx, RG_SEV_DENY, "policy.image-tag", u->node,
			 rg_arena_printf(cx->a,
					 "%s: %s uses image '%s' without a tag "
					 "(it would pull 'latest')",
					 cx->label, user_of(cx, u, &who), img));
		rg_finding_set_hint(cx->out, fd,
				    "add a version tag (e.g. %s:1.2.3) or a "
				    "digest",
				    img);
	}
	if (digest_needed && !ref.digest) {
		fd = add(cx, RG_SEV_DENY, "policy.image-digest", u->node,
			 rg_arena_printf(
			     cx->a,
			     "%s: %s uses image '%s' without a "
			     "digest, which environment %s requires",
			     cx->label, user_of(cx, u, &who), img, cx->env));
		rg_finding_set_hint(
		    cx->out, fd, "pin the image by digest: %s@sha256:<digest>",
		    img);
	}
out:
	return ret;
}

/* --- generic rules ---------------------------------------------------------
 */

static const char *default_message(struct ctx *cx,
				   const struct rg_rules_rule *r,
				   const struct rg_rules_result *res)
{
	const char *what;

	if (!res->cond)
		return rg_arena_printf(cx->a, "%s: %s", cx->label,
				       r->description ? r->description
						      : "matches this rule");
	switch (res->cond->op) {
	case RG_RULES_EXISTS:
		what = "is set";
		break;
	case RG_RULES_ABSENT:
		what = "is not set";
		break;
	default:
		what = rg_rules_expand(
		    cx->a, "is {value}",
		    &(struct rg_rules_vars){.value = res->node});
		break;
	}
	if (r->description)
		return rg_arena_printf(cx->a, "%s: %s (%s %s)", cx->label,
				       r->description, res->path, what);
	return rg_arena_printf(cx->a, "%s: %s %s", cx->label, res->path, what);
}

static int check_rule(struct ctx *cx, const struct rg_rules_rule *r,
		      const struct rg_rules_pod *pod)
{
	struct rg_rules_result res;
	struct rg_rules_vars v;
	struct rg_finding *fd;
	const struct rg_node *at;
	bool ok = false;
	int ret = rg_rules_match_object(&ok, r, &cx->subj, cx->env, cx->err);

	if (ret < 0 || !ok)
		return ret;
	ret = rg_rules_eval(&ok, &res, r, cx->o->doc, pod, cx->err);
	if (ret < 0 || !ok)
		return ret;
	v = (struct rg_rules_vars){
	    r->id,   cx->o->kind, cx->o->name, cx->o->namespace,
	    cx->env, res.path,	  res.node};
	at = res.node ? res.node : res.near;
	fd = add(cx, (enum rg_severity)r->severity, r->id, at,
		 r->message
		     ? rg_arena_printf(cx->a, "%s: %s", cx->label,
				       rg_rules_expand(cx->a, r->message, &v))
		     : default_message(cx, r, &res));
	if (fd && r->hint)
		fd->hint = rg_rules_expand(cx->a, r->hint, &v);
	return 0;
}

/* --- namespace ownership ---------------------------------------------------
 */

static void check_namespace(struct ctx *cx)
{
	const char *ns = cx->o->namespace;
	const struct rg_node *at =
	    rg_node_path(cx->o->doc, "metadata.namespace");

	if (!strcmp(cx->o->kind, "Namespace") && !cx->o->group[0]) {
		ns = cx->o->name;
		at = rg_node_path(cx->o->doc, "metadata.name");
	}
	if (!ns || !ns[0])
		return;
	for (size_t i = 0; i < cx->p->nlayers; i++) {
		const struct rg_policy_layer *ly = &cx->p->layers[i];

		for (size_t j = 0; j < ly->nnamespaces; j++) {
			const struct rg_policy_nsown *no = &ly->namespaces[j];
			struct rg_finding *fd;
			const char *allowed = "";

			if (!env_in(cx->env, no->envs, no->nenvs) ||
			    env_in(ns, no->allow, no->nallow))
				continue;
			for (size_t k = 0; k < no->nallow && k < 5; k++)
				allowed = rg_arena_printf(
				    cx->a, "%s%s%s", allowed, k ? ", " : "",
				    no->allow[k]);
			fd =
			    add(cx, RG_SEV_DENY, "policy.namespace", at,
				rg_arena_printf(cx->a,
						"%s: namespace '%s' is not "
						"owned by environment %s "
						"(allowed: %s%s)",
						cx->label, ns, cx->env, allowed,
						no->nallow > 5 ? ", ..." : ""));
			if (no->hint)
				rg_finding_set_hint(cx->out, fd, "%s",
						    no->hint);
			else
				rg_finding_set_hint(cx->out, fd,
						    "deploy into one of the "
						    "namespaces this "
						    "environment owns, or ask "
						    "the platform team (%s:%u)",
						    no->pos.file, no->pos.line);
		}
	}
}

/* --- entry points ----------------------------------------------------------
 */

int rg_policy_check_object(struct rg_findings *out, const struct rg_policy *p,
			   const char *env, const struct rg_obj *o,
			   struct rg_err *err)
{
	struct ctx cx = {out, p, env, o, NULL, {0}, out->arena, err};
	struct rg_rules_pod pod;
	int ret = 0;

	cx.label = rg_obj_label(cx.a, o);
	rg_rules_subject_init(&cx.subj, o->doc);
	rg_images_pod_view(&pod, o->doc, p->custom, p->ncustom, cx.a);
	ret = rg_images_each(o->doc, &pod, p->custom, p->ncustom, image_use,
			     &cx, err);
	for (size_t i = 0; i < p->nrules && ret >= 0; i++)
		ret = check_rule(&cx, &p->rules[i], &pod);
	if (ret >= 0) {
		check_namespace(&cx);
		ret = rg_policy_check_object_sources(out, p, env, o, err);
	}
	if (ret < 0)
		rg_err_prefix(err, "environment %s, %s", env, cx.label);
	return ret < 0 ? ret : 0;
}

int rg_policy_check_objects(struct rg_findings *out, const struct rg_policy *p,
			    const char *env, const struct rg_objset *set,
			    struct rg_err *err)
{
	int ret = 0;

	for (size_t i = 0; i < set->len && ret == 0; i++)
		ret = rg_policy_check_object(out, p, env, &set->items[i], err);
	return ret;
}

/* --- direct pushes ---------------------------------------------------------
 */

static const char *envvar(const struct rg_policy_push *c, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; c->environ && c->environ[i]; i++)
		if (!strncmp(c->environ[i], name, n) && c->environ[i][n] == '=')
			return c->environ[i] + n + 1;
	return NULL;
}

bool rg_policy_push_is_forge_merge(const struct rg_policy_push *c,
				   const char **why)
{
	const char *w = "not made by the forge";
	bool yes = false;

	if (c->forge == RG_POLICY_FORGE_GITLAB) {
		const char *proto = envvar(c, "GL_PROTOCOL");

		yes = proto && !strcmp(proto, "web");
		w = yes ? "GitLab web operation (GL_PROTOCOL=web)"
			: "GL_PROTOCOL is not web";
	} else if (c->forge == RG_POLICY_FORGE_GITEA) {
		const char *id = envvar(c, "GITEA_PR_ID");
		const char *trigger = envvar(c, "GITEA_PUSH_TRIGGER");
		bool numeric = id && *id;

		for (const char *s = id; numeric && *s; s++)
			numeric = *s >= '0' && *s <= '9';
		yes = numeric && strspn(id, "0") != strlen(id);
		if (yes && trigger && *trigger &&
		    strcmp(trigger, "pr-merge-to-base") != 0)
			yes = false;
		w = yes ? "Gitea pull request merge (GITEA_PR_ID set)"
			: "no Gitea pull request merge (GITEA_PR_ID unset or "
			  "0)";
	}
	if (why)
		*why = w;
	return yes;
}

void rg_policy_push_fill_user(struct rg_policy_push *c)
{
	if (c->user)
		return;
	if (c->forge == RG_POLICY_FORGE_GITLAB)
		c->user = envvar(c, "GL_USERNAME");
	else if (c->forge == RG_POLICY_FORGE_GITEA)
		c->user = envvar(c, "GITEA_PUSHER_NAME");
}

static bool bypasses(const struct rg_policy *p, const char *user)
{
	for (size_t i = 0; user && i < p->nbypass_users; i++)
		if (!strcmp(user, p->bypass_users[i]))
			return true;
	return false;
}

int rg_policy_check_push(struct rg_findings *out, const struct rg_policy *p,
			 const struct rg_policy_push *c)
{
	const char *branch, *touched = NULL;
	struct rg_finding *fd;
	int n = 0;

	if (!c->ref || strncmp(c->ref, "refs/heads/", 11) != 0 ||
	    rg_policy_push_is_forge_merge(c, NULL) || bypasses(p, c->user))
		return 0;
	branch = c->ref + 11;
	if (c->config_branch &&
	    rg_policy_owners_touched(p, c->changed, c->nchanged, &touched)) {
		fd = rg_finding_add(
		    out, RG_SEV_DENY, "policy.owners", &p->owners.pos,
		    "direct push to %s changes %s, which only a "
		    "merge approved by the owners may change",
		    branch, touched);
		if (fd)
			fd->env = c->env;
		rg_finding_set_hint(out, fd,
				    "open a merge request and ask the owners "
				    "named at %s:%u to approve it",
				    p->owners.pos.file ? p->owners.pos.file
						       : "?",
				    p->owners.pos.line);
		n++;
	}
	if (p->direct_push_allowed ||
	    !(c->env_branch ||
	      env_in(branch, p->push_branches, p->npush_branches)))
		return n;
	fd = rg_finding_add(
	    out, RG_SEV_DENY, "policy.direct-push", NULL,
	    "direct push to branch %s by %s: %s only takes "
	    "merges made by the forge",
	    branch, c->user ? c->user : "an unknown user",
	    c->env
		? rg_arena_printf(out->arena, "environment %s's branch", c->env)
		: "this protected branch");
	if (fd) {
		fd->env = c->env;
		if (p->push_hint)
			fd->hint = p->push_hint;
		else
			rg_finding_set_hint(out, fd,
					    "push to another branch, open a "
					    "merge request into %s and merge "
					    "it in the forge",
					    branch);
	}
	return n + 1;
}
