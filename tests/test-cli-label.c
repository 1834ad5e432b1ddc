#include "config.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "svirt-context.h"
#include "svirt-engine.h"
#include "svm-test-cli.h"
#include "svm-test-fixture.h"
#include "svm-test-vm.h"

#define URI svm_test_uri()
#define STATIC_LABEL "system_u:system_r:svirt_t:s0:c10,c20"

typedef struct {
    int status;
    char *out;
    char *err;
} Run;

static void
run_clear(Run *run)
{
    g_free(run->out);
    g_free(run->err);
}

/* Unlike svm_test_run_svirtctl(), asserts nothing: the VM must be removed before any
 * assertion can stop the test. A crash shows as 128 + the signal. */
static void
run(Run *run, const char *const *args)
{
    const char *exe = g_getenv("SVIRTCTL");
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GError) error = NULL;
    int status = 0;

    g_ptr_array_add(argv, (gpointer)(exe ? exe : "svirtctl"));
    for (gsize i = 0; args[i]; i++)
        g_ptr_array_add(argv, (gpointer)args[i]);
    g_ptr_array_add(argv, NULL);
    run->status = -1;
    if (!g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &run->out,
                      &run->err, &status, &error)) {
        run->err = g_strdup(error->message);
        return;
    }
    run->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static char *
test_domain_xml(const char *name, const char *dir)
{
    return g_strdup_printf(
        "<domain type='qemu'><name>%s</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>"
        "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
        "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
        "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
        "<source file='%s/private.img'/><target dev='vda' bus='virtio'/></disk>"
        "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
        "<source file='%s/shared.img'/><target dev='vdb' bus='virtio'/><shareable/></disk>"
        "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
        "<source file='%s/ro.img'/><target dev='vdc' bus='virtio'/><readonly/></disk>"
        "</devices></domain>",
        name, dir, dir, dir);
}

static JsonObject *
plan_item(JsonObject *plan, const char *target)
{
    JsonArray *items = json_object_get_array_member(plan, "items");

    for (guint i = 0; i < json_array_get_length(items); i++) {
        JsonObject *item = json_array_get_object_element(items, i);

        if (g_strcmp0(json_object_get_string_member(item, "target"), target) == 0)
            return item;
    }
    g_error("The plan has no row for disk %s", target);
}

static const char *
item_label(JsonObject *plan, const char *target)
{
    return json_object_get_string_member(plan_item(plan, target), "label");
}

static void
test_label_cli(void)
{
    g_autoptr(virConnect) conn = virConnectOpen(URI);
    g_autofree char *name = g_strdup_printf("svm-test-label-%d", (int)getpid());
    g_autofree char *dir = svm_test_make_vm_dir("svm-label");
    g_autofree char *xml = test_domain_xml(name, dir);
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(SvirtPolicyTypes) types = NULL;
    g_autoptr(GError) error = NULL;
    const char *images[] = { "private.img", "shared.img", "ro.img" };
    const char *bad_args[] = { "-c", URI, "set-label", name, "static", "svirt_t:s0:c1,c2", NULL };
    const char *static_args[] = { "-c", URI, "set-label", name, "static", STATIC_LABEL, NULL };
    const char *show_args[] = { "-c", URI, "show-label", name, "--json", NULL };
    const char *plan_args[] = { "-c", URI, "plan", name, "--json", NULL };
    guint base = 300 + ((guint)getpid() % 300) * 2;
    g_autofree char *range_label = g_strdup_printf("system_u:system_r:svirt_t:s0:c%u.c%u",
                                                   base, base + 3);
    const char *range_args[] = { "-c", URI, "set-label", name, "static", range_label, NULL };
    const char *show_text_args[] = { "-c", URI, "show-label", name, NULL };
    const char *dynamic_args[] = { "-c", URI, "set-label", name, "dynamic", NULL };
    const char *missing_args[] = { "-c", URI, "plan", "svm-no-such-vm", NULL };
    g_autofree char *missing_message = g_strdup_printf("No VM named 'svm-no-such-vm' on %s.", URI);
    Run bad = { 0 }, set_static = { 0 }, show_static = { 0 }, plan_static = { 0 };
    Run set_dynamic = { 0 }, show_dynamic = { 0 }, plan_dynamic = { 0 }, missing = { 0 };
    Run set_range = { 0 }, show_range = { 0 }, show_range_json = { 0 };
    g_autoptr(JsonNode) range_root = NULL;
    g_autoptr(JsonNode) show_root = NULL;
    g_autoptr(JsonNode) static_root = NULL;
    g_autoptr(JsonNode) dynamic_root = NULL;
    g_autoptr(SvirtContext) private_ctx = NULL;
    g_autoptr(SvirtContext) image_ctx = NULL;
    g_autofree char *static_private = NULL;
    g_autofree char *plan_level = NULL;
    JsonObject *obj;
    guint a, b;
    int undefined;

    if (!conn)
        g_error("The system libvirtd is not reachable at %s: %s. The test command starts it.",
                URI, virGetLastErrorMessage());
    types = svirt_policy_types_load(&error);
    g_assert_no_error(error);
    for (gsize i = 0; i < G_N_ELEMENTS(images); i++) {
        g_autofree char *path = g_build_filename(dir, images[i], NULL);

        svm_test_write_blank_image(path, 1024 * 1024);
    }
    dom = virDomainDefineXML(conn, xml);
    if (!dom)
        g_error("Could not define %s: %s", name, virGetLastErrorMessage());

    run(&bad, bad_args);
    run(&set_static, static_args);
    run(&show_static, show_args);
    run(&plan_static, plan_args);
    run(&set_range, range_args);
    run(&show_range, show_text_args);
    run(&show_range_json, show_args);
    run(&set_dynamic, dynamic_args);
    run(&show_dynamic, show_args);
    run(&plan_dynamic, plan_args);
    run(&missing, missing_args);

    /* Remove the VM and its files before asserting, so a failure leaves nothing behind. */
    undefined = virDomainUndefine(dom);
    svm_test_rmdir(dir);
    g_assert_cmpint(undefined, ==, 0);

    g_test_message("bad label: %d %s", bad.status, bad.err);
    g_assert_cmpint(bad.status, ==, 1);
    g_assert_nonnull(strstr(bad.err, "Invalid SELinux context 'svirt_t:s0:c1,c2'"));

    g_test_message("static: %d %s%s", set_static.status, set_static.out, set_static.err);
    g_assert_cmpint(set_static.status, ==, 0);
    g_assert_cmpint(show_static.status, ==, 0);
    show_root = svm_test_parse_json(show_static.out);
    obj = json_node_get_object(show_root);
    g_assert_cmpstr(json_object_get_string_member(obj, "vm"), ==, name);
    g_assert_cmpstr(json_object_get_string_member(obj, "mode"), ==, "static");
    g_assert_cmpstr(json_object_get_string_member(obj, "label"), ==, STATIC_LABEL);
    g_assert_true(json_object_get_boolean_member(obj, "relabel"));

    g_test_message("static plan: %d %s%s", plan_static.status, plan_static.out, plan_static.err);
    g_assert_cmpint(plan_static.status, ==, 0);
    static_root = svm_test_parse_json(plan_static.out);
    obj = json_node_get_object(static_root);
    g_assert_cmpstr(json_object_get_string_member(obj, "mode"), ==, "static");
    g_assert_cmpstr(json_object_get_string_member(obj, "level"), ==, "s0:c10,c20");
    g_assert_cmpstr(json_object_get_string_member(obj, "process_label"), ==, STATIC_LABEL);
    static_private = svirt_policy_context_with_level(types->image, "s0:c10,c20", NULL);
    g_assert_cmpstr(item_label(obj, "vda"), ==, static_private);
    g_assert_cmpstr(item_label(obj, "vdb"), ==, types->image);
    g_assert_cmpstr(item_label(obj, "vdc"), ==, types->content);

    /* A static range is accepted, with a warning, and shown as not isolated. */
    g_test_message("range: %d %s%s", set_range.status, set_range.out, set_range.err);
    g_assert_cmpint(set_range.status, ==, 0);
    g_assert_nonnull(strstr(set_range.err, "warning: this static label is not isolated"));
    g_assert_nonnull(strstr(set_range.err, "6 other category pairs"));
    g_test_message("%s", show_range.out);
    g_assert_cmpint(show_range.status, ==, 0);
    g_assert_nonnull(strstr(show_range.out, "NOT ISOLATED."));
    g_assert_cmpint(show_range_json.status, ==, 0);
    range_root = svm_test_parse_json(show_range_json.out);
    obj = json_object_get_object_member(json_node_get_object(range_root), "isolation");
    g_assert_false(json_object_get_boolean_member(obj, "isolated"));
    g_assert_cmpint(json_object_get_int_member(obj, "dynamic_reached"), ==, 6);

    g_assert_cmpint(set_dynamic.status, ==, 0);
    g_assert_cmpint(show_dynamic.status, ==, 0);
    g_assert_nonnull(strstr(show_dynamic.out, "\"mode\" : \"dynamic\""));

    g_test_message("dynamic plan: %d %s%s", plan_dynamic.status, plan_dynamic.out,
                   plan_dynamic.err);
    g_assert_cmpint(plan_dynamic.status, ==, 0);
    dynamic_root = svm_test_parse_json(plan_dynamic.out);
    obj = json_node_get_object(dynamic_root);
    g_assert_cmpstr(json_object_get_string_member(obj, "mode"), ==, "dynamic");
    /* The private disk: the image type with a pair cA,cB, A < B, the plan's level. */
    private_ctx = svirt_context_parse(item_label(obj, "vda"), &error);
    g_assert_no_error(error);
    image_ctx = svirt_context_parse(types->image, NULL);
    g_assert_cmpstr(svirt_context_get_type_name(private_ctx), ==,
                    svirt_context_get_type_name(image_ctx));
    g_assert_true(svirt_level_get_pair(svirt_context_get_low(private_ctx), &a, &b));
    g_assert_cmpuint(a, <, b);
    plan_level = svirt_context_dup_level_string(private_ctx);
    g_assert_cmpstr(json_object_get_string_member(obj, "level"), ==, plan_level);
    g_assert_cmpstr(json_object_get_string_member(plan_item(obj, "vda"), "designation"), ==,
                    "private");
    /* Shared at s0, read-only with the content label. */
    g_assert_cmpstr(item_label(obj, "vdb"), ==, types->image);
    g_assert_cmpstr(json_object_get_string_member(plan_item(obj, "vdb"), "designation"), ==,
                    "shared");
    g_assert_cmpstr(item_label(obj, "vdc"), ==, types->content);
    g_assert_cmpstr(json_object_get_string_member(plan_item(obj, "vdc"), "designation"), ==,
                    "readonly");

    g_assert_cmpint(missing.status, ==, 1);
    g_assert_nonnull(strstr(missing.err, missing_message));

    run_clear(&bad);
    run_clear(&set_static);
    run_clear(&show_static);
    run_clear(&plan_static);
    run_clear(&set_range);
    run_clear(&show_range);
    run_clear(&show_range_json);
    run_clear(&set_dynamic);
    run_clear(&show_dynamic);
    run_clear(&plan_dynamic);
    run_clear(&missing);
}

#define NATIVE_LABEL "system_u:system_r:svirt_t:s0:c1,c2"

/* A VM as virsh defines it with libvirt's own static seclabel. */
static char *
native_domain_xml(const char *name)
{
    return g_strdup_printf(
        "<domain type='qemu'><name>%s</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>"
        "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
        "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>"
        "<seclabel type='static' model='selinux' relabel='no'><label>" NATIVE_LABEL "</label>"
        "</seclabel></domain>",
        name);
}

static JsonObject *
parse_object(const char *out, JsonNode **root)
{
    *root = svm_test_parse_json(out);
    return json_node_get_object(*root);
}

/* show-label shows libvirt's seclabel as the VM's settings; where libvirtd has no selinux
 * driver, start says why it cannot and adopt-label moves the label so that the VM starts. */
static void
test_native_cli(void)
{
    g_autoptr(virConnect) conn = virConnectOpen(URI);
    g_autofree char *name = svm_test_vm_name("svm-test-native");
    g_autofree char *xml = native_domain_xml(name);
    g_autoptr(virDomain) dom = virDomainDefineXML(conn, xml);
    g_autofree char *adopted_xml = NULL;
    const char *show_args[] = { "-c", URI, "show-label", name, NULL };
    const char *show_json_args[] = { "-c", URI, "show-label", name, "--json", NULL };
    const char *start_args[] = { "-c", URI, "start", name, NULL };
    const char *adopt_args[] = { "-c", URI, "adopt-label", name, NULL };
    const char *stop_args[] = { "-c", URI, "stop", name, "--force", NULL };
    Run show = { 0 }, show_json = { 0 }, start = { 0 }, adopt = { 0 }, adopted = { 0 };
    Run started = { 0 }, stopped = { 0 };
    g_autoptr(JsonNode) root = NULL;
    g_autoptr(JsonNode) adopted_root = NULL;
    JsonObject *obj;
    char *inactive;

    if (!dom)
        g_error("Could not define %s: %s", name, virGetLastErrorMessage());
    run(&show, show_args);
    run(&show_json, show_json_args);
    run(&start, start_args);
    run(&adopt, adopt_args);
    inactive = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
    adopted_xml = g_strdup(inactive);
    free(inactive);
    run(&adopted, show_json_args);
    run(&started, start_args);
    run(&stopped, stop_args);
    svm_test_remove_vm(name);

    g_test_message("show-label: %d %s%s", show.status, show.out, show.err);
    g_assert_cmpint(show.status, ==, 0);
    g_assert_nonnull(strstr(show.out, "static"));
    g_assert_nonnull(strstr(show.out, NATIVE_LABEL));
    g_assert_nonnull(strstr(show.out, "libvirt's <seclabel model='selinux'>"));
    g_assert_cmpint(show_json.status, ==, 0);
    obj = parse_object(show_json.out, &root);
    g_assert_cmpstr(json_object_get_string_member(obj, "mode"), ==, "static");
    g_assert_cmpstr(json_object_get_string_member(obj, "label"), ==, NATIVE_LABEL);
    g_assert_false(json_object_get_boolean_member(obj, "relabel"));
    g_assert_cmpstr(json_object_get_string_member(obj, "source"), ==, "seclabel");
    g_assert_nonnull(strstr(json_object_get_string_member(obj, "start_blocker"), "adopt-label"));

    /* This host's libvirtd has no selinux driver (its capabilities say which). */
    g_test_message("start: %d %s%s", start.status, start.out, start.err);
    g_assert_cmpint(start.status, ==, 1);
    g_assert_nonnull(strstr(start.err, "no selinux security driver"));
    g_assert_nonnull(strstr(start.err, "svirtctl adopt-label"));

    g_test_message("adopt-label: %d %s%s", adopt.status, adopt.out, adopt.err);
    g_assert_cmpint(adopt.status, ==, 0);
    g_assert_nonnull(strstr(adopt.out, NATIVE_LABEL));
    g_assert_null(strstr(adopted_xml, "model='selinux'"));
    obj = parse_object(adopted.out, &adopted_root);
    g_assert_cmpstr(json_object_get_string_member(obj, "mode"), ==, "static");
    g_assert_cmpstr(json_object_get_string_member(obj, "label"), ==, NATIVE_LABEL);
    g_assert_false(json_object_get_boolean_member(obj, "relabel"));
    g_assert_cmpstr(json_object_get_string_member(obj, "source"), ==, "metadata");
    g_assert_true(json_object_get_null_member(obj, "start_blocker"));
    g_test_message("start after adopt-label: %d %s%s", started.status, started.out,
                   started.err);
    g_assert_cmpint(started.status, ==, 0);
    g_assert_cmpint(stopped.status, ==, 0);

    run_clear(&show);
    run_clear(&show_json);
    run_clear(&start);
    run_clear(&adopt);
    run_clear(&adopted);
    run_clear(&started);
    run_clear(&stopped);
}

static char *
inactive_xml(virConnectPtr conn, const char *name)
{
    g_autoptr(virDomain) dom = virDomainLookupByName(conn, name);
    char *xml = dom ? virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE) : NULL;

    virResetLastError();
    return xml;
}

static void
test_display_cli(void)
{
    g_autoptr(virConnect) conn = virConnectOpen(URI);
    g_autofree char *name = svm_test_vm_name("svm-test-display-cli");
    g_autofree char *dir = svm_test_make_vm_dir("svm-display-cli");
    g_autofree char *boot = g_build_filename(dir, "boot.img", NULL);
    const char *create_args[] = { "-c", URI, "create", name, "--boot-image", boot, "--memory",
                                  "16", "--display", "none", NULL };
    const char *bad_args[] = { "-c", URI, "create", "svm-test-never-made", "--boot-image", boot,
                               "--display", "rdp", NULL };
    const char *add_args[] = { "-c", URI, "add-display", name, NULL };
    const char *bad_type_args[] = { "-c", URI, "add-display", name, "--type", "none", NULL };
    Run create = { 0 }, bad = { 0 }, add = { 0 }, again = { 0 }, bad_type = { 0 };
    g_autofree char *headless = NULL;
    g_autofree char *with_display = NULL;
    g_autofree char *never = NULL;

    svm_test_write_display_boot_image(boot);
    run(&create, create_args);
    headless = inactive_xml(conn, name);
    run(&bad, bad_args);
    never = inactive_xml(conn, "svm-test-never-made");
    run(&bad_type, bad_type_args);
    run(&add, add_args);
    with_display = inactive_xml(conn, name);
    run(&again, add_args);
    svm_test_remove_domain(conn, name);
    svm_test_rmdir(dir);

    g_test_message("create: %d %s%s", create.status, create.out, create.err);
    g_assert_cmpint(create.status, ==, 0);
    g_assert_nonnull(headless);
    g_assert_null(strstr(headless, "<graphics"));
    g_assert_null(strstr(headless, "<video"));
    g_assert_cmpint(bad.status, ==, 2);
    g_assert_nonnull(strstr(bad.err, "'rdp' is not a kind of display"));
    g_assert_null(never);
    g_assert_cmpint(bad_type.status, ==, 2);
    g_assert_nonnull(strstr(bad_type.err, "--type must be vnc or spice"));

    g_test_message("add-display: %d %s%s", add.status, add.out, add.err);
    g_assert_cmpint(add.status, ==, 0);
    g_assert_nonnull(strstr(with_display, "<graphics type='vnc'"));
    g_assert_nonnull(strstr(with_display, "<listen type='none'/>"));
    g_assert_nonnull(strstr(with_display, "<model type='vga'"));
    g_assert_cmpint(again.status, ==, 1);
    g_assert_nonnull(strstr(again.err, "already has a display"));

    run_clear(&create);
    run_clear(&bad);
    run_clear(&add);
    run_clear(&again);
    run_clear(&bad_type);
}

int
main(int argc, char *argv[])
{
    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_LIBVIRTD);
    g_test_init(&argc, &argv, NULL);
    svirt_engine_init_libvirt();
    g_test_add_func("/system/label/cli", test_label_cli);
    g_test_add_func("/system/label/native", test_native_cli);
    g_test_add_func("/system/cli/display", test_display_cli);
    return g_test_run();
}
