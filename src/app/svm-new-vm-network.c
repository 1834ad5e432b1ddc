#include "config.h"

#include <glib/gi18n.h>

#include "svm-new-vm-network.h"

struct _SvmNewVmNetwork {
    GtkGrid parent_instance;

    GtkToggleButton *network_radio;
    GtkToggleButton *user_radio;
    GtkComboBoxText *network_combo;
    GtkLabel *network_note;

    GCancellable *cancellable;
    gboolean busy;
};

enum {
    SIGNAL_CHANGED,
    N_SIGNALS,
};

static guint signals[N_SIGNALS];

G_DEFINE_TYPE(SvmNewVmNetwork, svm_new_vm_network, GTK_TYPE_GRID)

static void
on_field_changed(SvmNewVmNetwork *self)
{
    g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

static void
on_networks_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(SvmNewVmNetwork) self = user_data;
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) names = svirt_engine_list_networks_finish(SVIRT_ENGINE(source), result,
                                                            &error);

    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
    self->busy = FALSE;
    for (guint i = 0; names && names[i]; i++)
        gtk_combo_box_text_append(self->network_combo, names[i], names[i]);
    if (names && names[0]) {
        gtk_combo_box_set_active(GTK_COMBO_BOX(self->network_combo), 0);
        gtk_toggle_button_set_active(self->network_radio, TRUE);
        gtk_label_set_text(self->network_note,
                           _("The VM joins the chosen libvirt network."));
    } else {
        gtk_widget_set_sensitive(GTK_WIDGET(self->network_radio), FALSE);
        gtk_toggle_button_set_active(self->user_radio, TRUE);
        gtk_label_set_text(self->network_note,
                           error ? error->message
                                 : _("No libvirt network is active, so the VM uses user-mode "
                                     "networking. Start a network (virsh net-start default) to "
                                     "choose it here."));
    }
    g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

void
svm_new_vm_network_set_engine(SvmNewVmNetwork *self, SvirtEngine *engine)
{
    g_return_if_fail(SVM_IS_NEW_VM_NETWORK(self));
    self->busy = TRUE;
    svirt_engine_list_networks_async(engine, self->cancellable, on_networks_ready,
                                     g_object_ref(self));
}

gboolean
svm_new_vm_network_check(SvmNewVmNetwork *self)
{
    gboolean have_network;

    g_return_val_if_fail(SVM_IS_NEW_VM_NETWORK(self), FALSE);
    have_network = gtk_combo_box_get_active(GTK_COMBO_BOX(self->network_combo)) >= 0;
    gtk_widget_set_sensitive(GTK_WIDGET(self->network_combo),
                             gtk_toggle_button_get_active(self->network_radio));
    return have_network || gtk_toggle_button_get_active(self->user_radio);
}

void
svm_new_vm_network_fill_spec(SvmNewVmNetwork *self, SvirtVmSpec *spec)
{
    g_autofree char *network = NULL;

    g_return_if_fail(SVM_IS_NEW_VM_NETWORK(self));
    network = gtk_combo_box_text_get_active_text(self->network_combo);
    g_clear_pointer(&spec->network, g_free);
    if (gtk_toggle_button_get_active(self->network_radio) && network)
        spec->network = g_steal_pointer(&network);
}

gboolean
svm_new_vm_network_is_busy(SvmNewVmNetwork *self)
{
    g_return_val_if_fail(SVM_IS_NEW_VM_NETWORK(self), FALSE);
    return self->busy;
}

static void
svm_new_vm_network_dispose(GObject *object)
{
    SvmNewVmNetwork *self = SVM_NEW_VM_NETWORK(object);

    g_cancellable_cancel(self->cancellable);
    G_OBJECT_CLASS(svm_new_vm_network_parent_class)->dispose(object);
}

static void
svm_new_vm_network_finalize(GObject *object)
{
    g_clear_object(&SVM_NEW_VM_NETWORK(object)->cancellable);
    G_OBJECT_CLASS(svm_new_vm_network_parent_class)->finalize(object);
}

static void
svm_new_vm_network_class_init(SvmNewVmNetworkClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

    object_class->dispose = svm_new_vm_network_dispose;
    object_class->finalize = svm_new_vm_network_finalize;

    signals[SIGNAL_CHANGED] = g_signal_new("changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 0);

    gtk_widget_class_set_template_from_resource(widget_class,
                                                "/org/svirt/Manager/svm-new-vm-network.ui");
    gtk_widget_class_bind_template_child(widget_class, SvmNewVmNetwork, network_radio);
    gtk_widget_class_bind_template_child(widget_class, SvmNewVmNetwork, user_radio);
    gtk_widget_class_bind_template_child(widget_class, SvmNewVmNetwork, network_combo);
    gtk_widget_class_bind_template_child(widget_class, SvmNewVmNetwork, network_note);
    gtk_widget_class_bind_template_callback(widget_class, on_field_changed);
}

static void
svm_new_vm_network_init(SvmNewVmNetwork *self)
{
    gtk_widget_init_template(GTK_WIDGET(self));
    self->cancellable = g_cancellable_new();
}
