#include "config.h"

#include <glib/gi18n-lib.h>
#include <libvirt/virterror.h>
#include <selinux/selinux.h>
#include <stdlib.h>

#include "svirt-audit-private.h"
#include "svirt-audit.h"
#include "svirt-context.h"
#include "svirt-domain-xml.h"
#include "svirt-helper-client.h"
#include "svirt-journal.h"
#include "svirt-labeler.h"
#include "svirt-lifecycle.h"
#include "svirt-private.h"
#include "svirt-task.h"

typedef struct {
    char *name;
    char *uuid;
    SvirtAuditVmState state;
    SvirtSettings *settings;
    SvirtSettings *stored;       /* what the metadata alone holds; NULL when nothing */
    SvirtSettingsSource source;
    SvirtPlan *plan;
    char *process_label;
    char *process_note;
    char *level;
    gboolean admin_owned;
    char *xml; /* the definition the plan was built from, with its secrets */
} VmData;

static void
vm_data_free(VmData *vm)
{
    g_free(vm->name);
    g_free(vm->uuid);
    if (vm->settings)
        svirt_settings_free(vm->settings);
    if (vm->stored)
        svirt_settings_free(vm->stored);
    if (vm->plan)
        svirt_plan_free(vm->plan);
    g_free(vm->process_label);
    g_free(vm->process_note);
    g_free(vm->level);
    g_free(vm->xml);
    g_free(vm);
}

static GStrv
list_pool_paths(SvirtEngine *engine, GError **error)
{
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, error);
    g_autoptr(GPtrArray) paths = g_ptr_array_new();
    virStoragePoolPtr *pools = NULL;
    int n;

    if (!conn)
        return NULL;
    n = virConnectListAllStoragePools(conn, &pools, 0);
    if (n < 0) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not list the storage pools"));
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        char *path = svirt_pool_target_path(pools[i]);

        if (path && g_path_is_absolute(path))
            g_ptr_array_add(paths, path);
        else
            g_free(path);
        virStoragePoolFree(pools[i]);
    }
    free(pools);
    virResetLastError();
    g_ptr_array_add(paths, NULL);
    return (GStrv)g_ptr_array_free(g_steal_pointer(&paths), FALSE);
}

/* The label a stopped dynamic VM last ran with, from what the journal still holds for it. */
static char *
last_level_from_journal(SvirtJournal *journal, const char *uuid)
{
    GPtrArray *entries;
    char *found = NULL;

    if (!journal)
        return NULL;
    entries = svirt_journal_get_entries(journal);
    for (guint i = 0; i < entries->len && !found; i++) {
        SvirtJournalEntry *entry = g_ptr_array_index(entries, i);
        g_autofree char *level = NULL;
        SvirtLevel parsed;

        if (!svirt_journal_entry_has_holder(entry, uuid) || !entry->label)
            continue;
        level = svirt_audit_level_of(entry->label);
        if (level && svirt_level_parse(level, &parsed, NULL) &&
            svirt_level_n_categories(&parsed) > 0)
            found = g_steal_pointer(&level);
    }
    return found;
}

static SvirtSettings *
read_settings(SvirtEngine *engine, const char *uuid, SvirtSettings **stored,
              SvirtSettingsSource *source, GError **error)
{
    g_autoptr(virDomain) dom = svirt_engine_lookup_domain(engine, uuid, error);

    return dom ? svirt_domain_settings_sources(engine, dom, stored, source, error) : NULL;
}

/* The definition with its secrets: whether a display has a password is audited. */
static char *
read_definition(SvirtEngine *engine, const char *uuid, gboolean inactive, GError **error)
{
    g_autoptr(virDomain) dom = svirt_engine_lookup_domain(engine, uuid, error);
    g_autoptr(VirString) xml = NULL;
    const char *name;

    if (!dom)
        return NULL;
    name = virDomainGetName(dom);
    if (inactive && virDomainIsPersistent(dom) != 1)
        inactive = FALSE;
    xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_SECURE |
                                       (inactive ? VIR_DOMAIN_XML_INACTIVE : 0));
    if (!xml) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not read the definition of VM '%s'"), name);
        return NULL;
    }
    return g_strdup(xml);
}

static VmData *
collect_vm(SvirtEngine *engine, const SvirtVmInfo *info, const SvirtPolicyTypes *types,
           GError **error)
{
    g_autoptr(SvirtVmStatus) status = svirt_engine_get_vm_status(engine, info->uuid, error);
    g_autofree char *xml = NULL;
    VmData *vm;

    if (!status)
        return NULL;
    vm = g_new0(VmData, 1);
    vm->name = g_strdup(status->name);
    vm->uuid = g_strdup(status->uuid);
    vm->settings = read_settings(engine, info->uuid, &vm->stored, &vm->source, error);
    xml = vm->settings ? read_definition(engine, info->uuid,
                                         !svirt_vm_state_is_active(status->state), error)
                       : NULL;
    if (!xml) {
        vm_data_free(vm);
        return NULL;
    }

    if (svirt_vm_state_is_active(status->state)) {
        if (status->started_by_engine) {
            vm->state = SVIRT_AUDIT_VM_RUNNING;
            vm->process_label = g_strdup(status->process_label);
            vm->process_note = g_strdup(_("its live label"));
        } else {
            vm->state = SVIRT_AUDIT_VM_RUNNING_OUTSIDE;
            vm->process_label = svirt_domain_xml_selinux_label(xml);
            vm->process_note = g_strdup(vm->process_label
                                            ? _("the label libvirtd gave it")
                                            : _("started outside sVirt Manager; its label is "
                                                "unknown"));
        }
        if (vm->process_label)
            vm->level = svirt_audit_level_of(vm->process_label);
    } else {
        vm->state = SVIRT_AUDIT_VM_STOPPED;
        if (vm->settings->mode == SVIRT_SECURITY_MODE_STATIC) {
            vm->process_label = g_strdup(vm->settings->label);
            vm->process_note = g_strdup(_("the static label it gets at start"));
        } else if (vm->settings->mode == SVIRT_SECURITY_MODE_DYNAMIC) {
            /* Filled in from the journal once every VM is read. */
            vm->process_note = g_strdup(_("not running"));
        } else {
            vm->process_note = g_strdup(_("no SELinux label (mode none)"));
        }
    }
    if (vm->settings->mode == SVIRT_SECURITY_MODE_STATIC) {
        g_free(vm->level);
        vm->level = svirt_settings_dup_static_level(vm->settings);
    }
    if (vm->settings->mode == SVIRT_SECURITY_MODE_STATIC && !vm->settings->relabel) {
        g_autoptr(SvirtSettings) relabel = svirt_settings_copy(vm->settings);

        relabel->relabel = TRUE;
        vm->admin_owned = TRUE;
        vm->plan = svirt_plan_build(xml, relabel, types, vm->level, error);
    } else {
        vm->plan = svirt_plan_build(xml, vm->settings, types, vm->level ? vm->level : "s0",
                                    error);
    }
    if (!vm->plan) {
        vm_data_free(vm);
        return NULL;
    }
    vm->xml = g_steal_pointer(&xml);
    return vm;
}

static gint
compare_findings(gconstpointer a, gconstpointer b)
{
    const SvirtFinding *fa = *(const SvirtFinding *const *)a;
    const SvirtFinding *fb = *(const SvirtFinding *const *)b;

    if (fa->severity != fb->severity)
        return fa->severity > fb->severity ? -1 : 1;
    return g_strcmp0(fa->vm_name, fb->vm_name);
}

static void
check_enforcing(GPtrArray *findings)
{
    const char *why = NULL;

    if (is_selinux_enabled() <= 0)
        why = _("SELinux is disabled on this host: labels are written but nothing enforces "
                "them, so no VM is kept from another or from the host. What the audit says a "
                "VM may do is what the installed policy would allow.");
    else if (security_getenforce() != 1)
        why = _("SELinux is permissive on this host: denials are logged but not blocked, so "
                "no VM is kept from another or from the host.");
    if (why)
        svirt_finding_add(findings, SVIRT_FINDING_NOT_ENFORCING, SVIRT_SEVERITY_WARNING, NULL,
                          NULL, "enforcing",
                          is_selinux_enabled() <= 0 ? "disabled" : "permissive", g_strdup(why),
                          g_strdup(_("Boot with SELinux enabled (security=selinux selinux=1) "
                                     "and set SELINUX=enforcing in /etc/selinux/config.")));
}

static void
check_duplicates(GPtrArray *vms, GPtrArray *findings)
{
    for (guint i = 0; i < vms->len; i++) {
        VmData *a = g_ptr_array_index(vms, i);

        if (a->state == SVIRT_AUDIT_VM_STOPPED || !a->process_label)
            continue;
        for (guint j = 0; j < vms->len; j++) {
            VmData *b = g_ptr_array_index(vms, j);
            g_autofree char *la = svirt_audit_level_of(a->process_label);
            g_autofree char *lb = NULL;

            if (i == j || b->state == SVIRT_AUDIT_VM_STOPPED || !b->process_label)
                continue;
            lb = svirt_audit_level_of(b->process_label);
            if (!la || g_strcmp0(la, lb) != 0)
                continue;
            svirt_finding_add(findings, SVIRT_FINDING_DUPLICATE, SVIRT_SEVERITY_CRITICAL,
                              a->plan, NULL, _("a level no other running VM holds"), la,
                              g_strdup_printf(_("VMs '%s' and '%s' both run with the level %s: "
                                                "each can read and write the other's disks."),
                                              a->name, b->name, la),
                              g_strdup(_("Stop one of them and give it another static label, "
                                         "or make it dynamic.")));
        }
    }
}

/* The matrix reads labels as the audit does: a desktop user's unreadable ones from the helper. */
static SvirtMatrixVm *
matrix_vm_of(SvirtAuditContext *ctx, const VmData *vm)
{
    SvirtMatrixVm *mvm = svirt_matrix_vm_new(vm->name, vm->uuid, vm->process_label,
                                             vm->process_note);

    for (guint i = 0; i < vm->plan->items->len; i++) {
        const SvirtPlanItem *item = g_ptr_array_index(vm->plan->items, i);
        g_autofree char *label = NULL;

        if (item->designation == SVIRT_DESIGNATION_SKIPPED || !g_path_is_absolute(item->path))
            continue;
        if (!(label = svirt_audit_context_read_label(ctx, vm->uuid, item->path)))
            continue;
        svirt_matrix_vm_add_object(mvm, item->path, label);
    }
    return mvm;
}

/* Without a storage driver the pool check is left out; the rest still runs. */
static GStrv
pool_paths_if_any(SvirtEngine *engine)
{
    g_autoptr(GError) local = NULL;
    GStrv pools = list_pool_paths(engine, &local);

    if (!pools)
        g_message("Audit without the storage pool check: %s", local->message);
    return pools;
}

/* Reads every VM into @vms. A VM that cannot be read is a finding; one that vanished meanwhile
 * is not. FALSE only when cancelled. */
static gboolean
collect_vms(SvirtEngine *engine, GPtrArray *infos, const SvirtPolicyTypes *types,
            GPtrArray *vms, GPtrArray *findings, GCancellable *cancellable, GError **error)
{
    for (guint i = 0; i < infos->len; i++) {
        const SvirtVmInfo *info = g_ptr_array_index(infos, i);
        g_autoptr(GError) local = NULL;
        SvirtFinding *f;
        VmData *vm;

        if (g_cancellable_set_error_if_cancelled(cancellable, error))
            return FALSE;
        vm = collect_vm(engine, info, types, &local);
        if (vm) {
            g_ptr_array_add(vms, vm);
            continue;
        }
        if (g_error_matches(local, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND))
            continue;
        f = svirt_finding_add(findings, SVIRT_FINDING_MISSING, SVIRT_SEVERITY_WARNING, NULL,
                              NULL, NULL, NULL, g_strdup(local->message),
                              g_strdup(_("Correct what the message names, then audit again.")));
        f->vm_name = g_strdup(info->name);
        f->vm_uuid = g_strdup(info->uuid);
    }
    return TRUE;
}

/* Stopped dynamic VMs get the label they last ran with, where the journal still holds some of
 * their files. */
static void
add_last_labels(SvirtEngine *engine, GPtrArray *vms, const SvirtPolicyTypes *types)
{
    g_autoptr(SvirtJournal) journal = svirt_engine_journal_snapshot(engine, NULL);

    if (!journal)
        return;
    for (guint i = 0; i < vms->len; i++) {
        VmData *vm = g_ptr_array_index(vms, i);
        g_autofree char *last = NULL;

        if (vm->state != SVIRT_AUDIT_VM_STOPPED ||
            vm->settings->mode != SVIRT_SECURITY_MODE_DYNAMIC)
            continue;
        last = last_level_from_journal(journal, vm->uuid);
        if (!last)
            continue;
        vm->process_label = svirt_policy_context_with_level(types->process, last, NULL);
        g_free(vm->process_note);
        vm->process_note = g_strdup(_("not running; its last label"));
    }
}

/* The levels VMs hold or will hold, and the paths running VMs use. */
static SvirtAuditContext *
context_of(GPtrArray *vms, const SvirtPolicyTypes *types, GStrv pools)
{
    SvirtAuditContext *ctx = svirt_audit_context_new(types, (const char *const *)pools);

    for (guint i = 0; i < vms->len; i++) {
        VmData *vm = g_ptr_array_index(vms, i);

        if (vm->level && (vm->state != SVIRT_AUDIT_VM_STOPPED ||
                          vm->settings->mode == SVIRT_SECURITY_MODE_STATIC))
            svirt_audit_context_add_level(ctx, vm->level, vm->name);
        if (vm->state == SVIRT_AUDIT_VM_STOPPED)
            continue;
        for (guint k = 0; k < vm->plan->items->len; k++) {
            const SvirtPlanItem *item = g_ptr_array_index(vm->plan->items, k);

            svirt_audit_context_add_running_path(ctx, item->path, vm->name);
        }
    }
    return ctx;
}

static void
check_vms(SvirtAuditContext *ctx, GPtrArray *vms, GPtrArray *findings)
{
    for (guint i = 0; i < vms->len; i++) {
        VmData *vm = g_ptr_array_index(vms, i);

        if (vm->state == SVIRT_AUDIT_VM_RUNNING_OUTSIDE)
            svirt_finding_add(findings, SVIRT_FINDING_STARTED_OUTSIDE, SVIRT_SEVERITY_ERROR,
                              vm->plan, NULL, NULL, NULL,
                              g_strdup_printf(_("VM '%s' was started outside sVirt Manager: "
                                                "none of its files were labelled for it, and "
                                                "no level was reserved for it."),
                                              vm->name),
                              g_strdup(_("Stop it and start it again with sVirt Manager or "
                                         "'svirtctl start'.")));
        svirt_audit_check_plan(ctx, vm->plan, vm->state, vm->admin_owned, findings);
        svirt_audit_check_display(vm->plan, vm->xml, findings);
        if (vm->source == SVIRT_SETTINGS_SOURCE_SECLABEL && vm->stored)
            svirt_audit_check_settings(vm->plan, vm->settings, vm->stored, findings);
    }
}

static gboolean
has_private_disk(const VmData *vm)
{
    for (guint i = 0; i < vm->plan->items->len; i++) {
        const SvirtPlanItem *item = g_ptr_array_index(vm->plan->items, i);

        if (item->designation == SVIRT_DESIGNATION_PRIVATE)
            return TRUE;
    }
    return FALSE;
}

/* The label a VM runs under, or a static VM will: NULL when it has no level to judge. */
static const char *
judged_label(const VmData *vm)
{
    if (vm->settings->mode == SVIRT_SECURITY_MODE_STATIC)
        return vm->settings->label;
    /* A running VM at the shared level, whoever gave it that label. */
    if (vm->state != SVIRT_AUDIT_VM_STOPPED && vm->process_label &&
        svirt_label_is_shared_level(vm->process_label) && has_private_disk(vm))
        return vm->process_label;
    return NULL;
}

static void
add_not_isolated(const VmData *vm, const SvirtReach *reach, GPtrArray *findings)
{
    const char *fix = reach->shared_level
                          ? _("Give the VM a category pair of its own (a static label such as "
                              "system_u:system_r:svirt_t:s0:c10,c20, or a dynamic label), or "
                              "keep only data meant for every VM on its disks.")
                          : _("Give the VM a static label with a category pair that no other "
                              "VM's level covers, such as system_u:system_r:svirt_t:s0:c10,c20, "
                              "or make it dynamic.");

    svirt_finding_add(findings, SVIRT_FINDING_NOT_ISOLATED, SVIRT_SEVERITY_ERROR, vm->plan,
                      NULL, _("a level of its own"), reach->level,
                      /* TRANSLATORS: %s says which VMs the label reaches, in sentences */
                      g_strdup_printf(_("The label of VM '%s' does not isolate it. %s"),
                                      vm->name, reach->summary),
                      g_strdup(fix));
}

/* Static labels, and running VMs at the shared level, against the levels of every VM. */
static void
check_reach(SvirtEngine *engine, GPtrArray *vms, GPtrArray *findings)
{
    g_autofree char *range = svirt_engine_dup_mcs_range(engine, NULL);
    g_autoptr(SvirtReachMap) map = svirt_reach_map_new(range, NULL);

    if (!map)
        return;
    for (guint i = 0; i < vms->len; i++) {
        VmData *vm = g_ptr_array_index(vms, i);

        if (vm->level && (vm->state != SVIRT_AUDIT_VM_STOPPED ||
                          vm->settings->mode == SVIRT_SECURITY_MODE_STATIC))
            svirt_reach_map_add(map, vm->uuid, vm->name, vm->level);
    }
    for (guint i = 0; i < vms->len; i++) {
        VmData *vm = g_ptr_array_index(vms, i);
        const char *label = judged_label(vm);
        g_autoptr(SvirtReach) reach = label ? svirt_reach_map_check(map, vm->uuid, label, NULL)
                                            : NULL;

        if (reach && !reach->isolated)
            add_not_isolated(vm, reach, findings);
    }
}

SvirtAuditReport *
svirt_audit_run(SvirtEngine *engine, GCancellable *cancellable, GError **error)
{
    g_autoptr(SvirtAuditReport) report = g_new0(SvirtAuditReport, 1);
    g_autoptr(GPtrArray) infos = NULL;
    g_autoptr(GPtrArray) vms = g_ptr_array_new_with_free_func((GDestroyNotify)vm_data_free);
    g_autoptr(GPtrArray) matrix_vms = NULL;
    g_autoptr(SvirtPolicyTypes) types = NULL;
    g_autoptr(SvirtAuditContext) ctx = NULL;
    g_autofree char *policy = NULL;
    g_auto(GStrv) pools = NULL;

    report->findings = g_ptr_array_new_with_free_func((GDestroyNotify)svirt_finding_free);
    infos = svirt_engine_list_vms(engine, cancellable, error);
    types = infos ? svirt_policy_types_load(error) : NULL;
    if (!types)
        return NULL;
    pools = pool_paths_if_any(engine);
    if (!collect_vms(engine, infos, types, vms, report->findings, cancellable, error))
        return NULL;
    add_last_labels(engine, vms, types);
    ctx = context_of(vms, types, pools);
    svirt_audit_context_use_helper(ctx, svirt_engine_uses_helper(engine));
    check_enforcing(report->findings);
    check_vms(ctx, vms, report->findings);
    check_duplicates(vms, report->findings);
    check_reach(engine, vms, report->findings);
    g_ptr_array_sort(report->findings, compare_findings);

    matrix_vms = g_ptr_array_new_with_free_func((GDestroyNotify)svirt_matrix_vm_free);
    for (guint i = 0; i < vms->len; i++)
        g_ptr_array_add(matrix_vms, matrix_vm_of(ctx, g_ptr_array_index(vms, i)));
    policy = svirt_context_find_policy_file();
    report->matrix = svirt_matrix_compute(matrix_vms, policy, error);
    if (!report->matrix)
        return NULL;
    return g_steal_pointer(&report);
}

static gboolean
audit_call(gpointer source, SvirtTaskArgs *args, gpointer *result, GCancellable *cancellable,
           GError **error)
{
    return (*result = svirt_audit_run(source, cancellable, error)) != NULL;
}

void
svirt_audit_run_async(SvirtEngine *engine, GCancellable *cancellable,
                      GAsyncReadyCallback callback, gpointer user_data)
{
    svirt_task_run(engine, svirt_audit_run_async, audit_call, svirt_task_args_new(NULL),
                   (GDestroyNotify)svirt_audit_report_free, SVIRT_TASK_CANCEL_DROPS, cancellable,
                   callback, user_data);
}

SvirtAuditReport *
svirt_audit_run_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_pointer(engine, svirt_audit_run_async, result, error);
}

void
svirt_audit_report_free(SvirtAuditReport *report)
{
    if (!report)
        return;
    if (report->findings)
        g_ptr_array_unref(report->findings);
    svirt_matrix_free(report->matrix);
    g_free(report);
}

SvirtSeverity
svirt_audit_report_max_severity(const SvirtAuditReport *report)
{
    SvirtSeverity max = SVIRT_SEVERITY_INFO;

    for (guint i = 0; i < report->findings->len; i++) {
        const SvirtFinding *f = g_ptr_array_index(report->findings, i);

        if (f->severity > max)
            max = f->severity;
    }
    return max;
}
