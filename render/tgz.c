/*
 * tgz.c - bounded gzip + tar reader (tgz.h).
 *
 * The gzip stream is inflated into one capped buffer first (the budget
 * and the ratio check stop a bomb early), then the tar blocks are walked
 * with bounds checks on every field.
 */
#include "rendergate/compat.h"

#include <zlib.h>

#include "rendergate/arena.h"
#include "rendergate/buf.h"
#include "rendergate/caps.h"
#include "rendergate/tgz.h"

#define BLOCK 512

/* --- gzip ------------------------------------------------------------ */

static int inflate_all(struct rg_buf *out, const char *label,
		       const unsigned char *in, size_t len, size_t budget,
		       struct rg_err *err)
{
	z_stream zs;
	unsigned char chunk[65536];
	size_t off = 0;
	int zrc = Z_OK, error = 0;
	bool init = false;

	memset(&zs, 0, sizeof(zs));
	if (len < 2 || in[0] != 0x1f || in[1] != 0x8b) {
		error = rg_err_set(err, RG_EPARSE, NULL,
				   "%snot a gzip archive (file does not "
				   "start with the gzip magic bytes)",
				   label);
		goto out;
	}
	/* gzip members one after the other, as Go's multistream reader */
	while (off < len) {
		if (!init) {
			if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
				RG_BUG("inflateInit2 failed");
			init = true;
		} else if (inflateReset(&zs) != Z_OK) {
			RG_BUG("inflateReset failed");
		}
		if (len - off < 2 || in[off] != 0x1f || in[off + 1] != 0x8b) {
			error = rg_err_set(err, RG_EPARSE, NULL,
					   "%sgzip: invalid header at byte "
					   "%zu",
					   label, off);
			goto out;
		}
		zs.next_in = (unsigned char *)(uintptr_t)(in + off);
		zs.avail_in = (uInt)(len - off > UINT_MAX ? UINT_MAX
							  : len - off);
		do {
			size_t got;

			zs.next_out = chunk;
			zs.avail_out = sizeof(chunk);
			zrc = inflate(&zs, Z_NO_FLUSH);
			if (zrc != Z_OK && zrc != Z_STREAM_END) {
				error = rg_err_set(err, RG_EPARSE, NULL,
						   "%sgzip: %s", label,
						   zrc == Z_BUF_ERROR
							   ? "unexpected end "
							     "of data"
						   : zs.msg ? zs.msg
							    : "corrupt data");
				goto out;
			}
			got = sizeof(chunk) - zs.avail_out;
			if (out->len + got > budget) {
				error = rg_err_set(err, RG_ELIMIT, NULL,
						   "%suncompressed archive "
						   "larger than %u bytes "
						   "(RG_CAP_TGZ_BYTES)",
						   label, RG_CAP_TGZ_BYTES);
				goto out;
			}
			if (rg_buf_add(out, chunk, got) < 0)
				RG_BUG("archive buffer cap below budget");
			if (out->len > RG_CAP_TGZ_RATIO_FLOOR &&
			    out->len / RG_CAP_TGZ_RATIO >
				    off + (size_t)(zs.next_in - (in + off))) {
				error = rg_err_set(err, RG_ELIMIT, NULL,
						   "%sexpands more than "
						   "%u times (RG_CAP_TGZ_RATIO)",
						   label, RG_CAP_TGZ_RATIO);
				goto out;
			}
		} while (zrc != Z_STREAM_END);
		off = (size_t)(zs.next_in - in);
	}
out:
	if (init)
		inflateEnd(&zs);
	return error;
}

/* --- tar ------------------------------------------------------------- */

static bool zero_block(const unsigned char *b)
{
	for (size_t i = 0; i < BLOCK; i++)
		if (b[i])
			return false;
	return true;
}

/* Octal (NUL/space padded) or GNU base-256 number; false if malformed. */
static bool tar_number(uint64_t *out, const unsigned char *f, size_t n)
{
	uint64_t v = 0;
	size_t i = 0;

	if (n && (f[0] & 0x80)) {
		/* base-256: big-endian, first byte's high bit is the flag;
		   negative numbers (0xff) are refused */
		if (f[0] & 0x40)
			return false;
		v = f[0] & 0x3f;
		for (i = 1; i < n; i++) {
			if (v > (UINT64_MAX >> 8))
				return false;
			v = (v << 8) | f[i];
		}
		*out = v;
		return true;
	}
	while (i < n && (f[i] == ' ' || f[i] == '\0'))
		i++;
	if (i == n) {
		*out = 0;
		return true;
	}
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v > (UINT64_MAX >> 3))
			return false;
		v = (v << 3) | (uint64_t)(f[i] - '0');
	}
	for (; i < n; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return false;
	*out = v;
	return true;
}

static bool checksum_ok(const unsigned char *h)
{
	uint64_t want = 0;
	uint64_t us = 0;
	int64_t ss = 0;

	if (!tar_number(&want, h + 148, 8))
		return false;
	for (size_t i = 0; i < BLOCK; i++) {
		unsigned char c = (i >= 148 && i < 156) ? ' ' : h[i];

		us += c;
		ss += (signed char)c;
	}
	return want == us || (int64_t)want == ss;
}

/* A header string field: up to n bytes, stopping at NUL. */
static size_t field_len(const unsigned char *f, size_t n)
{
	const void *z = memchr(f, 0, n);

	return z ? (size_t)((const unsigned char *)z - f) : n;
}

struct pending {
	const char *name; /* from pax path or GNU 'L', or NULL */
	size_t name_len;
	bool has_size;
	uint64_t size;
};

/* pax records "LEN key=value\n": path and size are used. */
static int parse_pax(struct pending *p, struct rg_arena *a, const char *label,
		     const unsigned char *d, size_t n, struct rg_err *err)
{
	size_t i = 0;

	while (i < n) {
		size_t rl = 0, j = i, k;

		while (j < n && d[j] >= '0' && d[j] <= '9' && rl < n + 1) {
			rl = rl * 10 + (size_t)(d[j] - '0');
			j++;
		}
		if (j == i || j >= n || d[j] != ' ' || rl <= j - i ||
		    rl > n - i || d[i + rl - 1] != '\n')
			return rg_err_set(err, RG_EPARSE, NULL,
					  "%smalformed pax extended header",
					  label);
		j++;
		k = j;
		while (k < i + rl - 1 && d[k] != '=')
			k++;
		if (k >= i + rl - 1)
			return rg_err_set(err, RG_EPARSE, NULL,
					  "%smalformed pax record", label);
		if (k - j == 4 && !memcmp(d + j, "path", 4)) {
			p->name = rg_arena_strndup(a, (const char *)d + k + 1,
						   i + rl - 1 - (k + 1));
			p->name_len = i + rl - 1 - (k + 1);
		} else if (k - j == 4 && !memcmp(d + j, "size", 4)) {
			uint64_t v = 0;
			size_t q = k + 1, e = i + rl - 1;

			if (q == e)
				return rg_err_set(err, RG_EPARSE, NULL,
						  "%sbad pax size", label);
			for (; q < e; q++) {
				if (d[q] < '0' || d[q] > '9' ||
				    v > UINT64_MAX / 10 - 1)
					return rg_err_set(err, RG_EPARSE, NULL,
							  "%sbad pax size",
							  label);
				v = v * 10 + (uint64_t)(d[q] - '0');
			}
			p->has_size = true;
			p->size = v;
		}
		i += rl;
	}
	return 0;
}

/*
 * Clean an entry name (after the top directory): '\' read as '/', empty
 * and "." components dropped; ".." refused. *out is "" for the top
 * directory itself.
 */
static int clean_name(char **out, char **top, struct rg_arena *a,
		      const char *label, const char *name, size_t n,
		      struct rg_err *err)
{
	char *s = rg_arena_strndup(a, name, n);
	char *res = rg_arena_alloc(a, n + 1);
	size_t rl = 0, comp = 0;
	char *p = s;

	if (memchr(name, '\0', n) || n == 0)
		return rg_err_set(err, RG_EUNSAFE, NULL,
				  "%sentry with an empty name or a NUL "
				  "byte in its name",
				  label);
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return rg_err_set(err, RG_EUNSAFE, NULL,
					  "%sentry %s: control character in "
					  "its name",
					  label, rg_arena_strndup(a, s, i));
		if (s[i] == '\\')
			s[i] = '/';
	}
	if (s[0] == '/')
		return rg_err_set(err, RG_EUNSAFE, NULL,
				  "%schart illegally contains absolute "
				  "paths: entry %s",
				  label, s);
	if (n >= 2 && s[1] == ':')
		return rg_err_set(err, RG_EUNSAFE, NULL,
				  "%schart contains illegally named "
				  "files: entry %s",
				  label, s);
	*top = NULL;
	while (*p) {
		char *e = strchr(p, '/');
		size_t cl = e ? (size_t)(e - p) : strlen(p);

		if (cl == 2 && p[0] == '.' && p[1] == '.')
			return rg_err_set(err, RG_EUNSAFE, NULL,
					  "%schart illegally references parent "
					  "directory: entry %s",
					  label, s);
		if (cl && !(cl == 1 && p[0] == '.')) {
			if (comp == 0) {
				*top = rg_arena_strndup(a, p, cl);
			} else {
				if (rl)
					res[rl++] = '/';
				memcpy(res + rl, p, cl);
				rl += cl;
			}
			comp++;
		}
		p += cl + (e ? 1 : 0);
	}
	res[rl] = '\0';
	*out = res;
	return 0;
}

static int entry_cmp(const void *x, const void *y)
{
	const struct rg_tgz_entry *a = x, *b = y;

	return strcmp(a->name, b->name);
}

static const char *type_name(unsigned char t)
{
	switch (t) {
	case '1': return "a hard link";
	case '2': return "a symbolic link";
	case '3': return "a character device";
	case '4': return "a block device";
	case '6': return "a FIFO";
	case 'S': return "a sparse file";
	default: return "an unsupported entry type";
	}
}

static int parse_tar(struct rg_tgz *out, struct rg_arena *a, const char *label,
		     const unsigned char *t, size_t len, struct rg_err *err)
{
	struct rg_tgz_entry *items = NULL;
	size_t n = 0, alloc = 0, off = 0, headers = 0;
	struct pending pend;
	int error = 0;

	memset(&pend, 0, sizeof(pend));
	out->top = NULL;
	while (off < len) {
		const unsigned char *h = t + off;
		uint64_t size = 0;
		size_t nl, pl, dlen;
		const char *raw;
		char *name = NULL, *top = NULL;
		unsigned char type;

		if (len - off < BLOCK) {
			error = rg_err_set(err, RG_EPARSE, NULL,
					   "%star: truncated header at byte "
					   "%zu",
					   label, off);
			goto out;
		}
		if (zero_block(h)) {
			/* end of archive: two zero blocks (Go accepts a
			   stream ending right after the first one) */
			if (len - off >= 2 * BLOCK && !zero_block(h + BLOCK)) {
				error = rg_err_set(err, RG_EPARSE, NULL,
						   "%star: invalid header "
						   "after a zero block at byte "
						   "%zu",
						   label, off);
				goto out;
			}
			break;
		}
		if (++headers > RG_CAP_TGZ_ENTRIES) {
			error = rg_err_set(err, RG_ELIMIT, NULL,
					   "%smore than %u entries "
					   "(RG_CAP_TGZ_ENTRIES)",
					   label, RG_CAP_TGZ_ENTRIES);
			goto out;
		}
		if (!checksum_ok(h)) {
			error = rg_err_set(err, RG_EPARSE, NULL,
					   "%star: header checksum mismatch "
					   "at byte %zu",
					   label, off);
			goto out;
		}
		type = h[156];
		if (!tar_number(&size, h + 124, 12)) {
			error = rg_err_set(err, RG_EPARSE, NULL,
					   "%star: invalid size field at "
					   "byte %zu",
					   label, off);
			goto out;
		}
		if (pend.has_size && type != 'x' && type != 'g' &&
		    type != 'L' && type != 'K')
			size = pend.size;
		off += BLOCK;
		if (size > len - off) {
			error = rg_err_set(err, RG_EPARSE, NULL,
					   "%star: archive ends inside an "
					   "entry (%llu bytes announced at "
					   "byte %zu)",
					   label, (unsigned long long)size,
					   off - BLOCK);
			goto out;
		}
		dlen = (size_t)size;
		if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
			if (dlen > RG_CAP_TGZ_HEADER_BYTES) {
				error = rg_err_set(err, RG_ELIMIT, NULL,
						   "%sextended header of %zu "
						   "bytes at byte %zu "
						   "(RG_CAP_TGZ_HEADER_BYTES "
						   "is %u)",
						   label, dlen, off - BLOCK,
						   RG_CAP_TGZ_HEADER_BYTES);
				goto out;
			}
			if (type == 'x') {
				error = parse_pax(&pend, a, label, t + off,
						  dlen, err);
				if (error < 0)
					goto out;
			} else if (type == 'L') {
				size_t l = field_len(t + off, dlen);

				pend.name = rg_arena_strndup(
					a, (const char *)t + off, l);
				pend.name_len = l;
			}
			off += (dlen + BLOCK - 1) / BLOCK * BLOCK;
			continue;
		}
		/* the name: pax/GNU long name, else ustar prefix + name */
		if (pend.name) {
			raw = pend.name;
			nl = pend.name_len;
		} else {
			char *full;

			nl = field_len(h, 100);
			pl = !memcmp(h + 257, "ustar\0", 6) ? field_len(h + 345,
									155)
							     : 0;
			full = rg_arena_alloc(a, pl + nl + 2);
			if (pl) {
				memcpy(full, h + 345, pl);
				full[pl] = '/';
				memcpy(full + pl + 1, h, nl);
				nl += pl + 1;
			} else {
				memcpy(full, h, nl);
			}
			full[nl] = '\0';
			raw = full;
		}
		memset(&pend, 0, sizeof(pend));
		if (nl > RG_CAP_TGZ_PATH_BYTES) {
			error = rg_err_set(err, RG_ELIMIT, NULL,
					   "%sentry name of %zu bytes "
					   "(RG_CAP_TGZ_PATH_BYTES is %u)",
					   label, nl, RG_CAP_TGZ_PATH_BYTES);
			goto out;
		}
		off += (dlen + BLOCK - 1) / BLOCK * BLOCK;
		if (off > len)
			off = len;
		if (type == '5' || type == 'D')
			continue; /* directories */
		if (type != '0' && type != '\0' && type != '7') {
			error = rg_err_set(err, RG_EUNSAFE, NULL,
					   "%sentry %.*s is %s; charts may "
					   "only hold regular files",
					   label, (int)nl, raw,
					   type_name(type));
			goto out;
		}
		if (nl && raw[nl - 1] == '/')
			continue; /* old tar: a directory as a '0' entry */
		error = clean_name(&name, &top, a, label, raw, nl, err);
		if (error < 0)
			goto out;
		if (!*name) {
			error = rg_err_set(err, RG_EUNSAFE, NULL,
					   "%s%s: entry %.*s", label,
					   top && !strcmp(top, "Chart.yaml")
						   ? "chart yaml not in base "
						     "directory"
						   : "chart illegally contains "
						     "content outside the base "
						     "directory",
					   (int)nl, raw);
			goto out;
		}
		if (dlen > RG_CAP_TGZ_ENTRY_BYTES) {
			error = rg_err_set(err, RG_ELIMIT, NULL,
					   "%sentry %s is %zu bytes "
					   "(RG_CAP_TGZ_ENTRY_BYTES is %u)",
					   label, name, dlen,
					   RG_CAP_TGZ_ENTRY_BYTES);
			goto out;
		}
		if (!out->top)
			out->top = top;
		{
			const unsigned char *d = h + BLOCK;

			if (dlen >= 3 && !memcmp(d, "\xef\xbb\xbf", 3)) {
				d += 3;
				dlen -= 3;
			}
			RG_ALLOC_GROW(items, n + 1, alloc);
			items[n].name = name;
			items[n].data = rg_arena_strndup(a, (const char *)d,
							 dlen);
			items[n].len = dlen;
			n++;
		}
	}
	if (pend.name || pend.has_size) {
		error = rg_err_set(err, RG_EPARSE, NULL,
				   "%star: extended header without an entry "
				   "after it",
				   label);
		goto out;
	}
	if (!n) {
		error = rg_err_set(err, RG_EINVALID, NULL,
				   "%sno files in chart archive", label);
		goto out;
	}
	qsort(items, n, sizeof(*items), entry_cmp);
	for (size_t i = 1; i < n; i++)
		if (!strcmp(items[i - 1].name, items[i].name)) {
			error = rg_err_set(err, RG_EUNSAFE, NULL,
					   "%sentry %s appears twice", label,
					   items[i].name);
			goto out;
		}
	out->items = rg_arena_calloc(a, n, sizeof(*out->items));
	memcpy(out->items, items, n * sizeof(*items));
	out->len = n;
out:
	free(items);
	return error;
}

int rg_tgz_read(struct rg_tgz *out, struct rg_arena *a, const char *label,
		const void *data, size_t len, size_t *budget,
		struct rg_err *err)
{
	size_t fresh = RG_CAP_TGZ_BYTES;
	size_t *b = budget ? budget : &fresh;
	struct rg_buf tar = RG_BUF_INIT(RG_CAP_TGZ_BYTES);
	int error;

	memset(out, 0, sizeof(*out));
	/* every message starts with this prefix */
	label = label && *label ? rg_arena_printf(a, "%s: ", label) : "";
	error = inflate_all(&tar, label, data, len, *b, err);
	if (error < 0)
		goto out;
	*b -= tar.len;
	error = parse_tar(out, a, label, (const unsigned char *)tar.ptr,
			  tar.len, err);
out:
	rg_buf_release(&tar);
	return error;
}
