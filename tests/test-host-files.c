#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_PATH */
#endif
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "svirt-host-files.h"
#include "svirt-labeler.h"
#include "svm-test-fixture.h"
#include "svm-test-vm.h"

static char *tmpdir;

static char *
make_file(const char *dir, const char *name)
{
    char *path = g_build_filename(dir, name, NULL);

    g_assert_true(g_file_set_contents(path, "data", -1, NULL));
    return path;
}

/* Runs a command; whether it exited 0. Its first line of output in @out when asked. */
static gboolean
run(const char *const *argv, char **out)
{
    g_autofree char *stdout_text = NULL;
    g_autofree char *stderr_text = NULL;
    g_autoptr(GError) error = NULL;
    int status = -1;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &stdout_text,
                      &stderr_text, &status, &error)) {
        g_test_message("%s: %s", argv[0], error->message);
        return FALSE;
    }
    if (!g_spawn_check_wait_status(status, &error)) {
        g_test_message("%s: %s %s", argv[0], error->message, stderr_text);
        return FALSE;
    }
    if (out)
        *out = g_strstrip(g_steal_pointer(&stdout_text));
    return TRUE;
}

/* What svirt_label_target_open_for() says of @path: NULL when it accepts it. */
static char *
refusal_of(const char *path, const SvirtLabelFor *use)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtLabelTarget) target =
        svirt_label_target_open_for(path, SVIRT_LABEL_TARGET_FILE, use, &error);

    g_test_message("%s -> %s", path, error ? error->message : "accepted");
    if (target)
        return NULL;
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE);
    return g_strdup(error->message);
}

static const SvirtLabelFor allowed = { "web", "vdb", TRUE };
static const SvirtLabelFor not_allowed = { "web", "vdb", FALSE };

static void
assert_contains(const char *text, const char *part)
{
    if (!text || !strstr(text, part))
        g_error("'%s' does not contain '%s'", text ? text : "(accepted)", part);
}

/* Every row says where and why, and the labelling rules document shows every row. */
static void
test_table(void)
{
    g_autofree char *doc_path =
        g_test_build_filename(G_TEST_DIST, "..", "docs", "labelling-rules.md", NULL);
    g_autofree char *doc = NULL;
    gsize n;
    const SvirtHostPlace *rows = svirt_host_places(&n);

    g_assert_true(g_file_get_contents(doc_path, &doc, NULL, NULL));
    g_assert_cmpuint(n, >, 10);
    for (gsize i = 0; i < n; i++) {
        g_autofree char *cell = g_strdup_printf("| `%s` |", rows[i].place);

        g_assert_true(g_path_is_absolute(rows[i].place));
        g_assert_true(rows[i].reason && *rows[i].reason);
        assert_contains(doc, cell);
    }
}

typedef struct {
    const char *path;
    gboolean block;
    const char *refusal; /* NULL: allowed */
    gboolean overridable;
} PlaceCase;

static void
test_places(void)
{
    static const PlaceCase cases[] = {
        { "/etc/passwd", FALSE, "under /etc, which belongs to the host (the host's "
                                "configuration)", FALSE },
        { "/var/lib/selinux/final/x", FALSE, "under /var/lib/selinux", FALSE },
        { "/var/lib/svirt-manager/journal.json", FALSE, "the labelling journal", FALSE },
        { "/var/spool/cron/crontabs/root", FALSE, "under /var/spool", TRUE },
        { "/var/lib/dpkg/status", FALSE, "under /var/lib", TRUE },
        { "/var/log/syslog", FALSE, "under /var/log", TRUE },
        { "/var/cache/apt/pkgcache.bin", FALSE, "under /var/cache", TRUE },
        { "/run/lock/x", FALSE, "under /run", TRUE },
        { "/swapfile", FALSE, "directly in /", TRUE },
        { "/dev/sda", FALSE, "under /dev", FALSE },
        { "/dev/sda", TRUE, NULL, FALSE },
        /* Image pools keep working. */
        { "/var/lib/libvirt/images/vm.qcow2", FALSE, NULL, FALSE },
        { "/var/lib/libvirt/boot/debian.iso", FALSE, NULL, FALSE },
        { "/var/log/libvirt/qemu/vm-serial.log", FALSE, NULL, FALSE },
        { "/run/libvirt/qemu/vm.sock", FALSE, NULL, FALSE },
        { "/var/lib2/x.img", FALSE, NULL, FALSE },
        { "/home/user/vm.img", FALSE, NULL, FALSE },
        { "/srv/vm/a.img", FALSE, NULL, FALSE },
        { "/tmp/vm.img", FALSE, NULL, FALSE },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        const PlaceCase *c = &cases[i];
        SvirtLabelTargetKind kind = c->block ? SVIRT_LABEL_TARGET_BLOCK : SVIRT_LABEL_TARGET_FILE;
        g_autoptr(GError) error = NULL;
        g_autoptr(GError) with_override = NULL;
        gboolean ok = svirt_labeler_check_location(c->path, kind, &error);
        gboolean ok_allowed =
            svirt_labeler_check_location_for(c->path, kind, &allowed, &with_override);

        g_test_message("%s -> %s", c->path, error ? error->message : "allowed");
        if (!c->refusal) {
            g_assert_no_error(error);
            g_assert_true(ok && ok_allowed);
            continue;
        }
        g_assert_false(ok);
        g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE);
        assert_contains(error->message, c->refusal);
        /* The refusals an administrator may override say how; the others do not. */
        g_assert_cmpint(strstr(error->message, "--allow-host-file yes") != NULL, ==,
                        c->overridable);
        g_assert_cmpint(ok_allowed, ==, c->overridable);
    }
}

/* The advice names the VM and the disk to allow, quoted for the shell where needed. */
static void
test_override_hint(void)
{
    const SvirtLabelFor spaced = { "web 1", "vdc", FALSE };
    g_autoptr(GError) e1 = NULL;
    g_autoptr(GError) e2 = NULL;

    g_assert_false(svirt_labeler_check_location_for("/var/spool/x", SVIRT_LABEL_TARGET_FILE,
                                                    &not_allowed, &e1));
    assert_contains(e1->message, "VM 'web'");
    assert_contains(e1->message, "'svirtctl set-disk web vdb --allow-host-file yes'");
    g_assert_false(svirt_labeler_check_location_for("/var/spool/x", SVIRT_LABEL_TARGET_FILE,
                                                    &spaced, &e2));
    assert_contains(e2->message, "'svirtctl set-disk 'web 1' vdc --allow-host-file yes'");
}

/* Another name of a file may be a host file or another VM's disk: the object counts. */
static void
test_hard_link(void)
{
    g_autofree char *file = make_file(tmpdir, "linked.img");
    g_autofree char *other = g_build_filename(tmpdir, "other-name.img", NULL);
    g_autofree char *refused = NULL;
    g_autofree char *lifted = NULL;
    g_autofree char *single = NULL;

    g_assert_cmpint(link(file, other), ==, 0);
    refused = refusal_of(other, &not_allowed);
    lifted = refusal_of(other, &allowed);
    g_unlink(other);
    single = refusal_of(file, NULL);
    g_unlink(file);

    assert_contains(refused, "has 2 names (hard links)");
    assert_contains(refused, "'svirtctl set-disk web vdb --allow-host-file yes'");
    g_assert_null(lifted);
    g_assert_null(single);
}

typedef struct {
    char *source;
    char *view;
    gboolean mounted;
} Bind;

/* Binds @source at a new directory of the scratch directory, read-only when asked. */
static gboolean
bind_mount(Bind *bind, const char *source, gboolean read_only)
{
    bind->source = g_strdup(source);
    bind->view = g_build_filename(tmpdir, "view-XXXXXX", NULL);
    g_assert_nonnull(g_mkdtemp(bind->view));
    if (mount(source, bind->view, NULL, MS_BIND, NULL) < 0) {
        g_test_message("mount --bind %s: %s", source, g_strerror(errno));
        return FALSE;
    }
    bind->mounted = TRUE;
    if (read_only &&
        mount(NULL, bind->view, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0) {
        g_test_message("read-only bind of %s: %s", source, g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

static void
bind_clear(Bind *bind)
{
    if (bind->mounted && umount2(bind->view, MNT_DETACH) < 0)
        g_error("could not unmount %s: %s", bind->view, g_strerror(errno));
    if (bind->view)
        g_rmdir(bind->view);
    g_free(bind->source);
    g_free(bind->view);
}

/* /etc bound anywhere is still /etc. The bind is read-only: nothing can label /etc through it
 * even if the check is missing. */
static void
test_bind_mount_of_etc(void)
{
    Bind bind = { 0 };
    g_autofree char *passwd = NULL;
    g_autofree char *refused = NULL;
    g_autofree char *lifted = NULL;
    gboolean ok;

    if (geteuid() != 0) {
        g_test_skip("needs root to bind-mount");
        return;
    }
    ok = bind_mount(&bind, "/etc", TRUE);
    if (ok) {
        passwd = g_build_filename(bind.view, "passwd", NULL);
        refused = refusal_of(passwd, NULL);
        lifted = refusal_of(passwd, &allowed);
    }
    bind_clear(&bind);
    if (!ok) {
        g_test_skip("bind mounts are not permitted here");
        return;
    }
    assert_contains(refused, "passwd (also mounted as /etc/passwd)");
    assert_contains(refused, "under /etc, which belongs to the host");
    assert_contains(lifted, "under /etc");
}

/* A scratch directory in a host place (/var/lib), bound elsewhere: refused by what it is,
 * allowed by the override; a bind of an ordinary directory is no reason to refuse. */
static void
test_bind_mount_of_host_dir(void)
{
    g_autofree char *host_dir = NULL;
    g_autofree char *host_file = NULL;
    g_autofree char *plain_dir = g_build_filename(tmpdir, "plain", NULL);
    g_autofree char *plain_file = NULL;
    g_autofree char *through = NULL;
    g_autofree char *plain_through = NULL;
    g_autofree char *refused = NULL;
    g_autofree char *lifted = NULL;
    g_autofree char *plain = NULL;
    Bind host = { 0 }, other = { 0 };
    gboolean ok;

    if (geteuid() != 0) {
        g_test_skip("needs root to bind-mount");
        return;
    }
    host_dir = svm_test_make_host_dir("svm-host-files");
    host_file = make_file(host_dir, "disk.img");
    g_assert_cmpint(g_mkdir(plain_dir, 0700), ==, 0);
    plain_file = make_file(plain_dir, "disk.img");
    ok = bind_mount(&host, host_dir, FALSE) && bind_mount(&other, plain_dir, FALSE);
    if (ok) {
        through = g_build_filename(host.view, "disk.img", NULL);
        plain_through = g_build_filename(other.view, "disk.img", NULL);
        refused = refusal_of(through, &not_allowed);
        lifted = refusal_of(through, &allowed);
        plain = refusal_of(plain_through, NULL);
    }
    bind_clear(&host);
    bind_clear(&other);
    g_unlink(host_file);
    g_rmdir(host_dir);
    g_unlink(plain_file);
    g_rmdir(plain_dir);
    if (!ok) {
        g_test_skip("bind mounts are not permitted here");
        return;
    }
    assert_contains(refused, host_file);
    assert_contains(refused, "under /var/lib, which belongs to the host");
    assert_contains(refused, "--allow-host-file yes");
    g_assert_null(lifted);
    g_assert_null(plain);
}

/* /proc/swaps escapes a space as \040; a file is matched by device and inode. */
static void
test_swaps_parser(void)
{
    g_autofree char *spaced = make_file(tmpdir, "swap file.img");
    g_autofree char *other = make_file(tmpdir, "not-swap.img");
    g_autofree char *fixture = g_build_filename(tmpdir, "swaps", NULL);
    g_autofree char *text = NULL;
    struct stat st_spaced, st_other;

    text = g_strdup_printf("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
                           "%s/swap\\040file.img                 file\t\t16380\t\t0\t\t-2\n",
                           tmpdir);
    g_assert_true(g_file_set_contents(fixture, text, -1, NULL));
    g_assert_cmpint(stat(spaced, &st_spaced), ==, 0);
    g_assert_cmpint(stat(other, &st_other), ==, 0);
    g_assert_true(svirt_host_is_swap(&st_spaced, fixture));
    g_assert_false(svirt_host_is_swap(&st_other, fixture));
    g_unlink(fixture);
    g_unlink(spaced);
    g_unlink(other);
}

/* An active swap file, made with mkswap and swapon. */
static void
test_swap_file(void)
{
    g_autofree char *swap = g_build_filename(tmpdir, "swap.img", NULL);
    g_autofree char *zeros = g_malloc0(16 * 1024 * 1024);
    g_autofree char *refused = NULL;
    g_autofree char *lifted = NULL;
    const char *mkswap[] = { "mkswap", "-q", swap, NULL };
    const char *swapon[] = { "swapon", swap, NULL };
    const char *swapoff[] = { "swapoff", swap, NULL };
    gboolean on;

    g_assert_true(g_file_set_contents(swap, zeros, 16 * 1024 * 1024, NULL));
    g_assert_cmpint(g_chmod(swap, 0600), ==, 0);
    on = run(mkswap, NULL) && run(swapon, NULL);
    if (on) {
        refused = refusal_of(swap, NULL);
        lifted = refusal_of(swap, &allowed);
        g_assert_true(run(swapoff, NULL));
    }
    g_unlink(swap);
    if (!on) {
        g_test_skip("swapon is not permitted here; the /proc/swaps reader is tested with a "
                    "fixture (/host-files/swaps-parser)");
        return;
    }
    assert_contains(refused, "is the host's swap space");
    assert_contains(refused, "swapoff");
    /* The host uses it: no override gives it to a VM. */
    assert_contains(lifted, "is the host's swap space");
}

/* The backing file of an attached loop device; detached, it is an ordinary file again. */
static void
test_loop_backing(void)
{
    g_autofree char *image = g_build_filename(tmpdir, "loop.img", NULL);
    g_autofree char *zeros = g_malloc0(1024 * 1024);
    g_autofree char *device = NULL;
    g_autofree char *refused = NULL;
    g_autofree char *lifted = NULL;
    g_autofree char *detached = NULL;
    g_autofree char *expected = NULL;
    const char *attach[] = { "losetup", "--find", "--show", image, NULL };
    gboolean attached;

    g_assert_true(g_file_set_contents(image, zeros, 1024 * 1024, NULL));
    attached = run(attach, &device);
    if (attached) {
        const char *detach[] = { "losetup", "-d", device, NULL };

        refused = refusal_of(image, NULL);
        lifted = refusal_of(image, &allowed);
        g_assert_true(run(detach, NULL));
        detached = refusal_of(image, NULL);
    }
    g_unlink(image);
    if (!attached) {
        g_test_skip("losetup is not permitted here");
        return;
    }
    expected = g_strdup_printf("backing file of loop device %s", device);
    assert_contains(refused, expected);
    assert_contains(refused, "losetup -d");
    assert_contains(lifted, expected);
    g_assert_null(detached);
}

/* A file directly in / is the host's (a swap file, for example); the override lifts it. */
static void
test_top_directory(void)
{
    g_autofree char *name = g_strdup_printf("/svm-host-files-%d.img", (int)getpid());
    g_autofree char *refused = NULL;
    g_autofree char *lifted = NULL;

    if (!g_file_set_contents(name, "data", -1, NULL)) {
        g_test_skip("cannot create a file in /");
        return;
    }
    refused = refusal_of(name, &not_allowed);
    lifted = refusal_of(name, &allowed);
    g_unlink(name);
    assert_contains(refused, "directly in /, which belongs to the host");
    assert_contains(refused, "--allow-host-file yes");
    g_assert_null(lifted);
}

/* The engine's own journal directory, wherever it is configured, also through a symlink. */
static void
test_state_dir(void)
{
    g_autofree char *state = g_build_filename(tmpdir, "state", NULL);
    g_autofree char *old = g_strdup(g_getenv("SVIRT_STATE_DIR"));
    g_autofree char *file = NULL;
    g_autofree char *symlink_path = g_build_filename(tmpdir, "journal-link.img", NULL);
    g_autofree char *refused = NULL;
    g_autofree char *lifted = NULL;
    g_autofree char *linked = NULL;

    g_assert_cmpint(g_mkdir(state, 0700), ==, 0);
    file = make_file(state, "journal.json");
    g_assert_cmpint(symlink(file, symlink_path), ==, 0);
    g_setenv("SVIRT_STATE_DIR", state, TRUE);
    refused = refusal_of(file, NULL);
    lifted = refusal_of(file, &allowed);
    linked = refusal_of(symlink_path, &allowed);
    if (old)
        g_setenv("SVIRT_STATE_DIR", old, TRUE);
    else
        g_unsetenv("SVIRT_STATE_DIR");
    g_unlink(symlink_path);
    g_unlink(file);
    g_rmdir(state);

    assert_contains(refused, "the labelling journal of sVirt Manager");
    assert_contains(lifted, "the labelling journal of sVirt Manager");
    assert_contains(linked, "the labelling journal of sVirt Manager");
}

/* An ordinary file has no other name, and is accepted. */
static void
test_plain_file(void)
{
    g_autofree char *file = make_file(tmpdir, "plain.img");
    g_autofree char *refused = refusal_of(file, NULL);
    int fd = open(file, O_PATH | O_CLOEXEC);
    g_autoptr(GPtrArray) aliases = svirt_host_aliases(fd, file);

    close(fd);
    g_unlink(file);
    g_assert_null(refused);
    g_assert_cmpuint(aliases->len, ==, 0);
}

int
main(int argc, char *argv[])
{
    int ret;

    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_DEFAULT);
    g_test_init(&argc, &argv, NULL);
    tmpdir = svm_test_make_dir("svm-host-files");

    g_test_add_func("/host-files/table", test_table);
    g_test_add_func("/host-files/places", test_places);
    g_test_add_func("/host-files/override-hint", test_override_hint);
    g_test_add_func("/host-files/hard-link", test_hard_link);
    g_test_add_func("/host-files/bind-mount-of-etc", test_bind_mount_of_etc);
    g_test_add_func("/host-files/bind-mount-of-host-dir", test_bind_mount_of_host_dir);
    g_test_add_func("/host-files/swaps-parser", test_swaps_parser);
    g_test_add_func("/host-files/swap-file", test_swap_file);
    g_test_add_func("/host-files/loop-backing", test_loop_backing);
    g_test_add_func("/host-files/top-directory", test_top_directory);
    g_test_add_func("/host-files/state-dir", test_state_dir);
    g_test_add_func("/host-files/plain-file", test_plain_file);
    ret = g_test_run();
    g_rmdir(tmpdir);
    g_free(tmpdir);
    return ret;
}
