/*
 * helmexec.h - `engine: helm`: chart releases rendered by a real helm
 * binary, for charts the built-in engine (helm.h) cannot render yet.
 *
 * render/ stays pure: it reads the release's inputs through the tree
 * view, describes the helm run as a job (the files of a private work
 * directory and helm's arguments) and hands the job to a runner that
 * hooks/ registers in the repository config (rg_config_repo.helm_exec,
 * the way the chart cache is plugged in). hooks/helmrun.c writes the
 * files, runs the server's helm binary (helm_binary in the server
 * config; never the repository's choice) with a timeout and a clean
 * environment, and removes everything again. helm's standard output
 * comes back here and is parsed into objects as the built-in engine's
 * output is.
 *
 * The work directory of a job:
 *
 *   repo/<path>      every file below the chart directory (release->chart,
 *                    subcharts, .tgz dependencies and .Files included,
 *                    bytes as in the tree) and every values file, at their
 *                    repository paths; helm runs in repo/, so the paths in
 *                    its messages are repository paths
 *   cache/<entry>    a chart from the chart cache (release->repo): the
 *                    cached <version>.tgz, or the files of an unpacked
 *                    <version>/ directory
 *
 * and helm runs as
 *
 *   helm template NAME ./CHART --namespace NS [-f VALUES]...
 *        [--set K=V | --set-string K=V | --set-json K=V]...
 *        [--kube-version V] [--api-versions V]... --skip-tests
 *
 * with NAME the release name, NS the release namespace ("default" when
 * unset), the values files in order, and each `set` entry by its YAML
 * type: strings with --set-string, integers, booleans and null with --set
 * (Helm's typing makes them int64, bool and null, as the built-in engine
 * does), floats with --set-json; ',' and '\' in values are escaped.
 * NEEDSWORK: helm applies --set-json, then --set, then --set-string, so
 * `set` keys of different types that overlap (a: x and a.b: 1) are
 * applied in a different order than the built-in engine's file order.
 * The kube version and API versions are the environment's kube_version
 * and api_versions, passed only when set (otherwise helm's own default).
 * Tests are skipped and CRDs not included, as with the built-in engine.
 *
 * Recorded inputs: the chart directory is listed (recursively) and read,
 * and the values files are read, through the same tree, so change scoping
 * and the render cache see the release as they see a built-in one: a
 * change to a values file or anything below the chart renders it again.
 */
#ifndef RENDERGATE_HELMEXEC_H
#define RENDERGATE_HELMEXEC_H

#include "rendergate/compat.h"
#include "rendergate/err.h"

struct rg_arena;
struct rg_objset;
struct rg_findings;
struct rg_render_req;

/* A file of the work directory: relative path, content (borrowed). */
struct rg_helmexec_file {
	const char *path;
	const char *data;
	size_t len;
};

/* One helm run. Everything is arena-owned by the render. */
struct rg_helmexec_job {
	const char *env;     /* environment name, for messages */
	const char *release; /* release name, for messages */
	const struct rg_helmexec_file *files; /* paths unique, checked with
						 rg_tree_path_check */
	size_t nfiles;
	const char *cwd;	 /* where helm runs, relative: "repo" */
	const char *const *args; /* helm's arguments, argv[1..] */
	size_t nargs;
};

/*
 * A runner. run() executes job and on success sets *out and *len to
 * helm's standard output (arena-owned, NUL-terminated). Its errors name
 * the problem for the pusher: no binary configured or not executable
 * (naming helm_binary), helm exiting non-zero ("unrenderable: helm
 * template exited with status 1: <helm's error>"), the timeout
 * (RG_ETIMEOUT) and the output cap (RG_ELIMIT).
 */
struct rg_helmexec {
	int (*run)(void *ctx, const char **out, size_t *len,
		   const struct rg_helmexec_job *job, struct rg_arena *a,
		   struct rg_err *err);
	void *ctx;
};

/*
 * Describe the run for req (a chart release with engine: helm): read the
 * chart and values files through req->tree (or the chart cache
 * req->repo->chart_cache), build the file list and the arguments.
 * Errors: the tree's (RG_ENOTFOUND for a missing values file or chart,
 * RG_EUNSAFE for a symbolic link in the chart, RG_EUNSUPPORTED for a
 * submodule), RG_ELIMIT (more than RG_CAP_ENV_FILES files, directories
 * deeper than RG_CAP_DIR_DEPTH), RG_EINVALID for a `set` entry helm's
 * command line cannot carry (a key with ',' or '=', a NUL byte, an
 * infinite float), and rg_helm_cache_load's for cached charts.
 */
int rg_helmexec_job(struct rg_helmexec_job **out,
		    const struct rg_render_req *req, struct rg_err *err);

/*
 * Parse `helm template` output (documents separated by "---" lines, each
 * usually starting with "# Source: PATH") into objects of out, as the
 * built-in engine adds its manifests: empty and comment-only documents
 * are skipped, documents without a complete identity become findings
 * ("helm.missing-name", ...). Positions name the "# Source:" path and the
 * line within that document. Errors: RG_EPARSE (malformed YAML),
 * RG_ELIMIT.
 */
int rg_helmexec_parse(struct rg_objset *out, struct rg_findings *findings,
		      const char *env, const char *text, size_t len,
		      struct rg_arena *a, struct rg_err *err);

/*
 * The renderer for releases with engine: helm (env.c picks it): builds
 * the job, runs it through req->repo->helm_exec and parses the output.
 * Without a runner (a program that registered none) the release is
 * RG_EUNSUPPORTED, naming helm_binary.
 */
int rg_helmexec_render(struct rg_objset *out, struct rg_findings *findings,
		       const struct rg_render_req *req, struct rg_err *err);

#endif
