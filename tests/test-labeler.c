#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* unshare() */
#endif
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "svirt-journal.h"
#include "svirt-labeler.h"
#include "svirt-lifecycle.h"
#include "svm-test-fixture.h"
#include "svm-test-label.h"
#include "svm-test-vm.h"

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
    g_assert_nonnull(strstr(error->message, "it now leads to"));
    g_assert_nonnull(strstr(error->message, b));
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
    /* The same path, another file: said as such, not as a path that leads to itself. */
    g_assert_nonnull(strstr(error->message, "another file has taken its place"));
    label = svm_test_label_of(a);
    g_assert_null(label);
    g_clear_error(&error);

    /* Gone altogether. */
    g_clear_pointer(&target, svirt_label_target_free);
    target = svirt_label_target_open(a, SVIRT_LABEL_TARGET_FILE, &error);
    g_assert_no_error(error);
    g_assert_cmpint(g_unlink(a), ==, 0);
    g_assert_false(svirt_label_target_set_label(target, LABEL_A, &status, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE);
    g_assert_nonnull(strstr(error->message, "it no longer exists"));
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

/* A display socket's directory: one of its own, never one every user writes. */
static void
test_directory(void)
{
    static const struct {
        const char *name;
        mode_t mode;
        gboolean refused;
    } cases[] = {
        { "private", 0750, FALSE },
        { "sticky", 01777, TRUE },
        { "world-writable", 0777, TRUE },
        { "sticky-only", 01755, TRUE },
    };
    g_autoptr(GError) as_file = NULL;
    g_autoptr(GError) system = NULL;
    g_autofree char *plain = g_build_filename(tmpdir, "plain.img", NULL);

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *dir = g_build_filename(tmpdir, cases[i].name, NULL);
        g_autoptr(SvirtLabelTarget) target = NULL;
        g_autoptr(GError) error = NULL;
        SvirtLabelStatus status;

        g_assert_cmpint(g_mkdir(dir, 0700), ==, 0);
        g_assert_cmpint(chmod(dir, cases[i].mode), ==, 0);
        target = svirt_label_target_open(dir, SVIRT_LABEL_TARGET_DIRECTORY, &error);
        if (cases[i].refused) {
            g_assert_null(target);
            g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE);
            g_assert_nonnull(strstr(error->message, "every user may create files in it"));
        } else {
            g_assert_no_error(error);
            g_assert_true(svirt_label_target_set_label(target, LABEL_A, &status, &error));
            g_assert_no_error(error);
        }
        g_rmdir(dir);
    }
    /* The host's places stay refused, and a file is no directory. */
    g_assert_null(svirt_label_target_open("/etc", SVIRT_LABEL_TARGET_DIRECTORY, &system));
    g_assert_error(system, SVIRT_ERROR, SVIRT_ERROR_UNSAFE);
    g_assert_true(g_file_set_contents(plain, "", 0, NULL));
    g_assert_null(svirt_label_target_open(plain, SVIRT_LABEL_TARGET_DIRECTORY, &as_file));
    g_assert_error(as_file, SVIRT_ERROR, SVIRT_ERROR_UNSAFE);
    g_assert_nonnull(strstr(as_file->message, "not a directory"));
    g_unlink(plain);
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

/* The label attribute of @path exactly as the kernel returns it, read without the engine. */
static GBytes *
raw_label(const char *path)
{
    g_autofree char *buf = g_malloc(XATTR_SIZE_MAX);
    ssize_t len = getxattr(path, svirt_labeler_xattr_name(), buf, XATTR_SIZE_MAX);

    if (len < 0) {
        g_assert_cmpint(errno, ==, ENODATA);
        return NULL;
    }
    return g_bytes_new(buf, len);
}

static void
assert_raw_label(const char *path, GBytes *want)
{
    g_autoptr(GBytes) got = raw_label(path);
    g_autofree char *shown = g_utf8_make_valid(path, -1);

    g_assert_nonnull(got);
    g_test_message("%s: %zu bytes, want %zu", shown, g_bytes_get_size(got),
                   g_bytes_get_size(want));
    g_assert_cmpmem(g_bytes_get_data(got, NULL), g_bytes_get_size(got),
                    g_bytes_get_data(want, NULL), g_bytes_get_size(want));
}

/* What a start does to @path and what its stop undoes, through the host's journal: the
 * original read and journalled, our label applied; then restored from the journal alone. */
static void
label_then_restore(const char *path, const char *uuid)
{
    g_autoptr(SvirtLabelTarget) target = NULL;
    g_autoptr(SvirtJournal) journal = NULL;
    g_autoptr(GBytes) before = raw_label(path);
    g_autoptr(GBytes) original = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *now = NULL;
    SvirtLabelStatus status;
    guint restored = 0;

    target = svirt_label_target_open(path, SVIRT_LABEL_TARGET_FILE, &error);
    g_assert_no_error(error);
    g_assert_true(svirt_label_target_get_label_bytes(target, &original, &error));
    g_assert_no_error(error);
    journal = svirt_journal_open(NULL, &error);
    g_assert_true(svirt_journal_lock(journal, &error));
    svirt_journal_add_holder(journal, svirt_label_target_get_resolved(target), original, LABEL_A,
                             uuid);
    g_assert_true(svirt_journal_commit(journal, &error));
    g_assert_no_error(error);
    svirt_journal_unlock(journal);
    g_assert_true(svirt_label_target_set_label(target, LABEL_A, &status, &error));
    now = svm_test_label_of(path);
    g_assert_cmpstr(now, ==, LABEL_A);

    g_assert_true(svirt_restore_holder(uuid, &restored, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(restored, ==, 1);
    assert_raw_label(path, before);
    g_assert_true(svirt_journal_lock(journal, &error));
    g_assert_null(svirt_journal_lookup(journal, svirt_label_target_get_resolved(target)));
    svirt_journal_unlock(journal);
}

static void
set_raw_label(const char *path, const void *data, gsize len)
{
    g_assert_cmpint(setxattr(path, svirt_labeler_xattr_name(), data, len, 0), ==, 0);
}

/* A label is read exactly as the filesystem holds it, and put back the same: a trailing NUL
 * where there was one, none where there was none. */
static void
test_exact_bytes(void)
{
    static const struct {
        const char *data;
        gsize len;
        const char *text;
    } cases[] = {
        { "system_u:object_r:virt_image_t:s0", 34, "system_u:object_r:virt_image_t:s0" },
        { "system_u:object_r:virt_image_t:s0", 33, "system_u:object_r:virt_image_t:s0" },
        { "u:r:t:s0\0tail", 13, "u:r:t:s0" },
        { "u:r:\xff\xfe_t:s0", 11, "u:r:\xef\xbf\xbd\xef\xbf\xbd_t:s0" },
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *name = g_strdup_printf("exact-%u.img", i);
        g_autofree char *path = make_file(name);
        g_autofree char *uuid = g_strdup_printf("e0000000-0000-0000-0000-00000000000%u", i);
        g_autoptr(GBytes) want = g_bytes_new(cases[i].data, cases[i].len);
        g_autoptr(SvirtLabelTarget) target = NULL;
        g_autoptr(GBytes) got = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *text = NULL;
        g_autofree char *by_path = NULL;
        SvirtLabelStatus status;

        set_raw_label(path, cases[i].data, cases[i].len);
        target = svirt_label_target_open(path, SVIRT_LABEL_TARGET_FILE, &error);
        g_assert_true(svirt_label_target_get_label_bytes(target, &got, &error));
        g_assert_true(g_bytes_equal(got, want));
        /* Shown as text: up to the NUL, as valid UTF-8. */
        g_assert_true(svirt_label_target_get_label(target, &text, &error));
        g_assert_cmpstr(text, ==, cases[i].text);
        g_assert_true(svirt_labeler_read_label(path, &by_path, &error));
        g_assert_cmpstr(by_path, ==, cases[i].text);

        g_assert_true(svirt_label_target_set_label(target, LABEL_B, &status, &error));
        g_assert_true(svirt_label_target_restore_label(target, got, &status, &error));
        g_assert_no_error(error);
        assert_raw_label(path, want);
        label_then_restore(path, uuid);
    }
}

/* A file whose name is not UTF-8, as anyone who can make a link in an image folder can give
 * it: labelled, journalled and restored byte for byte, and the journal still reads. */
static void
test_name_not_utf8(void)
{
    g_autofree char *path = make_file("odd-\xff\xfe\x80-\x01.img");
    g_autofree char *other = make_file("odd-\xc3\x28.img");
    g_autofree char *restored_to = NULL;
    g_autoptr(GError) error = NULL;
    static const char without_nul[] = "u:object_r:\xe9t\xe9_t:s0";
    static const char with_nul[] = "system_u:object_r:virt_image_t:s0";
    g_autoptr(GBytes) want = g_bytes_new(with_nul, sizeof(with_nul));
    g_autoptr(SvirtLabelTarget) target = NULL;
    g_autoptr(SvirtJournal) journal = NULL;
    g_autoptr(GBytes) original = NULL;
    SvirtLabelStatus status;

    set_raw_label(path, without_nul, sizeof(without_nul) - 1);
    label_then_restore(path, "0dd00000-0000-0000-0000-000000000001");

    /* The same through svirt_restore_path(), which names what it restored as text. */
    set_raw_label(other, with_nul, sizeof(with_nul));
    target = svirt_label_target_open(other, SVIRT_LABEL_TARGET_FILE, &error);
    g_assert_true(svirt_label_target_get_label_bytes(target, &original, &error));
    journal = svirt_journal_open(NULL, &error);
    g_assert_true(svirt_journal_lock(journal, &error));
    svirt_journal_add_holder(journal, other, original, LABEL_A, "0dd00000-0000-0000-0000-2");
    g_assert_true(svirt_journal_commit(journal, &error));
    g_assert_true(svirt_journal_remove_holder(journal, other, "0dd00000-0000-0000-0000-2"));
    g_assert_true(svirt_journal_commit(journal, &error));
    svirt_journal_unlock(journal);
    g_assert_true(svirt_label_target_set_label(target, LABEL_A, &status, &error));
    g_assert_true(svirt_restore_path(other, &restored_to, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(restored_to, ==, with_nul);
    assert_raw_label(other, want);
}

#define LONG_LABEL 5000

static void
long_label_case(const char *dir)
{
    g_autofree char *path = g_build_filename(dir, "long.img", NULL);
    g_autofree guint8 *data = g_malloc(LONG_LABEL);
    g_autoptr(GBytes) want = NULL;
    g_autoptr(GBytes) got = NULL;
    g_autoptr(SvirtLabelTarget) target = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *text = NULL;
    g_autofree char *by_path = NULL;

    for (guint i = 0; i < LONG_LABEL; i++)
        data[i] = "system_u:object_r:virt_image_t:s0:"[i % 34];
    want = g_bytes_new(data, LONG_LABEL);
    g_assert_true(g_file_set_contents(path, "data", -1, NULL));
    set_raw_label(path, data, LONG_LABEL);
    target = svirt_label_target_open(path, SVIRT_LABEL_TARGET_FILE, &error);
    g_assert_no_error(error);
    g_assert_true(svirt_label_target_get_label_bytes(target, &got, &error));
    g_assert_no_error(error);
    g_assert_true(g_bytes_equal(got, want));
    g_assert_true(svirt_label_target_get_label(target, &text, &error));
    g_assert_cmpuint(strlen(text), ==, LONG_LABEL);
    g_assert_true(svirt_labeler_read_label(path, &by_path, &error));
    g_assert_cmpstr(by_path, ==, text);
    label_then_restore(path, "10000000-0000-0000-0000-000000005000");
}

/* Runs long_label_case() on a tmpfs mounted in a mount namespace of a child of its own, which
 * takes the mount with it when it ends. The child exits 77 when it cannot mount. */
static void
long_label_on_tmpfs(void)
{
    g_autofree char *dir = g_build_filename(tmpdir, "tmpfs", NULL);
    int status = 0;
    pid_t pid;

    g_assert_cmpint(g_mkdir(dir, 0700), ==, 0);
    fflush(stdout);
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        /* Ends with the test, which the fixture's sweep waits for. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("svirt-test", dir, "tmpfs", 0, "size=1m,mode=0700") < 0) {
            g_printerr("cannot mount a private tmpfs: %s\n", g_strerror(errno));
            _exit(77);
        }
        long_label_case(dir);
        _exit(0);
    }
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
        g_test_skip("neither this filesystem nor a private tmpfs holds a label over 4 KB");
        return;
    }
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

/* A label longer than a page is read whole, journalled and put back, not lost. */
static void
test_long_label(void)
{
    g_autofree char *probe = make_file("long-probe");
    g_autofree char *data = g_malloc0(LONG_LABEL);

    if (setxattr(probe, svirt_labeler_xattr_name(), data, LONG_LABEL, 0) == 0) {
        long_label_case(tmpdir);
        return;
    }
    /* ext4 without ea_inode keeps a value in one block. */
    g_test_message("The filesystem of %s refuses a %d-byte label (%s); reading it from a tmpfs "
                   "instead.", tmpdir, LONG_LABEL, g_strerror(errno));
    long_label_on_tmpfs();
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
    g_autofree char *state = NULL;
    gboolean owned;
    int ret;

    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_DEFAULT);
    g_test_init(&argc, &argv, NULL);
    /* A subprocess test works in its parent's directory, which the parent removes: the child
     * may have dropped the privilege to. */
    owned = !g_getenv(DIR_ENV);
    if (owned) {
        tmpdir = svm_test_make_dir("svm-labeler");
        g_setenv(DIR_ENV, tmpdir, TRUE);
        /* What these tests journal stays in their directory, apart from the files they label:
         * the engine refuses to label anything in its own state directory. */
        state = g_build_filename(tmpdir, "state", NULL);
        g_setenv("SVIRT_STATE_DIR", state, TRUE);
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
    g_test_add_func("/labeler/directory", test_directory);
    g_test_add_func("/labeler/mounted-block-device", test_mounted_block_device);
    g_test_add_func("/labeler/permission-denied", test_permission_denied);
    g_test_add_func("/labeler/exact-bytes", test_exact_bytes);
    g_test_add_func("/labeler/name-not-utf8", test_name_not_utf8);
    g_test_add_func("/labeler/long-label", test_long_label);
    ret = g_test_run();

    if (owned) {
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);

        g_assert_true(g_spawn_command_line_sync(cmd, NULL, NULL, NULL, NULL));
    }
    g_free(tmpdir);
    return ret;
}
