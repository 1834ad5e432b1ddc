#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>

#include "svm-test-fixture.h"
#include "svm-test-ui.h"
#include "svm-test-util.h"
#include "svm-test-vm.h"
#include "svm-connect-dialog.h"
#include "svm-delete-dialog.h"
#include "svm-new-vm-assistant.h"
#include "svm-security-page-private.h"
#include "svm-vm-window-private.h"
#include "svm-window-private.h"

#define TEST_UUID "6695eb01-f6a4-8304-79aa-97f2502e193f"

static GtkWidget *
find_toplevel(GType type)
{
    g_autoptr(GList) tops = gtk_window_list_toplevels();

    for (GList *l = tops; l; l = l->next) {
        if (G_TYPE_CHECK_INSTANCE_TYPE(l->data, type))
            return l->data;
    }
    return NULL;
}

static GtkTreeView *
vm_view(SvmWindow *window)
{
    return svm_test_template_child(window, SVM_TYPE_WINDOW, "vm_view");
}

/* The rows the list shows, filtered and sorted. */
static GtkTreeModel *
view_model(SvmWindow *window)
{
    return gtk_tree_view_get_model(vm_view(window));
}

/* The icon a header bar button shows. */
static const char *
button_icon(GtkWidget *button)
{
    GtkWidget *image = gtk_bin_get_child(GTK_BIN(button));
    const char *name = NULL;

    g_assert_true(GTK_IS_IMAGE(image));
    gtk_image_get_icon_name(GTK_IMAGE(image), &name, NULL);
    return name;
}

static gboolean
toplevel_shown(gpointer data)
{
    GtkWidget *top = find_toplevel(GPOINTER_TO_SIZE(data));

    return top && gtk_widget_get_mapped(top);
}

static gboolean
toplevel_gone(gpointer data)
{
    return find_toplevel(GPOINTER_TO_SIZE(data)) == NULL;
}

/* Answers the Force Off question as a user does, after checking it names the VM and what is
 * lost. */
static void
answer_force_off(const char *vm_name, int response, const char *screenshot)
{
    GtkWidget *dialog;
    g_autofree char *text = NULL;
    g_autofree char *secondary = NULL;

    svm_test_wait_for(toplevel_shown, GSIZE_TO_POINTER(GTK_TYPE_MESSAGE_DIALOG), 5000,
                      "the Force Off question");
    dialog = find_toplevel(GTK_TYPE_MESSAGE_DIALOG);
    g_object_get(dialog, "text", &text, "secondary-text", &secondary, NULL);
    g_assert_nonnull(strstr(text, vm_name));
    g_assert_nonnull(strstr(secondary, "not saved is lost"));
    g_assert_true(gtk_window_get_modal(GTK_WINDOW(dialog)));
    if (screenshot)
        svm_test_save_screenshot(dialog, screenshot);
    gtk_button_clicked(GTK_BUTTON(gtk_dialog_get_widget_for_response(GTK_DIALOG(dialog),
                                                                     response)));
    svm_test_wait_for(toplevel_gone, GSIZE_TO_POINTER(GTK_TYPE_MESSAGE_DIALOG), 5000,
                      "the Force Off question to close");
}

static gboolean
window_loaded(gpointer data)
{
    return svm_window_is_loaded(SVM_WINDOW(data));
}

static gboolean
window_has_error(gpointer data)
{
    return svm_window_get_error(SVM_WINDOW(data)) != NULL;
}

static char *
row_state_label(SvmWindow *window, const char *uuid)
{
    SvmVmList *list = svm_window_get_vm_list(window);
    GtkTreeIter iter;
    char *label = NULL;

    if (!svm_vm_list_lookup(list, uuid, &iter))
        return NULL;
    gtk_tree_model_get(svm_vm_list_get_model(list), &iter, SVM_VM_LIST_COL_STATE_LABEL, &label,
                       -1);
    return label;
}

static gboolean
row_is_paused(gpointer data)
{
    g_autofree char *label = row_state_label(SVM_WINDOW(data), TEST_UUID);

    return g_strcmp0(label, "Paused") == 0;
}

static SvmWindow *
open_window(const char *uri)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(uri);
    SvmWindow *window = svm_window_new(NULL, engine, NULL);

    gtk_window_set_default_size(GTK_WINDOW(window), 800, 480);
    gtk_widget_show(GTK_WIDGET(window));
    return window;
}

static void
on_labels_loaded(SvmWindow *window, gboolean *loaded)
{
    *loaded = TRUE;
}

static char *
row_string(SvmWindow *window, const char *uuid, int column)
{
    SvmVmList *list = svm_window_get_vm_list(window);
    GtkTreeIter iter;
    char *value = NULL;

    g_assert_true(svm_vm_list_lookup(list, uuid, &iter));
    gtk_tree_model_get(svm_vm_list_get_model(list), &iter, column, &value, -1);
    return value;
}

static void
test_list_and_events(void)
{
    SvmWindow *window = open_window("test:///default");
    gboolean labels_loaded = FALSE;
    g_autofree char *mode = NULL;
    g_autofree char *isolation = NULL;
    g_autofree char *icon = NULL;
    GtkHeaderBar *header = GTK_HEADER_BAR(gtk_window_get_titlebar(GTK_WINDOW(window)));
    g_autoptr(virConnect) other = NULL;
    g_autoptr(virDomain) dom = NULL;
    g_autofree char *state = NULL;
    g_autofree char *name = NULL;
    GtkTreeIter iter;

    g_signal_connect(window, "labels-loaded", G_CALLBACK(on_labels_loaded), &labels_loaded);
    svm_test_wait_for(window_loaded, window, 10000, "the VM list");
    svm_test_wait_for(svm_test_flag_is_set, &labels_loaded, 10000, "the label columns");
    /* The test driver's VM runs without the engine: dynamic mode, and flagged as a problem. */
    mode = row_string(window, TEST_UUID, SVM_VM_LIST_COL_MODE_LABEL);
    g_assert_cmpstr(mode, ==, "Dynamic");
    icon = row_string(window, TEST_UUID, SVM_VM_LIST_COL_ISOLATION_ICON);
    g_assert_cmpstr(icon, ==, "dialog-warning-symbolic");
    isolation = row_string(window, TEST_UUID, SVM_VM_LIST_COL_ISOLATION_TEXT);
    g_assert_nonnull(strstr(isolation, "outside sVirt Manager"));
    /* The URI in use is shown. */
    g_assert_cmpstr(gtk_header_bar_get_subtitle(header), ==, "test:///default");

    state = row_state_label(window, TEST_UUID);
    g_assert_cmpstr(state, ==, "Running");
    g_assert_true(gtk_tree_model_get_iter_first(view_model(window), &iter));
    gtk_tree_model_get(view_model(window), &iter, SVM_VM_LIST_COL_NAME, &name, -1);
    g_assert_cmpstr(name, ==, "test");
    svm_test_save_screenshot(GTK_WIDGET(window), "main-window.png");

    /* Pause it behind the app's back; the row follows the lifecycle event. */
    other = virConnectOpen("test:///default");
    dom = virDomainLookupByName(other, "test");
    g_assert_cmpint(virDomainSuspend(dom), ==, 0);
    svm_test_wait_for(row_is_paused, window, 1000, "the row to show Paused");
    svm_test_save_screenshot(GTK_WIDGET(window), "main-window-paused.png");
    g_assert_cmpint(virDomainResume(dom), ==, 0);

    gtk_widget_destroy(GTK_WIDGET(window));
}

static gboolean
cursor_on_row_1(gpointer data)
{
    GtkTreePath *path = NULL;
    gboolean ok;

    gtk_tree_view_get_cursor(GTK_TREE_VIEW(data), &path, NULL);
    ok = path && gtk_tree_path_get_indices(path)[0] == 1;
    gtk_tree_path_free(path);
    return ok;
}

static gboolean
has_focus(gpointer data)
{
    return gtk_widget_has_focus(GTK_WIDGET(data));
}

static void
test_accessibility(void)
{
    static const char *titles[] = { "Name", "State", "Isolation", "Label mode", "Process label" };
    SvmWindow *window = open_window("test:///default");
    GtkTreeView *view = vm_view(window);
    AtkObject *acc = gtk_widget_get_accessible(GTK_WIDGET(view));
    g_autoptr(virConnect) other = virConnectOpen("test:///default");
    g_autoptr(virDomain) extra = svm_test_define_test_vm(other, "zz-second", "");

    g_assert_nonnull(extra);
    svm_test_wait_for(window_loaded, window, 10000, "the VM list");
    g_assert_cmpstr(atk_object_get_name(acc), ==, "Virtual machines");
    g_assert_cmpint(gtk_tree_view_get_n_columns(view), ==, G_N_ELEMENTS(titles));
    for (guint i = 0; i < G_N_ELEMENTS(titles); i++) {
        GtkTreeViewColumn *col = gtk_tree_view_get_column(view, i);
        GtkWidget *button = gtk_tree_view_column_get_button(col);

        g_assert_cmpstr(gtk_tree_view_column_get_title(col), ==, titles[i]);
        g_assert_cmpstr(atk_object_get_name(gtk_widget_get_accessible(button)), ==, titles[i]);
    }
    /* Type-ahead searches by name. */
    g_assert_true(gtk_tree_view_get_enable_search(view));
    g_assert_cmpint(gtk_tree_view_get_search_column(view), ==, SVM_VM_LIST_COL_NAME);

    /* Real key presses move through the list. */
    gtk_window_present(GTK_WINDOW(window));
    gtk_widget_grab_focus(GTK_WIDGET(view));
    svm_test_wait_for(has_focus, view, 5000, "the list to take focus");
    gtk_tree_view_set_cursor(view, gtk_tree_path_new_first(), NULL, FALSE);
    g_assert_true(gtk_test_widget_send_key(GTK_WIDGET(view), GDK_KEY_Down, 0));
    svm_test_wait_for(cursor_on_row_1, view, 5000, "the cursor to move down");

    g_assert_cmpint(virDomainUndefine(extra), ==, 0);
    gtk_widget_destroy(GTK_WIDGET(window));
}

static void
test_bad_uri(void)
{
    SvmWindow *window = open_window("nosuchdriver:///system");
    GtkInfoBar *bar;
    GtkWidget *retry;
    GtkLabel *label;

    svm_test_wait_for(window_has_error, window, 10000, "the connection error");
    bar = GTK_INFO_BAR(gtk_widget_get_template_child(GTK_WIDGET(window), SVM_TYPE_WINDOW,
                                                     "info_bar"));
    retry = GTK_WIDGET(gtk_widget_get_template_child(GTK_WIDGET(window), SVM_TYPE_WINDOW,
                                                     "retry_button"));
    label = GTK_LABEL(gtk_widget_get_template_child(GTK_WIDGET(window), SVM_TYPE_WINDOW,
                                                    "info_label"));
    g_assert_true(gtk_info_bar_get_revealed(bar));
    g_assert_nonnull(strstr(gtk_label_get_text(label), "nosuchdriver:///system"));
    g_assert_nonnull(strstr(gtk_label_get_text(label), "libvirtd is running"));
    g_assert_true(gtk_widget_is_visible(retry));
    g_assert_true(gtk_widget_is_sensitive(retry));
    g_assert_true(gtk_button_get_use_underline(GTK_BUTTON(retry)));
    svm_test_save_screenshot(GTK_WIDGET(window), "connection-error.png");

    /* Retrying a URI that is still wrong comes back with the error, without hanging. */
    gtk_button_clicked(GTK_BUTTON(retry));
    g_assert_null(svm_window_get_error(window));
    svm_test_wait_for(window_has_error, window, 10000, "the second connection error");
    gtk_widget_destroy(GTK_WIDGET(window));
}

static int
view_rows(SvmWindow *window)
{
    return gtk_tree_model_iter_n_children(view_model(window), NULL);
}

static void
test_filter(void)
{
    SvmWindow *window = open_window("test:///default");
    g_autoptr(virConnect) other = virConnectOpen("test:///default");
    g_autoptr(virDomain) a = svm_test_define_test_vm(other, "alpha-web", "");
    g_autoptr(virDomain) b = svm_test_define_test_vm(other, "beta-db", "");
    GtkEntry *search = GTK_ENTRY(gtk_widget_get_template_child(GTK_WIDGET(window),
                                                               SVM_TYPE_WINDOW, "search_entry"));
    GtkComboBox *state = GTK_COMBO_BOX(gtk_widget_get_template_child(
        GTK_WIDGET(window), SVM_TYPE_WINDOW, "state_filter"));

    svm_test_wait_for(window_loaded, window, 10000, "the VM list");
    g_assert_cmpint(view_rows(window), ==, 3);
    /* Case-insensitive, on any part of the name. */
    gtk_entry_set_text(search, "WEB");
    g_signal_emit_by_name(search, "search-changed");
    g_assert_cmpint(view_rows(window), ==, 1);
    gtk_entry_set_text(search, "");
    g_signal_emit_by_name(search, "search-changed");
    g_assert_cmpint(view_rows(window), ==, 3);
    gtk_combo_box_set_active_id(state, "running");
    g_assert_cmpint(view_rows(window), ==, 1);
    gtk_combo_box_set_active_id(state, "shutoff");
    g_assert_cmpint(view_rows(window), ==, 2);
    svm_test_save_screenshot(GTK_WIDGET(window), "main-window-filtered.png");
    gtk_combo_box_set_active_id(state, "all");

    virDomainUndefine(a);
    virDomainUndefine(b);
    gtk_widget_destroy(GTK_WIDGET(window));
}

static gboolean
action_enabled(SvmWindow *window, const char *name)
{
    return g_action_group_get_action_enabled(G_ACTION_GROUP(window), name);
}

static void
select_vm(SvmWindow *window, const char *name)
{
    GtkTreeModel *model = view_model(window);
    GtkTreeIter iter;
    gboolean valid = gtk_tree_model_get_iter_first(model, &iter);

    while (valid) {
        g_autofree char *row = NULL;

        gtk_tree_model_get(model, &iter, SVM_VM_LIST_COL_NAME, &row, -1);
        if (g_str_equal(row, name)) {
            gtk_tree_selection_select_iter(gtk_tree_view_get_selection(vm_view(window)), &iter);
            return;
        }
        valid = gtk_tree_model_iter_next(model, &iter);
    }
    g_error("%s is not in the list", name);
}

typedef struct {
    SvmWindow *window;
    const char *uuid;
    int column;
    const char *prefix;
} RowWait;

static gboolean
row_has_prefix(gpointer data)
{
    RowWait *w = data;
    g_autofree char *value = row_string(w->window, w->uuid, w->column);

    return value && g_str_has_prefix(value, w->prefix);
}

static void
test_actions(void)
{
    SvmWindow *window = open_window("test:///default");
    g_autoptr(virConnect) other = virConnectOpen("test:///default");
    g_autoptr(virDomain) vm = svm_test_define_test_vm(other, "gamma-app", "");
    char uuid[VIR_UUID_STRING_BUFLEN];
    RowWait paused = { window, TEST_UUID, SVM_VM_LIST_COL_STATE_LABEL, "Paused" };
    RowWait resumed = { window, TEST_UUID, SVM_VM_LIST_COL_STATE_LABEL, "Running" };
    RowWait started = { window, NULL, SVM_VM_LIST_COL_STATE_LABEL, "Running" };
    RowWait labelled = { window, NULL, SVM_VM_LIST_COL_PROCESS_LABEL,
                         "system_u:system_r:svirt_t:s0:c" };
    RowWait stopped = { window, NULL, SVM_VM_LIST_COL_STATE_LABEL, "Shut off" };

    virDomainGetUUIDString(vm, uuid);
    started.uuid = labelled.uuid = stopped.uuid = uuid;
    svm_test_wait_for(window_loaded, window, 10000, "the VM list");

    select_vm(window, "test");
    g_assert_false(action_enabled(window, "start"));
    g_assert_true(action_enabled(window, "pause"));
    g_assert_false(action_enabled(window, "resume"));
    g_assert_true(action_enabled(window, "shutdown"));
    g_assert_true(action_enabled(window, "force-off"));
    g_assert_false(action_enabled(window, "delete"));
    g_action_group_activate_action(G_ACTION_GROUP(window), "pause", NULL);
    svm_test_wait_for(row_has_prefix, &paused, 5000, "the row to show Paused");
    g_assert_true(action_enabled(window, "resume"));
    g_action_group_activate_action(G_ACTION_GROUP(window), "resume", NULL);
    svm_test_wait_for(row_has_prefix, &resumed, 5000, "the row to show Running");

    /* Start labels the VM: its process label appears in the list. */
    select_vm(window, "gamma-app");
    g_assert_true(action_enabled(window, "start"));
    g_assert_true(action_enabled(window, "delete"));
    g_action_group_activate_action(G_ACTION_GROUP(window), "start", NULL);
    svm_test_wait_for(row_has_prefix, &started, 10000, "gamma-app to run");
    svm_test_wait_for(row_has_prefix, &labelled, 10000, "gamma-app's process label");
    svm_test_save_screenshot(GTK_WIDGET(window), "main-window-labelled.png");
    /* Force Off asks first; Cancel leaves the VM running. */
    gtk_button_clicked(
        GTK_BUTTON(svm_test_template_child(window, SVM_TYPE_WINDOW, "force_off_button")));
    answer_force_off("gamma-app", GTK_RESPONSE_CANCEL, NULL);
    g_assert_true(row_has_prefix(&started));
    g_assert_true(action_enabled(window, "force-off"));
    g_action_group_activate_action(G_ACTION_GROUP(window), "force-off", NULL);
    answer_force_off("gamma-app", GTK_RESPONSE_ACCEPT, "force-off-question.png");
    svm_test_wait_for(row_has_prefix, &stopped, 10000, "gamma-app to stop");

    virDomainUndefine(vm);
    gtk_widget_destroy(GTK_WIDGET(window));
}

static gboolean
list_has(gpointer data)
{
    SvmWindow *window = data;
    GtkTreeModel *model = svm_vm_list_get_model(svm_window_get_vm_list(window));
    GtkTreeIter iter;
    gboolean valid = svm_window_is_loaded(window) && gtk_tree_model_get_iter_first(model, &iter);

    while (valid) {
        g_autofree char *name = NULL;

        gtk_tree_model_get(model, &iter, SVM_VM_LIST_COL_NAME, &name, -1);
        if (g_str_equal(name, "from-a-file"))
            return TRUE;
        valid = gtk_tree_model_iter_next(model, &iter);
    }
    return FALSE;
}

static gboolean
list_shows_test(gpointer data)
{
    SvmWindow *window = data;

    return svm_window_is_loaded(window) &&
           svm_vm_list_lookup(svm_window_get_vm_list(window), TEST_UUID, NULL);
}

static void
test_connections(void)
{
    g_autoptr(GSettings) settings = g_settings_new(APP_ID);
    g_autoptr(SvirtEngine) engine = svirt_engine_new("test:///default");
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = svm_test_make_dir("svm-conn");
    g_autofree char *file = g_build_filename(dir, "node.xml", NULL);
    g_autofree char *uri = g_strdup_printf("test://%s", file);
    g_auto(GStrv) remembered = NULL;
    GtkComboBox *combo;
    SvmWindow *window;

    g_assert_true(g_file_set_contents(file,
                                      "<node><domain type='test'><name>from-a-file</name>"
                                      "<memory>65536</memory><os><type>hvm</type></os>"
                                      "</domain></node>",
                                      -1, NULL));
    g_settings_set_strv(settings, "connections", NULL);
    g_settings_set_string(settings, "mcs-range", "s0:c5.c6");
    window = svm_window_new(NULL, engine, settings);
    {
        /* Starts from this window draw pairs from the configured range. */
        g_autofree char *range = svirt_engine_dup_mcs_range(engine, NULL);

        g_assert_cmpstr(range, ==, "s0:c5.c6");
    }
    gtk_widget_show(GTK_WIDGET(window));
    combo = GTK_COMBO_BOX(gtk_widget_get_template_child(GTK_WIDGET(window), SVM_TYPE_WINDOW,
                                                        "connection_combo"));
    svm_test_wait_for(window_loaded, window, 10000, "the VM list");

    svm_window_add_connection(window, uri);
    svm_test_wait_for(list_has, window, 10000, "the VMs of the added connection");
    remembered = g_settings_get_strv(settings, "connections");
    g_assert_cmpuint(g_strv_length(remembered), ==, 2);
    g_assert_cmpstr(remembered[0], ==, "test:///default");
    g_assert_cmpstr(remembered[1], ==, uri);
    g_assert_cmpstr(gtk_combo_box_get_active_id(combo), ==, uri);
    g_assert_false(svm_vm_list_lookup(svm_window_get_vm_list(window), TEST_UUID, NULL));
    svm_test_save_screenshot(GTK_WIDGET(window), "main-window-second-connection.png");

    /* Back to the first one through the connection list. */
    gtk_combo_box_set_active_id(combo, "test:///default");
    svm_test_wait_for(list_shows_test, window, 10000, "the first connection's VMs");
    gtk_widget_destroy(GTK_WIDGET(window));
    g_settings_reset(settings, "mcs-range");
    g_unlink(file);
    g_rmdir(dir);
}

static SvirtStorageItem *
storage_item(const char *target, const char *path, const char *reason)
{
    SvirtStorageItem *item = g_new0(SvirtStorageItem, 1);

    item->target = g_strdup(target);
    item->path = g_strdup(path);
    item->deletable = reason == NULL;
    item->reason = g_strdup(reason);
    return item;
}

static gboolean
details_open(gpointer data)
{
    return find_toplevel(SVM_TYPE_VM_WINDOW) != NULL;
}

static gboolean
menu_attached(gpointer data)
{
    GList *menus = gtk_menu_get_for_attach_widget(GTK_WIDGET(data));

    return menus && gtk_widget_get_visible(menus->data);
}

/* The context menu activates what is chosen in it, as a click would: the menu first
 * deactivates, then the item runs. */
static void
test_context_menu(void)
{
    SvmWindow *window = open_window("test:///default");
    GtkTreeView *view = vm_view(window);
    GtkMenuShell *menu = NULL;
    GtkWidget *details = NULL;
    GList *menus;

    svm_test_wait_for(window_loaded, window, 10000, "the VM list");
    select_vm(window, "test");
    {
        /* A real right-button press on the selected row. */
        GtkTreeModel *model = NULL;
        GtkTreeIter iter;
        g_autoptr(GtkTreePath) path = NULL;
        GdkRectangle area;
        GdkWindow *bin = gtk_tree_view_get_bin_window(view);
        GdkEvent *event = gdk_event_new(GDK_BUTTON_PRESS);
        GdkSeat *seat = gdk_display_get_default_seat(gdk_window_get_display(bin));

        g_assert_true(gtk_tree_selection_get_selected(gtk_tree_view_get_selection(view), &model,
                                                      &iter));
        path = gtk_tree_model_get_path(model, &iter);
        gtk_tree_view_get_cell_area(view, path, gtk_tree_view_get_column(view, 0), &area);

        event->button.window = g_object_ref(bin);
        event->button.x = area.x + 5;
        event->button.y = area.y + area.height / 2.0;
        event->button.button = GDK_BUTTON_SECONDARY;
        event->button.time = GDK_CURRENT_TIME;
        gdk_event_set_device(event, gdk_seat_get_pointer(seat));
        gtk_main_do_event(event);
        gdk_event_free(event);
    }
    svm_test_wait_for(menu_attached, view, 5000, "the context menu");
    menus = gtk_menu_get_for_attach_widget(GTK_WIDGET(view));
    menu = GTK_MENU_SHELL(menus->data);
    {
        g_autoptr(GList) items = gtk_container_get_children(GTK_CONTAINER(menu));

        for (GList *l = items; l; l = l->next) {
            if (GTK_IS_MENU_ITEM(l->data) &&
                g_strcmp0(gtk_menu_item_get_label(l->data), "_Details") == 0)
                details = l->data;
        }
    }
    g_assert_nonnull(details);
    gtk_menu_shell_activate_item(menu, details, TRUE);
    svm_test_wait_for(details_open, NULL, 5000, "the details window from the context menu");
    gtk_widget_destroy(find_toplevel(SVM_TYPE_VM_WINDOW));
    gtk_widget_destroy(GTK_WIDGET(window));
}

static gboolean
delete_dialog_open(gpointer data)
{
    return find_toplevel(SVM_TYPE_DELETE_DIALOG) != NULL;
}

static gboolean
vm_gone(gpointer data)
{
    return !svm_vm_list_lookup(svm_window_get_vm_list(SVM_WINDOW(data)),
                               g_object_get_data(G_OBJECT(data), "gone-uuid"), NULL);
}

/* Delete from the window: the dialog opens once the VM's files are read, and accepting it
 * removes the VM. */
static void
test_delete_from_window(void)
{
    SvmWindow *window = open_window("test:///default");
    g_autoptr(virConnect) other = virConnectOpen("test:///default");
    g_autoptr(virDomain) vm = svm_test_define_test_vm(other, "delta-old", "");
    char uuid[VIR_UUID_STRING_BUFLEN];

    virDomainGetUUIDString(vm, uuid);
    g_object_set_data_full(G_OBJECT(window), "gone-uuid", g_strdup(uuid), g_free);
    svm_test_wait_for(window_loaded, window, 10000, "the VM list");
    select_vm(window, "delta-old");
    g_action_group_activate_action(G_ACTION_GROUP(window), "delete", NULL);
    svm_test_wait_for(delete_dialog_open, NULL, 10000, "the delete dialog");
    gtk_dialog_response(GTK_DIALOG(find_toplevel(SVM_TYPE_DELETE_DIALOG)), GTK_RESPONSE_ACCEPT);
    svm_test_wait_for(vm_gone, window, 10000, "the VM to be deleted");
    g_assert_null(find_toplevel(SVM_TYPE_DELETE_DIALOG));
    gtk_widget_destroy(GTK_WIDGET(window));
}

static void
add_if_offered(GtkWidget *widget, gpointer data)
{
    if (GTK_IS_CHECK_BUTTON(widget) && gtk_widget_is_sensitive(widget))
        g_ptr_array_add(data, widget);
}

/* The files the dialog offers to delete: the check buttons that can be ticked. */
static GPtrArray *
offered_checks(SvmDeleteDialog *dialog)
{
    GPtrArray *checks = g_ptr_array_new();

    gtk_container_foreach(svm_test_template_child(dialog, SVM_TYPE_DELETE_DIALOG, "files_box"),
                          add_if_offered, checks);
    return checks;
}

static void
test_delete_dialog(void)
{
    g_autoptr(GPtrArray) storage =
        g_ptr_array_new_with_free_func((GDestroyNotify)svirt_storage_item_free);
    g_autoptr(GPtrArray) chosen = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) checks = NULL;
    SvmDeleteDialog *dialog;

    g_ptr_array_add(storage, storage_item("vda", "/images/web.img", NULL));
    g_ptr_array_add(storage, storage_item("vdb", "/images/data.img", NULL));
    g_ptr_array_add(storage, storage_item("vdc", "/images/shared.img", "VM 'db' uses it too."));
    dialog = svm_delete_dialog_new(NULL, "web", storage);
    gtk_widget_show(GTK_WIDGET(dialog));
    /* Only the two private images are offered; nothing is ticked at first. */
    checks = offered_checks(dialog);
    g_assert_cmpuint(checks->len, ==, 2);
    svm_delete_dialog_get_chosen(dialog, chosen);
    g_assert_cmpuint(chosen->len, ==, 0);
    gtk_toggle_button_set_active(g_ptr_array_index(checks, 1), TRUE);
    svm_delete_dialog_get_chosen(dialog, chosen);
    g_assert_cmpuint(chosen->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(chosen, 0), ==, "/images/data.img");
    svm_test_save_screenshot(GTK_WIDGET(dialog), "delete-dialog.png");
    gtk_widget_destroy(GTK_WIDGET(dialog));
}

static void
test_connect_dialog(void)
{
    SvmConnectDialog *dialog = svm_connect_dialog_new(NULL);
    GtkWidget *connect = GTK_WIDGET(
        gtk_widget_get_template_child(GTK_WIDGET(dialog), SVM_TYPE_CONNECT_DIALOG,
                                      "connect_button"));
    GtkLabel *hint = GTK_LABEL(gtk_widget_get_template_child(
        GTK_WIDGET(dialog), SVM_TYPE_CONNECT_DIALOG, "hint_label"));
    GtkEntry *uri = svm_test_template_child(dialog, SVM_TYPE_CONNECT_DIALOG, "uri_entry");

    gtk_widget_show(GTK_WIDGET(dialog));
    g_assert_false(gtk_widget_get_sensitive(connect));
    gtk_entry_set_text(uri, "not a uri");
    g_assert_false(gtk_widget_get_sensitive(connect));
    g_assert_nonnull(strstr(gtk_label_get_text(hint), "starts with a driver"));
    gtk_entry_set_text(uri, "qemu+ssh://root@host/system");
    g_assert_true(gtk_widget_get_sensitive(connect));
    svm_test_save_screenshot(GTK_WIDGET(dialog), "connect-dialog.png");
    gtk_widget_destroy(GTK_WIDGET(dialog));
}

/* The list opens the details of the selected VM, and the New VM assistant. */
static void
test_opens_details_and_assistant(void)
{
    SvmWindow *window = open_window("test:///default");
    GtkWidget *details;
    GtkWidget *assistant;

    svm_test_wait_for(window_loaded, window, 10000, "the VM list");
    g_assert_null(find_toplevel(SVM_TYPE_VM_WINDOW));
    select_vm(window, "test");
    g_assert_true(action_enabled(window, "details"));
    g_action_group_activate_action(G_ACTION_GROUP(window), "details", NULL);
    details = find_toplevel(SVM_TYPE_VM_WINDOW);
    g_assert_nonnull(details);
    g_assert_cmpstr(svm_vm_window_get_vm_uuid(SVM_VM_WINDOW(details)), ==, TEST_UUID);
    gtk_widget_destroy(details);

    g_assert_true(action_enabled(window, "new-vm"));
    g_action_group_activate_action(G_ACTION_GROUP(window), "new-vm", NULL);
    assistant = find_toplevel(SVM_TYPE_NEW_VM_ASSISTANT);
    g_assert_nonnull(assistant);
    g_assert_true(gtk_window_get_transient_for(GTK_WINDOW(assistant)) == GTK_WINDOW(window));
    gtk_widget_destroy(assistant);
    gtk_widget_destroy(GTK_WIDGET(window));
}

/* One icon, one meaning: Shut Down and Force Off are two buttons with two icons. */
static void
test_power_buttons(void)
{
    SvmWindow *window = open_window("test:///default");
    GtkWidget *shutdown = svm_test_template_child(window, SVM_TYPE_WINDOW, "shutdown_button");
    GtkWidget *force_off = svm_test_template_child(window, SVM_TYPE_WINDOW, "force_off_button");

    g_assert_cmpstr(button_icon(shutdown), ==, "system-shutdown-symbolic");
    g_assert_cmpstr(button_icon(force_off), ==, "media-playback-stop-symbolic");
    g_assert_cmpstr(gtk_actionable_get_action_name(GTK_ACTIONABLE(shutdown)), ==, "win.shutdown");
    g_assert_cmpstr(gtk_actionable_get_action_name(GTK_ACTIONABLE(force_off)), ==,
                    "win.force-off");
    g_assert_cmpstr(atk_object_get_name(gtk_widget_get_accessible(force_off)), ==, "Force off");
    gtk_widget_destroy(GTK_WIDGET(window));
}

static const char *
visible_page(SvmWindow *window)
{
    return gtk_stack_get_visible_child_name(
        GTK_STACK(svm_test_template_child(window, SVM_TYPE_WINDOW, "stack")));
}

static gboolean
page_is(gpointer data)
{
    SvmWindow *window = data;

    return g_strcmp0(visible_page(window), g_object_get_data(G_OBJECT(window), "want-page")) ==
           0;
}

static void
wait_page(SvmWindow *window, const char *page)
{
    g_object_set_data(G_OBJECT(window), "want-page", (gpointer)page);
    svm_test_wait_for(page_is, window, 5000, page);
}

/* A filter that matches nothing says so, instead of showing an empty list. */
static void
test_filter_no_match(void)
{
    SvmWindow *window = open_window("test:///default");
    GtkEntry *search = GTK_ENTRY(svm_test_template_child(window, SVM_TYPE_WINDOW, "search_entry"));
    GtkComboBox *state =
        GTK_COMBO_BOX(svm_test_template_child(window, SVM_TYPE_WINDOW, "state_filter"));
    GtkLabel *label = GTK_LABEL(svm_test_template_child(window, SVM_TYPE_WINDOW, "no_match_label"));

    svm_test_wait_for(window_loaded, window, 10000, "the VM list");
    wait_page(window, "list");
    /* Typed, as a user does: the entry reports the search after its short delay. */
    gtk_widget_grab_focus(GTK_WIDGET(search));
    gtk_entry_set_text(search, "no-such-vm");
    wait_page(window, "no-match");
    g_assert_cmpstr(gtk_label_get_text(label), ==, "No virtual machine matches “no-such-vm”");
    g_assert_true(gtk_widget_is_visible(GTK_WIDGET(label)));
    svm_test_save_screenshot(GTK_WIDGET(window), "main-window-no-match.png");
    gtk_entry_set_text(search, "");
    wait_page(window, "list");

    /* The state filter alone: the test driver's one VM runs. */
    gtk_combo_box_set_active_id(state, "paused");
    wait_page(window, "no-match");
    g_assert_nonnull(strstr(gtk_label_get_text(label), "state"));
    gtk_combo_box_set_active_id(state, "all");
    wait_page(window, "list");
    gtk_widget_destroy(GTK_WIDGET(window));
}

/* The tooltip window on screen, or NULL. */
static GtkWidget *
tooltip_window(void)
{
    g_autoptr(GList) tops = gtk_window_list_toplevels();

    for (GList *l = tops; l; l = l->next) {
        if (g_str_equal(G_OBJECT_TYPE_NAME(l->data), "GtkTooltipWindow") &&
            gtk_widget_get_mapped(l->data))
            return l->data;
    }
    return NULL;
}

/* The text the tooltip on screen shows, or NULL. */
static char *
shown_tooltip(void)
{
    GtkWidget *tip = tooltip_window();
    GString *text;
    GList *todo;

    if (!tip)
        return NULL;
    text = g_string_new(NULL);
    todo = g_list_prepend(NULL, tip);
    while (todo) {
        GtkWidget *w = todo->data;

        todo = g_list_delete_link(todo, todo);
        if (GTK_IS_LABEL(w) && gtk_widget_get_visible(w))
            g_string_append(text, gtk_label_get_text(GTK_LABEL(w)));
        else if (GTK_IS_CONTAINER(w))
            todo = g_list_concat(gtk_container_get_children(GTK_CONTAINER(w)), todo);
    }
    return g_string_free(text, FALSE);
}

static gboolean
tooltip_has(gpointer data)
{
    g_autofree char *text = shown_tooltip();

    return text && strstr(text, data);
}

static gboolean
no_tooltip(gpointer data)
{
    g_autofree char *text = shown_tooltip();

    return text == NULL;
}

/* Off every window, so that no tooltip stays up. */
static void
pointer_away(GdkDisplay *display)
{
    GdkScreen *screen = gdk_display_get_default_screen(display);
    GdkDevice *pointer = gdk_seat_get_pointer(gdk_display_get_default_seat(display));
    GdkRectangle geometry;

    gdk_monitor_get_geometry(gdk_display_get_monitor(display, 0), &geometry);
    gdk_device_warp(pointer, screen, geometry.width - 1, geometry.height - 1);
    svm_test_wait_for(no_tooltip, NULL, 5000, "the last tooltip to go");
}

/* Moves the real pointer over the middle of a cell, as a user's mouse does. */
static void
hover_cell(GtkTreeView *view, const char *uuid, SvmWindow *window, int column)
{
    GtkTreeModel *model = view_model(window);
    GtkTreeIter iter;
    gboolean valid = gtk_tree_model_get_iter_first(model, &iter);
    GdkWindow *bin = gtk_tree_view_get_bin_window(view);
    GdkDisplay *display = gdk_window_get_display(bin);
    GdkDevice *pointer = gdk_seat_get_pointer(gdk_display_get_default_seat(display));
    GdkRectangle area;
    int x, y;

    while (valid) {
        g_autofree char *row = NULL;

        gtk_tree_model_get(model, &iter, SVM_VM_LIST_COL_UUID, &row, -1);
        if (g_str_equal(row, uuid))
            break;
        valid = gtk_tree_model_iter_next(model, &iter);
    }
    g_assert_true(valid);
    {
        g_autoptr(GtkTreePath) path = gtk_tree_model_get_path(model, &iter);

        gtk_tree_view_get_cell_area(view, path, gtk_tree_view_get_column(view, column), &area);
    }
    gdk_window_get_origin(bin, &x, &y);
    pointer_away(display);
    gdk_device_warp(pointer, gdk_display_get_default_screen(display),
                    x + area.x + area.width / 2, y + area.y + area.height / 2);
}

/* At 800×600 the list still shows what tells VMs apart: the category pair at the end of each
 * process label, and the whole name and label in tooltips. */
static void
test_narrow_window(void)
{
    static const char *long_name =
        "svm-long-name-web-frontend-for-the-staging-environment-of-the-shop";
    SvmWindow *window;
    GtkTreeView *view;
    g_autoptr(virConnect) other = virConnectOpen("test:///default");
    g_autoptr(virDomain) vm = svm_test_define_test_vm(other, long_name, "");
    g_autofree char *label = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];
    RowWait labelled = { NULL, NULL, SVM_VM_LIST_COL_PROCESS_LABEL,
                         "system_u:system_r:svirt_t:s0:c" };
    GtkCellRenderer *renderer;
    PangoEllipsizeMode ellipsize;
    g_autoptr(GList) cells = NULL;

    g_assert_nonnull(vm);
    virDomainGetUUIDString(vm, uuid);
    window = open_window("test:///default");
    gtk_window_resize(GTK_WINDOW(window), 800, 600);
    view = vm_view(window);
    labelled.window = window;
    labelled.uuid = uuid;
    svm_test_wait_for(window_loaded, window, 10000, "the VM list");
    select_vm(window, long_name);
    g_action_group_activate_action(G_ACTION_GROUP(window), "start", NULL);
    svm_test_wait_for(row_has_prefix, &labelled, 10000, "the long-named VM's process label");
    label = row_string(window, uuid, SVM_VM_LIST_COL_PROCESS_LABEL);

    /* The label column gives up the start of a label, never its category pair. */
    cells = gtk_cell_layout_get_cells(GTK_CELL_LAYOUT(gtk_tree_view_get_column(view, 4)));
    renderer = cells->data;
    g_object_get(renderer, "ellipsize", &ellipsize, NULL);
    g_assert_cmpint(ellipsize, ==, PANGO_ELLIPSIZE_START);
    svm_test_save_screenshot(GTK_WIDGET(window), "main-window-800x600.png");
    {
        int width, height;

        gtk_window_get_size(GTK_WINDOW(window), &width, &height);
        g_assert_cmpint(width, ==, 800);
        g_assert_cmpint(height, ==, 600);
    }

    /* Hovering shows the whole name, then the whole label. */
    gtk_window_present(GTK_WINDOW(window));
    hover_cell(view, uuid, window, 0);
    svm_test_wait_for(tooltip_has, (gpointer)long_name, 5000, "the whole name in a tooltip");
    svm_test_save_screenshot(tooltip_window(), "main-window-name-tooltip.png");
    hover_cell(view, uuid, window, 4);
    svm_test_wait_for(tooltip_has, label, 5000, "the whole process label in a tooltip");
    svm_test_save_screenshot(tooltip_window(), "main-window-label-tooltip.png");
    hover_cell(view, uuid, window, 2);
    svm_test_wait_for(tooltip_has, "Isolated", 5000, "the isolation explained in a tooltip");
    pointer_away(gtk_widget_get_display(GTK_WIDGET(window)));

    g_action_group_activate_action(G_ACTION_GROUP(window), "force-off", NULL);
    answer_force_off(long_name, GTK_RESPONSE_ACCEPT, NULL);
    labelled.column = SVM_VM_LIST_COL_STATE_LABEL;
    labelled.prefix = "Shut off";
    svm_test_wait_for(row_has_prefix, &labelled, 10000, "the long-named VM to stop");
    gtk_widget_destroy(GTK_WIDGET(window));
    virDomainUndefine(vm);
}

static gboolean
details_refreshed(gpointer data)
{
    SvmVmWindow *details = data;

    return svm_vm_window_get_refresh_count(details) > 0 &&
           !svm_security_page_is_busy(
               svm_test_template_child(details, SVM_TYPE_VM_WINDOW, "security_page"));
}

/* The label columns follow every label change without F5: settings applied in a details
 * window, a stop done outside the app. */
static void
test_labels_follow(void)
{
    SvmWindow *window = open_window("test:///default");
    g_autoptr(virConnect) other = virConnectOpen("test:///default");
    g_autoptr(virDomain) vm = svm_test_define_test_vm(other, "epsilon-apply", "");
    char uuid[VIR_UUID_STRING_BUFLEN];
    RowWait will_isolate = { window, NULL, SVM_VM_LIST_COL_ISOLATION_TEXT, "Will be isolated" };
    RowWait unlabelled = { window, NULL, SVM_VM_LIST_COL_ISOLATION_TEXT, "No SELinux label" };
    RowWait mode_none = { window, NULL, SVM_VM_LIST_COL_MODE_LABEL, "None" };
    RowWait isolated = { window, NULL, SVM_VM_LIST_COL_ISOLATION_TEXT, "Isolated:" };
    RowWait unlabelled_icon = { window, NULL, SVM_VM_LIST_COL_ISOLATION_ICON,
                                "dialog-warning-symbolic" };
    SvmVmWindow *details;
    SvmSecurityPage *security;
    g_autofree char *icon = NULL;

    g_assert_nonnull(vm);
    virDomainGetUUIDString(vm, uuid);
    will_isolate.uuid = unlabelled.uuid = mode_none.uuid = isolated.uuid = uuid;
    unlabelled_icon.uuid = uuid;
    svm_test_wait_for(window_loaded, window, 10000, "the VM list");
    svm_test_wait_for(row_has_prefix, &will_isolate, 10000, "the stopped VM's isolation");
    icon = row_string(window, uuid, SVM_VM_LIST_COL_ISOLATION_ICON);
    g_assert_cmpstr(icon, ==, "security-high-symbolic");

    /* Its details, opened from the list; no label at all, applied there. */
    select_vm(window, "epsilon-apply");
    g_action_group_activate_action(G_ACTION_GROUP(window), "details", NULL);
    details = SVM_VM_WINDOW(find_toplevel(SVM_TYPE_VM_WINDOW));
    g_assert_nonnull(details);
    security = svm_test_template_child(details, SVM_TYPE_VM_WINDOW, "security_page");
    svm_test_wait_for(details_refreshed, details, 10000, "the details");
    svm_vm_window_show_page(details, "security");
    gtk_button_clicked(
        GTK_BUTTON(svm_test_template_child(security, SVM_TYPE_SECURITY_PAGE, "none_radio")));
    gtk_button_clicked(
        GTK_BUTTON(svm_test_template_child(security, SVM_TYPE_SECURITY_PAGE, "apply_button")));
    svm_test_wait_for(row_has_prefix, &unlabelled, 10000,
                      "the list to show the VM unlabelled, without F5");
    g_assert_true(row_has_prefix(&mode_none));
    g_assert_true(row_has_prefix(&unlabelled_icon));
    gtk_window_present(GTK_WINDOW(window));
    svm_test_save_screenshot(GTK_WIDGET(window), "main-window-after-apply.png");
    gtk_button_clicked(
        GTK_BUTTON(svm_test_template_child(security, SVM_TYPE_SECURITY_PAGE, "dynamic_radio")));
    gtk_button_clicked(GTK_BUTTON(svm_test_template_child(security, SVM_TYPE_SECURITY_PAGE,
                                                 "apply_button")));
    svm_test_wait_for(row_has_prefix, &will_isolate, 10000, "the list to follow, again");
    gtk_widget_destroy(GTK_WIDGET(details));

    /* Settings stored by another program, as 'svirtctl set-label' does. */
    {
        g_autoptr(SvirtSettings) settings = svirt_settings_new();
        g_autofree char *xml = NULL;
        RowWait mode_static = { window, uuid, SVM_VM_LIST_COL_MODE_LABEL, "Static" };
        RowWait mode_dynamic = { window, uuid, SVM_VM_LIST_COL_MODE_LABEL, "Dynamic" };
        RowWait static_label = { window, uuid, SVM_VM_LIST_COL_PROCESS_LABEL,
                                 "system_u:system_r:svirt_t:s0:c21,c22" };

        settings->mode = SVIRT_SECURITY_MODE_STATIC;
        settings->label = g_strdup("system_u:system_r:svirt_t:s0:c21,c22");
        xml = svirt_settings_format(settings);
        g_assert_cmpint(virDomainSetMetadata(vm, VIR_DOMAIN_METADATA_ELEMENT, xml,
                                             SVIRT_METADATA_PREFIX, SVIRT_METADATA_NS,
                                             VIR_DOMAIN_AFFECT_CONFIG),
                        ==, 0);
        svm_test_wait_for(row_has_prefix, &mode_static, 10000,
                          "the list to follow settings stored elsewhere");
        g_assert_true(row_has_prefix(&static_label));
        g_assert_cmpint(virDomainSetMetadata(vm, VIR_DOMAIN_METADATA_ELEMENT, NULL,
                                             SVIRT_METADATA_PREFIX, SVIRT_METADATA_NS,
                                             VIR_DOMAIN_AFFECT_CONFIG),
                        ==, 0);
        svm_test_wait_for(row_has_prefix, &mode_dynamic, 10000,
                          "the list to follow settings removed elsewhere");
    }

    /* Started here, stopped elsewhere: the row drops the label the VM no longer holds. */
    select_vm(window, "epsilon-apply");
    g_action_group_activate_action(G_ACTION_GROUP(window), "start", NULL);
    svm_test_wait_for(row_has_prefix, &isolated, 10000, "the running VM's isolation");
    g_assert_cmpint(virDomainDestroy(vm), ==, 0);
    svm_test_wait_for(row_has_prefix, &will_isolate, 10000,
                      "the list to follow a stop done elsewhere");
    {
        g_autofree char *label = row_string(window, uuid, SVM_VM_LIST_COL_PROCESS_LABEL);

        g_assert_cmpstr(label, ==, "—");
    }
    gtk_widget_destroy(GTK_WIDGET(window));
    virDomainUndefine(vm);
}

static gboolean
engine_watching(gpointer data)
{
    return svirt_engine_is_watching_labels(svm_window_get_engine(SVM_WINDOW(data)));
}

/* Labels another process changes show without F5: here 'svirtctl reconcile', run on a
 * connection where the VM does not run, restores what the VM holds. */
static void
test_labels_follow_other_process(void)
{
    SvmWindow *window = open_window("test:///default");
    g_autoptr(virConnect) other = virConnectOpen("test:///default");
    g_autoptr(GError) error = NULL;
    /* Named after this run's owner, so the watchdog removes it however the test ends. */
    g_autofree char *dir = svm_test_make_vm_dir("svm-ui-watch");
    g_autofree char *disk = g_build_filename(dir, "disk.img", NULL);
    g_autofree char *xml = g_strdup_printf(
        "<domain type='test'><name>zeta-watched</name><memory>65536</memory>"
        "<os><type>hvm</type></os><devices><disk type='file' device='disk'>"
        "<source file='%s'/><target dev='vda' bus='virtio'/></disk></devices></domain>",
        disk);
    g_autoptr(virDomain) vm = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];
    RowWait isolated = { window, NULL, SVM_VM_LIST_COL_ISOLATION_TEXT, "Isolated:" };
    RowWait problem = { window, NULL, SVM_VM_LIST_COL_ISOLATION_TEXT, NULL };
    RowWait warning_icon = { window, NULL, SVM_VM_LIST_COL_ISOLATION_ICON,
                             "dialog-warning-symbolic" };
    const char *argv[] = { g_getenv("SVIRTCTL"), "--connect", "test:///default", "reconcile",
                           NULL };
    GPid pid;
    int status;

    g_assert_no_error(error);
    g_assert_true(g_file_set_contents(disk, "", 0, NULL));
    vm = virDomainDefineXML(other, xml);
    g_assert_nonnull(vm);
    virDomainGetUUIDString(vm, uuid);
    isolated.uuid = problem.uuid = warning_icon.uuid = uuid;
    /* What the row says once the journal no longer holds the VM's labels: its live definition
     * claims them, but only the journal is trusted, so its files count as not labelled for it. */
    problem.prefix = "Started outside sVirt Manager";
    svm_test_wait_for(window_loaded, window, 10000, "the VM list");
    svm_test_wait_for(engine_watching, window, 10000, "the window to follow the label journal");
    select_vm(window, "zeta-watched");
    g_action_group_activate_action(G_ACTION_GROUP(window), "start", NULL);
    svm_test_wait_for(row_has_prefix, &isolated, 10000, "the running VM's isolation");
    svm_test_save_screenshot(GTK_WIDGET(window), "main-window-labels-before-other-process.png");

    /* Its report on stdout would break this test's TAP output. */
    g_assert_true(g_spawn_async(NULL, (char **)argv, NULL,
                                G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                                NULL, &pid, &error));
    g_assert_no_error(error);
    status = svm_test_wait_child(pid, 30000, "svirtctl reconcile");
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    svm_test_wait_for(row_has_prefix, &problem, 10000,
                      "the list to show labels another process restored, without F5");
    g_assert_true(row_has_prefix(&warning_icon));
    {
        g_autofree char *why = row_string(window, uuid, SVM_VM_LIST_COL_ISOLATION_TEXT);

        g_assert_nonnull(strstr(why, "its files were not labelled for it"));
    }
    /* The cell's tooltip shows this same column; /ui/main-window/narrow checks tooltips. */
    gtk_window_present(GTK_WINDOW(window));
    svm_test_save_screenshot(GTK_WIDGET(window), "main-window-labels-from-other-process.png");

    gtk_widget_destroy(GTK_WIDGET(window));
    virDomainDestroy(vm);
    virDomainUndefine(vm);
    svm_test_rmdir(dir);
}

/* A VM defined with libvirt's own static seclabel (as virsh defines it) is Static in the list,
 * with that label. */
static void
test_native_seclabel_in_list(void)
{
    g_autoptr(virConnect) other = virConnectOpen("test:///default");
    g_autoptr(virDomain) vm = virDomainDefineXML(
        other, "<domain type='test'><name>svm-native-list</name><memory>65536</memory>"
               "<os><type>hvm</type></os><seclabel type='static' model='selinux' relabel='no'>"
               "<label>system_u:system_r:svirt_t:s0:c1,c2</label></seclabel></domain>");
    char uuid[VIR_UUID_STRING_BUFLEN];
    RowWait labelled = { NULL, NULL, SVM_VM_LIST_COL_PROCESS_LABEL,
                         "system_u:system_r:svirt_t:s0:c1,c2" };
    g_autofree char *mode = NULL;
    SvmWindow *window;

    g_assert_nonnull(vm);
    virDomainGetUUIDString(vm, uuid);
    window = open_window("test:///default");
    labelled.window = window;
    labelled.uuid = uuid;
    svm_test_wait_for(window_loaded, window, 10000, "the VM list");
    svm_test_wait_for(row_has_prefix, &labelled, 10000, "the static label in the list");
    mode = row_string(window, uuid, SVM_VM_LIST_COL_MODE_LABEL);
    g_assert_cmpstr(mode, ==, "Static");
    svm_test_save_screenshot(GTK_WIDGET(window), "main-window-native-seclabel.png");
    virDomainUndefine(vm);
    gtk_widget_destroy(GTK_WIDGET(window));
}

static void
set_stored_static(virDomainPtr vm, const char *label)
{
    g_autoptr(SvirtSettings) settings = svirt_settings_new();
    g_autofree char *xml = NULL;

    settings->mode = SVIRT_SECURITY_MODE_STATIC;
    settings->label = g_strdup(label);
    xml = svirt_settings_format(settings);
    g_assert_cmpint(virDomainSetMetadata(vm, VIR_DOMAIN_METADATA_ELEMENT, xml,
                                         SVIRT_METADATA_PREFIX, SVIRT_METADATA_NS,
                                         VIR_DOMAIN_AFFECT_CONFIG),
                    ==, 0);
}

/* A static label is isolated or not next to the other VMs' levels: when another VM is given a
 * range that covers it, its own row changes too, without F5. */
static void
test_reach_follows_others(void)
{
    g_autoptr(virConnect) other = virConnectOpen("test:///default");
    g_autoptr(virDomain) pair = svm_test_define_test_vm(other, "svm-reach-pair", "");
    g_autoptr(virDomain) range = svm_test_define_test_vm(other, "svm-reach-range", "");
    char uuid[VIR_UUID_STRING_BUFLEN];
    RowWait will_isolate = { NULL, uuid, SVM_VM_LIST_COL_ISOLATION_TEXT, "Will be isolated" };
    RowWait reached = { NULL, uuid, SVM_VM_LIST_COL_ISOLATION_TEXT, "Not isolated." };
    g_autofree char *tooltip = NULL;
    SvmWindow *window;

    g_assert_nonnull(pair);
    g_assert_nonnull(range);
    virDomainGetUUIDString(pair, uuid);
    set_stored_static(pair, "system_u:system_r:svirt_t:s0:c81,c82");
    window = open_window("test:///default");
    will_isolate.window = reached.window = window;
    svm_test_wait_for(window_loaded, window, 10000, "the VM list");
    svm_test_wait_for(row_has_prefix, &will_isolate, 10000, "the static VM's isolation");

    set_stored_static(range, "system_u:system_r:svirt_t:s0-s0:c0.c1023");
    svm_test_wait_for(row_has_prefix, &reached, 10000,
                      "the static VM's row to say that another VM's range reaches it");
    tooltip = row_string(window, uuid, SVM_VM_LIST_COL_ISOLATION_TEXT);
    g_test_message("%s", tooltip);
    g_assert_nonnull(strstr(tooltip, "svm-reach-range"));
    gtk_widget_destroy(GTK_WIDGET(window));
    virDomainUndefine(range);
    virDomainUndefine(pair);
}

int
main(int argc, char *argv[])
{
    g_autofree char *state = NULL;
    int ret;

    /* The watchdog also removes the state directory should a late journal write bring it back
     * after the removal below. */
    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_DEFAULT);
    gtk_test_init(&argc, &argv, NULL);
    /* Screenshots must show the end state, not a frame of a transition. */
    g_object_set(gtk_settings_get_default(), "gtk-enable-animations", FALSE, NULL);
    svirt_engine_init_libvirt();
    /* The window reconciles on connecting; on the test driver that must not touch what VMs of
     * other tests hold. */
    state = svm_test_make_vm_dir("svm-ui-state");
    g_setenv("SVIRT_STATE_DIR", state, TRUE);
    g_test_add_func("/ui/main-window/list-and-events", test_list_and_events);
    g_test_add_func("/ui/main-window/native-seclabel", test_native_seclabel_in_list);
    g_test_add_func("/ui/main-window/accessibility", test_accessibility);
    g_test_add_func("/ui/main-window/bad-uri", test_bad_uri);
    g_test_add_func("/ui/main-window/filter", test_filter);
    g_test_add_func("/ui/main-window/actions", test_actions);
    g_test_add_func("/ui/main-window/connections", test_connections);
    g_test_add_func("/ui/main-window/opens-details-and-assistant",
                    test_opens_details_and_assistant);
    g_test_add_func("/ui/main-window/delete", test_delete_from_window);
    g_test_add_func("/ui/main-window/context-menu", test_context_menu);
    g_test_add_func("/ui/delete-dialog", test_delete_dialog);
    g_test_add_func("/ui/connect-dialog", test_connect_dialog);
    g_test_add_func("/ui/main-window/power-buttons", test_power_buttons);
    g_test_add_func("/ui/main-window/filter-no-match", test_filter_no_match);
    g_test_add_func("/ui/main-window/narrow", test_narrow_window);
    g_test_add_func("/ui/main-window/labels-follow", test_labels_follow);
    g_test_add_func("/ui/main-window/labels-follow-other-process",
                    test_labels_follow_other_process);
    g_test_add_func("/ui/main-window/reach-follows-others", test_reach_follows_others);
    ret = g_test_run();
    svm_test_rmdir(state);
    return ret;
}
