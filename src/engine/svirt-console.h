#pragma once

#include "svirt-engine.h"

G_BEGIN_DECLS

#define SVIRT_TYPE_CONSOLE (svirt_console_get_type())

G_DECLARE_FINAL_TYPE(SvirtConsole, svirt_console, SVIRT, CONSOLE, GObject)

/* The first serial console of a running VM as a non-blocking libvirt stream. Bytes from the
 * guest arrive as the "data" signal on the main loop; "closed" says the stream ended (the VM
 * stopped or another client took the console). Nothing arrives before svirt_console_start(),
 * so whoever connects to the signals first misses no byte. */
SvirtConsole *svirt_console_open(SvirtEngine *engine, const char *vm, GError **error);
/* Opens the console in a worker thread; the caller connects its handlers, then starts it. */
void svirt_console_open_async(SvirtEngine *engine, const char *vm, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data);
SvirtConsole *svirt_console_open_finish(SvirtEngine *engine, GAsyncResult *result,
                                        GError **error);
/* Starts watching the stream: call it on the thread that runs the main loop, after connecting
 * to "data" and "closed". */
gboolean svirt_console_start(SvirtConsole *self, GError **error);
void svirt_console_write(SvirtConsole *self, const void *data, gsize len);
void svirt_console_close(SvirtConsole *self);
gboolean svirt_console_is_open(SvirtConsole *self);
const char *svirt_console_get_vm_uuid(SvirtConsole *self);

G_END_DECLS
