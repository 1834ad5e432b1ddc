#include "config.h"

#include <glib/gi18n-lib.h>
#include <libvirt/virterror.h>

#include "svirt-console.h"
#include "svirt-task.h"

struct _SvirtConsole {
    GObject parent_instance;

    virConnectPtr conn;
    virStreamPtr stream;
    char *uuid;
    char *name;
    gboolean started;
    GByteArray *pending; /* typed bytes the stream could not take yet */
    gboolean watching_writable;
};

enum {
    SIGNAL_DATA,
    SIGNAL_CLOSED,
    N_SIGNALS,
};

static guint signals[N_SIGNALS];

G_DEFINE_TYPE(SvirtConsole, svirt_console, G_TYPE_OBJECT)

static void update_events(SvirtConsole *self);

static void
finish(SvirtConsole *self, const char *reason)
{
    if (!self->stream)
        return;
    if (self->started)
        virStreamEventRemoveCallback(self->stream);
    virStreamAbort(self->stream);
    virStreamFree(self->stream);
    self->stream = NULL;
    virResetLastError();
    g_byte_array_set_size(self->pending, 0);
    g_signal_emit(self, signals[SIGNAL_CLOSED], 0, reason);
}

static void
flush_pending(SvirtConsole *self)
{
    while (self->stream && self->pending->len > 0) {
        int n = virStreamSend(self->stream, (const char *)self->pending->data,
                              self->pending->len);

        if (n == -2)
            break;
        if (n < 0) {
            finish(self, _("The console stream failed while sending."));
            return;
        }
        g_byte_array_remove_range(self->pending, 0, n);
    }
    update_events(self);
}

static void
read_available(SvirtConsole *self)
{
    char buf[4096];

    while (self->stream) {
        int n = virStreamRecv(self->stream, buf, sizeof(buf));

        if (n == -2)
            return;
        if (n == 0) {
            finish(self, _("The VM closed its console."));
            return;
        }
        if (n < 0) {
            finish(self, _("The console stream failed while reading."));
            return;
        }
        {
            g_autoptr(GBytes) bytes = g_bytes_new(buf, n);

            g_signal_emit(self, signals[SIGNAL_DATA], 0, bytes);
        }
    }
}

static void
on_stream_event(virStreamPtr stream, int events, void *opaque)
{
    g_autoptr(SvirtConsole) self = g_object_ref(opaque);

    if (events & VIR_STREAM_EVENT_READABLE)
        read_available(self);
    if (self->stream && (events & VIR_STREAM_EVENT_WRITABLE))
        flush_pending(self);
    if (self->stream && (events & (VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP)))
        finish(self, _("The console was disconnected."));
}

static void
update_events(SvirtConsole *self)
{
    gboolean want_write = self->pending->len > 0;
    int events = VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP;

    if (!self->stream || !self->started || want_write == self->watching_writable)
        return;
    if (want_write)
        events |= VIR_STREAM_EVENT_WRITABLE;
    virStreamEventUpdateCallback(self->stream, events);
    self->watching_writable = want_write;
}

SvirtConsole *
svirt_console_open(SvirtEngine *engine, const char *vm, GError **error)
{
    g_autoptr(SvirtConsole) self = g_object_new(SVIRT_TYPE_CONSOLE, NULL);
    g_autoptr(virDomain) dom = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];
    const char *name;

    self->conn = svirt_engine_dup_connection(engine, error);
    if (!self->conn)
        return NULL;
    dom = virDomainLookupByUUIDString(self->conn, vm);
    if (!dom) {
        virResetLastError();
        dom = virDomainLookupByName(self->conn, vm);
    }
    if (!dom) {
        virResetLastError();
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND,
                    _("No VM named '%s' on %s. Run 'svirtctl list' to see the VMs."), vm,
                    svirt_engine_get_uri(engine));
        return NULL;
    }
    virDomainGetUUIDString(dom, uuid);
    self->uuid = g_strdup(uuid);
    /* Read before any call fails: every libvirt call, even virDomainGetName(), clears the
     * thread's last error, which the messages below quote. */
    name = virDomainGetName(dom);

    self->stream = virStreamNew(self->conn, VIR_STREAM_NONBLOCK);
    if (!self->stream ||
        virDomainOpenConsole(dom, NULL, self->stream, VIR_DOMAIN_CONSOLE_FORCE) < 0) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT,
                                       _("Start the VM, and give it a serial console."),
                                       _("Could not open the console of %s"), name);
        if (self->stream)
            virStreamFree(g_steal_pointer(&self->stream));
        return NULL;
    }
    self->name = g_strdup(name);
    return g_steal_pointer(&self);
}

static gboolean
open_call(gpointer source, SvirtTaskArgs *args, gpointer *result, GCancellable *cancellable,
          GError **error)
{
    return (*result = svirt_console_open(source, args->vm, error)) != NULL;
}

void
svirt_console_open_async(SvirtEngine *engine, const char *vm, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
    svirt_task_run(engine, svirt_console_open_async, open_call, svirt_task_args_new(vm),
                   g_object_unref, SVIRT_TASK_CANCEL_DROPS, cancellable, callback, user_data);
}

SvirtConsole *
svirt_console_open_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_pointer(engine, svirt_console_open_async, result, error);
}

gboolean
svirt_console_start(SvirtConsole *self, GError **error)
{
    g_return_val_if_fail(SVIRT_IS_CONSOLE(self), FALSE);

    if (self->started)
        return TRUE;
    if (!self->stream) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("The console of %s is closed. Open it again."), self->name);
        return FALSE;
    }
    if (virStreamEventAddCallback(self->stream,
                                  VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR |
                                      VIR_STREAM_EVENT_HANGUP,
                                  on_stream_event, self, NULL) < 0) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not watch the console of %s"), self->name);
        virStreamAbort(self->stream);
        virStreamFree(g_steal_pointer(&self->stream));
        return FALSE;
    }
    self->started = TRUE;
    /* Typed before the start: sent now. */
    flush_pending(self);
    return TRUE;
}

void
svirt_console_write(SvirtConsole *self, const void *data, gsize len)
{
    g_return_if_fail(SVIRT_IS_CONSOLE(self));
    if (!self->stream)
        return;
    g_byte_array_append(self->pending, data, len);
    flush_pending(self);
}

void
svirt_console_close(SvirtConsole *self)
{
    g_return_if_fail(SVIRT_IS_CONSOLE(self));
    if (!self->stream)
        return;
    if (self->started)
        virStreamEventRemoveCallback(self->stream);
    virStreamFinish(self->stream);
    virStreamFree(self->stream);
    self->stream = NULL;
    virResetLastError();
}

gboolean
svirt_console_is_open(SvirtConsole *self)
{
    g_return_val_if_fail(SVIRT_IS_CONSOLE(self), FALSE);
    return self->stream != NULL;
}

const char *
svirt_console_get_vm_uuid(SvirtConsole *self)
{
    g_return_val_if_fail(SVIRT_IS_CONSOLE(self), NULL);
    return self->uuid;
}

static void
svirt_console_dispose(GObject *object)
{
    SvirtConsole *self = SVIRT_CONSOLE(object);

    svirt_console_close(self);
    if (self->conn) {
        virConnectClose(self->conn);
        self->conn = NULL;
    }
    G_OBJECT_CLASS(svirt_console_parent_class)->dispose(object);
}

static void
svirt_console_finalize(GObject *object)
{
    SvirtConsole *self = SVIRT_CONSOLE(object);

    g_byte_array_unref(self->pending);
    g_free(self->uuid);
    g_free(self->name);
    G_OBJECT_CLASS(svirt_console_parent_class)->finalize(object);
}

static void
svirt_console_class_init(SvirtConsoleClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);

    object_class->dispose = svirt_console_dispose;
    object_class->finalize = svirt_console_finalize;

    signals[SIGNAL_DATA] = g_signal_new("data", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BYTES);
    signals[SIGNAL_CLOSED] = g_signal_new("closed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
svirt_console_init(SvirtConsole *self)
{
    self->pending = g_byte_array_new();
}
