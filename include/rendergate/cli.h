/*
 * cli.h - the commands people run by hand, inside a repository (bare or
 * not, found by searching upward from the current directory):
 *
 *   rendergate render [--env NAME] [REV]    the rendered YAML stream
 *   rendergate diff [--env NAME] OLD NEW    the semantic diff
 *   rendergate check [--env NAME] [REV]     findings; exit 1 on any deny
 *
 * REV defaults to HEAD. The environments come from .rendergate.yaml in
 * REV (for diff: in OLD, else NEW, the same rule the hook follows). Without
 * --env, every environment whose path exists in the revision is used
 * (diff: those whose inputs changed between OLD and NEW, by the same
 * scoping as the hook).
 *
 * Common options: --format text|json, --trace (or RENDERGATE_TRACE=1:
 * which environments were rendered and why, on stderr), --config FILE
 * (the server config: mode and deadline), --help.
 *
 * Exit codes as the hooks: 0 ok, 1 a deny finding, 2 bad usage, input or
 * config, 3 internal error.
 */
#ifndef RENDERGATE_CLI_H
#define RENDERGATE_CLI_H

int rg_cli_cmd_render(int argc, char **argv);
int rg_cli_cmd_diff(int argc, char **argv);
int rg_cli_cmd_check(int argc, char **argv);

#endif
