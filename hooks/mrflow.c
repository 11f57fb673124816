/*
 * mrflow.c - spool jobs for the merge request of a gated push (see
 * mrflow.h).
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/config.h"
#include "rendergate/diff.h"
#include "rendergate/drain.h"
#include "rendergate/forge.h"
#include "rendergate/mdreport.h"
#include "rendergate/mrflow.h"
#include "rendergate/push.h"
#include "rendergate/report.h"

#include <stdio.h>

#define HEADS	     "refs/heads/"
#define PREVIEW_MID  " (preview: merged into "
#define CONFLICT_MID ": no preview: merging it into "
#define CONFLICT_END " conflicts"

static bool starts_with(const char *s, const char *prefix)
{
	return s && !strncmp(s, prefix, strlen(prefix));
}

/* X from s = "<ref><mid>X<end>", as an arena copy; NULL when s is not so. */
static const char *between(const char *s, const char *ref, const char *mid,
			   const char *end, struct rg_arena *a)
{
	size_t rl = strlen(ref), ml = strlen(mid), el = strlen(end), n;
	const char *t;

	if (!s || strncmp(s, ref, rl) || strncmp(s + rl, mid, ml))
		return NULL;
	t = s + rl + ml;
	n = strlen(t);
	if (n <= el || strcmp(t + n - el, end))
		return NULL;
	return rg_arena_strndup(a, t, n - el);
}

/* The target of a preview label "<ref> (preview: merged into X)". */
static const char *preview_target(const char *label, const char *ref,
				  struct rg_arena *a)
{
	return between(label, ref, PREVIEW_MID, ")", a);
}

/* The target of the note "<ref>: no preview: merging it into X conflicts". */
static const char *conflict_target(const char *note, const char *ref,
				   struct rg_arena *a)
{
	return between(note, ref, CONFLICT_MID, CONFLICT_END, a);
}

/* A decimal number > 0 from the environment, else 0. */
static long long env_number(const char *v)
{
	long long n = 0;

	if (!v || !*v)
		return 0;
	for (; *v; v++) {
		if (*v < '0' || *v > '9' || n > (LLONG_MAX - 9) / 10)
			return 0;
		n = n * 10 + (*v - '0');
	}
	return n;
}

static bool forge_merge(enum rg_config_forge kind,
			const char *(*getenv_fn)(const char *))
{
	const char *v;

	if (kind == RG_FORGE_GITLAB) {
		v = getenv_fn("GL_PROTOCOL");
		return v && !strcmp(v, "web");
	}
	if (kind == RG_FORGE_GITEA) {
		v = getenv_fn("GITEA_PR_ID");
		return v && *v && strcmp(v, "0") != 0;
	}
	return false;
}

void rg_mrflow_classify(struct rg_mrflow_ref *out, const struct rg_report *rep,
			const struct rg_push_update *u,
			enum rg_config_forge kind,
			const char *(*getenv_fn)(const char *),
			struct rg_arena *a)
{
	bool gated = false;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->ref = u->ref;
	if (!starts_with(u->ref, HEADS) || u->kind == RG_PUSH_DELETE)
		return;
	out->branch = u->ref + strlen(HEADS);
	for (i = 0; i < rep->nenvs && !out->target; i++) {
		const struct rg_report_env *e = &rep->envs[i];

		if (e->ref && !strcmp(e->ref, u->ref) && strcmp(e->name, "-"))
			gated = true;
		out->target = preview_target(e->ref, u->ref, a);
		if (out->target)
			out->label = e->ref;
	}
	for (i = 0; i < rep->nnotes && !out->target; i++) {
		out->target = conflict_target(rep->notes[i], u->ref, a);
		out->conflict = out->target != NULL;
	}
	if (out->target) {
		out->kind = RG_MRFLOW_PREVIEW;
		return;
	}
	if (gated && forge_merge(kind, getenv_fn)) {
		out->kind = RG_MRFLOW_MERGED;
		out->label = u->ref;
		out->target = out->branch;
		if (kind == RG_FORGE_GITEA)
			out->mr = env_number(getenv_fn("GITEA_PR_INDEX"));
	}
}

static const char *finding_line(const struct rg_finding *f, struct rg_arena *a)
{
	const char *where = "";

	if (f->origin.file && f->origin.line)
		where = rg_arena_printf(a, "%s:%u:%u: ", f->origin.file,
					(unsigned)f->origin.line,
					(unsigned)f->origin.col);
	else if (f->origin.file)
		where = rg_arena_printf(a, "%s: ", f->origin.file);
	return rg_arena_printf(
	    a, "%s%s: %s (%s)%s%s", where,
	    rg_finding_severity_name((enum rg_severity)f->severity), f->message,
	    f->rule ? f->rule : "-", f->hint ? "; hint: " : "",
	    f->hint ? f->hint : "");
}

/* Append s to the arena array *v of *n entries. */
static void push_str(const char ***v, size_t *n, const char *s,
		     struct rg_arena *a)
{
	*v = rg_arena_grow(a, (void *)*v, *n, *n + 1, sizeof(**v));
	(*v)[(*n)++] = s;
}

/* One report environment as a comment environment, with its findings. */
static void build_env(struct rg_mdreport_env *me,
		      const struct rg_report_env *re,
		      const struct rg_report *rep, struct rg_arena *a)
{
	const char **notes = NULL, **lines = NULL;
	size_t nnotes = 0, nlines = 0, i;

	if (re->diff) {
		rg_mdreport_env_from_diff(me, re->diff, a);
		for (i = 0; i < me->nnotes; i++)
			push_str(&notes, &nnotes, me->notes[i], a);
	} else {
		memset(me, 0, sizeof(*me));
		me->error = re->note ? re->note : "not rendered";
	}
	me->name = re->name;
	if (re->diff && re->note)
		push_str(&notes, &nnotes, re->note, a);
	for (i = 0; i < rep->findings.len; i++) {
		const struct rg_finding *f = &rep->findings.items[i];

		if (!f->env || strcmp(f->env, re->name))
			continue;
		push_str(&lines, &nlines, finding_line(f, a), a);
	}
	me->notes = notes;
	me->nnotes = nnotes;
	me->finding_lines = lines;
	me->nfinding_lines = nlines;
	me->findings = nlines;
}

/*
 * The push-level lines: this ref's notes (every note for a CLI report,
 * ref->ref NULL), errors, findings without env.
 */
static void build_notes(struct rg_mdreport *md, const struct rg_report *rep,
			const struct rg_mrflow_ref *ref, struct rg_arena *a)
{
	const char **notes = NULL;
	size_t n = 0, i, rl = ref->ref ? strlen(ref->ref) : 0;
	char msg[RG_ERR_MSG_MAX + RG_ERR_FILE_MAX + 64];

	if (ref->conflict)
		push_str(
		    &notes, &n,
		    rg_arena_printf(a,
				    "merging %s into %s conflicts: nothing "
				    "was rendered; merge %s into the branch "
				    "to get a preview",
				    ref->branch, ref->target, ref->target),
		    a);
	for (i = 0; i < rep->nnotes; i++) {
		const char *s = rep->notes[i];

		if (!ref->ref)
			push_str(&notes, &n, s, a);
		else if (!strncmp(s, ref->ref, rl) && s[rl] == ':' &&
			 !(ref->conflict && conflict_target(s, ref->ref, a)))
			push_str(&notes, &n, s + rl + 2, a);
	}
	for (i = 0; i < rep->errors.len; i++) {
		rg_err_format(&rep->errors.items[i], msg, sizeof(msg));
		push_str(&notes, &n, rg_arena_printf(a, "error: %s", msg), a);
	}
	for (i = 0; i < rep->findings.len; i++)
		if (!rep->findings.items[i].env)
			push_str(&notes, &n,
				 finding_line(&rep->findings.items[i], a), a);
	md->notes = notes;
	md->nnotes = n;
}

static const char *verdict_text(const struct rg_report *rep,
				const struct rg_mrflow_ref *ref)
{
	int code = rg_report_exit_code(rep);
	bool warn = rep->warn_mode && rg_report_exit_code_strict(rep) != 0;

	if (ref->kind == RG_MRFLOW_NONE) /* a CLI diff */
		return code ? "A push would be rejected"
			    : "A push would be accepted";
	if (ref->kind == RG_MRFLOW_MERGED)
		return code   ? "Merge rejected"
		       : warn ? "Merged (warn mode: problems found)"
			      : "Merged";
	return code   ? "Push rejected"
	       : warn ? "Push accepted (warn mode: problems found)"
		      : "Push accepted";
}

/* The report environments whose ref is label (NULL: a CLI report's). */
static void build_envs(struct rg_mdreport *out, const struct rg_report *rep,
		       const char *label, struct rg_arena *a)
{
	struct rg_mdreport_env *envs;
	size_t n = 0, i;

	envs = rg_arena_calloc(a, rep->nenvs ? rep->nenvs : 1, sizeof(*envs));
	for (i = 0; i < rep->nenvs; i++) {
		const struct rg_report_env *re = &rep->envs[i];

		if (label ? !re->ref || strcmp(re->ref, label)
			  : re->ref != NULL)
			continue;
		/* skipped environments are unaffected; failed ones have a
		 * note and no diff */
		if (!re->rendered || (!re->diff && !re->note))
			continue;
		build_env(&envs[n++], re, rep, a);
	}
	out->envs = envs;
	out->nenvs = n;
}

void rg_mrflow_build_cli(struct rg_mdreport *out, const struct rg_report *rep,
			 const char *old_rev, const char *new_rev,
			 const char *new_sha, struct rg_arena *a)
{
	struct rg_mrflow_ref ref;

	memset(out, 0, sizeof(*out));
	memset(&ref, 0, sizeof(ref));
	build_envs(out, rep, NULL, a);
	build_notes(out, rep, &ref, a);
	out->head_sha = new_sha;
	out->target = old_rev;
	out->verdict = verdict_text(rep, &ref);
	out->title =
	    rg_arena_printf(a, "rendered diff: %s..%s", old_rev, new_rev);
}

void rg_mrflow_build(struct rg_mdreport *out, const struct rg_report *rep,
		     const struct rg_mrflow_ref *ref, const char *head_sha,
		     struct rg_arena *a)
{
	memset(out, 0, sizeof(*out));
	if (ref->label) {
		build_envs(out, rep, ref->label, a);
	} else {
		/* a conflicting preview rendered nothing */
		out->envs = rg_arena_calloc(a, 1, sizeof(*out->envs));
		out->nenvs = 0;
	}
	build_notes(out, rep, ref, a);
	out->head_sha = head_sha;
	out->target = ref->target;
	out->verdict = verdict_text(rep, ref);
	if (ref->kind == RG_MRFLOW_MERGED) {
		out->marker = RG_FORGE_MARKER_MERGED;
		out->title = rg_arena_printf(a, "merged into %s", ref->target);
		out->summary_only = true;
	} else {
		out->marker = RG_FORGE_MARKER_DEFAULT;
		out->title = "rendered diff";
	}
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

const char *rg_mrflow_status_text(const struct rg_report *rep,
				  const struct rg_mdreport *md,
				  struct rg_arena *a)
{
	size_t added = 0, removed = 0, changed = 0, i;
	size_t problems = rg_report_problems(rep);
	const char *s;

	for (i = 0; i < md->nenvs; i++) {
		added += md->envs[i].added;
		removed += md->envs[i].removed;
		changed += md->envs[i].changed;
	}
	if (rg_report_exit_code(rep))
		s = rg_arena_printf(a, "rejected: %zu %s", problems,
				    plural(problems, "problem", "problems"));
	else if (!md->nenvs)
		s = rg_arena_printf(a, "accepted: no environment rendered");
	else
		s = rg_arena_printf(
		    a,
		    "accepted: %zu %s, %zu added, %zu changed, %zu removed, "
		    "%zu %s",
		    md->nenvs, plural(md->nenvs, "environment", "environments"),
		    added, changed, removed, rep->findings.nwarn + problems,
		    plural(rep->findings.nwarn + problems, "finding",
			   "findings"));
	if (strlen(s) > RG_CAP_STATUS_DESC_CHARS)
		s = rg_arena_strndup(a, s, RG_CAP_STATUS_DESC_CHARS);
	return s;
}

static const char *hook_getenv(const char *name)
{
	return getenv(name);
}

static size_t spool_ref(const struct rg_config_server *srv, const char *hook,
			const struct rg_push_update *u,
			const struct rg_report *rep, const char *spool,
			const char *project, struct rg_arena *a)
{
	struct rg_mrflow_ref ref;
	struct rg_mdreport md;
	struct rg_drain_post p;
	struct rg_err err = RG_ERR_INIT;
	bool rejected = rg_report_exit_code(rep) != 0;

	rg_mrflow_classify(&ref, rep, u, srv->forge.kind, hook_getenv, a);
	if (ref.kind == RG_MRFLOW_NONE)
		return 0;
	/* a rejected merge commit belongs to no merge request */
	if (ref.kind == RG_MRFLOW_MERGED && rejected && !ref.mr)
		return 0;
	rg_mrflow_build(&md, rep, &ref, u->new_id, a);
	memset(&p, 0, sizeof(p));
	p.spool = spool;
	p.kind = srv->forge.kind;
	p.project = project;
	p.head_sha = u->new_id;
	p.report = &md;
	if (ref.kind == RG_MRFLOW_PREVIEW) {
		p.source_branch = ref.branch;
		p.target_branch = ref.target;
		p.status = true;
		p.state = rejected ? RG_FORGE_FAILED : RG_FORGE_SUCCESS;
		p.description = rg_mrflow_status_text(rep, &md, a);
	} else {
		p.mr = ref.mr;
		p.merged = ref.mr == 0;
	}
	if (rg_drain_enqueue(&p, a, &err) < 0) {
		fprintf(stderr,
			"rendergate: note: %s: %s: the merge request report "
			"was not queued: %s (the push is not affected)\n",
			hook ? hook : "hook", u->ref, err.msg);
		return 0;
	}
	return p.status ? 2 : 1;
}

size_t rg_mrflow_spool_push(const struct rg_config_server *srv,
			    const char *config_path, const char *hook,
			    const struct rg_push *push,
			    const struct rg_report *rep, struct rg_arena *a)
{
	const char *spool, *project;
	struct rg_err err = RG_ERR_INIT;
	size_t jobs = 0, i;

	if (!srv || srv->forge.kind == RG_FORGE_NONE)
		return 0;
	spool = srv->spool_dir ? srv->spool_dir : RG_DRAIN_SPOOL_DEFAULT;
	/* NULL leaves it to the drainer's configured project */
	project = rg_forge_project_from_env(a, srv->forge.kind);
	if (srv->forge.project)
		project = NULL;
	if (!project && !srv->forge.project) {
		/* the drainer could only move such jobs to failed/ */
		fprintf(stderr,
			"rendergate: note: no merge request report: the forge "
			"project is unknown (set forge.project in %s, or run "
			"the hook under %s)\n",
			srv->file ? srv->file : "the server config",
			rg_forge_kind_name(srv->forge.kind));
		return 0;
	}
	for (i = 0; i < push->len; i++)
		jobs += spool_ref(srv, hook, &push->updates[i], rep, spool,
				  project, a);
	/* post-receive starts the drainer, but never runs for a rejection */
	if (jobs && rg_report_exit_code(rep) != 0 &&
	    rg_drain_start_detached(NULL, config_path, spool, &err) < 0)
		fprintf(stderr,
			"rendergate: note: could not start the drainer: %s\n",
			err.msg);
	return jobs;
}
