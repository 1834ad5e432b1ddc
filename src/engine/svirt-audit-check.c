#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_PATH */
#endif
#include "config.h"

#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "svirt-audit-check.h"
#include "svirt-audit-private.h"
#include "svirt-context.h"
#include "svirt-error.h"
#include "svirt-graphics.h"
#include "svirt-host-files.h"
#include "svirt-helper-client.h"
#include "svirt-labeler.h"

struct _SvirtAuditContext {
    SvirtPolicyTypes *types;
    char *image_type;
    GStrv pools;
    GHashTable *levels;        /* level -> VM name */
    GHashTable *running_paths; /* path -> VM name */
    /* Resolved once for the whole audit, not for each file. */
    char *real_state;
    /* The directory of the last file looked at: the files of a VM mostly share one. */
    char *dir;
    int dir_fd;
    gboolean use_helper;       /* a desktop user's qemu:///system: svirt-helper reads labels */
    GHashTable *helper_labels; /* svirt_helper_label_cache_new() */
};

static char *
type_of(const char *context)
{
    g_auto(GStrv) fields = g_strsplit(context, ":", 4);

    return g_strv_length(fields) >= 3 ? g_strdup(fields[2]) : g_strdup(context);
}

char *
svirt_audit_level_of(const char *context)
{
    const char *p = context;

    for (int i = 0; i < 3 && p; i++) {
        p = strchr(p, ':');
        if (p)
            p++;
    }
    return p && *p ? g_strdup(p) : NULL;
}

SvirtAuditContext *
svirt_audit_context_new(const SvirtPolicyTypes *types, const char *const *pool_paths)
{
    SvirtAuditContext *ctx = g_new0(SvirtAuditContext, 1);

    ctx->types = svirt_policy_types_copy(types);
    ctx->image_type = type_of(types->image);
    ctx->pools = pool_paths ? g_strdupv((char **)pool_paths) : NULL;
    ctx->levels = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    ctx->running_paths = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    ctx->real_state = svirt_host_resolve_state_dir();
    ctx->dir_fd = -1;
    ctx->helper_labels = svirt_helper_label_cache_new();
    return ctx;
}

void
svirt_audit_context_use_helper(SvirtAuditContext *ctx, gboolean use_helper)
{
    ctx->use_helper = use_helper;
}

/* The label of @path; where the filesystem refuses it to a desktop user, the one svirt-helper
 * reads among the files of VM @uuid, asked once per VM. */
static gboolean
read_label(SvirtAuditContext *ctx, const char *uuid, const char *path, char *buf, gsize size,
           const char **label, char **owned, GError **error)
{
    g_autoptr(GError) local = NULL;

    if (svirt_labeler_read_label_into(path, buf, size, label, owned, &local))
        return TRUE;
    if (ctx->use_helper && uuid && g_error_matches(local, SVIRT_ERROR, SVIRT_ERROR_PERMISSION) &&
        svirt_helper_cached_label(ctx->helper_labels, uuid, path, owned)) {
        *label = *owned;
        return TRUE;
    }
    g_propagate_error(error, g_steal_pointer(&local));
    return FALSE;
}

char *
svirt_audit_context_read_label(SvirtAuditContext *ctx, const char *uuid, const char *path)
{
    g_autofree char *owned = NULL;
    const char *label = NULL;
    char buf[256];

    if (!read_label(ctx, uuid, path, buf, sizeof(buf), &label, &owned, NULL))
        return NULL;
    return owned ? g_steal_pointer(&owned) : g_strdup(label);
}

void
svirt_audit_context_add_level(SvirtAuditContext *ctx, const char *level, const char *vm_name)
{
    if (!g_hash_table_contains(ctx->levels, level))
        g_hash_table_insert(ctx->levels, g_strdup(level), g_strdup(vm_name));
}

void
svirt_audit_context_add_running_path(SvirtAuditContext *ctx, const char *path,
                                     const char *vm_name)
{
    g_hash_table_insert(ctx->running_paths, g_strdup(path), g_strdup(vm_name));
}

void
svirt_audit_context_free(SvirtAuditContext *ctx)
{
    if (!ctx)
        return;
    svirt_policy_types_free(ctx->types);
    g_free(ctx->image_type);
    g_strfreev(ctx->pools);
    g_hash_table_unref(ctx->levels);
    g_hash_table_unref(ctx->running_paths);
    g_free(ctx->real_state);
    g_free(ctx->dir);
    if (ctx->dir_fd >= 0)
        close(ctx->dir_fd);
    g_hash_table_unref(ctx->helper_labels);
    g_free(ctx);
}

static gboolean
path_is_under(const char *path, const char *dir)
{
    gsize len = strlen(dir);

    while (len > 1 && dir[len - 1] == '/')
        len--;
    return strncmp(path, dir, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

static gboolean
in_pools(SvirtAuditContext *ctx, const char *path)
{
    g_autofree char *resolved = NULL;

    for (guint i = 0; ctx->pools[i]; i++) {
        if (path_is_under(path, ctx->pools[i]))
            return TRUE;
    }
    resolved = svirt_labeler_resolve_path(path);
    for (guint i = 0; resolved && ctx->pools[i]; i++) {
        if (path_is_under(resolved, ctx->pools[i]))
            return TRUE;
    }
    return FALSE;
}

static gboolean
is_image_kind(SvirtPlanKind kind)
{
    return kind == SVIRT_PLAN_KIND_DISK || kind == SVIRT_PLAN_KIND_CDROM ||
           kind == SVIRT_PLAN_KIND_FLOPPY || kind == SVIRT_PLAN_KIND_BACKING_FILE;
}

static gboolean
is_writable(SvirtDesignation designation)
{
    return designation == SVIRT_DESIGNATION_PRIVATE || designation == SVIRT_DESIGNATION_SHARED;
}

/* A label that differs from the plan: whose level is it, and can the VM still reach it? */
static void
classify_wrong_label(SvirtAuditContext *ctx, const SvirtPlan *plan, const SvirtPlanItem *item,
                     const char *actual, gboolean fixable, GPtrArray *findings)
{
    g_autoptr(SvirtContext) ac = svirt_context_parse(actual, NULL);
    g_autofree char *alevel = ac ? svirt_context_dup_level_string(ac) : NULL;
    const char *owner = alevel ? g_hash_table_lookup(ctx->levels, alevel) : NULL;
    const char *vm_fix = fixable ? _("Use Fix to relabel it to the expected label, or restart "
                                     "the VM.")
                                 : _("Label it as expected with chcon, as its static label "
                                     "with relabel off leaves labels to the administrator.");
    SvirtFinding *f;

    if (owner && plan->level && g_strcmp0(alevel, plan->level) != 0 &&
        g_strcmp0(owner, plan->vm_name) != 0 && item->designation == SVIRT_DESIGNATION_PRIVATE) {
        f = svirt_finding_add(
            findings, SVIRT_FINDING_FOREIGN, SVIRT_SEVERITY_CRITICAL, plan, item->path,
            item->label, actual,
            g_strdup_printf(_("%s of VM '%s' carries the level %s of VM '%s': that "
                              "VM can read and write it."),
                            item->path, plan->vm_name, alevel, owner),
            g_strdup(_("Find out how the label came there (the other VM may have "
                       "used this file), then relabel it with chcon to the expected "
                       "label or restart the VM.")));
        f->fixable = FALSE;
        return;
    }
    if (ac && plan->level && svirt_context_has_level(ac)) {
        SvirtLevel vm_level;

        if (svirt_level_parse(plan->level, &vm_level, NULL) &&
            !svirt_level_dominates(&vm_level, svirt_context_get_low(ac))) {
            f = svirt_finding_add(
                findings, SVIRT_FINDING_MISMATCH, SVIRT_SEVERITY_ERROR, plan, item->path,
                item->label, actual,
                g_strdup_printf(_("%s carries the level %s, which the VM's level %s "
                                  "does not dominate: the VM cannot use it."),
                                item->path, alevel, plan->level),
                g_strdup(vm_fix));
            f->fixable = fixable;
            return;
        }
    }
    f = svirt_finding_add(findings, SVIRT_FINDING_MISMATCH, SVIRT_SEVERITY_ERROR, plan,
                          item->path, item->label, actual,
                          g_strdup_printf(_("%s carries %s instead of the planned %s."),
                                          item->path, actual, item->label),
                          g_strdup(vm_fix));
    f->fixable = fixable;
}

/* An object whose label cannot be read: on a filesystem without labels, or missing. */
static void
report_unreadable(const SvirtPlan *plan, const SvirtPlanItem *item, const GError *error,
                  GPtrArray *findings)
{
    if (g_error_matches(error, SVIRT_ERROR, SVIRT_ERROR_UNSUPPORTED))
        svirt_finding_add(findings, SVIRT_FINDING_UNSUPPORTED_FS, SVIRT_SEVERITY_WARNING, plan,
                          item->path, item->label, NULL,
                          g_strdup_printf(_("The filesystem of %s cannot hold SELinux labels, "
                                            "so nothing keeps other VMs from it."),
                                          item->path),
                          g_strdup(_("Move the image to a filesystem with labels (ext4, xfs) "
                                     "or mount it with a context= option for this VM alone.")));
    else
        svirt_finding_add(findings, SVIRT_FINDING_MISSING, SVIRT_SEVERITY_WARNING, plan,
                          item->path, item->label, NULL, g_strdup(error->message),
                          g_strdup(_("Restore the file or remove it from the VM's "
                                     "definition.")));
}

/* lstat() of @path, relative to its directory when that is the one of the last file. */
static gboolean
stat_item(SvirtAuditContext *ctx, const char *path, struct stat *st)
{
    const char *slash = strrchr(path, '/');
    gsize dir_len = slash ? (gsize)(slash - path) : 0;

    if (!slash || slash[1] == '\0' || dir_len == 0)
        return lstat(path, st) == 0;
    if (!ctx->dir || strlen(ctx->dir) != dir_len || strncmp(ctx->dir, path, dir_len) != 0) {
        g_autofree char *dir = g_strndup(path, dir_len);

        if (ctx->dir_fd >= 0)
            close(ctx->dir_fd);
        ctx->dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        g_free(ctx->dir);
        ctx->dir = g_steal_pointer(&dir);
    }
    if (ctx->dir_fd < 0)
        return lstat(path, st) == 0;
    return fstatat(ctx->dir_fd, slash + 1, st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* A writable object the host uses: a guest could take over the host through it. */
static void
check_host_use(SvirtAuditContext *ctx, const SvirtPlan *plan, const SvirtPlanItem *item,
               const char *actual, GPtrArray *findings)
{
    g_autoptr(GError) unsafe = NULL;
    g_autofree char *place = NULL;
    gboolean bad;
    struct stat st;

    if (!is_writable(item->designation) || !stat_item(ctx, item->path, &st))
        return;
    /* Most files are in no place of the host: that is settled without building a refusal. */
    if (!S_ISBLK(st.st_mode) && !g_str_equal(item->path, "/") &&
        !svirt_host_place_of_with_state(item->path, FALSE, ctx->real_state, &place))
        return;
    bad = !svirt_labeler_check_location(item->path,
                                        S_ISBLK(st.st_mode) ? SVIRT_LABEL_TARGET_BLOCK
                                                            : SVIRT_LABEL_TARGET_FILE,
                                        &unsafe);
    if (!bad && S_ISBLK(st.st_mode))
        bad = !svirt_labeler_check_block_device(st.st_rdev, item->path, &unsafe);
    if (bad)
        svirt_finding_add(findings, SVIRT_FINDING_HOST_DEVICE, SVIRT_SEVERITY_CRITICAL, plan,
                          item->path, NULL, actual,
                          g_strdup_printf(_("VM '%s' may write %s, which the host uses: a "
                                            "guest could take over the host (%s)"),
                                          plan->vm_name, item->path, unsafe->message),
                          g_strdup(_("Remove the device from the VM, or give it a disk image "
                                     "or an unused block device instead.")));
}

/* What an object opens beyond its VM, whatever the VM's state: a host location, a disk every
 * VM may write, an image outside the storage pools. */
static void
check_exposure(SvirtAuditContext *ctx, const SvirtPlan *plan, const SvirtPlanItem *item,
               const char *actual, GPtrArray *findings)
{
    check_host_use(ctx, plan, item, actual, findings);
    if (item->designation == SVIRT_DESIGNATION_SHARED)
        svirt_finding_add(findings, SVIRT_FINDING_SHARED_WRITABLE, SVIRT_SEVERITY_INFO, plan,
                          item->path, item->label, actual,
                          g_strdup_printf(_("%s is shared: every VM may write it, not only "
                                            "those that list it."),
                                          item->path),
                          g_strdup(_("Keep only data meant for every VM on it, or make it "
                                     "private or read-only.")));
    if (ctx->pools && is_image_kind(item->kind) && !in_pools(ctx, item->path))
        svirt_finding_add(findings, SVIRT_FINDING_OUTSIDE_POOLS, SVIRT_SEVERITY_INFO, plan,
                          item->path, NULL, NULL,
                          g_strdup_printf(_("%s is in no storage pool, so libvirt does not "
                                            "manage it and the policy gives it no default "
                                            "label."),
                                          item->path),
                          g_strdup(_("Move it into a storage pool such as "
                                     "/var/lib/libvirt/images, or define a pool for its "
                                     "directory.")));
}

/* The objects of a running VM, and those whose labels the administrator keeps, carry the
 * planned label. */
static void
check_planned_label(SvirtAuditContext *ctx, const SvirtPlan *plan, const SvirtPlanItem *item,
                    const char *actual, gboolean admin_owned, GPtrArray *findings)
{
    SvirtFinding *f;

    if (!item->label || g_strcmp0(actual, item->label) == 0)
        return;
    if (actual) {
        classify_wrong_label(ctx, plan, item, actual, !admin_owned, findings);
        return;
    }
    f = svirt_finding_add(findings, SVIRT_FINDING_UNLABELLED, SVIRT_SEVERITY_ERROR, plan,
                          item->path, item->label, NULL,
                          g_strdup_printf(_("%s has no label, so the policy treats it as %s."),
                                          item->path, "unlabeled_t"),
                          g_strdup(admin_owned ? _("Label it with chcon, as its static label "
                                                   "with relabel off leaves labels to the "
                                                   "administrator.")
                                               : _("Use Fix to label it, or restart the VM.")));
    f->fixable = !admin_owned;
}

/* An object of a stopped VM that still carries a dynamic level, which a VM started later may
 * be given; not when a running VM uses the object. */
static void
check_stale(SvirtAuditContext *ctx, const SvirtPlan *plan, const SvirtPlanItem *item,
            const char *actual, GPtrArray *findings)
{
    g_autofree char *alevel = svirt_audit_level_of(actual);
    g_autofree char *atype = NULL;
    SvirtLevel level;
    SvirtFinding *f;

    if (!alevel || g_strcmp0(alevel, plan->level) == 0 ||
        !svirt_level_parse(alevel, &level, NULL) || svirt_level_n_categories(&level) == 0)
        return;
    if (g_hash_table_lookup(ctx->running_paths, item->path))
        return;
    atype = type_of(actual);
    if (!g_str_equal(atype, ctx->image_type))
        return;
    f = svirt_finding_add(
        findings, SVIRT_FINDING_STALE, SVIRT_SEVERITY_WARNING, plan, item->path, NULL, actual,
        g_strdup_printf(_("VM '%s' is stopped but %s still carries the dynamic level %s: a VM "
                          "that later gets that pair can use it."),
                        plan->vm_name, item->path, alevel),
        g_strdup(_("Use Fix or run 'svirtctl reconcile' to restore its original label.")));
    f->fixable = TRUE;
}

static void
check_item(SvirtAuditContext *ctx, const SvirtPlan *plan, const SvirtPlanItem *item,
           SvirtAuditVmState state, gboolean admin_owned, GPtrArray *findings)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *owned = NULL;
    const char *actual = NULL;
    char buf[256];

    if (!read_label(ctx, plan->vm_uuid, item->path, buf, sizeof(buf), &actual, &owned,
                    &error)) {
        report_unreadable(plan, item, error, findings);
        return;
    }
    check_exposure(ctx, plan, item, actual, findings);
    if (state == SVIRT_AUDIT_VM_RUNNING || admin_owned)
        check_planned_label(ctx, plan, item, actual, admin_owned, findings);
    else if (state == SVIRT_AUDIT_VM_STOPPED && actual)
        check_stale(ctx, plan, item, actual, findings);
}

void
svirt_audit_check_plan(SvirtAuditContext *ctx, const SvirtPlan *plan, SvirtAuditVmState state,
                       gboolean admin_owned, GPtrArray *findings)
{
    for (guint i = 0; i < plan->items->len; i++) {
        const SvirtPlanItem *item = g_ptr_array_index(plan->items, i);

        if (item->designation == SVIRT_DESIGNATION_SKIPPED || !item->label ||
            !g_path_is_absolute(item->path))
            continue;
        check_item(ctx, plan, item, state, admin_owned, findings);
    }
}

static gboolean
relabels_any(const SvirtSettings *settings)
{
    return settings->mode != SVIRT_SECURITY_MODE_NONE && settings->relabel;
}

static gboolean
same_disks(const SvirtSettings *a, const SvirtSettings *b)
{
    if (!relabels_any(a) && !relabels_any(b))
        return TRUE;
    if (a->no_relabel_disks->len != b->no_relabel_disks->len)
        return FALSE;
    for (guint i = 0; i < a->no_relabel_disks->len; i++) {
        if (svirt_settings_disk_relabel(b, g_ptr_array_index(a->no_relabel_disks, i)))
            return FALSE;
    }
    return TRUE;
}

static gboolean
same_start(const SvirtSettings *a, const SvirtSettings *b)
{
    if (a->mode != b->mode || !same_disks(a, b))
        return FALSE;
    if (a->mode == SVIRT_SECURITY_MODE_STATIC)
        return g_str_equal(a->label, b->label) && !a->relabel == !b->relabel;
    return g_strcmp0(a->baselabel, b->baselabel) == 0;
}

/* "static system_u:system_r:svirt_t:s0:c1,c2, relabel no; vdb not relabelled" */
static char *
describe_settings(const SvirtSettings *settings)
{
    GString *s = g_string_new(svirt_security_mode_to_string(settings->mode));

    if (settings->label)
        g_string_append_printf(s, " %s", settings->label);
    if (settings->baselabel)
        /* TRANSLATORS: after "dynamic", with libvirt's <baselabel> */
        g_string_append_printf(s, _(" from base label %s"), settings->baselabel);
    if (settings->mode == SVIRT_SECURITY_MODE_STATIC)
        g_string_append(s, settings->relabel ? _(", relabel yes") : _(", relabel no"));
    for (guint i = 0; relabels_any(settings) && i < settings->no_relabel_disks->len; i++)
        /* TRANSLATORS: a guest disk such as vdb that the engine leaves alone */
        g_string_append_printf(s, _("; %s not relabelled"),
                               (const char *)g_ptr_array_index(settings->no_relabel_disks, i));
    return g_string_free(s, FALSE);
}

void
svirt_audit_check_settings(const SvirtPlan *plan, const SvirtSettings *native,
                           const SvirtSettings *stored, GPtrArray *findings)
{
    g_autofree char *expected = NULL;
    g_autofree char *actual = NULL;

    if (same_start(native, stored))
        return;
    expected = describe_settings(native);
    actual = describe_settings(stored);
    svirt_finding_add(
        findings, SVIRT_FINDING_SETTINGS_DIFFER, SVIRT_SEVERITY_WARNING, plan, NULL, expected,
        actual,
        g_strdup_printf(_("The <seclabel model='selinux'> in the definition of VM '%s' says "
                          "%s, but sVirt Manager's own settings for it say %s. The <seclabel> "
                          "is what counts: a start follows it."),
                        plan->vm_name, expected, actual),
        g_strdup(_("Set the label the VM should have with 'svirtctl set-label' or on its "
                   "Security tab, which writes both alike, or correct the <seclabel> with "
                   "'virsh edit'.")));
}

static SvirtSeverity
display_severity(const SvirtDisplay *display, gboolean loopback)
{
    if (loopback)
        return display->password ? SVIRT_SEVERITY_INFO : SVIRT_SEVERITY_WARNING;
    return display->password ? SVIRT_SEVERITY_WARNING : SVIRT_SEVERITY_ERROR;
}

/* "0.0.0.0:5900 without a password" */
static char *
display_actual(const SvirtDisplay *display)
{
    g_autofree char *where = NULL;

    if (display->listen == SVIRT_DISPLAY_LISTEN_NETWORK)
        /* TRANSLATORS: %s is the name of a libvirt network or an address on it */
        where = g_strdup_printf(_("network %s"), display->address ? display->address : "?");
    else if (display->address == NULL)
        where = g_strdup(_("the host's default address"));
    else if (display->port > 0)
        where = g_strdup_printf(strchr(display->address, ':') ? "[%s]:%d" : "%s:%d",
                                display->address, display->port);
    else
        where = g_strdup(display->address);
    return g_strdup_printf(display->password ? _("%s with a password") : _("%s without a "
                                                                            "password"),
                           where);
}

static char *
display_explanation(const char *type, const char *vm, const char *actual, gboolean loopback,
                    gboolean password)
{
    if (loopback && password)
        return g_strdup_printf(_("The %s display of VM '%s' listens on %s: every user and "
                                 "process of this host who learns the password can see and "
                                 "use the VM's screen and keyboard."),
                               type, vm, actual);
    if (loopback)
        return g_strdup_printf(_("The %s display of VM '%s' listens on %s: every user and "
                                 "process of this host can connect to it and see and use the "
                                 "VM's screen and keyboard."),
                               type, vm, actual);
    if (password)
        return g_strdup_printf(_("The %s display of VM '%s' listens on %s: anyone who reaches "
                                 "this host over the network and learns or guesses the "
                                 "password (VNC uses at most 8 characters of it) can see and "
                                 "use the VM's screen and keyboard."),
                               type, vm, actual);
    return g_strdup_printf(_("The %s display of VM '%s' listens on %s: anyone who reaches this "
                             "host over the network can connect to it and see and use the "
                             "VM's screen and keyboard."),
                           type, vm, actual);
}

void
svirt_audit_check_display(const SvirtPlan *plan, const char *xml, GPtrArray *findings)
{
    g_autoptr(GPtrArray) displays = svirt_display_list(xml);

    for (guint i = 0; i < displays->len; i++) {
        const SvirtDisplay *display = g_ptr_array_index(displays, i);
        /* Without an address, QEMU listens where qemu.conf says: 127.0.0.1 unless changed. */
        gboolean loopback = display->listen == SVIRT_DISPLAY_LISTEN_ADDRESS &&
                            (display->address == NULL ||
                             svirt_display_address_is_loopback(display->address));
        g_autofree char *actual = NULL;
        g_autofree char *type = NULL;

        if (!svirt_display_is_exposed(display))
            continue;
        actual = display_actual(display);
        type = g_ascii_strup(display->type ? display->type : "?", -1);
        svirt_finding_add(
            findings, SVIRT_FINDING_DISPLAY_EXPOSED, display_severity(display, loopback), plan,
            NULL, "listen type='none'", actual,
            display_explanation(type, plan->vm_name, actual, loopback, display->password),
            g_strdup_printf(_("Make the display listen nowhere with <listen type='none'/> "
                              "('virsh edit %s'): sVirt Manager reaches the screen through "
                              "libvirt, also on a remote host. A viewer elsewhere can use "
                              "'virt-viewer --attach' over an SSH connection to libvirtd."),
                            plan->vm_name));
    }
}
