#include "config.h"

#include <glib/gi18n.h>

#include "svirt-display.h"
#include "svm-new-vm-page.h"
#include "svm-new-vm-summary.h"
#include "svm-presentation.h"

enum {
    PLAN_COL_PATH,
    PLAN_COL_DESIGNATION,
    PLAN_COL_LABEL,
    PLAN_COL_RESTORE,
};

struct _SvmNewVmSummary {
    GtkBox parent_instance;

    GtkInfoBar *summary_info_bar;
    GtkLabel *summary_info_label;
    GtkLabel *summary_label;
    GtkTreeView *plan_view;
    GtkListStore *plan_store;
    GtkLabel *pair_note;
    GtkToggleButton *start_check;

    SvirtEngine *engine;
    GCancellable *cancellable;
    guint preview_serial; /* only the newest preview is shown */
    guint busy;
    gboolean complete;
};

enum {
    PROP_0,
    PROP_COMPLETE,
    N_PROPS,
};

enum {
    SIGNAL_ERROR,
    N_SIGNALS,
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_TYPE(SvmNewVmSummary, svm_new_vm_summary, GTK_TYPE_BOX)

static void
set_complete(SvmNewVmSummary *self, gboolean complete)
{
    self->complete = complete;
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_COMPLETE]);
}

static char *
summary_text(const SvirtVmSpec *spec)
{
    g_autofree char *cpus = NULL;
    g_autofree char *disks = NULL;
    g_autofree char *display = NULL;
    const char *source;

    switch (spec->install) {
    case SVIRT_INSTALL_ISO:
        source = _("ISO image, read-only");
        break;
    case SVIRT_INSTALL_DISK_IMAGE:
        source = _("existing boot disk");
        break;
    case SVIRT_INSTALL_NONE:
    default:
        source = _("none");
        break;
    }
    /* TRANSLATORS: part of a summary, e.g. "2 virtual CPUs" */
    cpus = g_strdup_printf(g_dngettext(GETTEXT_PACKAGE, "%u virtual CPU", "%u virtual CPUs",
                                       spec->vcpus),
                           spec->vcpus);
    /* TRANSLATORS: part of a summary, e.g. "2 disks" */
    disks = g_strdup_printf(g_dngettext(GETTEXT_PACKAGE, "%u disk", "%u disks", spec->disks->len),
                            spec->disks->len);
    if (spec->display == SVIRT_DISPLAY_NONE)
        display = g_strdup(_("no display, serial console only"));
    else
        /* TRANSLATORS: part of a summary; %s is VNC or SPICE */
        display = g_strdup_printf(_("%s display reached only through libvirt"),
                                  svirt_display_kind_to_name(spec->display));
    /* TRANSLATORS: a summary: VM name, memory, CPUs ("2 virtual CPUs"), install source, disks
     * ("1 disk"), network, display */
    return g_strdup_printf(_("%s: %u MiB of memory, %s, install source: %s, %s, network: %s, "
                             "%s."),
                           spec->name, spec->memory_mib, cpus, source, disks,
                           spec->network ? spec->network : _("user-mode"), display);
}

static const char *
restore_text(const SvirtPlanItem *item)
{
    if (item->designation == SVIRT_DESIGNATION_SKIPPED)
        return "—";
    if (!item->restore)
        return _("no");
    if (item->designation == SVIRT_DESIGNATION_PRIVATE)
        return _("yes");
    return _("when its last VM stops");
}

static void
fill_plan(SvmNewVmSummary *self, const SvirtPlan *plan)
{
    g_autofree char *note = NULL;

    gtk_list_store_clear(self->plan_store);
    for (guint i = 0; i < plan->items->len; i++) {
        const SvirtPlanItem *item = g_ptr_array_index(plan->items, i);

        gtk_list_store_insert_with_values(
            self->plan_store, NULL, -1, PLAN_COL_PATH, item->path, PLAN_COL_DESIGNATION,
            svm_designation_label(item->designation), PLAN_COL_LABEL,
            item->label ? item->label : (item->reason ? item->reason : "—"), PLAN_COL_RESTORE,
            restore_text(item), -1);
    }
    if (plan->mode == SVIRT_SECURITY_MODE_DYNAMIC)
        /* TRANSLATORS: %s is a placeholder level such as s0:c1,c2 */
        note = g_strdup_printf(_("The level %s stands in for the category pair the VM gets: a "
                                 "new pair is chosen at every start. The process runs as %s."),
                               SVIRT_PREVIEW_LEVEL, plan->process_label);
    else if (plan->mode == SVIRT_SECURITY_MODE_STATIC)
        note = g_strdup_printf(_("The VM always runs as %s."), plan->process_label);
    else
        note = g_strdup(_("The engine labels nothing for this VM."));
    gtk_label_set_text(self->pair_note, note);
}

typedef struct {
    SvmNewVmSummary *self;
    guint serial;
} PreviewRequest;

static void
on_preview_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
    PreviewRequest *request = user_data;
    g_autoptr(SvmNewVmSummary) self = request->self;
    guint serial = request->serial;
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtPlan) plan = svirt_engine_preview_vm_finish(SVIRT_ENGINE(source), result,
                                                               &error);

    g_free(request);
    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
    g_return_if_fail(self->busy > 0);
    self->busy--;
    /* Back and Forward again started a newer preview: this one is out of date. */
    if (serial != self->preview_serial)
        return;
    if (plan == NULL) {
        g_autofree char *message =
            g_strdup_printf(_("The labels cannot be previewed: %s Go back and change the "
                              "settings."),
                            error->message);

        g_signal_emit(self, signals[SIGNAL_ERROR], 0, message);
        svm_new_vm_page_show_info(self->summary_info_bar, self->summary_info_label,
                                  GTK_MESSAGE_ERROR, message);
        return;
    }
    fill_plan(self, plan);
    set_complete(self, TRUE);
}

void
svm_new_vm_summary_set_engine(SvmNewVmSummary *self, SvirtEngine *engine)
{
    g_return_if_fail(SVM_IS_NEW_VM_SUMMARY(self));
    g_set_object(&self->engine, engine);
}

void
svm_new_vm_summary_show(SvmNewVmSummary *self, const SvirtVmSpec *spec, const char *error)
{
    g_autofree char *text = NULL;
    PreviewRequest *request;

    g_return_if_fail(SVM_IS_NEW_VM_SUMMARY(self));
    text = summary_text(spec);
    gtk_label_set_text(self->summary_label, text);
    gtk_list_store_clear(self->plan_store);
    gtk_label_set_text(self->pair_note, "");
    set_complete(self, FALSE);
    if (error)
        svm_new_vm_page_show_info(self->summary_info_bar, self->summary_info_label,
                                  GTK_MESSAGE_ERROR, error);
    else
        gtk_info_bar_set_revealed(self->summary_info_bar, FALSE);
    self->busy++;
    request = g_new0(PreviewRequest, 1);
    request->self = g_object_ref(self);
    request->serial = ++self->preview_serial;
    svirt_engine_preview_vm_async(self->engine, spec, self->cancellable, on_preview_ready,
                                  request);
}

gboolean
svm_new_vm_summary_get_complete(SvmNewVmSummary *self)
{
    g_return_val_if_fail(SVM_IS_NEW_VM_SUMMARY(self), FALSE);
    return self->complete;
}

gboolean
svm_new_vm_summary_get_start(SvmNewVmSummary *self)
{
    g_return_val_if_fail(SVM_IS_NEW_VM_SUMMARY(self), FALSE);
    return gtk_toggle_button_get_active(self->start_check);
}

gboolean
svm_new_vm_summary_is_busy(SvmNewVmSummary *self)
{
    g_return_val_if_fail(SVM_IS_NEW_VM_SUMMARY(self), FALSE);
    return self->busy > 0;
}

static void
svm_new_vm_summary_get_property(GObject *object, guint prop_id, GValue *value,
                                GParamSpec *pspec)
{
    SvmNewVmSummary *self = SVM_NEW_VM_SUMMARY(object);

    switch (prop_id) {
    case PROP_COMPLETE:
        g_value_set_boolean(value, self->complete);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
svm_new_vm_summary_dispose(GObject *object)
{
    SvmNewVmSummary *self = SVM_NEW_VM_SUMMARY(object);

    g_cancellable_cancel(self->cancellable);
    G_OBJECT_CLASS(svm_new_vm_summary_parent_class)->dispose(object);
}

static void
svm_new_vm_summary_finalize(GObject *object)
{
    SvmNewVmSummary *self = SVM_NEW_VM_SUMMARY(object);

    g_clear_object(&self->cancellable);
    g_clear_object(&self->engine);
    G_OBJECT_CLASS(svm_new_vm_summary_parent_class)->finalize(object);
}

static void
svm_new_vm_summary_class_init(SvmNewVmSummaryClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

    object_class->get_property = svm_new_vm_summary_get_property;
    object_class->dispose = svm_new_vm_summary_dispose;
    object_class->finalize = svm_new_vm_summary_finalize;

    properties[PROP_COMPLETE] = g_param_spec_boolean("complete", NULL, NULL, FALSE,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties(object_class, N_PROPS, properties);
    signals[SIGNAL_ERROR] = g_signal_new("error", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

    gtk_widget_class_set_template_from_resource(widget_class,
                                                "/org/svirt/Manager/svm-new-vm-summary.ui");
    gtk_widget_class_bind_template_child(widget_class, SvmNewVmSummary, summary_info_bar);
    gtk_widget_class_bind_template_child(widget_class, SvmNewVmSummary, summary_info_label);
    gtk_widget_class_bind_template_child(widget_class, SvmNewVmSummary, summary_label);
    gtk_widget_class_bind_template_child(widget_class, SvmNewVmSummary, plan_view);
    gtk_widget_class_bind_template_child(widget_class, SvmNewVmSummary, plan_store);
    gtk_widget_class_bind_template_child(widget_class, SvmNewVmSummary, pair_note);
    gtk_widget_class_bind_template_child(widget_class, SvmNewVmSummary, start_check);
}

static void
svm_new_vm_summary_init(SvmNewVmSummary *self)
{
    gtk_widget_init_template(GTK_WIDGET(self));
    self->cancellable = g_cancellable_new();
}
