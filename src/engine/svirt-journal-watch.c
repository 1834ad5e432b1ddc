#include "config.h"

#include <glib/gi18n-lib.h>

#include "svirt-error.h"
#include "svirt-journal-watch.h"
#include "svirt-journal.h"
#include "svirt-task.h"

/* A commit is a temp file renamed into place; a burst of them (a start labels several paths,
 * a reconcile releases several VMs) is read once. */
#define SETTLE_MS 150

/* Equal to no snapshot of a VM's holdings. */
#define FORGOTTEN "\001"

struct _SvirtJournalWatch {
    GObject parent_instance;

    char *dir;
    SvirtJournal *journal; /* used by one read at a time, in its worker */
    char *basename;
    GMainContext *context;
    GFileMonitor *monitor;
    GCancellable *cancellable;
    GSource *settle;
    gboolean reading;
    gboolean dirty;   /* the journal changed while it was being read */
    gboolean ready;   /* the first snapshot is taken */
    GHashTable *snapshot; /* holder UUID -> its sorted "path\tlabel\n" lines */
};

enum {
    SIGNAL_HOLDERS_CHANGED,
    N_SIGNALS,
};

static guint signals[N_SIGNALS];

G_DEFINE_TYPE(SvirtJournalWatch, svirt_journal_watch, G_TYPE_OBJECT)

static int
compare_strings(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

static void
add_line(GHashTable *lines, const char *holder, char *line)
{
    GPtrArray *held = g_hash_table_lookup(lines, holder);

    if (!held) {
        held = g_ptr_array_new_with_free_func(g_free);
        g_hash_table_insert(lines, g_strdup(holder), held);
    }
    g_ptr_array_add(held, line);
}

/* Holder UUID -> what it holds, as one string that compares equal exactly when the set of
 * (path, label) pairs, and what it was started with, are the same. Runs in a worker: the lock
 * may wait behind a start. */
static GHashTable *
read_holders(SvirtJournal *journal, GError **error)
{
    g_autoptr(GHashTable) lines = NULL;
    GHashTable *holders;
    GHashTableIter iter;
    gpointer uuid, list;
    GPtrArray *entries, *vms;

    if (!svirt_journal_lock(journal, error))
        return NULL;
    lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                  (GDestroyNotify)g_ptr_array_unref);
    entries = svirt_journal_get_entries(journal);
    for (guint i = 0; i < entries->len; i++) {
        SvirtJournalEntry *entry = g_ptr_array_index(entries, i);

        for (guint h = 0; h < entry->holders->len; h++)
            add_line(lines, g_ptr_array_index(entry->holders, h),
                     g_strdup_printf("%s\t%s\n", entry->path, entry->label ? entry->label : ""));
    }
    /* The labels a VM was started with, and whether it is still being started. */
    vms = svirt_journal_get_vms(journal);
    for (guint i = 0; i < vms->len; i++) {
        SvirtJournalVm *vm = g_ptr_array_index(vms, i);

        add_line(lines, vm->uuid,
                 g_strdup_printf("\t%s\t%s\n", vm->process ? vm->process : "",
                                 vm->launcher ? "launching" : "running"));
    }
    svirt_journal_unlock(journal);

    holders = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_hash_table_iter_init(&iter, lines);
    while (g_hash_table_iter_next(&iter, &uuid, &list)) {
        GPtrArray *held = list;
        GString *joined = g_string_new(NULL);

        g_ptr_array_sort(held, compare_strings);
        for (guint i = 0; i < held->len; i++)
            g_string_append(joined, g_ptr_array_index(held, i));
        g_hash_table_insert(holders, g_strdup(uuid), g_string_free(joined, FALSE));
    }
    return holders;
}

static gboolean
read_call(gpointer source, SvirtTaskArgs *args, gpointer *result, GCancellable *cancellable,
          GError **error)
{
    return (*result = read_holders(SVIRT_JOURNAL_WATCH(source)->journal, error)) != NULL;
}

static void start_read(SvirtJournalWatch *self);

static gboolean
is_stopped(SvirtJournalWatch *self)
{
    return self->cancellable == NULL || g_cancellable_is_cancelled(self->cancellable);
}

/* The VMs whose set differs between the two snapshots: appeared, gone or changed. */
static GPtrArray *
changed_holders(GHashTable *before, GHashTable *after)
{
    GPtrArray *changed = g_ptr_array_new_with_free_func(g_free);
    GHashTableIter iter;
    gpointer uuid, held;

    g_hash_table_iter_init(&iter, before);
    while (g_hash_table_iter_next(&iter, &uuid, &held)) {
        if (g_strcmp0(g_hash_table_lookup(after, uuid), held) != 0)
            g_ptr_array_add(changed, g_strdup(uuid));
    }
    g_hash_table_iter_init(&iter, after);
    while (g_hash_table_iter_next(&iter, &uuid, NULL)) {
        if (!g_hash_table_contains(before, uuid))
            g_ptr_array_add(changed, g_strdup(uuid));
    }
    g_ptr_array_sort(changed, compare_strings);
    return changed;
}

static void
on_read_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
    SvirtJournalWatch *self = SVIRT_JOURNAL_WATCH(source);
    g_autoptr(GError) error = NULL;
    g_autoptr(GHashTable) holders = svirt_task_finish_pointer(self, start_read, result, &error);
    g_autoptr(GPtrArray) changed = NULL;

    self->reading = FALSE;
    if (is_stopped(self))
        return;
    if (!holders) {
        /* A damaged journal stays as it is until someone moves it aside; then it is read
         * again and the difference announced. */
        g_message("Could not follow the label journal: %s", error->message);
    } else {
        changed = changed_holders(self->snapshot, holders);
        g_hash_table_unref(self->snapshot);
        self->snapshot = g_steal_pointer(&holders);
    }
    /* The first snapshot only tells where things stand. */
    if (!self->ready) {
        self->ready = TRUE;
        g_clear_pointer(&changed, g_ptr_array_unref);
    }
    for (guint i = 0; changed && i < changed->len && !is_stopped(self); i++) {
        g_debug("Label journal: VM %s holds other labels", (char *)changed->pdata[i]);
        g_signal_emit(self, signals[SIGNAL_HOLDERS_CHANGED], 0, changed->pdata[i]);
    }
    if (self->dirty && !is_stopped(self)) {
        self->dirty = FALSE;
        start_read(self);
    }
}

static void
start_read(SvirtJournalWatch *self)
{
    if (self->reading) {
        self->dirty = TRUE;
        return;
    }
    self->reading = TRUE;
    svirt_task_run(self, start_read, read_call, svirt_task_args_new(NULL),
                   (GDestroyNotify)g_hash_table_unref, SVIRT_TASK_CANCEL_DROPS, self->cancellable,
                   on_read_done, NULL);
}

static gboolean
on_settled(gpointer data)
{
    SvirtJournalWatch *self = data;

    g_clear_pointer(&self->settle, g_source_unref);
    start_read(self);
    return G_SOURCE_REMOVE;
}

static gboolean
names_journal(SvirtJournalWatch *self, GFile *file)
{
    g_autofree char *name = file ? g_file_get_basename(file) : NULL;

    return g_strcmp0(name, self->basename) == 0;
}

static void
on_monitor_changed(GFileMonitor *monitor, GFile *file, GFile *other, GFileMonitorEvent event,
                   SvirtJournalWatch *self)
{
    /* A commit renames its temp file onto the journal: the journal is then the other file. */
    if (event == G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED ||
        !(names_journal(self, file) || names_journal(self, other)))
        return;
    if (self->settle || is_stopped(self))
        return;
    self->settle = g_timeout_source_new(SETTLE_MS);
    g_source_set_callback(self->settle, on_settled, self, NULL);
    g_source_attach(self->settle, self->context);
}

SvirtJournalWatch *
svirt_journal_watch_new(const char *dir)
{
    SvirtJournalWatch *self = g_object_new(SVIRT_TYPE_JOURNAL_WATCH, NULL);

    self->dir = dir ? g_strdup(dir) : svirt_journal_default_dir();
    return self;
}

gboolean
svirt_journal_watch_start(SvirtJournalWatch *self, GError **error)
{
    g_autoptr(GFile) dir = NULL;
    g_autoptr(GError) local = NULL;

    g_return_val_if_fail(SVIRT_IS_JOURNAL_WATCH(self), FALSE);
    g_return_val_if_fail(self->monitor == NULL, FALSE);

    /* Opening creates the directory, which is watched rather than the file: a commit
     * replaces the file. */
    self->journal = svirt_journal_open(self->dir, error);
    if (!self->journal)
        return FALSE;
    self->basename = g_path_get_basename(svirt_journal_get_file(self->journal));
    dir = g_file_new_for_path(self->dir);
    self->monitor = g_file_monitor_directory(dir, G_FILE_MONITOR_WATCH_MOVES, NULL, &local);
    if (!self->monitor) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("Could not follow label changes in %s: %s. The VM list shows changes "
                      "made by other programs when it is refreshed."),
                    self->dir, local->message);
        return FALSE;
    }
    self->context = g_main_context_ref_thread_default();
    self->cancellable = g_cancellable_new();
    g_signal_connect(self->monitor, "changed", G_CALLBACK(on_monitor_changed), self);
    start_read(self);
    return TRUE;
}

void
svirt_journal_watch_forget(SvirtJournalWatch *self, const char *uuid)
{
    g_return_if_fail(SVIRT_IS_JOURNAL_WATCH(self));
    g_return_if_fail(uuid != NULL);
    g_hash_table_replace(self->snapshot, g_strdup(uuid), g_strdup(FORGOTTEN));
}

gboolean
svirt_journal_watch_is_ready(SvirtJournalWatch *self)
{
    g_return_val_if_fail(SVIRT_IS_JOURNAL_WATCH(self), FALSE);
    return self->ready && !is_stopped(self);
}

void
svirt_journal_watch_stop(SvirtJournalWatch *self)
{
    g_return_if_fail(SVIRT_IS_JOURNAL_WATCH(self));

    if (self->cancellable)
        g_cancellable_cancel(self->cancellable);
    if (self->settle) {
        g_source_destroy(self->settle);
        g_clear_pointer(&self->settle, g_source_unref);
    }
    if (self->monitor) {
        g_signal_handlers_disconnect_by_data(self->monitor, self);
        g_file_monitor_cancel(self->monitor);
        g_clear_object(&self->monitor);
    }
}

static void
svirt_journal_watch_dispose(GObject *object)
{
    svirt_journal_watch_stop(SVIRT_JOURNAL_WATCH(object));
    G_OBJECT_CLASS(svirt_journal_watch_parent_class)->dispose(object);
}

static void
svirt_journal_watch_finalize(GObject *object)
{
    SvirtJournalWatch *self = SVIRT_JOURNAL_WATCH(object);

    g_clear_object(&self->cancellable);
    g_clear_pointer(&self->context, g_main_context_unref);
    g_hash_table_unref(self->snapshot);
    g_clear_pointer(&self->journal, svirt_journal_free);
    g_free(self->dir);
    g_free(self->basename);
    G_OBJECT_CLASS(svirt_journal_watch_parent_class)->finalize(object);
}

static void
svirt_journal_watch_class_init(SvirtJournalWatchClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);

    object_class->dispose = svirt_journal_watch_dispose;
    object_class->finalize = svirt_journal_watch_finalize;

    /* Emitted with a VM's UUID when the paths or labels the journal records for it changed. */
    signals[SIGNAL_HOLDERS_CHANGED] =
        g_signal_new("holders-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
                     NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
svirt_journal_watch_init(SvirtJournalWatch *self)
{
    self->snapshot = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}
