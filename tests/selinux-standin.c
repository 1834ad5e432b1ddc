/* A simulated SELinux host, preloaded (LD_PRELOAD) into a test process: the libselinux calls
 * libvirt's selinux security driver and the engine make are answered as an enforcing host
 * would answer them, and every label set is recorded instead of reaching the kernel.
 *
 *   SVM_SELINUX_RECORD    file each label set is appended to, one line each:
 *                         "<call>\t<pid>\t<context>\t<object>"; <object> is the path, "fd:N"
 *                         followed by the path it opens, or "-" for the process calls.
 *   SVM_SELINUX_CONTEXTS  directory holding virtual_domain_context and virtual_image_context
 *                         (libvirt's QEMU types); unset: the host's policy files.
 *   SVM_SELINUX_PROCESS   the context this process runs as (getcon()); default a libvirtd's.
 *   SVIRT_LABEL_XATTR     the attribute file labels are read from, as the engine writes them;
 *                         default security.selinux.
 *
 * Labels set are recorded, not written: files keep what the engine gave them, and a set that
 * the engine did not make shows in the record. A process's label is the one its last
 * setexeccon() recorded, so getpidcon() of a QEMU that libvirt started answers what it was
 * exec'd under. svm_selinux_standin_set_enabled() and _set_enforcing() switch the simulated
 * host to disabled or permissive for the tests of those branches; a test that makes its record
 * file after it started names it with svm_selinux_standin_set_record(). */
#define _GNU_SOURCE

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <selinux/label.h>
#include <selinux/selinux.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

/* What a test finds with dlsym() to switch the simulated host. */
EXPORT void svm_selinux_standin_set_enabled(int on);
EXPORT void svm_selinux_standin_set_enforcing(int on);
EXPORT void svm_selinux_standin_set_record(const char *path);

#define DEFAULT_PROCESS "system_u:system_r:virtd_t:s0-s0:c0.c1023"
#define DEFAULT_XATTR "security.selinux"
#define RECORD_LINE_MAX 4096

static int enabled = 1;
static int enforcing = 1;

/* Read once, before libvirt forks: the record is also written in a child about to exec, where
 * only async-signal-safe calls are allowed. */
static char record_path[PATH_MAX];
/* Each its own string, as libselinux's are: a caller may hold both at once. */
static char domain_context_path[PATH_MAX];
static char image_context_path[PATH_MAX];

__attribute__((constructor)) static void
standin_init(void)
{
    const char *record = getenv("SVM_SELINUX_RECORD");
    const char *contexts = getenv("SVM_SELINUX_CONTEXTS");

    if (record)
        snprintf(record_path, sizeof(record_path), "%s", record);
    if (contexts) {
        snprintf(domain_context_path, sizeof(domain_context_path) - 32, "%s", contexts);
        strcat(domain_context_path, "/virtual_domain_context");
        snprintf(image_context_path, sizeof(image_context_path) - 32, "%s", contexts);
        strcat(image_context_path, "/virtual_image_context");
    }
}

EXPORT void
svm_selinux_standin_set_enabled(int on)
{
    __atomic_store_n(&enabled, on, __ATOMIC_SEQ_CST);
}

EXPORT void
svm_selinux_standin_set_enforcing(int on)
{
    __atomic_store_n(&enforcing, on, __ATOMIC_SEQ_CST);
}

/* Call it before libvirt starts a process: the child reads the name without a lock. */
EXPORT void
svm_selinux_standin_set_record(const char *path)
{
    snprintf(record_path, sizeof(record_path), "%s", path ? path : "");
}

static int
is_enabled(void)
{
    return __atomic_load_n(&enabled, __ATOMIC_SEQ_CST);
}

static void *
real_symbol(const char *name)
{
    void *sym = dlsym(RTLD_NEXT, name);

    if (!sym) {
        static const char msg[] = "selinux stand-in: libselinux has no symbol for a call\n";

        (void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
        abort();
    }
    return sym;
}

static size_t
append(char *buf, size_t at, const char *s)
{
    size_t n = strlen(s);

    if (at + n >= RECORD_LINE_MAX - 1)
        n = RECORD_LINE_MAX - 2 - at;
    memcpy(buf + at, s, n);
    return at + n;
}

static void
format_int(char *out, long value)
{
    char tmp[24];
    int n = 0, i = 0;
    unsigned long v = value < 0 ? -(unsigned long)value : (unsigned long)value;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (value < 0)
        out[i++] = '-';
    while (n)
        out[i++] = tmp[--n];
    out[i] = '\0';
}

/* Only open, write and close: this runs between fork() and exec() too. */
static void
record(const char *call, const char *context, const char *object, const char *object_more)
{
    char line[RECORD_LINE_MAX];
    char pid[24];
    size_t at = 0;
    int fd;

    if (!record_path[0])
        return;
    format_int(pid, (long)getpid());
    at = append(line, at, call);
    at = append(line, at, "\t");
    at = append(line, at, pid);
    at = append(line, at, "\t");
    at = append(line, at, context ? context : "none");
    at = append(line, at, "\t");
    at = append(line, at, object ? object : "-");
    if (object_more)
        at = append(line, at, object_more);
    line[at++] = '\n';
    fd = open(record_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    (void)!write(fd, line, at);
    close(fd);
}

static int
fail(int err)
{
    errno = err;
    return -1;
}

/* The process and file calls of a host where SELinux is off fail as libselinux's do. */
static int
set_label(const char *call, const char *context, const char *object)
{
    if (!is_enabled())
        return fail(ENOTSUP);
    record(call, context, object, NULL);
    return 0;
}

EXPORT int
is_selinux_enabled(void)
{
    return is_enabled();
}

EXPORT int
security_getenforce(void)
{
    if (!is_enabled())
        return fail(ENOENT);
    return __atomic_load_n(&enforcing, __ATOMIC_SEQ_CST);
}

EXPORT int
security_get_boolean_active(const char *name)
{
    (void)name;
    if (!is_enabled())
        return fail(ENOENT);
    /* Every boolean off, as a default policy has virt_use_nfs and the like. */
    return 0;
}

static const char *
process_context(void)
{
    const char *env = getenv("SVM_SELINUX_PROCESS");

    return env && *env ? env : DEFAULT_PROCESS;
}

EXPORT int
getcon_raw(char **context)
{
    if (!is_enabled())
        return fail(EINVAL);
    *context = strdup(process_context());
    return *context ? 0 : fail(ENOMEM);
}

EXPORT int
getcon(char **context)
{
    return getcon_raw(context);
}

/* The context the last setexeccon() of process @pid recorded, or NULL. */
static char *
recorded_exec_context(pid_t pid)
{
    FILE *f = record_path[0] ? fopen(record_path, "re") : NULL;
    char line[RECORD_LINE_MAX];
    char *found = NULL;

    if (!f)
        return NULL;
    while (fgets(line, sizeof(line), f)) {
        char *save = NULL;
        char *call = strtok_r(line, "\t\n", &save);
        char *who = strtok_r(NULL, "\t\n", &save);
        char *context = strtok_r(NULL, "\t\n", &save);

        if (!call || !who || !context || strcmp(call, "setexeccon") != 0 ||
            atol(who) != (long)pid)
            continue;
        free(found);
        found = strcmp(context, "none") == 0 ? NULL : strdup(context);
    }
    fclose(f);
    return found;
}

EXPORT int
getpidcon_raw(pid_t pid, char **context)
{
    if (!is_enabled())
        return fail(EINVAL);
    if (pid == getpid())
        return getcon_raw(context);
    *context = recorded_exec_context(pid);
    return *context ? 0 : fail(ESRCH);
}

EXPORT int
getpidcon(pid_t pid, char **context)
{
    return getpidcon_raw(pid, context);
}

EXPORT int
getpeercon_raw(int fd, char **context)
{
    (void)fd;
    *context = NULL;
    return fail(ENOPROTOOPT);
}

EXPORT int
getpeercon(int fd, char **context)
{
    return getpeercon_raw(fd, context);
}

EXPORT int
setexeccon_raw(const char *context)
{
    return set_label("setexeccon", context, NULL);
}

EXPORT int
setexeccon(const char *context)
{
    return setexeccon_raw(context);
}

EXPORT int
setsockcreatecon_raw(const char *context)
{
    return set_label("setsockcreatecon", context, NULL);
}

EXPORT int
setsockcreatecon(const char *context)
{
    return setsockcreatecon_raw(context);
}

EXPORT int
setcon_raw(const char *context)
{
    return set_label("setcon", context, NULL);
}

EXPORT int
setcon(const char *context)
{
    return setcon_raw(context);
}

EXPORT int
setfilecon_raw(const char *path, const char *context)
{
    return set_label("setfilecon", context, path);
}

EXPORT int
setfilecon(const char *path, const char *context)
{
    return setfilecon_raw(path, context);
}

EXPORT int
lsetfilecon_raw(const char *path, const char *context)
{
    return set_label("lsetfilecon", context, path);
}

EXPORT int
lsetfilecon(const char *path, const char *context)
{
    return lsetfilecon_raw(path, context);
}

EXPORT int
fsetfilecon_raw(int fd, const char *context)
{
    char proc[64] = "/proc/self/fd/";
    char target[PATH_MAX];
    char object[32] = "fd:";
    ssize_t n;

    if (!is_enabled())
        return fail(ENOTSUP);
    format_int(proc + strlen(proc), fd);
    format_int(object + strlen(object), fd);
    n = readlink(proc, target + 1, sizeof(target) - 2);
    target[0] = ':';
    target[n > 0 ? n + 1 : 1] = '\0';
    record("fsetfilecon", context, object, target);
    return 0;
}

EXPORT int
fsetfilecon(int fd, const char *context)
{
    return fsetfilecon_raw(fd, context);
}

static const char *
label_xattr(void)
{
    const char *env = getenv("SVIRT_LABEL_XATTR");

    return env && *env ? env : DEFAULT_XATTR;
}

/* A file's label as the engine stored it: the attribute's bytes, NUL-terminated. */
static int
label_from_xattr(ssize_t (*get)(const char *, const char *, void *, size_t),
                 ssize_t (*fget)(int, const char *, void *, size_t), const char *path, int fd,
                 char **context)
{
    char buf[RECORD_LINE_MAX];
    ssize_t n = get ? get(path, label_xattr(), buf, sizeof(buf) - 1)
                    : fget(fd, label_xattr(), buf, sizeof(buf) - 1);

    *context = NULL;
    if (n < 0)
        return -1;
    if (n == 0)
        return fail(ENODATA);
    buf[n] = '\0';
    *context = strdup(buf);
    return *context ? (int)strlen(buf) + 1 : fail(ENOMEM);
}

EXPORT int
getfilecon_raw(const char *path, char **context)
{
    return label_from_xattr(getxattr, NULL, path, -1, context);
}

EXPORT int
getfilecon(const char *path, char **context)
{
    return getfilecon_raw(path, context);
}

EXPORT int
lgetfilecon_raw(const char *path, char **context)
{
    return label_from_xattr(lgetxattr, NULL, path, -1, context);
}

EXPORT int
lgetfilecon(const char *path, char **context)
{
    return lgetfilecon_raw(path, context);
}

EXPORT int
fgetfilecon_raw(int fd, char **context)
{
    return label_from_xattr(NULL, fgetxattr, NULL, fd, context);
}

EXPORT int
fgetfilecon(int fd, char **context)
{
    return fgetfilecon_raw(fd, context);
}

/* Without a kernel to ask, a context is valid when it has user, role, type and level, none
 * empty; the engine checks labels against the binary policy itself. */
EXPORT int
security_check_context_raw(const char *context)
{
    int fields = 1;
    const char *p;

    if (!is_enabled())
        return fail(ENOENT);
    if (!context || !*context || context[0] == ':')
        return fail(EINVAL);
    for (p = context; *p; p++) {
        if (*p == ':' && (p[1] == ':' || p[1] == '\0'))
            return fail(EINVAL);
        if (*p == ':')
            fields++;
        if (*p == ' ' || *p == '\n' || *p == '\t')
            return fail(EINVAL);
    }
    return fields >= 4 ? 0 : fail(EINVAL);
}

EXPORT int
security_check_context(const char *context)
{
    return security_check_context_raw(context);
}

EXPORT const char *
selinux_virtual_domain_context_path(void)
{
    const char *(*real)(void) = real_symbol("selinux_virtual_domain_context_path");

    return domain_context_path[0] ? domain_context_path : real();
}

EXPORT const char *
selinux_virtual_image_context_path(void)
{
    const char *(*real)(void) = real_symbol("selinux_virtual_image_context_path");

    return image_context_path[0] ? image_context_path : real();
}

/* A host without file_contexts still opens a labelling handle; it finds no default label. */
static char no_file_contexts;
#define NO_FILE_CONTEXTS ((struct selabel_handle *)&no_file_contexts)

EXPORT struct selabel_handle *
selabel_open(unsigned int backend, const struct selinux_opt *opts, unsigned int nopts)
{
    struct selabel_handle *(*real)(unsigned int, const struct selinux_opt *, unsigned int) =
        real_symbol("selabel_open");
    struct selabel_handle *handle = real(backend, opts, nopts);

    if (handle || backend != SELABEL_CTX_FILE || nopts > 0)
        return handle;
    return NO_FILE_CONTEXTS;
}

EXPORT void
selabel_close(struct selabel_handle *handle)
{
    void (*real)(struct selabel_handle *) = real_symbol("selabel_close");

    if (handle != NO_FILE_CONTEXTS)
        real(handle);
}

EXPORT int
selabel_lookup_raw(struct selabel_handle *handle, char **context, const char *key, int type)
{
    int (*real)(struct selabel_handle *, char **, const char *, int) =
        real_symbol("selabel_lookup_raw");

    if (handle == NO_FILE_CONTEXTS) {
        *context = NULL;
        return fail(ENOENT);
    }
    return real(handle, context, key, type);
}

EXPORT int
selabel_lookup(struct selabel_handle *handle, char **context, const char *key, int type)
{
    int (*real)(struct selabel_handle *, char **, const char *, int) =
        real_symbol("selabel_lookup");

    if (handle == NO_FILE_CONTEXTS) {
        *context = NULL;
        return fail(ENOENT);
    }
    return real(handle, context, key, type);
}
