/*
 * policy-versions.h - component versions and compatible version sets.
 *
 * A policy names components (rendergate-policy(5), VERSIONS) and says
 * where each one's version is read: the tag of images whose name
 * (registry/path, without tag) matches a pattern, the chart version of a
 * Helm release, or a label of matching objects. This module reads those
 * versions out of one environment's rendered objects and checks the
 * policy's constraints ("when api is >=2.0.0, db-migrator must be
 * >=1.4.0", Masterminds/semver ranges as Helm uses them) on them. It also
 * checks a chart's Chart.yaml dependency ranges against the subcharts
 * vendored next to it.
 *
 * All of it is pure: hooks/ or the Helm renderer hand in what they know
 * (release chart versions, vendored subcharts), findings come out.
 *
 * Findings:
 *   policy.version-set        a constraint is broken; the message names
 *                             both components, their versions and where
 *                             each was set
 *   policy.version-invalid    a version that a constraint needs is not a
 *                             semantic version
 *   policy.chart-dependency   a vendored subchart outside its range
 */
#ifndef RENDERGATE_POLICY_VERSIONS_H
#define RENDERGATE_POLICY_VERSIONS_H

#include "rendergate/compat.h"
#include "rendergate/doc.h"
#include "rendergate/err.h"

struct rg_arena;
struct rg_findings;
struct rg_objset;
struct rg_policy;
struct rg_policy_component;

/* A Helm release drawn in the environment (from the renderer). */
struct rg_policy_release {
	const char *name;    /* release name */
	const char *version; /* its chart's version (Chart.yaml) */
	struct rg_pos pos;   /* where that version is written */
};

/* One version of one component found in an environment. */
struct rg_policy_compver {
	const struct rg_policy_component *component;
	const char *version; /* as written: a tag, chart version, label */
	struct rg_pos pos;   /* where it was written */
	const char *object;  /* identity key of the object, or NULL */
};

/* Every distinct (component, version) of an environment, in the order
 * found (the first place a version was seen is kept). Arena memory. */
struct rg_policy_compvers {
	struct rg_policy_compver *items;
	size_t len, alloc;
};

/*
 * Collect the versions of every component of p from the rendered
 * objects of set and the releases rels[0..nrels) into out (which must be
 * zeroed; entries are appended). Images without a tag are skipped (a
 * digest is not a version). Errors: RG_ELIMIT from a pattern or a path
 * cap (fail closed), with err set.
 */
int rg_policy_versions_collect(struct rg_policy_compvers *out,
			       struct rg_arena *a, const struct rg_policy *p,
			       const struct rg_objset *set,
			       const struct rg_policy_release *rels,
			       size_t nrels, struct rg_err *err);

/* The versions of component name in v (NULL when none), count in *n. */
const struct rg_policy_compver *
rg_policy_versions_find(const struct rg_policy_compvers *v, const char *name,
			size_t *n);

/*
 * Check every constraint of p on the versions of environment env.
 * A constraint applies when every `when` component has at least one
 * version and all its versions are in range. Then each version of each
 * `require` component outside its range is a policy.version-set finding
 * (at that version's place), and so is a required component with no
 * version at all (at the place of the first `when` version). A version
 * that is not a semantic version is policy.version-invalid. Returns 0.
 */
int rg_policy_check_versions(struct rg_findings *out, const struct rg_policy *p,
			     const char *env,
			     const struct rg_policy_compvers *v,
			     struct rg_err *err);

/* A subchart vendored in a chart's charts/ directory. */
struct rg_policy_subchart {
	const char *name;    /* its Chart.yaml name */
	const char *version; /* its Chart.yaml version */
	struct rg_pos pos;   /* where that version is written */
};

/*
 * Check the `dependencies[*].version` ranges of a parsed Chart.yaml
 * against the vendored subcharts subs[0..n) (matched by name). A
 * dependency with no vendored subchart, or no version range, is skipped
 * (a missing chart is the renderer's finding). Bad ranges and versions
 * are findings too (policy.chart-dependency), not errors.
 */
int rg_policy_check_chart_deps(struct rg_findings *out, const char *env,
			       const struct rg_node *chart_yaml,
			       const struct rg_policy_subchart *subs, size_t n,
			       struct rg_err *err);

#endif
