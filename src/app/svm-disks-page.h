#pragma once

#include <gtk/gtk.h>

#include "svirt-devices.h"

G_BEGIN_DECLS

#define SVM_TYPE_DISKS_PAGE (svm_disks_page_get_type())

G_DECLARE_FINAL_TYPE(SvmDisksPage, svm_disks_page, SVM, DISKS_PAGE, GtkBox)

enum {
    SVM_DISKS_COL_ICON,
    SVM_DISKS_COL_TARGET,
    SVM_DISKS_COL_PATH,
    SVM_DISKS_COL_DESIGNATION_TEXT,
    SVM_DISKS_COL_DESIGNATION,
    SVM_DISKS_COL_EXPECTED,
    SVM_DISKS_COL_ACTUAL,
    SVM_DISKS_COL_STATUS_TEXT,
    SVM_DISKS_COL_STATUS_ID, /* as svirtctl status --json writes it */
    SVM_DISKS_COL_TOOLTIP,
    SVM_DISKS_COL_EDITABLE,
    SVM_DISKS_N_COLS,
};

/* "error" carries a message for the window's info bar; "changed" says the VM's definition
 * changed and its details should be read again. */
SvmDisksPage *svm_disks_page_new(void);
void svm_disks_page_set_vm(SvmDisksPage *self, SvirtEngine *engine, const char *uuid);
void svm_disks_page_update(SvmDisksPage *self, const SvirtVmStatus *status);

/* What the designation cells, Add and Remove do, in the background. */
void svm_disks_page_set_designation(SvmDisksPage *self, const char *target,
                                    SvirtDesignation designation);
void svm_disks_page_add_disk(SvmDisksPage *self, const char *path,
                             SvirtDesignation designation);
void svm_disks_page_remove_disk(SvmDisksPage *self, const char *target);

G_END_DECLS
