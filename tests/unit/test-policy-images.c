/* Image references and image extraction from pod-bearing objects. */
#include "test.h"
#include "rendergate/arena.h"
#include "rendergate/doc.h"
#include "rendergate/policy-images.h"

static struct rg_images_ref ref;
static struct rg_err err;

static int parse(struct rg_arena *a, const char *s)
{
	rg_err_init(&err);
	memset(&ref, 0, sizeof(ref));
	return rg_images_parse_ref(&ref, a, s, strlen(s), &err);
}

TEST(ref_docker_hub_short)
{
	struct rg_arena *a = rg_arena_new();

	CHECK_INT(parse(a, "nginx"), 0);
	CHECK_STR(ref.registry, "docker.io");
	CHECK_STR(ref.path, "library/nginx");
	CHECK(ref.tag == NULL);
	CHECK(ref.digest == NULL);
	CHECK_STR(ref.normalized, "docker.io/library/nginx");
	CHECK_INT(parse(a, "bitnami/redis:7.2"), 0);
	CHECK_STR(ref.normalized, "docker.io/bitnami/redis:7.2");
	CHECK_INT(parse(a, "index.docker.io/nginx:1.25"), 0);
	CHECK_STR(ref.normalized, "docker.io/library/nginx:1.25");
	rg_arena_free(a);
}

TEST(ref_registry_port_tag_digest)
{
	struct rg_arena *a = rg_arena_new();
	const char *d = "sha256:"
			"0123456789abcdef0123456789abcdef"
			"0123456789abcdef0123456789abcdef";
	char buf[256];

	CHECK_INT(parse(a, "registry.example.com:5000/team/app:v1.2.3"), 0);
	CHECK_STR(ref.registry, "registry.example.com:5000");
	CHECK_STR(ref.path, "team/app");
	CHECK_STR(ref.tag, "v1.2.3");
	CHECK_STR(ref.name, "registry.example.com:5000/team/app");
	snprintf(buf, sizeof(buf), "ghcr.io/org/app:1.0@%s", d);
	CHECK_INT(parse(a, buf), 0);
	CHECK_STR(ref.tag, "1.0");
	CHECK_STR(ref.digest, d);
	CHECK_STR(ref.normalized, buf);
	snprintf(buf, sizeof(buf), "localhost/app@%s", d);
	CHECK_INT(parse(a, buf), 0);
	CHECK_STR(ref.registry, "localhost");
	CHECK(ref.tag == NULL);
	CHECK_INT(parse(a, "localhost:5000/app"), 0);
	CHECK_STR(ref.registry, "localhost:5000");
	/* an upper-case first component is a host */
	CHECK_INT(parse(a, "MyRegistry/app:1"), 0);
	CHECK_STR(ref.registry, "MyRegistry");
	rg_arena_free(a);
}

TEST(ref_invalid)
{
	struct rg_arena *a = rg_arena_new();

	CHECK_INT(parse(a, ""), RG_EINVALID);
	CHECK_INT(parse(a, "Nginx"), RG_EINVALID);
	CHECK(strstr(err.msg, "must be lower-case") != NULL);
	CHECK_INT(parse(a, "nginx:"), RG_EINVALID);
	CHECK_INT(parse(a, "nginx:-bad"), RG_EINVALID);
	CHECK_INT(parse(a, "nginx@sha256:abc"), RG_EINVALID);
	CHECK(strstr(err.msg, "digest") != NULL);
	CHECK_INT(parse(a, "a//b"), RG_EINVALID);
	CHECK_INT(parse(a, "app/"), RG_EINVALID);
	CHECK_INT(parse(a, "reg.io:x/app"), RG_EINVALID);
	CHECK_INT(parse(a, "-reg.io/app"), RG_EINVALID);
	CHECK_INT(parse(a, "app name"), RG_EINVALID);
	CHECK_INT(parse(a, "a__b--c/e_f.g:1"), 0);
	CHECK_STR(ref.normalized, "docker.io/a__b--c/e_f.g:1");
	CHECK_INT(parse(a, "a___b"), RG_EINVALID);
	rg_arena_free(a);
}

static struct rg_node *yaml(struct rg_arena *a, const char *s)
{
	struct rg_node *n = NULL;
	struct rg_err e = RG_ERR_INIT;

	if (rg_doc_parse_one(&n, a, "obj.yaml", s, strlen(s), 0, &e) < 0)
		fprintf(stderr, "yaml: %s\n", e.msg);
	return n;
}

struct seen {
	char text[2048];
	struct rg_arena *a;
};

static int collect(void *ctx, const struct rg_images_use *u)
{
	struct seen *s = ctx;
	size_t n = strlen(s->text);

	snprintf(s->text + n, sizeof(s->text) - n, "%s=%s(%s)@%u;",
		 rg_images_use_path(u, s->a),
		 rg_node_cstr(u->node) ? rg_node_cstr(u->node) : "?",
		 u->container ? u->container : "-", u->node->pos.line);
	return 0;
}

TEST(images_from_every_pod_bearing_kind)
{
	struct rg_arena *a = rg_arena_new();
	static const struct {
		const char *doc;
		const char *want;
	} cases[] = {
		{ "kind: Pod\nspec:\n  containers:\n  - name: a\n    image: x:1\n",
		  "spec.containers[0].image=x:1(a)@5;" },
		{ "kind: Deployment\nspec:\n  template:\n    spec:\n"
		  "      initContainers:\n      - {name: i, image: 'i:1'}\n"
		  "      containers:\n      - {name: c, image: 'c:1'}\n"
		  "      ephemeralContainers:\n      - {name: e, image: 'e:1'}\n",
		  "spec.template.spec.containers[0].image=c:1(c)@8;"
		  "spec.template.spec.initContainers[0].image=i:1(i)@6;"
		  "spec.template.spec.ephemeralContainers[0].image=e:1(e)@10;" },
		{ "kind: StatefulSet\nspec: {template: {spec: {containers: "
		  "[{name: s, image: 's:1'}]}}}\n",
		  "spec.template.spec.containers[0].image=s:1(s)@2;" },
		{ "kind: DaemonSet\nspec: {template: {spec: {containers: "
		  "[{image: 'd:1'}]}}}\n",
		  "spec.template.spec.containers[0].image=d:1(-)@2;" },
		{ "kind: ReplicaSet\nspec: {template: {spec: {containers: "
		  "[{image: 'r:1'}]}}}\n",
		  "spec.template.spec.containers[0].image=r:1(-)@2;" },
		{ "kind: ReplicationController\nspec: {template: {spec: "
		  "{containers: [{image: 'rc:1'}]}}}\n",
		  "spec.template.spec.containers[0].image=rc:1(-)@2;" },
		{ "kind: Job\nspec: {template: {spec: {containers: "
		  "[{image: 'j:1'}, {name: nox}]}}}\n",
		  "spec.template.spec.containers[0].image=j:1(-)@2;" },
		{ "kind: CronJob\nspec:\n  jobTemplate:\n    spec:\n"
		  "      template:\n        spec:\n          containers:\n"
		  "          - image: cj:1\n",
		  "spec.jobTemplate.spec.template.spec.containers[0].image="
		  "cj:1(-)@8;" },
		{ "kind: ConfigMap\ndata: {image: 'no:1'}\n", "" },
		{ "kind: Deployment\nspec: {template: {spec: 3}}\n", "" },
	};

	for (size_t i = 0; i < RG_ARRAY_SIZE(cases); i++) {
		struct rg_node *obj = yaml(a, cases[i].doc);
		struct rg_rules_pod pod;
		struct seen s = { "", a };
		struct rg_err e = RG_ERR_INIT;

		CHECK(obj != NULL);
		rg_images_pod_view(&pod, obj, NULL, 0, a);
		CHECK_INT(rg_images_each(obj, &pod, NULL, 0, collect, &s, &e),
			  0);
		CHECK_STR(s.text, cases[i].want);
	}
	rg_arena_free(a);
}

TEST(images_custom_resources)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_images_custom cu[2];
	struct rg_rules_path img;
	struct rg_node *obj = yaml(
		a, "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\n"
		   "spec:\n  template:\n    metadata: {labels: {a: b}}\n"
		   "    spec:\n      containers: [{name: r, image: 'ro:1'}]\n"
		   "  extra:\n  - ref: x1:1\n  - ref: x2:2\n");
	struct rg_rules_pod pod;
	struct seen s = { "", a };
	struct rg_err e = RG_ERR_INIT;

	memset(cu, 0, sizeof(cu));
	CHECK_INT(rg_rules_path_parse(&cu[0].pod_spec, a, "spec.template.spec",
				      &e),
		  0);
	CHECK_INT(rg_rules_path_parse(&img, a, "spec.extra[*].ref", &e), 0);
	cu[0].kind = "Rollout";
	cu[0].api_version = "argoproj.io/v1alpha1";
	cu[0].images = &img;
	cu[0].nimages = 1;
	cu[1].kind = "Rollout";
	cu[1].api_version = "other/v1";
	cu[1].images = &img;
	cu[1].nimages = 1;
	rg_images_pod_view(&pod, obj, cu, 2, a);
	CHECK(pod.spec != NULL);
	CHECK(pod.meta != NULL);
	CHECK_STR(pod.meta_path, "spec.template.metadata");
	CHECK_INT(rg_images_each(obj, &pod, cu, 2, collect, &s, &e), 0);
	CHECK_STR(s.text, "spec.template.spec.containers[0].image=ro:1(r)@7;"
			  "spec.extra[0].ref=x1:1(-)@9;"
			  "spec.extra[1].ref=x2:2(-)@10;");
	rg_arena_free(a);
}
