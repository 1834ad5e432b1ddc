#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libvirt/virterror.h>

#include "svirt-labeler.h"
#include "svirt-lifecycle.h"
#include "svirt-private.h"
#include "svirt-task.h"

void
svirt_storage_item_free(SvirtStorageItem *item)
{
    if (!item)
        return;
    g_free(item->target);
    g_free(item->path);
    g_free(item->reason);
    g_free(item);
}

typedef struct {
    const char *self_uuid;
    GHashTable *users;
} OtherDisks;

static void
add_other_disk(virDomainPtr dom, const char *uuid, const SvirtPlanItem *item,
               const char *resolved, gpointer user_data)
{
    OtherDisks *others = user_data;

    if (!g_str_equal(uuid, others->self_uuid))
        g_hash_table_replace(others->users, g_strdup(resolved), g_strdup(virDomainGetName(dom)));
}

/* Resolved paths of every disk of every other VM, mapped to that VM's name. */
static GHashTable *
disks_of_other_vms(virConnectPtr conn, const char *self_uuid)
{
    OtherDisks others = { self_uuid,
                          g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free) };

    /* A connection that cannot list VMs offers no file as another VM's. */
    if (!svirt_foreach_vm_file(conn, add_other_disk, &others))
        virResetLastError();
    return others.users;
}

GPtrArray *
svirt_engine_list_vm_storage(SvirtEngine *engine, const char *name, GError **error)
{
    g_autoptr(GPtrArray) items = NULL;
    g_autoptr(GHashTable) others = NULL;
    g_autoptr(SvirtPlan) plan = NULL;
    g_autoptr(SvirtPolicyTypes) types = svirt_policy_types_new_builtin();
    g_autoptr(SvirtSettings) settings = svirt_settings_new();
    g_autofree char *xml = NULL;
    g_auto(Vm) vm = { 0 };

    if (!svirt_vm_open(engine, name, &vm, error))
        return NULL;
    xml = svirt_engine_get_domain_xml(engine, vm.uuid, TRUE, error);
    if (!xml || !(plan = svirt_plan_build(xml, settings, types, "s0:c0,c1", error)))
        return NULL;
    others = disks_of_other_vms(vm.conn, vm.uuid);
    items = g_ptr_array_new_with_free_func((GDestroyNotify)svirt_storage_item_free);
    for (guint i = 0; i < plan->items->len; i++) {
        SvirtPlanItem *pi = g_ptr_array_index(plan->items, i);
        SvirtStorageItem *item;
        g_autofree char *resolved = NULL;
        const char *user;

        if (pi->kind != SVIRT_PLAN_KIND_DISK && pi->kind != SVIRT_PLAN_KIND_CDROM &&
            pi->kind != SVIRT_PLAN_KIND_FLOPPY)
            continue;
        item = g_new0(SvirtStorageItem, 1);
        item->target = g_strdup(pi->target);
        item->path = g_strdup(pi->path);
        resolved = svirt_labeler_resolve_path(pi->path);
        user = resolved ? g_hash_table_lookup(others, resolved) : NULL;
        if (!resolved) {
            item->reason = g_strdup(_("The file does not exist."));
        } else if (user) {
            item->reason = g_strdup_printf(_("VM '%s' uses it too."), user);
        } else if (pi->kind == SVIRT_PLAN_KIND_CDROM ||
                   pi->designation == SVIRT_DESIGNATION_READONLY) {
            item->reason = g_strdup(_("Read-only media are kept."));
        } else if (!svirt_labeler_check_location(resolved, SVIRT_LABEL_TARGET_FILE, NULL)) {
            item->reason = g_strdup(_("It belongs to the host."));
        } else if (!g_file_test(resolved, G_FILE_TEST_IS_REGULAR)) {
            item->reason = g_strdup(_("Only image files can be deleted."));
        } else {
            item->deletable = TRUE;
        }
        g_ptr_array_add(items, item);
    }
    return g_steal_pointer(&items);
}

static gboolean
storage_call(gpointer source, SvirtTaskArgs *args, gpointer *result, GCancellable *cancellable,
             GError **error)
{
    return (*result = svirt_engine_list_vm_storage(source, args->vm, error)) != NULL;
}

void
svirt_engine_list_vm_storage_async(SvirtEngine *engine, const char *vm,
                                   GCancellable *cancellable, GAsyncReadyCallback callback,
                                   gpointer user_data)
{
    svirt_task_run(engine, svirt_engine_list_vm_storage_async, storage_call,
                   svirt_task_args_new(vm), (GDestroyNotify)g_ptr_array_unref,
                   SVIRT_TASK_CANCEL_DROPS, cancellable, callback, user_data);
}

GPtrArray *
svirt_engine_list_vm_storage_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_pointer(engine, svirt_engine_list_vm_storage_async, result, error);
}

static gboolean
delete_file(virConnectPtr conn, const char *path, GError **error)
{
    virStorageVolPtr vol = virStorageVolLookupByPath(conn, path);

    if (vol) {
        int rc = virStorageVolDelete(vol, 0);

        virStorageVolFree(vol);
        if (rc == 0)
            return TRUE;
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not delete the volume %s"), path);
        return FALSE;
    }
    virResetLastError();
    if (g_unlink(path) < 0) {
        int err = errno;

        if (err == EACCES || err == EPERM)
            g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_PERMISSION,
                        _("Could not delete %s: %s. It is in no storage pool, so libvirtd "
                          "cannot delete it for you; delete it as its owner, or add its folder "
                          "as a storage pool."),
                        path, g_strerror(err));
        else
            g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED, _("Could not delete %s: %s."),
                        path, g_strerror(err));
        return FALSE;
    }
    return TRUE;
}

gboolean
svirt_engine_delete_vm(SvirtEngine *engine, const char *name, const char *const *paths,
                       GError **error)
{
    g_autoptr(GPtrArray) storage = NULL;
    g_autoptr(GString) failed = g_string_new(NULL);
    g_auto(Vm) vm = { 0 };

    if (!svirt_vm_open(engine, name, &vm, error))
        return FALSE;
    if (virDomainIsActive(vm.dom) == 1) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE,
                    _("VM '%s' is running. Shut it down or force it off, then delete it."),
                    vm.name);
        return FALSE;
    }
    storage = svirt_engine_list_vm_storage(engine, vm.uuid, error);
    if (!storage)
        return FALSE;
    for (guint i = 0; paths && paths[i]; i++) {
        gboolean offered = FALSE;

        for (guint j = 0; j < storage->len; j++) {
            SvirtStorageItem *item = g_ptr_array_index(storage, j);

            offered |= item->deletable && g_str_equal(item->path, paths[i]);
        }
        if (!offered) {
            g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE,
                        _("%s cannot be deleted with VM '%s'; nothing was deleted."), paths[i],
                        vm.name);
            return FALSE;
        }
    }
    if (virDomainUndefineFlags(vm.dom, VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
                                           VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
                                           VIR_DOMAIN_UNDEFINE_NVRAM) < 0 &&
        virDomainUndefine(vm.dom) < 0) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not delete VM '%s'"), vm.name);
        return FALSE;
    }
    for (guint i = 0; paths && paths[i]; i++) {
        g_autoptr(GError) local = NULL;

        if (!delete_file(vm.conn, paths[i], &local))
            g_string_append_printf(failed, " %s", local->message);
    }
    if (failed->len)
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("VM '%s' was deleted, but some of its files were not:%s"), vm.name,
                    failed->str);
    return failed->len == 0;
}

static gboolean
delete_call(gpointer source, SvirtTaskArgs *args, gpointer *result, GCancellable *cancellable,
            GError **error)
{
    return svirt_engine_delete_vm(source, args->vm, (const char *const *)args->strv, error);
}

void
svirt_engine_delete_vm_async(SvirtEngine *engine, const char *vm, const char *const *paths,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
    SvirtTaskArgs *args = svirt_task_args_new(vm);

    args->strv = g_strdupv((char **)paths);
    svirt_task_run(engine, svirt_engine_delete_vm_async, delete_call, args, NULL,
                   SVIRT_TASK_CANCEL_DROPS, cancellable, callback, user_data);
}

gboolean
svirt_engine_delete_vm_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_boolean(engine, svirt_engine_delete_vm_async, result, error);
}
