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

#endif
