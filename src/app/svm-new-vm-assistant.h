#pragma once

#include <gtk/gtk.h>

#include "svirt-create.h"
#include "svirt-engine.h"

G_BEGIN_DECLS

#define SVM_TYPE_NEW_VM_ASSISTANT (svm_new_vm_assistant_get_type())

G_DECLARE_FINAL_TYPE(SvmNewVmAssistant, svm_new_vm_assistant, SVM, NEW_VM_ASSISTANT, GtkAssistant)

/* Emits "vm-created" (the new VM's UUID) once the VM is defined, before any start. Cancel,
 * Escape and the window's close button close it; during a creation they cancel it first, and
 * the assistant closes once the engine has undone what it made. The last page's Open shows
 * the new VM's details on their Console page. */
SvmNewVmAssistant *svm_new_vm_assistant_new(GtkWindow *parent, SvirtEngine *engine);
/* The message of the last error shown in the assistant; NULL when none is shown. */
const char *svm_new_vm_assistant_get_error(SvmNewVmAssistant *self);
/* The VM the current pages describe; NULL while a page is incomplete. */
SvirtVmSpec *svm_new_vm_assistant_dup_spec(SvmNewVmAssistant *self);
/* The plan shown on the summary page; NULL before it is computed. */
const SvirtPlan *svm_new_vm_assistant_get_plan(SvmNewVmAssistant *self);
/* TRUE while pools, networks, a preview, a creation or a start are on their way. */
gboolean svm_new_vm_assistant_is_busy(SvmNewVmAssistant *self);

G_END_DECLS
