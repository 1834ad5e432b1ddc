#pragma once

#include <glib.h>

#include "svirt-finding.h"
#include "svirt-plan.h"
#include "svirt-policy.h"

G_BEGIN_DECLS

/* Checks of one VM's plan without libvirtd, for callers that already hold the plan. */
typedef struct _SvirtAuditContext SvirtAuditContext;

/* @pool_paths: target directories of the storage pools (NULL: not checked). @types: the
 * policy's labels. */
SvirtAuditContext *svirt_audit_context_new(const SvirtPolicyTypes *types,
                                           const char *const *pool_paths);
/* Records that VM @vm_name holds @level (running) or will hold it (a static label), for
 * foreign findings. */
void svirt_audit_context_add_level(SvirtAuditContext *ctx, const char *level,
                                   const char *vm_name);
/* Records that running VM @vm_name uses @path, so a stopped VM's label on it is not stale. */
void svirt_audit_context_add_running_path(SvirtAuditContext *ctx, const char *path,
                                          const char *vm_name);
/* Where the filesystem refuses a desktop user a label, ask svirt-helper for the labels of that
 * VM's files (svirt_engine_uses_helper()). */
void svirt_audit_context_use_helper(SvirtAuditContext *ctx, gboolean use_helper);
/* The label of @path, a file of VM @uuid, as the audit reads it (through svirt-helper where
 * the user may not); NULL when it has none or cannot be read. */
char *svirt_audit_context_read_label(SvirtAuditContext *ctx, const char *uuid, const char *path);
void svirt_audit_context_free(SvirtAuditContext *ctx);

typedef enum {
    SVIRT_AUDIT_VM_STOPPED,
    SVIRT_AUDIT_VM_RUNNING,         /* started by the engine: the plan's labels should be on */
    SVIRT_AUDIT_VM_RUNNING_OUTSIDE, /* started elsewhere: nothing was labelled for it */
} SvirtAuditVmState;

/* Adds to @findings what is wrong with the objects of @plan. @admin_owned: a static label with
 * relabel off, whose labels the administrator keeps right at all times (the engine fixes none);
 * @plan is then the plan the engine would follow with relabel on. */
void svirt_audit_check_plan(SvirtAuditContext *ctx, const SvirtPlan *plan,
                            SvirtAuditVmState state, gboolean admin_owned, GPtrArray *findings);

/* Adds a finding when libvirt's own <seclabel model='selinux'> gave @plan's VM the settings
 * @native, which count, and its metadata holds @stored, and the two would start it differently
 * (the disks a VM that relabels nothing leaves alone do not matter). */
void svirt_audit_check_settings(const SvirtPlan *plan, const SvirtSettings *native,
                                const SvirtSettings *stored, GPtrArray *findings);

/* Adds a finding for each VNC, SPICE or RDP display of @xml (the definition of @plan's VM,
 * read with its secrets so that passwords show) that listens on a network address: an error
 * without a password on any address but loopback, a warning with one or on loopback, a note
 * for a loopback display with a password. A display reached only through libvirt or on a UNIX
 * socket is none. */
void svirt_audit_check_display(const SvirtPlan *plan, const char *xml, GPtrArray *findings);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtAuditContext, svirt_audit_context_free)

G_END_DECLS
