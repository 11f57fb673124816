/* Component versions, compatible version sets, chart dependency ranges. */
#include "test.h"
#include "rendergate/arena.h"
#include "rendergate/doc.h"
#include "rendergate/finding.h"
#include "rendergate/objects.h"
#include "rendergate/policy.h"
#include "rendergate/policy-versions.h"

static const char *policy_text =
	"versions:\n"
	"  components:\n"
	"  - {name: api, image: '^registry\\.example\\.com/shop/api$'}\n"
	"  - {name: db-migrator, release: db-migrator}\n"
	"  - {name: web, label: app.kubernetes.io/version, kind: Deployment}\n"
	"  constraints:\n"
	"  - when: {api: '>=2.0.0'}\n"
	"    require: {db-migrator: '>=1.4.0'}\n"
	"  - when: {api: '>=2.0.0', web: '>=3'}\n"
	"    require: {db-migrator: '>=1.5.0'}\n"
	"    message: web 3 with api 2 needs migrator 1.5\n";

static struct rg_policy *load(struct rg_arena *a)
{
	struct rg_policy_file f = { "policy.yaml", policy_text,
				    strlen(policy_text), RG_POLICY_ADMIN };
	struct rg_errlist errs = RG_ERRLIST_INIT;
	struct rg_policy *p = NULL;

	if (rg_policy_load(&p, a, &f, 1, &errs) < 0)
		p = NULL;
	rg_errlist_release(&errs);
	return p;
}

static struct rg_objset set;

static int objects(struct rg_arena *a, const char *docs)
{
	struct rg_findings f;
	struct rg_docs d;
	struct rg_err e = RG_ERR_INIT;

	rg_finding_init(&f, a);
	rg_objset_init(&set, a);
	if (rg_doc_parse(&d, a, "envs/prod/app.yaml", docs, strlen(docs), 0,
			 &e) < 0)
		return -1;
	for (size_t i = 0; i < d.len; i++)
		if (rg_objset_add_doc(NULL, &set, d.docs[i], &f, "plain",
				      "prod", &e) < 0)
			return -1;
	return 0;
}

#define APP(api, web)                                                         \
	"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n"    \
	"spec:\n  template:\n    spec:\n      containers:\n"                  \
	"      - name: api\n        image: registry.example.com/shop/api:" api \
	"\n      - name: side\n        image: nginx:1.25\n---\n"              \
	"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"    \
	"  labels: {app.kubernetes.io/version: '" web "'}\n"

TEST(collect_versions)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_policy *p = load(a);
	struct rg_policy_compvers v;
	struct rg_policy_release rel = { "db-migrator", "1.3.0",
					 { "charts/db-migrator/Chart.yaml", 3,
					   10 } };
	const struct rg_policy_compver *x;
	struct rg_err e = RG_ERR_INIT;
	size_t n = 0;

	CHECK(p != NULL);
	CHECK_INT(objects(a, APP("2.1.0", "3.0.0")), 0);
	memset(&v, 0, sizeof(v));
	CHECK_INT(rg_policy_versions_collect(&v, a, p, &set, &rel, 1, &e), 0);
	CHECK_INT(v.len, 3);
	x = rg_policy_versions_find(&v, "api", &n);
	CHECK_INT(n, 1);
	CHECK_STR(x->version, "2.1.0");
	CHECK_STR(x->pos.file, "envs/prod/app.yaml");
	CHECK_INT(x->pos.line, 10);
	CHECK_STR(x->object, "apps/Deployment//api");
	x = rg_policy_versions_find(&v, "web", &n);
	CHECK_STR(x->version, "3.0.0");
	CHECK_INT(x->pos.line, 18);
	x = rg_policy_versions_find(&v, "db-migrator", &n);
	CHECK_STR(x->version, "1.3.0");
	CHECK(rg_policy_versions_find(&v, "nope", &n) == NULL);
	CHECK_INT(n, 0);
	rg_policy_free(p);
	rg_arena_free(a);
}

static const char *run(struct rg_arena *a, struct rg_policy *p,
		       const char *docs, const char *migrator)
{
	static char out[4096];
	struct rg_policy_compvers v;
	struct rg_policy_release rel = { "db-migrator", migrator,
					 { "charts/db-migrator/Chart.yaml", 3,
					   10 } };
	struct rg_findings f;
	struct rg_err e = RG_ERR_INIT;
	size_t len = 0;

	out[0] = '\0';
	memset(&v, 0, sizeof(v));
	rg_finding_init(&f, a);
	if (objects(a, docs) < 0 ||
	    rg_policy_versions_collect(&v, a, p, &set, &rel, migrator ? 1 : 0,
				       &e) < 0 ||
	    rg_policy_check_versions(&f, p, "prod", &v, &e) < 0)
		return "error";
	for (size_t i = 0; i < f.len; i++)
		len += (size_t)snprintf(out + len, sizeof(out) - len,
					"%s@%u: %s | %s\n", f.items[i].rule,
					f.items[i].origin.line,
					f.items[i].message,
					f.items[i].hint ? f.items[i].hint : "");
	return out;
}

TEST(constraints)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_policy *p = load(a);

	CHECK(p != NULL);
	/* api below 2: nothing required */
	CHECK_STR(run(a, p, APP("1.9.0", "3.0.0"), "1.0.0"), "");
	/* api 2, migrator new enough for both */
	CHECK_STR(run(a, p, APP("v2.1.0", "3.0.0"), "1.5.2"), "");
	/* web 2: only the first constraint applies */
	CHECK_STR(run(a, p, APP("2.1.0", "2.0.0"), "1.4.0"), "");
	CHECK_STR(run(a, p, APP("2.1.0", "2.0.0"), "1.3.0"),
		  "policy.version-set@3: db-migrator 1.3.0 (set here) is not "
		  ">=1.4.0, which it must be because api is 2.1.0 (set at "
		  "envs/prod/app.yaml:10) | move db-migrator to a version "
		  "matching >=1.4.0, or keep the other components below their "
		  "ranges (constraint at policy.yaml:7)\n");
	CHECK_STR(run(a, p, APP("2.1.0", "3.1.0"), "1.4.0"),
		  "policy.version-set@3: db-migrator 1.4.0 (set here) is not "
		  ">=1.5.0, which it must be because api is 2.1.0 (set at "
		  "envs/prod/app.yaml:10) and web is 3.1.0 (set at "
		  "envs/prod/app.yaml:18) | web 3 with api 2 needs migrator "
		  "1.5\n");
	/* required component missing altogether */
	CHECK_STR(run(a, p, APP("2.1.0", "1.0.0"), NULL),
		  "policy.version-set@10: db-migrator must be deployed at "
		  ">=1.4.0 because api is 2.1.0 (set at envs/prod/app.yaml:10), "
		  "but environment prod has no version of it | deploy the "
		  "required component, or keep this one below its range\n");
	/* not a semantic version */
	CHECK(strstr(run(a, p, APP("2.1.0", "1.0.0"), "latest-build"),
		     "policy.version-invalid@3: version 'latest-build' of "
		     "component db-migrator is not a semantic version") != NULL);
	CHECK(strstr(run(a, p, APP("main", "1.0.0"), "1.0.0"),
		     "policy.version-invalid@10:") != NULL);
	rg_policy_free(p);
	rg_arena_free(a);
}

TEST(chart_dependency_ranges)
{
	struct rg_arena *a = rg_arena_new();
	const char *chart = "apiVersion: v2\nname: shop\nversion: 1.0.0\n"
			    "dependencies:\n"
			    "- name: redis\n  version: '~17.3'\n"
			    "- name: pg\n  version: '>=12.0.0 <13'\n"
			    "- name: absent\n  version: '1.x'\n"
			    "- name: norange\n"
			    "- name: badrange\n  version: '>>1'\n";
	struct rg_policy_subchart subs[] = {
		{ "redis", "17.3.9", { "charts/shop/charts/redis/Chart.yaml", 2, 10 } },
		{ "pg", "13.1.0", { "charts/shop/charts/pg/Chart.yaml", 2, 10 } },
		{ "norange", "9.9.9", { "x", 1, 1 } },
		{ "badrange", "1.0.0", { "y", 1, 1 } },
	};
	struct rg_node *n = NULL;
	struct rg_findings f;
	struct rg_err e = RG_ERR_INIT;

	rg_finding_init(&f, a);
	CHECK_INT(rg_doc_parse_one(&n, a, "charts/shop/Chart.yaml", chart,
				   strlen(chart), 0, &e),
		  0);
	CHECK_INT(rg_policy_check_chart_deps(&f, "prod", n, subs, 4, &e), 0);
	CHECK_INT(f.len, 2);
	CHECK_STR(f.items[0].rule, "policy.chart-dependency");
	CHECK_STR(f.items[0].origin.file, "charts/shop/charts/pg/Chart.yaml");
	CHECK(strstr(f.items[0].message, "vendored subchart pg 13.1.0 does not "
					 "satisfy the dependency range "
					 "'>=12.0.0 <13' "
					 "(charts/shop/Chart.yaml:8)") != NULL);
	CHECK(f.items[0].hint != NULL);
	CHECK_STR(f.items[0].env, "prod");
	CHECK_INT(f.items[1].origin.line, 13);
	CHECK(strstr(f.items[1].message, "bad version range '>>1'") != NULL);
	rg_arena_free(a);
}
