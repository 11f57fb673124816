/*
 * gitsecrets.h - recognising secrets kept in Git, so they are never
 * decrypted, resolved or printed.
 *
 * GitOps repositories keep secrets in three common forms, and rendergate
 * renders all of them as they are (it has no keys and asks no vault):
 *
 *   - SOPS: any manifest with a top-level `sops:` mapping (holding `mac`,
 *     `version` or a key group such as `age`, `pgp`, `kms`); its values
 *     look like "ENC[AES256_GCM,data:...,iv:...,tag:...,type:str]";
 *   - SealedSecrets: kind SealedSecret (bitnami.com), whose
 *     spec.encryptedData values are ciphertext;
 *   - Vault placeholders (argocd-vault-plugin): "<path:kv/data/x#key>"
 *     or "<path:kv/data/x#key#version>", and "<key>" in an object
 *     annotated avp.kubernetes.io/path.
 *
 * The diff and report writers use these to say "encrypted value changed"
 * instead of showing a value, and the Flux renderer uses them to refuse
 * reading variables or Helm values out of a SOPS-encrypted Secret.
 * Everything here is pure and allocation-free.
 */
#ifndef RENDERGATE_GITSECRETS_H
#define RENDERGATE_GITSECRETS_H

#include "rendergate/compat.h"

struct rg_node;

enum rg_gitsecrets_kind {
	RG_GITSECRETS_NONE = 0,
	RG_GITSECRETS_SOPS,
	RG_GITSECRETS_SEALED,
	RG_GITSECRETS_VAULT,
};

/* How obj (a whole manifest) keeps secrets, or RG_GITSECRETS_NONE. */
enum rg_gitsecrets_kind rg_gitsecrets_object(const struct rg_node *obj);

/*
 * Is the scalar s[0..n) an encrypted value or a placeholder on its own?
 * SOPS "ENC[...]" and "<path:...#...>" are recognised anywhere; a bare
 * "<key>" only counts inside an object rg_gitsecrets_object() calls
 * RG_GITSECRETS_VAULT, so this returns NONE for it.
 */
enum rg_gitsecrets_kind rg_gitsecrets_value(const char *s, size_t n);

/* "SOPS", "SealedSecret", "Vault placeholder", or "" for NONE. */
const char *rg_gitsecrets_name(enum rg_gitsecrets_kind k);

#endif
