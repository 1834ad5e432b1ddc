#include "config.h"

#include <glib/gi18n.h>

#include "svirt-engine.h"
#include "svm-application.h"
#include "svm-window.h"

struct _SvmApplication {
    GtkApplication parent_instance;

    GSettings *settings;
    char *connect_uri;
};

G_DEFINE_TYPE(SvmApplication, svm_application, GTK_TYPE_APPLICATION)

/* Running from the build tree or without installed schemas must still work, unremembered. */
static GSettings *
load_settings(void)
{
    GSettingsSchemaSource *source = g_settings_schema_source_get_default();
    g_autoptr(GSettingsSchema) schema = NULL;

    if (source)
        schema = g_settings_schema_source_lookup(source, APP_ID, TRUE);
    if (!schema) {
        g_warning("Settings schema %s is not installed; window size and connection will not "
                  "be remembered.",
                  APP_ID);
        return NULL;
    }
    return g_settings_new_full(schema, NULL, NULL);
}

static void
svm_application_activate(GApplication *app)
{
    SvmApplication *self = SVM_APPLICATION(app);
    GtkWindow *window = gtk_application_get_active_window(GTK_APPLICATION(app));
    g_autoptr(SvirtEngine) engine = NULL;
    g_autofree char *last = NULL;
    const char *uri = self->connect_uri;

    if (window) {
        gtk_window_present(window);
        return;
    }
    if (!uri && self->settings) {
        last = g_settings_get_string(self->settings, "last-uri");
        uri = last;
    }
    engine = svirt_engine_new(uri);
    window = GTK_WINDOW(svm_window_new(GTK_APPLICATION(app), engine, self->settings));
    gtk_window_present(window);
}

static int
svm_application_handle_local_options(GApplication *app, GVariantDict *options)
{
    SvmApplication *self = SVM_APPLICATION(app);

    if (g_variant_dict_contains(options, "version")) {
        g_print("svirt-manager %s\n", PACKAGE_VERSION);
        return 0;
    }
    g_clear_pointer(&self->connect_uri, g_free);
    g_variant_dict_lookup(options, "connect", "s", &self->connect_uri);
    return -1;
}

static void
svm_application_startup(GApplication *app)
{
    SvmApplication *self = SVM_APPLICATION(app);
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new();
    const char *quit_accels[] = { "<Primary>q", NULL };
    const char *refresh_accels[] = { "F5", "<Primary>r", NULL };
    const char *find_accels[] = { "<Primary>f", NULL };
    const char *new_accels[] = { "<Primary>n", NULL };
    const char *details_accels[] = { "<Alt>Return", NULL };
    const char *audit_accels[] = { "<Primary>i", NULL };

    G_APPLICATION_CLASS(svm_application_parent_class)->startup(app);

    gtk_css_provider_load_from_resource(css, "/org/svirt/Manager/style.css");
    gtk_style_context_add_provider_for_screen(gdk_screen_get_default(), GTK_STYLE_PROVIDER(css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
    gtk_application_set_accels_for_action(GTK_APPLICATION(app), "app.quit", quit_accels);
    gtk_application_set_accels_for_action(GTK_APPLICATION(app), "win.refresh", refresh_accels);
    gtk_application_set_accels_for_action(GTK_APPLICATION(app), "win.find", find_accels);
    gtk_application_set_accels_for_action(GTK_APPLICATION(app), "win.new-vm", new_accels);
    gtk_application_set_accels_for_action(GTK_APPLICATION(app), "win.details", details_accels);
    gtk_application_set_accels_for_action(GTK_APPLICATION(app), "win.audit", audit_accels);
    self->settings = load_settings();
}

static void
quit_activated(GSimpleAction *action, GVariant *param, gpointer user_data)
{
    GApplication *app = G_APPLICATION(user_data);
    GList *windows = gtk_application_get_windows(GTK_APPLICATION(app));

    /* Closing through the window keeps its size remembered. */
    for (GList *l = windows; l; l = l->next) {
        gtk_window_close(GTK_WINDOW(l->data));
    }
    g_application_quit(app);
}

static const GActionEntry app_actions[] = {
    { .name = "quit", .activate = quit_activated },
};

static void
svm_application_finalize(GObject *object)
{
    SvmApplication *self = SVM_APPLICATION(object);

    g_clear_object(&self->settings);
    g_free(self->connect_uri);
    G_OBJECT_CLASS(svm_application_parent_class)->finalize(object);
}

static void
svm_application_class_init(SvmApplicationClass *klass)
{
    GApplicationClass *app_class = G_APPLICATION_CLASS(klass);

    G_OBJECT_CLASS(klass)->finalize = svm_application_finalize;
    app_class->activate = svm_application_activate;
    app_class->startup = svm_application_startup;
    app_class->handle_local_options = svm_application_handle_local_options;
}

static void
svm_application_init(SvmApplication *self)
{
    static const GOptionEntry entries[] = {
        { "connect", 'c', 0, G_OPTION_ARG_STRING, NULL,
          N_("Connect to the hypervisor at URI (default: the last one used, else libvirt's)"),
          N_("URI") },
        { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
        { NULL },
    };

    g_application_add_main_option_entries(G_APPLICATION(self), entries);
    g_action_map_add_action_entries(G_ACTION_MAP(self), app_actions, G_N_ELEMENTS(app_actions),
                                    self);
}

SvmApplication *
svm_application_new(void)
{
    /* One process per connection choice: a second start with --connect opens its own window. */
    return g_object_new(SVM_TYPE_APPLICATION, "application-id", APP_ID, "flags",
                        G_APPLICATION_NON_UNIQUE, NULL);
}
