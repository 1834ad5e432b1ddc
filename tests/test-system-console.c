#include "config.h"

#include <libvirt/virterror.h>
#include <string.h>
#include <unistd.h>

#include "svirt-console.h"
#include "svm-test-fixture.h"
#include "svm-test-util.h"
#include "svm-test-vm.h"

#define URI svm_test_uri()

typedef struct {
    GString *received;
    char *closed;
} ConsoleLog;

static void
on_data(SvirtConsole *console, GBytes *bytes, ConsoleLog *log)
{
    gsize len;
    const char *data = g_bytes_get_data(bytes, &len);

    g_string_append_len(log->received, data, len);
}

static void
on_closed(SvirtConsole *console, const char *reason, ConsoleLog *log)
{
    log->closed = g_strdup(reason);
}

typedef struct {
    ConsoleLog *log;
    const char *text;
} Expect;

static gboolean
received_text(gpointer data)
{
    Expect *e = data;

    return strstr(e->log->received->str, e->text) != NULL;
}

static gboolean
was_closed(gpointer data)
{
    return ((ConsoleLog *)data)->closed != NULL;
}

static void
on_opened(GObject *source, GAsyncResult *result, gpointer data)
{
    *(GAsyncResult **)data = g_object_ref(result);
}

static gboolean
has_result(gpointer data)
{
    return *(GAsyncResult **)data != NULL;
}

/* The guest's first line reaches the handlers connected between opening and starting the
 * console, whether it was opened here or in a worker. */
static void
console_marker_and_echo(gboolean open_async)
{
    g_autofree char *dir = svm_test_make_vm_dir("svm-console");
    g_autofree char *boot = g_build_filename(dir, "boot.img", NULL);
    g_autofree char *name =
        svm_test_vm_name(open_async ? "svm-test-console-async" : "svm-test-console");
    g_autofree char *xml = NULL;
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(GError) error = NULL;
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(SvirtConsole) console = NULL;
    ConsoleLog log = { g_string_new(NULL), NULL };
    Expect marker = { &log, SVM_TEST_BOOT_MARKER };
    Expect echo = { &log, "typed-by-test" };

    svm_test_write_boot_image(boot);
    xml = svm_test_domain_xml(name, boot, SVM_TEST_PTY_CONSOLE);

    g_assert_true(svirt_engine_connect(engine, NULL, &error));
    g_assert_no_error(error);
    conn = svirt_engine_dup_connection(engine, &error);
    /* Transient and paused, so the console is attached before the guest prints anything. */
    dom = virDomainCreateXML(conn, xml, VIR_DOMAIN_START_PAUSED);
    if (!dom)
        g_error("Could not create %s: %s", name, virGetLastErrorMessage());

    if (open_async) {
        GAsyncResult *result = NULL;

        svirt_console_open_async(engine, name, NULL, on_opened, &result);
        svm_test_wait_for(has_result, &result, 30000, "the console to open");
        console = svirt_console_open_finish(engine, result, &error);
        g_object_unref(result);
    } else {
        console = svirt_console_open(engine, name, &error);
    }
    g_assert_no_error(error);
    g_signal_connect(console, "data", G_CALLBACK(on_data), &log);
    g_signal_connect(console, "closed", G_CALLBACK(on_closed), &log);
    g_assert_true(svirt_console_start(console, &error));
    g_assert_no_error(error);
    g_assert_cmpint(virDomainResume(dom), ==, 0);

    svm_test_wait_for(received_text, &marker, 30000, "the boot marker on the console");
    svirt_console_write(console, "typed-by-test", strlen("typed-by-test"));
    svm_test_wait_for(received_text, &echo, 30000, "the typed text echoed back");

    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    svm_test_wait_for(was_closed, &log, 30000, "the console to close when the VM stops");
    g_assert_false(svirt_console_is_open(console));

    g_string_free(log.received, TRUE);
    g_free(log.closed);
    svm_test_rmdir(dir);
}

static void
test_console_marker_and_echo(void)
{
    console_marker_and_echo(FALSE);
}

static void
test_console_open_async(void)
{
    console_marker_and_echo(TRUE);
}

static void
test_console_unknown_vm(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(GError) error = NULL;

    g_assert_true(svirt_engine_connect(engine, NULL, &error));
    g_assert_null(svirt_console_open(engine, "no-such-vm-here", &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND);
    g_assert_nonnull(strstr(error->message, "no-such-vm-here"));
}

int
main(int argc, char *argv[])
{
    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_LIBVIRTD);
    g_test_init(&argc, &argv, NULL);
    svirt_engine_init_libvirt();
    g_test_add_func("/system/console/marker-and-echo", test_console_marker_and_echo);
    g_test_add_func("/system/console/open-async", test_console_open_async);
    g_test_add_func("/system/console/unknown-vm", test_console_unknown_vm);
    return g_test_run();
}
