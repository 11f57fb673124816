/*
 * test-tmplparse.c - the parser against Go's own parser tests: rows of
 * parseTests in text/template/parse/parse_test.go that hold for Go 1.18
 * (no `else with`, no complex constants, Go's default nesting limit), each
 * with the tree printed the way that test prints it (text quoted).
 */
#include "test.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/tmpl.h"
#include "rendergate/tmpl_int.h"

struct ptest {
	const char *name, *input;
	bool ok;
	const char *result;
};

static const struct ptest ptests[] = {
	{ "empty", "", true, "" },
	{ "comment", "{{/*\n\n\n*/}}", true, "" },
	{ "spaces", " \t\n", true, "\" \\t\\n\"" },
	{ "text", "some text", true, "\"some text\"" },
	{ "emptyAction", "{{}}", false, NULL },
	{ "field", "{{.X}}", true, "{{.X}}" },
	{ "simple command", "{{printf}}", true, "{{printf}}" },
	{ "$ invocation", "{{$}}", true, "{{$}}" },
	{ "variable invocation", "{{with $x := 3}}{{$x 23}}{{end}}", true,
	  "{{with $x := 3}}{{$x 23}}{{end}}" },
	{ "variable with fields", "{{$.I}}", true, "{{$.I}}" },
	{ "multi-word command", "{{printf `%d` 23}}", true,
	  "{{printf `%d` 23}}" },
	{ "pipeline", "{{.X|.Y}}", true, "{{.X | .Y}}" },
	{ "pipeline with decl", "{{$x := .X|.Y}}", true, "{{$x := .X | .Y}}" },
	{ "nested pipeline", "{{.X (.Y .Z) (.A | .B .C) (.E)}}", true,
	  "{{.X (.Y .Z) (.A | .B .C) (.E)}}" },
	{ "field applied to parentheses", "{{(.Y .Z).Field}}", true,
	  "{{(.Y .Z).Field}}" },
	{ "simple if", "{{if .X}}hello{{end}}", true,
	  "{{if .X}}\"hello\"{{end}}" },
	{ "if with else", "{{if .X}}true{{else}}false{{end}}", true,
	  "{{if .X}}\"true\"{{else}}\"false\"{{end}}" },
	{ "if with else if", "{{if .X}}true{{else if .Y}}false{{end}}", true,
	  "{{if .X}}\"true\"{{else}}{{if .Y}}\"false\"{{end}}{{end}}" },
	{ "if else chain", "+{{if .X}}X{{else if .Y}}Y{{else if .Z}}Z{{end}}+",
	  true,
	  "\"+\"{{if .X}}\"X\"{{else}}{{if .Y}}\"Y\"{{else}}{{if .Z}}\"Z\"{{end}}"
	  "{{end}}{{end}}\"+\"" },
	{ "simple range", "{{range .X}}hello{{end}}", true,
	  "{{range .X}}\"hello\"{{end}}" },
	{ "chained field range", "{{range .X.Y.Z}}hello{{end}}", true,
	  "{{range .X.Y.Z}}\"hello\"{{end}}" },
	{ "nested range", "{{range .X}}hello{{range .Y}}goodbye{{end}}{{end}}",
	  true, "{{range .X}}\"hello\"{{range .Y}}\"goodbye\"{{end}}{{end}}" },
	{ "range with else", "{{range .X}}true{{else}}false{{end}}", true,
	  "{{range .X}}\"true\"{{else}}\"false\"{{end}}" },
	{ "range over pipeline", "{{range .X|.M}}true{{else}}false{{end}}", true,
	  "{{range .X | .M}}\"true\"{{else}}\"false\"{{end}}" },
	{ "range []int", "{{range .SI}}{{.}}{{end}}", true,
	  "{{range .SI}}{{.}}{{end}}" },
	{ "range 1 var", "{{range $x := .SI}}{{.}}{{end}}", true,
	  "{{range $x := .SI}}{{.}}{{end}}" },
	{ "range 2 vars", "{{range $x, $y := .SI}}{{.}}{{end}}", true,
	  "{{range $x, $y := .SI}}{{.}}{{end}}" },
	{ "range with break", "{{range .SI}}{{.}}{{break}}{{end}}", true,
	  "{{range .SI}}{{.}}{{break}}{{end}}" },
	{ "range with continue", "{{range .SI}}{{.}}{{continue}}{{end}}", true,
	  "{{range .SI}}{{.}}{{continue}}{{end}}" },
	{ "constants", "{{range .SI 1 -3.2 true false 'a' nil}}{{end}}", true,
	  "{{range .SI 1 -3.2 true false 'a' nil}}{{end}}" },
	{ "template", "{{template `x`}}", true, "{{template \"x\"}}" },
	{ "template with arg", "{{template `x` .Y}}", true,
	  "{{template \"x\" .Y}}" },
	{ "with", "{{with .X}}hello{{end}}", true, "{{with .X}}\"hello\"{{end}}" },
	{ "with with else", "{{with .X}}hello{{else}}goodbye{{end}}", true,
	  "{{with .X}}\"hello\"{{else}}\"goodbye\"{{end}}" },
	{ "trim left", "x \r\n\t{{- 3}}", true, "\"x\"{{3}}" },
	{ "trim right", "{{3 -}}\n\n\ty", true, "{{3}}\"y\"" },
	{ "trim left and right", "x \r\n\t{{- 3 -}}\n\n\ty", true,
	  "\"x\"{{3}}\"y\"" },
	{ "trim with extra spaces", "x\n{{-  3   -}}\ny", true,
	  "\"x\"{{3}}\"y\"" },
	{ "comment trim left", "x \r\n\t{{- /* hi */}}", true, "\"x\"" },
	{ "comment trim right", "{{/* hi */ -}}\n\n\ty", true, "\"y\"" },
	{ "comment trim left and right", "x \r\n\t{{- /* */ -}}\n\n\ty", true,
	  "\"x\"\"y\"" },
	{ "block definition", "{{block \"foo\" .}}hello{{end}}", true,
	  "{{template \"foo\" .}}" },
	{ "newline in assignment", "{{ $x \n := \n 1 \n }}", true,
	  "{{$x := 1}}" },
	{ "newline in empty action", "{{\n}}", false, NULL },
	{ "newline in pipeline", "{{\n\"x\"\n|\nprintf\n}}", true,
	  "{{\"x\" | printf}}" },
	{ "newline in comment", "{{/*\nhello\n*/}}", true, "" },
	{ "newline in comment 2", "{{-\n/*\nhello\n*/\n-}}", true, "" },
	{ "spaces around continue", "{{range .SI}}{{.}}{{ continue }}{{end}}",
	  true, "{{range .SI}}{{.}}{{continue}}{{end}}" },
	{ "spaces around break", "{{range .SI}}{{.}}{{ break }}{{end}}", true,
	  "{{range .SI}}{{.}}{{break}}{{end}}" },
	{ "unclosed action", "hello{{range", false, NULL },
	{ "unmatched end", "{{end}}", false, NULL },
	{ "unmatched else", "{{else}}", false, NULL },
	{ "unmatched else after if", "{{if .X}}hello{{end}}{{else}}", false,
	  NULL },
	{ "multiple else", "{{if .X}}1{{else}}2{{else}}3{{end}}", false, NULL },
	{ "missing end", "hello{{range .x}}", false, NULL },
	{ "missing end after else", "hello{{range .x}}{{else}}", false, NULL },
	{ "undefined function", "hello{{undefined}}", false, NULL },
	{ "undefined variable", "{{$x}}", false, NULL },
	{ "variable undefined after end", "{{with $x := 4}}{{end}}{{$x}}", false,
	  NULL },
	{ "variable undefined in template", "{{template $v}}", false, NULL },
	{ "declare with field", "{{with $x.Y := 4}}{{end}}", false, NULL },
	{ "template with field ref", "{{template .X}}", false, NULL },
	{ "invalid punctuation", "{{printf 3, 4}}", false, NULL },
	{ "multidecl outside range", "{{with $v, $u := 3}}{{end}}", false, NULL },
	{ "too many decls in range", "{{range $u, $v, $w := 3}}{{end}}", false,
	  NULL },
	{ "dot applied to parentheses", "{{printf (printf .).}}", false, NULL },
	{ "adjacent args", "{{printf 3`x`}}", false, NULL },
	{ "adjacent args with .", "{{printf `x`.}}", false, NULL },
	{ "extra end after if", "{{if .X}}a{{else if .Y}}b{{end}}{{end}}", false,
	  NULL },
	{ "break outside range", "{{range .}}{{end}} {{break}}", false, NULL },
	{ "continue outside range", "{{range .}}{{end}} {{continue}}", false,
	  NULL },
	{ "break in range else", "{{range .}}{{else}}{{break}}{{end}}", false,
	  NULL },
	{ "continue in range else", "{{range .}}{{else}}{{continue}}{{end}}",
	  false, NULL },
	{ "bug0a", "{{$x := 0}}{{$x}}", true, "{{$x := 0}}{{$x}}" },
	{ "bug0b", "{{$x += 1}}{{$x}}", false, NULL },
	{ "bug0c", "{{$x ! 2}}{{$x}}", false, NULL },
	{ "bug0d", "{{$x % 3}}{{$x}}", false, NULL },
	{ "bug0e", "{{range $x := $y := 3}}{{end}}", false, NULL },
	{ "bug1a", "{{$x:=.}}{{$x!2}}", false, NULL },
	{ "bug1b", "{{$x:=.}}{{$x+2}}", false, NULL },
	{ "bug1c", "{{$x:=.}}{{$x +2}}", true, "{{$x := .}}{{$x +2}}" },
	{ "bug2a", "{{range $x := 0}}{{$x}}{{end}}", true,
	  "{{range $x := 0}}{{$x}}{{end}}" },
	{ "bug2b", "{{range $x = 0}}{{$x}}{{end}}", true,
	  "{{range $x = 0}}{{$x}}{{end}}" },
	{ "dot after integer", "{{1.E}}", false, NULL },
	{ "dot after float", "{{0.1.E}}", false, NULL },
	{ "dot after boolean", "{{true.E}}", false, NULL },
	{ "dot after char", "{{'a'.any}}", false, NULL },
	{ "dot after string", "{{\"hello\".guys}}", false, NULL },
	{ "dot after dot", "{{..E}}", false, NULL },
	{ "dot after nil", "{{nil.E}}", false, NULL },
	{ "wrong pipeline dot", "{{12|.}}", false, NULL },
	{ "wrong pipeline number", "{{.|12|printf}}", false, NULL },
	{ "wrong pipeline string", "{{.|printf|\"error\"}}", false, NULL },
	{ "wrong pipeline char", "{{12|printf|'e'}}", false, NULL },
	{ "wrong pipeline boolean", "{{.|true}}", false, NULL },
	{ "wrong pipeline nil", "{{'c'|nil}}", false, NULL },
	{ "empty pipeline", "{{printf \"%d\" ( ) }}", false, NULL },
	{ "block without pipeline", "{{block \"foo\"}}hello{{end}}", false, NULL },
	{ "paren nesting", "{{ ((( 1 ))) | printf }}", true,
	  "{{(((1))) | printf}}" },
	{ "paren nesting in if", "{{ if ((( true ))) }}YES{{ end }}", true,
	  "{{if (((true)))}}\"YES\"{{end}}" },
	{ "control structure nesting",
	  "{{if .X}}{{with .Y}}{{range .Z}}x{{end}}{{end}}{{end}}", true,
	  "{{if .X}}{{with .Y}}{{range .Z}}\"x\"{{end}}{{end}}{{end}}" },
};

TEST(go_parse_tests)
{
	size_t bad = 0;

	for (size_t i = 0; i < RG_ARRAY_SIZE(ptests); i++) {
		const struct ptest *t = &ptests[i];
		struct rg_arena *a = rg_arena_new();
		struct rg_tmpl_set *set = rg_tmpl_set_new(a);
		struct rg_err err = RG_ERR_INIT;
		struct rg_buf b = RG_BUF_INIT(1 << 16);
		int rc = rg_tmpl_parse(set, t->name, t->input, strlen(t->input),
				       &err);

		if (t->ok && rc < 0) {
			fprintf(stderr, "  %s: unexpected error: %s\n", t->name,
				err.msg);
			bad++;
		} else if (!t->ok && rc == 0) {
			fprintf(stderr, "  %s: expected an error\n", t->name);
			bad++;
		} else if (t->ok) {
			rg_tmpl_tree_string(&b, set, t->name);
			if (strcmp(b.ptr, t->result)) {
				fprintf(stderr, "  %s: got %s want %s\n",
					t->name, b.ptr, t->result);
				bad++;
			}
		}
		rg_buf_release(&b);
		rg_arena_free(a);
	}
	CHECK_INT(bad, 0);
}

TEST(go_is_empty_tests)
{
	/* parse_test.go isEmptyTests: only whitespace, comments and
	 * definitions leave a template empty (it then never replaces one) */
	static const struct {
		const char *input;
		bool empty;
	} t[] = {
		{ "", true },
		{ "hello", false },
		{ " \t\n \t\n", true },
		{ "{{/* comment */}}", true },
		{ "{{define \"x\"}}something{{end}}", true },
		{ "{{define `x`}}something{{end}}\n\n{{define `y`}}something{{end}}\n\n",
		  true },
		{ "{{define `x`}}something{{end}}\nx\n{{define `y`}}something{{end}}\ny\n",
		  false },
		{ "{{define `x`}}something{{end}}{{if 3}}foo{{end}}", false },
	};

	for (size_t i = 0; i < RG_ARRAY_SIZE(t); i++) {
		struct rg_arena *a = rg_arena_new();
		struct rg_tmpl_set *set = rg_tmpl_set_new(a);
		struct rg_err err = RG_ERR_INIT;
		const struct rg_ttree *tr;

		CHECK_INT(rg_tmpl_parse(set, "root", t[i].input,
					strlen(t[i].input), &err),
			  0);
		tr = rg_tmpl_hash_get(&set->trees, "root", 4);
		CHECK(tr != NULL);
		CHECK_INT(rg_tmpl_empty_tree(tr->root), t[i].empty);
		rg_arena_free(a);
	}
}
