#pragma once

#include "svm-vm-window.h"

G_BEGIN_DECLS

/* State the ui tests wait on and check; the app itself does not read it. */
const char *svm_vm_window_get_vm_uuid(SvmVmWindow *self);
/* Bumped each time a refresh has put new details on every page. */
guint svm_vm_window_get_refresh_count(SvmVmWindow *self);
/* The message the info bar shows; NULL when it is hidden. */
const char *svm_vm_window_get_error(SvmVmWindow *self);
const SvirtVmOverview *svm_vm_window_get_overview(SvmVmWindow *self);

G_END_DECLS
