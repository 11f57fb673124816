/*
 * test-forgeupload.c - the pure parts of the full-report upload: the
 * content-derived name, the multipart body, the documented responses of
 * GitLab's project uploads and Gitea's comment attachments.
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/forgeupload.h"

#include "test.h"

TEST(name_is_derived_from_the_content)
{
	struct rg_arena *a = rg_arena_new();
	const char *x = rg_forgeupload_name(a, "abc", 3);

	/* SHA-1 of "abc" is a9993e364706816aba3e25717850c26c9cd0d89d */
	CHECK_STR(x, "rendergate-report-a9993e364706.html");
	CHECK_STR(rg_forgeupload_name(a, "abc", 3), x);
	CHECK(strcmp(rg_forgeupload_name(a, "abd", 3), x));
	rg_arena_free(a);
}

TEST(multipart_body_holds_one_file)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	const char data[] = "<html>\r\n--not-the-boundary\0binary</html>";
	const char *ctype = NULL, *b;
	char *body = NULL, want[512];
	size_t len = 0, bl, hl;

	CHECK_INT(rg_forgeupload_multipart(&body, &len, &ctype, a, "file",
					   "r.html", "text/html", data,
					   sizeof(data) - 1, &err),
		  0);
	CHECK(!strncmp(ctype, "multipart/form-data; boundary=", 30));
	b = ctype + 30;
	bl = strlen(b);
	CHECK(bl > 20 && bl <= 70); /* RFC 2046: at most 70 characters */
	CHECK(!memmem(data, sizeof(data) - 1, b, bl));
	snprintf(want, sizeof(want),
		 "--%s\r\nContent-Disposition: form-data; name=\"file\"; "
		 "filename=\"r.html\"\r\nContent-Type: text/html\r\n\r\n",
		 b);
	CHECK(!strncmp(body, want, strlen(want)));
	hl = strlen(want);
	CHECK(!memcmp(body + hl, data, sizeof(data) - 1));
	snprintf(want, sizeof(want), "\r\n--%s--\r\n", b);
	CHECK_INT(len, hl + sizeof(data) - 1 + strlen(want));
	CHECK(!memcmp(body + len - strlen(want), want, strlen(want)));
	free(body);
	/* names that would break the header are refused */
	CHECK_INT(rg_forgeupload_multipart(&body, &len, &ctype, a, "file",
					   "a\"b.html", "text/html", "x", 1,
					   &err),
		  RG_EINVALID);
	CHECK(body == NULL);
	CHECK_INT(rg_forgeupload_multipart(&body, &len, &ctype, a, "fi\r\nle",
					   "r.html", "text/html", "x", 1,
					   &err),
		  RG_EINVALID);
	rg_arena_free(a);
}

TEST(documented_responses)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	const char *url = NULL;
	/* GitLab 17.x: POST /projects/:id/uploads */
	const char gl[] =
		"{\"id\": 5, \"alt\": \"r\", \"url\": \"/uploads/66dbcd21ec5d24"
		"ed6ea225176098d52b/r.html\", \"full_path\": \"/-/project/1234"
		"/uploads/66dbcd21ec5d24ed6ea225176098d52b/r.html\", "
		"\"markdown\": \"[r](/uploads/66dbcd21ec5d24ed6ea225176098d52b"
		"/r.html)\"}";
	/* Gitea: an Attachment */
	const char gt[] =
		"{\"id\": 9, \"name\": \"r.html\", \"size\": 10, "
		"\"download_count\": 0, \"created_at\": \"2026-01-01T00:00:00Z\","
		" \"uuid\": \"0b1c\", \"browser_download_url\": "
		"\"https://gitea.example/attachments/0b1c\"}";
	const char list[] =
		"[{\"id\": 8, \"name\": \"old.html\", \"browser_download_url\": "
		"\"https://g/attachments/8\"}, {\"id\": 9, \"name\": \"r.html\", "
		"\"browser_download_url\": \"https://g/attachments/9\"}]";

	CHECK_INT(rg_forgeupload_parse(&url, a, RG_FORGE_GITLAB, gl,
				       sizeof(gl) - 1, &err),
		  0);
	CHECK_STR(url, "/uploads/66dbcd21ec5d24ed6ea225176098d52b/r.html");
	CHECK_INT(rg_forgeupload_parse(&url, a, RG_FORGE_GITEA, gt,
				       sizeof(gt) - 1, &err),
		  0);
	CHECK_STR(url, "https://gitea.example/attachments/0b1c");
	/* each forge's field, not the other's */
	CHECK_INT(rg_forgeupload_parse(&url, a, RG_FORGE_GITEA, gl,
				       sizeof(gl) - 1, &err),
		  RG_EPARSE);
	CHECK(url == NULL);
	CHECK_INT(rg_forgeupload_parse(&url, a, RG_FORGE_GITLAB, "[]", 2,
				       &err),
		  RG_EPARSE);
	CHECK_INT(rg_forgeupload_parse(&url, a, RG_FORGE_GITLAB,
				       "{\"url\": \"\"}", 11, &err),
		  RG_EPARSE);
	CHECK_INT(rg_forgeupload_parse(&url, a, RG_FORGE_GITLAB, "{bad", 4,
				       &err),
		  RG_EPARSE);
	CHECK_STR(rg_forgeupload_gitea_find(a, list, sizeof(list) - 1,
					    "r.html"),
		  "https://g/attachments/9");
	CHECK(!rg_forgeupload_gitea_find(a, list, sizeof(list) - 1, "x.html"));
	CHECK(!rg_forgeupload_gitea_find(a, gt, sizeof(gt) - 1, "r.html"));
	rg_arena_free(a);
}

TEST(stale_reports_on_a_gitea_comment)
{
	struct rg_arena *a = rg_arena_new();
	const char list[] =
		"[{\"id\": 7, \"name\": \"rendergate-report-aaaaaaaaaaaa.html\"},"
		" {\"id\": 8, \"name\": \"screenshot.png\"},"
		" {\"id\": 9, \"name\": \"rendergate-report-bbbbbbbbbbbb.html\"},"
		" {\"id\": 10, \"name\": \"rendergate-report-.html\"},"
		" {\"id\": 11, \"name\": \"rendergate-report-cccccccccccc.htm\"},"
		" {\"name\": \"rendergate-report-dddddddddddd.html\"}]";
	size_t n = 0;
	long long *ids;

	/* the report being linked stays, and so does what is not ours */
	ids = rg_forgeupload_gitea_stale(&n, a, list, sizeof(list) - 1,
					 "rendergate-report-bbbbbbbbbbbb.html");
	CHECK_INT(n, 1);
	CHECK_INT(ids[0], 7);
	ids = rg_forgeupload_gitea_stale(&n, a, list, sizeof(list) - 1,
					 "other.html");
	CHECK_INT(n, 2);
	CHECK_INT(ids[1], 9);
	ids = rg_forgeupload_gitea_stale(&n, a, "{}", 2, "x");
	CHECK_INT(n, 0);
	rg_arena_free(a);
}
