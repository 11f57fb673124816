/*
 * diff.h - the semantic diff between two renders of one environment.
 *
 * Objects of the old and the new objset are paired by identity key
 * (objects.h); each pair, or lone object, becomes one struct rg_diff_obj:
 * added, removed, changed or unchanged (rg_node_equal). For a changed
 * object the diff lists the field paths that differ and a unified diff of
 * the two objects' YAML (rg_doc_emit, keys sorted). Added and removed
 * objects get a unified diff too (every line "+" or "-"), so a report can
 * show a new object whole.
 *
 * Field paths: mapping keys joined by '.', list indexes in brackets, and
 * keys that are not plain words ([A-Za-z0-9_-]+) quoted in brackets:
 *
 *   spec.template.spec.containers[0].image
 *   metadata.annotations["example.com/owner"]
 *
 * Lists are compared by position (list order is meaningful in
 * Kubernetes); a list that grew lists the new indexes as added. At most
 * RG_CAP_DIFF_FIELDS paths are kept per object; the rest are counted in
 * fields_dropped.
 *
 * Unified diffs: "--- a/<key>" / "+++ b/<key>" headers ("/dev/null" for a
 * missing side), "@@ -l,n +l,n @@" hunks with 3 lines of context, as GNU
 * diff -u writes them. The line diff is Myers' O(ND) algorithm; when the
 * object is over RG_CAP_DIFF_LINES lines, the edit distance over
 * RG_CAP_DIFF_EDITS, or the text over RG_CAP_DIFF_OBJECT_BYTES, no hunks
 * are made and the object is marked `replaced`, its unified text being a
 * one-line summary ("object replaced: 20000 lines -> 20001 lines (too
 * large to diff line by line)"; "object added: N lines (too large to
 * show)" and "object removed: ..." when one side is missing). This keeps the
 * diff linear in practice and never quadratic in memory.
 *
 * Secrets: for a core-group `kind: Secret`, values are never exposed.
 * Changed keys under data and stringData appear as field paths with a
 * note giving byte counts only ("data.password: changed (12 bytes -> 16
 * bytes)"; base64 data counts decoded bytes), and the unified diff is made
 * from copies whose data/stringData values are replaced by placeholders:
 * "<secret: 12 bytes>" for a value that did not change (a context line),
 * "<secret: 12 bytes, old value>" and "<secret: 16 bytes, new value>" for
 * one that did (so the line shows as changed even at equal length).
 * The kubectl.kubernetes.io/last-applied-configuration annotation of a
 * Secret is masked too. ConfigMap data keys that look like credentials
 * (containing password, passwd, secret, token, apikey, api_key,
 * credential or private, case-insensitively) get the same treatment, as
 * does the value of an `env` list entry whose name looks like one
 * ({name: DB_PASSWORD, value: ...} in any object, e.g. a pod template).
 * `masked` tells a report that values were left out.
 *
 * Noise rules (on by default, always disclosed): changes that every chart
 * upgrade or config edit produces and that hide the real change. The
 * field still appears in `fields` (with its rule), the object still
 * counts as changed, but its lines are left out of the unified diff and
 * counted in `hidden` ("14 changed lines hidden by rule
 * helm-chart-label"):
 *
 *   helm-chart-label     labels helm.sh/chart and chart (in any metadata)
 *   app-version-label    label app.kubernetes.io/version
 *   checksum-annotation  annotations checksum/... (config checksums)
 *
 * Values marked RG_NODE_VOLATILE (random or time-based template
 * functions, doc.h) on both sides compare as present, so they never make
 * an object changed; lines they would change are hidden under the rule
 * "volatile".
 *
 * Everything is allocated in the arena given to rg_diff_objsets.
 */
#ifndef RENDERGATE_DIFF_H
#define RENDERGATE_DIFF_H

#include "rendergate/compat.h"
#include "rendergate/err.h"

struct rg_arena;
struct rg_obj;
struct rg_objset;

enum rg_diff_status {
	RG_DIFF_UNCHANGED = 0,
	RG_DIFF_ADDED,
	RG_DIFF_REMOVED,
	RG_DIFF_CHANGED,
};

/* One field that differs. */
struct rg_diff_field {
	const char *path; /* see above; "" for the whole object */
	uint8_t change;	  /* RG_DIFF_ADDED, RG_DIFF_REMOVED or
			     RG_DIFF_CHANGED */
	const char *note; /* NULL, or for masked values the text after
			     the path: "changed (12 bytes -> 16 bytes)",
			     "added (5 bytes)", "removed (5 bytes)" */
	const char *rule; /* the noise rule hiding it from the unified
			     diff, or NULL */
};

/* Changes a noise rule left out of one object's unified diff. */
struct rg_diff_hidden {
	const char *rule; /* "helm-chart-label", "volatile", ... */
	size_t fields;	  /* changed fields it covers */
	size_t lines;	  /* '+' and '-' lines it removed */
};

struct rg_diff_obj {
	uint8_t status;		      /* enum rg_diff_status */
	const char *key;	      /* identity key (objects.h) */
	const char *label;	      /* "Deployment prod/web" */
	const struct rg_obj *old;     /* NULL when added */
	const struct rg_obj *new;     /* NULL when removed */
	bool masked;		      /* values were masked (Secret, credential-
					 looking ConfigMap keys) */
	struct rg_diff_field *fields; /* changed objects only */
	size_t nfields;
	size_t fields_dropped; /* over RG_CAP_DIFF_FIELDS */
	/*
	 * The unified diff (NUL-terminated, ends with '\n'), or for
	 * unchanged objects "". When `replaced` is true it holds only the
	 * summary line.
	 */
	const char *unified;
	size_t unified_len;
	bool replaced;
	size_t old_lines, new_lines;	   /* YAML lines of each side */
	size_t lines_added, lines_removed; /* '+' and '-' lines (for a
					      replaced object: all of them) */
	struct rg_diff_hidden *hidden;	   /* disclosed noise, one per rule */
	size_t nhidden;
	bool noise_only; /* changed, but only in fields hidden by noise
			    rules: a report may fold it away (disclosed) */
};

struct rg_diff {
	const char *env;	  /* may be NULL */
	struct rg_diff_obj *objs; /* sorted by key; all objects, including
				     unchanged ones */
	size_t len;
	size_t nadded, nremoved, nchanged, nunchanged;
};

/*
 * Diff two renders. old or new may be NULL (an environment that did not
 * exist before, or no longer exists): every object is then added or
 * removed. The objsets are not modified. Errors: RG_ELIMIT when an
 * object's YAML is over RG_CAP_YAML_EMIT_BYTES. When an objset holds an
 * identity twice (a duplicate-identity finding), the first one is used.
 */
int rg_diff_objsets(struct rg_diff **out, const struct rg_objset *old,
		    const struct rg_objset *new, const char *env,
		    struct rg_arena *a, struct rg_err *err);

enum rg_diff_flags {
	/* show every change in the unified diff (no noise rules) */
	RG_DIFF_NO_NOISE_RULES = 1 << 0,
};

/* rg_diff_objsets with flags (enum rg_diff_flags). */
int rg_diff_objsets_flags(struct rg_diff **out, const struct rg_objset *old,
			  const struct rg_objset *new, const char *env,
			  unsigned flags, struct rg_arena *a,
			  struct rg_err *err);

/* True if the diff has any added, removed or changed object. */
bool rg_diff_has_changes(const struct rg_diff *d);

/*
 * The line diff on its own: a unified diff of the texts a and b, with
 * header labels la and lb (NULL: "/dev/null"). *out is an arena string
 * ("" when the texts are equal); *replaced is set when a cap was hit and
 * *out holds the summary line instead of hunks. *added and *removed (may
 * be NULL) count the '+' and '-' lines. A text that does not end in '\n' is
 * treated as if it did.
 */
int rg_diff_text(const char **out, size_t *outlen, bool *replaced,
		 size_t *added, size_t *removed, const char *a, size_t alen,
		 const char *b, size_t blen, const char *la, const char *lb,
		 struct rg_arena *arena, struct rg_err *err);

/* "added", "removed", "changed", "unchanged" */
const char *rg_diff_status_name(enum rg_diff_status s);

#endif
