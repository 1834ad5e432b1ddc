#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Saves what @window shows after one full redraw as $SVM_SCREENSHOT_DIR/@name, for people to
 * look at; without that variable it only checks the window could be captured. */
void svm_test_save_screenshot(GtkWidget *window, const char *name);

/* The object @widget's template of @type names @name; fails the test when there is none. */
gpointer svm_test_template_child(gpointer widget, GType type, const char *name);

G_END_DECLS
