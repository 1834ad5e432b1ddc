#pragma once

#include <gtk/gtk.h>

#include "svirt-audit.h"

G_BEGIN_DECLS

/* Columns of the list store that both the audit window and a VM's audit page show. */
enum {
    SVM_FINDING_COL_SEVERITY,      /* int, SvirtSeverity */
    SVM_FINDING_COL_ICON,          /* icon name */
    SVM_FINDING_COL_SEVERITY_TEXT, /* translated severity */
    SVM_FINDING_COL_VM_NAME,
    SVM_FINDING_COL_VM_UUID,
    SVM_FINDING_COL_PATH,
    SVM_FINDING_COL_EXPECTED,
    SVM_FINDING_COL_ACTUAL,
    SVM_FINDING_COL_EXPLANATION,
    SVM_FINDING_COL_TOOLTIP, /* markup: explanation and fix */
    SVM_FINDING_COL_FIXABLE,
    SVM_FINDING_COL_FINDING, /* const SvirtFinding *, owned by the report */
    SVM_FINDING_N_COLS,
};

GtkListStore *svm_audit_findings_store_new(void);
/* Fills @store with the findings of @report; with @vm_uuid, only that VM's. The rows point into
 * @report, so the store must be cleared before the report is freed. */
void svm_audit_findings_fill(GtkListStore *store, const SvirtAuditReport *report,
                             const char *vm_uuid);
const char *svm_severity_icon_name(SvirtSeverity severity);
const char *svm_severity_label(SvirtSeverity severity);
/* "1 critical, 2 errors, 0 warnings, 3 notes" for the findings of @report (of @vm_uuid). */
char *svm_audit_findings_summary(const SvirtAuditReport *report, const char *vm_uuid);
/* The finding of the selected row, or NULL. */
const SvirtFinding *svm_audit_findings_get_selected(GtkTreeView *view);

G_END_DECLS
