#include "config.h"

#include <glib/gi18n.h>

#include "svm-audit-findings.h"
#include "svm-vm-audit-page-private.h"

struct _SvmVmAuditPage {
    GtkBox parent_instance;

    GtkLabel *status_label;
    GtkButton *refresh_button;
    GtkButton *fix_button;
    GtkSpinner *spinner;
    GtkTreeView *view;
    GtkLabel *empty_label;

    SvirtEngine *engine;
    char *uuid;
    GCancellable *cancellable;
    GtkListStore *store;
    SvirtAuditReport *report;
    guint audit_count;
    gboolean running;
    gboolean fixing;
};

enum {
    SIGNAL_ERROR,
    N_SIGNALS,
};

static guint signals[N_SIGNALS];

G_DEFINE_TYPE(SvmVmAuditPage, svm_vm_audit_page, GTK_TYPE_BOX)

static void
sync_buttons(SvmVmAuditPage *self)
{
    const SvirtFinding *f = svm_audit_findings_get_selected(self->view);
    gboolean busy = self->running || self->fixing;

    gtk_widget_set_sensitive(GTK_WIDGET(self->fix_button), f && f->fixable && !busy);
    gtk_widget_set_sensitive(GTK_WIDGET(self->refresh_button), self->engine && !busy);
    if (busy)
        gtk_spinner_start(self->spinner);
    else
        gtk_spinner_stop(self->spinner);
}

static void
on_selection_changed(GtkTreeSelection *selection, SvmVmAuditPage *self)
{
    sync_buttons(self);
}

static void
on_audit_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(SvmVmAuditPage) self = user_data;
    g_autoptr(GError) error = NULL;
    SvirtAuditReport *report = svirt_audit_run_finish(SVIRT_ENGINE(source), result, &error);

    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
    self->running = FALSE;
    if (report) {
        g_autofree char *summary = svm_audit_findings_summary(report, self->uuid);

        gtk_list_store_clear(self->store);
        g_clear_pointer(&self->report, svirt_audit_report_free);
        self->report = report;
        svm_audit_findings_fill(self->store, report, self->uuid);
        gtk_label_set_text(self->status_label, summary);
        gtk_label_set_text(self->empty_label,
                           _("No findings for this VM: each of its objects carries the label "
                             "it should."));
        gtk_widget_set_visible(GTK_WIDGET(self->empty_label),
                               gtk_tree_model_iter_n_children(GTK_TREE_MODEL(self->store),
                                                              NULL) == 0);
    } else {
        gtk_widget_set_visible(GTK_WIDGET(self->empty_label), FALSE);
        gtk_label_set_text(self->status_label, _("The audit failed."));
        g_signal_emit(self, signals[SIGNAL_ERROR], 0, error->message);
    }
    self->audit_count++;
    sync_buttons(self);
}

void
svm_vm_audit_page_refresh(SvmVmAuditPage *self)
{
    g_return_if_fail(SVM_IS_VM_AUDIT_PAGE(self));
    if (!self->engine || self->running)
        return;
    self->running = TRUE;
    gtk_label_set_text(self->status_label, _("Auditing…"));
    sync_buttons(self);
    svirt_audit_run_async(self->engine, self->cancellable, on_audit_done, g_object_ref(self));
}

static void
on_refresh_clicked(SvmVmAuditPage *self)
{
    svm_vm_audit_page_refresh(self);
}

static void
on_fix_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(SvmVmAuditPage) self = user_data;
    g_autoptr(GError) error = NULL;

    if (!svirt_audit_fix_finish(SVIRT_ENGINE(source), result, &error) &&
        g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
    self->fixing = FALSE;
    if (error)
        g_signal_emit(self, signals[SIGNAL_ERROR], 0, error->message);
    svm_vm_audit_page_refresh(self);
}

static void
on_fix_clicked(SvmVmAuditPage *self)
{
    const SvirtFinding *f = svm_audit_findings_get_selected(self->view);

    if (!f || !f->fixable || self->running || self->fixing)
        return;
    self->fixing = TRUE;
    sync_buttons(self);
    svirt_audit_fix_async(self->engine, f, self->cancellable, on_fix_done, g_object_ref(self));
}

/* A full audit takes a while: it runs when the page is first looked at, not with the window. */
static void
svm_vm_audit_page_map(GtkWidget *widget)
{
    SvmVmAuditPage *self = SVM_VM_AUDIT_PAGE(widget);

    GTK_WIDGET_CLASS(svm_vm_audit_page_parent_class)->map(widget);
    if (!self->report && self->audit_count == 0)
        svm_vm_audit_page_refresh(self);
}

static void
svm_vm_audit_page_dispose(GObject *object)
{
    SvmVmAuditPage *self = SVM_VM_AUDIT_PAGE(object);

    g_cancellable_cancel(self->cancellable);
    g_clear_object(&self->cancellable);
    if (self->view)
        gtk_tree_view_set_model(self->view, NULL);
    g_clear_object(&self->store);
    g_clear_object(&self->engine);
    G_OBJECT_CLASS(svm_vm_audit_page_parent_class)->dispose(object);
}

static void
svm_vm_audit_page_finalize(GObject *object)
{
    SvmVmAuditPage *self = SVM_VM_AUDIT_PAGE(object);

    g_free(self->uuid);
    g_clear_pointer(&self->report, svirt_audit_report_free);
    G_OBJECT_CLASS(svm_vm_audit_page_parent_class)->finalize(object);
}

static void
svm_vm_audit_page_class_init(SvmVmAuditPageClass *klass)
{
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

    G_OBJECT_CLASS(klass)->dispose = svm_vm_audit_page_dispose;
    G_OBJECT_CLASS(klass)->finalize = svm_vm_audit_page_finalize;
    widget_class->map = svm_vm_audit_page_map;

    signals[SIGNAL_ERROR] = g_signal_new("error", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

    gtk_widget_class_set_template_from_resource(widget_class,
                                                "/org/svirt/Manager/svm-vm-audit-page.ui");
    gtk_widget_class_bind_template_child(widget_class, SvmVmAuditPage, status_label);
    gtk_widget_class_bind_template_child(widget_class, SvmVmAuditPage, refresh_button);
    gtk_widget_class_bind_template_child(widget_class, SvmVmAuditPage, fix_button);
    gtk_widget_class_bind_template_child(widget_class, SvmVmAuditPage, spinner);
    gtk_widget_class_bind_template_child(widget_class, SvmVmAuditPage, view);
    gtk_widget_class_bind_template_child(widget_class, SvmVmAuditPage, empty_label);
    gtk_widget_class_bind_template_callback(widget_class, on_refresh_clicked);
    gtk_widget_class_bind_template_callback(widget_class, on_fix_clicked);
}

static void
svm_vm_audit_page_init(SvmVmAuditPage *self)
{
    gtk_widget_init_template(GTK_WIDGET(self));
    self->cancellable = g_cancellable_new();
    self->store = svm_audit_findings_store_new();
    gtk_tree_view_set_model(self->view, GTK_TREE_MODEL(self->store));
    g_signal_connect(gtk_tree_view_get_selection(self->view), "changed",
                     G_CALLBACK(on_selection_changed), self);
    sync_buttons(self);
}

SvmVmAuditPage *
svm_vm_audit_page_new(void)
{
    return g_object_new(SVM_TYPE_VM_AUDIT_PAGE, NULL);
}

void
svm_vm_audit_page_set_vm(SvmVmAuditPage *self, SvirtEngine *engine, const char *uuid)
{
    g_return_if_fail(SVM_IS_VM_AUDIT_PAGE(self));
    g_set_object(&self->engine, engine);
    g_free(self->uuid);
    self->uuid = g_strdup(uuid);
    sync_buttons(self);
}

gboolean
svm_vm_audit_page_is_running(SvmVmAuditPage *self)
{
    g_return_val_if_fail(SVM_IS_VM_AUDIT_PAGE(self), FALSE);
    return self->running || self->fixing;
}

guint
svm_vm_audit_page_get_audit_count(SvmVmAuditPage *self)
{
    g_return_val_if_fail(SVM_IS_VM_AUDIT_PAGE(self), 0);
    return self->audit_count;
}

const SvirtAuditReport *
svm_vm_audit_page_get_report(SvmVmAuditPage *self)
{
    g_return_val_if_fail(SVM_IS_VM_AUDIT_PAGE(self), NULL);
    return self->report;
}
