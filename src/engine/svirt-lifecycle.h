#pragma once

#include <json-glib/json-glib.h>

#include "svirt-engine.h"
#include "svirt-plan.h"

G_BEGIN_DECLS

typedef enum {
    SVIRT_DISK_STATUS_LABELED,       /* carries the label the plan gives it */
    SVIRT_DISK_STATUS_RESTORED,      /* the VM is stopped and the engine holds nothing of it */
    SVIRT_DISK_STATUS_PENDING,       /* not labelled yet, or not restored yet */
    SVIRT_DISK_STATUS_MISMATCH,      /* the VM runs but the label differs from the plan */
    SVIRT_DISK_STATUS_UNSUPPORTED,   /* the filesystem cannot hold labels */
    SVIRT_DISK_STATUS_NOT_RELABELED, /* deliberately left alone; the note says why */
} SvirtDiskStatus;

typedef struct {
    char *target;
    char *path;
    SvirtPlanKind kind;
    SvirtDesignation designation;
    char *expected_label;
    char *actual_label;
    SvirtDiskStatus status;
    char *note;
} SvirtDiskState;

typedef struct {
    char *name;
    char *uuid;
    SvirtVmState state;
    SvirtSecurityMode mode;
    gboolean relabel;
    char *process_label; /* while running: what QEMU runs as; NULL otherwise */
    char *image_label;   /* while running: the label of its private images */
    gboolean enforced;
    char *enforced_reason; /* why the labels are not enforced; NULL when they are */
    gboolean started_by_engine;
    GPtrArray *disks;    /* of SvirtDiskState */
    SvirtSettingsSource settings_source;
    char *start_blocker; /* stopped: why libvirtd would refuse to start it, and what to do */
} SvirtVmStatus;

const char *svirt_disk_status_to_string(SvirtDiskStatus status);
void svirt_vm_status_free(SvirtVmStatus *status);
JsonNode *svirt_vm_status_to_json(const SvirtVmStatus *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtVmStatus, svirt_vm_status_free)

/* Labels the VM's files as planned, with a journal written first, and starts it through
 * libvirtd on a live copy of its definition. @mcs_range NULL means the host's range. On any
 * failure every label is restored and the error names the step and the path. */
gboolean svirt_engine_start_vm(SvirtEngine *engine, const char *vm, const char *mcs_range,
                               GError **error);
void svirt_engine_start_vm_async(SvirtEngine *engine, const char *vm, const char *mcs_range,
                                 GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data);
gboolean svirt_engine_start_vm_finish(SvirtEngine *engine, GAsyncResult *result,
                                      GError **error);

/* How long a desktop's Shut Down waits for the guest before it reports that the guest may
 * ignore ACPI. */
#define SVIRT_SHUTDOWN_TIMEOUT_MS (120 * 1000)

/* Shuts the VM down (ACPI) and waits up to @timeout_ms, or forces it off; then restores its
 * labels. */
gboolean svirt_engine_stop_vm(SvirtEngine *engine, const char *vm, gboolean force,
                              guint timeout_ms, GError **error);
void svirt_engine_stop_vm_async(SvirtEngine *engine, const char *vm, gboolean force,
                                guint timeout_ms, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
gboolean svirt_engine_stop_vm_finish(SvirtEngine *engine, GAsyncResult *result, GError **error);

/* Restores what VM @uuid held, from the journal alone: needs no libvirtd (the qemu hook). A VM
 * that a live process is still starting is left to it: it puts the labels back itself if
 * libvirtd fails the start. */
gboolean svirt_restore_holder(const char *uuid, guint *n_restored, GError **error);
/* How long libvirt's qemu hook waits for the label journal. libvirtd holds the VM while its
 * hook runs, and a process holding the journal may be waiting for libvirtd to list the VMs:
 * the hook gives up, and reconcile restores the labels later. */
#define SVIRT_HOOK_LOCK_TIMEOUT_MS (10 * 1000)
/* svirt_restore_holder() waiting at most @timeout_ms for the journal (SVIRT_ERROR_TIMED_OUT). */
gboolean svirt_restore_holder_within(const char *uuid, guint timeout_ms, guint *n_restored,
                                     GError **error);
/* Restores one path to its recorded original, else the policy default, else after_exit. */
gboolean svirt_restore_path(const char *path, char **restored_to, GError **error);

/* Restores everything held by VMs that no longer run. */
gboolean svirt_engine_reconcile(SvirtEngine *engine, guint *n_restored, guint *n_kept,
                                GError **error);
void svirt_engine_reconcile_async(SvirtEngine *engine, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data);
gboolean svirt_engine_reconcile_finish(SvirtEngine *engine, GAsyncResult *result,
                                       GError **error);

/* Restores a VM's labels whenever the engine sees it stop, in a worker thread. */
void svirt_engine_watch_stops(SvirtEngine *engine);

SvirtVmStatus *svirt_engine_get_vm_status(SvirtEngine *engine, const char *vm, GError **error);
void svirt_engine_get_vm_status_async(SvirtEngine *engine, const char *vm,
                                      GCancellable *cancellable, GAsyncReadyCallback callback,
                                      gpointer user_data);
SvirtVmStatus *svirt_engine_get_vm_status_finish(SvirtEngine *engine, GAsyncResult *result,
                                                 GError **error);

G_END_DECLS

G_BEGIN_DECLS

/* How well a VM is kept apart from the others, for the VM list. */
typedef enum {
    SVIRT_ISOLATION_ISOLATED, /* its own level, no shared writable disk */
    SVIRT_ISOLATION_SHARED,   /* isolated, but writes disks other VMs may write too */
    SVIRT_ISOLATION_PROBLEM,  /* unlabelled, started outside the engine, or labels wrong */
} SvirtIsolation;

typedef struct {
    char *uuid;
    SvirtVmState state;
    SvirtSecurityMode mode;
    char *process_label; /* running: its label; stopped static: the label it will get */
    SvirtIsolation isolation;
    char *reason;        /* one sentence on why, for a tooltip */
} SvirtVmLabels;

const char *svirt_security_mode_to_label(SvirtSecurityMode mode);
void svirt_vm_labels_free(SvirtVmLabels *labels);
SvirtVmLabels *svirt_vm_labels_from_status(const SvirtVmStatus *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtVmLabels, svirt_vm_labels_free)

SvirtVmLabels *svirt_engine_get_vm_labels(SvirtEngine *engine, const char *vm, GError **error);
void svirt_engine_get_vm_labels_async(SvirtEngine *engine, const char *vm,
                                      GCancellable *cancellable, GAsyncReadyCallback callback,
                                      gpointer user_data);
SvirtVmLabels *svirt_engine_get_vm_labels_finish(SvirtEngine *engine, GAsyncResult *result,
                                                 GError **error);
/* The labels of every VM on the connection; VMs that vanish meanwhile are left out. */
GPtrArray *svirt_engine_list_vm_labels(SvirtEngine *engine, GCancellable *cancellable,
                                       GError **error);
void svirt_engine_list_vm_labels_async(SvirtEngine *engine, GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data);
GPtrArray *svirt_engine_list_vm_labels_finish(SvirtEngine *engine, GAsyncResult *result,
                                              GError **error);

gboolean svirt_engine_pause_vm(SvirtEngine *engine, const char *vm, GError **error);
void svirt_engine_pause_vm_async(SvirtEngine *engine, const char *vm, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
gboolean svirt_engine_pause_vm_finish(SvirtEngine *engine, GAsyncResult *result,
                                      GError **error);
gboolean svirt_engine_resume_vm(SvirtEngine *engine, const char *vm, GError **error);
void svirt_engine_resume_vm_async(SvirtEngine *engine, const char *vm,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data);
gboolean svirt_engine_resume_vm_finish(SvirtEngine *engine, GAsyncResult *result,
                                       GError **error);

/* A file of the VM that deleting the VM may also delete. */
typedef struct {
    char *target;
    char *path;
    gboolean deletable;
    char *reason; /* why it is not offered */
} SvirtStorageItem;

void svirt_storage_item_free(SvirtStorageItem *item);
GPtrArray *svirt_engine_list_vm_storage(SvirtEngine *engine, const char *vm, GError **error);
void svirt_engine_list_vm_storage_async(SvirtEngine *engine, const char *vm,
                                        GCancellable *cancellable, GAsyncReadyCallback callback,
                                        gpointer user_data);
GPtrArray *svirt_engine_list_vm_storage_finish(SvirtEngine *engine, GAsyncResult *result,
                                               GError **error);
/* Undefines a stopped VM, then deletes those of @paths that svirt_engine_list_vm_storage()
 * offers (storage volumes through their pool, other files directly). */
gboolean svirt_engine_delete_vm(SvirtEngine *engine, const char *vm, const char *const *paths,
                                GError **error);

void svirt_engine_delete_vm_async(SvirtEngine *engine, const char *vm, const char *const *paths,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data);
gboolean svirt_engine_delete_vm_finish(SvirtEngine *engine, GAsyncResult *result,
                                       GError **error);

G_END_DECLS
