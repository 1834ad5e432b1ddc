#pragma once

#include <gtk/gtk.h>

#include "svirt-devices.h"

G_BEGIN_DECLS

#define SVM_TYPE_SECURITY_PAGE (svm_security_page_get_type())

G_DECLARE_FINAL_TYPE(SvmSecurityPage, svm_security_page, SVM, SECURITY_PAGE, GtkBox)

/* The "error" signal carries a message for the window's info bar; "changed" says the stored
 * settings changed and the VM's details should be read again. */
SvmSecurityPage *svm_security_page_new(void);
void svm_security_page_set_vm(SvmSecurityPage *self, SvirtEngine *engine, const char *uuid);
/* Shows @status and puts @settings in the editor (discarding edits). */
void svm_security_page_update(SvmSecurityPage *self, const SvirtVmStatus *status,
                              const SvirtSettings *settings);
/* Clicks Apply; FALSE when Apply is insensitive. */
gboolean svm_security_page_apply(SvmSecurityPage *self);
/* Clicks Move to sVirt Manager, shown where libvirtd cannot start the VM because of its
 * <seclabel>; FALSE when it is not offered. */
gboolean svm_security_page_adopt(SvmSecurityPage *self);

G_END_DECLS
