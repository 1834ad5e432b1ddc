#include "config.h"

#include <gtk/gtk-a11y.h>

#include "svm-isolation-renderer.h"

struct _SvmIsolationRenderer {
    GtkCellRendererPixbuf parent_instance;

    char *words;
    char *details;
};

enum {
    PROP_0,
    PROP_WORDS,
    PROP_DETAILS,
    N_PROPS,
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_TYPE(SvmIsolationRenderer, svm_isolation_renderer, GTK_TYPE_CELL_RENDERER_PIXBUF)

/* The accessible of one cell: an image cell named by the words of its row, described by the
 * details its tooltip shows. */
#define SVM_TYPE_ISOLATION_CELL_ACCESSIBLE (svm_isolation_cell_accessible_get_type())
G_DECLARE_FINAL_TYPE(SvmIsolationCellAccessible, svm_isolation_cell_accessible, SVM,
                     ISOLATION_CELL_ACCESSIBLE, GtkImageCellAccessible)

struct _SvmIsolationCellAccessible {
    GtkImageCellAccessible parent_instance;
};

G_DEFINE_TYPE(SvmIsolationCellAccessible, svm_isolation_cell_accessible,
              GTK_TYPE_IMAGE_CELL_ACCESSIBLE)

/* The tree view sets the renderer up for this cell's row, then asks the cell to take what it
 * needs; the renderer is shared by all rows, so the words are copied here. */
static void
svm_isolation_cell_accessible_update_cache(GtkCellAccessible *cell, gboolean emit_signal)
{
    GtkCellAccessibleClass *parent =
        GTK_CELL_ACCESSIBLE_CLASS(svm_isolation_cell_accessible_parent_class);
    g_autoptr(GtkCellRenderer) renderer = NULL;
    g_autofree char *details = NULL;
    AtkObject *obj = ATK_OBJECT(cell);
    SvmIsolationRenderer *self;

    if (parent->update_cache)
        parent->update_cache(cell, emit_signal);
    g_object_get(cell, "renderer", &renderer, NULL);
    if (!SVM_IS_ISOLATION_RENDERER(renderer))
        return;
    self = SVM_ISOLATION_RENDERER(renderer);
    /* atk_object_set_name() and _set_description() tell readers what changed. */
    if (g_strcmp0(obj->name, self->words ? self->words : "") != 0)
        atk_object_set_name(obj, self->words ? self->words : "");
    if (self->details && !pango_parse_markup(self->details, -1, 0, NULL, &details, NULL, NULL))
        details = g_strdup(self->details);
    if (g_strcmp0(obj->description, details ? details : "") != 0)
        atk_object_set_description(obj, details ? details : "");
}

static void
svm_isolation_cell_accessible_class_init(SvmIsolationCellAccessibleClass *klass)
{
    GTK_CELL_ACCESSIBLE_CLASS(klass)->update_cache = svm_isolation_cell_accessible_update_cache;
}

static void
svm_isolation_cell_accessible_init(SvmIsolationCellAccessible *cell)
{
}

static void
svm_isolation_renderer_get_property(GObject *object, guint prop_id, GValue *value,
                                    GParamSpec *pspec)
{
    SvmIsolationRenderer *self = SVM_ISOLATION_RENDERER(object);

    switch (prop_id) {
    case PROP_WORDS:
        g_value_set_string(value, self->words);
        break;
    case PROP_DETAILS:
        g_value_set_string(value, self->details);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
svm_isolation_renderer_set_property(GObject *object, guint prop_id, const GValue *value,
                                    GParamSpec *pspec)
{
    SvmIsolationRenderer *self = SVM_ISOLATION_RENDERER(object);

    switch (prop_id) {
    case PROP_WORDS:
        g_free(self->words);
        self->words = g_value_dup_string(value);
        break;
    case PROP_DETAILS:
        g_free(self->details);
        self->details = g_value_dup_string(value);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
svm_isolation_renderer_finalize(GObject *object)
{
    g_free(SVM_ISOLATION_RENDERER(object)->words);
    g_free(SVM_ISOLATION_RENDERER(object)->details);
    G_OBJECT_CLASS(svm_isolation_renderer_parent_class)->finalize(object);
}

static void
svm_isolation_renderer_class_init(SvmIsolationRendererClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);

    object_class->get_property = svm_isolation_renderer_get_property;
    object_class->set_property = svm_isolation_renderer_set_property;
    object_class->finalize = svm_isolation_renderer_finalize;
    properties[PROP_WORDS] =
        g_param_spec_string("words", "Words", "What the icon shows, in words", NULL,
                            G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
    properties[PROP_DETAILS] =
        g_param_spec_string("details", "Details", "Why, in Pango markup, as the tooltip says it",
                            NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties(object_class, N_PROPS, properties);
    gtk_cell_renderer_class_set_accessible_type(GTK_CELL_RENDERER_CLASS(klass),
                                                SVM_TYPE_ISOLATION_CELL_ACCESSIBLE);
}

static void
svm_isolation_renderer_init(SvmIsolationRenderer *self)
{
}

GtkCellRenderer *
svm_isolation_renderer_new(void)
{
    return g_object_new(SVM_TYPE_ISOLATION_RENDERER, NULL);
}
