/*
 * test-htmlreport.c - the full report page: layout (findings first, the
 * summary, one collapsible section per environment, side-by-side rows),
 * escaping of hostile names and text, masking carried over from the
 * semantic diff, nothing external, the size cap, same bytes every time.
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/diff.h"
#include "rendergate/doc.h"
#include "rendergate/finding.h"
#include "rendergate/htmlreport.h"
#include "rendergate/mdreport.h"
#include "rendergate/objects.h"

#include "test.h"

/* Where needle first is in s, or SIZE_MAX. */
static size_t at(const char *s, const char *needle)
{
	const char *p = strstr(s, needle);

	return p ? (size_t)(p - s) : SIZE_MAX;
}

/* No script, no reference to anything outside the page. */
static bool self_contained(const char *page)
{
	static const char *const bad[] = {
		"<script", "<link", "<img", "<iframe", "<object", "<embed",
		" src=\"", "url(", "@import", "http://", "https://", "//"
	};
	const char *body = strstr(page, "<body>");

	for (size_t i = 0; i < RG_ARRAY_SIZE(bad); i++)
		if (strstr(i < 11 ? page : body, bad[i]))
			return false;
	return strstr(page, "content=\"default-src 'none'; style-src "
			    "'unsafe-inline'\"") != NULL;
}

static const char deploy_diff[] =
	"--- a/apps/Deployment/prod/web\n"
	"+++ b/apps/Deployment/prod/web\n"
	"@@ -17,6 +17,7 @@\n"
	"     spec:\n"
	"       containers:\n"
	"-        image: web:1.4.2\n"
	"-        name: web\n"
	"+        image: web:1.5.0\n"
	"+        name: web\n"
	"+        tty: true\n"
	"       ports:\n"
	"-      - 80\n";

static const char cm_diff[] = "--- /dev/null\n"
			      "+++ b/v1/ConfigMap/prod/flags\n"
			      "@@ -0,0 +1,2 @@\n"
			      "+apiVersion: v1\n"
			      "+kind: ConfigMap\n";

static const char big_line[] =
	"object replaced: 20000 lines -> 20001 lines (too large to diff)\n";

TEST(layout_findings_summary_and_side_by_side)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_mdreport_object objs[] = {
		{ "Deployment prod/web", "changed", deploy_diff,
		  sizeof(deploy_diff) - 1, false, false },
		{ "ConfigMap prod/flags", "added", cm_diff,
		  sizeof(cm_diff) - 1, false, false },
		{ "ConfigMap prod/huge", "changed", big_line,
		  sizeof(big_line) - 1, false, true },
	};
	const char *finds[] = { "envs/prod/web.yaml:3:1: deny: image not "
				"allowed (images.allow)" };
	const char *notes[] = { "12 changed lines hidden by rule "
				"helm-chart-label" };
	const char *rnotes[] = { "error: staging: could not read x" };
	struct rg_mdreport_env envs[2];
	struct rg_mdreport r;
	const char *out = NULL;
	size_t len = 0;

	memset(envs, 0, sizeof(envs));
	envs[0].name = "prod";
	envs[0].added = 1;
	envs[0].changed = 2;
	envs[0].images_changed = 1;
	envs[0].findings = 1;
	envs[0].objects = objs;
	envs[0].nobjects = 3;
	envs[0].finding_lines = finds;
	envs[0].nfinding_lines = 1;
	envs[0].notes = notes;
	envs[0].nnotes = 1;
	envs[1].name = "staging";
	envs[1].error = "could not read x";
	memset(&r, 0, sizeof(r));
	r.title = "rendered diff";
	r.verdict = "Push rejected";
	r.head_sha = "3f2a9c1d5e7b8a9c0d1e2f3a4b5c6d7e8f9a0b1c";
	r.target = "main";
	r.envs = envs;
	r.nenvs = 2;
	r.notes = rnotes;
	r.nnotes = 1;
	r.limit = 1024; /* ignored: the page is never cut */
	CHECK_INT(rg_htmlreport_render(&out, &len, &r, 0, a, NULL), 0);
	CHECK_INT(len, strlen(out));
	CHECK(!strncmp(out, "<!DOCTYPE html>\n", 16));
	CHECK(strstr(out, "</html>\n") == out + len - 8);
	CHECK(self_contained(out));
	CHECK(strstr(out, "<title>rendergate: rendered diff</title>"));
	CHECK(strstr(out, "<span class=\"verdict rejected\">Push rejected"
			  "</span> · head <code>3f2a9c1d5e7b</code> into "
			  "<code>main</code>"));
	/* findings (and the environment that failed) come first */
	CHECK(strstr(out, "<h2>Findings (2)</h2>"));
	CHECK(strstr(out, "<li class=\"finding error\"><span class=\"env\">"
			  "staging</span>: could not render: could not read "
			  "x</li>"));
	CHECK(strstr(out, "<li class=\"finding\"><span class=\"env\">prod"
			  "</span>: envs/prod/web.yaml:3:1: deny: image not "
			  "allowed (images.allow)</li>"));
	CHECK(at(out, "<h2>Findings") < at(out, "<h2>Summary"));
	CHECK(at(out, "<h2>Summary") < at(out, "id=\"env-1\""));
	CHECK(strstr(out, "<li>error: staging: could not read x</li>"));
	CHECK(strstr(out, "<tr><td><a href=\"#env-1\">prod</a></td><td "
			  "class=\"n\">1</td><td class=\"n\">0</td><td "
			  "class=\"n\">2</td><td class=\"n\">1</td><td "
			  "class=\"n\">1</td></tr>"));
	CHECK(strstr(out, "<a href=\"#env-2\">staging</a> (not rendered)"));
	CHECK_INT(test_count(out, "<details class=\"env\""), 2);
	CHECK(strstr(out, "<details class=\"env\" id=\"env-1\" open><summary>"
			  "prod<span class=\"counts\">1 added · 0 removed · 2 "
			  "changed · 1 image changed · 1 finding</span>"));
	CHECK(strstr(out, "<li>12 changed lines hidden by rule "
			  "helm-chart-label</li>"));
	CHECK_INT(test_count(out, "<details class=\"obj\""), 3);
	CHECK_INT(test_count(out, "<details"), test_count(out, "</details>"));
	CHECK_INT(test_count(out, "<table"), test_count(out, "</table>"));
	CHECK_INT(test_count(out, "<tr"), test_count(out, "</tr>"));
	/* the hunk header, then context on both sides with line numbers */
	CHECK(strstr(out, "<tr class=\"hunk\"><td colspan=\"4\">@@ -17,6 "
			  "+17,7 @@</td></tr>\n<tr><td class=\"ln\">17</td><td "
			  "class=\"ctx\">    spec:</td><td class=\"ln\">17</td>"
			  "<td class=\"ctx\">    spec:</td></tr>"));
	/* two removed lines paired with the first two added ones */
	CHECK(strstr(out, "<tr><td class=\"ln\">19</td><td class=\"del\">"
			  "        image: web:1.4.2</td><td class=\"ln\">19"
			  "</td><td class=\"add\">        image: web:1.5.0"
			  "</td></tr>"));
	CHECK(strstr(out, "<td class=\"ln\">20</td><td class=\"del\">       "
			  " name: web</td><td class=\"ln\">20</td><td "
			  "class=\"add\">        name: web</td>"));
	/* the third added line has no partner */
	CHECK(strstr(out, "<tr><td class=\"ln\"></td><td class=\"none\">"
			  "</td><td class=\"ln\">21</td><td class=\"add\">"
			  "        tty: true</td></tr>"));
	/* numbering goes on after the block: old 21 is new 22 */
	CHECK(strstr(out, "<td class=\"ln\">21</td><td class=\"ctx\">      "
			  "ports:</td><td class=\"ln\">22</td>"));
	CHECK(strstr(out, "<td class=\"ln\">22</td><td class=\"del\">      "
			  "- 80</td><td class=\"ln\"></td><td class=\"none\">"));
	/* an added object: nothing before, lines from 1 after */
	CHECK(strstr(out, "<tr><td class=\"ln\"></td><td class=\"none\">"
			  "</td><td class=\"ln\">1</td><td class=\"add\">"
			  "apiVersion: v1</td></tr>"));
	/* the file headers are not rows */
	CHECK(!strstr(out, "+++ b/"));
	CHECK(strstr(out, "<span class=\"tag\">too large for a line "
			  "diff</span>"));
	CHECK(strstr(out, "<p class=\"replaced\">object replaced: 20000 "
			  "lines -&gt; 20001 lines (too large to diff) </p>"));
	rg_arena_free(a);
}

TEST(hostile_names_and_text_are_escaped)
{
	struct rg_arena *a = rg_arena_new();
	static const char hostile[] =
		"ConfigMap ns/x</script><script>alert(\"1\")</script>'&"
		"<img src=x onerror=alert(2)>";
	static const char diff[] = "@@ -1,2 +1,2 @@\n"
				   "-a: </td></tr></table><script>x()</script>\n"
				   "+a: \"q\" 'q' &amp; \x01\x7f\n"
				   "+b: bad \xff\xfe utf-8, good \xc3\xa9\n"
				   " c: <!-- -->\n";
	struct rg_mdreport_object o = { hostile, "added\"><script>",
					diff, sizeof(diff) - 1, true, false };
	const char *finds[] = { "<b>bold</b> & \"quoted\"\nsecond line" };
	struct rg_mdreport_env env;
	struct rg_mdreport r;
	const char *out = NULL;

	memset(&env, 0, sizeof(env));
	env.name = "prod<script>alert(3)</script>";
	env.objects = &o;
	env.nobjects = 1;
	env.finding_lines = finds;
	env.nfinding_lines = 1;
	memset(&r, 0, sizeof(r));
	r.title = "</title><script>alert(4)</script>";
	r.target = "main\"><script>";
	r.head_sha = "abc\"<def";
	r.verdict = "<i>x</i>";
	r.envs = &env;
	r.nenvs = 1;
	CHECK_INT(rg_htmlreport_render(&out, NULL, &r, 0, a, NULL), 0);
	CHECK(self_contained(out));
	CHECK(!strstr(out, "<script"));
	CHECK(!strstr(out, "</script"));
	CHECK(!strstr(out, "<img"));
	CHECK(!strstr(out, "<b>"));
	CHECK(!strstr(out, "<i>"));
	CHECK(!strstr(out, "<!-- -->"));
	CHECK(strstr(out, "<title>rendergate: &lt;/title&gt;&lt;script&gt;"
			  "alert(4)&lt;/script&gt;</title>"));
	CHECK(strstr(out, "<span class=\"label\">ConfigMap ns/x&lt;/script"
			  "&gt;&lt;script&gt;alert(&quot;1&quot;)&lt;/script"
			  "&gt;&#39;&amp;&lt;img src=x onerror=alert(2)&gt;"
			  "</span><span class=\"tag\">values masked</span>"));
	/* the change word is escaped too, and never picks a class */
	CHECK(strstr(out, "<span class=\"change changed\">added&quot;&gt;"
			  "&lt;script&gt;</span>"));
	CHECK(strstr(out, "<a href=\"#env-1\">prod&lt;script&gt;alert(3)"
			  "&lt;/script&gt;</a>"));
	CHECK(strstr(out, "into <code>main&quot;&gt;&lt;script&gt;</code>"));
	CHECK(strstr(out, "head <code>abcdef</code>"));
	/* one line per finding: the newline is a space */
	CHECK(strstr(out, "&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; "
			  "second line</li>"));
	CHECK(strstr(out, "<td class=\"del\">a: &lt;/td&gt;&lt;/tr&gt;&lt;"
			  "/table&gt;&lt;script&gt;x()&lt;/script&gt;</td>"));
	/* an entity in the input stays text; control bytes and invalid
	 * UTF-8 become U+FFFD; valid UTF-8 stays */
	CHECK(strstr(out, "a: &quot;q&quot; &#39;q&#39; &amp;amp; "
			  "\xEF\xBF\xBD\xEF\xBF\xBD</td>"));
	CHECK(strstr(out, "b: bad \xEF\xBF\xBD\xEF\xBF\xBD utf-8, good "
			  "\xc3\xa9</td>"));
	CHECK(strstr(out, "c: &lt;!-- --&gt;</td>"));
	CHECK_INT(test_count(out, "<tr"), test_count(out, "</tr>"));
	CHECK_INT(test_count(out, "<td"), test_count(out, "</td>"));
	rg_arena_free(a);
}

/* Parse a YAML stream into an objset. */
static void objset_from(struct rg_objset *s, struct rg_arena *a,
			const char *yaml)
{
	struct rg_docs docs = { NULL, 0, 0 };
	struct rg_err err = RG_ERR_INIT;
	struct rg_findings f;

	rg_objset_init(s, a);
	rg_finding_init(&f, a);
	if (rg_doc_parse(&docs, a, "h.yaml", yaml, strlen(yaml), 0, &err))
		RG_BUG("test yaml: %s", err.msg);
	for (size_t i = 0; i < docs.len; i++)
		if (rg_objset_add_doc(NULL, s, docs.docs[i], &f, "h", NULL,
				      &err))
			RG_BUG("test object: %s", err.msg);
}

TEST(masked_values_stay_masked)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_objset o, n;
	struct rg_diff *d = NULL;
	struct rg_mdreport_env env;
	struct rg_mdreport r;
	const char *out = NULL;

	objset_from(&o, a,
		    "apiVersion: v1\nkind: Secret\nmetadata: {name: db, "
		    "namespace: apps}\nstringData: {password: old-pw-111}\n"
		    "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: "
		    "cm, namespace: apps}\ndata: {api_token: tok-old-222, "
		    "color: red}\n---\napiVersion: v1\nkind: Pod\nmetadata: "
		    "{name: p, namespace: apps}\nspec:\n  containers:\n  - "
		    "name: c\n    env:\n    - {name: DB_PASSWORD, value: "
		    "env-old-333}\n");
	objset_from(&n, a,
		    "apiVersion: v1\nkind: Secret\nmetadata: {name: db, "
		    "namespace: apps}\nstringData: {password: new-pw-444}\n"
		    "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: "
		    "cm, namespace: apps}\ndata: {api_token: tok-new-555, "
		    "color: blue}\n---\napiVersion: v1\nkind: Pod\nmetadata: "
		    "{name: p, namespace: apps}\nspec:\n  containers:\n  - "
		    "name: c\n    env:\n    - {name: DB_PASSWORD, value: "
		    "env-new-666}\n");
	CHECK_INT(rg_diff_objsets(&d, &o, &n, "prod", a, NULL), 0);
	rg_mdreport_env_from_diff(&env, d, a);
	CHECK_INT(env.nobjects, 3);
	memset(&r, 0, sizeof(r));
	r.envs = &env;
	r.nenvs = 1;
	CHECK_INT(rg_htmlreport_render(&out, NULL, &r, 0, a, NULL), 0);
	CHECK(!strstr(out, "pw-111"));
	CHECK(!strstr(out, "pw-444"));
	CHECK(!strstr(out, "tok-old"));
	CHECK(!strstr(out, "tok-new"));
	CHECK(!strstr(out, "env-old"));
	CHECK(!strstr(out, "env-new"));
	/* the changes are still there, as placeholders with sizes */
	CHECK(strstr(out, "&lt;secret: 10 bytes, old value&gt;"));
	CHECK(strstr(out, "&lt;secret: 10 bytes, new value&gt;"));
	CHECK(strstr(out, "color: blue</td>"));
	CHECK_INT(test_count(out, "<span class=\"tag\">values masked</span>"), 3);
	rg_arena_free(a);
}

TEST(no_findings_no_environments_cap_and_same_bytes)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_mdreport r;
	struct rg_err err = RG_ERR_INIT;
	const char *one = NULL, *two = NULL;
	size_t l1 = 0, l2 = 0;

	memset(&r, 0, sizeof(r));
	CHECK_INT(rg_htmlreport_render(&one, &l1, &r, 0, a, NULL), 0);
	CHECK(strstr(one, "<h2>Findings (0)</h2>\n<p>No findings.</p>"));
	CHECK(strstr(one, "No environment is affected by this change."));
	CHECK(self_contained(one));
	CHECK_INT(rg_htmlreport_render(&two, &l2, &r, 0, a, NULL), 0);
	CHECK_MEM(one, l1, two, l2);
	CHECK_INT(rg_htmlreport_render(&two, &l2, &r, 512, a, &err),
		  RG_ELIMIT);
	CHECK(two == NULL);
	CHECK(strstr(err.msg, "RG_CAP_REPORT_HTML_BYTES"));
	rg_arena_free(a);
}
