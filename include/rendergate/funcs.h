/*
 * funcs.h - the template function registry.
 *
 * A registry maps names to struct rg_tmpl_func (tmpl.h). rg_funcs_new()
 * fills it in Go's lookup order, later tables overriding earlier ones:
 *   1. Go's built-ins (and or not len index slice print printf println
 *      html js urlquery call eq ne lt le gt ge);
 *   2. the Sprig library tables of funcs_lib.h (minus env and expandenv,
 *      which Helm deletes);
 *   3. Helm's own functions: include, tpl, required, fail, lookup (here)
 *      and toYaml/fromYaml/toJson/... (funcs_lib.h).
 * So Sprig's `slice` wins over the built-in one, as in Helm.
 *
 * The built-ins and, or (short-circuit) are evaluated by the executor
 * itself; their table entries only reserve the names.
 *
 * Helm functions here:
 *   include NAME DATA   executes a named template into a string; more than
 *                       1000 nested includes of one name fail with Helm's
 *                       "rendering template has a nested reference name"
 *   tpl TEXT DATA       parses and executes TEXT (see rg_tmpl_call_tpl);
 *                       DATA must hold Template.Name and Template.BasePath
 *   required MSG V      fails with MSG when V is nil or ""; else returns V
 *   fail MSG            always fails with MSG
 *   lookup A K NS N     always an empty map (no cluster offline)
 */
#ifndef RENDERGATE_FUNCS_H
#define RENDERGATE_FUNCS_H

#include "rendergate/compat.h"
#include "rendergate/tmpl.h"

struct rg_arena;
struct rg_funcs;

/* Go's built-in functions. */
extern const struct rg_tmpl_func rg_funcs_builtin[];
/* Helm's include, tpl, required, fail, lookup. */
extern const struct rg_tmpl_func rg_funcs_helm[];

/* The registry with every table above, allocated in a. */
struct rg_funcs *rg_funcs_new(struct rg_arena *a);
/* Add (or override) every entry of a NULL-name terminated table. */
void rg_funcs_add(struct rg_funcs *f, const struct rg_tmpl_func *table);
/* The function called name[0..len), or NULL. */
const struct rg_tmpl_func *rg_funcs_find(const struct rg_funcs *f,
					 const char *name, size_t len);
/*
 * Helm's cleanupExecError for required/fail: when err->msg holds
 * HELM_ERR_START...HELM_ERR_END, rewrite it to "execution error at
 * (FILE:LINE:COL): MSG" with the outermost template position. Leaves
 * other errors alone.
 */
void rg_funcs_helm_error(struct rg_err *err);

/*
 * Helm's cleanupParseError: rewrite a parse error "template: F:L: a: b"
 * to "parse error at (F:L): b" (the last ": "-separated part), as Helm
 * reports template parse errors; filename is used when there is no
 * location.
 */
void rg_funcs_helm_parse_error(struct rg_err *err, const char *filename);

/*
 * Numbers as Helm reads values files (sigs.k8s.io/yaml goes through JSON):
 * every RG_INT in the tree becomes an RG_FLOAT (float64), and mapping
 * keys go-yaml v2 read as booleans (`n:`, `on:`) become "false"/"true",
 * in place. NEEDSWORK: int keys in other bases (0x1F) keep their text.
 */
void rg_funcs_helm_numbers(struct rg_node *n);

/*
 * A Helm-like dot for running one template outside a chart (the
 * `rendergate tmpl` command and the template case files):
 *   .Values        values (NULL: empty), typed chartutil.Values
 *   .Release       Name "rg", Namespace "default", IsInstall true,
 *                  IsUpgrade false, Revision 1, Service "Helm"
 *   .Chart         *chart.Metadata: Name "test", Version "0.1.0",
 *                  APIVersion "v2", AppVersion/Description/Type ""
 *   .Capabilities  .KubeVersion.Version "v1.31.0" (Major "1", Minor "31")
 *   .Template      Name "test/templates/out.yaml", BasePath
 *                  "test/templates" (what tests/tmpl-oracle.sh gives)
 * Struct type names are registered in set.
 */
struct rg_node *rg_funcs_standalone_dot(struct rg_arena *a,
					struct rg_tmpl_set *set,
					struct rg_node *values);

/* Number of distinct names registered. */
size_t rg_funcs_count(const struct rg_funcs *f);

#endif
