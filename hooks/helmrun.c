#include "rendergate/compat.h"
#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/config.h"
#include "rendergate/fsutil.h"
#include "rendergate/helmexec.h"
#include "rendergate/helmrun.h"
#include "rendergate/tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WORK_TEMPLATE "rendergate-helm-XXXXXX"
#define RM_DEPTH      128
/* after helm exits, how long output still held open by what it left
   behind is waited for */
#define DRAIN_MS 200

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* --- the work directory ---------------------------------------------- */

/* Remove everything below the directory open at fd (which is closed). */
static void rm_below(int fd, unsigned depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;

	if (!d) {
		close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		int sub;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (!unlinkat(fd, e->d_name, 0))
			continue;
		if (depth >= RM_DEPTH)
			continue;
		sub = openat(fd, e->d_name,
			     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue;
		(void)fchmod(sub, 0700); /* in case helm left it unreadable */
		rm_below(sub, depth + 1);
		(void)unlinkat(fd, e->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

static void rm_work(const char *work)
{
	int fd;

	if (!work)
		return;
	fd = open(work, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		rm_below(fd, 0);
	(void)rmdir(work);
}

/* Make the directories of path (relative to dirfd), the last one too. */
static int mkdirs(int dirfd, const char *path, struct rg_arena *a)
{
	char *p = rg_arena_strdup(a, path);

	for (char *s = strchr(p, '/');; s = strchr(s + 1, '/')) {
		if (s)
			*s = '\0';
		if (mkdirat(dirfd, p, 0700) < 0 && errno != EEXIST)
			return -1;
		if (!s)
			return 0;
		*s = '/';
	}
}

static int write_file(int dirfd, const struct rg_helmexec_file *f,
		      struct rg_arena *a)
{
	const char *slash = strrchr(f->path, '/');
	int fd, rc;

	if (slash &&
	    mkdirs(dirfd,
		   rg_arena_strndup(a, f->path, (size_t)(slash - f->path)),
		   a) < 0)
		return -1;
	fd = openat(dirfd, f->path,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	rc = rg_fs_write_all(fd, f->data, f->len);
	if (close(fd) < 0)
		rc = -1;
	return rc;
}

/* mkdtemp a work directory and fill it; *work is set once it exists. */
static int make_work(char **work, const struct rg_helmrun_opts *o,
		     const struct rg_helmexec_job *job, struct rg_arena *a,
		     struct rg_err *err)
{
	const char *base = o->tmpdir ? o->tmpdir : getenv("TMPDIR");
	static const char *const dirs[] = {"home", "tmp", NULL};
	char *w;
	int fd = -1, error = 0;

	if (!base || base[0] != '/')
		base = "/tmp";
	w = rg_arena_printf(a, "%s/" WORK_TEMPLATE, base);
	if (!mkdtemp(w))
		return rg_err_set(err, RG_EIO, NULL,
				  "cannot make a work directory for helm in "
				  "%s: %s",
				  base, strerror(errno));
	*work = w;
	fd = open(w, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		error =
		    rg_err_set(err, RG_EIO, NULL, "%s: %s", w, strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < job->nfiles && !error; i++) {
		if (rg_tree_path_check(job->files[i].path, err) < 0) {
			error = err->code;
			break;
		}
		if (write_file(fd, &job->files[i], a) < 0)
			error = rg_err_set(err, RG_EIO, NULL,
					   "cannot write %s for helm: %s",
					   job->files[i].path, strerror(errno));
	}
	if (!error && rg_tree_path_check(job->cwd, err) < 0)
		error = err->code;
	for (size_t i = 0; !error && dirs[i]; i++)
		if (mkdirat(fd, dirs[i], 0700) < 0)
			error = rg_err_set(err, RG_EIO, NULL, "%s/%s: %s", w,
					   dirs[i], strerror(errno));
	if (!error && mkdirs(fd, job->cwd, a) < 0)
		error = rg_err_set(err, RG_EIO, NULL, "%s/%s: %s", w, job->cwd,
				   strerror(errno));
out:
	if (fd >= 0)
		close(fd);
	return error;
}

/* --- the process ----------------------------------------------------- */

static char **make_env(const char *w, struct rg_arena *a)
{
	char **env = rg_arena_calloc(a, 16, sizeof(*env));
	size_t n = 0;

	env[n++] = rg_arena_strdup(a, "PATH=/usr/local/bin:/usr/bin:/bin");
	env[n++] = rg_arena_strdup(a, "LC_ALL=C");
	env[n++] = rg_arena_printf(a, "HOME=%s/home", w);
	env[n++] = rg_arena_printf(a, "TMPDIR=%s/tmp", w);
	env[n++] = rg_arena_printf(a, "KUBECONFIG=%s/home/.kube/config", w);
	env[n++] = rg_arena_printf(a, "HELM_CACHE_HOME=%s/home/cache", w);
	env[n++] = rg_arena_printf(a, "HELM_CONFIG_HOME=%s/home/config", w);
	env[n++] = rg_arena_printf(a, "HELM_DATA_HOME=%s/home/data", w);
	env[n++] = rg_arena_printf(a, "HELM_PLUGINS=%s/home/data/plugins", w);
	env[n++] = rg_arena_printf(
	    a, "HELM_REGISTRY_CONFIG=%s/home/config/registry/config.json", w);
	env[n++] = rg_arena_printf(
	    a, "HELM_REPOSITORY_CONFIG=%s/home/config/repositories.yaml", w);
	env[n++] = rg_arena_printf(
	    a, "HELM_REPOSITORY_CACHE=%s/home/cache/repository", w);
	env[n] = NULL;
	return env;
}

/* The child: never returns. Only async-signal-safe calls after fork. */
static void child(const char *bin, char *const *argv, char *const *envp,
		  const char *dir, int out, int err)
{
	static const char msg[] = "rendergate: cannot run helm_binary\n";
	static const int sigs[] = {SIGPIPE, SIGINT,  SIGTERM, SIGHUP,
				   SIGQUIT, SIGALRM, SIGCHLD};
	sigset_t none;
	int in = open("/dev/null", O_RDONLY);

	(void)setpgid(0, 0);
	for (size_t i = 0; i < RG_ARRAY_SIZE(sigs); i++)
		signal(sigs[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (in < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(126);
	close_range(3, ~0u, 0);
	if (chdir(dir) < 0)
		_exit(126);
	execve(bin, argv, envp);
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(127);
}

struct proc {
	pid_t pid;
	int fd[2]; /* stdout, stderr read ends; -1 once at EOF */
	struct rg_buf buf[2];
	bool exited, timed_out, too_big;
	int status;
};

/* Read what is there on fd i; false once the output cap is passed. */
static bool drain(struct proc *p, int i)
{
	char chunk[65536];
	ssize_t n = read(p->fd[i], chunk, sizeof(chunk));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0) {
		close(p->fd[i]);
		p->fd[i] = -1;
		return true;
	}
	if (rg_buf_add(&p->buf[i], chunk, (size_t)n) == 0)
		return true;
	if (i == 0)
		return false;
	/* standard error past its cap: keep the start, drop the rest */
	if (p->buf[1].len < p->buf[1].cap)
		(void)rg_buf_add(&p->buf[1], chunk,
				 p->buf[1].cap - p->buf[1].len);
	return true;
}

/* Collect output until helm exits (and its output ends) or limit. */
static void collect(struct proc *p, uint64_t limit)
{
	for (;;) {
		struct pollfd pf[2];
		nfds_t n = 0;
		uint64_t now = now_ms();
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		if (!p->exited &&
		    waitid(P_PID, (id_t)p->pid, &si,
			   WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    si.si_pid == p->pid) {
			p->exited = true;
			/* what it left in its group would hold the pipes */
			kill(-p->pid, SIGKILL);
			if (limit > now + DRAIN_MS)
				limit = now + DRAIN_MS;
		}
		for (int i = 0; i < 2; i++)
			if (p->fd[i] >= 0) {
				pf[n].fd = p->fd[i];
				pf[n].events = POLLIN;
				pf[n].revents = 0;
				n++;
			}
		if (p->exited && !n)
			return;
		if (now >= limit) {
			p->timed_out = !p->exited;
			return;
		}
		if (poll(pf, n, (int)(limit - now < 20 ? limit - now : 20)) <=
		    0)
			continue;
		for (nfds_t k = 0; k < n; k++) {
			int i = pf[k].fd == p->fd[0] ? 0 : 1;

			if (!pf[k].revents)
				continue;
			if (!drain(p, i)) {
				p->too_big = true;
				return;
			}
		}
	}
}

/* Kill the group (before reaping, so its id cannot be reused) and reap. */
static void finish(struct proc *p)
{
	pid_t r;

	kill(-p->pid, SIGKILL);
	if (!p->exited)
		kill(p->pid, SIGKILL);
	do
		r = waitpid(p->pid, &p->status, 0);
	while (r < 0 && errno == EINTR);
	for (int i = 0; i < 2; i++)
		if (p->fd[i] >= 0) {
			close(p->fd[i]);
			p->fd[i] = -1;
		}
}

/* --- messages -------------------------------------------------------- */

/* Append line [p, e) to b: the work directory's path dropped, control
   characters replaced. */
static void add_line(struct rg_buf *b, const char *p, const char *e,
		     const char *repo, const char *wk)
{
	size_t rl = strlen(repo), wl = strlen(wk);

	while (p < e) {
		unsigned char c = (unsigned char)*p;

		if ((size_t)(e - p) >= rl && !memcmp(p, repo, rl)) {
			p += rl;
			continue;
		}
		if ((size_t)(e - p) >= wl && !memcmp(p, wk, wl)) {
			p += wl;
			continue;
		}
		if (rg_buf_addch(b, c < 0x20 || c == 0x7f ? '?' : (char)c) < 0)
			return;
		p++;
	}
}

/*
 * helm's standard error for a message: from its last "Error: " line on
 * (warnings before it are noise), blank lines and helm's "Use --debug"
 * advice (a pusher cannot pass flags) dropped, lines joined with spaces,
 * at most RG_CAP_HELM_STDERR_SHOWN bytes.
 */
static const char *shown_stderr(struct rg_arena *a, const char *s, size_t n,
				const char *work, const char *cwd)
{
	const char *repo = rg_arena_printf(a, "%s/%s/", work, cwd);
	const char *wk = rg_arena_printf(a, "%s/", work);
	struct rg_buf b = RG_BUF_INIT(RG_CAP_HELM_STDERR_SHOWN);
	const char *start = s, *end = s + n, *res;

	for (const char *p = s; p + 7 <= end; p++)
		if ((p == s || p[-1] == '\n') && !memcmp(p, "Error: ", 7))
			start = p;
	for (const char *p = start; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		while (p < le && strchr(" \t\r", *p))
			p++;
		while (le > p && strchr(" \t\r", le[-1]))
			le--;
		if (le > p && ((size_t)(le - p) < 16 ||
			       memcmp(p, "Use --debug flag", 16))) {
			if (b.len)
				(void)rg_buf_addch(&b, ' ');
			add_line(&b, p, le, repo, wk);
		}
		p = nl ? nl + 1 : end;
	}
	res = b.len ? rg_arena_printf(a, "%s%s", b.ptr,
				      b.len == b.cap ? " ..." : "")
		    : "(no message)";
	rg_buf_release(&b);
	return res;
}

static int outcome(const char **out, size_t *len, struct proc *p,
		   const struct rg_helmrun_opts *o,
		   const struct rg_helmexec_job *job, const char *work,
		   struct rg_arena *a, struct rg_err *err)
{
	const char *msg;

	if (p->timed_out)
		return rg_err_set(err, RG_ETIMEOUT, NULL,
				  "helm template did not finish within %llu ms "
				  "(%s) and was stopped",
				  (unsigned long long)o->timeout_ms,
				  o->limit_name ? o->limit_name
						: "its time limit");
	if (p->too_big)
		return rg_err_set(err, RG_ELIMIT, NULL,
				  "helm template printed more than %zu bytes "
				  "(RG_CAP_HELM_OUTPUT_BYTES) and was stopped",
				  p->buf[0].cap);
	msg = shown_stderr(a, p->buf[1].ptr, p->buf[1].len, work, job->cwd);
	if (WIFSIGNALED(p->status))
		return rg_err_set(err, RG_EINVALID, NULL,
				  "unrenderable: helm template was killed by "
				  "signal %d: %s",
				  WTERMSIG(p->status), msg);
	if (WIFEXITED(p->status) && WEXITSTATUS(p->status))
		return rg_err_set(err, RG_EINVALID, NULL,
				  "unrenderable: helm template exited with "
				  "status %d: %s",
				  WEXITSTATUS(p->status), msg);
	*out = rg_arena_strndup(a, p->buf[0].ptr, p->buf[0].len);
	*len = p->buf[0].len;
	return 0;
}

/* --- running --------------------------------------------------------- */

static int check_binary(const struct rg_helmrun_opts *o, struct rg_err *err)
{
	const char *cfg = o->config_file ? o->config_file : "(defaults)";
	struct stat st;

	if (!o->binary)
		return rg_err_set(err, RG_EUNSUPPORTED, NULL,
				  "unrenderable: engine helm needs a helm "
				  "binary, and none is configured (set "
				  "helm_binary in the server config %s)",
				  cfg);
	if (stat(o->binary, &st) < 0)
		return rg_err_set(err, RG_ENOTFOUND, NULL,
				  "unrenderable: helm_binary %s (server config "
				  "%s): %s",
				  o->binary, cfg, strerror(errno));
	if (!S_ISREG(st.st_mode) || access(o->binary, X_OK) < 0)
		return rg_err_set(err, RG_EINVALID, NULL,
				  "unrenderable: helm_binary %s (server config "
				  "%s) is not an executable file",
				  o->binary, cfg);
	return 0;
}

static int spawn(struct proc *p, const struct rg_helmrun_opts *o,
		 const struct rg_helmexec_job *job, const char *work,
		 struct rg_arena *a, struct rg_err *err)
{
	char **argv = rg_arena_calloc(a, job->nargs + 2, sizeof(*argv));
	char **envp = make_env(work, a);
	const char *dir = rg_arena_printf(a, "%s/%s", work, job->cwd);
	int out[2] = {-1, -1}, errp[2] = {-1, -1};

	argv[0] = rg_arena_strdup(a, o->binary);
	for (size_t i = 0; i < job->nargs; i++)
		argv[i + 1] = rg_arena_strdup(a, job->args[i]);
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0)
		goto fail;
	p->pid = fork();
	if (p->pid < 0)
		goto fail;
	if (p->pid == 0)
		child(o->binary, argv, envp, dir, out[1], errp[1]);
	(void)setpgid(p->pid, p->pid); /* the child does it too: no race */
	close(out[1]);
	close(errp[1]);
	p->fd[0] = out[0];
	p->fd[1] = errp[0];
	return 0;
fail:
	rg_err_set(err, RG_EIO, NULL, "cannot start helm: %s", strerror(errno));
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	p->pid = -1;
	return RG_EIO;
}

int rg_helmrun_exec(const char **out, size_t *len,
		    const struct rg_helmrun_opts *o,
		    const struct rg_helmexec_job *job, struct rg_arena *a,
		    struct rg_err *err)
{
	struct proc p;
	char *work = NULL;
	sigset_t alrm, saved;
	int error = check_binary(o, err);

	if (error < 0)
		return error;
	memset(&p, 0, sizeof(p));
	p.pid = -1;
	p.fd[0] = p.fd[1] = -1;
	rg_buf_init(&p.buf[0],
		    o->max_output ? o->max_output : RG_CAP_HELM_OUTPUT_BYTES);
	rg_buf_init(&p.buf[1], RG_CAP_HELM_STDERR_BYTES);
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	sigprocmask(SIG_BLOCK, &alrm, &saved);
	error = make_work(&work, o, job, a, err);
	if (!error)
		error = spawn(&p, o, job, work, a, err);
	if (!error) {
		collect(&p, now_ms() + o->timeout_ms);
		finish(&p);
		error = outcome(out, len, &p, o, job, work, a, err);
	}
	rm_work(work);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	rg_buf_release(&p.buf[0]);
	rg_buf_release(&p.buf[1]);
	return error;
}

/* --- the runner for the gate ----------------------------------------- */

struct runner {
	struct rg_helmexec x;
	const struct rg_config_server *srv;
	uint64_t start_ms;
};

static int run(void *ctx, const char **out, size_t *len,
	       const struct rg_helmexec_job *job, struct rg_arena *a,
	       struct rg_err *err)
{
	const struct runner *r = ctx;
	const struct rg_config_server *srv = r->srv;
	struct rg_helmrun_opts o;
	uint64_t elapsed = now_ms() - r->start_ms,
		 margin = srv->deadline_ms / 10;

	if (margin < 50)
		margin = 50;
	if (margin > 1000)
		margin = 1000;
	memset(&o, 0, sizeof(o));
	o.binary = srv->helm_binary;
	o.config_file = srv->file;
	o.timeout_ms = srv->helm_timeout_ms ? srv->helm_timeout_ms
					    : RG_CAP_HELM_TIMEOUT_MS_DEFAULT;
	o.limit_name = "helm_timeout in the server config";
	if (elapsed + margin >= srv->deadline_ms)
		return rg_err_set(err, RG_ETIMEOUT, NULL,
				  "no time left of the hook's deadline (%llu "
				  "ms) to run helm",
				  (unsigned long long)srv->deadline_ms);
	if (srv->deadline_ms - elapsed - margin < o.timeout_ms) {
		o.timeout_ms = srv->deadline_ms - elapsed - margin;
		o.limit_name = "what was left of the hook's deadline";
	}
	return rg_helmrun_exec(out, len, &o, job, a, err);
}

const struct rg_helmexec *rg_helmrun_new(struct rg_arena *a,
					 const struct rg_config_server *srv,
					 uint64_t start_ms)
{
	struct runner *r = rg_arena_calloc(a, 1, sizeof(*r));

	r->srv = srv;
	r->start_ms = start_ms;
	r->x.run = run;
	r->x.ctx = r;
	return &r->x;
}
