/*
 * fuzz-tgz.c - the archive reader (tgz.h) on arbitrary bytes. Reading
 * must fail cleanly or give entries whose names are safe repository
 * paths (rg_tree_path_check), sorted, unique, within the caps; a read
 * with a small shared budget never uses more than it.
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/tgz.h"
#include "rendergate/tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
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
