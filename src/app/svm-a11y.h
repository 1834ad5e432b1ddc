#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Names the close button GtkInfoBar makes itself (an icon alone, which screen readers cannot
 * name) "Close". Call once the info bar is built. */
void svm_a11y_name_info_bar_close_button(GtkInfoBar *bar);

G_END_DECLS
