/*
 * fuzz-yfast.c - the fast block-YAML scanner against libyaml.
 *
 * Whatever the input, when rg_yfast_scan takes it, libyaml must parse it
 * with the same events (type, value, style, line and column), and
 * rg_doc_parse must give the same documents, positions and errors with
 * and without the fast scanner (tests/fuzz/yfast-cmp.h). A difference
 * aborts with a description.
 */
#include "yfast-cmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *bad;
	bool took;

	if (size > (1 << 20))
		return 0;
	bad = yfast_cmp_events(s, size, &took);
	if (!bad)
		bad = yfast_cmp_docs(s, size, 0);
	if (!bad && took)
		bad = yfast_cmp_docs(s, size,
				     RG_PARSE_YAML12 | RG_PARSE_DUP_KEYS_OK);
	if (bad) {
		fprintf(stderr, "fuzz-yfast: %s\n", bad);
		abort();
	}
	return 0;
}
