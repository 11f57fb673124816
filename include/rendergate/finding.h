/*
 * finding.h - policy violations and rendering problems, as data.
 *
 * A finding is something wrong with the pushed content that rendergate
 * could still judge: a manifest without a name, two objects with the same
 * identity, an image from a registry that is not allowed. It is not an
 * error (err.h): an error means "could not decide" and fails closed, a
 * finding is a decision. Renderers (plain, Helm, Kustomize) and policy
 * produce the same type, so the report writers walk one list.
 *
 * Severity decides the verdict: any RG_SEV_DENY finding rejects the push
 * in enforce mode; RG_SEV_WARN and RG_SEV_INFO are reported only.
 *
 * All strings are arena-owned (the arena given to rg_finding_init) and
 * never NULL except where noted. At most RG_CAP_FINDINGS findings are
 * kept per list; further ones are counted in `dropped` (so a report can
 * say "and 123 more") and still counted in `ndeny`/`nwarn`/`ninfo`.
 */
#ifndef RENDERGATE_FINDING_H
#define RENDERGATE_FINDING_H

#include "rendergate/compat.h"
#include "rendergate/err.h"

struct rg_arena;
struct rg_buf;

enum rg_severity {
	RG_SEV_INFO = 0,
	RG_SEV_WARN = 1,
	RG_SEV_DENY = 2,
};

struct rg_finding {
	uint8_t severity;     /* enum rg_severity */
	const char *rule;     /* stable id: "plain.missing-name",
				 "duplicate-identity", "policy.image-allow" */
	const char *message;  /* one line, no origin prefix, no trailing dot */
	struct rg_pos origin; /* file:line:col of the offending input;
				 origin.file may be NULL */
	const char *env;      /* environment name, or NULL */
	const char *object;   /* identity key (objects.h), or NULL */
	const char *hint;     /* how to fix it, one line, or NULL */
};

struct rg_findings {
	struct rg_finding *items;
	size_t len, alloc;
	size_t dropped;		    /* over RG_CAP_FINDINGS, not kept */
	size_t ndeny, nwarn, ninfo; /* counts including dropped ones */
	struct rg_arena *arena;
};

/* Empty list allocating from a (does not allocate yet). */
void rg_finding_init(struct rg_findings *f, struct rg_arena *a);

/*
 * Append a finding and return it, so the caller can set env, object and
 * hint (or use rg_finding_set_hint). rule is copied; origin may be NULL.
 * Returns NULL when the list is full (the finding is then only counted),
 * so callers must check before setting fields.
 */
struct rg_finding *rg_finding_add(struct rg_findings *f, enum rg_severity sev,
				  const char *rule, const struct rg_pos *origin,
				  const char *fmt, ...) RG_PRINTF(5, 6);

/* Set fd->hint to a formatted arena string. fd may be NULL (no-op). */
/*
 * rg_finding_add with a va_list, also setting the finding's environment
 * (borrowed; NULL leaves it unset): for renderers that wrap it.
 */
struct rg_finding *rg_finding_vadd(struct rg_findings *f, const char *env,
				   enum rg_severity sev, const char *rule,
				   const struct rg_pos *origin, const char *fmt,
				   va_list ap);

void rg_finding_set_hint(struct rg_findings *f, struct rg_finding *fd,
			 const char *fmt, ...) RG_PRINTF(3, 4);

/* Copy every finding of src to the end of dst (strings are shared). */
void rg_finding_append(struct rg_findings *dst, const struct rg_findings *src);

/*
 * Stable sort: by severity (deny first), then origin file, line, column,
 * then rule. Findings without a file sort after those with one.
 */
void rg_finding_sort(struct rg_findings *f);

/* "deny", "warn", "info" */
const char *rg_finding_severity_name(enum rg_severity sev);

/*
 * Append one line, no newline: "file:line:col: deny: message [rule]"
 * (the origin parts that are unknown are left out), followed by
 * " (hint: ...)" when there is a hint. Returns 0 or RG_ELIMIT (buf cap).
 */
int rg_finding_format(struct rg_buf *out, const struct rg_finding *fd);

#endif
