#include "config.h"

#include <glib/gi18n.h>

#include "svm-presentation.h"

const char *
svm_isolation_icon_name(SvirtIsolation isolation)
{
    switch (isolation) {
    case SVIRT_ISOLATION_ISOLATED:
        return "security-high-symbolic";
    case SVIRT_ISOLATION_SHARED:
        return "security-medium-symbolic";
    case SVIRT_ISOLATION_PROBLEM:
    default:
        return "dialog-warning-symbolic";
    }
}

const char *
svm_designation_label(SvirtDesignation designation)
{
    switch (designation) {
    case SVIRT_DESIGNATION_PRIVATE:
        return _("Private");
    case SVIRT_DESIGNATION_SHARED:
        return _("Shared");
    case SVIRT_DESIGNATION_READONLY:
        return _("Read-only");
    case SVIRT_DESIGNATION_CONTENT:
        /* TRANSLATORS: a backing file, read by the VM but never written */
        return _("Content");
    case SVIRT_DESIGNATION_SKIPPED:
    default:
        return _("Not labelled");
    }
}
