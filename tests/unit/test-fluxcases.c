/*
 * test-fluxcases.c - golden cases for the Flux and Argo CD renderers, one
 * "ok"/"not ok" line per case.
 *
 * A case is a directory tests/cases/flux/<case>/ or tests/cases/argo/<case>/:
 *   in/               the repository (loaded into an in-memory tree; dot
 *                     files included)
 *   entry             the entry folder inside in/ (one line; "" = root)
 *   opts              optional lines: "source ns/name", "url URL",
 *                     "strict"
 *   expected.yaml     the objects the controllers would apply, as a YAML
 *                     stream in any order: compared as a set by identity
 *                     key (objects.h) with equal field trees and scalar
 *                     types, or
 *   expected-error    a substring the error message must contain
 *   expected-findings optional: one finding per line, "<rule> <message
 *                     substring>"; every finding must match exactly one
 *                     line and every line one finding (none expected when
 *                     the file is absent)
 * RG_TEST_FILTER=substr runs the matching cases only; RG_CASE_DUMP=1
 * prints what each case rendered and found.
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/argo.h"
#include "rendergate/buf.h"
#include "rendergate/doc.h"
#include "rendergate/finding.h"
#include "rendergate/flux.h"
#include "rendergate/objects.h"
#include "rendergate/tree.h"

#include <dirent.h>
#include <sys/stat.h>

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

static int load_dir(struct rg_tree *t, const char *disk, const char *rel)
{
	char path[4096];
	DIR *d;
	struct dirent *e;
	int rc = 0;

	snprintf(path, sizeof(path), "%s%s%s", disk, *rel ? "/" : "", rel);
	d = opendir(path);
	if (!d)
		return -1;
	while (!rc && (e = readdir(d))) {
		char sub[4096], full[8192];
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "",
			 e->d_name);
		snprintf(full, sizeof(full), "%s/%s", disk, sub);
		if (stat(full, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			rc = load_dir(t, disk, sub);
		} else {
			size_t len = 0;
			char *data = read_file(full, &len);

			if (!data) {
				rc = -1;
				break;
			}
			rc = rg_tree_mem_put(t, sub, data, len, RG_TREE_FILE);
			free(data);
		}
	}
	closedir(d);
	return rc;
}

/* The next line of *cur (NUL-terminated in place), or NULL at the end. */
static char *next_line(char **cur)
{
	char *l = *cur, *nl;

	while (l && *l == '\n')
		l++;
	if (!l || !*l)
		return NULL;
	nl = strchr(l, '\n');
	if (nl) {
		*nl = '\0';
		*cur = nl + 1;
	} else {
		*cur = l + strlen(l);
	}
	return l;
}

static char *trimmed(char *s)
{
	size_t n;

	if (!s)
		return NULL;
	n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
	return s;
}

/* Emit the objset, for failure messages. */
static void dump(const struct rg_objset *s)
{
	struct rg_buf b = RG_BUF_INIT(64u << 20);

	for (size_t i = 0; i < s->len; i++) {
		rg_buf_adds(&b, "---\n");
		rg_doc_emit(&b, s->items[i].doc, 0);
	}
	fprintf(stderr, "%s", b.ptr);
	rg_buf_release(&b);
}

static bool findings_match(const char *dir, const struct rg_findings *f)
{
	char path[4096];
	char *text, *line, *cur;
	bool *used = calloc(f->len + 1, sizeof(bool));
	bool ok = true;
	size_t lines = 0, len = 0;

	snprintf(path, sizeof(path), "%s/expected-findings", dir);
	text = read_file(path, &len);
	cur = text;
	while ((line = next_line(&cur))) {
		char *sp = strchr(line, ' ');
		const char *sub = sp ? sp + 1 : "";
		bool hit = false;

		if (sp)
			*sp = '\0';
		lines++;
		for (size_t i = 0; i < f->len && !hit; i++)
			if (!used[i] && !strcmp(f->items[i].rule, line) &&
			    strstr(f->items[i].message, sub)) {
				used[i] = hit = true;
			}
		if (!hit) {
			fprintf(stderr, "  missing finding: %s %s\n", line, sub);
			ok = false;
		}
	}
	for (size_t i = 0; i < f->len; i++)
		if (!used[i]) {
			fprintf(stderr, "  unexpected finding: %s %s\n",
				f->items[i].rule, f->items[i].message);
			ok = false;
		}
	(void)lines;
	free(text);
	free(used);
	return ok;
}

static bool compare(const struct rg_objset *got, const struct rg_objset *want)
{
	bool ok = got->len == want->len;

	for (size_t i = 0; ok && i < got->len; i++) {
		if (strcmp(got->items[i].key, want->items[i].key)) {
			fprintf(stderr, "  object %zu: got %s, want %s\n", i,
				got->items[i].key, want->items[i].key);
			return false;
		}
		if (!rg_node_equal(got->items[i].doc, want->items[i].doc)) {
			fprintf(stderr, "  object %s differs\n",
				got->items[i].key);
			return false;
		}
	}
	if (!ok) {
		fprintf(stderr, "  got %zu objects, want %zu:\n", got->len,
			want->len);
		for (size_t i = 0; i < got->len; i++)
			fprintf(stderr, "    got  %s\n", got->items[i].key);
		for (size_t i = 0; i < want->len; i++)
			fprintf(stderr, "    want %s\n", want->items[i].key);
	}
	return ok;
}

static bool run_case(const char *kind, const char *dir)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tree *t = rg_tree_mem_new(a, "case");
	struct rg_objset got, want;
	struct rg_findings findings;
	struct rg_err err = RG_ERR_INIT;
	char path[4096], *entry, *experr, *exp, *opts;
	const char *sources[8], *urls[8];
	size_t len = 0, nsrc = 0, nurl = 0;
	bool strict = false, ok = true;
	int rc;

	rg_objset_init(&got, a);
	rg_objset_init(&want, a);
	rg_finding_init(&findings, a);
	snprintf(path, sizeof(path), "%s/in", dir);
	if (load_dir(t, path, "") < 0) {
		fprintf(stderr, "  cannot load %s\n", path);
		rg_tree_free(t);
		rg_arena_free(a);
		return false;
	}
	snprintf(path, sizeof(path), "%s/entry", dir);
	entry = trimmed(read_file(path, &len));
	snprintf(path, sizeof(path), "%s/opts", dir);
	opts = read_file(path, &len);
	for (char *cur = opts, *l; (l = next_line(&cur));) {
		if (!strncmp(l, "source ", 7) && nsrc < 8)
			sources[nsrc++] = rg_arena_strdup(a, l + 7);
		else if (!strncmp(l, "url ", 4) && nurl < 8)
			urls[nurl++] = rg_arena_strdup(a, l + 4);
		else if (!strcmp(l, "strict"))
			strict = true;
	}
	if (!strcmp(kind, "flux")) {
		struct rg_flux_opts o;

		memset(&o, 0, sizeof(o));
		o.sources = nsrc ? sources : NULL;
		o.nsources = nsrc;
		o.repo_urls = nurl ? urls : NULL;
		o.nrepo_urls = nurl;
		o.env = "test";
		o.strict = strict;
		rc = rg_flux_build(&got, &findings, t, entry ? entry : "", &o,
				   a, &err);
	} else {
		struct rg_argo_opts o;

		memset(&o, 0, sizeof(o));
		o.repo_urls = nurl ? urls : NULL;
		o.nrepo_urls = nurl;
		o.env = "test";
		rc = rg_argo_build(&got, &findings, t, entry ? entry : "", &o,
				   a, &err);
	}
	snprintf(path, sizeof(path), "%s/expected-error", dir);
	experr = trimmed(read_file(path, &len));
	if (experr) {
		char msg[2048];

		rg_err_format(&err, msg, sizeof(msg));
		if (rc >= 0 || !strstr(msg, experr)) {
			fprintf(stderr, "  want error containing '%s', got %d: %s\n",
				experr, rc, rc < 0 ? msg : "(success)");
			ok = false;
		}
		goto out;
	}
	if (rc < 0) {
		char msg[2048];

		rg_err_format(&err, msg, sizeof(msg));
		fprintf(stderr, "  error: %s\n", msg);
		ok = false;
		goto out;
	}
	if (getenv("RG_CASE_DUMP")) {
		rg_objset_sort(&got);
		dump(&got);
		for (size_t i = 0; i < findings.len; i++)
			fprintf(stderr, "finding: %s %s\n",
				findings.items[i].rule,
				findings.items[i].message);
	}
	snprintf(path, sizeof(path), "%s/expected.yaml", dir);
	exp = read_file(path, &len);
	if (exp) {
		struct rg_docs docs;

		if (rg_doc_parse(&docs, a, "expected.yaml", exp, len, 0, &err) <
		    0) {
			fprintf(stderr, "  expected.yaml: %s\n", err.msg);
			ok = false;
		}
		for (size_t i = 0; ok && i < docs.len; i++)
			rg_objset_add_doc(NULL, &want, docs.docs[i], NULL,
					  "expected", NULL, &err);
		free(exp);
		rg_objset_sort(&got);
		rg_objset_sort(&want);
		if (ok && !compare(&got, &want)) {
			dump(&got);
			ok = false;
		}
	}
	if (!findings_match(dir, &findings))
		ok = false;
out:
	free(entry);
	free(experr);
	free(opts);
	rg_tree_free(t);
	rg_arena_free(a);
	return ok;
}

static int name_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

int main(void)
{
	static const char *const kinds[] = {"flux", "argo"};
	const char *filter = getenv("RG_TEST_FILTER");
	size_t passed = 0, failed = 0;

	for (size_t k = 0; k < 2; k++) {
		char base[256], *names[1024];
		size_t n = 0;
		DIR *d;
		struct dirent *e;

		snprintf(base, sizeof(base), "tests/cases/%s", kinds[k]);
		d = opendir(base);
		if (!d)
			continue;
		while ((e = readdir(d)) && n < 1024)
			if (e->d_name[0] != '.')
				names[n++] = strdup(e->d_name);
		closedir(d);
		qsort(names, n, sizeof(*names), name_cmp);
		for (size_t i = 0; i < n; i++) {
			char dir[1024];
			bool ok;

			snprintf(dir, sizeof(dir), "%s/%s", base, names[i]);
			if (filter && !strstr(dir, filter)) {
				free(names[i]);
				continue;
			}
			ok = run_case(kinds[k], dir);
			printf("%s - %s\n", ok ? "ok" : "not ok", dir);
			fflush(stdout);
			if (ok)
				passed++;
			else
				failed++;
			free(names[i]);
		}
	}
	printf("test-fluxcases: %zu passed, %zu failed\n", passed, failed);
	return failed ? 1 : 0;
}
