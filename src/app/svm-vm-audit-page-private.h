#pragma once

#include "svm-vm-audit-page.h"

G_BEGIN_DECLS

/* State the ui tests wait on and check; the app itself does not read it. */
gboolean svm_vm_audit_page_is_running(SvmVmAuditPage *self);
/* Bumped each time an audit finished. */
guint svm_vm_audit_page_get_audit_count(SvmVmAuditPage *self);
/* The last report, of every VM; the page shows the findings of its VM. */
const SvirtAuditReport *svm_vm_audit_page_get_report(SvmVmAuditPage *self);

G_END_DECLS
