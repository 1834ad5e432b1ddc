#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <libvirt/virterror.h>
#include <selinux/selinux.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "svirt-context.h"
#include "svirt-domain-xml.h"
#include "svirt-journal.h"
#include "svirt-labeler.h"
#include "svirt-lifecycle.h"
#include "svm-test-label.h"
#include "svm-test-cli.h"
#include "svm-test-fixture.h"
#include "svm-test-util.h"
#include "svm-test-vm.h"

#define URI svm_test_uri()
#define ORIGINAL "system_u:object_r:virt_image_t:s0"

static SvirtPolicyTypes *types;

static gboolean
serial_has_marker(gpointer data)
{
    g_autofree char *text = NULL;

    return g_file_get_contents(data, &text, NULL, NULL) && strstr(text, SVM_TEST_BOOT_MARKER);
}

static void
start_ok(SvirtEngine *engine, const char *name)
{
    g_autoptr(GError) error = NULL;
    gboolean ok = svirt_engine_start_vm(engine, name, NULL, &error);

    g_assert_no_error(error);
    g_assert_true(ok);
}

static void
stop_ok(SvirtEngine *engine, const char *name)
{
    g_autoptr(GError) error = NULL;
    gboolean ok = svirt_engine_stop_vm(engine, name, TRUE, 0, &error);

    g_assert_no_error(error);
    g_assert_true(ok);
}

static char *
private_label(SvirtVmStatus *status)
{
    g_assert_nonnull(status->image_label);
    return g_strdup(status->image_label);
}

static guint
journal_size(void)
{
    g_autoptr(SvirtJournal) j = svirt_journal_open(NULL, NULL);
    guint n;

    g_assert_true(svirt_journal_lock(j, NULL));
    n = svirt_journal_get_entries(j)->len;
    svirt_journal_unlock(j);
    return n;
}

static void
test_start_and_stop(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(GError) error = NULL;
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(SvirtVmStatus) status = NULL;
    g_autofree char *shared = NULL;
    g_autofree char *shared_dir = svm_test_make_vm_dir("svm-shared");
    g_autofree char *image = NULL;
    g_autofree char *live = NULL;
    SvirtLevel level;
    guint a, b;
    SvmTestVm vm;

    g_assert_true(svirt_engine_connect(engine, NULL, &error));
    conn = svirt_engine_dup_connection(engine, NULL);
    shared = g_build_filename(shared_dir, "shared.img", NULL);
    svm_test_write_blank_image(shared, 65536);
    svm_test_vm_define(conn, &vm, "svm-test-life", shared, SVM_TEST_VM_READONLY);
    /* The boot disk starts with a label, the others with none. */
    svm_test_set_label(vm.boot, ORIGINAL);

    start_ok(engine, vm.name);
    svm_test_wait_for(serial_has_marker, vm.serial, 30000, "the guest's marker on its serial port");

    status = svirt_engine_get_vm_status(engine, vm.name, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(svirt_vm_state_to_id(status->state), ==, "running");
    g_assert_true(status->started_by_engine);
    g_assert_true(g_str_has_prefix(status->process_label, "system_u:system_r:svirt_t:s0:c"));
    image = private_label(status);
    g_assert_true(g_str_has_prefix(image, "system_u:object_r:svirt_image_t:s0:c"));
    {
        g_autoptr(SvirtContext) ctx = svirt_context_parse(image, &error);

        g_assert_no_error(error);
        level = *svirt_context_get_low(ctx);
    }
    g_assert_true(svirt_level_get_pair(&level, &a, &b));
    g_assert_cmpuint(a, <, b);

    /* Every path carries its planned label... */
    svm_test_assert_label(vm.boot, image);
    svm_test_assert_label(vm.shared, "system_u:object_r:svirt_image_t:s0");
    svm_test_assert_label(vm.readonly, types->content);
    svm_test_assert_label(vm.serial, image);
    for (guint i = 0; i < status->disks->len; i++) {
        SvirtDiskState *disk = g_ptr_array_index(status->disks, i);

        g_test_message("%s %s %s", disk->target, disk->actual_label,
                       svirt_disk_status_to_string(disk->status));
        g_assert_cmpint(disk->status, ==, SVIRT_DISK_STATUS_LABELED);
    }
    /* ...and the live definition carries the process label. */
    {
        g_autoptr(virDomain) dom = virDomainLookupByUUIDString(conn, vm.uuid);

        live = virDomainGetXMLDesc(dom, 0);
        g_assert_nonnull(strstr(live, status->process_label));
        g_assert_nonnull(strstr(live, SVIRT_LIVE_NS));
    }
    {
        g_autoptr(virDomain) dom = virDomainLookupByUUIDString(conn, vm.uuid);
        g_autofree char *persistent = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);

        /* A start does not change the persistent definition. */
        g_assert_null(strstr(persistent, SVIRT_LIVE_NS));
    }

    stop_ok(engine, vm.name);
    svm_test_assert_label(vm.boot, ORIGINAL);
    svm_test_assert_label(vm.shared, NULL);
    svm_test_assert_label(vm.readonly, NULL);
    svm_test_assert_label(vm.serial, NULL);
    g_assert_cmpuint(journal_size(), ==, 0);

    svm_test_vm_undefine(conn, &vm);
    svm_test_rmdir(shared_dir);
}

typedef struct {
    const char *path;
    const char *label;
} LabelIs;

static gboolean
label_is(gpointer data)
{
    LabelIs *want = data;
    g_autofree char *label = svm_test_label_of(want->path);

    return g_strcmp0(label, want->label) == 0;
}

static void
test_destroy_from_outside(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(GError) error = NULL;
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(virConnect) other = NULL;
    g_autoptr(virDomain) dom = NULL;
    SvmTestVm vm;
    LabelIs back;

    g_assert_true(svirt_engine_connect(engine, NULL, &error));
    svirt_engine_watch_stops(engine);
    conn = svirt_engine_dup_connection(engine, NULL);
    svm_test_vm_define(conn, &vm, "svm-test-destroy", NULL, SVM_TEST_VM_PLAIN);
    svm_test_set_label(vm.boot, ORIGINAL);
    start_ok(engine, vm.name);
    g_assert_true(g_str_has_prefix(svm_test_label_of(vm.boot), "system_u:object_r:svirt_image_t:s0:c"));

    /* Like 'virsh destroy': another client; the engine only sees the lifecycle event. */
    other = virConnectOpen(URI);
    dom = virDomainLookupByUUIDString(other, vm.uuid);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    back.path = vm.boot;
    back.label = ORIGINAL;
    svm_test_wait_for(label_is, &back, 10000, "the label to be restored after virsh destroy");
    svm_test_vm_undefine(conn, &vm);
}

static void
test_shared_disk(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(GError) error = NULL;
    g_autoptr(virConnect) conn = NULL;
    g_autofree char *shared_dir = svm_test_make_vm_dir("svm-shared");
    g_autofree char *shared = g_build_filename(shared_dir, "shared.img", NULL);
    SvmTestVm one, two;

    g_assert_true(svirt_engine_connect(engine, NULL, &error));
    conn = svirt_engine_dup_connection(engine, NULL);
    svm_test_write_blank_image(shared, 65536);
    svm_test_set_label(shared, ORIGINAL);
    svm_test_vm_define(conn, &one, "svm-test-share1", shared, SVM_TEST_VM_PLAIN);
    svm_test_vm_define(conn, &two, "svm-test-share2", shared, SVM_TEST_VM_PLAIN);

    start_ok(engine, one.name);
    start_ok(engine, two.name);
    svm_test_assert_label(shared, "system_u:object_r:svirt_image_t:s0");
    /* The private disks have different levels. */
    {
        g_autofree char *l1 = svm_test_label_of(one.boot);
        g_autofree char *l2 = svm_test_label_of(two.boot);

        g_assert_cmpstr(l1, !=, l2);
    }

    stop_ok(engine, one.name);
    svm_test_assert_label(shared, "system_u:object_r:svirt_image_t:s0");
    stop_ok(engine, two.name);
    svm_test_assert_label(shared, ORIGINAL);
    g_assert_cmpuint(journal_size(), ==, 0);

    svm_test_vm_undefine(conn, &one);
    svm_test_vm_undefine(conn, &two);
    svm_test_rmdir(shared_dir);
}

static void
test_crash_safety(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(virConnect) conn = NULL;
    g_autofree char *shared_dir = svm_test_make_vm_dir("svm-shared");
    g_autofree char *shared = g_build_filename(shared_dir, "shared.img", NULL);
    SvmTestVm vm;
    /* Labels a start makes: boot disk, shared disk, read-only disk, serial log. */
    const guint n = 4;

    g_assert_true(svirt_engine_connect(engine, NULL, NULL));
    conn = svirt_engine_dup_connection(engine, NULL);
    svm_test_write_blank_image(shared, 65536);
    svm_test_vm_define(conn, &vm, "svm-test-crash", shared, SVM_TEST_VM_READONLY);
    svm_test_set_label(vm.boot, ORIGINAL);
    svm_test_set_label(shared, ORIGINAL);

    /* Killed after the journal is written and k of the n labels are on, for every k. */
    for (guint k = 0; k <= n; k++) {
        g_autofree char *kstr = g_strdup_printf("%u", k);
        const char *argv[] = { g_getenv("SVIRTCTL"), "--connect", URI, "start", vm.name, NULL };
        const char *reconcile[] = { "--connect", URI, "reconcile", NULL };
        g_autofree char *out = NULL;
        g_autofree char *err = NULL;
        int wait_status;

        g_test_message("killed after %u labels", k);
        g_setenv("SVIRT_CRASH_AFTER_LABELS", kstr, TRUE);
        g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                                   &err, &wait_status, NULL));
        g_unsetenv("SVIRT_CRASH_AFTER_LABELS");
        g_assert_true(WIFSIGNALED(wait_status));
        g_assert_cmpint(WTERMSIG(wait_status), ==, SIGKILL);
        g_assert_cmpuint(journal_size(), ==, n);
        if (k > 0) {
            g_autofree char *now = svm_test_label_of(vm.boot);

            g_assert_true(g_str_has_prefix(now, "system_u:object_r:svirt_image_t:s0:c"));
        }
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        g_assert_cmpint(svm_test_run_svirtctl(reconcile, &out, &err), ==, 0);
        svm_test_assert_label(vm.boot, ORIGINAL);
        svm_test_assert_label(shared, ORIGINAL);
        svm_test_assert_label(vm.readonly, NULL);
        svm_test_assert_label(vm.serial, NULL);
        g_assert_cmpuint(journal_size(), ==, 0);
    }
    svm_test_vm_undefine(conn, &vm);
    svm_test_rmdir(shared_dir);
}

static void
test_refused_paths(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(GError) error = NULL;
    g_autoptr(virConnect) conn = NULL;
    g_autofree char *dir = svm_test_make_vm_dir("svm-refuse");
    g_autofree char *boot = g_build_filename(dir, "boot.img", NULL);
    g_autofree char *link = g_build_filename(dir, "disk.img", NULL);
    g_autofree char *passwd_before = NULL;
    struct {
        const char *what;
        char *disk;
        const char *message;
    } cases[3];

    g_assert_true(svirt_engine_connect(engine, NULL, &error));
    conn = svirt_engine_dup_connection(engine, NULL);
    svm_test_write_boot_image(boot);
    svm_test_set_label(boot, ORIGINAL);
    g_assert_cmpint(symlink("/etc/passwd", link), ==, 0);
    svirt_labeler_read_label("/etc/passwd", &passwd_before, NULL);

    cases[0].what = "symlink to a system file";
    cases[0].disk = svm_test_disk_xml(link, "vdb", "");
    cases[0].message = "/etc/passwd";
    cases[1].what = "system directory";
    cases[1].disk = svm_test_disk_xml("/usr/share/base-passwd/passwd.master", "vdb", "");
    cases[1].message = "belongs to the host";
    cases[2].what = "mounted block device";
    cases[2].disk = NULL;
    cases[2].message = "mounted";
    {
        /* The block device that holds the root filesystem. */
        struct stat st;
        g_autofree char *uevent = NULL;
        g_autofree char *sys = NULL;
        g_autofree char *devname = NULL;

        g_assert_cmpint(stat("/", &st), ==, 0);
        sys = g_strdup_printf("/sys/dev/block/%u:%u/uevent", major(st.st_dev),
                              minor(st.st_dev));
        if (g_file_get_contents(sys, &uevent, NULL, NULL) && strstr(uevent, "DEVNAME=")) {
            char *start = strstr(uevent, "DEVNAME=") + strlen("DEVNAME=");

            devname = g_strndup(start, strcspn(start, "\n"));
            cases[2].disk = g_strdup_printf("<disk type='block' device='disk'>"
                                            "<driver name='qemu' type='raw'/>"
                                            "<source dev='/dev/%s'/>"
                                            "<target dev='vdb' bus='virtio'/></disk>",
                                            devname);
        }
    }

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *name = g_strdup_printf("svm-test-refuse%u-%d", i, (int)getpid());
        g_autofree char *xml = NULL;
        g_autoptr(GError) e = NULL;
        virDomainPtr dom;
        gboolean ok;

        if (!cases[i].disk) {
            g_test_message("no block device for / found; case '%s' not run", cases[i].what);
            continue;
        }
        xml = svm_test_domain_xml(name, boot, cases[i].disk);
        dom = virDomainDefineXML(conn, xml);
        g_assert_nonnull(dom);
        ok = svirt_engine_start_vm(engine, name, NULL, &e);
        g_assert_cmpint(virDomainIsActive(dom), ==, 0);
        virDomainUndefine(dom);
        virDomainFree(dom);
        g_test_message("%s: %s", cases[i].what, e ? e->message : "started");
        g_assert_false(ok);
        g_assert_error(e, SVIRT_ERROR, SVIRT_ERROR_UNSAFE);
        g_assert_nonnull(strstr(e->message, cases[i].message));
        /* Nothing was labelled, not even the boot disk checked before. */
        svm_test_assert_label(boot, ORIGINAL);
        g_free(cases[i].disk);
    }
    {
        g_autofree char *passwd_after = NULL;

        svirt_labeler_read_label("/etc/passwd", &passwd_after, NULL);
        g_assert_cmpstr(passwd_before, ==, passwd_after);
    }
    g_assert_cmpuint(journal_size(), ==, 0);
    svm_test_rmdir(dir);
}

static void
test_private_disk_in_use(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(GError) error = NULL;
    g_autoptr(virConnect) conn = NULL;
    g_autofree char *dir = svm_test_make_vm_dir("svm-private");
    g_autofree char *data = g_build_filename(dir, "data.img", NULL);
    g_autofree char *held = NULL;
    SvmTestVm one, two;
    gboolean ok;

    g_assert_true(svirt_engine_connect(engine, NULL, &error));
    conn = svirt_engine_dup_connection(engine, NULL);
    svm_test_write_blank_image(data, 65536);
    /* Both VMs name the same disk, neither marks it shareable. */
    svm_test_vm_define(conn, &one, "svm-test-priv1", NULL, SVM_TEST_VM_PLAIN);
    svm_test_vm_define(conn, &two, "svm-test-priv2", NULL, SVM_TEST_VM_PLAIN);
    {
        g_autofree char *disk = svm_test_disk_xml(data, "vdb", "");
        g_autoptr(virDomain) d1 = virDomainLookupByUUIDString(conn, one.uuid);
        g_autoptr(virDomain) d2 = virDomainLookupByUUIDString(conn, two.uuid);

        g_assert_cmpint(virDomainAttachDeviceFlags(d1, disk, VIR_DOMAIN_AFFECT_CONFIG), ==, 0);
        g_assert_cmpint(virDomainAttachDeviceFlags(d2, disk, VIR_DOMAIN_AFFECT_CONFIG), ==, 0);
    }
    svm_test_set_label(two.boot, ORIGINAL);

    start_ok(engine, one.name);
    held = svm_test_label_of(data);
    ok = svirt_engine_start_vm(engine, two.name, NULL, &error);
    g_test_message("%s", error ? error->message : "started");
    g_assert_false(ok);
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE);
    g_assert_nonnull(strstr(error->message, one.name));
    /* Nothing of the refused VM was touched. */
    svm_test_assert_label(two.boot, ORIGINAL);
    svm_test_assert_label(data, held);

    stop_ok(engine, one.name);
    svm_test_assert_label(data, NULL);
    svm_test_vm_undefine(conn, &one);
    svm_test_vm_undefine(conn, &two);
    svm_test_rmdir(dir);
}

/* Two processes start VMs at the same time, again and again: no level is ever handed out
 * twice. */
static void
test_concurrent_starts(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(GHashTable) levels = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    const guint per_process = 4, rounds = 2;
    SvmTestVm vms[8];
    g_autofree char *errlog = NULL;

    g_assert_true(svirt_engine_connect(engine, NULL, NULL));
    conn = svirt_engine_dup_connection(engine, NULL);
    for (guint i = 0; i < 2 * per_process; i++) {
        g_autofree char *name = g_strdup_printf("svm-test-conc%u", i);

        svm_test_vm_define(conn, &vms[i], name, NULL, SVM_TEST_VM_PLAIN);
    }
    errlog = g_build_filename(vms[0].dir, "errors.log", NULL);
    for (guint round = 0; round < rounds; round++) {
        GPid pids[2];

        for (guint p = 0; p < 2; p++) {
            g_autofree char *script = NULL;
            g_autoptr(GString) cmd = g_string_new("set -e; ");
            const char *argv[] = { "/bin/sh", "-c", NULL, NULL };
            g_autoptr(GError) error = NULL;

            for (guint i = 0; i < per_process; i++)
                g_string_append_printf(cmd, "'%s' --connect %s start '%s' >/dev/null 2>>'%s'; ",
                                       g_getenv("SVIRTCTL"), URI,
                                       vms[p * per_process + i].name, errlog);
            argv[2] = cmd->str;
            g_assert_true(g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                        NULL, NULL, &pids[p], &error));
        }
        for (guint p = 0; p < 2; p++) {
            g_autofree char *errors = NULL;
            /* The main loop runs meanwhile: an unanswered libvirt keepalive would close the
             * engine's connection while the starts take long on a loaded machine. */
            int status = svm_test_wait_child(pids[p], 240000, "the svirtctl starts");

            if (g_file_get_contents(errlog, &errors, NULL, NULL))
                g_test_message("errors: %s", errors);
            g_assert_true(WIFEXITED(status));
            g_assert_cmpint(WEXITSTATUS(status), ==, 0);
        }
        for (guint i = 0; i < 2 * per_process; i++) {
            g_autoptr(GError) error = NULL;
            g_autoptr(SvirtVmStatus) status = svirt_engine_get_vm_status(engine, vms[i].name,
                                                                          &error);
            g_autofree char *image = NULL;

            g_assert_no_error(error);
            image = private_label(status);
            g_test_message("round %u %s: %s", round, vms[i].name, image);
            /* Distinct within the round, as every VM runs at once. */
            g_assert_false(g_hash_table_contains(levels, image));
            g_hash_table_add(levels, g_strdup(image));
            svm_test_assert_label(vms[i].boot, image);
        }
        for (guint i = 0; i < 2 * per_process; i++)
            stop_ok(engine, vms[i].name);
        g_hash_table_remove_all(levels);
    }
    g_assert_cmpuint(journal_size(), ==, 0);
    for (guint i = 0; i < 2 * per_process; i++)
        svm_test_vm_undefine(conn, &vms[i]);
}

static gboolean
host_enforces(virConnectPtr conn)
{
    char *caps = virConnectGetCapabilities(conn);
    gboolean driver = caps && strstr(caps, "<model>selinux</model>");

    free(caps);
    return is_selinux_enabled() > 0 && security_getenforce() == 1 && driver;
}

static void
test_status_json(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(virConnect) conn = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(JsonNode) root = NULL;
    JsonObject *obj;
    JsonArray *disks;
    SvmTestVm vm;
    const char *keys[] = { "name", "uuid", "state", "mode", "relabel", "process_label",
                           "image_label", "enforced", "disks" };
    const char *disk_keys[] = { "target", "path", "designation", "expected_label",
                                "actual_label", "status" };

    g_assert_true(svirt_engine_connect(engine, NULL, NULL));
    conn = svirt_engine_dup_connection(engine, NULL);
    svm_test_vm_define(conn, &vm, "svm-test-status", NULL, SVM_TEST_VM_READONLY);
    start_ok(engine, vm.name);
    {
        const char *args[] = { "--connect", URI, "status", vm.name, "--json", NULL };

        g_assert_cmpint(svm_test_run_svirtctl(args, &out, &err), ==, 0);
    }
    root = svm_test_parse_json(out);
    obj = json_node_get_object(root);
    for (guint i = 0; i < G_N_ELEMENTS(keys); i++)
        g_assert_true(json_object_has_member(obj, keys[i]));
    g_assert_cmpstr(json_object_get_string_member(obj, "state"), ==, "running");
    g_assert_cmpstr(json_object_get_string_member(obj, "mode"), ==, "dynamic");
    g_assert_true(json_object_get_boolean_member(obj, "relabel"));
    /* Enforced only where SELinux enforces and libvirtd runs QEMU under the label; elsewhere
     * that is said. The selinux-host suite runs each case on any machine. */
    g_assert_cmpint(json_object_get_boolean_member(obj, "enforced"), ==, host_enforces(conn));
    g_assert_cmpint(json_object_get_null_member(obj, "enforced_reason"), ==, host_enforces(conn));
    disks = json_object_get_array_member(obj, "disks");
    g_assert_cmpuint(json_array_get_length(disks), ==, 2);
    for (guint d = 0; d < 2; d++) {
        JsonObject *disk = json_array_get_object_element(disks, d);
        const char *target = json_object_get_string_member(disk, "target");

        for (guint i = 0; i < G_N_ELEMENTS(disk_keys); i++)
            g_assert_true(json_object_has_member(disk, disk_keys[i]));
        g_assert_cmpstr(json_object_get_string_member(disk, "status"), ==, "labeled");
        g_assert_cmpstr(json_object_get_string_member(disk, "designation"), ==,
                        g_str_equal(target, "hda") ? "private" : "readonly");
        g_assert_cmpstr(json_object_get_string_member(disk, "expected_label"), ==,
                        json_object_get_string_member(disk, "actual_label"));
    }
    g_assert_cmpstr(json_object_get_string_member(obj, "image_label"), ==,
                    json_object_get_string_member(json_array_get_object_element(disks, 0),
                                                  "actual_label"));
    stop_ok(engine, vm.name);
    svm_test_vm_undefine(conn, &vm);
}

/* libvirtd runs the hook as: qemu NAME release end - with the domain XML on stdin. */
static void
test_hook_restores(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(virConnect) other = NULL;
    g_autoptr(virDomain) dom = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *xml_path = NULL;
    g_autofree char *cmd = NULL;
    g_autofree char *hooks = svm_test_make_vm_dir("svm-hooks");
    g_autofree char *script = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status;
    SvmTestVm vm;

    g_assert_true(svirt_engine_connect(engine, NULL, NULL));
    conn = svirt_engine_dup_connection(engine, NULL);
    svm_test_vm_define(conn, &vm, "svm-test-hook", NULL, SVM_TEST_VM_PLAIN);
    svm_test_set_label(vm.boot, ORIGINAL);
    start_ok(engine, vm.name);
    other = virConnectOpen(URI);
    dom = virDomainLookupByUUIDString(other, vm.uuid);
    xml = virDomainGetXMLDesc(dom, 0);
    /* Stopped while no engine watches: the label stays until the hook runs. */
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_true(g_str_has_prefix(svm_test_label_of(vm.boot), "system_u:object_r:svirt_image_t:s0:c"));

    xml_path = g_build_filename(vm.dir, "domain.xml", NULL);
    g_assert_true(g_file_set_contents(xml_path, xml, -1, NULL));
    cmd = g_strdup_printf("'%s' hook '%s' release end - < '%s'", g_getenv("SVIRTCTL"), vm.name,
                          xml_path);
    {
        const char *argv[] = { "/bin/sh", "-c", cmd, NULL };

        g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                                   &err, &status, NULL));
    }
    g_test_message("hook: %s %s", out, err);
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    svm_test_assert_label(vm.boot, ORIGINAL);
    g_assert_cmpuint(journal_size(), ==, 0);

    /* install-hook writes a script that calls it, and leaves a foreign hook alone. */
    {
        const char *args[] = { "install-hook", "--dir", hooks, NULL };
        g_autofree char *path = g_build_filename(hooks, "qemu", NULL);

        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        g_assert_cmpint(svm_test_run_svirtctl(args, &out, &err), ==, 0);
        g_assert_true(g_file_get_contents(path, &script, NULL, NULL));
        g_assert_nonnull(strstr(script, " hook \"$@\""));
        g_assert_true(g_file_test(path, G_FILE_TEST_IS_EXECUTABLE));
        g_assert_true(g_file_set_contents(path, "#!/bin/sh\nexit 0\n", -1, NULL));
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        g_assert_cmpint(svm_test_run_svirtctl(args, &out, &err), ==, 1);
        g_assert_nonnull(strstr(err, "not ours"));
    }
    svm_test_vm_undefine(conn, &vm);
    svm_test_rmdir(hooks);
}

static gboolean
run(const char *cmd)
{
    g_autofree char *err = NULL;
    int status;

    if (!g_spawn_command_line_sync(cmd, NULL, &err, &status, NULL))
        return FALSE;
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_test_message("%s: %s", cmd, err);
        return FALSE;
    }
    return TRUE;
}

/* A disk on ramfs, which has no extended attributes at all (as vfat or NFS): the VM starts
 * and the disk says why it carries no label. */
static void
test_unsupported_filesystem(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(SvirtVmStatus) status = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = svm_test_make_vm_dir("svm-nolabel");
    g_autofree char *mnt = g_build_filename(dir, "mnt", NULL);
    g_autofree char *disk = g_build_filename(mnt, "disk.img", NULL);
    g_autofree char *cmd = NULL;
    gboolean found = FALSE;
    SvmTestVm vm;

    g_assert_cmpint(g_mkdir(mnt, 0755), ==, 0);
    cmd = g_strdup_printf("mount -t ramfs -o mode=0755 svm-nolabel '%s'", mnt);
    g_assert_true(run(cmd));
    svm_test_write_blank_image(disk, 65536);

    g_assert_true(svirt_engine_connect(engine, NULL, NULL));
    conn = svirt_engine_dup_connection(engine, NULL);
    svm_test_vm_define(conn, &vm, "svm-test-nolabel", NULL, SVM_TEST_VM_PLAIN);
    {
        g_autofree char *xml = svm_test_disk_xml(disk, "vdb", "");
        g_autoptr(virDomain) dom = virDomainLookupByUUIDString(conn, vm.uuid);

        g_assert_cmpint(virDomainAttachDeviceFlags(dom, xml, VIR_DOMAIN_AFFECT_CONFIG), ==, 0);
    }
    start_ok(engine, vm.name);
    status = svirt_engine_get_vm_status(engine, vm.name, &error);
    g_assert_no_error(error);
    for (guint i = 0; i < status->disks->len; i++) {
        SvirtDiskState *d = g_ptr_array_index(status->disks, i);

        g_test_message("%s: %s (%s)", d->target, svirt_disk_status_to_string(d->status),
                       d->note ? d->note : "");
        if (g_strcmp0(d->target, "vdb") == 0) {
            g_assert_cmpint(d->status, ==, SVIRT_DISK_STATUS_UNSUPPORTED);
            g_assert_nonnull(strstr(d->note, "does not support labels"));
            found = TRUE;
        } else {
            g_assert_cmpint(d->status, ==, SVIRT_DISK_STATUS_LABELED);
        }
    }
    g_assert_true(found);
    stop_ok(engine, vm.name);
    g_assert_cmpuint(journal_size(), ==, 0);
    svm_test_vm_undefine(conn, &vm);
    g_free(cmd);
    cmd = g_strdup_printf("umount '%s'", mnt);
    g_assert_true(run(cmd));
    svm_test_rmdir(dir);
}

static SvirtVmLabels *
labels_of(SvirtEngine *engine, const char *name)
{
    g_autoptr(GError) error = NULL;
    SvirtVmLabels *labels = svirt_engine_get_vm_labels(engine, name, &error);

    g_assert_no_error(error);
    g_test_message("%s: isolation %d (%s)", name, (int)labels->isolation, labels->reason);
    return labels;
}

/* The list's isolation column: isolated, shares a writable disk, or a problem. */
static void
test_isolation_summary(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(virConnect) conn = NULL;
    g_autofree char *shared_dir = svm_test_make_vm_dir("svm-shared");
    g_autofree char *shared = g_build_filename(shared_dir, "shared.img", NULL);
    g_autoptr(SvirtVmLabels) alone = NULL;
    g_autoptr(SvirtVmLabels) sharing = NULL;
    g_autoptr(SvirtVmLabels) running = NULL;
    g_autoptr(SvirtVmLabels) unlabelled = NULL;
    g_autoptr(SvirtVmLabels) outside = NULL;
    g_autoptr(SvirtSettings) none = svirt_settings_new();
    SvmTestVm one, two;

    g_assert_true(svirt_engine_connect(engine, NULL, NULL));
    conn = svirt_engine_dup_connection(engine, NULL);
    svm_test_write_blank_image(shared, 65536);
    svm_test_vm_define(conn, &one, "svm-test-iso1", NULL, SVM_TEST_VM_READONLY);
    svm_test_vm_define(conn, &two, "svm-test-iso2", shared, SVM_TEST_VM_PLAIN);

    alone = labels_of(engine, one.name);
    g_assert_cmpint(alone->isolation, ==, SVIRT_ISOLATION_ISOLATED);
    g_assert_cmpint(alone->mode, ==, SVIRT_SECURITY_MODE_DYNAMIC);
    g_assert_null(alone->process_label);
    sharing = labels_of(engine, two.name);
    g_assert_cmpint(sharing->isolation, ==, SVIRT_ISOLATION_SHARED);
    g_assert_nonnull(strstr(sharing->reason, shared));

    start_ok(engine, one.name);
    running = labels_of(engine, one.name);
    g_assert_cmpint(running->isolation, ==, SVIRT_ISOLATION_ISOLATED);
    g_assert_true(g_str_has_prefix(running->process_label, "system_u:system_r:svirt_t:s0:c"));
    stop_ok(engine, one.name);

    /* Started behind the engine's back: nothing was labelled for it. */
    {
        g_autoptr(virDomain) dom = virDomainLookupByUUIDString(conn, two.uuid);

        g_assert_cmpint(virDomainCreate(dom), ==, 0);
        outside = labels_of(engine, two.name);
        g_assert_cmpint(outside->isolation, ==, SVIRT_ISOLATION_PROBLEM);
        g_assert_nonnull(strstr(outside->reason, "outside"));
        g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    }
    g_assert_true(svirt_settings_set_mode(none, SVIRT_SECURITY_MODE_NONE, NULL, TRUE, NULL));
    g_assert_true(svirt_engine_set_settings(engine, one.name, none, NULL));
    unlabelled = labels_of(engine, one.name);
    g_assert_cmpint(unlabelled->isolation, ==, SVIRT_ISOLATION_PROBLEM);
    g_assert_cmpint(unlabelled->mode, ==, SVIRT_SECURITY_MODE_NONE);

    svm_test_vm_undefine(conn, &one);
    svm_test_vm_undefine(conn, &two);
    svm_test_rmdir(shared_dir);
}

static void
test_pause_resume(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(virDomain) dom = NULL;
    int state, reason;
    SvmTestVm vm;

    g_assert_true(svirt_engine_connect(engine, NULL, NULL));
    conn = svirt_engine_dup_connection(engine, NULL);
    svm_test_vm_define(conn, &vm, "svm-test-pause", NULL, SVM_TEST_VM_PLAIN);
    dom = virDomainLookupByUUIDString(conn, vm.uuid);
    g_assert_false(svirt_engine_pause_vm(engine, vm.name, &error));
    g_assert_nonnull(strstr(error->message, "Could not pause"));
    g_clear_error(&error);
    start_ok(engine, vm.name);
    g_assert_true(svirt_engine_pause_vm(engine, vm.name, &error));
    g_assert_cmpint(virDomainGetState(dom, &state, &reason, 0), ==, 0);
    g_assert_cmpint(state, ==, VIR_DOMAIN_PAUSED);
    g_assert_true(svirt_engine_resume_vm(engine, vm.name, &error));
    g_assert_cmpint(virDomainGetState(dom, &state, &reason, 0), ==, 0);
    g_assert_cmpint(state, ==, VIR_DOMAIN_RUNNING);
    stop_ok(engine, vm.name);
    svm_test_vm_undefine(conn, &vm);
}

static void
test_delete_with_storage(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) storage = NULL;
    g_autofree char *shared_dir = svm_test_make_vm_dir("svm-shared");
    g_autofree char *shared = g_build_filename(shared_dir, "shared.img", NULL);
    g_autofree char *boot = NULL;
    g_autofree char *readonly = NULL;
    const char *wanted[2] = { NULL, NULL };
    const char *shared_only[] = { shared, NULL };
    SvmTestVm one, two;

    g_assert_true(svirt_engine_connect(engine, NULL, NULL));
    conn = svirt_engine_dup_connection(engine, NULL);
    svm_test_write_blank_image(shared, 65536);
    svm_test_vm_define(conn, &one, "svm-test-del1", shared, SVM_TEST_VM_READONLY);
    svm_test_vm_define(conn, &two, "svm-test-del2", shared, SVM_TEST_VM_PLAIN);
    boot = g_strdup(one.boot);
    readonly = g_strdup(one.readonly);

    storage = svirt_engine_list_vm_storage(engine, one.name, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(storage->len, ==, 3);
    for (guint i = 0; i < storage->len; i++) {
        SvirtStorageItem *item = g_ptr_array_index(storage, i);

        g_test_message("%s %s %s", item->path, item->deletable ? "offered" : "kept",
                       item->reason ? item->reason : "");
        if (g_str_equal(item->path, one.boot))
            g_assert_true(item->deletable);
        else if (g_str_equal(item->path, shared))
            g_assert_true(!item->deletable && strstr(item->reason, two.name));
        else
            g_assert_true(!item->deletable && strstr(item->reason, "Read-only"));
    }
    /* A file that is not offered is never deleted, and then nothing is. */
    g_assert_false(svirt_engine_delete_vm(engine, one.name, shared_only, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE);
    g_clear_error(&error);
    g_assert_true(g_file_test(shared, G_FILE_TEST_EXISTS));

    /* Running VMs are not deleted. */
    start_ok(engine, one.name);
    wanted[0] = boot;
    g_assert_false(svirt_engine_delete_vm(engine, one.name, wanted, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE);
    g_clear_error(&error);
    stop_ok(engine, one.name);

    g_assert_true(svirt_engine_delete_vm(engine, one.name, wanted, &error));
    g_assert_no_error(error);
    g_assert_false(g_file_test(boot, G_FILE_TEST_EXISTS));
    g_assert_true(g_file_test(readonly, G_FILE_TEST_EXISTS));
    g_assert_true(g_file_test(shared, G_FILE_TEST_EXISTS));
    g_assert_null(virDomainLookupByUUIDString(conn, one.uuid));
    virResetLastError();

    svm_test_vm_undefine(conn, &one);
    svm_test_vm_undefine(conn, &two);
    svm_test_rmdir(shared_dir);
}

/* The generated guest ignores ACPI: a graceful shutdown must give up after the timeout with a
 * message, leave the VM and its labels as they are, and force off must then work. */
static void
test_shutdown_timeout(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *label = NULL;
    gboolean ok;
    SvmTestVm vm;

    g_assert_true(svirt_engine_connect(engine, NULL, NULL));
    conn = svirt_engine_dup_connection(engine, NULL);
    svm_test_vm_define(conn, &vm, "svm-test-acpi", NULL, SVM_TEST_VM_PLAIN);
    svm_test_set_label(vm.boot, ORIGINAL);
    start_ok(engine, vm.name);
    label = svm_test_label_of(vm.boot);
    ok = svirt_engine_stop_vm(engine, vm.name, FALSE, 1000, &error);
    g_test_message("%s", error ? error->message : "stopped");
    g_assert_false(ok);
    g_assert_nonnull(strstr(error->message, "did not shut down within 1 second;"));
    g_assert_nonnull(strstr(error->message, "Force it off"));
    svm_test_assert_label(vm.boot, label);
    stop_ok(engine, vm.name);
    svm_test_assert_label(vm.boot, ORIGINAL);
    svm_test_vm_undefine(conn, &vm);
}

/* A range of two categories holds one pair: every start from this engine gets exactly it. */
static void
test_engine_range(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(virConnect) conn = NULL;
    SvmTestVm vm;

    g_assert_true(svirt_engine_connect(engine, NULL, NULL));
    conn = svirt_engine_dup_connection(engine, NULL);
    svirt_engine_set_mcs_range(engine, "s0:c1000.c1001");
    svm_test_vm_define(conn, &vm, "svm-test-range", NULL, SVM_TEST_VM_PLAIN);
    start_ok(engine, vm.name);
    svm_test_assert_label(vm.boot, "system_u:object_r:svirt_image_t:s0:c1000,c1001");
    stop_ok(engine, vm.name);
    svm_test_vm_undefine(conn, &vm);
}

/* A static label with relabel off: QEMU runs under the administrator's label and the engine
 * touches none of the VM's files; the level stays reserved while it runs. */
static void
test_static_relabel_off(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(SvirtSettings) settings = svirt_settings_new();
    g_autoptr(SvirtVmStatus) status = NULL;
    g_autoptr(GError) error = NULL;
    const char *label = "system_u:system_r:svirt_t:s0:c600,c601";
    const char *admin = "system_u:object_r:svirt_image_t:s0:c600,c601";
    SvmTestVm vm, other;
    gboolean ok;

    g_assert_true(svirt_engine_connect(engine, NULL, NULL));
    conn = svirt_engine_dup_connection(engine, NULL);
    svm_test_vm_define(conn, &vm, "svm-test-static", NULL, SVM_TEST_VM_READONLY);
    svm_test_vm_define(conn, &other, "svm-test-static2", NULL, SVM_TEST_VM_PLAIN);
    svm_test_set_label(vm.boot, admin);
    g_assert_true(svirt_settings_set_mode(settings, SVIRT_SECURITY_MODE_STATIC, label, FALSE,
                                          &error));
    g_assert_true(svirt_engine_set_settings(engine, vm.name, settings, &error));
    g_assert_true(svirt_engine_set_settings(engine, other.name, settings, &error));

    start_ok(engine, vm.name);
    status = svirt_engine_get_vm_status(engine, vm.name, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(status->process_label, ==, label);
    /* The administrator's labels, untouched; the read-only disk was left unlabelled. */
    svm_test_assert_label(vm.boot, admin);
    svm_test_assert_label(vm.readonly, NULL);
    for (guint i = 0; i < status->disks->len; i++) {
        SvirtDiskState *disk = g_ptr_array_index(status->disks, i);

        g_assert_cmpint(disk->status, ==, SVIRT_DISK_STATUS_NOT_RELABELED);
    }
    /* Another VM cannot take the same level while this one runs. */
    ok = svirt_engine_start_vm(engine, other.name, NULL, &error);
    g_test_message("%s", error ? error->message : "started");
    g_assert_false(ok);
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE);
    g_assert_nonnull(strstr(error->message, vm.name));
    stop_ok(engine, vm.name);
    svm_test_assert_label(vm.boot, admin);
    g_assert_cmpuint(journal_size(), ==, 0);
    svm_test_vm_undefine(conn, &vm);
    svm_test_vm_undefine(conn, &other);
}

/* Settings written into a definition by hand (virsh edit) are checked at start as set-label
 * checks them: where the policy says a label is no VM process label, nothing is labelled and
 * nothing runs. */
static void
test_stored_settings_checked(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(SvirtSettings) settings = NULL;
    g_autoptr(GError) set_error = NULL;
    g_autoptr(GError) error = NULL;
    const char *xml = "<security mode=\"static\" relabel=\"yes\">"
                      "<label>system_u:system_r:unconfined_t:s0:c610,c611</label></security>";
    gboolean accepted, ok;
    SvmTestVm vm;

    g_assert_true(svirt_engine_connect(engine, NULL, NULL));
    conn = svirt_engine_dup_connection(engine, NULL);
    svm_test_vm_define(conn, &vm, "svm-test-stored", NULL, SVM_TEST_VM_PLAIN);
    dom = virDomainLookupByName(conn, vm.name);
    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, xml,
                                         SVIRT_METADATA_PREFIX, SVIRT_METADATA_NS,
                                         VIR_DOMAIN_AFFECT_CONFIG),
                    ==, 0);
    settings = svirt_engine_get_settings(engine, vm.name, &error);
    g_assert_no_error(error);
    accepted = svirt_engine_check_settings(settings, &set_error);

    ok = svirt_engine_start_vm(engine, vm.name, NULL, &error);
    g_test_message("set-label: %s; start: %s", set_error ? set_error->message : "accepted",
                   error ? error->message : "started");
    if (accepted) {
        /* No policy to judge the type by: as set-label, the start goes ahead. */
        g_assert_no_error(error);
        g_assert_true(ok);
        stop_ok(engine, vm.name);
    } else {
        g_assert_false(ok);
        g_assert_error(error, set_error->domain, set_error->code);
        g_assert_true(g_str_has_prefix(error->message, "Cannot start '"));
        g_assert_true(g_str_has_suffix(error->message, set_error->message));
        g_assert_cmpint(virDomainIsActive(dom), ==, 0);
        svm_test_assert_label(vm.boot, NULL);
    }
    g_assert_cmpuint(journal_size(), ==, 0);
    svm_test_vm_undefine(conn, &vm);
}

/* The label attribute of @path exactly as the kernel returns it. */
static GBytes *
raw_label_of(const char *path)
{
    g_autofree char *buf = g_malloc(XATTR_SIZE_MAX);
    ssize_t len = getxattr(path, svirt_labeler_xattr_name(), buf, XATTR_SIZE_MAX);

    g_assert_cmpint(len, >=, 0);
    return g_bytes_new(buf, len);
}

/* A disk that leads to a file whose name is not UTF-8 (anyone who may make a link in an image
 * folder can do that), whose original label has no trailing NUL: the start journals both, every
 * journal reader keeps working, and the stop puts the label back byte for byte. */
static void
test_name_not_utf8(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(SvirtVmStatus) status = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) original = NULL;
    g_autoptr(GBytes) after = NULL;
    g_autofree char *odd = NULL;
    g_autofree char *during = NULL;
    /* Not UTF-8 either; a host enforcing SELinux accepts only a valid context. */
    static const char odd_label[] = "system_u:object_r:\xe9t\xe9_t:s0";
    static const char valid_label[] = "system_u:object_r:virt_image_t:s0";
    SvmTestVm vm;

    g_assert_true(svirt_engine_connect(engine, NULL, NULL));
    conn = svirt_engine_dup_connection(engine, NULL);
    svm_test_vm_define(conn, &vm, "svm-test-odd-name", NULL, SVM_TEST_VM_DATA);
    odd = g_build_filename(vm.dir, "data-\xff\xfe\x80.img", NULL);
    g_assert_cmpint(rename(vm.data, odd), ==, 0);
    g_assert_cmpint(symlink(odd, vm.data), ==, 0);
    if (setxattr(odd, svirt_labeler_xattr_name(), odd_label, strlen(odd_label), 0) < 0) {
        g_test_message("the odd label is refused here (%s); a valid one without NUL instead",
                       g_strerror(errno));
        g_assert_cmpint(setxattr(odd, svirt_labeler_xattr_name(), valid_label,
                                 strlen(valid_label), 0), ==, 0);
    }
    original = raw_label_of(odd);

    start_ok(engine, vm.name);
    g_assert_cmpuint(journal_size(), >, 0);
    status = svirt_engine_get_vm_status(engine, vm.name, &error);
    g_assert_no_error(error);
    during = svm_test_label_of(odd);
    g_assert_cmpstr(during, ==, status->image_label);
    stop_ok(engine, vm.name);

    after = raw_label_of(odd);
    g_assert_cmpmem(g_bytes_get_data(after, NULL), g_bytes_get_size(after),
                    g_bytes_get_data(original, NULL), g_bytes_get_size(original));
    g_assert_cmpuint(journal_size(), ==, 0);
    svm_test_vm_undefine(conn, &vm);
}

int
main(int argc, char *argv[])
{
    g_autoptr(GError) error = NULL;
    int ret;

    /* Labels are journalled in a directory of this run, which the fixture removes. */
    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_PRIVATE_STATE | SVM_TEST_FIXTURE_LIBVIRTD);
    g_test_init(&argc, &argv, NULL);
    svirt_engine_init_libvirt();
    types = svirt_policy_types_load(&error);
    g_assert_no_error(error);

    g_test_add_func("/system/lifecycle/start-and-stop", test_start_and_stop);
    g_test_add_func("/system/lifecycle/destroy-from-outside", test_destroy_from_outside);
    g_test_add_func("/system/lifecycle/shared-disk", test_shared_disk);
    g_test_add_func("/system/lifecycle/crash-safety", test_crash_safety);
    g_test_add_func("/system/lifecycle/refused-paths", test_refused_paths);
    g_test_add_func("/system/lifecycle/private-disk-in-use", test_private_disk_in_use);
    g_test_add_func("/system/lifecycle/concurrent-starts", test_concurrent_starts);
    g_test_add_func("/system/lifecycle/status-json", test_status_json);
    g_test_add_func("/system/lifecycle/hook-restores", test_hook_restores);
    g_test_add_func("/system/lifecycle/unsupported-filesystem", test_unsupported_filesystem);
    g_test_add_func("/system/lifecycle/isolation-summary", test_isolation_summary);
    g_test_add_func("/system/lifecycle/pause-resume", test_pause_resume);
    g_test_add_func("/system/lifecycle/delete-with-storage", test_delete_with_storage);
    g_test_add_func("/system/lifecycle/shutdown-timeout", test_shutdown_timeout);
    g_test_add_func("/system/lifecycle/engine-range", test_engine_range);
    g_test_add_func("/system/lifecycle/static-relabel-off", test_static_relabel_off);
    g_test_add_func("/system/lifecycle/stored-settings-checked", test_stored_settings_checked);
    g_test_add_func("/system/lifecycle/name-not-utf8", test_name_not_utf8);
    ret = g_test_run();
    svirt_policy_types_free(types);
    return ret;
}
