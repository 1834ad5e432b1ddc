#include "config.h"

#include <glib/gi18n.h>

#include "svm-a11y.h"
#include "svm-audit-findings.h"
#include "svm-audit-window-private.h"
#include "svm-matrix-view.h"

struct _SvmAuditWindow {
    GtkWindow parent_instance;

    GtkSpinner *spinner;
    GtkButton *refresh_button;
    GtkButton *export_button;
    GtkInfoBar *info_bar;
    GtkLabel *info_label;
    GtkStack *stack;
    GtkComboBoxText *severity_filter;
    GtkComboBoxText *vm_filter;
    GtkButton *fix_button;
    GtkTreeView *findings_view;
    GtkLabel *status_label;
    GtkLabel *policy_label;
    SvmMatrixView *matrix_view;
    GtkLabel *cursor_label;
    GtkLabel *empty_label;

    SvirtEngine *engine;
    GCancellable *cancellable;
    GtkListStore *store;
    GtkTreeModel *filter;
    SvirtAuditReport *report;
    char *error;
    guint audit_count;
    gboolean running;
    gboolean fixing;
    gboolean filling_vms;
    GtkFileChooserNative *chooser;
};

enum {
    PROP_0,
    PROP_ENGINE,
    N_PROPS,
};

static GParamSpec *properties[N_PROPS];

enum {
    SIGNAL_AUDIT_FINISHED,
    N_SIGNALS,
};

static guint signals[N_SIGNALS];

G_DEFINE_TYPE(SvmAuditWindow, svm_audit_window, GTK_TYPE_WINDOW)

static void
show_error(SvmAuditWindow *self, const char *message)
{
    g_free(self->error);
    self->error = g_strdup(message);
    gtk_label_set_text(self->info_label, message);
    gtk_info_bar_set_revealed(self->info_bar, TRUE);
}

static void
hide_error(SvmAuditWindow *self)
{
    g_clear_pointer(&self->error, g_free);
    gtk_info_bar_set_revealed(self->info_bar, FALSE);
}

static void
on_info_bar_response(GtkInfoBar *bar, int response, SvmAuditWindow *self)
{
    hide_error(self);
}

static void
sync_buttons(SvmAuditWindow *self)
{
    const SvirtFinding *f = svm_audit_findings_get_selected(self->findings_view);
    gboolean busy = self->running || self->fixing;

    gtk_widget_set_sensitive(GTK_WIDGET(self->fix_button), f && f->fixable && !busy);
    gtk_widget_set_sensitive(GTK_WIDGET(self->refresh_button), !busy);
    gtk_widget_set_sensitive(GTK_WIDGET(self->export_button), self->report != NULL);
    if (busy)
        gtk_spinner_start(self->spinner);
    else
        gtk_spinner_stop(self->spinner);
}

static gboolean
row_visible(GtkTreeModel *model, GtkTreeIter *iter, gpointer data)
{
    SvmAuditWindow *self = data;
    const char *severity_id = gtk_combo_box_get_active_id(GTK_COMBO_BOX(self->severity_filter));
    const char *vm_id = gtk_combo_box_get_active_id(GTK_COMBO_BOX(self->vm_filter));
    int min = SVIRT_SEVERITY_INFO;
    int severity;
    g_autofree char *uuid = NULL;

    gtk_tree_model_get(model, iter, SVM_FINDING_COL_SEVERITY, &severity, SVM_FINDING_COL_VM_UUID,
                       &uuid, -1);
    if (g_strcmp0(severity_id, "warning") == 0)
        min = SVIRT_SEVERITY_WARNING;
    else if (g_strcmp0(severity_id, "error") == 0)
        min = SVIRT_SEVERITY_ERROR;
    if (severity < min)
        return FALSE;
    if (vm_id && !g_str_equal(vm_id, "all"))
        return g_strcmp0(uuid, vm_id) == 0;
    return TRUE;
}

/* An empty list says why: nothing found, or nothing that the filters let through. */
static void
update_empty(SvmAuditWindow *self)
{
    const char *vm_id = gtk_combo_box_get_active_id(GTK_COMBO_BOX(self->vm_filter));
    g_autofree char *text = NULL;
    g_autofree char *vm_name = NULL;
    guint own = 0;

    if (!self->report || gtk_tree_model_iter_n_children(self->filter, NULL) > 0) {
        gtk_widget_set_visible(GTK_WIDGET(self->empty_label), FALSE);
        return;
    }
    if (vm_id && !g_str_equal(vm_id, "all")) {
        for (guint i = 0; i < self->report->findings->len; i++) {
            const SvirtFinding *f = g_ptr_array_index(self->report->findings, i);

            own += g_strcmp0(f->vm_uuid, vm_id) == 0;
        }
    }
    if (self->report->findings->len == 0)
        text = g_strdup(_("No findings: every object carries the label it should."));
    else if (vm_id && !g_str_equal(vm_id, "all") && own == 0) {
        vm_name = gtk_combo_box_text_get_active_text(self->vm_filter);
        /* TRANSLATORS: %s is the name of a virtual machine */
        text = g_strdup_printf(_("No findings for “%s”: each of its objects carries the label "
                                 "it should."),
                               vm_name);
    } else
        text = g_strdup(_("No finding matches the filters."));
    gtk_label_set_text(self->empty_label, text);
    gtk_widget_set_visible(GTK_WIDGET(self->empty_label), TRUE);
}

static void
on_filter_changed(GtkComboBox *combo, SvmAuditWindow *self)
{
    if (self->filling_vms)
        return;
    gtk_tree_model_filter_refilter(GTK_TREE_MODEL_FILTER(self->filter));
    update_empty(self);
    sync_buttons(self);
}

static void
on_selection_changed(GtkTreeSelection *selection, SvmAuditWindow *self)
{
    sync_buttons(self);
}

/* Every audited VM, keeping the chosen one when it is still there. */
static void
fill_vm_filter(SvmAuditWindow *self)
{
    GtkComboBox *combo = GTK_COMBO_BOX(self->vm_filter);
    g_autofree char *active = g_strdup(gtk_combo_box_get_active_id(combo));
    const SvirtMatrix *matrix = self->report->matrix;

    self->filling_vms = TRUE;
    gtk_combo_box_text_remove_all(self->vm_filter);
    gtk_combo_box_text_append(self->vm_filter, "all", _("All VMs"));
    for (guint i = 0; matrix && i < matrix->vms->len; i++) {
        const SvirtMatrixVm *vm = g_ptr_array_index(matrix->vms, i);

        gtk_combo_box_text_append(self->vm_filter, vm->uuid, vm->name);
    }
    if (!active || !gtk_combo_box_set_active_id(combo, active))
        gtk_combo_box_set_active_id(combo, "all");
    self->filling_vms = FALSE;
}

static void
show_policy_source(SvmAuditWindow *self)
{
    const SvirtMatrix *matrix = self->report->matrix;
    g_autofree char *text = NULL;

    if (matrix->source == SVIRT_POLICY_SOURCE_BINARY)
        /* TRANSLATORS: %s is the path of the binary SELinux policy */
        text = g_strdup_printf(_("Decisions from the binary policy %s, evaluated with "
                                 "libsepol."),
                               matrix->policy_path);
    else
        text = g_strdup(_("Decisions from MCS dominance alone: no binary policy was found, so "
                          "type rules are not checked."));
    gtk_label_set_text(self->policy_label, text);
}

static void
on_cursor_changed(SvmMatrixView *view, SvmAuditWindow *self)
{
    g_autofree char *text = NULL;
    guint row, column;

    if (svm_matrix_view_get_cursor(view, &row, &column))
        text = svm_matrix_view_describe_cell(view, row, column);
    gtk_label_set_text(self->cursor_label, text ? text : "");
}

static void
show_report(SvmAuditWindow *self, SvirtAuditReport *report)
{
    g_autofree char *summary = NULL;

    /* The rows point into the old report. */
    gtk_list_store_clear(self->store);
    g_clear_pointer(&self->report, svirt_audit_report_free);
    self->report = report;
    fill_vm_filter(self);
    svm_audit_findings_fill(self->store, report, NULL);
    gtk_tree_model_filter_refilter(GTK_TREE_MODEL_FILTER(self->filter));
    update_empty(self);
    summary = svm_audit_findings_summary(report, NULL);
    gtk_label_set_text(self->status_label, summary);
    svm_matrix_view_set_matrix(self->matrix_view, report->matrix);
    show_policy_source(self);
}

static void
on_audit_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(SvmAuditWindow) self = user_data;
    g_autoptr(GError) error = NULL;
    SvirtAuditReport *report = svirt_audit_run_finish(SVIRT_ENGINE(source), result, &error);

    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
    self->running = FALSE;
    if (report)
        show_report(self, report);
    else
        show_error(self, error->message);
    self->audit_count++;
    sync_buttons(self);
    g_signal_emit(self, signals[SIGNAL_AUDIT_FINISHED], 0);
}

void
svm_audit_window_refresh(SvmAuditWindow *self)
{
    g_return_if_fail(SVM_IS_AUDIT_WINDOW(self));
    if (self->running)
        return;
    self->running = TRUE;
    sync_buttons(self);
    svirt_audit_run_async(self->engine, self->cancellable, on_audit_done, g_object_ref(self));
}

static void
on_refresh_clicked(SvmAuditWindow *self)
{
    hide_error(self);
    svm_audit_window_refresh(self);
}

static void
on_fix_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(SvmAuditWindow) self = user_data;
    g_autoptr(GError) error = NULL;

    if (!svirt_audit_fix_finish(SVIRT_ENGINE(source), result, &error) &&
        g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
    self->fixing = FALSE;
    if (error)
        show_error(self, error->message);
    /* Whether it worked or not, the audit says what holds now. */
    svm_audit_window_refresh(self);
}

static void
on_fix_clicked(SvmAuditWindow *self)
{
    const SvirtFinding *f = svm_audit_findings_get_selected(self->findings_view);

    if (!f || !f->fixable || self->running || self->fixing)
        return;
    hide_error(self);
    self->fixing = TRUE;
    sync_buttons(self);
    svirt_audit_fix_async(self->engine, f, self->cancellable, on_fix_done, g_object_ref(self));
}

gboolean
svm_audit_window_export(SvmAuditWindow *self, const char *path, GError **error)
{
    g_autofree char *text = NULL;

    g_return_val_if_fail(SVM_IS_AUDIT_WINDOW(self), FALSE);
    if (!self->report) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                    _("There is no report to export yet. Wait for the audit to finish."));
        return FALSE;
    }
    if (g_str_has_suffix(path, ".json") || g_str_has_suffix(path, ".JSON")) {
        g_autoptr(JsonNode) node = svirt_audit_report_to_json(self->report);

        text = json_to_string(node, TRUE);
    } else {
        text = svirt_audit_report_to_html(self->report);
    }
    return g_file_set_contents(path, text, -1, error);
}

static void
on_export_response(GtkNativeDialog *dialog, int response, SvmAuditWindow *self)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *path = NULL;

    if (response == GTK_RESPONSE_ACCEPT)
        path = gtk_file_chooser_get_filename(GTK_FILE_CHOOSER(dialog));
    g_clear_object(&self->chooser);
    if (path && !svm_audit_window_export(self, path, &error))
        show_error(self, error->message);
}

static void
add_filter(GtkFileChooser *chooser, const char *name, const char *const *patterns)
{
    GtkFileFilter *filter = gtk_file_filter_new();

    gtk_file_filter_set_name(filter, name);
    for (guint i = 0; patterns[i]; i++)
        gtk_file_filter_add_pattern(filter, patterns[i]);
    gtk_file_chooser_add_filter(chooser, filter);
}

static void
on_export_clicked(SvmAuditWindow *self)
{
    GtkFileChooser *chooser;

    if (self->chooser || !self->report)
        return;
    self->chooser = gtk_file_chooser_native_new(_("Export Audit Report"), GTK_WINDOW(self),
                                                GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"),
                                                _("_Cancel"));
    chooser = GTK_FILE_CHOOSER(self->chooser);
    gtk_file_chooser_set_do_overwrite_confirmation(chooser, TRUE);
    gtk_file_chooser_set_current_name(chooser, "svirt-audit.html");
    add_filter(chooser, _("Reports (*.html, *.json)"),
               (const char *[]){ "*.html", "*.htm", "*.json", NULL });
    add_filter(chooser, _("HTML page (*.html)"), (const char *[]){ "*.html", "*.htm", NULL });
    add_filter(chooser, _("JSON (*.json)"), (const char *[]){ "*.json", NULL });
    g_signal_connect(self->chooser, "response", G_CALLBACK(on_export_response), self);
    gtk_native_dialog_show(GTK_NATIVE_DIALOG(self->chooser));
}

static gboolean
on_key_press(GtkWidget *widget, GdkEventKey *event)
{
    SvmAuditWindow *self = SVM_AUDIT_WINDOW(widget);
    GdkModifierType mods = event->state & gtk_accelerator_get_default_mod_mask();

    /* Alt+1 and Alt+2 switch pages, F5 and Ctrl+R audit again. */
    if (mods == GDK_MOD1_MASK && (event->keyval == GDK_KEY_1 || event->keyval == GDK_KEY_2)) {
        svm_audit_window_show_page(self, event->keyval == GDK_KEY_1 ? "findings" : "matrix");
        return GDK_EVENT_STOP;
    }
    if ((mods == 0 && event->keyval == GDK_KEY_F5) ||
        (mods == GDK_CONTROL_MASK && event->keyval == GDK_KEY_r)) {
        on_refresh_clicked(self);
        return GDK_EVENT_STOP;
    }
    if (mods == GDK_CONTROL_MASK && event->keyval == GDK_KEY_w) {
        gtk_window_close(GTK_WINDOW(self));
        return GDK_EVENT_STOP;
    }
    return GTK_WIDGET_CLASS(svm_audit_window_parent_class)->key_press_event(widget, event);
}

static void
svm_audit_window_constructed(GObject *object)
{
    SvmAuditWindow *self = SVM_AUDIT_WINDOW(object);

    G_OBJECT_CLASS(svm_audit_window_parent_class)->constructed(object);
    /* The title, "Label Audit", comes from the template; the connection goes under it. */
    gtk_header_bar_set_subtitle(GTK_HEADER_BAR(gtk_window_get_titlebar(GTK_WINDOW(self))),
                                svirt_engine_get_uri(self->engine));
    svm_audit_window_refresh(self);
}

static void
svm_audit_window_dispose(GObject *object)
{
    SvmAuditWindow *self = SVM_AUDIT_WINDOW(object);

    g_cancellable_cancel(self->cancellable);
    g_clear_object(&self->cancellable);
    if (self->chooser)
        gtk_native_dialog_destroy(GTK_NATIVE_DIALOG(self->chooser));
    g_clear_object(&self->chooser);
    if (self->findings_view)
        gtk_tree_view_set_model(self->findings_view, NULL);
    g_clear_object(&self->filter);
    g_clear_object(&self->store);
    g_clear_object(&self->engine);
    G_OBJECT_CLASS(svm_audit_window_parent_class)->dispose(object);
}

static void
svm_audit_window_finalize(GObject *object)
{
    SvmAuditWindow *self = SVM_AUDIT_WINDOW(object);

    g_free(self->error);
    g_clear_pointer(&self->report, svirt_audit_report_free);
    G_OBJECT_CLASS(svm_audit_window_parent_class)->finalize(object);
}

static void
svm_audit_window_get_property(GObject *object, guint prop_id, GValue *value,
                              GParamSpec *pspec)
{
    switch (prop_id) {
    case PROP_ENGINE:
        g_value_set_object(value, SVM_AUDIT_WINDOW(object)->engine);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
svm_audit_window_set_property(GObject *object, guint prop_id, const GValue *value,
                              GParamSpec *pspec)
{
    switch (prop_id) {
    case PROP_ENGINE:
        SVM_AUDIT_WINDOW(object)->engine = g_value_dup_object(value);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
svm_audit_window_class_init(SvmAuditWindowClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

    object_class->constructed = svm_audit_window_constructed;
    object_class->dispose = svm_audit_window_dispose;
    object_class->finalize = svm_audit_window_finalize;
    object_class->get_property = svm_audit_window_get_property;
    object_class->set_property = svm_audit_window_set_property;
    widget_class->key_press_event = on_key_press;

    properties[PROP_ENGINE] =
        g_param_spec_object("engine", "Engine", "The engine whose connection is audited",
                            SVIRT_TYPE_ENGINE,
                            G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties(object_class, N_PROPS, properties);

    signals[SIGNAL_AUDIT_FINISHED] =
        g_signal_new("audit-finished", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
                     NULL, NULL, G_TYPE_NONE, 0);

    g_type_ensure(SVM_TYPE_MATRIX_VIEW);
    gtk_widget_class_set_template_from_resource(widget_class,
                                                "/org/svirt/Manager/svm-audit-window.ui");
    gtk_widget_class_bind_template_child(widget_class, SvmAuditWindow, spinner);
    gtk_widget_class_bind_template_child(widget_class, SvmAuditWindow, refresh_button);
    gtk_widget_class_bind_template_child(widget_class, SvmAuditWindow, export_button);
    gtk_widget_class_bind_template_child(widget_class, SvmAuditWindow, info_bar);
    gtk_widget_class_bind_template_child(widget_class, SvmAuditWindow, info_label);
    gtk_widget_class_bind_template_child(widget_class, SvmAuditWindow, stack);
    gtk_widget_class_bind_template_child(widget_class, SvmAuditWindow, severity_filter);
    gtk_widget_class_bind_template_child(widget_class, SvmAuditWindow, vm_filter);
    gtk_widget_class_bind_template_child(widget_class, SvmAuditWindow, fix_button);
    gtk_widget_class_bind_template_child(widget_class, SvmAuditWindow, findings_view);
    gtk_widget_class_bind_template_child(widget_class, SvmAuditWindow, status_label);
    gtk_widget_class_bind_template_child(widget_class, SvmAuditWindow, policy_label);
    gtk_widget_class_bind_template_child(widget_class, SvmAuditWindow, matrix_view);
    gtk_widget_class_bind_template_child(widget_class, SvmAuditWindow, cursor_label);
    gtk_widget_class_bind_template_child(widget_class, SvmAuditWindow, empty_label);
    gtk_widget_class_bind_template_callback(widget_class, on_info_bar_response);
    gtk_widget_class_bind_template_callback(widget_class, on_filter_changed);
    gtk_widget_class_bind_template_callback(widget_class, on_refresh_clicked);
    gtk_widget_class_bind_template_callback(widget_class, on_export_clicked);
    gtk_widget_class_bind_template_callback(widget_class, on_fix_clicked);
    gtk_widget_class_bind_template_callback(widget_class, on_cursor_changed);
}

static void
svm_audit_window_init(SvmAuditWindow *self)
{
    gtk_widget_init_template(GTK_WIDGET(self));
    svm_a11y_name_info_bar_close_button(self->info_bar);
    gtk_combo_box_set_active_id(GTK_COMBO_BOX(self->severity_filter), "all");
    gtk_combo_box_set_active_id(GTK_COMBO_BOX(self->vm_filter), "all");
    self->cancellable = g_cancellable_new();
    self->store = svm_audit_findings_store_new();
    self->filter = gtk_tree_model_filter_new(GTK_TREE_MODEL(self->store), NULL);
    gtk_tree_model_filter_set_visible_func(GTK_TREE_MODEL_FILTER(self->filter), row_visible,
                                           self, NULL);
    gtk_tree_view_set_model(self->findings_view, self->filter);
    g_signal_connect(gtk_tree_view_get_selection(self->findings_view), "changed",
                     G_CALLBACK(on_selection_changed), self);
    sync_buttons(self);
}

SvmAuditWindow *
svm_audit_window_new(GtkWindow *parent, SvirtEngine *engine)
{
    SvmAuditWindow *self;

    g_return_val_if_fail(SVIRT_IS_ENGINE(engine), NULL);
    self = g_object_new(SVM_TYPE_AUDIT_WINDOW, "engine", engine, NULL);
    if (parent) {
        gtk_window_set_transient_for(GTK_WINDOW(self), parent);
        gtk_window_set_destroy_with_parent(GTK_WINDOW(self), TRUE);
        if (gtk_window_get_application(parent))
            gtk_window_set_application(GTK_WINDOW(self), gtk_window_get_application(parent));
    }
    return self;
}

gboolean
svm_audit_window_is_running(SvmAuditWindow *self)
{
    g_return_val_if_fail(SVM_IS_AUDIT_WINDOW(self), FALSE);
    return self->running || self->fixing;
}

guint
svm_audit_window_get_audit_count(SvmAuditWindow *self)
{
    g_return_val_if_fail(SVM_IS_AUDIT_WINDOW(self), 0);
    return self->audit_count;
}

const SvirtAuditReport *
svm_audit_window_get_report(SvmAuditWindow *self)
{
    g_return_val_if_fail(SVM_IS_AUDIT_WINDOW(self), NULL);
    return self->report;
}

const char *
svm_audit_window_get_error(SvmAuditWindow *self)
{
    g_return_val_if_fail(SVM_IS_AUDIT_WINDOW(self), NULL);
    return self->error;
}

void
svm_audit_window_show_page(SvmAuditWindow *self, const char *name)
{
    g_return_if_fail(SVM_IS_AUDIT_WINDOW(self));
    gtk_stack_set_visible_child_name(self->stack, name);
}
