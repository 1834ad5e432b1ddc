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
};

static void vm_free(SvirtJournalVm *vm);
static gboolean load_vms(SvirtJournal *journal, JsonObject *root, GError **error);
static void add_vms_json(SvirtJournal *journal, JsonBuilder *b);

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
    g_free(entry->original);
    g_free(entry->label);
    g_ptr_array_unref(entry->holders);
    g_free(entry->boot_id);
    g_free(entry);
}

static SvirtJournalEntry *
entry_new(const char *path, const char *original, const char *label, const char *boot_id)
{
    SvirtJournalEntry *entry = g_new0(SvirtJournalEntry, 1);

    entry->path = g_strdup(path);
    entry->original = g_strdup(original);
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

/* One entry, or NULL with @why set when it is not what the engine writes. */
static SvirtJournalEntry *
read_entry(JsonNode *node, const char **why)
{
    const char *path, *original, *label, *boot_id;
    JsonObject *obj;
    JsonNode *holders;
    SvirtJournalEntry *entry;

    if (!JSON_NODE_HOLDS_OBJECT(node)) {
        *why = _("is not an object");
        return NULL;
    }
    obj = json_node_get_object(node);
    if (!optional_string(obj, "path", &path) || !path) {
        *why = _("has no path");
        return NULL;
    }
    if (!optional_string(obj, "original", &original) || !optional_string(obj, "label", &label) ||
        !optional_string(obj, "boot_id", &boot_id)) {
        *why = _("has a label or boot id that is not a string");
        return NULL;
    }
    holders = json_object_get_member(obj, "holders");
    if (holders && !JSON_NODE_HOLDS_NULL(holders) && !JSON_NODE_HOLDS_ARRAY(holders)) {
        *why = _("has holders that are not a list");
        return NULL;
    }
    entry = entry_new(path, original, label, boot_id);
    for (guint h = 0; holders && JSON_NODE_HOLDS_ARRAY(holders) &&
                      h < json_array_get_length(json_node_get_array(holders));
         h++) {
        JsonNode *uuid = json_array_get_element(json_node_get_array(holders), h);

        if (!JSON_NODE_HOLDS_VALUE(uuid) || json_node_get_value_type(uuid) != G_TYPE_STRING) {
            entry_free(entry);
            *why = _("has a holder that is not a string");
            return NULL;
        }
        g_ptr_array_add(entry->holders, g_strdup(json_node_get_string(uuid)));
    }
    return entry;
}

static gboolean
damaged(SvirtJournal *journal, const char *why, GError **error)
{
    /* The parser quotes the damaged bytes, which need not be UTF-8. */
    g_autofree char *readable = g_utf8_make_valid(why, -1);

    /* Never overwrite it: it may hold the only record of original labels. */
    g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                _("The label journal %s is damaged (%s). It was left as it is; inspect it, "
                  "restore the labels it lists by hand if needed, then move it aside."),
                journal->file, readable);
    return FALSE;
}

static gboolean
load(SvirtJournal *journal, GError **error)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) local = NULL;
    g_autofree char *data = NULL;
    gsize len = 0;
    JsonObject *root;
    JsonArray *entries;

    g_ptr_array_set_size(journal->entries, 0);
    g_ptr_array_set_size(journal->vms, 0);
    if (!g_file_test(journal->file, G_FILE_TEST_EXISTS))
        return TRUE;
    if (!g_file_get_contents(journal->file, &data, &len, &local))
        return damaged(journal, local->message, error);
    if (!nesting_within(data, len, MAX_NESTING))
        return damaged(journal, _("nested deeper than any journal"), error);
    if (!json_parser_load_from_data(parser, data, (gssize)len, &local))
        return damaged(journal, local->message, error);
    if (!json_parser_get_root(parser) || !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
        return damaged(journal, _("not a JSON object"), error);
    root = json_node_get_object(json_parser_get_root(parser));
    if (json_object_get_int_member_with_default(root, "version", 0) != JOURNAL_VERSION ||
        !json_object_has_member(root, "entries") ||
        !JSON_NODE_HOLDS_ARRAY(json_object_get_member(root, "entries"))) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("The label journal %s has an unknown format. It was left as it is; "
                      "a newer sVirt Manager may have written it."),
                    journal->file);
        return FALSE;
    }
    entries = json_object_get_array_member(root, "entries");
    for (guint i = 0; i < json_array_get_length(entries); i++) {
        const char *why = NULL;
        SvirtJournalEntry *entry = read_entry(json_array_get_element(entries, i), &why);

        if (!entry) {
            g_autofree char *detail = g_strdup_printf(
                /* TRANSLATORS: %u counts from 1; %s says what is wrong, e.g. "has no path" */
                _("entry %u %s"), i + 1, why);

            g_ptr_array_set_size(journal->entries, 0);
            return damaged(journal, detail, error);
        }
        g_ptr_array_add(journal->entries, entry);
    }
    return load_vms(journal, root, error);
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

GPtrArray *
svirt_journal_get_entries(SvirtJournal *journal)
{
    g_return_val_if_fail(journal->locked, NULL);
    return journal->entries;
}

SvirtJournalEntry *
svirt_journal_lookup(SvirtJournal *journal, const char *path)
{
    g_return_val_if_fail(journal->locked, NULL);
    for (guint i = 0; i < journal->entries->len; i++) {
        SvirtJournalEntry *entry = g_ptr_array_index(journal->entries, i);

        if (g_str_equal(entry->path, path))
            return entry;
    }
    return NULL;
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

/* A path already in the journal keeps its first original: later holders saw our label. */
SvirtJournalEntry *
svirt_journal_add_holder(SvirtJournal *journal, const char *path, const char *original,
                         const char *label, const char *holder)
{
    SvirtJournalEntry *entry = svirt_journal_lookup(journal, path);

    if (!entry) {
        entry = entry_new(path, original, label, svirt_journal_boot_id());
        g_ptr_array_add(journal->entries, entry);
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

    if (entry)
        g_ptr_array_remove(journal->entries, entry);
}

static char *
to_json(SvirtJournal *journal)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autoptr(JsonNode) root = NULL;

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "version");
    json_builder_add_int_value(b, JOURNAL_VERSION);
    json_builder_set_member_name(b, "entries");
    json_builder_begin_array(b);
    for (guint i = 0; i < journal->entries->len; i++) {
        SvirtJournalEntry *entry = g_ptr_array_index(journal->entries, i);

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "path");
        json_builder_add_string_value(b, entry->path);
        json_builder_set_member_name(b, "original");
        if (entry->original)
            json_builder_add_string_value(b, entry->original);
        else
            json_builder_add_null_value(b);
        json_builder_set_member_name(b, "label");
        if (entry->label)
            json_builder_add_string_value(b, entry->label);
        else
            json_builder_add_null_value(b);
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
    json_builder_end_array(b);
    add_vms_json(journal, b);
    json_builder_end_object(b);

    root = json_builder_get_root(b);
    json_generator_set_root(gen, root);
    json_generator_set_pretty(gen, TRUE);
    return json_generator_to_data(gen, NULL);
}

/* Temp file, fsync, rename, fsync of the directory: after a crash either version is whole. */
gboolean
svirt_journal_commit(SvirtJournal *journal, GError **error)
{
    g_autofree char *data = NULL;
    g_autoptr(GError) local = NULL;
    int dirfd;

    g_return_val_if_fail(journal->locked, FALSE);
    data = to_json(journal);
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
    launcher = json_object_get_member(obj, "launcher");
    if (launcher && !JSON_NODE_HOLDS_NULL(launcher) &&
        (!JSON_NODE_HOLDS_OBJECT(launcher) ||
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
load_vms(SvirtJournal *journal, JsonObject *root, GError **error)
{
    JsonNode *node = json_object_get_member(root, "vms");
    JsonArray *vms;

    if (!node || JSON_NODE_HOLDS_NULL(node))
        return TRUE;
    if (!JSON_NODE_HOLDS_ARRAY(node)) {
        g_ptr_array_set_size(journal->entries, 0);
        return damaged(journal, _("its VMs are not a list"), error);
    }
    vms = json_node_get_array(node);
    for (guint i = 0; i < json_array_get_length(vms); i++) {
        const char *why = NULL;
        SvirtJournalVm *vm = read_vm(json_array_get_element(vms, i), &why);

        if (!vm) {
            g_autofree char *detail = g_strdup_printf(
                /* TRANSLATORS: %u counts from 1; %s says what is wrong, e.g. "has no UUID" */
                _("VM %u %s"), i + 1, why);

            g_ptr_array_set_size(journal->entries, 0);
            g_ptr_array_set_size(journal->vms, 0);
            return damaged(journal, detail, error);
        }
        g_ptr_array_add(journal->vms, vm);
    }
    return TRUE;
}

static void
add_vms_json(SvirtJournal *journal, JsonBuilder *b)
{
    json_builder_set_member_name(b, "vms");
    json_builder_begin_array(b);
    for (guint i = 0; i < journal->vms->len; i++) {
        SvirtJournalVm *vm = g_ptr_array_index(journal->vms, i);
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
    g_return_val_if_fail(journal->locked, NULL);
    return journal->vms;
}

SvirtJournalVm *
svirt_journal_lookup_vm(SvirtJournal *journal, const char *uuid)
{
    g_return_val_if_fail(journal->locked, NULL);
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
