#pragma once

#include <glib.h>
#include <sys/stat.h>

G_BEGIN_DECLS

/* One row of the table of places that belong to the host: no file there is given to a VM. */
typedef struct {
    const char *place;     /* an absolute directory; NULL for the engine's state directory */
    const char *except;    /* a directory under @place that VMs may use; NULL for none */
    const char *reason;    /* what the host keeps there (untranslated; show it with _()) */
    gboolean overridable;  /* an administrator may allow one disk of one VM a file here */
    gboolean top_only;     /* only files directly in @place, not in its subdirectories */
} SvirtHostPlace;

/* The table, in the order it is searched (the first row that holds a path decides). Besides
 * these rows, the engine's own state directory (where its journal lives) is always refused. */
const SvirtHostPlace *svirt_host_places(gsize *n_places);

/* The row of the table (or the engine's state directory's) that holds @path, an absolute path
 * without symlinks, and in @place the directory it names; NULL when no row does. A block
 * device under /dev is the one object that row lets through, when @block. */
const SvirtHostPlace *svirt_host_place_of(const char *path, gboolean block, char **place);
/* The same with the engine's state directory resolved once by the caller
 * (svirt_host_resolve_state_dir(), NULL when it does not exist), for checking many paths. */
const SvirtHostPlace *svirt_host_place_of_with_state(const char *path, gboolean block,
                                                     const char *real_state, char **place);
char *svirt_host_resolve_state_dir(void);

/* The other names (of char *) of the object open at @fd, which @path, its resolved path, leads
 * to: one for each mount of its filesystem, a bind mount included, whose root holds the
 * object. Read from /proc/self/mountinfo for the mount @fd is on, so what counts is the
 * object, not the text of @path. Empty when the mount table cannot be read. */
GPtrArray *svirt_host_aliases(int fd, const char *path);

/* Whether the object @st describes is an active swap area of the host (a file compared by
 * device and inode, a partition by device number), per @swaps_file (NULL: /proc/swaps). */
gboolean svirt_host_is_swap(const struct stat *st, const char *swaps_file);

/* The loop device (e.g. "loop0") whose backing file is the regular file @st describes,
 * compared by device and inode; NULL when no attached loop device uses it. */
char *svirt_host_loop_device_of(const struct stat *st);

G_END_DECLS
