#include "config.h"

#include <glib/gi18n.h>

#include "svm-security-page-private.h"

struct _SvmSecurityPage {
    GtkBox parent_instance;

    GtkLabel *model_value;
    GtkRadioButton *dynamic_radio;
    GtkRadioButton *static_radio;
    GtkRadioButton *none_radio;
    GtkLabel *mode_explanation;
    GtkEntry *label_entry;
    GtkLabel *label_error;
    GtkCheckButton *shared_check;
    GtkBox *reach_box;
    GtkLabel *reach_warning;
    GtkSwitch *relabel_switch;
    GtkLabel *running_note;
    GtkButton *revert_button;
    GtkButton *apply_button;
    GtkLabel *process_value;
    GtkLabel *image_value;
    GtkLabel *enforced_value;
    GtkWidget *native_box;
    GtkLabel *native_message;
    GtkButton *adopt_button;
    GtkLabel *source_value;

    SvirtEngine *engine;
    char *uuid;
    SvirtSettings *loaded;
    GCancellable *cancellable;
    GCancellable *reach_cancellable;
    char *reach_for; /* the label the isolation warning is, or is being, worked out for */
    char *problem;
    char *process_label;
    char *image_label;
    gboolean running;
    gboolean busy;
    gboolean updating; /* the editor is being filled, not edited */
};

enum {
    SIGNAL_ERROR,
    SIGNAL_CHANGED,
    N_SIGNALS,
};

static guint signals[N_SIGNALS];

G_DEFINE_TYPE(SvmSecurityPage, svm_security_page, GTK_TYPE_BOX)

static void
set_value(GtkLabel *label, const char *text)
{
    gtk_label_set_text(label, text ? text : "—");
    /* Long labels are ellipsized; the tooltip has them whole. */
    gtk_widget_set_tooltip_text(GTK_WIDGET(label), text);
}

static SvirtSecurityMode
edited_mode(SvmSecurityPage *self)
{
    if (gtk_toggle_button_get_active(GTK_TOGGLE_BUTTON(self->static_radio)))
        return SVIRT_SECURITY_MODE_STATIC;
    if (gtk_toggle_button_get_active(GTK_TOGGLE_BUTTON(self->none_radio)))
        return SVIRT_SECURITY_MODE_NONE;
    return SVIRT_SECURITY_MODE_DYNAMIC;
}

static SvirtSettings *
edited_settings(SvmSecurityPage *self, GError **error)
{
    g_autoptr(SvirtSettings) settings = self->loaded ? svirt_settings_copy(self->loaded)
                                                     : svirt_settings_new();
    SvirtSecurityMode mode = edited_mode(self);
    g_autofree char *label = g_strstrip(g_strdup(gtk_entry_get_text(self->label_entry)));
    gboolean is_static = mode == SVIRT_SECURITY_MODE_STATIC;

    if (is_static && *label == '\0') {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT,
                    _("Type the label the VM runs under, for example "
                      "system_u:system_r:svirt_t:s0:c10,c20."));
        return NULL;
    }
    settings->shared_level =
        is_static && gtk_toggle_button_get_active(GTK_TOGGLE_BUTTON(self->shared_check));
    if (!svirt_settings_set_mode(settings, mode, is_static ? label : NULL,
                                 is_static ? gtk_switch_get_active(self->relabel_switch) : TRUE,
                                 error))
        return NULL;
    return g_steal_pointer(&settings);
}

static const char *
mode_explanation(SvirtSecurityMode mode)
{
    switch (mode) {
    case SVIRT_SECURITY_MODE_STATIC:
        return _("The VM always runs under the label below, which no other VM may take. With "
                 "relabelling off, you label its files yourself.");
    case SVIRT_SECURITY_MODE_NONE:
        return _("Nothing is labelled: the VM is not isolated from other VMs by SELinux.");
    case SVIRT_SECURITY_MODE_DYNAMIC:
    default:
        return _("Each start picks a unique pair of MCS categories; the VM's private images get "
                 "the same pair, so no other VM can open them.");
    }
}

static void
on_reach_checked(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(SvmSecurityPage) self = user_data;
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtReach) reach = svirt_engine_check_reach_finish(SVIRT_ENGINE(source), result,
                                                                 &error);
    g_autofree char *text = NULL;

    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
    if (!reach) {
        g_debug("Which VMs the label reaches: %s", error->message);
        gtk_widget_set_visible(GTK_WIDGET(self->reach_box), FALSE);
        return;
    }
    if (!reach->isolated)
        /* TRANSLATORS: %s says which VMs the label reaches, in sentences */
        text = g_strdup_printf(_("Not isolated. %s"), reach->summary);
    gtk_label_set_text(self->reach_warning, text ? text : "");
    gtk_widget_set_visible(GTK_WIDGET(self->reach_box), text != NULL);
}

/* Before Apply, the engine says which VMs the edited static label would reach. */
static void
update_reach(SvmSecurityPage *self, const SvirtSettings *settings)
{
    if (!settings || settings->mode != SVIRT_SECURITY_MODE_STATIC || !self->engine ||
        !self->uuid) {
        g_cancellable_cancel(self->reach_cancellable);
        g_clear_pointer(&self->reach_for, g_free);
        gtk_widget_set_visible(GTK_WIDGET(self->reach_box), FALSE);
        return;
    }
    if (g_strcmp0(self->reach_for, settings->label) == 0)
        return;
    g_cancellable_cancel(self->reach_cancellable);
    g_clear_object(&self->reach_cancellable);
    self->reach_cancellable = g_cancellable_new();
    g_free(self->reach_for);
    self->reach_for = g_strdup(settings->label);
    svirt_engine_check_reach_async(self->engine, self->uuid, settings, self->reach_cancellable,
                                   on_reach_checked, g_object_ref(self));
}

static void
sync_shared_check(SvmSecurityPage *self, gboolean editable, gboolean is_static)
{
    g_autofree char *label = g_strstrip(g_strdup(gtk_entry_get_text(self->label_entry)));
    gboolean shown = is_static && svirt_label_is_shared_level(label);

    gtk_widget_set_visible(GTK_WIDGET(self->shared_check), shown);
    gtk_widget_set_sensitive(GTK_WIDGET(self->shared_check), editable);
}

static void
sync_controls(SvmSecurityPage *self)
{
    g_autoptr(SvirtSettings) settings = NULL;
    g_autoptr(GError) error = NULL;
    SvirtSecurityMode mode = edited_mode(self);
    gboolean editable = !self->running && !self->busy && self->engine != NULL;
    gboolean is_static = mode == SVIRT_SECURITY_MODE_STATIC;
    gboolean dirty;

    gtk_widget_set_sensitive(GTK_WIDGET(self->dynamic_radio), editable);
    gtk_widget_set_sensitive(GTK_WIDGET(self->static_radio), editable);
    gtk_widget_set_sensitive(GTK_WIDGET(self->none_radio), editable);
    gtk_widget_set_sensitive(GTK_WIDGET(self->label_entry), editable && is_static);
    gtk_widget_set_sensitive(GTK_WIDGET(self->relabel_switch), editable && is_static);
    gtk_label_set_text(self->mode_explanation, mode_explanation(mode));

    sync_shared_check(self, editable, is_static);
    settings = edited_settings(self, &error);
    update_reach(self, settings);
    g_clear_pointer(&self->problem, g_free);
    if (!settings && is_static)
        self->problem = g_strdup(error->message);
    gtk_label_set_text(self->label_error, self->problem ? self->problem : "");
    gtk_widget_set_visible(GTK_WIDGET(self->label_error), self->problem != NULL);
    gtk_entry_set_icon_from_icon_name(self->label_entry, GTK_ENTRY_ICON_SECONDARY,
                                      self->problem ? "dialog-error-symbolic" : NULL);
    gtk_entry_set_icon_tooltip_text(self->label_entry, GTK_ENTRY_ICON_SECONDARY,
                                    self->problem);
    if (self->problem)
        gtk_style_context_add_class(gtk_widget_get_style_context(GTK_WIDGET(self->label_entry)),
                                    "error");
    else
        gtk_style_context_remove_class(
            gtk_widget_get_style_context(GTK_WIDGET(self->label_entry)), "error");

    dirty = self->loaded && settings ? !svirt_settings_equal(settings, self->loaded)
                                     : self->problem != NULL;
    gtk_widget_set_sensitive(GTK_WIDGET(self->apply_button), editable && settings && dirty);
    gtk_widget_set_sensitive(GTK_WIDGET(self->revert_button), !self->busy && dirty);
    gtk_widget_set_sensitive(GTK_WIDGET(self->adopt_button), editable);
}

static void
on_edited(SvmSecurityPage *self)
{
    if (!self->updating)
        sync_controls(self);
}

static void
load_editor(SvmSecurityPage *self)
{
    const SvirtSettings *s = self->loaded;
    GtkRadioButton *radio = self->dynamic_radio;

    self->updating = TRUE;
    if (s && s->mode == SVIRT_SECURITY_MODE_STATIC)
        radio = self->static_radio;
    else if (s && s->mode == SVIRT_SECURITY_MODE_NONE)
        radio = self->none_radio;
    gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(radio), TRUE);
    gtk_entry_set_text(self->label_entry, s && s->label ? s->label : "");
    gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(self->shared_check), s && s->shared_level);
    gtk_switch_set_active(self->relabel_switch, s ? s->relabel : TRUE);
    self->updating = FALSE;
    sync_controls(self);
}

static void
on_revert_clicked(SvmSecurityPage *self)
{
    load_editor(self);
}

static void
on_applied(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(SvmSecurityPage) self = user_data;
    g_autoptr(GError) error = NULL;

    if (!svirt_engine_set_settings_finish(SVIRT_ENGINE(source), result, &error)) {
        if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            return;
        self->busy = FALSE;
        sync_controls(self);
        g_signal_emit(self, signals[SIGNAL_ERROR], 0, error->message);
        return;
    }
    self->busy = FALSE;
    {
        g_autoptr(SvirtSettings) settings = edited_settings(self, NULL);

        if (settings) {
            svirt_settings_free(self->loaded);
            self->loaded = g_steal_pointer(&settings);
        }
    }
    sync_controls(self);
    g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

static void
on_apply_clicked(SvmSecurityPage *self)
{
    svm_security_page_apply(self);
}

gboolean
svm_security_page_apply(SvmSecurityPage *self)
{
    g_autoptr(SvirtSettings) settings = NULL;

    g_return_val_if_fail(SVM_IS_SECURITY_PAGE(self), FALSE);
    if (!gtk_widget_is_sensitive(GTK_WIDGET(self->apply_button)))
        return FALSE;
    settings = edited_settings(self, NULL);
    if (!settings)
        return FALSE;
    self->busy = TRUE;
    sync_controls(self);
    svirt_engine_set_settings_async(self->engine, self->uuid, settings, self->cancellable,
                                    on_applied, g_object_ref(self));
    return TRUE;
}

static void
on_adopted(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(SvmSecurityPage) self = user_data;
    g_autoptr(GError) error = NULL;
    gboolean ok = svirt_engine_adopt_native_settings_finish(SVIRT_ENGINE(source), result, &error);

    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
    self->busy = FALSE;
    sync_controls(self);
    if (!ok) {
        g_signal_emit(self, signals[SIGNAL_ERROR], 0, error->message);
        return;
    }
    /* The details are read again; the message goes once the definition carries no seclabel. */
    g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

static void
on_adopt_clicked(SvmSecurityPage *self)
{
    svm_security_page_adopt(self);
}

gboolean
svm_security_page_adopt(SvmSecurityPage *self)
{
    g_return_val_if_fail(SVM_IS_SECURITY_PAGE(self), FALSE);
    if (!gtk_widget_get_visible(self->native_box) ||
        !gtk_widget_is_sensitive(GTK_WIDGET(self->adopt_button)))
        return FALSE;
    self->busy = TRUE;
    sync_controls(self);
    svirt_engine_adopt_native_settings_async(self->engine, self->uuid, self->cancellable,
                                             on_adopted, g_object_ref(self));
    return TRUE;
}

void
svm_security_page_set_vm(SvmSecurityPage *self, SvirtEngine *engine, const char *uuid)
{
    g_return_if_fail(SVM_IS_SECURITY_PAGE(self));
    g_set_object(&self->engine, engine);
    g_free(self->uuid);
    self->uuid = g_strdup(uuid);
    sync_controls(self);
}

static char *
enforced_text(const SvirtVmStatus *status)
{
    gboolean running = svirt_vm_state_is_active(status->state);

    if (status->enforced)
        return g_strdup(_("Yes: SELinux on this host enforces these labels."));
    if (running && status->enforced_reason)
        /* TRANSLATORS: %s explains why, e.g. "SELinux is disabled on this host: …" */
        return g_strdup_printf(_("No. %s"), status->enforced_reason);
    if (running && status->mode == SVIRT_SECURITY_MODE_NONE)
        return g_strdup(_("No: the VM's security mode is None."));
    if (running)
        return g_strdup(_("No: the VM was not started by sVirt Manager, so it does not run "
                          "under a label it chose. Shut it down and start it here."));
    if (status->enforced_reason)
        return g_strdup_printf(_("The VM is not running. When it runs: %s"),
                               status->enforced_reason);
    return g_strdup(_("The VM is not running."));
}

static const char *
source_text(SvirtSettingsSource source)
{
    switch (source) {
    case SVIRT_SETTINGS_SOURCE_SECLABEL:
        return _("libvirt's own <seclabel> in the VM's definition");
    case SVIRT_SETTINGS_SOURCE_METADATA:
        return _("sVirt Manager's settings in the VM's metadata");
    case SVIRT_SETTINGS_SOURCE_DEFAULTS:
    default:
        return _("Nothing yet: the defaults");
    }
}

/* Where libvirtd would refuse to start the VM as defined, why, and the way out. */
static void
show_start_blocker(SvmSecurityPage *self, const SvirtVmStatus *status)
{
    gboolean blocked = status->start_blocker && !self->running;

    gtk_label_set_text(self->native_message, blocked ? status->start_blocker : "");
    gtk_widget_set_visible(self->native_box, blocked);
}

void
svm_security_page_update(SvmSecurityPage *self, const SvirtVmStatus *status,
                         const SvirtSettings *settings)
{
    g_autofree char *enforced = NULL;
    g_autoptr(SvirtSettings) edited = NULL;
    gboolean keep_edits;

    g_return_if_fail(SVM_IS_SECURITY_PAGE(self));
    g_return_if_fail(status != NULL);

    /* A refresh after some other change must not throw away what the user is typing: the
     * editor is reloaded only when it is clean or the stored settings really changed. */
    edited = self->loaded ? edited_settings(self, NULL) : NULL;
    keep_edits = self->loaded && (!edited || !svirt_settings_equal(edited, self->loaded)) &&
                 (!settings || svirt_settings_equal(settings, self->loaded));
    self->running = svirt_vm_state_is_active(status->state);
    if (settings) {
        g_clear_pointer(&self->loaded, svirt_settings_free);
        self->loaded = svirt_settings_copy(settings);
    }
    g_free(self->process_label);
    self->process_label = g_strdup(status->process_label);
    g_free(self->image_label);
    self->image_label = g_strdup(status->image_label);
    set_value(self->model_value, "selinux");
    set_value(self->process_value, status->process_label);
    set_value(self->image_value, status->image_label);
    enforced = enforced_text(status);
    gtk_label_set_text(self->enforced_value, enforced);
    gtk_label_set_text(self->running_note,
                       self->running ? _("The VM is running, so its security settings cannot "
                                         "change now. Shut it down to edit them; they apply "
                                         "at its next start.")
                                     : "");
    gtk_widget_set_visible(GTK_WIDGET(self->running_note), self->running);
    gtk_label_set_text(self->source_value, source_text(status->settings_source));
    show_start_blocker(self, status);
    if (keep_edits)
        sync_controls(self);
    else
        load_editor(self);
}

gboolean
svm_security_page_is_busy(SvmSecurityPage *self)
{
    g_return_val_if_fail(SVM_IS_SECURITY_PAGE(self), FALSE);
    return self->busy;
}

const char *
svm_security_page_get_label_problem(SvmSecurityPage *self)
{
    g_return_val_if_fail(SVM_IS_SECURITY_PAGE(self), NULL);
    return self->problem;
}

const char *
svm_security_page_get_reach_warning(SvmSecurityPage *self)
{
    g_return_val_if_fail(SVM_IS_SECURITY_PAGE(self), NULL);
    if (!gtk_widget_get_visible(GTK_WIDGET(self->reach_box)))
        return NULL;
    return gtk_label_get_text(self->reach_warning);
}

const char *
svm_security_page_get_process_label(SvmSecurityPage *self)
{
    g_return_val_if_fail(SVM_IS_SECURITY_PAGE(self), NULL);
    return self->process_label;
}

const char *
svm_security_page_get_image_label(SvmSecurityPage *self)
{
    g_return_val_if_fail(SVM_IS_SECURITY_PAGE(self), NULL);
    return self->image_label;
}

static void
svm_security_page_dispose(GObject *object)
{
    SvmSecurityPage *self = SVM_SECURITY_PAGE(object);

    g_cancellable_cancel(self->cancellable);
    g_clear_object(&self->cancellable);
    g_cancellable_cancel(self->reach_cancellable);
    g_clear_object(&self->reach_cancellable);
    g_clear_object(&self->engine);
    G_OBJECT_CLASS(svm_security_page_parent_class)->dispose(object);
}

static void
svm_security_page_finalize(GObject *object)
{
    SvmSecurityPage *self = SVM_SECURITY_PAGE(object);

    g_free(self->uuid);
    g_free(self->problem);
    g_free(self->reach_for);
    g_free(self->process_label);
    g_free(self->image_label);
    g_clear_pointer(&self->loaded, svirt_settings_free);
    G_OBJECT_CLASS(svm_security_page_parent_class)->finalize(object);
}

static void
svm_security_page_class_init(SvmSecurityPageClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

    object_class->dispose = svm_security_page_dispose;
    object_class->finalize = svm_security_page_finalize;

    signals[SIGNAL_ERROR] = g_signal_new("error", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
    signals[SIGNAL_CHANGED] = g_signal_new("changed", G_TYPE_FROM_CLASS(klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                           0);

    gtk_widget_class_set_template_from_resource(widget_class,
                                                "/org/svirt/Manager/svm-security-page.ui");
    gtk_widget_class_bind_template_child(widget_class, SvmSecurityPage, model_value);
    gtk_widget_class_bind_template_child(widget_class, SvmSecurityPage, dynamic_radio);
    gtk_widget_class_bind_template_child(widget_class, SvmSecurityPage, static_radio);
    gtk_widget_class_bind_template_child(widget_class, SvmSecurityPage, none_radio);
    gtk_widget_class_bind_template_child(widget_class, SvmSecurityPage, mode_explanation);
    gtk_widget_class_bind_template_child(widget_class, SvmSecurityPage, label_entry);
    gtk_widget_class_bind_template_child(widget_class, SvmSecurityPage, label_error);
    gtk_widget_class_bind_template_child(widget_class, SvmSecurityPage, shared_check);
    gtk_widget_class_bind_template_child(widget_class, SvmSecurityPage, reach_box);
    gtk_widget_class_bind_template_child(widget_class, SvmSecurityPage, reach_warning);
    gtk_widget_class_bind_template_child(widget_class, SvmSecurityPage, relabel_switch);
    gtk_widget_class_bind_template_child(widget_class, SvmSecurityPage, running_note);
    gtk_widget_class_bind_template_child(widget_class, SvmSecurityPage, revert_button);
    gtk_widget_class_bind_template_child(widget_class, SvmSecurityPage, apply_button);
    gtk_widget_class_bind_template_child(widget_class, SvmSecurityPage, process_value);
    gtk_widget_class_bind_template_child(widget_class, SvmSecurityPage, image_value);
    gtk_widget_class_bind_template_child(widget_class, SvmSecurityPage, enforced_value);
    gtk_widget_class_bind_template_child(widget_class, SvmSecurityPage, native_box);
    gtk_widget_class_bind_template_child(widget_class, SvmSecurityPage, native_message);
    gtk_widget_class_bind_template_child(widget_class, SvmSecurityPage, adopt_button);
    gtk_widget_class_bind_template_child(widget_class, SvmSecurityPage, source_value);
    gtk_widget_class_bind_template_callback(widget_class, on_edited);
    gtk_widget_class_bind_template_callback(widget_class, on_apply_clicked);
    gtk_widget_class_bind_template_callback(widget_class, on_revert_clicked);
    gtk_widget_class_bind_template_callback(widget_class, on_adopt_clicked);
}

static void
svm_security_page_init(SvmSecurityPage *self)
{
    PangoAttrList *attrs = pango_attr_list_new();

    gtk_widget_init_template(GTK_WIDGET(self));
    self->cancellable = g_cancellable_new();
    pango_attr_list_insert(attrs, pango_attr_family_new("monospace"));
    gtk_entry_set_attributes(self->label_entry, attrs);
    pango_attr_list_unref(attrs);
    set_value(self->process_value, NULL);
    set_value(self->image_value, NULL);
    sync_controls(self);
}

SvmSecurityPage *
svm_security_page_new(void)
{
    return g_object_new(SVM_TYPE_SECURITY_PAGE, NULL);
}
