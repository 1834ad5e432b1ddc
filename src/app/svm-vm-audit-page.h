#pragma once

#include <gtk/gtk.h>

#include "svirt-audit.h"

G_BEGIN_DECLS

#define SVM_TYPE_VM_AUDIT_PAGE (svm_vm_audit_page_get_type())

G_DECLARE_FINAL_TYPE(SvmVmAuditPage, svm_vm_audit_page, SVM, VM_AUDIT_PAGE, GtkBox)

/* The audit findings of one VM, with Fix. It audits the first time it is shown and on Refresh;
 * the "error" signal carries a message for the window's info bar. */
SvmVmAuditPage *svm_vm_audit_page_new(void);
void svm_vm_audit_page_set_vm(SvmVmAuditPage *self, SvirtEngine *engine, const char *uuid);
void svm_vm_audit_page_refresh(SvmVmAuditPage *self);

G_END_DECLS
