#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef gboolean (*SvmTestCondition)(gpointer data);

/* Runs the default main context until @cond holds or @timeout_ms have passed; whether it
 * held. The loop wakes at least every 50 ms, so a condition no event announces (a file's
 * contents, what libvirtd reports) is seen too. */
gboolean svm_test_wait_until(SvmTestCondition cond, gpointer data, guint timeout_ms);

/* The same, failing the test when @cond does not hold after @timeout_ms. */
void svm_test_wait_for(SvmTestCondition cond, gpointer data, guint timeout_ms, const char *what);

/* Conditions on a gboolean (@flag points to it) and on a pointer (@slot points to it). */
gboolean svm_test_flag_is_set(gpointer flag);
gboolean svm_test_pointer_is_set(gpointer slot);

/* Waits for child @pid (spawned with G_SPAWN_DO_NOT_REAP_CHILD) while the default main context
 * runs, so libvirt keepalives are answered and no connection is closed meanwhile; returns its
 * wait status. */
int svm_test_wait_child(GPid pid, guint timeout_ms, const char *what);

/* Counting libvirt's round trips: a process whose environment has LIBVIRT_LOG_FILTERS =
 * SVM_TEST_RPC_LOG_FILTERS and LIBVIRT_LOG_OUTPUTS = "1:file:<log>" when it makes its first
 * libvirt call (a child process) logs every RPC message its client sends to <log>. */
#define SVM_TEST_RPC_LOG_FILTERS "1:rpc.netclient"

/* Sets both variables in this process's environment for <log> = @path, or unsets them when
 * @path is NULL. */
void svm_test_rpc_log_setenv(const char *path);

/* The calls (not replies, stream data or keepalives) logged in @path from byte @from on; its
 * size in *@end when @end is not NULL. */
guint svm_test_rpc_log_count(const char *path, goffset from, goffset *end);

G_END_DECLS
