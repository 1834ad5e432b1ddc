#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "svm-connect-dialog.h"

struct _SvmConnectDialog {
    GtkDialog parent_instance;

    GtkEntry *uri_entry;
    GtkLabel *hint_label;
    GtkWidget *connect_button;
};

G_DEFINE_TYPE(SvmConnectDialog, svm_connect_dialog, GTK_TYPE_DIALOG)

/* A URI needs a scheme: "qemu:///system", "test:///default", "qemu+ssh://host/system". */
static gboolean
uri_looks_valid(const char *uri)
{
    const char *colon = strchr(uri, ':');

    return colon && colon > uri && !strchr(uri, ' ');
}

static void
on_uri_changed(GtkEditable *editable, SvmConnectDialog *self)
{
    const char *uri = gtk_entry_get_text(self->uri_entry);
    gboolean ok = uri_looks_valid(uri);

    gtk_widget_set_sensitive(self->connect_button, ok);
    if (*uri && !ok)
        gtk_label_set_text(self->hint_label,
                           _("A URI starts with a driver, as in qemu:///system or "
                             "qemu+ssh://host/system."));
    else
        gtk_label_set_text(self->hint_label,
                           _("For example qemu:///system, qemu:///session or "
                             "qemu+ssh://root@host/system."));
}

SvmConnectDialog *
svm_connect_dialog_new(GtkWindow *parent)
{
    return g_object_new(SVM_TYPE_CONNECT_DIALOG, "transient-for", parent, "use-header-bar",
                        FALSE, NULL);
}

const char *
svm_connect_dialog_get_uri(SvmConnectDialog *self)
{
    g_return_val_if_fail(SVM_IS_CONNECT_DIALOG(self), NULL);
    return gtk_entry_get_text(self->uri_entry);
}

char *
svm_connect_dialog_run(GtkWindow *parent)
{
    SvmConnectDialog *dialog = svm_connect_dialog_new(parent);
    char *uri = NULL;

    if (gtk_dialog_run(GTK_DIALOG(dialog)) == GTK_RESPONSE_ACCEPT)
        uri = g_strstrip(g_strdup(svm_connect_dialog_get_uri(dialog)));
    gtk_widget_destroy(GTK_WIDGET(dialog));
    return uri;
}

static void
svm_connect_dialog_class_init(SvmConnectDialogClass *klass)
{
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

    gtk_widget_class_set_template_from_resource(widget_class,
                                                "/org/svirt/Manager/svm-connect-dialog.ui");
    gtk_widget_class_bind_template_child(widget_class, SvmConnectDialog, uri_entry);
    gtk_widget_class_bind_template_child(widget_class, SvmConnectDialog, hint_label);
    gtk_widget_class_bind_template_child(widget_class, SvmConnectDialog, connect_button);
    gtk_widget_class_bind_template_callback(widget_class, on_uri_changed);
}

static void
svm_connect_dialog_init(SvmConnectDialog *self)
{
    gtk_widget_init_template(GTK_WIDGET(self));
    on_uri_changed(GTK_EDITABLE(self->uri_entry), self);
}
