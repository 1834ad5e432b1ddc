#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <unistd.h>

#include "svirt-create.h"
#include "svm-test-util.h"
#include "svm-test-vm.h"

static char *dir;
static char *image;   /* an existing disk image */
static char *iso;     /* an "ISO" */
static char *image2;
static char *subdir;

static SvirtVmSpec *
good_spec(void)
{
    SvirtVmSpec *spec = svirt_vm_spec_new("guest-1");

    spec->memory_mib = 64;
    svirt_vm_spec_add_disk(spec, svirt_disk_spec_new_volume("default", 100,
                                                            SVIRT_VOLUME_FORMAT_QCOW2,
                                                            SVIRT_DESIGNATION_PRIVATE));
    return spec;
}

static void set_empty_name(SvirtVmSpec *s) { g_free(s->name); s->name = g_strdup(""); }
static void set_slash_name(SvirtVmSpec *s) { g_free(s->name); s->name = g_strdup("a/b"); }
static void set_quote_name(SvirtVmSpec *s) { g_free(s->name); s->name = g_strdup("a'b"); }
static void set_dash_name(SvirtVmSpec *s) { g_free(s->name); s->name = g_strdup("-x"); }
static void set_long_name(SvirtVmSpec *s) { g_free(s->name); s->name = g_strnfill(65, 'a'); }
static void set_memory_15(SvirtVmSpec *s) { s->memory_mib = 15; }
static void set_vcpus_0(SvirtVmSpec *s) { s->vcpus = 0; }

static void
set_iso(SvirtVmSpec *s, const char *path)
{
    s->install = SVIRT_INSTALL_ISO;
    g_free(s->install_path);
    s->install_path = g_strdup(path);
}

static void set_iso_missing(SvirtVmSpec *s) { set_iso(s, NULL); }
static void set_iso_relative(SvirtVmSpec *s) { set_iso(s, "images/cd.iso"); }
static void set_iso_absent(SvirtVmSpec *s) { set_iso(s, "/nonexistent/cd.iso"); }
static void set_iso_shadow(SvirtVmSpec *s) { set_iso(s, "/etc/shadow"); }
static void set_iso_dir(SvirtVmSpec *s) { set_iso(s, subdir); }

static void
add_existing(SvirtVmSpec *s, const char *path, SvirtDesignation d)
{
    svirt_vm_spec_add_disk(s, svirt_disk_spec_new_existing(path, d));
}

static void add_usr_disk(SvirtVmSpec *s) { add_existing(s, "/usr/bin/env", SVIRT_DESIGNATION_PRIVATE); }
static void add_same_twice(SvirtVmSpec *s)
{
    add_existing(s, image, SVIRT_DESIGNATION_PRIVATE);
    add_existing(s, image, SVIRT_DESIGNATION_SHARED);
}
static void add_iso_as_disk(SvirtVmSpec *s)
{
    set_iso(s, iso);
    add_existing(s, iso, SVIRT_DESIGNATION_PRIVATE);
}
static void add_content_disk(SvirtVmSpec *s) { add_existing(s, image, SVIRT_DESIGNATION_CONTENT); }

static void
add_shared_qcow2(SvirtVmSpec *s)
{
    svirt_vm_spec_add_disk(s, svirt_disk_spec_new_volume("default", 10,
                                                         SVIRT_VOLUME_FORMAT_QCOW2,
                                                         SVIRT_DESIGNATION_SHARED));
}

static void
add_no_pool(SvirtVmSpec *s)
{
    svirt_vm_spec_add_disk(s, svirt_disk_spec_new_volume("", 10, SVIRT_VOLUME_FORMAT_RAW,
                                                         SVIRT_DESIGNATION_PRIVATE));
}

static void
add_zero_size(SvirtVmSpec *s)
{
    svirt_vm_spec_add_disk(s, svirt_disk_spec_new_volume("default", 0, SVIRT_VOLUME_FORMAT_RAW,
                                                         SVIRT_DESIGNATION_PRIVATE));
}

static void
add_same_volume(SvirtVmSpec *s)
{
    SvirtDiskSpec *d = svirt_disk_spec_new_volume("default", 10, SVIRT_VOLUME_FORMAT_RAW,
                                                  SVIRT_DESIGNATION_PRIVATE);

    d->volume = g_strdup("guest-1-1.qcow2");
    svirt_vm_spec_add_disk(s, d);
}

static void
add_bad_volume_name(SvirtVmSpec *s)
{
    SvirtDiskSpec *d = svirt_disk_spec_new_volume("default", 10, SVIRT_VOLUME_FORMAT_RAW,
                                                  SVIRT_DESIGNATION_PRIVATE);

    d->volume = g_strdup("../escape");
    svirt_vm_spec_add_disk(s, d);
}

static void
nothing_to_boot(SvirtVmSpec *s)
{
    g_ptr_array_set_size(s->disks, 0);
}

static void set_empty_network(SvirtVmSpec *s) { s->network = g_strdup(""); }

static void
set_static_bad(SvirtVmSpec *s)
{
    /* Bypasses svirt_settings_set_mode, as a caller filling the struct by hand would. */
    s->settings->mode = SVIRT_SECURITY_MODE_STATIC;
    s->settings->label = g_strdup("system_u:system_r:svirt_t:s0:c5.c1");
}

static void
set_relabel_no_dynamic(SvirtVmSpec *s)
{
    s->settings->relabel = FALSE;
}

typedef struct {
    const char *name;
    void (*mutate)(SvirtVmSpec *spec);
    int code;
    const char *message; /* a fragment the message must contain */
} Refusal;

static const Refusal refusals[] = {
    { "empty-name", set_empty_name, SVIRT_ERROR_INVALID_SETTINGS, "VM name is empty" },
    { "slash-in-name", set_slash_name, SVIRT_ERROR_INVALID_SETTINGS, "at position 2" },
    { "quote-in-name", set_quote_name, SVIRT_ERROR_INVALID_SETTINGS, "at position 2" },
    { "dash-first", set_dash_name, SVIRT_ERROR_INVALID_SETTINGS, "starts with '-'" },
    { "long-name", set_long_name, SVIRT_ERROR_INVALID_SETTINGS, "longer than 64" },
    { "memory", set_memory_15, SVIRT_ERROR_INVALID_SETTINGS, "at least 16 MiB" },
    { "vcpus", set_vcpus_0, SVIRT_ERROR_INVALID_SETTINGS, "at least one virtual CPU" },
    { "iso-missing", set_iso_missing, SVIRT_ERROR_INVALID_SETTINGS,
      "No file is given for the install ISO image" },
    { "iso-relative", set_iso_relative, SVIRT_ERROR_INVALID_SETTINGS, "is not absolute" },
    { "iso-absent", set_iso_absent, SVIRT_ERROR_NOT_FOUND, "No such file or directory" },
    { "iso-shadow", set_iso_shadow, SVIRT_ERROR_UNSAFE, "under /etc" },
    { "iso-directory", set_iso_dir, SVIRT_ERROR_INVALID_SETTINGS,
      "is not a regular file or a block device" },
    { "disk-under-usr", add_usr_disk, SVIRT_ERROR_UNSAFE, "under /usr" },
    { "same-file-twice", add_same_twice, SVIRT_ERROR_INVALID_SETTINGS,
      "Disks 2 and 3 are the same file" },
    { "iso-as-disk", add_iso_as_disk, SVIRT_ERROR_INVALID_SETTINGS,
      "Disk 2 is the install source" },
    { "content-designation", add_content_disk, SVIRT_ERROR_INVALID_SETTINGS,
      "Disk 2 must be private, shared or read-only" },
    { "shared-qcow2", add_shared_qcow2, SVIRT_ERROR_INVALID_SETTINGS,
      "Disk 2 is shared but qcow2" },
    { "no-pool", add_no_pool, SVIRT_ERROR_INVALID_SETTINGS, "Disk 2 has no storage pool" },
    { "zero-size", add_zero_size, SVIRT_ERROR_INVALID_SETTINGS, "at least 1 MiB" },
    { "same-volume", add_same_volume, SVIRT_ERROR_INVALID_SETTINGS,
      "Disks 1 and 2 would both be volume 'guest-1-1.qcow2'" },
    { "bad-volume-name", add_bad_volume_name, SVIRT_ERROR_INVALID_SETTINGS,
      "volume name of disk 2 '../escape' starts with '.'" },
    { "nothing-to-boot", nothing_to_boot, SVIRT_ERROR_INVALID_SETTINGS, "nothing to boot from" },
    { "empty-network", set_empty_network, SVIRT_ERROR_INVALID_SETTINGS, "network name is empty" },
    { "static-reversed", set_static_bad, SVIRT_ERROR_INVALID_CONTEXT, "" },
    { "relabel-no-dynamic", set_relabel_no_dynamic, SVIRT_ERROR_INVALID_SETTINGS, "" },
};

static void
test_validate_refusal(gconstpointer data)
{
    const Refusal *r = data;
    g_autoptr(SvirtVmSpec) spec = good_spec();
    g_autoptr(GError) error = NULL;

    g_assert_true(svirt_vm_spec_validate(spec, NULL));
    r->mutate(spec);
    g_assert_false(svirt_vm_spec_validate(spec, &error));
    g_assert_nonnull(error);
    g_test_message("%s: %s", r->name, error->message);
    g_assert_error(error, SVIRT_ERROR, r->code);
    g_assert_nonnull(strstr(error->message, r->message));
    /* Nothing is turned into a definition either. */
    g_clear_error(&error);
    g_assert_null(svirt_vm_spec_to_xml(spec, NULL, &error));
    g_assert_nonnull(error);
}

static void
test_validate_accepts(void)
{
    g_autoptr(SvirtVmSpec) spec = good_spec();
    g_autoptr(GError) error = NULL;

    set_iso(spec, iso);
    add_existing(spec, image, SVIRT_DESIGNATION_SHARED);
    add_existing(spec, image2, SVIRT_DESIGNATION_READONLY);
    spec->network = g_strdup("default");
    g_assert_true(svirt_settings_set_mode(spec->settings, SVIRT_SECURITY_MODE_STATIC,
                                          "system_u:system_r:svirt_t:s0:c10,c20", FALSE,
                                          &error));
    g_assert_true(svirt_vm_spec_validate(spec, &error));
    g_assert_no_error(error);
}

typedef struct {
    xmlDocPtr doc;
    xmlXPathContextPtr ctxt;
} Xml;

static void
xml_parse(Xml *x, const char *text)
{
    x->doc = xmlReadMemory(text, strlen(text), "domain.xml", NULL, XML_PARSE_NONET);
    g_assert_nonnull(x->doc);
    x->ctxt = xmlXPathNewContext(x->doc);
}

static void
xml_clear(Xml *x)
{
    xmlXPathFreeContext(x->ctxt);
    xmlFreeDoc(x->doc);
}

static char *
xml_str(Xml *x, const char *expr)
{
    g_autofree char *full = g_strdup_printf("string(%s)", expr);
    xmlXPathObjectPtr obj = xmlXPathEvalExpression((const xmlChar *)full, x->ctxt);
    char *value;

    g_assert_nonnull(obj);
    value = g_strdup((const char *)obj->stringval);
    xmlXPathFreeObject(obj);
    return value;
}

static int
xml_count(Xml *x, const char *expr)
{
    g_autofree char *full = g_strdup_printf("count(%s)", expr);
    xmlXPathObjectPtr obj = xmlXPathEvalExpression((const xmlChar *)full, x->ctxt);
    int n;

    g_assert_nonnull(obj);
    n = (int)obj->floatval;
    xmlXPathFreeObject(obj);
    return n;
}

static void
assert_xpath(Xml *x, const char *expr, const char *expected)
{
    g_autofree char *value = xml_str(x, expr);

    g_assert_cmpstr(value, ==, expected);
}

static void
test_xml_iso_and_designations(void)
{
    g_autoptr(SvirtVmSpec) spec = good_spec();
    g_autoptr(GError) error = NULL;
    const char *vols[] = { "/pool/guest-1-1.qcow2", NULL };
    g_autofree char *xml = NULL;
    Xml x;

    set_iso(spec, iso);
    add_existing(spec, image, SVIRT_DESIGNATION_SHARED);
    add_existing(spec, image2, SVIRT_DESIGNATION_READONLY);
    spec->memory_mib = 48;
    spec->vcpus = 2;
    xml = svirt_vm_spec_to_xml(spec, vols, &error);
    g_assert_no_error(error);
    g_test_message("%s", xml);
    xml_parse(&x, xml);
    assert_xpath(&x, "/domain/@type", "qemu");
    assert_xpath(&x, "/domain/name", "guest-1");
    assert_xpath(&x, "/domain/memory", "48");
    assert_xpath(&x, "/domain/memory/@unit", "MiB");
    assert_xpath(&x, "/domain/vcpu", "2");
    assert_xpath(&x, "/domain/os/type/@machine", "pc");
    /* The ISO boots first, then the hard disk. */
    assert_xpath(&x, "/domain/os/boot[1]/@dev", "cdrom");
    assert_xpath(&x, "/domain/os/boot[2]/@dev", "hd");

    g_assert_cmpint(xml_count(&x, "/domain/devices/disk"), ==, 4);
    assert_xpath(&x, "/domain/devices/disk[target/@dev='vda']/source/@file", vols[0]);
    assert_xpath(&x, "/domain/devices/disk[target/@dev='vda']/driver/@type", "qcow2");
    assert_xpath(&x, "/domain/devices/disk[target/@dev='vda']/target/@bus", "virtio");
    g_assert_cmpint(xml_count(&x, "/domain/devices/disk[target/@dev='vda']/*[self::readonly or "
                                  "self::shareable]"), ==, 0);
    assert_xpath(&x, "/domain/devices/disk[target/@dev='vdb']/source/@file", image);
    assert_xpath(&x, "/domain/devices/disk[target/@dev='vdb']/driver/@type", "raw");
    g_assert_cmpint(xml_count(&x, "/domain/devices/disk[target/@dev='vdb']/shareable"), ==, 1);
    g_assert_cmpint(xml_count(&x, "/domain/devices/disk[target/@dev='vdb']/readonly"), ==, 0);
    assert_xpath(&x, "/domain/devices/disk[target/@dev='vdc']/source/@file", image2);
    g_assert_cmpint(xml_count(&x, "/domain/devices/disk[target/@dev='vdc']/readonly"), ==, 1);
    assert_xpath(&x, "/domain/devices/disk[@device='cdrom']/source/@file", iso);
    assert_xpath(&x, "/domain/devices/disk[@device='cdrom']/target/@bus", "ide");
    g_assert_cmpint(xml_count(&x, "/domain/devices/disk[@device='cdrom']/readonly"), ==, 1);

    /* No network named: user-mode networking. */
    assert_xpath(&x, "/domain/devices/interface/@type", "user");
    g_assert_cmpint(xml_count(&x, "/domain/devices/interface"), ==, 1);
    assert_xpath(&x, "/domain/devices/serial/@type", "pty");
    assert_xpath(&x, "/domain/devices/console/target/@type", "serial");
    xml_clear(&x);
}

/* A new VM's screen is reached only through libvirt: no port, no socket file. */
static void
test_xml_display(void)
{
    static const struct {
        SvirtDisplayKind kind;
        const char *graphics;
        const char *video;
    } cases[] = {
        { SVIRT_DISPLAY_VNC, "vnc", "vga" },
        { SVIRT_DISPLAY_SPICE, "spice", "qxl" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(SvirtVmSpec) spec = good_spec();
        g_autoptr(GError) error = NULL;
        const char *vols[] = { "/pool/guest-1-1.qcow2", NULL };
        g_autofree char *xml = NULL;
        g_autofree char *reach = NULL;
        Xml x;

        if (cases[i].kind != SVIRT_DISPLAY_VNC)
            spec->display = cases[i].kind;
        xml = svirt_vm_spec_to_xml(spec, vols, &error);
        g_assert_no_error(error);
        xml_parse(&x, xml);
        g_assert_cmpint(xml_count(&x, "/domain/devices/graphics"), ==, 1);
        assert_xpath(&x, "/domain/devices/graphics/@type", cases[i].graphics);
        g_assert_cmpint(xml_count(&x, "/domain/devices/graphics/listen"), ==, 1);
        assert_xpath(&x, "/domain/devices/graphics/listen/@type", "none");
        g_assert_cmpint(xml_count(&x, "/domain/devices/graphics/@*[name()!='type']"), ==, 0);
        g_assert_cmpint(xml_count(&x, "/domain/devices/video"), ==, 1);
        assert_xpath(&x, "/domain/devices/video/model/@type", cases[i].video);
        assert_xpath(&x, "/domain/devices/input[@type='tablet']/@bus", "usb");
        /* The serial console stays. */
        assert_xpath(&x, "/domain/devices/serial/@type", "pty");
        xml_clear(&x);
        reach = svirt_display_describe_reach(xml);
        g_assert_nonnull(strstr(reach, "through libvirt only; nothing listens on the network"));
    }
}

static void
test_xml_headless(void)
{
    g_autoptr(SvirtVmSpec) spec = good_spec();
    g_autoptr(SvirtVmSpec) copy = NULL;
    g_autoptr(GError) error = NULL;
    const char *vols[] = { "/pool/guest-1-1.qcow2", NULL };
    g_autofree char *xml = NULL;
    g_autofree char *reach = NULL;
    Xml x;

    spec->display = SVIRT_DISPLAY_NONE;
    copy = svirt_vm_spec_copy(spec);
    g_assert_cmpint(copy->display, ==, SVIRT_DISPLAY_NONE);
    xml = svirt_vm_spec_to_xml(copy, vols, &error);
    g_assert_no_error(error);
    xml_parse(&x, xml);
    g_assert_cmpint(xml_count(&x, "/domain/devices/graphics"), ==, 0);
    g_assert_cmpint(xml_count(&x, "/domain/devices/video"), ==, 0);
    g_assert_cmpint(xml_count(&x, "/domain/devices/input"), ==, 0);
    assert_xpath(&x, "/domain/devices/console/target/@type", "serial");
    xml_clear(&x);
    reach = svirt_display_describe_reach(xml);
    g_assert_cmpstr(reach, ==, "No display: serial console only.");

    spec->display = 7;
    g_assert_null(svirt_vm_spec_to_xml(spec, vols, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_SETTINGS);
}

static void
test_display_kind_parse(void)
{
    g_autoptr(GError) error = NULL;
    SvirtDisplayKind kind = SVIRT_DISPLAY_VNC;

    g_assert_true(svirt_display_kind_parse("spice", &kind, NULL));
    g_assert_cmpint(kind, ==, SVIRT_DISPLAY_SPICE);
    g_assert_true(svirt_display_kind_parse("none", &kind, NULL));
    g_assert_cmpint(kind, ==, SVIRT_DISPLAY_NONE);
    g_assert_true(svirt_display_kind_parse("VNC", &kind, NULL));
    g_assert_cmpint(kind, ==, SVIRT_DISPLAY_VNC);
    g_assert_false(svirt_display_kind_parse("rdp", &kind, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_SETTINGS);
    g_assert_cmpstr(error->message, ==, "'rdp' is not a kind of display. Choose vnc, spice or "
                                        "none.");
}

static void
test_xml_boot_image_and_network(void)
{
    g_autoptr(SvirtVmSpec) spec = svirt_vm_spec_new("net+vm_2.x");
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = NULL;
    Xml x;

    spec->install = SVIRT_INSTALL_DISK_IMAGE;
    spec->install_path = g_strdup(image);
    add_existing(spec, image2, SVIRT_DESIGNATION_PRIVATE);
    spec->network = g_strdup("default");
    spec->use_kvm = TRUE;
    xml = svirt_vm_spec_to_xml(spec, NULL, &error);
    g_assert_no_error(error);
    xml_parse(&x, xml);
    assert_xpath(&x, "/domain/@type", "kvm");
    assert_xpath(&x, "/domain/name", "net+vm_2.x");
    g_assert_cmpint(xml_count(&x, "/domain/os/boot"), ==, 1);
    assert_xpath(&x, "/domain/os/boot/@dev", "hd");
    /* The install image is the boot disk, private. */
    assert_xpath(&x, "/domain/devices/disk[1]/target/@dev", "vda");
    assert_xpath(&x, "/domain/devices/disk[1]/source/@file", image);
    g_assert_cmpint(xml_count(&x, "/domain/devices/disk[1]/readonly"), ==, 0);
    assert_xpath(&x, "/domain/devices/disk[2]/target/@dev", "vdb");
    g_assert_cmpint(xml_count(&x, "/domain/devices/disk[@device='cdrom']"), ==, 0);
    assert_xpath(&x, "/domain/devices/interface/@type", "network");
    assert_xpath(&x, "/domain/devices/interface/source/@network", "default");
    xml_clear(&x);
}

static void
test_xml_escapes(void)
{
    g_autoptr(SvirtVmSpec) spec = svirt_vm_spec_new("esc");
    g_autoptr(GError) error = NULL;
    g_autofree char *odd = g_build_filename(dir, "a&b'<c>.img", NULL);
    g_autofree char *xml = NULL;
    Xml x;

    svm_test_write_blank_image(odd, 512);
    add_existing(spec, odd, SVIRT_DESIGNATION_PRIVATE);
    xml = svirt_vm_spec_to_xml(spec, NULL, &error);
    g_assert_no_error(error);
    xml_parse(&x, xml);
    assert_xpath(&x, "/domain/devices/disk/source/@file", odd);
    g_assert_cmpint(xml_count(&x, "/domain/devices/disk"), ==, 1);
    xml_clear(&x);
    g_unlink(odd);
}

static void
test_xml_volume_count(void)
{
    g_autoptr(SvirtVmSpec) spec = good_spec();
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = svirt_vm_spec_to_xml(spec, NULL, &error);

    g_assert_null(xml);
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED);
    g_assert_nonnull(strstr(error->message, "1 new volumes but 0 volume paths"));
}

static const SvirtPlanItem *
find_item(const SvirtPlan *plan, const char *path)
{
    for (guint i = 0; i < plan->items->len; i++) {
        const SvirtPlanItem *item = g_ptr_array_index(plan->items, i);

        if (g_strcmp0(item->path, path) == 0)
            return item;
    }
    g_error("no plan row for %s", path);
    return NULL;
}

static void
test_preview_dynamic(void)
{
    g_autoptr(SvirtVmSpec) spec = good_spec();
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtPlan) plan = NULL;
    g_autoptr(SvirtPolicyTypes) types = svirt_policy_types_load(NULL);
    g_autofree char *content = NULL;
    const SvirtPlanItem *item;

    set_iso(spec, iso);
    add_existing(spec, image, SVIRT_DESIGNATION_SHARED);
    add_existing(spec, image2, SVIRT_DESIGNATION_READONLY);
    plan = svirt_vm_spec_preview(spec, NULL, &error);
    g_assert_no_error(error);
    g_assert_cmpint(plan->mode, ==, SVIRT_SECURITY_MODE_DYNAMIC);
    g_assert_cmpstr(plan->level, ==, SVIRT_PREVIEW_LEVEL);
    g_assert_cmpuint(plan->items->len, ==, 4);

    /* A volume not created yet is shown where its pool puts it. */
    item = find_item(plan, "default/guest-1-1.qcow2");
    g_assert_cmpint(item->designation, ==, SVIRT_DESIGNATION_PRIVATE);
    g_assert_cmpstr(item->label, ==, "system_u:object_r:svirt_image_t:s0:c1,c2");
    g_assert_true(item->restore);
    g_assert_false(item->warning);
    item = find_item(plan, image);
    g_assert_cmpint(item->designation, ==, SVIRT_DESIGNATION_SHARED);
    g_assert_cmpstr(item->label, ==, "system_u:object_r:svirt_image_t:s0");
    item = find_item(plan, image2);
    g_assert_cmpint(item->designation, ==, SVIRT_DESIGNATION_READONLY);
    content = svirt_policy_context_with_level(types->content, "s0", NULL);
    g_assert_cmpstr(item->label, ==, content);
    item = find_item(plan, iso);
    g_assert_cmpint(item->kind, ==, SVIRT_PLAN_KIND_CDROM);
    g_assert_cmpint(item->designation, ==, SVIRT_DESIGNATION_READONLY);
    g_assert_cmpstr(item->label, ==, content);
}

static void
test_preview_static(void)
{
    g_autoptr(SvirtVmSpec) spec = good_spec();
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtPlan) plan = NULL;
    const char *vols[] = { "/var/lib/libvirt/images/guest-1-1.qcow2", NULL };
    const SvirtPlanItem *item;

    g_assert_true(svirt_settings_set_mode(spec->settings, SVIRT_SECURITY_MODE_STATIC,
                                          "system_u:system_r:svirt_t:s0:c7,c9", TRUE, &error));
    plan = svirt_vm_spec_preview(spec, vols, &error);
    g_assert_no_error(error);
    g_assert_cmpint(plan->mode, ==, SVIRT_SECURITY_MODE_STATIC);
    g_assert_cmpstr(plan->process_label, ==, "system_u:system_r:svirt_t:s0:c7,c9");
    g_assert_cmpuint(plan->items->len, ==, 1);
    item = find_item(plan, vols[0]);
    g_assert_cmpstr(item->label, ==, "system_u:object_r:svirt_image_t:s0:c7,c9");
}

static void
test_preview_static_no_relabel(void)
{
    g_autoptr(SvirtVmSpec) spec = good_spec();
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtPlan) plan = NULL;
    const SvirtPlanItem *item;

    g_assert_true(svirt_settings_set_mode(spec->settings, SVIRT_SECURITY_MODE_STATIC,
                                          "system_u:system_r:svirt_t:s0:c7,c9", FALSE, &error));
    plan = svirt_vm_spec_preview(spec, NULL, &error);
    g_assert_no_error(error);
    item = find_item(plan, "default/guest-1-1.qcow2");
    g_assert_cmpint(item->designation, ==, SVIRT_DESIGNATION_SKIPPED);
    g_assert_null(item->label);
}

static void
test_volume_names(void)
{
    g_autoptr(SvirtVmSpec) spec = good_spec();
    g_autofree char *first = NULL;
    g_autofree char *second = NULL;

    add_existing(spec, image, SVIRT_DESIGNATION_PRIVATE);
    svirt_vm_spec_add_disk(spec, svirt_disk_spec_new_volume("default", 1,
                                                            SVIRT_VOLUME_FORMAT_RAW,
                                                            SVIRT_DESIGNATION_SHARED));
    first = svirt_vm_spec_dup_volume_name(spec, 0);
    second = svirt_vm_spec_dup_volume_name(spec, 2);
    g_assert_cmpstr(first, ==, "guest-1-1.qcow2");
    g_assert_null(svirt_vm_spec_dup_volume_name(spec, 1));
    g_assert_cmpstr(second, ==, "guest-1-3.img");
    g_assert_cmpuint(svirt_vm_spec_count_new_volumes(spec), ==, 2);
}

static void
test_spec_copy(void)
{
    g_autoptr(SvirtVmSpec) spec = good_spec();
    g_autoptr(SvirtVmSpec) copy = NULL;

    set_iso(spec, iso);
    spec->network = g_strdup("net");
    g_assert_true(svirt_settings_set_mode(spec->settings, SVIRT_SECURITY_MODE_STATIC,
                                          "system_u:system_r:svirt_t:s0:c1,c3", TRUE, NULL));
    copy = svirt_vm_spec_copy(spec);
    g_assert_cmpstr(copy->name, ==, spec->name);
    g_assert_cmpstr(copy->install_path, ==, iso);
    g_assert_cmpstr(copy->network, ==, "net");
    g_assert_cmpuint(copy->disks->len, ==, 1);
    g_assert_true(svirt_settings_equal(copy->settings, spec->settings));
    g_assert_true(g_ptr_array_index(copy->disks, 0) != g_ptr_array_index(spec->disks, 0));
}

typedef struct {
    const char *name;
    gboolean ok;
    const char *message; /* a part of the reason */
} NameCase;

static const NameCase name_cases[] = {
    { "guest-1", TRUE, NULL },
    { "web_2.example+test", TRUE, NULL },
    { "", FALSE, "empty" },
    { "bad/name", FALSE, "position 4" },
    { "a b", FALSE, "position 2" },
    { "-x", FALSE, "starts with '-'" },
    { ".hidden", FALSE, "starts with '.'" },
    { "6695eb01-f6a4-8304-79aa-97f2502e193f", FALSE, "UUID" },
    { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", FALSE, "longer" },
};

static void
test_name_syntax(void)
{
    for (guint i = 0; i < G_N_ELEMENTS(name_cases); i++) {
        const NameCase *c = &name_cases[i];
        g_autoptr(GError) error = NULL;
        g_autoptr(SvirtVmSpec) spec = good_spec();

        g_test_message("name '%s'", c->name);
        g_assert_cmpint(svirt_vm_name_validate(c->name, &error), ==, c->ok);
        if (c->ok) {
            g_assert_no_error(error);
            continue;
        }
        g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_SETTINGS);
        g_assert_nonnull(strstr(error->message, c->message));
        /* The whole VM is refused for the same reason. */
        g_free(spec->name);
        spec->name = g_strdup(c->name);
        {
            g_autoptr(GError) spec_error = NULL;

            g_assert_false(svirt_vm_spec_validate(spec, &spec_error));
            g_assert_cmpstr(spec_error->message, ==, error->message);
        }
    }
}

/* test:///default keeps one state per process; it has a VM named "test". */
#define TEST_URI "test:///default"

static void
on_async_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
    *(GAsyncResult **)user_data = g_object_ref(result);
}

static gboolean
check_name_async(SvirtEngine *engine, const char *name, GError **error)
{
    g_autoptr(GAsyncResult) result = NULL;

    svirt_engine_check_vm_name_async(engine, name, NULL, on_async_done, &result);
    svm_test_wait_for(svm_test_pointer_is_set, &result, 10000, "the name check");
    return svirt_engine_check_vm_name_finish(engine, result, error);
}

static void
test_name_in_use(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(TEST_URI);
    g_autoptr(GError) error = NULL;

    g_assert_true(svirt_engine_connect(engine, NULL, &error));
    g_assert_no_error(error);

    g_assert_true(check_name_async(engine, "guest-new", &error));
    g_assert_no_error(error);
    g_assert_false(check_name_async(engine, "test", &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE);
    g_assert_nonnull(strstr(error->message, "A VM named 'test' already exists on " TEST_URI));
    g_clear_error(&error);
    /* The syntax comes first, without asking libvirt. */
    g_assert_false(check_name_async(engine, "bad/name", &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_SETTINGS);
    g_clear_error(&error);
    g_assert_false(svirt_engine_check_vm_name(engine, "test", &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE);
}

static SvirtPathUser *
user_new(const char *name, SvirtDesignation designation)
{
    SvirtPathUser *user = g_new0(SvirtPathUser, 1);

    user->name = g_strdup(name);
    user->uuid = g_strdup("00000000-0000-0000-0000-000000000000");
    user->designation = designation;
    return user;
}

typedef struct {
    const char *name;
    SvirtDesignation wanted;
    SvirtDesignation users[2]; /* SKIPPED ends the list */
    const char *warning; /* a part of it; NULL for none */
} ClashCase;

static const ClashCase clash_cases[] = {
    { "private-over-shared", SVIRT_DESIGNATION_PRIVATE,
      { SVIRT_DESIGNATION_SHARED, SVIRT_DESIGNATION_SKIPPED },
      "VM 'vm0' also uses /images/data.img. As a private disk" },
    { "private-over-two", SVIRT_DESIGNATION_PRIVATE,
      { SVIRT_DESIGNATION_SHARED, SVIRT_DESIGNATION_READONLY },
      "VMs 'vm0' and 'vm1' also use" },
    { "private-unused", SVIRT_DESIGNATION_PRIVATE,
      { SVIRT_DESIGNATION_SKIPPED, SVIRT_DESIGNATION_SKIPPED }, NULL },
    { "shared-over-shared", SVIRT_DESIGNATION_SHARED,
      { SVIRT_DESIGNATION_SHARED, SVIRT_DESIGNATION_SKIPPED }, NULL },
    { "shared-over-private", SVIRT_DESIGNATION_SHARED,
      { SVIRT_DESIGNATION_PRIVATE, SVIRT_DESIGNATION_SKIPPED },
      "VM 'vm0' uses /images/data.img as its private disk" },
    { "readonly-over-readonly", SVIRT_DESIGNATION_READONLY,
      { SVIRT_DESIGNATION_READONLY, SVIRT_DESIGNATION_SKIPPED }, NULL },
    { "readonly-over-shared", SVIRT_DESIGNATION_READONLY,
      { SVIRT_DESIGNATION_SHARED, SVIRT_DESIGNATION_SKIPPED }, "VM 'vm0' writes" },
};

static void
test_clash(gconstpointer data)
{
    const ClashCase *c = data;
    g_autoptr(GPtrArray) users =
        g_ptr_array_new_with_free_func((GDestroyNotify)svirt_path_user_free);
    g_autoptr(SvirtDiskSpec) disk = svirt_disk_spec_new_existing("/images/data.img", c->wanted);
    g_autofree char *warning = NULL;

    for (guint i = 0; i < G_N_ELEMENTS(c->users) && c->users[i] != SVIRT_DESIGNATION_SKIPPED;
         i++) {
        g_autofree char *name = g_strdup_printf("vm%u", i);

        g_ptr_array_add(users, user_new(name, c->users[i]));
    }
    warning = svirt_disk_spec_describe_clash(disk, users);
    g_test_message("%s", warning ? warning : "(none)");
    if (c->warning == NULL) {
        g_assert_null(warning);
        return;
    }
    g_assert_nonnull(warning);
    g_assert_nonnull(strstr(warning, c->warning));
}

static void
test_clash_new_volume(void)
{
    g_autoptr(GPtrArray) users =
        g_ptr_array_new_with_free_func((GDestroyNotify)svirt_path_user_free);
    g_autoptr(SvirtDiskSpec) disk = svirt_disk_spec_new_volume("default", 8,
                                                               SVIRT_VOLUME_FORMAT_RAW,
                                                               SVIRT_DESIGNATION_PRIVATE);

    g_ptr_array_add(users, user_new("vm0", SVIRT_DESIGNATION_SHARED));
    g_assert_null(svirt_disk_spec_describe_clash(disk, users));
}

static void
define_user(virConnectPtr conn, const char *name, const char *path, const char *flag)
{
    g_autofree char *xml = g_strdup_printf(
        "<domain type='test'><name>%s</name><memory>65536</memory><os><type>hvm</type></os>"
        "<devices><disk type='file' device='disk'><source file='%s'/>"
        "<target dev='vda' bus='virtio'/>%s</disk></devices></domain>",
        name, path, flag);
    g_autoptr(virDomain) dom = virDomainDefineXML(conn, xml);

    g_assert_nonnull(dom);
}

static void
undefine(virConnectPtr conn, const char *name)
{
    g_autoptr(virDomain) dom = virDomainLookupByName(conn, name);

    if (dom)
        virDomainUndefine(dom);
}

static void
test_path_users(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(TEST_URI);
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) users = NULL;
    g_autoptr(GAsyncResult) result = NULL;
    g_autofree char *link = g_build_filename(dir, "link.img", NULL);
    g_autofree char *hard_link = g_build_filename(dir, "hard-link.img", NULL);
    g_autoptr(GPtrArray) by_inode = NULL;
    SvirtPathUser *user;

    g_assert_true(svirt_engine_connect(engine, NULL, &error));
    conn = svirt_engine_dup_connection(engine, NULL);
    define_user(conn, "svm-users-b", image2, "<shareable/>");
    define_user(conn, "svm-users-a", image2, "<readonly/>");
    define_user(conn, "svm-users-c", image, "");
    g_assert_cmpint(symlink(image2, link), ==, 0);
    g_assert_cmpint(linkat(AT_FDCWD, image, AT_FDCWD, hard_link, 0), ==, 0);

    /* Through a link too: what counts is the file. */
    svirt_engine_list_path_users_async(engine, link, NULL, on_async_done, &result);
    svm_test_wait_for(svm_test_pointer_is_set, &result, 10000, "the users of a file");
    users = svirt_engine_list_path_users_finish(engine, result, &error);
    /* Another name of the same file (a hard link) is that file: its device and inode count. */
    by_inode = svirt_engine_list_path_users(engine, hard_link, NULL);
    g_unlink(hard_link);
    g_unlink(link);
    undefine(conn, "svm-users-a");
    undefine(conn, "svm-users-b");
    undefine(conn, "svm-users-c");
    g_assert_no_error(error);
    g_assert_nonnull(users);
    g_assert_cmpuint(users->len, ==, 2);
    user = g_ptr_array_index(users, 0);
    g_assert_cmpstr(user->name, ==, "svm-users-a");
    g_assert_true(g_uuid_string_is_valid(user->uuid));
    g_assert_cmpint(user->designation, ==, SVIRT_DESIGNATION_READONLY);
    user = g_ptr_array_index(users, 1);
    g_assert_cmpstr(user->name, ==, "svm-users-b");
    g_assert_cmpint(user->designation, ==, SVIRT_DESIGNATION_SHARED);
    g_clear_pointer(&users, g_ptr_array_unref);
    g_assert_nonnull(by_inode);
    g_assert_cmpuint(by_inode->len, ==, 1);
    user = g_ptr_array_index(by_inode, 0);
    g_assert_cmpstr(user->name, ==, "svm-users-c");
    g_assert_cmpint(user->designation, ==, SVIRT_DESIGNATION_PRIVATE);

    users = svirt_engine_list_path_users(engine, iso, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(users->len, ==, 0);
}

/* A creation cancelled before it starts makes nothing and says so. */
static void
test_cancelled_before(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(TEST_URI);
    g_autoptr(SvirtVmSpec) spec = good_spec();
    g_autoptr(GCancellable) cancellable = g_cancellable_new();
    g_autoptr(GError) error = NULL;
    g_autofree char *uuid = NULL;

    g_assert_true(svirt_engine_connect(engine, NULL, NULL));
    g_cancellable_cancel(cancellable);
    uuid = svirt_engine_create_vm_full(engine, spec, NULL, NULL, cancellable, &error);
    g_assert_null(uuid);
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_cmpstr(error->message, ==,
                    "Creating VM 'guest-1' was cancelled. Nothing was left behind.");
}

int
main(int argc, char *argv[])
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    svirt_engine_init_libvirt();
    dir = svm_test_make_vm_dir("svm-create");
    image = g_build_filename(dir, "disk.img", NULL);
    image2 = g_build_filename(dir, "data.img", NULL);
    iso = g_build_filename(dir, "cd.iso", NULL);
    subdir = g_build_filename(dir, "sub", NULL);
    svm_test_write_blank_image(image, 4096);
    svm_test_write_blank_image(image2, 4096);
    svm_test_write_blank_image(iso, 4096);
    g_mkdir(subdir, 0755);

    for (guint i = 0; i < G_N_ELEMENTS(refusals); i++) {
        g_autofree char *path = g_strdup_printf("/create/validate/refuse/%s", refusals[i].name);

        g_test_add_data_func(path, &refusals[i], test_validate_refusal);
    }
    g_test_add_func("/create/validate/accepts", test_validate_accepts);
    g_test_add_func("/create/xml/iso-and-designations", test_xml_iso_and_designations);
    g_test_add_func("/create/xml/boot-image-and-network", test_xml_boot_image_and_network);
    g_test_add_func("/create/xml/escapes", test_xml_escapes);
    g_test_add_func("/create/xml/display", test_xml_display);
    g_test_add_func("/create/xml/headless", test_xml_headless);
    g_test_add_func("/create/display-kind", test_display_kind_parse);
    g_test_add_func("/create/xml/volume-count", test_xml_volume_count);
    g_test_add_func("/create/preview/dynamic", test_preview_dynamic);
    g_test_add_func("/create/preview/static", test_preview_static);
    g_test_add_func("/create/preview/static-no-relabel", test_preview_static_no_relabel);
    g_test_add_func("/create/volume-names", test_volume_names);
    g_test_add_func("/create/spec-copy", test_spec_copy);
    g_test_add_func("/create/name/syntax", test_name_syntax);
    g_test_add_func("/create/name/in-use", test_name_in_use);
    for (guint i = 0; i < G_N_ELEMENTS(clash_cases); i++) {
        g_autofree char *path = g_strdup_printf("/create/clash/%s", clash_cases[i].name);

        g_test_add_data_func(path, &clash_cases[i], test_clash);
    }
    g_test_add_func("/create/clash/new-volume", test_clash_new_volume);
    g_test_add_func("/create/path-users", test_path_users);
    g_test_add_func("/create/cancelled-before", test_cancelled_before);
    ret = g_test_run();
    g_rmdir(subdir);
    svm_test_rmdir(dir);
    return ret;
}
