#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "svirt-audit.h"
#include "svirt-console.h"
#include "svirt-engine.h"
#include "svirt-journal.h"
#include "svirt-lifecycle.h"
#include "svm-test-fixture.h"
#include "svm-test-util.h"
#include "svm-test-vm.h"

typedef struct {
    SvirtVmEventKind kind;
    SvirtVmState state;
    char *name;
    guint count;
} LastEvent;

static void
on_vm_event(SvirtEngine *engine, SvirtVmEventKind kind, SvirtVmInfo *info, LastEvent *last)
{
    last->kind = kind;
    last->state = info->state;
    g_free(last->name);
    last->name = g_strdup(info->name);
    last->count++;
}

static gboolean
event_count_reached(gpointer data)
{
    LastEvent *last = data;

    return last->count > 0;
}

static void
wait_event(LastEvent *last, SvirtVmEventKind kind, SvirtVmState state, const char *what)
{
    last->count = 0;
    svm_test_wait_for(event_count_reached, last, 5000, what);
    g_assert_cmpint(last->kind, ==, kind);
    if (kind == SVIRT_VM_EVENT_STATE || kind == SVIRT_VM_EVENT_DEFINED)
        g_assert_cmpint(last->state, ==, state);
}

static void
test_bad_uri(void)
{
    const char *uris[] = { "nosuchdriver:///system", "qemu://", "::::", "test:///no/such/file.xml" };

    for (gsize i = 0; i < G_N_ELEMENTS(uris); i++) {
        g_autoptr(SvirtEngine) engine = svirt_engine_new(uris[i]);
        g_autoptr(GError) error = NULL;

        g_assert_false(svirt_engine_connect(engine, NULL, &error));
        g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_CONNECT);
        g_test_message("%s -> %s", uris[i], error->message);
        g_assert_nonnull(strstr(error->message, uris[i]));
        g_assert_nonnull(strstr(error->message, "libvirtd is running"));
        g_assert_false(svirt_engine_is_connected(engine));
    }
}

static void
test_list_not_connected(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new("test:///default");
    g_autoptr(GError) error = NULL;

    g_assert_null(svirt_engine_list_vms(engine, NULL, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_DISCONNECTED);
}

static void
test_default_uri(void)
{
    g_autoptr(SvirtEngine) engine = NULL;

    g_setenv("LIBVIRT_DEFAULT_URI", "test:///default", TRUE);
    engine = svirt_engine_new(NULL);
    g_assert_cmpstr(svirt_engine_get_requested_uri(engine), ==, "test:///default");
    g_unsetenv("LIBVIRT_DEFAULT_URI");
    g_clear_object(&engine);
    engine = svirt_engine_new("");
    g_assert_cmpstr(svirt_engine_get_requested_uri(engine), ==,
                    geteuid() == 0 ? "qemu:///system" : "qemu:///session");
}

static void
test_list(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new("test:///default");
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) vms = NULL;
    SvirtVmInfo *vm;

    g_assert_true(svirt_engine_connect(engine, NULL, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(svirt_engine_get_uri(engine), ==, "test:///default");
    vms = svirt_engine_list_vms(engine, NULL, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(vms->len, ==, 1);
    vm = g_ptr_array_index(vms, 0);
    g_assert_cmpstr(vm->name, ==, "test");
    g_assert_cmpstr(vm->uuid, ==, "6695eb01-f6a4-8304-79aa-97f2502e193f");
    g_assert_cmpint(vm->state, ==, SVIRT_VM_STATE_RUNNING);
    g_assert_true(vm->persistent);
}

static void
on_list_ready(GObject *source, GAsyncResult *result, gpointer data)
{
    GPtrArray **out = data;
    g_autoptr(GError) error = NULL;

    *out = svirt_engine_list_vms_finish(SVIRT_ENGINE(source), result, &error);
    g_assert_no_error(error);
}

static void
on_connected(GObject *source, GAsyncResult *result, gpointer data)
{
    gboolean *done = data;
    g_autoptr(GError) error = NULL;

    g_assert_true(svirt_engine_connect_finish(SVIRT_ENGINE(source), result, &error));
    g_assert_no_error(error);
    *done = TRUE;
}

static void
test_async(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new("test:///default");
    g_autoptr(GPtrArray) vms = NULL;
    gboolean connected = FALSE;

    svirt_engine_connect_async(engine, NULL, on_connected, &connected);
    svm_test_wait_for(svm_test_flag_is_set, &connected, 5000, "the connection");
    g_assert_true(svirt_engine_is_connected(engine));
    svirt_engine_list_vms_async(engine, NULL, on_list_ready, &vms);
    svm_test_wait_for(svm_test_pointer_is_set, &vms, 5000, "the VM list");
    g_assert_cmpuint(vms->len, ==, 1);
}

static const char *new_vm_xml =
    "<domain type='test'><name>svm-event-vm</name><memory>65536</memory>"
    "<os><type>hvm</type></os></domain>";

static void
test_events(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new("test:///default");
    g_autoptr(GError) error = NULL;
    g_autoptr(virConnect) other = NULL;
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(virDomain) added = NULL;
    LastEvent last = { 0 };

    g_assert_true(svirt_engine_connect(engine, NULL, &error));
    g_signal_connect(engine, "vm-event", G_CALLBACK(on_vm_event), &last);

    /* test:///default is one state per process: a second connection acts like virsh. */
    other = virConnectOpen("test:///default");
    g_assert_nonnull(other);
    dom = virDomainLookupByName(other, "test");
    g_assert_nonnull(dom);

    g_assert_cmpint(virDomainSuspend(dom), ==, 0);
    wait_event(&last, SVIRT_VM_EVENT_STATE, SVIRT_VM_STATE_PAUSED, "the pause event");
    g_assert_cmpstr(last.name, ==, "test");
    g_assert_cmpint(virDomainResume(dom), ==, 0);
    wait_event(&last, SVIRT_VM_EVENT_STATE, SVIRT_VM_STATE_RUNNING, "the resume event");
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    wait_event(&last, SVIRT_VM_EVENT_STATE, SVIRT_VM_STATE_SHUTOFF, "the stop event");
    g_assert_cmpint(virDomainCreate(dom), ==, 0);
    wait_event(&last, SVIRT_VM_EVENT_STATE, SVIRT_VM_STATE_RUNNING, "the start event");

    added = virDomainDefineXML(other, new_vm_xml);
    g_assert_nonnull(added);
    wait_event(&last, SVIRT_VM_EVENT_DEFINED, SVIRT_VM_STATE_SHUTOFF, "the define event");
    g_assert_cmpstr(last.name, ==, "svm-event-vm");
    g_assert_cmpint(virDomainUndefine(added), ==, 0);
    wait_event(&last, SVIRT_VM_EVENT_UNDEFINED, 0, "the undefine event");
    g_free(last.name);
}

typedef struct {
    GPtrArray *uuids; /* every "labels-changed" seen, in order */
} LabelChanges;

static void
on_labels_changed(SvirtEngine *engine, const char *uuid, LabelChanges *changes)
{
    g_ptr_array_add(changes->uuids, g_strdup(uuid));
}

typedef struct {
    LabelChanges *changes;
    const char *uuid;
    guint n;
} LabelWait;

static gboolean
labels_changed_for(gpointer data)
{
    LabelWait *w = data;
    guint seen = 0;

    for (guint i = 0; i < w->changes->uuids->len; i++) {
        if (g_strcmp0(g_ptr_array_index(w->changes->uuids, i), w->uuid) == 0)
            seen++;
    }
    return seen >= w->n;
}

/* Waits until the signal came @n times for @uuid since the last wait, then forgets them. */
static void
wait_labels_changed(LabelChanges *changes, const char *uuid, guint n, const char *what)
{
    LabelWait w = { changes, uuid, n };

    svm_test_wait_for(labels_changed_for, &w, 10000, what);
    g_ptr_array_set_size(changes->uuids, 0);
}

/* Every label change the engine makes or sees is announced with the VM's UUID, on the main
 * loop, so that a VM list can refresh that row. */
static void
test_labels_changed(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new("test:///default");
    g_autoptr(GError) error = NULL;
    g_autoptr(virConnect) other = NULL;
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(SvirtSettings) settings = svirt_settings_new();
    g_autoptr(SvirtJournal) journal = NULL;
    g_autofree char *dir = svm_test_make_dir("svm-labels");
    g_autofree char *file = g_build_filename(dir, "image.img", NULL);
    LabelChanges changes = { g_ptr_array_new_with_free_func(g_free) };
    const char *gone_uuid = "0b0e1d2c-3a4b-4c5d-8e6f-708192a3b4c5";
    char uuid[VIR_UUID_STRING_BUFLEN];
    SvirtFinding stale = { 0 };

    g_assert_no_error(error);
    g_assert_true(g_file_set_contents(file, "", 0, NULL));
    g_assert_true(svirt_engine_connect(engine, NULL, &error));
    svirt_engine_watch_stops(engine);
    g_signal_connect(engine, "labels-changed", G_CALLBACK(on_labels_changed), &changes);
    other = virConnectOpen("test:///default");
    dom = virDomainDefineXML(other, "<domain type='test'><name>svm-labels-vm</name>"
                                    "<memory>65536</memory><os><type>hvm</type></os></domain>");
    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainGetUUIDString(dom, uuid), ==, 0);

    /* A start labels. */
    g_assert_true(svirt_engine_start_vm(engine, uuid, NULL, &error));
    g_assert_no_error(error);
    wait_labels_changed(&changes, uuid, 1, "labels-changed after a start");

    /* A stop done elsewhere is seen and its labels restored. */
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    wait_labels_changed(&changes, uuid, 1, "labels-changed after a stop outside the engine");

    /* A start and a stop through the engine, each announced. */
    g_assert_true(svirt_engine_start_vm(engine, uuid, NULL, &error));
    wait_labels_changed(&changes, uuid, 1, "labels-changed after the second start");
    g_assert_true(svirt_engine_stop_vm(engine, uuid, TRUE, 0, &error));
    g_assert_no_error(error);
    /* Once by the stop, once when its stop event is seen. */
    wait_labels_changed(&changes, uuid, 2, "labels-changed after a stop");

    /* An audit fix of a stale label restores it. */
    stale.kind = SVIRT_FINDING_STALE;
    stale.severity = SVIRT_SEVERITY_WARNING;
    stale.vm_name = "svm-labels-vm";
    stale.vm_uuid = uuid;
    stale.path = file;
    stale.fixable = TRUE;
    svirt_audit_fix(engine, &stale, NULL);
    wait_labels_changed(&changes, uuid, 1, "labels-changed after an audit fix");

    /* Reconcile releases what a VM that no longer runs still held. */
    journal = svirt_journal_open(NULL, &error);
    g_assert_nonnull(journal);
    g_assert_true(svirt_journal_lock(journal, &error));
    svirt_journal_add_holder(journal, file, NULL, "system_u:object_r:svirt_image_t:s0:c1,c2",
                             gone_uuid);
    g_assert_true(svirt_journal_commit(journal, &error));
    svirt_journal_unlock(journal);
    g_assert_true(svirt_engine_reconcile(engine, NULL, NULL, &error));
    g_assert_no_error(error);
    wait_labels_changed(&changes, gone_uuid, 1, "labels-changed after a reconcile");

    /* New settings change the label the VM will get (last: the metadata event that follows
     * announces it again). */
    settings->mode = SVIRT_SECURITY_MODE_STATIC;
    settings->label = g_strdup("system_u:system_r:svirt_t:s0:c11,c12");
    g_assert_true(svirt_engine_set_settings(engine, uuid, settings, &error));
    g_assert_no_error(error);
    wait_labels_changed(&changes, uuid, 1, "labels-changed after new settings");

    /* Settings stored by another program, here through another connection. */
    {
        g_autoptr(virDomain) elsewhere = virDomainDefineXML(
            other, "<domain type='test'><name>svm-labels-elsewhere</name><memory>65536</memory>"
                   "<os><type>hvm</type></os></domain>");
        g_autofree char *xml = svirt_settings_format(settings);
        char elsewhere_uuid[VIR_UUID_STRING_BUFLEN];

        g_assert_nonnull(elsewhere);
        g_assert_cmpint(virDomainGetUUIDString(elsewhere, elsewhere_uuid), ==, 0);
        g_assert_cmpint(virDomainSetMetadata(elsewhere, VIR_DOMAIN_METADATA_ELEMENT, xml,
                                             SVIRT_METADATA_PREFIX, SVIRT_METADATA_NS,
                                             VIR_DOMAIN_AFFECT_CONFIG),
                        ==, 0);
        wait_labels_changed(&changes, elsewhere_uuid, 1,
                            "labels-changed after settings stored elsewhere");
        g_assert_cmpint(virDomainUndefine(elsewhere), ==, 0);
    }

    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    g_ptr_array_unref(changes.uuids);
    g_unlink(file);
    g_rmdir(dir);
}

/* The range a start or a plan uses: the call's, else the engine's (from the app's settings),
 * else the host's. */
static void
test_mcs_range(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new("test:///default");
    g_autofree char *host = NULL;
    g_autofree char *set = NULL;
    g_autofree char *given = NULL;
    g_autofree char *cleared = NULL;

    host = svirt_engine_dup_mcs_range(engine, NULL);
    g_assert_cmpstr(host, ==, "s0:c0.c1023");
    svirt_engine_set_mcs_range(engine, "s0:c5.c6");
    set = svirt_engine_dup_mcs_range(engine, NULL);
    g_assert_cmpstr(set, ==, "s0:c5.c6");
    given = svirt_engine_dup_mcs_range(engine, "c0.c9");
    g_assert_cmpstr(given, ==, "c0.c9");
    svirt_engine_set_mcs_range(engine, "");
    cleared = svirt_engine_dup_mcs_range(engine, NULL);
    g_assert_cmpstr(cleared, ==, "s0:c0.c1023");
}

typedef struct {
    SvirtEngine *engine;
    gint stop;
} UriRace;

static gpointer
reconnect_loop(gpointer data)
{
    UriRace *race = data;

    while (!g_atomic_int_get(&race->stop)) {
        g_assert_true(svirt_engine_connect(race->engine, NULL, NULL));
        svirt_engine_disconnect(race->engine);
    }
    return NULL;
}

/* The URI a window shows is read on the main thread while a Retry connects in a worker,
 * which sets it: every read is a whole, valid URI. */
static void
test_uri_while_connecting(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new("test:///default");
    UriRace race = { engine, 0 };
    GThread *worker = g_thread_new("connect", reconnect_loop, &race);
    gint64 end = g_get_monotonic_time() + G_USEC_PER_SEC / 2;
    guint reads = 0;

    while (g_get_monotonic_time() < end) {
        g_autofree char *copy = g_strdup(svirt_engine_get_uri(engine));

        g_assert_cmpstr(copy, ==, "test:///default");
        reads++;
    }
    g_atomic_int_set(&race.stop, 1);
    g_thread_join(worker);
    g_assert_cmpuint(reads, >, 0);
}

/* A failed libvirt call is reported with libvirt's own reason, not "no error": the VM's name
 * in the message must not be read after the failure, which would clear that reason. */
static void
test_libvirt_reason_kept(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new("test:///default");
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtConsole) console = NULL;

    g_assert_true(svirt_engine_connect(engine, NULL, NULL));
    /* The test driver has no consoles. */
    console = svirt_console_open(engine, "test", &error);
    g_assert_null(console);
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_LIBVIRT);
    g_test_message("%s", error->message);
    g_assert_true(g_str_has_prefix(error->message, "Could not open the console of test: "));
    g_assert_null(strstr(error->message, "no error"));
    g_assert_nonnull(strstr(error->message, "not supported"));
}

/* libvirt writes to its socket with write(): a connection libvirtd closed must give an error,
 * not kill the program with SIGPIPE. */
static void
test_sigpipe_ignored(void)
{
    void (*before)(int);

    if (g_test_subprocess()) {
        struct sigaction now;
        int fds[2];

        /* main() initialised libvirt, with SIGPIPE at its default from the parent. */
        g_assert_cmpint(sigaction(SIGPIPE, NULL, &now), ==, 0);
        g_assert_true(now.sa_handler == SIG_IGN);
        g_assert_cmpint(pipe(fds), ==, 0);
        close(fds[0]);
        g_assert_cmpint(write(fds[1], "x", 1), ==, -1);
        g_assert_cmpint(errno, ==, EPIPE);
        close(fds[1]);
        return;
    }
    before = signal(SIGPIPE, SIG_DFL);
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    signal(SIGPIPE, before);
    g_test_trap_assert_passed();
}

/* Root, and any URI but the local qemu:///system, keep the engine in the process. */
static void
test_helper_only_for_desktop_users(void)
{
    g_autoptr(SvirtEngine) system = svirt_engine_new("qemu:///system");
    g_autoptr(SvirtEngine) session = svirt_engine_new("qemu:///session");
    g_autoptr(SvirtEngine) remote = svirt_engine_new("qemu+ssh://host/system");

    if (geteuid() == 0)
        g_assert_false(svirt_engine_uses_helper(system));
    g_assert_false(svirt_engine_uses_helper(session));
    g_assert_false(svirt_engine_uses_helper(remote));
    if (geteuid() != 0) {
        g_test_skip("the rest runs as root, which then becomes an unprivileged user");
        return;
    }
    if (g_test_subprocess()) {
        g_autoptr(SvirtEngine) engine = svirt_engine_new("qemu:///system");
        g_autoptr(GError) error = NULL;

        g_assert_cmpint(setgid(65534), ==, 0);
        g_assert_cmpint(setuid(65534), ==, 0);
        g_assert_true(svirt_engine_uses_helper(engine));
        g_assert_false(svirt_engine_uses_helper(session));
        /* No system bus: the start is not attempted in the process, and the error says why. */
        g_setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/svirt-test-bus", TRUE);
        g_assert_false(svirt_engine_start_vm(engine, "some-vm", NULL, &error));
        g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED);
        g_assert_nonnull(strstr(error->message, "Could not start the VM: the system bus is not "
                                                "reachable"));
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
}

/* A desktop user deleting a VM with a file outside any storage pool that only root may remove:
 * the VM goes, the file stays, and the error says why and what to do. */
static void
test_delete_file_not_permitted(void)
{
    const char *image = g_getenv("SVM_TEST_DELETE_IMAGE");

    if (geteuid() != 0) {
        g_test_skip("runs as root, which then becomes an unprivileged user");
        return;
    }
    if (g_test_subprocess()) {
        g_autoptr(SvirtEngine) engine = svirt_engine_new("test:///default");
        g_autoptr(virConnect) conn = NULL;
        g_autoptr(virDomain) dom = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *disk = svm_test_disk_xml(image, "vdb", "");
        const char *paths[] = { image, NULL };

        g_assert_true(svirt_engine_connect(engine, NULL, &error));
        conn = svirt_engine_dup_connection(engine, NULL);
        dom = svm_test_define_test_vm(conn, "svm-delete-not-permitted", disk);
        g_assert_nonnull(dom);
        g_assert_cmpint(setgid(65534), ==, 0);
        g_assert_cmpint(setuid(65534), ==, 0);
        g_assert_false(svirt_engine_delete_vm(engine, "svm-delete-not-permitted", paths,
                                              &error));
        g_assert_nonnull(error);
        g_test_message("%s", error->message);
        g_assert_nonnull(strstr(error->message, image));
        g_assert_nonnull(strstr(error->message, "in no storage pool"));
        g_assert_true(g_file_test(image, G_FILE_TEST_EXISTS));
        return;
    }
    {
        g_autofree char *dir = svm_test_make_dir("svm-engine-delete");
        g_autofree char *path = g_build_filename(dir, "disk.img", NULL);

        g_assert_cmpint(g_chmod(dir, 0755), ==, 0);
        svm_test_write_blank_image(path, 4096);
        g_setenv("SVM_TEST_DELETE_IMAGE", path, TRUE);
        g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDOUT);
        svm_test_rmdir(dir);
        g_test_trap_assert_passed();
    }
}

int
main(int argc, char *argv[])
{
    g_autofree char *state = NULL;
    int ret;

    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_DEFAULT);
    g_test_init(&argc, &argv, NULL);
    svirt_engine_init_libvirt();
    /* Reconcile on the test driver would release what other tests' VMs hold: a journal of
     * its own. */
    state = svm_test_make_dir("svm-engine-state");
    g_setenv("SVIRT_STATE_DIR", state, TRUE);
    g_test_add_func("/engine/bad-uri", test_bad_uri);
    g_test_add_func("/engine/helper-only-for-desktop-users", test_helper_only_for_desktop_users);
    g_test_add_func("/engine/sigpipe-ignored", test_sigpipe_ignored);
    g_test_add_func("/engine/delete-file-not-permitted", test_delete_file_not_permitted);
    g_test_add_func("/engine/not-connected", test_list_not_connected);
    g_test_add_func("/engine/default-uri", test_default_uri);
    g_test_add_func("/engine/list", test_list);
    g_test_add_func("/engine/async", test_async);
    g_test_add_func("/engine/events", test_events);
    g_test_add_func("/engine/mcs-range", test_mcs_range);
    g_test_add_func("/engine/labels-changed", test_labels_changed);
    g_test_add_func("/engine/libvirt-reason-kept", test_libvirt_reason_kept);
    g_test_add_func("/engine/uri-while-connecting", test_uri_while_connecting);
    ret = g_test_run();
    svm_test_rmdir(state);
    return ret;
}
