/*
 * tmplcmd.c - the `rendergate tmpl` command (see tmplcmd.h).
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/doc.h"
#include "rendergate/funcs.h"
#include "rendergate/tmpl.h"
#include "rendergate/tmplcmd.h"

#define MAIN_NAME "test/templates/_t.yaml"

static const char usage[] =
	"usage: rendergate tmpl FILE [--values VALUES.yaml]... "
	"[--data DATA.yaml] [--define FILE2]... [--help]\n";

static int slurp(char **out, size_t *len, const char *path)
{
	FILE *f = fopen(path, "rb");
	struct rg_buf b = RG_BUF_INIT(RG_CAP_BLOB_BYTES);
	char chunk[8192];
	size_t n;
	int error = 0;

	if (!f) {
		fprintf(stderr, "Error: %s: %s\n", path, strerror(errno));
		return RG_EIO;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (rg_buf_add(&b, chunk, n) < 0) {
			fprintf(stderr, "Error: %s: larger than %u bytes\n",
				path, RG_CAP_BLOB_BYTES);
			error = RG_ELIMIT;
			break;
		}
	}
	if (!error && ferror(f)) {
		fprintf(stderr, "Error: %s: read error\n", path);
		error = RG_EIO;
	}
	fclose(f);
	if (error) {
		rg_buf_release(&b);
		return error;
	}
	*out = rg_buf_detach(&b, len);
	return 0;
}

/* Helm's coalescing of -f files: src's keys win, maps merge deeply. */
static void merge_into(struct rg_arena *a, struct rg_node *dst,
		       const struct rg_node *src)
{
	for (size_t i = 0; i < src->u.map.len; i++) {
		const struct rg_pair *p = &src->u.map.items[i];
		struct rg_node *old = rg_map_get(dst, p->key.ptr, p->key.len);

		if (old && old->kind == RG_MAP && p->val &&
		    p->val->kind == RG_MAP)
			merge_into(a, old, p->val);
		else
			rg_map_set(a, dst, p->key.ptr, p->key.len, p->val);
	}
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

int rg_cmd_tmpl(int argc, char **argv)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tmpl_set *set = rg_tmpl_set_new(a);
	struct rg_err err = RG_ERR_INIT;
	struct rg_buf out = RG_BUF_INIT(RG_CAP_TMPL_OUTPUT_BYTES);
	struct rg_tmpl_opts opts = { 0, 0, 0, NULL };
	struct rg_node *values = NULL, *dot = NULL;
	const char *file = NULL, *data = NULL;
	const char **defs = NULL;
	size_t ndefs = 0;
	char *text = NULL;
	size_t len = 0;
	bool helm = true;
	int status = 2, rc;

	defs = rg_arena_calloc(a, (size_t)(argc > 0 ? argc : 1), sizeof(*defs));
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			status = 0;
			goto out;
		} else if (!strcmp(argv[i], "--values") && i + 1 < argc) {
			struct rg_node *v = NULL;

			if (slurp(&text, &len, argv[++i]) < 0)
				goto out;
			rc = rg_doc_parse_one(&v, a, argv[i], text, len, 0, &err);
			free(text);
			text = NULL;
			if (rc < 0)
				goto fail;
			if (v && v->kind == RG_MAP) {
				if (!values)
					values = rg_node_map(a);
				merge_into(a, values, v);
			}
		} else if (!strcmp(argv[i], "--data") && i + 1 < argc) {
			data = argv[++i];
		} else if (!strcmp(argv[i], "--define") && i + 1 < argc) {
			defs[ndefs++] = argv[++i];
		} else if (argv[i][0] == '-' || file) {
			fputs(usage, stderr);
			goto out;
		} else {
			file = argv[i];
		}
	}
	if (!file) {
		fputs(usage, stderr);
		goto out;
	}
	if (data) {
		helm = false;
		if (slurp(&text, &len, data) < 0)
			goto out;
		rc = rg_doc_parse_one(&dot, a, data, text, len, 0, &err);
		free(text);
		text = NULL;
		if (rc < 0)
			goto fail;
	} else {
		rg_funcs_helm_numbers(values);
		dot = rg_funcs_standalone_dot(a, set, values);
	}
	for (size_t i = 0; i < ndefs; i++) {
		char *name = rg_arena_printf(a, "test/templates/%s",
					     base_name(defs[i]));

		if (slurp(&text, &len, defs[i]) < 0)
			goto out;
		rc = rg_tmpl_parse(set, name, text, len, &err);
		free(text);
		text = NULL;
		if (rc < 0) {
			if (helm && rc == RG_EPARSE)
				rg_funcs_helm_parse_error(&err, name);
			goto fail;
		}
	}
	if (slurp(&text, &len, file) < 0)
		goto out;
	rc = rg_tmpl_parse(set, MAIN_NAME, text, len, &err);
	free(text);
	text = NULL;
	if (rc < 0) {
		if (helm && rc == RG_EPARSE)
			rg_funcs_helm_parse_error(&err, MAIN_NAME);
		goto fail;
	}
	opts.flags = helm ? RG_TMPL_STRIP_NO_VALUE : 0;
	rc = rg_tmpl_exec(&out, set, MAIN_NAME, dot, &opts, &err);
	if (rc < 0) {
		if (helm)
			rg_funcs_helm_error(&err);
		goto fail;
	}
	fwrite(out.ptr, 1, out.len, stdout);
	status = 0;
	goto out;
fail:
	fprintf(stderr, "Error: %s\n", err.msg);
	status = 1;
out:
	fflush(stdout);
	rg_buf_release(&out);
	rg_arena_free(a);
	return status;
}
