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

/* Reserves the level a VM's process label @label (its clearance, else its level) covers. */
static void
reserve_label(SvirtMcs *mcs, const char *label, const char *holder)
{
    g_autoptr(SvirtContext) ctx = NULL;
    g_autoptr(GError) local = NULL;
    const SvirtLevel *level;

    if (!label || !(ctx = svirt_context_parse(label, &local)) || !svirt_context_has_level(ctx)) {
        if (local)
            g_message("VM %s: %s", holder, local->message);
        return;
    }
    /* The process reaches everything its clearance dominates. */
    level = svirt_context_get_high(ctx);
    if (level == NULL)
        level = svirt_context_get_low(ctx);
    if (!svirt_mcs_reserve(mcs, level, holder, &local))
        g_message("VM %s: %s", holder, local->message);
}

/* What a VM the engine started runs under: from the journal, not its live definition. */
static void
reserve_recorded(SvirtMcs *mcs, const SvirtJournalVm *record, const char *holder)
{
    SvirtLevel level;

    if (record->process) {
        reserve_label(mcs, record->process, holder);
    } else if (record->level && svirt_level_parse(record->level, &level, NULL)) {
        g_autoptr(GError) local = NULL;

        if (!svirt_mcs_reserve(mcs, &level, holder, &local))
            g_message("VM %s: %s", holder, local->message);
    }
}

/* A running VM's level: what the journal recorded when the engine started it, else the label
 * libvirtd gave it. The labels element of a live definition is not trusted: anyone who can
 * define a VM can write one. */
static void
reserve_running(SvirtMcs *mcs, SvirtJournal *journal, virDomainPtr dom, GHashTable *seen)
{
    char uuid[VIR_UUID_STRING_BUFLEN];
    SvirtJournalVm *record = NULL;
    g_autofree char *label = NULL;
    char *xml;

    if (virDomainGetUUIDString(dom, uuid) == 0) {
        record = svirt_journal_lookup_vm(journal, uuid);
        g_hash_table_add(seen, g_strdup(uuid));
    }
    if (record) {
        reserve_recorded(mcs, record, virDomainGetName(dom));
        return;
    }
    xml = virDomainGetXMLDesc(dom, 0);
    if (xml == NULL) {
        /* It stopped meanwhile and holds nothing any more. */
        virResetLastError();
        return;
    }
    label = svirt_domain_xml_selinux_label(xml);
    free(xml);
    reserve_label(mcs, label, virDomainGetName(dom));
}

gboolean
svirt_collect_reservations_locked(virConnectPtr conn, SvirtJournal *journal, SvirtMcs *mcs,
                                  GError **error)
{
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GPtrArray *records = svirt_journal_get_vms(journal);
    virDomainPtr *doms = NULL;
    int n;

    n = virConnectListAllDomains(conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
    if (n < 0) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not list the running VMs"));
        return FALSE;
    }
    for (int i = 0; i < n; i++) {
        g_autoptr(virDomain) dom = doms[i];

        reserve_running(mcs, journal, dom, seen);
    }
    free(doms);
    /* A VM another process is starting does not run yet, but its level is taken. */
    for (guint i = 0; i < records->len; i++) {
        const SvirtJournalVm *record = g_ptr_array_index(records, i);

        if (!g_hash_table_contains(seen, record->uuid) && svirt_journal_vm_is_launching(record))
            reserve_recorded(mcs, record, record->uuid);
    }
    return TRUE;
}

gboolean
svirt_engine_collect_reservations(SvirtEngine *self, SvirtMcs *mcs, GError **error)
{
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(SvirtJournal) journal = NULL;
    gboolean ok;

    g_return_val_if_fail(SVIRT_IS_ENGINE(self), FALSE);
    g_return_val_if_fail(mcs != NULL, FALSE);

    conn = svirt_engine_dup_connection(self, error);
    if (conn == NULL)
        return FALSE;
    journal = svirt_journal_open(NULL, error);
    if (!journal || !svirt_journal_lock(journal, error))
        return FALSE;
    ok = svirt_collect_reservations_locked(conn, journal, mcs, error);
    svirt_journal_unlock(journal);
    return ok;
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
