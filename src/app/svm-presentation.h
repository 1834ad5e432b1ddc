#pragma once

#include "svirt-lifecycle.h"
#include "svirt-plan.h"

G_BEGIN_DECLS

const char *svm_isolation_icon_name(SvirtIsolation isolation);
const char *svm_designation_label(SvirtDesignation designation);

G_END_DECLS
