/*
 * kust_fields.c - fieldSpecs, the default transformer configuration and
 * the transformers that write along fieldSpecs: namespace, name prefix
 * and suffix, labels and annotations, images, replicas.
 *
 * The default tables restate kustomize's built-in plugin configuration
 * (which fields hold labels, selectors, namespaces, images, replica
 * counts, and which fields refer to objects by name) as C tables.
 */
#include "rendergate/compat.h"

#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/doc.h"
#include "rendergate/kust.h"
#include "rendergate/kustint.h"

struct fsdef {
	const char *group, *version, *kind, *path;
	bool create;
};

/* metadata labels of objects and of the pod templates they carry */
static const struct fsdef meta_labels[] = {
	{ "", "", "", "metadata/labels", true },
	{ "", "v1", "ReplicationController", "spec/template/metadata/labels",
	  true },
	{ "", "", "Deployment", "spec/template/metadata/labels", true },
	{ "", "", "ReplicaSet", "spec/template/metadata/labels", true },
	{ "", "", "DaemonSet", "spec/template/metadata/labels", true },
	{ "apps", "", "StatefulSet", "spec/template/metadata/labels", true },
	{ "batch", "", "Job", "spec/template/metadata/labels", true },
	{ "batch", "", "CronJob", "spec/jobTemplate/metadata/labels", true },
	{ "batch", "", "CronJob",
	  "spec/jobTemplate/spec/template/metadata/labels", true },
};

static const struct fsdef vct_labels[] = {
	{ "apps", "", "StatefulSet",
	  "spec/volumeClaimTemplates[]/metadata/labels", true },
};

#define AFF "spec/template/spec/affinity/"
#define PAT "/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm"
#define RAT "/requiredDuringSchedulingIgnoredDuringExecution"
#define LSM "/labelSelector/matchLabels"

/* selectors that commonLabels (and labels with includeSelectors) write */
static const struct fsdef selector_labels[] = {
	{ "", "v1", "Service", "spec/selector", true },
	{ "", "v1", "ReplicationController", "spec/selector", true },
	{ "", "", "Deployment", "spec/selector/matchLabels", true },
	{ "apps", "", "Deployment", AFF "podAffinity" PAT LSM, false },
	{ "apps", "", "Deployment", AFF "podAffinity" RAT LSM, false },
	{ "apps", "", "Deployment", AFF "podAntiAffinity" PAT LSM, false },
	{ "apps", "", "Deployment", AFF "podAntiAffinity" RAT LSM, false },
	{ "apps", "", "Deployment",
	  "spec/template/spec/topologySpreadConstraints" LSM, false },
	{ "", "", "ReplicaSet", "spec/selector/matchLabels", true },
	{ "", "", "DaemonSet", "spec/selector/matchLabels", true },
	{ "apps", "", "StatefulSet", "spec/selector/matchLabels", true },
	{ "apps", "", "StatefulSet", AFF "podAffinity" PAT LSM, false },
	{ "apps", "", "StatefulSet", AFF "podAffinity" RAT LSM, false },
	{ "apps", "", "StatefulSet", AFF "podAntiAffinity" PAT LSM, false },
	{ "apps", "", "StatefulSet", AFF "podAntiAffinity" RAT LSM, false },
	{ "apps", "", "StatefulSet",
	  "spec/template/spec/topologySpreadConstraints" LSM, false },
	{ "batch", "", "Job", "spec/selector/matchLabels", false },
	{ "batch", "", "CronJob", "spec/jobTemplate/spec/selector/matchLabels",
	  false },
	{ "policy", "", "PodDisruptionBudget", "spec/selector/matchLabels",
	  false },
	{ "networking.k8s.io", "", "NetworkPolicy", "spec/podSelector/matchLabels",
	  false },
	{ "networking.k8s.io", "", "NetworkPolicy",
	  "spec/ingress/from/podSelector/matchLabels", false },
	{ "networking.k8s.io", "", "NetworkPolicy",
	  "spec/egress/to/podSelector/matchLabels", false },
};

static const struct fsdef annotations[] = {
	{ "", "", "", "metadata/annotations", true },
	{ "", "v1", "ReplicationController",
	  "spec/template/metadata/annotations", true },
	{ "", "", "Deployment", "spec/template/metadata/annotations", true },
	{ "", "", "ReplicaSet", "spec/template/metadata/annotations", true },
	{ "", "", "DaemonSet", "spec/template/metadata/annotations", true },
	{ "", "", "StatefulSet", "spec/template/metadata/annotations", true },
	{ "batch", "", "Job", "spec/template/metadata/annotations", true },
	{ "batch", "", "CronJob", "spec/jobTemplate/metadata/annotations",
	  true },
	{ "batch", "", "CronJob",
	  "spec/jobTemplate/spec/template/metadata/annotations", true },
};

static const struct fsdef images[] = {
	{ "", "", "", "spec/containers[]/image", true },
	{ "", "", "", "spec/initContainers[]/image", true },
	{ "", "", "", "spec/volumes[]/image/reference", true },
	{ "", "", "", "spec/template/spec/containers[]/image", true },
	{ "", "", "", "spec/template/spec/initContainers[]/image", true },
	{ "", "", "", "spec/template/spec/volumes[]/image/reference", true },
};

static const struct fsdef replicas[] = {
	{ "", "", "Deployment", "spec/replicas", true },
	{ "", "", "ReplicationController", "spec/replicas", true },
	{ "", "", "ReplicaSet", "spec/replicas", true },
	{ "", "", "StatefulSet", "spec/replicas", true },
};

static const struct fsdef namespaces[] = {
	{ "", "v1", "Namespace", "metadata/name", true },
	{ "apiregistration.k8s.io", "", "APIService", "spec/service/namespace",
	  true },
	{ "apiextensions.k8s.io", "", "CustomResourceDefinition",
	  "spec/conversion/webhook/clientConfig/service/namespace", false },
};

static const struct fsdef name_only[] = {
	{ "", "", "", "metadata/name", false },
};

/* where $(VAR) references are expanded, besides the pod spec fields */
static const struct fsdef varrefs[] = {
	{ "", "", "Deployment", "spec/template/metadata/annotations", false },
	{ "", "", "Ingress", "spec/rules/host", false },
	{ "", "", "Ingress", "spec/tls/hosts", false },
	{ "", "", "Ingress", "spec/tls/secretName", false },
	{ "", "", "Service", "spec/ports/port", false },
	{ "", "", "Service", "spec/ports/targetPort", false },
	{ "", "", "StatefulSet", "spec/volumeClaimTemplates/spec/nfs/server",
	  false },
	{ "", "", "CronJob", "spec/jobTemplate/spec/template/volumes/nfs/server",
	  false },
	{ "", "", "PersistentVolume", "spec/nfs/server", false },
	{ "", "", "", "metadata/labels", false },
	{ "", "", "", "metadata/annotations", false },
};

/* pod spec fields holding $(VAR) references, under each carrier's prefix */
static const char *const var_pod_paths[] = {
	"containers/args",
	"containers/command",
	"containers/env/value",
	"containers/volumeMounts/mountPath",
	"initContainers/args",
	"initContainers/command",
	"initContainers/env/value",
	"initContainers/volumeMounts/mountPath",
};

/*
 * Name references. Workloads carry a pod spec at a prefix; the pod spec
 * paths that name ConfigMaps, Secrets, ServiceAccounts, PVCs and
 * PriorityClasses are the same under every prefix.
 */
struct podcarrier {
	const char *group, *version, *kind, *prefix;
};

static const struct podcarrier carriers[] = {
	{ "", "v1", "Pod", "spec/" },
	{ "", "", "PodTemplate", "template/spec/" },
	{ "", "", "Deployment", "spec/template/spec/" },
	{ "", "", "ReplicaSet", "spec/template/spec/" },
	{ "", "", "DaemonSet", "spec/template/spec/" },
	{ "", "", "StatefulSet", "spec/template/spec/" },
	{ "", "", "Job", "spec/template/spec/" },
	{ "", "", "CronJob", "spec/jobTemplate/spec/template/spec/" },
	{ "", "", "ReplicationController", "spec/template/spec/" },
};

static const char *const cm_paths[] = {
	"volumes/configMap/name",
	"containers/env/valueFrom/configMapKeyRef/name",
	"initContainers/env/valueFrom/configMapKeyRef/name",
	"containers/envFrom/configMapRef/name",
	"initContainers/envFrom/configMapRef/name",
	"volumes/projected/sources/configMap/name",
};

static const char *const secret_paths[] = {
	"volumes/secret/secretName",
	"containers/env/valueFrom/secretKeyRef/name",
	"initContainers/env/valueFrom/secretKeyRef/name",
	"containers/envFrom/secretRef/name",
	"initContainers/envFrom/secretRef/name",
	"imagePullSecrets/name",
	"volumes/projected/sources/secret/name",
};

/* which carriers each kind of pod-spec reference applies to (bit i =
 * carriers[i]); kustomize's lists are not uniform */
#define ALL_CARRIERS 0x0ffu /* Pod..CronJob, not ReplicationController */
#define SA_CARRIERS 0x1f5u  /* no PodTemplate, no ReplicaSet */
#define VAR_CARRIERS 0x0fdu /* no PodTemplate, no ReplicationController */
/* volumes/nfs/server: every var carrier but StatefulSet and CronJob */
#define NFS_CARRIERS 0x05du

static const struct fsdef cm_extra[] = {
	{ "", "", "Node", "spec/configSource/configMap", false },
	{ "", "", "Role", "rules/resourceNames", false },
	{ "", "", "ClusterRole", "rules/resourceNames", false },
	{ "", "", "Ingress",
	  "metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-"
	  "configmap",
	  false },
};

static const struct fsdef secret_extra[] = {
	{ "", "", "Ingress", "spec/tls/secretName", false },
	{ "", "", "Ingress", "metadata/annotations/ingress.kubernetes.io\\/auth-secret",
	  false },
	{ "", "", "Ingress",
	  "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret",
	  false },
	{ "", "", "Ingress",
	  "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret",
	  false },
	{ "", "", "ServiceAccount", "imagePullSecrets/name", false },
	{ "", "", "StorageClass", "parameters/secretName", false },
	{ "", "", "StorageClass", "parameters/adminSecretName", false },
	{ "", "", "StorageClass", "parameters/userSecretName", false },
	{ "", "", "StorageClass", "parameters/secretRef", false },
	{ "", "", "Role", "rules/resourceNames", false },
	{ "", "", "ClusterRole", "rules/resourceNames", false },
	{ "serving.knative.dev", "v1", "Service",
	  "spec/template/spec/containers/env/valueFrom/secretKeyRef/name",
	  false },
	{ "", "", "PersistentVolume", "spec/azureFile/secretName", false },
};

static const struct fsdef service_refs[] = {
	{ "apps", "", "StatefulSet", "spec/serviceName", false },
	{ "", "", "Ingress", "spec/rules/http/paths/backend/serviceName", false },
	{ "", "", "Ingress", "spec/backend/serviceName", false },
	{ "", "", "Ingress", "spec/rules/http/paths/backend/service/name", false },
	{ "", "", "Ingress", "spec/defaultBackend/service/name", false },
	{ "apiregistration.k8s.io", "", "APIService", "spec/service/name", false },
	{ "admissionregistration.k8s.io", "", "ValidatingWebhookConfiguration",
	  "webhooks/clientConfig/service", false },
	{ "admissionregistration.k8s.io", "", "MutatingWebhookConfiguration",
	  "webhooks/clientConfig/service", false },
};

static const struct fsdef sa_refs[] = {
	{ "rbac.authorization.k8s.io", "", "RoleBinding", "subjects", false },
	{ "rbac.authorization.k8s.io", "", "ClusterRoleBinding", "subjects",
	  false },
};

static const struct fsdef scale_refs[] = {
	{ "", "", "HorizontalPodAutoscaler", "spec/scaleTargetRef/name", false },
};

static const struct fsdef pv_refs[] = {
	{ "", "", "PersistentVolumeClaim", "spec/volumeName", false },
	{ "", "", "ClusterRole", "rules/resourceNames", false },
};

static const struct fsdef sc_refs[] = {
	{ "", "", "PersistentVolume", "spec/storageClassName", false },
	{ "", "", "PersistentVolumeClaim", "spec/storageClassName", false },
	{ "", "", "StatefulSet", "spec/volumeClaimTemplates/spec/storageClassName",
	  false },
};

static const struct fsdef ingclass_refs[] = {
	{ "", "", "Ingress", "spec/ingressClassName", false },
};

static const struct fsdef vap_refs[] = {
	{ "admissionregistration.k8s.io", "", "ValidatingAdmissionPolicyBinding",
	  "spec/policyName", false },
};

static const struct fsdef role_refs[] = {
	{ "rbac.authorization.k8s.io", "", "RoleBinding", "roleRef/name", false },
};

static const struct fsdef crole_refs[] = {
	{ "rbac.authorization.k8s.io", "", "RoleBinding", "roleRef/name", false },
	{ "rbac.authorization.k8s.io", "", "ClusterRoleBinding", "roleRef/name",
	  false },
};

/* Split a fieldSpec path at '/' ("\/" is a literal slash). */
static size_t split_path(struct rg_arena *a, const char *path, char ***out)
{
	size_t n = 1, k = 0;
	char *buf = rg_arena_strdup(a, path), *w = buf;
	char **segs;

	for (const char *p = path; *p; p++)
		if (*p == '/')
			n++;
	segs = rg_arena_calloc(a, n, sizeof(char *));
	segs[k++] = buf;
	for (const char *p = path; *p; p++) {
		if (*p == '\\' && p[1] == '/') {
			*w++ = '/';
			p++;
		} else if (*p == '/') {
			*w++ = 0;
			segs[k++] = w;
		} else {
			*w++ = *p;
		}
	}
	*w = 0;
	*out = segs;
	return k;
}

void rg_kust_fslist_add(struct rg_arena *a, struct rg_kust_fslist *l,
			const struct rg_kust_fs *fs)
{
	for (size_t i = 0; i < l->len; i++) {
		const struct rg_kust_fs *o = &l->items[i];

		if (!strcmp(o->group, fs->group) &&
		    !strcmp(o->version, fs->version) &&
		    !strcmp(o->kind, fs->kind) && !strcmp(o->path, fs->path))
			return;
	}
	if (l->len == l->alloc) {
		size_t n = l->alloc ? l->alloc * 2 : 16;

		l->items = rg_arena_grow(a, l->items, l->len, n, sizeof(*fs));
		l->alloc = n;
	}
	l->items[l->len] = *fs;
	if (!fs->segs)
		l->items[l->len].nsegs =
			split_path(a, fs->path, &l->items[l->len].segs);
	l->len++;
}

static void add_defs(struct rg_arena *a, struct rg_kust_fslist *l,
		     const struct fsdef *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct rg_kust_fs fs = { d[i].group, d[i].version, d[i].kind,
					 d[i].path, d[i].create, NULL, 0 };

		rg_kust_fslist_add(a, l, &fs);
	}
}

#define ADD(l, d) add_defs(a, (l), (d), RG_ARRAY_SIZE(d))

static struct rg_kust_nameref *nameref_get(struct rg_arena *a,
					   struct rg_kust_tcfg *c,
					   const char *group,
					   const char *version,
					   const char *kind)
{
	for (size_t i = 0; i < c->nnr; i++) {
		struct rg_kust_nameref *r = &c->nr[i];

		if (!strcmp(r->group, group) && !strcmp(r->version, version) &&
		    !strcmp(r->kind, kind))
			return r;
	}
	if (c->nnr == c->nr_alloc) {
		size_t n = c->nr_alloc ? c->nr_alloc * 2 : 16;

		c->nr = rg_arena_grow(a, c->nr, c->nnr, n, sizeof(*c->nr));
		c->nr_alloc = n;
	}
	c->nr[c->nnr] = (struct rg_kust_nameref){ group, version, kind,
						  { NULL, 0, 0 } };
	return &c->nr[c->nnr++];
}

static void add_pod_paths(struct rg_arena *a, struct rg_kust_fslist *l,
			  const char *const *paths, size_t n, unsigned mask)
{
	for (size_t c = 0; c < RG_ARRAY_SIZE(carriers); c++) {
		if (!(mask & (1u << c)))
			continue;
		for (size_t i = 0; i < n; i++) {
			struct rg_kust_fs fs = {
				carriers[c].group, carriers[c].version,
				carriers[c].kind,
				rg_arena_printf(a, "%s%s", carriers[c].prefix,
						paths[i]),
				false, NULL, 0
			};

			rg_kust_fslist_add(a, l, &fs);
		}
	}
}

static void add_pod_refs(struct rg_arena *a, struct rg_kust_nameref *r,
			 const char *const *paths, size_t n, unsigned mask)
{
	add_pod_paths(a, &r->refs, paths, n, mask);
}

void rg_kust_tcfg_defaults(struct rg_arena *a, struct rg_kust_tcfg *c)
{
	static const char *const sa_path[] = { "serviceAccountName" };
	static const char *const pvc_path[] = {
		"volumes/persistentVolumeClaim/claimName"
	};
	static const char *const prio_path[] = { "priorityClassName" };
	static const char *const nfs_path[] = { "volumes/nfs/server" };
	static const char *const scalable[] = { "Deployment",
						"ReplicationController",
						"ReplicaSet", "StatefulSet" };
	struct rg_kust_nameref *r;

	memset(c, 0, sizeof(*c));
	ADD(&c->prefix, name_only);
	ADD(&c->suffix, name_only);
	ADD(&c->ns, namespaces);
	ADD(&c->common_labels, selector_labels);
	ADD(&c->common_labels, meta_labels);
	ADD(&c->common_labels, vct_labels);
	ADD(&c->template_labels, meta_labels);
	ADD(&c->annotations, annotations);
	ADD(&c->images, images);
	ADD(&c->replicas, replicas);
	ADD(&c->varref, varrefs);
	add_pod_paths(a, &c->varref, var_pod_paths,
		      RG_ARRAY_SIZE(var_pod_paths), VAR_CARRIERS);
	add_pod_paths(a, &c->varref, nfs_path, 1, NFS_CARRIERS);

	for (size_t i = 0; i < RG_ARRAY_SIZE(scalable); i++) {
		r = nameref_get(a, c, "", "", scalable[i]);
		ADD(&r->refs, scale_refs);
	}
	r = nameref_get(a, c, "", "v1", "ConfigMap");
	add_pod_refs(a, r, cm_paths, RG_ARRAY_SIZE(cm_paths), ALL_CARRIERS);
	ADD(&r->refs, cm_extra);
	r = nameref_get(a, c, "", "v1", "Secret");
	add_pod_refs(a, r, secret_paths, RG_ARRAY_SIZE(secret_paths),
		     ALL_CARRIERS);
	ADD(&r->refs, secret_extra);
	r = nameref_get(a, c, "", "v1", "Service");
	ADD(&r->refs, service_refs);
	r = nameref_get(a, c, "rbac.authorization.k8s.io", "", "Role");
	ADD(&r->refs, role_refs);
	r = nameref_get(a, c, "rbac.authorization.k8s.io", "", "ClusterRole");
	ADD(&r->refs, crole_refs);
	r = nameref_get(a, c, "", "v1", "ServiceAccount");
	ADD(&r->refs, sa_refs);
	add_pod_refs(a, r, sa_path, 1, SA_CARRIERS);
	r = nameref_get(a, c, "", "v1", "PersistentVolumeClaim");
	add_pod_refs(a, r, pvc_path, 1, SA_CARRIERS);
	r = nameref_get(a, c, "", "v1", "PersistentVolume");
	ADD(&r->refs, pv_refs);
	r = nameref_get(a, c, "storage.k8s.io", "v1", "StorageClass");
	ADD(&r->refs, sc_refs);
	r = nameref_get(a, c, "scheduling.k8s.io", "v1", "PriorityClass");
	add_pod_refs(a, r, prio_path, 1, SA_CARRIERS);
	r = nameref_get(a, c, "networking.k8s.io", "v1", "IngressClass");
	ADD(&r->refs, ingclass_refs);
	r = nameref_get(a, c, "admissionregistration.k8s.io", "",
			"ValidatingAdmissionPolicy");
	ADD(&r->refs, vap_refs);
}

static void merge_list(struct rg_arena *a, struct rg_kust_fslist *d,
		       const struct rg_kust_fslist *s)
{
	for (size_t i = 0; i < s->len; i++)
		rg_kust_fslist_add(a, d, &s->items[i]);
}

void rg_kust_tcfg_merge(struct rg_arena *a, struct rg_kust_tcfg *dst,
			const struct rg_kust_tcfg *src)
{
	merge_list(a, &dst->prefix, &src->prefix);
	merge_list(a, &dst->suffix, &src->suffix);
	merge_list(a, &dst->ns, &src->ns);
	merge_list(a, &dst->labels, &src->labels);
	merge_list(a, &dst->common_labels, &src->common_labels);
	merge_list(a, &dst->template_labels, &src->template_labels);
	merge_list(a, &dst->annotations, &src->annotations);
	merge_list(a, &dst->images, &src->images);
	merge_list(a, &dst->replicas, &src->replicas);
	merge_list(a, &dst->varref, &src->varref);
	for (size_t i = 0; i < src->nnr; i++) {
		const struct rg_kust_nameref *s = &src->nr[i];
		struct rg_kust_nameref *d =
			nameref_get(a, dst, s->group, s->version, s->kind);

		merge_list(a, &d->refs, &s->refs);
	}
}

static int load_fslist(struct rg_arena *a, struct rg_kust_fslist *l,
		       const struct rg_node *seq, const char *file,
		       struct rg_err *err)
{
	if (!seq || seq->kind == RG_NULL)
		return 0;
	if (seq->kind != RG_SEQ)
		return rg_err_set(err, RG_EINVALID, &seq->pos,
				  "%s: fieldSpecs must be a list", file);
	for (size_t i = 0; i < seq->u.seq.len; i++) {
		const struct rg_node *e = seq->u.seq.items[i];
		const struct rg_node *cr = rg_map_gets(e, "create");
		struct rg_kust_fs fs = {
			rg_kust_str_at(e, "group"), rg_kust_str_at(e, "version"),
			rg_kust_str_at(e, "kind"), rg_kust_str_at(e, "path"),
			cr && cr->kind == RG_BOOL && cr->u.b, NULL, 0
		};

		if (e->kind != RG_MAP || !*fs.path)
			return rg_err_set(err, RG_EINVALID, &e->pos,
					  "%s: a fieldSpec needs a path", file);
		rg_kust_fslist_add(a, l, &fs);
	}
	return 0;
}

int rg_kust_tcfg_load(struct rg_arena *a, struct rg_kust_tcfg *c,
		      const struct rg_node *doc, const char *file,
		      struct rg_err *err)
{
	static const struct {
		const char *key;
		size_t off;
	} lists[] = {
		{ "namePrefix", offsetof(struct rg_kust_tcfg, prefix) },
		{ "nameSuffix", offsetof(struct rg_kust_tcfg, suffix) },
		{ "namespace", offsetof(struct rg_kust_tcfg, ns) },
		{ "labels", offsetof(struct rg_kust_tcfg, labels) },
		{ "commonLabels", offsetof(struct rg_kust_tcfg, common_labels) },
		{ "templateLabels",
		  offsetof(struct rg_kust_tcfg, template_labels) },
		{ "commonAnnotations",
		  offsetof(struct rg_kust_tcfg, annotations) },
		{ "images", offsetof(struct rg_kust_tcfg, images) },
		{ "replicas", offsetof(struct rg_kust_tcfg, replicas) },
		{ "varReference", offsetof(struct rg_kust_tcfg, varref) },
	};
	const struct rg_node *nr;
	int rc = 0;

	if (!doc || doc->kind == RG_NULL)
		return 0;
	if (doc->kind != RG_MAP)
		return rg_err_set(err, RG_EINVALID, &doc->pos,
				  "%s: a configuration must be a mapping", file);
	for (size_t i = 0; i < RG_ARRAY_SIZE(lists); i++) {
		struct rg_kust_fslist *l =
			(struct rg_kust_fslist *)((char *)c + lists[i].off);

		rc = load_fslist(a, l, rg_map_gets(doc, lists[i].key), file,
				 err);
		if (rc)
			goto out;
	}
	nr = rg_map_gets(doc, "nameReference");
	for (size_t i = 0; nr && nr->kind == RG_SEQ && i < nr->u.seq.len; i++) {
		const struct rg_node *e = nr->u.seq.items[i];
		struct rg_kust_nameref *r = nameref_get(
			a, c, rg_kust_str_at(e, "group"),
			rg_kust_str_at(e, "version"), rg_kust_str_at(e, "kind"));

		rc = load_fslist(a, &r->refs, rg_map_gets(e, "fieldSpecs"),
				 file, err);
		if (rc)
			goto out;
	}
out:
	return rc;
}

bool rg_kust_fs_selects(const struct rg_kust_fs *fs, const char *group,
			const char *version, const char *kind)
{
	if (*fs->group && strcmp(fs->group, group))
		return false;
	if (*fs->version && strcmp(fs->version, version))
		return false;
	if (*fs->kind && strcmp(fs->kind, kind))
		return false;
	return true;
}

/* --- walking a fieldSpec path ----------------------------------------- */

struct fswalk {
	struct rg_arena *a;
	bool create;
	int create_kind;
	rg_kust_fs_fn fn;
	void *ctx;
	struct rg_err *err;
};

static int walk_fs(struct fswalk *w, struct rg_node *node, char **seg,
		   size_t nseg);

static int walk_field(struct fswalk *w, struct rg_node *map, char **seg,
		      size_t nseg)
{
	char *name = seg[0];
	size_t len = strlen(name);
	bool is_seq = len > 2 && !strcmp(name + len - 2, "[]");
	struct rg_node *v;
	char key[RG_CAP_KUST_FS_SEGMENT + 1];

	if (is_seq)
		len -= 2;
	if (len >= sizeof(key))
		/* an error, not a miss: kustomize would find such a field */
		return rg_err_set(w->err, RG_ELIMIT, NULL,
				  "fieldSpec path step '%.40s...' is longer "
				  "than %u bytes (RG_CAP_KUST_FS_SEGMENT)",
				  name, RG_CAP_KUST_FS_SEGMENT);
	memcpy(key, name, len);
	key[len] = 0;
	v = rg_map_get(map, key, len);
	if (nseg == 1) {
		if ((!v || v->kind == RG_NULL) && w->create && !is_seq &&
		    w->create_kind) {
			if (w->create_kind == RG_MAP) {
				v = rg_node_map(w->a);
				rg_map_set(w->a, map, key, len, v);
			} else {
				v = NULL;
			}
			return w->fn(w->ctx, map, key, v, w->err);
		}
		if (!v)
			return 0;
		return w->fn(w->ctx, map, key, v, w->err);
	}
	if (!v || v->kind == RG_NULL) {
		/* kustomize creates only for setters that name a kind */
		if (!w->create || is_seq || !w->create_kind)
			return 0;
		v = rg_node_map(w->a);
		rg_map_set(w->a, map, key, len, v);
	}
	return walk_fs(w, v, seg + 1, nseg - 1);
}

static int walk_fs(struct fswalk *w, struct rg_node *node, char **seg,
		   size_t nseg)
{
	int rc = 0;

	if (node->kind == RG_SEQ) {
		for (size_t i = 0; i < node->u.seq.len && !rc; i++)
			rc = walk_fs(w, node->u.seq.items[i], seg, nseg);
		return rc;
	}
	if (node->kind != RG_MAP)
		return 0;
	return walk_field(w, node, seg, nseg);
}

int rg_kust_fs_apply(struct rg_arena *a, struct rg_node *obj,
		     const struct rg_kust_fs *fs, int create_kind,
		     rg_kust_fs_fn fn, void *ctx, struct rg_err *err)
{
	struct fswalk w = { a, fs->create, create_kind, fn, ctx, err };
	char **segs = fs->segs;
	size_t n = fs->nsegs;

	if (!segs)
		n = split_path(a, fs->path, &segs);
	return walk_fs(&w, obj, segs, n);
}

/* --- setters ---------------------------------------------------------- */

/* Setting one scalar: the arena and the value to write. */
struct scalar_ctx {
	struct rg_arena *a;
	struct rg_node *val;
};

static int set_str(void *ctx, struct rg_node *parent, const char *key,
		   struct rg_node *val, struct rg_err *err)
{
	struct scalar_ctx *sc = ctx;

	(void)err;
	if (val && (val->kind == RG_MAP || val->kind == RG_SEQ))
		return 0;
	rg_map_set(sc->a, parent, key, strlen(key), sc->val);
	return 0;
}

struct pairs_ctx {
	struct rg_arena *a;
	const struct rg_node *pairs;
};

static int set_pairs(void *ctx, struct rg_node *parent, const char *key,
		     struct rg_node *val, struct rg_err *err)
{
	struct pairs_ctx *pc = ctx;

	(void)parent;
	(void)key;
	if (!val || val->kind != RG_MAP)
		return rg_err_set(err, RG_EINVALID, val ? &val->pos : NULL,
				  "field %s is not a mapping", key);
	for (size_t i = 0; i < pc->pairs->u.map.len; i++) {
		const struct rg_pair *p = &pc->pairs->u.map.items[i];
		const char *v = rg_kust_scalar_text(pc->a, p->val);

		rg_map_set(pc->a, val, p->key.ptr, p->key.len,
			   rg_node_str(pc->a, v));
	}
	return 0;
}

static bool is_kind(const char *k, const char *a, const char *b)
{
	return !strcmp(k, a) || (b && !strcmp(k, b));
}

struct ns_ctx {
	struct rg_node *val;
	bool only_name_default;
};

int rg_kust_tr_namespace(struct rg_arena *a, struct rg_kust_resmap *m,
			 const struct rg_kust_tcfg *c, const char *ns,
			 struct rg_err *err)
{
	struct rg_node *nsv = rg_node_str(a, ns);
	struct scalar_ctx sc = { a, nsv };
	int rc = 0;

	for (size_t i = 0; i < m->len && !rc; i++) {
		struct rg_kust_res *r = m->items[i];
		struct rg_kust_id id;
		bool rb;

		rg_kust_res_id(&id, r->obj);
		rg_kust_res_store_prev(a, r);
		if (!rg_kust_cluster_scoped(id.group, id.kind)) {
			struct rg_node *md = rg_kust_map_ensure(a, r->obj,
								"metadata");

			rg_map_set(a, md, "namespace", 9, nsv);
		}
		rb = is_kind(id.kind, "RoleBinding", "ClusterRoleBinding");
		if (rb) {
			struct rg_node *subj = rg_map_gets(r->obj, "subjects");

			for (size_t j = 0; subj && subj->kind == RG_SEQ &&
					   j < subj->u.seq.len;
			     j++) {
				struct rg_node *s = subj->u.seq.items[j];

				if (s->kind == RG_MAP &&
				    !strcmp(rg_kust_str_at(s, "name"), "default"))
					rg_map_set(a, s, "namespace", 9, nsv);
			}
		}
		for (size_t j = 0; j < c->ns.len && !rc; j++) {
			const struct rg_kust_fs *fs = &c->ns.items[j];

			if (!strcmp(fs->path, "metadata/namespace"))
				continue;
			if (!strcmp(fs->path, "metadata/name") &&
			    strcmp(rg_kust_str_at(r->obj, "apiVersion"), "v1"))
				continue;
			if (rb && !strcmp(fs->path, "subjects/namespace") &&
			    is_kind(fs->kind, "RoleBinding",
				    "ClusterRoleBinding"))
				continue;
			if (!rg_kust_fs_selects(fs, id.group, id.version,
						id.kind))
				continue;
			rc = rg_kust_fs_apply(a, r->obj, fs, RG_STR, set_str,
					      &sc, err);
		}
	}
	return rc;
}

struct affix_ctx {
	struct rg_arena *a;
	const char *affix;
	bool suffix;
};

static int set_affix(void *ctx, struct rg_node *parent, const char *key,
		     struct rg_node *val, struct rg_err *err)
{
	struct affix_ctx *ac = ctx;
	const char *cur;

	(void)err;
	if (!val || val->kind != RG_STR)
		return 0;
	cur = val->u.s.ptr;
	rg_map_set(ac->a, parent, key, strlen(key),
		   rg_node_str(ac->a, ac->suffix
					      ? rg_arena_printf(ac->a, "%s%s",
								cur, ac->affix)
					      : rg_arena_printf(ac->a, "%s%s",
								ac->affix,
								cur)));
	return 0;
}

static void push_str(struct rg_arena *a, const char ***arr, size_t *n,
		     const char *s)
{
	*arr = rg_arena_grow(a, (void *)*arr, *n, *n + 1, sizeof(char *));
	(*arr)[(*n)++] = s;
}

int rg_kust_tr_affix(struct rg_arena *a, struct rg_kust_resmap *m,
		     const struct rg_kust_fslist *fsl, const char *affix,
		     bool suffix, struct rg_err *err)
{
	struct affix_ctx ac = { a, affix, suffix };
	int rc = 0;

	for (size_t i = 0; i < m->len && !rc; i++) {
		struct rg_kust_res *r = m->items[i];
		const struct rg_kust_id *o = &r->org;

		if (!strcmp(o->kind, "CustomResourceDefinition") ||
		    !strcmp(o->kind, "Namespace") ||
		    (!strcmp(o->kind, "APIService") &&
		     !strcmp(o->group, "apiregistration.k8s.io")))
			continue;
		for (size_t j = 0; j < fsl->len && !rc; j++) {
			const struct rg_kust_fs *fs = &fsl->items[j];

			if (!rg_kust_fs_selects(fs, o->group, o->version,
						o->kind))
				continue;
			if (!strcmp(fs->path, "metadata/name")) {
				if (suffix)
					push_str(a, &r->suffixes, &r->nsuffix,
						 affix);
				else
					push_str(a, &r->prefixes, &r->nprefix,
						 affix);
				if (*affix)
					rg_kust_res_store_prev(a, r);
			}
			rc = rg_kust_fs_apply(a, r->obj, fs, 0, set_affix, &ac,
					      err);
		}
	}
	return rc;
}

int rg_kust_tr_map_entries(struct rg_arena *a, struct rg_kust_resmap *m,
			   const struct rg_kust_fslist *fsl,
			   const struct rg_node *pairs, struct rg_err *err)
{
	struct pairs_ctx pc = { a, pairs };
	int rc = 0;

	if (!pairs || pairs->kind != RG_MAP || !pairs->u.map.len)
		return 0;
	for (size_t i = 0; i < m->len && !rc; i++) {
		struct rg_kust_res *r = m->items[i];
		struct rg_kust_id id;

		rg_kust_res_id(&id, r->obj);
		for (size_t j = 0; j < fsl->len && !rc; j++) {
			const struct rg_kust_fs *fs = &fsl->items[j];

			if (!rg_kust_fs_selects(fs, id.group, id.version,
						id.kind))
				continue;
			rc = rg_kust_fs_apply(a, r->obj, fs, RG_MAP, set_pairs,
					      &pc, err);
		}
	}
	return rc;
}

/* --- images ----------------------------------------------------------- */

struct image_ctx {
	struct rg_arena *a;
	const char *name, *new_name, *new_tag, *digest;
};

/* Split an image reference into name, tag and digest (arena). */
static void image_split(struct rg_arena *a, const char *img, const char **name,
			const char **tag, const char **digest)
{
	const char *at = strchr(img, '@');
	size_t nlen = at ? (size_t)(at - img) : strlen(img);
	const char *slash, *colon = NULL;

	*digest = at ? rg_arena_strdup(a, at + 1) : "";
	slash = NULL;
	for (size_t i = 0; i < nlen; i++) {
		if (img[i] == '/')
			slash = img + i;
		if (img[i] == ':')
			colon = img + i;
	}
	if (colon && (!slash || colon > slash)) {
		*tag = rg_arena_strndup(a, colon + 1,
					nlen - (size_t)(colon + 1 - img));
		nlen = (size_t)(colon - img);
	} else {
		*tag = "";
	}
	*name = rg_arena_strndup(a, img, nlen);
}

static bool image_matches(const char *img, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(img, name, n))
		return false;
	return img[n] == 0 || img[n] == ':' || img[n] == '@';
}

static int set_image(void *ctx, struct rg_node *parent, const char *key,
		     struct rg_node *val, struct rg_err *err)
{
	struct image_ctx *ic = ctx;
	const char *name, *tag, *digest, *res;

	(void)err;
	if (!val || val->kind != RG_STR || !image_matches(val->u.s.ptr, ic->name))
		return 0;
	image_split(ic->a, val->u.s.ptr, &name, &tag, &digest);
	if (*ic->new_name)
		name = ic->new_name;
	if (*ic->new_tag && *ic->digest) {
		tag = ic->new_tag;
		digest = ic->digest;
	} else if (*ic->new_tag) {
		tag = ic->new_tag;
		digest = "";
	} else if (*ic->digest) {
		digest = ic->digest;
		tag = "";
	}
	res = rg_arena_printf(ic->a, "%s%s%s%s%s", name, *tag ? ":" : "", tag,
			      *digest ? "@" : "", digest);
	rg_map_set(ic->a, parent, key, strlen(key), rg_node_str(ic->a, res));
	return 0;
}

/* kustomize's legacy image filter: every containers/initContainers list
 * anywhere in the object. */
static int images_anywhere(struct image_ctx *ic, struct rg_node *n,
			   unsigned depth)
{
	int rc = 0;

	if (depth > RG_CAP_YAML_DEPTH)
		return 0;
	if (n->kind == RG_SEQ) {
		for (size_t i = 0; i < n->u.seq.len && !rc; i++)
			rc = images_anywhere(ic, n->u.seq.items[i], depth + 1);
		return rc;
	}
	if (n->kind != RG_MAP)
		return 0;
	for (size_t i = 0; i < n->u.map.len && !rc; i++) {
		struct rg_pair *p = &n->u.map.items[i];

		if ((!strcmp(p->key.ptr, "containers") ||
		     !strcmp(p->key.ptr, "initContainers")) &&
		    p->val->kind == RG_SEQ) {
			for (size_t j = 0; j < p->val->u.seq.len; j++) {
				struct rg_node *c = p->val->u.seq.items[j];
				struct rg_node *img = rg_map_gets(c, "image");

				if (img)
					set_image(ic, c, "image", img, NULL);
			}
		} else {
			rc = images_anywhere(ic, p->val, depth + 1);
		}
	}
	return rc;
}

int rg_kust_tr_images(struct rg_arena *a, struct rg_kust_resmap *m,
		      const struct rg_kust_fslist *fsl,
		      const struct rg_node *image, struct rg_err *err)
{
	struct image_ctx ic = { a, rg_kust_str_at(image, "name"),
				rg_kust_str_at(image, "newName"),
				rg_kust_str_at(image, "newTag"),
				rg_kust_str_at(image, "digest") };
	const struct rg_node *nt = rg_map_gets(image, "newTag");
	int rc = 0;

	if (nt && nt->kind != RG_STR && nt->kind != RG_NULL)
		ic.new_tag = rg_kust_scalar_text(a, nt);
	if (!*ic.name)
		return rg_err_set(err, RG_EINVALID, &image->pos,
				  "images: an entry needs a name");
	for (size_t i = 0; i < m->len && !rc; i++) {
		struct rg_kust_res *r = m->items[i];
		struct rg_kust_id id;

		rg_kust_res_id(&id, r->obj);
		if (strcmp(id.kind, "CustomResourceDefinition"))
			rc = images_anywhere(&ic, r->obj, 0);
		for (size_t j = 0; j < fsl->len && !rc; j++) {
			const struct rg_kust_fs *fs = &fsl->items[j];

			if (!rg_kust_fs_selects(fs, id.group, id.version,
						id.kind))
				continue;
			rc = rg_kust_fs_apply(a, r->obj, fs, 0, set_image, &ic,
					      err);
		}
	}
	return rc;
}

/* --- replicas --------------------------------------------------------- */

int rg_kust_tr_replicas(struct rg_arena *a, struct rg_kust_resmap *m,
			const struct rg_kust_fslist *fsl,
			const struct rg_node *replica, struct rg_err *err)
{
	const char *name = rg_kust_str_at(replica, "name");
	const struct rg_node *count = rg_map_gets(replica, "count");
	struct scalar_ctx sc = { a, NULL };
	bool found = false;
	int rc = 0;

	if (!count || count->kind != RG_INT)
		return rg_err_set(err, RG_EINVALID, &replica->pos,
				  "replicas: %s needs an integer count", name);
	for (size_t i = 0; i < m->len && !rc; i++) {
		struct rg_kust_res *r = m->items[i];
		struct rg_kust_id id;
		bool named = false;

		rg_kust_res_id(&id, r->obj);
		named = !strcmp(id.name, name);
		for (size_t k = 0; k < r->nprev; k++)
			if (!strcmp(r->prev[k].name, name))
				named = true;
		if (!named)
			continue;
		for (size_t j = 0; j < fsl->len && !rc; j++) {
			const struct rg_kust_fs *fs = &fsl->items[j];

			if (!rg_kust_fs_selects(fs, r->org.group,
						r->org.version, r->org.kind))
				continue;
			found = true;
			sc.val = rg_node_clone(a, count);
			rc = rg_kust_fs_apply(a, r->obj, fs, RG_STR, set_str,
					      &sc, err);
		}
	}
	if (!rc && !found)
		rc = rg_err_set(err, RG_ENOTFOUND, &replica->pos,
				"replicas: no resource named %s has a replica "
				"count field",
				name);
	return rc;
}
