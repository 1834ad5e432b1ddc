#pragma once

#include <json-glib/json-glib.h>

#include "svirt-engine.h"
#include "svirt-plan.h"
#include "svirt-policy.h"

G_BEGIN_DECLS

typedef enum {
    SVIRT_SEVERITY_INFO,
    SVIRT_SEVERITY_WARNING,
    SVIRT_SEVERITY_ERROR,
    SVIRT_SEVERITY_CRITICAL,
} SvirtSeverity;

typedef enum {
    SVIRT_FINDING_MISMATCH,        /* a label other than the planned one */
    SVIRT_FINDING_UNLABELLED,      /* no label where one is planned */
    SVIRT_FINDING_FOREIGN,         /* another VM's level on this VM's object */
    SVIRT_FINDING_STALE,           /* a stopped VM's object still carries a dynamic level */
    SVIRT_FINDING_DUPLICATE,       /* two running VMs hold the same level */
    SVIRT_FINDING_SHARED_WRITABLE, /* every VM may write this disk */
    SVIRT_FINDING_HOST_DEVICE,     /* a host location or host block device writable by VMs */
    SVIRT_FINDING_UNSUPPORTED_FS,  /* the filesystem cannot hold labels */
    SVIRT_FINDING_OUTSIDE_POOLS,   /* an image outside every storage pool */
    SVIRT_FINDING_STARTED_OUTSIDE, /* running, but not started by the engine: nothing labelled */
    SVIRT_FINDING_NOT_ENFORCING,   /* SELinux is off or permissive on the host */
    SVIRT_FINDING_MISSING,         /* the object does not exist or cannot be read */
} SvirtFindingKind;

typedef struct {
    SvirtFindingKind kind;
    SvirtSeverity severity;
    char *vm_name;     /* NULL for host-level findings */
    char *vm_uuid;
    char *path;        /* the object; NULL for VM- and host-level findings */
    char *expected;    /* expected label or level; may be NULL */
    char *actual;      /* label or level found; may be NULL */
    char *explanation; /* one sentence */
    char *fix;         /* what to do */
    gboolean fixable;  /* svirt_audit_fix() can repair it */
} SvirtFinding;

/* What one VM's process may do to another VM's objects. */
typedef enum {
    SVIRT_ACCESS_ISOLATED, /* neither read nor write */
    SVIRT_ACCESS_READ,     /* can read (shares content) */
    SVIRT_ACCESS_WRITE,    /* can write another VM's data */
    SVIRT_ACCESS_UNKNOWN,  /* not computed: the VM has no process label to compute from */
} SvirtAccess;

typedef enum {
    SVIRT_POLICY_SOURCE_BINARY, /* access decisions from the binary policy through libsepol */
    SVIRT_POLICY_SOURCE_MCS,    /* MCS dominance alone: no policy file */
} SvirtPolicySource;

typedef struct {
    char *path;
    char *label; /* as on disk; NULL when it has none */
} SvirtMatrixObject;

typedef struct {
    char *name;
    char *uuid;
    char *process_label; /* what its process runs (or would run) as; NULL: not computed */
    char *process_note;  /* where the process label comes from, or why there is none */
    GPtrArray *objects;  /* of SvirtMatrixObject: the labelled objects of its plan */
} SvirtMatrixVm;

typedef struct {
    SvirtAccess access;
    char *path;   /* the object that gives the access; NULL when isolated or unknown */
    char *reason; /* why: the allowing rule, or libsepol's denial (type rule, constraint) */
} SvirtMatrixCell;

typedef struct {
    GPtrArray *vms;          /* of SvirtMatrixVm */
    SvirtMatrixCell *cells;  /* vms->len * vms->len; row = accessing VM, column = owner */
    SvirtPolicySource source;
    char *policy_path;       /* the binary policy used; NULL with SVIRT_POLICY_SOURCE_MCS */
} SvirtMatrix;

typedef struct {
    GPtrArray *findings; /* of SvirtFinding, most severe first */
    SvirtMatrix *matrix;
} SvirtAuditReport;

const char *svirt_severity_to_string(SvirtSeverity severity);
const char *svirt_finding_kind_to_id(SvirtFindingKind kind);
const char *svirt_access_to_string(SvirtAccess access);
const char *svirt_policy_source_to_string(SvirtPolicySource source);

SvirtFinding *svirt_finding_copy(const SvirtFinding *finding);
void svirt_finding_free(SvirtFinding *finding);

SvirtMatrixVm *svirt_matrix_vm_new(const char *name, const char *uuid, const char *process_label,
                                   const char *process_note);
void svirt_matrix_vm_add_object(SvirtMatrixVm *vm, const char *path, const char *label);
void svirt_matrix_vm_free(SvirtMatrixVm *vm);

/* Fills the matrix for @vms (of SvirtMatrixVm, taken over by the matrix). With @policy_path, the
 * decisions come from that binary policy (kept loaded between calls); without, from MCS
 * dominance alone. An unreadable policy file is SVIRT_ERROR_POLICY. Thread-safe. */
SvirtMatrix *svirt_matrix_compute(GPtrArray *vms, const char *policy_path, GError **error);
const SvirtMatrixCell *svirt_matrix_get_cell(const SvirtMatrix *matrix, guint row, guint column);
void svirt_matrix_free(SvirtMatrix *matrix);

/* Whether a process with @process_label may read and write an object labelled @object_label (a
 * NULL label is an unlabelled file), with the reason. Same sources as svirt_matrix_compute(). */
gboolean svirt_policy_check_access(const char *policy_path, const char *process_label,
                                   const char *object_label, gboolean *can_read,
                                   gboolean *can_write, char **reason, GError **error);

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

/* Audits every VM on the engine's connection and the host. */
SvirtAuditReport *svirt_audit_run(SvirtEngine *engine, GCancellable *cancellable,
                                  GError **error);
void svirt_audit_run_async(SvirtEngine *engine, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data);
SvirtAuditReport *svirt_audit_run_finish(SvirtEngine *engine, GAsyncResult *result,
                                         GError **error);
void svirt_audit_report_free(SvirtAuditReport *report);
/* The worst severity among the findings; SVIRT_SEVERITY_INFO when there are none. */
SvirtSeverity svirt_audit_report_max_severity(const SvirtAuditReport *report);

/* { "findings": [ { "id", "severity", "vm", "uuid", "path", "expected", "actual",
 *   "explanation", "fix", "fixable" } ], "matrix": { "source", "policy", "vms": [ { "name",
 *   "uuid", "process_label", "note" } ], "cells": [ [ { "access", "path", "reason" } ] ] } } */
JsonNode *svirt_audit_report_to_json(const SvirtAuditReport *report);
/* A self-contained HTML page: findings table, colored matrix, the policy source. */
char *svirt_audit_report_to_html(const SvirtAuditReport *report);

/* Repairs a finding the engine can repair safely: relabels a mismatched or unlabelled object
 * of a running VM the engine started, restores a stale object. Anything else is refused with
 * SVIRT_ERROR_UNSAFE and a message saying what the administrator must do. */
gboolean svirt_audit_fix(SvirtEngine *engine, const SvirtFinding *finding, GError **error);
void svirt_audit_fix_async(SvirtEngine *engine, const SvirtFinding *finding,
                           GCancellable *cancellable, GAsyncReadyCallback callback,
                           gpointer user_data);
gboolean svirt_audit_fix_finish(SvirtEngine *engine, GAsyncResult *result, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtFinding, svirt_finding_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtMatrixVm, svirt_matrix_vm_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtMatrix, svirt_matrix_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtAuditReport, svirt_audit_report_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtAuditContext, svirt_audit_context_free)

G_END_DECLS
