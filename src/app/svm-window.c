#include "config.h"

#include <glib/gi18n.h>

#include "svm-window.h"

#define RESPONSE_RETRY 1

struct _SvmWindow {
    GtkApplicationWindow parent_instance;

    GtkHeaderBar *header_bar;
    GtkInfoBar *info_bar;
    GtkLabel *info_label;
    GtkButton *retry_button;
    GtkStack *stack;
    GtkSpinner *spinner;
    GtkLabel *connecting_label;
    GtkTreeView *vm_view;

    SvirtEngine *engine;
    GSettings *settings;
    SvmVmList *vm_list;
    GCancellable *cancellable;
    /* Events that arrive while a list loads are replayed on top of it. */
    GPtrArray *pending_events;
    gboolean loading;
    gboolean loaded;
    char *error;
};

typedef struct {
    SvirtVmEventKind kind;
    SvirtVmInfo *info;
} PendingEvent;

enum {
    PROP_0,
    PROP_ENGINE,
    PROP_SETTINGS,
    PROP_LOADED,
    PROP_ERROR,
    N_PROPS,
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_TYPE(SvmWindow, svm_window, GTK_TYPE_APPLICATION_WINDOW)

static void
pending_event_free(PendingEvent *ev)
{
    svirt_vm_info_free(ev->info);
    g_free(ev);
}

static void
set_loaded(SvmWindow *self, gboolean loaded)
{
    if (self->loaded == loaded)
        return;
    self->loaded = loaded;
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_LOADED]);
}

static void
show_error(SvmWindow *self, const char *message)
{
    g_free(self->error);
    self->error = g_strdup(message);
    gtk_label_set_text(self->info_label, message);
    gtk_info_bar_set_message_type(self->info_bar, GTK_MESSAGE_ERROR);
    gtk_info_bar_set_revealed(self->info_bar, TRUE);
    gtk_widget_set_sensitive(GTK_WIDGET(self->vm_view), FALSE);
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_ERROR]);
}

static void
hide_error(SvmWindow *self)
{
    if (!self->error)
        return;
    g_clear_pointer(&self->error, g_free);
    gtk_info_bar_set_revealed(self->info_bar, FALSE);
    gtk_widget_set_sensitive(GTK_WIDGET(self->vm_view), TRUE);
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_ERROR]);
}

static void
update_page(SvmWindow *self)
{
    if (self->loading && !self->loaded)
        return;
    gtk_stack_set_visible_child_name(self->stack,
                                     svm_vm_list_get_n_vms(self->vm_list) > 0 ? "list"
                                                                              : "empty");
}

static void
update_subtitle(SvmWindow *self)
{
    gtk_header_bar_set_subtitle(self->header_bar, svirt_engine_get_uri(self->engine));
}

static void
show_connecting(SvmWindow *self, const char *text)
{
    gtk_label_set_text(self->connecting_label, text);
    gtk_spinner_start(self->spinner);
    gtk_stack_set_visible_child_name(self->stack, "connecting");
}

static void
attach_model(SvmWindow *self, GtkTreeModel *model)
{
    gtk_tree_view_set_model(self->vm_view, model);
    /* Setting a model resets type-ahead search to the first text column, the UUID. */
    gtk_tree_view_set_search_column(self->vm_view, SVM_VM_LIST_COL_NAME);
}

static void
on_list_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(SvmWindow) self = user_data;
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) vms = svirt_engine_list_vms_finish(SVIRT_ENGINE(source), result, &error);
    GtkTreeModel *model;

    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
    self->loading = FALSE;
    gtk_spinner_stop(self->spinner);
    if (!vms) {
        g_ptr_array_set_size(self->pending_events, 0);
        show_error(self, error->message);
        gtk_label_set_text(self->connecting_label, _("Not connected"));
        return;
    }

    /* Filling a detached model avoids a view update per row. */
    model = svm_vm_list_get_model(self->vm_list);
    g_object_ref(model);
    gtk_tree_view_set_model(self->vm_view, NULL);
    svm_vm_list_set_vms(self->vm_list, vms);
    for (guint i = 0; i < self->pending_events->len; i++) {
        PendingEvent *ev = g_ptr_array_index(self->pending_events, i);

        svm_vm_list_apply_event(self->vm_list, ev->kind, ev->info);
    }
    g_ptr_array_set_size(self->pending_events, 0);
    attach_model(self, model);
    g_object_unref(model);

    hide_error(self);
    set_loaded(self, TRUE);
    update_page(self);
}

void
svm_window_reload(SvmWindow *self)
{
    g_return_if_fail(SVM_IS_WINDOW(self));

    if (!svirt_engine_is_connected(self->engine)) {
        svm_window_reconnect(self);
        return;
    }
    self->loading = TRUE;
    svirt_engine_list_vms_async(self->engine, self->cancellable, on_list_ready,
                                g_object_ref(self));
}

static void
on_connected(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(SvmWindow) self = user_data;
    g_autoptr(GError) error = NULL;

    if (!svirt_engine_connect_finish(SVIRT_ENGINE(source), result, &error)) {
        if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            return;
        gtk_spinner_stop(self->spinner);
        gtk_label_set_text(self->connecting_label, _("Not connected"));
        self->loading = FALSE;
        show_error(self, error->message);
        return;
    }
    update_subtitle(self);
    if (self->settings)
        g_settings_set_string(self->settings, "last-uri",
                              svirt_engine_get_requested_uri(self->engine));
    svm_window_reload(self);
}

void
svm_window_reconnect(SvmWindow *self)
{
    g_autofree char *text = NULL;

    g_return_if_fail(SVM_IS_WINDOW(self));

    g_cancellable_cancel(self->cancellable);
    g_clear_object(&self->cancellable);
    self->cancellable = g_cancellable_new();

    hide_error(self);
    set_loaded(self, FALSE);
    self->loading = TRUE;
    svm_vm_list_clear(self->vm_list);
    /* TRANSLATORS: %s is a libvirt URI such as qemu:///system */
    text = g_strdup_printf(_("Connecting to %s…"), svirt_engine_get_requested_uri(self->engine));
    show_connecting(self, text);
    if (svirt_engine_is_connected(self->engine)) {
        svm_window_reload(self);
        return;
    }
    svirt_engine_connect_async(self->engine, self->cancellable, on_connected,
                               g_object_ref(self));
}

static void
on_info_bar_response(GtkInfoBar *bar, int response, SvmWindow *self)
{
    if (response == RESPONSE_RETRY)
        svm_window_reconnect(self);
}

static void
on_vm_event(SvirtEngine *engine, SvirtVmEventKind kind, SvirtVmInfo *info, SvmWindow *self)
{
    if (self->loading) {
        PendingEvent *ev = g_new0(PendingEvent, 1);

        ev->kind = kind;
        ev->info = svirt_vm_info_copy(info);
        g_ptr_array_add(self->pending_events, ev);
        return;
    }
    svm_vm_list_apply_event(self->vm_list, kind, info);
    update_page(self);
}

static void
on_disconnected(SvirtEngine *engine, const char *message, SvmWindow *self)
{
    set_loaded(self, FALSE);
    show_error(self, message);
}

static void
refresh_activated(GSimpleAction *action, GVariant *param, gpointer user_data)
{
    svm_window_reload(SVM_WINDOW(user_data));
}

static const GActionEntry win_actions[] = {
    { .name = "refresh", .activate = refresh_activated },
};

static void
restore_size(SvmWindow *self)
{
    int width, height;

    if (!self->settings)
        return;
    width = g_settings_get_int(self->settings, "window-width");
    height = g_settings_get_int(self->settings, "window-height");
    gtk_window_set_default_size(GTK_WINDOW(self), width, height);
    if (g_settings_get_boolean(self->settings, "window-maximized"))
        gtk_window_maximize(GTK_WINDOW(self));
}

static void
save_size(SvmWindow *self)
{
    int width, height;
    gboolean maximized;

    if (!self->settings)
        return;
    maximized = gtk_window_is_maximized(GTK_WINDOW(self));
    g_settings_set_boolean(self->settings, "window-maximized", maximized);
    if (maximized)
        return;
    gtk_window_get_size(GTK_WINDOW(self), &width, &height);
    g_settings_set_int(self->settings, "window-width", width);
    g_settings_set_int(self->settings, "window-height", height);
}

static void
svm_window_constructed(GObject *object)
{
    SvmWindow *self = SVM_WINDOW(object);

    G_OBJECT_CLASS(svm_window_parent_class)->constructed(object);

    g_signal_connect_object(self->engine, "vm-event", G_CALLBACK(on_vm_event), self, 0);
    g_signal_connect_object(self->engine, "disconnected", G_CALLBACK(on_disconnected), self, 0);
    update_subtitle(self);
    restore_size(self);
    attach_model(self, svm_vm_list_get_model(self->vm_list));
    svm_window_reconnect(self);
}

static gboolean
svm_window_delete_event(GtkWidget *widget, GdkEventAny *event)
{
    save_size(SVM_WINDOW(widget));
    return GTK_WIDGET_CLASS(svm_window_parent_class)->delete_event
               ? GTK_WIDGET_CLASS(svm_window_parent_class)->delete_event(widget, event)
               : GDK_EVENT_PROPAGATE;
}

static void
svm_window_dispose(GObject *object)
{
    SvmWindow *self = SVM_WINDOW(object);

    g_cancellable_cancel(self->cancellable);
    g_clear_object(&self->cancellable);
    g_clear_object(&self->engine);
    g_clear_object(&self->settings);
    G_OBJECT_CLASS(svm_window_parent_class)->dispose(object);
}

static void
svm_window_finalize(GObject *object)
{
    SvmWindow *self = SVM_WINDOW(object);

    g_clear_object(&self->vm_list);
    g_ptr_array_unref(self->pending_events);
    g_free(self->error);
    G_OBJECT_CLASS(svm_window_parent_class)->finalize(object);
}

static void
svm_window_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
    SvmWindow *self = SVM_WINDOW(object);

    switch (prop_id) {
    case PROP_ENGINE:
        g_value_set_object(value, self->engine);
        break;
    case PROP_SETTINGS:
        g_value_set_object(value, self->settings);
        break;
    case PROP_LOADED:
        g_value_set_boolean(value, self->loaded);
        break;
    case PROP_ERROR:
        g_value_set_string(value, self->error);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
svm_window_set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
    SvmWindow *self = SVM_WINDOW(object);

    switch (prop_id) {
    case PROP_ENGINE:
        self->engine = g_value_dup_object(value);
        break;
    case PROP_SETTINGS:
        self->settings = g_value_dup_object(value);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
svm_window_class_init(SvmWindowClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

    object_class->constructed = svm_window_constructed;
    object_class->dispose = svm_window_dispose;
    object_class->finalize = svm_window_finalize;
    object_class->get_property = svm_window_get_property;
    object_class->set_property = svm_window_set_property;
    widget_class->delete_event = svm_window_delete_event;

    properties[PROP_ENGINE] = g_param_spec_object(
        "engine", NULL, NULL, SVIRT_TYPE_ENGINE,
        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
    properties[PROP_SETTINGS] = g_param_spec_object(
        "settings", NULL, NULL, G_TYPE_SETTINGS,
        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
    properties[PROP_LOADED] = g_param_spec_boolean("loaded", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    properties[PROP_ERROR] = g_param_spec_string("error", NULL, NULL, NULL,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties(object_class, N_PROPS, properties);

    gtk_widget_class_set_template_from_resource(widget_class,
                                                "/org/svirt/Manager/svm-window.ui");
    gtk_widget_class_bind_template_child(widget_class, SvmWindow, header_bar);
    gtk_widget_class_bind_template_child(widget_class, SvmWindow, info_bar);
    gtk_widget_class_bind_template_child(widget_class, SvmWindow, info_label);
    gtk_widget_class_bind_template_child(widget_class, SvmWindow, retry_button);
    gtk_widget_class_bind_template_child(widget_class, SvmWindow, stack);
    gtk_widget_class_bind_template_child(widget_class, SvmWindow, spinner);
    gtk_widget_class_bind_template_child(widget_class, SvmWindow, connecting_label);
    gtk_widget_class_bind_template_child(widget_class, SvmWindow, vm_view);
    gtk_widget_class_bind_template_callback(widget_class, on_info_bar_response);
}

static void
svm_window_init(SvmWindow *self)
{
    gtk_widget_init_template(GTK_WIDGET(self));
    self->vm_list = svm_vm_list_new();
    self->pending_events = g_ptr_array_new_with_free_func((GDestroyNotify)pending_event_free);
    g_action_map_add_action_entries(G_ACTION_MAP(self), win_actions, G_N_ELEMENTS(win_actions),
                                    self);
}

SvmWindow *
svm_window_new(GtkApplication *app, SvirtEngine *engine, GSettings *settings)
{
    return g_object_new(SVM_TYPE_WINDOW, "application", app, "engine", engine, "settings",
                        settings, NULL);
}

SvirtEngine *
svm_window_get_engine(SvmWindow *self)
{
    g_return_val_if_fail(SVM_IS_WINDOW(self), NULL);
    return self->engine;
}

SvmVmList *
svm_window_get_vm_list(SvmWindow *self)
{
    g_return_val_if_fail(SVM_IS_WINDOW(self), NULL);
    return self->vm_list;
}

GtkTreeView *
svm_window_get_vm_view(SvmWindow *self)
{
    g_return_val_if_fail(SVM_IS_WINDOW(self), NULL);
    return self->vm_view;
}

const char *
svm_window_get_error(SvmWindow *self)
{
    g_return_val_if_fail(SVM_IS_WINDOW(self), NULL);
    return self->error;
}

gboolean
svm_window_is_loaded(SvmWindow *self)
{
    g_return_val_if_fail(SVM_IS_WINDOW(self), FALSE);
    return self->loaded;
}
