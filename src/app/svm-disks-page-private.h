#pragma once

#include "svm-disks-page.h"

G_BEGIN_DECLS

/* State the ui tests wait on and check; the app itself does not read it. */
gboolean svm_disks_page_is_busy(SvmDisksPage *self);

G_END_DECLS
