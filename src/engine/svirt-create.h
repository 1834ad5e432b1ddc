#pragma once

#include <gio/gio.h>

#include "svirt-engine.h"
#include "svirt-graphics.h"
#include "svirt-plan.h"
#include "svirt-settings.h"

G_BEGIN_DECLS

/* Where the "default" pool is put when a host has none, as virt-install and virt-manager do. */
#define SVIRT_DEFAULT_POOL "default"
#define SVIRT_DEFAULT_POOL_PATH "/var/lib/libvirt/images"
/* A dynamic VM gets its pair at each start; previews show this one in its place. */
#define SVIRT_PREVIEW_LEVEL "s0:c1,c2"
#define SVIRT_VM_MIN_MEMORY_MIB 16

typedef enum {
    SVIRT_INSTALL_NONE,
    SVIRT_INSTALL_ISO,        /* attached read-only as an IDE CD-ROM, booted first */
    SVIRT_INSTALL_DISK_IMAGE, /* an existing image used as the (private) boot disk */
} SvirtInstallKind;

typedef enum {
    SVIRT_DISK_SPEC_NEW_VOLUME, /* created in a libvirt storage pool */
    SVIRT_DISK_SPEC_EXISTING,   /* a file or block device that already exists */
} SvirtDiskSpecKind;

typedef enum {
    SVIRT_VOLUME_FORMAT_RAW,
    SVIRT_VOLUME_FORMAT_QCOW2,
} SvirtVolumeFormat;

typedef struct {
    SvirtDiskSpecKind kind;
    char *pool;          /* new volume: the pool's name */
    char *volume;        /* new volume: its name; NULL for "<vm>-<n>.<format>" */
    guint64 size_mib;    /* new volume */
    SvirtVolumeFormat format; /* declared, never probed: existing files are raw unless told */
    char *path;          /* existing: absolute path */
    SvirtDesignation designation; /* PRIVATE, SHARED (<shareable/>) or READONLY (<readonly/>) */
} SvirtDiskSpec;

typedef struct {
    char *name;
    guint memory_mib;
    guint vcpus;
    SvirtInstallKind install;
    char *install_path; /* ISO or disk image; absolute */
    GPtrArray *disks;   /* of SvirtDiskSpec, attached as vda, vdb... after a boot image */
    char *network;      /* an active libvirt network; NULL for user-mode networking */
    SvirtSettings *settings;
    gboolean use_kvm;   /* domain type kvm instead of qemu (TCG); the host must offer it */
    SvirtDisplayKind display; /* reached only through libvirt; NONE: headless */
} SvirtVmSpec;

typedef struct {
    char *name;
    char *path; /* the target directory; NULL when the pool has none */
    gboolean active;
} SvirtPoolInfo;

#define SVIRT_TYPE_DISK_SPEC (svirt_disk_spec_get_type())
#define SVIRT_TYPE_VM_SPEC (svirt_vm_spec_get_type())
#define SVIRT_TYPE_POOL_INFO (svirt_pool_info_get_type())

GType svirt_disk_spec_get_type(void) G_GNUC_CONST;
GType svirt_vm_spec_get_type(void) G_GNUC_CONST;
GType svirt_pool_info_get_type(void) G_GNUC_CONST;

const char *svirt_volume_format_to_string(SvirtVolumeFormat format);

SvirtDiskSpec *svirt_disk_spec_new_volume(const char *pool, guint64 size_mib,
                                          SvirtVolumeFormat format,
                                          SvirtDesignation designation);
SvirtDiskSpec *svirt_disk_spec_new_existing(const char *path, SvirtDesignation designation);
SvirtDiskSpec *svirt_disk_spec_copy(const SvirtDiskSpec *disk);
void svirt_disk_spec_free(SvirtDiskSpec *disk);

/* 1024 MiB, 1 vCPU, no install source, no disks, user-mode networking, dynamic labels, a VNC
 * display. */
SvirtVmSpec *svirt_vm_spec_new(const char *name);
SvirtVmSpec *svirt_vm_spec_copy(const SvirtVmSpec *spec);
void svirt_vm_spec_free(SvirtVmSpec *spec);
/* Takes @disk. */
void svirt_vm_spec_add_disk(SvirtVmSpec *spec, SvirtDiskSpec *disk);
/* The name the @index-th disk's new volume gets; NULL when that disk is not a new volume. */
char *svirt_vm_spec_dup_volume_name(const SvirtVmSpec *spec, guint index);
guint svirt_vm_spec_count_new_volumes(const SvirtVmSpec *spec);

SvirtPoolInfo *svirt_pool_info_copy(const SvirtPoolInfo *pool);
void svirt_pool_info_free(SvirtPoolInfo *pool);

/* The checks svirt_vm_spec_validate() makes of a VM name (SVIRT_ERROR_INVALID_SETTINGS). */
gboolean svirt_vm_name_validate(const char *name, GError **error);

/* Everything that can be checked without libvirtd (SVIRT_ERROR_INVALID_SETTINGS unless a path
 * or label check says otherwise); whether the name is free is checked at creation. */
gboolean svirt_vm_spec_validate(const SvirtVmSpec *spec, GError **error);

/* The domain definition. @volume_paths holds the path of each new volume, in the order of
 * the disks; NULL-terminated. Existing disks are declared raw unless their spec says qcow2. */
char *svirt_vm_spec_to_xml(const SvirtVmSpec *spec, const char *const *volume_paths,
                           GError **error);

/* The plan a first start would follow, with SVIRT_PREVIEW_LEVEL in place of the pair a
 * dynamic VM gets at each start. @volume_paths as above; NULL puts each new volume at
 * "<pool>/<volume>". */
SvirtPlan *svirt_vm_spec_preview(const SvirtVmSpec *spec, const char *const *volume_paths,
                                 GError **error);

/* Storage pools, sorted by name. */
GPtrArray *svirt_engine_list_pools(SvirtEngine *engine, GError **error);
void svirt_engine_list_pools_async(SvirtEngine *engine, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data);
GPtrArray *svirt_engine_list_pools_finish(SvirtEngine *engine, GAsyncResult *result,
                                          GError **error);

/* Defines, builds, starts and autostarts a directory pool "default" at
 * SVIRT_DEFAULT_POOL_PATH when there is no pool of that name; starts it when it is inactive. */
gboolean svirt_engine_ensure_default_pool(SvirtEngine *engine, GError **error);

/* Names of the active virtual networks, sorted. */
GStrv svirt_engine_list_networks(SvirtEngine *engine, GError **error);
void svirt_engine_list_networks_async(SvirtEngine *engine, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data);
GStrv svirt_engine_list_networks_finish(SvirtEngine *engine, GAsyncResult *result,
                                        GError **error);

/* svirt_vm_spec_preview() with the volumes where their pools would put them (a missing
 * "default" pool at SVIRT_DEFAULT_POOL_PATH). */
SvirtPlan *svirt_engine_preview_vm(SvirtEngine *engine, const SvirtVmSpec *spec, GError **error);
void svirt_engine_preview_vm_async(SvirtEngine *engine, const SvirtVmSpec *spec,
                                   GCancellable *cancellable, GAsyncReadyCallback callback,
                                   gpointer user_data);
SvirtPlan *svirt_engine_preview_vm_finish(SvirtEngine *engine, GAsyncResult *result,
                                          GError **error);

/* Validates @spec, checks the name is free, creates the new volumes (and the "default" pool
 * when a volume goes there and it is missing), defines the VM and stores its security
 * settings. On failure everything it created is deleted again and the error names the step.
 * Returns the new VM's UUID. */
char *svirt_engine_create_vm(SvirtEngine *engine, const SvirtVmSpec *spec, GError **error);
void svirt_engine_create_vm_async(SvirtEngine *engine, const SvirtVmSpec *spec,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data);
char *svirt_engine_create_vm_finish(SvirtEngine *engine, GAsyncResult *result, GError **error);

/* What svirt_engine_create_vm_full() is about to do. */
typedef enum {
    SVIRT_CREATE_STEP_VOLUMES,  /* create the new volumes */
    SVIRT_CREATE_STEP_DEFINE,   /* define the VM */
    SVIRT_CREATE_STEP_SETTINGS, /* store its security settings */
    SVIRT_CREATE_STEP_DONE,     /* everything is made; a cancel now still undoes it */
} SvirtCreateStep;

typedef void (*SvirtCreateStepFunc)(SvirtCreateStep step, gpointer user_data);

/* svirt_engine_create_vm(), calling @step_func (may be NULL; in the calling thread) before
 * each step. When @cancellable is cancelled before the VM is returned, everything made so far
 * is deleted again and the error is G_IO_ERROR_CANCELLED. The _async variant above honours
 * its @cancellable the same way; a cancel that comes after the VM was returned changes
 * nothing. */
char *svirt_engine_create_vm_full(SvirtEngine *engine, const SvirtVmSpec *spec,
                                  SvirtCreateStepFunc step_func, gpointer step_data,
                                  GCancellable *cancellable, GError **error);

/* svirt_vm_name_validate(), then whether the connection already has a VM of that name
 * (SVIRT_ERROR_IN_USE), so that a name can be checked as it is typed. */
gboolean svirt_engine_check_vm_name(SvirtEngine *engine, const char *name, GError **error);
void svirt_engine_check_vm_name_async(SvirtEngine *engine, const char *name,
                                      GCancellable *cancellable, GAsyncReadyCallback callback,
                                      gpointer user_data);
gboolean svirt_engine_check_vm_name_finish(SvirtEngine *engine, GAsyncResult *result,
                                           GError **error);

/* A VM that uses a file. */
typedef struct {
    char *name;
    char *uuid;
    SvirtDesignation designation; /* how that VM uses the file */
} SvirtPathUser;

void svirt_path_user_free(SvirtPathUser *user);
/* The VMs on the connection that use @path (links resolved) as a disk, CD-ROM, kernel or
 * other file, sorted by name; empty when none does. */
GPtrArray *svirt_engine_list_path_users(SvirtEngine *engine, const char *path, GError **error);
void svirt_engine_list_path_users_async(SvirtEngine *engine, const char *path,
                                        GCancellable *cancellable, GAsyncReadyCallback callback,
                                        gpointer user_data);
GPtrArray *svirt_engine_list_path_users_finish(SvirtEngine *engine, GAsyncResult *result,
                                               GError **error);
/* A warning when attaching the existing file of @disk with its designation clashes with how
 * @users (of SvirtPathUser) use it: a private disk another VM also uses, a shared disk
 * another VM holds privately, a read-only disk another VM writes. NULL when nothing clashes. */
char *svirt_disk_spec_describe_clash(const SvirtDiskSpec *disk, GPtrArray *users);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtDiskSpec, svirt_disk_spec_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtVmSpec, svirt_vm_spec_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtPoolInfo, svirt_pool_info_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtPathUser, svirt_path_user_free)

G_END_DECLS
