#include "test.h"
#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/push.h"

#define Z40 "0000000000000000000000000000000000000000"
#define A40 "1111111111111111111111111111111111111111"
#define B40 "abcdefabcdefabcdefabcdefabcdefabcdefabcd"
#define Z64 Z40 "000000000000000000000000"
#define A64 A40 "111111111111111111111111"

static int parse(struct rg_arena *a, struct rg_push *p, const char *s,
		 struct rg_err *err)
{
	rg_push_init(p);
	return rg_push_parse(p, a, s, strlen(s), err);
}

TEST(push_parse_kinds)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_push p;
	struct rg_err err = RG_ERR_INIT;
	const char *in = A40 " " B40 " refs/heads/main\n" Z40 " " B40
			     " refs/heads/new\n" A40 " " Z40 " refs/tags/v1";

	CHECK_INT(parse(a, &p, in, &err), 0);
	CHECK_INT(p.len, 3);
	CHECK_INT(p.idlen, 40);
	CHECK_STR(p.updates[0].ref, "refs/heads/main");
	CHECK_STR(p.updates[0].old_id, A40);
	CHECK_STR(p.updates[0].new_id, B40);
	CHECK_INT(p.updates[0].kind, RG_PUSH_UPDATE);
	CHECK_INT(p.updates[1].kind, RG_PUSH_CREATE);
	CHECK_INT(p.updates[2].kind, RG_PUSH_DELETE);
	CHECK_STR(p.updates[2].ref, "refs/tags/v1");
	CHECK_INT(p.updates[2].line, 3);
	rg_arena_free(a);
}

TEST(push_parse_empty)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_push p;
	struct rg_err err = RG_ERR_INIT;

	CHECK_INT(parse(a, &p, "", &err), 0);
	CHECK_INT(p.len, 0);
	rg_arena_free(a);
}

TEST(push_parse_sha256)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_push p;
	struct rg_err err = RG_ERR_INIT;

	CHECK_INT(parse(a, &p, Z64 " " A64 " refs/heads/x\n", &err), 0);
	CHECK_INT(p.idlen, 64);
	CHECK_INT(p.updates[0].kind, RG_PUSH_CREATE);
	/* a SHA-1 line after a SHA-256 one */
	CHECK_INT(parse(a, &p,
			Z64 " " A64 " refs/heads/x\n" A40 " " B40
			    " refs/heads/y\n",
			&err),
		  RG_EPARSE);
	CHECK(strstr(err.msg, "line 2") != NULL);
	rg_arena_free(a);
}

TEST(push_parse_malformed)
{
	static const char *bad[] = {
	    A40 " " B40,		   /* no ref */
	    A40 " " B40 " refs/heads/a b", /* space in ref */
	    A40 "  " B40 " refs/heads/a",  /* double space */
	    A40 " " B40 " refs/heads/a\r", /* CR */
	    "1111 " B40 " refs/heads/a",   /* short id */
	    A40 "1 " B40 " refs/heads/a",  /* 41 chars */
	    "ABCDEFABCDEFABCDEFABCDEFABCDEFABCDEFABCD " B40
	    " refs/heads/a", /* upper case */
	    "g111111111111111111111111111111111111111 " B40
	    " refs/heads/a",		      /* not hex */
	    Z40 " " Z40 " refs/heads/a",      /* both zero */
	    A40 " " B40 " main",	      /* not under refs/ */
	    A40 " " B40 " refs/heads/../x",   /* .. */
	    A40 " " B40 " refs/heads/x.lock", /* .lock */
	    A40 " " B40 " refs/heads/x/",     /* trailing slash */
	    A40 " " B40 " refs/heads//x",     /* empty component */
	    A40 " " B40 " refs/heads/.x",     /* leading dot */
	    A40 " " B40 " refs/heads/a@{1}",  /* @{ */
	    A40 " " B40 " refs/heads/a~1",    /* ~ */
	    A40 " " B40 " refs/heads/a:b",    /* : */
	    "\n",			      /* empty line */
	};

	for (size_t i = 0; i < RG_ARRAY_SIZE(bad); i++) {
		struct rg_arena *a = rg_arena_new();
		struct rg_push p;
		struct rg_err err = RG_ERR_INIT;
		int rc = parse(a, &p, bad[i], &err);

		rg_arena_free(a);
		if (rc != RG_EPARSE)
			FAILF("case %zu: rc %d, want RG_EPARSE", i, rc);
		if (!strstr(err.msg, "line 1"))
			FAILF("case %zu: message without line: %s", i, err.msg);
	}
}

TEST(push_parse_nul_byte)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_push p;
	struct rg_err err = RG_ERR_INIT;
	char in[] = A40 " " B40 " refs/heads/a\0b\n";

	rg_push_init(&p);
	CHECK_INT(rg_push_parse(&p, a, in, sizeof(in) - 1, &err), RG_EPARSE);
	rg_arena_free(a);
}

TEST(push_parse_caps)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_push p;
	struct rg_err err = RG_ERR_INIT;
	size_t linelen = 40 + 1 + 40 + 1 + 12 + 1;
	size_t n = RG_CAP_PUSH_REFS + 1;
	char *big = rg_arena_alloc(a, n * linelen + 1);
	char *longline;

	for (size_t i = 0; i < n; i++)
		snprintf(big + i * linelen, linelen + 1,
			 A40 " " B40 " refs/h/%05zu\n", i);
	rg_push_init(&p);
	CHECK_INT(rg_push_parse(&p, a, big, n * linelen, &err), RG_ELIMIT);
	CHECK(strstr(err.msg, "RG_CAP_PUSH_REFS") != NULL);
	CHECK_INT(p.len, RG_CAP_PUSH_REFS);

	longline = rg_arena_alloc(a, RG_CAP_PUSH_LINE_BYTES + 200);
	memcpy(longline, A40 " " B40 " refs/heads/", 93);
	memset(longline + 93, 'x', RG_CAP_PUSH_LINE_BYTES + 10);
	rg_push_init(&p);
	CHECK_INT(rg_push_parse(&p, a, longline,
				93 + RG_CAP_PUSH_LINE_BYTES + 10, &err),
		  RG_ELIMIT);
	CHECK(strstr(err.msg, "RG_CAP_PUSH_LINE_BYTES") != NULL);
	rg_arena_free(a);
}

TEST(push_add_args)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_push p;
	struct rg_err err = RG_ERR_INIT;

	rg_push_init(&p);
	CHECK_INT(rg_push_add_args(&p, a, "refs/heads/main", A40, Z40, &err),
		  0);
	CHECK_INT(p.updates[0].kind, RG_PUSH_DELETE);
	CHECK_INT(rg_push_add_args(&p, a, "refs/heads/main", "xyz", A40, &err),
		  RG_EPARSE);
	CHECK_INT(rg_push_add_args(&p, a, "refs/heads/a\nb", A40, B40, &err),
		  RG_EPARSE);
	rg_arena_free(a);
}

static const char *const *fake_env;

static const char *fake_getenv(const char *name)
{
	size_t nl = strlen(name);

	for (size_t i = 0; fake_env[i]; i++)
		if (!strncmp(fake_env[i], name, nl) && fake_env[i][nl] == '=')
			return fake_env[i] + nl + 1;
	return NULL;
}

TEST(push_options)
{
	static const char *const env[] = {
	    "GIT_PUSH_OPTION_COUNT=3", "GIT_PUSH_OPTION_0=rendergate.skip",
	    "GIT_PUSH_OPTION_1=ci.skip", "GIT_PUSH_OPTION_2=x=1=2", NULL};
	static const char *const none[] = {NULL};
	static const char *const zero[] = {"GIT_PUSH_OPTION_COUNT=0", NULL};
	static const char *const missing[] = {"GIT_PUSH_OPTION_COUNT=2",
					      "GIT_PUSH_OPTION_0=a", NULL};
	static const char *const junk[] = {"GIT_PUSH_OPTION_COUNT=2x", NULL};
	static const char *const many[] = {"GIT_PUSH_OPTION_COUNT=101", NULL};
	struct rg_arena *a = rg_arena_new();
	struct rg_push p;
	struct rg_err err = RG_ERR_INIT;

	fake_env = env;
	rg_push_init(&p);
	CHECK_INT(rg_push_options_load(&p, a, fake_getenv, &err), 0);
	CHECK_INT(p.noptions, 3);
	CHECK(p.options_sent);
	CHECK_STR(rg_push_option(&p, "rendergate.skip"), "");
	CHECK_STR(rg_push_option(&p, "x"), "1=2");
	CHECK(rg_push_option(&p, "ci") == NULL);

	fake_env = none;
	rg_push_init(&p);
	CHECK_INT(rg_push_options_load(&p, a, fake_getenv, &err), 0);
	CHECK(!p.options_sent);
	fake_env = zero;
	rg_push_init(&p);
	CHECK_INT(rg_push_options_load(&p, a, fake_getenv, &err), 0);
	CHECK(p.options_sent);
	CHECK_INT(p.noptions, 0);
	fake_env = missing;
	rg_push_init(&p);
	CHECK_INT(rg_push_options_load(&p, a, fake_getenv, &err), RG_EPARSE);
	fake_env = junk;
	rg_push_init(&p);
	CHECK_INT(rg_push_options_load(&p, a, fake_getenv, &err), RG_EPARSE);
	fake_env = many;
	rg_push_init(&p);
	CHECK_INT(rg_push_options_load(&p, a, fake_getenv, &err), RG_ELIMIT);
	rg_arena_free(a);
}

TEST(push_zero_id)
{
	CHECK(rg_push_id_is_zero(Z40));
	CHECK(rg_push_id_is_zero(Z64));
	CHECK(!rg_push_id_is_zero(A40));
	CHECK(!rg_push_id_is_zero(""));
}
