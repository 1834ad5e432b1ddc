#pragma once

#include <glib.h>

#include "svirt-error.h"

G_BEGIN_DECLS

/* What the engine changed on one path, written before the change is made. */
typedef struct {
    char *path;       /* resolved absolute path, byte for byte (it need not be UTF-8) */
    GBytes *original; /* the label before the first holder, exactly as the filesystem held it
                       * (see svirt_label_target_get_label_bytes()); NULL when it had none */
    char *label;      /* the label the engine applied */
    GPtrArray *holders; /* UUIDs of the VMs that use the path */
    char *boot_id;    /* the boot during which the label was applied */
} SvirtJournalEntry;

/* A VM the engine started and what it started it with. Reservations and status take a running
 * VM's labels from here, never from the labels its live definition carries, which anyone who
 * can define a VM can write. */
typedef struct {
    char *uuid;
    char *level;          /* NULL in mode none */
    char *process;        /* its process label; NULL when it has none */
    char *image;          /* the label of its private images; NULL when none */
    char *boot_id;        /* the boot during which it was started */
    gint64 launcher;      /* the process still starting it; 0 once libvirtd runs it */
    guint64 launcher_start; /* when that process started, so that a reused pid is not it */
} SvirtJournalVm;

/* Crash-safe record of original labels and their holders, shared by every engine on the host
 * through an exclusive lock. Entries are only valid while the journal is locked. */
typedef struct _SvirtJournal SvirtJournal;

char *svirt_journal_default_dir(void);
const char *svirt_journal_boot_id(void);

SvirtJournal *svirt_journal_open(const char *dir, GError **error);
/* What the journal in @dir (NULL: the default) holds now, read without waiting for its lock: it
 * is replaced whole, so the read sees one version. For display; it is never committed. */
SvirtJournal *svirt_journal_read_snapshot(const char *dir, GError **error);
/* A snapshot of the journal text @data (svirt_journal_format()), which another process read:
 * svirt-helper's journal, for a desktop user's status. It has no file and no lock. */
SvirtJournal *svirt_journal_snapshot_from_data(const char *data, gsize len, GError **error);
void svirt_journal_free(SvirtJournal *journal);
const char *svirt_journal_get_dir(SvirtJournal *journal);
const char *svirt_journal_get_file(SvirtJournal *journal);

gboolean svirt_journal_lock(SvirtJournal *journal, GError **error);
/* The same, giving up with SVIRT_ERROR_TIMED_OUT after @timeout_ms. */
gboolean svirt_journal_lock_within(SvirtJournal *journal, guint timeout_ms, GError **error);
void svirt_journal_unlock(SvirtJournal *journal);
gboolean svirt_journal_is_locked(SvirtJournal *journal);

GPtrArray *svirt_journal_get_entries(SvirtJournal *journal);
SvirtJournalEntry *svirt_journal_lookup(SvirtJournal *journal, const char *path);
SvirtJournalEntry *svirt_journal_add_holder(SvirtJournal *journal, const char *path,
                                            GBytes *original, const char *label,
                                            const char *holder);
gboolean svirt_journal_remove_holder(SvirtJournal *journal, const char *path,
                                     const char *holder);
void svirt_journal_remove(SvirtJournal *journal, const char *path);
gboolean svirt_journal_commit(SvirtJournal *journal, GError **error);

gboolean svirt_journal_entry_has_holder(const SvirtJournalEntry *entry, const char *holder);
/* Whether any entry has @holder: the engine labelled files for that VM. */
gboolean svirt_journal_has_holder(SvirtJournal *journal, const char *holder);
gboolean svirt_journal_entry_equal(const SvirtJournalEntry *a, const SvirtJournalEntry *b);
gboolean svirt_journal_vm_equal(const SvirtJournalVm *a, const SvirtJournalVm *b);

/* The journal's text without its file or lock: the entries and VM records of @data (named
 * @file in errors; @vms may be NULL), or FALSE with the reason it is refused; and the text the
 * engine writes for @entries and @vms (NULL: none), which svirt_journal_commit() writes only
 * once it has read it back as the same. */
gboolean svirt_journal_parse(const char *data, gsize len, const char *file, GPtrArray **entries,
                             GPtrArray **vms, GError **error);
char *svirt_journal_format(GPtrArray *entries, GPtrArray *vms);

GPtrArray *svirt_journal_get_vms(SvirtJournal *journal);
SvirtJournalVm *svirt_journal_lookup_vm(SvirtJournal *journal, const char *uuid);
/* Records that this process is starting VM @uuid with these labels, replacing what an earlier
 * start recorded. */
SvirtJournalVm *svirt_journal_add_vm(SvirtJournal *journal, const char *uuid, const char *level,
                                     const char *process, const char *image);
void svirt_journal_remove_vm(SvirtJournal *journal, const char *uuid);
/* libvirtd runs the VM now: it no longer depends on the process that started it. */
void svirt_journal_vm_launched(SvirtJournalVm *vm);
/* Whether a process that still runs (this one too) is starting the VM: it then puts the labels
 * back itself if the start fails, and nobody else may. */
gboolean svirt_journal_vm_is_launching(const SvirtJournalVm *vm);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtJournal, svirt_journal_free)

G_END_DECLS
