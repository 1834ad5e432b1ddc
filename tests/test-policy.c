#include "config.h"

#include <glib/gstdio.h>
#include <selinux/selinux.h>
#include <string.h>
#include <sys/stat.h>

#include "svirt-error.h"
#include "svirt-policy.h"
#include "svm-test-fixture.h"
#include "svm-test-vm.h"

#define SEED_PROCESS "system_u:system_r:svirt_t:s0"
#define SEED_IMAGE "system_u:object_r:svirt_image_t:s0"
#define SEED_CONTENT "system_u:object_r:svirt_content_t:s0"
#define SEED_AFTER_EXIT "system_u:object_r:virt_content_t:s0"

typedef struct {
    char *dir;
    char *domain;
    char *image;
} Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data)
{
    f->dir = svm_test_make_dir("svm-policy");
    f->domain = g_build_filename(f->dir, "virtual_domain_context", NULL);
    f->image = g_build_filename(f->dir, "virtual_image_context", NULL);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
    g_autoptr(GDir) dir = g_dir_open(f->dir, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *path = g_build_filename(f->dir, name, NULL);

        if (g_file_test(path, G_FILE_TEST_IS_DIR))
            g_assert_cmpint(g_rmdir(path), ==, 0);
        else
            g_assert_cmpint(g_unlink(path), ==, 0);
    }
    g_assert_cmpint(g_rmdir(f->dir), ==, 0);
    g_free(f->dir);
    g_free(f->domain);
    g_free(f->image);
}

static void
write_file(const char *path, const char *contents, gssize len)
{
    g_autoptr(GError) error = NULL;

    g_assert_true(g_file_set_contents(path, contents, len, &error));
    g_assert_no_error(error);
}

static void
test_builtin(void)
{
    g_autoptr(SvirtPolicyTypes) types = svirt_policy_types_new_builtin();
    g_autoptr(SvirtPolicyTypes) copy = NULL;

    g_assert_cmpstr(types->process, ==, SEED_PROCESS);
    g_assert_cmpstr(types->tcg_process, ==, SEED_PROCESS);
    g_assert_cmpstr(types->image, ==, SEED_IMAGE);
    g_assert_cmpstr(types->content, ==, SEED_CONTENT);
    g_assert_cmpstr(types->after_exit, ==, SEED_AFTER_EXIT);
    g_assert_false(types->domain_from_policy);
    g_assert_false(types->image_from_policy);

    copy = svirt_policy_types_copy(types);
    g_assert_true(copy->process != types->process);
    g_assert_cmpstr(copy->content, ==, types->content);
    g_assert_cmpstr(svirt_policy_types_get_process(copy, TRUE), ==, SEED_PROCESS);
}

typedef struct {
    const char *name;
    const char *domain; /* NULL: the file does not exist */
    const char *image;
    const char *process;
    const char *tcg_process;
    const char *image_label;
    const char *content;
    gboolean domain_from_policy;
    gboolean image_from_policy;
} LoadCase;

static const LoadCase load_cases[] = {
    { "fedora-two-lines",
      "system_u:system_r:svirt_t:s0\nsystem_u:system_r:svirt_tcg_t:s0\n",
      "system_u:object_r:svirt_image_t:s0\nsystem_u:object_r:svirt_content_t:s0\n",
      "system_u:system_r:svirt_t:s0", "system_u:system_r:svirt_tcg_t:s0",
      "system_u:object_r:svirt_image_t:s0", "system_u:object_r:svirt_content_t:s0", TRUE, TRUE },
    { "debian-one-domain-line",
      "system_u:system_r:svirt_t:s0\n",
      "system_u:object_r:svirt_image_t:s0\nsystem_u:object_r:virt_content_t:s0\n",
      "system_u:system_r:svirt_t:s0", "system_u:system_r:svirt_t:s0",
      "system_u:object_r:svirt_image_t:s0", "system_u:object_r:virt_content_t:s0", TRUE, TRUE },
    { "custom-types-no-final-newline",
      "u:r:my_vm_t:s1\nu:r:my_tcg_t:s1",
      "u:object_r:my_image_t:s1\nu:object_r:my_ro_t:s1",
      "u:r:my_vm_t:s1", "u:r:my_tcg_t:s1", "u:object_r:my_image_t:s1", "u:object_r:my_ro_t:s1",
      TRUE, TRUE },
    { "crlf-and-blanks",
      "  system_u:system_r:svirt_t:s0 \r\n\r\n",
      "system_u:object_r:svirt_image_t:s0\r\n",
      "system_u:system_r:svirt_t:s0", "system_u:system_r:svirt_t:s0",
      "system_u:object_r:svirt_image_t:s0", SEED_CONTENT, TRUE, TRUE },
    { "canonical-levels",
      "system_u:system_r:svirt_t:s0:c3,c1,c2\n", NULL,
      "system_u:system_r:svirt_t:s0:c1.c3", "system_u:system_r:svirt_t:s0:c1.c3",
      SEED_IMAGE, SEED_CONTENT, TRUE, FALSE },
    { "no-policy", NULL, NULL,
      SEED_PROCESS, SEED_PROCESS, SEED_IMAGE, SEED_CONTENT, FALSE, FALSE },
    { "image-file-only", NULL,
      "system_u:object_r:svirt_image_t:s0\nsystem_u:object_r:virt_content_t:s0\n",
      SEED_PROCESS, SEED_PROCESS, SEED_IMAGE, "system_u:object_r:virt_content_t:s0", FALSE,
      TRUE },
};

static void
test_load(Fixture *f, gconstpointer data)
{
    for (gsize i = 0; i < G_N_ELEMENTS(load_cases); i++) {
        const LoadCase *c = &load_cases[i];
        g_autoptr(SvirtPolicyTypes) types = NULL;
        g_autoptr(GError) error = NULL;

        g_test_message("case %s", c->name);
        g_unlink(f->domain);
        g_unlink(f->image);
        if (c->domain)
            write_file(f->domain, c->domain, -1);
        if (c->image)
            write_file(f->image, c->image, -1);
        types = svirt_policy_types_load_from(f->domain, f->image, &error);
        g_assert_no_error(error);
        g_assert_nonnull(types);
        g_assert_cmpstr(types->process, ==, c->process);
        g_assert_cmpstr(types->tcg_process, ==, c->tcg_process);
        g_assert_cmpstr(svirt_policy_types_get_process(types, FALSE), ==, c->process);
        g_assert_cmpstr(svirt_policy_types_get_process(types, TRUE), ==, c->tcg_process);
        g_assert_cmpstr(types->image, ==, c->image_label);
        g_assert_cmpstr(types->content, ==, c->content);
        g_assert_cmpstr(types->after_exit, ==, SEED_AFTER_EXIT);
        g_assert_cmpint(types->domain_from_policy, ==, c->domain_from_policy);
        g_assert_cmpint(types->image_from_policy, ==, c->image_from_policy);
    }
}

typedef struct {
    const char *name;
    const char *domain;
    gssize domain_len;
    const char *message; /* what the error must say, besides the file's path */
} BadCase;

static const BadCase bad_cases[] = {
    { "empty", "", 0, "no context on line 1" },
    { "blank-first-line", "\nsystem_u:system_r:svirt_t:s0\n", -1, "no context on line 1" },
    { "garbage", "hello world\n", -1, "line 1" },
    { "no-level", "system_u:system_r:svirt_t\n", -1, "has no MCS level" },
    { "bad-second-line", "system_u:system_r:svirt_t:s0\nsystem_u:system_r:svirt_t:s0:c1024\n", -1,
      "line 2" },
    { "binary", "system_u:system_r:svirt_t:s0\0junk", 33, "not a text file" },
};

static void
test_load_invalid(Fixture *f, gconstpointer data)
{
    for (gsize i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        const BadCase *c = &bad_cases[i];
        g_autoptr(SvirtPolicyTypes) types = NULL;
        g_autoptr(GError) error = NULL;

        g_test_message("case %s", c->name);
        write_file(f->domain, c->domain, c->domain_len);
        types = svirt_policy_types_load_from(f->domain, f->image, &error);
        g_assert_null(types);
        g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_POLICY);
        g_test_message("-> %s", error->message);
        g_assert_nonnull(strstr(error->message, f->domain));
        g_assert_nonnull(strstr(error->message, c->message));

        /* The same content in the image file is just as wrong. */
        g_clear_error(&error);
        g_unlink(f->domain);
        write_file(f->image, c->domain, c->domain_len);
        g_assert_null(svirt_policy_types_load_from(f->domain, f->image, &error));
        g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_POLICY);
        g_assert_nonnull(strstr(error->message, f->image));
        g_unlink(f->image);
    }
}

static void
test_load_not_a_file(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *big = g_strnfill(70000, 'a');

    g_assert_cmpint(g_mkdir(f->domain, 0700), ==, 0);
    g_assert_null(svirt_policy_types_load_from(f->domain, f->image, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_POLICY);
    g_assert_nonnull(strstr(error->message, "not a context file"));
    g_assert_cmpint(g_rmdir(f->domain), ==, 0);

    g_clear_error(&error);
    write_file(f->domain, big, -1);
    g_assert_null(svirt_policy_types_load_from(f->domain, f->image, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_POLICY);
}

static char *
first_line(const char *path)
{
    g_autofree char *data = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents(path, &data, NULL, NULL))
        return NULL;
    lines = g_strsplit(data, "\n", 2);
    return g_strstrip(g_strdup(lines[0]));
}

/* Whatever is installed here: either the policy's files are read, or the seed's table is used. */
static void
test_load_installed(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtPolicyTypes) types = svirt_policy_types_load(&error);
    g_autofree char *domain_line = first_line(selinux_virtual_domain_context_path());
    g_autofree char *image_line = first_line(selinux_virtual_image_context_path());

    g_assert_no_error(error);
    g_test_message("process %s, image %s, content %s", types->process, types->image,
                   types->content);
    if (domain_line) {
        g_assert_true(types->domain_from_policy);
        g_assert_cmpstr(types->process, ==, domain_line);
    } else {
        g_assert_false(types->domain_from_policy);
        g_assert_cmpstr(types->process, ==, SEED_PROCESS);
    }
    if (image_line) {
        g_assert_true(types->image_from_policy);
        g_assert_cmpstr(types->image, ==, image_line);
    } else {
        g_assert_false(types->image_from_policy);
        g_assert_cmpstr(types->image, ==, SEED_IMAGE);
    }
}

typedef struct {
    const char *context;
    const char *level;
    const char *expected; /* NULL: an error */
} WithLevelCase;

static const WithLevelCase with_level_cases[] = {
    { SEED_IMAGE, "s0:c1,c2", "system_u:object_r:svirt_image_t:s0:c1,c2" },
    { SEED_IMAGE, "s0:c2,c1", "system_u:object_r:svirt_image_t:s0:c1,c2" },
    { SEED_PROCESS, "s0-s0:c0.c1023", "system_u:system_r:svirt_t:s0-s0:c0.c1023" },
    { "system_u:system_r:svirt_t:s0:c5,c6", "s0", "system_u:system_r:svirt_t:s0" },
    { "system_u:system_r:svirt_t", "s0:c7,c9", "system_u:system_r:svirt_t:s0:c7,c9" },
    { SEED_IMAGE, "s0:c1024", NULL },
    { SEED_IMAGE, "s0:c1,c2 ", NULL },
    { SEED_IMAGE, "", NULL },
    { "not a context", "s0", NULL },
};

static void
test_context_with_level(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(with_level_cases); i++) {
        const WithLevelCase *c = &with_level_cases[i];
        g_autoptr(GError) error = NULL;
        g_autofree char *result = svirt_policy_context_with_level(c->context, c->level, &error);

        g_test_message("%s + '%s' -> %s", c->context, c->level,
                       result ? result : error->message);
        g_assert_cmpstr(result, ==, c->expected);
        if (c->expected == NULL) {
            g_assert_nonnull(error);
            g_assert_true(error->domain == SVIRT_ERROR);
        }
    }
}

typedef struct {
    const char *path;
    mode_t mode;
    const char *expected;
} LookupCase;

static const char fake_file_contexts[] =
    "/srv/vm(/.*)?\tsystem_u:object_r:virt_image_t:s0\n"
    "/srv/vm/iso/.*\\.iso\t--\tsystem_u:object_r:virt_content_t:s0\n"
    "/srv/vm/dev\t-b\tsystem_u:object_r:fixed_disk_device_t:s0\n"
    "/srv/vm/keep\t<<none>>\n"
    "/srv/vm/broken\tnot_a_context\n";

static const LookupCase lookup_cases[] = {
    { "/srv/vm/a.img", S_IFREG, "system_u:object_r:virt_image_t:s0" },
    { "/srv/vm", S_IFDIR, "system_u:object_r:virt_image_t:s0" },
    { "/srv/vm/iso/debian.iso", S_IFREG, "system_u:object_r:virt_content_t:s0" },
    /* The entry is for regular files only. */
    { "/srv/vm/iso/debian.iso", S_IFDIR, "system_u:object_r:virt_image_t:s0" },
    { "/srv/vm/dev", S_IFBLK, "system_u:object_r:fixed_disk_device_t:s0" },
    { "/srv/vm/keep", S_IFREG, NULL },
    { "/srv/vm/broken", S_IFREG, NULL },
    { "/home/user/x.img", S_IFREG, NULL },
};

static void
test_file_contexts(Fixture *f, gconstpointer data)
{
    g_autofree char *path = g_build_filename(f->dir, "file_contexts", NULL);
    g_autoptr(SvirtFileContexts) fc = NULL;
    g_autoptr(GError) error = NULL;

    write_file(path, fake_file_contexts, -1);
    fc = svirt_file_contexts_open(path, &error);
    g_assert_no_error(error);
    g_assert_true(svirt_file_contexts_has_policy(fc));
    for (gsize i = 0; i < G_N_ELEMENTS(lookup_cases); i++) {
        const LookupCase *c = &lookup_cases[i];
        g_autofree char *label = svirt_file_contexts_lookup(fc, c->path, c->mode);

        g_test_message("%s (%o) -> %s", c->path, (unsigned)c->mode, label ? label : "none");
        g_assert_cmpstr(label, ==, c->expected);
    }
}

static void
test_file_contexts_absent(Fixture *f, gconstpointer data)
{
    g_autofree char *path = g_build_filename(f->dir, "no", "file_contexts", NULL);
    g_autoptr(SvirtFileContexts) fc = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *label = NULL;

    fc = svirt_file_contexts_open(path, &error);
    g_assert_no_error(error);
    g_assert_nonnull(fc);
    g_assert_false(svirt_file_contexts_has_policy(fc));
    label = svirt_file_contexts_lookup(fc, "/var/lib/libvirt/images/a.img", S_IFREG);
    g_assert_null(label);
}

static void
test_file_contexts_corrupt(Fixture *f, gconstpointer data)
{
    g_autofree char *path = g_build_filename(f->dir, "file_contexts", NULL);
    g_autoptr(SvirtFileContexts) fc = NULL;
    g_autoptr(GError) error = NULL;

    write_file(path, "/srv/vm\n", -1);
    fc = svirt_file_contexts_open(path, &error);
    g_assert_null(fc);
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_POLICY);
    g_test_message("%s", error->message);
    g_assert_nonnull(strstr(error->message, path));
}

static void
test_file_contexts_installed(void)
{
    const char *path = selinux_file_context_path();
    g_autoptr(SvirtFileContexts) fc = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *label = NULL;

    fc = svirt_file_contexts_open(NULL, &error);
    g_assert_no_error(error);
    label = svirt_file_contexts_lookup(fc, "/var/lib/libvirt/images/vm.qcow2", S_IFREG);
    g_test_message("%s: %s", path ? path : "(no path)", label ? label : "none");
    if (path && g_file_test(path, G_FILE_TEST_EXISTS)) {
        /* The reference policy labels libvirt's image directory virt_image_t. */
        g_assert_true(svirt_file_contexts_has_policy(fc));
        g_assert_cmpstr(label, ==, "system_u:object_r:virt_image_t:s0");
    } else {
        g_assert_false(svirt_file_contexts_has_policy(fc));
        g_assert_null(label);
    }
}

int
main(int argc, char *argv[])
{
    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_DEFAULT);
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/policy/builtin", test_builtin);
    g_test_add("/policy/load/table", Fixture, NULL, fixture_setup, test_load, fixture_teardown);
    g_test_add("/policy/load/invalid", Fixture, NULL, fixture_setup, test_load_invalid,
               fixture_teardown);
    g_test_add("/policy/load/not-a-file", Fixture, NULL, fixture_setup, test_load_not_a_file,
               fixture_teardown);
    g_test_add_func("/policy/load/installed", test_load_installed);
    g_test_add_func("/policy/context-with-level", test_context_with_level);
    g_test_add("/policy/file-contexts/lookup", Fixture, NULL, fixture_setup, test_file_contexts,
               fixture_teardown);
    g_test_add("/policy/file-contexts/absent", Fixture, NULL, fixture_setup,
               test_file_contexts_absent, fixture_teardown);
    g_test_add("/policy/file-contexts/corrupt", Fixture, NULL, fixture_setup,
               test_file_contexts_corrupt, fixture_teardown);
    g_test_add_func("/policy/file-contexts/installed", test_file_contexts_installed);
    return g_test_run();
}
