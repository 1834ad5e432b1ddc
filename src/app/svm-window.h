#pragma once

#include <gtk/gtk.h>

#include "svirt-engine.h"
#include "svm-vm-list.h"

G_BEGIN_DECLS

#define SVM_TYPE_WINDOW (svm_window_get_type())

G_DECLARE_FINAL_TYPE(SvmWindow, svm_window, SVM, WINDOW, GtkApplicationWindow)

SvmWindow *svm_window_new(GtkApplication *app, SvirtEngine *engine, GSettings *settings);
void svm_window_reconnect(SvmWindow *self);
void svm_window_reload(SvmWindow *self);
void svm_window_set_connection(SvmWindow *self, const char *uri);
void svm_window_add_connection(SvmWindow *self, const char *uri);

G_END_DECLS
