#include "config.h"

#include <glib/gi18n-lib.h>
#include <libvirt/virterror.h>
#include <string.h>

#include "svirt-private.h"

static gint selinux_driver_override = -1;

void
svirt_host_override_selinux_driver(int present)
{
    g_atomic_int_set(&selinux_driver_override, present);
}

gboolean
svirt_host_has_selinux_driver(virConnectPtr conn)
{
    g_autoptr(VirString) caps = NULL;
    int override = g_atomic_int_get(&selinux_driver_override);

    if (override >= 0)
        return override > 0;
    caps = virConnectGetCapabilities(conn);
    virResetLastError();
    return caps && strstr(caps, "<model>selinux</model>") != NULL;
}

GHashTable *
svirt_list_running_vms(virConnectPtr conn, GError **error)
{
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
    GHashTable *set;

    if (n < 0) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not list the running VMs"));
        return NULL;
    }
    set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    for (int i = 0; i < n; i++) {
        char uuid[VIR_UUID_STRING_BUFLEN];

        if (virDomainGetUUIDString(doms[i], uuid) == 0)
            g_hash_table_insert(set, g_strdup(uuid), g_strdup(virDomainGetName(doms[i])));
        virDomainFree(doms[i]);
    }
    free(doms);
    return set;
}

gboolean
svirt_vm_open(SvirtEngine *engine, const char *name, Vm *vm, GError **error)
{
    memset(vm, 0, sizeof(*vm));
    vm->conn = svirt_engine_dup_connection(engine, error);
    if (!vm->conn)
        return FALSE;
    vm->dom = svirt_engine_lookup_domain(engine, name, error);
    if (!vm->dom)
        return FALSE;
    virDomainGetUUIDString(vm->dom, vm->uuid);
    vm->name = virDomainGetName(vm->dom);
    return TRUE;
}

void
svirt_vm_close(Vm *vm)
{
    if (vm->dom)
        virDomainFree(vm->dom);
    if (vm->conn)
        virConnectClose(vm->conn);
    memset(vm, 0, sizeof(*vm));
}
