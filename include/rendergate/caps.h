/*
 * caps.h - every limit rendergate enforces, in one place, with its unit.
 *
 * A push is hostile input: each way it could make the hook grow without
 * bound (memory, time, recursion) has a cap here. Hitting a cap is an
 * error with code RG_ELIMIT whose message names the cap (for example
 * "YAML nesting deeper than 512 levels (RG_CAP_YAML_DEPTH)"), and the
 * gate fails closed on it. Modules add their caps to this file, never
 * to their own headers, so the limits can be reviewed together.
 */
#ifndef RENDERGATE_CAPS_H
#define RENDERGATE_CAPS_H

/* --- Git objects and files ------------------------------------------- */

/* bytes: largest blob a render will read (a bigger one is an error) */
#define RG_CAP_BLOB_BYTES (16u * 1024 * 1024)
/* bytes: total blob bytes one render of one environment may read */
#define RG_CAP_RENDER_READ_BYTES (256u * 1024 * 1024)
/* entries: files one environment may list or read */
#define RG_CAP_ENV_FILES 20000u
/* bytes: longest path inside a repository */
#define RG_CAP_PATH_BYTES 4096u
/* levels: deepest directory nesting walked below an environment path */
#define RG_CAP_DIR_DEPTH 64u

/* --- YAML document model --------------------------------------------- */

/* levels: deepest nesting of mappings and sequences in one document */
#define RG_CAP_YAML_DEPTH 512u
/* nodes: total nodes created by alias expansion in one stream */
#define RG_CAP_YAML_ALIAS_NODES 100000u
/* nodes: total nodes in one YAML stream (after alias expansion) */
#define RG_CAP_YAML_NODES 4000000u
/* documents: in one YAML stream */
#define RG_CAP_YAML_DOCS 100000u
/* bytes: one scalar */
#define RG_CAP_YAML_SCALAR_BYTES (8u * 1024 * 1024)
/* bytes: the text one emitter call may produce */
#define RG_CAP_YAML_EMIT_BYTES (64u * 1024 * 1024)

/* --- Rendering and reports ------------------------------------------- */

/* objects: rendered objects in one environment */
#define RG_CAP_ENV_OBJECTS 200000u
/* environments: in one repository config */
#define RG_CAP_ENVS 1000u
/* bytes: the diff text printed to the pusher (the rest is summarised) */
#define RG_CAP_REPORT_TERM_BYTES (64u * 1024)
/* bytes: one unified diff of one object */
#define RG_CAP_DIFF_OBJECT_BYTES (1024u * 1024)
/* lines: largest object (as YAML lines) the line diff works on exactly */
#define RG_CAP_DIFF_LINES 200000u
/* edits: largest edit distance (inserted + deleted lines) the Myers line
 * diff searches for; beyond it an object is shown as replaced */
#define RG_CAP_DIFF_EDITS 2000u
/* paths: changed field paths listed for one object (the rest are counted) */
#define RG_CAP_DIFF_FIELDS 1000u
/* findings: kept for one run (the rest are counted, never silently lost) */
#define RG_CAP_FINDINGS 10000u

/* --- Hook protocol --------------------------------------------------- */

/* refs: updates in one push */
#define RG_CAP_PUSH_REFS 10000u
/* bytes: one line of pre-receive/post-receive standard input */
#define RG_CAP_PUSH_LINE_BYTES 8192u
/* options: push options (git push -o) honoured in one push */
#define RG_CAP_PUSH_OPTIONS 100u
/* bytes: a configuration file (server config, .rendergate.yaml, policy) */
#define RG_CAP_CONFIG_BYTES (4u * 1024 * 1024)
/* milliseconds: default deadline for the whole hook when not configured */
#define RG_CAP_DEADLINE_MS_DEFAULT 20000u

/* --- Template function library (regex, semver, JSON, TOML) ----------- */

/* bytes: longest regular expression compiled (template or policy) */
#define RG_CAP_REGEX_PATTERN_BYTES (64u * 1024)
/* steps: PCRE2 match limit for one match attempt */
#define RG_CAP_REGEX_MATCH_LIMIT 1000000u
/* frames: PCRE2 backtracking depth limit for one match attempt */
#define RG_CAP_REGEX_DEPTH_LIMIT 10000u
/* count: largest repetition count in a pattern ({n,m}), as Go's RE2 */
#define RG_CAP_REGEX_REPEAT 1000u
/* bytes: longest semantic version or constraint string parsed */
#define RG_CAP_SEMVER_BYTES 4096u
/* levels: deepest nesting the JSON and TOML encoders/decoders walk */
#define RG_CAP_JSON_DEPTH 512u
/* bytes: text one library function may produce (toJson, b64enc, repeat ...) */
#define RG_CAP_FUNC_OUTPUT_BYTES (64u * 1024 * 1024)

/* --- Forge clients, spool and drainer -------------------------------- */

/* bytes: largest HTTP response body read from a forge */
#define RG_CAP_HTTP_RESPONSE_BYTES (8u * 1024 * 1024)
/* bytes: largest response header value kept (Link, Retry-After, ...) */
#define RG_CAP_HTTP_HEADER_BYTES 8192u
/* milliseconds: default connect timeout of one HTTP attempt */
#define RG_CAP_HTTP_CONNECT_MS_DEFAULT 5000u
/* milliseconds: default total timeout of one HTTP attempt */
#define RG_CAP_HTTP_ATTEMPT_MS_DEFAULT 30000u
/* milliseconds: default deadline of one request including its retries */
#define RG_CAP_HTTP_DEADLINE_MS_DEFAULT 120000u
/* attempts: most tries of one HTTP request (first try included) */
#define RG_CAP_HTTP_ATTEMPTS 6u
/* milliseconds: longest single backoff or Retry-After wait honoured */
#define RG_CAP_HTTP_BACKOFF_MS_MAX 60000u
/* pages: most pages followed when listing (MRs, notes, reviews) */
#define RG_CAP_FORGE_PAGES 100u
/* items: most items kept from one paginated listing */
#define RG_CAP_FORGE_ITEMS 10000u
/* bytes: largest token file */
#define RG_CAP_TOKEN_BYTES 4096u
/* characters: GitLab note body limit (documented) */
#define RG_CAP_COMMENT_GITLAB_CHARS 1000000u
/* characters: Gitea comment body default (TEXT column is 64 KiB) */
#define RG_CAP_COMMENT_GITEA_CHARS 65000u
/* characters: commit status description (GitLab limit 255) */
#define RG_CAP_STATUS_DESC_CHARS 255u
/* bytes: largest full report page (htmlreport.h) spooled and uploaded */
#define RG_CAP_REPORT_HTML_BYTES (16u * 1024 * 1024)
/* bytes: largest spool job file (a comment plus its HTML report, JSON) */
#define RG_CAP_SPOOL_JOB_BYTES (40u * 1024 * 1024)
/* jobs: most jobs one drain pass looks at */
#define RG_CAP_SPOOL_JOBS 10000u
/* attempts: failed deliveries before a job moves to failed/ */
#define RG_CAP_SPOOL_ATTEMPTS 10u
/* seconds: longest backoff between two deliveries of one job */
#define RG_CAP_SPOOL_BACKOFF_S_MAX 3600u

/* --- Policy ------------------------------------------------------------ */

/* files: policy files loaded together (admin files, repo files, --policy) */
#define RG_CAP_POLICY_FILES 64u
/* rules: generic rules in all policy files together */
#define RG_CAP_POLICY_RULES 20000u
/* patterns: allow/deny patterns in all policy files together */
#define RG_CAP_POLICY_PATTERNS 20000u
/* segments: components of one field path in a rule or an image path */
#define RG_CAP_POLICY_PATH_SEGS 64u
/* bytes: one field path, pattern or message template in a policy */
#define RG_CAP_POLICY_STRING_BYTES 4096u
/* places: values (or missing places) one field path may select in one
 * object; a wildcard path over a huge object past this is an error */
#define RG_CAP_POLICY_PATH_HITS 100000u
/* bytes: a finding message after template expansion (longer is cut) */
#define RG_CAP_POLICY_MESSAGE_BYTES 1024u
/* commits: first-parent history walked back to learn how long a version
 * has soaked in a stage (gatestage.h); a version in every one of them,
 * the oldest too recent, is rejected (its soak cannot be shown) */
#define RG_CAP_POLICY_SOAK_COMMITS 1000u

/* --- Go templates (tmpl.h) ------------------------------------------- */

/* bytes: one template text given to the parser (a file, a tpl string) */
#define RG_CAP_TMPL_BYTES (4u * 1024 * 1024)
/* levels: nesting of control blocks and parentheses in one template */
#define RG_CAP_TMPL_PARSE_DEPTH 500u
/* steps: evaluation steps of one execution, include and tpl included */
#define RG_CAP_TMPL_STEPS 50000000u
/* bytes: output of one execution */
#define RG_CAP_TMPL_OUTPUT_BYTES (64u * 1024 * 1024)
/* calls: nesting of template/include/tpl calls in one execution */
#define RG_CAP_TMPL_DEPTH 1200u
/* calls: nested includes of one template name (Helm's recursionMaxNums) */
#define RG_CAP_TMPL_INCLUDE_DEPTH 1000u

/* --- Kustomize ---------------------------------------------------------- */

/* levels: deepest chain of kustomizations including one another */
#define RG_CAP_KUST_DEPTH 64u
/* bytes: one step of a fieldSpec path (e.g. "containers[]") */
#define RG_CAP_KUST_FS_SEGMENT 256u
/* kustomizations: built in one render, counting repeats (a base reached
   along two paths is built twice, so shared bases nest exponentially) */
#define RG_CAP_KUST_BUILDS 5000u
/* resources: objects one kustomize build may hold at any moment */
#define RG_CAP_KUST_RESOURCES 100000u

/* --- Flux and Argo CD (flux.h, argo.h, envsubst.h) -------------------- */

/* levels: nesting of ${...} inside substitution defaults and arguments */
#define RG_CAP_ENVSUBST_DEPTH 64u
/* levels: Flux Kustomizations / Argo CD Applications found inside the
 * output of others (app of apps of apps ...) */
#define RG_CAP_GITOPS_DEPTH 32u
/* units: Kustomizations, HelmReleases and Applications rendered for one
 * environment */
#define RG_CAP_GITOPS_UNITS 5000u

/* --- Archives (tgz.h: packaged charts) -------------------------------- */

/* bytes: uncompressed tar stream of one chart load, nested archives included */
#define RG_CAP_TGZ_BYTES (64u * 1024 * 1024)
/* bytes: one file inside an archive */
#define RG_CAP_TGZ_ENTRY_BYTES RG_CAP_BLOB_BYTES
/* entries: files and headers in one archive */
#define RG_CAP_TGZ_ENTRIES 20000u
/* bytes: one entry name inside an archive */
#define RG_CAP_TGZ_PATH_BYTES RG_CAP_PATH_BYTES
/* bytes: one pax extended header or GNU long-name record */
#define RG_CAP_TGZ_HEADER_BYTES (64u * 1024)
/* ratio: uncompressed bytes per compressed byte allowed once the output
 * passes RG_CAP_TGZ_RATIO_FLOOR (tar padding of real charts stays far
 * below; a gzip bomb of zeros is about 1000) */
#define RG_CAP_TGZ_RATIO 200u
/* bytes: output below which the ratio is not checked (small archives
 * are mostly padding) */
#define RG_CAP_TGZ_RATIO_FLOOR (1u * 1024 * 1024)
/* levels: archives nested in archives (charts/x.tgz holding charts/y.tgz) */
#define RG_CAP_TGZ_NESTING 16u

/* --- Render cache (rcache.h) ----------------------------------------- */

/* entries: release renders one gate run remembers (3 sides x 1,000
 * environments' worth of releases is far beyond real repositories) */
#define RG_CAP_RCACHE_ENTRIES 100000u
/* bytes: one render cache entry in its stored form (rcache.h); a release
 * of 500 objects takes about 1 MiB; larger ones are not stored */
#define RG_CAP_RCACHE_ENTRY_BYTES (64u * 1024 * 1024)
/* bytes: all stored render cache entries of a repository (rcstore.h);
 * past it, the least recently written are removed */
#define RG_CAP_RCSTORE_BYTES (512u * 1024 * 1024)
/* files: stored render cache entries of a repository (rcstore.h) */
#define RG_CAP_RCSTORE_FILES 20000u
/* bytes: one environment's stored dependency log (depstore.h); a
 * 5,000-object environment's is about 100 KiB */
#define RG_CAP_DEPSTORE_BYTES (16u * 1024 * 1024)
/* bytes: parse trees one run keeps for reuse (tmpl.h rg_tmpl_memo); past
 * this, templates are parsed for each render as without the memo. The
 * twelve corpus charts take about 6 MiB */
#define RG_CAP_TMPL_MEMO_BYTES (128u * 1024 * 1024)
/* bytes: loaded charts one run keeps for reuse (helm.h rg_helm_memo);
 * past this, charts are loaded for each release as without the memo */
#define RG_CAP_HELM_MEMO_BYTES (256u * 1024 * 1024)

/* --- engine: helm (helmexec.h, helmrun.h) ---------------------------- */

/* milliseconds: one helm run when helm_timeout is not configured (the
 * hook's deadline bounds it as well) */
#define RG_CAP_HELM_TIMEOUT_MS_DEFAULT 10000u
/* bytes: helm's standard output (the rendered manifests); more kills it */
#define RG_CAP_HELM_OUTPUT_BYTES (64u * 1024 * 1024)
/* bytes: helm's standard error kept; the rest is read and dropped */
#define RG_CAP_HELM_STDERR_BYTES (64u * 1024)
/* bytes: the part of helm's standard error an error message shows */
#define RG_CAP_HELM_STDERR_SHOWN 600u

#endif
