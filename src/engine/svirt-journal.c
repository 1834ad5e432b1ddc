#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "svirt-journal.h"

#define JOURNAL_VERSION 1

struct _SvirtJournal {
    char *dir;
    char *file;
    int lock_fd;
    gboolean locked;
    GPtrArray *entries; /* SvirtJournalEntry, in the order they were added */
    GPtrArray *vms;     /* SvirtJournalVm */
    GHashTable *by_path; /* path -> entry of @entries, built when first looked up */
    GHashTable *holders; /* of a snapshot, which never changes: every holder of an entry */
    GHashTable *vm_index; /* of a snapshot: UUID -> VM record of @vms */
    gboolean snapshot;  /* read without the lock, to be shown, never written */
};

/* Whether what the journal holds may be read: under the lock, or as a snapshot. */
#define READABLE(journal) ((journal)->locked || (journal)->snapshot)

/* The entries changed: the index by path is built again when next needed, and those of a
 * snapshot no longer hold. */
static void
entries_changed(SvirtJournal *journal)
{
    g_clear_pointer(&journal->by_path, g_hash_table_unref);
    g_clear_pointer(&journal->holders, g_hash_table_unref);
    g_clear_pointer(&journal->vm_index, g_hash_table_unref);
}

static void vm_free(SvirtJournalVm *vm);
static void index_entries(SvirtJournal *journal);
static void make_snapshot(SvirtJournal *journal);
static gboolean read_vms(JsonObject *root, GPtrArray *vms, const char *file, GError **error);
static void add_vms_json(JsonBuilder *b, GPtrArray *vms);

char *
svirt_journal_default_dir(void)
{
    const char *env = g_getenv("SVIRT_STATE_DIR");

    if (env && *env)
        return g_strdup(env);
    if (geteuid() == 0)
        return g_strdup("/var/lib/svirt-manager");
    return g_build_filename(g_get_user_state_dir(), "svirt-manager", NULL);
}

const char *
svirt_journal_boot_id(void)
{
    static char *boot_id;

    if (g_once_init_enter(&boot_id)) {
        char *id = NULL;

        if (!g_file_get_contents("/proc/sys/kernel/random/boot_id", &id, NULL, NULL))
            id = g_strdup("unknown");
        g_strstrip(id);
        g_once_init_leave(&boot_id, id);
    }
    return boot_id;
}

static void
entry_free(SvirtJournalEntry *entry)
{
    g_free(entry->path);
    g_clear_pointer(&entry->original, g_bytes_unref);
    g_free(entry->label);
    g_ptr_array_unref(entry->holders);
    g_free(entry->boot_id);
    g_free(entry);
}

static SvirtJournalEntry *
entry_new(const char *path, GBytes *original, const char *label, const char *boot_id)
{
    SvirtJournalEntry *entry = g_new0(SvirtJournalEntry, 1);

    entry->path = g_strdup(path);
    entry->original = original ? g_bytes_ref(original) : NULL;
    entry->label = g_strdup(label);
    entry->holders = g_ptr_array_new_with_free_func(g_free);
    entry->boot_id = g_strdup(boot_id);
    return entry;
}

SvirtJournal *
svirt_journal_open(const char *dir, GError **error)
{
    g_autofree char *lock_path = NULL;
    SvirtJournal *journal;
    int fd;

    journal = g_new0(SvirtJournal, 1);
    journal->dir = dir ? g_strdup(dir) : svirt_journal_default_dir();
    journal->file = g_build_filename(journal->dir, "journal.json", NULL);
    journal->entries = g_ptr_array_new_with_free_func((GDestroyNotify)entry_free);
    journal->vms = g_ptr_array_new_with_free_func((GDestroyNotify)vm_free);
    journal->lock_fd = -1;

    if (g_mkdir_with_parents(journal->dir, 0700) < 0) {
        int err = errno;

        g_set_error(error, SVIRT_ERROR, err == EACCES || err == EPERM ? SVIRT_ERROR_PERMISSION
                                                                      : SVIRT_ERROR_FAILED,
                    _("Could not create the label journal directory %s: %s."), journal->dir,
                    g_strerror(err));
        svirt_journal_free(journal);
        return NULL;
    }
    lock_path = g_build_filename(journal->dir, "journal.lock", NULL);
    fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        int err = errno;

        g_set_error(error, SVIRT_ERROR, err == EACCES || err == EPERM ? SVIRT_ERROR_PERMISSION
                                                                      : SVIRT_ERROR_FAILED,
                    _("Could not open the label journal lock %s: %s."), lock_path,
                    g_strerror(err));
        svirt_journal_free(journal);
        return NULL;
    }
    journal->lock_fd = fd;
    return journal;
}

void
svirt_journal_free(SvirtJournal *journal)
{
    if (!journal)
        return;
    if (journal->lock_fd >= 0)
        close(journal->lock_fd);
    g_clear_pointer(&journal->by_path, g_hash_table_unref);
    g_clear_pointer(&journal->holders, g_hash_table_unref);
    g_clear_pointer(&journal->vm_index, g_hash_table_unref);
    g_ptr_array_unref(journal->entries);
    g_ptr_array_unref(journal->vms);
    g_free(journal->dir);
    g_free(journal->file);
    g_free(journal);
}

const char *
svirt_journal_get_dir(SvirtJournal *journal)
{
    return journal->dir;
}

const char *
svirt_journal_get_file(SvirtJournal *journal)
{
    return journal->file;
}

/* A journal is four levels deep; anything much deeper is not one, and parsing it would only
 * exhaust the stack. */
#define MAX_NESTING 16

/* Whether brackets outside strings nest no deeper than @max. */
static gboolean
nesting_within(const char *data, gsize len, guint max)
{
    gboolean in_string = FALSE;
    guint depth = 0;

    for (gsize i = 0; i < len; i++) {
        char c = data[i];

        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = FALSE;
        } else if (c == '"') {
            in_string = TRUE;
        } else if (c == '[' || c == '{') {
            if (++depth > max)
                return FALSE;
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return TRUE;
}

/* A member that is absent, null or a string: its string in @out (NULL otherwise). */
static gboolean
optional_string(JsonObject *obj, const char *name, const char **out)
{
    JsonNode *node = json_object_get_member(obj, name);

    *out = NULL;
    if (!node || JSON_NODE_HOLDS_NULL(node))
        return TRUE;
    if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING)
        return FALSE;
    *out = json_node_get_string(node);
    return TRUE;
}

/* What a person reading the journal sees of @data: up to the first NUL, as valid UTF-8. */
static char *
readable(const char *data, gsize len)
{
    return g_utf8_make_valid(data ? data : "", data ? (gssize)strnlen(data, len) : 0);
}

/* Base64 as the engine writes it (decoded and encoded again it is the same text), or NULL. */
static GBytes *
decode_base64(const char *text)
{
    g_autofree guchar *data = NULL;
    g_autofree char *again = NULL;
    gsize len = 0;

    data = g_base64_decode(text, &len);
    again = g_base64_encode(data, len);
    if (!g_str_equal(again, text))
        return NULL;
    return g_bytes_new_take(g_steal_pointer(&data), len);
}

/* A text member (a path, a label) and the exact bytes beside it in "NAME_base64" when they are
 * not UTF-8. The bytes win, but the readable form must say the same. */
static gboolean
text_member(JsonObject *obj, const char *name, char **out, const char **why)
{
    g_autofree char *bytes_name = g_strconcat(name, "_base64", NULL);
    g_autoptr(GBytes) bytes = NULL;
    g_autofree char *shown = NULL;
    const char *text, *encoded;
    const char *data;
    gsize len = 0;

    *out = NULL;
    if (!optional_string(obj, name, &text) || !optional_string(obj, bytes_name, &encoded)) {
        *why = _("has a path or label that is not a string");
        return FALSE;
    }
    if (!encoded) {
        *out = g_strdup(text);
        return TRUE;
    }
    bytes = decode_base64(encoded);
    data = bytes ? g_bytes_get_data(bytes, &len) : NULL;
    if (!bytes || len == 0 || memchr(data, '\0', len)) {
        *why = _("has a path or label whose bytes are not valid base64 of a name");
        return FALSE;
    }
    shown = readable(data, len);
    if (g_strcmp0(text, shown) != 0) {
        *why = _("has a path or label whose readable form does not match its bytes");
        return FALSE;
    }
    *out = g_strndup(data, len);
    return TRUE;
}

/* The original label: the exact bytes from "original_base64", else the text of "original" with
 * the NUL the kernel keeps after a context (how journals without the bytes were restored). */
static gboolean
original_member(JsonObject *obj, GBytes **out, const char **why)
{
    g_autoptr(GBytes) bytes = NULL;
    g_autofree char *shown = NULL;
    const char *text, *encoded;
    const char *data;
    gsize len = 0;

    *out = NULL;
    if (!optional_string(obj, "original", &text) ||
        !optional_string(obj, "original_base64", &encoded)) {
        *why = _("has a label or boot id that is not a string");
        return FALSE;
    }
    if (!encoded) {
        *out = text ? g_bytes_new(text, strlen(text) + 1) : NULL;
        return TRUE;
    }
    bytes = decode_base64(encoded);
    if (!bytes) {
        *why = _("has an original label whose bytes are not valid base64");
        return FALSE;
    }
    data = g_bytes_get_data(bytes, &len);
    shown = readable(data, len);
    if (g_strcmp0(text, shown) != 0) {
        *why = _("has an original label whose readable form does not match its bytes");
        return FALSE;
    }
    *out = g_steal_pointer(&bytes);
    return TRUE;
}

static gboolean
read_holders(JsonObject *obj, GPtrArray *holders, const char **why)
{
    JsonNode *node = json_object_get_member(obj, "holders");
    JsonArray *array;

    if (!node || JSON_NODE_HOLDS_NULL(node))
        return TRUE;
    if (!JSON_NODE_HOLDS_ARRAY(node)) {
        *why = _("has holders that are not a list");
        return FALSE;
    }
    array = json_node_get_array(node);
    for (guint h = 0; h < json_array_get_length(array); h++) {
        JsonNode *uuid = json_array_get_element(array, h);

        if (!JSON_NODE_HOLDS_VALUE(uuid) || json_node_get_value_type(uuid) != G_TYPE_STRING) {
            *why = _("has a holder that is not a string");
            return FALSE;
        }
        if (!g_utf8_validate(json_node_get_string(uuid), -1, NULL)) {
            *why = _("has a holder that is not text");
            return FALSE;
        }
        g_ptr_array_add(holders, g_strdup(json_node_get_string(uuid)));
    }
    return TRUE;
}

/* One entry, or NULL with @why set when it is not what the engine writes. */
static SvirtJournalEntry *
read_entry(JsonNode *node, const char **why)
{
    g_autofree char *path = NULL;
    g_autofree char *label = NULL;
    g_autoptr(GBytes) original = NULL;
    const char *boot_id;
    JsonObject *obj;
    SvirtJournalEntry *entry;

    if (!JSON_NODE_HOLDS_OBJECT(node)) {
        *why = _("is not an object");
        return NULL;
    }
    obj = json_node_get_object(node);
    if (!text_member(obj, "path", &path, why))
        return NULL;
    if (!path) {
        *why = _("has no path");
        return NULL;
    }
    if (!original_member(obj, &original, why) || !text_member(obj, "label", &label, why))
        return NULL;
    if (!optional_string(obj, "boot_id", &boot_id)) {
        *why = _("has a label or boot id that is not a string");
        return NULL;
    }
    if (boot_id && !g_utf8_validate(boot_id, -1, NULL)) {
        *why = _("has a boot id that is not text");
        return NULL;
    }
    entry = entry_new(path, original, label, boot_id);
    if (!read_holders(obj, entry->holders, why)) {
        entry_free(entry);
        return NULL;
    }
    return entry;
}

static gboolean
damaged(const char *file, const char *why, GError **error)
{
    /* The parser quotes the damaged bytes, which need not be UTF-8. */
    g_autofree char *readable_why = g_utf8_make_valid(why, -1);

    /* Never overwrite it: it may hold the only record of original labels. */
    g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                _("The label journal %s is damaged (%s). It was left as it is; inspect it, "
                  "restore the labels it lists by hand if needed, then move it aside."),
                file, readable_why);
    return FALSE;
}

/* The "entries" array of a journal's root, or NULL with @error set. */
static JsonArray *
root_entries(JsonParser *parser, const char *file, GError **error)
{
    JsonNode *root_node = json_parser_get_root(parser);
    JsonObject *root;

    if (!root_node || !JSON_NODE_HOLDS_OBJECT(root_node)) {
        damaged(file, _("not a JSON object"), error);
        return NULL;
    }
    root = json_node_get_object(root_node);
    if (json_object_get_int_member_with_default(root, "version", 0) != JOURNAL_VERSION ||
        !json_object_has_member(root, "entries") ||
        !JSON_NODE_HOLDS_ARRAY(json_object_get_member(root, "entries"))) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("The label journal %s has an unknown format. It was left as it is; "
                      "a newer sVirt Manager may have written it."),
                    file);
        return NULL;
    }
    return json_object_get_array_member(root, "entries");
}

SvirtJournal *
svirt_journal_snapshot_from_data(const char *data, gsize len, GError **error)
{
    g_autoptr(GPtrArray) entries = NULL;
    g_autoptr(GPtrArray) vms = NULL;
    SvirtJournal *journal;

    if (!svirt_journal_parse(data, len, _("the system service's label journal"), &entries, &vms,
                             error))
        return NULL;
    journal = g_new0(SvirtJournal, 1);
    journal->dir = g_strdup("");
    journal->file = g_strdup("");
    journal->lock_fd = -1;
    journal->entries = g_steal_pointer(&entries);
    journal->vms = g_steal_pointer(&vms);
    make_snapshot(journal);
    return journal;
}

gboolean
svirt_journal_parse(const char *data, gsize len, const char *file, GPtrArray **entries_out,
                    GPtrArray **vms_out, GError **error)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GPtrArray) result = NULL;
    g_autoptr(GPtrArray) vms = NULL;
    g_autoptr(GError) local = NULL;
    JsonArray *entries;

    if (!nesting_within(data, len, MAX_NESTING))
        return damaged(file, _("nested deeper than any journal"), error);
    if (!json_parser_load_from_data(parser, data, (gssize)len, &local))
        return damaged(file, local->message, error);
    entries = root_entries(parser, file, error);
    if (!entries)
        return FALSE;
    result = g_ptr_array_new_with_free_func((GDestroyNotify)entry_free);
    for (guint i = 0; i < json_array_get_length(entries); i++) {
        const char *why = NULL;
        SvirtJournalEntry *entry = read_entry(json_array_get_element(entries, i), &why);

        if (!entry) {
            g_autofree char *detail = g_strdup_printf(
                /* TRANSLATORS: %u counts from 1; %s says what is wrong, e.g. "has no path" */
                _("entry %u %s"), i + 1, why);

            return damaged(file, detail, error);
        }
        g_ptr_array_add(result, entry);
    }
    vms = g_ptr_array_new_with_free_func((GDestroyNotify)vm_free);
    if (!read_vms(json_node_get_object(json_parser_get_root(parser)), vms, file, error))
        return FALSE;
    *entries_out = g_steal_pointer(&result);
    if (vms_out)
        *vms_out = g_steal_pointer(&vms);
    return TRUE;
}

static gboolean
load(SvirtJournal *journal, GError **error)
{
    g_autoptr(GError) local = NULL;
    g_autofree char *data = NULL;
    GPtrArray *entries, *vms;
    gsize len = 0;

    entries_changed(journal);
    g_ptr_array_set_size(journal->entries, 0);
    g_ptr_array_set_size(journal->vms, 0);
    if (!g_file_test(journal->file, G_FILE_TEST_EXISTS))
        return TRUE;
    if (!g_file_get_contents(journal->file, &data, &len, &local))
        return damaged(journal->file, local->message, error);
    if (!svirt_journal_parse(data, len, journal->file, &entries, &vms, error))
        return FALSE;
    g_ptr_array_extend_and_steal(journal->entries, entries);
    g_ptr_array_extend_and_steal(journal->vms, vms);
    return TRUE;
}

/* Takes the lock, waiting until @deadline (monotonic time; 0: as long as it takes). */
static gboolean
take_lock(SvirtJournal *journal, gint64 deadline, guint timeout_ms, GError **error)
{
    while (flock(journal->lock_fd, LOCK_EX | (deadline ? LOCK_NB : 0)) < 0) {
        if (errno == EINTR)
            continue;
        if (errno == EWOULDBLOCK && g_get_monotonic_time() < deadline) {
            g_usleep(20 * 1000);
            continue;
        }
        if (errno == EWOULDBLOCK) {
            guint seconds = MAX(timeout_ms / 1000, 1);

            g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_TIMED_OUT,
                        g_dngettext(GETTEXT_PACKAGE,
                                    "The label journal in %s stayed locked by another operation "
                                    "for %u second.",
                                    "The label journal in %s stayed locked by another operation "
                                    "for %u seconds.",
                                    seconds),
                        journal->dir, seconds);
            return FALSE;
        }
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("Could not lock the label journal in %s: %s."), journal->dir,
                    g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

static gboolean
lock_and_load(SvirtJournal *journal, gint64 deadline, guint timeout_ms, GError **error)
{
    g_return_val_if_fail(!journal->locked, FALSE);

    if (!take_lock(journal, deadline, timeout_ms, error))
        return FALSE;
    journal->locked = TRUE;
    if (!load(journal, error)) {
        svirt_journal_unlock(journal);
        return FALSE;
    }
    return TRUE;
}

gboolean
svirt_journal_lock(SvirtJournal *journal, GError **error)
{
    return lock_and_load(journal, 0, 0, error);
}

gboolean
svirt_journal_lock_within(SvirtJournal *journal, guint timeout_ms, GError **error)
{
    return lock_and_load(journal, g_get_monotonic_time() + (gint64)timeout_ms * 1000 + 1,
                         timeout_ms, error);
}

void
svirt_journal_unlock(SvirtJournal *journal)
{
    if (!journal->locked)
        return;
    entries_changed(journal);
    g_ptr_array_set_size(journal->entries, 0);
    g_ptr_array_set_size(journal->vms, 0);
    flock(journal->lock_fd, LOCK_UN);
    journal->locked = FALSE;
}

gboolean
svirt_journal_is_locked(SvirtJournal *journal)
{
    return journal->locked;
}

SvirtJournal *
svirt_journal_read_snapshot(const char *dir, GError **error)
{
    g_autoptr(SvirtJournal) journal = svirt_journal_open(dir, error);

    if (!journal || !load(journal, error))
        return NULL;
    make_snapshot(journal);
    return g_steal_pointer(&journal);
}

/* A snapshot never changes: indexed now, threads may look entries up at once. */
static void
make_snapshot(SvirtJournal *journal)
{
    journal->snapshot = TRUE;
    index_entries(journal);
    journal->holders = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < journal->entries->len; i++) {
        SvirtJournalEntry *entry = g_ptr_array_index(journal->entries, i);

        for (guint j = 0; j < entry->holders->len; j++)
            g_hash_table_add(journal->holders, g_ptr_array_index(entry->holders, j));
    }
    journal->vm_index = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < journal->vms->len; i++) {
        SvirtJournalVm *vm = g_ptr_array_index(journal->vms, i);

        /* The first record of a UUID, as the scan finds it. */
        if (!g_hash_table_contains(journal->vm_index, vm->uuid))
            g_hash_table_insert(journal->vm_index, vm->uuid, vm);
    }
}

GPtrArray *
svirt_journal_get_entries(SvirtJournal *journal)
{
    g_return_val_if_fail(READABLE(journal), NULL);
    return journal->entries;
}

static void
index_entries(SvirtJournal *journal)
{
    if (journal->by_path)
        return;
    journal->by_path = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < journal->entries->len; i++) {
        SvirtJournalEntry *entry = g_ptr_array_index(journal->entries, i);

        g_hash_table_insert(journal->by_path, entry->path, entry);
    }
}

SvirtJournalEntry *
svirt_journal_lookup(SvirtJournal *journal, const char *path)
{
    g_return_val_if_fail(READABLE(journal), NULL);
    index_entries(journal);
    return g_hash_table_lookup(journal->by_path, path);
}

gboolean
svirt_journal_entry_has_holder(const SvirtJournalEntry *entry, const char *holder)
{
    for (guint i = 0; i < entry->holders->len; i++) {
        if (g_str_equal(g_ptr_array_index(entry->holders, i), holder))
            return TRUE;
    }
    return FALSE;
}

gboolean
svirt_journal_has_holder(SvirtJournal *journal, const char *holder)
{
    g_return_val_if_fail(READABLE(journal), FALSE);
    if (journal->holders && !journal->locked)
        return g_hash_table_contains(journal->holders, holder);
    for (guint i = 0; i < journal->entries->len; i++) {
        if (svirt_journal_entry_has_holder(g_ptr_array_index(journal->entries, i), holder))
            return TRUE;
    }
    return FALSE;
}

/* A path already in the journal keeps its first original: later holders saw our label. */
SvirtJournalEntry *
svirt_journal_add_holder(SvirtJournal *journal, const char *path, GBytes *original,
                         const char *label, const char *holder)
{
    SvirtJournalEntry *entry = svirt_journal_lookup(journal, path);

    if (!entry) {
        entry = entry_new(path, original, label, svirt_journal_boot_id());
        g_ptr_array_add(journal->entries, entry);
        entries_changed(journal);
    } else if (label) {
        g_free(entry->label);
        entry->label = g_strdup(label);
    }
    if (!svirt_journal_entry_has_holder(entry, holder))
        g_ptr_array_add(entry->holders, g_strdup(holder));
    return entry;
}

gboolean
svirt_journal_remove_holder(SvirtJournal *journal, const char *path, const char *holder)
{
    SvirtJournalEntry *entry = svirt_journal_lookup(journal, path);

    if (!entry)
        return TRUE;
    for (guint i = 0; i < entry->holders->len; i++) {
        if (g_str_equal(g_ptr_array_index(entry->holders, i), holder)) {
            g_ptr_array_remove_index(entry->holders, i);
            break;
        }
    }
    return entry->holders->len == 0;
}

void
svirt_journal_remove(SvirtJournal *journal, const char *path)
{
    SvirtJournalEntry *entry = svirt_journal_lookup(journal, path);

    if (entry) {
        entries_changed(journal);
        g_ptr_array_remove(journal->entries, entry);
    }
}

static gboolean
is_text(const char *text)
{
    return g_utf8_validate(text, -1, NULL);
}

/* @value readable, and beside it its exact bytes when it is not UTF-8. */
static void
add_text(JsonBuilder *b, const char *name, const char *value)
{
    json_builder_set_member_name(b, name);
    if (!value) {
        json_builder_add_null_value(b);
        return;
    }
    if (is_text(value)) {
        json_builder_add_string_value(b, value);
    } else {
        g_autofree char *shown = readable(value, strlen(value));
        g_autofree char *bytes_name = g_strconcat(name, "_base64", NULL);
        g_autofree char *encoded = g_base64_encode((const guchar *)value, strlen(value));

        json_builder_add_string_value(b, shown);
        json_builder_set_member_name(b, bytes_name);
        json_builder_add_string_value(b, encoded);
    }
}

/* The original label as text, and its exact bytes unless they are that text and one NUL, as
 * the kernel keeps a context (and as journals without the bytes are read). */
static void
add_original(JsonBuilder *b, GBytes *original)
{
    g_autofree char *shown = NULL;
    const char *data;
    gsize len = 0;

    json_builder_set_member_name(b, "original");
    if (!original) {
        json_builder_add_null_value(b);
        return;
    }
    data = g_bytes_get_data(original, &len);
    shown = readable(data, len);
    json_builder_add_string_value(b, shown);
    if (len != strlen(shown) + 1 || memcmp(data, shown, len) != 0) {
        g_autofree char *encoded = g_base64_encode((const guchar *)data, len);

        json_builder_set_member_name(b, "original_base64");
        json_builder_add_string_value(b, encoded);
    }
}

static void
add_entry(JsonBuilder *b, const SvirtJournalEntry *entry)
{
    json_builder_begin_object(b);
    add_text(b, "path", entry->path);
    add_original(b, entry->original);
    add_text(b, "label", entry->label);
    json_builder_set_member_name(b, "boot_id");
    if (entry->boot_id)
        json_builder_add_string_value(b, entry->boot_id);
    else
        json_builder_add_null_value(b);
    json_builder_set_member_name(b, "holders");
    json_builder_begin_array(b);
    for (guint h = 0; h < entry->holders->len; h++)
        json_builder_add_string_value(b, g_ptr_array_index(entry->holders, h));
    json_builder_end_array(b);
    json_builder_end_object(b);
}

char *
svirt_journal_format(GPtrArray *entries, GPtrArray *vms)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autoptr(JsonNode) root = NULL;

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "version");
    json_builder_add_int_value(b, JOURNAL_VERSION);
    json_builder_set_member_name(b, "entries");
    json_builder_begin_array(b);
    for (guint i = 0; i < entries->len; i++)
        add_entry(b, g_ptr_array_index(entries, i));
    json_builder_end_array(b);
    if (vms)
        add_vms_json(b, vms);
    json_builder_end_object(b);

    root = json_builder_get_root(b);
    json_generator_set_root(gen, root);
    json_generator_set_pretty(gen, TRUE);
    return json_generator_to_data(gen, NULL);
}

static gboolean
same_holders(const GPtrArray *a, const GPtrArray *b)
{
    if (a->len != b->len)
        return FALSE;
    for (guint i = 0; i < a->len; i++) {
        if (!g_str_equal(g_ptr_array_index(a, i), g_ptr_array_index(b, i)))
            return FALSE;
    }
    return TRUE;
}

gboolean
svirt_journal_entry_equal(const SvirtJournalEntry *a, const SvirtJournalEntry *b)
{
    return g_str_equal(a->path, b->path) && g_strcmp0(a->label, b->label) == 0 &&
           g_strcmp0(a->boot_id, b->boot_id) == 0 &&
           (a->original && b->original ? g_bytes_equal(a->original, b->original)
                                       : a->original == b->original) &&
           same_holders(a->holders, b->holders);
}

/* Whether @data reads back as what @journal holds, so the engine never writes a journal it
 * cannot read. */
static gboolean
reads_back(SvirtJournal *journal, const char *data, GError **error)
{
    g_autoptr(GPtrArray) again = NULL;
    g_autoptr(GPtrArray) vms = NULL;
    gboolean same;

    if (!svirt_journal_parse(data, strlen(data), journal->file, &again, &vms, error))
        return FALSE;
    same = again->len == journal->entries->len && vms->len == journal->vms->len;
    for (guint i = 0; same && i < again->len; i++)
        same = svirt_journal_entry_equal(g_ptr_array_index(again, i),
                                         g_ptr_array_index(journal->entries, i));
    for (guint i = 0; same && i < vms->len; i++)
        same = svirt_journal_vm_equal(g_ptr_array_index(vms, i),
                                      g_ptr_array_index(journal->vms, i));
    if (!same)
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("the text would read back as other entries"));
    return same;
}

/* Temp file, fsync, rename, fsync of the directory: after a crash either version is whole. */
gboolean
svirt_journal_commit(SvirtJournal *journal, GError **error)
{
    g_autofree char *data = NULL;
    g_autoptr(GError) local = NULL;
    int dirfd;

    g_return_val_if_fail(journal->locked, FALSE);
    data = svirt_journal_format(journal->entries, journal->vms);
    if (!reads_back(journal, data, &local)) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("The label journal %s was not written: what the engine would write does "
                      "not read back the same (%s). The journal was left as it is; please "
                      "report this as a bug."),
                    journal->file, local->message);
        return FALSE;
    }
    if (!g_file_set_contents_full(journal->file, data, -1,
                                  G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                  0600, &local)) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("Could not write the label journal %s: %s."),
                    journal->file, local->message);
        return FALSE;
    }
    dirfd = open(journal->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd >= 0) {
        fsync(dirfd);
        close(dirfd);
    }
    return TRUE;
}

static void
vm_free(SvirtJournalVm *vm)
{
    g_free(vm->uuid);
    g_free(vm->level);
    g_free(vm->process);
    g_free(vm->image);
    g_free(vm->boot_id);
    g_free(vm);
}

/* When process @pid started, in clock ticks since boot; 0 when it does not run. */
static guint64
process_start_time(gint64 pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%" G_GINT64_FORMAT "/stat", pid);
    g_autofree char *stat = NULL;
    g_auto(GStrv) fields = NULL;
    const char *end;

    if (pid <= 0 || !g_file_get_contents(path, &stat, NULL, NULL))
        return 0;
    /* The command name may hold spaces and parentheses: the fields follow its last ')'. */
    end = strrchr(stat, ')');
    if (!end)
        return 0;
    fields = g_strsplit(end + 1, " ", 0);
    /* fields[0] is empty, fields[1] is field 3 (state); field 22 is the start time. */
    if (g_strv_length(fields) < 21)
        return 0;
    return g_ascii_strtoull(fields[20], NULL, 10);
}

/* Whether each of @n strings (NULL counts) is UTF-8 text. */
static gboolean
all_text(const char *const *strings, guint n)
{
    for (guint i = 0; i < n; i++) {
        if (strings[i] && !g_utf8_validate(strings[i], -1, NULL))
            return FALSE;
    }
    return TRUE;
}

/* Whether member @name of @obj is absent or an integer. */
static gboolean
optional_int(JsonObject *obj, const char *name)
{
    JsonNode *node = json_object_get_member(obj, name);

    return !node || (JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == G_TYPE_INT64);
}

/* One VM record, or NULL with @why set when it is not what the engine writes. */
static SvirtJournalVm *
read_vm(JsonNode *node, const char **why)
{
    const char *uuid, *level, *process, *image, *boot_id;
    JsonObject *obj;
    JsonNode *launcher;
    SvirtJournalVm *vm;

    if (!JSON_NODE_HOLDS_OBJECT(node)) {
        *why = _("is not an object");
        return NULL;
    }
    obj = json_node_get_object(node);
    if (!optional_string(obj, "uuid", &uuid) || !uuid) {
        *why = _("has no UUID");
        return NULL;
    }
    if (!optional_string(obj, "level", &level) || !optional_string(obj, "process", &process) ||
        !optional_string(obj, "image", &image) || !optional_string(obj, "boot_id", &boot_id)) {
        *why = _("has a label or boot id that is not a string");
        return NULL;
    }
    if (!all_text((const char *[]){ uuid, level, process, image, boot_id }, 5)) {
        *why = _("has a UUID, label or boot id that is not text");
        return NULL;
    }
    launcher = json_object_get_member(obj, "launcher");
    if (launcher && !JSON_NODE_HOLDS_NULL(launcher) &&
        (!JSON_NODE_HOLDS_OBJECT(launcher) ||
         !optional_int(json_node_get_object(launcher), "pid") ||
         !optional_int(json_node_get_object(launcher), "start") ||
         json_object_get_int_member_with_default(json_node_get_object(launcher), "pid", 0) <= 0)) {
        *why = _("has a launching process that is not one");
        return NULL;
    }
    vm = g_new0(SvirtJournalVm, 1);
    vm->uuid = g_strdup(uuid);
    vm->level = g_strdup(level);
    vm->process = g_strdup(process);
    vm->image = g_strdup(image);
    vm->boot_id = g_strdup(boot_id);
    if (launcher && JSON_NODE_HOLDS_OBJECT(launcher)) {
        JsonObject *l = json_node_get_object(launcher);

        vm->launcher = json_object_get_int_member_with_default(l, "pid", 0);
        vm->launcher_start = (guint64)json_object_get_int_member_with_default(l, "start", 0);
    }
    return vm;
}

/* The VMs the engine started; a journal written before they were recorded has none. */
static gboolean
read_vms(JsonObject *root, GPtrArray *vms, const char *file, GError **error)
{
    JsonNode *node = json_object_get_member(root, "vms");
    JsonArray *array;

    if (!node || JSON_NODE_HOLDS_NULL(node))
        return TRUE;
    if (!JSON_NODE_HOLDS_ARRAY(node))
        return damaged(file, _("its VMs are not a list"), error);
    array = json_node_get_array(node);
    for (guint i = 0; i < json_array_get_length(array); i++) {
        const char *why = NULL;
        SvirtJournalVm *vm = read_vm(json_array_get_element(array, i), &why);

        if (!vm) {
            g_autofree char *detail = g_strdup_printf(
                /* TRANSLATORS: %u counts from 1; %s says what is wrong, e.g. "has no UUID" */
                _("VM %u %s"), i + 1, why);

            return damaged(file, detail, error);
        }
        g_ptr_array_add(vms, vm);
    }
    return TRUE;
}

static void
add_vms_json(JsonBuilder *b, GPtrArray *vms)
{
    json_builder_set_member_name(b, "vms");
    json_builder_begin_array(b);
    for (guint i = 0; i < vms->len; i++) {
        SvirtJournalVm *vm = g_ptr_array_index(vms, i);
        const char *strings[][2] = { { "uuid", vm->uuid },       { "level", vm->level },
                                     { "process", vm->process }, { "image", vm->image },
                                     { "boot_id", vm->boot_id } };

        json_builder_begin_object(b);
        for (guint s = 0; s < G_N_ELEMENTS(strings); s++) {
            json_builder_set_member_name(b, strings[s][0]);
            if (strings[s][1])
                json_builder_add_string_value(b, strings[s][1]);
            else
                json_builder_add_null_value(b);
        }
        json_builder_set_member_name(b, "launcher");
        if (vm->launcher > 0) {
            json_builder_begin_object(b);
            json_builder_set_member_name(b, "pid");
            json_builder_add_int_value(b, vm->launcher);
            json_builder_set_member_name(b, "start");
            json_builder_add_int_value(b, (gint64)vm->launcher_start);
            json_builder_end_object(b);
        } else {
            json_builder_add_null_value(b);
        }
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
}

GPtrArray *
svirt_journal_get_vms(SvirtJournal *journal)
{
    g_return_val_if_fail(READABLE(journal), NULL);
    return journal->vms;
}

SvirtJournalVm *
svirt_journal_lookup_vm(SvirtJournal *journal, const char *uuid)
{
    g_return_val_if_fail(READABLE(journal), NULL);
    if (journal->vm_index && !journal->locked)
        return g_hash_table_lookup(journal->vm_index, uuid);
    for (guint i = 0; i < journal->vms->len; i++) {
        SvirtJournalVm *vm = g_ptr_array_index(journal->vms, i);

        if (g_str_equal(vm->uuid, uuid))
            return vm;
    }
    return NULL;
}

SvirtJournalVm *
svirt_journal_add_vm(SvirtJournal *journal, const char *uuid, const char *level,
                     const char *process, const char *image)
{
    SvirtJournalVm *vm = g_new0(SvirtJournalVm, 1);

    svirt_journal_remove_vm(journal, uuid);
    vm->uuid = g_strdup(uuid);
    vm->level = g_strdup(level);
    vm->process = g_strdup(process);
    vm->image = g_strdup(image);
    vm->boot_id = g_strdup(svirt_journal_boot_id());
    vm->launcher = getpid();
    vm->launcher_start = process_start_time(vm->launcher);
    g_ptr_array_add(journal->vms, vm);
    return vm;
}

void
svirt_journal_remove_vm(SvirtJournal *journal, const char *uuid)
{
    SvirtJournalVm *vm = svirt_journal_lookup_vm(journal, uuid);

    if (vm)
        g_ptr_array_remove(journal->vms, vm);
}

void
svirt_journal_vm_launched(SvirtJournalVm *vm)
{
    vm->launcher = 0;
    vm->launcher_start = 0;
}

gboolean
svirt_journal_vm_is_launching(const SvirtJournalVm *vm)
{
    return vm->launcher > 0 && vm->launcher_start != 0 &&
           g_strcmp0(vm->boot_id, svirt_journal_boot_id()) == 0 &&
           process_start_time(vm->launcher) == vm->launcher_start;
}

gboolean
svirt_journal_vm_equal(const SvirtJournalVm *a, const SvirtJournalVm *b)
{
    return g_str_equal(a->uuid, b->uuid) && g_strcmp0(a->level, b->level) == 0 &&
           g_strcmp0(a->process, b->process) == 0 && g_strcmp0(a->image, b->image) == 0 &&
           g_strcmp0(a->boot_id, b->boot_id) == 0 && a->launcher == b->launcher &&
           a->launcher_start == b->launcher_start;
}
