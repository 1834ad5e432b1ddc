#include "config.h"

#include "svm-application.h"
#include "svm-test-util.h"
#include "svm-window-private.h"

typedef struct {
    char *uri;
    int width;
    int height;
} Seen;

static gboolean
window_loaded(gpointer data)
{
    return svm_window_is_loaded(SVM_WINDOW(data));
}

static void
on_window_added(GtkApplication *app, GtkWindow *window, Seen *seen)
{
    svm_test_wait_for(window_loaded, window, 10000, "the VM list");
    seen->uri = g_strdup(svirt_engine_get_uri(svm_window_get_engine(SVM_WINDOW(window))));
    gtk_window_get_default_size(window, &seen->width, &seen->height);
    g_action_group_activate_action(G_ACTION_GROUP(app), "quit", NULL);
}

static int
run_app(const char *const *args, Seen *seen)
{
    g_autoptr(SvmApplication) app = svm_application_new();
    g_autoptr(GPtrArray) argv = g_ptr_array_new();

    g_ptr_array_add(argv, (gpointer) "svirt-manager");
    for (gsize i = 0; args[i]; i++)
        g_ptr_array_add(argv, (gpointer)args[i]);
    g_ptr_array_add(argv, NULL);
    g_signal_connect(app, "window-added", G_CALLBACK(on_window_added), seen);
    return g_application_run(G_APPLICATION(app), argv->len - 1, (char **)argv->pdata);
}

static void
test_connect_option_and_settings(void)
{
    g_autoptr(GSettings) settings = g_settings_new(APP_ID);
    const char *with_uri[] = { "--connect", "test:///default", NULL };
    const char *without[] = { NULL };
    Seen seen = { 0 };
    g_autofree char *last = NULL;

    g_settings_set_string(settings, "last-uri", "");
    g_settings_set_int(settings, "window-width", 640);
    g_settings_set_int(settings, "window-height", 420);

    /* --connect wins, the window takes the remembered size, and the URI is remembered. */
    g_assert_cmpint(run_app(with_uri, &seen), ==, 0);
    g_assert_cmpstr(seen.uri, ==, "test:///default");
    g_assert_cmpint(seen.width, ==, 640);
    g_assert_cmpint(seen.height, ==, 420);
    last = g_settings_get_string(settings, "last-uri");
    g_assert_cmpstr(last, ==, "test:///default");
    g_clear_pointer(&seen.uri, g_free);

    /* Without --connect, the last connection is reopened. */
    g_assert_cmpint(run_app(without, &seen), ==, 0);
    g_assert_cmpstr(seen.uri, ==, "test:///default");
    g_free(seen.uri);
}

int
main(int argc, char *argv[])
{
    gtk_test_init(&argc, &argv, NULL);
    g_object_set(gtk_settings_get_default(), "gtk-enable-animations", FALSE, NULL);
    g_test_add_func("/ui/app/connect-option-and-settings", test_connect_option_and_settings);
    return g_test_run();
}
