/* The enforced path on a simulated SELinux host: libvirt's own selinux security driver runs in
 * this process (the QEMU driver embedded, qemu:///embed), with libselinux answered by the
 * preloaded stand-in (selinux-standin.c), which records every label libvirt sets. */
#include "config.h"

#include <dlfcn.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <libvirt/virterror.h>
#include <selinux/selinux.h>
#include <string.h>
#include <unistd.h>

#include "svirt-audit.h"
#include "svirt-domain-xml.h"
#include "svirt-lifecycle.h"
#include "svirt-policy.h"
#include "svm-security-page-private.h"
#include "svm-test-cli.h"
#include "svm-test-fixture.h"
#include "svm-test-label.h"
#include "svm-test-ui.h"
#include "svm-test-util.h"
#include "svm-test-vm.h"
#include "svm-vm-window-private.h"

/* The stand-in's file, which meson names. */
#define STANDIN_ENV "SVM_SELINUX_STANDIN"
#define QEMU "/usr/bin/qemu-system-x86_64"
#define WAIT_MS 120000

typedef struct {
    char *root; /* the embedded driver's root, with the record file in it */
    char *uri;
    char *record;
    void (*set_enabled)(int on);
    void (*set_enforcing)(int on);
} Host;

static Host host;

typedef struct {
    char *call;
    long pid;
    char *context; /* NULL for a reset */
    char *object;  /* the path, "fd:N:PATH", or NULL for the process calls */
} Record;

static void
record_free(Record *r)
{
    g_free(r->call);
    g_free(r->context);
    g_free(r->object);
    g_free(r);
}

/* Sends itself through exec() again with the stand-in preloaded, unless it already is. */
static void
preload_standin(char **argv)
{
    const char *standin = g_getenv(STANDIN_ENV);

    if (dlsym(RTLD_DEFAULT, "svm_selinux_standin_set_record"))
        return;
    if (!standin || !g_file_test(standin, G_FILE_TEST_EXISTS)) {
        g_printerr("The SELinux stand-in is not built; run this test with meson test.\n");
        exit(1);
    }
    /* The stand-in reads them as it loads. */
    if (!g_getenv("SVM_SELINUX_CONTEXTS")) {
        const char *srcdir = g_getenv("G_TEST_SRCDIR");
        g_autofree char *contexts = g_build_filename(srcdir ? srcdir : ".", "selinux-host", NULL);

        g_setenv("SVM_SELINUX_CONTEXTS", contexts, TRUE);
    }
    g_setenv("LD_PRELOAD", standin, TRUE);
    execv("/proc/self/exe", argv);
    g_printerr("Could not run the test again with the stand-in: %s\n", g_strerror(errno));
    exit(1);
}

static gpointer
standin_symbol(const char *name)
{
    gpointer sym = dlsym(RTLD_DEFAULT, name);

    g_assert_nonnull(sym);
    return sym;
}

static void
write_qemu_conf(const char *root, const char *driver)
{
    g_autofree char *etc = g_build_filename(root, "etc", NULL);
    g_autofree char *conf = g_build_filename(etc, "qemu.conf", NULL);
    g_autofree char *text = g_strdup_printf(
        "security_driver = \"%s\"\n"
        /* No mount namespace, cgroups, virtlogd or ownership changes: the VM's files are
         * this test's, and labels are all the test looks at. */
        "namespaces = []\n"
        "cgroup_controllers = []\n"
        "stdio_handler = \"file\"\n"
        "dynamic_ownership = 0\n"
        "remember_owner = 0\n"
        /* QEMU runs as the test's user, who owns the images. */
        "%s",
        driver, geteuid() == 0 ? "user = \"root\"\ngroup = \"root\"\n" : "");
    g_autoptr(GError) error = NULL;

    g_assert_cmpint(g_mkdir_with_parents(etc, 0755), ==, 0);
    g_assert_true(g_file_set_contents(conf, text, -1, &error));
    g_assert_no_error(error);
}

static char *
embed_uri(const char *root)
{
    return g_strdup_printf("qemu:///embed?root=%s", root);
}

/* The host embedded in @root, whose qemu.conf is written, with its record in @root. */
static void
host_use(char *root)
{
    void (*set_record)(const char *path) = standin_symbol("svm_selinux_standin_set_record");

    g_assert_null(host.root);
    host.root = root;
    host.uri = embed_uri(host.root);
    host.record = g_build_filename(host.root, "labels.record", NULL);
    host.set_enabled = standin_symbol("svm_selinux_standin_set_enabled");
    host.set_enforcing = standin_symbol("svm_selinux_standin_set_enforcing");
    set_record(host.record);
}

/* The embedded QEMU driver of this process, with @driver as its security driver. One root a
 * process: libvirt embeds a driver only once. */
static void
host_open(const char *driver)
{
    char *root = svm_test_make_vm_dir("svm-embed");

    write_qemu_conf(root, driver);
    host_use(root);
}

static void
host_close(void)
{
    if (!host.root)
        return;
    svm_test_rmdir(host.root);
    g_clear_pointer(&host.root, g_free);
    g_clear_pointer(&host.uri, g_free);
    g_clear_pointer(&host.record, g_free);
}

static SvirtEngine *
host_engine(void)
{
    SvirtEngine *engine = svirt_engine_new(host.uri);
    g_autoptr(GError) error = NULL;

    if (!svirt_engine_connect(engine, NULL, &error))
        g_error("Could not open %s: %s", host.uri, error->message);
    return engine;
}

/* Where the record ends now: what follows is what came after. */
static gsize
record_mark(void)
{
    GStatBuf st;

    return g_stat(host.record, &st) == 0 ? (gsize)st.st_size : 0;
}

static Record *
record_parse(const char *line)
{
    g_auto(GStrv) fields = g_strsplit(line, "\t", 4);
    Record *r;

    g_assert_cmpuint(g_strv_length(fields), ==, 4);
    r = g_new0(Record, 1);
    r->call = g_strdup(fields[0]);
    r->pid = (long)g_ascii_strtoll(fields[1], NULL, 10);
    r->context = g_str_equal(fields[2], "none") ? NULL : g_strdup(fields[2]);
    r->object = g_str_equal(fields[3], "-") ? NULL : g_strdup(fields[3]);
    return r;
}

/* Every label set since @mark, in order. */
static GPtrArray *
record_since(gsize mark)
{
    GPtrArray *records = g_ptr_array_new_with_free_func((GDestroyNotify)record_free);
    g_autofree char *text = NULL;
    gsize length = 0;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents(host.record, &text, &length, NULL))
        return records;
    g_assert_cmpuint(mark, <=, length);
    lines = g_strsplit(text + mark, "\n", -1);
    for (guint i = 0; lines[i]; i++) {
        if (*lines[i]) {
            g_test_message("libvirt set: %s", lines[i]);
            g_ptr_array_add(records, record_parse(lines[i]));
        }
    }
    return records;
}

/* The records of @call (any when NULL) on @path, directly or through a descriptor. */
static guint
count_on_path(GPtrArray *records, const char *call, const char *path)
{
    g_autofree char *fd_suffix = g_strconcat(":", path, NULL);
    guint n = 0;

    for (guint i = 0; i < records->len; i++) {
        Record *r = g_ptr_array_index(records, i);

        if ((!call || g_str_equal(r->call, call)) && r->object &&
            (g_str_equal(r->object, path) ||
             (g_str_has_prefix(r->object, "fd:") && g_str_has_suffix(r->object, fd_suffix))))
            n++;
    }
    return n;
}

static long
qemu_pid(const char *vm)
{
    g_autofree char *name = g_strconcat(vm, ".pid", NULL);
    g_autofree char *path = g_build_filename(host.root, "run", "qemu", name, NULL);
    g_autofree char *text = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_true(g_file_get_contents(path, &text, NULL, &error));
    g_assert_no_error(error);
    return (long)g_ascii_strtoll(text, NULL, 10);
}

/* The label QEMU @pid was exec'd under, as the stand-in recorded it; NULL if none. */
static const char *
exec_label(GPtrArray *records, long pid)
{
    const char *label = NULL;

    for (guint i = 0; i < records->len; i++) {
        Record *r = g_ptr_array_index(records, i);

        if (g_str_equal(r->call, "setexeccon") && r->pid == pid)
            label = r->context;
    }
    return label;
}

static gboolean
serial_has_marker(gpointer data)
{
    g_autofree char *text = NULL;

    return g_file_get_contents(data, &text, NULL, NULL) && strstr(text, SVM_TEST_BOOT_MARKER);
}

static SvirtVmStatus *
vm_status(SvirtEngine *engine, const char *vm)
{
    g_autoptr(GError) error = NULL;
    SvirtVmStatus *status = svirt_engine_get_vm_status(engine, vm, &error);

    g_assert_no_error(error);
    g_assert_nonnull(status);
    return status;
}

typedef struct {
    SvirtEngine *engine;
    virConnectPtr conn;
    SvmTestVm vm;
    gsize mark;           /* the record before the start */
    GPtrArray *records;   /* what libvirt set during the start */
    SvirtVmStatus *status; /* the engine's, once it runs */
    long pid;
} Started;

/* Defines a VM with a data and a read-only disk and starts it through the engine, collecting
 * what libvirt labelled meanwhile. */
static void
start_vm(Started *s, const char *stem)
{
    g_autoptr(GError) error = NULL;

    memset(s, 0, sizeof(*s));
    s->engine = host_engine();
    s->conn = svirt_engine_dup_connection(s->engine, NULL);
    svm_test_vm_define(s->conn, &s->vm, stem, NULL, SVM_TEST_VM_DATA | SVM_TEST_VM_READONLY);
    s->mark = record_mark();
    g_assert_true(svirt_engine_start_vm(s->engine, s->vm.name, NULL, &error));
    g_assert_no_error(error);
    s->records = record_since(s->mark);
    s->status = vm_status(s->engine, s->vm.name);
    s->pid = qemu_pid(s->vm.name);
}

static void
stop_vm(Started *s)
{
    g_autoptr(GError) error = NULL;

    if (s->status && svirt_vm_state_is_active(s->status->state))
        g_assert_true(svirt_engine_stop_vm(s->engine, s->vm.name, TRUE, 0, &error));
    g_assert_no_error(error);
    svm_test_vm_undefine(s->conn, &s->vm);
    g_clear_pointer(&s->records, g_ptr_array_unref);
    g_clear_pointer(&s->status, svirt_vm_status_free);
    g_clear_pointer(&s->conn, virConnectClose);
    g_clear_object(&s->engine);
}

static void
assert_live_seclabel(virDomainPtr dom, const char *label)
{
    char *live = virDomainGetXMLDesc(dom, 0);
    g_autofree char *n = NULL;
    g_autofree char *type = NULL;
    g_autofree char *relabel = NULL;
    g_autofree char *shown = NULL;

    g_assert_nonnull(live);
    n = svirt_xml_string(live, "string(count(/domain/seclabel[@model='selinux']))");
    type = svirt_xml_string(live, "string(/domain/seclabel[@model='selinux']/@type)");
    relabel = svirt_xml_string(live, "string(/domain/seclabel[@model='selinux']/@relabel)");
    shown = svirt_xml_string(live, "string(/domain/seclabel[@model='selinux']/label)");
    free(live);
    g_assert_cmpstr(n, ==, "1");
    g_assert_cmpstr(type, ==, "static");
    g_assert_cmpstr(relabel, ==, "no");
    g_assert_cmpstr(shown, ==, label);
}

static void
assert_security_label(virDomainPtr dom, const char *label, int enforcing)
{
    virSecurityLabel seclabel;

    memset(&seclabel, 0, sizeof(seclabel));
    g_assert_cmpint(virDomainGetSecurityLabel(dom, &seclabel), ==, 0);
    g_assert_cmpstr(seclabel.label, ==, label);
    g_assert_cmpint(seclabel.enforcing, ==, enforcing);
}

static void
test_driver_loads(void)
{
    g_autoptr(SvirtEngine) engine = host_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autofree char *caps = NULL;
    g_autofree char *baselabel = NULL;
    g_autofree char *expected = NULL;
    virSecurityModel model;
    char *text;

    text = virConnectGetCapabilities(conn);
    g_assert_nonnull(text);
    caps = g_strdup(text);
    free(text);
    g_assert_nonnull(strstr(caps, "<model>selinux</model>"));
    baselabel = svirt_xml_string(caps, "string(/capabilities/host/secmodel[model='selinux']"
                                       "/baselabel[@type='qemu'])");
    g_assert_true(g_file_get_contents(selinux_virtual_domain_context_path(), &expected, NULL,
                                      NULL));
    g_assert_cmpstr(baselabel, ==, g_strstrip(expected));
    g_assert_cmpint(virNodeGetSecurityModel(conn, &model), ==, 0);
    g_assert_cmpstr(model.model, ==, "selinux");
}

static void
assert_not_relabelled_by_libvirt(GPtrArray *records, const SvmTestVm *vm)
{
    const char *disks[] = { vm->boot, vm->data, vm->readonly };

    for (guint i = 0; i < G_N_ELEMENTS(disks); i++)
        g_assert_cmpuint(count_on_path(records, NULL, disks[i]), ==, 0);
}

static void
assert_engine_labels(const Started *s)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtPolicyTypes) types = svirt_policy_types_load(&error);

    g_assert_no_error(error);
    svm_test_assert_label(s->vm.boot, s->status->image_label);
    svm_test_assert_label(s->vm.data, s->status->image_label);
    svm_test_assert_label(s->vm.readonly, types->content);
    svm_test_assert_label(s->vm.serial, s->status->image_label);
    /* libvirt opens a file-backed serial port itself and labels the descriptor it hands
     * QEMU with the VM's image label: the label the engine gave the file already. */
    for (guint i = 0; i < s->records->len; i++) {
        Record *r = g_ptr_array_index(s->records, i);

        if (r->object && g_str_has_suffix(r->object, s->vm.serial))
            g_assert_cmpstr(r->context, ==, s->status->image_label);
    }
}

static void
assert_enforced_json(const SvirtVmStatus *status)
{
    g_autoptr(JsonNode) node = svirt_vm_status_to_json(status);
    JsonObject *obj = json_node_get_object(node);

    g_assert_true(json_object_get_boolean_member(obj, "enforced"));
    g_assert_cmpstr(json_object_get_string_member(obj, "process_label"), ==,
                    status->process_label);
}

static void
test_start_enforced(void)
{
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(GPtrArray) at_stop = NULL;
    Started s;
    gsize mark;

    start_vm(&s, "svm-test-enforced");
    svm_test_wait_for(serial_has_marker, s.vm.serial, WAIT_MS, "the guest's boot marker");
    dom = virDomainLookupByUUIDString(s.conn, s.vm.uuid);
    g_assert_nonnull(dom);
    g_assert_true(g_str_has_prefix(s.status->process_label, "system_u:system_r:svirt_t:s0:c"));

    assert_live_seclabel(dom, s.status->process_label);
    g_assert_cmpstr(exec_label(s.records, s.pid), ==, s.status->process_label);
    assert_not_relabelled_by_libvirt(s.records, &s.vm);
    assert_engine_labels(&s);
    assert_security_label(dom, s.status->process_label, 1);
    g_assert_true(s.status->enforced);
    g_assert_null(s.status->enforced_reason);
    assert_enforced_json(s.status);

    /* The stop restores what the engine labelled; libvirt relabels nothing there either. */
    mark = record_mark();
    g_assert_true(svirt_engine_stop_vm(s.engine, s.vm.name, TRUE, 0, NULL));
    at_stop = record_since(mark);
    assert_not_relabelled_by_libvirt(at_stop, &s.vm);
    svm_test_assert_label(s.vm.boot, NULL);
    svm_test_assert_label(s.vm.data, NULL);
    svm_test_assert_label(s.vm.readonly, NULL);
    g_clear_pointer(&s.status, svirt_vm_status_free);
    stop_vm(&s);
}

static void
assert_not_enforced(SvirtEngine *engine, const char *vm, const char *why)
{
    g_autoptr(SvirtVmStatus) status = vm_status(engine, vm);

    g_test_message("%s", status->enforced_reason);
    g_assert_false(status->enforced);
    g_assert_nonnull(status->enforced_reason);
    g_assert_nonnull(strstr(status->enforced_reason, why));
}

static void
test_permissive_and_disabled(void)
{
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(SvirtVmStatus) again = NULL;
    Started s;

    start_vm(&s, "svm-test-permissive");
    dom = virDomainLookupByUUIDString(s.conn, s.vm.uuid);
    g_assert_true(s.status->enforced);

    host.set_enforcing(0);
    assert_not_enforced(s.engine, s.vm.name, "permissive");
    assert_security_label(dom, s.status->process_label, 0);
    host.set_enabled(0);
    assert_not_enforced(s.engine, s.vm.name, "disabled");
    host.set_enabled(1);
    host.set_enforcing(1);

    again = vm_status(s.engine, s.vm.name);
    g_assert_true(again->enforced);
    stop_vm(&s);
}

/* The audit's host finding: NULL while the host enforces, else what it found instead. */
static char *
audit_enforcing(SvirtEngine *engine)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtAuditReport) report = svirt_audit_run(engine, NULL, &error);

    g_assert_no_error(error);
    for (guint i = 0; i < report->findings->len; i++) {
        const SvirtFinding *f = g_ptr_array_index(report->findings, i);

        if (f->kind == SVIRT_FINDING_NOT_ENFORCING) {
            g_assert_cmpint(f->severity, ==, SVIRT_SEVERITY_WARNING);
            g_assert_nonnull(strstr(f->explanation, f->actual));
            return g_strdup(f->actual);
        }
    }
    return NULL;
}

/* An enforcing host has no finding about itself; a permissive or disabled one has. */
static void
test_audit_host(void)
{
    g_autoptr(SvirtEngine) engine = host_engine();
    g_autofree char *enforcing = audit_enforcing(engine);
    g_autofree char *permissive = NULL;
    g_autofree char *disabled = NULL;

    host.set_enforcing(0);
    permissive = audit_enforcing(engine);
    host.set_enabled(0);
    disabled = audit_enforcing(engine);
    host.set_enabled(1);
    host.set_enforcing(1);

    g_assert_null(enforcing);
    g_assert_cmpstr(permissive, ==, "permissive");
    g_assert_cmpstr(disabled, ==, "disabled");
}

/* Where libvirtd has no selinux driver the engine writes no selinux seclabel, QEMU runs under
 * no label of the VM, and the engine says so. */
static void
run_without_selinux_driver(void)
{
    g_autoptr(virDomain) dom = NULL;
    g_autofree char *live = NULL;
    g_autofree char *selinux = NULL;
    Started s;
    char *text;

    host_open("none");
    start_vm(&s, "svm-test-nodriver");
    dom = virDomainLookupByUUIDString(s.conn, s.vm.uuid);
    text = virDomainGetXMLDesc(dom, 0);
    live = g_strdup(text);
    free(text);
    selinux = svirt_xml_string(live, "string(count(/domain/seclabel[@model='selinux']))");
    g_assert_cmpstr(selinux, ==, "0");
    g_assert_null(exec_label(s.records, s.pid));
    assert_not_relabelled_by_libvirt(s.records, &s.vm);
    svm_test_assert_label(s.vm.boot, s.status->image_label);
    g_assert_false(s.status->enforced);
    g_assert_nonnull(strstr(s.status->enforced_reason, "no selinux security driver"));
    stop_vm(&s);
    host_close();
}

static void
test_no_selinux_driver(void)
{
    if (g_test_subprocess()) {
        run_without_selinux_driver();
        return;
    }
    g_test_trap_subprocess(NULL, 300 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
    g_test_trap_assert_passed();
}

static void
remove_plain(virDomainPtr dom)
{
    if (virDomainIsActive(dom) == 1)
        virDomainDestroy(dom);
    virDomainUndefine(dom);
    virDomainFree(dom);
    virResetLastError();
}

/* Starts @dom with a plain virDomainCreate, as virsh start does, not through the engine;
 * returns what libvirt labelled meanwhile. */
static GPtrArray *
start_plain(virDomainPtr dom)
{
    gsize mark = record_mark();

    if (virDomainCreate(dom) < 0)
        g_error("libvirt could not start %s: %s", virDomainGetName(dom),
                virGetLastErrorMessage());
    return record_since(mark);
}

/* Defines @xml on the embedded host and starts it with start_plain(). The caller removes
 * @dom. */
static GPtrArray *
create_plain(virConnectPtr conn, const char *xml, virDomainPtr *dom)
{
    *dom = virDomainDefineXML(conn, xml);
    if (!*dom)
        g_error("libvirt refused the definition: %s", virGetLastErrorMessage());
    return start_plain(*dom);
}

static char *
vm_with_seclabel(const SvmTestVm *vm, const char *seclabel)
{
    g_autofree char *base = svm_test_domain_xml(vm->name, vm->boot, "");
    g_autoptr(GString) xml = g_string_new(base);

    g_string_replace(xml, "</domain>", seclabel, 1);
    g_string_append(xml, "</domain>");
    return g_string_free(g_steal_pointer(&xml), FALSE);
}

/* The simulated host behaves as libvirt's selinux driver does on a real one: a VM's own static
 * seclabel runs QEMU under that label with its files left alone, and a dynamic one with
 * relabelling makes libvirt label the disk itself, which the record shows. */
static void
test_plain_libvirt(void)
{
    static const char static_label[] = "system_u:system_r:svirt_t:s0:c5,c6";
    g_autoptr(SvirtEngine) engine = host_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autofree char *static_xml = NULL;
    g_autofree char *dynamic_xml = NULL;
    g_autoptr(GPtrArray) records = NULL;
    SvmTestVm vm = { 0 };
    virDomainPtr dom = NULL;

    vm.dir = svm_test_make_vm_dir("svm-plain");
    vm.name = svm_test_vm_name("svm-test-plain");
    vm.boot = g_build_filename(vm.dir, "boot.img", NULL);
    svm_test_write_boot_image(vm.boot);

    static_xml = vm_with_seclabel(&vm, "<seclabel type='static' model='selinux' relabel='no'>"
                                       "<label>system_u:system_r:svirt_t:s0:c5,c6</label>"
                                       "</seclabel>");
    records = create_plain(conn, static_xml, &dom);
    g_assert_cmpstr(exec_label(records, qemu_pid(vm.name)), ==, static_label);
    g_assert_cmpuint(count_on_path(records, NULL, vm.boot), ==, 0);
    assert_security_label(dom, static_label, 1);
    remove_plain(dom);
    g_clear_pointer(&records, g_ptr_array_unref);

    dynamic_xml = vm_with_seclabel(&vm, "<seclabel type='dynamic' model='selinux' "
                                        "relabel='yes'/>");
    records = create_plain(conn, dynamic_xml, &dom);
    g_assert_cmpuint(count_on_path(records, "setfilecon", vm.boot), ==, 1);
    g_assert_true(g_str_has_prefix(exec_label(records, qemu_pid(vm.name)),
                                   "system_u:system_r:svirt_t:s0:c"));
    remove_plain(dom);
    svm_test_vm_undefine(conn, &vm);
}

typedef struct {
    SvmVmWindow *window;
    const char *label;
} SecurityShown;

static gboolean
security_shows(gpointer data)
{
    SecurityShown *shown = data;
    SvmSecurityPage *page =
        svm_test_template_child(shown->window, SVM_TYPE_VM_WINDOW, "security_page");

    return g_strcmp0(svm_security_page_get_process_label(page), shown->label) == 0;
}

/* The Security tab of a VM the engine started on this host says its labels are enforced. */
static void
test_security_tab(void)
{
    SecurityShown shown;
    SvmSecurityPage *page;
    GtkLabel *enforced;
    Started s;

    start_vm(&s, "svm-test-tab");
    shown.window = svm_vm_window_new(NULL, s.engine, s.vm.uuid);
    shown.label = s.status->process_label;
    page = svm_test_template_child(shown.window, SVM_TYPE_VM_WINDOW, "security_page");
    enforced = svm_test_template_child(page, SVM_TYPE_SECURITY_PAGE, "enforced_value");
    gtk_window_set_default_size(GTK_WINDOW(shown.window), 980, 560);
    gtk_widget_show(GTK_WIDGET(shown.window));
    svm_vm_window_show_page(shown.window, "security");
    svm_test_wait_for(security_shows, &shown, WAIT_MS, "the process label in the Security tab");

    g_assert_cmpstr(svm_security_page_get_image_label(page), ==, s.status->image_label);
    g_assert_cmpstr(gtk_label_get_text(enforced), ==,
                    "Yes: SELinux on this host enforces these labels.");
    svm_test_save_screenshot(GTK_WIDGET(shown.window), "vm-security-enforced.png");
    gtk_widget_destroy(GTK_WIDGET(shown.window));
    stop_vm(&s);
}

/* libvirt's own seclabel, set through the Security tab or svirtctl, is what a plain start runs
 * the VM under. Each test has a host of its own in a root this process makes but never opens,
 * since a process embeds one root only: its steps, subprocesses and svirtctl, open it in turn,
 * and it goes with everything in it even when a step failed. */
#define NATIVE_LABEL "system_u:system_r:svirt_t:s0:c7,c9"
#define NATIVE_ROOT_ENV "SVM_NATIVE_ROOT"
#define NATIVE_STEP_ENV "SVM_NATIVE_STEP"

static char *
native_root_new(void)
{
    char *root = svm_test_make_vm_dir("svm-embed");

    write_qemu_conf(root, "selinux");
    return root;
}

/* Runs the current test again in a subprocess that does @step on the host in @root; whether it
 * passed (why not is on stderr). */
static gboolean
run_native_step(const char *root, const char *step)
{
    g_setenv(NATIVE_ROOT_ENV, root, TRUE);
    g_setenv(NATIVE_STEP_ENV, step, TRUE);
    g_test_trap_subprocess(NULL, 300 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
    g_unsetenv(NATIVE_STEP_ENV);
    g_unsetenv(NATIVE_ROOT_ENV);
    return g_test_trap_has_passed();
}

/* In a step: the host in the root its parent made; returns the step. */
static const char *
native_attach(void)
{
    host_use(g_strdup(g_getenv(NATIVE_ROOT_ENV)));
    return g_getenv(NATIVE_STEP_ENV);
}

/* Leaves the root to the parent, which removes it. */
static void
native_detach(void)
{
    g_clear_pointer(&host.root, g_free);
    g_clear_pointer(&host.uri, g_free);
    g_clear_pointer(&host.record, g_free);
}

/* A VM booting an image in the host's root, which goes with the root. */
static virDomainPtr
native_define(virConnectPtr conn, const char *stem)
{
    g_autofree char *name = svm_test_vm_name(stem);
    g_autofree char *boot = g_build_filename(host.root, "boot.img", NULL);
    g_autofree char *xml = svm_test_domain_xml(name, boot, "");
    virDomainPtr dom;

    svm_test_write_boot_image(boot);
    dom = virDomainDefineXML(conn, xml);
    if (!dom)
        g_error("libvirt refused the definition: %s", virGetLastErrorMessage());
    return dom;
}

/* The persistent definition carries one selinux seclabel: libvirt's own static @label. */
static void
assert_native_static(virDomainPtr dom, const char *label)
{
    char *text = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
    g_autofree char *defined = g_strdup(text);
    g_autofree char *n = NULL;
    g_autofree char *type = NULL;
    g_autofree char *shown = NULL;

    free(text);
    g_assert_nonnull(defined);
    n = svirt_xml_string(defined, "string(count(//seclabel[@model='selinux']))");
    type = svirt_xml_string(defined, "string(/domain/seclabel[@model='selinux']/@type)");
    shown = svirt_xml_string(defined, "string(/domain/seclabel[@model='selinux']/label)");
    g_assert_cmpstr(n, ==, "1");
    g_assert_cmpstr(type, ==, "static");
    g_assert_cmpstr(shown, ==, label);
}

/* A plain virDomainCreate, as virsh start does, execs QEMU under @label, which libvirt then
 * reports as the VM's. */
static void
assert_plain_start_runs_under(virDomainPtr dom, const char *label)
{
    g_autoptr(GPtrArray) records = start_plain(dom);

    g_assert_cmpstr(exec_label(records, qemu_pid(virDomainGetName(dom))), ==, label);
    assert_security_label(dom, label, 1);
}

static gboolean
window_refreshed(gpointer data)
{
    return svm_vm_window_get_refresh_count(data) > 0;
}

typedef struct {
    SvmSecurityPage *page;
    char *before;
} SourceShown;

/* Whether the page, done applying, says where the settings are stored other than before. */
static gboolean
source_changed(gpointer data)
{
    SourceShown *shown = data;
    GtkLabel *source =
        svm_test_template_child(shown->page, SVM_TYPE_SECURITY_PAGE, "source_value");

    return !svm_security_page_is_busy(shown->page) &&
           g_strcmp0(gtk_label_get_text(source), shown->before) != 0;
}

static gboolean
window_idle(gpointer data)
{
    gboolean active = TRUE;

    g_object_get(svm_test_template_child(data, SVM_TYPE_VM_WINDOW, "spinner"), "active", &active,
                 NULL);
    return !active;
}

/* Chooses Static, types @label and clicks Apply, as a user would, in a window of @uuid. */
static void
apply_static_in_tab(SvirtEngine *engine, const char *uuid, const char *label)
{
    SvmVmWindow *window = svm_vm_window_new(NULL, engine, uuid);
    SvmSecurityPage *page = svm_test_template_child(window, SVM_TYPE_VM_WINDOW, "security_page");
    GtkWidget *apply = svm_test_template_child(page, SVM_TYPE_SECURITY_PAGE, "apply_button");
    GtkLabel *source = svm_test_template_child(page, SVM_TYPE_SECURITY_PAGE, "source_value");
    SourceShown shown = { page, NULL };

    gtk_window_set_default_size(GTK_WINDOW(window), 980, 560);
    gtk_widget_show(GTK_WIDGET(window));
    svm_test_wait_for(window_refreshed, window, WAIT_MS, "the details");
    svm_vm_window_show_page(window, "security");
    gtk_toggle_button_set_active(
        svm_test_template_child(page, SVM_TYPE_SECURITY_PAGE, "static_radio"), TRUE);
    gtk_entry_set_text(svm_test_template_child(page, SVM_TYPE_SECURITY_PAGE, "label_entry"),
                       label);
    g_assert_null(svm_security_page_get_label_problem(page));
    g_assert_true(gtk_widget_is_sensitive(apply));
    shown.before = g_strdup(gtk_label_get_text(source));
    gtk_button_clicked(GTK_BUTTON(apply));
    svm_test_wait_for(source_changed, &shown, WAIT_MS, "the Security tab to show the new source");
    g_free(shown.before);
    g_assert_null(svm_vm_window_get_error(window));
    g_assert_cmpstr(gtk_label_get_text(source), ==,
                    "libvirt's own <seclabel> in the VM's definition");
    g_assert_true(gtk_toggle_button_get_active(
        svm_test_template_child(page, SVM_TYPE_SECURITY_PAGE, "static_radio")));
    g_assert_cmpstr(gtk_entry_get_text(svm_test_template_child(page, SVM_TYPE_SECURITY_PAGE,
                                                               "label_entry")),
                    ==, label);
    svm_test_wait_for(window_idle, window, WAIT_MS, "the window to finish reading the VM");
    svm_test_save_screenshot(GTK_WIDGET(window), "vm-security-native-static.png");
    gtk_widget_destroy(GTK_WIDGET(window));
}

static void
security_tab_step(void)
{
    g_autoptr(SvirtEngine) engine = NULL;
    g_autoptr(virConnect) conn = NULL;
    virDomainPtr dom;
    char uuid[VIR_UUID_STRING_BUFLEN];

    native_attach();
    engine = host_engine();
    conn = svirt_engine_dup_connection(engine, NULL);
    dom = native_define(conn, "svm-test-native-tab");
    g_assert_cmpint(virDomainGetUUIDString(dom, uuid), ==, 0);
    apply_static_in_tab(engine, uuid, NATIVE_LABEL);
    assert_native_static(dom, NATIVE_LABEL);
    assert_plain_start_runs_under(dom, NATIVE_LABEL);
    remove_plain(dom);
    native_detach();
}

/* A static label chosen in the Security tab is libvirt's own, so virsh start honours it. */
static void
test_native_security_tab(void)
{
    g_autofree char *root = NULL;
    gboolean passed;

    if (g_test_subprocess()) {
        security_tab_step();
        return;
    }
    root = native_root_new();
    passed = run_native_step(root, "security-tab");
    svm_test_remove_embed_root(root);
    g_assert_true(passed);
}

static void
svirtctl_step(void)
{
    g_autoptr(virConnect) conn = NULL;
    g_autofree char *name = svm_test_vm_name("svm-test-native-cli");
    const char *step = native_attach();
    virDomainPtr dom;

    conn = virConnectOpen(host.uri);
    g_assert_nonnull(conn);
    if (g_str_equal(step, "define")) {
        virDomainFree(native_define(conn, "svm-test-native-cli"));
    } else {
        dom = virDomainLookupByName(conn, name);
        g_assert_nonnull(dom);
        assert_native_static(dom, NATIVE_LABEL);
        assert_plain_start_runs_under(dom, NATIVE_LABEL);
        remove_plain(dom);
    }
    native_detach();
}

/* The same through 'svirtctl set-label VM static LABEL', run against the embedded host between
 * a step that defines the VM and one that starts it. */
static void
test_native_svirtctl(void)
{
    g_autofree char *root = NULL;
    g_autofree char *uri = NULL;
    g_autofree char *name = svm_test_vm_name("svm-test-native-cli");
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    gboolean defined, started = FALSE;
    int rc = -1;

    if (g_test_subprocess()) {
        svirtctl_step();
        return;
    }
    root = native_root_new();
    uri = embed_uri(root);
    defined = run_native_step(root, "define");
    if (defined) {
        const char *args[] = { "-c", uri, "set-label", name, "static", NATIVE_LABEL, NULL };

        rc = svm_test_run_svirtctl(args, &out, &err);
        g_test_message("svirtctl set-label said: %s%s", out, err);
    }
    if (rc == 0)
        started = run_native_step(root, "start");
    svm_test_remove_embed_root(root);
    g_assert_true(defined);
    g_assert_cmpint(rc, ==, 0);
    g_assert_true(started);
}

int
main(int argc, char *argv[])
{
    int ret;

    preload_standin(argv);
    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_PRIVATE_STATE);
    if (!g_file_test(QEMU, G_FILE_TEST_IS_EXECUTABLE)) {
        g_print("1..0 # SKIP " QEMU " is not installed (Debian package qemu-system-x86).\n");
        return 0;
    }
    gtk_test_init(&argc, &argv, NULL);
    g_object_set(gtk_settings_get_default(), "gtk-enable-animations", FALSE, NULL);
    svirt_engine_init_libvirt();
    if (!g_test_subprocess())
        host_open("selinux");

    g_test_add_func("/selinux-host/driver-loads", test_driver_loads);
    g_test_add_func("/selinux-host/start/enforced", test_start_enforced);
    g_test_add_func("/selinux-host/start/permissive-and-disabled", test_permissive_and_disabled);
    g_test_add_func("/selinux-host/start/no-selinux-driver", test_no_selinux_driver);
    g_test_add_func("/selinux-host/libvirt/plain-start", test_plain_libvirt);
    g_test_add_func("/selinux-host/audit/host", test_audit_host);
    g_test_add_func("/selinux-host/ui/security-tab", test_security_tab);
    g_test_add_func("/selinux-host/native/security-tab", test_native_security_tab);
    g_test_add_func("/selinux-host/native/svirtctl", test_native_svirtctl);
    ret = g_test_run();
    host_close();
    return ret;
}
