#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* What the New VM assistant's pages share. A page with fields emits "changed" when one of them
 * changes; the assistant then checks every page again. */

/* Shows @message in @label under a field; NULL hides the label. */
void svm_new_vm_page_set_message(GtkLabel *label, const char *message);
/* Reveals @bar, of @type, with @message in its @label. */
void svm_new_vm_page_show_info(GtkInfoBar *bar, GtkLabel *label, GtkMessageType type,
                               const char *message);
/* Asks for an existing file, titled @title, over @entry's window; the path chosen goes into
 * @entry. */
void svm_new_vm_page_choose_file(GtkEntry *entry, const char *title);

G_END_DECLS
