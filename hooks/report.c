#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/diff.h"
#include "rendergate/doc.h"
#include "rendergate/report.h"

#include <jansson.h>

void rg_report_init(struct rg_report *r, struct rg_arena *a)
{
	memset(r, 0, sizeof(*r));
	r->arena = a;
	rg_finding_init(&r->findings, a);
}

void rg_report_release(struct rg_report *r)
{
	rg_errlist_release(&r->errors);
}

struct rg_report_env *rg_report_add_env(struct rg_report *r, const char *ref,
					const char *name, bool rendered,
					const char *reason)
{
	struct rg_report_env *e;

	if (r->nenvs == r->envs_alloc) {
		size_t na = r->envs_alloc ? 2 * r->envs_alloc : 8;

		r->envs = rg_arena_grow(r->arena, r->envs, r->nenvs, na,
					sizeof(*r->envs));
		r->envs_alloc = na;
	}
	e = &r->envs[r->nenvs++];
	memset(e, 0, sizeof(*e));
	e->ref = rg_arena_strdup(r->arena, ref);
	e->name = rg_arena_strdup(r->arena, name);
	e->rendered = rendered;
	e->reason = rg_arena_strdup(r->arena, reason);
	return e;
}

void rg_report_note(struct rg_report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->nnotes == r->notes_alloc) {
		size_t na = r->notes_alloc ? 2 * r->notes_alloc : 8;

		r->notes = rg_arena_grow(r->arena, r->notes, r->nnotes, na,
					 sizeof(*r->notes));
		r->notes_alloc = na;
	}
	va_start(ap, fmt);
	r->notes[r->nnotes++] = rg_arena_vprintf(r->arena, fmt, ap);
	va_end(ap);
}

void rg_report_error(struct rg_report *r, const struct rg_err *err)
{
	rg_errlist_add(&r->errors, err);
}

size_t rg_report_problems(const struct rg_report *r)
{
	return r->errors.len + r->errors.dropped + r->findings.ndeny;
}

int rg_report_exit_for(int errcode)
{
	switch (errcode) {
	case RG_EPARSE:
	case RG_ELIMIT:
	case RG_EINVALID:
	case RG_EUNSAFE:
	case RG_ENOTFOUND:
	case RG_EEXISTS:
	case RG_EUNSUPPORTED:
		return RG_EXIT_BADINPUT;
	default:
		return RG_EXIT_INTERNAL;
	}
}

int rg_report_exit_code_strict(const struct rg_report *r)
{
	int rc = RG_EXIT_OK;

	for (size_t i = 0; i < r->errors.len; i++) {
		int e = rg_report_exit_for(r->errors.items[i].code);

		if (e > rc)
			rc = e;
	}
	if (rc == RG_EXIT_OK && r->errors.dropped)
		rc = RG_EXIT_INTERNAL;
	if (rc == RG_EXIT_OK && r->findings.ndeny)
		rc = RG_EXIT_DENIED;
	return rc;
}

int rg_report_exit_code(const struct rg_report *r)
{
	return r->warn_mode ? RG_EXIT_OK : rg_report_exit_code_strict(r);
}

/* How to get past an error of this kind. */
static const char *error_hint(const struct rg_err *e)
{
	if (!strcmp(e->file, ".rendergate.yaml"))
		return "the repository config is read from the branch as it "
		       "was before this push; fix it there (an admin can "
		       "set mode: warn in the server config meanwhile)";
	switch (e->code) {
	case RG_EPARSE:
		return "fix the syntax at that position; rendergate reads "
		       "the file as YAML, UTF-8, without NUL bytes";
	case RG_ELIMIT:
		return "the input is larger or deeper than rendergate "
		       "accepts (limits in rendergate(1)); split or simplify "
		       "it";
	case RG_EUNSAFE:
		return "replace the symbolic link or the '..' path with a "
		       "plain file or path inside the repository";
	case RG_EUNSUPPORTED:
		return "keep submodules and unsupported content out of "
		       "environment folders";
	case RG_ENOTFOUND:
		return "check the paths in .rendergate.yaml against the "
		       "pushed tree";
	case RG_ETIMEOUT:
		return "push fewer environments at once, or ask the admin to "
		       "raise `deadline` in the server config";
	default:
		return NULL;
	}
}

/* "file:line:col: " (the known parts) of an origin. */
static int add_origin(struct rg_buf *b, const char *file, uint32_t line,
		      uint32_t col)
{
	if (!file || !*file)
		return 0;
	if (line && col)
		return rg_buf_addf(b, "%s:%u:%u: ", file, line, col);
	if (line)
		return rg_buf_addf(b, "%s:%u: ", file, line);
	return rg_buf_addf(b, "%s: ", file);
}

/* One problem line (no newline) with an optional prefix. */
static int add_error_line(struct rg_buf *b, const char *prefix,
			  const struct rg_err *e)
{
	int rc = rg_buf_adds(b, prefix);

	if (!rc)
		rc = add_origin(b, e->file, e->line, e->col);
	if (!rc)
		rc =
		    rg_buf_addf(b, "%s (%s)", e->msg, rg_err_codename(e->code));
	return rc;
}

static int add_finding_line(struct rg_buf *b, const char *prefix,
			    const struct rg_finding *f)
{
	int rc = rg_buf_adds(b, prefix);

	if (!rc)
		rc = add_origin(b, f->origin.file, f->origin.line,
				f->origin.col);
	if (!rc && f->severity != RG_SEV_DENY)
		rc = rg_buf_addf(b,
				 "%s: ", rg_finding_severity_name(f->severity));
	if (!rc)
		rc = rg_buf_addf(b, "%s (%s)", f->message, f->rule);
	return rc;
}

/* Count lines of s[0..n). */
static size_t count_lines(const char *s, size_t n)
{
	size_t lines = 0;

	for (size_t i = 0; i < n; i++)
		if (s[i] == '\n')
			lines++;
	if (n && s[n - 1] != '\n')
		lines++;
	return lines;
}

/* Append the diffs of env, spending at most *budget bytes. */
static int add_env_diff(struct rg_buf *b, const struct rg_diff *d,
			size_t *budget, size_t *cut_lines)
{
	int rc = 0;

	for (size_t i = 0; i < d->len && !rc; i++) {
		const struct rg_diff_obj *o = &d->objs[i];
		size_t take;

		if (o->status == RG_DIFF_UNCHANGED || !o->unified_len)
			continue;
		if (*budget == 0) {
			*cut_lines += count_lines(o->unified, o->unified_len);
			continue;
		}
		take = o->unified_len;
		if (take > *budget) {
			/* cut at a line boundary */
			take = *budget;
			while (take && o->unified[take - 1] != '\n')
				take--;
		}
		rc = rg_buf_add(b, o->unified, take);
		*budget -= take < *budget ? take : *budget;
		if (take < o->unified_len) {
			*cut_lines += count_lines(o->unified + take,
						  o->unified_len - take);
			*budget = 0;
		}
	}
	return rc;
}

/*
 * Disclose what noise rules left out of env's diff, one line per rule:
 * "prod: 14 changed line(s) hidden by rule helm-chart-label". There are
 * a handful of rules; a rule past the table's size is still disclosed,
 * just not summed with the others.
 */
static int add_hidden(struct rg_buf *b, const char *env,
		      const struct rg_diff *d)
{
	struct {
		const char *rule;
		size_t lines;
	} sum[16];
	size_t n = 0;
	int rc = 0;

	for (size_t i = 0; i < d->len; i++) {
		for (size_t h = 0; h < d->objs[i].nhidden; h++) {
			const struct rg_diff_hidden *x = &d->objs[i].hidden[h];
			size_t k = 0;

			while (k < n && strcmp(sum[k].rule, x->rule))
				k++;
			if (k == n && n == RG_ARRAY_SIZE(sum)) {
				rc = rg_buf_addf(b,
						 "%s: %zu changed line(s) "
						 "hidden by rule %s\n",
						 env, x->lines, x->rule);
				continue;
			}
			if (k == n) {
				sum[n].rule = x->rule;
				sum[n++].lines = 0;
			}
			sum[k].lines += x->lines;
		}
	}
	for (size_t k = 0; k < n && !rc; k++)
		rc = rg_buf_addf(b,
				 "%s: %zu changed line(s) hidden by rule "
				 "%s\n",
				 env, sum[k].lines, sum[k].rule);
	return rc;
}

/*
 * The problem lines, errors first. Listing stops RESERVE bytes short of
 * the buffer's cap and counts the rest, so the closing lines always fit.
 */
#define RESERVE 1024u

static int add_problems(struct rg_buf *out, const struct rg_report *r)
{
	size_t total = r->errors.len + r->findings.len, shown = 0;
	size_t dropped = r->errors.dropped + r->findings.dropped;
	int rc = 0;

	for (size_t i = 0; i < total && !rc; i++) {
		bool is_err = i < r->errors.len;
		const struct rg_err *e = is_err ? &r->errors.items[i] : NULL;
		const struct rg_finding *f =
		    is_err ? NULL : &r->findings.items[i - r->errors.len];
		const char *hint = is_err ? error_hint(e) : f->hint;
		size_t mark = out->len;

		if (out->cap < RESERVE || out->len > out->cap - RESERVE)
			break;
		rc = is_err ? add_error_line(out, "", e)
			    : add_finding_line(out, "", f);
		if (!rc)
			rc = rg_buf_addch(out, '\n');
		if (!rc && hint)
			rc = rg_buf_addf(out, "  hint: %s\n", hint);
		if (rc == RG_ELIMIT) {
			rg_buf_truncate(out, mark);
			rc = 0;
			break;
		}
		shown++;
	}
	if (!rc && (shown < total || dropped))
		rc = rg_buf_addf(out,
				 "... and %zu more problem(s) and "
				 "remark(s) not shown\n",
				 total - shown + dropped);
	return rc;
}

int rg_report_verdict(struct rg_buf *out, const struct rg_report *r)
{
	size_t problems = rg_report_problems(r);

	if (!problems)
		return rg_buf_adds(out, "rendergate: push accepted\n");
	if (r->warn_mode)
		return rg_buf_addf(out,
				   "rendergate: %zu problem(s); accepted "
				   "anyway because the server runs in warn "
				   "mode\n",
				   problems);
	return rg_buf_addf(out,
			   "rendergate: push rejected: %zu "
			   "problem(s)\n",
			   problems);
}

int rg_report_text(struct rg_buf *out, const struct rg_report *r,
		   size_t diff_cap)
{
	size_t budget = diff_cap ? diff_cap : RG_CAP_REPORT_TERM_BYTES;
	size_t cut = 0;
	const char *last_ref = NULL;
	int rc = 0;

	for (size_t i = 0; i < r->nnotes && !rc; i++)
		rc = rg_buf_addf(out, "rendergate: %s\n", r->notes[i]);
	for (size_t i = 0; i < r->nenvs && !rc; i++) {
		const struct rg_report_env *e = &r->envs[i];
		const struct rg_diff *d = e->diff;

		if (!e->rendered)
			continue;
		if (e->ref && (!last_ref || strcmp(last_ref, e->ref))) {
			rc = rg_buf_addf(out, "rendergate: %s\n", e->ref);
			last_ref = e->ref;
		}
		if (!rc && e->note)
			rc = rg_buf_addf(out, "%s: note: %s\n", e->name,
					 e->note);
		if (rc || !d)
			continue;
		rc = rg_buf_addf(out,
				 "%s: %zu added, %zu changed, %zu "
				 "removed\n",
				 e->name, d->nadded, d->nchanged, d->nremoved);
		if (!rc)
			rc = add_hidden(out, e->name, d);
		if (!rc)
			rc = add_env_diff(out, d, &budget, &cut);
	}
	if (!rc && cut && diff_cap)
		rc = rg_buf_addf(out, "\xe2\x80\xa6 %zu more lines not shown\n",
				 cut);
	else if (!rc && cut)
		rc = rg_buf_addf(out,
				 "\xe2\x80\xa6 %zu more lines not shown (the "
				 "diff is cut at %u bytes, "
				 "RG_CAP_REPORT_TERM_BYTES)\n",
				 cut, RG_CAP_REPORT_TERM_BYTES);
	if (!rc)
		rc = add_problems(out, r);
	if (!rc && !r->cli)
		rc = rg_report_verdict(out, r);
	return rc;
}

int rg_report_trace(struct rg_buf *out, const struct rg_report *r)
{
	int rc = 0;

	for (size_t i = 0; i < r->nenvs && !rc; i++) {
		const struct rg_report_env *e = &r->envs[i];

		rc = rg_buf_addf(out, "rendergate: trace: %s%s%s: %s: %s\n",
				 e->ref ? e->ref : "", e->ref ? ": " : "",
				 e->name, e->rendered ? "rendered" : "skipped",
				 e->reason ? e->reason : "");
	}
	return rc;
}

int rg_report_glhook(struct rg_buf *out, const struct rg_report *r)
{
	size_t shown = 0, problems = rg_report_problems(r);
	int rc = 0;

	for (size_t i = 0; i < r->errors.len && !rc; i++) {
		if (shown == RG_REPORT_GLHOOK_MAX)
			break;
		rc = add_error_line(out, "GL-HOOK-ERR: ", &r->errors.items[i]);
		if (!rc)
			rc = rg_buf_addch(out, '\n');
		shown++;
	}
	for (size_t i = 0; i < r->findings.len && !rc; i++) {
		if (r->findings.items[i].severity != RG_SEV_DENY)
			continue;
		if (shown == RG_REPORT_GLHOOK_MAX)
			break;
		rc = add_finding_line(out,
				      "GL-HOOK-ERR: ", &r->findings.items[i]);
		if (!rc)
			rc = rg_buf_addch(out, '\n');
		shown++;
	}
	if (!rc && shown < problems)
		rc = rg_buf_addf(out,
				 "GL-HOOK-ERR: ... and %zu more "
				 "problem(s)\n",
				 problems - shown);
	if (!rc && problems && !r->warn_mode)
		rc = rg_buf_addf(out,
				 "GL-HOOK-ERR: rendergate rejected the "
				 "change: %zu problem(s)\n",
				 problems);
	return rc;
}

/* --- JSON ------------------------------------------------------------ */

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *json_of_node(const struct rg_node *n, int depth)
{
	json_t *j = NULL;

	if (!n || depth > (int)RG_CAP_YAML_DEPTH + 8)
		return json_null();
	switch (n->kind) {
	case RG_BOOL:
		return json_boolean(n->u.b);
	case RG_INT:
		return json_integer((json_int_t)n->u.i);
	case RG_FLOAT:
		return json_real(n->u.f);
	case RG_STR:
		return json_stringn_nocheck(n->u.s.ptr, n->u.s.len);
	case RG_SEQ:
		j = json_array();
		for (size_t i = 0; i < n->u.seq.len; i++)
			json_array_append_new(
			    j, json_of_node(n->u.seq.items[i], depth + 1));
		return j;
	case RG_MAP:
		j = json_object();
		for (size_t i = 0; i < n->u.map.len; i++) {
			const struct rg_pair *p = &n->u.map.items[i];

			json_object_setn_new_nocheck(
			    j, p->key.ptr, p->key.len,
			    json_of_node(p->val, depth + 1));
		}
		return j;
	default:
		return json_null();
	}
}

static int dump(struct rg_buf *out, json_t *j, size_t flags)
{
	char *s = json_dumps(j, flags | JSON_ENSURE_ASCII);
	int rc = s ? rg_buf_adds(out, s) : RG_ERROR;

	free(s);
	return rc;
}

int rg_report_node_json(struct rg_buf *out, const struct rg_node *n)
{
	json_t *j = json_of_node(n, 0);
	int rc =
	    dump(out, j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);

	json_decref(j);
	return rc;
}

static json_t *json_of_diff(const struct rg_diff *d)
{
	json_t *objs = json_array();

	for (size_t i = 0; i < d->len; i++) {
		const struct rg_diff_obj *o = &d->objs[i];
		json_t *jo, *fields, *hidden;

		if (o->status == RG_DIFF_UNCHANGED)
			continue;
		fields = json_array();
		for (size_t k = 0; k < o->nfields; k++) {
			const struct rg_diff_field *f = &o->fields[k];

			json_array_append_new(
			    fields,
			    json_pack("{s:s, s:s, s:o, s:o}", "path", f->path,
				      "change", rg_diff_status_name(f->change),
				      "note", jstr(f->note), "rule",
				      jstr(f->rule)));
		}
		hidden = json_array();
		for (size_t k = 0; k < o->nhidden; k++)
			json_array_append_new(
			    hidden,
			    json_pack("{s:s, s:I, s:I}", "rule",
				      o->hidden[k].rule, "fields",
				      (json_int_t)o->hidden[k].fields, "lines",
				      (json_int_t)o->hidden[k].lines));
		jo = json_pack(
		    "{s:s, s:s, s:s, s:o, s:o, s:b, s:b, s:o}", "key", o->key,
		    "label", o->label, "status", rg_diff_status_name(o->status),
		    "fields", fields, "hidden", hidden, "masked", o->masked,
		    "noise_only", o->noise_only, "unified",
		    json_stringn_nocheck(o->unified ? o->unified : "",
					 o->unified_len));
		json_array_append_new(objs, jo);
	}
	return json_pack("{s:I, s:I, s:I, s:I, s:o}", "added",
			 (json_int_t)d->nadded, "changed",
			 (json_int_t)d->nchanged, "removed",
			 (json_int_t)d->nremoved, "unchanged",
			 (json_int_t)d->nunchanged, "objects", objs);
}

static json_t *json_pos(const char *file, uint32_t line, uint32_t col)
{
	if (!file || !*file)
		return json_null();
	return json_pack("{s:s, s:i, s:i}", "file", file, "line", (int)line,
			 "col", (int)col);
}

int rg_report_json(struct rg_buf *out, const struct rg_report *r)
{
	json_t *root, *envs = json_array(), *findings = json_array();
	json_t *errors = json_array(), *notes = json_array();
	int code = rg_report_exit_code(r), rc;

	for (size_t i = 0; i < r->nenvs; i++) {
		const struct rg_report_env *e = &r->envs[i];

		json_array_append_new(
		    envs,
		    json_pack("{s:o, s:s, s:b, s:o, s:o, s:o}", "ref",
			      jstr(e->ref), "name", e->name, "rendered",
			      e->rendered, "reason", jstr(e->reason), "note",
			      jstr(e->note), "diff",
			      e->diff ? json_of_diff(e->diff) : json_null()));
	}
	for (size_t i = 0; i < r->findings.len; i++) {
		const struct rg_finding *f = &r->findings.items[i];

		json_array_append_new(
		    findings,
		    json_pack(
			"{s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "severity",
			rg_finding_severity_name(f->severity), "rule", f->rule,
			"message", f->message, "origin",
			json_pos(f->origin.file, f->origin.line, f->origin.col),
			"env", jstr(f->env), "object", jstr(f->object), "hint",
			jstr(f->hint)));
	}
	for (size_t i = 0; i < r->errors.len; i++) {
		const struct rg_err *e = &r->errors.items[i];

		json_array_append_new(
		    errors,
		    json_pack("{s:s, s:s, s:o, s:o}", "code",
			      rg_err_codename(e->code), "message", e->msg,
			      "origin", json_pos(e->file, e->line, e->col),
			      "hint", jstr(error_hint(e))));
	}
	for (size_t i = 0; i < r->nnotes; i++)
		json_array_append_new(notes, json_string(r->notes[i]));
	root = json_pack(
	    "{s:s, s:i, s:b, s:o, s:o, s:o, s:o}", "verdict",
	    rg_report_problems(r) ? (r->warn_mode ? "warned" : "rejected")
				  : "accepted",
	    "exit_code", code, "warn_mode", r->warn_mode, "notes", notes,
	    "environments", envs, "findings", findings, "errors", errors);
	rc = dump(out, root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!rc)
		rc = rg_buf_addch(out, '\n');
	json_decref(root);
	return rc;
}
