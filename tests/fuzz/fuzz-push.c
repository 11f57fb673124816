/*
 * fuzz-push.c - the hook protocol parser on arbitrary bytes.
 *
 * The input is parsed as pre-receive standard input. Invariants: on
 * success every update has ids of the push's id length (40 or 64), a ref
 * that passes the ref check, a kind that matches its zero ids, and never
 * two zero ids; on failure an error message is set. Each line is also
 * fed to the update-hook form (split at the first two spaces) to check
 * both entry points agree.
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/push.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct rg_push *p)
{
	for (size_t i = 0; i < p->len; i++) {
		const struct rg_push_update *u = &p->updates[i];
		bool oz = rg_push_id_is_zero(u->old_id);
		bool nz = rg_push_id_is_zero(u->new_id);

		if (strlen(u->old_id) != p->idlen ||
		    strlen(u->new_id) != p->idlen ||
		    (p->idlen != 40 && p->idlen != 64))
			abort();
		if (rg_push_ref_check(u->ref, strlen(u->ref)))
			abort();
		if (oz && nz)
			abort();
		if ((u->kind == RG_PUSH_CREATE) != oz ||
		    (u->kind == RG_PUSH_DELETE) != nz)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_push p, q;
	char *copy = rg_arena_strndup(a, (const char *)data, size);
	int rc;

	rg_push_init(&p);
	rc = rg_push_parse(&p, a, (const char *)data, size, &err);
	if (rc && !err.msg[0])
		abort();
	if (!rc)
		check(&p);
	/* the update-hook form of the first line, when it has three fields */
	{
		char *nl = memchr(copy, '\n', size);
		char *s1, *s2;

		if (nl)
			*nl = '\0';
		s1 = strchr(copy, ' ');
		s2 = s1 ? strchr(s1 + 1, ' ') : NULL;
		if (s1 && s2 &&
		    strlen(copy) == (nl ? (size_t)(nl - copy) : size)) {
			*s1 = *s2 = '\0';
			rg_push_init(&q);
			rg_err_init(&err);
			if (rg_push_add_args(&q, a, s2 + 1, copy, s1 + 1,
					     &err) == 0) {
				check(&q);
				if (!rc && p.len &&
				    strcmp(q.updates[0].ref, p.updates[0].ref))
					abort();
			}
		}
	}
	rg_arena_free(a);
	return 0;
}
