/*
 * kust_smp.c - strategic merge patch as kustomize (kyaml merge2) does it.
 *
 * The merge keys of built-in types come from a small schema below, written
 * from the Kubernetes API's patchMergeKey/patchStrategy markers (and
 * listMapKeys, for lists keyed by two fields). A list without a merge
 * key is replaced by the patch's list; so is every list of a type
 * without a schema (a custom resource): kustomize v5.5.0's strategic
 * merge does not infer keys there (checked against kubectl kustomize).
 */
#include "rendergate/compat.h"

#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/doc.h"
#include "rendergate/kust.h"
#include "rendergate/kustint.h"

/* Schema contexts: what kind of value a node is. */
enum ctx {
	C_UNKNOWN = 0, /* no schema (custom resource): lists are replaced */
	C_KNOWN,       /* part of a built-in type without list keys */
	C_META,
	C_WORKLOAD, /* Deployment & co root */
	C_WSPEC,
	C_CRONJOB,
	C_CJSPEC,
	C_JOBTPL,
	C_POD,
	C_PODTPL_ROOT,
	C_PODTPL,
	C_PODSPEC,
	C_CONTAINER,
	C_SERVICE,
	C_SVCSPEC,
	C_WEBHOOKS,
	C_BUILTIN, /* other built-in kinds: root */
};

struct field_rule {
	uint8_t ctx;
	const char *field;
	uint8_t child;
	const char *key;  /* list merge key; NULL: not a keyed list */
	bool prim_merge;  /* primitive list with strategy merge */
	const char *key2; /* second list-map key (x-kubernetes-list-map-keys) */
};

static const struct field_rule rules[] = {
	{ C_META, "ownerReferences", C_KNOWN, "uid", false, NULL },
	{ C_META, "finalizers", C_KNOWN, NULL, true, NULL },
	{ C_WORKLOAD, "spec", C_WSPEC, NULL, false, NULL },
	{ C_WSPEC, "template", C_PODTPL, NULL, false, NULL },
	{ C_CRONJOB, "spec", C_CJSPEC, NULL, false, NULL },
	{ C_CJSPEC, "jobTemplate", C_JOBTPL, NULL, false, NULL },
	{ C_JOBTPL, "metadata", C_META, NULL, false, NULL },
	{ C_JOBTPL, "spec", C_WSPEC, NULL, false, NULL },
	{ C_POD, "spec", C_PODSPEC, NULL, false, NULL },
	{ C_PODTPL_ROOT, "template", C_PODTPL, NULL, false, NULL },
	{ C_PODTPL, "metadata", C_META, NULL, false, NULL },
	{ C_PODTPL, "spec", C_PODSPEC, NULL, false, NULL },
	{ C_PODSPEC, "containers", C_CONTAINER, "name", false, NULL },
	{ C_PODSPEC, "initContainers", C_CONTAINER, "name", false, NULL },
	{ C_PODSPEC, "ephemeralContainers", C_CONTAINER, "name", false, NULL },
	{ C_PODSPEC, "volumes", C_KNOWN, "name", false, NULL },
	{ C_PODSPEC, "imagePullSecrets", C_KNOWN, "name", false, NULL },
	{ C_PODSPEC, "hostAliases", C_KNOWN, "ip", false, NULL },
	{ C_PODSPEC, "topologySpreadConstraints", C_KNOWN, "topologyKey",
	  false, "whenUnsatisfiable" },
	{ C_CONTAINER, "env", C_KNOWN, "name", false, NULL },
	{ C_CONTAINER, "ports", C_KNOWN, "containerPort", false, "protocol" },
	{ C_CONTAINER, "volumeMounts", C_KNOWN, "mountPath", false, NULL },
	{ C_CONTAINER, "volumeDevices", C_KNOWN, "devicePath", false, NULL },
	{ C_SERVICE, "spec", C_SVCSPEC, NULL, false, NULL },
	{ C_SVCSPEC, "ports", C_KNOWN, "port", false, "protocol" },
	{ C_WEBHOOKS, "webhooks", C_KNOWN, "name", false, NULL },
};

static const char *const builtin_groups[] = {
	"",
	"apps",
	"batch",
	"extensions",
	"policy",
	"autoscaling",
	"rbac.authorization.k8s.io",
	"networking.k8s.io",
	"storage.k8s.io",
	"scheduling.k8s.io",
	"coordination.k8s.io",
	"discovery.k8s.io",
	"node.k8s.io",
	"certificates.k8s.io",
	"apiextensions.k8s.io",
	"admissionregistration.k8s.io",
	"apiregistration.k8s.io",
	"events.k8s.io",
	"flowcontrol.apiserver.k8s.io",
	"authentication.k8s.io",
	"authorization.k8s.io",
};

static bool is_builtin_group(const char *g)
{
	for (size_t i = 0; i < RG_ARRAY_SIZE(builtin_groups); i++)
		if (strcmp(g, builtin_groups[i]) == 0)
			return true;
	return false;
}

static int root_ctx(const struct rg_node *obj)
{
	const char *av = rg_kust_str_at(obj, "apiVersion");
	const char *kind = rg_kust_str_at(obj, "kind");
	const char *slash = strchr(av, '/');
	char group[256] = "";

	if (slash && (size_t)(slash - av) < sizeof(group)) {
		memcpy(group, av, (size_t)(slash - av));
		group[slash - av] = 0;
	}
	if (!*av || !is_builtin_group(group))
		return C_UNKNOWN;
	if (!strcmp(kind, "Deployment") || !strcmp(kind, "StatefulSet") ||
	    !strcmp(kind, "DaemonSet") || !strcmp(kind, "ReplicaSet") ||
	    !strcmp(kind, "Job") || !strcmp(kind, "ReplicationController"))
		return C_WORKLOAD;
	if (!strcmp(kind, "CronJob"))
		return C_CRONJOB;
	if (!strcmp(kind, "Pod"))
		return C_POD;
	if (!strcmp(kind, "PodTemplate"))
		return C_PODTPL_ROOT;
	if (!strcmp(kind, "Service"))
		return C_SERVICE;
	if (!strcmp(kind, "MutatingWebhookConfiguration") ||
	    !strcmp(kind, "ValidatingWebhookConfiguration"))
		return C_WEBHOOKS;
	return C_BUILTIN;
}

static const struct field_rule *rule_for(int ctx, const char *field)
{
	for (size_t i = 0; i < RG_ARRAY_SIZE(rules); i++)
		if (rules[i].ctx == ctx && !strcmp(rules[i].field, field))
			return &rules[i];
	return NULL;
}

/* Context of a field's value, and its list rule. */
static int child_ctx(int ctx, const char *field, const struct field_rule **r)
{
	*r = NULL;
	if (ctx == C_UNKNOWN)
		return strcmp(field, "metadata") ? C_UNKNOWN : C_META;
	if (!strcmp(field, "metadata") &&
	    (ctx == C_WORKLOAD || ctx == C_CRONJOB || ctx == C_POD ||
	     ctx == C_PODTPL_ROOT || ctx == C_SERVICE || ctx == C_WEBHOOKS ||
	     ctx == C_BUILTIN))
		return C_META;
	*r = rule_for(ctx, field);
	return *r ? (*r)->child : C_KNOWN;
}

struct smp {
	struct rg_arena *a;
	struct rg_err *err;
	unsigned depth;
};

static const char *directive(const struct rg_node *n)
{
	const struct rg_node *p = rg_map_gets(n, "$patch");

	return p ? rg_node_cstr(p) : NULL;
}

static struct rg_node *merge(struct smp *s, struct rg_node *dst,
			     const struct rg_node *patch, int ctx,
			     const struct field_rule *lr, int *rc);

/* Value of key field of a list element as text, or NULL. */
static const char *elem_key(struct smp *s, const struct rg_node *e,
			    const char *key)
{
	const struct rg_node *v;

	if (!e || e->kind != RG_MAP)
		return NULL;
	v = rg_map_gets(e, key);
	if (!v || v->kind == RG_NULL || v->kind == RG_MAP || v->kind == RG_SEQ)
		return NULL;
	return rg_kust_scalar_text(s->a, v);
}

static void seq_append(struct smp *s, struct rg_node *seq, struct rg_node *v)
{
	rg_seq_push(s->a, seq, v);
}

/* Merge a patch list into dst using key (associative). */
static struct rg_node *merge_keyed(struct smp *s, struct rg_node *dst,
				   const struct rg_node *patch, int ctx,
				   const char *key, int *rc)
{
	struct rg_node *out = rg_node_seq(s->a);
	size_t n = dst ? dst->u.seq.len : 0;
	bool *used = rg_arena_calloc(s->a, n + 1, sizeof(bool));

	/* a `$patch: replace` element replaces the whole list */
	for (size_t i = 0; i < patch->u.seq.len; i++) {
		const char *d = directive(patch->u.seq.items[i]);

		if (d && !strcmp(d, "replace")) {
			for (size_t j = 0; j < patch->u.seq.len; j++) {
				const struct rg_node *e = patch->u.seq.items[j];
				struct rg_node *m;

				if (j == i)
					continue;
				m = merge(s, NULL, e, ctx, NULL, rc);
				if (*rc)
					return NULL;
				if (m)
					seq_append(s, out, m);
			}
			return out;
		}
	}
	/* patch elements first, in patch order (kustomize prepends) */
	for (size_t i = 0; i < patch->u.seq.len; i++) {
		const struct rg_node *pe = patch->u.seq.items[i];
		const char *kv = elem_key(s, pe, key);
		const char *d = directive(pe);
		struct rg_node *de = NULL, *m;
		bool dup = false;

		if (!kv) {
			/* element without the key: appended as is */
			m = merge(s, NULL, pe, ctx, NULL, rc);
			if (*rc)
				return NULL;
			if (m)
				seq_append(s, out, m);
			continue;
		}
		for (size_t j = 0; j < out->u.seq.len; j++) {
			const char *ov = elem_key(s, out->u.seq.items[j], key);

			if (ov && !strcmp(ov, kv))
				dup = true;
		}
		for (size_t j = 0; j < n; j++) {
			const char *dv = elem_key(s, dst->u.seq.items[j], key);

			if (!used[j] && dv && !strcmp(dv, kv)) {
				de = dst->u.seq.items[j];
				used[j] = true;
				break;
			}
		}
		if (d && !strcmp(d, "delete"))
			continue;
		if (dup && !de)
			continue;
		m = merge(s, de, pe, ctx, NULL, rc);
		if (*rc)
			return NULL;
		/* kyaml drops elements that merge to nothing */
		if (!m || m->kind == RG_NULL ||
		    (m->kind == RG_MAP && m->u.map.len == 0))
			continue;
		if (m->kind == RG_MAP && !rg_map_gets(m, key))
			rg_map_set(s->a, m, key, strlen(key),
				   rg_node_str(s->a, kv));
		seq_append(s, out, m);
	}
	for (size_t j = 0; j < n; j++) {
		if (used[j])
			continue;
		/* deleted by a `$patch: delete` element above? */
		const char *dv = elem_key(s, dst->u.seq.items[j], key);
		bool deleted = false;

		for (size_t i = 0; dv && i < patch->u.seq.len; i++) {
			const struct rg_node *pe = patch->u.seq.items[i];
			const char *kv = elem_key(s, pe, key);
			const char *d = directive(pe);

			if (kv && !strcmp(kv, dv) && d && !strcmp(d, "delete"))
				deleted = true;
		}
		if (!deleted)
			seq_append(s, out, dst->u.seq.items[j]);
	}
	return out;
}

/* Primitive list with strategy merge: union, patch values first. */
static struct rg_node *merge_prim(struct smp *s, struct rg_node *dst,
				  const struct rg_node *patch)
{
	struct rg_node *out = rg_node_seq(s->a);
	const struct rg_node *srcs[2] = { patch, dst };

	for (int k = 0; k < 2; k++) {
		const struct rg_node *l = srcs[k];

		for (size_t i = 0; l && i < l->u.seq.len; i++) {
			bool seen = false;

			for (size_t j = 0; j < out->u.seq.len; j++)
				if (rg_node_equal(out->u.seq.items[j],
						  l->u.seq.items[i]))
					seen = true;
			if (!seen)
				seq_append(s, out,
					   rg_node_clone(s->a,
							 l->u.seq.items[i]));
		}
	}
	return out;
}

/* Key values of an element for keys[0..n): "" where missing. */
static void tuple_of(struct smp *s, const struct rg_node *e,
		     const char *const *keys, size_t n, const char **out)
{
	for (size_t i = 0; i < n; i++) {
		const char *v = elem_key(s, e, keys[i]);

		out[i] = v ? v : "";
	}
}

static bool tuple_eq(const char *const *x, const char *const *y, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(x[i], y[i]))
			return false;
	return true;
}

/* kyaml's match(): agree on a shared value, no conflicting non-empty. */
static bool tuple_merge(const char **x, const char **y, size_t n)
{
	bool common = false;

	for (size_t i = 0; i < n; i++) {
		if (!strcmp(x[i], y[i])) {
			common = true;
			continue;
		}
		if (*x[i] && *y[i])
			return false;
	}
	if (!common)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!*x[i])
			x[i] = y[i];
		else
			y[i] = x[i];
	}
	return true;
}

static struct rg_node *find_tuple(struct smp *s, const struct rg_node *l,
				  const char *const *keys, size_t n,
				  const char *const *t)
{
	const char *cur[2];

	for (size_t i = 0; l && i < l->u.seq.len; i++) {
		tuple_of(s, l->u.seq.items[i], keys, n, cur);
		if (tuple_eq(cur, t, n))
			return l->u.seq.items[i];
	}
	return NULL;
}

/*
 * A list keyed by two list-map keys (ports by containerPort and
 * protocol), following what kyaml does: merged and new elements are
 * collected in key order, then every element of the original list is
 * moved to the end (keeping its merged content), so new elements come
 * first and original ones follow in their original order.
 */
static struct rg_node *merge_multikey(struct smp *s, struct rg_node *dst,
				      const struct rg_node *patch, int ctx,
				      const char *const *keys, size_t n, int *rc)
{
	const struct rg_node *srcs[2] = { patch, dst };
	size_t cap = patch->u.seq.len + (dst ? dst->u.seq.len : 0) + 1;
	const char *(*tuples)[2] = rg_arena_calloc(s->a, cap, sizeof(*tuples));
	struct rg_node *items = rg_node_seq(s->a), *out;
	bool *gone = rg_arena_calloc(s->a, cap, sizeof(bool));
	size_t nt = 0;

	for (int k = 0; k < 2; k++) {
		const struct rg_node *l = srcs[k];

		for (size_t i = 0; l && i < l->u.seq.len; i++) {
			const char *t[2] = { "", "" };
			bool seen = false;

			tuple_of(s, l->u.seq.items[i], keys, n, t);
			for (size_t j = 0; j < nt && !seen; j++)
				seen = tuple_eq(tuples[j], t, n);
			if (!seen) {
				tuples[nt][0] = t[0];
				tuples[nt][1] = t[1];
				nt++;
			}
		}
	}
	for (size_t i = 0; i < nt; i++)
		for (size_t j = 0; j < nt; j++)
			tuple_merge(tuples[i], tuples[j], n);
	for (size_t i = 0; i < nt; i++) {
		struct rg_node *de = find_tuple(s, dst, keys, n, tuples[i]);
		struct rg_node *pe = find_tuple(s, patch, keys, n, tuples[i]);
		const char *d = pe ? directive(pe) : NULL;
		struct rg_node *m;
		bool replaced = false;

		if (d && !strcmp(d, "delete")) {
			for (size_t j = 0; dst && j < dst->u.seq.len; j++)
				if (dst->u.seq.items[j] == de)
					gone[j] = true;
			continue;
		}
		m = pe ? merge(s, de, pe, ctx, NULL, rc) : de;
		if (*rc)
			return NULL;
		if (!m)
			continue;
		for (size_t j = 0; j < items->u.seq.len && !replaced; j++) {
			const char *cur[2];

			tuple_of(s, items->u.seq.items[j], keys, n, cur);
			if (tuple_eq(cur, tuples[i], n)) {
				items->u.seq.items[j] = m;
				replaced = true;
			}
		}
		if (!replaced)
			seq_append(s, items, m);
	}
	/* every original element is taken out (by the keys it has) and
	   appended again */
	for (size_t j = 0; dst && j < dst->u.seq.len; j++) {
		struct rg_node *d = dst->u.seq.items[j];
		const char *have[2];
		size_t nh = 0, w = 0;

		if (gone[j])
			continue;
		for (size_t k = 0; k < n; k++) {
			const char *v = elem_key(s, d, keys[k]);

			if (v)
				have[nh++] = v;
		}
		for (size_t i = 0; i < items->u.seq.len; i++) {
			const char *cur[2];
			bool match = nh > 0;

			tuple_of(s, items->u.seq.items[i], keys, n, cur);
			for (size_t k = 0; k < nh; k++)
				if (strcmp(cur[k], have[k]))
					match = false;
			if (!match)
				items->u.seq.items[w++] = items->u.seq.items[i];
		}
		items->u.seq.len = w;
		seq_append(s, items, d);
	}
	out = items;
	return out;
}

static struct rg_node *merge_seq(struct smp *s, struct rg_node *dst,
				 const struct rg_node *patch, int ctx,
				 const struct field_rule *lr, int *rc)
{
	if (dst && dst->kind != RG_SEQ)
		dst = NULL;
	if (lr && lr->prim_merge)
		return merge_prim(s, dst, patch);
	if (lr && lr->key) {
		const char *keys[2] = { lr->key, lr->key2 };
		const char *valid[2];
		size_t nv = 0;

		/* keys that have a value somewhere; none: the primary key */
		for (size_t k = 0; k < 2 && keys[k]; k++) {
			const struct rg_node *ls[2] = { patch, dst };
			bool any = false;

			for (int x = 0; x < 2 && !any; x++)
				for (size_t i = 0; ls[x] && i < ls[x]->u.seq.len;
				     i++)
					if (elem_key(s, ls[x]->u.seq.items[i],
						     keys[k]))
						any = true;
			if (any)
				valid[nv++] = keys[k];
		}
		if (nv == 2)
			return merge_multikey(s, dst, patch, ctx, valid, 2, rc);
		return merge_keyed(s, dst, patch, ctx, nv ? valid[0] : keys[0],
				   rc);
	}
	/* not associative (no merge key in the schema, or a type without a
	   schema: kyaml does not infer keys when patching): the patch's list
	   replaces, directives dropped */
	{
		struct rg_node *out = rg_node_seq(s->a);

		for (size_t i = 0; i < patch->u.seq.len; i++) {
			const struct rg_node *e = patch->u.seq.items[i];
			struct rg_node *m;
			const char *d = directive(e);

			if (d && (!strcmp(d, "replace") || !strcmp(d, "delete")))
				continue;
			m = merge(s, NULL, e, ctx, NULL, rc);
			if (*rc)
				return NULL;
			if (m)
				seq_append(s, out, m);
		}
		return out;
	}
}

static struct rg_node *merge_map(struct smp *s, struct rg_node *dst,
				 const struct rg_node *patch, int ctx, int *rc)
{
	const char *d = directive(patch);

	if (d && !strcmp(d, "delete"))
		return NULL;
	if (d && !strcmp(d, "replace"))
		dst = NULL;
	if (!dst || dst->kind != RG_MAP)
		dst = rg_node_map(s->a);
	for (size_t i = 0; i < patch->u.map.len; i++) {
		const struct rg_pair *p = &patch->u.map.items[i];
		const struct field_rule *lr = NULL;
		struct rg_node *cur, *m;
		int cc;

		/* kyaml knows only $patch; $retainKeys, $setElementOrder/
		   and $deleteFromPrimitiveList/ are copied as plain fields,
		   as kubectl kustomize v5.5.0 does */
		if (p->key.len == 6 && !memcmp(p->key.ptr, "$patch", 6))
			continue;
		if (p->val->kind == RG_NULL) {
			rg_map_del(dst, p->key.ptr, p->key.len);
			continue;
		}
		cc = child_ctx(ctx, p->key.ptr, &lr);
		cur = rg_map_get(dst, p->key.ptr, p->key.len);
		m = merge(s, cur, p->val, cc, lr, rc);
		if (*rc)
			return NULL;
		if (!m)
			rg_map_del(dst, p->key.ptr, p->key.len);
		else
			rg_map_set(s->a, dst, p->key.ptr, p->key.len, m);
	}
	return dst;
}

static struct rg_node *merge(struct smp *s, struct rg_node *dst,
			     const struct rg_node *patch, int ctx,
			     const struct field_rule *lr, int *rc)
{
	struct rg_node *out = NULL;

	if (++s->depth > RG_CAP_YAML_DEPTH) {
		*rc = rg_err_set(s->err, RG_ELIMIT, &patch->pos,
				 "strategic merge patch nested deeper than %u "
				 "levels (RG_CAP_YAML_DEPTH)",
				 RG_CAP_YAML_DEPTH);
		goto out;
	}
	switch (patch->kind) {
	case RG_MAP:
		out = merge_map(s, dst, patch, ctx, rc);
		break;
	case RG_SEQ:
		out = merge_seq(s, dst, patch, ctx, lr, rc);
		break;
	default:
		out = rg_node_clone(s->a, patch);
		break;
	}
out:
	s->depth--;
	return out;
}

int rg_kust_smp(struct rg_node **out, struct rg_arena *a,
		struct rg_node *target, const struct rg_node *patch,
		struct rg_err *err)
{
	struct smp s = { a, err, 0 };
	int rc = 0;
	struct rg_node *res;

	if (!patch || patch->kind != RG_MAP)
		return rg_err_set(err, RG_EINVALID, patch ? &patch->pos : NULL,
				  "a strategic merge patch must be a mapping");
	res = merge(&s, target, patch, root_ctx(target), NULL, &rc);
	if (rc)
		return rc;
	*out = res;
	return 0;
}
