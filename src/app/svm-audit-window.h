#pragma once

#include <gtk/gtk.h>

#include "svirt-audit.h"
#include "svm-matrix-view.h"

G_BEGIN_DECLS

#define SVM_TYPE_AUDIT_WINDOW (svm_audit_window_get_type())

G_DECLARE_FINAL_TYPE(SvmAuditWindow, svm_audit_window, SVM, AUDIT_WINDOW, GtkWindow)

/* The audit of every VM on @engine's connection: findings with filters and Fix, and the
 * isolation matrix. It audits when it opens; "audit-finished" is emitted after each audit,
 * whether it succeeded or not. */
SvmAuditWindow *svm_audit_window_new(GtkWindow *parent, SvirtEngine *engine);
void svm_audit_window_refresh(SvmAuditWindow *self);
gboolean svm_audit_window_is_running(SvmAuditWindow *self);
/* Bumped each time an audit finished. */
guint svm_audit_window_get_audit_count(SvmAuditWindow *self);
/* The last report; NULL before the first audit succeeded. */
const SvirtAuditReport *svm_audit_window_get_report(SvmAuditWindow *self);
/* The message the info bar shows; NULL when it is hidden. */
const char *svm_audit_window_get_error(SvmAuditWindow *self);
/* "findings" or "matrix". */
void svm_audit_window_show_page(SvmAuditWindow *self, const char *name);
/* Writes the report as JSON when @path ends in ".json", else as HTML. */
gboolean svm_audit_window_export(SvmAuditWindow *self, const char *path, GError **error);

GtkTreeView *svm_audit_window_get_findings_view(SvmAuditWindow *self);
/* The rows the view shows, of the SVM_FINDING_COL_* columns. */
GtkTreeModel *svm_audit_window_get_filtered_model(SvmAuditWindow *self);
/* Severity filter ids: "all", "info", "warning", "error"; VM filter ids: "all" or a UUID. */
GtkComboBox *svm_audit_window_get_severity_filter(SvmAuditWindow *self);
GtkComboBox *svm_audit_window_get_vm_filter(SvmAuditWindow *self);
GtkButton *svm_audit_window_get_fix_button(SvmAuditWindow *self);
GtkLabel *svm_audit_window_get_status_label(SvmAuditWindow *self);
SvmMatrixView *svm_audit_window_get_matrix_view(SvmAuditWindow *self);
GtkLabel *svm_audit_window_get_cursor_label(SvmAuditWindow *self);
GtkLabel *svm_audit_window_get_policy_label(SvmAuditWindow *self);

G_END_DECLS
