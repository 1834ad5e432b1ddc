#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SVM_TYPE_APPLICATION (svm_application_get_type())

G_DECLARE_FINAL_TYPE(SvmApplication, svm_application, SVM, APPLICATION, GtkApplication)

SvmApplication *svm_application_new(void);

G_END_DECLS
