#include "config.h"

#include <glib/gi18n.h>

#include "svm-disks-page-private.h"
#include "svm-presentation.h"

struct _SvmDisksPage {
    GtkBox parent_instance;

    GtkTreeView *disks_view;
    GtkListStore *disk_store;
    GtkListStore *designation_store;
    GtkButton *add_button;
    GtkButton *remove_button;
    GtkLabel *note_label;
    GtkLabel *empty_label;

    SvirtEngine *engine;
    char *uuid;
    GCancellable *cancellable;
    gboolean running;
    gboolean busy;
};

enum {
    SIGNAL_ERROR,
    SIGNAL_CHANGED,
    N_SIGNALS,
};

static guint signals[N_SIGNALS];

G_DEFINE_TYPE(SvmDisksPage, svm_disks_page, GTK_TYPE_BOX)

static const char *
status_icon(SvirtDiskStatus status)
{
    switch (status) {
    case SVIRT_DISK_STATUS_LABELED:
        return "emblem-ok-symbolic";
    case SVIRT_DISK_STATUS_RESTORED:
        return "edit-undo-symbolic";
    case SVIRT_DISK_STATUS_PENDING:
        return "content-loading-symbolic";
    case SVIRT_DISK_STATUS_MISMATCH:
        return "dialog-warning-symbolic";
    case SVIRT_DISK_STATUS_UNSUPPORTED:
        return "drive-harddisk-symbolic";
    case SVIRT_DISK_STATUS_NOT_RELABELED:
    default:
        return "action-unavailable-symbolic";
    }
}

static const char *
status_text(SvirtDiskStatus status)
{
    switch (status) {
    case SVIRT_DISK_STATUS_LABELED:
        return _("Labelled");
    case SVIRT_DISK_STATUS_RESTORED:
        return _("Restored");
    case SVIRT_DISK_STATUS_PENDING:
        return _("Pending");
    case SVIRT_DISK_STATUS_MISMATCH:
        return _("Mismatch");
    case SVIRT_DISK_STATUS_UNSUPPORTED:
        return _("Unsupported filesystem");
    case SVIRT_DISK_STATUS_NOT_RELABELED:
    default:
        return _("Not relabelled");
    }
}

static const char *
status_meaning(SvirtDiskStatus status)
{
    switch (status) {
    case SVIRT_DISK_STATUS_LABELED:
        return _("The file carries the label the VM's plan gives it.");
    case SVIRT_DISK_STATUS_RESTORED:
        return _("The VM is stopped and the file has its own label back.");
    case SVIRT_DISK_STATUS_PENDING:
        return _("The file is not labelled yet, or not restored yet.");
    case SVIRT_DISK_STATUS_MISMATCH:
        return _("The VM runs but the file carries another label than planned. Run an audit, "
                 "or restart the VM to label it again.");
    case SVIRT_DISK_STATUS_UNSUPPORTED:
        return _("The file's filesystem cannot hold SELinux labels (NFS, vfat, read-only).");
    case SVIRT_DISK_STATUS_NOT_RELABELED:
    default:
        return _("The engine leaves this file alone.");
    }
}

static char *
tooltip_for(const SvirtDiskState *disk)
{
    g_autoptr(GString) text = g_string_new(NULL);
    g_autofree char *path = g_markup_escape_text(disk->path ? disk->path : "", -1);

    g_string_append_printf(text, "<b>%s</b> %s\n", disk->target ? disk->target : "", path);
    g_string_append(text, status_meaning(disk->status));
    if (disk->note) {
        g_autofree char *note = g_markup_escape_text(disk->note, -1);

        g_string_append_printf(text, "\n%s", note);
    }
    if (disk->expected_label) {
        g_autofree char *label = g_markup_escape_text(disk->expected_label, -1);

        g_string_append_printf(text, "\n%s <tt>%s</tt>", _("Should carry:"), label);
    }
    {
        g_autofree char *label = g_markup_escape_text(disk->actual_label ? disk->actual_label
                                                                         : _("no label"),
                                                      -1);

        g_string_append_printf(text, "\n%s <tt>%s</tt>", _("Carries now:"), label);
    }
    return g_string_free(g_steal_pointer(&text), FALSE);
}

static char *
selected_target(SvmDisksPage *self)
{
    GtkTreeModel *model;
    GtkTreeIter iter;
    char *target = NULL;
    gboolean editable = FALSE;

    if (!gtk_tree_selection_get_selected(gtk_tree_view_get_selection(self->disks_view), &model,
                                         &iter))
        return NULL;
    gtk_tree_model_get(model, &iter, SVM_DISKS_COL_TARGET, &target, SVM_DISKS_COL_EDITABLE,
                       &editable, -1);
    if (!editable)
        g_clear_pointer(&target, g_free);
    return target;
}

static void
sync_controls(SvmDisksPage *self)
{
    g_autofree char *target = selected_target(self);
    gboolean editable = !self->running && !self->busy && self->engine != NULL;

    gtk_widget_set_sensitive(GTK_WIDGET(self->add_button), editable);
    gtk_widget_set_sensitive(GTK_WIDGET(self->remove_button), editable && target != NULL);
    gtk_label_set_text(self->note_label,
                       self->running ? _("The VM is running: shut it down to add or remove "
                                         "disks or change their designation.")
                                     : "");
}

static void
on_selection_changed(SvmDisksPage *self)
{
    sync_controls(self);
}

void
svm_disks_page_update(SvmDisksPage *self, const SvirtVmStatus *status)
{
    g_autofree char *selected = NULL;

    g_return_if_fail(SVM_IS_DISKS_PAGE(self));
    g_return_if_fail(status != NULL);

    self->running = svirt_vm_state_is_active(status->state);
    selected = selected_target(self);
    gtk_list_store_clear(self->disk_store);
    for (guint i = 0; i < status->disks->len; i++) {
        SvirtDiskState *disk = g_ptr_array_index(status->disks, i);
        g_autofree char *tooltip = tooltip_for(disk);
        /* Backing files follow their disk; only the disks' own designations are edited. */
        gboolean editable = !self->running && disk->kind == SVIRT_PLAN_KIND_DISK;
        GtkTreeIter iter;

        gtk_list_store_insert_with_values(
            self->disk_store, &iter, -1, SVM_DISKS_COL_ICON, status_icon(disk->status),
            SVM_DISKS_COL_TARGET, disk->target, SVM_DISKS_COL_PATH, disk->path,
            SVM_DISKS_COL_DESIGNATION_TEXT, svm_designation_label(disk->designation),
            SVM_DISKS_COL_DESIGNATION, disk->designation, SVM_DISKS_COL_EXPECTED,
            disk->expected_label ? disk->expected_label : "—", SVM_DISKS_COL_ACTUAL,
            disk->actual_label ? disk->actual_label : "—", SVM_DISKS_COL_STATUS_TEXT,
            status_text(disk->status), SVM_DISKS_COL_STATUS_ID,
            svirt_disk_status_to_string(disk->status), SVM_DISKS_COL_TOOLTIP, tooltip,
            SVM_DISKS_COL_EDITABLE, editable, -1);
        if (selected && g_strcmp0(selected, disk->target) == 0)
            gtk_tree_selection_select_iter(gtk_tree_view_get_selection(self->disks_view),
                                           &iter);
    }
    /* An empty list would look like a page still loading. */
    gtk_label_set_text(self->empty_label,
                       self->running ? _("This VM has no disks.")
                                     : _("This VM has no disks. Add Disk attaches an existing "
                                         "disk image."));
    gtk_widget_set_visible(GTK_WIDGET(self->empty_label), status->disks->len == 0);
    sync_controls(self);
}

static void
on_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(SvmDisksPage) self = user_data;
    g_autoptr(GError) error = NULL;
    g_autofree char *target = NULL;
    gpointer tag = g_task_get_source_tag(G_TASK(result));
    SvirtEngine *engine = SVIRT_ENGINE(source);
    gboolean ok;

    if (tag == svirt_engine_add_disk_async)
        ok = (target = svirt_engine_add_disk_finish(engine, result, &error)) != NULL;
    else if (tag == svirt_engine_remove_disk_async)
        ok = svirt_engine_remove_disk_finish(engine, result, &error);
    else
        ok = svirt_engine_set_disk_designation_finish(engine, result, &error);
    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
    self->busy = FALSE;
    sync_controls(self);
    if (!ok)
        g_signal_emit(self, signals[SIGNAL_ERROR], 0, error->message);
    g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

static gboolean
start_action(SvmDisksPage *self)
{
    if (!self->engine || self->busy)
        return FALSE;
    self->busy = TRUE;
    sync_controls(self);
    return TRUE;
}

void
svm_disks_page_set_designation(SvmDisksPage *self, const char *target,
                               SvirtDesignation designation)
{
    g_return_if_fail(SVM_IS_DISKS_PAGE(self));
    if (!start_action(self))
        return;
    svirt_engine_set_disk_designation_async(self->engine, self->uuid, target, designation,
                                            self->cancellable, on_done, g_object_ref(self));
}

void
svm_disks_page_add_disk(SvmDisksPage *self, const char *path, SvirtDesignation designation)
{
    g_return_if_fail(SVM_IS_DISKS_PAGE(self));
    if (!start_action(self))
        return;
    svirt_engine_add_disk_async(self->engine, self->uuid, path, designation, self->cancellable,
                                on_done, g_object_ref(self));
}

void
svm_disks_page_remove_disk(SvmDisksPage *self, const char *target)
{
    g_return_if_fail(SVM_IS_DISKS_PAGE(self));
    if (!start_action(self))
        return;
    svirt_engine_remove_disk_async(self->engine, self->uuid, target, self->cancellable, on_done,
                                   g_object_ref(self));
}

static void
on_designation_changed(SvmDisksPage *self, const char *path_string, GtkTreeIter *new_iter,
                       GtkCellRendererCombo *combo)
{
    GtkTreeIter iter;
    g_autofree char *target = NULL;
    int designation, current;

    if (!gtk_tree_model_get_iter_from_string(GTK_TREE_MODEL(self->disk_store), &iter,
                                             path_string))
        return;
    gtk_tree_model_get(GTK_TREE_MODEL(self->disk_store), &iter, SVM_DISKS_COL_TARGET, &target,
                       SVM_DISKS_COL_DESIGNATION, &current, -1);
    gtk_tree_model_get(GTK_TREE_MODEL(self->designation_store), new_iter, 0, &designation, -1);
    if (designation != current)
        svm_disks_page_set_designation(self, target, (SvirtDesignation)designation);
}

static void
on_add_response(GtkDialog *dialog, int response, gpointer user_data)
{
    g_autoptr(SvmDisksPage) self = user_data;
    GtkComboBox *combo = GTK_COMBO_BOX(
        gtk_file_chooser_get_extra_widget(GTK_FILE_CHOOSER(dialog)));
    g_autofree char *path = gtk_file_chooser_get_filename(GTK_FILE_CHOOSER(dialog));
    int designation = gtk_combo_box_get_active(combo);

    gtk_widget_destroy(GTK_WIDGET(dialog));
    if (response == GTK_RESPONSE_ACCEPT && path)
        svm_disks_page_add_disk(self, path, (SvirtDesignation)MAX(designation, 0));
}

static void
on_add_clicked(SvmDisksPage *self)
{
    GtkWidget *toplevel = gtk_widget_get_toplevel(GTK_WIDGET(self));
    GtkWidget *dialog = gtk_file_chooser_dialog_new(
        _("Add a Disk Image"), GTK_IS_WINDOW(toplevel) ? GTK_WINDOW(toplevel) : NULL,
        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Cancel"), GTK_RESPONSE_CANCEL, _("_Add"),
        GTK_RESPONSE_ACCEPT, NULL);
    GtkWidget *combo = gtk_combo_box_text_new();

    gtk_combo_box_text_append_text(GTK_COMBO_BOX_TEXT(combo), _("Private"));
    gtk_combo_box_text_append_text(GTK_COMBO_BOX_TEXT(combo), _("Shared"));
    gtk_combo_box_text_append_text(GTK_COMBO_BOX_TEXT(combo), _("Read-only"));
    gtk_combo_box_set_active(GTK_COMBO_BOX(combo), 0);
    atk_object_set_name(gtk_widget_get_accessible(combo), _("Designation"));
    gtk_widget_show(combo);
    gtk_file_chooser_set_extra_widget(GTK_FILE_CHOOSER(dialog), combo);
    gtk_dialog_set_default_response(GTK_DIALOG(dialog), GTK_RESPONSE_ACCEPT);
    gtk_window_set_modal(GTK_WINDOW(dialog), TRUE);
    g_signal_connect(dialog, "response", G_CALLBACK(on_add_response), g_object_ref(self));
    gtk_widget_show(dialog);
}

static void
on_remove_clicked(SvmDisksPage *self)
{
    g_autofree char *target = selected_target(self);

    if (target)
        svm_disks_page_remove_disk(self, target);
}

void
svm_disks_page_set_vm(SvmDisksPage *self, SvirtEngine *engine, const char *uuid)
{
    g_return_if_fail(SVM_IS_DISKS_PAGE(self));
    g_set_object(&self->engine, engine);
    g_free(self->uuid);
    self->uuid = g_strdup(uuid);
    sync_controls(self);
}

gboolean
svm_disks_page_is_busy(SvmDisksPage *self)
{
    g_return_val_if_fail(SVM_IS_DISKS_PAGE(self), FALSE);
    return self->busy;
}

static void
svm_disks_page_dispose(GObject *object)
{
    SvmDisksPage *self = SVM_DISKS_PAGE(object);

    g_cancellable_cancel(self->cancellable);
    g_clear_object(&self->cancellable);
    g_clear_object(&self->engine);
    G_OBJECT_CLASS(svm_disks_page_parent_class)->dispose(object);
}

static void
svm_disks_page_finalize(GObject *object)
{
    g_free(SVM_DISKS_PAGE(object)->uuid);
    G_OBJECT_CLASS(svm_disks_page_parent_class)->finalize(object);
}

static void
svm_disks_page_class_init(SvmDisksPageClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

    object_class->dispose = svm_disks_page_dispose;
    object_class->finalize = svm_disks_page_finalize;

    signals[SIGNAL_ERROR] = g_signal_new("error", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
    signals[SIGNAL_CHANGED] = g_signal_new("changed", G_TYPE_FROM_CLASS(klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                           0);

    gtk_widget_class_set_template_from_resource(widget_class,
                                                "/org/svirt/Manager/svm-disks-page.ui");
    gtk_widget_class_bind_template_child(widget_class, SvmDisksPage, disks_view);
    gtk_widget_class_bind_template_child(widget_class, SvmDisksPage, disk_store);
    gtk_widget_class_bind_template_child(widget_class, SvmDisksPage, designation_store);
    gtk_widget_class_bind_template_child(widget_class, SvmDisksPage, add_button);
    gtk_widget_class_bind_template_child(widget_class, SvmDisksPage, remove_button);
    gtk_widget_class_bind_template_child(widget_class, SvmDisksPage, note_label);
    gtk_widget_class_bind_template_child(widget_class, SvmDisksPage, empty_label);
    gtk_widget_class_bind_template_callback(widget_class, on_selection_changed);
    gtk_widget_class_bind_template_callback(widget_class, on_designation_changed);
    gtk_widget_class_bind_template_callback(widget_class, on_add_clicked);
    gtk_widget_class_bind_template_callback(widget_class, on_remove_clicked);
}

static void
svm_disks_page_init(SvmDisksPage *self)
{
    gtk_widget_init_template(GTK_WIDGET(self));
    self->cancellable = g_cancellable_new();
    sync_controls(self);
}

SvmDisksPage *
svm_disks_page_new(void)
{
    return g_object_new(SVM_TYPE_DISKS_PAGE, NULL);
}
