/*
 * test-helmexec.c - `engine: helm` on the render side (helmexec.h): the
 * config keys, the job (work directory files and helm's arguments) for
 * charts from the tree and from the chart cache, the parse of helm's
 * output, the renderer through a fake runner, and that the recorded
 * inputs decide change scoping as the built-in engine's do.
 * Runs from the top of the source tree (tests/run.sh does).
 */
#include "test.h"
#include "rendergate/arena.h"
#include "rendergate/config.h"
#include "rendergate/env.h"
#include "rendergate/finding.h"
#include "rendergate/helm.h"
#include "rendergate/helmexec.h"
#include "rendergate/objects.h"
#include "rendergate/tree.h"

#define URL "https://charts.example.com/stable"
#define KEY "https%3A%2F%2Fcharts.example.com%2Fstable"

static struct rg_config_repo *cfg(struct rg_arena *a, const char *yaml)
{
	struct rg_errlist errs = RG_ERRLIST_INIT;
	struct rg_config_repo *r = NULL;

	if (rg_config_repo_parse(&r, a, ".rendergate.yaml", yaml, strlen(yaml),
				 &errs) < 0)
		RG_BUG("bad test config: %s (line %u)", errs.items[0].msg,
		       errs.items[0].line);
	rg_errlist_release(&errs);
	return r;
}

/*
 * The first problem parsing yaml as a server config (srv not NULL; *srv
 * is the result) or a repository config, as "line:col: msg", or "".
 */
static const char *first_error(struct rg_arena *a, const char *yaml,
			       struct rg_config_server **srv)
{
	struct rg_errlist errs = RG_ERRLIST_INIT;
	struct rg_config_repo *r = NULL;
	const char *msg = "";
	int rc;

	if (srv)
		rc = rg_config_server_parse(srv, a, "server.yaml", yaml,
					    strlen(yaml), &errs);
	else
		rc = rg_config_repo_parse(&r, a, ".rendergate.yaml", yaml,
					  strlen(yaml), &errs);
	if (rc < 0 && errs.len)
		msg = rg_arena_printf(a, "%u:%u: %s", errs.items[0].line,
				      errs.items[0].col, errs.items[0].msg);
	rg_errlist_release(&errs);
	return msg;
}

#define cfg_error(a, yaml)	first_error(a, yaml, NULL)
#define srv_error(a, yaml, out) first_error(a, yaml, out)

static void put(struct rg_tree *t, const char *path, const char *s)
{
	if (rg_tree_mem_put(t, path, s, strlen(s), RG_TREE_FILE) < 0)
		RG_BUG("put %s", path);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = rg_xmalloc(1 << 20);

	*len = f ? fread(buf, 1, 1 << 20, f) : 0;
	if (f)
		fclose(f);
	return buf;
}

/* A chart with an unpacked subchart, a packaged one and extra files. */
static struct rg_tree *repo_tree(struct rg_arena *a)
{
	struct rg_tree *t = rg_tree_mem_new(a, "repo");
	size_t len = 0;
	char *tgz = slurp("tests/cases/helm/tgz-root/chart.tgz", &len);

	put(t, "charts/web/Chart.yaml",
	    "apiVersion: v2\nname: web\nversion: 1.0.0\n"
	    "dependencies:\n- {name: cache, version: 0.1.0}\n"
	    "- {name: sub, version: 0.1.0}\n");
	put(t, "charts/web/values.yaml", "replicas: 2\nimage: nginx\n");
	put(t, "charts/web/.helmignore", "*.bak\n");
	put(t, "charts/web/old.bak", "ignored by helm\n");
	put(t, "charts/web/files/app.conf", "x = 1\n");
	put(t, "charts/web/templates/cm.yaml",
	    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
	    "  name: {{ .Release.Name }}\n"
	    "data:\n  conf: {{ .Files.Get \"files/app.conf\" | quote }}\n"
	    "  replicas: {{ .Values.replicas | quote }}\n");
	put(t, "charts/web/charts/cache/Chart.yaml",
	    "apiVersion: v2\nname: cache\nversion: 0.1.0\n");
	put(t, "charts/web/charts/cache/templates/cm.yaml",
	    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
	    "  name: {{ .Release.Name }}-cache\n");
	rg_tree_mem_put(t, "charts/web/charts/sub-0.1.0.tgz", tgz, len,
			RG_TREE_FILE);
	put(t, "values/global.yaml", "image: nginx:1.26\n");
	put(t, "values/prod.yaml", "replicas: 4\n");
	put(t, "envs/prod/README", "releases\n");
	put(t, "other/app.yaml", "unrelated\n");
	free(tgz);
	return t;
}

static const char *const two_engines =
    "environments:\n"
    "  - name: prod\n"
    "    path: envs/prod\n"
    "    kube_version: \"1.29\"\n"
    "    api_versions: [monitoring.coreos.com/v1]\n"
    "    releases:\n"
    "      - name: web\n"
    "        chart: charts/web\n"
    "        namespace: apps\n"
    "        engine: helm\n"
    "        values: [values/global.yaml, values/prod.yaml]\n"
    "        set:\n"
    "          image.tag: \"1,2\\\\3\"\n"
    "          replicas: 3\n"
    "          debug: true\n"
    "          cache.size: null\n"
    "          ratio: 0.5\n"
    "      - name: builtin\n"
    "        chart: charts/web\n"
    "        values: [values/prod.yaml]\n";

static struct rg_render_req req_for(struct rg_config_repo *r,
				    const struct rg_config_env *env,
				    const struct rg_config_release *rel,
				    struct rg_tree *t, struct rg_arena *a)
{
	struct rg_render_req q;

	memset(&q, 0, sizeof(q));
	q.repo = r;
	q.env = env;
	q.release = rel;
	q.path = rel->repo ? NULL : rel->chart;
	q.tree = t;
	q.arena = a;
	return q;
}

static const struct rg_helmexec_file *
find_file(const struct rg_helmexec_job *job, const char *path)
{
	for (size_t i = 0; i < job->nfiles; i++)
		if (!strcmp(job->files[i].path, path))
			return &job->files[i];
	return NULL;
}

static const char *joined_args(struct rg_arena *a,
			       const struct rg_helmexec_job *job)
{
	const char *s = "";

	for (size_t i = 0; i < job->nargs; i++)
		s = rg_arena_printf(a, "%s%s%s", s, i ? " " : "", job->args[i]);
	return s;
}

TEST(config_engine_and_server_keys)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_config_repo *r = cfg(a, two_engines);
	struct rg_config_server *s = NULL;

	CHECK_STR(r->envs[0].releases[0].engine, RG_CONFIG_ENGINE_HELM);
	CHECK_STR(r->envs[0].releases[1].engine, RG_CONFIG_ENGINE_BUILTIN);
	CHECK_STR(cfg_error(a,
			    "environments:\n"
			    "  - name: e\n"
			    "    path: e\n"
			    "    releases:\n"
			    "      - {name: k, kustomize: k, engine: helm}\n"),
		  "5:41: 'engine' applies to charts, not to 'kustomize' "
		  "releases");
	CHECK_STR(cfg_error(a, "environments:\n"
			       "  - name: e\n"
			       "    path: e\n"
			       "    releases:\n"
			       "      - {name: c, chart: c, engine: helmv2}\n"),
		  "5:37: 'engine' must be one of builtin, helm (found "
		  "'helmv2')");
	/* the binary is the server's to name */
	CHECK(strstr(cfg_error(
			 a, "environments:\n"
			    "  - name: e\n"
			    "    path: e\n"
			    "    releases:\n"
			    "      - {name: c, chart: c, helm_binary: /x}\n"),
		     "unknown key 'helm_binary'") != NULL);
	CHECK_STR(srv_error(a,
			    "helm_binary: /usr/bin/helm\n"
			    "helm_timeout: 3s\n",
			    &s),
		  "");
	CHECK_STR(s->helm_binary, "/usr/bin/helm");
	CHECK_INT(s->helm_timeout_ms, 3000);
	CHECK_STR(srv_error(a, "mode: warn\n", &s), "");
	CHECK(s->helm_binary == NULL);
	CHECK_INT(s->helm_timeout_ms, 10000);
	CHECK_STR(srv_error(a, "helm_binary: bin/helm\n", &s),
		  "1:14: 'helm_binary' must be an absolute path (found "
		  "'bin/helm')");
	CHECK_STR(srv_error(a, "helm_timeout: 5ms\n", &s),
		  "1:15: 'helm_timeout' must be at least 100ms");
	rg_arena_free(a);
}

TEST(job_from_the_tree)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tree *t = repo_tree(a);
	struct rg_config_repo *r = cfg(a, two_engines);
	const struct rg_config_env *env = &r->envs[0];
	struct rg_render_req q = req_for(r, env, &env->releases[0], t, a);
	struct rg_helmexec_job *job = NULL;
	struct rg_err err = RG_ERR_INIT;
	const struct rg_helmexec_file *f;
	size_t len = 0;
	char *tgz = slurp("tests/cases/helm/tgz-root/chart.tgz", &len);

	CHECK_INT(rg_helmexec_job(&job, &q, &err), 0);
	CHECK_STR(job->env, "prod");
	CHECK_STR(job->release, "web");
	CHECK_STR(job->cwd, "repo");
	CHECK_STR(joined_args(a, job),
		  "template --namespace=apps --values=values/global.yaml "
		  "--values=values/prod.yaml --set-string=image.tag=1\\,2\\\\3 "
		  "--set=replicas=3 --set=debug=true --set=cache.size=null "
		  "--set-json=ratio=0.5 --kube-version=1.29 "
		  "--api-versions=monitoring.coreos.com/v1 --skip-tests -- web "
		  "./charts/web");
	/* every file below the chart, bytes as they are, and the values */
	CHECK_INT(job->nfiles, 11);
	CHECK((f = find_file(job, "repo/charts/web/Chart.yaml")) != NULL);
	CHECK((f = find_file(job, "repo/charts/web/old.bak")) != NULL);
	CHECK_MEM(f->data, f->len, "ignored by helm\n", 16);
	CHECK(find_file(job, "repo/charts/web/.helmignore") != NULL);
	CHECK(find_file(job, "repo/charts/web/files/app.conf") != NULL);
	CHECK(find_file(job, "repo/charts/web/charts/cache/templates/cm.yaml"));
	CHECK((f = find_file(job, "repo/charts/web/charts/sub-0.1.0.tgz")));
	CHECK_MEM(f->data, f->len, tgz, len);
	CHECK((f = find_file(job, "repo/values/prod.yaml")) != NULL);
	CHECK_MEM(f->data, f->len, "replicas: 4\n", 12);
	CHECK(find_file(job, "repo/values/global.yaml") != NULL);
	CHECK(find_file(job, "repo/other/app.yaml") == NULL);
	free(tgz);
	rg_tree_free(t);
	rg_arena_free(a);
}

TEST(job_refusals)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tree *t = repo_tree(a);
	struct rg_config_repo *r = cfg(a, "environments:\n"
					  "  - name: e\n"
					  "    path: e\n"
					  "    releases:\n"
					  "      - name: web\n"
					  "        chart: charts/web\n"
					  "        engine: helm\n"
					  "        values: [values/none.yaml]\n"
					  "      - name: set\n"
					  "        chart: charts/web\n"
					  "        engine: helm\n"
					  "        set: {\"a,b\": 1}\n"
					  "      - name: inf\n"
					  "        chart: charts/web\n"
					  "        engine: helm\n"
					  "        set: {a: .inf}\n"
					  "      - name: nochart\n"
					  "        chart: charts/none\n"
					  "        engine: helm\n");
	const struct rg_config_env *env = &r->envs[0];
	struct rg_helmexec_job *job = NULL;
	struct rg_err err = RG_ERR_INIT;
	struct rg_render_req q = req_for(r, env, &env->releases[0], t, a);

	CHECK_INT(rg_helmexec_job(&job, &q, &err), RG_ENOTFOUND);
	CHECK(strstr(err.msg, "values/none.yaml") != NULL);
	q = req_for(r, env, &env->releases[1], t, a);
	CHECK_INT(rg_helmexec_job(&job, &q, &err), RG_EINVALID);
	CHECK_STR(err.msg, "'set' key 'a,b' cannot be passed to helm (it holds "
			   "',' or '=')");
	q = req_for(r, env, &env->releases[2], t, a);
	CHECK_INT(rg_helmexec_job(&job, &q, &err), RG_EINVALID);
	CHECK(strstr(err.msg, "not a finite number") != NULL);
	q = req_for(r, env, &env->releases[3], t, a);
	CHECK_INT(rg_helmexec_job(&job, &q, &err), RG_ENOTFOUND);
	CHECK_STR(err.msg, "charts/none: Chart.yaml file is missing");
	/* a symbolic link in the chart is refused, as the built-in does */
	rg_tree_mem_put(t, "charts/web/templates/link.yaml", "/etc/passwd", 11,
			RG_TREE_SYMLINK);
	q = req_for(r, env, &env->releases[1], t, a);
	CHECK_INT(rg_helmexec_job(&job, &q, &err), RG_EUNSAFE);
	CHECK_STR(err.msg, "charts/web/templates/link.yaml: symbolic links are "
			   "not followed in charts");
	rg_tree_free(t);
	rg_arena_free(a);
}

TEST(job_values_file_inside_the_chart)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tree *t = repo_tree(a);
	struct rg_config_repo *r =
	    cfg(a, "environments:\n"
		   "  - name: e\n"
		   "    path: e\n"
		   "    releases:\n"
		   "      - name: web\n"
		   "        chart: charts/web\n"
		   "        engine: helm\n"
		   "        values: [charts/web/values.yaml, "
		   "values/prod.yaml]\n");
	const struct rg_config_env *env = &r->envs[0];
	struct rg_helmexec_job *job = NULL;
	struct rg_err err = RG_ERR_INIT;
	struct rg_render_req q = req_for(r, env, &env->releases[0], t, a);

	CHECK_INT(rg_helmexec_job(&job, &q, &err), 0);
	/* the chart's 9 files and values/prod.yaml, each once */
	CHECK_INT(job->nfiles, 10);
	CHECK(strstr(joined_args(a, job),
		     " --values=charts/web/values.yaml "
		     "--values=values/prod.yaml ") != NULL);
	rg_tree_free(t);
	rg_arena_free(a);
}

TEST(job_from_the_chart_cache)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tree *t = repo_tree(a);
	struct rg_tree *cache = rg_tree_mem_new(a, "cache");
	struct rg_config_repo *r = cfg(a, "environments:\n"
					  "  - name: edge\n"
					  "    path: envs/edge\n"
					  "    releases:\n"
					  "      - name: sub\n"
					  "        chart: sub\n"
					  "        repo: " URL "\n"
					  "        version: ~0.1.0\n"
					  "        engine: helm\n"
					  "        values: [values/prod.yaml]\n"
					  "      - name: dir\n"
					  "        chart: web\n"
					  "        repo: " URL "\n"
					  "        version: 2.0.0\n"
					  "        engine: helm\n");
	const struct rg_config_env *env = &r->envs[0];
	struct rg_helmexec_job *job = NULL;
	struct rg_err err = RG_ERR_INIT;
	struct rg_render_req q = req_for(r, env, &env->releases[0], t, a);
	const struct rg_helmexec_file *f;
	size_t len = 0;
	char *tgz = slurp("tests/cases/helm/tgz-root/chart.tgz", &len);

	/* no cache configured: the chart cache's own message */
	CHECK_INT(rg_helmexec_job(&job, &q, &err), RG_ENOTFOUND);
	CHECK(strstr(err.msg, "unrenderable: chart sub ~0.1.0 from " URL) !=
	      NULL);
	rg_tree_mem_put(cache, KEY "/sub/0.1.0.tgz", tgz, len, RG_TREE_FILE);
	put(cache, KEY "/web/2.0.0/Chart.yaml",
	    "apiVersion: v2\nname: web\nversion: 2.0.0\n");
	put(cache, KEY "/web/2.0.0/templates/a.yaml", "kind: A\n");
	r->chart_cache = cache;
	CHECK_INT(rg_helmexec_job(&job, &q, &err), 0);
	CHECK_STR(joined_args(a, job),
		  "template --namespace=default --values=values/prod.yaml "
		  "--skip-tests -- sub ../cache/sub-0.1.0.tgz");
	CHECK_INT(job->nfiles, 2);
	CHECK((f = find_file(job, "cache/sub-0.1.0.tgz")) != NULL);
	CHECK_MEM(f->data, f->len, tgz, len);
	q = req_for(r, env, &env->releases[1], t, a);
	CHECK_INT(rg_helmexec_job(&job, &q, &err), 0);
	CHECK(find_file(job, "cache/web-2.0.0/templates/a.yaml") != NULL);
	CHECK(strstr(joined_args(a, job), " -- dir ../cache/web-2.0.0") !=
	      NULL);
	free(tgz);
	rg_tree_free(cache);
	rg_tree_free(t);
	rg_arena_free(a);
}

TEST(parse_output)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_objset s;
	struct rg_findings f;
	struct rg_err err = RG_ERR_INIT;
	static const char out[] =
	    "---\n# Source: web/charts/cache/templates/cm.yaml\n"
	    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-cache\n"
	    "---\n# Source: web/templates/notes.yaml\n# only a comment\n"
	    "---\n# Source: web/templates/deploy.yaml\n"
	    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
	    "  namespace: apps\nspec:\n  replicas: 4\n"
	    "---\n# Source: web/templates/bad.yaml\n"
	    "apiVersion: v1\nkind: Secret\nmetadata:\n  labels: {}\n";
	static const char bad[] = "---\n# Source: web/templates/x.yaml\n"
				  "a: [1\n";

	rg_objset_init(&s, a);
	rg_finding_init(&f, a);
	CHECK_INT(
	    rg_helmexec_parse(&s, &f, "prod", out, sizeof(out) - 1, a, &err),
	    0);
	CHECK_INT(s.len, 2);
	CHECK_STR(s.items[0].key, "/ConfigMap//web-cache");
	CHECK_STR(s.items[0].origin.file, "web/charts/cache/templates/cm.yaml");
	CHECK_STR(s.items[1].key, "apps/Deployment/apps/web");
	CHECK_STR(s.items[1].origin.file, "web/templates/deploy.yaml");
	CHECK_INT(s.items[1].origin.line, 1);
	CHECK_INT(f.len, 1);
	CHECK_STR(f.items[0].rule, "helm.missing-name");
	CHECK_STR(f.items[0].origin.file, "web/templates/bad.yaml");
	CHECK_STR(f.items[0].env, "prod");
	/* malformed YAML names the template */
	CHECK_INT(rg_helmexec_parse(&s, &f, "prod", bad, strlen(bad), a, &err),
		  RG_EPARSE);
	CHECK_STR(err.file, "web/templates/x.yaml");
	/* nothing rendered */
	CHECK_INT(rg_helmexec_parse(&s, &f, "prod", "", 0, a, &err), 0);
	CHECK_INT(s.len, 2);
	rg_arena_free(a);
}

/* A fake runner: checks the job it gets and answers with canned output. */
struct fake {
	int calls;
	const char *last_release;
	size_t last_nfiles;
	const char *answer;
	int error;
};

static int fake_run(void *ctx, const char **out, size_t *len,
		    const struct rg_helmexec_job *job, struct rg_arena *a,
		    struct rg_err *err)
{
	struct fake *fk = ctx;

	fk->calls++;
	fk->last_release = job->release;
	fk->last_nfiles = job->nfiles;
	if (fk->error)
		return rg_err_set(err, fk->error, NULL,
				  "unrenderable: helm template exited with "
				  "status 1: Error: boom");
	*out = rg_arena_strdup(a, fk->answer);
	*len = strlen(fk->answer);
	return 0;
}

TEST(render_through_a_runner)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tree *t = repo_tree(a);
	struct rg_config_repo *r = cfg(a, two_engines);
	struct fake fk = {0, NULL, 0,
			  "---\n# Source: web/templates/cm.yaml\n"
			  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
			  "  name: from-helm\n",
			  0};
	struct rg_helmexec x = {fake_run, &fk};
	struct rg_objset s;
	struct rg_findings f;
	struct rg_err err = RG_ERR_INIT;

	rg_objset_init(&s, a);
	rg_finding_init(&f, a);
	/* no runner registered: unrenderable, naming the config key */
	CHECK_INT(rg_env_render(&s, &f, r, &r->envs[0], t, a, &err),
		  RG_EUNSUPPORTED);
	CHECK_STR(err.msg, "environment prod, release web: unrenderable: "
			   "engine helm needs a helm binary, and this program "
			   "runs none (helm_binary in the server config)");
	r->helm_exec = &x;
	rg_objset_init(&s, a);
	CHECK_INT(rg_env_render(&s, &f, r, &r->envs[0], t, a, &err), 0);
	CHECK_INT(fk.calls, 1);
	CHECK_STR(fk.last_release, "web");
	CHECK_INT(fk.last_nfiles, 11);
	/* helm's object, then the built-in release's */
	CHECK_INT(s.len, 5);
	CHECK_STR(s.items[0].key, "/ConfigMap//from-helm");
	CHECK_STR(s.items[1].key, "/ConfigMap//builtin-cache");
	CHECK_STR(s.items[3].key, "/ConfigMap//builtin");
	/* helm failing: the release is named in front of helm's message */
	fk.error = RG_EINVALID;
	rg_objset_init(&s, a);
	CHECK_INT(rg_env_render(&s, &f, r, &r->envs[0], t, a, &err),
		  RG_EINVALID);
	CHECK_STR(err.msg, "environment prod, release web: unrenderable: helm "
			   "template exited with status 1: Error: boom");
	rg_tree_free(t);
	rg_arena_free(a);
}

/* Would a push changing path make rg_env_affected render env? */
static bool affected(const struct rg_config_env *env, struct rg_tree *t,
		     const char *path, struct rg_arena *a)
{
	const char *paths[] = {path};

	return rg_env_affected(NULL, env, t->deps, t->ndeps, paths, 1, a);
}

TEST(recorded_inputs_scope_like_the_builtin_engine)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tree *t = repo_tree(a);
	static const char *const yaml =
	    "environments:\n"
	    "  - name: prod\n"
	    "    path: envs/prod\n"
	    "    releases:\n"
	    "      - name: web\n"
	    "        chart: charts/web\n"
	    "        engine: %s\n"
	    "        values: [values/global.yaml, values/prod.yaml]\n";
	struct rg_config_repo *rb = cfg(a, rg_arena_printf(a, yaml, "builtin"));
	struct rg_config_repo *rh = cfg(a, rg_arena_printf(a, yaml, "helm"));
	struct fake fk = {0, NULL, 0, "", 0};
	struct rg_helmexec x = {fake_run, &fk};
	static const char *const probes[] = {
	    "values/prod.yaml",
	    "values/global.yaml",
	    "values/staging.yaml",
	    "charts/web/values.yaml",
	    "charts/web/templates/new.yaml",
	    "charts/web/charts/sub-0.1.0.tgz",
	    "charts/web/charts/cache/values.yaml",
	    "charts/web/old.bak",
	    "charts/web",
	    "charts/other/Chart.yaml",
	    "other/app.yaml",
	    "envs/prod/README",
	};
	struct rg_objset s;
	struct rg_findings f;
	struct rg_err err = RG_ERR_INIT;
	struct rg_tree_dep *bdeps;
	size_t nb;

	rh->helm_exec = &x;
	rg_objset_init(&s, a);
	rg_finding_init(&f, a);
	CHECK_INT(rg_env_render(&s, &f, rb, &rb->envs[0], t, a, &err), 0);
	nb = t->ndeps;
	bdeps = rg_arena_calloc(a, nb, sizeof(*bdeps));
	memcpy(bdeps, t->deps, nb * sizeof(*bdeps));
	CHECK_INT(rg_env_render(&s, &f, rh, &rh->envs[0], t, a, &err), 0);
	for (size_t i = 0; i < RG_ARRAY_SIZE(probes); i++) {
		const char *paths[] = {probes[i]};
		bool b =
		    rg_env_affected(NULL, &rb->envs[0], bdeps, nb, paths, 1, a);

		if (b != affected(&rh->envs[0], t, probes[i], a))
			FAILF("%s: builtin %s, helm engine %s", probes[i],
			      b ? "renders" : "skips", b ? "skips" : "renders");
	}
	CHECK(affected(&rh->envs[0], t, "values/prod.yaml", a));
	CHECK(!affected(&rh->envs[0], t, "values/staging.yaml", a));
	/* every input the built-in read, the helm engine read too */
	for (size_t i = 0; i < nb; i++) {
		bool found = false;

		for (size_t k = 0; k < t->ndeps && !found; k++)
			found = !strcmp(t->deps[k].path, bdeps[i].path) &&
				t->deps[k].listed == bdeps[i].listed;
		if (!found)
			FAILF("the helm engine did not record %s %s",
			      bdeps[i].listed ? "listing" : "read",
			      bdeps[i].path);
	}
	rg_tree_free(t);
	rg_arena_free(a);
}
