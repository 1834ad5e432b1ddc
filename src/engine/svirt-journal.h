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

/* Crash-safe record of original labels and their holders, shared by every engine on the host
 * through an exclusive lock. Entries are only valid while the journal is locked. */
typedef struct _SvirtJournal SvirtJournal;

char *svirt_journal_default_dir(void);
const char *svirt_journal_boot_id(void);

SvirtJournal *svirt_journal_open(const char *dir, GError **error);
void svirt_journal_free(SvirtJournal *journal);
const char *svirt_journal_get_dir(SvirtJournal *journal);
const char *svirt_journal_get_file(SvirtJournal *journal);

gboolean svirt_journal_lock(SvirtJournal *journal, GError **error);
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
gboolean svirt_journal_entry_equal(const SvirtJournalEntry *a, const SvirtJournalEntry *b);

/* The journal's text without its file or lock: the entries of @data (named @file in errors),
 * or NULL with the reason it is refused; and the text the engine writes for @entries, which
 * svirt_journal_commit() writes only once it has read it back as the same entries. */
GPtrArray *svirt_journal_parse(const char *data, gsize len, const char *file, GError **error);
char *svirt_journal_format(GPtrArray *entries);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtJournal, svirt_journal_free)

G_END_DECLS
