#include "test.h"
#include "rendergate/semver.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"

#include "data/semver-vectors.h"

static int check(struct rg_arena *a, const char *c, const char *v, int *out)
{
	struct rg_semver_constraints *cs = NULL;
	struct rg_semver ver;
	struct rg_err err = RG_ERR_INIT;
	int rc = rg_semver_constraints_parse(&cs, a, c, strlen(c), &err);

	if (!rc)
		rc = rg_semver_parse(&ver, a, v, strlen(v), &err);
	if (rc) {
		fprintf(stderr, "  %s / %s: %s\n", c, v, err.msg);
		return rc;
	}
	*out = rg_semver_check(cs, &ver);
	return 0;
}

TEST(semver_library_constraint_vectors)
{
	struct rg_arena *a = rg_arena_new();

	for (size_t i = 0; i < RG_ARRAY_SIZE(one_constraint); i++) {
		int got = -1;

		/* parseConstraint("") is a wildcard; NewConstraint("") an error */
		if (!*one_constraint[i].c)
			continue;
		CHECK_INT(check(a, one_constraint[i].c, one_constraint[i].v, &got), 0);
		if (got != one_constraint[i].want)
			FAILF("%s on %s: got %d", one_constraint[i].c, one_constraint[i].v, got);
	}
	for (size_t i = 0; i < RG_ARRAY_SIZE(constraints); i++) {
		int got = -1;

		CHECK_INT(check(a, constraints[i].c, constraints[i].v, &got), 0);
		if (got != constraints[i].want)
			FAILF("%s on %s: got %d", constraints[i].c, constraints[i].v, got);
	}
	rg_arena_free(a);
}

TEST(semver_library_version_vectors)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_semver v, w;
	struct rg_err err = RG_ERR_INIT;

	for (size_t i = 0; i < RG_ARRAY_SIZE(new_version); i++) {
		int rc = rg_semver_parse(&v, a, new_version[i].v, strlen(new_version[i].v), &err);

		if ((rc != 0) != new_version[i].err)
			FAILF("NewVersion(%s) rc %d", new_version[i].v, rc);
	}
	for (size_t i = 0; i < RG_ARRAY_SIZE(strict_version); i++) {
		int rc = rg_semver_parse_strict(&v, a, strict_version[i].v,
						strlen(strict_version[i].v), &err);

		if ((rc != 0) != strict_version[i].err)
			FAILF("StrictNewVersion(%s) rc %d", strict_version[i].v, rc);
	}
	for (size_t i = 0; i < RG_ARRAY_SIZE(compare); i++) {
		CHECK_INT(rg_semver_parse(&v, a, compare[i].a, strlen(compare[i].a), &err), 0);
		CHECK_INT(rg_semver_parse(&w, a, compare[i].b, strlen(compare[i].b), &err), 0);
		if (rg_semver_compare(&v, &w) != compare[i].want)
			FAILF("compare %s %s", compare[i].a, compare[i].b);
	}
	rg_arena_free(a);
}

TEST(semver_errors_and_format)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_semver_constraints *cs = NULL;
	struct rg_semver v;
	struct rg_err err = RG_ERR_INIT;
	struct rg_buf b = RG_BUF_INIT(256);

	CHECK_INT(rg_semver_constraints_parse(&cs, a, "", 0, &err), RG_EPARSE);
	CHECK_STR(err.msg, "improper constraint: ");
	CHECK_INT(rg_semver_constraints_parse(&cs, a, ">= foo", 6, &err), RG_EPARSE);
	CHECK_STR(err.msg, "improper constraint: >= foo");
	CHECK_INT(rg_semver_parse(&v, a, "foo", 3, &err), RG_EPARSE);
	CHECK_STR(err.msg, "Invalid Semantic Version");
	CHECK_INT(rg_semver_parse(&v, a, "1.2.3-01", 8, &err), RG_EPARSE);
	CHECK_STR(err.msg, "Version segment starts with 0");
	CHECK_INT(rg_semver_parse(&v, a, "v1.2-rc.1+b.7", 13, &err), 0);
	CHECK_INT(rg_semver_format(&b, &v), 0);
	CHECK_STR(b.ptr, "1.2.0-rc.1+b.7");
	CHECK_STR(v.original.ptr, "v1.2-rc.1+b.7");
	rg_buf_release(&b);
	rg_arena_free(a);
}

TEST(semver_validate_reasons)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_semver_constraints *cs = NULL;
	struct rg_semver v;
	struct rg_err err = RG_ERR_INIT;
	struct rg_buf b = RG_BUF_INIT(1024);

	CHECK_INT(rg_semver_constraints_parse(&cs, a, ">= 1.3, < 2", 11, &err), 0);
	CHECK_INT(rg_semver_parse(&v, a, "1.2.3", 5, &err), 0);
	CHECK(!rg_semver_validate(cs, &v, &b));
	CHECK_STR(b.ptr, "1.2.3 is less than 1.3");
	rg_buf_reset(&b);
	CHECK_INT(rg_semver_parse(&v, a, "1.4.0-rc.1", 10, &err), 0);
	CHECK(!rg_semver_validate(cs, &v, &b));
	CHECK_STR(b.ptr, "1.4.0-rc.1 is a prerelease version and the constraint is only looking for release versions");
	rg_buf_reset(&b);
	CHECK_INT(rg_semver_parse(&v, a, "1.5.0", 5, &err), 0);
	CHECK(rg_semver_validate(cs, &v, &b));
	CHECK_STR(b.ptr, "");
	rg_buf_release(&b);
	rg_arena_free(a);
}

TEST(semver_helm_kube_version_idioms)
{
	/* Chart idioms; results checked with helm 3.10.1 semverCompare */
	struct rg_arena *a = rg_arena_new();
	struct rg_err err = RG_ERR_INIT;
	bool r = false;

	CHECK_INT(rg_semver_compare_str(&r, a, ">=1.21-0", 8, "v1.31.0", 7, &err), 0);
	CHECK(r);
	CHECK_INT(rg_semver_compare_str(&r, a, ">=1.21", 6, "v1.25.3-gke.100", 15, &err), 0);
	CHECK(!r);
	CHECK_INT(rg_semver_compare_str(&r, a, ">=1.21-0", 8, "v1.25.3-gke.100", 15, &err), 0);
	CHECK(r);
	CHECK_INT(rg_semver_compare_str(&r, a, "<1.19-0", 7, "v1.31.0", 7, &err), 0);
	CHECK(!r);
	CHECK_INT(rg_semver_compare_str(&r, a, "1.2.3 - 1.4", 11, "1.4.9", 5, &err), 0);
	CHECK(r);
	CHECK_INT(rg_semver_compare_str(&r, a, "^2 || ~1.2", 10, "1.2.9", 5, &err), 0);
	CHECK(r);
	rg_arena_free(a);
}
