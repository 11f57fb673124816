/*
 * htmlreport.h - the full report as one self-contained HTML page.
 *
 * The merge request comment (mdreport.h) is cut to the forge's limit;
 * this page never is. It is what the drainer uploads and links from a cut
 * comment, and what `rendergate diff --format html` prints. Both render
 * the same struct rg_mdreport the comment is made from, so the page shows
 * exactly the objects, notes and findings of the comment, with the same
 * masking: the object diffs are the semantic diff's unified text
 * (diff.h), in which Secret values and credential-looking ConfigMap keys
 * and env values are already replaced by placeholders; nothing here sees
 * a value the comment would not show.
 *
 * Layout, top to bottom:
 *
 *   header     title, verdict, head commit and target
 *   findings   every finding line of every environment (prefixed with the
 *              environment), environments that could not be rendered,
 *              then the report's notes; "No findings." when there is none
 *   summary    one table row per environment: added, removed, changed,
 *              images changed, findings, linking to its section
 *   per environment a <details open> section (collapsible without
 *              script): its notes and findings, then per object a
 *              <details open> with the change, the label, "values masked"
 *              or "too large for a line diff" tags, and a side-by-side
 *              table: before (old line number, text) | after (new line
 *              number, text), removed lines paired with the added lines
 *              that follow them, hunk headers as full-width rows
 *
 * Self-contained: inline CSS only, no script, no external reference of
 * any kind (no link, img, font or URL), and a Content-Security-Policy of
 * default-src 'none' (inline style allowed) so that a browser would
 * refuse one even if it slipped in. Every piece of text from the input is
 * HTML-escaped (& < > " ' as entities); control bytes and invalid UTF-8
 * become U+FFFD, so the page is valid UTF-8 whatever the input. Element
 * ids are generated ("env-2", "env-2-obj-5"), never taken from names.
 * No timestamp: the same report gives the same bytes (the drainer names
 * the upload by its hash).
 */
#ifndef RENDERGATE_HTMLREPORT_H
#define RENDERGATE_HTMLREPORT_H

#include "rendergate/compat.h"
#include "rendergate/err.h"

struct rg_arena;
struct rg_mdreport;

/*
 * Render the page for r (r->limit, r->marker and r->summary_only are
 * ignored: every object is shown). *out is an arena string of *len bytes
 * (len may be NULL). cap bounds the page (0: RG_CAP_REPORT_HTML_BYTES);
 * a bigger page is RG_ELIMIT.
 */
int rg_htmlreport_render(const char **out, size_t *len,
			 const struct rg_mdreport *r, size_t cap,
			 struct rg_arena *a, struct rg_err *err);

#endif
