/* Time and memory to show 2,000 VMs, and CPU used while idle afterwards; then the same list
 * against the system libvirtd.
 *
 * The VMs come from a generated libvirt test-driver file. "ours" is the engine's listing fed
 * into the app's real list model (and, when a display is available, the real main window);
 * the baseline, run in the same process on the same file, is a plain libvirt client that
 * lists the domains and asks each one for its name, UUID and state.
 *
 * On qemu:///system (as root; --system-only runs just this part, --no-system skips it,
 * --system-vms=N changes the count) the run defines 2,000 VMs of its own, named after its pid,
 * and removes them at the end, on Ctrl+C too, and those a killed run left behind at the next.
 * It counts libvirt calls from libvirt's client log (RPC calls sent), and times what the main
 * window asks to fill its list and label columns, alone and while the engine starts a small
 * TCG VM, against a plain client that asks each VM for its state and definition as virsh does,
 * in alternating rounds.
 *
 * The first GTK client of a fresh X server loads Mesa (llvmpipe, some 45 MB) to find the GL
 * visuals and leaves them on the root window for later clients; on a desktop session some other
 * program did that long before. So a short-lived GTK client opens the display first, and the
 * app's memory is measured as on a desktop.
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>

#include "svirt-journal.h"
#include "svirt-lifecycle.h"

#include "svm-test-util.h"
#include "svm-window-private.h"

#define N_VMS 2000
#define IDLE_SECONDS 10

/* When all rows were present, and when their label columns were filled. */
static double rows_at;
static double labels_at;

static double
now(void)
{
    return g_get_monotonic_time() / 1e6;
}

static double
cpu_seconds(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static double
rss_mb(void)
{
    g_autofree char *status = NULL;
    const char *line;

    if (!g_file_get_contents("/proc/self/status", &status, NULL, NULL))
        return 0;
    line = strstr(status, "VmRSS:");
    return line ? g_ascii_strtod(line + 6, NULL) / 1024.0 : 0;
}

/* Memory the process itself dirtied: heap and stacks, without shared library pages. */
static double
private_mb(void)
{
    g_autofree char *rollup = NULL;
    const char *line;

    if (!g_file_get_contents("/proc/self/smaps_rollup", &rollup, NULL, NULL))
        return 0;
    line = strstr(rollup, "Private_Dirty:");
    return line ? g_ascii_strtod(line + 14, NULL) / 1024.0 : 0;
}

static double
peak_rss_mb(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024.0;
}

static char *
write_driver_file(void)
{
    g_autoptr(GString) xml = g_string_new("<node xmlns:test='http://libvirt.org/schemas/domain/"
                                          "test/1.0'>\n");
    g_autoptr(GError) error = NULL;
    char *path = NULL;
    int fd = g_file_open_tmp("bench-vm-list-XXXXXX.xml", &path, &error);

    g_assert_no_error(error);
    for (int i = 0; i < N_VMS; i++) {
        /* Every other VM is shut off, the rest run, as on a busy host. */
        g_string_append_printf(xml,
                               "<domain type='test'><name>vm-%04d</name>"
                               "<uuid>00000000-0000-4000-8000-%012d</uuid>"
                               "<memory>65536</memory><os><type>hvm</type></os>"
                               "<test:runstate>%d</test:runstate></domain>\n",
                               i, i, i % 2 ? VIR_DOMAIN_SHUTOFF : VIR_DOMAIN_RUNNING);
    }
    g_string_append(xml, "</node>\n");
    g_assert_true(g_file_set_contents(path, xml->str, xml->len, &error));
    g_assert_no_error(error);
    close(fd);
    return path;
}

static gboolean
quit_loop(gpointer data)
{
    g_main_loop_quit(data);
    return G_SOURCE_REMOVE;
}

static void
on_loaded(GObject *window, GParamSpec *pspec, GMainLoop *loop)
{
    if (svm_window_is_loaded(SVM_WINDOW(window)))
        g_main_loop_quit(loop);
}

static void
on_list_ready(GObject *source, GAsyncResult *result, gpointer data)
{
    GPtrArray **out = data;
    g_autoptr(GError) error = NULL;

    *out = svirt_engine_list_vms_finish(SVIRT_ENGINE(source), result, &error);
    g_assert_no_error(error);
}

static guint
load_ours_model(const char *uri, SvmVmList **list_out)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(uri);
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) vms = NULL;
    g_autoptr(GPtrArray) labels = NULL;
    SvmVmList *list = svm_vm_list_new();

    g_assert_true(svirt_engine_connect(engine, NULL, &error));
    svirt_engine_list_vms_async(engine, NULL, on_list_ready, &vms);
    while (!vms)
        g_main_context_iteration(NULL, TRUE);
    svm_vm_list_set_vms(list, vms);
    rows_at = now();
    labels = svirt_engine_list_vm_labels(engine, NULL, &error);
    g_assert_no_error(error);
    for (guint i = 0; i < labels->len; i++)
        svm_vm_list_set_labels(list, g_ptr_array_index(labels, i));
    labels_at = now();
    *list_out = list;
    return svm_vm_list_get_n_vms(list);
}

/* Typing in the filter: the view's rows for a name part and for a state. */
static double
time_filter(GtkWidget *window)
{
    GtkEntry *search = GTK_ENTRY(gtk_widget_get_template_child(window, SVM_TYPE_WINDOW,
                                                               "search_entry"));
    GtkComboBox *state = GTK_COMBO_BOX(gtk_widget_get_template_child(window, SVM_TYPE_WINDOW,
                                                                     "state_filter"));
    GtkTreeView *view = GTK_TREE_VIEW(gtk_widget_get_template_child(window, SVM_TYPE_WINDOW,
                                                                    "vm_view"));
    GtkTreeModel *model = gtk_tree_view_get_model(view);
    double t0 = now();
    int rows;

    gtk_entry_set_text(search, "vm-01");
    g_signal_emit_by_name(search, "search-changed");
    rows = gtk_tree_model_iter_n_children(model, NULL);
    g_assert_cmpint(rows, ==, 100);
    gtk_combo_box_set_active_id(state, "running");
    rows = gtk_tree_model_iter_n_children(model, NULL);
    g_assert_cmpint(rows, ==, 50);
    while (g_main_context_pending(NULL))
        g_main_context_iteration(NULL, FALSE);
    gtk_entry_set_text(search, "");
    g_signal_emit_by_name(search, "search-changed");
    gtk_combo_box_set_active_id(state, "all");
    while (g_main_context_pending(NULL))
        g_main_context_iteration(NULL, FALSE);
    return now() - t0;
}

static void
on_labels_loaded(SvmWindow *window, GMainLoop *loop)
{
    g_main_loop_quit(loop);
}

static guint
load_ours_window(const char *uri, GtkWidget **window_out)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(uri);
    g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
    SvmWindow *window = svm_window_new(NULL, engine, NULL);
    GtkTreeView *view;

    g_signal_connect(window, "notify::loaded", G_CALLBACK(on_loaded), loop);
    g_signal_connect(window, "labels-loaded", G_CALLBACK(on_labels_loaded), loop);
    gtk_widget_show(GTK_WIDGET(window));
    g_main_loop_run(loop);
    rows_at = now();
    /* Then the label mode, process label and isolation columns, filled off the main thread. */
    g_main_loop_run(loop);
    labels_at = now();
    /* Count what the view shows, then let it draw once. */
    while (g_main_context_pending(NULL))
        g_main_context_iteration(NULL, FALSE);
    *window_out = GTK_WIDGET(window);
    view = GTK_TREE_VIEW(gtk_widget_get_template_child(*window_out, SVM_TYPE_WINDOW, "vm_view"));
    return gtk_tree_model_iter_n_children(gtk_tree_view_get_model(view), NULL);
}

typedef struct {
    char *name;
    char uuid[VIR_UUID_STRING_BUFLEN];
    int state;
} PlainVm;

static guint
load_baseline(const char *uri, GArray **out)
{
    virConnectPtr conn = virConnectOpen(uri);
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(conn, &doms, 0);
    GArray *vms = g_array_sized_new(FALSE, TRUE, sizeof(PlainVm), n);

    for (int i = 0; i < n; i++) {
        PlainVm vm = { 0 };
        int reason;

        vm.name = g_strdup(virDomainGetName(doms[i]));
        virDomainGetUUIDString(doms[i], vm.uuid);
        virDomainGetState(doms[i], &vm.state, &reason, 0);
        g_array_append_val(vms, vm);
        virDomainFree(doms[i]);
    }
    free(doms);
    virConnectClose(conn);
    *out = vms;
    return vms->len;
}

/* The run against the system libvirtd: VMs defined by this run, named after it, and counted
 * round trips from libvirt's own client log. */
#define SYSTEM_URI "qemu:///system"
#define SYSTEM_ROUNDS 3
#define DEFINE_THREADS 4
#define SYSTEM_PREFIX "bench-vm-list-"

static char *rpc_log;
static volatile sig_atomic_t interrupted;

static void
on_interrupt(int sig)
{
    interrupted = 1;
}

/* Libvirt reads its log settings at its first call: set before it, for the whole process. */
static void
log_rpc_calls(const char *dir)
{
    rpc_log = g_build_filename(dir, "libvirt-client.log", NULL);
    svm_test_rpc_log_setenv(rpc_log);
}

/* The calls (not replies, events or keepalives) the client sent since byte @from of the log. */
static guint
count_calls(goffset from, goffset *end)
{
    if (!rpc_log) {
        if (end)
            *end = 0;
        return 0;
    }
    return svm_test_rpc_log_count(rpc_log, from, end);
}

static goffset
log_end(void)
{
    goffset end = 0;

    count_calls(G_MAXINT64, &end);
    return end;
}

static int
compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
    qsort(v, n, sizeof(double), compare_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The pid in the name of a VM of some run, or 0. */
static int
run_of(const char *name)
{
    if (!g_str_has_prefix(name, SYSTEM_PREFIX))
        return 0;
    return atoi(name + strlen(SYSTEM_PREFIX));
}

typedef struct {
    virConnectPtr conn;
    char *prefix;
    gint next;
    int n;
    GPtrArray *doms; /* virDomainPtr to remove, or NULL */
    gint defined;
} Defining;

static gpointer
define_worker(gpointer data)
{
    Defining *d = data;
    int i;

    while ((i = g_atomic_int_add(&d->next, 1)) < d->n && !interrupted) {
        g_autofree char *xml = g_strdup_printf(
            "<domain type='qemu'><name>%s%04d</name><memory unit='MiB'>32</memory>"
            "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
            "<emulator>/usr/bin/qemu-system-x86_64</emulator>"
            "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
            "<source file='/var/lib/libvirt/images/%s%04d.img'/>"
            "<target dev='vda' bus='virtio'/></disk></devices></domain>",
            d->prefix, i, d->prefix, i);
        virDomainPtr dom = virDomainDefineXML(d->conn, xml);

        if (!dom) {
            fprintf(stderr, "bench-vm-list: cannot define VM %d: %s\n", i,
                    virGetLastErrorMessage());
            interrupted = 1;
            break;
        }
        virDomainFree(dom);
        g_atomic_int_inc(&d->defined);
    }
    return NULL;
}

static gpointer
remove_worker(gpointer data)
{
    Defining *d = data;
    int i;

    while ((i = g_atomic_int_add(&d->next, 1)) < (int)d->doms->len) {
        virDomainPtr dom = g_ptr_array_index(d->doms, i);

        if (virDomainIsActive(dom) == 1)
            virDomainDestroy(dom);
        virDomainUndefine(dom);
    }
    return NULL;
}

static void
run_threads(GThreadFunc func, Defining *d)
{
    GThread *threads[DEFINE_THREADS];

    d->next = 0;
    for (int i = 0; i < DEFINE_THREADS; i++)
        threads[i] = g_thread_new("bench-define", func, d);
    for (int i = 0; i < DEFINE_THREADS; i++)
        g_thread_join(threads[i]);
}

/* Removes the VMs of this run (@own_prefix) and those earlier runs that ended without removing
 * theirs left behind; returns how many. On a connection of its own: libvirtd closes one that
 * waited longer than its keepalive allows while nothing answered. */
static guint
remove_bench_vms(const char *own_prefix)
{
    virConnectPtr conn = virConnectOpen(SYSTEM_URI);
    virDomainPtr *doms = NULL;
    int n = conn ? virConnectListAllDomains(conn, &doms, 0) : -1;
    Defining d = { conn, NULL, 0, 0, g_ptr_array_new_with_free_func((GDestroyNotify)virDomainFree),
                   0 };
    guint removed;

    if (n < 0)
        fprintf(stderr, "bench-vm-list: cannot list the VMs to remove: %s\n",
                virGetLastErrorMessage());

    for (int i = 0; i < n; i++) {
        const char *name = virDomainGetName(doms[i]);
        int pid = run_of(name);

        if ((own_prefix && g_str_has_prefix(name, own_prefix)) ||
            (pid > 0 && pid != getpid() && kill(pid, 0) < 0 && errno == ESRCH))
            g_ptr_array_add(d.doms, doms[i]);
        else
            virDomainFree(doms[i]);
    }
    free(doms);
    run_threads(remove_worker, &d);
    removed = d.doms->len;
    g_ptr_array_unref(d.doms);
    if (conn)
        virConnectClose(conn);
    return removed;
}

/* What the window does to fill its list and label columns, on a fresh connection; returns the
 * seconds from the first call, and the calls and VMs. */
/* CPU this process used in the last list_ours(), its threads included. */
static double ours_cpu;

static double
list_ours(guint *calls, guint *n_vms)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(SYSTEM_URI);
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) vms = NULL;
    g_autoptr(GPtrArray) labels = NULL;
    goffset from;
    double t0;

    if (!svirt_engine_connect(engine, NULL, &error))
        g_error("%s", error->message);
    from = log_end();
    ours_cpu = cpu_seconds();
    t0 = now();
    vms = svirt_engine_list_vms(engine, NULL, &error);
    g_assert_no_error(error);
    labels = svirt_engine_list_vm_labels(engine, NULL, &error);
    g_assert_no_error(error);
    t0 = now() - t0;
    ours_cpu = cpu_seconds() - ours_cpu;
    *calls = count_calls(from, NULL);
    *n_vms = labels->len;
    return t0;
}

/* A plain client that shows a state and a label per VM as virsh would get them: the list, then
 * for each VM a lookup by UUID, its state and its live definition (not parsed). */
static double
list_baseline(guint *calls, guint *n_vms)
{
    virConnectPtr conn = virConnectOpen(SYSTEM_URI);
    virDomainPtr *doms = NULL;
    goffset from = log_end();
    double t0 = now();
    int n = virConnectListAllDomains(conn, &doms, 0);

    for (int i = 0; i < n; i++) {
        char uuid[VIR_UUID_STRING_BUFLEN];
        virDomainPtr dom;
        int state, reason;

        virDomainGetUUIDString(doms[i], uuid);
        dom = virDomainLookupByUUIDString(conn, uuid);
        if (dom) {
            char *xml;

            virDomainGetState(dom, &state, &reason, 0);
            xml = virDomainGetXMLDesc(dom, 0);
            free(xml);
            virDomainFree(dom);
        }
        virDomainFree(doms[i]);
    }
    free(doms);
    t0 = now() - t0;
    *calls = count_calls(from, NULL);
    *n_vms = MAX(n, 0);
    virConnectClose(conn);
    return t0;
}

/* The engine's per-VM path, as the list took it before it read in bulk: one
 * svirt_engine_get_vm_labels() per VM of the list. */
static double
list_per_vm(guint *calls, guint *n_vms)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(SYSTEM_URI);
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) vms = NULL;
    goffset from;
    double t0;

    if (!svirt_engine_connect(engine, NULL, &error))
        g_error("%s", error->message);
    from = log_end();
    t0 = now();
    vms = svirt_engine_list_vms(engine, NULL, &error);
    g_assert_no_error(error);
    for (guint i = 0; i < vms->len; i++) {
        SvirtVmInfo *info = g_ptr_array_index(vms, i);
        g_autoptr(SvirtVmLabels) labels = svirt_engine_get_vm_labels(engine, info->uuid, NULL);
    }
    t0 = now() - t0;
    *calls = count_calls(from, NULL);
    *n_vms = vms->len;
    return t0;
}

typedef double (*ListFunc)(guint *calls, guint *n_vms);

typedef struct {
    SvirtEngine *engine;
    const char *vm;
    const char *uuid;
    gint done;
    double ended;
    GError *error;
} Start;

static gpointer
start_worker(gpointer data)
{
    Start *s = data;

    svirt_engine_start_vm(s->engine, s->vm, NULL, &s->error);
    s->ended = now();
    g_atomic_int_set(&s->done, 1);
    return NULL;
}

/* Whether the start has recorded its VM in the journal: it then holds the lock until QEMU runs. */
static gboolean
start_recorded(const Start *s)
{
    g_autoptr(SvirtJournal) journal = svirt_journal_read_snapshot(NULL, NULL);

    return journal && svirt_journal_lookup_vm(journal, s->uuid) != NULL;
}

/* @list while the engine starts VM @vm: the start begins first and holds the journal's lock
 * through QEMU's launch. Returns the listing's seconds; *@overlap says whether the start was
 * still running when the list was filled. */
static double
list_during_start(SvirtEngine *engine, const char *vm, const char *uuid, ListFunc list,
                  gboolean *overlap, double *start_s)
{
    Start s = { engine, vm, uuid, 0, 0, NULL };
    double started = now();
    GThread *thread = g_thread_new("bench-start", start_worker, &s);
    guint calls, n;
    double took;

    while (!g_atomic_int_get(&s.done) && !start_recorded(&s))
        g_usleep(1000);
    /* Whether the list began while the start held the journal's lock. */
    *overlap = !g_atomic_int_get(&s.done);
    took = list(&calls, &n);
    g_thread_join(thread);
    *start_s = s.ended - started;
    if (s.error)
        g_error("The parallel start failed: %s", s.error->message);
    if (!svirt_engine_stop_vm(engine, vm, TRUE, 0, NULL))
        g_warning("Could not stop %s", vm);
    return took;
}

static int
run_system(int n_vms)
{
    g_autofree char *prefix = g_strdup_printf(SYSTEM_PREFIX "%d-", (int)getpid());
    g_autofree char *start_vm = g_strdup_printf("%sstart", prefix);
    g_autofree char *dir = NULL;
    g_autofree char *disk = NULL;
    g_autofree char *xml = NULL;
    g_autoptr(SvirtEngine) engine = NULL;
    g_autoptr(GError) error = NULL;
    virConnectPtr conn = virConnectOpen(SYSTEM_URI);
    virDomainPtr start_dom = NULL;
    char start_uuid[VIR_UUID_STRING_BUFLEN] = "";
    Defining d = { conn, prefix, 0, n_vms, NULL, 0 };
    struct sigaction sa = { 0 }, old_int, old_term;
    double ours[SYSTEM_ROUNDS], base[SYSTEM_ROUNDS], ours_start[SYSTEM_ROUNDS],
        base_start[SYSTEM_ROUNDS];
    guint ours_calls = 0, base_calls = 0, per_vm_calls = 0, n_ours = 0, n_base = 0, n_per_vm = 0;
    double per_vm_s = 0, t0, starts[2 * SYSTEM_ROUNDS], cpu[SYSTEM_ROUNDS];
    guint overlap_ours = 0, overlap_base = 0;
    gboolean overlap;
    guint swept;
    int status = 0;

    printf("\nbench-vm-list: %d VMs defined on %s (the host is shared with other work; "
           "figures are as measured)\n", n_vms, SYSTEM_URI);
    if (!conn) {
        printf("skipped: %s is not reachable (%s); run tools/setup as root first\n", SYSTEM_URI,
               virGetLastErrorMessage());
        return 0;
    }
    /* The VM started in parallel: TCG, one small disk of its own, made before anything is
     * defined so that a failure here leaves nothing behind. */
    dir = g_dir_make_tmp("bench-vm-list-start-XXXXXX", &error);
    if (dir) {
        g_autofree char *zeros = g_malloc0(1024 * 1024);

        g_chmod(dir, 0755);
        disk = g_build_filename(dir, "disk.img", NULL);
        g_file_set_contents(disk, zeros, 1024 * 1024, &error);
    }
    if (error) {
        fprintf(stderr, "bench-vm-list: the disk of the VM to start in parallel: %s\n",
                error->message);
        if (dir) {
            g_unlink(disk);
            g_rmdir(dir);
        }
        virConnectClose(conn);
        return 1;
    }
    swept = remove_bench_vms(NULL);
    if (swept)
        printf("removed %u VMs an interrupted earlier run left behind\n", swept);

    /* Ctrl+C ends the run through the removal below; a second one ends it at once. */
    sa.sa_handler = on_interrupt;
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    t0 = now();
    run_threads(define_worker, &d);
    printf("defined %d VMs in %.1f s (%d threads)\n", d.defined, now() - t0, DEFINE_THREADS);

    xml = g_strdup_printf("<domain type='qemu'><name>%s</name><memory unit='MiB'>32</memory>"
                          "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
                          "<emulator>/usr/bin/qemu-system-x86_64</emulator>"
                          "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                          "<source file='%s'/><target dev='vda' bus='virtio'/></disk>"
                          "</devices></domain>",
                          start_vm, disk);
    if (!interrupted && !(start_dom = virDomainDefineXML(conn, xml))) {
        fprintf(stderr, "bench-vm-list: cannot define %s: %s\n", start_vm,
                virGetLastErrorMessage());
        interrupted = 1;
    }
    if (start_dom) {
        virDomainGetUUIDString(start_dom, start_uuid);
        virDomainFree(start_dom);
    }
    engine = svirt_engine_new(SYSTEM_URI);
    if (!interrupted && !svirt_engine_connect(engine, NULL, &error)) {
        fprintf(stderr, "bench-vm-list: %s\n", error->message);
        interrupted = 1;
    }
    /* One start and stop first, so neither side pays for QEMU's first launch. */
    if (!interrupted && (!svirt_engine_start_vm(engine, start_vm, NULL, &error) ||
                         !svirt_engine_stop_vm(engine, start_vm, TRUE, 0, &error))) {
        fprintf(stderr, "bench-vm-list: the VM to start in parallel: %s\n", error->message);
        interrupted = 1;
    }

    /* Alternating, so both sides see the same host. */
    for (int r = 0; r < SYSTEM_ROUNDS && !interrupted; r++) {
        ours[r] = list_ours(&ours_calls, &n_ours);
        cpu[r] = ours_cpu;
        base[r] = list_baseline(&base_calls, &n_base);
        ours_start[r] = list_during_start(engine, start_vm, start_uuid, list_ours, &overlap,
                                          &starts[2 * r]);
        overlap_ours += overlap;
        base_start[r] = list_during_start(engine, start_vm, start_uuid, list_baseline, &overlap,
                                          &starts[2 * r + 1]);
        overlap_base += overlap;
    }
    if (!interrupted)
        per_vm_s = list_per_vm(&per_vm_calls, &n_per_vm);

    if (!interrupted) {
        double o = median(ours, SYSTEM_ROUNDS), b = median(base, SYSTEM_ROUNDS);
        double os = median(ours_start, SYSTEM_ROUNDS), bs = median(base_start, SYSTEM_ROUNDS);
        double cpv = (double)ours_calls / n_ours, bpv = (double)base_calls / n_base;

        printf("\n%-44s %12s %12s %8s\n", "measure (median of 3)", "ours", "baseline",
               "ratio");
        printf("%-44s %12.2f %12.2f %7.2fx\n", "libvirt calls per VM (list + label columns)",
               cpv, bpv, cpv / bpv);
        printf("%-44s %9.0f ms %9.0f ms %7.2fx\n", "time to filled label columns", o * 1000,
               b * 1000, o / b);
        printf("%-44s %9.0f ms\n", "  CPU of this process meanwhile (all threads)",
               median(cpu, SYSTEM_ROUNDS) * 1000);
        printf("%-44s %9.0f ms %9.0f ms %7.2fx\n", "  the same with a VM start in parallel",
               os * 1000, bs * 1000, os / bs);
        printf("%-44s %12.2f %12s\n", "  per-VM engine path: calls per VM",
               (double)per_vm_calls / n_per_vm, "");
        printf("%-44s %9.0f ms %12s %7.2fx\n", "  per-VM engine path: time", per_vm_s * 1000,
               "", o / per_vm_s);
        printf("(%u VMs listed: %u calls ours, %u baseline; the list began while the start "
               "held the journal's lock in %u of %d rounds ours, %u of %d baseline)\n",
               n_ours, ours_calls, base_calls, overlap_ours, SYSTEM_ROUNDS, overlap_base,
               SYSTEM_ROUNDS);
        printf("(a start of the TCG VM took %.0f ms, median of %d)\n",
               median(starts, 2 * SYSTEM_ROUNDS) * 1000, 2 * SYSTEM_ROUNDS);
        printf("\ntargets: %d VMs < 1000 ms: %s; with a start in parallel < 1500 ms: %s; "
               "<= 2 calls per VM: %s\n",
               n_vms, o < 1.0 ? "met" : "MISSED", os < 1.5 ? "met" : "MISSED",
               cpv <= 2 ? "met" : "MISSED");
        printf("baseline: a plain client as virsh would show state and label (list, then per "
               "VM lookup by UUID, state, live definition), on its own connection; per-VM "
               "engine path: svirt_engine_get_vm_labels() for each VM after the list, as "
               "before the list read in bulk\n");
    } else {
        printf("interrupted: removing the VMs of this run\n");
        status = 1;
    }

    printf("removed %u VMs\n", remove_bench_vms(prefix));
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    g_unlink(disk);
    g_rmdir(dir);
    virConnectClose(conn);
    return status;
}

/* The journal directory of this run, with what the engine put in it. */
static void
remove_state_dir(const char *dir)
{
    g_autoptr(GDir) d = dir ? g_dir_open(dir, 0, NULL) : NULL;
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *file = g_build_filename(dir, name, NULL);

        g_unlink(file);
    }
    if (dir)
        g_rmdir(dir);
}

int
main(int argc, char *argv[])
{
    g_autofree char *path = NULL;
    g_autofree char *uri = NULL;
    g_autofree char *state = NULL;
    gboolean with_window, test_driver = TRUE, system = TRUE;
    int system_vms = N_VMS, status = 0;
    double t0, ours_s, base_s, rss_start, rss_ours, rss_after_base, cpu0, idle_cpu, priv_ours;
    double filter_s = -1, labels_s;
    guint n_ours, n_base;
    SvmVmList *list = NULL;
    GtkWidget *window = NULL;
    GArray *plain = NULL;
    g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);

    if (argc == 2 && g_str_equal(argv[1], "--open-display-only"))
        return gtk_init_check(&argc, &argv) ? 0 : 1;
    if (g_getenv("DISPLAY")) {
        const char *open_argv[] = { "/proc/self/exe", "--open-display-only", NULL };
        int open_status = -1;

        if (!g_spawn_sync(NULL, (char **)open_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                          NULL, &open_status, NULL) ||
            !g_spawn_check_wait_status(open_status, NULL))
            fprintf(stderr, "bench-vm-list: could not open the display beforehand\n");
    }
    for (int i = 1; i < argc; i++) {
        if (g_str_equal(argv[i], "--system-only"))
            test_driver = FALSE;
        else if (g_str_equal(argv[i], "--no-system"))
            system = FALSE;
        else if (g_str_has_prefix(argv[i], "--system-vms="))
            system_vms = atoi(argv[i] + strlen("--system-vms="));
    }
    /* Reading the label journal must not touch the host's. */
    state = g_dir_make_tmp("bench-vm-list-state-XXXXXX", NULL);
    if (!state) {
        fprintf(stderr, "bench-vm-list: cannot make a directory in %s for the journal\n",
                g_get_tmp_dir());
        return 1;
    }
    g_setenv("SVIRT_STATE_DIR", state, TRUE);
    log_rpc_calls(state);
    with_window = test_driver && gtk_init_check(&argc, &argv);
    if (with_window)
        g_object_set(gtk_settings_get_default(), "gtk-enable-animations", FALSE, NULL);
    svirt_engine_init_libvirt();
    if (!test_driver) {
        status = system ? run_system(system_vms) : 0;
        remove_state_dir(state);
        return status;
    }
    path = write_driver_file();
    uri = g_strdup_printf("test://%s", path);
    rss_start = rss_mb();

    printf("bench-vm-list: %d VMs from a libvirt test-driver file\n", N_VMS);
    printf("mode: %s\n", with_window ? "real main window on a display"
                                     : "real list model, no display (set DISPLAY for the window)");

    t0 = now();
    n_ours = with_window ? load_ours_window(uri, &window) : load_ours_model(uri, &list);
    /* From the start: connecting and parsing the driver file count too. */
    ours_s = rows_at - t0;
    labels_s = labels_at - t0;
    rss_ours = rss_mb();
    priv_ours = private_mb();
    g_assert_cmpuint(n_ours, ==, N_VMS);
    if (window)
        filter_s = time_filter(window);

    cpu0 = cpu_seconds();
    g_timeout_add_seconds(IDLE_SECONDS, quit_loop, loop);
    g_main_loop_run(loop);
    idle_cpu = cpu_seconds() - cpu0;

    t0 = now();
    n_base = load_baseline(uri, &plain);
    base_s = now() - t0;
    rss_after_base = rss_mb();
    g_assert_cmpuint(n_base, ==, N_VMS);

    printf("\n%-38s %12s %12s %8s\n", "measure", "ours", "baseline", "ratio");
    printf("%-38s %10.1f ms %10.1f ms %7.2fx\n", "time until all rows are present",
           ours_s * 1000, base_s * 1000, ours_s / base_s);
    printf("%-38s %10.1f ms\n", "time until the label columns are filled",
           labels_s * 1000);
    if (filter_s >= 0)
        printf("%-38s %10.1f ms\n", "filter by name, then state, then clear", filter_s * 1000);
    printf("%-38s %9.1f MB %9.1f MB\n", "RSS added by loading", rss_ours - rss_start,
           rss_after_base - rss_ours);
    printf("%-38s %9.1f MB\n", "RSS of the process before loading", rss_start);
    printf("%-38s %9.1f MB\n", "RSS of the process after loading", rss_ours);
    printf("%-38s %9.1f MB\n", "  of which private (not shared files)", priv_ours);
    printf("%-38s %9.1f MB\n", "peak RSS of the process (both runs)", peak_rss_mb());
    printf("%-38s %10.3f s  (%.2f %% of one core)\n", "CPU used over 10 idle seconds", idle_cpu,
           idle_cpu / IDLE_SECONDS * 100);
    printf("\ntargets: full list < 1000 ms: %s; process RSS < 80 MB: %s (private memory: %s); "
           "idle CPU ~ 0: %s\n",
           ours_s < 1.0 ? "met" : "MISSED", rss_ours < 80 ? "met" : "MISSED",
           priv_ours < 80 ? "met" : "MISSED", idle_cpu < 0.05 ? "met" : "MISSED");
    printf("baseline: a plain libvirt client listing the same file (virConnectListAllDomains, "
           "then name, UUID and state of each domain) into an array, no model or view\n");

    if (window)
        gtk_widget_destroy(window);
    g_clear_object(&list);
    for (guint i = 0; plain && i < plain->len; i++)
        g_free(g_array_index(plain, PlainVm, i).name);
    g_clear_pointer(&plain, g_array_unref);
    g_unlink(path);
    if (system)
        status = run_system(system_vms);
    remove_state_dir(state);
    return status;
}
