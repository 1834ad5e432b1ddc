#include "config.h"

#include "svm-new-vm-basics.h"
#include "svm-new-vm-page.h"

struct _SvmNewVmBasics {
    GtkGrid parent_instance;

    GtkEntry *name_entry;
    GtkLabel *name_message;
    GtkSpinButton *memory_spin;
    GtkSpinButton *vcpus_spin;

    SvirtEngine *engine;
    GCancellable *cancellable;
    char *name_checked; /* the last name the engine checked for use on the connection */
    char *name_problem; /* why that name cannot be used; NULL when it is free */
    char *name_pending; /* the name being checked */
    guint busy;
    gboolean disposed;
};

enum {
    SIGNAL_CHANGED,
    N_SIGNALS,
};

static guint signals[N_SIGNALS];

G_DEFINE_TYPE(SvmNewVmBasics, svm_new_vm_basics, GTK_TYPE_GRID)

static void
on_field_changed(SvmNewVmBasics *self)
{
    g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

typedef struct {
    SvmNewVmBasics *self;
    char *name;
} NameCheck;

static void
on_name_checked(GObject *source, GAsyncResult *result, gpointer user_data)
{
    NameCheck *check = user_data;
    g_autoptr(SvmNewVmBasics) self = check->self;
    g_autofree char *name = check->name;
    g_autoptr(GError) error = NULL;
    gboolean is_free = svirt_engine_check_vm_name_finish(SVIRT_ENGINE(source), result, &error);

    g_free(check);
    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->disposed)
        return;
    g_return_if_fail(self->busy > 0);
    self->busy--;
    if (g_strcmp0(name, self->name_pending) == 0)
        g_clear_pointer(&self->name_pending, g_free);
    g_free(self->name_checked);
    self->name_checked = g_steal_pointer(&name);
    g_free(self->name_problem);
    self->name_problem = is_free ? NULL : g_strdup(error->message);
    g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

/* Whether the typed name is free on the connection: known, or asked of the engine. */
static gboolean
check_name_free(SvmNewVmBasics *self, const char *name)
{
    NameCheck *check;

    if (g_strcmp0(name, self->name_checked) == 0) {
        svm_new_vm_page_set_message(self->name_message, self->name_problem);
        return self->name_problem == NULL;
    }
    svm_new_vm_page_set_message(self->name_message, NULL);
    if (g_strcmp0(name, self->name_pending) == 0)
        return FALSE;
    g_free(self->name_pending);
    self->name_pending = g_strdup(name);
    check = g_new0(NameCheck, 1);
    check->self = g_object_ref(self);
    check->name = g_strdup(name);
    self->busy++;
    svirt_engine_check_vm_name_async(self->engine, name, self->cancellable, on_name_checked,
                                     check);
    return FALSE;
}

gboolean
svm_new_vm_basics_check(SvmNewVmBasics *self)
{
    g_autoptr(SvirtVmSpec) spec = svirt_vm_spec_new("");
    g_autoptr(GError) error = NULL;

    g_return_val_if_fail(SVM_IS_NEW_VM_BASICS(self), FALSE);
    /* Only this page's fields, with a disk to boot from: the rest is not chosen yet. */
    svm_new_vm_basics_fill_spec(self, spec);
    svirt_vm_spec_add_disk(spec, svirt_disk_spec_new_volume("pool", 1, SVIRT_VOLUME_FORMAT_RAW,
                                                            SVIRT_DESIGNATION_PRIVATE));
    if (svirt_vm_spec_validate(spec, &error))
        return check_name_free(self, spec->name);
    /* An empty name is not an error yet, just not finished. */
    svm_new_vm_page_set_message(self->name_message, *spec->name ? error->message : NULL);
    return FALSE;
}

void
svm_new_vm_basics_set_engine(SvmNewVmBasics *self, SvirtEngine *engine)
{
    g_return_if_fail(SVM_IS_NEW_VM_BASICS(self));
    g_set_object(&self->engine, engine);
}

const char *
svm_new_vm_basics_get_name(SvmNewVmBasics *self)
{
    g_return_val_if_fail(SVM_IS_NEW_VM_BASICS(self), NULL);
    return gtk_entry_get_text(self->name_entry);
}

void
svm_new_vm_basics_fill_spec(SvmNewVmBasics *self, SvirtVmSpec *spec)
{
    g_return_if_fail(SVM_IS_NEW_VM_BASICS(self));
    g_free(spec->name);
    spec->name = g_strdup(gtk_entry_get_text(self->name_entry));
    spec->memory_mib = (guint)gtk_spin_button_get_value_as_int(self->memory_spin);
    spec->vcpus = (guint)gtk_spin_button_get_value_as_int(self->vcpus_spin);
}

gboolean
svm_new_vm_basics_is_busy(SvmNewVmBasics *self)
{
    g_return_val_if_fail(SVM_IS_NEW_VM_BASICS(self), FALSE);
    return self->busy > 0;
}

static void
svm_new_vm_basics_dispose(GObject *object)
{
    SvmNewVmBasics *self = SVM_NEW_VM_BASICS(object);

    self->disposed = TRUE;
    g_cancellable_cancel(self->cancellable);
    G_OBJECT_CLASS(svm_new_vm_basics_parent_class)->dispose(object);
}

static void
svm_new_vm_basics_finalize(GObject *object)
{
    SvmNewVmBasics *self = SVM_NEW_VM_BASICS(object);

    g_clear_object(&self->cancellable);
    g_clear_object(&self->engine);
    g_free(self->name_checked);
    g_free(self->name_problem);
    g_free(self->name_pending);
    G_OBJECT_CLASS(svm_new_vm_basics_parent_class)->finalize(object);
}

static void
svm_new_vm_basics_class_init(SvmNewVmBasicsClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

    object_class->dispose = svm_new_vm_basics_dispose;
    object_class->finalize = svm_new_vm_basics_finalize;

    signals[SIGNAL_CHANGED] = g_signal_new("changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 0);

    gtk_widget_class_set_template_from_resource(widget_class,
                                                "/org/svirt/Manager/svm-new-vm-basics.ui");
    gtk_widget_class_bind_template_child(widget_class, SvmNewVmBasics, name_entry);
    gtk_widget_class_bind_template_child(widget_class, SvmNewVmBasics, name_message);
    gtk_widget_class_bind_template_child(widget_class, SvmNewVmBasics, memory_spin);
    gtk_widget_class_bind_template_child(widget_class, SvmNewVmBasics, vcpus_spin);
    gtk_widget_class_bind_template_callback(widget_class, on_field_changed);
}

static void
svm_new_vm_basics_init(SvmNewVmBasics *self)
{
    gtk_widget_init_template(GTK_WIDGET(self));
    self->cancellable = g_cancellable_new();
}
