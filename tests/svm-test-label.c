#include "config.h"

#include "svirt-labeler.h"
#include "svm-test-label.h"

char *
svm_test_read_label(const char *path)
{
    char *label = NULL;

    if (!svirt_labeler_read_label(path, &label, NULL))
        return NULL;
    return label;
}

gboolean
svm_test_write_label(const char *path, const char *label)
{
    g_autoptr(SvirtLabelTarget) t = svirt_label_target_open(path, SVIRT_LABEL_TARGET_FILE, NULL);
    SvirtLabelStatus status;

    return t && svirt_label_target_set_label(t, label, &status, NULL);
}

char *
svm_test_label_of(const char *path)
{
    g_autoptr(GError) error = NULL;
    char *label = NULL;

    g_assert_true(svirt_labeler_read_label(path, &label, &error));
    g_assert_no_error(error);
    return label;
}

void
svm_test_set_label(const char *path, const char *label)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtLabelTarget) t = svirt_label_target_open(path, SVIRT_LABEL_TARGET_FILE,
                                                            &error);
    SvirtLabelStatus status;

    g_assert_no_error(error);
    g_assert_nonnull(t);
    g_assert_true(svirt_label_target_set_label(t, label, &status, &error));
    g_assert_no_error(error);
}

void
svm_test_assert_label(const char *path, const char *expected)
{
    g_autofree char *actual = svm_test_label_of(path);

    g_test_message("%s: %s", path, actual ? actual : "(none)");
    g_assert_cmpstr(actual, ==, expected);
}
