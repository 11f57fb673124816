/* Policy loading (every error with its line) and checks over objects. */
#include "test.h"
#include "rendergate/arena.h"
#include "rendergate/config.h"
#include "rendergate/doc.h"
#include "rendergate/finding.h"
#include "rendergate/objects.h"
#include "rendergate/policy.h"

static struct rg_errlist errs = RG_ERRLIST_INIT;
static char errtext[16384];

/* Load one or more policies ({name, text, origin} triples). */
static struct rg_policy *load(struct rg_arena *a,
			      const struct rg_policy_file *files, size_t n)
{
	struct rg_policy *p = NULL;
	size_t len = 0;

	rg_errlist_release(&errs);
	errtext[0] = '\0';
	if (rg_policy_load(&p, a, files, n, &errs) < 0)
		p = NULL;
	for (size_t i = 0; i < errs.len; i++) {
		char line[2048];

		rg_err_format(&errs.items[i], line, sizeof(line));
		len += (size_t)snprintf(errtext + len, sizeof(errtext) - len,
					"%s\n", line);
	}
	return p;
}

static struct rg_policy *load1(struct rg_arena *a, const char *text)
{
	struct rg_policy_file f = { "policy.yaml", text, strlen(text),
				    RG_POLICY_ADMIN };

	return load(a, &f, 1);
}

static const char *errs_of(struct rg_arena *a, const char *text)
{
	struct rg_policy *p = load1(a, text);

	if (p) {
		rg_policy_free(p);
		return "(loaded)";
	}
	return errtext;
}

TEST(load_empty_and_defaults)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_policy *p = load1(a, "");

	CHECK(p != NULL);
	CHECK(p->forbid_latest);
	CHECK(p->require_tag);
	CHECK(!p->direct_push_allowed);
	CHECK_INT(p->nrules, 0);
	rg_policy_free(p);
	p = load(a, NULL, 0);
	CHECK(p != NULL);
	rg_policy_free(p);
	rg_policy_free(NULL);
	rg_arena_free(a);
}

TEST(load_every_error_in_one_pass)
{
	struct rg_arena *a = rg_arena_new();
	const char *text = "version: 1\n"
			   "images:\n"
			   "  alow: ['^x']\n"				 /* 3 */
			   "  deny: ['(unclosed']\n"			 /* 4 */
			   "  forbid_latest: maybe\n"			 /* 5 */
			   "rules:\n"
			   "  - id: Bad_Id\n"				 /* 7 */
			   "    severity: fatal\n"			 /* 8 */
			   "    any:\n"
			   "      - path: spec..x\n"			 /* 10 */
			   "        exists: true\n"
			   "      - path: spec.y\n"			 /* 12 */
			   "        equals: 1\n"
			   "        absent: true\n"
			   "    message: 'bad {placeholder}'\n"		 /* 15 */
			   "  - id: ok-rule\n"
			   "    match: {kinds: [Pod]}\n"
			   "  - id: ok-rule\n"				 /* 18 */
			   "  - id: other\n"
			   "    match: {kinds: [Pod], colour: red}\n"	 /* 20 */
			   "namespace: []\n";				 /* 21 */
	const char *want =
		"policy.yaml:21:1: unknown key 'namespace'";
	const char *got = errs_of(a, text);

	CHECK(strstr(got, want) != NULL);
	CHECK(strstr(got, "policy.yaml:3:3: unknown key 'alow'") != NULL);
	CHECK(strstr(got, "policy.yaml:4:10: bad image pattern '(unclosed'") !=
	      NULL);
	CHECK(strstr(got, "policy.yaml:5:18:") != NULL);
	CHECK(strstr(got, "policy.yaml:7:9: rule id 'Bad_Id'") != NULL);
	CHECK(strstr(got, "policy.yaml:8:15:") != NULL);
	CHECK(strstr(got, "policy.yaml:10:15: bad field path 'spec..x'") !=
	      NULL);
	CHECK(strstr(got, "policy.yaml:12:9: a condition needs exactly one "
			  "test") != NULL);
	CHECK(strstr(got, "policy.yaml:15:14: 'message': unknown placeholder "
			  "'{placeholder}'") != NULL);
	CHECK(strstr(got, "policy.yaml:20:27: unknown key 'colour'") != NULL);
	CHECK(strstr(got, "policy.yaml:18:9: rule id 'ok-rule' is already "
			  "used at policy.yaml:16:5") != NULL);
	rg_arena_free(a);
}

TEST(load_yaml_error_and_types)
{
	struct rg_arena *a = rg_arena_new();

	CHECK(strstr(errs_of(a, "rules: [\n"), "policy.yaml:") != NULL);
	CHECK(strstr(errs_of(a, "- a\n- b\n"), "the top level must be a "
					       "mapping") != NULL);
	CHECK(strstr(errs_of(a, "version: 2\n"), "'version'") != NULL);
	CHECK(strstr(errs_of(a, "rules: {a: 1}\n"), "'rules' must be a "
						    "sequence") != NULL);
	CHECK(strstr(errs_of(a, "rules:\n- id: x\n  any:\n  - path: a\n"
				"    lt: ten\n"),
		     "policy.yaml:5:9: 'lt' must be a number") != NULL);
	CHECK(strstr(errs_of(a, "rules:\n- id: x\n  any:\n  - path: a\n"
				"    one_of: a\n"),
		     "'one_of' must be a list") != NULL);
	CHECK(strstr(errs_of(a, "rules:\n- id: x\n  any: []\n"),
		     "'any' is empty") != NULL);
	CHECK(strstr(errs_of(a, "rules:\n- id: policy.x\n"),
		     "reserved") != NULL);
	CHECK(strstr(errs_of(a, "namespaces:\n- environments: ['[x']\n"
				"  allow: [a]\n"),
		     "policy.yaml:2:18:") != NULL);
	CHECK(strstr(errs_of(a, "images:\n  custom:\n  - kind: R\n"
				"    pod_spec: spec.x[*]\n"),
		     "plain keys") != NULL);
	CHECK(strstr(errs_of(a, "images:\n  custom:\n  - kind: R\n"),
		     "needs 'pod_spec' or 'images'") != NULL);
	rg_arena_free(a);
}

TEST(load_admin_only_sections)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_policy_file f[2] = {
		{ "/etc/rendergate/policy.yaml",
		  "push:\n  bypass_users: [release-bot]\n"
		  "owners: {paths: ['.rendergate.yaml'], users: [alice]}\n",
		  0, RG_POLICY_ADMIN },
		{ ".rendergate/policy.yaml",
		  "push:\n  direct: allow\nowners: {paths: [x], users: [bob]}\n",
		  0, RG_POLICY_REPO },
	};
	struct rg_policy *p;

	f[0].len = strlen(f[0].data);
	f[1].len = strlen(f[1].data);
	p = load(a, f, 2);
	CHECK(p == NULL);
	CHECK(strstr(errtext, ".rendergate/policy.yaml:1:1: 'push' may only be "
			      "set in an admin policy file") != NULL);
	CHECK(strstr(errtext, ".rendergate/policy.yaml:3:1: 'owners' may only "
			      "be set") != NULL);
	p = load(a, f, 1);
	CHECK(p != NULL);
	CHECK_INT(p->nbypass_users, 1);
	CHECK(p->owners.set);
	CHECK_INT(p->owners.min, 1);
	rg_policy_free(p);
	rg_arena_free(a);
}

TEST(load_second_half_sections)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_policy *p = load1(
		a, "approvals:\n"
		   "- environments: [prod-*]\n  min: 2\n  groups: [sre]\n"
		   "  timeout: 5s\n"
		   "promotion:\n  soak: 1h\n  stages:\n  - {name: prod-eu, "
		   "soak: 24h}\n"
		   "versions:\n  components:\n"
		   "  - {name: api, image: '/api$'}\n"
		   "  - {name: migrator, release: db-migrator}\n"
		   "  - {name: web, label: app.kubernetes.io/version, kind: "
		   "Deployment}\n"
		   "  constraints:\n"
		   "  - when: {api: '>=2.0.0'}\n"
		   "    require: {migrator: '>=1.4.0'}\n");

	CHECK(p != NULL);
	CHECK_INT(p->napprovals, 1);
	CHECK_INT(p->approvals[0].min, 2);
	CHECK_INT(p->approvals[0].timeout_ms, 5000);
	CHECK(p->promotion.set && p->promotion.enforce);
	CHECK_INT(p->promotion.soak_ms, 3600000);
	CHECK_INT(p->promotion.nsoaks, 1);
	CHECK_INT(p->promotion.soaks[0].ms, 86400000);
	CHECK_INT(p->ncomponents, 3);
	CHECK_INT(p->nconstraints, 1);
	CHECK_STR(p->constraints[0].require[0].component->name, "migrator");
	rg_policy_free(p);
	CHECK(strstr(errs_of(a, "versions:\n  constraints:\n"
				"  - when: {api: '>=2'}\n"
				"    require: {db: '>>1'}\n"),
		     "policy.yaml:3:12: unknown component 'api'") != NULL);
	CHECK(strstr(errtext, "policy.yaml:4:19: bad version range '>>1'") !=
	      NULL);
	CHECK(strstr(errs_of(a, "versions:\n  components:\n"
				"  - {name: a, image: x, release: rel}\n"),
		     "exactly one of") != NULL);
	CHECK(strstr(errs_of(a, "approvals:\n- min: 2\n"),
		     "needs 'branches' or 'environments'") != NULL);
	rg_arena_free(a);
}

TEST(load_ten_thousand_rules)
{
	struct rg_arena *a = rg_arena_new();
	size_t cap = 10000 * 160 + 64, len = 0;
	char *text = rg_xmalloc(cap);
	struct rg_policy *p;

	len += (size_t)snprintf(text + len, cap - len, "rules:\n");
	for (int i = 0; i < 10000; i++)
		len += (size_t)snprintf(
			text + len, cap - len,
			"- id: r%d\n  match: {kinds: [K%d], name: '^n%d-'}\n"
			"  any: [{path: 'spec.x[*].y', matches: '^v%d$'}]\n",
			i, i, i, i);
	p = load1(a, text);
	CHECK(p != NULL);
	CHECK_INT(p->nrules, 10000);
	rg_policy_free(p);
	/* a duplicate at the very end is still found, naming the first */
	len += (size_t)snprintf(text + len, cap - len, "- id: r17\n");
	CHECK(strstr(errs_of(a, text), "rule id 'r17' is already used at "
				       "policy.yaml:") != NULL);
	free(text);
	rg_arena_free(a);
}

/* --- checks --------------------------------------------------------------- */

static struct rg_findings F;
static struct rg_err E;
static char ftext[8192];

/* Check the YAML stream docs in env; return "rule@line;..." */
static const char *check(struct rg_arena *a, const struct rg_policy *p,
			 const char *env, const char *docs)
{
	struct rg_objset set;
	struct rg_docs d;
	size_t len = 0;

	rg_err_init(&E);
	rg_finding_init(&F, a);
	rg_objset_init(&set, a);
	ftext[0] = '\0';
	if (rg_doc_parse(&d, a, "env.yaml", docs, strlen(docs), 0, &E) < 0)
		return "bad yaml";
	for (size_t i = 0; i < d.len; i++)
		if (rg_objset_add_doc(NULL, &set, d.docs[i], &F, "plain", env,
				      &E) < 0)
			return "bad object";
	if (rg_policy_check_objects(&F, p, env, &set, &E) < 0)
		return "error";
	for (size_t i = 0; i < F.len; i++)
		len += (size_t)snprintf(ftext + len, sizeof(ftext) - len,
					"%s@%u;", F.items[i].rule,
					F.items[i].origin.line);
	return ftext;
}

#define DEPLOY(img)                                                           \
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, "      \
	"namespace: team-a}\nspec:\n  template:\n    spec:\n"                 \
	"      containers:\n      - name: app\n        image: " img "\n"

TEST(check_images)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_policy *p = load1(
		a, "images:\n"
		   "  allow: ['^registry\\.example\\.com/', '^docker\\.io/library/']\n"
		   "  deny: ['^docker\\.io/library/redis']\n"
		   "  require_digest: [prod-*]\n"
		   "  hint: use an image from registry.example.com/ or ask the "
		   "platform team to allow this registry\n");
	const char *dig = "@sha256:0123456789abcdef0123456789abcdef"
			  "0123456789abcdef0123456789abcdef";
	char buf[512];

	CHECK(p != NULL);
	CHECK_STR(check(a, p, "dev", DEPLOY("registry.example.com/app:1.0")), "");
	CHECK_STR(check(a, p, "dev", DEPLOY("nginx:1.25")), "");
	CHECK_STR(check(a, p, "dev", DEPLOY("quay.io/x/app:1.0")),
		  "policy.image-allow@9;");
	CHECK_STR(F.items[0].message,
		  "Deployment team-a/web: container 'app' uses image "
		  "'quay.io/x/app:1.0' (quay.io/x/app:1.0), which no allowed "
		  "pattern of policy.yaml matches");
	CHECK_STR(F.items[0].hint, "use an image from registry.example.com/ or "
				   "ask the platform team to allow this "
				   "registry");
	CHECK_STR(F.items[0].env, "dev");
	CHECK_STR(F.items[0].object, "apps/Deployment/team-a/web");
	CHECK_INT(F.items[0].origin.col, 16);
	CHECK_STR(check(a, p, "dev", DEPLOY("redis:7")), "policy.image-deny@9;");
	CHECK_STR(check(a, p, "dev", DEPLOY("nginx:latest")),
		  "policy.image-latest@9;");
	CHECK_STR(check(a, p, "dev", DEPLOY("nginx")), "policy.image-tag@9;");
	CHECK_STR(check(a, p, "dev", DEPLOY("Bad/Image")),
		  "policy.image-invalid@9;");
	CHECK_STR(check(a, p, "dev", DEPLOY("42")), "policy.image-invalid@9;");
	CHECK_STR(check(a, p, "prod-eu", DEPLOY("nginx:1.25")),
		  "policy.image-digest@9;");
	snprintf(buf, sizeof(buf), DEPLOY("nginx:latest%s"), dig);
	CHECK_STR(check(a, p, "prod-eu", buf), "");
	rg_policy_free(p);
	/* a file with only a digest rule (no allow list) still requires it */
	p = load1(a, "images: {require_digest: ['prod*']}\n");
	CHECK(p != NULL);
	CHECK_STR(check(a, p, "prod", DEPLOY("quay.io/x/app:1.0")),
		  "policy.image-digest@9;");
	CHECK_STR(check(a, p, "dev", DEPLOY("quay.io/x/app:1.0")), "");
	rg_policy_free(p);
	rg_arena_free(a);
}

TEST(check_images_layers_intersect)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_policy_file f[2] = {
		{ "admin.yaml",
		  "images: {allow: ['^registry\\.example\\.com/'], "
		  "forbid_latest: false}\n",
		  0, RG_POLICY_ADMIN },
		{ "repo.yaml",
		  "images: {allow: ['^registry\\.example\\.com/team-a/'], "
		  "require_tag: false}\n",
		  0, RG_POLICY_REPO },
	};
	struct rg_policy *p;

	f[0].len = strlen(f[0].data);
	f[1].len = strlen(f[1].data);
	p = load(a, f, 2);
	CHECK(p != NULL);
	CHECK(!p->forbid_latest);
	CHECK(!p->require_tag);
	CHECK_STR(check(a, p, "dev", DEPLOY("registry.example.com/team-a/x:1")),
		  "");
	CHECK_STR(check(a, p, "dev", DEPLOY("registry.example.com/team-b/x:1")),
		  "policy.image-allow@9;");
	CHECK(strstr(F.items[0].message, "repo.yaml") != NULL);
	CHECK_STR(check(a, p, "dev", DEPLOY("quay.io/x:1")),
		  "policy.image-allow@9;policy.image-allow@9;");
	CHECK_STR(check(a, p, "dev", DEPLOY("registry.example.com/team-a/x")),
		  "");
	rg_policy_free(p);
	rg_arena_free(a);
}

TEST(check_regex_limit_fails_closed)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_policy *p = load1(a, "images:\n  deny: ['^docker\\.io/library/(a|aa)+$']\n");
	char buf[512];

	CHECK(p != NULL);
	snprintf(buf, sizeof(buf), DEPLOY("%s"),
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab:1");
	CHECK_STR(check(a, p, "dev", buf), "error");
	CHECK_INT(E.code, RG_ELIMIT);
	CHECK_STR(E.file, "policy.yaml");
	CHECK_INT(E.line, 2);
	CHECK(strstr(E.msg, "environment dev, Deployment team-a/web: could not "
			    "decide: pattern '^docker\\.io/library/(a|aa)+$'") != NULL);
	rg_policy_free(p);
	rg_arena_free(a);
}

TEST(check_rules_and_messages)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_policy *p = load1(
		a, "rules:\n"
		   "- id: limits\n"
		   "  severity: warn\n"
		   "  match: {kinds: [Deployment], namespaces: [team-*]}\n"
		   "  any:\n"
		   "  - path: $containers[*].resources.limits.memory\n"
		   "    absent: true\n"
		   "  message: 'container memory limit missing at {path}'\n"
		   "  hint: 'set {path} for {name} in {env}'\n"
		   "- id: replicas\n"
		   "  description: at least two replicas in prod\n"
		   "  match: {kinds: [Deployment], environments: [prod]}\n"
		   "  all:\n"
		   "  - path: spec.replicas\n"
		   "    lt: 2\n"
		   "- id: no-configmaps-named-tmp\n"
		   "  match: {kinds: [ConfigMap], name: '^tmp-'}\n");

	CHECK(p != NULL);
	CHECK_STR(check(a, p, "dev", DEPLOY("nginx:1")), "limits@8;");
	CHECK_INT(F.items[0].severity, RG_SEV_WARN);
	CHECK_STR(F.items[0].message,
		  "Deployment team-a/web: container memory limit missing at "
		  "spec.template.spec.containers[0].resources.limits.memory");
	CHECK_STR(F.items[0].hint,
		  "set spec.template.spec.containers[0].resources.limits."
		  "memory for web in dev");
	CHECK_STR(check(a, p, "prod",
			"apiVersion: apps/v1\nkind: Deployment\nmetadata: "
			"{name: w, namespace: other}\nspec:\n  replicas: 1\n"),
		  "replicas@5;");
	CHECK_STR(F.items[0].message,
		  "Deployment other/w: at least two replicas in prod "
		  "(spec.replicas is 1)");
	CHECK_STR(check(a, p, "prod",
			"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "
			"tmp-1}\n---\napiVersion: v1\nkind: ConfigMap\n"
			"metadata: {name: keep}\n"),
		  "no-configmaps-named-tmp@1;");
	rg_policy_free(p);
	rg_arena_free(a);
}

TEST(check_namespace_ownership)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_policy *p = load1(
		a, "namespaces:\n"
		   "- environments: [prod-*]\n"
		   "  allow: [team-a, team-a-*]\n");

	CHECK(p != NULL);
	CHECK_STR(check(a, p, "prod-eu", DEPLOY("nginx:1")), "");
	CHECK_STR(check(a, p, "prod-eu",
			"apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
			"  name: c\n  namespace: kube-system\n"),
		  "policy.namespace@5;");
	CHECK(strstr(F.items[0].message, "namespace 'kube-system' is not owned "
					 "by environment prod-eu (allowed: "
					 "team-a, team-a-*)") != NULL);
	CHECK_STR(check(a, p, "prod-eu",
			"apiVersion: v1\nkind: Namespace\nmetadata: {name: "
			"team-b}\n---\napiVersion: rbac.authorization.k8s.io/v1\n"
			"kind: ClusterRole\nmetadata: {name: r}\n"),
		  "policy.namespace@3;");
	CHECK_STR(check(a, p, "dev",
			"apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
			"  name: c\n  namespace: kube-system\n"),
		  "");
	rg_policy_free(p);
	rg_arena_free(a);
}

TEST(check_sources)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_policy *p = load1(
		a, "sources:\n"
		   "  allow: ['^https://git\\.example\\.com/', "
		   "'^oci://registry\\.example\\.com/']\n"
		   "  deny: ['/forbidden/']\n");
	struct rg_node *n = NULL;
	const char *chart = "apiVersion: v2\nname: app\ndependencies:\n"
			    "- name: redis\n  repository: https://charts.bitnami.com/bitnami\n"
			    "- name: local\n  repository: file://../local\n"
			    "- name: ok\n  repository: oci://registry.example.com/charts\n";
	const char *kust = "resources:\n- base\n"
			   "- https://github.com/org/repo//deploy?ref=v1\n"
			   "- https://git.example.com/forbidden/x?ref=v1\n"
			   "helmCharts:\n- name: x\n  repo: https://charts.example.org\n";

	CHECK(p != NULL);
	CHECK_STR(check(a, p, "dev",
			"apiVersion: source.toolkit.fluxcd.io/v1\nkind: "
			"GitRepository\nmetadata: {name: g, namespace: flux}\n"
			"spec: {url: 'https://github.com/x/y'}\n---\n"
			"apiVersion: source.toolkit.fluxcd.io/v1beta2\nkind: "
			"OCIRepository\nmetadata: {name: o, namespace: flux}\n"
			"spec: {url: 'oci://registry.example.com/x'}\n---\n"
			"apiVersion: argoproj.io/v1alpha1\nkind: Application\n"
			"metadata: {name: app, namespace: argocd}\nspec:\n"
			"  sources:\n  - repoURL: https://git.example.com/ok\n"
			"  - repoURL: https://git.example.com/forbidden/x\n"),
		  "policy.source-allow@4;policy.source-deny@17;");
	CHECK(strstr(F.items[0].message, "GitRepository flux/g: source "
					 "'https://github.com/x/y' matches no "
					 "allowed pattern") != NULL);
	rg_finding_init(&F, a);
	CHECK_INT(rg_doc_parse_one(&n, a, "charts/app/Chart.yaml", chart,
				   strlen(chart), 0, &E),
		  0);
	CHECK_INT(rg_policy_check_chart(&F, p, "dev", n, &E), 0);
	CHECK_INT(F.len, 1);
	CHECK_STR(F.items[0].rule, "policy.source-allow");
	CHECK_INT(F.items[0].origin.line, 5);
	CHECK(strstr(F.items[0].message, "chart dependency 'redis'") != NULL);
	rg_finding_init(&F, a);
	CHECK_INT(rg_doc_parse_one(&n, a, "kustomization.yaml", kust,
				   strlen(kust), 0, &E),
		  0);
	CHECK_INT(rg_policy_check_kustomization(&F, p, "dev", n, &E), 0);
	CHECK_INT(F.len, 3);
	CHECK_INT(F.items[0].origin.line, 3);
	CHECK_STR(F.items[1].rule, "policy.source-deny");
	CHECK_INT(F.items[1].origin.line, 4);
	CHECK_INT(F.items[2].origin.line, 7);
	{
		const char *rc = "environments:\n- name: prod\n  path: envs/prod\n"
				 "  releases:\n  - name: dns\n"
				 "    chart: external-dns\n"
				 "    repo: https://kubernetes-sigs.github.io/x\n"
				 "    version: 1.2.3\n"
				 "  - name: app\n    chart: charts/app\n";
		struct rg_config_repo *r = NULL;
		struct rg_errlist el = RG_ERRLIST_INIT;

		CHECK_INT(rg_config_repo_parse(&r, a, ".rendergate.yaml", rc,
					       strlen(rc), &el),
			  0);
		rg_errlist_release(&el);
		rg_finding_init(&F, a);
		CHECK_INT(rg_policy_check_releases(&F, p, &r->envs[0], &E), 0);
		CHECK_INT(F.len, 1);
		CHECK_STR(F.items[0].rule, "policy.source-allow");
		CHECK_STR(F.items[0].env, "prod");
		CHECK_INT(F.items[0].origin.line, 5);
		CHECK(strstr(F.items[0].message,
			     "release dns (chart external-dns): source "
			     "'https://kubernetes-sigs.github.io/x'") != NULL);
	}
	rg_policy_free(p);
	rg_arena_free(a);
}

TEST(check_custom_resource_pod_spec)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_policy *p = load1(
		a, "images:\n  custom:\n  - kind: Rollout\n"
		   "    pod_spec: spec.template.spec\n"
		   "rules:\n- id: no-host-network\n  any:\n"
		   "  - {path: $podspec.hostNetwork, equals: true}\n");

	CHECK(p != NULL);
	CHECK_STR(check(a, p, "dev",
			"apiVersion: argoproj.io/v1alpha1\nkind: Rollout\n"
			"metadata: {name: r}\nspec:\n  template:\n    spec:\n"
			"      hostNetwork: true\n"
			"      containers: [{name: a, image: x}]\n"),
		  "policy.image-tag@8;no-host-network@7;");
	rg_policy_free(p);
	rg_arena_free(a);
}

/* --- direct pushes -------------------------------------------------------- */

TEST(push_direct_denied_except_forge_merges_and_bypass)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_policy *p = load1(a, "push:\n  bypass_users: [release-bot]\n"
				       "  branches: ['release/*']\n");
	const char *gl_web[] = { "GL_USERNAME=alice", "GL_PROTOCOL=web", NULL };
	const char *gl_ssh[] = { "GL_USERNAME=alice", "GL_PROTOCOL=ssh", NULL };
	const char *gt_pr[] = { "GITEA_PUSHER_NAME=bob", "GITEA_PR_ID=42",
				"GITEA_PUSH_TRIGGER=pr-merge-to-base", NULL };
	const char *gt_upd[] = { "GITEA_PUSHER_NAME=bob", "GITEA_PR_ID=42",
				 "GITEA_PUSH_TRIGGER=pr-update-with-base",
				 NULL };
	const char *gt_plain[] = { "GITEA_PUSHER_NAME=bob", "GITEA_PR_ID=0",
				   NULL };
	const char *bot[] = { "GL_USERNAME=release-bot", "GL_PROTOCOL=ssh",
			      NULL };
	struct rg_policy_push c = { .forge = RG_POLICY_FORGE_GITLAB,
				    .ref = "refs/heads/main",
				    .env_branch = true,
				    .env = "prod",
				    .environ = gl_web };
	const char *why = NULL;

	CHECK(p != NULL);
	rg_finding_init(&F, a);
	CHECK_INT(rg_policy_check_push(&F, p, &c), 0);
	CHECK(rg_policy_push_is_forge_merge(&c, &why));
	CHECK(strstr(why, "GL_PROTOCOL=web") != NULL);
	c.environ = gl_ssh;
	rg_policy_push_fill_user(&c);
	CHECK_STR(c.user, "alice");
	CHECK_INT(rg_policy_check_push(&F, p, &c), 1);
	CHECK_STR(F.items[0].rule, "policy.direct-push");
	CHECK_STR(F.items[0].message,
		  "direct push to branch main by alice: environment prod's "
		  "branch only takes merges made by the forge");
	CHECK(F.items[0].hint != NULL);
	/* GitLab variables mean nothing on a Gitea install */
	c.forge = RG_POLICY_FORGE_GITEA;
	c.environ = gl_web;
	CHECK_INT(rg_policy_check_push(&F, p, &c), 1);
	c.environ = gt_pr;
	CHECK_INT(rg_policy_check_push(&F, p, &c), 0);
	c.environ = gt_upd;
	CHECK_INT(rg_policy_check_push(&F, p, &c), 1);
	c.environ = gt_plain;
	CHECK_INT(rg_policy_check_push(&F, p, &c), 1);
	/* plain git: only bypass users */
	c.forge = RG_POLICY_FORGE_NONE;
	c.environ = gt_pr;
	CHECK_INT(rg_policy_check_push(&F, p, &c), 1);
	c.forge = RG_POLICY_FORGE_GITLAB;
	c.environ = bot;
	c.user = NULL;
	rg_policy_push_fill_user(&c);
	CHECK_INT(rg_policy_check_push(&F, p, &c), 0);
	/* other branches, tags; configured extra branches */
	c.environ = gl_ssh;
	c.user = "alice";
	c.env_branch = false;
	CHECK_INT(rg_policy_check_push(&F, p, &c), 0);
	c.ref = "refs/heads/release/1.2";
	CHECK_INT(rg_policy_check_push(&F, p, &c), 1);
	c.ref = "refs/tags/v1";
	c.env_branch = true;
	CHECK_INT(rg_policy_check_push(&F, p, &c), 0);
	rg_policy_free(p);
	p = load1(a, "push: {direct: allow}\n"
		     "owners: {paths: ['.rendergate.yaml'], users: [root]}\n");
	CHECK(p != NULL);
	c.ref = "refs/heads/main";
	CHECK_INT(rg_policy_check_push(&F, p, &c), 0);
	/* self-protection: a direct push to the config branch touching
	   owner paths, even where direct pushes are allowed */
	{
		const char *changed[] = { "envs/a.yaml", ".rendergate.yaml" };

		rg_finding_init(&F, a);
		c.changed = changed;
		c.nchanged = 2;
		c.config_branch = true;
		CHECK_INT(rg_policy_check_push(&F, p, &c), 1);
		CHECK_STR(F.items[0].rule, "policy.owners");
		CHECK_STR(F.items[0].message,
			  "direct push to main changes .rendergate.yaml, which "
			  "only a merge approved by the owners may change");
		c.nchanged = 1;
		CHECK_INT(rg_policy_check_push(&F, p, &c), 0);
		c.nchanged = 2;
		c.config_branch = false;
		CHECK_INT(rg_policy_check_push(&F, p, &c), 0);
		c.config_branch = true;
		c.environ = gl_web;
		CHECK_INT(rg_policy_check_push(&F, p, &c), 0);
	}
	rg_policy_free(p);
	rg_errlist_release(&errs);
	rg_arena_free(a);
}

TEST(example_policy_loads_and_applies)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_policy_file f = { "contrib/policies/example.yaml", NULL, 0,
				    RG_POLICY_ADMIN };
	FILE *fp = fopen(f.name, "rb");
	static char buf[65536];
	struct rg_policy *p;

	CHECK(fp != NULL);
	f.len = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	f.data = buf;
	p = load(a, &f, 1);
	if (!p)
		FAILF("%s", errtext);
	CHECK_INT(p->nrules, 4);
	CHECK_INT(p->ncustom, 2);
	CHECK_STR(check(a, p, "prod-eu",
			"apiVersion: v1\nkind: Service\nmetadata: {name: s, "
			"namespace: shop}\nspec: {type: NodePort}\n"),
		  "services.no-nodeport@4;");
	CHECK_STR(F.items[0].message, "Service shop/s: Service type NodePort "
				      "is reserved for the platform team");
	CHECK_STR(check(a, p, "prod-eu",
			"apiVersion: apps/v1\nkind: Deployment\nmetadata: "
			"{name: web, namespace: shop}\nspec:\n  replicas: 1\n"
			"  template:\n    spec:\n      containers:\n"
			"      - {name: a, image: 'registry.example.com/shop/"
			"web:1.0', resources: {limits: {memory: 1Gi}}}\n"),
		  "policy.image-digest@9;prod.replicas@5;");
	CHECK_STR(F.items[1].hint, "set spec.replicas to 2 or more in prod-eu");
	rg_policy_free(p);
	rg_arena_free(a);
}

TEST(huge_objects)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_policy *p = load1(
		a, "rules:\n"
		   "- id: no-secret-env\n"
		   "  any:\n"
		   "  - {path: '$containers[*].env[*].name', matches: "
		   "'^SECRET_'}\n"
		   "- id: data-keys\n"
		   "  any:\n"
		   "  - {path: 'data[*]', matches: '^(x+x+)+y$'}\n");
	size_t cap = 64u << 20, len = 0;
	char *doc = rg_xmalloc(cap);

	CHECK(p != NULL);
	/* 50,000 env entries: walked, one finding at the last one */
	len += (size_t)snprintf(doc + len, cap - len,
				"apiVersion: v1\nkind: Pod\nmetadata: {name: "
				"big}\nspec:\n  containers:\n  - name: a\n"
				"    image: x:1\n    env:\n");
	for (int i = 0; i < 50000; i++)
		len += (size_t)snprintf(doc + len, cap - len,
					"    - {name: %s%d, value: v}\n",
					i == 49999 ? "SECRET_" : "E", i);
	CHECK_STR(check(a, p, "dev", doc), "no-secret-env@50008;");
	/* a 1 MiB value under a hostile pattern: the match limit stops it
	   and the gate fails closed */
	len = (size_t)snprintf(doc, cap,
			       "apiVersion: v1\nkind: ConfigMap\nmetadata: "
			       "{name: c}\ndata:\n  k: ");
	memset(doc + len, 'x', 1u << 20);
	len += 1u << 20;
	memcpy(doc + len, "\n", 2);
	CHECK_STR(check(a, p, "dev", doc), "error");
	CHECK_INT(E.code, RG_ELIMIT);
	CHECK_INT(E.line, 7);
	/* a ConfigMap with 150,000 keys under data[*]: over the path cap */
	len = (size_t)snprintf(doc, cap,
			       "apiVersion: v1\nkind: ConfigMap\nmetadata: "
			       "{name: c}\ndata:\n");
	for (int i = 0; i < 150000; i++)
		len += (size_t)snprintf(doc + len, cap - len, "  k%d: v\n", i);
	CHECK_STR(check(a, p, "dev", doc), "error");
	CHECK_INT(E.code, RG_ELIMIT);
	CHECK(strstr(E.msg, "RG_CAP_POLICY_PATH_HITS") != NULL);
	free(doc);
	rg_policy_free(p);
	rg_arena_free(a);
}
