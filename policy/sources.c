#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/config.h"
#include "rendergate/finding.h"
#include "rendergate/objects.h"
#include "rendergate/policy.h"
#include "rendergate/regex.h"

static int first_match(const struct rg_policy_pattern **which,
		       const struct rg_policy_patterns *l, const char *url,
		       struct rg_err *err)
{
	*which = NULL;
	for (size_t i = 0; i < l->len; i++) {
		bool m = false;
		int ret =
		    rg_regex_match(&m, l->items[i].re, url, strlen(url), err);

		if (ret < 0) {
			char why[RG_ERR_MSG_MAX];

			memcpy(why, err->msg, sizeof(why));
			return rg_err_set(err, ret, &l->items[i].pos,
					  "could not decide: source pattern "
					  "'%s' on '%.100s': %s",
					  l->items[i].text, url, why);
		}
		if (m) {
			*which = &l->items[i];
			break;
		}
	}
	return 0;
}

static struct rg_finding *add(struct rg_findings *out, const char *rule,
			      const struct rg_pos *pos, const char *env,
			      const char *object, const char *msg)
{
	struct rg_finding *fd =
	    rg_finding_add(out, RG_SEV_DENY, rule, pos, "%s", msg);

	if (fd) {
		fd->env = env;
		fd->object = object;
	}
	return fd;
}

int rg_policy_check_source(struct rg_findings *out, const struct rg_policy *p,
			   const char *env, const char *url,
			   const struct rg_pos *pos, const char *what,
			   const char *object, struct rg_err *err)
{
	struct rg_arena *a = out->arena;
	int ret = 0;

	for (size_t i = 0; i < p->nlayers; i++) {
		const struct rg_policy_layer *ly = &p->layers[i];
		const struct rg_policy_pattern *m = NULL;
		struct rg_finding *fd;

		ret = first_match(&m, &ly->source_deny, url, err);
		if (ret < 0)
			goto out;
		if (m) {
			fd = add(out, "policy.source-deny", pos, env, object,
				 rg_arena_printf(a,
						 "%s: source '%s' is denied by "
						 "pattern '%s' at %s:%u",
						 what, url, m->text,
						 m->pos.file, m->pos.line));
			rg_finding_set_hint(out, fd, "%s",
					    ly->source_hint
						? ly->source_hint
						: "use a source that no deny "
						  "pattern matches");
		}
		if (!ly->source_allow.set)
			continue;
		ret = first_match(&m, &ly->source_allow, url, err);
		if (ret < 0)
			goto out;
		if (!m) {
			fd = add(out, "policy.source-allow", pos, env, object,
				 rg_arena_printf(a,
						 "%s: source '%s' matches no "
						 "allowed pattern of %s",
						 what, url, ly->file));
			if (ly->source_hint)
				rg_finding_set_hint(out, fd, "%s",
						    ly->source_hint);
			else
				rg_finding_set_hint(
				    out, fd,
				    "use a repository matching '%s'%s, or "
				    "ask the platform team to allow this "
				    "one",
				    ly->source_allow.len
					? ly->source_allow.items[0].text
					: "(none allowed)",
				    ly->source_allow.len > 1 ? " (or another "
							       "allowed "
							       "pattern)"
							     : "");
		}
	}
out:
	return ret;
}

/* Check the string at n (skipped when it is not a non-empty string). */
static int check_node(struct rg_findings *out, const struct rg_policy *p,
		      const char *env, const struct rg_node *n,
		      const struct rg_pos *fallback, const char *what,
		      const char *object, struct rg_err *err)
{
	const char *url = rg_node_cstr(n);

	if (!url || !url[0])
		return 0;
	return rg_policy_check_source(out, p, env, url,
				      n->pos.line ? &n->pos : fallback, what,
				      object, err);
}

/* Every item's key of a list (spec.sources[*].repoURL). */
static int check_list(struct rg_findings *out, const struct rg_policy *p,
		      const char *env, const struct rg_node *list,
		      const char *key, const struct rg_pos *fallback,
		      const char *what, const char *object, struct rg_err *err)
{
	int ret = 0;

	if (!list || list->kind != RG_SEQ)
		return 0;
	for (size_t i = 0; i < list->u.seq.len && !ret; i++)
		ret = check_node(out, p, env,
				 rg_map_gets(list->u.seq.items[i], key),
				 fallback, what, object, err);
	return ret;
}

int rg_policy_check_object_sources(struct rg_findings *out,
				   const struct rg_policy *p, const char *env,
				   const struct rg_obj *o, struct rg_err *err)
{
	const struct rg_node *spec = rg_map_gets(o->doc, "spec");
	const char *what = rg_obj_label(out->arena, o);
	int ret = 0;

	if (!strcmp(o->group, "source.toolkit.fluxcd.io")) {
		if (!strcmp(o->kind, "GitRepository") ||
		    !strcmp(o->kind, "HelmRepository") ||
		    !strcmp(o->kind, "OCIRepository"))
			ret = check_node(out, p, env, rg_map_gets(spec, "url"),
					 &o->origin, what, o->key, err);
	} else if (!strcmp(o->group, "argoproj.io")) {
		if (!strcmp(o->kind, "ApplicationSet"))
			spec = rg_node_path(spec, "template.spec");
		else if (strcmp(o->kind, "Application") != 0)
			spec = NULL;
		if (spec) {
			ret = check_node(out, p, env,
					 rg_node_path(spec, "source.repoURL"),
					 &o->origin, what, o->key, err);
			if (!ret)
				ret = check_list(
				    out, p, env, rg_map_gets(spec, "sources"),
				    "repoURL", &o->origin, what, o->key, err);
		}
	}
	return ret;
}

int rg_policy_check_chart(struct rg_findings *out, const struct rg_policy *p,
			  const char *env, const struct rg_node *chart,
			  struct rg_err *err)
{
	const struct rg_node *deps = rg_map_gets(chart, "dependencies");
	int ret = 0;

	if (!deps || deps->kind != RG_SEQ)
		return 0;
	for (size_t i = 0; i < deps->u.seq.len && !ret; i++) {
		const struct rg_node *d = deps->u.seq.items[i];
		const struct rg_node *repo = rg_map_gets(d, "repository");
		const char *url = rg_node_cstr(repo);
		const char *name = rg_node_cstr(rg_map_gets(d, "name"));

		if (!url || !url[0] || !strncmp(url, "file://", 7))
			continue;
		ret = rg_policy_check_source(
		    out, p, env, url, &repo->pos,
		    rg_arena_printf(out->arena, "chart dependency '%s'",
				    name ? name : "?"),
		    NULL, err);
	}
	return ret;
}

/* Is a kustomization resource entry remote (not a path in the repo)? */
static bool remote(const char *s)
{
	return strstr(s, "://") || !strncmp(s, "git@", 4) ||
	       !strncmp(s, "github.com/", 11) || strstr(s, "?ref=") ||
	       strstr(s, "&ref=");
}

int rg_policy_check_kustomization(struct rg_findings *out,
				  const struct rg_policy *p, const char *env,
				  const struct rg_node *k, struct rg_err *err)
{
	static const char *const lists[] = {"resources", "components", "bases"};
	const struct rg_node *charts = rg_map_gets(k, "helmCharts");
	int ret = 0;

	for (size_t l = 0; l < RG_ARRAY_SIZE(lists) && !ret; l++) {
		const struct rg_node *s = rg_map_gets(k, lists[l]);

		for (size_t i = 0;
		     s && s->kind == RG_SEQ && i < s->u.seq.len && !ret; i++) {
			const struct rg_node *it = s->u.seq.items[i];
			const char *url = rg_node_cstr(it);

			if (!url || !remote(url))
				continue;
			ret = rg_policy_check_source(
			    out, p, env, url, &it->pos,
			    rg_arena_printf(out->arena,
					    "kustomization %s entry", lists[l]),
			    NULL, err);
		}
	}
	for (size_t i = 0;
	     charts && charts->kind == RG_SEQ && i < charts->u.seq.len && !ret;
	     i++) {
		const struct rg_node *c = charts->u.seq.items[i];
		const char *name = rg_node_cstr(rg_map_gets(c, "name"));

		ret = check_node(
		    out, p, env, rg_map_gets(c, "repo"), &c->pos,
		    rg_arena_printf(out->arena, "kustomization helm chart '%s'",
				    name ? name : "?"),
		    NULL, err);
	}
	return ret;
}

int rg_policy_check_releases(struct rg_findings *out, const struct rg_policy *p,
			     const struct rg_config_env *env,
			     struct rg_err *err)
{
	int ret = 0;

	for (size_t i = 0; i < env->nreleases && !ret; i++) {
		const struct rg_config_release *r = &env->releases[i];

		if (!r->repo || !r->repo[0])
			continue;
		ret = rg_policy_check_source(
		    out, p, env->name, r->repo, &r->pos,
		    rg_arena_printf(out->arena, "release %s (chart %s)",
				    r->name, r->chart ? r->chart : "?"),
		    NULL, err);
	}
	return ret;
}
