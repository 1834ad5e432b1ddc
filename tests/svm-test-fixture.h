#pragma once

#include <glib.h>

#include "svirt-engine.h"

G_BEGIN_DECLS

/* Points the tests at another libvirtd than qemu:///system, as a libvirt URI. */
#define SVM_TEST_URI_ENV "SVM_TEST_URI"

/* The libvirtd the tests use: $SVM_TEST_URI, or qemu:///system. */
const char *svm_test_uri(void);

typedef enum {
    SVM_TEST_FIXTURE_DEFAULT = 0,
    /* Labels are journalled in a directory of this run (SVIRT_STATE_DIR), which the watchdog
     * removes. */
    SVM_TEST_FIXTURE_PRIVATE_STATE = 1 << 0,
    /* The tests need libvirtd at svm_test_uri(): svm_test_require_libvirtd() first. */
    SVM_TEST_FIXTURE_LIBVIRTD = 1 << 1,
} SvmTestFixtureFlags;

/* Ends the process before any test runs when libvirtd at svm_test_uri() cannot be reached:
 * says why in one line on stderr and exits 77, the status that means "skipped"; with "--tap"
 * in @argv, as meson runs the tests, it also prints TAP's "1..0 # SKIP <why>" and exits 0,
 * since a TAP harness counts any other status as an error. */
void svm_test_require_libvirtd(char **argv);

/* Called first in main() by every test binary that defines VMs or makes directories on the
 * host, before any thread starts and before g_test_init() takes "--tap" out of @argv. It makes
 * this process the owner of what it creates (svm_test_vm_name(), svm_test_make_dir() and its
 * kin), forks a watchdog that sweeps this owner's leftovers as soon as the process ends,
 * however it ends (a failed assertion aborts it, a timeout kills it), and then sweeps what
 * earlier runs whose owner is gone left behind. In a g_test_trap_subprocess() child it does
 * nothing: the parent owns, and sweeps what the child made once the parent ends. */
void svm_test_fixture_init(char **argv, SvmTestFixtureFlags flags);

/* Users a test makes (as root) are named SVM_TEST_USER_PREFIX "<pid>" after their owner. */
#define SVM_TEST_USER_PREFIX "svm-desk-"

/* Removes the test VMs ("svm-test-…-<pid>"), directories ("/tmp/svm-…-<pid>-XXXXXX", and
 * the same under SVM_TEST_HOST_DIR_ROOT) and users (SVM_TEST_USER_PREFIX "<pid>") of @owner, or with @owner 0 of every owner that no
 * longer runs. A running VM is forced off through the engine, which restores the labels the
 * journal holds for it; the labels it still holds in the journal are restored; it is undefined
 * with the volumes named after it. The journal is the owner's private one
 * ("/tmp/svm-state-<owner>-XXXXXX") if it has one, else the run's SVIRT_STATE_DIR. A VM whose
 * owner runs is never touched, so binaries running in parallel do not disturb each other.
 * Returns how many VMs were removed. */
guint svm_test_sweep(GPid owner);

/* Removes @root, the root of a QEMU driver embedded in a test (qemu:///embed?root=@root), with
 * the VMs defined in it, after stopping any QEMU it started that a failed test left running. */
void svm_test_remove_embed_root(const char *root);

/* Forces off VM @vm (a name or UUID) over a connection of its own, through the engine so its
 * labels are restored, and undefines it with the volumes named after it. A connection that
 * waited idle while a g_test_trap_subprocess() child ran may have been closed by libvirtd's
 * keepalive, so cleanup after a subprocess uses this. */
void svm_test_remove_vm(const char *vm);

/* An engine connected to the libvirtd the tests use; fails the test when it cannot connect. */
SvirtEngine *svm_test_connect_engine(void);

/* Whether process @pid has ended (a zombie has). */
gboolean svm_test_process_gone(GPid pid);

G_END_DECLS
