/*
 * forge_gitlab.c - the forge operations over the GitLab REST API v4
 * (reference/forge.md section 2). Auth is the PRIVATE-TOKEN header (set up
 * by rg_forge_new); :id is the URL-encoded project path.
 */
#include "rendergate/compat.h"
#include "rendergate/caps.h"
#include "rendergate/forge.h"

#include <jansson.h>

#define PER_PAGE 100

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
				  "gitlab: %s: bad JSON at line %d: %s", what,
				  je->line, je->text);
	return rg_err_set(err, RG_EPARSE, NULL,
			  "gitlab: %s: unexpected JSON shape", what);
}

static void mr_from(struct rg_forge_mr *m, struct rg_arena *a, json_t *o)
{
	json_t *iid = json_object_get(o, "iid");

	m->iid = json_is_integer(iid) ? (long long)json_integer_value(iid) : 0;
	m->source_branch = jstr(a, o, "source_branch");
	m->target_branch = jstr(a, o, "target_branch");
	m->head_sha = jstr(a, o, "sha");
	m->merge_sha = jstr(a, o, "merge_commit_sha");
	m->squash_sha = jstr(a, o, "squash_commit_sha");
	m->state = jstr(a, o, "state");
	m->web_url = jstr(a, o, "web_url");
	m->author = jstr(a, json_object_get(o, "author"), "username");
}

int rg_forge_gitlab_parse_mrs(struct rg_forge_mr **items, size_t *n,
			      size_t *alloc, struct rg_arena *a,
			      const char *json, size_t len, struct rg_err *err)
{
	json_error_t je;
	json_t *root = json_loadb(json, len, 0, &je), *o;
	size_t i;
	int ret = 0;

	if (!root) {
		ret = parse_err(err, &je, "merge requests");
		goto out;
	}
	if (!json_is_array(root)) {
		ret = parse_err(err, NULL, "merge requests");
		goto out;
	}
	json_array_foreach(root, i, o)
	{
		struct rg_forge_mr m = {0};

		if (!json_is_object(o) ||
		    !json_is_integer(json_object_get(o, "iid")))
			continue;
		mr_from(&m, a, o);
		*(struct rg_forge_mr *)rg_forge_push(
		    a, (void **)items, n, alloc, sizeof(**items)) = m;
	}
out:
	json_decref(root);
	return ret;
}

static void add_approver(struct rg_forge_approval **items, size_t *n,
			 size_t *alloc, struct rg_arena *a, json_t *entry)
{
	json_t *user = json_object_get(entry, "user");
	json_t *un =
	    json_object_get(json_is_object(user) ? user : entry, "username");
	struct rg_forge_approval *ap;
	size_t i;

	if (!json_is_string(un))
		return;
	for (i = 0; i < *n; i++)
		if (!strcmp((*items)[i].username, json_string_value(un)))
			return;
	ap = rg_forge_push(a, (void **)items, n, alloc, sizeof(**items));
	ap->username = rg_arena_strdup(a, json_string_value(un));
	ap->official = true;
}

int rg_forge_gitlab_parse_approvals(struct rg_forge_approval **items, size_t *n,
				    size_t *alloc, struct rg_arena *a,
				    const char *json, size_t len,
				    struct rg_err *err)
{
	json_error_t je;
	json_t *root = json_loadb(json, len, 0, &je), *by, *rules, *o, *r;
	size_t i, j;
	int ret = 0;

	if (!root) {
		ret = parse_err(err, &je, "approvals");
		goto out;
	}
	if (!json_is_object(root)) {
		ret = parse_err(err, NULL, "approvals");
		goto out;
	}
	by = json_object_get(root, "approved_by");
	rules = json_object_get(root, "rules");
	if (!json_is_array(by) && !json_is_array(rules)) {
		ret =
		    parse_err(err, NULL, "approvals (no approved_by or rules)");
		goto out;
	}
	/* /approvals: approved_by[] = {user{...}} */
	json_array_foreach(by, i, o) if (json_is_object(o))
	    add_approver(items, n, alloc, a, o);
	/* /approval_state: rules[].approved_by[] = user objects */
	json_array_foreach(rules, i, r)
	{
		json_t *rb = json_object_get(r, "approved_by");

		json_array_foreach(rb, j, o) if (json_is_object(o))
		    add_approver(items, n, alloc, a, o);
	}
out:
	json_decref(root);
	return ret;
}

/* --- page callbacks -------------------------------------------------- */

struct mr_acc {
	struct rg_arena *a;
	struct rg_forge_mr *items;
	size_t n, alloc;
};

static int mr_page(void *ctx, const char *json, size_t len, size_t *added,
		   struct rg_err *err)
{
	struct mr_acc *acc = ctx;
	size_t before = acc->n;
	int ret = rg_forge_gitlab_parse_mrs(&acc->items, &acc->n, &acc->alloc,
					    acc->a, json, len, err);

	*added = acc->n - before;
	return ret;
}

/* --- operations ------------------------------------------------------ */

static int gl_find_open_mrs(struct rg_forge_mr **out, size_t *n,
			    struct rg_forge *f, struct rg_arena *a,
			    const char *branch, const char *target,
			    struct rg_err *err)
{
	struct mr_acc acc = {a, NULL, 0, 0};
	char *path = rg_arena_printf(
	    a, "/projects/%s/merge_requests?state=opened%s%s%s%s&per_page=%d",
	    f->proj_enc, branch ? "&source_branch=" : "",
	    branch ? rg_forge_escape(a, branch) : "",
	    target ? "&target_branch=" : "",
	    target ? rg_forge_escape(a, target) : "", PER_PAGE);
	size_t i, k = 0;
	int ret = rg_forge_get_all(f, path, PER_PAGE, mr_page, &acc, err);

	if (ret < 0)
		return ret;
	/* the server filters; check again so a lax server cannot mislead us */
	for (i = 0; i < acc.n; i++) {
		const struct rg_forge_mr *m = &acc.items[i];

		if ((branch && (!m->source_branch ||
				strcmp(m->source_branch, branch))) ||
		    (target &&
		     (!m->target_branch || strcmp(m->target_branch, target))) ||
		    (m->state && strcmp(m->state, "opened")))
			continue;
		acc.items[k++] = *m;
	}
	*out = acc.items;
	*n = k;
	return 0;
}

static int gl_find_merged_mr(struct rg_forge_mr *out, struct rg_forge *f,
			     struct rg_arena *a, const char *sha,
			     struct rg_err *err)
{
	struct mr_acc acc = {a, NULL, 0, 0};
	char *path = rg_arena_printf(
	    a, "/projects/%s/repository/commits/%s/merge_requests?per_page=%d",
	    f->proj_enc, rg_forge_escape(a, sha), PER_PAGE);
	const struct rg_forge_mr *best = NULL;
	size_t i;
	int ret = rg_forge_get_all(f, path, PER_PAGE, mr_page, &acc, err);

	if (ret == RG_EFORGE && f->last_status == 404)
		return rg_err_set(err, RG_ENOTFOUND, NULL,
				  "gitlab: commit %s not found", sha);
	if (ret < 0)
		return ret;
	for (i = 0; i < acc.n && !best; i++) {
		const struct rg_forge_mr *m = &acc.items[i];

		if ((m->merge_sha && !strcmp(m->merge_sha, sha)) ||
		    (m->squash_sha && !strcmp(m->squash_sha, sha)))
			best = m;
	}
	for (i = 0; i < acc.n && !best; i++)
		if (acc.items[i].state && !strcmp(acc.items[i].state, "merged"))
			best = &acc.items[i];
	if (!best)
		return rg_err_set(
		    err, RG_ENOTFOUND, NULL,
		    "gitlab: no merged merge request for commit %s", sha);
	*out = *best;
	return 0;
}

static int gl_list_approvals(struct rg_forge_approval **out, size_t *n,
			     struct rg_forge *f, struct rg_arena *a,
			     long long iid, struct rg_err *err)
{
	struct rg_http_resp r;
	char *path = rg_arena_printf(
	    a, "/projects/%s/merge_requests/%lld/approvals", f->proj_enc, iid);
	size_t alloc = 0;
	int ret = rg_forge_call(&r, f, "GET", path, NULL, true, true, err);

	if (ret == RG_ENOTFOUND) {
		/* CE without the approvals API, or a Premium-only setup */
		rg_http_resp_release(&r);
		path = rg_arena_printf(
		    a, "/projects/%s/merge_requests/%lld/approval_state",
		    f->proj_enc, iid);
		ret = rg_forge_call(&r, f, "GET", path, NULL, true, false, err);
	}
	if (ret == 0)
		ret = rg_forge_gitlab_parse_approvals(
		    out, n, &alloc, a, r.body.ptr, r.body.len, err);
	rg_http_resp_release(&r);
	return ret;
}

static int gl_list_comments(struct rg_forge_comment **out, size_t *n,
			    struct rg_forge *f, struct rg_arena *a,
			    long long iid, struct rg_err *err)
{
	struct rg_forge_comment_acc acc = {a, NULL, 0, 0};
	char *path =
	    rg_arena_printf(a,
			    "/projects/%s/merge_requests/%lld/"
			    "notes?sort=asc&order_by=created_at&per_page=%d",
			    f->proj_enc, iid, PER_PAGE);
	int ret = rg_forge_get_all(f, path, PER_PAGE, rg_forge_comment_page,
				   &acc, err);

	*out = acc.items;
	*n = acc.n;
	return ret;
}

static int gl_create_comment(long long *out_id, struct rg_forge *f,
			     struct rg_arena *a, long long iid,
			     const char *body, struct rg_err *err)
{
	struct rg_http_resp r;
	char *path = rg_arena_printf(
	    a, "/projects/%s/merge_requests/%lld/notes", f->proj_enc, iid);
	char *js = rg_forge_body_json(body);
	int ret = rg_forge_call(&r, f, "POST", path, js, false, false, err);

	if (ret == 0)
		ret = rg_forge_parse_id(out_id, r.body.ptr, r.body.len, err);
	rg_http_resp_release(&r);
	free(js);
	return ret;
}

static int gl_update_comment(struct rg_forge *f, struct rg_arena *a,
			     long long iid, long long id, const char *body,
			     struct rg_err *err)
{
	struct rg_http_resp r;
	char *path =
	    rg_arena_printf(a, "/projects/%s/merge_requests/%lld/notes/%lld",
			    f->proj_enc, iid, id);
	char *js = rg_forge_body_json(body);
	int ret = rg_forge_call(&r, f, "PUT", path, js, true, false, err);

	rg_http_resp_release(&r);
	free(js);
	return ret;
}

static int gl_set_status(struct rg_forge *f, const char *sha, const char *state,
			 const char *target_url, const char *description,
			 struct rg_err *err)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err e2 = RG_ERR_INIT;
	int ret = rg_forge_post_status(
	    f, rg_arena_printf(a, "/projects/%s/statuses/%s", f->proj_enc, sha),
	    "name", state, target_url, description, &e2);

	/*
	 * GitLab keeps statuses as a state machine and answers 400 "Cannot
	 * transition status via :enqueue from :pending" when the status is
	 * already in that state (a redelivered job): the goal is reached.
	 */
	if (ret == RG_EFORGE && f->last_status == 400 &&
	    strstr(e2.msg, "Cannot transition status"))
		ret = 0;
	else if (ret < 0 && err)
		*err = e2;
	rg_arena_free(a);
	return ret;
}

static int gl_group_members(const char ***out, size_t *n, struct rg_forge *f,
			    struct rg_arena *a, const char *group,
			    struct rg_err *err)
{
	struct rg_forge_names_acc acc = {a, "username", NULL, 0, 0};
	char *path = rg_arena_printf(a, "/groups/%s/members/all?per_page=%d",
				     rg_forge_escape(a, group), PER_PAGE);
	int ret =
	    rg_forge_get_all(f, path, PER_PAGE, rg_forge_names_page, &acc, err);

	if (ret == RG_EFORGE && f->last_status == 404)
		ret = rg_err_set(err, RG_ENOTFOUND, NULL,
				 "gitlab: no group %s", group);
	*out = acc.items;
	*n = acc.n;
	return ret;
}

const struct rg_forge_ops rg_forge_gitlab_ops = {
    gl_find_open_mrs,  gl_find_merged_mr,
    gl_list_approvals, gl_list_comments,
    gl_create_comment, gl_update_comment,
    gl_set_status,     {"pending", "success", "failed"},
    gl_group_members,
};
