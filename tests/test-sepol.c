#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "svirt-context.h"
#include "svirt-error.h"
#include "svirt-sepol.h"
#include "svm-test-fixture.h"
#include "svm-test-vm.h"

#define PROC(level) "system_u:system_r:svirt_t:" level
#define IMAGE(level) "system_u:object_r:svirt_image_t:" level

static char *policy_path;

static gboolean
have_policy(void)
{
    if (policy_path == NULL)
        g_test_skip("No binary SELinux policy under /etc/selinux; install "
                    "selinux-policy-default to run this test.");
    return policy_path != NULL;
}

/* A private copy, so its modification time can change without touching the host's policy. */
static char *
copy_policy(char **dir_out)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *contents = NULL;
    char *dir = svm_test_make_dir("svm-sepol");
    char *copy;
    gsize length;

    g_assert_true(g_file_get_contents(policy_path, &contents, &length, &error));
    g_assert_no_error(error);
    copy = g_build_filename(dir, "policy.33", NULL);
    g_assert_true(g_file_set_contents(copy, contents, length, &error));
    g_assert_no_error(error);
    *dir_out = dir;
    return copy;
}

static void
test_load_cached(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *copy = NULL;
    struct timespec times[2] = { { 0, 0 }, { 1000000000, 0 } };
    guint first, second, third;

    if (!have_policy())
        return;
    copy = copy_policy(&dir);

    {
        g_autoptr(SvirtSepolPolicy) policy = svirt_sepol_policy_lock(copy, &error);

        g_assert_no_error(error);
        g_assert_nonnull(policy);
        g_assert_cmpstr(svirt_sepol_policy_get_path(policy), ==, copy);
        g_assert_true(svirt_sepol_policy_check_context(policy, PROC("s0:c1,c2"), &error));
        g_assert_no_error(error);
        first = svirt_sepol_policy_get_generation(policy);
    }
    {
        g_autoptr(SvirtSepolPolicy) policy = svirt_sepol_policy_lock(copy, &error);

        g_assert_no_error(error);
        second = svirt_sepol_policy_get_generation(policy);
        g_assert_true(svirt_sepol_policy_check_context(policy, PROC("s0:c1,c2"), &error));
        g_assert_no_error(error);
    }
    g_assert_cmpuint(second, ==, first);

    /* A changed file is read again. */
    times[0].tv_nsec = UTIME_OMIT;
    g_assert_cmpint(utimensat(AT_FDCWD, copy, times, 0), ==, 0);
    {
        g_autoptr(SvirtSepolPolicy) policy = svirt_sepol_policy_lock(copy, &error);

        g_assert_no_error(error);
        third = svirt_sepol_policy_get_generation(policy);
        g_assert_true(svirt_sepol_policy_check_context(policy, PROC("s0:c1,c2"), &error));
        g_assert_no_error(error);
    }
    g_assert_cmpuint(third, !=, second);
    g_unlink(copy);
    g_rmdir(dir);
}

static void
test_load_missing(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtSepolPolicy) policy = svirt_sepol_policy_lock("/nonexistent/policy.33",
                                                                  &error);

    g_assert_null(policy);
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_POLICY);
    g_assert_nonnull(strstr(error->message, "/nonexistent/policy.33"));
}

static void
test_load_garbage(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = svm_test_make_dir("svm-sepol");
    g_autofree char *garbage = g_build_filename(dir, "policy.33", NULL);
    gboolean rd = TRUE, wr = TRUE;

    g_assert_true(g_file_set_contents(garbage, "not a policy", -1, &error));
    {
        g_autoptr(SvirtSepolPolicy) policy = svirt_sepol_policy_lock(garbage, &error);

        g_assert_no_error(error);
        g_assert_false(svirt_sepol_policy_check_context(policy, PROC("s0:c1,c2"), &error));
        g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_POLICY);
        g_clear_error(&error);
    }
    g_assert_false(svirt_sepol_check_access(garbage, PROC("s0:c1,c2"), IMAGE("s0:c1,c2"), "file",
                                            &rd, &wr, NULL, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_POLICY);
    g_clear_error(&error);
    g_unlink(garbage);
    g_rmdir(dir);

    /* The host's policy answers again after a file that was not one. */
    if (policy_path) {
        g_assert_true(svirt_sepol_check_access(policy_path, PROC("s0:c1,c2"), IMAGE("s0:c1,c2"),
                                               "file", &rd, &wr, NULL, &error));
        g_assert_no_error(error);
        g_assert_true(rd && wr);
    }
}

static void
test_validate(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtSepolPolicy) policy = NULL;

    if (!have_policy())
        return;
    policy = svirt_sepol_policy_lock(policy_path, &error);
    g_assert_no_error(error);

    g_assert_true(svirt_sepol_policy_check_context(policy, IMAGE("s0:c1,c2"), &error));
    g_assert_no_error(error);

    /* libsepol names an undefined type. */
    g_assert_false(svirt_sepol_policy_check_context(
        policy, "system_u:object_r:no_such_type_t:s0", &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT);
    g_test_message("%s", error->message);
    g_assert_nonnull(strstr(error->message, "rejects the context"));
    g_assert_nonnull(strstr(error->message, "no_such_type_t"));
    g_clear_error(&error);

    /* Known names in a combination the policy does not allow: object_r is no process role. */
    g_assert_false(svirt_sepol_policy_check_context(policy, "system_u:object_r:svirt_t:s1",
                                                    &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT);
    g_test_message("%s", error->message);
    g_clear_error(&error);
}

static void
test_access(void)
{
    static const struct {
        const char *process;
        const char *object;
        gboolean read, write;
        const char *reason;
    } cases[] = {
        { PROC("s0:c1,c2"), IMAGE("s0:c1,c2"), TRUE, TRUE, "allowed" },
        { PROC("s0:c1,c2"), IMAGE("s0:c3,c4"), FALSE, FALSE, "constraint violated" },
        { PROC("s0:c1,c2"), "system_u:object_r:shadow_t:s0", FALSE, FALSE, "no allow rule" },
    };

    if (!have_policy())
        return;
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        g_autofree char *reason = NULL;
        gboolean rd = !cases[i].read, wr = !cases[i].write;

        g_assert_true(svirt_sepol_check_access(policy_path, cases[i].process, cases[i].object,
                                               "file", &rd, &wr, &reason, &error));
        g_assert_no_error(error);
        g_test_message("%s -> %s: %d %d %s", cases[i].process, cases[i].object, rd, wr, reason);
        g_assert_cmpint(rd, ==, cases[i].read);
        g_assert_cmpint(wr, ==, cases[i].write);
        g_assert_nonnull(reason);
        g_assert_nonnull(strstr(reason, cases[i].reason));
    }
}

static void
test_access_invalid(void)
{
    g_autoptr(GError) error = NULL;
    gboolean rd, wr;

    if (!have_policy())
        return;
    g_assert_false(svirt_sepol_check_access(policy_path, PROC("s0:c1,c2"),
                                            "system_u:object_r:no_such_type_t:s0", "file", &rd,
                                            &wr, NULL, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT);
    g_clear_error(&error);
    g_assert_false(svirt_sepol_check_access(policy_path, PROC("s0:c1,c2"), IMAGE("s0:c1,c2"),
                                            "no_such_class", &rd, &wr, NULL, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_POLICY);
}

int
main(int argc, char *argv[])
{
    int ret;

    /* Messages are compared in English. */
    g_setenv("LC_ALL", "C", TRUE);
    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_DEFAULT);
    g_test_init(&argc, &argv, NULL);
    policy_path = svirt_context_find_policy_file();
    g_test_add_func("/sepol/load/cached", test_load_cached);
    g_test_add_func("/sepol/load/missing", test_load_missing);
    g_test_add_func("/sepol/load/garbage", test_load_garbage);
    g_test_add_func("/sepol/context/validate", test_validate);
    g_test_add_func("/sepol/access/decide", test_access);
    g_test_add_func("/sepol/access/invalid", test_access_invalid);
    ret = g_test_run();
    g_free(policy_path);
    return ret;
}
