#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "svirt-audit.h"
#include "svirt-context.h"
#include "svm-test-fixture.h"
#include "svm-test-vm.h"

/* Installs the built module into a copy of the host's policy store under a private root and
 * asks the resulting binary policy, through libsepol, what VMs may do. The host's own policy is
 * never touched. */

static const char *module_path;

static gboolean
run(const char *const *argv, char **err)
{
    int status = 0;
    g_autoptr(GError) error = NULL;
    g_autofree char *out = NULL;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, err,
                      &status, &error)) {
        g_free(*err);
        *err = g_strdup(error->message);
        return FALSE;
    }
    return g_spawn_check_wait_status(status, NULL);
}

static void
rm_rf(const char *path)
{
    const char *argv[] = { "rm", "-rf", path, NULL };
    g_autofree char *err = NULL;

    run(argv, &err);
}

static void
assert_access(const char *policy, const char *process, const char *object, gboolean read,
              gboolean write)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *reason = NULL;
    gboolean rd = !read, wr = !write;

    g_assert_true(svirt_policy_check_access(policy, process, object, &rd, &wr, &reason,
                                            &error));
    g_assert_no_error(error);
    g_test_message("%s -> %s: read %d write %d: %s", process, object, rd, wr, reason);
    g_assert_cmpint(rd, ==, read);
    g_assert_cmpint(wr, ==, write);
}

static void
test_module(void)
{
    g_autofree char *root = NULL;
    g_autofree char *store = NULL;
    g_autofree char *etc = NULL;
    g_autofree char *policy = NULL;
    g_autofree char *err = NULL;
    g_autofree char *selinux_etc = NULL;
    g_autofree char *host_policy = svirt_context_find_policy_file();
    gboolean installed;
    const char *vm = "system_u:system_r:svirt_t:s0:c1,c2";

    if (!module_path || !*module_path) {
        g_test_skip("The module was not built: selinux-policy-dev is not installed "
                    "(/usr/share/selinux/devel/Makefile is missing). tools/setup installs it.");
        return;
    }
    if (!g_file_test("/var/lib/selinux/default", G_FILE_TEST_IS_DIR) || !host_policy) {
        g_test_skip("No policy store to copy: selinux-policy-default is not installed "
                    "(/var/lib/selinux/default is missing). tools/setup installs it.");
        return;
    }
    if (geteuid() != 0) {
        /* semodule refuses to run for other users even with -p. */
        g_test_skip("semodule needs root, even on a private copy of the store.");
        return;
    }

    root = svm_test_make_dir("svm-policy");
    store = g_build_filename(root, "var", "lib", "selinux", NULL);
    selinux_etc = g_build_filename(root, "etc", "selinux", NULL);
    g_assert_cmpint(g_mkdir_with_parents(store, 0755), ==, 0);
    g_assert_cmpint(g_mkdir_with_parents(selinux_etc, 0755), ==, 0);
    {
        const char *copy_store[] = { "cp", "-a", "/var/lib/selinux/default", store, NULL };
        const char *copy_etc[] = { "cp", "-a", "/etc/selinux/default", "/etc/selinux/config",
                                   "/etc/selinux/semanage.conf", selinux_etc, NULL };
        const char *install[] = { "semodule", "-p", root, "-N", "-i", module_path, NULL };

        installed = run(copy_store, &err) && run(copy_etc, &err) && run(install, &err);
    }
    policy = svirt_context_find_policy_file_in(selinux_etc);
    if (!installed || !policy) {
        rm_rf(root);
        g_test_message("%s", err ? err : "");
        g_assert_true(installed);
        g_assert_nonnull(policy);
    }
    /* Prove the copy has the module and the host's policy is unchanged. */
    g_assert_cmpstr(policy, !=, host_policy);
    {
        g_autoptr(GError) error = NULL;
        gboolean in_copy = svirt_context_check_policy(
            "system_u:object_r:svirt_manager_var_lib_t:s0", policy, &error);
        gboolean in_host;

        g_assert_no_error(error);
        in_host = svirt_context_check_policy("system_u:object_r:svirt_manager_var_lib_t:s0",
                                             host_policy, &error);
        g_clear_error(&error);
        g_assert_true(in_copy);
        g_assert_false(in_host);
    }

    /* Another VM's level: neither read nor write. */
    assert_access(policy, vm, "system_u:object_r:svirt_image_t:s0:c3,c4", FALSE, FALSE);
    /* Its own level and the shared level: read and write. */
    assert_access(policy, vm, "system_u:object_r:svirt_image_t:s0:c1,c2", TRUE, TRUE);
    assert_access(policy, vm, "system_u:object_r:svirt_image_t:s0", TRUE, TRUE);
    /* Read-only content: read, not write. */
    assert_access(policy, vm, "system_u:object_r:virt_content_t:s0", TRUE, FALSE);
    /* The manager's journal: not even read. */
    assert_access(policy, vm, "system_u:object_r:svirt_manager_var_lib_t:s0", FALSE, FALSE);
    /* The manager itself reads and writes it. */
    assert_access(policy, "system_u:system_r:svirt_manager_t:s0",
                  "system_u:object_r:svirt_manager_var_lib_t:s0", TRUE, TRUE);
    rm_rf(root);
}

int
main(int argc, char *argv[])
{
    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_DEFAULT);
    g_test_init(&argc, &argv, NULL);
    /* The built module, or an empty argument when it could not be built. */
    module_path = argc > 1 ? argv[1] : NULL;
    g_test_add_func("/policy-module/install-and-check", test_module);
    return g_test_run();
}
