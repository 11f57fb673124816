/*
 * htmlreport.c - the full report as one self-contained HTML page (see
 * htmlreport.h).
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/gofmt.h"
#include "rendergate/htmlreport.h"
#include "rendergate/mdreport.h"

#define FFFD "\xEF\xBF\xBD"

/* The page being written; `over` sticks once the cap is hit. */
struct page {
	struct rg_buf b;
	bool over;
};

static void put(struct page *p, const char *s, size_t n)
{
	if (!p->over && rg_buf_add(&p->b, s, n) < 0)
		p->over = true;
}

static void puts_(struct page *p, const char *s)
{
	put(p, s, strlen(s));
}

static void putf(struct page *p, const char *fmt, ...) RG_PRINTF(2, 3);
static void putf(struct page *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (!p->over && rg_buf_vaddf(&p->b, fmt, ap) < 0)
		p->over = true;
	va_end(ap);
}

/* s[0..n) as HTML text or attribute value: one line, valid UTF-8. */
static void esc(struct page *p, const char *s, size_t n)
{
	size_t i = 0, start = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		const char *rep = NULL;
		size_t w = 1;
		uint32_t r;

		switch (c) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		case '\n':
		case '\r':
			rep = " ";
			break;
		case '\t':
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				rep = FFFD;
			} else if (c >= 0x80) {
				/* invalid UTF-8: width 1 (Go's rule) */
				w = rg_gofmt_utf8_decode(s + i, n - i, &r);
				if (w == 1)
					rep = FFFD;
			}
		}
		if (rep) {
			put(p, s + start, i - start);
			puts_(p, rep);
			start = i + w;
		}
		i += w;
	}
	put(p, s + start, n - start);
}

static void escs(struct page *p, const char *s)
{
	if (s)
		esc(p, s, strlen(s));
}

static const char style[] =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;"
    "margin:0 auto;padding:16px 24px;max-width:1600px;color:#1f2328;"
    "background:#fff}\n"
    "h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:20px 0 8px}\n"
    "code,.sbs td{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"
    "monospace;font-size:12px}\n"
    ".verdict{font-weight:600}.rejected{color:#cf222e}"
    ".accepted{color:#1a7f37}\n"
    "ul{margin:4px 0 8px;padding-left:22px}li{margin:2px 0}\n"
    ".finding .env{font-weight:600}.error{color:#cf222e}\n"
    "table.summary{border-collapse:collapse;margin:4px 0 12px}\n"
    "table.summary th,table.summary td{border:1px solid #d0d7de;"
    "padding:4px 10px}\n"
    "table.summary td.n{text-align:right}\n"
    "details.env{border:1px solid #d0d7de;border-radius:6px;"
    "margin:12px 0;padding:0 12px 8px}\n"
    "details.env>summary{cursor:pointer;padding:8px 0;font-size:17px;"
    "font-weight:600}\n"
    "details.env>summary .counts{font-size:13px;font-weight:400;"
    "color:#59636e;margin-left:12px}\n"
    "details.obj{border:1px solid #d0d7de;border-radius:6px;margin:8px 0}\n"
    "details.obj>summary{cursor:pointer;padding:6px 10px;"
    "background:#f6f8fa;border-radius:6px}\n"
    ".change{display:inline-block;min-width:64px;font-weight:600}\n"
    ".added{color:#1a7f37}.removed{color:#cf222e}.changed{color:#9a6700}\n"
    ".tag{font-size:12px;border:1px solid #d0d7de;border-radius:10px;"
    "padding:0 6px;margin-left:6px;color:#59636e}\n"
    "table.sbs{border-collapse:collapse;width:100%;table-layout:fixed}\n"
    "table.sbs col.ln{width:52px}\n"
    "table.sbs th{font-weight:600;text-align:left;padding:4px 8px;"
    "border-bottom:1px solid #d0d7de}\n"
    "table.sbs td{padding:0 8px;white-space:pre-wrap;"
    "overflow-wrap:anywhere;vertical-align:top}\n"
    "table.sbs td.ln{color:#59636e;text-align:right;user-select:none}\n"
    "td.del{background:#ffebe9}td.add{background:#dafbe1}"
    "td.none{background:#f6f8fa}\n"
    "tr.hunk td{background:#ddf4ff;color:#59636e}\n"
    "p.replaced{font-style:italic;margin:8px 10px}\n"
    "footer{margin-top:24px;color:#59636e;font-size:12px}\n";

static void head(struct page *p, const struct rg_mdreport *r)
{
	puts_(p, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		 "<meta charset=\"utf-8\">\n"
		 "<meta http-equiv=\"Content-Security-Policy\" "
		 "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
		 "<meta name=\"viewport\" content=\"width=device-width, "
		 "initial-scale=1\">\n"
		 "<meta name=\"generator\" content=\"rendergate\">\n"
		 "<title>rendergate: ");
	escs(p, r->title ? r->title : "rendered diff");
	puts_(p, "</title>\n<style>\n");
	puts_(p, style);
	puts_(p, "</style>\n</head>\n<body>\n");
}

static bool is_rejection(const char *verdict)
{
	return verdict && strstr(verdict, "rejected");
}

static void header(struct page *p, const struct rg_mdreport *r)
{
	size_t i;

	puts_(p, "<header>\n<h1>rendergate: ");
	escs(p, r->title ? r->title : "rendered diff");
	puts_(p, "</h1>\n<p>");
	if (r->verdict) {
		putf(p, "<span class=\"verdict %s\">",
		     is_rejection(r->verdict) ? "rejected" : "accepted");
		escs(p, r->verdict);
		puts_(p, "</span>");
	}
	if (r->head_sha) {
		puts_(p, r->verdict ? " · head <code>" : "head <code>");
		/* a commit id: hex only */
		for (i = 0; r->head_sha[i] && i < 12; i++)
			if (strchr("0123456789abcdef", r->head_sha[i]))
				put(p, r->head_sha + i, 1);
		puts_(p, "</code>");
	}
	if (r->target) {
		puts_(p, " into <code>");
		escs(p, r->target);
		puts_(p, "</code>");
	}
	puts_(p, "</p>\n</header>\n");
}

/* A <ul> of the lines v[0..n), nothing when n is 0. */
static void items(struct page *p, const char *ul_class, const char *li_attr,
		  const char *const *v, size_t n)
{
	size_t i;

	if (!n)
		return;
	putf(p, "<ul class=\"%s\">\n", ul_class);
	for (i = 0; i < n; i++) {
		putf(p, "<li%s>", li_attr);
		escs(p, v[i]);
		puts_(p, "</li>\n");
	}
	puts_(p, "</ul>\n");
}

static const char *env_name(const struct rg_mdreport_env *e)
{
	return e->name ? e->name : "(environment)";
}

/* Findings of every environment, render failures, then the notes. */
static void findings(struct page *p, const struct rg_mdreport *r)
{
	size_t i, j, n = 0;

	for (i = 0; i < r->nenvs; i++)
		n += r->envs[i].nfinding_lines + (r->envs[i].error != NULL);
	putf(p, "<section id=\"findings\">\n<h2>Findings (%zu)</h2>\n", n);
	if (!n)
		puts_(p, "<p>No findings.</p>\n");
	else
		puts_(p, "<ul>\n");
	for (i = 0; i < r->nenvs; i++) {
		const struct rg_mdreport_env *e = &r->envs[i];

		if (e->error) {
			puts_(p, "<li class=\"finding error\"><span "
				 "class=\"env\">");
			escs(p, env_name(e));
			puts_(p, "</span>: could not render: ");
			escs(p, e->error);
			puts_(p, "</li>\n");
		}
		for (j = 0; j < e->nfinding_lines; j++) {
			puts_(p, "<li class=\"finding\"><span class=\"env\">");
			escs(p, env_name(e));
			puts_(p, "</span>: ");
			escs(p, e->finding_lines[j]);
			puts_(p, "</li>\n");
		}
	}
	if (n)
		puts_(p, "</ul>\n");
	if (r->nnotes) {
		puts_(p, "<h2>Notes</h2>\n");
		items(p, "notes", "", r->notes, r->nnotes);
	}
	puts_(p, "</section>\n");
}

static void summary(struct page *p, const struct rg_mdreport *r)
{
	size_t i;

	puts_(p, "<section id=\"summary\">\n<h2>Summary</h2>\n");
	if (!r->nenvs) {
		puts_(p, "<p>No environment is affected by this "
			 "change.</p>\n</section>\n");
		return;
	}
	puts_(p, "<table class=\"summary\">\n<thead><tr><th>Environment</th>"
		 "<th>Added</th><th>Removed</th><th>Changed</th>"
		 "<th>Images changed</th><th>Findings</th></tr></thead>\n"
		 "<tbody>\n");
	for (i = 0; i < r->nenvs; i++) {
		const struct rg_mdreport_env *e = &r->envs[i];

		putf(p, "<tr><td><a href=\"#env-%zu\">", i + 1);
		escs(p, env_name(e));
		puts_(p, "</a>");
		if (e->error)
			puts_(p, " (not rendered)");
		putf(p,
		     "</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td>"
		     "<td class=\"n\">%zu</td><td class=\"n\">%zu</td>"
		     "<td class=\"n\">%zu</td></tr>\n",
		     e->added, e->removed, e->changed, e->images_changed,
		     e->findings);
	}
	puts_(p, "</tbody>\n</table>\n</section>\n");
}

/* --- side by side ---------------------------------------------------- */

/* One line of a unified diff: [s, s+n) without its newline. */
struct line {
	const char *s;
	size_t n;
};

static void cell(struct page *p, const char *cls, unsigned long no,
		 const struct line *l)
{
	if (!l) {
		puts_(p, "<td class=\"ln\"></td><td class=\"none\"></td>");
		return;
	}
	putf(p, "<td class=\"ln\">%lu</td><td class=\"%s\">", no, cls);
	/* the text after the one-column '+', '-' or ' ' prefix */
	if (l->n > 1)
		esc(p, l->s + 1, l->n - 1);
	puts_(p, "</td>");
}

/*
 * The pending change block: removed lines paired with the added lines
 * after them, row by row; the longer side runs on with blank cells.
 */
struct block {
	const char *del, *add; /* first line of each run, or NULL */
	size_t ndel, nadd;
	unsigned long oldno, newno; /* line numbers of the next rows */
};

static const char *next_line(const char *s, const char *end, struct line *l)
{
	const char *nl = memchr(s, '\n', (size_t)(end - s));

	l->s = s;
	l->n = nl ? (size_t)(nl - s) : (size_t)(end - s);
	return nl ? nl + 1 : end;
}

static void flush(struct page *p, struct block *bl, const char *end)
{
	const char *d = bl->del, *a = bl->add;
	size_t i, rows = bl->ndel > bl->nadd ? bl->ndel : bl->nadd;

	for (i = 0; i < rows; i++) {
		struct line ld, la;

		puts_(p, "<tr>");
		if (i < bl->ndel) {
			d = next_line(d, end, &ld);
			cell(p, "del", bl->oldno++, &ld);
		} else {
			cell(p, NULL, 0, NULL);
		}
		if (i < bl->nadd) {
			a = next_line(a, end, &la);
			cell(p, "add", bl->newno++, &la);
		} else {
			cell(p, NULL, 0, NULL);
		}
		puts_(p, "</tr>\n");
	}
	bl->del = bl->add = NULL;
	bl->ndel = bl->nadd = 0;
}

/* "@@ -17,7 +17,8 @@": the first old and new line numbers. */
static void hunk_start(const struct line *l, unsigned long *oldno,
		       unsigned long *newno)
{
	const char *s = l->s, *end = l->s + l->n;
	unsigned long v[2] = {0, 0};
	int k = 0;

	for (; s < end && k < 2; s++) {
		if (*s != '-' && *s != '+')
			continue;
		for (s++; s < end && *s >= '0' && *s <= '9'; s++)
			if (v[k] < 100000000ul)
				v[k] = v[k] * 10 + (unsigned long)(*s - '0');
		k++;
	}
	/* "-0,0" (an added object): the first line is still line 1 */
	*oldno = v[0] ? v[0] : 1;
	*newno = v[1] ? v[1] : 1;
}

static void side_by_side(struct page *p, const char *diff, size_t len)
{
	const char *s = diff, *end = diff + len, *at;
	struct block bl = {NULL, NULL, 0, 0, 1, 1};
	bool in_hunk = false;

	puts_(p, "<table class=\"sbs\"><colgroup><col class=\"ln\"><col>"
		 "<col class=\"ln\"><col></colgroup>\n"
		 "<thead><tr><th colspan=\"2\">before</th>"
		 "<th colspan=\"2\">after</th></tr></thead>\n<tbody>\n");
	while (s < end) {
		struct line l;

		at = s;
		s = next_line(s, end, &l);
		if (!in_hunk && l.n >= 4 &&
		    (!strncmp(l.s, "--- ", 4) || !strncmp(l.s, "+++ ", 4)))
			continue; /* headers: the summary names the object */
		if (l.n >= 2 && !strncmp(l.s, "@@", 2)) {
			flush(p, &bl, end);
			hunk_start(&l, &bl.oldno, &bl.newno);
			in_hunk = true;
			puts_(p, "<tr class=\"hunk\"><td colspan=\"4\">");
			esc(p, l.s, l.n);
			puts_(p, "</td></tr>\n");
		} else if (l.n && l.s[0] == '-') {
			if (bl.nadd) /* a removal after additions: new block */
				flush(p, &bl, end);
			if (!bl.ndel++)
				bl.del = at;
		} else if (l.n && l.s[0] == '+') {
			if (!bl.nadd++)
				bl.add = at;
		} else if (l.n && l.s[0] == '\\') {
			flush(p, &bl, end);
			puts_(p, "<tr class=\"hunk\"><td colspan=\"4\">");
			esc(p, l.s, l.n);
			puts_(p, "</td></tr>\n");
		} else {
			flush(p, &bl, end);
			puts_(p, "<tr>");
			cell(p, "ctx", bl.oldno++, &l);
			cell(p, "ctx", bl.newno++, &l);
			puts_(p, "</tr>\n");
		}
	}
	flush(p, &bl, end);
	puts_(p, "</tbody></table>\n");
}

static void object(struct page *p, const struct rg_mdreport_object *o,
		   size_t env, size_t k)
{
	const char *change = o->change ? o->change : "changed";
	const char *cls = !strcmp(change, "added")     ? "added"
			  : !strcmp(change, "removed") ? "removed"
						       : "changed";

	putf(p,
	     "<details class=\"obj\" id=\"env-%zu-obj-%zu\" open><summary>"
	     "<span class=\"change %s\">",
	     env, k, cls);
	escs(p, change);
	puts_(p, "</span> <span class=\"label\">");
	escs(p, o->label ? o->label : "(unnamed object)");
	puts_(p, "</span>");
	if (o->masked)
		puts_(p, "<span class=\"tag\">values masked</span>");
	if (o->replaced)
		puts_(p,
		      "<span class=\"tag\">too large for a line diff</span>");
	puts_(p, "</summary>\n");
	if (o->replaced || !o->diff || !o->diff_len) {
		/* a one-line summary, not hunks */
		puts_(p, "<p class=\"replaced\">");
		if (o->diff && o->diff_len)
			esc(p, o->diff, o->diff_len);
		else
			puts_(p, "No line changes.");
		puts_(p, "</p>\n");
	} else {
		side_by_side(p, o->diff, o->diff_len);
	}
	puts_(p, "</details>\n");
}

static void environment(struct page *p, const struct rg_mdreport_env *e,
			size_t idx)
{
	size_t i;

	putf(p, "<details class=\"env\" id=\"env-%zu\" open><summary>", idx);
	escs(p, env_name(e));
	putf(p,
	     "<span class=\"counts\">%zu added · %zu removed · %zu changed · "
	     "%zu %s changed · %zu %s</span></summary>\n",
	     e->added, e->removed, e->changed, e->images_changed,
	     e->images_changed == 1 ? "image" : "images", e->findings,
	     e->findings == 1 ? "finding" : "findings");
	if (e->error) {
		puts_(p, "<p class=\"error\">Could not render: ");
		escs(p, e->error);
		puts_(p, "</p>\n");
	}
	items(p, "notes", "", e->notes, e->nnotes);
	if (e->nfinding_lines) {
		puts_(p, "<p><strong>Findings</strong></p>\n");
		items(p, "findings", " class=\"finding\"", e->finding_lines,
		      e->nfinding_lines);
	}
	if (!e->nobjects && !e->error)
		puts_(p, "<p>No rendered object changes.</p>\n");
	for (i = 0; i < e->nobjects; i++)
		object(p, &e->objects[i], idx, i + 1);
	puts_(p, "</details>\n");
}

int rg_htmlreport_render(const char **out, size_t *len,
			 const struct rg_mdreport *r, size_t cap,
			 struct rg_arena *a, struct rg_err *err)
{
	struct page p = {RG_BUF_INIT(cap ? cap : RG_CAP_REPORT_HTML_BYTES),
			 false};
	size_t i;
	int ret = 0;

	*out = NULL;
	head(&p, r);
	header(&p, r);
	findings(&p, r);
	summary(&p, r);
	for (i = 0; i < r->nenvs && !p.over; i++)
		environment(&p, &r->envs[i], i + 1);
	puts_(&p, "<footer>Generated by rendergate. Secret values are never "
		  "shown: changed keys appear with byte counts, and "
		  "credential-looking keys are masked.</footer>\n"
		  "</body>\n</html>\n");
	if (p.over) {
		ret = rg_err_set(err, RG_ELIMIT, NULL,
				 "html report: larger than %zu bytes "
				 "(RG_CAP_REPORT_HTML_BYTES)",
				 p.b.cap);
		goto out;
	}
	*out = rg_arena_strndup(a, p.b.ptr, p.b.len);
	if (len)
		*len = p.b.len;
out:
	rg_buf_release(&p.b);
	return ret;
}
