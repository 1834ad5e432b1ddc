#pragma once

#include "svm-audit-window.h"

G_BEGIN_DECLS

/* State the ui tests wait on and check; the app itself does not read it. */
gboolean svm_audit_window_is_running(SvmAuditWindow *self);
/* Bumped each time an audit finished. */
guint svm_audit_window_get_audit_count(SvmAuditWindow *self);
/* The last report; NULL before the first audit succeeded. */
const SvirtAuditReport *svm_audit_window_get_report(SvmAuditWindow *self);
/* The message the info bar shows; NULL when it is hidden. */
const char *svm_audit_window_get_error(SvmAuditWindow *self);

G_END_DECLS
