#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <sys/stat.h>

#include "svirt-audit.h"
#include "svirt-helper-client.h"
#include "svirt-journal.h"
#include "svirt-labeler.h"
#include "svirt-lifecycle.h"
#include "svirt-task.h"

static gboolean
relabel_path(const char *path, const char *label, GError **error)
{
    struct stat st;
    g_autoptr(SvirtLabelTarget) target = NULL;
    SvirtLabelStatus status;

    if (lstat(path, &st) < 0) {
        int saved = errno;

        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND, _("Could not relabel %s: %s."),
                    path, g_strerror(saved));
        return FALSE;
    }
    target = svirt_label_target_open(path,
                                     S_ISBLK(st.st_mode)   ? SVIRT_LABEL_TARGET_BLOCK
                                     : S_ISREG(st.st_mode) ? SVIRT_LABEL_TARGET_FILE
                                     : S_ISDIR(st.st_mode) ? SVIRT_LABEL_TARGET_DIRECTORY
                                                           : SVIRT_LABEL_TARGET_SOCKET,
                                     error);
    if (!target || !svirt_label_target_set_label(target, label, &status, error))
        return FALSE;
    if (status == SVIRT_LABEL_STATUS_UNSUPPORTED) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSUPPORTED,
                    _("%s is on a filesystem that cannot hold labels; it was not relabelled. "
                      "Move the image to a filesystem with extended attributes."),
                    path);
        return FALSE;
    }
    return TRUE;
}

/* Relabels under the journal lock, and only while the journal still holds the path for the VM:
 * a stop that restores it meanwhile must not be undone. */
static gboolean
relabel_held_path(const SvirtFinding *finding, GError **error)
{
    g_autoptr(SvirtJournal) journal = svirt_journal_open(NULL, error);
    g_autofree char *resolved = svirt_labeler_resolve_path(finding->path);
    SvirtJournalEntry *entry;
    gboolean ok;

    if (!journal || !svirt_journal_lock(journal, error))
        return FALSE;
    entry = resolved ? svirt_journal_lookup(journal, resolved) : NULL;
    if (!entry || !svirt_journal_entry_has_holder(entry, finding->vm_uuid)) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE,
                    _("%s is no longer labelled for VM '%s', so it was not relabelled. Run "
                      "the audit again."),
                    finding->path, finding->vm_name);
        svirt_journal_unlock(journal);
        return FALSE;
    }
    ok = relabel_path(finding->path, finding->expected, error);
    svirt_journal_unlock(journal);
    return ok;
}

static gboolean
refuse(const SvirtFinding *finding, GError **error)
{
    g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE,
                _("sVirt Manager does not repair '%s' findings itself: %s"),
                svirt_finding_kind_to_id(finding->kind), finding->fix);
    return FALSE;
}

/* Restores a stale object: for the VM while the journal still holds it for the VM, else to its
 * recorded original or the policy's default. */
static gboolean
fix_stale(const SvirtVmStatus *status, const SvirtFinding *finding, GError **error)
{
    g_autoptr(SvirtJournal) journal = NULL;
    g_autofree char *resolved = svirt_labeler_resolve_path(finding->path);
    gboolean held = FALSE;

    if (svirt_vm_state_is_active(status->state)) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE,
                    _("VM '%s' runs again, so the label of %s is not stale any more. Run "
                      "the audit again."),
                    status->name, finding->path);
        return FALSE;
    }
    journal = svirt_journal_open(NULL, error);
    if (!journal || !svirt_journal_lock(journal, error))
        return FALSE;
    if (resolved) {
        SvirtJournalEntry *entry = svirt_journal_lookup(journal, resolved);

        held = entry && svirt_journal_entry_has_holder(entry, finding->vm_uuid);
    }
    svirt_journal_unlock(journal);
    g_clear_pointer(&journal, svirt_journal_free);
    if (held)
        return svirt_restore_holder(finding->vm_uuid, NULL, error);
    return svirt_restore_path(finding->path, NULL, error);
}

static gboolean
fix_finding(SvirtEngine *engine, const SvirtFinding *finding, GError **error)
{
    g_autoptr(SvirtVmStatus) status = NULL;

    if (!finding->fixable || !finding->vm_uuid || !finding->path)
        return refuse(finding, error);
    status = svirt_engine_get_vm_status(engine, finding->vm_uuid, error);
    if (!status)
        return FALSE;

    switch (finding->kind) {
    case SVIRT_FINDING_MISMATCH:
    case SVIRT_FINDING_UNLABELLED:
        if (!svirt_vm_state_is_active(status->state) || !status->started_by_engine) {
            g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE,
                        _("VM '%s' is no longer running as started by sVirt Manager, so %s is "
                          "not relabelled. Run the audit again."),
                        status->name, finding->path);
            return FALSE;
        }
        return relabel_held_path(finding, error);
    case SVIRT_FINDING_STALE:
        return fix_stale(status, finding, error);
    case SVIRT_FINDING_FOREIGN:
    case SVIRT_FINDING_DUPLICATE:
    case SVIRT_FINDING_SHARED_WRITABLE:
    case SVIRT_FINDING_HOST_DEVICE:
    case SVIRT_FINDING_UNSUPPORTED_FS:
    case SVIRT_FINDING_OUTSIDE_POOLS:
    case SVIRT_FINDING_STARTED_OUTSIDE:
    case SVIRT_FINDING_NOT_ENFORCING:
    case SVIRT_FINDING_MISSING:
    case SVIRT_FINDING_NOT_ISOLATED:
    case SVIRT_FINDING_SETTINGS_DIFFER:
    case SVIRT_FINDING_DISPLAY_EXPOSED:
    default:
        return refuse(finding, error);
    }
}

gboolean
svirt_audit_fix(SvirtEngine *engine, const SvirtFinding *finding, GError **error)
{
    gboolean ok;

    if (svirt_engine_uses_helper(engine))
        ok = svirt_helper_fix(finding, error);
    else
        ok = fix_finding(engine, finding, error);

    /* Even a fix that failed half-way may have changed a label. */
    if (finding->fixable && finding->vm_uuid)
        svirt_engine_notify_labels_changed(engine, finding->vm_uuid);
    return ok;
}

static gboolean
fix_call(gpointer source, SvirtTaskArgs *args, gpointer *result, GCancellable *cancellable,
         GError **error)
{
    return svirt_audit_fix(source, args->boxed, error);
}

void
svirt_audit_fix_async(SvirtEngine *engine, const SvirtFinding *finding,
                      GCancellable *cancellable, GAsyncReadyCallback callback,
                      gpointer user_data)
{
    SvirtTaskArgs *args = svirt_task_args_new(NULL);

    args->boxed = svirt_finding_copy(finding);
    args->boxed_free = (GDestroyNotify)svirt_finding_free;
    svirt_task_run(engine, svirt_audit_fix_async, fix_call, args, NULL, SVIRT_TASK_CANCEL_DROPS,
                   cancellable, callback, user_data);
}

gboolean
svirt_audit_fix_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_boolean(engine, svirt_audit_fix_async, result, error);
}
