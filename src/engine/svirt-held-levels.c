#include "config.h"

#include "svirt-held-levels.h"

typedef struct {
    char *uuid;
    char *name;
    char *key;
    SvirtLevel level;
    gboolean has_level;
    gboolean reserved; /* on mcs; FALSE when it conflicts with another VM's */
    guint64 generation;
} Held;

struct _SvirtHeldLevels {
    GMutex lock;
    GHashTable *vms; /* uuid -> Held * */
    SvirtMcs *mcs;
    char *range;
    guint64 generation;
    guint n_loads;
    guint n_builds;
};

static void
held_free(Held *h)
{
    g_free(h->uuid);
    g_free(h->name);
    g_free(h->key);
    g_free(h);
}

SvirtHeldLevels *
svirt_held_levels_new(void)
{
    SvirtHeldLevels *held = g_new0(SvirtHeldLevels, 1);

    g_mutex_init(&held->lock);
    held->vms = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)held_free);
    return held;
}

void
svirt_held_levels_free(SvirtHeldLevels *held)
{
    if (held == NULL)
        return;
    g_hash_table_unref(held->vms);
    svirt_mcs_free(held->mcs);
    g_free(held->range);
    g_mutex_clear(&held->lock);
    g_free(held);
}

void
svirt_held_levels_lock(SvirtHeldLevels *held)
{
    g_mutex_lock(&held->lock);
}

void
svirt_held_levels_unlock(SvirtHeldLevels *held)
{
    g_mutex_unlock(&held->lock);
}

void
svirt_held_levels_reset(SvirtHeldLevels *held)
{
    g_hash_table_remove_all(held->vms);
    g_clear_pointer(&held->mcs, svirt_mcs_free);
    g_clear_pointer(&held->range, g_free);
}

void
svirt_held_levels_begin(SvirtHeldLevels *held)
{
    held->generation++;
}

static void
unreserve(SvirtHeldLevels *held, Held *h)
{
    if (h->reserved && held->mcs)
        svirt_mcs_release(held->mcs, &h->level);
    h->reserved = FALSE;
}

void
svirt_held_levels_see(SvirtHeldLevels *held, const char *uuid, const char *name,
                      const char *key, SvirtHeldLevelLoad load, gpointer data)
{
    Held *h = g_hash_table_lookup(held->vms, uuid);

    if (h && g_strcmp0(h->key, key) == 0) {
        h->generation = held->generation;
        return;
    }
    if (h) {
        unreserve(held, h);
        g_free(h->key);
    } else {
        h = g_new0(Held, 1);
        h->uuid = g_strdup(uuid);
        g_hash_table_insert(held->vms, h->uuid, h);
    }
    g_free(h->name);
    h->name = g_strdup(name);
    h->key = g_strdup(key);
    h->generation = held->generation;
    held->n_loads++;
    h->has_level = load(data, &h->level);
}

static void
reserve(SvirtHeldLevels *held, Held *h)
{
    g_autoptr(GError) local = NULL;

    if (h->reserved || !h->has_level)
        return;
    if (svirt_mcs_reserve(held->mcs, &h->level, h->name, &local))
        h->reserved = TRUE;
    else
        g_message("VM %s: %s", h->name, local->message);
}

gboolean
svirt_held_levels_end(SvirtHeldLevels *held, const char *range, GError **error)
{
    GHashTableIter iter;
    gpointer value;

    if (held->mcs == NULL || g_strcmp0(range, held->range) != 0) {
        SvirtMcs *mcs = svirt_mcs_new_from_range_string(range, error);

        if (mcs == NULL)
            return FALSE;
        svirt_mcs_free(held->mcs);
        held->mcs = mcs;
        g_free(held->range);
        held->range = g_strdup(range);
        held->n_builds++;
        g_hash_table_iter_init(&iter, held->vms);
        while (g_hash_table_iter_next(&iter, NULL, &value))
            ((Held *)value)->reserved = FALSE;
    }
    /* First what was released, so that a level two VMs claimed goes to the one still
     * running. */
    g_hash_table_iter_init(&iter, held->vms);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        Held *h = value;

        if (h->generation != held->generation) {
            unreserve(held, h);
            g_hash_table_iter_remove(&iter);
        }
    }
    g_hash_table_iter_init(&iter, held->vms);
    while (g_hash_table_iter_next(&iter, NULL, &value))
        reserve(held, value);
    return TRUE;
}

gboolean
svirt_held_levels_allocate(SvirtHeldLevels *held, const char *holder, SvirtLevel *out,
                           GError **error)
{
    g_return_val_if_fail(held->mcs != NULL, FALSE);

    if (!svirt_mcs_allocate(held->mcs, holder, out, error))
        return FALSE;
    svirt_mcs_release(held->mcs, out);
    return TRUE;
}

gboolean
svirt_held_levels_check(SvirtHeldLevels *held, const SvirtLevel *level, const char *holder,
                        GError **error)
{
    g_return_val_if_fail(held->mcs != NULL, FALSE);

    if (!svirt_mcs_reserve(held->mcs, level, holder, error))
        return FALSE;
    svirt_mcs_release(held->mcs, level);
    return TRUE;
}

guint
svirt_held_levels_size(SvirtHeldLevels *held)
{
    return g_hash_table_size(held->vms);
}

guint
svirt_held_levels_n_loads(SvirtHeldLevels *held)
{
    return held->n_loads;
}

guint
svirt_held_levels_n_builds(SvirtHeldLevels *held)
{
    return held->n_builds;
}

SvirtMcs *
svirt_held_levels_get_mcs(SvirtHeldLevels *held)
{
    return held->mcs;
}
