#include "config.h"

#include "svm-test-ui.h"
#include "svm-test-util.h"

static void
on_drawn(GtkWidget *widget, cairo_t *cr, gboolean *drawn)
{
    *drawn = TRUE;
}

void
svm_test_save_screenshot(GtkWidget *window, const char *name)
{
    const char *dir = g_getenv("SVM_SCREENSHOT_DIR");
    gboolean drawn = FALSE;
    gulong id;
    GdkWindow *gdk_window;
    g_autoptr(GdkPixbuf) pixbuf = NULL;
    g_autofree char *path = NULL;
    g_autoptr(GError) error = NULL;

    id = g_signal_connect_after(window, "draw", G_CALLBACK(on_drawn), &drawn);
    gtk_widget_queue_draw(window);
    svm_test_wait_for(svm_test_flag_is_set, &drawn, 5000, "the window to be drawn");
    g_signal_handler_disconnect(window, id);
    while (g_main_context_pending(NULL))
        g_main_context_iteration(NULL, FALSE);
    gdk_display_sync(gtk_widget_get_display(window));

    gdk_window = gtk_widget_get_window(window);
    pixbuf = gdk_pixbuf_get_from_window(gdk_window, 0, 0, gdk_window_get_width(gdk_window),
                                        gdk_window_get_height(gdk_window));
    g_assert_nonnull(pixbuf);
    if (!dir)
        return;
    g_mkdir_with_parents(dir, 0755);
    path = g_build_filename(dir, name, NULL);
    g_assert_true(gdk_pixbuf_save(pixbuf, path, "png", &error, NULL));
    g_test_message("screenshot: %s", path);
}

gpointer
svm_test_template_child(gpointer widget, GType type, const char *name)
{
    GObject *obj = gtk_widget_get_template_child(GTK_WIDGET(widget), type, name);

    g_assert_nonnull(obj);
    return obj;
}
