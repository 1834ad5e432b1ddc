#include "config.h"

#include <glib/gi18n.h>

#include "svm-new-vm-page.h"
#include "svm-new-vm-source.h"

struct _SvmNewVmSource {
    GtkGrid parent_instance;

    GtkToggleButton *source_none;
    GtkToggleButton *source_iso;
    GtkToggleButton *source_image;
    GtkEntry *source_entry;
    GtkWidget *source_browse;
    GtkLabel *source_message;
};

enum {
    SIGNAL_CHANGED,
    N_SIGNALS,
};

static guint signals[N_SIGNALS];

G_DEFINE_TYPE(SvmNewVmSource, svm_new_vm_source, GTK_TYPE_GRID)

static void
on_field_changed(SvmNewVmSource *self)
{
    g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

static void
on_source_browse(SvmNewVmSource *self)
{
    svm_new_vm_page_choose_file(self->source_entry, _("Choose the Install Source"));
}

SvirtInstallKind
svm_new_vm_source_get_install(SvmNewVmSource *self)
{
    g_return_val_if_fail(SVM_IS_NEW_VM_SOURCE(self), SVIRT_INSTALL_NONE);
    if (gtk_toggle_button_get_active(self->source_iso))
        return SVIRT_INSTALL_ISO;
    if (gtk_toggle_button_get_active(self->source_image))
        return SVIRT_INSTALL_DISK_IMAGE;
    return SVIRT_INSTALL_NONE;
}

void
svm_new_vm_source_fill_spec(SvmNewVmSource *self, SvirtVmSpec *spec)
{
    g_return_if_fail(SVM_IS_NEW_VM_SOURCE(self));
    spec->install = svm_new_vm_source_get_install(self);
    g_clear_pointer(&spec->install_path, g_free);
    if (spec->install != SVIRT_INSTALL_NONE)
        spec->install_path = g_strstrip(g_strdup(gtk_entry_get_text(self->source_entry)));
}

gboolean
svm_new_vm_source_check(SvmNewVmSource *self)
{
    g_autoptr(SvirtVmSpec) spec = svirt_vm_spec_new("vm");
    g_autoptr(GError) error = NULL;
    gboolean none;

    g_return_val_if_fail(SVM_IS_NEW_VM_SOURCE(self), FALSE);
    svm_new_vm_source_fill_spec(self, spec);
    none = spec->install == SVIRT_INSTALL_NONE;
    gtk_widget_set_sensitive(GTK_WIDGET(self->source_entry), !none);
    gtk_widget_set_sensitive(self->source_browse, !none);
    if (none || svirt_vm_spec_validate(spec, &error)) {
        svm_new_vm_page_set_message(self->source_message, NULL);
        return TRUE;
    }
    svm_new_vm_page_set_message(self->source_message, *spec->install_path ? error->message : NULL);
    return FALSE;
}

static void
svm_new_vm_source_class_init(SvmNewVmSourceClass *klass)
{
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

    signals[SIGNAL_CHANGED] = g_signal_new("changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 0);

    gtk_widget_class_set_template_from_resource(widget_class,
                                                "/org/svirt/Manager/svm-new-vm-source.ui");
    gtk_widget_class_bind_template_child(widget_class, SvmNewVmSource, source_none);
    gtk_widget_class_bind_template_child(widget_class, SvmNewVmSource, source_iso);
    gtk_widget_class_bind_template_child(widget_class, SvmNewVmSource, source_image);
    gtk_widget_class_bind_template_child(widget_class, SvmNewVmSource, source_entry);
    gtk_widget_class_bind_template_child(widget_class, SvmNewVmSource, source_browse);
    gtk_widget_class_bind_template_child(widget_class, SvmNewVmSource, source_message);
    gtk_widget_class_bind_template_callback(widget_class, on_field_changed);
    gtk_widget_class_bind_template_callback(widget_class, on_source_browse);
}

static void
svm_new_vm_source_init(SvmNewVmSource *self)
{
    gtk_widget_init_template(GTK_WIDGET(self));
}
