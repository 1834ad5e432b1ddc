#include "config.h"

#include "svm-test-util.h"

static gboolean
on_timeout(gpointer data)
{
    gboolean *timed_out = data;

    *timed_out = TRUE;
    return G_SOURCE_REMOVE;
}

void
svm_test_wait_for(SvmTestCondition cond, gpointer data, guint timeout_ms, const char *what)
{
    gboolean timed_out = FALSE;
    guint id = g_timeout_add(timeout_ms, on_timeout, &timed_out);

    while (!cond(data) && !timed_out)
        g_main_context_iteration(NULL, TRUE);
    if (timed_out)
        g_error("Timed out after %u ms waiting for %s", timeout_ms, what);
    g_source_remove(id);
}
