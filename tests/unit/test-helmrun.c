/*
 * test-helmrun.c - running a helm binary for `engine: helm` (helmrun.h),
 * with shell scripts standing in for helm: the work directory and the
 * clean environment helm sees, its messages on failure, the time limit
 * (the process group killed, nothing left behind), the output cap, the
 * configuration errors that name helm_binary, and the deadline.
 */
#include "test.h"
#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/config.h"
#include "rendergate/helmexec.h"
#include "rendergate/helmrun.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static char top[64];

static uint64_t ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* A private directory with bin/ (the scripts) and work/ (for helm). */
static const char *setup(struct rg_arena *a)
{
	if (!top[0]) {
		memcpy(top, "/tmp/rg-test-helmrun-XXXXXX", 28);
		if (!mkdtemp(top))
			RG_BUG("mkdtemp");
		mkdir(rg_arena_printf(a, "%s/bin", top), 0700);
		mkdir(rg_arena_printf(a, "%s/work", top), 0700);
	}
	return top;
}

static const char *script(struct rg_arena *a, const char *name,
			  const char *body, mode_t mode)
{
	const char *path = rg_arena_printf(a, "%s/bin/%s", setup(a), name);
	FILE *f = fopen(path, "w");

	if (!f)
		RG_BUG("cannot write %s", path);
	fprintf(f, "#!/bin/sh\n%s", body);
	fclose(f);
	chmod(path, mode);
	return path;
}

/* Entries in the work directory's parent (0 when helm left nothing). */
static int leftovers(void)
{
	char path[128];
	DIR *d;
	struct dirent *e;
	int n = 0;

	snprintf(path, sizeof(path), "%s/work", top);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* Is pid gone (or a zombie waiting for init)? */
static bool gone(long pid)
{
	char path[64], buf[256];
	FILE *f;
	size_t n;
	const char *p;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return true;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'Z';
}

static struct rg_helmrun_opts opts(struct rg_arena *a, const char *binary,
				   uint64_t timeout_ms)
{
	struct rg_helmrun_opts o;

	memset(&o, 0, sizeof(o));
	o.binary = binary;
	o.config_file = "/etc/rendergate/config.yaml";
	o.timeout_ms = timeout_ms;
	o.limit_name = "helm_timeout";
	o.tmpdir = rg_arena_printf(a, "%s/work", setup(a));
	return o;
}

static const struct rg_helmexec_file files[] = {
    {"repo/charts/c/Chart.yaml", "name: c\n", 8},
    {"repo/values/v.yaml", "replicas: 3\n", 12},
};

static struct rg_helmexec_job job_with(const char *const *args, size_t n)
{
	struct rg_helmexec_job j;

	memset(&j, 0, sizeof(j));
	j.env = "prod";
	j.release = "web";
	j.files = files;
	j.nfiles = RG_ARRAY_SIZE(files);
	j.cwd = "repo";
	j.args = args;
	j.nargs = n;
	return j;
}

TEST(runs_in_a_private_clean_work_directory)
{
	struct rg_arena *a = rg_arena_new();
	const char *bin =
	    script(a, "echo-helm",
		   "echo \"pwd=$(pwd)\"\n"
		   "echo \"args=$*\"\n"
		   "echo \"home=$HOME cache=$HELM_CACHE_HOME\"\n"
		   "echo \"leak=${RG_TEST_LEAK:-unset} kube=$KUBECONFIG\"\n"
		   "cat values/v.yaml charts/c/Chart.yaml\n"
		   "stat -c %a .. values/v.yaml\n"
		   "[ -e /proc/$$/fd/57 ] && echo fd-leaked\n"
		   "read x && echo \"stdin=$x\"\n"
		   "echo done\n",
		   0755);
	static const char *const args[] = {"template", "--", "web",
					   "./charts/c"};
	struct rg_helmrun_opts o = opts(a, bin, 5000);
	struct rg_helmexec_job j = job_with(args, 4);
	struct rg_err err = RG_ERR_INIT;
	const char *out = NULL, *work;
	size_t len = 0;
	int fd = open("/dev/null", O_RDONLY);

	setenv("RG_TEST_LEAK", "1", 1);
	CHECK(dup2(fd, 57) == 57); /* inherited by nothing */
	CHECK_INT(rg_helmrun_exec(&out, &len, &o, &j, a, &err), 0);
	close(57);
	close(fd);
	CHECK_INT(len, strlen(out));
	work = rg_arena_printf(a, "%s/rendergate-helm-", o.tmpdir);
	CHECK(!strncmp(out, rg_arena_printf(a, "pwd=%s", work),
		       strlen(work) + 4));
	CHECK(strstr(out, "/repo\nargs=template -- web ./charts/c\n") != NULL);
	CHECK(strstr(out, "/home cache=") != NULL);
	CHECK(strstr(out, "leak=unset kube=") != NULL);
	CHECK(strstr(out, "replicas: 3\nname: c\n700\n600\n") != NULL);
	CHECK(strstr(out, "fd-leaked") == NULL);
	CHECK(strstr(out, "stdin=") == NULL);
	CHECK(strstr(out, "done\n") != NULL);
	CHECK_INT(leftovers(), 0);
	rg_arena_free(a);
}

TEST(helm_failing_is_unrenderable_with_its_error)
{
	struct rg_arena *a = rg_arena_new();
	const char *bin = script(
	    a, "fail-helm",
	    "echo 'partial output'\n"
	    "echo 'WARNING: Kubernetes configuration file is group-readable' "
	    ">&2\n"
	    "printf 'Error: template: c/templates/x.yaml:3:4: bad \\033[31m "
	    "in %s/values/v.yaml\\n\\n' \"$(pwd)\" >&2\n"
	    "echo '  second line ' >&2\n"
	    "echo 'Use --debug flag to render out invalid YAML' >&2\n"
	    "exit 1\n",
	    0755);
	const char *sig = script(a, "sig-helm", "kill -9 $$\n", 0755);
	static const char *const args[] = {"template"};
	struct rg_helmrun_opts o = opts(a, bin, 5000);
	struct rg_helmexec_job j = job_with(args, 1);
	struct rg_err err = RG_ERR_INIT;
	const char *out = NULL;
	size_t len = 0;

	CHECK_INT(rg_helmrun_exec(&out, &len, &o, &j, a, &err), RG_EINVALID);
	CHECK_STR(err.msg, "unrenderable: helm template exited with status 1: "
			   "Error: template: c/templates/x.yaml:3:4: bad ?[31m "
			   "in values/v.yaml second line");
	CHECK(out == NULL);
	CHECK_INT(leftovers(), 0);
	o.binary = sig;
	CHECK_INT(rg_helmrun_exec(&out, &len, &o, &j, a, &err), RG_EINVALID);
	CHECK_STR(err.msg, "unrenderable: helm template was killed by signal "
			   "9: (no message)");
	CHECK_INT(leftovers(), 0);
	rg_arena_free(a);
}

TEST(helm_stderr_caps)
{
	struct rg_arena *a = rg_arena_new();
	/* RG_CAP_HELM_STDERR_SHOWN: a 2,000-byte error line is cut */
	const char *longerr = script(
	    a, "long-error-helm",
	    "{ printf 'Error: '; head -c 2000 /dev/zero | tr '\\0' x; "
	    "echo; } >&2\nexit 1\n",
	    0755);
	/* RG_CAP_HELM_STDERR_BYTES: 70,000 bytes of warnings, then the
	 * error, past the 64 KiB kept: the start is kept, the rest dropped */
	const char *noisy = script(
	    a, "noisy-helm",
	    "yes wwwwww | head -n 10000 >&2\necho 'Error: marker-q7' >&2\n"
	    "exit 1\n",
	    0755);
	static const char *const args[] = {"template"};
	struct rg_helmrun_opts o = opts(a, longerr, 5000);
	struct rg_helmexec_job j = job_with(args, 1);
	struct rg_err err = RG_ERR_INIT;
	const char *out = NULL, *want;
	size_t len = 0;
	char xs[RG_CAP_HELM_STDERR_SHOWN];

	CHECK_INT(RG_CAP_HELM_STDERR_SHOWN, 600);
	memset(xs, 'x', sizeof(xs));
	want = rg_arena_printf(a, "unrenderable: helm template exited with "
				  "status 1: Error: %.*s ...",
			       (int)(RG_CAP_HELM_STDERR_SHOWN - 7), xs);
	CHECK_INT(rg_helmrun_exec(&out, &len, &o, &j, a, &err), RG_EINVALID);
	CHECK_STR(err.msg, want);
	CHECK_INT(leftovers(), 0);

	o.binary = noisy;
	CHECK_INT(rg_helmrun_exec(&out, &len, &o, &j, a, &err), RG_EINVALID);
	want = "unrenderable: helm template exited with status 1: "
	       "wwwwww wwwwww";
	if (strncmp(err.msg, want, strlen(want)))
		FAILF("got %s", err.msg);
	if (strstr(err.msg, "marker-q7"))
		FAILF("got %s", err.msg);
	CHECK(strstr(err.msg, " ...") != NULL);
	CHECK_INT(leftovers(), 0);
	rg_arena_free(a);
}

TEST(a_hanging_helm_is_stopped_with_its_process_group)
{
	struct rg_arena *a = rg_arena_new();
	const char *pidfile = rg_arena_printf(a, "%s/sleep.pid", setup(a));
	const char *bin = script(a, "hang-helm",
				 "sleep 30 &\n"
				 "echo $! >\"$1\"\n"
				 "echo started\n"
				 "wait\n",
				 0755);
	const char *args[] = {pidfile};
	struct rg_helmrun_opts o = opts(a, bin, 300);
	struct rg_helmexec_job j = job_with(args, 1);
	struct rg_err err = RG_ERR_INIT;
	const char *out = NULL;
	size_t len = 0;
	uint64_t t0 = ms();
	long pid = 0;
	FILE *f;

	CHECK_INT(rg_helmrun_exec(&out, &len, &o, &j, a, &err), RG_ETIMEOUT);
	CHECK(ms() - t0 < 2000);
	CHECK_STR(err.msg, "helm template did not finish within 300 ms "
			   "(helm_timeout) and was stopped");
	CHECK_INT(leftovers(), 0);
	f = fopen(pidfile, "r");
	CHECK(f != NULL);
	CHECK(fscanf(f, "%ld", &pid) == 1);
	fclose(f);
	CHECK(pid > 0);
	for (int i = 0; i < 100 && !gone(pid); i++)
		usleep(10000);
	CHECK(gone(pid));
	rg_arena_free(a);
}

TEST(output_past_the_cap_stops_helm)
{
	struct rg_arena *a = rg_arena_new();
	const char *bin = script(a, "loud-helm",
				 "i=0\nwhile [ $i -lt 2000 ]; do\n"
				 "echo 'kind: ConfigMap # padding padding'\n"
				 "i=$((i + 1))\ndone\n",
				 0755);
	static const char *const args[] = {"template"};
	struct rg_helmrun_opts o = opts(a, bin, 5000);
	struct rg_helmexec_job j = job_with(args, 1);
	struct rg_err err = RG_ERR_INIT;
	const char *out = NULL;
	size_t len = 0;

	o.max_output = 1000;
	CHECK_INT(rg_helmrun_exec(&out, &len, &o, &j, a, &err), RG_ELIMIT);
	CHECK_STR(err.msg, "helm template printed more than 1000 bytes "
			   "(RG_CAP_HELM_OUTPUT_BYTES) and was stopped");
	CHECK_INT(leftovers(), 0);
	rg_arena_free(a);
}

TEST(binary_not_configured_missing_or_not_executable)
{
	struct rg_arena *a = rg_arena_new();
	const char *noexec = script(a, "noexec-helm", "echo hi\n", 0644);
	static const char *const args[] = {"template"};
	struct rg_helmrun_opts o = opts(a, NULL, 5000);
	struct rg_helmexec_job j = job_with(args, 1);
	struct rg_err err = RG_ERR_INIT;
	const char *out = NULL;
	size_t len = 0;

	CHECK_INT(rg_helmrun_exec(&out, &len, &o, &j, a, &err),
		  RG_EUNSUPPORTED);
	CHECK_STR(err.msg, "unrenderable: engine helm needs a helm binary, and "
			   "none is configured (set helm_binary in the server "
			   "config /etc/rendergate/config.yaml)");
	o.binary = "/nonexistent/helm";
	CHECK_INT(rg_helmrun_exec(&out, &len, &o, &j, a, &err), RG_ENOTFOUND);
	CHECK_STR(err.msg,
		  "unrenderable: helm_binary /nonexistent/helm (server "
		  "config /etc/rendergate/config.yaml): No such file "
		  "or directory");
	o.binary = noexec;
	CHECK_INT(rg_helmrun_exec(&out, &len, &o, &j, a, &err), RG_EINVALID);
	CHECK(strstr(err.msg, "is not an executable file") != NULL);
	CHECK_INT(leftovers(), 0);
	rg_arena_free(a);
}

static volatile sig_atomic_t alarms, alarm_saw_leftovers = -1;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
	alarm_saw_leftovers = leftovers(); /* not async-safe; a test */
}

TEST(the_deadline_bounds_each_run)
{
	struct rg_arena *a = rg_arena_new();
	const char *bin = script(a, "slow-helm",
				 "sleep 5\n"
				 "echo late\n",
				 0755);
	const char *quick = script(a, "quick-helm",
				   "sleep 0.3\n"
				   "echo 'kind: A'\n",
				   0755);
	static const char *const args[] = {"template"};
	struct rg_helmexec_job j = job_with(args, 1);
	struct rg_config_server srv;
	const struct rg_helmexec *x;
	struct rg_err err = RG_ERR_INIT;
	const char *out = NULL;
	size_t len = 0;
	uint64_t t0 = ms();
	struct itimerval it;

	rg_config_server_defaults(&srv);
	srv.helm_binary = bin;
	srv.deadline_ms = 1000;
	setenv("TMPDIR", rg_arena_printf(a, "%s/work", setup(a)), 1);
	/* 995 ms of 1 s used: no time left to run helm at all */
	x = rg_helmrun_new(a, &srv, t0 - 995);
	CHECK_INT(x->run(x->ctx, &out, &len, &j, a, &err), RG_ETIMEOUT);
	CHECK_STR(err.msg, "no time left of the hook's deadline (1000 ms) to "
			   "run helm");
	/* a full second: helm_timeout (10 s) is cut to 1 s minus the margin */
	x = rg_helmrun_new(a, &srv, ms());
	CHECK_INT(x->run(x->ctx, &out, &len, &j, a, &err), RG_ETIMEOUT);
	CHECK(ms() - t0 < 1500);
	CHECK(strstr(err.msg, "(what was left of the hook's deadline)") !=
	      NULL);
	CHECK_INT(leftovers(), 0);
	/* the watchdog's SIGALRM waits until helm is gone and cleaned up */
	srv.helm_binary = quick;
	srv.deadline_ms = 20000;
	signal(SIGALRM, on_alarm);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_usec = 100000;
	setitimer(ITIMER_REAL, &it, NULL);
	x = rg_helmrun_new(a, &srv, ms());
	CHECK_INT(x->run(x->ctx, &out, &len, &j, a, &err), 0);
	CHECK_STR(out, "kind: A\n");
	CHECK_INT(alarms, 1);
	CHECK_INT(alarm_saw_leftovers, 0);
	signal(SIGALRM, SIG_DFL);
	unsetenv("TMPDIR");
	rg_arena_free(a);
}

TEST(zz_cleanup)
{
	struct rg_arena *a = rg_arena_new();
	const char *cmd = rg_arena_printf(a, "rm -rf '%s'", setup(a));

	CHECK(system(cmd) == 0);
	rg_arena_free(a);
}
