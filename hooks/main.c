/*
 * main.c - the rendergate program: one binary, many commands.
 *
 * The command comes from argv[1] ("rendergate pre-receive") or, when the
 * binary is called through a link named like a hook, from the basename
 * of argv[0] ("hooks/pre-receive" -> pre-receive) or from the directory
 * a link sits in ("custom_hooks/pre-receive.d/rendergate" -> pre-receive,
 * the GitLab and Gitea layouts). Adding a command is
 * one line in the table below: a name, a function taking (argc, argv)
 * with argv[0] set to the command name and returning the exit code, and
 * a one-line summary for `rendergate --help`.
 */
#include "rendergate/compat.h"
#include "rendergate/chartcache.h"
#include "rendergate/cli.h"
#include "rendergate/drain.h"
#include "rendergate/helmcmd.h"
#include "rendergate/tmplcmd.h"
#include "rendergate/gate.h"
#include "rendergate/install.h"
#include "rendergate/kustcmd.h"

#include <git2.h>

#define RG_VERSION "0.1.0"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	bool by_argv0; /* may be invoked as a link with this name */
	/*
	 * needs libgit2. git_libgit2_init() loads the system CA bundle
	 * (tens of millions of instructions with mbedtls), so commands that
	 * never open a repository skip it.
	 */
	bool git;
};

static const struct command commands[] = {
    {"pre-receive", rg_gate_cmd_pre_receive,
     "git hook: gate every ref of a push (refs on stdin)", true, true},
    {"update", rg_gate_cmd_update, "git hook: gate one ref (REF OLD NEW)",
     true, true},
    {"post-receive", rg_gate_cmd_post_receive,
     "git hook: after the push (refs on stdin)", true, true},
    {"render", rg_cli_cmd_render, "print the rendered objects of a revision",
     false, true},
    {"diff", rg_cli_cmd_diff,
     "semantic diff of the rendered objects of two revisions", false, true},
    {"check", rg_cli_cmd_check,
     "report the findings of a revision (exit 1 on deny)", false, true},
    {"install", rg_install_cmd, "install the hooks into a bare repository",
     false, true},
    {"drain", rg_cmd_drain,
     "deliver spooled merge request comments and statuses", false, false},
    {"kustomize", rg_cmd_kustomize,
     "render a kustomization directory like kubectl kustomize", false, false},
    { "template", rg_cmd_template,
      "render a chart directory like helm template", false, false },
    { "tmpl", rg_cmd_tmpl,
      "execute one Go template against values (debugging)", false, false },
    {"chart-cache", rg_cmd_chart_cache,
     "add a chart to the cache that releases with repo: read", false, false},
};

static void print_help(FILE *f)
{
	fprintf(f,
		"usage: rendergate <command> [options] [args]\n"
		"       rendergate --version\n"
		"\n"
		"rendergate renders the GitOps environments a push touches and "
		"rejects\nthe push when the rendered result breaks policy.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < RG_ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-14s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(f,
		"\n"
		"Run 'rendergate <command> --help' for a command's options.\n"
		"Exit codes: 0 accepted/ok, 1 denied by findings, 2 bad input "
		"or config,\n3 internal error. See rendergate(1).\n");
}

static const struct command *find(const char *name, bool argv0)
{
	for (size_t i = 0; i < RG_ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name) &&
		    (!argv0 || commands[i].by_argv0))
			return &commands[i];
	return NULL;
}

/*
 * The hook a link in "<hook>.d/" stands for: "x/pre-receive.d/rendergate"
 * gives the pre-receive command. NULL otherwise.
 */
static const struct command *find_by_dir(const char *path, const char *base)
{
	char dir[64];
	const char *start;
	size_t n;

	if (base == path || base - path < 4 || strncmp(base - 3, ".d/", 3))
		return NULL;
	for (start = base - 3; start > path && start[-1] != '/'; start--)
		;
	n = (size_t)(base - 3 - start);
	if (n == 0 || n >= sizeof(dir))
		return NULL;
	memcpy(dir, start, n);
	dir[n] = '\0';
	return find(dir, true);
}

int main(int argc, char **argv)
{
	const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;
	const struct command *cmd;
	int rc = 2;

	base = base ? base + 1 : argc > 0 ? argv[0] : "rendergate";
	cmd = find(base, true);
	if (!cmd && argc > 0)
		cmd = find_by_dir(argv[0], base);
	if (cmd) {
		if (cmd->git)
			git_libgit2_init();
		rc = cmd->fn(argc, argv);
		goto out;
	}
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		print_help(argc < 2 ? stderr : stdout);
		rc = argc < 2 ? 2 : 0;
		goto out;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		int maj, min, rev;

		/* git_libgit2_version needs no init */
		git_libgit2_version(&maj, &min, &rev);
		printf("rendergate %s (libgit2 %d.%d.%d)\n", RG_VERSION, maj,
		       min, rev);
		rc = 0;
		goto out;
	}
	cmd = find(argv[1], false);
	if (!cmd) {
		fprintf(stderr, "rendergate: unknown command '%s'\n\n",
			argv[1]);
		print_help(stderr);
		goto out;
	}
	if (cmd->git)
		git_libgit2_init();
	rc = cmd->fn(argc - 1, argv + 1);
out:
	fflush(stdout);
	if (cmd && cmd->git)
		git_libgit2_shutdown();
	return rc;
}
