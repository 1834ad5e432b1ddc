#include "config.h"

#include <glib/gi18n.h>
#include <gtk/gtk-a11y.h>
#include <math.h>
#include <string.h>

#include "svm-matrix-view-private.h"

#define CELL 40
#define PAD 12
#define HEADER_MAX 220 /* longest VM name drawn in full, in pixels */
#define SWATCH 14

typedef struct {
    SvirtAccess access;
    char *path;
    char *reason;
} Cell;

struct _SvmMatrixView {
    GtkDrawingArea parent_instance;

    guint n;
    GStrv names;
    GStrv notes; /* where each VM's process label comes from */
    Cell *cells;
    guint cursor_row;
    guint cursor_column;
};

enum {
    SIGNAL_CURSOR_CHANGED,
    N_SIGNALS,
};

static guint signals[N_SIGNALS];

G_DEFINE_TYPE(SvmMatrixView, svm_matrix_view, GTK_TYPE_DRAWING_AREA)

/* Assistive technology sees the matrix as a table whose children are its cells, one per
 * (row VM, column VM), named with what the cell says; the cursor cell is the focused one. */

#define SVM_TYPE_MATRIX_CELL_ACCESSIBLE (svm_matrix_cell_accessible_get_type())
G_DECLARE_FINAL_TYPE(SvmMatrixCellAccessible, svm_matrix_cell_accessible, SVM,
                     MATRIX_CELL_ACCESSIBLE, AtkObject)

#define SVM_TYPE_MATRIX_VIEW_ACCESSIBLE (svm_matrix_view_accessible_get_type())
G_DECLARE_FINAL_TYPE(SvmMatrixViewAccessible, svm_matrix_view_accessible, SVM,
                     MATRIX_VIEW_ACCESSIBLE, GtkWidgetAccessible)

struct _SvmMatrixCellAccessible {
    AtkObject parent_instance;

    /* Weak: NULL once the table is gone or the matrix it showed was replaced. */
    SvmMatrixViewAccessible *table;
    guint row;
    guint column;
    char *name;
    char *description;
};

struct _SvmMatrixViewAccessible {
    GtkWidgetAccessible parent_instance;

    /* The cells of the matrix shown now, row by row; made when first asked for. */
    GPtrArray *cells;
};

static void svm_matrix_cell_component_init(AtkComponentIface *iface);
static void svm_matrix_cell_table_cell_init(AtkTableCellIface *iface);
static void svm_matrix_view_table_init(AtkTableIface *iface);

G_DEFINE_TYPE_WITH_CODE(SvmMatrixCellAccessible, svm_matrix_cell_accessible, ATK_TYPE_OBJECT,
                        G_IMPLEMENT_INTERFACE(ATK_TYPE_COMPONENT, svm_matrix_cell_component_init)
                        G_IMPLEMENT_INTERFACE(ATK_TYPE_TABLE_CELL,
                                              svm_matrix_cell_table_cell_init))

G_DEFINE_TYPE_WITH_CODE(SvmMatrixViewAccessible, svm_matrix_view_accessible,
                        GTK_TYPE_WIDGET_ACCESSIBLE,
                        G_IMPLEMENT_INTERFACE(ATK_TYPE_TABLE, svm_matrix_view_table_init))

static SvmMatrixView *
accessible_view(SvmMatrixViewAccessible *table)
{
    GtkWidget *widget = table ? gtk_accessible_get_widget(GTK_ACCESSIBLE(table)) : NULL;

    return widget ? SVM_MATRIX_VIEW(widget) : NULL;
}

static SvmMatrixView *
cell_view(SvmMatrixCellAccessible *cell)
{
    SvmMatrixView *view = accessible_view(cell->table);

    if (!view || cell->row >= view->n || cell->column >= view->n)
        return NULL;
    return view;
}

static const char *
svm_matrix_cell_accessible_get_name(AtkObject *obj)
{
    SvmMatrixCellAccessible *cell = SVM_MATRIX_CELL_ACCESSIBLE(obj);
    SvmMatrixView *view = cell_view(cell);
    g_autofree char *text = NULL;
    char *newline;

    if (obj->name)
        return obj->name;
    if (!view)
        return NULL;
    /* The first line says who may do what to whom; the object and the reason follow. */
    text = svm_matrix_view_describe_cell(view, cell->row, cell->column);
    newline = strchr(text, '\n');
    g_free(cell->name);
    cell->name = newline ? g_strndup(text, newline - text) : g_strdup(text);
    g_free(cell->description);
    cell->description = newline ? g_strdup(newline + 1) : NULL;
    return cell->name;
}

static const char *
svm_matrix_cell_accessible_get_description(AtkObject *obj)
{
    SvmMatrixCellAccessible *cell = SVM_MATRIX_CELL_ACCESSIBLE(obj);

    if (obj->description)
        return obj->description;
    svm_matrix_cell_accessible_get_name(obj);
    return cell_view(cell) ? cell->description : NULL;
}

static AtkObject *
svm_matrix_cell_accessible_get_parent(AtkObject *obj)
{
    return ATK_OBJECT(SVM_MATRIX_CELL_ACCESSIBLE(obj)->table);
}

static int
svm_matrix_cell_accessible_get_index_in_parent(AtkObject *obj)
{
    SvmMatrixCellAccessible *cell = SVM_MATRIX_CELL_ACCESSIBLE(obj);
    SvmMatrixView *view = cell_view(cell);

    return view ? (int)(cell->row * view->n + cell->column) : -1;
}

static AtkStateSet *
svm_matrix_cell_accessible_ref_state_set(AtkObject *obj)
{
    SvmMatrixCellAccessible *cell = SVM_MATRIX_CELL_ACCESSIBLE(obj);
    SvmMatrixView *view = cell_view(cell);
    AtkStateSet *set = atk_state_set_new();
    GtkWidget *widget;

    if (!view) {
        atk_state_set_add_state(set, ATK_STATE_DEFUNCT);
        return set;
    }
    widget = GTK_WIDGET(view);
    atk_state_set_add_state(set, ATK_STATE_TRANSIENT);
    atk_state_set_add_state(set, ATK_STATE_FOCUSABLE);
    atk_state_set_add_state(set, ATK_STATE_SELECTABLE);
    if (gtk_widget_get_visible(widget))
        atk_state_set_add_state(set, ATK_STATE_VISIBLE);
    if (gtk_widget_get_mapped(widget))
        atk_state_set_add_state(set, ATK_STATE_SHOWING);
    if (cell->row == view->cursor_row && cell->column == view->cursor_column) {
        atk_state_set_add_state(set, ATK_STATE_SELECTED);
        if (gtk_widget_has_focus(widget))
            atk_state_set_add_state(set, ATK_STATE_FOCUSED);
    }
    return set;
}

static void
svm_matrix_cell_accessible_finalize(GObject *object)
{
    SvmMatrixCellAccessible *cell = SVM_MATRIX_CELL_ACCESSIBLE(object);

    if (cell->table)
        g_object_remove_weak_pointer(G_OBJECT(cell->table), (gpointer *)&cell->table);
    g_free(cell->name);
    g_free(cell->description);
    G_OBJECT_CLASS(svm_matrix_cell_accessible_parent_class)->finalize(object);
}

static void
svm_matrix_cell_accessible_class_init(SvmMatrixCellAccessibleClass *klass)
{
    AtkObjectClass *atk_class = ATK_OBJECT_CLASS(klass);

    G_OBJECT_CLASS(klass)->finalize = svm_matrix_cell_accessible_finalize;
    atk_class->get_name = svm_matrix_cell_accessible_get_name;
    atk_class->get_description = svm_matrix_cell_accessible_get_description;
    atk_class->get_parent = svm_matrix_cell_accessible_get_parent;
    atk_class->get_index_in_parent = svm_matrix_cell_accessible_get_index_in_parent;
    atk_class->ref_state_set = svm_matrix_cell_accessible_ref_state_set;
}

static void
svm_matrix_cell_accessible_init(SvmMatrixCellAccessible *cell)
{
    ATK_OBJECT(cell)->role = ATK_ROLE_TABLE_CELL;
}

static AtkObject *
matrix_cell_new(SvmMatrixViewAccessible *table, guint row, guint column)
{
    SvmMatrixCellAccessible *cell = g_object_new(SVM_TYPE_MATRIX_CELL_ACCESSIBLE, NULL);

    cell->table = table;
    g_object_add_weak_pointer(G_OBJECT(table), (gpointer *)&cell->table);
    cell->row = row;
    cell->column = column;
    return ATK_OBJECT(cell);
}

/* Where the cell is, in the coordinates ATK asks for. */
static void
svm_matrix_cell_get_extents(AtkComponent *component, int *x, int *y, int *width, int *height,
                            AtkCoordType coord_type)
{
    SvmMatrixCellAccessible *cell = SVM_MATRIX_CELL_ACCESSIBLE(component);
    SvmMatrixView *view = cell_view(cell);
    GtkWidget *widget, *toplevel;
    GdkRectangle area;
    int wx, wy;

    *x = *y = *width = *height = 0;
    if (!view || !gtk_widget_get_realized(GTK_WIDGET(view)))
        return;
    widget = GTK_WIDGET(view);
    toplevel = gtk_widget_get_toplevel(widget);
    svm_matrix_view_get_cell_area(view, cell->row, cell->column, &area);
    if (!gtk_widget_translate_coordinates(widget, toplevel, area.x, area.y, &wx, &wy))
        return;
    if (coord_type == ATK_XY_SCREEN) {
        int ox, oy;

        gdk_window_get_origin(gtk_widget_get_window(toplevel), &ox, &oy);
        wx += ox;
        wy += oy;
    } else if (coord_type == ATK_XY_PARENT) {
        wx = area.x;
        wy = area.y;
    }
    *x = wx;
    *y = wy;
    *width = area.width;
    *height = area.height;
}

static gboolean
svm_matrix_cell_grab_focus(AtkComponent *component)
{
    SvmMatrixCellAccessible *cell = SVM_MATRIX_CELL_ACCESSIBLE(component);
    SvmMatrixView *view = cell_view(cell);

    if (!view)
        return FALSE;
    svm_matrix_view_set_cursor(view, cell->row, cell->column);
    gtk_widget_grab_focus(GTK_WIDGET(view));
    return TRUE;
}

static void
svm_matrix_cell_component_init(AtkComponentIface *iface)
{
    iface->get_extents = svm_matrix_cell_get_extents;
    iface->grab_focus = svm_matrix_cell_grab_focus;
}

static gboolean
svm_matrix_cell_get_position(AtkTableCell *table_cell, int *row, int *column)
{
    SvmMatrixCellAccessible *cell = SVM_MATRIX_CELL_ACCESSIBLE(table_cell);

    if (!cell_view(cell))
        return FALSE;
    *row = (int)cell->row;
    *column = (int)cell->column;
    return TRUE;
}

static int
svm_matrix_cell_get_span(AtkTableCell *table_cell)
{
    return 1;
}

static AtkObject *
svm_matrix_cell_ref_table(AtkTableCell *table_cell)
{
    SvmMatrixCellAccessible *cell = SVM_MATRIX_CELL_ACCESSIBLE(table_cell);

    return cell->table ? g_object_ref(ATK_OBJECT(cell->table)) : NULL;
}

static void
svm_matrix_cell_table_cell_init(AtkTableCellIface *iface)
{
    iface->get_position = svm_matrix_cell_get_position;
    iface->get_column_span = svm_matrix_cell_get_span;
    iface->get_row_span = svm_matrix_cell_get_span;
    iface->get_table = svm_matrix_cell_ref_table;
}

static guint
table_size(SvmMatrixViewAccessible *table)
{
    SvmMatrixView *view = accessible_view(table);

    return view ? view->n : 0;
}

static AtkObject *
table_cell(SvmMatrixViewAccessible *table, guint row, guint column)
{
    guint n = table_size(table);

    if (row >= n || column >= n)
        return NULL;
    if (!table->cells) {
        table->cells = g_ptr_array_new_full(n * n, g_object_unref);
        for (guint r = 0; r < n; r++)
            for (guint c = 0; c < n; c++)
                g_ptr_array_add(table->cells, matrix_cell_new(table, r, c));
    }
    return g_ptr_array_index(table->cells, row * n + column);
}

/* The matrix changed: the old cells no longer stand for anything. */
static void
matrix_accessible_reset(SvmMatrixViewAccessible *table)
{
    if (table->cells) {
        for (guint i = 0; i < table->cells->len; i++) {
            SvmMatrixCellAccessible *cell = g_ptr_array_index(table->cells, i);

            g_object_remove_weak_pointer(G_OBJECT(table), (gpointer *)&cell->table);
            cell->table = NULL;
            atk_object_notify_state_change(ATK_OBJECT(cell), ATK_STATE_DEFUNCT, TRUE);
        }
        g_clear_pointer(&table->cells, g_ptr_array_unref);
    }
    g_signal_emit_by_name(table, "model-changed");
    g_signal_emit_by_name(table, "visible-data-changed");
}

/* The cursor cell is the one a screen reader speaks as the table's focus moves. */
static void
matrix_accessible_cursor_moved(SvmMatrixViewAccessible *table, gboolean focused)
{
    SvmMatrixView *view = accessible_view(table);
    AtkObject *cell;

    if (!view || view->n == 0)
        return;
    cell = table_cell(table, view->cursor_row, view->cursor_column);
    atk_object_notify_state_change(cell, ATK_STATE_SELECTED, TRUE);
    if (focused) {
        atk_object_notify_state_change(cell, ATK_STATE_FOCUSED, TRUE);
        g_signal_emit_by_name(table, "active-descendant-changed", cell);
    }
}

static int
svm_matrix_view_accessible_get_n_children(AtkObject *obj)
{
    guint n = table_size(SVM_MATRIX_VIEW_ACCESSIBLE(obj));

    return (int)(n * n);
}

static AtkObject *
svm_matrix_view_accessible_ref_child(AtkObject *obj, int i)
{
    SvmMatrixViewAccessible *table = SVM_MATRIX_VIEW_ACCESSIBLE(obj);
    guint n = table_size(table);
    AtkObject *cell;

    if (i < 0 || n == 0 || (guint)i >= n * n)
        return NULL;
    cell = table_cell(table, i / n, i % n);
    return cell ? g_object_ref(cell) : NULL;
}

static AtkStateSet *
svm_matrix_view_accessible_ref_state_set(AtkObject *obj)
{
    AtkStateSet *set =
        ATK_OBJECT_CLASS(svm_matrix_view_accessible_parent_class)->ref_state_set(obj);

    /* Cells come and go with the matrix: readers should not cache them. */
    atk_state_set_add_state(set, ATK_STATE_MANAGES_DESCENDANTS);
    return set;
}

static void
svm_matrix_view_accessible_initialize(AtkObject *obj, gpointer data)
{
    ATK_OBJECT_CLASS(svm_matrix_view_accessible_parent_class)->initialize(obj, data);
    obj->role = ATK_ROLE_TABLE;
}

static void
svm_matrix_view_accessible_finalize(GObject *object)
{
    SvmMatrixViewAccessible *table = SVM_MATRIX_VIEW_ACCESSIBLE(object);

    g_clear_pointer(&table->cells, g_ptr_array_unref);
    G_OBJECT_CLASS(svm_matrix_view_accessible_parent_class)->finalize(object);
}

static void
svm_matrix_view_accessible_class_init(SvmMatrixViewAccessibleClass *klass)
{
    AtkObjectClass *atk_class = ATK_OBJECT_CLASS(klass);

    G_OBJECT_CLASS(klass)->finalize = svm_matrix_view_accessible_finalize;
    atk_class->initialize = svm_matrix_view_accessible_initialize;
    atk_class->get_n_children = svm_matrix_view_accessible_get_n_children;
    atk_class->ref_child = svm_matrix_view_accessible_ref_child;
    atk_class->ref_state_set = svm_matrix_view_accessible_ref_state_set;
}

static void
svm_matrix_view_accessible_init(SvmMatrixViewAccessible *table)
{
}

static AtkObject *
svm_matrix_view_table_ref_at(AtkTable *atk_table, int row, int column)
{
    AtkObject *cell;

    if (row < 0 || column < 0)
        return NULL;
    cell = table_cell(SVM_MATRIX_VIEW_ACCESSIBLE(atk_table), row, column);
    return cell ? g_object_ref(cell) : NULL;
}

static int
svm_matrix_view_table_get_index_at(AtkTable *atk_table, int row, int column)
{
    guint n = table_size(SVM_MATRIX_VIEW_ACCESSIBLE(atk_table));

    if (row < 0 || column < 0 || (guint)row >= n || (guint)column >= n)
        return -1;
    return (int)(row * n + column);
}

static int
svm_matrix_view_table_get_row_at_index(AtkTable *atk_table, int index)
{
    guint n = table_size(SVM_MATRIX_VIEW_ACCESSIBLE(atk_table));

    return n && index >= 0 && (guint)index < n * n ? index / (int)n : -1;
}

static int
svm_matrix_view_table_get_column_at_index(AtkTable *atk_table, int index)
{
    guint n = table_size(SVM_MATRIX_VIEW_ACCESSIBLE(atk_table));

    return n && index >= 0 && (guint)index < n * n ? index % (int)n : -1;
}

static int
svm_matrix_view_table_get_n(AtkTable *atk_table)
{
    return (int)table_size(SVM_MATRIX_VIEW_ACCESSIBLE(atk_table));
}

/* Rows are the VMs whose process accesses, columns the VMs whose objects are accessed. */
static const char *
svm_matrix_view_table_get_description(AtkTable *atk_table, int index)
{
    SvmMatrixView *view = accessible_view(SVM_MATRIX_VIEW_ACCESSIBLE(atk_table));

    return view && index >= 0 ? svm_matrix_view_get_vm_name(view, index) : NULL;
}

static gboolean
svm_matrix_view_table_is_selected(AtkTable *atk_table, int row, int column)
{
    SvmMatrixView *view = accessible_view(SVM_MATRIX_VIEW_ACCESSIBLE(atk_table));

    return view && view->n && (guint)row == view->cursor_row &&
           (guint)column == view->cursor_column;
}

static void
svm_matrix_view_table_init(AtkTableIface *iface)
{
    iface->ref_at = svm_matrix_view_table_ref_at;
    iface->get_index_at = svm_matrix_view_table_get_index_at;
    iface->get_row_at_index = svm_matrix_view_table_get_row_at_index;
    iface->get_column_at_index = svm_matrix_view_table_get_column_at_index;
    iface->get_n_rows = svm_matrix_view_table_get_n;
    iface->get_n_columns = svm_matrix_view_table_get_n;
    iface->get_row_description = svm_matrix_view_table_get_description;
    iface->get_column_description = svm_matrix_view_table_get_description;
    iface->is_selected = svm_matrix_view_table_is_selected;
}

static SvmMatrixViewAccessible *
view_accessible(SvmMatrixView *self)
{
    AtkObject *acc = gtk_widget_get_accessible(GTK_WIDGET(self));

    return SVM_IS_MATRIX_VIEW_ACCESSIBLE(acc) ? SVM_MATRIX_VIEW_ACCESSIBLE(acc) : NULL;
}

static const struct {
    SvirtAccess access;
    gboolean self_cell;
    const char *color;
    const char *mark;
    const char *label;
} legend[] = {
    { SVIRT_ACCESS_ISOLATED, FALSE, "#8ff0a4", "", N_("Isolated") },
    { SVIRT_ACCESS_READ, FALSE, "#f8c35c", "R", N_("Shares content (read)") },
    { SVIRT_ACCESS_WRITE, FALSE, "#ed5b50", "W", N_("Can write another VM's data") },
    { SVIRT_ACCESS_UNKNOWN, FALSE, "#c0bfbc", "?", N_("Unknown") },
    { SVIRT_ACCESS_ISOLATED, TRUE, "#f6f5f4", "", N_("Same VM") },
};

static guint
legend_index(SvirtAccess access, gboolean self_cell)
{
    if (self_cell)
        return G_N_ELEMENTS(legend) - 1;
    for (guint i = 0; i < G_N_ELEMENTS(legend); i++)
        if (legend[i].access == access && !legend[i].self_cell)
            return i;
    return 3;
}

void
svm_matrix_view_get_access_color(SvirtAccess access, gboolean self_cell, GdkRGBA *color)
{
    gdk_rgba_parse(color, legend[legend_index(access, self_cell)].color);
}

static const char *
access_words(SvirtAccess access)
{
    switch (access) {
    case SVIRT_ACCESS_ISOLATED:
        return _("isolated");
    case SVIRT_ACCESS_READ:
        return _("can read its data (shares content)");
    case SVIRT_ACCESS_WRITE:
        return _("can write its data");
    case SVIRT_ACCESS_UNKNOWN:
        return _("unknown");
    }
    return "?";
}

static void
clear(SvmMatrixView *self)
{
    for (guint i = 0; i < self->n * self->n; i++) {
        g_free(self->cells[i].path);
        g_free(self->cells[i].reason);
    }
    g_clear_pointer(&self->cells, g_free);
    g_clear_pointer(&self->names, g_strfreev);
    g_clear_pointer(&self->notes, g_strfreev);
    self->n = 0;
}

static PangoLayout *
header_layout(SvmMatrixView *self, const char *text)
{
    PangoLayout *layout = gtk_widget_create_pango_layout(GTK_WIDGET(self), text);

    pango_layout_set_width(layout, HEADER_MAX * PANGO_SCALE);
    pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_MIDDLE);
    return layout;
}

/* The widest VM name, capped; row headers and the rotated column headers both take it. */
static int
header_size(SvmMatrixView *self)
{
    int widest = 0;

    for (guint i = 0; i < self->n; i++) {
        g_autoptr(PangoLayout) layout = header_layout(self, self->names[i]);
        int w;

        pango_layout_get_pixel_size(layout, &w, NULL);
        widest = MAX(widest, w);
    }
    return widest + PAD;
}

static int
legend_height(void)
{
    return 2 * PAD + SWATCH + 4;
}

static void
get_origin(SvmMatrixView *self, int *x, int *y)
{
    int header = header_size(self);

    *x = PAD + header;
    *y = PAD + header;
}

gboolean
svm_matrix_view_get_cell_area(SvmMatrixView *self, guint row, guint column, GdkRectangle *area)
{
    int x0, y0;

    g_return_val_if_fail(SVM_IS_MATRIX_VIEW(self), FALSE);
    if (row >= self->n || column >= self->n)
        return FALSE;
    get_origin(self, &x0, &y0);
    area->x = x0 + column * CELL;
    area->y = y0 + row * CELL;
    area->width = CELL;
    area->height = CELL;
    return TRUE;
}

static gboolean
cell_at(SvmMatrixView *self, double x, double y, guint *row, guint *column)
{
    int x0, y0;

    get_origin(self, &x0, &y0);
    if (x < x0 || y < y0)
        return FALSE;
    *column = (guint)((x - x0) / CELL);
    *row = (guint)((y - y0) / CELL);
    return *row < self->n && *column < self->n;
}

static void
set_source(cairo_t *cr, const char *spec)
{
    GdkRGBA rgba;

    gdk_rgba_parse(&rgba, spec);
    gdk_cairo_set_source_rgba(cr, &rgba);
}

static void
draw_mark(SvmMatrixView *self, cairo_t *cr, const char *mark, double cx, double cy)
{
    g_autoptr(PangoLayout) layout = NULL;
    PangoAttrList *attrs;
    int w, h;

    if (!*mark)
        return;
    layout = gtk_widget_create_pango_layout(GTK_WIDGET(self), mark);
    attrs = pango_attr_list_new();
    pango_attr_list_insert(attrs, pango_attr_weight_new(PANGO_WEIGHT_BOLD));
    pango_layout_set_attributes(layout, attrs);
    pango_attr_list_unref(attrs);
    pango_layout_get_pixel_size(layout, &w, &h);
    /* Dark marks on light fills read in every theme. */
    cairo_set_source_rgba(cr, 0, 0, 0, 0.75);
    cairo_move_to(cr, cx - w / 2.0, cy - h / 2.0);
    pango_cairo_show_layout(cr, layout);
}

static void
fill_cell(cairo_t *cr, double x, double y, double size, guint index)
{
    set_source(cr, legend[index].color);
    cairo_rectangle(cr, x + 1, y + 1, size - 2, size - 2);
    cairo_fill(cr);
    if (legend[index].self_cell) {
        /* The diagonal: a VM and itself, crossed out lightly. */
        cairo_set_source_rgba(cr, 0, 0, 0, 0.18);
        cairo_set_line_width(cr, 1);
        cairo_move_to(cr, x + 1, y + size - 1);
        cairo_line_to(cr, x + size - 1, y + 1);
        cairo_stroke(cr);
    }
}

static void
draw_legend(SvmMatrixView *self, cairo_t *cr, GtkStyleContext *style, int x, int y)
{
    GdkRGBA fg;

    gtk_style_context_get_color(style, gtk_style_context_get_state(style), &fg);
    for (guint i = 0; i < G_N_ELEMENTS(legend); i++) {
        g_autoptr(PangoLayout) layout =
            gtk_widget_create_pango_layout(GTK_WIDGET(self), _(legend[i].label));
        int w, h;

        fill_cell(cr, x, y, SWATCH + 2, i);
        cairo_set_source_rgba(cr, 0, 0, 0, 0.35);
        cairo_set_line_width(cr, 1);
        cairo_rectangle(cr, x + 0.5, y + 0.5, SWATCH + 1, SWATCH + 1);
        cairo_stroke(cr);
        pango_layout_get_pixel_size(layout, &w, &h);
        gdk_cairo_set_source_rgba(cr, &fg);
        cairo_move_to(cr, x + SWATCH + 8, y + (SWATCH + 2 - h) / 2.0);
        pango_cairo_show_layout(cr, layout);
        x += SWATCH + 8 + w + 2 * PAD;
    }
}

static gboolean
svm_matrix_view_draw(GtkWidget *widget, cairo_t *cr)
{
    SvmMatrixView *self = SVM_MATRIX_VIEW(widget);
    GtkStyleContext *style = gtk_widget_get_style_context(widget);
    int width = gtk_widget_get_allocated_width(widget);
    int height = gtk_widget_get_allocated_height(widget);
    int x0, y0;
    GdkRGBA fg;

    gtk_render_background(style, cr, 0, 0, width, height);
    gtk_style_context_get_color(style, gtk_style_context_get_state(style), &fg);
    get_origin(self, &x0, &y0);

    if (self->n == 0) {
        g_autoptr(PangoLayout) layout =
            gtk_widget_create_pango_layout(widget, _("No virtual machines to compare."));

        gdk_cairo_set_source_rgba(cr, &fg);
        cairo_move_to(cr, PAD, PAD);
        pango_cairo_show_layout(cr, layout);
        return GDK_EVENT_PROPAGATE;
    }

    for (guint i = 0; i < self->n; i++) {
        g_autoptr(PangoLayout) row = header_layout(self, self->names[i]);
        g_autoptr(PangoLayout) column = header_layout(self, self->names[i]);
        int w, h;

        /* Row headers right-aligned against the grid. */
        pango_layout_get_pixel_size(row, &w, &h);
        gdk_cairo_set_source_rgba(cr, &fg);
        cairo_move_to(cr, x0 - PAD / 2 - w, y0 + i * CELL + (CELL - h) / 2.0);
        pango_cairo_show_layout(cr, row);

        /* Column headers read bottom to top, ending at the grid. */
        pango_layout_get_pixel_size(column, &w, &h);
        cairo_save(cr);
        cairo_move_to(cr, x0 + i * CELL + (CELL - h) / 2.0, y0 - PAD / 2);
        cairo_rotate(cr, -G_PI / 2);
        pango_cairo_show_layout(cr, column);
        cairo_restore(cr);
    }

    for (guint r = 0; r < self->n; r++) {
        for (guint c = 0; c < self->n; c++) {
            const Cell *cell = &self->cells[r * self->n + c];
            guint index = legend_index(cell->access, r == c);
            double x = x0 + c * CELL;
            double y = y0 + r * CELL;

            fill_cell(cr, x, y, CELL, index);
            draw_mark(self, cr, legend[index].mark, x + CELL / 2.0, y + CELL / 2.0);
        }
    }
    /* Grid lines, so equal colours side by side stay separate cells. */
    cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.25);
    cairo_set_line_width(cr, 1);
    for (guint i = 0; i <= self->n; i++) {
        cairo_move_to(cr, x0 + i * CELL + 0.5, y0);
        cairo_line_to(cr, x0 + i * CELL + 0.5, y0 + self->n * CELL);
        cairo_move_to(cr, x0, y0 + i * CELL + 0.5);
        cairo_line_to(cr, x0 + self->n * CELL, y0 + i * CELL + 0.5);
    }
    cairo_stroke(cr);

    /* The cursor cell: a solid frame, and the theme's focus ring while focused. */
    {
        double x = x0 + self->cursor_column * CELL;
        double y = y0 + self->cursor_row * CELL;

        gdk_cairo_set_source_rgba(cr, &fg);
        cairo_set_line_width(cr, 2);
        cairo_rectangle(cr, x + 1, y + 1, CELL - 2, CELL - 2);
        cairo_stroke(cr);
        if (gtk_widget_has_visible_focus(widget))
            gtk_render_focus(style, cr, x + 3, y + 3, CELL - 6, CELL - 6);
    }

    draw_legend(self, cr, style, PAD, y0 + self->n * CELL + PAD);
    return GDK_EVENT_PROPAGATE;
}

static int
legend_width(SvmMatrixView *self)
{
    int total = PAD;

    for (guint i = 0; i < G_N_ELEMENTS(legend); i++) {
        g_autoptr(PangoLayout) layout =
            gtk_widget_create_pango_layout(GTK_WIDGET(self), _(legend[i].label));
        int w;

        pango_layout_get_pixel_size(layout, &w, NULL);
        total += SWATCH + 8 + w + 2 * PAD;
    }
    return total;
}

static void
svm_matrix_view_get_preferred_width(GtkWidget *widget, int *minimum, int *natural)
{
    SvmMatrixView *self = SVM_MATRIX_VIEW(widget);
    int grid = 2 * PAD + header_size(self) + self->n * CELL;

    *minimum = *natural = MAX(grid, legend_width(self));
}

static void
svm_matrix_view_get_preferred_height(GtkWidget *widget, int *minimum, int *natural)
{
    SvmMatrixView *self = SVM_MATRIX_VIEW(widget);

    *minimum = *natural = PAD + header_size(self) + self->n * CELL + legend_height();
}

char *
svm_matrix_view_describe_cell(SvmMatrixView *self, guint row, guint column)
{
    const Cell *cell;
    GString *s;

    g_return_val_if_fail(SVM_IS_MATRIX_VIEW(self), NULL);
    if (row >= self->n || column >= self->n)
        return NULL;
    cell = &self->cells[row * self->n + column];
    s = g_string_new(NULL);
    if (row == column)
        /* TRANSLATORS: %s is a VM name; a matrix cell of a VM and itself */
        g_string_append_printf(s, _("%s and its own objects"), self->names[row]);
    else
        /* TRANSLATORS: "VM A → VM B: can write its data" */
        g_string_append_printf(s, _("%s → %s: %s"), self->names[row], self->names[column],
                               access_words(cell->access));
    if (cell->path)
        /* TRANSLATORS: %s is a file path */
        g_string_append_printf(s, "\n%s", cell->path);
    if (cell->reason)
        g_string_append_printf(s, "\n%s", cell->reason);
    if (cell->access == SVIRT_ACCESS_UNKNOWN && self->notes[row])
        /* TRANSLATORS: %s says where a VM's process label comes from, or why it has none */
        g_string_append_printf(s, _("\nProcess label of %s: %s"), self->names[row],
                               self->notes[row]);
    return g_string_free(s, FALSE);
}

static gboolean
svm_matrix_view_query_tooltip(GtkWidget *widget, int x, int y, gboolean keyboard,
                              GtkTooltip *tooltip)
{
    SvmMatrixView *self = SVM_MATRIX_VIEW(widget);
    g_autofree char *text = NULL;
    GdkRectangle area;
    guint row, column;

    if (keyboard) {
        row = self->cursor_row;
        column = self->cursor_column;
    } else if (!cell_at(self, x, y, &row, &column)) {
        int x0, y0;

        /* Over a header: the full name, which may be ellipsized. */
        get_origin(self, &x0, &y0);
        if (x < x0 && y >= y0 && (guint)((y - y0) / CELL) < self->n) {
            gtk_tooltip_set_text(tooltip, self->names[(y - y0) / CELL]);
            return TRUE;
        }
        if (y < y0 && x >= x0 && (guint)((x - x0) / CELL) < self->n) {
            gtk_tooltip_set_text(tooltip, self->names[(x - x0) / CELL]);
            return TRUE;
        }
        return FALSE;
    }
    text = svm_matrix_view_describe_cell(self, row, column);
    if (!text)
        return FALSE;
    gtk_tooltip_set_text(tooltip, text);
    svm_matrix_view_get_cell_area(self, row, column, &area);
    gtk_tooltip_set_tip_area(tooltip, &area);
    return TRUE;
}

void
svm_matrix_view_set_cursor(SvmMatrixView *self, guint row, guint column)
{
    g_return_if_fail(SVM_IS_MATRIX_VIEW(self));
    if (self->n == 0)
        return;
    row = MIN(row, self->n - 1);
    column = MIN(column, self->n - 1);
    if (row == self->cursor_row && column == self->cursor_column)
        return;
    if (view_accessible(self)) {
        AtkObject *old = table_cell(view_accessible(self), self->cursor_row, self->cursor_column);

        atk_object_notify_state_change(old, ATK_STATE_SELECTED, FALSE);
        atk_object_notify_state_change(old, ATK_STATE_FOCUSED, FALSE);
    }
    self->cursor_row = row;
    self->cursor_column = column;
    gtk_widget_queue_draw(GTK_WIDGET(self));
    if (view_accessible(self))
        matrix_accessible_cursor_moved(view_accessible(self),
                                       gtk_widget_has_focus(GTK_WIDGET(self)));
    g_signal_emit(self, signals[SIGNAL_CURSOR_CHANGED], 0);
}

static gboolean
svm_matrix_view_key_press(GtkWidget *widget, GdkEventKey *event)
{
    SvmMatrixView *self = SVM_MATRIX_VIEW(widget);
    guint row = self->cursor_row;
    guint column = self->cursor_column;

    if (self->n == 0)
        return GDK_EVENT_PROPAGATE;
    switch (event->keyval) {
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
        column = column > 0 ? column - 1 : 0;
        break;
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
        column++;
        break;
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
        row = row > 0 ? row - 1 : 0;
        break;
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
        row++;
        break;
    case GDK_KEY_Home:
        column = 0;
        break;
    case GDK_KEY_End:
        column = self->n - 1;
        break;
    default:
        return GTK_WIDGET_CLASS(svm_matrix_view_parent_class)->key_press_event(widget, event);
    }
    svm_matrix_view_set_cursor(self, row, column);
    return GDK_EVENT_STOP;
}

static gboolean
svm_matrix_view_button_press(GtkWidget *widget, GdkEventButton *event)
{
    SvmMatrixView *self = SVM_MATRIX_VIEW(widget);
    guint row, column;

    gtk_widget_grab_focus(widget);
    if (event->button == GDK_BUTTON_PRIMARY && cell_at(self, event->x, event->y, &row, &column))
        svm_matrix_view_set_cursor(self, row, column);
    return GDK_EVENT_STOP;
}

static gboolean
svm_matrix_view_focus_change(GtkWidget *widget, GdkEventFocus *event)
{
    SvmMatrixView *self = SVM_MATRIX_VIEW(widget);

    gtk_widget_queue_draw(widget);
    if (view_accessible(self) && self->n > 0) {
        AtkObject *cell = table_cell(view_accessible(self), self->cursor_row, self->cursor_column);

        atk_object_notify_state_change(cell, ATK_STATE_FOCUSED, event->in);
        if (event->in)
            g_signal_emit_by_name(view_accessible(self), "active-descendant-changed", cell);
    }
    return GDK_EVENT_PROPAGATE;
}

static void
svm_matrix_view_finalize(GObject *object)
{
    clear(SVM_MATRIX_VIEW(object));
    G_OBJECT_CLASS(svm_matrix_view_parent_class)->finalize(object);
}

static void
svm_matrix_view_class_init(SvmMatrixViewClass *klass)
{
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

    G_OBJECT_CLASS(klass)->finalize = svm_matrix_view_finalize;
    widget_class->draw = svm_matrix_view_draw;
    widget_class->get_preferred_width = svm_matrix_view_get_preferred_width;
    widget_class->get_preferred_height = svm_matrix_view_get_preferred_height;
    widget_class->query_tooltip = svm_matrix_view_query_tooltip;
    widget_class->key_press_event = svm_matrix_view_key_press;
    widget_class->button_press_event = svm_matrix_view_button_press;
    widget_class->focus_in_event = svm_matrix_view_focus_change;
    widget_class->focus_out_event = svm_matrix_view_focus_change;
    gtk_widget_class_set_accessible_type(widget_class, SVM_TYPE_MATRIX_VIEW_ACCESSIBLE);
    gtk_widget_class_set_css_name(widget_class, "svm-matrix-view");

    signals[SIGNAL_CURSOR_CHANGED] =
        g_signal_new("cursor-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                     NULL, G_TYPE_NONE, 0);
}

static void
svm_matrix_view_init(SvmMatrixView *self)
{
    GtkWidget *widget = GTK_WIDGET(self);

    gtk_widget_set_can_focus(widget, TRUE);
    gtk_widget_set_has_tooltip(widget, TRUE);
    gtk_widget_add_events(widget, GDK_BUTTON_PRESS_MASK | GDK_KEY_PRESS_MASK |
                                      GDK_FOCUS_CHANGE_MASK);
    atk_object_set_name(gtk_widget_get_accessible(widget), _("Isolation matrix"));
}

GtkWidget *
svm_matrix_view_new(void)
{
    return g_object_new(SVM_TYPE_MATRIX_VIEW, NULL);
}

void
svm_matrix_view_set_matrix(SvmMatrixView *self, const SvirtMatrix *matrix)
{
    guint n;

    g_return_if_fail(SVM_IS_MATRIX_VIEW(self));
    clear(self);
    n = matrix ? matrix->vms->len : 0;
    self->n = n;
    self->names = g_new0(char *, n + 1);
    self->notes = g_new0(char *, n + 1);
    self->cells = g_new0(Cell, MAX(n * n, 1));
    for (guint i = 0; i < n; i++) {
        const SvirtMatrixVm *vm = g_ptr_array_index(matrix->vms, i);

        self->names[i] = g_strdup(vm->name);
        self->notes[i] = g_strdup(vm->process_note ? vm->process_note : "");
    }
    for (guint r = 0; r < n; r++) {
        for (guint c = 0; c < n; c++) {
            const SvirtMatrixCell *src = svirt_matrix_get_cell(matrix, r, c);
            Cell *cell = &self->cells[r * n + c];

            cell->access = src->access;
            cell->path = g_strdup(src->path);
            cell->reason = g_strdup(src->reason);
        }
    }
    self->cursor_row = n ? MIN(self->cursor_row, n - 1) : 0;
    self->cursor_column = n ? MIN(self->cursor_column, n - 1) : 0;
    if (view_accessible(self))
        matrix_accessible_reset(view_accessible(self));
    gtk_widget_queue_resize(GTK_WIDGET(self));
    g_signal_emit(self, signals[SIGNAL_CURSOR_CHANGED], 0);
}

guint
svm_matrix_view_get_n_vms(SvmMatrixView *self)
{
    g_return_val_if_fail(SVM_IS_MATRIX_VIEW(self), 0);
    return self->n;
}

const char *
svm_matrix_view_get_vm_name(SvmMatrixView *self, guint index)
{
    g_return_val_if_fail(SVM_IS_MATRIX_VIEW(self), NULL);
    return index < self->n ? self->names[index] : NULL;
}

SvirtAccess
svm_matrix_view_get_access(SvmMatrixView *self, guint row, guint column)
{
    g_return_val_if_fail(SVM_IS_MATRIX_VIEW(self), SVIRT_ACCESS_UNKNOWN);
    g_return_val_if_fail(row < self->n && column < self->n, SVIRT_ACCESS_UNKNOWN);
    return self->cells[row * self->n + column].access;
}

gboolean
svm_matrix_view_get_cursor(SvmMatrixView *self, guint *row, guint *column)
{
    g_return_val_if_fail(SVM_IS_MATRIX_VIEW(self), FALSE);
    if (self->n == 0)
        return FALSE;
    *row = self->cursor_row;
    *column = self->cursor_column;
    return TRUE;
}
