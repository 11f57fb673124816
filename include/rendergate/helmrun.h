/*
 * helmrun.h - running the server's helm binary for releases with
 * `engine: helm` (the runner of helmexec.h).
 *
 * One run:
 *
 *   1. the binary must be configured (helm_binary in the server config)
 *      and be an executable regular file; otherwise the release is
 *      unrenderable and the message names helm_binary;
 *   2. a private work directory is made with mkdtemp(3) (mode 0700) in
 *      $TMPDIR (or /tmp), and the job's files written into it (0600,
 *      never through an existing file or link);
 *   3. helm runs in its own process group, in the job's cwd, with
 *      standard input /dev/null, no other inherited descriptors, and a
 *      clean environment: PATH, LC_ALL=C, and HOME, TMPDIR, KUBECONFIG
 *      and every HELM_*_HOME / HELM_* config path pointing into the work
 *      directory, so nothing of the server account's helm setup (plugins,
 *      repositories, registries, kube contexts) is used;
 *   4. its output is read up to RG_CAP_HELM_OUTPUT_BYTES (standard
 *      output) and RG_CAP_HELM_STDERR_BYTES (standard error) until it
 *      exits or the time limit passes; then (and in every case, so
 *      nothing it started survives) its process group is killed and the
 *      work directory removed. SIGALRM (the gate's watchdog) is blocked
 *      for the run and the cleanup, so a deadline firing meanwhile takes
 *      effect only once nothing is left behind; the time limit is set
 *      inside the deadline so that is soon.
 *
 * Outcomes: 0 with the output; helm exiting non-zero or killed by a
 * signal: "unrenderable: helm template exited with status N: <helm's
 * error>" (RG_EINVALID; the standard error trimmed to its "Error:" part,
 * control characters replaced, the work directory's path removed, at most
 * RG_CAP_HELM_STDERR_SHOWN bytes); the time limit: RG_ETIMEOUT naming it;
 * too much output: RG_ELIMIT naming the cap; the work directory or the
 * process cannot be set up: RG_EIO.
 */
#ifndef RENDERGATE_HELMRUN_H
#define RENDERGATE_HELMRUN_H

#include "rendergate/compat.h"
#include "rendergate/err.h"

struct rg_arena;
struct rg_config_server;
struct rg_helmexec;
struct rg_helmexec_job;

struct rg_helmrun_opts {
	const char *binary;	 /* absolute path, or NULL: not configured */
	const char *config_file; /* the server config's name, for messages */
	uint64_t timeout_ms;	 /* this run's time limit (> 0) */
	const char *limit_name;	 /* what set it, for messages:
				    "helm_timeout" */
	const char *tmpdir;	 /* NULL: $TMPDIR, else /tmp */
	size_t max_output;	 /* 0: RG_CAP_HELM_OUTPUT_BYTES */
};

/* Run job as described above; *out (arena) and *len are its output. */
int rg_helmrun_exec(const char **out, size_t *len,
		    const struct rg_helmrun_opts *o,
		    const struct rg_helmexec_job *job, struct rg_arena *a,
		    struct rg_err *err);

/*
 * The runner to put into a repository config (rg_config_repo.helm_exec):
 * srv's helm_binary, each run limited to helm_timeout and to what is left
 * of srv's deadline, counted from start_ms (rg_gate_now_ms), minus a
 * margin for the rest of the hook (a tenth of the deadline, 50 ms to 1 s).
 * A run with no time left fails at once with RG_ETIMEOUT. Lives in a.
 */
const struct rg_helmexec *rg_helmrun_new(struct rg_arena *a,
					 const struct rg_config_server *srv,
					 uint64_t start_ms);

#endif
