/* A desktop user's svirtctl on qemu:///system: every privileged step goes through svirt-helper,
 * which asks polkit. The test brings up its own system bus (dbus-daemon with a test policy),
 * a stand-in polkit authority on it (python-dbusmock's polkitd template, told which actions
 * to allow) and the helper as root; svirtctl runs as the unprivileged user nobody. */
#include "config.h"

#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "svirt-engine.h"
#include "svirt-helper-client.h"
#include "svirt-journal.h"
#include "svm-test-bus.h"
#include "svm-test-fixture.h"
#include "svm-test-label.h"
#include "svm-test-util.h"
#include "svm-test-vm.h"

#define SYSTEM_URI "qemu:///system"
#define PYTHON "/usr/bin/python3"
#define USER "nobody"
#define ORIGINAL "system_u:object_r:virt_image_t:s0"
#define WAIT_MS 120000

static virConnectPtr conn;

/* svirtctl -c qemu:///system ARGS as the unprivileged user; its exit status. */
static int
svirtctl_as_user(const char *const *args, char **err)
{
    return svm_test_bus_svirtctl_as(USER, FALSE, args, NULL, err);
}

static gboolean
is_active(const char *uuid)
{
    g_autoptr(virDomain) dom = virDomainLookupByUUIDString(conn, uuid);

    return dom && virDomainIsActive(dom) == 1;
}

static gboolean
vm_is_running(gpointer uuid)
{
    return is_active(uuid);
}

static const char *const manage_only[] = { SVIRT_HELPER_ACTION_MANAGE, NULL };
static const char *const nothing[] = { NULL };

static void
test_denied(void)
{
    SvmTestVm vm = { 0 };
    g_autofree char *err = NULL;
    g_autofree char *label = NULL;
    int status;

    svm_test_vm_define(conn, &vm, "svm-test-helper-denied", NULL, SVM_TEST_VM_DATA);
    svm_test_set_label(vm.data, ORIGINAL);
    svm_test_bus_allow(nothing);
    status = svirtctl_as_user((const char *[]){ "start", vm.uuid, NULL }, &err);
    label = svm_test_read_label(vm.data);
    {
        gboolean running = is_active(vm.uuid);

        svm_test_vm_undefine(conn, &vm);
        g_assert_false(running);
    }
    g_assert_cmpint(status, ==, 1);
    g_assert_nonnull(strstr(err, "Not authorised to start VMs"));
    g_assert_nonnull(strstr(err, SVIRT_HELPER_ACTION_MANAGE));
    /* Said plainly, not as a stack of libvirt errors. */
    g_assert_null(strstr(err, "internal error"));
    g_assert_null(strstr(err, "Could not connect"));
    g_assert_cmpstr(label, ==, ORIGINAL);
}

static void
test_start_stop(void)
{
    SvmTestVm vm = { 0 };
    g_autofree char *err = NULL;
    g_autofree char *err_stop = NULL;
    g_autofree char *running_label = NULL;
    g_autofree char *restored_label = NULL;
    g_autoptr(SvirtJournal) journal = NULL;
    g_autoptr(GError) journal_error = NULL;
    g_autofree char *recorded_image = NULL;
    gboolean started, stopped;
    int status, stop_status;

    svm_test_vm_define(conn, &vm, "svm-test-helper-start", NULL, SVM_TEST_VM_DATA);
    svm_test_set_label(vm.data, ORIGINAL);
    svm_test_bus_allow((const char *[]){ SVIRT_HELPER_ACTION_MANAGE, SVIRT_HELPER_ACTION_READ, NULL });
    status = svirtctl_as_user((const char *[]){ "start", vm.uuid, NULL }, &err);
    started = is_active(vm.uuid);
    running_label = svm_test_read_label(vm.data);
    /* A desktop user's status learns from the helper's journal that the helper started it. */
    journal = svirt_helper_read_journal(&journal_error);
    if (journal && svirt_journal_lookup_vm(journal, vm.uuid))
        recorded_image = g_strdup(svirt_journal_lookup_vm(journal, vm.uuid)->image);
    stop_status = svirtctl_as_user((const char *[]){ "stop", "--force", vm.uuid, NULL },
                                   &err_stop);
    stopped = !is_active(vm.uuid);
    restored_label = svm_test_read_label(vm.data);
    svm_test_vm_undefine(conn, &vm);

    g_assert_cmpint(status, ==, 0);
    g_assert_true(started);
    g_assert_nonnull(running_label);
    g_assert_true(g_str_has_prefix(running_label, "system_u:object_r:svirt_image_t:s0:c"));
    g_assert_no_error(journal_error);
    g_assert_cmpstr(recorded_image, ==, running_label);
    g_assert_cmpint(stop_status, ==, 0);
    g_assert_true(stopped);
    g_assert_cmpstr(restored_label, ==, ORIGINAL);
}

/* The helper acts only on VMs libvirtd defines: not on a UUID the caller makes up, nor on a
 * path it names. */
static void
test_invented(void)
{
    g_autofree char *dir = svm_test_make_vm_dir("svm-helper-invented");
    g_autofree char *file = g_build_filename(dir, "image.raw", NULL);
    g_autofree char *err_uuid = NULL;
    g_autofree char *err_path = NULL;
    g_autofree char *err_set = NULL;
    g_autofree char *label = NULL;
    g_autofree char *err_range = NULL;
    g_autofree char *huge_name = NULL;
    g_autofree char *err_huge = NULL;
    int by_uuid, by_path, by_range, by_huge;

    svm_test_write_blank_image(file, 4096);
    svm_test_set_label(file, ORIGINAL);
    svm_test_bus_allow(manage_only);
    by_uuid = svirtctl_as_user(
        (const char *[]){ "start", "0d3c9b1e-5a6f-4c2b-9e8d-7f1a2b3c4d5e", NULL }, &err_uuid);
    by_path = svirtctl_as_user((const char *[]){ "start", file, NULL }, &err_path);
    by_range = svirtctl_as_user((const char *[]){ "--mcs-range", "c5.c6", "start",
                                                  "0d3c9b1e-5a6f-4c2b-9e8d-7f1a2b3c4d5e", NULL },
                                &err_range);
    /* A name no VM can have is refused before polkit is asked, however long it is. */
    svm_test_bus_allow(nothing);
    huge_name = g_strnfill(64 * 1024, 'x');
    by_huge = svirtctl_as_user((const char *[]){ "start", huge_name, NULL }, &err_huge);
    label = svm_test_read_label(file);
    svm_test_rmdir(dir);

    g_assert_cmpint(by_huge, ==, 1);
    g_assert_nonnull(strstr(err_huge, "A name of 65536 bytes is not the name or UUID of a VM"));
    g_assert_null(strstr(err_huge, "xxxxxxxx"));
    g_assert_cmpint(by_uuid, ==, 1);
    g_assert_nonnull(strstr(err_uuid, "No VM named '0d3c9b1e-5a6f-4c2b-9e8d-7f1a2b3c4d5e'"));
    g_assert_cmpint(by_path, ==, 1);
    g_assert_nonnull(strstr(err_path, "is not the name or UUID of a VM"));
    /* Nor does the caller choose the categories. */
    g_assert_cmpint(by_range, ==, 1);
    g_assert_nonnull(strstr(err_range, "from the host's range only"));
    g_assert_cmpstr(label, ==, ORIGINAL);
}

static void
mock_polkit(const char *method, GVariant *args)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) reply = g_dbus_connection_call_sync(
        svm_test_bus_connection(), "org.freedesktop.PolicyKit1",
        "/org/freedesktop/PolicyKit1/Authority", "org.freedesktop.DBus.Mock", method, args,
        NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);

    g_assert_no_error(error);
}

static guint
manage_checks(void)
{
    g_autofree char *log = svm_test_bus_read_log(SVM_TEST_BUS_POLKIT_CALLS);
    g_auto(GStrv) lines = g_strsplit(log, "\n", -1);
    guint n = 0;

    for (guint i = 0; lines[i]; i++)
        n += strstr(lines[i], "CheckAuthorization") && strstr(lines[i], SVIRT_HELPER_ACTION_MANAGE);
    return n;
}

#define N_WAITING 8

static gboolean
all_waiting(gpointer data)
{
    return manage_checks() >= GPOINTER_TO_UINT(data) + N_WAITING;
}

typedef struct {
    guint answered;
    guint refused;
} Answers;

static void
on_start_answered(GObject *source, GAsyncResult *result, gpointer data)
{
    Answers *answers = data;
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) reply =
        g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

    answers->answered++;
    answers->refused += g_error_matches(error, SVIRT_ERROR, SVIRT_ERROR_PERMISSION);
}

static gboolean
all_answered(gpointer data)
{
    return ((Answers *)data)->answered == N_WAITING;
}

/* Calls that wait for polkit (password dialogs left open) hold none of the service's workers:
 * a read still gets its answer, and the waiting calls theirs once polkit decides. */
static void
test_waiting_for_polkit(void)
{
    Answers answers = { 0 };
    guint checks_before = manage_checks();
    g_autoptr(SvirtJournal) journal = NULL;
    g_autoptr(GError) error = NULL;

    svirt_helper_register_errors();
    svm_test_bus_allow((const char *[]){ SVIRT_HELPER_ACTION_READ, NULL });
    mock_polkit("SimulateHangActions", g_variant_new("(^as)", manage_only));
    for (guint i = 0; i < N_WAITING; i++)
        g_dbus_connection_call(svm_test_bus_connection(), SVIRT_HELPER_BUS_NAME,
                               SVIRT_HELPER_OBJECT_PATH, SVIRT_HELPER_INTERFACE, "Start",
                               g_variant_new("(ss)", "0d3c9b1e-5a6f-4c2b-9e8d-7f1a2b3c4d5e", ""),
                               G_VARIANT_TYPE("(s)"),
                               G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, WAIT_MS, NULL,
                               on_start_answered, &answers);
    svm_test_wait_for(all_waiting, GUINT_TO_POINTER(checks_before), WAIT_MS,
                      "every start to wait for polkit");
    journal = svirt_helper_read_journal(&error);
    mock_polkit("SimulateHangActions", g_variant_new("(^as)", nothing));
    mock_polkit("ReleaseHangingCalls", NULL);
    svm_test_wait_for(all_answered, &answers, WAIT_MS, "the waiting starts to be answered");

    g_assert_no_error(error);
    g_assert_nonnull(journal);
    g_assert_cmpuint(answers.refused, ==, N_WAITING);
}

static gboolean
label_is_not(gpointer data)
{
    const char *const *args = data;
    g_autofree char *label = svm_test_read_label(args[0]);

    return g_strcmp0(label, args[1]) != 0;
}

/* A caller that asks for a start and goes away at once: the helper finishes the start, so the
 * VM runs with its labels and a stop restores them. */
static void
test_disconnect(void)
{
    SvmTestVm vm = { 0 };
    g_autoptr(GError) error = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *err_stop = NULL;
    g_autofree char *dest = g_strdup_printf("--dest=%s", SVIRT_HELPER_BUS_NAME);
    g_autofree char *uuid_arg = NULL;
    g_autofree char *running_label = NULL;
    g_autofree char *restored_label = NULL;
    gboolean started, stopped;
    int status, stop_status;

    svm_test_vm_define(conn, &vm, "svm-test-helper-gone", NULL, SVM_TEST_VM_DATA);
    svm_test_set_label(vm.data, ORIGINAL);
    svm_test_bus_allow(manage_only);
    uuid_arg = g_strdup_printf("string:%s", vm.uuid);
    {
        /* dbus-send without --print-reply sends the call and disconnects without waiting. */
        const char *argv[] = { "setpriv", "--reuid=" USER, "--regid=nogroup", "--clear-groups",
                               "--", "dbus-send", "--system", "--type=method_call", dest,
                               SVIRT_HELPER_OBJECT_PATH, SVIRT_HELPER_INTERFACE ".Start",
                               uuid_arg, "string:", NULL };

        g_assert_true(g_spawn_sync("/", (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                   &out, &err, &status, &error));
        g_assert_no_error(error);
    }
    started = svm_test_wait_until(vm_is_running, vm.uuid, WAIT_MS);
    running_label = svm_test_read_label(vm.data);
    stop_status = svirtctl_as_user((const char *[]){ "stop", "--force", vm.uuid, NULL },
                                   &err_stop);
    stopped = !is_active(vm.uuid);
    {
        const char *args[] = { vm.data, running_label };

        /* The stop restores before it answers; this only bounds a failure. */
        svm_test_wait_until(label_is_not, args, 5000);
    }
    restored_label = svm_test_read_label(vm.data);
    svm_test_vm_undefine(conn, &vm);

    g_assert_true(g_spawn_check_wait_status(status, NULL));
    g_assert_true(started);
    g_assert_true(g_str_has_prefix(running_label, "system_u:object_r:svirt_image_t:s0:c"));
    g_assert_cmpint(stop_status, ==, 0);
    g_assert_true(stopped);
    g_assert_cmpstr(restored_label, ==, ORIGINAL);
}

static void
test_reconcile(void)
{
    g_autofree char *err = NULL;
    g_autofree char *err_denied = NULL;

    svm_test_bus_allow(nothing);
    g_assert_cmpint(svirtctl_as_user((const char *[]){ "reconcile", NULL }, &err_denied), ==, 1);
    g_assert_nonnull(strstr(err_denied, "Not authorised to restore the labels of stopped VMs"));
    svm_test_bus_allow(manage_only);
    g_assert_cmpint(svirtctl_as_user((const char *[]){ "reconcile", NULL }, &err), ==, 0);
}

/* gdbus call to the helper as the unprivileged user; its exit status. */
static int
gdbus_as_user(const char *method, const char *const *args, char **out, char **err)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GError) error = NULL;
    g_autofree char *full = g_strconcat(SVIRT_HELPER_INTERFACE ".", method, NULL);
    int status;

    for (const char *const *a = (const char *const[]){ "setpriv", "--reuid=" USER,
                                                        "--regid=nogroup", "--clear-groups",
                                                        "--", "gdbus", "call", "--system",
                                                        "--dest", SVIRT_HELPER_BUS_NAME,
                                                        "--object-path",
                                                        SVIRT_HELPER_OBJECT_PATH, "--method",
                                                        NULL };
         *a; a++)
        g_ptr_array_add(argv, (gpointer)*a);
    g_ptr_array_add(argv, full);
    for (guint i = 0; args[i]; i++)
        g_ptr_array_add(argv, (gpointer)args[i]);
    g_ptr_array_add(argv, NULL);
    g_assert_true(g_spawn_sync("/", (char **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               out, err, &status, &error));
    g_assert_no_error(error);
    g_test_message("%s as " USER ": status %d: %s%s", method, status, *out, *err);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Settings and labels have their own actions: managing VMs does not allow them. The labels read
 * are those of the files the helper's own plan of the VM names. */
static void
test_security_and_labels(void)
{
    SvmTestVm vm = { 0 };
    const char *label = "system_u:system_r:svirt_t:s0:c71,c93";
    g_autofree char *xml = g_strdup_printf("<security mode=\"static\" relabel=\"yes\">"
                                           "<label>%s</label></security>",
                                           label);
    g_autofree char *out1 = NULL, *err1 = NULL, *out2 = NULL, *err2 = NULL;
    g_autofree char *out3 = NULL, *err3 = NULL, *out4 = NULL, *err4 = NULL;
    g_autofree char *data_label = NULL;
    g_autoptr(SvirtEngine) engine = NULL;
    g_autoptr(SvirtSettings) stored = NULL;
    g_autoptr(GError) error = NULL;
    int set_denied, set_allowed, read_denied, read_allowed;

    svm_test_vm_define(conn, &vm, "svm-test-helper-settings", NULL, SVM_TEST_VM_DATA);
    svm_test_set_label(vm.data, ORIGINAL);
    svm_test_bus_allow(manage_only);
    set_denied = gdbus_as_user("SetSecurity", (const char *[]){ vm.uuid, xml, NULL }, &out1,
                               &err1);
    read_denied = gdbus_as_user("ReadLabels", (const char *[]){ vm.uuid, NULL }, &out2, &err2);
    svm_test_bus_allow((const char *[]){ SVIRT_HELPER_ACTION_SECURITY, SVIRT_HELPER_ACTION_READ, NULL });
    set_allowed = gdbus_as_user("SetSecurity", (const char *[]){ vm.uuid, xml, NULL }, &out3,
                                &err3);
    read_allowed = gdbus_as_user("ReadLabels", (const char *[]){ vm.uuid, NULL }, &out4, &err4);
    engine = svm_test_connect_engine();
    stored = svirt_engine_get_settings(engine, vm.uuid, &error);
    data_label = g_strdup_printf("('%s', '%s')", vm.data, ORIGINAL);
    svm_test_vm_undefine(conn, &vm);

    g_assert_cmpint(set_denied, !=, 0);
    g_assert_nonnull(strstr(err1, "Not authorised to change the security settings of VMs"));
    g_assert_cmpint(read_denied, !=, 0);
    g_assert_nonnull(strstr(err2, "Not authorised to read the labels of VMs"));
    g_assert_cmpint(set_allowed, ==, 0);
    g_assert_no_error(error);
    g_assert_cmpint(stored->mode, ==, SVIRT_SECURITY_MODE_STATIC);
    g_assert_cmpstr(stored->label, ==, label);
    g_assert_cmpint(read_allowed, ==, 0);
    g_assert_nonnull(strstr(out4, data_label));
}

/* Fix in the audit: the helper runs its own audit and fixes the finding the caller names, with
 * the action for fixing labels, which managing VMs does not give. */
static void
test_fix(void)
{
    SvmTestVm vm = { 0 };
    g_autofree char *err = NULL, *err_stop = NULL;
    g_autofree char *out1 = NULL, *err1 = NULL, *out2 = NULL, *err2 = NULL;
    g_autofree char *out3 = NULL, *err3 = NULL;
    g_autofree char *running_label = NULL, *after_denied = NULL, *after_fix = NULL;
    int status, denied, fixed, unknown;

    svm_test_vm_define(conn, &vm, "svm-test-helper-fix", NULL, SVM_TEST_VM_DATA);
    svm_test_set_label(vm.data, ORIGINAL);
    svm_test_bus_allow(manage_only);
    status = svirtctl_as_user((const char *[]){ "start", vm.uuid, NULL }, &err);
    running_label = svm_test_read_label(vm.data);
    /* Someone relabelled the running VM's image. */
    svm_test_set_label(vm.data, ORIGINAL);
    denied = gdbus_as_user("FixLabels", (const char *[]){ vm.uuid, "mismatch", vm.data, NULL },
                           &out1, &err1);
    after_denied = svm_test_read_label(vm.data);
    svm_test_bus_allow((const char *[]){ SVIRT_HELPER_ACTION_FIX, SVIRT_HELPER_ACTION_MANAGE, NULL });
    unknown = gdbus_as_user("FixLabels", (const char *[]){ vm.uuid, "mismatch", "/etc/shadow",
                                                           NULL },
                            &out3, &err3);
    fixed = gdbus_as_user("FixLabels", (const char *[]){ vm.uuid, "mismatch", vm.data, NULL },
                          &out2, &err2);
    after_fix = svm_test_read_label(vm.data);
    svirtctl_as_user((const char *[]){ "stop", "--force", vm.uuid, NULL }, &err_stop);
    svm_test_vm_undefine(conn, &vm);

    g_assert_cmpint(status, ==, 0);
    g_assert_true(g_str_has_prefix(running_label, "system_u:object_r:svirt_image_t:s0:c"));
    g_assert_cmpint(denied, !=, 0);
    g_assert_nonnull(strstr(err1, "Not authorised to fix the labels of VMs"));
    g_assert_cmpstr(after_denied, ==, ORIGINAL);
    /* Only what its own audit finds: not a path the caller names. */
    g_assert_cmpint(unknown, !=, 0);
    g_assert_nonnull(strstr(err3, "The audit finds no mismatch to fix on /etc/shadow"));
    g_assert_cmpint(fixed, ==, 0);
    g_assert_cmpstr(after_fix, ==, running_label);
}

/* The D-Bus policy sVirt Manager installs lets only root own the helper's name: a user cannot
 * stand in for the helper and collect other users' requests. */
static void
test_name_root_only(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    const char *argv[] = { "setpriv", "--reuid=" USER, "--regid=nogroup", "--clear-groups", "--",
                           "gdbus", "call", "--system", "--dest", "org.freedesktop.DBus",
                           "--object-path", "/org/freedesktop/DBus", "--method",
                           "org.freedesktop.DBus.RequestName", "org.svirt.Manager1", "0", NULL };
    int status;

    g_assert_true(g_spawn_sync("/", (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                               &err, &status, &error));
    g_assert_no_error(error);
    g_test_message("RequestName as " USER ": %s%s", out, err);
    g_assert_false(g_spawn_check_wait_status(status, NULL));
    g_assert_nonnull(strstr(err, "AccessDenied"));
}

static gboolean
label_is(gpointer data)
{
    const char *const *args = data;
    g_autofree char *label = svm_test_read_label(args[0]);

    return g_strcmp0(label, args[1]) == 0;
}

/* A VM the helper started that stops elsewhere (virsh destroy, a guest shutdown): the helper
 * sees it stop and restores its labels; the desktop user's app, which may not, need not. */
static void
test_stopped_elsewhere(void)
{
    SvmTestVm vm = { 0 };
    g_autofree char *err = NULL;
    g_autofree char *running_label = NULL;
    g_autofree char *restored_label = NULL;
    gboolean restored = FALSE;
    int status;

    svm_test_vm_define(conn, &vm, "svm-test-helper-elsewhere", NULL, SVM_TEST_VM_DATA);
    svm_test_set_label(vm.data, ORIGINAL);
    svm_test_bus_allow(manage_only);
    status = svirtctl_as_user((const char *[]){ "start", vm.uuid, NULL }, &err);
    running_label = svm_test_read_label(vm.data);
    if (status == 0) {
        g_autoptr(virDomain) dom = virDomainLookupByUUIDString(conn, vm.uuid);
        const char *args[] = { vm.data, ORIGINAL };

        g_assert_nonnull(dom);
        g_assert_cmpint(virDomainDestroy(dom), ==, 0);
        restored = svm_test_wait_until(label_is, args, WAIT_MS);
    }
    restored_label = svm_test_read_label(vm.data);
    svm_test_vm_undefine(conn, &vm);

    g_assert_cmpint(status, ==, 0);
    g_assert_true(g_str_has_prefix(running_label, "system_u:object_r:svirt_image_t:s0:c"));
    g_assert_true(restored);
    g_assert_cmpstr(restored_label, ==, ORIGINAL);
}

static gboolean
helper_gone(gpointer data)
{
    return !svm_test_bus_has_owner((gpointer)SVIRT_HELPER_BUS_NAME);
}

/* The helper killed after it labelled the files and wrote the journal, before libvirtd launched
 * the VM: the caller hears of a failure, and the next helper restores the labels before it
 * serves anyone. */
static void
test_killed_mid_start(void)
{
    SvmTestVm vm = { 0 };
    g_autofree char *err = NULL;
    g_autofree char *labelled = NULL;
    g_autofree char *repaired = NULL;
    g_auto(GStrv) env = g_environ_setenv(g_get_environ(), "LD_PRELOAD",
                                         g_getenv("SVM_CRASH_ON_LAUNCH"), TRUE);
    const char *argv[] = { g_getenv("SVIRT_HELPER"), NULL };
    gboolean running;
    int status;

    GPid *helper_pid = svm_test_bus_helper_pid();

    svm_test_bus_kill(helper_pid);
    svm_test_wait_for(helper_gone, NULL, WAIT_MS, "the helper to go");
    *helper_pid = svm_test_bus_spawn(argv, (const char *const *)env, "svirt-helper-crashing.log");
    svm_test_wait_for(svm_test_bus_has_owner, (gpointer)SVIRT_HELPER_BUS_NAME, WAIT_MS,
                      "the helper that dies at launch");
    svm_test_vm_define(conn, &vm, "svm-test-helper-killed", NULL, SVM_TEST_VM_DATA);
    svm_test_set_label(vm.data, ORIGINAL);
    svm_test_bus_allow(manage_only);
    status = svirtctl_as_user((const char *[]){ "start", vm.uuid, NULL }, &err);
    labelled = svm_test_read_label(vm.data);
    waitpid(*helper_pid, NULL, 0);
    g_spawn_close_pid(*helper_pid);
    *helper_pid = svm_test_bus_spawn(argv, NULL, "svirt-helper.log");
    svm_test_wait_for(svm_test_bus_has_owner, (gpointer)SVIRT_HELPER_BUS_NAME, WAIT_MS,
                      "the helper again");
    repaired = svm_test_read_label(vm.data);
    running = is_active(vm.uuid);
    svm_test_vm_undefine(conn, &vm);

    g_assert_cmpint(status, ==, 1);
    g_assert_nonnull(strstr(err, "Could not start the VM: sVirt Manager's system service ended "
                                 "before it answered"));
    /* It did die mid-start: the file carried the VM's label. */
    g_assert_true(g_str_has_prefix(labelled, "system_u:object_r:svirt_image_t:s0:c"));
    g_assert_false(running);
    g_assert_cmpstr(repaired, ==, ORIGINAL);
}

static const char *
missing_requirement(void)
{
    if (!getpwnam(USER))
        return "there is no user " USER;
    return svm_test_bus_missing();
}

int
main(int argc, char **argv)
{
    const char *missing;
    int ret;

    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_PRIVATE_STATE | SVM_TEST_FIXTURE_LIBVIRTD);
    missing = missing_requirement();
    if (missing) {
        g_printerr("test-system-helper: skipped: %s.\n", missing);
        for (int i = 1; i < argc; i++) {
            if (g_str_equal(argv[i], "--tap")) {
                g_print("1..0 # SKIP %s\n", missing);
                return 0;
            }
        }
        return 77;
    }
    g_test_init(&argc, &argv, NULL);
    svirt_engine_init_libvirt();
    conn = virConnectOpen(svm_test_uri());
    g_assert_nonnull(conn);
    svm_test_bus_start();

    g_test_add_func("/helper/denied", test_denied);
    g_test_add_func("/helper/name-root-only", test_name_root_only);
    g_test_add_func("/helper/start-stop", test_start_stop);
    g_test_add_func("/helper/invented", test_invented);
    g_test_add_func("/helper/waiting-for-polkit", test_waiting_for_polkit);
    g_test_add_func("/helper/disconnect", test_disconnect);
    g_test_add_func("/helper/reconcile", test_reconcile);
    g_test_add_func("/helper/security-and-labels", test_security_and_labels);
    g_test_add_func("/helper/fix", test_fix);
    g_test_add_func("/helper/stopped-elsewhere", test_stopped_elsewhere);
    g_test_add_func("/helper/killed-mid-start", test_killed_mid_start);
    ret = g_test_run();

    svm_test_bus_stop();
    virConnectClose(conn);
    return ret;
}
