#include "config.h"

#include <glib/gi18n-lib.h>
#include <libvirt/virterror.h>
#include <string.h>

#include "svirt-domain-xml.h"
#include "svirt-engine.h"
#include "svirt-lifecycle.h"
#include "svirt-mcs.h"
#include "svirt-private.h"
#include "svirt-task.h"

gboolean
svirt_engine_collect_reservations(SvirtEngine *self, SvirtMcs *mcs, GError **error)
{
    g_autoptr(virConnect) conn = NULL;
    virDomainPtr *doms = NULL;
    int n;

    g_return_val_if_fail(SVIRT_IS_ENGINE(self), FALSE);
    g_return_val_if_fail(mcs != NULL, FALSE);

    conn = svirt_engine_dup_connection(self, error);
    if (conn == NULL)
        return FALSE;
    n = virConnectListAllDomains(conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
    if (n < 0) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not list the running VMs"));
        return FALSE;
    }
    for (int i = 0; i < n; i++) {
        g_autoptr(virDomain) dom = doms[i];
        g_autoptr(SvirtContext) ctx = NULL;
        g_autoptr(GError) local = NULL;
        g_autofree char *label = NULL;
        const SvirtLevel *level;
        char *xml = virDomainGetXMLDesc(dom, 0);

        if (xml == NULL) {
            /* It stopped meanwhile and holds nothing any more. */
            virResetLastError();
            continue;
        }
        label = svirt_domain_xml_held_label(xml);
        free(xml);
        if (label == NULL || !(ctx = svirt_context_parse(label, &local)) ||
            !svirt_context_has_level(ctx)) {
            if (local)
                g_message("VM %s: %s", virDomainGetName(dom), local->message);
            continue;
        }
        /* The process reaches everything its clearance dominates. */
        level = svirt_context_get_high(ctx);
        if (level == NULL)
            level = svirt_context_get_low(ctx);
        if (!svirt_mcs_reserve(mcs, level, virDomainGetName(dom), &local))
            g_message("VM %s: %s", virDomainGetName(dom), local->message);
    }
    free(doms);
    return TRUE;
}

SvirtPlan *
svirt_engine_plan_vm(SvirtEngine *self, const char *vm, const char *mcs_range, GError **error)
{
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(SvirtSettings) settings = NULL;
    g_autoptr(SvirtPolicyTypes) types = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *level = NULL;

    dom = svirt_engine_lookup_domain(self, vm, error);
    if (dom == NULL || !(settings = svirt_domain_settings(dom, error)) ||
        !(xml = svirt_domain_dup_xml(dom, TRUE, error)) || !(types = svirt_policy_types_load(error)))
        return NULL;

    if (settings->mode == SVIRT_SECURITY_MODE_DYNAMIC) {
        g_autofree char *range = svirt_engine_dup_mcs_range(self, mcs_range);
        g_autoptr(SvirtMcs) mcs = svirt_mcs_new_from_range_string(range, error);
        SvirtLevel pair;

        if (mcs == NULL || !svirt_engine_collect_reservations(self, mcs, error) ||
            !svirt_mcs_allocate(mcs, virDomainGetName(dom), &pair, error))
            return NULL;
        level = svirt_level_to_string(&pair);
    }
    return svirt_plan_build(xml, settings, types, level, error);
}

static gboolean
plan_vm_call(gpointer source, SvirtTaskArgs *args, gpointer *result,
             GCancellable *cancellable, GError **error)
{
    return (*result = svirt_engine_plan_vm(source, args->vm, args->text, error)) != NULL;
}

void
svirt_engine_plan_vm_async(SvirtEngine *self, const char *vm, const char *mcs_range,
                           GCancellable *cancellable, GAsyncReadyCallback callback,
                           gpointer user_data)
{
    SvirtTaskArgs *args = svirt_task_args_new(vm);

    args->text = g_strdup(mcs_range);
    svirt_task_run(self, svirt_engine_plan_vm_async, plan_vm_call, args,
                   (GDestroyNotify)svirt_plan_free, SVIRT_TASK_CANCEL_DROPS, cancellable,
                   callback, user_data);
}

SvirtPlan *
svirt_engine_plan_vm_finish(SvirtEngine *self, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_pointer(self, svirt_engine_plan_vm_async, result, error);
}
