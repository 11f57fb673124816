/*
 * test-tmpl.c - the template engine's API: sets, parsing, execution
 * options and caps, functions added by callers, methods and struct types.
 * Language semantics are covered by tests/cases/tmpl (test-tmplcases).
 */
#include "test.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/tmpl.h"

static int run(struct rg_arena *a, const char *text, struct rg_node *dot,
	       const struct rg_tmpl_opts *opts, struct rg_buf *out,
	       struct rg_err *err)
{
	struct rg_tmpl_set *set = rg_tmpl_set_new(a);
	int rc = rg_tmpl_parse(set, "t", text, strlen(text), err);

	if (rc < 0)
		return rc;
	return rg_tmpl_exec(out, set, "t", dot, opts, err);
}

TEST(exec_basic)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_buf out = RG_BUF_INIT(1 << 20);
	struct rg_err err = RG_ERR_INIT;
	struct rg_node *dot = rg_node_map(a);

	rg_map_set(a, dot, "x", 1, rg_node_int(a, 7));
	CHECK_INT(run(a, "a{{ .x }}b{{ .y }}", dot, NULL, &out, &err), 0);
	CHECK_STR(out.ptr, "a7b<no value>");
	rg_buf_release(&out);
	rg_arena_free(a);
}

TEST(exec_strip_no_value)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_buf out = RG_BUF_INIT(1 << 20);
	struct rg_err err = RG_ERR_INIT;
	struct rg_tmpl_opts o = { 0, 0, RG_TMPL_STRIP_NO_VALUE, NULL };

	(void)rg_buf_adds(&out, "keep<no value>");
	CHECK_INT(run(a, "[{{ .y }}]", rg_node_map(a), &o, &out, &err), 0);
	/* only this execution's output is stripped */
	CHECK_STR(out.ptr, "keep<no value>[]");
	rg_buf_release(&out);
	rg_arena_free(a);
}

TEST(strip_no_value_runs)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "", "" },
		{ "plain", "plain" },
		{ "<no value>", "" },
		{ "<no value><no value>", "" },
		{ "a<no value>b<no value><no value>c", "abc" },
		{ "<no value>x", "x" },
		{ "x<no value>", "x" },
		{ "<no valu", "<no valu" },
		{ "<no <no value>value>", "<no value>" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rg_buf b = RG_BUF_INIT(1 << 10);

		(void)rg_buf_adds(&b, cases[i].in);
		rg_tmpl_strip_no_value(&b);
		CHECK_INT((int)b.len, (int)strlen(cases[i].out));
		CHECK_STR(b.len ? b.ptr : "", cases[i].out);
		rg_buf_release(&b);
	}
}

TEST(missingkey_error)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_buf out = RG_BUF_INIT(1 << 20);
	struct rg_err err = RG_ERR_INIT;
	struct rg_tmpl_opts o = { 0, 0, RG_TMPL_MISSINGKEY_ERROR, NULL };

	CHECK_INT(run(a, "{{ .y }}", rg_node_map(a), &o, &out, &err), RG_ERROR);
	/* Go: map has no entry for key "y" */
	CHECK(strstr(err.msg, "map has no entry for key \"y\"") != NULL);
	rg_buf_release(&out);
	rg_arena_free(a);
}

TEST(parse_error_position)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_buf out = RG_BUF_INIT(1 << 20);
	struct rg_err err = RG_ERR_INIT;

	CHECK_INT(run(a, "line1\n{{ if }}", NULL, NULL, &out, &err), RG_EPARSE);
	CHECK_STR(err.msg, "template: t:2: missing value for if");
	CHECK_STR(err.file, "t");
	CHECK_INT(err.line, 2);
	rg_buf_release(&out);
	rg_arena_free(a);
}

TEST(exec_error_position)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_buf out = RG_BUF_INIT(1 << 20);
	struct rg_err err = RG_ERR_INIT;

	CHECK_INT(run(a, "x\n  {{ .a.b }}", rg_node_map(a), NULL, &out, &err),
		  RG_ERROR);
	/* column is Go's 0-based byte offset in the line, of ".b" */
	CHECK_STR(err.msg, "template: t:2:7: executing \"t\" at <.a.b>: nil "
			   "pointer evaluating interface {}.b");
	CHECK_INT(err.line, 2);
	CHECK_INT(err.col, 7);
	/* the output so far stays */
	CHECK_STR(out.ptr, "x\n  ");
	rg_buf_release(&out);
	rg_arena_free(a);
}

TEST(step_budget)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_buf out = RG_BUF_INIT(1 << 20);
	struct rg_err err = RG_ERR_INIT;
	struct rg_tmpl_opts o = { 1000, 0, 0, NULL };
	struct rg_node *dot = rg_node_map(a);
	struct rg_node *l = rg_node_seq(a);

	for (int i = 0; i < 100; i++)
		rg_seq_push(a, l, rg_node_int(a, i));
	rg_map_set(a, dot, "l", 1, l);
	CHECK_INT(run(a, "{{ range .l }}{{ range $.l }}{{ . }}{{ end }}{{ end }}",
		      dot, &o, &out, &err),
		  RG_ELIMIT);
	CHECK(strstr(err.msg, "RG_CAP_TMPL_STEPS") != NULL);
	rg_buf_release(&out);
	rg_arena_free(a);
}

TEST(output_cap)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_buf out = RG_BUF_INIT(1 << 20);
	struct rg_err err = RG_ERR_INIT;
	struct rg_tmpl_opts o = { 0, 10, 0, NULL };

	CHECK_INT(run(a, "0123456789{{ 1 }}", NULL, &o, &out, &err), RG_ELIMIT);
	CHECK(strstr(err.msg, "RG_CAP_TMPL_OUTPUT_BYTES") != NULL);
	CHECK_INT(out.len, 10);
	rg_buf_release(&out);
	rg_arena_free(a);
}

TEST(template_recursion_cap)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_buf out = RG_BUF_INIT(1 << 20);
	struct rg_err err = RG_ERR_INIT;

	CHECK_INT(run(a, "{{ define \"a\" }}{{ template \"a\" . }}{{ end }}"
			 "{{ template \"a\" . }}",
		      NULL, NULL, &out, &err),
		  RG_ELIMIT);
	CHECK(strstr(err.msg, "RG_CAP_TMPL_DEPTH") != NULL);
	rg_buf_release(&out);
	rg_arena_free(a);
}

TEST(include_recursion_helm_limit)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_buf out = RG_BUF_INIT(1 << 20);
	struct rg_err err = RG_ERR_INIT;

	CHECK_INT(run(a, "{{ define \"a\" }}{{ include \"a\" . }}{{ end }}"
			 "{{ include \"a\" . }}",
		      NULL, NULL, &out, &err),
		  RG_ELIMIT);
	CHECK(strstr(err.msg, "rendering template has a nested reference "
			      "name: a: unable to execute template") != NULL);
	rg_buf_release(&out);
	rg_arena_free(a);
}

TEST(parse_depth_cap)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_buf out = RG_BUF_INIT(1 << 20);
	struct rg_buf t = RG_BUF_INIT(1 << 20);
	struct rg_err err = RG_ERR_INIT;

	(void)rg_buf_adds(&t, "{{ ");
	for (int i = 0; i < 2000; i++)
		(void)rg_buf_addch(&t, '(');
	(void)rg_buf_adds(&t, "1");
	for (int i = 0; i < 2000; i++)
		(void)rg_buf_addch(&t, ')');
	(void)rg_buf_adds(&t, " }}");
	CHECK_INT(run(a, t.ptr, NULL, NULL, &out, &err), RG_ELIMIT);
	CHECK(strstr(err.msg, "RG_CAP_TMPL_PARSE_DEPTH") != NULL);
	rg_buf_release(&t);
	rg_buf_release(&out);
	rg_arena_free(a);
}

static int fn_twice(struct rg_node **out, struct rg_tmpl_call *c,
		    struct rg_node *const *args, size_t nargs)
{
	struct rg_str s;
	int rc = rg_tmpl_arg_str(&s, c, args, 0);

	(void)nargs;
	if (rc < 0)
		return rc;
	if (s.len == 0)
		return rg_tmpl_fail(c, "empty input");
	*out = rg_node_strn(c->arena, s.ptr, s.len);
	return 0;
}

static int fn_rand(struct rg_node **out, struct rg_tmpl_call *c,
		   struct rg_node *const *args, size_t nargs)
{
	(void)args;
	(void)nargs;
	*out = rg_tmpl_int64(c->arena, (int64_t)(rg_tmpl_call_seed(c) % 1000));
	return 0;
}

static const struct rg_tmpl_func test_funcs[] = {
	{ "twice", fn_twice, 1, 1, 0 },
	{ "rnd", fn_rand, 0, 0, RG_TMPL_FN_VOLATILE },
	{ NULL, NULL, 0, 0, 0 },
};

TEST(custom_functions_and_errors)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tmpl_set *set = rg_tmpl_set_new(a);
	struct rg_buf out = RG_BUF_INIT(1 << 20);
	struct rg_err err = RG_ERR_INIT;
	const char *t1 = "{{ twice \"ab\" }}";
	const char *t2 = "{{ twice \"\" }}";
	const char *t3 = "{{ twice 3.5 }}";

	rg_tmpl_set_funcs(set, test_funcs);
	CHECK_INT(rg_tmpl_parse(set, "t1", t1, strlen(t1), &err), 0);
	CHECK_INT(rg_tmpl_parse(set, "t2", t2, strlen(t2), &err), 0);
	CHECK_INT(rg_tmpl_parse(set, "t3", t3, strlen(t3), &err), 0);
	CHECK_INT(rg_tmpl_exec(&out, set, "t1", NULL, NULL, &err), 0);
	CHECK_STR(out.ptr, "ab");
	CHECK_INT(rg_tmpl_exec(&out, set, "t2", NULL, NULL, &err), RG_ERROR);
	CHECK_STR(err.msg, "template: t2:1:3: executing \"t2\" at <twice \"\">: "
			   "error calling twice: empty input");
	CHECK_INT(rg_tmpl_exec(&out, set, "t3", NULL, NULL, &err), RG_ERROR);
	/* a literal for a string parameter, worded as Go's evalArg */
	CHECK_STR(err.msg, "template: t3:1:9: executing \"t3\" at <3.5>: "
			   "expected string; found 3.5");
	CHECK_INT(rg_tmpl_exec(&out, set, "nope", NULL, NULL, &err),
		  RG_ENOTFOUND);
	rg_buf_release(&out);
	rg_arena_free(a);
}

TEST(volatile_seed_per_site)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tmpl_set *set = rg_tmpl_set_new(a);
	struct rg_buf o1 = RG_BUF_INIT(1 << 20), o2 = RG_BUF_INIT(1 << 20);
	struct rg_err err = RG_ERR_INIT;
	const char *t = "{{ rnd }} {{ rnd }}{{ range $.l }} {{ rnd }}{{ end }}";
	struct rg_node *dot = rg_node_map(a);
	struct rg_node *l = rg_node_seq(a);
	char *first, *sp;

	rg_seq_push(a, l, rg_node_int(a, 1));
	rg_seq_push(a, l, rg_node_int(a, 2));
	rg_map_set(a, dot, "l", 1, l);
	rg_tmpl_set_funcs(set, test_funcs);
	CHECK_INT(rg_tmpl_parse(set, "t", t, strlen(t), &err), 0);
	CHECK_INT(rg_tmpl_exec(&o1, set, "t", dot, NULL, &err), 0);
	CHECK_INT(rg_tmpl_exec(&o2, set, "t", dot, NULL, &err), 0);
	/* same template, same output */
	CHECK_STR(o1.ptr, o2.ptr);
	/* two call sites give different values (almost surely) */
	first = rg_arena_strdup(a, o1.ptr);
	sp = strchr(first, ' ');
	CHECK(sp != NULL);
	*sp = 0;
	CHECK(strncmp(first, sp + 1, strlen(first)) != 0 ||
	      strlen(first) != strcspn(sp + 1, " "));
	rg_buf_release(&o1);
	rg_buf_release(&o2);
	rg_arena_free(a);
}

static int fn_get(struct rg_node **out, struct rg_tmpl_call *c,
		  struct rg_node *const *args, size_t nargs)
{
	struct rg_str s;
	int rc = rg_tmpl_arg_str(&s, c, args, 1);

	(void)nargs;
	if (rc < 0)
		return rc;
	*out = rg_node_str(c->arena, rg_arena_printf(c->arena, "content of %s",
						     s.ptr));
	return 0;
}

static const struct rg_tmpl_func get_method = { "Get", fn_get, 2, 2, 0 };

TEST(methods_and_structs)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tmpl_set *set = rg_tmpl_set_new(a);
	struct rg_buf out = RG_BUF_INIT(1 << 20);
	struct rg_err err = RG_ERR_INIT;
	struct rg_node *dot = rg_node_map(a);
	struct rg_node *files = rg_node_map(a);
	struct rg_node *meta = rg_node_map(a);
	const char *t = "{{ .Files.Get \"a.txt\" }}|{{ .Chart.Name }}|"
			"{{ printf \"%T\" .Chart }}";
	const char *bad = "{{ .Chart.Nope }}";
	int id = rg_tmpl_set_method(set, &get_method);
	int tag = rg_tmpl_set_struct(set, "*chart.Metadata");

	CHECK(tag >= RG_GT_STRUCT);
	CHECK_INT(rg_tmpl_set_struct(set, "*chart.Metadata"), tag);
	rg_map_set(a, files, "Get", 3, rg_tmpl_method_node(a, id));
	meta->tag = (uint8_t)tag;
	rg_map_set(a, meta, "Name", 4, rg_node_str(a, "c"));
	rg_map_set(a, dot, "Files", 5, files);
	rg_map_set(a, dot, "Chart", 5, meta);
	CHECK_INT(rg_tmpl_parse(set, "t", t, strlen(t), &err), 0);
	CHECK_INT(rg_tmpl_parse(set, "bad", bad, strlen(bad), &err), 0);
	CHECK_INT(rg_tmpl_exec(&out, set, "t", dot, NULL, &err), 0);
	CHECK_STR(out.ptr, "content of a.txt|c|*chart.Metadata");
	CHECK_INT(rg_tmpl_exec(&out, set, "bad", dot, NULL, &err), RG_ERROR);
	/* held in a map, so Go names the interface type (as Helm shows) */
	CHECK(strstr(err.msg, "can't evaluate field Nope in type "
			      "interface {}") != NULL);
	rg_buf_release(&out);
	rg_arena_free(a);
}

TEST(redefinition_rules)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tmpl_set *set = rg_tmpl_set_new(a);
	struct rg_buf out = RG_BUF_INIT(1 << 20);
	struct rg_err err = RG_ERR_INIT;
	const char *f1 = "{{ define \"x\" }}one{{ end }}";
	const char *f2 = "{{ define \"x\" }}two{{ end }}";
	const char *f3 = "{{ define \"x\" }}  {{ end }}";
	const char *m = "{{ template \"x\" }}";

	/* text/template: a later non-empty definition replaces, an empty
	 * one never does (template.go associate) */
	CHECK_INT(rg_tmpl_parse(set, "f1", f1, strlen(f1), &err), 0);
	CHECK_INT(rg_tmpl_parse(set, "f2", f2, strlen(f2), &err), 0);
	CHECK_INT(rg_tmpl_parse(set, "f3", f3, strlen(f3), &err), 0);
	CHECK_INT(rg_tmpl_parse(set, "m", m, strlen(m), &err), 0);
	CHECK(rg_tmpl_has(set, "x"));
	CHECK_INT(rg_tmpl_exec(&out, set, "m", NULL, NULL, &err), 0);
	CHECK_STR(out.ptr, "two");
	rg_buf_release(&out);
	rg_arena_free(a);
}

TEST(template_size_cap)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tmpl_set *set = rg_tmpl_set_new(a);
	struct rg_err err = RG_ERR_INIT;
	size_t n = RG_CAP_TMPL_BYTES + 1;
	char *big = rg_xcalloc(n + 1, 1);

	memset(big, 'x', n);
	CHECK_INT(rg_tmpl_parse(set, "big", big, n, &err), RG_ELIMIT);
	CHECK(strstr(err.msg, "RG_CAP_TMPL_BYTES") != NULL);
	free(big);
	rg_arena_free(a);
}

TEST(truth_and_types)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *bytes = rg_node_str(a, "x");

	CHECK(!rg_tmpl_truth(NULL));
	CHECK(!rg_tmpl_truth(rg_node_null(a)));
	CHECK(!rg_tmpl_truth(rg_node_float(a, 0)));
	CHECK(rg_tmpl_truth(rg_node_float(a, 0.1)));
	CHECK(!rg_tmpl_truth(rg_node_seq(a)));
	bytes->tag = RG_GT_BYTES;
	CHECK_STR(rg_tmpl_typename(NULL, bytes), "[]uint8");
	CHECK_STR(rg_tmpl_kindname(bytes), "slice");
	CHECK_STR(rg_tmpl_typename(NULL, rg_tmpl_int64(a, 1)), "int64");
	CHECK_STR(rg_tmpl_kindname(NULL), "invalid");
	CHECK_STR(rg_tmpl_typename(NULL, NULL), "<nil>");
	rg_arena_free(a);
}
