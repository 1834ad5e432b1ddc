#pragma once

#include "svirt-engine.h"
#include "svirt-graphics.h"
#include "svirt-lifecycle.h"

G_BEGIN_DECLS

/* What the details window shows about a VM, read from its definition (the live one while it
 * runs). */
typedef struct {
    char *name;
    char *uuid;
    SvirtVmState state;
    gboolean persistent;
    guint64 memory_kib;
    guint vcpus;
    char *os_type; /* hvm, linux, exe */
    char *arch;    /* x86_64; NULL when the definition names none */
    char *machine; /* pc-i440fx-7.2; NULL when the definition names none */
    char *uri;     /* the connection the VM lives on */
    char *display; /* how its screen is reached, a sentence (svirt_display_describe_reach()) */
} SvirtVmOverview;

void svirt_vm_overview_free(SvirtVmOverview *overview);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtVmOverview, svirt_vm_overview_free)

SvirtVmOverview *svirt_engine_get_vm_overview(SvirtEngine *engine, const char *vm,
                                              GError **error);
void svirt_engine_get_vm_overview_async(SvirtEngine *engine, const char *vm,
                                        GCancellable *cancellable, GAsyncReadyCallback callback,
                                        gpointer user_data);
SvirtVmOverview *svirt_engine_get_vm_overview_finish(SvirtEngine *engine, GAsyncResult *result,
                                                     GError **error);

/* Writes @designation (private, shared or read-only) of the disk with target @target into the
 * VM's persistent definition as libvirt's <shareable/> or <readonly/>. Refused while the VM
 * runs (SVIRT_ERROR_IN_USE), and for a CD-ROM, which is always read-only. */
gboolean svirt_engine_set_disk_designation(SvirtEngine *engine, const char *vm,
                                           const char *target, SvirtDesignation designation,
                                           GError **error);
void svirt_engine_set_disk_designation_async(SvirtEngine *engine, const char *vm,
                                             const char *target, SvirtDesignation designation,
                                             GCancellable *cancellable,
                                             GAsyncReadyCallback callback, gpointer user_data);
gboolean svirt_engine_set_disk_designation_finish(SvirtEngine *engine, GAsyncResult *result,
                                                  GError **error);

/* Attaches the existing file or block device @path to the persistent definition as a virtio
 * disk on the first free target (vdb, vdc, …), which is returned. @path is resolved and must
 * be a place the engine may label (never under /etc, /usr, …: SVIRT_ERROR_UNSAFE). Refused
 * while the VM runs. */
char *svirt_engine_add_disk(SvirtEngine *engine, const char *vm, const char *path,
                            SvirtDesignation designation, GError **error);
void svirt_engine_add_disk_async(SvirtEngine *engine, const char *vm, const char *path,
                                 SvirtDesignation designation, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
char *svirt_engine_add_disk_finish(SvirtEngine *engine, GAsyncResult *result, GError **error);

/* Removes the disk with target @target from the persistent definition; the file stays.
 * Refused while the VM runs. */
gboolean svirt_engine_remove_disk(SvirtEngine *engine, const char *vm, const char *target,
                                  GError **error);
void svirt_engine_remove_disk_async(SvirtEngine *engine, const char *vm, const char *target,
                                    GCancellable *cancellable, GAsyncReadyCallback callback,
                                    gpointer user_data);
gboolean svirt_engine_remove_disk_finish(SvirtEngine *engine, GAsyncResult *result,
                                         GError **error);

/* Adds a display of @kind (VNC or SPICE) reached only through libvirt, with a video card and a
 * USB tablet, to the persistent definition (svirt_domain_xml_add_display()). Refused while the
 * VM runs and for a VM that already has a display (SVIRT_ERROR_IN_USE), and for a kind the
 * host's QEMU does not offer (SVIRT_ERROR_UNSUPPORTED). */
gboolean svirt_engine_add_display(SvirtEngine *engine, const char *vm, SvirtDisplayKind kind,
                                  GError **error);
void svirt_engine_add_display_async(SvirtEngine *engine, const char *vm, SvirtDisplayKind kind,
                                    GCancellable *cancellable, GAsyncReadyCallback callback,
                                    gpointer user_data);
gboolean svirt_engine_add_display_finish(SvirtEngine *engine, GAsyncResult *result,
                                         GError **error);

G_END_DECLS
