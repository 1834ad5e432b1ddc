#pragma once

#include <gtk/gtk.h>

#include "svm-display-page-private.h"
#include "svm-vm-window-private.h"

G_BEGIN_DECLS

/* Waits until the details @window show the VM in @state ("running", "shutoff", …); fails the
 * test after @timeout_ms. */
void svm_test_vm_window_wait_state(SvmVmWindow *window, const char *state, guint timeout_ms);

/* The VM's screen as the Display page shows it, read as the display boot image writes it
 * (svm_test_write_display_boot_image()): 80x25 text cells, the guest's in bright white on
 * blue, the rest black. */

/* Whether cells [@first, @last) of text row @row are the guest's: a white character on blue
 * and nothing else. */
gboolean svm_test_screen_cells_are_guests(GdkPixbuf *pixbuf, guint row, guint first,
                                          guint last);
/* Waits until @page is connected more often than @connections times and cells [@first, @last)
 * of row @row are (@want) or are not the guest's; fails the test after @timeout_ms. */
void svm_test_screen_wait(SvmDisplayPage *page, guint row, guint first, guint last, gboolean want,
                          guint connections, guint timeout_ms, const char *what);

G_END_DECLS
