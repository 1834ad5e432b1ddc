#include "config.h"

#include "svirt-audit-private.h"
#include "svirt-finding.h"

const char *
svirt_severity_to_string(SvirtSeverity severity)
{
    switch (severity) {
    case SVIRT_SEVERITY_INFO:
        return "info";
    case SVIRT_SEVERITY_WARNING:
        return "warning";
    case SVIRT_SEVERITY_ERROR:
        return "error";
    case SVIRT_SEVERITY_CRITICAL:
    default:
        return "critical";
    }
}

const char *
svirt_finding_kind_to_id(SvirtFindingKind kind)
{
    switch (kind) {
    case SVIRT_FINDING_MISMATCH:
        return "mismatch";
    case SVIRT_FINDING_UNLABELLED:
        return "unlabelled";
    case SVIRT_FINDING_FOREIGN:
        return "foreign";
    case SVIRT_FINDING_STALE:
        return "stale";
    case SVIRT_FINDING_DUPLICATE:
        return "duplicate";
    case SVIRT_FINDING_SHARED_WRITABLE:
        return "shared-writable";
    case SVIRT_FINDING_HOST_DEVICE:
        return "host-device";
    case SVIRT_FINDING_UNSUPPORTED_FS:
        return "unsupported-fs";
    case SVIRT_FINDING_OUTSIDE_POOLS:
        return "outside-pools";
    case SVIRT_FINDING_STARTED_OUTSIDE:
        return "started-outside";
    case SVIRT_FINDING_NOT_ENFORCING:
        return "not-enforcing";
    case SVIRT_FINDING_NOT_ISOLATED:
        return "not-isolated";
    case SVIRT_FINDING_SETTINGS_DIFFER:
        return "settings-differ";
    case SVIRT_FINDING_DISPLAY_EXPOSED:
        return "display-exposed";
    case SVIRT_FINDING_MISSING:
    default:
        return "missing";
    }
}

SvirtFinding *
svirt_finding_copy(const SvirtFinding *f)
{
    SvirtFinding *copy = g_new0(SvirtFinding, 1);

    *copy = *f;
    copy->vm_name = g_strdup(f->vm_name);
    copy->vm_uuid = g_strdup(f->vm_uuid);
    copy->path = g_strdup(f->path);
    copy->expected = g_strdup(f->expected);
    copy->actual = g_strdup(f->actual);
    copy->explanation = g_strdup(f->explanation);
    copy->fix = g_strdup(f->fix);
    return copy;
}

void
svirt_finding_free(SvirtFinding *f)
{
    if (!f)
        return;
    g_free(f->vm_name);
    g_free(f->vm_uuid);
    g_free(f->path);
    g_free(f->expected);
    g_free(f->actual);
    g_free(f->explanation);
    g_free(f->fix);
    g_free(f);
}

SvirtFinding *
svirt_finding_add(GPtrArray *findings, SvirtFindingKind kind, SvirtSeverity severity,
                  const SvirtPlan *plan, const char *path, const char *expected,
                  const char *actual, char *explanation, char *fix)
{
    SvirtFinding *f = g_new0(SvirtFinding, 1);

    f->kind = kind;
    f->severity = severity;
    f->vm_name = plan ? g_strdup(plan->vm_name) : NULL;
    f->vm_uuid = plan ? g_strdup(plan->vm_uuid) : NULL;
    f->path = g_strdup(path);
    f->expected = g_strdup(expected);
    f->actual = g_strdup(actual);
    f->explanation = explanation;
    f->fix = fix;
    g_ptr_array_add(findings, f);
    return f;
}
