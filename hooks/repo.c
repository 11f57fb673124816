#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/repo.h"

static int git_fail(struct rg_err *err, int gitrc, const char *fmt,
		    const char *arg)
{
	const git_error *e = git_error_last();
	char what[512];

	snprintf(what, sizeof(what), fmt, arg);
	return rg_err_set(err, gitrc == GIT_ENOTFOUND ? RG_ENOTFOUND : RG_EIO,
			  NULL, "%s: %s", what,
			  e && e->message ? e->message : "libgit2 error");
}

/*
 * libgit2 re-hashes every object it reads by default (strict hash
 * verification, SHA-1DC). Objects reach the repository through
 * receive-pack, whose index-pack or unpack-objects already checked every
 * id, so hashing them again on each read only costs: it was a quarter of
 * the instructions of rendering an environment of 5,000 objects.
 */
static void tune(void)
{
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	/*
	 * libgit2 caches no blobs by default, and only trees up to 4 KiB;
	 * the releases of an environment read the same chart files and
	 * templates directories again and again, so let both stay in the
	 * object cache, whose total stays bounded well below the memory
	 * budget of a push.
	 */
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_BLOB,
			 (size_t)256 * 1024);
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE,
			 (size_t)1024 * 1024);
	git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)64 * 1024 * 1024);
}

int rg_repo_open_env(git_repository **out, struct rg_err *err)
{
	int rc = git_repository_open_ext(out, NULL,
					 GIT_REPOSITORY_OPEN_FROM_ENV, NULL);

	tune();
	if (rc < 0)
		return git_fail(err, rc, "cannot open the repository%s",
				" (GIT_DIR)");
	return 0;
}

int rg_repo_open_discover(git_repository **out, const char *dir,
			  struct rg_err *err)
{
	int rc = git_repository_open_ext(out, dir ? dir : ".", 0, NULL);

	tune();
	if (rc < 0)
		return git_fail(err, rc, "not inside a git repository (%s)",
				dir ? dir : ".");
	return 0;
}

/* Peel obj to a commit and fill commit/tree. */
static int peel_commit(git_oid *commit, git_oid *tree, git_object *obj,
		       const char *what, struct rg_err *err)
{
	git_object *c = NULL;
	int rc = 0;

	if (git_object_peel(&c, obj, GIT_OBJECT_COMMIT) < 0) {
		rc = rg_err_set(err, RG_EINVALID, NULL,
				"%s is a %s, not a commit", what,
				git_object_type2string(git_object_type(obj)));
		goto out;
	}
	if (commit)
		git_oid_cpy(commit, git_object_id(c));
	if (tree)
		git_oid_cpy(tree, git_commit_tree_id((git_commit *)c));
out:
	git_object_free(c);
	return rc;
}

int rg_repo_resolve(git_oid *commit, git_oid *tree, git_repository *repo,
		    const char *rev, struct rg_err *err)
{
	git_object *obj = NULL;
	int rc = git_revparse_single(&obj, repo, rev);

	if (rc < 0) {
		rc = git_fail(err, rc, "unknown revision %s", rev);
		goto out;
	}
	rc = peel_commit(commit, tree, obj, rev, err);
out:
	git_object_free(obj);
	return rc;
}

int rg_repo_commit_tree(git_oid *tree, git_repository *repo, const char *hex,
			struct rg_err *err)
{
	git_object *obj = NULL;
	git_oid id;
	int rc = 0;

	if (strlen(hex) != GIT_OID_HEXSZ || git_oid_fromstr(&id, hex) < 0) {
		rc = rg_err_set(err, RG_EUNSUPPORTED, NULL,
				"object id %.64s is not a SHA-1 id; this "
				"libgit2 reads SHA-1 repositories only",
				hex);
		goto out;
	}
	rc = git_object_lookup(&obj, repo, &id, GIT_OBJECT_ANY);
	if (rc < 0) {
		rc = git_fail(err, rc, "cannot read pushed object %s", hex);
		goto out;
	}
	rc = peel_commit(NULL, tree, obj, hex, err);
out:
	git_object_free(obj);
	return rc;
}

int rg_repo_default_branch(const char **ref, git_oid *tip, struct rg_arena *a,
			   git_repository *repo, struct rg_err *err)
{
	git_reference *head = NULL;
	const char *target;
	int rc = git_reference_lookup(&head, repo, "HEAD");

	if (rc < 0) {
		rc = git_fail(err, rc, "cannot read %s", "HEAD");
		goto out;
	}
	target = git_reference_symbolic_target(head);
	if (!target) {
		rc = rg_err_set(err, RG_ENOTFOUND, NULL,
				"HEAD is detached; there is no default "
				"branch");
		goto out;
	}
	if (ref)
		*ref = rg_arena_strdup(a, target);
	if (tip)
		rc = rg_repo_ref_tip(tip, repo, target, err);
out:
	git_reference_free(head);
	return rc;
}

int rg_repo_ref_tip(git_oid *tip, git_repository *repo, const char *ref,
		    struct rg_err *err)
{
	git_oid id;
	git_object *obj = NULL;
	int rc = git_reference_name_to_id(&id, repo, ref);

	if (rc < 0) {
		rc = git_fail(err, rc, "cannot resolve %s", ref);
		goto out;
	}
	rc = git_object_lookup(&obj, repo, &id, GIT_OBJECT_ANY);
	if (rc < 0) {
		rc = git_fail(err, rc, "cannot read %s", ref);
		goto out;
	}
	rc = peel_commit(tip, NULL, obj, ref, err);
out:
	git_object_free(obj);
	return rc;
}

static int path_cmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

int rg_repo_changed_paths(const char ***paths, size_t *n, struct rg_arena *a,
			  git_repository *repo, const git_oid *old_tree,
			  const git_oid *new_tree, struct rg_err *err)
{
	git_tree *ot = NULL, *nt = NULL;
	git_diff *diff = NULL;
	const char **out = NULL;
	size_t count = 0, len = 0;
	int rc = 0;

	if (old_tree && git_tree_lookup(&ot, repo, old_tree) < 0) {
		rc = git_fail(err, GIT_ERROR, "cannot read %s", "the old tree");
		goto out;
	}
	if (new_tree && git_tree_lookup(&nt, repo, new_tree) < 0) {
		rc = git_fail(err, GIT_ERROR, "cannot read %s", "the new tree");
		goto out;
	}
	if (git_diff_tree_to_tree(&diff, repo, ot, nt, NULL) < 0) {
		rc = git_fail(err, GIT_ERROR, "cannot compare %s", "trees");
		goto out;
	}
	count = git_diff_num_deltas(diff);
	out = rg_arena_calloc(a, count ? 2 * count : 1, sizeof(*out));
	for (size_t i = 0; i < count; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);

		if (d->old_file.path)
			out[len++] = rg_arena_strdup(a, d->old_file.path);
		if (d->new_file.path &&
		    (!d->old_file.path ||
		     strcmp(d->old_file.path, d->new_file.path)))
			out[len++] = rg_arena_strdup(a, d->new_file.path);
	}
	qsort(out, len, sizeof(*out), path_cmp);
	*paths = out;
	*n = len;
out:
	git_diff_free(diff);
	git_tree_free(ot);
	git_tree_free(nt);
	return rc;
}

static int commit_tree_of(git_tree **out, git_repository *repo,
			  const git_oid *commit, struct rg_err *err)
{
	git_commit *c = NULL;
	int rc = git_commit_lookup(&c, repo, commit);

	if (rc < 0) {
		rc = git_fail(err, rc, "cannot read commit %s", "for a merge");
		goto out;
	}
	if (git_commit_tree(out, c) < 0) {
		rc = git_fail(err, GIT_ERROR, "cannot read the tree of %s",
			      "a commit");
		goto out;
	}
	rc = 0;
out:
	git_commit_free(c);
	return rc;
}

int rg_repo_merge_tree(git_oid *tree, bool *conflict, git_repository *repo,
		       const git_oid *ours, const git_oid *theirs,
		       struct rg_err *err)
{
	git_tree *bt = NULL, *ot = NULL, *tt = NULL;
	git_index *idx = NULL;
	git_oid base;
	const git_oid *whole = NULL;
	int rc = 0;

	*conflict = false;
	if (git_oid_equal(ours, theirs) ||
	    git_graph_descendant_of(repo, theirs, ours) == 1)
		whole = theirs;
	else if (git_graph_descendant_of(repo, ours, theirs) == 1)
		whole = ours;
	if (whole) {
		rc = commit_tree_of(&tt, repo, whole, err);
		if (!rc)
			git_oid_cpy(tree, git_tree_id(tt));
		goto out;
	}
	rc = git_merge_base(&base, repo, ours, theirs);
	if (rc == GIT_ENOTFOUND) {
		*conflict = true;
		rc = 0;
		goto out;
	}
	if (rc < 0) {
		rc = git_fail(err, rc, "cannot find a merge base %s", "");
		goto out;
	}
	rc = commit_tree_of(&bt, repo, &base, err);
	if (!rc)
		rc = commit_tree_of(&ot, repo, ours, err);
	if (!rc)
		rc = commit_tree_of(&tt, repo, theirs, err);
	if (rc)
		goto out;
	if (git_merge_trees(&idx, repo, bt, ot, tt, NULL) < 0) {
		rc = git_fail(err, GIT_ERROR, "cannot merge %s", "trees");
		goto out;
	}
	if (git_index_has_conflicts(idx)) {
		*conflict = true;
		goto out;
	}
	if (git_index_write_tree_to(tree, idx, repo) < 0)
		rc = git_fail(err, GIT_ERROR, "cannot write %s",
			      "the merged tree");
out:
	git_index_free(idx);
	git_tree_free(bt);
	git_tree_free(ot);
	git_tree_free(tt);
	return rc;
}

void rg_repo_short_id(char out[8], const git_oid *id)
{
	git_oid_tostr(out, 8, id);
}
