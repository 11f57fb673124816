#include "test.h"
#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/config.h"
#include "rendergate/doc.h"

static const char *errat(const struct rg_errlist *l, size_t i)
{
	static char buf[2048];

	if (i >= l->len)
		return "(no such error)";
	rg_err_format(&l->items[i], buf, sizeof(buf));
	return buf;
}

static int repo(struct rg_config_repo **out, struct rg_arena *a,
		struct rg_errlist *errs, const char *yaml)
{
	return rg_config_repo_parse(out, a, ".rendergate.yaml", yaml,
				    strlen(yaml), errs);
}

static int server(struct rg_config_server **out, struct rg_arena *a,
		  struct rg_errlist *errs, const char *yaml)
{
	return rg_config_server_parse(out, a, "/etc/rendergate/config.yaml",
				      yaml, strlen(yaml), errs);
}

TEST(repo_config_design_example)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_errlist errs = RG_ERRLIST_INIT;
	struct rg_config_repo *r = NULL;
	const struct rg_config_env *e;

	CHECK_INT(repo(&r, a, &errs,
		       "environments:\n"
		       "  - name: staging\n"
		       "    branch: staging\n"
		       "    path: deploy\n"
		       "  - name: prod-eu\n"
		       "    branch: main\n"
		       "    path: envs/prod-eu\n"
		       "    kube_version: \"1.29\"\n"
		       "    api_versions: [monitoring.coreos.com/v1]\n"
		       "    exclude: ['*.test.yaml', 'tests/**']\n"
		       "    releases:\n"
		       "      - name: external-dns\n"
		       "        chart: charts/external-dns\n"
		       "        namespace: kube-system\n"
		       "        values: [values/global/external-dns.yaml, "
		       "values/prod/external-dns.yaml]\n"
		       "        set: {replicaCount: 2, image.tag: v1}\n"
		       "      - name: apps\n"
		       "        kustomize: overlays/prod-eu\n"
		       "  - name: dev\n"
		       "    path: \"\"\n"
		       "    kind: plain\n"
		       "stages: [dev, staging, prod-eu]\n"),
		  0);
	CHECK_INT(errs.len, 0);
	CHECK(r != NULL);
	CHECK_INT(r->nenvs, 3);
	CHECK_STR(r->default_branch, "main");
	e = rg_config_repo_env(r, "prod-eu");
	CHECK(e != NULL);
	CHECK_STR(e->path, "envs/prod-eu");
	CHECK_STR(e->kind, "auto");
	CHECK_STR(e->kube_version, "1.29");
	CHECK_INT(e->napi_versions, 1);
	CHECK_INT(e->nexclude, 2);
	CHECK_STR(e->exclude[1], "tests/**");
	CHECK_INT(e->nreleases, 2);
	CHECK_STR(e->releases[0].chart, "charts/external-dns");
	CHECK_STR(e->releases[0].namespace, "kube-system");
	CHECK_INT(e->releases[0].nvalues, 2);
	CHECK(e->releases[0].set != NULL);
	CHECK_INT(e->releases[0].set->u.map.len, 2);
	CHECK_STR(e->releases[1].kustomize, "overlays/prod-eu");
	CHECK(e->releases[1].chart == NULL);
	CHECK_INT(e->pos.line, 5);
	e = rg_config_repo_env(r, "dev");
	CHECK_STR(e->path, "");
	CHECK_STR(e->kind, "plain");
	CHECK(e->branch == NULL);
	CHECK_STR(rg_config_env_branch(r, e), "main");
	CHECK_INT(rg_config_stage_index(r, "prod-eu"), 2);
	CHECK_INT(rg_config_stage_index(r, "nope"), -1);
	CHECK(rg_config_repo_env(r, "nope") == NULL);
	rg_errlist_release(&errs);
	rg_arena_free(a);
}

TEST(repo_config_errors_are_all_reported)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_errlist errs = RG_ERRLIST_INIT;
	struct rg_config_repo *r = NULL;

	CHECK_INT(repo(&r, a, &errs,
		       "environments:\n"		 /* 1 */
		       "  - name: prod\n"		 /* 2 */
		       "    path: envs/../secrets\n"	 /* 3 */
		       "    brnach: main\n"		 /* 4 */
		       "  - name: prod\n"		 /* 5 */
		       "    path: envs/prod2\n"		 /* 6 */
		       "    kind: kustomise\n"		 /* 7 */
		       "  - path: envs/x\n"		 /* 8 */
		       "  - name: y\n"			 /* 9 */
		       "    path: [a]\n"		 /* 10 */
		       "    kube_version: 1.30\n"	 /* 11 */
		       "stages: [prod, qa]\n"		 /* 12 */
		       "colour: blue\n"),		 /* 13 */
		  RG_EINVALID);
	CHECK(r == NULL);
	CHECK_INT(errs.len, 10);
	CHECK_STR(errat(&errs, 0),
		  ".rendergate.yaml:13:1: unknown key 'colour' (expected one "
		  "of: environments, stages, default_branch)");
	/* prefixes: other renderers may add keys and kinds */
	CHECK(!strncmp(errat(&errs, 1),
		       ".rendergate.yaml:4:5: unknown key 'brnach' (expected one "
		       "of: name, branch, path, kind, kube_version, api_versions, "
		       "releases, exclude",
		       132));
	CHECK_STR(errat(&errs, 2),
		  ".rendergate.yaml:3:11: 'path': path 'envs/../secrets' has a "
		  "'..' component; paths cannot leave the repository");
	CHECK(!strncmp(errat(&errs, 3),
		       ".rendergate.yaml:7:11: 'kind' must be one of auto, plain, "
		       "kustomize, helm",
		       73));
	CHECK(strstr(errat(&errs, 3), " (found 'kustomise')") != NULL);
	CHECK_STR(errat(&errs, 4),
		  ".rendergate.yaml:5:5: environment 'prod' is defined twice "
		  "(first at line 2)");
	CHECK_STR(errat(&errs, 5),
		  ".rendergate.yaml:8:5: missing required key 'name'");
	CHECK_STR(errat(&errs, 6),
		  ".rendergate.yaml:9:11: 'name' must be a string, found bool "
		  "(quote it: y, n, yes, no, on and off are booleans in YAML)");
	CHECK_STR(errat(&errs, 7),
		  ".rendergate.yaml:10:11: 'path' must be a string, found "
		  "sequence");
	CHECK_STR(errat(&errs, 8),
		  ".rendergate.yaml:11:19: 'kube_version' must be a string; "
		  "quote it (\"1.30\" is not the number 1.3)");
	CHECK_STR(errat(&errs, 9),
		  ".rendergate.yaml:12:16: stage 'qa' is not a defined "
		  "environment");
	rg_errlist_release(&errs);
	rg_arena_free(a);
}

TEST(repo_config_release_rules)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_errlist errs = RG_ERRLIST_INIT;
	struct rg_config_repo *r = NULL;

	CHECK_INT(repo(&r, a, &errs,
		       "environments:\n"
		       "  - name: e\n"
		       "    path: e\n"
		       "    kind: helm\n"
		       "    releases:\n"
		       "      - name: a\n"
		       "        chart: c\n"
		       "        kustomize: k\n"
		       "      - name: a\n"
		       "        namespace: x\n"
		       "      - name: b\n"
		       "        chart: nginx\n"
		       "        repo: https://charts.example.com\n"
		       "      - name: c\n"
		       "        chart: /abs\n"
		       "        set: {a: [1]}\n"),
		  RG_EINVALID);
	CHECK_INT(errs.len, 7);
	CHECK_STR(errat(&errs, 0),
		  ".rendergate.yaml:6:9: release has both 'chart' and "
		  "'kustomize'; use two releases");
	CHECK_STR(errat(&errs, 1),
		  ".rendergate.yaml:9:9: release needs 'chart' or 'kustomize'");
	CHECK_STR(errat(&errs, 2),
		  ".rendergate.yaml:9:9: release 'a' is defined twice in "
		  "environment 'e' (first at line 6)");
	CHECK_STR(errat(&errs, 3),
		  ".rendergate.yaml:13:15: a chart from 'repo' needs a "
		  "'version'");
	CHECK(strstr(errat(&errs, 4), ".rendergate.yaml:15:16: 'chart': "
				      "path '/abs' is absolute") != NULL);
	CHECK(strstr(errat(&errs, 5), ".rendergate.yaml:16:18: 'set' value "
				      "for 'a' must be a scalar") != NULL);
	CHECK_STR(errat(&errs, 6),
		  ".rendergate.yaml:4:11: an environment with 'releases' takes "
		  "its renderers from them; drop 'kind: helm'");
	rg_errlist_release(&errs);
	rg_arena_free(a);
}

TEST(repo_config_whole_file_problems)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_errlist errs = RG_ERRLIST_INIT;
	struct rg_config_repo *r = NULL;

	CHECK_INT(repo(&r, a, &errs, ""), RG_EINVALID);
	CHECK_STR(errat(&errs, 0),
		  ".rendergate.yaml:1:1: missing required key 'environments'");
	rg_errlist_release(&errs);

	CHECK_INT(repo(&r, a, &errs, "environments: [\n"), RG_EPARSE);
	CHECK(strncmp(errat(&errs, 0), ".rendergate.yaml:", 17) == 0);
	rg_errlist_release(&errs);

	CHECK_INT(repo(&r, a, &errs, "environments: {}\n"), RG_EINVALID);
	CHECK_STR(errat(&errs, 0),
		  ".rendergate.yaml:1:15: 'environments' must be a sequence, "
		  "found mapping");
	rg_errlist_release(&errs);

	CHECK_INT(repo(&r, a, &errs, "environments:\n  - 3\n"), RG_EINVALID);
	CHECK_STR(errat(&errs, 0),
		  ".rendergate.yaml:2:5: environment entry must be a mapping, "
		  "found int");
	rg_errlist_release(&errs);

	CHECK_INT(repo(&r, a, &errs,
		       "environments:\n  - {name: a, path: .}\n"),
		  RG_EINVALID);
	CHECK_STR(errat(&errs, 0),
		  ".rendergate.yaml:2:21: 'path' is relative to the repository "
		  "root; write \"\" for the root itself, not '.'");
	rg_errlist_release(&errs);

	CHECK_INT(repo(&r, a, &errs, "environments: []\ndefault_branch: \"a\\0b\"\n"),
		  RG_EINVALID);
	rg_errlist_release(&errs);
	CHECK(r == NULL);
	rg_arena_free(a);
}

TEST(server_config_full)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_errlist errs = RG_ERRLIST_INIT;
	struct rg_config_server *s = NULL;

	CHECK_INT(server(&s, a, &errs,
			 "forge:\n"
			 "  kind: gitlab\n"
			 "  url: https://gitlab.example.com\n"
			 "  token_file: /etc/rendergate/token\n"
			 "policy_files: [/etc/rendergate/policy.yaml]\n"
			 "mode: warn\n"
			 "deadline: 4s\n"
			 "spool_dir: /var/spool/rendergate\n"
			 "chart_cache_dir: /var/cache/rendergate/charts\n"
			 "refs:\n"
			 "  include: ['refs/tags/release-*']\n"
			 "feature_branches: {target: main, fail_early: true}\n"
			 "bypass_users: [root]\n"
			 "protect_env_branch_deletion: false\n"),
		  0);
	CHECK_INT(errs.len, 0);
	CHECK_INT(s->forge.kind, RG_FORGE_GITLAB);
	CHECK_STR(s->forge.url, "https://gitlab.example.com");
	CHECK_STR(s->forge.token_file, "/etc/rendergate/token");
	CHECK(s->forge.ca_file == NULL);
	CHECK_INT(s->npolicy_files, 1);
	CHECK_INT(s->mode, RG_MODE_WARN);
	CHECK_INT(s->deadline_ms, 4000);
	CHECK_STR(s->spool_dir, "/var/spool/rendergate");
	CHECK_STR(s->feature_branches.target, "main");
	CHECK(s->feature_branches.fail_early);
	CHECK(!s->protect_env_branch_deletion);
	CHECK(rg_config_ref_gated(s, "refs/heads/feature/x"));
	CHECK(rg_config_ref_gated(s, "refs/tags/release-1.0"));
	CHECK(!rg_config_ref_gated(s, "refs/tags/v1.0"));
	CHECK(!rg_config_ref_gated(s, "refs/merge-requests/1/head"));
	CHECK(rg_config_user_bypasses(s, "root"));
	CHECK(!rg_config_user_bypasses(s, "alice"));
	CHECK(!rg_config_user_bypasses(s, NULL));
	rg_errlist_release(&errs);
	rg_arena_free(a);
}

TEST(server_config_defaults_and_errors)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_errlist errs = RG_ERRLIST_INIT;
	struct rg_config_server *s = NULL;

	CHECK_INT(server(&s, a, &errs, "# nothing configured\n"), 0);
	CHECK_INT(s->forge.kind, RG_FORGE_NONE);
	CHECK_INT(s->mode, RG_MODE_ENFORCE);
	CHECK_INT(s->deadline_ms, RG_CAP_DEADLINE_MS_DEFAULT);
	CHECK(s->protect_env_branch_deletion);
	CHECK(!rg_config_ref_gated(s, "refs/tags/v1"));
	CHECK(!rg_config_ref_gated(NULL, "refs/tags/v1"));
	CHECK(rg_config_ref_gated(NULL, "refs/heads/main"));

	s = NULL;
	CHECK_INT(server(&s, a, &errs,
			 "forge: {kind: gitlab}\n"
			 "mode: lenient\n"
			 "deadline: 5\n"
			 "spool_dir: spool\n"
			 "policy_files: [p.yaml]\n"
			 "refs: {include: ['refs/tags/[v']}\n"
			 "bypass_users: root\n"),
		  RG_EINVALID);
	CHECK(s == NULL);
	CHECK_INT(errs.len, 7);
	CHECK_STR(errat(&errs, 0), "/etc/rendergate/config.yaml:1:8: missing "
				   "required key 'url'");
	CHECK_STR(errat(&errs, 1),
		  "/etc/rendergate/config.yaml:5:16: 'policy_files'[0] must be "
		  "an absolute path (found 'p.yaml')");
	CHECK_STR(errat(&errs, 2),
		  "/etc/rendergate/config.yaml:2:7: 'mode' must be one of "
		  "enforce, warn (found 'lenient')");
	CHECK_STR(errat(&errs, 3), "/etc/rendergate/config.yaml:3:11: "
				   "'deadline' needs a unit: 5s, 1500ms, 2m");
	CHECK_STR(errat(&errs, 4),
		  "/etc/rendergate/config.yaml:4:12: 'spool_dir' must be an "
		  "absolute path (found 'spool')");
	CHECK_STR(errat(&errs, 5),
		  "/etc/rendergate/config.yaml:6:18: 'include'[0]: glob "
		  "'refs/tags/[v' has an unclosed '['");
	CHECK_STR(errat(&errs, 6),
		  "/etc/rendergate/config.yaml:7:15: 'bypass_users' must be a "
		  "sequence, found string");
	rg_errlist_release(&errs);
	rg_arena_free(a);
}

/* Read a file of the source tree (tests run from the top directory). */
static char *slurp(const char *rel, size_t *len)
{
	const char *top = getenv("RG_TOP");
	char path[1024];
	char *buf = NULL;
	size_t n = 0, alloc = 0, got;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", top ? top : ".", rel);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	do {
		RG_ALLOC_GROW(buf, n + 4096, alloc);
		got = fread(buf + n, 1, 4096, f);
		n += got;
	} while (got);
	fclose(f);
	*len = n;
	return buf;
}

TEST(contrib_examples_load_cleanly)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_errlist errs = RG_ERRLIST_INIT;
	struct rg_config_repo *r = NULL;
	struct rg_config_server *s = NULL;
	size_t len = 0;
	char *data = slurp("contrib/rendergate.example.yaml", &len);

	CHECK(data != NULL);
	CHECK_INT(rg_config_repo_parse(&r, a, "rendergate.example.yaml", data,
				       len, &errs), 0);
	CHECK_INT(r->nenvs, 4);
	CHECK_INT(r->nstages, 4);
	CHECK_INT(rg_config_repo_env(r, "prod-eu")->nreleases, 3);
	free(data);
	data = slurp("contrib/config.example.yaml", &len);
	CHECK(data != NULL);
	CHECK_INT(rg_config_server_parse(&s, a, "config.example.yaml", data,
					 len, &errs), 0);
	CHECK_INT(s->forge.kind, RG_FORGE_GITLAB);
	CHECK_INT(s->deadline_ms, 10000);
	free(data);
	data = slurp("contrib/example-repo/.rendergate.yaml", &len);
	if (data) {
		CHECK_INT(rg_config_repo_parse(&r, a, ".rendergate.yaml", data,
					       len, &errs), 0);
		free(data);
	}
	CHECK_INT(errs.len, 0);
	rg_errlist_release(&errs);
	rg_arena_free(a);
}
