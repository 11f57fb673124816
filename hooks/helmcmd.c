/*
 * helmcmd.c - `rendergate template` (see helmcmd.h).
 */
#include "rendergate/compat.h"

#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/dirtree.h"
#include "rendergate/doc.h"
#include "rendergate/funcs.h"
#include "rendergate/helm.h"
#include "rendergate/helmcmd.h"
#include "rendergate/tree.h"

#include <sys/stat.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rendergate template [NAME] CHART [options]\n"
		"\n"
		"Render a chart directory or packaged chart (.tgz) the way `helm template` (Helm 3.10.1) "
		"does,\nin-process and without a cluster.\n"
		"\n"
		"Options:\n"
		"  -f, --values FILE       values file (repeatable, later wins)\n"
		"      --set K=V           set a value (a.b=1,c[0]=x; ints are int64)\n"
		"      --set-string K=V    set a value as a string\n"
		"  -n, --namespace NS      release namespace (default \"default\")\n"
		"      --kube-version V    .Capabilities.KubeVersion (default v1.25.0)\n"
		"  -a, --api-versions V    extra .Capabilities.APIVersions entry (repeatable)\n"
		"      --include-crds      print the chart's crds/ first\n"
		"      --skip-tests        leave out test hooks\n"
		"      --no-hooks          leave out all hooks\n"
		"      --is-upgrade        .Release.IsUpgrade true\n"
		"\n"
		"NAME defaults to \"release-name\". Exit status: 0 rendered, 1 the "
		"chart\ncould not be rendered, 2 usage error.\n"
		"\n"
		"Example:\n"
		"  rendergate template rg ./charts/web -f values/prod.yaml "
		"--set replicas=3\n");
}

static char *read_file(const char *path, size_t *len, struct rg_err *err)
{
	FILE *f = fopen(path, "rb");
	struct rg_buf b = RG_BUF_INIT(RG_CAP_BLOB_BYTES);
	char chunk[65536];
	size_t n;

	if (!f) {
		rg_err_set(err, RG_EIO, NULL, "open %s: %s", path,
			   strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (rg_buf_add(&b, chunk, n) < 0) {
			rg_err_set(err, RG_ELIMIT, NULL,
				   "%s: larger than %u bytes (RG_CAP_BLOB_BYTES)",
				   path, RG_CAP_BLOB_BYTES);
			fclose(f);
			rg_buf_release(&b);
			return NULL;
		}
	}
	fclose(f);
	return rg_buf_detach(&b, len);
}

static const char *optarg_of(int argc, char **argv, int *i, const char *lng,
			     const char *shrt)
{
	const char *s = argv[*i];
	size_t ll = strlen(lng);

	if (!strncmp(s, lng, ll) && s[ll] == '=')
		return s + ll + 1;
	if ((!strcmp(s, lng) || (shrt && !strcmp(s, shrt))) && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

int rg_cmd_template(int argc, char **argv)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_helm_opts opts;
	struct rg_helm_result res;
	struct rg_helm_chart *chart = NULL;
	struct rg_buf out = RG_BUF_INIT(RG_CAP_YAML_EMIT_BYTES);
	struct rg_node *vals = rg_node_map(a);
	const char *pos[2] = { NULL, NULL };
	const char **apis = NULL;
	size_t npos = 0, napis = 0, apis_alloc = 0;
	struct rg_tree *t = NULL;
	char *abs = NULL;
	struct stat st;
	int status = 1;

	memset(&opts, 0, sizeof(opts));
	/* values files and --set are applied in Helm's order: all files
	   first, then --set, then --set-string; collect them first */
	for (int pass = 0; pass < 3; pass++) {
		npos = 0;
		for (int i = 1; i < argc; i++) {
			const char *s = argv[i], *v;

			if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
				usage(stdout);
				status = 0;
				goto out;
			}
			if ((v = optarg_of(argc, argv, &i, "--values", "-f"))) {
				size_t len = 0;
				char *data;
				struct rg_node *doc = NULL;

				if (pass != 0)
					continue;
				data = read_file(v, &len, &err);
				if (!data)
					goto fail;
				if (rg_doc_parse_one(&doc, a, v, data, len, 0,
						     &err) < 0) {
					free(data);
					goto fail;
				}
				free(data);
				if (doc->kind == RG_NULL)
					continue;
				if (doc->kind != RG_MAP) {
					rg_err_set(&err, RG_EINVALID, &doc->pos,
						   "values file must hold a "
						   "mapping");
					goto fail;
				}
				rg_funcs_helm_numbers(doc);
				rg_helm_merge_values(a, vals, doc);
			} else if ((v = optarg_of(argc, argv, &i, "--set",
						  NULL))) {
				if (pass == 1 &&
				    rg_helm_set(a, vals, v, false, &err) < 0)
					goto fail;
			} else if ((v = optarg_of(argc, argv, &i,
						  "--set-string", NULL))) {
				if (pass == 2 &&
				    rg_helm_set(a, vals, v, true, &err) < 0)
					goto fail;
			} else if ((v = optarg_of(argc, argv, &i, "--namespace",
						  "-n"))) {
				opts.namespace = v;
			} else if ((v = optarg_of(argc, argv, &i,
						  "--kube-version", NULL))) {
				opts.kube_version = v;
			} else if ((v = optarg_of(argc, argv, &i,
						  "--api-versions", "-a"))) {
				if (pass == 0) {
					RG_ALLOC_GROW(apis, napis + 1,
						      apis_alloc);
					apis[napis++] = v;
				}
			} else if (!strcmp(s, "--include-crds")) {
				opts.include_crds = true;
			} else if (!strcmp(s, "--skip-tests")) {
				opts.skip_tests = true;
			} else if (!strcmp(s, "--no-hooks")) {
				opts.no_hooks = true;
			} else if (!strcmp(s, "--is-upgrade")) {
				opts.is_upgrade = true;
			} else if (s[0] == '-' && s[1]) {
				fprintf(stderr, "Error: unknown flag: %s\n", s);
				usage(stderr);
				status = 2;
				goto out;
			} else if (npos < 2) {
				pos[npos++] = s;
			} else {
				fprintf(stderr,
					"Error: expected at most 2 arguments\n");
				usage(stderr);
				status = 2;
				goto out;
			}
		}
	}
	if (!npos) {
		fprintf(stderr, "Error: \"rendergate template\" requires at "
				"least 1 argument\n");
		usage(stderr);
		status = 2;
		goto out;
	}
	opts.release_name = npos == 2 ? pos[0] : NULL;
	opts.heads_only = true;
	opts.api_versions = apis;
	opts.napi_versions = napis;
	opts.values = vals;
	abs = realpath(pos[npos - 1], NULL);
	if (!abs) {
		rg_err_set(&err, RG_EIO, NULL, "%s: %s", pos[npos - 1],
			   strerror(errno));
		goto fail;
	}
	if (stat(abs, &st) == 0 && S_ISREG(st.st_mode)) {
		/* a packaged chart, as helm template accepts */
		size_t len = 0;
		char *data = read_file(abs, &len, &err);
		int rc;

		if (!data)
			goto fail;
		rc = rg_helm_load_archive(&chart, pos[npos - 1], data, len, a,
					  &err);
		free(data);
		if (rc < 0)
			goto fail;
	} else {
		t = rg_dirtree_new(a, abs, pos[npos - 1], &err);
		if (!t)
			goto fail;
		rg_dirtree_skip_ids(t); /* nothing keys on them here */
		if (rg_helm_load(&chart, t, "", a, &err) < 0)
			goto fail;
	}
	if (rg_helm_render(&res, chart, &opts, a, &err) < 0)
		goto fail;
	if (rg_helm_print(&out, &res) < 0) {
		rg_err_set(&err, RG_ELIMIT, NULL,
			   "output larger than %u bytes (RG_CAP_YAML_EMIT_BYTES)",
			   RG_CAP_YAML_EMIT_BYTES);
		goto fail;
	}
	if (fwrite(out.ptr, 1, out.len, stdout) != out.len || fflush(stdout)) {
		fprintf(stderr, "Error: writing output: %s\n", strerror(errno));
		goto out;
	}
	status = 0;
	goto out;
fail: {
	char msg[RG_ERR_MSG_MAX + RG_ERR_FILE_MAX + 64];

	rg_err_format(&err, msg, sizeof(msg));
	fprintf(stderr, "Error: %s\n", msg);
}
out:
	free(apis);
	free(abs);
	rg_tree_free(t);
	rg_buf_release(&out);
	rg_arena_free(a);
	return status;
}
