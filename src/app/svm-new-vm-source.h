#pragma once

#include <gtk/gtk.h>

#include "svirt-create.h"

G_BEGIN_DECLS

#define SVM_TYPE_NEW_VM_SOURCE (svm_new_vm_source_get_type())

/* The New VM assistant's page for the install source: none, an ISO image or an existing disk
 * image to boot from. */
G_DECLARE_FINAL_TYPE(SvmNewVmSource, svm_new_vm_source, SVM, NEW_VM_SOURCE, GtkGrid)

/* Says under the file what is wrong with it; TRUE when the page is complete. */
gboolean svm_new_vm_source_check(SvmNewVmSource *self);
SvirtInstallKind svm_new_vm_source_get_install(SvmNewVmSource *self);
/* Puts the install source into @spec. */
void svm_new_vm_source_fill_spec(SvmNewVmSource *self, SvirtVmSpec *spec);

G_END_DECLS
