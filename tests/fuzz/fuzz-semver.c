/*
 * fuzz-semver.c - semantic version and constraint parsing on arbitrary
 * bytes: the first line is a constraint, the rest a version. Parsing must
 * fail cleanly or succeed; a parsed version formats and parses again to
 * an equal version, and checking never crashes. (Check and Validate may
 * disagree: the library's Validate rejects a prerelease version for every
 * constraint without a prerelease, even "!= 3.2.1", where Check accepts.)
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/semver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_semver_constraints *cs = NULL;
	struct rg_semver v, w;
	const char *s = (const char *)data;
	const char *nl = memchr(s, '\n', size);
	size_t clen = nl ? (size_t)(nl - s) : size;
	const char *ver = nl ? nl + 1 : s;
	size_t vlen = nl ? size - clen - 1 : size;
	int crc = rg_semver_constraints_parse(&cs, a, s, clen, &err);
	int vrc = rg_semver_parse(&v, a, ver, vlen, &err);

	if (vrc == 0) {
		struct rg_buf b = RG_BUF_INIT(1 << 16);

		rg_semver_format(&b, &v);
		if (rg_semver_parse(&w, a, b.ptr, b.len, &err) != 0 || rg_semver_compare(&v, &w) != 0)
			RG_BUG("formatted version %s does not read back", b.ptr);
		rg_buf_release(&b);
		if (crc == 0) {
			struct rg_buf why = RG_BUF_INIT(1 << 16);

			/* validate never accepts what check rejects */
			if (!rg_semver_check(cs, &v) && rg_semver_validate(cs, &v, &why))
				RG_BUG("validate accepts what check rejects");
			rg_buf_release(&why);
		}
	}
	(void)rg_semver_parse_strict(&w, a, ver, vlen, &err);
	rg_arena_free(a);
	return 0;
}
