#include "config.h"

#include <libvirt/virterror.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "svirt-display.h"
#include "svm-test-fixture.h"
#include "svm-test-util.h"
#include "svm-test-vm.h"

#define VNC_NO_LISTEN                                                                          \
    "<graphics type='vnc'><listen type='none'/></graphics><video><model type='vga'/></video>"

typedef struct {
    const char *devices;
    SvirtDisplayKind kind;
    int index;
    const char *listen;
    const char *address;
} XmlCase;

static const XmlCase xml_cases[] = {
    { "", SVIRT_DISPLAY_NONE, -1, NULL, NULL },
    { "<serial type='pty'/><console type='pty'/>", SVIRT_DISPLAY_NONE, -1, NULL, NULL },
    { VNC_NO_LISTEN, SVIRT_DISPLAY_VNC, 0, "none", NULL },
    { "<graphics type='spice' autoport='yes'><listen type='address' address='127.0.0.1'/>"
      "</graphics>",
      SVIRT_DISPLAY_SPICE, 0, "address", "127.0.0.1" },
    /* The older form, without a <listen> child. */
    { "<graphics type='vnc' port='5900' listen='0.0.0.0'/>", SVIRT_DISPLAY_VNC, 0, "address",
      "0.0.0.0" },
    { "<graphics type='vnc'><listen type='socket' socket='/run/vnc.sock'/></graphics>",
      SVIRT_DISPLAY_VNC, 0, "socket", "/run/vnc.sock" },
    /* Graphics QEMU shows no client of come first and are counted. */
    { "<graphics type='egl-headless'/><graphics type='spice'><listen type='none'/></graphics>",
      SVIRT_DISPLAY_SPICE, 1, "none", NULL },
};

static void
test_display_from_xml(void)
{
    for (guint i = 0; i < G_N_ELEMENTS(xml_cases); i++) {
        const XmlCase *c = &xml_cases[i];
        g_autofree char *xml = svm_test_domain_xml("svm-test-xml", "/dev/null", c->devices);
        g_autoptr(GError) error = NULL;
        g_autoptr(SvirtDisplayInfo) info = svirt_display_info_from_xml(xml, &error);

        g_test_message("case %u: %s", i, c->devices);
        g_assert_no_error(error);
        g_assert_cmpint(info->kind, ==, c->kind);
        g_assert_cmpint(info->index, ==, c->index);
        g_assert_cmpstr(info->listen, ==, c->listen);
        g_assert_cmpstr(info->address, ==, c->address);
        g_assert_cmpstr(info->vm_name, ==, "svm-test-xml");
    }
}

static void
test_display_bad_xml(void)
{
    g_autoptr(GError) error = NULL;

    g_assert_null(svirt_display_info_from_xml("<domain", &error));
    g_assert_nonnull(error);
}

static void
on_done(GObject *source, GAsyncResult *result, gpointer data)
{
    *(GAsyncResult **)data = g_object_ref(result);
}

/* The first bytes the server sends, read with a timeout. */
static char *
read_greeting(int fd, gsize len)
{
    g_autofree char *buf = g_malloc0(len + 1);
    gsize got = 0;

    while (got < len) {
        struct pollfd p = { fd, POLLIN, 0 };
        ssize_t n;

        if (poll(&p, 1, 30000) != 1)
            break;
        n = read(fd, buf + got, len - got);
        if (n <= 0)
            break;
        got += n;
    }
    return g_steal_pointer(&buf);
}

static int
open_fd_async(SvirtEngine *engine, const char *vm, GError **error)
{
    GAsyncResult *result = NULL;
    int fd;

    svirt_display_open_fd_async(engine, vm, NULL, on_done, &result);
    svm_test_wait_for(svm_test_pointer_is_set, &result, 60000, "the display to open");
    fd = svirt_display_open_fd_finish(engine, result, error);
    g_object_unref(result);
    return fd;
}

/* A stopped VM says to start it; once started, the socket libvirtd hands over speaks RFB,
 * though QEMU listens nowhere. */
static void
test_display_vnc_greeting(void)
{
    g_autofree char *dir = svm_test_make_vm_dir("svm-display");
    g_autofree char *boot = g_build_filename(dir, "boot.img", NULL);
    g_autofree char *name = svm_test_vm_name("svm-test-display-vnc");
    g_autofree char *xml = NULL;
    g_autofree char *greeting = NULL;
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtDisplayInfo) info = NULL;
    int fd;

    svm_test_write_boot_image(boot);
    xml = svm_test_domain_xml(name, boot, VNC_NO_LISTEN);
    dom = virDomainDefineXML(conn, xml);
    if (!dom)
        g_error("Could not define %s: %s", name, virGetLastErrorMessage());

    info = svirt_display_get_info(engine, name, &error);
    g_assert_no_error(error);
    g_assert_cmpint(info->kind, ==, SVIRT_DISPLAY_VNC);
    g_assert_cmpstr(info->listen, ==, "none");
    g_assert_false(info->running);
    g_assert_cmpint(svirt_display_open_fd(engine, name, &error), ==, -1);
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED);
    g_assert_nonnull(strstr(error->message, "Start the VM to see its screen"));
    g_clear_error(&error);

    g_assert_cmpint(virDomainCreate(dom), ==, 0);
    g_clear_pointer(&info, svirt_display_info_free);
    info = svirt_display_get_info(engine, name, &error);
    g_assert_no_error(error);
    g_assert_true(info->running);
    g_assert_cmpstr(info->listen, ==, "none");

    fd = open_fd_async(engine, name, &error);
    g_assert_no_error(error);
    g_assert_cmpint(fd, >=, 0);
    greeting = read_greeting(fd, 12);
    close(fd);
    g_assert_true(g_str_has_prefix(greeting, "RFB 003.00"));

    svm_test_remove_domain(conn, name);
    svm_test_rmdir(dir);
}

static void
test_display_serial_only(void)
{
    g_autofree char *name = svm_test_vm_name("svm-test-display-serial");
    g_autofree char *xml = svm_test_domain_xml(name, "/dev/null", SVM_TEST_PTY_CONSOLE);
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autoptr(virDomain) dom = virDomainDefineXML(conn, xml);
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtDisplayInfo) info = NULL;

    if (!dom)
        g_error("Could not define %s: %s", name, virGetLastErrorMessage());
    info = svirt_display_get_info(engine, name, &error);
    g_assert_no_error(error);
    g_assert_cmpint(info->kind, ==, SVIRT_DISPLAY_NONE);
    g_assert_cmpint(open_fd_async(engine, name, &error), ==, -1);
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND);
    g_assert_nonnull(strstr(error->message, "only a serial console"));
    g_assert_nonnull(strstr(error->message, name));
    svm_test_remove_domain(conn, name);
}

static void
test_display_unknown_vm(void)
{
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(GError) error = NULL;

    g_assert_cmpint(svirt_display_open_fd(engine, "no-such-vm-here", &error), ==, -1);
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND);
    g_assert_nonnull(strstr(error->message, "no-such-vm-here"));
}

int
main(int argc, char *argv[])
{
    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_LIBVIRTD);
    g_test_init(&argc, &argv, NULL);
    svirt_engine_init_libvirt();
    g_test_add_func("/system/display/from-xml", test_display_from_xml);
    g_test_add_func("/system/display/bad-xml", test_display_bad_xml);
    g_test_add_func("/system/display/vnc-greeting", test_display_vnc_greeting);
    g_test_add_func("/system/display/serial-only", test_display_serial_only);
    g_test_add_func("/system/display/unknown-vm", test_display_unknown_vm);
    return g_test_run();
}
