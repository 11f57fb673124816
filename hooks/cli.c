#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/cli.h"
#include "rendergate/config.h"
#include "rendergate/diff.h"
#include "rendergate/dirtree.h"
#include "rendergate/doc.h"
#include "rendergate/env.h"
#include "rendergate/fsutil.h"
#include "rendergate/gate.h"
#include "rendergate/gatepolicy.h"
#include "rendergate/gatestage.h"
#include "rendergate/gittree.h"
#include "rendergate/htmlreport.h"
#include "rendergate/mdreport.h"
#include "rendergate/mrflow.h"
#include "rendergate/objects.h"
#include "rendergate/policy.h"
#include "rendergate/repo.h"
#include "rendergate/report.h"
#include "rendergate/serverconf.h"

#include <jansson.h>
#include <unistd.h>

enum cmd { CMD_RENDER, CMD_DIFF, CMD_CHECK };

static const char *const usages[] = {
    [CMD_RENDER] =
	"usage: rendergate render [--env NAME] [--format text|json] [--trace]\n"
	"                         [--config FILE] [REV | --worktree]\n"
	"\n"
	"Print the rendered objects of the environments in REV (default HEAD)\n"
	"as one YAML stream: '---' between objects, each preceded by\n"
	"'# Source: <file>' and grouped under '# Environment: <name>'.\n"
	"Findings and errors go to standard error. With --worktree, the files\n"
	"on disk (committed or not) are rendered instead of a revision.\n"
	"\n"
	"Examples:\n"
	"  rendergate render\n"
	"  rendergate render --env prod-eu main~1\n"
	"  rendergate render --format json HEAD | jq "
	"'.environments[0].objects'\n",
    [CMD_DIFF] =
	"usage: rendergate diff [--env NAME] [--format text|json|html] "
	"[--trace]\n"
	"                       [--config FILE] OLD NEW\n"
	"\n"
	"Render the environments that changed between OLD and NEW in both\n"
	"revisions and print the semantic diff: per environment a summary\n"
	"('prod-eu: 2 added, 1 changed, 0 removed') and a unified diff per\n"
	"object. The configuration comes from OLD (as in the hook).\n"
	"--format html prints the full report the merge request comment\n"
	"links to: one self-contained page, findings first, a side-by-side\n"
	"diff per object.\n"
	"\n"
	"Examples:\n"
	"  rendergate diff main feature/bump-web\n"
	"  rendergate diff --env staging HEAD~1 HEAD\n"
	"  rendergate diff --format html main feature >report.html\n",
    [CMD_CHECK] =
	"usage: rendergate check [--env NAME] [--format text|json] [--trace]\n"
	"                        [--config FILE] [--policy FILE]...\n"
	"                        [REV | --worktree]\n"
	"\n"
	"Render the environments in REV (default HEAD), or the files on disk\n"
	"with --worktree, and report every finding and error, as the hook\n"
	"would on a push: the admin policy files of the server config and\n"
	"the repository's .rendergate/policy.yaml (from REV), plus every\n"
	"--policy FILE on top of them (they can only tighten). Promotion\n"
	"order is checked as if REV were pushed onto its first parent.\n"
	"\n"
	"Examples:\n"
	"  rendergate check\n"
	"  rendergate check --worktree        # before committing\n"
	"  rendergate check --policy contrib/policies/pod-security-baseline.yaml\n"
	"  rendergate check --format json origin/main\n",
};

static const char common_help[] =
    "\n"
    "Options:\n"
    "  --env NAME       only this environment\n"
    "  --format FORMAT  text (default) or json; diff: also html\n"
    "  --trace          say which environments were rendered and why\n"
    "                   (also RENDERGATE_TRACE=1)\n"
    "  --config FILE    server config (default $RENDERGATE_CONFIG, then\n"
    "                   /etc/rendergate/config.yaml if it exists)\n"
    "  --help           this text\n"
    "\n"
    "Run inside a git repository, bare or not.\n"
    "Exit codes: 0 ok, 1 a deny finding, 2 bad usage, input or config,\n"
    "3 internal error.\n";

struct cli {
	enum cmd cmd;
	const char *env;
	const char *config;
	const char *revs[2];
	int nrevs;
	/* --policy FILE, in order (with the admin files and the repo's,
	   at most RG_CAP_POLICY_FILES, which rg_policy_load enforces) */
	const char *policies[RG_CAP_POLICY_FILES];
	int npolicies;
	bool json, html, trace, worktree;
	struct rg_arena *arena;
	git_repository *repo;
	struct rg_config_server *server;
	struct rg_policy *policy;
	struct rg_report report;
	struct rg_gate gate;
	struct rg_buf out;	 /* standard output */
	struct rg_buf objs_json; /* render --format json: env objects */
};

static int usage_error(enum cmd c, const char *fmt, const char *arg)
{
	fputs("rendergate: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\n\n", stderr);
	fputs(usages[c], stderr);
	return RG_EXIT_BADINPUT;
}

/* text, json, or html (diff only). */
static int set_format(struct cli *c, const char *f)
{
	c->json = !strcmp(f, "json");
	c->html = !strcmp(f, "html") && c->cmd == CMD_DIFF;
	return c->json || c->html || !strcmp(f, "text") ? 0 : -1;
}

/* Parse argv; returns -1 to continue, else the exit code. */
static int parse_args(struct cli *c, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usages[c->cmd], stdout);
			fputs(common_help, stdout);
			return RG_EXIT_OK;
		} else if (!strcmp(a, "--trace")) {
			c->trace = true;
		} else if (!strcmp(a, "--worktree") && c->cmd != CMD_DIFF) {
			c->worktree = true;
		} else if (c->cmd == CMD_CHECK && (!strcmp(a, "--policy") ||
						     !strncmp(a, "--policy=", 9))) {
			if (!a[8] && i + 1 >= argc)
				return usage_error(c->cmd, "%s needs a value",
						   a);
			if (c->npolicies == (int)RG_CAP_POLICY_FILES)
				return usage_error(c->cmd, "%s",
						   "too many --policy files");
			c->policies[c->npolicies++] = a[8] ? a + 9 : argv[++i];
		} else if (!strcmp(a, "--env") || !strcmp(a, "--format") ||
			   !strcmp(a, "--config")) {
			if (i + 1 >= argc)
				return usage_error(c->cmd, "%s needs a value",
						   a);
			if (!strcmp(a, "--env"))
				c->env = argv[++i];
			else if (!strcmp(a, "--config"))
				c->config = argv[++i];
			else if (set_format(c, argv[++i]) < 0)
				return usage_error(c->cmd,
						   "unknown format '%s' (text "
						   "or json; diff: also html)",
						   argv[i]);
		} else if (!strncmp(a, "--env=", 6)) {
			c->env = a + 6;
		} else if (!strncmp(a, "--config=", 9)) {
			c->config = a + 9;
		} else if (!strncmp(a, "--format=", 9)) {
			if (set_format(c, a + 9) < 0)
				return usage_error(
				    c->cmd, "unknown format '%s'", a + 9);
		} else if (a[0] == '-' && a[1]) {
			return usage_error(c->cmd, "unknown option '%s'", a);
		} else if (c->nrevs < 2) {
			c->revs[c->nrevs++] = a;
		} else {
			return usage_error(c->cmd, "unexpected argument '%s'",
					   a);
		}
	}
	if (c->cmd == CMD_DIFF && c->nrevs != 2)
		return usage_error(c->cmd, "%s", "diff needs OLD and NEW");
	if (c->cmd != CMD_DIFF && c->nrevs > 1)
		return usage_error(c->cmd, "unexpected argument '%s'",
				   c->revs[1]);
	if (c->worktree && c->nrevs)
		return usage_error(c->cmd,
				   "--worktree and a revision ('%s') "
				   "exclude each other",
				   c->revs[0]);
	if (c->cmd != CMD_DIFF && c->nrevs == 0)
		c->revs[c->nrevs++] = "HEAD";
	return -1;
}

static int fail(struct cli *c, const struct rg_err *err)
{
	rg_report_error(&c->report, err);
	return err->code ? err->code : RG_ERROR;
}

/* JSON string literal of s appended to b. */
static int add_json_str(struct rg_buf *b, const char *s)
{
	json_t *j = json_string(s ? s : "");
	char *txt =
	    j ? json_dumps(j, JSON_ENCODE_ANY | JSON_ENSURE_ASCII) : NULL;
	int rc = txt ? rg_buf_adds(b, txt) : RG_ERROR;

	free(txt);
	json_decref(j);
	return rc;
}

/* Write one environment's objects (render). */
static int emit_objects(struct cli *c, const char *env,
			const struct rg_objset *set)
{
	struct rg_buf *b = c->json ? &c->objs_json : &c->out;
	int rc = 0;

	if (c->json) {
		rc = rg_buf_adds(b, b->len ? ",{\"name\":" : "{\"name\":");
		if (!rc)
			rc = add_json_str(b, env);
		if (!rc)
			rc = rg_buf_adds(b, ",\"objects\":[");
	} else {
		rc = rg_buf_addf(b, "# Environment: %s\n", env);
	}
	for (size_t i = 0; set && i < set->len && !rc; i++) {
		const struct rg_obj *o = &set->items[i];

		if (c->json) {
			rc = rg_buf_adds(b,
					 i ? ",{\"source\":" : "{\"source\":");
			if (!rc)
				rc = add_json_str(b, o->origin.file);
			if (!rc)
				rc = rg_buf_addf(b, ",\"line\":%u,\"object\":",
						 o->origin.line);
			if (!rc)
				rc = rg_report_node_json(b, o->doc);
			if (!rc)
				rc = rg_buf_addch(b, '}');
			continue;
		}
		rc = rg_buf_adds(b, "---\n");
		if (!rc && o->origin.file)
			rc = rg_buf_addf(b, "# Source: %s\n", o->origin.file);
		if (!rc)
			rc = rg_doc_emit(b, o->doc, 0);
	}
	if (!rc && c->json)
		rc = rg_buf_adds(b, "]}");
	return rc;
}

/* Pick the environments of cfg for REV's tree: --env or path present. */
static bool env_wanted(struct cli *c, const struct rg_config_env *env,
		       struct rg_tree *t, const char **why)
{
	if (c->env) {
		*why = "chosen with --env";
		return !strcmp(env->name, c->env);
	}
	if (*env->path && rg_tree_stat(t, env->path) == RG_TREE_MISSING) {
		*why = rg_arena_printf(c->arena,
				       "path %s is not in this "
				       "revision",
				       env->path);
		return false;
	}
	*why = rg_arena_printf(c->arena, "path %s is in this revision",
			       *env->path ? env->path : "(root)");
	return true;
}

static int check_env_name(struct cli *c, const struct rg_config_repo *cfg)
{
	struct rg_buf names = RG_BUF_INIT(64 * 1024);
	struct rg_err err = RG_ERR_INIT;
	int rc = 0;

	if (!c->env || rg_config_repo_env(cfg, c->env))
		goto out;
	for (size_t i = 0; i < cfg->nenvs; i++)
		rg_buf_addf(&names, "%s%s", i ? ", " : "", cfg->envs[i].name);
	rc = rg_err_set(&err, RG_EINVALID, NULL,
			"no environment '%s' in %s (there are: %s)", c->env,
			RG_CONFIG_REPO_FILE, names.len ? names.ptr : "none");
	fail(c, &err);
out:
	rg_buf_release(&names);
	return rc;
}

static int load_config(struct rg_config_repo **cfg, struct cli *c,
		       const git_oid *tree, const char *rev)
{
	struct rg_err err = RG_ERR_INIT;
	int rc = rg_gate_repo_config(cfg, &c->gate, tree);

	if (!rc && !*cfg) {
		rg_err_set(&err, RG_ENOTFOUND, NULL, "no %s in %s",
			   RG_CONFIG_REPO_FILE, rev);
		rc = fail(c, &err);
	}
	return rc;
}

/* The tree render and check read: REV's, or the work tree on disk. */
static struct rg_tree *source_tree(struct cli *c, struct rg_err *err)
{
	git_oid tree;
	const char *wd;

	if (!c->worktree) {
		if (rg_repo_resolve(NULL, &tree, c->repo, c->revs[0], err))
			return NULL;
		return rg_gittree_new(c->arena, c->repo, &tree, c->revs[0],
				      err);
	}
	wd = git_repository_workdir(c->repo);
	if (!wd) {
		rg_err_set(err, RG_EINVALID, NULL,
			   "--worktree needs a repository with a work tree "
			   "(this one is bare)");
		return NULL;
	}
	return rg_dirtree_new(c->arena, wd, "worktree", err);
}

/* The bytes of each --policy file, read like any file on disk. */
static int read_extra(struct rg_policy_file **out, struct cli *c,
		      struct rg_err *err)
{
	struct rg_policy_file *files =
	    rg_arena_calloc(c->arena, (size_t)c->npolicies + 1, sizeof(*files));
	int rc = 0;

	*out = files;
	for (int i = 0; i < c->npolicies && !rc; i++) {
		const char *path = c->policies[i];
		const char *slash = strrchr(path, '/');
		const char *dir = slash ? rg_arena_printf(c->arena, "%.*s",
							  (int)(slash - path) + 1,
							  path)
					: ".";
		struct rg_tree *t = rg_dirtree_new(c->arena, dir, "policy", err);

		files[i].name = path;
		files[i].origin = RG_POLICY_REPO;
		rc = t ? rg_tree_read(t, slash ? slash + 1 : path,
				      &files[i].data, &files[i].len, err)
		       : (err->code ? err->code : RG_ERROR);
		if (rc)
			rg_err_prefix(err, "--policy %s", path);
		rg_tree_free(t);
	}
	return rc;
}

/*
 * The policy render and check apply to tree t: the admin files, t's
 * repository policy and the --policy files; it replaces the admin-only
 * policy loaded at start when there is more than that.
 */
static int tree_policy(struct cli *c, struct rg_tree *t)
{
	struct rg_policy_file *extra = NULL;
	struct rg_policy *p = NULL;
	struct rg_err err = RG_ERR_INIT;
	int rc = read_extra(&extra, c, &err);

	if (rc) {
		fail(c, &err);
		goto out;
	}
	rc = rg_gatepolicy_load_tree(&p, &c->gate, t, extra,
				     (size_t)c->npolicies);
	if (rc || !p)
		goto out;
	rg_policy_free(c->policy);
	c->policy = p;
	c->gate.policy = p;
out:
	return rc;
}

/*
 * check REV: the promotion of versions into env as if REV had been
 * pushed onto its first parent, on env's branch (gatestage.h); the
 * previous stage is read at REV when it lives on the same branch, else
 * at its branch's tip in this repository. Not for --worktree.
 */
static int check_promotion(struct cli *c, const struct rg_config_repo *cfg,
			   const struct rg_config_env *env, struct rg_err *err)
{
	git_commit *commit = NULL;
	git_oid id, parent;
	bool has_parent = false;
	const char *ref = rg_arena_printf(c->arena, "refs/heads/%s",
					  rg_config_env_branch(cfg, env));
	int rc = 0;

	if (c->cmd != CMD_CHECK || c->worktree)
		goto out;
	rc = rg_repo_resolve(&id, NULL, c->repo, c->revs[0], err);
	if (!rc && git_commit_lookup(&commit, c->repo, &id) == 0 &&
	    git_commit_parentcount(commit) > 0) {
		git_oid_cpy(&parent, git_commit_parent_id(commit, 0));
		has_parent = true;
	}
	if (!rc)
		rc = rg_gatestage_check_promotion(&c->report.findings, &c->gate,
						  cfg, env, ref,
						  has_parent ? &parent : NULL,
						  &id, err);
out:
	git_commit_free(commit);
	return rc;
}

static int run_render_check(struct cli *c)
{
	struct rg_config_repo *cfg = NULL;
	struct rg_err err = RG_ERR_INIT;
	struct rg_tree *t = source_tree(c, &err);
	int rc = 0;

	if (!t) {
		rc = fail(c, &err);
		goto out;
	}
	rc = rg_gate_repo_config_tree(&cfg, &c->gate, t);
	if (!rc && !cfg) {
		rg_err_set(&err, RG_ENOTFOUND, NULL, "no %s in %s",
			   RG_CONFIG_REPO_FILE,
			   c->worktree ? "the work tree" : c->revs[0]);
		rc = fail(c, &err);
	}
	if (!rc)
		rc = check_env_name(c, cfg);
	if (!rc)
		rc = tree_policy(c, t);
	if (rc)
		goto out;
	for (size_t i = 0; i < cfg->nenvs; i++) {
		const struct rg_config_env *env = &cfg->envs[i];
		struct rg_report_env *re;
		struct rg_objset *set = NULL;
		const char *why = NULL;
		bool want = env_wanted(c, env, t, &why);

		re = rg_report_add_env(&c->report, NULL, env->name, want, why);
		if (!want)
			continue;
		rg_err_init(&err);
		if (rg_gatestage_check_sources(&c->report.findings, &c->gate,
					       env, t, &err))
			fail(c, &err);
		rg_err_init(&err);
		rc = rg_gate_render_tree(&set, &c->report.findings, &c->gate,
					 cfg, env, t, false, &err);
		if (rc) {
			fail(c, &err);
			re->rendered = false;
			continue;
		}
		if (c->policy &&
		    (rg_policy_check_objects(&c->report.findings, c->policy,
					     env->name, set, &err) ||
		     rg_gatestage_check_versions(&c->report.findings,
						 &c->gate, cfg, env, t, set,
						 &err) ||
		     check_promotion(c, cfg, env, &err)))
			fail(c, &err);
		if (c->cmd == CMD_RENDER && emit_objects(c, env->name, set)) {
			rg_err_set(&err, RG_ELIMIT, NULL,
				   "output larger than %u bytes",
				   RG_CAP_YAML_EMIT_BYTES);
			fail(c, &err);
		}
	}
	rc = 0;
out:
	rg_tree_free(t);
	return rc;
}

static int run_diff(struct cli *c)
{
	struct rg_config_repo *cfg = NULL;
	struct rg_err err = RG_ERR_INIT;
	struct rg_env_choice *choices = NULL;
	const char **paths = NULL;
	size_t npaths = 0, nchoices = 0;
	git_oid told, tnew;
	int rc = rg_repo_resolve(NULL, &told, c->repo, c->revs[0], &err);

	if (!rc)
		rc = rg_repo_resolve(NULL, &tnew, c->repo, c->revs[1], &err);
	if (!rc)
		rc = rg_repo_changed_paths(&paths, &npaths, c->arena, c->repo,
					   &told, &tnew, &err);
	if (rc) {
		fail(c, &err);
		goto out;
	}
	rc = rg_gate_repo_config(&cfg, &c->gate, &told);
	if (!rc && !cfg)
		rc = load_config(&cfg, c, &tnew, c->revs[1]);
	if (!rc)
		rc = check_env_name(c, cfg);
	if (rc)
		goto out;
	for (size_t i = 0; i < cfg->nenvs; i++) {
		const struct rg_config_env *env = &cfg->envs[i];
		const char *ref = rg_arena_printf(
		    c->arena, "refs/heads/%s", rg_config_env_branch(cfg, env));
		struct rg_objset *oldset = NULL, *newset = NULL;
		struct rg_findings oldf;
		struct rg_report_env *re;
		const char *why = NULL;
		bool want;

		/* the hook's scoping, asked for this environment's branch */
		rg_env_select(&choices, &nchoices, cfg, ref, paths, npaths,
			      NULL, c->arena);
		if (i < nchoices)
			rg_gate_refine_choices(&c->gate, cfg, ref, choices + i,
					       1, &told, paths, npaths);
		want = i < nchoices && choices[i].render;
		why = i < nchoices ? choices[i].reason : "not selected";
		if (c->env) {
			want = !strcmp(env->name, c->env);
			why = "chosen with --env";
		}
		re = rg_report_add_env(&c->report, NULL, env->name, want, why);
		if (!want)
			continue;
		rg_finding_init(&oldf, c->arena);
		rg_err_init(&err);
		rc = rg_gate_render(&oldset, &oldf, &c->gate, cfg, env, &told,
				    true, &err);
		if (rc) {
			re->note =
			    rg_arena_printf(c->arena,
					    "%s could not be rendered (%s); "
					    "every object is shown as added",
					    c->revs[0], err.msg);
			oldset = NULL;
		}
		rg_err_init(&err);
		rc = rg_gate_render(&newset, &c->report.findings, &c->gate, cfg,
				    env, &tnew, true, &err);
		/* the findings a push of NEW would get, as `check` gives */
		if (!rc && c->policy)
			rc = rg_policy_check_objects(&c->report.findings,
						     c->policy, env->name,
						     newset, &err);
		if (!rc)
			rc = rg_diff_objsets(&re->diff, oldset, newset,
					     env->name, c->arena, &err);
		if (rc)
			fail(c, &err);
	}
	rc = 0;
out:
	return rc;
}

static size_t rendered_envs(const struct rg_report *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nenvs; i++)
		n += r->envs[i].rendered;
	return n;
}

/*
 * The full report page (htmlreport.h) of a diff, built as the merge
 * request comment is (mrflow.h); errors also go to standard error.
 */
static void finish_html(struct cli *c, struct rg_buf *err)
{
	struct rg_mdreport md;
	struct rg_err e = RG_ERR_INIT;
	const char *page = NULL, *sha = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	size_t len = 0;
	git_oid id;

	if (c->repo && c->nrevs == 2 &&
	    rg_repo_resolve(&id, NULL, c->repo, c->revs[1], NULL) == 0)
		sha = rg_arena_strdup(c->arena,
				      git_oid_tostr(hex, sizeof(hex), &id));
	rg_mrflow_build_cli(&md, &c->report, c->revs[0], c->revs[1], sha,
			    c->arena);
	if (rg_htmlreport_render(&page, &len, &md, 0, c->arena, &e) < 0)
		rg_report_error(&c->report, &e);
	else
		rg_buf_add(&c->out, page, len);
	for (size_t i = 0; i < c->report.errors.len; i++) {
		char line[RG_ERR_MSG_MAX + RG_ERR_FILE_MAX + 32];

		rg_err_format(&c->report.errors.items[i], line, sizeof(line));
		rg_buf_addf(err, "rendergate: %s\n", line);
	}
}

static int finish(struct cli *c)
{
	struct rg_buf err = RG_BUF_INIT(RG_CAP_YAML_EMIT_BYTES);
	struct rg_buf *text = c->cmd == CMD_RENDER ? &err : &c->out;

	rg_finding_sort(&c->report.findings);
	if (c->trace)
		rg_report_trace(&err, &c->report);
	if (c->html) {
		finish_html(c, &err);
	} else if (c->json) {
		if (c->cmd == CMD_RENDER) {
			rg_buf_adds(&c->out, "{\"environments\":[");
			rg_buf_add(&c->out, c->objs_json.ptr, c->objs_json.len);
			rg_buf_adds(&c->out, "],\"report\":");
		}
		rg_report_json(&c->out, &c->report);
		if (c->cmd == CMD_RENDER) {
			rg_buf_truncate(&c->out, c->out.len - 1);
			rg_buf_adds(&c->out, "}\n");
		}
	} else {
		if (c->cmd == CMD_CHECK)
			rg_buf_addf(text,
				    "rendergate: %zu environment(s) "
				    "checked, %zu problem(s)\n",
				    rendered_envs(&c->report),
				    rg_report_problems(&c->report));
		rg_report_text(text, &c->report, RG_CAP_YAML_EMIT_BYTES);
	}
	rg_fs_write_all(1, c->out.ptr, c->out.len);
	rg_fs_write_all(2, err.ptr, err.len);
	rg_buf_release(&err);
	return rg_report_exit_code(&c->report);
}

static int cli_main(enum cmd cmd, int argc, char **argv)
{
	struct rg_errlist cfgerrs = RG_ERRLIST_INIT;
	struct rg_err err = RG_ERR_INIT;
	struct cli c;
	const char *tr = getenv("RENDERGATE_TRACE");
	int rc;

	memset(&c, 0, sizeof(c));
	c.cmd = cmd;
	c.trace = tr && *tr && strcmp(tr, "0");
	rc = parse_args(&c, argc, argv);
	if (rc >= 0)
		return rc;
	c.arena = rg_arena_new();
	rg_buf_init(&c.out, RG_CAP_YAML_EMIT_BYTES);
	rg_buf_init(&c.objs_json, RG_CAP_YAML_EMIT_BYTES);
	rg_report_init(&c.report, c.arena);
	c.report.cli = true;
	if (rg_serverconf_load(&c.server, c.arena, c.config, &cfgerrs) ||
	    rg_gate_load_policy(&c.policy, c.arena, c.server, &cfgerrs)) {
		for (size_t i = 0; i < cfgerrs.len; i++)
			rg_report_error(&c.report, &cfgerrs.items[i]);
		rc = finish(&c);
		goto out;
	}
	if (rg_repo_open_discover(&c.repo, NULL, &err)) {
		fail(&c, &err);
		rc = finish(&c);
		goto out;
	}
	c.gate.arena = c.arena;
	c.gate.repo = c.repo;
	c.gate.server = c.server;
	c.gate.report = &c.report;
	c.gate.policy = c.policy;
	c.gate.start_ms = rg_gate_now_ms();
	if (cmd == CMD_DIFF)
		run_diff(&c);
	else
		run_render_check(&c);
	rc = finish(&c);
out:
	git_repository_free(c.repo);
	rg_policy_free(c.policy);
	rg_report_release(&c.report);
	rg_errlist_release(&cfgerrs);
	rg_buf_release(&c.out);
	rg_buf_release(&c.objs_json);
	rg_arena_free(c.arena);
	return rc;
}

int rg_cli_cmd_render(int argc, char **argv)
{
	return cli_main(CMD_RENDER, argc, argv);
}

int rg_cli_cmd_diff(int argc, char **argv)
{
	return cli_main(CMD_DIFF, argc, argv);
}

int rg_cli_cmd_check(int argc, char **argv)
{
	return cli_main(CMD_CHECK, argc, argv);
}
