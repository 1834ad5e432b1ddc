#include "config.h"

#include <libvirt/virterror.h>
#include <string.h>
#include <unistd.h>

#include "svirt-devices.h"
#include "svm-test-cli.h"
#include "svm-test-ui.h"
#include "svm-test-util.h"
#include "svm-test-vm.h"
#include "svm-vm-window.h"

#define URI "qemu:///system"
#define STATIC_LABEL "system_u:system_r:svirt_t:s0:c10,c20"

/* The window runs in a subprocess, so the VM is removed even when an assertion there fails. */
#define ENV_NAME "SVM_TEST_DETAILS_VM"

static gboolean
tick(gpointer data)
{
    return G_SOURCE_CONTINUE;
}

/* Conditions on state outside the main loop (libvirtd) need the loop to wake now and then. */
static void
wait_for(SvmTestCondition cond, gpointer data, guint ms, const char *what)
{
    guint id = g_timeout_add(50, tick, NULL);

    svm_test_wait_for(cond, data, ms, what);
    g_source_remove(id);
}

typedef struct {
    SvmVmWindow *window;
    guint count;
} Refresh;

static gboolean
refreshed(gpointer data)
{
    Refresh *r = data;

    return svm_vm_window_get_refresh_count(r->window) > r->count;
}

/* Waits for a refresh that starts after now. */
static void
wait_refresh(SvmVmWindow *window, guint count, const char *what)
{
    Refresh r = { window, count };

    wait_for(refreshed, &r, 30000, what);
}

static gboolean
console_connected(gpointer data)
{
    return svm_console_page_is_connected(svm_vm_window_get_console_page(data));
}

static gboolean
console_disconnected(gpointer data)
{
    return !console_connected(data);
}

typedef struct {
    VteTerminal *terminal;
    const char *text;
} TerminalText;

static gboolean
terminal_shows(gpointer data)
{
    TerminalText *t = data;
    g_autofree char *text = vte_terminal_get_text(t->terminal, NULL, NULL, NULL);

    return text && strstr(text, t->text);
}

static gboolean
zoomed_in(gpointer data)
{
    return vte_terminal_get_font_scale(data) > 1.0;
}

static gboolean
window_is_state(gpointer data)
{
    SvmVmWindow *window = data;
    const SvirtVmOverview *o = svm_vm_window_get_overview(window);
    const char *want = g_object_get_data(G_OBJECT(window), "want-state");

    return o && g_str_equal(svirt_vm_state_to_id(o->state), want);
}

static void
wait_state(SvmVmWindow *window, const char *state)
{
    g_object_set_data(G_OBJECT(window), "want-state", (gpointer)state);
    wait_for(window_is_state, window, 30000, state);
}

static gboolean
security_idle(gpointer data)
{
    return !svm_security_page_is_busy(data);
}

static gboolean
disks_idle(gpointer data)
{
    return !svm_disks_page_is_busy(data);
}

static GtkWidget *
child(gpointer widget, GType type, const char *name)
{
    GObject *obj = gtk_widget_get_template_child(GTK_WIDGET(widget), type, name);

    g_assert_nonnull(obj);
    return GTK_WIDGET(obj);
}

static const char *
accessible_name(GtkWidget *widget)
{
    return atk_object_get_name(gtk_widget_get_accessible(widget));
}

static JsonObject *
svirtctl_status(const char *vm)
{
    const char *args[] = { "--connect", URI, "status", vm, "--json", NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(JsonNode) node = NULL;
    int rc = svm_test_run_svirtctl(args, &out, &err);

    g_test_message("svirtctl status: %s%s", out, err);
    g_assert_cmpint(rc, ==, 0);
    node = svm_test_parse_json(out);
    return json_object_ref(json_node_get_object(node));
}

static char *
model_value(GtkTreeModel *model, const char *target, int column)
{
    GtkTreeIter iter;
    gboolean ok = gtk_tree_model_get_iter_first(model, &iter);

    while (ok) {
        g_autofree char *t = NULL;
        char *value = NULL;

        gtk_tree_model_get(model, &iter, SVM_DISKS_COL_TARGET, &t, column, &value, -1);
        if (g_strcmp0(t, target) == 0)
            return value;
        g_free(value);
        ok = gtk_tree_model_iter_next(model, &iter);
    }
    return NULL;
}

static int
model_designation(GtkTreeModel *model, const char *target)
{
    GtkTreeIter iter;
    gboolean ok = gtk_tree_model_get_iter_first(model, &iter);

    while (ok) {
        g_autofree char *t = NULL;
        int designation;

        gtk_tree_model_get(model, &iter, SVM_DISKS_COL_TARGET, &t, SVM_DISKS_COL_DESIGNATION,
                           &designation, -1);
        if (g_strcmp0(t, target) == 0)
            return designation;
        ok = gtk_tree_model_iter_next(model, &iter);
    }
    return -1;
}

static void
check_against_svirtctl(SvmVmWindow *window, const char *vm)
{
    g_autoptr(JsonObject) status = svirtctl_status(vm);
    SvmSecurityPage *security = svm_vm_window_get_security_page(window);
    GtkTreeModel *model = svm_disks_page_get_model(svm_vm_window_get_disks_page(window));
    JsonArray *disks = json_object_get_array_member(status, "disks");

    g_assert_nonnull(json_object_get_string_member(status, "process_label"));
    g_assert_cmpstr(svm_security_page_get_process_label(security), ==,
                    json_object_get_string_member(status, "process_label"));
    g_assert_cmpstr(svm_security_page_get_image_label(security), ==,
                    json_object_get_string_member(status, "image_label"));
    g_assert_cmpuint(json_array_get_length(disks), ==, gtk_tree_model_iter_n_children(model, NULL));
    for (guint i = 0; i < json_array_get_length(disks); i++) {
        JsonObject *disk = json_array_get_object_element(disks, i);
        const char *target = json_object_get_string_member(disk, "target");
        g_autofree char *shown = model_value(model, target, SVM_DISKS_COL_STATUS_ID);
        g_autofree char *expected = model_value(model, target, SVM_DISKS_COL_EXPECTED);

        g_test_message("%s: %s", target, shown);
        g_assert_cmpstr(shown, ==, json_object_get_string_member(disk, "status"));
        g_assert_cmpstr(expected, ==, json_object_get_string_member(disk, "expected_label"));
    }
}

static void
check_accessibility(SvmVmWindow *window)
{
    SvmSecurityPage *security = svm_vm_window_get_security_page(window);
    SvmDisksPage *disks = svm_vm_window_get_disks_page(window);
    GtkTreeView *view = svm_disks_page_get_view(disks);
    VteTerminal *terminal = svm_console_page_get_terminal(svm_vm_window_get_console_page(window));
    struct {
        const char *child;
        const char *name;
    } security_names[] = {
        { "process_value", "Process label" },
        { "image_value", "Image label" },
        { "enforced_value", "Enforced" },
        { "label_entry", "Static label" },
        { "relabel_switch", "Relabel files" },
        { "model_value", "Security model" },
    };

    for (guint i = 0; i < G_N_ELEMENTS(security_names); i++)
        g_assert_cmpstr(accessible_name(child(security, SVM_TYPE_SECURITY_PAGE,
                                              security_names[i].child)),
                        ==, security_names[i].name);
    g_assert_true(gtk_label_get_selectable(
        GTK_LABEL(child(security, SVM_TYPE_SECURITY_PAGE, "process_value"))));
    g_assert_true(gtk_button_get_use_underline(
        GTK_BUTTON(child(security, SVM_TYPE_SECURITY_PAGE, "apply_button"))));
    g_assert_cmpstr(accessible_name(GTK_WIDGET(view)), ==, "Disks");
    g_assert_cmpstr(gtk_tree_view_column_get_title(gtk_tree_view_get_column(view, 3)), ==,
                    "Designation");
    g_assert_cmpstr(accessible_name(GTK_WIDGET(terminal)), ==, "Serial console");
    g_assert_cmpstr(accessible_name(child(window, SVM_TYPE_VM_WINDOW, "uuid_value")), ==, "UUID");
    g_assert_cmpstr(accessible_name(child(window, SVM_TYPE_VM_WINDOW, "start_button")), ==,
                    "Start");
}

static void
run_window(void)
{
    const char *vm = g_getenv(ENV_NAME);
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(GError) error = NULL;
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(SvirtSettings) settings = NULL;
    SvmVmWindow *window;
    SvmSecurityPage *security;
    SvmDisksPage *disks;
    SvmConsolePage *console;
    VteTerminal *terminal;
    GtkTreeModel *model;
    TerminalText marker, typed, again;
    guint count;

    g_assert_nonnull(vm);
    g_assert_true(svirt_engine_connect(engine, NULL, &error));
    conn = svirt_engine_dup_connection(engine, NULL);
    dom = virDomainLookupByName(conn, vm);
    g_assert_nonnull(dom);
    g_assert_true(svirt_engine_start_vm(engine, vm, NULL, &error));
    g_assert_no_error(error);

    {
        char uuid[VIR_UUID_STRING_BUFLEN];

        virDomainGetUUIDString(dom, uuid);
        window = svm_vm_window_new(NULL, engine, uuid);
    }
    security = svm_vm_window_get_security_page(window);
    disks = svm_vm_window_get_disks_page(window);
    console = svm_vm_window_get_console_page(window);
    terminal = svm_console_page_get_terminal(console);
    model = svm_disks_page_get_model(disks);
    gtk_window_set_default_size(GTK_WINDOW(window), 980, 560);
    gtk_widget_show(GTK_WIDGET(window));
    wait_state(window, "running");
    wait_for(console_connected, window, 30000, "the console to connect");

    /* Overview */
    g_assert_cmpstr(svm_vm_window_get_overview(window)->name, ==, vm);
    /* g_format_size() puts a no-break space before the unit. */
    g_assert_cmpstr(gtk_label_get_text(GTK_LABEL(child(window, SVM_TYPE_VM_WINDOW, "memory_value"))),
                    ==, "16.0\u00a0MiB");
    g_assert_cmpstr(gtk_label_get_text(GTK_LABEL(child(window, SVM_TYPE_VM_WINDOW, "uri_value"))),
                    ==, URI);
    g_assert_null(svm_vm_window_get_error(window));
    check_accessibility(window);
    svm_test_save_screenshot(GTK_WIDGET(window), "vm-overview.png");

    /* Security and disks match what svirtctl reports. */
    check_against_svirtctl(window, vm);
    g_assert_true(g_str_has_prefix(svm_security_page_get_process_label(security),
                                   "system_u:system_r:svirt_t:s0:c"));
    g_assert_cmpint(model_designation(model, "vdb"), ==, SVIRT_DESIGNATION_PRIVATE);
    g_assert_cmpint(model_designation(model, "vdc"), ==, SVIRT_DESIGNATION_SHARED);
    g_assert_cmpint(model_designation(model, "vdd"), ==, SVIRT_DESIGNATION_READONLY);
    /* While it runs, the settings are explained, not editable. */
    g_assert_false(gtk_widget_is_sensitive(child(security, SVM_TYPE_SECURITY_PAGE,
                                                 "static_radio")));
    g_assert_false(svm_security_page_apply(security));
    g_assert_true(gtk_widget_get_visible(child(security, SVM_TYPE_SECURITY_PAGE,
                                               "running_note")));
    g_assert_false(gtk_widget_is_sensitive(child(disks, SVM_TYPE_DISKS_PAGE, "add_button")));
    svm_vm_window_show_page(window, "security");
    svm_test_save_screenshot(GTK_WIDGET(window), "vm-security.png");
    svm_vm_window_show_page(window, "disks");
    svm_test_save_screenshot(GTK_WIDGET(window), "vm-disks.png");

    /* Console: a reset makes the guest print its marker again on the attached console. */
    svm_vm_window_show_page(window, "console");
    g_assert_cmpint(virDomainReset(dom, 0), ==, 0);
    marker = (TerminalText){ terminal, SVM_TEST_BOOT_MARKER };
    wait_for(terminal_shows, &marker, 30000, "the boot marker in the terminal");
    /* Typed text goes through the terminal's commit signal to the guest, which echoes it. */
    vte_terminal_feed_child(terminal, "typed-in-window", -1);
    typed = (TerminalText){ terminal, "typed-in-window" };
    wait_for(terminal_shows, &typed, 30000, "the typed text echoed");
    /* Zoom by keyboard. */
    gtk_widget_grab_focus(GTK_WIDGET(terminal));
    gtk_window_present(GTK_WINDOW(window));
    g_assert_true(gtk_test_widget_send_key(GTK_WIDGET(terminal), GDK_KEY_equal, GDK_CONTROL_MASK));
    wait_for(zoomed_in, terminal, 5000, "Ctrl+= to zoom in");
    svm_console_page_zoom_reset(console);
    g_assert_cmpfloat(vte_terminal_get_font_scale(terminal), ==, 1.0);
    svm_test_save_screenshot(GTK_WIDGET(window), "vm-console.png");

    /* Stopped: the console says so, and reconnects when the VM starts again. */
    g_assert_true(svirt_engine_stop_vm(engine, vm, TRUE, 0, &error));
    g_assert_no_error(error);
    wait_state(window, "shutoff");
    wait_for(console_disconnected, window, 30000, "the console to close");
    g_assert_true(strstr(svm_console_page_get_state_text(console), "not running") ||
                  strstr(svm_console_page_get_state_text(console), "closed"));
    g_assert_true(svirt_engine_start_vm(engine, vm, NULL, &error));
    g_assert_no_error(error);
    wait_for(console_connected, window, 30000, "the console to reconnect");
    vte_terminal_feed_child(terminal, "after-restart", -1);
    again = (TerminalText){ terminal, "after-restart" };
    wait_for(terminal_shows, &again, 30000, "the typed text echoed after a restart");
    g_assert_true(svirt_engine_stop_vm(engine, vm, TRUE, 0, &error));
    wait_state(window, "shutoff");

    /* Stopped: an invalid static label is refused inline. */
    svm_vm_window_show_page(window, "security");
    g_assert_true(gtk_widget_is_sensitive(child(security, SVM_TYPE_SECURITY_PAGE,
                                                "static_radio")));
    svm_security_page_edit(security, SVIRT_SECURITY_MODE_STATIC,
                           "system_u:system_r:svirt_t:s0:c5,c1024", TRUE);
    g_assert_nonnull(svm_security_page_get_label_problem(security));
    g_assert_nonnull(strstr(svm_security_page_get_label_problem(security), "c1024"));
    g_assert_true(gtk_widget_get_visible(child(security, SVM_TYPE_SECURITY_PAGE, "label_error")));
    g_assert_false(gtk_widget_is_sensitive(child(security, SVM_TYPE_SECURITY_PAGE,
                                                 "apply_button")));
    g_assert_false(svm_security_page_apply(security));
    svm_test_save_screenshot(GTK_WIDGET(window), "vm-security-invalid.png");

    /* A valid one is applied and stored. */
    svm_security_page_edit(security, SVIRT_SECURITY_MODE_STATIC, STATIC_LABEL, TRUE);
    g_assert_null(svm_security_page_get_label_problem(security));
    count = svm_vm_window_get_refresh_count(window);
    g_assert_true(svm_security_page_apply(security));
    wait_for(security_idle, security, 30000, "the static label to be applied");
    wait_refresh(window, count, "the details after applying");
    g_assert_null(svm_vm_window_get_error(window));
    settings = svirt_engine_get_settings(engine, vm, &error);
    g_assert_no_error(error);
    g_assert_cmpint(settings->mode, ==, SVIRT_SECURITY_MODE_STATIC);
    g_assert_cmpstr(settings->label, ==, STATIC_LABEL);
    g_clear_pointer(&settings, svirt_settings_free);
    svm_test_save_screenshot(GTK_WIDGET(window), "vm-security-static.png");

    /* And back to dynamic. */
    svm_security_page_edit(security, SVIRT_SECURITY_MODE_DYNAMIC, NULL, TRUE);
    count = svm_vm_window_get_refresh_count(window);
    g_assert_true(svm_security_page_apply(security));
    wait_for(security_idle, security, 30000, "the dynamic mode to be applied");
    wait_refresh(window, count, "the details after applying");
    settings = svirt_engine_get_settings(engine, vm, &error);
    g_assert_no_error(error);
    g_assert_cmpint(settings->mode, ==, SVIRT_SECURITY_MODE_DYNAMIC);

    /* Designation from the Disks page, written to the definition. */
    count = svm_vm_window_get_refresh_count(window);
    svm_disks_page_set_designation(disks, "vdb", SVIRT_DESIGNATION_READONLY);
    wait_for(disks_idle, disks, 30000, "the designation to be written");
    wait_refresh(window, count, "the details after the designation");
    g_assert_null(svm_vm_window_get_error(window));
    g_assert_cmpint(model_designation(model, "vdb"), ==, SVIRT_DESIGNATION_READONLY);
    /* A system file is refused with a message in the window. */
    count = svm_vm_window_get_refresh_count(window);
    svm_disks_page_add_disk(disks, "/etc/shadow", SVIRT_DESIGNATION_PRIVATE);
    wait_for(disks_idle, disks, 30000, "the refused disk");
    g_assert_nonnull(svm_vm_window_get_error(window));
    g_assert_nonnull(strstr(svm_vm_window_get_error(window), "/etc/shadow"));
    wait_refresh(window, count, "the details after the refused disk");
    g_assert_null(model_value(model, "vda", SVM_DISKS_COL_PATH));

    gtk_widget_destroy(GTK_WIDGET(window));
}

static void
test_vm_window(void)
{
    g_autofree char *dir = NULL;
    g_autofree char *name = NULL;
    g_autofree char *xml = NULL;
    char *paths[4] = { NULL };
    g_autoptr(SvirtEngine) engine = NULL;
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(GError) error = NULL;
    virDomainPtr dom;

    if (g_test_subprocess()) {
        run_window();
        return;
    }
    engine = svirt_engine_new(URI);
    if (!svirt_engine_connect(engine, NULL, &error))
        g_error("Cannot connect to %s: %s", URI, error->message);
    conn = svirt_engine_dup_connection(engine, NULL);
    dir = svm_test_make_vm_dir("svm-details");
    name = g_strdup_printf("svm-test-details-%d", (int)getpid());
    paths[0] = g_build_filename(dir, "boot.img", NULL);
    paths[1] = g_build_filename(dir, "private.img", NULL);
    paths[2] = g_build_filename(dir, "shared.img", NULL);
    paths[3] = g_build_filename(dir, "readonly.img", NULL);
    svm_test_write_boot_image(paths[0]);
    for (guint i = 1; i < 4; i++)
        svm_test_write_blank_image(paths[i], 65536);
    xml = g_strdup_printf(
        "<domain type='qemu'><name>%s</name><memory unit='MiB'>16</memory><vcpu>1</vcpu>"
        "<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>"
        "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
        "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
        "<source file='%s'/><target dev='hda' bus='ide'/></disk>"
        "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
        "<source file='%s'/><target dev='vdb' bus='virtio'/></disk>"
        "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
        "<source file='%s'/><target dev='vdc' bus='virtio'/><shareable/></disk>"
        "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
        "<source file='%s'/><target dev='vdd' bus='virtio'/><readonly/></disk>"
        "<serial type='pty'/><console type='pty'/></devices></domain>",
        name, paths[0], paths[1], paths[2], paths[3]);
    dom = virDomainDefineXML(conn, xml);
    if (!dom)
        g_error("Could not define %s: %s", name, virGetLastErrorMessage());
    virDomainFree(dom);

    g_setenv(ENV_NAME, name, TRUE);
    g_test_trap_subprocess(NULL, 180 * G_USEC_PER_SEC,
                           G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);

    /* Whatever happened there: stop the VM (restoring its labels), remove it and its files. */
    dom = virDomainLookupByName(conn, name);
    if (dom) {
        if (virDomainIsActive(dom) == 1)
            svirt_engine_stop_vm(engine, name, TRUE, 0, NULL);
        virDomainUndefine(dom);
        virDomainFree(dom);
    }
    virResetLastError();
    svm_test_rmdir(dir);
    for (guint i = 0; i < G_N_ELEMENTS(paths); i++)
        g_free(paths[i]);
    g_test_trap_assert_passed();
}

int
main(int argc, char *argv[])
{
    gtk_test_init(&argc, &argv, NULL);
    /* Screenshots must show the end state, not a frame of a transition. */
    g_object_set(gtk_settings_get_default(), "gtk-enable-animations", FALSE, NULL);
    svirt_engine_init_libvirt();
    g_test_add_func("/ui/vm-window/details", test_vm_window);
    return g_test_run();
}
