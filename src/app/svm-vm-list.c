#include "config.h"

#include <glib/gi18n.h>

#include "svm-presentation.h"
#include "svm-vm-list.h"

/* Shown in label columns until the engine reports a label: never a made-up value. */
#define NO_VALUE "—"

struct _SvmVmList {
    GObject parent_instance;

    GtkListStore *store;
    /* uuid -> GtkTreeIter; list store iters stay valid while their row exists */
    GHashTable *rows;
};

G_DEFINE_TYPE(SvmVmList, svm_vm_list, G_TYPE_OBJECT)

static void
set_row(SvmVmList *self, GtkTreeIter *iter, const SvirtVmInfo *info, gboolean persistent)
{
    gtk_list_store_set(self->store, iter,
                       SVM_VM_LIST_COL_UUID, info->uuid,
                       SVM_VM_LIST_COL_NAME, info->name,
                       SVM_VM_LIST_COL_STATE, info->state,
                       SVM_VM_LIST_COL_STATE_LABEL, svirt_vm_state_to_label(info->state),
                       SVM_VM_LIST_COL_PERSISTENT, persistent,
                       -1);
}

static void
add_row(SvmVmList *self, const SvirtVmInfo *info)
{
    GtkTreeIter iter;

    gtk_list_store_insert_with_values(self->store, &iter, -1,
                                      SVM_VM_LIST_COL_UUID, info->uuid,
                                      SVM_VM_LIST_COL_NAME, info->name,
                                      SVM_VM_LIST_COL_STATE, info->state,
                                      SVM_VM_LIST_COL_STATE_LABEL,
                                      svirt_vm_state_to_label(info->state),
                                      SVM_VM_LIST_COL_PERSISTENT, info->persistent,
                                      SVM_VM_LIST_COL_MODE_LABEL, NO_VALUE,
                                      SVM_VM_LIST_COL_PROCESS_LABEL, NO_VALUE,
                                      SVM_VM_LIST_COL_ISOLATION_ICON, NULL,
                                      SVM_VM_LIST_COL_ISOLATION_TEXT, NULL,
                                      SVM_VM_LIST_COL_ISOLATION_WORDS, NULL,
                                      -1);
    g_hash_table_replace(self->rows, g_strdup(info->uuid), gtk_tree_iter_copy(&iter));
}

static void
remove_row(SvmVmList *self, const char *uuid)
{
    GtkTreeIter *iter = g_hash_table_lookup(self->rows, uuid);

    if (!iter)
        return;
    gtk_list_store_remove(self->store, iter);
    g_hash_table_remove(self->rows, uuid);
}

void
svm_vm_list_clear(SvmVmList *self)
{
    g_return_if_fail(SVM_IS_VM_LIST(self));
    g_hash_table_remove_all(self->rows);
    gtk_list_store_clear(self->store);
}

/* Replaces the whole list. Callers detach the model from views first when the list is long. */
void
svm_vm_list_set_vms(SvmVmList *self, GPtrArray *vms)
{
    g_return_if_fail(SVM_IS_VM_LIST(self));
    svm_vm_list_clear(self);
    for (guint i = 0; i < vms->len; i++)
        add_row(self, g_ptr_array_index(vms, i));
}

void
svm_vm_list_apply_event(SvmVmList *self, SvirtVmEventKind kind, const SvirtVmInfo *info)
{
    GtkTreeIter *iter;
    gboolean persistent = FALSE;
    SvirtVmState state = SVIRT_VM_STATE_NOSTATE;

    g_return_if_fail(SVM_IS_VM_LIST(self));

    iter = g_hash_table_lookup(self->rows, info->uuid);
    if (iter)
        gtk_tree_model_get(GTK_TREE_MODEL(self->store), iter,
                           SVM_VM_LIST_COL_PERSISTENT, &persistent,
                           SVM_VM_LIST_COL_STATE, &state, -1);

    switch (kind) {
    case SVIRT_VM_EVENT_DEFINED:
        if (!iter) {
            add_row(self, info);
        } else {
            /* A running VM made persistent keeps its state. */
            SvirtVmInfo row = *info;

            row.state = state;
            set_row(self, iter, &row, TRUE);
        }
        break;
    case SVIRT_VM_EVENT_UNDEFINED:
        if (iter && svirt_vm_state_is_active(state)) {
            SvirtVmInfo row = *info;

            row.state = state;
            set_row(self, iter, &row, FALSE);
        } else {
            remove_row(self, info->uuid);
        }
        break;
    case SVIRT_VM_EVENT_STATE:
        if (!iter) {
            /* A transient VM created elsewhere. */
            if (svirt_vm_state_is_active(info->state))
                add_row(self, info);
        } else if (!persistent && !svirt_vm_state_is_active(info->state)) {
            /* A transient VM is gone once it stops. */
            remove_row(self, info->uuid);
        } else {
            set_row(self, iter, info, persistent);
        }
        break;
    case SVIRT_VM_EVENT_IGNORED:
    default:
        break;
    }
}

/* What the isolation icon says, for those who do not see it. */
static char *
isolation_words(const SvirtVmLabels *labels)
{
    switch (labels->isolation) {
    case SVIRT_ISOLATION_ISOLATED:
        return g_strdup(_("Isolated"));
    case SVIRT_ISOLATION_SHARED:
        return g_strdup(_("Uses shared disks"));
    case SVIRT_ISOLATION_PROBLEM:
    default:
        /* TRANSLATORS: %s says what is wrong with a VM's isolation, in a sentence */
        return g_strdup_printf(_("Problem: %s"), labels->reason ? labels->reason : "");
    }
}

void
svm_vm_list_set_labels(SvmVmList *self, const SvirtVmLabels *labels)
{
    GtkTreeIter *iter;
    g_autofree char *tooltip = NULL;
    g_autofree char *words = NULL;

    g_return_if_fail(SVM_IS_VM_LIST(self));
    iter = g_hash_table_lookup(self->rows, labels->uuid);
    if (!iter)
        return;
    words = isolation_words(labels);
    /* The list ellipsizes long labels; the tooltip carries them whole. */
    tooltip = labels->process_label
                  ? g_markup_printf_escaped("%s\n<tt>%s</tt>", labels->reason,
                                            labels->process_label)
                  : g_markup_escape_text(labels->reason, -1);
    gtk_list_store_set(self->store, iter,
                       SVM_VM_LIST_COL_MODE_LABEL, svirt_security_mode_to_label(labels->mode),
                       SVM_VM_LIST_COL_PROCESS_LABEL,
                       labels->process_label ? labels->process_label : NO_VALUE,
                       SVM_VM_LIST_COL_ISOLATION_ICON,
                       svm_isolation_icon_name(labels->isolation),
                       SVM_VM_LIST_COL_ISOLATION_TEXT, tooltip,
                       SVM_VM_LIST_COL_ISOLATION_WORDS, words,
                       -1);
}

GPtrArray *
svm_vm_list_dup_static_uuids(SvmVmList *self)
{
    const char *shown = svirt_security_mode_to_label(SVIRT_SECURITY_MODE_STATIC);
    GPtrArray *uuids = g_ptr_array_new_with_free_func(g_free);
    GHashTableIter it;
    gpointer uuid, row;

    g_return_val_if_fail(SVM_IS_VM_LIST(self), uuids);
    g_hash_table_iter_init(&it, self->rows);
    while (g_hash_table_iter_next(&it, &uuid, &row)) {
        g_autofree char *mode = NULL;

        gtk_tree_model_get(GTK_TREE_MODEL(self->store), row, SVM_VM_LIST_COL_MODE_LABEL, &mode,
                           -1);
        if (g_strcmp0(mode, shown) == 0)
            g_ptr_array_add(uuids, g_strdup(uuid));
    }
    return uuids;
}

gboolean
svm_vm_list_lookup(SvmVmList *self, const char *uuid, GtkTreeIter *iter)
{
    GtkTreeIter *found;

    g_return_val_if_fail(SVM_IS_VM_LIST(self), FALSE);
    found = g_hash_table_lookup(self->rows, uuid);
    if (found && iter)
        *iter = *found;
    return found != NULL;
}

SvirtVmState
svm_vm_list_get_state(SvmVmList *self, const char *uuid)
{
    GtkTreeIter iter;
    SvirtVmState state = SVIRT_VM_STATE_NOSTATE;

    if (svm_vm_list_lookup(self, uuid, &iter))
        gtk_tree_model_get(GTK_TREE_MODEL(self->store), &iter, SVM_VM_LIST_COL_STATE, &state,
                           -1);
    return state;
}

GtkTreeModel *
svm_vm_list_get_model(SvmVmList *self)
{
    g_return_val_if_fail(SVM_IS_VM_LIST(self), NULL);
    return GTK_TREE_MODEL(self->store);
}

guint
svm_vm_list_get_n_vms(SvmVmList *self)
{
    g_return_val_if_fail(SVM_IS_VM_LIST(self), 0);
    return g_hash_table_size(self->rows);
}

SvmVmList *
svm_vm_list_new(void)
{
    return g_object_new(SVM_TYPE_VM_LIST, NULL);
}

static void
svm_vm_list_finalize(GObject *object)
{
    SvmVmList *self = SVM_VM_LIST(object);

    g_hash_table_unref(self->rows);
    g_object_unref(self->store);
    G_OBJECT_CLASS(svm_vm_list_parent_class)->finalize(object);
}

static void
svm_vm_list_class_init(SvmVmListClass *klass)
{
    G_OBJECT_CLASS(klass)->finalize = svm_vm_list_finalize;
}

static void
svm_vm_list_init(SvmVmList *self)
{
    self->store = gtk_list_store_new(SVM_VM_LIST_N_COLUMNS,
                                     G_TYPE_STRING,   /* uuid */
                                     G_TYPE_STRING,   /* name */
                                     G_TYPE_INT,      /* state */
                                     G_TYPE_STRING,   /* state label */
                                     G_TYPE_BOOLEAN,  /* persistent */
                                     G_TYPE_STRING,   /* label mode */
                                     G_TYPE_STRING,   /* process label */
                                     G_TYPE_STRING,   /* isolation icon */
                                     G_TYPE_STRING,   /* isolation explained */
                                     G_TYPE_STRING);  /* isolation in words */
    gtk_tree_sortable_set_sort_column_id(GTK_TREE_SORTABLE(self->store), SVM_VM_LIST_COL_NAME,
                                         GTK_SORT_ASCENDING);
    self->rows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify)gtk_tree_iter_free);
}
