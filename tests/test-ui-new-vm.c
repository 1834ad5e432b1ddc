#include "config.h"

#include <libvirt/virterror.h>
#include <string.h>
#include <unistd.h>

#include "svirt-lifecycle.h"
#include "svm-new-vm-assistant-private.h"
#include "svm-vm-window-private.h"
#include "svm-test-fixture.h"
#include "svm-test-app.h"
#include "svm-test-ui.h"
#include "svm-test-util.h"
#include "svm-test-vm.h"

#define URI svm_test_uri()

/* The widget @name of whichever page of the assistant holds it. */
static gpointer
child(SvmNewVmAssistant *a, const char *name)
{
    GtkAssistant *as = GTK_ASSISTANT(a);
    GObject *obj = NULL;

    for (int i = 0; i < gtk_assistant_get_n_pages(as) && obj == NULL; i++) {
        GtkWidget *page = gtk_assistant_get_nth_page(as, i);

        obj = gtk_widget_get_template_child(page, G_OBJECT_TYPE(page), name);
    }
    g_assert_nonnull(obj);
    return obj;
}

static gboolean
not_busy(gpointer data)
{
    return !svm_new_vm_assistant_is_busy(SVM_NEW_VM_ASSISTANT(data));
}

static gboolean
page_complete(SvmNewVmAssistant *a)
{
    GtkAssistant *as = GTK_ASSISTANT(a);

    return gtk_assistant_get_page_complete(
        as, gtk_assistant_get_nth_page(as, gtk_assistant_get_current_page(as)));
}

static void collect_child(GtkWidget *widget, gpointer data);

static GtkWidget *
find_shown_button(GtkWidget *widget, const char *label)
{
    GList *children = NULL;
    GtkWidget *found = NULL;

    if (!gtk_widget_get_visible(widget))
        return NULL;
    if (GTK_IS_BUTTON(widget) && g_strcmp0(gtk_button_get_label(GTK_BUTTON(widget)), label) == 0)
        return widget;
    if (!GTK_IS_CONTAINER(widget))
        return NULL;
    gtk_container_forall(GTK_CONTAINER(widget), collect_child, &children);
    for (GList *l = children; l && !found; l = l->next)
        found = find_shown_button(l->data, label);
    g_list_free(children);
    return found;
}

/* A button the user sees labelled @label (with its mnemonic); NULL when none is shown. */
static GtkWidget *
shown_button(SvmNewVmAssistant *a, const char *label)
{
    return find_shown_button(GTK_WIDGET(a), label);
}

static void
assert_chrome(SvmNewVmAssistant *a)
{
    /* One title throughout, and no jump to the end past unseen pages. */
    g_assert_cmpstr(gtk_window_get_title(GTK_WINDOW(a)), ==, "New Virtual Machine");
    g_assert_null(shown_button(a, "_Finish"));
}

/* Next, as the user clicks it. */
static void
next_page(SvmNewVmAssistant *a, int expected)
{
    GtkWidget *next;

    svm_test_wait_for(not_busy, a, 20000, "the page's checks");
    g_assert_true(page_complete(a));
    assert_chrome(a);
    next = shown_button(a, "_Next");
    g_assert_nonnull(next);
    g_assert_true(gtk_widget_is_sensitive(next));
    gtk_button_clicked(GTK_BUTTON(next));
    g_assert_cmpint(gtk_assistant_get_current_page(GTK_ASSISTANT(a)), ==, expected);
    assert_chrome(a);
}

static void
collect_child(GtkWidget *widget, gpointer data)
{
    GList **list = data;

    *list = g_list_prepend(*list, widget);
}

static int
count_rows(GtkTreeModel *model)
{
    return gtk_tree_model_iter_n_children(model, NULL);
}

static char *
plan_label_of(GtkTreeModel *model, const char *path_suffix)
{
    GtkTreeIter iter;
    gboolean ok = gtk_tree_model_get_iter_first(model, &iter);

    for (; ok; ok = gtk_tree_model_iter_next(model, &iter)) {
        g_autofree char *path = NULL;
        char *label = NULL;

        gtk_tree_model_get(model, &iter, 0, &path, 2, &label, -1);
        if (g_str_has_suffix(path, path_suffix))
            return label;
        g_free(label);
    }
    return NULL;
}

static void
add_disk(SvmNewVmAssistant *a, const char *path, const char *designation)
{
    GtkComboBox *access = child(a, "designation_combo");

    if (path) {
        gtk_toggle_button_set_active(child(a, "existing_radio"), TRUE);
        gtk_entry_set_text(child(a, "existing_entry"), path);
    } else {
        gtk_toggle_button_set_active(child(a, "new_volume_radio"), TRUE);
        gtk_spin_button_set_value(child(a, "size_spin"), 8);
        gtk_combo_box_set_active_id(child(a, "format_combo"), "raw");
    }
    gtk_combo_box_set_active_id(access, designation);
    gtk_button_clicked(child(a, "add_disk_button"));
}

static void
on_vm_created(SvmNewVmAssistant *a, const char *uuid, char **out)
{
    *out = g_strdup(uuid);
}

static gboolean
created_or_failed(gpointer data)
{
    SvmNewVmAssistant *a = data;

    return !svm_new_vm_assistant_is_busy(a) &&
           (svm_new_vm_assistant_get_error(a) ||
            gtk_assistant_get_current_page(GTK_ASSISTANT(a)) == 6);
}

typedef struct {
    char *uuid;
    char *xml;
    char *error;
    SvirtSettings *settings;
    SvirtVmStatus *status; /* right after "start after creating" */
    gboolean open_shown;
    SvmVmWindow *details; /* what Open opened */
    gboolean console_shown;
    gboolean assistant_closed;
} Outcome;

static gboolean
details_refreshed(gpointer data)
{
    return svm_vm_window_get_refresh_count(data) > 0;
}

static SvmVmWindow *
find_details(const char *uuid)
{
    g_autoptr(GList) windows = gtk_window_list_toplevels();

    for (GList *l = windows; l; l = l->next) {
        if (SVM_IS_VM_WINDOW(l->data) &&
            g_strcmp0(svm_vm_window_get_vm_uuid(l->data), uuid) == 0 &&
            gtk_widget_get_visible(l->data))
            return l->data;
    }
    return NULL;
}

static void
test_create(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = svm_test_make_vm_dir("svm-ui-new");
    g_autofree char *iso = g_build_filename(dir, "install.iso", NULL);
    g_autofree char *shared = g_build_filename(dir, "shared.img", NULL);
    g_autofree char *readonly = g_build_filename(dir, "readonly.img", NULL);
    g_autofree char *name = g_strdup_printf("svm-test-ui-new-%d", (int)getpid());
    g_autofree char *volume = g_strdup_printf("%s-1.img", name);
    g_autofree char *volume_label = NULL;
    g_autoptr(virConnect) conn = NULL;
    SvmNewVmAssistant *a;
    GtkAssistant *as;
    GtkLabel *message;
    GtkComboBox *display;
    const char *summary;
    GtkWidget *create;
    Outcome out = { 0 };

    g_assert_true(svirt_engine_connect(engine, NULL, &error));
    conn = svirt_engine_dup_connection(engine, NULL);
    svm_test_write_boot_image(iso);
    svm_test_write_blank_image(shared, 65536);
    svm_test_write_blank_image(readonly, 65536);

    a = svm_new_vm_assistant_new(NULL, engine);
    as = GTK_ASSISTANT(a);
    g_signal_connect(a, "vm-created", G_CALLBACK(on_vm_created), &out.uuid);
    gtk_widget_show(GTK_WIDGET(a));
    svm_test_wait_for(not_busy, a, 10000, "pools and networks");

    /* Name and resources: a bad name is refused inline. */
    g_assert_cmpint(gtk_assistant_get_current_page(as), ==, 0);
    g_assert_false(page_complete(a));
    gtk_entry_set_text(child(a, "name_entry"), "bad/name");
    message = child(a, "name_message");
    g_assert_false(page_complete(a));
    g_assert_true(gtk_widget_get_visible(GTK_WIDGET(message)));
    g_assert_nonnull(strstr(gtk_label_get_text(message), "position 4"));
    svm_test_save_screenshot(GTK_WIDGET(a), "assistant-name-invalid.png");
    /* Next cannot be clicked with a bad name. */
    g_assert_false(gtk_widget_is_sensitive(shown_button(a, "_Next")));
    gtk_entry_set_text(child(a, "name_entry"), name);
    gtk_spin_button_set_value(child(a, "memory_spin"), 32);
    svm_test_wait_for(not_busy, a, 20000, "the name check");
    g_assert_false(gtk_widget_get_visible(GTK_WIDGET(message)));
    svm_test_save_screenshot(GTK_WIDGET(a), "assistant-basics.png");
    next_page(a, 1);

    /* Install source: an ISO. */
    gtk_toggle_button_set_active(child(a, "source_iso"), TRUE);
    g_assert_false(page_complete(a));
    gtk_entry_set_text(child(a, "source_entry"), "/nonexistent.iso");
    g_assert_false(page_complete(a));
    g_assert_nonnull(strstr(gtk_label_get_text(child(a, "source_message")), "No such file"));
    gtk_entry_set_text(child(a, "source_entry"), iso);
    svm_test_save_screenshot(GTK_WIDGET(a), "assistant-source.png");
    next_page(a, 2);

    /* Storage: a private new volume, a shared and a read-only file. */
    g_assert_true(page_complete(a)); /* the ISO alone can boot */
    add_disk(a, NULL, "private");
    add_disk(a, shared, "shared");
    add_disk(a, readonly, "readonly");
    /* The same file twice is refused, with the reason under the form. */
    add_disk(a, shared, "private");
    g_assert_nonnull(strstr(gtk_label_get_text(child(a, "storage_message")), "same file"));
    g_assert_cmpint(count_rows(GTK_TREE_MODEL(child(a, "disk_store"))), ==, 3);
    gtk_entry_set_text(child(a, "existing_entry"), "");
    svm_test_save_screenshot(GTK_WIDGET(a), "assistant-storage.png");
    next_page(a, 3);

    /* Display: VNC by default, SPICE as the host's QEMU offers it, or none. */
    display = child(a, "display_combo");
    g_assert_cmpstr(gtk_combo_box_get_active_id(display), ==, "vnc");
    g_assert_true(gtk_combo_box_set_active_id(display, "none"));
    g_assert_nonnull(strstr(gtk_label_get_text(child(a, "display_note")), "serial console"));
    g_assert_cmpint(gtk_combo_box_set_active_id(display, "spice"), ==,
                    svirt_engine_has_display_kind(engine, SVIRT_DISPLAY_SPICE, "qemu", NULL));
    g_assert_true(gtk_combo_box_set_active_id(display, "vnc"));
    g_assert_nonnull(strstr(gtk_label_get_text(child(a, "display_note")),
                            "only through libvirt"));
    g_assert_true(page_complete(a));
    svm_test_save_screenshot(GTK_WIDGET(a), "assistant-network.png");
    next_page(a, 4);

    /* Security: a static label is checked as it is typed. */
    gtk_toggle_button_set_active(child(a, "static_radio"), TRUE);
    g_assert_false(page_complete(a));
    gtk_entry_set_text(child(a, "label_entry"), "system_u:system_r:svirt_t:s0:c5.c1");
    message = child(a, "label_message");
    g_assert_false(page_complete(a));
    g_assert_true(gtk_widget_get_visible(GTK_WIDGET(message)));
    g_assert_nonnull(strstr(gtk_label_get_text(message), "reversed"));
    svm_test_save_screenshot(GTK_WIDGET(a), "assistant-security-invalid.png");
    gtk_entry_set_text(child(a, "label_entry"), "system_u:system_r:svirt_t:s0:c11,c22");
    g_assert_true(page_complete(a));
    g_assert_false(gtk_widget_get_visible(GTK_WIDGET(message)));
    svm_test_save_screenshot(GTK_WIDGET(a), "assistant-security.png");
    next_page(a, 5);

    /* Summary: the engine's plan. */
    svm_test_wait_for(not_busy, a, 10000, "the preview");
    g_assert_null(svm_new_vm_assistant_get_error(a));
    g_assert_true(page_complete(a));
    g_assert_cmpint(count_rows(GTK_TREE_MODEL(child(a, "plan_store"))), ==, 4);
    volume_label = plan_label_of(GTK_TREE_MODEL(child(a, "plan_store")), volume);
    g_assert_cmpstr(volume_label, ==, "system_u:object_r:svirt_image_t:s0:c11,c22");
    /* Counts read as English: "1 virtual CPU", "2 disks". */
    summary = gtk_label_get_text(child(a, "summary_label"));
    g_test_message("summary: %s", summary);
    g_assert_nonnull(strstr(summary, " virtual CPU"));
    g_assert_nonnull(strstr(summary, "VNC display reached only through libvirt"));
    g_assert_false(g_regex_match_simple("(^|[^0-9])1 (virtual CPUs|disks)", summary, 0, 0));
    g_assert_false(g_regex_match_simple("(^|[^0-9])([02-9]|[0-9]{2,}) (virtual CPU|disk)[,.]",
                                        summary, 0, 0));
    svm_test_save_screenshot(GTK_WIDGET(a), "assistant-summary.png");

    /* Create, and start it at once: the VM then runs with its files labelled. */
    gtk_toggle_button_set_active(child(a, "start_check"), TRUE);
    assert_chrome(a);
    create = shown_button(a, "_Create");
    g_assert_nonnull(create);
    g_assert_true(gtk_widget_is_sensitive(create));
    g_assert_true(gtk_style_context_has_class(gtk_widget_get_style_context(create),
                                              GTK_STYLE_CLASS_SUGGESTED_ACTION));
    g_object_add_weak_pointer(G_OBJECT(a), (gpointer *)&a);
    gtk_button_clicked(GTK_BUTTON(create));
    g_assert_nonnull(shown_button(a, "_Cancel"));
    /* Usually still at work; if not, this shows the last page. */
    svm_test_save_screenshot(GTK_WIDGET(a), "assistant-creating.png");
    svm_test_wait_for(created_or_failed, a, 60000, "the VM to be created");
    svm_test_save_screenshot(GTK_WIDGET(a), "assistant-done.png");
    assert_chrome(a);

    out.error = g_strdup(svm_new_vm_assistant_get_error(a));
    if (out.uuid) {
        out.xml = svirt_engine_get_domain_xml(engine, out.uuid, TRUE, NULL);
        out.settings = svirt_engine_get_settings(engine, out.uuid, NULL);
        out.status = svirt_engine_get_vm_status(engine, out.uuid, NULL);
    }
    /* Open shows the new VM's details on its Console page, in place of the assistant. */
    out.open_shown = shown_button(a, "_Open") != NULL;
    if (out.open_shown && out.uuid) {
        gtk_button_clicked(GTK_BUTTON(shown_button(a, "_Open")));
        out.details = find_details(out.uuid);
        if (out.details) {
            GtkWidget *console =
                svm_test_template_child(out.details, SVM_TYPE_VM_WINDOW, "console_page");

            out.console_shown = gtk_widget_get_mapped(console);
            svm_test_wait_for(details_refreshed, out.details, 30000, "the details of the VM");
            svm_test_save_screenshot(GTK_WIDGET(out.details), "assistant-opened.png");
            gtk_widget_destroy(GTK_WIDGET(out.details));
        }
    }
    out.assistant_closed = a == NULL;
    if (out.uuid)
        svirt_engine_stop_vm(engine, out.uuid, TRUE, 0, NULL);
    if (a)
        gtk_widget_destroy(GTK_WIDGET(a));
    {
        virDomainPtr dom = virDomainLookupByName(conn, name);
        virStoragePoolPtr pool = virStoragePoolLookupByName(conn, SVIRT_DEFAULT_POOL);
        virStorageVolPtr vol = pool ? virStorageVolLookupByName(pool, volume) : NULL;

        if (dom) {
            virDomainUndefine(dom);
            virDomainFree(dom);
        }
        if (vol) {
            virStorageVolDelete(vol, 0);
            virStorageVolFree(vol);
        }
        if (pool)
            virStoragePoolFree(pool);
        virResetLastError();
    }
    svm_test_rmdir(dir);

    g_assert_cmpstr(out.error, ==, NULL);
    g_assert_nonnull(out.uuid);
    g_assert_true(out.open_shown);
    g_assert_nonnull(out.details);
    g_assert_true(out.console_shown);
    g_assert_true(out.assistant_closed);
    g_assert_nonnull(out.xml);
    g_test_message("%s", out.xml);
    g_assert_nonnull(strstr(out.xml, "<shareable/>"));
    g_assert_nonnull(strstr(out.xml, readonly));
    g_assert_nonnull(strstr(out.xml, volume));
    g_assert_nonnull(strstr(out.xml, "device='cdrom'"));
    /* The screen is reached only through libvirt. */
    g_assert_nonnull(strstr(out.xml, "<graphics type='vnc'>"));
    g_assert_nonnull(strstr(out.xml, "<listen type='none'/>"));
    g_assert_nonnull(strstr(out.xml, "<model type='vga'"));
    {
        /* The read-only file and the CD-ROM both carry <readonly/>. */
        const char *p = out.xml;
        int n = 0;

        while ((p = strstr(p, "<readonly/>"))) {
            n++;
            p++;
        }
        g_assert_cmpint(n, ==, 2);
    }
    g_assert_nonnull(out.settings);
    g_assert_cmpint(out.settings->mode, ==, SVIRT_SECURITY_MODE_STATIC);
    g_assert_cmpstr(out.settings->label, ==, "system_u:system_r:svirt_t:s0:c11,c22");
    g_assert_nonnull(out.status);
    g_assert_cmpstr(svirt_vm_state_to_id(out.status->state), ==, "running");
    g_assert_cmpstr(out.status->process_label, ==, "system_u:system_r:svirt_t:s0:c11,c22");
    for (guint i = 0; i < out.status->disks->len; i++) {
        SvirtDiskState *disk = g_ptr_array_index(out.status->disks, i);

        g_test_message("%s %s %s", disk->path, svirt_designation_to_string(disk->designation),
                       svirt_disk_status_to_string(disk->status));
        g_assert_cmpint(disk->status, ==, SVIRT_DISK_STATUS_LABELED);
    }
    svirt_vm_status_free(out.status);
    g_free(out.uuid);
    g_free(out.xml);
    g_free(out.error);
    svirt_settings_free(out.settings);
}

static void
test_accessibility(void)
{
    static const char *controls[] = {
        "name_entry", "memory_spin", "vcpus_spin", "source_entry", "disk_view", "pool_combo",
        "size_spin", "format_combo", "existing_entry", "designation_combo", "network_combo",
        "display_combo", "label_entry", "plan_view",
    };
    static const char *buttons[] = {
        "source_none", "source_iso", "source_image", "source_browse", "new_volume_radio",
        "existing_radio", "existing_browse", "add_disk_button", "remove_disk_button",
        "network_radio", "user_radio", "dynamic_radio", "static_radio", "relabel_check",
        "start_check",
    };
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    SvmNewVmAssistant *a;

    g_assert_true(svirt_engine_connect(engine, NULL, NULL));
    a = svm_new_vm_assistant_new(NULL, engine);
    gtk_widget_show(GTK_WIDGET(a));
    svm_test_wait_for(not_busy, a, 10000, "pools and networks");
    for (guint i = 0; i < G_N_ELEMENTS(controls); i++) {
        GtkWidget *w = child(a, controls[i]);
        const char *acc_name = atk_object_get_name(gtk_widget_get_accessible(w));

        g_test_message("%s: %s", controls[i], acc_name);
        g_assert_nonnull(acc_name);
        g_assert_cmpstr(acc_name, !=, "");
        g_assert_true(gtk_widget_get_can_focus(w));
    }
    for (guint i = 0; i < G_N_ELEMENTS(buttons); i++) {
        GtkButton *b = child(a, buttons[i]);

        /* Each has a mnemonic. */
        g_assert_true(gtk_button_get_use_underline(b));
        g_assert_nonnull(strchr(gtk_button_get_label(b), '_'));
    }
    /* Enter in the name field goes on, like the Next button. */
    g_assert_true(gtk_entry_get_activates_default(child(a, "name_entry")));
    gtk_widget_destroy(GTK_WIDGET(a));
}

static void
on_destroyed(GtkWidget *widget, gboolean *destroyed)
{
    *destroyed = TRUE;
}

static gboolean
is_true(gpointer data)
{
    return *(gboolean *)data;
}

static SvmNewVmAssistant *
open_assistant(SvirtEngine *engine, GtkWindow *parent, gboolean *destroyed)
{
    SvmNewVmAssistant *a = svm_new_vm_assistant_new(parent, engine);

    *destroyed = FALSE;
    g_signal_connect(a, "destroy", G_CALLBACK(on_destroyed), destroyed);
    gtk_widget_show(GTK_WIDGET(a));
    svm_test_wait_for(not_busy, a, 10000, "pools and networks");
    return a;
}

/* What a window manager sends when the window's close button is clicked. */
static void
click_close_button(GtkWidget *window)
{
    GdkEvent *event = gdk_event_new(GDK_DELETE);

    event->any.window = g_object_ref(gtk_widget_get_window(window));
    event->any.send_event = TRUE;
    gtk_main_do_event(event);
    gdk_event_free(event);
}

/* Escape, typed into the focused field. */
static void
press_escape(GtkWidget *window)
{
    GtkWidget *focus = gtk_window_get_focus(GTK_WINDOW(window));

    g_assert_nonnull(focus);
    g_assert_true(gtk_test_widget_send_key(focus, GDK_KEY_Escape, 0));
}

/* Fills the pages with a VM of one new volume and goes to the summary. */
static void
fill_to_summary(SvmNewVmAssistant *a, const char *name, const char *boot_image)
{
    gtk_entry_set_text(child(a, "name_entry"), name);
    gtk_spin_button_set_value(child(a, "memory_spin"), 32);
    next_page(a, 1);
    if (boot_image) {
        gtk_toggle_button_set_active(child(a, "source_image"), TRUE);
        gtk_entry_set_text(child(a, "source_entry"), boot_image);
    }
    next_page(a, 2);
    add_disk(a, NULL, "private");
    next_page(a, 3);
    next_page(a, 4);
    next_page(a, 5);
    svm_test_wait_for(not_busy, a, 20000, "the preview");
    g_assert_true(page_complete(a));
}

/* Cancel, Escape and the window's close button each close the modal assistant, on the first
 * page and further on, and leave no grab behind on the main window. */
static void
test_close(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    GtkWidget *main_window = gtk_window_new(GTK_WINDOW_TOPLEVEL);
    gboolean destroyed;
    SvmNewVmAssistant *a;

    g_assert_true(svirt_engine_connect(engine, NULL, NULL));
    gtk_widget_show(main_window);

    a = open_assistant(engine, GTK_WINDOW(main_window), &destroyed);
    g_assert_true(gtk_window_get_modal(GTK_WINDOW(a)));
    g_assert_nonnull(gtk_grab_get_current());
    assert_chrome(a);
    gtk_button_clicked(GTK_BUTTON(shown_button(a, "_Cancel")));
    svm_test_wait_for(is_true, &destroyed, 10000, "Cancel to close the assistant");
    g_assert_null(gtk_grab_get_current());

    a = open_assistant(engine, GTK_WINDOW(main_window), &destroyed);
    press_escape(GTK_WIDGET(a));
    svm_test_wait_for(is_true, &destroyed, 10000, "Escape to close the assistant");
    g_assert_null(gtk_grab_get_current());

    a = open_assistant(engine, GTK_WINDOW(main_window), &destroyed);
    click_close_button(GTK_WIDGET(a));
    svm_test_wait_for(is_true, &destroyed, 10000, "the close button to close the assistant");
    g_assert_null(gtk_grab_get_current());

    /* Further on, with a field focused, Escape still closes. */
    a = open_assistant(engine, GTK_WINDOW(main_window), &destroyed);
    gtk_entry_set_text(child(a, "name_entry"), "svm-test-never-created");
    next_page(a, 1);
    gtk_toggle_button_set_active(child(a, "source_iso"), TRUE);
    gtk_widget_grab_focus(child(a, "source_entry"));
    press_escape(GTK_WIDGET(a));
    svm_test_wait_for(is_true, &destroyed, 10000, "Escape on page 2 to close the assistant");
    g_assert_null(gtk_grab_get_current());

    gtk_widget_destroy(main_window);
}

static void
remove_volume(virConnectPtr conn, const char *volume)
{
    virStoragePoolPtr pool = virStoragePoolLookupByName(conn, SVIRT_DEFAULT_POOL);
    virStorageVolPtr vol = pool ? virStorageVolLookupByName(pool, volume) : NULL;

    if (vol) {
        virStorageVolDelete(vol, 0);
        virStorageVolFree(vol);
    }
    if (pool)
        virStoragePoolFree(pool);
    virResetLastError();
}

/* Escape pressed on @widget, handled before this returns: a key sent through the X server
 * would reach GTK only after whatever the main loop already has queued, such as the end of a
 * creation. */
static void
press_key_now(GtkWidget *widget, guint keyval)
{
    GdkWindow *window = gtk_widget_get_window(gtk_widget_get_toplevel(widget));
    GdkDisplay *display = gdk_window_get_display(window);
    GdkEvent *event = gdk_event_new(GDK_KEY_PRESS);
    GdkKeymapKey *keys = NULL;
    gint n_keys = 0;

    event->key.window = g_object_ref(window);
    event->key.send_event = TRUE;
    event->key.time = GDK_CURRENT_TIME;
    event->key.keyval = keyval;
    if (gdk_keymap_get_entries_for_keyval(gdk_keymap_get_for_display(display), keyval, &keys,
                                          &n_keys) && n_keys > 0)
        event->key.hardware_keycode = keys[0].keycode;
    g_free(keys);
    gdk_event_set_device(event, gdk_seat_get_keyboard(gdk_display_get_default_seat(display)));
    gtk_widget_grab_focus(widget);
    gtk_main_do_event(event);
    gdk_event_free(event);
}

/* Cancel, Escape or the window's close button while the VM is being created: the engine
 * undoes it all, then the assistant closes. */
static void
test_cancel_creation(gconstpointer data)
{
    const char *how = data;
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(virConnect) conn = NULL;
    g_autofree char *name = g_strdup_printf("svm-test-ui-cancel-%d", (int)getpid());
    g_autofree char *volume = g_strdup_printf("%s-1.img", name);
    g_autofree char *uuid = NULL;
    gboolean destroyed, cancel_shown, vm_left, volume_left;
    GtkWidget *cancel;
    SvmNewVmAssistant *a;

    g_assert_true(svirt_engine_connect(engine, NULL, NULL));
    conn = svirt_engine_dup_connection(engine, NULL);

    a = open_assistant(engine, NULL, &destroyed);
    g_signal_connect(a, "vm-created", G_CALLBACK(on_vm_created), &uuid);
    fill_to_summary(a, name, NULL);
    gtk_button_clicked(GTK_BUTTON(shown_button(a, "_Create")));
    /* At once, while the engine works: no main loop runs between Create and the cancel, so
     * the creation cannot have finished. */
    cancel = shown_button(a, "_Cancel");
    cancel_shown = cancel && gtk_widget_is_sensitive(cancel);
    if (g_str_equal(how, "cancel-button") && cancel)
        gtk_button_clicked(GTK_BUTTON(cancel));
    else if (g_str_equal(how, "escape") && cancel)
        press_key_now(cancel, GDK_KEY_Escape);
    else if (g_str_equal(how, "close-button"))
        click_close_button(GTK_WIDGET(a));
    if (!destroyed)
        svm_test_wait_for(is_true, &destroyed, 60000, "the cancelled creation to be undone");
    vm_left = svm_test_domain_exists(conn, name);
    volume_left = svm_test_volume_exists(conn, SVIRT_DEFAULT_POOL, volume);
    if (uuid)
        svm_test_remove_domain(conn, uuid);
    remove_volume(conn, volume);

    g_assert_true(cancel_shown);
    g_assert_null(uuid);
    g_assert_false(vm_left);
    g_assert_false(volume_left);
}

/* Once the VM is created, the last page's Close closes the assistant. */
static void
test_close_when_done(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(virConnect) conn = NULL;
    g_autofree char *name = g_strdup_printf("svm-test-ui-done-%d", (int)getpid());
    g_autofree char *volume = g_strdup_printf("%s-1.img", name);
    g_autofree char *uuid = NULL;
    gboolean destroyed, close_shown = FALSE, closed, exists;
    SvmNewVmAssistant *a;

    g_assert_true(svirt_engine_connect(engine, NULL, NULL));
    conn = svirt_engine_dup_connection(engine, NULL);

    a = open_assistant(engine, NULL, &destroyed);
    g_signal_connect(a, "vm-created", G_CALLBACK(on_vm_created), &uuid);
    fill_to_summary(a, name, NULL);
    gtk_button_clicked(GTK_BUTTON(shown_button(a, "_Create")));
    svm_test_wait_for(created_or_failed, a, 60000, "the VM to be created");
    assert_chrome(a);
    if (shown_button(a, "_Close")) {
        close_shown = TRUE;
        gtk_button_clicked(GTK_BUTTON(shown_button(a, "_Close")));
    }
    closed = destroyed;
    if (!destroyed)
        gtk_widget_destroy(GTK_WIDGET(a));
    exists = uuid && svm_test_domain_exists(conn, name);
    if (uuid)
        svm_test_remove_domain(conn, uuid);
    remove_volume(conn, volume);

    g_assert_nonnull(uuid);
    g_assert_true(exists);
    g_assert_true(close_shown);
    g_assert_true(closed);
}

static void
define_sharer(virConnectPtr conn, const char *name, const char *path)
{
    g_autofree char *xml = g_strdup_printf(
        "<domain type='qemu'><name>%s</name><memory unit='MiB'>32</memory>"
        "<os><type arch='x86_64'>hvm</type></os><devices>"
        "<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='%s'/>"
        "<target dev='vda' bus='virtio'/><shareable/></disk></devices></domain>",
        name, path);
    g_autoptr(virDomain) dom = virDomainDefineXML(conn, xml);

    g_assert_nonnull(dom);
}

/* A file another VM uses as Shared, added as Private, is warned about under the list. */
static void
test_shared_clash(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(virConnect) conn = NULL;
    g_autofree char *dir = svm_test_make_vm_dir("svm-ui-clash");
    g_autofree char *shared = g_build_filename(dir, "shared.img", NULL);
    g_autofree char *other = g_strdup_printf("svm-test-ui-sharer-%d", (int)getpid());
    g_autofree char *warning = NULL;
    g_autofree char *shared_warning = NULL;
    gboolean revealed, revealed_after_remove, destroyed;
    SvmNewVmAssistant *a;

    g_assert_true(svirt_engine_connect(engine, NULL, NULL));
    conn = svirt_engine_dup_connection(engine, NULL);
    svm_test_write_blank_image(shared, 65536);

    a = open_assistant(engine, NULL, &destroyed);
    gtk_entry_set_text(child(a, "name_entry"), "svm-test-ui-clash");
    next_page(a, 1);
    next_page(a, 2);
    /* From here on nothing asserts until the other VM is removed again. */
    define_sharer(conn, other, shared);
    add_disk(a, shared, "private");
    svm_test_wait_for(not_busy, a, 20000, "the users of the file");
    revealed = gtk_info_bar_get_revealed(child(a, "storage_warning_bar"));
    warning = g_strdup(gtk_label_get_text(child(a, "storage_warning_label")));
    svm_test_save_screenshot(GTK_WIDGET(a), "assistant-storage-clash.png");
    /* Removing the disk removes its warning; as Shared it does not clash. */
    {
        GtkTreeIter iter;

        if (gtk_tree_model_get_iter_first(child(a, "disk_store"), &iter))
            gtk_tree_selection_select_iter(gtk_tree_view_get_selection(child(a, "disk_view")),
                                           &iter);
    }
    gtk_button_clicked(child(a, "remove_disk_button"));
    revealed_after_remove = gtk_info_bar_get_revealed(child(a, "storage_warning_bar"));
    add_disk(a, shared, "shared");
    svm_test_wait_for(not_busy, a, 20000, "the users of the file");
    if (gtk_info_bar_get_revealed(child(a, "storage_warning_bar")))
        shared_warning = g_strdup(gtk_label_get_text(child(a, "storage_warning_label")));
    gtk_widget_destroy(GTK_WIDGET(a));
    svm_test_remove_domain(conn, other);
    svm_test_rmdir(dir);

    g_test_message("%s", warning);
    g_assert_true(revealed);
    g_assert_nonnull(strstr(warning, "Disk 1: VM '"));
    g_assert_nonnull(strstr(warning, other));
    g_assert_nonnull(strstr(warning, "As a private disk"));
    g_assert_false(revealed_after_remove);
    g_assert_null(shared_warning);
}

static void
on_name_taken_vm_created(SvmNewVmAssistant *a, const char *uuid, char **out)
{
    *out = g_strdup(uuid);
}

/* A name in use is refused on the first page, next to the field; one taken after that page
 * fails the creation, and the summary shows why, readable. */
static void
test_name_taken(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(virConnect) conn = NULL;
    g_autofree char *dir = svm_test_make_vm_dir("svm-ui-taken");
    g_autofree char *image = g_build_filename(dir, "disk.img", NULL);
    g_autofree char *taken = g_strdup_printf("svm-test-ui-taken-%d", (int)getpid());
    g_autofree char *later = g_strdup_printf("svm-test-ui-later-%d", (int)getpid());
    g_autofree char *volume = g_strdup_printf("%s-1.img", later);
    g_autofree char *first_message = NULL;
    g_autofree char *summary_error = NULL;
    g_autofree char *uuid = NULL;
    gboolean complete_with_taken, next_sensitive, error_revealed, label_selectable;
    gboolean destroyed;
    SvmNewVmAssistant *a;
    GtkLabel *message;

    g_assert_true(svirt_engine_connect(engine, NULL, NULL));
    conn = svirt_engine_dup_connection(engine, NULL);
    svm_test_write_blank_image(image, 65536);
    define_sharer(conn, taken, image);

    a = open_assistant(engine, NULL, &destroyed);
    g_signal_connect(a, "vm-created", G_CALLBACK(on_name_taken_vm_created), &uuid);
    message = child(a, "name_message");
    gtk_entry_set_text(child(a, "name_entry"), taken);
    svm_test_wait_for(not_busy, a, 20000, "the name check");
    complete_with_taken = page_complete(a);
    next_sensitive = shown_button(a, "_Next") && gtk_widget_is_sensitive(shown_button(a, "_Next"));
    if (gtk_widget_get_visible(GTK_WIDGET(message)))
        first_message = g_strdup(gtk_label_get_text(message));
    svm_test_save_screenshot(GTK_WIDGET(a), "assistant-name-taken.png");
    svm_test_remove_domain(conn, taken);

    /* A free name; then another VM takes it before Create. */
    fill_to_summary(a, later, NULL);
    define_sharer(conn, later, image);
    if (shown_button(a, "_Create"))
        gtk_button_clicked(GTK_BUTTON(shown_button(a, "_Create")));
    svm_test_wait_for(created_or_failed, a, 60000, "the creation to fail");
    svm_test_wait_for(not_busy, a, 20000, "the preview");
    error_revealed = gtk_info_bar_get_revealed(child(a, "summary_info_bar"));
    summary_error = g_strdup(gtk_label_get_text(child(a, "summary_info_label")));
    label_selectable = gtk_label_get_selectable(child(a, "summary_info_label"));
    svm_test_save_screenshot(GTK_WIDGET(a), "assistant-summary-error.png");
    gtk_widget_destroy(GTK_WIDGET(a));
    svm_test_remove_domain(conn, later);
    if (uuid)
        svm_test_remove_domain(conn, uuid);
    remove_volume(conn, volume);
    svm_test_rmdir(dir);

    g_assert_false(complete_with_taken);
    g_assert_false(next_sensitive);
    g_assert_nonnull(first_message);
    g_assert_nonnull(strstr(first_message, "already exists"));
    g_assert_null(uuid);
    g_assert_true(error_revealed);
    g_test_message("%s", summary_error);
    g_assert_nonnull(strstr(summary_error, "already exists"));
    /* A selectable label takes the focus and shows its text selected. */
    g_assert_false(label_selectable);
}

static gboolean
allocated(gpointer data)
{
    GtkWidget *w = data;

    return gtk_widget_get_allocated_width(w) <= 1000 && gtk_widget_get_allocated_height(w) <= 700;
}

/* Every page fits a 1024x768 screen: resized to 1000x700, the window takes no more. */
static void
test_small_screen(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    gboolean destroyed;
    SvmNewVmAssistant *a;
    GtkAssistant *as;

    g_assert_true(svirt_engine_connect(engine, NULL, NULL));
    a = open_assistant(engine, NULL, &destroyed);
    as = GTK_ASSISTANT(a);
    gtk_window_resize(GTK_WINDOW(a), 1000, 700);
    gtk_entry_set_text(child(a, "name_entry"), "svm-test-ui-small-screen-with-a-long-name");
    svm_test_wait_for(not_busy, a, 20000, "the name check");
    for (int page = 0; page <= 5; page++) {
        g_autofree char *shot = g_strdup_printf("assistant-1000x700-page%d.png", page);
        int min_width, min_height;

        g_assert_cmpint(gtk_assistant_get_current_page(as), ==, page);
        if (page == 2) {
            /* Long paths, a warning and an error make the page no wider. */
            add_disk(a, NULL, "private");
            gtk_toggle_button_set_active(child(a, "existing_radio"), TRUE);
            gtk_entry_set_text(child(a, "existing_entry"),
                               "/var/lib/libvirt/images/a/rather/long/path/to/a/disk/image/"
                               "that/does/not/exist/anywhere.qcow2");
            gtk_button_clicked(child(a, "add_disk_button"));
        }
        svm_test_wait_for(not_busy, a, 20000, "the page's checks and preview");
        gtk_widget_get_preferred_width(GTK_WIDGET(a), &min_width, NULL);
        gtk_widget_get_preferred_height_for_width(GTK_WIDGET(a), 1000, &min_height, NULL);
        svm_test_wait_for(allocated, a, 10000, "the window to take 1000x700");
        svm_test_save_screenshot(GTK_WIDGET(a), shot);
        g_test_message("page %d: at least %d px wide, %d px high at 1000 px; %dx%d", page,
                       min_width, min_height, gtk_widget_get_allocated_width(GTK_WIDGET(a)),
                       gtk_widget_get_allocated_height(GTK_WIDGET(a)));
        g_assert_cmpint(min_width, <=, 900);
        g_assert_cmpint(min_height, <=, 700);
        g_assert_cmpint(gtk_widget_get_allocated_width(GTK_WIDGET(a)), <=, 1024);
        if (page < 5) {
            gtk_entry_set_text(child(a, "existing_entry"), "");
            next_page(a, page + 1);
        }
    }
    svm_test_wait_for(not_busy, a, 20000, "the preview");
    gtk_widget_destroy(GTK_WIDGET(a));
}

/* The VM the ISO test creates: its name and install image, passed to its subprocess. */
#define ENV_ISO_NAME "SVM_TEST_ISO_VM"
#define ENV_ISO_PATH "SVM_TEST_ISO_PATH"
/* TCG on a loaded machine: a boot can take far longer than alone. */
#define BOOT_MS 120000

static void
wait_state(SvmVmWindow *window, const char *state)
{
    svm_test_vm_window_wait_state(window, state, BOOT_MS);
}

static gboolean
button_sensitive(gpointer data)
{
    return gtk_widget_is_sensitive(data);
}

/* What a user does with an installer ISO: the assistant makes a VM that boots it, with the
 * defaults (a VNC display, a dynamic label), and starts it; the details show its screen. */
static void
run_iso_screen(void)
{
    const char *name = g_getenv(ENV_ISO_NAME);
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(GError) error = NULL;
    g_autofree char *uuid = NULL;
    g_autofree char *xml = NULL;
    static const guint keys[] = { GDK_KEY_h, GDK_KEY_i };
    SvmNewVmAssistant *a;
    SvmVmWindow *details;
    SvmDisplayPage *page;
    GtkWidget *start;
    guint connections;

    g_assert_true(svirt_engine_connect(engine, NULL, &error));
    a = svm_new_vm_assistant_new(NULL, engine);
    g_signal_connect(a, "vm-created", G_CALLBACK(on_vm_created), &uuid);
    gtk_widget_show(GTK_WIDGET(a));
    svm_test_wait_for(not_busy, a, 10000, "pools and networks");
    gtk_entry_set_text(child(a, "name_entry"), name);
    gtk_spin_button_set_value(child(a, "memory_spin"), 32);
    next_page(a, 1);
    gtk_toggle_button_set_active(child(a, "source_iso"), TRUE);
    gtk_entry_set_text(child(a, "source_entry"), g_getenv(ENV_ISO_PATH));
    next_page(a, 2);
    next_page(a, 3); /* no disk: the ISO boots */
    g_assert_cmpstr(gtk_combo_box_get_active_id(child(a, "display_combo")), ==, "vnc");
    next_page(a, 4);
    next_page(a, 5);
    svm_test_wait_for(not_busy, a, 10000, "the preview");
    gtk_toggle_button_set_active(child(a, "start_check"), TRUE);
    g_object_add_weak_pointer(G_OBJECT(a), (gpointer *)&a);
    gtk_button_clicked(GTK_BUTTON(shown_button(a, "_Create")));
    svm_test_wait_for(created_or_failed, a, 60000, "the VM to be created and started");
    g_assert_cmpstr(svm_new_vm_assistant_get_error(a), ==, NULL);
    g_assert_nonnull(uuid);
    xml = svirt_engine_get_domain_xml(engine, uuid, TRUE, NULL);
    g_assert_nonnull(strstr(xml, "device='cdrom'"));
    g_assert_nonnull(strstr(xml, "<listen type='none'/>"));

    /* Open, then the Display tab: the installer's screen, marker and all. */
    gtk_button_clicked(GTK_BUTTON(shown_button(a, "_Open")));
    details = find_details(uuid);
    g_assert_nonnull(details);
    gtk_window_set_default_size(GTK_WINDOW(details), 980, 640);
    wait_state(details, "running");
    svm_vm_window_show_page(details, "display");
    page = svm_test_template_child(details, SVM_TYPE_VM_WINDOW, "display_page");
    svm_test_screen_wait(page, 0, 0, strlen(SVM_TEST_DISPLAY_MARKER), TRUE, 0, BOOT_MS,
                         "the ISO's screen");
    /* Typed keys reach the guest, which shows them on the next row. */
    svm_display_page_type_keys(page, keys, G_N_ELEMENTS(keys));
    svm_test_screen_wait(page, 1, 0, 2, TRUE, 0, BOOT_MS, "the typed keys on the screen");
    svm_test_save_screenshot(GTK_WIDGET(details), "vm-display-from-iso.png");

    /* A restart: stopped, the page says so; started with the window's Start button, the
     * screen comes back by itself and takes keys again. */
    connections = svm_display_page_get_connection_count(page);
    g_assert_true(svirt_engine_stop_vm(engine, uuid, TRUE, 0, &error));
    g_assert_no_error(error);
    wait_state(details, "shutoff");
    start = svm_test_template_child(details, SVM_TYPE_VM_WINDOW, "start_button");
    svm_test_wait_for(button_sensitive, start, BOOT_MS, "the Start button");
    gtk_button_clicked(GTK_BUTTON(start));
    wait_state(details, "running");
    svm_test_screen_wait(page, 0, 0, strlen(SVM_TEST_DISPLAY_MARKER), TRUE, connections,
                         BOOT_MS, "the ISO's screen after the restart");
    svm_test_screen_wait(page, 1, 0, 2, FALSE, connections, BOOT_MS,
                         "a fresh screen after the restart");
    svm_display_page_type_keys(page, keys, 1);
    svm_test_screen_wait(page, 1, 0, 1, TRUE, connections, BOOT_MS,
                         "a key typed after the restart");
    g_assert_true(svirt_engine_stop_vm(engine, uuid, TRUE, 0, &error));
    g_assert_no_error(error);
    wait_state(details, "shutoff");
    gtk_widget_destroy(GTK_WIDGET(details));
    if (a)
        gtk_widget_destroy(GTK_WIDGET(a));
}

/* A VM created from an ISO shows its screen, takes keys and survives a restart. The window
 * runs in a subprocess, so the VM is removed even when an assertion there fails. */
static void
test_iso_screen(void)
{
    g_autofree char *dir = NULL;
    g_autofree char *iso = NULL;
    g_autofree char *name = NULL;

    if (g_test_subprocess()) {
        run_iso_screen();
        return;
    }
    dir = svm_test_make_vm_dir("svm-ui-iso");
    iso = g_build_filename(dir, "installer.iso", NULL);
    name = svm_test_vm_name("svm-test-ui-iso");
    svm_test_write_display_iso(iso);
    g_setenv(ENV_ISO_NAME, name, TRUE);
    g_setenv(ENV_ISO_PATH, iso, TRUE);
    g_test_trap_subprocess(NULL, 540 * G_USEC_PER_SEC,
                           G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
    svm_test_remove_vm(name);
    svm_test_rmdir(dir);
    g_test_trap_assert_passed();
}

int
main(int argc, char *argv[])
{
    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_LIBVIRTD);
    gtk_test_init(&argc, &argv, NULL);
    g_object_set(gtk_settings_get_default(), "gtk-enable-animations", FALSE, NULL);
    svirt_engine_init_libvirt();
    g_test_add_func("/ui/new-vm/create", test_create);
    g_test_add_func("/ui/new-vm/accessibility", test_accessibility);
    g_test_add_func("/ui/new-vm/close", test_close);
    g_test_add_data_func("/ui/new-vm/cancel-creation/cancel-button", "cancel-button",
                         test_cancel_creation);
    g_test_add_data_func("/ui/new-vm/cancel-creation/escape", "escape", test_cancel_creation);
    g_test_add_data_func("/ui/new-vm/cancel-creation/close-button", "close-button",
                         test_cancel_creation);
    g_test_add_func("/ui/new-vm/close-when-done", test_close_when_done);
    g_test_add_func("/ui/new-vm/shared-clash", test_shared_clash);
    g_test_add_func("/ui/new-vm/name-taken", test_name_taken);
    g_test_add_func("/ui/new-vm/small-screen", test_small_screen);
    g_test_add_func("/ui/new-vm/iso-screen", test_iso_screen);
    return g_test_run();
}
