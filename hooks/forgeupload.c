/*
 * forgeupload.c - the full report as a file on the forge (see
 * forgeupload.h).
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/forge.h"
#include "rendergate/forgeupload.h"
#include "rendergate/hash.h"

#include <jansson.h>

const char *rg_forgeupload_name(struct rg_arena *a, const char *data,
				size_t len)
{
	char hex[RG_SHA1_HEX];

	rg_sha1_hex(data, len, hex);
	return rg_arena_printf(a, "rendergate-report-%.12s.html", hex);
}

static bool plain_name(const char *s)
{
	return s && *s && !strpbrk(s, "\"\r\n\\");
}

int rg_forgeupload_multipart(char **out, size_t *out_len, const char **ctype,
			     struct rg_arena *a, const char *field,
			     const char *filename, const char *content_type,
			     const char *data, size_t len, struct rg_err *err)
{
	char hex[RG_SHA1_HEX], boundary[64];
	unsigned salt = 0;
	size_t n, hl;
	char *buf, *head;

	*out = NULL;
	if (!plain_name(field) || !plain_name(filename) ||
	    !plain_name(content_type))
		return rg_err_set(err, RG_EINVALID, NULL,
				  "upload: field, file name and type must be "
				  "plain text");
	rg_sha1_hex(data, len, hex);
	for (;;) {
		snprintf(boundary, sizeof(boundary), "rendergate-%u-%s", salt,
			 hex);
		if (!memmem(data, len, boundary, strlen(boundary)))
			break;
		salt++; /* the data holds it: practically never */
	}
	head = rg_arena_printf(a,
			       "--%s\r\n"
			       "Content-Disposition: form-data; name=\"%s\"; "
			       "filename=\"%s\"\r\n"
			       "Content-Type: %s\r\n\r\n",
			       boundary, field, filename, content_type);
	hl = strlen(head);
	n = hl + len + strlen(boundary) + 8;
	buf = rg_xmalloc(n + 1);
	memcpy(buf, head, hl);
	memcpy(buf + hl, data, len);
	snprintf(buf + hl + len, n + 1 - hl - len, "\r\n--%s--\r\n", boundary);
	*out = buf;
	*out_len = n;
	*ctype =
	    rg_arena_printf(a, "multipart/form-data; boundary=%s", boundary);
	return 0;
}

int rg_forgeupload_parse(const char **out_url, struct rg_arena *a,
			 enum rg_config_forge kind, const char *json,
			 size_t len, struct rg_err *err)
{
	json_t *root = json_loadb(json, len, 0, NULL), *u = NULL;
	int ret = 0;

	*out_url = NULL;
	if (json_is_object(root)) {
		if (kind == RG_FORGE_GITLAB) {
			u = json_object_get(root, "url");
			if (!json_is_string(u))
				u = json_object_get(root, "full_path");
		} else {
			u = json_object_get(root, "browser_download_url");
		}
	}
	if (!json_is_string(u) || !json_string_length(u)) {
		ret = rg_err_set(
		    err, RG_EPARSE, NULL, "upload: the response has no %s",
		    kind == RG_FORGE_GITLAB ? "\"url\""
					    : "\"browser_download_url\"");
		goto out;
	}
	*out_url = rg_arena_strdup(a, json_string_value(u));
out:
	json_decref(root);
	return ret;
}

const char *rg_forgeupload_gitea_find(struct rg_arena *a, const char *json,
				      size_t len, const char *name)
{
	json_t *root = json_loadb(json, len, 0, NULL), *o;
	const char *res = NULL;
	size_t i;

	if (!json_is_array(root))
		goto out;
	json_array_foreach(root, i, o)
	{
		json_t *n = json_object_get(o, "name");
		json_t *u = json_object_get(o, "browser_download_url");

		if (json_is_string(n) && json_is_string(u) &&
		    !strcmp(json_string_value(n), name)) {
			res = rg_arena_strdup(a, json_string_value(u));
			break;
		}
	}
out:
	json_decref(root);
	return res;
}

static bool is_report_name(const char *s)
{
	size_t n = strlen(s);

	return !strncmp(s, "rendergate-report-", 18) && n > 23 &&
	       !strcmp(s + n - 5, ".html");
}

long long *rg_forgeupload_gitea_stale(size_t *n, struct rg_arena *a,
				      const char *json, size_t len,
				      const char *keep)
{
	json_t *root = json_loadb(json, len, 0, NULL), *o;
	long long *ids = NULL;
	size_t i;

	*n = 0;
	if (!json_is_array(root))
		goto out;
	ids = rg_arena_calloc(a, json_array_size(root) + 1, sizeof(*ids));
	json_array_foreach(root, i, o)
	{
		json_t *name = json_object_get(o, "name");
		json_t *id = json_object_get(o, "id");

		if (json_is_string(name) && json_is_integer(id) &&
		    is_report_name(json_string_value(name)) &&
		    strcmp(json_string_value(name), keep))
			ids[(*n)++] = (long long)json_integer_value(id);
	}
out:
	json_decref(root);
	return ids;
}

static bool starts_with_marker(const char *body, const char *marker)
{
	while (*body == ' ' || *body == '\t' || *body == '\r' || *body == '\n')
		body++;
	return !strncmp(body, marker, strlen(marker));
}

int rg_forgeupload_find_comment(struct rg_forge_comment *out,
				struct rg_forge *f, struct rg_arena *a,
				long long iid, const char *marker,
				struct rg_err *err)
{
	struct rg_forge_comment *c = NULL;
	size_t nc = 0, i;
	int ret = f->ops->list_comments(&c, &nc, f, a, iid, err);

	memset(out, 0, sizeof(*out));
	if (ret < 0)
		return ret;
	for (i = 0; i < nc; i++)
		if (!c[i].system && c[i].body &&
		    starts_with_marker(c[i].body, marker)) {
			*out = c[i];
			return 0;
		}
	return RG_ENOTFOUND;
}

/* "/repos/{owner}/{repo}" with both parts escaped. */
static const char *gitea_repo(struct rg_forge *f, struct rg_arena *a)
{
	const char *slash = strchr(f->project, '/');
	size_t ol = slash ? (size_t)(slash - f->project) : strlen(f->project);

	return rg_arena_printf(
	    a, "/repos/%s/%s",
	    rg_forge_escape(a, rg_arena_strndup(a, f->project, ol)),
	    rg_forge_escape(a, slash ? slash + 1 : ""));
}

/* One request with a body of its own type; HTTP errors as forge.h says. */
static int request(struct rg_http_resp *r, struct rg_forge *f,
		   struct rg_arena *a, const char *method, const char *path,
		   const char *body, size_t blen, const char *ctype,
		   struct rg_err *err)
{
	const char *url = rg_arena_printf(a, "%s%s", f->api, path);
	/* only the POST creates something: the others are safe to resend */
	struct rg_http_req req = {method, url,	 body,
				  blen,	  ctype, strcmp(method, "POST") != 0};
	const char *msg;
	int ret = rg_http_request(r, f->http, &req, err);

	f->last_status = r->status;
	if (ret < 0 || (r->status >= 200 && r->status <= 299))
		return ret;
	msg = rg_forge_error_message(a, r->body.ptr, r->body.len);
	return rg_err_set(err, RG_EFORGE, NULL, "%s %s: HTTP %ld%s%s", method,
			  url, r->status, msg ? ": " : "", msg ? msg : "");
}

/* GET a Gitea comment's attachments; *path is their collection's path. */
static int list_assets(struct rg_http_resp *r, const char **path,
		       struct rg_forge *f, struct rg_arena *a,
		       long long comment_id, struct rg_err *err)
{
	*path = rg_arena_printf(a, "%s/issues/comments/%lld/assets",
				gitea_repo(f, a), comment_id);
	return request(r, f, a, "GET", *path, NULL, 0, NULL, err);
}

int rg_forgeupload_put(const char **out_url, bool *reused, struct rg_forge *f,
		       struct rg_arena *a, long long comment_id,
		       const char *name, const char *data, size_t len,
		       struct rg_err *err)
{
	bool gitea = f->kind == RG_FORGE_GITEA;
	const char *path, *ctype = NULL;
	struct rg_http_resp r;
	char *body = NULL;
	size_t blen = 0;
	int ret = 0;

	*out_url = NULL;
	if (reused)
		*reused = false;
	rg_http_resp_init(&r);
	if (gitea) {
		if (comment_id <= 0) {
			ret = rg_err_set(err, RG_EINVALID, NULL,
					 "upload: Gitea attaches files to a "
					 "comment; none given");
			goto out;
		}
		ret = list_assets(&r, &path, f, a, comment_id, err);
		if (ret < 0)
			goto out;
		*out_url =
		    rg_forgeupload_gitea_find(a, r.body.ptr, r.body.len, name);
		rg_http_resp_release(&r);
		if (*out_url) {
			if (reused)
				*reused = true;
			goto out;
		}
		path = rg_arena_printf(a, "%s?name=%s", path,
				       rg_forge_escape(a, name));
	} else {
		path = rg_arena_printf(a, "/projects/%s/uploads", f->proj_enc);
	}
	ret = rg_forgeupload_multipart(&body, &blen, &ctype, a,
				       gitea ? "attachment" : "file", name,
				       "text/html", data, len, err);
	if (ret == 0)
		ret = request(&r, f, a, "POST", path, body, blen, ctype, err);
	if (ret == 0)
		ret = rg_forgeupload_parse(out_url, a, f->kind, r.body.ptr,
					   r.body.len, err);
out:
	rg_http_resp_release(&r);
	free(body);
	return ret;
}

int rg_forgeupload_prune(size_t *removed, struct rg_forge *f,
			 struct rg_arena *a, long long comment_id,
			 const char *keep, struct rg_err *err)
{
	const char *path;
	struct rg_http_resp r;
	long long *ids;
	size_t n = 0, i;
	int ret = 0;

	if (removed)
		*removed = 0;
	rg_http_resp_init(&r);
	if (f->kind != RG_FORGE_GITEA)
		goto out;
	ret = list_assets(&r, &path, f, a, comment_id, err);
	if (ret < 0)
		goto out;
	ids = rg_forgeupload_gitea_stale(&n, a, r.body.ptr, r.body.len, keep);
	for (i = 0; i < n; i++) {
		rg_http_resp_release(&r);
		ret = request(&r, f, a, "DELETE",
			      rg_arena_printf(a, "%s/%lld", path, ids[i]), NULL,
			      0, NULL, err);
		if (ret < 0)
			goto out;
		if (removed)
			(*removed)++;
	}
out:
	rg_http_resp_release(&r);
	return ret;
}
