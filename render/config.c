#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/cfgread.h"
#include "rendergate/config.h"

/* --- server config --------------------------------------------------- */

void rg_config_server_defaults(struct rg_config_server *c)
{
	memset(c, 0, sizeof(*c));
	c->file = "(defaults)";
	c->forge.kind = RG_FORGE_NONE;
	c->mode = RG_MODE_ENFORCE;
	c->deadline_ms = RG_CAP_DEADLINE_MS_DEFAULT;
	c->protect_env_branch_deletion = true;
	c->helm_timeout_ms = RG_CAP_HELM_TIMEOUT_MS_DEFAULT;
}

static void check_globs(struct rg_cfg *c, const struct rg_node *map,
			const char *key, const char **globs, size_t n)
{
	const struct rg_node *seq = rg_cfg_get(c, map, key, 0);
	struct rg_err err = RG_ERR_INIT;

	for (size_t i = 0; i < n; i++)
		if (rg_cfg_glob_check(globs[i], &err) < 0)
			rg_cfg_errorf(c,
				      seq && i < seq->u.seq.len
					  ? &seq->u.seq.items[i]->pos
					  : NULL,
				      "'%s'[%zu]: %s", key, i, err.msg);
}

static void server_forge(struct rg_config_server *s, struct rg_cfg *c,
			 const struct rg_node *root)
{
	static const char *const keys[] = {"kind",    "url",	 "token_file",
					   "ca_file", "project", NULL};
	static const char *const kinds[] = {"none", "gitlab", "gitea", NULL};
	static const enum rg_config_forge kind_of[] = {
	    RG_FORGE_NONE, RG_FORGE_GITLAB, RG_FORGE_GITEA};
	const struct rg_node *forge = NULL;
	int kind = 0;

	if (rg_cfg_map(&forge, c, root, "forge", 0) < 0)
		return;
	rg_cfg_check_keys(c, forge, keys);
	if (rg_cfg_enum(&kind, c, forge, "kind", kinds, RG_CFG_REQUIRED) == 0)
		s->forge.kind = kind_of[kind];
	rg_cfg_str(&s->forge.url, c, forge, "url",
		   s->forge.kind != RG_FORGE_NONE
		       ? RG_CFG_REQUIRED | RG_CFG_NONEMPTY
		       : RG_CFG_NONEMPTY);
	if (s->forge.url && strncmp(s->forge.url, "https://", 8) &&
	    strncmp(s->forge.url, "http://", 7))
		rg_cfg_errorf(c, &rg_cfg_get(c, forge, "url", 0)->pos,
			      "'url' must start with https:// or http:// "
			      "(found '%s')",
			      s->forge.url);
	rg_cfg_str(&s->forge.token_file, c, forge, "token_file",
		   RG_CFG_NONEMPTY);
	rg_cfg_str(&s->forge.ca_file, c, forge, "ca_file", RG_CFG_NONEMPTY);
	rg_cfg_str(&s->forge.project, c, forge, "project", RG_CFG_NONEMPTY);
}

static void server_absolute(struct rg_cfg *c, const struct rg_node *root,
			    const char *key, const char *path)
{
	if (path && path[0] != '/')
		rg_cfg_errorf(c, &rg_cfg_get(c, root, key, 0)->pos,
			      "'%s' must be an absolute path (found '%s')", key,
			      path);
}

int rg_config_server_parse(struct rg_config_server **out, struct rg_arena *a,
			   const char *file, const char *data, size_t len,
			   struct rg_errlist *errs)
{
	static const char *const keys[] = {"forge",
					   "policy_files",
					   "mode",
					   "deadline",
					   "spool_dir",
					   "chart_cache_dir",
					   "refs",
					   "feature_branches",
					   "bypass_users",
					   "protect_env_branch_deletion",
					   "helm_binary",
					   "helm_timeout",
					   NULL};
	static const char *const ref_keys[] = {"include", NULL};
	static const char *const fb_keys[] = {"target", "fail_early", NULL};
	static const char *const modes[] = {"enforce", "warn", NULL};
	struct rg_config_server *s = rg_arena_alloc(a, sizeof(*s));
	const struct rg_node *sub = NULL;
	struct rg_node *root = NULL;
	struct rg_cfg c;
	size_t before = errs->len + errs->dropped;
	int error, mode = 0;

	rg_cfg_init(&c, a, errs, file);
	rg_config_server_defaults(s);
	s->file = c.file;
	error = rg_cfg_parse(&root, &c, data, len);
	if (error < 0)
		goto out;
	rg_cfg_check_keys(&c, root, keys);
	server_forge(s, &c, root);
	if (rg_cfg_strlist(&s->policy_files, &s->npolicy_files, &c, root,
			   "policy_files", RG_CFG_NONEMPTY) == 0)
		for (size_t i = 0; i < s->npolicy_files; i++)
			if (s->policy_files[i][0] != '/')
				rg_cfg_errorf(
				    &c,
				    &rg_cfg_get(&c, root, "policy_files", 0)
					 ->u.seq.items[i]
					 ->pos,
				    "'policy_files'[%zu] must be an "
				    "absolute path (found '%s')",
				    i, s->policy_files[i]);
	if (rg_cfg_enum(&mode, &c, root, "mode", modes, 0) == 0)
		s->mode = mode ? RG_MODE_WARN : RG_MODE_ENFORCE;
	if (rg_cfg_duration(&s->deadline_ms, &c, root, "deadline", 0) == 0 &&
	    s->deadline_ms < 100)
		rg_cfg_errorf(&c, &rg_cfg_get(&c, root, "deadline", 0)->pos,
			      "'deadline' must be at least 100ms");
	rg_cfg_str(&s->spool_dir, &c, root, "spool_dir", RG_CFG_NONEMPTY);
	server_absolute(&c, root, "spool_dir", s->spool_dir);
	rg_cfg_str(&s->chart_cache_dir, &c, root, "chart_cache_dir",
		   RG_CFG_NONEMPTY);
	server_absolute(&c, root, "chart_cache_dir", s->chart_cache_dir);
	if (rg_cfg_map(&sub, &c, root, "refs", 0) == 0) {
		rg_cfg_check_keys(&c, sub, ref_keys);
		if (rg_cfg_strlist(&s->ref_include, &s->nref_include, &c, sub,
				   "include", RG_CFG_NONEMPTY) == 0)
			check_globs(&c, sub, "include", s->ref_include,
				    s->nref_include);
	}
	sub = NULL;
	if (rg_cfg_map(&sub, &c, root, "feature_branches", 0) == 0) {
		rg_cfg_check_keys(&c, sub, fb_keys);
		rg_cfg_str(&s->feature_branches.target, &c, sub, "target",
			   RG_CFG_NONEMPTY);
		rg_cfg_bool(&s->feature_branches.fail_early, &c, sub,
			    "fail_early", 0);
	}
	rg_cfg_strlist(&s->bypass_users, &s->nbypass_users, &c, root,
		       "bypass_users", RG_CFG_NONEMPTY);
	rg_cfg_bool(&s->protect_env_branch_deletion, &c, root,
		    "protect_env_branch_deletion", 0);
	rg_cfg_str(&s->helm_binary, &c, root, "helm_binary", RG_CFG_NONEMPTY);
	server_absolute(&c, root, "helm_binary", s->helm_binary);
	if (rg_cfg_duration(&s->helm_timeout_ms, &c, root, "helm_timeout", 0) ==
		0 &&
	    s->helm_timeout_ms < 100)
		rg_cfg_errorf(&c, &rg_cfg_get(&c, root, "helm_timeout", 0)->pos,
			      "'helm_timeout' must be at least 100ms");
out:
	if (errs->len + errs->dropped > before)
		return error < 0 ? error : RG_EINVALID;
	*out = s;
	return 0;
}

bool rg_config_ref_gated(const struct rg_config_server *c, const char *refname)
{
	if (!refname)
		return false;
	if (!strncmp(refname, "refs/heads/", 11))
		return true;
	if (!c)
		return false;
	for (size_t i = 0; i < c->nref_include; i++)
		if (rg_cfg_glob_match(c->ref_include[i], refname))
			return true;
	return false;
}

bool rg_config_user_bypasses(const struct rg_config_server *c, const char *user)
{
	if (!c || !user)
		return false;
	for (size_t i = 0; i < c->nbypass_users; i++)
		if (!strcmp(c->bypass_users[i], user))
			return true;
	return false;
}

/* --- repository config ----------------------------------------------- */

static bool valid_env_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
		      *s == '-'))
			return false;
	return true;
}

static void parse_set(struct rg_config_release *r, struct rg_cfg *c,
		      const struct rg_node *map)
{
	const struct rg_node *set = NULL;

	if (rg_cfg_map(&set, c, map, "set", 0) < 0)
		return;
	for (size_t i = 0; i < set->u.map.len; i++) {
		const struct rg_pair *p = &set->u.map.items[i];

		if (p->val->kind == RG_SEQ || p->val->kind == RG_MAP)
			rg_cfg_errorf(c, &p->val->pos,
				      "'set' value for '%.*s' must be a scalar "
				      "(use a dotted key for nested values), "
				      "found %s",
				      (int)p->key.len, p->key.ptr,
				      rg_kind_name((enum rg_kind)p->val->kind));
	}
	r->set = set;
}

static void parse_release(struct rg_config_release *r, struct rg_cfg *c,
			  const struct rg_node *n)
{
	static const char *const keys[] = {
	    "name",	 "chart",  "repo", "version", "kustomize",
	    "namespace", "values", "set",  "engine",  NULL};
	static const char *const engines[] = {RG_CONFIG_ENGINE_BUILTIN,
					      RG_CONFIG_ENGINE_HELM, NULL};
	const struct rg_node *v;
	int engine = 0;

	r->pos = n->pos;
	if (rg_cfg_expect(c, n, RG_MAP, "release entry") < 0)
		return;
	rg_cfg_check_keys(c, n, keys);
	if (rg_cfg_str(&r->name, c, n, "name",
		       RG_CFG_REQUIRED | RG_CFG_NONEMPTY) == 0 &&
	    !valid_env_name(r->name))
		rg_cfg_errorf(c, &rg_cfg_get(c, n, "name", 0)->pos,
			      "release name '%s' may only use letters, digits, "
			      "'.', '_' and '-'",
			      r->name);
	rg_cfg_str(&r->repo, c, n, "repo", RG_CFG_NONEMPTY);
	/* a chart from a repository is a name; a local chart is a path */
	rg_cfg_str(&r->chart, c, n, "chart",
		   r->repo ? RG_CFG_NONEMPTY
			   : RG_CFG_NONEMPTY | RG_CFG_REPO_PATH);
	rg_cfg_str(&r->version, c, n, "version", RG_CFG_NONEMPTY);
	rg_cfg_str(&r->kustomize, c, n, "kustomize", RG_CFG_REPO_PATH);
	rg_cfg_str(&r->namespace, c, n, "namespace", RG_CFG_NONEMPTY);
	rg_cfg_strlist(&r->values, &r->nvalues, c, n, "values",
		       RG_CFG_NONEMPTY | RG_CFG_REPO_PATH);
	parse_set(r, c, n);
	r->engine = RG_CONFIG_ENGINE_BUILTIN;
	if (rg_cfg_enum(&engine, c, n, "engine", engines, 0) == 0)
		r->engine = engines[engine];
	if (r->kustomize && engine)
		rg_cfg_errorf(c, &rg_cfg_get(c, n, "engine", 0)->pos,
			      "'engine' applies to charts, not to 'kustomize' "
			      "releases");
	if (!r->chart && !r->kustomize && !rg_cfg_get(c, n, "chart", 0) &&
	    !rg_cfg_get(c, n, "kustomize", 0))
		rg_cfg_errorf(c, &n->pos,
			      "release needs 'chart' or 'kustomize'");
	if (r->chart && r->kustomize)
		rg_cfg_errorf(c, &n->pos,
			      "release has both 'chart' and 'kustomize'; "
			      "use two releases");
	if ((r->repo || r->version) && !r->chart &&
	    !rg_cfg_get(c, n, "chart", 0))
		rg_cfg_errorf(c, &n->pos, "'repo' and 'version' need 'chart'");
	if (r->kustomize && (r->nvalues || r->set))
		rg_cfg_errorf(c, &n->pos,
			      "'values' and 'set' apply to charts, not to "
			      "'kustomize' releases");
	if (r->repo && !r->version) {
		v = rg_cfg_get(c, n, "repo", 0);
		rg_cfg_errorf(c, v ? &v->pos : &n->pos,
			      "a chart from 'repo' needs a 'version'");
	}
}

static void parse_releases(struct rg_config_env *e, struct rg_cfg *c,
			   const struct rg_node *n)
{
	const struct rg_node *seq = NULL;

	if (rg_cfg_seq(&seq, c, n, "releases", 0) < 0)
		return;
	e->nreleases = seq->u.seq.len;
	e->releases =
	    rg_arena_calloc(c->arena, e->nreleases + 1, sizeof(*e->releases));
	for (size_t i = 0; i < e->nreleases; i++) {
		parse_release(&e->releases[i], c, seq->u.seq.items[i]);
		for (size_t j = 0; j < i && e->releases[i].name; j++)
			if (e->releases[j].name &&
			    !strcmp(e->releases[j].name, e->releases[i].name))
				rg_cfg_errorf(
				    c, &e->releases[i].pos,
				    "release '%s' is defined twice in "
				    "environment '%s' (first at line "
				    "%u)",
				    e->releases[i].name,
				    e->name ? e->name : "?",
				    e->releases[j].pos.line);
	}
}

static void parse_env(struct rg_config_env *e, struct rg_cfg *c,
		      const struct rg_node *n)
{
	static const char *const keys[] = {
	    "name",	    "branch",	"path",	   "kind", "kube_version",
	    "api_versions", "releases", "exclude", "flux_sources",
	    "repo_urls",    NULL};
	static const char *const kinds[] = {
	    RG_CONFIG_KIND_AUTO, RG_CONFIG_KIND_PLAIN, RG_CONFIG_KIND_KUSTOMIZE,
	    RG_CONFIG_KIND_HELM, RG_CONFIG_KIND_FLUX, RG_CONFIG_KIND_ARGOCD,
	    NULL};
	const struct rg_node *kv;
	int kind = 0;

	e->pos = n->pos;
	e->kind = RG_CONFIG_KIND_AUTO;
	if (rg_cfg_expect(c, n, RG_MAP, "environment entry") < 0)
		return;
	rg_cfg_check_keys(c, n, keys);
	if (rg_cfg_str(&e->name, c, n, "name",
		       RG_CFG_REQUIRED | RG_CFG_NONEMPTY) == 0 &&
	    !valid_env_name(e->name))
		rg_cfg_errorf(c, &rg_cfg_get(c, n, "name", 0)->pos,
			      "environment name '%s' may only use letters, "
			      "digits, '.', '_' and '-'",
			      e->name);
	rg_cfg_str(&e->branch, c, n, "branch", RG_CFG_NONEMPTY);
	kv = rg_cfg_get(c, n, "path", 0);
	if (kv && kv->kind == RG_STR && kv->u.s.len == 1 &&
	    kv->u.s.ptr[0] == '.')
		rg_cfg_errorf(c, &kv->pos,
			      "'path' is relative to the repository root; "
			      "write \"\" for the root itself, not '.'");
	else
		rg_cfg_str(&e->path, c, n, "path",
			   RG_CFG_REQUIRED | RG_CFG_REPO_PATH);
	if (rg_cfg_enum(&kind, c, n, "kind", kinds, 0) == 0)
		e->kind = kinds[kind];
	kv = rg_cfg_get(c, n, "kube_version", 0);
	if (kv && (kv->kind == RG_FLOAT || kv->kind == RG_INT))
		rg_cfg_errorf(c, &kv->pos,
			      "'kube_version' must be a string; quote it "
			      "(\"1.30\" is not the number 1.3)");
	else
		rg_cfg_str(&e->kube_version, c, n, "kube_version",
			   RG_CFG_NONEMPTY);
	rg_cfg_strlist(&e->api_versions, &e->napi_versions, c, n,
		       "api_versions", RG_CFG_NONEMPTY);
	if (rg_cfg_strlist(&e->exclude, &e->nexclude, c, n, "exclude",
			   RG_CFG_NONEMPTY) == 0)
		check_globs(c, n, "exclude", e->exclude, e->nexclude);
	rg_cfg_strlist(&e->flux_sources, &e->nflux_sources, c, n,
		       "flux_sources", RG_CFG_NONEMPTY);
	for (size_t i = 0; i < e->nflux_sources; i++)
		if (!strchr(e->flux_sources[i], '/'))
			rg_cfg_errorf(c, &rg_cfg_get(c, n, "flux_sources", 0)->pos,
				      "flux_sources entry '%s' must be "
				      "namespace/name",
				      e->flux_sources[i]);
	rg_cfg_strlist(&e->repo_urls, &e->nrepo_urls, c, n, "repo_urls",
		       RG_CFG_NONEMPTY);
	parse_releases(e, c, n);
	if (e->nreleases && strcmp(e->kind, RG_CONFIG_KIND_AUTO))
		rg_cfg_errorf(c, &rg_cfg_get(c, n, "kind", 0)->pos,
			      "an environment with 'releases' takes its "
			      "renderers from them; drop 'kind: %s'",
			      e->kind);
}

static void parse_envs(struct rg_config_repo *r, struct rg_cfg *c,
		       const struct rg_node *root)
{
	const struct rg_node *seq = NULL;

	if (rg_cfg_seq(&seq, c, root, "environments", RG_CFG_REQUIRED) < 0)
		return;
	if (seq->u.seq.len > RG_CAP_ENVS) {
		rg_cfg_errorf(c, &seq->pos,
			      "%zu environments, more than %u (RG_CAP_ENVS)",
			      seq->u.seq.len, RG_CAP_ENVS);
		return;
	}
	r->nenvs = seq->u.seq.len;
	r->envs = rg_arena_calloc(c->arena, r->nenvs + 1, sizeof(*r->envs));
	for (size_t i = 0; i < r->nenvs; i++) {
		struct rg_config_env *e = &r->envs[i];

		parse_env(e, c, seq->u.seq.items[i]);
		if (!e->name)
			continue;
		for (size_t j = 0; j < i; j++)
			if (r->envs[j].name &&
			    !strcmp(r->envs[j].name, e->name))
				rg_cfg_errorf(
				    c, &e->pos,
				    "environment '%s' is defined twice "
				    "(first at line %u)",
				    e->name, r->envs[j].pos.line);
	}
}

static void parse_stages(struct rg_config_repo *r, struct rg_cfg *c,
			 const struct rg_node *root)
{
	const struct rg_node *seq;

	if (rg_cfg_strlist(&r->stages, &r->nstages, c, root, "stages",
			   RG_CFG_NONEMPTY) < 0)
		return;
	seq = rg_cfg_get(c, root, "stages", 0);
	for (size_t i = 0; i < r->nstages; i++) {
		const struct rg_pos *pos = &seq->u.seq.items[i]->pos;

		if (!rg_config_repo_env(r, r->stages[i]))
			rg_cfg_errorf(c, pos,
				      "stage '%s' is not a defined environment",
				      r->stages[i]);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(r->stages[j], r->stages[i]))
				rg_cfg_errorf(c, pos,
					      "stage '%s' is listed twice",
					      r->stages[i]);
	}
}

int rg_config_repo_parse(struct rg_config_repo **out, struct rg_arena *a,
			 const char *file, const char *data, size_t len,
			 struct rg_errlist *errs)
{
	static const char *const keys[] = {"environments", "stages",
					   "default_branch", NULL};
	struct rg_config_repo *r = rg_arena_alloc(a, sizeof(*r));
	struct rg_node *root = NULL;
	struct rg_cfg c;
	size_t before = errs->len + errs->dropped;
	int error;

	rg_cfg_init(&c, a, errs, file ? file : RG_CONFIG_REPO_FILE);
	r->file = c.file;
	r->default_branch = "main";
	error = rg_cfg_parse(&root, &c, data, len);
	if (error < 0)
		goto out;
	rg_cfg_check_keys(&c, root, keys);
	rg_cfg_str(&r->default_branch, &c, root, "default_branch",
		   RG_CFG_NONEMPTY);
	parse_envs(r, &c, root);
	parse_stages(r, &c, root);
out:
	if (errs->len + errs->dropped > before)
		return error < 0 ? error : RG_EINVALID;
	*out = r;
	return 0;
}

const struct rg_config_env *rg_config_repo_env(const struct rg_config_repo *c,
					       const char *name)
{
	for (size_t i = 0; c && name && i < c->nenvs; i++)
		if (c->envs[i].name && !strcmp(c->envs[i].name, name))
			return &c->envs[i];
	return NULL;
}

const char *rg_config_env_branch(const struct rg_config_repo *c,
				 const struct rg_config_env *env)
{
	if (env->branch)
		return env->branch;
	return c && c->default_branch ? c->default_branch : "main";
}

int rg_config_stage_index(const struct rg_config_repo *c, const char *name)
{
	for (size_t i = 0; c && name && i < c->nstages; i++)
		if (!strcmp(c->stages[i], name))
			return (int)i;
	return -1;
}
