#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef gboolean (*SvmTestCondition)(gpointer data);

/* Runs the default main context until @cond holds; fails the test after @timeout_ms. */
void svm_test_wait_for(SvmTestCondition cond, gpointer data, guint timeout_ms, const char *what);

G_END_DECLS
