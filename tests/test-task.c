#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "svirt-task.h"
#include "svm-test-util.h"

/* What a call saw and did, checked on the main thread. */
typedef struct {
    GMutex lock;
    GCond cond;
    gboolean entered;
    gboolean release;
    gboolean ran;
    gboolean on_main_thread;
    char *vm_seen;
    GAsyncResult *result;
} Probe;

static GThread *main_thread;

static gboolean
echo_call(gpointer source, SvirtTaskArgs *args, gpointer *result, GCancellable *cancellable,
          GError **error)
{
    Probe *probe = g_object_get_data(source, "probe");

    probe->ran = TRUE;
    probe->on_main_thread = g_thread_self() == main_thread;
    probe->vm_seen = g_strdup(args->vm);
    if (args->flag) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No VM named '%s'.", args->vm);
        return FALSE;
    }
    *result = g_strdup_printf("%s:%s:%u", args->vm, args->text, args->number);
    return TRUE;
}

/* Waits until the test releases it, so the test can cancel while it runs. */
static gboolean
blocking_call(gpointer source, SvirtTaskArgs *args, gpointer *result,
              GCancellable *cancellable, GError **error)
{
    Probe *probe = g_object_get_data(source, "probe");

    g_mutex_lock(&probe->lock);
    probe->entered = TRUE;
    g_cond_broadcast(&probe->cond);
    while (!probe->release)
        g_cond_wait(&probe->cond, &probe->lock);
    g_mutex_unlock(&probe->lock);
    probe->ran = TRUE;
    *result = g_strdup("done");
    return TRUE;
}

static void
on_done(GObject *source, GAsyncResult *result, gpointer data)
{
    Probe *probe = data;

    probe->result = g_object_ref(result);
}

static GObject *
new_source(Probe *probe)
{
    GObject *source = g_object_new(G_TYPE_OBJECT, NULL);

    g_object_set_data(source, "probe", probe);
    return source;
}

static gboolean
has_result(gpointer data)
{
    return ((Probe *)data)->result != NULL;
}

static void
wait_result(Probe *probe)
{
    svm_test_wait_for(has_result, probe, 10000, "the call's result");
}

static void
probe_clear(Probe *probe)
{
    g_clear_object(&probe->result);
    g_free(probe->vm_seen);
}

static void
test_result_and_error(void)
{
    Probe probe = { 0 };
    g_autoptr(GObject) source = new_source(&probe);
    g_autoptr(GError) error = NULL;
    g_autofree char *text = NULL;
    SvirtTaskArgs *args = svirt_task_args_new("web");

    args->text = g_strdup("s0:c1,c2");
    args->number = 7;
    svirt_task_run(source, test_result_and_error, echo_call, args, g_free,
                   SVIRT_TASK_CANCEL_DROPS, NULL, on_done, &probe);
    /* The callback comes from the main loop, never from within the call. */
    g_assert_null(probe.result);
    wait_result(&probe);
    g_assert_true(probe.ran);
    g_assert_false(probe.on_main_thread);
    text = svirt_task_finish_pointer(source, test_result_and_error, probe.result, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(text, ==, "web:s0:c1,c2:7");
    probe_clear(&probe);

    memset(&probe, 0, sizeof(probe));
    args = svirt_task_args_new("db");
    args->flag = TRUE;
    svirt_task_run(source, test_result_and_error, echo_call, args, g_free,
                   SVIRT_TASK_CANCEL_DROPS, NULL, on_done, &probe);
    wait_result(&probe);
    g_assert_false(svirt_task_finish_boolean(source, test_result_and_error, probe.result,
                                             &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_assert_cmpstr(error->message, ==, "No VM named 'db'.");
    probe_clear(&probe);
}

/* A message quoting a name that is not UTF-8 reaches the caller as text a window can show. */
static void
test_error_made_readable(void)
{
    Probe probe = { 0 };
    g_autoptr(GObject) source = new_source(&probe);
    g_autoptr(GError) error = NULL;
    SvirtTaskArgs *args = svirt_task_args_new("disk-\377.img");

    args->flag = TRUE;
    svirt_task_run(source, test_error_made_readable, echo_call, args, g_free,
                   SVIRT_TASK_CANCEL_DROPS, NULL, on_done, &probe);
    wait_result(&probe);
    g_assert_false(svirt_task_finish_boolean(source, test_error_made_readable, probe.result,
                                             &error));
    g_assert_true(g_utf8_validate(error->message, -1, NULL));
    g_assert_cmpstr(error->message, ==, "No VM named 'disk-\357\277\275.img'.");
    probe_clear(&probe);
}

/* A call cancelled before its worker reaches it does not run at all. */
static void
test_cancelled_before_run(void)
{
    Probe probe = { 0 };
    g_autoptr(GObject) source = new_source(&probe);
    g_autoptr(GCancellable) cancellable = g_cancellable_new();
    g_autoptr(GError) error = NULL;

    g_cancellable_cancel(cancellable);
    svirt_task_run(source, test_cancelled_before_run, echo_call, svirt_task_args_new("web"),
                   g_free, SVIRT_TASK_CANCEL_REPORTS, cancellable, on_done, &probe);
    wait_result(&probe);
    g_assert_false(probe.ran);
    g_assert_null(svirt_task_finish_pointer(source, test_cancelled_before_run, probe.result,
                                            &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    probe_clear(&probe);
}

/* A cancel while the call runs: a read's result is dropped, a change is reported as done. */
static void
cancel_while_running(SvirtTaskCancel mode, gboolean expect_result)
{
    Probe probe = { 0 };
    g_autoptr(GObject) source = new_source(&probe);
    g_autoptr(GCancellable) cancellable = g_cancellable_new();
    g_autoptr(GError) error = NULL;
    g_autofree char *text = NULL;

    g_mutex_init(&probe.lock);
    g_cond_init(&probe.cond);
    svirt_task_run(source, cancel_while_running, blocking_call, svirt_task_args_new("web"),
                   g_free, mode, cancellable, on_done, &probe);
    g_mutex_lock(&probe.lock);
    while (!probe.entered)
        g_cond_wait(&probe.cond, &probe.lock);
    g_cancellable_cancel(cancellable);
    probe.release = TRUE;
    g_cond_broadcast(&probe.cond);
    g_mutex_unlock(&probe.lock);
    wait_result(&probe);
    g_assert_true(probe.ran);
    text = svirt_task_finish_pointer(source, cancel_while_running, probe.result, &error);
    if (expect_result) {
        g_assert_no_error(error);
        g_assert_cmpstr(text, ==, "done");
    } else {
        g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
        g_assert_null(text);
    }
    probe_clear(&probe);
    g_mutex_clear(&probe.lock);
    g_cond_clear(&probe.cond);
}

static void
test_cancel_drops_read(void)
{
    cancel_while_running(SVIRT_TASK_CANCEL_DROPS, FALSE);
}

static void
test_cancel_reports_change(void)
{
    cancel_while_running(SVIRT_TASK_CANCEL_REPORTS, TRUE);
}

int
main(int argc, char *argv[])
{
    g_test_init(&argc, &argv, NULL);
    main_thread = g_thread_self();
    g_test_add_func("/task/result-and-error", test_result_and_error);
    g_test_add_func("/task/error-made-readable", test_error_made_readable);
    g_test_add_func("/task/cancelled-before-run", test_cancelled_before_run);
    g_test_add_func("/task/cancel-drops-read", test_cancel_drops_read);
    g_test_add_func("/task/cancel-reports-change", test_cancel_reports_change);
    return g_test_run();
}
