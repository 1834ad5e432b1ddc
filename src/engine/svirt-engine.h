#pragma once

#include <gio/gio.h>
#include <libvirt/libvirt.h>

#include "svirt-error.h"
#include "svirt-vm.h"

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC(virConnect, virConnectClose)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomain, virDomainFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStream, virStreamFree)

#define SVIRT_TYPE_ENGINE (svirt_engine_get_type())

G_DECLARE_FINAL_TYPE(SvirtEngine, svirt_engine, SVIRT, ENGINE, GObject)

void svirt_engine_init_libvirt(void);
const char *svirt_engine_default_uri(void);

SvirtEngine *svirt_engine_new(const char *uri);

const char *svirt_engine_get_requested_uri(SvirtEngine *self);
const char *svirt_engine_get_uri(SvirtEngine *self);
gboolean svirt_engine_is_connected(SvirtEngine *self);

gboolean svirt_engine_connect(SvirtEngine *self, GCancellable *cancellable, GError **error);
void svirt_engine_connect_async(SvirtEngine *self, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
gboolean svirt_engine_connect_finish(SvirtEngine *self, GAsyncResult *result, GError **error);
void svirt_engine_disconnect(SvirtEngine *self);

GPtrArray *svirt_engine_list_vms(SvirtEngine *self, GCancellable *cancellable, GError **error);
void svirt_engine_list_vms_async(SvirtEngine *self, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
GPtrArray *svirt_engine_list_vms_finish(SvirtEngine *self, GAsyncResult *result,
                                        GError **error);

/* A new reference to the open connection, for engine modules; release with virConnectClose(). */
virConnectPtr svirt_engine_dup_connection(SvirtEngine *self, GError **error);

void svirt_engine_set_libvirt_error(GError **error, SvirtErrorCode code, const char *hint,
                                    const char *format, ...) G_GNUC_PRINTF(4, 5);

G_END_DECLS
