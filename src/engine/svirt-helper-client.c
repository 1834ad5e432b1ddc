#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#include <unistd.h>

#include "svirt-error.h"
#include "svirt-helper-client.h"
#include "svirt-journal.h"

/* Starts and stops may wait for a guest to shut down, and polkit for a password; reads for
 * status and the audit answer at once, or a refresh would hang behind a stuck service. */
#define CALL_TIMEOUT_MS (15 * 60 * 1000)
#define READ_TIMEOUT_MS (30 * 1000)

static const struct {
    SvirtErrorCode code;
    const char *name;
} error_names[] = {
    { SVIRT_ERROR_FAILED, "Failed" },
    { SVIRT_ERROR_CONNECT, "Connect" },
    { SVIRT_ERROR_DISCONNECTED, "Disconnected" },
    { SVIRT_ERROR_LIBVIRT, "Libvirt" },
    { SVIRT_ERROR_NOT_FOUND, "NotFound" },
    { SVIRT_ERROR_INVALID_CONTEXT, "InvalidContext" },
    { SVIRT_ERROR_INVALID_RANGE, "InvalidRange" },
    { SVIRT_ERROR_EXHAUSTED, "Exhausted" },
    { SVIRT_ERROR_IN_USE, "InUse" },
    { SVIRT_ERROR_INVALID_SETTINGS, "InvalidSettings" },
    { SVIRT_ERROR_POLICY, "Policy" },
    { SVIRT_ERROR_UNSAFE, "Unsafe" },
    { SVIRT_ERROR_UNSUPPORTED, "Unsupported" },
    { SVIRT_ERROR_PERMISSION, "NotAuthorized" },
    { SVIRT_ERROR_SHARED_LEVEL, "SharedLevel" },
    { SVIRT_ERROR_TIMED_OUT, "TimedOut" },
};

void
svirt_helper_register_errors(void)
{
    static gsize registered;

    if (g_once_init_enter(&registered)) {
        for (guint i = 0; i < G_N_ELEMENTS(error_names); i++) {
            g_autofree char *name = g_strconcat(SVIRT_HELPER_ERROR_PREFIX,
                                                error_names[i].name, NULL);

            g_dbus_error_register_error(SVIRT_ERROR, error_names[i].code, name);
        }
        g_once_init_leave(&registered, 1);
    }
}

gboolean
svirt_helper_applies(const char *uri)
{
    return uri != NULL && geteuid() != 0 && g_str_equal(uri, "qemu:///system");
}

/* The service's own message, without GDBus's "GDBus.Error:name: " prefix; errors the service
 * did not send (no bus, no service) say what to do. */
static void
convert_error(GError **error, const char *what)
{
    GError *e = error ? *error : NULL;
    g_autofree char *msg = NULL;

    if (e == NULL)
        return;
    if (e->domain == SVIRT_ERROR) {
        g_dbus_error_strip_remote_error(e);
        return;
    }
    if (g_dbus_error_is_remote_error(e)) {
        g_autofree char *remote = g_dbus_error_get_remote_error(e);

        g_dbus_error_strip_remote_error(e);
        if (g_strcmp0(remote, "org.freedesktop.DBus.Error.ServiceUnknown") == 0 ||
            g_strcmp0(remote, "org.freedesktop.DBus.Error.NameHasNoOwner") == 0 ||
            g_strcmp0(remote, "org.freedesktop.systemd1.NoSuchUnit") == 0)
            msg = g_strdup_printf(
                _("Could not %s: sVirt Manager's system service (%s) is not installed or "
                  "does not start (%s). Install sVirt Manager system-wide (tools/run does it), "
                  "or run as root."),
                what, SVIRT_HELPER_BUS_NAME, e->message);
        else if (g_strcmp0(remote, "org.freedesktop.DBus.Error.AccessDenied") == 0)
            msg = g_strdup_printf(
                _("Could not %s: the system bus does not let this user call sVirt Manager's "
                  "system service (%s). Its bus policy (org.svirt.Manager1.conf) is missing or "
                  "old: install sVirt Manager system-wide again (tools/setup --system-install)."),
                what, e->message);
        else if (g_strcmp0(remote, "org.freedesktop.DBus.Error.NoReply") == 0 ||
                 g_strcmp0(remote, "org.freedesktop.DBus.Error.Timeout") == 0)
            msg = g_strdup_printf(
                _("Could not %s: sVirt Manager's system service ended before it answered (%s). "
                  "What it had labelled is restored when it runs again (svirtctl reconcile)."),
                what, e->message);
    } else if (g_error_matches(e, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)) {
        msg = g_strdup_printf(_("Could not %s: sVirt Manager's system service did not answer "
                                "in time (%s). Try again; if it keeps happening, restart the "
                                "service (svirt-helper.service)."),
                              what, e->message);
    } else {
        msg = g_strdup_printf(
            _("Could not %s: the system bus is not reachable (%s). A desktop user needs the "
              "system bus and sVirt Manager's system service; as root nothing of it is "
              "needed."),
            what, e->message);
    }
    if (msg) {
        g_clear_error(error);
        g_set_error_literal(error, SVIRT_ERROR, SVIRT_ERROR_FAILED, msg);
    }
}

static GVariant *
call_with_flags(const char *method, GVariant *args, const GVariantType *reply_type,
                GDBusCallFlags flags, const char *what, GError **error)
{
    g_autoptr(GDBusConnection) bus = NULL;
    GVariant *reply;

    svirt_helper_register_errors();
    bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, error);
    if (!bus) {
        if (args)
            g_variant_unref(g_variant_ref_sink(args));
        convert_error(error, what);
        return NULL;
    }
    reply = g_dbus_connection_call_sync(bus, SVIRT_HELPER_BUS_NAME, SVIRT_HELPER_OBJECT_PATH,
                                        SVIRT_HELPER_INTERFACE, method, args, reply_type,
                                        flags,
                                        flags & G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION
                                            ? CALL_TIMEOUT_MS
                                            : READ_TIMEOUT_MS,
                                        NULL, error);
    if (!reply)
        convert_error(error, what);
    return reply;
}

static GVariant *
call(const char *method, GVariant *args, const GVariantType *reply_type, const char *what,
     GError **error)
{
    return call_with_flags(method, args, reply_type,
                           G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, what, error);
}

SvirtJournal *
svirt_helper_read_journal(GError **error)
{
    g_autoptr(GVariant) reply = call_with_flags("ReadJournal", NULL, G_VARIANT_TYPE("(s)"),
                                                G_DBUS_CALL_FLAGS_NONE,
                                                _("read the label journal"), error);
    const char *text;

    if (!reply)
        return NULL;
    g_variant_get(reply, "(&s)", &text);
    return svirt_journal_snapshot_from_data(text, strlen(text), error);
}

SvirtJournal *
svirt_engine_journal_snapshot(SvirtEngine *engine, GError **error)
{
    if (svirt_engine_uses_helper(engine))
        return svirt_helper_read_journal(error);
    return svirt_journal_read_snapshot(NULL, error);
}

static gboolean
take_uuid(GVariant *reply, char **uuid_out)
{
    if (!reply)
        return FALSE;
    if (uuid_out)
        g_variant_get(reply, "(s)", uuid_out);
    g_variant_unref(reply);
    return TRUE;
}

gboolean
svirt_helper_start_vm(const char *vm, const char *mcs_range, char **uuid_out, GError **error)
{
    return take_uuid(call("Start", g_variant_new("(ss)", vm, mcs_range ? mcs_range : ""),
                          G_VARIANT_TYPE("(s)"), _("start the VM"), error),
                     uuid_out);
}

gboolean
svirt_helper_stop_vm(const char *vm, gboolean force, guint timeout_ms, char **uuid_out,
                     GError **error)
{
    return take_uuid(call("Stop", g_variant_new("(sbu)", vm, force, timeout_ms),
                          G_VARIANT_TYPE("(s)"), _("stop the VM"), error),
                     uuid_out);
}

gboolean
svirt_helper_reconcile(guint *n_restored, guint *n_kept, GError **error)
{
    g_autoptr(GVariant) reply = call("Reconcile", NULL, G_VARIANT_TYPE("(uu)"),
                                     _("restore the labels of stopped VMs"), error);
    guint32 restored, kept;

    if (!reply)
        return FALSE;
    g_variant_get(reply, "(uu)", &restored, &kept);
    if (n_restored)
        *n_restored = restored;
    if (n_kept)
        *n_kept = kept;
    return TRUE;
}

gboolean
svirt_helper_fix(const SvirtFinding *finding, GError **error)
{
    g_autoptr(GVariant) reply = NULL;

    reply = call("FixLabels",
                 g_variant_new("(sss)", finding->vm_uuid ? finding->vm_uuid : "",
                               svirt_finding_kind_to_id(finding->kind),
                               finding->path ? finding->path : ""),
                 G_VARIANT_TYPE("()"), _("fix the labels"), error);
    return reply != NULL;
}

gboolean
svirt_helper_set_settings(const char *vm, const SvirtSettings *settings, char **uuid_out,
                          GError **error)
{
    g_autofree char *xml = svirt_settings_format(settings);

    return take_uuid(call("SetSecurity", g_variant_new("(ss)", vm, xml), G_VARIANT_TYPE("(s)"),
                          _("change the security settings"), error),
                     uuid_out);
}

GHashTable *
svirt_helper_read_labels(const char *vm, GError **error)
{
    /* Status and audit read often: they never ask for a password. */
    g_autoptr(GVariant) reply = call_with_flags("ReadLabels", g_variant_new("(s)", vm),
                                                G_VARIANT_TYPE("(a(ss))"), G_DBUS_CALL_FLAGS_NONE,
                                                _("read the labels"), error);
    g_autoptr(GVariantIter) iter = NULL;
    GHashTable *labels;
    const char *path, *label;

    if (!reply)
        return NULL;
    labels = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_variant_get(reply, "(a(ss))", &iter);
    while (g_variant_iter_next(iter, "(&s&s)", &path, &label))
        g_hash_table_insert(labels, g_strdup(path), *label ? g_strdup(label) : NULL);
    return labels;
}

/* The labels read for one VM, or NULL where the helper could not read them. */
static void
labels_unref(gpointer labels)
{
    if (labels)
        g_hash_table_unref(labels);
}

GHashTable *
svirt_helper_label_cache_new(void)
{
    return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, labels_unref);
}

gboolean
svirt_helper_cached_label(GHashTable *cache, const char *vm, const char *path, char **label)
{
    GHashTable *labels;
    gpointer found;

    if (!g_hash_table_contains(cache, vm))
        g_hash_table_insert(cache, g_strdup(vm), svirt_helper_read_labels(vm, NULL));
    labels = g_hash_table_lookup(cache, vm);
    if (!labels || !g_hash_table_lookup_extended(labels, path, NULL, &found))
        return FALSE;
    *label = g_strdup(found);
    return TRUE;
}
