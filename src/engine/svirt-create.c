#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <libvirt/virterror.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "svirt-create.h"
#include "svirt-domain-xml.h"
#include "svirt-labeler.h"
#include "svirt-policy.h"
#include "svirt-private.h"
#include "svirt-task.h"

/* Where the pool puts its volumes; a missing "default" pool will be made at the usual place. */
static char *
lookup_pool_path(virConnectPtr conn, const char *name, GError **error)
{
    g_autoptr(virStoragePool) pool = virStoragePoolLookupByName(conn, name);
    char *path;

    if (pool == NULL) {
        if (virGetLastErrorCode() == VIR_ERR_NO_STORAGE_POOL && g_str_equal(name, SVIRT_DEFAULT_POOL)) {
            virResetLastError();
            return g_strdup(SVIRT_DEFAULT_POOL_PATH);
        }
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_NOT_FOUND,
                                       _("Choose one of the pools listed."),
                                       _("Could not find storage pool '%s'"), name);
        return NULL;
    }
    path = svirt_pool_target_path(pool);
    if (path == NULL)
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("Storage pool '%s' has no target directory, so its volumes cannot be "
                      "labelled. Choose a directory pool."),
                    name);
    return path;
}

SvirtPlan *
svirt_engine_preview_vm(SvirtEngine *engine, const SvirtVmSpec *spec, GError **error)
{
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
    g_auto(GStrv) paths = NULL;

    if (!svirt_vm_spec_validate(spec, error))
        return NULL;
    if (svirt_vm_spec_count_new_volumes(spec) > 0) {
        conn = svirt_engine_dup_connection(engine, error);
        if (conn == NULL)
            return NULL;
    }
    for (guint i = 0; i < spec->disks->len; i++) {
        const SvirtDiskSpec *disk = g_ptr_array_index(spec->disks, i);
        g_autofree char *dir = NULL;
        g_autofree char *volume = NULL;
        g_autofree char *path = NULL;

        if (disk->kind != SVIRT_DISK_SPEC_NEW_VOLUME)
            continue;
        dir = lookup_pool_path(conn, disk->pool, error);
        if (dir == NULL)
            return NULL;
        volume = svirt_vm_spec_dup_volume_name(spec, i);
        path = g_build_filename(dir, volume, NULL);
        g_strv_builder_add(builder, path);
    }
    paths = g_strv_builder_end(builder);
    return svirt_vm_spec_preview(spec, (const char *const *)paths, error);
}

typedef struct {
    virConnectPtr conn;
    const SvirtVmSpec *spec;
    GPtrArray *volumes; /* of virStorageVolPtr this creation made */
    virDomainPtr dom;
    SvirtCreateStepFunc step_func;
    gpointer step_data;
    GCancellable *cancellable;
} Creation;

/* Announces @step, then says whether the creation may go on. */
static gboolean
begin_step(Creation *c, SvirtCreateStep step, GError **error)
{
    if (c->step_func)
        c->step_func(step, c->step_data);
    return !g_cancellable_set_error_if_cancelled(c->cancellable, error);
}

static virStorageVolPtr
create_volume(Creation *c, guint index, GError **error)
{
    const SvirtDiskSpec *disk = g_ptr_array_index(c->spec->disks, index);
    g_autofree char *volume = svirt_vm_spec_dup_volume_name(c->spec, index);
    g_autofree char *xml = NULL;
    g_autoptr(virStoragePool) pool = NULL;
    virStorageVolPtr vol;

    pool = virStoragePoolLookupByName(c->conn, disk->pool);
    if (pool == NULL) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_NOT_FOUND,
                                       _("Choose one of the pools listed."),
                                       _("Could not find storage pool '%s' for disk %u"),
                                       disk->pool, index + 1);
        return NULL;
    }
    if (virStoragePoolIsActive(pool) != 1) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("Storage pool '%s' for disk %u is not active. Start it (virsh pool-start "
                      "%s) or choose another pool."),
                    disk->pool, index + 1, disk->pool);
        return NULL;
    }
    xml = svirt_volume_xml_new(volume, disk->size_mib,
                               svirt_volume_format_to_string(disk->format));
    vol = virStorageVolCreateXML(pool, xml, 0);
    if (vol == NULL)
        svirt_engine_set_libvirt_error(
            error, SVIRT_ERROR_LIBVIRT,
            _("Check that the pool has room and no volume of that name."),
            _("Could not create volume '%s' in pool '%s' for disk %u"), volume, disk->pool,
            index + 1);
    return vol;
}

/* Deletes what the creation made; returns what could not be deleted, for the message. */
static char *
roll_back(Creation *c)
{
    g_autoptr(GString) left = g_string_new(NULL);

    if (c->dom) {
        if (virDomainUndefine(c->dom) < 0)
            g_string_append_printf(left, " %s", virDomainGetName(c->dom));
        virDomainFree(c->dom);
        c->dom = NULL;
    }
    for (guint i = 0; i < c->volumes->len; i++) {
        virStorageVolPtr vol = g_ptr_array_index(c->volumes, i);

        if (virStorageVolDelete(vol, 0) < 0) {
            char *path = virStorageVolGetPath(vol);

            g_string_append_printf(left, " %s", path ? path : virStorageVolGetName(vol));
            free(path);
        }
        virStorageVolFree(vol);
    }
    g_ptr_array_set_size(c->volumes, 0);
    virResetLastError();
    return left->len ? g_string_free(g_steal_pointer(&left), FALSE) : NULL;
}

static gboolean
check_name_free(SvirtEngine *engine, virConnectPtr conn, const char *name, GError **error)
{
    g_autoptr(virDomain) dom = virDomainLookupByName(conn, name);

    if (dom) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE,
                    _("A VM named '%s' already exists on %s. Choose another name."), name,
                    svirt_engine_get_uri(engine));
        return FALSE;
    }
    if (virGetLastErrorCode() != VIR_ERR_NO_DOMAIN) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not check whether the name '%s' is free"), name);
        return FALSE;
    }
    virResetLastError();
    return TRUE;
}

static gboolean
check_kvm(virConnectPtr conn, GError **error)
{
    char *caps = virConnectGetDomainCapabilities(conn, NULL, "x86_64", "pc", "kvm", 0);

    if (caps == NULL) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_UNSUPPORTED,
                                       _("Create the VM without KVM acceleration."),
                                       _("KVM is not available on this host"));
        return FALSE;
    }
    free(caps);
    return TRUE;
}

static gboolean
needs_default_pool(const SvirtVmSpec *spec)
{
    for (guint i = 0; i < spec->disks->len; i++) {
        const SvirtDiskSpec *disk = g_ptr_array_index(spec->disks, i);

        if (disk->kind == SVIRT_DISK_SPEC_NEW_VOLUME && g_str_equal(disk->pool, SVIRT_DEFAULT_POOL))
            return TRUE;
    }
    return FALSE;
}

static gboolean
create_steps(SvirtEngine *engine, Creation *c, char **uuid, GError **error)
{
    g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
    g_auto(GStrv) paths = NULL;
    g_autofree char *xml = NULL;
    char uuid_str[VIR_UUID_STRING_BUFLEN];

    if (!begin_step(c, SVIRT_CREATE_STEP_VOLUMES, error))
        return FALSE;
    for (guint i = 0; i < c->spec->disks->len; i++) {
        const SvirtDiskSpec *disk = g_ptr_array_index(c->spec->disks, i);
        virStorageVolPtr vol;
        char *path;

        if (disk->kind != SVIRT_DISK_SPEC_NEW_VOLUME)
            continue;
        if (g_cancellable_set_error_if_cancelled(c->cancellable, error))
            return FALSE;
        vol = create_volume(c, i, error);
        if (vol == NULL)
            return FALSE;
        g_ptr_array_add(c->volumes, vol);
        path = virStorageVolGetPath(vol);
        if (path == NULL) {
            svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                           _("Could not read the path of the new volume of "
                                             "disk %u"),
                                           i + 1);
            return FALSE;
        }
        g_strv_builder_add(builder, path);
        free(path);
    }
    paths = g_strv_builder_end(builder);
    xml = svirt_vm_spec_to_xml(c->spec, (const char *const *)paths, error);
    if (xml == NULL || !begin_step(c, SVIRT_CREATE_STEP_DEFINE, error))
        return FALSE;
    c->dom = virDomainDefineXML(c->conn, xml);
    if (c->dom == NULL) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not define VM '%s'"), c->spec->name);
        return FALSE;
    }
    if (virDomainGetUUIDString(c->dom, uuid_str) < 0) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not read the UUID of VM '%s'"), c->spec->name);
        return FALSE;
    }
    if (!begin_step(c, SVIRT_CREATE_STEP_SETTINGS, error) ||
        (c->spec->settings &&
         !svirt_engine_set_settings(engine, uuid_str, c->spec->settings, error)) ||
        !begin_step(c, SVIRT_CREATE_STEP_DONE, error))
        return FALSE;
    *uuid = g_strdup(uuid_str);
    return TRUE;
}

char *
svirt_engine_create_vm(SvirtEngine *engine, const SvirtVmSpec *spec, GError **error)
{
    return svirt_engine_create_vm_full(engine, spec, NULL, NULL, NULL, error);
}

char *
svirt_engine_create_vm_full(SvirtEngine *engine, const SvirtVmSpec *spec,
                            SvirtCreateStepFunc step_func, gpointer step_data,
                            GCancellable *cancellable, GError **error)
{
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(GError) local = NULL;
    g_autofree char *left = NULL;
    g_autoptr(GPtrArray) volumes = g_ptr_array_new();
    Creation c = { 0 };
    char *uuid = NULL;

    g_return_val_if_fail(SVIRT_IS_ENGINE(engine), NULL);
    g_return_val_if_fail(spec != NULL, NULL);

    /* The policy sees the settings before anything is created, not after. */
    if (!svirt_vm_spec_validate(spec, error) ||
        (spec->settings && !svirt_engine_check_settings(spec->settings, error)))
        return NULL;
    if (g_cancellable_is_cancelled(cancellable)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                    _("Creating VM '%s' was cancelled. Nothing was left behind."), spec->name);
        return NULL;
    }
    conn = svirt_engine_dup_connection(engine, error);
    if (conn == NULL || (spec->use_kvm && !check_kvm(conn, error)) ||
        !check_name_free(engine, conn, spec->name, error) ||
        (needs_default_pool(spec) && !svirt_engine_ensure_default_pool(engine, error)))
        return NULL;

    c.conn = conn;
    c.spec = spec;
    c.volumes = volumes;
    c.step_func = step_func;
    c.step_data = step_data;
    c.cancellable = cancellable;
    if (create_steps(engine, &c, &uuid, &local)) {
        virDomainFree(c.dom);
        for (guint i = 0; i < volumes->len; i++)
            virStorageVolFree(g_ptr_array_index(volumes, i));
        return uuid;
    }
    left = roll_back(&c);
    if (g_error_matches(local, G_IO_ERROR, G_IO_ERROR_CANCELLED) && left)
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                    _("Creating VM '%s' was cancelled. Could not remove what was already "
                      "made:%s; remove it by hand."),
                    spec->name, left);
    else if (g_error_matches(local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                    _("Creating VM '%s' was cancelled. Nothing was left behind."), spec->name);
    else if (left)
        g_set_error(error, local->domain, local->code,
                    _("Creating VM '%s' failed. %s Could not remove what was already made:%s; "
                      "remove it by hand."),
                    spec->name, local->message, left);
    else
        g_set_error(error, local->domain, local->code,
                    _("Creating VM '%s' failed. %s Nothing was left behind."), spec->name,
                    local->message);
    return NULL;
}

static SvirtTaskArgs *
spec_args(const SvirtVmSpec *spec)
{
    SvirtTaskArgs *args = svirt_task_args_new(NULL);

    args->boxed = svirt_vm_spec_copy(spec);
    args->boxed_free = (GDestroyNotify)svirt_vm_spec_free;
    return args;
}

static gboolean
preview_call(gpointer source, SvirtTaskArgs *args, gpointer *result, GCancellable *cancellable,
             GError **error)
{
    return (*result = svirt_engine_preview_vm(source, args->boxed, error)) != NULL;
}

void
svirt_engine_preview_vm_async(SvirtEngine *engine, const SvirtVmSpec *spec,
                              GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data)
{
    svirt_task_run(engine, svirt_engine_preview_vm_async, preview_call, spec_args(spec),
                   (GDestroyNotify)svirt_plan_free, SVIRT_TASK_CANCEL_DROPS, cancellable, callback,
                   user_data);
}

SvirtPlan *
svirt_engine_preview_vm_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_pointer(engine, svirt_engine_preview_vm_async, result, error);
}

/* The worker decides: a VM it returns exists even when the cancel came just after. */
static gboolean
create_call(gpointer source, SvirtTaskArgs *args, gpointer *result, GCancellable *cancellable,
            GError **error)
{
    *result = svirt_engine_create_vm_full(source, args->boxed, NULL, NULL, cancellable, error);
    return *result != NULL;
}

void
svirt_engine_create_vm_async(SvirtEngine *engine, const SvirtVmSpec *spec,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
    svirt_task_run(engine, svirt_engine_create_vm_async, create_call, spec_args(spec), g_free,
                   SVIRT_TASK_CANCEL_REPORTS, cancellable, callback, user_data);
}

char *
svirt_engine_create_vm_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_pointer(engine, svirt_engine_create_vm_async, result, error);
}

gboolean
svirt_engine_check_vm_name(SvirtEngine *engine, const char *name, GError **error)
{
    g_autoptr(virConnect) conn = NULL;

    g_return_val_if_fail(SVIRT_IS_ENGINE(engine), FALSE);

    if (!svirt_vm_name_validate(name, error))
        return FALSE;
    conn = svirt_engine_dup_connection(engine, error);
    return conn && check_name_free(engine, conn, name, error);
}

static gboolean
check_name_call(gpointer source, SvirtTaskArgs *args, gpointer *result,
                GCancellable *cancellable, GError **error)
{
    return svirt_engine_check_vm_name(source, args->vm, error);
}

void
svirt_engine_check_vm_name_async(SvirtEngine *engine, const char *name,
                                 GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data)
{
    svirt_task_run(engine, svirt_engine_check_vm_name_async, check_name_call,
                   svirt_task_args_new(name), NULL, SVIRT_TASK_CANCEL_DROPS, cancellable, callback,
                   user_data);
}

gboolean
svirt_engine_check_vm_name_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_boolean(engine, svirt_engine_check_vm_name_async, result, error);
}
