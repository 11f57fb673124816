/*
 * replay.c - runs a libFuzzer harness as a plain program over a corpus
 * directory (or single files), so `make check` replays every corpus with
 * a normal build and `make asan` with sanitizers. Harnesses define
 * LLVMFuzzerTestOneInput as usual.
 */
#include "rendergate/compat.h"

#include <dirent.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t len = 0, alloc = 0, n;
	uint8_t chunk[65536];

	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		RG_ALLOC_GROW(data, len + n, alloc);
		memcpy(data + len, chunk, n);
		len += n;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(data ? data : (const uint8_t *)"", len);
	free(data);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	size_t passed = 0, failed = 0;
	const char *prog = strrchr(argv[0], '/');

	prog = prog ? prog + 1 : argv[0];
	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *e;
		char **names = NULL;
		size_t nn = 0, na = 0;

		if (stat(argv[i], &st) < 0) {
			/* no corpus yet counts as nothing to replay */
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (run_file(argv[i]) < 0)
				failed++;
			else
				passed++;
			continue;
		}
		d = opendir(argv[i]);
		if (!d) {
			failed++;
			continue;
		}
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			RG_ALLOC_GROW(names, nn + 1, na);
			names[nn++] = rg_xstrdup(e->d_name);
		}
		closedir(d);
		qsort(names, nn, sizeof(*names), cmp);
		for (size_t j = 0; j < nn; j++) {
			size_t pl = strlen(argv[i]) + strlen(names[j]) + 2;
			char *p = rg_xmalloc(pl);

			snprintf(p, pl, "%s/%s", argv[i], names[j]);
			if (run_file(p) < 0)
				failed++;
			else
				passed++;
			free(p);
			free(names[j]);
		}
		free(names);
	}
	printf("%s: %zu passed, %zu failed\n", prog, passed, failed);
	fflush(stdout);
	return failed ? 1 : 0;
}
