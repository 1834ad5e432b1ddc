#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "svirt-error.h"
#include "svirt-plan.h"
#include "svm-test-fixture.h"
#include "svm-test-vm.h"

#define PROCESS "system_u:system_r:svirt_t:s0"
#define TCG_PROCESS "system_u:system_r:svirt_tcg_t:s0"
#define IMAGE "system_u:object_r:svirt_image_t:s0"
#define CONTENT "system_u:object_r:virt_content_t:s0"
#define LEVEL "s0:c1,c2"
#define PRIVATE_LABEL IMAGE ":c1,c2"
#define STATIC_LABEL "system_u:system_r:svirt_t:s0:c10,c20"
#define STATIC_IMAGE IMAGE ":c10,c20"

typedef struct {
    char *dir;
    SvirtPolicyTypes *types;
} Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data)
{
    f->dir = svm_test_make_dir("svm-plan");
    /* Distinct process and TCG types show which one a plan uses. */
    f->types = svirt_policy_types_new_builtin();
    g_free(f->types->tcg_process);
    f->types->tcg_process = g_strdup(TCG_PROCESS);
    g_free(f->types->content);
    f->types->content = g_strdup(CONTENT);
}

static void
remove_tree(const char *path)
{
    if (g_file_test(path, G_FILE_TEST_IS_DIR) && !g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
        g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
        const char *name;

        while (dir && (name = g_dir_read_name(dir))) {
            g_autofree char *child = g_build_filename(path, name, NULL);

            remove_tree(child);
        }
        g_assert_cmpint(g_rmdir(path), ==, 0);
    } else {
        g_assert_cmpint(g_unlink(path), ==, 0);
    }
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
    remove_tree(f->dir);
    g_free(f->dir);
    svirt_policy_types_free(f->types);
}

/* "@/" in test strings stands for the test's directory. */
static char *
expand(const Fixture *f, const char *text)
{
    g_autoptr(GString) s = g_string_new(text);
    g_autofree char *prefix = g_strconcat(f->dir, "/", NULL);

    g_string_replace(s, "@/", prefix, 0);
    return g_string_free(g_steal_pointer(&s), FALSE);
}

static char *
domain_xml(const Fixture *f, const char *virt_type, const char *os, const char *devices)
{
    g_autofree char *xml = g_strdup_printf(
        "<domain type='%s'><name>plan-vm</name>"
        "<uuid>2f8a6b4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b</uuid>"
        "<memory unit='MiB'>64</memory>"
        "<os><type arch='x86_64' machine='pc'>hvm</type>%s</os>"
        "<devices>%s</devices></domain>",
        virt_type, os ? os : "", devices ? devices : "");

    return expand(f, xml);
}

typedef struct {
    const char *path; /* NULL ends the list */
    SvirtPlanKind kind;
    SvirtDesignation designation;
    const char *target;
    const char *reason; /* a part of the reason, NULL when there must be none */
    gboolean warning;
} Row;

#define MAX_ROWS 20

static const char *
expected_label(SvirtDesignation designation, const char *private_label)
{
    switch (designation) {
    case SVIRT_DESIGNATION_PRIVATE:
        return private_label;
    case SVIRT_DESIGNATION_SHARED:
        return IMAGE;
    case SVIRT_DESIGNATION_READONLY:
    case SVIRT_DESIGNATION_CONTENT:
        return CONTENT;
    case SVIRT_DESIGNATION_SKIPPED:
    default:
        return NULL;
    }
}

static void
assert_rows(const Fixture *f, const SvirtPlan *plan, const Row *rows, const char *private_label)
{
    guint n = 0;

    for (guint i = 0; i < plan->items->len; i++) {
        const SvirtPlanItem *item = g_ptr_array_index(plan->items, i);

        g_test_message("  %s %s %s %s [%s]%s", item->path, svirt_plan_kind_to_string(item->kind),
                       svirt_designation_to_string(item->designation),
                       item->label ? item->label : "-", item->reason ? item->reason : "",
                       item->warning ? " (warning)" : "");
    }
    for (; rows[n].path; n++) {
        const Row *r = &rows[n];
        const SvirtPlanItem *item;
        g_autofree char *path = expand(f, r->path);

        g_assert_cmpuint(n, <, plan->items->len);
        item = g_ptr_array_index(plan->items, n);
        g_assert_cmpstr(item->path, ==, path);
        g_assert_cmpstr(svirt_plan_kind_to_string(item->kind), ==,
                        svirt_plan_kind_to_string(r->kind));
        g_assert_cmpstr(svirt_designation_to_string(item->designation), ==,
                        svirt_designation_to_string(r->designation));
        g_assert_cmpstr(item->label, ==, expected_label(r->designation, private_label));
        g_assert_cmpint(item->restore, ==, r->designation != SVIRT_DESIGNATION_SKIPPED);
        g_assert_cmpstr(item->target, ==, r->target);
        if (r->reason) {
            g_assert_nonnull(item->reason);
            g_assert_nonnull(strstr(item->reason, r->reason));
        } else {
            g_assert_null(item->reason);
        }
        g_assert_cmpint(item->warning, ==, r->warning);
    }
    g_assert_cmpuint(plan->items->len, ==, n);
}

typedef struct {
    const char *name;
    const char *os;
    const char *devices;
    const char *no_relabel_disk; /* a per-disk override in the VM's settings */
    Row rows[MAX_ROWS];
} RuleCase;

#define DISK(attrs, inner) "<disk " attrs ">" inner "</disk>"

static const RuleCase rule_cases[] = {
    { "private", NULL,
      DISK("type='file' device='disk'", "<source file='/vm/a.img'/><target dev='vda'/>"), NULL,
      { { "/vm/a.img", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_PRIVATE, "vda" } } },
    { "shareable", NULL,
      DISK("type='file' device='disk'",
           "<source file='/vm/shared.img'/><target dev='vdb'/><shareable/>"), NULL,
      { { "/vm/shared.img", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_SHARED, "vdb" } } },
    { "readonly", NULL,
      DISK("type='file' device='disk'",
           "<source file='/vm/ro.img'/><target dev='vdc'/><readonly/>"), NULL,
      { { "/vm/ro.img", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_READONLY, "vdc" } } },
    { "readonly-and-shareable", NULL,
      DISK("type='file'", "<source file='/vm/ro.img'/><target dev='vdc'/><readonly/>"
                          "<shareable/>"), NULL,
      { { "/vm/ro.img", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_READONLY, "vdc" } } },
    { "cdrom", NULL,
      DISK("type='file' device='cdrom'", "<source file='/iso/debian.iso'/><target dev='hdc'/>"),
      NULL, { { "/iso/debian.iso", SVIRT_PLAN_KIND_CDROM, SVIRT_DESIGNATION_READONLY, "hdc" } } },
    { "empty-cdrom", NULL, DISK("type='file' device='cdrom'", "<target dev='hdc'/>"), NULL,
      { { NULL } } },
    { "floppy", NULL,
      DISK("type='file' device='floppy'", "<source file='/vm/fd.img'/><target dev='fda'/>"),
      NULL, { { "/vm/fd.img", SVIRT_PLAN_KIND_FLOPPY, SVIRT_DESIGNATION_PRIVATE, "fda" } } },
    { "block", NULL,
      DISK("type='block' device='disk'", "<source dev='/dev/vg0/vm'/><target dev='vda'/>"),
      NULL, { { "/dev/vg0/vm", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_PRIVATE, "vda" } } },
    { "default-type-is-file", NULL, DISK("device='disk'",
                                         "<source file='/vm/a.img'/><target dev='vda'/>"),
      NULL, { { "/vm/a.img", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_PRIVATE, "vda" } } },
    { "disk-relabel-no", NULL,
      DISK("type='file'", "<source file='/vm/a.img'><seclabel model='selinux' relabel='no'/>"
                          "</source><target dev='vda'/>"), NULL,
      { { "/vm/a.img", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_SKIPPED, "vda",
          "relabel='no' on the disk" } } },
    { "disk-relabel-no-any-model", NULL,
      DISK("type='file'", "<source file='/vm/a.img'><seclabel relabel='no'/></source>"
                          "<target dev='vda'/>"), NULL,
      { { "/vm/a.img", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_SKIPPED, "vda",
          "relabel='no' on the disk" } } },
    { "disk-relabel-no-dac-only", NULL,
      DISK("type='file'", "<source file='/vm/a.img'><seclabel model='dac' relabel='no'/>"
                          "</source><target dev='vda'/>"), NULL,
      { { "/vm/a.img", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_PRIVATE, "vda" } } },
    { "settings-disk-override", NULL,
      DISK("type='file'", "<source file='/vm/a.img'/><target dev='vda'/>")
      DISK("type='file'", "<source file='/vm/b.img'/><target dev='vdb'/>"), "vdb",
      { { "/vm/a.img", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_PRIVATE, "vda" },
        { "/vm/b.img", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_SKIPPED, "vdb",
          "relabel off for this disk in the VM's security settings" } } },
    { "network", NULL,
      DISK("type='network' device='disk'",
           "<source protocol='rbd' name='pool/image'><host name='mon1' port='6789'/></source>"
           "<target dev='vda'/>"), NULL,
      { { "rbd://mon1/pool/image", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_SKIPPED, "vda",
          "network disk" } } },
    { "directory", NULL,
      DISK("type='dir' device='disk'", "<source dir='/srv/fat'/><target dev='hda'/>"), NULL,
      { { "/srv/fat", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_SKIPPED, "hda",
          "directory-backed disk", TRUE } } },
    { "volume", NULL,
      DISK("type='volume' device='disk'", "<source pool='default' volume='vm.qcow2'/>"
                                          "<target dev='vda'/>"), NULL,
      { { "default/vm.qcow2", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_SKIPPED, "vda",
          "storage volume: resolved at start" } } },
    { "nvme", NULL,
      DISK("type='nvme' device='disk'", "<source type='pci' managed='yes' namespace='1'>"
                                        "<address domain='0' bus='1' slot='0' function='0'/>"
                                        "</source><target dev='vde'/>"), NULL,
      { { "nvme", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_SKIPPED, "vde",
          "disk type 'nvme' is not labelled" } } },
    { "kernel-initrd-dtb",
      "<kernel>/boot/vmlinuz-vm</kernel><initrd>/boot/initrd-vm</initrd><dtb>/boot/vm.dtb</dtb>"
      "<cmdline>console=ttyS0</cmdline>",
      DISK("type='file'", "<source file='/vm/a.img'/><target dev='vda'/>"), NULL,
      { { "/boot/vmlinuz-vm", SVIRT_PLAN_KIND_KERNEL, SVIRT_DESIGNATION_CONTENT },
        { "/boot/initrd-vm", SVIRT_PLAN_KIND_INITRD, SVIRT_DESIGNATION_CONTENT },
        { "/boot/vm.dtb", SVIRT_PLAN_KIND_DTB, SVIRT_DESIGNATION_CONTENT },
        { "/vm/a.img", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_PRIVATE, "vda" } } },
    { "serial-file-and-its-console", NULL,
      "<serial type='file'><source path='/var/log/vm.log'/><target port='0'/></serial>"
      "<console type='file'><source path='/var/log/vm.log'/><target type='serial'/></console>",
      NULL,
      { { "/var/log/vm.log", SVIRT_PLAN_KIND_SERIAL_FILE, SVIRT_DESIGNATION_PRIVATE } } },
    { "serial-pipe", NULL,
      "<serial type='pipe'><source path='@/nopipe'/><target port='0'/></serial>", NULL,
      { { "@/nopipe", SVIRT_PLAN_KIND_SERIAL_PIPE, SVIRT_DESIGNATION_PRIVATE } } },
    { "serial-pipe-in-out", NULL,
      "<serial type='pipe'><source path='@/pipe'/><target port='0'/></serial>", NULL,
      { { "@/pipe.in", SVIRT_PLAN_KIND_SERIAL_PIPE, SVIRT_DESIGNATION_PRIVATE },
        { "@/pipe.out", SVIRT_PLAN_KIND_SERIAL_PIPE, SVIRT_DESIGNATION_PRIVATE } } },
    { "unix-socket-channel", NULL,
      "<channel type='unix'><source mode='bind' path='/run/vm/agent.sock'/>"
      "<target type='virtio' name='org.qemu.guest_agent.0'/></channel>", NULL,
      { { "/run/vm/agent.sock", SVIRT_PLAN_KIND_SERIAL_SOCKET, SVIRT_DESIGNATION_PRIVATE } } },
    { "serial-relabel-no", NULL,
      "<serial type='file'><source path='/var/log/vm.log'><seclabel model='selinux' "
      "relabel='no'/></source></serial>", NULL,
      { { "/var/log/vm.log", SVIRT_PLAN_KIND_SERIAL_FILE, SVIRT_DESIGNATION_SKIPPED, NULL,
          "relabel='no' on the device" } } },
    { "display-socket", NULL,
      "<graphics type='vnc'><listen type='socket' socket='/run/vm/vnc.sock'/></graphics>", NULL,
      { { "/run/vm", SVIRT_PLAN_KIND_DISPLAY_SOCKET, SVIRT_DESIGNATION_PRIVATE, NULL,
          "display socket /run/vm/vnc.sock" } } },
    { "display-socket-attribute", NULL,
      "<graphics type='spice' socket='/run/vm2/spice.sock'/>", NULL,
      { { "/run/vm2", SVIRT_PLAN_KIND_DISPLAY_SOCKET, SVIRT_DESIGNATION_PRIVATE, NULL,
          "display socket /run/vm2/spice.sock" } } },
    { "display-socket-by-libvirtd", NULL,
      "<graphics type='vnc'><listen type='socket'/></graphics>", NULL,
      { { "display socket chosen by libvirtd", SVIRT_PLAN_KIND_DISPLAY_SOCKET,
          SVIRT_DESIGNATION_SKIPPED, NULL, "<listen type='none'/>", TRUE } } },
    { "displays-without-files", NULL,
      "<graphics type='vnc'><listen type='none'/></graphics>"
      "<graphics type='spice' listen='0.0.0.0'><listen type='address' address='0.0.0.0'/>"
      "</graphics><graphics type='sdl' display=':0'/>", NULL,
      { { NULL } } },
    { "pty-and-tcp-serials", NULL,
      "<serial type='pty'><target port='0'/></serial>"
      "<serial type='tcp'><source mode='bind' host='127.0.0.1' service='4555'/></serial>", NULL,
      { { NULL } } },
    { "usb-hostdev", NULL,
      "<hostdev mode='subsystem' type='usb'><source><address bus='1' device='2'/></source>"
      "</hostdev>", NULL,
      { { "/dev/bus/usb/001/002", SVIRT_PLAN_KIND_HOSTDEV, SVIRT_DESIGNATION_PRIVATE } } },
    { "usb-hostdev-by-id", NULL,
      "<hostdev mode='subsystem' type='usb'><source><vendor id='0x1234'/>"
      "<product id='0xbeef'/></source></hostdev>", NULL,
      { { "usb", SVIRT_PLAN_KIND_HOSTDEV, SVIRT_DESIGNATION_SKIPPED, NULL,
          "resolved at start" } } },
    { "pci-hostdev-absent", NULL,
      "<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0xffff' "
      "bus='0xff' slot='0x1f' function='0x7'/></source></hostdev>", NULL,
      { { "pci:ffff:ff:1f.7", SVIRT_PLAN_KIND_HOSTDEV, SVIRT_DESIGNATION_SKIPPED, NULL,
          "not on this host", TRUE } } },
    { "scsi-hostdev", NULL,
      "<hostdev mode='subsystem' type='scsi'><source><adapter name='scsi_host0'/>"
      "<address bus='0' target='0' unit='0'/></source></hostdev>", NULL,
      { { "scsi", SVIRT_PLAN_KIND_HOSTDEV, SVIRT_DESIGNATION_SKIPPED, NULL,
          "resolved at start" } } },
    { "document-order", NULL,
      "<serial type='file'><source path='/var/log/vm.log'/></serial>"
      DISK("type='file' device='cdrom'", "<source file='/iso/a.iso'/><target dev='hdc'/>")
      DISK("type='file'", "<source file='/vm/a.img'/><target dev='vda'/>"), NULL,
      { { "/var/log/vm.log", SVIRT_PLAN_KIND_SERIAL_FILE, SVIRT_DESIGNATION_PRIVATE },
        { "/iso/a.iso", SVIRT_PLAN_KIND_CDROM, SVIRT_DESIGNATION_READONLY, "hdc" },
        { "/vm/a.img", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_PRIVATE, "vda" } } },
};

static SvirtPlan *
build_plan(const Fixture *f, const char *xml, const SvirtSettings *settings, const char *level)
{
    g_autoptr(GError) error = NULL;
    SvirtPlan *plan = svirt_plan_build(xml, settings, f->types, level, &error);

    g_assert_no_error(error);
    g_assert_nonnull(plan);
    return plan;
}

static void
test_rules(Fixture *f, gconstpointer data)
{
    g_autofree char *in = g_build_filename(f->dir, "pipe.in", NULL);
    g_autofree char *out = g_build_filename(f->dir, "pipe.out", NULL);

    g_assert_true(g_file_set_contents(in, "", 0, NULL));
    g_assert_true(g_file_set_contents(out, "", 0, NULL));
    for (gsize i = 0; i < G_N_ELEMENTS(rule_cases); i++) {
        const RuleCase *c = &rule_cases[i];
        g_autoptr(SvirtSettings) settings = svirt_settings_new();
        g_autofree char *xml = domain_xml(f, "kvm", c->os, c->devices);
        g_autoptr(SvirtPlan) plan = NULL;

        g_test_message("case %s", c->name);
        if (c->no_relabel_disk)
            g_ptr_array_add(settings->no_relabel_disks, g_strdup(c->no_relabel_disk));
        plan = build_plan(f, xml, settings, LEVEL);
        g_assert_cmpstr(plan->vm_name, ==, "plan-vm");
        g_assert_cmpstr(plan->vm_uuid, ==, "2f8a6b4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b");
        g_assert_cmpint(plan->mode, ==, SVIRT_SECURITY_MODE_DYNAMIC);
        g_assert_cmpstr(plan->level, ==, LEVEL);
        g_assert_cmpstr(plan->process_label, ==, PROCESS ":c1,c2");
        assert_rows(f, plan, c->rows, PRIVATE_LABEL);
    }
}

static void
test_disk_custom_label(Fixture *f, gconstpointer data)
{
    g_autoptr(SvirtSettings) settings = svirt_settings_new();
    g_autofree char *xml = domain_xml(
        f, "kvm", NULL,
        DISK("type='file'", "<source file='/vm/a.img'><seclabel model='selinux' relabel='yes'>"
                            "<label>system_u:object_r:my_image_t:s0:c7,c5</label></seclabel>"
                            "</source><target dev='vda'/>"));
    g_autofree char *bad = domain_xml(
        f, "kvm", NULL,
        DISK("type='file'", "<source file='/vm/a.img'><seclabel model='selinux'>"
                            "<label>system_u:object_r:my_image_t:s0:c2000</label></seclabel>"
                            "</source><target dev='vda'/>"));
    g_autoptr(SvirtPlan) plan = build_plan(f, xml, settings, LEVEL);
    g_autoptr(GError) error = NULL;
    const SvirtPlanItem *item;

    g_assert_cmpuint(plan->items->len, ==, 1);
    item = g_ptr_array_index(plan->items, 0);
    g_assert_cmpint(item->designation, ==, SVIRT_DESIGNATION_PRIVATE);
    g_assert_cmpstr(item->label, ==, "system_u:object_r:my_image_t:s0:c5,c7");
    g_assert_nonnull(strstr(item->reason, "<seclabel>"));
    g_clear_pointer(&plan, svirt_plan_free);

    /* The same for a serial log. */
    g_free(xml);
    xml = domain_xml(f, "kvm", NULL,
                     "<serial type='file'><source path='/var/log/vm.log'><seclabel "
                     "model='selinux'><label>system_u:object_r:my_log_t:s0</label></seclabel>"
                     "</source></serial>");
    plan = build_plan(f, xml, settings, LEVEL);
    g_assert_cmpuint(plan->items->len, ==, 1);
    item = g_ptr_array_index(plan->items, 0);
    g_assert_cmpint(item->designation, ==, SVIRT_DESIGNATION_PRIVATE);
    g_assert_cmpstr(item->label, ==, "system_u:object_r:my_log_t:s0");

    g_assert_null(svirt_plan_build(bad, settings, f->types, LEVEL, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT);
    g_test_message("%s", error->message);
    g_assert_nonnull(strstr(error->message, "disk vda"));
    g_assert_nonnull(strstr(error->message, "plan-vm"));
    g_assert_nonnull(strstr(error->message, "c2000"));
}

/* One VM with one object of each designation, under every mode. */
#define MIXED_DEVICES                                                                         \
    DISK("type='file'", "<source file='/vm/a.img'/><target dev='vda'/>")                      \
    DISK("type='file'", "<source file='/vm/shared.img'/><target dev='vdb'/><shareable/>")     \
    DISK("type='file'", "<source file='/vm/ro.img'/><target dev='vdc'/><readonly/>")          \
    DISK("type='network'", "<source protocol='nbd' name='x'><host name='nbd1'/></source>"     \
                           "<target dev='vdd'/>")                                             \
    "<serial type='file'><source path='/var/log/vm.log'/></serial>"
#define MIXED_OS "<kernel>/boot/vmlinuz</kernel>"

typedef struct {
    const char *name;
    const char *virt_type;
    SvirtSecurityMode mode;
    const char *label;
    gboolean relabel;
    const char *level;
    const char *plan_level;
    const char *process;
    const char *private_label;
    const char *vm_reason; /* every object skipped for this reason */
    const char *baselabel;
} ModeCase;

static const ModeCase mode_cases[] = {
    { "dynamic", "kvm", SVIRT_SECURITY_MODE_DYNAMIC, NULL, TRUE, LEVEL, LEVEL, PROCESS ":c1,c2",
      PRIVATE_LABEL, NULL },
    { "dynamic-other-pair", "kvm", SVIRT_SECURITY_MODE_DYNAMIC, NULL, TRUE, "s0:c1000,c1023",
      "s0:c1000,c1023", PROCESS ":c1000,c1023", IMAGE ":c1000,c1023", NULL },
    { "dynamic-tcg", "qemu", SVIRT_SECURITY_MODE_DYNAMIC, NULL, TRUE, LEVEL, LEVEL,
      TCG_PROCESS ":c1,c2", PRIVATE_LABEL, NULL },
    /* libvirt's <baselabel>: its user, role and type, with the allocated pair. */
    { "dynamic-baselabel", "kvm", SVIRT_SECURITY_MODE_DYNAMIC, NULL, TRUE, LEVEL, LEVEL,
      "staff_u:staff_r:my_vm_t:s0:c1,c2", PRIVATE_LABEL, NULL, "staff_u:staff_r:my_vm_t:s0:c7" },
    { "dynamic-baselabel-tcg", "qemu", SVIRT_SECURITY_MODE_DYNAMIC, NULL, TRUE, LEVEL, LEVEL,
      "staff_u:staff_r:my_vm_t:s0:c1,c2", PRIVATE_LABEL, NULL, "staff_u:staff_r:my_vm_t" },
    { "static-relabel", "kvm", SVIRT_SECURITY_MODE_STATIC, STATIC_LABEL, TRUE, LEVEL,
      "s0:c10,c20", STATIC_LABEL, STATIC_IMAGE, NULL },
    { "static-range-relabel", "kvm", SVIRT_SECURITY_MODE_STATIC,
      "system_u:system_r:svirt_t:s0-s0:c3,c4", TRUE, NULL, "s0:c3,c4",
      "system_u:system_r:svirt_t:s0-s0:c3,c4", IMAGE ":c3,c4", NULL },
    { "static-no-relabel", "kvm", SVIRT_SECURITY_MODE_STATIC, STATIC_LABEL, FALSE, LEVEL,
      "s0:c10,c20", STATIC_LABEL, NULL, "static label, relabel off" },
    { "none", "kvm", SVIRT_SECURITY_MODE_NONE, NULL, TRUE, LEVEL, NULL, NULL, NULL,
      "security mode none" },
};

static void
test_modes(Fixture *f, gconstpointer data)
{
    for (gsize i = 0; i < G_N_ELEMENTS(mode_cases); i++) {
        const ModeCase *c = &mode_cases[i];
        g_autoptr(SvirtSettings) settings = svirt_settings_new();
        g_autofree char *xml = domain_xml(f, c->virt_type, MIXED_OS, MIXED_DEVICES);
        g_autoptr(SvirtPlan) plan = NULL;
        const SvirtDesignation natural[] = {
            SVIRT_DESIGNATION_CONTENT, SVIRT_DESIGNATION_PRIVATE, SVIRT_DESIGNATION_SHARED,
            SVIRT_DESIGNATION_READONLY, SVIRT_DESIGNATION_SKIPPED, SVIRT_DESIGNATION_PRIVATE,
        };
        const char *paths[] = {
            "/boot/vmlinuz", "/vm/a.img", "/vm/shared.img", "/vm/ro.img", "nbd://nbd1/x",
            "/var/log/vm.log",
        };

        g_test_message("case %s", c->name);
        g_assert_true(svirt_settings_set_mode(settings, c->mode, c->label, c->relabel, NULL));
        g_assert_true(svirt_settings_set_baselabel(settings, c->baselabel, NULL));
        plan = build_plan(f, xml, settings, c->level);
        g_assert_cmpint(plan->mode, ==, c->mode);
        g_assert_cmpstr(plan->level, ==, c->plan_level);
        g_assert_cmpstr(plan->process_label, ==, c->process);
        g_assert_cmpuint(plan->items->len, ==, G_N_ELEMENTS(paths));
        for (guint j = 0; j < plan->items->len; j++) {
            const SvirtPlanItem *item = g_ptr_array_index(plan->items, j);
            SvirtDesignation want = c->vm_reason ? SVIRT_DESIGNATION_SKIPPED : natural[j];

            g_assert_cmpstr(item->path, ==, paths[j]);
            g_assert_cmpint(item->designation, ==, want);
            g_assert_cmpstr(item->label, ==, expected_label(want, c->private_label));
            g_assert_cmpint(item->restore, ==, want != SVIRT_DESIGNATION_SKIPPED);
            if (c->vm_reason)
                g_assert_nonnull(strstr(item->reason, c->vm_reason));
        }
    }
}

static void
test_bad_input(Fixture *f, gconstpointer data)
{
    g_autoptr(SvirtSettings) settings = svirt_settings_new();
    g_autoptr(SvirtSettings) invalid = svirt_settings_new();
    g_autofree char *xml = domain_xml(f, "kvm", NULL, NULL);
    static const struct {
        const char *xml;
        const char *level;
        int code;
    } cases[] = {
        { NULL, NULL, SVIRT_ERROR_FAILED },
        { NULL, "s0:c1024", SVIRT_ERROR_INVALID_RANGE },
        { "<network/>", LEVEL, SVIRT_ERROR_FAILED },
        { "not xml", LEVEL, SVIRT_ERROR_FAILED },
        { "", LEVEL, SVIRT_ERROR_FAILED },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;

        g_assert_null(svirt_plan_build(cases[i].xml ? cases[i].xml : xml, settings, f->types,
                                       cases[i].level, &error));
        g_assert_nonnull(error);
        g_test_message("%s", error->message);
        g_assert_true(error->domain == SVIRT_ERROR);
        if (cases[i].code != SVIRT_ERROR_INVALID_RANGE)
            g_assert_cmpint(error->code, ==, cases[i].code);
    }

    /* Settings that could not have been stored are refused too. */
    invalid->relabel = FALSE;
    {
        g_autoptr(GError) error = NULL;

        g_assert_null(svirt_plan_build(xml, invalid, f->types, LEVEL, &error));
        g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_SETTINGS);
    }
}

static void
put32(guint8 *p, guint32 v)
{
    v = GUINT32_TO_BE(v);
    memcpy(p, &v, 4);
}

static void
put64(guint8 *p, guint64 v)
{
    v = GUINT64_TO_BE(v);
    memcpy(p, &v, 8);
}

#define QCOW2_NAME_OFFSET 1024
#define QCOW2_FILE_SIZE 8192

/* A qcow2 header as QEMU writes it: @backing at a fixed offset, @format in the backing format
 * header extension. */
static void
write_qcow2(const Fixture *f, const char *name, guint version, const char *backing,
            const char *format)
{
    g_autofree guint8 *buf = g_malloc0(QCOW2_FILE_SIZE);
    g_autofree char *path = g_build_filename(f->dir, name, NULL);
    g_autoptr(GError) error = NULL;
    guint off = version == 3 ? 104 : 72;

    put32(buf, 0x514649fb);
    put32(buf + 4, version);
    if (backing) {
        g_assert_cmpuint(strlen(backing), <, QCOW2_FILE_SIZE - QCOW2_NAME_OFFSET);
        put64(buf + 8, QCOW2_NAME_OFFSET);
        put32(buf + 16, strlen(backing));
        memcpy(buf + QCOW2_NAME_OFFSET, backing, strlen(backing));
    }
    put32(buf + 20, 16);
    put64(buf + 24, G_GUINT64_CONSTANT(1) << 30);
    if (version == 3) {
        put32(buf + 96, 4);
        put32(buf + 100, 104);
    }
    if (format) {
        put32(buf + off, 0xe2792aca);
        put32(buf + off + 4, strlen(format));
        memcpy(buf + off + 8, format, strlen(format));
        off += 8 + ((strlen(format) + 7) & ~7U);
    }
    put32(buf + off, 0);
    put32(buf + off + 4, 0);
    g_assert_true(g_file_set_contents(path, (const char *)buf, QCOW2_FILE_SIZE, &error));
    g_assert_no_error(error);
}

static void
write_raw(const Fixture *f, const char *name)
{
    g_autofree char *path = g_build_filename(f->dir, name, NULL);

    g_assert_true(g_file_set_contents(path, "plain raw data, no header", -1, NULL));
}

static void
make_subdir(const Fixture *f, const char *name)
{
    g_autofree char *path = g_build_filename(f->dir, name, NULL);

    g_assert_cmpint(g_mkdir(path, 0700), ==, 0);
}

typedef void (*ChainSetup)(const Fixture *f);

typedef struct {
    const char *name;
    ChainSetup setup;
    const char *disk; /* inside <disk type='file'>, the target is added */
    Row rows[MAX_ROWS];
} ChainCase;

static void
chain_relative(const Fixture *f)
{
    g_autofree char *raw = g_build_filename(f->dir, "raw.img", NULL);

    write_qcow2(f, "top.qcow2", 3, "base.qcow2", "qcow2");
    write_qcow2(f, "base.qcow2", 3, raw, "raw");
    write_raw(f, "raw.img");
}

static void
chain_absolute_v2(const Fixture *f)
{
    g_autofree char *base = g_build_filename(f->dir, "images", "base.qcow2", NULL);

    make_subdir(f, "images");
    write_qcow2(f, "top.qcow2", 2, base, "qcow2");
    write_qcow2(f, "images/base.qcow2", 2, NULL, NULL);
}

static void
chain_relative_subdir(const Fixture *f)
{
    make_subdir(f, "a");
    make_subdir(f, "b");
    write_qcow2(f, "a/top.qcow2", 3, "../b/base.qcow2", "qcow2");
    write_qcow2(f, "b/base.qcow2", 3, "./root.qcow2", "qcow2");
    write_qcow2(f, "b/root.qcow2", 3, NULL, NULL);
}

/* A guest writes a qcow2 header into its raw disk, naming a host file. */
static void
chain_fake_header_in_raw(const Fixture *f)
{
    write_qcow2(f, "guest.raw", 3, "/etc/shadow", "qcow2");
}

static void
chain_raw_backing_with_fake_header(const Fixture *f)
{
    write_qcow2(f, "top.qcow2", 3, "evil.raw", "raw");
    write_qcow2(f, "evil.raw", 3, "/etc/shadow", "qcow2");
}

static void
chain_unknown_format(const Fixture *f)
{
    write_qcow2(f, "top.qcow2", 3, "base.img", NULL);
    write_qcow2(f, "base.img", 3, "/etc/shadow", NULL);
}

static void
chain_format_from_domain(const Fixture *f)
{
    write_qcow2(f, "top.qcow2", 3, "base.qcow2", NULL);
    write_qcow2(f, "base.qcow2", 3, "root.img", NULL);
    write_raw(f, "root.img");
}

static void
chain_loop(const Fixture *f)
{
    write_qcow2(f, "a.qcow2", 3, "b.qcow2", "qcow2");
    write_qcow2(f, "b.qcow2", 3, "a.qcow2", "qcow2");
}

static void
chain_self_loop_via_symlink(const Fixture *f)
{
    g_autofree char *link = g_build_filename(f->dir, "alias.qcow2", NULL);

    write_qcow2(f, "a.qcow2", 3, "alias.qcow2", "qcow2");
    g_assert_cmpint(symlink("a.qcow2", link), ==, 0);
}

static void
chain_missing(const Fixture *f)
{
    write_qcow2(f, "top.qcow2", 3, "gone.qcow2", "qcow2");
}

static void
chain_protocol(const Fixture *f)
{
    write_qcow2(f, "top.qcow2", 3, "nbd://storage:10809/base", "raw");
}

static void
chain_not_qcow2(const Fixture *f)
{
    write_raw(f, "top.qcow2");
}

static void
chain_deep(const Fixture *f)
{
    for (guint i = 0; i <= SVIRT_PLAN_MAX_BACKING_DEPTH + 3; i++) {
        g_autofree char *name = g_strdup_printf("l%02u.qcow2", i);
        g_autofree char *next = g_strdup_printf("l%02u.qcow2", i + 1);

        write_qcow2(f, name, 3, next, "qcow2");
    }
}

static void
chain_readonly(const Fixture *f)
{
    write_qcow2(f, "top.qcow2", 3, "base.qcow2", "qcow2");
    write_qcow2(f, "base.qcow2", 3, NULL, NULL);
}

#define QCOW2_DRIVER "<driver name='qemu' type='qcow2'/>"

static const ChainCase chain_cases[] = {
    { "relative-then-raw", chain_relative, QCOW2_DRIVER "<source file='@/top.qcow2'/>",
      { { "@/top.qcow2", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_PRIVATE, "vda" },
        { "@/base.qcow2", SVIRT_PLAN_KIND_BACKING_FILE, SVIRT_DESIGNATION_CONTENT, "vda" },
        { "@/raw.img", SVIRT_PLAN_KIND_BACKING_FILE, SVIRT_DESIGNATION_CONTENT, "vda" } } },
    { "absolute-v2", chain_absolute_v2, QCOW2_DRIVER "<source file='@/top.qcow2'/>",
      { { "@/top.qcow2", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_PRIVATE, "vda" },
        { "@/images/base.qcow2", SVIRT_PLAN_KIND_BACKING_FILE, SVIRT_DESIGNATION_CONTENT,
          "vda" } } },
    { "relative-to-each-image", chain_relative_subdir, QCOW2_DRIVER
      "<source file='@/a/top.qcow2'/>",
      { { "@/a/top.qcow2", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_PRIVATE, "vda" },
        { "@/b/base.qcow2", SVIRT_PLAN_KIND_BACKING_FILE, SVIRT_DESIGNATION_CONTENT, "vda" },
        { "@/b/root.qcow2", SVIRT_PLAN_KIND_BACKING_FILE, SVIRT_DESIGNATION_CONTENT, "vda" } } },
    { "raw-with-fake-header", chain_fake_header_in_raw,
      "<driver name='qemu' type='raw'/><source file='@/guest.raw'/>",
      { { "@/guest.raw", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_PRIVATE, "vda" } } },
    { "undeclared-with-fake-header", chain_fake_header_in_raw, "<source file='@/guest.raw'/>",
      { { "@/guest.raw", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_PRIVATE, "vda" } } },
    { "raw-backing-with-fake-header", chain_raw_backing_with_fake_header,
      QCOW2_DRIVER "<source file='@/top.qcow2'/>",
      { { "@/top.qcow2", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_PRIVATE, "vda" },
        { "@/evil.raw", SVIRT_PLAN_KIND_BACKING_FILE, SVIRT_DESIGNATION_CONTENT, "vda" } } },
    { "unknown-backing-format", chain_unknown_format, QCOW2_DRIVER
      "<source file='@/top.qcow2'/>",
      { { "@/top.qcow2", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_PRIVATE, "vda" },
        { "@/base.img", SVIRT_PLAN_KIND_BACKING_FILE, SVIRT_DESIGNATION_CONTENT, "vda",
          "format not declared", TRUE } } },
    { "format-from-domain", chain_format_from_domain, QCOW2_DRIVER
      "<source file='@/top.qcow2'/>"
      "<backingStore type='file'><format type='qcow2'/><source file='@/base.qcow2'/>"
      "<backingStore type='file'><format type='raw'/><source file='@/root.img'/>"
      "<backingStore/></backingStore></backingStore>",
      { { "@/top.qcow2", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_PRIVATE, "vda" },
        { "@/base.qcow2", SVIRT_PLAN_KIND_BACKING_FILE, SVIRT_DESIGNATION_CONTENT, "vda" },
        { "@/root.img", SVIRT_PLAN_KIND_BACKING_FILE, SVIRT_DESIGNATION_CONTENT, "vda" } } },
    { "domain-names-another-file", chain_unknown_format, QCOW2_DRIVER
      "<source file='@/top.qcow2'/>"
      "<backingStore type='file'><format type='qcow2'/><source file='@/other.qcow2'/>"
      "</backingStore>",
      { { "@/top.qcow2", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_PRIVATE, "vda" },
        { "@/base.img", SVIRT_PLAN_KIND_BACKING_FILE, SVIRT_DESIGNATION_CONTENT, "vda",
          "format not declared", TRUE } } },
    { "formats-disagree", chain_raw_backing_with_fake_header, QCOW2_DRIVER
      "<source file='@/top.qcow2'/>"
      "<backingStore type='file'><format type='qcow2'/><source file='@/evil.raw'/>"
      "</backingStore>",
      { { "@/top.qcow2", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_PRIVATE, "vda" },
        { "@/evil.raw", SVIRT_PLAN_KIND_BACKING_FILE, SVIRT_DESIGNATION_CONTENT, "vda",
          "the image says format raw, the VM definition qcow2", TRUE } } },
    { "loop", chain_loop, QCOW2_DRIVER "<source file='@/a.qcow2'/>",
      { { "@/a.qcow2", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_PRIVATE, "vda" },
        { "@/b.qcow2", SVIRT_PLAN_KIND_BACKING_FILE, SVIRT_DESIGNATION_CONTENT, "vda" },
        { "@/a.qcow2", SVIRT_PLAN_KIND_BACKING_FILE, SVIRT_DESIGNATION_SKIPPED, "vda",
          "loops back", TRUE } } },
    { "loop-through-symlink", chain_self_loop_via_symlink, QCOW2_DRIVER
      "<source file='@/a.qcow2'/>",
      { { "@/a.qcow2", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_PRIVATE, "vda" },
        { "@/alias.qcow2", SVIRT_PLAN_KIND_BACKING_FILE, SVIRT_DESIGNATION_SKIPPED, "vda",
          "loops back", TRUE } } },
    { "missing-backing-file", chain_missing, QCOW2_DRIVER "<source file='@/top.qcow2'/>",
      { { "@/top.qcow2", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_PRIVATE, "vda" },
        { "@/gone.qcow2", SVIRT_PLAN_KIND_BACKING_FILE, SVIRT_DESIGNATION_SKIPPED, "vda",
          "backing file not found", TRUE } } },
    { "protocol-backing", chain_protocol, QCOW2_DRIVER "<source file='@/top.qcow2'/>",
      { { "@/top.qcow2", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_PRIVATE, "vda" },
        { "nbd://storage:10809/base", SVIRT_PLAN_KIND_BACKING_FILE, SVIRT_DESIGNATION_SKIPPED,
          "vda", "not a local file" } } },
    { "declared-qcow2-but-raw", chain_not_qcow2, QCOW2_DRIVER "<source file='@/top.qcow2'/>",
      { { "@/top.qcow2", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_PRIVATE, "vda",
          "declared qcow2 but has no qcow2 header", TRUE } } },
    { "top-missing", NULL, QCOW2_DRIVER "<source file='@/nothing.qcow2'/>",
      { { "@/nothing.qcow2", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_PRIVATE, "vda",
          "cannot open it", TRUE } } },
    { "readonly-disk-chain", chain_readonly, QCOW2_DRIVER "<source file='@/top.qcow2'/>"
      "<readonly/>",
      { { "@/top.qcow2", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_READONLY, "vda" },
        { "@/base.qcow2", SVIRT_PLAN_KIND_BACKING_FILE, SVIRT_DESIGNATION_CONTENT, "vda" } } },
    { "relabel-no-skips-chain", chain_readonly, QCOW2_DRIVER
      "<source file='@/top.qcow2'><seclabel model='selinux' relabel='no'/></source>",
      { { "@/top.qcow2", SVIRT_PLAN_KIND_DISK, SVIRT_DESIGNATION_SKIPPED, "vda",
          "relabel='no'" } } },
};

static void
test_chains(Fixture *f, gconstpointer data)
{
    for (gsize i = 0; i < G_N_ELEMENTS(chain_cases); i++) {
        const ChainCase *c = &chain_cases[i];
        g_autoptr(SvirtSettings) settings = svirt_settings_new();
        g_autofree char *disk =
            g_strdup_printf("<disk type='file' device='disk'>%s<target dev='vda'/></disk>",
                            c->disk);
        g_autofree char *xml = NULL;
        g_autoptr(SvirtPlan) plan = NULL;
        g_autoptr(GDir) dir = NULL;
        const char *name;

        g_test_message("case %s", c->name);
        /* Each case starts from an empty directory. */
        dir = g_dir_open(f->dir, 0, NULL);
        while ((name = g_dir_read_name(dir))) {
            g_autofree char *path = g_build_filename(f->dir, name, NULL);

            remove_tree(path);
        }
        if (c->setup)
            c->setup(f);
        xml = domain_xml(f, "kvm", NULL, disk);
        plan = build_plan(f, xml, settings, LEVEL);
        assert_rows(f, plan, c->rows, PRIVATE_LABEL);
    }
}

static void
test_chain_depth(Fixture *f, gconstpointer data)
{
    g_autoptr(SvirtSettings) settings = svirt_settings_new();
    g_autofree char *xml = NULL;
    g_autoptr(SvirtPlan) plan = NULL;
    const SvirtPlanItem *last;

    chain_deep(f);
    xml = domain_xml(f, "kvm", NULL,
                     "<disk type='file'>" QCOW2_DRIVER "<source file='@/l00.qcow2'/>"
                     "<target dev='vda'/></disk>");
    plan = build_plan(f, xml, settings, LEVEL);
    /* The image, SVIRT_PLAN_MAX_BACKING_DEPTH backing files, and the one not followed. */
    g_assert_cmpuint(plan->items->len, ==, SVIRT_PLAN_MAX_BACKING_DEPTH + 2);
    for (guint i = 1; i <= SVIRT_PLAN_MAX_BACKING_DEPTH; i++) {
        const SvirtPlanItem *item = g_ptr_array_index(plan->items, i);
        g_autofree char *name = g_strdup_printf("l%02u.qcow2", i);

        g_assert_true(g_str_has_suffix(item->path, name));
        g_assert_cmpint(item->designation, ==, SVIRT_DESIGNATION_CONTENT);
    }
    last = g_ptr_array_index(plan->items, plan->items->len - 1);
    g_assert_cmpint(last->designation, ==, SVIRT_DESIGNATION_SKIPPED);
    g_assert_nonnull(strstr(last->reason, "longer than 16"));
    g_assert_true(last->warning);
}

static void
test_chain_bad_headers(Fixture *f, gconstpointer data)
{
    static const struct {
        const char *name;
        guint version;
        guint32 name_size;
        gsize file_size;
        const char *reason;
    } cases[] = {
        { "version-1", 1, 4, 2048, "version 1" },
        { "name-too-long", 3, 5000, 2048, "invalid length" },
        { "name-past-end", 3, 1000, 1500, "cannot be read" },
    };
    g_autofree char *path = g_build_filename(f->dir, "top.qcow2", NULL);

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(SvirtSettings) settings = svirt_settings_new();
        g_autofree char *xml = NULL;
        g_autoptr(SvirtPlan) plan = NULL;
        g_autofree guint8 *buf = g_malloc0(2048);
        const SvirtPlanItem *item;

        g_test_message("case %s", cases[i].name);
        put32(buf, 0x514649fb);
        put32(buf + 4, cases[i].version);
        put64(buf + 8, 1024);
        put32(buf + 16, cases[i].name_size);
        put32(buf + 20, 16);
        put32(buf + 100, 104);
        memset(buf + 1024, 'a', 1024);
        g_assert_true(g_file_set_contents(path, (const char *)buf, cases[i].file_size, NULL));
        xml = domain_xml(f, "kvm", NULL,
                         "<disk type='file'>" QCOW2_DRIVER "<source file='@/top.qcow2'/>"
                         "<target dev='vda'/></disk>");
        plan = build_plan(f, xml, settings, LEVEL);
        g_assert_cmpuint(plan->items->len, ==, 1);
        item = g_ptr_array_index(plan->items, 0);
        g_test_message("-> %s", item->reason);
        g_assert_nonnull(strstr(item->reason, cases[i].reason));
        g_assert_true(item->warning);
    }
}

static void
test_json(Fixture *f, gconstpointer data)
{
    g_autoptr(SvirtSettings) settings = svirt_settings_new();
    g_autofree char *xml = domain_xml(f, "kvm", MIXED_OS, MIXED_DEVICES);
    g_autoptr(SvirtPlan) plan = build_plan(f, xml, settings, LEVEL);
    g_autoptr(SvirtPlan) copy = svirt_plan_copy(plan);
    g_autoptr(JsonNode) root = svirt_plan_to_json(copy);
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autofree char *text = NULL;
    JsonObject *obj;
    JsonArray *items;

    /* Through text, as a script would see it. */
    json_generator_set_root(gen, root);
    text = json_generator_to_data(gen, NULL);
    g_assert_true(json_parser_load_from_data(parser, text, -1, NULL));
    obj = json_node_get_object(json_parser_get_root(parser));
    g_assert_cmpstr(json_object_get_string_member(obj, "vm"), ==, "plan-vm");
    g_assert_cmpstr(json_object_get_string_member(obj, "mode"), ==, "dynamic");
    g_assert_cmpstr(json_object_get_string_member(obj, "level"), ==, LEVEL);
    g_assert_cmpstr(json_object_get_string_member(obj, "process_label"), ==, PROCESS ":c1,c2");
    items = json_object_get_array_member(obj, "items");
    g_assert_cmpuint(json_array_get_length(items), ==, plan->items->len);
    for (guint i = 0; i < plan->items->len; i++) {
        const SvirtPlanItem *item = g_ptr_array_index(plan->items, i);
        JsonObject *row = json_array_get_object_element(items, i);

        g_assert_cmpstr(json_object_get_string_member(row, "path"), ==, item->path);
        g_assert_cmpstr(json_object_get_string_member(row, "kind"), ==,
                        svirt_plan_kind_to_string(item->kind));
        g_assert_cmpstr(json_object_get_string_member(row, "designation"), ==,
                        svirt_designation_to_string(item->designation));
        g_assert_cmpstr(json_object_get_string_member_with_default(row, "label", NULL), ==,
                        item->label);
        g_assert_cmpstr(json_object_get_string_member_with_default(row, "reason", NULL), ==,
                        item->reason);
        g_assert_cmpstr(json_object_get_string_member_with_default(row, "target", NULL), ==,
                        item->target);
        g_assert_cmpint(json_object_get_boolean_member(row, "restore"), ==, item->restore);
        g_assert_cmpint(json_object_get_boolean_member(row, "warning"), ==, item->warning);
    }
    /* The network disk is the one skipped row, with a null label. */
    g_assert_true(json_object_get_null_member(json_array_get_object_element(items, 4), "label"));
}

int
main(int argc, char *argv[])
{
    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_DEFAULT);
    g_test_init(&argc, &argv, NULL);
#define ADD(path, func) g_test_add(path, Fixture, NULL, fixture_setup, func, fixture_teardown)
    ADD("/plan/rules", test_rules);
    ADD("/plan/disk-custom-label", test_disk_custom_label);
    ADD("/plan/modes", test_modes);
    ADD("/plan/bad-input", test_bad_input);
    ADD("/plan/chains", test_chains);
    ADD("/plan/chain-depth", test_chain_depth);
    ADD("/plan/chain-bad-headers", test_chain_bad_headers);
    ADD("/plan/json", test_json);
#undef ADD
    return g_test_run();
}
