#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef gboolean (*SvmTestCondition)(gpointer data);

/* Runs the default main context until @cond holds; fails the test after @timeout_ms. */
void svm_test_wait_for(SvmTestCondition cond, gpointer data, guint timeout_ms, const char *what);

/* Waits for child @pid (spawned with G_SPAWN_DO_NOT_REAP_CHILD) while the default main context
 * runs, so libvirt keepalives are answered and no connection is closed meanwhile; returns its
 * wait status. */
int svm_test_wait_child(GPid pid, guint timeout_ms, const char *what);

G_END_DECLS
