/*
 * contrib/policies/pod-security-baseline.yaml: loads, accepts baseline-
 * conforming pods of every workload kind, and rejects each violation with
 * the right rule id and the offending field's line.
 */
#include "test.h"
#include "rendergate/arena.h"
#include "rendergate/doc.h"
#include "rendergate/finding.h"
#include "rendergate/objects.h"
#include "rendergate/policy.h"

#define BASELINE "contrib/policies/pod-security-baseline.yaml"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, alloc = 0, got;

	if (!f)
		return NULL;
	do {
		RG_ALLOC_GROW(buf, n + 4096, alloc);
		got = fread(buf + n, 1, 4096, f);
		n += got;
	} while (got > 0);
	fclose(f);
	*len = n;
	return buf;
}

static struct rg_policy *load_baseline(struct rg_arena *a)
{
	struct rg_policy_file f = { BASELINE, NULL, 0, RG_POLICY_ADMIN };
	struct rg_policy *p = NULL;
	struct rg_errlist errs = RG_ERRLIST_INIT;
	char *data = slurp(BASELINE, &f.len);

	f.data = data;
	if (!data || rg_policy_load(&p, a, &f, 1, &errs) < 0) {
		for (size_t i = 0; i < errs.len; i++) {
			char line[2048];

			rg_err_format(&errs.items[i], line, sizeof(line));
			fprintf(stderr, "  %s\n", line);
		}
		p = NULL;
	}
	rg_errlist_release(&errs);
	free(data);
	return p;
}

/* Check one YAML object; return "rule@line;..." of its findings. */
static const char *check(struct rg_arena *a, const struct rg_policy *p,
			 const char *doc)
{
	static char out[4096];
	struct rg_findings f;
	struct rg_objset set;
	struct rg_node *n = NULL;
	static struct rg_err e;
	size_t len = 0;

	rg_err_init(&e);
	out[0] = '\0';
	rg_finding_init(&f, a);
	rg_objset_init(&set, a);
	if (rg_doc_parse_one(&n, a, "pod.yaml", doc, strlen(doc), 0, &e) < 0 ||
	    rg_objset_add_doc(NULL, &set, n, &f, "plain", "prod", &e) < 0)
		return f.len ? f.items[0].message : e.msg;
	if (rg_policy_check_objects(&f, p, "prod", &set, &e) < 0)
		return e.msg;
	for (size_t i = 0; i < f.len; i++)
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s@%u;",
					f.items[i].rule, f.items[i].origin.line);
	return out;
}

#define POD(spec)                                                             \
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: team\n"  \
	"spec:\n" spec

TEST(baseline_loads)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_policy *p = load_baseline(a);

	CHECK(p != NULL);
	CHECK_INT(p->nrules, 11);
	rg_policy_free(p);
	rg_arena_free(a);
}

TEST(baseline_accepts_good_pods)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_policy *p = load_baseline(a);

	CHECK(p != NULL);
	CHECK_STR(check(a, p,
			POD("  securityContext:\n"
			    "    seccompProfile: {type: RuntimeDefault}\n"
			    "    seLinuxOptions: {type: container_t, level: 's0:c1'}\n"
			    "    sysctls: [{name: net.ipv4.tcp_syncookies, value: '1'}]\n"
			    "  hostNetwork: false\n"
			    "  volumes: [{name: v, emptyDir: {}}]\n"
			    "  containers:\n"
			    "  - name: app\n"
			    "    image: registry.example.com/app:1.0\n"
			    "    ports: [{containerPort: 80}, {containerPort: 81, hostPort: 0}]\n"
			    "    securityContext:\n"
			    "      privileged: false\n"
			    "      procMount: Default\n"
			    "      appArmorProfile: {type: RuntimeDefault}\n"
			    "      capabilities: {add: [NET_BIND_SERVICE, CHOWN], drop: [ALL]}\n")),
		  "");
	CHECK_STR(check(a, p,
			"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
			"spec:\n  template:\n    metadata:\n      annotations:\n"
			"        container.apparmor.security.beta.kubernetes.io/app: runtime/default\n"
			"    spec:\n      containers: [{name: app, image: 'x:1'}]\n"),
		  "");
	CHECK_STR(check(a, p,
			"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
			"data: {hostNetwork: 'true', privileged: 'true'}\n"),
		  "");
	rg_policy_free(p);
	rg_arena_free(a);
}

TEST(baseline_rejects_each_control)
{
	static const struct {
		const char *doc;
		const char *want;
	} cases[] = {
		{ POD("  securityContext:\n    windowsOptions: {hostProcess: true}\n"
		      "  containers: [{name: a, image: 'x:1'}]\n"),
		  "pss-baseline.host-process@8;" },
		{ POD("  hostPID: true\n  containers: [{name: a, image: 'x:1'}]\n"),
		  "pss-baseline.host-namespaces@7;" },
		{ POD("  hostIPC: true\n  containers: [{name: a, image: 'x:1'}]\n"),
		  "pss-baseline.host-namespaces@7;" },
		{ POD("  containers:\n  - name: a\n    image: x:1\n"
		      "    securityContext: {privileged: true}\n"),
		  "pss-baseline.privileged@10;" },
		{ POD("  containers:\n  - name: a\n    image: x:1\n"
		      "    securityContext:\n      capabilities:\n"
		      "        add: [CHOWN, SYS_ADMIN]\n"),
		  "pss-baseline.capabilities@12;" },
		{ POD("  volumes:\n  - name: h\n    hostPath: {path: /var/run}\n"
		      "  containers: [{name: a, image: 'x:1'}]\n"),
		  "pss-baseline.host-path@9;" },
		{ POD("  containers:\n  - name: a\n    image: x:1\n"
		      "    ports: [{containerPort: 80, hostPort: 8080}]\n"),
		  "pss-baseline.host-ports@10;" },
		{ POD("  securityContext:\n    appArmorProfile: {type: Unconfined}\n"
		      "  containers: [{name: a, image: 'x:1'}]\n"),
		  "pss-baseline.apparmor@8;" },
		{ "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
		  "    container.apparmor.security.beta.kubernetes.io/a: unconfined\n"
		  "spec:\n  containers: [{name: a, image: 'x:1'}]\n",
		  "pss-baseline.apparmor@6;" },
		{ POD("  containers:\n  - name: a\n    image: x:1\n"
		      "    securityContext:\n      seLinuxOptions: {type: spc_t}\n"),
		  "pss-baseline.selinux@11;" },
		{ POD("  securityContext:\n    seLinuxOptions: {user: system_u}\n"
		      "  containers: [{name: a, image: 'x:1'}]\n"),
		  "pss-baseline.selinux@8;" },
		{ POD("  initContainers:\n  - name: i\n    image: x:1\n"
		      "    securityContext: {seLinuxOptions: {role: sysadm_r}}\n"
		      "  containers: [{name: a, image: 'x:1'}]\n"),
		  "pss-baseline.selinux@10;" },
		{ POD("  containers:\n  - name: a\n    image: x:1\n"
		      "    securityContext: {procMount: Unmasked}\n"),
		  "pss-baseline.proc-mount@10;" },
		{ POD("  ephemeralContainers:\n  - name: e\n    image: x:1\n"
		      "    securityContext: {seccompProfile: {type: Unconfined}}\n"
		      "  containers: [{name: a, image: 'x:1'}]\n"),
		  "pss-baseline.seccomp@10;" },
		{ POD("  securityContext:\n    sysctls:\n"
		      "    - {name: kernel.shm_rmid_forced, value: '0'}\n"
		      "    - {name: net.core.somaxconn, value: '1024'}\n"
		      "  containers: [{name: a, image: 'x:1'}]\n"),
		  "pss-baseline.sysctls@10;" },
		{ "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\n"
		  "spec:\n  jobTemplate:\n    spec:\n      template:\n"
		  "        spec:\n          hostNetwork: true\n"
		  "          containers: [{name: a, image: 'x:1', "
		  "securityContext: {privileged: true}}]\n",
		  "pss-baseline.host-namespaces@9;pss-baseline.privileged@10;" },
	};
	struct rg_arena *a = rg_arena_new();
	struct rg_policy *p = load_baseline(a);

	CHECK(p != NULL);
	for (size_t i = 0; i < RG_ARRAY_SIZE(cases); i++) {
		const char *got = check(a, p, cases[i].doc);

		if (strcmp(got, cases[i].want) != 0) {
			rg_policy_free(p);
			rg_arena_free(a);
			FAILF("case %zu: got '%s', want '%s'", i, got,
			      cases[i].want);
		}
	}
	rg_policy_free(p);
	rg_arena_free(a);
}

TEST(baseline_message_names_the_field)
{
	struct rg_arena *a = rg_arena_new();
	struct rg_policy *p = load_baseline(a);
	struct rg_findings f;
	struct rg_objset set;
	struct rg_node *n = NULL;
	struct rg_err e = RG_ERR_INIT;
	const char *doc = POD("  containers:\n  - name: a\n    image: x:1\n"
			      "    securityContext:\n      capabilities:\n"
			      "        add: [SYS_ADMIN]\n");

	CHECK(p != NULL);
	rg_finding_init(&f, a);
	rg_objset_init(&set, a);
	CHECK_INT(rg_doc_parse_one(&n, a, "envs/prod/pod.yaml", doc, strlen(doc),
				   0, &e),
		  0);
	CHECK_INT(rg_objset_add_doc(NULL, &set, n, &f, "plain", "prod", &e), 0);
	CHECK_INT(rg_policy_check_objects(&f, p, "prod", &set, &e), 0);
	CHECK_INT(f.len, 1);
	CHECK_INT(f.items[0].severity, RG_SEV_DENY);
	CHECK_STR(f.items[0].origin.file, "envs/prod/pod.yaml");
	CHECK_INT(f.items[0].origin.line, 12);
	CHECK_STR(f.items[0].env, "prod");
	CHECK_STR(f.items[0].object, "/Pod/team/p");
	CHECK_STR(f.items[0].message,
		  "Pod team/p: spec.containers[0].securityContext.capabilities.add[0] "
		  "adds capability SYS_ADMIN, which the baseline profile does not "
		  "allow");
	CHECK(f.items[0].hint && strstr(f.items[0].hint, "NET_BIND_SERVICE"));
	rg_policy_free(p);
	rg_arena_free(a);
}
