#pragma once

#include <gtk/gtk.h>

#include "svirt-create.h"

G_BEGIN_DECLS

#define SVM_TYPE_NEW_VM_BASICS (svm_new_vm_basics_get_type())

/* The New VM assistant's first page: the VM's name, memory and virtual CPUs. Whether the name
 * is free on the connection is asked of the engine; "changed" is emitted when the answer
 * comes. */
G_DECLARE_FINAL_TYPE(SvmNewVmBasics, svm_new_vm_basics, SVM, NEW_VM_BASICS, GtkGrid)

void svm_new_vm_basics_set_engine(SvmNewVmBasics *self, SvirtEngine *engine);
/* Says under the name what is wrong with it; TRUE when the page is complete. A name not
 * checked yet is sent to the engine and counts as not complete until it answers. */
gboolean svm_new_vm_basics_check(SvmNewVmBasics *self);
const char *svm_new_vm_basics_get_name(SvmNewVmBasics *self);
/* Puts the name, memory and virtual CPUs into @spec. */
void svm_new_vm_basics_fill_spec(SvmNewVmBasics *self, SvirtVmSpec *spec);
/* TRUE while the engine checks a name. */
gboolean svm_new_vm_basics_is_busy(SvmNewVmBasics *self);

G_END_DECLS
