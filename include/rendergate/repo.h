/*
 * repo.h - opening the repository and asking it the questions a gate
 * needs: which commit and tree a revision names, what the default branch
 * is, and which paths differ between two trees.
 *
 * Lives in hooks/ (libgit2). Two ways to open:
 *
 *   - inside a hook, rg_repo_open_env(): git_repository_open_ext with
 *     GIT_REPOSITORY_OPEN_FROM_ENV, so GIT_DIR, GIT_OBJECT_DIRECTORY and
 *     GIT_ALTERNATE_OBJECT_DIRECTORIES are honoured and the objects of a
 *     push still in quarantine are visible (git >= 2.11; GitLab's Gitaly
 *     passes the last two but not GIT_QUARANTINE_PATH). Checked with
 *     libgit2 1.5.1 and a real push in tests/e2e/t0008-quarantine.sh.
 *   - in the CLI, rg_repo_open_discover(): search upward from a directory,
 *     bare repositories and work trees alike.
 *
 * Errors carry libgit2's message: RG_ENOTFOUND for a missing repository,
 * revision or object, RG_EINVALID for an object of the wrong type,
 * RG_EIO for anything else.
 */
#ifndef RENDERGATE_REPO_H
#define RENDERGATE_REPO_H

#include "rendergate/compat.h"
#include "rendergate/err.h"

#include <git2.h>

struct rg_arena;

/* Open the repository the hook runs in (see above). */
int rg_repo_open_env(git_repository **out, struct rg_err *err);

/* Open the repository containing dir (NULL: the current directory). */
int rg_repo_open_discover(git_repository **out, const char *dir,
			  struct rg_err *err);

/*
 * Resolve a revision (anything git rev-parse takes: "HEAD", "main~2",
 * an id) to a commit; *tree gets that commit's tree. Either out pointer
 * may be NULL. An annotated tag is peeled; a tree or blob is RG_EINVALID.
 */
int rg_repo_resolve(git_oid *commit, git_oid *tree, git_repository *repo,
		    const char *rev, struct rg_err *err);

/*
 * The tree of the commit whose full hex id is given (from a push line).
 * RG_ENOTFOUND if the object is not in the repository (or quarantine),
 * RG_EINVALID if it does not peel to a commit (a pushed blob or tree).
 */
int rg_repo_commit_tree(git_oid *tree, git_repository *repo, const char *hex,
			struct rg_err *err);

/*
 * The default branch: the full ref name HEAD points at (arena copy),
 * e.g. "refs/heads/main", whether or not it exists yet; and, when tip is
 * not NULL, its commit (RG_ENOTFOUND if the branch has no commit yet).
 */
int rg_repo_default_branch(const char **ref, git_oid *tip, struct rg_arena *a,
			   git_repository *repo, struct rg_err *err);

/* The commit a ref points at: RG_ENOTFOUND if the ref does not exist. */
int rg_repo_ref_tip(git_oid *tip, git_repository *repo, const char *ref,
		    struct rg_err *err);

/*
 * Paths (files, symlinks and submodules; never directories) that differ
 * between the trees old_tree and new_tree, either may be NULL for the
 * empty tree. *paths is a sorted arena array of *n arena strings.
 * Renames show as a deletion and an addition (no rename detection).
 */
int rg_repo_changed_paths(const char ***paths, size_t *n, struct rg_arena *a,
			  git_repository *repo, const git_oid *old_tree,
			  const git_oid *new_tree, struct rg_err *err);

/*
 * The tree a merge of commit theirs into commit ours would produce, for
 * previews: theirs' tree when it already contains ours, ours' tree when
 * ours contains theirs, otherwise a three-way merge from the merge base
 * (git_merge_trees, default options), whose tree is written to the object
 * database (inside pre-receive: the quarantine). *conflict is set, and
 * *tree left alone, when the merge has conflicts or the commits share no
 * history.
 */
int rg_repo_merge_tree(git_oid *tree, bool *conflict, git_repository *repo,
		       const git_oid *ours, const git_oid *theirs,
		       struct rg_err *err);

/* Abbreviated hex (7 characters) of id into out. */
void rg_repo_short_id(char out[8], const git_oid *id);

#endif
