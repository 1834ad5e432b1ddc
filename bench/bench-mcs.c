#include "config.h"

#include <math.h>
#include <stdlib.h>

#include <glib.h>
#include <selinux/context.h>

#include "svirt-context.h"
#include "svirt-held-levels.h"
#include "svirt-mcs.h"

#define N_CATS 1024
#define N_PAIRS (N_CATS * (N_CATS - 1) / 2)

#define OURS_ITERATIONS 200000
#define BASELINE_MAX_ITERATIONS 200000
#define BASELINE_MIN_ITERATIONS 50
/* The baseline slows down like 1/free; past this budget its figure is already clear. */
#define BASELINE_BUDGET_US (2 * G_USEC_PER_SEC)

#define TARGET_NS 1000.0
#define TARGET_RATIO 100.0

static const double occupancies[] = { 0.0, 0.5, 0.9, 0.99, 0.999, 0.9999 };

/* The per-start cost of choosing a level with this many VMs running. */
static const guint running_counts[] = { 10, 100, 1000 };
#define START_ROUNDS 7
#define START_ROUND_US (60 * 1000)
#define START_RANGE "s0-s0:c0.c1023"
#define START_CONTEXT "system_u:system_r:svirt_t:" START_RANGE

typedef struct {
    guint16 a, b;
} Pair;

/* The allocator as libvirt's SELinux driver has it: draw two categories, drop equal ones,
 * order them, retry while the pair is in the table of used labels. */
static char *
baseline_allocate(GHashTable *used, GRand *rand)
{
    for (;;) {
        guint c1 = g_rand_int_range(rand, 0, N_CATS);
        guint c2 = g_rand_int_range(rand, 0, N_CATS);
        char *mcs;

        if (c1 == c2)
            continue;
        if (c2 < c1) {
            guint tmp = c1;

            c1 = c2;
            c2 = tmp;
        }
        mcs = g_strdup_printf("s0:c%u,c%u", c1, c2);
        if (!g_hash_table_contains(used, mcs)) {
            g_hash_table_add(used, mcs);
            return mcs;
        }
        g_free(mcs);
    }
}

/* What a start of the engine did before it kept the held levels: the allocator from the range
 * string, the level of every running VM reserved, then the pick. */
static void
rebuilt_start(const Pair *pairs, char *const *names, guint running)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtMcs) mcs = svirt_mcs_new_from_range_string(START_RANGE, &error);
    SvirtLevel level;

    if (mcs == NULL)
        g_error("%s", error->message);
    for (guint n = 0; n < running; n++) {
        svirt_level_init_pair(&level, 0, pairs[n].a, pairs[n].b);
        if (!svirt_mcs_reserve(mcs, &level, names[n], &error))
            g_error("%s", error->message);
    }
    if (!svirt_mcs_allocate(mcs, "new", &level, &error))
        g_error("%s", error->message);
}

typedef struct {
    const Pair *pair;
} HeldVm;

static gboolean
load_pair(gpointer data, SvirtLevel *out)
{
    const Pair *pair = data;

    svirt_level_init_pair(out, 0, pair->a, pair->b);
    return TRUE;
}

/* What a start of the engine does now: the kept set brought up to date with every running VM
 * (its key formatted as the engine formats it, compared with the one kept), then the pick.
 * The one listing of the running VMs from libvirtd is not part of it. */
static void
held_start(SvirtHeldLevels *held, const Pair *pairs, char *const *names, guint running)
{
    g_autoptr(GError) error = NULL;
    SvirtLevel level;

    svirt_held_levels_lock(held);
    svirt_held_levels_begin(held);
    for (guint n = 0; n < running; n++) {
        char key[256];

        g_snprintf(key, sizeof(key), "journal %s %s", "-", names[n]);
        svirt_held_levels_see(held, names[n], names[n], key, load_pair, (gpointer)&pairs[n]);
    }
    if (!svirt_held_levels_end(held, START_RANGE, &error) ||
        !svirt_held_levels_allocate(held, "new", &level, &error))
        g_error("%s", error->message);
    svirt_held_levels_unlock(held);
}

/* The range as libvirt's SELinux driver reads it from its own context at every start: the low
 * sensitivity, then cMIN.cMAX of the categories. */
static char *
baseline_range(int *cat_min, int *cat_max)
{
    context_t ctx = context_new(START_CONTEXT);
    char *sens, *cat, *tmp;

    if (ctx == NULL)
        g_error("context_new failed");
    sens = g_strdup(context_range_get(ctx));
    context_free(ctx);
    cat = strchr(sens, ':');
    *cat++ = '\0';
    if ((tmp = strchr(sens, '-')))
        *tmp = '\0';
    *cat_min = strtol(cat + 1, &tmp, 10);
    *cat_max = strtol(tmp + 2, NULL, 10);
    return sens;
}

/* libvirt's whole cost at a start: the range from its context, then random categories c1, c2
 * (one category when equal, else ordered) retried while the table of running VMs' levels holds
 * the label, then the label added to the table. The table lives across starts, so building it
 * is not part of a start; the stop that removes the label again is timed with it. */
static void
baseline_start(GHashTable *used, GRand *rand)
{
    int cat_min, cat_max;
    g_autofree char *sens = baseline_range(&cat_min, &cat_max);
    int range = cat_max - cat_min + 1;
    char *mcs;

    for (;;) {
        int c1 = g_rand_int_range(rand, 0, range);
        int c2 = g_rand_int_range(rand, 0, range);

        if (c1 == c2) {
            mcs = g_strdup_printf("%s:c%d", sens, cat_min + c1);
        } else {
            if (c1 > c2) {
                int tmp = c1;

                c1 = c2;
                c2 = tmp;
            }
            mcs = g_strdup_printf("%s:c%d,c%d", sens, cat_min + c1, cat_min + c2);
        }
        if (!g_hash_table_contains(used, mcs))
            break;
        g_free(mcs);
    }
    g_hash_table_add(used, mcs);
    g_hash_table_remove(used, mcs);
}

typedef struct {
    const Pair *pairs;
    char **names;
    guint running;
    GHashTable *used;
    GRand *rand;
    SvirtHeldLevels *held;
} StartBench;

typedef enum {
    RUN_HELD,
    RUN_REBUILT,
    RUN_LIBVIRT,
} StartKind;

/* Mean µs per start over one round of about START_ROUND_US. */
static double
time_round(const StartBench *b, StartKind kind)
{
    gint64 start = g_get_monotonic_time();
    gint64 elapsed;
    guint n = 0;

    do {
        if (kind == RUN_HELD)
            held_start(b->held, b->pairs, b->names, b->running);
        else if (kind == RUN_REBUILT)
            rebuilt_start(b->pairs, b->names, b->running);
        else
            baseline_start(b->used, b->rand);
        n++;
        elapsed = g_get_monotonic_time() - start;
    } while (elapsed < START_ROUND_US || n < 3);
    return (double) elapsed / n;
}

static int
compare_double(gconstpointer a, gconstpointer b)
{
    double x = *(const double *) a, y = *(const double *) b;

    return (x > y) - (x < y);
}

static void
print_median(const double *v)
{
    g_print(" %8.2f (%5.2f-%6.2f)", v[START_ROUNDS / 2], v[0], v[START_ROUNDS - 1]);
}

static void
bench_starts(const Pair *pairs, guint32 seed)
{
    g_print("Whole cost of choosing a level at one start, %s, median of %u rounds "
            "(min-max), in us\n", START_RANGE, START_ROUNDS);
    g_print("held: the engine's kept set brought up to date with every running VM (key built "
            "and compared per VM), then the pick\n");
    g_print("rebuilt: as the engine did before, the allocator from the range string and every "
            "running VM's level reserved at each start, then the pick\n");
    g_print("libvirt: range from its context, random pair retried while its table of running "
            "VMs' labels (kept across starts) holds it, add\n\n");
    g_print("%8s %23s %23s %23s %13s\n", "running", "held", "rebuilt", "libvirt",
            "held/libvirt");

    for (gsize r = 0; r < G_N_ELEMENTS(running_counts); r++) {
        g_autoptr(GHashTable) used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                           NULL);
        g_autoptr(GRand) rand = g_rand_new_with_seed(seed + r);
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(SvirtHeldLevels) held = svirt_held_levels_new();
        double times[3][START_ROUNDS];
        StartBench b;

        for (guint n = 0; n < running_counts[r]; n++) {
            g_ptr_array_add(names, g_strdup_printf("vm-%04u", n));
            g_hash_table_add(used, g_strdup_printf("s0:c%u,c%u", pairs[n].a, pairs[n].b));
        }
        b = (StartBench) { pairs, (char **) names->pdata, running_counts[r], used, rand, held };
        /* The first start reads every level once, as the first start of an engine does. */
        held_start(held, pairs, b.names, b.running);
        /* The order rotates so that none always runs on a warm cache. */
        for (guint round = 0; round < START_ROUNDS; round++) {
            for (guint k = 0; k < 3; k++) {
                StartKind kind = (round + k) % 3;

                times[kind][round] = time_round(&b, kind);
            }
        }
        for (guint k = 0; k < 3; k++)
            qsort(times[k], START_ROUNDS, sizeof(double), (GCompareFunc) compare_double);
        g_print("%8u", running_counts[r]);
        print_median(times[RUN_HELD]);
        print_median(times[RUN_REBUILT]);
        print_median(times[RUN_LIBVIRT]);
        g_print(" %12.2fx\n", times[RUN_HELD][START_ROUNDS / 2] /
                                  times[RUN_LIBVIRT][START_ROUNDS / 2]);
    }
    g_print("\n");
}

static double
bench_ours(const Pair *pairs, guint occupied, guint32 seed)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtMcs) mcs = svirt_mcs_new(0, 0, N_CATS - 1, &error);
    gint64 start;

    if (mcs == NULL)
        g_error("%s", error->message);
    svirt_mcs_set_seed(mcs, seed);
    for (guint n = 0; n < occupied; n++) {
        SvirtLevel level;

        svirt_level_init_pair(&level, 0, pairs[n].a, pairs[n].b);
        if (!svirt_mcs_reserve(mcs, &level, "fill", &error))
            g_error("%s", error->message);
    }

    start = g_get_monotonic_time();
    for (guint n = 0; n < OURS_ITERATIONS; n++) {
        SvirtLevel level;

        if (!svirt_mcs_allocate(mcs, "bench", &level, &error))
            g_error("%s", error->message);
        svirt_mcs_release(mcs, &level);
    }
    return (g_get_monotonic_time() - start) * 1000.0 / OURS_ITERATIONS;
}

static double
bench_baseline(const Pair *pairs, guint occupied, guint32 seed, guint *iterations)
{
    g_autoptr(GHashTable) used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GRand) rand = g_rand_new_with_seed(seed);
    gint64 start, elapsed;
    guint n;

    for (n = 0; n < occupied; n++)
        g_hash_table_add(used, g_strdup_printf("s0:c%u,c%u", pairs[n].a, pairs[n].b));

    start = g_get_monotonic_time();
    for (n = 0; n < BASELINE_MAX_ITERATIONS; n++) {
        char *mcs = baseline_allocate(used, rand);

        g_hash_table_remove(used, mcs);
        if (n + 1 >= BASELINE_MIN_ITERATIONS &&
            g_get_monotonic_time() - start > BASELINE_BUDGET_US) {
            n++;
            break;
        }
    }
    elapsed = g_get_monotonic_time() - start;
    *iterations = n;
    return elapsed * 1000.0 / n;
}

int
main(int argc, char **argv)
{
    g_autofree Pair *pairs = g_new(Pair, N_PAIRS);
    g_autoptr(GRand) rand = NULL;
    guint32 seed = argc > 1 ? (guint32) strtoul(argv[1], NULL, 10) : 1;
    gboolean all_under = TRUE;
    double last_ratio = 0;
    gint64 total_start = g_get_monotonic_time();
    guint k = 0;

    /* One random order of all pairs; each occupancy fills both allocators with its prefix. */
    for (guint a = 0; a < N_CATS; a++) {
        for (guint b = a + 1; b < N_CATS; b++)
            pairs[k++] = (Pair) { a, b };
    }
    rand = g_rand_new_with_seed(seed);
    for (guint n = N_PAIRS - 1; n > 0; n--) {
        guint r = g_rand_int_range(rand, 0, n + 1);
        Pair tmp = pairs[n];

        pairs[n] = pairs[r];
        pairs[r] = tmp;
    }

    bench_starts(pairs, seed);

    g_print("MCS pair allocation in s0:c0.c1023 (%u pairs), seed %u\n", N_PAIRS, seed);
    g_print("Time per allocate+release cycle at a steady occupancy.\n");
    g_print("ours: svirt_mcs_allocate (a few direct draws while half the pairs are free, else a "
            "uniform rank over the free pairs in a Fenwick tree)\n");
    g_print("baseline: random cA,cB with A != B, ordered, retried while a GHashTable holds it\n\n");
    g_print("%10s %11s %12s %14s %12s %15s\n", "occupancy", "free pairs", "ours ns", "baseline ns",
            "baseline n", "baseline/ours");

    for (gsize o = 0; o < G_N_ELEMENTS(occupancies); o++) {
        guint occupied = (guint) floor(N_PAIRS * occupancies[o]);
        guint baseline_n = 0;
        double ours = bench_ours(pairs, occupied, seed + o);
        double baseline = bench_baseline(pairs, occupied, seed + o, &baseline_n);
        double ratio = baseline / ours;

        all_under &= ours < TARGET_NS;
        last_ratio = ratio;
        g_print("%9.2f%% %11u %12.1f %14.1f %12u %14.1fx\n", occupancies[o] * 100.0,
                N_PAIRS - occupied, ours, baseline, baseline_n, ratio);
    }

    g_print("\nTargets: ours under %.0f ns at every occupancy: %s\n", TARGET_NS,
            all_under ? "met" : "MISSED");
    g_print("         at 99.99%% at least %.0fx faster than the baseline: %s (%.0fx)\n",
            TARGET_RATIO, last_ratio >= TARGET_RATIO ? "met" : "MISSED", last_ratio);
    g_print("Total time %.1f s\n",
            (g_get_monotonic_time() - total_start) / (double) G_USEC_PER_SEC);

    return 0;
}
