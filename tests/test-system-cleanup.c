#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <pwd.h>
#include <libvirt/virterror.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "svirt-journal.h"
#include "svirt-labeler.h"
#include "svirt-lifecycle.h"
#include "svm-test-label.h"
#include "svm-test-fixture.h"
#include "svm-test-util.h"
#include "svm-test-vm.h"

#define URI svm_test_uri()
#define ORIGINAL "system_u:object_r:virt_image_t:s0"
#define WAIT_MS 120000
/* Where the subprocess finds the parent's directory, and writes what it made. */
#define ENV_DIR "SVM_TEST_CLEANUP_DIR"
#define ENV_REPORT "SVM_TEST_CLEANUP_REPORT"

/* Whether the journal still holds a label for VM @uuid. */
static gboolean
journal_holds(const char *uuid)
{
    g_autoptr(GError) error = NULL;
    SvirtJournal *journal = svirt_journal_open(NULL, &error);
    GPtrArray *entries;
    gboolean held = FALSE;

    g_assert_no_error(error);
    g_assert_true(svirt_journal_lock(journal, &error));
    entries = svirt_journal_get_entries(journal);
    for (guint i = 0; i < entries->len; i++)
        held = held || svirt_journal_entry_has_holder(g_ptr_array_index(entries, i), uuid);
    svirt_journal_unlock(journal);
    svirt_journal_free(journal);
    return held;
}

static char *
write_images(const char *dir, const char *stem)
{
    g_autofree char *boot = g_strdup_printf("%s/%s-boot.img", dir, stem);
    char *data = g_strdup_printf("%s/%s-data.img", dir, stem);

    svm_test_write_boot_image(boot);
    svm_test_write_blank_image(data, 65536);
    svm_test_set_label(boot, ORIGINAL);
    svm_test_set_label(data, ORIGINAL);
    return data;
}

/* A VM booting @dir/@stem-boot.img, with @dir/@stem-data.img and @extra as private disks. */
static char *
define_vm(virConnectPtr conn, const char *name, const char *dir, const char *stem,
          const char *extra)
{
    g_autofree char *boot = g_strdup_printf("%s/%s-boot.img", dir, stem);
    g_autofree char *data = g_strdup_printf("%s/%s-data.img", dir, stem);
    g_autofree char *data_disk = svm_test_disk_xml(data, "vdb", "");
    g_autofree char *extra_disk = svm_test_disk_xml(extra, "vdc", "");
    g_autofree char *devices = g_strconcat(data_disk, extra_disk, NULL);
    g_autofree char *xml = svm_test_domain_xml(name, boot, devices);
    g_autoptr(virDomain) dom = virDomainDefineXML(conn, xml);
    char uuid[VIR_UUID_STRING_BUFLEN];

    if (!dom)
        g_error("Could not define %s: %s", name, virGetLastErrorMessage());
    g_assert_cmpint(virDomainGetUUIDString(dom, uuid), ==, 0);
    return g_strdup(uuid);
}

static gboolean
path_gone(gpointer data)
{
    return !g_file_test(data, G_FILE_TEST_EXISTS);
}

static gboolean
vm_gone(gpointer data)
{
    g_autoptr(virConnect) conn = virConnectOpen(URI);
    g_autoptr(virDomain) dom = conn ? virDomainLookupByUUIDString(conn, data) : NULL;

    virResetLastError();
    return conn && !dom;
}

/* Scratch directories of this process, one under /tmp with @bound bind-mounted in it, one in
 * a host place; their paths and whether the bind mount was made, as lines of the report. */
static char *
make_scratch(const char *bound)
{
    g_autofree char *scratch = svm_test_make_dir("svm-cleanup-scratch");
    g_autofree char *host = svm_test_make_host_dir("svm-cleanup-host");
    g_autofree char *view = g_build_filename(scratch, "view", NULL);
    g_autofree char *file = g_build_filename(host, "scratch.txt", NULL);
    gboolean mounted;

    g_assert_true(g_file_set_contents(file, "scratch", -1, NULL));
    g_assert_cmpint(g_mkdir(view, 0700), ==, 0);
    mounted = mount(bound, view, NULL, MS_BIND, NULL) == 0;
    if (!mounted)
        g_test_message("mount --bind %s: %s", bound, g_strerror(errno));
    return g_strdup_printf("%s\n%s\n%s\n", scratch, host, mounted ? "mounted" : "not mounted");
}

/* In the subprocess: a test binary of its own, which starts a VM and dies on an assertion. */
static void
run_and_abort(void)
{
    const char *dir = g_getenv(ENV_DIR);
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *own_dir = NULL;
    g_autofree char *own = NULL;
    g_autofree char *name = NULL;
    g_autofree char *uuid = NULL;
    g_autofree char *data = NULL;
    g_autofree char *report = NULL;
    g_autofree char *scratch = NULL;

    g_assert_nonnull(dir);
    g_unsetenv(SVM_TEST_OWNER_ENV);
    svm_test_fixture_init(NULL, SVM_TEST_FIXTURE_DEFAULT);
    g_assert_cmpint(svm_test_owner(), ==, getpid());
    g_assert_true(svirt_engine_connect(engine, NULL, &error));
    conn = svirt_engine_dup_connection(engine, NULL);
    own_dir = svm_test_make_vm_dir("svm-cleanup-own");
    own = g_build_filename(own_dir, "own.img", NULL);
    svm_test_write_blank_image(own, 65536);
    data = write_images(dir, "aborted");
    name = svm_test_vm_name("svm-test-cleanup-aborted");
    uuid = define_vm(conn, name, dir, "aborted", own);
    svirt_engine_start_vm(engine, uuid, NULL, &error);
    g_assert_no_error(error);
    g_assert_true(g_str_has_prefix(svm_test_label_of(data), "system_u:object_r:svirt_image_t:s0:c"));
    /* The parent's directory, bound in a scratch directory: the sweep must not empty it. */
    scratch = make_scratch(dir);
    report = g_strdup_printf("%s\n%s\n%s", uuid, own_dir, scratch);
    g_assert_true(g_file_set_contents(g_getenv(ENV_REPORT), report, -1, NULL));
    /* What a failed g_assert does: no teardown runs. */
    abort();
}

/* A test binary that dies on an assertion leaves no VM, no label, no directory and no mount
 * behind, and removes nothing through a mount. */
static void
test_after_abort(void)
{
    g_autofree char *dir = NULL;
    g_autofree char *report_path = NULL;
    g_autofree char *report = NULL;
    g_auto(GStrv) lines = NULL;

    if (g_test_subprocess()) {
        run_and_abort();
        return;
    }
    dir = svm_test_make_vm_dir("svm-cleanup");
    report_path = g_build_filename(dir, "report.txt", NULL);
    g_setenv(ENV_DIR, dir, TRUE);
    g_setenv(ENV_REPORT, report_path, TRUE);
    g_test_trap_subprocess(NULL, 300 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
    g_test_trap_assert_failed();
    g_assert_true(g_file_get_contents(report_path, &report, NULL, NULL));
    lines = g_strsplit(report, "\n", -1);
    g_assert_cmpuint(g_strv_length(lines), >=, 5);
    g_test_message("The subprocess left %s and %s", lines[0], lines[1]);

    svm_test_wait_for(vm_gone, lines[0], WAIT_MS, "the watchdog to remove the VM");
    /* The watchdog forced the VM off through the engine: its labels are back. */
    {
        g_autofree char *boot = g_build_filename(dir, "aborted-boot.img", NULL);
        g_autofree char *data = g_build_filename(dir, "aborted-data.img", NULL);

        svm_test_assert_label(boot, ORIGINAL);
        svm_test_assert_label(data, ORIGINAL);
    }
    g_assert_false(journal_holds(lines[0]));
    /* The directories the subprocess made are gone with it, in /tmp and in the host place
     * (swept last), and the directory bound in one of them kept its files. */
    svm_test_wait_for(path_gone, lines[3], WAIT_MS, "the watchdog to remove the directories");
    g_assert_false(g_file_test(lines[1], G_FILE_TEST_EXISTS));
    g_assert_false(g_file_test(lines[2], G_FILE_TEST_EXISTS));
    g_assert_true(g_file_test(report_path, G_FILE_TEST_IS_REGULAR));
    if (g_strcmp0(lines[4], "mounted") != 0)
        g_test_message("No bind mount was made: the sweep was not tried on one.");
    svm_test_rmdir(dir);
}

/* The stand-in owner dies with this process, so a failure here leaves it no VM to keep. */
static void
die_with_parent(gpointer data)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static GPid
spawn_owner(void)
{
    const char *sleeper[] = { "/bin/sleep", "600", NULL };
    g_autoptr(GError) error = NULL;
    GPid pid;

    g_assert_true(g_spawn_async(NULL, (char **)sleeper, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                die_with_parent, NULL, &pid, &error));
    g_assert_no_error(error);
    return pid;
}

static void
end_owner(GPid pid)
{
    int status;

    kill(pid, SIGKILL);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(svm_test_process_gone(pid));
}

static char *
make_dir_of(const char *prefix, GPid owner)
{
    g_autofree char *tmpl = g_strdup_printf("%s-%d-XXXXXX", prefix, (int)owner);
    char *dir = g_dir_make_tmp(tmpl, NULL);

    g_assert_nonnull(dir);
    /* QEMU runs as another user and must reach the images. */
    g_assert_cmpint(g_chmod(dir, 0755), ==, 0);
    return dir;
}

/* What a test binary owned by @owner leaves: a VM started through the engine, with its labels
 * in the owner's private journal, and a directory of its own. */
typedef struct {
    GPid owner;
    char *dir;
    char *state;
    char *name;
    char *uuid;
    char *data;
} Owned;

static void
make_owned(SvirtEngine *engine, virConnectPtr conn, Owned *o, const char *shared_dir,
           const char *stem)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *own = NULL;
    g_autofree char *name = g_strdup_printf("svm-test-cleanup-%s", stem);
    g_autofree char *saved = g_strdup(g_getenv("SVIRT_STATE_DIR"));

    o->owner = spawn_owner();
    o->dir = make_dir_of("svm-cleanup", o->owner);
    o->state = make_dir_of("svm-state", o->owner);
    own = g_build_filename(o->dir, "own.img", NULL);
    svm_test_write_blank_image(own, 65536);
    o->data = write_images(shared_dir, stem);
    o->name = g_strdup_printf("%s-%d", name, (int)o->owner);
    o->uuid = define_vm(conn, o->name, shared_dir, stem, own);
    g_setenv("SVIRT_STATE_DIR", o->state, TRUE);
    svirt_engine_start_vm(engine, o->uuid, NULL, &error);
    g_setenv("SVIRT_STATE_DIR", saved, TRUE);
    g_assert_no_error(error);
    g_assert_true(g_str_has_prefix(svm_test_label_of(o->data), "system_u:object_r:svirt_image_t:s0:c"));
}

static void
owned_clear(Owned *o)
{
    g_free(o->dir);
    g_free(o->state);
    g_free(o->name);
    g_free(o->uuid);
    g_free(o->data);
}

/* The sweep at the start of a test binary removes what an ended owner left, with the labels
 * restored from its journal, and nothing of an owner that still runs: binaries run in
 * parallel. */
static void
test_sweep_spares_running(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = svm_test_make_vm_dir("svm-cleanup");
    Owned running = { 0 }, ended = { 0 };

    g_assert_true(svirt_engine_connect(engine, NULL, &error));
    conn = svirt_engine_dup_connection(engine, NULL);
    make_owned(engine, conn, &running, dir, "running");
    make_owned(engine, conn, &ended, dir, "ended");

    end_owner(ended.owner);
    g_assert_cmpuint(svm_test_sweep(0), >=, 1);

    /* The ended owner's VM is gone, its labels restored, its directories removed... */
    g_assert_false(svm_test_domain_exists(conn, ended.uuid));
    svm_test_assert_label(ended.data, ORIGINAL);
    g_assert_false(g_file_test(ended.dir, G_FILE_TEST_EXISTS));
    g_assert_false(g_file_test(ended.state, G_FILE_TEST_EXISTS));
    /* ...and the running owner's VM still runs with its labels, its directories in place. */
    g_assert_true(svm_test_domain_exists(conn, running.uuid));
    g_assert_true(g_str_has_prefix(svm_test_label_of(running.data),
                                   "system_u:object_r:svirt_image_t:s0:c"));
    g_assert_true(g_file_test(running.dir, G_FILE_TEST_EXISTS));
    g_assert_true(g_file_test(running.state, G_FILE_TEST_EXISTS));

    /* The owner ends: the next sweep takes its VM too. */
    end_owner(running.owner);
    svm_test_sweep(0);
    g_assert_false(svm_test_domain_exists(conn, running.uuid));
    svm_test_assert_label(running.data, ORIGINAL);
    g_assert_false(g_file_test(running.dir, G_FILE_TEST_EXISTS));
    g_assert_false(g_file_test(running.state, G_FILE_TEST_EXISTS));
    owned_clear(&running);
    owned_clear(&ended);
    svm_test_rmdir(dir);
}

static char *
add_user_of(GPid owner)
{
    char *user = g_strdup_printf(SVM_TEST_USER_PREFIX "%d", (int)owner);
    const char *argv[] = { "useradd", "-M", "-N", "-g", "nogroup", "-s", "/usr/sbin/nologin",
                           user, NULL };
    int status = -1;

    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                               NULL, &status, NULL));
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    return user;
}

/* A user a test made (the desktop-user tests do, as root) goes with its owner, as its VMs do. */
static void
test_sweep_users(void)
{
    GPid running_owner, ended_owner;
    g_autofree char *running = NULL;
    g_autofree char *ended = NULL;
    gboolean running_kept, ended_gone, running_gone;

    if (getuid() != 0) {
        g_test_skip("only root makes users");
        return;
    }
    running_owner = spawn_owner();
    ended_owner = spawn_owner();
    running = add_user_of(running_owner);
    ended = add_user_of(ended_owner);

    end_owner(ended_owner);
    svm_test_sweep(0);
    ended_gone = getpwnam(ended) == NULL;
    running_kept = getpwnam(running) != NULL;
    end_owner(running_owner);
    svm_test_sweep(0);
    running_gone = getpwnam(running) == NULL;

    g_assert_true(ended_gone);
    g_assert_true(running_kept);
    g_assert_true(running_gone);
}

int
main(int argc, char *argv[])
{
    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_PRIVATE_STATE | SVM_TEST_FIXTURE_LIBVIRTD);
    g_test_init(&argc, &argv, NULL);
    svirt_engine_init_libvirt();
    g_test_add_func("/system/cleanup/after-abort", test_after_abort);
    g_test_add_func("/system/cleanup/sweep-spares-running-owners", test_sweep_spares_running);
    g_test_add_func("/system/cleanup/sweep-users", test_sweep_users);
    return g_test_run();
}
