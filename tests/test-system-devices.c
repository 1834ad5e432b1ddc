#include "config.h"

#include <glib/gstdio.h>
#include <pwd.h>
#include <libvirt/virterror.h>
#include <string.h>
#include <unistd.h>

#include "svirt-devices.h"
#include "svirt-lifecycle.h"
#include "svm-test-fixture.h"
#include "svm-test-label.h"
#include "svm-test-util.h"
#include "svm-test-vm.h"

#define URI svm_test_uri()
/* The boot disk at hda, a blank private disk at vdb, the console on a pty. */
#define VM_FLAGS (SVM_TEST_VM_DATA | SVM_TEST_VM_PTY_CONSOLE)

/* The <disk> element of the persistent definition with target @target, NULL when none. */
static char *
persistent_disk(virConnectPtr conn, const char *uuid, const char *target)
{
    g_autoptr(virDomain) dom = virDomainLookupByUUIDString(conn, uuid);
    g_autofree char *xml = dom ? virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE) : NULL;
    g_autofree char *needle = g_strdup_printf("dev='%s'", target);
    g_auto(GStrv) parts = xml ? g_strsplit(xml, "<disk ", -1) : NULL;

    for (guint i = 1; parts && parts[i]; i++) {
        char *end = strstr(parts[i], "</disk>");

        if (end)
            *end = '\0';
        if (strstr(parts[i], needle))
            return g_strdup(parts[i]);
    }
    return NULL;
}

static char *
designation_flags(virConnectPtr conn, const char *uuid, const char *target)
{
    g_autofree char *disk = persistent_disk(conn, uuid, target);

    if (!disk)
        return g_strdup("missing");
    return g_strdup_printf("%s%s", strstr(disk, "<shareable/>") ? "shareable" : "",
                           strstr(disk, "<readonly/>") ? "readonly" : "");
}

static SvirtDesignation
status_designation(SvirtEngine *engine, const char *vm, const char *target)
{
    g_autoptr(SvirtVmStatus) status = svirt_engine_get_vm_status(engine, vm, NULL);

    for (guint i = 0; status && i < status->disks->len; i++) {
        SvirtDiskState *disk = g_ptr_array_index(status->disks, i);

        if (g_strcmp0(disk->target, target) == 0)
            return disk->designation;
    }
    return SVIRT_DESIGNATION_SKIPPED;
}

static void
test_overview(void)
{
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autoptr(SvirtVmOverview) overview = NULL;
    g_autoptr(SvirtVmOverview) missing = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GError) missing_error = NULL;
    g_autofree char *name = NULL;
    g_autofree char *uuid = NULL;
    SvmTestVm vm;

    svm_test_vm_define(conn, &vm, "svm-test-overview", NULL, VM_FLAGS);
    overview = svirt_engine_get_vm_overview(engine, vm.uuid, &error);
    missing = svirt_engine_get_vm_overview(engine, "no-such-vm-here", &missing_error);
    name = g_strdup(vm.name);
    uuid = g_strdup(vm.uuid);
    svm_test_vm_undefine(conn, &vm);

    g_assert_no_error(error);
    g_assert_nonnull(overview);
    g_assert_cmpstr(overview->name, ==, name);
    g_assert_cmpstr(overview->uuid, ==, uuid);
    g_assert_cmpint(overview->state, ==, SVIRT_VM_STATE_SHUTOFF);
    g_assert_true(overview->persistent);
    g_assert_cmpuint(overview->memory_kib, ==, 16 * 1024);
    g_assert_cmpuint(overview->vcpus, ==, 1);
    g_assert_cmpstr(overview->os_type, ==, "hvm");
    g_assert_cmpstr(overview->arch, ==, "x86_64");
    /* libvirt expands the "pc" alias to a versioned machine type. */
    g_assert_true(g_str_has_prefix(overview->machine, "pc"));
    g_assert_cmpstr(overview->uri, ==, URI);

    g_assert_null(missing);
    g_assert_error(missing_error, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND);
    g_assert_nonnull(strstr(missing_error->message, "no-such-vm-here"));
}

static void
test_designation(void)
{
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autoptr(GError) shared_error = NULL;
    g_autoptr(GError) readonly_error = NULL;
    g_autoptr(GError) private_error = NULL;
    g_autoptr(GError) missing_error = NULL;
    g_autofree char *initial = NULL;
    g_autofree char *shared = NULL;
    g_autofree char *readonly = NULL;
    g_autofree char *private = NULL;
    g_autofree char *boot_after = NULL;
    SvirtDesignation shared_status, readonly_status, private_status;
    SvmTestVm vm;

    svm_test_vm_define(conn, &vm, "svm-test-designation", NULL, VM_FLAGS);
    initial = designation_flags(conn, vm.uuid, "vdb");
    svirt_engine_set_disk_designation(engine, vm.name, "vdb", SVIRT_DESIGNATION_SHARED,
                                      &shared_error);
    shared = designation_flags(conn, vm.uuid, "vdb");
    shared_status = status_designation(engine, vm.uuid, "vdb");
    svirt_engine_set_disk_designation(engine, vm.name, "vdb", SVIRT_DESIGNATION_READONLY,
                                      &readonly_error);
    readonly = designation_flags(conn, vm.uuid, "vdb");
    readonly_status = status_designation(engine, vm.uuid, "vdb");
    svirt_engine_set_disk_designation(engine, vm.uuid, "vdb", SVIRT_DESIGNATION_PRIVATE,
                                      &private_error);
    private = designation_flags(conn, vm.uuid, "vdb");
    private_status = status_designation(engine, vm.uuid, "vdb");
    svirt_engine_set_disk_designation(engine, vm.uuid, "vdz", SVIRT_DESIGNATION_SHARED,
                                      &missing_error);
    boot_after = designation_flags(conn, vm.uuid, "hda");
    svm_test_vm_undefine(conn, &vm);

    g_assert_cmpstr(initial, ==, "");
    g_assert_no_error(shared_error);
    g_assert_cmpstr(shared, ==, "shareable");
    g_assert_cmpint(shared_status, ==, SVIRT_DESIGNATION_SHARED);
    g_assert_no_error(readonly_error);
    g_assert_cmpstr(readonly, ==, "readonly");
    g_assert_cmpint(readonly_status, ==, SVIRT_DESIGNATION_READONLY);
    g_assert_no_error(private_error);
    g_assert_cmpstr(private, ==, "");
    g_assert_cmpint(private_status, ==, SVIRT_DESIGNATION_PRIVATE);
    g_assert_error(missing_error, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND);
    g_assert_nonnull(strstr(missing_error->message, "vdz"));
    /* The other disks are left alone. */
    g_assert_cmpstr(boot_after, ==, "");
}

static void
test_refused_while_running(void)
{
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autoptr(GError) designation_error = NULL;
    g_autoptr(GError) add_error = NULL;
    g_autoptr(GError) remove_error = NULL;
    g_autofree char *extra = NULL;
    g_autofree char *added = NULL;
    g_autofree char *flags = NULL;
    g_autofree char *name = NULL;
    gboolean started;
    SvmTestVm vm;

    svm_test_vm_define(conn, &vm, "svm-test-running", NULL, VM_FLAGS);
    name = g_strdup(vm.name);
    extra = g_build_filename(vm.dir, "extra.img", NULL);
    svm_test_write_blank_image(extra, 65536);
    {
        g_autoptr(virDomain) dom = virDomainLookupByUUIDString(conn, vm.uuid);

        started = dom && virDomainCreate(dom) == 0;
    }
    if (started) {
        svirt_engine_set_disk_designation(engine, vm.uuid, "vdb", SVIRT_DESIGNATION_SHARED,
                                          &designation_error);
        added = svirt_engine_add_disk(engine, vm.uuid, extra, SVIRT_DESIGNATION_PRIVATE,
                                      &add_error);
        svirt_engine_remove_disk(engine, vm.uuid, "vdb", &remove_error);
        flags = designation_flags(conn, vm.uuid, "vdb");
    }
    svm_test_vm_undefine(conn, &vm);

    g_assert_true(started);
    g_assert_error(designation_error, SVIRT_ERROR, SVIRT_ERROR_IN_USE);
    g_assert_nonnull(strstr(designation_error->message, name));
    g_assert_nonnull(strstr(designation_error->message, "Shut the VM down"));
    g_assert_null(added);
    g_assert_error(add_error, SVIRT_ERROR, SVIRT_ERROR_IN_USE);
    g_assert_error(remove_error, SVIRT_ERROR, SVIRT_ERROR_IN_USE);
    /* Nothing was written. */
    g_assert_cmpstr(flags, ==, "");
}

typedef struct {
    GAsyncResult *result;
} AsyncWait;

static void
on_async_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
    ((AsyncWait *)user_data)->result = g_object_ref(result);
}

static gboolean
async_done(gpointer data)
{
    return ((AsyncWait *)data)->result != NULL;
}

static void
test_add_and_remove(void)
{
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autoptr(GError) first_error = NULL;
    g_autoptr(GError) second_error = NULL;
    g_autoptr(GError) twice_error = NULL;
    g_autoptr(GError) shadow_error = NULL;
    g_autoptr(GError) link_error = NULL;
    g_autoptr(GError) missing_error = NULL;
    g_autoptr(GError) remove_error = NULL;
    g_autoptr(GError) remove_missing_error = NULL;
    g_autofree char *first_image = NULL;
    g_autofree char *second_image = NULL;
    g_autofree char *link = NULL;
    g_autofree char *nofile = NULL;
    g_autofree char *first = NULL;
    g_autofree char *second = NULL;
    g_autofree char *twice = NULL;
    g_autofree char *shadow = NULL;
    g_autofree char *via_link = NULL;
    g_autofree char *missing = NULL;
    g_autofree char *first_disk = NULL;
    g_autofree char *second_flags = NULL;
    g_autofree char *after_remove = NULL;
    g_autofree char *kept = NULL;
    gboolean removed;
    AsyncWait wait = { NULL };
    SvmTestVm vm;

    svm_test_vm_define(conn, &vm, "svm-test-add-disk", NULL, VM_FLAGS);
    first_image = g_build_filename(vm.dir, "first.img", NULL);
    second_image = g_build_filename(vm.dir, "second.img", NULL);
    link = g_build_filename(vm.dir, "passwd.img", NULL);
    nofile = g_build_filename(vm.dir, "no-such.img", NULL);
    svm_test_write_blank_image(first_image, 65536);
    svm_test_write_blank_image(second_image, 65536);
    g_assert_cmpint(symlink("/etc/passwd", link), ==, 0);

    first = svirt_engine_add_disk(engine, vm.name, first_image, SVIRT_DESIGNATION_PRIVATE,
                                  &first_error);
    first_disk = first ? persistent_disk(conn, vm.uuid, first) : NULL;
    /* The threaded variant, as the window calls it. */
    svirt_engine_add_disk_async(engine, vm.uuid, second_image, SVIRT_DESIGNATION_SHARED, NULL,
                                on_async_done, &wait);
    svm_test_wait_for(async_done, &wait, 30000, "the disk to be added");
    second = svirt_engine_add_disk_finish(engine, wait.result, &second_error);
    g_clear_object(&wait.result);
    second_flags = second ? designation_flags(conn, vm.uuid, second) : NULL;
    twice = svirt_engine_add_disk(engine, vm.uuid, first_image, SVIRT_DESIGNATION_PRIVATE,
                                  &twice_error);
    shadow = svirt_engine_add_disk(engine, vm.uuid, "/etc/shadow", SVIRT_DESIGNATION_PRIVATE,
                                   &shadow_error);
    via_link = svirt_engine_add_disk(engine, vm.uuid, link, SVIRT_DESIGNATION_READONLY,
                                     &link_error);
    missing = svirt_engine_add_disk(engine, vm.uuid, nofile, SVIRT_DESIGNATION_PRIVATE,
                                    &missing_error);
    removed = first && svirt_engine_remove_disk(engine, vm.uuid, first, &remove_error);
    after_remove = first ? persistent_disk(conn, vm.uuid, first) : NULL;
    kept = persistent_disk(conn, vm.uuid, "vdb");
    svirt_engine_remove_disk(engine, vm.uuid, "vdq", &remove_missing_error);
    svm_test_vm_undefine(conn, &vm);

    /* hda is IDE, vdb taken: the first free virtio target is vda, then vdc. */
    g_assert_no_error(first_error);
    g_assert_cmpstr(first, ==, "vda");
    g_assert_nonnull(first_disk);
    g_assert_nonnull(strstr(first_disk, "first.img"));
    g_assert_null(strstr(first_disk, "<shareable/>"));
    g_assert_null(strstr(first_disk, "<readonly/>"));
    g_assert_no_error(second_error);
    g_assert_cmpstr(second, ==, "vdc");
    g_assert_cmpstr(second_flags, ==, "shareable");

    g_assert_null(twice);
    g_assert_error(twice_error, SVIRT_ERROR, SVIRT_ERROR_IN_USE);
    g_assert_null(shadow);
    g_assert_error(shadow_error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE);
    g_assert_nonnull(strstr(shadow_error->message, "/etc/shadow"));
    /* A link is judged by what it points to. */
    g_assert_null(via_link);
    g_assert_error(link_error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE);
    g_assert_nonnull(strstr(link_error->message, "/etc/passwd"));
    g_assert_null(missing);
    g_assert_error(missing_error, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND);
    g_assert_nonnull(strstr(missing_error->message, "no-such.img"));

    g_assert_no_error(remove_error);
    g_assert_true(removed);
    g_assert_null(after_remove);
    g_assert_nonnull(kept);
    g_assert_error(remove_missing_error, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND);
}

typedef struct {
    const char *path;
    const char *text;
} SerialExpect;

static gboolean
serial_has(gpointer data)
{
    const SerialExpect *e = data;
    g_autofree char *text = NULL;

    return g_file_get_contents(e->path, &text, NULL, NULL) && strstr(text, e->text);
}

/* What the VNC server of @dom says first, through a socket libvirt hands over: nothing listens
 * on the host. */
static char *
vnc_greeting(virDomainPtr dom)
{
    char buf[13] = { 0 };
    int fd = virDomainOpenGraphicsFD(dom, 0, 0);
    gsize got = 0;

    if (fd < 0) {
        g_test_message("virDomainOpenGraphicsFD: %s", virGetLastErrorMessage());
        return NULL;
    }
    while (got < 12) {
        ssize_t n = read(fd, buf + got, 12 - got);

        if (n <= 0)
            break;
        got += n;
    }
    close(fd);
    return g_strdup(buf);
}

/* The display boot image on the display a new VM gets: libvirt and QEMU take <listen
 * type='none'/>, the marker shows on the serial port, keys sent to the VM come back. */
static void
test_display_boot(void)
{
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autoptr(GError) start_error = NULL;
    g_autoptr(SvirtVmOverview) overview = NULL;
    g_autofree char *live = NULL;
    g_autofree char *greeting = NULL;
    g_autoptr(GPtrArray) displays = NULL;
    gboolean marker = FALSE, echoed = FALSE, started;
    /* Linux key codes: s, v, m. */
    unsigned int keys[][1] = { { 31 }, { 47 }, { 50 } };
    SerialExpect expect;
    SvmTestVm vm;

    svm_test_vm_define(conn, &vm, "svm-test-display-boot", NULL, SVM_TEST_VM_DISPLAY);
    started = svirt_engine_start_vm(engine, vm.uuid, NULL, &start_error);
    if (started) {
        g_autoptr(virDomain) dom = virDomainLookupByUUIDString(conn, vm.uuid);

        expect = (SerialExpect){ vm.serial, SVM_TEST_DISPLAY_MARKER "\r\n" };
        marker = svm_test_wait_until(serial_has, &expect, 60000);
        live = virDomainGetXMLDesc(dom, 0);
        greeting = vnc_greeting(dom);
        overview = svirt_engine_get_vm_overview(engine, vm.uuid, NULL);
        for (gsize i = 0; marker && i < G_N_ELEMENTS(keys); i++)
            virDomainSendKey(dom, VIR_KEYCODE_SET_LINUX, 0, keys[i], 1, 0);
        expect.text = SVM_TEST_DISPLAY_MARKER "\r\nsvm";
        echoed = marker && svm_test_wait_until(serial_has, &expect, 30000);
        svirt_engine_stop_vm(engine, vm.uuid, TRUE, 0, NULL);
    }
    svm_test_vm_undefine(conn, &vm);

    g_assert_no_error(start_error);
    g_assert_true(marker);
    g_assert_true(echoed);
    displays = svirt_display_list(live);
    g_assert_cmpuint(displays->len, ==, 1);
    g_assert_cmpint(((SvirtDisplay *)g_ptr_array_index(displays, 0))->listen, ==,
                    SVIRT_DISPLAY_LISTEN_NONE);
    g_assert_cmpstr(greeting, ==, "RFB 003.008\n");
    g_assert_nonnull(overview);
    g_assert_cmpstr(overview->display, ==,
                    "VNC through libvirt only; nothing listens on the network.");
}

static void
test_add_display(void)
{
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autoptr(GError) running_error = NULL;
    g_autoptr(GError) add_error = NULL;
    g_autoptr(GError) twice_error = NULL;
    g_autoptr(GError) none_error = NULL;
    g_autofree char *while_running = NULL;
    g_autofree char *defined = NULL;
    g_autofree char *name = NULL;
    gboolean started, refused = TRUE, added = FALSE;
    AsyncWait wait = { NULL };
    SvmTestVm vm;

    svm_test_vm_define(conn, &vm, "svm-test-add-display", NULL, SVM_TEST_VM_PTY_CONSOLE);
    name = g_strdup(vm.name);
    {
        g_autoptr(virDomain) dom = virDomainLookupByUUIDString(conn, vm.uuid);

        started = dom && virDomainCreate(dom) == 0;
        if (started) {
            refused = !svirt_engine_add_display(engine, vm.uuid, SVIRT_DISPLAY_VNC,
                                                &running_error);
            while_running = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
            virDomainDestroy(dom);
        }
    }
    /* The threaded variant, as the window calls it. */
    svirt_engine_add_display_async(engine, vm.name, SVIRT_DISPLAY_VNC, NULL, on_async_done,
                                   &wait);
    svm_test_wait_for(async_done, &wait, 30000, "the display to be added");
    added = svirt_engine_add_display_finish(engine, wait.result, &add_error);
    g_clear_object(&wait.result);
    {
        g_autoptr(virDomain) dom = virDomainLookupByUUIDString(conn, vm.uuid);

        defined = dom ? virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE) : NULL;
    }
    svirt_engine_add_display(engine, vm.uuid, SVIRT_DISPLAY_SPICE, &twice_error);
    svirt_engine_add_display(engine, vm.uuid, SVIRT_DISPLAY_NONE, &none_error);
    svm_test_vm_undefine(conn, &vm);

    g_assert_true(started);
    g_assert_true(refused);
    g_assert_error(running_error, SVIRT_ERROR, SVIRT_ERROR_IN_USE);
    g_assert_nonnull(strstr(running_error->message, name));
    g_assert_nonnull(strstr(running_error->message, "Shut the VM down"));
    g_assert_null(strstr(while_running, "<graphics"));

    g_assert_no_error(add_error);
    g_assert_true(added);
    g_test_message("%s", defined);
    g_assert_nonnull(strstr(defined, "<graphics type='vnc'"));
    g_assert_nonnull(strstr(defined, "<listen type='none'/>"));
    g_assert_nonnull(strstr(defined, "<model type='vga'"));
    g_assert_nonnull(strstr(defined, "<input type='tablet' bus='usb'"));
    g_assert_null(strstr(defined, "autoport"));

    g_assert_error(twice_error, SVIRT_ERROR, SVIRT_ERROR_IN_USE);
    g_assert_nonnull(strstr(twice_error->message, "already has a display (vnc)"));
    g_assert_error(none_error, SVIRT_ERROR, SVIRT_ERROR_INVALID_SETTINGS);
}

typedef struct {
    const char *path;
    const char *label;
} LabelExpect;

static gboolean
label_is(gpointer data)
{
    const LabelExpect *e = data;
    g_autofree char *label = svm_test_read_label(e->path);

    return g_strcmp0(label, e->label) == 0;
}

static const SvirtDiskState *
display_entry(const SvirtVmStatus *status, const char *path)
{
    for (guint i = 0; status && i < status->disks->len; i++) {
        const SvirtDiskState *disk = g_ptr_array_index(status->disks, i);

        if (disk->kind == SVIRT_PLAN_KIND_DISPLAY_SOCKET && g_strcmp0(disk->path, path) == 0)
            return disk;
    }
    return NULL;
}

static char *
define_socket_vm(virConnectPtr conn, const char *stem, const char *boot, const char *socket)
{
    g_autofree char *name = svm_test_vm_name(stem);
    g_autofree char *devices = g_strdup_printf(
        "<graphics type='vnc'><listen type='socket' socket='%s'/></graphics>"
        "<video><model type='vga'/></video>" SVM_TEST_PTY_CONSOLE,
        socket);
    g_autofree char *xml = svm_test_domain_xml(name, boot, devices);
    g_autoptr(virDomain) dom = virDomainDefineXML(conn, xml);
    char uuid[VIR_UUID_STRING_BUFLEN];

    if (!dom) {
        g_test_message("Could not define %s: %s", name, virGetLastErrorMessage());
        return NULL;
    }
    virDomainGetUUIDString(dom, uuid);
    return g_strdup(uuid);
}

/* A display on a UNIX socket: its directory carries the VM's label while it runs (QEMU makes
 * the socket there) and gets its own back at stop; a directory every user writes is refused. */
static void
test_display_socket_labels(void)
{
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autofree char *dir = svm_test_make_vm_dir("svm-display-socket");
    g_autofree char *boot = g_build_filename(dir, "boot.img", NULL);
    g_autofree char *sockdir = g_build_filename(dir, "screen", NULL);
    g_autofree char *socket = g_build_filename(sockdir, "vnc.sock", NULL);
    g_autofree char *shared = g_build_filename(dir, "shared", NULL);
    g_autofree char *tmp_socket = g_build_filename(shared, "vnc.sock", NULL);
    g_autofree char *uuid = NULL;
    g_autofree char *tmp_uuid = NULL;
    g_autofree char *before = NULL;
    g_autofree char *during = NULL;
    g_autofree char *tmp_before = NULL;
    g_autofree char *tmp_after = NULL;
    g_autoptr(SvirtVmStatus) status = NULL;
    g_autoptr(GError) start_error = NULL;
    g_autoptr(GError) stop_error = NULL;
    g_autoptr(GError) tmp_error = NULL;
    struct passwd *qemu = getpwnam("libvirt-qemu");
    gboolean started = FALSE, socket_made = FALSE, restored = FALSE;
    const SvirtDiskState *entry;
    LabelExpect back;

    g_assert_cmpint(g_mkdir(sockdir, 0750), ==, 0);
    /* A directory like /tmp, where every user may make files. */
    g_assert_cmpint(g_mkdir(shared, 0700), ==, 0);
    g_assert_cmpint(g_chmod(shared, 01777), ==, 0);
    tmp_before = svm_test_read_label(shared);
    /* QEMU runs as libvirt-qemu where the distribution has it, and creates the socket. */
    if (qemu)
        g_assert_cmpint(chown(sockdir, qemu->pw_uid, qemu->pw_gid), ==, 0);
    svm_test_write_display_boot_image(boot);
    before = svm_test_read_label(sockdir);
    uuid = define_socket_vm(conn, "svm-test-display-socket", boot, socket);
    tmp_uuid = define_socket_vm(conn, "svm-test-display-tmp", boot, tmp_socket);
    if (uuid) {
        started = svirt_engine_start_vm(engine, uuid, NULL, &start_error);
        during = svm_test_read_label(sockdir);
        status = svirt_engine_get_vm_status(engine, uuid, NULL);
        socket_made = g_file_test(socket, G_FILE_TEST_EXISTS);
        if (started)
            svirt_engine_stop_vm(engine, uuid, TRUE, 0, &stop_error);
        back = (LabelExpect){ sockdir, before };
        restored = svm_test_wait_until(label_is, &back, 10000);
    }
    if (tmp_uuid)
        svirt_engine_start_vm(engine, tmp_uuid, NULL, &tmp_error);
    tmp_after = svm_test_read_label(shared);
    if (uuid)
        svm_test_remove_domain(conn, uuid);
    if (tmp_uuid)
        svm_test_remove_domain(conn, tmp_uuid);
    svm_test_rmdir(dir);

    g_assert_nonnull(uuid);
    g_assert_no_error(start_error);
    g_assert_true(started);
    g_assert_true(socket_made);
    g_assert_nonnull(status);
    g_assert_nonnull(status->image_label);
    g_assert_cmpstr(during, ==, status->image_label);
    entry = display_entry(status, sockdir);
    if (!entry)
        g_error("The status of the VM has no display socket entry for %s", sockdir);
    g_assert_cmpint(entry->designation, ==, SVIRT_DESIGNATION_PRIVATE);
    g_assert_cmpint(entry->status, ==, SVIRT_DISK_STATUS_LABELED);
    g_assert_cmpstr(entry->expected_label, ==, status->image_label);
    g_assert_cmpstr(svirt_plan_kind_to_string(entry->kind), ==, "display-socket");
    g_assert_no_error(stop_error);
    g_assert_true(restored);

    g_assert_nonnull(tmp_uuid);
    g_assert_error(tmp_error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE);
    g_test_message("%s", tmp_error->message);
    g_assert_nonnull(strstr(tmp_error->message, "every user may create files in it"));
    g_assert_cmpstr(tmp_after, ==, tmp_before);
}

int
main(int argc, char *argv[])
{
    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_LIBVIRTD);
    g_test_init(&argc, &argv, NULL);
    svirt_engine_init_libvirt();
    g_test_add_func("/system/devices/overview", test_overview);
    g_test_add_func("/system/devices/designation", test_designation);
    g_test_add_func("/system/devices/refused-while-running", test_refused_while_running);
    g_test_add_func("/system/devices/add-and-remove", test_add_and_remove);
    g_test_add_func("/system/devices/display-boot", test_display_boot);
    g_test_add_func("/system/devices/add-display", test_add_display);
    g_test_add_func("/system/devices/display-socket-labels", test_display_socket_labels);
    return g_test_run();
}
