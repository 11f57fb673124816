/*
 * fuzz-helmexec.c - the parse of `helm template` output for releases on
 * engine: helm (helmexec.h rg_helmexec_parse) on arbitrary bytes. The
 * output is helm's, but its content comes from pushed templates. Parsing
 * must succeed or fail cleanly; every object added has a complete
 * identity and an origin naming a file, and every finding an environment.
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/finding.h"
#include "rendergate/helmexec.h"
#include "rendergate/objects.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	struct rg_objset s;
	struct rg_findings f;
	int rc;

	rg_objset_init(&s, a);
	rg_finding_init(&f, a);
	rc = rg_helmexec_parse(&s, &f, "fuzz", (const char *)data, size, a,
			       &err);
	if (rc > 0 || (rc < 0 && !err.code))
		RG_BUG("rg_helmexec_parse returned %d without an error", rc);
	for (size_t i = 0; i < s.len; i++)
		if (!s.items[i].origin.file || !*s.items[i].kind ||
		    !*s.items[i].name || !s.items[i].key)
			RG_BUG("object %zu without an identity or origin", i);
	for (size_t i = 0; i < f.len; i++)
		if (!f.items[i].env || strcmp(f.items[i].env, "fuzz"))
			RG_BUG("finding %zu without its environment", i);
	rg_arena_free(a);
	return 0;
}
