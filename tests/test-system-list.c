#include "config.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <string.h>
#include <unistd.h>

#include "svirt-engine.h"
#include "svirt-lifecycle.h"
#include "svm-test-cli.h"
#include "svm-test-fixture.h"
#include "svm-test-util.h"
#include "svm-test-vm.h"

#define URI svm_test_uri()

static char *
test_domain_xml(const char *name)
{
    return g_strdup_printf("<domain type='qemu'>"
                           "<name>%s</name>"
                           "<memory unit='MiB'>32</memory>"
                           "<vcpu>1</vcpu>"
                           "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
                           "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>"
                           "</domain>",
                           name);
}

/* The VMs the call count is measured on; every fourth stores mode none in its metadata. */
#define N_COUNTED_VMS 20
#define COUNT_LOG_ENV "SVM_TEST_RPC_LOG"
#define COUNT_VMS_ENV "SVM_TEST_COUNTED_VMS"

static char *
counted_domain_xml(const char *name, guint i)
{
    const char *metadata = i % 4 == 0 ? "<metadata><svm:security xmlns:svm='"
                                        "http://svirt.org/xmlns/manager/1.0' mode='none' "
                                        "relabel='yes'/></metadata>"
                                      : "";

    return g_strdup_printf("<domain type='qemu'>"
                           "<name>%s</name>%s"
                           "<memory unit='MiB'>32</memory>"
                           "<vcpu>1</vcpu>"
                           "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
                           "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
                           "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                           "<source file='/var/lib/libvirt/images/%s.img'/>"
                           "<target dev='vda' bus='virtio'/></disk></devices>"
                           "</domain>",
                           name, metadata, name);
}

static const SvirtVmLabels *
find_labels(GPtrArray *all, const char *uuid)
{
    for (guint i = 0; i < all->len; i++) {
        const SvirtVmLabels *labels = g_ptr_array_index(all, i);

        if (g_str_equal(labels->uuid, uuid))
            return labels;
    }
    return NULL;
}

/* In a child whose libvirt client logs its calls: what the main window asks for its list and
 * label columns, counted. */
static void
count_list_calls(void)
{
    const char *log = g_getenv(COUNT_LOG_ENV);
    g_auto(GStrv) uuids = g_strsplit(g_getenv(COUNT_VMS_ENV), ",", -1);
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(GPtrArray) vms = NULL;
    g_autoptr(GPtrArray) all = NULL;
    g_autoptr(GError) error = NULL;
    goffset before;
    guint calls, n;

    svm_test_rpc_log_count(log, 0, &before);
    vms = svirt_engine_list_vms(engine, NULL, &error);
    g_assert_no_error(error);
    all = svirt_engine_list_vm_labels(engine, NULL, &error);
    g_assert_no_error(error);
    calls = svm_test_rpc_log_count(log, before, NULL);
    n = MAX(vms->len, all->len);
    /* On stderr, which the parent passes on: a child's test messages are not shown. */
    g_printerr("# list and label columns: %u libvirt calls for %u VMs (%.2f per VM)\n", calls,
               n, (double)calls / n);
    g_assert_cmpuint(n, >=, N_COUNTED_VMS);
    g_assert_cmpuint(calls, <=, 2 * n);

    /* And the columns say what the per-VM reads say. */
    for (guint i = 0; uuids[i]; i++) {
        const SvirtVmLabels *labels = find_labels(all, uuids[i]);
        g_autoptr(SvirtSettings) settings = svirt_engine_get_settings(engine, uuids[i], &error);

        g_assert_no_error(error);
        g_assert_nonnull(labels);
        g_assert_cmpint(labels->state, ==, SVIRT_VM_STATE_SHUTOFF);
        g_assert_cmpint(labels->mode, ==, i % 4 == 0 ? SVIRT_SECURITY_MODE_NONE
                                                     : SVIRT_SECURITY_MODE_DYNAMIC);
        g_assert_cmpint(labels->mode, ==, settings->mode);
        g_assert_cmpint(labels->isolation, ==, i % 4 == 0 ? SVIRT_ISOLATION_PROBLEM
                                                          : SVIRT_ISOLATION_ISOLATED);
    }
}

static void
test_list_calls_per_vm(void)
{
    g_autoptr(virConnect) conn = virConnectOpen(URI);
    g_autofree char *dir = svm_test_make_dir("svm-rpc-log");
    g_autofree char *log = g_build_filename(dir, "libvirt.log", NULL);
    g_autoptr(GPtrArray) doms = g_ptr_array_new_with_free_func((GDestroyNotify)virDomainFree);
    g_autoptr(GString) uuids = g_string_new(NULL);

    if (!conn)
        g_error("The system libvirtd is not reachable at %s: %s. The test command starts it.",
                URI, virGetLastErrorMessage());
    for (guint i = 0; i < N_COUNTED_VMS; i++) {
        g_autofree char *stem = g_strdup_printf("svm-test-count%02u", i);
        g_autofree char *name = svm_test_vm_name(stem);
        g_autofree char *xml = counted_domain_xml(name, i);
        virDomainPtr dom = virDomainDefineXML(conn, xml);
        char uuid[VIR_UUID_STRING_BUFLEN];

        if (!dom)
            g_error("Could not define %s: %s", name, virGetLastErrorMessage());
        g_ptr_array_add(doms, dom);
        g_assert_cmpint(virDomainGetUUIDString(dom, uuid), ==, 0);
        g_string_append_printf(uuids, "%s%s", i ? "," : "", uuid);
    }

    g_setenv(COUNT_LOG_ENV, log, TRUE);
    g_setenv(COUNT_VMS_ENV, uuids->str, TRUE);
    svm_test_rpc_log_setenv(log);
    g_test_trap_subprocess("/system/list/calls-per-vm/subprocess", 120 * G_USEC_PER_SEC,
                           G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
    svm_test_rpc_log_setenv(NULL);
    g_unsetenv(COUNT_LOG_ENV);
    g_unsetenv(COUNT_VMS_ENV);

    /* Remove the VMs before asserting, so a failure leaves nothing behind; the connection may
     * have been closed while the child ran. */
    for (guint i = 0; i < doms->len; i++) {
        char uuid[VIR_UUID_STRING_BUFLEN];

        virDomainGetUUIDString(g_ptr_array_index(doms, i), uuid);
        svm_test_remove_vm(uuid);
    }
    svm_test_rmdir(dir);
    g_test_trap_assert_passed();
}

static void
test_lists_defined_vm(void)
{
    g_autoptr(virConnect) conn = virConnectOpen(URI);
    g_autofree char *name = g_strdup_printf("svm-test-list-%d", (int)getpid());
    g_autofree char *xml = test_domain_xml(name);
    g_autoptr(virDomain) dom = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];
    const char *args[] = { "--connect", URI, "list", "--json", NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(JsonNode) root = NULL;
    JsonArray *array;
    gboolean found = FALSE;
    int status;

    if (!conn)
        g_error("The system libvirtd is not reachable at %s: %s. The test command starts it.",
                URI, virGetLastErrorMessage());
    dom = virDomainDefineXML(conn, xml);
    if (!dom)
        g_error("Could not define %s: %s", name, virGetLastErrorMessage());
    g_assert_cmpint(virDomainGetUUIDString(dom, uuid), ==, 0);

    status = svm_test_run_svirtctl(args, &out, &err);
    /* Remove the VM before asserting, so a failure leaves nothing behind. */
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    g_test_message("stderr: %s", err);
    g_assert_cmpint(status, ==, 0);

    root = svm_test_parse_json(out);
    array = json_node_get_array(root);
    for (guint i = 0; i < json_array_get_length(array); i++) {
        JsonObject *vm = json_array_get_object_element(array, i);

        if (g_strcmp0(json_object_get_string_member(vm, "uuid"), uuid) != 0)
            continue;
        g_assert_cmpstr(json_object_get_string_member(vm, "name"), ==, name);
        g_assert_cmpstr(json_object_get_string_member(vm, "state"), ==, "shutoff");
        g_assert_true(json_object_get_boolean_member(vm, "persistent"));
        found = TRUE;
    }
    g_assert_true(found);

    /* And once removed, it is no longer listed. */
    g_clear_pointer(&out, g_free);
    g_clear_pointer(&err, g_free);
    g_assert_cmpint(svm_test_run_svirtctl(args, &out, &err), ==, 0);
    g_assert_null(strstr(out, uuid));
}

int
main(int argc, char *argv[])
{
    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_LIBVIRTD);
    g_test_init(&argc, &argv, NULL);
    svirt_engine_init_libvirt();
    g_test_add_func("/system/list/defined-vm", test_lists_defined_vm);
    g_test_add_func("/system/list/calls-per-vm", test_list_calls_per_vm);
    g_test_add_func("/system/list/calls-per-vm/subprocess", count_list_calls);
    return g_test_run();
}
