#include "config.h"

#include <libvirt/virterror.h>
#include <string.h>
#include <unistd.h>

#include "svirt-devices.h"
#include "svm-test-cli.h"
#include "svm-test-app.h"
#include "svm-test-fixture.h"
#include "svm-test-ui.h"
#include "svm-test-util.h"
#include "svm-test-vm.h"
#include "svm-console-page-private.h"
#include "svm-disks-page-private.h"
#include "svm-security-page-private.h"
#include "svm-vm-audit-page-private.h"
#include "svm-vm-window-private.h"

#define URI svm_test_uri()
#define STATIC_LABEL "system_u:system_r:svirt_t:s0:c10,c20"

/* The window runs in a subprocess, so the VM is removed even when an assertion there fails. */
#define ENV_NAME "SVM_TEST_DETAILS_VM"
/* TCG on a loaded machine: a boot or a console round trip can take far longer than alone. */
#define WAIT_MS 120000

static gpointer
child(gpointer widget, GType type, const char *name)
{
    return svm_test_template_child(widget, type, name);
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

    svm_test_wait_for(refreshed, &r, WAIT_MS, what);
}

static gboolean
console_connected(gpointer data)
{
    return svm_console_page_is_connected(child(data, SVM_TYPE_VM_WINDOW, "console_page"));
}

static gboolean
console_disconnected(gpointer data)
{
    return !console_connected(data);
}

typedef struct {
    VteTerminal *terminal;
    const char *text;
    guint before; /* how often the terminal showed it before */
} TerminalText;

static guint
count_text(VteTerminal *terminal, const char *needle)
{
    g_autofree char *text = vte_terminal_get_text(terminal, NULL, NULL, NULL);
    guint n = 0;

    for (const char *p = text; p && (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static gboolean
terminal_shows(gpointer data)
{
    TerminalText *t = data;

    return count_text(t->terminal, t->text) > t->before;
}

/* Waits for @text to appear once more in the terminal than @before; on a timeout the failure
 * shows what the terminal holds. */
static void
wait_terminal(VteTerminal *terminal, const char *text, guint before, const char *what)
{
    TerminalText t = { terminal, text, before };
    gint64 start = g_get_monotonic_time();
    gboolean shown_in_time = svm_test_wait_until(terminal_shows, &t, WAIT_MS);

    g_test_message("%s after %.1f s", what, (g_get_monotonic_time() - start) / 1e6);
    if (!shown_in_time) {
        g_autofree char *shown = vte_terminal_get_text(terminal, NULL, NULL, NULL);

        g_error("Timed out after %u ms waiting for %s; the terminal shows: %s", WAIT_MS, what,
                shown);
    }
}

static gboolean
zoomed_in(gpointer data)
{
    return vte_terminal_get_font_scale(data) > 1.0;
}

static void
wait_state(SvmVmWindow *window, const char *state)
{
    svm_test_vm_window_wait_state(window, state, WAIT_MS);
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

/* Selects @mode and, for a static one, types @label, as a user would. */
static void
edit_security(SvmSecurityPage *page, SvirtSecurityMode mode, const char *label, gboolean relabel)
{
    const char *radio = "dynamic_radio";

    if (mode == SVIRT_SECURITY_MODE_STATIC)
        radio = "static_radio";
    else if (mode == SVIRT_SECURITY_MODE_NONE)
        radio = "none_radio";
    gtk_toggle_button_set_active(child(page, SVM_TYPE_SECURITY_PAGE, radio), TRUE);
    if (label)
        gtk_entry_set_text(child(page, SVM_TYPE_SECURITY_PAGE, "label_entry"), label);
    gtk_switch_set_active(child(page, SVM_TYPE_SECURITY_PAGE, "relabel_switch"), relabel);
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

typedef struct {
    GtkTreeModel *model;
    const char *target;
    int designation;
} Designation;

static gboolean
shows_designation(gpointer data)
{
    Designation *d = data;

    return model_designation(d->model, d->target) == d->designation;
}

static void
check_against_svirtctl(SvmVmWindow *window, const char *vm)
{
    g_autoptr(JsonObject) status = svirtctl_status(vm);
    SvmSecurityPage *security = child(window, SVM_TYPE_VM_WINDOW, "security_page");
    GtkTreeModel *model =
        child(child(window, SVM_TYPE_VM_WINDOW, "disks_page"), SVM_TYPE_DISKS_PAGE, "disk_store");
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
    SvmSecurityPage *security = child(window, SVM_TYPE_VM_WINDOW, "security_page");
    SvmDisksPage *disks = child(window, SVM_TYPE_VM_WINDOW, "disks_page");
    GtkTreeView *view = child(disks, SVM_TYPE_DISKS_PAGE, "disks_view");
    VteTerminal *terminal =
        child(child(window, SVM_TYPE_VM_WINDOW, "console_page"), SVM_TYPE_CONSOLE_PAGE, "terminal");
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
    const char *state;
    guint markers;
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
    security = child(window, SVM_TYPE_VM_WINDOW, "security_page");
    disks = child(window, SVM_TYPE_VM_WINDOW, "disks_page");
    console = child(window, SVM_TYPE_VM_WINDOW, "console_page");
    terminal = child(console, SVM_TYPE_CONSOLE_PAGE, "terminal");
    model = child(disks, SVM_TYPE_DISKS_PAGE, "disk_store");
    gtk_window_set_default_size(GTK_WINDOW(window), 980, 560);
    gtk_widget_show(GTK_WIDGET(window));
    wait_state(window, "running");
    svm_test_wait_for(console_connected, window, WAIT_MS, "the console to connect");

    /* Overview */
    g_assert_cmpstr(svm_vm_window_get_overview(window)->name, ==, vm);
    /* g_format_size() puts a no-break space before the unit. */
    g_assert_cmpstr(gtk_label_get_text(GTK_LABEL(child(window, SVM_TYPE_VM_WINDOW, "memory_value"))),
                    ==, "16.0\u00a0MiB");
    g_assert_cmpstr(gtk_label_get_text(GTK_LABEL(child(window, SVM_TYPE_VM_WINDOW, "uri_value"))),
                    ==, URI);
    g_assert_cmpstr(gtk_label_get_text(GTK_LABEL(child(window, SVM_TYPE_VM_WINDOW,
                                                        "display_value"))),
                    ==, "No display: serial console only.");
    g_assert_null(svm_vm_window_get_error(window));
    check_accessibility(window);
    svm_vm_window_show_page(window, "overview");
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

    /* Console: typed text goes through the terminal's commit signal to the guest, which echoes
     * it from its echo loop; bytes typed while it still boots wait on the serial line. */
    svm_vm_window_show_page(window, "console");
    vte_terminal_feed_child(terminal, "typed-in-window", -1);
    wait_terminal(terminal, "typed-in-window", 0, "the typed text echoed");
    /* A reset makes the guest print its marker again on the attached console. Only a marker
     * after the ones shown so far is this boot's: once it shows, the guest echoes again (a
     * byte typed while it resets could be lost). */
    markers = count_text(terminal, SVM_TEST_BOOT_MARKER);
    g_assert_cmpint(virDomainReset(dom, 0), ==, 0);
    wait_terminal(terminal, SVM_TEST_BOOT_MARKER, markers, "the boot marker after the reset");
    vte_terminal_feed_child(terminal, "typed-after-reset", -1);
    wait_terminal(terminal, "typed-after-reset", 0, "the text typed after the reset echoed");
    /* Zoom by keyboard. */
    gtk_widget_grab_focus(GTK_WIDGET(terminal));
    gtk_window_present(GTK_WINDOW(window));
    g_assert_true(gtk_test_widget_send_key(GTK_WIDGET(terminal), GDK_KEY_equal, GDK_CONTROL_MASK));
    svm_test_wait_for(zoomed_in, terminal, 5000, "Ctrl+= to zoom in");
    svm_console_page_zoom_reset(console);
    g_assert_cmpfloat(vte_terminal_get_font_scale(terminal), ==, 1.0);
    svm_test_save_screenshot(GTK_WIDGET(window), "vm-console.png");

    /* Stopped: the console says so, and reconnects when the VM starts again. */
    g_assert_true(svirt_engine_stop_vm(engine, vm, TRUE, 0, &error));
    g_assert_no_error(error);
    wait_state(window, "shutoff");
    svm_test_wait_for(console_disconnected, window, WAIT_MS, "the console to close");
    state = gtk_label_get_text(child(console, SVM_TYPE_CONSOLE_PAGE, "state_label"));
    g_assert_true(strstr(state, "not running") || strstr(state, "closed"));
    g_assert_true(svirt_engine_start_vm(engine, vm, NULL, &error));
    g_assert_no_error(error);
    svm_test_wait_for(console_connected, window, WAIT_MS, "the console to reconnect");
    vte_terminal_feed_child(terminal, "after-restart", -1);
    wait_terminal(terminal, "after-restart", 0, "the typed text echoed after a restart");
    g_assert_true(svirt_engine_stop_vm(engine, vm, TRUE, 0, &error));
    wait_state(window, "shutoff");

    /* Stopped: an invalid static label is refused inline. */
    svm_vm_window_show_page(window, "security");
    g_assert_true(gtk_widget_is_sensitive(child(security, SVM_TYPE_SECURITY_PAGE,
                                                "static_radio")));
    edit_security(security, SVIRT_SECURITY_MODE_STATIC,
                           "system_u:system_r:svirt_t:s0:c5,c1024", TRUE);
    g_assert_nonnull(svm_security_page_get_label_problem(security));
    g_assert_nonnull(strstr(svm_security_page_get_label_problem(security), "c1024"));
    g_assert_true(gtk_widget_get_visible(child(security, SVM_TYPE_SECURITY_PAGE, "label_error")));
    g_assert_false(gtk_widget_is_sensitive(child(security, SVM_TYPE_SECURITY_PAGE,
                                                 "apply_button")));
    g_assert_false(svm_security_page_apply(security));
    svm_test_save_screenshot(GTK_WIDGET(window), "vm-security-invalid.png");

    /* A valid one is applied and stored. */
    edit_security(security, SVIRT_SECURITY_MODE_STATIC, STATIC_LABEL, TRUE);
    g_assert_null(svm_security_page_get_label_problem(security));
    count = svm_vm_window_get_refresh_count(window);
    g_assert_true(svm_security_page_apply(security));
    svm_test_wait_for(security_idle, security, WAIT_MS, "the static label to be applied");
    wait_refresh(window, count, "the details after applying");
    g_assert_null(svm_vm_window_get_error(window));
    settings = svirt_engine_get_settings(engine, vm, &error);
    g_assert_no_error(error);
    g_assert_cmpint(settings->mode, ==, SVIRT_SECURITY_MODE_STATIC);
    g_assert_cmpstr(settings->label, ==, STATIC_LABEL);
    g_clear_pointer(&settings, svirt_settings_free);
    svm_test_save_screenshot(GTK_WIDGET(window), "vm-security-static.png");

    /* And back to dynamic. */
    edit_security(security, SVIRT_SECURITY_MODE_DYNAMIC, NULL, TRUE);
    count = svm_vm_window_get_refresh_count(window);
    g_assert_true(svm_security_page_apply(security));
    svm_test_wait_for(security_idle, security, WAIT_MS, "the dynamic mode to be applied");
    wait_refresh(window, count, "the details after applying");
    settings = svirt_engine_get_settings(engine, vm, &error);
    g_assert_no_error(error);
    g_assert_cmpint(settings->mode, ==, SVIRT_SECURITY_MODE_DYNAMIC);

    /* Designation from the Disks page, written to the definition. */
    count = svm_vm_window_get_refresh_count(window);
    svm_disks_page_set_designation(disks, "vdb", SVIRT_DESIGNATION_READONLY);
    svm_test_wait_for(disks_idle, disks, WAIT_MS, "the designation to be written");
    wait_refresh(window, count, "the details after the designation");
    /* A refresh that began before the write may finish first; the one after it shows it. */
    svm_test_wait_for(shows_designation,
                      &(Designation){ model, "vdb", SVIRT_DESIGNATION_READONLY }, WAIT_MS,
                      "the designation on the Disks page");
    g_assert_null(svm_vm_window_get_error(window));
    g_assert_cmpint(model_designation(model, "vdb"), ==, SVIRT_DESIGNATION_READONLY);
    /* A system file is refused with a message in the window. */
    count = svm_vm_window_get_refresh_count(window);
    svm_disks_page_add_disk(disks, "/etc/shadow", SVIRT_DESIGNATION_PRIVATE);
    svm_test_wait_for(disks_idle, disks, WAIT_MS, "the refused disk");
    g_assert_nonnull(svm_vm_window_get_error(window));
    g_assert_nonnull(strstr(svm_vm_window_get_error(window), "/etc/shadow"));
    wait_refresh(window, count, "the details after the refused disk");
    g_assert_null(model_value(model, "vda", SVM_DISKS_COL_PATH));

    gtk_widget_destroy(GTK_WIDGET(window));
}

/* A private, a shareable and a read-only disk after the boot disk @paths[0], and a console. */
static char *
disks_xml(char *paths[4])
{
    g_autofree char *private = svm_test_disk_xml(paths[1], "vdb", "");
    g_autofree char *shared = svm_test_disk_xml(paths[2], "vdc", "<shareable/>");
    g_autofree char *readonly = svm_test_disk_xml(paths[3], "vdd", "<readonly/>");

    return g_strconcat(private, shared, readonly, SVM_TEST_PTY_CONSOLE, NULL);
}

static void
test_vm_window(void)
{
    g_autofree char *dir = NULL;
    g_autofree char *name = NULL;
    g_autofree char *xml = NULL;
    char *paths[4] = { NULL };
    g_autofree char *devices = NULL;
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
    name = svm_test_vm_name("svm-test-details");
    paths[0] = g_build_filename(dir, "boot.img", NULL);
    paths[1] = g_build_filename(dir, "private.img", NULL);
    paths[2] = g_build_filename(dir, "shared.img", NULL);
    paths[3] = g_build_filename(dir, "readonly.img", NULL);
    svm_test_write_boot_image(paths[0]);
    for (guint i = 1; i < 4; i++)
        svm_test_write_blank_image(paths[i], 65536);
    devices = disks_xml(paths);
    xml = svm_test_domain_xml(name, paths[0], devices);
    dom = virDomainDefineXML(conn, xml);
    if (!dom)
        g_error("Could not define %s: %s", name, virGetLastErrorMessage());
    virDomainFree(dom);
    /* Nothing here runs the main loop while the subprocess does, so libvirtd's keepalive
     * would close this connection: the cleanup opens its own. */
    g_clear_pointer(&conn, virConnectClose);
    g_clear_object(&engine);

    g_setenv(ENV_NAME, name, TRUE);
    g_test_trap_subprocess(NULL, 540 * G_USEC_PER_SEC,
                           G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);

    /* Whatever happened there: stop the VM (restoring its labels), remove it and its files. */
    svm_test_remove_vm(name);
    svm_test_rmdir(dir);
    for (guint i = 0; i < G_N_ELEMENTS(paths); i++)
        g_free(paths[i]);
    g_test_trap_assert_passed();
}

/* Cheap VMs of the test driver for the window's own controls. */
#define TEST_URI "test:///default"

static GtkWidget *
find_toplevel(GType type)
{
    g_autoptr(GList) tops = gtk_window_list_toplevels();

    for (GList *l = tops; l; l = l->next) {
        if (G_TYPE_CHECK_INSTANCE_TYPE(l->data, type))
            return l->data;
    }
    return NULL;
}

static gboolean
dialog_shown(gpointer data)
{
    GtkWidget *dialog = find_toplevel(GTK_TYPE_MESSAGE_DIALOG);

    return dialog && gtk_widget_get_mapped(dialog);
}

static gboolean
dialog_gone(gpointer data)
{
    return find_toplevel(GTK_TYPE_MESSAGE_DIALOG) == NULL;
}

/* Answers the Force Off question with a click, after checking it names the VM and what is
 * lost. */
static void
answer_force_off(const char *vm, int response, const char *screenshot)
{
    GtkWidget *dialog;
    g_autofree char *text = NULL;
    g_autofree char *secondary = NULL;

    svm_test_wait_for(dialog_shown, NULL, 5000, "the Force Off question");
    dialog = find_toplevel(GTK_TYPE_MESSAGE_DIALOG);
    g_object_get(dialog, "text", &text, "secondary-text", &secondary, NULL);
    g_assert_nonnull(strstr(text, vm));
    g_assert_nonnull(strstr(secondary, "not saved is lost"));
    if (screenshot)
        svm_test_save_screenshot(dialog, screenshot);
    gtk_button_clicked(GTK_BUTTON(gtk_dialog_get_widget_for_response(GTK_DIALOG(dialog),
                                                                     response)));
    svm_test_wait_for(dialog_gone, NULL, 5000, "the Force Off question to close");
}

static const char *
button_icon(GtkWidget *button)
{
    GtkWidget *image = gtk_bin_get_child(GTK_BIN(button));
    const char *name = NULL;

    g_assert_true(GTK_IS_IMAGE(image));
    gtk_image_get_icon_name(GTK_IMAGE(image), &name, NULL);
    return name;
}

static gboolean
window_refreshed(gpointer data)
{
    return svm_vm_window_get_refresh_count(data) > 0;
}

static gboolean
page_audited(gpointer data)
{
    SvmVmAuditPage *page = data;

    return svm_vm_audit_page_get_audit_count(page) > 0 && !svm_vm_audit_page_is_running(page);
}

/* A key press as the window system delivers it: to the toplevel, which hands it on to the
 * focus widget. A press alone, since the window may be gone before a release. */
static void
send_key(GtkWidget *widget, guint keyval, GdkModifierType state)
{
    GdkWindow *window = gtk_widget_get_window(gtk_widget_get_toplevel(widget));
    GdkEvent *event = gdk_event_new(GDK_KEY_PRESS);
    GdkKeymapKey *keys = NULL;
    int n_keys = 0;

    event->key.window = g_object_ref(window);
    event->key.keyval = keyval;
    event->key.state = state;
    event->key.time = GDK_CURRENT_TIME;
    if (gdk_keymap_get_entries_for_keyval(gdk_keymap_get_for_display(gdk_window_get_display(
                                              window)),
                                          keyval, &keys, &n_keys) &&
        n_keys > 0)
        event->key.hardware_keycode = keys[0].keycode;
    g_free(keys);
    gdk_event_set_device(event, gdk_seat_get_keyboard(gdk_display_get_default_seat(
                                    gdk_window_get_display(window))));
    gtk_main_do_event(event);
    gdk_event_free(event);
}

static void
define_plain_vm(virConnectPtr conn, const char *name, char uuid[VIR_UUID_STRING_BUFLEN])
{
    g_autoptr(virDomain) dom = svm_test_define_test_vm(conn, name, "");

    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainGetUUIDString(dom, uuid), ==, 0);
}

static gboolean
sensitive(gpointer data)
{
    return gtk_widget_is_sensitive(data);
}

static void
undefine(virConnectPtr conn, const char *uuid)
{
    g_autoptr(virDomain) dom = virDomainLookupByUUIDString(conn, uuid);

    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
}

/* The header bar names the VM; Shut Down and Force Off are two buttons with two icons, and
 * Force Off asks first; a VM without disks or findings says so. */
static void
test_controls(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(TEST_URI);
    g_autoptr(GError) error = NULL;
    g_autoptr(virConnect) conn = virConnectOpen(TEST_URI);
    char uuid[VIR_UUID_STRING_BUFLEN];
    SvmVmWindow *window;
    GtkHeaderBar *header;
    GtkWidget *start, *shutdown, *force_off, *empty;
    SvmVmAuditPage *audit;
    GtkTreeView *view;

    g_assert_true(svirt_engine_connect(engine, NULL, &error));
    define_plain_vm(conn, "svm-controls-vm", uuid);
    window = svm_vm_window_new(NULL, engine, uuid);
    gtk_window_set_default_size(GTK_WINDOW(window), 860, 560);
    gtk_widget_show(GTK_WIDGET(window));
    svm_test_wait_for(window_refreshed, window, 10000, "the details");

    header = GTK_HEADER_BAR(gtk_window_get_titlebar(GTK_WINDOW(window)));
    g_assert_cmpstr(gtk_header_bar_get_title(header), ==, "svm-controls-vm");
    g_assert_cmpstr(gtk_header_bar_get_subtitle(header), ==, "Shut off");
    g_assert_nonnull(strstr(gtk_window_get_title(GTK_WINDOW(window)), "svm-controls-vm"));
    start = child(window, SVM_TYPE_VM_WINDOW, "start_button");
    shutdown = child(window, SVM_TYPE_VM_WINDOW, "shutdown_button");
    force_off = child(window, SVM_TYPE_VM_WINDOW, "force_off_button");
    g_assert_cmpstr(button_icon(shutdown), ==, "system-shutdown-symbolic");
    g_assert_cmpstr(button_icon(force_off), ==, "media-playback-stop-symbolic");
    g_assert_cmpstr(accessible_name(shutdown), ==, "Shut down");
    g_assert_cmpstr(accessible_name(force_off), ==, "Force off");
    svm_test_save_screenshot(GTK_WIDGET(window), "vm-header.png");

    /* No disks, in words. */
    svm_vm_window_show_page(window, "disks");
    empty =
        child(child(window, SVM_TYPE_VM_WINDOW, "disks_page"), SVM_TYPE_DISKS_PAGE, "empty_label");
    g_assert_true(gtk_widget_is_visible(empty));
    g_assert_nonnull(strstr(gtk_label_get_text(GTK_LABEL(empty)), "no disks"));
    svm_test_save_screenshot(GTK_WIDGET(window), "vm-disks-empty.png");

    /* No findings, in words. */
    audit = child(window, SVM_TYPE_VM_WINDOW, "audit_page");
    svm_vm_window_show_page(window, "audit");
    svm_test_wait_for(page_audited, audit, 30000, "the VM's audit");
    view = child(audit, SVM_TYPE_VM_AUDIT_PAGE, "view");
    g_assert_cmpint(gtk_tree_model_iter_n_children(gtk_tree_view_get_model(view), NULL), ==, 0);
    empty = child(audit, SVM_TYPE_VM_AUDIT_PAGE, "empty_label");
    g_assert_true(gtk_widget_is_visible(empty));
    g_assert_nonnull(strstr(gtk_label_get_text(GTK_LABEL(empty)), "No findings for this VM"));
    svm_test_save_screenshot(GTK_WIDGET(window), "vm-audit-empty.png");

    /* Start; Force Off asks, and Cancel leaves the VM running. */
    svm_vm_window_show_page(window, "overview");
    g_assert_true(gtk_widget_is_sensitive(start));
    gtk_button_clicked(GTK_BUTTON(start));
    wait_state(window, "running");
    g_assert_cmpstr(gtk_header_bar_get_subtitle(header), ==, "Running");
    /* Both are offered once the start is done. */
    svm_test_wait_for(sensitive, shutdown, 10000, "Shut Down to be offered");
    g_assert_true(gtk_widget_is_sensitive(force_off));
    gtk_button_clicked(GTK_BUTTON(force_off));
    answer_force_off("svm-controls-vm", GTK_RESPONSE_CANCEL, "vm-force-off-question.png");
    g_assert_true(gtk_widget_is_sensitive(force_off));
    g_assert_cmpstr(svirt_vm_state_to_id(svm_vm_window_get_overview(window)->state), ==,
                    "running");
    gtk_button_clicked(GTK_BUTTON(force_off));
    answer_force_off("svm-controls-vm", GTK_RESPONSE_ACCEPT, NULL);
    wait_state(window, "shutoff");

    /* Shut Down asks the guest; the test driver's guest obeys at once. */
    svm_test_wait_for(sensitive, start, 10000, "Start to be offered");
    gtk_button_clicked(GTK_BUTTON(start));
    wait_state(window, "running");
    svm_test_wait_for(sensitive, shutdown, 10000, "Shut Down to be offered");
    gtk_button_clicked(GTK_BUTTON(shutdown));
    g_assert_null(find_toplevel(GTK_TYPE_MESSAGE_DIALOG));
    wait_state(window, "shutoff");
    g_assert_null(svm_vm_window_get_error(window));

    gtk_widget_destroy(GTK_WIDGET(window));
    undefine(conn, uuid);
}

static void
on_destroyed(GtkWidget *widget, gboolean *destroyed)
{
    *destroyed = TRUE;
}

/* Ctrl+W closes the details; in the serial console Ctrl+W is the guest's, and Ctrl+Shift+W
 * closes. */
static void
test_close_keys(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(TEST_URI);
    g_autoptr(GError) error = NULL;
    g_autoptr(virConnect) conn = virConnectOpen(TEST_URI);
    char uuid[VIR_UUID_STRING_BUFLEN];
    gboolean destroyed = FALSE;
    SvmVmWindow *window;
    VteTerminal *terminal;

    g_assert_true(svirt_engine_connect(engine, NULL, &error));
    define_plain_vm(conn, "svm-close-vm", uuid);

    window = svm_vm_window_new(NULL, engine, uuid);
    g_signal_connect(window, "destroy", G_CALLBACK(on_destroyed), &destroyed);
    gtk_widget_show(GTK_WIDGET(window));
    gtk_window_present(GTK_WINDOW(window));
    svm_test_wait_for(window_refreshed, window, 10000, "the details");
    send_key(GTK_WIDGET(window), GDK_KEY_w, GDK_CONTROL_MASK);
    svm_test_wait_for(svm_test_flag_is_set, &destroyed, 5000, "Ctrl+W to close the details");

    destroyed = FALSE;
    window = svm_vm_window_new(NULL, engine, uuid);
    g_signal_connect(window, "destroy", G_CALLBACK(on_destroyed), &destroyed);
    gtk_widget_show(GTK_WIDGET(window));
    gtk_window_present(GTK_WINDOW(window));
    svm_test_wait_for(window_refreshed, window, 10000, "the details");
    svm_vm_window_show_page(window, "console");
    terminal =
        child(child(window, SVM_TYPE_VM_WINDOW, "console_page"), SVM_TYPE_CONSOLE_PAGE, "terminal");
    gtk_widget_grab_focus(GTK_WIDGET(terminal));
    /* Keys go to the window's focus widget; whether the X server has given the toplevel the
     * input focus yet (what gtk_widget_has_focus() also asks) depends on timing. */
    g_assert_true(gtk_window_get_focus(GTK_WINDOW(window)) == GTK_WIDGET(terminal));
    send_key(GTK_WIDGET(terminal), GDK_KEY_w, GDK_CONTROL_MASK);
    g_assert_false(destroyed);
    send_key(GTK_WIDGET(terminal), GDK_KEY_W, GDK_CONTROL_MASK | GDK_SHIFT_MASK);
    svm_test_wait_for(svm_test_flag_is_set, &destroyed, 5000, "Ctrl+Shift+W to close the details");
    undefine(conn, uuid);
}

typedef struct {
    SvmSecurityPage *page;
    const char *words; /* NULL: no warning */
} ReachWarning;

static gboolean
reach_warning_is(gpointer data)
{
    ReachWarning *w = data;
    const char *shown = svm_security_page_get_reach_warning(w->page);

    if (!w->words)
        return shown == NULL;
    return shown && strstr(shown, w->words);
}

/* Before Apply, the Security tab says which VMs a static label would reach, and the shared
 * level needs its own permission. */
static void
test_security_isolation(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(TEST_URI);
    g_autoptr(GError) error = NULL;
    g_autoptr(virConnect) conn = virConnectOpen(TEST_URI);
    g_autoptr(virDomain) holder = NULL;
    g_autoptr(SvirtSettings) stored = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];
    SvmVmWindow *window;
    SvmSecurityPage *security;
    GtkWidget *shared_check, *apply;

    g_assert_true(svirt_engine_connect(engine, NULL, &error));
    define_plain_vm(conn, "svm-reach-vm", uuid);
    holder = virDomainCreateXML(conn,
                                "<domain type='test'><name>svm-reach-holder</name>"
                                "<memory>65536</memory><os><type>hvm</type></os>"
                                "<seclabel type='static' model='selinux' relabel='no'><label>"
                                "system_u:system_r:svirt_t:s0:c80,c81</label></seclabel>"
                                "</domain>",
                                0);
    g_assert_nonnull(holder);
    window = svm_vm_window_new(NULL, engine, uuid);
    gtk_window_set_default_size(GTK_WINDOW(window), 860, 640);
    gtk_widget_show(GTK_WIDGET(window));
    svm_test_wait_for(window_refreshed, window, 10000, "the details");
    svm_vm_window_show_page(window, "security");
    security = child(window, SVM_TYPE_VM_WINDOW, "security_page");
    shared_check = child(security, SVM_TYPE_SECURITY_PAGE, "shared_check");
    apply = child(security, SVM_TYPE_SECURITY_PAGE, "apply_button");

    edit_security(security, SVIRT_SECURITY_MODE_STATIC,
                  "system_u:system_r:svirt_t:s0-s0:c0.c1023", TRUE);
    svm_test_wait_for(reach_warning_is, &(ReachWarning){ security, "'svm-reach-holder'" }, 10000,
                      "the warning that the range reaches the running VM");
    g_test_message("%s", svm_security_page_get_reach_warning(security));
    g_assert_true(g_str_has_prefix(svm_security_page_get_reach_warning(security),
                                   "Not isolated. "));
    g_assert_false(gtk_widget_get_visible(shared_check));
    svm_test_save_screenshot(GTK_WIDGET(window), "vm-security-not-isolated.png");

    /* The shared level: refused until allowed on purpose. */
    edit_security(security, SVIRT_SECURITY_MODE_STATIC, "system_u:system_r:svirt_t:s0", TRUE);
    g_assert_nonnull(strstr(svm_security_page_get_label_problem(security), "shared level"));
    g_assert_true(gtk_widget_get_visible(shared_check));
    g_assert_false(gtk_widget_is_sensitive(apply));
    gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(shared_check), TRUE);
    g_assert_null(svm_security_page_get_label_problem(security));
    g_assert_true(gtk_widget_is_sensitive(apply));
    svm_test_wait_for(reach_warning_is, &(ReachWarning){ security, "shared level" }, 10000,
                      "the warning about the shared level");
    svm_test_save_screenshot(GTK_WIDGET(window), "vm-security-shared-level.png");
    g_assert_true(svm_security_page_apply(security));
    svm_test_wait_for(security_idle, security, 10000, "the shared level to be applied");
    g_assert_null(svm_vm_window_get_error(window));
    stored = svirt_engine_get_settings(engine, uuid, &error);
    g_assert_no_error(error);
    g_assert_true(stored->shared_level);

    /* A pair of its own: no warning. */
    edit_security(security, SVIRT_SECURITY_MODE_STATIC, STATIC_LABEL, TRUE);
    g_assert_false(gtk_widget_get_visible(shared_check));
    svm_test_wait_for(reach_warning_is, &(ReachWarning){ security, NULL }, 10000,
                      "the warning to go");

    gtk_widget_destroy(GTK_WIDGET(window));
    virDomainDestroy(holder);
    undefine(conn, uuid);
}

#define NATIVE_LABEL "system_u:system_r:svirt_t:s0:c1,c2"

static gboolean
native_box_hidden(gpointer data)
{
    return !gtk_widget_get_visible(child(data, SVM_TYPE_SECURITY_PAGE, "native_box"));
}

/* A VM defined with libvirt's own static seclabel shows as Static with its label; the test
 * driver has no selinux driver, so the tab says libvirtd cannot start it and offers to move
 * the label, after which the definition carries none and the settings are the same. */
static void
test_native_seclabel(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(TEST_URI);
    g_autoptr(GError) error = NULL;
    g_autoptr(virConnect) conn = virConnectOpen(TEST_URI);
    g_autoptr(virDomain) dom = virDomainDefineXML(
        conn, "<domain type='test'><name>svm-native-vm</name><memory>65536</memory>"
              "<os><type>hvm</type></os><seclabel type='static' model='selinux' relabel='no'>"
              "<label>" NATIVE_LABEL "</label></seclabel></domain>");
    g_autoptr(SvirtSettings) settings = NULL;
    char *defined = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];
    SvmVmWindow *window;
    SvmSecurityPage *security;
    GtkWidget *native_box;
    const char *message;
    guint count;

    g_assert_true(svirt_engine_connect(engine, NULL, &error));
    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainGetUUIDString(dom, uuid), ==, 0);
    window = svm_vm_window_new(NULL, engine, uuid);
    gtk_window_set_default_size(GTK_WINDOW(window), 860, 640);
    gtk_widget_show(GTK_WIDGET(window));
    svm_test_wait_for(window_refreshed, window, 10000, "the details");
    security = child(window, SVM_TYPE_VM_WINDOW, "security_page");
    svm_vm_window_show_page(window, "security");
    g_assert_true(gtk_toggle_button_get_active(child(security, SVM_TYPE_SECURITY_PAGE,
                                                     "static_radio")));
    g_assert_cmpstr(gtk_entry_get_text(child(security, SVM_TYPE_SECURITY_PAGE, "label_entry")), ==,
                    NATIVE_LABEL);
    g_assert_false(gtk_switch_get_active(child(security, SVM_TYPE_SECURITY_PAGE,
                                               "relabel_switch")));
    g_assert_nonnull(strstr(gtk_label_get_text(child(security, SVM_TYPE_SECURITY_PAGE,
                                                     "source_value")),
                            "<seclabel>"));
    native_box = child(security, SVM_TYPE_SECURITY_PAGE, "native_box");
    g_assert_true(gtk_widget_get_visible(native_box));
    message = gtk_label_get_text(child(security, SVM_TYPE_SECURITY_PAGE, "native_message"));
    g_assert_nonnull(strstr(message, "no selinux security driver"));
    g_assert_nonnull(strstr(message, "Move to sVirt Manager"));
    g_assert_true(gtk_widget_is_sensitive(child(security, SVM_TYPE_SECURITY_PAGE,
                                                "adopt_button")));
    svm_test_save_screenshot(GTK_WIDGET(window), "vm-security-native.png");

    /* Moved: same settings, no seclabel, and nothing left to offer. */
    count = svm_vm_window_get_refresh_count(window);
    gtk_button_clicked(child(security, SVM_TYPE_SECURITY_PAGE, "adopt_button"));
    svm_test_wait_for(security_idle, security, 10000, "the label to be moved");
    wait_refresh(window, count, "the details after moving the label");
    svm_test_wait_for(native_box_hidden, security, 10000, "the message to go");
    g_assert_null(svm_vm_window_get_error(window));
    g_assert_false(svm_security_page_adopt(security));
    defined = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
    g_assert_null(strstr(defined, "model='selinux'"));
    free(defined);
    settings = svirt_engine_get_settings(engine, uuid, &error);
    g_assert_no_error(error);
    g_assert_cmpint(settings->mode, ==, SVIRT_SECURITY_MODE_STATIC);
    g_assert_cmpstr(settings->label, ==, NATIVE_LABEL);
    g_assert_false(settings->relabel);
    g_assert_true(gtk_toggle_button_get_active(child(security, SVM_TYPE_SECURITY_PAGE,
                                                     "static_radio")));
    g_assert_nonnull(strstr(gtk_label_get_text(child(security, SVM_TYPE_SECURITY_PAGE,
                                                     "source_value")),
                            "metadata"));
    svm_test_save_screenshot(GTK_WIDGET(window), "vm-security-native-moved.png");

    gtk_widget_destroy(GTK_WIDGET(window));
    undefine(conn, uuid);
}

int
main(int argc, char *argv[])
{
    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_LIBVIRTD);
    gtk_test_init(&argc, &argv, NULL);
    /* Screenshots must show the end state, not a frame of a transition. */
    g_object_set(gtk_settings_get_default(), "gtk-enable-animations", FALSE, NULL);
    svirt_engine_init_libvirt();
    g_test_add_func("/ui/vm-window/details", test_vm_window);
    g_test_add_func("/ui/vm-window/controls", test_controls);
    g_test_add_func("/ui/vm-window/close-keys", test_close_keys);
    g_test_add_func("/ui/vm-window/security-isolation", test_security_isolation);
    g_test_add_func("/ui/vm-window/native-seclabel", test_native_seclabel);
    return g_test_run();
}
