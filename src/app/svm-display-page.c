#include "config.h"

#include <glib/gi18n.h>
#include <gtk-vnc.h>
#include <spice-client-gtk.h>
#include <string.h>
#include <unistd.h>

#include "svirt-devices.h"
#include "svm-display-page-private.h"

/* A display that closes while the VM runs is opened again, this often in a row. */
#define MAX_RETRIES 5
#define RETRY_MS 1000

struct _SvmDisplayPage {
    GtkBox parent_instance;

    GtkImage *state_icon;
    GtkLabel *state_label;
    GtkToggleButton *scale_button;
    GtkMenuButton *send_key_button;
    GtkButton *screenshot_button;
    GtkToggleButton *fullscreen_button;
    GtkLabel *grab_label;
    GtkStack *view;
    GtkImage *message_icon;
    GtkLabel *message_label;
    GtkScrolledWindow *scroller;
    GtkWidget *add_box;
    GtkComboBoxText *add_kind_combo;
    GtkWidget *add_button;

    SvirtEngine *engine;
    char *uuid;
    GCancellable *cancellable; /* of the current connection; replaced when it ends */
    SvirtDisplayInfo *info;
    SvirtDisplayKind kind;     /* of the screen below */
    GtkWidget *screen;         /* VncDisplay or SpiceDisplay */
    SpiceSession *session;
    GtkWidget *toplevel;       /* whose full screen state the toggle follows */
    gboolean running;
    gboolean known;            /* set_running() was called */
    gboolean fetching;
    gboolean adding;           /* a display is being added to the definition */
    gboolean kinds_asked;      /* whether the host offers SPICE has been asked */
    gboolean connected;
    gboolean grabbed;
    gboolean spice_shown;      /* the SPICE screen has its first frame */
    gboolean spice_inputs;     /* and its inputs channel is open: keys reach the guest */
    guint generation;          /* of the screen: bumped when it closes */
    guint connections;
    guint failures;
    guint retry_id;
    guint close_id;
};

enum {
    SIGNAL_ERROR,
    SIGNAL_CHANGED,
    N_SIGNALS,
};

static guint signals[N_SIGNALS];

G_DEFINE_TYPE(SvmDisplayPage, svm_display_page, GTK_TYPE_BOX)

static void fetch_info(SvmDisplayPage *self);

static void
set_state(SvmDisplayPage *self, const char *icon, const char *text)
{
    gtk_image_set_from_icon_name(self->state_icon, icon, GTK_ICON_SIZE_BUTTON);
    gtk_label_set_text(self->state_label, text);
    gtk_widget_set_tooltip_text(GTK_WIDGET(self->state_label), text);
}

static void
sync_controls(SvmDisplayPage *self)
{
    gtk_widget_set_sensitive(GTK_WIDGET(self->send_key_button), self->connected);
    gtk_widget_set_sensitive(GTK_WIDGET(self->screenshot_button), self->connected);
    gtk_widget_set_sensitive(GTK_WIDGET(self->scale_button), self->connected);
    /* Full screen can always be left. */
    gtk_widget_set_sensitive(GTK_WIDGET(self->fullscreen_button),
                             self->connected ||
                                 gtk_toggle_button_get_active(self->fullscreen_button));
    gtk_widget_set_visible(GTK_WIDGET(self->grab_label), self->connected);
    if (!self->connected)
        return;
    gtk_label_set_text(self->grab_label,
                       self->grabbed
                           ? _("Press Ctrl+Alt to release the keyboard and pointer.")
                           : _("Click the screen to send the keyboard and pointer to the VM; "
                               "Ctrl+Alt releases them."));
}

/* Shown in place of the screen, and in the state line. */
static void
show_message(SvmDisplayPage *self, const char *icon, const char *text)
{
    gtk_image_set_from_icon_name(self->message_icon, icon, GTK_ICON_SIZE_DIALOG);
    gtk_label_set_text(self->message_label, text);
    gtk_stack_set_visible_child_name(self->view, "message");
    gtk_widget_set_visible(self->add_box, FALSE);
    set_state(self, icon, text);
}

/* A VM without a display gets one only while it is stopped. */
static void
sync_add(SvmDisplayPage *self)
{
    gboolean can = !self->running && !self->adding;

    gtk_widget_set_visible(self->add_box, TRUE);
    gtk_widget_set_sensitive(self->add_button, can);
    gtk_widget_set_sensitive(GTK_WIDGET(self->add_kind_combo), can);
    gtk_widget_set_tooltip_text(self->add_button,
                                self->running
                                    ? _("Shut the VM down first: a display can be added only "
                                        "to a stopped VM.")
                                    : _("Adds a screen reached only through libvirt, with a "
                                        "video card and a USB tablet, from the VM's next "
                                        "start."));
}

static void
on_spice_known(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(SvmDisplayPage) self = user_data;
    g_autoptr(GError) error = NULL;
    gboolean offered = svirt_engine_has_display_kind_finish(SVIRT_ENGINE(source), result, &error);

    if (!self->engine) /* the page has been closed, and its widgets with it */
        return;
    if (offered)
        gtk_combo_box_text_append(self->add_kind_combo, "spice", _("SPICE"));
    else if (error)
        g_debug("Whether the host offers SPICE is unknown: %s", error->message);
}

static void
ask_kinds(SvmDisplayPage *self)
{
    if (self->kinds_asked || !self->engine)
        return;
    self->kinds_asked = TRUE;
    svirt_engine_has_display_kind_async(self->engine, SVIRT_DISPLAY_SPICE, "qemu", NULL,
                                        on_spice_known, g_object_ref(self));
}

static void
show_stopped(SvmDisplayPage *self)
{
    if (self->info && self->info->kind == SVIRT_DISPLAY_NONE) {
        show_message(self, "utilities-terminal-symbolic",
                     self->running
                         ? _("This VM has only a serial console. What it prints shows on the "
                             "Console page. To see a screen, shut the VM down and add a "
                             "display.")
                         : _("This VM has only a serial console. What it prints shows on the "
                             "Console page. Add a display to see its screen from its next "
                             "start."));
        sync_add(self);
        ask_kinds(self);
    } else
        show_message(self, "system-shutdown-symbolic",
                     _("The VM is not running. Its screen shows here when it starts."));
}

static void
close_screen(SvmDisplayPage *self)
{
    if (self->session) {
        GList *channels = spice_session_get_channels(self->session);

        /* Closing on purpose: their last events are not news. */
        for (GList *l = channels; l; l = l->next)
            g_signal_handlers_disconnect_by_data(l->data, self);
        g_list_free(channels);
        g_signal_handlers_disconnect_by_data(self->session, self);
        spice_session_disconnect(self->session);
        g_clear_object(&self->session);
    }
    if (self->screen) {
        g_signal_handlers_disconnect_by_data(self->screen, self);
        if (self->kind == SVIRT_DISPLAY_VNC)
            vnc_display_close(VNC_DISPLAY(self->screen));
        self->screen = NULL;
        /* The scroller put the screen in a viewport: both go. */
        gtk_widget_destroy(gtk_bin_get_child(GTK_BIN(self->scroller)));
    }
    self->connected = FALSE;
    self->grabbed = FALSE;
    self->spice_shown = FALSE;
    self->spice_inputs = FALSE;
    self->generation++;
    g_clear_handle_id(&self->close_id, g_source_remove);
    sync_controls(self);
}

/* Ends what this connection started: late answers for it are dropped. */
static void
reset_connection(SvmDisplayPage *self)
{
    g_cancellable_cancel(self->cancellable);
    g_clear_object(&self->cancellable);
    self->cancellable = g_cancellable_new();
    g_clear_handle_id(&self->retry_id, g_source_remove);
    self->fetching = FALSE;
    close_screen(self);
}

static gboolean
retry(gpointer data)
{
    SvmDisplayPage *self = data;

    self->retry_id = 0;
    fetch_info(self);
    return G_SOURCE_REMOVE;
}

static gboolean
closed_later(gpointer data)
{
    SvmDisplayPage *self = data;

    self->close_id = 0;
    close_screen(self);
    if (!self->running) {
        show_stopped(self);
        return G_SOURCE_REMOVE;
    }
    if (self->failures++ >= MAX_RETRIES) {
        show_message(self, "dialog-warning-symbolic",
                     _("The display closed and could not be opened again. Restart the VM or "
                       "close and open this window."));
        return G_SOURCE_REMOVE;
    }
    show_message(self, "content-loading-symbolic", _("The display closed. Reconnecting…"));
    self->retry_id = g_timeout_add(RETRY_MS, retry, self);
    return G_SOURCE_REMOVE;
}

/* The widget that says so is in the middle of its own signal: it goes once that returns. */
static void
screen_closed(SvmDisplayPage *self)
{
    if (!self->close_id)
        self->close_id = g_idle_add(closed_later, self);
}

static void
screen_ready(SvmDisplayPage *self)
{
    g_autofree char *text = NULL;

    if (self->connected)
        return;
    self->connected = TRUE;
    self->connections++;
    self->failures = 0;
    gtk_stack_set_visible_child_name(self->view, "screen");
    /* TRANSLATORS: %s is VNC or SPICE */
    text = g_strdup_printf(_("Connected to the VM's screen (%s)."),
                           svirt_display_kind_to_name(self->kind));
    set_state(self, "video-display-symbolic", text);
    sync_controls(self);
    if (gtk_widget_get_mapped(GTK_WIDGET(self)))
        gtk_widget_grab_focus(self->screen);
}

static void
set_grabbed(SvmDisplayPage *self, gboolean grabbed)
{
    self->grabbed = grabbed;
    sync_controls(self);
}

static void
on_vnc_grab(SvmDisplayPage *self)
{
    set_grabbed(self, TRUE);
}

static void
on_vnc_ungrab(SvmDisplayPage *self)
{
    set_grabbed(self, FALSE);
}

static void
on_vnc_error(VncDisplay *display, const char *message, SvmDisplayPage *self)
{
    /* A VM that stops ends the connection with an error too: the state line says what matters. */
    g_debug("VNC display of %s: %s", self->uuid, message);
}

static void
apply_scaling(SvmDisplayPage *self)
{
    gboolean scaled = gtk_toggle_button_get_active(self->scale_button);

    if (!self->screen)
        return;
    if (self->kind == SVIRT_DISPLAY_VNC) {
        vnc_display_set_scaling(VNC_DISPLAY(self->screen), scaled);
    } else {
        /* Off, SPICE shows the guest 1:1 at its own size. */
        g_object_set(self->screen, "scaling", scaled, NULL);
    }
    gtk_widget_set_halign(self->screen, scaled ? GTK_ALIGN_FILL : GTK_ALIGN_START);
    gtk_widget_set_valign(self->screen, scaled ? GTK_ALIGN_FILL : GTK_ALIGN_START);
}

static void
add_screen(SvmDisplayPage *self, GtkWidget *screen, SvirtDisplayKind kind)
{
    self->screen = screen;
    self->kind = kind;
    gtk_widget_set_can_focus(screen, TRUE);
    gtk_widget_set_hexpand(screen, TRUE);
    gtk_widget_set_vexpand(screen, TRUE);
    atk_object_set_name(gtk_widget_get_accessible(screen), _("VM screen"));
    gtk_container_add(GTK_CONTAINER(self->scroller), screen);
    apply_scaling(self);
    gtk_widget_show(screen);
}

static void
attach_vnc(SvmDisplayPage *self, int fd)
{
    GtkWidget *screen = vnc_display_new();
    VncGrabSequence *seq = vnc_grab_sequence_new_from_string("Control_L+Alt_L");

    vnc_display_set_grab_keys(VNC_DISPLAY(screen), seq);
    vnc_grab_sequence_free(seq);
    vnc_display_set_keep_aspect_ratio(VNC_DISPLAY(screen), TRUE);
    vnc_display_set_keyboard_grab(VNC_DISPLAY(screen), TRUE);
    vnc_display_set_pointer_grab(VNC_DISPLAY(screen), TRUE);
    add_screen(self, screen, SVIRT_DISPLAY_VNC);
    g_signal_connect_swapped(screen, "vnc-initialized", G_CALLBACK(screen_ready), self);
    g_signal_connect_swapped(screen, "vnc-disconnected", G_CALLBACK(screen_closed), self);
    g_signal_connect(screen, "vnc-error", G_CALLBACK(on_vnc_error), self);
    g_signal_connect_swapped(screen, "vnc-pointer-grab", G_CALLBACK(on_vnc_grab), self);
    g_signal_connect_swapped(screen, "vnc-pointer-ungrab", G_CALLBACK(on_vnc_ungrab), self);
    if (!vnc_display_open_fd(VNC_DISPLAY(screen), fd)) {
        close(fd);
        screen_closed(self);
    }
}

typedef struct {
    SvmDisplayPage *self;
    SpiceChannel *channel;
    guint generation;
} ChannelOpen;

static void
channel_open_free(ChannelOpen *open)
{
    g_object_unref(open->self);
    g_object_unref(open->channel);
    g_free(open);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ChannelOpen, channel_open_free)

static void
on_channel_fd(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(ChannelOpen) open = user_data;
    g_autoptr(GError) error = NULL;
    int fd = svirt_display_open_fd_finish(SVIRT_ENGINE(source), result, &error);

    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
    /* For a screen closed meanwhile. */
    if (open->generation != open->self->generation) {
        if (fd >= 0)
            close(fd);
        return;
    }
    if (fd < 0) {
        g_message("SPICE channel of %s: %s", open->self->uuid, error->message);
        spice_channel_disconnect(open->channel, SPICE_CHANNEL_ERROR_CONNECT);
        return;
    }
    if (!spice_channel_open_fd(open->channel, fd))
        close(fd);
}

/* SPICE opens a connection for each channel after the main one: each gets its own socket
 * from libvirtd. */
static void
on_channel_open_fd(SpiceChannel *channel, int with_tls, SvmDisplayPage *self)
{
    ChannelOpen *open = g_new0(ChannelOpen, 1);

    open->self = g_object_ref(self);
    open->channel = g_object_ref(channel);
    open->generation = self->generation;
    svirt_display_open_fd_async(self->engine, self->uuid, self->cancellable, on_channel_fd,
                                open);
}

static void
on_main_event(SpiceChannel *channel, SpiceChannelEvent event, SvmDisplayPage *self)
{
    if (event != SPICE_CHANNEL_OPENED)
        screen_closed(self);
}

/* Connected once the guest is seen and keys reach it. */
static void
spice_progress(SvmDisplayPage *self)
{
    if (self->spice_shown && self->spice_inputs)
        screen_ready(self);
}

static void
on_inputs_event(SpiceChannel *channel, SpiceChannelEvent event, SvmDisplayPage *self)
{
    self->spice_inputs = event == SPICE_CHANNEL_OPENED;
    spice_progress(self);
}

static void
on_spice_grab(SpiceDisplay *display, int grabbed, SvmDisplayPage *self)
{
    set_grabbed(self, grabbed != 0);
}

static void
on_spice_ready(SpiceDisplay *display, GParamSpec *pspec, SvmDisplayPage *self)
{
    gboolean ready = FALSE;

    g_object_get(display, "ready", &ready, NULL);
    self->spice_shown = ready;
    spice_progress(self);
}

static void
add_spice_screen(SvmDisplayPage *self, SpiceSession *session)
{
    SpiceDisplay *screen = spice_display_new(session, 0);
    SpiceGrabSequence *seq = spice_grab_sequence_new_from_string("Control_L+Alt_L");

    spice_display_set_grab_keys(screen, seq);
    spice_grab_sequence_free(seq);
    g_object_set(screen, "grab-keyboard", TRUE, "grab-mouse", TRUE, "resize-guest", FALSE,
                 NULL);
    add_screen(self, GTK_WIDGET(screen), SVIRT_DISPLAY_SPICE);
    g_signal_connect(screen, "mouse-grab", G_CALLBACK(on_spice_grab), self);
    g_signal_connect(screen, "notify::ready", G_CALLBACK(on_spice_ready), self);
}

static void
on_channel_new(SpiceSession *session, SpiceChannel *channel, SvmDisplayPage *self)
{
    int id = 0;

    g_signal_connect_object(channel, "open-fd", G_CALLBACK(on_channel_open_fd), self, 0);
    if (SPICE_IS_MAIN_CHANNEL(channel))
        g_signal_connect_object(channel, "channel-event", G_CALLBACK(on_main_event), self, 0);
    if (SPICE_IS_INPUTS_CHANNEL(channel))
        g_signal_connect_object(channel, "channel-event", G_CALLBACK(on_inputs_event), self, 0);
    g_object_get(channel, "channel-id", &id, NULL);
    if (SPICE_IS_DISPLAY_CHANNEL(channel) && id == 0 && !self->screen)
        add_spice_screen(self, session);
}

static void
attach_spice(SvmDisplayPage *self, int fd)
{
    self->kind = SVIRT_DISPLAY_SPICE;
    self->session = spice_session_new();
    g_signal_connect(self->session, "channel-new", G_CALLBACK(on_channel_new), self);
    if (!spice_session_open_fd(self->session, fd)) {
        close(fd);
        screen_closed(self);
    }
}

static void
on_fd(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(SvmDisplayPage) self = user_data;
    g_autoptr(GError) error = NULL;
    int fd = svirt_display_open_fd_finish(SVIRT_ENGINE(source), result, &error);

    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
    self->fetching = FALSE;
    if (fd < 0) {
        if (self->running)
            show_message(self, "dialog-warning-symbolic", error->message);
        else
            show_stopped(self);
        return;
    }
    if (!self->running) {
        close(fd);
        show_stopped(self);
        return;
    }
    set_state(self, "content-loading-symbolic", _("Connecting to the VM's screen…"));
    if (self->info->kind == SVIRT_DISPLAY_VNC)
        attach_vnc(self, fd);
    else
        attach_spice(self, fd);
}

static void
on_info(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(SvmDisplayPage) self = user_data;
    g_autoptr(GError) error = NULL;
    SvirtDisplayInfo *info = svirt_display_get_info_finish(SVIRT_ENGINE(source), result, &error);

    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
    if (!info) {
        self->fetching = FALSE;
        show_message(self, "dialog-warning-symbolic", error->message);
        return;
    }
    g_clear_pointer(&self->info, svirt_display_info_free);
    self->info = info;
    if (!self->running || info->kind == SVIRT_DISPLAY_NONE) {
        self->fetching = FALSE;
        show_stopped(self);
        return;
    }
    svirt_display_open_fd_async(self->engine, self->uuid, self->cancellable, on_fd,
                                g_object_ref(self));
}

static void
fetch_info(SvmDisplayPage *self)
{
    if (self->fetching || self->screen || !self->engine || !self->uuid)
        return;
    self->fetching = TRUE;
    if (self->running)
        set_state(self, "content-loading-symbolic", _("Connecting to the VM's screen…"));
    svirt_display_get_info_async(self->engine, self->uuid, self->cancellable, on_info,
                                 g_object_ref(self));
}

static void
on_display_added(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(SvmDisplayPage) self = user_data;
    g_autoptr(GError) error = NULL;
    gboolean ok = svirt_engine_add_display_finish(SVIRT_ENGINE(source), result, &error);

    self->adding = FALSE;
    if (!self->engine) /* the page has been closed */
        return;
    if (!ok) {
        /* Back to what the page said before, not "Adding a display…". */
        if (!self->screen)
            show_stopped(self);
        g_signal_emit(self, signals[SIGNAL_ERROR], 0, error->message);
        return;
    }
    /* What the definition has now decides what the page shows. */
    g_clear_pointer(&self->info, svirt_display_info_free);
    self->fetching = FALSE;
    fetch_info(self);
    g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

void
svm_display_page_add_display(SvmDisplayPage *self, SvirtDisplayKind kind)
{
    g_return_if_fail(SVM_IS_DISPLAY_PAGE(self));
    if (self->adding || self->running || !self->engine || !self->uuid)
        return;
    self->adding = TRUE;
    sync_add(self);
    set_state(self, "content-loading-symbolic", _("Adding a display…"));
    svirt_engine_add_display_async(self->engine, self->uuid, kind, NULL, on_display_added,
                                   g_object_ref(self));
}

static void
on_add_clicked(GtkButton *button, SvmDisplayPage *self)
{
    const char *id = gtk_combo_box_get_active_id(GTK_COMBO_BOX(self->add_kind_combo));

    svm_display_page_add_display(self, g_strcmp0(id, "spice") == 0 ? SVIRT_DISPLAY_SPICE
                                                                   : SVIRT_DISPLAY_VNC);
}

gboolean
svm_display_page_can_add_display(SvmDisplayPage *self)
{
    g_return_val_if_fail(SVM_IS_DISPLAY_PAGE(self), FALSE);
    return gtk_widget_get_visible(self->add_box) &&
           gtk_widget_is_sensitive(self->add_button);
}

void
svm_display_page_set_running(SvmDisplayPage *self, gboolean running)
{
    g_return_if_fail(SVM_IS_DISPLAY_PAGE(self));
    if (self->known && running == self->running)
        return;
    self->known = TRUE;
    self->running = running;
    self->failures = 0;
    reset_connection(self);
    if (!running)
        show_stopped(self);
    fetch_info(self);
}

void
svm_display_page_type_keys(SvmDisplayPage *self, const guint *keyvals, guint n)
{
    g_return_if_fail(SVM_IS_DISPLAY_PAGE(self));
    if (!self->connected)
        return;
    for (guint i = 0; i < n; i++) {
        if (self->kind == SVIRT_DISPLAY_VNC)
            vnc_display_send_keys(VNC_DISPLAY(self->screen), &keyvals[i], 1);
        else
            spice_display_send_keys(SPICE_DISPLAY(self->screen), &keyvals[i], 1,
                                    SPICE_DISPLAY_KEY_EVENT_CLICK);
    }
}

/* The keys of a Send Key entry, pressed in order and released in reverse; 0 for none. */
static guint
combo_keys(const char *id, guint keys[3])
{
    guint64 n = 0;

    if (g_strcmp0(id, "print") == 0) {
        keys[0] = GDK_KEY_Print;
        return 1;
    }
    keys[0] = GDK_KEY_Control_L;
    keys[1] = GDK_KEY_Alt_L;
    if (g_strcmp0(id, "ctrl-alt-del") == 0)
        keys[2] = GDK_KEY_Delete;
    else if (g_strcmp0(id, "ctrl-alt-backspace") == 0)
        keys[2] = GDK_KEY_BackSpace;
    else if (g_str_has_prefix(id, "ctrl-alt-f") &&
             g_ascii_string_to_unsigned(id + strlen("ctrl-alt-f"), 10, 1, 12, &n, NULL))
        keys[2] = GDK_KEY_F1 + (guint)n - 1;
    else
        return 0;
    return 3;
}

void
svm_display_page_send_combo(SvmDisplayPage *self, const char *id)
{
    guint keys[3];
    guint n = combo_keys(id, keys);

    g_return_if_fail(SVM_IS_DISPLAY_PAGE(self));
    if (n == 0 || !self->connected)
        return;
    if (self->kind == SVIRT_DISPLAY_VNC)
        vnc_display_send_keys(VNC_DISPLAY(self->screen), keys, n);
    else
        spice_display_send_keys(SPICE_DISPLAY(self->screen), keys, n,
                                SPICE_DISPLAY_KEY_EVENT_CLICK);
}

static void
on_send_key(GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
    svm_display_page_send_combo(user_data, g_variant_get_string(parameter, NULL));
}

static GMenuModel *
send_key_menu(void)
{
    GMenu *menu = g_menu_new();
    g_autoptr(GMenu) first = g_menu_new();
    g_autoptr(GMenu) vts = g_menu_new();
    g_autoptr(GMenu) last = g_menu_new();

    g_menu_append(first, _("Ctrl+Alt+Del"), "display.send-key::ctrl-alt-del");
    g_menu_append(first, _("Ctrl+Alt+Backspace"), "display.send-key::ctrl-alt-backspace");
    for (guint i = 1; i <= 12; i++) {
        /* TRANSLATORS: a key combination; %u is the number of a function key */
        g_autofree char *label = g_strdup_printf(_("Ctrl+Alt+F%u"), i);
        g_autofree char *action = g_strdup_printf("display.send-key::ctrl-alt-f%u", i);

        g_menu_append(vts, label, action);
    }
    g_menu_append(last, _("Print Screen"), "display.send-key::print");
    g_menu_append_section(menu, NULL, G_MENU_MODEL(first));
    g_menu_append_section(menu, NULL, G_MENU_MODEL(vts));
    g_menu_append_section(menu, NULL, G_MENU_MODEL(last));
    return G_MENU_MODEL(menu);
}

static void
on_scale_toggled(SvmDisplayPage *self)
{
    apply_scaling(self);
}

GdkPixbuf *
svm_display_page_get_pixbuf(SvmDisplayPage *self)
{
    g_return_val_if_fail(SVM_IS_DISPLAY_PAGE(self), NULL);
    if (!self->connected)
        return NULL;
    if (self->kind == SVIRT_DISPLAY_VNC)
        return vnc_display_get_pixbuf(VNC_DISPLAY(self->screen));
    /* Between the guest's screens (a reset, a mode change) SPICE has none to give. */
    if (!self->spice_shown)
        return NULL;
    return spice_display_get_pixbuf(SPICE_DISPLAY(self->screen));
}

gboolean
svm_display_page_save_screenshot(SvmDisplayPage *self, const char *path, GError **error)
{
    g_autoptr(GdkPixbuf) pixbuf = svm_display_page_get_pixbuf(self);
    g_autoptr(GError) local = NULL;

    if (!pixbuf) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                    _("There is no screen to save: the VM's display is not connected. Start "
                      "the VM and wait for its screen."));
        return FALSE;
    }
    if (!gdk_pixbuf_save(pixbuf, path, "png", &local, NULL)) {
        g_set_error(error, local->domain, local->code,
                    _("Could not save the screenshot as %s: %s. Choose a folder you may write "
                      "to."),
                    path, local->message);
        return FALSE;
    }
    return TRUE;
}

static void
on_screenshot_response(GtkNativeDialog *dialog, int response, SvmDisplayPage *self)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *path = NULL;

    if (response == GTK_RESPONSE_ACCEPT)
        path = gtk_file_chooser_get_filename(GTK_FILE_CHOOSER(dialog));
    if (path && !svm_display_page_save_screenshot(self, path, &error))
        g_signal_emit(self, signals[SIGNAL_ERROR], 0, error->message);
    g_object_unref(dialog);
}

static void
on_screenshot_clicked(SvmDisplayPage *self)
{
    GtkWidget *toplevel = gtk_widget_get_toplevel(GTK_WIDGET(self));
    GtkFileChooserNative *dialog;
    GtkFileFilter *filter = gtk_file_filter_new();
    g_autofree char *name = NULL;

    dialog = gtk_file_chooser_native_new(_("Save Screenshot"),
                                         GTK_IS_WINDOW(toplevel) ? GTK_WINDOW(toplevel) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
    gtk_file_chooser_set_do_overwrite_confirmation(GTK_FILE_CHOOSER(dialog), TRUE);
    /* TRANSLATORS: the file name offered for a screenshot; %s is the VM's name */
    name = g_strdup_printf(_("%s screenshot.png"),
                           self->info && self->info->vm_name ? self->info->vm_name : "VM");
    gtk_file_chooser_set_current_name(GTK_FILE_CHOOSER(dialog), name);
    gtk_file_filter_set_name(filter, _("PNG images"));
    gtk_file_filter_add_mime_type(filter, "image/png");
    gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(dialog), filter);
    g_signal_connect_object(dialog, "response", G_CALLBACK(on_screenshot_response), self, 0);
    gtk_native_dialog_show(GTK_NATIVE_DIALOG(dialog));
}

static void
on_fullscreen_toggled(SvmDisplayPage *self)
{
    GtkWidget *toplevel = gtk_widget_get_toplevel(GTK_WIDGET(self));
    gboolean on = gtk_toggle_button_get_active(self->fullscreen_button);

    if (!GTK_IS_WINDOW(toplevel))
        return;
    if (on)
        gtk_window_fullscreen(GTK_WINDOW(toplevel));
    else
        gtk_window_unfullscreen(GTK_WINDOW(toplevel));
    if (self->screen)
        gtk_widget_grab_focus(self->screen);
}

/* The toggle follows the window: full screen may also end from the window manager. */
static gboolean
on_window_state(GtkWidget *window, GdkEventWindowState *event, SvmDisplayPage *self)
{
    gboolean on = (event->new_window_state & GDK_WINDOW_STATE_FULLSCREEN) != 0;

    g_signal_handlers_block_by_func(self->fullscreen_button, on_fullscreen_toggled, self);
    gtk_toggle_button_set_active(self->fullscreen_button, on);
    g_signal_handlers_unblock_by_func(self->fullscreen_button, on_fullscreen_toggled, self);
    sync_controls(self);
    return GDK_EVENT_PROPAGATE;
}

static void
on_hierarchy_changed(GtkWidget *widget, GtkWidget *previous)
{
    SvmDisplayPage *self = SVM_DISPLAY_PAGE(widget);
    GtkWidget *toplevel = gtk_widget_get_toplevel(widget);

    if (self->toplevel)
        g_signal_handlers_disconnect_by_data(self->toplevel, self);
    self->toplevel = GTK_IS_WINDOW(toplevel) ? toplevel : NULL;
    if (self->toplevel)
        g_signal_connect_object(self->toplevel, "window-state-event",
                                G_CALLBACK(on_window_state), self, 0);
}

void
svm_display_page_set_vm(SvmDisplayPage *self, SvirtEngine *engine, const char *uuid)
{
    g_return_if_fail(SVM_IS_DISPLAY_PAGE(self));
    reset_connection(self);
    g_set_object(&self->engine, engine);
    g_free(self->uuid);
    self->uuid = g_strdup(uuid);
    g_clear_pointer(&self->info, svirt_display_info_free);
    self->known = FALSE;
    self->kinds_asked = FALSE;
}

gboolean
svm_display_page_has_focus(SvmDisplayPage *self)
{
    g_return_val_if_fail(SVM_IS_DISPLAY_PAGE(self), FALSE);
    return self->screen && gtk_widget_has_focus(self->screen);
}

gboolean
svm_display_page_is_connected(SvmDisplayPage *self)
{
    g_return_val_if_fail(SVM_IS_DISPLAY_PAGE(self), FALSE);
    return self->connected;
}

guint
svm_display_page_get_connection_count(SvmDisplayPage *self)
{
    g_return_val_if_fail(SVM_IS_DISPLAY_PAGE(self), 0);
    return self->connections;
}

GtkWidget *
svm_display_page_get_screen(SvmDisplayPage *self)
{
    g_return_val_if_fail(SVM_IS_DISPLAY_PAGE(self), NULL);
    return self->screen;
}

const char *
svm_display_page_get_message(SvmDisplayPage *self)
{
    g_return_val_if_fail(SVM_IS_DISPLAY_PAGE(self), NULL);
    return gtk_label_get_text(self->message_label);
}

static void
svm_display_page_dispose(GObject *object)
{
    SvmDisplayPage *self = SVM_DISPLAY_PAGE(object);

    if (self->cancellable)
        reset_connection(self);
    g_clear_object(&self->cancellable);
    if (self->toplevel) {
        g_signal_handlers_disconnect_by_data(self->toplevel, self);
        self->toplevel = NULL;
    }
    g_clear_object(&self->engine);
    G_OBJECT_CLASS(svm_display_page_parent_class)->dispose(object);
}

static void
svm_display_page_finalize(GObject *object)
{
    SvmDisplayPage *self = SVM_DISPLAY_PAGE(object);

    g_free(self->uuid);
    svirt_display_info_free(self->info);
    G_OBJECT_CLASS(svm_display_page_parent_class)->finalize(object);
}

static void
svm_display_page_class_init(SvmDisplayPageClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

    object_class->dispose = svm_display_page_dispose;
    object_class->finalize = svm_display_page_finalize;
    widget_class->hierarchy_changed = on_hierarchy_changed;

    signals[SIGNAL_ERROR] = g_signal_new("error", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
    signals[SIGNAL_CHANGED] = g_signal_new("changed", G_TYPE_FROM_CLASS(klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                           0);

    gtk_widget_class_set_template_from_resource(widget_class,
                                                "/org/svirt/Manager/svm-display-page.ui");
    gtk_widget_class_bind_template_child(widget_class, SvmDisplayPage, state_icon);
    gtk_widget_class_bind_template_child(widget_class, SvmDisplayPage, state_label);
    gtk_widget_class_bind_template_child(widget_class, SvmDisplayPage, scale_button);
    gtk_widget_class_bind_template_child(widget_class, SvmDisplayPage, send_key_button);
    gtk_widget_class_bind_template_child(widget_class, SvmDisplayPage, screenshot_button);
    gtk_widget_class_bind_template_child(widget_class, SvmDisplayPage, fullscreen_button);
    gtk_widget_class_bind_template_child(widget_class, SvmDisplayPage, grab_label);
    gtk_widget_class_bind_template_child(widget_class, SvmDisplayPage, view);
    gtk_widget_class_bind_template_child(widget_class, SvmDisplayPage, message_icon);
    gtk_widget_class_bind_template_child(widget_class, SvmDisplayPage, message_label);
    gtk_widget_class_bind_template_child(widget_class, SvmDisplayPage, scroller);
    gtk_widget_class_bind_template_child(widget_class, SvmDisplayPage, add_box);
    gtk_widget_class_bind_template_child(widget_class, SvmDisplayPage, add_kind_combo);
    gtk_widget_class_bind_template_child(widget_class, SvmDisplayPage, add_button);
    gtk_widget_class_bind_template_callback(widget_class, on_add_clicked);
    gtk_widget_class_bind_template_callback(widget_class, on_scale_toggled);
    gtk_widget_class_bind_template_callback(widget_class, on_screenshot_clicked);
    gtk_widget_class_bind_template_callback(widget_class, on_fullscreen_toggled);
}

static void
svm_display_page_init(SvmDisplayPage *self)
{
    static const GActionEntry actions[] = {
        { "send-key", on_send_key, "s", NULL, NULL, { 0 } },
    };
    g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new();
    g_autoptr(GMenuModel) menu = send_key_menu();

    gtk_widget_init_template(GTK_WIDGET(self));
    self->cancellable = g_cancellable_new();
    g_action_map_add_action_entries(G_ACTION_MAP(group), actions, G_N_ELEMENTS(actions), self);
    gtk_widget_insert_action_group(GTK_WIDGET(self), "display", G_ACTION_GROUP(group));
    gtk_menu_button_set_menu_model(self->send_key_button, menu);
    gtk_combo_box_text_append(self->add_kind_combo, "vnc", _("VNC"));
    gtk_combo_box_set_active_id(GTK_COMBO_BOX(self->add_kind_combo), "vnc");
    sync_controls(self);
    show_message(self, "system-shutdown-symbolic",
                 _("The VM is not running. Its screen shows here when it starts."));
}

SvmDisplayPage *
svm_display_page_new(void)
{
    return g_object_new(SVM_TYPE_DISPLAY_PAGE, NULL);
}
