#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/chartcache.h"
#include "rendergate/config.h"
#include "rendergate/depstore.h"
#include "rendergate/diff.h"
#include "rendergate/drain.h"
#include "rendergate/env.h"
#include "rendergate/finding.h"
#include "rendergate/fsutil.h"
#include "rendergate/gate.h"
#include "rendergate/gatepolicy.h"
#include "rendergate/gatestage.h"
#include "rendergate/gittree.h"
#include "rendergate/helmrun.h"
#include "rendergate/mrflow.h"
#include "rendergate/objects.h"
#include "rendergate/policy.h"
#include "rendergate/push.h"
#include "rendergate/rcache.h"
#include "rendergate/rcstore.h"
#include "rendergate/repo.h"
#include "rendergate/report.h"
#include "rendergate/serverconf.h"

#include <signal.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

uint64_t rg_gate_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int rg_gate_repo_config_tree(struct rg_config_repo **out, struct rg_gate *g,
			     struct rg_tree *t)
{
	struct rg_err err = RG_ERR_INIT;
	const char *data = NULL;
	size_t len = 0;
	int rc = rg_tree_read(t, RG_CONFIG_REPO_FILE, &data, &len, &err);

	*out = NULL;
	if (rc == RG_ENOTFOUND) {
		rc = 0;
		goto out;
	}
	if (rc) {
		rg_err_prefix(&err, "%s", RG_CONFIG_REPO_FILE);
		rg_report_error(g->report, &err);
		goto out;
	}
	rc = rg_config_repo_parse(out, g->arena, RG_CONFIG_REPO_FILE, data, len,
				  &g->report->errors);
	if (rc)
		*out = NULL;
	else if (*out) { /* charts of releases with repo: (helm.h) */
		(*out)->chart_cache = rg_chartcache_open(
		    g->arena, g->server->chart_cache_dir, &err);
		/* releases with engine: helm (helmexec.h) */
		(*out)->helm_exec =
		    rg_helmrun_new(g->arena, g->server, g->start_ms);
	}
out:
	return rc;
}

int rg_gate_repo_config(struct rg_config_repo **out, struct rg_gate *g,
			const git_oid *tree_id)
{
	struct rg_err err = RG_ERR_INIT;
	struct rg_tree *t =
	    rg_gittree_new(g->arena, g->repo, tree_id, "config", &err);
	int rc = 0;

	*out = NULL;
	if (!t) {
		rg_report_error(g->report, &err);
		rc = err.code;
		goto out;
	}
	rc = rg_gate_repo_config_tree(out, g, t);
	if (!rc && *out && g->rcache && g->binary_id) {
		char id[RG_SHA1_HEX];

		/* renders are stored under the binary and the config blob */
		if (rg_tree_stat_id(t, RG_CONFIG_REPO_FILE, id) == RG_TREE_FILE)
			rg_rcache_set_scope(g->rcache, *out,
					    rg_arena_printf(g->arena,
							    "rendergate-rcache "
							    "1\n%s\nconfig %s",
							    g->binary_id, id));
	}
out:
	rg_tree_free(t);
	return rc;
}

int rg_gate_render_tree(struct rg_objset **out, struct rg_findings *findings,
			struct rg_gate *g, const struct rg_config_repo *cfg,
			const struct rg_config_env *env, struct rg_tree *t,
			bool missing_ok, struct rg_err *err)
{
	struct rg_objset *set = NULL;
	int rc = 0;

	*out = NULL;
	if (missing_ok && *env->path &&
	    rg_tree_stat(t, env->path) == RG_TREE_MISSING)
		goto out;
	set = rg_arena_alloc(g->arena, sizeof(*set));
	rg_objset_init(set, g->arena);
	rc = rg_env_render_cached(set, findings, cfg, env, t, g->rcache,
				  g->arena, err);
	if (!rc)
		*out = set;
	/* the last render wins: normally the state after the push, which
	   the next push starts from */
	if (!rc && g->depdir)
		rg_depstore_save(g->depdir, env->name, t->deps, t->ndeps, NULL);
out:
	return rc;
}

int rg_gate_render(struct rg_objset **out, struct rg_findings *findings,
		   struct rg_gate *g, const struct rg_config_repo *cfg,
		   const struct rg_config_env *env, const git_oid *tree_id,
		   bool missing_ok, struct rg_err *err)
{
	struct rg_tree *t = NULL;
	char label[256], hex[GIT_OID_HEXSZ + 1];
	int rc = 0;

	*out = NULL;
	git_oid_tostr(hex, sizeof(hex), tree_id);
	snprintf(label, sizeof(label), "%s@%.7s", env->name, hex);
	t = rg_gittree_new(g->arena, g->repo, tree_id, label, err);
	if (!t) {
		rc = err->code ? err->code : RG_ERROR;
		goto out;
	}
	rc =
	    rg_gate_render_tree(out, findings, g, cfg, env, t, missing_ok, err);
out:
	rg_tree_free(t);
	return rc;
}

/* Is branch (full ref) the branch of some environment of cfg? */
static const struct rg_config_env *
env_on_branch(const struct rg_config_repo *cfg, const char *ref)
{
	if (strncmp(ref, "refs/heads/", 11) != 0)
		return NULL;
	for (size_t i = 0; i < cfg->nenvs; i++) {
		const char *b = rg_config_env_branch(cfg, &cfg->envs[i]);

		if (b && !strcmp(b, ref + 11))
			return &cfg->envs[i];
	}
	return NULL;
}

/*
 * Find the config for update u: old tip, else default branch tip. *from
 * says where it came from (for notes). *out NULL: none anywhere.
 */
/*
 * The default branch whose config a new branch is judged by: the branch
 * HEAD names, or, when that branch has no commit yet (a bare repository
 * created with another init.defaultBranch than the one pushed), main or
 * master, whichever exists first. RG_ENOTFOUND when none exists.
 */
static int default_tip(const char **ref, git_oid *tip, struct rg_gate *g)
{
	const char *cands[3] = {NULL, "refs/heads/main", "refs/heads/master"};
	struct rg_err err = RG_ERR_INIT;
	int rc = RG_ENOTFOUND;

	if (rg_repo_default_branch(&cands[0], NULL, g->arena, g->repo, &err))
		cands[0] = NULL; /* detached HEAD: try the usual names */
	for (size_t i = 0; i < RG_ARRAY_SIZE(cands) && rc == RG_ENOTFOUND;
	     i++) {
		if (!cands[i] || (i && cands[0] && !strcmp(cands[0], cands[i])))
			continue;
		rg_err_init(&err);
		rc = rg_repo_ref_tip(tip, g->repo, cands[i], &err);
		if (!rc)
			*ref = cands[i];
	}
	if (rc && rc != RG_ENOTFOUND)
		rg_report_error(g->report, &err);
	return rc;
}

static int find_config(struct rg_config_repo **out, const char **from,
		       git_oid *cfg_tree, struct rg_gate *g,
		       const struct rg_push_update *u)
{
	git_oid tree, tip;
	const char *defref = NULL;
	struct rg_err err = RG_ERR_INIT;
	int rc = 0;

	*out = NULL;
	*from = NULL;
	if (u->kind != RG_PUSH_CREATE) {
		rc = rg_repo_commit_tree(&tree, g->repo, u->old_id, &err);
		if (rc) {
			rg_report_error(g->report, &err);
			goto out;
		}
		rc = rg_gate_repo_config(out, g, &tree);
		if (!rc && *out)
			git_oid_cpy(cfg_tree, &tree);
		if (rc || *out)
			goto out;
	}
	rc = default_tip(&defref, &tip, g);
	if (rc == RG_ENOTFOUND) {
		rc = 0; /* no default branch yet: an empty repository */
		goto out;
	}
	if (rc)
		goto out;
	if (u->kind != RG_PUSH_CREATE && !strcmp(defref, u->ref))
		goto out; /* already looked there */
	rc = rg_repo_resolve(NULL, &tree, g->repo, defref, &err);
	if (rc) {
		rg_report_error(g->report, &err);
		goto out;
	}
	rc = rg_gate_repo_config(out, g, &tree);
	if (!rc && *out) {
		char hex[8];

		git_oid_cpy(cfg_tree, &tree);
		rg_repo_short_id(hex, &tip);
		*from = rg_arena_printf(g->arena, "%s@%s", defref, hex);
	}
out:
	return rc;
}

static bool out_of_time(struct rg_gate *g, const char *what)
{
	uint64_t elapsed = rg_gate_now_ms() - g->start_ms;
	struct rg_err err = RG_ERR_INIT;

	if (elapsed <= g->server->deadline_ms)
		return false;
	rg_err_set(&err, RG_ETIMEOUT, NULL,
		   "rendergate ran out of time after %llu ms while rendering "
		   "%s (deadline %llu ms)",
		   (unsigned long long)elapsed, what,
		   (unsigned long long)g->server->deadline_ms);
	rg_report_error(g->report, &err);
	return true;
}

/*
 * How one ref's renders are judged: where the new render's findings go,
 * and whether a render that fails is an error (rejects) or only a note
 * (a preview that may not reject).
 */
struct judge {
	const char *ref; /* label in the report */
	struct rg_findings *findings;
	bool errors_are_notes;
};

/* Render one environment old and new, diff, collect. */
static int gate_env(struct rg_gate *g, const struct rg_config_repo *cfg,
		    const struct judge *j, const struct rg_env_choice *ch,
		    const git_oid *old_tree, const git_oid *new_tree)
{
	const struct rg_config_env *env = ch->env;
	struct rg_report_env *re =
	    rg_report_add_env(g->report, j->ref, env->name, true, ch->reason);
	struct rg_objset *oldset = NULL, *newset = NULL;
	struct rg_findings oldf;
	struct rg_err err = RG_ERR_INIT;
	char msg[RG_ERR_MSG_MAX + 600];
	int rc = 0;

	rg_finding_init(&oldf, g->arena);
	if (old_tree) {
		const char *depdir = g->depdir;

		/* the log kept is the state after the push, rendered next */
		g->depdir = NULL;
		rc = rg_gate_render(&oldset, &oldf, g, cfg, env, old_tree, true,
				    &err);
		g->depdir = depdir;
		if (rc) {
			rg_err_format(&err, msg, sizeof(msg));
			re->note = rg_arena_printf(
			    g->arena,
			    "the state before the push could not be "
			    "rendered (%s); every object is shown as added",
			    msg);
			oldset = NULL;
			rg_err_init(&err);
			rc = 0;
		}
	}
	rc = rg_gate_render(&newset, j->findings, g, cfg, env, new_tree, true,
			    &err);
	if (rc && j->errors_are_notes) {
		rg_err_format(&err, msg, sizeof(msg));
		re->note =
		    rg_arena_printf(g->arena, "could not be rendered: %s", msg);
		rc = 0;
		goto out;
	}
	if (rc) {
		rg_report_error(g->report, &err);
		goto out;
	}
	if (!newset)
		re->note = rg_arena_printf(g->arena,
					   "path %s is gone; every object of "
					   "%s is shown as removed",
					   env->path, env->name);
	if (newset && g->policy &&
	    rg_policy_check_objects(j->findings, g->policy, env->name, newset,
				    &err)) {
		if (j->errors_are_notes) {
			rg_err_format(&err, msg, sizeof(msg));
			re->note = rg_arena_printf(
			    g->arena, "policy could not be checked: %s", msg);
		} else {
			rg_report_error(g->report, &err);
		}
		rg_err_init(&err);
	}
	rc = rg_diff_objsets(&re->diff, oldset, newset, env->name, g->arena,
			     &err);
	if (rc)
		rg_report_error(g->report, &err);
out:
	return rc;
}

/*
 * The watchdog. The gate checks the clock between environments, but one
 * environment can run long on its own (a slow template loop stays well
 * inside the step budget). The hook arms SIGALRM for the deadline; before
 * each environment it prepares the rejection that names it, and the
 * handler only writes that text and exits (async-signal-safe), so the
 * push is rejected near the deadline instead of being killed by the forge
 * mid-way. Nothing is spooled and nothing half-written is left: spooling
 * happens after the verdict, and files are written to temporary names.
 * These statics are the one piece of process-wide state a signal handler
 * needs.
 */
static char watchdog_msg[2048];
static volatile sig_atomic_t watchdog_len;
static int watchdog_exit = RG_EXIT_INTERNAL;
static bool watchdog_web;

static void watchdog_fire(int sig)
{
	(void)sig;
	if (watchdog_len > 0)
		(void)!write(2, watchdog_msg, (size_t)watchdog_len);
	_exit(watchdog_exit);
}

static void watchdog_prepare(const struct rg_gate *g, const char *what)
{
	unsigned long long d = g->server->deadline_ms;
	int n;

	watchdog_len = 0;
	n = snprintf(watchdog_msg, sizeof(watchdog_msg),
		     "rendergate: rendergate ran out of time after %llu ms "
		     "while rendering %s (deadline %llu ms)\n"
		     "%srendergate: push rejected: out of time\n",
		     d, what, d,
		     watchdog_web ? "GL-HOOK-ERR: rendergate ran out of time "
				    "while rendering; ask the administrator "
				    "to raise the deadline\n"
				  : "");
	if (n > 0)
		watchdog_len = n < (int)sizeof(watchdog_msg)
				   ? n
				   : (int)sizeof(watchdog_msg) - 1;
}

/* Arm the watchdog for what is left of the deadline (hooks only). */
static void watchdog_arm(const struct rg_gate *g, bool warn_mode, bool web)
{
	uint64_t elapsed = rg_gate_now_ms() - g->start_ms;
	uint64_t left = g->server->deadline_ms > elapsed
			    ? g->server->deadline_ms - elapsed
			    : 1;
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	watchdog_exit = warn_mode ? RG_EXIT_OK : RG_EXIT_INTERNAL;
	watchdog_web = web;
	watchdog_prepare(g, "the push");
	it.it_value.tv_sec = (time_t)(left / 1000);
	it.it_value.tv_usec = (suseconds_t)(left % 1000) * 1000;
	signal(SIGALRM, watchdog_fire);
	setitimer(ITIMER_REAL, &it, NULL);
}

static void watchdog_disarm(void)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	signal(SIGALRM, SIG_DFL);
}

/* Render and diff every chosen environment; RG_ETIMEOUT past the deadline. */
static int gate_choices(struct rg_gate *g, const struct rg_config_repo *cfg,
			const struct judge *j,
			const struct rg_env_choice *choices, size_t n,
			const git_oid *old_tree, const git_oid *new_tree)
{
	for (size_t i = 0; i < n; i++) {
		if (!choices[i].render) {
			rg_report_add_env(g->report, j->ref,
					  choices[i].env->name, false,
					  choices[i].reason);
			continue;
		}
		watchdog_prepare(g, choices[i].env->name);
		gate_env(g, cfg, j, &choices[i], old_tree, new_tree);
		if (out_of_time(g, choices[i].env->name))
			return RG_ETIMEOUT;
	}
	return 0;
}

void rg_gate_refine_choices(struct rg_gate *g, const struct rg_config_repo *cfg,
			    const char *ref, struct rg_env_choice *choices,
			    size_t n, const git_oid *old_tree,
			    const char *const *paths, size_t npaths)
{
	struct rg_tree *t = NULL;
	struct rg_err err = RG_ERR_INIT;
	const char *branch = ref + (strncmp(ref, "refs/heads/", 11) ? 0 : 11);

	for (size_t i = 0; i < n; i++) {
		struct rg_env_choice *ch = &choices[i];
		const struct rg_config_env *env = ch->env;
		const struct rg_renderer *r;
		const char *b = rg_config_env_branch(cfg, env);
		const char *why = NULL;
		struct rg_findings tmp;
		struct rg_objset set;
		struct rg_env_deplog log = {NULL, 0};

		if (ch->render || !b || strcmp(b, branch))
			continue;
		if (!t)
			t = rg_gittree_new(g->arena, g->repo, old_tree,
					   "scoping", &err);
		if (!t) {
			ch->render = true;
			ch->reason = "the state before the push cannot be "
				     "read to see what it depends on";
			continue;
		}
		r = rg_env_detect(t, env);
		if (r && !strcmp(r->name, RG_CONFIG_KIND_PLAIN))
			continue; /* reads nothing outside its path */
		/* a stored log that still holds is what a render would
		   record; otherwise render to learn it, and store it */
		if (!g->depdir ||
		    rg_depstore_load(&log, g->arena, g->depdir, env->name, t)) {
			rg_finding_init(&tmp, g->arena);
			rg_objset_init(&set, g->arena);
			rg_err_init(&err);
			if (rg_env_render_cached(&set, &tmp, cfg, env, t,
						 g->rcache, g->arena, &err)) {
				ch->render = true;
				ch->reason = rg_arena_printf(
				    g->arena,
				    "its state before the push could not be "
				    "rendered to see what it reads (%s)",
				    err.msg);
				continue;
			}
			log.deps = t->deps;
			log.ndeps = t->ndeps;
			if (g->depdir)
				rg_depstore_save(g->depdir, env->name, t->deps,
						 t->ndeps, NULL);
		}
		if (rg_env_affected(&why, env, log.deps, log.ndeps, paths,
				    npaths, g->arena)) {
			ch->render = true;
			ch->reason = why;
		} else {
			ch->reason = rg_arena_printf(
			    g->arena, "not affected: no file %s read changed",
			    env->name);
		}
	}
	rg_tree_free(t);
}

/*
 * A push to a branch no environment lives on is a preview: the
 * environments of the target branch (feature_branches.target, else the
 * repository's default branch) are rendered as they would be after
 * merging the pushed commit, and diffed against the target's tip. Their
 * findings reject only with feature_branches.fail_early; otherwise they
 * are reported as warnings, and an environment that cannot be rendered
 * is a note.
 */
static int preview(struct rg_gate *g, const struct rg_config_repo *cfg,
		   const struct rg_push_update *u)
{
	const char *target = g->server->feature_branches.target
				 ? g->server->feature_branches.target
				 : cfg->default_branch;
	const char *tref = rg_arena_printf(g->arena, "refs/heads/%s", target);
	bool fail_early = g->server->feature_branches.fail_early;
	struct rg_findings found;
	struct rg_env_choice *choices = NULL;
	const char **paths = NULL;
	size_t nchoices = 0, npaths = 0;
	struct judge j = {NULL, &found, !fail_early};
	git_oid ttip, ttree, mtree, newc;
	struct rg_err err = RG_ERR_INIT;
	bool conflict = false;
	int rc = 0;

	rg_finding_init(&found, g->arena);
	if (!strcmp(tref, u->ref))
		goto out;
	rc = rg_repo_ref_tip(&ttip, g->repo, tref, &err);
	if (rc == RG_ENOTFOUND) {
		rg_report_note(g->report, "%s: no preview: %s does not exist",
			       u->ref, tref);
		rc = 0;
		goto out;
	}
	if (!rc)
		rc = rg_repo_resolve(NULL, &ttree, g->repo, tref, &err);
	if (!rc && git_oid_fromstr(&newc, u->new_id) < 0)
		rc = rg_err_set(&err, RG_EUNSUPPORTED, NULL,
				"%s is not a SHA-1 id", u->new_id);
	if (!rc)
		rc = rg_repo_merge_tree(&mtree, &conflict, g->repo, &ttip,
					&newc, &err);
	if (!rc && !conflict)
		rc = rg_repo_changed_paths(&paths, &npaths, g->arena, g->repo,
					   &ttree, &mtree, &err);
	if (rc) {
		rg_report_error(g->report, &err);
		goto out;
	}
	if (conflict) {
		rg_report_note(g->report,
			       "%s: no preview: merging it into %s conflicts",
			       u->ref, target);
		goto out;
	}
	j.ref = rg_arena_printf(g->arena, "%s (preview: merged into %s)",
				u->ref, target);
	rg_env_select(&choices, &nchoices, cfg, tref, paths, npaths, NULL,
		      g->arena);
	rg_gate_refine_choices(g, cfg, tref, choices, nchoices, &ttree, paths,
			       npaths);
	rc = gate_choices(g, cfg, &j, choices, nchoices, &ttree, &mtree);
	if (!rc)
		rg_gatestage_check_preview(&found, g, cfg, j.ref, choices,
					   nchoices, &mtree, !fail_early);
	for (size_t i = 0; i < found.len; i++) {
		const struct rg_finding *f = &found.items[i];
		struct rg_finding *c = rg_finding_add(
		    &g->report->findings,
		    fail_early ? (enum rg_severity)f->severity : RG_SEV_WARN,
		    f->rule, &f->origin, "%s", f->message);

		if (!c)
			continue;
		c->env = f->env;
		c->object = f->object;
		c->hint = f->hint;
	}
out:
	return rc;
}

static void deletion(struct rg_gate *g, const struct rg_config_repo *cfg,
		     const struct rg_push_update *u)
{
	const struct rg_config_env *env = env_on_branch(cfg, u->ref);
	struct rg_finding *f;

	if (!env || !g->server->protect_env_branch_deletion) {
		rg_report_add_env(g->report, u->ref, env ? env->name : "-",
				  false, "branch deleted; deletion allowed");
		return;
	}
	f = rg_finding_add(&g->report->findings, RG_SEV_DENY,
			   "gate.env-branch-deletion", &env->pos,
			   "deleting %s would delete environment %s", u->ref,
			   env->name);
	if (f) {
		f->env = env->name;
		rg_finding_set_hint(&g->report->findings, f,
				    "remove the environment from %s first, "
				    "or ask an admin to set "
				    "protect_env_branch_deletion: false",
				    RG_CONFIG_REPO_FILE);
	}
}

int rg_gate_update(struct rg_gate *g, const struct rg_push_update *u)
{
	struct rg_config_repo *cfg = NULL;
	struct rg_env_choice *choices = NULL;
	const char *from = NULL;
	const char **paths = NULL;
	size_t nchoices = 0, npaths = 0;
	git_oid old_tree, new_tree;
	struct judge j = {NULL, NULL, false};
	struct rg_err err = RG_ERR_INIT;
	const struct rg_policy *admin = g->policy;
	struct rg_policy *repo_policy = NULL;
	git_oid cfg_tree;
	int rc = 0;

	if (!rg_config_ref_gated(g->server, u->ref)) {
		rg_report_add_env(g->report, u->ref, "-", false,
				  "ref not gated (only branches and the "
				  "server's ref_include are)");
		goto out;
	}
	rc = find_config(&cfg, &from, &cfg_tree, g, u);
	if (rc)
		goto out;
	if (!cfg) {
		rg_report_note(g->report,
			       "%s: no %s before this push; accepting without "
			       "rendering",
			       u->ref, RG_CONFIG_REPO_FILE);
		goto out;
	}
	if (from)
		rg_report_note(g->report, "%s: using %s from %s", u->ref,
			       RG_CONFIG_REPO_FILE, from);
	/* the repository's policy, read from the same pre-push state */
	rc = rg_gatepolicy_for_update(&repo_policy, g, &cfg_tree);
	if (rc)
		goto out;
	if (repo_policy)
		g->policy = repo_policy;
	if (u->kind == RG_PUSH_DELETE) {
		deletion(g, cfg, u);
		goto out;
	}
	rc = rg_repo_commit_tree(&new_tree, g->repo, u->new_id, &err);
	if (!rc && u->kind == RG_PUSH_UPDATE)
		rc = rg_repo_commit_tree(&old_tree, g->repo, u->old_id, &err);
	if (!rc && u->kind == RG_PUSH_UPDATE)
		rc = rg_repo_changed_paths(&paths, &npaths, g->arena, g->repo,
					   &old_tree, &new_tree, &err);
	if (rc) {
		rg_report_error(g->report, &err);
		goto out;
	}
	rg_gatepolicy_check_push(g, cfg, u, paths, npaths);
	rg_env_select(&choices, &nchoices, cfg, u->ref,
		      u->kind == RG_PUSH_UPDATE ? paths : NULL, npaths, NULL,
		      g->arena);
	if (u->kind == RG_PUSH_UPDATE)
		rg_gate_refine_choices(g, cfg, u->ref, choices, nchoices,
				       &old_tree, paths, npaths);
	j.ref = u->ref;
	j.findings = &g->report->findings;
	rc = gate_choices(g, cfg, &j, choices, nchoices,
			  u->kind == RG_PUSH_UPDATE ? &old_tree : NULL,
			  &new_tree);
	if (!rc)
		rg_gatestage_check_update(g, cfg, u, choices, nchoices);
	if (!rc && !env_on_branch(cfg, u->ref) &&
	    !strncmp(u->ref, "refs/heads/", 11))
		rc = preview(g, cfg, u);
out:
	rg_policy_free(repo_policy);
	g->policy = admin;
	return rc;
}

int rg_gate_run(struct rg_gate *g, const struct rg_push *push)
{
	int rc = 0;

	for (size_t i = 0; i < push->len; i++) {
		rc = rg_gate_update(g, &push->updates[i]);
		if (rc == RG_ETIMEOUT)
			break;
	}
	return 0;
}

int rg_gate_load_policy(struct rg_policy **out, struct rg_arena *a,
			const struct rg_config_server *srv,
			struct rg_errlist *errs)
{
	struct rg_policy_file *files = NULL;
	struct rg_err err = RG_ERR_INIT;
	int rc = 0;

	*out = NULL;
	if (!srv->npolicy_files)
		goto out;
	files = rg_arena_calloc(a, srv->npolicy_files, sizeof(*files));
	for (size_t i = 0; i < srv->npolicy_files; i++) {
		files[i].name = srv->policy_files[i];
		files[i].origin = RG_POLICY_ADMIN;
		rc = rg_serverconf_read_file(&files[i].data, &files[i].len, a,
					     files[i].name, RG_CAP_CONFIG_BYTES,
					     false, &err);
		if (rc) {
			rg_errlist_add(errs, &err);
			goto out;
		}
	}
	rc = rg_policy_load(out, a, files, srv->npolicy_files, errs);
out:
	return rc;
}

/* --- the hook commands ----------------------------------------------- */

static const char hook_usage[] =
    "usage: rendergate pre-receive [--config FILE] < <old> <new> <ref> lines\n"
    "       rendergate update [--config FILE] REF OLD NEW\n"
    "       rendergate post-receive [--config FILE] < lines\n"
    "\n"
    "Run as git server hooks (see rendergate install). pre-receive gates\n"
    "every ref of a push at once; update gates one ref; post-receive\n"
    "accepts and hands results to the drainer.\n"
    "\n"
    "  --config FILE  server config (default $RENDERGATE_CONFIG, then\n"
    "                 /etc/rendergate/config.yaml)\n"
    "\n"
    "Environment: GIT_DIR and the quarantine variables set by git,\n"
    "GIT_PUSH_OPTION_* (push option rendergate.trace prints the scoping\n"
    "decisions), RENDERGATE_TRACE=1, GL_PROTOCOL=web (adds GL-HOOK-ERR\n"
    "lines), GL_USERNAME / GITEA_PUSHER_NAME (the pusher).\n"
    "\n"
    "Examples:\n"
    "  rendergate install /srv/git/deploy.git   # writes the hook scripts\n"
    "  echo \"$old $new refs/heads/main\" |\n"
    "      GIT_DIR=deploy.git rendergate pre-receive --config cfg.yaml\n"
    "\n"
    "Exit codes: 0 accepted, 1 denied by findings, 2 bad input or config,\n"
    "3 internal error (every non-zero code rejects the push).\n";

struct hook_args {
	const char *config;
	char **rest;
	int nrest;
};

static int parse_hook_args(struct hook_args *h, int argc, char **argv)
{
	memset(h, 0, sizeof(*h));
	h->rest = argv + argc;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(hook_usage, stdout);
			return 1;
		} else if (!strcmp(argv[i], "--config") && i + 1 < argc) {
			h->config = argv[++i];
		} else if (!strncmp(argv[i], "--config=", 9)) {
			h->config = argv[i] + 9;
		} else if (!strcmp(argv[i], "--")) {
			h->rest = argv + i + 1;
			h->nrest = argc - i - 1;
			break;
		} else {
			h->rest = argv + i;
			h->nrest = argc - i;
			break;
		}
	}
	return 0;
}

static int read_stdin(struct rg_buf *b, struct rg_err *err)
{
	char chunk[65536];
	ssize_t n;

	for (;;) {
		n = read(0, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return rg_err_set(err, RG_EIO, NULL,
					  "cannot read standard input: %s",
					  strerror(errno));
		if (n == 0)
			return 0;
		if (rg_buf_add(b, chunk, (size_t)n))
			return rg_err_set(err, RG_ELIMIT, NULL,
					  "hook input is larger than %zu "
					  "bytes",
					  b->cap);
	}
}

static const char *push_getenv(const char *name)
{
	return getenv(name);
}

static void print_errlist(const struct rg_errlist *l)
{
	char line[RG_ERR_MSG_MAX + RG_ERR_FILE_MAX + 64];

	for (size_t i = 0; i < l->len; i++) {
		rg_err_format(&l->items[i], line, sizeof(line));
		fprintf(stderr, "rendergate: %s\n", line);
	}
}

static bool env_true(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0") != 0;
}

/* The shared body of pre-receive and update. */
static int hook_main(const char *hook, struct hook_args *h, bool from_stdin)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_buf in = RG_BUF_INIT((size_t)RG_CAP_PUSH_REFS *
				       (RG_CAP_PUSH_LINE_BYTES + 1));
	struct rg_buf out = RG_BUF_INIT(RG_CAP_REPORT_TERM_BYTES * 4);
	struct rg_errlist cfgerrs = RG_ERRLIST_INIT;
	struct rg_config_server *srv = NULL;
	struct rg_policy *policy = NULL;
	struct rg_rcstore *rcstore = NULL;
	struct rg_report rep;
	struct rg_push push;
	struct rg_gate g;
	struct rg_err err = RG_ERR_INIT;
	git_repository *repo = NULL;
	const char *proto = getenv("GL_PROTOCOL");
	bool trace = env_true("RENDERGATE_TRACE");
	int rc = RG_EXIT_OK;

	memset(&g, 0, sizeof(g));
	g.start_ms = rg_gate_now_ms();
	rg_report_init(&rep, a);
	rg_push_init(&push);
	if (from_stdin && read_stdin(&in, &err) == 0)
		rg_push_parse(&push, a, in.ptr, in.len, &err);
	else if (!from_stdin && h->nrest == 3)
		rg_push_add_args(&push, a, h->rest[0], h->rest[1], h->rest[2],
				 &err);
	else if (!from_stdin)
		rg_err_set(&err, RG_EINVALID, NULL,
			   "update needs three arguments: REF OLD NEW");
	if (!err.code)
		rg_push_options_load(&push, a, push_getenv, &err);
	if (err.code) {
		fprintf(stderr, "rendergate: %s: %s\n", hook, err.msg);
		rc = rg_report_exit_for(err.code);
		goto out;
	}
	if (rg_push_option(&push, "rendergate.trace"))
		trace = true;
	if (rg_serverconf_load(&srv, a, h->config, &cfgerrs) ||
	    rg_gate_load_policy(&policy, a, srv, &cfgerrs)) {
		print_errlist(&cfgerrs);
		fprintf(stderr, "rendergate: push rejected: the server config "
				"is broken; ask the administrator\n");
		if (proto && !strcmp(proto, "web"))
			fprintf(stderr,
				"GL-HOOK-ERR: rendergate: the server "
				"config is broken; ask the administrator\n");
		rc = RG_EXIT_BADINPUT;
		goto out;
	}
	rep.warn_mode = srv->mode == RG_MODE_WARN;
	if (push.len == 0)
		goto out;
	if (rg_repo_open_env(&repo, &err)) {
		fprintf(stderr, "rendergate: %s\n", err.msg);
		rc = RG_EXIT_INTERNAL;
		goto out;
	}
	g.arena = a;
	g.repo = repo;
	g.server = srv;
	g.report = &rep;
	g.policy = policy;
	g.rcache = rg_rcache_new(a);
	rcstore = rg_rcstore_open(
	    a, rg_arena_printf(a, "%srendergate-rcache",
			       git_repository_path(repo)));
	rg_rcstore_attach(rcstore, g.rcache);
	g.binary_id = rg_rcstore_binary_id(a);
	g.depdir =
	    rg_arena_printf(a, "%srendergate-deps", git_repository_path(repo));
	g.user = getenv("GL_USERNAME");
	if (!g.user)
		g.user = getenv("GITEA_PUSHER_NAME");
	watchdog_arm(&g, rep.warn_mode, proto && !strcmp(proto, "web"));
	rg_gate_run(&g, &push);
	watchdog_disarm();
	rg_rcstore_prune(rcstore);
	rg_finding_sort(&rep.findings);
	if (g.user && rg_config_user_bypasses(srv, g.user) &&
	    rg_report_problems(&rep)) {
		rg_report_note(&rep,
			       "%s is in bypass_users: the push is "
			       "accepted whatever the findings",
			       g.user);
		rep.warn_mode = true;
	}
	if (trace && rg_report_trace(&out, &rep) == RG_ELIMIT)
		rg_buf_adds(&out, "rendergate: trace cut: too long\n");
	if (rg_report_text(&out, &rep, 0) == RG_ELIMIT) {
		/* never lose the verdict line, whatever came before it */
		rg_fs_write_all(2, out.ptr, out.len);
		rg_buf_reset(&out);
		rg_report_verdict(&out, &rep);
	}
	rg_fs_write_all(2, out.ptr, out.len);
	if (proto && !strcmp(proto, "web")) {
		rg_buf_reset(&out);
		rg_report_glhook(&out, &rep);
		rg_fs_write_all(2, out.ptr, out.len);
	}
	rc = rg_report_exit_code(&rep);
	rg_mrflow_spool_push(srv, h->config, hook, &push, &rep, a);
out:
	git_repository_free(repo);
	rg_policy_free(policy);
	rg_report_release(&rep);
	rg_errlist_release(&cfgerrs);
	rg_buf_release(&in);
	rg_buf_release(&out);
	rg_arena_free(a);
	return rc;
}

int rg_gate_cmd_pre_receive(int argc, char **argv)
{
	struct hook_args h;

	if (parse_hook_args(&h, argc, argv))
		return RG_EXIT_OK;
	if (h.nrest) {
		fprintf(stderr, "rendergate: pre-receive takes no arguments; "
				"the refs come on standard input\n");
		return RG_EXIT_BADINPUT;
	}
	return hook_main("pre-receive", &h, true);
}

int rg_gate_cmd_update(int argc, char **argv)
{
	struct hook_args h;

	if (parse_hook_args(&h, argc, argv))
		return RG_EXIT_OK;
	return hook_main("update", &h, false);
}

int rg_gate_cmd_post_receive(int argc, char **argv)
{
	struct rg_buf in = RG_BUF_INIT((size_t)RG_CAP_PUSH_REFS *
				       (RG_CAP_PUSH_LINE_BYTES + 1));
	struct rg_errlist cfgerrs = RG_ERRLIST_INIT;
	struct rg_arena *a = NULL;
	struct rg_config_server *srv = NULL;
	struct rg_err err = RG_ERR_INIT;
	struct hook_args h;

	if (parse_hook_args(&h, argc, argv))
		return RG_EXIT_OK;
	/* drain standard input so git never sees a broken pipe */
	read_stdin(&in, &err);
	rg_buf_release(&in);
	/*
	 * The refs are updated; what is left is delivery to the forge, which
	 * the drainer does detached so the push does not wait for it. With
	 * no forge configured there is nothing to deliver. Whatever happens
	 * here cannot change the push, so it is never an error.
	 */
	a = rg_arena_new();
	if (rg_serverconf_load(&srv, a, h.config, &cfgerrs) == 0 &&
	    srv->forge.kind != RG_FORGE_NONE) {
		const char *spool =
		    srv->spool_dir ? srv->spool_dir : RG_DRAIN_SPOOL_DEFAULT;

		rg_err_init(&err);
		if (rg_drain_start_detached(NULL, h.config, spool, &err))
			fprintf(stderr,
				"rendergate: could not start the "
				"drainer: %s\n",
				err.msg);
	}
	rg_errlist_release(&cfgerrs);
	rg_arena_free(a);
	return RG_EXIT_OK;
}
