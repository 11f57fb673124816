/*
 * test-gitsecrets.c - recognising SOPS files, SealedSecrets and Vault
 * placeholders (gitsecrets.h).
 */
#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/doc.h"
#include "rendergate/gitsecrets.h"
#include "test.h"

static enum rg_gitsecrets_kind obj_kind(struct rg_arena *a, const char *y)
{
	struct rg_node *n = NULL;
	struct rg_err err = RG_ERR_INIT;

	if (rg_doc_parse_one(&n, a, "t.yaml", y, strlen(y), 0, &err) < 0)
		return (enum rg_gitsecrets_kind)-1;
	return rg_gitsecrets_object(n);
}

#define VAL(s) rg_gitsecrets_value(s, strlen(s))

TEST(objects)
{
	struct rg_arena *a = rg_arena_new();

	CHECK_INT(obj_kind(a, "apiVersion: v1\nkind: Secret\n"
			      "metadata: {name: s}\n"
			      "stringData: {token: 'ENC[AES256_GCM,data:Zm9v,"
			      "iv:x,tag:y,type:str]'}\n"
			      "sops:\n  age: [{recipient: age1x}]\n"
			      "  mac: ENC[AES256_GCM,data:abc,type:str]\n"
			      "  version: 3.8.1\n"),
		  RG_GITSECRETS_SOPS);
	CHECK_INT(obj_kind(a, "apiVersion: bitnami.com/v1alpha1\n"
			      "kind: SealedSecret\nmetadata: {name: s}\n"
			      "spec: {encryptedData: {k: AgBy3i4OJSWK}}\n"),
		  RG_GITSECRETS_SEALED);
	CHECK_INT(obj_kind(a, "apiVersion: v1\nkind: Secret\nmetadata:\n"
			      "  name: s\n  annotations:\n"
			      "    avp.kubernetes.io/path: kv/data/app\n"
			      "stringData: {password: <password>}\n"),
		  RG_GITSECRETS_VAULT);
	/* a plain Secret, and a field merely called sops */
	CHECK_INT(obj_kind(a, "apiVersion: v1\nkind: Secret\n"
			      "metadata: {name: s}\ndata: {k: dg==}\n"),
		  RG_GITSECRETS_NONE);
	CHECK_INT(obj_kind(a, "apiVersion: v1\nkind: ConfigMap\n"
			      "metadata: {name: c}\nsops: enabled\n"),
		  RG_GITSECRETS_NONE);
	CHECK_INT(obj_kind(a, "apiVersion: example.com/v1\n"
			      "kind: SealedSecret\nmetadata: {name: s}\n"),
		  RG_GITSECRETS_NONE);
	rg_arena_free(a);
}

TEST(values)
{
	CHECK_INT(VAL("ENC[AES256_GCM,data:Zm9v,iv:a,tag:b,type:str]"),
		  RG_GITSECRETS_SOPS);
	CHECK_INT(VAL("<path:kv/data/app#password>"), RG_GITSECRETS_VAULT);
	CHECK_INT(VAL("postgres://u:<path:kv/data/db#pw#3>@db:5432"),
		  RG_GITSECRETS_VAULT);
	CHECK_INT(VAL("<path:kv/data/app>"), RG_GITSECRETS_NONE);
	CHECK_INT(VAL("<password>"), RG_GITSECRETS_NONE);
	CHECK_INT(VAL("ENC[not really"), RG_GITSECRETS_NONE);
	CHECK_INT(VAL("plain"), RG_GITSECRETS_NONE);
	CHECK_INT(VAL(""), RG_GITSECRETS_NONE);
	CHECK_STR(rg_gitsecrets_name(RG_GITSECRETS_SOPS), "SOPS");
	CHECK_STR(rg_gitsecrets_name(RG_GITSECRETS_NONE), "");
}
