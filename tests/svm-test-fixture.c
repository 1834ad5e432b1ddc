#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib-unix.h>
#include <libvirt/virterror.h>

#include "svirt-engine.h"
#include "svirt-lifecycle.h"
#include "svm-test-fixture.h"
#include "svm-test-vm.h"

#define DEFAULT_URI "qemu:///system"
#define VM_PREFIX "svm-test-"
#define DIR_PREFIX "svm-"
/* g_dir_make_tmp() replaces "XXXXXX" with six characters. */
#define TMP_SUFFIX_LEN 7
/* The watchdog gives up rather than hang a test run. */
#define WATCHDOG_SECONDS 300
#define STATE_ENV "SVIRT_STATE_DIR"
#define STATE_PREFIX "svm-state"

/* The status that tells a test harness a test was skipped (automake's, which meson follows). */
#define EXIT_SKIPPED 77

/* The journal of owners without a private one: the run's, before fixture_init() changed it. */
static char *shared_state;

const char *
svm_test_uri(void)
{
    const char *uri = g_getenv(SVM_TEST_URI_ENV);

    return uri && *uri ? uri : DEFAULT_URI;
}

static G_GNUC_NORETURN void
skip_all(char **argv, const char *why)
{
    g_printerr("%s\n", why);
    if (argv && g_strv_contains((const char *const *)argv, "--tap")) {
        g_print("1..0 # SKIP %s\n", why);
        exit(EXIT_SUCCESS);
    }
    exit(EXIT_SKIPPED);
}

void
svm_test_require_libvirtd(char **argv)
{
    const char *uri = svm_test_uri();
    virConnectPtr conn;
    g_autofree char *reason = NULL;
    g_autofree char *why = NULL;

    /* Keeps libvirt from printing the error itself. */
    svirt_engine_init_libvirt();
    conn = virConnectOpen(uri);
    if (conn) {
        virConnectClose(conn);
        return;
    }
    reason = g_strdup(virGetLastErrorMessage());
    g_strdelimit(g_strstrip(reason), "\n", ' ');
    why = g_strdup_printf("libvirtd is not reachable at %s (%s): start it with `libvirtd -d`, "
                          "or point " SVM_TEST_URI_ENV " at one that runs",
                          uri, reason);
    skip_all(argv, why);
}

/* The pid that ends "…-<pid>" in the first @len bytes of @name, or 0. */
static GPid
trailing_pid(const char *name, gsize len)
{
    gsize start = len;

    while (start > 0 && g_ascii_isdigit(name[start - 1]))
        start--;
    if (start == len || start == 0 || name[start - 1] != '-' || len - start > 9)
        return 0;
    return (GPid)g_ascii_strtoll(name + start, NULL, 10);
}

gboolean
svm_test_process_gone(GPid pid)
{
    g_autofree char *path = NULL;
    g_autofree char *stat = NULL;
    const char *end;

    if (kill(pid, 0) < 0 && errno == ESRCH)
        return TRUE;
    /* A zombie has ended too; its parent just has not collected it yet. */
    path = g_strdup_printf("/proc/%d/stat", (int)pid);
    if (!g_file_get_contents(path, &stat, NULL, NULL))
        return FALSE;
    end = strrchr(stat, ')');
    return end && (end[1] == ' ') && (end[2] == 'Z' || end[2] == 'X');
}

static gboolean
is_swept(GPid pid, GPid owner)
{
    if (pid <= 0 || pid == getpid())
        return FALSE;
    if (owner > 0)
        return pid == owner;
    return svm_test_process_gone(pid);
}

/* Volumes the VM's creation made are named after it ("<vm>-1.img"). */
static void
delete_volumes(virConnectPtr conn, const char *vm, const char *xml)
{
    g_autoptr(GRegex) re = g_regex_new("<source file=['\"]([^'\"]+)['\"]", 0, 0, NULL);
    g_autoptr(GMatchInfo) match = NULL;

    g_regex_match(re, xml, 0, &match);
    for (; g_match_info_matches(match); g_match_info_next(match, NULL)) {
        g_autofree char *path = g_match_info_fetch(match, 1);
        virStorageVolPtr vol = virStorageVolLookupByPath(conn, path);

        if (!vol)
            continue;
        if (g_str_has_prefix(virStorageVolGetName(vol), vm) && virStorageVolDelete(vol, 0) == 0)
            g_message("Deleted volume %s of %s", path, vm);
        virStorageVolFree(vol);
    }
    virResetLastError();
}

static void
remove_vm(SvirtEngine *engine, virConnectPtr conn, virDomainPtr dom)
{
    const char *name = virDomainGetName(dom);
    char uuid[VIR_UUID_STRING_BUFLEN] = "";
    char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
    g_autoptr(GError) error = NULL;
    gboolean ok;

    virDomainGetUUIDString(dom, uuid);
    /* Forcing off through the engine restores what the journal holds for the VM. */
    if (virDomainIsActive(dom) == 1)
        ok = svirt_engine_stop_vm(engine, uuid, TRUE, 0, &error);
    else
        ok = svirt_restore_holder(uuid, NULL, &error);
    if (!ok)
        g_message("Restoring the labels of %s: %s", name, error->message);
    if (virDomainIsActive(dom) == 1)
        virDomainDestroy(dom);
    if (virDomainUndefineFlags(dom, VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
                                        VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
                                        VIR_DOMAIN_UNDEFINE_NVRAM) < 0)
        virDomainUndefine(dom);
    if (xml)
        delete_volumes(conn, name, xml);
    free(xml);
    virResetLastError();
}

void
svm_test_remove_vm(const char *vm)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(svm_test_uri());
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(GError) error = NULL;

    if (!svirt_engine_connect(engine, NULL, &error)) {
        g_message("Could not remove %s: %s", vm, error->message);
        return;
    }
    conn = svirt_engine_dup_connection(engine, NULL);
    dom = virDomainLookupByUUIDString(conn, vm);
    if (!dom)
        dom = virDomainLookupByName(conn, vm);
    virResetLastError();
    if (dom)
        remove_vm(engine, conn, dom);
}

SvirtEngine *
svm_test_connect_engine(void)
{
    SvirtEngine *engine = svirt_engine_new(svm_test_uri());
    g_autoptr(GError) error = NULL;

    if (!svirt_engine_connect(engine, NULL, &error))
        g_error("%s", error->message);
    return engine;
}

/* The private journal of @owner ("/tmp/svm-state-<owner>-XXXXXX"), if it has one. */
static char *
owner_state_dir(GPid owner)
{
    const char *tmp = g_get_tmp_dir();
    g_autoptr(GDir) dir = g_dir_open(tmp, 0, NULL);
    g_autofree char *prefix = g_strdup_printf(STATE_PREFIX "-%d-", (int)owner);
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        if (g_str_has_prefix(name, prefix) && strlen(name) == strlen(prefix) + 6)
            return g_build_filename(tmp, name, NULL);
    }
    return NULL;
}

/* Removes @dom with the labels restored from the journal its owner used. */
static void
remove_owned_vm(SvirtEngine *engine, virConnectPtr conn, virDomainPtr dom, GPid owner)
{
    g_autofree char *private_state = owner_state_dir(owner);
    const char *journal = private_state ? private_state : shared_state;
    g_autofree char *saved = g_strdup(g_getenv(STATE_ENV));

    if (journal)
        g_setenv(STATE_ENV, journal, TRUE);
    remove_vm(engine, conn, dom);
    if (saved)
        g_setenv(STATE_ENV, saved, TRUE);
    else
        g_unsetenv(STATE_ENV);
}

/* Whether the NUL-separated arguments in @cmdline are QEMU's with one naming a file under
 * @dir. */
static gboolean
is_qemu_under(const char *cmdline, gsize len, const char *dir)
{
    g_autofree char *prefix = g_strconcat(dir, "/", NULL);
    g_autofree char *program = g_path_get_basename(cmdline);

    if (!g_str_has_prefix(program, "qemu-system-"))
        return FALSE;
    for (const char *p = cmdline; p < cmdline + len; p += strlen(p) + 1) {
        if (strstr(p, prefix))
            return TRUE;
    }
    return FALSE;
}

/* A QEMU that a driver embedded in a test (qemu:///embed?root=DIR) started, a VM or a probe
 * of QEMU's capabilities, outlives the test; its command line names files under DIR. */
static void
kill_embedded_qemus(const char *root)
{
    g_autoptr(GDir) proc = g_dir_open("/proc", 0, NULL);
    const char *name;

    while (proc && (name = g_dir_read_name(proc))) {
        g_autofree char *path = NULL;
        g_autofree char *cmdline = NULL;
        gsize len = 0;
        guint64 pid;

        if (!g_ascii_string_to_unsigned(name, 10, 2, G_MAXINT, &pid, NULL))
            continue;
        path = g_build_filename("/proc", name, "cmdline", NULL);
        if (!g_file_get_contents(path, &cmdline, &len, NULL) ||
            !is_qemu_under(cmdline, len, root))
            continue;
        g_message("Stopping QEMU %s, left behind by a test that ended", name);
        kill((pid_t)pid, SIGKILL);
    }
}

void
svm_test_remove_embed_root(const char *root)
{
    kill_embedded_qemus(root);
    svm_test_rmdir(root);
}

static void
sweep_dirs_in(const char *tmp, GPid owner)
{
    g_autoptr(GDir) dir = g_dir_open(tmp, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        gsize len = strlen(name);
        g_autofree char *path = NULL;
        struct stat st;

        /* "svm-…-<owner>-XXXXXX", as svm_test_make_dir() names them. */
        if (!g_str_has_prefix(name, DIR_PREFIX) || len <= TMP_SUFFIX_LEN ||
            name[len - TMP_SUFFIX_LEN] != '-' ||
            !is_swept(trailing_pid(name, len - TMP_SUFFIX_LEN), owner))
            continue;
        path = g_build_filename(tmp, name, NULL);
        if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid())
            continue;
        kill_embedded_qemus(path);
        svm_test_rmdir(path);
    }
}

/* Those a test made with useradd, which only root can have made and remove. */
static void
sweep_users(GPid owner)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    struct passwd *pw;

    if (getuid() != 0)
        return;
    setpwent();
    while ((pw = getpwent())) {
        if (g_str_has_prefix(pw->pw_name, SVM_TEST_USER_PREFIX) &&
            is_swept(trailing_pid(pw->pw_name, strlen(pw->pw_name)), owner))
            g_ptr_array_add(names, g_strdup(pw->pw_name));
    }
    endpwent();
    for (guint i = 0; i < names->len; i++) {
        const char *argv[] = { "userdel", g_ptr_array_index(names, i), NULL };

        g_message("Removing user %s, left behind by a test that ended", argv[1]);
        g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, NULL, NULL);
    }
}

/* Those of svm_test_make_dir() and svm_test_make_host_dir(). */
static void
sweep_dirs(GPid owner)
{
    sweep_dirs_in(g_get_tmp_dir(), owner);
    sweep_dirs_in(SVM_TEST_HOST_DIR_ROOT, owner);
}

guint
svm_test_sweep(GPid owner)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(svm_test_uri());
    g_autoptr(virConnect) conn = NULL;
    virDomainPtr *doms = NULL;
    int n = 0;
    guint removed = 0;

    if (svirt_engine_connect(engine, NULL, NULL))
        conn = svirt_engine_dup_connection(engine, NULL);
    if (conn)
        n = virConnectListAllDomains(conn, &doms, 0);
    for (int i = 0; i < n; i++) {
        const char *name = virDomainGetName(doms[i]);
        GPid pid = trailing_pid(name, strlen(name));

        if (g_str_has_prefix(name, VM_PREFIX) && is_swept(pid, owner)) {
            g_message("Removing %s, left behind by a test that ended", name);
            remove_owned_vm(engine, conn, doms[i], pid);
            removed++;
        }
        virDomainFree(doms[i]);
    }
    free(doms);
    virResetLastError();
    /* After the VMs, whose labels may be journalled in a private state directory. */
    sweep_dirs(owner);
    sweep_users(owner);
    return removed;
}

/* Runs in the forked child: waits for the owner to end, then sweeps what it left. */
static G_GNUC_NORETURN void
watchdog(int fd, GPid owner)
{
    char buf[16];
    int max = (int)sysconf(_SC_OPEN_MAX);

    /* Out of the test's process group, which a timeout kills, and off the TAP stream. */
    setsid();
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    dup2(STDERR_FILENO, STDOUT_FILENO);
    for (int i = STDERR_FILENO + 1; i < MIN(max, 4096); i++) {
        if (i != fd)
            close(i);
    }
    /* Every copy of the write end closes when the owner ends, however it ends. */
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));

        if (n == 0 || (n < 0 && errno != EINTR))
            break;
    }
    alarm(WATCHDOG_SECONDS);
    svm_test_sweep(owner);
    /* And what other owners that ended with it (its subprocesses) left. */
    svm_test_sweep(0);
    _exit(0);
}

void
svm_test_fixture_init(char **argv, SvmTestFixtureFlags flags)
{
    g_autofree char *owner = NULL;
    g_autoptr(GError) error = NULL;
    int fds[2];
    pid_t pid;

    if (g_getenv(SVM_TEST_OWNER_ENV))
        return;
    /* As libvirt asks of its clients: a connection libvirtd closed is an error, not a
     * signal that ends the test without a word. */
    signal(SIGPIPE, SIG_IGN);
    owner = g_strdup_printf("%d", (int)getpid());
    g_setenv(SVM_TEST_OWNER_ENV, owner, TRUE);
    shared_state = g_strdup(g_getenv(STATE_ENV));
    if (flags & SVM_TEST_FIXTURE_PRIVATE_STATE) {
        g_autofree char *state = svm_test_make_vm_dir(STATE_PREFIX);

        g_setenv(STATE_ENV, state, TRUE);
    }
    if (!g_unix_open_pipe(fds, FD_CLOEXEC, &error))
        g_error("Could not make the watchdog's pipe: %s", error->message);
    pid = fork();
    if (pid < 0)
        g_error("Could not start the watchdog: %s", g_strerror(errno));
    if (pid == 0) {
        close(fds[1]);
        watchdog(fds[0], svm_test_owner());
    }
    /* The write end stays open, unused, until this process ends. */
    close(fds[0]);
    /* Only now: the watchdog must not inherit a libvirt that has been used (libvirt's state
     * does not survive a fork()), or its sweep can wait forever for a reply. */
    if (flags & SVM_TEST_FIXTURE_LIBVIRTD)
        svm_test_require_libvirtd(argv);
    svm_test_sweep(0);
}
