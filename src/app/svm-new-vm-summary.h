#pragma once

#include <gtk/gtk.h>

#include "svirt-create.h"

G_BEGIN_DECLS

#define SVM_TYPE_NEW_VM_SUMMARY (svm_new_vm_summary_get_type())

/* The New VM assistant's confirmation page: the VM in one sentence and the labels the engine
 * will put on each of its files. Its "complete" property turns TRUE once those labels are
 * shown; "error" carries the message shown when they cannot be previewed. */
G_DECLARE_FINAL_TYPE(SvmNewVmSummary, svm_new_vm_summary, SVM, NEW_VM_SUMMARY, GtkBox)

void svm_new_vm_summary_set_engine(SvmNewVmSummary *self, SvirtEngine *engine);
/* Describes @spec and asks the engine for the labels it would get. @error, when creating the
 * VM failed, is shown above. */
void svm_new_vm_summary_show(SvmNewVmSummary *self, const SvirtVmSpec *spec, const char *error);
gboolean svm_new_vm_summary_get_complete(SvmNewVmSummary *self);
/* Whether the VM is to be started once it is created. */
gboolean svm_new_vm_summary_get_start(SvmNewVmSummary *self);
/* TRUE while a preview is on its way. */
gboolean svm_new_vm_summary_is_busy(SvmNewVmSummary *self);

G_END_DECLS
