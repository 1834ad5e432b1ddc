#include "config.h"

#include <glib/gi18n.h>

#include "svm-a11y.h"
#include "svm-console-page.h"
#include "svm-display-page.h"
#include "svm-disks-page.h"
#include "svm-security-page.h"
#include "svm-vm-audit-page.h"
#include "svm-vm-window-private.h"

struct _SvmVmWindow {
    GtkWindow parent_instance;

    GtkHeaderBar *header_bar;
    GtkButton *start_button;
    GtkButton *shutdown_button;
    GtkButton *force_off_button;
    GtkSpinner *spinner;
    GtkInfoBar *info_bar;
    GtkLabel *info_label;
    GtkStack *stack;
    GtkStackSwitcher *switcher;
    GtkLabel *name_value;
    GtkLabel *uuid_value;
    GtkLabel *state_value;
    GtkLabel *memory_value;
    GtkLabel *vcpus_value;
    GtkLabel *os_value;
    GtkLabel *uri_value;
    GtkLabel *display_value;
    SvmDisplayPage *display_page;
    SvmSecurityPage *security_page;
    SvmDisksPage *disks_page;
    SvmConsolePage *console_page;
    SvmVmAuditPage *audit_page;

    SvirtEngine *engine;
    char *uuid;
    GCancellable *cancellable;
    SvirtVmOverview *overview;
    SvirtVmStatus *status;
    char *error;
    guint refresh_count;
    guint generation; /* results of an older refresh are dropped */
    gboolean refreshing;
    gboolean refresh_again;
    gboolean acting;        /* a start or a forced stop is under way */
    gboolean shutting_down; /* the guest was asked to shut down; Force Off still may follow */
    GtkWidget *force_off_dialog;
    GSettings *settings;
    gboolean page_chosen; /* the first page is shown: later page changes are remembered */
    gboolean choosing;    /* the window, not the user, is changing the page */
};

enum {
    PROP_0,
    PROP_ENGINE,
    PROP_VM_UUID,
    N_PROPS,
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_TYPE(SvmVmWindow, svm_vm_window, GTK_TYPE_WINDOW)

static void refresh_step(SvmVmWindow *self, guint generation);

/* The tabs, in order: Alt+1 … Alt+6 show them. */
static const char *const pages[] = { "display", "overview", "security", "disks", "console",
                                     "audit" };

static void
show_error(SvmVmWindow *self, const char *message)
{
    g_free(self->error);
    self->error = g_strdup(message);
    gtk_label_set_text(self->info_label, message);
    gtk_info_bar_set_message_type(self->info_bar, GTK_MESSAGE_ERROR);
    gtk_info_bar_set_revealed(self->info_bar, TRUE);
}

static void
hide_error(SvmVmWindow *self)
{
    g_clear_pointer(&self->error, g_free);
    gtk_info_bar_set_revealed(self->info_bar, FALSE);
}

static void
on_info_bar_response(GtkInfoBar *bar, int response, SvmVmWindow *self)
{
    hide_error(self);
}

static void
set_value(GtkLabel *label, const char *text)
{
    gtk_label_set_text(label, text ? text : "—");
    gtk_widget_set_tooltip_text(GTK_WIDGET(label), text);
}

static void
sync_buttons(SvmVmWindow *self)
{
    gboolean known = self->overview != NULL;
    gboolean running = known && svirt_vm_state_is_active(self->overview->state);
    gboolean busy = self->acting || self->shutting_down;

    gtk_widget_set_sensitive(GTK_WIDGET(self->start_button), known && !running && !busy);
    gtk_widget_set_sensitive(GTK_WIDGET(self->shutdown_button), known && running && !busy);
    gtk_widget_set_sensitive(GTK_WIDGET(self->force_off_button),
                             known && running && !self->acting);
    if (self->refreshing || busy)
        gtk_spinner_start(self->spinner);
    else
        gtk_spinner_stop(self->spinner);
}

static void
show_overview(SvmVmWindow *self)
{
    const SvirtVmOverview *o = self->overview;
    g_autofree char *memory = NULL;
    g_autofree char *vcpus = NULL;
    g_autofree char *os = NULL;

    /* The header bar's title is the window's too. */
    gtk_header_bar_set_title(self->header_bar, o->name);
    gtk_header_bar_set_subtitle(self->header_bar, svirt_vm_state_to_label(o->state));
    set_value(self->name_value, o->name);
    set_value(self->uuid_value, o->uuid);
    set_value(self->state_value, svirt_vm_state_to_label(o->state));
    memory = g_format_size_full(o->memory_kib * 1024, G_FORMAT_SIZE_IEC_UNITS);
    set_value(self->memory_value, memory);
    vcpus = g_strdup_printf("%u", o->vcpus);
    set_value(self->vcpus_value, vcpus);
    os = g_strjoin(" · ", o->os_type ? o->os_type : "?", o->arch ? o->arch : "?",
                   o->machine ? o->machine : "?", NULL);
    set_value(self->os_value, os);
    set_value(self->uri_value, o->uri);
    set_value(self->display_value, o->display);
}

static gboolean
is_page(const char *name)
{
    return name && g_strv_contains((const char *const *)pages, name);
}

/* Once the VM's state is known: the page last looked at, else the screen of a running VM, else
 * its overview. */
static void
choose_first_page(SvmVmWindow *self, gboolean running)
{
    g_autofree char *last = NULL;

    if (self->page_chosen)
        return;
    if (self->settings)
        last = g_settings_get_string(self->settings, "vm-window-page");
    self->choosing = TRUE;
    gtk_stack_set_visible_child_name(self->stack, is_page(last) ? last
                                                  : running     ? "display"
                                                                : "overview");
    self->choosing = FALSE;
    self->page_chosen = TRUE;
}

static void
refresh_done(SvmVmWindow *self, SvirtVmOverview *overview, SvirtVmStatus *status,
             SvirtSettings *settings)
{
    gboolean running = svirt_vm_state_is_active(overview->state);

    g_clear_pointer(&self->overview, svirt_vm_overview_free);
    self->overview = overview;
    g_clear_pointer(&self->status, svirt_vm_status_free);
    self->status = status;
    show_overview(self);
    svm_security_page_update(self->security_page, status, settings);
    svm_disks_page_update(self->disks_page, status);
    svm_console_page_set_running(self->console_page, running);
    svm_display_page_set_running(self->display_page, running);
    choose_first_page(self, running);
    self->refreshing = FALSE;
    self->refresh_count++;
    sync_buttons(self);
    if (self->refresh_again) {
        self->refresh_again = FALSE;
        svm_vm_window_refresh(self);
    }
}

static void
refresh_failed(SvmVmWindow *self, GError *error)
{
    self->refreshing = FALSE;
    self->refresh_again = FALSE;
    show_error(self, error->message);
    sync_buttons(self);
}

typedef struct {
    SvmVmWindow *self;
    guint generation;
    SvirtVmOverview *overview;
    SvirtVmStatus *status;
} Step;

static void
step_free(Step *step)
{
    g_object_unref(step->self);
    g_clear_pointer(&step->overview, svirt_vm_overview_free);
    g_clear_pointer(&step->status, svirt_vm_status_free);
    g_free(step);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Step, step_free)

static Step *
step_new(SvmVmWindow *self, guint generation)
{
    Step *step = g_new0(Step, 1);

    step->self = g_object_ref(self);
    step->generation = generation;
    return step;
}

static void
on_settings(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(Step) step = user_data;
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtSettings) settings = svirt_engine_get_settings_finish(SVIRT_ENGINE(source),
                                                                         result, &error);

    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
        step->generation != step->self->generation)
        return;
    /* Settings that cannot be read still leave the status to show. */
    if (!settings)
        show_error(step->self, error->message);
    refresh_done(step->self, g_steal_pointer(&step->overview), g_steal_pointer(&step->status),
                 settings);
}

static void
on_status(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(Step) step = user_data;
    g_autoptr(GError) error = NULL;
    SvirtVmStatus *status = svirt_engine_get_vm_status_finish(SVIRT_ENGINE(source), result,
                                                              &error);
    SvmVmWindow *self = step->self;

    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
    if (step->generation != self->generation) {
        g_clear_pointer(&status, svirt_vm_status_free);
        return;
    }
    if (!status) {
        refresh_failed(self, error);
        return;
    }
    /* The settings step carries the status on. */
    step->status = status;
    svirt_engine_get_settings_async(self->engine, self->uuid, self->cancellable, on_settings,
                                    g_steal_pointer(&step));
}

static void
on_overview(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(Step) step = user_data;
    g_autoptr(GError) error = NULL;
    SvirtVmOverview *overview = svirt_engine_get_vm_overview_finish(SVIRT_ENGINE(source), result,
                                                                    &error);
    SvmVmWindow *self = step->self;

    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
    if (step->generation != self->generation) {
        svirt_vm_overview_free(overview);
        return;
    }
    if (!overview) {
        refresh_failed(self, error);
        return;
    }
    step->overview = overview;
    svirt_engine_get_vm_status_async(self->engine, self->uuid, self->cancellable, on_status,
                                     g_steal_pointer(&step));
}

static void
refresh_step(SvmVmWindow *self, guint generation)
{
    svirt_engine_get_vm_overview_async(self->engine, self->uuid, self->cancellable, on_overview,
                                       step_new(self, generation));
}

void
svm_vm_window_refresh(SvmVmWindow *self)
{
    g_return_if_fail(SVM_IS_VM_WINDOW(self));
    /* A closed window has let go of its engine: late events refresh nothing. */
    if (!self->engine)
        return;
    /* One refresh at a time; a request during one runs once it is done. */
    if (self->refreshing) {
        self->refresh_again = TRUE;
        return;
    }
    self->refreshing = TRUE;
    self->generation++;
    sync_buttons(self);
    refresh_step(self, self->generation);
}

static void
on_vm_event(SvirtEngine *engine, SvirtVmEventKind kind, SvirtVmInfo *info, SvmVmWindow *self)
{
    if (!info || g_strcmp0(info->uuid, self->uuid) != 0 || kind == SVIRT_VM_EVENT_IGNORED)
        return;
    if (kind == SVIRT_VM_EVENT_UNDEFINED) {
        show_error(self, _("This VM's definition was removed. Close this window."));
        return;
    }
    svm_vm_window_refresh(self);
}

/* Labels changed elsewhere (the audit's Fix, the main window): the pages show them now. */
static void
on_labels_changed(SvirtEngine *engine, const char *uuid, SvmVmWindow *self)
{
    if (g_strcmp0(uuid, self->uuid) == 0)
        svm_vm_window_refresh(self);
}

static void
on_page_error(GtkWidget *page, const char *message, SvmVmWindow *self)
{
    show_error(self, message);
}

static void
on_page_changed(GtkWidget *page, SvmVmWindow *self)
{
    svm_vm_window_refresh(self);
}

static void
action_done(SvmVmWindow *self, gboolean ok, GError *error)
{
    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
    self->acting = FALSE;
    if (!ok)
        show_error(self, error->message);
    svm_vm_window_refresh(self);
}

static void
on_started(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(SvmVmWindow) self = user_data;
    g_autoptr(GError) error = NULL;
    gboolean ok = svirt_engine_start_vm_finish(SVIRT_ENGINE(source), result, &error);

    action_done(self, ok, error);
}

static void
on_forced_off(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(SvmVmWindow) self = user_data;
    g_autoptr(GError) error = NULL;
    gboolean ok = svirt_engine_stop_vm_finish(SVIRT_ENGINE(source), result, &error);

    action_done(self, ok, error);
}

static void
on_shutdown_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(SvmVmWindow) self = user_data;
    g_autoptr(GError) error = NULL;
    gboolean ok = svirt_engine_stop_vm_finish(SVIRT_ENGINE(source), result, &error);

    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
    self->shutting_down = FALSE;
    /* Forced off meanwhile: the shut down did its part. */
    if (!ok && self->overview && svirt_vm_state_is_active(self->overview->state))
        show_error(self, error->message);
    svm_vm_window_refresh(self);
}

static void
on_start_clicked(SvmVmWindow *self)
{
    hide_error(self);
    self->acting = TRUE;
    sync_buttons(self);
    svirt_engine_start_vm_async(self->engine, self->uuid, NULL, self->cancellable, on_started,
                                g_object_ref(self));
}

static void
on_shutdown_clicked(SvmVmWindow *self)
{
    hide_error(self);
    self->shutting_down = TRUE;
    sync_buttons(self);
    svirt_engine_stop_vm_async(self->engine, self->uuid, FALSE, SVIRT_SHUTDOWN_TIMEOUT_MS,
                               self->cancellable, on_shutdown_done, g_object_ref(self));
}

static void
on_force_off_response(GtkDialog *dialog, int response, SvmVmWindow *self)
{
    self->force_off_dialog = NULL;
    gtk_widget_destroy(GTK_WIDGET(dialog));
    if (response != GTK_RESPONSE_ACCEPT)
        return;
    hide_error(self);
    self->acting = TRUE;
    sync_buttons(self);
    svirt_engine_stop_vm_async(self->engine, self->uuid, TRUE, 0, self->cancellable,
                               on_forced_off, g_object_ref(self));
}

static void
on_force_off_clicked(SvmVmWindow *self)
{
    if (self->force_off_dialog) {
        gtk_window_present(GTK_WINDOW(self->force_off_dialog));
        return;
    }
    self->force_off_dialog =
        svm_force_off_dialog_new(GTK_WINDOW(self), self->overview ? self->overview->name
                                                                  : self->uuid);
    g_signal_connect_object(self->force_off_dialog, "response",
                            G_CALLBACK(on_force_off_response), self, 0);
    gtk_window_present(GTK_WINDOW(self->force_off_dialog));
}

GtkWidget *
svm_force_off_dialog_new(GtkWindow *parent, const char *vm_name)
{
    GtkWidget *dialog;
    GtkWidget *button;

    /* TRANSLATORS: %s is the name of a virtual machine */
    dialog = gtk_message_dialog_new(parent, GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                    GTK_MESSAGE_WARNING, GTK_BUTTONS_NONE,
                                    _("Force off “%s”?"), vm_name);
    gtk_message_dialog_format_secondary_text(
        GTK_MESSAGE_DIALOG(dialog),
        _("The VM stops at once, as if its power were cut, without shutting down its guest. "
          "Whatever the guest has not saved is lost. Shut Down asks the guest to stop cleanly "
          "instead."));
    gtk_window_set_title(GTK_WINDOW(dialog), _("Force Off"));
    gtk_dialog_add_button(GTK_DIALOG(dialog), _("_Cancel"), GTK_RESPONSE_CANCEL);
    button = gtk_dialog_add_button(GTK_DIALOG(dialog), _("_Force Off"), GTK_RESPONSE_ACCEPT);
    gtk_style_context_add_class(gtk_widget_get_style_context(button), "destructive-action");
    /* Enter alone must not lose the guest's data. */
    gtk_dialog_set_default_response(GTK_DIALOG(dialog), GTK_RESPONSE_CANCEL);
    return dialog;
}

static gboolean
console_has_focus(SvmVmWindow *self)
{
    GtkWidget *focus = gtk_window_get_focus(GTK_WINDOW(self));

    return focus && (focus == GTK_WIDGET(self->console_page) ||
                     gtk_widget_is_ancestor(focus, GTK_WIDGET(self->console_page)));
}

static gboolean
on_window_state(GtkWidget *widget, GdkEventWindowState *event)
{
    SvmVmWindow *self = SVM_VM_WINDOW(widget);

    /* Full screen is for the VM's screen: the tabs make way. */
    gtk_widget_set_visible(GTK_WIDGET(self->switcher),
                           !(event->new_window_state & GDK_WINDOW_STATE_FULLSCREEN));
    return GTK_WIDGET_CLASS(svm_vm_window_parent_class)->window_state_event(widget, event);
}

static gboolean
on_key_press(GtkWidget *widget, GdkEventKey *event)
{
    SvmVmWindow *self = SVM_VM_WINDOW(widget);
    GdkModifierType mods = event->state & gtk_accelerator_get_default_mod_mask();

    /* On the VM's screen every key is the guest's. */
    if (svm_display_page_has_focus(self->display_page))
        return GTK_WIDGET_CLASS(svm_vm_window_parent_class)->key_press_event(widget, event);
    /* Alt+1 … Alt+6 switch pages, as in other GNOME applications with tabs. */
    if (mods == GDK_MOD1_MASK && event->keyval >= GDK_KEY_1 &&
        event->keyval < GDK_KEY_1 + G_N_ELEMENTS(pages)) {
        svm_vm_window_show_page(self, pages[event->keyval - GDK_KEY_1]);
        return GDK_EVENT_STOP;
    }
    /* Ctrl+W closes; in the serial console it belongs to the guest, and Ctrl+Shift+W closes
     * there, as in a terminal. */
    if ((event->keyval == GDK_KEY_w || event->keyval == GDK_KEY_W) &&
        (mods == (GDK_CONTROL_MASK | GDK_SHIFT_MASK) ||
         (mods == GDK_CONTROL_MASK && !console_has_focus(self)))) {
        gtk_window_close(GTK_WINDOW(self));
        return GDK_EVENT_STOP;
    }
    return GTK_WIDGET_CLASS(svm_vm_window_parent_class)->key_press_event(widget, event);
}

/* Focus goes to the active page tab, not into a selectable value, which would select it all. */
static void
focus_tab(SvmVmWindow *self)
{
    g_autoptr(GList) tabs = gtk_container_get_children(GTK_CONTAINER(self->switcher));
    GtkWidget *focus = gtk_window_get_focus(GTK_WINDOW(self));
    GtkWidget *page = gtk_stack_get_visible_child(self->stack);

    if (focus && page && gtk_widget_is_ancestor(focus, page))
        return;
    for (GList *l = tabs; l; l = l->next) {
        if (gtk_toggle_button_get_active(l->data)) {
            gtk_window_set_focus(GTK_WINDOW(self), l->data);
            return;
        }
    }
}

static void
on_visible_page(SvmVmWindow *self)
{
    const char *name = gtk_stack_get_visible_child_name(self->stack);

    focus_tab(self);
    if (self->choosing)
        return;
    /* Chosen before the VM's state was known: that choice stands. */
    self->page_chosen = TRUE;
    if (self->settings && is_page(name))
        g_settings_set_string(self->settings, "vm-window-page", name);
}

/* Without the installed schema the window works, unremembered; the application says so. */
static GSettings *
load_settings(void)
{
    GSettingsSchemaSource *source = g_settings_schema_source_get_default();
    g_autoptr(GSettingsSchema) schema = NULL;

    if (source)
        schema = g_settings_schema_source_lookup(source, APP_ID, TRUE);
    if (!schema || !g_settings_schema_has_key(schema, "vm-window-page"))
        return NULL;
    return g_settings_new_full(schema, NULL, NULL);
}

static void
svm_vm_window_constructed(GObject *object)
{
    SvmVmWindow *self = SVM_VM_WINDOW(object);

    G_OBJECT_CLASS(svm_vm_window_parent_class)->constructed(object);

    svm_security_page_set_vm(self->security_page, self->engine, self->uuid);
    svm_disks_page_set_vm(self->disks_page, self->engine, self->uuid);
    svm_console_page_set_vm(self->console_page, self->engine, self->uuid);
    svm_display_page_set_vm(self->display_page, self->engine, self->uuid);
    svm_vm_audit_page_set_vm(self->audit_page, self->engine, self->uuid);
    g_signal_connect_object(self->engine, "vm-event", G_CALLBACK(on_vm_event), self, 0);
    g_signal_connect_object(self->engine, "labels-changed", G_CALLBACK(on_labels_changed), self,
                            0);
    g_signal_connect_object(self->security_page, "error", G_CALLBACK(on_page_error), self, 0);
    g_signal_connect_object(self->security_page, "changed", G_CALLBACK(on_page_changed), self,
                            0);
    g_signal_connect_object(self->disks_page, "error", G_CALLBACK(on_page_error), self, 0);
    g_signal_connect_object(self->disks_page, "changed", G_CALLBACK(on_page_changed), self, 0);
    g_signal_connect_object(self->audit_page, "error", G_CALLBACK(on_page_error), self, 0);
    g_signal_connect_object(self->display_page, "error", G_CALLBACK(on_page_error), self, 0);
    g_signal_connect_object(self->display_page, "changed", G_CALLBACK(on_page_changed), self,
                            0);
    /* Until the VM's state says which page comes first. */
    gtk_stack_set_visible_child_name(self->stack, "overview");
    self->choosing = FALSE;
    focus_tab(self);
    set_value(self->uuid_value, self->uuid);
    svm_vm_window_refresh(self);
}

static void
svm_vm_window_dispose(GObject *object)
{
    SvmVmWindow *self = SVM_VM_WINDOW(object);

    g_cancellable_cancel(self->cancellable);
    g_clear_object(&self->cancellable);
    if (self->force_off_dialog)
        gtk_widget_destroy(g_steal_pointer(&self->force_off_dialog));
    g_clear_object(&self->engine);
    g_clear_object(&self->settings);
    G_OBJECT_CLASS(svm_vm_window_parent_class)->dispose(object);
}

static void
svm_vm_window_finalize(GObject *object)
{
    SvmVmWindow *self = SVM_VM_WINDOW(object);

    g_free(self->uuid);
    g_free(self->error);
    g_clear_pointer(&self->overview, svirt_vm_overview_free);
    g_clear_pointer(&self->status, svirt_vm_status_free);
    G_OBJECT_CLASS(svm_vm_window_parent_class)->finalize(object);
}

static void
svm_vm_window_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
    SvmVmWindow *self = SVM_VM_WINDOW(object);

    switch (prop_id) {
    case PROP_ENGINE:
        g_value_set_object(value, self->engine);
        break;
    case PROP_VM_UUID:
        g_value_set_string(value, self->uuid);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
svm_vm_window_set_property(GObject *object, guint prop_id, const GValue *value,
                           GParamSpec *pspec)
{
    SvmVmWindow *self = SVM_VM_WINDOW(object);

    switch (prop_id) {
    case PROP_ENGINE:
        self->engine = g_value_dup_object(value);
        break;
    case PROP_VM_UUID:
        self->uuid = g_value_dup_string(value);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
svm_vm_window_class_init(SvmVmWindowClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

    object_class->constructed = svm_vm_window_constructed;
    object_class->dispose = svm_vm_window_dispose;
    object_class->finalize = svm_vm_window_finalize;
    object_class->get_property = svm_vm_window_get_property;
    object_class->set_property = svm_vm_window_set_property;
    widget_class->key_press_event = on_key_press;
    widget_class->window_state_event = on_window_state;

    properties[PROP_ENGINE] = g_param_spec_object(
        "engine", NULL, NULL, SVIRT_TYPE_ENGINE,
        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
    properties[PROP_VM_UUID] = g_param_spec_string(
        "vm-uuid", NULL, NULL, NULL,
        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties(object_class, N_PROPS, properties);

    g_type_ensure(SVM_TYPE_DISPLAY_PAGE);
    g_type_ensure(SVM_TYPE_SECURITY_PAGE);
    g_type_ensure(SVM_TYPE_DISKS_PAGE);
    g_type_ensure(SVM_TYPE_CONSOLE_PAGE);
    g_type_ensure(SVM_TYPE_VM_AUDIT_PAGE);
    gtk_widget_class_set_template_from_resource(widget_class,
                                                "/org/svirt/Manager/svm-vm-window.ui");
    gtk_widget_class_bind_template_child(widget_class, SvmVmWindow, header_bar);
    gtk_widget_class_bind_template_child(widget_class, SvmVmWindow, start_button);
    gtk_widget_class_bind_template_child(widget_class, SvmVmWindow, shutdown_button);
    gtk_widget_class_bind_template_child(widget_class, SvmVmWindow, force_off_button);
    gtk_widget_class_bind_template_child(widget_class, SvmVmWindow, spinner);
    gtk_widget_class_bind_template_child(widget_class, SvmVmWindow, info_bar);
    gtk_widget_class_bind_template_child(widget_class, SvmVmWindow, info_label);
    gtk_widget_class_bind_template_child(widget_class, SvmVmWindow, stack);
    gtk_widget_class_bind_template_child(widget_class, SvmVmWindow, switcher);
    gtk_widget_class_bind_template_child(widget_class, SvmVmWindow, name_value);
    gtk_widget_class_bind_template_child(widget_class, SvmVmWindow, uuid_value);
    gtk_widget_class_bind_template_child(widget_class, SvmVmWindow, state_value);
    gtk_widget_class_bind_template_child(widget_class, SvmVmWindow, memory_value);
    gtk_widget_class_bind_template_child(widget_class, SvmVmWindow, vcpus_value);
    gtk_widget_class_bind_template_child(widget_class, SvmVmWindow, os_value);
    gtk_widget_class_bind_template_child(widget_class, SvmVmWindow, uri_value);
    gtk_widget_class_bind_template_child(widget_class, SvmVmWindow, display_value);
    gtk_widget_class_bind_template_child(widget_class, SvmVmWindow, display_page);
    gtk_widget_class_bind_template_child(widget_class, SvmVmWindow, security_page);
    gtk_widget_class_bind_template_child(widget_class, SvmVmWindow, disks_page);
    gtk_widget_class_bind_template_child(widget_class, SvmVmWindow, console_page);
    gtk_widget_class_bind_template_child(widget_class, SvmVmWindow, audit_page);
    gtk_widget_class_bind_template_callback(widget_class, on_info_bar_response);
    gtk_widget_class_bind_template_callback(widget_class, on_visible_page);
    gtk_widget_class_bind_template_callback(widget_class, on_start_clicked);
    gtk_widget_class_bind_template_callback(widget_class, on_shutdown_clicked);
    gtk_widget_class_bind_template_callback(widget_class, on_force_off_clicked);
}

static void
svm_vm_window_init(SvmVmWindow *self)
{
    /* The stack shows its first page as the template fills it; constructed() picks one. */
    self->choosing = TRUE;
    gtk_widget_init_template(GTK_WIDGET(self));
    svm_a11y_name_info_bar_close_button(self->info_bar);
    self->cancellable = g_cancellable_new();
    self->settings = load_settings();
}

SvmVmWindow *
svm_vm_window_new(GtkWindow *parent, SvirtEngine *engine, const char *vm_uuid)
{
    SvmVmWindow *self;

    g_return_val_if_fail(SVIRT_IS_ENGINE(engine), NULL);
    g_return_val_if_fail(vm_uuid != NULL, NULL);
    self = g_object_new(SVM_TYPE_VM_WINDOW, "engine", engine, "vm-uuid", vm_uuid, NULL);
    if (parent) {
        gtk_window_set_transient_for(GTK_WINDOW(self), parent);
        gtk_window_set_destroy_with_parent(GTK_WINDOW(self), TRUE);
        if (gtk_window_get_application(parent))
            gtk_window_set_application(GTK_WINDOW(self), gtk_window_get_application(parent));
    }
    return self;
}

const char *
svm_vm_window_get_vm_uuid(SvmVmWindow *self)
{
    g_return_val_if_fail(SVM_IS_VM_WINDOW(self), NULL);
    return self->uuid;
}

guint
svm_vm_window_get_refresh_count(SvmVmWindow *self)
{
    g_return_val_if_fail(SVM_IS_VM_WINDOW(self), 0);
    return self->refresh_count;
}

const char *
svm_vm_window_get_error(SvmVmWindow *self)
{
    g_return_val_if_fail(SVM_IS_VM_WINDOW(self), NULL);
    return self->error;
}

const SvirtVmOverview *
svm_vm_window_get_overview(SvmVmWindow *self)
{
    g_return_val_if_fail(SVM_IS_VM_WINDOW(self), NULL);
    return self->overview;
}

void
svm_vm_window_show_page(SvmVmWindow *self, const char *name)
{
    g_return_if_fail(SVM_IS_VM_WINDOW(self));
    gtk_stack_set_visible_child_name(self->stack, name);
}
