#include "test.h"
#include "rendergate/toml.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"

/* Expected texts come from helm 3.10.1's toToml on the same maps
 * (tests/cases/tmpl/funcs-totoml*.case hold the template versions). */

static const char *toml(const struct rg_node *n)
{
	static char r[4096];
	struct rg_buf b = RG_BUF_INIT(1 << 16);
	struct rg_err err = RG_ERR_INIT;

	if (rg_toml_encode(&b, n, &err))
		snprintf(r, sizeof(r), "ERR %s", err.msg);
	else
		snprintf(r, sizeof(r), "%s", b.ptr);
	rg_buf_release(&b);
	return r;
}

TEST(toml_tables_and_order)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *m = rg_node_map(a), *in = rg_node_map(a), *d = rg_node_map(a);

	rg_map_set(a, d, "e", 1, rg_node_bool(a, true));
	rg_map_set(a, in, "d", 1, d);
	rg_map_set(a, in, "c", 1, rg_node_int(a, 1));
	rg_map_set(a, m, "a", 1, rg_node_map(a));
	rg_map_get(m, "a", 1)->u.map.len = 0;
	rg_map_set(a, rg_map_get(m, "a", 1), "b", 1, in);
	rg_map_set(a, rg_map_get(m, "a", 1), "x", 1, rg_node_str(a, "y"));
	rg_map_set(a, m, "top", 3, rg_node_int(a, 1));
	CHECK_STR(toml(m), "top = 1\n\n[a]\n  x = \"y\"\n  [a.b]\n    c = 1\n    [a.b.d]\n      e = true\n");
	rg_arena_free(a);
}

TEST(toml_values_and_errors)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_node *m = rg_node_map(a), *l = rg_node_seq(a);

	rg_map_set(a, m, "f", 1, rg_node_float(a, 2.0));
	rg_map_set(a, m, "g", 1, rg_node_float(a, -0.000001));
	rg_map_set(a, m, "key with space", 14, rg_node_str(a, "q\"\n\001"));
	rg_map_set(a, m, "e", 1, rg_node_seq(a));
	CHECK_STR(toml(m), "e = []\nf = 2.0\ng = -0.000001\n\"key with space\" = \"q\\\"\\n\\u0001\"\n");
	CHECK_STR(toml(rg_node_str(a, "x")), "ERR toml: top-level values must be Go maps or structs");
	rg_seq_push(a, l, rg_node_int(a, 1));
	rg_seq_push(a, l, rg_node_null(a));
	m = rg_node_map(a);
	rg_map_set(a, m, "l", 1, l);
	CHECK_STR(toml(m), "ERR toml: cannot encode array with nil element");
	CHECK_STR(toml(rg_node_map(a)), "");
	rg_arena_free(a);
}
