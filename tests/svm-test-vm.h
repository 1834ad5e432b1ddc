#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>

G_BEGIN_DECLS

/* The marker the generated boot sector writes to the first serial port. It then echoes every
 * byte it receives on that port. */
#define SVM_TEST_BOOT_MARKER "SVIRT-BOOT-OK"

/* The process that owns what this test makes on the host: the test binary meson started (its
 * g_test_trap_subprocess() children inherit it through SVM_TEST_OWNER_ENV). */
#define SVM_TEST_OWNER_ENV "SVM_TEST_OWNER"
GPid svm_test_owner(void);

/* "@stem-<owner>": the name of a test VM, which svm_test_sweep() removes once its owner is
 * gone. @stem starts with "svm-test-". */
char *svm_test_vm_name(const char *stem);

/* A directory the QEMU user can enter, removed with svm_test_rmdir(); its name carries the
 * owner ("/tmp/@prefix-<owner>-XXXXXX"), so a sweep finds it when the owner died. */
char *svm_test_make_vm_dir(const char *prefix);
void svm_test_rmdir(const char *dir);

void svm_test_write_boot_image(const char *path);

/* Forces off and undefines the VM with @uuid (by name when it is not a UUID), if it exists. */
void svm_test_remove_domain(virConnectPtr conn, const char *vm);
void svm_test_write_blank_image(const char *path, gsize size);

G_END_DECLS
