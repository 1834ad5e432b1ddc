#pragma once

#include <gtk/gtk.h>

#include "svirt-audit.h"

G_BEGIN_DECLS

#define SVM_TYPE_MATRIX_VIEW (svm_matrix_view_get_type())

G_DECLARE_FINAL_TYPE(SvmMatrixView, svm_matrix_view, SVM, MATRIX_VIEW, GtkDrawingArea)

/* The isolation matrix as a grid: row = the VM whose process accesses, column = the VM whose
 * objects are accessed, each cell coloured by what the access is. Arrow keys move a cursor cell;
 * "cursor-changed" is emitted when it moves. */
GtkWidget *svm_matrix_view_new(void);
/* Copies what it shows from @matrix (NULL: empty). */
void svm_matrix_view_set_matrix(SvmMatrixView *self, const SvirtMatrix *matrix);
const char *svm_matrix_view_get_vm_name(SvmMatrixView *self, guint index);
/* Returns FALSE when the matrix is empty. */
gboolean svm_matrix_view_get_cursor(SvmMatrixView *self, guint *row, guint *column);
void svm_matrix_view_set_cursor(SvmMatrixView *self, guint row, guint column);
/* What the cell says in words: the two VMs, the access, the object and the reason. */
char *svm_matrix_view_describe_cell(SvmMatrixView *self, guint row, guint column);
/* Where the cell is drawn, in widget coordinates. */
gboolean svm_matrix_view_get_cell_area(SvmMatrixView *self, guint row, guint column,
                                       GdkRectangle *area);

G_END_DECLS
