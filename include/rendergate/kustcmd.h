/*
 * kustcmd.h - `rendergate kustomize DIR`: a drop-in for
 * `kubectl kustomize DIR` (kustomize v5.5.0) rendered natively.
 *
 * Usage: rendergate kustomize [--load-restrictor=LoadRestrictionsRootOnly
 *        |LoadRestrictionsNone] [--reorder=legacy|none] [-o FILE] DIR
 *
 * DIR is read through a directory tree view (dirtree.h) rooted at the
 * nearest enclosing Git work tree (the directory holding .git), or at
 * DIR's filesystem root when there is none, so bases such as ../base
 * resolve while nothing outside that root can be read and symlinks are
 * never followed. Output goes to stdout (or FILE): the objects in
 * kustomize's legacy order, separated by "---". Errors are printed as
 * "Error: <file:line:col: message>" on stderr.
 *
 * Exit status: 0 rendered, 1 the kustomization could not be rendered
 * (any RG_E* error, remote resources included), 2 usage error.
 */
#ifndef RENDERGATE_KUSTCMD_H
#define RENDERGATE_KUSTCMD_H

/* argv[0] is "kustomize"; returns the exit status. */
int rg_cmd_kustomize(int argc, char **argv);

#endif
