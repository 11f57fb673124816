/*
 * helm.h - Helm charts rendered the way `helm template` (Helm 3.10.1) does.
 *
 * A chart is read through a tree view (tree.h): a chart directory in a
 * Git tree, a directory on disk, or an in-memory tree. Loading follows
 * Helm's loader: Chart.yaml (apiVersion v1 or v2; v1 dependencies from
 * requirements.yaml), values.yaml, templates/, charts/<dir> subcharts,
 * .helmignore (plus Helm's built-in `templates/.?*` rule), and every
 * other file (crds/ included) as .Files. Names in charts/ starting with
 * '_' or '.' are skipped. A packaged subchart charts/x.tgz is read with
 * the bounded archive reader (tgz.h: caps, no traversal, no links);
 * archives nested in archives share one RG_CAP_TGZ_BYTES budget and at
 * most RG_CAP_TGZ_NESTING levels. As in Helm, archives are not filtered
 * by .helmignore (helm package applied it). Errors inside one are
 * prefixed "error unpacking x.tgz in PARENT: " as Helm words them.
 *
 * Rendering follows `helm template` (render.md section 1):
 *   1. user values: values files in order (maps merge, the rest replaces),
 *      then --set / --set-string (strvals typing: integers are int64);
 *   2. dependencies: aliases, tags, conditions (first path that is a bool
 *      wins), disabled subtrees removed, import-values (parent wins);
 *   3. coalescing with chart defaults: user values win, maps merge, null
 *      deletes a default, `global` copied down into every subchart;
 *   4. one template set for the root chart and all enabled subcharts,
 *      parsed and executed deepest path first, then reverse lexical order
 *      (so the root's defines win); `_` files never executed; library
 *      charts contribute only `_` files; NOTES.txt rendered then dropped;
 *   5. each file split on Helm's `(?:^|\s*\n)---\s*`, empty pieces dropped,
 *      each piece's head read (apiVersion, kind, metadata.name and
 *      annotations); hooks (helm.sh/hook) separated, unknown hook events
 *      dropped, test hooks dropped with skip_tests, all hooks with
 *      no_hooks;
 *   6. files sorted by path, then a stable sort by kind in Helm's
 *      InstallOrder (unknown kinds last, by kind name).
 *
 * values.schema.json: after coalescing, the values of the root chart and
 * of every enabled subchart (its part of the coalesced values) are
 * validated against that chart's schema (jsonschema.h). Violations fail
 * the render with Helm's message: "values don't meet the specifications
 * of the schema(s) in the following chart(s):\nNAME:\n- field: msg\n..."
 * (RG_EINVALID; the message may span lines, cut at RG_ERR_MSG_MAX).
 *
 * Built-in objects: .Values, .Release (Name, Namespace, IsInstall,
 * IsUpgrade, Revision 1, Service "Helm"), .Chart (the Chart.yaml metadata
 * with Go field names and zero values, plus IsRoot), .Capabilities
 * (KubeVersion{Version,Major,Minor,GitVersion}, APIVersions with .Has,
 * HelmVersion), .Template {Name, BasePath}, .Files (Get, GetBytes, Glob,
 * Lines, AsConfig, AsSecrets), .Subcharts.
 *
 * Everything is allocated in the arena passed in; nothing to free.
 */
#ifndef RENDERGATE_HELM_H
#define RENDERGATE_HELM_H

#include "rendergate/compat.h"
#include "rendergate/err.h"

struct rg_arena;
struct rg_buf;
struct rg_node;
struct rg_tree;
struct rg_objset;
struct rg_findings;
struct rg_render_req;
struct rg_tmpl_memo;

/*
 * A Chart.yaml scalar as sigs.k8s.io/yaml puts it into a Go string field:
 * strings as they are, ints in decimal, bools "true"/"false", floats as
 * strconv.FormatFloat(f, 'g', -1, 32) (so `appVersion: 1.10` is "1.1"),
 * anything else (or NULL) "". Arena-owned.
 */
const char *rg_helm_meta_string(struct rg_arena *a, const struct rg_node *n);

/* A file of a chart: path relative to the chart root, content. */
struct rg_helm_file {
	const char *name;
	const char *data;
	size_t len;
};

/* A loaded chart (and, recursively, its subcharts). */
struct rg_helm_chart {
	const char *dir;	     /* tree path it was loaded from */
	struct rg_node *meta;	     /* Chart.yaml as parsed (go-yaml v2) */
	const char *name;	     /* metadata name (or alias once aliased) */
	const char *version;	     /* metadata version */
	bool library;		     /* type: library */
	struct rg_node *values;	     /* values.yaml (numbers as float64) */
	const char *schema;	     /* values.schema.json text, or NULL */
	size_t schema_len;
	struct rg_node *deps;	     /* dependencies list (v2 Chart.yaml or
					v1 requirements.yaml), or NULL */
	struct rg_helm_file *templates; /* templates/..., name with prefix */
	size_t ntemplates;
	struct rg_helm_file *files; /* everything else (.Files) */
	size_t nfiles;
	struct rg_helm_chart **charts; /* subcharts, in charts/ order */
	size_t ncharts;
	struct rg_helm_chart *parent;
};

/*
 * Load the chart at dir (tree path; "" for the root) and its subcharts.
 * Errors: RG_ENOTFOUND (no Chart.yaml), RG_EPARSE (malformed Chart.yaml
 * or values.yaml, with file:line:col), RG_EINVALID (no name or version,
 * bad type), RG_ELIMIT, the archive reader's errors for charts/x.tgz
 * (tgz.h), and the tree's read errors (RG_EUNSAFE for symlinks ...).
 */
int rg_helm_load(struct rg_helm_chart **out, struct rg_tree *tree,
		 const char *dir, struct rg_arena *a, struct rg_err *err);

/*
 * Load a packaged chart (what `helm package` writes) from data[0..len):
 * the archive's top directory is stripped and the rest loaded as a chart
 * directory would be. label names the archive in messages and is the
 * chart's dir. Errors: those of rg_tgz_read and rg_helm_load.
 */
int rg_helm_load_archive(struct rg_helm_chart **out, const char *label,
			 const char *data, size_t len, struct rg_arena *a,
			 struct rg_err *err);

struct rg_helm_opts {
	const char *release_name; /* default "release-name" */
	const char *namespace;	  /* default "default" */
	const char *kube_version; /* e.g. "1.31.0" or "v1.29"; default
				     v1.25.0 (what Helm 3.10.1 reports) */
	const char *const *api_versions; /* extra APIVersions entries */
	size_t napi_versions;
	bool include_crds;
	bool skip_tests;
	bool no_hooks;
	bool is_upgrade;
	/* user values (already merged from files and --set), or NULL */
	struct rg_node *values;
	/* parse templates through this memo (tmpl.h), or NULL */
	struct rg_tmpl_memo *tmpl_memo;
	/*
	 * The caller needs only the text, kind and hook flag of each
	 * manifest (rendergate template): each is parsed in a scratch
	 * arena, reused for the next, and rg_helm_manifest.doc is NULL.
	 */
	bool heads_only;
};

/* One rendered document. */
struct rg_helm_manifest {
	const char *source; /* "# Source:" path, e.g. "app/templates/x.yaml" */
	const char *text;   /* the document, trimmed */
	const char *kind;   /* from its head ("" when it has none) */
	bool hook;	    /* a Helm hook (printed after the manifests) */
	bool crd;	    /* from crds/ (with include_crds) */
	/* the text parsed (in the render's arena), or NULL (crds/ files,
	 * heads_only) */
	struct rg_node *doc;
};

struct rg_helm_result {
	struct rg_helm_manifest *items; /* CRDs, manifests, then hooks */
	size_t len;
};

/*
 * Render chart as `helm template` would. The chart is modified (aliases,
 * disabled dependencies, import-values): load it again for another
 * render. Errors carry Helm's wording where Helm has one:
 * "template: x/templates/a.yaml:3:4: executing ...", "execution error at
 * (x/templates/a.yaml:3:4): msg" for required/fail, "YAML parse error on
 * x/templates/a.yaml: ...", RG_ELIMIT for template caps.
 */
int rg_helm_render(struct rg_helm_result *out, struct rg_helm_chart *chart,
		   const struct rg_helm_opts *opts, struct rg_arena *a,
		   struct rg_err *err);

/* Write result as `helm template` prints it ("---\n# Source: ...\n"). */
int rg_helm_print(struct rg_buf *out, const struct rg_helm_result *res);

/*
 * Merge src into dst the way Helm merges values files (pkg/cli/values
 * mergeMaps): maps merge recursively, anything else in src replaces.
 * Both must be maps; dst is modified.
 */
void rg_helm_merge_values(struct rg_arena *a, struct rg_node *dst,
			  const struct rg_node *src);

/*
 * Apply one --set (as_string false) or --set-string (true) argument,
 * "a.b=1,c[0].d=x", to values (a map), with Helm's strvals typing.
 * RG_EINVALID with a message naming the argument on syntax errors.
 */
int rg_helm_set(struct rg_arena *a, struct rg_node *values, const char *arg,
		bool as_string, struct rg_err *err);

/*
 * The chart cache: charts that are not in the repository, kept in a
 * directory the server config names (chart_cache_dir), filled by
 * `rendergate chart-cache add` and only read by the hook. Layout:
 *
 *   CACHE/<repo key>/<name>/<version>.tgz   a packaged chart, or
 *   CACHE/<repo key>/<name>/<version>/      an unpacked chart directory
 *
 * where <repo key> is the repository URL without trailing '/', every
 * byte outside [A-Za-z0-9._~-] written as %XX (upper-case hex):
 * "https://charts.example.com/stable" is
 * "https%3A%2F%2Fcharts.example.com%2Fstable"; "oci://r.io/charts" is
 * "oci%3A%2F%2Fr.io%2Fcharts". <name> and <version> are the chart's own
 * (Chart.yaml name and version).
 */

/* The <repo key> of url (arena-owned). */
const char *rg_helm_cache_key(struct rg_arena *a, const char *url);

/*
 * Load chart name from repository url out of the cache tree (a view of
 * CACHE). version is an exact version, a semver constraint ("^1.2",
 * ">=2.0 <3") or NULL/"" (the highest version cached), as Helm picks the
 * highest version satisfying it; an exact <version>.tgz or <version>/
 * is used without listing. The loaded chart's name and version must be
 * the ones asked for (RG_EINVALID otherwise). A chart that is not there
 * (or cache NULL: no chart cache configured) is RG_ENOTFOUND:
 * "unrenderable: chart NAME VERSION from URL is not in the chart cache;
 * add it with: rendergate chart-cache add URL NAME VERSION FILE.tgz".
 */
int rg_helm_cache_load(struct rg_helm_chart **out, struct rg_tree *cache,
		       const char *url, const char *name, const char *version,
		       struct rg_arena *a, struct rg_err *err);

/*
 * The renderer for environments (env.h): renders req->path (a chart
 * directory) as release req->release (name, namespace, values files read
 * through the tree, `set` overrides) and adds every manifest and non-test
 * hook as an object. A release whose chart comes from a chart repository
 * (req->path NULL, release->repo set) is loaded from the chart cache
 * req->repo->chart_cache (rg_helm_cache_load; hooks/ opens it from the
 * server config), its values files still read from the repository.
 */
int rg_helm_render_env(struct rg_objset *out, struct rg_findings *findings,
		       const struct rg_render_req *req, struct rg_err *err);

/*
 * The chart memo of one run: charts loaded once and shared by every
 * release that renders them, and (rg_helm_memo_templates) the parse memo
 * their templates go through. A chart is remembered by its directory and
 * the tree id there (so only trees with ids, Git trees and in-memory
 * ones, are memoized); rg_helm_load_memo hands out an instance that the
 * render may modify, replays the dependency log the load recorded into
 * the tree and charges its bytes read, so the tree's log and read budget
 * end up exactly as after rg_helm_load. Everything lives in the arena
 * given to rg_helm_memo_new (file contents are copied there); once it
 * holds RG_CAP_HELM_MEMO_BYTES of charts, further charts are loaded
 * without being kept.
 */
struct rg_helm_memo;

struct rg_helm_memo_stats {
	size_t hits, misses, dropped;
};

struct rg_helm_memo *rg_helm_memo_new(struct rg_arena *a);

/* The memo's template parse memo (NULL for m NULL). */
struct rg_tmpl_memo *rg_helm_memo_templates(struct rg_helm_memo *m);

/*
 * rg_helm_load through memo m (NULL, or a tree that is not recording or
 * has no id at dir: rg_helm_load). The chart returned lives in a; it
 * shares the remembered chart's values, templates and files, which
 * rendering only reads. Errors are those of rg_helm_load and are never
 * remembered.
 */
int rg_helm_load_memo(struct rg_helm_chart **out, struct rg_helm_memo *m,
		      struct rg_tree *tree, const char *dir,
		      struct rg_arena *a, struct rg_err *err);

void rg_helm_memo_stats(struct rg_helm_memo_stats *out,
			const struct rg_helm_memo *m);

#endif
