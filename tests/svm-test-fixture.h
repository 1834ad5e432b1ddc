#pragma once

#include <glib.h>

#include "svirt-engine.h"

G_BEGIN_DECLS

/* Called first in main() by every test binary that defines VMs on qemu:///system, before any
 * thread starts. It makes this process the owner of what it creates (svm_test_vm_name(),
 * svm_test_make_vm_dir()), forks a watchdog that sweeps this owner's leftovers as soon as the
 * process ends, however it ends (a failed assertion aborts it, a timeout kills it), and then
 * sweeps what earlier runs whose owner is gone left behind. With @private_state the labels
 * are journalled in a directory of this run (SVIRT_STATE_DIR), which the watchdog removes.
 * In a g_test_trap_subprocess() child it does nothing: the parent owns. */
void svm_test_fixture_init(gboolean private_state);

/* Removes the test VMs ("svm-test-…-<pid>") and directories ("/tmp/svm-…-<pid>-XXXXXX") of
 * @owner, or with @owner 0 of every owner that no longer runs. A running VM is forced off
 * through the engine, which restores the labels the journal holds for it; the labels it still
 * holds in the journal are restored; it is undefined with the volumes named after it. The
 * journal is the owner's private one ("/tmp/svm-state-<owner>-XXXXXX") if it has one, else the
 * run's SVIRT_STATE_DIR. A VM
 * whose owner runs is never touched, so binaries running in parallel do not disturb each
 * other. Returns how many VMs were removed. */
guint svm_test_sweep(GPid owner);

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
