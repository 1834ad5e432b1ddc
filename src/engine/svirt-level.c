#include "config.h"

#define G_LOG_DOMAIN "svirt-engine"

#include "svirt-context.h"

#define WORDS (SVIRT_CATEGORY_COUNT / 64)

/* Registered by hand: G_DEFINE_BOXED_TYPE's transparent union fails -Wpedantic builds. */
static gpointer
level_boxed_copy(gpointer boxed)
{
    return svirt_level_copy(boxed);
}

static void
level_boxed_free(gpointer boxed)
{
    svirt_level_free(boxed);
}

GType
svirt_level_get_type(void)
{
    static gsize type_id = 0;

    if (g_once_init_enter(&type_id)) {
        GType type = g_boxed_type_register_static(g_intern_static_string("SvirtLevel"),
                                                  level_boxed_copy, level_boxed_free);

        g_once_init_leave(&type_id, type);
    }
    return type_id;
}

void
svirt_level_init(SvirtLevel *level, guint sensitivity)
{
    g_return_if_fail(level != NULL);

    memset(level, 0, sizeof(*level));
    level->sensitivity = sensitivity;
}

void
svirt_level_init_pair(SvirtLevel *level, guint sensitivity, guint a, guint b)
{
    g_return_if_fail(level != NULL);

    svirt_level_init(level, sensitivity);
    /* A single category would be reachable from every pair that contains it. */
    g_return_if_fail(a != b);
    g_return_if_fail(a < SVIRT_CATEGORY_COUNT && b < SVIRT_CATEGORY_COUNT);
    svirt_level_add_category(level, a);
    svirt_level_add_category(level, b);
}

void
svirt_level_add_category(SvirtLevel *level, guint category)
{
    g_return_if_fail(level != NULL);
    g_return_if_fail(category < SVIRT_CATEGORY_COUNT);

    level->categories[category / 64] |= G_GUINT64_CONSTANT(1) << (category % 64);
}

void
svirt_level_remove_category(SvirtLevel *level, guint category)
{
    g_return_if_fail(level != NULL);
    g_return_if_fail(category < SVIRT_CATEGORY_COUNT);

    level->categories[category / 64] &= ~(G_GUINT64_CONSTANT(1) << (category % 64));
}

gboolean
svirt_level_has_category(const SvirtLevel *level, guint category)
{
    g_return_val_if_fail(level != NULL, FALSE);

    if (category >= SVIRT_CATEGORY_COUNT)
        return FALSE;
    return (level->categories[category / 64] >> (category % 64)) & 1;
}

guint
svirt_level_n_categories(const SvirtLevel *level)
{
    guint n = 0;

    g_return_val_if_fail(level != NULL, 0);

    for (guint w = 0; w < WORDS; w++)
        n += __builtin_popcountll(level->categories[w]);
    return n;
}

gboolean
svirt_level_get_pair(const SvirtLevel *level, guint *a, guint *b)
{
    guint found[2];
    guint n = 0;

    g_return_val_if_fail(level != NULL, FALSE);

    for (guint w = 0; w < WORDS; w++) {
        guint64 bits = level->categories[w];

        while (bits) {
            if (n == 2)
                return FALSE;
            found[n++] = w * 64 + __builtin_ctzll(bits);
            bits &= bits - 1;
        }
    }
    if (n != 2)
        return FALSE;
    if (a)
        *a = found[0];
    if (b)
        *b = found[1];
    return TRUE;
}

gboolean
svirt_level_dominates(const SvirtLevel *a, const SvirtLevel *b)
{
    g_return_val_if_fail(a != NULL && b != NULL, FALSE);

    if (a->sensitivity < b->sensitivity)
        return FALSE;
    for (guint w = 0; w < WORDS; w++) {
        if (b->categories[w] & ~a->categories[w])
            return FALSE;
    }
    return TRUE;
}

gboolean
svirt_level_equal(const SvirtLevel *a, const SvirtLevel *b)
{
    g_return_val_if_fail(a != NULL && b != NULL, FALSE);

    return a->sensitivity == b->sensitivity &&
           memcmp(a->categories, b->categories, sizeof(a->categories)) == 0;
}

guint
svirt_level_hash(const SvirtLevel *level)
{
    guint64 h;

    g_return_val_if_fail(level != NULL, 0);

    h = level->sensitivity;
    for (guint w = 0; w < WORDS; w++)
        h = h * G_GUINT64_CONSTANT(0x100000001b3) ^ level->categories[w];
    return (guint) (h ^ (h >> 32));
}

SvirtLevel *
svirt_level_copy(const SvirtLevel *level)
{
    g_return_val_if_fail(level != NULL, NULL);

    return g_memdup2(level, sizeof(*level));
}

void
svirt_level_free(SvirtLevel *level)
{
    g_free(level);
}

void
svirt_level_append(GString *out, const SvirtLevel *level)
{
    gboolean first = TRUE;
    guint c = 0;

    g_string_append_printf(out, "s%u", level->sensitivity);

    while (c < SVIRT_CATEGORY_COUNT) {
        guint64 bits = level->categories[c / 64] >> (c % 64);
        guint start, end;

        if (bits == 0) {
            c = (c / 64 + 1) * 64;
            continue;
        }
        start = c + __builtin_ctzll(bits);
        end = start;
        while (end + 1 < SVIRT_CATEGORY_COUNT && svirt_level_has_category(level, end + 1))
            end++;

        g_string_append_c(out, first ? ':' : ',');
        first = FALSE;
        if (end == start)
            g_string_append_printf(out, "c%u", start);
        else if (end == start + 1)
            g_string_append_printf(out, "c%u,c%u", start, end);
        else
            g_string_append_printf(out, "c%u.c%u", start, end);
        c = end + 1;
    }
}

char *
svirt_level_to_string(const SvirtLevel *level)
{
    GString *out;

    g_return_val_if_fail(level != NULL, NULL);

    out = g_string_new(NULL);
    svirt_level_append(out, level);
    return g_string_free(out, FALSE);
}
