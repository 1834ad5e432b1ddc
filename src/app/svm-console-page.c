#include "config.h"

#include <glib/gi18n.h>

#include "svm-console-page-private.h"

#define ZOOM_STEP 1.2
#define ZOOM_MIN 0.5
#define ZOOM_MAX 4.0

struct _SvmConsolePage {
    GtkBox parent_instance;

    GtkImage *state_icon;
    GtkLabel *state_label;
    GtkButton *zoom_reset_button;
    VteTerminal *terminal;
    GtkScrollbar *scrollbar;

    SvirtEngine *engine;
    char *uuid;
    SvirtConsole *console;
    GCancellable *cancellable;
    gboolean running;
    gboolean opening;
    gboolean disposed; /* the terminal is gone: late bytes are dropped */
};

G_DEFINE_TYPE(SvmConsolePage, svm_console_page, GTK_TYPE_BOX)

static void
set_state(SvmConsolePage *self, const char *icon, const char *text)
{
    gtk_image_set_from_icon_name(self->state_icon, icon, GTK_ICON_SIZE_BUTTON);
    gtk_label_set_text(self->state_label, text);
    gtk_widget_set_tooltip_text(GTK_WIDGET(self->state_label), text);
}

static void
drop_console(SvmConsolePage *self)
{
    if (!self->console)
        return;
    g_signal_handlers_disconnect_by_data(self->console, self);
    svirt_console_close(self->console);
    g_clear_object(&self->console);
}

static void
on_console_data(SvirtConsole *console, GBytes *bytes, SvmConsolePage *self)
{
    gsize len;
    const char *data = g_bytes_get_data(bytes, &len);

    if (self->disposed)
        return;
    vte_terminal_feed(self->terminal, data, (gssize)len);
}

static void
on_console_closed(SvirtConsole *console, const char *reason, SvmConsolePage *self)
{
    g_autofree char *text = NULL;

    if (self->disposed || console != self->console)
        return;
    /* TRANSLATORS: %s says why, e.g. "The VM closed its console." */
    text = g_strdup_printf(_("Console closed. %s"), reason);
    set_state(self, "network-offline-symbolic", text);
    drop_console(self);
}

static void
on_opened(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(SvmConsolePage) self = user_data;
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtConsole) console =
        svirt_console_open_finish(SVIRT_ENGINE(source), result, &error);

    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
    self->opening = FALSE;
    if (!console) {
        g_autofree char *text = g_strdup_printf(_("No console: %s"), error->message);

        set_state(self, "dialog-warning-symbolic", text);
        return;
    }
    if (!self->running || !svirt_console_is_open(console)) {
        svirt_console_close(console);
        if (self->running)
            set_state(self, "network-offline-symbolic", _("Console closed."));
        return;
    }
    /* Connected before the stream is watched, so no byte the guest sends is lost. */
    g_signal_connect(console, "data", G_CALLBACK(on_console_data), self);
    g_signal_connect(console, "closed", G_CALLBACK(on_console_closed), self);
    if (!svirt_console_start(console, &error)) {
        g_autofree char *text = g_strdup_printf(_("No console: %s"), error->message);

        g_signal_handlers_disconnect_by_data(console, self);
        set_state(self, "dialog-warning-symbolic", text);
        return;
    }
    drop_console(self);
    self->console = g_steal_pointer(&console);
    set_state(self, "network-transmit-receive-symbolic",
              _("Connected to the VM's serial console. Type to send keys to the guest."));
}

static void
open_console(SvmConsolePage *self)
{
    if (self->opening || self->console || !self->engine || !self->uuid)
        return;
    self->opening = TRUE;
    set_state(self, "content-loading-symbolic", _("Connecting to the serial console…"));
    svirt_console_open_async(self->engine, self->uuid, self->cancellable, on_opened,
                             g_object_ref(self));
}

void
svm_console_page_set_running(SvmConsolePage *self, gboolean running)
{
    g_return_if_fail(SVM_IS_CONSOLE_PAGE(self));
    self->running = running;
    if (running) {
        open_console(self);
        return;
    }
    if (self->console) {
        drop_console(self);
        set_state(self, "network-offline-symbolic",
                  _("Console closed: the VM stopped. It reconnects when the VM starts."));
    } else if (!self->opening) {
        set_state(self, "network-offline-symbolic",
                  _("The VM is not running. The console connects when it starts."));
    }
}

static void
on_commit(SvmConsolePage *self, const char *text, guint size, VteTerminal *terminal)
{
    if (self->console)
        svirt_console_write(self->console, text, size);
}

static void
update_zoom_label(SvmConsolePage *self)
{
    double scale = vte_terminal_get_font_scale(self->terminal);
    /* TRANSLATORS: %.0f is the text size in percent */
    g_autofree char *text = g_strdup_printf(_("Normal text size (Ctrl+0); now %.0f %%"),
                                            scale * 100);

    gtk_widget_set_tooltip_text(GTK_WIDGET(self->zoom_reset_button), text);
}

static void
set_scale(SvmConsolePage *self, double scale)
{
    vte_terminal_set_font_scale(self->terminal, CLAMP(scale, ZOOM_MIN, ZOOM_MAX));
    update_zoom_label(self);
}

void
svm_console_page_zoom_in(SvmConsolePage *self)
{
    set_scale(self, vte_terminal_get_font_scale(self->terminal) * ZOOM_STEP);
}

void
svm_console_page_zoom_out(SvmConsolePage *self)
{
    set_scale(self, vte_terminal_get_font_scale(self->terminal) / ZOOM_STEP);
}

void
svm_console_page_zoom_reset(SvmConsolePage *self)
{
    set_scale(self, 1.0);
}

void
svm_console_page_copy(SvmConsolePage *self)
{
    vte_terminal_copy_clipboard_format(self->terminal, VTE_FORMAT_TEXT);
}

void
svm_console_page_paste(SvmConsolePage *self)
{
    vte_terminal_paste_clipboard(self->terminal);
}

static gboolean
on_key_press(SvmConsolePage *self, GdkEventKey *event, VteTerminal *terminal)
{
    GdkModifierType mods = event->state & gtk_accelerator_get_default_mod_mask();
    guint key = gdk_keyval_to_lower(event->keyval);

    if (mods == (GDK_CONTROL_MASK | GDK_SHIFT_MASK) && key == GDK_KEY_c) {
        svm_console_page_copy(self);
        return GDK_EVENT_STOP;
    }
    if (mods == (GDK_CONTROL_MASK | GDK_SHIFT_MASK) && key == GDK_KEY_v) {
        svm_console_page_paste(self);
        return GDK_EVENT_STOP;
    }
    if (!(mods & GDK_CONTROL_MASK) || (mods & ~(GDK_CONTROL_MASK | GDK_SHIFT_MASK)))
        return GDK_EVENT_PROPAGATE;
    switch (key) {
    case GDK_KEY_plus:
    case GDK_KEY_equal:
    case GDK_KEY_KP_Add:
        svm_console_page_zoom_in(self);
        return GDK_EVENT_STOP;
    case GDK_KEY_minus:
    case GDK_KEY_KP_Subtract:
        svm_console_page_zoom_out(self);
        return GDK_EVENT_STOP;
    case GDK_KEY_0:
    case GDK_KEY_KP_0:
        svm_console_page_zoom_reset(self);
        return GDK_EVENT_STOP;
    default:
        return GDK_EVENT_PROPAGATE;
    }
}

void
svm_console_page_set_vm(SvmConsolePage *self, SvirtEngine *engine, const char *uuid)
{
    g_return_if_fail(SVM_IS_CONSOLE_PAGE(self));
    drop_console(self);
    g_set_object(&self->engine, engine);
    g_free(self->uuid);
    self->uuid = g_strdup(uuid);
}

gboolean
svm_console_page_is_connected(SvmConsolePage *self)
{
    g_return_val_if_fail(SVM_IS_CONSOLE_PAGE(self), FALSE);
    return self->console && svirt_console_is_open(self->console);
}

static void
svm_console_page_dispose(GObject *object)
{
    SvmConsolePage *self = SVM_CONSOLE_PAGE(object);

    self->disposed = TRUE;
    g_cancellable_cancel(self->cancellable);
    g_clear_object(&self->cancellable);
    drop_console(self);
    g_clear_object(&self->engine);
    G_OBJECT_CLASS(svm_console_page_parent_class)->dispose(object);
}

static void
svm_console_page_finalize(GObject *object)
{
    g_free(SVM_CONSOLE_PAGE(object)->uuid);
    G_OBJECT_CLASS(svm_console_page_parent_class)->finalize(object);
}

static void
svm_console_page_class_init(SvmConsolePageClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

    object_class->dispose = svm_console_page_dispose;
    object_class->finalize = svm_console_page_finalize;

    g_type_ensure(VTE_TYPE_TERMINAL);
    gtk_widget_class_set_template_from_resource(widget_class,
                                                "/org/svirt/Manager/svm-console-page.ui");
    gtk_widget_class_bind_template_child(widget_class, SvmConsolePage, state_icon);
    gtk_widget_class_bind_template_child(widget_class, SvmConsolePage, state_label);
    gtk_widget_class_bind_template_child(widget_class, SvmConsolePage, zoom_reset_button);
    gtk_widget_class_bind_template_child(widget_class, SvmConsolePage, terminal);
    gtk_widget_class_bind_template_child(widget_class, SvmConsolePage, scrollbar);
    gtk_widget_class_bind_template_callback(widget_class, on_commit);
    gtk_widget_class_bind_template_callback(widget_class, on_key_press);
    gtk_widget_class_bind_template_callback(widget_class, svm_console_page_copy);
    gtk_widget_class_bind_template_callback(widget_class, svm_console_page_paste);
    gtk_widget_class_bind_template_callback(widget_class, svm_console_page_zoom_in);
    gtk_widget_class_bind_template_callback(widget_class, svm_console_page_zoom_out);
    gtk_widget_class_bind_template_callback(widget_class, svm_console_page_zoom_reset);
}

static void
svm_console_page_init(SvmConsolePage *self)
{
    gtk_widget_init_template(GTK_WIDGET(self));
    self->cancellable = g_cancellable_new();
    gtk_range_set_adjustment(GTK_RANGE(self->scrollbar),
                             gtk_scrollable_get_vadjustment(GTK_SCROLLABLE(self->terminal)));
    update_zoom_label(self);
    set_state(self, "network-offline-symbolic",
              _("The VM is not running. The console connects when it starts."));
}

SvmConsolePage *
svm_console_page_new(void)
{
    return g_object_new(SVM_TYPE_CONSOLE_PAGE, NULL);
}
