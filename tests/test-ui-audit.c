#include "config.h"

#include <glib/gstdio.h>
#include <libvirt/virterror.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "svirt-labeler.h"
#include "svm-audit-findings.h"
#include "svm-audit-window-private.h"
#include "svm-matrix-view-private.h"
#include "svm-test-label.h"
#include "svm-test-fixture.h"
#include "svm-test-ui.h"
#include "svm-test-util.h"
#include "svm-test-vm.h"
#include "svm-vm-audit-page-private.h"
#include "svm-vm-window.h"
#include "svm-window-private.h"

#define URI svm_test_uri()

/* The audit window's widget @name. */
static gpointer
audit_child(SvmAuditWindow *window, const char *name)
{
    return svm_test_template_child(window, SVM_TYPE_AUDIT_WINDOW, name);
}

/* The findings the window's list shows, after its filters. */
static GtkTreeModel *
filtered_model(SvmAuditWindow *window)
{
    return gtk_tree_view_get_model(audit_child(window, "findings_view"));
}

/* Like svm_test_wait_for(), but says whether @cond came true instead of failing, so a scenario
 * with VMs can still clean up after a timeout. */
static gboolean
try_wait_for(SvmTestCondition cond, gpointer data, guint timeout_ms, const char *what)
{
    if (svm_test_wait_until(cond, data, timeout_ms))
        return TRUE;
    g_test_message("Timed out after %u ms waiting for %s", timeout_ms, what);
    return FALSE;
}

typedef struct {
    SvmAuditWindow *window;
    guint count;
} AuditWait;

static gboolean
audit_done(gpointer data)
{
    AuditWait *w = data;

    return svm_audit_window_get_audit_count(w->window) >= w->count &&
           !svm_audit_window_is_running(w->window);
}

static gboolean
wait_audit(SvmAuditWindow *window, guint count)
{
    AuditWait w = { window, count };

    return try_wait_for(audit_done, &w, 60000, "the audit");
}

typedef struct {
    SvmVmAuditPage *page;
    guint count;
} PageWait;

static gboolean
page_done(gpointer data)
{
    PageWait *w = data;

    return svm_vm_audit_page_get_audit_count(w->page) >= w->count &&
           !svm_vm_audit_page_is_running(w->page);
}

static gboolean
wait_page(SvmVmAuditPage *page, guint count)
{
    PageWait w = { page, count };

    return try_wait_for(page_done, &w, 60000, "the VM's audit");
}

static guint
count_rows(GtkTreeModel *model)
{
    return (guint)gtk_tree_model_iter_n_children(model, NULL);
}

/* The row of the finding of @kind on @path, or FALSE. */
static gboolean
find_row(GtkTreeModel *model, const char *path, SvirtFindingKind kind, GtkTreeIter *iter)
{
    gboolean valid = gtk_tree_model_get_iter_first(model, iter);

    while (valid) {
        const SvirtFinding *f = NULL;

        gtk_tree_model_get(model, iter, SVM_FINDING_COL_FINDING, &f, -1);
        if (f && f->kind == kind && g_strcmp0(f->path, path) == 0)
            return TRUE;
        valid = gtk_tree_model_iter_next(model, iter);
    }
    return FALSE;
}

/* Whether every row has severity >= @min and, with @uuid, belongs to that VM. */
static gboolean
rows_match(GtkTreeModel *model, SvirtSeverity min, const char *uuid)
{
    GtkTreeIter iter;
    gboolean valid = gtk_tree_model_get_iter_first(model, &iter);

    while (valid) {
        g_autofree char *row_uuid = NULL;
        int severity;

        gtk_tree_model_get(model, &iter, SVM_FINDING_COL_SEVERITY, &severity,
                           SVM_FINDING_COL_VM_UUID, &row_uuid, -1);
        if (severity < (int)min || (uuid && g_strcmp0(row_uuid, uuid) != 0))
            return FALSE;
        valid = gtk_tree_model_iter_next(model, &iter);
    }
    return TRUE;
}

static guint
count_findings(const SvirtAuditReport *report, SvirtSeverity min, const char *uuid)
{
    guint n = 0;

    for (guint i = 0; i < report->findings->len; i++) {
        const SvirtFinding *f = g_ptr_array_index(report->findings, i);

        if (f->severity >= min && (!uuid || g_strcmp0(f->vm_uuid, uuid) == 0))
            n++;
    }
    return n;
}

static const SvirtFinding *
report_finding(const SvirtAuditReport *report, const char *path, SvirtFindingKind kind)
{
    for (guint i = 0; report && i < report->findings->len; i++) {
        const SvirtFinding *f = g_ptr_array_index(report->findings, i);

        if (f->kind == kind && g_strcmp0(f->path, path) == 0)
            return f;
    }
    return NULL;
}

static int
matrix_index(const SvirtMatrix *matrix, const char *uuid)
{
    for (guint i = 0; i < matrix->vms->len; i++) {
        const SvirtMatrixVm *vm = g_ptr_array_index(matrix->vms, i);

        if (g_strcmp0(vm->uuid, uuid) == 0)
            return (int)i;
    }
    return -1;
}

static void
send_key(GtkWidget *widget, guint keyval)
{
    GdkEvent *event = gdk_event_new(GDK_KEY_PRESS);

    event->key.window = g_object_ref(gtk_widget_get_window(widget));
    event->key.keyval = keyval;
    event->key.send_event = TRUE;
    gdk_event_set_device(event, gdk_seat_get_keyboard(
                                    gdk_display_get_default_seat(gdk_display_get_default())));
    gtk_widget_event(widget, event);
    gdk_event_free(event);
}

/* The colour the view paints in the middle of the left edge of a cell. */
static void
cell_pixel(SvmMatrixView *view, guint row, guint column, GdkRGBA *rgba)
{
    int width = gtk_widget_get_allocated_width(GTK_WIDGET(view));
    int height = gtk_widget_get_allocated_height(GTK_WIDGET(view));
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    cairo_t *cr = cairo_create(surface);
    GdkRectangle area;
    guint32 pixel;
    int stride = cairo_image_surface_get_stride(surface);

    gtk_widget_draw(GTK_WIDGET(view), cr);
    cairo_surface_flush(surface);
    g_assert_true(svm_matrix_view_get_cell_area(view, row, column, &area));
    pixel = *(guint32 *)(cairo_image_surface_get_data(surface) +
                         (area.y + area.height / 2) * stride + (area.x + 7) * 4);
    rgba->red = ((pixel >> 16) & 0xff) / 255.0;
    rgba->green = ((pixel >> 8) & 0xff) / 255.0;
    rgba->blue = (pixel & 0xff) / 255.0;
    rgba->alpha = 1;
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
}

static gboolean
same_color(const GdkRGBA *a, const GdkRGBA *b)
{
    return ABS(a->red - b->red) < 0.02 && ABS(a->green - b->green) < 0.02 &&
           ABS(a->blue - b->blue) < 0.02;
}

/* The window on the test driver: it audits on opening, the matrix follows the report, the
 * cursor moves with the arrow keys and the report exports as HTML and JSON. */
static void
test_window_basics(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new("test:///default");
    SvmAuditWindow *window;
    SvmMatrixView *view;
    g_autofree char *dir = svm_test_make_dir("svm-audit");
    g_autofree char *html_path = g_build_filename(dir, "report.html", NULL);
    g_autofree char *json_path = g_build_filename(dir, "report.json", NULL);
    g_autofree char *html = NULL;
    g_autofree char *json = NULL;
    g_autoptr(GError) error = NULL;
    const SvirtAuditReport *report;
    const char *cursor_text;
    guint row = 9, column = 9;

    g_assert_true(svirt_engine_connect(engine, NULL, &error));
    window = svm_audit_window_new(NULL, engine);
    view = audit_child(window, "matrix_view");
    gtk_widget_show(GTK_WIDGET(window));
    g_assert_true(wait_audit(window, 1));
    g_assert_cmpstr(svm_audit_window_get_error(window), ==, NULL);
    report = svm_audit_window_get_report(window);
    g_assert_nonnull(report);
    g_assert_cmpuint(count_rows(filtered_model(window)), ==, report->findings->len);
    g_assert_cmpuint(svm_matrix_view_get_n_vms(view), ==, report->matrix->vms->len);
    g_assert_cmpuint(svm_matrix_view_get_n_vms(view), >=, 1);
    g_assert_nonnull(strstr(gtk_label_get_text(audit_child(window, "policy_label")),
                            report->matrix->source == SVIRT_POLICY_SOURCE_BINARY
                                ? report->matrix->policy_path
                                : "MCS dominance"));

    /* The matrix takes the keyboard, and its name is what a screen reader says. */
    svm_audit_window_show_page(window, "matrix");
    g_assert_true(gtk_widget_get_can_focus(GTK_WIDGET(view)));
    g_assert_cmpstr(atk_object_get_name(gtk_widget_get_accessible(GTK_WIDGET(view))), ==,
                    "Isolation matrix");
    gtk_widget_grab_focus(GTK_WIDGET(view));
    svm_matrix_view_set_cursor(view, 0, 0);
    send_key(GTK_WIDGET(view), GDK_KEY_Down);
    send_key(GTK_WIDGET(view), GDK_KEY_Right);
    g_assert_true(svm_matrix_view_get_cursor(view, &row, &column));
    g_assert_cmpuint(row, ==, MIN(1, report->matrix->vms->len - 1));
    g_assert_cmpuint(column, ==, MIN(1, report->matrix->vms->len - 1));
    cursor_text = gtk_label_get_text(audit_child(window, "cursor_label"));
    g_assert_nonnull(strstr(cursor_text, svm_matrix_view_get_vm_name(view, row)));

    /* Export picks the format from the extension. */
    g_assert_true(svm_audit_window_export(window, html_path, &error));
    g_assert_no_error(error);
    g_assert_true(svm_audit_window_export(window, json_path, &error));
    g_assert_no_error(error);
    g_assert_true(g_file_get_contents(html_path, &html, NULL, NULL));
    g_assert_true(g_file_get_contents(json_path, &json, NULL, NULL));
    g_assert_nonnull(strstr(html, "<html"));
    g_assert_true(g_str_has_prefix(g_strstrip(json), "{"));
    g_assert_nonnull(strstr(json, "\"matrix\""));

    gtk_widget_destroy(GTK_WIDGET(window));
    g_unlink(html_path);
    g_unlink(json_path);
    g_rmdir(dir);
}

static gboolean
audit_window_destroyed(gpointer data)
{
    return *(gboolean *)data;
}

static void
on_destroyed(GtkWidget *widget, gboolean *destroyed)
{
    *destroyed = TRUE;
}

/* The window has a title, says in words when a VM has no findings, and Ctrl+W closes it. */
static void
test_window_title_and_empty(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new("test:///default");
    g_autoptr(virConnect) conn = virConnectOpen("test:///default");
    g_autoptr(virDomain) quiet = svm_test_define_test_vm(conn, "svm-audit-quiet", "");
    g_autoptr(GError) error = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];
    SvmAuditWindow *window;
    GtkHeaderBar *header;
    GtkWidget *empty;
    gboolean destroyed = FALSE;
    GdkEvent *event;

    g_assert_nonnull(quiet);
    virDomainGetUUIDString(quiet, uuid);
    g_assert_true(svirt_engine_connect(engine, NULL, &error));
    window = svm_audit_window_new(NULL, engine);
    g_signal_connect(window, "destroy", G_CALLBACK(on_destroyed), &destroyed);
    gtk_widget_show(GTK_WIDGET(window));
    g_assert_true(wait_audit(window, 1));

    header = GTK_HEADER_BAR(gtk_window_get_titlebar(GTK_WINDOW(window)));
    g_assert_cmpstr(gtk_header_bar_get_title(header), ==, "Label Audit");
    g_assert_cmpstr(gtk_header_bar_get_subtitle(header), ==, "test:///default");
    g_assert_cmpstr(gtk_window_get_title(GTK_WINDOW(window)), ==, "Label Audit");

    /* The VM without disks has nothing to find: said in words, not an empty list. */
    empty = GTK_WIDGET(gtk_widget_get_template_child(GTK_WIDGET(window), SVM_TYPE_AUDIT_WINDOW,
                                                     "empty_label"));
    g_assert_true(gtk_combo_box_set_active_id(audit_child(window, "vm_filter"), uuid));
    g_assert_cmpuint(count_rows(filtered_model(window)), ==, 0);
    g_assert_true(gtk_widget_is_visible(empty));
    g_assert_cmpstr(gtk_label_get_text(GTK_LABEL(empty)), ==,
                    "No findings for “svm-audit-quiet”: each of its objects carries the label "
                    "it should.");
    svm_test_save_screenshot(GTK_WIDGET(window), "audit-no-findings.png");
    gtk_combo_box_set_active_id(audit_child(window, "vm_filter"), "all");
    /* The test driver's own VM runs outside the engine: a finding, and no empty text. */
    g_assert_cmpuint(count_rows(filtered_model(window)), >, 0);
    g_assert_false(gtk_widget_is_visible(empty));

    /* Ctrl+W, pressed on the window. */
    event = gdk_event_new(GDK_KEY_PRESS);
    event->key.window = g_object_ref(gtk_widget_get_window(GTK_WIDGET(window)));
    event->key.keyval = GDK_KEY_w;
    event->key.state = GDK_CONTROL_MASK;
    event->key.time = GDK_CURRENT_TIME;
    gdk_event_set_device(event, gdk_seat_get_keyboard(
                                    gdk_display_get_default_seat(gdk_display_get_default())));
    gtk_main_do_event(event);
    gdk_event_free(event);
    g_assert_true(try_wait_for(audit_window_destroyed, &destroyed, 5000, "Ctrl+W to close"));
    g_assert_cmpint(virDomainUndefine(quiet), ==, 0);
}

/* Forced off through @engine, which puts back the labels it applied, then removed. */
static void
remove_vm(SvirtEngine *engine, virConnectPtr conn, SvmTestVm *vm)
{
    g_autoptr(virDomain) dom = vm->uuid ? virDomainLookupByUUIDString(conn, vm->uuid) : NULL;

    if (dom && virDomainIsActive(dom) == 1)
        svirt_engine_stop_vm(engine, vm->uuid, TRUE, 0, NULL);
    virResetLastError();
    svm_test_vm_undefine(conn, vm);
}

/* Another level than @label's, in the same type: what a mislabelled image carries. */
static char *
wrong_label(const char *label)
{
    const char *wrong = "system_u:object_r:svirt_image_t:s0:c1011,c1017";

    return g_strdup(g_strcmp0(label, wrong) == 0
                        ? "system_u:object_r:svirt_image_t:s0:c1012,c1018"
                        : wrong);
}

/* What the scenario saw; asserted after the VMs and files are gone. */
typedef struct {
    gboolean setup_ok;
    char *label_a;          /* A's data image while A runs */
    gboolean audited;
    char *audit_error;
    gboolean mismatch_listed;
    char *mismatch_expected;
    guint rows_all;
    guint findings_all;
    gboolean error_filter_ok;
    guint rows_error;
    guint findings_error;
    gboolean vm_filter_ok;
    guint rows_b;
    guint findings_b;
    gboolean mismatch_hidden_for_b;
    gboolean fix_sensitive;
    char *list_icon_before; /* A's isolation icon in the main window before Fix */
    char *list_icon_after;  /* and after, without a refresh of the list */
    char *list_reason_after;
    gboolean fix_audited;
    char *fix_error;
    gboolean mismatch_gone;
    char *label_after_fix;
    guint matrix_n;
    guint report_n;
    gboolean cells_equal;
    gboolean pixels_ok;
    int access_ab;
    int view_access_ab;
    char *cursor_text;
    gboolean page_audited;
    guint page_rows;
    guint page_findings;
    gboolean page_rows_own;
    gboolean page_mismatch_listed;
    gboolean page_fixed;
    char *label_after_page_fix;
} Results;

static void
results_clear(Results *r)
{
    g_free(r->label_a);
    g_free(r->audit_error);
    g_free(r->mismatch_expected);
    g_free(r->fix_error);
    g_free(r->list_icon_before);
    g_free(r->list_icon_after);
    g_free(r->list_reason_after);
    g_free(r->label_after_fix);
    g_free(r->cursor_text);
    g_free(r->label_after_page_fix);
}

static void
check_findings_page(SvmAuditWindow *window, SvmTestVm *a, SvmTestVm *b, Results *r)
{
    GtkTreeModel *model = filtered_model(window);
    GtkComboBox *severity = audit_child(window, "severity_filter");
    GtkComboBox *vms = audit_child(window, "vm_filter");
    const SvirtAuditReport *report = svm_audit_window_get_report(window);
    GtkTreeView *view = audit_child(window, "findings_view");
    const SvirtFinding *f;
    GtkTreeIter iter;

    f = report_finding(report, a->data, SVIRT_FINDING_MISMATCH);
    r->mismatch_listed = f && find_row(model, a->data, SVIRT_FINDING_MISMATCH, &iter);
    r->mismatch_expected = f ? g_strdup(f->expected) : NULL;
    r->rows_all = count_rows(model);
    r->findings_all = report->findings->len;

    gtk_combo_box_set_active_id(severity, "error");
    r->rows_error = count_rows(model);
    r->findings_error = count_findings(report, SVIRT_SEVERITY_ERROR, NULL);
    r->error_filter_ok = rows_match(model, SVIRT_SEVERITY_ERROR, NULL) &&
                         find_row(model, a->data, SVIRT_FINDING_MISMATCH, &iter);

    gtk_combo_box_set_active_id(severity, "all");
    r->vm_filter_ok = gtk_combo_box_set_active_id(vms, b->uuid);
    r->rows_b = count_rows(model);
    r->findings_b = count_findings(report, SVIRT_SEVERITY_INFO, b->uuid);
    r->vm_filter_ok = r->vm_filter_ok && rows_match(model, SVIRT_SEVERITY_INFO, b->uuid);
    r->mismatch_hidden_for_b = !find_row(model, a->data, SVIRT_FINDING_MISMATCH, &iter);

    gtk_combo_box_set_active_id(vms, a->uuid);
    if (find_row(model, a->data, SVIRT_FINDING_MISMATCH, &iter)) {
        gtk_tree_selection_select_iter(gtk_tree_view_get_selection(view), &iter);
        r->fix_sensitive =
            gtk_widget_get_sensitive(GTK_WIDGET(audit_child(window, "fix_button")));
    }
    svm_test_save_screenshot(GTK_WIDGET(window), "audit-findings.png");
}

typedef struct {
    SvmWindow *window;
    const char *uuid;
    const char *icon; /* wait until the row shows it, or (with @not) another one */
    gboolean not;
} RowIcon;

static char *
row_value(SvmWindow *window, const char *uuid, int column)
{
    SvmVmList *list = svm_window_get_vm_list(window);
    GtkTreeIter iter;
    char *value = NULL;

    if (svm_vm_list_lookup(list, uuid, &iter))
        gtk_tree_model_get(svm_vm_list_get_model(list), &iter, column, &value, -1);
    return value;
}

static gboolean
row_icon_is(gpointer data)
{
    RowIcon *w = data;
    g_autofree char *icon = NULL;

    if (!svm_window_is_loaded(w->window))
        return FALSE;
    icon = row_value(w->window, w->uuid, SVM_VM_LIST_COL_ISOLATION_ICON);
    return icon && (g_strcmp0(icon, w->icon) == 0) != w->not;
}

static void
check_fix(SvmAuditWindow *window, SvmWindow *list, SvmTestVm *a, Results *r)
{
    guint before = svm_audit_window_get_audit_count(window);
    RowIcon problem = { list, a->uuid, "dialog-warning-symbolic", FALSE };
    RowIcon fixed = { list, a->uuid, "dialog-warning-symbolic", TRUE };

    if (!r->fix_sensitive)
        return;
    /* The main window shows A's problem before the fix... */
    if (try_wait_for(row_icon_is, &problem, 30000, "the main window to show A's problem"))
        r->list_icon_before = row_value(list, a->uuid, SVM_VM_LIST_COL_ISOLATION_ICON);
    gtk_button_clicked(audit_child(window, "fix_button"));
    r->fix_audited = wait_audit(window, before + 1);
    /* ...and follows the fix by itself. */
    if (try_wait_for(row_icon_is, &fixed, 30000, "the main window to follow the fix")) {
        r->list_icon_after = row_value(list, a->uuid, SVM_VM_LIST_COL_ISOLATION_ICON);
        r->list_reason_after = row_value(list, a->uuid, SVM_VM_LIST_COL_ISOLATION_TEXT);
    }
    r->fix_error = g_strdup(svm_audit_window_get_error(window));
    r->mismatch_gone = !report_finding(svm_audit_window_get_report(window), a->data,
                                       SVIRT_FINDING_MISMATCH);
    r->label_after_fix = svm_test_read_label(a->data);
}

static void
check_matrix(SvmAuditWindow *window, SvmTestVm *a, SvmTestVm *b, Results *r)
{
    const SvirtAuditReport *report = svm_audit_window_get_report(window);
    SvmMatrixView *view = audit_child(window, "matrix_view");
    const SvirtMatrix *matrix = report->matrix;
    int ia = matrix_index(matrix, a->uuid);
    int ib = matrix_index(matrix, b->uuid);
    GdkRGBA want, got;

    svm_audit_window_show_page(window, "matrix");
    r->matrix_n = svm_matrix_view_get_n_vms(view);
    r->report_n = matrix->vms->len;
    if (r->matrix_n != r->report_n || ia < 0 || ib < 0)
        return;
    r->cells_equal = TRUE;
    for (guint row = 0; row < r->report_n; row++)
        for (guint column = 0; column < r->report_n; column++)
            if (svm_matrix_view_get_access(view, row, column) !=
                svirt_matrix_get_cell(matrix, row, column)->access)
                r->cells_equal = FALSE;
    r->access_ab = svirt_matrix_get_cell(matrix, ia, ib)->access;
    r->view_access_ab = svm_matrix_view_get_access(view, ia, ib);

    /* The arrow keys bring the cursor to A's row, B's column; the label says why. */
    gtk_widget_grab_focus(GTK_WIDGET(view));
    svm_matrix_view_set_cursor(view, ia, ib > 0 ? ib - 1 : ib + 1);
    send_key(GTK_WIDGET(view), ib > 0 ? GDK_KEY_Right : GDK_KEY_Left);
    r->cursor_text = g_strdup(gtk_label_get_text(audit_child(window, "cursor_label")));
    svm_test_save_screenshot(GTK_WIDGET(window), "audit-matrix.png");

    /* The colours drawn (now that the page is laid out) are the legend's. */
    cell_pixel(view, ia, ib, &got);
    svm_matrix_view_get_access_color(r->access_ab, FALSE, &want);
    r->pixels_ok = same_color(&got, &want);
    cell_pixel(view, ia, ia, &got);
    svm_matrix_view_get_access_color(SVIRT_ACCESS_ISOLATED, TRUE, &want);
    r->pixels_ok = r->pixels_ok && same_color(&got, &want);
}

static void
check_vm_page(SvirtEngine *engine, SvmTestVm *a, Results *r)
{
    SvmVmWindow *window = svm_vm_window_new(NULL, engine, a->uuid);
    SvmVmAuditPage *page = svm_test_template_child(window, SVM_TYPE_VM_WINDOW, "audit_page");
    GtkTreeView *view = svm_test_template_child(page, SVM_TYPE_VM_AUDIT_PAGE, "view");
    GtkTreeModel *model = gtk_tree_view_get_model(view);
    const SvirtAuditReport *report;
    GtkTreeIter iter;
    guint before;

    gtk_window_set_default_size(GTK_WINDOW(window), 980, 480);
    gtk_widget_show(GTK_WIDGET(window));
    svm_vm_window_show_page(window, "audit");
    r->page_audited = wait_page(page, 1);
    report = svm_vm_audit_page_get_report(page);
    if (!r->page_audited || !report)
        goto out;
    r->page_rows = count_rows(model);
    r->page_findings = count_findings(report, SVIRT_SEVERITY_INFO, a->uuid);
    r->page_rows_own = rows_match(model, SVIRT_SEVERITY_INFO, a->uuid);
    r->page_mismatch_listed = find_row(model, a->data, SVIRT_FINDING_MISMATCH, &iter);
    if (!r->page_mismatch_listed)
        goto out;
    gtk_tree_selection_select_iter(gtk_tree_view_get_selection(view), &iter);
    svm_test_save_screenshot(GTK_WIDGET(window), "vm-audit.png");
    before = svm_vm_audit_page_get_audit_count(page);
    gtk_button_clicked(svm_test_template_child(page, SVM_TYPE_VM_AUDIT_PAGE, "fix_button"));
    r->page_fixed = wait_page(page, before + 1) &&
                    !find_row(model, a->data, SVIRT_FINDING_MISMATCH, &iter);
    r->label_after_page_fix = svm_test_read_label(a->data);
out:
    gtk_widget_destroy(GTK_WIDGET(window));
}

static void
run_scenario(SvirtEngine *engine, SvmTestVm *a, SvmTestVm *b, Results *r)
{
    g_autofree char *wrong = NULL;
    g_autoptr(GError) error = NULL;
    SvmAuditWindow *window;
    SvmWindow *list;

    if (!svirt_engine_start_vm(engine, a->uuid, NULL, &error)) {
        g_test_message("Could not start %s: %s", a->name, error->message);
        return;
    }
    r->label_a = svm_test_read_label(a->data);
    if (!r->label_a)
        return;
    /* Someone relabels A's private image behind the engine's back. */
    wrong = wrong_label(r->label_a);
    if (!svm_test_write_label(a->data, wrong))
        return;
    r->setup_ok = TRUE;

    /* The main window on the same connection, as when the audit is opened from it. */
    list = svm_window_new(NULL, engine, NULL);
    gtk_widget_show(GTK_WIDGET(list));
    window = svm_audit_window_new(GTK_WINDOW(list), engine);
    gtk_widget_show(GTK_WIDGET(window));
    r->audited = wait_audit(window, 1);
    r->audit_error = g_strdup(svm_audit_window_get_error(window));
    if (r->audited && svm_audit_window_get_report(window)) {
        check_findings_page(window, a, b, r);
        check_fix(window, list, a, r);
        if (svm_audit_window_get_report(window))
            check_matrix(window, a, b, r);
    }
    gtk_widget_destroy(GTK_WIDGET(window));
    gtk_widget_destroy(GTK_WIDGET(list));

    /* The same mismatch again, seen and fixed from A's details. */
    if (svm_test_write_label(a->data, wrong))
        check_vm_page(engine, a, r);
}

/* VMs of a run that died before it could clean up (a fatal critical aborts at once). */
static void
remove_leftovers(virConnectPtr conn)
{
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(conn, &doms, 0);

    for (int i = 0; i < n; i++) {
        const char *name = virDomainGetName(doms[i]);
        const char *dash = strrchr(name, '-');
        gint64 pid = dash ? g_ascii_strtoll(dash + 1, NULL, 10) : 0;

        if (g_str_has_prefix(name, "svm-test-audit-") && pid > 0 && pid != getpid() &&
            kill((pid_t)pid, 0) < 0) {
            g_test_message("Removing %s, left by an earlier run", name);
            if (virDomainIsActive(doms[i]) == 1)
                virDomainDestroy(doms[i]);
            virDomainUndefine(doms[i]);
        }
        virDomainFree(doms[i]);
    }
    free(doms);
    virResetLastError();
}

static void
test_system_audit(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(GError) error = NULL;
    g_autoptr(virConnect) conn = NULL;
    g_autofree char *shared_dir = NULL;
    g_autofree char *shared = NULL;
    SvmTestVm a = { 0 }, b = { 0 };
    Results r = { 0 };

    if (!svirt_engine_connect(engine, NULL, &error)) {
        g_test_skip(error->message);
        return;
    }
    conn = svirt_engine_dup_connection(engine, NULL);
    remove_leftovers(conn);
    shared_dir = svm_test_make_vm_dir("svm-audit-shared");
    shared = g_build_filename(shared_dir, "shared.img", NULL);
    svm_test_write_blank_image(shared, 65536);
    if (svm_test_vm_try_define(conn, &a, "svm-test-audit-a", shared, SVM_TEST_VM_DATA) &&
        svm_test_vm_try_define(conn, &b, "svm-test-audit-b", shared, SVM_TEST_VM_DATA))
        run_scenario(engine, &a, &b, &r);

    remove_vm(engine, conn, &a);
    remove_vm(engine, conn, &b);
    svm_test_rmdir(shared_dir);

    g_assert_true(r.setup_ok);
    g_assert_true(r.audited);
    g_assert_cmpstr(r.audit_error, ==, NULL);
    /* The findings list the relabelled image... */
    g_assert_true(r.mismatch_listed);
    g_assert_cmpstr(r.mismatch_expected, ==, r.label_a);
    g_assert_cmpuint(r.rows_all, ==, r.findings_all);
    /* ...the filters change the rows... */
    g_assert_true(r.error_filter_ok);
    g_assert_cmpuint(r.rows_error, ==, r.findings_error);
    g_assert_cmpuint(r.rows_error, <, r.rows_all);
    g_assert_true(r.vm_filter_ok);
    g_assert_cmpuint(r.rows_b, ==, r.findings_b);
    g_assert_cmpuint(r.rows_b, >=, 1);
    g_assert_true(r.mismatch_hidden_for_b);
    /* ...and Fix puts the planned label back. */
    g_assert_true(r.fix_sensitive);
    g_assert_true(r.fix_audited);
    g_assert_cmpstr(r.fix_error, ==, NULL);
    g_assert_true(r.mismatch_gone);
    g_assert_cmpstr(r.label_after_fix, ==, r.label_a);
    /* The main window's isolation column followed the fix without F5. */
    g_assert_cmpstr(r.list_icon_before, ==, "dialog-warning-symbolic");
    g_assert_cmpstr(r.list_icon_after, ==, "security-medium-symbolic");
    g_assert_nonnull(strstr(r.list_reason_after, "shared disks"));
    /* The matrix shows the engine's cells; A reaches B's data through the shared disk. */
    g_assert_cmpuint(r.matrix_n, ==, r.report_n);
    g_assert_true(r.cells_equal);
    g_assert_true(r.pixels_ok);
    g_assert_true(r.access_ab == SVIRT_ACCESS_READ || r.access_ab == SVIRT_ACCESS_WRITE);
    g_assert_cmpint(r.view_access_ab, ==, r.access_ab);
    g_assert_nonnull(r.cursor_text);
    g_assert_nonnull(strstr(r.cursor_text, "svm-test-audit-a"));
    g_assert_nonnull(strstr(r.cursor_text, "svm-test-audit-b"));
    /* A's details list A's findings alone, and fix from there too. */
    g_assert_true(r.page_audited);
    g_assert_true(r.page_rows_own);
    g_assert_cmpuint(r.page_rows, ==, r.page_findings);
    g_assert_true(r.page_mismatch_listed);
    g_assert_true(r.page_fixed);
    g_assert_cmpstr(r.label_after_page_fix, ==, r.label_a);
    results_clear(&r);
}

int
main(int argc, char *argv[])
{
    int ret;

    /* Labels are journalled in a directory of this run, which the fixture removes. */
    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_PRIVATE_STATE | SVM_TEST_FIXTURE_LIBVIRTD);
    gtk_test_init(&argc, &argv, NULL);
    /* Screenshots must show the end state, not a frame of a transition. */
    g_object_set(gtk_settings_get_default(), "gtk-enable-animations", FALSE, NULL);
    svirt_engine_init_libvirt();

    g_test_add_func("/ui/audit/window", test_window_basics);
    g_test_add_func("/ui/audit/title-and-empty", test_window_title_and_empty);
    g_test_add_func("/ui/audit/system", test_system_audit);
    ret = g_test_run();
    return ret;
}
