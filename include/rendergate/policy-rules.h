/*
 * policy-rules.h - field paths, conditions and generic rules on objects.
 *
 * A generic rule (rendergate-policy(5), section RULES) selects objects by
 * kind, apiVersion, namespace, name and labels, and fires when its
 * conditions on field paths hold. This module compiles rules (from the
 * policy loader, policy.c) and evaluates one rule against one object. It
 * is pure: nodes in, a verdict and the offending place out.
 *
 * Field paths
 * -----------
 *   spec.template.spec.containers[*].securityContext.privileged
 *   metadata.annotations["example.com/owner"]
 *   $podmeta.annotations["sidecar.example.com*"]
 *   $containers[*].ports[*].hostPort
 *
 * A path is a list of segments: a key (`name`, or `["any key"]` when it
 * holds dots, brackets or quotes), a list index (`[3]`), a wildcard
 * (`[*]`: every item of a list, or every value of a mapping) or a key
 * prefix (`["prefix*"]`: every value whose key starts with prefix). A
 * path may begin with a root that is not the object itself:
 *
 *   $podspec     the pod spec of a pod-bearing object (see
 *                policy-images.h: Pod spec, workload spec.template.spec,
 *                CronJob spec.jobTemplate.spec.template.spec, or a
 *                configured custom-resource path);
 *   $podmeta     the metadata next to that pod spec (Pod: metadata;
 *                workloads: spec.template.metadata);
 *   $containers  a list made of the pod spec's containers, then
 *                initContainers, then ephemeralContainers.
 *
 * On an object without a pod spec, a path with such a root selects
 * nothing at all, so no condition on it holds.
 *
 * Walking a path yields places: a value found at the end, or a place
 * where the path stops because a key or index is missing (a mapping
 * without the key, a scalar where a mapping was expected). A wildcard
 * over an empty list yields no places. The number of places is capped by
 * RG_CAP_POLICY_PATH_HITS (RG_ELIMIT).
 *
 * Conditions
 * ----------
 * A condition is a path and one test. It holds when at least one place
 * the path selects passes the test:
 *
 *   exists: true        the value is there and not null
 *   absent: true        the place is missing, or its value is null
 *   equals: V           scalar equal to V (ints and floats compare as
 *                       numbers; strings, booleans and null exactly)
 *   not_equals: V       present, not null, and not equal to V
 *   matches: RE         a scalar whose text matches the pattern
 *   not_matches: RE     a scalar whose text does not match
 *   one_of: [V...]      equal to one of the values
 *   not_one_of: [V...]  present, not null, equal to none of them
 *   lt/le/gt/ge: N      a number (int or float, or a string holding a
 *                       decimal number) compared with N
 *
 * Missing places pass only `absent`. So `not_equals: 0` on
 * `$containers[*].ports[*].hostPort` finds a non-zero host port and
 * ignores ports without one. Patterns use Go (RE2) syntax through
 * regex.h and are unanchored: write ^...$ to match the whole text.
 *
 * Rules
 * -----
 * A rule fires on an object when its `match` selects the object and
 * every condition of `all` holds and at least one condition of `any`
 * holds (an empty or missing `all` or `any` counts as holding; a rule
 * with neither fires on every object it matches). One rule gives at
 * most one finding per object; the place reported is the first passing
 * place of the first holding `any` condition, else of the first `all`
 * condition. Conditions are independent: `all` with two paths under
 * `[*]` does not require both to hold for the same list item.
 */
#ifndef RENDERGATE_POLICY_RULES_H
#define RENDERGATE_POLICY_RULES_H

#include "rendergate/compat.h"
#include "rendergate/doc.h"
#include "rendergate/err.h"

struct rg_arena;
struct rg_buf;
struct rg_regex;

enum rg_rules_root {
	RG_RULES_ROOT_OBJECT = 0,
	RG_RULES_ROOT_PODSPEC,
	RG_RULES_ROOT_PODMETA,
	RG_RULES_ROOT_CONTAINERS,
};

enum rg_rules_seg_kind {
	RG_RULES_SEG_KEY = 0, /* one mapping key */
	RG_RULES_SEG_INDEX,   /* one list index */
	RG_RULES_SEG_ALL,     /* [*] */
	RG_RULES_SEG_PREFIX,  /* ["prefix*"]: mapping keys with that prefix */
};

struct rg_rules_seg {
	uint8_t kind;	 /* enum rg_rules_seg_kind */
	const char *key; /* KEY and PREFIX: arena string */
	size_t keylen;
	size_t index; /* INDEX */
};

struct rg_rules_path {
	uint8_t root; /* enum rg_rules_root */
	struct rg_rules_seg *segs;
	size_t nsegs;
	const char *text; /* as written, for messages */
};

/*
 * Parse a field path (syntax above) into arena memory. Errors: RG_EPARSE
 * with a message naming the column inside the path ("bad field path
 * 'a..b': empty key at offset 2"), RG_ELIMIT over RG_CAP_POLICY_PATH_SEGS
 * segments. err has no origin; the caller adds the policy position.
 */
int rg_rules_path_parse(struct rg_rules_path *out, struct rg_arena *a,
			const char *text, struct rg_err *err);

/*
 * Where a pod-bearing object keeps its pod: filled by
 * rg_images_pod_view() (policy-images.h). All NULL for other objects.
 * The path strings are the concrete paths ("spec.template.spec").
 */
struct rg_rules_pod {
	const struct rg_node *spec;
	const struct rg_node *meta; /* may be NULL even when spec is set */
	const char *spec_path;
	const char *meta_path;
};

struct rg_rules_walk;

/* One place a path selects. */
struct rg_rules_place {
	const struct rg_node *node; /* the value; NULL when missing */
	const struct rg_node *near; /* deepest node reached (never NULL) */
	struct rg_rules_walk *walk; /* for rg_rules_place_path */
};

/*
 * The place's concrete path, "spec.containers[1].image" (a missing
 * place ends with the rest of the path as written). Built on demand;
 * valid during the callback only, and until the next call.
 */
const char *rg_rules_place_path(const struct rg_rules_place *p);

/* Called for each place; a non-zero return stops the walk and is
 * returned by rg_rules_path_walk. */
typedef int (*rg_rules_place_fn)(void *ctx, const struct rg_rules_place *p);

/*
 * Walk path over obj (and pod for the $ roots; pod may be NULL). Places
 * come in document order. Returns 0, fn's non-zero return, or RG_ELIMIT
 * (err says which cap) when more than RG_CAP_POLICY_PATH_HITS places
 * were visited.
 */
int rg_rules_path_walk(const struct rg_rules_path *path,
		       const struct rg_node *obj,
		       const struct rg_rules_pod *pod, rg_rules_place_fn fn,
		       void *ctx, struct rg_err *err);

enum rg_rules_op {
	RG_RULES_EXISTS = 0,
	RG_RULES_ABSENT,
	RG_RULES_EQUALS,
	RG_RULES_NOT_EQUALS,
	RG_RULES_MATCHES,
	RG_RULES_NOT_MATCHES,
	RG_RULES_ONE_OF,
	RG_RULES_NOT_ONE_OF,
	RG_RULES_LT,
	RG_RULES_LE,
	RG_RULES_GT,
	RG_RULES_GE,
};

struct rg_rules_cond {
	struct rg_rules_path path;
	uint8_t op;		     /* enum rg_rules_op */
	const struct rg_node *value; /* EQUALS, NOT_EQUALS: a scalar;
					ONE_OF, NOT_ONE_OF: a sequence */
	struct rg_regex *re;	     /* MATCHES, NOT_MATCHES (owned) */
	const char *pattern;	     /* its text */
	double num;		     /* LT..GE */
	struct rg_pos pos;	     /* the condition in the policy file */
};

/* A label selector entry: the label must exist with exactly this value. */
struct rg_rules_label {
	const char *key;
	const char *value;
};

struct rg_rules_match {
	const char **kinds; /* exact kind names; none = every kind */
	size_t nkinds;
	const char **api_versions; /* exact apiVersions; none = any */
	size_t napi_versions;
	const char **namespaces; /* globs (cfgread.h); none = any */
	size_t nnamespaces;
	struct rg_regex *name; /* pattern on metadata.name, or NULL (owned) */
	const char *name_text;
	struct rg_pos name_pos;
	struct rg_rules_label *labels;
	size_t nlabels;
	const char **environments; /* globs; none = every environment */
	size_t nenvironments;
};

struct rg_rules_rule {
	const char *id;
	uint8_t severity; /* enum rg_severity (finding.h): DENY or WARN */
	const char *description; /* or NULL */
	struct rg_rules_match match;
	struct rg_rules_cond *all;
	size_t nall;
	struct rg_rules_cond *any;
	size_t nany;
	const char *message; /* template (see rg_rules_message), or NULL */
	const char *hint;    /* template, or NULL */
	struct rg_pos pos;   /* the rule's entry in the policy file */
};

/*
 * What a match section looks at, read once per object (not once per
 * rule): strings are NULL when the object has none.
 */
struct rg_rules_subject {
	const char *kind, *api_version, *namespace, *name;
	const struct rg_node *labels; /* metadata.labels, or NULL */
};

/* Fill s from obj. */
void rg_rules_subject_init(struct rg_rules_subject *s,
			   const struct rg_node *obj);

/*
 * Does the rule's match section select this object in environment env
 * (env may be NULL: a rule with `environments` then does not apply)?
 * RG_ELIMIT/RG_ERROR from the name pattern (fail closed), with err at
 * the pattern's place in the policy.
 */
int rg_rules_match_object(bool *out, const struct rg_rules_rule *r,
			  const struct rg_rules_subject *s, const char *env,
			  struct rg_err *err);

/* What made a rule fire. */
struct rg_rules_result {
	const struct rg_rules_cond *cond; /* the reported condition */
	const struct rg_node *node;	  /* offending value, or NULL */
	const struct rg_node *near;	  /* deepest node reached */
	char path[512];			  /* concrete path (cut if longer) */
};

/*
 * Evaluate the rule's conditions on obj (match not checked here). *fired
 * tells whether it fires; when it does, res describes the place. Errors
 * (pattern match limit: RG_ELIMIT; path caps) carry the condition's
 * policy position, so the pusher sees which rule could not be decided.
 */
int rg_rules_eval(bool *fired, struct rg_rules_result *res,
		  const struct rg_rules_rule *r, const struct rg_node *obj,
		  const struct rg_rules_pod *pod, struct rg_err *err);

/*
 * Test one condition on one object: *holds, and res (may be NULL) for
 * the first passing place.
 */
int rg_rules_cond_eval(bool *holds, struct rg_rules_result *res,
		       const struct rg_rules_cond *c, const struct rg_node *obj,
		       const struct rg_rules_pod *pod, struct rg_err *err);

/*
 * Message templates: text with placeholders {rule} {kind} {name}
 * {namespace} {env} {path} {value}; `{{` and `}}` stand for literal
 * braces. Check a template at load time: 0, or RG_EINVALID with a
 * message naming the unknown placeholder or the unclosed brace.
 */
int rg_rules_template_check(const char *tmpl, struct rg_err *err);

/* Values for the placeholders; any may be NULL (expands to ""). */
struct rg_rules_vars {
	const char *rule, *kind, *name, *ns, *env, *path;
	const struct rg_node *value;
};

/*
 * Expand a checked template into an arena string, at most
 * RG_CAP_POLICY_MESSAGE_BYTES bytes (longer text is cut and ends in
 * "..."). {value} prints scalars as text (strings without quotes, cut to
 * 200 bytes), "null", or "a mapping"/"a list".
 */
const char *rg_rules_expand(struct rg_arena *a, const char *tmpl,
			    const struct rg_rules_vars *v);

/* A scalar's text as {value} and `matches` see it, into out (NUL-
 * terminated, cut to outsz); false for mappings and lists. */
bool rg_rules_scalar_text(const struct rg_node *n, char *out, size_t outsz);

/* Free the compiled patterns of a rule (the rest is arena memory). */
void rg_rules_rule_release(struct rg_rules_rule *r);

/* The operator's name as written in policies ("not_one_of"). */
const char *rg_rules_op_name(enum rg_rules_op op);

#endif
