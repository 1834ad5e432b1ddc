/* Prints what assistive technology sees of one application, read through the AT-SPI bus with
 * libatspi, as a screen reader reads it. Usage: atspi-dump PID
 *
 * One line per object, tab-separated, each field escaped as by g_strescape():
 *   node   PATH ROLE NAME DESCRIPTION TEXT LABELLED-BY STATES
 *   cell   TABLE-PATH ROW COLUMN ROLE NAME DESCRIPTION
 *   header TABLE-PATH COLUMN NAME
 * PATH is the child indices from the application, joined with dots. LABELLED-BY is the names
 * of the objects in that relation, joined with "|"; STATES a few states, joined with ",".
 * Exits 77 when no AT-SPI bus can be reached, 1 when the application never shows up. */
#include "config.h"

#include <atspi/atspi.h>
#include <stdio.h>
#include <stdlib.h>

#include "svm-test-util.h"

/* libatspi declares no cleanup functions of its own. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtspiAccessible, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtspiStateSet, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtspiText, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtspiTable, g_object_unref)

#define MAX_DEPTH 40
#define MAX_CHILDREN 2000
#define MAX_ROWS 200
#define MAX_COLUMNS 30

static char *
esc(const char *s)
{
    return g_strescape(s ? s : "", NULL);
}

static void
print_fields(const char *kind, const char *const *fields, guint n)
{
    g_autoptr(GString) line = g_string_new(kind);

    for (guint i = 0; i < n; i++) {
        g_autofree char *e = esc(fields[i]);

        g_string_append_printf(line, "\t%s", e);
    }
    puts(line->str);
}

static char *
relation_names(AtspiAccessible *obj, AtspiRelationType type)
{
    g_autoptr(GArray) relations = atspi_accessible_get_relation_set(obj, NULL);
    g_autoptr(GString) names = g_string_new(NULL);

    for (guint i = 0; relations && i < relations->len; i++) {
        AtspiRelation *rel = g_array_index(relations, AtspiRelation *, i);

        if (atspi_relation_get_relation_type(rel) == type) {
            for (int t = 0; t < atspi_relation_get_n_targets(rel); t++) {
                g_autoptr(AtspiAccessible) target = atspi_relation_get_target(rel, t);
                g_autofree char *name = atspi_accessible_get_name(target, NULL);

                g_string_append_printf(names, "%s%s", names->len ? "|" : "", name ? name : "");
            }
        }
        g_object_unref(rel);
    }
    return g_string_free(g_steal_pointer(&names), FALSE);
}

static char *
state_names(AtspiAccessible *obj)
{
    static const struct {
        AtspiStateType state;
        const char *name;
    } wanted[] = {
        { ATSPI_STATE_SHOWING, "showing" },   { ATSPI_STATE_VISIBLE, "visible" },
        { ATSPI_STATE_FOCUSABLE, "focusable" }, { ATSPI_STATE_FOCUSED, "focused" },
        { ATSPI_STATE_SELECTED, "selected" }, { ATSPI_STATE_DEFUNCT, "defunct" },
    };
    g_autoptr(AtspiStateSet) set = atspi_accessible_get_state_set(obj);
    g_autoptr(GString) names = g_string_new(NULL);

    for (guint i = 0; set && i < G_N_ELEMENTS(wanted); i++)
        if (atspi_state_set_contains(set, wanted[i].state))
            g_string_append_printf(names, "%s%s", names->len ? "," : "", wanted[i].name);
    return g_string_free(g_steal_pointer(&names), FALSE);
}

static char *
text_of(AtspiAccessible *obj)
{
    g_autoptr(AtspiText) text = atspi_accessible_get_text_iface(obj);
    int count;

    if (!text)
        return NULL;
    count = atspi_text_get_character_count(text, NULL);
    return count > 0 ? atspi_text_get_text(text, 0, count, NULL) : g_strdup("");
}

static void
dump_table(AtspiAccessible *obj, const char *path)
{
    g_autoptr(AtspiTable) table = atspi_accessible_get_table_iface(obj);
    int rows, columns;

    if (!table)
        return;
    rows = MIN(atspi_table_get_n_rows(table, NULL), MAX_ROWS);
    columns = MIN(atspi_table_get_n_columns(table, NULL), MAX_COLUMNS);
    for (int c = 0; c < columns; c++) {
        g_autoptr(AtspiAccessible) header = atspi_table_get_column_header(table, c, NULL);
        g_autofree char *name = header ? atspi_accessible_get_name(header, NULL)
                                       : atspi_table_get_column_description(table, c, NULL);
        g_autofree char *column = g_strdup_printf("%d", c);
        const char *fields[] = { path, column, name };

        print_fields("header", fields, G_N_ELEMENTS(fields));
    }
    for (int r = 0; r < rows; r++) {
        for (int c = 0; c < columns; c++) {
            g_autoptr(AtspiAccessible) cell = atspi_table_get_accessible_at(table, r, c, NULL);
            g_autofree char *row = g_strdup_printf("%d", r);
            g_autofree char *column = g_strdup_printf("%d", c);
            g_autofree char *role = NULL;
            g_autofree char *name = NULL;
            g_autofree char *description = NULL;

            if (!cell)
                continue;
            role = atspi_accessible_get_role_name(cell, NULL);
            name = atspi_accessible_get_name(cell, NULL);
            description = atspi_accessible_get_description(cell, NULL);
            {
                const char *fields[] = { path, row, column, role, name, description };

                print_fields("cell", fields, G_N_ELEMENTS(fields));
            }
        }
    }
}

static void
dump(AtspiAccessible *obj, const char *path, int depth)
{
    g_autofree char *role = atspi_accessible_get_role_name(obj, NULL);
    g_autofree char *name = atspi_accessible_get_name(obj, NULL);
    g_autofree char *description = atspi_accessible_get_description(obj, NULL);
    g_autofree char *text = text_of(obj);
    g_autofree char *labelled_by = relation_names(obj, ATSPI_RELATION_LABELLED_BY);
    g_autofree char *states = state_names(obj);
    const char *fields[] = { path, role, name, description, text, labelled_by, states };
    int n;

    print_fields("node", fields, G_N_ELEMENTS(fields));
    dump_table(obj, path);
    if (depth >= MAX_DEPTH)
        return;
    n = MIN(atspi_accessible_get_child_count(obj, NULL), MAX_CHILDREN);
    for (int i = 0; i < n; i++) {
        g_autoptr(AtspiAccessible) child = atspi_accessible_get_child_at_index(obj, i, NULL);
        g_autofree char *child_path = NULL;

        if (!child)
            continue;
        child_path = *path ? g_strdup_printf("%s.%d", path, i) : g_strdup_printf("%d", i);
        dump(child, child_path, depth + 1);
    }
}

static AtspiAccessible *
find_application(guint pid)
{
    g_autoptr(AtspiAccessible) desktop = atspi_get_desktop(0);
    int n = desktop ? atspi_accessible_get_child_count(desktop, NULL) : 0;

    for (int i = 0; i < n; i++) {
        g_autoptr(AtspiAccessible) app = atspi_accessible_get_child_at_index(desktop, i, NULL);

        if (app && atspi_accessible_get_process_id(app, NULL) == pid)
            return g_steal_pointer(&app);
    }
    return NULL;
}

typedef struct {
    guint pid;
    AtspiAccessible *app;
} Lookup;

static gboolean
application_found(gpointer data)
{
    Lookup *lookup = data;

    lookup->app = find_application(lookup->pid);
    return lookup->app != NULL;
}

int
main(int argc, char *argv[])
{
    Lookup lookup = { 0, NULL };

    if (argc != 2 || !(lookup.pid = (guint)g_ascii_strtoull(argv[1], NULL, 10))) {
        fprintf(stderr, "usage: atspi-dump PID\n");
        return 2;
    }
    if (!atspi_get_a11y_bus()) {
        fprintf(stderr, "no AT-SPI bus: neither AT_SPI_BUS_ADDRESS nor org.a11y.Bus on the "
                        "session bus answered\n");
        return 77;
    }
    if (atspi_init() > 1) {
        fprintf(stderr, "libatspi could not start\n");
        return 77;
    }
    /* A loaded machine answers slowly; the default timeouts are for desktops. */
    atspi_set_timeout(30000, 60000);

    /* The application registers with the registry once its bridge is up; the main loop runs
     * meanwhile, as registry signals update libatspi's view of the desktop. */
    if (!svm_test_wait_until(application_found, &lookup, 30000)) {
        fprintf(stderr, "process %u did not appear on the AT-SPI bus within 30 s\n", lookup.pid);
        return 1;
    }
    dump(lookup.app, "", 0);
    g_object_unref(lookup.app);
    fflush(stdout);
    return 0;
}
