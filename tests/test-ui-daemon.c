#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "svm-test-fixture.h"
#include "svm-test-util.h"
#include "svm-window-private.h"

#define URI svm_test_uri()

static gboolean
window_loaded(gpointer data)
{
    return svm_window_is_loaded(SVM_WINDOW(data));
}

static gboolean
window_has_error(gpointer data)
{
    return svm_window_get_error(SVM_WINDOW(data)) != NULL;
}

static GPid
libvirtd_pid(void)
{
    g_autofree char *out = NULL;
    int status;

    if (!g_spawn_command_line_sync("pgrep -x libvirtd", &out, NULL, &status, NULL) ||
        !g_spawn_check_wait_status(status, NULL))
        return 0;
    return (GPid)g_ascii_strtoll(out, NULL, 10);
}

static gboolean
daemon_answers(gpointer data)
{
    virConnectPtr conn = virConnectOpen(URI);

    if (!conn)
        return FALSE;
    virConnectClose(conn);
    return TRUE;
}

static gboolean
process_gone(gpointer pid)
{
    return svm_test_process_gone(GPOINTER_TO_INT(pid));
}

/* Starts libvirtd again once the daemon @old has ended: until then its pid file is locked. */
static void
start_libvirtd(GPid old)
{
    g_autoptr(GError) error = NULL;
    int status;

    svm_test_wait_for(process_gone, GINT_TO_POINTER(old), 60000, "the stopped libvirtd to end");
    g_assert_true(g_spawn_command_line_sync("libvirtd -d", NULL, NULL, &status, &error));
    g_assert_no_error(error);
    /* The daemon forks before it listens: wait until it answers. */
    svm_test_wait_for(daemon_answers, NULL, 30000, "the restarted libvirtd to answer");
}

static void
test_daemon_goes_away(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    SvmWindow *window;
    GtkWidget *retry, *vm_view;
    GPid pid = libvirtd_pid();
    g_autofree char *lost = g_strdup_printf("Lost the connection to %s", URI);

    if (geteuid() != 0 || !pid) {
        g_test_skip("needs root and a running system libvirtd (tools/test starts it)");
        return;
    }
    window = svm_window_new(NULL, engine, NULL);
    gtk_widget_show(GTK_WIDGET(window));
    svm_test_wait_for(window_loaded, window, 20000, "the VM list");

    g_assert_cmpint(kill(pid, SIGTERM), ==, 0);
    svm_test_wait_for(window_has_error, window, 20000, "the lost-connection message");
    g_test_message("shown: %s", svm_window_get_error(window));
    g_assert_nonnull(strstr(svm_window_get_error(window), lost));
    g_assert_nonnull(strstr(svm_window_get_error(window), "libvirtd"));
    g_assert_false(svirt_engine_is_connected(engine));
    retry = GTK_WIDGET(gtk_widget_get_template_child(GTK_WIDGET(window), SVM_TYPE_WINDOW,
                                                     "retry_button"));
    vm_view = GTK_WIDGET(gtk_widget_get_template_child(GTK_WIDGET(window), SVM_TYPE_WINDOW,
                                                       "vm_view"));
    g_assert_true(gtk_widget_is_visible(retry));
    /* The list stays visible but cannot be acted on while disconnected. */
    g_assert_false(gtk_widget_is_sensitive(vm_view));

    start_libvirtd(pid);
    gtk_button_clicked(GTK_BUTTON(retry));
    svm_test_wait_for(window_loaded, window, 20000, "the list after retrying");
    g_assert_null(svm_window_get_error(window));
    g_assert_true(svirt_engine_is_connected(engine));
    g_assert_true(gtk_widget_is_sensitive(vm_view));
    gtk_widget_destroy(GTK_WIDGET(window));
}

int
main(int argc, char *argv[])
{
    svm_test_require_libvirtd(argv);
    gtk_test_init(&argc, &argv, NULL);
    g_object_set(gtk_settings_get_default(), "gtk-enable-animations", FALSE, NULL);
    svirt_engine_init_libvirt();
    g_test_add_func("/ui/daemon/goes-away-and-back", test_daemon_goes_away);
    return g_test_run();
}
