#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SVM_TYPE_ISOLATION_RENDERER (svm_isolation_renderer_get_type())

G_DECLARE_FINAL_TYPE(SvmIsolationRenderer, svm_isolation_renderer, SVM, ISOLATION_RENDERER,
                     GtkCellRendererPixbuf)

/* The isolation icon of the VM list. Its "words" property says in words what the icon shows
 * ("Isolated", "Problem: …"), "details" (Pango markup) why; screen readers read the cell by
 * that name and description. */
GtkCellRenderer *svm_isolation_renderer_new(void);

G_END_DECLS
