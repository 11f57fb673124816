/*
 * test-mrflow.c - the pure parts of the merge request flow: which updates
 * of a push get a comment (preview, merged, nothing), the report built for
 * one ref from a gate report, the status description, and mdreport's
 * report notes and summary form.
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/diff.h"
#include "rendergate/forge.h"
#include "rendergate/mdreport.h"
#include "rendergate/mrflow.h"
#include "rendergate/push.h"
#include "rendergate/report.h"

#include "test.h"

static const char *fake_env[][2] = {{NULL, NULL}, {NULL, NULL}, {NULL, NULL}};

static const char *fake_getenv(const char *name)
{
	for (size_t i = 0; i < RG_ARRAY_SIZE(fake_env); i++)
		if (fake_env[i][0] && !strcmp(fake_env[i][0], name))
			return fake_env[i][1];
	return NULL;
}

static void set_env(const char *a, const char *av, const char *b,
		    const char *bv)
{
	memset(fake_env, 0, sizeof(fake_env));
	fake_env[0][0] = a;
	fake_env[0][1] = av;
	fake_env[1][0] = b;
	fake_env[1][1] = bv;
}

static void update(struct rg_push_update *u, const char *ref, int kind)
{
	memset(u, 0, sizeof(*u));
	u->ref = ref;
	u->kind = (uint8_t)kind;
	memset(u->new_id, 'a', 40);
	memset(u->old_id, 'b', 40);
}

static const char deploy_diff[] = "--- a/x\n+++ b/x\n@@ -1 +1 @@\n"
				  "-  image: web:1\n+  image: web:2\n";

/* A diff of env with one changed Deployment whose image changed. */
static struct rg_diff *one_change(struct rg_arena *a, const char *env)
{
	struct rg_diff *d = rg_arena_calloc(a, 1, sizeof(*d));
	struct rg_diff_obj *o = rg_arena_calloc(a, 1, sizeof(*o));
	struct rg_diff_field *f = rg_arena_calloc(a, 1, sizeof(*f));

	f->path = "spec.template.spec.containers[0].image";
	o->status = RG_DIFF_CHANGED;
	o->key = "apps/v1/Deployment/ns/web";
	o->label = "Deployment ns/web";
	o->fields = f;
	o->nfields = 1;
	o->unified = deploy_diff;
	o->unified_len = sizeof(deploy_diff) - 1;
	d->env = env;
	d->objs = o;
	d->len = 1;
	d->nchanged = 1;
	return d;
}

TEST(classify_preview_merged_and_nothing)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_report rep;
	struct rg_push_update u;
	struct rg_mrflow_ref r;

	rg_report_init(&rep, a);
	rg_report_add_env(&rep, "refs/heads/feat (preview: merged into main)",
			  "prod", true, "changed");
	rg_report_add_env(&rep, "refs/heads/main", "prod", true, "changed");
	rg_report_add_env(&rep, "refs/tags/v1", "-", false, "not gated");
	rg_report_note(&rep, "refs/heads/clash: no preview: merging it into "
			     "release/1 conflicts");
	set_env(NULL, NULL, NULL, NULL);

	update(&u, "refs/heads/feat", RG_PUSH_UPDATE);
	rg_mrflow_classify(&r, &rep, &u, RG_FORGE_GITLAB, fake_getenv, a);
	CHECK_INT(r.kind, RG_MRFLOW_PREVIEW);
	CHECK_STR(r.branch, "feat");
	CHECK_STR(r.target, "main");
	CHECK(!r.conflict);

	update(&u, "refs/heads/clash", RG_PUSH_CREATE);
	rg_mrflow_classify(&r, &rep, &u, RG_FORGE_GITLAB, fake_getenv, a);
	CHECK_INT(r.kind, RG_MRFLOW_PREVIEW);
	CHECK_STR(r.target, "release/1");
	CHECK(r.conflict);

	/* a direct push to the environment branch: no merge request */
	update(&u, "refs/heads/main", RG_PUSH_UPDATE);
	rg_mrflow_classify(&r, &rep, &u, RG_FORGE_GITLAB, fake_getenv, a);
	CHECK_INT(r.kind, RG_MRFLOW_NONE);

	set_env("GL_PROTOCOL", "web", NULL, NULL);
	rg_mrflow_classify(&r, &rep, &u, RG_FORGE_GITLAB, fake_getenv, a);
	CHECK_INT(r.kind, RG_MRFLOW_MERGED);
	CHECK_STR(r.target, "main");
	CHECK_INT(r.mr, 0);
	/* GL_PROTOCOL means nothing to a Gitea hook */
	rg_mrflow_classify(&r, &rep, &u, RG_FORGE_GITEA, fake_getenv, a);
	CHECK_INT(r.kind, RG_MRFLOW_NONE);

	set_env("GITEA_PR_ID", "0", NULL, NULL);
	rg_mrflow_classify(&r, &rep, &u, RG_FORGE_GITEA, fake_getenv, a);
	CHECK_INT(r.kind, RG_MRFLOW_NONE);
	set_env("GITEA_PR_ID", "812", "GITEA_PR_INDEX", "9");
	rg_mrflow_classify(&r, &rep, &u, RG_FORGE_GITEA, fake_getenv, a);
	CHECK_INT(r.kind, RG_MRFLOW_MERGED);
	CHECK_INT(r.mr, 9);
	set_env("GITEA_PR_ID", "812", "GITEA_PR_INDEX", "9x");
	rg_mrflow_classify(&r, &rep, &u, RG_FORGE_GITEA, fake_getenv, a);
	CHECK_INT(r.mr, 0);

	/* deletions and tags: nothing */
	update(&u, "refs/heads/feat", RG_PUSH_DELETE);
	rg_mrflow_classify(&r, &rep, &u, RG_FORGE_GITLAB, fake_getenv, a);
	CHECK_INT(r.kind, RG_MRFLOW_NONE);
	update(&u, "refs/tags/v1", RG_PUSH_CREATE);
	rg_mrflow_classify(&r, &rep, &u, RG_FORGE_GITLAB, fake_getenv, a);
	CHECK_INT(r.kind, RG_MRFLOW_NONE);
	/* a branch the report knows nothing about (no .rendergate.yaml) */
	update(&u, "refs/heads/other", RG_PUSH_CREATE);
	rg_mrflow_classify(&r, &rep, &u, RG_FORGE_GITLAB, fake_getenv, a);
	CHECK_INT(r.kind, RG_MRFLOW_NONE);
	rg_report_release(&rep);
	rg_arena_free(a);
}

TEST(build_preview_report_with_findings)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_report rep;
	struct rg_report_env *e;
	struct rg_push_update u;
	struct rg_mrflow_ref r;
	struct rg_mdreport md;
	struct rg_finding *f;
	struct rg_pos pos = {"envs/prod/web.yaml", 3, 5};
	const char *body = NULL, *desc;
	const char *label = "refs/heads/feat (preview: merged into main)";

	rg_report_init(&rep, a);
	e = rg_report_add_env(&rep, label, "prod", true, "changed");
	e->diff = one_change(a, "prod");
	rg_report_add_env(&rep, label, "dev", false, "not affected");
	e = rg_report_add_env(&rep, label, "stage", true, "changed");
	e->note = "could not be rendered: values.yaml:1:1: bad";
	rg_report_add_env(&rep, "refs/heads/other (preview: merged into main)",
			  "prod", true, "changed");
	rg_report_note(&rep, "refs/heads/feat: a note for this ref");
	rg_report_note(&rep, "refs/heads/other: not this one");
	f = rg_finding_add(&rep.findings, RG_SEV_WARN, "policy.image-allow",
			   &pos, "image web:2 is not allowed");
	f->env = "prod";
	f->hint = "use registry.example.com";
	rg_finding_add(&rep.findings, RG_SEV_WARN, "gate.global", NULL,
		       "no environment");
	set_env(NULL, NULL, NULL, NULL);
	update(&u, "refs/heads/feat", RG_PUSH_UPDATE);
	rg_mrflow_classify(&r, &rep, &u, RG_FORGE_GITLAB, fake_getenv, a);
	rg_mrflow_build(&md, &rep, &r, u.new_id, a);

	CHECK_STR(md.marker, RG_FORGE_MARKER_DEFAULT);
	CHECK_STR(md.verdict, "Push accepted");
	CHECK_STR(md.target, "main");
	CHECK(!md.summary_only);
	CHECK_INT(md.nenvs, 2); /* dev was skipped: not in the comment */
	CHECK_STR(md.envs[0].name, "prod");
	CHECK_INT(md.envs[0].changed, 1);
	CHECK_INT(md.envs[0].images_changed, 1);
	CHECK_INT(md.envs[0].findings, 1);
	CHECK_STR(md.envs[0].finding_lines[0],
		  "envs/prod/web.yaml:3:5: warn: image web:2 is not allowed "
		  "(policy.image-allow); hint: use registry.example.com");
	CHECK_STR(md.envs[1].name, "stage");
	CHECK_STR(md.envs[1].error,
		  "could not be rendered: values.yaml:1:1: bad");
	CHECK_INT(md.nnotes, 2);
	CHECK_STR(md.notes[0], "a note for this ref");
	CHECK_STR(md.notes[1], "warn: no environment (gate.global)");

	desc = rg_mrflow_status_text(&rep, &md, a);
	CHECK_STR(desc, "accepted: 2 environments, 0 added, 1 changed, 0 "
			"removed, 2 findings");

	CHECK_INT(rg_mdreport_render(&body, NULL, &md, a, NULL), 0);
	CHECK(strstr(body, "| prod | 0 | 0 | 1 | 1 | 1 |\n"));
	CHECK(strstr(body, "| stage (not rendered) |"));
	CHECK(strstr(body, "- a note for this ref\n"));
	CHECK(strstr(body, "```diff\n--- a/x\n"));
	CHECK(strstr(body, "+  image: web:2\n```\n"));
	CHECK(!strstr(body, "No environment is affected"));

	/* a rejection */
	rg_finding_add(&rep.findings, RG_SEV_DENY, "plain.missing-name", &pos,
		       "nameless");
	rep.findings.items[rep.findings.len - 1].env = "prod";
	rg_mrflow_build(&md, &rep, &r, u.new_id, a);
	CHECK_STR(md.verdict, "Push rejected");
	CHECK_INT(md.envs[0].findings, 2);
	desc = rg_mrflow_status_text(&rep, &md, a);
	CHECK_STR(desc, "rejected: 1 problem");
	rg_report_release(&rep);
	rg_arena_free(a);
}

TEST(conflict_and_merged_summary)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_report rep;
	struct rg_report_env *e;
	struct rg_push_update u;
	struct rg_mrflow_ref r;
	struct rg_mdreport md;
	const char *body = NULL;

	rg_report_init(&rep, a);
	rg_report_note(&rep,
		       "refs/heads/feat: no preview: merging it into main "
		       "conflicts");
	e = rg_report_add_env(&rep, "refs/heads/main", "prod", true, "c");
	e->diff = one_change(a, "prod");
	set_env(NULL, NULL, NULL, NULL);
	update(&u, "refs/heads/feat", RG_PUSH_UPDATE);
	rg_mrflow_classify(&r, &rep, &u, RG_FORGE_GITEA, fake_getenv, a);
	rg_mrflow_build(&md, &rep, &r, u.new_id, a);
	CHECK_INT(md.nenvs, 0);
	CHECK_INT(md.nnotes, 1); /* the raw note is replaced by the advice */
	CHECK(strstr(md.notes[0], "merging feat into main conflicts"));
	CHECK_INT(rg_mdreport_render(&body, NULL, &md, a, NULL), 0);
	CHECK(!strstr(body, "No environment is affected"));

	set_env("GITEA_PR_ID", "3", NULL, NULL);
	update(&u, "refs/heads/main", RG_PUSH_UPDATE);
	rg_mrflow_classify(&r, &rep, &u, RG_FORGE_GITEA, fake_getenv, a);
	CHECK_INT(r.kind, RG_MRFLOW_MERGED);
	rg_mrflow_build(&md, &rep, &r, u.new_id, a);
	CHECK_STR(md.marker, RG_FORGE_MARKER_MERGED);
	CHECK_STR(md.title, "merged into main");
	CHECK_STR(md.verdict, "Merged");
	CHECK(md.summary_only);
	CHECK_INT(rg_mdreport_render(&body, NULL, &md, a, NULL), 0);
	CHECK(!strncmp(body, RG_FORGE_MARKER_MERGED "\n", 27));
	CHECK(strstr(body, "| prod | 0 | 0 | 1 | 1 | 0 |\n"));
	CHECK(!strstr(body, "```"));
	CHECK(!strstr(body, "<details>"));
	CHECK(!strstr(body, "No rendered object changes"));
	CHECK(!strstr(body, "not shown"));
	rg_report_release(&rep);
	rg_arena_free(a);
}

TEST(status_text_fits)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_report rep;
	struct rg_mdreport md;
	struct rg_mdreport_env envs[1];

	rg_report_init(&rep, a);
	memset(&md, 0, sizeof(md));
	CHECK_STR(rg_mrflow_status_text(&rep, &md, a),
		  "accepted: no environment rendered");
	memset(envs, 0, sizeof(envs));
	envs[0].added = 1;
	md.envs = envs;
	md.nenvs = 1;
	CHECK_STR(rg_mrflow_status_text(&rep, &md, a),
		  "accepted: 1 environment, 1 added, 0 changed, 0 removed, 0 "
		  "findings");
	rg_report_release(&rep);
	rg_arena_free(a);
}

TEST(cli_diff_report_takes_every_environment)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_report rep;
	struct rg_report_env *e;
	struct rg_mdreport md;
	struct rg_finding *f;
	struct rg_err err = RG_ERR_INIT;

	rg_report_init(&rep, a);
	rep.cli = true;
	e = rg_report_add_env(&rep, NULL, "prod", true, "chosen");
	e->diff = one_change(a, "prod");
	rg_report_add_env(&rep, NULL, "dev", false, "path not in this revision");
	e = rg_report_add_env(&rep, NULL, "stage", true, "chosen");
	e->note = "could not be rendered";
	/* a preview's environment is not a CLI report's */
	rg_report_add_env(&rep, "refs/heads/x (preview: merged into main)",
			  "other", true, "changed");
	rg_report_note(&rep, "main could not be rendered; every object is "
			     "shown as added");
	f = rg_finding_add(&rep.findings, RG_SEV_DENY, "images.allow", NULL,
			   "image web:2 is not allowed");
	f->env = "prod";
	rg_mrflow_build_cli(&md, &rep, "main", "feature", "0123456789abcdef",
			    a);
	CHECK_STR(md.title, "rendered diff: main..feature");
	CHECK_STR(md.verdict, "A push would be rejected");
	CHECK_STR(md.head_sha, "0123456789abcdef");
	CHECK_STR(md.target, "main");
	CHECK(md.marker == NULL);
	CHECK_INT(md.nenvs, 2);
	CHECK_STR(md.envs[0].name, "prod");
	CHECK_INT(md.envs[0].nobjects, 1);
	CHECK_INT(md.envs[0].nfinding_lines, 1);
	CHECK_STR(md.envs[1].name, "stage");
	CHECK_STR(md.envs[1].error, "could not be rendered");
	CHECK_INT(md.nnotes, 1);
	CHECK_STR(md.notes[0], "main could not be rendered; every object is "
			       "shown as added");
	rg_report_release(&rep);
	rg_report_init(&rep, a);
	rep.cli = true;
	rg_err_set(&err, RG_EIO, NULL, "cannot read the tree");
	rg_report_error(&rep, &err);
	rg_mrflow_build_cli(&md, &rep, "a", "b", NULL, a);
	CHECK_STR(md.verdict, "A push would be rejected");
	CHECK_INT(md.nenvs, 0);
	CHECK_STR(md.notes[0], "error: cannot read the tree");
	rg_report_release(&rep);
	rg_report_init(&rep, a);
	rg_mrflow_build_cli(&md, &rep, "a", "b", NULL, a);
	CHECK_STR(md.verdict, "A push would be accepted");
	rg_report_release(&rep);
	rg_arena_free(a);
}
