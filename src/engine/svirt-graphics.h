#pragma once

#include <gio/gio.h>

#include "svirt-engine.h"

G_BEGIN_DECLS

/* The display a new VM gets, or one added to a VM. */
typedef enum {
    SVIRT_DISPLAY_VNC,   /* VNC with a VGA card: what every QEMU and TCG guest has */
    SVIRT_DISPLAY_SPICE, /* SPICE with a QXL card, where the host's QEMU has it */
    SVIRT_DISPLAY_NONE,  /* headless: the serial console only */
} SvirtDisplayKind;

/* How a <graphics> of a definition is reached. */
typedef enum {
    SVIRT_DISPLAY_LISTEN_NONE,    /* only through libvirt (virDomainOpenGraphicsFD) */
    SVIRT_DISPLAY_LISTEN_ADDRESS, /* a network address; NULL: the host's default (loopback) */
    SVIRT_DISPLAY_LISTEN_NETWORK, /* an address of a libvirt virtual network */
    SVIRT_DISPLAY_LISTEN_SOCKET,  /* a UNIX socket file; NULL: one libvirtd chooses */
    SVIRT_DISPLAY_LISTEN_LOCAL,   /* shown on the host itself (sdl, egl-headless, dbus) */
} SvirtDisplayListen;

typedef struct {
    char *type; /* vnc, spice, rdp, sdl, ... as the definition names it */
    SvirtDisplayListen listen;
    char *address;     /* the address, the network's name or the socket's path; may be NULL */
    int port;          /* 0 when chosen at start or not given */
    gboolean password; /* a passwd attribute; only definitions read with secrets show it */
} SvirtDisplay;

void svirt_display_free(SvirtDisplay *display);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtDisplay, svirt_display_free)

const char *svirt_display_kind_to_string(SvirtDisplayKind kind);
/* "vnc", "spice" or "none"; anything else is SVIRT_ERROR_INVALID_SETTINGS. */
gboolean svirt_display_kind_parse(const char *text, SvirtDisplayKind *kind, GError **error);

/* The <graphics> of a domain definition, in order (of SvirtDisplay); empty when it has none or
 * cannot be read. */
GPtrArray *svirt_display_list(const char *xml);
/* Whether a network address is one only this host reaches (127.0.0.0/8, ::1, localhost). */
gboolean svirt_display_address_is_loopback(const char *address);
/* Whether the display may be reached over the network: an address or a virtual network. */
gboolean svirt_display_is_exposed(const SvirtDisplay *display);

/* One or two sentences saying how the screen of the VM of @xml is reached, for the Overview:
 * "VNC through libvirt only; nothing listens on the network." */
char *svirt_display_describe_reach(const char *xml);

/* Whether the host's QEMU offers @kind for a new VM of virtualization type @virt_type (qemu or
 * kvm), from libvirt's domain capabilities; NONE always is. */
gboolean svirt_engine_has_display_kind(SvirtEngine *engine, SvirtDisplayKind kind,
                                       const char *virt_type, GError **error);
void svirt_engine_has_display_kind_async(SvirtEngine *engine, SvirtDisplayKind kind,
                                         const char *virt_type, GCancellable *cancellable,
                                         GAsyncReadyCallback callback, gpointer user_data);
gboolean svirt_engine_has_display_kind_finish(SvirtEngine *engine, GAsyncResult *result,
                                              GError **error);

G_END_DECLS
