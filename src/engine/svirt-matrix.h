#pragma once

#include <glib.h>

G_BEGIN_DECLS

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

const char *svirt_access_to_string(SvirtAccess access);
const char *svirt_policy_source_to_string(SvirtPolicySource source);

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

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtMatrixVm, svirt_matrix_vm_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtMatrix, svirt_matrix_free)

G_END_DECLS
