#pragma once

#include <gtk/gtk.h>

#include "svirt-audit.h"

G_BEGIN_DECLS

#define SVM_TYPE_AUDIT_WINDOW (svm_audit_window_get_type())

G_DECLARE_FINAL_TYPE(SvmAuditWindow, svm_audit_window, SVM, AUDIT_WINDOW, GtkWindow)

/* The audit of every VM on @engine's connection: findings with filters and Fix, and the
 * isolation matrix. It audits when it opens; "audit-finished" is emitted after each audit,
 * whether it succeeded or not. */
SvmAuditWindow *svm_audit_window_new(GtkWindow *parent, SvirtEngine *engine);
void svm_audit_window_refresh(SvmAuditWindow *self);
/* "findings" or "matrix". */
void svm_audit_window_show_page(SvmAuditWindow *self, const char *name);
/* Writes the report as JSON when @path ends in ".json", else as HTML. */
gboolean svm_audit_window_export(SvmAuditWindow *self, const char *path, GError **error);

G_END_DECLS
