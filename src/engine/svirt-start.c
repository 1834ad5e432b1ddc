#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <libvirt/virterror.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "svirt-domain-xml.h"
#include "svirt-helper-client.h"
#include "svirt-journal.h"
#include "svirt-labeler.h"
#include "svirt-lifecycle.h"
#include "svirt-mcs.h"
#include "svirt-private.h"
#include "svirt-task.h"

static SvirtLabelTargetKind
target_kind_for(SvirtPlanKind kind, mode_t mode)
{
    if (S_ISBLK(mode))
        return SVIRT_LABEL_TARGET_BLOCK;
    switch (kind) {
    case SVIRT_PLAN_KIND_DISPLAY_SOCKET:
        return S_ISDIR(mode) ? SVIRT_LABEL_TARGET_DIRECTORY : SVIRT_LABEL_TARGET_SOCKET;
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

typedef struct {
    SvirtPlanItem *item;
    SvirtLabelTarget *target;
    GBytes *original; /* exactly as read, to be put back byte for byte */
    gboolean held_before; /* another running VM already holds it: leave its label alone */
    gboolean applied;
    char *journal_path;   /* another name of it the journal already holds; NULL: its own */
} Step;

static void
step_clear(Step *step)
{
    svirt_label_target_free(step->target);
    g_clear_pointer(&step->original, g_bytes_unref);
    g_free(step->journal_path);
}

static gboolean
is_labelled(const SvirtPlanItem *item)
{
    return item->designation != SVIRT_DESIGNATION_SKIPPED && item->label != NULL;
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

/* Puts back every label this start changed, and forgets the start; FALSE, with what stays in
 * the journal and what to run, when a label could not be put back. */
static gboolean
rollback(SvirtJournal *journal, GArray *steps, const char *uuid, GError **error)
{
    g_autoptr(GString) failures = g_string_new(NULL);
    g_autoptr(GError) release_error = NULL;

    for (guint i = steps->len; i > 0; i--) {
        Step *step = &g_array_index(steps, Step, i - 1);
        SvirtLabelStatus status;
        g_autoptr(GError) local = NULL;

        if (!step->applied || step->held_before)
            continue;
        if (!svirt_label_target_restore_label(step->target, step->original, &status, &local))
            g_string_append_printf(failures, "%s%s", failures->len ? " " : "", local->message);
    }
    /* The journal then forgets this VM, restoring by path what is still recorded. */
    if (!svirt_release_holder_locked(journal, uuid, NULL, failures, &release_error))
        g_string_append_printf(failures, "%s%s", failures->len ? " " : "",
                               release_error->message);
    if (!failures->len)
        return TRUE;
    g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                _("Some labels could not be put back: %s Those still recorded stay in the "
                  "journal. Once the files are where they were, run 'svirtctl reconcile', or "
                  "restart sVirt Manager, which reconciles when it connects."),
                failures->str);
    return FALSE;
}

/* Ends the message of @error, which is set, with the sentence @text. */
static void
append_to_error(GError **error, const char *text)
{
    char *message;

    if (!error || !*error)
        return;
    message = g_strconcat((*error)->message, " ", text, NULL);
    g_free((*error)->message);
    (*error)->message = message;
}

/* Ends @error's message with what the rollback after it did. */
static void
rollback_after(SvirtJournal *journal, GArray *steps, const char *uuid, GError **error)
{
    g_autoptr(GError) local = NULL;

    if (rollback(journal, steps, uuid, &local))
        append_to_error(error, _("Every label was put back."));
    else
        append_to_error(error, local->message);
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

/* A VM that another process is starting, or that the journal says runs, is not started a
 * second time over it. */
static gboolean
check_not_started(Vm *vm, SvirtJournal *journal, GError **error)
{
    SvirtJournalVm *record = svirt_journal_lookup_vm(journal, vm->uuid);

    if (!record)
        return TRUE;
    if (svirt_journal_vm_is_launching(record)) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE,
                    _("VM '%s' is being started by another process (%" G_GINT64_FORMAT "). "
                      "Wait until it is done."),
                    vm->name, record->launcher);
        return FALSE;
    }
    /* Started since this start looked, or a record its stop did not clear. */
    if (virDomainIsActive(vm->dom) == 1) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED, _("VM '%s' is already running."),
                    vm->name);
        return FALSE;
    }
    return TRUE;
}

/* Step 1: the level. The engine's set of held levels is brought up to date with every running
 * VM and every VM being started, then this VM's is chosen (dynamic) or checked to be free
 * (static). The journal records it before the lock is let go, so the next start sees it. */
static gboolean
reserve_level(SvirtEngine *engine, Vm *vm, SvirtJournal *journal, const SvirtSettings *settings,
              gboolean selinux_driver, const char *range, char **level, GError **error)
{
    SvirtHeldLevels *held = svirt_engine_get_held_levels(engine);
    gboolean ok;

    *level = NULL;
    svirt_held_levels_lock(held);
    ok = svirt_held_levels_sync_locked(held, vm->conn, journal, selinux_driver, range, error);
    if (ok && settings->mode == SVIRT_SECURITY_MODE_DYNAMIC) {
        SvirtLevel pair;

        ok = svirt_held_levels_allocate(held, vm->name, &pair, error);
        if (ok)
            *level = svirt_level_to_string(&pair);
    } else if (ok && settings->mode == SVIRT_SECURITY_MODE_STATIC) {
        g_autofree char *static_level = svirt_settings_dup_static_level(settings);
        SvirtLevel parsed;

        ok = svirt_level_parse(static_level, &parsed, error) &&
             svirt_held_levels_check(held, &parsed, vm->name, error);
    }
    svirt_held_levels_unlock(held);
    return ok;
}

typedef struct {
    dev_t dev;
    ino_t ino;
} Inode;

static guint
inode_hash(gconstpointer key)
{
    const Inode *inode = key;

    return g_int64_hash(&(gint64){ (gint64)inode->ino }) ^ (guint)inode->dev;
}

static gboolean
inode_equal(gconstpointer a, gconstpointer b)
{
    const Inode *x = a, *y = b;

    return x->dev == y->dev && x->ino == y->ino;
}

/* The held entries of @journal by device and inode, each looked at once for the whole start
 * rather than once for each file of the VM. */
static GHashTable *
index_by_inode(SvirtJournal *journal)
{
    GHashTable *index = g_hash_table_new_full(inode_hash, inode_equal, g_free, NULL);
    GPtrArray *entries = svirt_journal_get_entries(journal);

    for (guint i = 0; i < entries->len; i++) {
        SvirtJournalEntry *entry = g_ptr_array_index(entries, i);
        struct stat st;
        Inode *key;

        if (entry->holders->len == 0 || lstat(entry->path, &st) != 0)
            continue;
        key = g_new(Inode, 1);
        key->dev = st.st_dev;
        key->ino = st.st_ino;
        if (!g_hash_table_contains(index, key))
            g_hash_table_insert(index, key, entry);
        else
            g_free(key);
    }
    return index;
}

/* The journal entry of @step's file: by its path, else by device and inode, so that another
 * name (a hard link) of a file a running VM holds is the same file. */
static SvirtJournalEntry *
entry_of(SvirtJournal *journal, GHashTable **by_inode, const Step *step)
{
    const struct stat *st = svirt_label_target_get_stat(step->target);
    SvirtJournalEntry *entry =
        svirt_journal_lookup(journal, svirt_label_target_get_resolved(step->target));
    Inode key = { st->st_dev, st->st_ino };

    if (entry)
        return entry;
    if (!*by_inode)
        *by_inode = index_by_inode(journal);
    return g_hash_table_lookup(*by_inode, &key);
}

/* Whether another running VM holds @step's file: fine when it is shared with the same label,
 * refused otherwise. */
static gboolean
check_holders(Vm *vm, SvirtJournal *journal, GHashTable **by_inode, GHashTable *running,
              Step *step, GError **error)
{
    const SvirtPlanItem *item = step->item;
    SvirtJournalEntry *entry = entry_of(journal, by_inode, step);

    /* One entry per file, whatever name each VM uses: the last holder to stop restores it. */
    if (entry && !g_str_equal(entry->path, svirt_label_target_get_resolved(step->target)))
        step->journal_path = g_strdup(entry->path);
    for (guint h = 0; entry && h < entry->holders->len; h++) {
        const char *holder = g_ptr_array_index(entry->holders, h);
        const char *holder_name = g_hash_table_lookup(running, holder);
        SvirtJournalVm *record = svirt_journal_lookup_vm(journal, holder);

        /* A VM that another process is starting holds its files already. */
        if (!holder_name && record && svirt_journal_vm_is_launching(record))
            holder_name = holder;
        if (!holder_name || g_str_equal(holder, vm->uuid))
            continue;
        if (item->designation == SVIRT_DESIGNATION_PRIVATE ||
            g_strcmp0(entry->label, item->label) != 0) {
            g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE,
                        _("Cannot start '%s': %s is in use by the running VM '%s' with another "
                          "label. Stop '%s', or mark the disk shared or read-only in both VMs."),
                        vm->name, item->path, holder_name, holder_name);
            return FALSE;
        }
        step->held_before = TRUE;
    }
    return TRUE;
}

/* The label to put back at stop, of any length and byte for byte. A filesystem without labels
 * has none to put back; any other failure stops the start rather than lose the original. */
static gboolean
read_original(Vm *vm, Step *step, GError **error)
{
    g_autoptr(GError) local = NULL;

    if (svirt_label_target_get_label_bytes(step->target, &step->original, &local))
        return TRUE;
    if (g_error_matches(local, SVIRT_ERROR, SVIRT_ERROR_UNSUPPORTED))
        return TRUE;
    g_propagate_prefixed_error(error, g_steal_pointer(&local),
                               _("Starting '%s' stopped while checking its files: "), vm->name);
    return FALSE;
}

/* Step 2: every file is checked, and its original label read, before anything changes. */
static GArray *
check_targets(Vm *vm, const SvirtPlan *plan, const SvirtSettings *settings,
              SvirtJournal *journal, GError **error)
{
    g_autoptr(GHashTable) running = svirt_list_running_vms(vm->conn, error);
    g_autoptr(GHashTable) by_inode = NULL;
    g_autoptr(GArray) steps = NULL;

    if (!running)
        return NULL;
    steps = g_array_new(FALSE, TRUE, sizeof(Step));
    g_array_set_clear_func(steps, (GDestroyNotify)step_clear);
    for (guint i = 0; i < plan->items->len; i++) {
        SvirtPlanItem *item = g_ptr_array_index(plan->items, i);
        Step step = { item, NULL, NULL, FALSE, FALSE };
        SvirtLabelFor use = { vm->name, item->target,
                              svirt_settings_disk_allows_host_file(settings, item->target) };
        struct stat st;

        if (!is_labelled(item))
            continue;
        if (item->kind == SVIRT_PLAN_KIND_SERIAL_FILE && !prepare_serial_file(item->path, error)) {
            g_prefix_error(error, _("Starting '%s' stopped while checking its files: "),
                           vm->name);
            return NULL;
        }
        step.target = svirt_label_target_open_for(
            item->path, target_kind_for(item->kind, stat(item->path, &st) == 0 ? st.st_mode : 0),
            &use, error);
        if (!step.target) {
            g_prefix_error(error, _("Starting '%s' stopped while checking its files: "),
                           vm->name);
            return NULL;
        }
        if (!check_holders(vm, journal, &by_inode, running, &step, error)) {
            step_clear(&step);
            return NULL;
        }
        if (!read_original(vm, &step, error)) {
            step_clear(&step);
            return NULL;
        }
        g_array_append_val(steps, step);
    }
    return g_steal_pointer(&steps);
}

/* Step 3, write-ahead: the journal knows every original, and that this process is starting
 * the VM with these labels, before the first label changes. */
static gboolean
write_journal(Vm *vm, SvirtJournal *journal, const SvirtPlan *plan, const char *image_label,
              GArray *steps, GError **error)
{
    for (guint i = 0; i < steps->len; i++) {
        Step *step = &g_array_index(steps, Step, i);

        svirt_journal_add_holder(journal,
                                 step->journal_path
                                     ? step->journal_path
                                     : svirt_label_target_get_resolved(step->target),
                                 step->original, step->item->label, vm->uuid);
    }
    svirt_journal_add_vm(journal, vm->uuid, plan->level, plan->process_label, image_label);
    if (!svirt_journal_commit(journal, error)) {
        g_prefix_error(error, _("Starting '%s' stopped before labelling: "), vm->name);
        return FALSE;
    }
    return TRUE;
}

/* Step 4: the labels. On failure every label changed so far goes back. */
static gboolean
apply_labels(Vm *vm, SvirtJournal *journal, GArray *steps, GError **error)
{
    guint applied = 0;

    maybe_crash(0);
    for (guint i = 0; i < steps->len; i++) {
        Step *step = &g_array_index(steps, Step, i);
        SvirtLabelStatus status;

        if (step->held_before)
            continue;
        if (!svirt_label_target_set_label(step->target, step->item->label, &status, error)) {
            g_prefix_error(error, _("Starting '%s' stopped while labelling %s: "), vm->name,
                           step->item->path);
            rollback_after(journal, steps, vm->uuid, error);
            return FALSE;
        }
        step->applied = status == SVIRT_LABEL_STATUS_LABELED;
        if (status == SVIRT_LABEL_STATUS_UNSUPPORTED)
            g_debug("%s: the filesystem of %s does not support labels", vm->name,
                    step->item->path);
        maybe_crash(++applied);
    }
    return TRUE;
}

/* What a start reads before it takes the journal lock, and carries from labelling, under the
 * lock, to libvirtd, without it. */
typedef struct {
    SvirtSettings *settings;
    SvirtPolicyTypes *types;
    char *xml; /* the persistent definition */
    xmlDoc *doc; /* @xml parsed */
    gboolean selinux_driver; /* libvirtd runs QEMU under the label it is given */
    SvirtPlan *plan;
    char *image_label;
    GArray *steps;
} Launch;

static void
launch_clear(Launch *launch)
{
    g_clear_pointer(&launch->settings, svirt_settings_free);
    g_clear_pointer(&launch->types, svirt_policy_types_free);
    g_clear_pointer(&launch->xml, g_free);
    g_clear_pointer(&launch->doc, xmlFreeDoc);
    g_clear_pointer(&launch->plan, svirt_plan_free);
    g_clear_pointer(&launch->image_label, g_free);
    g_clear_pointer(&launch->steps, g_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Launch, launch_clear)

/* The persistent definition, with the secrets a live copy must keep (graphics passwords). */
static char *
read_definition(Vm *vm, GError **error)
{
    g_autoptr(VirString) xml =
        virDomainGetXMLDesc(vm->dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);

    if (!xml) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not read the definition of VM '%s'"), vm->name);
        return NULL;
    }
    return g_strdup(xml);
}

/* What does not need the journal lock: the definition, whether libvirtd can start it, the
 * settings, checked as set-label checks them (a definition may have been edited outside the
 * engine), and the policy. */
static gboolean
read_inputs(SvirtEngine *engine, Vm *vm, Launch *launch, GError **error)
{
    g_autofree char *blocker = NULL;

    launch->xml = read_definition(vm, error);
    if (!launch->xml || !(launch->doc = svirt_xml_parse(launch->xml, error)))
        return FALSE;
    /* Said before anything is labelled, with what to do, not as libvirtd's refusal after. */
    launch->selinux_driver = svirt_host_has_selinux_driver(vm->conn);
    blocker = svirt_native_start_blocker_doc(vm->name, launch->doc, launch->selinux_driver);
    if (blocker) {
        g_set_error_literal(error, SVIRT_ERROR, SVIRT_ERROR_UNSUPPORTED, blocker);
        return FALSE;
    }
    /* From the same read as the plan; a VM that can start is persistent, its seclabel its own. */
    launch->settings =
        svirt_domain_doc_settings_sources(vm->name, launch->doc, FALSE, NULL, NULL, error);
    if (!launch->settings)
        return FALSE;
    launch->types = svirt_policy_types_load(error);
    if (!launch->types)
        return FALSE;
    if (!svirt_settings_check_host(launch->settings, launch->types, error)) {
        g_prefix_error(error, _("Cannot start '%s': "), vm->name);
        return FALSE;
    }
    return TRUE;
}

/* Steps 1 to 4, under the journal lock: the level, the checks, the journal, the labels. */
static gboolean
label_locked(SvirtEngine *engine, Vm *vm, SvirtJournal *journal, const char *mcs_range,
             Launch *launch, GError **error)
{
    g_autofree char *range = svirt_engine_dup_mcs_range(engine, mcs_range);
    g_autofree char *level = NULL;

    if (!check_not_started(vm, journal, error) ||
        !reserve_level(engine, vm, journal, launch->settings, launch->selinux_driver, range,
                       &level, error))
        return FALSE;
    launch->plan = svirt_plan_build_doc(launch->doc, launch->settings, launch->types, level, error);
    if (!launch->plan)
        return FALSE;
    if (launch->plan->level)
        launch->image_label =
            svirt_policy_context_with_level(launch->types->image, launch->plan->level, NULL);
    launch->steps = check_targets(vm, launch->plan, launch->settings, journal, error);
    return launch->steps &&
           write_journal(vm, journal, launch->plan, launch->image_label, launch->steps, error) &&
           apply_labels(vm, journal, launch->steps, error);
}

/* Step 5, without the journal lock: libvirtd runs the qemu hook inside a start it fails, and
 * the hook takes the lock. */
static virDomainPtr
launch_vm(Vm *vm, const Launch *launch, GError **error)
{
    g_autofree char *live_xml = svirt_domain_xml_make_live(
        launch->xml, launch->plan, launch->image_label, launch->selinux_driver, error);
    virDomainPtr started;

    if (!live_xml)
        return NULL;
    started = virDomainCreateXML(vm->conn, live_xml, 0);
    if (!started)
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("libvirtd could not start '%s'"), vm->name);
    return started;
}

/* Step 6, under the lock again: the journal records that libvirtd runs the VM, or the labels
 * go back. */
static gboolean
record_outcome(Vm *vm, SvirtJournal *journal, Launch *launch, gboolean started, GError **error)
{
    g_autoptr(GError) lock_error = NULL;
    SvirtJournalVm *record;

    if (!svirt_journal_lock(journal, &lock_error)) {
        if (!started) {
            g_autofree char *text = g_strdup_printf(
                _("Its labels could not be put back: %s Once that is solved, run 'svirtctl "
                  "reconcile', or restart sVirt Manager, which reconciles when it connects."),
                lock_error->message);

            append_to_error(error, text);
            return FALSE;
        }
        g_warning("%s runs, but the journal could not record it: %s", vm->name,
                  lock_error->message);
        return TRUE;
    }
    if (!started) {
        rollback_after(journal, launch->steps, vm->uuid, error);
        svirt_journal_unlock(journal);
        return FALSE;
    }
    record = svirt_journal_lookup_vm(journal, vm->uuid);
    if (record)
        svirt_journal_vm_launched(record);
    if (!svirt_journal_commit(journal, &lock_error))
        g_warning("%s", lock_error->message);
    relabel_replaced_files(launch->steps, vm->name);
    svirt_journal_unlock(journal);
    return TRUE;
}

gboolean
svirt_engine_start_vm(SvirtEngine *engine, const char *name, const char *mcs_range,
                      GError **error)
{
    g_autoptr(SvirtJournal) journal = NULL;
    g_autoptr(virDomain) started = NULL;
    g_auto(Launch) launch = { 0 };
    g_auto(Vm) vm = { 0 };
    gboolean ok;
    int active;

    if (svirt_engine_uses_helper(engine)) {
        g_autofree char *uuid = NULL;

        if (!svirt_helper_start_vm(name, mcs_range, &uuid, error))
            return FALSE;
        svirt_engine_notify_labels_changed(engine, uuid);
        return TRUE;
    }
    if (!svirt_vm_open(engine, name, &vm, error))
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
    /* The journal lock is also the host-wide start lock: levels are read and taken under it.
     * It is not held while libvirtd starts the VM: the journal says that this process is
     * starting it, which keeps its level taken and its labels to this process meanwhile. */
    if (!read_inputs(engine, &vm, &launch, error))
        return FALSE;
    journal = svirt_journal_open(NULL, error);
    if (!journal || !svirt_journal_lock(journal, error))
        return FALSE;
    ok = label_locked(engine, &vm, journal, mcs_range, &launch, error);
    svirt_journal_unlock(journal);
    if (!ok)
        return FALSE;
    started = launch_vm(&vm, &launch, error);
    ok = record_outcome(&vm, journal, &launch, started != NULL, error);
    /* A VM that stopped at once had its stop seen while this process was still starting it,
     * and left to it. */
    if (started && virDomainIsActive(started) == 0) {
        g_autoptr(GError) local = NULL;

        g_debug("%s stopped as soon as it started", vm.name);
        if (!svirt_restore_holder(vm.uuid, NULL, &local))
            g_warning("%s", local->message);
    }
    svirt_engine_notify_labels_changed(engine, vm.uuid);
    if (ok)
        g_debug("Started %s as %s", vm.name,
                launch.plan->process_label ? launch.plan->process_label : "-");
    return ok;
}

static gboolean
start_call(gpointer source, SvirtTaskArgs *args, gpointer *result, GCancellable *cancellable,
           GError **error)
{
    return svirt_engine_start_vm(source, args->vm, args->text, error);
}

void
svirt_engine_start_vm_async(SvirtEngine *engine, const char *vm, const char *mcs_range,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
    SvirtTaskArgs *args = svirt_task_args_new(vm);

    args->text = g_strdup(mcs_range);
    svirt_task_run(engine, svirt_engine_start_vm_async, start_call, args, NULL,
                   SVIRT_TASK_CANCEL_DROPS, cancellable, callback, user_data);
}

gboolean
svirt_engine_start_vm_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_boolean(engine, svirt_engine_start_vm_async, result, error);
}
