#pragma once

#include <gtk/gtk.h>

#include "svirt-lifecycle.h"
#include "svirt-vm.h"

G_BEGIN_DECLS

/* Columns of the model behind the VM list. */
enum {
    SVM_VM_LIST_COL_UUID,
    SVM_VM_LIST_COL_NAME,
    SVM_VM_LIST_COL_STATE,
    SVM_VM_LIST_COL_STATE_LABEL,
    SVM_VM_LIST_COL_PERSISTENT,
    SVM_VM_LIST_COL_MODE_LABEL,
    SVM_VM_LIST_COL_PROCESS_LABEL,
    SVM_VM_LIST_COL_ISOLATION_ICON,
    SVM_VM_LIST_COL_ISOLATION_TEXT,
    SVM_VM_LIST_COL_ISOLATION_WORDS, /* the isolation in words, for screen readers */
    SVM_VM_LIST_N_COLUMNS,
};

#define SVM_TYPE_VM_LIST (svm_vm_list_get_type())

G_DECLARE_FINAL_TYPE(SvmVmList, svm_vm_list, SVM, VM_LIST, GObject)

SvmVmList *svm_vm_list_new(void);
GtkTreeModel *svm_vm_list_get_model(SvmVmList *self);
guint svm_vm_list_get_n_vms(SvmVmList *self);

void svm_vm_list_set_vms(SvmVmList *self, GPtrArray *vms);
void svm_vm_list_clear(SvmVmList *self);
void svm_vm_list_apply_event(SvmVmList *self, SvirtVmEventKind kind, const SvirtVmInfo *info);
gboolean svm_vm_list_lookup(SvmVmList *self, const char *uuid, GtkTreeIter *iter);
SvirtVmState svm_vm_list_get_state(SvmVmList *self, const char *uuid);
void svm_vm_list_set_labels(SvmVmList *self, const SvirtVmLabels *labels);
/* The UUIDs of the VMs shown with a static label: whether one is isolated depends on the
 * others' levels too. */
GPtrArray *svm_vm_list_dup_static_uuids(SvmVmList *self);

G_END_DECLS
