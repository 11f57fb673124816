#include "rendergate/compat.h"
#include "rendergate/buf.h"
#include "rendergate/install.h"

#include <fcntl.h>
#include <git2.h>
#include <sys/stat.h>
#include <unistd.h>

enum layout { LAYOUT_PLAIN, LAYOUT_GITLAB, LAYOUT_GITEA };

static const char usage[] =
    "usage: rendergate install [--gitlab|--gitea] [--config FILE] "
    "[--force] PATH.git\n"
    "\n"
    "Install rendergate as the pre-receive and post-receive hooks of the\n"
    "bare repository PATH.git.\n"
    "\n"
    "  --gitlab       GitLab server hooks: custom_hooks/<hook>.d/rendergate\n"
    "  --gitea        Gitea/Forgejo: hooks/<hook>.d/rendergate\n"
    "                 (default: plain git, hooks/<hook>)\n"
    "  --config FILE  server config the hooks use (absolute path)\n"
    "  --force        replace hooks rendergate did not write\n"
    "\n"
    "Examples:\n"
    "  rendergate install /srv/git/deploy.git\n"
    "  rendergate install --gitlab --config /etc/rendergate/config.yaml \\\n"
    "      /var/opt/gitlab/git-data/repositories/@hashed/ab/cd/abcd.git\n"
    "\n"
    "Exit codes: 0 installed, 2 bad usage or a foreign hook in the way,\n"
    "3 a file could not be written.\n";

/* Single-quote s for sh. */
static int sh_quote(struct rg_buf *b, const char *s)
{
	int rc = rg_buf_addch(b, '\'');

	for (; *s && !rc; s++)
		rc = *s == '\'' ? rg_buf_adds(b, "'\\''") : rg_buf_addch(b, *s);
	return rc ? rc : rg_buf_addch(b, '\'');
}

static int mkdir_p(const char *dir)
{
	if (mkdir(dir, 0755) == 0 || errno == EEXIST)
		return 0;
	fprintf(stderr, "rendergate install: cannot create %s: %s\n", dir,
		strerror(errno));
	return -1;
}

/* Is the file at path one we wrote (or absent)? */
static bool ours_or_absent(const char *path)
{
	char head[512];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT;
	n = read(fd, head, sizeof(head) - 1);
	close(fd);
	if (n < 0)
		return false;
	head[n] = '\0';
	return strstr(head, RG_INSTALL_MARKER) != NULL;
}

static int write_hook(const char *path, const char *self, const char *hook,
		      const char *config)
{
	struct rg_buf b = RG_BUF_INIT(64 * 1024);
	char tmp[4096];
	int fd = -1, rc = 3;

	if (rg_buf_addf(&b, "#!/bin/sh\n%s\nexec ", RG_INSTALL_MARKER) ||
	    sh_quote(&b, self) || rg_buf_addf(&b, " %s", hook))
		goto out;
	if (config && (rg_buf_adds(&b, " --config ") || sh_quote(&b, config)))
		goto out;
	if (rg_buf_adds(&b, " \"$@\"\n"))
		goto out;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.rendergate-tmp", path) >=
	    sizeof(tmp))
		goto out;
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	if (fd < 0 || write(fd, b.ptr, b.len) != (ssize_t)b.len ||
	    fchmod(fd, 0755) < 0 || close(fd) < 0) {
		fprintf(stderr, "rendergate install: cannot write %s: %s\n",
			tmp, strerror(errno));
		fd = -1;
		unlink(tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		fprintf(stderr, "rendergate install: cannot write %s: %s\n",
			path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	printf("installed %s\n", path);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	rg_buf_release(&b);
	return rc;
}

static void hook_paths(char *dir, size_t dirsz, char *path, size_t pathsz,
		       const char *gitdir, enum layout layout, const char *hook)
{
	switch (layout) {
	case LAYOUT_PLAIN:
		snprintf(dir, dirsz, "%s/hooks", gitdir);
		snprintf(path, pathsz, "%s/%s", dir, hook);
		break;
	case LAYOUT_GITLAB:
		snprintf(dir, dirsz, "%s/custom_hooks/%s.d", gitdir, hook);
		snprintf(path, pathsz, "%s/rendergate", dir);
		break;
	case LAYOUT_GITEA:
		snprintf(dir, dirsz, "%s/hooks/%s.d", gitdir, hook);
		snprintf(path, pathsz, "%s/rendergate", dir);
		break;
	}
}

/* Create dir (and custom_hooks/ above it for GitLab): 0 or 3. */
static int make_dirs(const char *gitdir, const char *dir, enum layout layout)
{
	char parent[4200];

	if (layout == LAYOUT_GITLAB) {
		snprintf(parent, sizeof(parent), "%s/custom_hooks", gitdir);
		if (mkdir_p(parent))
			return 3;
	}
	return mkdir_p(dir) ? 3 : 0;
}

/* The git directory of the repository at path, without a trailing '/'. */
static int git_dir_of(char *out, size_t outsz, const char *path)
{
	git_repository *repo = NULL;
	const char *gd;
	size_t n;
	int rc = 2;

	if (git_repository_open_ext(&repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH,
				    NULL) < 0) {
		const git_error *e = git_error_last();

		fprintf(stderr,
			"rendergate install: %s is not a git "
			"repository: %s\n",
			path, e ? e->message : "");
		goto out;
	}
	gd = git_repository_path(repo);
	n = strlen(gd);
	while (n > 1 && gd[n - 1] == '/')
		n--;
	if (n >= outsz)
		goto out;
	memcpy(out, gd, n);
	out[n] = '\0';
	rc = 0;
out:
	git_repository_free(repo);
	return rc;
}

int rg_install_cmd(int argc, char **argv)
{
	static const char *const hooks[] = {"pre-receive", "post-receive"};
	enum layout layout = LAYOUT_PLAIN;
	const char *config = NULL, *repo = NULL;
	char self[4096], gitdir[4096], cfgabs[4096], dir[8192], path[8300];
	bool force = false;
	ssize_t n;
	int rc = 2;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			rc = 0;
			goto out;
		} else if (!strcmp(argv[i], "--gitlab")) {
			layout = LAYOUT_GITLAB;
		} else if (!strcmp(argv[i], "--gitea")) {
			layout = LAYOUT_GITEA;
		} else if (!strcmp(argv[i], "--force")) {
			force = true;
		} else if (!strcmp(argv[i], "--config") && i + 1 < argc) {
			config = argv[++i];
		} else if (!strncmp(argv[i], "--config=", 9)) {
			config = argv[i] + 9;
		} else if (argv[i][0] == '-' || repo) {
			fprintf(stderr,
				"rendergate install: unexpected "
				"argument '%s'\n\n%s",
				argv[i], usage);
			goto out;
		} else {
			repo = argv[i];
		}
	}
	if (!repo) {
		fputs(usage, stderr);
		goto out;
	}
	if (config) {
		if (!realpath(config, cfgabs)) {
			fprintf(stderr, "rendergate install: %s: %s\n", config,
				strerror(errno));
			goto out;
		}
		config = cfgabs;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		fprintf(stderr,
			"rendergate install: cannot find my own "
			"path: %s\n",
			strerror(errno));
		rc = 3;
		goto out;
	}
	self[n] = '\0';
	rc = git_dir_of(gitdir, sizeof(gitdir), repo);
	if (rc)
		goto out;
	/* check every target first, so a refusal leaves nothing half done */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < RG_ARRAY_SIZE(hooks); i++) {
			hook_paths(dir, sizeof(dir), path, sizeof(path), gitdir,
				   layout, hooks[i]);
			if (pass == 0) {
				if (!force && !ours_or_absent(path)) {
					fprintf(stderr,
						"rendergate install: %s exists "
						"and was not written by "
						"rendergate; use --force to "
						"replace it\n",
						path);
					rc = 2;
					goto out;
				}
				continue;
			}
			rc = make_dirs(gitdir, dir, layout);
			if (!rc)
				rc = write_hook(path, self, hooks[i], config);
			if (rc)
				goto out;
		}
	}
out:
	return rc;
}
