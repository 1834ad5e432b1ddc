#pragma once

#include <gtk/gtk.h>

#include "svirt-create.h"

G_BEGIN_DECLS

#define SVM_TYPE_NEW_VM_SECURITY (svm_new_vm_security_get_type())

/* The New VM assistant's page for the VM's SELinux label: dynamic, or a static one typed in,
 * with or without relabelling the VM's files at start. */
G_DECLARE_FINAL_TYPE(SvmNewVmSecurity, svm_new_vm_security, SVM, NEW_VM_SECURITY, GtkGrid)

/* Says under the label what is wrong with it; TRUE when the page is complete. */
gboolean svm_new_vm_security_check(SvmNewVmSecurity *self);
/* Puts the label settings into @spec. */
void svm_new_vm_security_fill_spec(SvmNewVmSecurity *self, SvirtVmSpec *spec);

G_END_DECLS
