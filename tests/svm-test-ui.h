#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Saves what @window shows after one full redraw as $SVM_SCREENSHOT_DIR/@name, for people to
 * look at; without that variable it only checks the window could be captured. */
void svm_test_save_screenshot(GtkWidget *window, const char *name);

G_END_DECLS
