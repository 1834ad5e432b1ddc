#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SVM_TYPE_CONNECT_DIALOG (svm_connect_dialog_get_type())

G_DECLARE_FINAL_TYPE(SvmConnectDialog, svm_connect_dialog, SVM, CONNECT_DIALOG, GtkDialog)

SvmConnectDialog *svm_connect_dialog_new(GtkWindow *parent);
const char *svm_connect_dialog_get_uri(SvmConnectDialog *self);
/* Asks for a URI; NULL when cancelled. */
char *svm_connect_dialog_run(GtkWindow *parent);

G_END_DECLS
