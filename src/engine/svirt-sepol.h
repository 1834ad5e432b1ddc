#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A binary SELinux policy file read with libsepol, for answers without a running SELinux kernel.
 * One policy is loaded at a time (libsepol's access services keep one global policy) and stays
 * loaded until another file, or a changed one, is asked for. One lock guards it:
 * svirt_sepol_policy_lock() returns the policy locked, the other svirt_sepol_ calls on it need
 * that lock, svirt_sepol_policy_unlock() (or g_autoptr) releases it. */
typedef struct _SvirtSepolPolicy SvirtSepolPolicy;

/* SVIRT_ERROR_POLICY when @path cannot be read. */
SvirtSepolPolicy *svirt_sepol_policy_lock(const char *path, GError **error);
void svirt_sepol_policy_unlock(SvirtSepolPolicy *policy);
const char *svirt_sepol_policy_get_path(const SvirtSepolPolicy *policy);
/* Changes each time the policy is read from its file, not when the loaded one is reused. */
guint svirt_sepol_policy_get_generation(const SvirtSepolPolicy *policy);

/* Whether @context (canonical, as svirt_context_to_string() writes it) is valid in the policy:
 * SVIRT_ERROR_INVALID_CONTEXT with libsepol's reason if not. */
gboolean svirt_sepol_policy_check_context(SvirtSepolPolicy *policy, const char *context,
                                          GError **error);

/* The types (not attributes) the policy gives @attribute, sorted; empty when the policy has no
 * such attribute. */
GStrv svirt_sepol_policy_types_with_attribute(SvirtSepolPolicy *policy, const char *attribute,
                                              GError **error);

/* A context and object class resolved once, for many decisions. */
typedef struct {
    guint32 sid;
    guint16 tclass;
    guint32 read_perm;
    guint32 write_perm;
    const char *type; /* interned */
    const char *cls;  /* interned */
} SvirtSepolSubject;

typedef struct {
    gboolean can_read;
    gboolean can_write;
    guint why; /* libsepol's SEPOL_COMPUTEAV_ bits of what denied */
} SvirtSepolDecision;

/* SVIRT_ERROR_INVALID_CONTEXT for a context the policy does not know, SVIRT_ERROR_POLICY for a
 * class without read and write permissions. */
gboolean svirt_sepol_policy_resolve(SvirtSepolPolicy *policy, const char *context,
                                    const char *cls, SvirtSepolSubject *out, GError **error);
/* May @process read and write @object? Decisions are cached with the policy. */
gboolean svirt_sepol_policy_decide(SvirtSepolPolicy *policy, const SvirtSepolSubject *process,
                                   const SvirtSepolSubject *object, SvirtSepolDecision *out,
                                   GError **error);
/* Why: which rules allow or deny it, as one sentence. */
char *svirt_sepol_policy_explain(SvirtSepolPolicy *policy, const SvirtSepolSubject *process,
                                 const SvirtSepolSubject *object,
                                 const SvirtSepolDecision *decision);

/* The access decision in one call: may a process labelled @process read and write an object
 * labelled @object of class @cls ("file", "blk_file", ...) under the policy at @path, and why. */
gboolean svirt_sepol_check_access(const char *path, const char *process, const char *object,
                                  const char *cls, gboolean *can_read, gboolean *can_write,
                                  char **reason, GError **error);

/* Checks syntax, then asks the binary policy (libsepol) whether the context is valid there:
 * SVIRT_ERROR_INVALID_CONTEXT if not, SVIRT_ERROR_POLICY if the file cannot be read. Works
 * without a running SELinux kernel. Thread-safe. */
gboolean svirt_context_check_policy(const char *context, const char *policy_path,
                                    GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtSepolPolicy, svirt_sepol_policy_unlock)

G_END_DECLS
