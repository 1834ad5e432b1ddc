#include "config.h"

#include <glib/gi18n.h>

#include "svm-new-vm-assistant-private.h"
#include "svm-new-vm-basics.h"
#include "svm-new-vm-network.h"
#include "svm-new-vm-page.h"
#include "svm-new-vm-security.h"
#include "svm-new-vm-source.h"
#include "svm-new-vm-storage.h"
#include "svm-new-vm-summary.h"
#include "svm-vm-window.h"

struct _SvmNewVmAssistant {
    GtkAssistant parent_instance;

    SvmNewVmBasics *page_basics;
    SvmNewVmSource *page_source;
    SvmNewVmStorage *page_storage;
    SvmNewVmNetwork *page_network;
    SvmNewVmSecurity *page_security;
    SvmNewVmSummary *page_summary;
    GtkWidget *page_progress;

    GtkInfoBar *progress_info_bar;
    GtkLabel *progress_info_label;
    GtkSpinner *progress_spinner;
    GtkLabel *progress_label;
    GtkWidget *cancel_button; /* while the VM is being created */
    GtkWidget *open_button;   /* once it is */

    SvirtEngine *engine;
    GCancellable *cancellable;
    char *uuid; /* the VM created */
    gboolean creating;
    gboolean closing; /* cancelled while creating: close once that is undone */
    gboolean disposed;
    char *error;
    char *create_error; /* shown on the summary page when creation failed */
    guint busy;         /* a creation or a start */
};

enum {
    PROP_0,
    PROP_ENGINE,
    N_PROPS,
};

enum {
    SIGNAL_VM_CREATED,
    N_SIGNALS,
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_TYPE(SvmNewVmAssistant, svm_new_vm_assistant, GTK_TYPE_ASSISTANT)

static void
set_error(SvmNewVmAssistant *self, const char *message)
{
    g_free(self->error);
    self->error = g_strdup(message);
}

static void
busy_begin(SvmNewVmAssistant *self)
{
    self->busy++;
}

static void
busy_end(SvmNewVmAssistant *self)
{
    g_return_if_fail(self->busy > 0);
    self->busy--;
}

/* The VM the pages describe. */
static SvirtVmSpec *
build_spec(SvmNewVmAssistant *self)
{
    SvirtVmSpec *spec = svirt_vm_spec_new("");

    svm_new_vm_basics_fill_spec(self->page_basics, spec);
    svm_new_vm_source_fill_spec(self->page_source, spec);
    svm_new_vm_storage_fill_spec(self->page_storage, spec);
    svm_new_vm_network_fill_spec(self->page_network, spec);
    svm_new_vm_security_fill_spec(self->page_security, spec);
    return spec;
}

/* What a disk is checked with before the storage page lists it: the name when it is valid and
 * the install source when it is, so that a file is not attached twice. */
static SvirtVmSpec *
dup_vm_for_disks(SvmNewVmAssistant *self, SvmNewVmStorage *storage)
{
    SvirtVmSpec *spec = svirt_vm_spec_new("");

    svm_new_vm_basics_fill_spec(self->page_basics, spec);
    if (!svirt_vm_name_validate(spec->name, NULL)) {
        g_free(spec->name);
        spec->name = g_strdup("vm");
    }
    if (svm_new_vm_source_check(self->page_source))
        svm_new_vm_source_fill_spec(self->page_source, spec);
    return spec;
}

static gboolean
is_current(SvmNewVmAssistant *self, GtkWidget *page)
{
    GtkAssistant *assistant = GTK_ASSISTANT(self);
    int current = gtk_assistant_get_current_page(assistant);

    return current >= 0 && gtk_assistant_get_nth_page(assistant, current) == page;
}

/* Only the page shown counts as complete: GtkAssistant then never offers its jump to the end
 * past pages the user has not seen. */
static void
set_complete(SvmNewVmAssistant *self, gpointer page, gboolean complete)
{
    gtk_assistant_set_page_complete(GTK_ASSISTANT(self), page,
                                    complete && is_current(self, page));
}

/* A field changed on some page: every page is checked again. */
static void
on_changed(SvmNewVmAssistant *self)
{
    if (self->disposed)
        return;
    set_complete(self, self->page_basics, svm_new_vm_basics_check(self->page_basics));
    set_complete(self, self->page_source, svm_new_vm_source_check(self->page_source));
    /* The install source alone can boot the VM. */
    set_complete(self, self->page_storage,
                 svm_new_vm_storage_check(self->page_storage) ||
                     svm_new_vm_source_get_install(self->page_source) != SVIRT_INSTALL_NONE);
    set_complete(self, self->page_network, svm_new_vm_network_check(self->page_network));
    set_complete(self, self->page_security, svm_new_vm_security_check(self->page_security));
}

static void
on_page_error(SvmNewVmAssistant *self, const char *message)
{
    set_error(self, message);
}

static void
on_summary_complete(SvmNewVmAssistant *self)
{
    set_complete(self, self->page_summary, svm_new_vm_summary_get_complete(self->page_summary));
}

static void
prepare_summary(SvmNewVmAssistant *self)
{
    g_autoptr(SvirtVmSpec) spec = build_spec(self);

    if (self->create_error == NULL)
        g_clear_pointer(&self->error, g_free);
    svm_new_vm_summary_show(self->page_summary, spec, self->create_error);
    g_clear_pointer(&self->create_error, g_free);
}

static void
on_prepare(GtkAssistant *assistant, GtkWidget *page, gpointer user_data)
{
    SvmNewVmAssistant *self = SVM_NEW_VM_ASSISTANT(assistant);

    gtk_widget_set_visible(self->cancel_button, page == self->page_progress && self->creating);
    gtk_widget_set_visible(self->open_button, FALSE);
    on_changed(self);
    if (page == GTK_WIDGET(self->page_summary))
        prepare_summary(self);
}

/* GtkAssistant titles the window after each page; it stays the assistant's. */
static void
on_title_changed(SvmNewVmAssistant *self)
{
    const char *title = _("New Virtual Machine");

    if (g_strcmp0(gtk_window_get_title(GTK_WINDOW(self)), title) != 0)
        gtk_window_set_title(GTK_WINDOW(self), title);
}

static void
on_close(GtkAssistant *assistant, gpointer user_data)
{
    gtk_widget_destroy(GTK_WIDGET(assistant));
}

/* Cancel, Escape and the window's close button. */
static void
on_cancel(GtkAssistant *assistant, gpointer user_data)
{
    SvmNewVmAssistant *self = SVM_NEW_VM_ASSISTANT(assistant);

    if (!self->creating) {
        gtk_widget_destroy(GTK_WIDGET(self));
        return;
    }
    if (self->closing)
        return;
    /* The engine undoes what it made; the window closes when it has. */
    self->closing = TRUE;
    gtk_widget_set_sensitive(self->cancel_button, FALSE);
    gtk_label_set_text(self->progress_label, _("Cancelling: removing what was made…"));
    g_cancellable_cancel(self->cancellable);
}

static void
on_cancel_clicked(SvmNewVmAssistant *self)
{
    g_signal_emit_by_name(self, "cancel");
}

/* Escape cancels on every page, also while the VM is being created. */
static gboolean
on_key_press(GtkWidget *widget, GdkEventKey *event, gpointer user_data)
{
    if (event->keyval != GDK_KEY_Escape ||
        (event->state & gtk_accelerator_get_default_mod_mask()) != 0)
        return GDK_EVENT_PROPAGATE;
    g_signal_emit_by_name(widget, "cancel");
    return GDK_EVENT_STOP;
}

static void
on_open_clicked(SvmNewVmAssistant *self)
{
    GtkWindow *parent = gtk_window_get_transient_for(GTK_WINDOW(self));
    SvmVmWindow *details;

    g_return_if_fail(self->uuid != NULL);
    details = svm_vm_window_new(parent, self->engine, self->uuid);
    svm_vm_window_show_page(details, "console");
    gtk_window_present(GTK_WINDOW(details));
    gtk_widget_destroy(GTK_WIDGET(self));
}

static void
finish(SvmNewVmAssistant *self, const char *text)
{
    gtk_spinner_stop(self->progress_spinner);
    gtk_widget_hide(GTK_WIDGET(self->progress_spinner));
    gtk_label_set_text(self->progress_label, text);
    gtk_widget_hide(self->cancel_button);
    /* Its Close button closes the assistant; Open shows the new VM. */
    gtk_assistant_set_page_type(GTK_ASSISTANT(self), self->page_progress,
                                GTK_ASSISTANT_PAGE_SUMMARY);
    gtk_assistant_set_page_title(GTK_ASSISTANT(self), self->page_progress, _("Done"));
    set_complete(self, self->page_progress, TRUE);
    gtk_assistant_commit(GTK_ASSISTANT(self));
    gtk_widget_show(self->open_button);
}

static void
on_started(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(SvmNewVmAssistant) self = user_data;
    g_autoptr(GError) error = NULL;
    g_autofree char *text = NULL;
    g_autofree char *name = g_strdup(svm_new_vm_basics_get_name(self->page_basics));

    svirt_engine_start_vm_finish(SVIRT_ENGINE(source), result, &error);
    if (self->disposed)
        return;
    busy_end(self);
    if (error) {
        g_autofree char *message =
            g_strdup_printf(_("VM '%s' was created but could not be started: %s Start it from "
                              "the list of VMs once the problem is solved."),
                            name, error->message);

        set_error(self, message);
        svm_new_vm_page_show_info(self->progress_info_bar, self->progress_info_label,
                                  GTK_MESSAGE_WARNING, message);
        text = g_strdup_printf(_("VM '%s' was created."), name);
    } else {
        text = g_strdup_printf(_("VM '%s' was created and started."), name);
    }
    finish(self, text);
}

/* The VM is defined: started when the summary asked for it, else done. */
static void
created(SvmNewVmAssistant *self, const char *uuid)
{
    const char *name = svm_new_vm_basics_get_name(self->page_basics);
    g_autofree char *text = NULL;

    self->uuid = g_strdup(uuid);
    if (svm_new_vm_summary_get_start(self->page_summary)) {
        text = g_strdup_printf(_("Starting VM '%s'…"), name);
        gtk_label_set_text(self->progress_label, text);
        busy_begin(self);
        /* Once created, the VM is the user's: closing the window does not stop its start. */
        svirt_engine_start_vm_async(self->engine, uuid, NULL, NULL, on_started,
                                    g_object_ref(self));
        return;
    }
    text = g_strdup_printf(_("VM '%s' was created."), name);
    finish(self, text);
}

static void
on_created(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(SvmNewVmAssistant) self = user_data;
    g_autoptr(GError) error = NULL;
    g_autofree char *uuid = svirt_engine_create_vm_finish(SVIRT_ENGINE(source), result, &error);

    self->creating = FALSE;
    if (uuid)
        /* Even when the cancel came too late to undo it, the VM is there. */
        g_signal_emit(self, signals[SIGNAL_VM_CREATED], 0, uuid);
    if (self->disposed)
        return;
    busy_end(self);
    if (self->closing) {
        if (error)
            g_message("%s", error->message);
        gtk_widget_destroy(GTK_WIDGET(self));
        return;
    }
    gtk_widget_hide(self->cancel_button);
    if (uuid == NULL) {
        gtk_spinner_stop(self->progress_spinner);
        set_complete(self, self->page_progress, TRUE);
        set_error(self, error->message);
        self->create_error = g_strdup(error->message);
        /* Back to the summary, where the message is shown and Create can be tried again. */
        gtk_assistant_previous_page(GTK_ASSISTANT(self));
        return;
    }
    created(self, uuid);
}

static void
on_apply(GtkAssistant *assistant, gpointer user_data)
{
    SvmNewVmAssistant *self = SVM_NEW_VM_ASSISTANT(assistant);
    g_autoptr(SvirtVmSpec) spec = build_spec(self);
    g_autofree char *text = g_strdup_printf(_("Creating VM '%s'…"), spec->name);

    g_clear_pointer(&self->error, g_free);
    gtk_info_bar_set_revealed(self->progress_info_bar, FALSE);
    gtk_label_set_text(self->progress_label, text);
    gtk_widget_show(GTK_WIDGET(self->progress_spinner));
    gtk_spinner_start(self->progress_spinner);
    set_complete(self, self->page_progress, FALSE);
    self->creating = TRUE;
    gtk_widget_set_sensitive(self->cancel_button, TRUE);
    gtk_widget_show(self->cancel_button);
    busy_begin(self);
    svirt_engine_create_vm_async(self->engine, spec, self->cancellable, on_created,
                                 g_object_ref(self));
}

static void
collect_child(GtkWidget *widget, gpointer data)
{
    GList **list = data;

    *list = g_list_prepend(*list, widget);
}

static GtkWidget *
find_button_in(GtkWidget *widget, const char *label)
{
    GList *children = NULL;
    GtkWidget *found = NULL;

    if (GTK_IS_BUTTON(widget) && g_strcmp0(gtk_button_get_label(GTK_BUTTON(widget)), label) == 0)
        return widget;
    if (!GTK_IS_CONTAINER(widget))
        return NULL;
    gtk_container_forall(GTK_CONTAINER(widget), collect_child, &children);
    for (GList *l = children; l && !found; l = l->next)
        found = find_button_in(l->data, label);
    g_list_free(children);
    return found;
}

static void
svm_new_vm_assistant_constructed(GObject *object)
{
    SvmNewVmAssistant *self = SVM_NEW_VM_ASSISTANT(object);

    G_OBJECT_CLASS(svm_new_vm_assistant_parent_class)->constructed(object);

    svm_new_vm_basics_set_engine(self->page_basics, self->engine);
    svm_new_vm_storage_set_engine(self->page_storage, self->engine);
    svm_new_vm_network_set_engine(self->page_network, self->engine);
    svm_new_vm_summary_set_engine(self->page_summary, self->engine);
    on_changed(self);
}

static void
svm_new_vm_assistant_dispose(GObject *object)
{
    SvmNewVmAssistant *self = SVM_NEW_VM_ASSISTANT(object);

    self->disposed = TRUE;
    /* A creation still running is undone; the engine is kept until it has been. */
    g_cancellable_cancel(self->cancellable);
    G_OBJECT_CLASS(svm_new_vm_assistant_parent_class)->dispose(object);
}

static void
svm_new_vm_assistant_finalize(GObject *object)
{
    SvmNewVmAssistant *self = SVM_NEW_VM_ASSISTANT(object);

    g_clear_object(&self->cancellable);
    g_clear_object(&self->engine);
    g_free(self->uuid);
    g_free(self->error);
    g_free(self->create_error);
    G_OBJECT_CLASS(svm_new_vm_assistant_parent_class)->finalize(object);
}

static void
svm_new_vm_assistant_get_property(GObject *object, guint prop_id, GValue *value,
                                  GParamSpec *pspec)
{
    SvmNewVmAssistant *self = SVM_NEW_VM_ASSISTANT(object);

    switch (prop_id) {
    case PROP_ENGINE:
        g_value_set_object(value, self->engine);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
svm_new_vm_assistant_set_property(GObject *object, guint prop_id, const GValue *value,
                                  GParamSpec *pspec)
{
    SvmNewVmAssistant *self = SVM_NEW_VM_ASSISTANT(object);

    switch (prop_id) {
    case PROP_ENGINE:
        self->engine = g_value_dup_object(value);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

#define BIND(name) gtk_widget_class_bind_template_child(widget_class, SvmNewVmAssistant, name)

static void
svm_new_vm_assistant_class_init(SvmNewVmAssistantClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

    object_class->constructed = svm_new_vm_assistant_constructed;
    object_class->dispose = svm_new_vm_assistant_dispose;
    object_class->finalize = svm_new_vm_assistant_finalize;
    object_class->get_property = svm_new_vm_assistant_get_property;
    object_class->set_property = svm_new_vm_assistant_set_property;

    properties[PROP_ENGINE] = g_param_spec_object(
        "engine", NULL, NULL, SVIRT_TYPE_ENGINE,
        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties(object_class, N_PROPS, properties);

    signals[SIGNAL_VM_CREATED] = g_signal_new("vm-created", G_TYPE_FROM_CLASS(klass),
                                              G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                              G_TYPE_NONE, 1, G_TYPE_STRING);

    g_type_ensure(SVM_TYPE_NEW_VM_BASICS);
    g_type_ensure(SVM_TYPE_NEW_VM_SOURCE);
    g_type_ensure(SVM_TYPE_NEW_VM_STORAGE);
    g_type_ensure(SVM_TYPE_NEW_VM_NETWORK);
    g_type_ensure(SVM_TYPE_NEW_VM_SECURITY);
    g_type_ensure(SVM_TYPE_NEW_VM_SUMMARY);
    gtk_widget_class_set_template_from_resource(widget_class,
                                                "/org/svirt/Manager/svm-new-vm-assistant.ui");
    BIND(page_basics);
    BIND(page_source);
    BIND(page_storage);
    BIND(page_network);
    BIND(page_security);
    BIND(page_summary);
    BIND(page_progress);
    BIND(progress_info_bar);
    BIND(progress_info_label);
    BIND(progress_spinner);
    BIND(progress_label);
    gtk_widget_class_bind_template_callback(widget_class, on_changed);
    gtk_widget_class_bind_template_callback(widget_class, on_page_error);
    gtk_widget_class_bind_template_callback(widget_class, on_summary_complete);
    gtk_widget_class_bind_template_callback(widget_class, dup_vm_for_disks);
    gtk_widget_class_bind_template_callback(widget_class, on_prepare);
    gtk_widget_class_bind_template_callback(widget_class, on_apply);
    gtk_widget_class_bind_template_callback(widget_class, on_cancel);
    gtk_widget_class_bind_template_callback(widget_class, on_close);
}

static void
svm_new_vm_assistant_init(SvmNewVmAssistant *self)
{
    GtkWidget *apply;

    gtk_widget_init_template(GTK_WIDGET(self));
    on_title_changed(self);
    g_signal_connect(self, "notify::title", G_CALLBACK(on_title_changed), NULL);
    g_signal_connect(self, "key-press-event", G_CALLBACK(on_key_press), NULL);
    self->cancel_button = gtk_button_new_with_mnemonic(_("_Cancel"));
    g_signal_connect_swapped(self->cancel_button, "clicked", G_CALLBACK(on_cancel_clicked), self);
    gtk_widget_set_no_show_all(self->cancel_button, TRUE);
    gtk_assistant_add_action_widget(GTK_ASSISTANT(self), self->cancel_button);
    self->open_button = gtk_button_new_with_mnemonic(_("_Open"));
    gtk_widget_set_tooltip_text(self->open_button,
                                _("Show the new VM's details, on its Console page"));
    g_signal_connect_swapped(self->open_button, "clicked", G_CALLBACK(on_open_clicked), self);
    gtk_widget_set_no_show_all(self->open_button, TRUE);
    gtk_assistant_add_action_widget(GTK_ASSISTANT(self), self->open_button);
    self->cancellable = g_cancellable_new();
    /* GtkAssistant names its confirm button Apply; what it does here is create the VM. */
    apply = find_button_in(GTK_WIDGET(self), g_dgettext("gtk30", "_Apply"));
    if (apply) {
        gtk_button_set_label(GTK_BUTTON(apply), _("_Create"));
        gtk_style_context_add_class(gtk_widget_get_style_context(apply),
                                    GTK_STYLE_CLASS_SUGGESTED_ACTION);
    }
}

SvmNewVmAssistant *
svm_new_vm_assistant_new(GtkWindow *parent, SvirtEngine *engine)
{
    return g_object_new(SVM_TYPE_NEW_VM_ASSISTANT, "engine", engine, "transient-for", parent,
                        NULL);
}

const char *
svm_new_vm_assistant_get_error(SvmNewVmAssistant *self)
{
    g_return_val_if_fail(SVM_IS_NEW_VM_ASSISTANT(self), NULL);
    return self->error;
}

gboolean
svm_new_vm_assistant_is_busy(SvmNewVmAssistant *self)
{
    g_return_val_if_fail(SVM_IS_NEW_VM_ASSISTANT(self), FALSE);
    return self->busy > 0 || svm_new_vm_basics_is_busy(self->page_basics) ||
           svm_new_vm_storage_is_busy(self->page_storage) ||
           svm_new_vm_network_is_busy(self->page_network) ||
           svm_new_vm_summary_is_busy(self->page_summary);
}
