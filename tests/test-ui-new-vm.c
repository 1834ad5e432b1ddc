#include "config.h"

#include <libvirt/virterror.h>
#include <string.h>
#include <unistd.h>

#include "svirt-lifecycle.h"
#include "svm-new-vm-assistant.h"
#include "svm-test-ui.h"
#include "svm-test-util.h"
#include "svm-test-vm.h"

#define URI "qemu:///system"

static gpointer
child(SvmNewVmAssistant *a, const char *name)
{
    GObject *obj = gtk_widget_get_template_child(GTK_WIDGET(a), SVM_TYPE_NEW_VM_ASSISTANT, name);

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

static void
next_page(SvmNewVmAssistant *a, int expected)
{
    g_assert_true(page_complete(a));
    gtk_assistant_next_page(GTK_ASSISTANT(a));
    g_assert_cmpint(gtk_assistant_get_current_page(GTK_ASSISTANT(a)), ==, expected);
}

static void
collect_child(GtkWidget *widget, gpointer data)
{
    GList **list = data;

    *list = g_list_prepend(*list, widget);
}

static GtkWidget *
find_button(GtkWidget *widget, const char *label)
{
    GList *children = NULL;
    GtkWidget *found = NULL;

    if (GTK_IS_BUTTON(widget) && g_strcmp0(gtk_button_get_label(GTK_BUTTON(widget)), label) == 0)
        return widget;
    if (!GTK_IS_CONTAINER(widget))
        return NULL;
    gtk_container_forall(GTK_CONTAINER(widget), collect_child, &children);
    for (GList *l = children; l && !found; l = l->next)
        found = find_button(l->data, label);
    g_list_free(children);
    return found;
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
} Outcome;

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
    gtk_entry_set_text(child(a, "name_entry"), name);
    gtk_spin_button_set_value(child(a, "memory_spin"), 32);
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
    svm_test_save_screenshot(GTK_WIDGET(a), "assistant-summary.png");

    /* Create, and start it at once: the VM then runs with its files labelled. */
    gtk_toggle_button_set_active(child(a, "start_check"), TRUE);
    create = find_button(GTK_WIDGET(a), "_Create");
    g_assert_nonnull(create);
    g_assert_true(gtk_widget_is_sensitive(create));
    gtk_button_clicked(GTK_BUTTON(create));
    svm_test_wait_for(created_or_failed, a, 30000, "the VM to be created");
    svm_test_save_screenshot(GTK_WIDGET(a), "assistant-done.png");

    out.error = g_strdup(svm_new_vm_assistant_get_error(a));
    if (out.uuid) {
        out.xml = svirt_engine_get_domain_xml(engine, out.uuid, TRUE, NULL);
        out.settings = svirt_engine_get_settings(engine, out.uuid, NULL);
        out.status = svirt_engine_get_vm_status(engine, out.uuid, NULL);
        svirt_engine_stop_vm(engine, out.uuid, TRUE, 0, NULL);
    }
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
    g_assert_nonnull(out.xml);
    g_test_message("%s", out.xml);
    g_assert_nonnull(strstr(out.xml, "<shareable/>"));
    g_assert_nonnull(strstr(out.xml, readonly));
    g_assert_nonnull(strstr(out.xml, volume));
    g_assert_nonnull(strstr(out.xml, "device='cdrom'"));
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
        "label_entry", "plan_view",
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

int
main(int argc, char *argv[])
{
    gtk_test_init(&argc, &argv, NULL);
    g_object_set(gtk_settings_get_default(), "gtk-enable-animations", FALSE, NULL);
    svirt_engine_init_libvirt();
    g_test_add_func("/ui/new-vm/create", test_create);
    g_test_add_func("/ui/new-vm/accessibility", test_accessibility);
    return g_test_run();
}
