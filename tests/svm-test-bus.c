/* A private system bus with a stand-in polkit authority and svirt-helper on it. */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "svirt-helper-client.h"
#include "svm-test-bus.h"
#include "svm-test-fixture.h"
#include "svm-test-util.h"
#include "svm-test-vm.h"

#define PYTHON "/usr/bin/python3"
#define WAIT_MS 120000

static const char bus_config[] =
    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
    " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
    "<busconfig>\n"
    "  <type>system</type>\n"
    "  <listen>unix:path=%s</listen>\n"
    "  <auth>EXTERNAL</auth>\n"
    "  <policy context='default'>\n"
    "    <allow user='*'/>\n"
    "    <allow receive_sender='*'/>\n"
    "    <allow send_requested_reply='true' send_type='method_return'/>\n"
    "    <allow send_requested_reply='true' send_type='error'/>\n"
    "    <allow send_destination='org.freedesktop.DBus'/>\n"
    "    <allow send_destination='org.freedesktop.PolicyKit1'/>\n"
    "    <deny own='*'/>\n"
    "  </policy>\n"
    "  <policy user='root'>\n"
    "    <allow own='org.freedesktop.PolicyKit1'/>\n"
    "  </policy>\n"
    /* Who may own and call the helper's name: the policy sVirt Manager installs. */
    "  <include>%s</include>\n"
    "</busconfig>\n";

static char *bus_dir;
static char *bus_address;
static GPid daemon_pid, polkit_pid, helper_pid;
static GDBusConnection *bus;

static void
die_with_parent(gpointer data)
{
    prctl(PR_SET_PDEATHSIG, SIGTERM);
}

GPid
svm_test_bus_spawn(const char *const *argv, const char *const *envp, const char *log)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *path = g_build_filename(bus_dir, log, NULL);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    GPid pid;

    g_assert_cmpint(fd, >=, 0);
    g_assert_true(g_spawn_async_with_fds(NULL, (char **)argv, (char **)envp,
                                         G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH,
                                         die_with_parent, NULL, &pid, -1, fd, fd, &error));
    g_assert_no_error(error);
    close(fd);
    return pid;
}

static GPid
spawn(const char *const *argv, const char *log)
{
    return svm_test_bus_spawn(argv, NULL, log);
}

void
svm_test_bus_kill(GPid *pid)
{
    if (*pid <= 0)
        return;
    kill(*pid, SIGTERM);
    waitpid(*pid, NULL, 0);
    g_spawn_close_pid(*pid);
    *pid = 0;
}

gboolean
svm_test_bus_has_owner(gpointer name)
{
    g_autoptr(GVariant) reply = NULL;
    gboolean has = FALSE;

    reply = g_dbus_connection_call_sync(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                        "org.freedesktop.DBus", "NameHasOwner",
                                        g_variant_new("(s)", (const char *)name),
                                        G_VARIANT_TYPE("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                        NULL);
    if (reply)
        g_variant_get(reply, "(b)", &has);
    return has;
}

static gboolean
socket_exists(gpointer path)
{
    return g_file_test(path, G_FILE_TEST_EXISTS);
}

void
svm_test_bus_start(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *socket = NULL;
    g_autofree char *config = NULL;
    g_autofree char *config_path = NULL;
    g_autofree char *bus_policy = NULL;
    const char *helper = g_getenv("SVIRT_HELPER");

    bus_dir = svm_test_make_dir("svm-helper-bus");
    /* The unprivileged client reaches the bus socket in it. */
    g_assert_cmpint(g_chmod(bus_dir, 0755), ==, 0);
    socket = g_build_filename(bus_dir, "system_bus_socket", NULL);
    bus_policy = g_build_filename(g_getenv("G_TEST_SRCDIR"), "..", "data",
                                  "org.svirt.Manager1.conf", NULL);
    config = g_strdup_printf(bus_config, socket, bus_policy);
    config_path = g_build_filename(bus_dir, "bus.conf", NULL);
    g_assert_true(g_file_set_contents(config_path, config, -1, &error));
    {
        g_autofree char *arg = g_strdup_printf("--config-file=%s", config_path);
        const char *argv[] = { "dbus-daemon", arg, "--nofork", "--nopidfile", NULL };

        daemon_pid = spawn(argv, "dbus-daemon.log");
    }
    svm_test_wait_for(socket_exists, socket, WAIT_MS, "the test's system bus");
    bus_address = g_strdup_printf("unix:path=%s", socket);
    /* The helper, the stand-in polkit and svirtctl all take the system bus from here. */
    g_setenv("DBUS_SYSTEM_BUS_ADDRESS", bus_address, TRUE);
    bus = g_dbus_connection_new_for_address_sync(
        bus_address,
        G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
            G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
        NULL, NULL, &error);
    g_assert_no_error(error);
    {
        g_autofree char *calls = g_build_filename(bus_dir, SVM_TEST_BUS_POLKIT_CALLS, NULL);
        const char *argv[] = { PYTHON, "-m", "dbusmock", "--system", "--template", "polkitd",
                               "-l", calls, NULL };

        polkit_pid = spawn(argv, "polkitd.log");
    }
    svm_test_wait_for(svm_test_bus_has_owner, (gpointer) "org.freedesktop.PolicyKit1", WAIT_MS,
                      "the stand-in polkit authority");
    {
        const char *argv[] = { helper, NULL };

        helper_pid = spawn(argv, "svirt-helper.log");
    }
    svm_test_wait_for(svm_test_bus_has_owner, (gpointer)SVIRT_HELPER_BUS_NAME, WAIT_MS, "svirt-helper");
}

static void
print_log(const char *log)
{
    g_autofree char *path = g_build_filename(bus_dir, log, NULL);
    g_autofree char *text = NULL;

    if (g_file_get_contents(path, &text, NULL, NULL))
        g_test_message("%s:\n%s", log, text);
}

void
svm_test_bus_stop(void)
{
    print_log("svirt-helper.log");
    svm_test_bus_kill(&helper_pid);
    svm_test_bus_kill(&polkit_pid);
    g_clear_object(&bus);
    svm_test_bus_kill(&daemon_pid);
    svm_test_rmdir(bus_dir);
    g_clear_pointer(&bus_dir, g_free);
    g_clear_pointer(&bus_address, g_free);
}

/* What polkit grants from now on: these actions, to anyone; every other action is refused. */
void
svm_test_bus_allow(const char *const *actions)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) reply = NULL;

    reply = g_dbus_connection_call_sync(
        bus, "org.freedesktop.PolicyKit1", "/org/freedesktop/PolicyKit1/Authority",
        "org.freedesktop.DBus.Mock", "SetAllowed",
        g_variant_new("(^as)", actions), NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
    g_assert_no_error(error);
}


GDBusConnection *
svm_test_bus_connection(void)
{
    return bus;
}

const char *
svm_test_bus_address(void)
{
    return bus_address;
}

char *
svm_test_bus_read_log(const char *log)
{
    g_autofree char *path = g_build_filename(bus_dir, log, NULL);
    char *text = NULL;

    return g_file_get_contents(path, &text, NULL, NULL) ? text : g_strdup("");
}

GPid *
svm_test_bus_helper_pid(void)
{
    return &helper_pid;
}

int
svm_test_bus_svirtctl_as(const char *user, gboolean user_groups, const char *const *args,
                         char **out, char **err)
{
    g_autofree char *reuid = g_strdup_printf("--reuid=%s", user);
    g_autofree char *own_out = NULL;
    g_autofree char *own_err = NULL;
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GError) error = NULL;
    int status = -1;

    if (!out)
        out = &own_out;
    if (!err)
        err = &own_err;
    for (const char *const *a = (const char *const[]){ "setpriv", reuid, "--regid=nogroup",
                                                       user_groups ? "--init-groups"
                                                                   : "--clear-groups",
                                                       "--", g_getenv("SVIRTCTL"), "-c",
                                                       "qemu:///system", NULL };
         *a; a++)
        g_ptr_array_add(argv, (gpointer)*a);
    for (guint i = 0; args[i]; i++)
        g_ptr_array_add(argv, (gpointer)args[i]);
    g_ptr_array_add(argv, NULL);
    g_assert_true(g_spawn_sync("/", (char **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               out, err, &status, &error));
    g_assert_no_error(error);
    g_test_message("svirtctl %s as %s: status %d:\n%s%s", args[0], user, status, *out, *err);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

const char *
svm_test_bus_missing(void)
{
    g_autofree char *dbus_daemon = g_find_program_in_path("dbus-daemon");
    g_autofree char *dbus_send = g_find_program_in_path("dbus-send");
    g_autofree char *setpriv = g_find_program_in_path("setpriv");
    g_autofree char *gdbus = g_find_program_in_path("gdbus");

    if (g_strcmp0(svm_test_uri(), "qemu:///system") != 0)
        return "svirt-helper serves qemu:///system only, and SVM_TEST_URI names another libvirtd";
    if (geteuid() != 0)
        return "the helper runs as root and the client as another user: run the test as root";
    if (!dbus_daemon || !dbus_send || !gdbus)
        return "dbus-daemon, dbus-send (package dbus) or gdbus (libglib2.0-bin) is not installed";
    if (!setpriv)
        return "setpriv (package util-linux) is not installed";
    if (!g_getenv("SVIRT_HELPER") || !g_getenv("SVIRTCTL"))
        return "SVIRT_HELPER and SVIRTCTL name no built programs (meson test sets them)";
    {
        const char *argv[] = { PYTHON, "-c", "import dbusmock.templates.polkitd", NULL };
        int status = -1;

        if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                          NULL, NULL, &status, NULL) ||
            !g_spawn_check_wait_status(status, NULL))
            return "python-dbusmock (package python3-dbusmock) is not installed";
    }
    return NULL;
}
