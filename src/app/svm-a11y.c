#include "config.h"

#include <glib/gi18n.h>

#include "svm-a11y.h"

void
svm_a11y_name_info_bar_close_button(GtkInfoBar *bar)
{
    GtkWidget *action_area;
    GtkWidget *box;
    g_autoptr(GList) children = NULL;

    g_return_if_fail(GTK_IS_INFO_BAR(bar));
    /* GTK 3 packs its close button next to the action area, in the same box. */
    action_area = gtk_info_bar_get_action_area(bar);
    box = action_area ? gtk_widget_get_parent(action_area) : NULL;
    if (!GTK_IS_CONTAINER(box))
        return;
    children = gtk_container_get_children(GTK_CONTAINER(box));
    for (GList *l = children; l; l = l->next) {
        if (GTK_IS_BUTTON(l->data) && l->data != (gpointer)action_area) {
            atk_object_set_name(gtk_widget_get_accessible(GTK_WIDGET(l->data)), _("Close"));
            gtk_widget_set_tooltip_text(GTK_WIDGET(l->data), _("Close"));
        }
    }
}
