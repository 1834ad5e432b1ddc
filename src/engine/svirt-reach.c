#include "config.h"

#include <glib/gi18n-lib.h>

#include "svirt-context.h"
#include "svirt-error.h"
#include "svirt-reach.h"

typedef struct {
    char *name;
    SvirtLevel level;
} Holder;

struct _SvirtReachMap {
    char *range;
    SvirtLevel dynamic; /* the range's sensitivity and categories */
    GHashTable *holders; /* uuid -> Holder */
};

static void
holder_free(Holder *holder)
{
    g_free(holder->name);
    g_free(holder);
}

SvirtReachMap *
svirt_reach_map_new(const char *mcs_range, GError **error)
{
    g_autoptr(SvirtReachMap) map = g_new0(SvirtReachMap, 1);
    SvirtLevel low, high;
    gboolean has_high = FALSE;

    g_return_val_if_fail(mcs_range != NULL, NULL);

    if (!svirt_range_parse(mcs_range, &low, &high, &has_high, error))
        return NULL;
    /* Pairs take the low sensitivity and the categories of the high level. */
    map->dynamic = has_high ? high : low;
    map->dynamic.sensitivity = low.sensitivity;
    map->range = svirt_level_to_string(&map->dynamic);
    map->holders = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify)holder_free);
    return g_steal_pointer(&map);
}

void
svirt_reach_map_free(SvirtReachMap *map)
{
    if (!map)
        return;
    g_free(map->range);
    if (map->holders)
        g_hash_table_unref(map->holders);
    g_free(map);
}

void
svirt_reach_map_add(SvirtReachMap *map, const char *uuid, const char *name, const char *level)
{
    Holder *holder;
    SvirtLevel parsed;

    g_return_if_fail(map != NULL && uuid != NULL && name != NULL);

    if (!level || g_hash_table_contains(map->holders, uuid) ||
        !svirt_level_parse(level, &parsed, NULL))
        return;
    holder = g_new0(Holder, 1);
    holder->name = g_strdup(name);
    holder->level = parsed;
    g_hash_table_insert(map->holders, g_strdup(uuid), holder);
}

void
svirt_reach_free(SvirtReach *reach)
{
    if (!reach)
        return;
    g_free(reach->level);
    g_free(reach->range);
    g_ptr_array_unref(reach->same);
    g_ptr_array_unref(reach->reaches);
    g_ptr_array_unref(reach->reached_by);
    g_free(reach->summary);
    g_free(reach);
}

static guint64
pairs_of(guint64 n)
{
    return n * (n - (n > 0)) / 2;
}

/* The pairs a dynamic VM may be given that @level dominates, and that dominate it; its own pair
 * is reserved while it runs and counts in neither. */
static void
count_dynamic(const SvirtReachMap *map, const SvirtLevel *level, SvirtReach *reach)
{
    SvirtLevel inside = *level;
    guint n_level = svirt_level_n_categories(level);
    guint n_range = svirt_level_n_categories(&map->dynamic);
    guint n_inside;
    gboolean own;

    for (guint w = 0; w < G_N_ELEMENTS(inside.categories); w++)
        inside.categories[w] &= map->dynamic.categories[w];
    n_inside = svirt_level_n_categories(&inside);
    own = level->sensitivity == map->dynamic.sensitivity && n_level == 2 && n_inside == 2;

    if (level->sensitivity >= map->dynamic.sensitivity)
        reach->dynamic_reached = pairs_of(n_inside) - own;
    if (level->sensitivity <= map->dynamic.sensitivity && n_inside == n_level) {
        if (n_level == 1)
            reach->dynamic_reaching = n_range - 1;
        else if (n_level == 2)
            reach->dynamic_reaching = 1 - own;
    }
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

/* 'a', 'b' and 'c' */
static char *
quoted_names(GPtrArray *names)
{
    GString *out = g_string_new(NULL);

    for (guint i = 0; i < names->len; i++) {
        if (i > 0)
            /* TRANSLATORS: separates VM names in a list; the last one is joined by " and " */
            g_string_append(out, i + 1 == names->len ? _(" and ") : ", ");
        g_string_append_printf(out, "'%s'", (const char *)g_ptr_array_index(names, i));
    }
    return g_string_free(out, FALSE);
}

static void
append_sentence(GString *out, char *sentence)
{
    g_string_append_printf(out, "%s%s", out->len ? " " : "", sentence);
    g_free(sentence);
}

static void
summarize(SvirtReach *reach)
{
    g_autofree char *same = quoted_names(reach->same);
    g_autofree char *reaches = quoted_names(reach->reaches);
    g_autofree char *reached_by = quoted_names(reach->reached_by);
    GString *out = g_string_new(NULL);

    if (reach->shared_level)
        append_sentence(out, g_strdup_printf(_("Its level %s has no categories: it is the "
                                               "shared level, so every VM can read and write "
                                               "its private disks."),
                                             reach->level));
    if (reach->same->len)
        append_sentence(out, g_strdup_printf(g_dngettext(GETTEXT_PACKAGE,
                                                         "VM %s has the same level %s: each "
                                                         "can read and write the other's disks.",
                                                         "VMs %s have the same level %s: each "
                                                         "can read and write the others' disks.",
                                                         reach->same->len),
                                             same, reach->level));
    if (reach->reaches->len)
        append_sentence(out, g_strdup_printf(g_dngettext(GETTEXT_PACKAGE,
                                                         "Its level %s covers the level of VM "
                                                         "%s: it can read and write its disks.",
                                                         "Its level %s covers the levels of VMs "
                                                         "%s: it can read and write their disks.",
                                                         reach->reaches->len),
                                             reach->level, reaches));
    if (reach->reached_by->len)
        append_sentence(out, g_strdup_printf(g_dngettext(GETTEXT_PACKAGE,
                                                         "The level of VM %s covers its level "
                                                         "%s: that VM can read and write its "
                                                         "disks.",
                                                         "The levels of VMs %s cover its level "
                                                         "%s: they can read and write its disks.",
                                                         reach->reached_by->len),
                                             reached_by, reach->level));
    if (reach->dynamic_reached)
        append_sentence(out, g_strdup_printf(_("It can also reach the disks of any dynamic VM "
                                               "given one of the %" G_GUINT64_FORMAT " other "
                                               "category pairs of %s that its level covers."),
                                             reach->dynamic_reached, reach->range));
    if (reach->dynamic_reaching)
        append_sentence(out, g_strdup_printf(_("Any dynamic VM given one of the "
                                               "%" G_GUINT64_FORMAT " category pairs of %s that "
                                               "cover its level can read and write its disks."),
                                             reach->dynamic_reaching, reach->range));
    reach->summary = g_string_free(out, FALSE);
}

static void
compare_holders(const SvirtReachMap *map, const char *uuid, const SvirtLevel *level,
                SvirtReach *reach)
{
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init(&iter, map->holders);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        const Holder *other = value;
        gboolean covers, covered;

        /* The shared level is every VM's by design; only a level of its own is private. */
        if (g_str_equal(key, uuid) || svirt_level_n_categories(&other->level) == 0)
            continue;
        covers = svirt_level_dominates(level, &other->level);
        covered = svirt_level_dominates(&other->level, level);
        if (covers && covered)
            g_ptr_array_add(reach->same, g_strdup(other->name));
        else if (covers)
            g_ptr_array_add(reach->reaches, g_strdup(other->name));
        else if (covered)
            g_ptr_array_add(reach->reached_by, g_strdup(other->name));
    }
    g_ptr_array_sort(reach->same, compare_names);
    g_ptr_array_sort(reach->reaches, compare_names);
    g_ptr_array_sort(reach->reached_by, compare_names);
}

SvirtReach *
svirt_reach_map_check(const SvirtReachMap *map, const char *uuid, const char *label,
                      GError **error)
{
    g_autoptr(SvirtContext) ctx = NULL;
    SvirtReach *reach;
    const SvirtLevel *level;

    g_return_val_if_fail(map != NULL && uuid != NULL && label != NULL, NULL);

    ctx = svirt_context_parse(label, error);
    if (!ctx)
        return NULL;
    if (!svirt_context_has_level(ctx)) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT,
                    _("The static label '%s' has no MCS level."), label);
        return NULL;
    }
    level = svirt_context_get_high(ctx) ? svirt_context_get_high(ctx)
                                        : svirt_context_get_low(ctx);
    reach = g_new0(SvirtReach, 1);
    reach->level = svirt_level_to_string(level);
    reach->range = g_strdup(map->range);
    reach->same = g_ptr_array_new_with_free_func(g_free);
    reach->reaches = g_ptr_array_new_with_free_func(g_free);
    reach->reached_by = g_ptr_array_new_with_free_func(g_free);
    reach->shared_level = svirt_level_n_categories(level) == 0;
    if (!reach->shared_level) {
        compare_holders(map, uuid, level, reach);
        count_dynamic(map, level, reach);
    }
    reach->isolated = !reach->shared_level && !reach->same->len && !reach->reaches->len &&
                      !reach->reached_by->len && !reach->dynamic_reached &&
                      !reach->dynamic_reaching;
    if (!reach->isolated)
        summarize(reach);
    return reach;
}

static void
add_names(JsonBuilder *b, const char *member, GPtrArray *names)
{
    json_builder_set_member_name(b, member);
    json_builder_begin_array(b);
    for (guint i = 0; i < names->len; i++)
        json_builder_add_string_value(b, g_ptr_array_index(names, i));
    json_builder_end_array(b);
}

JsonNode *
svirt_reach_to_json(const SvirtReach *reach)
{
    g_autoptr(JsonBuilder) b = json_builder_new();

    g_return_val_if_fail(reach != NULL, NULL);

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "isolated");
    json_builder_add_boolean_value(b, reach->isolated);
    json_builder_set_member_name(b, "shared_level");
    json_builder_add_boolean_value(b, reach->shared_level);
    json_builder_set_member_name(b, "level");
    json_builder_add_string_value(b, reach->level);
    json_builder_set_member_name(b, "range");
    json_builder_add_string_value(b, reach->range);
    add_names(b, "same", reach->same);
    add_names(b, "reaches", reach->reaches);
    add_names(b, "reached_by", reach->reached_by);
    json_builder_set_member_name(b, "dynamic_reached");
    json_builder_add_int_value(b, (gint64)reach->dynamic_reached);
    json_builder_set_member_name(b, "dynamic_reaching");
    json_builder_add_int_value(b, (gint64)reach->dynamic_reaching);
    json_builder_set_member_name(b, "summary");
    if (reach->summary)
        json_builder_add_string_value(b, reach->summary);
    else
        json_builder_add_null_value(b);
    json_builder_end_object(b);
    return json_builder_get_root(b);
}
