/*
 * helmcmd.h - `rendergate template`, a drop-in for `helm template`.
 *
 *   rendergate template [NAME] CHART [-f FILE]... [--set K=V]...
 *       [--set-string K=V]... [-n|--namespace NS] [--kube-version V]
 *       [-a|--api-versions V]... [--include-crds] [--skip-tests]
 *       [--no-hooks] [--is-upgrade]
 *
 * CHART is a chart directory on disk (read through a directory tree view:
 * symlinks are never followed) or a packaged chart file (.tgz, read with
 * the bounded archive reader, tgz.h). Values files are read from the file
 * system relative to the current directory, merged in order, then the
 * --set and --set-string arguments are applied, as Helm does. The output
 * is what Helm 3.10.1 prints: "---\n# Source: ...\n" documents, CRDs
 * first (with --include-crds), hooks last. Errors go to stderr as
 * "Error: ..." and the exit status is 1 (2 for usage errors).
 */
#ifndef RENDERGATE_HELMCMD_H
#define RENDERGATE_HELMCMD_H

/* argv[0] is "template"; returns the exit status. */
int rg_cmd_template(int argc, char **argv);

#endif
