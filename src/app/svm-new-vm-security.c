#include "config.h"

#include "svirt-context.h"
#include "svm-new-vm-page.h"
#include "svm-new-vm-security.h"

struct _SvmNewVmSecurity {
    GtkGrid parent_instance;

    GtkToggleButton *dynamic_radio;
    GtkToggleButton *static_radio;
    GtkEntry *label_entry;
    GtkLabel *label_message;
    GtkToggleButton *relabel_check;
};

enum {
    SIGNAL_CHANGED,
    N_SIGNALS,
};

static guint signals[N_SIGNALS];

G_DEFINE_TYPE(SvmNewVmSecurity, svm_new_vm_security, GTK_TYPE_GRID)

static void
on_field_changed(SvmNewVmSecurity *self)
{
    g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

gboolean
svm_new_vm_security_check(SvmNewVmSecurity *self)
{
    g_autoptr(SvirtSettings) settings = svirt_settings_new();
    g_autoptr(SvirtContext) context = NULL;
    g_autoptr(GError) error = NULL;
    gboolean is_static;
    const char *label;

    g_return_val_if_fail(SVM_IS_NEW_VM_SECURITY(self), FALSE);
    is_static = gtk_toggle_button_get_active(self->static_radio);
    label = gtk_entry_get_text(self->label_entry);
    gtk_widget_set_sensitive(GTK_WIDGET(self->label_entry), is_static);
    gtk_widget_set_sensitive(GTK_WIDGET(self->relabel_check), is_static);
    if (!is_static) {
        /* A dynamic label changes at every start, so the engine must label the files. */
        gtk_toggle_button_set_active(self->relabel_check, TRUE);
        svm_new_vm_page_set_message(self->label_message, NULL);
        return TRUE;
    }
    if (*label == '\0') {
        svm_new_vm_page_set_message(self->label_message, NULL);
        return FALSE;
    }
    context = svirt_context_parse(label, &error);
    if (context == NULL ||
        !svirt_settings_set_mode(settings, SVIRT_SECURITY_MODE_STATIC, label,
                                 gtk_toggle_button_get_active(self->relabel_check), &error)) {
        svm_new_vm_page_set_message(self->label_message, error->message);
        return FALSE;
    }
    svm_new_vm_page_set_message(self->label_message, NULL);
    return TRUE;
}

void
svm_new_vm_security_fill_spec(SvmNewVmSecurity *self, SvirtVmSpec *spec)
{
    g_return_if_fail(SVM_IS_NEW_VM_SECURITY(self));
    if (gtk_toggle_button_get_active(self->static_radio))
        svirt_settings_set_mode(spec->settings, SVIRT_SECURITY_MODE_STATIC,
                                gtk_entry_get_text(self->label_entry),
                                gtk_toggle_button_get_active(self->relabel_check), NULL);
}

static void
svm_new_vm_security_class_init(SvmNewVmSecurityClass *klass)
{
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

    signals[SIGNAL_CHANGED] = g_signal_new("changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 0);

    gtk_widget_class_set_template_from_resource(widget_class,
                                                "/org/svirt/Manager/svm-new-vm-security.ui");
    gtk_widget_class_bind_template_child(widget_class, SvmNewVmSecurity, dynamic_radio);
    gtk_widget_class_bind_template_child(widget_class, SvmNewVmSecurity, static_radio);
    gtk_widget_class_bind_template_child(widget_class, SvmNewVmSecurity, label_entry);
    gtk_widget_class_bind_template_child(widget_class, SvmNewVmSecurity, label_message);
    gtk_widget_class_bind_template_child(widget_class, SvmNewVmSecurity, relabel_check);
    gtk_widget_class_bind_template_callback(widget_class, on_field_changed);
}

static void
svm_new_vm_security_init(SvmNewVmSecurity *self)
{
    PangoAttrList *attrs = pango_attr_list_new();

    gtk_widget_init_template(GTK_WIDGET(self));
    /* Labels are compared character by character. */
    pango_attr_list_insert(attrs, pango_attr_family_new("monospace"));
    gtk_entry_set_attributes(self->label_entry, attrs);
    pango_attr_list_unref(attrs);
}
