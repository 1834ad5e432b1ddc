#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libvirt/virterror.h>
#include <selinux/selinux.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "svirt-domain-xml.h"
#include "svirt-journal.h"
#include "svirt-labeler.h"
#include "svirt-lifecycle.h"
#include "svirt-mcs.h"
#include "svirt-private.h"

static gboolean
host_has_selinux_model(virConnectPtr conn)
{
    g_autoptr(VirString) caps = virConnectGetCapabilities(conn);

    virResetLastError();
    return caps && strstr(caps, "<model>selinux</model>") != NULL;
}

static char *
enforcement_reason(virConnectPtr conn)
{
    if (is_selinux_enabled() <= 0)
        return g_strdup(_("SELinux is disabled on this host: labels are written and kept "
                          "but nothing enforces them."));
    if (security_getenforce() != 1)
        return g_strdup(_("SELinux is permissive on this host: violations are logged, not "
                          "blocked."));
    if (conn && !host_has_selinux_model(conn))
        return g_strdup(_("libvirtd has no selinux security driver, so QEMU does not run "
                          "under the VM's label."));
    return NULL;
}

static SvirtLabelTargetKind
target_kind_for(SvirtPlanKind kind, mode_t mode)
{
    if (S_ISBLK(mode))
        return SVIRT_LABEL_TARGET_BLOCK;
    switch (kind) {
    case SVIRT_PLAN_KIND_SERIAL_PIPE:
    case SVIRT_PLAN_KIND_SERIAL_SOCKET:
        return SVIRT_LABEL_TARGET_SOCKET;
    case SVIRT_PLAN_KIND_DISK:
    case SVIRT_PLAN_KIND_CDROM:
    case SVIRT_PLAN_KIND_FLOPPY:
    case SVIRT_PLAN_KIND_BACKING_FILE:
    case SVIRT_PLAN_KIND_KERNEL:
    case SVIRT_PLAN_KIND_INITRD:
    case SVIRT_PLAN_KIND_DTB:
    case SVIRT_PLAN_KIND_SERIAL_FILE:
    case SVIRT_PLAN_KIND_HOSTDEV:
    default:
        return SVIRT_LABEL_TARGET_FILE;
    }
}

static SvirtLabelTargetKind
target_kind_of_path(const char *path)
{
    struct stat st;

    if (lstat(path, &st) == 0) {
        if (S_ISBLK(st.st_mode))
            return SVIRT_LABEL_TARGET_BLOCK;
        if (S_ISSOCK(st.st_mode) || S_ISFIFO(st.st_mode))
            return SVIRT_LABEL_TARGET_SOCKET;
    }
    return SVIRT_LABEL_TARGET_FILE;
}

/* Puts the recorded original back on an entry's path; a path that is gone needs nothing. */
static gboolean
restore_entry(const SvirtJournalEntry *entry, GError **error)
{
    g_autoptr(SvirtLabelTarget) target = NULL;
    g_autoptr(GError) local = NULL;
    SvirtLabelStatus status;

    target = svirt_label_target_open(entry->path, target_kind_of_path(entry->path), &local);
    if (!target) {
        if (g_error_matches(local, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND)) {
            g_debug("%s is gone; nothing to restore", entry->path);
            return TRUE;
        }
        g_propagate_error(error, g_steal_pointer(&local));
        return FALSE;
    }
    if (entry->original)
        return svirt_label_target_set_label(target, entry->original, &status, error);
    return svirt_label_target_remove_label(target, &status, error);
}

typedef gboolean (*HolderGone)(const char *holder, const SvirtJournalEntry *entry,
                               gpointer data);

/* Drops every holder @gone says has stopped; restores the paths nobody holds any more. Entries
 * that cannot be restored stay (without holders) for the next reconcile. */
static gboolean
release_locked(SvirtJournal *journal, HolderGone gone, gpointer data, guint *n_restored,
               guint *n_kept, GError **error)
{
    GPtrArray *entries = svirt_journal_get_entries(journal);
    g_autoptr(GPtrArray) done = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GString) failures = g_string_new(NULL);
    guint restored = 0, kept = 0;

    for (guint i = 0; i < entries->len; i++) {
        SvirtJournalEntry *entry = g_ptr_array_index(entries, i);
        g_autoptr(GError) local = NULL;

        for (guint h = entry->holders->len; h > 0; h--) {
            const char *holder = g_ptr_array_index(entry->holders, h - 1);

            if (gone(holder, entry, data))
                g_ptr_array_remove_index(entry->holders, h - 1);
        }
        if (entry->holders->len > 0) {
            kept++;
            continue;
        }
        if (restore_entry(entry, &local)) {
            g_ptr_array_add(done, g_strdup(entry->path));
            restored++;
        } else {
            g_string_append_printf(failures, "%s%s", failures->len ? " " : "", local->message);
            kept++;
        }
    }
    for (guint i = 0; i < done->len; i++)
        svirt_journal_remove(journal, g_ptr_array_index(done, i));
    if (!svirt_journal_commit(journal, error))
        return FALSE;
    if (n_restored)
        *n_restored = restored;
    if (n_kept)
        *n_kept = kept;
    if (failures->len) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("Some labels could not be restored and stay in the journal for the next "
                      "'svirtctl reconcile': %s"),
                    failures->str);
        return FALSE;
    }
    return TRUE;
}

static gboolean
is_holder(const char *holder, const SvirtJournalEntry *entry, gpointer data)
{
    return g_str_equal(holder, data);
}

gboolean
svirt_restore_holder(const char *uuid, guint *n_restored, GError **error)
{
    g_autoptr(SvirtJournal) journal = svirt_journal_open(NULL, error);
    gboolean ok;

    if (!journal || !svirt_journal_lock(journal, error))
        return FALSE;
    ok = release_locked(journal, is_holder, (gpointer)uuid, n_restored, NULL, error);
    svirt_journal_unlock(journal);
    return ok;
}

typedef struct {
    SvirtPlanItem *item;
    SvirtLabelTarget *target;
    char *original;
    gboolean held_before; /* another running VM already holds it: leave its label alone */
    gboolean applied;
} Step;

static void
step_clear(Step *step)
{
    svirt_label_target_free(step->target);
    g_free(step->original);
}

static gboolean
is_labelled(const SvirtPlanItem *item)
{
    return item->designation != SVIRT_DESIGNATION_SKIPPED && item->label != NULL;
}

static GHashTable *
running_uuids(virConnectPtr conn, GError **error)
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

/* QEMU creates a serial log file when it opens it; it must exist to be labelled first. */
static gboolean
prepare_serial_file(const char *path, GError **error)
{
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *resolved_dir = svirt_labeler_resolve_path(dir);
    int fd;

    if (g_file_test(path, G_FILE_TEST_EXISTS))
        return TRUE;
    if (!resolved_dir) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND,
                    _("The directory of the serial log %s does not exist. Create it or change "
                      "the path in the VM's definition."),
                    path);
        return FALSE;
    }
    if (!svirt_labeler_check_location(resolved_dir, SVIRT_LABEL_TARGET_FILE, error))
        return FALSE;
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("Could not create the serial log %s: %s."), path, g_strerror(errno));
        return FALSE;
    }
    if (fd >= 0)
        close(fd);
    return TRUE;
}

static void
rollback(SvirtJournal *journal, GArray *steps, const char *uuid)
{
    g_autoptr(GError) error = NULL;

    /* Labels we changed go back now; the journal then forgets this VM. */
    for (guint i = steps->len; i > 0; i--) {
        Step *step = &g_array_index(steps, Step, i - 1);
        SvirtLabelStatus status;
        g_autoptr(GError) local = NULL;

        if (!step->applied || step->held_before)
            continue;
        if (!(step->original
                  ? svirt_label_target_set_label(step->target, step->original, &status, &local)
                  : svirt_label_target_remove_label(step->target, &status, &local)))
            g_warning("Could not roll back the label of %s: %s", step->item->path,
                      local->message);
    }
    if (!release_locked(journal, is_holder, (gpointer)uuid, NULL, NULL, &error))
        g_warning("%s", error->message);
}

static void
maybe_crash(guint applied)
{
    static int crash_after = -2;

    /* Fault injection for the crash-safety tests: die like a kill -9 after N labels. */
    if (crash_after == -2) {
        const char *env = g_getenv("SVIRT_CRASH_AFTER_LABELS");

        crash_after = env ? atoi(env) : -1;
    }
    if (crash_after >= 0 && applied == (guint)crash_after)
        raise(SIGKILL);
}

typedef struct {
    virConnectPtr conn;
    virDomainPtr dom;
    char uuid[VIR_UUID_STRING_BUFLEN];
    const char *name;
} Vm;

/* libvirtd replaces a serial log file when it starts the VM; the new file needs the label. */
static void
relabel_replaced_files(GArray *steps, const char *vm_name)
{
    for (guint i = 0; i < steps->len; i++) {
        Step *step = &g_array_index(steps, Step, i);
        g_autoptr(SvirtLabelTarget) now = NULL;
        g_autoptr(GError) error = NULL;
        SvirtLabelStatus status;

        if (step->item->kind != SVIRT_PLAN_KIND_SERIAL_FILE)
            continue;
        now = svirt_label_target_open(step->item->path, SVIRT_LABEL_TARGET_FILE, &error);
        if (!now || !svirt_label_target_set_label(now, step->item->label, &status, &error))
            g_warning("%s: could not label the serial log %s: %s", vm_name, step->item->path,
                      error->message);
    }
}

static gboolean
start_locked(SvirtEngine *engine, Vm *vm, SvirtJournal *journal, const char *mcs_range,
             GError **error)
{
    g_autoptr(SvirtSettings) settings = NULL;
    g_autoptr(SvirtPolicyTypes) types = NULL;
    g_autoptr(SvirtMcs) mcs = NULL;
    g_autoptr(SvirtPlan) plan = NULL;
    g_autoptr(GHashTable) running = NULL;
    g_autoptr(GArray) steps = NULL;
    g_autoptr(VirString) xml = NULL;
    g_autofree char *range = NULL;
    g_autofree char *level = NULL;
    g_autofree char *image_label = NULL;
    g_autofree char *live_xml = NULL;
    virDomainPtr started;
    guint applied = 0;

    settings = svirt_engine_get_settings(engine, vm->uuid, error);
    if (!settings)
        return FALSE;
    types = svirt_policy_types_load(error);
    if (!types)
        return FALSE;
    xml = virDomainGetXMLDesc(vm->dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
    if (!xml) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not read the definition of VM '%s'"), vm->name);
        return FALSE;
    }

    /* Levels: every running VM's, then ours. */
    range = svirt_engine_dup_mcs_range(engine, mcs_range);
    mcs = svirt_mcs_new_from_range_string(range, error);
    if (!mcs || !svirt_engine_collect_reservations(engine, mcs, error))
        return FALSE;
    if (settings->mode == SVIRT_SECURITY_MODE_DYNAMIC) {
        SvirtLevel pair;

        if (!svirt_mcs_allocate(mcs, vm->name, &pair, error))
            return FALSE;
        level = svirt_level_to_string(&pair);
    } else if (settings->mode == SVIRT_SECURITY_MODE_STATIC) {
        g_autofree char *static_level = svirt_settings_dup_static_level(settings);
        SvirtLevel parsed;

        if (!svirt_level_parse(static_level, &parsed, error) ||
            !svirt_mcs_reserve(mcs, &parsed, vm->name, error))
            return FALSE;
    }

    plan = svirt_plan_build(xml, settings, types, level, error);
    if (!plan)
        return FALSE;
    if (plan->level)
        image_label = svirt_policy_context_with_level(types->image, plan->level, NULL);

    running = running_uuids(vm->conn, error);
    if (!running)
        return FALSE;

    /* Check every object before anything changes. */
    steps = g_array_new(FALSE, TRUE, sizeof(Step));
    g_array_set_clear_func(steps, (GDestroyNotify)step_clear);
    for (guint i = 0; i < plan->items->len; i++) {
        SvirtPlanItem *item = g_ptr_array_index(plan->items, i);
        Step step = { item, NULL, NULL, FALSE, FALSE };
        SvirtJournalEntry *entry;
        struct stat st;

        if (!is_labelled(item))
            continue;
        if (item->kind == SVIRT_PLAN_KIND_SERIAL_FILE && !prepare_serial_file(item->path, error)) {
            g_prefix_error(error, _("Starting '%s' stopped while checking its files: "),
                           vm->name);
            return FALSE;
        }
        step.target = svirt_label_target_open(
            item->path, target_kind_for(item->kind, stat(item->path, &st) == 0 ? st.st_mode : 0),
            error);
        if (!step.target) {
            g_prefix_error(error, _("Starting '%s' stopped while checking its files: "),
                           vm->name);
            return FALSE;
        }
        entry = svirt_journal_lookup(journal, svirt_label_target_get_resolved(step.target));
        if (entry) {
            for (guint h = 0; h < entry->holders->len; h++) {
                const char *holder = g_ptr_array_index(entry->holders, h);
                const char *holder_name = g_hash_table_lookup(running, holder);

                if (!holder_name || g_str_equal(holder, vm->uuid))
                    continue;
                if (item->designation == SVIRT_DESIGNATION_PRIVATE ||
                    g_strcmp0(entry->label, item->label) != 0) {
                    g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE,
                                _("Cannot start '%s': %s is in use by the running VM '%s' "
                                  "with another label. Stop '%s', or mark the disk shared "
                                  "or read-only in both VMs."),
                                vm->name, item->path, holder_name, holder_name);
                    step_clear(&step);
                    return FALSE;
                }
                step.held_before = TRUE;
            }
        }
        if (!svirt_label_target_get_label(step.target, &step.original, NULL))
            step.original = NULL;
        g_array_append_val(steps, step);
    }

    /* Write-ahead: the journal knows every original before the first label changes. */
    for (guint i = 0; i < steps->len; i++) {
        Step *step = &g_array_index(steps, Step, i);

        svirt_journal_add_holder(journal, svirt_label_target_get_resolved(step->target),
                                 step->original, step->item->label, vm->uuid);
    }
    if (!svirt_journal_commit(journal, error)) {
        g_prefix_error(error, _("Starting '%s' stopped before labelling: "), vm->name);
        return FALSE;
    }

    maybe_crash(0);
    for (guint i = 0; i < steps->len; i++) {
        Step *step = &g_array_index(steps, Step, i);
        SvirtLabelStatus status;

        if (step->held_before)
            continue;
        if (!svirt_label_target_set_label(step->target, step->item->label, &status, error)) {
            g_prefix_error(error, _("Starting '%s' stopped while labelling %s: "), vm->name,
                           step->item->path);
            rollback(journal, steps, vm->uuid);
            return FALSE;
        }
        step->applied = status == SVIRT_LABEL_STATUS_LABELED;
        if (status == SVIRT_LABEL_STATUS_UNSUPPORTED)
            g_debug("%s: the filesystem of %s does not support labels", vm->name,
                    step->item->path);
        maybe_crash(++applied);
    }

    live_xml = svirt_domain_xml_make_live(xml, plan, image_label,
                                          host_has_selinux_model(vm->conn), error);
    if (!live_xml) {
        rollback(journal, steps, vm->uuid);
        return FALSE;
    }
    started = virDomainCreateXML(vm->conn, live_xml, 0);
    if (!started) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT,
                                       _("Every label was put back."),
                                       _("libvirtd could not start '%s'"), vm->name);
        rollback(journal, steps, vm->uuid);
        return FALSE;
    }
    virDomainFree(started);
    relabel_replaced_files(steps, vm->name);
    g_debug("Started %s as %s", vm->name, plan->process_label ? plan->process_label : "-");
    return TRUE;
}

static gboolean
open_vm(SvirtEngine *engine, const char *name, Vm *vm, GError **error)
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

static void
close_vm(Vm *vm)
{
    if (vm->dom)
        virDomainFree(vm->dom);
    if (vm->conn)
        virConnectClose(vm->conn);
    memset(vm, 0, sizeof(*vm));
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Vm, close_vm)

gboolean
svirt_engine_start_vm(SvirtEngine *engine, const char *name, const char *mcs_range,
                      GError **error)
{
    g_autoptr(SvirtJournal) journal = NULL;
    g_auto(Vm) vm = { 0 };
    gboolean ok;
    int active;

    if (!open_vm(engine, name, &vm, error))
        return FALSE;
    active = virDomainIsActive(vm.dom);
    if (active != 0) {
        if (active > 0)
            g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                        _("VM '%s' is already running."), vm.name);
        else
            svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                           _("Could not read the state of '%s'"), vm.name);
        return FALSE;
    }
    /* The journal lock is also the host-wide start lock: levels are read and taken under it. */
    journal = svirt_journal_open(NULL, error);
    if (!journal || !svirt_journal_lock(journal, error))
        return FALSE;
    ok = start_locked(engine, &vm, journal, mcs_range, error);
    svirt_journal_unlock(journal);
    if (ok)
        svirt_engine_notify_labels_changed(engine, vm.uuid);
    return ok;
}

typedef struct {
    char *vm;
    char *mcs_range;
    gboolean force;
    guint timeout_ms;
} OpData;

static void
op_data_free(OpData *data)
{
    g_free(data->vm);
    g_free(data->mcs_range);
    g_free(data);
}

static void
start_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
    OpData *data = task_data;
    GError *error = NULL;

    if (svirt_engine_start_vm(source, data->vm, data->mcs_range, &error))
        g_task_return_boolean(task, TRUE);
    else
        g_task_return_error(task, error);
}

void
svirt_engine_start_vm_async(SvirtEngine *engine, const char *vm, const char *mcs_range,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
    g_autoptr(GTask) task = g_task_new(engine, cancellable, callback, user_data);
    OpData *data = g_new0(OpData, 1);

    data->vm = g_strdup(vm);
    data->mcs_range = g_strdup(mcs_range);
    g_task_set_task_data(task, data, (GDestroyNotify)op_data_free);
    g_task_set_source_tag(task, svirt_engine_start_vm_async);
    g_task_run_in_thread(task, start_thread);
}

gboolean
svirt_engine_start_vm_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    g_return_val_if_fail(g_task_is_valid(result, engine), FALSE);
    return g_task_propagate_boolean(G_TASK(result), error);
}

gboolean
svirt_engine_stop_vm(SvirtEngine *engine, const char *name, gboolean force, guint timeout_ms,
                     GError **error)
{
    g_auto(Vm) vm = { 0 };
    gboolean ok = TRUE;

    if (!open_vm(engine, name, &vm, error))
        return FALSE;
    if (virDomainIsActive(vm.dom) == 1) {
        if (!force) {
            gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

            if (virDomainShutdown(vm.dom) < 0) {
                svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT,
                                               _("Use force off instead."),
                                               _("Could not ask '%s' to shut down"), vm.name);
                return FALSE;
            }
            while (virDomainIsActive(vm.dom) == 1 && g_get_monotonic_time() < deadline)
                g_usleep(100 * 1000);
            if (virDomainIsActive(vm.dom) == 1) {
                guint seconds = MAX(timeout_ms / 1000, 1);

                g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                            g_dngettext(GETTEXT_PACKAGE,
                                        "VM '%s' did not shut down within %u second; its guest "
                                        "may ignore ACPI. Force it off instead.",
                                        "VM '%s' did not shut down within %u seconds; its "
                                        "guest may ignore ACPI. Force it off instead.",
                                        seconds),
                            vm.name, seconds);
                return FALSE;
            }
        } else if (virDomainDestroy(vm.dom) < 0) {
            svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                           _("Could not force off '%s'"), vm.name);
            return FALSE;
        }
    }
    ok = svirt_restore_holder(vm.uuid, NULL, error);
    svirt_engine_notify_labels_changed(engine, vm.uuid);
    return ok;
}

static void
stop_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
    OpData *data = task_data;
    GError *error = NULL;

    if (svirt_engine_stop_vm(source, data->vm, data->force, data->timeout_ms, &error))
        g_task_return_boolean(task, TRUE);
    else
        g_task_return_error(task, error);
}

void
svirt_engine_stop_vm_async(SvirtEngine *engine, const char *vm, gboolean force,
                           guint timeout_ms, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
    g_autoptr(GTask) task = g_task_new(engine, cancellable, callback, user_data);
    OpData *data = g_new0(OpData, 1);

    data->vm = g_strdup(vm);
    data->force = force;
    data->timeout_ms = timeout_ms;
    g_task_set_task_data(task, data, (GDestroyNotify)op_data_free);
    g_task_set_source_tag(task, svirt_engine_stop_vm_async);
    g_task_run_in_thread(task, stop_thread);
}

gboolean
svirt_engine_stop_vm_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    g_return_val_if_fail(g_task_is_valid(result, engine), FALSE);
    return g_task_propagate_boolean(G_TASK(result), error);
}

static void
restore_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
    g_autoptr(GError) error = NULL;
    guint restored = 0;

    if (!svirt_restore_holder(task_data, &restored, &error))
        g_warning("Restoring the labels of VM %s: %s", (const char *)task_data, error->message);
    else if (restored)
        g_debug("Restored %u labels of VM %s", restored, (const char *)task_data);
    svirt_engine_notify_labels_changed(source, task_data);
    g_task_return_boolean(task, TRUE);
}

static void
on_vm_event(SvirtEngine *engine, SvirtVmEventKind kind, SvirtVmInfo *info, gpointer data)
{
    g_autoptr(GTask) task = NULL;

    if (kind != SVIRT_VM_EVENT_STATE || svirt_vm_state_is_active(info->state))
        return;
    task = g_task_new(engine, NULL, NULL, NULL);
    g_task_set_task_data(task, g_strdup(info->uuid), g_free);
    g_task_run_in_thread(task, restore_thread);
}

void
svirt_engine_watch_stops(SvirtEngine *engine)
{
    /* Once per engine, however many windows ask. */
    if (g_object_get_data(G_OBJECT(engine), "svirt-watching-stops"))
        return;
    g_object_set_data(G_OBJECT(engine), "svirt-watching-stops", GINT_TO_POINTER(1));
    g_signal_connect(engine, "vm-event", G_CALLBACK(on_vm_event), NULL);
}

typedef struct {
    GHashTable *running;
    const char *boot_id;
    GHashTable *released; /* holders dropped, whose rows a list refreshes */
} Liveness;

static gboolean
holder_not_running(const char *holder, const SvirtJournalEntry *entry, gpointer data)
{
    Liveness *live = data;
    gboolean gone;

    /* A label from an earlier boot belongs to a VM process that no longer exists. */
    gone = g_strcmp0(entry->boot_id, live->boot_id) != 0 ||
           !g_hash_table_contains(live->running, holder);
    if (gone)
        g_hash_table_add(live->released, g_strdup(holder));
    return gone;
}

gboolean
svirt_engine_reconcile(SvirtEngine *engine, guint *n_restored, guint *n_kept, GError **error)
{
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, error);
    g_autoptr(GHashTable) running = NULL;
    g_autoptr(SvirtJournal) journal = NULL;
    g_autoptr(GHashTable) released = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    Liveness live;
    GHashTableIter iter;
    gpointer holder;
    gboolean ok;

    if (!conn)
        return FALSE;
    journal = svirt_journal_open(NULL, error);
    if (!journal || !svirt_journal_lock(journal, error))
        return FALSE;
    /* Read under the lock, so no start can slip in between. */
    running = running_uuids(conn, error);
    if (!running) {
        svirt_journal_unlock(journal);
        return FALSE;
    }
    live.running = running;
    live.boot_id = svirt_journal_boot_id();
    live.released = released;
    ok = release_locked(journal, holder_not_running, &live, n_restored, n_kept, error);
    svirt_journal_unlock(journal);
    g_hash_table_iter_init(&iter, released);
    while (g_hash_table_iter_next(&iter, &holder, NULL))
        svirt_engine_notify_labels_changed(engine, holder);
    return ok;
}

gboolean
svirt_restore_path(const char *path, char **restored_to, GError **error)
{
    g_autoptr(SvirtJournal) journal = svirt_journal_open(NULL, error);
    g_autoptr(SvirtLabelTarget) target = NULL;
    g_autofree char *label = NULL;
    SvirtJournalEntry *entry;
    SvirtLabelStatus status;
    gboolean ok;

    if (!journal || !svirt_journal_lock(journal, error))
        return FALSE;
    target = svirt_label_target_open(path, target_kind_of_path(path), error);
    if (!target) {
        svirt_journal_unlock(journal);
        return FALSE;
    }
    entry = svirt_journal_lookup(journal, svirt_label_target_get_resolved(target));
    if (entry && entry->holders->len > 0) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE,
                    _("%s is in use by a VM the engine started (%s). Stop that VM first; its "
                      "labels are restored then."),
                    path, (const char *)g_ptr_array_index(entry->holders, 0));
        svirt_journal_unlock(journal);
        return FALSE;
    }
    if (entry) {
        label = g_strdup(entry->original);
    } else {
        g_autoptr(SvirtFileContexts) fc = svirt_file_contexts_open(NULL, NULL);
        g_autoptr(SvirtPolicyTypes) types = svirt_policy_types_load(NULL);

        if (fc)
            label = svirt_file_contexts_lookup(fc, svirt_label_target_get_resolved(target),
                                               svirt_label_target_get_stat(target)->st_mode);
        if (!label)
            label = g_strdup(types ? types->after_exit : "system_u:object_r:virt_content_t:s0");
    }
    ok = label ? svirt_label_target_set_label(target, label, &status, error)
               : svirt_label_target_remove_label(target, &status, error);
    if (ok && entry) {
        svirt_journal_remove(journal, entry->path);
        ok = svirt_journal_commit(journal, error);
    }
    svirt_journal_unlock(journal);
    if (ok && restored_to)
        *restored_to = g_steal_pointer(&label);
    return ok;
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
    g_ptr_array_unref(status->disks);
    g_free(status);
}

static void
add_string_or_null(JsonBuilder *b, const char *name, const char *value)
{
    json_builder_set_member_name(b, name);
    if (value)
        json_builder_add_string_value(b, value);
    else
        json_builder_add_null_value(b);
}

JsonNode *
svirt_vm_status_to_json(const SvirtVmStatus *status)
{
    g_autoptr(JsonBuilder) b = json_builder_new();

    json_builder_begin_object(b);
    add_string_or_null(b, "name", status->name);
    add_string_or_null(b, "uuid", status->uuid);
    add_string_or_null(b, "state", svirt_vm_state_to_id(status->state));
    add_string_or_null(b, "mode", svirt_security_mode_to_string(status->mode));
    json_builder_set_member_name(b, "relabel");
    json_builder_add_boolean_value(b, status->relabel);
    add_string_or_null(b, "process_label", status->process_label);
    add_string_or_null(b, "image_label", status->image_label);
    json_builder_set_member_name(b, "enforced");
    json_builder_add_boolean_value(b, status->enforced);
    add_string_or_null(b, "enforced_reason", status->enforced_reason);
    json_builder_set_member_name(b, "disks");
    json_builder_begin_array(b);
    for (guint i = 0; i < status->disks->len; i++) {
        SvirtDiskState *disk = g_ptr_array_index(status->disks, i);

        json_builder_begin_object(b);
        add_string_or_null(b, "target", disk->target);
        add_string_or_null(b, "path", disk->path);
        add_string_or_null(b, "kind", svirt_plan_kind_to_string(disk->kind));
        add_string_or_null(b, "designation", svirt_designation_to_string(disk->designation));
        add_string_or_null(b, "expected_label", disk->expected_label);
        add_string_or_null(b, "actual_label", disk->actual_label);
        add_string_or_null(b, "status", svirt_disk_status_to_string(disk->status));
        add_string_or_null(b, "note", disk->note);
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
           kind == SVIRT_PLAN_KIND_FLOPPY || kind == SVIRT_PLAN_KIND_BACKING_FILE;
}

static SvirtDiskState *
disk_state(const SvirtPlanItem *item, gboolean running, gboolean started_by_engine,
           SvirtJournal *journal, const char *uuid)
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
    if (!svirt_labeler_read_label(item->path, &disk->actual_label, &error)) {
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
} HostFacts;

static void
host_facts_clear(HostFacts *facts)
{
    g_clear_pointer(&facts->types, svirt_policy_types_free);
    g_clear_pointer(&facts->enforced_reason, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(HostFacts, host_facts_clear)

static gboolean
host_facts_load(SvirtEngine *engine, HostFacts *facts, GError **error)
{
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, error);

    if (!conn || !(facts->types = svirt_policy_types_load(error)))
        return FALSE;
    facts->enforced_reason = enforcement_reason(conn);
    return TRUE;
}

static SvirtVmStatus *
vm_status(SvirtEngine *engine, const char *name, const HostFacts *facts,
          SvirtSettings **settings_out, GError **error)
{
    g_autoptr(SvirtVmStatus) status = g_new0(SvirtVmStatus, 1);
    g_autoptr(SvirtSettings) settings = NULL;
    g_autoptr(SvirtPlan) plan = NULL;
    g_autoptr(SvirtJournal) journal = NULL;
    g_autoptr(VirString) xml = NULL;
    g_autofree char *level = NULL;
    int state, reason;
    gboolean running;
    g_auto(Vm) vm = { 0 };

    status->disks = g_ptr_array_new_with_free_func((GDestroyNotify)disk_state_free);
    if (!open_vm(engine, name, &vm, error))
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

    settings = svirt_engine_get_settings(engine, vm.uuid, error);
    if (!settings)
        return NULL;
    status->mode = settings->mode;
    status->relabel = settings->relabel;
    if (running) {
        status->process_label = svirt_domain_live_attr(vm.dom, "process");
        status->image_label = svirt_domain_live_attr(vm.dom, "image");
        level = svirt_domain_live_attr(vm.dom, "level");
        status->started_by_engine = status->process_label != NULL || level != NULL;
    }
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
    /* A stopped dynamic VM has no level yet: its private disks show the label without one. */
    plan = svirt_plan_build(xml, settings, facts->types, level ? level : "s0", error);
    if (!plan)
        return NULL;
    /* Only a stopped VM's disks depend on what the journal still holds for it. */
    if (!running) {
        journal = svirt_journal_open(NULL, NULL);
        if (journal && !svirt_journal_lock(journal, NULL))
            g_clear_pointer(&journal, svirt_journal_free);
    }
    for (guint i = 0; i < plan->items->len; i++) {
        SvirtPlanItem *item = g_ptr_array_index(plan->items, i);

        if (!is_disk_kind(item->kind))
            continue;
        if (!running && !level && item->designation == SVIRT_DESIGNATION_PRIVATE)
            g_clear_pointer(&item->label, g_free);
        g_ptr_array_add(status->disks,
                        disk_state(item, running, status->started_by_engine, journal, vm.uuid));
    }
    if (journal)
        svirt_journal_unlock(journal);
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

static SvirtVmLabels *
vm_labels(SvirtEngine *engine, const char *vm, const HostFacts *facts, GError **error)
{
    g_autoptr(SvirtSettings) settings = NULL;
    g_autoptr(SvirtVmStatus) status = vm_status(engine, vm, facts, &settings, error);
    SvirtVmLabels *labels;

    if (!status)
        return NULL;
    labels = svirt_vm_labels_from_status(status);
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

static void
labels_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
    GError *error = NULL;

    if (task_data) {
        SvirtVmLabels *labels = svirt_engine_get_vm_labels(source, task_data, &error);

        if (labels)
            g_task_return_pointer(task, labels, (GDestroyNotify)svirt_vm_labels_free);
        else
            g_task_return_error(task, error);
    } else {
        GPtrArray *all = svirt_engine_list_vm_labels(source, cancellable, &error);

        if (all)
            g_task_return_pointer(task, all, (GDestroyNotify)g_ptr_array_unref);
        else
            g_task_return_error(task, error);
    }
}

void
svirt_engine_get_vm_labels_async(SvirtEngine *engine, const char *vm, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
    g_autoptr(GTask) task = g_task_new(engine, cancellable, callback, user_data);

    g_task_set_source_tag(task, svirt_engine_get_vm_labels_async);
    g_task_set_task_data(task, g_strdup(vm), g_free);
    g_task_run_in_thread(task, labels_thread);
}

SvirtVmLabels *
svirt_engine_get_vm_labels_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    g_return_val_if_fail(g_task_is_valid(result, engine), NULL);
    return g_task_propagate_pointer(G_TASK(result), error);
}

void
svirt_engine_list_vm_labels_async(SvirtEngine *engine, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
    g_autoptr(GTask) task = g_task_new(engine, cancellable, callback, user_data);

    g_task_set_source_tag(task, svirt_engine_list_vm_labels_async);
    g_task_run_in_thread(task, labels_thread);
}

GPtrArray *
svirt_engine_list_vm_labels_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    g_return_val_if_fail(g_task_is_valid(result, engine), NULL);
    return g_task_propagate_pointer(G_TASK(result), error);
}

static gboolean
pause_or_resume(SvirtEngine *engine, const char *name, gboolean pause, GError **error)
{
    g_auto(Vm) vm = { 0 };
    gboolean ok;

    if (!open_vm(engine, name, &vm, error))
        return FALSE;
    ok = (pause ? virDomainSuspend(vm.dom) : virDomainResume(vm.dom)) == 0;
    if (!ok && pause)
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not pause '%s'"), vm.name);
    else if (!ok)
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not resume '%s'"), vm.name);
    return ok;
}

gboolean
svirt_engine_pause_vm(SvirtEngine *engine, const char *vm, GError **error)
{
    return pause_or_resume(engine, vm, TRUE, error);
}

gboolean
svirt_engine_resume_vm(SvirtEngine *engine, const char *vm, GError **error)
{
    return pause_or_resume(engine, vm, FALSE, error);
}

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

    if (!open_vm(engine, name, &vm, error))
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

static void
storage_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
    GError *error = NULL;
    GPtrArray *storage = svirt_engine_list_vm_storage(source, task_data, &error);

    if (storage)
        g_task_return_pointer(task, storage, (GDestroyNotify)g_ptr_array_unref);
    else
        g_task_return_error(task, error);
}

void
svirt_engine_list_vm_storage_async(SvirtEngine *engine, const char *vm,
                                   GCancellable *cancellable, GAsyncReadyCallback callback,
                                   gpointer user_data)
{
    g_autoptr(GTask) task = g_task_new(engine, cancellable, callback, user_data);

    g_task_set_source_tag(task, svirt_engine_list_vm_storage_async);
    g_task_set_task_data(task, g_strdup(vm), g_free);
    g_task_run_in_thread(task, storage_thread);
}

GPtrArray *
svirt_engine_list_vm_storage_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    g_return_val_if_fail(g_task_is_valid(result, engine), NULL);
    return g_task_propagate_pointer(G_TASK(result), error);
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
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED, _("Could not delete %s: %s."), path,
                    g_strerror(errno));
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

    if (!open_vm(engine, name, &vm, error))
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

typedef struct {
    char *action;
    char *vm;
    GStrv paths;
} ActionData;

static void
action_data_free(ActionData *data)
{
    g_free(data->action);
    g_free(data->vm);
    g_strfreev(data->paths);
    g_free(data);
}

#define SHUTDOWN_TIMEOUT_MS (120 * 1000)

static void
action_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
    ActionData *data = task_data;
    SvirtEngine *engine = source;
    GError *error = NULL;
    gboolean ok;

    if (g_str_equal(data->action, "start"))
        ok = svirt_engine_start_vm(engine, data->vm, NULL, &error);
    else if (g_str_equal(data->action, "shutdown"))
        ok = svirt_engine_stop_vm(engine, data->vm, FALSE, SHUTDOWN_TIMEOUT_MS, &error);
    else if (g_str_equal(data->action, "force-off"))
        ok = svirt_engine_stop_vm(engine, data->vm, TRUE, 0, &error);
    else if (g_str_equal(data->action, "pause"))
        ok = svirt_engine_pause_vm(engine, data->vm, &error);
    else if (g_str_equal(data->action, "resume"))
        ok = svirt_engine_resume_vm(engine, data->vm, &error);
    else if (g_str_equal(data->action, "delete"))
        ok = svirt_engine_delete_vm(engine, data->vm, (const char *const *)data->paths, &error);
    else if (g_str_equal(data->action, "reconcile"))
        ok = svirt_engine_reconcile(engine, NULL, NULL, &error);
    else {
        ok = FALSE;
        g_set_error(&error, SVIRT_ERROR, SVIRT_ERROR_FAILED, "unknown action %s", data->action);
    }
    if (ok)
        g_task_return_boolean(task, TRUE);
    else
        g_task_return_error(task, error);
}

void
svirt_engine_vm_action_async(SvirtEngine *engine, const char *action, const char *vm,
                             const char *const *paths, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
    g_autoptr(GTask) task = g_task_new(engine, cancellable, callback, user_data);
    ActionData *data = g_new0(ActionData, 1);

    data->action = g_strdup(action);
    data->vm = g_strdup(vm);
    data->paths = g_strdupv((char **)paths);
    g_task_set_source_tag(task, svirt_engine_vm_action_async);
    g_task_set_task_data(task, data, (GDestroyNotify)action_data_free);
    g_task_run_in_thread(task, action_thread);
}

gboolean
svirt_engine_vm_action_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    g_return_val_if_fail(g_task_is_valid(result, engine), FALSE);
    return g_task_propagate_boolean(G_TASK(result), error);
}
