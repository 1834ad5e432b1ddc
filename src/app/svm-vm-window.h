#pragma once

#include <gtk/gtk.h>

#include "svirt-devices.h"

G_BEGIN_DECLS

#define SVM_TYPE_VM_WINDOW (svm_vm_window_get_type())

G_DECLARE_FINAL_TYPE(SvmVmWindow, svm_vm_window, SVM, VM_WINDOW, GtkWindow)

/* The details of one VM: its screen, overview, security, disks, serial console and audit. It
 * follows the VM's lifecycle events and reads its details again after each change. It opens on
 * the page last looked at, else on the screen of a running VM. */
SvmVmWindow *svm_vm_window_new(GtkWindow *parent, SvirtEngine *engine, const char *vm_uuid);
void svm_vm_window_refresh(SvmVmWindow *self);
void svm_vm_window_show_page(SvmVmWindow *self, const char *name);

/* Asks whether to force @vm_name off, naming what is lost; GTK_RESPONSE_ACCEPT forces it off.
 * The main window and the details window both ask with it. */
GtkWidget *svm_force_off_dialog_new(GtkWindow *parent, const char *vm_name);

G_END_DECLS
