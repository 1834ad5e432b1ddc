#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "svirt-engine.h"
#include "svirt-journal.h"
#include "svm-test-fixture.h"
#include "svm-test-util.h"
#include "svm-test-vm.h"

#define VM_A "aaaaaaaa-0000-4000-8000-00000000000a"
#define VM_B "bbbbbbbb-0000-4000-8000-00000000000b"
#define LABEL_A "system_u:object_r:svirt_image_t:s0:c1,c2"
#define LABEL_B "system_u:object_r:svirt_image_t:s0:c3,c4"
#define LABEL_B2 "system_u:object_r:svirt_image_t:s0:c5,c6"

typedef struct {
    GPtrArray *uuids; /* every "labels-changed" seen since the last wait */
} Changes;

static void
on_labels_changed(SvirtEngine *engine, const char *uuid, Changes *changes)
{
    g_ptr_array_add(changes->uuids, g_strdup(uuid));
}

static guint
count(Changes *changes, const char *uuid)
{
    guint n = 0;

    for (guint i = 0; i < changes->uuids->len; i++)
        n += g_str_equal(g_ptr_array_index(changes->uuids, i), uuid);
    return n;
}

typedef struct {
    Changes *changes;
    const char *uuid;
} Wait;

static gboolean
announced(gpointer data)
{
    Wait *w = data;

    return count(w->changes, w->uuid) > 0;
}

/* Waits until @uuid is announced; the announcements seen meanwhile stay for the caller. */
static void
wait_announced(Changes *changes, const char *uuid, const char *what)
{
    Wait w = { changes, uuid };

    svm_test_wait_for(announced, &w, 10000, what);
}

static gboolean
watching(gpointer data)
{
    return svirt_engine_is_watching_labels(data);
}

/* What another process does: its own journal handle, the lock, a change, a commit. */
typedef void (*Change)(SvirtJournal *journal, gpointer data);

static void
change_elsewhere(Change change, gpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtJournal) journal = svirt_journal_open(NULL, &error);

    g_assert_no_error(error);
    g_assert_true(svirt_journal_lock(journal, &error));
    if (change)
        change(journal, data);
    g_assert_true(svirt_journal_commit(journal, &error));
    g_assert_no_error(error);
    svirt_journal_unlock(journal);
}

static void
hold_a(SvirtJournal *journal, gpointer path)
{
    svirt_journal_add_holder(journal, path, NULL, LABEL_A, VM_A);
}

static void
release_a(SvirtJournal *journal, gpointer path)
{
    if (svirt_journal_remove_holder(journal, path, VM_A))
        svirt_journal_remove(journal, path);
}

static void
hold_b(SvirtJournal *journal, gpointer path)
{
    svirt_journal_add_holder(journal, path, NULL, LABEL_B, VM_B);
}

static void
release_b(SvirtJournal *journal, gpointer path)
{
    if (svirt_journal_remove_holder(journal, path, VM_B))
        svirt_journal_remove(journal, path);
}

static void
relabel_b(SvirtJournal *journal, gpointer path)
{
    svirt_journal_add_holder(journal, path, NULL, LABEL_B2, VM_B);
}

static SvirtEngine *
watching_engine(Changes *changes)
{
    g_autoptr(GError) error = NULL;
    SvirtEngine *engine = svirt_engine_new("test:///default");

    g_assert_true(svirt_engine_connect(engine, NULL, &error));
    g_assert_no_error(error);
    g_signal_connect(engine, "labels-changed", G_CALLBACK(on_labels_changed), changes);
    svirt_engine_watch_labels(engine);
    svm_test_wait_for(watching, engine, 10000, "the first look at the journal");
    return engine;
}

/* Label changes other processes record in the journal are announced for the VM whose holdings
 * changed, and only for it. */
static void
test_other_process(void)
{
    Changes changes = { g_ptr_array_new_with_free_func(g_free) };
    g_autoptr(SvirtEngine) engine = watching_engine(&changes);
    const char *path_a = "/images/watch-a.img";
    const char *path_b = "/images/watch-b.img";

    /* The first look announced nothing. */
    g_assert_cmpuint(changes.uuids->len, ==, 0);

    change_elsewhere(hold_a, (gpointer)path_a);
    wait_announced(&changes, VM_A, "labels-changed for a VM another process labelled");
    g_assert_cmpuint(count(&changes, VM_B), ==, 0);
    g_ptr_array_set_size(changes.uuids, 0);

    change_elsewhere(hold_b, (gpointer)path_b);
    wait_announced(&changes, VM_B, "labels-changed for a second VM");
    g_assert_cmpuint(count(&changes, VM_A), ==, 0);
    g_ptr_array_set_size(changes.uuids, 0);

    /* A rewrite that changes nothing announces nothing: by the time the next real change is
     * announced, the rewrite has been read too. */
    change_elsewhere(NULL, NULL);
    change_elsewhere(relabel_b, (gpointer)path_b);
    wait_announced(&changes, VM_B, "labels-changed for a VM relabelled elsewhere");
    g_assert_cmpuint(count(&changes, VM_A), ==, 0);
    g_assert_cmpuint(count(&changes, VM_B), ==, 1);
    g_ptr_array_set_size(changes.uuids, 0);

    /* Released, as a restore does. */
    change_elsewhere(release_a, (gpointer)path_a);
    wait_announced(&changes, VM_A, "labels-changed for a VM released elsewhere");
    g_assert_cmpuint(count(&changes, VM_B), ==, 0);
    g_ptr_array_set_size(changes.uuids, 0);

    change_elsewhere(release_b, (gpointer)path_b);
    wait_announced(&changes, VM_B, "labels-changed for the last VM released");
    g_assert_cmpuint(count(&changes, VM_A), ==, 0);
    g_ptr_array_unref(changes.uuids);
}

/* The qemu hook, a real process of its own, restores what a VM held when libvirtd releases it;
 * the engine of the app sees it. */
static void
test_hook_process(void)
{
    Changes changes = { g_ptr_array_new_with_free_func(g_free) };
    g_autoptr(SvirtEngine) engine = watching_engine(&changes);
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = svm_test_make_dir("svm-watch");
    g_autofree char *file = g_build_filename(dir, "disk.img", NULL);
    g_autoptr(GSubprocess) hook = NULL;
    g_autofree char *xml = g_strdup_printf("<domain type='kvm'><name>svm-watch</name>"
                                           "<uuid>%s</uuid></domain>",
                                           VM_A);
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_no_error(error);
    g_assert_true(g_file_set_contents(file, "", 0, NULL));
    change_elsewhere(hold_a, file);
    wait_announced(&changes, VM_A, "labels-changed for a VM labelled elsewhere");
    g_ptr_array_set_size(changes.uuids, 0);

    hook = g_subprocess_new(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            &error, g_getenv("SVIRTCTL"), "hook", "svm-watch", "release", "end",
                            "-", NULL);
    g_assert_no_error(error);
    g_assert_true(g_subprocess_communicate_utf8(hook, xml, NULL, &out, &err, &error));
    g_assert_no_error(error);
    if (!g_subprocess_get_if_exited(hook) || g_subprocess_get_exit_status(hook) != 0)
        g_error("svirtctl hook failed: %s", err);
    wait_announced(&changes, VM_A, "labels-changed after the qemu hook released the VM");
    {
        g_autoptr(SvirtJournal) journal = svirt_journal_open(NULL, NULL);

        g_assert_true(svirt_journal_lock(journal, NULL));
        g_assert_null(svirt_journal_lookup(journal, file));
        svirt_journal_unlock(journal);
    }
    g_ptr_array_unref(changes.uuids);
    g_unlink(file);
    g_rmdir(dir);
}

/* An engine dropped while a change is on its way goes away at once and its watch with it:
 * nothing is emitted on it afterwards (G_DEBUG=fatal-criticals), and other engines still
 * see changes. */
static void
test_stops_with_engine(void)
{
    Changes changes = { g_ptr_array_new_with_free_func(g_free) };
    SvirtEngine *engine = watching_engine(&changes);
    GWeakRef weak;
    g_autofree char *path = g_strdup("/images/watch-gone.img");

    g_weak_ref_init(&weak, engine);
    change_elsewhere(hold_a, path);
    g_object_unref(engine);
    g_assert_null(g_weak_ref_get(&weak));
    g_weak_ref_clear(&weak);
    /* A later change announced to a second engine shows that the first one's is past. */
    {
        Changes later = { g_ptr_array_new_with_free_func(g_free) };
        g_autoptr(SvirtEngine) second = watching_engine(&later);

        change_elsewhere(release_a, path);
        wait_announced(&later, VM_A, "labels-changed to the engine that still runs");
        g_ptr_array_unref(later.uuids);
    }
    g_assert_cmpuint(changes.uuids->len, ==, 0);
    g_ptr_array_unref(changes.uuids);
}

int
main(int argc, char *argv[])
{
    g_autofree char *state = NULL;
    g_autofree char *journal = NULL;
    g_autofree char *lock = NULL;
    int ret;

    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_DEFAULT);
    g_test_init(&argc, &argv, NULL);
    svirt_engine_init_libvirt();
    state = svm_test_make_dir("svm-watch-state");
    g_setenv("SVIRT_STATE_DIR", state, TRUE);
    g_test_add_func("/journal-watch/other-process", test_other_process);
    g_test_add_func("/journal-watch/hook-process", test_hook_process);
    g_test_add_func("/journal-watch/stops-with-engine", test_stops_with_engine);
    ret = g_test_run();
    journal = g_build_filename(state, "journal.json", NULL);
    lock = g_build_filename(state, "journal.lock", NULL);
    g_unlink(journal);
    g_unlink(lock);
    g_rmdir(state);
    return ret;
}
