#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_NEXT */
#endif
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <libvirt/virterror.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "svirt-context.h"
#include "svirt-domain-xml.h"
#include "svirt-journal.h"
#include "svirt-lifecycle.h"
#include "svm-test-cli.h"
#include "svm-test-fixture.h"
#include "svm-test-label.h"
#include "svm-test-util.h"
#include "svm-test-vm.h"

#define URI svm_test_uri()
#define ORIGINAL "system_u:object_r:virt_image_t:s0"
/* Far longer than a hook or a start needs: what takes longer is hung, and is killed. */
#define HUNG_MS 60000

/* What a child the test waited for did. */
typedef struct {
    gboolean ran;
    gboolean hung;  /* still running after HUNG_MS: killed */
    int status;
    char *err;      /* its standard error */
} Child;

static void
child_clear(Child *child)
{
    g_free(child->err);
    memset(child, 0, sizeof(*child));
}

/* Runs @argv with @input on its standard input; a child still running after HUNG_MS is
 * killed. The main context does not run meanwhile, as in a start that waits for libvirtd: what
 * it dispatches would clear libvirt's error of the failed start. */
static void
run_child(const char *const *argv, const char *input, Child *child)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GString) err = g_string_new(NULL);
    gint64 deadline = g_get_monotonic_time() + HUNG_MS * G_GINT64_CONSTANT(1000);
    int in_fd = -1, err_fd = -1;
    char buf[1024];
    ssize_t n;
    GPid pid;

    child_clear(child);
    g_assert_true(g_spawn_async_with_pipes(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                           NULL, NULL, &pid, &in_fd, NULL, &err_fd, &error));
    g_assert_no_error(error);
    child->ran = TRUE;
    if (input)
        g_assert_cmpint(write(in_fd, input, strlen(input)), ==, (ssize_t)strlen(input));
    close(in_fd);
    g_unix_set_fd_nonblocking(err_fd, TRUE, NULL);
    while (waitpid(pid, &child->status, WNOHANG) == 0) {
        while ((n = read(err_fd, buf, sizeof(buf))) > 0)
            g_string_append_len(err, buf, n);
        if (g_get_monotonic_time() > deadline) {
            child->hung = TRUE;
            kill(pid, SIGKILL);
            waitpid(pid, &child->status, 0);
            break;
        }
        g_usleep(20 * 1000);
    }
    while ((n = read(err_fd, buf, sizeof(buf))) > 0)
        g_string_append_len(err, buf, n);
    close(err_fd);
    g_spawn_close_pid(pid);
    child->err = g_string_free(g_steal_pointer(&err), FALSE);
    g_test_message("%s: %s, status %d: %s", argv[0], child->hung ? "hung" : "ended",
                   child->status, child->err);
}

typedef void (*LaunchFunc)(const char *xml, gpointer data);

/* What the test does inside virDomainCreateXML(), around libvirtd's own work. */
typedef struct {
    LaunchFunc before; /* before libvirtd starts the VM */
    LaunchFunc after;  /* once libvirtd answered */
    gpointer data;
    const char *hook;  /* run as libvirtd runs its qemu hook when a start fails after QEMU ran */
    Child hook_run;
} Launch;

static Launch launch;

typedef virDomainPtr (*CreateXmlFunc)(virConnectPtr conn, const char *xml, unsigned int flags);

/* Every start the engine makes in this process comes through here. libvirtd runs "qemu NAME
 * release end -" with the domain XML on standard input inside a start that fails after QEMU
 * was launched, before the start returns. The system libvirtd reads its hooks only when it
 * starts, so the hook installed in the test's own folder is run at that very point, as
 * libvirtd would run it. */
virDomainPtr
virDomainCreateXML(virConnectPtr conn, const char *xml, unsigned int flags)
{
    static CreateXmlFunc real;
    virDomainPtr dom;

    if (!real)
        real = (CreateXmlFunc)dlsym(RTLD_NEXT, "virDomainCreateXML");
    if (launch.before)
        launch.before(xml, launch.data);
    dom = real(conn, xml, flags);
    if (launch.after)
        launch.after(xml, launch.data);
    if (!dom && launch.hook) {
        g_autofree char *name = svirt_xml_string(xml, "string(/domain/name)");
        const char *argv[] = { launch.hook, name, "release", "end", "-", NULL };

        run_child(argv, xml, &launch.hook_run);
    }
    return dom;
}

static void
launch_reset(void)
{
    child_clear(&launch.hook_run);
    memset(&launch, 0, sizeof(launch));
}

static guint
journal_size(void)
{
    g_autoptr(SvirtJournal) j = svirt_journal_open(NULL, NULL);
    guint n;

    g_assert_true(svirt_journal_lock(j, NULL));
    n = svirt_journal_get_entries(j)->len;
    svirt_journal_unlock(j);
    return n;
}

/* A qcow2 header the engine reads (version 2, no backing file) with a cluster size QEMU
 * refuses: libvirtd launches QEMU, which exits at once. */
static void
write_unopenable_qcow2(const char *path)
{
    guint8 header[512] = { 'Q', 'F', 'I', 0xfb, 0, 0, 0, 2 };

    header[23] = 99; /* cluster_bits */
    g_assert_true(g_file_set_contents(path, (const char *)header, sizeof(header), NULL));
}

/* A VM whose private second disk, vm->data, QEMU cannot open: its start fails after QEMU was
 * launched, as the qemu hook's "release" runs. */
static void
define_unopenable(virConnectPtr conn, SvmTestVm *vm, const char *stem)
{
    g_autofree char *prefix = g_strconcat("svm-", stem + strlen("svm-test-"), NULL);
    g_autofree char *devices = NULL;
    g_autofree char *xml = NULL;
    g_autoptr(virDomain) dom = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];

    memset(vm, 0, sizeof(*vm));
    vm->dir = svm_test_make_vm_dir(prefix);
    vm->name = svm_test_vm_name(stem);
    vm->boot = g_build_filename(vm->dir, "boot.img", NULL);
    vm->data = g_build_filename(vm->dir, "data.qcow2", NULL);
    svm_test_write_boot_image(vm->boot);
    write_unopenable_qcow2(vm->data);
    devices = g_strdup_printf("<disk type='file' device='disk'><driver name='qemu' "
                              "type='qcow2'/><source file='%s'/><target dev='hdb' bus='ide'/>"
                              "</disk>",
                              vm->data);
    xml = svm_test_domain_xml(vm->name, vm->boot, devices);
    dom = virDomainDefineXML(conn, xml);
    if (!dom)
        g_error("Could not define %s: %s", vm->name, virGetLastErrorMessage());
    virDomainGetUUIDString(dom, uuid);
    vm->uuid = g_strdup(uuid);
}

/* With the qemu hook installed, a start that libvirtd fails after launching QEMU runs the
 * hook's "release" inside the start: the hook must not wait for the start, and the start
 * still puts every label back. */
static void
test_release_hook_in_failed_start(void)
{
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autofree char *hooks = svm_test_make_vm_dir("svm-hooks");
    g_autofree char *hook = g_build_filename(hooks, "qemu", NULL);
    g_autoptr(GError) error = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *boot_label = NULL;
    g_autofree char *data_label = NULL;
    const char *install[] = { "install-hook", "--dir", hooks, NULL };
    Child hook_run;
    gboolean ok;
    guint left;
    SvmTestVm vm;

    g_assert_cmpint(svm_test_run_svirtctl(install, &out, &err), ==, 0);
    define_unopenable(conn, &vm, "svm-test-hookfail");
    svm_test_set_label(vm.boot, ORIGINAL);

    launch.hook = hook;
    ok = svirt_engine_start_vm(engine, vm.name, NULL, &error);
    hook_run = launch.hook_run;
    launch.hook_run.err = NULL;
    launch_reset();
    boot_label = svm_test_read_label(vm.boot);
    data_label = svm_test_read_label(vm.data);
    left = journal_size();
    svm_test_vm_undefine(conn, &vm);
    svm_test_rmdir(hooks);

    g_test_message("start: %s", error ? error->message : "started");
    g_assert_false(ok);
    g_assert_nonnull(strstr(error->message, "libvirtd could not start"));
    /* libvirtd's reason is kept. */
    g_assert_nonnull(strstr(error->message, "qemu"));
    g_assert_true(hook_run.ran);
    g_assert_false(hook_run.hung);
    g_assert_true(WIFEXITED(hook_run.status));
    g_assert_cmpint(WEXITSTATUS(hook_run.status), ==, 0);
    g_assert_cmpstr(boot_label, ==, ORIGINAL);
    g_assert_null(data_label);
    g_assert_cmpuint(left, ==, 0);
    child_clear(&hook_run);
}

/* The only pair of a range, taken by a start that waits for libvirtd. */
#define ONE_PAIR "s0:c1010.c1011"

typedef struct {
    const char *name;
    Child start;
} OtherStart;

static void
start_other(const char *xml, gpointer data)
{
    OtherStart *other = data;
    const char *argv[] = { g_getenv("SVIRTCTL"), "--connect", URI, "--mcs-range", ONE_PAIR,
                           "start", other->name, NULL };

    run_child(argv, NULL, &other->start);
}

/* A second start while the first waits for libvirtd neither waits for it nor gets its level:
 * with one pair in the range, it is refused. */
static void
test_level_held_while_launching(void)
{
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GError) stop_error = NULL;
    g_autofree char *label = NULL;
    OtherStart other = { 0 };
    gboolean ok, other_active;
    SvmTestVm first, second;

    svm_test_vm_define(conn, &first, "svm-test-launch1", NULL, SVM_TEST_VM_PLAIN);
    svm_test_vm_define(conn, &second, "svm-test-launch2", NULL, SVM_TEST_VM_PLAIN);
    other.name = second.name;
    launch.before = start_other;
    launch.data = &other;
    ok = svirt_engine_start_vm(engine, first.name, ONE_PAIR, &error);
    launch_reset();
    label = svm_test_read_label(first.boot);
    {
        g_autoptr(virDomain) dom = virDomainLookupByName(conn, second.name);

        other_active = dom && virDomainIsActive(dom) == 1;
    }
    if (ok)
        svirt_engine_stop_vm(engine, first.name, TRUE, 0, &stop_error);
    svm_test_vm_undefine(conn, &first);
    svm_test_vm_undefine(conn, &second);

    g_assert_no_error(error);
    g_assert_true(ok);
    g_assert_no_error(stop_error);
    g_assert_cmpstr(label, ==, "system_u:object_r:svirt_image_t:s0:c1010,c1011");
    g_assert_true(other.start.ran);
    g_assert_false(other.start.hung);
    g_assert_true(WIFEXITED(other.start.status));
    g_assert_cmpint(WEXITSTATUS(other.start.status), ==, 1);
    g_assert_false(other_active);
    child_clear(&other.start);
}

typedef struct {
    const char *path;
    char *moved;
    char *elsewhere;
} Swap;

/* Someone replaces the disk by a link to a directory while libvirtd fails the start. */
static void
swap_path(const char *xml, gpointer data)
{
    Swap *swap = data;

    g_assert_cmpint(g_rename(swap->path, swap->moved), ==, 0);
    g_assert_cmpint(g_mkdir(swap->elsewhere, 0755), ==, 0);
    g_assert_cmpint(symlink(swap->elsewhere, swap->path), ==, 0);
}

static void
unswap_path(Swap *swap)
{
    g_unlink(swap->path);
    g_rmdir(swap->elsewhere);
    g_rename(swap->moved, swap->path);
}

/* A rollback that cannot restore a swapped path keeps its entry, and the error says what to
 * run once the path is back. */
static void
test_rollback_refused_says_reconcile(void)
{
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GError) reconcile_error = NULL;
    g_autofree char *data_label = NULL;
    g_autofree char *boot_label = NULL;
    Swap swap = { 0 };
    gboolean ok, reconciled;
    guint left, after;
    SvmTestVm vm;

    define_unopenable(conn, &vm, "svm-test-swap");
    svm_test_set_label(vm.boot, ORIGINAL);
    swap.path = vm.data;
    swap.moved = g_strconcat(vm.data, ".moved", NULL);
    swap.elsewhere = g_build_filename(vm.dir, "elsewhere", NULL);
    launch.after = swap_path;
    launch.data = &swap;
    ok = svirt_engine_start_vm(engine, vm.name, NULL, &error);
    launch_reset();
    left = journal_size();
    unswap_path(&swap);
    reconciled = svirt_engine_reconcile(engine, NULL, NULL, &reconcile_error);
    after = journal_size();
    data_label = svm_test_read_label(vm.data);
    boot_label = svm_test_read_label(vm.boot);
    svm_test_vm_undefine(conn, &vm);
    g_free(swap.moved);
    g_free(swap.elsewhere);

    g_test_message("start: %s", error ? error->message : "started");
    g_assert_false(ok);
    g_assert_nonnull(strstr(error->message, "libvirtd could not start"));
    g_assert_null(strstr(error->message, "Every label was put back"));
    g_assert_nonnull(strstr(error->message, "svirtctl reconcile"));
    g_assert_cmpuint(left, ==, 1);
    g_assert_no_error(reconcile_error);
    g_assert_true(reconciled);
    g_assert_cmpuint(after, ==, 0);
    g_assert_null(data_label);
    g_assert_cmpstr(boot_label, ==, ORIGINAL);
}

/* Three pairs: c1020,c1021 c1020,c1022 c1021,c1022. */
#define THREE_PAIRS "s0:c1020.c1022"

static char *
level_of(const char *label)
{
    g_autoptr(SvirtContext) ctx = label ? svirt_context_parse(label, NULL) : NULL;

    return ctx && svirt_context_get_low(ctx) ? svirt_level_to_string(svirt_context_get_low(ctx))
                                              : NULL;
}

static char *
live_labels_of(virConnectPtr conn, const char *name)
{
    g_autoptr(virDomain) dom = virDomainLookupByName(conn, name);

    return dom ? virDomainGetXMLDesc(dom, 0) : NULL;
}

static guint
count(const char *haystack, const char *needle)
{
    guint n = 0;

    for (const char *p = haystack ? strstr(haystack, needle) : NULL; p;
         p = strstr(p + 1, needle))
        n++;
    return n;
}

/* A labels element copied into a persistent definition (virsh dumpxml of a running VM, then
 * virsh define), or forged there with another running VM's level, is not what the VM runs
 * with: the start gives it its own level, status shows that one, and reservations see it. */
static void
test_forged_live_labels(void)
{
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtVmStatus) first_status = NULL;
    g_autoptr(SvirtVmStatus) second_status = NULL;
    g_autoptr(GPtrArray) planned = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *first_level = NULL;
    g_autofree char *forged = NULL;
    g_autofree char *second_disk = NULL;
    g_autofree char *live = NULL;
    SvmTestVm first, second, third;

    svm_test_vm_define(conn, &first, "svm-test-forge1", NULL, SVM_TEST_VM_PLAIN);
    svm_test_vm_define(conn, &second, "svm-test-forge2", NULL, SVM_TEST_VM_PLAIN);
    svm_test_vm_define(conn, &third, "svm-test-forge3", NULL, SVM_TEST_VM_PLAIN);
    g_assert_true(svirt_engine_start_vm(engine, first.name, THREE_PAIRS, &error));
    first_status = svirt_engine_get_vm_status(engine, first.name, &error);
    g_assert_no_error(error);
    first_level = level_of(first_status->process_label);
    g_assert_nonnull(first_level);
    forged = g_strdup_printf("<labels mode='dynamic' process='system_u:system_r:svirt_t:%s' "
                             "image='system_u:object_r:svirt_image_t:%s' level='%s'/>",
                             first_level, first_level, first_level);
    {
        g_autoptr(virDomain) dom = virDomainLookupByName(conn, second.name);

        g_assert_cmpint(virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, forged,
                                             SVIRT_LIVE_PREFIX, SVIRT_LIVE_NS,
                                             VIR_DOMAIN_AFFECT_CONFIG),
                        ==, 0);
    }
    g_assert_true(svirt_engine_start_vm(engine, second.name, THREE_PAIRS, &error));
    second_status = svirt_engine_get_vm_status(engine, second.name, &error);
    second_disk = svm_test_read_label(second.boot);
    live = live_labels_of(conn, second.name);
    for (guint i = 0; i < 8; i++) {
        g_autoptr(GError) plan_error = NULL;
        g_autoptr(SvirtPlan) plan = svirt_engine_plan_vm(engine, third.name, THREE_PAIRS,
                                                         &plan_error);

        g_ptr_array_add(planned, g_strdup(plan ? plan->level : plan_error->message));
    }
    svirt_engine_stop_vm(engine, first.name, TRUE, 0, NULL);
    svirt_engine_stop_vm(engine, second.name, TRUE, 0, NULL);
    svm_test_vm_undefine(conn, &first);
    svm_test_vm_undefine(conn, &second);
    svm_test_vm_undefine(conn, &third);

    g_assert_no_error(error);
    g_test_message("first %s; second %s, its disk %s", first_level,
                   second_status->process_label, second_disk);
    g_assert_true(second_status->started_by_engine);
    g_assert_nonnull(second_status->image_label);
    g_assert_cmpstr(second_status->image_label, ==, second_disk);
    {
        g_autofree char *second_level = level_of(second_status->process_label);
        g_autofree char *disk_level = level_of(second_disk);

        g_assert_cmpstr(second_level, ==, disk_level);
        g_assert_cmpstr(second_level, !=, first_level);
        for (guint i = 0; i < planned->len; i++) {
            const char *level = g_ptr_array_index(planned, i);

            g_test_message("a third VM would get %s", level);
            g_assert_true(g_str_has_prefix(level, "s0:c10"));
            g_assert_cmpstr(level, !=, first_level);
            g_assert_cmpstr(level, !=, second_level);
        }
    }
    /* The live definition carries only the labels this start wrote. */
    g_assert_cmpuint(count(live, SVIRT_LIVE_NS), ==, 1);
}

/* The engine keeps the levels running VMs hold from one start to the next. What another
 * process starts, and what stops outside the engine, it still sees: with as many pairs as VMs,
 * every start gets its own pair, one more is refused, and the pair of a VM destroyed with
 * virsh is free again at once. */
static void
test_held_levels_follow_outside(void)
{
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GError) full_error = NULL;
    g_autofree char *outside_out = NULL;
    g_autofree char *outside_err = NULL;
    g_autofree char *destroy_cmd = NULL;
    g_autofree char *outside_level = NULL;
    g_autofree char *last_level = NULL;
    g_autoptr(GPtrArray) levels = g_ptr_array_new_with_free_func(g_free);
    gboolean full_refused, last_started;
    int outside_status, destroy_status = -1;
    SvmTestVm vm[4];

    for (guint i = 0; i < G_N_ELEMENTS(vm); i++) {
        g_autofree char *stem = g_strdup_printf("svm-test-held%u", i);

        svm_test_vm_define(conn, &vm[i], stem, NULL, SVM_TEST_VM_PLAIN);
    }
    g_assert_true(svirt_engine_start_vm(engine, vm[0].name, THREE_PAIRS, &error));
    g_assert_no_error(error);
    {
        const char *args[] = { "--connect", URI, "--mcs-range", THREE_PAIRS, "start", vm[1].name,
                               NULL };

        outside_status = svm_test_run_svirtctl(args, &outside_out, &outside_err);
    }
    g_assert_true(svirt_engine_start_vm(engine, vm[2].name, THREE_PAIRS, &error));
    g_assert_no_error(error);
    for (guint i = 0; i < 3; i++) {
        g_autoptr(SvirtVmStatus) status = svirt_engine_get_vm_status(engine, vm[i].name, NULL);

        g_ptr_array_add(levels, status ? level_of(status->process_label) : NULL);
    }
    full_refused = !svirt_engine_start_vm(engine, vm[3].name, THREE_PAIRS, &full_error);
    outside_level = g_strdup(g_ptr_array_index(levels, 1));
    destroy_cmd = g_strdup_printf("virsh -q -c %s destroy %s", URI, vm[1].name);
    g_spawn_command_line_sync(destroy_cmd, NULL, NULL, &destroy_status, NULL);
    last_started = svirt_engine_start_vm(engine, vm[3].name, THREE_PAIRS, &error);
    {
        g_autoptr(SvirtVmStatus) status = svirt_engine_get_vm_status(engine, vm[3].name, NULL);

        last_level = status ? level_of(status->process_label) : NULL;
    }
    for (guint i = 0; i < G_N_ELEMENTS(vm); i++)
        svirt_engine_stop_vm(engine, vm[i].name, TRUE, 0, NULL);
    svirt_restore_holder(vm[1].uuid, NULL, NULL);
    for (guint i = 0; i < G_N_ELEMENTS(vm); i++)
        svm_test_vm_undefine(conn, &vm[i]);

    g_test_message("outside start: %d %s", outside_status, outside_err);
    g_assert_cmpint(outside_status, ==, 0);
    for (guint i = 0; i < 3; i++) {
        g_test_message("VM %u: %s", i, (char *)g_ptr_array_index(levels, i));
        g_assert_nonnull(g_ptr_array_index(levels, i));
        for (guint j = 0; j < i; j++)
            g_assert_cmpstr(g_ptr_array_index(levels, i), !=, g_ptr_array_index(levels, j));
    }
    g_assert_true(full_refused);
    g_assert_error(full_error, SVIRT_ERROR, SVIRT_ERROR_EXHAUSTED);
    g_assert_cmpint(destroy_status, ==, 0);
    g_assert_no_error(error);
    g_assert_true(last_started);
    g_assert_cmpstr(last_level, ==, outside_level);
}

int
main(int argc, char *argv[])
{
    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_PRIVATE_STATE | SVM_TEST_FIXTURE_LIBVIRTD);
    g_test_init(&argc, &argv, NULL);
    svirt_engine_init_libvirt();

    g_test_add_func("/system/start/release-hook-in-failed-start",
                    test_release_hook_in_failed_start);
    g_test_add_func("/system/start/level-held-while-launching", test_level_held_while_launching);
    g_test_add_func("/system/start/rollback-refused-says-reconcile",
                    test_rollback_refused_says_reconcile);
    g_test_add_func("/system/start/forged-live-labels", test_forged_live_labels);
    g_test_add_func("/system/start/held-levels-follow-outside", test_held_levels_follow_outside);
    return g_test_run();
}
