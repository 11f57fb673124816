#include "rendergate/compat.h"
#include <inttypes.h>
#include "rendergate/arena.h"
#include "rendergate/cfgread.h"
#include "rendergate/finding.h"
#include "rendergate/policy.h"
#include "rendergate/policy-approvals.h"

#define DEFAULT_TIMEOUT_MS 5000u

/* One requirement that applies to the merge. */
struct req {
	const char *rule; /* policy.approvals or policy.owners */
	const char **users;
	size_t nusers;
	const char **groups;
	size_t ngroups;
	int64_t min;
	struct rg_pos pos;
	const char *why; /* "merge into main", "change to .rendergate.yaml" */
};

static bool glob_in(const char *s, const char **globs, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (rg_cfg_glob_match(globs[i], s))
			return true;
	return false;
}

bool rg_policy_owners_touched(const struct rg_policy *p,
			      const char *const *changed, size_t nchanged,
			      const char **which)
{
	if (which)
		*which = NULL;
	if (!p->owners.set)
		return false;
	for (size_t i = 0; changed && i < nchanged; i++)
		if (glob_in(changed[i], p->owners.paths, p->owners.npaths)) {
			if (which)
				*which = changed[i];
			return true;
		}
	return false;
}

static const char *duration(struct rg_arena *a, uint64_t ms)
{
	if (ms % 1000)
		return rg_arena_printf(a, "%" PRIu64 "ms", ms);
	return rg_arena_printf(a, "%" PRIu64 "s", ms / 1000);
}

/* "users alice, bob or groups sre" / "anyone" */
static const char *who(struct rg_arena *a, const struct req *r)
{
	const char *s = "";

	if (!r->nusers && !r->ngroups)
		return "anyone but the author";
	for (size_t i = 0; i < r->nusers; i++)
		s = rg_arena_printf(a, "%s%s%s", s, i ? ", " : "users ",
				    r->users[i]);
	for (size_t i = 0; i < r->ngroups; i++)
		s = rg_arena_printf(a, "%s%s%s", s,
				    i ? ", "
				      : (r->nusers ? " or groups " : "groups "),
				    r->groups[i]);
	return s;
}

static bool qualifies(const struct req *r, const struct rg_policy_approver *ap)
{
	if (!r->nusers && !r->ngroups)
		return true;
	for (size_t i = 0; i < r->nusers; i++)
		if (!strcmp(r->users[i], ap->user))
			return true;
	for (size_t i = 0; i < r->ngroups; i++)
		for (size_t j = 0; j < ap->ngroups; j++)
			if (!strcmp(r->groups[i], ap->groups[j]))
				return true;
	return false;
}

/* Count distinct qualifying approvers other than the author; *names
 * lists them for the message. */
static int64_t count(struct rg_arena *a, const struct req *r,
		     const struct rg_policy_mr *mr,
		     const struct rg_policy_approver *aps, size_t n,
		     const char **names)
{
	int64_t c = 0;

	*names = "";
	for (size_t i = 0; i < n; i++) {
		bool seen = false;

		if (!aps[i].user ||
		    (mr->author && !strcmp(aps[i].user, mr->author)))
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = aps[j].user && !strcmp(aps[j].user, aps[i].user);
		if (seen || !qualifies(r, &aps[i]))
			continue;
		*names = rg_arena_printf(a, "%s%s%s", *names, c ? ", " : "",
					 aps[i].user);
		c++;
	}
	return c;
}

/* The forge could not answer: one finding per requirement. */
static void forge_failed(struct rg_findings *out, const struct req *reqs,
			 size_t nreqs, const struct rg_policy_merge *m,
			 const char *what)
{
	for (size_t i = 0; i < nreqs; i++) {
		struct rg_finding *fd = rg_finding_add(
		    out, RG_SEV_DENY, reqs[i].rule, &reqs[i].pos,
		    "%s needs %" PRId64 " approval%s from %s, but %s; the "
		    "merge is rejected",
		    reqs[i].why, reqs[i].min, reqs[i].min == 1 ? "" : "s",
		    who(out->arena, &reqs[i]), what);

		if (fd)
			fd->env = m->env;
		rg_finding_set_hint(out, fd,
				    "retry the merge when the forge answers "
				    "again; rendergate never merges without "
				    "checking approvals");
	}
}

static void forge_error(struct rg_findings *out, const struct req *reqs,
			size_t nreqs, const struct rg_policy_merge *m, int code,
			const char *step, uint64_t timeout_ms,
			const struct rg_err *e)
{
	struct rg_arena *a = out->arena;

	if (code == RG_ETIMEOUT)
		forge_failed(out, reqs, nreqs, m,
			     rg_arena_printf(a,
					     "the forge did not answer within "
					     "%s while %s",
					     duration(a, timeout_ms), step));
	else if (code == RG_ENOTFOUND)
		forge_failed(out, reqs, nreqs, m,
			     "no merge request was found behind this update "
			     "(only merges of approved merge requests may "
			     "update this branch)");
	else
		forge_failed(out, reqs, nreqs, m,
			     rg_arena_printf(a, "the forge failed while %s: %s",
					     step,
					     e->msg[0] ? e->msg : "error"));
}

int rg_policy_check_approvals(struct rg_findings *out,
			      const struct rg_policy *p,
			      const struct rg_policy_merge *m,
			      const struct rg_policy_forge_ops *forge,
			      struct rg_policy_mr *mr_out, struct rg_err *err)
{
	struct rg_arena *a = out->arena;
	struct req *reqs = NULL;
	size_t nreqs = 0;
	uint64_t timeout = 0;
	const char *branch, *touched = NULL;
	struct rg_policy_mr mr = {0};
	struct rg_policy_approver *aps = NULL;
	size_t naps = 0;
	struct rg_err e = RG_ERR_INIT;
	int ret;

	if (!m->ref || strncmp(m->ref, "refs/heads/", 11) != 0)
		return 0;
	branch = m->ref + 11;
	reqs = rg_arena_calloc(a, p->napprovals + 1, sizeof(*reqs));
	for (size_t i = 0; i < p->napprovals; i++) {
		const struct rg_policy_approval *ap = &p->approvals[i];
		struct req *r = &reqs[nreqs];

		if (!glob_in(branch, ap->branches, ap->nbranches) &&
		    !glob_in(m->env, ap->environments, ap->nenvironments))
			continue;
		r->rule = "policy.approvals";
		r->users = ap->users;
		r->nusers = ap->nusers;
		r->groups = ap->groups;
		r->ngroups = ap->ngroups;
		r->min = ap->min;
		r->pos = ap->pos;
		r->why = rg_arena_printf(a, "a merge into %s", branch);
		if (ap->timeout_ms > timeout)
			timeout = ap->timeout_ms;
		nreqs++;
	}
	if (rg_policy_owners_touched(p, m->changed, m->nchanged, &touched)) {
		struct req *r = &reqs[nreqs++];

		r->rule = "policy.owners";
		r->users = p->owners.users;
		r->nusers = p->owners.nusers;
		r->groups = p->owners.groups;
		r->ngroups = p->owners.ngroups;
		r->min = p->owners.min;
		r->pos = p->owners.pos;
		r->why = rg_arena_printf(a, "a change to %s", touched);
	}
	if (!nreqs)
		return 0;
	if (!timeout)
		timeout = m->timeout_ms ? m->timeout_ms : DEFAULT_TIMEOUT_MS;
	if (!forge) {
		forge_failed(out, reqs, nreqs, m,
			     "no forge is configured to ask for approvals");
		return 0;
	}
	ret = forge->find_merged_mr(forge->ctx, a, m->ref, m->commit, timeout,
				    &mr, &e);
	if (ret < 0) {
		forge_error(out, reqs, nreqs, m, ret,
			    "looking for the merge request", timeout, &e);
		return 0;
	}
	if (mr_out)
		*mr_out = mr;
	ret =
	    forge->list_approvals(forge->ctx, a, &mr, timeout, &aps, &naps, &e);
	if (ret < 0) {
		forge_error(out, reqs, nreqs, m, ret, "listing its approvals",
			    timeout, &e);
		return 0;
	}
	for (size_t i = 0; i < nreqs; i++) {
		const char *names = "";
		int64_t c = count(a, &reqs[i], &mr, aps, naps, &names);
		struct rg_finding *fd;

		if (c >= reqs[i].min)
			continue;
		fd = rg_finding_add(
		    out, RG_SEV_DENY, reqs[i].rule, &reqs[i].pos,
		    "merge request %s: %s needs %" PRId64 " approval%s from "
		    "%s and has %" PRId64 "%s%s%s",
		    mr.id ? mr.id : "?", reqs[i].why, reqs[i].min,
		    reqs[i].min == 1 ? "" : "s", who(a, &reqs[i]), c,
		    c ? " (" : "", names, c ? ")" : "");
		if (fd)
			fd->env = m->env;
		rg_finding_set_hint(out, fd,
				    "ask %s to approve %s (the author%s%s "
				    "does not count), then merge again",
				    who(a, &reqs[i]), mr.id ? mr.id : "it",
				    mr.author ? " " : "",
				    mr.author ? mr.author : "");
	}
	(void)err;
	return 0;
}
