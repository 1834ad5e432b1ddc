#include "config.h"

#include <glib/gi18n.h>

#include "svm-new-vm-network.h"

struct _SvmNewVmNetwork {
    GtkGrid parent_instance;

    GtkToggleButton *network_radio;
    GtkToggleButton *user_radio;
    GtkComboBoxText *network_combo;
    GtkLabel *network_note;
    GtkComboBoxText *display_combo;
    GtkLabel *display_note;

    GCancellable *cancellable;
    gboolean busy;
    gboolean spice_pending;
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
on_display_changed(SvmNewVmNetwork *self)
{
    const char *id = gtk_combo_box_get_active_id(GTK_COMBO_BOX(self->display_combo));

    if (g_strcmp0(id, "none") == 0)
        gtk_label_set_text(self->display_note,
                           _("No screen: the VM has only its serial console, on the Console "
                             "page. A display can be added later while it is shut down."));
    else
        gtk_label_set_text(self->display_note,
                           _("The screen is reached only through libvirt: nothing listens on "
                             "the network and no socket file is made on the host."));
    g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

/* VNC and none are always offered; SPICE where the host's QEMU has it. */
static void
fill_displays(SvmNewVmNetwork *self, gboolean spice)
{
    g_autofree char *active = g_strdup(
        gtk_combo_box_get_active_id(GTK_COMBO_BOX(self->display_combo)));

    gtk_combo_box_text_remove_all(self->display_combo);
    gtk_combo_box_text_append(self->display_combo, "vnc", _("VNC"));
    if (spice)
        gtk_combo_box_text_append(self->display_combo, "spice", _("SPICE"));
    /* TRANSLATORS: a display choice of the New VM assistant */
    gtk_combo_box_text_append(self->display_combo, "none", _("None (headless)"));
    if (!active || !gtk_combo_box_set_active_id(GTK_COMBO_BOX(self->display_combo), active))
        gtk_combo_box_set_active_id(GTK_COMBO_BOX(self->display_combo), "vnc");
}

static void
on_spice_known(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(SvmNewVmNetwork) self = user_data;
    g_autoptr(GError) error = NULL;
    gboolean spice = svirt_engine_has_display_kind_finish(SVIRT_ENGINE(source), result, &error);

    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
    if (error)
        g_debug("Whether the host offers SPICE is unknown: %s", error->message);
    self->spice_pending = FALSE;
    fill_displays(self, spice);
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
    self->spice_pending = TRUE;
    svirt_engine_has_display_kind_async(engine, SVIRT_DISPLAY_SPICE, "qemu", self->cancellable,
                                        on_spice_known, g_object_ref(self));
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
    spec->display = SVIRT_DISPLAY_VNC;
    svirt_display_kind_parse(gtk_combo_box_get_active_id(GTK_COMBO_BOX(self->display_combo)),
                             &spec->display, NULL);
}

gboolean
svm_new_vm_network_is_busy(SvmNewVmNetwork *self)
{
    g_return_val_if_fail(SVM_IS_NEW_VM_NETWORK(self), FALSE);
    return self->busy || self->spice_pending;
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
    gtk_widget_class_bind_template_child(widget_class, SvmNewVmNetwork, display_combo);
    gtk_widget_class_bind_template_child(widget_class, SvmNewVmNetwork, display_note);
    gtk_widget_class_bind_template_callback(widget_class, on_field_changed);
    gtk_widget_class_bind_template_callback(widget_class, on_display_changed);
}

static void
svm_new_vm_network_init(SvmNewVmNetwork *self)
{
    gtk_widget_init_template(GTK_WIDGET(self));
    self->cancellable = g_cancellable_new();
    fill_displays(self, FALSE);
}
