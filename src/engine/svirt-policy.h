#pragma once

#include <glib-object.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* The contexts the engine labels with, as the installed policy names them. Every field is a
 * full context with a level. */
typedef struct {
    char *process;     /* VM process, e.g. system_u:system_r:svirt_t:s0 */
    char *tcg_process; /* process of a TCG (type='qemu') guest; equals process when the policy
                        * names none */
    char *image;       /* images at s0: private images take the VM's level; also the shared
                        * read/write label */
    char *content;     /* read-only content: CD-ROMs, read-only disks, backing files, kernels */
    char *after_exit;  /* what a file gets back when neither its original label nor a policy
                        * default is known */
    gboolean domain_from_policy; /* process and tcg_process come from the policy's file */
    gboolean image_from_policy;  /* image and content come from the policy's file */
} SvirtPolicyTypes;

#define SVIRT_TYPE_POLICY_TYPES (svirt_policy_types_get_type())

GType svirt_policy_types_get_type(void) G_GNUC_CONST;

/* Reads libselinux's virtual_domain_context and virtual_image_context of the installed policy
 * (under $SVIRT_SELINUX_DIR when it is set, see svirt_context_selinux_dir()).
 * A file that does not exist means no policy: its contexts come from the built-in table
 * (svirt_t, svirt_image_t, svirt_content_t, virt_content_t). A file that exists but cannot be
 * read or holds an invalid context is an error (SVIRT_ERROR_POLICY). */
SvirtPolicyTypes *svirt_policy_types_load(GError **error);
SvirtPolicyTypes *svirt_policy_types_load_from(const char *domain_context_path,
                                               const char *image_context_path, GError **error);
SvirtPolicyTypes *svirt_policy_types_new_builtin(void);
SvirtPolicyTypes *svirt_policy_types_copy(const SvirtPolicyTypes *types);
void svirt_policy_types_free(SvirtPolicyTypes *types);

/* The process context for a guest; @tcg selects the TCG line. */
const char *svirt_policy_types_get_process(const SvirtPolicyTypes *types, gboolean tcg);

/* @context with its level replaced by @level ("s0:c1,c2" or "low-high"). */
char *svirt_policy_context_with_level(const char *context, const char *level, GError **error);

/* Default labels of paths from the policy's file_contexts (selabel_lookup). */
typedef struct _SvirtFileContexts SvirtFileContexts;

/* @path NULL means the installed policy's file_contexts (under $SVIRT_SELINUX_DIR when set). A file_contexts that does not exist
 * (no policy installed) gives a set without entries, not an error. */
SvirtFileContexts *svirt_file_contexts_open(const char *path, GError **error);
gboolean svirt_file_contexts_has_policy(const SvirtFileContexts *fc);
/* The default label of @path, NULL when the policy has none (or no policy is installed).
 * @mode is the file's type (S_IFREG, S_IFBLK, ...), 0 when unknown. */
char *svirt_file_contexts_lookup(SvirtFileContexts *fc, const char *path, mode_t mode);
void svirt_file_contexts_free(SvirtFileContexts *fc);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtPolicyTypes, svirt_policy_types_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtFileContexts, svirt_file_contexts_free)

G_END_DECLS
