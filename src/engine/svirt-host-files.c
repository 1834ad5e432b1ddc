#include "config.h"

#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <linux/loop.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "svirt-host-files.h"
#include "svirt-journal.h"

/* What a VM must never write: the Xen lesson is that a VM allowed to write one host file owns
 * the host. docs/labelling-rules.md shows this table; keep the two in step. */
static const SvirtHostPlace host_places[] = {
    { "/etc", NULL, N_("the host's configuration"), FALSE, FALSE },
    { "/usr", NULL, N_("the host's programs and libraries"), FALSE, FALSE },
    { "/boot", NULL, N_("the host's kernels and boot loader"), FALSE, FALSE },
    { "/bin", NULL, N_("the host's programs and libraries"), FALSE, FALSE },
    { "/sbin", NULL, N_("the host's programs and libraries"), FALSE, FALSE },
    { "/lib", NULL, N_("the host's programs and libraries"), FALSE, FALSE },
    { "/lib32", NULL, N_("the host's programs and libraries"), FALSE, FALSE },
    { "/lib64", NULL, N_("the host's programs and libraries"), FALSE, FALSE },
    { "/libx32", NULL, N_("the host's programs and libraries"), FALSE, FALSE },
    { "/root", NULL, N_("the administrator's home directory"), FALSE, FALSE },
    { "/proc", NULL, N_("the kernel's view of the running host"), FALSE, FALSE },
    { "/sys", NULL, N_("the kernel's view of the running host"), FALSE, FALSE },
    { "/dev", NULL, N_("the host's devices; only a block device assigned to the VM is given"),
      FALSE, FALSE },
    { "/var/lib/selinux", NULL, N_("the host's SELinux policy"), FALSE, FALSE },
    { "/var/lib/svirt-manager", NULL, N_("the labelling journal of sVirt Manager"), FALSE,
      FALSE },
    { "/var/lib", "/var/lib/libvirt",
      N_("the state of the host's services; VM images belong in /var/lib/libvirt"), TRUE,
      FALSE },
    { "/var/spool", NULL, N_("work queued by the host's services: cron jobs, mail, printing"),
      TRUE, FALSE },
    { "/var/log", "/var/log/libvirt", N_("the host's logs"), TRUE, FALSE },
    { "/var/cache", NULL, N_("the caches of the host's services"), TRUE, FALSE },
    { "/var/mail", NULL, N_("the users' mail"), TRUE, FALSE },
    { "/var/backups", NULL, N_("the host's backups of its own files"), TRUE, FALSE },
    { "/run", "/run/libvirt", N_("the sockets, locks and process IDs of running services"),
      TRUE, FALSE },
    { "/", NULL, N_("only the host's own files, such as a swap file, belong in the top "
                    "directory"),
      TRUE, TRUE },
};

/* Wherever the journal is configured to be: a VM that writes it decides what is restored. */
static const SvirtHostPlace state_place = {
    NULL, NULL, N_("the labelling journal of sVirt Manager"), FALSE, FALSE,
};

const SvirtHostPlace *
svirt_host_places(gsize *n_places)
{
    *n_places = G_N_ELEMENTS(host_places);
    return host_places;
}

/* The part of @path below @dir ("" for @dir itself, all of @path for "/"); NULL when @path is
 * not @dir or below it. */
static const char *
path_below(const char *path, const char *dir)
{
    gsize len = strlen(dir);

    if (g_str_equal(dir, "/"))
        return path;
    if (strncmp(path, dir, len) != 0 || (path[len] != '\0' && path[len] != '/'))
        return NULL;
    return path + len;
}

static gboolean
row_holds(const SvirtHostPlace *row, const char *path, gboolean block)
{
    const char *rest = path_below(path, row->place);

    if (rest == NULL || (row->except && path_below(path, row->except)))
        return FALSE;
    if (row->top_only) {
        /* Directly in the place: one more component, without another slash. */
        if (g_str_equal(path, row->place) || *rest != '/')
            return FALSE;
        return rest[1] != '\0' && strchr(rest + 1, '/') == NULL;
    }
    return !(block && g_str_equal(row->place, "/dev"));
}

char *
svirt_host_resolve_state_dir(void)
{
    g_autofree char *state = svirt_journal_default_dir();
    char *real_state = realpath(state, NULL);
    char *copy = g_strdup(real_state);

    free(real_state);
    return copy;
}

const SvirtHostPlace *
svirt_host_place_of_with_state(const char *path, gboolean block, const char *real_state,
                               char **place)
{
    *place = NULL;
    if (real_state && path_below(path, real_state)) {
        *place = svirt_journal_default_dir();
        return &state_place;
    }
    for (gsize i = 0; i < G_N_ELEMENTS(host_places); i++) {
        if (row_holds(&host_places[i], path, block)) {
            *place = g_strdup(host_places[i].place);
            return &host_places[i];
        }
    }
    return NULL;
}

const SvirtHostPlace *
svirt_host_place_of(const char *path, gboolean block, char **place)
{
    g_autofree char *real_state = svirt_host_resolve_state_dir();

    return svirt_host_place_of_with_state(path, block, real_state, place);
}

typedef struct {
    char *id;
    char *dev;  /* major:minor of the filesystem */
    char *root; /* the directory of the filesystem mounted there */
    char *mount_point;
} Mount;

static void
mount_free(Mount *mount)
{
    g_free(mount->id);
    g_free(mount->dev);
    g_free(mount->root);
    g_free(mount->mount_point);
    g_free(mount);
}

static GPtrArray *
read_mounts(void)
{
    g_autoptr(GPtrArray) mounts = g_ptr_array_new_with_free_func((GDestroyNotify)mount_free);
    g_autofree char *info = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents("/proc/self/mountinfo", &info, NULL, NULL))
        return g_steal_pointer(&mounts);
    lines = g_strsplit(info, "\n", -1);
    for (guint i = 0; lines[i]; i++) {
        g_auto(GStrv) fields = g_strsplit(lines[i], " ", 6);
        Mount *mount;

        if (g_strv_length(fields) < 5)
            continue;
        mount = g_new0(Mount, 1);
        mount->id = g_strdup(fields[0]);
        mount->dev = g_strdup(fields[2]);
        /* The kernel writes a space, tab, newline or backslash in a path as \ and 3 octal
         * digits. */
        mount->root = g_strcompress(fields[3]);
        mount->mount_point = g_strcompress(fields[4]);
        g_ptr_array_add(mounts, mount);
    }
    return g_steal_pointer(&mounts);
}

/* The ID of the mount the descriptor is on, as /proc/self/fdinfo gives it. */
static char *
mount_id_of(int fd)
{
    g_autofree char *file = g_strdup_printf("/proc/self/fdinfo/%d", fd);
    g_autofree char *info = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents(file, &info, NULL, NULL))
        return NULL;
    lines = g_strsplit(info, "\n", -1);
    for (guint i = 0; lines[i]; i++) {
        if (g_str_has_prefix(lines[i], "mnt_id:"))
            return g_strstrip(g_strdup(lines[i] + strlen("mnt_id:")));
    }
    return NULL;
}

static char *
join_path(const char *dir, const char *rest)
{
    if (*rest == '\0')
        return g_strdup(dir);
    if (g_str_equal(dir, "/"))
        return g_strdup(rest);
    return g_strconcat(dir, rest, NULL);
}

/* Where the object is inside its filesystem: @path below the mount point, under the
 * mount's root. */
static char *
path_in_filesystem(const Mount *mount, const char *path)
{
    const char *rest = path_below(path, mount->mount_point);

    return rest ? join_path(mount->root, rest) : NULL;
}

GPtrArray *
svirt_host_aliases(int fd, const char *path)
{
    g_autoptr(GPtrArray) aliases = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) mounts = read_mounts();
    g_autofree char *id = mount_id_of(fd);
    g_autofree char *inside = NULL;
    const Mount *own = NULL;

    for (guint i = 0; id && i < mounts->len && !own; i++) {
        const Mount *mount = g_ptr_array_index(mounts, i);

        if (g_str_equal(mount->id, id))
            own = mount;
    }
    if (!own || !(inside = path_in_filesystem(own, path)))
        return g_steal_pointer(&aliases);
    for (guint i = 0; i < mounts->len; i++) {
        const Mount *mount = g_ptr_array_index(mounts, i);
        const char *rest;
        g_autofree char *name = NULL;

        if (!g_str_equal(mount->dev, own->dev) || !(rest = path_below(inside, mount->root)))
            continue;
        name = join_path(mount->mount_point, rest);
        if (!g_str_equal(name, path) &&
            !g_ptr_array_find_with_equal_func(aliases, name, g_str_equal, NULL))
            g_ptr_array_add(aliases, g_steal_pointer(&name));
    }
    return g_steal_pointer(&aliases);
}

static gboolean
same_swap(const char *name, const struct stat *st)
{
    struct stat swap;

    if (stat(name, &swap) < 0)
        return FALSE;
    if (S_ISBLK(st->st_mode))
        return S_ISBLK(swap.st_mode) && swap.st_rdev == st->st_rdev;
    return S_ISREG(swap.st_mode) && swap.st_dev == st->st_dev && swap.st_ino == st->st_ino;
}

gboolean
svirt_host_is_swap(const struct stat *st, const char *swaps_file)
{
    g_autofree char *swaps = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents(swaps_file ? swaps_file : "/proc/swaps", &swaps, NULL, NULL))
        return FALSE;
    lines = g_strsplit(swaps, "\n", -1);
    /* The first line names the columns. */
    for (guint i = 1; lines[i]; i++) {
        g_auto(GStrv) fields = g_strsplit_set(lines[i], " \t", 2);
        g_autofree char *name = NULL;

        if (!fields[0] || !*fields[0])
            continue;
        name = g_strcompress(fields[0]);
        if (same_swap(name, st))
            return TRUE;
    }
    return FALSE;
}

/* Whether the loop device @name is backed by the file @st describes. */
static gboolean
loop_backed_by(const char *name, const struct stat *st)
{
    g_autofree char *dev = g_build_filename("/dev", name, NULL);
    g_autofree char *file = g_strdup_printf("/sys/block/%s/loop/backing_file", name);
    g_autofree char *backing = NULL;
    struct loop_info64 info;
    struct stat bst;
    int fd = open(dev, O_RDONLY | O_CLOEXEC);

    if (fd >= 0) {
        int rc = ioctl(fd, LOOP_GET_STATUS64, &info);

        close(fd);
        if (rc == 0)
            return info.lo_device == (guint64)st->st_dev && info.lo_inode == (guint64)st->st_ino;
    }
    /* Without the device (no privilege, or another mount namespace) the name must do. */
    if (!g_file_get_contents(file, &backing, NULL, NULL))
        return FALSE;
    g_strchomp(backing);
    return stat(backing, &bst) == 0 && bst.st_dev == st->st_dev && bst.st_ino == st->st_ino;
}

char *
svirt_host_loop_device_of(const struct stat *st)
{
    g_autoptr(GDir) dir = g_dir_open("/sys/block", 0, NULL);
    const char *name;

    if (!S_ISREG(st->st_mode))
        return NULL;
    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *attached = NULL;

        if (!g_str_has_prefix(name, "loop"))
            continue;
        attached = g_strdup_printf("/sys/block/%s/loop", name);
        if (g_file_test(attached, G_FILE_TEST_IS_DIR) && loop_backed_by(name, st))
            return g_strdup(name);
    }
    return NULL;
}
