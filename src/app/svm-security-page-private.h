#pragma once

#include "svm-security-page.h"

G_BEGIN_DECLS

/* State the ui tests wait on and check; the app itself does not read it. */
gboolean svm_security_page_is_busy(SvmSecurityPage *self);
/* The inline message under the label entry; NULL when the edited settings are valid. */
const char *svm_security_page_get_label_problem(SvmSecurityPage *self);
/* The warning that the edited static label is not isolated; NULL when none is shown. */
const char *svm_security_page_get_reach_warning(SvmSecurityPage *self);
const char *svm_security_page_get_process_label(SvmSecurityPage *self);
const char *svm_security_page_get_image_label(SvmSecurityPage *self);

G_END_DECLS
