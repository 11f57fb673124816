#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/config.h"
#include "rendergate/finding.h"
#include "rendergate/policy.h"
#include "rendergate/policy-promotion.h"
#include "rendergate/policy-versions.h"

#include <inttypes.h>

uint64_t rg_policy_soak_ms(const struct rg_policy *p, const char *stage)
{
	const struct rg_policy_promotion *pr = &p->promotion;
	uint64_t ms = pr->soak_ms;

	/* several files may name the stage: the longest soak wins */
	for (size_t i = 0; i < pr->nsoaks; i++)
		if (!strcmp(pr->soaks[i].stage, stage) && pr->soaks[i].ms > ms)
			ms = pr->soaks[i].ms;
	return ms;
}

/* The stage before target_env, or NULL when none applies. */
static const char *previous_stage(const struct rg_policy *p,
				  const struct rg_config_repo *repo,
				  const char *target_env)
{
	int i;

	if (!p->promotion.set || !p->promotion.enforce || !repo || !target_env)
		return NULL;
	i = rg_config_stage_index(repo, target_env);
	return i > 0 ? repo->stages[i - 1] : NULL;
}

int rg_policy_check_promotion_branch(struct rg_findings *out,
				     const struct rg_policy *p,
				     const struct rg_config_repo *repo,
				     const char *target_env,
				     const char *source_branch)
{
	const char *prev = previous_stage(p, repo, target_env);
	const struct rg_config_env *pe;
	const char *pbranch;
	struct rg_finding *fd;

	if (!prev)
		return 0;
	pe = rg_config_repo_env(repo, prev);
	pbranch = pe ? rg_config_env_branch(repo, pe) : NULL;
	if (!pbranch || (source_branch && !strcmp(source_branch, pbranch)))
		return 0;
	if (source_branch)
		fd = rg_finding_add(out, RG_SEV_DENY, "policy.promotion",
				    &p->promotion.pos,
				    "%s can only be promoted from %s (branch "
				    "%s); this merge comes from branch %s",
				    target_env, prev, pbranch, source_branch);
	else
		fd = rg_finding_add(out, RG_SEV_DENY, "policy.promotion",
				    &p->promotion.pos,
				    "%s can only be promoted from %s (branch "
				    "%s), and where this merge comes from is "
				    "not known",
				    target_env, prev, pbranch);
	if (fd)
		fd->env = target_env;
	rg_finding_set_hint(out, fd,
			    "merge %s into the branch of %s first, then open "
			    "a merge request from %s",
			    source_branch ? source_branch : "the change", prev,
			    pbranch);
	return 0;
}

static bool has(const struct rg_policy_compvers *v,
		const struct rg_policy_compver *x)
{
	for (size_t i = 0; v && i < v->len; i++)
		if (!strcmp(v->items[i].component->name, x->component->name) &&
		    !strcmp(v->items[i].version, x->version))
			return true;
	return false;
}

/* The versions of x's component in v, "1.2.0, 1.3.0", or "none". */
static const char *others(struct rg_arena *a,
			  const struct rg_policy_compvers *v,
			  const struct rg_policy_compver *x)
{
	const char *s = "";

	for (size_t i = 0; v && i < v->len; i++)
		if (!strcmp(v->items[i].component->name, x->component->name))
			s = rg_arena_printf(a, "%s%s%s", s, s[0] ? ", " : "",
					    v->items[i].version);
	return s[0] ? s : "no version of it";
}

/* "45s", "30m", "2h", "1h30m" (whole minutes once past one). */
static const char *hours(struct rg_arena *a, uint64_t ms)
{
	uint64_t s = ms / 1000;

	if (s < 60)
		return rg_arena_printf(a, "%" PRIu64 "s", s);
	if (s < 3600)
		return rg_arena_printf(a, "%" PRIu64 "m", s / 60);
	if (s % 3600 < 60)
		return rg_arena_printf(a, "%" PRIu64 "h", s / 3600);
	return rg_arena_printf(a, "%" PRIu64 "h%" PRIu64 "m", s / 3600,
			       s % 3600 / 60);
}

/* x is in every commit of stage pst the soak walk may look at
 * (RG_CAP_POLICY_SOAK_COMMITS), the oldest from since: too recent to
 * show its soak, too many commits to see further back. */
static void soak_cut(struct rg_findings *out, const struct rg_policy_compver *x,
		     const char *pst, const char *target_env, int64_t since,
		     int64_t now, uint64_t soak)
{
	struct rg_arena *a = out->arena;
	struct rg_finding *fd;

	fd = rg_finding_add(
	    out, RG_SEV_DENY, "policy.soak", &x->pos,
	    "%s %s is in all %u commits of %s walked back "
	    "(RG_CAP_POLICY_SOAK_COMMITS) without reaching where it "
	    "arrived, and the oldest of them is %s old: the %s it must "
	    "soak there before reaching %s cannot be shown",
	    x->component->name, x->version, RG_CAP_POLICY_SOAK_COMMITS, pst,
	    hours(a, now > since ? (uint64_t)(now - since) * 1000 : 0),
	    hours(a, soak), target_env);
	if (fd) {
		fd->env = target_env;
		fd->object = x->object;
	}
	rg_finding_set_hint(out, fd,
			    "promote it again once the last %u commits of %s "
			    "span %s",
			    RG_CAP_POLICY_SOAK_COMMITS, pst, hours(a, soak));
}

int rg_policy_check_promotion_versions(struct rg_findings *out,
				       const struct rg_policy *p,
				       const struct rg_config_repo *repo,
				       const char *target_env,
				       const struct rg_policy_compvers *after,
				       const struct rg_policy_compvers *before,
				       const struct rg_policy_compvers *prev,
				       const struct rg_policy_soak_query *q,
				       int64_t now, struct rg_err *err)
{
	const char *pst = previous_stage(p, repo, target_env);
	struct rg_arena *a = out->arena;
	uint64_t soak;
	int ret = 0;

	if (!pst || !after)
		return 0;
	soak = rg_policy_soak_ms(p, pst);
	for (size_t i = 0; i < after->len && ret == 0; i++) {
		const struct rg_policy_compver *x = &after->items[i];
		struct rg_finding *fd;
		int64_t since = 0;

		if (has(before, x))
			continue;
		if (!has(prev, x)) {
			fd = rg_finding_add(
			    out, RG_SEV_DENY, "policy.promotion", &x->pos,
			    "%s %s arrives in %s but is not in "
			    "%s, the stage before it (which "
			    "has %s)",
			    x->component->name, x->version, target_env, pst,
			    others(a, prev, x));
			if (fd) {
				fd->env = target_env;
				fd->object = x->object;
			}
			rg_finding_set_hint(
			    out, fd, "promote %s %s to %s first",
			    x->component->name, x->version, pst);
			continue;
		}
		if (!soak)
			continue;
		if (!q || !q->since) {
			ret =
			    rg_err_set(err, RG_EUNSUPPORTED, &p->promotion.pos,
				       "stage %s has a soak time, but this "
				       "caller cannot tell how long a version "
				       "has been there",
				       pst);
			break;
		}
		ret = q->since(q->ctx, pst, x->component->name, x->version,
			       &since, err);
		if (ret == RG_ENOTFOUND) {
			/* in prev at the tip, but history does not show it */
			since = now;
			ret = 0;
		}
		if (ret < 0)
			break;
		if (ret == RG_POLICY_SOAK_CUT) {
			/* the walk ended at its cap, not at the arrival:
			   what it saw is too short, and the rest unknown */
			ret = 0;
			soak_cut(out, x, pst, target_env, since, now, soak);
			continue;
		}
		if (now - since >= 0 && (uint64_t)(now - since) * 1000 >= soak)
			continue;
		fd = rg_finding_add(
		    out, RG_SEV_DENY, "policy.soak", &x->pos,
		    "%s %s has been in %s for %s, less than "
		    "the %s it must soak there before reaching "
		    "%s",
		    x->component->name, x->version, pst,
		    hours(a, now > since ? (uint64_t)(now - since) * 1000 : 0),
		    hours(a, soak), target_env);
		if (fd) {
			fd->env = target_env;
			fd->object = x->object;
		}
		rg_finding_set_hint(
		    out, fd, "promote it again after %s",
		    hours(a,
			  soak - (now > since ? (uint64_t)(now - since) * 1000
					      : 0)));
	}
	return ret;
}
