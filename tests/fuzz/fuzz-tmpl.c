/*
 * fuzz-tmpl.c - libFuzzer harness for the template lexer, parser and
 * executor. The input is split at the first NUL byte: the part before is
 * the template, the part after (if any) a YAML document used as .Values.
 * Execution runs with a small step budget and output cap, so hostile
 * inputs end with RG_ELIMIT instead of running long.
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/doc.h"
#include "rendergate/funcs.h"
#include "rendergate/tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tmpl_set *set = rg_tmpl_set_new(a);
	struct rg_err err = RG_ERR_INIT;
	struct rg_buf out = RG_BUF_INIT(1u << 20);
	struct rg_tmpl_opts opts = { 20000, 1u << 16, RG_TMPL_STRIP_NO_VALUE,
				     NULL };
	const char *text = (const char *)data;
	const uint8_t *nul = memchr(data, 0, size);
	size_t tlen = nul ? (size_t)(nul - data) : size;
	struct rg_node *values = NULL, *dot;

	if (nul) {
		const char *y = (const char *)nul + 1;
		size_t ylen = size - tlen - 1;

		if (rg_doc_parse_one(&values, a, "values.yaml", y, ylen, 0,
				     &err) < 0)
			values = NULL;
		rg_funcs_helm_numbers(values);
	}
	dot = rg_funcs_standalone_dot(a, set, values);
	if (rg_tmpl_parse(set, "test/templates/_t.yaml", text, tlen, &err) == 0)
		(void)rg_tmpl_exec(&out, set, "test/templates/_t.yaml", dot,
				   &opts, &err);
	rg_buf_release(&out);
	rg_arena_free(a);
	return 0;
}
