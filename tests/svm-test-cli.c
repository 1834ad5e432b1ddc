#include "config.h"

#include <sys/wait.h>

#include "svm-test-cli.h"

int
svm_test_run_svirtctl(const char *const *args, char **out, char **err)
{
    const char *exe = g_getenv("SVIRTCTL");
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GError) error = NULL;
    int status = 0;

    g_assert_nonnull(exe);
    g_ptr_array_add(argv, (gpointer)exe);
    for (gsize i = 0; args[i]; i++)
        g_ptr_array_add(argv, (gpointer)args[i]);
    g_ptr_array_add(argv, NULL);
    g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out,
                               err, &status, &error));
    g_assert_no_error(error);
    g_assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

JsonNode *
svm_test_parse_json(const char *text)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) error = NULL;

    g_assert_true(json_parser_load_from_data(parser, text, -1, &error));
    g_assert_no_error(error);
    return json_node_copy(json_parser_get_root(parser));
}
