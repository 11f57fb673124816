/*
 * dynload.c: libgit2 and libcurl, opened when first called.
 *
 * `rendergate template` and `rendergate kustomize` need neither library,
 * yet a program linked against both maps 42 shared objects at start-up
 * (libcurl alone brings Kerberos, LDAP, GnuTLS, OpenSSL, ...): about
 * 10 ms of every process, more than rendering a typical chart takes. So
 * rendergate is not linked against them. This file defines every libgit2
 * and libcurl function the program calls, with the prototype of the
 * library's own header (the compiler checks each definition against the
 * header's declaration), and forwards the call to the library, which is
 * opened with dlopen(3) by its soname (the one the build saw) on the
 * first call into it. A library that cannot be opened, or lacks one of
 * the functions, ends the process with a message naming both: the gate
 * fails closed.
 *
 * A call to a function that is not listed here fails to link
 * ("undefined reference to `git_...'"): add it to GIT_FUNCS or
 * CURL_FUNCS, with the prototype from /usr/include/git2/ or curl/.
 */
#include "rendergate/compat.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <git2.h>
#include <curl/curl.h>

/* curl/typecheck-gcc.h wraps these in macros; the functions are defined here. */
#undef curl_easy_setopt
#undef curl_easy_getinfo

#ifndef RG_LIBGIT2_SONAME
#error "RG_LIBGIT2_SONAME is not set (the Makefile reads it from libgit2.so)"
#endif
#ifndef RG_LIBCURL_SONAME
#error "RG_LIBCURL_SONAME is not set (the Makefile reads it from libcurl.so)"
#endif

/*
 * F(return type, name, (parameters), (arguments)); V for void functions;
 * S for the variadic ones, defined by hand at the end.
 */
#define GIT_FUNCS(F, V, S) \
	S(git_libgit2_opts) \
	F(int, git_blob_create_from_buffer, (git_oid *id, git_repository *repo, const void *buffer, size_t len), (id, repo, buffer, len)) \
	V(git_blob_free, (git_blob *blob), (blob)) \
	F(int, git_blob_lookup, (git_blob **blob, git_repository *repo, const git_oid *id), (blob, repo, id)) \
	F(const void *, git_blob_rawcontent, (const git_blob *blob), (blob)) \
	F(git_object_size_t, git_blob_rawsize, (const git_blob *blob), (blob)) \
	V(git_buf_dispose, (git_buf *buffer), (buffer)) \
	F(const git_signature *, git_commit_author, (const git_commit *commit), (commit)) \
	F(const git_signature *, git_commit_committer, (const git_commit *commit), (commit)) \
	V(git_commit_free, (git_commit *commit), (commit)) \
	F(const git_oid *, git_commit_id, (const git_commit *commit), (commit)) \
	F(int, git_commit_lookup, (git_commit **commit, git_repository *repo, const git_oid *id), (commit, repo, id)) \
	F(int, git_commit_lookup_prefix, (git_commit **commit, git_repository *repo, const git_oid *id, size_t len), (commit, repo, id, len)) \
	F(const char *, git_commit_message, (const git_commit *commit), (commit)) \
	F(int, git_commit_parent, (git_commit **out, const git_commit *commit, unsigned int n), (out, commit, n)) \
	F(const git_oid *, git_commit_parent_id, (const git_commit *commit, unsigned int n), (commit, n)) \
	F(unsigned int, git_commit_parentcount, (const git_commit *commit), (commit)) \
	F(const char *, git_commit_summary, (git_commit *commit), (commit)) \
	F(git_time_t, git_commit_time, (const git_commit *commit), (commit)) \
	F(int, git_commit_time_offset, (const git_commit *commit), (commit)) \
	F(int, git_commit_tree, (git_tree **tree_out, const git_commit *commit), (tree_out, commit)) \
	F(const git_oid *, git_commit_tree_id, (const git_commit *commit), (commit)) \
	V(git_diff_free, (git_diff *diff), (diff)) \
	F(const git_diff_delta *, git_diff_get_delta, (const git_diff *diff, size_t idx), (diff, idx)) \
	F(size_t, git_diff_num_deltas, (const git_diff *diff), (diff)) \
	F(int, git_diff_tree_to_tree, (git_diff **diff, git_repository *repo, git_tree *old_tree, git_tree *new_tree, const git_diff_options *opts), (diff, repo, old_tree, new_tree, opts)) \
	V(git_error_clear, (void), ()) \
	F(const git_error *, git_error_last, (void), ()) \
	F(int, git_graph_descendant_of, (git_repository *repo, const git_oid *commit, const git_oid *ancestor), (repo, commit, ancestor)) \
	V(git_index_free, (git_index *index), (index)) \
	F(int, git_index_has_conflicts, (const git_index *index), (index)) \
	F(int, git_index_write_tree_to, (git_oid *out, git_index *index, git_repository *repo), (out, index, repo)) \
	F(int, git_libgit2_init, (void), ()) \
	F(int, git_libgit2_shutdown, (void), ()) \
	F(int, git_libgit2_version, (int *major, int *minor, int *rev), (major, minor, rev)) \
	F(int, git_merge_base, (git_oid *out, git_repository *repo, const git_oid *one, const git_oid *two), (out, repo, one, two)) \
	F(int, git_merge_base_many, (git_oid *out, git_repository *repo, size_t length, const git_oid input_array[]), (out, repo, length, input_array)) \
	F(int, git_merge_trees, (git_index **out, git_repository *repo, const git_tree *ancestor_tree, const git_tree *our_tree, const git_tree *their_tree, const git_merge_options *opts), (out, repo, ancestor_tree, our_tree, their_tree, opts)) \
	V(git_object_free, (git_object *object), (object)) \
	F(const git_oid *, git_object_id, (const git_object *obj), (obj)) \
	F(int, git_object_lookup, (git_object **object, git_repository *repo, const git_oid *id, git_object_t type), (object, repo, id, type)) \
	F(int, git_object_lookup_bypath, (git_object **out, const git_object *treeish, const char *path, git_object_t type), (out, treeish, path, type)) \
	F(int, git_object_peel, (git_object **peeled, const git_object *object, git_object_t target_type), (peeled, object, target_type)) \
	F(git_object_t, git_object_type, (const git_object *obj), (obj)) \
	F(const char *, git_object_type2string, (git_object_t type), (type)) \
	F(int, git_odb_exists, (git_odb *db, const git_oid *id), (db, id)) \
	V(git_odb_free, (git_odb *db), (db)) \
	F(const void *, git_odb_object_data, (git_odb_object *object), (object)) \
	V(git_odb_object_free, (git_odb_object *object), (object)) \
	F(size_t, git_odb_object_size, (git_odb_object *object), (object)) \
	F(int, git_odb_read, (git_odb_object **out, git_odb *db, const git_oid *id), (out, db, id)) \
	F(int, git_odb_read_header, (size_t *len_out, git_object_t *type_out, git_odb *db, const git_oid *id), (len_out, type_out, db, id)) \
	F(int, git_oid_cmp, (const git_oid *a, const git_oid *b), (a, b)) \
	F(int, git_oid_cpy, (git_oid *out, const git_oid *src), (out, src)) \
	F(int, git_oid_equal, (const git_oid *a, const git_oid *b), (a, b)) \
	F(int, git_oid_fmt, (char *out, const git_oid *id), (out, id)) \
	F(int, git_oid_fromstr, (git_oid *out, const char *str), (out, str)) \
	F(int, git_oid_is_zero, (const git_oid *id), (id)) \
	F(char *, git_oid_tostr, (char *out, size_t n, const git_oid *id), (out, n, id)) \
	V(git_reference_free, (git_reference *ref), (ref)) \
	F(int, git_reference_lookup, (git_reference **out, git_repository *repo, const char *name), (out, repo, name)) \
	F(const char *, git_reference_name, (const git_reference *ref), (ref)) \
	F(int, git_reference_name_to_id, (git_oid *out, git_repository *repo, const char *name), (out, repo, name)) \
	F(int, git_reference_resolve, (git_reference **out, const git_reference *ref), (out, ref)) \
	F(const char *, git_reference_symbolic_target, (const git_reference *ref), (ref)) \
	F(const git_oid *, git_reference_target, (const git_reference *ref), (ref)) \
	V(git_repository_free, (git_repository *repo), (repo)) \
	F(int, git_repository_head, (git_reference **out, git_repository *repo), (out, repo)) \
	F(int, git_repository_init, (git_repository **out, const char *path, unsigned is_bare), (out, path, is_bare)) \
	F(int, git_repository_is_bare, (const git_repository *repo), (repo)) \
	F(int, git_repository_odb, (git_odb **out, git_repository *repo), (out, repo)) \
	F(int, git_repository_open_ext, (git_repository **out, const char *path, unsigned int flags, const char *ceiling_dirs), (out, path, flags, ceiling_dirs)) \
	F(const char *, git_repository_path, (const git_repository *repo), (repo)) \
	F(const char *, git_repository_workdir, (const git_repository *repo), (repo)) \
	F(int, git_revparse_single, (git_object **out, git_repository *repo, const char *spec), (out, repo, spec)) \
	V(git_revwalk_free, (git_revwalk *walk), (walk)) \
	F(int, git_revwalk_hide, (git_revwalk *walk, const git_oid *commit_id), (walk, commit_id)) \
	F(int, git_revwalk_new, (git_revwalk **out, git_repository *repo), (out, repo)) \
	F(int, git_revwalk_next, (git_oid *out, git_revwalk *walk), (out, walk)) \
	F(int, git_revwalk_push, (git_revwalk *walk, const git_oid *id), (walk, id)) \
	F(int, git_revwalk_push_ref, (git_revwalk *walk, const char *refname), (walk, refname)) \
	F(int, git_revwalk_simplify_first_parent, (git_revwalk *walk), (walk)) \
	F(int, git_revwalk_sorting, (git_revwalk *walk, unsigned int sort_mode), (walk, sort_mode)) \
	F(const git_tree_entry *, git_tree_entry_byindex, (const git_tree *tree, size_t idx), (tree, idx)) \
	F(const git_tree_entry *, git_tree_entry_byname, (const git_tree *tree, const char *filename), (tree, filename)) \
	F(int, git_tree_entry_bypath, (git_tree_entry **out, const git_tree *root, const char *path), (out, root, path)) \
	F(int, git_tree_entry_dup, (git_tree_entry **dest, const git_tree_entry *source), (dest, source)) \
	F(git_filemode_t, git_tree_entry_filemode, (const git_tree_entry *entry), (entry)) \
	V(git_tree_entry_free, (git_tree_entry *entry), (entry)) \
	F(const git_oid *, git_tree_entry_id, (const git_tree_entry *entry), (entry)) \
	F(const char *, git_tree_entry_name, (const git_tree_entry *entry), (entry)) \
	F(git_object_t, git_tree_entry_type, (const git_tree_entry *entry), (entry)) \
	F(size_t, git_tree_entrycount, (const git_tree *tree), (tree)) \
	V(git_tree_free, (git_tree *tree), (tree)) \
	F(const git_oid *, git_tree_id, (const git_tree *tree), (tree)) \
	F(int, git_tree_lookup, (git_tree **out, git_repository *repo, const git_oid *id), (out, repo, id)) \
	V(git_treebuilder_free, (git_treebuilder *bld), (bld)) \
	F(int, git_treebuilder_insert, (const git_tree_entry **out, git_treebuilder *bld, const char *filename, const git_oid *id, git_filemode_t filemode), (out, bld, filename, id, filemode)) \
	F(int, git_treebuilder_new, (git_treebuilder **out, git_repository *repo, const git_tree *source), (out, repo, source)) \
	F(int, git_treebuilder_write, (git_oid *id, git_treebuilder *bld), (id, bld))

#define CURL_FUNCS(F, V, S) \
	S(curl_easy_getinfo) \
	S(curl_easy_setopt) \
	V(curl_easy_cleanup, (CURL *curl), (curl)) \
	F(char *, curl_easy_escape, (CURL *handle, const char *string, int length), (handle, string, length)) \
	F(CURL *, curl_easy_init, (void), ()) \
	F(CURLcode, curl_easy_perform, (CURL *curl), (curl)) \
	V(curl_easy_reset, (CURL *curl), (curl)) \
	F(const char *, curl_easy_strerror, (CURLcode code), (code)) \
	F(char *, curl_easy_unescape, (CURL *handle, const char *string, int length, int *outlength), (handle, string, length, outlength)) \
	V(curl_free, (void *p), (p)) \
	V(curl_global_cleanup, (void), ()) \
	F(CURLcode, curl_global_init, (long flags), (flags)) \
	F(curl_mimepart *, curl_mime_addpart, (curl_mime *mime), (mime)) \
	F(CURLcode, curl_mime_data, (curl_mimepart *part, const char *data, size_t datasize), (part, data, datasize)) \
	F(CURLcode, curl_mime_filedata, (curl_mimepart *part, const char *filename), (part, filename)) \
	F(CURLcode, curl_mime_filename, (curl_mimepart *part, const char *filename), (part, filename)) \
	V(curl_mime_free, (curl_mime *mime), (mime)) \
	F(CURLcode, curl_mime_headers, (curl_mimepart *part, struct curl_slist *headers, int take_ownership), (part, headers, take_ownership)) \
	F(curl_mime *, curl_mime_init, (CURL *easy), (easy)) \
	F(CURLcode, curl_mime_name, (curl_mimepart *part, const char *name), (part, name)) \
	F(CURLcode, curl_mime_type, (curl_mimepart *part, const char *mimetype), (part, mimetype)) \
	F(struct curl_slist *, curl_slist_append, (struct curl_slist *list, const char *data), (list, data)) \
	V(curl_slist_free_all, (struct curl_slist *list), (list)) \
	F(CURLU *, curl_url, (void), ()) \
	V(curl_url_cleanup, (CURLU *handle), (handle)) \
	F(CURLUcode, curl_url_get, (CURLU *handle, CURLUPart what, char **part, unsigned int flags), (handle, what, part, flags)) \
	F(CURLUcode, curl_url_set, (CURLU *handle, CURLUPart what, const char *part, unsigned int flags), (handle, what, part, flags)) \
	F(char *, curl_version, (void), ())

struct dynlib {
	const char *soname;
	const char *const *names;
	void **syms;
	size_t nr;
	pthread_once_t once;
};

#define ENUM_F(ret, name, params, args) DL_##name,
#define ENUM_V(name, params, args) DL_##name,
#define NAME_F(ret, name, params, args) #name,
#define NAME_V(name, params, args) #name,
#define ENUM_S(name) DL_##name,
#define NAME_S(name) #name,
#define NONE_S(name)

enum { GIT_FUNCS(ENUM_F, ENUM_V, ENUM_S) DL_GIT_NR };
enum { CURL_FUNCS(ENUM_F, ENUM_V, ENUM_S) DL_CURL_NR };
static const char *const git_names[] = { GIT_FUNCS(NAME_F, NAME_V, NAME_S) };
static const char *const curl_names[] = { CURL_FUNCS(NAME_F, NAME_V, NAME_S) };
static void *git_syms[DL_GIT_NR];
static void *curl_syms[DL_CURL_NR];

static struct dynlib libgit2 = {
	RG_LIBGIT2_SONAME, git_names, git_syms, DL_GIT_NR, PTHREAD_ONCE_INIT
};
static struct dynlib libcurl = {
	RG_LIBCURL_SONAME, curl_names, curl_syms, DL_CURL_NR, PTHREAD_ONCE_INIT
};

static void load(struct dynlib *lib)
{
	void *handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	size_t i;

	if (!handle) {
		fprintf(stderr, "rendergate: cannot load %s: %s\n",
			lib->soname, dlerror());
		exit(128);
	}
	for (i = 0; i < lib->nr; i++) {
		lib->syms[i] = dlsym(handle, lib->names[i]);
		if (!lib->syms[i]) {
			fprintf(stderr, "rendergate: %s has no %s: %s\n",
				lib->soname, lib->names[i], dlerror());
			exit(128);
		}
	}
}

static void load_libgit2(void)
{
	load(&libgit2);
}

static void load_libcurl(void)
{
	load(&libcurl);
}

static void *git_sym(size_t i)
{
	pthread_once(&libgit2.once, load_libgit2);
	return git_syms[i];
}

static void *curl_sym(size_t i)
{
	pthread_once(&libcurl.once, load_libcurl);
	return curl_syms[i];
}

#define GIT_DEF_F(ret, name, params, args) \
	ret name params \
	{ \
		return ((ret (*) params)git_sym(DL_##name)) args; \
	}
#define GIT_DEF_V(name, params, args) \
	void name params \
	{ \
		((void (*) params)git_sym(DL_##name)) args; \
	}
#define CURL_DEF_F(ret, name, params, args) \
	ret name params \
	{ \
		return ((ret (*) params)curl_sym(DL_##name)) args; \
	}
#define CURL_DEF_V(name, params, args) \
	void name params \
	{ \
		((void (*) params)curl_sym(DL_##name)) args; \
	}

GIT_FUNCS(GIT_DEF_F, GIT_DEF_V, NONE_S)
CURL_FUNCS(CURL_DEF_F, CURL_DEF_V, NONE_S)

/*
 * The variadic ones. Their one extra argument's type follows from the
 * option, as each library documents it.
 */
int git_libgit2_opts(int option, ...)
{
	int (*fn)(int, ...) = (int (*)(int, ...))git_sym(DL_git_libgit2_opts);
	va_list ap;
	int ret;

	va_start(ap, option);
	switch (option) {
	case GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION:
	case GIT_OPT_ENABLE_STRICT_OBJECT_CREATION:
	case GIT_OPT_ENABLE_CACHING:
		ret = fn(option, va_arg(ap, int));
		break;
	case GIT_OPT_SET_CACHE_OBJECT_LIMIT: {
		int type = va_arg(ap, int);
		size_t limit = va_arg(ap, size_t);

		ret = fn(option, type, limit);
		break;
	}
	case GIT_OPT_SET_CACHE_MAX_SIZE:
		ret = fn(option, va_arg(ap, ssize_t));
		break;
	default:
		fprintf(stderr, "rendergate: git_libgit2_opts(%d) is not "
			"forwarded by hooks/dynload.c\n", option);
		abort();
	}
	va_end(ap);
	return ret;
}

/*
 * curl_easy_setopt: the option number's range says the argument's type
 * (curl/curl.h, CURLOPTTYPE_*): long, object pointer, function pointer,
 * curl_off_t, blob pointer.
 */
CURLcode curl_easy_setopt(CURL *curl, CURLoption option, ...)
{
	CURLcode (*fn)(CURL *, CURLoption, ...) =
		(CURLcode (*)(CURL *, CURLoption, ...))curl_sym(DL_curl_easy_setopt);
	va_list ap;
	CURLcode ret;

	va_start(ap, option);
	if (option < CURLOPTTYPE_OBJECTPOINT)
		ret = fn(curl, option, va_arg(ap, long));
	else if (option < CURLOPTTYPE_FUNCTIONPOINT)
		ret = fn(curl, option, va_arg(ap, void *));
	else if (option < CURLOPTTYPE_OFF_T)
		ret = fn(curl, option, va_arg(ap, void (*)(void)));
	else if (option < CURLOPTTYPE_BLOB)
		ret = fn(curl, option, va_arg(ap, curl_off_t));
	else
		ret = fn(curl, option, va_arg(ap, void *));
	va_end(ap);
	return ret;
}

/* Every CURLINFO takes a pointer to where the answer goes. */
CURLcode curl_easy_getinfo(CURL *curl, CURLINFO info, ...)
{
	CURLcode (*fn)(CURL *, CURLINFO, ...) =
		(CURLcode (*)(CURL *, CURLINFO, ...))curl_sym(DL_curl_easy_getinfo);
	va_list ap;
	void *out;

	va_start(ap, info);
	out = va_arg(ap, void *);
	va_end(ap);
	return fn(curl, info, out);
}
