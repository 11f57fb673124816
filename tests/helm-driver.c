/*
 * helm-driver.c - times rg_cmd_template in-process, for bench/helm.sh:
 *
 *   helm-driver ROUNDS template [ARGS...] CHART
 *
 * renders ROUNDS times (output to /dev/null) and prints the median wall
 * time of one render in milliseconds on standard error: the engine
 * without the process start-up of the full binary (dynamic linking,
 * libgit2 initialisation). Exit status: that of the first failing render,
 * else 0.
 */
#include "rendergate/compat.h"

#include <time.h>

#include "rendergate/helmcmd.h"

static int cmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

int main(int argc, char **argv)
{
	long rounds = argc > 2 ? strtol(argv[1], NULL, 10) : 0;
	double *t;

	if (rounds < 1 || rounds > 1000) {
		fprintf(stderr, "usage: helm-driver ROUNDS template ARGS...\n");
		return 2;
	}
	if (!freopen("/dev/null", "w", stdout))
		return 2;
	t = rg_xcalloc((size_t)rounds, sizeof(*t));
	for (long r = 0; r < rounds; r++) {
		struct timespec a, b;
		int rc;

		clock_gettime(CLOCK_MONOTONIC, &a);
		rc = rg_cmd_template(argc - 2, argv + 2);
		clock_gettime(CLOCK_MONOTONIC, &b);
		if (rc) {
			free(t);
			return rc;
		}
		t[r] = (double)(b.tv_sec - a.tv_sec) * 1e3 +
		       (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	}
	qsort(t, (size_t)rounds, sizeof(*t), cmp);
	fprintf(stderr, "%.3f\n",
		rounds % 2 ? t[rounds / 2]
			   : (t[rounds / 2 - 1] + t[rounds / 2]) / 2);
	free(t);
	return 0;
}
