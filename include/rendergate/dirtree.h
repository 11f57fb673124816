/*
 * dirtree.h - a tree view (tree.h) of a directory on disk.
 *
 * Lives in hooks/ because it touches the file system. Symlinks are
 * reported as RG_TREE_SYMLINK and never followed; ".git" is hidden. Ids
 * are git blob ids of file contents; directories have id "".
 */
#ifndef RENDERGATE_DIRTREE_H
#define RENDERGATE_DIRTREE_H

#include "rendergate/tree.h"

/* New view of root (copied). NULL with err set if root is not a directory. */
struct rg_tree *rg_dirtree_new(struct rg_arena *a, const char *root,
			       const char *label, struct rg_err *err);

/*
 * Do not compute blob ids for files read from now on (ids stay ""): for
 * one-shot renders (rendergate template, kustomize) where nothing keys a
 * cache on them, saving a SHA-1 of every byte read. Never for trees whose
 * dependency log feeds change scoping or the render cache.
 */
void rg_dirtree_skip_ids(struct rg_tree *t);

#endif
