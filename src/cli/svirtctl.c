#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <stdio.h>

#include "svirt-engine.h"

typedef struct {
    char *uri;
} Globals;

typedef int (*CommandFunc)(Globals *globals, int argc, char **argv);

typedef struct {
    const char *name;
    const char *args;
    const char *summary;
    CommandFunc func;
} Command;

static int
fail(GError *error)
{
    g_printerr("svirtctl: %s\n", error->message);
    return 1;
}

static SvirtEngine *
open_engine(Globals *globals, GError **error)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(globals->uri);

    if (!svirt_engine_connect(engine, NULL, error))
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

static const Command commands[] = {
    { "list", "[--json]", N_("List every VM on the connection with its UUID and state"),
      cmd_list },
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
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *summary = NULL;
    int ret;

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
            return ret;
        }
    }
    g_printerr(_("svirtctl: unknown command '%s'.\n%s\n"), argv[1], summary);
    g_free(globals.uri);
    return 2;
}
