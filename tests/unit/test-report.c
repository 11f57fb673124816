#include "test.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/diff.h"
#include "rendergate/report.h"

#include <jansson.h>

static struct rg_diff *fake_diff(struct rg_arena *a, size_t nobjs,
				 size_t lines_each)
{
	struct rg_diff *d = rg_arena_alloc(a, sizeof(*d));

	d->objs = rg_arena_calloc(a, nobjs, sizeof(*d->objs));
	for (size_t i = 0; i < nobjs; i++) {
		struct rg_buf b = RG_BUF_INIT(1 << 20);
		struct rg_diff_obj *o = &d->objs[i];

		for (size_t k = 0; k < lines_each; k++)
			rg_buf_addf(&b, "+line %zu of object %zu\n", k, i);
		o->status = RG_DIFF_ADDED;
		o->key = rg_arena_printf(a, "/ConfigMap/ns/cm-%zu", i);
		o->label = o->key;
		o->unified = rg_arena_strdup(a, b.ptr);
		o->unified_len = b.len;
		rg_buf_release(&b);
	}
	d->len = nobjs;
	d->nadded = nobjs;
	return d;
}

TEST(report_exit_codes)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_report r;
	struct rg_err e = RG_ERR_INIT;

	rg_report_init(&r, a);
	CHECK_INT(rg_report_exit_code(&r), RG_EXIT_OK);
	rg_finding_add(&r.findings, RG_SEV_WARN, "x.warn", NULL,
		       "only a warning");
	CHECK_INT(rg_report_exit_code(&r), RG_EXIT_OK);
	rg_finding_add(&r.findings, RG_SEV_DENY, "x.deny", NULL, "denied");
	CHECK_INT(rg_report_exit_code(&r), RG_EXIT_DENIED);
	rg_err_set(&e, RG_EPARSE, NULL, "bad yaml");
	rg_report_error(&r, &e);
	CHECK_INT(rg_report_exit_code(&r), RG_EXIT_BADINPUT);
	rg_err_set(&e, RG_ETIMEOUT, NULL, "too slow");
	rg_report_error(&r, &e);
	CHECK_INT(rg_report_exit_code(&r), RG_EXIT_INTERNAL);
	CHECK_INT(rg_report_problems(&r), 3);
	r.warn_mode = true;
	CHECK_INT(rg_report_exit_code(&r), RG_EXIT_OK);
	CHECK_INT(rg_report_exit_code_strict(&r), RG_EXIT_INTERNAL);
	CHECK_INT(rg_report_exit_for(RG_EUNSAFE), RG_EXIT_BADINPUT);
	CHECK_INT(rg_report_exit_for(RG_EIO), RG_EXIT_INTERNAL);
	rg_report_release(&r);
	rg_arena_free(a);
}

TEST(report_text_rejected)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_buf out = RG_BUF_INIT(1 << 20);
	struct rg_report r;
	struct rg_finding *f;
	struct rg_pos pos = {"envs/prod/a.yaml", 3, 1};

	rg_report_init(&r, a);
	rg_report_add_env(&r, "refs/heads/main", "prod", true, "changed")
	    ->diff = fake_diff(a, 1, 2);
	rg_report_add_env(&r, "refs/heads/main", "dev", false, "untouched");
	f = rg_finding_add(&r.findings, RG_SEV_DENY, "plain.missing-name", &pos,
			   "metadata.name is missing");
	rg_finding_set_hint(&r.findings, f, "give it a name");
	CHECK_INT(rg_report_text(&out, &r, 0), 0);
	CHECK(strstr(out.ptr, "rendergate: refs/heads/main\n") != NULL);
	CHECK(strstr(out.ptr, "prod: 1 added, 0 changed, 0 removed\n") != NULL);
	CHECK(strstr(out.ptr, "+line 1 of object 0\n") != NULL);
	CHECK(strstr(out.ptr, "dev:") == NULL);
	CHECK(strstr(out.ptr,
		     "envs/prod/a.yaml:3:1: metadata.name is missing "
		     "(plain.missing-name)\n  hint: give it a name\n") != NULL);
	CHECK_STR(out.ptr + out.len - 40,
		  "rendergate: push rejected: 1 problem(s)\n");

	rg_buf_reset(&out);
	CHECK_INT(rg_report_trace(&out, &r), 0);
	CHECK(strstr(out.ptr,
		     "trace: refs/heads/main: dev: skipped: untouched") !=
	      NULL);

	rg_buf_reset(&out);
	CHECK_INT(rg_report_glhook(&out, &r), 0);
	CHECK(!strncmp(out.ptr, "GL-HOOK-ERR: envs/prod/a.yaml:3:1: ", 35));
	rg_buf_release(&out);
	rg_report_release(&r);
	rg_arena_free(a);
}

TEST(report_text_cap_counts_cut_lines)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_buf out = RG_BUF_INIT(1 << 22);
	struct rg_report r;
	const char *more;

	rg_report_init(&r, a);
	/* 10 objects x 100 lines of about 25 bytes, cut at 1000 bytes */
	rg_report_add_env(&r, NULL, "big", true, "x")->diff =
	    fake_diff(a, 10, 100);
	r.cli = true;
	CHECK_INT(rg_report_text(&out, &r, 1000), 0);
	more = strstr(out.ptr, " more lines not shown\n");
	CHECK(more != NULL);
	CHECK(out.len < 1300);
	/* every line is either shown or counted */
	{
		size_t shown = 0, cut;
		const char *p = out.ptr;

		while ((p = strstr(p, "+line ")) != NULL) {
			shown++;
			p++;
		}
		p = more;
		while (p > out.ptr && p[-1] != ' ')
			p--;
		cut = strtoul(p, NULL, 10);
		CHECK_INT(shown + cut, 1000);
	}
	CHECK(strstr(out.ptr, "push accepted") == NULL); /* cli wording */
	rg_buf_release(&out);
	rg_report_release(&r);
	rg_arena_free(a);
}

TEST(report_json_parses)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_buf out = RG_BUF_INIT(1 << 20);
	struct rg_report r;
	struct rg_err e = RG_ERR_INIT;
	struct rg_pos pos = {".rendergate.yaml", 2, 5};
	json_t *j;
	json_error_t jerr;

	rg_report_init(&r, a);
	rg_report_add_env(&r, "refs/heads/main", "prod", true, "why")->diff =
	    fake_diff(a, 2, 1);
	rg_err_set(&e, RG_EINVALID, &pos, "unknown key \"x\"");
	rg_report_error(&r, &e);
	rg_report_note(&r, "a note with \"quotes\"");
	CHECK_INT(rg_report_json(&out, &r), 0);
	j = json_loads(out.ptr, 0, &jerr);
	CHECK(j != NULL);
	CHECK_STR(json_string_value(json_object_get(j, "verdict")), "rejected");
	CHECK_INT(json_integer_value(json_object_get(j, "exit_code")), 2);
	CHECK_INT(json_integer_value(json_object_get(
		      json_object_get(
			  json_array_get(json_object_get(j, "environments"), 0),
			  "diff"),
		      "added")),
		  2);
	CHECK_INT(
	    json_integer_value(json_object_get(
		json_object_get(json_array_get(json_object_get(j, "errors"), 0),
				"origin"),
		"line")),
	    2);
	json_decref(j);
	rg_buf_release(&out);
	rg_report_release(&r);
	rg_arena_free(a);
}

TEST(report_discloses_hidden_noise)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_buf out = RG_BUF_INIT(1 << 20);
	struct rg_report r;
	struct rg_diff *d = fake_diff(a, 3, 1);
	struct rg_diff_hidden *h = rg_arena_calloc(a, 3, sizeof(*h));

	h[0] = (struct rg_diff_hidden){"helm-chart-label", 1, 2};
	h[1] = (struct rg_diff_hidden){"checksum-annotation", 1, 2};
	h[2] = (struct rg_diff_hidden){"helm-chart-label", 1, 4};
	d->objs[0].hidden = h;
	d->objs[0].nhidden = 2;
	d->objs[2].hidden = h + 2;
	d->objs[2].nhidden = 1;
	rg_report_init(&r, a);
	rg_report_add_env(&r, NULL, "prod", true, "x")->diff = d;
	r.cli = true;
	CHECK_INT(rg_report_text(&out, &r, 0), 0);
	CHECK(strstr(out.ptr, "prod: 6 changed line(s) hidden by rule "
			      "helm-chart-label\n") != NULL);
	CHECK(strstr(out.ptr, "prod: 2 changed line(s) hidden by rule "
			      "checksum-annotation\n") != NULL);
	rg_buf_reset(&out);
	CHECK_INT(rg_report_json(&out, &r), 0);
	CHECK(strstr(out.ptr, "\"rule\": \"checksum-annotation\"") != NULL);
	rg_buf_release(&out);
	rg_report_release(&r);
	rg_arena_free(a);
}

TEST(report_many_problems_keep_the_verdict)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_buf out = RG_BUF_INIT(16 * 1024);
	struct rg_report r;
	struct rg_pos pos = {"envs/prod/many.yaml", 1, 1};
	const char *more;

	rg_report_init(&r, a);
	for (int i = 0; i < 5000; i++) {
		pos.line = (uint32_t)i + 1;
		rg_finding_add(&r.findings, RG_SEV_DENY, "plain.missing-name",
			       &pos, "metadata.name is missing");
	}
	CHECK_INT(rg_report_text(&out, &r, 0), 0);
	CHECK(out.len <= out.cap);
	more = strstr(out.ptr, "... and ");
	CHECK(more != NULL);
	CHECK(strstr(more, " more problem(s) and remark(s) not shown\n") !=
	      NULL);
	CHECK(strstr(out.ptr, "rendergate: push rejected: 5000 problem(s)\n") !=
	      NULL);

	rg_buf_release(&out);
	rg_buf_init(&out, 1 << 20);
	CHECK_INT(rg_report_glhook(&out, &r), 0);
	{
		size_t lines = 0;

		for (size_t i = 0; i < out.len; i++)
			lines += out.ptr[i] == '\n';
		CHECK_INT(lines, RG_REPORT_GLHOOK_MAX + 2);
	}
	CHECK(strstr(out.ptr, "GL-HOOK-ERR: ... and 4980 more problem(s)\n") !=
	      NULL);
	rg_buf_release(&out);
	rg_report_release(&r);
	rg_arena_free(a);
}
