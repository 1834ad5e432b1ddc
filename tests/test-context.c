#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "svirt-context.h"
#include "svirt-error.h"
#include "svm-test-fixture.h"
#include "svm-test-vm.h"

typedef struct {
    const char *input;
    const char *canonical;
} AcceptCase;

static const AcceptCase accept_cases[] = {
    { "system_u:object_r:svirt_image_t:s0", NULL },
    { "system_u:system_r:svirt_t:s0:c1,c2", NULL },
    { "unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023", NULL },
    { "system_u:object_r:svirt_image_t:s0:c0.c1023", NULL },
    { "u:r:t", NULL },
    { "u:r:t:s0", NULL },
    { "u:r:t:s2:c3.c9,c12", NULL },
    { "u:r:t:s0:c3,c1,c2", "u:r:t:s0:c1.c3" },
    { "u:r:t:s0:c1,c2,c4", NULL },
    { "u:r:t:s0:c1.c2", "u:r:t:s0:c1,c2" },
    { "u:r:t:s0:c5,c1.c3", "u:r:t:s0:c1.c3,c5" },
    { "u:r:t:s0:c1,c1", "u:r:t:s0:c1" },
    { "u:r:t:s0:c0.c3,c2.c6", "u:r:t:s0:c0.c6" },
    { "u:r:t:s0:c1,c3,c5", NULL },
    { "u:r:t:s0:c6,c5,c3,c2,c1", "u:r:t:s0:c1.c3,c5,c6" },
    { "u:r:t:s0:c63,c64", NULL },
    { "u:r:t:s0:c62.c65,c127.c129", NULL },
    { "u:r:t:s1:c1023,c0", "u:r:t:s1:c0,c1023" },
    { "u:r:t:s15:c1023", NULL },
    { "u:r:t:s0-s0", NULL },
    { "u:r:t:s0:c1,c2-s0:c2,c1", "u:r:t:s0:c1,c2-s0:c1,c2" },
    { "u:r:t:s0-s15:c0.c1023", NULL },
    { "u:r:t:s1:c2-s3:c1.c3", NULL },
    { "_u.x:r1:t_2.b:s0", NULL },
    { "U:R:T:s0", NULL },
};

static void
test_parse_accept(void)
{
    for (gsize n = 0; n < G_N_ELEMENTS(accept_cases); n++) {
        const AcceptCase *tc = &accept_cases[n];
        const char *expected = tc->canonical ? tc->canonical : tc->input;
        g_autoptr(GError) error = NULL;
        g_autoptr(SvirtContext) ctx = svirt_context_parse(tc->input, &error);
        g_autoptr(SvirtContext) again = NULL;
        g_autofree char *out = NULL;
        g_autofree char *out_again = NULL;

        g_test_message("accept %s", tc->input);
        g_assert_no_error(error);
        g_assert_nonnull(ctx);
        out = svirt_context_to_string(ctx);
        g_assert_cmpstr(out, ==, expected);

        /* The canonical form is a fixed point. */
        again = svirt_context_parse(out, &error);
        g_assert_no_error(error);
        g_assert_true(svirt_context_equal(ctx, again));
        out_again = svirt_context_to_string(again);
        g_assert_cmpstr(out_again, ==, out);
    }
}

typedef struct {
    const char *input;
    const char *message; /* expected substring */
} RejectCase;

static const RejectCase reject_cases[] = {
    { "", "the context is empty" },
    { "system_u:object_r:svirt_image_t:s0:c1024",
      "category c1024 at position 36 is out of range (c0..c1023)" },
    { "u:r:t:s0:c1024", "category c1024 at position 10 is out of range (c0..c1023)" },
    { "u:r:t:s0:c99999999999", "category c99999999999 at position 10 is out of range" },
    { "u:r:t:s0:c1,c5000", "category c5000 at position 13 is out of range" },
    { "u:r:t:s16", "sensitivity s16 at position 7 is out of range (s0..s15)" },
    { "u:r:t:s0-s99:c1", "sensitivity s99 at position 10 is out of range (s0..s15)" },
    { "u:r:t:s01", "sensitivity s01 at position 7 has a leading zero" },
    { "u:r:t:s0:c01", "category c01 at position 10 has a leading zero" },
    { "u:r:t:s0:c5.c3", "category range c5.c3 at position 10 is reversed" },
    { "u:r:t:s0:c5.c5", "category range c5.c5 at position 10 is reversed" },
    { "u:r:t:s0:c1,c9.c2", "category range c9.c2 at position 13 is reversed" },
    { "u:r:t:s0:c1-s0", "the high level s0 at position 13 does not dominate the low level s0:c1" },
    { "u:r:t:s1-s0", "the high level s0 at position 10 does not dominate the low level s1" },
    { "u:r:t:s0:c1,c2-s0:c1,c3",
      "the high level s0:c1,c3 at position 16 does not dominate the low level s0:c1,c2" },
    { "u:r:t:x:s0", "too many fields: the field at position 7 is not a level" },
    { "a:b:c:d:e", "too many fields: the field at position 7 is not a level" },
    { "u:r:t:s0:c1:c2", "unexpected ':' at position 12: too many fields" },
    { "u:r:t:s0-s0:c1:x", "unexpected ':' at position 15: too many fields" },
    { "u:r:t:s0x", "expected the end at position 9, found 'x'" },
    { "u:r:t:s0:c1,c2x", "expected the end at position 15, found 'x'" },
    { "u:r:t:s0:c1.c2.c3", "expected the end at position 15, found '.'" },
    { " u:r:t", "whitespace at position 1" },
    { "u:r:t:s0:c1,c2 ", "whitespace at position 15" },
    { "u:r:t\t", "whitespace at position 6" },
    { "u:r :t", "whitespace at position 4" },
    { "u:r:t:s0\n", "whitespace at position 9" },
    { "u:r:t:s0\001", "control character 0x01 at position 9" },
    { "u:r:t\177", "control character 0x7f at position 6" },
    { "u:r:t\303\251", "non-ASCII byte 0xc3 at position 6" },
    { "u", "missing role and type at position 2" },
    { "u:r", "missing type at position 4" },
    { "::t", "empty user at position 1" },
    { ":r:t", "empty user at position 1" },
    { "u::t", "empty role at position 3 (duplicate separator ':')" },
    { "u:r:", "empty type at position 5" },
    { "u:r::s0", "empty type at position 5 (duplicate separator ':')" },
    { "u:r:t:", "empty level at position 7" },
    { "u:r:t::s0", "duplicate separator ':' at position 7" },
    { "u:r:t:s0::c1", "duplicate separator ':' at position 10" },
    { "u:r:t:s0:c1,,c2", "duplicate separator ',' at position 13" },
    { "u:r:t:s0:c1..c3", "duplicate separator '.' at position 13" },
    { "u:r:t:s0--s0", "duplicate separator '-' at position 10" },
    { "u:r:t:s0:", "expected a category like c0 at position 10, found the end" },
    { "u:r:t:s0:x1", "expected a category like c0 at position 10, found 'x'" },
    { "u:r:t:s0:c", "expected a category number after 'c' at position 11" },
    { "u:r:t:s0:c1.", "expected a category like c0 at position 13, found the end" },
    { "u:r:t:s", "expected a sensitivity number after 's' at position 8" },
    { "u:r:t:s0-", "expected a level like s0 at position 10, found the end" },
    { "u:r:t:c1", "expected a level like s0 at position 7, found 'c'" },
    { "1u:r:t", "the user at position 1 starts with '1'; it must start with a letter" },
    { "u:.r:t", "the role at position 3 starts with '.'" },
    { "u:r-x:t", "invalid character '-' in the role at position 4" },
    { "u:r:t%n%s:s0", "invalid character '%' in the type at position 6" },
    { "u:r:svirt-t:s0", "invalid character '-' in the type at position 10" },
};

static void
test_parse_reject(void)
{
    for (gsize n = 0; n < G_N_ELEMENTS(reject_cases); n++) {
        const RejectCase *tc = &reject_cases[n];
        g_autoptr(GError) error = NULL;
        g_autoptr(SvirtContext) ctx = svirt_context_parse(tc->input, &error);
        g_autofree char *shown = g_strescape(tc->input, NULL);

        g_test_message("reject '%s' -> %s", shown, error ? error->message : "(accepted)");
        g_assert_null(ctx);
        g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT);
        g_assert_true(g_str_has_prefix(error->message, "Invalid SELinux context '"));
        g_assert_nonnull(strstr(error->message, tc->message));
        g_assert_true(g_str_has_suffix(error->message, "."));
        g_assert_true(g_utf8_validate(error->message, -1, NULL));
    }
}

static void
test_parse_message(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtContext) ctx = NULL;
    g_autofree char *long_input = NULL;
    g_autofree char *expected = NULL;

    ctx = svirt_context_parse("system_u:object_r:svirt_image_t:s0:c1024", &error);
    g_assert_null(ctx);
    g_assert_cmpstr(error->message, ==,
                    "Invalid SELinux context 'system_u:object_r:svirt_image_t:s0:c1024': "
                    "category c1024 at position 36 is out of range (c0..c1023).");
    g_clear_error(&error);

    /* Control characters are shown escaped, never raw. */
    ctx = svirt_context_parse("u:r:t\033[2J", &error);
    g_assert_null(ctx);
    g_assert_nonnull(strstr(error->message, "'u:r:t\\033[2J'"));
    g_assert_null(strchr(error->message, '\033'));
    g_clear_error(&error);

    /* A very long input is cut in the message but the position is still exact. */
    long_input = g_strdup_printf("u:r:%s:s0:c2000", "t_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                                                     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                                                     "aaaaaaaaaaaaaaaaaaaaaaaaaaa");
    ctx = svirt_context_parse(long_input, &error);
    g_assert_null(ctx);
    g_assert_nonnull(strstr(error->message, "…'"));
    expected = g_strdup_printf("category c2000 at position %u is out of range",
                               (guint) (strlen(long_input) - strlen("c2000") + 1));
    g_assert_nonnull(strstr(error->message, expected));
}

static void
test_parse_accessors(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtContext) ctx = NULL;
    g_autoptr(SvirtContext) plain = NULL;
    g_autofree char *level = NULL;
    g_autofree char *low = NULL;
    g_autofree char *high = NULL;

    ctx = svirt_context_parse("unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023", &error);
    g_assert_no_error(error);
    g_assert_cmpstr(svirt_context_get_user(ctx), ==, "unconfined_u");
    g_assert_cmpstr(svirt_context_get_role(ctx), ==, "unconfined_r");
    g_assert_cmpstr(svirt_context_get_type_name(ctx), ==, "unconfined_t");
    g_assert_true(svirt_context_has_level(ctx));
    level = svirt_context_dup_level_string(ctx);
    g_assert_cmpstr(level, ==, "s0-s0:c0.c1023");
    low = svirt_level_to_string(svirt_context_get_low(ctx));
    g_assert_cmpstr(low, ==, "s0");
    g_assert_nonnull(svirt_context_get_high(ctx));
    high = svirt_level_to_string(svirt_context_get_high(ctx));
    g_assert_cmpstr(high, ==, "s0:c0.c1023");
    g_assert_cmpuint(svirt_level_n_categories(svirt_context_get_high(ctx)), ==, 1024);

    plain = svirt_context_parse("system_u:object_r:svirt_image_t", &error);
    g_assert_no_error(error);
    g_assert_false(svirt_context_has_level(plain));
    g_assert_null(svirt_context_get_low(plain));
    g_assert_null(svirt_context_get_high(plain));
    g_assert_null(svirt_context_dup_level_string(plain));
}

typedef struct {
    const char *a;
    const char *b;
    gboolean a_dom_b;
    gboolean b_dom_a;
} DominanceCase;

static const DominanceCase dominance_cases[] = {
    { "s0", "s0", TRUE, TRUE },
    { "s0:c1,c2", "s0:c1", TRUE, FALSE },
    { "s0:c1,c2", "s0:c1,c3", FALSE, FALSE },
    { "s0:c1,c2", "s0:c2,c1", TRUE, TRUE },
    { "s1:c1", "s0:c1", TRUE, FALSE },
    { "s1", "s0:c1", FALSE, FALSE },
    { "s0", "s0:c1", FALSE, TRUE },
    { "s0:c0.c1023", "s0:c5,c900", TRUE, FALSE },
    { "s2:c1,c2", "s1:c1,c2", TRUE, FALSE },
    { "s2:c1", "s1:c1,c2", FALSE, FALSE },
    { "s0:c63", "s0:c64", FALSE, FALSE },
    { "s0:c0.c1023", "s15", FALSE, FALSE },
    { "s15:c0.c1023", "s0", TRUE, FALSE },
    { "s15:c0.c1023", "s0:c1023", TRUE, FALSE },
};

static void
test_level_dominance(void)
{
    for (gsize n = 0; n < G_N_ELEMENTS(dominance_cases); n++) {
        const DominanceCase *tc = &dominance_cases[n];
        g_autoptr(GError) error = NULL;
        SvirtLevel a, b;

        g_test_message("dominance %s / %s", tc->a, tc->b);
        g_assert_true(svirt_level_parse(tc->a, &a, &error));
        g_assert_no_error(error);
        g_assert_true(svirt_level_parse(tc->b, &b, &error));
        g_assert_no_error(error);
        g_assert_cmpint(svirt_level_dominates(&a, &b), ==, tc->a_dom_b);
        g_assert_cmpint(svirt_level_dominates(&b, &a), ==, tc->b_dom_a);
        /* Equal exactly when each dominates the other. */
        g_assert_cmpint(svirt_level_equal(&a, &b), ==, tc->a_dom_b && tc->b_dom_a);
        if (svirt_level_equal(&a, &b))
            g_assert_cmpuint(svirt_level_hash(&a), ==, svirt_level_hash(&b));
    }
}

typedef struct {
    const char *a;
    const char *b;
    gboolean equal;
} EqualCase;

static const EqualCase equal_cases[] = {
    { "u:r:t:s0:c3,c1,c2", "u:r:t:s0:c1.c3", TRUE },
    { "u:r:t:s0", "u:r:t:s0-s0", FALSE },
    { "u:r:t", "u:r:t:s0", FALSE },
    { "u:r:t", "u:r:t", TRUE },
    { "u:r:t:s0", "u:r:x:s0", FALSE },
    { "u:r:t:s0", "u:x:t:s0", FALSE },
    { "u:r:t:s0", "x:r:t:s0", FALSE },
    { "u:r:t:s0:c1", "u:r:t:s0:c2", FALSE },
    { "u:r:t:s0-s0:c1", "u:r:t:s0-s0:c1,c2", FALSE },
    { "u:r:t:s0-s0:c1,c2", "u:r:t:s0-s0:c2,c1", TRUE },
    { "U:r:t", "u:r:t", FALSE },
};

static void
test_context_equal(void)
{
    for (gsize n = 0; n < G_N_ELEMENTS(equal_cases); n++) {
        const EqualCase *tc = &equal_cases[n];
        g_autoptr(SvirtContext) a = svirt_context_parse(tc->a, NULL);
        g_autoptr(SvirtContext) b = svirt_context_parse(tc->b, NULL);

        g_test_message("equal %s / %s", tc->a, tc->b);
        g_assert_nonnull(a);
        g_assert_nonnull(b);
        g_assert_cmpint(svirt_context_equal(a, b), ==, tc->equal);
        g_assert_cmpint(svirt_context_equal(b, a), ==, tc->equal);
    }
}

static void
test_level_parse(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *str = NULL;
    SvirtLevel level;
    guint a = 0, b = 0;

    g_assert_true(svirt_level_parse("s0:c2,c1", &level, &error));
    g_assert_no_error(error);
    str = svirt_level_to_string(&level);
    g_assert_cmpstr(str, ==, "s0:c1,c2");
    g_assert_true(svirt_level_get_pair(&level, &a, &b));
    g_assert_cmpuint(a, ==, 1);
    g_assert_cmpuint(b, ==, 2);

    g_assert_true(svirt_level_parse("s3", &level, &error));
    g_assert_cmpuint(level.sensitivity, ==, 3);
    g_assert_cmpuint(svirt_level_n_categories(&level), ==, 0);
    g_assert_false(svirt_level_get_pair(&level, NULL, NULL));

    g_assert_true(svirt_level_parse("s0:c1.c3", &level, &error));
    g_assert_false(svirt_level_get_pair(&level, NULL, NULL));

    g_assert_false(svirt_level_parse("s0-s0", &level, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT);
    g_assert_true(g_str_has_prefix(error->message, "Invalid MCS level 's0-s0'"));
    g_assert_nonnull(strstr(error->message, "expected the end at position 3, found '-'"));
    g_clear_error(&error);

    g_assert_false(svirt_level_parse("", &level, &error));
    g_assert_nonnull(strstr(error->message, "the level is empty"));
    g_clear_error(&error);

    g_assert_false(svirt_level_parse("s0:c1024", &level, &error));
    g_assert_nonnull(strstr(error->message, "category c1024 at position 4 is out of range"));
}

typedef struct {
    const char *input;
    const char *low;
    const char *high;
    gboolean has_high;
} RangeCase;

static const RangeCase range_cases[] = {
    { "s0:c0.c1023", "s0:c0.c1023", "s0:c0.c1023", FALSE },
    { "c0.c1023", "s0:c0.c1023", "s0:c0.c1023", FALSE },
    { "s0-s0:c0.c1023", "s0", "s0:c0.c1023", TRUE },
    { "s1:c5-s2:c1.c9", "s1:c5", "s2:c1.c9", TRUE },
    { "c3,c4", "s0:c3,c4", "s0:c3,c4", FALSE },
};

static void
test_range_parse(void)
{
    g_autoptr(GError) error = NULL;
    SvirtLevel low, high;
    gboolean has_high;

    for (gsize n = 0; n < G_N_ELEMENTS(range_cases); n++) {
        const RangeCase *tc = &range_cases[n];
        g_autofree char *low_str = NULL;
        g_autofree char *high_str = NULL;

        g_test_message("range %s", tc->input);
        g_assert_true(svirt_range_parse(tc->input, &low, &high, &has_high, &error));
        g_assert_no_error(error);
        low_str = svirt_level_to_string(&low);
        high_str = svirt_level_to_string(&high);
        g_assert_cmpstr(low_str, ==, tc->low);
        g_assert_cmpstr(high_str, ==, tc->high);
        g_assert_cmpint(has_high, ==, tc->has_high);
    }

    g_assert_false(svirt_range_parse("s0:c9.c1", &low, &high, &has_high, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_RANGE);
    g_assert_true(g_str_has_prefix(error->message, "Invalid MCS range 's0:c9.c1'"));
    g_assert_nonnull(strstr(error->message, "category range c9.c1 at position 4 is reversed"));
    g_clear_error(&error);

    g_assert_false(svirt_range_parse("c0.c1023:s0", &low, &high, &has_high, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_RANGE);
    g_assert_nonnull(strstr(error->message, "position 9"));
}

static void
test_level_helpers(void)
{
    SvirtLevel level, copy;
    g_autoptr(SvirtLevel) boxed = NULL;
    g_autofree char *str = NULL;
    guint a = 0, b = 0;

    svirt_level_init_pair(&level, 0, 1023, 0);
    str = svirt_level_to_string(&level);
    g_assert_cmpstr(str, ==, "s0:c0,c1023");
    g_assert_true(svirt_level_get_pair(&level, &a, &b));
    g_assert_cmpuint(a, ==, 0);
    g_assert_cmpuint(b, ==, 1023);
    g_assert_true(svirt_level_has_category(&level, 1023));
    g_assert_false(svirt_level_has_category(&level, 5));
    g_assert_false(svirt_level_has_category(&level, 4096));

    copy = level;
    svirt_level_remove_category(&copy, 1023);
    g_assert_false(svirt_level_equal(&copy, &level));
    g_assert_true(svirt_level_dominates(&level, &copy));
    svirt_level_add_category(&copy, 1023);
    g_assert_true(svirt_level_equal(&copy, &level));

    boxed = g_boxed_copy(SVIRT_TYPE_LEVEL, &level);
    g_assert_true(svirt_level_equal(boxed, &level));
}

static void
test_level_init_pair_same(void)
{
    SvirtLevel level;

    /* A single-category "pair" is a programming error (CVE-2021-3631). */
    if (g_test_subprocess()) {
        svirt_level_init_pair(&level, 0, 7, 7);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*a != b*");
}

static void
test_context_new_and_set(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtContext) ctx = NULL;
    g_autoptr(SvirtContext) copy = NULL;
    g_autoptr(SvirtContext) boxed = NULL;
    g_autofree char *str = NULL;
    g_autofree char *str2 = NULL;
    g_autofree char *str3 = NULL;
    SvirtLevel low, high;

    svirt_level_init_pair(&low, 0, 12, 7);
    ctx = svirt_context_new("system_u", "system_r", "svirt_t", &low, NULL);
    str = svirt_context_to_string(ctx);
    g_assert_cmpstr(str, ==, "system_u:system_r:svirt_t:s0:c7,c12");

    copy = svirt_context_copy(ctx);
    g_assert_true(svirt_context_equal(ctx, copy));
    g_assert_true(svirt_context_set_type(copy, "svirt_image_t", &error));
    g_assert_no_error(error);
    g_assert_true(svirt_context_set_role(copy, "object_r", &error));
    g_assert_false(svirt_context_equal(ctx, copy));
    g_assert_cmpstr(svirt_context_get_type_name(ctx), ==, "svirt_t");
    str2 = svirt_context_to_string(copy);
    g_assert_cmpstr(str2, ==, "system_u:object_r:svirt_image_t:s0:c7,c12");

    g_assert_false(svirt_context_set_type(copy, "bad type", &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT);
    g_assert_nonnull(strstr(error->message, "'bad type'"));
    g_clear_error(&error);
    g_assert_false(svirt_context_set_user(copy, "", &error));
    g_clear_error(&error);
    g_assert_false(svirt_context_set_role(copy, "9r", &error));
    g_clear_error(&error);
    g_assert_cmpstr(svirt_context_get_type_name(copy), ==, "svirt_image_t");

    svirt_level_init(&low, 0);
    svirt_level_init(&high, 0);
    svirt_level_add_category(&high, 3);
    g_assert_false(svirt_context_set_level(copy, &high, &low, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT);
    g_assert_nonnull(strstr(error->message, "does not dominate"));
    g_clear_error(&error);
    g_assert_true(svirt_context_set_level(copy, &low, &high, &error));
    g_free(str2);
    str2 = svirt_context_to_string(copy);
    g_assert_cmpstr(str2, ==, "system_u:object_r:svirt_image_t:s0-s0:c3");
    g_assert_true(svirt_context_set_level(copy, NULL, NULL, &error));
    g_assert_false(svirt_context_has_level(copy));

    boxed = g_boxed_copy(SVIRT_TYPE_CONTEXT, ctx);
    str3 = svirt_context_to_string(boxed);
    g_assert_cmpstr(str3, ==, str);
}

static char *
make_tree(const char *config, const char *type, const char *const *files)
{
    g_autoptr(GError) error = NULL;
    char *root = svm_test_make_dir("svm-selinux");
    g_autofree char *policy_dir = NULL;

    if (config) {
        g_autofree char *path = g_build_filename(root, "config", NULL);

        g_assert_true(g_file_set_contents(path, config, -1, &error));
    }
    policy_dir = g_build_filename(root, type, "policy", NULL);
    g_assert_cmpint(g_mkdir_with_parents(policy_dir, 0755), ==, 0);
    for (guint n = 0; files[n]; n++) {
        g_autofree char *path = g_build_filename(policy_dir, files[n], NULL);

        g_assert_true(g_file_set_contents(path, "x", -1, &error));
    }
    return root;
}

static void
remove_tree(const char *path)
{
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    const char *name;

    if (dir == NULL) {
        g_remove(path);
        return;
    }
    while ((name = g_dir_read_name(dir)) != NULL) {
        g_autofree char *child = g_build_filename(path, name, NULL);

        remove_tree(child);
    }
    g_rmdir(path);
}

static void
test_find_policy_file(void)
{
    static const char *const files[] = { "policy.9",     "policy.31", "policy.33",
                                         "policy.33.gz", "policy.",   "policy.abc",
                                         "policy.x33",   NULL };
    static const char *const none[] = { "policy.abc", NULL };
    g_autofree char *root = NULL;
    g_autofree char *found = NULL;
    g_autofree char *expected = NULL;

    root = make_tree("# SELINUXTYPE=wrong\nSELINUX=permissive\n  SELINUXTYPE=custom  \n", "custom",
                     files);
    found = svirt_context_find_policy_file_in(root);
    expected = g_build_filename(root, "custom", "policy", "policy.33", NULL);
    g_assert_cmpstr(found, ==, expected);
    remove_tree(root);
    g_clear_pointer(&root, g_free);
    g_clear_pointer(&found, g_free);
    g_clear_pointer(&expected, g_free);

    /* No config: the type is "default". */
    root = make_tree(NULL, "default", files);
    found = svirt_context_find_policy_file_in(root);
    expected = g_build_filename(root, "default", "policy", "policy.33", NULL);
    g_assert_cmpstr(found, ==, expected);
    remove_tree(root);
    g_clear_pointer(&root, g_free);
    g_clear_pointer(&found, g_free);

    root = make_tree("SELINUXTYPE=default\n", "default", none);
    g_assert_null(svirt_context_find_policy_file_in(root));
    remove_tree(root);
    g_clear_pointer(&root, g_free);

    /* A type naming another directory is not followed. */
    root = make_tree("SELINUXTYPE=../default\n", "other", files);
    g_assert_null(svirt_context_find_policy_file_in(root));
    remove_tree(root);
}

/* SVIRT_SELINUX_DIR moves the lookup from /etc/selinux, so both a host with a policy and one
 * without run on any machine. */
static void
test_find_policy_file_env(void)
{
    static const char *const files[] = { "policy.33", NULL };
    g_autofree char *host = svirt_context_find_policy_file_in("/etc/selinux");
    g_autofree char *root = make_tree("SELINUXTYPE=default\n", "default", files);
    g_autofree char *expected = g_build_filename(root, "default", "policy", "policy.33", NULL);
    g_autofree char *no_policy = g_test_build_filename(G_TEST_DIST, "selinux-no-policy", NULL);
    g_autofree char *found = NULL;
    g_autofree char *missing = NULL;
    g_autofree char *unset = NULL;

    g_setenv("SVIRT_SELINUX_DIR", root, TRUE);
    found = svirt_context_find_policy_file();
    g_setenv("SVIRT_SELINUX_DIR", no_policy, TRUE);
    missing = svirt_context_find_policy_file();
    g_unsetenv("SVIRT_SELINUX_DIR");
    unset = svirt_context_find_policy_file();
    remove_tree(root);

    g_assert_cmpstr(found, ==, expected);
    g_assert_null(missing);
    g_assert_cmpstr(unset, ==, host);
}

typedef struct {
    const char *context;
    gboolean valid;
} PolicyCase;

static const PolicyCase policy_cases[] = {
    { "system_u:system_r:svirt_t:s0:c1,c2", TRUE },
    { "system_u:system_r:svirt_t:s0:c0,c1023", TRUE },
    { "system_u:object_r:svirt_image_t:s0", TRUE },
    { "system_u:object_r:svirt_image_t:s0:c5,c900", TRUE },
    { "system_u:object_r:virt_content_t:s0", TRUE },
    /* Accepted by setfilecon() on a system without SELinux, rejected by the policy. */
    { "bogus_u:bogus_r:no_such_t:s9", FALSE },
    { "system_u:object_r:no_such_t:s0", FALSE },
    { "nobody_u:object_r:svirt_image_t:s0", FALSE },
    { "system_u:no_such_r:svirt_t:s0", FALSE },
    /* Defined names that do not go together: svirt_image_t is no process type. */
    { "system_u:system_r:svirt_image_t:s0", FALSE },
    { "user_u:system_r:svirt_t:s0", FALSE },
    /* The policy is MCS: a context needs a level. */
    { "system_u:object_r:svirt_image_t", FALSE },
    /* system_u is cleared up to s0 only. */
    { "system_u:object_r:svirt_image_t:s1", FALSE },
};

static void
test_check_policy(void)
{
    g_autofree char *policy = svirt_context_find_policy_file();
    g_autoptr(GError) error = NULL;
    g_autofree char *tmp = NULL;
    g_autofree char *garbage = NULL;

    if (policy == NULL) {
        g_test_skip("No binary SELinux policy under /etc/selinux; install "
                    "selinux-policy-default to run this test.");
        return;
    }
    g_test_message("policy %s", policy);

    for (gsize n = 0; n < G_N_ELEMENTS(policy_cases); n++) {
        const PolicyCase *tc = &policy_cases[n];
        gboolean ok = svirt_context_check_policy(tc->context, policy, &error);

        g_test_message("policy check %s -> %s", tc->context, error ? error->message : "valid");
        g_assert_cmpint(ok, ==, tc->valid);
        if (tc->valid) {
            g_assert_no_error(error);
        } else {
            g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT);
            g_assert_nonnull(strstr(error->message, "rejects the context"));
            g_clear_error(&error);
        }
    }

    /* Syntax errors come from our parser, with a position. */
    g_assert_false(svirt_context_check_policy("system_u:object_r:svirt_image_t:s0:c1024",
                                              policy, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT);
    g_assert_nonnull(strstr(error->message, "position 36"));
    g_clear_error(&error);

    tmp = svm_test_make_dir("svm-policy");
    garbage = g_build_filename(tmp, "policy.33", NULL);
    g_assert_false(svirt_context_check_policy("system_u:object_r:svirt_image_t:s0", garbage,
                                              &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_POLICY);
    g_clear_error(&error);

    g_assert_true(g_file_set_contents(garbage, "not a policy", -1, &error));
    g_assert_false(svirt_context_check_policy("system_u:object_r:svirt_image_t:s0", garbage,
                                              &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_POLICY);
    g_clear_error(&error);
    remove_tree(tmp);

    /* The real policy again after another file was tried. */
    g_assert_true(svirt_context_check_policy("system_u:system_r:svirt_t:s0:c1,c2", policy,
                                             &error));
    g_assert_no_error(error);
}

int
main(int argc, char **argv)
{
    /* Messages are compared in English. */
    g_setenv("LC_ALL", "C", TRUE);
    setlocale(LC_ALL, "");

    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_DEFAULT);
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/context/parse/accept", test_parse_accept);
    g_test_add_func("/context/parse/reject", test_parse_reject);
    g_test_add_func("/context/parse/message", test_parse_message);
    g_test_add_func("/context/parse/accessors", test_parse_accessors);
    g_test_add_func("/context/level/dominance", test_level_dominance);
    g_test_add_func("/context/level/parse", test_level_parse);
    g_test_add_func("/context/level/helpers", test_level_helpers);
    g_test_add_func("/context/level/init-pair-same", test_level_init_pair_same);
    g_test_add_func("/context/range/parse", test_range_parse);
    g_test_add_func("/context/equal", test_context_equal);
    g_test_add_func("/context/new-and-set", test_context_new_and_set);
    g_test_add_func("/context/policy/find", test_find_policy_file);
    g_test_add_func("/context/policy/find-env", test_find_policy_file_env);
    g_test_add_func("/context/policy/check", test_check_policy);

    return g_test_run();
}
