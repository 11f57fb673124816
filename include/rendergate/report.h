/*
 * report.h - what a run found, and the ways of telling it.
 *
 * A run (one push, or one CLI command) collects into a struct rg_report:
 * per environment whether it was rendered and why, its diff, notes for
 * the pusher, the findings of every render (finding.h) and the errors
 * that kept rendergate from deciding (err.h). The writers below turn it
 * into:
 *
 *   - pusher text (git shows it as "remote:" lines): per environment a
 *     summary ("prod-eu: 2 added, 1 changed, 0 removed") and the unified
 *     diff, cut at a byte cap with "... N more lines not shown"; then each
 *     problem as "path:line:col: message (rule)" with an indented
 *     "hint:" line, and last "rendergate: push rejected: N problem(s)";
 *   - GL-HOOK-ERR lines (forge.md 1.5): GitLab shows only lines starting
 *     with "GL-HOOK-ERR:" on its merge page, so each problem gets one;
 *   - JSON (jansson) for `--format json`.
 *
 * The verdict: any error means "could not decide" and rejects (exit 2
 * for bad input or config, 3 for an internal failure such as I/O or the
 * deadline); otherwise any deny finding rejects (exit 1); otherwise the
 * push is accepted (0). In warn mode the same report is written, marked
 * as a warning, and the exit code is 0.
 *
 * Everything is allocated in the report's arena except the error list
 * (heap, released by rg_report_release).
 */
#ifndef RENDERGATE_REPORT_H
#define RENDERGATE_REPORT_H

#include "rendergate/compat.h"
#include "rendergate/err.h"
#include "rendergate/finding.h"

struct rg_arena;
struct rg_buf;
struct rg_diff;
struct rg_node;

enum rg_exit {
	RG_EXIT_OK = 0,	      /* accepted (or warn mode) */
	RG_EXIT_DENIED = 1,   /* a deny finding */
	RG_EXIT_BADINPUT = 2, /* malformed input or config, bad usage */
	RG_EXIT_INTERNAL = 3, /* I/O, libgit2, deadline: could not decide */
};

/* One environment as seen by one ref update (or by a CLI command). */
struct rg_report_env {
	const char *ref;      /* "refs/heads/main", or NULL in the CLI */
	const char *name;     /* environment name */
	bool rendered;	      /* false: skipped (reason says why) */
	const char *reason;   /* one line, for --trace */
	struct rg_diff *diff; /* NULL when not diffed */
	const char *note;     /* optional remark, e.g. "the old state could
				 not be rendered; showing every object as
				 added" */
};

struct rg_report {
	struct rg_arena *arena;
	struct rg_report_env *envs;
	size_t nenvs, envs_alloc;
	struct rg_findings findings;
	struct rg_errlist errors; /* failures: could not decide */
	const char **notes;	  /* one-line remarks for the pusher */
	size_t nnotes, notes_alloc;
	bool warn_mode; /* server config mode: warn */
	bool cli;	/* wording for a command, not a push */
};

/* Set up an empty report allocating from a. */
void rg_report_init(struct rg_report *r, struct rg_arena *a);
/* Release the heap part (the error list). */
void rg_report_release(struct rg_report *r);

/* Add an environment entry (strings are copied); returns it. */
struct rg_report_env *rg_report_add_env(struct rg_report *r, const char *ref,
					const char *name, bool rendered,
					const char *reason);
/* Add a formatted note. */
void rg_report_note(struct rg_report *r, const char *fmt, ...) RG_PRINTF(2, 3);
/* Add an error (copied). */
void rg_report_error(struct rg_report *r, const struct rg_err *err);

/* Errors plus deny findings. */
size_t rg_report_problems(const struct rg_report *r);

/*
 * The exit code of the verdict (see above); warn mode gives RG_EXIT_OK.
 * rg_report_exit_code_strict ignores warn mode (what enforce would do).
 */
int rg_report_exit_code(const struct rg_report *r);
int rg_report_exit_code_strict(const struct rg_report *r);

/* The exit code for an error code: 2 for input problems, 3 otherwise. */
int rg_report_exit_for(int errcode);

/*
 * Pusher text into out. diff_cap bounds the bytes of diff text (the
 * summaries, notes and problems are always written); 0 means
 * RG_CAP_REPORT_TERM_BYTES. The lines left out are counted ("... N more
 * lines not shown", naming RG_CAP_REPORT_TERM_BYTES when that was the
 * bound). Returns 0 or RG_ELIMIT (out's cap).
 */
int rg_report_text(struct rg_buf *out, const struct rg_report *r,
		   size_t diff_cap);

/*
 * The last line for the pusher: "rendergate: push accepted", "...push
 * rejected: N problem(s)" or the warn-mode wording. rg_report_text ends
 * with it (except for CLI reports); problem lines are listed only while
 * they leave room for it under out's cap, the rest are counted.
 */
int rg_report_verdict(struct rg_buf *out, const struct rg_report *r);

/* Trace lines ("rendergate: trace: <ref>: <env>: rendered: <why>"). */
int rg_report_trace(struct rg_buf *out, const struct rg_report *r);

/*
 * One "GL-HOOK-ERR: ..." line per problem, at most RG_REPORT_GLHOOK_MAX
 * (GitLab joins them into one message), then "... and N more" and a
 * closing line; nothing when there is no problem.
 */
#define RG_REPORT_GLHOOK_MAX 20
int rg_report_glhook(struct rg_buf *out, const struct rg_report *r);

/* The whole report as one JSON object, pretty-printed, ending in '\n'. */
int rg_report_json(struct rg_buf *out, const struct rg_report *r);

/*
 * A document-model node as JSON text (compact, keys in document order)
 * appended to out; for `render --format json`. Returns 0 or RG_ELIMIT.
 */
int rg_report_node_json(struct rg_buf *out, const struct rg_node *n);

#endif
