#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/config.h"
#include "rendergate/doc.h"
#include "rendergate/env.h"
#include "rendergate/helm.h"
#include "rendergate/helmexec.h"
#include "rendergate/objects.h"
#include "rendergate/tree.h"

#include <math.h>

#define WORK_REPO  "repo"
#define WORK_CACHE "cache"

struct job {
	struct rg_arena *a;
	struct rg_helmexec_file *files;
	size_t nfiles, files_alloc;
	const char **args;
	size_t nargs, args_alloc;
};

static void add_arg(struct job *j, const char *s)
{
	if (j->nargs + 1 >= j->args_alloc) {
		size_t n = j->args_alloc ? 2 * j->args_alloc : 32;

		j->args = rg_arena_grow(j->a, j->args, j->args_alloc, n,
					sizeof(*j->args));
		j->args_alloc = n;
	}
	j->args[j->nargs++] = s;
}

/*
 * Add a file. With dedup, one already there (a values file inside the
 * chart) stays; the chart's own files come from listings and are unique.
 */
static int add_file(struct job *j, const char *path, const char *data,
		    size_t len, bool dedup, struct rg_err *err)
{
	for (size_t i = 0; dedup && i < j->nfiles; i++)
		if (!strcmp(j->files[i].path, path))
			return 0;
	if (j->nfiles >= RG_CAP_ENV_FILES)
		return rg_err_set(err, RG_ELIMIT, NULL,
				  "more than %u files for helm "
				  "(RG_CAP_ENV_FILES)",
				  RG_CAP_ENV_FILES);
	if (j->nfiles == j->files_alloc) {
		size_t n = j->files_alloc ? 2 * j->files_alloc : 64;

		j->files = rg_arena_grow(j->a, j->files, j->files_alloc, n,
					 sizeof(*j->files));
		j->files_alloc = n;
	}
	j->files[j->nfiles].path = path;
	j->files[j->nfiles].data = data;
	j->files[j->nfiles].len = len;
	j->nfiles++;
	return 0;
}

/* Copy every file below src in t to dst in the work directory. */
static int copy_dir(struct job *j, struct rg_tree *t, const char *src,
		    const char *dst, unsigned depth, struct rg_err *err)
{
	struct rg_tree_entry *ents = NULL;
	size_t n = 0;
	int error;

	if (depth > RG_CAP_DIR_DEPTH)
		return rg_err_set(err, RG_ELIMIT, NULL,
				  "%s: directories nested deeper than %u "
				  "levels (RG_CAP_DIR_DEPTH)",
				  src, RG_CAP_DIR_DEPTH);
	error = rg_tree_list(t, src, &ents, &n, err);
	for (size_t i = 0; i < n && !error; i++) {
		const char *s = rg_tree_path_join(j->a, src, ents[i].name);
		const char *d = rg_tree_path_join(j->a, dst, ents[i].name);
		const char *data = NULL;
		size_t len = 0;

		switch (ents[i].kind) {
		case RG_TREE_DIR:
			error = copy_dir(j, t, s, d, depth + 1, err);
			break;
		case RG_TREE_FILE:
			error = rg_tree_read(t, s, &data, &len, err);
			if (!error)
				error = add_file(j, d, data, len, false, err);
			break;
		case RG_TREE_SYMLINK:
			error = rg_err_set(err, RG_EUNSAFE, NULL,
					   "%s: symbolic links are not "
					   "followed in charts",
					   s);
			break;
		default:
			error = rg_err_set(err, RG_EUNSUPPORTED, NULL,
					   "%s: a submodule cannot be part of "
					   "a chart",
					   s);
			break;
		}
	}
	return error;
}

/* The chart: from the repository tree, or from the chart cache. */
static int add_chart(struct job *j, const char **arg,
		     const struct rg_render_req *req, struct rg_err *err)
{
	const struct rg_config_release *rel = req->release;
	struct rg_tree *cache = req->repo ? req->repo->chart_cache : NULL;
	struct rg_helm_chart *chart = NULL;
	const char *dst, *data = NULL;
	size_t len = 0;
	int error;

	if (req->path) {
		if (rg_tree_stat(req->tree, rg_tree_path_join(j->a, req->path,
							      "Chart.yaml")) !=
		    RG_TREE_FILE)
			return rg_err_set(err, RG_ENOTFOUND, NULL,
					  "%s: Chart.yaml file is missing",
					  *req->path ? req->path : ".");
		*arg = rg_arena_printf(j->a, "./%s", req->path);
		return copy_dir(j, req->tree, req->path,
				rg_tree_path_join(j->a, WORK_REPO, req->path),
				0, err);
	}
	/* loading it checks what the cache holds and finds the entry */
	error = rg_helm_cache_load(&chart, cache, rel->repo, rel->chart,
				   rel->version, j->a, err);
	if (error < 0)
		return error;
	if (rg_tree_stat(cache, chart->dir) == RG_TREE_DIR) {
		dst = rg_arena_printf(j->a, WORK_CACHE "/%s-%s", chart->name,
				      chart->version);
		*arg = rg_arena_printf(j->a, "../%s", dst);
		return copy_dir(j, cache, chart->dir, dst, 0, err);
	}
	error = rg_tree_read(cache, chart->dir, &data, &len, err);
	if (error < 0)
		return error;
	dst = rg_arena_printf(j->a, WORK_CACHE "/%s-%s.tgz", chart->name,
			      chart->version);
	*arg = rg_arena_printf(j->a, "../%s", dst);
	return add_file(j, dst, data, len, false, err);
}

/* A `set` key passes to helm unchanged unless ',' or '=' would split it. */
static bool key_ok(const struct rg_str *k)
{
	for (size_t i = 0; i < k->len; i++) {
		if (k->ptr[i] == '\\') {
			i++;
			continue;
		}
		if (k->ptr[i] == ',' || k->ptr[i] == '=' || k->ptr[i] == '\0')
			return false;
	}
	return k->len > 0;
}

/* "KEY=VALUE" with ',' and '\' in the value escaped for strvals. */
static const char *set_arg(struct rg_arena *a, const struct rg_str *k,
			   const char *v, size_t vlen)
{
	char *out = rg_arena_alloc(a, k->len + 2 * vlen + 2), *o = out;

	memcpy(o, k->ptr, k->len);
	o += k->len;
	*o++ = '=';
	for (size_t i = 0; i < vlen; i++) {
		if (v[i] == ',' || v[i] == '\\')
			*o++ = '\\';
		*o++ = v[i];
	}
	*o = '\0';
	return out;
}

static int add_set(struct job *j, const struct rg_pair *p, struct rg_err *err)
{
	const struct rg_node *v = p->val;
	const char *flag = "--set=", *text = NULL;

	if (!key_ok(&p->key))
		return rg_err_set(err, RG_EINVALID, &p->key_pos,
				  "'set' key '%.*s' cannot be passed to helm "
				  "(it holds ',' or '=')",
				  (int)p->key.len, p->key.ptr);
	switch (v->kind) {
	case RG_STR:
		if (memchr(v->u.s.ptr, '\0', v->u.s.len))
			return rg_err_set(err, RG_EINVALID, &v->pos,
					  "'set' value for '%.*s' holds a NUL "
					  "byte",
					  (int)p->key.len, p->key.ptr);
		add_arg(j, rg_arena_printf(
			       j->a, "--set-string=%s",
			       set_arg(j->a, &p->key, v->u.s.ptr, v->u.s.len)));
		return 0;
	case RG_INT:
		text = rg_arena_printf(j->a, "%lld", (long long)v->u.i);
		break;
	case RG_BOOL:
		text = v->u.b ? "true" : "false";
		break;
	case RG_NULL:
		text = "null";
		break;
	case RG_FLOAT:
		if (!isfinite(v->u.f))
			return rg_err_set(err, RG_EINVALID, &v->pos,
					  "'set' value for '%.*s' is not a "
					  "finite number; helm cannot take it",
					  (int)p->key.len, p->key.ptr);
		flag = "--set-json=";
		text = rg_arena_printf(j->a, "%.17g", v->u.f);
		break;
	default:
		return rg_err_set(err, RG_EINVALID, &v->pos,
				  "'set' value for '%.*s' must be a scalar",
				  (int)p->key.len, p->key.ptr);
	}
	add_arg(j, rg_arena_printf(j->a, "%s%s", flag,
				   set_arg(j->a, &p->key, text, strlen(text))));
	return 0;
}

int rg_helmexec_job(struct rg_helmexec_job **out,
		    const struct rg_render_req *req, struct rg_err *err)
{
	const struct rg_config_release *rel = req->release;
	const struct rg_config_env *env = req->env;
	struct rg_helmexec_job *job = NULL;
	struct job j;
	const char *chart = NULL;
	int error = 0;

	memset(&j, 0, sizeof(j));
	j.a = req->arena;
	if (!rel || rel->kustomize) {
		error = rg_err_set(err, RG_EINVALID, NULL,
				   "engine helm renders chart releases only");
		goto out;
	}
	error = add_chart(&j, &chart, req, err);
	if (error < 0)
		goto out;
	add_arg(&j, "template");
	add_arg(&j,
		rg_arena_printf(j.a, "--namespace=%s",
				rel->namespace ? rel->namespace : "default"));
	for (size_t i = 0; i < rel->nvalues && !error; i++) {
		const char *data = NULL;
		size_t len = 0;

		error =
		    rg_tree_read(req->tree, rel->values[i], &data, &len, err);
		if (!error)
			error = add_file(
			    &j,
			    rg_tree_path_join(j.a, WORK_REPO, rel->values[i]),
			    data, len, true, err);
		add_arg(&j,
			rg_arena_printf(j.a, "--values=%s", rel->values[i]));
	}
	for (size_t i = 0; rel->set && !error && i < rel->set->u.map.len; i++)
		error = add_set(&j, &rel->set->u.map.items[i], err);
	if (error < 0)
		goto out;
	if (env->kube_version)
		add_arg(&j, rg_arena_printf(j.a, "--kube-version=%s",
					    env->kube_version));
	for (size_t i = 0; i < env->napi_versions; i++)
		add_arg(&j, rg_arena_printf(j.a, "--api-versions=%s",
					    env->api_versions[i]));
	add_arg(&j, "--skip-tests");
	/* positionals after "--": a release name may start with '-' */
	add_arg(&j, "--");
	add_arg(&j, rel->name);
	add_arg(&j, chart);
	job = rg_arena_calloc(j.a, 1, sizeof(*job));
	job->env = env->name;
	job->release = rel->name;
	job->files = j.files;
	job->nfiles = j.nfiles;
	job->cwd = WORK_REPO;
	job->args = j.args;
	job->nargs = j.nargs;
	*out = job;
out:
	return error;
}

/* Is line [p, e) a "---" separator (trailing blanks allowed)? */
static bool separator(const char *p, const char *e)
{
	if (e - p < 3 || memcmp(p, "---", 3))
		return false;
	for (p += 3; p < e; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r')
			return false;
	return true;
}

/* Parse one document [p, e) of the output. */
static int parse_piece(struct rg_objset *out, struct rg_findings *findings,
		       const char *env, const char *p, const char *e,
		       struct rg_arena *a, struct rg_err *err)
{
	static const char src[] = "# Source: ";
	const char *label = "(helm template output)";
	struct rg_docs docs;
	int error;

	while (p < e && (*p == '\n' || *p == '\r'))
		p++;
	if ((size_t)(e - p) > sizeof(src) - 1 &&
	    !memcmp(p, src, sizeof(src) - 1)) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		const char *le = nl ? nl : e;

		p += sizeof(src) - 1;
		label = rg_arena_strndup(a, p, (size_t)(le - p));
		p = nl ? nl + 1 : e;
	}
	error = rg_doc_parse(&docs, a, label, p, (size_t)(e - p), 0, err);
	for (size_t d = 0; !error && d < docs.len; d++) {
		if (docs.docs[d]->kind == RG_NULL)
			continue;
		error = rg_objset_add_doc(NULL, out, docs.docs[d], findings,
					  "helm", env, err);
		if (error == RG_EINVALID)
			error = 0;
	}
	return error;
}

int rg_helmexec_parse(struct rg_objset *out, struct rg_findings *findings,
		      const char *env, const char *text, size_t len,
		      struct rg_arena *a, struct rg_err *err)
{
	const char *p = text, *end = text + len, *doc = text;
	int error = 0;

	while (p < end && !error) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		if (separator(p, le)) {
			error = parse_piece(out, findings, env, doc, p, a, err);
			doc = nl ? nl + 1 : end;
		}
		p = nl ? nl + 1 : end;
	}
	if (!error && doc < end)
		error = parse_piece(out, findings, env, doc, end, a, err);
	return error;
}

int rg_helmexec_render(struct rg_objset *out, struct rg_findings *findings,
		       const struct rg_render_req *req, struct rg_err *err)
{
	const struct rg_helmexec *x = req->repo ? req->repo->helm_exec : NULL;
	struct rg_helmexec_job *job = NULL;
	const char *text = NULL;
	size_t len = 0;
	int error;

	if (!x || !x->run)
		return rg_err_set(err, RG_EUNSUPPORTED,
				  req->release ? &req->release->pos : NULL,
				  "unrenderable: engine helm needs a helm "
				  "binary, and this program runs none "
				  "(helm_binary in the server config)");
	error = rg_helmexec_job(&job, req, err);
	if (error < 0)
		return error;
	error = x->run(x->ctx, &text, &len, job, req->arena, err);
	if (error < 0)
		return error;
	return rg_helmexec_parse(out, findings, req->env->name, text, len,
				 req->arena, err);
}
