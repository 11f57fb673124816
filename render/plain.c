#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/cfgread.h"
#include "rendergate/config.h"
#include "rendergate/doc.h"
#include "rendergate/env.h"
#include "rendergate/finding.h"
#include "rendergate/objects.h"
#include "rendergate/plain.h"
#include "rendergate/tree.h"

struct walk {
	const struct rg_render_req *req;
	const char **files; /* heap array of arena paths */
	size_t nfiles, alloc;
};

bool rg_plain_is_manifest(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && !strcmp(name + n - 5, ".yaml")) ||
	       (n > 4 && !strcmp(name + n - 4, ".yml"));
}

/* Is rel (relative to the environment path) excluded by a pattern? */
static bool excluded(const struct rg_config_env *env, const char *rel,
		     const char *name)
{
	for (size_t i = 0; i < env->nexclude; i++) {
		const char *pat = env->exclude[i];

		if (rg_cfg_glob_match(pat, strchr(pat, '/') ? rel : name))
			return true;
	}
	return false;
}

bool rg_plain_excluded(const struct rg_config_env *env, const char *rel)
{
	char *copy = rg_xstrdup(rel);
	char *comp = copy, *slash;
	bool skip = false;

	/* check each directory on the way down, as the walk does */
	while (!skip) {
		slash = strchr(comp, '/');
		if (slash)
			*slash = '\0';
		skip = comp[0] == '.' || excluded(env, copy, comp);
		if (!slash)
			break;
		*slash = '/';
		comp = slash + 1;
	}
	free(copy);
	return skip;
}

static int refuse(struct rg_err *err, int code, const char *path,
		  const char *what)
{
	struct rg_pos pos = {path, 0, 0};

	return rg_err_set(err, code, &pos,
			  "%s below the environment path; it is never "
			  "followed, remove it or add it to 'exclude'",
			  what);
}

static int walk_dir(struct walk *w, const char *dir, const char *rel,
		    unsigned depth, struct rg_err *err)
{
	const struct rg_render_req *req = w->req;
	struct rg_tree_entry *e = NULL;
	size_t n = 0;
	int error;

	if (depth > RG_CAP_DIR_DEPTH) {
		struct rg_pos pos = {dir, 0, 0};

		return rg_err_set(err, RG_ELIMIT, &pos,
				  "directories nested deeper than %u levels "
				  "(RG_CAP_DIR_DEPTH)",
				  RG_CAP_DIR_DEPTH);
	}
	error = rg_tree_list(req->tree, dir, &e, &n, err);
	if (error < 0)
		return error;
	for (size_t i = 0; i < n; i++) {
		const char *name = e[i].name, *path, *relp;

		if (name[0] == '.')
			continue;
		relp = rg_tree_path_join(req->arena, rel, name);
		if (excluded(req->env, relp, name))
			continue;
		path = rg_tree_path_join(req->arena, dir, name);
		switch (e[i].kind) {
		case RG_TREE_SYMLINK:
			return refuse(err, RG_EUNSAFE, path, "symbolic link");
		case RG_TREE_SUBMODULE:
			return refuse(err, RG_EUNSUPPORTED, path, "submodule");
		case RG_TREE_DIR:
			error = walk_dir(w, path, relp, depth + 1, err);
			if (error < 0)
				return error;
			break;
		case RG_TREE_FILE:
			if (!rg_plain_is_manifest(name))
				break;
			if (w->nfiles >= RG_CAP_ENV_FILES) {
				struct rg_pos pos = {path, 0, 0};

				return rg_err_set(err, RG_ELIMIT, &pos,
						  "more than %u manifest files "
						  "in one environment "
						  "(RG_CAP_ENV_FILES)",
						  RG_CAP_ENV_FILES);
			}
			RG_ALLOC_GROW(w->files, w->nfiles + 1, w->alloc);
			w->files[w->nfiles++] = path;
			break;
		default:
			break;
		}
	}
	return 0;
}

static int cmp_path(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static bool is_list(const struct rg_node *doc)
{
	const char *api = rg_node_cstr(rg_map_gets(doc, "apiVersion"));
	const char *kind = rg_node_cstr(rg_map_gets(doc, "kind"));
	const struct rg_node *items = rg_map_gets(doc, "items");

	return api && kind && !strcmp(api, "v1") && !strcmp(kind, "List") &&
	       items && items->kind == RG_SEQ;
}

static int add_docs(struct rg_objset *out, struct rg_findings *findings,
		    const struct rg_render_req *req, const struct rg_docs *docs,
		    struct rg_err *err)
{
	const char *env = req->env->name;
	int error;

	for (size_t i = 0; i < docs->len; i++) {
		struct rg_node *doc = docs->docs[i];

		if (!doc || doc->kind == RG_NULL)
			continue;
		if (doc->kind == RG_MAP && is_list(doc)) {
			const struct rg_node *items = rg_map_gets(doc, "items");

			for (size_t k = 0; k < items->u.seq.len; k++) {
				error = rg_objset_add_doc(
				    NULL, out, items->u.seq.items[k], findings,
				    "plain", env, err);
				if (error == RG_ELIMIT)
					return error;
			}
			continue;
		}
		error = rg_objset_add_doc(NULL, out, doc, findings, "plain",
					  env, err);
		if (error == RG_ELIMIT)
			return error;
	}
	return 0;
}

int rg_plain_render(struct rg_objset *out, struct rg_findings *findings,
		    const struct rg_render_req *req, struct rg_err *err)
{
	struct walk w = {req, NULL, 0, 0};
	const char *root = req->path ? req->path : req->env->path;
	enum rg_tree_kind kind;
	int error;

	error = rg_tree_path_check(root, err);
	if (error < 0)
		goto out;
	kind = rg_tree_stat(req->tree, root);
	if (kind != RG_TREE_DIR) {
		struct rg_pos pos = {root, 0, 0};

		/* list it anyway so the dependency log notes the miss */
		if (kind == RG_TREE_MISSING) {
			struct rg_tree_entry *e;
			size_t n;

			rg_tree_list(req->tree, root, &e, &n, NULL);
		}
		error = rg_err_set(
		    err, kind == RG_TREE_SYMLINK ? RG_EUNSAFE : RG_ENOTFOUND,
		    &pos, "%s in %s",
		    kind == RG_TREE_MISSING
			? "the environment path does not exist"
			: "the environment path is not a "
			  "directory",
		    req->tree->label);
		goto out;
	}
	error = walk_dir(&w, root, "", 0, err);
	if (error < 0)
		goto out;
	if (w.nfiles > 1)
		qsort(w.files, w.nfiles, sizeof(*w.files), cmp_path);
	for (size_t i = 0; i < w.nfiles; i++) {
		struct rg_docs docs = {NULL, 0, 0};
		const char *data = NULL;
		size_t len = 0;

		error = rg_tree_read(req->tree, w.files[i], &data, &len, err);
		if (error < 0)
			goto out;
		error = rg_doc_parse(&docs, req->arena, w.files[i], data, len,
				     0, err);
		if (error < 0)
			goto out;
		error = add_docs(out, findings, req, &docs, err);
		if (error < 0)
			goto out;
	}
out:
	free(w.files);
	return error;
}
