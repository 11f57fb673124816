#include "rendergate/compat.h"
#include "rendergate/doc.h"
#include "rendergate/gitsecrets.h"

static bool has_prefix(const char *s, size_t n, const char *p)
{
	size_t pl = strlen(p);

	return n >= pl && !memcmp(s, p, pl);
}

/* A top-level sops: mapping with at least one of SOPS's own keys. */
static bool sops_metadata(const struct rg_node *obj)
{
	static const char *const keys[] = {"mac",     "version", "age",
					   "pgp",     "kms",     "gcp_kms",
					   "azure_kv", "hc_vault", "lastmodified"};
	const struct rg_node *s = rg_map_gets(obj, "sops");

	if (!s || s->kind != RG_MAP)
		return false;
	for (size_t i = 0; i < RG_ARRAY_SIZE(keys); i++)
		if (rg_map_gets(s, keys[i]))
			return true;
	return false;
}

enum rg_gitsecrets_kind rg_gitsecrets_object(const struct rg_node *obj)
{
	const char *kind, *av;

	if (!obj || obj->kind != RG_MAP)
		return RG_GITSECRETS_NONE;
	if (sops_metadata(obj))
		return RG_GITSECRETS_SOPS;
	kind = rg_node_cstr(rg_map_gets(obj, "kind"));
	av = rg_node_cstr(rg_map_gets(obj, "apiVersion"));
	if (kind && av && !strcmp(kind, "SealedSecret") &&
	    !strncmp(av, "bitnami.com/", 12))
		return RG_GITSECRETS_SEALED;
	if (rg_node_path(obj, "metadata.annotations") &&
	    rg_map_gets(rg_node_path(obj, "metadata.annotations"),
			"avp.kubernetes.io/path"))
		return RG_GITSECRETS_VAULT;
	return RG_GITSECRETS_NONE;
}

enum rg_gitsecrets_kind rg_gitsecrets_value(const char *s, size_t n)
{
	const char *hash;

	if (has_prefix(s, n, "ENC[") && n > 5 && s[n - 1] == ']' &&
	    memmem(s, n, "data:", 5))
		return RG_GITSECRETS_SOPS;
	/* argocd-vault-plugin: <path:some/path#key[#version]>, possibly
	   inside a longer string */
	for (const char *p = memmem(s, n, "<path:", 6); p;
	     p = memmem(p + 1, n - (size_t)(p + 1 - s), "<path:", 6)) {
		const char *end = memchr(p, '>', n - (size_t)(p - s));

		hash = end ? memchr(p, '#', (size_t)(end - p)) : NULL;
		if (hash && hash > p + 6 && hash + 1 < end)
			return RG_GITSECRETS_VAULT;
		if (p + 1 >= s + n)
			break;
	}
	return RG_GITSECRETS_NONE;
}

const char *rg_gitsecrets_name(enum rg_gitsecrets_kind k)
{
	switch (k) {
	case RG_GITSECRETS_SOPS:
		return "SOPS";
	case RG_GITSECRETS_SEALED:
		return "SealedSecret";
	case RG_GITSECRETS_VAULT:
		return "Vault placeholder";
	default:
		return "";
	}
}
