#pragma once

#include "svm-console-page.h"

G_BEGIN_DECLS

/* State the ui tests wait on and check; the app itself does not read it. */
gboolean svm_console_page_is_connected(SvmConsolePage *self);

G_END_DECLS
