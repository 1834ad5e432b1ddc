#pragma once

#include <gio/gio.h>
#include <sys/stat.h>

#include "svirt-error.h"

G_BEGIN_DECLS

/* The extended attribute labels live in; SVIRT_LABEL_XATTR overrides it (for filesystems that
 * refuse security.* attributes in tests). */
#define SVIRT_DEFAULT_LABEL_XATTR "security.selinux"

typedef enum {
    SVIRT_LABEL_TARGET_FILE,   /* a regular file: disk image, kernel, serial log */
    SVIRT_LABEL_TARGET_BLOCK,  /* a block device explicitly assigned to the VM */
    SVIRT_LABEL_TARGET_SOCKET, /* a unix socket or pipe of a serial device */
    SVIRT_LABEL_TARGET_DIRECTORY, /* where QEMU creates a display's socket; never one that every
                                   * user may write (sticky or world-writable, like /tmp) */
} SvirtLabelTargetKind;

typedef enum {
    SVIRT_LABEL_STATUS_LABELED,
    SVIRT_LABEL_STATUS_UNSUPPORTED, /* the filesystem cannot hold labels (NFS, vfat, ro) */
} SvirtLabelStatus;

/* A path checked for labelling and held open (O_PATH) so what is labelled is what was checked. */
typedef struct _SvirtLabelTarget SvirtLabelTarget;

/* Whom a file is labelled for, and what its administrator allowed. */
typedef struct {
    const char *vm;           /* the VM's name, for the refusal's advice; NULL when none */
    const char *target;       /* the VM's disk the file belongs to (vdb); NULL when none */
    gboolean allow_host_file; /* the administrator allowed this disk a file that looks like the
                               * host's: one with several names, or in a place of the table
                               * (svirt-host-files.h) that such an override may lift */
} SvirtLabelFor;

/* A disk being added to a definition: only the places no override lifts are refused yet. */
extern const SvirtLabelFor svirt_label_for_new_disk;

const char *svirt_labeler_xattr_name(void);

/* Resolves @path, checks the place and the object, and holds it open. Refused
 * (SVIRT_ERROR_UNSAFE): a place of the host (svirt-host-files.h), also under another name
 * through a mount; a regular file with more than one name; the host's swap space, a loop
 * device's backing file; for block devices, one the host mounts or uses. @use (NULL: a file
 * for no VM, no override) may lift the refusals an administrator can override. */
SvirtLabelTarget *svirt_label_target_open_for(const char *path, SvirtLabelTargetKind kind,
                                              const SvirtLabelFor *use, GError **error);
SvirtLabelTarget *svirt_label_target_open(const char *path, SvirtLabelTargetKind kind,
                                          GError **error);
void svirt_label_target_free(SvirtLabelTarget *target);
const char *svirt_label_target_get_path(const SvirtLabelTarget *target);
const char *svirt_label_target_get_resolved(const SvirtLabelTarget *target);
const struct stat *svirt_label_target_get_stat(const SvirtLabelTarget *target);

/* The label as text (see svirt_label_bytes_to_text()); NULL when it has none. */
gboolean svirt_label_target_get_label(const SvirtLabelTarget *target, char **label,
                                      GError **error);
/* The label exactly as the filesystem holds it, of any length, with or without a trailing NUL;
 * NULL when it has none. What svirt_label_target_restore_label() puts back. */
gboolean svirt_label_target_get_label_bytes(const SvirtLabelTarget *target, GBytes **label,
                                            GError **error);
gboolean svirt_label_target_set_label(SvirtLabelTarget *target, const char *label,
                                      SvirtLabelStatus *status, GError **error);
gboolean svirt_label_target_remove_label(SvirtLabelTarget *target, SvirtLabelStatus *status,
                                         GError **error);
/* Puts back @original byte for byte, or removes the label when @original is NULL. */
gboolean svirt_label_target_restore_label(SvirtLabelTarget *target, GBytes *original,
                                          SvirtLabelStatus *status, GError **error);

/* A label's text: its bytes up to the first NUL, made valid UTF-8 for display; NULL for no
 * label. */
char *svirt_label_bytes_to_text(GBytes *label);

/* Whether the place @resolved may be labelled: no row of the host's table holds it. */
gboolean svirt_labeler_check_location(const char *resolved, SvirtLabelTargetKind kind,
                                      GError **error);
gboolean svirt_labeler_check_location_for(const char *resolved, SvirtLabelTargetKind kind,
                                          const SvirtLabelFor *use, GError **error);
gboolean svirt_labeler_check_block_device(dev_t rdev, const char *path, GError **error);

/* The absolute path with every symlink resolved, NULL when it does not exist. */
char *svirt_labeler_resolve_path(const char *path);

/* Reads the label of @path as text without following a final symlink; NULL label when it has
 * none. */
gboolean svirt_labeler_read_label(const char *path, char **label, GError **error);
/* The same with one lgetxattr() into @buf when the label fits: *@label points into @buf, or to
 * *@owned (which the caller frees) when it did not fit or was not UTF-8; NULL when @path has
 * no label. For reading many labels without an allocation each. */
gboolean svirt_labeler_read_label_into(const char *path, char *buf, gsize size,
                                       const char **label, char **owned, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtLabelTarget, svirt_label_target_free)

G_END_DECLS
