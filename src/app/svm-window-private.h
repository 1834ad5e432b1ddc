#pragma once

#include "svm-window.h"

G_BEGIN_DECLS

/* State the ui tests and the VM list benchmark wait on and check; the app itself does not
 * read it. */
SvirtEngine *svm_window_get_engine(SvmWindow *self);
SvmVmList *svm_window_get_vm_list(SvmWindow *self);
/* The message the info bar shows; NULL when it is hidden. */
const char *svm_window_get_error(SvmWindow *self);
gboolean svm_window_is_loaded(SvmWindow *self);

G_END_DECLS
