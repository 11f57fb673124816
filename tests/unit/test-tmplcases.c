/*
 * test-tmplcases.c - runs every tests/cases/tmpl/NAME.case through the
 * template engine and reports each case as its own "ok"/"not ok" line.
 *
 * Case format (see tests/tmpl-oracle.sh, which runs the same file
 * through real Helm): sections start with a line "--- <section>"; a
 * section's content is the lines up to the next "---" line joined with
 * "\n" (no final newline; an empty last line means a trailing newline).
 * Lines before the first section starting with '#' are comments.
 *   --- template          main template, "test/templates/_t.yaml"
 *   --- template NAME     more template files, "test/templates/NAME"
 *   --- values            YAML for .Values (numbers become float64) in a
 *                         Helm-like dot; Helm's <no value> stripping and
 *                         error rewriting apply
 *   --- data              YAML (go-yaml v2 types) as the whole dot; plain
 *                         Go text/template (no stripping)
 *   --- output            exact expected output
 *   --- error             substring the error message must contain
 * Templates are parsed in Helm's order (reverse lexical by name).
 * RG_TEST_FILTER=substr runs the matching case files only.
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/doc.h"
#include "rendergate/funcs.h"
#include "rendergate/tmpl.h"

#include <dirent.h>

#define CASE_DIR "tests/cases/tmpl"
#define MAIN_NAME "test/templates/_t.yaml"

struct tfile {
	char *name;
	char *text;
	size_t len;
};

struct tcase {
	struct tfile files[32];
	size_t nfiles;
	char *values, *data, *output, *error;
	bool has_values, has_data, has_output, has_error;
};

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct rg_buf b = RG_BUF_INIT(64u << 20);
	char chunk[8192];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (rg_buf_add(&b, chunk, n) < 0)
			break;
	fclose(f);
	return rg_buf_detach(&b, len);
}

/* Split into sections; returns 0 or -1 with a message. */
static int parse_case(struct tcase *tc, char *text, size_t len,
		      const char **why)
{
	char *p = text, *end = text + len;
	char **cur = NULL;
	bool *has = NULL;
	struct rg_buf body = RG_BUF_INIT(64u << 20);
	bool first_line = true;

	memset(tc, 0, sizeof(*tc));
	/* a final newline ends the last line, it is not an empty line */
	if (len > 0 && text[len - 1] == '\n')
		end--;
	while (p <= end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (ll >= 3 && !strncmp(p, "---", 3) &&
		    (ll == 3 || p[3] == ' ')) {
			char sec[256];

			if (cur) {
				*cur = rg_buf_detach(&body, NULL);
				*has = true;
			}
			rg_buf_reset(&body);
			first_line = true;
			snprintf(sec, sizeof(sec), "%.*s",
				 (int)(ll > 4 ? ll - 4 : 0), p + 4);
			if (!strncmp(sec, "template", 8)) {
				struct tfile *f;
				const char *nm = sec[8] == ' ' ? sec + 9 : NULL;
				static bool dummy;

				if (tc->nfiles >= RG_ARRAY_SIZE(tc->files)) {
					*why = "too many templates";
					return -1;
				}
				f = &tc->files[tc->nfiles++];
				if (nm) {
					size_t nl2 = strlen("test/templates/") +
						     strlen(nm) + 1;

					f->name = rg_xmalloc(nl2);
					snprintf(f->name, nl2,
						 "test/templates/%s", nm);
				} else {
					f->name = rg_xstrdup(MAIN_NAME);
				}
				cur = &f->text;
				has = &dummy;
			} else if (!strcmp(sec, "values")) {
				cur = &tc->values;
				has = &tc->has_values;
			} else if (!strcmp(sec, "data")) {
				cur = &tc->data;
				has = &tc->has_data;
			} else if (!strcmp(sec, "output")) {
				cur = &tc->output;
				has = &tc->has_output;
			} else if (!strcmp(sec, "error")) {
				cur = &tc->error;
				has = &tc->has_error;
			} else {
				*why = "unknown section";
				rg_buf_release(&body);
				return -1;
			}
		} else if (cur) {
			if (!first_line)
				(void)rg_buf_addch(&body, '\n');
			(void)rg_buf_add(&body, p, ll);
			first_line = false;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	if (cur) {
		*cur = rg_buf_detach(&body, NULL);
		*has = true;
	}
	rg_buf_release(&body);
	for (size_t i = 0; i < tc->nfiles; i++)
		tc->files[i].len = strlen(tc->files[i].text);
	if (!tc->has_output && !tc->has_error) {
		*why = "no --- output or --- error section";
		return -1;
	}
	return 0;
}

static void free_case(struct tcase *tc)
{
	for (size_t i = 0; i < tc->nfiles; i++) {
		free(tc->files[i].name);
		free(tc->files[i].text);
	}
	free(tc->values);
	free(tc->data);
	free(tc->output);
	free(tc->error);
}

static int file_cmp(const void *x, const void *y)
{
	const struct tfile *a = x, *b = y;

	/* Helm's sortTemplates at equal depth: reverse lexical order */
	return strcmp(b->name, a->name);
}

/* Run one case; returns true when it passed, printing why not. */
static bool run_case(const char *path)
{
	struct tcase tc;
	size_t len = 0;
	char *text = read_file(path, &len);
	const char *why = NULL;
	struct rg_arena *a = NULL;
	struct rg_tmpl_set *set;
	struct rg_err err = RG_ERR_INIT;
	struct rg_buf out = RG_BUF_INIT(64u << 20);
	struct rg_node *dot = NULL;
	struct rg_tmpl_opts opts = { 0, 0, 0, NULL };
	bool helm, ok = false;
	int rc = 0;

	if (!text) {
		fprintf(stderr, "  %s: cannot read\n", path);
		return false;
	}
	if (parse_case(&tc, text, len, &why) < 0) {
		fprintf(stderr, "  %s: bad case file: %s\n", path, why);
		free(text);
		return false;
	}
	free(text);
	helm = !tc.has_data;
	a = rg_arena_new();
	set = rg_tmpl_set_new(a);
	if (tc.has_data) {
		rc = rg_doc_parse_one(&dot, a, "data", tc.data,
				      strlen(tc.data), 0, &err);
	} else {
		struct rg_node *v = NULL;

		if (tc.has_values)
			rc = rg_doc_parse_one(&v, a, "values.yaml", tc.values,
					      strlen(tc.values), 0, &err);
		if (rc == 0) {
			if (v && v->kind == RG_NULL)
				v = NULL;
			rg_funcs_helm_numbers(v);
			dot = rg_funcs_standalone_dot(a, set, v);
		}
	}
	if (rc < 0) {
		fprintf(stderr, "  %s: bad YAML: %s\n", path, err.msg);
		goto out;
	}
	qsort(tc.files, tc.nfiles, sizeof(tc.files[0]), file_cmp);
	for (size_t i = 0; i < tc.nfiles && rc == 0; i++) {
		rc = rg_tmpl_parse(set, tc.files[i].name, tc.files[i].text,
				   tc.files[i].len, &err);
		if (rc < 0 && helm && rc == RG_EPARSE)
			rg_funcs_helm_parse_error(&err, tc.files[i].name);
	}
	if (rc == 0) {
		opts.flags = helm ? RG_TMPL_STRIP_NO_VALUE : 0;
		rc = rg_tmpl_exec(&out, set, MAIN_NAME, dot, &opts, &err);
		if (rc < 0 && helm)
			rg_funcs_helm_error(&err);
	}
	if (rc < 0) {
		if (!tc.has_error) {
			fprintf(stderr, "  %s: unexpected error: %s\n", path,
				err.msg);
			goto out;
		}
		if (!strstr(err.msg, tc.error)) {
			fprintf(stderr,
				"  %s: error\n    %s\n  does not contain\n    %s\n",
				path, err.msg, tc.error);
			goto out;
		}
		ok = true;
		goto out;
	}
	if (tc.has_error) {
		fprintf(stderr, "  %s: no error, want one containing \"%s\"; output:\n%s\n",
			path, tc.error, out.ptr);
		goto out;
	}
	if (out.len != strlen(tc.output) || memcmp(out.ptr, tc.output, out.len)) {
		fprintf(stderr, "  %s: output\n---got---\n%s\n---want---\n%s\n---\n",
			path, out.ptr, tc.output);
		goto out;
	}
	ok = true;
out:
	rg_buf_release(&out);
	rg_arena_free(a);
	free_case(&tc);
	return ok;
}

static int name_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

int main(int argc, char **argv)
{
	const char *filter = getenv("RG_TEST_FILTER");
	const char *prog = strrchr(argv[0], '/');
	DIR *d = opendir(CASE_DIR);
	struct dirent *e;
	char **names = NULL;
	size_t nn = 0, na = 0, passed = 0, failed = 0;

	prog = prog ? prog + 1 : argv[0];
	if (!d) {
		printf("not ok - %s missing\n", CASE_DIR);
		printf("%s: 0 passed, 1 failed\n", prog);
		return 1;
	}
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (l < 6 || strcmp(e->d_name + l - 5, ".case"))
			continue;
		if (argc > 1 ? !strstr(e->d_name, argv[1])
			     : (filter && !strstr(e->d_name, filter)))
			continue;
		RG_ALLOC_GROW(names, nn + 1, na);
		names[nn++] = rg_xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, nn, sizeof(*names), name_cmp);
	for (size_t i = 0; i < nn; i++) {
		char path[1024];

		snprintf(path, sizeof(path), "%s/%s", CASE_DIR, names[i]);
		fflush(stdout);
		if (run_case(path)) {
			printf("ok - %s\n", names[i]);
			passed++;
		} else {
			fflush(stderr);
			printf("not ok - %s\n", names[i]);
			failed++;
		}
		free(names[i]);
	}
	free(names);
	printf("%s: %zu passed, %zu failed\n", prog, passed, failed);
	fflush(stdout);
	return failed ? 1 : 0;
}
