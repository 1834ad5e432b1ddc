#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "svirt-journal.h"
#include "svm-test-fixture.h"
#include "svm-test-vm.h"

#define VM1 "11111111-1111-1111-1111-111111111111"
#define VM2 "22222222-2222-2222-2222-222222222222"

/* Every directory a test makes; removed when the run ends. */
static GPtrArray *made_dirs;

static char *
new_dir(void)
{
    char *dir = svm_test_make_dir("svm-journal");

    g_ptr_array_add(made_dirs, g_strdup(dir));
    return dir;
}

/* A label as the kernel keeps a context: its text and a NUL. */
static GBytes *
context_bytes(const char *text)
{
    return g_bytes_new(text, strlen(text) + 1);
}

static void
assert_original(const SvirtJournalEntry *entry, const char *text)
{
    g_autoptr(GBytes) want = context_bytes(text);

    g_assert_nonnull(entry->original);
    g_assert_true(g_bytes_equal(entry->original, want));
}

static void
test_persisted(void)
{
    g_autofree char *dir = new_dir();
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtJournal) j = svirt_journal_open(dir, &error);
    g_autoptr(SvirtJournal) again = NULL;
    g_autoptr(GBytes) original = context_bytes("system_u:object_r:virt_image_t:s0");
    SvirtJournalEntry *e;

    g_assert_no_error(error);
    g_assert_true(svirt_journal_lock(j, &error));
    g_assert_cmpuint(svirt_journal_get_entries(j)->len, ==, 0);
    svirt_journal_add_holder(j, "/images/a.img", original,
                             "system_u:object_r:svirt_image_t:s0:c1,c2", VM1);
    svirt_journal_add_holder(j, "/images/b.img", NULL, "system_u:object_r:svirt_image_t:s0",
                             VM1);
    g_assert_true(svirt_journal_commit(j, &error));
    g_assert_no_error(error);
    svirt_journal_unlock(j);

    again = svirt_journal_open(dir, &error);
    g_assert_true(svirt_journal_lock(again, &error));
    g_assert_cmpuint(svirt_journal_get_entries(again)->len, ==, 2);
    e = svirt_journal_lookup(again, "/images/a.img");
    g_assert_nonnull(e);
    assert_original(e, "system_u:object_r:virt_image_t:s0");
    g_assert_cmpstr(e->label, ==, "system_u:object_r:svirt_image_t:s0:c1,c2");
    g_assert_cmpstr(e->boot_id, ==, svirt_journal_boot_id());
    g_assert_true(svirt_journal_entry_has_holder(e, VM1));
    /* No label before is recorded as such, not as an empty label. */
    e = svirt_journal_lookup(again, "/images/b.img");
    g_assert_null(e->original);
    svirt_journal_unlock(again);
}

static void
test_holders(void)
{
    g_autofree char *dir = new_dir();
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtJournal) j = svirt_journal_open(dir, &error);
    g_autoptr(GBytes) first = context_bytes("orig_u:object_r:orig_t:s0");
    g_autoptr(GBytes) seen = context_bytes("system_u:object_r:svirt_image_t:s0");
    SvirtJournalEntry *e;

    g_assert_true(svirt_journal_lock(j, &error));
    svirt_journal_add_holder(j, "/images/shared.img", first,
                             "system_u:object_r:svirt_image_t:s0", VM1);
    /* The second VM saw our label; the original must stay the first one. */
    e = svirt_journal_add_holder(j, "/images/shared.img", seen,
                                 "system_u:object_r:svirt_image_t:s0", VM2);
    assert_original(e, "orig_u:object_r:orig_t:s0");
    g_assert_cmpuint(e->holders->len, ==, 2);
    svirt_journal_add_holder(j, "/images/shared.img", NULL, NULL, VM2);
    g_assert_cmpuint(e->holders->len, ==, 2);

    g_assert_false(svirt_journal_remove_holder(j, "/images/shared.img", VM1));
    g_assert_true(svirt_journal_remove_holder(j, "/images/shared.img", VM2));
    svirt_journal_remove(j, "/images/shared.img");
    g_assert_null(svirt_journal_lookup(j, "/images/shared.img"));
    svirt_journal_unlock(j);
}

static void
test_damaged(void)
{
    g_autofree char *dir = new_dir();
    g_autofree char *file = g_build_filename(dir, "journal.json", NULL);
    g_autofree char *after = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtJournal) j = NULL;
    const char *junk = "{\"version\": 1, \"entries\": [ {\"path\": \"/x\", ";

    g_assert_true(g_file_set_contents(file, junk, -1, NULL));
    j = svirt_journal_open(dir, &error);
    g_assert_false(svirt_journal_lock(j, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED);
    g_assert_nonnull(strstr(error->message, "damaged"));
    g_assert_false(svirt_journal_is_locked(j));
    /* Left exactly as it was. */
    g_assert_true(g_file_get_contents(file, &after, NULL, NULL));
    g_assert_cmpstr(after, ==, junk);
}

/* Journals the engine never writes: each is refused with a reason, never parsed into a crash
 * nor read as "no label", and left exactly as it was. */
static void
test_refused_shapes(void)
{
    g_autofree char *deep = NULL;
    struct {
        const char *contents;
        const char *reason;
    } cases[] = {
        { NULL, "nested deeper" },
        { "", "damaged" },
        { "[1]", "not a JSON object" },
        { "{\"version\": 1, \"entries\": [ 7 ]}", "entry 1 is not an object" },
        { "{\"version\": 1, \"entries\": [ {\"original\": \"a\"} ]}", "entry 1 has no path" },
        { "{\"version\": 1, \"entries\": [ {\"path\": \"/a\"}, {\"path\": \"/x\", "
          "\"original\": 5} ]}",
          "entry 2 has a label or boot id that is not a string" },
        { "{\"version\": 1, \"entries\": [ {\"path\": \"/x\", \"holders\": \"" VM1 "\"} ]}",
          "entry 1 has holders that are not a list" },
        { "{\"version\": 1, \"entries\": [ {\"path\": \"/x\", \"holders\": [ {} ]} ]}",
          "entry 1 has a holder that is not a string" },
        { "{\"version\": 1, \"entries\": [ {\"path\": \"/x\", \"path_base64\": \"L3*=\"} ]}",
          "entry 1 has a path or label whose bytes are not valid base64" },
        { "{\"version\": 1, \"entries\": [ {\"path\": \"/x\", \"path_base64\": \"L3k=\"} ]}",
          "entry 1 has a path or label whose readable form does not match its bytes" },
        /* "/a", a NUL, "b": no file has such a name. */
        { "{\"version\": 1, \"entries\": [ {\"path\": \"/a\", \"path_base64\": \"L2EAYg==\"} ]}",
          "entry 1 has a path or label whose bytes are not valid base64 of a name" },
        { "{\"version\": 1, \"entries\": [ {\"path\": \"/x\", \"label\": \"a\", "
          "\"label_base64\": 1} ]}",
          "entry 1 has a path or label that is not a string" },
        { "{\"version\": 1, \"entries\": [ {\"path\": \"/x\", \"original\": \"a\", "
          "\"original_base64\": \"Yg==\"} ]}",
          "entry 1 has an original label whose readable form does not match its bytes" },
        { "{\"version\": 1, \"entries\": [ {\"path\": \"/x\", \"original\": null, "
          "\"original_base64\": \"YQ==\"} ]}",
          "entry 1 has an original label whose readable form does not match its bytes" },
        { "{\"version\": 1, \"entries\": [ {\"path\": \"/x\", \"original\": \"a\", "
          "\"original_base64\": \"YQ\"} ]}",
          "entry 1 has an original label whose bytes are not valid base64" },
        { "{\"version\": 1, \"entries\": [ {\"path\": \"/x\", \"original\": \"a\", "
          "\"original_base64\": [\"YQ==\"]} ]}",
          "entry 1 has a label or boot id that is not a string" },
        /* The parser takes an octal escape for a byte, which need not make text. */
        { "{\"version\": 1, \"entries\": [ {\"path\": \"/x\", \"holders\": [\"\\222\"]} ]}",
          "entry 1 has a holder that is not text" },
        { "{\"version\": 1, \"entries\": [ {\"path\": \"/x\", \"boot_id\": \"\\222\"} ]}",
          "entry 1 has a boot id that is not text" },
        { "{\"version\": 1, \"entries\": [], \"vms\": [ {\"uuid\": \"\\222\"} ]}",
          "VM 1 has a UUID, label or boot id that is not text" },
        { "{\"version\": 1, \"entries\": [], \"vms\": [ {\"uuid\": \"u\", "
          "\"launcher\": {\"pid\": 1, \"start\": \"x\"}} ]}",
          "VM 1 has a launching process that is not one" },
    };
    GString *nested = g_string_new(NULL);

    /* Deep enough to overflow a recursive parser's stack. */
    for (guint i = 0; i < 200000; i++)
        g_string_append_c(nested, '[');
    deep = g_string_free(nested, FALSE);
    cases[0].contents = deep;
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *dir = new_dir();
        g_autofree char *file = g_build_filename(dir, "journal.json", NULL);
        g_autofree char *after = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(SvirtJournal) j = NULL;

        g_assert_true(g_file_set_contents(file, cases[i].contents, -1, NULL));
        j = svirt_journal_open(dir, &error);
        g_assert_no_error(error);
        g_assert_false(svirt_journal_lock(j, &error));
        g_test_message("%.60s -> %s", cases[i].contents, error->message);
        g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED);
        g_assert_nonnull(strstr(error->message, cases[i].reason));
        g_assert_nonnull(strstr(error->message, file));
        g_assert_true(g_file_get_contents(file, &after, NULL, NULL));
        g_assert_cmpstr(after, ==, cases[i].contents);
        g_unlink(file);
        g_rmdir(dir);
    }
}

/* The parser quotes the bytes it stumbled on; the message stays readable UTF-8. */
static void
test_damaged_message_readable(void)
{
    g_autofree char *dir = new_dir();
    g_autofree char *file = g_build_filename(dir, "journal.json", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtJournal) j = NULL;
    /* "\\22" is an escape the parser decodes to a byte that is not UTF-8. */
    const char *junk = "{\"i\x01" "c-\\\\\\22222\"], ";

    g_assert_true(g_file_set_contents(file, junk, -1, NULL));
    j = svirt_journal_open(dir, &error);
    g_assert_false(svirt_journal_lock(j, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED);
    g_assert_nonnull(strstr(error->message, "damaged"));
    g_assert_true(g_utf8_validate(error->message, -1, NULL));
    g_unlink(file);
    g_rmdir(dir);
}

/* An entry without a boot id is written back without one, not with an empty one. */
static void
test_boot_id_absent_kept(void)
{
    g_autofree char *dir = new_dir();
    g_autofree char *file = g_build_filename(dir, "journal.json", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtJournal) j = NULL;
    SvirtJournalEntry *entry;

    g_assert_true(g_file_set_contents(file,
                                      "{\"version\": 1, \"entries\": [ {\"path\": \"/x\", "
                                      "\"holders\": [\"" VM1 "\"]} ]}",
                                      -1, NULL));
    j = svirt_journal_open(dir, &error);
    g_assert_true(svirt_journal_lock(j, &error));
    g_assert_true(svirt_journal_commit(j, &error));
    svirt_journal_unlock(j);
    g_assert_true(svirt_journal_lock(j, &error));
    g_assert_no_error(error);
    entry = svirt_journal_lookup(j, "/x");
    g_assert_nonnull(entry);
    g_assert_null(entry->boot_id);
    g_assert_cmpuint(entry->holders->len, ==, 1);
    svirt_journal_unlock(j);
    g_unlink(file);
    g_rmdir(dir);
}

typedef struct {
    char *path;
    GBytes *original;
    char *label;
} Expected;

static void
expected_clear(Expected *e)
{
    g_free(e->path);
    g_clear_pointer(&e->original, g_bytes_unref);
    g_free(e->label);
}

/* Originals of every shape a filesystem can hold: any byte (NUL too), with and without the
 * trailing NUL, empty, longer than a page, or none. */
static GBytes *
odd_original(guint i)
{
    guint8 all[256];

    for (guint b = 0; b < 256; b++)
        all[b] = (guint8)b;
    switch (i % 7) {
    case 0:
        return g_bytes_new(all, sizeof(all));
    case 1:
        return g_bytes_new(all + 1, sizeof(all) - 1);
    case 2:
        return g_bytes_new("u:r:t:s0", 8);
    case 3:
        return g_bytes_new("", 0);
    case 4: {
        g_autofree guint8 *big = g_malloc(5000);

        for (guint b = 0; b < 5000; b++)
            big[b] = (guint8)(b * 7 + 1);
        return g_bytes_new(big, 5000);
    }
    case 5:
        return g_bytes_new("u_\xc3\xa9:r:t:s0\xff", 11);
    default:
        return NULL;
    }
}

/* A path (or a label) with any byte but NUL, and a path with all of them, come back byte for
 * byte, as do originals of any bytes; the journal stays readable UTF-8 JSON. */
static void
test_bytes_round_trip(void)
{
    g_autofree char *dir = new_dir();
    g_autofree char *file = g_build_filename(dir, "journal.json", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtJournal) j = svirt_journal_open(dir, &error);
    g_autoptr(SvirtJournal) again = NULL;
    g_autoptr(GArray) want = g_array_new(FALSE, TRUE, sizeof(Expected));
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autofree char *text = NULL;
    GString *every = g_string_new("/images/");

    g_array_set_clear_func(want, (GDestroyNotify)expected_clear);
    for (guint b = 1; b <= 0xff; b++) {
        Expected e = { g_strdup_printf("/images/x%c.img", (char)b), odd_original(b), NULL };

        e.label = b % 2 ? g_strdup_printf("u:object_r:%c_t:s0", (char)b)
                        : g_strdup("system_u:object_r:svirt_image_t:s0:c1,c2");
        g_array_append_val(want, e);
        g_string_append_c(every, (char)b);
    }
    {
        Expected e = { g_string_free(every, FALSE), odd_original(0), g_strdup("l\xfe") };

        g_array_append_val(want, e);
    }
    g_assert_true(svirt_journal_lock(j, &error));
    for (guint i = 0; i < want->len; i++) {
        Expected *e = &g_array_index(want, Expected, i);

        svirt_journal_add_holder(j, e->path, e->original, e->label, VM1);
    }
    g_assert_true(svirt_journal_commit(j, &error));
    g_assert_no_error(error);
    svirt_journal_unlock(j);

    g_assert_true(g_file_get_contents(file, &text, NULL, NULL));
    g_assert_true(g_utf8_validate(text, -1, NULL));
    g_assert_true(json_parser_load_from_data(parser, text, -1, &error));

    again = svirt_journal_open(dir, &error);
    g_assert_true(svirt_journal_lock(again, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(svirt_journal_get_entries(again)->len, ==, want->len);
    for (guint i = 0; i < want->len; i++) {
        Expected *e = &g_array_index(want, Expected, i);
        SvirtJournalEntry *got = g_ptr_array_index(svirt_journal_get_entries(again), i);

        g_assert_cmpstr(got->path, ==, e->path);
        g_assert_cmpstr(got->label, ==, e->label);
        if (!e->original)
            g_assert_null(got->original);
        else
            g_assert_true(got->original && g_bytes_equal(got->original, e->original));
        g_assert_true(svirt_journal_lookup(again, e->path) == got);
    }
    svirt_journal_unlock(again);
}

/* A journal written before paths and labels had their bytes beside them still reads, its
 * originals as the contexts they were (text and NUL), and is written back as readable. */
static void
test_journal_without_bytes(void)
{
    g_autofree char *dir = new_dir();
    g_autofree char *file = g_build_filename(dir, "journal.json", NULL);
    g_autofree char *after = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtJournal) j = NULL;
    SvirtJournalEntry *entry;

    g_assert_true(g_file_set_contents(
        file,
        "{\"version\": 1, \"entries\": [ {\"path\": \"/images/\xc3\xa9t\xc3\xa9.img\", "
        "\"original\": \"system_u:object_r:virt_image_t:s0\", \"label\": "
        "\"system_u:object_r:svirt_image_t:s0:c1,c2\", \"boot_id\": \"b\", \"holders\": [\"" VM1
        "\"]} ]}",
        -1, NULL));
    j = svirt_journal_open(dir, &error);
    g_assert_true(svirt_journal_lock(j, &error));
    g_assert_no_error(error);
    entry = svirt_journal_lookup(j, "/images/\xc3\xa9t\xc3\xa9.img");
    g_assert_nonnull(entry);
    assert_original(entry, "system_u:object_r:virt_image_t:s0");
    g_assert_true(svirt_journal_commit(j, &error));
    svirt_journal_unlock(j);
    g_assert_true(g_file_get_contents(file, &after, NULL, NULL));
    g_assert_null(strstr(after, "_base64"));
    g_assert_nonnull(strstr(after, "\"original\" : \"system_u:object_r:virt_image_t:s0\""));
}

/* What would not read back as the same entries is never written over the journal. */
static void
test_unreadable_never_written(void)
{
    g_autofree char *dir = new_dir();
    g_autofree char *file = g_build_filename(dir, "journal.json", NULL);
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtJournal) j = svirt_journal_open(dir, &error);

    g_assert_true(svirt_journal_lock(j, &error));
    svirt_journal_add_holder(j, "/images/a.img", NULL, "u:object_r:t:s0", VM1);
    g_assert_true(svirt_journal_commit(j, &error));
    g_assert_true(g_file_get_contents(file, &before, NULL, NULL));
    /* Holders are UUIDs the engine gets from libvirtd; one that is not UTF-8 cannot be JSON. */
    svirt_journal_add_holder(j, "/images/b.img", NULL, "u:object_r:t:s0", "\xff\xfe");
    g_assert_false(svirt_journal_commit(j, &error));
    g_test_message("%s", error->message);
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED);
    g_assert_nonnull(strstr(error->message, "was not written"));
    g_assert_nonnull(strstr(error->message, file));
    g_assert_true(g_utf8_validate(error->message, -1, NULL));
    svirt_journal_unlock(j);
    g_assert_true(g_file_get_contents(file, &after, NULL, NULL));
    g_assert_cmpstr(after, ==, before);
    g_clear_error(&error);
    g_assert_true(svirt_journal_lock(j, &error));
    g_assert_cmpuint(svirt_journal_get_entries(j)->len, ==, 1);
    svirt_journal_unlock(j);
}

static void
test_unusable_dir(void)
{
    g_autofree char *dir = new_dir();
    g_autofree char *file = g_build_filename(dir, "plain", NULL);
    g_autofree char *below = g_build_filename(file, "state", NULL);
    g_autoptr(GError) error = NULL;

    g_assert_true(g_file_set_contents(file, "", -1, NULL));
    g_assert_null(svirt_journal_open(below, &error));
    g_assert_nonnull(error);
    g_assert_nonnull(strstr(error->message, below));
}

/* Each child adds its own entries under the lock; none may be lost to a concurrent writer. */
static void
test_concurrent_writers(void)
{
    g_autofree char *dir = new_dir();
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtJournal) j = NULL;
    const int children = 4, rounds = 25;
    GPid pids[4];

    for (int c = 0; c < children; c++) {
        pid_t pid = fork();

        g_assert_cmpint(pid, >=, 0);
        if (pid == 0) {
            SvirtJournal *cj = svirt_journal_open(dir, NULL);

            for (int r = 0; r < rounds; r++) {
                g_autofree char *path = g_strdup_printf("/images/c%d-r%d.img", c, r);

                if (!svirt_journal_lock(cj, NULL))
                    _exit(2);
                svirt_journal_add_holder(cj, path, NULL, "l_u:object_r:t:s0", VM1);
                if (!svirt_journal_commit(cj, NULL))
                    _exit(3);
                svirt_journal_unlock(cj);
            }
            _exit(0);
        }
        pids[c] = pid;
    }
    for (int c = 0; c < children; c++) {
        int status;

        g_assert_cmpint(waitpid(pids[c], &status, 0), ==, pids[c]);
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    }
    j = svirt_journal_open(dir, &error);
    g_assert_true(svirt_journal_lock(j, &error));
    g_assert_cmpuint(svirt_journal_get_entries(j)->len, ==, children * rounds);
    svirt_journal_unlock(j);
}

static void
test_default_dir(void)
{
    g_autofree char *dir = NULL;

    g_setenv("SVIRT_STATE_DIR", "/srv/state", TRUE);
    dir = svirt_journal_default_dir();
    g_assert_cmpstr(dir, ==, "/srv/state");
    g_unsetenv("SVIRT_STATE_DIR");
    g_free(dir);
    dir = svirt_journal_default_dir();
    if (geteuid() == 0)
        g_assert_cmpstr(dir, ==, "/var/lib/svirt-manager");
    else
        g_assert_true(g_str_has_suffix(dir, "/svirt-manager"));
    g_assert_cmpuint(strlen(svirt_journal_boot_id()), ==, 36);
}

/* What a start records of a VM survives a reload; while its process lives the VM is being
 * started, and no longer once libvirtd runs it or that process is gone. */
static void
test_vm_records(void)
{
    g_autofree char *dir = new_dir();
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtJournal) j = svirt_journal_open(dir, &error);
    SvirtJournalVm *vm;
    GPid child;
    int status;

    g_assert_no_error(error);
    g_assert_true(svirt_journal_lock(j, &error));
    vm = svirt_journal_add_vm(j, VM1, "s0:c1,c2", "system_u:system_r:svirt_t:s0:c1,c2",
                              "system_u:object_r:svirt_image_t:s0:c1,c2");
    g_assert_true(svirt_journal_vm_is_launching(vm));
    svirt_journal_add_vm(j, VM2, NULL, NULL, NULL);
    g_assert_true(svirt_journal_commit(j, &error));
    svirt_journal_unlock(j);

    g_assert_true(svirt_journal_lock(j, &error));
    g_assert_cmpuint(svirt_journal_get_vms(j)->len, ==, 2);
    vm = svirt_journal_lookup_vm(j, VM1);
    g_assert_nonnull(vm);
    g_assert_cmpstr(vm->level, ==, "s0:c1,c2");
    g_assert_cmpstr(vm->process, ==, "system_u:system_r:svirt_t:s0:c1,c2");
    g_assert_cmpstr(vm->image, ==, "system_u:object_r:svirt_image_t:s0:c1,c2");
    g_assert_cmpint(vm->launcher, ==, getpid());
    g_assert_true(svirt_journal_vm_is_launching(vm));
    svirt_journal_vm_launched(vm);
    g_assert_false(svirt_journal_vm_is_launching(vm));
    g_assert_null(svirt_journal_lookup_vm(j, VM2)->level);

    /* A process that has ended starts nothing. */
    child = fork();
    if (child == 0)
        _exit(0);
    vm = svirt_journal_lookup_vm(j, VM2);
    vm->launcher = child;
    g_assert_cmpint(waitpid(child, &status, 0), ==, child);
    g_assert_false(svirt_journal_vm_is_launching(vm));
    svirt_journal_remove_vm(j, VM2);
    g_assert_null(svirt_journal_lookup_vm(j, VM2));
    svirt_journal_unlock(j);
}

/* The journal another process sent as text (svirt-helper's, for a desktop user) reads as a
 * snapshot with the same entries and VM records; text that is no journal is refused. */
static void
test_snapshot_from_data(void)
{
    g_autofree char *dir = new_dir();
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtJournal) j = svirt_journal_open(dir, &error);
    g_autoptr(SvirtJournal) copy = NULL;
    g_autoptr(SvirtJournal) bad = NULL;
    g_autofree char *text = NULL;
    SvirtJournalEntry *entry;

    g_assert_no_error(error);
    g_assert_true(svirt_journal_lock(j, &error));
    svirt_journal_add_vm(j, VM1, "s0:c1,c2", "system_u:system_r:svirt_t:s0:c1,c2",
                         "system_u:object_r:svirt_image_t:s0:c1,c2");
    svirt_journal_add_holder(j, "/images/a.img", NULL,
                             "system_u:object_r:svirt_image_t:s0:c1,c2", VM1);
    text = svirt_journal_format(svirt_journal_get_entries(j), svirt_journal_get_vms(j));
    svirt_journal_unlock(j);

    copy = svirt_journal_snapshot_from_data(text, strlen(text), &error);
    g_assert_no_error(error);
    g_assert_nonnull(copy);
    g_assert_cmpstr(svirt_journal_lookup_vm(copy, VM1)->image, ==,
                    "system_u:object_r:svirt_image_t:s0:c1,c2");
    entry = svirt_journal_lookup(copy, "/images/a.img");
    g_assert_nonnull(entry);
    g_assert_true(svirt_journal_entry_has_holder(entry, VM1));
    g_assert_true(svirt_journal_has_holder(copy, VM1));
    g_assert_false(svirt_journal_has_holder(copy, VM2));

    bad = svirt_journal_snapshot_from_data("{\"entries\": 3}", 15, &error);
    g_assert_null(bad);
    g_assert_nonnull(error);
}

static void
test_vm_records_refused(void)
{
    const char *cases[][2] = {
        { "{\"version\": 1, \"entries\": [], \"vms\": 3}", "its VMs are not a list" },
        { "{\"version\": 1, \"entries\": [], \"vms\": [ {\"level\": \"s0\"} ]}",
          "VM 1 has no UUID" },
        { "{\"version\": 1, \"entries\": [], \"vms\": [ {\"uuid\": \"" VM1 "\", "
          "\"launcher\": {\"pid\": \"x\"}} ]}",
          "VM 1 has a launching process that is not one" },
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *dir = new_dir();
        g_autofree char *file = g_build_filename(dir, "journal.json", NULL);
        g_autoptr(GError) error = NULL;
        g_autoptr(SvirtJournal) j = NULL;

        g_assert_true(g_file_set_contents(file, cases[i][0], -1, NULL));
        j = svirt_journal_open(dir, &error);
        g_assert_false(svirt_journal_lock(j, &error));
        g_test_message("%s -> %s", cases[i][0], error->message);
        g_assert_nonnull(strstr(error->message, cases[i][1]));
    }
}

/* Whoever cannot wait for ever gives up with SVIRT_ERROR_TIMED_OUT. */
static void
test_lock_within(void)
{
    g_autofree char *dir = new_dir();
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtJournal) holder = svirt_journal_open(dir, &error);
    g_autoptr(SvirtJournal) waiter = svirt_journal_open(dir, &error);
    gint64 start;

    g_assert_true(svirt_journal_lock(holder, &error));
    start = g_get_monotonic_time();
    g_assert_false(svirt_journal_lock_within(waiter, 300, &error));
    g_assert_cmpint(g_get_monotonic_time() - start, >=, 300 * 1000);
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_TIMED_OUT);
    g_assert_nonnull(strstr(error->message, "stayed locked"));
    g_assert_false(svirt_journal_is_locked(waiter));
    g_clear_error(&error);
    svirt_journal_unlock(holder);
    g_assert_true(svirt_journal_lock_within(waiter, 300, &error));
    svirt_journal_unlock(waiter);
}

/* A list reads the journal without waiting for a start that holds its lock, and sees the
 * version last written; entries are found by path however many there are. */
static void
test_snapshot(void)
{
    g_autofree char *dir = new_dir();
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtJournal) writer = svirt_journal_open(dir, &error);
    g_autoptr(SvirtJournal) before = NULL;
    g_autoptr(SvirtJournal) after = NULL;
    g_autoptr(GTimer) timer = g_timer_new();

    g_assert_no_error(error);
    g_assert_true(svirt_journal_lock(writer, &error));
    for (guint i = 0; i < 2000; i++) {
        g_autofree char *path = g_strdup_printf("/images/vm-%u.img", i);

        svirt_journal_add_holder(writer, path, NULL, "system_u:object_r:svirt_image_t:s0:c1,c2",
                                 i % 2 ? VM1 : VM2);
    }
    svirt_journal_add_vm(writer, VM1, "s0:c1,c2", "system_u:system_r:svirt_t:s0:c1,c2",
                         "system_u:object_r:svirt_image_t:s0:c1,c2");
    g_assert_true(svirt_journal_commit(writer, &error));
    svirt_journal_remove(writer, "/images/vm-7.img");
    g_assert_null(svirt_journal_lookup(writer, "/images/vm-7.img"));
    g_assert_nonnull(svirt_journal_lookup(writer, "/images/vm-8.img"));

    /* The writer still holds the lock: the snapshot neither waits nor sees the uncommitted. */
    g_timer_start(timer);
    before = svirt_journal_read_snapshot(dir, &error);
    g_assert_no_error(error);
    g_assert_cmpfloat(g_timer_elapsed(timer, NULL), <, 5.0);
    g_assert_cmpuint(svirt_journal_get_entries(before)->len, ==, 2000);
    g_assert_nonnull(svirt_journal_lookup(before, "/images/vm-7.img"));
    g_assert_true(svirt_journal_has_holder(before, VM2));
    g_assert_true(svirt_journal_has_holder(before, VM1));
    g_assert_false(svirt_journal_has_holder(before, "00000000-0000-4000-8000-000000000000"));
    g_assert_cmpstr(svirt_journal_lookup_vm(before, VM1)->level, ==, "s0:c1,c2");
    g_assert_null(svirt_journal_lookup_vm(before, VM2));
    g_assert_true(svirt_journal_commit(writer, &error));
    svirt_journal_unlock(writer);

    after = svirt_journal_read_snapshot(dir, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(svirt_journal_get_entries(after)->len, ==, 1999);
    g_assert_null(svirt_journal_lookup(after, "/images/vm-7.img"));
    for (guint i = 0; i < 2000; i++) {
        g_autofree char *path = g_strdup_printf("/images/vm-%u.img", i);

        g_assert_true((svirt_journal_lookup(after, path) != NULL) == (i != 7));
    }

    /* A VM whose paths were all restored holds nothing in the next snapshot. */
    g_assert_true(svirt_journal_lock(writer, &error));
    for (guint i = 0; i < 2000; i += 2) {
        g_autofree char *path = g_strdup_printf("/images/vm-%u.img", i);

        svirt_journal_remove_holder(writer, path, VM2);
    }
    g_assert_true(svirt_journal_commit(writer, &error));
    svirt_journal_unlock(writer);
    g_clear_pointer(&after, svirt_journal_free);
    after = svirt_journal_read_snapshot(dir, &error);
    g_assert_no_error(error);
    g_assert_false(svirt_journal_has_holder(after, VM2));
    g_assert_true(svirt_journal_has_holder(after, VM1));
}

int
main(int argc, char *argv[])
{
    int ret;

    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_DEFAULT);
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/journal/persisted", test_persisted);
    g_test_add_func("/journal/snapshot", test_snapshot);
    g_test_add_func("/journal/snapshot-from-data", test_snapshot_from_data);
    g_test_add_func("/journal/holders", test_holders);
    g_test_add_func("/journal/damaged", test_damaged);
    g_test_add_func("/journal/refused-shapes", test_refused_shapes);
    g_test_add_func("/journal/damaged-message-readable", test_damaged_message_readable);
    g_test_add_func("/journal/boot-id-absent-kept", test_boot_id_absent_kept);
    g_test_add_func("/journal/bytes-round-trip", test_bytes_round_trip);
    g_test_add_func("/journal/without-bytes", test_journal_without_bytes);
    g_test_add_func("/journal/unreadable-never-written", test_unreadable_never_written);
    g_test_add_func("/journal/unusable-dir", test_unusable_dir);
    g_test_add_func("/journal/concurrent-writers", test_concurrent_writers);
    g_test_add_func("/journal/default-dir", test_default_dir);
    g_test_add_func("/journal/vm-records", test_vm_records);
    g_test_add_func("/journal/vm-records-refused", test_vm_records_refused);
    g_test_add_func("/journal/lock-within", test_lock_within);
    made_dirs = g_ptr_array_new_with_free_func(g_free);
    ret = g_test_run();
    for (guint i = 0; i < made_dirs->len; i++)
        svm_test_rmdir(g_ptr_array_index(made_dirs, i));
    g_ptr_array_unref(made_dirs);
    return ret;
}
