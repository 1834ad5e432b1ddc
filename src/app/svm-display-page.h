#pragma once

#include <gtk/gtk.h>

#include "svirt-display.h"

G_BEGIN_DECLS

#define SVM_TYPE_DISPLAY_PAGE (svm_display_page_get_type())

G_DECLARE_FINAL_TYPE(SvmDisplayPage, svm_display_page, SVM, DISPLAY_PAGE, GtkBox)

/* The VM's screen, VNC or SPICE, through a socket libvirtd hands over. It connects whenever
 * the VM is running (again after a restart); keys and the pointer go to the guest. Emits
 * "error" with a message when a screenshot cannot be saved or a display cannot be added. */
SvmDisplayPage *svm_display_page_new(void);
void svm_display_page_set_vm(SvmDisplayPage *self, SvirtEngine *engine, const char *uuid);
void svm_display_page_set_running(SvmDisplayPage *self, gboolean running);
/* Adds a display of @kind to the stopped VM, as the Add a Display button does for a VM that
 * has none; emits "changed" once the definition has it, "error" when it cannot. */
void svm_display_page_add_display(SvmDisplayPage *self, SvirtDisplayKind kind);
/* Whether the screen has the keyboard focus: then every key belongs to the guest. */
gboolean svm_display_page_has_focus(SvmDisplayPage *self);

G_END_DECLS
