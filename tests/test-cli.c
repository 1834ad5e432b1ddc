#include "config.h"

#include <glib/gstdio.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "svirt-context.h"
#include "svirt-journal.h"
#include "svirt-lifecycle.h"
#include "svirt-policy.h"
#include "svm-test-cli.h"
#include "svm-test-fixture.h"
#include "svm-test-vm.h"

static void
test_help(void)
{
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    const char *args[] = { "--help", NULL };

    g_assert_cmpint(svm_test_run_svirtctl(args, &out, &err), ==, 0);
    g_assert_nonnull(strstr(out, "--connect"));
    g_assert_nonnull(strstr(out, "list"));
    g_assert_nonnull(strstr(out, "adopt-label VM"));
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

#define GOOD_LABEL "system_u:system_r:svirt_t:s0:c10,c20"

typedef struct {
    const char *args[8];
    int status;
    const char *message;
} CliCase;

static void
run_cases(const CliCase *cases, gsize n)
{
    for (gsize i = 0; i < n; i++) {
        const CliCase *c = &cases[i];
        g_autofree char *out = NULL;
        g_autofree char *err = NULL;
        g_autofree char *joined = g_strjoinv(" ", (char **)c->args);
        int status = svm_test_run_svirtctl(c->args, &out, &err);

        g_test_message("svirtctl %s -> %d: %s", joined, status, err);
        g_assert_cmpint(status, ==, c->status);
        g_assert_nonnull(strstr(err, c->message));
    }
}

#define T "--connect", "test:///default"

static const CliCase usage_cases[] = {
    { { T, "set-label", NULL }, 2, "needs a VM and a mode" },
    { { T, "set-label", "test", NULL }, 2, "needs a VM and a mode" },
    { { T, "set-label", "test", "bogus", NULL }, 2, "the mode must be dynamic, static or none" },
    { { T, "set-label", "test", "static", NULL }, 2, "takes one label" },
    { { T, "set-label", "test", "static", GOOD_LABEL, "extra", NULL }, 2, "takes one label" },
    { { T, "set-label", "test", "dynamic", GOOD_LABEL, NULL }, 2, "only the static mode" },
    { { T, "set-label", "test", "none", "--relabel", "maybe", NULL }, 2,
      "--relabel must be yes or no" },
    { { T, "set-label", "test", "static", GOOD_LABEL, "--color", NULL }, 2, "--color" },
    { { T, "plan", NULL }, 2, "plan needs exactly one VM" },
    { { T, "plan", "test", "other", NULL }, 2, "plan needs exactly one VM" },
    { { T, "show-label", NULL }, 2, "show-label needs exactly one VM" },
    { { T, "set-disk", "test", NULL }, 2, "set-disk needs a VM and a disk target" },
    { { T, "set-disk", "test", "vda", NULL }, 2, "--allow-host-file yes or no" },
    { { T, "set-disk", "test", "vda", "--allow-host-file", "maybe", NULL }, 2,
      "--allow-host-file must be yes or no" },
    { { T, "adopt-label", NULL }, 2, "adopt-label needs exactly one VM" },
    { { T, "adopt-label", "a", "b", NULL }, 2, "adopt-label needs exactly one VM" },
};

static void
test_label_usage(void)
{
    run_cases(usage_cases, G_N_ELEMENTS(usage_cases));
}

static const CliCase refused_cases[] = {
    { { T, "set-label", "test", "static", "system_u:system_r:svirt_t:s0:c1024", NULL }, 1,
      "Invalid SELinux context 'system_u:system_r:svirt_t:s0:c1024': category c1024" },
    { { T, "set-label", "test", "static", "system_u:system_r:svirt_t", NULL }, 1,
      "has no MCS level" },
    { { T, "set-label", "test", "static", "system_u:system_r:svirt_t:s0:c5.c2", NULL }, 1,
      "is reversed" },
    { { T, "set-label", "test", "dynamic", "--relabel", "no", NULL }, 1,
      "relabel 'no' needs a static label" },
    { { T, "set-label", "nosuch", "dynamic", NULL }, 1,
      "No VM named 'nosuch' on test:///default. Run 'svirtctl list' to see the VMs." },
    { { T, "show-label", "nosuch", NULL }, 1, "No VM named 'nosuch' on test:///default." },
    { { T, "adopt-label", "nosuch", NULL }, 1, "No VM named 'nosuch' on test:///default." },
    { { T, "adopt-label", "test", NULL }, 1, "carries no <seclabel model='selinux'>" },
    { { T, "plan", "nosuch", NULL }, 1, "No VM named 'nosuch' on test:///default." },
    { { T, "set-disk", "test", "vdz", "--allow-host-file", "yes", NULL }, 1,
      "VM 'test' has no disk vdz. Its disks are: vda." },
    { { T, "set-disk", "test", "VDA", "--allow-host-file", "yes", NULL }, 1,
      "'VDA' is not a disk target" },
    { { T, "--mcs-range", "s0:c9.c3", "plan", "test", NULL }, 1, "Invalid MCS range" },
};

static void
test_label_refused(void)
{
    run_cases(refused_cases, G_N_ELEMENTS(refused_cases));
}

/* A label whose type is not the policy's VM type: refused where a policy says so. */
static void
test_label_wrong_type(void)
{
    g_autoptr(SvirtPolicyTypes) types = svirt_policy_types_load(NULL);
    const char *args[] = { T, "set-label", "test", "static",
                           "system_u:system_r:unconfined_t:s0:c1,c2", NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status = svm_test_run_svirtctl(args, &out, &err);

    g_assert_nonnull(types);
    g_test_message("policy types %s -> %d: %s", types->domain_from_policy ? "installed" : "none",
                   status, err);
    if (types->domain_from_policy) {
        g_assert_cmpint(status, ==, 1);
        g_assert_nonnull(strstr(err, "not a type the installed policy runs VMs under"));
    } else {
        g_assert_cmpint(status, ==, 0);
    }
}

/* Each branch on every machine: the policy moved to a fixture, and to a directory without one. */
static void
test_label_policy_branches(void)
{
    g_autofree char *fixture = g_test_build_filename(G_TEST_DIST, "selinux", NULL);
    g_autofree char *empty = svm_test_make_dir("svm-no-policy");
    const char *args[] = { T, "set-label", "test", "static",
                           "system_u:system_r:unconfined_t:s0:c1,c2", NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *none_out = NULL;
    g_autofree char *none_err = NULL;
    int with_policy, without;

    g_setenv(SVIRT_SELINUX_DIR_ENV, fixture, TRUE);
    with_policy = svm_test_run_svirtctl(args, &out, &err);
    g_setenv(SVIRT_SELINUX_DIR_ENV, empty, TRUE);
    without = svm_test_run_svirtctl(args, &none_out, &none_err);
    g_unsetenv(SVIRT_SELINUX_DIR_ENV);
    g_rmdir(empty);

    g_test_message("policy: %d %s; none: %d %s", with_policy, err, without, none_err);
    g_assert_cmpint(with_policy, ==, 1);
    g_assert_nonnull(strstr(err, "(svirt_t, svirt_tcg_t)"));
    g_assert_cmpint(without, ==, 0);
    g_assert_nonnull(strstr(none_err, "no SELinux policy is installed here"));
}

/* A range and the shared level are not isolated: refused without permission or warned. */
static void
test_label_not_isolated(void)
{
    const char *range[] = { T, "set-label", "test", "static",
                            "system_u:system_r:svirt_t:s0:c0.c100", NULL };
    const char *shared[] = { T, "set-label", "test", "static", "system_u:system_r:svirt_t:s0",
                             NULL };
    const char *allowed[] = { T, "set-label", "test", "static", "system_u:system_r:svirt_t:s0",
                              "--shared-level", NULL };
    const char *own[] = { T, "set-label", "test", "static", GOOD_LABEL, NULL };
    char *out[4] = { NULL };
    char *err[4] = { NULL };
    int status[4];

    status[0] = svm_test_run_svirtctl(range, &out[0], &err[0]);
    status[1] = svm_test_run_svirtctl(shared, &out[1], &err[1]);
    status[2] = svm_test_run_svirtctl(allowed, &out[2], &err[2]);
    status[3] = svm_test_run_svirtctl(own, &out[3], &err[3]);
    for (guint i = 0; i < 4; i++)
        g_test_message("%d: %s", status[i], err[i]);
    g_assert_cmpint(status[0], ==, 0);
    g_assert_nonnull(strstr(err[0], "warning: this static label is not isolated. It can also "
                                    "reach the disks of any dynamic VM given one of the 5050 "
                                    "other category pairs"));
    g_assert_cmpint(status[1], ==, 1);
    g_assert_nonnull(strstr(err[1], "--shared-level"));
    g_assert_cmpint(status[2], ==, 0);
    g_assert_nonnull(strstr(err[2], "it is the shared level"));
    g_assert_cmpint(status[3], ==, 0);
    g_assert_null(strstr(err[3], "not isolated"));
    for (guint i = 0; i < 4; i++) {
        g_free(out[i]);
        g_free(err[i]);
    }
}

static void
test_set_label_static(void)
{
    const char *args[] = { T, "set-label", "test", "static", GOOD_LABEL, "--relabel", "no", NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint(svm_test_run_svirtctl(args, &out, &err), ==, 0);
    g_assert_nonnull(strstr(out, GOOD_LABEL));
    g_assert_nonnull(strstr(out, "relabel no"));
}

static void
test_show_label_default(void)
{
    const char *args[] = { T, "show-label", "6695eb01-f6a4-8304-79aa-97f2502e193f", "--json",
                           NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(JsonNode) root = NULL;
    JsonObject *obj;

    g_assert_cmpint(svm_test_run_svirtctl(args, &out, &err), ==, 0);
    root = svm_test_parse_json(out);
    obj = json_node_get_object(root);
    g_assert_cmpstr(json_object_get_string_member(obj, "vm"), ==, "test");
    g_assert_cmpstr(json_object_get_string_member(obj, "mode"), ==, "dynamic");
    g_assert_true(json_object_get_null_member(obj, "label"));
    g_assert_true(json_object_get_boolean_member(obj, "relabel"));
    g_assert_cmpuint(json_array_get_length(json_object_get_array_member(obj, "no_relabel_disks")),
                     ==, 0);
    g_assert_cmpstr(json_object_get_string_member(obj, "source"), ==, "defaults");
    g_assert_true(json_object_get_null_member(obj, "start_blocker"));
}

/* A range of two categories has one pair: the plan must show it. */
static void
test_plan_json(void)
{
    const char *args[] = { T, "--mcs-range", "s0:c5.c6", "plan", "test", "--json", NULL };
    g_autoptr(SvirtPolicyTypes) types = svirt_policy_types_load(NULL);
    g_autofree char *image = svirt_policy_context_with_level(types->image, "s0:c5,c6", NULL);
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(JsonNode) root = NULL;
    JsonObject *obj, *disk;
    JsonArray *items;

    g_assert_cmpint(svm_test_run_svirtctl(args, &out, &err), ==, 0);
    root = svm_test_parse_json(out);
    obj = json_node_get_object(root);
    g_assert_cmpstr(json_object_get_string_member(obj, "vm"), ==, "test");
    g_assert_cmpstr(json_object_get_string_member(obj, "level"), ==, "s0:c5,c6");
    items = json_object_get_array_member(obj, "items");
    g_assert_cmpuint(json_array_get_length(items), ==, 1);
    disk = json_array_get_object_element(items, 0);
    g_assert_cmpstr(json_object_get_string_member(disk, "path"), ==, "/guest/diskimage1");
    g_assert_cmpstr(json_object_get_string_member(disk, "designation"), ==, "private");
    g_assert_cmpstr(json_object_get_string_member(disk, "label"), ==, image);
    g_assert_cmpstr(json_object_get_string_member(disk, "target"), ==, "vda");
    g_assert_true(json_object_get_boolean_member(disk, "restore"));
}

static void
test_plan_table(void)
{
    const char *args[] = { T, "--mcs-range", "c7.c8", "plan", "test", NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint(svm_test_run_svirtctl(args, &out, &err), ==, 0);
    g_assert_nonnull(strstr(out, "s0:c7,c8"));
    g_assert_nonnull(strstr(out, "TARGET"));
    g_assert_nonnull(strstr(out, "\nvda "));
    g_assert_nonnull(strstr(out, " /guest/diskimage1"));
}

/* The test driver's VM runs without the engine: an error-level finding, so exit status 1. */
static void
test_audit(void)
{
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *dir = svm_test_make_dir("svm-audit-cli");
    g_autofree char *html_path = g_build_filename(dir, "report.html", NULL);
    g_autofree char *html = NULL;
    const char *json_args[] = { "--connect", "test:///default", "audit", "--json", NULL };
    const char *html_args[] = { "--connect", "test:///default", "audit", "--html", html_path,
                                NULL };
    g_autoptr(JsonNode) root = NULL;
    JsonArray *findings;
    gboolean outside = FALSE;

    g_assert_cmpint(svm_test_run_svirtctl(json_args, &out, &err), ==, 1);
    root = svm_test_parse_json(out);
    findings = json_object_get_array_member(json_node_get_object(root), "findings");
    for (guint i = 0; i < json_array_get_length(findings); i++) {
        JsonObject *f = json_array_get_object_element(findings, i);

        if (g_str_equal(json_object_get_string_member(f, "id"), "started-outside")) {
            g_assert_cmpstr(json_object_get_string_member(f, "vm"), ==, "test");
            g_assert_cmpstr(json_object_get_string_member(f, "severity"), ==, "error");
            outside = TRUE;
        }
    }
    g_assert_true(outside);
    g_assert_true(json_object_has_member(json_node_get_object(root), "matrix"));

    g_clear_pointer(&out, g_free);
    g_clear_pointer(&err, g_free);
    g_assert_cmpint(svm_test_run_svirtctl(html_args, &out, &err), ==, 1);
    g_assert_true(g_file_get_contents(html_path, &html, NULL, NULL));
    g_assert_nonnull(strstr(html, "<html"));
    g_assert_nonnull(strstr(html, "started"));
    g_unlink(html_path);
    g_rmdir(dir);
}

static void
default_sigpipe(gpointer data)
{
    /* As a shell starts it: whatever this process ignores, the child dies of SIGPIPE unless it
     * handles it itself. */
    signal(SIGPIPE, SIG_DFL);
}

/* svirtctl's output goes to a pipe nobody reads any more (svirtctl list | head -c0): it says
 * so and exits 1, instead of dying of SIGPIPE without a word. */
static void
test_closed_stdout(void)
{
    const char *argv[] = { g_getenv("SVIRTCTL"), "--connect", "test:///default", "list", NULL };
    g_autoptr(GError) error = NULL;
    g_autoptr(GString) err = g_string_new(NULL);
    char buf[512];
    ssize_t n;
    int fds[2], err_fd = -1, status;
    GPid pid;

    g_assert_cmpint(pipe(fds), ==, 0);
    close(fds[0]);
    g_assert_true(g_spawn_async_with_pipes_and_fds(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                                   default_sigpipe, NULL, -1, fds[1], -1, NULL,
                                                   NULL, 0, &pid, NULL, NULL, &err_fd, &error));
    g_assert_no_error(error);
    close(fds[1]);
    while ((n = read(err_fd, buf, sizeof(buf))) > 0)
        g_string_append_len(err, buf, n);
    close(err_fd);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_test_message("status %d, stderr: %s", status, err->str);
    g_assert_false(WIFSIGNALED(status));
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_nonnull(strstr(err->str, "svirtctl: could not write the output"));
    g_assert_nonnull(strstr(err->str, g_strerror(EPIPE)));
}

#define HOOK_UUID "6b3a1c52-6f1e-4d8e-9a55-2f1d8c0b7e41"

/* The qemu hook never waits for the label journal for ever, since libvirtd holds the VM
 * meanwhile: it gives up, says why and what restores the labels, and exits 0; the journal keeps
 * the labels for reconcile. */
static void
test_hook_gives_up(void)
{
    const char *argv[] = { g_getenv("SVIRTCTL"), "hook", "guest", "release", "end", "-", NULL };
    const char *xml = "<domain><name>guest</name><uuid>" HOOK_UUID "</uuid></domain>";
    g_autofree char *dir = svm_test_make_dir("svm-hook-state");
    g_autofree char *file = NULL;
    g_autofree char *lock = NULL;
    g_auto(GStrv) envp = g_environ_setenv(g_get_environ(), "SVIRT_STATE_DIR", dir, TRUE);
    g_autoptr(SvirtJournal) journal = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GString) err = g_string_new(NULL);
    gint64 start, elapsed_ms;
    gboolean hung = FALSE;
    int in_fd, err_fd, status = 0;
    guint kept;
    char buf[512];
    ssize_t n;
    GPid pid;

    journal = svirt_journal_open(dir, &error);
    g_assert_no_error(error);
    g_assert_true(svirt_journal_lock(journal, &error));
    svirt_journal_add_holder(journal, "/nonexistent/guest.img", NULL,
                             "system_u:object_r:svirt_image_t:s0:c1,c2", HOOK_UUID);
    g_assert_true(svirt_journal_commit(journal, &error));
    start = g_get_monotonic_time();
    g_assert_true(g_spawn_async_with_pipes(NULL, (char **)argv, envp, G_SPAWN_DO_NOT_REAP_CHILD,
                                           NULL, NULL, &pid, &in_fd, NULL, &err_fd, &error));
    g_assert_cmpint(write(in_fd, xml, strlen(xml)), ==, (ssize_t)strlen(xml));
    close(in_fd);
    /* The old hook waited for ever: the test kills it rather than hang. */
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (g_get_monotonic_time() - start > 40 * G_USEC_PER_SEC) {
            hung = TRUE;
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            break;
        }
        g_usleep(50 * 1000);
    }
    elapsed_ms = (g_get_monotonic_time() - start) / 1000;
    while ((n = read(err_fd, buf, sizeof(buf))) > 0)
        g_string_append_len(err, buf, n);
    close(err_fd);
    svirt_journal_unlock(journal);
    g_assert_true(svirt_journal_lock(journal, &error));
    kept = svirt_journal_get_entries(journal)->len;
    svirt_journal_unlock(journal);
    file = g_build_filename(dir, "journal.json", NULL);
    lock = g_build_filename(dir, "journal.lock", NULL);
    g_unlink(file);
    g_unlink(lock);
    g_rmdir(dir);

    g_test_message("after %" G_GINT64_FORMAT " ms, status %d: %s", elapsed_ms, status, err->str);
    g_assert_false(hung);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    g_assert_cmpint(elapsed_ms, >=, SVIRT_HOOK_LOCK_TIMEOUT_MS);
    g_assert_nonnull(strstr(err->str, "stayed locked"));
    g_assert_nonnull(strstr(err->str, "'svirtctl reconcile'"));
    g_assert_nonnull(strstr(err->str, "VM 'guest'"));
    g_assert_cmpuint(kept, ==, 1);
}

int
main(int argc, char *argv[])
{
    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_DEFAULT);
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cli/help", test_help);
    g_test_add_func("/cli/no-command", test_no_command);
    g_test_add_func("/cli/unknown-command", test_unknown_command);
    g_test_add_func("/cli/bad-uri", test_bad_uri);
    g_test_add_func("/cli/bad-option", test_bad_option);
    g_test_add_func("/cli/list-json", test_list_json);
    g_test_add_func("/cli/list-table", test_list_table);
    g_test_add_func("/cli/label/usage", test_label_usage);
    g_test_add_func("/cli/label/refused", test_label_refused);
    g_test_add_func("/cli/label/wrong-type", test_label_wrong_type);
    g_test_add_func("/cli/label/set-static", test_set_label_static);
    g_test_add_func("/cli/label/policy-branches", test_label_policy_branches);
    g_test_add_func("/cli/label/not-isolated", test_label_not_isolated);
    g_test_add_func("/cli/label/show-default", test_show_label_default);
    g_test_add_func("/cli/plan/json", test_plan_json);
    g_test_add_func("/cli/plan/table", test_plan_table);
    g_test_add_func("/cli/audit", test_audit);
    g_test_add_func("/cli/closed-stdout", test_closed_stdout);
    g_test_add_func("/cli/hook-gives-up", test_hook_gives_up);
    return g_test_run();
}
