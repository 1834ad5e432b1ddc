#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_PATH */
#endif
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "svirt-host-files.h"
#include "svirt-labeler.h"

struct _SvirtLabelTarget {
    char *path;
    char *resolved;
    SvirtLabelTargetKind kind;
    int fd;
    struct stat st;
};

const SvirtLabelFor svirt_label_for_new_disk = { NULL, NULL, TRUE };

const char *
svirt_labeler_xattr_name(void)
{
    const char *name = g_getenv("SVIRT_LABEL_XATTR");

    return name && *name ? name : SVIRT_DEFAULT_LABEL_XATTR;
}

/* realpath() with GLib's allocator, so callers free with g_free(). */
char *
svirt_labeler_resolve_path(const char *path)
{
    char *real = realpath(path, NULL);
    char *copy;

    if (!real)
        return NULL;
    copy = g_strdup(real);
    free(real);
    return copy;
}

/* @word as one word of a shell command. */
static char *
shell_word(const char *word)
{
    for (const char *p = word; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("._+:@%-", *p))
            return g_shell_quote(word);
    }
    return *word ? g_strdup(word) : g_shell_quote(word);
}

/* What an administrator who really means it can do about a refusal the per-disk override
 * lifts; @instead says what to do otherwise, as the start of a sentence. */
static char *
override_hint(const SvirtLabelFor *use, const char *instead)
{
    g_autofree char *vm = NULL;

    if (!use || !use->vm || !use->target)
        /* TRANSLATORS: %s says what to do instead, e.g. "Keep VM images in a storage pool" */
        return g_strdup_printf(_("%s; an administrator who really means to give such a file to "
                                 "a VM can allow it for one disk with 'svirtctl set-disk VM "
                                 "TARGET --allow-host-file yes'."),
                               instead);
    vm = shell_word(use->vm);
    /* TRANSLATORS: the first %s says what to do instead, e.g. "Keep VM images in a storage
     * pool" */
    return g_strdup_printf(_("%s, or, if you really mean to give this file to VM '%s', allow it "
                             "for its disk %s with 'svirtctl set-disk %s %s --allow-host-file "
                             "yes'."),
                           instead, use->vm, use->target, vm, use->target);
}

static gboolean
host_file_allowed(const SvirtLabelFor *use)
{
    return use && use->allow_host_file;
}

/* @shown is what the refusal calls the object: its path, or its path and another name. */
static gboolean
check_place(const char *name, const char *shown, SvirtLabelTargetKind kind,
            const SvirtLabelFor *use, GError **error)
{
    g_autofree char *place = NULL;
    g_autofree char *what = NULL;
    g_autofree char *hint = NULL;
    const SvirtHostPlace *row;

    if (g_str_equal(name, "/")) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE,
                    _("Refusing to label the root directory."));
        return FALSE;
    }
    row = svirt_host_place_of(name, kind == SVIRT_LABEL_TARGET_BLOCK, &place);
    if (!row || (row->overridable && host_file_allowed(use)))
        return TRUE;
    if (row->top_only)
        /* TRANSLATORS: the last %s says what the host keeps there */
        what = g_strdup_printf(_("Refusing to label %s: it is directly in %s, which belongs to "
                                 "the host (%s)."),
                               shown, place, _(row->reason));
    else
        /* TRANSLATORS: the last %s says what the host keeps there */
        what = g_strdup_printf(_("Refusing to label %s: it is under %s, which belongs to the "
                                 "host (%s)."),
                               shown, place, _(row->reason));
    hint = row->overridable
               ? override_hint(use, _("Keep VM images in a storage pool such as "
                                      "/var/lib/libvirt/images"))
               : g_strdup(_("Keep VM images in a storage pool such as /var/lib/libvirt/images."));
    g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE, "%s %s", what, hint);
    return FALSE;
}

gboolean
svirt_labeler_check_location_for(const char *resolved, SvirtLabelTargetKind kind,
                                 const SvirtLabelFor *use, GError **error)
{
    return check_place(resolved, resolved, kind, use, error);
}

gboolean
svirt_labeler_check_location(const char *resolved, SvirtLabelTargetKind kind, GError **error)
{
    return check_place(resolved, resolved, kind, NULL, error);
}

static char *
mount_point_of(dev_t dev)
{
    g_autofree char *info = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents("/proc/self/mountinfo", &info, NULL, NULL))
        return NULL;
    lines = g_strsplit(info, "\n", -1);
    for (guint i = 0; lines[i]; i++) {
        g_auto(GStrv) fields = g_strsplit(lines[i], " ", 6);
        unsigned int maj, min;

        if (g_strv_length(fields) < 5 || sscanf(fields[2], "%u:%u", &maj, &min) != 2)
            continue;
        if (makedev(maj, min) == dev)
            return g_strcompress(fields[4]);
    }
    return NULL;
}

static gboolean
check_one_device(dev_t dev, const char *path, const char *what, GError **error)
{
    g_autofree char *mount = mount_point_of(dev);
    g_autofree char *holders = NULL;
    g_autoptr(GDir) dir = NULL;
    const char *holder;

    if (mount) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE,
                    _("Refusing to label %s: %s is mounted at %s. A VM must never write a "
                      "filesystem the host uses; unmount it first."),
                    path, what, mount);
        return FALSE;
    }
    if (svirt_host_is_swap(&(struct stat){ .st_mode = S_IFBLK, .st_rdev = dev }, NULL)) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE,
                    _("Refusing to label %s: %s is the host's swap space."), path, what);
        return FALSE;
    }
    holders = g_strdup_printf("/sys/dev/block/%u:%u/holders", major(dev), minor(dev));
    dir = g_dir_open(holders, 0, NULL);
    if (dir && (holder = g_dir_read_name(dir))) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE,
                    _("Refusing to label %s: %s is in use by the host (%s, for example LVM, "
                      "RAID or encryption)."),
                    path, what, holder);
        return FALSE;
    }
    return TRUE;
}

gboolean
svirt_labeler_check_block_device(dev_t rdev, const char *path, GError **error)
{
    g_autofree char *sys = g_strdup_printf("/sys/dev/block/%u:%u", major(rdev), minor(rdev));
    g_autofree char *real = NULL;
    g_autoptr(GDir) dir = NULL;
    const char *name;

    if (!check_one_device(rdev, path, _("the device"), error))
        return FALSE;

    /* A whole disk is in use by the host when any of its partitions is. */
    real = svirt_labeler_resolve_path(sys);
    dir = real ? g_dir_open(real, 0, NULL) : NULL;
    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *part = g_build_filename(real, name, "partition", NULL);
        g_autofree char *devfile = g_build_filename(real, name, "dev", NULL);
        g_autofree char *devstr = NULL;
        g_autofree char *what = NULL;
        unsigned int maj, min;

        if (!g_file_test(part, G_FILE_TEST_EXISTS) ||
            !g_file_get_contents(devfile, &devstr, NULL, NULL) ||
            sscanf(devstr, "%u:%u", &maj, &min) != 2)
            continue;
        /* TRANSLATORS: %s is a partition name such as sda1 */
        what = g_strdup_printf(_("its partition %s"), name);
        if (!check_one_device(makedev(maj, min), path, what, error))
            return FALSE;
    }
    return TRUE;
}

static int
open_no_symlinks(const char *resolved)
{
#ifdef SYS_openat2
    struct open_how how = {
        .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
        .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
    };
    int fd = syscall(SYS_openat2, AT_FDCWD, resolved, &how, sizeof(how));

    if (fd >= 0 || errno != ENOSYS)
        return fd;
#endif
    return open(resolved, O_PATH | O_NOFOLLOW | O_CLOEXEC);
}

static const char *
kind_noun(SvirtLabelTargetKind kind)
{
    switch (kind) {
    case SVIRT_LABEL_TARGET_BLOCK:
        return _("a block device");
    case SVIRT_LABEL_TARGET_SOCKET:
        return _("a socket or pipe");
    case SVIRT_LABEL_TARGET_DIRECTORY:
        return _("a directory");
    case SVIRT_LABEL_TARGET_FILE:
    default:
        return _("a regular file");
    }
}

static gboolean
type_matches(SvirtLabelTargetKind kind, mode_t mode)
{
    switch (kind) {
    case SVIRT_LABEL_TARGET_FILE:
        return S_ISREG(mode);
    case SVIRT_LABEL_TARGET_BLOCK:
        return S_ISBLK(mode);
    case SVIRT_LABEL_TARGET_SOCKET:
        return S_ISSOCK(mode) || S_ISFIFO(mode) || S_ISREG(mode);
    case SVIRT_LABEL_TARGET_DIRECTORY:
        return S_ISDIR(mode);
    default:
        return FALSE;
    }
}

typedef enum {
    LABEL_ACTION_SET,
    LABEL_ACTION_READ,
    LABEL_ACTION_RESTORE,
} LabelAction;

static void
set_errno_error(GError **error, int err, const char *path, LabelAction action)
{
    switch (err) {
    case ENOENT:
    case ENOTDIR:
        if (action == LABEL_ACTION_READ)
            g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND,
                        _("Could not read the label of %s: it does not exist. Check the path "
                          "in the VM's definition."),
                        path);
        else if (action == LABEL_ACTION_RESTORE)
            g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND,
                        _("Could not restore the label of %s: it does not exist. Check the "
                          "path in the VM's definition."),
                        path);
        else
            g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND,
                        _("Could not label %s: it does not exist. Check the path in the VM's "
                          "definition."),
                        path);
        break;
    case EPERM:
    case EACCES:
        if (action == LABEL_ACTION_READ)
            g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_PERMISSION,
                        _("Could not read the label of %s: %s. Relabelling needs root "
                          "(CAP_SYS_ADMIN, and relabelfrom/relabelto permission where SELinux "
                          "enforces)."),
                        path, g_strerror(err));
        else if (action == LABEL_ACTION_RESTORE)
            g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_PERMISSION,
                        _("Could not restore the label of %s: %s. Relabelling needs root "
                          "(CAP_SYS_ADMIN, and relabelfrom/relabelto permission where SELinux "
                          "enforces)."),
                        path, g_strerror(err));
        else
            g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_PERMISSION,
                        _("Could not label %s: %s. Relabelling needs root (CAP_SYS_ADMIN, and "
                          "relabelfrom/relabelto permission where SELinux enforces)."),
                        path, g_strerror(err));
        break;
    case ELOOP:
        if (action == LABEL_ACTION_READ)
            g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE,
                        _("Could not read the label of %s: it became a symbolic link after it "
                          "was checked. Nothing was labelled; check who changes the file."),
                        path);
        else if (action == LABEL_ACTION_RESTORE)
            g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE,
                        _("Could not restore the label of %s: it became a symbolic link after "
                          "it was checked. Nothing was labelled; check who changes the file."),
                        path);
        else
            g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE,
                        _("Could not label %s: it became a symbolic link after it was checked. "
                          "Nothing was labelled; check who changes the file."),
                        path);
        break;
    default:
        if (action == LABEL_ACTION_READ)
            g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                        _("Could not read the label of %s: %s."), path, g_strerror(err));
        else if (action == LABEL_ACTION_RESTORE)
            g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                        _("Could not restore the label of %s: %s."), path, g_strerror(err));
        else
            g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED, _("Could not label %s: %s."),
                        path, g_strerror(err));
        break;
    }
}

/* Another name of the object, through a bind mount or a second mount of its filesystem, may
 * be a host file: /etc bound elsewhere is still /etc. */
static gboolean
check_aliases(const SvirtLabelTarget *target, const SvirtLabelFor *use, GError **error)
{
    g_autoptr(GPtrArray) aliases = svirt_host_aliases(target->fd, target->resolved);

    for (guint i = 0; i < aliases->len; i++) {
        const char *alias = g_ptr_array_index(aliases, i);
        /* TRANSLATORS: a path, then another name of the same file */
        g_autofree char *shown =
            g_strdup_printf(_("%s (also mounted as %s)"), target->resolved, alias);

        if (!check_place(alias, shown, target->kind, use, error))
            return FALSE;
    }
    return TRUE;
}

/* What the host is using, whatever its name: a file with other names, swap, a loop device's
 * backing file. */
static gboolean
check_host_use(const SvirtLabelTarget *target, const SvirtLabelFor *use, GError **error)
{
    const struct stat *st = &target->st;
    g_autofree char *loop = NULL;

    if (S_ISREG(st->st_mode) && st->st_nlink > 1 && !host_file_allowed(use)) {
        g_autofree char *hint =
            override_hint(use, _("Give the VM a copy of the file that has one name, or remove "
                                 "its other names"));

        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE,
                    g_dngettext(GETTEXT_PACKAGE,
                                "Refusing to label %s: the file has %u names (hard links), and "
                                "another name may be a host file or another VM's disk. %s",
                                "Refusing to label %s: the file has %u names (hard links), and "
                                "another name may be a host file or another VM's disk. %s",
                                (gulong)st->st_nlink),
                    target->resolved, (guint)st->st_nlink, hint);
        return FALSE;
    }
    if (S_ISREG(st->st_mode) && svirt_host_is_swap(st, NULL)) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE,
                    _("Refusing to label %s: it is the host's swap space. Turn it off first "
                      "(swapoff) or give the VM another file."),
                    target->resolved);
        return FALSE;
    }
    loop = svirt_host_loop_device_of(st);
    if (loop) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE,
                    _("Refusing to label %s: the host uses it as the backing file of loop "
                      "device /dev/%s. Detach it first (losetup -d /dev/%s) or give the VM "
                      "another file."),
                    target->resolved, loop, loop);
        return FALSE;
    }
    return TRUE;
}

SvirtLabelTarget *
svirt_label_target_open_for(const char *path, SvirtLabelTargetKind kind,
                            const SvirtLabelFor *use, GError **error)
{
    g_autoptr(SvirtLabelTarget) target = g_new0(SvirtLabelTarget, 1);

    target->fd = -1;
    target->path = g_strdup(path);
    target->kind = kind;

    if (!g_path_is_absolute(path)) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE,
                    _("Refusing to label '%s': the path is not absolute. Use a full path in the "
                      "VM's definition."),
                    path);
        return NULL;
    }
    target->resolved = svirt_labeler_resolve_path(path);
    if (!target->resolved) {
        set_errno_error(error, errno, path, LABEL_ACTION_SET);
        return NULL;
    }
    if (!check_place(target->resolved, target->resolved, kind, use, error))
        return NULL;

    target->fd = open_no_symlinks(target->resolved);
    if (target->fd < 0) {
        set_errno_error(error, errno, target->resolved, LABEL_ACTION_SET);
        return NULL;
    }
    if (fstat(target->fd, &target->st) < 0) {
        set_errno_error(error, errno, target->resolved, LABEL_ACTION_SET);
        return NULL;
    }
    if (!type_matches(kind, target->st.st_mode)) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE,
                    _("Refusing to label %s: it is not %s. Only regular files and assigned "
                      "block devices are given to VMs."),
                    target->resolved, kind_noun(kind));
        return NULL;
    }
    if (S_ISBLK(target->st.st_mode) &&
        !svirt_labeler_check_block_device(target->st.st_rdev, target->resolved, error))
        return NULL;
    /* The VM's private label on a directory all users share would take it from them, and
     * give the VM every file they put there. */
    if (S_ISDIR(target->st.st_mode) && (target->st.st_mode & (S_ISVTX | S_IWOTH))) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE,
                    _("Refusing to label the directory %s: every user may create files in it. "
                      "Give the VM's socket a directory of its own."),
                    target->resolved);
        return NULL;
    }
    if (!check_aliases(target, use, error) || !check_host_use(target, use, error))
        return NULL;
    return g_steal_pointer(&target);
}

SvirtLabelTarget *
svirt_label_target_open(const char *path, SvirtLabelTargetKind kind, GError **error)
{
    return svirt_label_target_open_for(path, kind, NULL, error);
}

void
svirt_label_target_free(SvirtLabelTarget *target)
{
    if (!target)
        return;
    if (target->fd >= 0)
        close(target->fd);
    g_free(target->path);
    g_free(target->resolved);
    g_free(target);
}

const char *
svirt_label_target_get_path(const SvirtLabelTarget *target)
{
    return target->path;
}

const char *
svirt_label_target_get_resolved(const SvirtLabelTarget *target)
{
    return target->resolved;
}

const struct stat *
svirt_label_target_get_stat(const SvirtLabelTarget *target)
{
    return &target->st;
}

/* The path must still lead to the object that was checked, or we would label something else. */
static gboolean
verify_unchanged(const SvirtLabelTarget *target, GError **error)
{
    g_autofree char *now = svirt_labeler_resolve_path(target->path);
    g_autofree char *what = NULL;
    struct stat st;

    if (now && g_str_equal(now, target->resolved) && lstat(target->resolved, &st) == 0 &&
        st.st_dev == target->st.st_dev && st.st_ino == target->st.st_ino)
        return TRUE;
    if (!now || lstat(now, &st) < 0)
        what = g_strdup(_("it no longer exists"));
    else if (!g_str_equal(now, target->resolved))
        what = g_strdup_printf(_("it now leads to %s"), now);
    else
        what = g_strdup(_("another file has taken its place"));
    g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE,
                _("Refusing to label %s: it changed after it was checked (%s). Nothing was "
                  "labelled; check who changes the file."),
                target->path, what);
    return FALSE;
}

static char *
fd_path(const SvirtLabelTarget *target)
{
    return g_strdup_printf("/proc/self/fd/%d", target->fd);
}

static gboolean
is_unsupported_errno(int err)
{
    return err == ENOTSUP || err == EOPNOTSUPP || err == EROFS;
}

/* The whole value of the label attribute, however long: asked for its size, then read, again
 * when it grew in between. NULL with @err set when it cannot be read (ENODATA: no label). */
static GBytes *
get_label_xattr(const char *path, gboolean follow, int *err)
{
    const char *name = svirt_labeler_xattr_name();

    for (guint attempt = 0; attempt < 8; attempt++) {
        ssize_t size = follow ? getxattr(path, name, NULL, 0) : lgetxattr(path, name, NULL, 0);
        g_autofree char *buf = NULL;
        ssize_t len;

        if (size < 0) {
            *err = errno;
            return NULL;
        }
        buf = g_malloc((gsize)size + 1);
        len = follow ? getxattr(path, name, buf, size) : lgetxattr(path, name, buf, size);
        /* With a size of 0 the call only reports the size again. */
        if (len >= 0 && len <= size)
            return g_bytes_new_take(g_steal_pointer(&buf), len);
        if (len < 0 && errno != ERANGE) {
            *err = errno;
            return NULL;
        }
    }
    *err = ERANGE;
    return NULL;
}

/* @raw, or FALSE with @error set from @err; TRUE with NULL when there is no label. */
static gboolean
label_read(GBytes *raw, int err, const char *path, GBytes **label, GError **error)
{
    *label = raw;
    if (raw || err == ENODATA)
        return TRUE;
    if (is_unsupported_errno(err)) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSUPPORTED,
                    _("The filesystem of %s does not support labels."), path);
        return FALSE;
    }
    set_errno_error(error, err, path, LABEL_ACTION_READ);
    return FALSE;
}

gboolean
svirt_labeler_read_label_into(const char *path, char *buf, gsize size, const char **label,
                              char **owned, GError **error)
{
    ssize_t len;
    gsize n;

    g_return_val_if_fail(size > 1, FALSE);

    *label = NULL;
    *owned = NULL;
    len = lgetxattr(path, svirt_labeler_xattr_name(), buf, size - 1);
    if (len < 0 && errno == ERANGE) {
        if (!svirt_labeler_read_label(path, owned, error))
            return FALSE;
        *label = *owned;
        return TRUE;
    }
    if (len < 0) {
        GBytes *none = NULL;

        return label_read(NULL, errno, path, &none, error);
    }
    buf[len] = '\0';
    n = strlen(buf);
    if (g_utf8_validate(buf, n, NULL))
        *label = buf;
    else
        *label = *owned = g_utf8_make_valid(buf, n);
    return TRUE;
}

char *
svirt_label_bytes_to_text(GBytes *label)
{
    gsize len = 0;
    const char *data;

    if (!label)
        return NULL;
    data = g_bytes_get_data(label, &len);
    if (!data)
        return g_strdup("");
    return g_utf8_make_valid(data, strnlen(data, len));
}

gboolean
svirt_label_target_get_label_bytes(const SvirtLabelTarget *target, GBytes **label,
                                   GError **error)
{
    g_autofree char *proc = fd_path(target);
    int err = 0;
    GBytes *raw = get_label_xattr(proc, TRUE, &err);

    return label_read(raw, err, target->resolved, label, error);
}

gboolean
svirt_label_target_get_label(const SvirtLabelTarget *target, char **label, GError **error)
{
    g_autoptr(GBytes) raw = NULL;

    *label = NULL;
    if (!svirt_label_target_get_label_bytes(target, &raw, error))
        return FALSE;
    *label = svirt_label_bytes_to_text(raw);
    return TRUE;
}

gboolean
svirt_label_target_set_label(SvirtLabelTarget *target, const char *label,
                             SvirtLabelStatus *status, GError **error)
{
    g_autofree char *proc = NULL;

    *status = SVIRT_LABEL_STATUS_LABELED;
    if (!verify_unchanged(target, error))
        return FALSE;
    proc = fd_path(target);
    /* The kernel stores contexts with their terminating NUL, as setfilecon() writes them. */
    if (setxattr(proc, svirt_labeler_xattr_name(), label, strlen(label) + 1, 0) < 0) {
        if (is_unsupported_errno(errno)) {
            *status = SVIRT_LABEL_STATUS_UNSUPPORTED;
            return TRUE;
        }
        set_errno_error(error, errno, target->resolved, LABEL_ACTION_SET);
        return FALSE;
    }
    return TRUE;
}

gboolean
svirt_label_target_restore_label(SvirtLabelTarget *target, GBytes *original,
                                 SvirtLabelStatus *status, GError **error)
{
    g_autofree char *proc = NULL;
    gsize len = 0;
    const char *data;

    if (!original)
        return svirt_label_target_remove_label(target, status, error);
    *status = SVIRT_LABEL_STATUS_LABELED;
    if (!verify_unchanged(target, error))
        return FALSE;
    proc = fd_path(target);
    data = g_bytes_get_data(original, &len);
    /* The very bytes that were read: with or without a trailing NUL, of any length. */
    if (setxattr(proc, svirt_labeler_xattr_name(), data, len, 0) < 0) {
        if (is_unsupported_errno(errno)) {
            *status = SVIRT_LABEL_STATUS_UNSUPPORTED;
            return TRUE;
        }
        set_errno_error(error, errno, target->resolved, LABEL_ACTION_RESTORE);
        return FALSE;
    }
    return TRUE;
}

gboolean
svirt_label_target_remove_label(SvirtLabelTarget *target, SvirtLabelStatus *status,
                                GError **error)
{
    g_autofree char *proc = NULL;

    *status = SVIRT_LABEL_STATUS_LABELED;
    if (!verify_unchanged(target, error))
        return FALSE;
    proc = fd_path(target);
    if (removexattr(proc, svirt_labeler_xattr_name()) < 0 && errno != ENODATA) {
        if (is_unsupported_errno(errno)) {
            *status = SVIRT_LABEL_STATUS_UNSUPPORTED;
            return TRUE;
        }
        set_errno_error(error, errno, target->resolved, LABEL_ACTION_RESTORE);
        return FALSE;
    }
    return TRUE;
}

gboolean
svirt_labeler_read_label(const char *path, char **label, GError **error)
{
    g_autoptr(GBytes) raw = NULL;
    int err = 0;
    GBytes *read = get_label_xattr(path, FALSE, &err);

    *label = NULL;
    if (!label_read(read, err, path, &raw, error))
        return FALSE;
    *label = svirt_label_bytes_to_text(raw);
    return TRUE;
}
