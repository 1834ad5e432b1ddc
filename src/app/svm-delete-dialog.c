#include "config.h"

#include <glib/gi18n.h>

#include "svirt-lifecycle.h"
#include "svm-delete-dialog.h"

struct _SvmDeleteDialog {
    GtkDialog parent_instance;

    GtkLabel *heading;
    GtkBox *files_box;
    GtkLabel *no_files_label;
    GPtrArray *checks; /* GtkCheckButton, each with its path as "svm-path" data */
};

G_DEFINE_TYPE(SvmDeleteDialog, svm_delete_dialog, GTK_TYPE_DIALOG)

static void
add_item(SvmDeleteDialog *self, const SvirtStorageItem *item)
{
    g_autofree char *text = g_strdup_printf("%s (%s)", item->path,
                                            item->target ? item->target : "-");
    GtkWidget *check = gtk_check_button_new_with_label(text);

    gtk_widget_set_sensitive(check, item->deletable);
    if (item->deletable) {
        g_object_set_data_full(G_OBJECT(check), "svm-path", g_strdup(item->path), g_free);
        g_ptr_array_add(self->checks, check);
    } else {
        g_autofree char *tip = g_strdup_printf(_("Not offered: %s"), item->reason);
        g_autofree char *label = g_strdup_printf("%s — %s", text, item->reason);

        gtk_widget_set_tooltip_text(check, tip);
        gtk_button_set_label(GTK_BUTTON(check), label);
    }
    gtk_widget_show(check);
    gtk_container_add(GTK_CONTAINER(self->files_box), check);
}

SvmDeleteDialog *
svm_delete_dialog_new(GtkWindow *parent, const char *vm_name, GPtrArray *storage)
{
    SvmDeleteDialog *self = g_object_new(SVM_TYPE_DELETE_DIALOG, "transient-for", parent,
                                         "use-header-bar", FALSE, NULL);
    g_autofree char *heading = NULL;

    /* TRANSLATORS: %s is a VM name */
    heading = g_strdup_printf(_("Delete the virtual machine “%s”?"), vm_name);
    gtk_label_set_text(self->heading, heading);
    for (guint i = 0; i < storage->len; i++)
        add_item(self, g_ptr_array_index(storage, i));
    gtk_widget_set_visible(GTK_WIDGET(self->no_files_label), storage->len == 0);
    return self;
}

void
svm_delete_dialog_get_chosen(SvmDeleteDialog *self, GPtrArray *paths)
{
    g_return_if_fail(SVM_IS_DELETE_DIALOG(self));
    for (guint i = 0; i < self->checks->len; i++) {
        GtkToggleButton *check = g_ptr_array_index(self->checks, i);

        if (gtk_toggle_button_get_active(check))
            g_ptr_array_add(paths, g_strdup(g_object_get_data(G_OBJECT(check), "svm-path")));
    }
}

static void
svm_delete_dialog_finalize(GObject *object)
{
    g_ptr_array_unref(SVM_DELETE_DIALOG(object)->checks);
    G_OBJECT_CLASS(svm_delete_dialog_parent_class)->finalize(object);
}

static void
svm_delete_dialog_class_init(SvmDeleteDialogClass *klass)
{
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

    G_OBJECT_CLASS(klass)->finalize = svm_delete_dialog_finalize;
    gtk_widget_class_set_template_from_resource(widget_class,
                                                "/org/svirt/Manager/svm-delete-dialog.ui");
    gtk_widget_class_bind_template_child(widget_class, SvmDeleteDialog, heading);
    gtk_widget_class_bind_template_child(widget_class, SvmDeleteDialog, files_box);
    gtk_widget_class_bind_template_child(widget_class, SvmDeleteDialog, no_files_label);
}

static void
svm_delete_dialog_init(SvmDeleteDialog *self)
{
    gtk_widget_init_template(GTK_WIDGET(self));
    self->checks = g_ptr_array_new();
}
