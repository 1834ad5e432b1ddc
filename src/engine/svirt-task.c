#include "config.h"

#include "svirt-task.h"

typedef struct {
    SvirtTaskFunc func;
    SvirtTaskArgs *args;
    GDestroyNotify result_free;
} TaskData;

SvirtTaskArgs *
svirt_task_args_new(const char *vm)
{
    SvirtTaskArgs *args = g_new0(SvirtTaskArgs, 1);

    args->vm = g_strdup(vm);
    return args;
}

static void
task_data_free(TaskData *data)
{
    SvirtTaskArgs *args = data->args;

    g_free(args->vm);
    g_free(args->text);
    g_strfreev(args->strv);
    if (args->boxed && args->boxed_free)
        args->boxed_free(args->boxed);
    g_free(args);
    g_free(data);
}

static void
run_in_worker(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
    TaskData *data = task_data;
    GError *error = NULL;
    gpointer result = NULL;

    if (g_cancellable_set_error_if_cancelled(cancellable, &error)) {
        g_task_return_error(task, error);
        return;
    }
    if (!data->func(source, data->args, &result, cancellable, &error)) {
        /* A message may quote a path whose name is not UTF-8; a window shows only text. */
        if (error->message && !g_utf8_validate(error->message, -1, NULL)) {
            char *readable = g_utf8_make_valid(error->message, -1);

            g_free(error->message);
            error->message = readable;
        }
        g_task_return_error(task, error);
        return;
    }
    g_task_return_pointer(task, result, data->result_free);
}

void
svirt_task_run(gpointer source, gpointer source_tag, SvirtTaskFunc func, SvirtTaskArgs *args,
               GDestroyNotify result_free, SvirtTaskCancel cancel, GCancellable *cancellable,
               GAsyncReadyCallback callback, gpointer user_data)
{
    g_autoptr(GTask) task = g_task_new(source, cancellable, callback, user_data);
    TaskData *data = g_new0(TaskData, 1);

    data->func = func;
    data->args = args;
    data->result_free = result_free;
    g_task_set_source_tag(task, source_tag);
    g_task_set_task_data(task, data, (GDestroyNotify)task_data_free);
    g_task_set_check_cancellable(task, cancel == SVIRT_TASK_CANCEL_DROPS);
    g_task_run_in_thread(task, run_in_worker);
}

gpointer
svirt_task_finish_pointer(gpointer source, gpointer source_tag, GAsyncResult *result,
                          GError **error)
{
    g_return_val_if_fail(g_task_is_valid(result, source), NULL);
    g_return_val_if_fail(g_task_get_source_tag(G_TASK(result)) == source_tag, NULL);
    return g_task_propagate_pointer(G_TASK(result), error);
}

gboolean
svirt_task_finish_boolean(gpointer source, gpointer source_tag, GAsyncResult *result,
                          GError **error)
{
    GError *local = NULL;

    g_return_val_if_fail(g_task_is_valid(result, source), FALSE);
    g_return_val_if_fail(g_task_get_source_tag(G_TASK(result)) == source_tag, FALSE);
    g_task_propagate_pointer(G_TASK(result), &local);
    if (local) {
        g_propagate_error(error, local);
        return FALSE;
    }
    return TRUE;
}
