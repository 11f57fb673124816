/*
 * yfast-cmp.h - compares the fast block-YAML scanner (rendergate/yfast.h)
 * with libyaml, for tests/unit/test-yfast.c and tests/fuzz/fuzz-yfast.c.
 *
 * yfast_cmp_events: when rg_yfast_scan accepts the input, libyaml must
 * parse the whole stream too, with the same events: type, scalar value,
 * style and start line and column.
 *
 * yfast_cmp_docs: rg_doc_parse with and without the fast scanner must
 * agree: the same result, error message and position, or the same
 * documents (rg_node_equal) with the same positions on every node and
 * key.
 *
 * Both return NULL when they agree, else a description of the first
 * difference (a static buffer).
 */
#ifndef YFAST_CMP_H
#define YFAST_CMP_H

#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/doc.h"
#include "rendergate/err.h"
#include "rendergate/yfast.h"

#include <yaml.h>

static char yfast_cmp_msg[512];

static const char *yfast_cmp_fail(const char *fmt, ...) RG_PRINTF(1, 2);
static const char *yfast_cmp_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(yfast_cmp_msg, sizeof(yfast_cmp_msg), fmt, ap);
	va_end(ap);
	return yfast_cmp_msg;
}

static int yfast_cmp_type(yaml_event_type_t t)
{
	switch (t) {
	case YAML_DOCUMENT_START_EVENT: return RG_YF_DOC_START;
	case YAML_DOCUMENT_END_EVENT: return RG_YF_DOC_END;
	case YAML_MAPPING_START_EVENT: return RG_YF_MAP_START;
	case YAML_MAPPING_END_EVENT: return RG_YF_MAP_END;
	case YAML_SEQUENCE_START_EVENT: return RG_YF_SEQ_START;
	case YAML_SEQUENCE_END_EVENT: return RG_YF_SEQ_END;
	case YAML_SCALAR_EVENT: return RG_YF_SCALAR;
	default: return -1;
	}
}

static int yfast_cmp_style(yaml_scalar_style_t s)
{
	switch (s) {
	case YAML_PLAIN_SCALAR_STYLE: return RG_YF_PLAIN;
	case YAML_SINGLE_QUOTED_SCALAR_STYLE: return RG_YF_SINGLE;
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return RG_YF_DOUBLE;
	case YAML_LITERAL_SCALAR_STYLE: return RG_YF_LITERAL;
	case YAML_FOLDED_SCALAR_STYLE: return RG_YF_FOLDED;
	default: return -1;
	}
}

/* Returns NULL when they agree; *accepted says whether yfast took it. */
static const char *yfast_cmp_events(const char *data, size_t len,
				    bool *accepted)
{
	struct rg_yfast y = RG_YFAST_INIT;
	yaml_parser_t yp;
	const char *bad = NULL;
	size_t i = 0;
	bool done = false;

	*accepted = rg_yfast_scan(&y, data, len) == 1;
	if (!*accepted) {
		rg_yfast_release(&y);
		return NULL;
	}
	if (!yaml_parser_initialize(&yp))
		abort();
	yaml_parser_set_encoding(&yp, YAML_UTF8_ENCODING);
	yaml_parser_set_input_string(&yp, (const unsigned char *)data, len);
	while (!done && !bad) {
		yaml_event_t ev;
		int type;

		if (!yaml_parser_parse(&yp, &ev)) {
			bad = yfast_cmp_fail("yfast accepted, libyaml failed at "
					     "line %zu: %s",
					     yp.problem_mark.line + 1,
					     yp.problem ? yp.problem : "?");
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		type = yfast_cmp_type(ev.type);
		if (type >= 0) {
			const struct rg_yfast_event *e =
				i < y.nev ? &y.ev[i] : NULL;

			if (!e)
				bad = yfast_cmp_fail("libyaml has more events "
						     "than yfast (%zu)", y.nev);
			else if (e->type != type)
				bad = yfast_cmp_fail("event %zu: type %d, libyaml "
						     "%d (line %zu)", i, e->type,
						     type,
						     ev.start_mark.line + 1);
			else if ((type == RG_YF_MAP_START &&
				  e->style != (ev.data.mapping_start.style ==
					       YAML_FLOW_MAPPING_STYLE)) ||
				 (type == RG_YF_SEQ_START &&
				  e->style != (ev.data.sequence_start.style ==
					       YAML_FLOW_SEQUENCE_STYLE)))
				bad = yfast_cmp_fail("event %zu: flow style %d "
						     "differs (line %zu)", i,
						     e->style,
						     ev.start_mark.line + 1);
			else if (type != RG_YF_DOC_START &&
				 type != RG_YF_DOC_END &&
				 (e->line != ev.start_mark.line ||
				  e->col != ev.start_mark.column))
				bad = yfast_cmp_fail(
					"event %zu (type %d): mark %u:%u, libyaml "
					"%zu:%zu", i, type, e->line + 1,
					e->col + 1, ev.start_mark.line + 1,
					ev.start_mark.column + 1);
			else if (type == RG_YF_SCALAR &&
				 (e->style != yfast_cmp_style(ev.data.scalar.style) ||
				  e->len != ev.data.scalar.length ||
				  memcmp(y.strs.ptr + e->off,
					 ev.data.scalar.value, e->len) ||
				  ev.data.scalar.tag || ev.data.scalar.anchor))
				bad = yfast_cmp_fail(
					"scalar at %u:%u: \"%.*s\" style %d, "
					"libyaml \"%.*s\" style %d",
					e->line + 1, e->col + 1,
					(int)(e->len > 60 ? 60 : e->len),
					y.strs.ptr + e->off, e->style,
					(int)(ev.data.scalar.length > 60
						      ? 60
						      : ev.data.scalar.length),
					(const char *)ev.data.scalar.value,
					ev.data.scalar.style);
			i++;
		}
		yaml_event_delete(&ev);
	}
	if (!bad && i != y.nev)
		bad = yfast_cmp_fail("yfast has %zu events, libyaml %zu", y.nev,
				     i);
	yaml_parser_delete(&yp);
	rg_yfast_release(&y);
	return bad;
}

static const char *yfast_cmp_pos(const struct rg_pos *x, const struct rg_pos *y)
{
	if (x->line != y->line || x->col != y->col)
		return yfast_cmp_fail("position %u:%u, libyaml %u:%u", x->line,
				      x->col, y->line, y->col);
	return NULL;
}

static const char *yfast_cmp_nodes(const struct rg_node *x,
				   const struct rg_node *y)
{
	const char *bad = yfast_cmp_pos(&x->pos, &y->pos);

	if (bad)
		return bad;
	if (x->kind != y->kind || x->flags != y->flags)
		return yfast_cmp_fail("node at %u:%u: kind %d flags %d, libyaml "
				      "kind %d flags %d", x->pos.line,
				      x->pos.col, x->kind, x->flags, y->kind,
				      y->flags);
	if (x->kind == RG_SEQ) {
		if (x->u.seq.len != y->u.seq.len)
			return yfast_cmp_fail("sequence at %u:%u differs",
					      x->pos.line, x->pos.col);
		for (size_t i = 0; i < x->u.seq.len; i++)
			if ((bad = yfast_cmp_nodes(x->u.seq.items[i],
						   y->u.seq.items[i])))
				return bad;
	} else if (x->kind == RG_MAP) {
		if (x->u.map.len != y->u.map.len)
			return yfast_cmp_fail("mapping at %u:%u differs",
					      x->pos.line, x->pos.col);
		for (size_t i = 0; i < x->u.map.len; i++) {
			const struct rg_pair *px = &x->u.map.items[i],
					     *py = &y->u.map.items[i];

			if (px->key.len != py->key.len ||
			    memcmp(px->key.ptr, py->key.ptr, px->key.len))
				return yfast_cmp_fail("key at %u:%u differs",
						      px->key_pos.line,
						      px->key_pos.col);
			if ((bad = yfast_cmp_pos(&px->key_pos, &py->key_pos)) ||
			    (bad = yfast_cmp_nodes(px->val, py->val)))
				return bad;
		}
	} else if (!rg_node_equal(x, y)) {
		return yfast_cmp_fail("scalar at %u:%u differs", x->pos.line,
				      x->pos.col);
	}
	return NULL;
}

static const char *yfast_cmp_docs(const char *data, size_t len, unsigned flags)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_docs fast, slow;
	struct rg_err ef = RG_ERR_INIT, es = RG_ERR_INIT;
	const char *bad = NULL;
	int rf, rs;

	rf = rg_doc_parse(&fast, a, "in.yaml", data, len, flags, &ef);
	rs = rg_doc_parse(&slow, a, "in.yaml", data, len,
			  flags | RG_PARSE_NO_FAST, &es);
	if (rf != rs)
		bad = yfast_cmp_fail("rg_doc_parse: %d (%s), libyaml %d (%s)", rf,
				     ef.msg, rs, es.msg);
	else if (rf && (strcmp(ef.msg, es.msg) || ef.line != es.line ||
			ef.col != es.col))
		bad = yfast_cmp_fail("error %u:%u %s, libyaml %u:%u %s", ef.line,
				     ef.col, ef.msg, es.line, es.col, es.msg);
	else if (!rf && (fast.len != slow.len ||
			 fast.empty_docs != slow.empty_docs))
		bad = yfast_cmp_fail("%zu documents (%zu empty), libyaml %zu "
				     "(%zu)", fast.len, fast.empty_docs,
				     slow.len, slow.empty_docs);
	for (size_t i = 0; !rf && !bad && i < fast.len; i++)
		bad = yfast_cmp_nodes(fast.docs[i], slow.docs[i]);
	rg_arena_free(a);
	return bad;
}

#endif
