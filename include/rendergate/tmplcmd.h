/*
 * tmplcmd.h - `rendergate tmpl FILE`: execute one Go template the way
 * Helm 3.10.1 would, for debugging templates and for tests.
 *
 * Usage: rendergate tmpl FILE [--values VALUES.yaml]... [--data DATA.yaml]
 *        [--define FILE2]... [--help]
 *
 * FILE is parsed as the template "test/templates/_t.yaml"; each --define
 * file is parsed too (as "test/templates/<basename>"), so its defines can
 * be included. With --values the dot is the Helm-like one of
 * rg_funcs_standalone_dot() (funcs.h): .Values holds the values files
 * merged left to right (later files win, maps merge key by key, as Helm
 * coalesces -f files) with every number turned into float64, and
 * `<no value>` is removed from the output. With --data the YAML document
 * is the whole dot, with go-yaml v2 types (ints stay int), and the output
 * is Go's text/template output unchanged. Errors read like Helm's
 * (execution error at (...), parse error at (...)) with --values, like
 * Go's with --data.
 *
 * Output goes to stdout. Exit status: 0 rendered, 1 parse or execution
 * error (message on stderr, "Error: ..."), 2 usage or unreadable input.
 */
#ifndef RENDERGATE_TMPLCMD_H
#define RENDERGATE_TMPLCMD_H

/* argv[0] is "tmpl"; returns the exit status. */
int rg_cmd_tmpl(int argc, char **argv);

#endif
