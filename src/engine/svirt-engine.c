#include "config.h"

#include <glib/gi18n-lib.h>
#include <libvirt-glib/libvirt-glib.h>
#include <libvirt/virterror.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "svirt-engine.h"
#include "svirt-held-levels.h"
#include "svirt-helper-client.h"
#include "svirt-journal-watch.h"
#include "svirt-private.h"
#include "svirt-task.h"

struct _SvirtEngine {
    GObject parent_instance;

    char *requested_uri;
    /* Interned, so a reader on another thread never sees a freed string while a connecting
     * worker replaces it; read and written atomically. */
    const char *uri;
    char *mcs_range; /* NULL: the host's */
    /* Shared with worker threads: they take their own reference under the lock. */
    GMutex lock;
    virConnectPtr conn;
    int lifecycle_id;
    int metadata_id;
    guint close_idle_id;
    int close_reason;
    SvirtJournalWatch *journal_watch; /* main context only */
    /* What running VMs hold, kept across starts; reset with each new connection (libvirtd
     * numbers runs again when it restarts). */
    SvirtHeldLevels *held;
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
    SIGNAL_LABELS_CHANGED,
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
        struct sigaction now;

        /* libvirt writes to its socket with write(), which raises SIGPIPE when libvirtd has
         * closed the connection: the call should fail, not the program die. A handler the
         * program set itself stays. */
        if (sigaction(SIGPIPE, NULL, &now) == 0 && now.sa_handler == SIG_DFL)
            signal(SIGPIPE, SIG_IGN);
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

void
svirt_engine_set_mcs_range(SvirtEngine *self, const char *range)
{
    g_return_if_fail(SVIRT_IS_ENGINE(self));
    g_mutex_lock(&self->lock);
    g_free(self->mcs_range);
    self->mcs_range = range && *range ? g_strdup(range) : NULL;
    g_mutex_unlock(&self->lock);
}

SvirtHeldLevels *
svirt_engine_get_held_levels(SvirtEngine *self)
{
    return self->held;
}

char *
svirt_engine_dup_mcs_range(SvirtEngine *self, const char *override)
{
    char *range;

    g_return_val_if_fail(SVIRT_IS_ENGINE(self), NULL);
    if (override && *override)
        return g_strdup(override);
    g_mutex_lock(&self->lock);
    range = g_strdup(self->mcs_range);
    g_mutex_unlock(&self->lock);
    return range ? range : svirt_mcs_host_range();
}

virConnectPtr
svirt_engine_dup_connection(SvirtEngine *self, GError **error)
{
    g_return_val_if_fail(SVIRT_IS_ENGINE(self), NULL);
    return engine_ref_conn(self, error);
}

/* libvirt callbacks may run after the engine is gone or while another thread drops its last
 * reference; they hold the engine weakly and take a strong reference only while they run. */
typedef struct {
    GWeakRef engine;
} EngineRef;

static EngineRef *
engine_ref_new(SvirtEngine *self)
{
    EngineRef *ref = g_new0(EngineRef, 1);

    g_weak_ref_init(&ref->engine, self);
    return ref;
}

static void
engine_ref_free(void *data)
{
    EngineRef *ref = data;

    g_weak_ref_clear(&ref->engine);
    g_free(ref);
}

static gboolean
release_idle(gpointer data)
{
    g_object_unref(data);
    return G_SOURCE_REMOVE;
}

/* Never the last unref inside a libvirt callback: that would close the connection from
 * within its own dispatch. */
static void
release_later(SvirtEngine *self)
{
    g_idle_add(release_idle, self);
}

static int
on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    SvirtEngine *self = g_weak_ref_get(&((EngineRef *)opaque)->engine);
    SvirtVmState state = SVIRT_VM_STATE_NOSTATE;
    SvirtVmEventKind kind = svirt_vm_event_from_libvirt(event, detail, &state);
    char uuid[VIR_UUID_STRING_BUFLEN];
    g_autoptr(SvirtVmInfo) info = NULL;

    if (!self)
        return 0;
    if (kind != SVIRT_VM_EVENT_IGNORED && virDomainGetUUIDString(dom, uuid) == 0) {
        info = svirt_vm_info_new(virDomainGetName(dom), uuid, state,
                                 kind == SVIRT_VM_EVENT_DEFINED);
        g_debug("VM %s: event %d detail %d", info->name, event, detail);
        /* A list reads the VM's labels now: a change undone before the journal is next read
         * must still be announced. */
        if (self->journal_watch)
            svirt_journal_watch_forget(self->journal_watch, uuid);
        g_signal_emit(self, signals[SIGNAL_VM_EVENT], 0, kind, info);
    }
    release_later(self);
    return 0;
}

/* Security settings stored by another program (svirtctl set-label, virsh) change the label a
 * VM gets and its isolation, as settings applied here do. */
static void
on_metadata_change(virConnectPtr conn, virDomainPtr dom, int type, const char *nsuri,
                   void *opaque)
{
    SvirtEngine *self = g_weak_ref_get(&((EngineRef *)opaque)->engine);

    if (!self)
        return;
    if (type == VIR_DOMAIN_METADATA_ELEMENT && g_strcmp0(nsuri, SVIRT_METADATA_NS) == 0)
        svirt_engine_notify_domain_changed(self, dom);
    release_later(self);
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
    if (deregister && self->metadata_id >= 0)
        virConnectDomainEventDeregisterAny(conn, self->metadata_id);
    self->lifecycle_id = -1;
    self->metadata_id = -1;
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
                              svirt_engine_get_uri(self), why);
    engine_drop_conn(self, FALSE);
    g_message("%s", message);
    g_signal_emit(self, signals[SIGNAL_DISCONNECTED], 0, message);
    return G_SOURCE_REMOVE;
}

static void
on_close(virConnectPtr conn, int reason, void *opaque)
{
    SvirtEngine *self = g_weak_ref_get(&((EngineRef *)opaque)->engine);

    if (!self)
        return;
    /* Tearing the connection down inside libvirt's own callback is not allowed. */
    if (reason != VIR_CONNECT_CLOSE_REASON_CLIENT && !self->close_idle_id) {
        self->close_reason = reason;
        self->close_idle_id = g_idle_add(on_closed_idle, self);
    }
    release_later(self);
}

gboolean
svirt_engine_connect(SvirtEngine *self, GCancellable *cancellable, GError **error)
{
    virConnectPtr conn;
    EngineRef *close_ref;
    char *uri;
    int id, metadata_id;

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
                                          VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle),
                                          engine_ref_new(self), engine_ref_free);
    if (id < 0) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_CONNECT, NULL,
                                       _("Could not watch VM events on %s"),
                                       self->requested_uri);
        virConnectClose(conn);
        return FALSE;
    }
    /* Drivers without metadata events still work; settings changed elsewhere then show on F5. */
    metadata_id = virConnectDomainEventRegisterAny(
        conn, NULL, VIR_DOMAIN_EVENT_ID_METADATA_CHANGE,
        VIR_DOMAIN_EVENT_CALLBACK(on_metadata_change), engine_ref_new(self), engine_ref_free);
    if (metadata_id < 0)
        virResetLastError();
    /* Only remote connections support these; a local driver has nothing to lose. */
    close_ref = engine_ref_new(self);
    if (virConnectRegisterCloseCallback(conn, on_close, close_ref, engine_ref_free) < 0) {
        engine_ref_free(close_ref);
        virResetLastError();
    }
    if (virConnectSetKeepAlive(conn, 5, 3) < 0)
        virResetLastError();

    uri = virConnectGetURI(conn);
    g_mutex_lock(&self->lock);
    if (self->conn) {
        /* Another attempt won the race; keep the connection it made. */
        g_mutex_unlock(&self->lock);
        virConnectDomainEventDeregisterAny(conn, id);
        if (metadata_id >= 0)
            virConnectDomainEventDeregisterAny(conn, metadata_id);
        virConnectUnregisterCloseCallback(conn, on_close);
        virConnectClose(conn);
        free(uri);
        virResetLastError();
        return TRUE;
    }
    self->conn = conn;
    self->lifecycle_id = id;
    self->metadata_id = metadata_id;
    g_atomic_pointer_set(&self->uri, g_intern_string(uri ? uri : self->requested_uri));
    g_mutex_unlock(&self->lock);
    svirt_held_levels_lock(self->held);
    svirt_held_levels_reset(self->held);
    svirt_held_levels_unlock(self->held);
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

static gboolean
connect_call(gpointer source, SvirtTaskArgs *args, gpointer *result,
             GCancellable *cancellable, GError **error)
{
    if (!svirt_engine_connect(source, cancellable, error))
        return FALSE;
    g_main_context_invoke(args->boxed, notify_connected_idle, g_object_ref(source));
    return TRUE;
}

void
svirt_engine_connect_async(SvirtEngine *self, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
    SvirtTaskArgs *args = svirt_task_args_new(NULL);

    /* Property notifications reach the caller on its own main context. */
    args->boxed = g_main_context_ref_thread_default();
    args->boxed_free = (GDestroyNotify)g_main_context_unref;
    svirt_engine_init_libvirt();
    svirt_task_run(self, svirt_engine_connect_async, connect_call, args, NULL,
                   SVIRT_TASK_CANCEL_DROPS, cancellable, callback, user_data);
}

gboolean
svirt_engine_connect_finish(SvirtEngine *self, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_boolean(self, svirt_engine_connect_async, result, error);
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

/* The VMs of one kind with their states in one call; FALSE, with libvirt's error reset, where
 * the driver has no bulk statistics. */
static gboolean
collect_stats(virConnectPtr conn, gboolean persistent, GPtrArray *out)
{
    virDomainStatsRecordPtr *records = NULL;
    int n = virConnectGetAllDomainStats(conn, VIR_DOMAIN_STATS_STATE, &records,
                                        persistent ? VIR_CONNECT_GET_ALL_DOMAINS_STATS_PERSISTENT
                                                   : VIR_CONNECT_GET_ALL_DOMAINS_STATS_TRANSIENT);

    if (n < 0) {
        virResetLastError();
        return FALSE;
    }
    for (int i = 0; i < n; i++) {
        char uuid[VIR_UUID_STRING_BUFLEN];
        int state = persistent ? VIR_DOMAIN_SHUTOFF : VIR_DOMAIN_RUNNING;

        if (virDomainGetUUIDString(records[i]->dom, uuid) < 0)
            continue;
        virTypedParamsGetInt(records[i]->params, records[i]->nparams, "state.state", &state);
        g_ptr_array_add(out, svirt_vm_info_new(virDomainGetName(records[i]->dom), uuid,
                                               (SvirtVmState)state, persistent));
    }
    virDomainStatsRecordListFree(records);
    return TRUE;
}

typedef struct {
    virConnectPtr conn;
    GPtrArray *vms;
    gboolean ok;
} TransientStats;

static gpointer
collect_transient_stats(gpointer data)
{
    TransientStats *t = data;

    t->ok = collect_stats(t->conn, FALSE, t->vms);
    return NULL;
}

/* Both kinds of VMs, or NULL where the driver has no bulk statistics: the two calls each wait
 * in libvirtd for a VM whose lock a start or stop holds; made at once, they wait once. */
static GPtrArray *
collect_all_stats(virConnectPtr conn)
{
    g_autoptr(GPtrArray) vms = g_ptr_array_new_with_free_func(
        (GDestroyNotify)svirt_vm_info_free);
    g_autoptr(GPtrArray) transient = g_ptr_array_new_with_free_func(
        (GDestroyNotify)svirt_vm_info_free);
    g_autoptr(GHashTable) persistent_uuids = g_hash_table_new(g_str_hash, g_str_equal);
    TransientStats t = { conn, transient, FALSE };
    GThread *thread = g_thread_try_new("svirt-list", collect_transient_stats, &t, NULL);
    gboolean ok = collect_stats(conn, TRUE, vms);

    if (thread)
        g_thread_join(thread);
    else
        collect_transient_stats(&t);
    if (!ok || !t.ok)
        return NULL;
    for (guint i = 0; i < vms->len; i++)
        g_hash_table_add(persistent_uuids, ((SvirtVmInfo *)g_ptr_array_index(vms, i))->uuid);
    while (transient->len > 0) {
        SvirtVmInfo *info = g_ptr_array_steal_index_fast(transient, transient->len - 1);

        /* A VM undefined between the two calls is listed once. */
        if (g_hash_table_contains(persistent_uuids, info->uuid))
            svirt_vm_info_free(info);
        else
            g_ptr_array_add(vms, info);
    }
    return g_steal_pointer(&vms);
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
    vms = collect_all_stats(conn);
    if (vms) {
        if (g_cancellable_set_error_if_cancelled(cancellable, error))
            return NULL;
        g_ptr_array_sort(vms, compare_vm_info);
        return g_steal_pointer(&vms);
    }
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

static gboolean
list_vms_call(gpointer source, SvirtTaskArgs *args, gpointer *result,
              GCancellable *cancellable, GError **error)
{
    return (*result = svirt_engine_list_vms(source, cancellable, error)) != NULL;
}

void
svirt_engine_list_vms_async(SvirtEngine *self, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
    svirt_task_run(self, svirt_engine_list_vms_async, list_vms_call, svirt_task_args_new(NULL),
                   (GDestroyNotify)g_ptr_array_unref, SVIRT_TASK_CANCEL_DROPS, cancellable,
                   callback, user_data);
}

GPtrArray *
svirt_engine_list_vms_finish(SvirtEngine *self, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_pointer(self, svirt_engine_list_vms_async, result, error);
}

const char *
svirt_engine_get_requested_uri(SvirtEngine *self)
{
    g_return_val_if_fail(SVIRT_IS_ENGINE(self), NULL);
    return self->requested_uri;
}

gboolean
svirt_engine_uses_helper(SvirtEngine *self)
{
    g_return_val_if_fail(SVIRT_IS_ENGINE(self), FALSE);
    return svirt_helper_applies(self->requested_uri);
}

const char *
svirt_engine_get_uri(SvirtEngine *self)
{
    const char *uri;

    g_return_val_if_fail(SVIRT_IS_ENGINE(self), NULL);
    uri = g_atomic_pointer_get(&self->uri);
    return uri ? uri : self->requested_uri;
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
stop_watching_labels(SvirtEngine *self)
{
    if (!self->journal_watch)
        return;
    g_signal_handlers_disconnect_by_data(self->journal_watch, self);
    svirt_journal_watch_stop(self->journal_watch);
    g_clear_object(&self->journal_watch);
}

static void
svirt_engine_dispose(GObject *object)
{
    stop_watching_labels(SVIRT_ENGINE(object));
    svirt_engine_disconnect(SVIRT_ENGINE(object));
    G_OBJECT_CLASS(svirt_engine_parent_class)->dispose(object);
}

static void
svirt_engine_finalize(GObject *object)
{
    SvirtEngine *self = SVIRT_ENGINE(object);

    g_free(self->requested_uri);
    g_free(self->mcs_range);
    svirt_held_levels_free(self->held);
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
    /* Emitted on the main loop, with the VM's UUID, after the engine labelled or restored a
     * VM's files (start, stop, a stop it observed, reconcile, an audit fix), after another
     * program changed what the label journal records for it (while svirt_engine_watch_labels()
     * runs), or when what decides them changed (settings stored here or by another program,
     * disks). */
    signals[SIGNAL_LABELS_CHANGED] =
        g_signal_new("labels-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
                     NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
    /* Emitted when the hypervisor connection goes away; the argument says why and what to do. */
    signals[SIGNAL_DISCONNECTED] =
        g_signal_new("disconnected", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                     NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

typedef struct {
    SvirtEngine *engine;
    char *uuid;
} LabelsChanged;

static gboolean
emit_labels_changed(gpointer data)
{
    LabelsChanged *change = data;

    /* What a list reads now may be undone by another process before the journal is next
     * read; that read announces the VM again whatever it finds. */
    if (change->engine->journal_watch)
        svirt_journal_watch_forget(change->engine->journal_watch, change->uuid);
    g_signal_emit(change->engine, signals[SIGNAL_LABELS_CHANGED], 0, change->uuid);
    g_object_unref(change->engine);
    g_free(change->uuid);
    g_free(change);
    return G_SOURCE_REMOVE;
}

void
svirt_engine_notify_labels_changed(SvirtEngine *self, const char *uuid)
{
    LabelsChanged *change = g_new0(LabelsChanged, 1);

    g_return_if_fail(SVIRT_IS_ENGINE(self));
    change->engine = g_object_ref(self);
    change->uuid = g_strdup(uuid);
    g_main_context_invoke(NULL, emit_labels_changed, change);
}

static void
on_holders_changed(SvirtJournalWatch *watch, const char *uuid, SvirtEngine *self)
{
    /* Already on the main context, and what the watch read needs no second look. */
    g_signal_emit(self, signals[SIGNAL_LABELS_CHANGED], 0, uuid);
}

void
svirt_engine_watch_labels(SvirtEngine *self)
{
    g_autoptr(GError) error = NULL;

    g_return_if_fail(SVIRT_IS_ENGINE(self));
    /* Once per engine, however many windows ask. */
    if (self->journal_watch)
        return;
    self->journal_watch = svirt_journal_watch_new(NULL);
    g_signal_connect(self->journal_watch, "holders-changed", G_CALLBACK(on_holders_changed),
                     self);
    if (!svirt_journal_watch_start(self->journal_watch, &error)) {
        g_message("%s", error->message);
        stop_watching_labels(self);
    }
}

gboolean
svirt_engine_is_watching_labels(SvirtEngine *self)
{
    g_return_val_if_fail(SVIRT_IS_ENGINE(self), FALSE);
    return self->journal_watch && svirt_journal_watch_is_ready(self->journal_watch);
}

void
svirt_engine_notify_domain_changed(SvirtEngine *self, virDomainPtr dom)
{
    char uuid[VIR_UUID_STRING_BUFLEN];

    g_return_if_fail(SVIRT_IS_ENGINE(self));
    if (dom && virDomainGetUUIDString(dom, uuid) == 0)
        svirt_engine_notify_labels_changed(self, uuid);
    else
        virResetLastError();
}

static void
svirt_engine_init(SvirtEngine *self)
{
    g_mutex_init(&self->lock);
    self->held = svirt_held_levels_new();
    self->lifecycle_id = -1;
    self->metadata_id = -1;
}

static void
set_not_found(SvirtEngine *self, const char *vm, GError **error)
{
    g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND,
                _("No VM named '%s' on %s. Run 'svirtctl list' to see the VMs."), vm,
                svirt_engine_get_uri(self));
}

/* By UUID first when @vm has the shape of one, as virsh does, so that the lists and windows,
 * which pass UUIDs, make one round trip; then by name. */
static virDomainPtr
lookup_in(SvirtEngine *self, virConnectPtr conn, const char *vm, GError **error)
{
    gboolean uuid_shaped = g_uuid_string_is_valid(vm);
    virDomainPtr dom = uuid_shaped ? virDomainLookupByUUIDString(conn, vm)
                                   : virDomainLookupByName(conn, vm);

    if (dom == NULL && virGetLastErrorCode() == VIR_ERR_NO_DOMAIN) {
        virResetLastError();
        /* A name that is not found may still be a UUID libvirt reads (without hyphens). */
        dom = uuid_shaped ? virDomainLookupByName(conn, vm)
                          : virDomainLookupByUUIDString(conn, vm);
        /* Not a UUID at all: then the name was all it could be. */
        if (dom == NULL && virGetLastErrorCode() == VIR_ERR_INVALID_ARG)
            virResetLastError();
    }
    if (dom == NULL) {
        int code = virGetLastErrorCode();

        if (code == VIR_ERR_OK || code == VIR_ERR_NO_DOMAIN) {
            virResetLastError();
            set_not_found(self, vm, error);
        } else {
            svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                           _("Could not look up VM '%s'"), vm);
        }
    }
    return dom;
}

virDomainPtr
svirt_engine_lookup_domain(SvirtEngine *self, const char *vm, GError **error)
{
    g_autoptr(virConnect) conn = NULL;

    g_return_val_if_fail(SVIRT_IS_ENGINE(self), NULL);
    g_return_val_if_fail(vm != NULL, NULL);

    conn = engine_ref_conn(self, error);
    if (conn == NULL)
        return NULL;
    if (*vm == '\0') {
        set_not_found(self, vm, error);
        return NULL;
    }
    return lookup_in(self, conn, vm, error);
}

SvirtVmInfo *
svirt_engine_lookup_vm(SvirtEngine *self, const char *vm, GError **error)
{
    g_autoptr(virDomain) dom = svirt_engine_lookup_domain(self, vm, error);
    char uuid[VIR_UUID_STRING_BUFLEN];
    int state = VIR_DOMAIN_NOSTATE;
    int reason;

    if (dom == NULL)
        return NULL;
    if (virDomainGetUUIDString(dom, uuid) < 0 || virDomainGetState(dom, &state, &reason, 0) < 0) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not read the state of VM '%s'"), vm);
        return NULL;
    }
    return svirt_vm_info_new(virDomainGetName(dom), uuid, (SvirtVmState)state,
                             virDomainIsPersistent(dom) == 1);
}

char *
svirt_domain_dup_xml(virDomainPtr dom, gboolean inactive, GError **error)
{
    gboolean persistent = virDomainIsPersistent(dom) == 1;
    /* Before the call that may fail: virDomainGetName() clears libvirt's last error. */
    const char *name = virDomainGetName(dom);
    char *xml = virDomainGetXMLDesc(dom, inactive && persistent ? VIR_DOMAIN_XML_INACTIVE : 0);
    char *copy;

    if (xml == NULL) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not read the definition of VM '%s'"), name);
        return NULL;
    }
    copy = g_strdup(xml);
    free(xml);
    return copy;
}

char *
svirt_engine_get_domain_xml(SvirtEngine *self, const char *vm, gboolean inactive,
                            GError **error)
{
    g_autoptr(virDomain) dom = svirt_engine_lookup_domain(self, vm, error);

    return dom ? svirt_domain_dup_xml(dom, inactive, error) : NULL;
}
