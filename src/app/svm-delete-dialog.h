#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SVM_TYPE_DELETE_DIALOG (svm_delete_dialog_get_type())

G_DECLARE_FINAL_TYPE(SvmDeleteDialog, svm_delete_dialog, SVM, DELETE_DIALOG, GtkDialog)

/* @storage: SvirtStorageItem of the VM; files other VMs use are listed but not offered. */
SvmDeleteDialog *svm_delete_dialog_new(GtkWindow *parent, const char *vm_name,
                                       GPtrArray *storage);
/* Appends the paths the user chose to delete (newly allocated strings) to @paths. */
void svm_delete_dialog_get_chosen(SvmDeleteDialog *self, GPtrArray *paths);

G_END_DECLS
