/*
 * fuzz-json.c - the JSON decoder and encoder on arbitrary bytes.
 *
 * Whatever decodes is encoded (plain, raw and indented), the text decoded
 * again and the trees compared: the encoder must write JSON that reads
 * back to the same tree, since every number is a float64 either way.
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned flags[] = { 0, RG_JSON_NO_HTML_ESCAPE, RG_JSON_INDENT };
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_node *n = NULL;
	int rc = rg_json_decode(&n, a, (const char *)data, size, &err);

	if (rc == 0) {
		for (size_t i = 0; i < RG_ARRAY_SIZE(flags); i++) {
			struct rg_buf b = RG_BUF_INIT(64u << 20);
			struct rg_node *back = NULL;

			if (rg_json_encode(&b, n, flags[i], &err) == 0) {
				if (rg_json_decode(&back, a, b.ptr, b.len, &err) != 0)
					RG_BUG("encoded JSON does not decode: %s", err.msg);
				if (!rg_node_equal(n, back))
					RG_BUG("JSON round trip changed the tree");
			}
			rg_buf_release(&b);
		}
	}
	rg_arena_free(a);
	return 0;
}
