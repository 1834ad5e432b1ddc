#include "config.h"

#include <locale.h>
#include <math.h>
#include <string.h>

#include <glib.h>
#include <selinux/selinux.h>

#include "svirt-context.h"
#include "svirt-error.h"
#include "svirt-held-levels.h"
#include "svirt-mcs.h"

static SvirtLevel
level_from(const char *str)
{
    g_autoptr(GError) error = NULL;
    SvirtLevel level;

    g_assert_true(svirt_level_parse(str, &level, &error));
    g_assert_no_error(error);
    return level;
}

static guint64
pairs_of(guint n)
{
    return (guint64) n * (n - 1) / 2;
}

/* Checks that the level is a valid pair of the range and not seen before. */
static void
check_new_pair(SvirtMcs *mcs, const SvirtLevel *level, guint8 *seen)
{
    guint a, b;

    g_assert_cmpuint(level->sensitivity, ==, svirt_mcs_get_sensitivity(mcs));
    g_assert_cmpuint(svirt_level_n_categories(level), ==, 2);
    g_assert_true(svirt_level_get_pair(level, &a, &b));
    g_assert_cmpuint(a, <, b);
    g_assert_cmpuint(a, >=, svirt_mcs_get_cat_low(mcs));
    g_assert_cmpuint(b, <=, svirt_mcs_get_cat_high(mcs));
    g_assert_true(svirt_mcs_is_pair_in_range(mcs, level));
    g_assert_cmpuint(seen[a * SVIRT_CATEGORY_COUNT + b], ==, 0);
    seen[a * SVIRT_CATEGORY_COUNT + b] = 1;
}

typedef struct {
    guint low, high;
} SmallRange;

static const SmallRange small_ranges[] = {
    { 0, 1 }, { 0, 2 }, { 3, 12 }, { 0, 31 }, { 60, 70 }, { 0, 64 }, { 5, 133 }, { 1000, 1023 },
};

static void
test_exhaust_small(void)
{
    for (gsize n = 0; n < G_N_ELEMENTS(small_ranges); n++) {
        const SmallRange *tc = &small_ranges[n];
        g_autoptr(GError) error = NULL;
        g_autoptr(SvirtMcs) mcs = svirt_mcs_new(0, tc->low, tc->high, &error);
        g_autofree guint8 *seen = g_new0(guint8, SVIRT_CATEGORY_COUNT * SVIRT_CATEGORY_COUNT);
        g_autofree SvirtLevel *levels = NULL;
        g_autofree char *range = NULL;
        g_autofree char *expected = NULL;
        guint64 capacity = pairs_of(tc->high - tc->low + 1);
        guint64 count = 0;
        SvirtLevel level, again;

        g_assert_no_error(error);
        svirt_mcs_set_seed(mcs, 42 + n);
        range = svirt_mcs_dup_range_string(mcs);
        g_test_message("exhaust %s", range);
        g_assert_cmpuint(svirt_mcs_capacity(mcs), ==, capacity);
        g_assert_cmpuint(svirt_mcs_n_free(mcs), ==, capacity);

        levels = g_new(SvirtLevel, capacity);
        while (svirt_mcs_allocate(mcs, "vm", &level, &error)) {
            g_assert_cmpuint(count, <, capacity);
            check_new_pair(mcs, &level, seen);
            g_assert_cmpstr(svirt_mcs_holder(mcs, &level), ==, "vm");
            levels[count++] = level;
            g_assert_cmpuint(svirt_mcs_n_free(mcs), ==, capacity - count);
        }
        g_assert_cmpuint(count, ==, capacity);
        g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_EXHAUSTED);
        if (capacity == 1)
            expected = g_strdup_printf("The only category pair of %s is in use; stop a VM or "
                                       "widen the range with --mcs-range.",
                                       range);
        else
            expected = g_strdup_printf("All %" G_GUINT64_FORMAT " category pairs of %s are in "
                                       "use; stop a VM or widen the range with --mcs-range.",
                                       capacity, range);
        g_assert_cmpstr(error->message, ==, expected);
        g_clear_error(&error);

        /* Freeing one pair makes exactly that pair available again. */
        level = levels[g_test_rand_int_range(0, capacity)];
        g_assert_true(svirt_mcs_release(mcs, &level));
        g_assert_null(svirt_mcs_holder(mcs, &level));
        g_assert_cmpuint(svirt_mcs_n_free(mcs), ==, 1);
        g_assert_true(svirt_mcs_allocate(mcs, "vm2", &again, &error));
        g_assert_no_error(error);
        g_assert_true(svirt_level_equal(&level, &again));
        g_assert_cmpstr(svirt_mcs_holder(mcs, &again), ==, "vm2");
        g_assert_false(svirt_mcs_allocate(mcs, "vm3", &again, &error));
        g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_EXHAUSTED);
    }
}

static void
test_full_range(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtMcs) mcs = svirt_mcs_new_from_range_string("s0:c0.c1023", &error);
    g_autofree guint8 *seen = g_new0(guint8, SVIRT_CATEGORY_COUNT * SVIRT_CATEGORY_COUNT);
    SvirtLevel level, last, again;
    guint64 count = 0;
    gint64 start = g_get_monotonic_time();

    g_assert_no_error(error);
    g_assert_cmpuint(svirt_mcs_capacity(mcs), ==, 523776);
    svirt_mcs_set_seed(mcs, 7);

    while (svirt_mcs_allocate(mcs, "vm", &level, &error)) {
        check_new_pair(mcs, &level, seen);
        last = level;
        count++;
    }
    g_assert_cmpuint(count, ==, 523776);
    g_assert_cmpuint(svirt_mcs_n_free(mcs), ==, 0);
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_EXHAUSTED);
    g_assert_cmpstr(error->message, ==,
                    "All 523776 category pairs of s0:c0.c1023 are in use; stop a VM or widen "
                    "the range with --mcs-range.");
    g_clear_error(&error);

    g_assert_true(svirt_mcs_release(mcs, &last));
    g_assert_true(svirt_mcs_allocate(mcs, "other", &again, &error));
    g_assert_true(svirt_level_equal(&again, &last));
    g_test_message("523776 allocations in %.3f s",
                   (g_get_monotonic_time() - start) / (double) G_USEC_PER_SEC);
}

static void
test_capacity(void)
{
    static const guint sizes[] = { 2, 3, 10, 63, 64, 65, 128, 1024 };

    for (gsize n = 0; n < G_N_ELEMENTS(sizes); n++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(SvirtMcs) mcs = svirt_mcs_new(0, 0, sizes[n] - 1, &error);

        g_assert_no_error(error);
        g_assert_cmpuint(svirt_mcs_capacity(mcs), ==, pairs_of(sizes[n]));
        g_assert_cmpuint(svirt_mcs_n_free(mcs), ==, pairs_of(sizes[n]));
        g_assert_cmpuint(svirt_mcs_n_blocked(mcs), ==, 0);
    }
}

typedef struct {
    const char *range;
    guint sensitivity;
    guint low;
    guint high;
    const char *canonical;
} RangeCase;

static const RangeCase range_cases[] = {
    { "s0:c0.c1023", 0, 0, 1023, "s0:c0.c1023" },
    { "c0.c1023", 0, 0, 1023, "s0:c0.c1023" },
    { "s0-s0:c0.c1023", 0, 0, 1023, "s0:c0.c1023" },
    { "s0-s0:c100.c199", 0, 100, 199, "s0:c100.c199" },
    { "s1:c5.c9", 1, 5, 9, "s1:c5.c9" },
    { "s0:c10,c11", 0, 10, 11, "s0:c10,c11" },
    { "s0:c3,c1,c2", 0, 1, 3, "s0:c1.c3" },
    { "s2-s3:c0.c15", 2, 0, 15, "s2:c0.c15" },
};

static void
test_range_strings(void)
{
    for (gsize n = 0; n < G_N_ELEMENTS(range_cases); n++) {
        const RangeCase *tc = &range_cases[n];
        g_autoptr(GError) error = NULL;
        g_autoptr(SvirtMcs) mcs = svirt_mcs_new_from_range_string(tc->range, &error);
        g_autofree char *str = NULL;
        SvirtLevel level;

        g_test_message("range %s", tc->range);
        g_assert_no_error(error);
        g_assert_cmpuint(svirt_mcs_get_sensitivity(mcs), ==, tc->sensitivity);
        g_assert_cmpuint(svirt_mcs_get_cat_low(mcs), ==, tc->low);
        g_assert_cmpuint(svirt_mcs_get_cat_high(mcs), ==, tc->high);
        g_assert_cmpuint(svirt_mcs_capacity(mcs), ==, pairs_of(tc->high - tc->low + 1));
        str = svirt_mcs_dup_range_string(mcs);
        g_assert_cmpstr(str, ==, tc->canonical);

        g_assert_true(svirt_mcs_allocate(mcs, "vm", &level, &error));
        g_assert_cmpuint(level.sensitivity, ==, tc->sensitivity);
    }
}

typedef struct {
    const char *range;
    const char *message;
} BadRangeCase;

static const BadRangeCase bad_range_cases[] = {
    { "s0:c5", "The MCS range s0:c5 is too small to hold any pair" },
    { "c7", "The MCS range s0:c7 is too small to hold any pair" },
    { "s0", "has no categories and is too small to hold any pair" },
    { "s0-s0", "has no categories and is too small to hold any pair" },
    { "s0:c1,c3", "is not a single run of categories" },
    { "s0:c0.c9,c11.c20", "is not a single run of categories" },
    { "s0:c0.c1024", "category c1024 at position 7 is out of range" },
    { "s16:c0.c9", "sensitivity s16 at position 1 is out of range" },
    { "s0:c9.c1", "category range c9.c1 at position 4 is reversed" },
    { "s0:c0.c1023 ", "whitespace at position 12" },
    { "", "the range is empty" },
    { "x", "expected a level like s0 at position 1, found 'x'" },
};

static void
test_range_too_small(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtMcs) mcs = NULL;

    mcs = svirt_mcs_new(0, 5, 5, &error);
    g_assert_null(mcs);
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_RANGE);
    g_assert_cmpstr(error->message, ==,
                    "The MCS range s0:c5 is too small to hold any pair: it needs at least two "
                    "categories.");
    g_clear_error(&error);

    mcs = svirt_mcs_new(0, 9, 3, &error);
    g_assert_null(mcs);
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_RANGE);
    g_assert_nonnull(strstr(error->message, "reversed"));
    g_clear_error(&error);

    mcs = svirt_mcs_new(16, 0, 9, &error);
    g_assert_null(mcs);
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_RANGE);
    g_clear_error(&error);

    mcs = svirt_mcs_new(0, 0, 1024, &error);
    g_assert_null(mcs);
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_RANGE);
    g_clear_error(&error);

    for (gsize n = 0; n < G_N_ELEMENTS(bad_range_cases); n++) {
        const BadRangeCase *tc = &bad_range_cases[n];

        mcs = svirt_mcs_new_from_range_string(tc->range, &error);
        g_test_message("range '%s' -> %s", tc->range, error ? error->message : "(accepted)");
        g_assert_null(mcs);
        g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_RANGE);
        g_assert_nonnull(strstr(error->message, tc->message));
        g_clear_error(&error);
    }
}

static gboolean
comparable(const SvirtLevel *a, const SvirtLevel *b)
{
    return svirt_level_dominates(a, b) || svirt_level_dominates(b, a);
}

static void
test_static_never_handed_out(void)
{
    static const struct {
        const char *level;
        const char *holder;
    } statics[] = {
        { "s0:c5", "static-a" },        /* blocks the 9 pairs containing c5 */
        { "s0:c1,c2,c3", "static-b" },  /* blocks c1,c2 c1,c3 c2,c3 */
        { "s1:c7,c8", "static-c" },     /* dominates s0:c7,c8 */
        { "s0", "static-d" },           /* the shared level: blocks nothing */
        { "s0:c20,c21", "static-e" },   /* outside the range */
    };
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtMcs) mcs = svirt_mcs_new(0, 0, 9, &error);
    g_autofree guint8 *seen = g_new0(guint8, SVIRT_CATEGORY_COUNT * SVIRT_CATEGORY_COUNT);
    SvirtLevel level, c5;
    guint count = 0;

    g_assert_no_error(error);
    svirt_mcs_set_seed(mcs, 3);
    for (gsize n = 0; n < G_N_ELEMENTS(statics); n++) {
        SvirtLevel s = level_from(statics[n].level);

        g_assert_true(svirt_mcs_reserve(mcs, &s, statics[n].holder, &error));
        g_assert_no_error(error);
        g_assert_cmpstr(svirt_mcs_holder(mcs, &s), ==, statics[n].holder);
    }
    g_assert_cmpuint(svirt_mcs_n_blocked(mcs), ==, 13);
    g_assert_cmpuint(svirt_mcs_n_free(mcs), ==, 45 - 13);

    while (svirt_mcs_allocate(mcs, "dyn", &level, &error)) {
        check_new_pair(mcs, &level, seen);
        for (gsize n = 0; n < G_N_ELEMENTS(statics); n++) {
            SvirtLevel s = level_from(statics[n].level);

            if (svirt_level_n_categories(&s) > 0)
                g_assert_false(comparable(&level, &s));
        }
        count++;
    }
    g_assert_cmpuint(count, ==, 32);
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_EXHAUSTED);
    g_assert_cmpstr(error->message, ==,
                    "All 45 category pairs of s0:c0.c9 are in use or overlap static labels; "
                    "stop a VM or widen the range with --mcs-range.");
    g_clear_error(&error);

    /* Releasing the static s0:c5 frees exactly the pairs that contain c5. */
    c5 = level_from("s0:c5");
    g_assert_true(svirt_mcs_release(mcs, &c5));
    g_assert_null(svirt_mcs_holder(mcs, &c5));
    g_assert_cmpuint(svirt_mcs_n_free(mcs), ==, 9);
    g_assert_cmpuint(svirt_mcs_n_blocked(mcs), ==, 4);
    while (svirt_mcs_allocate(mcs, "dyn", &level, &error)) {
        check_new_pair(mcs, &level, seen);
        g_assert_true(svirt_level_has_category(&level, 5));
        count++;
    }
    g_assert_cmpuint(count, ==, 41);
}

static void
test_reserve_conflicts(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtMcs) mcs = svirt_mcs_new(0, 0, 9, &error);
    SvirtLevel web1 = level_from("s0:c1,c2");
    SvirtLevel level;

    g_assert_no_error(error);

    g_assert_true(svirt_mcs_reserve(mcs, &web1, "web1", &error));
    g_assert_false(svirt_mcs_reserve(mcs, &web1, "web2", &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE);
    g_assert_cmpstr(error->message, ==, "Level s0:c1,c2 is already held by VM 'web1'.");
    g_clear_error(&error);
    g_assert_cmpstr(svirt_mcs_holder(mcs, &web1), ==, "web1");

    /* A static level that dominates a held pair would reach its files. */
    level = level_from("s0:c1.c3");
    g_assert_false(svirt_mcs_reserve(mcs, &level, "db", &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE);
    g_assert_cmpstr(error->message, ==,
                    "Level s0:c1.c3 is not isolated from level s0:c1,c2 held by VM 'web1': a VM "
                    "at one of them could access the files of the other.");
    g_clear_error(&error);
    g_assert_null(svirt_mcs_holder(mcs, &level));

    /* A single category held by a pair's VM could be read by it. */
    level = level_from("s0:c2");
    g_assert_false(svirt_mcs_reserve(mcs, &level, "db", &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE);
    g_assert_nonnull(strstr(error->message, "held by VM 'web1'"));
    g_clear_error(&error);

    level = level_from("s0:c5");
    g_assert_true(svirt_mcs_reserve(mcs, &level, "a", &error));
    g_assert_false(svirt_mcs_reserve(mcs, &level, "b", &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE);
    g_assert_cmpstr(error->message, ==, "Level s0:c5 is already held by VM 'a'.");
    g_clear_error(&error);

    level = level_from("s0:c5.c7");
    g_assert_false(svirt_mcs_reserve(mcs, &level, "b", &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE);
    g_assert_nonnull(strstr(error->message, "level s0:c5 held by VM 'a'"));
    g_clear_error(&error);

    level = level_from("s0:c5,c9");
    g_assert_false(svirt_mcs_reserve(mcs, &level, "b", &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE);
    g_assert_cmpstr(error->message, ==,
                    "Level s0:c5,c9 is not isolated from level s0:c5 held by VM 'a': a VM at "
                    "one of them could access the files of the other.");
    g_clear_error(&error);

    /* Levels outside the range are checked the same way. */
    level = level_from("s0:c20,c21");
    g_assert_true(svirt_mcs_reserve(mcs, &level, "far", &error));
    g_assert_false(svirt_mcs_reserve(mcs, &level, "far2", &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE);
    g_assert_cmpstr(error->message, ==, "Level s0:c20,c21 is already held by VM 'far'.");
    g_clear_error(&error);

    /* An allocated pair is held like a reserved one. */
    g_assert_true(svirt_mcs_allocate(mcs, "dyn", &level, &error));
    g_assert_false(svirt_mcs_reserve(mcs, &level, "web3", &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE);
    g_assert_nonnull(strstr(error->message, "is already held by VM 'dyn'."));
    g_clear_error(&error);

    /* Two shared-level VMs still hold distinct levels. */
    level = level_from("s0");
    g_assert_true(svirt_mcs_reserve(mcs, &level, "shared1", &error));
    g_assert_false(svirt_mcs_reserve(mcs, &level, "shared2", &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE);
    g_assert_cmpstr(error->message, ==, "Level s0 is already held by VM 'shared1'.");
}

static void
test_release_rereserve(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtMcs) mcs = svirt_mcs_new(0, 0, 9, &error);
    SvirtLevel pair = level_from("s0:c1,c2");
    SvirtLevel b123 = level_from("s0:c1.c3");
    SvirtLevel b234 = level_from("s0:c2.c4");
    SvirtLevel c23 = level_from("s0:c2,c3");
    SvirtLevel level;

    g_assert_no_error(error);

    g_assert_true(svirt_mcs_reserve(mcs, &pair, "web1", &error));
    g_assert_cmpuint(svirt_mcs_n_free(mcs), ==, 44);
    g_assert_true(svirt_mcs_release(mcs, &pair));
    g_assert_null(svirt_mcs_holder(mcs, &pair));
    g_assert_cmpuint(svirt_mcs_n_free(mcs), ==, 45);
    g_assert_false(svirt_mcs_release(mcs, &pair));
    g_assert_cmpuint(svirt_mcs_n_free(mcs), ==, 45);
    g_assert_true(svirt_mcs_reserve(mcs, &pair, "web2", &error));
    g_assert_cmpstr(svirt_mcs_holder(mcs, &pair), ==, "web2");
    g_assert_true(svirt_mcs_release(mcs, &pair));

    g_assert_true(svirt_mcs_allocate(mcs, "vm1", &level, &error));
    g_assert_false(svirt_mcs_reserve(mcs, &level, "vm2", &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE);
    g_clear_error(&error);
    g_assert_true(svirt_mcs_release(mcs, &level));
    g_assert_true(svirt_mcs_reserve(mcs, &level, "vm2", &error));
    g_assert_cmpstr(svirt_mcs_holder(mcs, &level), ==, "vm2");
    g_assert_true(svirt_mcs_release(mcs, &level));
    g_assert_cmpuint(svirt_mcs_n_free(mcs), ==, 45);

    /* Overlapping static levels: a pair stays blocked while any of them covers it. */
    g_assert_true(svirt_mcs_reserve(mcs, &b123, "db1", &error));
    g_assert_true(svirt_mcs_reserve(mcs, &b234, "db2", &error));
    g_assert_no_error(error);
    g_assert_cmpuint(svirt_mcs_n_blocked(mcs), ==, 5);
    g_assert_true(svirt_mcs_release(mcs, &b123));
    g_assert_cmpuint(svirt_mcs_n_blocked(mcs), ==, 3);
    g_assert_false(svirt_mcs_reserve(mcs, &c23, "web", &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE);
    g_assert_nonnull(strstr(error->message, "level s0:c2.c4 held by VM 'db2'"));
    g_clear_error(&error);
    g_assert_true(svirt_mcs_reserve(mcs, &pair, "web", &error));
    g_assert_true(svirt_mcs_release(mcs, &b234));
    g_assert_false(svirt_mcs_release(mcs, &b234));
    g_assert_cmpuint(svirt_mcs_n_blocked(mcs), ==, 0);
    g_assert_true(svirt_mcs_reserve(mcs, &c23, "web", &error));
    g_assert_true(svirt_mcs_reserve(mcs, &b123, "db1", &error) == FALSE);
    g_clear_error(&error);
    g_assert_true(svirt_mcs_release(mcs, &pair));
    g_assert_true(svirt_mcs_release(mcs, &c23));
    g_assert_cmpuint(svirt_mcs_n_free(mcs), ==, 45);
    g_assert_true(svirt_mcs_reserve(mcs, &b123, "db1", &error));
    g_assert_no_error(error);
    g_assert_cmpuint(svirt_mcs_n_free(mcs), ==, 42);
}

static void
test_holders_recycled(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtMcs) mcs = svirt_mcs_new(0, 0, 31, &error);
    g_autofree SvirtLevel *levels = g_new(SvirtLevel, 496);

    g_assert_no_error(error);
    for (guint round = 0; round < 3; round++) {
        for (guint n = 0; n < 496; n++) {
            g_autofree char *holder = g_strdup_printf("vm-%u-%u", round, n % 7);

            g_assert_true(svirt_mcs_allocate(mcs, holder, &levels[n], &error));
        }
        for (guint n = 0; n < 496; n++) {
            g_autofree char *holder = g_strdup_printf("vm-%u-%u", round, n % 7);

            g_assert_cmpstr(svirt_mcs_holder(mcs, &levels[n]), ==, holder);
        }
        for (guint n = 0; n < 496; n++)
            g_assert_true(svirt_mcs_release(mcs, &levels[n]));
        g_assert_cmpuint(svirt_mcs_n_free(mcs), ==, 496);
    }
}

/* Without a seed each allocator draws from the process-wide generator, not a fixed one. */
static void
test_unseeded_differ(void)
{
    g_autoptr(SvirtMcs) a = svirt_mcs_new(0, 0, 1023, NULL);
    g_autoptr(SvirtMcs) b = svirt_mcs_new(0, 0, 1023, NULL);
    gboolean differ = FALSE;

    for (guint n = 0; n < 20; n++) {
        SvirtLevel la, lb;

        g_assert_true(svirt_mcs_allocate(a, "x", &la, NULL));
        g_assert_true(svirt_mcs_allocate(b, "x", &lb, NULL));
        differ |= !svirt_level_equal(&la, &lb);
    }
    g_assert_true(differ);
}

/* A pair no reservation has touched is free, one a static level covers is blocked (held by
 * nobody, refused with the static level's holder), and both come back free on release. */
static void
test_fresh_rows(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtMcs) mcs = svirt_mcs_new(0, 0, 1023, &error);
    SvirtLevel single = level_from("s0:c700");
    SvirtLevel pair = level_from("s0:c3,c700");
    SvirtLevel far = level_from("s0:c1000,c1023");

    g_assert_no_error(error);
    g_assert_null(svirt_mcs_holder(mcs, &pair));
    g_assert_null(svirt_mcs_holder(mcs, &far));
    g_assert_true(svirt_mcs_release(mcs, &far) == FALSE);

    g_assert_true(svirt_mcs_reserve(mcs, &single, "static-vm", &error));
    g_assert_no_error(error);
    g_assert_cmpuint(svirt_mcs_n_blocked(mcs), ==, 1023);
    g_assert_cmpuint(svirt_mcs_n_free(mcs), ==, svirt_mcs_capacity(mcs) - 1023);
    g_assert_null(svirt_mcs_holder(mcs, &pair));
    g_assert_false(svirt_mcs_release(mcs, &pair));
    g_assert_false(svirt_mcs_reserve(mcs, &pair, "other", &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE);
    g_assert_nonnull(strstr(error->message, "static-vm"));
    g_clear_error(&error);

    g_assert_true(svirt_mcs_release(mcs, &single));
    g_assert_cmpuint(svirt_mcs_n_blocked(mcs), ==, 0);
    g_assert_cmpuint(svirt_mcs_n_free(mcs), ==, svirt_mcs_capacity(mcs));
    g_assert_true(svirt_mcs_reserve(mcs, &pair, "vm-a", &error));
    g_assert_no_error(error);
    g_assert_cmpstr(svirt_mcs_holder(mcs, &pair), ==, "vm-a");
    g_assert_true(svirt_mcs_release(mcs, &pair));
    g_assert_null(svirt_mcs_holder(mcs, &pair));
    g_assert_cmpuint(svirt_mcs_n_free(mcs), ==, svirt_mcs_capacity(mcs));
}

static void
test_seed(void)
{
    g_autoptr(SvirtMcs) a = svirt_mcs_new(0, 0, 1023, NULL);
    g_autoptr(SvirtMcs) b = svirt_mcs_new(0, 0, 1023, NULL);
    g_autoptr(SvirtMcs) c = svirt_mcs_new(0, 0, 1023, NULL);
    gboolean differ = FALSE;

    svirt_mcs_set_seed(a, 1234);
    svirt_mcs_set_seed(b, 1234);
    svirt_mcs_set_seed(c, 4321);
    for (guint n = 0; n < 100; n++) {
        SvirtLevel la, lb, lc;

        g_assert_true(svirt_mcs_allocate(a, "x", &la, NULL));
        g_assert_true(svirt_mcs_allocate(b, "x", &lb, NULL));
        g_assert_true(svirt_mcs_allocate(c, "x", &lc, NULL));
        g_assert_true(svirt_level_equal(&la, &lb));
        differ |= !svirt_level_equal(&la, &lc);
    }
    g_assert_true(differ);
}

/* Upper critical value of chi-square at p = 0.001 (Wilson-Hilferty). */
static double
chi2_critical(guint df)
{
    const double z = 3.0902;
    double k = 2.0 / (9.0 * df);

    return df * pow(1.0 - k + z * sqrt(k), 3);
}

/* Allocates and releases per_pair * n_free times and compares the counts per pair with the
 * uniform expectation. */
static void
check_uniform(guint low, guint high, gboolean (*taken)(guint a, guint b), guint per_pair,
              guint32 seed)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtMcs) mcs = svirt_mcs_new(0, low, high, &error);
    g_autofree guint *counts = g_new0(guint, SVIRT_CATEGORY_COUNT * SVIRT_CATEGORY_COUNT);
    guint64 n_free, trials;
    double chi2 = 0, critical;

    g_assert_no_error(error);
    svirt_mcs_set_seed(mcs, seed);
    for (guint a = low; a <= high; a++) {
        for (guint b = a + 1; b <= high; b++) {
            SvirtLevel level;

            if (!taken(a, b))
                continue;
            svirt_level_init_pair(&level, 0, a, b);
            g_assert_true(svirt_mcs_reserve(mcs, &level, "taken", &error));
        }
    }
    n_free = svirt_mcs_n_free(mcs);
    g_assert_cmpuint(n_free, >, 1);
    g_assert_cmpuint(n_free, <, svirt_mcs_capacity(mcs));
    trials = n_free * per_pair;

    for (guint64 t = 0; t < trials; t++) {
        SvirtLevel level;
        guint a, b;

        g_assert_true(svirt_mcs_allocate(mcs, "vm", &level, &error));
        g_assert_true(svirt_level_get_pair(&level, &a, &b));
        counts[a * SVIRT_CATEGORY_COUNT + b]++;
        g_assert_true(svirt_mcs_release(mcs, &level));
    }

    for (guint a = low; a <= high; a++) {
        for (guint b = a + 1; b <= high; b++) {
            guint count = counts[a * SVIRT_CATEGORY_COUNT + b];
            double diff = (double) count - per_pair;

            if (taken(a, b)) {
                g_assert_cmpuint(count, ==, 0);
                continue;
            }
            chi2 += diff * diff / per_pair;
        }
    }
    critical = chi2_critical(n_free - 1);
    g_test_message("c%u.c%u: %" G_GUINT64_FORMAT " free pairs, chi-square %.2f, critical %.2f "
                   "(p 0.001)",
                   low, high, n_free, chi2, critical);
    g_assert_cmpfloat(chi2, <, critical);
}

/* Over half free, so mostly served by direct draws. Row 0 keeps one free pair, row 1 loses
 * three, one more elsewhere: an allocator that draws the first category and then the second
 * above it, picks a row first, or takes the next free pair after a random start, favours
 * some pairs and fails by far. */
static gboolean
taken_small(guint a, guint b)
{
    return (a == 0 && b <= 8) || (a == 1 && b <= 4) || (a == 5 && b == 6);
}

/* Irregular holes across several 64-bit words of each row. */
static gboolean
taken_wide(guint a, guint b)
{
    return (a * 7 + b * 3) % 5 == 0 || (a < 70 && b > 120) || (b >= 128 && b < 140);
}

/* Most pairs taken: every pair comes from the index of free pairs, whose biased variants
 * (row first, next free after a random start) fail by far. */
static gboolean
taken_dense(guint a, guint b)
{
    return (a * b + a) % 5 != 0 || (a < 4 && b != 19);
}

/* Most of the first rows taken and the last rows never touched: the index of free pairs must
 * count and find the pairs of rows no reservation has written to yet. */
static gboolean
taken_first_rows(guint a, guint b)
{
    return a < 20 && (a + b) % 7 != 0;
}

static void
test_uniform(void)
{
    check_uniform(0, 9, taken_small, 400, 20240601);
    check_uniform(0, 39, taken_first_rows, 300, 7);
    check_uniform(60, 199, taken_wide, 40, 99);
    check_uniform(0, 19, taken_dense, 400, 5);
}

static void
test_host_range(void)
{
    g_autofree char *range = svirt_mcs_host_range();
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtMcs) mcs = svirt_mcs_new_from_range_string(range, &error);
    char *con = NULL;

    g_test_message("host range %s", range);
    g_assert_no_error(error);
    g_assert_cmpuint(svirt_mcs_capacity(mcs), >=, 1);

    if (getcon(&con) < 0) {
        /* SELinux is off: the documented default. */
        g_assert_cmpstr(range, ==, "s0:c0.c1023");
    } else {
        g_autofree char *expected = svirt_mcs_range_from_context(con);

        g_assert_cmpstr(range, ==, expected);
        freecon(con);
    }
}

typedef struct {
    const char *context;
    const char *range;
} ContextRangeCase;

static const ContextRangeCase context_range_cases[] = {
    { "unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023", "s0:c0.c1023" },
    { "system_u:system_r:virtd_t:s0-s0:c0.c1023", "s0:c0.c1023" },
    { "system_u:system_r:svirtmgr_t:s0", "s0:c0.c1023" },
    { "system_u:system_r:svirtmgr_t:s2", "s2:c0.c1023" },
    { "system_u:system_r:svirtmgr_t:s1-s1:c0.c255", "s1:c0.c255" },
    { "system_u:system_r:svirtmgr_t:s0-s0:c100.c199", "s0:c100.c199" },
    /* Not one run of categories, or too few for a pair: the whole set. */
    { "system_u:system_r:svirtmgr_t:s0-s0:c1,c5", "s0:c0.c1023" },
    { "system_u:system_r:svirtmgr_t:s0-s0:c7", "s0:c0.c1023" },
    { "system_u:system_r:svirtmgr_t", "s0:c0.c1023" },
    { "kernel", "s0:c0.c1023" },
    { "", "s0:c0.c1023" },
    { NULL, "s0:c0.c1023" },
};

static void
test_range_from_context(void)
{
    for (gsize n = 0; n < G_N_ELEMENTS(context_range_cases); n++) {
        const ContextRangeCase *tc = &context_range_cases[n];
        g_autofree char *range = svirt_mcs_range_from_context(tc->context);

        g_test_message("context %s", tc->context ? tc->context : "(null)");
        g_assert_cmpstr(range, ==, tc->range);
    }
}

/* The held set: a VM's level is read once per run, a VM not seen any more is released, and a
 * pair it hands out is never one a VM holds. */
typedef struct {
    SvirtLevel level;
    gboolean has;
    guint reads;
} FakeVm;

static gboolean
fake_load(gpointer data, SvirtLevel *out)
{
    FakeVm *vm = data;

    vm->reads++;
    *out = vm->level;
    return vm->has;
}

static void
test_held_reads_once(void)
{
    g_autoptr(SvirtHeldLevels) held = svirt_held_levels_new();
    FakeVm a = { .has = TRUE }, b = { .has = TRUE };

    svirt_level_init_pair(&a.level, 0, 1, 2);
    svirt_level_init_pair(&b.level, 0, 3, 4);
    for (int round = 0; round < 5; round++) {
        svirt_held_levels_lock(held);
        svirt_held_levels_begin(held);
        svirt_held_levels_see(held, "uuid-a", "a", "run 1", fake_load, &a);
        svirt_held_levels_see(held, "uuid-b", "b", "run 2", fake_load, &b);
        g_assert_true(svirt_held_levels_end(held, "s0:c0.c9", NULL));
        svirt_held_levels_unlock(held);
    }
    g_assert_cmpuint(a.reads, ==, 1);
    g_assert_cmpuint(b.reads, ==, 1);
    g_assert_cmpuint(svirt_held_levels_n_builds(held), ==, 1);
    g_assert_cmpuint(svirt_held_levels_size(held), ==, 2);
    g_assert_cmpstr(svirt_mcs_holder(svirt_held_levels_get_mcs(held), &a.level), ==, "a");

    /* A new run of a is read again, and its old level is free. */
    svirt_level_init_pair(&a.level, 0, 5, 6);
    svirt_held_levels_begin(held);
    svirt_held_levels_see(held, "uuid-a", "a", "run 7", fake_load, &a);
    svirt_held_levels_see(held, "uuid-b", "b", "run 2", fake_load, &b);
    g_assert_true(svirt_held_levels_end(held, "s0:c0.c9", NULL));
    g_assert_cmpuint(a.reads, ==, 2);
    g_assert_cmpstr(svirt_mcs_holder(svirt_held_levels_get_mcs(held), &a.level), ==, "a");
    {
        SvirtLevel old;

        svirt_level_init_pair(&old, 0, 1, 2);
        g_assert_null(svirt_mcs_holder(svirt_held_levels_get_mcs(held), &old));
    }

    /* b stopped: released. */
    svirt_held_levels_begin(held);
    svirt_held_levels_see(held, "uuid-a", "a", "run 7", fake_load, &a);
    g_assert_true(svirt_held_levels_end(held, "s0:c0.c9", NULL));
    g_assert_cmpuint(svirt_held_levels_size(held), ==, 1);
    g_assert_null(svirt_mcs_holder(svirt_held_levels_get_mcs(held), &b.level));

    /* Another range builds the allocator again, with what is held. */
    svirt_held_levels_begin(held);
    svirt_held_levels_see(held, "uuid-a", "a", "run 7", fake_load, &a);
    g_assert_true(svirt_held_levels_end(held, "s0:c0.c20", NULL));
    g_assert_cmpuint(svirt_held_levels_n_builds(held), ==, 2);
    g_assert_cmpuint(a.reads, ==, 2);
    g_assert_cmpstr(svirt_mcs_holder(svirt_held_levels_get_mcs(held), &a.level), ==, "a");
}

static void
test_held_allocate_unique(void)
{
    g_autoptr(SvirtHeldLevels) held = svirt_held_levels_new();
    g_autoptr(GPtrArray) vms = g_ptr_array_new_with_free_func(g_free);
    /* c0.c5: 15 pairs; a static s0:c5 takes the 5 pairs with c5 out. */
    const guint capacity = 15 - 5;

    for (guint started = 0; started <= capacity; started++) {
        g_autoptr(GError) error = NULL;
        FakeVm stat = { .has = TRUE };
        FakeVm *vm;
        SvirtLevel pair;

        svirt_level_init(&stat.level, 0);
        svirt_level_add_category(&stat.level, 5);
        svirt_held_levels_begin(held);
        svirt_held_levels_see(held, "uuid-static", "static", "run 1", fake_load, &stat);
        for (guint i = 0; i < vms->len; i++) {
            g_autofree char *uuid = g_strdup_printf("uuid-%u", i);

            svirt_held_levels_see(held, uuid, uuid, "run 1", fake_load, vms->pdata[i]);
        }
        g_assert_true(svirt_held_levels_end(held, "s0:c0.c5", NULL));
        if (started == capacity) {
            g_assert_false(svirt_held_levels_allocate(held, "last", &pair, &error));
            g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_EXHAUSTED);
            break;
        }
        g_assert_true(svirt_held_levels_allocate(held, "new", &pair, &error));
        g_assert_no_error(error);
        g_assert_false(svirt_level_has_category(&pair, 5));
        for (guint i = 0; i < vms->len; i++)
            g_assert_false(svirt_level_equal(&pair, &((FakeVm *)vms->pdata[i])->level));
        /* Not kept by the set: only what is seen is held. */
        g_assert_null(svirt_mcs_holder(svirt_held_levels_get_mcs(held), &pair));
        vm = g_new0(FakeVm, 1);
        vm->has = TRUE;
        vm->level = pair;
        g_ptr_array_add(vms, vm);

        /* A static level held by a running VM is refused, a free one is not kept. */
        g_assert_false(svirt_held_levels_check(held, &stat.level, "other", NULL));
    }
}

static void
test_held_conflict_passes_on(void)
{
    g_autoptr(SvirtHeldLevels) held = svirt_held_levels_new();
    FakeVm a = { .has = TRUE }, b = { .has = TRUE };

    /* Two VMs that claim the same level (started outside with the same static label): one
     * holds it, and when it stops the other does. */
    svirt_level_init_pair(&a.level, 0, 1, 2);
    b.level = a.level;
    svirt_held_levels_begin(held);
    svirt_held_levels_see(held, "uuid-a", "a", "run 1", fake_load, &a);
    svirt_held_levels_see(held, "uuid-b", "b", "run 2", fake_load, &b);
    g_assert_true(svirt_held_levels_end(held, "s0:c0.c9", NULL));
    g_assert_nonnull(svirt_mcs_holder(svirt_held_levels_get_mcs(held), &a.level));
    svirt_held_levels_begin(held);
    svirt_held_levels_see(held, "uuid-b", "b", "run 2", fake_load, &b);
    g_assert_true(svirt_held_levels_end(held, "s0:c0.c9", NULL));
    g_assert_cmpstr(svirt_mcs_holder(svirt_held_levels_get_mcs(held), &a.level), ==, "b");

    svirt_held_levels_reset(held);
    g_assert_cmpuint(svirt_held_levels_size(held), ==, 0);
    g_assert_null(svirt_held_levels_get_mcs(held));
}

int
main(int argc, char **argv)
{
    /* Messages are compared in English. */
    g_setenv("LC_ALL", "C", TRUE);
    setlocale(LC_ALL, "");

    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/mcs/capacity", test_capacity);
    g_test_add_func("/mcs/range/strings", test_range_strings);
    g_test_add_func("/mcs/range/too-small", test_range_too_small);
    g_test_add_func("/mcs/range/from-context", test_range_from_context);
    g_test_add_func("/mcs/range/host", test_host_range);
    g_test_add_func("/mcs/allocate/exhaust-small", test_exhaust_small);
    g_test_add_func("/mcs/allocate/full-range", test_full_range);
    g_test_add_func("/mcs/allocate/uniform", test_uniform);
    g_test_add_func("/mcs/allocate/seed", test_seed);
    g_test_add_func("/mcs/allocate/unseeded-differ", test_unseeded_differ);
    g_test_add_func("/mcs/reserve/fresh-rows", test_fresh_rows);
    g_test_add_func("/mcs/reserve/static-never-handed-out", test_static_never_handed_out);
    g_test_add_func("/mcs/reserve/conflicts", test_reserve_conflicts);
    g_test_add_func("/mcs/reserve/release-rereserve", test_release_rereserve);
    g_test_add_func("/mcs/reserve/holders-recycled", test_holders_recycled);
    g_test_add_func("/mcs/held/reads-once", test_held_reads_once);
    g_test_add_func("/mcs/held/allocate-unique", test_held_allocate_unique);
    g_test_add_func("/mcs/held/conflict-passes-on", test_held_conflict_passes_on);

    return g_test_run();
}
