/*
 * install.h - `rendergate install`: put the hooks where a server runs them.
 *
 *   rendergate install [--gitlab|--gitea] [--config FILE] [--force] PATH.git
 *
 * Each hook is a two-line shell script that execs this binary by its
 * absolute path (found through /proc/self/exe), with --config baked in
 * when given, because GitLab rebuilds the hook environment from an
 * allow-list and RENDERGATE_CONFIG would not survive it:
 *
 *   plain git  PATH/hooks/pre-receive, PATH/hooks/post-receive
 *   GitLab     PATH/custom_hooks/pre-receive.d/rendergate (+ post-receive.d)
 *   Gitea      PATH/hooks/pre-receive.d/rendergate (+ post-receive.d);
 *              Gitea's own hooks/pre-receive runs every file there
 *
 * A file already there that rendergate did not write (it lacks the
 * marker line) is left alone and the command fails, unless --force.
 * Exit codes: 0 installed, 2 bad usage or a foreign hook in the way,
 * 3 a file could not be written.
 */
#ifndef RENDERGATE_INSTALL_H
#define RENDERGATE_INSTALL_H

/* The line that marks a hook script as written by rendergate install. */
#define RG_INSTALL_MARKER "# written by rendergate install"

/* The `install` command (argv[0] is "install"); returns the exit code. */
int rg_install_cmd(int argc, char **argv);

#endif
