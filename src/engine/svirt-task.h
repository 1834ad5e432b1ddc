#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The arguments of one engine call run in a worker: copies the caller's values, freed with
 * the task. Each call uses the fields it needs. */
typedef struct {
    char *vm;
    char *text;
    GStrv strv;
    gboolean flag;
    guint number;
    gpointer boxed;
    GDestroyNotify boxed_free;
} SvirtTaskArgs;

SvirtTaskArgs *svirt_task_args_new(const char *vm);

/* A synchronous engine call: returns FALSE with @error set on failure; a call with a result
 * stores it in @result (freed with the result_free given to svirt_task_run() when nobody
 * takes it). */
typedef gboolean (*SvirtTaskFunc)(gpointer source, SvirtTaskArgs *args, gpointer *result,
                                  GCancellable *cancellable, GError **error);

typedef enum {
    /* A cancel drops the result, even one that was ready: the caller no longer wants it. */
    SVIRT_TASK_CANCEL_DROPS,
    /* What the call did is reported as it is: a cancel that came too late to stop it must not
     * hide, say, a VM that now exists. */
    SVIRT_TASK_CANCEL_REPORTS,
} SvirtTaskCancel;

/* Runs @func in a worker thread and calls @callback on the caller's main context. A call
 * whose @cancellable was cancelled before the worker reached it fails with
 * G_IO_ERROR_CANCELLED without running; once running, the call checks @cancellable itself
 * where it can stop without leaving anything half done. Takes @args. */
void svirt_task_run(gpointer source, gpointer source_tag, SvirtTaskFunc func,
                    SvirtTaskArgs *args, GDestroyNotify result_free, SvirtTaskCancel cancel,
                    GCancellable *cancellable, GAsyncReadyCallback callback,
                    gpointer user_data);

gboolean svirt_task_finish_boolean(gpointer source, gpointer source_tag, GAsyncResult *result,
                                   GError **error);
gpointer svirt_task_finish_pointer(gpointer source, gpointer source_tag, GAsyncResult *result,
                                   GError **error);

G_END_DECLS
