/*
 * chartcache.h - the chart cache on disk: `rendergate chart-cache` fills
 * it, the hook opens it read-only as a tree view for the Helm renderer.
 * The layout (CACHE/<repo key>/<name>/<version>.tgz or <version>/) is
 * described in helm.h next to rg_helm_cache_load, and in
 * rendergate-config(5) under chart_cache_dir.
 *
 *   rendergate chart-cache [--dir DIR] [--config FILE]
 *       add REPO_URL NAME VERSION FILE.tgz
 *
 * `add` reads FILE.tgz (a chart packaged by `helm package` or downloaded
 * from the repository), loads it as a chart with the bounded archive
 * reader (so a broken or hostile archive is refused before it reaches
 * the cache), checks that its Chart.yaml name and version are NAME and
 * VERSION, and writes it to CACHE/<repo key>/NAME/VERSION.tgz through a
 * temporary file and rename(2), creating directories with mode 0755 and
 * the file 0644. Adding the same bytes again is a no-op; different bytes
 * for a version already cached are refused (chart versions are
 * immutable). DIR defaults to chart_cache_dir of the server config
 * (--config, $RENDERGATE_CONFIG, /etc/rendergate/config.yaml). Exit
 * status: 0 added, 1 refused or failed, 2 usage error.
 */
#ifndef RENDERGATE_CHARTCACHE_H
#define RENDERGATE_CHARTCACHE_H

#include "rendergate/err.h"

struct rg_arena;
struct rg_tree;

/* argv[0] is "chart-cache"; returns the exit status. */
int rg_cmd_chart_cache(int argc, char **argv);

/*
 * A read-only tree view of the cache directory dir (symlinks never
 * followed, as dirtree.h), or NULL when dir is NULL (no cache
 * configured). A dir that is not a directory is an error (NULL with err
 * set). The view holds no descriptor or heap memory: it lives in arena a
 * and needs no rg_tree_free.
 */
struct rg_tree *rg_chartcache_open(struct rg_arena *a, const char *dir,
				   struct rg_err *err);

#endif
