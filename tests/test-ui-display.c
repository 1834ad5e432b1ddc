#include "config.h"

#include <libvirt/virterror.h>
#include <string.h>

#include "svm-test-fixture.h"
#include "svm-test-app.h"
#include "svm-test-ui.h"
#include "svm-test-util.h"
#include "svm-test-vm.h"
#include "svm-display-page-private.h"
#include "svm-vm-window-private.h"

#define URI svm_test_uri()
#define TEST_URI "test:///default"
/* The window runs in a subprocess, so the VM is removed even when an assertion there fails. */
#define ENV_NAME "SVM_TEST_DISPLAY_VM"
#define ENV_SERIAL "SVM_TEST_DISPLAY_SERIAL"
#define ENV_KIND "SVM_TEST_DISPLAY_KIND"
/* TCG on a loaded machine: a boot can take far longer than alone. */
#define WAIT_MS 120000

#define VNC_NO_LISTEN                                                                          \
    "<graphics type='vnc'><listen type='none'/></graphics><video><model type='vga'/></video>"
#define SPICE_NO_LISTEN                                                                        \
    "<graphics type='spice'><listen type='none'/></graphics><video><model type='vga'/></video>"

#define MARKER SVM_TEST_DISPLAY_MARKER
#define MARKER_CELLS (sizeof(MARKER) - 1)
/* The guest echoes typed keys from the start of this row. */
#define KEY_ROW 1

static gpointer
child(gpointer widget, GType type, const char *name)
{
    return svm_test_template_child(widget, type, name);
}

static SvmDisplayPage *
display_page(SvmVmWindow *window)
{
    return child(window, SVM_TYPE_VM_WINDOW, "display_page");
}

static const char *
visible_page(SvmVmWindow *window)
{
    return gtk_stack_get_visible_child_name(child(window, SVM_TYPE_VM_WINDOW, "stack"));
}

static void
wait_screen(SvmDisplayPage *page, guint row, guint first, guint last, gboolean want,
            guint connections, const char *what)
{
    svm_test_screen_wait(page, row, first, last, want, connections, WAIT_MS, what);
}

static gboolean
serial_has(gpointer data)
{
    const char *want = data;
    g_autofree char *log = NULL;

    return g_file_get_contents(g_getenv(ENV_SERIAL), &log, NULL, NULL) && strstr(log, want);
}

static void
wait_state(SvmVmWindow *window, const char *state)
{
    svm_test_vm_window_wait_state(window, state, WAIT_MS);
}

static gboolean
page_says(gpointer data)
{
    SvmDisplayPage *page = data;
    const char *want = g_object_get_data(G_OBJECT(page), "want-message");

    return strstr(svm_display_page_get_message(page), want) != NULL;
}

static void
wait_message(SvmDisplayPage *page, const char *text)
{
    g_object_set_data(G_OBJECT(page), "want-message", (gpointer)text);
    svm_test_wait_for(page_says, page, WAIT_MS, text);
}

static gboolean
wider_than_guest(gpointer data)
{
    SvmDisplayPage *page = data;
    g_autoptr(GdkPixbuf) pixbuf = svm_display_page_get_pixbuf(page);

    return gtk_widget_get_allocated_width(svm_display_page_get_screen(page)) >
           gdk_pixbuf_get_width(pixbuf);
}

/* 1:1 shows the guest at its own size; scaled, the screen fills the page. */
static void
check_scaling(SvmDisplayPage *page)
{
    GtkWidget *screen = svm_display_page_get_screen(page);
    GtkToggleButton *scale = child(page, SVM_TYPE_DISPLAY_PAGE, "scale_button");
    g_autoptr(GdkPixbuf) pixbuf = svm_display_page_get_pixbuf(page);

    g_assert_true(gtk_toggle_button_get_active(scale));
    svm_test_wait_for(wider_than_guest, page, 5000, "the scaled screen to fill the page");
    gtk_toggle_button_set_active(scale, FALSE);
    svm_test_save_screenshot(gtk_widget_get_toplevel(screen), "vm-display-1to1.png");
    g_assert_cmpint(gtk_widget_get_allocated_width(screen), ==, gdk_pixbuf_get_width(pixbuf));
    g_assert_cmpint(gtk_widget_get_allocated_height(screen), ==, gdk_pixbuf_get_height(pixbuf));
    gtk_toggle_button_set_active(scale, TRUE);
}

/* The saved screenshot is the guest's screen, marker and all. */
static void
check_screenshot(SvmDisplayPage *page)
{
    g_autofree char *dir = svm_test_make_dir("svm-display-shot");
    g_autofree char *path = g_build_filename(dir, "screen.png", NULL);
    g_autofree char *bad = g_build_filename(dir, "missing", "screen.png", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GdkPixbuf) saved = NULL;

    g_assert_true(svm_display_page_save_screenshot(page, path, &error));
    g_assert_no_error(error);
    saved = gdk_pixbuf_new_from_file(path, &error);
    g_assert_no_error(error);
    g_assert_true(svm_test_screen_cells_are_guests(saved, 0, 0, MARKER_CELLS));
    g_assert_false(svm_display_page_save_screenshot(page, bad, &error));
    g_assert_nonnull(strstr(error->message, bad));
    svm_test_rmdir(dir);
}

static void
type_and_reset(SvmDisplayPage *page)
{
    static const guint keys[] = { GDK_KEY_x, GDK_KEY_y, GDK_KEY_z };
    GActionGroup *actions = gtk_widget_get_action_group(GTK_WIDGET(page), "display");
    guint connections = svm_display_page_get_connection_count(page) - 1;

    /* Typed keys reach the guest, which shows them in the next cells and on its serial port. */
    svm_display_page_type_keys(page, keys, G_N_ELEMENTS(keys));
    wait_screen(page, KEY_ROW, 0, 3, TRUE, connections, "the typed keys echoed on the screen");
    svm_test_wait_for(serial_has, MARKER "\r\nxyz", WAIT_MS, "the typed keys on the serial port");
    if (g_str_equal(g_getenv(ENV_KIND), "vnc"))
        svm_test_save_screenshot(gtk_widget_get_toplevel(GTK_WIDGET(page)), "vm-display.png");
    else
        svm_test_save_screenshot(gtk_widget_get_toplevel(GTK_WIDGET(page)),
                                 "vm-display-spice.png");

    /* Send Key's Ctrl+Alt+Del makes the BIOS reset the machine: the marker comes back, the
     * typed keys are gone. */
    g_assert_nonnull(actions);
    g_action_group_activate_action(actions, "send-key", g_variant_new_string("ctrl-alt-del"));
    wait_screen(page, KEY_ROW, 0, 3, FALSE, connections, "the guest to reset after Ctrl+Alt+Del");
    wait_screen(page, 0, 0, MARKER_CELLS, TRUE, connections, "the marker after the reset");
}

/* A key press or release as the window system delivers it: to the toplevel, which hands it on
 * to the focus widget. */
static void
send_key_event(GtkWidget *widget, GdkEventType type, guint keyval, GdkModifierType state)
{
    GdkWindow *window = gtk_widget_get_window(gtk_widget_get_toplevel(widget));
    GdkDisplay *display = gdk_window_get_display(window);
    GdkEvent *event = gdk_event_new(type);
    GdkKeymapKey *keys = NULL;
    int n_keys = 0;

    event->key.window = g_object_ref(window);
    event->key.keyval = keyval;
    event->key.state = state;
    event->key.time = GDK_CURRENT_TIME;
    if (gdk_keymap_get_entries_for_keyval(gdk_keymap_get_for_display(display), keyval, &keys,
                                          &n_keys) &&
        n_keys > 0)
        event->key.hardware_keycode = keys[0].keycode;
    g_free(keys);
    gdk_event_set_device(event, gdk_seat_get_keyboard(gdk_display_get_default_seat(display)));
    gtk_main_do_event(event);
    gdk_event_free(event);
}

/* Pressed and released: a display widget releases in the guest what it saw pressed. */
static void
send_key(GtkWidget *widget, guint keyval, GdkModifierType state)
{
    send_key_event(widget, GDK_KEY_PRESS, keyval, state);
    send_key_event(widget, GDK_KEY_RELEASE, keyval, state);
}

/* On the screen, the window's shortcuts are the guest's keys; elsewhere they are the window's. */
static void
check_window_keys(SvmVmWindow *window, SvmDisplayPage *page)
{
    GtkWidget *screen = svm_display_page_get_screen(page);

    gtk_window_present(GTK_WINDOW(window));
    gtk_widget_grab_focus(screen);
    g_assert_true(svm_display_page_has_focus(page));
    send_key(screen, GDK_KEY_2, GDK_MOD1_MASK);
    send_key(screen, GDK_KEY_w, GDK_CONTROL_MASK);
    g_assert_cmpstr(visible_page(window), ==, "display");
    g_assert_true(gtk_widget_get_visible(GTK_WIDGET(window)));
    gtk_widget_grab_focus(child(page, SVM_TYPE_DISPLAY_PAGE, "scale_button"));
    g_assert_false(svm_display_page_has_focus(page));
    send_key(screen, GDK_KEY_2, GDK_MOD1_MASK);
    g_assert_cmpstr(visible_page(window), ==, "overview");
    svm_vm_window_show_page(window, "display");
}

/* What the window manager says when it puts the window in or out of full screen. */
static void
send_window_state(GtkWidget *window, GdkWindowState state)
{
    GdkEvent *event = gdk_event_new(GDK_WINDOW_STATE);

    event->window_state.window = g_object_ref(gtk_widget_get_window(window));
    event->window_state.changed_mask = GDK_WINDOW_STATE_FULLSCREEN;
    event->window_state.new_window_state = state;
    gtk_main_do_event(event);
    gdk_event_free(event);
}

/* Full screen leaves the tabs out, and the toggle follows the window: the window manager may
 * end full screen too. Xvfb has no window manager to grant the request, so the test answers
 * for it. */
static void
check_fullscreen(SvmVmWindow *window, SvmDisplayPage *page)
{
    GtkToggleButton *toggle = child(page, SVM_TYPE_DISPLAY_PAGE, "fullscreen_button");
    GtkWidget *switcher = child(window, SVM_TYPE_VM_WINDOW, "switcher");

    g_assert_true(gtk_widget_is_sensitive(GTK_WIDGET(toggle)));
    send_window_state(GTK_WIDGET(window), GDK_WINDOW_STATE_FULLSCREEN);
    g_assert_true(gtk_toggle_button_get_active(toggle));
    g_assert_false(gtk_widget_get_visible(switcher));
    send_window_state(GTK_WIDGET(window), 0);
    g_assert_false(gtk_toggle_button_get_active(toggle));
    g_assert_true(gtk_widget_get_visible(switcher));
}

static void
run_window(void)
{
    const char *vm = g_getenv(ENV_NAME);
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtVmInfo) info = NULL;
    SvmVmWindow *window;
    SvmDisplayPage *page;
    guint connections;

    g_assert_true(svirt_engine_connect(engine, NULL, &error));
    g_assert_true(svirt_engine_start_vm(engine, vm, NULL, &error));
    g_assert_no_error(error);
    info = svirt_engine_lookup_vm(engine, vm, &error);
    g_assert_no_error(error);
    window = svm_vm_window_new(NULL, engine, info->uuid);
    page = display_page(window);
    gtk_window_set_default_size(GTK_WINDOW(window), 980, 640);
    gtk_widget_show(GTK_WIDGET(window));
    wait_state(window, "running");

    /* A running VM opens on its screen, which shows what the guest wrote to VGA memory. */
    g_assert_cmpstr(visible_page(window), ==, "display");
    wait_screen(page, 0, 0, MARKER_CELLS, TRUE, 0, "the marker on the screen");
    g_assert_nonnull(strstr(gtk_label_get_text(child(page, SVM_TYPE_DISPLAY_PAGE, "state_label")),
                            g_str_equal(g_getenv(ENV_KIND), "vnc") ? "VNC" : "SPICE"));
    g_assert_true(gtk_widget_is_sensitive(child(page, SVM_TYPE_DISPLAY_PAGE, "send_key_button")));
    svm_test_wait_for(serial_has, MARKER, WAIT_MS, "the marker on the serial port");
    check_scaling(page);
    check_screenshot(page);
    type_and_reset(page);
    check_window_keys(window, page);
    check_fullscreen(window, page);

    /* Stopped, the page says so; started again, the screen comes back by itself. */
    connections = svm_display_page_get_connection_count(page);
    g_assert_true(svirt_engine_stop_vm(engine, vm, TRUE, 0, &error));
    g_assert_no_error(error);
    wait_state(window, "shutoff");
    wait_message(page, "not running");
    g_assert_false(svm_display_page_is_connected(page));
    g_assert_false(gtk_widget_is_sensitive(child(page, SVM_TYPE_DISPLAY_PAGE,
                                                 "screenshot_button")));
    g_assert_true(svirt_engine_start_vm(engine, vm, NULL, &error));
    g_assert_no_error(error);
    wait_screen(page, 0, 0, MARKER_CELLS, TRUE, connections, "the marker after a restart");
    /* And keys reach the guest again. */
    svm_display_page_type_keys(page, (const guint[]){ GDK_KEY_q }, 1);
    wait_screen(page, KEY_ROW, 0, 1, TRUE, connections, "a key typed after the restart echoed");
    g_assert_true(svirt_engine_stop_vm(engine, vm, TRUE, 0, &error));
    wait_state(window, "shutoff");
    gtk_widget_destroy(GTK_WIDGET(window));
}

/* A VM with a @kind display that listens nowhere, booting the VGA marker image. */
static void
display_screen(const char *kind)
{
    g_autofree char *dir = NULL;
    g_autofree char *name = NULL;
    g_autofree char *boot = NULL;
    g_autofree char *serial = NULL;
    g_autofree char *devices = NULL;
    g_autofree char *xml = NULL;
    g_autoptr(virConnect) conn = NULL;
    virDomainPtr dom;

    if (g_test_subprocess()) {
        run_window();
        return;
    }
    conn = virConnectOpen(URI);
    g_assert_nonnull(conn);
    dir = svm_test_make_vm_dir("svm-display");
    name = svm_test_vm_name("svm-test-display");
    boot = g_build_filename(dir, "boot.img", NULL);
    serial = g_build_filename(dir, "serial.log", NULL);
    svm_test_write_display_boot_image(boot);
    devices = g_strdup_printf("<serial type='file'><source path='%s'/></serial>%s", serial,
                              g_str_equal(kind, "vnc") ? VNC_NO_LISTEN : SPICE_NO_LISTEN);
    xml = svm_test_domain_xml(name, boot, devices);
    dom = virDomainDefineXML(conn, xml);
    if (!dom)
        g_error("Could not define %s: %s", name, virGetLastErrorMessage());
    virDomainFree(dom);
    /* Nothing here runs the main loop while the subprocess does, so libvirtd's keepalive
     * would close this connection: the cleanup opens its own. */
    g_clear_pointer(&conn, virConnectClose);

    g_setenv(ENV_NAME, name, TRUE);
    g_setenv(ENV_SERIAL, serial, TRUE);
    g_setenv(ENV_KIND, kind, TRUE);
    g_test_trap_subprocess(NULL, 540 * G_USEC_PER_SEC,
                           G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);

    /* Whatever happened there: stop the VM (restoring its labels), remove it and its files. */
    svm_test_remove_vm(name);
    svm_test_rmdir(dir);
    g_test_trap_assert_passed();
}

static void
test_display_vnc(void)
{
    display_screen("vnc");
}

static void
test_display_spice(void)
{
    display_screen("spice");
}

static char *
define_test_vm(virConnectPtr conn, const char *name, const char *devices, gboolean start)
{
    g_autoptr(virDomain) dom = svm_test_define_test_vm(conn, name, devices);
    char uuid[VIR_UUID_STRING_BUFLEN];

    g_assert_nonnull(dom);
    if (start)
        g_assert_cmpint(virDomainCreate(dom), ==, 0);
    g_assert_cmpint(virDomainGetUUIDString(dom, uuid), ==, 0);
    return g_strdup(uuid);
}

static void
remove_test_vm(virConnectPtr conn, const char *uuid)
{
    g_autoptr(virDomain) dom = virDomainLookupByUUIDString(conn, uuid);

    g_assert_nonnull(dom);
    if (virDomainIsActive(dom) == 1)
        g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
}

static SvmVmWindow *
open_window(SvirtEngine *engine, const char *uuid, const char *state)
{
    SvmVmWindow *window = svm_vm_window_new(NULL, engine, uuid);

    gtk_widget_show(GTK_WIDGET(window));
    wait_state(window, state);
    return window;
}

/* A VM with only a serial console says so, running or not; a stopped one with a display says
 * it shows once the VM starts. */
static void
test_display_messages(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(TEST_URI);
    g_autoptr(virConnect) conn = virConnectOpen(TEST_URI);
    g_autofree char *serial_only = NULL;
    g_autofree char *stopped = NULL;
    SvmVmWindow *window;
    SvmDisplayPage *page;

    g_assert_true(svirt_engine_connect(engine, NULL, NULL));
    serial_only = define_test_vm(conn, "svm-display-serial", SVM_TEST_PTY_CONSOLE, TRUE);
    stopped = define_test_vm(conn, "svm-display-stopped", VNC_NO_LISTEN, FALSE);

    window = open_window(engine, serial_only, "running");
    page = display_page(window);
    wait_message(page, "This VM has only a serial console");
    g_assert_false(svm_display_page_is_connected(page));
    g_assert_false(gtk_widget_is_sensitive(child(page, SVM_TYPE_DISPLAY_PAGE,
                                                 "send_key_button")));
    svm_test_save_screenshot(GTK_WIDGET(window), "vm-display-serial-only.png");
    gtk_widget_destroy(GTK_WIDGET(window));

    window = open_window(engine, stopped, "shutoff");
    page = display_page(window);
    svm_vm_window_show_page(window, "display");
    wait_message(page, "The VM is not running. Its screen shows here when it starts.");
    gtk_widget_destroy(GTK_WIDGET(window));

    remove_test_vm(conn, serial_only);
    remove_test_vm(conn, stopped);
}

static void
on_add_error(SvmDisplayPage *page, const char *message, gpointer data)
{
    g_error("Adding a display failed: %s", message);
}

static void
on_error_kept(SvmDisplayPage *page, const char *message, gpointer data)
{
    g_object_set_data_full(G_OBJECT(page), "error", g_strdup(message), g_free);
}

static gboolean
has_error(gpointer data)
{
    return g_object_get_data(data, "error") != NULL;
}

static gboolean
refreshed_since(gpointer data)
{
    return svm_vm_window_get_refresh_count(data) >
           GPOINTER_TO_UINT(g_object_get_data(G_OBJECT(data), "refreshes"));
}

static gboolean
add_shown(gpointer data)
{
    SvmDisplayPage *page = data;

    return gtk_widget_get_visible(child(page, SVM_TYPE_DISPLAY_PAGE, "add_box"));
}

static void
run_add_window(void)
{
    const char *vm = g_getenv(ENV_NAME);
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtVmInfo) vm_info = NULL;
    g_autoptr(SvirtDisplayInfo) info = NULL;
    SvmVmWindow *window;
    SvmDisplayPage *page;
    GtkWidget *add;
    guint refreshes;
    gulong handler;

    g_assert_true(svirt_engine_connect(engine, NULL, &error));
    g_assert_true(svirt_engine_start_vm(engine, vm, NULL, &error));
    g_assert_no_error(error);
    vm_info = svirt_engine_lookup_vm(engine, vm, &error);
    g_assert_no_error(error);

    /* Running, the page says to shut the VM down first. */
    window = open_window(engine, vm_info->uuid, "running");
    page = display_page(window);
    wait_message(page, "shut the VM down and add a display");
    svm_test_wait_for(add_shown, page, WAIT_MS, "the Add a Display button");
    add = child(page, SVM_TYPE_DISPLAY_PAGE, "add_button");
    g_assert_false(gtk_widget_is_sensitive(add));
    g_assert_false(svm_display_page_can_add_display(page));
    g_assert_nonnull(strstr(gtk_widget_get_tooltip_text(add), "Shut the VM down first"));

    /* Stopped, it can. */
    g_assert_true(svirt_engine_stop_vm(engine, vm, TRUE, 0, &error));
    g_assert_no_error(error);
    wait_state(window, "shutoff");
    wait_message(page, "Add a display to see its screen");
    g_assert_true(svm_display_page_can_add_display(page));
    g_assert_cmpstr(gtk_combo_box_get_active_id(child(page, SVM_TYPE_DISPLAY_PAGE,
                                                      "add_kind_combo")),
                    ==, "vnc");
    svm_test_save_screenshot(GTK_WIDGET(window), "vm-display-add.png");
    /* An add that fails leaves the page as it was, the button ready for another try. */
    handler = g_signal_connect(page, "error", G_CALLBACK(on_error_kept), NULL);
    svm_display_page_add_display(page, SVIRT_DISPLAY_NONE);
    svm_test_wait_for(has_error, page, WAIT_MS, "the add to fail");
    g_signal_handler_disconnect(page, handler);
    g_assert_nonnull(strstr(g_object_get_data(G_OBJECT(page), "error"), "VNC or SPICE"));
    g_assert_true(svm_display_page_can_add_display(page));
    g_assert_cmpstr(gtk_label_get_text(child(page, SVM_TYPE_DISPLAY_PAGE, "state_label")), ==,
                    gtk_label_get_text(child(page, SVM_TYPE_DISPLAY_PAGE, "message_label")));
    refreshes = svm_vm_window_get_refresh_count(window);
    g_signal_connect(page, "error", G_CALLBACK(on_add_error), NULL);
    gtk_button_clicked(GTK_BUTTON(add));
    /* The definition has it now: the page waits for the VM to start, the button is gone and
     * the window has read the VM again. */
    wait_message(page, "Its screen shows here when it starts.");
    g_assert_false(gtk_widget_get_visible(child(page, SVM_TYPE_DISPLAY_PAGE, "add_box")));
    g_object_set_data(G_OBJECT(window), "refreshes", GUINT_TO_POINTER(refreshes));
    svm_test_wait_for(refreshed_since, window, WAIT_MS, "the window to read the VM again");
    info = svirt_display_get_info(engine, vm, &error);
    g_assert_no_error(error);
    g_assert_cmpint(info->kind, ==, SVIRT_DISPLAY_VNC);
    gtk_widget_destroy(GTK_WIDGET(window));
}

/* A VM with only a serial console gets a display from its Display page while it is stopped;
 * running, the page says to shut it down first. */
static void
test_display_add(void)
{
    g_autoptr(virConnect) conn = NULL;
    SvmTestVm vm = { 0 };

    if (g_test_subprocess()) {
        run_add_window();
        return;
    }
    conn = virConnectOpen(URI);
    g_assert_nonnull(conn);
    svm_test_vm_define(conn, &vm, "svm-test-display-add", NULL, SVM_TEST_VM_PTY_CONSOLE);
    g_clear_pointer(&conn, virConnectClose);
    g_setenv(ENV_NAME, vm.name, TRUE);
    g_test_trap_subprocess(NULL, 300 * G_USEC_PER_SEC,
                           G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);

    conn = virConnectOpen(URI);
    svm_test_vm_undefine(conn, &vm);
    g_test_trap_assert_passed();
}

/* The details open on the page last looked at; with none, on the screen of a running VM and
 * the overview of a stopped one. */
static void
test_display_remembered_page(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(TEST_URI);
    g_autoptr(virConnect) conn = virConnectOpen(TEST_URI);
    g_autoptr(GSettings) settings = g_settings_new("org.svirt.Manager");
    g_autofree char *running = NULL;
    g_autofree char *stopped = NULL;
    g_autofree char *saved = NULL;
    SvmVmWindow *window;

    g_assert_true(svirt_engine_connect(engine, NULL, NULL));
    g_settings_reset(settings, "vm-window-page");
    running = define_test_vm(conn, "svm-display-running", VNC_NO_LISTEN, TRUE);
    stopped = define_test_vm(conn, "svm-display-off", VNC_NO_LISTEN, FALSE);

    window = open_window(engine, running, "running");
    g_assert_cmpstr(visible_page(window), ==, "display");
    gtk_widget_destroy(GTK_WIDGET(window));
    window = open_window(engine, stopped, "shutoff");
    g_assert_cmpstr(visible_page(window), ==, "overview");
    /* The choice the window made is not the user's: nothing is remembered. */
    saved = g_settings_get_string(settings, "vm-window-page");
    g_assert_cmpstr(saved, ==, "");
    svm_vm_window_show_page(window, "disks");
    gtk_widget_destroy(GTK_WIDGET(window));

    window = open_window(engine, running, "running");
    g_assert_cmpstr(visible_page(window), ==, "disks");
    svm_vm_window_show_page(window, "console");
    gtk_widget_destroy(GTK_WIDGET(window));
    window = open_window(engine, stopped, "shutoff");
    g_assert_cmpstr(visible_page(window), ==, "console");
    gtk_widget_destroy(GTK_WIDGET(window));

    g_settings_reset(settings, "vm-window-page");
    remove_test_vm(conn, running);
    remove_test_vm(conn, stopped);
}

int
main(int argc, char *argv[])
{
    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_LIBVIRTD);
    gtk_test_init(&argc, &argv, NULL);
    /* Screenshots must show the end state, not a frame of a transition. */
    g_object_set(gtk_settings_get_default(), "gtk-enable-animations", FALSE, NULL);
    svirt_engine_init_libvirt();
    g_test_add_func("/ui/display/vnc", test_display_vnc);
    g_test_add_func("/ui/display/spice", test_display_spice);
    g_test_add_func("/ui/display/messages", test_display_messages);
    g_test_add_func("/ui/display/add", test_display_add);
    g_test_add_func("/ui/display/remembered-page", test_display_remembered_page);
    return g_test_run();
}
