#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "svirt-labeler.h"
#include "svirt-lifecycle.h"
#include "svm-test-cli.h"
#include "svm-test-fixture.h"
#include "svm-test-label.h"
#include "svm-test-vm.h"

#define URI svm_test_uri()
#define ORIGINAL "system_u:object_r:virt_image_t:s0"

static void
attach_disk(virConnectPtr conn, const char *uuid, const char *path, const char *target)
{
    g_autofree char *disk = svm_test_disk_xml(path, target, "");
    g_autoptr(virDomain) dom = virDomainLookupByUUIDString(conn, uuid);

    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainAttachDeviceFlags(dom, disk, VIR_DOMAIN_AFFECT_CONFIG), ==, 0);
}

static gboolean
is_active(virConnectPtr conn, const char *uuid)
{
    g_autoptr(virDomain) dom = virDomainLookupByUUIDString(conn, uuid);

    return dom && virDomainIsActive(dom) == 1;
}

/* What a start says; NULL when it started. */
static char *
start_refusal(SvirtEngine *engine, const char *name, int *code)
{
    g_autoptr(GError) error = NULL;

    if (svirt_engine_start_vm(engine, name, NULL, &error))
        return NULL;
    g_test_message("%s: %s", name, error->message);
    *code = error->domain == SVIRT_ERROR ? error->code : -1;
    return g_strdup(error->message);
}

static void
stop_ok(SvirtEngine *engine, const char *name)
{
    g_autoptr(GError) error = NULL;

    g_assert_true(svirt_engine_stop_vm(engine, name, TRUE, 0, &error));
    g_assert_no_error(error);
}

static void
assert_contains(const char *text, const char *part)
{
    if (!text || !strstr(text, part))
        g_error("'%s' does not contain '%s'", text ? text : "(started)", part);
}

/* A hard link to a running VM's private disk: refused as a file with two names, and with the
 * administrator's override still refused, as the same file the other VM holds. Once that VM
 * stops, the override lets the second VM use it, and its stop restores the file. */
static void
test_hard_link_to_running_disk(void)
{
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = svm_test_make_vm_dir("svm-hlink");
    g_autofree char *other_name = g_build_filename(dir, "innocent.img", NULL);
    g_autofree char *held = NULL;
    g_autofree char *labelled = NULL;
    g_autofree char *two_names = NULL;
    g_autofree char *in_use = NULL;
    g_autofree char *expected = NULL;
    g_autofree char *holder = NULL;
    int code_two_names = 0, code_in_use = 0;
    SvmTestVm one, two;

    svm_test_vm_define(conn, &one, "svm-test-hlink1", NULL, SVM_TEST_VM_DATA);
    svm_test_vm_define(conn, &two, "svm-test-hlink2", NULL, SVM_TEST_VM_PLAIN);
    svm_test_set_label(one.data, ORIGINAL);
    svm_test_set_label(two.boot, ORIGINAL);
    svirt_engine_start_vm(engine, one.name, NULL, &error);
    g_assert_no_error(error);
    held = svm_test_label_of(one.data);
    /* While it runs, the disk gets a second name, which another VM is given. */
    g_assert_cmpint(link(one.data, other_name), ==, 0);
    attach_disk(conn, two.uuid, other_name, "vdb");
    two_names = start_refusal(engine, two.name, &code_two_names);
    g_assert_false(is_active(conn, two.uuid));
    svirt_engine_set_disk_host_file(engine, two.name, "vdb", TRUE, &error);
    g_assert_no_error(error);
    in_use = start_refusal(engine, two.name, &code_in_use);
    g_assert_false(is_active(conn, two.uuid));
    /* Nothing of the refused VM was touched, and the running VM's disk keeps its label. */
    svm_test_assert_label(two.boot, ORIGINAL);
    svm_test_assert_label(one.data, held);

    stop_ok(engine, one.name);
    svm_test_assert_label(one.data, ORIGINAL);
    svirt_engine_start_vm(engine, two.name, NULL, &error);
    g_assert_no_error(error);
    labelled = svm_test_read_label(one.data);
    g_assert_cmpstr(labelled, !=, ORIGINAL);
    stop_ok(engine, two.name);
    svm_test_assert_label(one.data, ORIGINAL);
    svm_test_assert_label(two.boot, ORIGINAL);

    expected = g_strdup_printf("'svirtctl set-disk %s vdb --allow-host-file yes'", two.name);
    holder = g_strdup_printf("the running VM '%s'", one.name);
    g_unlink(other_name);
    svm_test_vm_undefine(conn, &one);
    svm_test_vm_undefine(conn, &two);
    svm_test_rmdir(dir);
    g_assert_cmpint(code_two_names, ==, SVIRT_ERROR_UNSAFE);
    assert_contains(two_names, "has 2 names (hard links)");
    assert_contains(two_names, expected);
    g_assert_cmpint(code_in_use, ==, SVIRT_ERROR_IN_USE);
    assert_contains(in_use, holder);
}

/* A scratch directory in a host place (/var/lib), bound into an ordinary directory: the disk
 * there is the host's file under another name. The override gives it to the VM. */
static void
test_bind_mount_of_host_dir(void)
{
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autoptr(GError) error = NULL;
    g_autofree char *host_dir = NULL;
    g_autofree char *host_disk = NULL;
    g_autofree char *view = svm_test_make_vm_dir("svm-bind");
    g_autofree char *through = g_build_filename(view, "disk.img", NULL);
    g_autofree char *refused = NULL;
    g_autofree char *while_running = NULL;
    g_autofree char *after = NULL;
    g_autofree char *expected = NULL;
    gboolean mounted, started = FALSE, stopped = FALSE;
    int code = 0;
    SvmTestVm vm;

    svm_test_vm_define(conn, &vm, "svm-test-bind", NULL, SVM_TEST_VM_PLAIN);
    attach_disk(conn, vm.uuid, through, "vdb");
    /* From here on nothing asserts until the mount and the directory are gone; the sweep after
     * a failure (a timeout) detaches the mount before it removes the directories. */
    host_dir = svm_test_make_host_dir("svm-host-objects");
    host_disk = g_build_filename(host_dir, "disk.img", NULL);
    mounted = g_chmod(host_dir, 0755) == 0 &&
              g_file_set_contents(host_disk, "", 0, NULL) &&
              truncate(host_disk, 65536) == 0 &&
              setxattr(host_disk, svirt_labeler_xattr_name(), ORIGINAL, sizeof(ORIGINAL), 0) == 0 &&
              mount(host_dir, view, NULL, MS_BIND, NULL) == 0;
    if (!mounted)
        g_test_message("setting up the bind mount: %s", g_strerror(errno));
    if (mounted) {
        refused = start_refusal(engine, vm.name, &code);
        started = svirt_engine_set_disk_host_file(engine, vm.name, "vdb", TRUE, &error) &&
                  svirt_engine_start_vm(engine, vm.name, NULL, &error);
        while_running = svm_test_read_label(host_disk);
        if (started)
            stopped = svirt_engine_stop_vm(engine, vm.name, TRUE, 0, NULL);
        after = svm_test_read_label(host_disk);
    }

    if (mounted && umount2(view, MNT_DETACH) < 0)
        g_test_message("could not unmount %s: %s", view, g_strerror(errno));
    g_unlink(host_disk);
    g_rmdir(host_dir);
    svm_test_vm_undefine(conn, &vm);
    svm_test_rmdir(view);
    if (!mounted) {
        g_test_skip("bind mounts are not permitted here");
        return;
    }
    g_assert_cmpint(code, ==, SVIRT_ERROR_UNSAFE);
    expected = g_strdup_printf("(also mounted as %s)", host_disk);
    assert_contains(refused, expected);
    assert_contains(refused, "under /var/lib, which belongs to the host");
    g_assert_no_error(error);
    g_assert_true(started);
    g_assert_true(stopped);
    g_assert_cmpstr(while_running, !=, ORIGINAL);
    g_assert_cmpstr(after, ==, ORIGINAL);
}

/* The backing file of an attached loop device is the host's disk, whatever the settings. */
static void
test_loop_backing(void)
{
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = svm_test_make_vm_dir("svm-loop");
    g_autofree char *image = g_build_filename(dir, "loop.img", NULL);
    g_autofree char *device = NULL;
    g_autofree char *refused = NULL;
    g_autofree char *label = NULL;
    const char *attach[] = { "losetup", "--find", "--show", image, NULL };
    gboolean attached, active = FALSE;
    int code = 0;
    SvmTestVm vm;

    svm_test_write_blank_image(image, 1024 * 1024);
    svm_test_set_label(image, ORIGINAL);
    svm_test_vm_define(conn, &vm, "svm-test-loop", NULL, SVM_TEST_VM_PLAIN);
    attach_disk(conn, vm.uuid, image, "vdb");
    /* Not even the override gives it. */
    svirt_engine_set_disk_host_file(engine, vm.name, "vdb", TRUE, &error);
    g_assert_no_error(error);
    /* Nothing asserts while the loop device is attached. */
    attached = g_spawn_sync(NULL, (char **)attach, NULL, G_SPAWN_SEARCH_PATH |
                            G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &device, NULL, NULL, NULL) &&
               device && *g_strstrip(device);
    if (attached) {
        const char *detach[] = { "losetup", "-d", device, NULL };

        refused = start_refusal(engine, vm.name, &code);
        active = is_active(conn, vm.uuid);
        label = svm_test_read_label(image);
        g_spawn_sync(NULL, (char **)detach, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                     NULL, NULL);
    }
    svm_test_vm_undefine(conn, &vm);
    svm_test_rmdir(dir);
    if (!attached) {
        g_test_skip("losetup is not permitted here");
        return;
    }
    g_assert_false(active);
    g_assert_cmpint(code, ==, SVIRT_ERROR_UNSAFE);
    assert_contains(refused, "backing file of loop device");
    g_assert_cmpstr(label, ==, ORIGINAL);
}

/* svirtctl set-disk stores the override, show-label shows it, and an unknown disk is refused
 * with the disks there are. */
static void
test_cli_set_disk(void)
{
    g_autoptr(virConnect) conn = virConnectOpen(URI);
    g_autofree char *out = NULL, *err = NULL;
    g_autofree char *shown = NULL, *shown_err = NULL;
    g_autofree char *bad_out = NULL, *bad_err = NULL;
    g_autofree char *off_out = NULL, *off_err = NULL;
    g_autofree char *after = NULL, *after_err = NULL;
    int set, show, bad, off, show_after;
    SvmTestVm vm;

    svm_test_vm_define(conn, &vm, "svm-test-setdisk", NULL, SVM_TEST_VM_DATA);
    {
        const char *set_args[] = { "--connect", URI, "set-disk", vm.name, "vdb",
                                   "--allow-host-file", "yes", NULL };
        const char *show_args[] = { "--connect", URI, "show-label", vm.name, "--json", NULL };
        const char *bad_args[] = { "--connect", URI, "set-disk", vm.name, "vdz",
                                   "--allow-host-file", "yes", NULL };
        const char *off_args[] = { "--connect", URI, "set-disk", vm.name, "vdb",
                                   "--allow-host-file", "no", NULL };

        set = svm_test_run_svirtctl(set_args, &out, &err);
        show = svm_test_run_svirtctl(show_args, &shown, &shown_err);
        bad = svm_test_run_svirtctl(bad_args, &bad_out, &bad_err);
        off = svm_test_run_svirtctl(off_args, &off_out, &off_err);
        show_after = svm_test_run_svirtctl(show_args, &after, &after_err);
    }
    svm_test_vm_undefine(conn, &vm);

    g_test_message("%s%s", out, err);
    g_assert_cmpint(set, ==, 0);
    assert_contains(out, "disk vdb may be a file that looks like the host's");
    g_assert_cmpint(show, ==, 0);
    {
        g_autoptr(JsonNode) root = svm_test_parse_json(shown);
        JsonArray *disks =
            json_object_get_array_member(json_node_get_object(root), "host_file_disks");

        g_assert_cmpuint(json_array_get_length(disks), ==, 1);
        g_assert_cmpstr(json_array_get_string_element(disks, 0), ==, "vdb");
    }
    g_assert_cmpint(bad, ==, 1);
    assert_contains(bad_err, "has no disk vdz. Its disks are: hda, vdb.");
    g_assert_cmpint(off, ==, 0);
    g_assert_cmpint(show_after, ==, 0);
    {
        g_autoptr(JsonNode) root = svm_test_parse_json(after);
        JsonArray *disks =
            json_object_get_array_member(json_node_get_object(root), "host_file_disks");

        g_assert_cmpuint(json_array_get_length(disks), ==, 0);
    }
}

int
main(int argc, char *argv[])
{
    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_PRIVATE_STATE | SVM_TEST_FIXTURE_LIBVIRTD);
    g_test_init(&argc, &argv, NULL);
    svirt_engine_init_libvirt();

    g_test_add_func("/system/host-objects/hard-link-to-running-disk",
                    test_hard_link_to_running_disk);
    g_test_add_func("/system/host-objects/bind-mount-of-host-dir", test_bind_mount_of_host_dir);
    g_test_add_func("/system/host-objects/loop-backing", test_loop_backing);
    g_test_add_func("/system/host-objects/cli-set-disk", test_cli_set_disk);
    return g_test_run();
}
