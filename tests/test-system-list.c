#include "config.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <string.h>
#include <unistd.h>

#include "svirt-engine.h"
#include "svm-test-cli.h"
#include "svm-test-fixture.h"

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
    return g_test_run();
}
