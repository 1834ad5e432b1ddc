#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "svirt-audit.h"
#include "svirt-create.h"
#include "svirt-devices.h"
#include "svirt-domain-xml.h"
#include "svirt-engine.h"
#include "svirt-lifecycle.h"

typedef struct {
    char *uri;
    char *mcs_range;
} Globals;

typedef int (*CommandFunc)(Globals *globals, int argc, char **argv);

typedef struct {
    const char *name;
    const char *args;
    const char *summary;
    CommandFunc func;
} Command;

/* The first error writing standard output, 0 while there was none. */
static int output_errno;

/* g_print() ignores write errors; a command's output that went nowhere is reported at exit. */
static void
print_to_stdout(const char *text)
{
    if (output_errno)
        return;
    if (fputs(text, stdout) == EOF || fflush(stdout) == EOF)
        output_errno = errno ? errno : EIO;
}

/* A reader that went away (svirtctl list | head -1) is said in one line, not by dying of
 * SIGPIPE with status 141. */
static int
check_output(int ret)
{
    if (!output_errno && fflush(stdout) == EOF)
        output_errno = errno ? errno : EIO;
    if (!output_errno)
        return ret;
    g_printerr(_("svirtctl: could not write the output: %s.\n"), g_strerror(output_errno));
    return ret ? ret : 1;
}

static int
fail(GError *error)
{
    g_printerr("svirtctl: %s\n", error->message);
    return 1;
}

static int
usage_error(GError *error)
{
    g_printerr("svirtctl: %s\n", error->message);
    return 2;
}

static int
usage_message(const char *message)
{
    g_printerr("svirtctl: %s\n", message);
    return 2;
}

static SvirtEngine *
open_engine(Globals *globals, GError **error)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(globals->uri);

    if (!svirt_engine_connect(engine, NULL, error))
        return NULL;
    return g_steal_pointer(&engine);
}

/* For commands that only ask for a privileged step: where svirt-helper does it, it reads the
 * VM from libvirtd itself, so this process needs no connection, and a user whom libvirtd does
 * not let in still gets the helper's answer (polkit's decision) instead of a connection error. */
static SvirtEngine *
open_engine_for_helper(Globals *globals, GError **error)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(globals->uri);

    if (!svirt_engine_uses_helper(engine) && !svirt_engine_connect(engine, NULL, error))
        return NULL;
    return g_steal_pointer(&engine);
}

static void
print_json(JsonNode *root)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autofree char *text = NULL;

    json_generator_set_pretty(gen, TRUE);
    json_generator_set_root(gen, root);
    text = json_generator_to_data(gen, NULL);
    g_print("%s\n", text);
}

static gboolean
parse_command_options(const char *command, const char *args, GOptionEntry *entries, int *argc,
                      char ***argv, GError **error)
{
    g_autofree char *param = g_strdup_printf("%s %s", command, args);
    g_autoptr(GOptionContext) ctx = g_option_context_new(param);

    g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
    return g_option_context_parse(ctx, argc, argv, error);
}

static int
cmd_list(Globals *globals, int argc, char **argv)
{
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
        { NULL },
    };
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtEngine) engine = NULL;
    g_autoptr(GPtrArray) vms = NULL;

    if (!parse_command_options("list", "", entries, &argc, &argv, &error))
        return fail(error);
    if (argc > 1) {
        g_printerr(_("svirtctl: list takes no arguments, got '%s'.\n"), argv[1]);
        return 2;
    }
    engine = open_engine(globals, &error);
    if (!engine)
        return fail(error);
    vms = svirt_engine_list_vms(engine, NULL, &error);
    if (!vms)
        return fail(error);

    if (json) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autoptr(JsonNode) root = NULL;

        json_builder_begin_array(b);
        for (guint i = 0; i < vms->len; i++) {
            SvirtVmInfo *vm = g_ptr_array_index(vms, i);

            json_builder_begin_object(b);
            json_builder_set_member_name(b, "name");
            json_builder_add_string_value(b, vm->name);
            json_builder_set_member_name(b, "uuid");
            json_builder_add_string_value(b, vm->uuid);
            json_builder_set_member_name(b, "state");
            json_builder_add_string_value(b, svirt_vm_state_to_id(vm->state));
            json_builder_set_member_name(b, "persistent");
            json_builder_add_boolean_value(b, vm->persistent);
            json_builder_end_object(b);
        }
        json_builder_end_array(b);
        root = json_builder_get_root(b);
        print_json(root);
        return 0;
    }

    g_print("%-32s %-36s %s\n", _("NAME"), _("UUID"), _("STATE"));
    for (guint i = 0; i < vms->len; i++) {
        SvirtVmInfo *vm = g_ptr_array_index(vms, i);

        g_print("%-32s %-36s %s\n", vm->name, vm->uuid, svirt_vm_state_to_id(vm->state));
    }
    return 0;
}

static int
cmd_start(Globals *globals, int argc, char **argv)
{
    GOptionEntry entries[] = { { NULL } };
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtEngine) engine = NULL;

    if (!parse_command_options("start", "VM", entries, &argc, &argv, &error))
        return usage_error(error);
    if (argc != 2)
        return usage_message(_("start needs exactly one VM name or UUID."));
    engine = open_engine_for_helper(globals, &error);
    if (!engine || !svirt_engine_start_vm(engine, argv[1], globals->mcs_range, &error))
        return fail(error);
    g_print(_("Started %s.\n"), argv[1]);
    return 0;
}

static int
cmd_stop(Globals *globals, int argc, char **argv)
{
    gboolean force = FALSE;
    int timeout = 60;
    GOptionEntry entries[] = {
        { "force", 0, 0, G_OPTION_ARG_NONE, &force, N_("Force the VM off at once"), NULL },
        { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout,
          N_("Seconds to wait for a guest shutdown (default 60)"), N_("SECONDS") },
        { NULL },
    };
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtEngine) engine = NULL;

    if (!parse_command_options("stop", "VM", entries, &argc, &argv, &error))
        return usage_error(error);
    if (argc != 2)
        return usage_message(_("stop needs exactly one VM name or UUID."));
    if (timeout < 0)
        return usage_message(_("--timeout must not be negative."));
    engine = open_engine_for_helper(globals, &error);
    if (!engine || !svirt_engine_stop_vm(engine, argv[1], force, (guint)timeout * 1000, &error))
        return fail(error);
    g_print(_("Stopped %s; its labels are restored.\n"), argv[1]);
    return 0;
}

static const char *
settings_source_text(SvirtSettingsSource source)
{
    switch (source) {
    case SVIRT_SETTINGS_SOURCE_SECLABEL:
        return _("libvirt's <seclabel model='selinux'> in the VM's definition");
    case SVIRT_SETTINGS_SOURCE_METADATA:
        return _("sVirt Manager's settings in the VM's metadata");
    case SVIRT_SETTINGS_SOURCE_DEFAULTS:
    default:
        return _("none stored: the defaults");
    }
}

static int
cmd_status(Globals *globals, int argc, char **argv)
{
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
        { NULL },
    };
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtEngine) engine = NULL;
    g_autoptr(SvirtVmStatus) status = NULL;

    if (!parse_command_options("status", "VM", entries, &argc, &argv, &error))
        return usage_error(error);
    if (argc != 2)
        return usage_message(_("status needs exactly one VM name or UUID."));
    engine = open_engine(globals, &error);
    if (!engine || !(status = svirt_engine_get_vm_status(engine, argv[1], &error)))
        return fail(error);
    if (json) {
        g_autoptr(JsonNode) root = svirt_vm_status_to_json(status);

        print_json(root);
        return 0;
    }
    g_print("%-14s %s\n", _("Name:"), status->name);
    g_print("%-14s %s\n", _("UUID:"), status->uuid);
    g_print("%-14s %s\n", _("State:"), svirt_vm_state_to_label(status->state));
    g_print("%-14s %s\n", _("Mode:"), svirt_security_mode_to_string(status->mode));
    g_print("%-14s %s\n", _("Relabel:"), status->relabel ? _("yes") : _("no"));
    g_print("%-14s %s\n", _("Process label:"), status->process_label ? status->process_label : "—");
    g_print("%-14s %s\n", _("Image label:"), status->image_label ? status->image_label : "—");
    g_print("%-14s %s\n", _("Enforced:"), status->enforced ? _("yes") : _("no"));
    if (status->enforced_reason)
        g_print("%-14s %s\n", "", status->enforced_reason);
    g_print("%-14s %s\n", _("Settings from:"), settings_source_text(status->settings_source));
    if (status->start_blocker)
        g_print("%-14s %s\n", _("Cannot start:"), status->start_blocker);
    g_print("\n%-7s %-11s %-13s %-44s %s\n", _("TARGET"), _("DESIGNATION"), _("STATUS"),
            _("ACTUAL LABEL"), _("PATH"));
    for (guint i = 0; i < status->disks->len; i++) {
        SvirtDiskState *disk = g_ptr_array_index(status->disks, i);

        /* TRANSLATORS: in the TARGET column, for a display's socket or its directory */
        g_print("%-7s %-11s %-13s %-44s %s\n",
                disk->target                                       ? disk->target
                : disk->kind == SVIRT_PLAN_KIND_DISPLAY_SOCKET ? _("display")
                                                               : "-",
                svirt_designation_to_string(disk->designation),
                svirt_disk_status_to_string(disk->status),
                disk->actual_label ? disk->actual_label : "—", disk->path);
    }
    return 0;
}

static int
cmd_reconcile(Globals *globals, int argc, char **argv)
{
    GOptionEntry entries[] = { { NULL } };
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtEngine) engine = NULL;
    guint restored = 0, kept = 0;

    if (!parse_command_options("reconcile", "", entries, &argc, &argv, &error))
        return usage_error(error);
    if (argc != 1)
        return usage_message(_("reconcile takes no arguments."));
    engine = open_engine_for_helper(globals, &error);
    if (!engine || !svirt_engine_reconcile(engine, &restored, &kept, &error))
        return fail(error);
    g_print(_("Restored %u labels; %u stay with running VMs.\n"), restored, kept);
    return 0;
}

static int
cmd_restore(Globals *globals, int argc, char **argv)
{
    GOptionEntry entries[] = { { NULL } };
    g_autoptr(GError) error = NULL;
    g_autofree char *label = NULL;

    if (!parse_command_options("restore", "PATH", entries, &argc, &argv, &error))
        return usage_error(error);
    if (argc != 2)
        return usage_message(_("restore needs exactly one path."));
    if (!svirt_restore_path(argv[1], &label, &error))
        return fail(error);
    g_print(_("%s: %s\n"), argv[1], label ? label : _("label removed (it had none)"));
    return 0;
}

/* Said on standard error, which libvirtd logs, and in the system log. */
static void
hook_gave_up(const char *vm, const char *why)
{
    g_autofree char *message = g_strdup_printf(
        _("svirtctl hook: %s The labels of VM '%s' stay in the journal until 'svirtctl "
          "reconcile' runs or sVirt Manager next connects."),
        why, vm);

    g_printerr("%s\n", message);
    openlog("svirtctl", LOG_PID, LOG_DAEMON);
    syslog(LOG_WARNING, "%s", message);
    closelog();
}

/* libvirt runs /etc/libvirt/hooks/qemu NAME OPERATION SUB-OPERATION EXTRA with the domain XML on
 * standard input. It must not call back into libvirtd, and only "release" concerns us. */
static int
cmd_hook(Globals *globals, int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GString) xml = g_string_new(NULL);
    g_autofree char *uuid = NULL;
    char buf[4096];
    size_t n;
    guint restored = 0;

    if (argc < 3)
        return usage_message(_("hook is run by libvirtd as: hook NAME OPERATION SUB-OPERATION "
                               "EXTRA, with the VM's XML on standard input."));
    if (!g_str_equal(argv[2], "release"))
        return 0;
    while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
        g_string_append_len(xml, buf, n);
    uuid = svirt_domain_xml_uuid(xml->str);
    if (!uuid) {
        g_printerr(_("svirtctl hook: no UUID in the domain XML of %s.\n"), argv[1]);
        return 1;
    }
    /* libvirtd waits for the hook while it holds the VM, and whoever holds the journal may be
     * waiting for libvirtd: the hook gives up after a while and leaves the labels to reconcile,
     * which the journal makes safe. Its status changes nothing for libvirtd at "release". */
    if (!svirt_restore_holder_within(uuid, SVIRT_HOOK_LOCK_TIMEOUT_MS, &restored, &error)) {
        if (!g_error_matches(error, SVIRT_ERROR, SVIRT_ERROR_TIMED_OUT))
            return fail(error);
        hook_gave_up(argv[1], error->message);
    }
    return 0;
}

static char *
self_path(void)
{
    g_autoptr(GError) error = NULL;
    char *path = g_file_read_link("/proc/self/exe", &error);

    return path ? path : g_strdup("/usr/bin/svirtctl");
}

static int
cmd_install_hook(Globals *globals, int argc, char **argv)
{
    g_autofree char *dir = g_strdup("/etc/libvirt/hooks");
    gboolean force = FALSE;
    GOptionEntry entries[] = {
        { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir,
          N_("Where libvirtd looks for hooks (default /etc/libvirt/hooks)"), N_("DIR") },
        { "force", 0, 0, G_OPTION_ARG_NONE, &force, N_("Replace another qemu hook"), NULL },
        { NULL },
    };
    g_autoptr(GError) error = NULL;
    g_autofree char *hook = NULL;
    g_autofree char *exe = self_path();
    g_autofree char *script = NULL;
    g_autofree char *existing = NULL;

    if (!parse_command_options("install-hook", "", entries, &argc, &argv, &error))
        return usage_error(error);
    if (argc != 1)
        return usage_message(_("install-hook takes no arguments."));
    hook = g_build_filename(dir, "qemu", NULL);
    /* A removed svirtctl must not make libvirtd refuse to start VMs. */
    script = g_strdup_printf("#!/bin/sh\n"
                             "# sVirt Manager: restores VM labels when libvirtd releases a VM.\n"
                             "[ -x '%s' ] || exit 0\n"
                             "exec '%s' hook \"$@\"\n",
                             exe, exe);
    if (g_file_get_contents(hook, &existing, NULL, NULL) && !g_str_equal(existing, script) &&
        !strstr(existing, "sVirt Manager") && !force) {
        g_printerr(_("svirtctl: %s already exists and is not ours; it was left unchanged. Add "
                     "'%s hook \"$@\"' to it by hand, or use --force to replace it.\n"),
                   hook, exe);
        return 1;
    }
    if (g_mkdir_with_parents(dir, 0755) < 0 ||
        !g_file_set_contents_full(hook, script, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0755,
                                  &error)) {
        g_printerr(_("svirtctl: could not write %s: %s\n"), hook,
                   error ? error->message : g_strerror(errno));
        return 1;
    }
    g_print(_("Installed %s. Restart libvirtd so that it runs the hook.\n"), hook);
    return 0;
}

static int
cmd_plan(Globals *globals, int argc, char **argv)
{
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
        { NULL },
    };
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtEngine) engine = NULL;
    g_autoptr(SvirtPlan) plan = NULL;

    if (!parse_command_options("plan", "VM", entries, &argc, &argv, &error))
        return usage_error(error);
    if (argc != 2)
        return usage_message(_("plan needs exactly one VM name or UUID."));
    engine = open_engine(globals, &error);
    if (!engine || !(plan = svirt_engine_plan_vm(engine, argv[1], globals->mcs_range, &error)))
        return fail(error);
    if (json) {
        g_autoptr(JsonNode) root = svirt_plan_to_json(plan);

        print_json(root);
        return 0;
    }
    g_print("%-15s %s (%s)\n", _("VM:"), plan->vm_name, plan->vm_uuid);
    g_print("%-15s %s\n", _("Mode:"), svirt_security_mode_to_string(plan->mode));
    g_print("%-15s %s\n", _("Level:"), plan->level ? plan->level : "—");
    g_print("%-15s %s\n", _("Process label:"), plan->process_label ? plan->process_label : "—");
    g_print("\n%-7s %-13s %-11s %-9s %-44s %s\n", _("TARGET"), _("KIND"), _("DESIGNATION"),
            _("RESTORED"), _("LABEL"), _("PATH"));
    for (guint i = 0; i < plan->items->len; i++) {
        SvirtPlanItem *item = g_ptr_array_index(plan->items, i);

        g_print("%-7s %-13s %-11s %-9s %-44s %s", item->target ? item->target : "-",
                svirt_plan_kind_to_string(item->kind),
                svirt_designation_to_string(item->designation),
                item->restore ? _("yes") : _("no"), item->label ? item->label : "—",
                item->path);
        if (item->reason)
            /* TRANSLATORS: a note after a path in the plan; the first %s may be "warning: " */
            g_print(_("  (%s%s)"), item->warning ? _("warning: ") : "", item->reason);
        g_print("\n");
    }
    return 0;
}

static gboolean
parse_yes_no(const char *value, gboolean *out)
{
    if (g_strcmp0(value, "yes") == 0)
        *out = TRUE;
    else if (g_strcmp0(value, "no") == 0)
        *out = FALSE;
    else
        return FALSE;
    return TRUE;
}

/* What a static label leaves open, said where an administrator sets or reads it. */
static void
warn_static_label(SvirtEngine *engine, const char *vm, const SvirtSettings *settings)
{
    g_autoptr(SvirtPolicyTypes) types = NULL;
    g_autoptr(SvirtReach) reach = NULL;
    g_autoptr(GError) error = NULL;

    if (settings->mode != SVIRT_SECURITY_MODE_STATIC)
        return;
    reach = svirt_engine_check_reach(engine, vm, settings, &error);
    if (!reach)
        g_printerr(_("svirtctl: warning: could not tell which VMs this label reaches: %s\n"),
                   error->message);
    else if (!reach->isolated)
        /* TRANSLATORS: %s says which VMs the label reaches, in sentences */
        g_printerr(_("svirtctl: warning: this static label is not isolated. %s\n"),
                   reach->summary);
    types = svirt_policy_types_load(NULL);
    if (types && !types->domain_from_policy)
        g_printerr(_("svirtctl: note: no SELinux policy is installed here, so the type of the "
                     "label was not checked against one.\n"));
}

static int
cmd_set_label(Globals *globals, int argc, char **argv)
{
    g_autofree char *relabel_arg = NULL;
    gboolean shared_level = FALSE;
    GOptionEntry entries[] = {
        { "relabel", 0, 0, G_OPTION_ARG_STRING, &relabel_arg,
          N_("Whether the engine labels the VM's files (default yes)"), N_("yes|no") },
        { "shared-level", 0, 0, G_OPTION_ARG_NONE, &shared_level,
          N_("Allow a static label at a level without categories, which every VM reaches"),
          NULL },
        { NULL },
    };
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtEngine) engine = NULL;
    g_autoptr(SvirtSettings) wanted = svirt_settings_new();
    g_autoptr(SvirtSettings) settings = NULL;
    SvirtSecurityMode mode;
    gboolean relabel = TRUE;
    const char *label = NULL;

    if (!parse_command_options("set-label", "VM dynamic|none|static LABEL", entries, &argc, &argv,
                               &error))
        return usage_error(error);
    if (argc < 3)
        return usage_message(_("set-label needs a VM and a mode: dynamic, static LABEL or "
                               "none."));
    if (!svirt_security_mode_from_string(argv[2], &mode))
        return usage_message(_("the mode must be dynamic, static or none."));
    if (mode == SVIRT_SECURITY_MODE_STATIC && argc != 4)
        return usage_message(_("set-label VM static takes one label, e.g. "
                               "system_u:system_r:svirt_t:s0:c10,c20."));
    if (mode != SVIRT_SECURITY_MODE_STATIC && argc != 3)
        return usage_message(_("only the static mode takes a label."));
    if (relabel_arg && !parse_yes_no(relabel_arg, &relabel))
        return usage_message(_("--relabel must be yes or no."));
    if (mode == SVIRT_SECURITY_MODE_STATIC)
        label = argv[3];

    /* A bad label is refused before anything is looked up or stored. */
    wanted->shared_level = shared_level;
    if (!svirt_settings_set_mode(wanted, mode, label, relabel, &error))
        return fail(error);
    engine = open_engine(globals, &error);
    if (!engine)
        return fail(error);
    settings = svirt_engine_get_settings(engine, argv[1], &error);
    if (!settings && g_error_matches(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_SETTINGS)) {
        /* Replacing settings that cannot be read is how they are repaired. */
        g_clear_error(&error);
        settings = svirt_settings_new();
    }
    if (!settings)
        return fail(error);
    /* Per-disk overrides stay as they were. */
    settings->shared_level = wanted->shared_level;
    if (!svirt_settings_set_mode(settings, wanted->mode, wanted->label, wanted->relabel,
                                 &error) ||
        !svirt_engine_set_settings(engine, argv[1], settings, &error))
        return fail(error);
    if (settings->label)
        g_print(_("VM %s: static label %s, relabel %s. It applies from the next start.\n"),
                argv[1], settings->label, settings->relabel ? _("yes") : _("no"));
    else
        g_print(_("VM %s: %s label, relabel %s. It applies from the next start.\n"), argv[1],
                svirt_security_mode_to_string(settings->mode),
                settings->relabel ? _("yes") : _("no"));
    warn_static_label(engine, argv[1], settings);
    return 0;
}

static void
add_string_member(JsonBuilder *b, const char *name, const char *value)
{
    json_builder_set_member_name(b, name);
    if (value)
        json_builder_add_string_value(b, value);
    else
        json_builder_add_null_value(b);
}

static void
add_string_array(JsonBuilder *b, const char *name, GPtrArray *strings)
{
    json_builder_set_member_name(b, name);
    json_builder_begin_array(b);
    for (guint i = 0; i < strings->len; i++)
        json_builder_add_string_value(b, g_ptr_array_index(strings, i));
    json_builder_end_array(b);
}

static void
print_label_json(const SvirtVmInfo *vm, const SvirtSettings *settings,
                 const SvirtVmStatus *status, const SvirtReach *reach)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    g_autoptr(JsonNode) root = NULL;

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "vm");
    json_builder_add_string_value(b, vm->name);
    json_builder_set_member_name(b, "uuid");
    json_builder_add_string_value(b, vm->uuid);
    json_builder_set_member_name(b, "mode");
    json_builder_add_string_value(b, svirt_security_mode_to_string(settings->mode));
    add_string_member(b, "label", settings->label);
    json_builder_set_member_name(b, "relabel");
    json_builder_add_boolean_value(b, settings->relabel);
    json_builder_set_member_name(b, "shared_level");
    json_builder_add_boolean_value(b, settings->shared_level);
    json_builder_set_member_name(b, "isolation");
    if (reach)
        json_builder_add_value(b, svirt_reach_to_json(reach));
    else
        json_builder_add_null_value(b);
    add_string_array(b, "no_relabel_disks", settings->no_relabel_disks);
    add_string_array(b, "host_file_disks", settings->host_file_disks);
    add_string_member(b, "baselabel", settings->baselabel);
    add_string_member(b, "source", svirt_settings_source_to_string(status->settings_source));
    add_string_member(b, "start_blocker", status->start_blocker);
    json_builder_end_object(b);
    root = json_builder_get_root(b);
    print_json(root);
}

static void
print_label_text(const SvirtVmInfo *vm, const SvirtSettings *settings,
                 const SvirtVmStatus *status, const SvirtReach *reach)
{
    GPtrArray *disks = settings->no_relabel_disks;

    g_print("%-10s %s (%s)\n", _("VM:"), vm->name, vm->uuid);
    g_print("%-10s %s\n", _("Mode:"), svirt_security_mode_to_string(settings->mode));
    g_print("%-10s %s\n", _("Label:"), settings->label ? settings->label : "—");
    if (settings->baselabel)
        g_print("%-10s %s\n", _("Base:"), settings->baselabel);
    g_print("%-10s %s\n", _("Relabel:"), settings->relabel ? _("yes") : _("no"));
    g_print("%-10s %s\n", _("From:"), settings_source_text(status->settings_source));
    if (reach && reach->isolated)
        g_print("%-10s %s\n", _("Isolation:"), _("its own level; no other VM reaches it"));
    else if (reach)
        /* TRANSLATORS: %s says which VMs the label reaches, in sentences */
        g_print("%-10s %s %s\n", _("Isolation:"), _("NOT ISOLATED."), reach->summary);
    for (guint i = 0; i < disks->len; i++)
        g_print(_("Disk %s is not relabelled.\n"), (const char *)g_ptr_array_index(disks, i));
    for (guint i = 0; i < settings->host_file_disks->len; i++)
        g_print(_("Disk %s may be a file that looks like the host's.\n"),
                (const char *)g_ptr_array_index(settings->host_file_disks, i));
    if (status->start_blocker)
        g_print("\n%s\n", status->start_blocker);
}

static int
cmd_set_disk(Globals *globals, int argc, char **argv)
{
    g_autofree char *host_file_arg = NULL;
    GOptionEntry entries[] = {
        { "allow-host-file", 0, 0, G_OPTION_ARG_STRING, &host_file_arg,
          N_("Whether the disk may be a file that looks like the host's: one with several names "
             "(hard links), or in a host place the override may lift (default no)"),
          N_("yes|no") },
        { NULL },
    };
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtEngine) engine = NULL;
    gboolean allow = FALSE;

    if (!parse_command_options("set-disk", "VM TARGET --allow-host-file yes|no", entries, &argc,
                               &argv, &error))
        return usage_error(error);
    if (argc != 3)
        return usage_message(_("set-disk needs a VM and a disk target, e.g. vdb."));
    if (!host_file_arg)
        return usage_message(_("set-disk needs what to set: --allow-host-file yes or no."));
    if (!parse_yes_no(host_file_arg, &allow))
        return usage_message(_("--allow-host-file must be yes or no."));
    engine = open_engine(globals, &error);
    if (!engine || !svirt_engine_set_disk_host_file(engine, argv[1], argv[2], allow, &error))
        return fail(error);
    if (allow)
        g_print(_("VM %s: disk %s may be a file that looks like the host's. It applies from the "
                  "next start.\n"),
                argv[1], argv[2]);
    else
        g_print(_("VM %s: disk %s is refused a file that looks like the host's. It applies from "
                  "the next start.\n"),
                argv[1], argv[2]);
    return 0;
}

static int
cmd_show_label(Globals *globals, int argc, char **argv)
{
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
        { NULL },
    };
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtEngine) engine = NULL;
    g_autoptr(SvirtVmInfo) vm = NULL;
    g_autoptr(SvirtSettings) settings = NULL;
    g_autoptr(SvirtReach) reach = NULL;
    g_autoptr(SvirtVmStatus) status = NULL;

    if (!parse_command_options("show-label", "VM", entries, &argc, &argv, &error))
        return usage_error(error);
    if (argc != 2)
        return usage_message(_("show-label needs exactly one VM name or UUID."));
    engine = open_engine(globals, &error);
    if (!engine || !(vm = svirt_engine_lookup_vm(engine, argv[1], &error)) ||
        !(settings = svirt_engine_get_settings(engine, vm->uuid, &error)) ||
        !(status = svirt_engine_get_vm_status(engine, vm->uuid, &error)))
        return fail(error);
    if (settings->mode == SVIRT_SECURITY_MODE_STATIC &&
        !(reach = svirt_engine_check_reach(engine, vm->uuid, settings, &error)))
        return fail(error);
    if (json)
        print_label_json(vm, settings, status, reach);
    else
        print_label_text(vm, settings, status, reach);
    return 0;
}

static int
cmd_adopt_label(Globals *globals, int argc, char **argv)
{
    GOptionEntry entries[] = { { NULL } };
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtEngine) engine = NULL;
    g_autoptr(SvirtSettings) settings = NULL;

    if (!parse_command_options("adopt-label", "VM", entries, &argc, &argv, &error))
        return usage_error(error);
    if (argc != 2)
        return usage_message(_("adopt-label needs exactly one VM name or UUID."));
    engine = open_engine(globals, &error);
    if (!engine || !svirt_engine_adopt_native_settings(engine, argv[1], &error) ||
        !(settings = svirt_engine_get_settings(engine, argv[1], &error)))
        return fail(error);
    /* TRANSLATORS: %s: a VM; then its mode (dynamic, static or none) and label, if any */
    g_print(_("VM %s: libvirt's <seclabel> moved into sVirt Manager's settings: %s%s%s, relabel "
              "%s. libvirtd can start it now.\n"),
            argv[1], svirt_security_mode_to_string(settings->mode), settings->label ? " " : "",
            settings->label ? settings->label : "", settings->relabel ? _("yes") : _("no"));
    return 0;
}

static int
cmd_audit(Globals *globals, int argc, char **argv)
{
    gboolean json = FALSE;
    g_autofree char *html = NULL;
    GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
        { "html", 0, 0, G_OPTION_ARG_FILENAME, &html,
          N_("Also write a self-contained HTML report to FILE"), N_("FILE") },
        { NULL },
    };
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtEngine) engine = NULL;
    g_autoptr(SvirtAuditReport) report = NULL;
    const SvirtMatrix *m;
    int status;

    if (!parse_command_options("audit", "", entries, &argc, &argv, &error))
        return usage_error(error);
    if (argc > 1)
        return usage_message(_("audit takes no arguments."));
    engine = open_engine(globals, &error);
    if (!engine || !(report = svirt_audit_run(engine, NULL, &error)))
        return fail(error);
    status = svirt_audit_report_max_severity(report) >= SVIRT_SEVERITY_ERROR ? 1 : 0;
    if (html) {
        g_autofree char *page = svirt_audit_report_to_html(report);

        if (!g_file_set_contents(html, page, -1, &error)) {
            g_prefix_error(&error, _("Could not write the HTML report: "));
            return fail(error);
        }
    }
    if (json) {
        g_autoptr(JsonNode) root = svirt_audit_report_to_json(report);

        print_json(root);
        return status;
    }

    m = report->matrix;
    g_print("%-9s %-16s %-20s %s\n", _("SEVERITY"), _("FINDING"), _("VM"), _("OBJECT"));
    for (guint i = 0; i < report->findings->len; i++) {
        const SvirtFinding *f = g_ptr_array_index(report->findings, i);

        g_print("%-9s %-16s %-20s %s\n", svirt_severity_to_string(f->severity),
                svirt_finding_kind_to_id(f->kind), f->vm_name ? f->vm_name : "-",
                f->path ? f->path : "-");
        if (f->expected || f->actual)
            g_print("          %s %s, %s %s\n", _("expected"), f->expected ? f->expected : "—",
                    _("actual"), f->actual ? f->actual : "—");
        g_print("          %s\n          %s %s\n", f->explanation, _("Fix:"), f->fix);
    }
    if (report->findings->len == 0)
        g_print(_("No findings.\n"));
    g_print("\n");
    if (m->source == SVIRT_POLICY_SOURCE_BINARY)
        g_print(_("Isolation matrix (row acts on column), from the policy %s:\n"),
                m->policy_path);
    else
        g_print(_("Isolation matrix (row acts on column), from MCS dominance alone (no "
                  "policy file):\n"));
    for (guint r = 0; r < m->vms->len; r++) {
        const SvirtMatrixVm *vm = g_ptr_array_index(m->vms, r);

        for (guint c = 0; c < m->vms->len; c++) {
            const SvirtMatrixVm *other = g_ptr_array_index(m->vms, c);
            const SvirtMatrixCell *cell = svirt_matrix_get_cell(m, r, c);

            if (r == c)
                continue;
            g_print("  %s -> %s: %s", vm->name, other->name,
                    svirt_access_to_string(cell->access));
            if (cell->path)
                g_print(" (%s)", cell->path);
            g_print("\n    %s\n", cell->reason ? cell->reason : "");
        }
    }
    return status;
}

/* "POOL:SIZE_MIB[:qcow2|raw]": a new volume in a storage pool. */
static SvirtDiskSpec *
parse_new_disk(const char *text)
{
    g_auto(GStrv) parts = g_strsplit(text, ":", 3);
    SvirtVolumeFormat format = SVIRT_VOLUME_FORMAT_QCOW2;
    guint64 size = 0;

    if (g_strv_length(parts) < 2 || !*parts[0] ||
        !g_ascii_string_to_unsigned(parts[1], 10, 1, G_MAXUINT32, &size, NULL))
        return NULL;
    if (parts[2] && g_str_equal(parts[2], "raw"))
        format = SVIRT_VOLUME_FORMAT_RAW;
    else if (parts[2] && !g_str_equal(parts[2], "qcow2"))
        return NULL;
    return svirt_disk_spec_new_volume(parts[0], size, format, SVIRT_DESIGNATION_PRIVATE);
}

/* The spec the options of create give; NULL after printing what is wrong. */
static SvirtVmSpec *
create_spec(const char *name, int memory, int vcpus, const char *iso, const char *boot_image,
            GStrv disks, const char *network, const char *display)
{
    g_autoptr(SvirtVmSpec) spec = svirt_vm_spec_new(name);
    g_autoptr(GError) error = NULL;

    if (memory > 0)
        spec->memory_mib = memory;
    if (vcpus > 0)
        spec->vcpus = vcpus;
    if (iso && boot_image) {
        usage_message(_("create takes --iso or --boot-image, not both."));
        return NULL;
    }
    spec->install = iso ? SVIRT_INSTALL_ISO : boot_image ? SVIRT_INSTALL_DISK_IMAGE
                                                         : SVIRT_INSTALL_NONE;
    spec->install_path = g_strdup(iso ? iso : boot_image);
    for (guint i = 0; disks && disks[i]; i++) {
        SvirtDiskSpec *disk = parse_new_disk(disks[i]);

        if (!disk) {
            g_printerr(_("svirtctl: --disk '%s' is not POOL:SIZE_MIB, optionally followed by "
                         ":qcow2 or :raw.\n"),
                       disks[i]);
            return NULL;
        }
        svirt_vm_spec_add_disk(spec, disk);
    }
    spec->network = g_strdup(network);
    if (display && !svirt_display_kind_parse(display, &spec->display, &error)) {
        usage_error(error);
        return NULL;
    }
    return g_steal_pointer(&spec);
}

static int
cmd_create(Globals *globals, int argc, char **argv)
{
    int memory = 0, vcpus = 0;
    g_autofree char *iso = NULL;
    g_autofree char *boot_image = NULL;
    g_auto(GStrv) disks = NULL;
    g_autofree char *network = NULL;
    g_autofree char *display = NULL;
    GOptionEntry entries[] = {
        { "memory", 0, 0, G_OPTION_ARG_INT, &memory, N_("Memory in MiB (default 1024)"),
          N_("MIB") },
        { "vcpus", 0, 0, G_OPTION_ARG_INT, &vcpus, N_("Virtual CPUs (default 1)"), N_("N") },
        { "iso", 0, 0, G_OPTION_ARG_FILENAME, &iso, N_("Install ISO, attached read-only and "
                                                       "booted first"), N_("PATH") },
        { "boot-image", 0, 0, G_OPTION_ARG_FILENAME, &boot_image,
          N_("An existing disk image to boot, the VM's private disk"), N_("PATH") },
        { "disk", 0, 0, G_OPTION_ARG_STRING_ARRAY, &disks,
          N_("A new private volume in a storage pool; repeat for more"),
          N_("POOL:SIZE_MIB[:qcow2|raw]") },
        { "network", 0, 0, G_OPTION_ARG_STRING, &network,
          N_("An active virtual network (default: user-mode networking)"), N_("NETWORK") },
        { "display", 0, 0, G_OPTION_ARG_STRING, &display,
          N_("The screen, reached only through libvirt: vnc (default), spice, or none for a "
             "VM with the serial console only"),
          N_("vnc|spice|none") },
        { NULL },
    };
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtEngine) engine = NULL;
    g_autoptr(SvirtVmSpec) spec = NULL;
    g_autofree char *uuid = NULL;

    if (!parse_command_options("create", "NAME", entries, &argc, &argv, &error))
        return usage_error(error);
    if (argc != 2)
        return usage_message(_("create needs exactly one name for the new VM."));
    spec = create_spec(argv[1], memory, vcpus, iso, boot_image, disks, network, display);
    if (!spec)
        return 2;
    engine = open_engine(globals, &error);
    if (!engine)
        return fail(error);
    if (spec->display == SVIRT_DISPLAY_SPICE &&
        !svirt_engine_has_display_kind(engine, SVIRT_DISPLAY_SPICE, "qemu", &error)) {
        if (error)
            return fail(error);
        return usage_message(_("The host's QEMU has no SPICE display. Use --display vnc."));
    }
    uuid = svirt_engine_create_vm(engine, spec, &error);
    if (!uuid)
        return fail(error);
    g_print(_("Created %s (%s).\n"), argv[1], uuid);
    return 0;
}

static int
cmd_add_display(Globals *globals, int argc, char **argv)
{
    g_autofree char *type = NULL;
    GOptionEntry entries[] = {
        { "type", 0, 0, G_OPTION_ARG_STRING, &type, N_("vnc (default) or spice"),
          N_("vnc|spice") },
        { NULL },
    };
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtEngine) engine = NULL;
    SvirtDisplayKind kind = SVIRT_DISPLAY_VNC;

    if (!parse_command_options("add-display", "VM", entries, &argc, &argv, &error))
        return usage_error(error);
    if (argc != 2)
        return usage_message(_("add-display needs exactly one VM name or UUID."));
    if (type && (!svirt_display_kind_parse(type, &kind, &error) || kind == SVIRT_DISPLAY_NONE))
        return usage_message(_("--type must be vnc or spice."));
    engine = open_engine(globals, &error);
    if (!engine || !svirt_engine_add_display(engine, argv[1], kind, &error))
        return fail(error);
    g_print(_("VM %s has a %s display now, reached only through libvirt. It shows from the next "
              "start.\n"),
            argv[1], kind == SVIRT_DISPLAY_SPICE ? "SPICE" : "VNC");
    return 0;
}

static const Command commands[] = {
    { "list", "[--json]", N_("List every VM on the connection with its UUID and state"),
      cmd_list },
    { "start", "VM", N_("Label the VM's files and start it"), cmd_start },
    { "stop", "VM [--force] [--timeout S]", N_("Shut the VM down and restore its labels"),
      cmd_stop },
    { "status", "VM [--json]", N_("Show the VM's labels and the state of each disk"),
      cmd_status },
    { "reconcile", "", N_("Restore labels held for VMs that no longer run"), cmd_reconcile },
    { "restore", "PATH", N_("Restore the original label of one file"), cmd_restore },
    { "hook", "NAME OP SUBOP EXTRA", N_("Run as libvirt's qemu hook (reads XML on stdin)"),
      cmd_hook },
    { "install-hook", "[--dir DIR] [--force]", N_("Install the qemu hook for libvirtd"),
      cmd_install_hook },
    { "plan", "VM [--json]", N_("Show what a start of the VM would label, and with what"),
      cmd_plan },
    { "set-label", "VM MODE [LABEL] [--relabel] [--shared-level]",
      N_("Set the VM's label: dynamic, none, or static LABEL"), cmd_set_label },
    { "show-label", "VM [--json]", N_("Show the VM's label settings and where they come from"),
      cmd_show_label },
    { "adopt-label", "VM",
      N_("Move the VM's libvirt <seclabel> into its settings here, for a libvirtd without selinux"),
      cmd_adopt_label },
    { "set-disk", "VM TARGET --allow-host-file",
      N_("Allow one disk a file that looks like the host's, or no longer"), cmd_set_disk },
    { "create", "NAME [--iso PATH] [--display vnc|spice|none] …",
      N_("Create a VM; it gets a display reached only through libvirt unless --display none"),
      cmd_create },
    { "add-display", "VM [--type vnc|spice]",
      N_("Give a stopped VM a display reached only through libvirt"), cmd_add_display },
    { "audit", "[--json] [--html FILE]",
      N_("Check every VM's labels and what each VM may do to the others"), cmd_audit },
};

static char *
commands_summary(void)
{
    GString *s = g_string_new(_("Commands:"));

    for (gsize i = 0; i < G_N_ELEMENTS(commands); i++)
        g_string_append_printf(s, "\n  %-10s %-28s %s", commands[i].name, commands[i].args,
                               _(commands[i].summary));
    g_string_append(s, "\n\n");
    g_string_append(s, _("Run 'svirtctl COMMAND --help' for the options of a command."));
    return g_string_free(s, FALSE);
}

int
main(int argc, char *argv[])
{
    Globals globals = { 0 };
    GOptionEntry entries[] = {
        { "connect", 'c', 0, G_OPTION_ARG_STRING, &globals.uri,
          N_("Hypervisor URI (default: libvirt's, qemu:///system for root)"), N_("URI") },
        { "mcs-range", 0, 0, G_OPTION_ARG_STRING, &globals.mcs_range,
          N_("Categories dynamic labels are drawn from (default: the host's, s0:c0.c1023)"),
          N_("RANGE") },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *summary = NULL;
    int ret;

    /* Writing to a closed pipe or to libvirtd's closed socket gives EPIPE, handled where it
     * happens. */
    signal(SIGPIPE, SIG_IGN);
    g_set_print_handler(print_to_stdout);
    setlocale(LC_ALL, "");
    bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
    textdomain(GETTEXT_PACKAGE);

    ctx = g_option_context_new(_("COMMAND [ARGS…] - see SELinux labels of VMs and control them"));
    g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
    summary = commands_summary();
    g_option_context_set_description(ctx, summary);
    /* Options after the command belong to it. */
    g_option_context_set_strict_posix(ctx, TRUE);
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        g_printerr("svirtctl: %s\n", error->message);
        g_printerr(_("Run 'svirtctl --help' for usage.\n"));
        return 2;
    }
    if (argc < 2) {
        g_printerr(_("svirtctl: no command given.\n%s\n"), summary);
        return 2;
    }
    for (gsize i = 0; i < G_N_ELEMENTS(commands); i++) {
        if (g_str_equal(argv[1], commands[i].name)) {
            ret = commands[i].func(&globals, argc - 1, argv + 1);
            g_free(globals.uri);
            g_free(globals.mcs_range);
            return check_output(ret);
        }
    }
    g_printerr(_("svirtctl: unknown command '%s'.\n%s\n"), argv[1], summary);
    g_free(globals.uri);
    g_free(globals.mcs_range);
    return 2;
}
