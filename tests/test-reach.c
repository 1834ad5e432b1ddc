#include "config.h"

#include <string.h>

#include "svirt-error.h"
#include "svirt-reach.h"

#define PROC(level) "system_u:system_r:svirt_t:" level
#define SELF "00000000-0000-0000-0000-000000000000"

/* The other VMs of every case: two dynamic VMs running, one stopped static VM, one VM at the
 * shared level. */
static SvirtReachMap *
sample_map(const char *range)
{
    g_autoptr(GError) error = NULL;
    SvirtReachMap *map = svirt_reach_map_new(range, &error);

    g_assert_no_error(error);
    svirt_reach_map_add(map, "uuid-a", "alpha", "s0:c1,c2");
    svirt_reach_map_add(map, "uuid-b", "beta", "s0:c200,c300");
    svirt_reach_map_add(map, "uuid-c", "gamma", "s0:c10,c20");
    svirt_reach_map_add(map, "uuid-d", "shared", "s0");
    /* A VM counts once: what it holds running comes first. */
    svirt_reach_map_add(map, "uuid-a", "alpha", "s0:c500,c501");
    /* The VM examined is left out of its own comparison. */
    svirt_reach_map_add(map, SELF, "self", "s0:c0.c1023");
    return map;
}

typedef struct {
    const char *label;
    gboolean isolated;
    gboolean shared_level;
    const char *same;       /* names, space-separated */
    const char *reaches;
    const char *reached_by;
    guint64 dynamic_reached;
    guint64 dynamic_reaching;
} ReachCase;

static const ReachCase cases[] = {
    /* A pair of its own: isolated. */
    { PROC("s0:c30,c40"), TRUE, FALSE, "", "", "", 0, 0 },
    { PROC("s0-s0:c30,c40"), TRUE, FALSE, "", "", "", 0, 0 },
    /* The whole range reaches every VM with a level of its own, and every dynamic pair. */
    { PROC("s0:c0.c1023"), FALSE, FALSE, "", "alpha beta gamma", "", 523775, 0 },
    { PROC("s0-s0:c0.c1023"), FALSE, FALSE, "", "alpha beta gamma", "", 523775, 0 },
    { PROC("s0:c0.c100"), FALSE, FALSE, "", "alpha gamma", "", 5050, 0 },
    /* Three categories reach the pairs among them. */
    { PROC("s0:c1,c2,c3"), FALSE, FALSE, "", "alpha", "", 3, 0 },
    /* Another VM's pair exactly. */
    { PROC("s0:c10,c20"), FALSE, FALSE, "gamma", "", "", 0, 0 },
    /* One category: every pair containing it reaches it. */
    { PROC("s0:c2"), FALSE, FALSE, "", "", "alpha", 0, 1023 },
    /* A higher sensitivity dominates the pairs of s0, even its own categories. */
    { PROC("s1:c30,c40"), FALSE, FALSE, "", "", "", 1, 0 },
    { PROC("s1:c10,c20"), FALSE, FALSE, "", "gamma", "", 1, 0 },
    /* Outside the dynamic range and comparable with nobody. */
    { PROC("s0:c1000,c1001"), TRUE, FALSE, "", "", "", 0, 0 },
    /* The shared level. */
    { PROC("s0"), FALSE, TRUE, "", "", "", 0, 0 },
    { PROC("s0-s0"), FALSE, TRUE, "", "", "", 0, 0 },
};

static void
assert_names(GPtrArray *names, const char *expected)
{
    g_auto(GStrv) want = g_strsplit(expected, " ", -1);
    guint n = *expected ? g_strv_length(want) : 0;

    g_assert_cmpuint(names->len, ==, n);
    for (guint i = 0; i < n; i++)
        g_assert_cmpstr(g_ptr_array_index(names, i), ==, want[i]);
}

static void
test_cases(void)
{
    /* A range narrower than the host's for the c0.c100 case. */
    g_autoptr(SvirtReachMap) map = sample_map("s0:c0.c1000");

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        const ReachCase *c = &cases[i];
        g_autoptr(GError) error = NULL;
        g_autoptr(SvirtReach) reach = svirt_reach_map_check(map, SELF, c->label, &error);

        g_assert_no_error(error);
        g_test_message("%s: %s", c->label, reach->summary ? reach->summary : "isolated");
        g_assert_cmpint(reach->isolated, ==, c->isolated);
        g_assert_cmpint(reach->shared_level, ==, c->shared_level);
        assert_names(reach->same, c->same);
        assert_names(reach->reaches, c->reaches);
        assert_names(reach->reached_by, c->reached_by);
        /* c0.c1000 has 1001 categories. */
        if (c->dynamic_reached == 523775)
            g_assert_cmpuint(reach->dynamic_reached, ==, 1001 * 1000 / 2);
        else
            g_assert_cmpuint(reach->dynamic_reached, ==, c->dynamic_reached);
        if (c->dynamic_reaching == 1023)
            g_assert_cmpuint(reach->dynamic_reaching, ==, 1000);
        else
            g_assert_cmpuint(reach->dynamic_reaching, ==, c->dynamic_reaching);
        g_assert_cmpint(reach->summary == NULL, ==, c->isolated);
    }
}

/* What a user reads in the list's tooltip, the Security tab and svirtctl. */
static void
test_summary(void)
{
    g_autoptr(SvirtReachMap) map = sample_map("s0:c0.c1023");
    g_autoptr(SvirtReach) all = svirt_reach_map_check(map, SELF, PROC("s0:c0.c1023"), NULL);
    g_autoptr(SvirtReach) one = svirt_reach_map_check(map, SELF, PROC("s0:c0.c100"), NULL);
    g_autoptr(SvirtReach) shared = svirt_reach_map_check(map, SELF, PROC("s0"), NULL);
    g_autoptr(SvirtReach) single = svirt_reach_map_check(map, SELF, PROC("s0:c2"), NULL);

    g_assert_cmpstr(all->level, ==, "s0:c0.c1023");
    g_assert_nonnull(strstr(all->summary, "covers the levels of VMs 'alpha', 'beta' and "
                                          "'gamma': it can read and write their disks."));
    g_assert_nonnull(strstr(all->summary, "any dynamic VM given one of the 523776 other "
                                          "category pairs of s0:c0.c1023"));
    g_assert_nonnull(strstr(one->summary, "'alpha' and 'gamma'"));
    g_assert_nonnull(strstr(shared->summary, "shared level, so every VM can read and write its "
                                             "private disks"));
    g_assert_nonnull(strstr(single->summary, "The level of VM 'alpha' covers its level s0:c2"));
    g_assert_nonnull(strstr(single->summary, "Any dynamic VM given one of the 1023 category "
                                             "pairs"));
}

static void
test_errors(void)
{
    g_autoptr(SvirtReachMap) map = sample_map("s0:c0.c1023");
    g_autoptr(GError) error = NULL;

    g_assert_null(svirt_reach_map_check(map, SELF, "system_u:system_r:svirt_t", &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT);
    g_clear_error(&error);
    g_assert_null(svirt_reach_map_check(map, SELF, "not a label", &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT);
    g_clear_error(&error);
    g_assert_null(svirt_reach_map_new("c5.c1", &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_RANGE);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/reach/cases", test_cases);
    g_test_add_func("/reach/summary", test_summary);
    g_test_add_func("/reach/errors", test_errors);
    return g_test_run();
}
