/*
 * mdreport.c - the merge request comment in Markdown (see mdreport.h).
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/diff.h"
#include "rendergate/forge.h"
#include "rendergate/mdreport.h"

/* Room kept for the closing "cut" line. */
#define TRAILER_RESERVE 512

size_t rg_mdreport_limit(enum rg_config_forge kind)
{
	return kind == RG_FORGE_GITLAB ? RG_CAP_COMMENT_GITLAB_CHARS
				       : RG_CAP_COMMENT_GITEA_CHARS;
}

/* Text inside HTML (summary) or a table cell: no tags, no pipes, one line. */
static void add_escaped(struct rg_buf *b, const char *s, bool markdown)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			rg_buf_adds(b, "&amp;");
			break;
		case '<':
			rg_buf_adds(b, "&lt;");
			break;
		case '>':
			rg_buf_adds(b, "&gt;");
			break;
		case '"':
			rg_buf_adds(b, "&quot;");
			break;
		case '|':
			rg_buf_adds(b, "\\|");
			break;
		case '\n':
		case '\r':
			rg_buf_addch(b, ' ');
			break;
		case '\\':
		case '`':
		case '*':
		case '_':
		case '[':
		case ']':
		case '#':
		case '!':
		case '~':
			if (markdown)
				rg_buf_addch(b, '\\');
			rg_buf_addch(b, *s);
			break;
		default:
			rg_buf_addch(b, *s);
		}
	}
}

static size_t longest_backtick_run(const char *s, size_t n)
{
	size_t best = 0, run = 0, i;

	for (i = 0; i < n; i++) {
		run = s[i] == '`' ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

static void add_object(struct rg_buf *b, const struct rg_mdreport_object *o)
{
	size_t fence =
	    longest_backtick_run(o->diff, o->diff ? o->diff_len : 0) + 1;

	if (fence < 3)
		fence = 3;
	rg_buf_adds(b, "<details><summary>");
	add_escaped(b, o->change ? o->change : "changed", false);
	rg_buf_adds(b, ": ");
	add_escaped(b, o->label ? o->label : "(unnamed object)", false);
	if (o->masked)
		rg_buf_adds(b, " (values masked)");
	if (o->replaced)
		rg_buf_adds(b, " (too large for a line diff)");
	rg_buf_adds(b, "</summary>\n\n");
	rg_buf_addchn(b, '`', fence);
	rg_buf_adds(b, "diff\n");
	if (o->diff && o->diff_len) {
		rg_buf_add(b, o->diff, o->diff_len);
		if (o->diff[o->diff_len - 1] != '\n')
			rg_buf_addch(b, '\n');
	}
	rg_buf_addchn(b, '`', fence);
	rg_buf_adds(b, "\n\n</details>\n\n");
}

static void add_env_head(struct rg_buf *b, const struct rg_mdreport_env *e,
			 bool summary_only)
{
	size_t i;

	if (summary_only && !e->error && !e->nnotes && !e->nfinding_lines)
		return;

	rg_buf_adds(b, "#### ");
	add_escaped(b, e->name ? e->name : "(environment)", true);
	rg_buf_adds(b, "\n\n");
	if (e->error) {
		rg_buf_adds(b, "**Could not render:** ");
		add_escaped(b, e->error, true);
		rg_buf_adds(b, "\n\n");
	}
	for (i = 0; i < e->nnotes; i++) {
		rg_buf_adds(b, "- ");
		add_escaped(b, e->notes[i], true);
		rg_buf_addch(b, '\n');
	}
	if (e->nnotes)
		rg_buf_addch(b, '\n');
	if (e->nfinding_lines) {
		rg_buf_adds(b, "**Findings**\n\n");
		for (i = 0; i < e->nfinding_lines; i++) {
			rg_buf_adds(b, "- ");
			add_escaped(b, e->finding_lines[i], true);
			rg_buf_addch(b, '\n');
		}
		rg_buf_addch(b, '\n');
	}
	if (!e->nobjects && !e->error && !summary_only)
		rg_buf_adds(b, "No rendered object changes.\n\n");
}

static void add_header(struct rg_buf *b, const struct rg_mdreport *r,
		       const char *marker)
{
	size_t i;

	rg_buf_adds(b, marker);
	rg_buf_adds(b, "\n### rendergate: ");
	add_escaped(b, r->title ? r->title : "rendered diff", true);
	rg_buf_adds(b, "\n\n");
	if (r->verdict || r->head_sha) {
		if (r->verdict) {
			rg_buf_adds(b, "**");
			add_escaped(b, r->verdict, true);
			rg_buf_adds(b, "**");
		}
		if (r->head_sha) {
			rg_buf_adds(b, r->verdict ? " · head `" : "head `");
			/* a commit id: keep only hex so the code span stays
			 * closed */
			for (i = 0; r->head_sha[i] && i < 12; i++)
				if (strchr("0123456789abcdef", r->head_sha[i]))
					rg_buf_addch(b, r->head_sha[i]);
			rg_buf_addch(b, '`');
		}
		if (r->target) {
			rg_buf_adds(b, " into ");
			add_escaped(b, r->target, true);
		}
		rg_buf_adds(b, "\n\n");
	}
	for (i = 0; i < r->nnotes; i++) {
		rg_buf_adds(b, "- ");
		add_escaped(b, r->notes[i], true);
		rg_buf_addch(b, '\n');
	}
	if (r->nnotes)
		rg_buf_addch(b, '\n');
	if (!r->nenvs) {
		if (!r->nnotes)
			rg_buf_adds(
			    b,
			    "No environment is affected by this change.\n\n");
		return;
	}
	rg_buf_adds(b, "| Environment | Added | Removed | Changed | Images "
		       "changed | Findings |\n"
		       "|---|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < r->nenvs; i++) {
		const struct rg_mdreport_env *e = &r->envs[i];

		rg_buf_adds(b, "| ");
		add_escaped(b, e->name ? e->name : "(environment)", true);
		if (e->error)
			rg_buf_adds(b, " (not rendered)");
		rg_buf_addf(b, " | %zu | %zu | %zu | %zu | %zu |\n", e->added,
			    e->removed, e->changed, e->images_changed,
			    e->findings);
	}
	rg_buf_addch(b, '\n');
}

int rg_mdreport_render(const char **out, size_t *len,
		       const struct rg_mdreport *r, struct rg_arena *a,
		       struct rg_err *err)
{
	size_t limit = r->limit ? r->limit : RG_CAP_COMMENT_GITEA_CHARS;
	size_t reserve = TRAILER_RESERVE + r->link_reserve, hdr_len;
	const char *marker = r->marker ? r->marker : RG_FORGE_MARKER_DEFAULT;
	/* the buffers may hold one section over the limit before we measure */
	struct rg_buf b = RG_BUF_INIT(SIZE_MAX / 2),
		      sec = RG_BUF_INIT(SIZE_MAX / 2);
	struct rg_buf cutenvs = RG_BUF_INIT(4096);
	size_t i, j, total = 0, cut = 0;
	bool full = false;
	int ret = 0;

	*out = NULL;
	if (limit < 1024 + r->link_reserve) {
		ret = rg_err_set(err, RG_EINVALID, NULL,
				 "mdreport: comment limit %zu is too small (at "
				 "least %zu)",
				 limit, 1024 + r->link_reserve);
		goto out;
	}
	add_header(&b, r, marker);
	hdr_len = b.len;
	if (b.len + reserve > limit) {
		rg_buf_reset(&b);
		rg_buf_adds(&b, marker);
		rg_buf_addf(
		    &b,
		    "\n### rendergate: report too large for a comment\n\n"
		    "%zu environments are affected; run `rendergate diff` to "
		    "see the whole report.\n",
		    r->nenvs);
		if (r->link_reserve)
			rg_buf_adds(&b, "\n" RG_MDREPORT_FULL_REPORT "\n");
		goto done;
	}
	for (i = 0; i < r->nenvs; i++) {
		const struct rg_mdreport_env *e = &r->envs[i];
		size_t shown = 0;

		total += e->nobjects;
		if (!full) {
			rg_buf_reset(&sec);
			add_env_head(&sec, e, r->summary_only);
			if (b.len + sec.len + reserve > limit)
				full = true;
			else
				rg_buf_add(&b, sec.ptr, sec.len);
		}
		for (j = 0; j < e->nobjects && !full && !r->summary_only; j++) {
			rg_buf_reset(&sec);
			add_object(&sec, &e->objects[j]);
			if (b.len + sec.len + reserve > limit) {
				full = true;
				break;
			}
			rg_buf_add(&b, sec.ptr, sec.len);
			shown++;
		}
		if (r->summary_only && !full)
			continue; /* leaving the diffs out is not a cut */
		if (shown < e->nobjects || (full && !e->nobjects)) {
			cut += e->nobjects - shown;
			if (cutenvs.len)
				rg_buf_adds(&cutenvs, ", ");
			add_escaped(&cutenvs,
				    e->name ? e->name : "(environment)", true);
		}
	}
	if (full) {
		rg_buf_adds(&b, "---\n\n");
		rg_buf_addf(&b, "_%zu of %zu changed objects are not shown (",
			    cut, total);
		if (cutenvs.len + b.len + 200 + r->link_reserve < limit)
			rg_buf_add(&b, cutenvs.ptr, cutenvs.len);
		else
			rg_buf_adds(&b, "several environments");
		rg_buf_addf(&b,
			    ") to stay within this forge's %zu-character "
			    "comment limit; "
			    "run `rendergate diff` to see the whole diff._\n",
			    limit);
		if (r->link_reserve) {
			/* under the summary table, where a reviewer looks */
			rg_buf_reset(&sec);
			rg_buf_add(&sec, b.ptr, hdr_len);
			rg_buf_adds(&sec, RG_MDREPORT_FULL_REPORT "\n\n");
			rg_buf_add(&sec, b.ptr + hdr_len, b.len - hdr_len);
			rg_buf_reset(&b);
			rg_buf_add(&b, sec.ptr, sec.len);
		}
	}
done:
	if (b.len > limit) /* cannot happen with the reserve; never post over */
		RG_BUG("mdreport: body of %zu bytes over the %zu limit", b.len,
		       limit);
	*out = rg_arena_strndup(a, b.ptr, b.len);
	if (len)
		*len = b.len;
out:
	rg_buf_release(&b);
	rg_buf_release(&sec);
	rg_buf_release(&cutenvs);
	return ret;
}

bool rg_mdreport_is_cut(const char *body)
{
	return body && strstr(body, RG_MDREPORT_FULL_REPORT) != NULL;
}

/*
 * url as a Markdown link target: nothing that ends the link or a line.
 * False for a URL we do not link to (relative without '/', another
 * scheme, "//host", too long once encoded).
 */
static bool add_link_target(struct rg_buf *b, const char *url)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(url);

	if (!n || n > RG_MDREPORT_LINK_URL_MAX ||
	    !(url[0] == '/' || !strncmp(url, "https://", 8) ||
	      !strncmp(url, "http://", 7)) ||
	    !strncmp(url, "//", 2))
		return false;
	for (; *url; url++) {
		unsigned char c = (unsigned char)*url;

		if (c <= ' ' || c >= 0x7f || strchr("()<>[]\\\"'`", c))
			rg_buf_addf(b, "%%%c%c", hex[c >> 4], hex[c & 15]);
		else
			rg_buf_addch(b, (char)c);
	}
	return b->len <= RG_MDREPORT_LINK_URL_MAX;
}

const char *rg_mdreport_link_full(struct rg_arena *a, const char *body,
				  const char *url, const char *why)
{
	const char *at = body ? strstr(body, RG_MDREPORT_FULL_REPORT) : NULL;
	struct rg_buf line = RG_BUF_INIT(RG_MDREPORT_LINK_RESERVE),
		      target = RG_BUF_INIT(RG_MDREPORT_LINK_URL_MAX * 3 + 1);
	const char *res = body;

	if (!at)
		return body;
	if (url && add_link_target(&target, url)) {
		rg_buf_adds(&line, "**Full report:** [every object, side by "
				   "side (HTML)](");
		rg_buf_add(&line, target.ptr, target.len);
		rg_buf_adds(&line, ") (this comment is cut to the forge's "
				   "comment limit)");
	} else {
		char reason[301];

		snprintf(reason, sizeof(reason), "%s",
			 why ? why : "the forge gave no usable link");
		rg_buf_adds(&line, "**Full report:** not attached (");
		add_escaped(&line, reason, true);
		rg_buf_adds(&line, "); run `rendergate diff --format html` "
				   "to see every object");
	}
	res = rg_arena_printf(a, "%.*s%s%s", (int)(at - body), body, line.ptr,
			      at + strlen(RG_MDREPORT_FULL_REPORT));
	rg_buf_release(&line);
	rg_buf_release(&target);
	return res;
}

static bool is_image_path(const char *p)
{
	static const char *const kinds[] = {"containers[", "initContainers[",
					    "ephemeralContainers["};
	size_t n = strlen(p), i;

	if (n < 7 || strcmp(p + n - 6, ".image"))
		return false;
	for (i = 0; i < RG_ARRAY_SIZE(kinds); i++) {
		const char *k = strstr(p, kinds[i]);

		if (k && (k == p || k[-1] == '.'))
			return true;
	}
	return false;
}

/* Add lines for rule to the per-rule totals (rules in first-seen order). */
static void add_hidden(const char ***rules, size_t **lines, size_t *n,
		       size_t *alloc, struct rg_arena *a, const char *rule,
		       size_t count)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*rules)[i], rule)) {
			(*lines)[i] += count;
			return;
		}
	if (*n >= *alloc) {
		size_t na = *alloc ? *alloc * 2 : 4;

		*rules = rg_arena_grow(a, *rules, *n, na, sizeof(**rules));
		*lines = rg_arena_grow(a, *lines, *n, na, sizeof(**lines));
		*alloc = na;
	}
	(*rules)[*n] = rule;
	(*lines)[*n] = count;
	(*n)++;
}

void rg_mdreport_env_from_diff(struct rg_mdreport_env *out,
			       const struct rg_diff *d, struct rg_arena *a)
{
	struct rg_mdreport_object *objs;
	const char **rules = NULL, **notes;
	size_t *lines = NULL, nrules = 0, ralloc = 0, folded = 0;
	size_t i, j, k = 0, nn = 0;

	memset(out, 0, sizeof(*out));
	out->name = d->env;
	out->added = d->nadded;
	out->removed = d->nremoved;
	out->changed = d->nchanged;
	objs = rg_arena_calloc(a, d->len ? d->len : 1, sizeof(*objs));
	for (i = 0; i < d->len; i++) {
		const struct rg_diff_obj *o = &d->objs[i];

		if (o->status == RG_DIFF_UNCHANGED)
			continue;
		for (j = 0; j < o->nfields; j++)
			if (o->fields[j].path &&
			    is_image_path(o->fields[j].path))
				out->images_changed++;
		for (j = 0; j < o->nhidden; j++)
			if (o->hidden[j].rule)
				add_hidden(&rules, &lines, &nrules, &ralloc, a,
					   o->hidden[j].rule,
					   o->hidden[j].lines);
		if (o->noise_only) {
			folded++; /* nothing a reviewer needs; disclosed below
				   */
			continue;
		}
		objs[k].label = o->label ? o->label : o->key;
		/* spelled here, not via rg_diff_status_name: links without
		 * diff.o */
		objs[k].change = o->status == RG_DIFF_ADDED	? "added"
				 : o->status == RG_DIFF_REMOVED ? "removed"
								: "changed";
		objs[k].diff = o->unified;
		objs[k].diff_len = o->unified_len;
		objs[k].masked = o->masked;
		objs[k].replaced = o->replaced;
		k++;
	}
	out->objects = objs;
	out->nobjects = k;
	notes = rg_arena_calloc(a, nrules + 1, sizeof(*notes));
	for (i = 0; i < nrules; i++)
		notes[nn++] = rg_arena_printf(
		    a, "%zu changed line%s hidden by rule %s", lines[i],
		    lines[i] == 1 ? "" : "s", rules[i]);
	if (folded)
		notes[nn++] = rg_arena_printf(
		    a, "%zu object%s changed only in hidden fields (not shown)",
		    folded, folded == 1 ? "" : "s");
	out->notes = notes;
	out->nnotes = nn;
}
