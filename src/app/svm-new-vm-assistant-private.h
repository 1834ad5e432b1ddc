#pragma once

#include "svm-new-vm-assistant.h"

G_BEGIN_DECLS

/* State the ui tests wait on and check; the app itself does not read it. */
/* The message of the last error shown in the assistant; NULL when none is shown. */
const char *svm_new_vm_assistant_get_error(SvmNewVmAssistant *self);
/* TRUE while pools, networks, a preview, a creation or a start are on their way. */
gboolean svm_new_vm_assistant_is_busy(SvmNewVmAssistant *self);

G_END_DECLS
