/*
 * fuzz-forgejson.c - the forge response parsers (upload answers too), the
 * spool job parser and the HTTP header parsers on arbitrary bytes (no
 * network).
 *
 * Every parser must either succeed with well-formed results (non-NULL
 * strings where the contract promises them, counts that match) or fail
 * with an error code and a message; none may crash, leak or read past
 * the input. A job that parses must survive a JSON round trip unchanged.
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/forge.h"
#include "rendergate/forgeupload.h"
#include "rendergate/http.h"
#include "rendergate/spool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what)
{
	if (!ok)
		RG_BUG("fuzz-forgejson: %s", what);
}

static void check_err(int ret, const struct rg_err *err)
{
	if (ret < 0)
		check(err->code == ret && err->msg[0], "an error without its message");
}

static void forge_parsers(struct rg_arena *a, const char *s, size_t n)
{
	struct rg_forge_mr *mrs = NULL, one;
	struct rg_forge_approval *ap = NULL;
	struct rg_forge_comment *cs = NULL;
	size_t nm = 0, am = 0, na = 0, aa = 0, nc = 0, ac = 0, i;
	struct rg_err err = RG_ERR_INIT;
	long long id = 0;
	int ret;

	size_t first;

	ret = rg_forge_gitlab_parse_mrs(&mrs, &nm, &am, a, s, n, &err);
	check_err(ret, &err);
	check(nm <= am && (nm == 0 || mrs), "count over capacity");
	rg_err_init(&err);
	first = nm;
	ret = rg_forge_gitea_parse_pulls(&mrs, &nm, &am, a, s, n, "main", &err);
	check_err(ret, &err);
	for (i = first; i < nm; i++)
		check(mrs[i].source_branch && !strcmp(mrs[i].source_branch, "main"),
		      "a pull kept for another branch");
	rg_err_init(&err);
	ret = rg_forge_gitea_parse_pull(&one, a, s, n, &err);
	check_err(ret, &err);
	rg_err_init(&err);
	ret = rg_forge_gitlab_parse_approvals(&ap, &na, &aa, a, s, n, &err);
	check_err(ret, &err);
	rg_err_init(&err);
	ret = rg_forge_gitea_parse_reviews(&ap, &na, &aa, a, s, n, &err);
	check_err(ret, &err);
	for (i = 0; i < na; i++)
		check(ap[i].username != NULL, "an approval without a user");
	rg_err_init(&err);
	ret = rg_forge_parse_comments(&cs, &nc, &ac, a, s, n, &err);
	check_err(ret, &err);
	check(nc <= ac, "count over capacity");
	rg_err_init(&err);
	ret = rg_forge_parse_id(&id, s, n, &err);
	check_err(ret, &err);
	(void)rg_forge_error_message(a, s, n);
}

static void upload_parsers(struct rg_arena *a, const char *s, size_t n)
{
	static const enum rg_config_forge kinds[] = {RG_FORGE_GITLAB,
						     RG_FORGE_GITEA};
	struct rg_err err = RG_ERR_INIT;
	const char *url = NULL;
	size_t i;
	int ret;

	for (i = 0; i < RG_ARRAY_SIZE(kinds); i++) {
		rg_err_init(&err);
		ret = rg_forgeupload_parse(&url, a, kinds[i], s, n, &err);
		check_err(ret, &err);
		check(ret < 0 ? url == NULL : url && *url,
		      "an upload link that is empty or set on failure");
	}
	(void)rg_forgeupload_gitea_find(a, s, n, "rendergate-report.html");
}

static void spool_parser(struct rg_arena *a, const char *s, size_t n)
{
	struct rg_spool_job j, k;
	struct rg_err err = RG_ERR_INIT;
	char *json;
	int ret = rg_spool_job_parse(&j, a, s, n, &err);

	check_err(ret, &err);
	if (ret < 0)
		return;
	json = rg_spool_job_json(&j);
	ret = rg_spool_job_parse(&k, a, json, strlen(json), &err);
	check(ret == 0, "a job that parsed does not parse after a round trip");
	check(k.kind == j.kind && k.mr == j.mr && k.attempts == j.attempts &&
		      k.created == j.created && k.next_attempt == j.next_attempt,
	      "round trip changed a job");
	check(!j.report_html == !k.report_html &&
		      (!j.report_html || !strcmp(j.report_html, k.report_html)) &&
		      !j.upload_url == !k.upload_url &&
		      (!j.upload_url || !strcmp(j.upload_url, k.upload_url)),
	      "round trip changed a job's report or upload");
	free(json);
}

static void header_parsers(const char *s, size_t n)
{
	uint64_t ms = 0;
	char *next = NULL;

	(void)rg_http_parse_retry_after(&ms, s, n, 1700000000);
	if (rg_http_parse_link_next(&next, s, n) == 0) {
		check(next && *next, "an empty next link");
		free(next);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rg_arena *a = rg_arena_new();
	/* a copy without a terminator, so reading past the end is caught */
	char *s = rg_xmalloc(size ? size : 1);

	memcpy(s, data, size);
	forge_parsers(a, s, size);
	upload_parsers(a, s, size);
	spool_parser(a, s, size);
	header_parsers(s, size);
	free(s);
	rg_arena_free(a);
	return 0;
}
