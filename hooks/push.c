#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/push.h"

void rg_push_init(struct rg_push *p)
{
	memset(p, 0, sizeof(*p));
}

bool rg_push_id_is_zero(const char *id)
{
	if (!*id)
		return false;
	for (; *id; id++)
		if (*id != '0')
			return false;
	return true;
}

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool ref_char_ok(unsigned char c)
{
	if (c < 0x20 || c == 0x7f)
		return false;
	return !strchr(" ~^:?*[\\", c);
}

int rg_push_ref_check(const char *ref, size_t len)
{
	size_t comp = 0; /* start of the current component */

	if (len < 6 || memcmp(ref, "refs/", 5) != 0)
		return RG_EPARSE;
	if (ref[len - 1] == '/' || ref[len - 1] == '.')
		return RG_EPARSE;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)ref[i];

		if (!ref_char_ok(c))
			return RG_EPARSE;
		if (c == '.' && i + 1 < len && ref[i + 1] == '.')
			return RG_EPARSE;
		if (c == '@' && i + 1 < len && ref[i + 1] == '{')
			return RG_EPARSE;
		if (c == '/' || i + 1 == len) {
			size_t end = c == '/' ? i : i + 1;

			if (end == comp || ref[comp] == '.')
				return RG_EPARSE;
			if (end - comp >= 5 &&
			    memcmp(ref + end - 5, ".lock", 5) == 0)
				return RG_EPARSE;
			comp = i + 1;
		}
	}
	return 0;
}

/* Check one id of n bytes and copy it into out. */
static int take_id(struct rg_push *p, char out[RG_PUSH_ID_HEX], const char *s,
		   size_t n, uint32_t line, const char *what,
		   struct rg_err *err)
{
	if (n != 40 && n != 64)
		return rg_err_set(err, RG_EPARSE, NULL,
				  "push line %u: %s id has %zu characters, "
				  "want 40 (SHA-1) or 64 (SHA-256)",
				  line, what, n);
	for (size_t i = 0; i < n; i++)
		if (!is_lower_hex(s[i]))
			return rg_err_set(err, RG_EPARSE, NULL,
					  "push line %u: %s id is not "
					  "lowercase hex",
					  line, what);
	if (p->idlen && p->idlen != n)
		return rg_err_set(err, RG_EPARSE, NULL,
				  "push line %u: %s id has %zu characters "
				  "but earlier ids have %u",
				  line, what, n, p->idlen);
	p->idlen = (unsigned)n;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

static int add_update(struct rg_push *p, struct rg_arena *a, uint32_t line,
		      const char *old_id, size_t old_len, const char *new_id,
		      size_t new_len, const char *ref, size_t ref_len,
		      struct rg_err *err)
{
	struct rg_push_update *u;
	char o[RG_PUSH_ID_HEX], n[RG_PUSH_ID_HEX];
	int rc = 0;

	if (p->len >= RG_CAP_PUSH_REFS) {
		rc = rg_err_set(err, RG_ELIMIT, NULL,
				"push updates more than %u refs "
				"(RG_CAP_PUSH_REFS)",
				RG_CAP_PUSH_REFS);
		goto out;
	}
	rc = take_id(p, o, old_id, old_len, line, "old", err);
	if (!rc)
		rc = take_id(p, n, new_id, new_len, line, "new", err);
	if (rc)
		goto out;
	if (rg_push_ref_check(ref, ref_len)) {
		rc =
		    rg_err_set(err, RG_EPARSE, NULL,
			       "push line %u: \"%.*s\" is not a valid ref "
			       "name",
			       line, (int)(ref_len > 200 ? 200 : ref_len), ref);
		goto out;
	}
	if (rg_push_id_is_zero(o) && rg_push_id_is_zero(n)) {
		rc = rg_err_set(err, RG_EPARSE, NULL,
				"push line %u: both ids are zero", line);
		goto out;
	}
	if (p->len == p->alloc) {
		size_t nalloc = p->alloc ? 2 * p->alloc : 8;

		p->updates = rg_arena_grow(a, p->updates, p->len, nalloc,
					   sizeof(*p->updates));
		p->alloc = nalloc;
	}
	u = &p->updates[p->len++];
	memcpy(u->old_id, o, sizeof(o));
	memcpy(u->new_id, n, sizeof(n));
	u->ref = rg_arena_strndup(a, ref, ref_len);
	u->line = line;
	u->kind = rg_push_id_is_zero(o)	  ? RG_PUSH_CREATE
		  : rg_push_id_is_zero(n) ? RG_PUSH_DELETE
					  : RG_PUSH_UPDATE;
out:
	return rc;
}

static int parse_line(struct rg_push *p, struct rg_arena *a, const char *s,
		      size_t n, uint32_t line, struct rg_err *err)
{
	const char *sp1 = memchr(s, ' ', n), *sp2;
	int rc = 0;

	if (n > RG_CAP_PUSH_LINE_BYTES) {
		rc = rg_err_set(err, RG_ELIMIT, NULL,
				"push line %u is longer than %u bytes "
				"(RG_CAP_PUSH_LINE_BYTES)",
				line, RG_CAP_PUSH_LINE_BYTES);
		goto out;
	}
	if (memchr(s, '\0', n) || memchr(s, '\r', n)) {
		rc = rg_err_set(err, RG_EPARSE, NULL,
				"push line %u holds a NUL or CR byte", line);
		goto out;
	}
	sp2 = sp1 ? memchr(sp1 + 1, ' ', n - (size_t)(sp1 + 1 - s)) : NULL;
	if (!sp1 || !sp2 || memchr(sp2 + 1, ' ', n - (size_t)(sp2 + 1 - s))) {
		rc = rg_err_set(err, RG_EPARSE, NULL,
				"push line %u: want \"<old-id> <new-id> "
				"<ref>\"",
				line);
		goto out;
	}
	rc = add_update(p, a, line, s, (size_t)(sp1 - s), sp1 + 1,
			(size_t)(sp2 - sp1 - 1), sp2 + 1,
			n - (size_t)(sp2 + 1 - s), err);
out:
	return rc;
}

int rg_push_parse(struct rg_push *p, struct rg_arena *a, const char *data,
		  size_t len, struct rg_err *err)
{
	size_t pos = 0;
	uint32_t line = 0;
	int rc = 0;

	while (pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (data + pos)) : len - pos;

		line++;
		rc = parse_line(p, a, data + pos, n, line, err);
		if (rc)
			goto out;
		pos += n + (nl ? 1 : 0);
	}
out:
	return rc;
}

int rg_push_add_args(struct rg_push *p, struct rg_arena *a, const char *ref,
		     const char *old_id, const char *new_id, struct rg_err *err)
{
	size_t rl = strlen(ref);

	if (memchr(ref, '\n', rl) || memchr(ref, '\r', rl) ||
	    rl > RG_CAP_PUSH_LINE_BYTES)
		return rg_err_set(err, RG_EPARSE, NULL,
				  "update: ref name is not valid");
	return add_update(p, a, 0, old_id, strlen(old_id), new_id,
			  strlen(new_id), ref, rl, err);
}

/* Strict decimal, no sign, no leading junk; RG_EPARSE otherwise. */
static int parse_count(const char *s, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s || strlen(s) > 9)
		return RG_EPARSE;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return RG_EPARSE;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = v;
	return 0;
}

int rg_push_options_load(struct rg_push *p, struct rg_arena *a,
			 const char *(*getenv_fn)(const char *name),
			 struct rg_err *err)
{
	const char *count = getenv_fn("GIT_PUSH_OPTION_COUNT");
	unsigned long n = 0;
	int rc = 0;

	if (!count)
		goto out;
	if (parse_count(count, &n)) {
		rc = rg_err_set(err, RG_EPARSE, NULL,
				"GIT_PUSH_OPTION_COUNT is not a number");
		goto out;
	}
	if (n > RG_CAP_PUSH_OPTIONS) {
		rc = rg_err_set(err, RG_ELIMIT, NULL,
				"%lu push options, more than %u "
				"(RG_CAP_PUSH_OPTIONS)",
				n, RG_CAP_PUSH_OPTIONS);
		goto out;
	}
	p->options_sent = true;
	p->options = rg_arena_calloc(a, n ? n : 1, sizeof(*p->options));
	for (unsigned long i = 0; i < n; i++) {
		char name[40];
		const char *v;

		snprintf(name, sizeof(name), "GIT_PUSH_OPTION_%lu", i);
		v = getenv_fn(name);
		if (!v) {
			rc = rg_err_set(err, RG_EPARSE, NULL,
					"%s is not set although "
					"GIT_PUSH_OPTION_COUNT is %lu",
					name, n);
			goto out;
		}
		p->options[i] = rg_arena_strdup(a, v);
		p->noptions = i + 1;
	}
out:
	return rc;
}

const char *rg_push_option(const struct rg_push *p, const char *name)
{
	size_t nl = strlen(name);
	const char *found = NULL;

	for (size_t i = 0; i < p->noptions; i++) {
		const char *o = p->options[i];

		if (strncmp(o, name, nl) != 0)
			continue;
		if (o[nl] == '=')
			found = o + nl + 1;
		else if (!o[nl])
			found = "";
	}
	return found;
}
