#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Runs the built svirtctl with @argv (NULL-terminated, without the program) and waits. */
int svm_test_run_svirtctl(const char *const *args, char **out, char **err);
JsonNode *svm_test_parse_json(const char *text);

G_END_DECLS
