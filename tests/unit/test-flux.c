/*
 * test-flux.c - the pieces of the Flux and Argo CD renderers that stand on
 * their own (URL comparison, release names, Argo CD globs, the overlay
 * tree), and both renderers reached through the environment registry.
 * The rendering rules themselves are golden cases (test-fluxcases.c).
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/argo.h"
#include "rendergate/config.h"
#include "rendergate/doc.h"
#include "rendergate/env.h"
#include "rendergate/finding.h"
#include "rendergate/flux.h"
#include "rendergate/objects.h"
#include "rendergate/tree.h"
#include "test.h"

TEST(same_url)
{
	CHECK(rg_flux_same_url("https://git.example.com/org/fleet.git",
			       "git@git.example.com:org/fleet"));
	CHECK(rg_flux_same_url("ssh://git@Git.Example.com:2222/org/fleet/",
			       "https://git.example.com/org/fleet"));
	CHECK(rg_flux_same_url("https://user@git.example.com/org/fleet",
			       "http://git.example.com/org/fleet.git"));
	CHECK(!rg_flux_same_url("https://git.example.com/org/fleet",
				"https://git.example.com/org/fleet2"));
	CHECK(!rg_flux_same_url("https://git.example.com/org/fleet",
				"https://git.example.com/Org/fleet"));
	CHECK(!rg_flux_same_url("https://a.example.com/org/fleet",
				"https://b.example.com/org/fleet"));
	CHECK(!rg_flux_same_url(NULL, "x"));
}

TEST(release_name)
{
	struct rg_arena *a = rg_arena_new();

	CHECK_STR(rg_flux_release_name(a, "web", NULL), "web");
	CHECK_STR(rg_flux_release_name(a, "web", ""), "web");
	CHECK_STR(rg_flux_release_name(a, "web", "shop"), "shop-web");
	/* 53 bytes stay, 54 are shortened (helm-controller ShortenName) */
	CHECK_INT(strlen(rg_flux_release_name(
		      a, "a23456789012345678901234567890123456789012345678901234",
		      NULL)),
		  53);
	CHECK_STR(rg_flux_release_name(
		      a, "a-release-name-that-is-much-longer-than-usual",
		      "production-namespace"),
		  "production-namespace-a-release-name-that-97eea3dd00e6");
	CHECK_STR(rg_flux_release_name(
		      a, "12345678901234567890123456789012345678901234567890123",
		      NULL),
		  "12345678901234567890123456789012345678901234567890123");
	rg_arena_free(a);
}

TEST(argo_glob)
{
	CHECK(rg_argo_glob("services/*", "services/cart"));
	CHECK(rg_argo_glob("services/*", "services/cart/deep"));
	CHECK(!rg_argo_glob("services/*", "other/cart"));
	CHECK(rg_argo_glob("{a,b}.yaml", "b.yaml"));
	CHECK(!rg_argo_glob("{a,b}.yaml", "c.yaml"));
	CHECK(rg_argo_glob("*.{yaml,json}", "x/y.json"));
	CHECK(rg_argo_glob("v?.yaml", "v1.yaml"));
	CHECK(rg_argo_glob("[!x]*", "abc"));
	CHECK(!rg_argo_glob("[!a]*", "abc"));
}

TEST(overlay_tree)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tree *base = rg_tree_mem_new(a, "base");
	struct rg_tree *o;
	struct rg_err err = RG_ERR_INIT;
	struct rg_tree_entry *ents = NULL;
	size_t n = 0, len = 0;
	const char *data = NULL;

	rg_tree_mem_put(base, "d/a.yaml", "a: 1\n", 5, RG_TREE_FILE);
	rg_tree_mem_put(base, "d/z.yaml", "z: 1\n", 5, RG_TREE_FILE);
	o = rg_flux_tree_overlay(a, base, "d/kustomization.yaml", "x: 2\n", 5);
	CHECK_INT(rg_tree_read(o, "d/kustomization.yaml", &data, &len, &err),
		  0);
	CHECK_STR(data, "x: 2\n");
	CHECK_INT(rg_tree_read(o, "d/a.yaml", &data, &len, &err), 0);
	CHECK_STR(data, "a: 1\n");
	CHECK_INT(rg_tree_list(o, "d", &ents, &n, &err), 0);
	CHECK_INT(n, 3);
	CHECK_STR(ents[0].name, "a.yaml");
	CHECK_STR(ents[1].name, "kustomization.yaml");
	CHECK_STR(ents[2].name, "z.yaml");
	CHECK_INT(rg_tree_stat(o, "d/kustomization.yaml"), RG_TREE_FILE);
	CHECK_INT(rg_tree_stat(base, "d/kustomization.yaml"),
		  RG_TREE_MISSING);
	/* reads through the overlay are recorded in the base's log */
	CHECK(base->ndeps >= 1);
	rg_tree_free(o);
	rg_tree_free(base);
	rg_arena_free(a);
}

static const char repo_cfg[] =
    "environments:\n"
    "  - name: prod\n"
    "    path: clusters/prod\n"
    "    kind: flux\n"
    "    flux_sources: [flux-system/fleet]\n"
    "  - name: apps\n"
    "    path: apps\n"
    "    kind: argocd\n"
    "    repo_urls: [https://git.example.com/fleet]\n";

static const char flux_ks[] =
    "apiVersion: kustomize.toolkit.fluxcd.io/v1\n"
    "kind: Kustomization\n"
    "metadata: {name: web, namespace: flux-system}\n"
    "spec:\n"
    "  path: ./web\n"
    "  sourceRef: {kind: GitRepository, name: fleet}\n"
    "  postBuild:\n"
    "    substitute: {replicas: \"3\"}\n";

static const char web[] = "apiVersion: apps/v1\n"
			  "kind: Deployment\n"
			  "metadata: {name: web, namespace: web}\n"
			  "spec: {replicas: '${replicas}'}\n";

static const char argo_app[] =
    "apiVersion: argoproj.io/v1alpha1\n"
    "kind: Application\n"
    "metadata: {name: web, namespace: argocd}\n"
    "spec:\n"
    "  source: {repoURL: 'git@git.example.com:fleet.git', path: web}\n";

TEST(registry_renders_flux_and_argocd)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_tree *t = rg_tree_mem_new(a, "t");
	struct rg_errlist errs = RG_ERRLIST_INIT;
	struct rg_config_repo *cfg = NULL;
	struct rg_objset set;
	struct rg_findings f;
	struct rg_err err = RG_ERR_INIT;
	const struct rg_obj *o;

	rg_tree_mem_put(t, "clusters/prod/web.yaml", flux_ks,
			strlen(flux_ks), RG_TREE_FILE);
	rg_tree_mem_put(t, "web/deploy.yaml", web, strlen(web), RG_TREE_FILE);
	rg_tree_mem_put(t, "apps/web.yaml", argo_app, strlen(argo_app),
			RG_TREE_FILE);
	CHECK_INT(rg_config_repo_parse(&cfg, a, ".rendergate.yaml", repo_cfg,
				       strlen(repo_cfg), &errs),
		  0);
	rg_errlist_release(&errs);
	CHECK_STR(cfg->envs[0].kind, "flux");
	CHECK_INT(cfg->envs[0].nflux_sources, 1);
	CHECK_STR(cfg->envs[1].kind, "argocd");
	CHECK_INT(cfg->envs[1].nrepo_urls, 1);

	rg_objset_init(&set, a);
	rg_finding_init(&f, a);
	CHECK_INT(rg_env_render(&set, &f, cfg, &cfg->envs[0], t, a, &err), 0);
	CHECK_INT(set.len, 2);
	o = rg_objset_find(&set, "apps/Deployment/web/web");
	CHECK(o != NULL);
	/* '${replicas}' was quoted in the source: it stays a string */
	CHECK_STR(rg_node_cstr(rg_node_path(o->doc, "spec.replicas")), "3");
	CHECK_INT(f.len, 0);
	/* the render read the Kustomization's folder through the tree */
	{
		bool read_web = false;

		for (size_t i = 0; i < t->ndeps; i++)
			if (!strcmp(t->deps[i].path, "web/deploy.yaml"))
				read_web = true;
		CHECK(read_web);
	}

	rg_objset_init(&set, a);
	rg_finding_init(&f, a);
	CHECK_INT(rg_env_render(&set, &f, cfg, &cfg->envs[1], t, a, &err), 0);
	CHECK(rg_objset_find(&set, "apps/Deployment/web/web") != NULL);
	CHECK(rg_objset_find(&set, "argoproj.io/Application/argocd/web") !=
	      NULL);
	CHECK_INT(f.len, 0);
	rg_tree_free(t);
	rg_arena_free(a);
}

TEST(config_rejects_bad_flux_source)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_errlist errs = RG_ERRLIST_INIT;
	struct rg_config_repo *cfg = NULL;
	static const char bad[] = "environments:\n"
				  "  - name: prod\n"
				  "    path: clusters/prod\n"
				  "    kind: flux\n"
				  "    flux_sources: [fleet]\n";

	CHECK(rg_config_repo_parse(&cfg, a, ".rendergate.yaml", bad,
				   strlen(bad), &errs) < 0);
	CHECK(errs.len >= 1);
	CHECK(strstr(errs.items[0].msg, "namespace/name") != NULL);
	rg_errlist_release(&errs);
	rg_arena_free(a);
}

TEST(contrib_example_loads)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_errlist errs = RG_ERRLIST_INIT;
	struct rg_config_repo *cfg = NULL;
	FILE *f = fopen("contrib/gitops.example.yaml", "rb");
	char buf[16384];
	size_t len;

	CHECK(f != NULL);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	CHECK_INT(rg_config_repo_parse(&cfg, a, "gitops.example.yaml", buf, len,
				       &errs),
		  0);
	CHECK_INT(cfg->nenvs, 3);
	CHECK_STR(cfg->envs[1].kind, "flux");
	CHECK_INT(cfg->envs[1].nflux_sources, 2);
	CHECK_STR(cfg->envs[2].kind, "argocd");
	CHECK_INT(cfg->envs[2].nrepo_urls, 2);
	CHECK(rg_env_renderer("flux")->render != NULL);
	CHECK(rg_env_renderer("argocd")->render != NULL);
	rg_errlist_release(&errs);
	rg_arena_free(a);
}
