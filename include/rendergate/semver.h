/*
 * semver.h - semantic versions and constraints as Masterminds/semver v3.1.1
 * (the version Helm 3.10.1 and sprig v3.2.2 use for semverCompare, chart
 * kubeVersion/dependency checks; policies use it for version sets).
 *
 * Parsing is NewVersion's: the regular expression
 *   v?N(.N)?(.N)?(-PRE)?(+META)?   (N decimal, leading zeros allowed)
 * so "1", "v1.2" and "1.2.3-rc.1+b5" are versions (missing parts are 0),
 * prerelease identifiers that are numeric must not start with 0, and
 * numbers must fit in uint64. The strict form (StrictNewVersion) needs
 * all three parts, no "v", no leading zeros.
 *
 * Ordering is semver 2.0: major, minor, patch numerically; a version with
 * a prerelease is lower than the same without; prerelease identifiers
 * compare numerically when both are numbers, numbers sort before text,
 * text compares bytewise, and a shorter list of equal prefixes is lower.
 * Build metadata is ignored.
 *
 * Constraints are NewConstraint's grammar, evaluated by Check:
 *   - "||" separates alternatives; inside one, constraints are separated
 *     by spaces or commas and all must hold;
 *   - operators = != > < >= => <= =< ~ ~> ^ and none (= "=" or, with
 *     wildcards, "~");
 *   - x, X and * are wildcards ("1.2.x", ">= 1.x", "*"), and a missing
 *     part is a wildcard ("~1.2" is "~1.2.x");
 *   - "A - B" is ">= A, <= B";
 *   - a version with a prerelease satisfies a constraint only if that
 *     constraint has a prerelease too (so ">= 1.20-0" admits
 *     "1.21.0-gke.1"), whatever the numbers say.
 * The quirks of v3.1.1 are kept (e.g. "<= 1.2" with a wildcard admits
 * everything of major 1 below or at minor 2, "> 1.x" needs major 2).
 *
 * The implementation runs the library's own regular expressions through
 * regex.h, so inputs are accepted and split exactly as the Go code does.
 * Inputs longer than RG_CAP_SEMVER_BYTES are RG_ELIMIT.
 */
#ifndef RENDERGATE_SEMVER_H
#define RENDERGATE_SEMVER_H

#include "rendergate/compat.h"
#include "rendergate/doc.h"
#include "rendergate/err.h"

struct rg_arena;
struct rg_buf;

struct rg_semver {
	uint64_t major, minor, patch;
	struct rg_str pre;	/* prerelease without '-', "" when none */
	struct rg_str meta;	/* build metadata without '+', "" when none */
	struct rg_str original; /* the text parsed */
};

/*
 * NewVersion: parse s[0..len) into *out, strings copied into arena a.
 * RG_EPARSE with the library's message ("Invalid Semantic Version",
 * "Invalid Prerelease string", "Version segment starts with 0",
 * "Error parsing version segment: ...").
 */
int rg_semver_parse(struct rg_semver *out, struct rg_arena *a, const char *s,
		    size_t len, struct rg_err *err);
/* StrictNewVersion: the same but only full, canonical X.Y.Z[-P][+M]. */
int rg_semver_parse_strict(struct rg_semver *out, struct rg_arena *a,
			   const char *s, size_t len, struct rg_err *err);

/* <0, 0, >0 by semver precedence (metadata ignored). */
int rg_semver_compare(const struct rg_semver *x, const struct rg_semver *y);

/* Version.String(): "X.Y.Z[-pre][+meta]" without a "v", appended to out. */
int rg_semver_format(struct rg_buf *out, const struct rg_semver *v);

struct rg_semver_constraints;

/*
 * NewConstraint: parse s[0..len) (arena-allocated result). RG_EPARSE with
 * "improper constraint: X" or "constraint Parser Error" as the library
 * says them.
 */
int rg_semver_constraints_parse(struct rg_semver_constraints **out,
				struct rg_arena *a, const char *s, size_t len,
				struct rg_err *err);

/* Constraints.Check: whether v satisfies any alternative. */
bool rg_semver_check(const struct rg_semver_constraints *c,
		     const struct rg_semver *v);

/*
 * Constraints.Validate: like check, and when v fails, appends to why the
 * library's reasons ("1.2.3 is less than 1.3", "... is a prerelease
 * version and the constraint is only looking for release versions"),
 * joined with "; ". why may be NULL.
 */
bool rg_semver_validate(const struct rg_semver_constraints *c,
			const struct rg_semver *v, struct rg_buf *why);

/*
 * Convenience: sprig's semverCompare(constraint, version). *out is the
 * result; errors as the two parsers above.
 */
int rg_semver_compare_str(bool *out, struct rg_arena *a, const char *cons,
			  size_t clen, const char *ver, size_t vlen,
			  struct rg_err *err);

#endif
