#pragma once

#include "svm-display-page.h"

G_BEGIN_DECLS

/* State the ui tests wait on and check; the app itself does not read it. */
gboolean svm_display_page_is_connected(SvmDisplayPage *self);
/* Bumped each time the screen has connected and drawn its first frame. */
guint svm_display_page_get_connection_count(SvmDisplayPage *self);
/* The VncDisplay or SpiceDisplay widget; NULL when not connected. */
GtkWidget *svm_display_page_get_screen(SvmDisplayPage *self);
/* What the guest shows now, at its own size; NULL when not connected. */
GdkPixbuf *svm_display_page_get_pixbuf(SvmDisplayPage *self);
/* Whether the Add a Display button is shown and can be pressed. */
gboolean svm_display_page_can_add_display(SvmDisplayPage *self);
/* The message shown in place of the screen. */
const char *svm_display_page_get_message(SvmDisplayPage *self);
/* Sends the key combination named @id of the Send Key menu ("ctrl-alt-del", "ctrl-alt-f1",
 * "print", …), as the menu does. */
void svm_display_page_send_combo(SvmDisplayPage *self, const char *id);
/* Sends @keyvals one after the other, each pressed and released. */
void svm_display_page_type_keys(SvmDisplayPage *self, const guint *keyvals, guint n);
/* Saves the screen as a PNG file at @path, as the Screenshot button does once a file is
 * chosen. */
gboolean svm_display_page_save_screenshot(SvmDisplayPage *self, const char *path,
                                          GError **error);

G_END_DECLS
