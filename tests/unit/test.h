/*
 * test.h - the unit test harness: one program per module, tests
 * registered with TEST(name) and run in order by main() (defined here,
 * include this header in exactly one file per program).
 *
 *   TEST(arena_strdup) { CHECK_STR(rg_arena_strdup(a, "x"), "x"); }
 *
 * A test fails at its first failed CHECK (it returns); the program prints
 * "ok"/"not ok" lines and, last, "<prog>: N passed, N failed", and exits
 * non-zero when any test failed. RG_TEST_FILTER=substr runs a subset.
 */
#ifndef RG_TEST_H
#define RG_TEST_H

#include "rendergate/compat.h"

struct rg_test {
	const char *name;
	void (*fn)(int *failed);
};

#define RG_TEST_MAX 4096
static struct rg_test rg_tests_[RG_TEST_MAX];
static size_t rg_ntests_;

#define TEST(name)                                                            \
	static void test_##name(int *rg_failed_);                             \
	__attribute__((constructor)) static void reg_##name(void)             \
	{                                                                     \
		if (rg_ntests_ < RG_TEST_MAX)                                 \
			rg_tests_[rg_ntests_++] =                             \
				(struct rg_test){ #name, test_##name };       \
	}                                                                     \
	static void test_##name(int *rg_failed_)

#define FAILF(...)                                                            \
	do {                                                                  \
		fprintf(stderr, "  %s:%d: ", __FILE__, __LINE__);             \
		fprintf(stderr, __VA_ARGS__);                                 \
		fputc('\n', stderr);                                          \
		*rg_failed_ = 1;                                              \
		return;                                                       \
	} while (0)

#define CHECK(cond)                                                           \
	do {                                                                  \
		if (!(cond))                                                  \
			FAILF("CHECK(%s) failed", #cond);                     \
	} while (0)

#define CHECK_INT(got, want)                                                  \
	do {                                                                  \
		long long g_ = (long long)(got), w_ = (long long)(want);      \
		if (g_ != w_)                                                 \
			FAILF("%s == %lld, want %lld", #got, g_, w_);         \
	} while (0)

#define CHECK_STR(got, want)                                                  \
	do {                                                                  \
		const char *g_ = (got), *w_ = (want);                         \
		if (!g_ || !w_ || strcmp(g_, w_) != 0)                        \
			FAILF("%s ==\n\"%s\"\n  want\n\"%s\"", #got,          \
			      g_ ? g_ : "(null)", w_ ? w_ : "(null)");        \
	} while (0)

#define CHECK_MEM(got, glen, want, wlen)                                      \
	do {                                                                  \
		if ((glen) != (wlen) || memcmp((got), (want), (glen)) != 0)   \
			FAILF("%s (%zu bytes) differs from %s (%zu bytes)",   \
			      #got, (size_t)(glen), #want, (size_t)(wlen));   \
	} while (0)

/* How many times needle occurs in s, not overlapping. */
static inline size_t test_count(const char *s, const char *needle)
{
	size_t n = 0, l = strlen(needle);

	while ((s = strstr(s, needle))) {
		n++;
		s += l;
	}
	return n;
}

int main(int argc, char **argv)
{
	const char *filter = getenv("RG_TEST_FILTER");
	const char *prog = strrchr(argv[0], '/');
	size_t passed = 0, failed = 0;

	(void)argc;
	prog = prog ? prog + 1 : argv[0];
	for (size_t i = 0; i < rg_ntests_; i++) {
		int f = 0;

		if (filter && !strstr(rg_tests_[i].name, filter))
			continue;
		rg_tests_[i].fn(&f);
		if (f) {
			printf("not ok - %s\n", rg_tests_[i].name);
			failed++;
		} else {
			printf("ok - %s\n", rg_tests_[i].name);
			passed++;
		}
		fflush(stdout);
	}
	printf("%s: %zu passed, %zu failed\n", prog, passed, failed);
	fflush(stdout);
	return failed ? 1 : 0;
}

#endif
