#include "config.h"

#include <glib/gi18n-lib.h>
#include <libvirt/virterror.h>
#include <string.h>

#include "svirt-domain-xml.h"
#include "svirt-engine.h"
#include "svirt-helper-client.h"
#include "svirt-journal.h"
#include "svirt-lifecycle.h"
#include "svirt-mcs.h"
#include "svirt-private.h"
#include "svirt-reach.h"
#include "svirt-task.h"

typedef void (*HeldLevelFunc)(const char *uuid, const char *name, const SvirtLevel *level,
                              gpointer data);

/* The level a process label @label reaches: its clearance (high level), else its level. */
static gboolean
label_level(const char *label, const char *holder, SvirtLevel *out)
{
    g_autoptr(SvirtContext) ctx = NULL;
    g_autoptr(GError) local = NULL;
    const SvirtLevel *level;

    if (!label || !(ctx = svirt_context_parse(label, &local)) || !svirt_context_has_level(ctx)) {
        if (local)
            g_message("VM %s: %s", holder, local->message);
        return FALSE;
    }
    level = svirt_context_get_high(ctx);
    if (level == NULL)
        level = svirt_context_get_low(ctx);
    *out = *level;
    return TRUE;
}

/* What a VM the engine started runs under: from the journal, not its live definition. */
static gboolean
recorded_level(const SvirtJournalVm *record, const char *holder, SvirtLevel *out)
{
    if (record->process)
        return label_level(record->process, holder, out);
    return record->level && svirt_level_parse(record->level, out, NULL);
}

/* A running VM's level: what the journal recorded when the engine started it, else the label
 * libvirtd gave it. The labels element of a live definition is not trusted (anyone who can
 * define a VM can write one), unless the journal confirms that the engine labelled files for
 * that VM: a VM started by an engine that did not record VMs yet. */
char *
svirt_domain_doc_running_label(SvirtJournal *journal, const char *uuid, xmlDoc *live)
{
    return svirt_journal_has_holder(journal, uuid) ? svirt_domain_doc_held_label(live)
                                                   : svirt_domain_doc_selinux_label(live);
}

static gboolean
live_level(SvirtJournal *journal, const char *uuid, const char *name, xmlDoc *live,
           SvirtLevel *out)
{
    g_autofree char *label = svirt_domain_doc_running_label(journal, uuid, live);

    return label_level(label, name, out);
}

static gboolean
running_level(SvirtJournal *journal, virDomainPtr dom, const char *uuid, SvirtLevel *out)
{
    SvirtJournalVm *record = svirt_journal_lookup_vm(journal, uuid);
    g_autoptr(VirString) xml = NULL;
    g_autoptr(xmlDoc) doc = NULL;

    if (record)
        return recorded_level(record, virDomainGetName(dom), out);
    xml = virDomainGetXMLDesc(dom, 0);
    if (xml == NULL) {
        /* It stopped meanwhile and holds nothing any more. */
        virResetLastError();
        return FALSE;
    }
    doc = svirt_xml_parse(xml, NULL);
    return doc && live_level(journal, uuid, virDomainGetName(dom), doc, out);
}

/* The running VMs of @conn; -1 with @error set when libvirtd cannot list them. */
static int
list_running(virConnectPtr conn, virDomainPtr **doms, GError **error)
{
    int n = virConnectListAllDomains(conn, doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE);

    if (n < 0)
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not list the running VMs"));
    return n;
}

/* Called for a running VM (@dom; @record what the journal recorded of it, or NULL) or a VM
 * another process is starting (@dom NULL, @record its record). */
typedef void (*HeldVmFunc)(virDomainPtr dom, const char *uuid, const SvirtJournalVm *record,
                           gpointer data);

/* Calls @func for each running VM, and each VM another process is starting (it does not run
 * yet, but its level is taken). The journal is locked or a snapshot. */
static gboolean
foreach_held_vm(virConnectPtr conn, SvirtJournal *journal, HeldVmFunc func, gpointer data,
                GError **error)
{
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GPtrArray *records = svirt_journal_get_vms(journal);
    virDomainPtr *doms = NULL;
    int n;

    if ((n = list_running(conn, &doms, error)) < 0)
        return FALSE;
    for (int i = 0; i < n; i++) {
        g_autoptr(virDomain) dom = doms[i];
        char uuid[VIR_UUID_STRING_BUFLEN];

        if (virDomainGetUUIDString(dom, uuid) < 0) {
            virResetLastError();
            continue;
        }
        g_hash_table_add(seen, g_strdup(uuid));
        func(dom, uuid, svirt_journal_lookup_vm(journal, uuid), data);
    }
    free(doms);
    for (guint i = 0; i < records->len; i++) {
        const SvirtJournalVm *record = g_ptr_array_index(records, i);

        if (!g_hash_table_contains(seen, record->uuid) && svirt_journal_vm_is_launching(record))
            func(NULL, record->uuid, record, data);
    }
    return TRUE;
}

typedef struct {
    SvirtJournal *journal;
    HeldLevelFunc func;
    gpointer data;
} LevelWalk;

static void
call_with_level(virDomainPtr dom, const char *uuid, const SvirtJournalVm *record, gpointer data)
{
    LevelWalk *walk = data;
    SvirtLevel level;

    if (dom ? running_level(walk->journal, dom, uuid, &level)
            : recorded_level(record, uuid, &level))
        walk->func(uuid, dom ? virDomainGetName(dom) : uuid, &level, walk->data);
}

/* Calls @func with the level each running VM holds, and each VM another process is starting.
 * The journal is locked or a snapshot. */
static gboolean
foreach_held_level_locked(virConnectPtr conn, SvirtJournal *journal, HeldLevelFunc func,
                          gpointer data, GError **error)
{
    LevelWalk walk = { journal, func, data };

    return foreach_held_vm(conn, journal, call_with_level, &walk, error);
}

typedef struct {
    SvirtJournal *journal;
    virDomainPtr dom;
    const char *uuid;
    const SvirtJournalVm *record;
} HeldSource;

static gboolean
load_running_level(gpointer data, SvirtLevel *out)
{
    HeldSource *src = data;

    return running_level(src->journal, src->dom, src->uuid, out);
}

/* A VM the journal knows nothing of, on a host whose libvirtd has no selinux driver: libvirtd
 * refuses to start a VM with an selinux label there, so it runs without one. Its definition
 * is not read: that can wait for a job another client holds on the VM. */
static gboolean
load_no_level(gpointer data, SvirtLevel *out)
{
    return FALSE;
}

static gboolean
load_recorded_level(gpointer data, SvirtLevel *out)
{
    HeldSource *src = data;

    return recorded_level(src->record, src->uuid, out);
}

/* What the journal recorded decides the level of a VM it knows; the run libvirtd numbered,
 * and whether the journal holds files for it, decide that of a VM it does not. Written into
 * @buf when it fits, else into *@owned. */
static const char *
held_key(const SvirtJournalVm *record, virDomainPtr dom, gboolean has_holder, char *buf,
         gsize size, char **owned)
{
    const char *process = record && record->process ? record->process : "-";
    const char *level = record && record->level ? record->level : "-";
    gsize n;

    if (!record) {
        g_snprintf(buf, size, "run %u %d", virDomainGetID(dom), has_holder);
        return buf;
    }
    n = g_snprintf(buf, size, "journal %s %s", process, level);
    if (n < size)
        return buf;
    *owned = g_strdup_printf("journal %s %s", process, level);
    return *owned;
}

typedef struct {
    SvirtHeldLevels *held;
    SvirtJournal *journal;
    gboolean selinux_driver;
} SyncWalk;

static void
see_held(virDomainPtr dom, const char *uuid, const SvirtJournalVm *record, gpointer data)
{
    SyncWalk *walk = data;
    HeldSource src = { walk->journal, dom, uuid, record };
    SvirtHeldLevelLoad load = load_running_level;
    g_autofree char *owned = NULL;
    gboolean has_holder = FALSE;
    char buf[256];
    const char *key;

    if (record)
        load = load_recorded_level;
    else if (!(has_holder = svirt_journal_has_holder(walk->journal, uuid)) &&
             !walk->selinux_driver)
        load = load_no_level;
    key = held_key(record, dom, has_holder, buf, sizeof(buf), &owned);
    svirt_held_levels_see(walk->held, uuid, dom ? virDomainGetName(dom) : uuid, key, load, &src);
}

gboolean
svirt_held_levels_sync_locked(SvirtHeldLevels *held, virConnectPtr conn, SvirtJournal *journal,
                              gboolean selinux_driver, const char *range, GError **error)
{
    SyncWalk walk = { held, journal, selinux_driver };

    svirt_held_levels_begin(held);
    return foreach_held_vm(conn, journal, see_held, &walk, error) &&
           svirt_held_levels_end(held, range, error);
}

/* The same, on the labeller's journal as last written (the system service's for a desktop user),
 * without waiting for a start that holds its lock:
 * for what is shown and checked before a start, which checks again under the lock. */
static gboolean
foreach_held_level(SvirtEngine *self, HeldLevelFunc func, gpointer data, GError **error)
{
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(self, error);
    g_autoptr(SvirtJournal) journal = NULL;

    if (conn == NULL || !(journal = svirt_engine_journal_snapshot(self, error)))
        return FALSE;
    return foreach_held_level_locked(conn, journal, func, data, error);
}

typedef struct {
    SvirtMcs *mcs;
    const char *except_uuid;
} Reservations;

static void
reserve_held(const char *uuid, const char *name, const SvirtLevel *level, gpointer data)
{
    Reservations *r = data;
    g_autoptr(GError) local = NULL;

    if (g_strcmp0(uuid, r->except_uuid) == 0)
        return;
    if (!svirt_mcs_reserve(r->mcs, level, name, &local))
        g_message("VM %s: %s", name, local->message);
}

gboolean
svirt_engine_collect_reservations(SvirtEngine *self, SvirtMcs *mcs, GError **error)
{
    Reservations r = { mcs, NULL };

    g_return_val_if_fail(SVIRT_IS_ENGINE(self), FALSE);
    g_return_val_if_fail(mcs != NULL, FALSE);

    return foreach_held_level(self, reserve_held, &r, error);
}

gboolean
svirt_engine_check_level_free(SvirtEngine *self, const char *uuid, const char *name,
                              const SvirtSettings *settings, GError **error)
{
    g_autofree char *range = NULL;
    g_autofree char *level = NULL;
    g_autoptr(SvirtMcs) mcs = NULL;
    Reservations r = { NULL, uuid };
    SvirtLevel parsed;

    if (settings->mode != SVIRT_SECURITY_MODE_STATIC)
        return TRUE;
    range = svirt_engine_dup_mcs_range(self, NULL);
    level = svirt_settings_dup_static_level(settings);
    r.mcs = mcs = svirt_mcs_new_from_range_string(range, error);
    /* The same reservation, with the same message, as a start makes. */
    return mcs && level && svirt_level_parse(level, &parsed, error) &&
           foreach_held_level(self, reserve_held, &r, error) &&
           svirt_mcs_reserve(mcs, &parsed, name, error);
}

static void
add_held(const char *uuid, const char *name, const SvirtLevel *level, gpointer data)
{
    g_autofree char *str = svirt_level_to_string(level);

    svirt_reach_map_add(data, uuid, name, str);
}

/* Adds the level of every VM with a static label, running or not: a listing of each kind and
 * one definition read per VM. */
static gboolean
add_static_levels(SvirtEngine *self, SvirtReachMap *map, GError **error)
{
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(self, error);
    g_autoptr(SvirtJournal) journal = svirt_engine_journal_snapshot(self, NULL);

    if (conn == NULL)
        return FALSE;
    for (int kind = 0; kind < 2; kind++) {
        gboolean persistent = kind == 0;
        virDomainPtr *doms = NULL;
        int n = virConnectListAllDomains(conn, &doms,
                                         persistent ? VIR_CONNECT_LIST_DOMAINS_PERSISTENT
                                                    : VIR_CONNECT_LIST_DOMAINS_TRANSIENT);

        if (n < 0) {
            svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                           _("Could not list the VMs"));
            return FALSE;
        }
        for (int i = 0; i < n; i++) {
            g_autoptr(virDomain) dom = doms[i];
            g_autoptr(SvirtSettings) settings = NULL;
            g_autoptr(GError) local = NULL;
            g_autofree char *level = NULL;
            char uuid[VIR_UUID_STRING_BUFLEN];

            if (virDomainGetUUIDString(dom, uuid) < 0 ||
                !(settings = svirt_domain_read_settings(dom, uuid, persistent, journal, NULL,
                                                          NULL, &local))) {
                g_debug("%s", local ? local->message : virGetLastErrorMessage());
                virResetLastError();
                continue;
            }
            level = svirt_settings_dup_static_level(settings);
            svirt_reach_map_add(map, uuid, virDomainGetName(dom), level);
        }
        free(doms);
    }
    return TRUE;
}

static void
add_held_record(SvirtReachMap *map, const SvirtJournalVm *record)
{
    SvirtLevel level;

    if (recorded_level(record, record->uuid, &level))
        add_held(record->uuid, record->uuid, &level, map);
}

SvirtReachMap *
svirt_reach_map_from_pass(const char *range, SvirtJournal *journal, const SvirtPassVm *vms,
                          guint n_vms, GError **error)
{
    g_autoptr(SvirtReachMap) map = svirt_reach_map_new(range, error);
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    GPtrArray *records = journal ? svirt_journal_get_vms(journal) : NULL;

    if (!map)
        return NULL;
    /* In the order svirt_engine_collect_reach_map() adds them: what is held comes first. */
    for (guint i = 0; i < n_vms; i++) {
        const SvirtPassVm *vm = &vms[i];
        SvirtJournalVm *record;
        SvirtLevel level;

        if (!vm->running)
            continue;
        g_hash_table_add(seen, (gpointer)vm->uuid);
        record = journal ? svirt_journal_lookup_vm(journal, vm->uuid) : NULL;
        if (record ? recorded_level(record, vm->name, &level)
                   : label_level(vm->live_label, vm->name, &level))
            add_held(vm->uuid, vm->name, &level, map);
    }
    for (guint i = 0; records && i < records->len; i++) {
        const SvirtJournalVm *record = g_ptr_array_index(records, i);

        if (!g_hash_table_contains(seen, record->uuid) &&
            svirt_journal_vm_is_launching(record))
            add_held_record(map, record);
    }
    for (guint i = 0; i < n_vms; i++) {
        g_autofree char *level = NULL;

        if (!vms[i].settings)
            continue;
        level = svirt_settings_dup_static_level(vms[i].settings);
        svirt_reach_map_add(map, vms[i].uuid, vms[i].name, level);
    }
    return g_steal_pointer(&map);
}

SvirtReachMap *
svirt_engine_collect_reach_map(SvirtEngine *self, GError **error)
{
    g_autofree char *range = NULL;
    g_autoptr(SvirtReachMap) map = NULL;

    g_return_val_if_fail(SVIRT_IS_ENGINE(self), NULL);

    range = svirt_engine_dup_mcs_range(self, NULL);
    map = svirt_reach_map_new(range, error);
    /* What a running VM holds comes first: it is in force now. */
    if (!map || !foreach_held_level(self, add_held, map, error) ||
        !add_static_levels(self, map, error))
        return NULL;
    return g_steal_pointer(&map);
}

SvirtReach *
svirt_engine_check_reach(SvirtEngine *self, const char *vm, const SvirtSettings *settings,
                         GError **error)
{
    g_autoptr(SvirtSettings) stored = NULL;
    g_autoptr(SvirtReachMap) map = NULL;
    g_autoptr(SvirtVmInfo) info = NULL;

    g_return_val_if_fail(SVIRT_IS_ENGINE(self), NULL);

    info = svirt_engine_lookup_vm(self, vm, error);
    if (!info)
        return NULL;
    if (!settings) {
        stored = svirt_engine_get_settings(self, info->uuid, error);
        if (!stored)
            return NULL;
        settings = stored;
    }
    if (settings->mode != SVIRT_SECURITY_MODE_STATIC || !settings->label) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("VM '%s' has no static label to check."), info->name);
        return NULL;
    }
    map = svirt_engine_collect_reach_map(self, error);
    return map ? svirt_reach_map_check(map, info->uuid, settings->label, error) : NULL;
}

static gboolean
check_reach_call(gpointer source, SvirtTaskArgs *args, gpointer *result,
                 GCancellable *cancellable, GError **error)
{
    return (*result = svirt_engine_check_reach(source, args->vm, args->boxed, error)) != NULL;
}

void
svirt_engine_check_reach_async(SvirtEngine *self, const char *vm, const SvirtSettings *settings,
                               GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data)
{
    SvirtTaskArgs *args = svirt_task_args_new(vm);

    if (settings) {
        args->boxed = svirt_settings_copy(settings);
        args->boxed_free = (GDestroyNotify)svirt_settings_free;
    }
    svirt_task_run(self, svirt_engine_check_reach_async, check_reach_call, args,
                   (GDestroyNotify)svirt_reach_free, SVIRT_TASK_CANCEL_DROPS, cancellable,
                   callback, user_data);
}

SvirtReach *
svirt_engine_check_reach_finish(SvirtEngine *self, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_pointer(self, svirt_engine_check_reach_async, result, error);
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
    if (dom == NULL || !(settings = svirt_domain_settings(self, dom, error)) ||
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
