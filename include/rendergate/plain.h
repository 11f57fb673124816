/*
 * plain.h - the plain-manifest renderer.
 *
 * Draws a directory of Kubernetes manifests as they are: every file whose
 * name ends in ".yaml" or ".yml" below req->path, recursively, in path
 * byte order (strcmp on the full path), each parsed as a multi-document
 * YAML stream (doc.h, YAML 1.1 scalars as kubectl reads them).
 *
 * Skipped silently: files with other extensions, names starting with '.'
 * (".rendergate.yaml", ".gitlab-ci.yml", ".github/"), anything matching
 * one of the environment's `exclude` globs (relative to req->path; a
 * pattern without '/' matches a name at any depth, and a matched
 * directory is not entered), and empty or comment-only documents.
 * A document `kind: List` (apiVersion v1) contributes its `items`.
 *
 * Findings (deny, the environment still renders): a document that is not
 * a mapping ("plain.not-an-object") or lacks apiVersion, kind or
 * metadata.name ("plain.missing-apiversion", "plain.missing-kind",
 * "plain.missing-name"), each with the document's file:line:col.
 * Duplicate identities are found by rg_env_render over the whole
 * environment, not here.
 *
 * Errors (unrenderable, fail closed): malformed YAML, NUL bytes or
 * invalid UTF-8 (RG_EPARSE with file:line:col), a symlink (RG_EUNSAFE)
 * or submodule (RG_EUNSUPPORTED) anywhere below the path (named in the
 * message), a file over RG_CAP_BLOB_BYTES or more than RG_CAP_RENDER_READ_BYTES
 * read in all, more than RG_CAP_ENV_FILES files, directories deeper than
 * RG_CAP_DIR_DEPTH (RG_ELIMIT), and a path that does not exist or is not
 * a directory (RG_ENOTFOUND).
 */
#ifndef RENDERGATE_PLAIN_H
#define RENDERGATE_PLAIN_H

#include "rendergate/compat.h"
#include "rendergate/err.h"

struct rg_objset;
struct rg_findings;
struct rg_render_req;

/* The "plain" entry of the renderer registry (env.h). */
int rg_plain_render(struct rg_objset *out, struct rg_findings *findings,
		    const struct rg_render_req *req, struct rg_err *err);

/* True for names the plain renderer reads ("x.yaml", "x.yml"). */
bool rg_plain_is_manifest(const char *name);

struct rg_config_env;

/*
 * Is rel, a path relative to env->path, skipped by the plain renderer
 * because it or one of its directories matches an `exclude` glob or is
 * hidden (starts with '.')? Used by change scoping too.
 */
bool rg_plain_excluded(const struct rg_config_env *env, const char *rel);

#endif
