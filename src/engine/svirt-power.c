#include "config.h"

#include <glib/gi18n-lib.h>
#include <libvirt/virterror.h>

#include "svirt-helper-client.h"
#include "svirt-lifecycle.h"
#include "svirt-private.h"
#include "svirt-task.h"

gboolean
svirt_engine_stop_vm(SvirtEngine *engine, const char *name, gboolean force, guint timeout_ms,
                     GError **error)
{
    g_auto(Vm) vm = { 0 };
    gboolean ok = TRUE;

    if (svirt_engine_uses_helper(engine)) {
        g_autofree char *uuid = NULL;

        if (!svirt_helper_stop_vm(name, force, timeout_ms, &uuid, error))
            return FALSE;
        svirt_engine_notify_labels_changed(engine, uuid);
        return TRUE;
    }
    if (!svirt_vm_open(engine, name, &vm, error))
        return FALSE;
    if (virDomainIsActive(vm.dom) == 1) {
        if (!force) {
            gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

            if (virDomainShutdown(vm.dom) < 0) {
                svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT,
                                               _("Use force off instead."),
                                               _("Could not ask '%s' to shut down"), vm.name);
                return FALSE;
            }
            while (virDomainIsActive(vm.dom) == 1 && g_get_monotonic_time() < deadline)
                g_usleep(100 * 1000);
            if (virDomainIsActive(vm.dom) == 1) {
                guint seconds = MAX(timeout_ms / 1000, 1);

                g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                            g_dngettext(GETTEXT_PACKAGE,
                                        "VM '%s' did not shut down within %u second; its guest "
                                        "may ignore ACPI. Force it off instead.",
                                        "VM '%s' did not shut down within %u seconds; its "
                                        "guest may ignore ACPI. Force it off instead.",
                                        seconds),
                            vm.name, seconds);
                return FALSE;
            }
        } else if (virDomainDestroy(vm.dom) < 0) {
            svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                           _("Could not force off '%s'"), vm.name);
            return FALSE;
        }
    }
    ok = svirt_restore_holder(vm.uuid, NULL, error);
    svirt_engine_notify_labels_changed(engine, vm.uuid);
    return ok;
}

static gboolean
stop_call(gpointer source, SvirtTaskArgs *args, gpointer *result, GCancellable *cancellable,
          GError **error)
{
    return svirt_engine_stop_vm(source, args->vm, args->flag, args->number, error);
}

void
svirt_engine_stop_vm_async(SvirtEngine *engine, const char *vm, gboolean force,
                           guint timeout_ms, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
    SvirtTaskArgs *args = svirt_task_args_new(vm);

    args->flag = force;
    args->number = timeout_ms;
    svirt_task_run(engine, svirt_engine_stop_vm_async, stop_call, args, NULL,
                   SVIRT_TASK_CANCEL_DROPS, cancellable, callback, user_data);
}

gboolean
svirt_engine_stop_vm_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_boolean(engine, svirt_engine_stop_vm_async, result, error);
}

static gboolean
pause_or_resume(SvirtEngine *engine, const char *name, gboolean pause, GError **error)
{
    g_auto(Vm) vm = { 0 };
    gboolean ok;

    if (!svirt_vm_open(engine, name, &vm, error))
        return FALSE;
    ok = (pause ? virDomainSuspend(vm.dom) : virDomainResume(vm.dom)) == 0;
    if (!ok && pause)
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not pause '%s'"), vm.name);
    else if (!ok)
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not resume '%s'"), vm.name);
    return ok;
}

gboolean
svirt_engine_pause_vm(SvirtEngine *engine, const char *vm, GError **error)
{
    return pause_or_resume(engine, vm, TRUE, error);
}

gboolean
svirt_engine_resume_vm(SvirtEngine *engine, const char *vm, GError **error)
{
    return pause_or_resume(engine, vm, FALSE, error);
}

static gboolean
pause_call(gpointer source, SvirtTaskArgs *args, gpointer *result, GCancellable *cancellable,
           GError **error)
{
    return svirt_engine_pause_vm(source, args->vm, error);
}

void
svirt_engine_pause_vm_async(SvirtEngine *engine, const char *vm, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
    svirt_task_run(engine, svirt_engine_pause_vm_async, pause_call, svirt_task_args_new(vm),
                   NULL, SVIRT_TASK_CANCEL_DROPS, cancellable, callback, user_data);
}

gboolean
svirt_engine_pause_vm_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_boolean(engine, svirt_engine_pause_vm_async, result, error);
}

static gboolean
resume_call(gpointer source, SvirtTaskArgs *args, gpointer *result, GCancellable *cancellable,
            GError **error)
{
    return svirt_engine_resume_vm(source, args->vm, error);
}

void
svirt_engine_resume_vm_async(SvirtEngine *engine, const char *vm, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
    svirt_task_run(engine, svirt_engine_resume_vm_async, resume_call, svirt_task_args_new(vm),
                   NULL, SVIRT_TASK_CANCEL_DROPS, cancellable, callback, user_data);
}

gboolean
svirt_engine_resume_vm_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_boolean(engine, svirt_engine_resume_vm_async, result, error);
}
