/*
 * test-mdreport.c - the Markdown comment: layout, escaping, fences, the
 * cut at object boundaries under the forge limit, the builder from a
 * semantic diff, and the golden example tests/forge/example-comment.md
 * (RG_UPDATE_GOLDEN=1 rewrites it).
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/diff.h"
#include "rendergate/forge.h"
#include "rendergate/mdreport.h"

#include "test.h"

/* Every fence that opens a block is closed, and <details> are balanced. */
static bool well_formed(const char *s)
{
	size_t open_fence = 0;
	const char *line = s;

	if (test_count(s, "<details>") != test_count(s, "</details>"))
		return false;
	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line), bt = 0;

		while (bt < len && line[bt] == '`')
			bt++;
		if (bt >= 3) {
			if (!open_fence)
				open_fence = bt;
			else if (bt >= open_fence && bt == len)
				open_fence = 0;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	return open_fence == 0;
}

static const char deploy_diff[] =
	"--- a/apps/Deployment/prod/web\n"
	"+++ b/apps/Deployment/prod/web\n"
	"@@ -17,7 +17,7 @@\n"
	"     spec:\n"
	"       containers:\n"
	"       - name: web\n"
	"-        image: registry.example.com/web:1.4.2\n"
	"+        image: registry.example.com/web:1.5.0\n"
	"         ports:\n"
	"         - containerPort: 8080\n";

static const char secret_diff[] =
	"--- a/v1/Secret/prod/web-db\n"
	"+++ b/v1/Secret/prod/web-db\n"
	"@@ -1,5 +1,5 @@\n"
	" apiVersion: v1\n"
	" data:\n"
	"-  password: <secret: 12 bytes>\n"
	"+  password: <secret: 16 bytes>\n"
	" kind: Secret\n";

static const char cm_diff[] =
	"--- /dev/null\n"
	"+++ b/v1/ConfigMap/prod/web-flags\n"
	"@@ -0,0 +1,6 @@\n"
	"+apiVersion: v1\n"
	"+data:\n"
	"+  FEATURE_SEARCH: \"on\"\n"
	"+kind: ConfigMap\n"
	"+metadata:\n"
	"+  name: web-flags\n";

static const struct rg_mdreport_object prod_objs[] = {
	{ "Deployment prod/web", "changed", deploy_diff, sizeof(deploy_diff) - 1, false, false },
	{ "Secret prod/web-db", "changed", secret_diff, sizeof(secret_diff) - 1, true, false },
	{ "ConfigMap prod/web-flags", "added", cm_diff, sizeof(cm_diff) - 1, false, false },
};
static const char *const prod_notes[] = {
	"12 changed lines hidden by rule helm-chart-label",
	"3 changed lines hidden by rule checksum-annotation",
};
static const char *const prod_findings[] = {
	"deny image-allowlist: Deployment prod/web: image registry.example.com/web:1.5.0 is not signed (envs/prod-eu/values.yaml:12:4)",
};

static void example(struct rg_mdreport *r, struct rg_mdreport_env envs[2])
{
	memset(envs, 0, 2 * sizeof(*envs));
	envs[0].name = "prod-eu";
	envs[0].added = 1;
	envs[0].changed = 2;
	envs[0].images_changed = 1;
	envs[0].findings = 1;
	envs[0].notes = prod_notes;
	envs[0].nnotes = 2;
	envs[0].finding_lines = prod_findings;
	envs[0].nfinding_lines = 1;
	envs[0].objects = prod_objs;
	envs[0].nobjects = 3;
	envs[1].name = "staging";
	memset(r, 0, sizeof(*r));
	r->title = "2 environments affected";
	r->verdict = "Push rejected: 1 finding";
	r->head_sha = "3f2a9c1d5e7b8a9c0d1e2f3a4b5c6d7e8f9a0b1c";
	r->target = "main";
	r->envs = envs;
	r->nenvs = 2;
	r->limit = RG_CAP_COMMENT_GITLAB_CHARS;
}

TEST(layout_summary_and_sections)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_mdreport r;
	struct rg_mdreport_env envs[2];
	const char *out = NULL;
	size_t len = 0;

	example(&r, envs);
	CHECK_INT(rg_mdreport_render(&out, &len, &r, a, NULL), 0);
	CHECK_INT(len, strlen(out));
	CHECK(!strncmp(out, RG_FORGE_MARKER_DEFAULT "\n", strlen(RG_FORGE_MARKER_DEFAULT) + 1));
	CHECK(strstr(out, "### rendergate: 2 environments affected\n"));
	CHECK(strstr(out, "**Push rejected: 1 finding** · head `3f2a9c1d5e7b` into main\n"));
	CHECK(strstr(out, "| Environment | Added | Removed | Changed | Images changed | Findings |\n"
			  "|---|---:|---:|---:|---:|---:|\n"
			  "| prod-eu | 1 | 0 | 2 | 1 | 1 |\n"
			  "| staging | 0 | 0 | 0 | 0 | 0 |\n"));
	CHECK(strstr(out, "<details><summary>changed: Deployment prod/web</summary>\n\n```diff\n"));
	CHECK(strstr(out, "<details><summary>changed: Secret prod/web-db (values masked)</summary>"));
	CHECK(strstr(out, "- 12 changed lines hidden by rule helm-chart-label\n"));
	CHECK(strstr(out, "**Findings**\n\n- deny image-allowlist: Deployment prod/web"));
	CHECK(strstr(out, "#### staging\n\nNo rendered object changes.\n"));
	CHECK(!strstr(out, "not shown"));
	CHECK(well_formed(out));
	rg_arena_free(a);
}

TEST(golden_example_comment)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_mdreport r;
	struct rg_mdreport_env envs[2];
	const char *out = NULL, *path = "tests/forge/example-comment.md";
	char *want = NULL;
	size_t len = 0, wl = 0, alloc = 0, n;
	FILE *f;

	example(&r, envs);
	CHECK_INT(rg_mdreport_render(&out, &len, &r, a, NULL), 0);
	if (getenv("RG_UPDATE_GOLDEN")) {
		f = fopen(path, "w");
		CHECK(f);
		fwrite(out, 1, len, f);
		fclose(f);
	}
	f = fopen(path, "r");
	CHECK(f);
	for (;;) {
		RG_ALLOC_GROW(want, wl + 4096, alloc);
		n = fread(want + wl, 1, 4096, f);
		wl += n;
		if (!n)
			break;
	}
	fclose(f);
	CHECK_MEM(out, len, want, wl);
	free(want);
	rg_arena_free(a);
}

TEST(untrusted_text_is_escaped)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_mdreport r;
	struct rg_mdreport_env env;
	struct rg_mdreport_object o = { "Pod ns/<img src=x onerror=alert(1)>", "added",
					"+a: ```\n+b: ````\n", 17, false, false };
	const char *find[] = { "| broken | table\nnew line" };
	const char *out = NULL;

	memset(&env, 0, sizeof(env));
	memset(&r, 0, sizeof(r));
	env.name = "prod|<b>eu</b>";
	env.objects = &o;
	env.nobjects = 1;
	env.finding_lines = find;
	env.nfinding_lines = 1;
	r.envs = &env;
	r.nenvs = 1;
	r.head_sha = "abc`def";
	CHECK_INT(rg_mdreport_render(&out, NULL, &r, a, NULL), 0);
	CHECK(!strstr(out, "<img"));
	CHECK(!strstr(out, "<b>"));
	CHECK(strstr(out, "| prod\\|&lt;b&gt;eu&lt;/b&gt; |"));
	CHECK(strstr(out, "- \\| broken \\| table new line\n"));
	CHECK(strstr(out, "head `abcdef`"));
	/* the diff holds a run of four backticks: the fence is five */
	CHECK(strstr(out, "\n`````diff\n+a: ```\n+b: ````\n`````\n"));
	CHECK(well_formed(out));
	rg_arena_free(a);
}

TEST(cut_at_object_boundaries_under_the_limit)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_mdreport r;
	struct rg_mdreport_env envs[2];
	struct rg_mdreport_object objs[40];
	char *diff = rg_xmalloc(1001);
	const char *out = NULL;
	size_t len = 0, i, limit;

	memset(diff, '+', 1000);
	for (i = 0; i < 1000; i += 50)
		diff[i] = '\n';
	diff[1000] = 0;
	for (i = 0; i < 40; i++) {
		objs[i].label = rg_arena_printf(a, "ConfigMap ns/cm-%02zu", i);
		objs[i].change = "changed";
		objs[i].diff = diff;
		objs[i].diff_len = 1000;
		objs[i].masked = objs[i].replaced = false;
	}
	memset(envs, 0, sizeof(envs));
	envs[0].name = "dev";
	envs[0].changed = 20;
	envs[0].objects = objs;
	envs[0].nobjects = 20;
	envs[1].name = "prod";
	envs[1].changed = 20;
	envs[1].objects = objs + 20;
	envs[1].nobjects = 20;
	memset(&r, 0, sizeof(r));
	r.envs = envs;
	r.nenvs = 2;
	for (limit = 1024; limit < 60000; limit = limit * 3 / 2) {
		size_t shown;

		r.limit = limit;
		CHECK_INT(rg_mdreport_render(&out, &len, &r, a, NULL), 0);
		CHECK(len <= limit);
		CHECK(well_formed(out));
		shown = test_count(out, "<details>");
		if (shown < 40) {
			char want[128];

			snprintf(want, sizeof(want), "_%zu of 40 changed objects are not shown (",
				 40 - shown);
			CHECK(strstr(out, want));
			CHECK(strstr(out, "run `rendergate diff` to see the whole diff"));
			CHECK(strstr(out, shown < 20 ? "(dev, prod)" : "(prod)"));
		}
		/* whole objects only: each shown object has its whole diff */
		CHECK_INT(test_count(out, "```diff\n"), shown);
	}
	r.limit = 0; /* Gitea default */
	CHECK_INT(rg_mdreport_render(&out, &len, &r, a, NULL), 0);
	CHECK(len <= RG_CAP_COMMENT_GITEA_CHARS);
	CHECK_INT(test_count(out, "<details>"), 40);
	free(diff);
	rg_arena_free(a);
}

TEST(summary_too_large_and_bad_limits)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_mdreport r;
	struct rg_mdreport_env envs[100];
	const char *out = NULL;
	struct rg_err err = RG_ERR_INIT;
	size_t len = 0, i;

	memset(envs, 0, sizeof(envs));
	for (i = 0; i < 100; i++)
		envs[i].name = rg_arena_printf(a, "environment-with-a-long-name-%03zu", i);
	memset(&r, 0, sizeof(r));
	r.envs = envs;
	r.nenvs = 100;
	r.limit = 2000;
	CHECK_INT(rg_mdreport_render(&out, &len, &r, a, NULL), 0);
	CHECK(len <= 2000);
	CHECK(strstr(out, "report too large for a comment"));
	CHECK(strstr(out, "100 environments"));
	CHECK(!strncmp(out, RG_FORGE_MARKER_DEFAULT, strlen(RG_FORGE_MARKER_DEFAULT)));
	r.limit = 500;
	CHECK_INT(rg_mdreport_render(&out, &len, &r, a, &err), RG_EINVALID);
	CHECK_INT(rg_mdreport_limit(RG_FORGE_GITLAB), 1000000);
	CHECK_INT(rg_mdreport_limit(RG_FORGE_GITEA), 65000);
	r.nenvs = 0;
	r.limit = 0;
	r.marker = "<!-- rendergate:merged -->";
	CHECK_INT(rg_mdreport_render(&out, &len, &r, a, NULL), 0);
	CHECK(!strncmp(out, "<!-- rendergate:merged -->\n", 27));
	CHECK(strstr(out, "No environment is affected"));
	rg_arena_free(a);
}

TEST(env_from_semantic_diff)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_diff_field f1[] = {
		{ .path = "spec.template.spec.containers[0].image", .change = RG_DIFF_CHANGED },
		{ .path = "spec.template.spec.initContainers[1].image", .change = RG_DIFF_CHANGED },
		{ .path = "spec.replicas", .change = RG_DIFF_CHANGED },
		{ .path = "metadata.labels.image", .change = RG_DIFF_CHANGED },
	};
	struct rg_diff_hidden h1[] = { { .rule = "helm-chart-label", .fields = 1, .lines = 2 } };
	struct rg_diff_hidden h2[] = {
		{ .rule = "checksum-annotation", .fields = 1, .lines = 2 },
		{ .rule = "helm-chart-label", .fields = 3, .lines = 6 },
	};
	struct rg_diff_obj objs[4];
	struct rg_diff d;
	struct rg_mdreport_env e;

	memset(objs, 0, sizeof(objs));
	objs[0].status = RG_DIFF_UNCHANGED;
	objs[0].key = "v1/ConfigMap/ns/same";
	objs[1].status = RG_DIFF_CHANGED;
	objs[1].key = "apps/v1/Deployment/ns/web";
	objs[1].label = "Deployment ns/web";
	objs[1].fields = f1;
	objs[1].nfields = 4;
	objs[1].unified = "--- a\n+++ b\n";
	objs[1].unified_len = 12;
	objs[2].status = RG_DIFF_ADDED;
	objs[2].key = "v1/Secret/ns/s";
	objs[2].masked = true;
	objs[1].hidden = h1;
	objs[1].nhidden = 1;
	objs[3].status = RG_DIFF_CHANGED;
	objs[3].key = "v1/Service/ns/web";
	objs[3].hidden = h2;
	objs[3].nhidden = 2;
	objs[3].noise_only = true;
	memset(&d, 0, sizeof(d));
	d.env = "prod";
	d.objs = objs;
	d.len = 4;
	d.nadded = 1;
	d.nchanged = 2;
	d.nunchanged = 1;
	rg_mdreport_env_from_diff(&e, &d, a);
	CHECK_STR(e.name, "prod");
	CHECK_INT(e.added, 1);
	CHECK_INT(e.changed, 2);
	CHECK_INT(e.removed, 0);
	CHECK_INT(e.images_changed, 2);
	CHECK_INT(e.nobjects, 2);
	CHECK_STR(e.objects[0].label, "Deployment ns/web");
	CHECK_STR(e.objects[0].change, "changed");
	CHECK_INT(e.objects[0].diff_len, 12);
	CHECK_STR(e.objects[1].label, "v1/Secret/ns/s"); /* no label: the key */
	CHECK_STR(e.objects[1].change, "added");
	CHECK(e.objects[1].masked);
	CHECK_INT(e.nnotes, 3);
	CHECK_STR(e.notes[0], "8 changed lines hidden by rule helm-chart-label");
	CHECK_STR(e.notes[1], "2 changed lines hidden by rule checksum-annotation");
	CHECK_STR(e.notes[2], "1 object changed only in hidden fields (not shown)");
	rg_arena_free(a);
}

TEST(cut_body_keeps_room_and_a_place_for_the_full_report)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_mdreport r;
	struct rg_mdreport_env env, many[30];
	struct rg_mdreport_object objs[30];
	char *diff = rg_xmalloc(2001);
	const char *out = NULL, *filled;
	size_t len = 0, i;

	memset(diff, 'x', 2000);
	diff[0] = '+';
	diff[2000] = 0;
	for (i = 0; i < 30; i++) {
		objs[i].label = rg_arena_printf(a, "ConfigMap ns/cm-%02zu", i);
		objs[i].change = "added";
		objs[i].diff = diff;
		objs[i].diff_len = 2000;
		objs[i].masked = objs[i].replaced = false;
	}
	memset(&env, 0, sizeof(env));
	memset(many, 0, sizeof(many));
	env.name = "prod";
	env.added = 30;
	env.objects = objs;
	env.nobjects = 30;
	memset(&r, 0, sizeof(r));
	r.envs = &env;
	r.nenvs = 1;
	r.limit = 20000;
	/* without a reserve: no placeholder */
	CHECK_INT(rg_mdreport_render(&out, &len, &r, a, NULL), 0);
	CHECK(!rg_mdreport_is_cut(out));
	CHECK(strstr(out, "changed objects are not shown"));
	r.link_reserve = RG_MDREPORT_LINK_RESERVE;
	CHECK_INT(rg_mdreport_render(&out, &len, &r, a, NULL), 0);
	CHECK(rg_mdreport_is_cut(out));
	CHECK(len + RG_MDREPORT_LINK_RESERVE <= r.limit);
	/* right under the summary table */
	CHECK(strstr(out, "| prod | 30 | 0 | 0 | 0 | 0 |\n\n"
			  RG_MDREPORT_FULL_REPORT "\n\n#### prod\n"));
	CHECK(well_formed(out));
	filled = rg_mdreport_link_full(
	    a, out, "/uploads/0123abcd/rendergate-report-0123456789ab.html",
	    NULL);
	CHECK(!rg_mdreport_is_cut(filled));
	CHECK(strstr(filled, "| prod | 30 | 0 | 0 | 0 | 0 |\n\n**Full report:** "
			     "[every object, side by side (HTML)](/uploads/"
			     "0123abcd/rendergate-report-0123456789ab.html) "
			     "(this comment is cut to the forge's comment "
			     "limit)\n\n#### prod\n"));
	CHECK(strlen(filled) <= r.limit);
	/* nothing cut: nothing to fill */
	r.limit = 0;
	CHECK_INT(rg_mdreport_render(&out, &len, &r, a, NULL), 0);
	CHECK(!rg_mdreport_is_cut(out));
	CHECK(rg_mdreport_link_full(a, out, "/x", NULL) == out);
	/* a report too large even for its summary still links */
	for (i = 0; i < 30; i++) {
		many[i].name = rg_arena_printf(a, "environment-%02zu-with-a-"
						  "long-name", i);
		many[i].objects = objs;
		many[i].nobjects = 1;
	}
	r.envs = many;
	r.nenvs = 30;
	r.limit = 2100;
	CHECK_INT(rg_mdreport_render(&out, &len, &r, a, NULL), 0);
	CHECK(strstr(out, "report too large for a comment"));
	CHECK(rg_mdreport_is_cut(out));
	CHECK(len + RG_MDREPORT_LINK_RESERVE <= r.limit);
	r.limit = 2000; /* under 1024 + the reserve */
	CHECK_INT(rg_mdreport_render(&out, &len, &r, a, NULL), RG_EINVALID);
	free(diff);
	rg_arena_free(a);
}

TEST(full_report_link_is_safe_markdown)
{
	struct rg_arena *a = rg_arena_new();
	const char *body = "head\n\n" RG_MDREPORT_FULL_REPORT "\n\ntail\n";
	char *longurl = rg_xmalloc(RG_MDREPORT_LINK_URL_MAX + 10);
	const char *s;

	s = rg_mdreport_link_full(a, body,
				  "https://gitea.example/attachments/1a2b", NULL);
	CHECK_STR(s, "head\n\n**Full report:** [every object, side by side "
		     "(HTML)](https://gitea.example/attachments/1a2b) (this "
		     "comment is cut to the forge's comment limit)\n\ntail\n");
	/* characters that would end the link or the line are encoded */
	s = rg_mdreport_link_full(a, body, "/uploads/a b)c](d<e>\"\n", NULL);
	CHECK(strstr(s, "](/uploads/a%20b%29c%5D%28d%3Ce%3E%22%0A) "));
	/* other schemes, protocol-relative and bare paths are not linked */
	s = rg_mdreport_link_full(a, body, "javascript:alert(1)", NULL);
	CHECK(!strstr(s, "javascript"));
	CHECK(strstr(s, "**Full report:** not attached (the forge gave no "
			"usable link); run `rendergate diff --format html` to "
			"see every object\n"));
	s = rg_mdreport_link_full(a, body, "//evil.example/x", NULL);
	CHECK(!strstr(s, "evil"));
	s = rg_mdreport_link_full(a, body, "uploads/x", NULL);
	CHECK(strstr(s, "not attached"));
	memset(longurl, 'a', RG_MDREPORT_LINK_URL_MAX + 9);
	longurl[0] = '/';
	longurl[RG_MDREPORT_LINK_URL_MAX + 9] = 0;
	s = rg_mdreport_link_full(a, body, longurl, NULL);
	CHECK(strstr(s, "not attached"));
	/* the reason is text, escaped */
	s = rg_mdreport_link_full(a, body, NULL, "type *not* <allowed> | x");
	CHECK(strstr(s, "not attached (type \\*not\\* &lt;allowed&gt; \\| x)"));
	CHECK(!rg_mdreport_is_cut(s));
	free(longurl);
	rg_arena_free(a);
}
