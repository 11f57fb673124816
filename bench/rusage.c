/*
 * bench/rusage.c - run a command and append "wall_us cpu_us maxrss_kb" to
 * the file named by $RG_BENCH_OUT: wall time from CLOCK_MONOTONIC, CPU time
 * (user + system) and peak resident memory from getrusage(RUSAGE_CHILDREN).
 * Standard input and output pass through; the exit status is the command's.
 * Built by bench/push.sh; not part of rendergate.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	const char *outpath = getenv("RG_BENCH_OUT");
	FILE *out;
	pid_t pid;
	int status = 0;
	long long wall, cpu;

	if (argc < 2 || !outpath) {
		fprintf(stderr, "usage: RG_BENCH_OUT=FILE rusage CMD [ARGS]\n");
		return 127;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid == 0) {
		execv(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		perror("rusage");
		return 127;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_CHILDREN, &ru);
	wall = (t1.tv_sec - t0.tv_sec) * 1000000LL +
	       (t1.tv_nsec - t0.tv_nsec) / 1000;
	cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000LL +
	      ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
	out = fopen(outpath, "a");
	if (out) {
		fprintf(out, "%lld %lld %ld\n", wall, cpu, ru.ru_maxrss);
		fclose(out);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}
