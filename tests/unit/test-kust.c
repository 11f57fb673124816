/*
 * test-kust.c - unit tests of the kustomize pieces: name hashes (the
 * vectors of kustomize's api/hasher tests), strategic merge patch rules,
 * JSON 6902 operations and pointer escapes, and builds of small trees
 * for load restrictions and errors.
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/doc.h"
#include "rendergate/kust.h"
#include "rendergate/tree.h"

#include "test.h"

static struct rg_node *yaml(struct rg_arena *a, const char *s)
{
	struct rg_node *n = NULL;
	struct rg_err err = RG_ERR_INIT;

	if (rg_doc_parse_one(&n, a, "t.yaml", s, strlen(s), RG_PARSE_YAML12,
			     &err))
		RG_BUG("test YAML does not parse: %s", err.msg);
	return n;
}

/* Emit n (sorted keys) into the arena. */
static const char *emit(struct rg_arena *a, const struct rg_node *n)
{
	struct rg_buf b = RG_BUF_INIT(1u << 20);
	const char *s;

	if (!n)
		return "(deleted)";
	rg_doc_emit(&b, n, 0);
	s = rg_arena_strndup(a, b.ptr, b.len);
	rg_buf_release(&b);
	return s;
}

static const char *hash_of(struct rg_arena *a, const char *y)
{
	char h[11];

	if (rg_kust_hash(h, yaml(a, y)))
		return "(error)";
	return rg_arena_strdup(a, h);
}

TEST(hash_configmap_vectors)
{
	struct rg_arena *a = rg_arena_new();

	CHECK_STR(hash_of(a, "apiVersion: v1\nkind: ConfigMap\n"), "6ct58987ht");
	CHECK_STR(hash_of(a, "apiVersion: v1\nkind: ConfigMap\ndata:\n  one: \"\"\n"),
		  "9g67k2htb6");
	CHECK_STR(hash_of(a, "apiVersion: v1\nkind: ConfigMap\ndata:\n  two: 2\n"
			     "  one: \"\"\n  three: 3\n"),
		  "7757f9kkct");
	CHECK_STR(hash_of(a, "apiVersion: v1\nkind: ConfigMap\nbinaryData:\n"
			     "  one: \"\"\n"),
		  "6mtk2m274t");
	CHECK_STR(hash_of(a, "apiVersion: v1\nkind: ConfigMap\nbinaryData:\n"
			     "  two: 2\n  one: \"\"\n  three: 3\n"),
		  "9th7kc28dg");
	CHECK_STR(hash_of(a, "apiVersion: v1\nkind: ConfigMap\ndata:\n  one: \"\"\n"
			     "binaryData:\n  two: \"\"\n"),
		  "698h7c7t9m");
	/* the name does not take part (kustomize's lookup never finds it) */
	CHECK_STR(hash_of(a, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
			     "  name: anything\n"),
		  "6ct58987ht");
	rg_arena_free(a);
}

TEST(hash_secret_vectors)
{
	struct rg_arena *a = rg_arena_new();

	CHECK_STR(hash_of(a, "apiVersion: v1\nkind: Secret\ntype: my-type\n"),
		  "5gmgkf8578");
	CHECK_STR(hash_of(a, "apiVersion: v1\nkind: Secret\ntype: my-type\n"
			     "data:\n  one: \"\"\n"),
		  "74bd68bm66");
	CHECK_STR(hash_of(a, "apiVersion: v1\nkind: Secret\ntype: my-type\n"
			     "data:\n  two: 2\n  one: \"\"\n  three: 3\n"),
		  "4gf75c7476");
	CHECK_STR(hash_of(a, "apiVersion: v1\nkind: Secret\ntype: my-type\n"
			     "data:\n  one: \"\"\nstringData:\n  two: 2\n"),
		  "c4h4264gdb");
	CHECK_STR(hash_of(a, "apiVersion: v1\nkind: Service\n"), "(error)");
	rg_arena_free(a);
}

static const char *smp(struct rg_arena *a, const char *target, const char *patch,
		       int *rc)
{
	struct rg_node *out = NULL;
	struct rg_err err = RG_ERR_INIT;

	*rc = rg_kust_smp(&out, a, yaml(a, target), yaml(a, patch), &err);
	return *rc ? rg_arena_strdup(a, err.msg) : emit(a, out);
}

TEST(smp_null_deletes_and_maps_merge)
{
	struct rg_arena *a = rg_arena_new();
	int rc;

	CHECK_STR(smp(a, "kind: X\na: 1\nb:\n  c: 2\n  d: 3\n",
		      "kind: X\na: null\nb:\n  d: 4\n  e: 5\n", &rc),
		  "b:\n  c: 2\n  d: 4\n  e: 5\nkind: X\n");
	CHECK_INT(rc, 0);
	/* a null for a missing field adds nothing */
	CHECK_STR(smp(a, "kind: X\n", "kind: X\nz: null\n", &rc), "kind: X\n");
	rg_arena_free(a);
}

TEST(smp_patch_directives)
{
	struct rg_arena *a = rg_arena_new();
	int rc;

	CHECK_STR(smp(a, "kind: X\nm:\n  a: 1\n  b: 2\n",
		      "kind: X\nm:\n  $patch: replace\n  c: 3\n", &rc),
		  "kind: X\nm:\n  c: 3\n");
	CHECK_STR(smp(a, "kind: X\nm:\n  a: 1\n", "kind: X\nm:\n  $patch: delete\n",
		      &rc),
		  "kind: X\n");
	CHECK_STR(smp(a, "kind: X\na: 1\n", "$patch: delete\n", &rc),
		  "(deleted)");
	CHECK_INT(rc, 0);
	rg_arena_free(a);
}

static const char dep[] =
	"apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n"
	"      containers:\n      - name: a\n        image: a:1\n"
	"      - name: b\n        image: b:1\n";

TEST(smp_containers_merge_by_name_and_prepend)
{
	struct rg_arena *a = rg_arena_new();
	int rc;

	CHECK_STR(smp(a, dep,
		      "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n"
		      "    spec:\n      containers:\n      - name: b\n"
		      "        image: b:2\n      - name: c\n        image: c:1\n",
		      &rc),
		  "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n"
		  "    spec:\n      containers:\n      - image: b:2\n        name: b\n"
		  "      - image: c:1\n        name: c\n      - image: a:1\n"
		  "        name: a\n");
	CHECK_STR(smp(a, dep,
		      "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n"
		      "    spec:\n      containers:\n      - name: a\n"
		      "        $patch: delete\n",
		      &rc),
		  "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n"
		  "    spec:\n      containers:\n      - image: b:1\n        name: b\n");
	CHECK_STR(smp(a, dep,
		      "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n"
		      "    spec:\n      containers:\n      - $patch: replace\n"
		      "      - name: z\n        image: z:1\n",
		      &rc),
		  "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n"
		  "    spec:\n      containers:\n      - image: z:1\n        name: z\n");
	rg_arena_free(a);
}

TEST(smp_lists_without_keys_are_replaced)
{
	struct rg_arena *a = rg_arena_new();
	int rc;

	/* args has no merge key */
	CHECK_STR(smp(a,
		      "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n"
		      "    args: [x, y]\n",
		      "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n"
		      "    args: [z]\n",
		      &rc),
		  "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - args:\n"
		  "    - z\n    name: a\n");
	/* a custom resource's list of named elements: replaced, as kubectl
	   kustomize v5.5.0 does */
	CHECK_STR(smp(a, "apiVersion: x.io/v1\nkind: W\nl:\n- name: a\n- name: b\n",
		      "apiVersion: x.io/v1\nkind: W\nl:\n- name: b\n  v: 1\n", &rc),
		  "apiVersion: x.io/v1\nkind: W\nl:\n- name: b\n  v: 1\n");
	rg_arena_free(a);
}

TEST(smp_primitive_list_directives)
{
	struct rg_arena *a = rg_arena_new();
	int rc;

	CHECK_STR(smp(a, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
			 "  finalizers: [a, b]\n",
		      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
		      "  finalizers: [c, a]\n",
		      &rc),
		  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  finalizers:\n"
		  "  - c\n  - a\n  - b\n");
	/* not a directive for kyaml: kept as a field, as kubectl does */
	CHECK_STR(smp(a, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
			 "  finalizers: [a, b]\n",
		      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
		      "  $deleteFromPrimitiveList/finalizers: [b]\n",
		      &rc),
		  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
		  "  $deleteFromPrimitiveList/finalizers:\n  - b\n  finalizers:\n"
		  "  - a\n  - b\n");
	rg_arena_free(a);
}

TEST(smp_rejects_non_map_patch)
{
	struct rg_arena *a = rg_arena_new();
	int rc;

	smp(a, "kind: X\n", "- a\n", &rc);
	CHECK_INT(rc, RG_EINVALID);
	rg_arena_free(a);
}

static const char *j6902(struct rg_arena *a, const char *doc, const char *ops,
			 int *rc)
{
	struct rg_node *d = yaml(a, doc);
	struct rg_err err = RG_ERR_INIT;

	*rc = rg_kust_json6902(&d, a, yaml(a, ops), &err);
	return *rc ? rg_arena_strdup(a, err.msg) : emit(a, d);
}

TEST(json6902_operations)
{
	struct rg_arena *a = rg_arena_new();
	int rc;

	CHECK_STR(j6902(a, "a:\n  b/c: 1\n  t~x: 2\nl: [1, 2]\n",
			"- {op: replace, path: /a/b~1c, value: 10}\n"
			"- {op: remove, path: /a/t~0x}\n"
			"- {op: add, path: /l/1, value: 9}\n"
			"- {op: add, path: /l/-, value: 3}\n"
			"- {op: copy, from: /l/0, path: /c}\n"
			"- {op: move, from: /a, path: /m}\n"
			"- {op: test, path: /m/b~1c, value: 10}\n",
			&rc),
		  "c: 1\nl:\n- 1\n- 9\n- 2\n- 3\nm:\n  b/c: 10\n");
	CHECK_INT(rc, 0);
	CHECK_STR(j6902(a, "a: 1\n", "- {op: add, path: '', value: {b: 2}}\n", &rc),
		  "b: 2\n");
	rg_arena_free(a);
}

TEST(json6902_errors)
{
	struct rg_arena *a = rg_arena_new();
	int rc;

	CHECK_STR(j6902(a, "a: 1\n", "- {op: test, path: /a, value: 2}\n", &rc),
		  "JSON patch test at \"/a\" failed");
	CHECK_INT(rc, RG_EINVALID);
	CHECK_STR(j6902(a, "a: 1\n", "- {op: replace, path: /b, value: 2}\n", &rc),
		  "JSON patch: path \"/b\" does not exist");
	CHECK_STR(j6902(a, "l: [1]\n", "- {op: add, path: /l/5, value: 2}\n", &rc),
		  "JSON patch: path \"/l/5\" does not exist");
	CHECK_STR(j6902(a, "a: 1\n", "- {op: frob, path: /a}\n", &rc),
		  "JSON patch operation 0: unknown op \"frob\"");
	CHECK_STR(j6902(a, "a: 1\n", "- {op: add, path: a, value: 1}\n", &rc),
		  "JSON pointer \"a\" must start with '/'");
	CHECK_STR(j6902(a, "a: 1\n", "a: 1\n", &rc),
		  "a JSON patch must be a list of operations");
	rg_arena_free(a);
}

static struct rg_tree *tree(struct rg_arena *a, const char *const *files)
{
	struct rg_tree *t = rg_tree_mem_new(a, "test");

	for (size_t i = 0; files[i]; i += 2)
		rg_tree_mem_put(t, files[i], files[i + 1], strlen(files[i + 1]),
				RG_TREE_FILE);
	return t;
}

static const char *build(struct rg_arena *a, const char *const *files,
			 const char *dir, int *rc)
{
	struct rg_tree *t = tree(a, files);
	struct rg_kust_result res;
	struct rg_err err = RG_ERR_INIT;
	struct rg_buf b = RG_BUF_INIT(1u << 20);
	const char *s;

	*rc = rg_kust_build(&res, a, t, dir, 0, &err);
	if (*rc) {
		char msg[2048];

		rg_err_format(&err, msg, sizeof(msg));
		s = rg_arena_strdup(a, msg);
	} else {
		rg_kust_emit(&b, &res);
		s = rg_arena_strndup(a, b.ptr, b.len);
	}
	rg_buf_release(&b);
	rg_tree_free(t);
	return s;
}

TEST(build_records_reads_and_detects)
{
	struct rg_arena *a = rg_arena_new();
	static const char *const files[] = {
		"app/kustomization.yaml", "resources: [cm.yaml]\n",
		"app/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
		NULL
	};
	struct rg_tree *t = tree(a, files);
	struct rg_kust_result res;
	struct rg_err err = RG_ERR_INIT;
	bool saw_cm = false;

	CHECK(rg_kust_detect(t, "app"));
	CHECK(!rg_kust_detect(t, ""));
	CHECK_INT(rg_kust_build(&res, a, t, "app", 0, &err), 0);
	CHECK_INT(res.len, 1);
	for (size_t i = 0; i < t->ndeps; i++)
		if (!strcmp(t->deps[i].path, "app/cm.yaml"))
			saw_cm = true;
	CHECK(saw_cm);
	rg_tree_free(t);
	rg_arena_free(a);
}

TEST(build_errors)
{
	struct rg_arena *a = rg_arena_new();
	static const char *const none[] = { "x/a.yaml", "a: 1\n", NULL };
	static const char *const bad_yaml[] = {
		"kustomization.yaml", "resources: [a.yaml]\n",
		"a.yaml", "apiVersion: v1\nkind: [\n", NULL
	};
	static const char *const json_no_target[] = {
		"kustomization.yaml",
		"resources: [a.yaml]\npatches:\n- patch: '[{\"op\": \"remove\", "
		"\"path\": \"/data\"}]'\n",
		"a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
		NULL
	};
	static const char *const gen_merge_missing[] = {
		"kustomization.yaml",
		"configMapGenerator:\n- name: x\n  behavior: merge\n  literals: [a=b]\n",
		NULL
	};
	static const char *const symlinked[] = {
		"kustomization.yaml", "resources: [a.yaml]\n", NULL
	};
	struct rg_tree *t;
	struct rg_kust_result res;
	struct rg_err err = RG_ERR_INIT;
	int rc;

	CHECK_STR(build(a, none, "x", &rc),
		  "unable to find one of 'kustomization.yaml', "
		  "'kustomization.yml' or 'Kustomization' in directory 'x'");
	CHECK_INT(rc, RG_ENOTFOUND);
	build(a, bad_yaml, "", &rc);
	CHECK_INT(rc, RG_EPARSE);
	CHECK_STR(build(a, json_no_target, "", &rc),
		  "kustomization.yaml:3:3: must specify a target for JSON patch");
	CHECK_STR(build(a, gen_merge_missing, "", &rc),
		  "kustomization.yaml:2:3: ConfigMap x does not exist; cannot "
		  "merge or replace");
	/* a symlink is never followed */
	t = tree(a, symlinked);
	rg_tree_mem_put(t, "a.yaml", "/etc/passwd", 11, RG_TREE_SYMLINK);
	rc = rg_kust_build(&res, a, t, "", 0, &err);
	CHECK(rc == RG_EUNSAFE || rc == RG_EINVALID);
	rg_tree_free(t);
	rg_arena_free(a);
}

TEST(build_fifo_keeps_accumulation_order)
{
	struct rg_arena *a = rg_arena_new();
	static const char *const files[] = {
		"kustomization.yaml", "resources: [a.yaml]\n",
		"a.yaml",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n---\n"
		"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n",
		NULL
	};
	struct rg_tree *t = tree(a, files);
	struct rg_kust_result res;
	struct rg_err err = RG_ERR_INIT;

	CHECK_INT(rg_kust_build(&res, a, t, "", RG_KUST_FIFO, &err), 0);
	CHECK_STR(rg_node_cstr(rg_map_gets(res.objs[0], "kind")), "Deployment");
	CHECK_INT(rg_kust_build(&res, a, t, "", 0, &err), 0);
	CHECK_STR(rg_node_cstr(rg_map_gets(res.objs[0], "kind")), "Namespace");
	rg_tree_free(t);
	rg_arena_free(a);
}
