#include "config.h"

#define G_LOG_DOMAIN "svirt-engine"

#include "svirt-mcs.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <selinux/selinux.h>

#include "svirt-error.h"

/* Per-pair owner values; every other value is a holder id. */
#define PAIR_FREE 0u
#define PAIR_BLOCKED G_MAXUINT32

/* A held level that is not a pair of the range: static labels, other sensitivities. */
typedef struct {
    SvirtLevel level;
    char *holder;
    guint n_categories;
} Reservation;

#define MAX_WORDS (SVIRT_CATEGORY_COUNT / 64)

typedef struct {
    guint64 bits[MAX_WORDS];
    guint8 word_free[MAX_WORDS]; /* set bits per word, to skip whole words */
} Row;

struct _SvirtMcs {
    guint sensitivity;
    guint cat_low;
    guint n; /* categories in the range */

    /* Pair (i, j), i < j, relative to cat_low. Row i of the bitmap has bit j set while the
     * pair is free; a row stays NULL, every pair of it free, until one of its pairs is taken,
     * so a new allocator costs O(n) and reservations cost per row they touch. row_free counts
     * the free pairs of each row and the Fenwick tree over row_free finds the row of the k-th
     * free pair in O(log n), so allocation stays fast at any occupancy. */
    guint words;
    Row **rows;
    guint32 *row_free;
    guint32 *tree; /* 1-based */
    guint tree_top;

    /* Triangular index of each held pair -> holder id. A pair that is neither free nor in
     * here is blocked, so setting up costs nothing per pair and holding costs per holder. */
    GHashTable *held;
    guint capacity;
    guint n_free;
    guint n_blocked;

    /* Holder names are shared between pairs so the per-pair cost stays 4 bytes. */
    GPtrArray *holder_names; /* id -> name, slot 0 unused */
    GArray *holder_refs;     /* id -> guint count */
    GArray *spare_ids;
    GHashTable *holder_ids; /* name -> id */

    GHashTable *statics; /* SvirtLevel * -> Reservation * (the key lives in the value) */
    GRand *rand; /* NULL until a seed is set */
};

static guint
tri_index(const SvirtMcs *mcs, guint i, guint j)
{
    return i * (2 * mcs->n - i - 1) / 2 + (j - i - 1);
}

static void
fenwick_add(SvirtMcs *mcs, guint row, gint delta)
{
    for (guint x = row + 1; x <= mcs->n; x += x & -x)
        mcs->tree[x] += delta;
}

static void
fenwick_rebuild(SvirtMcs *mcs)
{
    for (guint x = 1; x <= mcs->n; x++)
        mcs->tree[x] = mcs->row_free[x - 1];
    for (guint x = 1; x <= mcs->n; x++) {
        guint parent = x + (x & -x);

        if (parent <= mcs->n)
            mcs->tree[parent] += mcs->tree[x];
    }
}

/* Row holding the free pair of rank *rank (0-based); *rank becomes the rank within the row. */
static guint
fenwick_find(const SvirtMcs *mcs, guint *rank)
{
    guint pos = 0;

    for (guint step = mcs->tree_top; step; step >>= 1) {
        if (pos + step <= mcs->n && mcs->tree[pos + step] <= *rank) {
            pos += step;
            *rank -= mcs->tree[pos];
        }
    }
    return pos;
}

/* Portable x86-64 has no popcount instruction and the compiler's fallback is a call. */
static inline guint
popcount64(guint64 w)
{
    w = w - ((w >> 1) & G_GUINT64_CONSTANT(0x5555555555555555));
    w = (w & G_GUINT64_CONSTANT(0x3333333333333333)) +
        ((w >> 2) & G_GUINT64_CONSTANT(0x3333333333333333));
    w = (w + (w >> 4)) & G_GUINT64_CONSTANT(0x0f0f0f0f0f0f0f0f);
    return (w * G_GUINT64_CONSTANT(0x0101010101010101)) >> 56;
}

/* Position of the k-th set bit (0-based) of w; k < popcount(w). */
static guint
select_bit(guint64 w, guint k)
{
    guint pos = 0;

    for (guint width = 32; width; width >>= 1) {
        guint64 mask = (G_GUINT64_CONSTANT(1) << width) - 1;
        guint count = popcount64(w & mask);

        if (k >= count) {
            k -= count;
            w >>= width;
            pos += width;
        }
    }
    return pos;
}

/* A number in [begin, end): from the allocator's own generator once it has a seed, else from
 * the process-wide one, which unlike g_rand_new() costs nothing to set up. */
static gint32
draw(SvirtMcs *mcs, gint32 begin, gint32 end)
{
    if (mcs->rand)
        return g_rand_int_range(mcs->rand, begin, end);
    return g_random_int_range(begin, end);
}

/* Bits of the word of a row starting at column base that are columns j, row < j < n. */
static guint64
row_word_mask(guint row, guint n, guint base)
{
    guint64 mask = ~G_GUINT64_CONSTANT(0);

    if (row + 1 >= base + 64 || n <= base)
        return 0;
    if (row + 1 > base)
        mask &= ~G_GUINT64_CONSTANT(0) << (row + 1 - base);
    if (n < base + 64)
        mask &= (G_GUINT64_CONSTANT(1) << (n - base)) - 1;
    return mask;
}

/* The bitmap of a row, made with every pair of it free on first use. */
static Row *
row_bits(SvirtMcs *mcs, guint row)
{
    Row *r = mcs->rows[row];

    if (r == NULL) {
        r = mcs->rows[row] = g_new0(Row, 1);
        for (guint w = (row + 1) / 64; w < mcs->words; w++) {
            r->bits[w] = row_word_mask(row, mcs->n, w * 64);
            r->word_free[w] = popcount64(r->bits[w]);
        }
    }
    return r;
}

static guint
select_in_row(const SvirtMcs *mcs, guint row, guint k)
{
    const Row *r = mcs->rows[row];

    if (r == NULL)
        return row + 1 + k;
    for (guint w = (row + 1) / 64; w < mcs->words; w++) {
        guint count = r->word_free[w];

        if (k < count)
            return w * 64 + select_bit(r->bits[w], k);
        k -= count;
    }
    g_assert_not_reached();
}

static gboolean
pair_is_free(const SvirtMcs *mcs, guint i, guint j)
{
    const Row *r = mcs->rows[i];

    return r == NULL || ((r->bits[j / 64] >> (j % 64)) & 1);
}

/* PAIR_FREE, PAIR_BLOCKED or the id of the pair's holder. */
static guint32
owner_of(const SvirtMcs *mcs, guint i, guint j)
{
    gpointer id;

    if (pair_is_free(mcs, i, j))
        return PAIR_FREE;
    id = g_hash_table_lookup(mcs->held, GUINT_TO_POINTER(tri_index(mcs, i, j)));
    return id ? GPOINTER_TO_UINT(id) : PAIR_BLOCKED;
}

static void
take_pair(SvirtMcs *mcs, guint i, guint j, guint32 owner, gboolean update_tree)
{
    Row *r = row_bits(mcs, i);

    if (owner != PAIR_BLOCKED)
        g_hash_table_insert(mcs->held, GUINT_TO_POINTER(tri_index(mcs, i, j)),
                            GUINT_TO_POINTER(owner));
    r->bits[j / 64] &= ~(G_GUINT64_CONSTANT(1) << (j % 64));
    r->word_free[j / 64]--;
    mcs->row_free[i]--;
    mcs->n_free--;
    if (update_tree)
        fenwick_add(mcs, i, -1);
}

static void
put_pair(SvirtMcs *mcs, guint i, guint j, gboolean update_tree)
{
    Row *r = row_bits(mcs, i);

    g_hash_table_remove(mcs->held, GUINT_TO_POINTER(tri_index(mcs, i, j)));
    r->bits[j / 64] |= G_GUINT64_CONSTANT(1) << (j % 64);
    r->word_free[j / 64]++;
    mcs->row_free[i]++;
    mcs->n_free++;
    if (update_tree)
        fenwick_add(mcs, i, 1);
}

static guint32
holder_ref(SvirtMcs *mcs, const char *holder)
{
    gpointer value;
    guint32 id;

    if (g_hash_table_lookup_extended(mcs->holder_ids, holder, NULL, &value)) {
        id = GPOINTER_TO_UINT(value);
        g_array_index(mcs->holder_refs, guint, id)++;
        return id;
    }

    if (mcs->spare_ids->len > 0) {
        id = g_array_index(mcs->spare_ids, guint32, mcs->spare_ids->len - 1);
        g_array_set_size(mcs->spare_ids, mcs->spare_ids->len - 1);
        g_ptr_array_index(mcs->holder_names, id) = g_strdup(holder);
        g_array_index(mcs->holder_refs, guint, id) = 1;
    } else {
        guint one = 1;

        id = mcs->holder_names->len;
        g_ptr_array_add(mcs->holder_names, g_strdup(holder));
        g_array_append_val(mcs->holder_refs, one);
    }
    g_hash_table_insert(mcs->holder_ids, g_ptr_array_index(mcs->holder_names, id),
                        GUINT_TO_POINTER(id));
    return id;
}

static void
holder_unref(SvirtMcs *mcs, guint32 id)
{
    if (--g_array_index(mcs->holder_refs, guint, id) > 0)
        return;
    g_hash_table_remove(mcs->holder_ids, g_ptr_array_index(mcs->holder_names, id));
    g_clear_pointer(&g_ptr_array_index(mcs->holder_names, id), g_free);
    g_array_append_val(mcs->spare_ids, id);
}

static const char *
holder_name(const SvirtMcs *mcs, guint32 id)
{
    return g_ptr_array_index(mcs->holder_names, id);
}

static void
reservation_free(Reservation *r)
{
    g_free(r->holder);
    g_free(r);
}

static guint
level_hash(gconstpointer level)
{
    return svirt_level_hash(level);
}

static gboolean
level_equal(gconstpointer a, gconstpointer b)
{
    return svirt_level_equal(a, b);
}

static void
range_level(SvirtLevel *out, guint sensitivity, guint low, guint high)
{
    svirt_level_init(out, sensitivity);
    for (guint c = low; c <= high; c++)
        svirt_level_add_category(out, c);
}

static char *
range_to_string(guint sensitivity, guint low, guint high)
{
    SvirtLevel level;

    range_level(&level, sensitivity, low, high);
    return svirt_level_to_string(&level);
}

/* Whether the categories of the level are one run cFIRST.cLAST; FALSE when empty. */
static gboolean
category_run(const SvirtLevel *level, guint *first, guint *last)
{
    guint count = svirt_level_n_categories(level);
    guint c = 0;

    if (count == 0)
        return FALSE;
    while (!svirt_level_has_category(level, c))
        c++;
    *first = c;
    *last = c + count - 1;
    for (; c <= *last; c++) {
        if (!svirt_level_has_category(level, c))
            return FALSE;
    }
    return TRUE;
}

SvirtMcs *
svirt_mcs_new(guint sensitivity, guint cat_low, guint cat_high, GError **error)
{
    g_autoptr(SvirtMcs) mcs = NULL;
    guint n;

    g_return_val_if_fail(error == NULL || *error == NULL, NULL);

    if (sensitivity >= SVIRT_SENSITIVITY_COUNT) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_RANGE,
                    _("The MCS sensitivity s%u is out of range (s0..s%u)."), sensitivity,
                    SVIRT_SENSITIVITY_COUNT - 1);
        return NULL;
    }
    if (cat_low >= SVIRT_CATEGORY_COUNT || cat_high >= SVIRT_CATEGORY_COUNT) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_RANGE,
                    _("The MCS range c%u.c%u is out of range (c0..c%u)."), cat_low, cat_high,
                    SVIRT_CATEGORY_COUNT - 1);
        return NULL;
    }
    if (cat_low > cat_high) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_RANGE,
                    _("The MCS range c%u.c%u is reversed; write the lower category first."),
                    cat_low, cat_high);
        return NULL;
    }
    n = cat_high - cat_low + 1;
    if (n < 2) {
        g_autofree char *range = range_to_string(sensitivity, cat_low, cat_high);

        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_RANGE,
                    _("The MCS range %s is too small to hold any pair: it needs at least two "
                      "categories."),
                    range);
        return NULL;
    }

    mcs = g_new0(SvirtMcs, 1);
    mcs->sensitivity = sensitivity;
    mcs->cat_low = cat_low;
    mcs->n = n;
    mcs->capacity = n * (n - 1) / 2;
    mcs->n_free = mcs->capacity;

    mcs->words = (n + 63) / 64;
    mcs->rows = g_new0(Row *, n);
    mcs->row_free = g_new0(guint32, n);
    mcs->tree = g_new0(guint32, n + 1);
    mcs->held = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (guint i = 0; i < n; i++)
        mcs->row_free[i] = n - 1 - i;
    mcs->tree_top = 1;
    while (mcs->tree_top * 2 <= n)
        mcs->tree_top *= 2;
    fenwick_rebuild(mcs);

    mcs->holder_names = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(mcs->holder_names, NULL);
    mcs->holder_refs = g_array_new(FALSE, TRUE, sizeof(guint));
    g_array_set_size(mcs->holder_refs, 1);
    mcs->spare_ids = g_array_new(FALSE, FALSE, sizeof(guint32));
    mcs->holder_ids = g_hash_table_new(g_str_hash, g_str_equal);
    mcs->statics = g_hash_table_new_full(level_hash, level_equal, NULL,
                                         (GDestroyNotify) reservation_free);

    return g_steal_pointer(&mcs);
}

SvirtMcs *
svirt_mcs_new_from_range_string(const char *range, GError **error)
{
    SvirtLevel low, high;
    guint first, last;

    g_return_val_if_fail(range != NULL, NULL);
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);

    if (!svirt_range_parse(range, &low, &high, NULL, error))
        return NULL;

    /* Pairs take the low sensitivity; the categories come from the high level (the whole
     * clearance of s0-s0:c0.c1023). */
    if (svirt_level_n_categories(&high) == 0) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_RANGE,
                    _("The MCS range '%s' has no categories and is too small to hold any pair; "
                      "use a range like s0:c0.c1023."),
                    range);
        return NULL;
    }
    if (!category_run(&high, &first, &last)) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_RANGE,
                    _("The MCS range '%s' is not a single run of categories; use a range like "
                      "s0:c0.c1023."),
                    range);
        return NULL;
    }
    return svirt_mcs_new(low.sensitivity, first, last, error);
}

void
svirt_mcs_free(SvirtMcs *mcs)
{
    if (mcs == NULL)
        return;
    for (guint i = 0; mcs->rows && i < mcs->n; i++)
        g_free(mcs->rows[i]);
    g_free(mcs->rows);
    g_free(mcs->row_free);
    g_free(mcs->tree);
    g_clear_pointer(&mcs->held, g_hash_table_unref);
    g_clear_pointer(&mcs->holder_ids, g_hash_table_unref);
    g_clear_pointer(&mcs->holder_names, g_ptr_array_unref);
    g_clear_pointer(&mcs->holder_refs, g_array_unref);
    g_clear_pointer(&mcs->spare_ids, g_array_unref);
    g_clear_pointer(&mcs->statics, g_hash_table_unref);
    g_clear_pointer(&mcs->rand, g_rand_free);
    g_free(mcs);
}

char *
svirt_mcs_range_from_context(const char *context)
{
    g_autoptr(SvirtContext) ctx = NULL;
    const SvirtLevel *high;
    guint sensitivity = 0;
    guint first, last;

    ctx = context ? svirt_context_parse(context, NULL) : NULL;
    if (ctx && svirt_context_has_level(ctx)) {
        sensitivity = svirt_context_get_low(ctx)->sensitivity;
        high = svirt_context_get_high(ctx);
        /* A confined manager may be cleared for fewer categories; stay inside them. */
        if (high && category_run(high, &first, &last) && last > first)
            return range_to_string(sensitivity, first, last);
    }
    return range_to_string(sensitivity, 0, SVIRT_CATEGORY_COUNT - 1);
}

char *
svirt_mcs_host_range(void)
{
    char *con = NULL;
    char *range;

    /* getcon() fails when SELinux is off; then the defaults apply. */
    if (getcon(&con) < 0)
        con = NULL;
    range = svirt_mcs_range_from_context(con);
    if (con)
        freecon(con);
    return range;
}

void
svirt_mcs_set_seed(SvirtMcs *mcs, guint32 seed)
{
    g_return_if_fail(mcs != NULL);
    if (mcs->rand == NULL)
        mcs->rand = g_rand_new_with_seed(seed);
    else
        g_rand_set_seed(mcs->rand, seed);
}

guint
svirt_mcs_get_sensitivity(const SvirtMcs *mcs)
{
    g_return_val_if_fail(mcs != NULL, 0);
    return mcs->sensitivity;
}

guint
svirt_mcs_get_cat_low(const SvirtMcs *mcs)
{
    g_return_val_if_fail(mcs != NULL, 0);
    return mcs->cat_low;
}

guint
svirt_mcs_get_cat_high(const SvirtMcs *mcs)
{
    g_return_val_if_fail(mcs != NULL, 0);
    return mcs->cat_low + mcs->n - 1;
}

char *
svirt_mcs_dup_range_string(const SvirtMcs *mcs)
{
    g_return_val_if_fail(mcs != NULL, NULL);
    return range_to_string(mcs->sensitivity, mcs->cat_low, mcs->cat_low + mcs->n - 1);
}

guint64
svirt_mcs_capacity(const SvirtMcs *mcs)
{
    g_return_val_if_fail(mcs != NULL, 0);
    return mcs->capacity;
}

guint64
svirt_mcs_n_free(const SvirtMcs *mcs)
{
    g_return_val_if_fail(mcs != NULL, 0);
    return mcs->n_free;
}

guint64
svirt_mcs_n_blocked(const SvirtMcs *mcs)
{
    g_return_val_if_fail(mcs != NULL, 0);
    return mcs->n_blocked;
}

/* Relative indices of a level that is one pair of the range. */
static gboolean
pair_of(const SvirtMcs *mcs, const SvirtLevel *level, guint *i, guint *j)
{
    guint a, b;

    if (level->sensitivity != mcs->sensitivity || !svirt_level_get_pair(level, &a, &b))
        return FALSE;
    if (a < mcs->cat_low || b >= mcs->cat_low + mcs->n)
        return FALSE;
    *i = a - mcs->cat_low;
    *j = b - mcs->cat_low;
    return TRUE;
}

gboolean
svirt_mcs_is_pair_in_range(const SvirtMcs *mcs, const SvirtLevel *level)
{
    guint i, j;

    g_return_val_if_fail(mcs != NULL && level != NULL, FALSE);
    return pair_of(mcs, level, &i, &j);
}

static void
pair_level(const SvirtMcs *mcs, guint i, guint j, SvirtLevel *out)
{
    svirt_level_init_pair(out, mcs->sensitivity, mcs->cat_low + i, mcs->cat_low + j);
}

/* A VM at one of two comparable levels can reach the files of the other (the MCS constraint
 * is "h1 dom h2"). Levels without categories are the shared level and isolate nothing. */
static gboolean
levels_comparable(const SvirtLevel *a, guint a_cats, const SvirtLevel *b, guint b_cats)
{
    if (a_cats == 0 || b_cats == 0)
        return FALSE;
    return svirt_level_dominates(a, b) || svirt_level_dominates(b, a);
}

/* Whether pair (i, j) of the range is comparable with the reserved level. */
static gboolean
reservation_blocks(const SvirtMcs *mcs, const Reservation *r, guint i, guint j)
{
    guint s = mcs->sensitivity;
    guint rs = r->level.sensitivity;
    gboolean has_a = svirt_level_has_category(&r->level, mcs->cat_low + i);
    gboolean has_b = svirt_level_has_category(&r->level, mcs->cat_low + j);

    if (r->n_categories == 0)
        return FALSE;
    /* The reserved level dominates the pair. */
    if (rs >= s && has_a && has_b)
        return TRUE;
    /* The pair dominates the reserved level. */
    if (s >= rs && r->n_categories == 1)
        return has_a || has_b;
    if (s >= rs && r->n_categories == 2)
        return has_a && has_b;
    return FALSE;
}

typedef gboolean (*PairFunc)(SvirtMcs *mcs, guint i, guint j, gpointer data);

/* Calls func on every pair of the range that reservation_blocks() is TRUE for, until it
 * returns FALSE. */
static gboolean
foreach_blocked_pair(SvirtMcs *mcs, const Reservation *r, PairFunc func, gpointer data)
{
    guint s = mcs->sensitivity;
    guint rs = r->level.sensitivity;

    if (r->n_categories == 0)
        return TRUE;

    if (rs >= s || r->n_categories == 2) {
        guint rel[SVIRT_CATEGORY_COUNT];
        guint k = 0;

        for (guint c = 0; c < mcs->n; c++) {
            if (svirt_level_has_category(&r->level, mcs->cat_low + c))
                rel[k++] = c;
        }
        for (guint x = 0; x < k; x++) {
            for (guint y = x + 1; y < k; y++) {
                if (!func(mcs, rel[x], rel[y], data))
                    return FALSE;
            }
        }
    }

    if (s >= rs && r->n_categories == 1) {
        guint c = 0;

        while (!svirt_level_has_category(&r->level, c))
            c++;
        if (c < mcs->cat_low || c >= mcs->cat_low + mcs->n)
            return TRUE;
        c -= mcs->cat_low;
        for (guint x = 0; x < mcs->n; x++) {
            if (x != c && !func(mcs, MIN(x, c), MAX(x, c), data))
                return FALSE;
        }
    }
    return TRUE;
}

typedef struct {
    gboolean found;
    guint i, j;
} FoundPair;

static gboolean
find_held_pair(SvirtMcs *mcs, guint i, guint j, gpointer data)
{
    FoundPair *found = data;
    guint32 owner = owner_of(mcs, i, j);

    if (owner == PAIR_FREE || owner == PAIR_BLOCKED)
        return TRUE;
    found->found = TRUE;
    found->i = i;
    found->j = j;
    return FALSE;
}

static gboolean
block_pair(SvirtMcs *mcs, guint i, guint j, gpointer data)
{
    gboolean *changed = data;

    if (owner_of(mcs, i, j) == PAIR_FREE) {
        take_pair(mcs, i, j, PAIR_BLOCKED, FALSE);
        mcs->n_blocked++;
        *changed = TRUE;
    }
    return TRUE;
}

static const Reservation *
find_blocker(const SvirtMcs *mcs, guint i, guint j)
{
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init(&iter, mcs->statics);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        if (reservation_blocks(mcs, value, i, j))
            return value;
    }
    return NULL;
}

static gboolean
unblock_pair(SvirtMcs *mcs, guint i, guint j, gpointer data)
{
    gboolean *changed = data;

    if (owner_of(mcs, i, j) == PAIR_BLOCKED && find_blocker(mcs, i, j) == NULL) {
        put_pair(mcs, i, j, FALSE);
        mcs->n_blocked--;
        *changed = TRUE;
    }
    return TRUE;
}

static void
set_not_isolated(GError **error, const SvirtLevel *level, const SvirtLevel *other,
                 const char *holder)
{
    g_autofree char *level_str = svirt_level_to_string(level);
    g_autofree char *other_str = svirt_level_to_string(other);

    g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE,
                _("Level %s is not isolated from level %s held by VM '%s': a VM at one of them "
                  "could access the files of the other."),
                level_str, other_str, holder);
}

static void
set_already_held(GError **error, const SvirtLevel *level, const char *holder)
{
    g_autofree char *level_str = svirt_level_to_string(level);

    g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE,
                _("Level %s is already held by VM '%s'."), level_str, holder);
}

static gboolean
reserve_pair(SvirtMcs *mcs, const SvirtLevel *level, guint i, guint j, const char *holder,
             GError **error)
{
    guint32 owner = owner_of(mcs, i, j);

    if (owner == PAIR_BLOCKED) {
        const Reservation *r = find_blocker(mcs, i, j);

        /* Pairs are blocked only while a reservation covers them. */
        g_assert(r != NULL);
        set_not_isolated(error, level, &r->level, r->holder);
        return FALSE;
    }
    if (owner != PAIR_FREE) {
        set_already_held(error, level, holder_name(mcs, owner));
        return FALSE;
    }
    take_pair(mcs, i, j, holder_ref(mcs, holder), TRUE);
    return TRUE;
}

static gboolean
reserve_static(SvirtMcs *mcs, const SvirtLevel *level, const char *holder, GError **error)
{
    Reservation *existing = g_hash_table_lookup(mcs->statics, level);
    Reservation *r;
    FoundPair held = { FALSE, 0, 0 };
    GHashTableIter iter;
    gpointer value;
    gboolean changed = FALSE;
    guint n_categories;

    if (existing) {
        set_already_held(error, level, existing->holder);
        return FALSE;
    }

    n_categories = svirt_level_n_categories(level);
    g_hash_table_iter_init(&iter, mcs->statics);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        Reservation *other = value;

        if (levels_comparable(level, n_categories, &other->level, other->n_categories)) {
            set_not_isolated(error, level, &other->level, other->holder);
            return FALSE;
        }
    }

    r = g_new0(Reservation, 1);
    r->level = *level;
    r->n_categories = n_categories;
    foreach_blocked_pair(mcs, r, find_held_pair, &held);
    if (held.found) {
        SvirtLevel other;

        pair_level(mcs, held.i, held.j, &other);
        set_not_isolated(error, level, &other,
                         holder_name(mcs, owner_of(mcs, held.i, held.j)));
        reservation_free(r);
        return FALSE;
    }

    r->holder = g_strdup(holder);
    g_hash_table_insert(mcs->statics, &r->level, r);
    foreach_blocked_pair(mcs, r, block_pair, &changed);
    if (changed)
        fenwick_rebuild(mcs);
    return TRUE;
}

gboolean
svirt_mcs_reserve(SvirtMcs *mcs, const SvirtLevel *level, const char *holder, GError **error)
{
    guint i, j;

    g_return_val_if_fail(mcs != NULL, FALSE);
    g_return_val_if_fail(level != NULL, FALSE);
    g_return_val_if_fail(level->sensitivity < SVIRT_SENSITIVITY_COUNT, FALSE);
    g_return_val_if_fail(holder != NULL, FALSE);
    g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

    if (pair_of(mcs, level, &i, &j))
        return reserve_pair(mcs, level, i, j, holder, error);
    return reserve_static(mcs, level, holder, error);
}

static void
set_exhausted(const SvirtMcs *mcs, GError **error)
{
    g_autofree char *range = NULL;

    if (error == NULL)
        return;
    range = svirt_mcs_dup_range_string(mcs);
    if (mcs->capacity == 1 && mcs->n_blocked == 0)
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_EXHAUSTED,
                    _("The only category pair of %s is in use; stop a VM or widen the range "
                      "with --mcs-range."),
                    range);
    else if (mcs->capacity == 1)
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_EXHAUSTED,
                    _("The only category pair of %s overlaps a static label; widen the range "
                      "with --mcs-range."),
                    range);
    else if (mcs->n_blocked == 0)
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_EXHAUSTED,
                    g_dngettext(GETTEXT_PACKAGE,
                                "All %u category pair of %s is in use; stop a VM or widen the "
                                "range with --mcs-range.",
                                "All %u category pairs of %s are in use; stop a VM or widen the "
                                "range with --mcs-range.",
                                mcs->capacity),
                    mcs->capacity, range);
    else
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_EXHAUSTED,
                    g_dngettext(GETTEXT_PACKAGE,
                                "All %u category pair of %s is in use or overlaps static "
                                "labels; stop a VM or widen the range with --mcs-range.",
                                "All %u category pairs of %s are in use or overlap static "
                                "labels; stop a VM or widen the range with --mcs-range.",
                                mcs->capacity),
                    mcs->capacity, range);
}

gboolean
svirt_mcs_allocate(SvirtMcs *mcs, const char *holder, SvirtLevel *out, GError **error)
{
    guint rank, row, col;

    g_return_val_if_fail(mcs != NULL, FALSE);
    g_return_val_if_fail(holder != NULL, FALSE);
    g_return_val_if_fail(out != NULL, FALSE);
    g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

    if (mcs->n_free == 0) {
        set_exhausted(mcs, error);
        return FALSE;
    }

    /* While at least half the pairs are free (the usual case), a few direct draws almost
     * always hit a free pair and are cheaper than the tree. Each accepted draw is uniform over
     * the free pairs and so is the fallback, hence the result is; the number of draws is
     * fixed, so the time stays bounded. */
    if ((guint64) mcs->n_free * 2 >= mcs->capacity) {
        for (guint attempt = 0; attempt < 4; attempt++) {
            guint r = draw(mcs, 0, mcs->n * (mcs->n - 1));
            guint i = r / (mcs->n - 1);
            guint j = r % (mcs->n - 1);

            /* An ordered draw of two different categories, then sorted. */
            if (j >= i)
                j++;
            row = MIN(i, j);
            col = MAX(i, j);
            if (pair_is_free(mcs, row, col))
                goto found;
        }
    }

    /* A uniform rank among the free pairs, then the pair of that rank. */
    rank = draw(mcs, 0, mcs->n_free);
    row = fenwick_find(mcs, &rank);
    col = select_in_row(mcs, row, rank);

found:
    take_pair(mcs, row, col, holder_ref(mcs, holder), TRUE);
    pair_level(mcs, row, col, out);
    return TRUE;
}

gboolean
svirt_mcs_release(SvirtMcs *mcs, const SvirtLevel *level)
{
    Reservation *r;
    gboolean changed = FALSE;
    guint i, j;

    g_return_val_if_fail(mcs != NULL, FALSE);
    g_return_val_if_fail(level != NULL, FALSE);

    if (pair_of(mcs, level, &i, &j)) {
        guint32 owner = owner_of(mcs, i, j);

        if (owner == PAIR_FREE || owner == PAIR_BLOCKED)
            return FALSE;
        holder_unref(mcs, owner);
        put_pair(mcs, i, j, TRUE);
        return TRUE;
    }

    r = g_hash_table_lookup(mcs->statics, level);
    if (r == NULL)
        return FALSE;
    g_hash_table_steal(mcs->statics, level);
    foreach_blocked_pair(mcs, r, unblock_pair, &changed);
    if (changed)
        fenwick_rebuild(mcs);
    reservation_free(r);
    return TRUE;
}

const char *
svirt_mcs_holder(const SvirtMcs *mcs, const SvirtLevel *level)
{
    const Reservation *r;
    guint i, j;

    g_return_val_if_fail(mcs != NULL, NULL);
    g_return_val_if_fail(level != NULL, NULL);

    if (pair_of(mcs, level, &i, &j)) {
        guint32 owner = owner_of(mcs, i, j);

        if (owner == PAIR_FREE || owner == PAIR_BLOCKED)
            return NULL;
        return holder_name(mcs, owner);
    }
    r = g_hash_table_lookup(mcs->statics, level);
    return r ? r->holder : NULL;
}
