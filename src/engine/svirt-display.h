#pragma once

#include "svirt-engine.h"
#include "svirt-graphics.h"

G_BEGIN_DECLS

/* The graphical display a VM has, as its live definition (or, while it is stopped, its
 * persistent one) says. */
typedef struct {
    char *vm_name;
    SvirtDisplayKind kind; /* SVIRT_DISPLAY_NONE: no VNC or SPICE, at most a serial console */
    int index;      /* of its <graphics> among the VM's, as virDomainOpenGraphicsFD() counts */
    char *listen;   /* how QEMU listens: "none", "address", "network", "socket"; NULL if unsaid */
    char *address;  /* the address or socket path it listens on, when it says one */
    gboolean running;
} SvirtDisplayInfo;

void svirt_display_info_free(SvirtDisplayInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtDisplayInfo, svirt_display_info_free)

/* "VNC", "SPICE", or NULL for SVIRT_DISPLAY_NONE. */
const char *svirt_display_kind_to_name(SvirtDisplayKind kind);

/* The first VNC or SPICE display of a domain definition; kind SVIRT_DISPLAY_NONE when it has
 * none. NULL with @error set when @xml cannot be read. */
SvirtDisplayInfo *svirt_display_info_from_xml(const char *xml, GError **error);

SvirtDisplayInfo *svirt_display_get_info(SvirtEngine *engine, const char *vm, GError **error);
void svirt_display_get_info_async(SvirtEngine *engine, const char *vm,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data);
SvirtDisplayInfo *svirt_display_get_info_finish(SvirtEngine *engine, GAsyncResult *result,
                                                GError **error);

/* A socket connected to the VNC or SPICE server of running VM @vm, through libvirtd: nothing
 * listens on the host, and it works with <listen type='none'/> and on a remote host. The
 * caller owns the descriptor. Fails, saying what to do, when the VM has no display
 * (SVIRT_ERROR_NOT_FOUND), is not running (SVIRT_ERROR_FAILED) or libvirt refuses
 * (SVIRT_ERROR_LIBVIRT). A SPICE client calls it once for each channel it opens. */
int svirt_display_open_fd(SvirtEngine *engine, const char *vm, GError **error);
void svirt_display_open_fd_async(SvirtEngine *engine, const char *vm,
                                 GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data);
/* The descriptor, or -1 with @error set. A descriptor nobody finished is closed. */
int svirt_display_open_fd_finish(SvirtEngine *engine, GAsyncResult *result, GError **error);

G_END_DECLS
