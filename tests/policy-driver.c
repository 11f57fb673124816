/*
 * policy-driver.c - times rg_policy_check_objects in-process, for
 * bench/policy.sh:
 *
 *   policy-driver ROUNDS OBJECTS.yaml POLICY.yaml...
 *
 * parses OBJECTS.yaml (a YAML stream, one object per document) into one
 * environment's object set and the policy files (as admin files), then
 * checks the set ROUNDS times, each with fresh findings. Prints on
 * standard output one line "objects N rules R findings F" and one line
 * per round with its wall time and its CPU time (this process) in
 * milliseconds; on a loaded machine the CPU time is the fairer figure. Exit status 2 for bad
 * input, 3 when the check fails (could not decide).
 */
#include "rendergate/compat.h"

#include <time.h>

#include "rendergate/arena.h"
#include "rendergate/doc.h"
#include "rendergate/finding.h"
#include "rendergate/objects.h"
#include "rendergate/policy.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = rg_xmalloc((size_t)n + 1);
		*len = fread(buf, 1, (size_t)n, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

static double ms_since(clockid_t clock, const struct timespec *a)
{
	struct timespec b;

	clock_gettime(clock, &b);
	return (double)(b.tv_sec - a->tv_sec) * 1e3 +
	       (double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

int main(int argc, char **argv)
{
	long rounds = argc > 3 ? strtol(argv[1], NULL, 10) : 0;
	struct rg_arena *a = rg_arena_new();
	struct rg_errlist errs = RG_ERRLIST_INIT;
	struct rg_err err = RG_ERR_INIT;
	struct rg_policy_file *files = NULL;
	struct rg_policy *p = NULL;
	struct rg_findings f;
	struct rg_objset set;
	struct rg_docs docs;
	char *text = NULL;
	size_t len = 0, nfiles = (size_t)(argc > 3 ? argc - 3 : 0);
	int rc = 0;

	if (rounds < 1 || rounds > 10000) {
		fprintf(stderr, "usage: policy-driver ROUNDS OBJECTS.yaml "
				"POLICY.yaml...\n");
		rc = 2;
		goto out;
	}
	text = slurp(argv[2], &len);
	if (!text ||
	    rg_doc_parse(&docs, a, argv[2], text, len, 0, &err) < 0) {
		fprintf(stderr, "policy-driver: %s: %s\n", argv[2],
			text ? err.msg : "cannot read");
		rc = 2;
		goto out;
	}
	rg_finding_init(&f, a);
	rg_objset_init(&set, a);
	for (size_t i = 0; i < docs.len; i++)
		if (rg_objset_add_doc(NULL, &set, docs.docs[i], &f, "plain",
				      "bench", &err) < 0) {
			fprintf(stderr, "policy-driver: %s\n", err.msg);
			rc = 2;
			goto out;
		}
	files = rg_arena_calloc(a, nfiles, sizeof(*files));
	for (size_t i = 0; i < nfiles; i++) {
		files[i].name = argv[3 + i];
		files[i].data = slurp(argv[3 + i], &files[i].len);
		files[i].origin = RG_POLICY_ADMIN;
		if (!files[i].data) {
			fprintf(stderr, "policy-driver: cannot read %s\n",
				argv[3 + i]);
			rc = 2;
			goto out;
		}
	}
	if (rg_policy_load(&p, a, files, nfiles, &errs) < 0) {
		for (size_t i = 0; i < errs.len; i++)
			fprintf(stderr, "policy-driver: %s:%u: %s\n",
				errs.items[i].file, errs.items[i].line,
				errs.items[i].msg);
		rc = 2;
		goto out;
	}
	for (long r = 0; r < rounds; r++) {
		struct timespec t0, c0;
		double ms, cpu;

		rg_finding_init(&f, a);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
		if (rg_policy_check_objects(&f, p, "bench", &set, &err) < 0) {
			fprintf(stderr, "policy-driver: %s\n", err.msg);
			rc = 3;
			goto out;
		}
		cpu = ms_since(CLOCK_PROCESS_CPUTIME_ID, &c0);
		ms = ms_since(CLOCK_MONOTONIC, &t0);
		if (r == 0)
			printf("objects %zu rules %zu findings %zu\n", set.len,
			       p->nrules, f.len);
		if (r == 0 && getenv("POLICY_DRIVER_FINDINGS"))
			for (size_t i = 0; i < f.len; i++)
				fprintf(stderr, "%s %s\n", f.items[i].rule,
					f.items[i].message);
		printf("%.3f %.3f\n", ms, cpu);
	}
out:
	for (size_t i = 0; files && i < nfiles; i++)
		free((char *)files[i].data);
	free(text);
	rg_policy_free(p);
	rg_errlist_release(&errs);
	rg_arena_free(a);
	return rc;
}
