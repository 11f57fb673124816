/*
 * forge_gitea.c - the forge operations over the Gitea/Forgejo REST API v1
 * (reference/forge.md section 4, api/gitea-forgejo-v1-subset.json). Auth is
 * "Authorization: token ..." (set up by rg_forge_new). Pull requests are
 * issues too: comments go through /issues/{index}/comments.
 */
#include "rendergate/compat.h"
#include "rendergate/caps.h"
#include "rendergate/forge.h"

#include <jansson.h>

/* [api] MAX_RESPONSE_ITEMS defaults to 50, so ask for no more */
#define LIMIT 50

static const char *jstr(struct rg_arena *a, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? rg_arena_strdup(a, json_string_value(v))
				 : NULL;
}

static int parse_err(struct rg_err *err, const json_error_t *je,
		     const char *what)
{
	if (je)
		return rg_err_set(err, RG_EPARSE, NULL,
				  "gitea: %s: bad JSON at line %d: %s", what,
				  je->line, je->text);
	return rg_err_set(err, RG_EPARSE, NULL,
			  "gitea: %s: unexpected JSON shape", what);
}

static void pull_from(struct rg_forge_mr *m, struct rg_arena *a, json_t *o)
{
	json_t *num = json_object_get(o, "number");
	json_t *head = json_object_get(o, "head"),
	       *base = json_object_get(o, "base");

	m->iid = json_is_integer(num) ? (long long)json_integer_value(num) : 0;
	m->source_branch = jstr(a, head, "ref");
	m->target_branch = jstr(a, base, "ref");
	m->head_sha = jstr(a, head, "sha");
	m->merge_sha = jstr(a, o, "merge_commit_sha");
	m->squash_sha = NULL;
	m->state = json_is_true(json_object_get(o, "merged"))
		       ? rg_arena_strdup(a, "merged")
		       : jstr(a, o, "state");
	m->web_url = jstr(a, o, "html_url");
	m->author = jstr(a, json_object_get(o, "user"), "login");
}

static bool same_repo(json_t *o)
{
	json_t *h = json_object_get(json_object_get(o, "head"), "repo_id");
	json_t *b = json_object_get(json_object_get(o, "base"), "repo_id");

	/* a PR from a fork has a head branch of the same name elsewhere */
	if (json_is_integer(h) && json_is_integer(b))
		return json_integer_value(h) == json_integer_value(b);
	return true;
}

int rg_forge_gitea_parse_pulls(struct rg_forge_mr **items, size_t *n,
			       size_t *alloc, struct rg_arena *a,
			       const char *json, size_t len,
			       const char *only_branch, struct rg_err *err)
{
	json_error_t je;
	json_t *root = json_loadb(json, len, 0, &je), *o;
	size_t i;
	int ret = 0;

	if (!root) {
		ret = parse_err(err, &je, "pulls");
		goto out;
	}
	if (!json_is_array(root)) {
		ret = parse_err(err, NULL, "pulls");
		goto out;
	}
	json_array_foreach(root, i, o)
	{
		struct rg_forge_mr m = {0};

		if (!json_is_object(o) ||
		    !json_is_integer(json_object_get(o, "number")))
			continue;
		pull_from(&m, a, o);
		if (only_branch &&
		    (!m.source_branch || strcmp(m.source_branch, only_branch) ||
		     !same_repo(o)))
			continue;
		*(struct rg_forge_mr *)rg_forge_push(
		    a, (void **)items, n, alloc, sizeof(**items)) = m;
	}
out:
	json_decref(root);
	return ret;
}

int rg_forge_gitea_parse_pull(struct rg_forge_mr *out, struct rg_arena *a,
			      const char *json, size_t len, struct rg_err *err)
{
	json_error_t je;
	json_t *root = json_loadb(json, len, 0, &je);
	int ret = 0;

	if (!root) {
		ret = parse_err(err, &je, "pull");
		goto out;
	}
	if (!json_is_object(root) ||
	    !json_is_integer(json_object_get(root, "number"))) {
		ret = parse_err(err, NULL, "pull");
		goto out;
	}
	pull_from(out, a, root);
out:
	json_decref(root);
	return ret;
}

int rg_forge_gitea_parse_reviews(struct rg_forge_approval **items, size_t *n,
				 size_t *alloc, struct rg_arena *a,
				 const char *json, size_t len,
				 struct rg_err *err)
{
	json_error_t je;
	json_t *root = json_loadb(json, len, 0, &je), *o;
	json_t *latest = NULL; /* login -> deciding review */
	const char *login;
	size_t i;
	int ret = 0;

	if (!root) {
		ret = parse_err(err, &je, "reviews");
		goto out;
	}
	if (!json_is_array(root)) {
		ret = parse_err(err, NULL, "reviews");
		goto out;
	}
	latest = json_object();
	json_array_foreach(root, i, o)
	{
		json_t *user = json_object_get(o, "user"), *prev;
		json_t *st = json_object_get(o, "state");
		const char *state =
		    json_is_string(st) ? json_string_value(st) : "";
		json_t *un = json_object_get(user, "login");

		/* only approvals and change requests decide; comments do not */
		if (!json_is_string(un) || (strcmp(state, "APPROVED") &&
					    strcmp(state, "REQUEST_CHANGES")))
			continue;
		prev = json_object_get(latest, json_string_value(un));
		if (prev && json_integer_value(json_object_get(prev, "id")) >
				json_integer_value(json_object_get(o, "id")))
			continue;
		json_object_set(latest, json_string_value(un), o);
	}
	json_object_foreach(latest, login, o)
	{
		const char *state =
		    json_string_value(json_object_get(o, "state"));
		struct rg_forge_approval *ap;

		if (strcmp(state, "APPROVED") ||
		    json_is_true(json_object_get(o, "dismissed")) ||
		    json_is_true(json_object_get(o, "stale")))
			continue;
		ap =
		    rg_forge_push(a, (void **)items, n, alloc, sizeof(**items));
		ap->username = rg_arena_strdup(a, login);
		ap->official = json_is_true(json_object_get(o, "official"));
	}
out:
	json_decref(latest);
	json_decref(root);
	return ret;
}

/* --- paths and page callbacks ---------------------------------------- */

/* "/repos/{owner}/{repo}" with both parts escaped. */
static const char *repo_path(struct rg_forge *f, struct rg_arena *a)
{
	const char *slash = strchr(f->project, '/');
	char *owner = rg_arena_strndup(a, f->project,
				       slash ? (size_t)(slash - f->project)
					     : strlen(f->project));

	return rg_arena_printf(a, "/repos/%s/%s", rg_forge_escape(a, owner),
			       rg_forge_escape(a, slash ? slash + 1 : ""));
}

struct pull_acc {
	struct rg_arena *a;
	const char *branch;
	struct rg_forge_mr *items;
	size_t n, alloc;
};

static int count_array(const char *json, size_t len, size_t *added)
{
	json_t *root = json_loadb(json, len, 0, NULL);

	*added = json_is_array(root) ? json_array_size(root) : 0;
	json_decref(root);
	return 0;
}

static int pull_page(void *ctx, const char *json, size_t len, size_t *added,
		     struct rg_err *err)
{
	struct pull_acc *acc = ctx;
	int ret =
	    rg_forge_gitea_parse_pulls(&acc->items, &acc->n, &acc->alloc,
				       acc->a, json, len, acc->branch, err);

	/* pages are counted in server items, not in the ones we keep */
	if (ret == 0)
		count_array(json, len, added);
	return ret;
}

struct json_acc {
	json_t *all;
};

static int review_page(void *ctx, const char *json, size_t len, size_t *added,
		       struct rg_err *err)
{
	struct json_acc *acc = ctx;
	json_error_t je;
	json_t *root = json_loadb(json, len, 0, &je);
	int ret = 0;

	if (!root || !json_is_array(root)) {
		ret = parse_err(err, root ? NULL : &je, "reviews");
		goto out;
	}
	*added = json_array_size(root);
	json_array_extend(acc->all, root);
out:
	json_decref(root);
	return ret;
}

/* --- operations ------------------------------------------------------ */

static int gt_find_open_mrs(struct rg_forge_mr **out, size_t *n,
			    struct rg_forge *f, struct rg_arena *a,
			    const char *branch, const char *target,
			    struct rg_err *err)
{
	/* the list has no head filter (forge.md 4.2): list open, filter here */
	struct pull_acc acc = {a, branch, NULL, 0, 0};
	char *path = rg_arena_printf(a, "%s/pulls?state=open&limit=%d",
				     repo_path(f, a), LIMIT);
	size_t i, k = 0;
	int ret = rg_forge_get_all(f, path, LIMIT, pull_page, &acc, err);

	if (ret < 0)
		return ret;
	for (i = 0; i < acc.n; i++) {
		const struct rg_forge_mr *m = &acc.items[i];

		if ((target &&
		     (!m->target_branch || strcmp(m->target_branch, target))) ||
		    (m->state && strcmp(m->state, "open")))
			continue;
		acc.items[k++] = *m;
	}
	*out = acc.items;
	*n = k;
	return 0;
}

static int gt_find_merged_mr(struct rg_forge_mr *out, struct rg_forge *f,
			     struct rg_arena *a, const char *sha,
			     struct rg_err *err)
{
	struct rg_http_resp r;
	char *path = rg_arena_printf(a, "%s/commits/%s/pull", repo_path(f, a),
				     rg_forge_escape(a, sha));
	int ret = rg_forge_call(&r, f, "GET", path, NULL, true, true, err);

	if (ret == 0)
		ret = rg_forge_gitea_parse_pull(out, a, r.body.ptr, r.body.len,
						err);
	rg_http_resp_release(&r);
	return ret;
}

static int gt_list_approvals(struct rg_forge_approval **out, size_t *n,
			     struct rg_forge *f, struct rg_arena *a,
			     long long iid, struct rg_err *err)
{
	struct json_acc acc = {json_array()};
	char *path = rg_arena_printf(a, "%s/pulls/%lld/reviews?limit=%d",
				     repo_path(f, a), iid, LIMIT);
	size_t alloc = 0;
	char *all = NULL;
	int ret = rg_forge_get_all(f, path, LIMIT, review_page, &acc, err);

	if (ret == 0) {
		all = json_dumps(acc.all, JSON_COMPACT);
		if (!all)
			RG_BUG("cannot re-encode reviews");
		ret = rg_forge_gitea_parse_reviews(out, n, &alloc, a, all,
						   strlen(all), err);
	}
	free(all);
	json_decref(acc.all);
	return ret;
}

static int gt_list_comments(struct rg_forge_comment **out, size_t *n,
			    struct rg_forge *f, struct rg_arena *a,
			    long long iid, struct rg_err *err)
{
	struct rg_forge_comment_acc acc = {a, NULL, 0, 0};
	char *path =
	    rg_arena_printf(a, "%s/issues/%lld/comments", repo_path(f, a), iid);
	/* not paginated in the documented API: follow headers only */
	int ret =
	    rg_forge_get_all(f, path, 0, rg_forge_comment_page, &acc, err);

	*out = acc.items;
	*n = acc.n;
	return ret;
}

static int gt_create_comment(long long *out_id, struct rg_forge *f,
			     struct rg_arena *a, long long iid,
			     const char *body, struct rg_err *err)
{
	struct rg_http_resp r;
	char *path =
	    rg_arena_printf(a, "%s/issues/%lld/comments", repo_path(f, a), iid);
	char *js = rg_forge_body_json(body);
	int ret = rg_forge_call(&r, f, "POST", path, js, false, false, err);

	if (ret == 0)
		ret = rg_forge_parse_id(out_id, r.body.ptr, r.body.len, err);
	rg_http_resp_release(&r);
	free(js);
	return ret;
}

static int gt_update_comment(struct rg_forge *f, struct rg_arena *a,
			     long long iid, long long id, const char *body,
			     struct rg_err *err)
{
	struct rg_http_resp r;
	char *path =
	    rg_arena_printf(a, "%s/issues/comments/%lld", repo_path(f, a), id);
	char *js = rg_forge_body_json(body);
	int ret = rg_forge_call(&r, f, "PATCH", path, js, true, false, err);

	rg_http_resp_release(&r);
	free(js);
	return ret;
}

static int gt_set_status(struct rg_forge *f, const char *sha, const char *state,
			 const char *target_url, const char *description,
			 struct rg_err *err)
{
	struct rg_arena *a = rg_arena_new();
	int ret = rg_forge_post_status(
	    f, rg_arena_printf(a, "%s/statuses/%s", repo_path(f, a), sha),
	    "context", state, target_url, description, err);

	rg_arena_free(a);
	return ret;
}

/* The id of team `name` from one page of /orgs/{org}/teams. */
struct team_acc {
	const char *name;
	long long id;
};

static int team_page(void *ctx, const char *json, size_t len, size_t *added,
		     struct rg_err *err)
{
	struct team_acc *acc = ctx;
	json_t *root = json_loadb(json, len, 0, NULL), *o;
	size_t i;

	*added = 0;
	if (!json_is_array(root)) {
		json_decref(root);
		return rg_err_set(err, RG_EPARSE, NULL,
				  "gitea: teams: not a JSON array");
	}
	*added = json_array_size(root);
	json_array_foreach(root, i, o)
	{
		json_t *name = json_object_get(o, "name");
		json_t *id = json_object_get(o, "id");

		if (!acc->id && json_is_string(name) && json_is_integer(id) &&
		    !strcmp(json_string_value(name), acc->name))
			acc->id = (long long)json_integer_value(id);
	}
	json_decref(root);
	return 0;
}

static int gt_group_members(const char ***out, size_t *n, struct rg_forge *f,
			    struct rg_arena *a, const char *group,
			    struct rg_err *err)
{
	struct rg_forge_names_acc acc = {a, "login", NULL, 0, 0};
	const char *slash = strchr(group, '/');
	const char *org = slash ? rg_arena_strndup(a, group,
						   (size_t)(slash - group))
				: group;
	struct team_acc team = {slash ? slash + 1 : NULL, 0};
	const char *path;
	int ret = 0;

	if (slash) {
		path = rg_arena_printf(a, "/orgs/%s/teams?limit=%d",
				       rg_forge_escape(a, org), LIMIT);
		ret = rg_forge_get_all(f, path, LIMIT, team_page, &team, err);
		if (ret == 0 && !team.id)
			ret = rg_err_set(err, RG_ENOTFOUND, NULL,
					 "gitea: no team %s", group);
		path = rg_arena_printf(a, "/teams/%lld/members?limit=%d",
				       team.id, LIMIT);
	} else {
		path = rg_arena_printf(a, "/orgs/%s/members?limit=%d",
				       rg_forge_escape(a, org), LIMIT);
	}
	if (ret == 0)
		ret = rg_forge_get_all(f, path, LIMIT, rg_forge_names_page,
				       &acc, err);
	if (ret == RG_EFORGE && f->last_status == 404)
		ret = rg_err_set(err, RG_ENOTFOUND, NULL,
				 "gitea: no organisation or team %s", group);
	*out = acc.items;
	*n = acc.n;
	return ret;
}

const struct rg_forge_ops rg_forge_gitea_ops = {
    gt_find_open_mrs,  gt_find_merged_mr,
    gt_list_approvals, gt_list_comments,
    gt_create_comment, gt_update_comment,
    gt_set_status,     {"pending", "success", "failure"},
    gt_group_members,
};
