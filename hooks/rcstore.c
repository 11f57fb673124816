/*
 * rcstore.c - render cache entries kept between pushes (see rcstore.h).
 */
#include "rendergate/compat.h"
#include "rendergate/rcstore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>
#include <zlib.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "rendergate/arena.h"
#include "rendergate/caps.h"
#include "rendergate/fsutil.h"
#include "rendergate/hash.h"
#include "rendergate/rcache.h"

struct file {
	const char *name; /* <sha1 of the entry name>-<checksum>.rce */
	off_t size;
	struct timespec mtime;
	bool gone;
};

struct rg_rcstore {
	struct rg_arena *arena;
	const char *dir;
	bool listed;
	struct file *files;
	size_t nfiles, alloc;
	size_t bytes;
	unsigned seq; /* temporary names */
};

struct rg_rcstore *rg_rcstore_open(struct rg_arena *a, const char *dir)
{
	struct rg_rcstore *s = rg_arena_calloc(a, 1, sizeof(*s));

	s->arena = a;
	s->dir = rg_arena_strdup(a, dir);
	return s;
}

static bool entry_file(const char *n)
{
	size_t l = strlen(n);

	return l > RG_SHA1_HEX + 4 && n[RG_SHA1_HEX - 1] == '-' &&
	       !strcmp(n + l - 4, ".rce");
}

static void add_file(struct rg_rcstore *s, const char *name,
		     const struct stat *st)
{
	struct file *f;

	if (s->nfiles >= s->alloc) {
		size_t n = s->alloc ? 2 * s->alloc : 64;

		s->files = rg_arena_grow(s->arena, s->files, s->nfiles, n,
					 sizeof(*s->files));
		s->alloc = n;
	}
	f = &s->files[s->nfiles++];
	f->name = rg_arena_strdup(s->arena, name);
	f->size = st->st_size;
	f->mtime = st->st_mtim;
	f->gone = false;
	s->bytes += (size_t)st->st_size;
}

/* Read the directory once per run: names, sizes, ages. */
static void list(struct rg_rcstore *s)
{
	DIR *d;
	struct dirent *de;

	if (s->listed)
		return;
	s->listed = true;
	d = opendir(s->dir);
	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		/* a writer killed between write and rename (the watchdog) */
		if (!strncmp(de->d_name, ".tmp-", 5) &&
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ==
			0 &&
		    st.st_mtime < time(NULL) - 3600)
			unlinkat(dirfd(d), de->d_name, 0);
		if (!entry_file(de->d_name) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) <
			0 ||
		    !S_ISREG(st.st_mode))
			continue;
		add_file(s, de->d_name, &st);
	}
	closedir(d);
}

static int newer_first(const void *x, const void *y)
{
	const struct file *a = *(const struct file *const *)x;
	const struct file *b = *(const struct file *const *)y;

	if (a->mtime.tv_sec != b->mtime.tv_sec)
		return a->mtime.tv_sec > b->mtime.tv_sec ? -1 : 1;
	if (a->mtime.tv_nsec != b->mtime.tv_nsec)
		return a->mtime.tv_nsec > b->mtime.tv_nsec ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* The live files of one name, newest first (arena array of *n). */
static struct file **of_name(struct rg_rcstore *s, const char *name, size_t *n)
{
	char hex[RG_SHA1_HEX];
	struct file **out;
	size_t k = 0;

	rg_sha1_hex(name, strlen(name), hex);
	list(s);
	out = rg_arena_calloc(s->arena, s->nfiles + 1, sizeof(*out));
	for (size_t i = 0; i < s->nfiles; i++)
		if (!s->files[i].gone &&
		    !strncmp(s->files[i].name, hex, RG_SHA1_HEX - 1))
			out[k++] = &s->files[i];
	if (k > 1)
		qsort(out, k, sizeof(*out), newer_first);
	*n = k;
	return out;
}

static void drop(struct rg_rcstore *s, struct file *f)
{
	char path[4096];

	if (f->gone)
		return;
	f->gone = true;
	s->bytes -= (size_t)f->size;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", s->dir, f->name) <
	    sizeof(path))
		unlink(path);
}

static void load(void *ctx, struct rg_arena *a, const char *name,
		 const char ***data, size_t **len, size_t *n)
{
	struct rg_rcstore *s = ctx;
	size_t nf = 0, k = 0;
	struct file **fs = of_name(s, name, &nf);

	if (nf > RG_RCSTORE_KEEP)
		nf = RG_RCSTORE_KEEP;
	*data = rg_arena_calloc(a, nf + 1, sizeof(**data));
	*len = rg_arena_calloc(a, nf + 1, sizeof(**len));
	for (size_t i = 0; i < nf; i++) {
		char path[4096];
		struct stat st;
		char *buf;
		int fd;

		if ((size_t)snprintf(path, sizeof(path), "%s/%s", s->dir,
				     fs[i]->name) >= sizeof(path))
			continue;
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_size > 0 &&
		    st.st_size <= (off_t)RG_CAP_RCACHE_ENTRY_BYTES) {
			buf = rg_arena_alloc(a, (size_t)st.st_size + 1);
			if (rg_fs_read_all(fd, buf, (size_t)st.st_size, path,
					   NULL) == 0) {
				(*data)[k] = buf;
				(*len)[k] = (size_t)st.st_size;
				k++;
			}
		}
		close(fd);
	}
	*n = k;
}

/*
 * Put data in place as path. An unnamed file (O_TMPFILE) linked in
 * under its final name leaves nothing behind whenever the hook is killed
 * (the watchdog, the forge's timeout); names are content-addressed, so a
 * file already there holds the same bytes and the link failing with
 * EEXIST is success. Without O_TMPFILE or /proc, a named temporary file
 * is renamed into place (list() removes one a killed run left, after an
 * hour). 0 or -1.
 */
static int write_file(const char *dir, const char *tmp, const char *path,
		      const void *data, size_t len)
{
	char proc[64];
	int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600), rc;

	if (fd >= 0) {
		rc = rg_fs_write_all(fd, data, len);
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		if (!rc &&
		    linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) <
			0 &&
		    errno != EEXIST)
			rc = errno == ENOENT ? 1 : -1; /* no /proc: named */
		close(fd);
		if (rc <= 0)
			return rc ? -1 : 0;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0)
		return -1;
	rc = rg_fs_write_all(fd, data, len);
	if (close(fd) < 0)
		rc = RG_EIO;
	if (rc || rename(tmp, path) < 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static void save(void *ctx, const char *name, const void *data, size_t len)
{
	struct rg_rcstore *s = ctx;
	char hex[RG_SHA1_HEX], sum[17], fname[RG_SHA1_HEX + 24];
	char path[4096], tmp[4096];
	struct stat st;
	struct file **fs;
	size_t nf = 0, kept = 1;

	if (len < 8)
		return;
	rg_sha1_hex(name, strlen(name), hex);
	/* the entry ends in its checksum (rcache.h): it names the bytes */
	rg_hex((const uint8_t *)data + len - 8, 8, sum);
	sum[16] = '\0';
	snprintf(fname, sizeof(fname), "%s-%s.rce", hex, sum);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", s->dir, fname) >=
		sizeof(path) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/.tmp-%ld-%u", s->dir,
			     (long)getpid(), s->seq++) >= sizeof(tmp))
		return;
	if (mkdir(s->dir, 0700) < 0 && errno != EEXIST)
		return;
	if (write_file(s->dir, tmp, path, data, len) < 0 ||
	    stat(path, &st) < 0)
		return;
	/* keep the newest few of this name: older ones rarely hit again */
	fs = of_name(s, name, &nf);
	for (size_t i = 0; i < nf; i++) {
		if (!strcmp(fs[i]->name, fname)) {
			/* the same bytes again: replaced by the record below */
			fs[i]->gone = true;
			s->bytes -= (size_t)fs[i]->size;
		} else if (kept++ >= RG_RCSTORE_KEEP) {
			drop(s, fs[i]);
		}
	}
	add_file(s, fname, &st);
}

void rg_rcstore_attach(struct rg_rcstore *s, struct rg_rcache *c)
{
	struct rg_rcache_store st = {s, load, save};

	rg_rcache_set_store(c, s ? &st : NULL);
}

void rg_rcstore_prune(struct rg_rcstore *s)
{
	struct file **all;
	size_t n = 0, live = 0;

	if (!s || !s->listed)
		return;
	for (size_t i = 0; i < s->nfiles; i++)
		live += !s->files[i].gone;
	if (live <= RG_CAP_RCSTORE_FILES && s->bytes <= RG_CAP_RCSTORE_BYTES)
		return;
	all = rg_arena_calloc(s->arena, s->nfiles + 1, sizeof(*all));
	for (size_t i = 0; i < s->nfiles; i++)
		if (!s->files[i].gone)
			all[n++] = &s->files[i];
	qsort(all, n, sizeof(*all), newer_first);
	/* down to 90% of the caps, oldest first */
	while (n && (live > RG_CAP_RCSTORE_FILES / 10 * 9 ||
		     s->bytes > RG_CAP_RCSTORE_BYTES / 10 * 9)) {
		drop(s, all[--n]);
		live--;
	}
}

const char *rg_rcstore_binary_id(struct rg_arena *a)
{
	struct stat st;
	char pcre[64] = "";

	if (stat("/proc/self/exe", &st) < 0)
		return NULL;
	if (pcre2_config(PCRE2_CONFIG_VERSION, pcre) < 0)
		pcre[0] = '\0';
	return rg_arena_printf(
	    a, "exe %llu:%llu:%lld:%lld.%09ld yaml %s pcre2 %s zlib %s",
	    (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
	    (long long)st.st_size, (long long)st.st_mtim.tv_sec,
	    (long)st.st_mtim.tv_nsec, yaml_get_version_string(), pcre,
	    zlibVersion());
}
