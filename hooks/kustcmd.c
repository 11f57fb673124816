/*
 * kustcmd.c - `rendergate kustomize DIR` (see kustcmd.h).
 */
#include "rendergate/compat.h"

#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/dirtree.h"
#include "rendergate/kust.h"
#include "rendergate/kustcmd.h"
#include "rendergate/tree.h"

#include <sys/stat.h>
#include <unistd.h>

static void usage(void)
{
	fprintf(stderr,
		"usage: rendergate kustomize [--load-restrictor="
		"LoadRestrictionsRootOnly|LoadRestrictionsNone]\n"
		"                            [--reorder=legacy|none] [-o FILE] "
		"DIR\n");
}

/* Split the absolute directory abs into a tree root (the nearest
 * ancestor holding .git, else "/") and the path below it. */
static void find_root(char *abs, const char **root, const char **rel)
{
	size_t len = strlen(abs), n = len;
	char probe[RG_CAP_PATH_BYTES + 8];
	struct stat st;

	while (n > 1) {
		int k = snprintf(probe, sizeof(probe), "%.*s/.git", (int)n, abs);

		if (k > 0 && (size_t)k < sizeof(probe) && lstat(probe, &st) == 0)
			break;
		while (n > 0 && abs[n - 1] != '/')
			n--;
		if (n > 0)
			n--;
	}
	if (n <= 1) {
		*root = "/";
		*rel = abs + 1;
		return;
	}
	*rel = n < len ? abs + n + 1 : "";
	abs[n] = 0;
	*root = abs;
}

int rg_cmd_kustomize(int argc, char **argv)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_buf out = RG_BUF_INIT(RG_CAP_YAML_EMIT_BYTES);
	struct rg_kust_result res = { NULL, 0 };
	struct rg_tree *t = NULL;
	const char *dir = NULL, *outfile = NULL, *root, *rel;
	char *abs = NULL;
	unsigned flags = 0;
	int status = 1, rc;

	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (!strcmp(s, "--load-restrictor=LoadRestrictionsNone") ||
		    (!strcmp(s, "--load-restrictor") && i + 1 < argc &&
		     !strcmp(argv[i + 1], "LoadRestrictionsNone"))) {
			flags |= RG_KUST_LOAD_ANYWHERE;
			i += s[17] == 0;
		} else if (!strcmp(s, "--load-restrictor=LoadRestrictionsRootOnly")) {
			flags &= ~(unsigned)RG_KUST_LOAD_ANYWHERE;
		} else if (!strcmp(s, "--reorder=none")) {
			flags |= RG_KUST_FIFO;
		} else if (!strcmp(s, "--reorder=legacy")) {
			flags &= ~(unsigned)RG_KUST_FIFO;
		} else if (!strcmp(s, "-o") && i + 1 < argc) {
			outfile = argv[++i];
		} else if (s[0] == '-' && s[1]) {
			usage();
			status = 2;
			goto out;
		} else if (!dir) {
			dir = s;
		} else {
			usage();
			status = 2;
			goto out;
		}
	}
	if (!dir)
		dir = ".";
	abs = realpath(dir, NULL);
	if (!abs) {
		fprintf(stderr, "Error: %s: %s\n", dir, strerror(errno));
		goto out;
	}
	find_root(abs, &root, &rel);
	t = rg_dirtree_new(a, root, root, &err);
	if (!t)
		goto fail;
	rg_dirtree_skip_ids(t); /* nothing keys on them in a one-shot render */
	rc = rg_kust_build(&res, a, t, rel, flags, &err);
	if (rc)
		goto fail;
	rc = rg_kust_emit(&out, &res);
	if (rc) {
		rg_err_set(&err, rc, NULL,
			   "output larger than %u bytes (RG_CAP_YAML_EMIT_BYTES)",
			   RG_CAP_YAML_EMIT_BYTES);
		goto fail;
	}
	if (outfile) {
		FILE *f = fopen(outfile, "w");

		if (!f || fwrite(out.ptr, 1, out.len, f) != out.len) {
			fprintf(stderr, "Error: %s: %s\n", outfile,
				strerror(errno));
			if (f)
				fclose(f);
			goto out;
		}
		if (fclose(f)) {
			fprintf(stderr, "Error: %s: %s\n", outfile,
				strerror(errno));
			goto out;
		}
	} else if (fwrite(out.ptr, 1, out.len, stdout) != out.len ||
		   fflush(stdout)) {
		fprintf(stderr, "Error: writing output: %s\n", strerror(errno));
		goto out;
	}
	status = 0;
	goto out;
fail: {
	char msg[RG_ERR_MSG_MAX + RG_ERR_FILE_MAX + 64];

	rg_err_format(&err, msg, sizeof(msg));
	fprintf(stderr, "Error: %s\n", msg);
}
out:
	rg_tree_free(t);
	rg_buf_release(&out);
	free(abs);
	rg_arena_free(a);
	return status;
}
