/* Time and memory to show 2,000 VMs, and CPU used while idle afterwards.
 *
 * The VMs come from a generated libvirt test-driver file. "ours" is the engine's listing fed
 * into the app's real list model (and, when a display is available, the real main window);
 * the baseline, run in the same process on the same file, is a plain libvirt client that
 * lists the domains and asks each one for its name, UUID and state.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>

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
    gboolean with_window;
    double t0, ours_s, base_s, rss_start, rss_ours, rss_after_base, cpu0, idle_cpu, priv_ours;
    double filter_s = -1, labels_s;
    guint n_ours, n_base;
    SvmVmList *list = NULL;
    GtkWidget *window = NULL;
    GArray *plain = NULL;
    g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);

    with_window = gtk_init_check(&argc, &argv);
    if (with_window)
        g_object_set(gtk_settings_get_default(), "gtk-enable-animations", FALSE, NULL);
    svirt_engine_init_libvirt();
    path = write_driver_file();
    /* Reading the label journal must not touch the host's. */
    state = g_dir_make_tmp("bench-vm-list-state-XXXXXX", NULL);
    if (!state) {
        fprintf(stderr, "bench-vm-list: cannot make a directory in %s for the journal\n",
                g_get_tmp_dir());
        return 1;
    }
    g_setenv("SVIRT_STATE_DIR", state, TRUE);
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
    remove_state_dir(state);
    return 0;
}
