#include "config.h"

#include <glib/gi18n.h>

#include "svm-new-vm-page.h"

void
svm_new_vm_page_set_message(GtkLabel *label, const char *message)
{
    gtk_label_set_text(label, message ? message : "");
    gtk_widget_set_visible(GTK_WIDGET(label), message != NULL);
}

void
svm_new_vm_page_show_info(GtkInfoBar *bar, GtkLabel *label, GtkMessageType type,
                          const char *message)
{
    gtk_label_set_text(label, message);
    gtk_info_bar_set_message_type(bar, type);
    gtk_info_bar_set_revealed(bar, TRUE);
}

static void
on_file_chosen(GtkNativeDialog *dialog, int response, gpointer user_data)
{
    g_autoptr(GtkEntry) entry = user_data;

    if (response == GTK_RESPONSE_ACCEPT) {
        g_autofree char *path = gtk_file_chooser_get_filename(GTK_FILE_CHOOSER(dialog));

        if (path)
            gtk_entry_set_text(entry, path);
    }
    g_object_unref(dialog);
}

void
svm_new_vm_page_choose_file(GtkEntry *entry, const char *title)
{
    GtkWidget *window = gtk_widget_get_toplevel(GTK_WIDGET(entry));
    GtkFileChooserNative *dialog = gtk_file_chooser_native_new(
        title, GTK_IS_WINDOW(window) ? GTK_WINDOW(window) : NULL, GTK_FILE_CHOOSER_ACTION_OPEN,
        _("_Open"), _("_Cancel"));

    gtk_native_dialog_set_modal(GTK_NATIVE_DIALOG(dialog), TRUE);
    g_signal_connect(dialog, "response", G_CALLBACK(on_file_chosen), g_object_ref(entry));
    gtk_native_dialog_show(GTK_NATIVE_DIALOG(dialog));
}
