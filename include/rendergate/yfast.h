#ifndef RENDERGATE_YFAST_H
#define RENDERGATE_YFAST_H
/*
 * yfast: a fast scanner for the block YAML that charts and generators
 * write, producing the event stream libyaml would.
 *
 * rg_doc_parse spends most of its time in libyaml (about 95 instructions
 * per byte on CRDs). Most rendered manifests and values files use a small
 * part of YAML: block mappings and sequences, plain and quoted scalars
 * (also folded over several lines), literal and folded block scalars,
 * one-line flow collections of scalars ([a, b], {k: v}, [], {}), comments
 * and `---`. rg_yfast_scan recognises exactly that subset and records the
 * events libyaml would produce for it (type, value, style, start line and
 * column); anything else (flow collections, anchors, aliases, tags, block
 * scalar indentation indicators, tabs, CR, escapes it does not know,
 * every input libyaml would reject) makes it give up, and the
 * caller parses with libyaml as before. It never reports errors: an input
 * it accepts must be one libyaml accepts with the same events, which
 * tests/unit/test-yfast.c and tests/fuzz/fuzz-yfast.c check against
 * libyaml itself.
 */
#include "rendergate/buf.h"

enum rg_yfast_type {
	RG_YF_DOC_START,
	RG_YF_DOC_END,
	RG_YF_MAP_START,
	RG_YF_MAP_END,
	RG_YF_SEQ_START,
	RG_YF_SEQ_END,
	RG_YF_SCALAR,
};

enum rg_yfast_style {
	RG_YF_PLAIN,
	RG_YF_SINGLE,
	RG_YF_DOUBLE,
	RG_YF_LITERAL,
	RG_YF_FOLDED,
};

struct rg_yfast_event {
	unsigned char type;  /* enum rg_yfast_type */
	unsigned char style; /* enum rg_yfast_style; collections: 1 = flow */
	uint32_t line, col;  /* start mark, 0-based, column in characters */
	size_t off, len;     /* scalar value: strs.ptr + off, NUL-terminated */
};

struct rg_yfast {
	struct rg_yfast_event *ev;
	size_t nev, aev;
	struct rg_buf strs; /* scalar values */
};

#define RG_YFAST_INIT { NULL, 0, 0, RG_BUF_INIT(SIZE_MAX / 2) }

/*
 * Scan data. Return 1 with the events in *y, or 0 when the input is
 * outside the subset (*y then holds nothing useful). Call
 * rg_yfast_release either way.
 */
int rg_yfast_scan(struct rg_yfast *y, const char *data, size_t len);
void rg_yfast_release(struct rg_yfast *y);

#endif
