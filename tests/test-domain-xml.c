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

/* libvirt refuses a device's selinux seclabel beside the live copy's relabel='no' one. */
static void
test_live_device_seclabels(void)
{
    g_autoptr(SvirtPlan) plan = plan_new(SVIRT_SECURITY_MODE_DYNAMIC, PROCESS, LEVEL);
    g_autoptr(GError) error = NULL;
    const char *xml = "<domain type='kvm'><name>guest</name><devices><disk type='file'>"
                      "<source file='/vm/a.img'><seclabel model='selinux' relabel='no'/>"
                      "<seclabel model='dac' relabel='no'/></source><target dev='vda'/></disk>"
                      "</devices><seclabel type='dynamic' model='selinux'/></domain>";
    g_autofree char *live = svirt_domain_xml_make_live(xml, plan, IMAGE, TRUE, &error);
    g_autofree char *kept = NULL;

    g_assert_no_error(error);
    assert_count(live, "//seclabel[@model='selinux']", 1);
    assert_xpath(live, "/domain/seclabel/@relabel", "no");
    assert_count(live, "/domain/devices/disk/source/seclabel[@model='dac']", 1);
    /* Without the driver nothing of libvirt's seclabels changes. */
    kept = svirt_domain_xml_make_live(xml, plan, IMAGE, FALSE, &error);
    assert_count(kept, "/domain/devices/disk/source/seclabel[@model='selinux']", 1);
}

/* A native static seclabel is the VM's setting; the live copy carries the label the engine
 * chose from it, and libvirtd relabels nothing. */
static void
test_live_native_static(void)
{
    g_autoptr(SvirtPlan) plan = plan_new(SVIRT_SECURITY_MODE_STATIC, PROCESS, LEVEL);
    g_autoptr(GError) error = NULL;
    const char *xml = "<domain type='kvm'><name>guest</name><devices/>"
                      "<seclabel type='static' model='selinux' relabel='yes'>"
                      "<label>system_u:system_r:svirt_t:s0:c1,c2</label></seclabel></domain>";
    g_autofree char *live = svirt_domain_xml_make_live(xml, plan, IMAGE, TRUE, &error);

    g_assert_no_error(error);
    assert_count(live, "/domain/seclabel", 1);
    assert_xpath(live, "/domain/seclabel/@type", "static");
    assert_xpath(live, "/domain/seclabel/@relabel", "no");
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

#define STATIC "system_u:system_r:svirt_t:s0:c1,c2"

/* A definition with @seclabels after its devices: vdb with @vdb in its <source>. */
static char *
seclabel_domain(const char *vdb, const char *seclabels)
{
    return g_strdup_printf("<domain type='kvm'><name>guest</name><devices>"
                           "<disk type='file' device='disk'><source file='/vm/a.img'/>"
                           "<target dev='vda'/></disk>"
                           "<disk type='file' device='disk'><source file='/vm/b.img'>%s</source>"
                           "<target dev='vdb'/></disk>"
                           "</devices>%s</domain>",
                           vdb, seclabels);
}

typedef struct {
    const char *name;
    const char *vdb;       /* in vdb's <source> */
    const char *seclabels; /* the domain's */
    gboolean native;
    SvirtSecurityMode mode;
    const char *label;
    const char *baselabel;
    gboolean relabel;
    const char *disks;     /* targets left alone, space-separated */
} NativeCase;

static const NativeCase native_cases[] = {
    /* As virsh, virt-install and virt-manager write it. */
    { "virsh-static", "", "<seclabel type='static' model='selinux' relabel='no'><label>" STATIC
      "</label></seclabel>", TRUE, SVIRT_SECURITY_MODE_STATIC, STATIC, NULL, FALSE, "" },
    { "static-default-relabel", "", "<seclabel type='static' model='selinux'><label>"
      "system_u:system_r:svirt_t:s0:c2,c1</label></seclabel>", TRUE, SVIRT_SECURITY_MODE_STATIC,
      STATIC, NULL, FALSE, "" },
    { "static-relabel", "", "<seclabel type='static' model='selinux' relabel='yes'><label>" STATIC
      "</label></seclabel>", TRUE, SVIRT_SECURITY_MODE_STATIC, STATIC, NULL, TRUE, "" },
    { "dynamic", "", "<seclabel type='dynamic' model='selinux' relabel='yes'/>", TRUE,
      SVIRT_SECURITY_MODE_DYNAMIC, NULL, NULL, TRUE, "" },
    { "dynamic-without-type", "", "<seclabel model='selinux'/>", TRUE,
      SVIRT_SECURITY_MODE_DYNAMIC, NULL, NULL, TRUE, "" },
    { "dynamic-baselabel", "", "<seclabel type='dynamic' model='selinux'><baselabel>"
      "system_u:system_r:my_vm_t:s0</baselabel></seclabel>", TRUE, SVIRT_SECURITY_MODE_DYNAMIC,
      NULL, "system_u:system_r:my_vm_t:s0", TRUE, "" },
    { "none", "", "<seclabel type='none' model='selinux'/>", TRUE, SVIRT_SECURITY_MODE_NONE, NULL,
      NULL, TRUE, "" },
    { "disk-relabel-no", "<seclabel model='selinux' relabel='no'/>",
      "<seclabel type='static' model='selinux' relabel='yes'><label>" STATIC "</label>"
      "</seclabel><seclabel type='none' model='dac'/>", TRUE, SVIRT_SECURITY_MODE_STATIC, STATIC,
      NULL, TRUE, "vdb" },
    /* A disk's own label is the plan's business, not a setting. */
    { "disk-own-label", "<seclabel model='selinux'><label>system_u:object_r:my_t:s0</label>"
      "</seclabel>", "<seclabel type='dynamic' model='selinux'/>", TRUE,
      SVIRT_SECURITY_MODE_DYNAMIC, NULL, NULL, TRUE, "" },
    /* Not the selinux driver's, or not said to be. */
    { "dac-only", "", "<seclabel type='static' model='dac'><label>+0:+0</label></seclabel>",
      FALSE },
    { "no-model", "", "<seclabel type='none'/>", FALSE },
    { "nothing", "", "", FALSE },
};

static void
assert_targets(GPtrArray *targets, const char *expected)
{
    g_auto(GStrv) want = g_strsplit(expected, " ", -1);
    guint n = *expected ? g_strv_length(want) : 0;

    g_assert_cmpuint(targets->len, ==, n);
    for (guint i = 0; i < n; i++)
        g_assert_cmpstr(g_ptr_array_index(targets, i), ==, want[i]);
}

static void
test_native_read(gconstpointer data)
{
    const NativeCase *c = data;
    g_autofree char *xml = seclabel_domain(c->vdb, c->seclabels);
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtSettings) settings = svirt_domain_xml_native_settings(xml, &error);

    g_assert_no_error(error);
    if (!c->native) {
        g_assert_null(settings);
        return;
    }
    g_assert_nonnull(settings);
    g_assert_cmpint(settings->mode, ==, c->mode);
    g_assert_cmpstr(settings->label, ==, c->label);
    g_assert_cmpstr(settings->baselabel, ==, c->baselabel);
    g_assert_cmpint(settings->relabel, ==, c->relabel);
    assert_targets(settings->no_relabel_disks, c->disks);
}

static const struct {
    const char *name;
    const char *seclabel;
    int code;
    const char *message;
} native_errors[] = {
    { "static-without-label", "<seclabel type='static' model='selinux'/>",
      SVIRT_ERROR_INVALID_SETTINGS, "needs the label" },
    { "static-bad-label", "<seclabel type='static' model='selinux'><label>"
      "system_u:system_r:svirt_t:s0:c1024</label></seclabel>", SVIRT_ERROR_INVALID_CONTEXT,
      "c1024" },
    { "dynamic-relabel-no", "<seclabel type='dynamic' model='selinux' relabel='no'/>",
      SVIRT_ERROR_INVALID_SETTINGS, "relabel='yes'" },
    { "bad-type", "<seclabel type='sometimes' model='selinux'/>", SVIRT_ERROR_INVALID_SETTINGS,
      "type='sometimes'" },
    { "bad-relabel", "<seclabel type='static' model='selinux' relabel='maybe'><label>" STATIC
      "</label></seclabel>", SVIRT_ERROR_INVALID_SETTINGS, "relabel='maybe'" },
    { "bad-baselabel", "<seclabel type='dynamic' model='selinux'><baselabel>svirt_t</baselabel>"
      "</seclabel>", SVIRT_ERROR_INVALID_CONTEXT, "" },
};

static void
test_native_errors(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(native_errors); i++) {
        g_autofree char *xml = seclabel_domain("", native_errors[i].seclabel);
        g_autoptr(GError) error = NULL;
        g_autoptr(SvirtSettings) settings = NULL;

        g_test_message("case %s", native_errors[i].name);
        g_assert_null(svirt_domain_xml_native_settings(xml, &error));
        g_assert_error(error, SVIRT_ERROR, native_errors[i].code);
        g_test_message("-> %s", error->message);
        g_assert_nonnull(strstr(error->message, native_errors[i].message));
        g_clear_error(&error);
        /* Nor do the stored settings stand in for it. */
        settings = svirt_domain_xml_settings(xml, NULL, NULL, &error);
        g_assert_null(settings);
        g_assert_nonnull(error);
    }
}

static void
test_native_wins(void)
{
    g_autofree char *with = seclabel_domain(
        "", "<seclabel type='static' model='selinux' relabel='no'><label>" STATIC "</label>"
            "</seclabel>");
    g_autofree char *without = seclabel_domain("<seclabel relabel='no'/>", "");
    g_autoptr(SvirtSettings) stored = svirt_settings_new();
    g_autoptr(SvirtSettings) settings = NULL;
    g_autoptr(GError) error = NULL;
    gboolean native = FALSE;

    g_assert_true(svirt_settings_set_mode(stored, SVIRT_SECURITY_MODE_NONE, NULL, TRUE, NULL));
    g_ptr_array_add(stored->no_relabel_disks, g_strdup("vda"));
    settings = svirt_domain_xml_settings(with, stored, &native, &error);
    g_assert_no_error(error);
    g_assert_true(native);
    g_assert_cmpint(settings->mode, ==, SVIRT_SECURITY_MODE_STATIC);
    g_assert_cmpstr(settings->label, ==, STATIC);
    assert_targets(settings->no_relabel_disks, "");
    g_clear_pointer(&settings, svirt_settings_free);

    /* Without one, the stored settings, and the disks libvirt's seclabels leave alone. */
    settings = svirt_domain_xml_settings(without, stored, &native, &error);
    g_assert_no_error(error);
    g_assert_false(native);
    g_assert_cmpint(settings->mode, ==, SVIRT_SECURITY_MODE_NONE);
    assert_targets(settings->no_relabel_disks, "vda vdb");
    g_clear_pointer(&settings, svirt_settings_free);
    settings = svirt_domain_xml_settings(without, NULL, &native, &error);
    g_assert_cmpint(settings->mode, ==, SVIRT_SECURITY_MODE_DYNAMIC);
    assert_targets(settings->no_relabel_disks, "vdb");
}

static void
test_native_has_selinux(void)
{
    static const struct {
        const char *vdb;
        const char *seclabels;
        gboolean has;
    } cases[] = {
        { "", "<seclabel type='dynamic' model='selinux'/>", TRUE },
        { "<seclabel model='selinux' relabel='no'/>", "", TRUE },
        { "", "<seclabel type='none' model='dac'/>", FALSE },
        { "<seclabel relabel='no'/>", "<seclabel type='none'/>", FALSE },
        { "", "", FALSE },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *xml = seclabel_domain(cases[i].vdb, cases[i].seclabels);

        g_assert_cmpint(svirt_domain_xml_has_selinux_seclabel(xml), ==, cases[i].has);
    }
    g_assert_false(svirt_domain_xml_has_selinux_seclabel("<domain"));
}

/* The svm element the writer put in <metadata>, read as the engine reads it. */
static SvirtSettings *
stored_settings(const char *xml)
{
    g_autoptr(xmlDoc) doc = svirt_xml_parse(xml, NULL);
    xmlNode *metadata = svirt_xml_child(xmlDocGetRootElement(doc), "metadata");
    g_autoptr(GError) error = NULL;

    for (xmlNode *n = metadata ? metadata->children : NULL; n; n = n->next) {
        g_autoptr(xmlBuffer) buf = NULL;
        SvirtSettings *settings;

        if (n->type != XML_ELEMENT_NODE || !n->ns ||
            !xmlStrEqual(n->ns->href, BAD_CAST SVIRT_METADATA_NS))
            continue;
        buf = xmlBufferCreate();
        xmlNodeDump(buf, doc, n, 0, 0);
        settings = svirt_settings_parse((const char *)xmlBufferContent(buf),
                                        xmlBufferLength(buf), &error);
        g_assert_no_error(error);
        return settings;
    }
    g_assert_not_reached();
}

static const char *const libvirt_seclabels =
    "<seclabel type='dynamic' model='selinux' relabel='yes'/>"
    "<seclabel type='none' model='dac'/>";

/* With the driver, settings become libvirt's own seclabels, and read back the same. */
static void
test_write_with_driver(void)
{
    g_autofree char *xml = seclabel_domain("<seclabel model='selinux'><label>"
                                           "system_u:object_r:my_t:s0</label></seclabel>",
                                           libvirt_seclabels);
    g_autoptr(SvirtSettings) settings = svirt_settings_new();
    g_autoptr(SvirtSettings) back = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *out = NULL;
    g_autofree char *again = NULL;
    g_autofree char *dynamic = NULL;
    gboolean changed = FALSE;

    g_assert_true(svirt_settings_set_mode(settings, SVIRT_SECURITY_MODE_STATIC, STATIC, TRUE,
                                          NULL));
    g_ptr_array_add(settings->no_relabel_disks, g_strdup("vda"));
    out = svirt_domain_xml_write_settings(xml, settings, TRUE, &changed, &error);
    g_assert_no_error(error);
    g_assert_true(changed);
    assert_count(out, "/domain/seclabel[@model='selinux']", 1);
    assert_xpath(out, "/domain/seclabel[@model='selinux']/@type", "static");
    assert_xpath(out, "/domain/seclabel[@model='selinux']/@relabel", "yes");
    assert_xpath(out, "/domain/seclabel[@model='selinux']/label", STATIC);
    assert_count(out, "/domain/seclabel[@model='dac']", 1);
    assert_xpath(out, "/domain/devices/disk[1]/source/seclabel/@relabel", "no");
    assert_xpath(out, "/domain/devices/disk[1]/source/seclabel/@model", "selinux");
    /* vdb's own label stays. */
    assert_xpath(out, "/domain/devices/disk[2]/source/seclabel/label", "system_u:object_r:my_t:s0");
    back = svirt_domain_xml_settings(out, NULL, NULL, &error);
    g_assert_no_error(error);
    g_assert_true(svirt_settings_equal(back, settings));
    g_clear_pointer(&back, svirt_settings_free);
    back = stored_settings(out);
    g_assert_true(svirt_settings_equal(back, settings));
    g_clear_pointer(&back, svirt_settings_free);

    /* Written again, nothing but the metadata changes. */
    again = svirt_domain_xml_write_settings(out, settings, TRUE, &changed, &error);
    g_assert_no_error(error);
    g_assert_false(changed);

    /* Dynamic with a base label, every disk relabelled: vda's seclabel goes. */
    g_assert_true(svirt_settings_set_mode(settings, SVIRT_SECURITY_MODE_DYNAMIC, NULL, TRUE,
                                          NULL));
    g_assert_true(svirt_settings_set_baselabel(settings, "system_u:system_r:svirt_t:s0", NULL));
    g_ptr_array_set_size(settings->no_relabel_disks, 0);
    dynamic = svirt_domain_xml_write_settings(out, settings, TRUE, &changed, &error);
    g_assert_no_error(error);
    g_assert_true(changed);
    assert_xpath(dynamic, "/domain/seclabel[@model='selinux']/@type", "dynamic");
    assert_xpath(dynamic, "/domain/seclabel[@model='selinux']/baselabel",
                 "system_u:system_r:svirt_t:s0");
    assert_count(dynamic, "/domain/seclabel[@model='selinux']/label", 0);
    assert_count(dynamic, "/domain/devices/disk[1]/source/seclabel", 0);
    back = svirt_domain_xml_settings(dynamic, NULL, NULL, &error);
    g_assert_true(svirt_settings_equal(back, settings));
}

/* libvirt refuses a disk's selinux seclabel beside a domain one that is not relabelled (static
 * relabel='no', or none): the disk's relabel='no' then stays in the metadata alone. */
static void
test_write_with_driver_no_overrides(void)
{
    g_autofree char *xml = seclabel_domain("<seclabel model='selinux' relabel='no'/>",
                                           libvirt_seclabels);
    g_autoptr(SvirtSettings) settings = svirt_settings_new();
    g_autoptr(SvirtSettings) stored = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *out = NULL;

    g_assert_true(svirt_settings_set_mode(settings, SVIRT_SECURITY_MODE_STATIC, STATIC, FALSE,
                                          NULL));
    g_ptr_array_add(settings->no_relabel_disks, g_strdup("vda"));
    g_ptr_array_add(settings->no_relabel_disks, g_strdup("vdb"));
    out = svirt_domain_xml_write_settings(xml, settings, TRUE, NULL, &error);
    g_assert_no_error(error);
    assert_xpath(out, "/domain/seclabel[@model='selinux']/@relabel", "no");
    assert_count(out, "/domain/devices//seclabel", 0);
    stored = stored_settings(out);
    g_assert_true(svirt_settings_equal(stored, settings));
}

/* A seclabel without a model is the selinux one where the driver is, and makes way. */
static void
test_write_with_driver_modelless(void)
{
    g_autofree char *xml = seclabel_domain("", "<seclabel type='none'/>");
    g_autoptr(SvirtSettings) settings = svirt_settings_new();
    g_autoptr(GError) error = NULL;
    g_autofree char *out = NULL;

    g_assert_true(svirt_settings_set_mode(settings, SVIRT_SECURITY_MODE_NONE, NULL, TRUE, NULL));
    out = svirt_domain_xml_write_settings(xml, settings, TRUE, NULL, &error);
    g_assert_no_error(error);
    assert_count(out, "/domain/seclabel", 1);
    assert_xpath(out, "/domain/seclabel/@type", "none");
    assert_xpath(out, "/domain/seclabel/@model", "selinux");
    assert_count(out, "/domain/seclabel/@relabel", 0);
}

/* Without the driver, libvirt's selinux seclabels move into the metadata and are gone. */
static void
test_write_without_driver(void)
{
    g_autofree char *xml = g_strdup_printf(
        "<domain type='kvm'><name>guest</name><devices>"
        "<disk type='file' device='disk'><source file='/vm/a.img'>"
        "<seclabel model='selinux' relabel='no'/></source><target dev='vda'/>"
        "<backingStore type='file'><source file='/vm/base.img'>"
        "<seclabel model='selinux' relabel='no'/></source></backingStore></disk>"
        "<disk type='file' device='disk'><source file='/vm/b.img'><seclabel relabel='no'/>"
        "</source><target dev='vdb'/></disk></devices>"
        "<seclabel type='static' model='selinux' relabel='no'><label>%s</label></seclabel>"
        "<seclabel type='none' model='dac'/></domain>",
        STATIC);
    g_autoptr(SvirtSettings) settings = svirt_domain_xml_settings(xml, NULL, NULL, NULL);
    g_autoptr(SvirtSettings) back = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *out = NULL;
    g_autofree char *plain = NULL;
    g_autofree char *plain_out = NULL;
    gboolean changed = FALSE;
    gboolean native = TRUE;

    g_assert_nonnull(settings);
    assert_targets(settings->no_relabel_disks, "vda vdb");
    out = svirt_domain_xml_write_settings(xml, settings, FALSE, &changed, &error);
    g_assert_no_error(error);
    g_assert_true(changed);
    g_assert_false(svirt_domain_xml_has_selinux_seclabel(out));
    assert_count(out, "/domain/seclabel[@model='dac']", 1);
    /* A seclabel without a model is not what libvirtd refuses; it stays. */
    assert_xpath(out, "/domain/devices/disk[2]/source/seclabel/@relabel", "no");
    back = stored_settings(out);
    g_assert_true(svirt_settings_equal(back, settings));
    g_clear_pointer(&back, svirt_settings_free);
    back = svirt_domain_xml_settings(out, stored_settings(out), &native, &error);
    g_assert_no_error(error);
    g_assert_false(native);
    g_assert_true(svirt_settings_equal(back, settings));

    /* Nothing of libvirt's to move: only the metadata changes. */
    plain = seclabel_domain("", "");
    plain_out = svirt_domain_xml_write_settings(plain, settings, FALSE, &changed, &error);
    g_assert_no_error(error);
    g_assert_false(changed);
    assert_count(plain_out, "//seclabel", 0);
}

/* A label of a device's own has no place in the settings: refused, naming the device. */
static void
test_write_without_driver_refused(void)
{
    static const struct {
        const char *devices;
        const char *what;
    } cases[] = {
        { "<disk type='file' device='disk'><source file='/vm/a.img'><seclabel model='selinux'>"
          "<label>system_u:object_r:my_t:s0</label></seclabel></source><target dev='vdb'/>"
          "</disk>", "The disk vdb has" },
        { "<serial type='file'><source path='/var/log/vm.log'><seclabel model='selinux' "
          "relabel='no'/></source></serial>", "The serial has" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *xml = g_strdup_printf("<domain><name>guest</name><devices>%s</devices>"
                                               "</domain>",
                                               cases[i].devices);
        g_autoptr(SvirtSettings) settings = svirt_settings_new();
        g_autoptr(GError) error = NULL;

        g_assert_null(svirt_domain_xml_write_settings(xml, settings, FALSE, NULL, &error));
        g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSUPPORTED);
        g_test_message("-> %s", error->message);
        g_assert_nonnull(strstr(error->message, cases[i].what));
        g_assert_nonnull(strstr(error->message, "virsh edit"));
    }
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


/* The settings element a list reads from a definition it already has is the one
 * virDomainGetMetadata() would give: the first of the manager's namespace, with its children. */
static void
test_doc_metadata(void)
{
    static const char *xml =
        "<domain type='qemu'><name>vm</name><metadata>"
        "<other:thing xmlns:other='http://example.org/other'>x</other:thing>"
        "<svm:security xmlns:svm='http://svirt.org/xmlns/manager/1.0' mode='static' "
        "relabel='no'><label>system_u:system_r:svirt_t:s0:c3,c4</label></svm:security>"
        "</metadata><devices/></domain>";
    g_autoptr(xmlDoc) doc = svirt_xml_parse(xml, NULL);
    g_autoptr(xmlDoc) bare = svirt_xml_parse("<domain><name>vm</name></domain>", NULL);
    g_autofree char *element = svirt_domain_doc_metadata(doc, SVIRT_METADATA_NS);
    g_autoptr(SvirtSettings) settings = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_nonnull(element);
    g_assert_null(strstr(element, "other"));
    settings = svirt_settings_parse(element, strlen(element), &error);
    g_assert_no_error(error);
    g_assert_cmpint(settings->mode, ==, SVIRT_SECURITY_MODE_STATIC);
    g_assert_false(settings->relabel);
    g_assert_cmpstr(settings->label, ==, "system_u:system_r:svirt_t:s0:c3,c4");
    g_assert_null(svirt_domain_doc_metadata(bare, SVIRT_METADATA_NS));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/domain-xml/live/labels-and-seclabel", test_live_labels_and_seclabel);
    g_test_add_func("/domain-xml/live/without-seclabel", test_live_without_seclabel);
    g_test_add_func("/domain-xml/live/device-seclabels", test_live_device_seclabels);
    g_test_add_func("/domain-xml/live/native-static", test_live_native_static);
    g_test_add_func("/domain-xml/live/mode-none", test_live_mode_none);
    g_test_add_func("/domain-xml/live/labels-attr", test_live_labels_attr);
    for (gsize i = 0; i < G_N_ELEMENTS(held_cases); i++) {
        g_autofree char *path = g_strdup_printf("/domain-xml/held-label/%s", held_cases[i].name);

        g_test_add_data_func(path, &held_cases[i], test_held_label);
    }
    for (gsize i = 0; i < G_N_ELEMENTS(native_cases); i++) {
        g_autofree char *path = g_strdup_printf("/domain-xml/native/read/%s",
                                                native_cases[i].name);

        g_test_add_data_func(path, &native_cases[i], test_native_read);
    }
    g_test_add_func("/domain-xml/native/errors", test_native_errors);
    g_test_add_func("/domain-xml/native/wins", test_native_wins);
    g_test_add_func("/domain-xml/native/has-selinux", test_native_has_selinux);
    g_test_add_func("/domain-xml/native/write-with-driver", test_write_with_driver);
    g_test_add_func("/domain-xml/native/write-with-driver-no-overrides",
                    test_write_with_driver_no_overrides);
    g_test_add_func("/domain-xml/native/write-with-driver-modelless",
                    test_write_with_driver_modelless);
    g_test_add_func("/domain-xml/native/write-without-driver", test_write_without_driver);
    g_test_add_func("/domain-xml/native/write-without-driver-refused",
                    test_write_without_driver_refused);
    g_test_add_func("/domain-xml/uuid", test_uuid);
    g_test_add_func("/domain-xml/new-definition", test_new_definition);
    g_test_add_func("/domain-xml/hostile-values", test_hostile_values);
    for (gsize i = 0; i < G_N_ELEMENTS(malformed); i++) {
        g_autofree char *path = g_strdup_printf("/domain-xml/malformed/%" G_GSIZE_FORMAT, i);

        g_test_add_data_func(path, malformed[i], test_malformed);
    }
    g_test_add_func("/domain-xml/tree-helpers", test_tree_helpers);
    g_test_add_func("/domain-xml/doc-metadata", test_doc_metadata);
    g_test_add_func("/domain-xml/live/drops-copied-labels", test_live_drops_copied_labels);
    return g_test_run();
}
