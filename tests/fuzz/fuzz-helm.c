/*
 * fuzz-helm.c - Helm chart loading and rendering from an in-memory tree
 * built out of arbitrary bytes.
 *
 * The input is a list of files. A line "#@ PATH" starts a file; its
 * content runs up to the next line starting with "#@ " (the newline
 * before it belongs to the header, not the content), so binary content
 * such as a packaged subchart (charts/x.tgz) fits. Bytes before the first
 * header are templates/a.yaml. A default Chart.yaml (apiVersion v2, name
 * c, version 0.1.0) is there unless the input gives its own. Paths that
 * the tree refuses are skipped.
 *
 * The chart at the root is loaded and, when it loads, rendered once with
 * the default options and once (reloaded) with hooks, tests and CRDs on
 * and a values file given as the file "user-values.yaml" of the input.
 * Invariants: every call returns 0 or a negative code with a message; a
 * loaded chart has a name and a version; a render's manifests have a
 * source and a text, and print.
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/doc.h"
#include "rendergate/helm.h"
#include "rendergate/tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char chart_yaml[] = "apiVersion: v2\nname: c\nversion: 0.1.0\n";

static void check_err(int rc, const struct rg_err *err, const char *what)
{
	if (rc > 0 || (rc < 0 && !err->msg[0]))
		RG_BUG("fuzz-helm: %s returned %d without a message", what, rc);
}

/* Where the next "#@ " header line starts at or after p, or end. */
static const char *next_header(const char *p, const char *end)
{
	for (const char *q = p; q < end; q++) {
		if ((q == p || q[-1] == '\n') && end - q >= 3 &&
		    !memcmp(q, "#@ ", 3))
			return q;
		q = memchr(q, '\n', (size_t)(end - q));
		if (!q)
			break;
	}
	return end;
}

static void put(struct rg_tree *t, struct rg_arena *a, const char *path,
		size_t plen, const char *body, size_t blen)
{
	char *p = rg_arena_strndup(a, path, plen);

	if (memchr(path, '\0', plen) || rg_tree_path_check(p, NULL) < 0)
		return;
	(void)rg_tree_mem_put(t, p, body, blen, RG_TREE_FILE);
}

static struct rg_tree *build_tree(struct rg_arena *a, const char *s,
				  size_t n, const char **uv, size_t *uvlen)
{
	struct rg_tree *t = rg_tree_mem_new(a, "fuzz");
	const char *end = s + n, *p = s, *h = next_header(s, end);

	rg_tree_mem_put(t, "Chart.yaml", chart_yaml, sizeof(chart_yaml) - 1,
			RG_TREE_FILE);
	/* content before a header ends at the newline before it */
	put(t, a, "templates/a.yaml", 16, p,
	    (size_t)(h - p) - (h > p && h < end && h[-1] == '\n'));
	while (h < end) {
		const char *name = h + 3;
		const char *nl = memchr(name, '\n', (size_t)(end - name));
		const char *body = nl ? nl + 1 : end;
		const char *stop = next_header(body, end);
		size_t blen = (size_t)(stop - body);
		size_t plen = (size_t)((nl ? nl : end) - name);

		if (stop < end && blen && stop[-1] == '\n')
			blen--;

		if (plen == 16 && !memcmp(name, "user-values.yaml", 16)) {
			*uv = body;
			*uvlen = blen;
		} else {
			put(t, a, name, plen, body, blen);
		}
		h = stop;
	}
	return t;
}

static void render(struct rg_arena *a, struct rg_tree *t,
		   const struct rg_helm_opts *opts)
{
	struct rg_helm_chart *c = NULL;
	struct rg_helm_result res;
	struct rg_err err = RG_ERR_INIT;
	struct rg_buf out = RG_BUF_INIT(64u << 20);
	int rc = rg_helm_load(&c, t, "", a, &err);

	check_err(rc, &err, "rg_helm_load");
	if (rc < 0)
		goto out;
	if (!c || !c->name || !c->version)
		RG_BUG("fuzz-helm: a loaded chart without name or version");
	rc = rg_helm_render(&res, c, opts, a, &err);
	check_err(rc, &err, "rg_helm_render");
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < res.len; i++)
		if (!res.items[i].source || !res.items[i].text ||
		    !res.items[i].kind)
			RG_BUG("fuzz-helm: a manifest without source or text");
	if (rg_helm_print(&out, &res) < 0)
		RG_BUG("fuzz-helm: a rendered chart does not print");
out:
	rg_buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	const char *uv = NULL;
	size_t uvlen = 0;
	struct rg_tree *t = build_tree(a, (const char *)data, size, &uv, &uvlen);
	struct rg_helm_opts plain, all;

	memset(&plain, 0, sizeof(plain));
	render(a, t, &plain);
	memset(&all, 0, sizeof(all));
	all.release_name = "rel";
	all.namespace = "ns";
	all.kube_version = "v1.29.3";
	all.include_crds = true;
	all.is_upgrade = true;
	if (uv) {
		struct rg_node *v = NULL;

		if (rg_doc_parse_one(&v, a, "user-values.yaml", uv, uvlen, 0,
				     &err) == 0 &&
		    v && v->kind == RG_MAP)
			all.values = v;
	}
	render(a, t, &all);
	rg_tree_free(t);
	rg_arena_free(a);
	return 0;
}
