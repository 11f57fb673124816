/*
 * gatestage.c - version sets and promotion over trees and histories
 * (gatestage.h).
 */
#include "rendergate/compat.h"

#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/config.h"
#include "rendergate/doc.h"
#include "rendergate/env.h"
#include "rendergate/finding.h"
#include "rendergate/gate.h"
#include "rendergate/gatestage.h"
#include "rendergate/gittree.h"
#include "rendergate/objects.h"
#include "rendergate/policy.h"
#include "rendergate/policy-promotion.h"
#include "rendergate/policy-versions.h"
#include "rendergate/push.h"
#include "rendergate/repo.h"
#include "rendergate/report.h"
#include "rendergate/tree.h"

#include <time.h>

/* A parsed Chart.yaml of the repository, or NULL (a missing or broken
 * one is the renderer's finding, not ours). */
static const struct rg_node *chart_yaml(struct rg_gate *g, struct rg_tree *t,
					const char *dir)
{
	struct rg_err err = RG_ERR_INIT;
	const char *path = rg_arena_printf(g->arena, "%s/Chart.yaml", dir);
	const char *data = NULL;
	struct rg_node *n = NULL;
	size_t len = 0;

	if (rg_tree_read(t, path, &data, &len, &err) ||
	    rg_doc_parse_one(&n, g->arena, path, data, len, 0, &err) ||
	    n->kind != RG_MAP)
		return NULL;
	return n;
}

/* The chart version of each release of env, as far as t tells. */
static size_t releases(struct rg_policy_release **out, struct rg_gate *g,
		       const struct rg_config_env *env, struct rg_tree *t)
{
	struct rg_policy_release *rels =
	    rg_arena_calloc(g->arena, env->nreleases + 1, sizeof(*rels));
	size_t n = 0;

	for (size_t i = 0; i < env->nreleases; i++) {
		const struct rg_config_release *r = &env->releases[i];
		const struct rg_node *chart, *v;

		if (!r->chart)
			continue;
		if (r->repo) {
			rels[n].name = r->name;
			rels[n].version = r->version;
			rels[n++].pos = r->pos;
			continue;
		}
		chart = chart_yaml(g, t, r->chart);
		v = rg_map_gets(chart, "version");
		if (!rg_node_cstr(v))
			continue;
		rels[n].name = r->name;
		rels[n].version = rg_node_cstr(v);
		rels[n++].pos = v->pos;
	}
	*out = rels;
	return n;
}

/* The subcharts vendored unpacked in dir/charts (a packaged .tgz is
 * not looked into: NEEDSWORK). */
static size_t subcharts(struct rg_policy_subchart **out, struct rg_gate *g,
			struct rg_tree *t, const char *dir)
{
	const char *sub = rg_arena_printf(g->arena, "%s/charts", dir);
	struct rg_tree_entry *es = NULL;
	struct rg_err err = RG_ERR_INIT;
	size_t nes = 0, n = 0;

	*out = NULL;
	if (rg_tree_stat(t, sub) != RG_TREE_DIR ||
	    rg_tree_list(t, sub, &es, &nes, &err))
		return 0;
	*out = rg_arena_calloc(g->arena, nes + 1, sizeof(**out));
	for (size_t i = 0; i < nes; i++) {
		const struct rg_node *c, *name, *v;

		if (es[i].kind != RG_TREE_DIR)
			continue;
		c = chart_yaml(g, t, rg_tree_path_join(g->arena, sub,
						       es[i].name));
		name = rg_map_gets(c, "name");
		v = rg_map_gets(c, "version");
		if (!rg_node_cstr(name) || !rg_node_cstr(v))
			continue;
		(*out)[n].name = rg_node_cstr(name);
		(*out)[n].version = rg_node_cstr(v);
		(*out)[n++].pos = v->pos;
	}
	return n;
}

/* The remote resources of the kustomization in dir, if it has one (its
 * bases' own remote entries are not read: NEEDSWORK). */
static int check_kustomization(struct rg_findings *out, struct rg_gate *g,
			       const char *env, struct rg_tree *t,
			       const char *dir, struct rg_err *err)
{
	static const char *const names[] = {"kustomization.yaml",
					    "kustomization.yml", "Kustomization"};
	struct rg_err e = RG_ERR_INIT;
	struct rg_node *k = NULL;
	const char *data = NULL, *path = NULL;
	size_t len = 0;

	for (size_t i = 0; i < RG_ARRAY_SIZE(names) && !path; i++) {
		path = rg_tree_path_join(g->arena, dir, names[i]);
		if (rg_tree_stat(t, path) != RG_TREE_FILE)
			path = NULL;
	}
	if (!path || rg_tree_read(t, path, &data, &len, &e) ||
	    rg_doc_parse_one(&k, g->arena, path, data, len, 0, &e) ||
	    k->kind != RG_MAP)
		return 0; /* the renderer reports a missing or broken one */
	return rg_policy_check_kustomization(out, g->policy, env, k, err);
}

/* Sources named outside the rendered objects (releases' chart
 * repositories, Chart.yaml dependencies, remote kustomize resources), and
 * vendored subcharts against their ranges. */
static int check_sources(struct rg_findings *out, struct rg_gate *g,
			 const struct rg_config_env *env, struct rg_tree *t,
			 struct rg_err *err)
{
	int rc = rg_policy_check_releases(out, g->policy, env, err);

	if (!rc && !env->nreleases)
		rc = check_kustomization(out, g, env->name, t, env->path, err);
	for (size_t i = 0; !rc && i < env->nreleases; i++)
		if (env->releases[i].kustomize)
			rc = check_kustomization(out, g, env->name, t,
						 env->releases[i].kustomize,
						 err);

	for (size_t i = 0; !rc && i < env->nreleases; i++) {
		const struct rg_config_release *r = &env->releases[i];
		struct rg_policy_subchart *subs = NULL;
		const struct rg_node *chart;
		size_t nsubs;

		if (!r->chart || r->repo ||
		    !(chart = chart_yaml(g, t, r->chart)))
			continue;
		nsubs = subcharts(&subs, g, t, r->chart);
		rc = rg_policy_check_chart(out, g->policy, env->name, chart,
					   err);
		if (!rc)
			rc = rg_policy_check_chart_deps(out, env->name, chart,
							subs, nsubs, err);
	}
	return rc;
}

int rg_gatestage_versions(struct rg_policy_compvers *out, bool *exists,
			  struct rg_gate *g, const struct rg_config_repo *cfg,
			  const struct rg_config_env *env, struct rg_tree *t,
			  const struct rg_objset *set, struct rg_err *err)
{
	struct rg_policy_release *rels = NULL;
	struct rg_objset *own = NULL;
	struct rg_findings scratch;
	size_t nrels;
	int rc = 0;

	if (exists)
		*exists = true;
	if (!set && *env->path &&
	    rg_tree_stat(t, env->path) == RG_TREE_MISSING) {
		if (exists)
			*exists = false;
		goto out;
	}
	if (!set) {
		/* not rg_gate_render: the stored dependency log must stay
		   the one of the state after the push */
		own = rg_arena_alloc(g->arena, sizeof(*own));
		rg_objset_init(own, g->arena);
		rg_finding_init(&scratch, g->arena);
		rc = rg_env_render_cached(own, &scratch, cfg, env, t, g->rcache,
					  g->arena, err);
		if (rc)
			goto out;
		set = own;
	}
	nrels = releases(&rels, g, env, t);
	rc = rg_policy_versions_collect(out, g->arena, g->policy, set, rels,
					nrels, err);
out:
	return rc;
}

int rg_gatestage_check_sources(struct rg_findings *out, struct rg_gate *g,
			       const struct rg_config_env *env,
			       struct rg_tree *t, struct rg_err *err)
{
	return g->policy ? check_sources(out, g, env, t, err) : 0;
}

int rg_gatestage_check_versions(struct rg_findings *out, struct rg_gate *g,
				const struct rg_config_repo *cfg,
				const struct rg_config_env *env,
				struct rg_tree *t, const struct rg_objset *set,
				struct rg_err *err)
{
	struct rg_policy_compvers v;
	int rc = 0;

	memset(&v, 0, sizeof(v));
	if (!g->policy || !g->policy->nconstraints)
		goto out;
	rc = rg_gatestage_versions(&v, NULL, g, cfg, env, t, set, err);
	if (!rc)
		rc = rg_policy_check_versions(out, g->policy, env->name, &v,
					      err);
out:
	return rc;
}

/* --- soak: how long a version has been in a stage ------------------------ */

struct step {
	int64_t time; /* committer time */
	struct rg_policy_compvers v;
};

struct soak {
	struct rg_gate *g;
	const struct rg_config_repo *cfg;
	const struct rg_config_env *env; /* the previous stage */
	uint64_t soak_ms;
	int64_t now;
	git_oid next; /* the commit the next step reads */
	/* the tip before the push when the stage is on the pushed branch:
	   commits the push brings were not in the stage before it, whatever
	   their dates say, so they count as arriving now */
	const git_oid *old_tip;
	bool done;    /* no further commit (root, or the cap) */
	bool cut;     /* done because of RG_CAP_POLICY_SOAK_COMMITS */
	struct step *steps;
	size_t n, alloc;
};

/* Tree view of a commit. */
static struct rg_tree *commit_tree(int64_t *time, git_oid *parent,
				   bool *has_parent, struct rg_gate *g,
				   const git_oid *id, struct rg_err *err)
{
	git_commit *c = NULL;
	struct rg_tree *t = NULL;
	char hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof(hex), id);
	if (git_commit_lookup(&c, g->repo, id) < 0) {
		rg_err_set(err, RG_ENOTFOUND, NULL, "commit %s not found", hex);
		goto out;
	}
	if (time)
		*time = (int64_t)git_commit_time(c);
	if (has_parent) {
		*has_parent = git_commit_parentcount(c) > 0;
		if (*has_parent)
			git_oid_cpy(parent, git_commit_parent_id(c, 0));
	}
	t = rg_gittree_new(g->arena, g->repo, git_commit_tree_id(c), hex, err);
out:
	git_commit_free(c);
	return t;
}

/* Make step i known; *st NULL when history ends before it. */
static int step(struct step **st, struct soak *s, size_t i,
		struct rg_err *err)
{
	int rc = 0;

	while (!rc && s->n <= i && !s->done) {
		struct rg_tree *t;
		struct step *x;
		bool more = false;
		git_oid parent;

		if (s->n == RG_CAP_POLICY_SOAK_COMMITS) {
			s->done = true;
			s->cut = true;
			break;
		}
		if (s->n == s->alloc) {
			size_t na = s->alloc ? s->alloc * 2 : 16;

			s->steps = rg_arena_grow(s->g->arena, s->steps,
						 s->alloc, na,
						 sizeof(*s->steps));
			s->alloc = na;
		}
		x = &s->steps[s->n];
		memset(x, 0, sizeof(*x));
		t = commit_tree(&x->time, &parent, &more, s->g, &s->next, err);
		if (!t)
			return err->code ? err->code : RG_ERROR;
		if (s->old_tip && !git_oid_equal(s->old_tip, &s->next) &&
		    git_graph_descendant_of(s->g->repo, s->old_tip,
					    &s->next) != 1)
			x->time = s->now;
		rc = rg_gatestage_versions(&x->v, NULL, s->g, s->cfg, s->env, t,
					   NULL, err);
		rg_tree_free(t);
		s->n++;
		s->done = !more;
		git_oid_cpy(&s->next, &parent);
	}
	*st = i < s->n ? &s->steps[i] : NULL;
	return rc;
}

static bool has_version(const struct rg_policy_compvers *v,
			const char *component, const char *version)
{
	for (size_t i = 0; i < v->len; i++)
		if (!strcmp(v->items[i].component->name, component) &&
		    !strcmp(v->items[i].version, version))
			return true;
	return false;
}

static int soak_since(void *ctx, const char *stage, const char *component,
		      const char *version, int64_t *since, struct rg_err *err)
{
	struct soak *s = ctx;
	bool found = false, cut = false;
	int rc = 0;

	(void)stage;
	for (size_t i = 0; !rc; i++) {
		struct step *st = NULL;

		rc = step(&st, s, i, err);
		/* history past the cap is unknown, not absent: taking the
		   oldest commit seen as the arrival would report a soak
		   time that is only a lower bound as the real one */
		cut = !rc && !st && s->cut;
		if (rc || !st || !has_version(&st->v, component, version))
			break;
		*since = st->time;
		found = true;
		if (s->now >= st->time &&
		    (uint64_t)(s->now - st->time) * 1000 >= s->soak_ms)
			break;
	}
	if (!rc && !found)
		rc = RG_ENOTFOUND;
	else if (!rc && cut)
		rc = RG_POLICY_SOAK_CUT;
	return rc;
}

/* --- promotion ----------------------------------------------------------- */

int rg_gatestage_check_promotion(struct rg_findings *out, struct rg_gate *g,
				 const struct rg_config_repo *cfg,
				 const struct rg_config_env *env,
				 const char *ref, const git_oid *old_commit,
				 const git_oid *new_commit, struct rg_err *err)
{
	const struct rg_policy *p = g->policy;
	struct rg_policy_compvers after, before, prev;
	struct rg_policy_soak_query q = {NULL, soak_since};
	const struct rg_config_env *pe = NULL;
	const char *pbranch, *pref;
	struct rg_tree *t = NULL;
	struct soak s;
	bool exists = false, have_prev = true;
	git_oid ptip;
	int idx, rc = 0;

	memset(&after, 0, sizeof(after));
	memset(&before, 0, sizeof(before));
	memset(&prev, 0, sizeof(prev));
	memset(&s, 0, sizeof(s));
	s.now = (int64_t)time(NULL);
	if (!p || !p->ncomponents || !p->promotion.set || !p->promotion.enforce)
		goto out;
	idx = rg_config_stage_index(cfg, env->name);
	if (idx <= 0 || !(pe = rg_config_repo_env(cfg, cfg->stages[idx - 1])))
		goto out;
	t = commit_tree(NULL, NULL, NULL, g, new_commit, err);
	rc = t ? rg_gatestage_versions(&after, NULL, g, cfg, env, t, NULL, err)
	       : RG_ENOTFOUND;
	rg_tree_free(t);
	t = NULL;
	if (!rc && old_commit) {
		t = commit_tree(NULL, NULL, NULL, g, old_commit, err);
		rc = t ? rg_gatestage_versions(&before, &exists, g, cfg, env, t,
					       NULL, err)
		       : RG_ENOTFOUND;
		rg_tree_free(t);
		t = NULL;
	}
	if (rc)
		goto out;
	/* stage N-1 at the pushed commit (same branch) or its branch tip */
	pbranch = rg_config_env_branch(cfg, pe);
	pref = rg_arena_printf(g->arena, "refs/heads/%s", pbranch);
	if (!strcmp(pref, ref)) {
		git_oid_cpy(&ptip, new_commit);
		s.old_tip = old_commit;
	} else {
		rc = rg_repo_ref_tip(&ptip, g->repo, pref, err);
		if (rc == RG_ENOTFOUND) {
			have_prev = false;
			rc = 0;
		}
		if (rc)
			goto out;
	}
	s.g = g;
	s.cfg = cfg;
	s.env = pe;
	s.soak_ms = rg_policy_soak_ms(p, pe->name);
	s.done = !have_prev;
	if (have_prev) {
		struct step *st = NULL;

		git_oid_cpy(&s.next, &ptip);
		rc = step(&st, &s, 0, err);
		if (rc)
			goto out;
		prev = st->v;
	}
	q.ctx = &s;
	rc = rg_policy_check_promotion_versions(
	    out, p, cfg, env->name, &after, exists ? &before : NULL, &prev, &q,
	    s.now, err);
out:
	return rc;
}

/* Did the gate render env for ref (its diff exists)? When it did not, it
 * reported why and the push is rejected already. */
static bool gate_rendered(const struct rg_gate *g, const char *ref,
			  const char *env)
{
	for (size_t i = g->report->nenvs; i-- > 0;) {
		const struct rg_report_env *re = &g->report->envs[i];

		if (re->ref && !strcmp(re->ref, ref) && !strcmp(re->name, env))
			return re->rendered && re->diff;
	}
	return false;
}

/* What one update is checked with: the tree after it, and for the
 * promotion of versions the commits before and after (new NULL: a
 * preview, which has no commit of its own). */
struct subject {
	const char *label; /* the report's ref label of the renders */
	const char *ref;
	struct rg_tree *t;
	const git_oid *old, *new;
};

static int check_env(struct rg_findings *out, struct rg_gate *g,
		     const struct rg_config_repo *cfg,
		     const struct rg_config_env *env, const struct subject *s,
		     struct rg_err *err)
{
	int rc = rg_gatestage_check_sources(out, g, env, s->t, err);

	if (rc || !gate_rendered(g, s->label, env->name))
		return rc;
	rc = rg_gatestage_check_versions(out, g, cfg, env, s->t, NULL, err);
	if (!rc && s->new)
		rc = rg_gatestage_check_promotion(out, g, cfg, env, s->ref,
						  s->old, s->new, err);
	return rc;
}

void rg_gatestage_check_update(struct rg_gate *g,
			       const struct rg_config_repo *cfg,
			       const struct rg_push_update *u,
			       const struct rg_env_choice *choices, size_t n)
{
	struct subject s = {u->ref, u->ref, NULL, NULL, NULL};
	git_oid oldc, newc;
	struct rg_err err = RG_ERR_INIT;

	if (!g->policy || u->kind == RG_PUSH_DELETE)
		return;
	if (git_oid_fromstr(&newc, u->new_id) < 0 ||
	    (u->kind == RG_PUSH_UPDATE && git_oid_fromstr(&oldc, u->old_id) < 0))
		return; /* the gate reported it already */
	s.new = &newc;
	s.old = u->kind == RG_PUSH_UPDATE ? &oldc : NULL;
	for (size_t i = 0; i < n; i++) {
		if (!choices[i].render)
			continue;
		rg_err_init(&err);
		if (!s.t)
			s.t = commit_tree(NULL, NULL, NULL, g, &newc, &err);
		if (!s.t || check_env(&g->report->findings, g, cfg,
				      choices[i].env, &s, &err))
			rg_report_error(g->report, &err);
	}
	rg_tree_free(s.t);
}

void rg_gatestage_check_preview(struct rg_findings *out, struct rg_gate *g,
				const struct rg_config_repo *cfg,
				const char *label,
				const struct rg_env_choice *choices, size_t n,
				const git_oid *tree, bool errors_are_notes)
{
	struct subject s = {label, NULL, NULL, NULL, NULL};
	struct rg_err err = RG_ERR_INIT;

	if (!g->policy)
		return;
	for (size_t i = 0; i < n; i++) {
		if (!choices[i].render)
			continue;
		rg_err_init(&err);
		if (!s.t)
			s.t = rg_gittree_new(g->arena, g->repo, tree, "preview",
					     &err);
		if (s.t && !check_env(out, g, cfg, choices[i].env, &s, &err))
			continue;
		if (errors_are_notes)
			rg_report_note(g->report,
				       "%s: %s: policy could not be checked: %s",
				       label, choices[i].env->name, err.msg);
		else
			rg_report_error(g->report, &err);
	}
	rg_tree_free(s.t);
}
