#pragma once

#include <glib.h>

#include "svirt-finding.h"
#include "svirt-plan.h"

G_BEGIN_DECLS

/* Adds a finding about @path of the VM of @plan (NULL: the host) to @findings; takes
 * @explanation and @fix. */
SvirtFinding *svirt_finding_add(GPtrArray *findings, SvirtFindingKind kind,
                                SvirtSeverity severity, const SvirtPlan *plan, const char *path,
                                const char *expected, const char *actual, char *explanation,
                                char *fix);

/* The level of a context, everything after its third colon; NULL when it has none. */
char *svirt_audit_level_of(const char *context);

G_END_DECLS
