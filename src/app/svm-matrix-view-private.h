#pragma once

#include "svm-matrix-view.h"

G_BEGIN_DECLS

/* What the matrix holds, which the ui tests compare with the report and the drawing. */
guint svm_matrix_view_get_n_vms(SvmMatrixView *self);
SvirtAccess svm_matrix_view_get_access(SvmMatrixView *self, guint row, guint column);
/* The fill colour of a cell with @access; @self_cell for the diagonal. */
void svm_matrix_view_get_access_color(SvirtAccess access, gboolean self_cell, GdkRGBA *color);

G_END_DECLS
