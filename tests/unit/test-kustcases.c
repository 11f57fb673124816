/*
 * test-kustcases.c - golden cases for the kustomize renderer, one
 * "ok"/"not ok" line per case.
 *
 * A case is a directory tests/cases/kust/<case>/ holding
 *   in/             the files of a repository (loaded into an in-memory tree)
 *   dir             optional: the kustomization directory inside in/
 *                   (default: in/ itself)
 *   expected.yaml   what `kubectl kustomize` (v5.5.0) prints, or
 *   expected-error  a substring the error ("file:line:col: message") must
 *                   contain, when the build must fail
 * Outputs are compared semantically: our output is emitted, parsed back
 * and compared object by object with the parsed expected stream (same
 * identities in the same order, equal field trees and scalar types);
 * byte-identical text is reported as a note, not required.
 * RG_TEST_FILTER=substr runs the matching cases only.
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/doc.h"
#include "rendergate/kust.h"
#include "rendergate/tree.h"

#include <dirent.h>
#include <sys/stat.h>

#define CASE_DIR "tests/cases/kust"

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

/* Put every file below disk/rel into t at rel. */
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

		if (e->d_name[0] == '.')
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

			if (!data)
				return -1;
			rc = rg_tree_mem_put(t, sub, data, len, RG_TREE_FILE);
			free(data);
		}
	}
	closedir(d);
	return rc;
}

static const char *ident(struct rg_arena *a, const struct rg_node *o)
{
	const struct rg_node *v[4] = {
		rg_node_path(o, "apiVersion"), rg_node_path(o, "kind"),
		rg_node_path(o, "metadata.namespace"),
		rg_node_path(o, "metadata.name")
	};
	const char *s[4];

	for (int i = 0; i < 4; i++)
		s[i] = v[i] && rg_node_cstr(v[i]) ? rg_node_cstr(v[i]) : "";
	return rg_arena_printf(a, "%s %s %s/%s", s[0], s[1], s[2], s[3]);
}

/* First path where x and y differ, or NULL. */
static const char *first_diff(struct rg_arena *a, const struct rg_node *x,
			      const struct rg_node *y, const char *path)
{
	if (x->kind != y->kind)
		return rg_arena_printf(a, "%s: %s vs expected %s", path,
				       rg_kind_name(x->kind),
				       rg_kind_name(y->kind));
	if (x->kind == RG_MAP) {
		for (size_t i = 0; i < y->u.map.len; i++) {
			const struct rg_pair *p = &y->u.map.items[i];
			const struct rg_node *o =
				rg_map_get(x, p->key.ptr, p->key.len);
			const char *sub = rg_arena_printf(a, "%s.%s", path,
							  p->key.ptr);
			const char *d;

			if (!o)
				return rg_arena_printf(a, "%s: missing", sub);
			d = first_diff(a, o, p->val, sub);
			if (d)
				return d;
		}
		for (size_t i = 0; i < x->u.map.len; i++)
			if (!rg_map_get(y, x->u.map.items[i].key.ptr,
					x->u.map.items[i].key.len))
				return rg_arena_printf(a, "%s.%s: unexpected",
						       path,
						       x->u.map.items[i].key.ptr);
		return NULL;
	}
	if (x->kind == RG_SEQ) {
		if (x->u.seq.len != y->u.seq.len)
			return rg_arena_printf(a, "%s: %zu items vs expected %zu",
					       path, x->u.seq.len, y->u.seq.len);
		for (size_t i = 0; i < x->u.seq.len; i++) {
			const char *d = first_diff(
				a, x->u.seq.items[i], y->u.seq.items[i],
				rg_arena_printf(a, "%s[%zu]", path, i));

			if (d)
				return d;
		}
		return NULL;
	}
	if (!rg_node_equal(x, y))
		return rg_arena_printf(a, "%s: values differ", path);
	return NULL;
}

static void trim(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = 0;
}

/* Returns NULL on success, else why it failed. */
static const char *run_case(struct rg_arena *a, const char *name, bool *same)
{
	char base[1024], p[1200];
	struct rg_tree *t = rg_tree_mem_new(a, name);
	struct rg_kust_result res;
	struct rg_err err = RG_ERR_INIT;
	struct rg_buf out = RG_BUF_INIT(64u << 20);
	char *dir = NULL, *exp = NULL, *experr = NULL;
	size_t len = 0, elen = 0;
	struct rg_docs got, want;
	const char *why = NULL;
	int rc;

	*same = false;
	snprintf(base, sizeof(base), "%s/%s", CASE_DIR, name);
	snprintf(p, sizeof(p), "%s/in", base);
	if (load_dir(t, p, "")) {
		why = "cannot load in/";
		goto out;
	}
	snprintf(p, sizeof(p), "%s/dir", base);
	dir = read_file(p, &len);
	if (dir)
		trim(dir);
	snprintf(p, sizeof(p), "%s/expected-error", base);
	experr = read_file(p, &len);
	snprintf(p, sizeof(p), "%s/expected.yaml", base);
	exp = read_file(p, &elen);
	if (!exp && !experr) {
		why = "no expected.yaml or expected-error";
		goto out;
	}
	rc = rg_kust_build(&res, a, t, dir ? dir : "", 0, &err);
	if (experr) {
		char msg[2048];

		*same = true; /* no output text to compare */
		trim(experr);
		if (!rc) {
			why = "built, but an error was expected";
			goto out;
		}
		rg_err_format(&err, msg, sizeof(msg));
		if (!strstr(msg, experr))
			why = rg_arena_printf(a, "error \"%s\" lacks \"%s\"", msg,
					      experr);
		goto out;
	}
	if (rc) {
		char msg[2048];

		rg_err_format(&err, msg, sizeof(msg));
		why = rg_arena_printf(a, "build failed: %s", msg);
		goto out;
	}
	if (rg_kust_emit(&out, &res)) {
		why = "emit failed";
		goto out;
	}
	*same = out.len == elen && !memcmp(out.ptr, exp, elen);
	if (rg_doc_parse(&got, a, "output", out.ptr, out.len, RG_PARSE_YAML12,
			 &err) ||
	    rg_doc_parse(&want, a, "expected.yaml", exp, elen, RG_PARSE_YAML12,
			 &err)) {
		why = rg_arena_printf(a, "cannot parse: %s", err.msg);
		goto out;
	}
	if (got.len != want.len) {
		why = rg_arena_printf(a, "%zu objects, expected %zu", got.len,
				      want.len);
		goto out;
	}
	for (size_t i = 0; i < got.len && !why; i++) {
		const char *gi = ident(a, got.docs[i]);
		const char *wi = ident(a, want.docs[i]);
		const char *d;

		if (strcmp(gi, wi)) {
			why = rg_arena_printf(a, "object %zu is %s, expected %s",
					      i, gi, wi);
			break;
		}
		d = first_diff(a, got.docs[i], want.docs[i], "");
		if (d)
			why = rg_arena_printf(a, "%s: %s", wi, d);
	}
out:
	free(dir);
	free(exp);
	free(experr);
	rg_buf_release(&out);
	rg_tree_free(t);
	return why;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

int main(int argc, char **argv)
{
	const char *filter = getenv("RG_TEST_FILTER");
	const char *prog = strrchr(argv[0], '/');
	DIR *d = opendir(CASE_DIR);
	struct dirent *e;
	char *names[1024];
	size_t n = 0, passed = 0, failed = 0, identical = 0;

	(void)argc;
	prog = prog ? prog + 1 : argv[0];
	if (!d) {
		printf("not ok - %s missing\n", CASE_DIR);
		printf("%s: 0 passed, 1 failed\n", prog);
		return 1;
	}
	while ((e = readdir(d)) && n < RG_ARRAY_SIZE(names))
		if (e->d_name[0] != '.')
			names[n++] = rg_xstrdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		struct rg_arena *a;
		const char *why;
		bool same;

		if (filter && !strstr(names[i], filter)) {
			free(names[i]);
			continue;
		}
		a = rg_arena_new();
		why = run_case(a, names[i], &same);
		if (why) {
			printf("not ok - %s\n  %s\n", names[i], why);
			failed++;
		} else {
			printf("ok - %s%s\n", names[i],
			       same ? "" : " (text differs from kustomize)");
			passed++;
			identical += same;
		}
		rg_arena_free(a);
		free(names[i]);
	}
	printf("%s: %zu passed, %zu failed\n", prog, passed, failed);
	return failed ? 1 : 0;
}
