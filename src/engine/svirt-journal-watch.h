#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SVIRT_TYPE_JOURNAL_WATCH (svirt_journal_watch_get_type())

G_DECLARE_FINAL_TYPE(SvirtJournalWatch, svirt_journal_watch, SVIRT, JOURNAL_WATCH, GObject)

/* Follows the label journal in @dir (NULL: svirt_journal_default_dir()), which every engine on
 * the host writes, and emits "holders-changed" with a VM's UUID whenever the paths or labels
 * the journal records for that VM change, whoever changed them. The first snapshot is taken
 * when the watch starts and announces nothing. Signals are emitted on the main context that
 * was the thread default when the watch started. */
SvirtJournalWatch *svirt_journal_watch_new(const char *dir);
gboolean svirt_journal_watch_start(SvirtJournalWatch *self, GError **error);
/* Someone showed @uuid's labels as they were at some moment the watch may not have read (the
 * VM started, or its labels were changed in this process): the next read announces @uuid
 * whatever it finds, so that a change made and undone between two reads is not missed. */
void svirt_journal_watch_forget(SvirtJournalWatch *self, const char *uuid);
/* TRUE once the first snapshot is taken: changes from then on are announced. */
gboolean svirt_journal_watch_is_ready(SvirtJournalWatch *self);
/* No signal is emitted after this returns. */
void svirt_journal_watch_stop(SvirtJournalWatch *self);

G_END_DECLS
