#include "config.h"

#include <libvirt/virterror.h>
#include <string.h>

#include "svm-test-fixture.h"
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

#define MARKER "SVIRT-OK"
#define MARKER_CELLS 8

/* 16-bit real mode, loaded at 0x7c00: writes the marker white on blue (attribute 0x1f) in the
 * first cells of VGA text memory (0xb800:0) and on COM1 (0x3f8), then reads keys through the
 * BIOS (int 16h) and writes each to the next cell and to COM1. */
static const guint8 vga_boot_code[] = {
    0xFB,             /* sti */
    0xFC,             /* cld */
    0x31, 0xC0,       /* xor ax, ax */
    0x8E, 0xD8,       /* mov ds, ax */
    0xB8, 0x00, 0xB8, /* mov ax, 0xb800 */
    0x8E, 0xC0,       /* mov es, ax */
    0xBE, 0x2B, 0x7C, /* mov si, 0x7c2b (the marker below) */
    0x31, 0xFF,       /* xor di, di */
    0xBA, 0xF8, 0x03, /* mov dx, 0x3f8 */
    0xB4, 0x1F,       /* mov ah, 0x1f */
    0xAC,             /* print: lodsb */
    0x84, 0xC0,       /* test al, al */
    0x74, 0x04,       /* jz keys */
    0xAB,             /* stosw */
    0xEE,             /* out dx, al */
    0xEB, 0xF7,       /* jmp print */
    0x30, 0xE4,       /* keys: xor ah, ah */
    0xCD, 0x16,       /* int 0x16 (wait for a key: al = its character) */
    0xB4, 0x1F,       /* mov ah, 0x1f */
    0xAB,             /* stosw */
    0xBA, 0xF8, 0x03, /* mov dx, 0x3f8 */
    0xEE,             /* out dx, al */
    0xEB, 0xF3,       /* jmp keys */
};

static void
write_vga_boot_image(const char *path)
{
    g_autofree guint8 *image = g_malloc0(1024 * 1024);
    g_autoptr(GError) error = NULL;

    G_STATIC_ASSERT(sizeof(vga_boot_code) == 0x2B);
    memcpy(image, vga_boot_code, sizeof(vga_boot_code));
    memcpy(image + sizeof(vga_boot_code), MARKER, sizeof(MARKER));
    image[510] = 0x55;
    image[511] = 0xAA;
    g_assert_true(g_file_set_contents(path, (const char *)image, 1024 * 1024, &error));
    g_assert_no_error(error);
}

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

/* How the pixels of text cell (@col, @row) look: blue background, white glyph, other. */
typedef struct {
    guint blue;
    guint white;
    guint other;
} Cell;

static Cell
read_cell(GdkPixbuf *pixbuf, guint col, guint row)
{
    int w = gdk_pixbuf_get_width(pixbuf) / 80;
    int h = gdk_pixbuf_get_height(pixbuf) / 25;
    int stride = gdk_pixbuf_get_rowstride(pixbuf);
    int channels = gdk_pixbuf_get_n_channels(pixbuf);
    const guint8 *pixels = gdk_pixbuf_read_pixels(pixbuf);
    Cell cell = { 0 };

    for (int y = row * h; y < (int)(row + 1) * h; y++) {
        for (int x = col * w; x < (int)(col + 1) * w; x++) {
            const guint8 *p = pixels + y * stride + x * channels;

            if (p[0] < 60 && p[1] < 60 && p[2] > 140)
                cell.blue++;
            else if (p[0] > 200 && p[1] > 200 && p[2] > 200)
                cell.white++;
            else
                cell.other++;
        }
    }
    return cell;
}

/* A cell the guest wrote: a white character on blue, nothing else. */
static gboolean
cell_is_guests(GdkPixbuf *pixbuf, guint col)
{
    Cell c = read_cell(pixbuf, col, 0);

    return c.other == 0 && c.blue > 0 && c.white > 0;
}

typedef struct {
    SvmDisplayPage *page;
    guint first;
    guint last; /* the cells [first, last) are the guest's */
    gboolean want;
    guint connections; /* and the page has connected more often than this */
} Screen;

static gboolean
screen_shows(gpointer data)
{
    Screen *s = data;
    g_autoptr(GdkPixbuf) pixbuf = NULL;

    if (!svm_display_page_is_connected(s->page) ||
        svm_display_page_get_connection_count(s->page) <= s->connections)
        return FALSE;
    pixbuf = svm_display_page_get_pixbuf(s->page);
    if (!pixbuf || gdk_pixbuf_get_width(pixbuf) < 640)
        return FALSE;
    for (guint col = s->first; col < s->last; col++) {
        if (cell_is_guests(pixbuf, col) != s->want)
            return FALSE;
    }
    return TRUE;
}

static void
wait_screen(SvmDisplayPage *page, guint first, guint last, gboolean want, guint connections,
            const char *what)
{
    Screen s = { page, first, last, want, connections };

    svm_test_wait_for(screen_shows, &s, WAIT_MS, what);
}

static gboolean
serial_has(gpointer data)
{
    const char *want = data;
    g_autofree char *log = NULL;

    return g_file_get_contents(g_getenv(ENV_SERIAL), &log, NULL, NULL) && strstr(log, want);
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
    svm_test_wait_for(window_is_state, window, WAIT_MS, state);
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
    for (guint col = 0; col < MARKER_CELLS; col++)
        g_assert_true(cell_is_guests(saved, col));
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
    wait_screen(page, MARKER_CELLS, MARKER_CELLS + 3, TRUE, connections,
                "the typed keys echoed on the screen");
    svm_test_wait_for(serial_has, MARKER "xyz", WAIT_MS, "the typed keys on the serial port");
    if (g_str_equal(g_getenv(ENV_KIND), "vnc"))
        svm_test_save_screenshot(gtk_widget_get_toplevel(GTK_WIDGET(page)), "vm-display.png");
    else
        svm_test_save_screenshot(gtk_widget_get_toplevel(GTK_WIDGET(page)),
                                 "vm-display-spice.png");

    /* Send Key's Ctrl+Alt+Del makes the BIOS reset the machine: the marker comes back, the
     * typed keys are gone. */
    g_assert_nonnull(actions);
    g_action_group_activate_action(actions, "send-key", g_variant_new_string("ctrl-alt-del"));
    wait_screen(page, MARKER_CELLS, MARKER_CELLS + 3, FALSE, connections,
                "the guest to reset after Ctrl+Alt+Del");
    wait_screen(page, 0, MARKER_CELLS, TRUE, connections, "the marker after the reset");
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
    wait_screen(page, 0, MARKER_CELLS, TRUE, 0, "the marker on the screen");
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
    wait_screen(page, 0, MARKER_CELLS, TRUE, connections, "the marker after a restart");
    /* And keys reach the guest again. */
    svm_display_page_type_keys(page, (const guint[]){ GDK_KEY_q }, 1);
    wait_screen(page, MARKER_CELLS, MARKER_CELLS + 1, TRUE, connections,
                "a key typed after the restart echoed");
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
    write_vga_boot_image(boot);
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
    g_test_add_func("/ui/display/remembered-page", test_display_remembered_page);
    return g_test_run();
}
