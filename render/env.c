#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/argo.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/config.h"
#include "rendergate/doc.h"
#include "rendergate/env.h"
#include "rendergate/finding.h"
#include "rendergate/flux.h"
#include "rendergate/helm.h"
#include "rendergate/helmexec.h"
#include "rendergate/kust.h"
#include "rendergate/objects.h"
#include "rendergate/plain.h"
#include "rendergate/rcache.h"
#include "rendergate/tree.h"

static bool has_file(struct rg_tree *tree, const char *dir, const char *name)
{
	return rg_tree_stat(tree, rg_tree_path_join(tree->arena, dir, name)) ==
	       RG_TREE_FILE;
}

static bool detect_kustomize(struct rg_tree *tree, const char *path)
{
	return has_file(tree, path, "kustomization.yaml") ||
	       has_file(tree, path, "kustomization.yml") ||
	       has_file(tree, path, "Kustomization");
}

static bool detect_helm(struct rg_tree *tree, const char *path)
{
	return has_file(tree, path, "Chart.yaml");
}

static bool detect_plain(struct rg_tree *tree, const char *path)
{
	return true;
}

/*
 * The renderer registry, in detection order (plain last: it takes
 * anything). A renderer not in this build has render == NULL.
 */
static const struct rg_renderer renderers[] = {
    {RG_CONFIG_KIND_KUSTOMIZE, detect_kustomize, rg_kust_render},
    {RG_CONFIG_KIND_HELM, detect_helm, rg_helm_render_env},
    {RG_CONFIG_KIND_FLUX, NULL, rg_flux_render},
    {RG_CONFIG_KIND_ARGOCD, NULL, rg_argo_render},
    {RG_CONFIG_KIND_PLAIN, detect_plain, rg_plain_render},
};

const struct rg_renderer *rg_env_renderer(const char *name)
{
	for (size_t i = 0; name && i < RG_ARRAY_SIZE(renderers); i++)
		if (!strcmp(renderers[i].name, name))
			return &renderers[i];
	return NULL;
}

const struct rg_renderer *rg_env_detect(struct rg_tree *tree,
					const struct rg_config_env *env)
{
	if (env->nreleases)
		return NULL;
	if (env->kind && strcmp(env->kind, RG_CONFIG_KIND_AUTO))
		return rg_env_renderer(env->kind);
	for (size_t i = 0; i < RG_ARRAY_SIZE(renderers); i++)
		if (renderers[i].detect && renderers[i].detect(tree, env->path))
			return &renderers[i];
	return rg_env_renderer(RG_CONFIG_KIND_PLAIN);
}

/*
 * Copies of documents that outlive the arena they were made in: a deep
 * copy (rg_node_clone) whose positions' file names (pos.file,
 * key_pos.file) are copied too, each distinct name once.
 */
struct file_copies {
	const char *from[8], *to[8];
	size_t next;
};

static const char *own_file(struct rg_arena *a, struct file_copies *fc,
			    const char *f)
{
	size_t i;

	if (!f)
		return NULL;
	for (i = 0; i < RG_ARRAY_SIZE(fc->from); i++)
		if (fc->from[i] == f)
			return fc->to[i];
	i = fc->next++ % RG_ARRAY_SIZE(fc->from);
	fc->from[i] = f;
	fc->to[i] = rg_arena_strdup(a, f);
	return fc->to[i];
}

static void clone_files(struct rg_arena *a, struct file_copies *fc,
			struct rg_node *c)
{
	if (!c)
		return;
	c->pos.file = own_file(a, fc, c->pos.file);
	if (c->kind == RG_SEQ) {
		for (size_t i = 0; i < c->u.seq.len; i++)
			clone_files(a, fc, c->u.seq.items[i]);
	} else if (c->kind == RG_MAP) {
		for (size_t i = 0; i < c->u.map.len; i++) {
			struct rg_pair *p = &c->u.map.items[i];

			p->key_pos.file = own_file(a, fc, p->key_pos.file);
			clone_files(a, fc, p->val);
		}
	}
}

static struct rg_node *clone_own(struct rg_arena *a, const struct rg_node *n)
{
	struct rg_node *c = rg_node_clone(a, n);
	struct file_copies fc;

	memset(&fc, 0, sizeof(fc));
	if (c)
		clone_files(a, &fc, c);
	return c;
}

/* Copy obj and everything it points to into a. */
static void own_obj(struct rg_obj *o, struct rg_arena *a)
{
	o->doc = clone_own(a, o->doc);
	o->group = rg_arena_strdup(a, o->group);
	o->version = rg_arena_strdup(a, o->version);
	o->kind = rg_arena_strdup(a, o->kind);
	o->namespace = rg_arena_strdup(a, o->namespace);
	o->name = rg_arena_strdup(a, o->name);
	o->key = rg_arena_strdup(a, o->key);
	if (o->origin.file)
		o->origin.file = rg_arena_strdup(a, o->origin.file);
}

static const char *own_str(struct rg_arena *a, const char *s)
{
	return s ? rg_arena_strdup(a, s) : NULL;
}

/*
 * Run a renderer that makes much more garbage than output (Helm: chart
 * instance, values, template execution, the rendered text; Kustomize:
 * every resource loaded and transformed) in an arena of its own, and
 * keep only copies of the objects and findings it produced: a render of
 * many releases then holds its output, not every release's working set.
 * Findings are kept on error too (a render that fails part-way has
 * added them as it went); objects only on success, as callers drop the
 * set of a failed render.
 */
static int render_scratch(const struct rg_renderer *r, struct rg_objset *out,
			  struct rg_findings *findings,
			  const struct rg_render_req *req, struct rg_err *err)
{
	struct rg_arena *s = rg_arena_new();
	struct rg_render_req sreq = *req;
	struct rg_objset so;
	struct rg_findings sf;
	size_t fmark = findings->len, omark = out->len,
	       dmark = req->tree->ndeps, bmark = req->tree->bytes_read;
	int error;

	sreq.arena = s;
	rg_objset_init(&so, s);
	rg_finding_init(&sf, s);
	error = r->render(&so, &sf, &sreq, err);
	rg_finding_append(findings, &sf);
	for (size_t i = fmark; i < findings->len; i++) {
		struct rg_finding *f = &findings->items[i];

		f->rule = own_str(findings->arena, f->rule);
		f->message = own_str(findings->arena, f->message);
		f->origin.file = own_str(findings->arena, f->origin.file);
		f->env = own_str(findings->arena, f->env);
		f->object = own_str(findings->arena, f->object);
		f->hint = own_str(findings->arena, f->hint);
	}
	for (size_t i = 0; !error && i < so.len; i++) {
		struct rg_obj o = so.items[i];

		own_obj(&o, out->arena);
		error = rg_objset_add(out, &o, err);
	}
	rg_arena_free(s);
	/* as release() puts it in the run's cache: whole findings only */
	if (!error && req->rcache_name && !findings->dropped)
		rg_rcache_save(req->rcache, req->rcache_name,
			       req->tree->bytes_read - bmark,
			       req->tree->deps + dmark, req->tree->ndeps - dmark,
			       out->items + omark, out->len - omark,
			       findings->items + fmark, findings->len - fmark);
	return error;
}

static int run(const struct rg_renderer *r, struct rg_objset *out,
	       struct rg_findings *findings, const struct rg_render_req *req,
	       struct rg_err *err)
{
	int error;

	if (!r)
		return rg_err_set(err, RG_EUNSUPPORTED, &req->env->pos,
				  "environment %s: no renderer for kind '%s'",
				  req->env->name, req->env->kind);
	if (!r->render)
		return rg_err_set(err, RG_EUNSUPPORTED, &req->env->pos,
				  "environment %s uses %s, which this build "
				  "cannot render yet",
				  req->env->name, r->name);
	if (r->render == rg_helm_render_env || r->render == rg_kust_render)
		error = render_scratch(r, out, findings, req, err);
	else
		error = r->render(out, findings, req, err);
	if (error < 0 && req->release)
		rg_err_prefix(err, "environment %s, release %s", req->env->name,
			      req->release->name);
	else if (error < 0)
		rg_err_prefix(err, "environment %s", req->env->name);
	return error;
}

/* Chart releases with `engine: helm` (helmexec.h); never detected. */
static const struct rg_renderer helm_binary = {RG_CONFIG_KIND_HELM, NULL,
					       rg_helmexec_render};

/*
 * Render one release, through c when its inputs all come from the tree
 * (a chart from a chart repository does not).
 */
static int release(struct rg_objset *out, struct rg_findings *findings,
		   const struct rg_render_req *req, struct rg_rcache *c,
		   struct rg_err *err)
{
	const struct rg_config_release *rel = req->release;
	const struct rg_renderer *r = rg_env_renderer(RG_CONFIG_KIND_HELM);
	size_t dmark = req->tree->ndeps, omark = out->len,
	       fmark = findings->len;
	int error;

	if (rel->repo)
		c = NULL;
	error = rg_rcache_get(c, rel, req->tree, out, findings, err);
	if (error != RG_ENOTFOUND)
		return error;
	if (rel->kustomize)
		r = rg_env_renderer(RG_CONFIG_KIND_KUSTOMIZE);
	else if (rel->engine && !strcmp(rel->engine, RG_CONFIG_ENGINE_HELM))
		r = &helm_binary;
	error = run(r, out, findings, req, err);
	/* a findings list that overflowed cannot be replayed exactly */
	if (!error && !findings->dropped)
		rg_rcache_put(c, rel, req->tree->deps + dmark,
			      req->tree->ndeps - dmark, out->items + omark,
			      out->len - omark, findings->items + fmark,
			      findings->len - fmark);
	return error;
}

/*
 * The name release i of env is stored under between runs (rcache.h): the
 * scope of the config (binary and config blob) plus the release's place,
 * or NULL when the config has no scope or the chart is not in the tree.
 */
static const char *stored_name(struct rg_rcache *c,
			       const struct rg_config_repo *repo,
			       const struct rg_config_env *env, size_t i,
			       struct rg_arena *a)
{
	const char *scope = rg_rcache_scope(c, repo);
	const struct rg_config_release *rel = &env->releases[i];

	if (!scope || rel->repo)
		return NULL;
	return rg_arena_printf(a, "%s\nenv %s\nrelease %zu %s", scope,
			       env->name, i, rel->name ? rel->name : "");
}

int rg_env_render(struct rg_objset *out, struct rg_findings *findings,
		  const struct rg_config_repo *repo,
		  const struct rg_config_env *env, struct rg_tree *tree,
		  struct rg_arena *a, struct rg_err *err)
{
	return rg_env_render_cached(out, findings, repo, env, tree, NULL, a,
				    err);
}

int rg_env_render_cached(struct rg_objset *out, struct rg_findings *findings,
			 const struct rg_config_repo *repo,
			 const struct rg_config_env *env, struct rg_tree *tree,
			 struct rg_rcache *c, struct rg_arena *a,
			 struct rg_err *err)
{
	struct rg_render_req req;
	int error = 0;

	memset(&req, 0, sizeof(req));
	req.repo = repo;
	req.env = env;
	req.path = env->path;
	req.tree = tree;
	req.arena = a;
	req.helm_memo = rg_rcache_helm_memo(c);
	req.rcache = c;
	rg_tree_deps_reset(tree);
	if (!env->nreleases) {
		error = run(rg_env_detect(tree, env), out, findings, &req, err);
		goto out;
	}
	for (size_t i = 0; i < env->nreleases && !error; i++) {
		const struct rg_config_release *rel = &env->releases[i];

		req.release = rel;
		req.path = rel->kustomize ? rel->kustomize
			   : rel->repo	  ? NULL
					  : rel->chart;
		req.rcache_name = stored_name(c, repo, env, i, a);
		rg_rcache_fetch(c, rel, req.rcache_name);
		error = release(out, findings, &req, c, err);
	}
out:
	if (error < 0)
		return error;
	rg_objset_check_dups(out, findings, env->name);
	return 0;
}

/* --- change scoping -------------------------------------------------- */

/* Is path equal to dir or below it? "" is the root, above everything. */
static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (!n)
		return true;
	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

/* Is path strictly below dir? */
static bool below(const char *path, const char *dir)
{
	return strcmp(path, dir) && under(path, dir);
}

/* A path below the environment path that its renderer skips. */
static bool skipped(const struct rg_config_env *env, const char *path)
{
	size_t n = strlen(env->path);

	if (!below(path, env->path) && n)
		return false;
	return rg_plain_excluded(env, n ? path + n + 1 : path);
}

/* A read (or lookup) in deps that a change to p affects, or NULL. */
static const char *read_reason(const struct rg_tree_dep *d, const char *p)
{
	if (d->listed)
		return NULL;
	if (!strcmp(p, d->path))
		return d->kind == RG_TREE_MISSING
			   ? "%s changed, looked up by %s"
			   : "%s changed, read by %s";
	if (below(d->path, p))
		return "%s changed, holds a file read by %s";
	return NULL;
}

bool rg_env_affected(const char **why, const struct rg_config_env *env,
		     const struct rg_tree_dep *deps, size_t ndeps,
		     const char *const *paths, size_t npaths,
		     struct rg_arena *a)
{
	for (size_t i = 0; i < npaths; i++) {
		const char *p = paths[i], *fmt = NULL;

		/* reads first: they give the most precise reason */
		for (size_t k = 0; k < ndeps && !fmt; k++)
			fmt = read_reason(&deps[k], p);
		if (fmt) {
			if (why)
				*why = rg_arena_printf(a, fmt, p, env->name);
			return true;
		}
		for (size_t k = 0; k < ndeps; k++) {
			const struct rg_tree_dep *d = &deps[k];

			if (!d->listed || !under(p, d->path) || skipped(env, p))
				continue;
			if (why)
				*why = rg_arena_printf(
				    a, "%s changed, below %s which %s lists", p,
				    d->path[0] ? d->path : "the root",
				    env->name);
			return true;
		}
	}
	return false;
}

/* Can rendering env read files outside its own folder? */
static bool reads_outside(const struct rg_config_env *env)
{
	/* plain reads exactly the folder; Kustomize bases and components,
	   Helm file:// dependencies and values files can be anywhere */
	for (size_t r = 0; r < env->nreleases; r++)
		if (env->releases[r].kustomize)
			return true;
	/* Helm releases read their chart and values files (first_cut
	   checks both; templates cannot read other files) */
	return !env->nreleases && strcmp(env->kind, RG_CONFIG_KIND_PLAIN);
}

static bool hidden(const char *path)
{
	for (const char *p = path; p; p = strchr(p, '/')) {
		if (*p == '/')
			p++;
		if (*p == '.')
			return true;
	}
	return false;
}

/*
 * Is path outside the folder of every environment on branch? Such a path
 * may be a shared Kustomize base or chart.
 */
static bool outside_envs(const struct rg_config_repo *repo, const char *branch,
			 const char *path)
{
	if (hidden(path))
		return false;
	for (size_t i = 0; i < repo->nenvs; i++)
		if (!strcmp(rg_config_env_branch(repo, &repo->envs[i]),
			    branch) &&
		    under(path, repo->envs[i].path))
			return false;
	return true;
}

/* The first cut without a dependency log (see env.h). */
static bool first_cut(const char **why, const struct rg_config_repo *repo,
		      const char *branch, const struct rg_config_env *env,
		      const char *const *paths, size_t npaths,
		      struct rg_arena *a)
{
	for (size_t i = 0; i < npaths; i++) {
		const char *p = paths[i];

		if (under(p, env->path) && !skipped(env, p)) {
			*why = rg_arena_printf(a, "%s changed, below %s", p,
					       env->path[0] ? env->path
							    : "the root");
			return true;
		}
		for (size_t r = 0; r < env->nreleases; r++) {
			const struct rg_config_release *rel = &env->releases[r];
			const char *dir = rel->kustomize ? rel->kustomize
					  : rel->repo	 ? NULL
							 : rel->chart;

			if (dir && under(p, dir)) {
				*why = rg_arena_printf(
				    a, "%s changed, below %s of release %s", p,
				    dir, rel->name);
				return true;
			}
			for (size_t v = 0; v < rel->nvalues; v++)
				if (!strcmp(p, rel->values[v])) {
					*why = rg_arena_printf(
					    a,
					    "%s changed, a values file of "
					    "release %s",
					    p, rel->name);
					return true;
				}
		}
	}
	for (size_t i = 0; reads_outside(env) && i < npaths; i++) {
		if (!outside_envs(repo, branch, paths[i]))
			continue;
		*why = rg_arena_printf(a,
				       "%s changed outside every environment "
				       "folder, and %s may read it (kind %s; "
				       "no record of its inputs)",
				       paths[i], env->name,
				       env->nreleases ? "releases" : env->kind);
		return true;
	}
	*why = rg_arena_printf(a, "not affected: no changed path under %s",
			       env->path[0] ? env->path : "the root");
	return false;
}

int rg_env_select(struct rg_env_choice **out, size_t *n,
		  const struct rg_config_repo *repo, const char *refname,
		  const char *const *paths, size_t npaths,
		  const struct rg_env_deplog *logs, struct rg_arena *a)
{
	struct rg_env_choice *ch =
	    rg_arena_calloc(a, repo->nenvs + 1, sizeof(*ch));
	const char *branch = NULL,
		   *cfgfile = repo->file ? repo->file : RG_CONFIG_REPO_FILE;
	size_t on_branch = 0;
	bool cfg_changed = false;

	if (refname && !strncmp(refname, "refs/heads/", 11))
		branch = refname + 11;
	for (size_t i = 0; branch && i < repo->nenvs; i++)
		if (!strcmp(rg_config_env_branch(repo, &repo->envs[i]), branch))
			on_branch++;
	for (size_t i = 0; paths && i < npaths; i++)
		if (!strcmp(paths[i], cfgfile))
			cfg_changed = true;
	for (size_t i = 0; i < repo->nenvs; i++) {
		const struct rg_config_env *env = &repo->envs[i];
		const char *eb = rg_config_env_branch(repo, env);
		struct rg_env_choice *c = &ch[i];

		c->env = env;
		if (!branch) {
			c->reason =
			    rg_arena_printf(a, "%s is not a branch",
					    refname ? refname : "(none)");
		} else if (strcmp(eb, branch)) {
			c->reason = rg_arena_printf(
			    a, "lives on branch %s, not %s", eb, branch);
		} else if (on_branch == 1) {
			c->render = true;
			c->reason =
			    rg_arena_printf(a, "branch %s is environment %s",
					    branch, env->name);
		} else if (!paths) {
			c->render = true;
			c->reason = rg_arena_printf(
			    a,
			    "everything on branch %s changed (new branch "
			    "or unknown history)",
			    branch);
		} else if (cfg_changed) {
			c->render = true;
			c->reason = rg_arena_printf(a, "%s changed", cfgfile);
		} else if (logs && logs[i].deps) {
			c->render =
			    rg_env_affected(&c->reason, env, logs[i].deps,
					    logs[i].ndeps, paths, npaths, a);
			if (!c->render)
				c->reason = rg_arena_printf(
				    a,
				    "not affected: none of the %zu changed "
				    "paths was read or listed by %s",
				    npaths, env->name);
		} else {
			c->render = first_cut(&c->reason, repo, branch, env,
					      paths, npaths, a);
		}
	}
	*out = ch;
	*n = repo->nenvs;
	return 0;
}

/* --- dependency logs as text ----------------------------------------- */

#define DEPLOG_HEADER "rendergate-deps 1\n"
#define DEPLOG_MAX    (4 * (size_t)RG_CAP_ENV_FILES)

int rg_env_deplog_write(struct rg_buf *out, const struct rg_tree_dep *deps,
			size_t n)
{
	size_t start = out->len;
	int error = rg_buf_adds(out, DEPLOG_HEADER);

	for (size_t i = 0; i < n && !error; i++) {
		const struct rg_tree_dep *d = &deps[i];

		error = rg_buf_addf(out, "%c %u %s ", d->listed ? 'L' : 'R',
				    (unsigned)d->kind, d->id[0] ? d->id : "-");
		for (const char *p = d->path; *p && !error; p++) {
			if (*p == '\\')
				error = rg_buf_adds(out, "\\\\");
			else if (*p == '\n')
				error = rg_buf_adds(out, "\\n");
			else
				error = rg_buf_addch(out, *p);
		}
		if (!error)
			error = rg_buf_addch(out, '\n');
	}
	if (error < 0)
		rg_buf_truncate(out, start);
	return error;
}

static bool hex_id(const char *p, size_t n)
{
	if (n != RG_SHA1_HEX - 1)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') ||
		      (p[i] >= 'a' && p[i] <= 'f')))
			return false;
	return true;
}

/* Parse one entry line (without its '\n') into d. */
static bool deplog_line(struct rg_tree_dep *d, struct rg_arena *a,
			const char *p, size_t n)
{
	const char *end = p + n, *sp;
	char *path, *w;

	if (n < 6 || (p[0] != 'L' && p[0] != 'R') || p[1] != ' ' ||
	    p[2] < '0' || p[2] > '0' + RG_TREE_SUBMODULE || p[3] != ' ')
		return false;
	d->listed = p[0] == 'L';
	d->kind = (uint8_t)(p[2] - '0');
	p += 4;
	sp = memchr(p, ' ', (size_t)(end - p));
	if (!sp)
		return false;
	if (sp - p == 1 && *p == '-')
		d->id[0] = '\0';
	else if (hex_id(p, (size_t)(sp - p)))
		memcpy(d->id, p, RG_SHA1_HEX); /* the id and the ' ' after it */
	else
		return false;
	d->id[RG_SHA1_HEX - 1] = '\0';
	path = w = rg_arena_alloc(a, (size_t)(end - sp));
	for (p = sp + 1; p < end; p++) {
		if (*p == '\0')
			return false;
		if (*p != '\\') {
			*w++ = *p;
			continue;
		}
		if (++p == end || (*p != '\\' && *p != 'n'))
			return false;
		*w++ = *p == 'n' ? '\n' : '\\';
	}
	*w = '\0';
	d->path = path;
	return rg_tree_path_check(path, NULL) == 0;
}

int rg_env_deplog_read(struct rg_env_deplog *out, struct rg_arena *a,
		       const char *data, size_t len, struct rg_err *err)
{
	const size_t hl = sizeof(DEPLOG_HEADER) - 1;
	struct rg_tree_dep *deps;
	const char *p = data + hl, *end = data + len;
	size_t n = 0, lines = 0;

	if (len < hl || memcmp(data, DEPLOG_HEADER, hl))
		return rg_err_set(err, RG_EPARSE, NULL,
				  "dependency log: missing header '%.*s'",
				  (int)hl - 1, DEPLOG_HEADER);
	for (const char *q = p; q < end; q++)
		lines += *q == '\n';
	if (lines > DEPLOG_MAX)
		return rg_err_set(err, RG_ELIMIT, NULL,
				  "dependency log: more than %zu entries "
				  "(4 * RG_CAP_ENV_FILES)",
				  DEPLOG_MAX);
	deps = rg_arena_calloc(a, lines + 1, sizeof(*deps));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl || !deplog_line(&deps[n], a, p, (size_t)(nl - p)))
			return rg_err_set(err, RG_EPARSE, NULL,
					  "dependency log: line %zu is "
					  "malformed",
					  n + 2);
		n++;
		p = nl + 1;
	}
	out->deps = deps;
	out->ndeps = n;
	return 0;
}
