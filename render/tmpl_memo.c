/*
 * tmpl_memo.c - template texts parsed once per run (tmpl.h).
 *
 * A memo entry is one (name, text) pair and the trees its parse defined
 * (rg_tmpl_parse_defs). The name is part of the key because it is baked
 * into the trees: positions in errors, the top-level tree's name, and
 * tpl's rule about defines held by the file being rendered.
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/tmpl_int.h"

struct memo_entry {
	const char *text; /* the parsed copy (tree->text) */
	size_t len;
	struct rg_ttree **defs;
	size_t ndefs;
	struct memo_entry *next; /* same name */
};

struct rg_tmpl_memo {
	struct rg_arena *arena;
	struct rg_tmpl_set *set;   /* default functions; trees never added */
	struct rg_tmpl_hash names; /* name -> struct memo_entry list */
	size_t bytes;		   /* what parses for the memo allocated */
	struct rg_tmpl_memo_stats stats;
};

struct rg_tmpl_memo *rg_tmpl_memo_new(struct rg_arena *a)
{
	struct rg_tmpl_memo *m = rg_arena_calloc(a, 1, sizeof(*m));

	m->arena = a;
	m->set = rg_tmpl_set_new(a);
	return m;
}

int rg_tmpl_parse_memo(struct rg_tmpl_set *set, struct rg_tmpl_memo *m,
		       const char *name, const char *text, size_t len,
		       struct rg_err *err)
{
	size_t nlen = strlen(name);
	struct memo_entry *e = NULL, *head;
	struct rg_ttree **defs = NULL;
	size_t ndefs = 0, used;
	int code;

	if (!m)
		return rg_tmpl_parse_into(set, name, text, len, err);
	head = rg_tmpl_hash_get(&m->names, name, nlen);
	for (e = head; e; e = e->next)
		if (e->len == len && !memcmp(e->text, text, len))
			break;
	if (e) {
		m->stats.hits++;
		rg_tmpl_associate(set, e->defs, e->ndefs);
		return 0;
	}
	if (m->bytes >= RG_CAP_TMPL_MEMO_BYTES) {
		m->stats.dropped++;
		return rg_tmpl_parse_into(set, name, text, len, err);
	}
	m->stats.misses++;
	used = rg_arena_used(m->arena);
	code = rg_tmpl_parse_defs(&defs, &ndefs, m->set, name, text, len, err);
	m->bytes += rg_arena_used(m->arena) - used;
	if (code < 0)
		return code;
	e = rg_arena_calloc(m->arena, 1, sizeof(*e));
	/* every tree of one parse shares the parser's copy of the text */
	e->text = ndefs ? defs[0]->text : "";
	e->len = len;
	e->defs = defs;
	e->ndefs = ndefs;
	e->next = head;
	rg_tmpl_hash_put(m->arena, &m->names, name, nlen, e);
	rg_tmpl_associate(set, defs, ndefs);
	return 0;
}

void rg_tmpl_memo_stats(struct rg_tmpl_memo_stats *out,
			const struct rg_tmpl_memo *m)
{
	if (m)
		*out = m->stats;
	else
		memset(out, 0, sizeof(*out));
}
