#include "config.h"

#include <glib/gi18n-lib.h>
#include <libvirt-glib/libvirt-glib.h>
#include <libvirt/virterror.h>
#include <string.h>
#include <unistd.h>

#include "svirt-engine.h"

struct _SvirtEngine {
    GObject parent_instance;

    char *requested_uri;
    char *uri;
    /* Shared with worker threads: they take their own reference under the lock. */
    GMutex lock;
    virConnectPtr conn;
    int lifecycle_id;
    guint close_idle_id;
    int close_reason;
};

enum {
    PROP_0,
    PROP_URI,
    PROP_CONNECTED,
    N_PROPS,
};

enum {
    SIGNAL_VM_EVENT,
    SIGNAL_DISCONNECTED,
    N_SIGNALS,
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_TYPE(SvirtEngine, svirt_engine, G_TYPE_OBJECT)

static void
ignore_libvirt_error(void *opaque, virErrorPtr err)
{
    /* Errors are turned into GErrors where they happen; libvirt must not print them. */
}

void
svirt_engine_init_libvirt(void)
{
    static gsize once;

    if (g_once_init_enter(&once)) {
        virInitialize();
        virSetErrorFunc(NULL, ignore_libvirt_error);
        /* libvirt events and keepalives are dispatched from the GLib main loop. */
        gvir_event_register();
        g_once_init_leave(&once, 1);
    }
}

const char *
svirt_engine_default_uri(void)
{
    const char *env = g_getenv("LIBVIRT_DEFAULT_URI");

    if (env && *env)
        return env;
    return geteuid() == 0 ? "qemu:///system" : "qemu:///session";
}

void
svirt_engine_set_libvirt_error(GError **error, SvirtErrorCode code, const char *hint,
                               const char *format, ...)
{
    g_autofree char *what = NULL;
    g_autofree char *detail = g_strdup(virGetLastErrorMessage());
    va_list args;

    va_start(args, format);
    what = g_strdup_vprintf(format, args);
    va_end(args);
    g_strchomp(detail);
    if (g_str_has_suffix(detail, "."))
        detail[strlen(detail) - 1] = '\0';
    if (hint)
        g_set_error(error, SVIRT_ERROR, code, "%s: %s. %s", what, detail, hint);
    else
        g_set_error(error, SVIRT_ERROR, code, "%s: %s.", what, detail);
    virResetLastError();
}

static virConnectPtr
engine_ref_conn(SvirtEngine *self, GError **error)
{
    virConnectPtr conn = NULL;

    g_mutex_lock(&self->lock);
    if (self->conn) {
        conn = self->conn;
        virConnectRef(conn);
    }
    g_mutex_unlock(&self->lock);
    if (!conn)
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_DISCONNECTED,
                    _("Not connected to %s. Connect first, then try again."),
                    self->requested_uri);
    return conn;
}

virConnectPtr
svirt_engine_dup_connection(SvirtEngine *self, GError **error)
{
    g_return_val_if_fail(SVIRT_IS_ENGINE(self), NULL);
    return engine_ref_conn(self, error);
}

static int
on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    SvirtEngine *self = opaque;
    SvirtVmState state = SVIRT_VM_STATE_NOSTATE;
    SvirtVmEventKind kind = svirt_vm_event_from_libvirt(event, detail, &state);
    char uuid[VIR_UUID_STRING_BUFLEN];
    g_autoptr(SvirtVmInfo) info = NULL;

    if (kind == SVIRT_VM_EVENT_IGNORED)
        return 0;
    if (virDomainGetUUIDString(dom, uuid) < 0)
        return 0;
    info = svirt_vm_info_new(virDomainGetName(dom), uuid, state, kind == SVIRT_VM_EVENT_DEFINED);
    g_debug("VM %s: event %d detail %d", info->name, event, detail);
    g_signal_emit(self, signals[SIGNAL_VM_EVENT], 0, kind, info);
    return 0;
}

static void on_close(virConnectPtr conn, int reason, void *opaque);

static void
engine_drop_conn(SvirtEngine *self, gboolean deregister)
{
    virConnectPtr conn;

    g_mutex_lock(&self->lock);
    conn = g_steal_pointer(&self->conn);
    g_mutex_unlock(&self->lock);
    if (!conn)
        return;
    if (deregister && self->lifecycle_id >= 0)
        virConnectDomainEventDeregisterAny(conn, self->lifecycle_id);
    self->lifecycle_id = -1;
    virConnectUnregisterCloseCallback(conn, on_close);
    virConnectClose(conn);
    virResetLastError();
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_CONNECTED]);
}

static gboolean
on_closed_idle(gpointer user_data)
{
    SvirtEngine *self = user_data;
    const char *why;
    g_autofree char *message = NULL;

    self->close_idle_id = 0;
    switch (self->close_reason) {
    case VIR_CONNECT_CLOSE_REASON_KEEPALIVE:
        why = _("the hypervisor stopped answering");
        break;
    case VIR_CONNECT_CLOSE_REASON_EOF:
        why = _("the hypervisor closed the connection; libvirtd may have stopped");
        break;
    default:
        why = _("the connection failed");
        break;
    }
    /* TRANSLATORS: %1$s is a libvirt URI, %2$s why the connection ended */
    message = g_strdup_printf(_("Lost the connection to %1$s: %2$s. Make sure libvirtd is "
                                "running, then retry."),
                              self->uri ? self->uri : self->requested_uri, why);
    engine_drop_conn(self, FALSE);
    g_message("%s", message);
    g_signal_emit(self, signals[SIGNAL_DISCONNECTED], 0, message);
    return G_SOURCE_REMOVE;
}

static void
on_close(virConnectPtr conn, int reason, void *opaque)
{
    SvirtEngine *self = opaque;

    if (reason == VIR_CONNECT_CLOSE_REASON_CLIENT)
        return;
    /* Tearing the connection down inside libvirt's own callback is not allowed. */
    self->close_reason = reason;
    if (!self->close_idle_id)
        self->close_idle_id = g_idle_add(on_closed_idle, self);
}

gboolean
svirt_engine_connect(SvirtEngine *self, GCancellable *cancellable, GError **error)
{
    virConnectPtr conn;
    char *uri;
    int id;

    g_return_val_if_fail(SVIRT_IS_ENGINE(self), FALSE);

    svirt_engine_init_libvirt();
    if (svirt_engine_is_connected(self))
        return TRUE;

    conn = virConnectOpenAuth(self->requested_uri, virConnectAuthPtrDefault, 0);
    if (!conn) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_CONNECT,
                                       _("Check the URI and that libvirtd is running, then "
                                         "retry."),
                                       _("Could not connect to %s"), self->requested_uri);
        return FALSE;
    }
    if (g_cancellable_set_error_if_cancelled(cancellable, error)) {
        virConnectClose(conn);
        return FALSE;
    }

    id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                          VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), self, NULL);
    if (id < 0) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_CONNECT, NULL,
                                       _("Could not watch VM events on %s"),
                                       self->requested_uri);
        virConnectClose(conn);
        return FALSE;
    }
    /* Only remote connections support these; a local driver has nothing to lose. */
    if (virConnectRegisterCloseCallback(conn, on_close, self, NULL) < 0)
        virResetLastError();
    if (virConnectSetKeepAlive(conn, 5, 3) < 0)
        virResetLastError();

    uri = virConnectGetURI(conn);
    g_mutex_lock(&self->lock);
    if (self->conn) {
        /* Another attempt won the race; keep the connection it made. */
        g_mutex_unlock(&self->lock);
        virConnectDomainEventDeregisterAny(conn, id);
        virConnectUnregisterCloseCallback(conn, on_close);
        virConnectClose(conn);
        free(uri);
        virResetLastError();
        return TRUE;
    }
    self->conn = conn;
    self->lifecycle_id = id;
    g_free(self->uri);
    self->uri = g_strdup(uri ? uri : self->requested_uri);
    g_mutex_unlock(&self->lock);
    free(uri);
    virResetLastError();
    return TRUE;
}

static gboolean
notify_connected_idle(gpointer user_data)
{
    g_autoptr(SvirtEngine) self = user_data;

    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_CONNECTED]);
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_URI]);
    return G_SOURCE_REMOVE;
}

static void
connect_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
    SvirtEngine *self = source;
    GError *error = NULL;

    if (!svirt_engine_connect(self, cancellable, &error)) {
        g_task_return_error(task, error);
        return;
    }
    g_main_context_invoke(g_task_get_context(task), notify_connected_idle, g_object_ref(self));
    g_task_return_boolean(task, TRUE);
}

void
svirt_engine_connect_async(SvirtEngine *self, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
    g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);

    g_task_set_source_tag(task, svirt_engine_connect_async);
    svirt_engine_init_libvirt();
    g_task_run_in_thread(task, connect_thread);
}

gboolean
svirt_engine_connect_finish(SvirtEngine *self, GAsyncResult *result, GError **error)
{
    g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
    return g_task_propagate_boolean(G_TASK(result), error);
}

void
svirt_engine_disconnect(SvirtEngine *self)
{
    g_return_if_fail(SVIRT_IS_ENGINE(self));
    g_clear_handle_id(&self->close_idle_id, g_source_remove);
    engine_drop_conn(self, TRUE);
}

static int
compare_vm_info(gconstpointer a, gconstpointer b)
{
    const SvirtVmInfo *ia = *(SvirtVmInfo *const *)a;
    const SvirtVmInfo *ib = *(SvirtVmInfo *const *)b;

    return g_strcmp0(ia->name, ib->name);
}

static gboolean
collect_domains(virConnectPtr conn, unsigned int flags, gboolean persistent, GHashTable *by_uuid,
                GPtrArray *out, GError **error)
{
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(conn, &doms, flags);

    if (n < 0) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not list the virtual machines"));
        return FALSE;
    }
    for (int i = 0; i < n; i++) {
        char uuid[VIR_UUID_STRING_BUFLEN];

        /* States come from one bulk call later; a transient VM exists only while active. */
        if (virDomainGetUUIDString(doms[i], uuid) == 0) {
            SvirtVmInfo *info = svirt_vm_info_new(
                virDomainGetName(doms[i]), uuid,
                persistent ? SVIRT_VM_STATE_SHUTOFF : SVIRT_VM_STATE_RUNNING, persistent);
            g_ptr_array_add(out, info);
            g_hash_table_insert(by_uuid, info->uuid, info);
        }
        virDomainFree(doms[i]);
    }
    free(doms);
    return TRUE;
}

static gboolean
fill_states(virConnectPtr conn, GHashTable *by_uuid, GPtrArray *vms, GError **error)
{
    virDomainStatsRecordPtr *records = NULL;
    int n = virConnectGetAllDomainStats(conn, VIR_DOMAIN_STATS_STATE, &records, 0);

    if (n >= 0) {
        for (int i = 0; i < n; i++) {
            char uuid[VIR_UUID_STRING_BUFLEN];
            SvirtVmInfo *info;
            int state;

            if (virDomainGetUUIDString(records[i]->dom, uuid) < 0 ||
                !(info = g_hash_table_lookup(by_uuid, uuid)))
                continue;
            if (virTypedParamsGetInt(records[i]->params, records[i]->nparams, "state.state",
                                     &state) == 1)
                info->state = (SvirtVmState)state;
        }
        virDomainStatsRecordListFree(records);
        return TRUE;
    }

    /* Drivers without bulk statistics: ask each VM. */
    virResetLastError();
    for (guint i = 0; i < vms->len; i++) {
        SvirtVmInfo *info = g_ptr_array_index(vms, i);
        g_autoptr(virDomain) dom = virDomainLookupByUUIDString(conn, info->uuid);
        int state, reason;

        if (!dom || virDomainGetState(dom, &state, &reason, 0) < 0) {
            /* The VM went away meanwhile; its lifecycle event follows. */
            virResetLastError();
            continue;
        }
        info->state = (SvirtVmState)state;
    }
    return TRUE;
}

GPtrArray *
svirt_engine_list_vms(SvirtEngine *self, GCancellable *cancellable, GError **error)
{
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(GPtrArray) vms = NULL;
    g_autoptr(GHashTable) by_uuid = NULL;

    g_return_val_if_fail(SVIRT_IS_ENGINE(self), NULL);

    conn = engine_ref_conn(self, error);
    if (!conn)
        return NULL;
    vms = g_ptr_array_new_with_free_func((GDestroyNotify)svirt_vm_info_free);
    by_uuid = g_hash_table_new(g_str_hash, g_str_equal);
    if (!collect_domains(conn, VIR_CONNECT_LIST_DOMAINS_PERSISTENT, TRUE, by_uuid, vms, error) ||
        !collect_domains(conn, VIR_CONNECT_LIST_DOMAINS_TRANSIENT, FALSE, by_uuid, vms, error))
        return NULL;
    if (g_cancellable_set_error_if_cancelled(cancellable, error))
        return NULL;
    if (!fill_states(conn, by_uuid, vms, error))
        return NULL;
    g_ptr_array_sort(vms, compare_vm_info);
    return g_steal_pointer(&vms);
}

static void
list_vms_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
    GError *error = NULL;
    GPtrArray *vms = svirt_engine_list_vms(source, cancellable, &error);

    if (!vms)
        g_task_return_error(task, error);
    else
        g_task_return_pointer(task, vms, (GDestroyNotify)g_ptr_array_unref);
}

void
svirt_engine_list_vms_async(SvirtEngine *self, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
    g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);

    g_task_set_source_tag(task, svirt_engine_list_vms_async);
    g_task_run_in_thread(task, list_vms_thread);
}

GPtrArray *
svirt_engine_list_vms_finish(SvirtEngine *self, GAsyncResult *result, GError **error)
{
    g_return_val_if_fail(g_task_is_valid(result, self), NULL);
    return g_task_propagate_pointer(G_TASK(result), error);
}

const char *
svirt_engine_get_requested_uri(SvirtEngine *self)
{
    g_return_val_if_fail(SVIRT_IS_ENGINE(self), NULL);
    return self->requested_uri;
}

const char *
svirt_engine_get_uri(SvirtEngine *self)
{
    g_return_val_if_fail(SVIRT_IS_ENGINE(self), NULL);
    return self->uri ? self->uri : self->requested_uri;
}

gboolean
svirt_engine_is_connected(SvirtEngine *self)
{
    gboolean connected;

    g_return_val_if_fail(SVIRT_IS_ENGINE(self), FALSE);
    g_mutex_lock(&self->lock);
    connected = self->conn != NULL;
    g_mutex_unlock(&self->lock);
    return connected;
}

SvirtEngine *
svirt_engine_new(const char *uri)
{
    return g_object_new(SVIRT_TYPE_ENGINE, "uri", uri, NULL);
}

static void
svirt_engine_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
    SvirtEngine *self = SVIRT_ENGINE(object);

    switch (prop_id) {
    case PROP_URI:
        g_value_set_string(value, svirt_engine_get_uri(self));
        break;
    case PROP_CONNECTED:
        g_value_set_boolean(value, svirt_engine_is_connected(self));
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
svirt_engine_set_property(GObject *object, guint prop_id, const GValue *value,
                          GParamSpec *pspec)
{
    SvirtEngine *self = SVIRT_ENGINE(object);

    switch (prop_id) {
    case PROP_URI: {
        const char *uri = g_value_get_string(value);

        g_free(self->requested_uri);
        self->requested_uri = g_strdup(uri && *uri ? uri : svirt_engine_default_uri());
        break;
    }
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
svirt_engine_dispose(GObject *object)
{
    svirt_engine_disconnect(SVIRT_ENGINE(object));
    G_OBJECT_CLASS(svirt_engine_parent_class)->dispose(object);
}

static void
svirt_engine_finalize(GObject *object)
{
    SvirtEngine *self = SVIRT_ENGINE(object);

    g_free(self->requested_uri);
    g_free(self->uri);
    g_mutex_clear(&self->lock);
    G_OBJECT_CLASS(svirt_engine_parent_class)->finalize(object);
}

static void
svirt_engine_class_init(SvirtEngineClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);

    object_class->get_property = svirt_engine_get_property;
    object_class->set_property = svirt_engine_set_property;
    object_class->dispose = svirt_engine_dispose;
    object_class->finalize = svirt_engine_finalize;

    properties[PROP_URI] =
        g_param_spec_string("uri", NULL, NULL, NULL,
                            G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
    properties[PROP_CONNECTED] = g_param_spec_boolean(
        "connected", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties(object_class, N_PROPS, properties);

    /* Emitted on the main loop for each lifecycle change that a VM list shows. */
    signals[SIGNAL_VM_EVENT] =
        g_signal_new("vm-event", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                     NULL, G_TYPE_NONE, 2, G_TYPE_INT, SVIRT_TYPE_VM_INFO);
    /* Emitted when the hypervisor connection goes away; the argument says why and what to do. */
    signals[SIGNAL_DISCONNECTED] =
        g_signal_new("disconnected", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                     NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
svirt_engine_init(SvirtEngine *self)
{
    g_mutex_init(&self->lock);
    self->lifecycle_id = -1;
}
