/*
 * gittree.h - a tree view (tree.h) of a Git tree object, through libgit2.
 *
 * The only tree implementation that touches libgit2, so it lives in
 * hooks/. Reads go straight to the object database (nothing is checked
 * out), so inside pre-receive the repository must have been opened with
 * rg_repo_open_env() for quarantined objects to be visible.
 *
 *   - blobs (modes 100644 and 100755) are files; their id is the blob id;
 *   - symlinks (120000) are RG_TREE_SYMLINK and never followed: reading
 *     one is RG_EUNSAFE;
 *   - gitlinks (160000, submodules) are RG_TREE_SUBMODULE: reading one is
 *     RG_EUNSUPPORTED, and nothing of the submodule is ever fetched;
 *   - a blob larger than RG_CAP_BLOB_BYTES is RG_ELIMIT, decided from the
 *     object header before the blob is inflated.
 *
 * Ids are lowercase hex object ids. libgit2 1.5 knows SHA-1 only.
 */
#ifndef RENDERGATE_GITTREE_H
#define RENDERGATE_GITTREE_H

#include "rendergate/tree.h"

#include <git2.h>

/*
 * New view of the tree `tree_id` in repo. The view borrows repo (which
 * must outlive it) and the arena; label is copied. Returns NULL with err
 * set (RG_ENOTFOUND, RG_EIO) if the tree cannot be read.
 */
struct rg_tree *rg_gittree_new(struct rg_arena *a, git_repository *repo,
			       const git_oid *tree_id, const char *label,
			       struct rg_err *err);

/*
 * A view of the empty tree (what an environment looked like before the
 * branch that holds it existed). Never fails.
 */
struct rg_tree *rg_gittree_empty(struct rg_arena *a, const char *label);

#endif
