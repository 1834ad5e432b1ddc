#include "config.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <string.h>

#include "svirt-domain-xml.h"
#include "svirt-error.h"
#include "svirt-private.h"

#define UUID "6f2a9c1e-3b4d-4e5f-8a7b-9c0d1e2f3a4b"
#define PROCESS "system_u:system_r:svirt_t:s0:c10,c20"
#define IMAGE "system_u:object_r:svirt_image_t:s0:c10,c20"
#define LEVEL "s0:c10,c20"
/* Everything XML would take for markup if it were not escaped. */
#define HOSTILE "a'b\"c<d>&e;&amp;]]>"

static const char domain_xml[] =
    "<domain type='kvm'>\n"
    "  <name>guest</name>\n"
    "  <uuid>" UUID "</uuid>\n"
    "  <metadata>\n"
    "    <app:note xmlns:app='http://example.org/app'>kept</app:note>\n"
    "  </metadata>\n"
    "  <devices>\n"
    "    <disk type='file' device='disk'>\n"
    "      <source file='/images/guest.qcow2'/>\n"
    "      <target dev='vda' bus='virtio'/>\n"
    "    </disk>\n"
    "  </devices>\n"
    "  <seclabel type='dynamic' model='selinux' relabel='yes'/>\n"
    "  <seclabel type='none' model='dac'/>\n"
    "</domain>\n";

/* XPath on @xml with libxml2 alone, so the module is not checked with itself; the prefix svml
 * names the live namespace. */
static xmlXPathObject *
eval(const char *xml, const char *expr)
{
    xmlDoc *doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, XML_PARSE_NONET);
    xmlXPathContext *ctxt;
    xmlXPathObject *obj;

    g_assert_nonnull(doc);
    ctxt = xmlXPathNewContext(doc);
    xmlXPathRegisterNs(ctxt, BAD_CAST SVIRT_LIVE_PREFIX, BAD_CAST SVIRT_LIVE_NS);
    obj = xmlXPathEvalExpression(BAD_CAST expr, ctxt);
    g_assert_nonnull(obj);
    xmlXPathFreeContext(ctxt);
    xmlFreeDoc(doc);
    return obj;
}

static void
assert_xpath(const char *xml, const char *expr, const char *expected)
{
    g_autofree char *full = g_strdup_printf("string(%s)", expr);
    xmlXPathObject *obj = eval(xml, full);

    g_assert_cmpstr((const char *)obj->stringval, ==, expected);
    xmlXPathFreeObject(obj);
}

static void
assert_count(const char *xml, const char *expr, int expected)
{
    g_autofree char *full = g_strdup_printf("count(%s)", expr);
    xmlXPathObject *obj = eval(xml, full);

    g_assert_cmpint((int)obj->floatval, ==, expected);
    xmlXPathFreeObject(obj);
}

static SvirtPlan *
plan_new(SvirtSecurityMode mode, const char *process_label, const char *level)
{
    SvirtPlan *plan = g_new0(SvirtPlan, 1);

    plan->vm_name = g_strdup("guest");
    plan->mode = mode;
    plan->process_label = g_strdup(process_label);
    plan->level = g_strdup(level);
    plan->items = g_ptr_array_new_with_free_func((GDestroyNotify)svirt_plan_item_free);
    return plan;
}

static void
test_live_labels_and_seclabel(void)
{
    g_autoptr(SvirtPlan) plan = plan_new(SVIRT_SECURITY_MODE_DYNAMIC, PROCESS, LEVEL);
    g_autoptr(GError) error = NULL;
    g_autofree char *live = svirt_domain_xml_make_live(domain_xml, plan, IMAGE, TRUE, &error);
    g_autofree char *held = NULL;
    g_autofree char *uuid = NULL;

    g_assert_no_error(error);
    g_assert_nonnull(live);
    assert_count(live, "/domain/metadata", 1);
    assert_xpath(live, "/domain/metadata/svml:labels/@mode", "dynamic");
    assert_xpath(live, "/domain/metadata/svml:labels/@process", PROCESS);
    assert_xpath(live, "/domain/metadata/svml:labels/@image", IMAGE);
    assert_xpath(live, "/domain/metadata/svml:labels/@level", LEVEL);
    /* What others keep in <metadata> stays. */
    assert_xpath(live, "/domain/metadata/*[local-name()='note']", "kept");
    /* One seclabel, ours, in place of libvirt's dynamic one and of the dac one. */
    assert_count(live, "/domain/seclabel", 1);
    assert_xpath(live, "/domain/seclabel/@type", "static");
    assert_xpath(live, "/domain/seclabel/@model", "selinux");
    assert_xpath(live, "/domain/seclabel/@relabel", "no");
    assert_xpath(live, "/domain/seclabel/label", PROCESS);
    assert_xpath(live, "/domain/devices/disk/source/@file", "/images/guest.qcow2");
    assert_xpath(live, "/domain/name", "guest");

    held = svirt_domain_xml_held_label(live);
    g_assert_cmpstr(held, ==, PROCESS);
    uuid = svirt_domain_xml_uuid(live);
    g_assert_cmpstr(uuid, ==, UUID);
}

static void
test_live_without_seclabel(void)
{
    g_autoptr(SvirtPlan) plan = plan_new(SVIRT_SECURITY_MODE_STATIC, PROCESS, LEVEL);
    g_autoptr(GError) error = NULL;
    g_autofree char *live = NULL;
    g_autofree char *held = NULL;
    const char *bare = "<domain type='qemu'><name>guest</name></domain>";

    /* Where libvirtd has no selinux driver the seclabels are left as they are. */
    live = svirt_domain_xml_make_live(domain_xml, plan, NULL, FALSE, &error);
    g_assert_no_error(error);
    assert_count(live, "/domain/seclabel", 2);
    assert_xpath(live, "/domain/seclabel[@model='selinux']/@type", "dynamic");
    assert_xpath(live, "/domain/metadata/svml:labels/@mode", "static");
    assert_count(live, "/domain/metadata/svml:labels/@image", 0);
    held = svirt_domain_xml_held_label(live);
    g_assert_cmpstr(held, ==, PROCESS);
    g_clear_pointer(&live, g_free);

    /* A definition without <metadata> gets one. */
    live = svirt_domain_xml_make_live(bare, plan, IMAGE, TRUE, &error);
    g_assert_no_error(error);
    assert_count(live, "/domain/metadata", 1);
    assert_xpath(live, "/domain/metadata/svml:labels/@process", PROCESS);
    assert_xpath(live, "/domain/seclabel/label", PROCESS);
}

static void
test_live_mode_none(void)
{
    g_autoptr(SvirtPlan) plan = plan_new(SVIRT_SECURITY_MODE_NONE, NULL, NULL);
    g_autoptr(GError) error = NULL;
    g_autofree char *live = svirt_domain_xml_make_live(domain_xml, plan, NULL, TRUE, &error);
    g_autofree char *held = NULL;

    g_assert_no_error(error);
    /* No process label: no seclabel of ours, libvirt's stay. */
    assert_count(live, "/domain/seclabel", 2);
    assert_xpath(live, "/domain/metadata/svml:labels/@mode", "none");
    assert_count(live, "/domain/metadata/svml:labels/@process", 0);
    assert_count(live, "/domain/metadata/svml:labels/@level", 0);
    /* libvirt's dynamic seclabel has no <label> before the VM runs. */
    held = svirt_domain_xml_held_label(live);
    g_assert_null(held);
}

typedef struct {
    const char *name;
    const char *xml;
    const char *held;    /* svirt_domain_xml_held_label() */
    const char *selinux; /* svirt_domain_xml_selinux_label() */
} HeldCase;

static const HeldCase held_cases[] = {
    { "libvirt-dynamic",
      "<domain><seclabel type='dynamic' model='selinux'><label> " PROCESS " </label>"
      "</seclabel></domain>",
      PROCESS, PROCESS },
    { "type-none",
      "<domain><seclabel type='none' model='selinux'><label>" PROCESS "</label></seclabel>"
      "</domain>",
      NULL, PROCESS },
    { "other-model",
      "<domain><seclabel type='dynamic' model='dac'><label>+0:+0</label></seclabel></domain>",
      NULL, NULL },
    { "no-seclabel", "<domain><name>guest</name></domain>", NULL, NULL },
    { "metadata-first",
      "<domain><metadata><svml:labels xmlns:svml='" SVIRT_LIVE_NS "' process='" PROCESS "'/>"
      "</metadata><seclabel type='dynamic' model='selinux'>"
      "<label>system_u:system_r:svirt_t:s0:c1,c2</label></seclabel></domain>",
      PROCESS, "system_u:system_r:svirt_t:s0:c1,c2" },
    { "other-namespace",
      "<domain><metadata><svml:labels xmlns:svml='http://example.org/other' process='x'/>"
      "</metadata></domain>",
      NULL, NULL },
    { "malformed", "<domain><seclabel model='selinux'><label>" PROCESS "</label></domain>",
      NULL, NULL },
};

static void
test_held_label(gconstpointer data)
{
    const HeldCase *c = data;
    g_autofree char *held = svirt_domain_xml_held_label(c->xml);
    g_autofree char *selinux = svirt_domain_xml_selinux_label(c->xml);

    g_assert_cmpstr(held, ==, c->held);
    g_assert_cmpstr(selinux, ==, c->selinux);
}

static void
test_live_labels_attr(void)
{
    const char *labels = "<svml:labels xmlns:svml='" SVIRT_LIVE_NS "' mode='static' process='"
                         PROCESS "' level='" LEVEL "'/>";
    g_autofree char *process = svirt_domain_xml_live_labels_attr(labels, "process");
    g_autofree char *level = svirt_domain_xml_live_labels_attr(labels, "level");
    g_autofree char *image = svirt_domain_xml_live_labels_attr(labels, "image");
    g_autofree char *broken = svirt_domain_xml_live_labels_attr("<svml:labels process='",
                                                                "process");

    g_assert_cmpstr(process, ==, PROCESS);
    g_assert_cmpstr(level, ==, LEVEL);
    g_assert_null(image);
    g_assert_null(broken);
}

static void
test_uuid(void)
{
    g_autofree char *spaced = svirt_domain_xml_uuid("<domain><uuid>\n  " UUID "\n</uuid></domain>");
    g_autofree char *none = svirt_domain_xml_uuid("<domain><name>guest</name></domain>");
    g_autofree char *empty = svirt_domain_xml_uuid("<domain><uuid> </uuid></domain>");
    g_autofree char *nested = svirt_domain_xml_uuid("<domain><os><uuid>" UUID "</uuid></os>"
                                                    "</domain>");

    g_assert_cmpstr(spaced, ==, UUID);
    g_assert_null(none);
    g_assert_null(empty);
    /* Only the domain's own <uuid>. */
    g_assert_null(nested);
}

static void
test_new_definition(void)
{
    g_autoptr(xmlDoc) doc = svirt_domain_xml_new("kvm", "guest", 512, 2, TRUE);
    SvirtDiskXml disk = { "/images/guest.qcow2", "disk", "vda", "virtio", "qcow2",
                          SVIRT_DESIGNATION_SHARED };
    SvirtDiskXml cdrom = { "/images/install.iso", "cdrom", "hdc", "ide", "raw",
                           SVIRT_DESIGNATION_READONLY };
    g_autofree char *xml = NULL;

    svirt_domain_xml_add_disk(doc, &disk);
    svirt_domain_xml_add_disk(doc, &cdrom);
    svirt_domain_xml_add_interface(doc, NULL);
    svirt_domain_xml_add_console(doc);
    xml = svirt_xml_dump_formatted(doc);

    /* As libvirt takes it: no declaration, one element a line. */
    g_assert_true(g_str_has_prefix(xml, "<domain type=\"kvm\">\n  <name>guest</name>\n"));
    g_assert_true(g_str_has_suffix(xml, "</domain>\n"));
    assert_xpath(xml, "/domain/memory", "512");
    assert_xpath(xml, "/domain/memory/@unit", "MiB");
    assert_xpath(xml, "/domain/vcpu", "2");
    assert_xpath(xml, "/domain/os/type", "hvm");
    assert_xpath(xml, "/domain/os/type/@arch", "x86_64");
    assert_xpath(xml, "/domain/os/type/@machine", "pc");
    assert_xpath(xml, "/domain/os/boot[1]/@dev", "cdrom");
    assert_xpath(xml, "/domain/os/boot[2]/@dev", "hd");
    assert_count(xml, "/domain/features/acpi", 1);
    assert_count(xml, "/domain/features/apic", 1);
    assert_xpath(xml, "/domain/devices/disk[1]/@type", "file");
    assert_xpath(xml, "/domain/devices/disk[1]/driver/@type", "qcow2");
    assert_xpath(xml, "/domain/devices/disk[1]/source/@file", disk.path);
    assert_count(xml, "/domain/devices/disk[1]/shareable", 1);
    assert_count(xml, "/domain/devices/disk[1]/readonly", 0);
    assert_xpath(xml, "/domain/devices/disk[2]/@device", "cdrom");
    assert_xpath(xml, "/domain/devices/disk[2]/target/@bus", "ide");
    assert_count(xml, "/domain/devices/disk[2]/readonly", 1);
    assert_xpath(xml, "/domain/devices/interface/@type", "user");
    assert_count(xml, "/domain/devices/interface/source", 0);
    assert_xpath(xml, "/domain/devices/interface/model/@type", "virtio");
    assert_xpath(xml, "/domain/devices/serial/target/@port", "0");
    assert_xpath(xml, "/domain/devices/console/target/@type", "serial");
    /* Devices come in the order they were added. */
    assert_xpath(xml, "local-name(/domain/devices/*[last()])", "console");
}

/* A quote, <, > and & in any value comes back as it went in, and breaks no markup. */
static void
test_hostile_values(void)
{
    g_autoptr(xmlDoc) doc = svirt_domain_xml_new("qemu", HOSTILE, 64, 1, FALSE);
    SvirtDiskXml disk = { "/images/" HOSTILE ".img", "disk", "vda", "virtio", "raw",
                          SVIRT_DESIGNATION_PRIVATE };
    g_autoptr(SvirtPlan) plan = plan_new(SVIRT_SECURITY_MODE_STATIC, HOSTILE, HOSTILE);
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *live = NULL;
    g_autofree char *held = NULL;
    g_autofree char *disk_xml = NULL;
    g_autofree char *pool = svirt_pool_xml_new_dir(HOSTILE, "/pools/" HOSTILE);
    g_autofree char *pool_path = svirt_pool_xml_target_path(pool);
    g_autofree char *volume = svirt_volume_xml_new(HOSTILE, 1024, "qcow2");

    svirt_domain_xml_add_disk(doc, &disk);
    svirt_domain_xml_add_interface(doc, HOSTILE);
    xml = svirt_xml_dump_formatted(doc);
    g_assert_null(strstr(xml, "<d>"));
    assert_xpath(xml, "/domain/name", HOSTILE);
    assert_xpath(xml, "/domain/devices/disk/source/@file", disk.path);
    assert_xpath(xml, "/domain/devices/interface/@type", "network");
    assert_xpath(xml, "/domain/devices/interface/source/@network", HOSTILE);
    assert_count(xml, "/domain/os/boot", 1);

    disk_xml = svirt_disk_xml_format(&disk);
    assert_xpath(disk_xml, "/disk/source/@file", disk.path);
    assert_count(disk_xml, "/disk/*[self::readonly or self::shareable]", 0);

    live = svirt_domain_xml_make_live(xml, plan, HOSTILE, TRUE, &error);
    g_assert_no_error(error);
    assert_xpath(live, "/domain/metadata/svml:labels/@process", HOSTILE);
    assert_xpath(live, "/domain/metadata/svml:labels/@image", HOSTILE);
    assert_xpath(live, "/domain/metadata/svml:labels/@level", HOSTILE);
    assert_xpath(live, "/domain/seclabel/label", HOSTILE);
    held = svirt_domain_xml_held_label(live);
    g_assert_cmpstr(held, ==, HOSTILE);

    assert_xpath(pool, "/pool/@type", "dir");
    assert_xpath(pool, "/pool/name", HOSTILE);
    g_assert_cmpstr(pool_path, ==, "/pools/" HOSTILE);
    assert_xpath(volume, "/volume/name", HOSTILE);
    assert_xpath(volume, "/volume/capacity", "1024");
    assert_xpath(volume, "/volume/capacity/@unit", "MiB");
    assert_xpath(volume, "/volume/allocation", "0");
    assert_xpath(volume, "/volume/target/format/@type", "qcow2");
}

static const char *const malformed[] = {
    "",
    "not XML at all",
    "<domain>",
    "<domain><name>guest</domain>",
    "<domain type='kvm></domain>",
    "<domain/><domain/>",
    "<!-- only a comment -->",
    "<domain>&undefined;</domain>",
};

static void
test_malformed(gconstpointer data)
{
    const char *xml = data;
    g_autoptr(SvirtPlan) plan = plan_new(SVIRT_SECURITY_MODE_DYNAMIC, PROCESS, LEVEL);
    g_autoptr(GError) error = NULL;
    g_autoptr(xmlDoc) doc = svirt_xml_parse(xml, &error);
    g_autofree char *live = NULL;
    g_autofree char *string = svirt_xml_string(xml, "string(/domain/name)");
    g_autofree char *uuid = svirt_domain_xml_uuid(xml);
    g_autofree char *held = svirt_domain_xml_held_label(xml);
    g_autofree char *path = svirt_pool_xml_target_path(xml);
    g_autofree char *attr = svirt_domain_xml_live_labels_attr(xml, "process");

    g_assert_null(doc);
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED);
    g_clear_error(&error);
    g_assert_null(string);
    g_assert_null(uuid);
    g_assert_null(held);
    g_assert_null(path);
    g_assert_null(attr);
    live = svirt_domain_xml_make_live(xml, plan, IMAGE, TRUE, &error);
    g_assert_null(live);
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED);
    g_assert_nonnull(strstr(error->message, "'guest'"));
}

static void
test_tree_helpers(void)
{
    const char *xml = "<domain xmlns:x='http://example.org/x'>"
                      "<x:name>other</x:name><name>  guest\n</name><title></title>"
                      "<disk device='disk' x:device='x'/><disk/><readonly/></domain>";
    g_autoptr(GError) error = NULL;
    g_autoptr(xmlDoc) doc = svirt_xml_parse(xml, &error);
    xmlNode *root, *disk;
    g_autofree char *name = NULL;
    g_autofree char *title = NULL;
    g_autofree char *device = NULL;
    g_autofree char *missing = NULL;
    g_autofree char *out = NULL;

    g_assert_no_error(error);
    root = xmlDocGetRootElement(doc);
    /* libvirt's elements are in no namespace; a namespaced one of the same name is not one. */
    name = svirt_xml_text(svirt_xml_child(root, "name"));
    g_assert_cmpstr(name, ==, "guest");
    title = svirt_xml_text(svirt_xml_child(root, "title"));
    g_assert_null(title);
    g_assert_null(svirt_xml_text(NULL));
    g_assert_null(svirt_xml_child(NULL, "name"));
    g_assert_null(svirt_xml_child(root, "os"));
    disk = svirt_xml_child(root, "disk");
    device = svirt_xml_prop(disk, "device");
    g_assert_cmpstr(device, ==, "disk");
    missing = svirt_xml_prop(disk, "type");
    g_assert_null(missing);
    g_assert_null(svirt_xml_prop(NULL, "device"));
    g_assert_true(svirt_xml_is(disk, "disk"));
    g_assert_false(svirt_xml_is(root->children, "name"));

    svirt_xml_remove_children(root, "disk");
    svirt_xml_set(svirt_xml_add(root, "shareable", NULL), "why", "<&>");
    out = svirt_xml_dump(doc);
    assert_count(out, "/domain/disk", 0);
    assert_count(out, "/domain/readonly", 1);
    assert_xpath(out, "/domain/shareable/@why", "<&>");
    g_assert_true(g_str_has_prefix(out, "<?xml"));
}

/* Labels copied into a definition from a live one (virsh dumpxml, then virsh define), or
 * forged there under any prefix, do not reach the live copy: it carries this start's alone. */
static void
test_live_drops_copied_labels(void)
{
    static const char copied[] =
        "<domain type='kvm'><name>guest</name><uuid>" UUID "</uuid><metadata>"
        "<svml:labels xmlns:svml='" SVIRT_LIVE_NS "' mode='dynamic' "
        "process='system_u:system_r:svirt_t:s0:c1,c2' level='s0:c1,c2'/>"
        "<app:note xmlns:app='http://example.org/app'>kept</app:note>"
        "<other:labels xmlns:other='" SVIRT_LIVE_NS "' level='s0:c3,c4'/>"
        "</metadata><devices/></domain>";
    g_autoptr(SvirtPlan) plan = plan_new(SVIRT_SECURITY_MODE_DYNAMIC, PROCESS, LEVEL);
    g_autoptr(GError) error = NULL;
    g_autofree char *live = svirt_domain_xml_make_live(copied, plan, IMAGE, FALSE, &error);

    g_assert_no_error(error);
    assert_count(live, "/domain/metadata/svml:labels", 1);
    assert_xpath(live, "/domain/metadata/svml:labels/@process", PROCESS);
    assert_xpath(live, "/domain/metadata/svml:labels/@level", LEVEL);
    assert_xpath(live, "/domain/metadata/*[local-name()='note']", "kept");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/domain-xml/live/labels-and-seclabel", test_live_labels_and_seclabel);
    g_test_add_func("/domain-xml/live/without-seclabel", test_live_without_seclabel);
    g_test_add_func("/domain-xml/live/mode-none", test_live_mode_none);
    g_test_add_func("/domain-xml/live/labels-attr", test_live_labels_attr);
    g_test_add_func("/domain-xml/live/drops-copied-labels", test_live_drops_copied_labels);
    for (gsize i = 0; i < G_N_ELEMENTS(held_cases); i++) {
        g_autofree char *path = g_strdup_printf("/domain-xml/held-label/%s", held_cases[i].name);

        g_test_add_data_func(path, &held_cases[i], test_held_label);
    }
    g_test_add_func("/domain-xml/uuid", test_uuid);
    g_test_add_func("/domain-xml/new-definition", test_new_definition);
    g_test_add_func("/domain-xml/hostile-values", test_hostile_values);
    for (gsize i = 0; i < G_N_ELEMENTS(malformed); i++) {
        g_autofree char *path = g_strdup_printf("/domain-xml/malformed/%" G_GSIZE_FORMAT, i);

        g_test_add_data_func(path, malformed[i], test_malformed);
    }
    g_test_add_func("/domain-xml/tree-helpers", test_tree_helpers);
    return g_test_run();
}
