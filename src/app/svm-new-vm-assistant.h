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

G_END_DECLS
