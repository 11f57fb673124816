/* Field paths, conditions, rule evaluation and message templates. */
#include "test.h"
#include "rendergate/arena.h"
#include "rendergate/doc.h"
#include "rendergate/finding.h"
#include "rendergate/policy-images.h"
#include "rendergate/policy-rules.h"
#include "rendergate/regex.h"

static struct rg_node *yaml(struct rg_arena *a, const char *s)
{
	struct rg_node *n = NULL;
	struct rg_err e = RG_ERR_INIT;

	if (rg_doc_parse_one(&n, a, "obj.yaml", s, strlen(s), 0, &e) < 0)
		fprintf(stderr, "yaml: %s\n", e.msg);
	return n;
}

TEST(path_parse_ok)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_rules_path p;
	struct rg_err e = RG_ERR_INIT;

	CHECK_INT(rg_rules_path_parse(&p, a, "spec.containers[*].image", &e),
		  0);
	CHECK_INT(p.root, RG_RULES_ROOT_OBJECT);
	CHECK_INT(p.nsegs, 4);
	CHECK_INT(p.segs[2].kind, RG_RULES_SEG_ALL);
	CHECK_INT(rg_rules_path_parse(&p, a,
				      "metadata.annotations[\"a.b/c\"][2]", &e),
		  0);
	CHECK_INT(p.nsegs, 4);
	CHECK_STR(p.segs[2].key, "a.b/c");
	CHECK_INT(p.segs[3].kind, RG_RULES_SEG_INDEX);
	CHECK_INT(p.segs[3].index, 2);
	CHECK_INT(rg_rules_path_parse(&p, a, "$podmeta.annotations[\"x.io/*\"]",
				      &e),
		  0);
	CHECK_INT(p.root, RG_RULES_ROOT_PODMETA);
	CHECK_INT(p.segs[1].kind, RG_RULES_SEG_PREFIX);
	CHECK_STR(p.segs[1].key, "x.io/");
	CHECK_INT(rg_rules_path_parse(&p, a, "$containers[*].image", &e), 0);
	CHECK_INT(p.root, RG_RULES_ROOT_CONTAINERS);
	CHECK_INT(p.nsegs, 2);
	CHECK_INT(rg_rules_path_parse(&p, a, "$podspec", &e), 0);
	CHECK_INT(p.nsegs, 0);
	CHECK_INT(rg_rules_path_parse(&p, a, "a[\"q\\\"uote\"]", &e), 0);
	CHECK_STR(p.segs[1].key, "q\"uote");
	rg_arena_free(a);
}

TEST(path_parse_errors)
{
	static const char *bad[] = {
		"",	      "a..b",	     ".a",     "a.",	 "a[",
		"a[x]",	      "a[*",	     "a*",     "$foo.a", "$containers.x",
		"a[\"b\"",    "a[\"\"]",     "a]b",    "a[1]b",  "a[\"x*y\"]",
	};
	struct rg_arena *a = rg_arena_new();

	for (size_t i = 0; i < RG_ARRAY_SIZE(bad); i++) {
		struct rg_rules_path p;
		struct rg_err e = RG_ERR_INIT;

		if (rg_rules_path_parse(&p, a, bad[i], &e) != RG_EPARSE)
			FAILF("path '%s' was accepted", bad[i]);
		CHECK(strstr(e.msg, "bad field path") != NULL);
	}
	rg_arena_free(a);
}

TEST(path_too_many_segments)
{
	struct rg_arena *a = rg_arena_new();
	char text[1024] = "a";
	struct rg_rules_path p;
	struct rg_err e = RG_ERR_INIT;

	for (int i = 0; i < 70; i++)
		memcpy(text + strlen(text), ".a", 3);
	CHECK_INT(rg_rules_path_parse(&p, a, text, &e), RG_ELIMIT);
	CHECK(strstr(e.msg, "RG_CAP_POLICY_PATH_SEGS") != NULL);
	rg_arena_free(a);
}

struct places {
	char text[2048];
};

static int collect(void *ctx, const struct rg_rules_place *p)
{
	struct places *s = ctx;
	size_t n = strlen(s->text);

	snprintf(s->text + n, sizeof(s->text) - n, "%s%s;", rg_rules_place_path(p),
		 p->node ? "" : "(missing)");
	return 0;
}

static const char *walk(struct rg_arena *a, const struct rg_node *obj,
			const char *path)
{
	static struct places s;
	static struct rg_err e;
	struct rg_rules_path p;
	struct rg_rules_pod pod;

	rg_err_init(&e);

	s.text[0] = '\0';
	if (rg_rules_path_parse(&p, a, path, &e) < 0)
		return e.msg;
	rg_images_pod_view(&pod, obj, NULL, 0, a);
	if (rg_rules_path_walk(&p, obj, &pod, collect, &s, &e) < 0)
		return e.msg;
	return s.text;
}

TEST(path_walk_places)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *d = yaml(
		a, "kind: Deployment\nmetadata:\n  annotations: {a.b/x: '1', "
		   "a.b/y: '2', c: '3'}\nspec:\n  template:\n"
		   "    metadata: {annotations: {p.io/k: v}}\n    spec:\n"
		   "      containers:\n      - name: one\n        ports: "
		   "[{hostPort: 80}, {containerPort: 1}]\n      - name: two\n"
		   "      initContainers: []\n");

	CHECK_STR(walk(a, d, "spec.template.spec.containers[*].name"),
		  "spec.template.spec.containers[0].name;"
		  "spec.template.spec.containers[1].name;");
	CHECK_STR(walk(a, d, "$containers[*].ports[*].hostPort"),
		  "spec.template.spec.containers[0].ports[0].hostPort;"
		  "spec.template.spec.containers[0].ports[1].hostPort(missing);"
		  "spec.template.spec.containers[1].ports[*].hostPort(missing);");
	CHECK_STR(walk(a, d, "metadata.annotations[\"a.b/*\"]"),
		  "metadata.annotations[\"a.b/x\"];"
		  "metadata.annotations[\"a.b/y\"];");
	CHECK_STR(walk(a, d, "metadata.annotations[*]"),
		  "metadata.annotations[\"a.b/x\"];"
		  "metadata.annotations[\"a.b/y\"];metadata.annotations.c;");
	CHECK_STR(walk(a, d, "$podmeta.annotations[\"p.io/k\"]"),
		  "spec.template.metadata.annotations[\"p.io/k\"];");
	CHECK_STR(walk(a, d, "$podspec.hostNetwork"),
		  "spec.template.spec.hostNetwork(missing);");
	CHECK_STR(walk(a, d, "spec.template.spec.containers[5]"),
		  "spec.template.spec.containers[5](missing);");
	CHECK_STR(walk(a, d, "spec.template.spec.initContainers[*].x"), "");
	/* a ConfigMap has no pod: $ roots select nothing */
	CHECK_STR(walk(a, yaml(a, "kind: ConfigMap\n"), "$podspec.x"), "");
	CHECK_STR(walk(a, yaml(a, "kind: ConfigMap\n"), "$containers[*]"), "");
	rg_arena_free(a);
}

TEST(path_walk_cap)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *big = rg_node_map(a);
	struct rg_node *l = rg_node_seq(a);
	struct rg_rules_path p;
	struct places s = { "" };
	struct rg_err e = RG_ERR_INIT;

	for (size_t i = 0; i < 400; i++) {
		struct rg_node *inner = rg_node_seq(a);

		for (size_t j = 0; j < 400; j++)
			rg_seq_push(a, inner, rg_node_int(a, (int64_t)j));
		rg_seq_push(a, l, inner);
	}
	rg_map_set(a, big, "l", 1, l);
	CHECK_INT(rg_rules_path_parse(&p, a, "l[*][*]", &e), 0);
	/* 160,000 places: over RG_CAP_POLICY_PATH_HITS, so an error */
	s.text[0] = '\0';
	CHECK_INT(rg_rules_path_walk(&p, big, NULL, collect, &s, &e),
		  RG_ELIMIT);
	CHECK(strstr(e.msg, "RG_CAP_POLICY_PATH_HITS") != NULL);
	rg_arena_free(a);
}

static struct rg_rules_cond cond(struct rg_arena *a, const char *path,
				 enum rg_rules_op op, struct rg_node *value)
{
	struct rg_rules_cond c;
	struct rg_err e = RG_ERR_INIT;

	memset(&c, 0, sizeof(c));
	rg_rules_path_parse(&c.path, a, path, &e);
	c.op = (uint8_t)op;
	c.value = value;
	return c;
}

static bool holds(struct rg_rules_cond *c, const struct rg_node *obj,
		  struct rg_arena *a, char *path)
{
	struct rg_rules_pod pod;
	struct rg_rules_result res;
	struct rg_err e = RG_ERR_INIT;
	bool h = false;

	rg_images_pod_view(&pod, obj, NULL, 0, a);
	memset(&res, 0, sizeof(res));
	if (rg_rules_cond_eval(&h, &res, c, obj, &pod, &e) < 0)
		return false;
	if (path)
		snprintf(path, 512, "%s", h ? res.path : "");
	return h;
}

TEST(conditions)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *pod = yaml(
		a, "kind: Pod\nspec:\n  hostNetwork: true\n  containers:\n"
		   "  - name: a\n    securityContext: {privileged: false}\n"
		   "    ports: [{hostPort: 0}]\n  - name: b\n"
		   "    securityContext: {privileged: true, capabilities: "
		   "{add: [CHOWN, NET_ADMIN]}}\n    resources: {limits: {cpu: "
		   "'2', memory: 1Gi}}\n    ports: [{hostPort: 8080}]\n");
	struct rg_node *caps = yaml(a, "[CHOWN, KILL]");
	struct rg_rules_cond c;
	char path[512];

	c = cond(a, "$containers[*].securityContext.privileged",
		 RG_RULES_EQUALS, rg_node_bool(a, true));
	CHECK(holds(&c, pod, a, path));
	CHECK_STR(path, "spec.containers[1].securityContext.privileged");
	c = cond(a, "$containers[*].securityContext.privileged",
		 RG_RULES_EQUALS, rg_node_str(a, "true"));
	CHECK(!holds(&c, pod, a, NULL));
	c = cond(a, "$podspec.hostNetwork", RG_RULES_EXISTS, NULL);
	CHECK(holds(&c, pod, a, NULL));
	c = cond(a, "$podspec.hostPID", RG_RULES_EXISTS, NULL);
	CHECK(!holds(&c, pod, a, NULL));
	c = cond(a, "$podspec.hostPID", RG_RULES_ABSENT, NULL);
	CHECK(holds(&c, pod, a, path));
	CHECK_STR(path, "spec.hostPID");
	c = cond(a, "$containers[*].resources.limits", RG_RULES_ABSENT, NULL);
	CHECK(holds(&c, pod, a, path));
	CHECK_STR(path, "spec.containers[0].resources.limits");
	c = cond(a, "$containers[*].ports[*].hostPort", RG_RULES_NOT_EQUALS,
		 rg_node_int(a, 0));
	CHECK(holds(&c, pod, a, path));
	CHECK_STR(path, "spec.containers[1].ports[0].hostPort");
	c = cond(a, "$containers[*].securityContext.capabilities.add[*]",
		 RG_RULES_NOT_ONE_OF, caps);
	CHECK(holds(&c, pod, a, path));
	CHECK_STR(path, "spec.containers[1].securityContext.capabilities.add[1]");
	c = cond(a, "$containers[*].securityContext.capabilities.add[*]",
		 RG_RULES_ONE_OF, caps);
	CHECK(holds(&c, pod, a, NULL));
	/* numbers: ints, floats and numeric strings */
	c = cond(a, "$containers[*].resources.limits.cpu", RG_RULES_GT, NULL);
	c.num = 1.5;
	CHECK(holds(&c, pod, a, NULL));
	c.op = RG_RULES_LE;
	CHECK(!holds(&c, pod, a, NULL));
	c = cond(a, "$containers[*].resources.limits.memory", RG_RULES_GT, NULL);
	c.num = 0;
	CHECK(!holds(&c, pod, a, NULL)); /* "1Gi" is not a number */
	{
		struct rg_node *odd = yaml(a, "kind: X\nv: [inf, '0x10', "
					      "'1e3', nan]\n");
		struct rg_rules_cond k = cond(a, "v[*]", RG_RULES_GT, NULL);

		k.num = 999;
		CHECK(holds(&k, odd, a, path));
		CHECK_STR(path, "v[2]"); /* only the decimal string counts */
		k.num = 1000;
		CHECK(!holds(&k, odd, a, NULL));
	}
	c = cond(a, "$containers[*].ports[*].hostPort", RG_RULES_GE, NULL);
	c.num = 8080;
	CHECK(holds(&c, pod, a, NULL));
	c.op = RG_RULES_LT;
	c.num = 0;
	CHECK(!holds(&c, pod, a, NULL));
	rg_arena_free(a);
}

TEST(conditions_matches_and_regex_limit)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *obj = yaml(a, "kind: X\nmetadata: {name: web-1}\n"
				      "data: {s: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
				      "aaaaaaaaaaaaaaaa!, n: 42}\n");
	struct rg_rules_cond c = cond(a, "data.s", RG_RULES_MATCHES, NULL);
	struct rg_rules_pod pod = { 0 };
	struct rg_err e = RG_ERR_INIT;
	const char *hostile = "^(a|aa)+$";
	bool h = true;

	CHECK_INT(rg_regex_compile(&c.re, "^a+!$", 5, &e), 0);
	c.pattern = "^a+!$";
	CHECK(holds(&c, obj, a, NULL));
	c.op = RG_RULES_NOT_MATCHES;
	CHECK(!holds(&c, obj, a, NULL));
	rg_regex_free(c.re);
	/* non-strings match through their text */
	c = cond(a, "data.n", RG_RULES_MATCHES, NULL);
	CHECK_INT(rg_regex_compile(&c.re, "^4[0-9]$", 8, &e), 0);
	CHECK(holds(&c, obj, a, NULL));
	rg_regex_free(c.re);
	/* catastrophic backtracking: an error naming the pattern, not a
	   silent "no match" */
	c = cond(a, "data.s", RG_RULES_MATCHES, NULL);
	c.pattern = hostile;
	c.pos.file = "policy.yaml";
	c.pos.line = 7;
	c.pos.col = 16;
	CHECK_INT(rg_regex_compile(&c.re, hostile, strlen(hostile), &e), 0);
	CHECK_INT(rg_rules_cond_eval(&h, NULL, &c, obj, &pod, &e), RG_ELIMIT);
	CHECK(strstr(e.msg, "could not decide") != NULL);
	CHECK(strstr(e.msg, hostile) != NULL);
	CHECK_STR(e.file, "policy.yaml");
	CHECK_INT(e.line, 7);
	rg_regex_free(c.re);
	rg_arena_free(a);
}

TEST(rule_all_any_semantics)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *obj = yaml(a, "kind: Service\nmetadata: {name: s}\n"
				      "spec: {type: NodePort, ports: "
				      "[{port: 80}]}\n");
	struct rg_rules_cond all[2], any[2];
	struct rg_rules_rule r;
	struct rg_rules_result res;
	struct rg_err e = RG_ERR_INIT;
	bool fired = false;

	memset(&r, 0, sizeof(r));
	all[0] = cond(a, "spec.type", RG_RULES_EQUALS,
		      rg_node_str(a, "NodePort"));
	all[1] = cond(a, "spec.ports[*].port", RG_RULES_EQUALS,
		      rg_node_int(a, 80));
	any[0] = cond(a, "spec.externalIPs", RG_RULES_EXISTS, NULL);
	any[1] = cond(a, "spec.ports[*].nodePort", RG_RULES_ABSENT, NULL);
	/* no conditions: fires on everything matched */
	CHECK_INT(rg_rules_eval(&fired, &res, &r, obj, NULL, &e), 0);
	CHECK(fired);
	r.all = all;
	r.nall = 2;
	CHECK_INT(rg_rules_eval(&fired, &res, &r, obj, NULL, &e), 0);
	CHECK(fired);
	CHECK_STR(res.path, "spec.type");
	all[1].value = rg_node_int(a, 81);
	CHECK_INT(rg_rules_eval(&fired, &res, &r, obj, NULL, &e), 0);
	CHECK(!fired);
	all[1].value = rg_node_float(a, 80.0); /* ints and floats compare */
	r.any = any;
	r.nany = 2;
	CHECK_INT(rg_rules_eval(&fired, &res, &r, obj, NULL, &e), 0);
	CHECK(fired);
	CHECK_STR(res.path, "spec.ports[0].nodePort");
	r.nany = 1;
	CHECK_INT(rg_rules_eval(&fired, &res, &r, obj, NULL, &e), 0);
	CHECK(!fired);
	rg_arena_free(a);
}

TEST(rule_match)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *obj = yaml(a, "apiVersion: apps/v1\nkind: Deployment\n"
				      "metadata: {name: web-api, namespace: "
				      "team-a, labels: {tier: front}}\n");
	const char *kinds[] = { "Deployment", "StatefulSet" };
	const char *avs[] = { "apps/v1" };
	const char *nss[] = { "team-*" };
	const char *envs[] = { "prod-*" };
	struct rg_rules_label lab = { "tier", "front" };
	struct rg_rules_rule r;
	struct rg_rules_subject subj;
	struct rg_err e = RG_ERR_INIT;
	bool ok = false;

	memset(&r, 0, sizeof(r));
	rg_rules_subject_init(&subj, obj);
	CHECK_INT(rg_rules_match_object(&ok, &r, &subj, NULL, &e), 0);
	CHECK(ok);
	r.match.kinds = kinds;
	r.match.nkinds = 2;
	r.match.api_versions = avs;
	r.match.napi_versions = 1;
	r.match.namespaces = nss;
	r.match.nnamespaces = 1;
	r.match.labels = &lab;
	r.match.nlabels = 1;
	CHECK_INT(rg_regex_compile(&r.match.name, "^web-", 5, &e), 0);
	CHECK_INT(rg_rules_match_object(&ok, &r, &subj, "prod-eu", &e), 0);
	CHECK(ok);
	r.match.environments = envs;
	r.match.nenvironments = 1;
	CHECK_INT(rg_rules_match_object(&ok, &r, &subj, "prod-eu", &e), 0);
	CHECK(ok);
	CHECK_INT(rg_rules_match_object(&ok, &r, &subj, "staging", &e), 0);
	CHECK(!ok);
	CHECK_INT(rg_rules_match_object(&ok, &r, &subj, NULL, &e), 0);
	CHECK(!ok);
	lab.value = "back";
	CHECK_INT(rg_rules_match_object(&ok, &r, &subj, "prod-eu", &e), 0);
	CHECK(!ok);
	lab.value = "front";
	nss[0] = "team-b";
	CHECK_INT(rg_rules_match_object(&ok, &r, &subj, "prod-eu", &e), 0);
	CHECK(!ok);
	nss[0] = "team-*";
	kinds[0] = "Pod";
	CHECK_INT(rg_rules_match_object(&ok, &r, &subj, "prod-eu", &e), 0);
	CHECK(!ok);
	rg_regex_free(r.match.name);
	rg_arena_free(a);
}

TEST(templates)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err e = RG_ERR_INIT;
	struct rg_rules_vars v = { "r1",    "Pod", "web", "ns", "prod",
				   "spec.x", NULL };
	char big[3000];

	CHECK_INT(rg_rules_template_check("{name} in {namespace}: {{ok}}", &e),
		  0);
	CHECK_INT(rg_rules_template_check("{nmae}", &e), RG_EINVALID);
	CHECK(strstr(e.msg, "unknown placeholder '{nmae}'") != NULL);
	CHECK_INT(rg_rules_template_check("a { b", &e), RG_EINVALID);
	CHECK_INT(rg_rules_template_check("a } b", &e), RG_EINVALID);
	v.value = rg_node_int(a, 5);
	CHECK_STR(rg_rules_expand(a, "{rule} {kind}/{name} {namespace} {env} "
				     "{path}={value} {{x}}",
				  &v),
		  "r1 Pod/web ns prod spec.x=5 {x}");
	v.value = rg_node_str(a, "two\nlines");
	CHECK_STR(rg_rules_expand(a, "{value}", &v), "two lines");
	v.value = rg_node_map(a);
	CHECK_STR(rg_rules_expand(a, "{value}", &v), "a mapping");
	v.value = NULL;
	CHECK_STR(rg_rules_expand(a, "{value}", &v), "(missing)");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_INT(strlen(rg_rules_expand(a, big, &v)), 1024);
	rg_arena_free(a);
}
