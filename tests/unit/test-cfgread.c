#include "test.h"
#include "rendergate/arena.h"
#include "rendergate/cfgread.h"

/* Format error i of l as "file:line:col: msg". */
static const char *errat(const struct rg_errlist *l, size_t i)
{
	static char buf[2048];

	if (i >= l->len)
		return "(no such error)";
	rg_err_format(&l->items[i], buf, sizeof(buf));
	return buf;
}

struct fixture {
	struct rg_arena *a;
	struct rg_errlist errs;
	struct rg_cfg c;
	struct rg_node *root;
};

static int load(struct fixture *f, const char *yaml)
{
	struct rg_errlist init = RG_ERRLIST_INIT;

	f->a = rg_arena_new();
	f->errs = init;
	rg_cfg_init(&f->c, f->a, &f->errs, "c.yaml");
	return rg_cfg_parse(&f->root, &f->c, yaml, strlen(yaml));
}

static void done(struct fixture *f)
{
	rg_errlist_release(&f->errs);
	rg_arena_free(f->a);
}

TEST(typed_values)
{
	struct fixture f;
	const char *s = NULL, **list = NULL;
	bool b = false;
	int64_t i = 0;
	uint64_t ms = 0;
	size_t n = 0;
	int e = -1;
	static const char *const modes[] = { "enforce", "warn", NULL };

	CHECK_INT(load(&f, "name: x\nflag: yes\nnum: 12\nwait: 1m30s\n"
			   "list: [a, b]\nmode: warn\nempty:\n"), 0);
	CHECK_INT(rg_cfg_str(&s, &f.c, f.root, "name", RG_CFG_REQUIRED), 0);
	CHECK_STR(s, "x");
	CHECK_INT(rg_cfg_bool(&b, &f.c, f.root, "flag", 0), 0);
	CHECK(b);
	CHECK_INT(rg_cfg_int(&i, &f.c, f.root, "num", 0, 100, 0), 0);
	CHECK_INT(i, 12);
	CHECK_INT(rg_cfg_duration(&ms, &f.c, f.root, "wait", 0), 0);
	CHECK_INT(ms, 90000);
	CHECK_INT(rg_cfg_strlist(&list, &n, &f.c, f.root, "list", 0), 0);
	CHECK_INT(n, 2);
	CHECK_STR(list[1], "b");
	CHECK_INT(rg_cfg_enum(&e, &f.c, f.root, "mode", modes, 0), 0);
	CHECK_INT(e, 1);
	/* null and absent are "not set" and leave *out alone */
	s = "default";
	CHECK_INT(rg_cfg_str(&s, &f.c, f.root, "empty", 0), RG_ENOTFOUND);
	CHECK_INT(rg_cfg_str(&s, &f.c, f.root, "absent", 0), RG_ENOTFOUND);
	CHECK_STR(s, "default");
	CHECK_INT(f.errs.len, 0);
	done(&f);
}

TEST(durations)
{
	static const struct {
		const char *text;
		uint64_t ms;
	} ok[] = { { "5s", 5000 },     { "1500ms", 1500 }, { "2m", 120000 },
		   { "1h", 3600000 },  { "0s", 0 },	   { "1m30s", 90000 },
		   { "24h", 86400000 } };
	static const char *const bad[] = { "5", "5x", "s", "", "1.5s",
					   "25h", "99999999999999999999s",
					   "5 s" };

	for (size_t k = 0; k < RG_ARRAY_SIZE(ok); k++) {
		struct fixture f;
		char yaml[128];
		uint64_t ms = 7;

		snprintf(yaml, sizeof(yaml), "d: \"%s\"\n", ok[k].text);
		CHECK_INT(load(&f, yaml), 0);
		CHECK_INT(rg_cfg_duration(&ms, &f.c, f.root, "d", 0), 0);
		CHECK_INT(ms, ok[k].ms);
		done(&f);
	}
	for (size_t k = 0; k < RG_ARRAY_SIZE(bad); k++) {
		struct fixture f;
		char yaml[128];
		uint64_t ms = 7;

		snprintf(yaml, sizeof(yaml), "d: \"%s\"\n", bad[k]);
		CHECK_INT(load(&f, yaml), 0);
		CHECK_INT(rg_cfg_duration(&ms, &f.c, f.root, "d", 0),
			  RG_EINVALID);
		CHECK_INT(ms, 7);
		CHECK_INT(f.errs.len, 1);
		done(&f);
	}
	{
		struct fixture f;
		uint64_t ms = 0;

		CHECK_INT(load(&f, "d: 5\n"), 0);
		CHECK_INT(rg_cfg_duration(&ms, &f.c, f.root, "d", 0),
			  RG_EINVALID);
		CHECK_STR(errat(&f.errs, 0),
			  "c.yaml:1:4: 'd' needs a unit: 5s, 1500ms, 2m");
		done(&f);
	}
}

TEST(every_error_is_collected_with_position)
{
	struct fixture f;
	static const char *const known[] = { "name", "flag", "num", "list",
					     NULL };
	const char *s = NULL, **list = NULL;
	bool b = false;
	int64_t i = 0;
	size_t n = 0;

	CHECK_INT(load(&f, "name: 12\n"
			   "flag: maybe\n"
			   "num: 300\n"
			   "list: [a, 3, b]\n"
			   "nmae: x\n"),
		  0);
	CHECK_INT(rg_cfg_check_keys(&f.c, f.root, known), RG_EINVALID);
	CHECK_INT(rg_cfg_str(&s, &f.c, f.root, "name", 0), RG_EINVALID);
	CHECK_INT(rg_cfg_bool(&b, &f.c, f.root, "flag", 0), RG_EINVALID);
	CHECK_INT(rg_cfg_int(&i, &f.c, f.root, "num", 0, 100, 0), RG_EINVALID);
	CHECK_INT(rg_cfg_strlist(&list, &n, &f.c, f.root, "list", 0),
		  RG_EINVALID);
	CHECK_INT(rg_cfg_str(&s, &f.c, f.root, "other", RG_CFG_REQUIRED),
		  RG_EINVALID);
	CHECK_INT(f.errs.len, 6);
	CHECK_STR(errat(&f.errs, 0),
		  "c.yaml:5:1: unknown key 'nmae' (expected one of: name, "
		  "flag, num, list)");
	CHECK_STR(errat(&f.errs, 1),
		  "c.yaml:1:7: 'name' must be a string, found int");
	CHECK_STR(errat(&f.errs, 2),
		  "c.yaml:2:7: 'flag' must be a bool, found string");
	CHECK_STR(errat(&f.errs, 3),
		  "c.yaml:3:6: 'num' must be between 0 and 100 (found 300)");
	CHECK_STR(errat(&f.errs, 4),
		  "c.yaml:4:11: 'list'[1] must be a string, found int");
	CHECK_STR(errat(&f.errs, 5), "c.yaml:1:1: missing required key 'other'");
	done(&f);
}

TEST(string_flags_and_enum_errors)
{
	struct fixture f;
	static const char *const kinds[] = { "auto", "plain", NULL };
	const char *s = NULL;
	int e = 0;

	CHECK_INT(load(&f, "p: envs/../x\ne: \"\"\nk: plian\nabs: /etc\n"), 0);
	CHECK_INT(rg_cfg_str(&s, &f.c, f.root, "p", RG_CFG_REPO_PATH),
		  RG_EINVALID);
	CHECK_INT(rg_cfg_str(&s, &f.c, f.root, "e", RG_CFG_NONEMPTY),
		  RG_EINVALID);
	CHECK_INT(rg_cfg_enum(&e, &f.c, f.root, "k", kinds, 0), RG_EINVALID);
	CHECK_INT(rg_cfg_str(&s, &f.c, f.root, "abs", RG_CFG_REPO_PATH),
		  RG_EINVALID);
	CHECK_INT(f.errs.len, 4);
	CHECK_STR(errat(&f.errs, 0),
		  "c.yaml:1:4: 'p': path 'envs/../x' has a '..' component; "
		  "paths cannot leave the repository");
	CHECK_STR(errat(&f.errs, 1), "c.yaml:2:4: 'e' must not be empty");
	CHECK_STR(errat(&f.errs, 2),
		  "c.yaml:3:4: 'k' must be one of auto, plain (found 'plian')");
	CHECK(strstr(errat(&f.errs, 3), "c.yaml:4:6: 'abs': path '/etc' is "
					"absolute") != NULL);
	done(&f);
}

TEST(parse_errors)
{
	struct fixture f;

	CHECK_INT(load(&f, "a: [1, 2\n"), RG_EPARSE);
	CHECK(f.root == NULL);
	CHECK_INT(f.errs.len, 1);
	CHECK(strncmp(errat(&f.errs, 0), "c.yaml:", 7) == 0);
	done(&f);

	CHECK_INT(load(&f, "- a\n- b\n"), RG_EINVALID);
	CHECK_STR(errat(&f.errs, 0),
		  "c.yaml:1:1: the top level must be a mapping, found sequence");
	done(&f);

	CHECK_INT(load(&f, "a: 1\n---\nb: 2\n"), RG_EINVALID);
	CHECK(strstr(errat(&f.errs, 0), "one YAML document, found 2") != NULL);
	done(&f);

	CHECK_INT(load(&f, ""), 0);
	CHECK(f.root != NULL && f.root->kind == RG_MAP);
	CHECK_INT(f.root->u.map.len, 0);
	done(&f);

	CHECK_INT(load(&f, "# only a comment\n"), 0);
	CHECK(f.root->kind == RG_MAP);
	done(&f);
}

TEST(globs)
{
	static const struct {
		const char *pat, *s;
		bool match;
	} cases[] = {
		{ "*.yaml", "a.yaml", true },
		{ "*.yaml", "d/a.yaml", false },
		{ "**/*.yaml", "a.yaml", true },
		{ "**/*.yaml", "d/e/a.yaml", true },
		{ "**/x", "ax", false },
		{ "**/x", "a/x", true },
		{ "a/**", "a/b/c", true },
		{ "a/**", "b/c", false },
		{ "a/**/b", "a/b", true },
		{ "a/**/b", "a/x/y/b", true },
		{ "a/**/b", "a/xb", false },
		{ "refs/tags/release-*", "refs/tags/release-1.2", true },
		{ "refs/tags/release-*", "refs/tags/release-1/x", false },
		{ "?.yml", "a.yml", true },
		{ "?.yml", "/.yml", false },
		{ "[abc].y", "b.y", true },
		{ "[!abc].y", "b.y", false },
		{ "[a-c].y", "c.y", true },
		{ "[]x].y", "].y", true },
		{ "\\*.y", "*.y", true },
		{ "\\*.y", "a.y", false },
		{ "", "", true },
		{ "", "a", false },
		{ "*", "", true },
		/* the shapes matched without compiling: literal, literal* */
		{ "*", "a/b", false },
		{ "prod", "prod", true },
		{ "prod", "prod-eu", false },
		{ "team-*", "team-1", true },
		{ "team-*", "team-", true },
		{ "team-*", "team", false },
		{ "team-*", "xteam-1", false },
		{ "team-*", "team-1/x", false },
		{ "a*b*c*d*e*f*g*h*i*j*k", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false },
	};

	for (size_t i = 0; i < RG_ARRAY_SIZE(cases); i++)
		if (rg_cfg_glob_match(cases[i].pat, cases[i].s) !=
		    cases[i].match)
			FAILF("glob '%s' on '%s' should %s", cases[i].pat,
			      cases[i].s, cases[i].match ? "match" : "not match");
	CHECK_INT(rg_cfg_glob_check("a[bc", NULL), RG_EINVALID);
	CHECK_INT(rg_cfg_glob_check("a\\", NULL), RG_EINVALID);
	CHECK_INT(rg_cfg_glob_check("a/**/[!x]*.yaml", NULL), 0);
}

TEST(glob_is_not_exponential)
{
	char pat[400], s[2001];
	size_t k = 0;

	for (int i = 0; i < 100; i++) {
		pat[k++] = 'a';
		pat[k++] = '*';
		pat[k++] = '*';
	}
	pat[k++] = 'b';
	pat[k] = '\0';
	memset(s, 'a', 2000);
	s[2000] = '\0';
	CHECK(!rg_cfg_glob_match(pat, s));
}
