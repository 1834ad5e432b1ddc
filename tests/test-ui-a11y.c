/* What a screen reader finds in the app, read through the real AT-SPI bus by a second process
 * (atspi-dump), not through ATK in-process: the isolation cell of the VM list, the process
 * label on the Security page, info bar close buttons, the Audit window and the cells of the
 * isolation matrix. Runs under with-atspi.sh, which provides the buses. */
#include "config.h"

#include <libvirt/libvirt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "svm-audit-window-private.h"
#include "svm-matrix-view.h"
#include "svm-security-page-private.h"
#include "svm-test-ui.h"
#include "svm-test-util.h"
#include "svm-test-vm.h"
#include "svm-vm-window.h"
#include "svm-window-private.h"

#define URI "test:///default"

static const char *dump_program;

typedef struct {
    char *path;
    char *role;
    char *name;
    char *description;
    char *text;
    char *labelled_by;
    char *states;
} Node;

typedef struct {
    char *table;
    int row;
    int column;
    char *role;
    char *name;
    char *description;
} Cell;

typedef struct {
    GPtrArray *nodes;
    GPtrArray *cells;
    GPtrArray *headers; /* Cell, with row -1 */
    char *raw;
} Dump;

static void
node_free(Node *n)
{
    g_free(n->path);
    g_free(n->role);
    g_free(n->name);
    g_free(n->description);
    g_free(n->text);
    g_free(n->labelled_by);
    g_free(n->states);
    g_free(n);
}

static void
cell_free(Cell *c)
{
    g_free(c->table);
    g_free(c->role);
    g_free(c->name);
    g_free(c->description);
    g_free(c);
}

static void
dump_free(Dump *d)
{
    g_ptr_array_unref(d->nodes);
    g_ptr_array_unref(d->cells);
    g_ptr_array_unref(d->headers);
    g_free(d->raw);
    g_free(d);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Dump, dump_free)

static char *
field(char **fields, guint i)
{
    return fields[i] ? g_strcompress(fields[i]) : g_strdup("");
}

static Dump *
parse_dump(const char *out)
{
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
    Dump *d = g_new0(Dump, 1);

    d->nodes = g_ptr_array_new_with_free_func((GDestroyNotify)node_free);
    d->cells = g_ptr_array_new_with_free_func((GDestroyNotify)cell_free);
    d->headers = g_ptr_array_new_with_free_func((GDestroyNotify)cell_free);
    d->raw = g_strdup(out);
    for (guint i = 0; lines[i]; i++) {
        g_auto(GStrv) f = g_strsplit(lines[i], "\t", -1);
        guint n = g_strv_length(f);

        if (n == 8 && g_str_equal(f[0], "node")) {
            Node *node = g_new0(Node, 1);

            node->path = field(f, 1);
            node->role = field(f, 2);
            node->name = field(f, 3);
            node->description = field(f, 4);
            node->text = field(f, 5);
            node->labelled_by = field(f, 6);
            node->states = field(f, 7);
            g_ptr_array_add(d->nodes, node);
        } else if (n == 7 && g_str_equal(f[0], "cell")) {
            Cell *cell = g_new0(Cell, 1);

            cell->table = field(f, 1);
            cell->row = atoi(f[2]);
            cell->column = atoi(f[3]);
            cell->role = field(f, 4);
            cell->name = field(f, 5);
            cell->description = field(f, 6);
            g_ptr_array_add(d->cells, cell);
        } else if (n == 4 && g_str_equal(f[0], "header")) {
            Cell *cell = g_new0(Cell, 1);

            cell->table = field(f, 1);
            cell->row = -1;
            cell->column = atoi(f[2]);
            cell->name = field(f, 3);
            g_ptr_array_add(d->headers, cell);
        }
    }
    return d;
}

typedef struct {
    gboolean done;
    char *out;
    char *err;
    int status;
    GError *error;
} Run;

static void
on_dumped(GObject *source, GAsyncResult *result, gpointer data)
{
    Run *run = data;
    GSubprocess *proc = G_SUBPROCESS(source);

    if (g_subprocess_communicate_utf8_finish(proc, result, &run->out, &run->err, &run->error))
        run->status = g_subprocess_get_exit_status(proc);
    run->done = TRUE;
}

static gboolean
run_done(gpointer data)
{
    return ((Run *)data)->done;
}

/* Reads this process's accessible tree from another process over the AT-SPI bus. The main
 * loop keeps running meanwhile: the bridge answers the queries from it. NULL: the test is
 * skipped, no bus. */
static Dump *
read_accessibles(void)
{
    g_autofree char *pid = g_strdup_printf("%d", (int)getpid());
    g_autoptr(GSubprocess) proc = NULL;
    g_autoptr(GError) error = NULL;
    Run run = { 0 };
    Dump *dump;

    proc = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            &error, dump_program, pid, NULL);
    g_assert_no_error(error);
    g_subprocess_communicate_utf8_async(proc, NULL, NULL, on_dumped, &run);
    svm_test_wait_for(run_done, &run, 120000, "the AT-SPI reader");
    g_assert_no_error(run.error);
    if (run.status == 77) {
        g_autofree char *reason = g_strdup_printf("no AT-SPI bus: %s", run.err);

        g_test_skip(reason);
        g_free(run.out);
        g_free(run.err);
        return NULL;
    }
    if (run.status != 0)
        g_test_message("atspi-dump: %s", run.err);
    g_assert_cmpint(run.status, ==, 0);
    dump = parse_dump(run.out);
    g_free(run.out);
    g_free(run.err);
    g_assert_cmpuint(dump->nodes->len, >, 0);
    return dump;
}

static gboolean
window_loaded(gpointer data)
{
    return svm_window_is_loaded(SVM_WINDOW(data));
}

static void
on_labels_loaded(SvmWindow *window, gboolean *loaded)
{
    *loaded = TRUE;
}

static gboolean
security_ready(gpointer data)
{
    SvmSecurityPage *page = data;

    return !svm_security_page_is_busy(page) && svm_security_page_get_process_label(page);
}

static gboolean
audit_done(gpointer data)
{
    SvmAuditWindow *window = data;

    return svm_audit_window_get_audit_count(window) >= 1 &&
           !svm_audit_window_is_running(window);
}

static void
reveal_info_bar(gpointer window, GType type)
{
    GtkInfoBar *bar = GTK_INFO_BAR(gtk_widget_get_template_child(GTK_WIDGET(window), type,
                                                                   type == SVM_TYPE_WINDOW
                                                                       ? "action_bar"
                                                                       : "info_bar"));

    gtk_info_bar_set_show_close_button(bar, TRUE);
    gtk_info_bar_set_revealed(bar, TRUE);
}

static const Node *
find_node(Dump *d, const char *under, const char *role, const char *name)
{
    for (guint i = 0; i < d->nodes->len; i++) {
        const Node *n = g_ptr_array_index(d->nodes, i);

        if ((!under || g_str_has_prefix(n->path, under)) && g_str_equal(n->role, role) &&
            (!name || g_str_equal(n->name, name)))
            return n;
    }
    return NULL;
}

/* The top-level window named @name (a frame or a dialog). */
static const Node *
find_frame(Dump *d, const char *name)
{
    for (guint i = 0; i < d->nodes->len; i++) {
        const Node *n = g_ptr_array_index(d->nodes, i);

        if (!strchr(n->path, '.') && *n->path && strstr(n->name, name))
            return n;
    }
    return NULL;
}

static gboolean
has_state(const Node *n, const char *state)
{
    g_auto(GStrv) states = g_strsplit(n->states, ",", -1);

    return g_strv_contains((const char *const *)states, state);
}

static const Cell *
table_cell_at(Dump *d, const char *table, int row, int column)
{
    for (guint i = 0; i < d->cells->len; i++) {
        const Cell *c = g_ptr_array_index(d->cells, i);

        if (g_str_equal(c->table, table) && c->row == row && c->column == column)
            return c;
    }
    return NULL;
}

static const char *
column_header(Dump *d, const char *table, int column)
{
    for (guint i = 0; i < d->headers->len; i++) {
        const Cell *c = g_ptr_array_index(d->headers, i);

        if (g_str_equal(c->table, table) && c->column == column)
            return c->name;
    }
    return NULL;
}

/* The row of the VM list whose Name cell is @name. */
static int
row_of(Dump *d, const char *table, const char *name)
{
    for (guint i = 0; i < d->cells->len; i++) {
        const Cell *c = g_ptr_array_index(d->cells, i);

        if (g_str_equal(c->table, table) && c->column == 0 && g_str_equal(c->name, name))
            return c->row;
    }
    return -1;
}

static const Cell *
list_cell(Dump *d, const char *table, const char *vm, int column)
{
    int row = row_of(d, table, vm);
    const Cell *cell = row >= 0 ? table_cell_at(d, table, row, column) : NULL;

    g_assert_true(cell && g_str_equal(cell->role, "table cell"));
    return cell;
}

static const char *
list_cell_name(Dump *d, const char *table, const char *vm, int column)
{
    const Cell *cell = list_cell(d, table, vm, column);

    return cell ? cell->name : NULL;
}

static const char *
list_cell_description(Dump *d, const char *table, const char *vm, int column)
{
    const Cell *cell = list_cell(d, table, vm, column);

    return cell ? cell->description : NULL;
}

/* Every button in an info bar has a name, and the shown close button is "Close". */
static void
check_info_bar(Dump *d, const Node *frame)
{
    const Node *bar = NULL;
    gboolean close_seen = FALSE;

    for (guint i = 0; i < d->nodes->len; i++) {
        const Node *n = g_ptr_array_index(d->nodes, i);

        if (!g_str_has_prefix(n->path, frame->path) || n->path[strlen(frame->path)] != '.')
            continue;
        if (g_str_equal(n->role, "info bar") && has_state(n, "showing"))
            bar = n;
        if (bar && g_str_has_prefix(n->path, bar->path) && g_str_equal(n->role, "push button")) {
            g_test_message("%s: info bar button \"%s\" (%s)", frame->name, n->name, n->states);
            g_assert_cmpstr(n->name, !=, "");
            close_seen = close_seen || (g_str_equal(n->name, "Close") && has_state(n, "showing"));
        }
    }
    g_assert_nonnull(bar);
    g_assert_true(close_seen);
}

static const char *
access_words(SvirtAccess access)
{
    switch (access) {
    case SVIRT_ACCESS_ISOLATED:
        return "isolated";
    case SVIRT_ACCESS_READ:
        return "can read its data (shares content)";
    case SVIRT_ACCESS_WRITE:
        return "can write its data";
    case SVIRT_ACCESS_UNKNOWN:
    default:
        return "unknown";
    }
}

static void
check_matrix(Dump *d, const Node *frame, SvmAuditWindow *window)
{
    const SvirtMatrix *matrix = svm_audit_window_get_report(window)->matrix;
    const Node *table = find_node(d, frame->path, "table", "Isolation matrix");
    guint n = matrix->vms->len;
    g_autofree char *prefix = NULL;
    guint children = 0;

    g_assert_nonnull(table);
    g_assert_cmpuint(n, >=, 3);
    prefix = g_strdup_printf("%s.", table->path);
    /* Its children are the cells, row by row. */
    for (guint i = 0; i < d->nodes->len; i++) {
        const Node *node = g_ptr_array_index(d->nodes, i);
        const SvirtMatrixVm *row, *column;
        g_autofree char *expected = NULL;
        SvirtAccess access;
        guint index;

        if (!g_str_has_prefix(node->path, prefix) || strchr(node->path + strlen(prefix), '.'))
            continue;
        index = (guint)atoi(node->path + strlen(prefix));
        g_assert_cmpuint(index, <, n * n);
        row = g_ptr_array_index(matrix->vms, index / n);
        column = g_ptr_array_index(matrix->vms, index % n);
        access = svirt_matrix_get_cell(matrix, index / n, index % n)->access;
        expected = index / n == index % n
                       ? g_strdup_printf("%s and its own objects", row->name)
                       : g_strdup_printf("%s → %s: %s", row->name, column->name,
                                         access_words(access));
        g_assert_cmpstr(node->role, ==, "table cell");
        g_assert_cmpstr(node->name, ==, expected);
        g_assert_true(has_state(node, "showing"));
        children++;
    }
    g_assert_cmpuint(children, ==, n * n);
    /* Through the table interface too: the headers name the VMs, cells sit where they are
     * drawn, and the cursor cell is selected. */
    for (guint c = 0; c < n; c++) {
        const SvirtMatrixVm *vm = g_ptr_array_index(matrix->vms, c);

        g_assert_cmpstr(column_header(d, table->path, c), ==, vm->name);
        for (guint r = 0; r < n; r++) {
            const Cell *cell = table_cell_at(d, table->path, r, c);
            const SvirtMatrixVm *row = g_ptr_array_index(matrix->vms, r);

            g_assert_nonnull(cell);
            g_assert_cmpstr(cell->role, ==, "table cell");
            g_assert_true(g_str_has_prefix(cell->name, row->name));
        }
    }
    {
        g_autofree char *cursor = g_strdup_printf("%s%u", prefix, 0 * n + 1);
        const Node *node = find_node(d, cursor, "table cell", NULL);

        g_assert_nonnull(node);
        g_assert_true(has_state(node, "selected"));
    }
}

static char *
define_vm(virConnectPtr conn, const char *name, const char *disk)
{
    g_autofree char *devices = disk ? g_strdup_printf(
                                          "<disk type='file' device='disk'>"
                                          "<source file='%s'/><target dev='vdb' bus='virtio'/>"
                                          "<shareable/></disk>",
                                          disk)
                                    : g_strdup("");
    g_autoptr(virDomain) dom = svm_test_define_test_vm(conn, name, devices);
    char uuid[VIR_UUID_STRING_BUFLEN];

    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainGetUUIDString(dom, uuid), ==, 0);
    return g_strdup(uuid);
}

static gboolean
has_focus(gpointer data)
{
    return gtk_widget_has_focus(GTK_WIDGET(data));
}

static gboolean
cursor_at_0_2(gpointer data)
{
    guint row, column;

    return svm_matrix_view_get_cursor(SVM_MATRIX_VIEW(data), &row, &column) && row == 0 &&
           column == 2;
}

static const Node *
matrix_cell_node(Dump *d, guint index)
{
    const Node *frame = find_frame(d, "Audit");
    const Node *table = frame ? find_node(d, frame->path, "table", "Isolation matrix") : NULL;
    g_autofree char *path = NULL;

    g_assert_nonnull(table);
    path = g_strdup_printf("%s.%u", table ? table->path : "", index);
    for (guint i = 0; i < d->nodes->len; i++) {
        const Node *n = g_ptr_array_index(d->nodes, i);

        if (g_str_equal(n->path, path))
            return n;
    }
    return NULL;
}

/* The main window, the Security page of a VM's details and the Audit window, all open at once
 * and read in one pass, as a screen reader user moving between them finds them. */
static void
test_windows(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(virConnect) conn = virConnectOpen(URI);
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *shared_disk = NULL;
    g_autofree char *web = NULL;
    g_autofree char *shared = NULL;
    g_autoptr(SvirtVmLabels) labels = NULL;
    g_autoptr(Dump) dump = NULL;
    gboolean labels_loaded = FALSE;
    SvmWindow *main_window;
    SvmVmWindow *details;
    SvmAuditWindow *audit;
    SvmMatrixView *matrix;
    const Node *frame, *list, *value, *was, *now;
    const char *process_label;

    if (g_getenv("SVM_ATSPI_MISSING")) {
        g_test_skip(g_getenv("SVM_ATSPI_MISSING"));
        return;
    }
    dir = svm_test_make_vm_dir("svm-a11y");
    shared_disk = g_build_filename(dir, "shared.img", NULL);
    g_assert_true(g_file_set_contents(shared_disk, "", 0, NULL));
    web = define_vm(conn, "a11y-web", NULL);
    shared = define_vm(conn, "a11y-shared", shared_disk);
    g_assert_true(svirt_engine_connect(engine, NULL, &error));
    g_assert_no_error(error);
    /* Started through the engine, so it has a process label of its own. */
    g_assert_true(svirt_engine_start_vm(engine, web, NULL, &error));
    g_assert_no_error(error);
    labels = svirt_engine_get_vm_labels(engine, web, &error);
    g_assert_no_error(error);
    process_label = labels->process_label;
    g_assert_true(g_str_has_prefix(process_label, "system_u:system_r:svirt_t:s0:c"));

    main_window = svm_window_new(NULL, engine, NULL);
    g_signal_connect(main_window, "labels-loaded", G_CALLBACK(on_labels_loaded),
                     &labels_loaded);
    gtk_window_set_default_size(GTK_WINDOW(main_window), 900, 480);
    gtk_widget_show(GTK_WIDGET(main_window));
    svm_test_wait_for(window_loaded, main_window, 10000, "the VM list");
    svm_test_wait_for(svm_test_flag_is_set, &labels_loaded, 10000, "the label columns");
    reveal_info_bar(main_window, SVM_TYPE_WINDOW);
    svm_test_save_screenshot(GTK_WIDGET(main_window), "a11y-main-window.png");

    details = svm_vm_window_new(NULL, engine, web);
    gtk_widget_show(GTK_WIDGET(details));
    svm_vm_window_show_page(details, "security");
    svm_test_wait_for(security_ready,
                      svm_test_template_child(details, SVM_TYPE_VM_WINDOW, "security_page"), 30000,
                      "the Security page");
    reveal_info_bar(details, SVM_TYPE_VM_WINDOW);

    audit = svm_audit_window_new(NULL, engine);
    gtk_widget_show(GTK_WIDGET(audit));
    svm_test_wait_for(audit_done, audit, 60000, "the audit");
    g_assert_nonnull(svm_audit_window_get_report(audit));
    svm_audit_window_show_page(audit, "matrix");
    matrix = svm_test_template_child(audit, SVM_TYPE_AUDIT_WINDOW, "matrix_view");
    svm_matrix_view_set_cursor(matrix, 0, 1);
    reveal_info_bar(audit, SVM_TYPE_AUDIT_WINDOW);
    svm_test_save_screenshot(GTK_WIDGET(audit), "a11y-audit-matrix.png");

    dump = read_accessibles();
    if (!dump)
        goto out;
    g_test_message("%s", dump->raw);

    /* The VM list: the isolation icon is named by what it shows. */
    frame = find_frame(dump, "sVirt Manager");
    g_assert_nonnull(frame);
    list = find_node(dump, frame->path, "table", "Virtual machines");
    g_assert_nonnull(list);
    g_assert_cmpstr(column_header(dump, list->path, 2), ==, "Isolation");
    g_assert_cmpstr(list_cell_name(dump, list->path, "a11y-web", 2), ==, "Isolated");
    g_assert_cmpstr(list_cell_name(dump, list->path, "a11y-shared", 2), ==, "Uses shared disks");
    /* The test driver's own VM runs without the engine. */
    g_assert_true(g_str_has_prefix(list_cell_name(dump, list->path, "test", 2), "Problem: "));
    g_assert_nonnull(strstr(list_cell_name(dump, list->path, "test", 2),
                            "outside sVirt Manager"));
    /* The description says why, as the tooltip does: which disks are shared, which label. */
    g_assert_nonnull(strstr(list_cell_description(dump, list->path, "a11y-shared", 2),
                            shared_disk));
    g_assert_nonnull(strstr(list_cell_description(dump, list->path, "a11y-web", 2),
                            process_label));
    /* The process label column: the cell is the label, under its column's header. */
    g_assert_cmpstr(column_header(dump, list->path, 4), ==, "Process label");
    g_assert_cmpstr(list_cell_name(dump, list->path, "a11y-web", 4), ==, process_label);
    check_info_bar(dump, frame);

    /* The Security page: the process label is a text labelled by its caption. */
    frame = find_frame(dump, "a11y-web");
    g_assert_nonnull(frame);
    value = find_node(dump, frame->path, "label", "Process label");
    g_assert_nonnull(value);
    g_assert_cmpstr(value->text, ==, process_label);
    g_assert_cmpstr(value->labelled_by, ==, "Process label");
    g_assert_true(has_state(value, "showing"));
    check_info_bar(dump, frame);

    /* The Audit window has a name, and its matrix has cells. */
    frame = find_frame(dump, "Audit");
    g_assert_nonnull(frame);
    check_matrix(dump, frame, audit);
    check_info_bar(dump, frame);

    /* The arrow keys move the focused cell, and a screen reader follows it. The windows stay
     * open: GTK 3 label accessibles of destroyed windows break the bridge's cache listing. */
    gtk_window_present(GTK_WINDOW(audit));
    gtk_widget_grab_focus(GTK_WIDGET(matrix));
    svm_test_wait_for(has_focus, matrix, 10000, "the matrix to take focus");
    g_assert_true(gtk_test_widget_send_key(GTK_WIDGET(matrix), GDK_KEY_Right, 0));
    svm_test_wait_for(cursor_at_0_2, matrix, 10000, "the cursor to move right");
    g_clear_pointer(&dump, dump_free);
    dump = read_accessibles();
    g_assert_nonnull(dump);
    was = matrix_cell_node(dump, 1);
    now = matrix_cell_node(dump, 2);
    g_assert_nonnull(was);
    g_assert_nonnull(now);
    g_assert_false(has_state(was, "selected") || has_state(was, "focused"));
    g_assert_true(has_state(now, "selected") && has_state(now, "focused"));

out:
    gtk_widget_destroy(GTK_WIDGET(audit));
    gtk_widget_destroy(GTK_WIDGET(details));
    gtk_widget_destroy(GTK_WIDGET(main_window));
    svirt_engine_stop_vm(engine, web, TRUE, 0, NULL);
    svm_test_remove_domain(conn, web);
    svm_test_remove_domain(conn, shared);
    svm_test_rmdir(dir);
}

int
main(int argc, char *argv[])
{
    int ret;

    g_autofree char *state = NULL;

    gtk_test_init(&argc, &argv, NULL);
    g_object_set(gtk_settings_get_default(), "gtk-enable-animations", FALSE, NULL);
    svirt_engine_init_libvirt();
    /* Labels this test applies are journalled in a directory of its own. */
    state = svm_test_make_vm_dir("svm-a11y-state");
    g_setenv("SVIRT_STATE_DIR", state, TRUE);
    g_assert_cmpint(argc, ==, 2);
    dump_program = argv[1];

    g_test_add_func("/ui/a11y/windows", test_windows);
    ret = g_test_run();
    svm_test_rmdir(state);
    return ret;
}
