#include "config.h"

#include <string.h>

#include "svm-test-util.h"

/* How often a wait looks at its condition when no event wakes it. */
#define WAKE_MS 50

static gboolean
on_timeout(gpointer data)
{
    gboolean *timed_out = data;

    *timed_out = TRUE;
    return G_SOURCE_REMOVE;
}

static gboolean
wake(gpointer data)
{
    return G_SOURCE_CONTINUE;
}

gboolean
svm_test_wait_until(SvmTestCondition cond, gpointer data, guint timeout_ms)
{
    gboolean timed_out = FALSE;
    guint deadline = g_timeout_add(timeout_ms, on_timeout, &timed_out);
    guint waker = g_timeout_add(WAKE_MS, wake, NULL);
    gboolean held;

    while (!(held = cond(data)) && !timed_out)
        g_main_context_iteration(NULL, TRUE);
    g_source_remove(waker);
    if (!timed_out)
        g_source_remove(deadline);
    return held;
}

void
svm_test_wait_for(SvmTestCondition cond, gpointer data, guint timeout_ms, const char *what)
{
    if (!svm_test_wait_until(cond, data, timeout_ms))
        g_error("Timed out after %u ms waiting for %s", timeout_ms, what);
}

gboolean
svm_test_flag_is_set(gpointer flag)
{
    return *(gboolean *)flag;
}

gboolean
svm_test_pointer_is_set(gpointer slot)
{
    return *(gpointer *)slot != NULL;
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
svm_test_rpc_log_setenv(const char *path)
{
    g_autofree char *outputs = NULL;

    if (!path) {
        g_unsetenv("LIBVIRT_LOG_FILTERS");
        g_unsetenv("LIBVIRT_LOG_OUTPUTS");
        return;
    }
    outputs = g_strdup_printf("1:file:%s", path);
    g_setenv("LIBVIRT_LOG_FILTERS", SVM_TEST_RPC_LOG_FILTERS, TRUE);
    g_setenv("LIBVIRT_LOG_OUTPUTS", outputs, TRUE);
}

guint
svm_test_rpc_log_count(const char *path, goffset from, goffset *end)
{
    g_autofree char *log = NULL;
    gsize len = 0;
    guint calls = 0;

    if (!g_file_get_contents(path, &log, &len, NULL))
        len = 0;
    if (end)
        *end = (goffset)len;
    for (const char *line = log ? log + MIN((gsize)from, len) : NULL; line && *line;) {
        const char *eol = strchr(line, '\n');
        g_autofree char *text = g_strndup(line, eol ? (gsize)(eol - line) : strlen(line));

        /* Type 0 is a call; replies, events, stream data and keepalives have others. */
        if (strstr(text, "RPC_CLIENT_MSG_TX_QUEUE:") && strstr(text, " type=0 "))
            calls++;
        line = eol ? eol + 1 : NULL;
    }
    return calls;
}
