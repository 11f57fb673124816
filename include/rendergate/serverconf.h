/*
 * serverconf.h - finding, checking and loading the server config file.
 *
 * The file is chosen in this order: an explicit path (--config FILE),
 * $RENDERGATE_CONFIG, then /etc/rendergate/config.yaml. An explicit or
 * environment path that does not exist is an error; a missing default
 * file means "no server config" and the defaults of config.h apply
 * (mode enforce, no forge).
 *
 * Because the server config decides whether pushes are gated at all, a
 * config file that someone other than its owner could change is refused:
 * it must be a regular file, not writable by group or others, at most
 * RG_CAP_CONFIG_BYTES. The forge token file named in it must be a
 * regular file with no permissions for group or others (0600 or 0400).
 * Parsing is config.h's rg_config_server_parse; every problem goes into
 * errs as "file:line:col: message".
 */
#ifndef RENDERGATE_SERVERCONF_H
#define RENDERGATE_SERVERCONF_H

#include "rendergate/compat.h"
#include "rendergate/err.h"

struct rg_arena;
struct rg_config_server;

#define RG_SERVERCONF_DEFAULT_PATH "/etc/rendergate/config.yaml"

/*
 * Load the server config. path may be NULL (see above for the order).
 * Returns 0 with *out set (defaults when there is no file), or
 * RG_ENOTFOUND / RG_EUNSAFE / RG_EIO / RG_ELIMIT for the file, or the
 * parser's code, with the problems in errs.
 */
int rg_serverconf_load(struct rg_config_server **out, struct rg_arena *a,
		       const char *path, struct rg_errlist *errs);

/*
 * Read a whole file of at most max bytes into the arena (NUL-terminated;
 * *len excludes the NUL). With secret set, the file must not be readable
 * or writable by group or others; otherwise it must not be writable by
 * them. Errors: RG_ENOTFOUND, RG_EUNSAFE (mode, not a regular file),
 * RG_ELIMIT (the message names RG_CAP_TOKEN_BYTES for a secret,
 * RG_CAP_CONFIG_BYTES otherwise: pass the matching cap as max), RG_EIO.
 */
int rg_serverconf_read_file(const char **data, size_t *len, struct rg_arena *a,
			    const char *path, size_t max, bool secret,
			    struct rg_err *err);

#endif
