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
enforcement_reason(gboolean selinux_driver)
{
    if (is_selinux_enabled() <= 0)
        return g_strdup(_("SELinux is disabled on this host: labels are written and kept "
                          "but nothing enforces them."));
    if (security_getenforce() != 1)
        return g_strdup(_("SELinux is permissive on this host: violations are logged, not "
                          "blocked."));
    if (!selinux_driver)
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

/* The label of @path; where the filesystem lets a desktop user read none (a root-only image
 * folder), the one svirt-helper reads, through @helper (NULL: not a helper's user). */
static gboolean
read_label(const char *path, GHashTable *helper, const char *uuid, char **label,
           GError **error)
{
    g_autoptr(GError) local = NULL;

    if (svirt_labeler_read_label(path, label, &local))
        return TRUE;
    if (helper && g_error_matches(local, SVIRT_ERROR, SVIRT_ERROR_PERMISSION) &&
        svirt_helper_cached_label(helper, uuid, path, label))
        return TRUE;
    g_propagate_error(error, g_steal_pointer(&local));
    return FALSE;
}

static SvirtDiskState *
disk_state(const SvirtPlanItem *item, gboolean running, gboolean started_by_engine,
           SvirtJournal *journal, const char *uuid, GHashTable *helper)
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
    gboolean reach_tried;
    gboolean selinux_driver;
    /* What the label journal held when the pass began, read without waiting for a start that
     * holds its lock; NULL when it cannot be read. */
    SvirtJournal *journal;
    /* A desktop user's qemu:///system: labels the user may not read come from svirt-helper. */
    gboolean use_helper;
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
    facts->selinux_driver = svirt_host_has_selinux_driver(conn);
    facts->enforced_reason = enforcement_reason(facts->selinux_driver);
    facts->use_helper = svirt_engine_uses_helper(engine);
    facts->journal = svirt_engine_journal_snapshot(engine, NULL);
    return TRUE;
}

/* One VM and its definitions, each read once and parsed once. */
typedef struct {
    virDomainPtr dom; /* not owned */
    char uuid[VIR_UUID_STRING_BUFLEN];
    const char *name;
    SvirtVmState state;
    gboolean persistent;
    xmlDoc *config; /* the persistent definition; NULL for a transient VM */
    xmlDoc *live;   /* the live definition of a running or transient VM */
} VmDefs;

static void
vm_defs_clear(VmDefs *defs)
{
    g_clear_pointer(&defs->config, xmlFreeDoc);
    g_clear_pointer(&defs->live, xmlFreeDoc);
}

static xmlDoc *
read_definition(const VmDefs *defs, unsigned int flags, GError **error)
{
    g_autoptr(VirString) xml = virDomainGetXMLDesc(defs->dom, flags);

    if (!xml) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not read the definition of VM '%s'"),
                                       defs->name);
        return NULL;
    }
    return svirt_xml_parse(xml, error);
}

/* What status needs, in one call for a stopped or transient VM and two for a running
 * persistent one: the persistent definition holds its settings, the live one what it runs
 * with. */
static gboolean
vm_defs_read(VmDefs *defs, GError **error)
{
    if (defs->persistent &&
        !(defs->config = read_definition(defs, VIR_DOMAIN_XML_INACTIVE, error)))
        return FALSE;
    if ((!defs->persistent || svirt_vm_state_is_active(defs->state)) &&
        !(defs->live = read_definition(defs, 0, error)))
        return FALSE;
    return TRUE;
}

/* A running VM's labels, as the journal recorded them when the engine started it: the labels
 * element of its live definition may have been copied into its definition or forged there.
 * Only for a VM started by an engine that recorded just the files it labelled are they taken
 * from there, since the journal confirms them. Returns its level; a VM the journal does not
 * know was started outside the engine. */
static char *
recorded_labels(SvirtVmStatus *status, xmlDoc *live, SvirtJournal *journal)
{
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
    } else if (live && svirt_journal_has_holder(journal, status->uuid) &&
               (mode = svirt_domain_doc_live_attr(live, "mode")) != NULL) {
        status->process_label = svirt_domain_doc_live_attr(live, "process");
        status->image_label = svirt_domain_doc_live_attr(live, "image");
        level = svirt_domain_doc_live_attr(live, "level");
        status->started_by_engine = TRUE;
    }
    return level;
}

/* The status of the VM of @defs, from its definitions alone: no libvirt call. */
static SvirtVmStatus *
vm_status_from_defs(const VmDefs *defs, const HostFacts *facts, SvirtSettings **settings_out,
                    GError **error)
{
    g_autoptr(SvirtVmStatus) status = g_new0(SvirtVmStatus, 1);
    g_autoptr(SvirtSettings) settings = NULL;
    g_autoptr(SvirtPlan) plan = NULL;
    SvirtJournal *journal;
    g_autofree char *level = NULL;
    gboolean running, engine_live;
    xmlDoc *settings_doc = defs->persistent ? defs->config : defs->live;
    xmlDoc *plan_doc;
    g_autoptr(GHashTable) helper = facts->use_helper ? svirt_helper_label_cache_new() : NULL;

    status->disks = g_ptr_array_new_with_free_func((GDestroyNotify)disk_state_free);
    status->name = g_strdup(defs->name);
    status->uuid = g_strdup(defs->uuid);
    status->state = defs->state;
    running = svirt_vm_state_is_active(status->state);
    plan_doc = running && defs->live ? defs->live : settings_doc;

    /* A transient VM the engine started carries the engine's seclabel: its settings are what
     * its metadata stores. */
    engine_live = !defs->persistent && facts->journal &&
                  svirt_journal_lookup_vm(facts->journal, defs->uuid) != NULL;
    settings = svirt_domain_doc_settings_sources(defs->name, settings_doc, engine_live, NULL,
                                                 &status->settings_source, error);
    if (!settings)
        return NULL;
    status->mode = settings->mode;
    status->relabel = settings->relabel;
    if (running)
        level = recorded_labels(status, defs->live, facts->journal);
    if (!level && settings->mode == SVIRT_SECURITY_MODE_STATIC)
        level = svirt_settings_dup_static_level(settings);
    status->enforced_reason = g_strdup(facts->enforced_reason);
    status->enforced = running && status->started_by_engine && !status->enforced_reason;

    if (!running)
        status->start_blocker =
            svirt_native_start_blocker_doc(defs->name, plan_doc, facts->selinux_driver);
    /* A stopped dynamic VM has no level yet: its private disks show the label without one. */
    plan = svirt_plan_build_doc(plan_doc, settings, facts->types, level ? level : "s0", error);
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
                                                  journal, defs->uuid, helper));
    }
    if (settings_out)
        *settings_out = g_steal_pointer(&settings);
    return g_steal_pointer(&status);
}

/* One VM looked up by @name, its state and definitions read. */
static gboolean
vm_defs_open(SvirtEngine *engine, const char *name, Vm *vm, VmDefs *defs, GError **error)
{
    int state, reason, persistent;

    if (!svirt_vm_open(engine, name, vm, error))
        return FALSE;
    defs->dom = vm->dom;
    memcpy(defs->uuid, vm->uuid, sizeof(defs->uuid));
    defs->name = vm->name;
    if (virDomainGetState(vm->dom, &state, &reason, 0) < 0 ||
        (persistent = virDomainIsPersistent(vm->dom)) < 0) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not read the state of '%s'"), vm->name);
        return FALSE;
    }
    defs->state = (SvirtVmState)state;
    defs->persistent = persistent == 1;
    return vm_defs_read(defs, error);
}

static SvirtVmStatus *
vm_status(SvirtEngine *engine, const char *name, const HostFacts *facts,
          SvirtSettings **settings_out, GError **error)
{
    g_auto(Vm) vm = { 0 };
    VmDefs defs = { 0 };
    SvirtVmStatus *status = NULL;

    if (vm_defs_open(engine, name, &vm, &defs, error))
        status = vm_status_from_defs(&defs, facts, settings_out, error);
    vm_defs_clear(&defs);
    return status;
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
    if (!facts->reach_tried) {
        facts->reach_tried = TRUE;
        facts->reach = svirt_engine_collect_reach_map(engine, &local);
        if (!facts->reach)
            g_debug("%s: %s", status->name, local->message);
    }
    if (!facts->reach)
        return;
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

/* What a label column shows of a VM whose status is known: the checks that need the whole
 * host (another VM's level, the policy) come last. */
static SvirtVmLabels *
finish_labels(SvirtEngine *engine, HostFacts *facts, SvirtVmLabels *labels,
              const SvirtVmStatus *status, const SvirtSettings *settings)
{
    check_static_reach(engine, facts, status, settings, labels);
    check_startable(status, settings, facts, labels);
    /* A stopped static VM: show the label it will run under. */
    if (!labels->process_label && status->mode == SVIRT_SECURITY_MODE_STATIC)
        labels->process_label = g_strdup(settings->label);
    return labels;
}

static SvirtVmLabels *
vm_labels(SvirtEngine *engine, const char *vm, HostFacts *facts, GError **error)
{
    g_autoptr(SvirtSettings) settings = NULL;
    g_autoptr(SvirtVmStatus) status = vm_status(engine, vm, facts, &settings, error);

    if (!status)
        return NULL;
    return finish_labels(engine, facts, svirt_vm_labels_from_status(status), status, settings);
}

SvirtVmLabels *
svirt_engine_get_vm_labels(SvirtEngine *engine, const char *vm, GError **error)
{
    g_auto(HostFacts) facts = { 0 };

    if (!host_facts_load(engine, &facts, error))
        return NULL;
    return vm_labels(engine, vm, &facts, error);
}

/* One VM of a list pass; its definitions are dropped once read, so a pass holds one per
 * thread at a time. */
typedef struct {
    VmDefs defs;
    SvirtVmStatus *status;
    SvirtSettings *settings;
    char *live_label; /* what the reach map needs of the live definition */
    GError *error;
} PassVm;

static void
pass_vm_clear(PassVm *vm)
{
    vm_defs_clear(&vm->defs);
    if (vm->defs.dom)
        virDomainFree(vm->defs.dom);
    g_clear_pointer(&vm->status, svirt_vm_status_free);
    g_clear_pointer(&vm->settings, svirt_settings_free);
    g_clear_pointer(&vm->live_label, g_free);
    g_clear_error(&vm->error);
}

/* Enough definitions read at once to hide libvirtd's round trips, within the requests it
 * serves at once for one client (max_client_requests, 5 by default). */
#define PASS_THREADS 4

typedef struct {
    const HostFacts *facts;
    GArray *vms; /* PassVm */
    gint next;
    GCancellable *cancellable;
} Pass;

static gpointer
pass_worker(gpointer data)
{
    Pass *pass = data;
    guint i;

    while ((i = (guint)g_atomic_int_add(&pass->next, 1)) < pass->vms->len &&
           !g_cancellable_is_cancelled(pass->cancellable)) {
        PassVm *vm = &g_array_index(pass->vms, PassVm, i);
        SvirtJournal *journal = pass->facts->journal;

        if (vm_defs_read(&vm->defs, &vm->error))
            vm->status = vm_status_from_defs(&vm->defs, pass->facts, &vm->settings, &vm->error);
        if (vm->status && vm->defs.live && journal &&
            !svirt_journal_lookup_vm(journal, vm->defs.uuid))
            vm->live_label =
                svirt_domain_doc_running_label(journal, vm->defs.uuid, vm->defs.live);
        vm_defs_clear(&vm->defs);
    }
    return NULL;
}

static void
pass_add(GArray *vms, virDomainPtr dom, gboolean persistent, int state)
{
    PassVm vm = { 0 };

    if (virDomainGetUUIDString(dom, vm.defs.uuid) < 0 || virDomainRef(dom) < 0) {
        virResetLastError();
        return;
    }
    vm.defs.dom = dom;
    vm.defs.name = virDomainGetName(dom);
    vm.defs.persistent = persistent;
    vm.defs.state = (SvirtVmState)state;
    g_array_append_val(vms, vm);
}

/* The VMs of one kind with their states: one call for all, or on drivers without bulk
 * statistics a listing and a call per VM. */
static gboolean
pass_list(virConnectPtr conn, gboolean persistent, GArray *vms, GError **error)
{
    virDomainStatsRecordPtr *records = NULL;
    virDomainPtr *doms = NULL;
    int n;

    n = virConnectGetAllDomainStats(conn, VIR_DOMAIN_STATS_STATE, &records,
                                    persistent ? VIR_CONNECT_GET_ALL_DOMAINS_STATS_PERSISTENT
                                               : VIR_CONNECT_GET_ALL_DOMAINS_STATS_TRANSIENT);
    if (n >= 0) {
        for (int i = 0; i < n; i++) {
            int state = persistent ? VIR_DOMAIN_SHUTOFF : VIR_DOMAIN_RUNNING;

            virTypedParamsGetInt(records[i]->params, records[i]->nparams, "state.state", &state);
            pass_add(vms, records[i]->dom, persistent, state);
        }
        virDomainStatsRecordListFree(records);
        return TRUE;
    }
    virResetLastError();
    n = virConnectListAllDomains(conn, &doms,
                                 persistent ? VIR_CONNECT_LIST_DOMAINS_PERSISTENT
                                            : VIR_CONNECT_LIST_DOMAINS_TRANSIENT);
    if (n < 0) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not list the virtual machines"));
        return FALSE;
    }
    for (int i = 0; i < n; i++) {
        int state, reason;

        /* A VM that went away meanwhile is left out; its lifecycle event follows. */
        if (virDomainGetState(doms[i], &state, &reason, 0) == 0)
            pass_add(vms, doms[i], persistent, state);
        virResetLastError();
        virDomainFree(doms[i]);
    }
    free(doms);
    return TRUE;
}

typedef struct {
    virConnectPtr conn;
    GArray *vms; /* PassVm, without a clear function: they move to the pass's array */
    gboolean ok;
    GError *error;
} TransientListing;

static gpointer
list_transient(gpointer data)
{
    TransientListing *l = data;

    l->ok = pass_list(l->conn, FALSE, l->vms, &l->error);
    return NULL;
}

static int
compare_pass_vm(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(((const PassVm *)a)->defs.name, ((const PassVm *)b)->defs.name);
}

/* The reach map of the pass, from what it read, when a static VM needs it. */
static void
pass_reach(SvirtEngine *engine, HostFacts *facts, GArray *vms)
{
    g_autofree SvirtPassVm *read = g_new0(SvirtPassVm, vms->len);
    g_autofree char *range = NULL;
    g_autoptr(GError) local = NULL;
    gboolean any_static = FALSE;

    for (guint i = 0; i < vms->len; i++) {
        const PassVm *vm = &g_array_index(vms, PassVm, i);

        read[i].uuid = vm->defs.uuid;
        read[i].name = vm->defs.name;
        read[i].running = svirt_vm_state_is_active(vm->defs.state);
        read[i].live_label = vm->live_label;
        read[i].settings = vm->settings;
        any_static |= vm->settings && vm->settings->mode == SVIRT_SECURITY_MODE_STATIC;
    }
    if (!any_static)
        return;
    /* Without the journal the held levels are unknown, as for svirt_engine_collect_reach_map(). */
    facts->reach_tried = TRUE;
    if (!facts->journal)
        return;
    range = svirt_engine_dup_mcs_range(engine, NULL);
    facts->reach = svirt_reach_map_from_pass(range, facts->journal, read, vms->len, &local);
    if (!facts->reach)
        g_debug("%s", local->message);
}

GPtrArray *
svirt_engine_list_vm_labels(SvirtEngine *engine, GCancellable *cancellable, GError **error)
{
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(GArray) vms = g_array_new(FALSE, TRUE, sizeof(PassVm));
    g_autoptr(GPtrArray) all = NULL;
    g_auto(HostFacts) facts = { 0 };
    GThread *threads[PASS_THREADS] = { NULL };
    Pass pass = { &facts, vms, 0, cancellable };
    TransientListing transient = { 0 };
    GThread *lister;
    gboolean listed;
    guint n_threads;

    g_array_set_clear_func(vms, (GDestroyNotify)pass_vm_clear);
    if (!(conn = svirt_engine_dup_connection(engine, error)))
        return NULL;
    /* Each listing waits in libvirtd for a VM whose lock a start or stop holds: made at once,
     * they wait once. */
    transient.conn = conn;
    transient.vms = g_array_new(FALSE, TRUE, sizeof(PassVm));
    lister = g_thread_try_new("svirt-list", list_transient, &transient, NULL);
    listed = host_facts_load(engine, &facts, error) && pass_list(conn, TRUE, vms, error);
    if (lister)
        g_thread_join(lister);
    else
        list_transient(&transient);
    g_array_append_vals(vms, transient.vms->data, transient.vms->len);
    g_array_unref(transient.vms);
    if (!listed) {
        g_clear_error(&transient.error);
        return NULL;
    }
    if (!transient.ok) {
        g_propagate_error(error, transient.error);
        return NULL;
    }
    g_array_sort(vms, compare_pass_vm);

    /* libxml2 sets itself up once, before threads parse at the same time. */
    xmlInitParser();
    n_threads = MIN(vms->len / 8, PASS_THREADS);
    for (guint i = 0; i < n_threads; i++)
        threads[i] = g_thread_try_new("svirt-list", pass_worker, &pass, NULL);
    pass_worker(&pass);
    for (guint i = 0; i < n_threads; i++) {
        if (threads[i])
            g_thread_join(threads[i]);
    }
    if (g_cancellable_set_error_if_cancelled(cancellable, error))
        return NULL;

    pass_reach(engine, &facts, vms);
    all = g_ptr_array_new_with_free_func((GDestroyNotify)svirt_vm_labels_free);
    for (guint i = 0; i < vms->len; i++) {
        PassVm *vm = &g_array_index(vms, PassVm, i);

        if (!vm->status) {
            g_debug("%s: %s", vm->defs.name, vm->error ? vm->error->message : "not read");
            continue;
        }
        g_ptr_array_add(all, finish_labels(engine, &facts,
                                           svirt_vm_labels_from_status(vm->status), vm->status,
                                           vm->settings));
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
