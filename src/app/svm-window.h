#pragma once

#include <gtk/gtk.h>

#include "svirt-engine.h"
#include "svm-vm-list.h"

G_BEGIN_DECLS

#define SVM_TYPE_WINDOW (svm_window_get_type())

G_DECLARE_FINAL_TYPE(SvmWindow, svm_window, SVM, WINDOW, GtkApplicationWindow)

SvmWindow *svm_window_new(GtkApplication *app, SvirtEngine *engine, GSettings *settings);
SvirtEngine *svm_window_get_engine(SvmWindow *self);
SvmVmList *svm_window_get_vm_list(SvmWindow *self);
GtkTreeView *svm_window_get_vm_view(SvmWindow *self);
void svm_window_reconnect(SvmWindow *self);
void svm_window_reload(SvmWindow *self);
const char *svm_window_get_error(SvmWindow *self);
gboolean svm_window_is_loaded(SvmWindow *self);
void svm_window_set_connection(SvmWindow *self, const char *uri);
void svm_window_add_connection(SvmWindow *self, const char *uri);
GtkTreeModel *svm_window_get_view_model(SvmWindow *self);

G_END_DECLS
