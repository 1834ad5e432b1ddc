#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The label on @path as the engine reads it; NULL when it has none or cannot be read. For
 * tests that collect what they see and assert only after cleaning up. */
char *svm_test_read_label(const char *path);
/* Labels @path through the engine's labeller; whether that worked. */
gboolean svm_test_write_label(const char *path, const char *label);

/* The same, failing the test when the label cannot be read or written. */
char *svm_test_label_of(const char *path);
void svm_test_set_label(const char *path, const char *label);
void svm_test_assert_label(const char *path, const char *expected);

G_END_DECLS
