#include "config.h"

#include <glib/gi18n.h>

#include "svm-new-vm-page.h"
#include "svm-new-vm-storage.h"
#include "svm-presentation.h"

struct _SvmNewVmStorage {
    GtkGrid parent_instance;

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

    SvirtEngine *engine;
    GCancellable *cancellable;
    GPtrArray *disks;    /* of SvirtDiskSpec, as listed in disk_store */
    GHashTable *clashes; /* SvirtDiskSpec in disks -> how other VMs' use of its file clashes */
    guint busy;
    gboolean disposed;
};

enum {
    SIGNAL_CHANGED,
    SIGNAL_ERROR,
    SIGNAL_DUP_VM,
    N_SIGNALS,
};

static guint signals[N_SIGNALS];

G_DEFINE_TYPE(SvmNewVmStorage, svm_new_vm_storage, GTK_TYPE_GRID)

static void
on_field_changed(SvmNewVmStorage *self)
{
    g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

static void
busy_end(SvmNewVmStorage *self)
{
    g_return_if_fail(self->busy > 0);
    self->busy--;
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

static void
add_disk_row(SvmNewVmStorage *self, guint index, const SvirtDiskSpec *disk)
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
show_clashes(SvmNewVmStorage *self)
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
    SvmNewVmStorage *self;
    SvirtDiskSpec *disk; /* compared before use: it may be removed meanwhile */
    char *path;
} ClashCheck;

static void
on_path_users_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
    ClashCheck *check = user_data;
    g_autoptr(SvmNewVmStorage) self = check->self;
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
check_clash(SvmNewVmStorage *self, SvirtDiskSpec *disk)
{
    ClashCheck *check = g_new0(ClashCheck, 1);

    check->self = g_object_ref(self);
    check->disk = disk;
    check->path = g_strdup(disk->path);
    self->busy++;
    svirt_engine_list_path_users_async(self->engine, disk->path, self->cancellable,
                                       on_path_users_ready, check);
}

/* The disk the form below the list describes. */
static SvirtDiskSpec *
disk_from_form(SvmNewVmStorage *self)
{
    SvirtDesignation designation =
        designation_from_id(gtk_combo_box_get_active_id(GTK_COMBO_BOX(self->designation_combo)));
    g_autofree char *path = NULL;

    if (gtk_toggle_button_get_active(self->new_volume_radio)) {
        const char *pool = gtk_combo_box_get_active_id(GTK_COMBO_BOX(self->pool_combo));
        const char *format = gtk_combo_box_get_active_id(GTK_COMBO_BOX(self->format_combo));

        return svirt_disk_spec_new_volume(pool ? pool : "",
                                          (guint64)gtk_spin_button_get_value(self->size_spin),
                                          g_strcmp0(format, "raw") == 0
                                              ? SVIRT_VOLUME_FORMAT_RAW
                                              : SVIRT_VOLUME_FORMAT_QCOW2,
                                          designation);
    }
    path = g_strstrip(g_strdup(gtk_entry_get_text(self->existing_entry)));
    return svirt_disk_spec_new_existing(path, designation);
}

static void
on_add_disk(SvmNewVmStorage *self)
{
    g_autoptr(SvirtDiskSpec) disk = disk_from_form(self);
    SvirtVmSpec *vm = NULL;
    g_autoptr(SvirtVmSpec) spec = NULL;
    g_autoptr(GError) error = NULL;

    /* Checked with the rest of the VM, so that a file is not attached twice. */
    g_signal_emit(self, signals[SIGNAL_DUP_VM], 0, &vm);
    spec = vm ? vm : svirt_vm_spec_new("vm");
    svm_new_vm_storage_fill_spec(self, spec);
    svirt_vm_spec_add_disk(spec, svirt_disk_spec_copy(disk));
    if (!svirt_vm_spec_validate(spec, &error)) {
        svm_new_vm_page_set_message(self->storage_message, error->message);
        return;
    }
    svm_new_vm_page_set_message(self->storage_message, NULL);
    if (disk->kind == SVIRT_DISK_SPEC_EXISTING)
        check_clash(self, disk);
    add_disk_row(self, self->disks->len, disk);
    g_ptr_array_add(self->disks, g_steal_pointer(&disk));
    gtk_entry_set_text(self->existing_entry, "");
    g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

static void
on_remove_disk(SvmNewVmStorage *self)
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
    g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

static void
on_existing_browse(SvmNewVmStorage *self)
{
    svm_new_vm_page_choose_file(self->existing_entry, _("Choose a Disk Image"));
}

static void
on_pools_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(SvmNewVmStorage) self = user_data;
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) pools = svirt_engine_list_pools_finish(SVIRT_ENGINE(source), result,
                                                                &error);
    gboolean have_default = FALSE;

    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
    busy_end(self);
    if (pools == NULL) {
        g_signal_emit(self, signals[SIGNAL_ERROR], 0, error->message);
        svm_new_vm_page_set_message(self->storage_message, error->message);
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
    g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

void
svm_new_vm_storage_set_engine(SvmNewVmStorage *self, SvirtEngine *engine)
{
    g_return_if_fail(SVM_IS_NEW_VM_STORAGE(self));
    g_set_object(&self->engine, engine);
    self->busy++;
    svirt_engine_list_pools_async(engine, self->cancellable, on_pools_ready, g_object_ref(self));
}

gboolean
svm_new_vm_storage_check(SvmNewVmStorage *self)
{
    gboolean new_volume;
    GtkTreeSelection *selection;

    g_return_val_if_fail(SVM_IS_NEW_VM_STORAGE(self), FALSE);
    new_volume = gtk_toggle_button_get_active(self->new_volume_radio);
    selection = gtk_tree_view_get_selection(self->disk_view);
    gtk_widget_set_sensitive(GTK_WIDGET(self->pool_combo), new_volume);
    gtk_widget_set_sensitive(GTK_WIDGET(self->size_spin), new_volume);
    gtk_widget_set_sensitive(GTK_WIDGET(self->format_combo), new_volume);
    gtk_widget_set_sensitive(GTK_WIDGET(self->existing_entry), !new_volume);
    gtk_widget_set_sensitive(self->existing_browse, !new_volume);
    gtk_widget_set_sensitive(self->remove_disk_button,
                             gtk_tree_selection_count_selected_rows(selection) > 0);
    return self->disks->len > 0;
}

void
svm_new_vm_storage_fill_spec(SvmNewVmStorage *self, SvirtVmSpec *spec)
{
    g_return_if_fail(SVM_IS_NEW_VM_STORAGE(self));
    for (guint i = 0; i < self->disks->len; i++)
        svirt_vm_spec_add_disk(spec, svirt_disk_spec_copy(g_ptr_array_index(self->disks, i)));
}

gboolean
svm_new_vm_storage_is_busy(SvmNewVmStorage *self)
{
    g_return_val_if_fail(SVM_IS_NEW_VM_STORAGE(self), FALSE);
    return self->busy > 0;
}

static void
svm_new_vm_storage_dispose(GObject *object)
{
    SvmNewVmStorage *self = SVM_NEW_VM_STORAGE(object);

    self->disposed = TRUE;
    g_cancellable_cancel(self->cancellable);
    G_OBJECT_CLASS(svm_new_vm_storage_parent_class)->dispose(object);
}

static void
svm_new_vm_storage_finalize(GObject *object)
{
    SvmNewVmStorage *self = SVM_NEW_VM_STORAGE(object);

    g_clear_object(&self->cancellable);
    g_clear_object(&self->engine);
    g_hash_table_unref(self->clashes);
    g_ptr_array_unref(self->disks);
    G_OBJECT_CLASS(svm_new_vm_storage_parent_class)->finalize(object);
}

#define BIND(name) gtk_widget_class_bind_template_child(widget_class, SvmNewVmStorage, name)

static void
svm_new_vm_storage_class_init(SvmNewVmStorageClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

    object_class->dispose = svm_new_vm_storage_dispose;
    object_class->finalize = svm_new_vm_storage_finalize;

    signals[SIGNAL_CHANGED] = g_signal_new("changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 0);
    signals[SIGNAL_ERROR] = g_signal_new("error", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
    /* Returns a new SvirtVmSpec, which the emitter frees. */
    signals[SIGNAL_DUP_VM] = g_signal_new("dup-vm", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                                          g_signal_accumulator_first_wins, NULL, NULL,
                                          G_TYPE_POINTER, 0);

    gtk_widget_class_set_template_from_resource(widget_class,
                                                "/org/svirt/Manager/svm-new-vm-storage.ui");
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
    gtk_widget_class_bind_template_callback(widget_class, on_field_changed);
    gtk_widget_class_bind_template_callback(widget_class, on_add_disk);
    gtk_widget_class_bind_template_callback(widget_class, on_remove_disk);
    gtk_widget_class_bind_template_callback(widget_class, on_existing_browse);
}

static void
svm_new_vm_storage_init(SvmNewVmStorage *self)
{
    gtk_widget_init_template(GTK_WIDGET(self));
    self->cancellable = g_cancellable_new();
    self->disks = g_ptr_array_new_with_free_func((GDestroyNotify)svirt_disk_spec_free);
    self->clashes = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    gtk_combo_box_set_active_id(GTK_COMBO_BOX(self->designation_combo), "private");
    g_signal_connect_swapped(gtk_tree_view_get_selection(self->disk_view), "changed",
                             G_CALLBACK(on_field_changed), self);
}
