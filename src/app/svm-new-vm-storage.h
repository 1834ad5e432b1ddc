#pragma once

#include <gtk/gtk.h>

#include "svirt-create.h"

G_BEGIN_DECLS

#define SVM_TYPE_NEW_VM_STORAGE (svm_new_vm_storage_get_type())

/* The New VM assistant's page for the VM's disks: new volumes in a storage pool and existing
 * files, each private, shared or read-only. A file other VMs use in a way that clashes is
 * warned about under the list. Before a disk is listed it is checked with the rest of the VM,
 * which "dup-vm" returns (a new SvirtVmSpec without disks), so that a file is not attached
 * twice. "error" carries a message for the assistant when the pools cannot be listed. */
G_DECLARE_FINAL_TYPE(SvmNewVmStorage, svm_new_vm_storage, SVM, NEW_VM_STORAGE, GtkGrid)

/* Lists @engine's storage pools; files are looked up on its connection from now on. */
void svm_new_vm_storage_set_engine(SvmNewVmStorage *self, SvirtEngine *engine);
/* Offers only what applies to the kind of disk chosen; TRUE when a disk is listed. */
gboolean svm_new_vm_storage_check(SvmNewVmStorage *self);
/* Adds the listed disks to @spec. */
void svm_new_vm_storage_fill_spec(SvmNewVmStorage *self, SvirtVmSpec *spec);
/* TRUE while the pools or the users of a file are being looked up. */
gboolean svm_new_vm_storage_is_busy(SvmNewVmStorage *self);

G_END_DECLS
