#pragma once

#include <json-glib/json-glib.h>

#include "svirt-audit-check.h"
#include "svirt-engine.h"
#include "svirt-finding.h"
#include "svirt-matrix.h"

G_BEGIN_DECLS

typedef struct {
    GPtrArray *findings; /* of SvirtFinding, most severe first */
    SvirtMatrix *matrix;
} SvirtAuditReport;

/* Audits every VM on the engine's connection and the host. */
SvirtAuditReport *svirt_audit_run(SvirtEngine *engine, GCancellable *cancellable,
                                  GError **error);
void svirt_audit_run_async(SvirtEngine *engine, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data);
SvirtAuditReport *svirt_audit_run_finish(SvirtEngine *engine, GAsyncResult *result,
                                         GError **error);
void svirt_audit_report_free(SvirtAuditReport *report);
/* The worst severity among the findings; SVIRT_SEVERITY_INFO when there are none. */
SvirtSeverity svirt_audit_report_max_severity(const SvirtAuditReport *report);

/* { "findings": [ { "id", "severity", "vm", "uuid", "path", "expected", "actual",
 *   "explanation", "fix", "fixable" } ], "matrix": { "source", "policy", "vms": [ { "name",
 *   "uuid", "process_label", "note" } ], "cells": [ [ { "access", "path", "reason" } ] ] } } */
JsonNode *svirt_audit_report_to_json(const SvirtAuditReport *report);
/* A self-contained HTML page: findings table, colored matrix, the policy source. */
char *svirt_audit_report_to_html(const SvirtAuditReport *report);

/* Repairs a finding the engine can repair safely: relabels a mismatched or unlabelled object
 * of a running VM the engine started, restores a stale object. Anything else is refused with
 * SVIRT_ERROR_UNSAFE and a message saying what the administrator must do. */
gboolean svirt_audit_fix(SvirtEngine *engine, const SvirtFinding *finding, GError **error);
void svirt_audit_fix_async(SvirtEngine *engine, const SvirtFinding *finding,
                           GCancellable *cancellable, GAsyncReadyCallback callback,
                           gpointer user_data);
gboolean svirt_audit_fix_finish(SvirtEngine *engine, GAsyncResult *result, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtAuditReport, svirt_audit_report_free)

G_END_DECLS
