/* The app as a desktop user, not root: a member of the libvirt group opens a qemu:///system VM's
 * details, starts it and forces it off with the window's buttons, and every privileged step
 * goes through svirt-helper, which asks polkit.
 *
 * libvirtd lets the user in as on a desktop: through polkit on the host's system bus, whose
 * rule for the libvirt group ships with libvirt (tools/setup starts the bus and polkitd where
 * no service manager does). The helper runs as root on a private system bus of the test with a
 * stand-in polkit authority that logs every question it gets (svm-test-bus.h); the app reaches
 * the helper there. */
#include "config.h"

#include <glib/gstdio.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "svirt-helper-client.h"
#include "svm-test-app.h"
#include "svm-test-bus.h"
#include "svm-test-fixture.h"
#include "svm-test-label.h"
#include "svm-test-ui.h"
#include "svm-test-util.h"
#include "svm-test-vm.h"

#define SYSTEM_URI "qemu:///system"
#define HOST_BUS_SOCKET "/run/dbus/system_bus_socket"
#define ORIGINAL "system_u:object_r:virt_image_t:s0"
/* The child: the test binary again, as the desktop user, with the VM's UUID. */
#define ENV_CHILD "SVM_TEST_DESKTOP_VM"
#define WAIT_MS 120000
#define SCREENSHOT "desktop-user-running.png"

static gboolean
dialog_shown(gpointer data)
{
    g_autoptr(GList) tops = gtk_window_list_toplevels();

    for (GList *l = tops; l; l = l->next) {
        if (GTK_IS_MESSAGE_DIALOG(l->data) && gtk_widget_get_mapped(l->data)) {
            *(GtkWidget **)data = l->data;
            return TRUE;
        }
    }
    return FALSE;
}

static gboolean
button_sensitive(gpointer data)
{
    return gtk_widget_is_sensitive(data);
}

/* In the child, as the desktop user: the details window starts and stops the VM. */
static int
run_as_desktop_user(const char *uuid)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(SYSTEM_URI);
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtVmStatus) status = NULL;
    SvmVmWindow *window;
    GtkWidget *start, *force_off, *dialog = NULL;

    g_assert_cmpint(geteuid(), !=, 0);
    svirt_engine_connect(engine, NULL, &error);
    g_assert_no_error(error);
    g_assert_true(svirt_engine_uses_helper(engine));

    window = svm_vm_window_new(NULL, engine, uuid);
    gtk_window_set_default_size(GTK_WINDOW(window), 900, 640);
    gtk_widget_show(GTK_WIDGET(window));
    svm_test_vm_window_wait_state(window, "shutoff", WAIT_MS);

    start = svm_test_template_child(window, SVM_TYPE_VM_WINDOW, "start_button");
    svm_test_wait_for(button_sensitive, start, WAIT_MS, "the Start button");
    gtk_button_clicked(GTK_BUTTON(start));
    svm_test_vm_window_wait_state(window, "running", WAIT_MS);
    g_assert_null(svm_vm_window_get_error(window));

    /* It runs with a pair of its own, its image labelled with it, as the user sees. */
    status = svirt_engine_get_vm_status(engine, uuid, &error);
    g_assert_no_error(error);
    g_test_message("process label: %s", status->process_label);
    g_assert_true(g_str_has_prefix(status->process_label, "system_u:system_r:svirt_t:s0:c"));
    for (guint i = 0; i < status->disks->len; i++) {
        SvirtDiskState *disk = g_ptr_array_index(status->disks, i);

        g_test_message("%s: %s", disk->path, svirt_disk_status_to_string(disk->status));
        g_assert_cmpint(disk->status, ==, SVIRT_DISK_STATUS_LABELED);
    }
    svm_vm_window_show_page(window, "security");
    svm_test_save_screenshot(GTK_WIDGET(window), SCREENSHOT);

    force_off = svm_test_template_child(window, SVM_TYPE_VM_WINDOW, "force_off_button");
    svm_test_wait_for(button_sensitive, force_off, WAIT_MS, "the Force Off button");
    gtk_button_clicked(GTK_BUTTON(force_off));
    svm_test_wait_for(dialog_shown, &dialog, 5000, "the Force Off question");
    gtk_button_clicked(GTK_BUTTON(
        gtk_dialog_get_widget_for_response(GTK_DIALOG(dialog), GTK_RESPONSE_ACCEPT)));
    svm_test_vm_window_wait_state(window, "shutoff", WAIT_MS);
    g_assert_null(svm_vm_window_get_error(window));
    gtk_widget_destroy(GTK_WIDGET(window));
    return 0;
}

/* How many times the stand-in polkit was asked about @action. */
static guint
polkit_questions(const char *action)
{
    g_autofree char *log = svm_test_bus_read_log(SVM_TEST_BUS_POLKIT_CALLS);
    g_auto(GStrv) lines = g_strsplit(log, "\n", -1);
    guint n = 0;

    for (guint i = 0; lines[i]; i++) {
        if (strstr(lines[i], "CheckAuthorization") && strstr(lines[i], action))
            n++;
    }
    return n;
}

/* Runs the test binary as @user (its groups, libvirt among them) in the child mode; its
 * status. */
static int
spawn_child(const char *user, const char *home, const char *uuid)
{
    g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
    g_autofree char *reuid = g_strdup_printf("--reuid=%s", user);
    g_auto(GStrv) env = g_get_environ();
    g_autoptr(GError) error = NULL;
    int status = -1;
    const char *argv[] = { "setpriv", reuid, "--regid=nogroup", "--init-groups", "--", self,
                           NULL };

    env = g_environ_setenv(env, ENV_CHILD, uuid, TRUE);
    env = g_environ_setenv(env, "HOME", home, TRUE);
    /* The user cannot write where root's screenshots go: the parent copies it there. */
    env = g_environ_setenv(env, "SVM_SCREENSHOT_DIR", home, TRUE);
    env = g_environ_unsetenv(env, "XDG_RUNTIME_DIR");
    g_assert_true(g_spawn_sync("/", (char **)argv, env,
                               G_SPAWN_SEARCH_PATH | G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL,
                               NULL, NULL, &status, &error));
    g_assert_no_error(error);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A desktop user of the libvirt group, made for this run, with @home as its home. */
static char *
add_user(const char *home)
{
    char *user = g_strdup_printf(SVM_TEST_USER_PREFIX "%d", (int)getpid());
    const char *argv[] = { "useradd", "-M", "-N", "-g", "nogroup", "-G", "libvirt", "-d", home,
                           "-s", "/usr/sbin/nologin", user, NULL };
    int add = -1;

    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                               NULL, &add, NULL));
    g_assert_true(g_spawn_check_wait_status(add, NULL));
    g_assert_cmpint(chown(home, getpwnam(user)->pw_uid, (gid_t)-1), ==, 0);
    return user;
}

static void
remove_user(const char *user)
{
    const char *argv[] = { "userdel", user, NULL };

    g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                 NULL);
}

static void
test_start_stop(void)
{
    g_autoptr(virConnect) conn = virConnectOpen(SYSTEM_URI);
    g_autofree char *home = svm_test_make_dir("svm-desktop-home");
    g_autofree char *user = add_user(home);
    g_autofree char *after = NULL;
    SvmTestVm vm = { 0 };
    gboolean running;
    int status;

    g_assert_nonnull(conn);
    svm_test_vm_define(conn, &vm, "svm-test-desktop", NULL, SVM_TEST_VM_DATA);
    svm_test_set_label(vm.data, ORIGINAL);
    svm_test_bus_allow((const char *[]){ SVIRT_HELPER_ACTION_MANAGE, SVIRT_HELPER_ACTION_READ,
                                         NULL });

    status = spawn_child(user, home, vm.uuid);

    after = svm_test_read_label(vm.data);
    if (g_getenv("SVM_SCREENSHOT_DIR")) {
        g_autofree char *from = g_build_filename(home, SCREENSHOT, NULL);
        g_autofree char *to = g_build_filename(g_getenv("SVM_SCREENSHOT_DIR"), SCREENSHOT, NULL);
        g_autofree char *png = NULL;
        gsize size = 0;

        if (g_file_get_contents(from, &png, &size, NULL))
            g_file_set_contents(to, png, size, NULL);
    }
    {
        g_autoptr(virDomain) dom = virDomainLookupByUUIDString(conn, vm.uuid);

        running = dom && virDomainIsActive(dom) == 1;
    }
    svm_test_vm_undefine(conn, &vm);
    remove_user(user);
    svm_test_rmdir(home);

    g_assert_cmpint(status, ==, 0);
    g_assert_false(running);
    /* The stop through the helper gave the image its label back. */
    g_assert_cmpstr(after, ==, ORIGINAL);
    /* Start and stop were each put to polkit, for the user's own process. */
    g_test_message("polkit calls:\n%s", svm_test_bus_read_log(SVM_TEST_BUS_POLKIT_CALLS));
    g_assert_cmpuint(polkit_questions(SVIRT_HELPER_ACTION_MANAGE), >=, 2);
}

/* Images in a folder only root may enter: the user's status and audit still show their labels,
 * which svirt-helper reads for that VM's files (the read-labels action), and the audit finds
 * nothing it could not read. */
static void
test_root_only_images(void)
{
    g_autoptr(virConnect) conn = virConnectOpen(SYSTEM_URI);
    g_autofree char *home = svm_test_make_dir("svm-desktop-home");
    g_autofree char *user = add_user(home);
    g_autofree char *status_out = NULL;
    g_autofree char *audit_out = NULL;
    g_auto(GStrv) lines = NULL;
    const char *line = NULL;
    guint asked_before = polkit_questions(SVIRT_HELPER_ACTION_READ);
    SvmTestVm vm = { 0 };
    int status_rc, audit_rc;

    g_assert_nonnull(conn);
    svm_test_vm_define(conn, &vm, "svm-test-desktop-ro", NULL, SVM_TEST_VM_DATA);
    svm_test_set_label(vm.data, ORIGINAL);
    g_assert_cmpint(g_chmod(vm.dir, 0700), ==, 0);
    svm_test_bus_allow((const char *[]){ SVIRT_HELPER_ACTION_READ, NULL });

    status_rc = svm_test_bus_svirtctl_as(user, TRUE, (const char *[]){ "status", vm.uuid, NULL },
                                         &status_out, NULL);
    audit_rc = svm_test_bus_svirtctl_as(user, TRUE, (const char *[]){ "audit", NULL }, &audit_out,
                                        NULL);

    g_assert_cmpint(g_chmod(vm.dir, 0755), ==, 0);
    svm_test_vm_undefine(conn, &vm);
    remove_user(user);
    svm_test_rmdir(home);

    g_assert_cmpint(status_rc, ==, 0);
    /* The data disk's line shows the label it carries, not "—". */
    lines = g_strsplit(status_out, "\n", -1);
    for (guint i = 0; lines[i] && !line; i++) {
        if (strstr(lines[i], "data.img"))
            line = lines[i];
    }
    g_assert_nonnull(line);
    g_assert_nonnull(strstr(line, ORIGINAL));
    g_assert_cmpint(audit_rc, !=, -1);
    g_assert_null(strstr(audit_out, "ermission denied"));
    g_assert_cmpuint(polkit_questions(SVIRT_HELPER_ACTION_READ), >, asked_before);
}

/* A VM the user started through svirt-helper holds its level in the helper's journal, which is
 * all that says what it runs under on a host whose libvirtd has no selinux driver: the user's
 * own checks see it there. A stopped VM whose static range covers every pair is shown as not
 * isolated from it, by name. */
static void
test_levels_through_helper(void)
{
    g_autoptr(virConnect) conn = virConnectOpen(SYSTEM_URI);
    g_autofree char *home = svm_test_make_dir("svm-desktop-home");
    g_autofree char *user = add_user(home);
    g_autofree char *show_out = NULL;
    g_autofree char *set_err = NULL;
    g_autofree char *name = NULL;
    SvmTestVm running = { 0 }, covering = { 0 };
    int set_status = -1, start_rc, show_rc, stop_rc;

    g_assert_nonnull(conn);
    svm_test_vm_define(conn, &running, "svm-test-desktop-held", NULL, 0);
    svm_test_vm_define(conn, &covering, "svm-test-desktop-cover", NULL, 0);
    {
        const char *argv[] = { g_getenv("SVIRTCTL"), "-c", SYSTEM_URI, "set-label",
                               covering.uuid, "static",
                               "system_u:system_r:svirt_t:s0:c0.c1023", NULL };

        g_assert_true(g_spawn_sync("/", (char **)argv, NULL, 0, NULL, NULL, NULL, &set_err,
                                   &set_status, NULL));
    }
    svm_test_bus_allow((const char *[]){ SVIRT_HELPER_ACTION_MANAGE, SVIRT_HELPER_ACTION_READ,
                                         NULL });

    start_rc = svm_test_bus_svirtctl_as(user, TRUE, (const char *[]){ "start", running.uuid, NULL },
                                        NULL, NULL);
    show_rc = svm_test_bus_svirtctl_as(user, TRUE,
                                       (const char *[]){ "show-label", covering.uuid, NULL },
                                       &show_out, NULL);
    stop_rc = svm_test_bus_svirtctl_as(
        user, TRUE, (const char *[]){ "stop", running.uuid, "--force", NULL }, NULL, NULL);
    name = g_strdup(running.name);

    svm_test_vm_undefine(conn, &running);
    svm_test_vm_undefine(conn, &covering);
    remove_user(user);
    svm_test_rmdir(home);

    g_test_message("set-label as root: %s", set_err);
    g_assert_true(g_spawn_check_wait_status(set_status, NULL));
    g_assert_cmpint(start_rc, ==, 0);
    g_assert_cmpint(stop_rc, ==, 0);
    g_assert_cmpint(show_rc, ==, 0);
    g_assert_nonnull(strstr(show_out, name));
}

static const char *
missing_requirement(void)
{
    if (!getgrnam("libvirt"))
        return "there is no group libvirt (package libvirt-daemon-system)";
    if (!g_file_test(HOST_BUS_SOCKET, G_FILE_TEST_EXISTS))
        return "no system bus runs (" HOST_BUS_SOCKET "), through which libvirtd asks polkit "
               "about a desktop user; tools/setup starts it with polkitd";
    return svm_test_bus_missing();
}

int
main(int argc, char *argv[])
{
    const char *child = g_getenv(ENV_CHILD);
    const char *missing;
    int ret;

    if (child) {
        gtk_test_init(&argc, &argv, NULL);
        g_object_set(gtk_settings_get_default(), "gtk-enable-animations", FALSE, NULL);
        svirt_engine_init_libvirt();
        return run_as_desktop_user(child);
    }
    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_PRIVATE_STATE | SVM_TEST_FIXTURE_LIBVIRTD);
    missing = missing_requirement();
    if (missing) {
        g_printerr("test-ui-desktop-user: skipped: %s.\n", missing);
        for (int i = 1; i < argc; i++) {
            if (g_str_equal(argv[i], "--tap")) {
                g_print("1..0 # SKIP %s\n", missing);
                return 0;
            }
        }
        return 77;
    }
    gtk_test_init(&argc, &argv, NULL);
    svirt_engine_init_libvirt();
    svm_test_bus_start();
    g_test_add_func("/ui/desktop-user/start-stop", test_start_stop);
    g_test_add_func("/ui/desktop-user/root-only-images", test_root_only_images);
    g_test_add_func("/ui/desktop-user/levels-through-helper", test_levels_through_helper);
    ret = g_test_run();
    svm_test_bus_stop();
    return ret;
}
