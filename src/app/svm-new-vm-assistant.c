#include "config.h"

#include <glib/gi18n.h>

#include "svirt-context.h"
#include "svirt-lifecycle.h"
#include "svm-new-vm-assistant-private.h"
#include "svm-presentation.h"
#include "svm-vm-window.h"

enum {
    PAGE_BASICS,
    PAGE_SOURCE,
    PAGE_STORAGE,
    PAGE_NETWORK,
    PAGE_SECURITY,
    PAGE_SUMMARY,
    PAGE_PROGRESS,
};

enum {
    PLAN_COL_PATH,
    PLAN_COL_DESIGNATION,
    PLAN_COL_LABEL,
    PLAN_COL_RESTORE,
};

struct _SvmNewVmAssistant {
    GtkAssistant parent_instance;

    GtkWidget *page_basics;
    GtkWidget *page_source;
    GtkWidget *page_storage;
    GtkWidget *page_network;
    GtkWidget *page_security;
    GtkWidget *page_summary;
    GtkWidget *page_progress;

    GtkEntry *name_entry;
    GtkLabel *name_message;
    GtkSpinButton *memory_spin;
    GtkSpinButton *vcpus_spin;

    GtkToggleButton *source_none;
    GtkToggleButton *source_iso;
    GtkToggleButton *source_image;
    GtkEntry *source_entry;
    GtkWidget *source_browse;
    GtkLabel *source_message;

    GtkTreeView *disk_view;
    GtkListStore *disk_store;
    GtkToggleButton *new_volume_radio;
    GtkToggleButton *existing_radio;
    GtkComboBoxText *pool_combo;
    GtkSpinButton *size_spin;
    GtkComboBoxText *format_combo;
    GtkEntry *existing_entry;
    GtkWidget *existing_browse;
    GtkComboBoxText *designation_combo;
    GtkWidget *add_disk_button;
    GtkWidget *remove_disk_button;
    GtkLabel *storage_message;
    GtkInfoBar *storage_warning_bar;
    GtkLabel *storage_warning_label;

    GtkToggleButton *network_radio;
    GtkToggleButton *user_radio;
    GtkComboBoxText *network_combo;
    GtkLabel *network_note;

    GtkToggleButton *dynamic_radio;
    GtkToggleButton *static_radio;
    GtkEntry *label_entry;
    GtkLabel *label_message;
    GtkToggleButton *relabel_check;

    GtkInfoBar *summary_info_bar;
    GtkLabel *summary_info_label;
    GtkLabel *summary_label;
    GtkTreeView *plan_view;
    GtkListStore *plan_store;
    GtkLabel *pair_note;
    GtkToggleButton *start_check;

    GtkInfoBar *progress_info_bar;
    GtkLabel *progress_info_label;
    GtkSpinner *progress_spinner;
    GtkLabel *progress_label;
    GtkWidget *cancel_button; /* while the VM is being created */
    GtkWidget *open_button;   /* once it is */

    SvirtEngine *engine;
    GCancellable *cancellable;
    guint preview_serial; /* only the newest preview is shown */
    GPtrArray *disks; /* of SvirtDiskSpec, as listed in disk_store */
    GHashTable *clashes; /* SvirtDiskSpec in disks -> how other VMs' use of its file clashes */
    char *name_checked; /* the last name the engine checked for use on the connection */
    char *name_problem; /* why that name cannot be used; NULL when it is free */
    char *name_pending; /* the name being checked */
    char *uuid;         /* the VM created */
    gboolean creating;
    gboolean closing;   /* cancelled while creating: close once that is undone */
    gboolean disposed;
    SvirtPlan *plan;
    char *error;
    char *create_error; /* shown on the summary page when creation failed */
    guint busy;
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

/* An inline message under a field: shown with @message, hidden with NULL. */
static void
set_message(GtkLabel *label, const char *message)
{
    gtk_label_set_text(label, message ? message : "");
    gtk_widget_set_visible(GTK_WIDGET(label), message != NULL);
}

static void
show_info(GtkInfoBar *bar, GtkLabel *label, GtkMessageType type, const char *message)
{
    gtk_label_set_text(label, message);
    gtk_info_bar_set_message_type(bar, type);
    gtk_info_bar_set_revealed(bar, TRUE);
}

static SvirtDesignation
designation_from_id(const char *id)
{
    if (g_strcmp0(id, "shared") == 0)
        return SVIRT_DESIGNATION_SHARED;
    if (g_strcmp0(id, "readonly") == 0)
        return SVIRT_DESIGNATION_READONLY;
    return SVIRT_DESIGNATION_PRIVATE;
}

static SvirtInstallKind
install_kind(SvmNewVmAssistant *self)
{
    if (gtk_toggle_button_get_active(self->source_iso))
        return SVIRT_INSTALL_ISO;
    if (gtk_toggle_button_get_active(self->source_image))
        return SVIRT_INSTALL_DISK_IMAGE;
    return SVIRT_INSTALL_NONE;
}

static const char *
entry_text(GtkEntry *entry)
{
    return gtk_entry_get_text(entry);
}

/* The spec the pages describe; @name replaces the typed name when it is not NULL. */
static SvirtVmSpec *
build_spec(SvmNewVmAssistant *self, const char *name)
{
    SvirtVmSpec *spec = svirt_vm_spec_new(name ? name : entry_text(self->name_entry));
    g_autofree char *network = NULL;

    spec->memory_mib = (guint)gtk_spin_button_get_value_as_int(self->memory_spin);
    spec->vcpus = (guint)gtk_spin_button_get_value_as_int(self->vcpus_spin);
    spec->install = install_kind(self);
    if (spec->install != SVIRT_INSTALL_NONE)
        spec->install_path = g_strstrip(g_strdup(entry_text(self->source_entry)));
    for (guint i = 0; i < self->disks->len; i++)
        svirt_vm_spec_add_disk(spec, svirt_disk_spec_copy(g_ptr_array_index(self->disks, i)));
    network = gtk_combo_box_text_get_active_text(self->network_combo);
    if (gtk_toggle_button_get_active(self->network_radio) && network)
        spec->network = g_steal_pointer(&network);
    if (gtk_toggle_button_get_active(self->static_radio))
        svirt_settings_set_mode(spec->settings, SVIRT_SECURITY_MODE_STATIC,
                                entry_text(self->label_entry),
                                gtk_toggle_button_get_active(self->relabel_check), NULL);
    return spec;
}

static void busy_begin(SvmNewVmAssistant *self);
static void busy_end(SvmNewVmAssistant *self);
static void on_changed(SvmNewVmAssistant *self);

typedef struct {
    SvmNewVmAssistant *self;
    char *name;
} NameCheck;

static void
on_name_checked(GObject *source, GAsyncResult *result, gpointer user_data)
{
    NameCheck *check = user_data;
    g_autoptr(SvmNewVmAssistant) self = check->self;
    g_autofree char *name = check->name;
    g_autoptr(GError) error = NULL;
    gboolean is_free = svirt_engine_check_vm_name_finish(SVIRT_ENGINE(source), result, &error);

    g_free(check);
    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->disposed)
        return;
    busy_end(self);
    if (g_strcmp0(name, self->name_pending) == 0)
        g_clear_pointer(&self->name_pending, g_free);
    g_free(self->name_checked);
    self->name_checked = g_steal_pointer(&name);
    g_free(self->name_problem);
    self->name_problem = is_free ? NULL : g_strdup(error->message);
    on_changed(self);
}

/* Whether the typed name is free on the connection: known, or asked of the engine. */
static gboolean
check_name_free(SvmNewVmAssistant *self, const char *name)
{
    NameCheck *check;

    if (g_strcmp0(name, self->name_checked) == 0) {
        set_message(self->name_message, self->name_problem);
        return self->name_problem == NULL;
    }
    set_message(self->name_message, NULL);
    if (g_strcmp0(name, self->name_pending) == 0)
        return FALSE;
    g_free(self->name_pending);
    self->name_pending = g_strdup(name);
    check = g_new0(NameCheck, 1);
    check->self = g_object_ref(self);
    check->name = g_strdup(name);
    busy_begin(self);
    svirt_engine_check_vm_name_async(self->engine, name, self->cancellable, on_name_checked,
                                     check);
    return FALSE;
}

static gboolean
check_basics(SvmNewVmAssistant *self)
{
    g_autoptr(SvirtVmSpec) spec = build_spec(self, NULL);
    g_autoptr(GError) error = NULL;

    /* Only this page's fields: the rest of the VM is not chosen yet. */
    spec->install = SVIRT_INSTALL_NONE;
    g_ptr_array_set_size(spec->disks, 0);
    svirt_vm_spec_add_disk(spec, svirt_disk_spec_new_volume("pool", 1, SVIRT_VOLUME_FORMAT_RAW,
                                                            SVIRT_DESIGNATION_PRIVATE));
    g_clear_pointer(&spec->network, g_free);
    svirt_settings_free(spec->settings);
    spec->settings = svirt_settings_new();
    if (svirt_vm_spec_validate(spec, &error))
        return check_name_free(self, spec->name);
    /* An empty name is not an error yet, just not finished. */
    set_message(self->name_message, *spec->name ? error->message : NULL);
    return FALSE;
}

static gboolean
check_source(SvmNewVmAssistant *self)
{
    g_autoptr(SvirtVmSpec) spec = build_spec(self, "vm");
    g_autoptr(GError) error = NULL;
    gboolean none = spec->install == SVIRT_INSTALL_NONE;

    gtk_widget_set_sensitive(GTK_WIDGET(self->source_entry), !none);
    gtk_widget_set_sensitive(self->source_browse, !none);
    if (none) {
        set_message(self->source_message, NULL);
        return TRUE;
    }
    g_ptr_array_set_size(spec->disks, 0);
    g_clear_pointer(&spec->network, g_free);
    svirt_settings_free(spec->settings);
    spec->settings = svirt_settings_new();
    if (svirt_vm_spec_validate(spec, &error)) {
        set_message(self->source_message, NULL);
        return TRUE;
    }
    set_message(self->source_message, *spec->install_path ? error->message : NULL);
    return FALSE;
}

static gboolean
check_storage(SvmNewVmAssistant *self)
{
    gboolean new_volume = gtk_toggle_button_get_active(self->new_volume_radio);
    GtkTreeSelection *selection = gtk_tree_view_get_selection(self->disk_view);

    gtk_widget_set_sensitive(GTK_WIDGET(self->pool_combo), new_volume);
    gtk_widget_set_sensitive(GTK_WIDGET(self->size_spin), new_volume);
    gtk_widget_set_sensitive(GTK_WIDGET(self->format_combo), new_volume);
    gtk_widget_set_sensitive(GTK_WIDGET(self->existing_entry), !new_volume);
    gtk_widget_set_sensitive(self->existing_browse, !new_volume);
    gtk_widget_set_sensitive(self->remove_disk_button,
                             gtk_tree_selection_count_selected_rows(selection) > 0);
    return self->disks->len > 0 || install_kind(self) != SVIRT_INSTALL_NONE;
}

static gboolean
check_security(SvmNewVmAssistant *self)
{
    gboolean is_static = gtk_toggle_button_get_active(self->static_radio);
    g_autoptr(SvirtSettings) settings = svirt_settings_new();
    g_autoptr(SvirtContext) context = NULL;
    g_autoptr(GError) error = NULL;
    const char *label = entry_text(self->label_entry);

    gtk_widget_set_sensitive(GTK_WIDGET(self->label_entry), is_static);
    gtk_widget_set_sensitive(GTK_WIDGET(self->relabel_check), is_static);
    if (!is_static) {
        /* A dynamic label changes at every start, so the engine must label the files. */
        gtk_toggle_button_set_active(self->relabel_check, TRUE);
        set_message(self->label_message, NULL);
        return TRUE;
    }
    if (*label == '\0') {
        set_message(self->label_message, NULL);
        return FALSE;
    }
    context = svirt_context_parse(label, &error);
    if (context == NULL ||
        !svirt_settings_set_mode(settings, SVIRT_SECURITY_MODE_STATIC, label,
                                 gtk_toggle_button_get_active(self->relabel_check), &error)) {
        set_message(self->label_message, error->message);
        return FALSE;
    }
    set_message(self->label_message, NULL);
    return TRUE;
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
set_complete(SvmNewVmAssistant *self, GtkWidget *page, gboolean complete)
{
    gtk_assistant_set_page_complete(GTK_ASSISTANT(self), page,
                                    complete && is_current(self, page));
}

static void
on_changed(SvmNewVmAssistant *self)
{
    gboolean have_network = gtk_combo_box_get_active(GTK_COMBO_BOX(self->network_combo)) >= 0;

    if (self->disposed)
        return;
    set_complete(self, self->page_basics, check_basics(self));
    set_complete(self, self->page_source, check_source(self));
    set_complete(self, self->page_storage, check_storage(self));
    gtk_widget_set_sensitive(GTK_WIDGET(self->network_combo),
                             gtk_toggle_button_get_active(self->network_radio));
    set_complete(self, self->page_network,
                 have_network || gtk_toggle_button_get_active(self->user_radio));
    set_complete(self, self->page_security, check_security(self));
}

static void
add_disk_row(SvmNewVmAssistant *self, guint index, const SvirtDiskSpec *disk)
{
    g_autofree char *number = g_strdup_printf("%u", index + 1);
    g_autofree char *source = NULL;
    g_autofree char *size = NULL;

    if (disk->kind == SVIRT_DISK_SPEC_NEW_VOLUME) {
        /* TRANSLATORS: "new qcow2 volume in pool default" */
        source = g_strdup_printf(_("new %s volume in pool %s"),
                                 svirt_volume_format_to_string(disk->format), disk->pool);
        /* TRANSLATORS: a size in mebibytes */
        size = g_strdup_printf(_("%" G_GUINT64_FORMAT " MiB"), disk->size_mib);
    } else {
        source = g_strdup(disk->path);
        size = g_strdup("—");
    }
    gtk_list_store_insert_with_values(self->disk_store, NULL, -1, 0, number, 1, source, 2, size,
                                      3, svm_designation_label(disk->designation), -1);
}

/* The clashes of the listed disks with other VMs, under the list. */
static void
show_clashes(SvmNewVmAssistant *self)
{
    g_autoptr(GString) text = g_string_new(NULL);

    for (guint i = 0; i < self->disks->len; i++) {
        const char *clash = g_hash_table_lookup(self->clashes, g_ptr_array_index(self->disks, i));

        if (clash == NULL)
            continue;
        if (text->len)
            g_string_append_c(text, '\n');
        /* TRANSLATORS: "Disk 2: VM 'web' also uses /images/data.img. ..." */
        g_string_append_printf(text, _("Disk %u: %s"), i + 1, clash);
    }
    gtk_label_set_text(self->storage_warning_label, text->str);
    gtk_info_bar_set_revealed(self->storage_warning_bar, text->len > 0);
}

typedef struct {
    SvmNewVmAssistant *self;
    SvirtDiskSpec *disk; /* compared before use: it may be removed meanwhile */
    char *path;
} ClashCheck;

static void
on_path_users_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
    ClashCheck *check = user_data;
    g_autoptr(SvmNewVmAssistant) self = check->self;
    SvirtDiskSpec *disk = check->disk;
    g_autofree char *path = check->path;
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) users = svirt_engine_list_path_users_finish(SVIRT_ENGINE(source), result,
                                                                     &error);
    guint index;

    g_free(check);
    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->disposed)
        return;
    busy_end(self);
    if (!g_ptr_array_find(self->disks, disk, &index) || g_strcmp0(disk->path, path) != 0)
        return;
    if (users) {
        char *clash = svirt_disk_spec_describe_clash(disk, users);

        if (clash)
            g_hash_table_insert(self->clashes, disk, clash);
    } else {
        /* Not knowing who else uses the file is worth saying too. */
        g_hash_table_insert(self->clashes, disk, g_strdup(error->message));
    }
    show_clashes(self);
}

static void
on_add_disk(SvmNewVmAssistant *self)
{
    const char *designation_id = gtk_combo_box_get_active_id(GTK_COMBO_BOX(self->designation_combo));
    SvirtDesignation designation = designation_from_id(designation_id);
    g_autoptr(SvirtDiskSpec) disk = NULL;
    g_autoptr(SvirtVmSpec) spec = NULL;
    g_autoptr(GError) error = NULL;

    if (gtk_toggle_button_get_active(self->new_volume_radio)) {
        const char *pool = gtk_combo_box_get_active_id(GTK_COMBO_BOX(self->pool_combo));
        const char *format = gtk_combo_box_get_active_id(GTK_COMBO_BOX(self->format_combo));

        disk = svirt_disk_spec_new_volume(pool ? pool : "",
                                          (guint64)gtk_spin_button_get_value(self->size_spin),
                                          g_strcmp0(format, "raw") == 0
                                              ? SVIRT_VOLUME_FORMAT_RAW
                                              : SVIRT_VOLUME_FORMAT_QCOW2,
                                          designation);
    } else {
        g_autofree char *path = g_strstrip(g_strdup(entry_text(self->existing_entry)));

        disk = svirt_disk_spec_new_existing(path, designation);
    }

    /* Checked with the rest of the VM, so that a file is not attached twice. */
    spec = build_spec(self, svirt_vm_name_validate(entry_text(self->name_entry), NULL) ? NULL
                                                                                         : "vm");
    if (spec->install != SVIRT_INSTALL_NONE && !check_source(self))
        spec->install = SVIRT_INSTALL_NONE;
    g_clear_pointer(&spec->network, g_free);
    svirt_settings_free(spec->settings);
    spec->settings = svirt_settings_new();
    svirt_vm_spec_add_disk(spec, svirt_disk_spec_copy(disk));
    if (!svirt_vm_spec_validate(spec, &error)) {
        set_message(self->storage_message, error->message);
        return;
    }
    set_message(self->storage_message, NULL);
    if (disk->kind == SVIRT_DISK_SPEC_EXISTING) {
        ClashCheck *check = g_new0(ClashCheck, 1);

        check->self = g_object_ref(self);
        check->disk = disk;
        check->path = g_strdup(disk->path);
        busy_begin(self);
        svirt_engine_list_path_users_async(self->engine, disk->path, self->cancellable,
                                           on_path_users_ready, check);
    }
    add_disk_row(self, self->disks->len, disk);
    g_ptr_array_add(self->disks, g_steal_pointer(&disk));
    gtk_entry_set_text(self->existing_entry, "");
    on_changed(self);
}

static void
on_remove_disk(SvmNewVmAssistant *self)
{
    GtkTreeSelection *selection = gtk_tree_view_get_selection(self->disk_view);
    GtkTreeModel *model;
    GtkTreeIter iter;
    g_autoptr(GtkTreePath) path = NULL;
    guint index;

    if (!gtk_tree_selection_get_selected(selection, &model, &iter))
        return;
    path = gtk_tree_model_get_path(model, &iter);
    index = (guint)gtk_tree_path_get_indices(path)[0];
    g_hash_table_remove(self->clashes, g_ptr_array_index(self->disks, index));
    g_ptr_array_remove_index(self->disks, index);
    /* Renumber the rows. */
    gtk_list_store_clear(self->disk_store);
    for (guint i = 0; i < self->disks->len; i++)
        add_disk_row(self, i, g_ptr_array_index(self->disks, i));
    show_clashes(self);
    on_changed(self);
}

static void
on_selection_changed(GtkTreeSelection *selection, SvmNewVmAssistant *self)
{
    on_changed(self);
}

static void
on_file_chosen(GtkNativeDialog *dialog, int response, gpointer user_data)
{
    g_autoptr(GtkEntry) entry = user_data;

    if (response == GTK_RESPONSE_ACCEPT) {
        g_autofree char *path = gtk_file_chooser_get_filename(GTK_FILE_CHOOSER(dialog));

        if (path)
            gtk_entry_set_text(entry, path);
    }
    g_object_unref(dialog);
}

static void
choose_file(SvmNewVmAssistant *self, GtkEntry *entry, const char *title)
{
    GtkFileChooserNative *dialog = gtk_file_chooser_native_new(
        title, GTK_WINDOW(self), GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));

    gtk_native_dialog_set_modal(GTK_NATIVE_DIALOG(dialog), TRUE);
    g_signal_connect(dialog, "response", G_CALLBACK(on_file_chosen), g_object_ref(entry));
    gtk_native_dialog_show(GTK_NATIVE_DIALOG(dialog));
}

static void
on_source_browse(SvmNewVmAssistant *self)
{
    choose_file(self, self->source_entry, _("Choose the Install Source"));
}

static void
on_existing_browse(SvmNewVmAssistant *self)
{
    choose_file(self, self->existing_entry, _("Choose a Disk Image"));
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

static void
on_pools_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(SvmNewVmAssistant) self = user_data;
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) pools = svirt_engine_list_pools_finish(SVIRT_ENGINE(source), result,
                                                                &error);
    gboolean have_default = FALSE;

    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
    busy_end(self);
    if (pools == NULL) {
        set_error(self, error->message);
        set_message(self->storage_message, error->message);
        pools = g_ptr_array_new();
    }
    for (guint i = 0; i < pools->len; i++) {
        SvirtPoolInfo *pool = g_ptr_array_index(pools, i);
        g_autofree char *text = NULL;

        have_default |= g_str_equal(pool->name, SVIRT_DEFAULT_POOL);
        /* TRANSLATORS: a storage pool and its directory, "default (/var/lib/libvirt/images)" */
        text = g_strdup_printf(pool->active ? _("%s (%s)") : _("%s (%s), inactive"), pool->name,
                               pool->path ? pool->path : "—");
        gtk_combo_box_text_append(self->pool_combo, pool->name, text);
    }
    if (!have_default) {
        g_autofree char *text =
            g_strdup_printf(_("%s (%s), created with the VM"), SVIRT_DEFAULT_POOL,
                            SVIRT_DEFAULT_POOL_PATH);

        gtk_combo_box_text_append(self->pool_combo, SVIRT_DEFAULT_POOL, text);
    }
    gtk_combo_box_set_active_id(GTK_COMBO_BOX(self->pool_combo), SVIRT_DEFAULT_POOL);
    on_changed(self);
}

static void
on_networks_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(SvmNewVmAssistant) self = user_data;
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) names = svirt_engine_list_networks_finish(SVIRT_ENGINE(source), result,
                                                            &error);

    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
    busy_end(self);
    for (guint i = 0; names && names[i]; i++)
        gtk_combo_box_text_append(self->network_combo, names[i], names[i]);
    if (names && names[0]) {
        gtk_combo_box_set_active(GTK_COMBO_BOX(self->network_combo), 0);
        gtk_toggle_button_set_active(self->network_radio, TRUE);
        gtk_label_set_text(self->network_note,
                           _("The VM joins the chosen libvirt network."));
    } else {
        gtk_widget_set_sensitive(GTK_WIDGET(self->network_radio), FALSE);
        gtk_toggle_button_set_active(self->user_radio, TRUE);
        gtk_label_set_text(self->network_note,
                           error ? error->message
                                 : _("No libvirt network is active, so the VM uses user-mode "
                                     "networking. Start a network (virsh net-start default) to "
                                     "choose it here."));
    }
    on_changed(self);
}

static char *
summary_text(SvmNewVmAssistant *self, const SvirtVmSpec *spec)
{
    g_autoptr(GString) text = g_string_new(NULL);
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
    /* TRANSLATORS: a summary: VM name, memory, CPUs, install source, disk count, network */
    g_string_append_printf(text, _("%s: %u MiB of memory, %u virtual CPUs, install source: %s, "
                                   "%u disks, network: %s."),
                           spec->name, spec->memory_mib, spec->vcpus, source, spec->disks->len,
                           spec->network ? spec->network : _("user-mode"));
    return g_string_free(g_steal_pointer(&text), FALSE);
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
fill_plan(SvmNewVmAssistant *self, const SvirtPlan *plan)
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
    SvmNewVmAssistant *self;
    guint serial;
} PreviewRequest;

static void
on_preview_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
    PreviewRequest *request = user_data;
    g_autoptr(SvmNewVmAssistant) self = request->self;
    guint serial = request->serial;
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtPlan) plan = svirt_engine_preview_vm_finish(SVIRT_ENGINE(source), result,
                                                               &error);

    g_free(request);
    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
    busy_end(self);
    /* Back and Forward again started a newer preview: this one is out of date. */
    if (serial != self->preview_serial)
        return;
    g_clear_pointer(&self->plan, svirt_plan_free);
    if (plan == NULL) {
        g_autofree char *message =
            g_strdup_printf(_("The labels cannot be previewed: %s Go back and change the "
                              "settings."),
                            error->message);

        set_error(self, message);
        show_info(self->summary_info_bar, self->summary_info_label, GTK_MESSAGE_ERROR, message);
        return;
    }
    self->plan = g_steal_pointer(&plan);
    fill_plan(self, self->plan);
    set_complete(self, self->page_summary, TRUE);
}

static void
prepare_summary(SvmNewVmAssistant *self)
{
    g_autoptr(SvirtVmSpec) spec = build_spec(self, NULL);
    g_autofree char *text = summary_text(self, spec);
    PreviewRequest *request;

    gtk_label_set_text(self->summary_label, text);
    gtk_list_store_clear(self->plan_store);
    gtk_label_set_text(self->pair_note, "");
    set_complete(self, self->page_summary, FALSE);
    if (self->create_error) {
        show_info(self->summary_info_bar, self->summary_info_label, GTK_MESSAGE_ERROR,
                  self->create_error);
        g_clear_pointer(&self->create_error, g_free);
    } else {
        gtk_info_bar_set_revealed(self->summary_info_bar, FALSE);
        g_clear_pointer(&self->error, g_free);
    }
    busy_begin(self);
    request = g_new0(PreviewRequest, 1);
    request->self = g_object_ref(self);
    request->serial = ++self->preview_serial;
    svirt_engine_preview_vm_async(self->engine, spec, self->cancellable, on_preview_ready,
                                  request);
}

static void
on_prepare(GtkAssistant *assistant, GtkWidget *page, gpointer user_data)
{
    SvmNewVmAssistant *self = SVM_NEW_VM_ASSISTANT(assistant);

    gtk_widget_set_visible(self->cancel_button, page == self->page_progress && self->creating);
    gtk_widget_set_visible(self->open_button, FALSE);
    on_changed(self);
    if (page == self->page_summary)
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
    g_autofree char *name = g_strdup(entry_text(self->name_entry));

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
        show_info(self->progress_info_bar, self->progress_info_label, GTK_MESSAGE_WARNING,
                  message);
        text = g_strdup_printf(_("VM '%s' was created."), name);
    } else {
        text = g_strdup_printf(_("VM '%s' was created and started."), name);
    }
    finish(self, text);
}

static void
on_created(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(SvmNewVmAssistant) self = user_data;
    g_autoptr(GError) error = NULL;
    g_autofree char *uuid = svirt_engine_create_vm_finish(SVIRT_ENGINE(source), result, &error);
    g_autofree char *name = NULL;

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
    name = g_strdup(entry_text(self->name_entry));
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
    self->uuid = g_strdup(uuid);
    if (gtk_toggle_button_get_active(self->start_check)) {
        g_autofree char *text = g_strdup_printf(_("Starting VM '%s'…"), name);

        gtk_label_set_text(self->progress_label, text);
        busy_begin(self);
        /* Once created, the VM is the user's: closing the window does not stop its start. */
        svirt_engine_start_vm_async(self->engine, uuid, NULL, NULL, on_started,
                                    g_object_ref(self));
        return;
    }
    {
        g_autofree char *text = g_strdup_printf(_("VM '%s' was created."), name);

        finish(self, text);
    }
}

static void
on_apply(GtkAssistant *assistant, gpointer user_data)
{
    SvmNewVmAssistant *self = SVM_NEW_VM_ASSISTANT(assistant);
    g_autoptr(SvirtVmSpec) spec = build_spec(self, NULL);
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

    busy_begin(self);
    svirt_engine_list_pools_async(self->engine, self->cancellable, on_pools_ready,
                                  g_object_ref(self));
    busy_begin(self);
    svirt_engine_list_networks_async(self->engine, self->cancellable, on_networks_ready,
                                     g_object_ref(self));
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
    g_hash_table_unref(self->clashes);
    g_ptr_array_unref(self->disks);
    g_free(self->name_checked);
    g_free(self->name_problem);
    g_free(self->name_pending);
    g_free(self->uuid);
    g_clear_pointer(&self->plan, svirt_plan_free);
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

    gtk_widget_class_set_template_from_resource(widget_class,
                                                "/org/svirt/Manager/svm-new-vm-assistant.ui");
    BIND(page_basics);
    BIND(page_source);
    BIND(page_storage);
    BIND(page_network);
    BIND(page_security);
    BIND(page_summary);
    BIND(page_progress);
    BIND(name_entry);
    BIND(name_message);
    BIND(memory_spin);
    BIND(vcpus_spin);
    BIND(source_none);
    BIND(source_iso);
    BIND(source_image);
    BIND(source_entry);
    BIND(source_browse);
    BIND(source_message);
    BIND(disk_view);
    BIND(disk_store);
    BIND(new_volume_radio);
    BIND(existing_radio);
    BIND(pool_combo);
    BIND(size_spin);
    BIND(format_combo);
    BIND(existing_entry);
    BIND(existing_browse);
    BIND(designation_combo);
    BIND(add_disk_button);
    BIND(remove_disk_button);
    BIND(storage_message);
    BIND(storage_warning_bar);
    BIND(storage_warning_label);
    BIND(network_radio);
    BIND(user_radio);
    BIND(network_combo);
    BIND(network_note);
    BIND(dynamic_radio);
    BIND(static_radio);
    BIND(label_entry);
    BIND(label_message);
    BIND(relabel_check);
    BIND(summary_info_bar);
    BIND(summary_info_label);
    BIND(summary_label);
    BIND(plan_view);
    BIND(plan_store);
    BIND(pair_note);
    BIND(start_check);
    BIND(progress_info_bar);
    BIND(progress_info_label);
    BIND(progress_spinner);
    BIND(progress_label);
    gtk_widget_class_bind_template_callback(widget_class, on_changed);
    gtk_widget_class_bind_template_callback(widget_class, on_prepare);
    gtk_widget_class_bind_template_callback(widget_class, on_apply);
    gtk_widget_class_bind_template_callback(widget_class, on_cancel);
    gtk_widget_class_bind_template_callback(widget_class, on_close);
    gtk_widget_class_bind_template_callback(widget_class, on_add_disk);
    gtk_widget_class_bind_template_callback(widget_class, on_remove_disk);
    gtk_widget_class_bind_template_callback(widget_class, on_source_browse);
    gtk_widget_class_bind_template_callback(widget_class, on_existing_browse);
}

static void
svm_new_vm_assistant_init(SvmNewVmAssistant *self)
{
    GtkWidget *apply;
    PangoAttrList *attrs = pango_attr_list_new();

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
    /* Labels are compared character by character. */
    pango_attr_list_insert(attrs, pango_attr_family_new("monospace"));
    gtk_entry_set_attributes(self->label_entry, attrs);
    pango_attr_list_unref(attrs);
    self->cancellable = g_cancellable_new();
    self->disks = g_ptr_array_new_with_free_func((GDestroyNotify)svirt_disk_spec_free);
    self->clashes = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    gtk_combo_box_set_active_id(GTK_COMBO_BOX(self->designation_combo), "private");
    g_signal_connect(gtk_tree_view_get_selection(self->disk_view), "changed",
                     G_CALLBACK(on_selection_changed), self);
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
    return self->busy > 0;
}
