#include "test.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/diff.h"
#include "rendergate/doc.h"
#include "rendergate/finding.h"
#include "rendergate/objects.h"

#include <time.h>

/* Parse a multi-document stream into an objset. */
static void load(struct rg_objset *s, struct rg_arena *a, const char *yaml)
{
	struct rg_docs docs = { NULL, 0, 0 };
	struct rg_err err = RG_ERR_INIT;
	struct rg_findings f;

	rg_objset_init(s, a);
	rg_finding_init(&f, a);
	if (rg_doc_parse(&docs, a, "t.yaml", yaml, strlen(yaml), 0, &err) < 0)
		RG_BUG("bad test yaml: %s", err.msg);
	for (size_t i = 0; i < docs.len; i++)
		if (rg_objset_add_doc(NULL, s, docs.docs[i], &f, "t", NULL,
				      &err) < 0)
			RG_BUG("bad test object");
}

static const struct rg_diff_obj *find(const struct rg_diff *d, const char *key)
{
	for (size_t i = 0; i < d->len; i++)
		if (!strcmp(d->objs[i].key, key))
			return &d->objs[i];
	return NULL;
}

static bool has_field(const struct rg_diff_obj *o, const char *path,
		      enum rg_diff_status c)
{
	for (size_t i = 0; i < o->nfields; i++)
		if (!strcmp(o->fields[i].path, path) && o->fields[i].change == c)
			return true;
	return false;
}

#define DEPLOY(image, replicas)                                               \
	"apiVersion: apps/v1\nkind: Deployment\n"                             \
	"metadata:\n  name: web\n  namespace: prod\n"                         \
	"  annotations: {example.com/owner: team-a}\n"                        \
	"spec:\n  replicas: " replicas "\n  template:\n    spec:\n"           \
	"      containers:\n      - name: web\n        image: " image "\n"

TEST(pairs_objects_and_counts)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_objset o, n;
	struct rg_diff *d = NULL;

	load(&o, a,
	     DEPLOY("web:1", "2") "---\n"
	     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: same}\n"
	     "data: {a: b}\n---\n"
	     "apiVersion: v1\nkind: Service\nmetadata: {name: gone}\n");
	load(&n, a,
	     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: new}\n---\n"
	     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: same}\n"
	     "data: {a: b}\n---\n" DEPLOY("web:2", "3"));
	CHECK_INT(rg_diff_objsets(&d, &o, &n, "prod", a, &err), 0);
	CHECK_INT(d->len, 4);
	CHECK_INT(d->nadded, 1);
	CHECK_INT(d->nremoved, 1);
	CHECK_INT(d->nchanged, 1);
	CHECK_INT(d->nunchanged, 1);
	CHECK(rg_diff_has_changes(d));
	CHECK_STR(d->env, "prod");
	/* sorted by key */
	CHECK_STR(d->objs[0].key, "/ConfigMap//new");
	CHECK_STR(d->objs[1].key, "/ConfigMap//same");
	CHECK_STR(d->objs[2].key, "/Service//gone");
	CHECK_STR(d->objs[3].key, "apps/Deployment/prod/web");
	CHECK_INT(d->objs[0].status, RG_DIFF_ADDED);
	CHECK(d->objs[0].old == NULL && d->objs[0].new != NULL);
	CHECK_STR(d->objs[0].unified,
		  "--- /dev/null\n"
		  "+++ b/ConfigMap/new\n"
		  "@@ -0,0 +1,4 @@\n"
		  "+apiVersion: v1\n"
		  "+kind: ConfigMap\n"
		  "+metadata:\n"
		  "+  name: new\n");
	CHECK_INT(d->objs[0].lines_added, 4);
	CHECK_INT(d->objs[1].status, RG_DIFF_UNCHANGED);
	CHECK_STR(d->objs[1].unified, "");
	CHECK_INT(d->objs[2].status, RG_DIFF_REMOVED);
	CHECK(strncmp(d->objs[2].unified, "--- a/Service/gone\n+++ /dev/null\n"
					  "@@ -1,4 +0,0 @@\n-apiVersion",
		      55) == 0);
	CHECK_STR(rg_diff_status_name(RG_DIFF_CHANGED), "changed");
	CHECK_STR(d->objs[3].label, "Deployment prod/web");

	/* no old render at all */
	CHECK_INT(rg_diff_objsets(&d, NULL, &n, NULL, a, &err), 0);
	CHECK_INT(d->nadded, 3);
	CHECK_INT(rg_diff_objsets(&d, &n, &n, NULL, a, &err), 0);
	CHECK(!rg_diff_has_changes(d));
	rg_arena_free(a);
}

TEST(changed_fields_and_unified_text)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_objset o, n;
	struct rg_diff *d = NULL;
	const struct rg_diff_obj *x;

	load(&o, a, DEPLOY("web:1", "2"));
	load(&n, a, DEPLOY("web:2", "3"));
	CHECK_INT(rg_diff_objsets(&d, &o, &n, "prod", a, &err), 0);
	x = find(d, "apps/Deployment/prod/web");
	CHECK_INT(x->status, RG_DIFF_CHANGED);
	CHECK_INT(x->nfields, 2);
	CHECK_STR(x->fields[0].path, "spec.replicas");
	CHECK_INT(x->fields[0].change, RG_DIFF_CHANGED);
	CHECK_STR(x->fields[1].path, "spec.template.spec.containers[0].image");
	CHECK(!x->masked);
	CHECK(!x->replaced);
	CHECK_STR(x->unified,
		  "--- a/apps/Deployment/prod/web\n"
		  "+++ b/apps/Deployment/prod/web\n"
		  "@@ -6,9 +6,9 @@\n"
		  "   name: web\n"
		  "   namespace: prod\n"
		  " spec:\n"
		  "-  replicas: 2\n"
		  "+  replicas: 3\n"
		  "   template:\n"
		  "     spec:\n"
		  "       containers:\n"
		  "-      - image: web:1\n"
		  "+      - image: web:2\n"
		  "         name: web\n");
	CHECK_INT(x->lines_added, 2);
	CHECK_INT(x->lines_removed, 2);
	CHECK_INT(x->old_lines, 14);
	rg_arena_free(a);
}

TEST(field_paths_quote_keys_and_index_lists)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_objset o, n;
	struct rg_diff *d = NULL;
	const struct rg_diff_obj *x;

	load(&o, a,
	     "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n"
	     "  annotations: {a.b/c: x, keep: y, gone: z}\n"
	     "  labels: {\"we\\\"ird\": 1}\n"
	     "spec:\n  args: [a, b, c]\n  ports: [{port: 80}]\n");
	load(&n, a,
	     "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n"
	     "  annotations: {a.b/c: x2, keep: y, new: w}\n"
	     "  labels: {\"we\\\"ird\": 2}\n"
	     "spec:\n  args: [a, B]\n  ports: [{port: 80}, {port: 443}]\n"
	     "  hostNetwork: true\n");
	CHECK_INT(rg_diff_objsets(&d, &o, &n, NULL, a, &err), 0);
	x = find(d, "/Pod//p");
	CHECK(x != NULL);
	CHECK(has_field(x, "metadata.annotations[\"a.b/c\"]", RG_DIFF_CHANGED));
	CHECK(has_field(x, "metadata.annotations.gone", RG_DIFF_REMOVED));
	CHECK(has_field(x, "metadata.annotations.new", RG_DIFF_ADDED));
	CHECK(has_field(x, "metadata.labels[\"we\\\"ird\"]", RG_DIFF_CHANGED));
	CHECK(has_field(x, "spec.args[1]", RG_DIFF_CHANGED));
	CHECK(has_field(x, "spec.args[2]", RG_DIFF_REMOVED));
	CHECK(has_field(x, "spec.ports[1]", RG_DIFF_ADDED));
	CHECK(has_field(x, "spec.hostNetwork", RG_DIFF_ADDED));
	CHECK_INT(x->nfields, 8);
	rg_arena_free(a);
}

TEST(secret_values_are_never_shown)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_objset o, n;
	struct rg_diff *d = NULL;
	const struct rg_diff_obj *x;

	/* "hunter2hunter" is 13 bytes; base64 of 12 and 16 bytes */
	load(&o, a,
	     "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n"
	     "  annotations:\n"
	     "    kubectl.kubernetes.io/last-applied-configuration: "
	     "'{\"data\":{\"password\":\"c2VjcmV0c2VjcmV0\"}}'\n"
	     "data:\n  password: c2VjcmV0c2VjcmV0\n  user: YWRtaW4=\n"
	     "  old: b2xkb2xk\n"
	     "stringData:\n  token: hunter2hunter\n  same: unchanged-value\n");
	load(&n, a,
	     "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n"
	     "  annotations:\n"
	     "    kubectl.kubernetes.io/last-applied-configuration: "
	     "'{\"data\":{\"password\":\"bmV3c2VjcmV0bmV3c2VjcmV0\"}}'\n"
	     "data:\n  password: bmV3c2VjcmV0bmV3c2VjcmV0\n  user: YWRtaW4=\n"
	     "  added: YWJj\n"
	     "stringData:\n  token: hunter3hunter\n  same: unchanged-value\n");
	CHECK_INT(rg_diff_objsets(&d, &o, &n, NULL, a, &err), 0);
	x = find(d, "/Secret//db");
	CHECK_INT(x->status, RG_DIFF_CHANGED);
	CHECK(x->masked);
	CHECK_INT(x->nfields, 5);
	CHECK_STR(x->fields[0].path,
		  "metadata.annotations[\"kubectl.kubernetes.io/"
		  "last-applied-configuration\"]");
	CHECK_STR(x->fields[1].path, "data.password");
	CHECK_STR(x->fields[1].note, "changed (12 bytes -> 18 bytes)");
	CHECK_STR(x->fields[2].path, "data.old");
	CHECK_STR(x->fields[2].note, "removed (6 bytes)");
	CHECK_STR(x->fields[3].path, "data.added");
	CHECK_STR(x->fields[3].note, "added (3 bytes)");
	CHECK_STR(x->fields[4].path, "stringData.token");
	CHECK_STR(x->fields[4].note, "changed (13 bytes -> 13 bytes)");
	/* no value, old or new, appears anywhere in the unified diff */
	CHECK(strstr(x->unified, "c2VjcmV0") == NULL);
	CHECK(strstr(x->unified, "bmV3c2Vj") == NULL);
	CHECK(strstr(x->unified, "hunter") == NULL);
	CHECK(strstr(x->unified, "YWRtaW4") == NULL);
	CHECK(strstr(x->unified, "YWJj") == NULL);
	CHECK(strstr(x->unified, "unchanged-value") == NULL);
	CHECK(strstr(x->unified, "b2xk") == NULL);
	/* but the changed keys show as changed lines, same length or not */
	CHECK(strstr(x->unified, "-  token: '<secret: 13 bytes, old value>'\n"
				 "+  token: '<secret: 13 bytes, new value>'\n") !=
	      NULL);
	CHECK(strstr(x->unified, "   same: '<secret: 15 bytes>'\n") != NULL);
	CHECK(strstr(x->unified, "+  added: '<secret: 3 bytes>'\n") != NULL);
	CHECK(strstr(x->unified, "-  old: '<secret: 6 bytes>'\n") != NULL);
	/* a new Secret is masked too */
	CHECK_INT(rg_diff_objsets(&d, NULL, &n, NULL, a, &err), 0);
	CHECK(strstr(d->objs[0].unified, "hunter") == NULL);
	CHECK(strstr(d->objs[0].unified, "YWJj") == NULL);
	CHECK(d->objs[0].masked);
	rg_arena_free(a);
}

TEST(credential_like_configmap_keys_are_masked)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_objset o, n;
	struct rg_diff *d = NULL;
	const struct rg_diff_obj *x;

	load(&o, a,
	     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
	     "data: {DB_PASSWORD: pw1, log_level: debug}\n");
	load(&n, a,
	     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
	     "data: {DB_PASSWORD: pw22, log_level: info}\n");
	CHECK_INT(rg_diff_objsets(&d, &o, &n, NULL, a, &err), 0);
	x = find(d, "/ConfigMap//c");
	CHECK(x->masked);
	CHECK_INT(x->nfields, 2);
	CHECK_STR(x->fields[0].path, "data.DB_PASSWORD");
	CHECK_STR(x->fields[0].note, "changed (3 bytes -> 4 bytes)");
	CHECK_STR(x->fields[1].path, "data.log_level");
	CHECK(x->fields[1].note == NULL);
	CHECK(strstr(x->unified, "pw1") == NULL);
	CHECK(strstr(x->unified, "pw22") == NULL);
	CHECK(strstr(x->unified, "+  log_level: info\n") != NULL);
	rg_arena_free(a);
}

/* Apply a unified diff to a and compare with b (checks hunk headers). */
static bool patch_gives(const char *a, const char *diff, const char *b)
{
	struct rg_buf out = RG_BUF_INIT(1 << 24);
	const char *lines[4096];
	size_t na = 0, pos = 0;
	const char *p = a, *d = diff;
	bool ok = true;

	while (*p) {
		lines[na++] = p;
		p = strchr(p, '\n') + 1;
	}
	d = strchr(d, '\n') + 1; /* --- */
	d = strchr(d, '\n') + 1; /* +++ */
	while (*d && ok) {
		unsigned long as, ac = 1, bs, bc = 1;
		char *end;

		if (strncmp(d, "@@ -", 4))
			return false;
		as = strtoul(d + 4, &end, 10);
		if (*end == ',')
			ac = strtoul(end + 1, &end, 10);
		bs = strtoul(end + 2, &end, 10);
		if (*end == ',')
			bc = strtoul(end + 1, &end, 10);
		(void)bs;
		(void)bc;
		if (ac == 0)
			as++;
		while (pos + 1 < as) {
			const char *e = strchr(lines[pos], '\n');

			rg_buf_add(&out, lines[pos], (size_t)(e - lines[pos] + 1));
			pos++;
		}
		d = strchr(d, '\n') + 1;
		while (*d && *d != '@') {
			const char *e = strchr(d, '\n');

			if (*d == ' ' || *d == '-') {
				if (pos >= na ||
				    strncmp(lines[pos], d + 1, (size_t)(e - d)))
					ok = false;
				pos++;
			}
			if (*d == ' ' || *d == '+')
				rg_buf_add(&out, d + 1, (size_t)(e - d));
			d = e + 1;
		}
	}
	while (pos < na) {
		const char *e = strchr(lines[pos], '\n');

		rg_buf_add(&out, lines[pos], (size_t)(e - lines[pos] + 1));
		pos++;
	}
	ok = ok && !strcmp(out.ptr, b);
	rg_buf_release(&out);
	return ok;
}

TEST(text_diff_hunks)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	const char *out = NULL;
	size_t len = 0, add = 0, del = 0;
	bool rep = true;
	const char *x = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n";
	const char *y = "1\n2\nthree\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n";

	CHECK_INT(rg_diff_text(&out, &len, &rep, &add, &del, x, strlen(x), y,
			       strlen(y), "a/x", "b/x", a, &err), 0);
	CHECK(!rep);
	CHECK_STR(out, "--- a/x\n+++ b/x\n"
		       "@@ -1,6 +1,6 @@\n 1\n 2\n-3\n+three\n 4\n 5\n 6\n"
		       "@@ -13,4 +13,3 @@\n 13\n 14\n 15\n-16\n");
	CHECK_INT(len, strlen(out));
	CHECK_INT(add, 1);
	CHECK_INT(del, 2);
	CHECK(patch_gives(x, out, y));
	/* equal texts, and a missing final newline */
	CHECK_INT(rg_diff_text(&out, &len, &rep, &add, &del, x, strlen(x), x,
			       strlen(x), "a", "b", a, &err), 0);
	CHECK_STR(out, "");
	CHECK_INT(rg_diff_text(&out, &len, &rep, NULL, NULL, "a\nb", 3,
			       "a\nc\n", 4, "a", "b", a, &err), 0);
	CHECK_STR(out, "--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n");
	/* close changes share one hunk */
	CHECK_INT(rg_diff_text(&out, &len, &rep, NULL, NULL, x, strlen(x),
			       "1\nX\n3\n4\n5\n6\n7\n8\nY\n10\n11\n12\n13\n14\n"
			       "15\n16\n", strlen(x), "a", "b", a, &err), 0);
	CHECK(strstr(out, "@@ -1,12 +1,12 @@\n") != NULL);
	CHECK(strstr(out + 10, "@@") == strstr(out, "@@ -1,12"));
	rg_arena_free(a);
}

TEST(text_diff_random_edits_round_trip)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	unsigned seed = 12345;

	for (int round = 0; round < 300; round++) {
		struct rg_buf x = RG_BUF_INIT(1 << 20), y = RG_BUF_INIT(1 << 20);
		size_t nx, ny, len = 0, add = 0, del = 0;
		const char *out = NULL;
		bool rep = false;

		seed = seed * 1103515245 + 12345;
		nx = (seed >> 16) % 40;
		for (size_t i = 0; i < nx; i++) {
			seed = seed * 1103515245 + 12345;
			rg_buf_addf(&x, "l%u\n", (seed >> 16) % 6);
		}
		seed = seed * 1103515245 + 12345;
		ny = (seed >> 16) % 40;
		for (size_t i = 0; i < ny; i++) {
			seed = seed * 1103515245 + 12345;
			rg_buf_addf(&y, "l%u\n", (seed >> 16) % 6);
		}
		CHECK_INT(rg_diff_text(&out, &len, &rep, &add, &del, x.ptr,
				       x.len, y.ptr, y.len, "a", "b", a, &err),
			  0);
		CHECK(!rep);
		if (strcmp(x.ptr, y.ptr)) {
			/* minimal: nx - lcs deletions, ny - lcs insertions */
			size_t lcs[41][41];
			const char *lx[40], *ly[40];
			size_t k = 0;

			for (const char *p = x.ptr; *p; p = strchr(p, '\n') + 1)
				lx[k++] = p;
			k = 0;
			for (const char *p = y.ptr; *p; p = strchr(p, '\n') + 1)
				ly[k++] = p;
			for (size_t i = 0; i <= nx; i++)
				for (size_t j = 0; j <= ny; j++) {
					if (!i || !j)
						lcs[i][j] = 0;
					else if (!strncmp(lx[i - 1], ly[j - 1],
							  3))
						lcs[i][j] = lcs[i - 1][j - 1] + 1;
					else
						lcs[i][j] = lcs[i - 1][j] >
								    lcs[i][j - 1] ?
								    lcs[i - 1][j] :
								    lcs[i][j - 1];
				}
			CHECK_INT(del, nx - lcs[nx][ny]);
			CHECK_INT(add, ny - lcs[nx][ny]);
			if (!patch_gives(x.ptr, out, y.ptr))
				FAILF("round %d: patch does not give b:\n%s---\n%s"
				      "---\n%s", round, x.ptr, y.ptr, out);
		} else {
			CHECK_STR(out, "");
		}
		rg_buf_release(&x);
		rg_buf_release(&y);
	}
	rg_arena_free(a);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

TEST(large_objects_stay_fast_and_capped)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_buf x = RG_BUF_INIT(1 << 26), y = RG_BUF_INIT(1 << 26);
	struct rg_objset o, n;
	struct rg_diff *d = NULL;
	const struct rg_diff_obj *obj;
	double t0;

	/* a 20,000-line ConfigMap with one value changed */
	rg_buf_adds(&x, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\n"
			"data:\n");
	rg_buf_adds(&y, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\n"
			"data:\n");
	for (int i = 0; i < 20000; i++) {
		rg_buf_addf(&x, "  k%05d: v%d\n", i, i);
		rg_buf_addf(&y, "  k%05d: v%d\n", i, i == 10000 ? -1 : i);
	}
	load(&o, a, x.ptr);
	load(&n, a, y.ptr);
	t0 = now();
	CHECK_INT(rg_diff_objsets(&d, &o, &n, NULL, a, &err), 0);
	obj = find(d, "/ConfigMap//big");
	CHECK(!obj->replaced);
	CHECK_INT(obj->nfields, 1);
	CHECK_STR(obj->fields[0].path, "data.k10000");
	CHECK_INT(obj->lines_added, 1);
	CHECK_INT(obj->lines_removed, 1);
	CHECK(strstr(obj->unified, "-  k10000: v10000\n+  k10000: v-1\n"));
	CHECK(now() - t0 < 2.0);

	/* every line different: too many edits, shown as replaced */
	rg_buf_reset(&y);
	rg_buf_adds(&y, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\n"
			"data:\n");
	for (int i = 0; i < 20000; i++)
		rg_buf_addf(&y, "  k%05d: w%d\n", i, i);
	load(&n, a, y.ptr);
	t0 = now();
	CHECK_INT(rg_diff_objsets(&d, &o, &n, NULL, a, &err), 0);
	obj = find(d, "/ConfigMap//big");
	CHECK(obj->replaced);
	CHECK_STR(obj->unified, "object replaced: 20005 lines -> 20005 lines "
				"(too large to diff line by line)\n");
	CHECK_INT(obj->lines_added, 20005);
	CHECK_INT(obj->nfields, RG_CAP_DIFF_FIELDS);
	CHECK_INT(obj->fields_dropped, 20000 - RG_CAP_DIFF_FIELDS);
	CHECK(now() - t0 < 3.0);

	/* a large added object is not subject to the edit cap */
	CHECK_INT(rg_diff_objsets(&d, NULL, &n, NULL, a, &err), 0);
	CHECK(!d->objs[0].replaced);
	CHECK_INT(d->objs[0].lines_added, 20005);
	rg_buf_release(&x);
	rg_buf_release(&y);
	rg_arena_free(a);
}

#define CHARTED(chart, sum, image)                                            \
	"apiVersion: apps/v1\nkind: Deployment\n"                             \
	"metadata:\n  name: api\n"                                            \
	"  labels: {helm.sh/chart: " chart ", app: api}\n"                    \
	"spec:\n  template:\n    metadata:\n"                                 \
	"      labels: {helm.sh/chart: " chart "}\n"                          \
	"      annotations: {checksum/config: " sum "}\n"                     \
	"    spec:\n      containers:\n      - image: " image "\n"

TEST(noise_rules_hide_and_disclose)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_objset o, n;
	struct rg_diff *d = NULL;
	const struct rg_diff_obj *x;

	load(&o, a, CHARTED("api-1.0.0", "aaa", "api:1") "---\n"
		    "apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n"
		    "  labels: {chart: api-1.0.0, app.kubernetes.io/version: "
		    "\"1.0\"}\n");
	load(&n, a, CHARTED("api-1.1.0", "bbb", "api:2") "---\n"
		    "apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n"
		    "  labels: {chart: api-1.1.0, app.kubernetes.io/version: "
		    "\"1.1\"}\n");
	CHECK_INT(rg_diff_objsets(&d, &o, &n, NULL, a, &err), 0);
	x = find(d, "apps/Deployment//api");
	CHECK_INT(x->status, RG_DIFF_CHANGED);
	CHECK_INT(x->nfields, 4);
	CHECK_STR(x->fields[0].path, "metadata.labels[\"helm.sh/chart\"]");
	CHECK_STR(x->fields[0].rule, "helm-chart-label");
	CHECK_STR(x->fields[1].path,
		  "spec.template.metadata.labels[\"helm.sh/chart\"]");
	CHECK_STR(x->fields[2].path,
		  "spec.template.metadata.annotations[\"checksum/config\"]");
	CHECK_STR(x->fields[2].rule, "checksum-annotation");
	CHECK_STR(x->fields[3].path, "spec.template.spec.containers[0].image");
	CHECK(x->fields[3].rule == NULL);
	CHECK(!x->noise_only);
	/* only the image shows; the rest is counted */
	CHECK(strstr(x->unified, "-  - image: api:1\n") != NULL ||
	      strstr(x->unified, "-      - image: api:1\n") != NULL);
	CHECK(strstr(x->unified, "api-1.1.0") == NULL);
	CHECK(strstr(x->unified, "bbb") == NULL);
	CHECK_INT(x->lines_added, 1);
	CHECK_INT(x->nhidden, 2);
	CHECK_STR(x->hidden[0].rule, "helm-chart-label");
	CHECK_INT(x->hidden[0].fields, 2);
	CHECK_INT(x->hidden[0].lines, 4);
	CHECK_STR(x->hidden[1].rule, "checksum-annotation");
	CHECK_INT(x->hidden[1].lines, 2);

	x = find(d, "/Service//api");
	CHECK_INT(x->status, RG_DIFF_CHANGED);
	CHECK(x->noise_only);
	CHECK_STR(x->unified, "");
	CHECK_INT(x->nhidden, 2);
	CHECK_STR(x->hidden[1].rule, "app-version-label");

	/* switched off, everything shows */
	CHECK_INT(rg_diff_objsets_flags(&d, &o, &n, NULL,
					RG_DIFF_NO_NOISE_RULES, a, &err), 0);
	x = find(d, "/Service//api");
	CHECK(!x->noise_only);
	CHECK(x->fields[0].rule == NULL);
	CHECK(strstr(x->unified, "+    chart: api-1.1.0\n") != NULL);
	CHECK_INT(x->nhidden, 0);
	rg_arena_free(a);
}

/* Mark the node at a dotted path volatile. */
static void mark_volatile(struct rg_objset *s, const char *path)
{
	struct rg_node *n = rg_node_path(s->items[0].doc, path);

	if (!n)
		RG_BUG("no %s", path);
	n->flags |= RG_NODE_VOLATILE;
}

TEST(volatile_values_compare_as_present)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_objset o, n;
	struct rg_diff *d = NULL;

	load(&o, a, "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"
		    "type: x\nspec: {token: abc, when: t1}\n");
	load(&n, a, "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"
		    "type: x\nspec: {token: xyz, when: t2}\n");
	mark_volatile(&o, "spec.token");
	mark_volatile(&n, "spec.token");
	CHECK_INT(rg_diff_objsets(&d, &o, &n, NULL, a, &err), 0);
	CHECK_INT(d->objs[0].status, RG_DIFF_CHANGED);
	CHECK_INT(d->objs[0].nfields, 1);
	CHECK_STR(d->objs[0].fields[0].path, "spec.when");
	CHECK(strstr(d->objs[0].unified, "xyz") == NULL);
	CHECK(strstr(d->objs[0].unified, "+  when: t2\n") != NULL);
	CHECK_INT(d->objs[0].nhidden, 1);
	CHECK_STR(d->objs[0].hidden[0].rule, "volatile");
	CHECK_INT(d->objs[0].hidden[0].lines, 2);

	mark_volatile(&o, "spec.when");
	mark_volatile(&n, "spec.when");
	CHECK_INT(rg_diff_objsets(&d, &o, &n, NULL, a, &err), 0);
	CHECK_INT(d->objs[0].status, RG_DIFF_UNCHANGED);
	rg_arena_free(a);
}

TEST(credential_like_env_values_are_masked)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_objset o, n;
	struct rg_diff *d = NULL;
	const struct rg_diff_obj *x;

	load(&o, a,
	     "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\n"
	     "spec:\n  template:\n    spec:\n      containers:\n"
	     "      - name: w\n        env:\n"
	     "        - {name: DB_PASSWORD, value: s3cr3t-old}\n"
	     "        - {name: API_TOKEN, value: tok-same}\n"
	     "        - {name: LOG_LEVEL, value: debug}\n");
	load(&n, a,
	     "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\n"
	     "spec:\n  template:\n    spec:\n      containers:\n"
	     "      - name: w\n        env:\n"
	     "        - {name: DB_PASSWORD, value: s3cr3t-new!}\n"
	     "        - {name: API_TOKEN, value: tok-same}\n"
	     "        - {name: LOG_LEVEL, value: info}\n"
	     "        - {name: NEW_SECRET, value: fresh}\n");
	CHECK_INT(rg_diff_objsets(&d, &o, &n, NULL, a, &err), 0);
	x = find(d, "apps/Deployment//w");
	CHECK(x->masked);
	CHECK_INT(x->nfields, 3);
	CHECK_STR(x->fields[0].path,
		  "spec.template.spec.containers[0].env[0].value");
	CHECK_STR(x->fields[0].note, "changed (10 bytes -> 11 bytes)");
	CHECK_STR(x->fields[1].path,
		  "spec.template.spec.containers[0].env[2].value");
	CHECK(x->fields[1].note == NULL);
	CHECK_STR(x->fields[2].path, "spec.template.spec.containers[0].env[3]");
	CHECK(strstr(x->unified, "s3cr3t") == NULL);
	CHECK(strstr(x->unified, "tok-same") == NULL);
	CHECK(strstr(x->unified, "fresh") == NULL);
	CHECK(strstr(x->unified, "+          value: info\n") != NULL);
	CHECK(strstr(x->unified, "value: '<secret: 8 bytes>'") != NULL);
	/* an object without credentials is not marked */
	load(&o, a, "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n"
		    "spec: {env: [{name: A, value: b}]}\n");
	load(&n, a, "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n"
		    "spec: {env: [{name: A, value: c}]}\n");
	CHECK_INT(rg_diff_objsets(&d, &o, &n, NULL, a, &err), 0);
	CHECK(!d->objs[0].masked);
	rg_arena_free(a);
}

TEST(huge_added_object_is_summarised)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_buf x = RG_BUF_INIT(1 << 26);
	const char *out = NULL;
	size_t len = 0, add = 0, del = 0;
	bool rep = false;

	/* more than RG_CAP_DIFF_OBJECT_BYTES of '+' lines */
	for (int i = 0; i < 40000; i++)
		rg_buf_addf(&x, "line %d of a long generated object\n", i);
	CHECK_INT(rg_diff_text(&out, &len, &rep, &add, &del, "", 0, x.ptr, x.len,
			       NULL, "b/x", a, &err), 0);
	CHECK(rep);
	CHECK_STR(out, "object added: 40000 lines (too large to show)\n");
	CHECK_INT(add, 40000);
	CHECK_INT(rg_diff_text(&out, &len, &rep, &add, &del, x.ptr, x.len, "", 0,
			       "a/x", NULL, a, &err), 0);
	CHECK_STR(out, "object removed: 40000 lines (too large to show)\n");
	CHECK_INT(del, 40000);
	rg_buf_release(&x);
	rg_arena_free(a);
}

TEST(encrypted_values_are_named_as_such)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_objset o, n;
	struct rg_diff *d = NULL;
	const struct rg_diff_obj *x;
	const char *note = NULL, *plain_note = "unset";

	load(&o, a,
	     "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\n"
	     "metadata:\n  name: db\n  namespace: prod\n"
	     "spec:\n  encryptedData:\n    password: "
	     "\"ENC[AES256_GCM,data:Zm9v,iv:YWJj,tag:eHl6,type:str]\"\n"
	     "  template:\n    metadata:\n      labels: {app: db}\n");
	load(&n, a,
	     "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\n"
	     "metadata:\n  name: db\n  namespace: prod\n"
	     "spec:\n  encryptedData:\n    password: "
	     "\"ENC[AES256_GCM,data:YmFy,iv:ZGVm,tag:dXZ3,type:str]\"\n"
	     "  template:\n    metadata:\n      labels: {app: db2}\n");
	CHECK_INT(rg_diff_objsets(&d, &o, &n, NULL, a, &err), 0);
	x = find(d, "bitnami.com/SealedSecret/prod/db");
	CHECK(x != NULL);
	for (size_t i = 0; i < x->nfields; i++) {
		if (!strcmp(x->fields[i].path, "spec.encryptedData.password"))
			note = x->fields[i].note;
		if (!strcmp(x->fields[i].path,
			    "spec.template.metadata.labels.app"))
			plain_note = x->fields[i].note;
	}
	CHECK_STR(note, "encrypted value changed");
	/* an ordinary field keeps its plain change */
	CHECK(plain_note == NULL);
	rg_arena_free(a);
}
