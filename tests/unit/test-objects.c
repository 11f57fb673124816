#include "test.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/doc.h"
#include "rendergate/finding.h"
#include "rendergate/objects.h"

static struct rg_node *parse(struct rg_arena *a, const char *yaml)
{
	struct rg_node *n = NULL;
	struct rg_err err = RG_ERR_INIT;

	if (rg_doc_parse_one(&n, a, "m.yaml", yaml, strlen(yaml), 0, &err) < 0)
		return NULL;
	return n;
}

TEST(identity_of_core_and_grouped_objects)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_obj o;
	const char *rule = "x";

	CHECK_INT(rg_obj_identify(&o, a,
				  parse(a, "apiVersion: apps/v1\n"
					   "kind: Deployment\n"
					   "metadata: {name: web, namespace: prod}\n"),
				  &rule, &err),
		  0);
	CHECK(rule == NULL);
	CHECK_STR(o.group, "apps");
	CHECK_STR(o.version, "v1");
	CHECK_STR(o.kind, "Deployment");
	CHECK_STR(o.namespace, "prod");
	CHECK_STR(o.name, "web");
	CHECK_STR(o.key, "apps/Deployment/prod/web");
	CHECK_STR(rg_obj_label(a, &o), "Deployment prod/web");
	CHECK_INT(o.origin.line, 1);
	CHECK_STR(o.origin.file, "m.yaml");

	CHECK_INT(rg_obj_identify(&o, a,
				  parse(a, "apiVersion: v1\nkind: ConfigMap\n"
					   "metadata: {name: settings}\n"),
				  NULL, &err),
		  0);
	CHECK_STR(o.group, "");
	CHECK_STR(o.key, "/ConfigMap//settings");
	CHECK_STR(rg_obj_label(a, &o), "ConfigMap settings");
	CHECK_INT(rg_obj_identify(&o, a,
				  parse(a, "apiVersion: v1\nkind: ConfigMap\n"
					   "metadata: {name: s, namespace: \"\"}\n"),
				  NULL, &err),
		  0);
	CHECK_STR(o.key, "/ConfigMap//s");

	CHECK_INT(rg_obj_identify(&o, a,
				  parse(a, "apiVersion: rbac.authorization.k8s.io/v1\n"
					   "kind: ClusterRole\n"
					   "metadata: {name: admin}\n"),
				  NULL, &err),
		  0);
	CHECK_STR(o.key, "rbac.authorization.k8s.io/ClusterRole//admin");
	rg_arena_free(a);
}

TEST(identity_problems_name_rule_and_position)
{
	static const struct {
		const char *yaml, *rule, *msg;
		unsigned line, col;
	} cases[] = {
		{ "kind: A\nmetadata: {name: x}\n", "missing-apiversion",
		  "apiVersion is missing", 1, 1 },
		{ "apiVersion: 1\nkind: A\nmetadata: {name: x}\n",
		  "missing-apiversion", "apiVersion must be a string, found int",
		  1, 13 },
		{ "apiVersion: v1\nmetadata: {name: x}\n", "missing-kind",
		  "kind is missing", 1, 1 },
		{ "apiVersion: v1\nkind: A\n", "missing-name",
		  "metadata.name is missing", 1, 1 },
		{ "apiVersion: v1\nkind: A\nmetadata: {}\n", "missing-name",
		  "metadata.name is missing", 1, 1 },
		{ "apiVersion: v1\nkind: A\nmetadata: {name: 12}\n",
		  "missing-name", "metadata.name must be a string, found int",
		  3, 18 },
		{ "apiVersion: v1\nkind: A\nmetadata: {name: \"\"}\n",
		  "missing-name", "metadata.name must not be empty", 3, 18 },
		{ "apiVersion: v1\nkind: A\nmetadata: x\n", "missing-name",
		  "metadata must be a mapping, found string", 3, 11 },
		{ "apiVersion: v1\nkind: A\nmetadata: {name: a, namespace: [x]}\n",
		  "bad-namespace",
		  "metadata.namespace must be a string, found sequence", 3, 32 },
		{ "- a\n- b\n", "not-an-object", NULL, 1, 1 },
		{ "apiVersion: v1\nkind: A\nmetadata: {name: a/b}\n",
		  "missing-name",
		  "metadata.name must not contain '/' or NUL bytes", 3, 18 },
	};

	for (size_t i = 0; i < RG_ARRAY_SIZE(cases); i++) {
		struct rg_arena *a = rg_arena_new();
		struct rg_err err = RG_ERR_INIT;
		struct rg_obj o;
		const char *rule = NULL;
		struct rg_node *doc = parse(a, cases[i].yaml);

		CHECK(doc != NULL);
		CHECK_INT(rg_obj_identify(&o, a, doc, &rule, &err), RG_EINVALID);
		CHECK_STR(rule, cases[i].rule);
		if (cases[i].msg)
			CHECK_STR(err.msg, cases[i].msg);
		CHECK_INT(err.line, cases[i].line);
		CHECK_INT(err.col, cases[i].col);
		rg_arena_free(a);
	}
}

TEST(add_doc_makes_findings_not_errors)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_findings f;
	struct rg_objset s;
	struct rg_obj *o = NULL;
	struct rg_buf line = RG_BUF_INIT(4096);

	rg_finding_init(&f, a);
	rg_objset_init(&s, a);
	CHECK_INT(rg_objset_add_doc(&o, &s,
				    parse(a, "apiVersion: v1\nkind: A\n"),
				    &f, "plain", "prod", &err),
		  RG_EINVALID);
	CHECK_INT(s.len, 0);
	CHECK_INT(f.len, 1);
	CHECK_INT(f.ndeny, 1);
	CHECK_STR(f.items[0].rule, "plain.missing-name");
	CHECK_STR(f.items[0].env, "prod");
	CHECK_STR(f.items[0].origin.file, "m.yaml");
	CHECK_INT(rg_finding_format(&line, &f.items[0]), 0);
	CHECK_STR(line.ptr, "m.yaml:1:1: deny: metadata.name is missing "
			    "[plain.missing-name] (hint: every object needs "
			    "apiVersion, kind and metadata.name)");
	CHECK_INT(rg_objset_add_doc(&o, &s,
				    parse(a, "apiVersion: v1\nkind: A\n"
					     "metadata: {name: b}\n"),
				    &f, "plain", "prod", &err),
		  0);
	CHECK_STR(o->key, "/A//b");
	CHECK_INT(s.len, 1);
	rg_buf_release(&line);
	rg_arena_free(a);
}

static void add(struct rg_objset *s, struct rg_arena *a, const char *kind,
		const char *name, unsigned line)
{
	struct rg_obj o;

	memset(&o, 0, sizeof(o));
	o.group = "";
	o.version = "v1";
	o.kind = kind;
	o.namespace = "";
	o.name = name;
	o.key = rg_obj_key(a, "", kind, "", name);
	o.origin.file = "f.yaml";
	o.origin.line = line;
	o.origin.col = 1;
	rg_objset_add(s, &o, NULL);
}

TEST(sort_find_and_duplicates)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_findings f;
	struct rg_objset s;

	rg_finding_init(&f, a);
	rg_objset_init(&s, a);
	add(&s, a, "B", "x", 1);
	add(&s, a, "A", "x", 5);
	add(&s, a, "B", "x", 9);
	add(&s, a, "A", "y", 12);
	CHECK(!s.sorted);
	/* linear search while unsorted finds the first added */
	CHECK_INT(rg_objset_find(&s, "/B//x")->origin.line, 1);
	CHECK_INT(rg_objset_check_dups(&s, &f, "dev"), 1);
	CHECK_INT(f.len, 1);
	CHECK_STR(f.items[0].rule, "duplicate-identity");
	CHECK_STR(f.items[0].message,
		  "B x is defined twice (first at f.yaml:1:1)");
	CHECK_INT(f.items[0].origin.line, 9);
	CHECK_STR(f.items[0].object, "/B//x");
	/* check_dups did not reorder the set */
	CHECK_STR(s.items[0].kind, "B");
	rg_objset_sort(&s);
	CHECK(s.sorted);
	CHECK_STR(s.items[0].key, "/A//x");
	CHECK_STR(s.items[1].key, "/A//y");
	CHECK_INT(s.items[2].origin.line, 1); /* stable */
	CHECK_INT(s.items[3].origin.line, 9);
	CHECK_INT(rg_objset_find(&s, "/B//x")->origin.line, 1);
	CHECK(rg_objset_find(&s, "/C//x") == NULL);
	CHECK(rg_objset_find(&s, "") == NULL);
	rg_arena_free(a);
}

TEST(findings_sort_cap_and_append)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_findings f, g;
	struct rg_pos p1 = { "b.yaml", 3, 1 }, p2 = { "a.yaml", 7, 2 };

	rg_finding_init(&f, a);
	rg_finding_init(&g, a);
	rg_finding_add(&f, RG_SEV_WARN, "w", &p1, "warn one");
	rg_finding_add(&f, RG_SEV_DENY, "d", &p1, "deny b");
	rg_finding_add(&f, RG_SEV_DENY, "d", &p2, "deny a");
	rg_finding_add(&f, RG_SEV_INFO, "i", NULL, "info");
	rg_finding_sort(&f);
	CHECK_STR(f.items[0].message, "deny a");
	CHECK_STR(f.items[1].message, "deny b");
	CHECK_STR(f.items[2].message, "warn one");
	CHECK_STR(f.items[3].message, "info");
	CHECK_STR(rg_finding_severity_name(RG_SEV_WARN), "warn");
	for (unsigned i = 0; i < RG_CAP_FINDINGS + 5; i++)
		rg_finding_add(&g, RG_SEV_DENY, "many", NULL, "n%u", i);
	CHECK_INT(g.len, RG_CAP_FINDINGS);
	CHECK_INT(g.dropped, 5);
	CHECK_INT(g.ndeny, RG_CAP_FINDINGS + 5);
	CHECK(rg_finding_add(&g, RG_SEV_WARN, "x", NULL, "y") == NULL);
	rg_finding_append(&f, &g);
	CHECK_INT(f.ndeny, 2 + RG_CAP_FINDINGS + 5);
	CHECK_INT(f.nwarn, 2);
	CHECK_INT(f.len, RG_CAP_FINDINGS);
	rg_arena_free(a);
}
