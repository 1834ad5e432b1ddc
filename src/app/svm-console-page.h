#pragma once

#include <gtk/gtk.h>
#include <vte/vte.h>

#include "svirt-console.h"

G_BEGIN_DECLS

#define SVM_TYPE_CONSOLE_PAGE (svm_console_page_get_type())

G_DECLARE_FINAL_TYPE(SvmConsolePage, svm_console_page, SVM, CONSOLE_PAGE, GtkBox)

/* The VM's first serial console in a terminal. It connects whenever the VM is running (again
 * after a restart); what is typed goes to the guest. */
SvmConsolePage *svm_console_page_new(void);
void svm_console_page_set_vm(SvmConsolePage *self, SvirtEngine *engine, const char *uuid);
void svm_console_page_set_running(SvmConsolePage *self, gboolean running);

void svm_console_page_copy(SvmConsolePage *self);
void svm_console_page_paste(SvmConsolePage *self);
void svm_console_page_zoom_in(SvmConsolePage *self);
void svm_console_page_zoom_out(SvmConsolePage *self);
void svm_console_page_zoom_reset(SvmConsolePage *self);

G_END_DECLS
