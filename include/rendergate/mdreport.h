/*
 * mdreport.h - the Markdown body of the merge request comment.
 *
 * Layout (always valid Markdown; HTML only for <details>):
 *
 *   <!-- rendergate:report -->            the hidden marker, first line
 *   ### rendergate: <title>
 *   **<verdict>** · head `abc1234` into `main`
 *
 *   - report notes (a conflict, problems not tied to an environment)
 *
 *   | Environment | Added | Removed | Changed | Images changed | Findings |
 *   ...one row per environment...
 *
 *   #### <environment>
 *   - disclosed noise rules and notes ("12 changed lines hidden by ...")
 *   **Findings** then one bullet per finding
 *   <details><summary>changed: Deployment prod/web</summary>
 *   ```diff  (a longer fence when the diff itself holds backticks)
 *   ...
 *   ```
 *   </details>
 *
 * Size: the body never exceeds `limit` bytes (a byte count is never less
 * than the character count the forges limit). The marker, the header and
 * the summary table always fit (else a short "too large" body is
 * written); object sections are added in order until the next would pass
 * the limit, then the rest are left out with a closing line saying how
 * many objects of which environments were cut and that `rendergate diff`
 * shows everything. Text from the input (names, findings, notes) is
 * escaped so it cannot break the table or open HTML.
 *
 * The full report: with link_reserve set, a cut body (and the "too large"
 * body) also holds the line RG_MDREPORT_FULL_REPORT right under the
 * summary table, and link_reserve bytes stay free for what replaces it:
 * rg_mdreport_link_full writes the link to the uploaded HTML page
 * (htmlreport.h) there, or says why there is none. Escaped input can
 * never contain "<!--", so the placeholder is always ours.
 *
 * Everything the caller passes is borrowed; the result is in the arena.
 */
#ifndef RENDERGATE_MDREPORT_H
#define RENDERGATE_MDREPORT_H

#include "rendergate/compat.h"
#include "rendergate/config.h"
#include "rendergate/err.h"

struct rg_arena;
struct rg_diff;

struct rg_mdreport_object {
	const char *label;  /* "Deployment prod/web" */
	const char *change; /* "added", "removed", "changed" */
	const char *diff;   /* unified diff text (may be NULL) */
	size_t diff_len;
	bool masked;   /* values were masked (Secret, credentials) */
	bool replaced; /* diff is a one-line summary, too large */
};

struct rg_mdreport_env {
	const char *name;
	size_t added, removed, changed, images_changed, findings;
	const char *error;	  /* could not render: the reason, or NULL */
	const char *const *notes; /* noise-rule disclosures etc. */
	size_t nnotes;
	const char *const *finding_lines; /* one line each */
	size_t nfinding_lines;
	const struct rg_mdreport_object *objects;
	size_t nobjects;
};

struct rg_mdreport {
	const char *marker;   /* NULL: RG_FORGE_MARKER_DEFAULT */
	const char *title;    /* NULL: "rendered diff" */
	const char *verdict;  /* e.g. "Push rejected"; NULL: none */
	const char *head_sha; /* optional */
	const char *target;   /* optional target branch */
	const struct rg_mdreport_env *envs;
	size_t nenvs;
	size_t limit; /* bytes; 0: RG_CAP_COMMENT_GITEA_CHARS */
	/* one-line remarks for the whole report, shown under the header;
	   with none and no environment, "No environment is affected" */
	const char *const *notes;
	size_t nnotes;
	/* the short form (the "merged" summary): the table, and per
	   environment only its error, notes and findings; no object diffs */
	bool summary_only;
	/* bytes kept free for the full-report link when the body is cut
	   (0: no placeholder); RG_MDREPORT_LINK_RESERVE for a forge */
	size_t link_reserve;
};

/* The hidden line a cut body holds where the full-report link goes. */
#define RG_MDREPORT_FULL_REPORT "<!-- rendergate:full-report -->"
/* Room for the line rg_mdreport_link_full writes (URL included). */
#define RG_MDREPORT_LINK_RESERVE 1024u
/* Longest URL rg_mdreport_link_full links to. */
#define RG_MDREPORT_LINK_URL_MAX 600u

/* The comment limit of a forge kind (GitLab 1,000,000; Gitea 65,000). */
size_t rg_mdreport_limit(enum rg_config_forge kind);

/*
 * Render the comment. *out is an arena string of *len bytes (len may be
 * NULL). RG_EINVALID for a limit under 1024 + link_reserve bytes.
 */
int rg_mdreport_render(const char **out, size_t *len,
		       const struct rg_mdreport *r, struct rg_arena *a,
		       struct rg_err *err);

/* True when body holds the full-report placeholder (it was cut). */
bool rg_mdreport_is_cut(const char *body);

/*
 * body with its placeholder replaced (an arena copy; body itself when it
 * has none): with url, a bold "Full report" line linking to it ("/..."
 * or http(s)://, at most RG_MDREPORT_LINK_URL_MAX bytes; characters that
 * could end a Markdown link are percent-encoded); without, or for a URL
 * that is not one of those, a line saying the full report could not be
 * attached because of `why` (a short phrase, escaped, cut to 300 bytes)
 * and that `rendergate diff --format html` shows it. The line is shorter
 * than RG_MDREPORT_LINK_RESERVE.
 */
const char *rg_mdreport_link_full(struct rg_arena *a, const char *body,
				  const char *url, const char *why);

/*
 * Fill an environment from a semantic diff (diff.h): counts, and one
 * object per added, removed or changed object in the diff's order. Images
 * changed counts changed fields ending in "containers[N].image" (also
 * initContainers, ephemeralContainers). Noise rules are disclosed in
 * notes, one per rule with the lines it hid summed over the objects
 * ("14 changed lines hidden by rule helm-chart-label"); objects changed
 * only in hidden fields are folded away and counted in one more note.
 * findings and error are left for the caller.
 */
void rg_mdreport_env_from_diff(struct rg_mdreport_env *out,
			       const struct rg_diff *d, struct rg_arena *a);

#endif
