#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libvirt/virterror.h>
#include <selinux/selinux.h>
#include <string.h>

#include "svirt-domain-xml.h"
#include "svirt-helper-client.h"
#include "svirt-journal.h"
#include "svirt-labeler.h"
#include "svirt-lifecycle.h"
#include "svirt-private.h"
#include "svirt-task.h"

static char *
enforcement_reason(virConnectPtr conn)
{
    if (is_selinux_enabled() <= 0)
        return g_strdup(_("SELinux is disabled on this host: labels are written and kept "
                          "but nothing enforces them."));
    if (security_getenforce() != 1)
        return g_strdup(_("SELinux is permissive on this host: violations are logged, not "
                          "blocked."));
    if (conn && !svirt_host_has_selinux_driver(conn))
        return g_strdup(_("libvirtd has no selinux security driver, so QEMU does not run "
                          "under the VM's label."));
    return NULL;
}

const char *
svirt_disk_status_to_string(SvirtDiskStatus status)
{
    switch (status) {
    case SVIRT_DISK_STATUS_LABELED:
        return "labeled";
    case SVIRT_DISK_STATUS_RESTORED:
        return "restored";
    case SVIRT_DISK_STATUS_PENDING:
        return "pending";
    case SVIRT_DISK_STATUS_MISMATCH:
        return "mismatch";
    case SVIRT_DISK_STATUS_UNSUPPORTED:
        return "unsupported";
    case SVIRT_DISK_STATUS_NOT_RELABELED:
    default:
        return "not-relabeled";
    }
}

static void
disk_state_free(SvirtDiskState *disk)
{
    g_free(disk->target);
    g_free(disk->path);
    g_free(disk->expected_label);
    g_free(disk->actual_label);
    g_free(disk->note);
    g_free(disk);
}

void
svirt_vm_status_free(SvirtVmStatus *status)
{
    if (!status)
        return;
    g_free(status->name);
    g_free(status->uuid);
    g_free(status->process_label);
    g_free(status->image_label);
    g_free(status->enforced_reason);
    g_free(status->start_blocker);
    g_ptr_array_unref(status->disks);
    g_free(status);
}

JsonNode *
svirt_vm_status_to_json(const SvirtVmStatus *status)
{
    g_autoptr(JsonBuilder) b = json_builder_new();

    json_builder_begin_object(b);
    svirt_json_add_string(b, "name", status->name);
    svirt_json_add_string(b, "uuid", status->uuid);
    svirt_json_add_string(b, "state", svirt_vm_state_to_id(status->state));
    svirt_json_add_string(b, "mode", svirt_security_mode_to_string(status->mode));
    json_builder_set_member_name(b, "relabel");
    json_builder_add_boolean_value(b, status->relabel);
    svirt_json_add_string(b, "process_label", status->process_label);
    svirt_json_add_string(b, "image_label", status->image_label);
    json_builder_set_member_name(b, "enforced");
    json_builder_add_boolean_value(b, status->enforced);
    svirt_json_add_string(b, "enforced_reason", status->enforced_reason);
    svirt_json_add_string(b, "settings_source",
                          svirt_settings_source_to_string(status->settings_source));
    svirt_json_add_string(b, "start_blocker", status->start_blocker);
    json_builder_set_member_name(b, "disks");
    json_builder_begin_array(b);
    for (guint i = 0; i < status->disks->len; i++) {
        SvirtDiskState *disk = g_ptr_array_index(status->disks, i);

        json_builder_begin_object(b);
        svirt_json_add_string(b, "target", disk->target);
        svirt_json_add_string(b, "path", disk->path);
        svirt_json_add_string(b, "kind", svirt_plan_kind_to_string(disk->kind));
        svirt_json_add_string(b, "designation", svirt_designation_to_string(disk->designation));
        svirt_json_add_string(b, "expected_label", disk->expected_label);
        svirt_json_add_string(b, "actual_label", disk->actual_label);
        svirt_json_add_string(b, "status", svirt_disk_status_to_string(disk->status));
        svirt_json_add_string(b, "note", disk->note);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

static gboolean
is_disk_kind(SvirtPlanKind kind)
{
    return kind == SVIRT_PLAN_KIND_DISK || kind == SVIRT_PLAN_KIND_CDROM ||
           kind == SVIRT_PLAN_KIND_FLOPPY || kind == SVIRT_PLAN_KIND_BACKING_FILE ||
           kind == SVIRT_PLAN_KIND_DISPLAY_SOCKET;
}

/* The labels svirt-helper reads for a desktop user where the filesystem lets the user read
 * none (a root-only image folder): asked once per VM, when the first read is refused. */
typedef struct {
    gboolean use_helper;
    gboolean asked;
    GHashTable *labels; /* path -> label, or NULL when the helper could not be asked */
} HelperLabels;

static gboolean
read_label(const char *path, HelperLabels *helper, const char *uuid, char **label,
           GError **error)
{
    g_autoptr(GError) local = NULL;

    if (svirt_labeler_read_label(path, label, &local))
        return TRUE;
    if (helper->use_helper && g_error_matches(local, SVIRT_ERROR, SVIRT_ERROR_PERMISSION)) {
        if (!helper->asked) {
            helper->asked = TRUE;
            helper->labels = svirt_helper_read_labels(uuid, NULL);
        }
        if (helper->labels && g_hash_table_contains(helper->labels, path)) {
            *label = g_strdup(g_hash_table_lookup(helper->labels, path));
            return TRUE;
        }
    }
    g_propagate_error(error, g_steal_pointer(&local));
    return FALSE;
}

static SvirtDiskState *
disk_state(const SvirtPlanItem *item, gboolean running, gboolean started_by_engine,
           SvirtJournal *journal, const char *uuid, HelperLabels *helper)
{
    SvirtDiskState *disk = g_new0(SvirtDiskState, 1);
    g_autoptr(GError) error = NULL;
    g_autofree char *resolved = NULL;
    SvirtJournalEntry *entry = NULL;

    disk->target = g_strdup(item->target);
    disk->path = g_strdup(item->path);
    disk->kind = item->kind;
    disk->designation = item->designation;
    disk->expected_label = g_strdup(item->label);
    if (item->designation == SVIRT_DESIGNATION_SKIPPED) {
        disk->status = SVIRT_DISK_STATUS_NOT_RELABELED;
        disk->note = g_strdup(item->reason);
        return disk;
    }
    if (!read_label(item->path, helper, uuid, &disk->actual_label, &error)) {
        disk->status = g_error_matches(error, SVIRT_ERROR, SVIRT_ERROR_UNSUPPORTED)
                           ? SVIRT_DISK_STATUS_UNSUPPORTED
                           : SVIRT_DISK_STATUS_PENDING;
        disk->note = g_strdup(error->message);
        return disk;
    }
    resolved = svirt_labeler_resolve_path(item->path);
    if (journal && resolved)
        entry = svirt_journal_lookup(journal, resolved);
    if (running) {
        if (g_strcmp0(disk->actual_label, item->label) == 0)
            disk->status = SVIRT_DISK_STATUS_LABELED;
        else if (!started_by_engine)
            disk->status = SVIRT_DISK_STATUS_PENDING;
        else
            disk->status = SVIRT_DISK_STATUS_MISMATCH;
        if (!started_by_engine)
            disk->note = g_strdup(_("The VM was started outside sVirt Manager; its files were "
                                    "not labelled."));
    } else {
        disk->status = entry && svirt_journal_entry_has_holder(entry, uuid)
                           ? SVIRT_DISK_STATUS_PENDING
                           : SVIRT_DISK_STATUS_RESTORED;
        if (disk->status == SVIRT_DISK_STATUS_PENDING)
            disk->note = g_strdup(_("Still labelled for this stopped VM; run 'svirtctl "
                                    "reconcile'."));
    }
    return disk;
}

/* What every VM's status shares: read once for a whole list, not once per VM. */
typedef struct {
    SvirtPolicyTypes *types;
    char *enforced_reason;
    SvirtReachMap *reach; /* read when the first static VM needs it */
    gboolean selinux_driver;
    /* What the label journal held when the pass began, read without waiting for a start that
     * holds its lock; NULL when it cannot be read. */
    SvirtJournal *journal;
} HostFacts;

static void
host_facts_clear(HostFacts *facts)
{
    g_clear_pointer(&facts->types, svirt_policy_types_free);
    g_clear_pointer(&facts->enforced_reason, g_free);
    g_clear_pointer(&facts->reach, svirt_reach_map_free);
    g_clear_pointer(&facts->journal, svirt_journal_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(HostFacts, host_facts_clear)

static gboolean
host_facts_load(SvirtEngine *engine, HostFacts *facts, GError **error)
{
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, error);

    if (!conn || !(facts->types = svirt_policy_types_load(error)))
        return FALSE;
    facts->enforced_reason = enforcement_reason(conn);
    facts->selinux_driver = svirt_host_has_selinux_driver(conn);
    /* A desktop user's qemu:///system VMs are labelled by svirt-helper, in its journal. */
    if (svirt_engine_uses_helper(engine))
        facts->journal = svirt_helper_read_journal(NULL);
    else
        facts->journal = svirt_journal_read_snapshot(NULL, NULL);
    return TRUE;
}

/* A running VM's labels, as the journal recorded them when the engine started it: the labels
 * element of its live definition may have been copied into its definition or forged there.
 * Only for a VM started by an engine that recorded just the files it labelled are they taken
 * from there, since the journal confirms them. Returns its level; a VM the journal does not
 * know was started outside the engine. */
static char *
recorded_labels(SvirtVmStatus *status, virDomainPtr dom, SvirtJournal *journal)
{
    g_autoptr(VirString) xml = NULL;
    g_autofree char *mode = NULL;
    SvirtJournalVm *record;
    char *level = NULL;

    if (!journal)
        return NULL;
    record = svirt_journal_lookup_vm(journal, status->uuid);
    if (record) {
        status->process_label = g_strdup(record->process);
        status->image_label = g_strdup(record->image);
        level = g_strdup(record->level);
        status->started_by_engine = TRUE;
    } else if (svirt_journal_has_holder(journal, status->uuid) &&
               (xml = virDomainGetXMLDesc(dom, 0)) != NULL &&
               (mode = svirt_domain_xml_live_attr(xml, "mode")) != NULL) {
        status->process_label = svirt_domain_xml_live_attr(xml, "process");
        status->image_label = svirt_domain_xml_live_attr(xml, "image");
        level = svirt_domain_xml_live_attr(xml, "level");
        status->started_by_engine = TRUE;
    }
    return level;
}

static SvirtVmStatus *
vm_status(SvirtEngine *engine, const char *name, const HostFacts *facts,
          SvirtSettings **settings_out, GError **error)
{
    g_autoptr(SvirtVmStatus) status = g_new0(SvirtVmStatus, 1);
    g_autoptr(SvirtSettings) settings = NULL;
    g_autoptr(SvirtPlan) plan = NULL;
    SvirtJournal *journal;
    g_autoptr(VirString) xml = NULL;
    g_autofree char *level = NULL;
    int state, reason;
    gboolean running;
    g_auto(Vm) vm = { 0 };
    HelperLabels helper = { svirt_engine_uses_helper(engine), FALSE, NULL };

    status->disks = g_ptr_array_new_with_free_func((GDestroyNotify)disk_state_free);
    if (!svirt_vm_open(engine, name, &vm, error))
        return NULL;
    status->name = g_strdup(vm.name);
    status->uuid = g_strdup(vm.uuid);
    if (virDomainGetState(vm.dom, &state, &reason, 0) < 0) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not read the state of '%s'"), vm.name);
        return NULL;
    }
    status->state = (SvirtVmState)state;
    running = svirt_vm_state_is_active(status->state);

    settings = svirt_domain_settings_sources(vm.dom, NULL, &status->settings_source, error);
    if (!settings)
        return NULL;
    status->mode = settings->mode;
    status->relabel = settings->relabel;
    if (running)
        level = recorded_labels(status, vm.dom, facts->journal);
    if (!level && settings->mode == SVIRT_SECURITY_MODE_STATIC)
        level = svirt_settings_dup_static_level(settings);
    status->enforced_reason = g_strdup(facts->enforced_reason);
    status->enforced = running && status->started_by_engine && !status->enforced_reason;

    xml = virDomainGetXMLDesc(vm.dom, running ? 0 : VIR_DOMAIN_XML_INACTIVE);
    if (!xml) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not read the definition of VM '%s'"), vm.name);
        return NULL;
    }
    if (!running)
        status->start_blocker = svirt_native_start_blocker(vm.name, xml, facts->selinux_driver);
    /* A stopped dynamic VM has no level yet: its private disks show the label without one. */
    plan = svirt_plan_build(xml, settings, facts->types, level ? level : "s0", error);
    if (!plan)
        return NULL;
    /* Only a stopped VM's disks depend on what the journal still holds for it. */
    journal = running ? NULL : facts->journal;
    for (guint i = 0; i < plan->items->len; i++) {
        SvirtPlanItem *item = g_ptr_array_index(plan->items, i);

        if (!is_disk_kind(item->kind))
            continue;
        if (!running && !level && item->designation == SVIRT_DESIGNATION_PRIVATE)
            g_clear_pointer(&item->label, g_free);
        g_ptr_array_add(status->disks, disk_state(item, running, status->started_by_engine,
                                                  journal, vm.uuid, &helper));
    }
    g_clear_pointer(&helper.labels, g_hash_table_unref);
    if (settings_out)
        *settings_out = g_steal_pointer(&settings);
    return g_steal_pointer(&status);
}

SvirtVmStatus *
svirt_engine_get_vm_status(SvirtEngine *engine, const char *name, GError **error)
{
    g_auto(HostFacts) facts = { 0 };

    if (!host_facts_load(engine, &facts, error))
        return NULL;
    return vm_status(engine, name, &facts, NULL, error);
}

const char *
svirt_security_mode_to_label(SvirtSecurityMode mode)
{
    switch (mode) {
    case SVIRT_SECURITY_MODE_DYNAMIC:
        /* TRANSLATORS: label mode: a unique category pair at each start */
        return _("Dynamic");
    case SVIRT_SECURITY_MODE_STATIC:
        /* TRANSLATORS: label mode: chosen by the administrator */
        return _("Static");
    case SVIRT_SECURITY_MODE_NONE:
    default:
        /* TRANSLATORS: label mode: the VM gets no SELinux label */
        return _("None");
    }
}

void
svirt_vm_labels_free(SvirtVmLabels *labels)
{
    if (!labels)
        return;
    g_free(labels->uuid);
    g_free(labels->process_label);
    g_free(labels->reason);
    g_free(labels);
}

SvirtVmLabels *
svirt_vm_labels_from_status(const SvirtVmStatus *status)
{
    SvirtVmLabels *labels = g_new0(SvirtVmLabels, 1);
    gboolean running = svirt_vm_state_is_active(status->state);
    g_autoptr(GString) shared = g_string_new(NULL);
    const SvirtDiskState *wrong = NULL;
    const SvirtDiskState *unsupported = NULL;

    labels->uuid = g_strdup(status->uuid);
    labels->state = status->state;
    labels->mode = status->mode;
    labels->process_label = g_strdup(status->process_label);
    for (guint i = 0; i < status->disks->len; i++) {
        const SvirtDiskState *disk = g_ptr_array_index(status->disks, i);

        if (disk->designation == SVIRT_DESIGNATION_SHARED)
            g_string_append_printf(shared, "%s%s", shared->len ? ", " : "", disk->path);
        if (disk->status == SVIRT_DISK_STATUS_MISMATCH && !wrong)
            wrong = disk;
        if (disk->status == SVIRT_DISK_STATUS_UNSUPPORTED && !unsupported)
            unsupported = disk;
    }

    if (status->mode == SVIRT_SECURITY_MODE_NONE) {
        labels->isolation = SVIRT_ISOLATION_PROBLEM;
        labels->reason = g_strdup(_("No SELinux label: nothing keeps this VM from the files of "
                                    "other VMs."));
    } else if (running && !status->started_by_engine) {
        labels->isolation = SVIRT_ISOLATION_PROBLEM;
        labels->reason = g_strdup(_("Started outside sVirt Manager: its files were not "
                                    "labelled for it."));
    } else if (running && wrong) {
        labels->isolation = SVIRT_ISOLATION_PROBLEM;
        labels->reason = g_strdup_printf(_("%s does not carry the label it should."),
                                         wrong->path);
    } else if (running && unsupported) {
        labels->isolation = SVIRT_ISOLATION_PROBLEM;
        labels->reason = g_strdup_printf(_("%s is on a filesystem without labels."),
                                         unsupported->path);
    } else if (shared->len) {
        labels->isolation = SVIRT_ISOLATION_SHARED;
        labels->reason = g_strdup_printf(_("Own label, but every VM may write its shared "
                                           "disks: %s."),
                                         shared->str);
    } else {
        labels->isolation = SVIRT_ISOLATION_ISOLATED;
        labels->reason = g_strdup(running ? _("Isolated: its own label on its process and "
                                              "private disks.")
                                          : _("Will be isolated: it gets its own label when "
                                              "it starts."));
    }
    return labels;
}

/* A static label that reaches other VMs, or that they reach, isolates nothing, whatever its
 * disks look like. */
static void
check_static_reach(SvirtEngine *engine, HostFacts *facts, const SvirtVmStatus *status,
                   const SvirtSettings *settings, SvirtVmLabels *labels)
{
    g_autoptr(SvirtReach) reach = NULL;
    g_autoptr(GError) local = NULL;

    if (settings->mode != SVIRT_SECURITY_MODE_STATIC || !settings->label)
        return;
    if (!facts->reach && !(facts->reach = svirt_engine_collect_reach_map(engine, &local))) {
        g_debug("%s: %s", status->name, local->message);
        return;
    }
    reach = svirt_reach_map_check(facts->reach, status->uuid, settings->label, &local);
    if (!reach || reach->isolated)
        return;
    labels->isolation = SVIRT_ISOLATION_PROBLEM;
    g_free(labels->reason);
    /* TRANSLATORS: %s says which VMs the label reaches, in sentences */
    labels->reason = g_strdup_printf(_("Not isolated. %s"), reach->summary);
}

/* What a start would refuse shows as a problem before anyone clicks Start. */
static void
check_startable(const SvirtVmStatus *status, const SvirtSettings *settings,
                const HostFacts *facts, SvirtVmLabels *labels)
{
    g_autoptr(GError) refused = NULL;

    if (svirt_vm_state_is_active(status->state))
        return;
    if (status->start_blocker) {
        labels->isolation = SVIRT_ISOLATION_PROBLEM;
        g_free(labels->reason);
        labels->reason = g_strdup(status->start_blocker);
    } else if (settings->mode == SVIRT_SECURITY_MODE_STATIC &&
               !svirt_settings_check_host(settings, facts->types, &refused)) {
        labels->isolation = SVIRT_ISOLATION_PROBLEM;
        g_free(labels->reason);
        /* TRANSLATORS: %s says why, e.g. that the label's type is not one VMs run under */
        labels->reason = g_strdup_printf(_("It cannot start: %s"), refused->message);
    }
}

static SvirtVmLabels *
vm_labels(SvirtEngine *engine, const char *vm, HostFacts *facts, GError **error)
{
    g_autoptr(SvirtSettings) settings = NULL;
    g_autoptr(SvirtVmStatus) status = vm_status(engine, vm, facts, &settings, error);
    SvirtVmLabels *labels;

    if (!status)
        return NULL;
    labels = svirt_vm_labels_from_status(status);
    check_static_reach(engine, facts, status, settings, labels);
    check_startable(status, settings, facts, labels);
    /* A stopped static VM: show the label it will run under. */
    if (!labels->process_label && status->mode == SVIRT_SECURITY_MODE_STATIC)
        labels->process_label = g_strdup(settings->label);
    return labels;
}

SvirtVmLabels *
svirt_engine_get_vm_labels(SvirtEngine *engine, const char *vm, GError **error)
{
    g_auto(HostFacts) facts = { 0 };

    if (!host_facts_load(engine, &facts, error))
        return NULL;
    return vm_labels(engine, vm, &facts, error);
}

GPtrArray *
svirt_engine_list_vm_labels(SvirtEngine *engine, GCancellable *cancellable, GError **error)
{
    g_autoptr(GPtrArray) vms = svirt_engine_list_vms(engine, cancellable, error);
    g_autoptr(GPtrArray) all = NULL;
    g_auto(HostFacts) facts = { 0 };

    if (!vms || !host_facts_load(engine, &facts, error))
        return NULL;
    all = g_ptr_array_new_with_free_func((GDestroyNotify)svirt_vm_labels_free);
    for (guint i = 0; i < vms->len; i++) {
        SvirtVmInfo *info = g_ptr_array_index(vms, i);
        g_autoptr(GError) local = NULL;
        SvirtVmLabels *labels;

        if (g_cancellable_set_error_if_cancelled(cancellable, error))
            return NULL;
        labels = vm_labels(engine, info->uuid, &facts, &local);
        if (labels)
            g_ptr_array_add(all, labels);
        else
            g_debug("%s: %s", info->name, local->message);
    }
    return g_steal_pointer(&all);
}

static gboolean
status_call(gpointer source, SvirtTaskArgs *args, gpointer *result, GCancellable *cancellable,
            GError **error)
{
    return (*result = svirt_engine_get_vm_status(source, args->vm, error)) != NULL;
}

void
svirt_engine_get_vm_status_async(SvirtEngine *engine, const char *vm, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
    svirt_task_run(engine, svirt_engine_get_vm_status_async, status_call, svirt_task_args_new(vm),
                   (GDestroyNotify)svirt_vm_status_free, SVIRT_TASK_CANCEL_DROPS, cancellable,
                   callback, user_data);
}

SvirtVmStatus *
svirt_engine_get_vm_status_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_pointer(engine, svirt_engine_get_vm_status_async, result, error);
}

static gboolean
labels_call(gpointer source, SvirtTaskArgs *args, gpointer *result, GCancellable *cancellable,
            GError **error)
{
    return (*result = svirt_engine_get_vm_labels(source, args->vm, error)) != NULL;
}

void
svirt_engine_get_vm_labels_async(SvirtEngine *engine, const char *vm, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
    svirt_task_run(engine, svirt_engine_get_vm_labels_async, labels_call,
                   svirt_task_args_new(vm), (GDestroyNotify)svirt_vm_labels_free,
                   SVIRT_TASK_CANCEL_DROPS, cancellable, callback, user_data);
}

SvirtVmLabels *
svirt_engine_get_vm_labels_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_pointer(engine, svirt_engine_get_vm_labels_async, result, error);
}

static gboolean
all_labels_call(gpointer source, SvirtTaskArgs *args, gpointer *result,
                GCancellable *cancellable, GError **error)
{
    return (*result = svirt_engine_list_vm_labels(source, cancellable, error)) != NULL;
}

void
svirt_engine_list_vm_labels_async(SvirtEngine *engine, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
    svirt_task_run(engine, svirt_engine_list_vm_labels_async, all_labels_call,
                   svirt_task_args_new(NULL), (GDestroyNotify)g_ptr_array_unref,
                   SVIRT_TASK_CANCEL_DROPS, cancellable, callback, user_data);
}

GPtrArray *
svirt_engine_list_vm_labels_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_pointer(engine, svirt_engine_list_vm_labels_async, result, error);
}
