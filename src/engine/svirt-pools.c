#include "config.h"

#include <glib/gi18n-lib.h>
#include <libvirt/virterror.h>
#include <stdlib.h>
#include <string.h>

#include "svirt-create.h"
#include "svirt-domain-xml.h"
#include "svirt-private.h"
#include "svirt-task.h"

G_DEFINE_BOXED_TYPE(SvirtPoolInfo, svirt_pool_info, svirt_pool_info_copy, svirt_pool_info_free)

SvirtPoolInfo *
svirt_pool_info_copy(const SvirtPoolInfo *pool)
{
    SvirtPoolInfo *copy = g_new0(SvirtPoolInfo, 1);

    copy->name = g_strdup(pool->name);
    copy->path = g_strdup(pool->path);
    copy->active = pool->active;
    return copy;
}

void
svirt_pool_info_free(SvirtPoolInfo *pool)
{
    if (pool == NULL)
        return;
    g_free(pool->name);
    g_free(pool->path);
    g_free(pool);
}

static gint
compare_pools(gconstpointer a, gconstpointer b)
{
    const SvirtPoolInfo *pa = *(SvirtPoolInfo *const *)a;
    const SvirtPoolInfo *pb = *(SvirtPoolInfo *const *)b;

    return g_strcmp0(pa->name, pb->name);
}

GPtrArray *
svirt_engine_list_pools(SvirtEngine *engine, GError **error)
{
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, error);
    g_autoptr(GPtrArray) list = NULL;
    virStoragePoolPtr *pools = NULL;
    int n;

    if (conn == NULL)
        return NULL;
    n = virConnectListAllStoragePools(conn, &pools, 0);
    if (n < 0) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT,
                                       _("Check that libvirt's storage driver is installed."),
                                       _("Could not list the storage pools on %s"),
                                       svirt_engine_get_uri(engine));
        return NULL;
    }
    list = g_ptr_array_new_with_free_func((GDestroyNotify)svirt_pool_info_free);
    for (int i = 0; i < n; i++) {
        SvirtPoolInfo *info = g_new0(SvirtPoolInfo, 1);

        info->name = g_strdup(virStoragePoolGetName(pools[i]));
        info->active = virStoragePoolIsActive(pools[i]) == 1;
        info->path = svirt_pool_target_path(pools[i]);
        virResetLastError();
        g_ptr_array_add(list, info);
        virStoragePoolFree(pools[i]);
    }
    free(pools);
    g_ptr_array_sort(list, compare_pools);
    return g_steal_pointer(&list);
}

gboolean
svirt_engine_ensure_default_pool(SvirtEngine *engine, GError **error)
{
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, error);
    g_autoptr(virStoragePool) pool = NULL;
    g_autofree char *xml = NULL;

    if (conn == NULL)
        return FALSE;
    pool = virStoragePoolLookupByName(conn, SVIRT_DEFAULT_POOL);
    if (pool == NULL) {
        if (virGetLastErrorCode() != VIR_ERR_NO_STORAGE_POOL) {
            svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                           _("Could not look up storage pool '%s'"),
                                           SVIRT_DEFAULT_POOL);
            return FALSE;
        }
        virResetLastError();
        xml = svirt_pool_xml_new_dir(SVIRT_DEFAULT_POOL, SVIRT_DEFAULT_POOL_PATH);
        pool = virStoragePoolDefineXML(conn, xml, 0);
        /* Another client may have defined it meanwhile. */
        if (pool == NULL)
            pool = virStoragePoolLookupByName(conn, SVIRT_DEFAULT_POOL);
        if (pool == NULL) {
            svirt_engine_set_libvirt_error(
                error, SVIRT_ERROR_LIBVIRT,
                _("Create a storage pool with virsh pool-define-as, or use an existing file."),
                _("Could not define storage pool '%s' at %s"), SVIRT_DEFAULT_POOL,
                SVIRT_DEFAULT_POOL_PATH);
            return FALSE;
        }
        virResetLastError();
        if (virStoragePoolBuild(pool, 0) < 0 || virStoragePoolSetAutostart(pool, 1) < 0) {
            svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                           _("Could not set up storage pool '%s' at %s"),
                                           SVIRT_DEFAULT_POOL, SVIRT_DEFAULT_POOL_PATH);
            return FALSE;
        }
    }
    if (virStoragePoolIsActive(pool) != 1 && virStoragePoolCreate(pool, 0) < 0 &&
        virStoragePoolIsActive(pool) != 1) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT,
                                       _("Check that its directory exists and is accessible."),
                                       _("Could not start storage pool '%s'"),
                                       SVIRT_DEFAULT_POOL);
        return FALSE;
    }
    virResetLastError();
    return TRUE;
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

GStrv
svirt_engine_list_networks(SvirtEngine *engine, GError **error)
{
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, error);
    g_autoptr(GPtrArray) names = NULL;
    virNetworkPtr *nets = NULL;
    int n;

    if (conn == NULL)
        return NULL;
    n = virConnectListAllNetworks(conn, &nets, VIR_CONNECT_LIST_NETWORKS_ACTIVE);
    if (n < 0) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not list the networks on %s"),
                                       svirt_engine_get_uri(engine));
        return NULL;
    }
    names = g_ptr_array_new();
    for (int i = 0; i < n; i++) {
        g_ptr_array_add(names, g_strdup(virNetworkGetName(nets[i])));
        virNetworkFree(nets[i]);
    }
    free(nets);
    g_ptr_array_sort(names, compare_names);
    g_ptr_array_add(names, NULL);
    return (GStrv)g_ptr_array_free(g_steal_pointer(&names), FALSE);
}

static gboolean
list_pools_call(gpointer source, SvirtTaskArgs *args, gpointer *result,
                GCancellable *cancellable, GError **error)
{
    return (*result = svirt_engine_list_pools(source, error)) != NULL;
}

void
svirt_engine_list_pools_async(SvirtEngine *engine, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
    svirt_task_run(engine, svirt_engine_list_pools_async, list_pools_call,
                   svirt_task_args_new(NULL), (GDestroyNotify)g_ptr_array_unref,
                   SVIRT_TASK_CANCEL_DROPS, cancellable, callback, user_data);
}

GPtrArray *
svirt_engine_list_pools_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_pointer(engine, svirt_engine_list_pools_async, result, error);
}

static gboolean
list_networks_call(gpointer source, SvirtTaskArgs *args, gpointer *result,
                   GCancellable *cancellable, GError **error)
{
    return (*result = svirt_engine_list_networks(source, error)) != NULL;
}

void
svirt_engine_list_networks_async(SvirtEngine *engine, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
    svirt_task_run(engine, svirt_engine_list_networks_async, list_networks_call,
                   svirt_task_args_new(NULL), (GDestroyNotify)g_strfreev, SVIRT_TASK_CANCEL_DROPS,
                   cancellable, callback, user_data);
}

GStrv
svirt_engine_list_networks_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_pointer(engine, svirt_engine_list_networks_async, result, error);
}
