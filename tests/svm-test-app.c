#include "config.h"

#include "svm-test-app.h"
#include "svm-test-util.h"
#include "svm-test-vm.h"

static gboolean
window_is_state(gpointer data)
{
    SvmVmWindow *window = data;
    const SvirtVmOverview *o = svm_vm_window_get_overview(window);
    const char *want = g_object_get_data(G_OBJECT(window), "want-state");

    return o && g_str_equal(svirt_vm_state_to_id(o->state), want);
}

void
svm_test_vm_window_wait_state(SvmVmWindow *window, const char *state, guint timeout_ms)
{
    g_object_set_data(G_OBJECT(window), "want-state", (gpointer)state);
    svm_test_wait_for(window_is_state, window, timeout_ms, state);
    g_object_set_data(G_OBJECT(window), "want-state", NULL);
}

/* How the pixels of a text cell look: blue background, white glyph, other. */
typedef struct {
    guint blue;
    guint white;
    guint other;
} Cell;

static Cell
read_cell(GdkPixbuf *pixbuf, guint col, guint row)
{
    int w = gdk_pixbuf_get_width(pixbuf) / SVM_TEST_DISPLAY_COLUMNS;
    int h = gdk_pixbuf_get_height(pixbuf) / SVM_TEST_DISPLAY_ROWS;
    int stride = gdk_pixbuf_get_rowstride(pixbuf);
    int channels = gdk_pixbuf_get_n_channels(pixbuf);
    const guint8 *pixels = gdk_pixbuf_read_pixels(pixbuf);
    Cell cell = { 0 };

    for (int y = row * h; y < (int)(row + 1) * h; y++) {
        for (int x = col * w; x < (int)(col + 1) * w; x++) {
            const guint8 *p = pixels + y * stride + x * channels;

            if (p[0] < 60 && p[1] < 60 && p[2] > 140)
                cell.blue++;
            else if (p[0] > 200 && p[1] > 200 && p[2] > 200)
                cell.white++;
            else
                cell.other++;
        }
    }
    return cell;
}

gboolean
svm_test_screen_cells_are_guests(GdkPixbuf *pixbuf, guint row, guint first, guint last)
{
    for (guint col = first; col < last; col++) {
        Cell c = read_cell(pixbuf, col, row);

        if (c.other != 0 || c.blue == 0 || c.white == 0)
            return FALSE;
    }
    return TRUE;
}

typedef struct {
    SvmDisplayPage *page;
    guint row;
    guint first;
    guint last;
    gboolean want;
    guint connections;
} Screen;

static gboolean
screen_shows(gpointer data)
{
    Screen *s = data;
    g_autoptr(GdkPixbuf) pixbuf = NULL;

    if (!svm_display_page_is_connected(s->page) ||
        svm_display_page_get_connection_count(s->page) <= s->connections)
        return FALSE;
    pixbuf = svm_display_page_get_pixbuf(s->page);
    /* Text mode is 720x400; smaller is the firmware's screen before the guest set it. */
    if (!pixbuf || gdk_pixbuf_get_width(pixbuf) < 640)
        return FALSE;
    for (guint col = s->first; col < s->last; col++) {
        if (svm_test_screen_cells_are_guests(pixbuf, s->row, col, col + 1) != s->want)
            return FALSE;
    }
    return TRUE;
}

void
svm_test_screen_wait(SvmDisplayPage *page, guint row, guint first, guint last, gboolean want,
                     guint connections, guint timeout_ms, const char *what)
{
    Screen s = { page, row, first, last, want, connections };

    svm_test_wait_for(screen_shows, &s, timeout_ms, what);
}
