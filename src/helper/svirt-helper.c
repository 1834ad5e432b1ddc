/* svirt-helper: the system service that does, as root, the steps a desktop user's sVirt
 * Manager may not do on qemu:///system (labelling files, starting and stopping VMs), after
 * asking polkit whether the caller may. It takes from the caller nothing but which VM and what
 * to do: it reads the VM from libvirtd itself, builds the plan itself and runs the engine. */
#include "config.h"

#include <glib/gi18n.h>
#include <libvirt/libvirt.h>
#include <locale.h>
#include <polkit/polkit.h>
#include <string.h>
#include <unistd.h>

#include "svirt-audit.h"
#include "svirt-engine.h"
#include "svirt-helper-client.h"
#include "svirt-journal.h"
#include "svirt-labeler.h"
#include "svirt-lifecycle.h"

#define HELPER_URI "qemu:///system"
#define MAX_SHUTDOWN_WAIT_MS (10 * 60 * 1000)

static const char introspection_xml[] =
    "<node>"
    "  <interface name='" SVIRT_HELPER_INTERFACE "'>"
    "    <method name='Start'>"
    "      <arg name='vm' type='s' direction='in'/>"
    "      <arg name='mcs_range' type='s' direction='in'/>"
    "      <arg name='uuid' type='s' direction='out'/>"
    "    </method>"
    "    <method name='Stop'>"
    "      <arg name='vm' type='s' direction='in'/>"
    "      <arg name='force' type='b' direction='in'/>"
    "      <arg name='timeout_ms' type='u' direction='in'/>"
    "      <arg name='uuid' type='s' direction='out'/>"
    "    </method>"
    "    <method name='Reconcile'>"
    "      <arg name='restored' type='u' direction='out'/>"
    "      <arg name='kept' type='u' direction='out'/>"
    "    </method>"
    "    <method name='FixLabels'>"
    "      <arg name='vm' type='s' direction='in'/>"
    "      <arg name='kind' type='s' direction='in'/>"
    "      <arg name='path' type='s' direction='in'/>"
    "    </method>"
    "    <method name='SetSecurity'>"
    "      <arg name='vm' type='s' direction='in'/>"
    "      <arg name='settings' type='s' direction='in'/>"
    "      <arg name='uuid' type='s' direction='out'/>"
    "    </method>"
    "    <method name='ReadJournal'>"
    "      <arg name='journal' type='s' direction='out'/>"
    "    </method>"
    "    <method name='ReadLabels'>"
    "      <arg name='vm' type='s' direction='in'/>"
    "      <arg name='labels' type='a(ss)' direction='out'/>"
    "    </method>"
    "  </interface>"
    "</node>";

typedef struct {
    SvirtEngine *engine;
    PolkitAuthority *authority;
    GMainLoop *loop;
    GMutex connect_lock;
} Helper;

static Helper helper;

static gboolean
ensure_connected(GError **error)
{
    gboolean ok;

    g_mutex_lock(&helper.connect_lock);
    ok = svirt_engine_is_connected(helper.engine) ||
         svirt_engine_connect(helper.engine, NULL, error);
    g_mutex_unlock(&helper.connect_lock);
    return ok;
}

#define MAX_VM_NAME 255

/* The caller names a VM by its UUID or its name, nothing else: not a path, not a definition.
 * Checked before polkit is asked, so that no odd or huge string reaches polkitd or the log. */
static gboolean
check_vm_name(const char *vm, GError **error)
{
    if (strlen(vm) > MAX_VM_NAME) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND,
                    _("A name of %zu bytes is not the name or UUID of a VM; VM names have at "
                      "most %d."),
                    strlen(vm), MAX_VM_NAME);
        return FALSE;
    }
    if (*vm == '\0' || strchr(vm, '/') || !g_utf8_validate(vm, -1, NULL)) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND,
                    _("'%s' is not the name or UUID of a VM; the system service acts only on "
                      "VMs libvirtd defines."),
                    vm);
        return FALSE;
    }
    for (const char *p = vm; *p; p++) {
        if ((unsigned char)*p < 0x20) {
            g_set_error_literal(error, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND,
                                _("A VM name has no control characters."));
            return FALSE;
        }
    }
    return TRUE;
}

static char *
resolve_vm(const char *vm, GError **error)
{
    g_autoptr(virDomain) dom = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];

    if (!ensure_connected(error))
        return NULL;
    dom = svirt_engine_lookup_domain(helper.engine, vm, error);
    if (!dom)
        return NULL;
    if (virDomainGetUUIDString(dom, uuid) < 0) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not read the UUID of VM '%s'"), vm);
        return NULL;
    }
    return g_strdup(uuid);
}

typedef struct {
    const char *action;
    const char *denied; /* what the caller may not do, for the message */
} Action;

static const Action start_action = { SVIRT_HELPER_ACTION_MANAGE, N_("start VMs") };
static const Action stop_action = { SVIRT_HELPER_ACTION_MANAGE, N_("stop VMs") };
static const Action reconcile_action = { SVIRT_HELPER_ACTION_MANAGE,
                                         N_("restore the labels of stopped VMs") };
static const Action security_action = { SVIRT_HELPER_ACTION_SECURITY,
                                        N_("change the security settings of VMs") };
static const Action fix_action = { SVIRT_HELPER_ACTION_FIX, N_("fix the labels of VMs") };
static const Action read_action = { SVIRT_HELPER_ACTION_READ, N_("read the labels of VMs") };

static GVariant *
do_start(GDBusMethodInvocation *invocation, GVariant *params, GError **error)
{
    const char *vm, *range;
    g_autofree char *uuid = NULL;

    g_variant_get(params, "(&s&s)", &vm, &range);
    /* A caller must not choose the categories a VM gets: the host's range it is. */
    if (*range) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_RANGE,
                    _("The system service draws categories from the host's range only; a "
                      "range of your own (%s) needs root."),
                    range);
        return NULL;
    }
    if (!(uuid = resolve_vm(vm, error)))
        return NULL;
    /* The start runs to its end even when the caller goes away: it leaves nothing half done. */
    if (!svirt_engine_start_vm(helper.engine, uuid, NULL, error))
        return NULL;
    g_message("Started VM %s for %s", uuid, g_dbus_method_invocation_get_sender(invocation));
    return g_variant_new("(s)", uuid);
}

static GVariant *
do_stop(GDBusMethodInvocation *invocation, GVariant *params, GError **error)
{
    const char *vm;
    gboolean force;
    guint32 timeout_ms;
    g_autofree char *uuid = NULL;

    g_variant_get(params, "(&sbu)", &vm, &force, &timeout_ms);
    /* A caller cannot keep a worker of the service waiting for ever. */
    timeout_ms = MIN(timeout_ms, MAX_SHUTDOWN_WAIT_MS);
    if (!(uuid = resolve_vm(vm, error)))
        return NULL;
    if (!svirt_engine_stop_vm(helper.engine, uuid, force, timeout_ms, error))
        return NULL;
    g_message("Stopped VM %s for %s", uuid, g_dbus_method_invocation_get_sender(invocation));
    return g_variant_new("(s)", uuid);
}

static GVariant *
do_reconcile(GDBusMethodInvocation *invocation, GVariant *params, GError **error)
{
    guint restored = 0, kept = 0;

    if (!ensure_connected(error) || !svirt_engine_reconcile(helper.engine, &restored, &kept, error))
        return NULL;
    return g_variant_new("(uu)", restored, kept);
}

/* The finding comes from the helper's own audit; the caller only says which one. */
static GVariant *
do_fix(GDBusMethodInvocation *invocation, GVariant *params, GError **error)
{
    const char *vm, *kind, *path;
    g_autofree char *uuid = NULL;
    g_autoptr(SvirtAuditReport) report = NULL;

    g_variant_get(params, "(&s&s&s)", &vm, &kind, &path);
    if (!(uuid = resolve_vm(vm, error)))
        return NULL;
    report = svirt_audit_run(helper.engine, NULL, error);
    if (!report)
        return NULL;
    for (guint i = 0; i < report->findings->len; i++) {
        SvirtFinding *f = g_ptr_array_index(report->findings, i);

        if (f->fixable && g_strcmp0(f->vm_uuid, uuid) == 0 &&
            g_str_equal(svirt_finding_kind_to_id(f->kind), kind) &&
            g_strcmp0(f->path ? f->path : "", path) == 0) {
            if (!svirt_audit_fix(helper.engine, f, error))
                return NULL;
            return g_variant_new("()");
        }
    }
    g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND,
                _("The audit finds no %s to fix on %s of VM '%s' now; run the audit again."),
                kind, *path ? path : _("the VM"), vm);
    return NULL;
}

static GVariant *
do_set_security(GDBusMethodInvocation *invocation, GVariant *params, GError **error)
{
    const char *vm, *xml;
    g_autofree char *uuid = NULL;
    g_autoptr(SvirtSettings) settings = NULL;

    g_variant_get(params, "(&s&s)", &vm, &xml);
    if (!(uuid = resolve_vm(vm, error)))
        return NULL;
    settings = svirt_settings_parse(xml, strlen(xml), error);
    if (!settings || !svirt_engine_set_settings(helper.engine, uuid, settings, error))
        return NULL;
    return g_variant_new("(s)", uuid);
}

/* Only the files the helper's own plan of that VM names. */
static GVariant *
do_read_labels(GDBusMethodInvocation *invocation, GVariant *params, GError **error)
{
    const char *vm;
    g_autofree char *uuid = NULL;
    g_autoptr(SvirtPlan) plan = NULL;
    GVariantBuilder b;

    g_variant_get(params, "(&s)", &vm);
    if (!(uuid = resolve_vm(vm, error)))
        return NULL;
    plan = svirt_engine_plan_vm(helper.engine, uuid, NULL, error);
    if (!plan)
        return NULL;
    g_variant_builder_init(&b, G_VARIANT_TYPE("a(ss)"));
    for (guint i = 0; i < plan->items->len; i++) {
        SvirtPlanItem *item = g_ptr_array_index(plan->items, i);
        g_autofree char *label = NULL;

        if (!item->path || item->path[0] != '/')
            continue;
        if (!svirt_labeler_read_label(item->path, &label, NULL))
            g_clear_pointer(&label, g_free);
        g_variant_builder_add(&b, "(ss)", item->path, label ? label : "");
    }
    return g_variant_new("(a(ss))", &b);
}

/* What the label journal holds: which VMs the helper started, with which labels, and the files
 * it holds for them, so that a desktop user's status tells them from VMs started elsewhere. */
static GVariant *
do_read_journal(GDBusMethodInvocation *invocation, GVariant *params, GError **error)
{
    g_autoptr(SvirtJournal) journal = NULL;
    g_autofree char *text = NULL;

    journal = svirt_journal_read_snapshot(NULL, error);
    if (!journal)
        return NULL;
    text = svirt_journal_format(svirt_journal_get_entries(journal),
                                svirt_journal_get_vms(journal));
    return g_variant_new("(s)", text);
}

typedef GVariant *(*MethodFunc)(GDBusMethodInvocation *invocation, GVariant *params,
                                GError **error);

/* Each method with the polkit action it needs; with a VM, its name is the first argument. */
static const struct Method {
    const char *name;
    MethodFunc func;
    const Action *action;
    gboolean names_vm;
} methods[] = {
    { "Start", do_start, &start_action, TRUE },
    { "Stop", do_stop, &stop_action, TRUE },
    { "Reconcile", do_reconcile, &reconcile_action, FALSE },
    { "FixLabels", do_fix, &fix_action, TRUE },
    { "SetSecurity", do_set_security, &security_action, TRUE },
    { "ReadLabels", do_read_labels, &read_action, TRUE },
    { "ReadJournal", do_read_journal, &read_action, FALSE },
};

typedef struct {
    GDBusMethodInvocation *invocation; /* owned until answered */
    const struct Method *method;
} Call;

static void
answer(Call *call, GVariant *reply, GError *error)
{
    GDBusMethodInvocation *invocation = g_steal_pointer(&call->invocation);

    if (reply) {
        g_dbus_method_invocation_return_value(invocation, reply);
    } else {
        g_message("%s for %s refused: %s", call->method->name,
                  g_dbus_method_invocation_get_sender(invocation), error->message);
        g_dbus_method_invocation_return_gerror(invocation, error);
    }
    g_free(call);
}

static void
run_method(gpointer data, gpointer user_data)
{
    Call *call = data;
    g_autoptr(GError) error = NULL;
    GVariant *reply = call->method->func(call->invocation,
                                         g_dbus_method_invocation_get_parameters(call->invocation),
                                         &error);

    answer(call, reply, error);
}

static GThreadPool *pool;

static gboolean
authorized(Call *call, GAsyncResult *res, GError **error)
{
    const Action *action = call->method->action;
    g_autoptr(PolkitAuthorizationResult) result = NULL;
    g_autoptr(GError) local = NULL;

    result = polkit_authority_check_authorization_finish(helper.authority, res, &local);
    if (!result) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_PERMISSION,
                    _("Not authorised to %s: polkit could not be asked (%s)."),
                    _(action->denied), local->message);
        return FALSE;
    }
    if (!polkit_authorization_result_get_is_authorized(result)) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_PERMISSION,
                    polkit_authorization_result_get_is_challenge(result)
                        ? _("Not authorised to %s: authentication is needed (polkit action "
                            "%s) and none was given.")
                        : _("Not authorised to %s: polkit refuses action %s to this user. An "
                            "administrator can allow it, e.g. with the rules file for the "
                            "libvirt group."),
                    _(action->denied), action->action);
        return FALSE;
    }
    return TRUE;
}

/* Only an authorised call takes a worker: one waiting for a password holds none. */
static void
on_authorized(GObject *source, GAsyncResult *res, gpointer user_data)
{
    Call *call = user_data;
    g_autoptr(GError) error = NULL;

    if (!authorized(call, res, &error))
        answer(call, NULL, error);
    else
        g_thread_pool_push(pool, call, NULL);
}

static void
on_method_call(GDBusConnection *bus, const char *sender, const char *path,
               const char *interface, const char *method, GVariant *params,
               GDBusMethodInvocation *invocation, gpointer user_data)
{
    g_autoptr(PolkitSubject) subject = NULL;
    g_autoptr(PolkitDetails) details = NULL;
    g_autoptr(GError) error = NULL;
    PolkitCheckAuthorizationFlags flags = POLKIT_CHECK_AUTHORIZATION_FLAGS_NONE;
    const char *vm = NULL;
    Call *call = NULL;

    for (guint i = 0; i < G_N_ELEMENTS(methods) && !call; i++) {
        if (g_str_equal(methods[i].name, method)) {
            call = g_new0(Call, 1);
            call->invocation = invocation;
            call->method = &methods[i];
        }
    }
    if (!call) {
        g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR,
                                              G_DBUS_ERROR_UNKNOWN_METHOD, "No method %s",
                                              method);
        return;
    }
    /* A name no VM can have reaches neither polkitd nor the log. */
    if (call->method->names_vm) {
        g_variant_get_child(params, 0, "&s", &vm);
        if (!check_vm_name(vm, &error)) {
            answer(call, NULL, error);
            return;
        }
    }
    subject = polkit_system_bus_name_new(sender);
    details = polkit_details_new();
    if (vm)
        polkit_details_insert(details, "vm", vm);
    if (g_dbus_message_get_flags(g_dbus_method_invocation_get_message(invocation)) &
        G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION)
        flags = POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION;
    /* Labelling and libvirtd calls block: authorised calls run on a worker, which answers. */
    polkit_authority_check_authorization(helper.authority, subject, call->method->action->action,
                                         details, flags, NULL, on_authorized, call);
}

static const GDBusInterfaceVTable vtable = { on_method_call, NULL, NULL, { 0 } };

static void
on_bus_acquired(GDBusConnection *bus, const char *name, gpointer user_data)
{
    g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml(introspection_xml, NULL);
    g_autoptr(GError) error = NULL;

    if (!g_dbus_connection_register_object(bus, SVIRT_HELPER_OBJECT_PATH, info->interfaces[0],
                                           &vtable, NULL, NULL, &error)) {
        g_printerr("svirt-helper: %s\n", error->message);
        g_main_loop_quit(helper.loop);
    }
}

static void
on_name_acquired(GDBusConnection *bus, const char *name, gpointer user_data)
{
    g_message("Serving %s on the system bus", name);
}

static void
on_name_lost(GDBusConnection *bus, const char *name, gpointer user_data)
{
    g_printerr(_("svirt-helper: could not own %s on the system bus (not root, or another "
                 "instance runs).\n"),
               name);
    g_main_loop_quit(helper.loop);
}

int
main(int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GMainLoop) loop = NULL;
    guint owner;

    setlocale(LC_ALL, "");
    bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
    textdomain(GETTEXT_PACKAGE);

    if (argc > 1) {
        g_printerr(_("svirt-helper takes no arguments; D-Bus starts it.\n"));
        return 2;
    }
    if (geteuid() != 0) {
        g_printerr(_("svirt-helper: must run as root.\n"));
        return 1;
    }
    svirt_engine_init_libvirt();
    svirt_helper_register_errors();
    helper.authority = polkit_authority_get_sync(NULL, &error);
    if (!helper.authority) {
        g_printerr(_("svirt-helper: no polkit authority: %s\n"), error->message);
        return 1;
    }
    helper.engine = svirt_engine_new(HELPER_URI);
    /* libvirtd may come later; every call connects when needed. */
    if (!ensure_connected(&error)) {
        g_warning("%s", error->message);
        g_clear_error(&error);
    } else {
        guint restored = 0, kept = 0;

        /* What VMs that stopped while no helper ran still hold is restored now. */
        if (!svirt_engine_reconcile(helper.engine, &restored, &kept, &error)) {
            g_warning("%s", error->message);
            g_clear_error(&error);
        } else if (restored) {
            g_message("Restored %u labels of VMs that stopped meanwhile", restored);
        }
    }
    /* Labels of VMs that stop elsewhere (guest shutdown, virsh) are restored here too. */
    svirt_engine_watch_stops(helper.engine);
    pool = g_thread_pool_new(run_method, NULL, 4, FALSE, NULL);
    loop = g_main_loop_new(NULL, FALSE);
    helper.loop = loop;
    owner = g_bus_own_name(G_BUS_TYPE_SYSTEM, SVIRT_HELPER_BUS_NAME, G_BUS_NAME_OWNER_FLAGS_NONE,
                           on_bus_acquired, on_name_acquired, on_name_lost, NULL, NULL);
    g_main_loop_run(loop);
    g_bus_unown_name(owner);
    g_thread_pool_free(pool, FALSE, TRUE);
    g_clear_object(&helper.engine);
    g_clear_object(&helper.authority);
    return 0;
}
