#include "config.h"

#include <string.h>

#include "svm-test-cli.h"

static void
test_help(void)
{
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    const char *args[] = { "--help", NULL };

    g_assert_cmpint(svm_test_run_svirtctl(args, &out, &err), ==, 0);
    g_assert_nonnull(strstr(out, "--connect"));
    g_assert_nonnull(strstr(out, "list"));
}

static void
test_no_command(void)
{
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    const char *args[] = { NULL };

    g_assert_cmpint(svm_test_run_svirtctl(args, &out, &err), ==, 2);
    g_assert_nonnull(strstr(err, "no command given"));
}

static void
test_unknown_command(void)
{
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    const char *args[] = { "frobnicate", NULL };

    g_assert_cmpint(svm_test_run_svirtctl(args, &out, &err), ==, 2);
    g_assert_nonnull(strstr(err, "unknown command 'frobnicate'"));
    g_assert_nonnull(strstr(err, "list"));
}

static void
test_bad_uri(void)
{
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    const char *args[] = { "--connect", "nosuchdriver:///x", "list", NULL };

    g_assert_cmpint(svm_test_run_svirtctl(args, &out, &err), ==, 1);
    g_assert_nonnull(strstr(err, "Could not connect to nosuchdriver:///x"));
    g_assert_cmpstr(out, ==, "");
}

static void
test_bad_option(void)
{
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    const char *args[] = { "--connect", "test:///default", "list", "--yaml", NULL };

    g_assert_cmpint(svm_test_run_svirtctl(args, &out, &err), !=, 0);
    g_assert_nonnull(strstr(err, "--yaml"));
}

static void
test_list_json(void)
{
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    const char *args[] = { "--connect", "test:///default", "list", "--json", NULL };
    g_autoptr(JsonNode) root = NULL;
    JsonArray *array;
    JsonObject *vm;

    g_assert_cmpint(svm_test_run_svirtctl(args, &out, &err), ==, 0);
    root = svm_test_parse_json(out);
    array = json_node_get_array(root);
    g_assert_cmpuint(json_array_get_length(array), ==, 1);
    vm = json_array_get_object_element(array, 0);
    g_assert_cmpstr(json_object_get_string_member(vm, "name"), ==, "test");
    g_assert_cmpstr(json_object_get_string_member(vm, "uuid"), ==,
                    "6695eb01-f6a4-8304-79aa-97f2502e193f");
    g_assert_cmpstr(json_object_get_string_member(vm, "state"), ==, "running");
}

static void
test_list_table(void)
{
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    const char *args[] = { "-c", "test:///default", "list", NULL };

    g_assert_cmpint(svm_test_run_svirtctl(args, &out, &err), ==, 0);
    g_assert_true(g_str_has_prefix(out, "NAME"));
    g_assert_nonnull(strstr(out, "\ntest "));
    g_assert_nonnull(strstr(out, "6695eb01-f6a4-8304-79aa-97f2502e193f running"));
}

int
main(int argc, char *argv[])
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cli/help", test_help);
    g_test_add_func("/cli/no-command", test_no_command);
    g_test_add_func("/cli/unknown-command", test_unknown_command);
    g_test_add_func("/cli/bad-uri", test_bad_uri);
    g_test_add_func("/cli/bad-option", test_bad_option);
    g_test_add_func("/cli/list-json", test_list_json);
    g_test_add_func("/cli/list-table", test_list_table);
    return g_test_run();
}
