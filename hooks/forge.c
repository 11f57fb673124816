/*
 * forge.c - the forge-independent half of the forge clients: token files,
 * connection setup, pagination, error mapping and the comment upsert.
 */
#include "rendergate/compat.h"
#include "rendergate/caps.h"
#include "rendergate/forge.h"

#include <fcntl.h>
#include <jansson.h>
#include <sys/stat.h>
#include <unistd.h>

int rg_forge_kind_parse(enum rg_config_forge *out, const char *s,
			struct rg_err *err)
{
	if (!strcmp(s, "gitlab"))
		*out = RG_FORGE_GITLAB;
	else if (!strcmp(s, "gitea") || !strcmp(s, "forgejo"))
		*out = RG_FORGE_GITEA;
	else if (!strcmp(s, "none"))
		*out = RG_FORGE_NONE;
	else
		return rg_err_set(
		    err, RG_EINVALID, NULL,
		    "unknown forge kind '%s' (gitlab, gitea, forgejo or none)",
		    s);
	return 0;
}

const char *rg_forge_kind_name(enum rg_config_forge k)
{
	switch (k) {
	case RG_FORGE_GITLAB:
		return "gitlab";
	case RG_FORGE_GITEA:
		return "gitea";
	default:
		return "none";
	}
}

static void wipe(char *p, size_t n)
{
	volatile char *v = p;

	while (n--)
		*v++ = 0;
}

void rg_forge_token_free(char *token)
{
	if (!token)
		return;
	wipe(token, strlen(token));
	free(token);
}

int rg_forge_token_read(char **out, const char *path, struct rg_err *err)
{
	char buf[RG_CAP_TOKEN_BYTES + 1];
	struct stat st;
	int fd = -1, ret = 0;
	size_t len = 0, s = 0, i;

	*out = NULL;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		ret = rg_err_set(err, errno == ELOOP ? RG_EUNSAFE : RG_EIO,
				 NULL, "token file %s: %s", path,
				 errno == ELOOP ? "is a symbolic link"
						: strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		ret = rg_err_set(err, RG_EUNSAFE, NULL,
				 "token file %s is not a regular file", path);
		goto out;
	}
	if (st.st_mode & 077) {
		ret = rg_err_set(err, RG_EUNSAFE, NULL,
				 "token file %s has mode %04o; it must not be "
				 "readable by group or others (chmod 600 %s)",
				 path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	while (len < sizeof(buf)) {
		ssize_t r = read(fd, buf + len, sizeof(buf) - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = rg_err_set(err, RG_EIO, NULL, "token file %s: %s",
					 path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > RG_CAP_TOKEN_BYTES) {
		ret = rg_err_set(err, RG_ELIMIT, NULL,
				 "token file %s is larger than %u bytes "
				 "(RG_CAP_TOKEN_BYTES)",
				 path, RG_CAP_TOKEN_BYTES);
		goto out;
	}
	while (s < len && (buf[s] == ' ' || buf[s] == '\t' || buf[s] == '\r' ||
			   buf[s] == '\n'))
		s++;
	while (len > s && (buf[len - 1] == ' ' || buf[len - 1] == '\t' ||
			   buf[len - 1] == '\r' || buf[len - 1] == '\n'))
		len--;
	if (len == s) {
		ret = rg_err_set(err, RG_EINVALID, NULL,
				 "token file %s is empty", path);
		goto out;
	}
	for (i = s; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c < 0x21 || c == 0x7f) {
			ret = rg_err_set(
			    err, RG_EINVALID, NULL,
			    "token file %s must hold one token on one line",
			    path);
			goto out;
		}
	}
	*out = rg_xstrndup(buf + s, len - s);
out:
	wipe(buf, sizeof(buf));
	if (fd >= 0)
		close(fd);
	return ret;
}

int rg_forge_new(struct rg_forge **out, const struct rg_forge_opts *opts,
		 struct rg_err *err)
{
	struct rg_forge *f = NULL;
	struct rg_http_opts ho = opts->http;
	struct rg_buf b = RG_BUF_INIT(RG_CAP_PATH_BYTES);
	const char *suffix;
	char *auth = NULL;
	size_t ul;
	int ret = 0;

	*out = NULL;
	if (opts->kind != RG_FORGE_GITLAB && opts->kind != RG_FORGE_GITEA) {
		ret = rg_err_set(err, RG_EINVALID, NULL,
				 "forge: no forge kind configured");
		goto out;
	}
	if (!opts->url || !*opts->url || !opts->project || !*opts->project) {
		ret = rg_err_set(err, RG_EINVALID, NULL,
				 "forge: url and project are required");
		goto out;
	}
	ret = rg_http_url_check(opts->url, err);
	if (ret < 0)
		goto out;
	f = rg_xcalloc(1, sizeof(*f));
	f->kind = opts->kind;
	f->ops = opts->kind == RG_FORGE_GITLAB ? &rg_forge_gitlab_ops
					       : &rg_forge_gitea_ops;
	suffix = opts->kind == RG_FORGE_GITLAB ? "/api/v4" : "/api/v1";
	ul = strlen(opts->url);
	while (ul && opts->url[ul - 1] == '/')
		ul--;
	if (ul >= 7 && !strncmp(opts->url + ul - 7, suffix, 7))
		f->api = rg_xstrndup(opts->url, ul);
	else {
		size_t n = ul + 8;

		f->api = rg_xmalloc(n);
		snprintf(f->api, n, "%.*s%s", (int)ul, opts->url, suffix);
	}
	f->project = rg_xstrdup(opts->project);
	if (rg_http_escape(&b, opts->project) < 0) {
		ret = rg_err_set(err, RG_ELIMIT, NULL,
				 "forge: project name too long");
		goto out;
	}
	f->proj_enc = rg_buf_detach(&b, NULL);
	if (opts->token) {
		size_t n = strlen(opts->token) + 7;

		if (opts->kind == RG_FORGE_GITLAB) {
			ho.auth_name = "PRIVATE-TOKEN";
			ho.auth_value = opts->token;
		} else {
			auth = rg_xmalloc(n);
			snprintf(auth, n, "token %s", opts->token);
			ho.auth_name = "Authorization";
			ho.auth_value = auth;
		}
	} else {
		ho.auth_name = ho.auth_value = NULL;
	}
	ret = rg_http_new(&f->http, &ho, err);
	if (ret < 0)
		goto out;
	*out = f;
	f = NULL;
out:
	rg_forge_token_free(auth);
	rg_buf_release(&b);
	rg_forge_free(f);
	return ret;
}

int rg_forge_from_config(struct rg_forge **out,
			 const struct rg_config_server *c, const char *project,
			 const struct rg_http_opts *http, struct rg_err *err)
{
	struct rg_forge_opts o;
	char *token = NULL;
	int ret = 0;

	*out = NULL;
	memset(&o, 0, sizeof(o));
	if (!c || c->forge.kind == RG_FORGE_NONE) {
		ret =
		    rg_err_set(err, RG_ENOTFOUND, NULL, "no forge configured");
		goto out;
	}
	o.kind = c->forge.kind;
	o.url = c->forge.url;
	o.project = c->forge.project ? c->forge.project : project;
	if (!o.project) {
		ret = rg_err_set(err, RG_EINVALID, NULL,
				 "forge: no project (set forge.project in %s)",
				 c->file ? c->file : "the server config");
		goto out;
	}
	if (c->forge.token_file) {
		ret = rg_forge_token_read(&token, c->forge.token_file, err);
		if (ret < 0)
			goto out;
	}
	o.token = token;
	if (http)
		o.http = *http;
	o.http.ca_file = c->forge.ca_file;
	ret = rg_forge_new(out, &o, err);
out:
	rg_forge_token_free(token);
	return ret;
}

const char *rg_forge_project_from_env(struct rg_arena *a,
				      enum rg_config_forge kind)
{
	const char *p, *owner, *name, *wiki;

	if (kind == RG_FORGE_GITLAB) {
		p = getenv("GL_PROJECT_PATH");
		return p && *p ? rg_arena_strdup(a, p) : NULL;
	}
	if (kind != RG_FORGE_GITEA)
		return NULL;
	owner = getenv("GITEA_REPO_USER_NAME");
	name = getenv("GITEA_REPO_NAME");
	wiki = getenv("GITEA_REPO_IS_WIKI");
	if (!owner || !*owner || !name || !*name ||
	    (wiki && !strcmp(wiki, "true")))
		return NULL;
	return rg_arena_printf(a, "%s/%s", owner, name);
}

void rg_forge_free(struct rg_forge *f)
{
	if (!f)
		return;
	rg_http_free(f->http);
	free(f->api);
	free(f->project);
	free(f->proj_enc);
	free(f);
}

long rg_forge_http_status(const struct rg_forge *f)
{
	return f->last_status;
}

const char *rg_forge_error_message(struct rg_arena *a, const char *json,
				   size_t len)
{
	json_t *root = json_loadb(json, len, 0, NULL);
	const char *msg = NULL;
	char *res = NULL, *dumped = NULL;
	json_t *m;

	if (!root)
		return NULL;
	m = json_object_get(root, "message");
	if (!m || json_is_null(m))
		m = json_object_get(root, "error");
	if (json_is_string(m))
		msg = json_string_value(m);
	else if (json_is_object(m) || json_is_array(m))
		/* GitLab validation errors: {"message": {"note": ["is too
		 * long"]}} */
		msg = dumped = json_dumps(m, JSON_COMPACT);
	if (msg) {
		size_t n = strlen(msg);

		res = rg_arena_strndup(a, msg, n > 200 ? 200 : n);
		/* one line: error messages go into single-line logs */
		for (char *p = res; *p; p++)
			if (*p == '\n' || *p == '\r')
				*p = ' ';
	}
	free(dumped);
	json_decref(root);
	return res;
}

int rg_forge_parse_id(long long *out, const char *json, size_t len,
		      struct rg_err *err)
{
	json_t *root = json_loadb(json, len, 0, NULL);
	json_t *id = root ? json_object_get(root, "id") : NULL;
	int ret = 0;

	if (!json_is_integer(id)) {
		ret = rg_err_set(err, RG_EPARSE, NULL,
				 "forge: response has no numeric \"id\"");
		goto out;
	}
	*out = (long long)json_integer_value(id);
out:
	json_decref(root);
	return ret;
}

static char *api_url(struct rg_forge *f, const char *path)
{
	size_t n = strlen(f->api) + strlen(path) + 1;
	char *u = rg_xmalloc(n);

	snprintf(u, n, "%s%s", f->api, path);
	return u;
}

static int status_error(struct rg_forge *f, const char *method, const char *url,
			const struct rg_http_resp *r, bool notfound_ok,
			struct rg_err *err)
{
	struct rg_arena *a = rg_arena_new();
	const char *msg = rg_forge_error_message(a, r->body.ptr, r->body.len);
	int code = r->status == 404 && notfound_ok ? RG_ENOTFOUND : RG_EFORGE;
	int ret;

	/* the path part names the resource; the secret never is in a URL */
	if (r->attempts >= RG_CAP_HTTP_ATTEMPTS) /* retried to the cap */
		ret = rg_err_set(err, code, NULL,
				 "%s %s: HTTP %ld%s%s (try %u, the last "
				 "RG_CAP_HTTP_ATTEMPTS allows)",
				 method, url, r->status, msg ? ": " : "",
				 msg ? msg : "", r->attempts);
	else
		ret =
		    rg_err_set(err, code, NULL, "%s %s: HTTP %ld%s%s", method,
			       url, r->status, msg ? ": " : "", msg ? msg : "");
	rg_arena_free(a);
	(void)f;
	return ret;
}

int rg_forge_call(struct rg_http_resp *resp, struct rg_forge *f,
		  const char *method, const char *path, const char *body,
		  bool idempotent, bool notfound_ok, struct rg_err *err)
{
	char *url = api_url(f, path);
	struct rg_http_req req = {
	    method, url, body, body ? strlen(body) : 0, NULL, idempotent};
	int ret;

	ret = rg_http_request(resp, f->http, &req, err);
	f->last_status = resp->status;
	if (ret < 0)
		goto out;
	if (resp->status < 200 || resp->status > 299)
		ret = status_error(f, method, url, resp, notfound_ok, err);
out:
	free(url);
	return ret;
}

static char *with_page(const char *path, unsigned page)
{
	size_t n = strlen(path) + 32;
	char *p = rg_xmalloc(n);

	snprintf(p, n, "%s%cpage=%u", path, strchr(path, '?') ? '&' : '?',
		 page);
	return p;
}

int rg_forge_get_all(struct rg_forge *f, const char *path, unsigned per_page,
		     rg_forge_page_fn *fn, void *ctx, struct rg_err *err)
{
	char *url = NULL, *rel = with_page(path, 1);
	unsigned page = 1, pages = 0;
	size_t seen = 0;
	int ret = 0;

	url = api_url(f, rel);
	for (;;) {
		struct rg_http_resp r;
		struct rg_http_req req = {"GET", url, NULL, 0, NULL, true};
		size_t added = 0;
		char *next = NULL;

		if (++pages > RG_CAP_FORGE_PAGES) {
			ret = rg_err_set(
			    err, RG_ELIMIT, NULL,
			    "GET %s: more than %u pages (RG_CAP_FORGE_PAGES)",
			    url, RG_CAP_FORGE_PAGES);
			goto out;
		}
		ret = rg_http_request(&r, f->http, &req, err);
		f->last_status = r.status;
		if (ret == 0 && (r.status < 200 || r.status > 299))
			ret = status_error(f, "GET", url, &r, false, err);
		if (ret == 0)
			ret = fn(ctx, r.body.ptr, r.body.len, &added, err);
		if (ret < 0) {
			rg_http_resp_release(&r);
			goto out;
		}
		seen += added;
		if (seen > RG_CAP_FORGE_ITEMS) {
			rg_http_resp_release(&r);
			ret = rg_err_set(
			    err, RG_ELIMIT, NULL,
			    "GET %s: more than %u items (RG_CAP_FORGE_ITEMS)",
			    url, RG_CAP_FORGE_ITEMS);
			goto out;
		}
		if (r.next_page) {
			/* GitLab's own header first: a Link may name the wrong
			 * scheme behind a misconfigured proxy */
			unsigned long np = strtoul(r.next_page, NULL, 10);

			if (np > page && np < 1000000) {
				page = (unsigned)np;
				free(rel);
				rel = with_page(path, page);
				next = api_url(f, rel);
			}
		} else if (r.link_next) {
			if (!rg_http_same_origin(f->api, r.link_next)) {
				rg_http_resp_release(&r);
				ret =
				    rg_err_set(err, RG_EUNSAFE, NULL,
					       "GET %s: pagination link points "
					       "to another host; not followed",
					       url);
				goto out;
			}
			next = rg_xstrdup(r.link_next);
			page++;
		} else if (added > 0 &&
			   ((r.total >= 0 && seen < (size_t)r.total) ||
			    (r.total < 0 && per_page && added >= per_page))) {
			page++;
			free(rel);
			rel = with_page(path, page);
			next = api_url(f, rel);
		}
		rg_http_resp_release(&r);
		if (!next)
			break;
		if (!strcmp(next, url)) { /* a link to itself would loop */
			free(next);
			break;
		}
		free(url);
		url = next;
	}
out:
	free(url);
	free(rel);
	return ret;
}

/* --- helpers shared by the implementations --------------------------- */

const char *rg_forge_escape(struct rg_arena *a, const char *s)
{
	/* every byte becomes at most "%XX": the cap can never be hit */
	struct rg_buf b = RG_BUF_INIT(strlen(s) * 3 + 1);
	const char *r;

	if (rg_http_escape(&b, s) < 0)
		RG_BUG("percent-encoding outgrew its own bound");
	r = rg_arena_strndup(a, b.ptr, b.len);
	rg_buf_release(&b);
	return r;
}

void *rg_forge_push(struct rg_arena *a, void **items, size_t *n, size_t *alloc,
		    size_t size)
{
	if (*n >= *alloc) {
		size_t na = *alloc ? *alloc * 2 : 8;

		*items = rg_arena_grow(a, *items, *n, na, size);
		*alloc = na;
	}
	return (char *)*items + (*n)++ * size;
}

int rg_forge_parse_comments(struct rg_forge_comment **items, size_t *n,
			    size_t *alloc, struct rg_arena *a, const char *json,
			    size_t len, struct rg_err *err)
{
	json_error_t je;
	json_t *root = json_loadb(json, len, 0, &je), *o;
	size_t i;
	int ret = 0;

	if (!root || !json_is_array(root)) {
		ret = rg_err_set(err, RG_EPARSE, NULL, "forge: comments: %s",
				 root ? "not a JSON array" : je.text);
		goto out;
	}
	json_array_foreach(root, i, o)
	{
		json_t *id = json_object_get(o, "id"),
		       *body = json_object_get(o, "body");
		struct rg_forge_comment *c;

		if (!json_is_integer(id))
			continue;
		c = rg_forge_push(a, (void **)items, n, alloc, sizeof(**items));
		c->id = (long long)json_integer_value(id);
		c->body = json_is_string(body)
			      ? rg_arena_strdup(a, json_string_value(body))
			      : NULL;
		c->system = json_is_true(json_object_get(o, "system"));
	}
out:
	json_decref(root);
	return ret;
}

int rg_forge_comment_page(void *ctx, const char *json, size_t len,
			  size_t *added, struct rg_err *err)
{
	struct rg_forge_comment_acc *acc = ctx;
	size_t before = acc->n;
	int ret = rg_forge_parse_comments(&acc->items, &acc->n, &acc->alloc,
					  acc->a, json, len, err);

	*added = acc->n - before;
	return ret;
}

int rg_forge_names_page(void *ctx, const char *json, size_t len,
			size_t *added, struct rg_err *err)
{
	struct rg_forge_names_acc *acc = ctx;
	json_error_t je;
	json_t *root = json_loadb(json, len, 0, &je), *o;
	size_t i;
	int ret = 0;

	*added = 0;
	if (!json_is_array(root)) {
		ret = rg_err_set(err, RG_EPARSE, NULL,
				 "forge: members: not a JSON array");
		goto out;
	}
	*added = json_array_size(root);
	json_array_foreach(root, i, o)
	{
		json_t *v = json_object_get(o, acc->key);

		if (json_is_string(v))
			*(const char **)rg_forge_push(
			    acc->a, (void **)&acc->items, &acc->n, &acc->alloc,
			    sizeof(*acc->items)) =
			    rg_arena_strdup(acc->a, json_string_value(v));
	}
out:
	json_decref(root);
	return ret;
}

int rg_forge_group_members(const char ***out, size_t *n, struct rg_forge *f,
			   struct rg_arena *a, const char *group,
			   struct rg_err *err)
{
	*out = NULL;
	*n = 0;
	return f->ops->group_members(out, n, f, a, group, err);
}

char *rg_forge_body_json(const char *body)
{
	json_t *o = json_pack("{s:s}", "body", body);
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	if (!s)
		RG_BUG("cannot encode a comment body as JSON (invalid UTF-8?)");
	return s;
}

int rg_forge_post_status(struct rg_forge *f, const char *path,
			 const char *name_key, const char *state,
			 const char *target_url, const char *description,
			 struct rg_err *err)
{
	struct rg_http_resp r;
	json_t *o = json_pack("{s:s, s:s}", "state", state, name_key,
			      RG_FORGE_STATUS_NAME);
	char *js;
	int ret;

	if (target_url)
		json_object_set_new(o, "target_url", json_string(target_url));
	if (description)
		json_object_set_new(o, "description", json_string(description));
	js = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!js)
		RG_BUG("cannot encode a status as JSON");
	/* the same status posted twice is harmless: safe to resend */
	ret = rg_forge_call(&r, f, "POST", path, js, true, false, err);
	rg_http_resp_release(&r);
	free(js);
	return ret;
}

/* --- the operations -------------------------------------------------- */

int rg_forge_find_open_mrs(struct rg_forge_mr **out, size_t *n,
			   struct rg_forge *f, struct rg_arena *a,
			   const char *branch, const char *target,
			   struct rg_err *err)
{
	*out = NULL;
	*n = 0;
	return f->ops->find_open_mrs(out, n, f, a, branch, target, err);
}

int rg_forge_find_merged_mr(struct rg_forge_mr *out, struct rg_forge *f,
			    struct rg_arena *a, const char *sha,
			    struct rg_err *err)
{
	memset(out, 0, sizeof(*out));
	return f->ops->find_merged_mr(out, f, a, sha, err);
}

int rg_forge_list_approvals(struct rg_forge_approval **out, size_t *n,
			    struct rg_forge *f, struct rg_arena *a,
			    long long iid, struct rg_err *err)
{
	*out = NULL;
	*n = 0;
	return f->ops->list_approvals(out, n, f, a, iid, err);
}

static bool starts_with_marker(const char *body, const char *marker)
{
	while (*body == ' ' || *body == '\t' || *body == '\r' || *body == '\n')
		body++;
	return !strncmp(body, marker, strlen(marker));
}

int rg_forge_upsert_comment(long long *out_id, const char **out_action,
			    struct rg_forge *f, struct rg_arena *a,
			    long long iid, const char *marker, const char *body,
			    struct rg_err *err)
{
	struct rg_forge_comment *c = NULL;
	size_t nc = 0, i;
	long long id = 0;
	const char *action = NULL;
	int ret = 0;

	if (!marker)
		marker = RG_FORGE_MARKER_DEFAULT;
	if (strncmp(marker, RG_FORGE_MARKER_PREFIX,
		    strlen(RG_FORGE_MARKER_PREFIX)) ||
	    !starts_with_marker(body, marker)) {
		ret = rg_err_set(
		    err, RG_EINVALID, NULL,
		    "forge: comment body must start with its marker %s",
		    marker);
		goto out;
	}
	ret = f->ops->list_comments(&c, &nc, f, a, iid, err);
	if (ret < 0)
		goto out;
	for (i = 0; i < nc; i++) {
		if (c[i].system || !c[i].body ||
		    !starts_with_marker(c[i].body, marker))
			continue;
		id = c[i].id;
		if (!strcmp(c[i].body, body)) {
			action = "unchanged";
			goto out;
		}
		ret = f->ops->update_comment(f, a, iid, id, body, err);
		if (ret == RG_EFORGE && f->last_status == 403) {
			/* someone else's comment that starts with our marker (a
			 * quote, a copy): not ours to edit, look further */
			ret = 0;
			id = 0;
			continue;
		}
		if (ret == 0)
			action = "updated";
		goto out;
	}
	ret = f->ops->create_comment(&id, f, a, iid, body, err);
	if (ret == 0)
		action = "created";
out:
	if (ret == 0) {
		if (out_id)
			*out_id = id;
		if (out_action)
			*out_action = action;
	}
	return ret;
}

int rg_forge_set_status(struct rg_forge *f, const char *sha,
			enum rg_forge_state state, const char *target_url,
			const char *description, struct rg_err *err)
{
	char desc[RG_CAP_STATUS_DESC_CHARS + 1] = "";
	size_t n;

	if ((unsigned)state > RG_FORGE_FAILED)
		return rg_err_set(err, RG_EINVALID, NULL,
				  "forge: bad status state");
	if (!sha || strspn(sha, "0123456789abcdef") != strlen(sha) ||
	    strlen(sha) < 7)
		return rg_err_set(err, RG_EINVALID, NULL,
				  "forge: status needs a hex commit id");
	if (description) {
		n = strlen(description);
		if (n > RG_CAP_STATUS_DESC_CHARS) {
			/* cut at a UTF-8 character boundary */
			n = RG_CAP_STATUS_DESC_CHARS;
			while (n > 0 &&
			       ((unsigned char)description[n] & 0xC0) == 0x80)
				n--;
		}
		memcpy(desc, description, n);
		desc[n] = 0;
	}
	return f->ops->set_status(f, sha, f->ops->state_names[state],
				  target_url, description ? desc : NULL, err);
}
