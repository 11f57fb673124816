#include "test.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/doc.h"
#include "rendergate/helm.h"
#include "rendergate/tmpl.h"
#include "rendergate/tmpl_int.h"
#include "rendergate/tree.h"

static int put(struct rg_tree *t, const char *path, const char *s)
{
	return rg_tree_mem_put(t, path, s, strlen(s), RG_TREE_FILE);
}

/*
 * A chart that exercises what rendering modifies: an aliased subchart
 * (renames the chart and the dependency entry), a condition, import-values
 * (replaces the parent's values), a define, .Files and .Chart.
 */
static void chart(struct rg_tree *t, const char *version)
{
	char meta[512];

	snprintf(meta, sizeof(meta),
		 "apiVersion: v2\nname: app\nversion: %s\n"
		 "dependencies:\n"
		 "- name: sub\n  version: 0.1.0\n  alias: first\n"
		 "  import-values:\n  - child: exported\n    parent: imported\n"
		 "- name: sub\n  version: 0.1.0\n  alias: second\n"
		 "  condition: second.enabled\n",
		 version);
	put(t, "charts/app/Chart.yaml", meta);
	put(t, "charts/app/values.yaml",
	    "replicas: 1\nsecond:\n  enabled: false\nimported: {}\n");
	put(t, "charts/app/files/motd.txt", "hello\n");
	put(t, "charts/app/templates/_helpers.tpl",
	    "{{- define \"app.name\" -}}{{ .Chart.Name }}-{{ .Release.Name }}"
	    "{{- end -}}\n");
	put(t, "charts/app/templates/cm.yaml",
	    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
	    "  name: {{ include \"app.name\" . }}\n"
	    "data:\n  replicas: {{ .Values.replicas | quote }}\n"
	    "  motd: {{ .Files.Get \"files/motd.txt\" | trim | quote }}\n"
	    "  imported: {{ .Values.imported | toJson | quote }}\n"
	    "  deps: \"{{ range .Chart.Dependencies }}{{ .name }},{{ end }}\"\n");
	put(t, "charts/app/charts/sub/Chart.yaml",
	    "apiVersion: v2\nname: sub\nversion: 0.1.0\n");
	put(t, "charts/app/charts/sub/values.yaml",
	    "exported:\n  level: 3\n");
	put(t, "charts/app/charts/sub/templates/svc.yaml",
	    "apiVersion: v1\nkind: Service\nmetadata:\n"
	    "  name: {{ .Chart.Name }}-{{ .Release.Name }}\n");
}

/* Load (through m when not NULL) and render as release name. */
static int render(struct rg_buf *out, struct rg_helm_memo *m,
		  struct rg_tree *t, const char *name, const char *values,
		  struct rg_arena *a)
{
	struct rg_helm_chart *c = NULL;
	struct rg_helm_result res;
	struct rg_helm_opts opts;
	struct rg_node *v = NULL;
	struct rg_err err = RG_ERR_INIT;
	int rc;

	rg_buf_reset(out);
	rc = rg_helm_load_memo(&c, m, t, "charts/app", a, &err);
	if (rc)
		return rc;
	if (values && rg_doc_parse_one(&v, a, "v.yaml", values,
				       strlen(values), 0, &err))
		return -1000;
	memset(&opts, 0, sizeof(opts));
	opts.release_name = name;
	opts.values = v;
	opts.tmpl_memo = rg_helm_memo_templates(m);
	rc = rg_helm_render(&res, c, &opts, a, &err);
	if (rc) {
		fprintf(stderr, "  render: %s\n", err.msg);
		return rc;
	}
	return rg_helm_print(out, &res);
}

/* The dependency log of t as text. */
static void deps_text(struct rg_buf *b, const struct rg_tree *t)
{
	rg_buf_reset(b);
	for (size_t i = 0; i < t->ndeps; i++)
		rg_buf_addf(b, "%c %d %s %s\n", t->deps[i].listed ? 'L' : 'R',
			    t->deps[i].kind, t->deps[i].id, t->deps[i].path);
	rg_buf_addf(b, "read %zu\n", t->bytes_read);
}

TEST(helmmemo_renders_exactly_as_a_fresh_load)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_helm_memo *m = rg_helm_memo_new(a);
	struct rg_tree *t = rg_tree_mem_new(a, "t");
	struct rg_buf want = RG_BUF_INIT(1u << 20), got = RG_BUF_INIT(1u << 20);
	struct rg_buf dwant = RG_BUF_INIT(1u << 20), dgot = RG_BUF_INIT(1u << 20);
	struct rg_helm_memo_stats st;
	struct rg_tmpl_memo_stats ts;
	static const char *const vals[] = {
		NULL, "replicas: 3\nsecond:\n  enabled: true\n", NULL,
		"replicas: 5\n"};

	chart(t, "1.0.0");
	/*
	 * Each release rendered with a fresh load and through the memo must
	 * print the same text and record the same log; the second and later
	 * memo renders are hits, so a render that changed the remembered
	 * chart (an alias, a dropped subchart, imported values) would show.
	 */
	for (size_t i = 0; i < RG_ARRAY_SIZE(vals); i++) {
		const char *name = i % 2 ? "blue" : "green";

		rg_tree_deps_reset(t);
		CHECK_INT(render(&want, NULL, t, name, vals[i], a), 0);
		deps_text(&dwant, t);
		rg_tree_deps_reset(t);
		CHECK_INT(render(&got, m, t, name, vals[i], a), 0);
		deps_text(&dgot, t);
		CHECK_STR(got.ptr, want.ptr);
		CHECK_STR(dgot.ptr, dwant.ptr);
	}
	CHECK(strstr(want.ptr, "first,second,"));
	CHECK(strstr(want.ptr, "level"));
	rg_helm_memo_stats(&st, m);
	CHECK_INT(st.misses, 1);
	CHECK_INT(st.hits, RG_ARRAY_SIZE(vals) - 1);
	rg_tmpl_memo_stats(&ts, rg_helm_memo_templates(m));
	CHECK(ts.hits > 0);
	CHECK_INT(ts.dropped, 0);

	/* a change below the chart is a new tree id: loaded again */
	chart(t, "1.0.1");
	rg_tree_deps_reset(t);
	CHECK_INT(render(&want, NULL, t, "green", NULL, a), 0);
	rg_tree_deps_reset(t);
	CHECK_INT(render(&got, m, t, "green", NULL, a), 0);
	CHECK_STR(got.ptr, want.ptr);
	rg_helm_memo_stats(&st, m);
	CHECK_INT(st.misses, 2);

	rg_buf_release(&want);
	rg_buf_release(&got);
	rg_buf_release(&dwant);
	rg_buf_release(&dgot);
	rg_tree_free(t);
	rg_arena_free(a);
}

TEST(helmmemo_not_used_without_recording_or_ids)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_helm_memo *m = rg_helm_memo_new(a);
	struct rg_tree *t = rg_tree_mem_new(a, "t");
	struct rg_helm_chart *c = NULL;
	struct rg_helm_memo_stats st;
	struct rg_err err = RG_ERR_INIT;

	chart(t, "1.0.0");
	t->recording = false;
	CHECK_INT(rg_helm_load_memo(&c, m, t, "charts/app", a, &err), 0);
	CHECK_INT(rg_helm_load_memo(&c, m, t, "charts/app", a, &err), 0);
	rg_helm_memo_stats(&st, m);
	CHECK_INT(st.hits + st.misses, 0);
	/* errors are those of rg_helm_load, and not remembered */
	t->recording = true;
	CHECK_INT(rg_helm_load_memo(&c, m, t, "charts/none", a, &err),
		  RG_ENOTFOUND);
	rg_helm_memo_stats(&st, m);
	CHECK_INT(st.hits + st.misses, 0);
	rg_tree_free(t);
	rg_arena_free(a);
}

TEST(helmmemo_hit_over_the_read_budget_fails_like_a_load)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_helm_memo *m = rg_helm_memo_new(a);
	struct rg_tree *t = rg_tree_mem_new(a, "t");
	struct rg_helm_chart *c = NULL;
	struct rg_err e1 = RG_ERR_INIT, e2 = RG_ERR_INIT;

	chart(t, "1.0.0");
	CHECK_INT(rg_helm_load_memo(&c, m, t, "charts/app", a, &e1), 0);
	t->bytes_read = RG_CAP_RENDER_READ_BYTES - 10;
	CHECK_INT(rg_helm_load(&c, t, "charts/app", a, &e1), RG_ELIMIT);
	t->bytes_read = RG_CAP_RENDER_READ_BYTES - 10;
	CHECK_INT(rg_helm_load_memo(&c, m, t, "charts/app", a, &e2),
		  RG_ELIMIT);
	CHECK_STR(e2.msg, e1.msg);
	rg_tree_free(t);
	rg_arena_free(a);
}

static const char helpers[] =
    "{{- define \"x\" }}[{{ . | upper }}{{ \"lit\" }} {{ 42 }}]{{ end -}}\n"
    "{{ template \"x\" .name }}{{ printf \"%s-%d\" \"a\" 7 }}\n";

static int exec_text(struct rg_buf *out, struct rg_tmpl_memo *m,
		     const char *name, const char *text, struct rg_arena *a)
{
	struct rg_tmpl_set *set = rg_tmpl_set_new(a);
	struct rg_node *dot = rg_node_map(a);
	struct rg_err err = RG_ERR_INIT;
	int rc;

	rg_map_set(a, dot, "name", 4, rg_node_str(a, "abc"));
	rc = rg_tmpl_parse_memo(set, m, name, text, strlen(text), &err);
	if (rc)
		return rc;
	rg_buf_reset(out);
	return rg_tmpl_exec(out, set, name, dot, NULL, &err);
}

TEST(tmplmemo_shares_trees_that_execution_leaves_alone)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tmpl_memo *m = rg_tmpl_memo_new(a);
	struct rg_buf o1 = RG_BUF_INIT(1u << 16), o2 = RG_BUF_INIT(1u << 16);
	struct rg_buf s1 = RG_BUF_INIT(1u << 16), s2 = RG_BUF_INIT(1u << 16);
	struct rg_tmpl_set *probe = rg_tmpl_set_new(a);
	struct rg_tmpl_memo_stats st;
	struct rg_err err = RG_ERR_INIT;

	CHECK_INT(exec_text(&o1, m, "a.tpl", helpers, a), 0);
	CHECK_STR(o1.ptr, "[ABClit 42]a-7\n");
	/* the remembered trees, printed before and after more executions */
	CHECK_INT(rg_tmpl_parse_memo(probe, m, "a.tpl", helpers,
				     strlen(helpers), &err),
		  0);
	rg_tmpl_tree_string(&s1, probe, "x");
	rg_tmpl_tree_string(&s1, probe, "a.tpl");
	CHECK_INT(exec_text(&o2, m, "a.tpl", helpers, a), 0);
	CHECK_STR(o2.ptr, o1.ptr);
	rg_tmpl_tree_string(&s2, probe, "x");
	rg_tmpl_tree_string(&s2, probe, "a.tpl");
	CHECK_STR(s2.ptr, s1.ptr);
	rg_tmpl_memo_stats(&st, m);
	CHECK_INT(st.misses, 1);
	CHECK_INT(st.hits, 2);
	/* the same text under another name, or another text: parsed */
	CHECK_INT(exec_text(&o2, m, "b.tpl", helpers, a), 0);
	CHECK_INT(exec_text(&o2, m, "a.tpl", "{{ 1 }}", a), 0);
	CHECK_STR(o2.ptr, "1");
	rg_tmpl_memo_stats(&st, m);
	CHECK_INT(st.misses, 3);
	/* errors are not remembered */
	CHECK_INT(exec_text(&o2, m, "c.tpl", "{{ end }}", a), RG_EPARSE);
	CHECK_INT(exec_text(&o2, m, "c.tpl", "{{ end }}", a), RG_EPARSE);
	rg_tmpl_memo_stats(&st, m);
	CHECK_INT(st.misses, 5);
	rg_buf_release(&o1);
	rg_buf_release(&o2);
	rg_buf_release(&s1);
	rg_buf_release(&s2);
	rg_arena_free(a);
}
