#include "config.h"

#include <glib/gi18n-lib.h>
#include <libvirt/virterror.h>
#include <string.h>
#include <sys/stat.h>

#include "svirt-helper-client.h"
#include "svirt-journal.h"
#include "svirt-labeler.h"
#include "svirt-lifecycle.h"
#include "svirt-private.h"
#include "svirt-task.h"

static SvirtLabelTargetKind
target_kind_of_path(const char *path)
{
    struct stat st;

    if (lstat(path, &st) == 0) {
        if (S_ISBLK(st.st_mode))
            return SVIRT_LABEL_TARGET_BLOCK;
        if (S_ISSOCK(st.st_mode) || S_ISFIFO(st.st_mode))
            return SVIRT_LABEL_TARGET_SOCKET;
        if (S_ISDIR(st.st_mode))
            return SVIRT_LABEL_TARGET_DIRECTORY;
    }
    return SVIRT_LABEL_TARGET_FILE;
}

/* Putting a label back gives no VM anything: a file the administrator allowed a disk (or that
 * gained a second name while a VM ran) must get its original back. The host's own places and
 * the files it uses stay refused. */
static const SvirtLabelFor restoring = { NULL, NULL, TRUE };

/* Puts the recorded original back on an entry's path; a path that is gone needs nothing. */
static gboolean
restore_entry(const SvirtJournalEntry *entry, GError **error)
{
    g_autoptr(SvirtLabelTarget) target = NULL;
    g_autoptr(GError) local = NULL;
    SvirtLabelStatus status;

    target = svirt_label_target_open_for(entry->path, target_kind_of_path(entry->path),
                                         &restoring, &local);
    if (!target) {
        if (g_error_matches(local, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND)) {
            g_debug("%s is gone; nothing to restore", entry->path);
            return TRUE;
        }
        g_propagate_error(error, g_steal_pointer(&local));
        return FALSE;
    }
    return svirt_label_target_restore_label(target, entry->original, &status, error);
}

/* Whether VM @holder, recorded during boot @boot_id, has stopped. */
typedef gboolean (*HolderGone)(const char *holder, const char *boot_id, gpointer data);

/* Forgets the VMs @gone says have stopped. */
static void
drop_gone_vms(SvirtJournal *journal, HolderGone gone, gpointer data)
{
    GPtrArray *vms = svirt_journal_get_vms(journal);

    for (guint i = vms->len; i > 0; i--) {
        SvirtJournalVm *vm = g_ptr_array_index(vms, i - 1);

        if (gone(vm->uuid, vm->boot_id, data))
            g_ptr_array_remove_index(vms, i - 1);
    }
}

/* Drops every holder @gone says has stopped; restores the paths nobody holds any more. Entries
 * that cannot be restored stay (without holders) for the next reconcile; why is added to
 * @unrestored when the caller passes it, else it is the error. */
static gboolean
release_locked(SvirtJournal *journal, HolderGone gone, gpointer data, guint *n_restored,
               guint *n_kept, GString *unrestored, GError **error)
{
    GPtrArray *entries = svirt_journal_get_entries(journal);
    g_autoptr(GPtrArray) done = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GString) own = unrestored ? NULL : g_string_new(NULL);
    GString *failures = unrestored ? unrestored : own;
    guint restored = 0, kept = 0;

    for (guint i = 0; i < entries->len; i++) {
        SvirtJournalEntry *entry = g_ptr_array_index(entries, i);
        g_autoptr(GError) local = NULL;

        for (guint h = entry->holders->len; h > 0; h--) {
            const char *holder = g_ptr_array_index(entry->holders, h - 1);

            if (gone(holder, entry->boot_id, data))
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
    drop_gone_vms(journal, gone, data);
    if (!svirt_journal_commit(journal, error))
        return FALSE;
    if (n_restored)
        *n_restored = restored;
    if (n_kept)
        *n_kept = kept;
    if (own && own->len) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("Some labels could not be restored and stay in the journal for the next "
                      "'svirtctl reconcile': %s"),
                    failures->str);
        return FALSE;
    }
    return TRUE;
}

static gboolean
is_holder(const char *holder, const char *boot_id, gpointer data)
{
    return g_str_equal(holder, data);
}

gboolean
svirt_release_holder_locked(SvirtJournal *journal, const char *uuid, guint *n_restored,
                            GString *unrestored, GError **error)
{
    return release_locked(journal, is_holder, (gpointer)uuid, n_restored, NULL, unrestored,
                          error);
}

/* A VM that a live process is still starting is left to that process, which puts its labels
 * back itself when libvirtd fails the start. */
static gboolean
restore_holder(SvirtJournal *journal, const char *uuid, guint *n_restored, GError **error)
{
    SvirtJournalVm *vm = svirt_journal_lookup_vm(journal, uuid);

    if (vm && svirt_journal_vm_is_launching(vm)) {
        g_debug("VM %s is being started by process %" G_GINT64_FORMAT ", which restores its "
                "labels if the start fails",
                uuid, vm->launcher);
        if (n_restored)
            *n_restored = 0;
        return TRUE;
    }
    return svirt_release_holder_locked(journal, uuid, n_restored, NULL, error);
}

gboolean
svirt_restore_holder(const char *uuid, guint *n_restored, GError **error)
{
    g_autoptr(SvirtJournal) journal = svirt_journal_open(NULL, error);
    gboolean ok;

    if (!journal || !svirt_journal_lock(journal, error))
        return FALSE;
    ok = restore_holder(journal, uuid, n_restored, error);
    svirt_journal_unlock(journal);
    return ok;
}

gboolean
svirt_restore_holder_within(const char *uuid, guint timeout_ms, guint *n_restored,
                            GError **error)
{
    g_autoptr(SvirtJournal) journal = svirt_journal_open(NULL, error);
    gboolean ok;

    if (!journal || !svirt_journal_lock_within(journal, timeout_ms, error))
        return FALSE;
    ok = restore_holder(journal, uuid, n_restored, error);
    svirt_journal_unlock(journal);
    return ok;
}

/* Nobody waits for this one: a failure is logged. */
static gboolean
restore_call(gpointer source, SvirtTaskArgs *args, gpointer *result, GCancellable *cancellable,
             GError **error)
{
    g_autoptr(GError) local = NULL;
    guint restored = 0;

    if (!svirt_restore_holder(args->vm, &restored, &local))
        g_warning("Restoring the labels of VM %s: %s", args->vm, local->message);
    else if (restored)
        g_debug("Restored %u labels of VM %s", restored, args->vm);
    svirt_engine_notify_labels_changed(source, args->vm);
    return TRUE;
}

static void
on_vm_event(SvirtEngine *engine, SvirtVmEventKind kind, SvirtVmInfo *info, gpointer data)
{
    if (kind != SVIRT_VM_EVENT_STATE || svirt_vm_state_is_active(info->state))
        return;
    svirt_task_run(engine, on_vm_event, restore_call, svirt_task_args_new(info->uuid), NULL,
                   SVIRT_TASK_CANCEL_REPORTS, NULL, NULL, NULL);
}

void
svirt_engine_watch_stops(SvirtEngine *engine)
{
    /* Once per engine, however many windows ask. */
    if (g_object_get_data(G_OBJECT(engine), "svirt-watching-stops"))
        return;
    /* A desktop user's qemu:///system VMs are restored by svirt-helper, which labelled them. */
    if (svirt_engine_uses_helper(engine))
        return;
    g_object_set_data(G_OBJECT(engine), "svirt-watching-stops", GINT_TO_POINTER(1));
    g_signal_connect(engine, "vm-event", G_CALLBACK(on_vm_event), NULL);
}

typedef struct {
    SvirtJournal *journal;
    GHashTable *running;
    const char *boot_id;
    GHashTable *released; /* holders dropped, whose rows a list refreshes */
} Liveness;

static gboolean
holder_not_running(const char *holder, const char *boot_id, gpointer data)
{
    Liveness *live = data;
    SvirtJournalVm *vm = svirt_journal_lookup_vm(live->journal, holder);
    gboolean gone;

    /* A label from an earlier boot belongs to a VM process that no longer exists; a VM that a
     * live process is still starting does not run yet, but will. */
    gone = g_strcmp0(boot_id, live->boot_id) != 0 ||
           (!g_hash_table_contains(live->running, holder) &&
            !(vm && svirt_journal_vm_is_launching(vm)));
    if (gone)
        g_hash_table_add(live->released, g_strdup(holder));
    return gone;
}

gboolean
svirt_engine_reconcile(SvirtEngine *engine, guint *n_restored, guint *n_kept, GError **error)
{
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(GHashTable) running = NULL;
    g_autoptr(SvirtJournal) journal = NULL;
    g_autoptr(GHashTable) released = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    Liveness live;
    GHashTableIter iter;
    gpointer holder;
    gboolean ok;

    if (svirt_engine_uses_helper(engine))
        return svirt_helper_reconcile(n_restored, n_kept, error);
    conn = svirt_engine_dup_connection(engine, error);
    if (!conn)
        return FALSE;
    journal = svirt_journal_open(NULL, error);
    if (!journal || !svirt_journal_lock(journal, error))
        return FALSE;
    /* Read under the lock, so no start can slip in between. */
    running = svirt_list_running_vms(conn, error);
    if (!running) {
        svirt_journal_unlock(journal);
        return FALSE;
    }
    live.journal = journal;
    live.running = running;
    live.boot_id = svirt_journal_boot_id();
    live.released = released;
    ok = release_locked(journal, holder_not_running, &live, n_restored, n_kept, NULL, error);
    svirt_journal_unlock(journal);
    g_hash_table_iter_init(&iter, released);
    while (g_hash_table_iter_next(&iter, &holder, NULL))
        svirt_engine_notify_labels_changed(engine, holder);
    return ok;
}

/* What a path without a journal entry goes back to: the policy's default for it, else the
 * label for images after use. */
static char *
default_label(const SvirtLabelTarget *target)
{
    g_autoptr(SvirtFileContexts) fc = svirt_file_contexts_open(NULL, NULL);
    g_autoptr(SvirtPolicyTypes) types = svirt_policy_types_load(NULL);
    char *label = NULL;

    if (fc)
        label = svirt_file_contexts_lookup(fc, svirt_label_target_get_resolved(target),
                                           svirt_label_target_get_stat(target)->st_mode);
    if (!label)
        label = g_strdup(types ? types->after_exit : "system_u:object_r:virt_content_t:s0");
    return label;
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
    target = svirt_label_target_open_for(path, target_kind_of_path(path), &restoring, error);
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
        label = svirt_label_bytes_to_text(entry->original);
        ok = svirt_label_target_restore_label(target, entry->original, &status, error);
    } else {
        label = default_label(target);
        ok = svirt_label_target_set_label(target, label, &status, error);
    }
    if (ok && entry) {
        svirt_journal_remove(journal, entry->path);
        ok = svirt_journal_commit(journal, error);
    }
    svirt_journal_unlock(journal);
    if (ok && restored_to)
        *restored_to = g_steal_pointer(&label);
    return ok;
}

static gboolean
reconcile_call(gpointer source, SvirtTaskArgs *args, gpointer *result,
               GCancellable *cancellable, GError **error)
{
    return svirt_engine_reconcile(source, NULL, NULL, error);
}

void
svirt_engine_reconcile_async(SvirtEngine *engine, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
    svirt_task_run(engine, svirt_engine_reconcile_async, reconcile_call,
                   svirt_task_args_new(NULL), NULL, SVIRT_TASK_CANCEL_DROPS, cancellable,
                   callback, user_data);
}

gboolean
svirt_engine_reconcile_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_boolean(engine, svirt_engine_reconcile_async, result, error);
}
