#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>

G_BEGIN_DECLS

/* The marker the generated boot sector writes to the first serial port. It then echoes every
 * byte it receives on that port. */
#define SVM_TEST_BOOT_MARKER "SVIRT-BOOT-OK"

/* A directory the QEMU user can enter, removed with svm_test_rmdir(). */
char *svm_test_make_vm_dir(const char *prefix);
void svm_test_rmdir(const char *dir);

void svm_test_write_boot_image(const char *path);

/* Forces off and undefines the VM with @uuid (by name when it is not a UUID), if it exists. */
void svm_test_remove_domain(virConnectPtr conn, const char *vm);
void svm_test_write_blank_image(const char *path, gsize size);

G_END_DECLS
