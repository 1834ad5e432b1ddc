#include "config.h"

#include "svm-test-util.h"

static gboolean
on_timeout(gpointer data)
{
    gboolean *timed_out = data;

    *timed_out = TRUE;
    return G_SOURCE_REMOVE;
}

typedef struct {
    gboolean done;
    int status;
} ChildExit;

static void
on_child_exit(GPid pid, int status, gpointer data)
{
    ChildExit *exit = data;

    exit->status = status;
    exit->done = TRUE;
}

static gboolean
child_exited(gpointer data)
{
    return ((ChildExit *)data)->done;
}

int
svm_test_wait_child(GPid pid, guint timeout_ms, const char *what)
{
    ChildExit exit = { FALSE, 0 };

    g_child_watch_add(pid, on_child_exit, &exit);
    svm_test_wait_for(child_exited, &exit, timeout_ms, what);
    return exit.status;
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
