#include "config.h"

#ifdef HAVE_MALLOC_TRIM
#include <malloc.h>
#endif

#include <glib/gi18n.h>
#include <string.h>

#include "svm-a11y.h"
#include "svm-audit-window.h"
#include "svm-connect-dialog.h"
#include "svm-delete-dialog.h"
#include "svm-isolation-renderer.h"
#include "svm-new-vm-assistant.h"
#include "svm-vm-window.h"
#include "svm-window-private.h"

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
    GtkLabel *no_match_label;
    GtkTreeView *vm_view;
    GtkTreeViewColumn *name_column;
    GtkTreeViewColumn *label_column;
    GtkInfoBar *action_bar;
    GtkLabel *action_label;
    GtkSearchEntry *search_entry;
    GtkComboBoxText *state_filter;
    GtkComboBoxText *connection_combo;
    GMenuModel *vm_menu;
    GtkMenu *context_menu;

    SvirtEngine *engine;
    GSettings *settings;
    SvmVmList *vm_list;
    GtkTreeModel *filter;
    GtkTreeModel *sorted;
    /* One engine per connection in the list, kept so switching back is instant. */
    GHashTable *engines;
    gboolean updating_connections;
    /* Set once the widgets are gone; late async results are then dropped. */
    gboolean disposed;
    GCancellable *cancellable;
    /* Events that arrive while a list loads are replayed on top of it. */
    GPtrArray *pending_events;
    gboolean loading;
    gboolean loaded;
    char *error;
    /* uuid -> number of the newest label read of that row; an older read that ends later is
     * dropped. */
    GHashTable *label_reads;
    guint label_read_seq;
    guint list_read_seq; /* the number when the last read of every row began */
};

typedef struct {
    SvirtVmEventKind kind;
    SvirtVmInfo *info;
} PendingEvent;

enum {
    SIGNAL_LABELS_LOADED,
    N_SIGNALS,
};

static guint signals[N_SIGNALS];

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
    const char *text = gtk_entry_get_text(GTK_ENTRY(self->search_entry));
    g_autofree char *no_match = NULL;

    if (self->loading && !self->loaded)
        return;
    if (svm_vm_list_get_n_vms(self->vm_list) == 0) {
        gtk_stack_set_visible_child_name(self->stack, "empty");
        return;
    }
    if (!self->sorted || gtk_tree_model_iter_n_children(self->sorted, NULL) > 0) {
        gtk_stack_set_visible_child_name(self->stack, "list");
        return;
    }
    /* Every VM filtered out: say so, rather than show an empty list. */
    if (text && *text)
        /* TRANSLATORS: %s is what the user typed into the filter */
        no_match = g_strdup_printf(_("No virtual machine matches “%s”"), text);
    else
        no_match = g_strdup(_("No virtual machine is in the chosen state"));
    gtk_label_set_text(self->no_match_label, no_match);
    gtk_stack_set_visible_child_name(self->stack, "no-match");
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

static gboolean
row_visible(GtkTreeModel *model, GtkTreeIter *iter, gpointer data)
{
    SvmWindow *self = data;
    const char *text = gtk_entry_get_text(GTK_ENTRY(self->search_entry));
    const char *state_id = gtk_combo_box_get_active_id(GTK_COMBO_BOX(self->state_filter));
    g_autofree char *name = NULL;
    SvirtVmState state;

    gtk_tree_model_get(model, iter, SVM_VM_LIST_COL_NAME, &name, SVM_VM_LIST_COL_STATE, &state,
                       -1);
    if (!name)
        return FALSE;
    if (state_id && !g_str_equal(state_id, "all")) {
        gboolean wanted;

        if (g_str_equal(state_id, "running"))
            wanted = state == SVIRT_VM_STATE_RUNNING || state == SVIRT_VM_STATE_BLOCKED;
        else if (g_str_equal(state_id, "paused"))
            wanted = state == SVIRT_VM_STATE_PAUSED || state == SVIRT_VM_STATE_PMSUSPENDED;
        else
            wanted = !svirt_vm_state_is_active(state);
        if (!wanted)
            return FALSE;
    }
    if (text && *text) {
        g_autofree char *hay = g_utf8_casefold(name, -1);
        g_autofree char *needle = g_utf8_casefold(text, -1);

        return strstr(hay, needle) != NULL;
    }
    return TRUE;
}

/* The view shows store -> filter -> sort. A new chain is built after a bulk load, so the
 * rows were not pushed through the filter one by one. */
static void
attach_model(SvmWindow *self)
{
    g_clear_object(&self->sorted);
    g_clear_object(&self->filter);
    self->filter = gtk_tree_model_filter_new(svm_vm_list_get_model(self->vm_list), NULL);
    gtk_tree_model_filter_set_visible_func(GTK_TREE_MODEL_FILTER(self->filter), row_visible,
                                           self, NULL);
    self->sorted = gtk_tree_model_sort_new_with_model(self->filter);
    gtk_tree_sortable_set_sort_column_id(GTK_TREE_SORTABLE(self->sorted), SVM_VM_LIST_COL_NAME,
                                         GTK_SORT_ASCENDING);
    gtk_tree_view_set_model(self->vm_view, self->sorted);
    /* Setting a model resets type-ahead search to the first text column, the UUID. */
    gtk_tree_view_set_search_column(self->vm_view, SVM_VM_LIST_COL_NAME);
}

static void
on_filter_changed(GtkWidget *widget, SvmWindow *self)
{
    if (self->filter)
        gtk_tree_model_filter_refilter(GTK_TREE_MODEL_FILTER(self->filter));
    update_page(self);
}

static char *
selected_uuid(SvmWindow *self)
{
    GtkTreeSelection *selection = gtk_tree_view_get_selection(self->vm_view);
    GtkTreeModel *model;
    GtkTreeIter iter;
    char *uuid = NULL;

    if (gtk_tree_selection_get_selected(selection, &model, &iter))
        gtk_tree_model_get(model, &iter, SVM_VM_LIST_COL_UUID, &uuid, -1);
    return uuid;
}

static void
set_action_enabled(SvmWindow *self, const char *name, gboolean enabled)
{
    GAction *action = g_action_map_lookup_action(G_ACTION_MAP(self), name);

    if (action)
        g_simple_action_set_enabled(G_SIMPLE_ACTION(action), enabled);
}

static void
update_actions(SvmWindow *self)
{
    g_autofree char *uuid = selected_uuid(self);
    gboolean connected = svirt_engine_is_connected(self->engine) && !self->error;
    gboolean have = uuid && connected;
    SvirtVmState state = have ? svm_vm_list_get_state(self->vm_list, uuid)
                              : SVIRT_VM_STATE_NOSTATE;
    gboolean active = have && svirt_vm_state_is_active(state);

    set_action_enabled(self, "start", have && !active);
    set_action_enabled(self, "pause", have && state == SVIRT_VM_STATE_RUNNING);
    set_action_enabled(self, "resume", have && state == SVIRT_VM_STATE_PAUSED);
    set_action_enabled(self, "shutdown", active);
    set_action_enabled(self, "force-off", active);
    set_action_enabled(self, "delete", have && !active);
    set_action_enabled(self, "details", have);
    set_action_enabled(self, "new-vm", connected);
    set_action_enabled(self, "audit", connected);
}

typedef struct {
    SvmWindow *self;
    guint seq;
} LabelRead;

static void
label_read_free(LabelRead *read)
{
    g_object_unref(read->self);
    g_free(read);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(LabelRead, label_read_free)

static void
on_labels_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(LabelRead) read = user_data;
    SvmWindow *self = read->self;
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtVmLabels) labels =
        svirt_engine_get_vm_labels_finish(SVIRT_ENGINE(source), result, &error);

    if (self->disposed)
        return;
    /* Refreshes overlap around a start or stop: only the newest read of a row counts, and one
     * made before the row's last state change is dropped; the refresh that change started
     * brings the labels. */
    if (labels && SVIRT_ENGINE(source) == self->engine &&
        GPOINTER_TO_UINT(g_hash_table_lookup(self->label_reads, labels->uuid)) == read->seq &&
        svirt_vm_state_is_active(labels->state) ==
            svirt_vm_state_is_active(svm_vm_list_get_state(self->vm_list, labels->uuid)))
        svm_vm_list_set_labels(self->vm_list, labels);
    else if (error && !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug("labels: %s", error->message);
}

static void
refresh_labels(SvmWindow *self, const char *uuid)
{
    LabelRead *read = g_new0(LabelRead, 1);

    read->self = g_object_ref(self);
    read->seq = ++self->label_read_seq;
    g_hash_table_replace(self->label_reads, g_strdup(uuid), GUINT_TO_POINTER(read->seq));
    svirt_engine_get_vm_labels_async(self->engine, uuid, self->cancellable, on_labels_ready,
                                     read);
}

static void
on_all_labels_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(SvmWindow) self = user_data;
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) all =
        svirt_engine_list_vm_labels_finish(SVIRT_ENGINE(source), result, &error);

    if (self->disposed)
        return;
    if (!all || SVIRT_ENGINE(source) != self->engine) {
        if (error && !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_debug("labels: %s", error->message);
        return;
    }
    for (guint i = 0; i < all->len; i++) {
        const SvirtVmLabels *labels = g_ptr_array_index(all, i);

        /* A row read again since this read began has newer labels already. */
        if (GPOINTER_TO_UINT(g_hash_table_lookup(self->label_reads, labels->uuid)) <=
            self->list_read_seq)
            svm_vm_list_set_labels(self->vm_list, labels);
    }
    g_clear_pointer(&all, g_ptr_array_unref);
#ifdef HAVE_MALLOC_TRIM
    /* The pass parsed every VM's definition on worker threads; what their heaps kept is free
     * now, and goes back to the system instead of staying in the app's memory. */
    malloc_trim(0);
#endif
    g_signal_emit_by_name(self, "labels-loaded");
}

static void
on_list_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(SvmWindow) self = user_data;
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) vms = svirt_engine_list_vms_finish(SVIRT_ENGINE(source), result, &error);

    if (self->disposed || SVIRT_ENGINE(source) != self->engine ||
        g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
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
    gtk_tree_view_set_model(self->vm_view, NULL);
    g_clear_object(&self->sorted);
    g_clear_object(&self->filter);
    svm_vm_list_set_vms(self->vm_list, vms);
    for (guint i = 0; i < self->pending_events->len; i++) {
        PendingEvent *ev = g_ptr_array_index(self->pending_events, i);

        svm_vm_list_apply_event(self->vm_list, ev->kind, ev->info);
    }
    g_ptr_array_set_size(self->pending_events, 0);
    attach_model(self);

    hide_error(self);
    set_loaded(self, TRUE);
    update_page(self);
    update_actions(self);
    self->list_read_seq = self->label_read_seq;
    svirt_engine_list_vm_labels_async(self->engine, self->cancellable, on_all_labels_ready,
                                      g_object_ref(self));
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
show_action_error(SvmWindow *self, const char *message)
{
    gtk_label_set_text(self->action_label, message);
    gtk_info_bar_set_revealed(self->action_bar, TRUE);
}

static void
on_action_bar_response(GtkInfoBar *bar, int response, SvmWindow *self)
{
    gtk_info_bar_set_revealed(bar, FALSE);
}

static void
on_reconciled(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(SvmWindow) self = user_data;
    g_autoptr(GError) error = NULL;

    if (self->disposed)
        return;
    if (!svirt_engine_reconcile_finish(SVIRT_ENGINE(source), result, &error))
        show_action_error(self, error->message);
}

static void
on_connected(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(SvmWindow) self = user_data;
    g_autoptr(GError) error = NULL;

    if (self->disposed || SVIRT_ENGINE(source) != self->engine)
        return;
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
    /* Labels left by VMs that stopped while no engine ran are restored now, and every later
     * stop is seen. */
    svirt_engine_watch_stops(self->engine);
    /* Labels that svirtctl, the qemu hook or another instance change show without F5. */
    svirt_engine_watch_labels(self->engine);
    /* svirt-helper reconciles by itself; asking it would have polkit ask the user at each
     * start of the app. */
    if (!svirt_engine_uses_helper(self->engine))
        svirt_engine_reconcile_async(self->engine, NULL, on_reconciled, g_object_ref(self));
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
    update_actions(self);
    if (kind != SVIRT_VM_EVENT_UNDEFINED)
        refresh_labels(self, info->uuid);
}

static void
on_labels_changed(SvirtEngine *engine, const char *uuid, SvmWindow *self)
{
    g_autoptr(GPtrArray) statics = NULL;

    if (self->loading || !svm_vm_list_lookup(self->vm_list, uuid, NULL))
        return;
    refresh_labels(self, uuid);
    /* A static label is isolated or not next to the others' levels, which this change may
     * have moved. */
    statics = svm_vm_list_dup_static_uuids(self->vm_list);
    for (guint i = 0; i < statics->len; i++) {
        if (!g_str_equal(g_ptr_array_index(statics, i), uuid))
            refresh_labels(self, g_ptr_array_index(statics, i));
    }
}

static void
on_disconnected(SvirtEngine *engine, const char *message, SvmWindow *self)
{
    set_loaded(self, FALSE);
    show_error(self, message);
    update_actions(self);
}

static char *
vm_name_of(SvmWindow *self, const char *uuid)
{
    GtkTreeIter iter;
    char *name = NULL;

    if (svm_vm_list_lookup(self->vm_list, uuid, &iter))
        gtk_tree_model_get(svm_vm_list_get_model(self->vm_list), &iter, SVM_VM_LIST_COL_NAME,
                           &name, -1);
    return name ? name : g_strdup(uuid);
}

static void
popup_vm_menu(SvmWindow *self, const GdkEvent *event)
{
    /* Built once: a menu destroyed on "deactivate" loses the item activated with it. */
    if (!self->context_menu) {
        self->context_menu = GTK_MENU(gtk_menu_new_from_model(self->vm_menu));
        gtk_menu_attach_to_widget(self->context_menu, GTK_WIDGET(self->vm_view), NULL);
    }
    if (event)
        gtk_menu_popup_at_pointer(self->context_menu, event);
    else
        gtk_menu_popup_at_widget(self->context_menu, GTK_WIDGET(self->vm_view),
                                 GDK_GRAVITY_CENTER, GDK_GRAVITY_NORTH_WEST, NULL);
}

static gboolean
on_view_button_press(GtkWidget *view, GdkEventButton *event, SvmWindow *self)
{
    GtkTreePath *path = NULL;

    if (!gdk_event_triggers_context_menu((GdkEvent *)event))
        return GDK_EVENT_PROPAGATE;
    if (gtk_tree_view_get_path_at_pos(self->vm_view, event->x, event->y, &path, NULL, NULL,
                                      NULL)) {
        gtk_tree_selection_select_path(gtk_tree_view_get_selection(self->vm_view), path);
        gtk_tree_path_free(path);
    }
    popup_vm_menu(self, (GdkEvent *)event);
    return GDK_EVENT_STOP;
}

static gboolean
on_view_popup_menu(GtkWidget *view, SvmWindow *self)
{
    popup_vm_menu(self, NULL);
    return TRUE;
}

/* Each cell explains itself: the whole name, the whole process label, or why the VM is
 * (not) isolated; from the keyboard, all three. */
static char *
tooltip_markup(SvmWindow *self, GtkTreeModel *model, GtkTreeIter *iter,
               GtkTreeViewColumn *column)
{
    g_autofree char *name = NULL;
    g_autofree char *label = NULL;
    g_autofree char *isolation = NULL;

    gtk_tree_model_get(model, iter, SVM_VM_LIST_COL_NAME, &name, SVM_VM_LIST_COL_PROCESS_LABEL,
                       &label, SVM_VM_LIST_COL_ISOLATION_TEXT, &isolation, -1);
    if (column == self->name_column)
        return g_markup_escape_text(name ? name : "", -1);
    if (column == self->label_column)
        return g_markup_printf_escaped("<tt>%s</tt>", label ? label : "");
    if (column)
        return g_steal_pointer(&isolation);
    {
        g_autofree char *head = g_markup_printf_escaped("<b>%s</b>\n<tt>%s</tt>\n",
                                                        name ? name : "", label ? label : "");

        /* The isolation text is markup already. */
        return g_strconcat(head, isolation ? isolation : "", NULL);
    }
}

static gboolean
on_view_query_tooltip(GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip,
                      SvmWindow *self)
{
    GtkTreeView *view = GTK_TREE_VIEW(widget);
    GtkTreeViewColumn *column = NULL;
    GtkTreeModel *model = NULL;
    GtkTreePath *path = NULL;
    GtkTreeIter iter;
    g_autofree char *markup = NULL;

    if (!gtk_tree_view_get_tooltip_context(view, &x, &y, keyboard, &model, &path, &iter))
        return FALSE;
    if (!keyboard)
        gtk_tree_view_get_path_at_pos(view, x, y, NULL, &column, NULL, NULL);
    markup = tooltip_markup(self, model, &iter, column);
    if (column)
        gtk_tree_view_set_tooltip_cell(view, tooltip, path, column, NULL);
    else
        gtk_tree_view_set_tooltip_row(view, tooltip, path);
    gtk_tree_path_free(path);
    if (!markup || !*markup)
        return FALSE;
    gtk_tooltip_set_markup(tooltip, markup);
    return TRUE;
}

static void
on_row_activated(GtkTreeView *view, GtkTreePath *path, GtkTreeViewColumn *column,
                 SvmWindow *self)
{
    g_action_group_activate_action(G_ACTION_GROUP(self), "details", NULL);
}

static void
on_selection_changed(GtkTreeSelection *selection, SvmWindow *self)
{
    update_actions(self);
}

/* Every VM action finishes the same way; the window waits for none of them. */
typedef gboolean (*VmActionFinish)(SvirtEngine *engine, GAsyncResult *result, GError **error);

typedef struct {
    SvmWindow *self;
    VmActionFinish finish;
} VmAction;

static void
on_action_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
    VmAction *action = user_data;
    g_autoptr(SvmWindow) self = action->self;
    g_autoptr(GError) error = NULL;
    gboolean ok = action->finish(SVIRT_ENGINE(source), result, &error);

    g_free(action);
    if (self->disposed)
        return;
    if (!ok)
        show_action_error(self, error->message);
    update_actions(self);
}

/* The user data for an action on the selected VM, or NULL when none is selected. */
static VmAction *
begin_action(SvmWindow *self, const char *uuid, VmActionFinish finish)
{
    VmAction *action;

    if (!uuid)
        return NULL;
    gtk_info_bar_set_revealed(self->action_bar, FALSE);
    action = g_new0(VmAction, 1);
    action->self = g_object_ref(self);
    action->finish = finish;
    return action;
}

static void
start_activated(GSimpleAction *simple, GVariant *param, gpointer user_data)
{
    SvmWindow *self = SVM_WINDOW(user_data);
    g_autofree char *uuid = selected_uuid(self);
    VmAction *action = begin_action(self, uuid, svirt_engine_start_vm_finish);

    if (action)
        svirt_engine_start_vm_async(self->engine, uuid, NULL, NULL, on_action_done, action);
}

static void
pause_activated(GSimpleAction *simple, GVariant *param, gpointer user_data)
{
    SvmWindow *self = SVM_WINDOW(user_data);
    g_autofree char *uuid = selected_uuid(self);
    VmAction *action = begin_action(self, uuid, svirt_engine_pause_vm_finish);

    if (action)
        svirt_engine_pause_vm_async(self->engine, uuid, NULL, on_action_done, action);
}

static void
resume_activated(GSimpleAction *simple, GVariant *param, gpointer user_data)
{
    SvmWindow *self = SVM_WINDOW(user_data);
    g_autofree char *uuid = selected_uuid(self);
    VmAction *action = begin_action(self, uuid, svirt_engine_resume_vm_finish);

    if (action)
        svirt_engine_resume_vm_async(self->engine, uuid, NULL, on_action_done, action);
}

static void
shutdown_activated(GSimpleAction *simple, GVariant *param, gpointer user_data)
{
    SvmWindow *self = SVM_WINDOW(user_data);
    g_autofree char *uuid = selected_uuid(self);
    VmAction *action = begin_action(self, uuid, svirt_engine_stop_vm_finish);

    if (action)
        svirt_engine_stop_vm_async(self->engine, uuid, FALSE, SVIRT_SHUTDOWN_TIMEOUT_MS, NULL,
                                   on_action_done, action);
}

static void
on_force_off_response(GtkDialog *dialog, int response, SvmWindow *self)
{
    const char *uuid = g_object_get_data(G_OBJECT(dialog), "svm-uuid");

    VmAction *action = NULL;

    if (response == GTK_RESPONSE_ACCEPT)
        action = begin_action(self, uuid, svirt_engine_stop_vm_finish);
    if (action)
        svirt_engine_stop_vm_async(self->engine, uuid, TRUE, 0, NULL, on_action_done, action);
    gtk_widget_destroy(GTK_WIDGET(dialog));
}

/* Forcing a VM off loses what its guest has not saved: the user confirms first. */
static void
force_off_activated(GSimpleAction *action, GVariant *param, gpointer user_data)
{
    SvmWindow *self = SVM_WINDOW(user_data);
    g_autofree char *uuid = selected_uuid(self);
    g_autofree char *name = NULL;
    GtkWidget *dialog;

    if (!uuid)
        return;
    name = vm_name_of(self, uuid);
    dialog = svm_force_off_dialog_new(GTK_WINDOW(self), name);
    g_object_set_data_full(G_OBJECT(dialog), "svm-uuid", g_steal_pointer(&uuid), g_free);
    g_signal_connect_object(dialog, "response", G_CALLBACK(on_force_off_response), self, 0);
    gtk_window_present(GTK_WINDOW(dialog));
}

static void
on_delete_response(SvmDeleteDialog *dialog, int response, SvmWindow *self)
{
    const char *uuid = g_object_get_data(G_OBJECT(dialog), "svm-uuid");
    g_autoptr(GPtrArray) chosen = g_ptr_array_new_with_free_func(g_free);

    VmAction *action = NULL;

    svm_delete_dialog_get_chosen(dialog, chosen);
    g_ptr_array_add(chosen, NULL);
    if (response == GTK_RESPONSE_ACCEPT)
        action = begin_action(self, uuid, svirt_engine_delete_vm_finish);
    if (action)
        svirt_engine_delete_vm_async(self->engine, uuid, (const char *const *)chosen->pdata, NULL,
                                     on_action_done, action);
    gtk_widget_destroy(GTK_WIDGET(dialog));
}

typedef struct {
    SvmWindow *self;
    char *uuid;
} DeleteRequest;

static void
delete_request_free(DeleteRequest *request)
{
    g_object_unref(request->self);
    g_free(request->uuid);
    g_free(request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(DeleteRequest, delete_request_free)

static void
on_storage_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(DeleteRequest) request = user_data;
    SvmWindow *self = request->self;
    const char *uuid = request->uuid;
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) storage =
        svirt_engine_list_vm_storage_finish(SVIRT_ENGINE(source), result, &error);
    g_autofree char *name = NULL;
    SvmDeleteDialog *dialog;

    if (self->disposed)
        return;
    if (!storage) {
        show_action_error(self, error->message);
        return;
    }
    name = vm_name_of(self, uuid);
    dialog = svm_delete_dialog_new(GTK_WINDOW(self), name, storage);
    g_object_set_data_full(G_OBJECT(dialog), "svm-uuid", g_strdup(uuid), g_free);
    g_signal_connect_object(dialog, "response", G_CALLBACK(on_delete_response), self, 0);
    gtk_window_present(GTK_WINDOW(dialog));
}

static void
delete_activated(GSimpleAction *action, GVariant *param, gpointer user_data)
{
    SvmWindow *self = SVM_WINDOW(user_data);
    char *uuid = selected_uuid(self);
    DeleteRequest *request;

    if (!uuid)
        return;
    /* Which files other VMs use needs every VM's definition: read off the main thread. */
    request = g_new0(DeleteRequest, 1);
    request->self = g_object_ref(self);
    request->uuid = uuid;
    svirt_engine_list_vm_storage_async(self->engine, uuid, NULL, on_storage_ready, request);
}

static void
refresh_activated(GSimpleAction *action, GVariant *param, gpointer user_data)
{
    svm_window_reload(SVM_WINDOW(user_data));
}

static void
add_connection_activated(GSimpleAction *action, GVariant *param, gpointer user_data)
{
    SvmWindow *self = SVM_WINDOW(user_data);
    g_autofree char *uri = svm_connect_dialog_run(GTK_WINDOW(self));

    if (uri)
        svm_window_add_connection(self, uri);
}

static void
new_vm_activated(GSimpleAction *action, GVariant *param, gpointer user_data)
{
    SvmWindow *self = SVM_WINDOW(user_data);
    SvmNewVmAssistant *assistant = svm_new_vm_assistant_new(GTK_WINDOW(self), self->engine);

    gtk_window_present(GTK_WINDOW(assistant));
}

static void
details_activated(GSimpleAction *action, GVariant *param, gpointer user_data)
{
    SvmWindow *self = SVM_WINDOW(user_data);
    g_autofree char *uuid = selected_uuid(self);
    SvmVmWindow *details;

    if (!uuid)
        return;
    details = svm_vm_window_new(GTK_WINDOW(self), self->engine, uuid);
    gtk_window_present(GTK_WINDOW(details));
}

static void
audit_activated(GSimpleAction *action, GVariant *param, gpointer user_data)
{
    SvmWindow *self = SVM_WINDOW(user_data);
    SvmAuditWindow *audit = svm_audit_window_new(GTK_WINDOW(self), self->engine);

    gtk_window_present(GTK_WINDOW(audit));
}

static void
find_activated(GSimpleAction *action, GVariant *param, gpointer user_data)
{
    gtk_widget_grab_focus(GTK_WIDGET(SVM_WINDOW(user_data)->search_entry));
}

static const GActionEntry win_actions[] = {
    { .name = "refresh", .activate = refresh_activated },
    { .name = "find", .activate = find_activated },
    { .name = "new-vm", .activate = new_vm_activated },
    { .name = "details", .activate = details_activated },
    { .name = "start", .activate = start_activated },
    { .name = "pause", .activate = pause_activated },
    { .name = "resume", .activate = resume_activated },
    { .name = "shutdown", .activate = shutdown_activated },
    { .name = "force-off", .activate = force_off_activated },
    { .name = "delete", .activate = delete_activated },
    { .name = "add-connection", .activate = add_connection_activated },
    { .name = "audit", .activate = audit_activated },
};

static void
attach_engine(SvmWindow *self, SvirtEngine *engine)
{
    if (self->engine) {
        g_signal_handlers_disconnect_by_data(self->engine, self);
        g_clear_object(&self->engine);
    }
    self->engine = g_object_ref(engine);
    if (self->settings) {
        g_autofree char *range = g_settings_get_string(self->settings, "mcs-range");

        svirt_engine_set_mcs_range(engine, range);
    }
    g_signal_connect(engine, "vm-event", G_CALLBACK(on_vm_event), self);
    g_signal_connect(engine, "disconnected", G_CALLBACK(on_disconnected), self);
    g_signal_connect(engine, "labels-changed", G_CALLBACK(on_labels_changed), self);
    g_hash_table_replace(self->engines, g_strdup(svirt_engine_get_requested_uri(engine)),
                         g_object_ref(engine));
    update_subtitle(self);
}

static void
fill_connection_combo(SvmWindow *self)
{
    g_auto(GStrv) uris = self->settings ? g_settings_get_strv(self->settings, "connections")
                                        : g_new0(char *, 1);
    const char *current = svirt_engine_get_requested_uri(self->engine);
    gboolean listed = FALSE;

    self->updating_connections = TRUE;
    gtk_combo_box_text_remove_all(self->connection_combo);
    for (guint i = 0; uris[i]; i++) {
        gtk_combo_box_text_append(self->connection_combo, uris[i], uris[i]);
        listed |= g_str_equal(uris[i], current);
    }
    if (!listed)
        gtk_combo_box_text_append(self->connection_combo, current, current);
    gtk_combo_box_set_active_id(GTK_COMBO_BOX(self->connection_combo), current);
    self->updating_connections = FALSE;
}

void
svm_window_set_connection(SvmWindow *self, const char *uri)
{
    SvirtEngine *engine;

    g_return_if_fail(SVM_IS_WINDOW(self));
    if (g_str_equal(uri, svirt_engine_get_requested_uri(self->engine)))
        return;
    engine = g_hash_table_lookup(self->engines, uri);
    if (engine) {
        g_object_ref(engine);
    } else {
        engine = svirt_engine_new(uri);
    }
    attach_engine(self, engine);
    g_object_unref(engine);
    fill_connection_combo(self);
    svm_window_reconnect(self);
}

void
svm_window_add_connection(SvmWindow *self, const char *uri)
{
    g_auto(GStrv) uris = NULL;
    g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
    g_auto(GStrv) updated = NULL;
    gboolean present = FALSE;

    g_return_if_fail(SVM_IS_WINDOW(self));
    if (self->settings) {
        uris = g_settings_get_strv(self->settings, "connections");
        /* The one in use first, so the list holds every connection the user has seen. */
        if (g_strv_length(uris) == 0)
            g_strv_builder_add(builder, svirt_engine_get_requested_uri(self->engine));
        for (guint i = 0; uris[i]; i++) {
            present |= g_str_equal(uris[i], uri);
            g_strv_builder_add(builder, uris[i]);
        }
        if (!present)
            g_strv_builder_add(builder, uri);
        updated = g_strv_builder_end(builder);
        g_settings_set_strv(self->settings, "connections", (const char *const *)updated);
    }
    svm_window_set_connection(self, uri);
}

static void
on_connection_changed(GtkComboBox *combo, SvmWindow *self)
{
    const char *uri = gtk_combo_box_get_active_id(combo);

    if (!self->updating_connections && uri)
        svm_window_set_connection(self, uri);
}

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

    {
        g_autoptr(SvirtEngine) engine = g_steal_pointer(&self->engine);

        attach_engine(self, engine);
    }
    restore_size(self);
    attach_model(self);
    fill_connection_combo(self);
    update_actions(self);
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

    self->disposed = TRUE;
    g_cancellable_cancel(self->cancellable);
    g_clear_object(&self->cancellable);
    if (self->engine)
        g_signal_handlers_disconnect_by_data(self->engine, self);
    g_clear_object(&self->engine);
    g_clear_pointer(&self->engines, g_hash_table_unref);
    g_clear_object(&self->settings);
    g_clear_object(&self->sorted);
    g_clear_object(&self->filter);
    G_OBJECT_CLASS(svm_window_parent_class)->dispose(object);
}

static void
svm_window_finalize(GObject *object)
{
    SvmWindow *self = SVM_WINDOW(object);

    g_clear_object(&self->vm_list);
    g_ptr_array_unref(self->pending_events);
    g_hash_table_unref(self->label_reads);
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
    g_type_ensure(SVM_TYPE_ISOLATION_RENDERER);

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
    gtk_widget_class_bind_template_child(widget_class, SvmWindow, no_match_label);
    gtk_widget_class_bind_template_child(widget_class, SvmWindow, vm_view);
    gtk_widget_class_bind_template_child(widget_class, SvmWindow, name_column);
    gtk_widget_class_bind_template_child(widget_class, SvmWindow, label_column);
    /* Looked up by name only, from tests. */
    gtk_widget_class_bind_template_child_full(widget_class, "shutdown_button", FALSE, 0);
    gtk_widget_class_bind_template_child_full(widget_class, "force_off_button", FALSE, 0);
    gtk_widget_class_bind_template_child(widget_class, SvmWindow, action_bar);
    gtk_widget_class_bind_template_child(widget_class, SvmWindow, action_label);
    gtk_widget_class_bind_template_child(widget_class, SvmWindow, search_entry);
    gtk_widget_class_bind_template_child(widget_class, SvmWindow, state_filter);
    gtk_widget_class_bind_template_child(widget_class, SvmWindow, connection_combo);
    gtk_widget_class_bind_template_child(widget_class, SvmWindow, vm_menu);
    gtk_widget_class_bind_template_callback(widget_class, on_info_bar_response);
    gtk_widget_class_bind_template_callback(widget_class, on_action_bar_response);
    gtk_widget_class_bind_template_callback(widget_class, on_filter_changed);
    gtk_widget_class_bind_template_callback(widget_class, on_connection_changed);
    gtk_widget_class_bind_template_callback(widget_class, on_row_activated);
    gtk_widget_class_bind_template_callback(widget_class, on_view_button_press);
    gtk_widget_class_bind_template_callback(widget_class, on_view_popup_menu);
    gtk_widget_class_bind_template_callback(widget_class, on_view_query_tooltip);

    /* Emitted when the label columns of a full list are filled in. */
    signals[SIGNAL_LABELS_LOADED] =
        g_signal_new("labels-loaded", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                     NULL, G_TYPE_NONE, 0);
}

static void
svm_window_init(SvmWindow *self)
{
    gtk_widget_init_template(GTK_WIDGET(self));
    svm_a11y_name_info_bar_close_button(self->info_bar);
    svm_a11y_name_info_bar_close_button(self->action_bar);
    self->vm_list = svm_vm_list_new();
    self->pending_events = g_ptr_array_new_with_free_func((GDestroyNotify)pending_event_free);
    self->label_reads = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    self->engines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_object_unref);
    g_action_map_add_action_entries(G_ACTION_MAP(self), win_actions, G_N_ELEMENTS(win_actions),
                                    self);
    g_signal_connect(gtk_tree_view_get_selection(self->vm_view), "changed",
                     G_CALLBACK(on_selection_changed), self);
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
