/*
 * fuzz-tgz.c - the archive reader (tgz.h) on arbitrary bytes. Reading
 * must fail cleanly or give entries whose names are safe repository
 * paths (rg_tree_path_check), sorted, unique, within the caps; a read
 * with a small shared budget never uses more than it. Input that does not
 * start with the gzip magic is gzipped here first, so the fuzzer reaches
 * the tar reader without having to forge gzip checksums.
 */
#include "rendergate/compat.h"

#include <zlib.h>

#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/tgz.h"
#include "rendergate/tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* gzip d[0..n) into a heap buffer */
static uint8_t *gz(const uint8_t *d, size_t n, size_t *out)
{
	z_stream zs;
	size_t cap = n + n / 100 + 1024;
	uint8_t *o = rg_xmalloc(cap);

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 1, Z_DEFLATED, 16 + MAX_WBITS, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		RG_BUG("deflateInit2");
	zs.next_in = (uint8_t *)(uintptr_t)d;
	zs.avail_in = (uInt)n;
	zs.next_out = o;
	zs.avail_out = (uInt)cap;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		RG_BUG("deflate");
	*out = zs.total_out;
	deflateEnd(&zs);
	return o;
}

static int one(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *z;
	size_t n = 0;

	if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
		return one(data, size);
	z = gz(data, size, &n);
	one(z, n);
	free(z);
	return 0;
}

static int one(const uint8_t *data, size_t size)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_tgz t;
	size_t budget = 64 * 1024;
	int rc = rg_tgz_read(&t, a, "fuzz.tgz", data, size, NULL, &err);

	if (rc == 0) {
		if (!t.len)
			RG_BUG("success without entries");
		for (size_t i = 0; i < t.len; i++) {
			struct rg_err perr = RG_ERR_INIT;

			if (rg_tree_path_check(t.items[i].name, &perr) < 0 ||
			    !*t.items[i].name)
				RG_BUG("unsafe entry name %s", t.items[i].name);
			if (strlen(t.items[i].name) > RG_CAP_TGZ_PATH_BYTES ||
			    t.items[i].len > RG_CAP_TGZ_ENTRY_BYTES)
				RG_BUG("entry over a cap");
			if (i && strcmp(t.items[i - 1].name, t.items[i].name) >= 0)
				RG_BUG("entries not sorted and unique");
		}
	} else if (!err.msg[0]) {
		RG_BUG("error %d without a message", rc);
	}
	rc = rg_tgz_read(&t, a, NULL, data, size, &budget, &err);
	if (budget > 64 * 1024)
		RG_BUG("budget grew");
	rg_arena_free(a);
	return 0;
}
