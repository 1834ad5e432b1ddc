#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "svirt-labeler.h"
#include "svm-test-label.h"

#define LABEL_A "system_u:object_r:svirt_image_t:s0:c1,c2"
#define LABEL_B "system_u:object_r:svirt_image_t:s0"

/* The directory of this run, handed to subprocess tests. */
#define DIR_ENV "SVIRT_LABELER_TEST_DIR"

static char *tmpdir;

static char *
make_file(const char *name)
{
    char *path = g_build_filename(tmpdir, name, NULL);

    g_assert_true(g_file_set_contents(path, "data", -1, NULL));
    return path;
}

static void
test_label_file(void)
{
    g_autofree char *path = make_file("disk.img");
    g_autoptr(SvirtLabelTarget) target = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *label = NULL;
    g_autofree char *now = NULL;
    g_autofree char *after = NULL;
    SvirtLabelStatus status;

    target = svirt_label_target_open(path, SVIRT_LABEL_TARGET_FILE, &error);
    g_assert_no_error(error);
    g_assert_true(svirt_label_target_get_label(target, &label, &error));
    g_assert_null(label);

    g_assert_true(svirt_label_target_set_label(target, LABEL_A, &status, &error));
    g_assert_no_error(error);
    g_assert_cmpint(status, ==, SVIRT_LABEL_STATUS_LABELED);
    now = svm_test_label_of(path);
    g_assert_cmpstr(now, ==, LABEL_A);

    g_assert_true(svirt_label_target_remove_label(target, &status, &error));
    g_assert_no_error(error);
    after = svm_test_label_of(path);
    g_assert_null(after);
}

static void
test_label_through_symlink(void)
{
    g_autofree char *path = make_file("real.img");
    g_autofree char *link = g_build_filename(tmpdir, "link.img", NULL);
    g_autoptr(SvirtLabelTarget) target = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *label = NULL;
    SvirtLabelStatus status;

    g_assert_cmpint(symlink(path, link), ==, 0);
    target = svirt_label_target_open(link, SVIRT_LABEL_TARGET_FILE, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(svirt_label_target_get_resolved(target), ==, path);
    g_assert_true(svirt_label_target_set_label(target, LABEL_B, &status, &error));
    /* The file the link leads to is labelled, not the link. */
    label = svm_test_label_of(path);
    g_assert_cmpstr(label, ==, LABEL_B);
}

typedef struct {
    const char *path;
    SvirtLabelTargetKind kind;
    int code;
    const char *message;
} RefuseCase;

static void
test_refused_locations(void)
{
    const RefuseCase cases[] = {
        { "/", SVIRT_LABEL_TARGET_FILE, SVIRT_ERROR_UNSAFE, "root directory" },
        { "/etc/passwd", SVIRT_LABEL_TARGET_FILE, SVIRT_ERROR_UNSAFE, "under /etc" },
        { "/usr/bin/env", SVIRT_LABEL_TARGET_FILE, SVIRT_ERROR_UNSAFE, "under /usr" },
        { "/proc/self/status", SVIRT_LABEL_TARGET_FILE, SVIRT_ERROR_UNSAFE, "under /proc" },
        { "/sys/kernel/uevent_seqnum", SVIRT_LABEL_TARGET_FILE, SVIRT_ERROR_UNSAFE,
          "under /sys" },
        { "/dev/null", SVIRT_LABEL_TARGET_FILE, SVIRT_ERROR_UNSAFE, "under /dev" },
        { "/dev/null", SVIRT_LABEL_TARGET_BLOCK, SVIRT_ERROR_UNSAFE, "not a block device" },
        { "/root", SVIRT_LABEL_TARGET_FILE, SVIRT_ERROR_UNSAFE, "under /root" },
        { "relative/disk.img", SVIRT_LABEL_TARGET_FILE, SVIRT_ERROR_UNSAFE, "not absolute" },
        { "/nonexistent/disk.img", SVIRT_LABEL_TARGET_FILE, SVIRT_ERROR_NOT_FOUND,
          "does not exist" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(SvirtLabelTarget) target = NULL;
        g_autofree char *before = NULL;
        g_autofree char *after = NULL;

        if (g_file_test(cases[i].path, G_FILE_TEST_EXISTS))
            svirt_labeler_read_label(cases[i].path, &before, NULL);
        target = svirt_label_target_open(cases[i].path, cases[i].kind, &error);
        g_test_message("%s -> %s", cases[i].path, error ? error->message : "accepted");
        g_assert_null(target);
        g_assert_error(error, SVIRT_ERROR, cases[i].code);
        g_assert_nonnull(strstr(error->message, cases[i].message));
        if (g_file_test(cases[i].path, G_FILE_TEST_EXISTS)) {
            svirt_labeler_read_label(cases[i].path, &after, NULL);
            g_assert_cmpstr(before, ==, after);
        }
    }
}

static void
test_symlink_to_system_file(void)
{
    g_autofree char *link = g_build_filename(tmpdir, "evil.img", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtLabelTarget) target = NULL;

    g_assert_cmpint(symlink("/etc/shadow", link), ==, 0);
    target = svirt_label_target_open(link, SVIRT_LABEL_TARGET_FILE, &error);
    g_assert_null(target);
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE);
    g_assert_nonnull(strstr(error->message, "/etc/shadow"));
}

static void
test_symlink_swapped(void)
{
    g_autofree char *a = make_file("swap-a.img");
    g_autofree char *b = make_file("swap-b.img");
    g_autofree char *link = g_build_filename(tmpdir, "swap.img", NULL);
    g_autofree char *tmp_link = g_build_filename(tmpdir, "swap.tmp", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtLabelTarget) target = NULL;
    g_autofree char *label_a = NULL;
    g_autofree char *label_b = NULL;
    SvirtLabelStatus status;

    g_assert_cmpint(symlink(a, link), ==, 0);
    target = svirt_label_target_open(link, SVIRT_LABEL_TARGET_FILE, &error);
    g_assert_no_error(error);

    /* Between the check and the label, the link is pointed elsewhere. */
    g_assert_cmpint(symlink(b, tmp_link), ==, 0);
    g_assert_cmpint(rename(tmp_link, link), ==, 0);
    g_assert_false(svirt_label_target_set_label(target, LABEL_A, &status, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE);
    g_assert_nonnull(strstr(error->message, "changed after it was checked"));
    label_a = svm_test_label_of(a);
    label_b = svm_test_label_of(b);
    g_assert_null(label_a);
    g_assert_null(label_b);
}

static void
test_file_replaced(void)
{
    g_autofree char *a = make_file("replaced.img");
    g_autofree char *other = make_file("other.img");
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtLabelTarget) target = NULL;
    g_autofree char *label = NULL;
    SvirtLabelStatus status;

    target = svirt_label_target_open(a, SVIRT_LABEL_TARGET_FILE, &error);
    g_assert_no_error(error);
    g_assert_cmpint(rename(other, a), ==, 0);
    g_assert_false(svirt_label_target_set_label(target, LABEL_A, &status, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE);
    label = svm_test_label_of(a);
    g_assert_null(label);
}

static void
test_not_regular(void)
{
    g_autofree char *dir = g_build_filename(tmpdir, "dir.img", NULL);
    g_autofree char *fifo = g_build_filename(tmpdir, "fifo.img", NULL);
    g_autoptr(GError) e1 = NULL;
    g_autoptr(GError) e2 = NULL;
    g_autoptr(SvirtLabelTarget) t3 = NULL;
    g_autoptr(GError) e3 = NULL;

    g_assert_cmpint(g_mkdir(dir, 0700), ==, 0);
    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    g_assert_null(svirt_label_target_open(dir, SVIRT_LABEL_TARGET_FILE, &e1));
    g_assert_error(e1, SVIRT_ERROR, SVIRT_ERROR_UNSAFE);
    g_assert_nonnull(strstr(e1->message, "not a regular file"));
    g_assert_null(svirt_label_target_open(fifo, SVIRT_LABEL_TARGET_FILE, &e2));
    g_assert_error(e2, SVIRT_ERROR, SVIRT_ERROR_UNSAFE);
    /* A serial pipe is labelled as a pipe. */
    t3 = svirt_label_target_open(fifo, SVIRT_LABEL_TARGET_SOCKET, &e3);
    g_assert_no_error(e3);
    g_assert_nonnull(t3);
}

static void
test_mounted_block_device(void)
{
    struct stat st;
    g_autoptr(GError) error = NULL;

    /* The device holding the root filesystem is mounted: no VM may write it. */
    g_assert_cmpint(stat("/", &st), ==, 0);
    g_assert_false(svirt_labeler_check_block_device(st.st_dev, "/dev/root-disk", &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE);
    g_test_message("%s", error->message);
    g_assert_nonnull(strstr(error->message, "mounted at /"));
}

/* Without privilege, labelling fails with a hint on what is missing, and changes nothing. */
static void
test_permission_denied(void)
{
    g_autofree char *path = make_file("unprivileged.img");

    if (geteuid() != 0) {
        g_test_skip("needs root to drop to an unprivileged user");
        return;
    }
    g_assert_cmpint(chown(path, 65534, 65534), ==, 0);
    /* The user can reach the file; only the label is beyond it. */
    g_assert_cmpint(chmod(tmpdir, 0755), ==, 0);
    if (g_test_subprocess()) {
        g_autoptr(SvirtLabelTarget) target = NULL;
        g_autoptr(GError) error = NULL;
        SvirtLabelStatus status;

        /* Without an LSM this kernel lets a file's owner set security.*; trusted.* still needs
         * CAP_SYS_ADMIN, as security.* does under SELinux. */
        g_setenv("SVIRT_LABEL_XATTR", "trusted.svirt-test", TRUE);
        g_assert_cmpint(setgid(65534), ==, 0);
        g_assert_cmpint(setuid(65534), ==, 0);
        target = svirt_label_target_open(path, SVIRT_LABEL_TARGET_FILE, &error);
        g_assert_no_error(error);
        g_assert_false(svirt_label_target_set_label(target, LABEL_A, &status, &error));
        g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_PERMISSION);
        g_assert_nonnull(strstr(error->message, "needs root"));
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
    {
        char buf[256];

        g_assert_cmpint(getxattr(path, "trusted.svirt-test", buf, sizeof(buf)), <, 0);
    }
}

static void
choose_xattr(void)
{
    g_autofree char *probe = make_file("probe");

    /* Some filesystems (or a host enforcing SELinux) refuse arbitrary security labels. */
    if (setxattr(probe, SVIRT_DEFAULT_LABEL_XATTR, LABEL_A, strlen(LABEL_A) + 1, 0) < 0) {
        g_setenv("SVIRT_LABEL_XATTR", "user.svirt-test", TRUE);
        g_test_message("security.selinux cannot be set here; using user.svirt-test");
    }
    g_unlink(probe);
}

int
main(int argc, char *argv[])
{
    g_autoptr(GError) error = NULL;
    gboolean owned;
    int ret;

    g_test_init(&argc, &argv, NULL);
    /* A subprocess test works in its parent's directory, which the parent removes: the child
     * may have dropped the privilege to. */
    owned = !g_getenv(DIR_ENV);
    if (owned) {
        tmpdir = g_dir_make_tmp("svirt-labeler-XXXXXX", &error);
        g_assert_no_error(error);
        g_setenv(DIR_ENV, tmpdir, TRUE);
    } else {
        tmpdir = g_strdup(g_getenv(DIR_ENV));
    }
    choose_xattr();

    g_test_add_func("/labeler/file", test_label_file);
    g_test_add_func("/labeler/through-symlink", test_label_through_symlink);
    g_test_add_func("/labeler/refused-locations", test_refused_locations);
    g_test_add_func("/labeler/symlink-to-system-file", test_symlink_to_system_file);
    g_test_add_func("/labeler/symlink-swapped", test_symlink_swapped);
    g_test_add_func("/labeler/file-replaced", test_file_replaced);
    g_test_add_func("/labeler/not-regular", test_not_regular);
    g_test_add_func("/labeler/mounted-block-device", test_mounted_block_device);
    g_test_add_func("/labeler/permission-denied", test_permission_denied);
    ret = g_test_run();

    if (owned) {
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);

        g_assert_true(g_spawn_command_line_sync(cmd, NULL, NULL, NULL, NULL));
    }
    g_free(tmpdir);
    return ret;
}
