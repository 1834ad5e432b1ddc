#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <selinux/label.h>
#include <selinux/selinux.h>
#include <stdarg.h>
#include <string.h>

#include "svirt-context.h"
#include "svirt-error.h"
#include "svirt-policy.h"

/* The seed's table, used when no policy is installed. */
#define BUILTIN_PROCESS "system_u:system_r:svirt_t:s0"
#define BUILTIN_IMAGE "system_u:object_r:svirt_image_t:s0"
#define BUILTIN_CONTENT "system_u:object_r:svirt_content_t:s0"
#define BUILTIN_AFTER_EXIT "system_u:object_r:virt_content_t:s0"

/* Both context files are a few lines; anything larger is not one of them. */
#define MAX_CONTEXT_FILE_SIZE 65536

G_DEFINE_BOXED_TYPE(SvirtPolicyTypes, svirt_policy_types, svirt_policy_types_copy,
                    svirt_policy_types_free)

SvirtPolicyTypes *
svirt_policy_types_new_builtin(void)
{
    SvirtPolicyTypes *types = g_new0(SvirtPolicyTypes, 1);

    types->process = g_strdup(BUILTIN_PROCESS);
    types->tcg_process = g_strdup(BUILTIN_PROCESS);
    types->image = g_strdup(BUILTIN_IMAGE);
    types->content = g_strdup(BUILTIN_CONTENT);
    types->after_exit = g_strdup(BUILTIN_AFTER_EXIT);
    return types;
}

SvirtPolicyTypes *
svirt_policy_types_copy(const SvirtPolicyTypes *types)
{
    SvirtPolicyTypes *copy;

    g_return_val_if_fail(types != NULL, NULL);

    copy = g_memdup2(types, sizeof(*types));
    copy->process = g_strdup(types->process);
    copy->tcg_process = g_strdup(types->tcg_process);
    copy->image = g_strdup(types->image);
    copy->content = g_strdup(types->content);
    copy->after_exit = g_strdup(types->after_exit);
    return copy;
}

void
svirt_policy_types_free(SvirtPolicyTypes *types)
{
    if (types == NULL)
        return;
    g_free(types->process);
    g_free(types->tcg_process);
    g_free(types->image);
    g_free(types->content);
    g_free(types->after_exit);
    g_free(types);
}

const char *
svirt_policy_types_get_process(const SvirtPolicyTypes *types, gboolean tcg)
{
    g_return_val_if_fail(types != NULL, NULL);
    return tcg ? types->tcg_process : types->process;
}

/* Reads the lines of a context file into @lines; *@lines stays NULL when it does not exist. */
static gboolean
read_context_file(const char *path, GStrv *lines, GError **error)
{
    g_autofree char *data = NULL;
    g_autoptr(GError) local = NULL;
    GStatBuf st;
    gsize len = 0;

    *lines = NULL;
    if (path == NULL)
        return TRUE;
    if (g_stat(path, &st) < 0) {
        int saved = errno;

        if (saved == ENOENT || saved == ENOTDIR)
            return TRUE;
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_POLICY,
                    _("Cannot read the SELinux policy file %s: %s. Check its permissions."),
                    path, g_strerror(saved));
        return FALSE;
    }
    if (!S_ISREG(st.st_mode) || st.st_size > MAX_CONTEXT_FILE_SIZE) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_POLICY,
                    _("The SELinux policy file %s is not a context file (not a small regular "
                      "file). Reinstall the policy package."),
                    path);
        return FALSE;
    }
    if (!g_file_get_contents(path, &data, &len, &local)) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_POLICY,
                    _("Cannot read the SELinux policy file %s: %s."), path, local->message);
        return FALSE;
    }
    if (memchr(data, '\0', len) != NULL) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_POLICY,
                    _("The SELinux policy file %s is not a text file. Reinstall the policy "
                      "package."),
                    path);
        return FALSE;
    }
    *lines = g_strsplit(data, "\n", -1);
    for (guint i = 0; (*lines)[i]; i++)
        g_strstrip((*lines)[i]);
    return TRUE;
}

/* Line @n (1-based) of @lines as a canonical context; *@out stays NULL when the line is absent
 * or empty, which is an error only when @required. */
static gboolean
context_line(GStrv lines, guint n, const char *path, gboolean required, char **out,
             GError **error)
{
    g_autoptr(SvirtContext) ctx = NULL;
    g_autoptr(GError) local = NULL;
    const char *line = n <= g_strv_length(lines) ? lines[n - 1] : NULL;

    *out = NULL;
    if (line == NULL || *line == '\0') {
        if (!required)
            return TRUE;
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_POLICY,
                    _("The SELinux policy file %s has no context on line %u. Reinstall the "
                      "policy package."),
                    path, n);
        return FALSE;
    }
    ctx = svirt_context_parse(line, &local);
    if (ctx == NULL) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_POLICY,
                    _("The SELinux policy file %s, line %u: %s"), path, n, local->message);
        return FALSE;
    }
    if (!svirt_context_has_level(ctx)) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_POLICY,
                    _("The SELinux policy file %s, line %u: the context '%s' has no MCS level; "
                      "sVirt needs an MLS or MCS policy."),
                    path, n, line);
        return FALSE;
    }
    *out = svirt_context_to_string(ctx);
    return TRUE;
}

/* The first two lines of a context file; *@found is FALSE when the file does not exist. */
static gboolean
read_two_contexts(const char *path, gboolean *found, char **first, char **second,
                  GError **error)
{
    g_auto(GStrv) lines = NULL;
    g_autofree char *one = NULL;
    g_autofree char *two = NULL;

    *found = FALSE;
    if (!read_context_file(path, &lines, error))
        return FALSE;
    if (lines == NULL)
        return TRUE;
    if (!context_line(lines, 1, path, TRUE, &one, error) ||
        !context_line(lines, 2, path, FALSE, &two, error))
        return FALSE;
    *found = TRUE;
    *first = g_steal_pointer(&one);
    *second = g_steal_pointer(&two);
    return TRUE;
}

SvirtPolicyTypes *
svirt_policy_types_load_from(const char *domain_context_path, const char *image_context_path,
                             GError **error)
{
    g_autoptr(SvirtPolicyTypes) types = svirt_policy_types_new_builtin();
    g_autofree char *first = NULL;
    g_autofree char *second = NULL;
    gboolean found;

    if (!read_two_contexts(domain_context_path, &found, &first, &second, error))
        return NULL;
    if (found) {
        g_free(types->process);
        g_free(types->tcg_process);
        types->tcg_process = g_strdup(second ? second : first);
        types->process = g_steal_pointer(&first);
        types->domain_from_policy = TRUE;
    }
    g_clear_pointer(&second, g_free);

    if (!read_two_contexts(image_context_path, &found, &first, &second, error))
        return NULL;
    if (found) {
        g_free(types->image);
        types->image = g_steal_pointer(&first);
        /* Without a second line the policy names no read-only type; keep the built-in one. */
        if (second) {
            g_free(types->content);
            types->content = g_steal_pointer(&second);
        }
        types->image_from_policy = TRUE;
    }
    return g_steal_pointer(&types);
}

/* A file of the policy under $SVIRT_SELINUX_DIR; NULL without it (libselinux's own path). */
static char *
override_path(const char *dir, const char *name)
{
    const char *selinux_dir = g_getenv(SVIRT_SELINUX_DIR_ENV);
    g_autofree char *type = NULL;

    if (selinux_dir == NULL || *selinux_dir == '\0')
        return NULL;
    type = svirt_context_policy_type_in(selinux_dir);
    return g_build_filename(selinux_dir, type, "contexts", dir, name, NULL);
}

SvirtPolicyTypes *
svirt_policy_types_load(GError **error)
{
    g_autofree char *domain = override_path("", "virtual_domain_context");
    g_autofree char *image = override_path("", "virtual_image_context");

    if (domain)
        return svirt_policy_types_load_from(domain, image, error);
    return svirt_policy_types_load_from(selinux_virtual_domain_context_path(),
                                        selinux_virtual_image_context_path(), error);
}

char *
svirt_policy_context_with_level(const char *context, const char *level, GError **error)
{
    g_autoptr(SvirtContext) ctx = NULL;
    SvirtLevel low, high;
    gboolean has_high = FALSE;

    g_return_val_if_fail(context != NULL && level != NULL, NULL);

    ctx = svirt_context_parse(context, error);
    if (ctx == NULL)
        return NULL;
    if (!svirt_range_parse(level, &low, &high, &has_high, error))
        return NULL;
    if (!svirt_context_set_level(ctx, &low, has_high ? &high : NULL, error))
        return NULL;
    return svirt_context_to_string(ctx);
}

struct _SvirtFileContexts {
    struct selabel_handle *handle; /* NULL when no file_contexts exists */
    char *path;
};

static GPrivate last_selinux_message = G_PRIVATE_INIT(g_free);

static int
on_selinux_log(int type, const char *fmt, ...)
{
    g_autofree char *message = NULL;
    va_list args;

    va_start(args, fmt);
    message = g_strdup_vprintf(fmt, args);
    va_end(args);
    g_strchomp(message);
    g_debug("libselinux: %s", message);
    if (type == SELINUX_ERROR)
        g_private_replace(&last_selinux_message, g_steal_pointer(&message));
    return 0;
}

static void
route_selinux_log(void)
{
    static gsize once;

    /* libselinux prints to stderr by default; its messages belong in our errors and logs. */
    if (g_once_init_enter(&once)) {
        union selinux_callback cb = { .func_log = on_selinux_log };

        selinux_set_callback(SELINUX_CB_LOG, cb);
        g_once_init_leave(&once, 1);
    }
}

SvirtFileContexts *
svirt_file_contexts_open(const char *path, GError **error)
{
    g_autoptr(SvirtFileContexts) fc = g_new0(SvirtFileContexts, 1);
    struct selinux_opt opts[] = { { SELABEL_OPT_PATH, NULL } };
    const char *message;
    int saved;

    fc->path = path ? g_strdup(path) : override_path("files", "file_contexts");
    if (fc->path == NULL)
        fc->path = g_strdup(selinux_file_context_path());
    if (fc->path == NULL || !g_file_test(fc->path, G_FILE_TEST_EXISTS))
        return g_steal_pointer(&fc);

    route_selinux_log();
    g_private_replace(&last_selinux_message, NULL);
    opts[0].value = fc->path;
    fc->handle = selabel_open(SELABEL_CTX_FILE, opts, G_N_ELEMENTS(opts));
    if (fc->handle == NULL) {
        saved = errno;
        message = g_private_get(&last_selinux_message);
        /* libselinux starts its messages with the file name, which ours already gives. */
        if (message && g_str_has_prefix(message, fc->path)) {
            message += strlen(fc->path);
            while (*message == ':' || *message == ' ')
                message++;
        }
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_POLICY,
                    _("Cannot read the SELinux file contexts %s: %s. Reinstall the policy "
                      "package."),
                    fc->path, message ? message : g_strerror(saved));
        return NULL;
    }
    return g_steal_pointer(&fc);
}

gboolean
svirt_file_contexts_has_policy(const SvirtFileContexts *fc)
{
    g_return_val_if_fail(fc != NULL, FALSE);
    return fc->handle != NULL;
}

char *
svirt_file_contexts_lookup(SvirtFileContexts *fc, const char *path, mode_t mode)
{
    g_autoptr(SvirtContext) parsed = NULL;
    char *con = NULL;

    g_return_val_if_fail(fc != NULL, NULL);
    g_return_val_if_fail(path != NULL, NULL);

    if (fc->handle == NULL)
        return NULL;
    if (selabel_lookup(fc->handle, &con, path, mode & S_IFMT) < 0) {
        /* ENOENT: the policy gives this path no label (or <<none>>). */
        if (errno != ENOENT)
            g_debug("selabel_lookup(%s) in %s: %s", path, fc->path, g_strerror(errno));
        return NULL;
    }
    /* Without SELABEL_OPT_VALIDATE libselinux returns whatever the file says. */
    parsed = svirt_context_parse(con, NULL);
    if (parsed == NULL) {
        g_debug("%s gives %s the invalid label '%s'; ignored", fc->path, path, con);
        freecon(con);
        return NULL;
    }
    freecon(con);
    return svirt_context_to_string(parsed);
}

void
svirt_file_contexts_free(SvirtFileContexts *fc)
{
    if (fc == NULL)
        return;
    if (fc->handle)
        selabel_close(fc->handle);
    g_free(fc->path);
    g_free(fc);
}
