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
} SvirtLabelTargetKind;

typedef enum {
    SVIRT_LABEL_STATUS_LABELED,
    SVIRT_LABEL_STATUS_UNSUPPORTED, /* the filesystem cannot hold labels (NFS, vfat, ro) */
} SvirtLabelStatus;

/* A path checked for labelling and held open (O_PATH) so what is labelled is what was checked. */
typedef struct _SvirtLabelTarget SvirtLabelTarget;

const char *svirt_labeler_xattr_name(void);

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

gboolean svirt_labeler_check_location(const char *resolved, SvirtLabelTargetKind kind,
                                      GError **error);
gboolean svirt_labeler_check_block_device(dev_t rdev, const char *path, GError **error);

/* The absolute path with every symlink resolved, NULL when it does not exist. */
char *svirt_labeler_resolve_path(const char *path);

/* Reads the label of @path as text without following a final symlink; NULL label when it has
 * none. */
gboolean svirt_labeler_read_label(const char *path, char **label, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtLabelTarget, svirt_label_target_free)

G_END_DECLS
