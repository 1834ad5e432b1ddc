#include "config.h"

#include "svirt-audit.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <libvirt/virterror.h>
#include <selinux/selinux.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "svirt-context.h"
#include "svirt-domain-xml.h"
#include "svirt-journal.h"
#include "svirt-labeler.h"
#include "svirt-lifecycle.h"
#include "svirt-sepol.h"
#include "svirt-task.h"

/* What the kernel gives a file on a labelling filesystem that carries no label. */
#define UNLABELLED_FILE_CONTEXT "system_u:object_r:unlabeled_t:s0"

const char *
svirt_severity_to_string(SvirtSeverity severity)
{
    switch (severity) {
    case SVIRT_SEVERITY_INFO:
        return "info";
    case SVIRT_SEVERITY_WARNING:
        return "warning";
    case SVIRT_SEVERITY_ERROR:
        return "error";
    case SVIRT_SEVERITY_CRITICAL:
    default:
        return "critical";
    }
}

const char *
svirt_finding_kind_to_id(SvirtFindingKind kind)
{
    switch (kind) {
    case SVIRT_FINDING_MISMATCH:
        return "mismatch";
    case SVIRT_FINDING_UNLABELLED:
        return "unlabelled";
    case SVIRT_FINDING_FOREIGN:
        return "foreign";
    case SVIRT_FINDING_STALE:
        return "stale";
    case SVIRT_FINDING_DUPLICATE:
        return "duplicate";
    case SVIRT_FINDING_SHARED_WRITABLE:
        return "shared-writable";
    case SVIRT_FINDING_HOST_DEVICE:
        return "host-device";
    case SVIRT_FINDING_UNSUPPORTED_FS:
        return "unsupported-fs";
    case SVIRT_FINDING_OUTSIDE_POOLS:
        return "outside-pools";
    case SVIRT_FINDING_STARTED_OUTSIDE:
        return "started-outside";
    case SVIRT_FINDING_NOT_ENFORCING:
        return "not-enforcing";
    case SVIRT_FINDING_MISSING:
    default:
        return "missing";
    }
}

const char *
svirt_access_to_string(SvirtAccess access)
{
    switch (access) {
    case SVIRT_ACCESS_ISOLATED:
        return "isolated";
    case SVIRT_ACCESS_READ:
        return "read";
    case SVIRT_ACCESS_WRITE:
        return "write";
    case SVIRT_ACCESS_UNKNOWN:
    default:
        return "unknown";
    }
}

const char *
svirt_policy_source_to_string(SvirtPolicySource source)
{
    return source == SVIRT_POLICY_SOURCE_BINARY ? "policy" : "mcs";
}

SvirtFinding *
svirt_finding_copy(const SvirtFinding *f)
{
    SvirtFinding *copy = g_new0(SvirtFinding, 1);

    *copy = *f;
    copy->vm_name = g_strdup(f->vm_name);
    copy->vm_uuid = g_strdup(f->vm_uuid);
    copy->path = g_strdup(f->path);
    copy->expected = g_strdup(f->expected);
    copy->actual = g_strdup(f->actual);
    copy->explanation = g_strdup(f->explanation);
    copy->fix = g_strdup(f->fix);
    return copy;
}

void
svirt_finding_free(SvirtFinding *f)
{
    if (!f)
        return;
    g_free(f->vm_name);
    g_free(f->vm_uuid);
    g_free(f->path);
    g_free(f->expected);
    g_free(f->actual);
    g_free(f->explanation);
    g_free(f->fix);
    g_free(f);
}

/* Takes @explanation and @fix. */
static SvirtFinding *
add_finding(GPtrArray *findings, SvirtFindingKind kind, SvirtSeverity severity,
            const SvirtPlan *plan, const char *path, const char *expected, const char *actual,
            char *explanation, char *fix)
{
    SvirtFinding *f = g_new0(SvirtFinding, 1);

    f->kind = kind;
    f->severity = severity;
    f->vm_name = plan ? g_strdup(plan->vm_name) : NULL;
    f->vm_uuid = plan ? g_strdup(plan->vm_uuid) : NULL;
    f->path = g_strdup(path);
    f->expected = g_strdup(expected);
    f->actual = g_strdup(actual);
    f->explanation = explanation;
    f->fix = fix;
    g_ptr_array_add(findings, f);
    return f;
}

/* ---- access decisions ---- */

static void
matrix_object_free(SvirtMatrixObject *object)
{
    g_free(object->path);
    g_free(object->label);
    g_free(object);
}

SvirtMatrixVm *
svirt_matrix_vm_new(const char *name, const char *uuid, const char *process_label,
                    const char *process_note)
{
    SvirtMatrixVm *vm = g_new0(SvirtMatrixVm, 1);

    vm->name = g_strdup(name);
    vm->uuid = g_strdup(uuid);
    vm->process_label = g_strdup(process_label);
    vm->process_note = g_strdup(process_note);
    vm->objects = g_ptr_array_new_with_free_func((GDestroyNotify)matrix_object_free);
    return vm;
}

void
svirt_matrix_vm_add_object(SvirtMatrixVm *vm, const char *path, const char *label)
{
    SvirtMatrixObject *object = g_new0(SvirtMatrixObject, 1);

    object->path = g_strdup(path);
    object->label = g_strdup(label);
    g_ptr_array_add(vm->objects, object);
}

void
svirt_matrix_vm_free(SvirtMatrixVm *vm)
{
    if (!vm)
        return;
    g_free(vm->name);
    g_free(vm->uuid);
    g_free(vm->process_label);
    g_free(vm->process_note);
    g_ptr_array_unref(vm->objects);
    g_free(vm);
}

void
svirt_matrix_free(SvirtMatrix *matrix)
{
    if (!matrix)
        return;
    if (matrix->cells) {
        for (guint i = 0; i < matrix->vms->len * matrix->vms->len; i++) {
            g_free(matrix->cells[i].path);
            g_free(matrix->cells[i].reason);
        }
        g_free(matrix->cells);
    }
    g_ptr_array_unref(matrix->vms);
    g_free(matrix->policy_path);
    g_free(matrix);
}

const SvirtMatrixCell *
svirt_matrix_get_cell(const SvirtMatrix *matrix, guint row, guint column)
{
    g_return_val_if_fail(row < matrix->vms->len && column < matrix->vms->len, NULL);
    return &matrix->cells[row * matrix->vms->len + column];
}

static const char *
class_of(const char *path)
{
    struct stat st;

    if (!path || lstat(path, &st) < 0)
        return "file";
    if (S_ISBLK(st.st_mode))
        return "blk_file";
    if (S_ISCHR(st.st_mode))
        return "chr_file";
    if (S_ISSOCK(st.st_mode))
        return "sock_file";
    if (S_ISFIFO(st.st_mode))
        return "fifo_file";
    return "file";
}

static char *
type_of(const char *context)
{
    g_auto(GStrv) fields = g_strsplit(context, ":", 4);

    return g_strv_length(fields) >= 3 ? g_strdup(fields[2]) : g_strdup(context);
}

static char *
level_of(const char *context)
{
    const char *p = context;

    for (int i = 0; i < 3 && p; i++) {
        p = strchr(p, ':');
        if (p)
            p++;
    }
    return p && *p ? g_strdup(p) : NULL;
}

/* MCS dominance alone: image types are read/write, content types read-only, other types are not
 * VM types and are taken as closed. */
static gboolean
mcs_decide(const SvirtPolicyTypes *types, const char *process, const char *object,
           gboolean *can_read, gboolean *can_write, char **reason, GError **error)
{
    g_autoptr(SvirtContext) pc = svirt_context_parse(process, error);
    g_autoptr(SvirtContext) oc = NULL;
    g_autoptr(SvirtContext) image = svirt_context_parse(types->image, NULL);
    g_autoptr(SvirtContext) content = svirt_context_parse(types->content, NULL);
    const char *otype;
    gboolean dom;

    *can_read = *can_write = FALSE;
    if (!pc)
        return FALSE;
    if (!object) {
        if (reason)
            *reason = g_strdup(_("unlabelled: without a policy nothing says a VM may use it"));
        return TRUE;
    }
    oc = svirt_context_parse(object, error);
    if (!oc)
        return FALSE;
    otype = svirt_context_get_type_name(oc);
    dom = svirt_context_has_level(pc) && svirt_context_has_level(oc) &&
          svirt_level_dominates(svirt_context_get_high(pc) ? svirt_context_get_high(pc)
                                                           : svirt_context_get_low(pc),
                                svirt_context_get_low(oc));
    if (image && g_str_equal(otype, svirt_context_get_type_name(image))) {
        *can_read = *can_write = dom;
    } else if (content && g_str_equal(otype, svirt_context_get_type_name(content))) {
        *can_read = dom;
    } else {
        if (reason)
            *reason = g_strdup_printf(_("%s is not a VM image type (no policy to ask)"), otype);
        return TRUE;
    }
    if (reason) {
        g_autofree char *pl = svirt_context_dup_level_string(pc);
        g_autofree char *ol = svirt_context_dup_level_string(oc);

        if (dom)
            *reason = g_strdup_printf(_("MCS: %s dominates %s of %s"), pl, ol, otype);
        else
            *reason = g_strdup_printf(_("MCS: %s does not dominate %s (h1 dom h2 fails)"), pl,
                                      ol);
    }
    return TRUE;
}

gboolean
svirt_policy_check_access(const char *policy_path, const char *process_label,
                          const char *object_label, gboolean *can_read, gboolean *can_write,
                          char **reason, GError **error)
{
    if (!policy_path) {
        g_autoptr(SvirtPolicyTypes) types = svirt_policy_types_load(NULL);

        if (!types)
            types = svirt_policy_types_new_builtin();
        return mcs_decide(types, process_label, object_label, can_read, can_write, reason,
                          error);
    }
    return svirt_sepol_check_access(policy_path, process_label,
                                    object_label ? object_label : UNLABELLED_FILE_CONTEXT, "file",
                                    can_read, can_write, reason, error);
}

static void
set_cell(SvirtMatrixCell *cell, SvirtAccess access, const char *path, const char *label,
         char *why)
{
    cell->access = access;
    cell->path = access == SVIRT_ACCESS_ISOLATED ? NULL : g_strdup(path);
    if (access == SVIRT_ACCESS_ISOLATED)
        cell->reason = g_strdup_printf("%s: %s", path, why);
    else
        cell->reason = g_strdup_printf("%s (%s)", why, label ? label : _("unlabelled"));
    g_free(why);
}

/* The matrix from the loaded policy: every context is resolved once, and the reason text is
 * only made for the object that decides a cell. */
static gboolean
compute_policy(SvirtSepolPolicy *policy, SvirtMatrix *matrix, GError **error)
{
    GPtrArray *vms = matrix->vms;
    guint n = vms->len;
    g_autofree SvirtSepolSubject *procs = g_new0(SvirtSepolSubject, n);
    g_autofree gboolean *has_proc = g_new0(gboolean, n);
    g_autofree SvirtSepolSubject **objects = g_new0(SvirtSepolSubject *, n);
    gboolean ok = TRUE;

    for (guint a = 0; a < n && ok; a++) {
        SvirtMatrixVm *vm = g_ptr_array_index(vms, a);

        if (vm->process_label) {
            ok = svirt_sepol_policy_resolve(policy, vm->process_label, "file", &procs[a], error);
            has_proc[a] = ok;
        }
        objects[a] = g_new0(SvirtSepolSubject, vm->objects->len);
        for (guint i = 0; i < vm->objects->len && ok; i++) {
            SvirtMatrixObject *object = g_ptr_array_index(vm->objects, i);

            ok = svirt_sepol_policy_resolve(policy,
                                            object->label ? object->label
                                                          : UNLABELLED_FILE_CONTEXT,
                                            class_of(object->path), &objects[a][i], error);
        }
        if (!ok)
            g_prefix_error(error, _("Reading the labels of %s: "), vm->name);
    }

    for (guint a = 0; a < n && ok; a++) {
        SvirtMatrixVm *va = g_ptr_array_index(vms, a);

        for (guint b = 0; b < n && ok; b++) {
            SvirtMatrixVm *vb = g_ptr_array_index(vms, b);
            SvirtMatrixCell *cell = &matrix->cells[a * n + b];
            SvirtAccess best = SVIRT_ACCESS_ISOLATED;
            gint best_i = -1, denied_i = -1;
            SvirtSepolDecision best_decision = { 0 }, denied_decision = { 0 };

            if (a == b)
                continue;
            if (!has_proc[a]) {
                cell->access = SVIRT_ACCESS_UNKNOWN;
                cell->reason = g_strdup(va->process_note ? va->process_note
                                                         : _("no process label"));
                continue;
            }
            for (guint i = 0; i < vb->objects->len; i++) {
                SvirtSepolDecision decision;
                SvirtAccess access;

                if (!(ok = svirt_sepol_policy_decide(policy, &procs[a], &objects[b][i],
                                                     &decision, error)))
                    break;
                access = decision.can_write  ? SVIRT_ACCESS_WRITE
                         : decision.can_read ? SVIRT_ACCESS_READ
                                             : SVIRT_ACCESS_ISOLATED;
                if (access > best) {
                    best = access;
                    best_i = (gint)i;
                    best_decision = decision;
                } else if (access == SVIRT_ACCESS_ISOLATED && denied_i < 0) {
                    denied_i = (gint)i;
                    denied_decision = decision;
                }
                if (best == SVIRT_ACCESS_WRITE)
                    break;
            }
            if (!ok)
                break;
            if (best_i < 0 && denied_i < 0) {
                cell->access = SVIRT_ACCESS_ISOLATED;
                cell->reason = g_strdup(_("it has no labelled objects"));
            } else {
                gint i = best_i >= 0 ? best_i : denied_i;
                const SvirtMatrixObject *object = g_ptr_array_index(vb->objects, i);
                SvirtSepolDecision decision = best_i >= 0 ? best_decision : denied_decision;

                decision.can_read = best >= SVIRT_ACCESS_READ;
                decision.can_write = best == SVIRT_ACCESS_WRITE;
                set_cell(cell, best, object->path, object->label,
                         svirt_sepol_policy_explain(policy, &procs[a], &objects[b][i],
                                                    &decision));
            }
        }
    }
    for (guint a = 0; a < n; a++)
        g_free(objects[a]);
    return ok;
}

SvirtMatrix *
svirt_matrix_compute(GPtrArray *vms, const char *policy_path, GError **error)
{
    g_autoptr(SvirtMatrix) matrix = g_new0(SvirtMatrix, 1);
    g_autoptr(SvirtPolicyTypes) types = NULL;
    guint n = vms->len;
    gboolean ok = TRUE;

    matrix->vms = g_ptr_array_ref(vms);
    g_ptr_array_set_free_func(matrix->vms, (GDestroyNotify)svirt_matrix_vm_free);
    matrix->cells = g_new0(SvirtMatrixCell, (gsize)n * n);
    matrix->source = policy_path ? SVIRT_POLICY_SOURCE_BINARY : SVIRT_POLICY_SOURCE_MCS;
    matrix->policy_path = g_strdup(policy_path);
    if (policy_path) {
        g_autoptr(SvirtSepolPolicy) policy = svirt_sepol_policy_lock(policy_path, error);

        ok = policy && compute_policy(policy, matrix, error);
        return ok ? g_steal_pointer(&matrix) : NULL;
    }

    types = svirt_policy_types_load(NULL);
    if (!types)
        types = svirt_policy_types_new_builtin();
    for (guint a = 0; a < n && ok; a++) {
        SvirtMatrixVm *va = g_ptr_array_index(vms, a);

        for (guint b = 0; b < n && ok; b++) {
            SvirtMatrixVm *vb = g_ptr_array_index(vms, b);
            SvirtMatrixCell *cell = &matrix->cells[a * n + b];
            SvirtAccess best = SVIRT_ACCESS_ISOLATED;
            const SvirtMatrixObject *decisive = NULL;
            char *decisive_why = NULL;

            if (a == b)
                continue;
            if (!va->process_label) {
                cell->access = SVIRT_ACCESS_UNKNOWN;
                cell->reason = g_strdup(va->process_note ? va->process_note
                                                         : _("no process label"));
                continue;
            }
            for (guint i = 0; i < vb->objects->len; i++) {
                const SvirtMatrixObject *object = g_ptr_array_index(vb->objects, i);
                gboolean rd = FALSE, wr = FALSE;
                char *why = NULL;
                SvirtAccess access;

                if (!(ok = mcs_decide(types, va->process_label, object->label, &rd, &wr, &why,
                                      error))) {
                    g_prefix_error(error, _("Computing what %s may do to %s of %s: "),
                                   va->name, object->path, vb->name);
                    break;
                }
                access = wr ? SVIRT_ACCESS_WRITE : rd ? SVIRT_ACCESS_READ : SVIRT_ACCESS_ISOLATED;
                if (access > best || !decisive) {
                    best = access;
                    decisive = object;
                    g_free(decisive_why);
                    decisive_why = g_steal_pointer(&why);
                }
                g_free(why);
            }
            if (!ok) {
                g_free(decisive_why);
                break;
            }
            if (!decisive) {
                cell->access = SVIRT_ACCESS_ISOLATED;
                cell->reason = g_strdup(_("it has no labelled objects"));
            } else {
                set_cell(cell, best, decisive->path, decisive->label, decisive_why);
            }
        }
    }
    return ok ? g_steal_pointer(&matrix) : NULL;
}

/* ---- checks of one plan ---- */

struct _SvirtAuditContext {
    SvirtPolicyTypes *types;
    char *image_type;
    GStrv pools;
    GHashTable *levels;        /* level -> VM name */
    GHashTable *running_paths; /* path -> VM name */
};

SvirtAuditContext *
svirt_audit_context_new(const SvirtPolicyTypes *types, const char *const *pool_paths)
{
    SvirtAuditContext *ctx = g_new0(SvirtAuditContext, 1);

    ctx->types = svirt_policy_types_copy(types);
    ctx->image_type = type_of(types->image);
    ctx->pools = pool_paths ? g_strdupv((char **)pool_paths) : NULL;
    ctx->levels = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    ctx->running_paths = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return ctx;
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
        f = add_finding(findings, SVIRT_FINDING_FOREIGN, SVIRT_SEVERITY_CRITICAL, plan,
                        item->path, item->label, actual,
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
            f = add_finding(findings, SVIRT_FINDING_MISMATCH, SVIRT_SEVERITY_ERROR, plan,
                            item->path, item->label, actual,
                            g_strdup_printf(_("%s carries the level %s, which the VM's level %s "
                                              "does not dominate: the VM cannot use it."),
                                            item->path, alevel, plan->level),
                            g_strdup(vm_fix));
            f->fixable = fixable;
            return;
        }
    }
    f = add_finding(findings, SVIRT_FINDING_MISMATCH, SVIRT_SEVERITY_ERROR, plan, item->path,
                    item->label, actual,
                    g_strdup_printf(_("%s carries %s instead of the planned %s."), item->path,
                                    actual, item->label),
                    g_strdup(vm_fix));
    f->fixable = fixable;
}

static void
check_item(SvirtAuditContext *ctx, const SvirtPlan *plan, const SvirtPlanItem *item,
           SvirtAuditVmState state, gboolean admin_owned, GPtrArray *findings)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *actual = NULL;
    gboolean writable = is_writable(item->designation);
    struct stat st;

    if (!svirt_labeler_read_label(item->path, &actual, &error)) {
        if (g_error_matches(error, SVIRT_ERROR, SVIRT_ERROR_UNSUPPORTED))
            add_finding(findings, SVIRT_FINDING_UNSUPPORTED_FS, SVIRT_SEVERITY_WARNING, plan,
                        item->path, item->label, NULL,
                        g_strdup_printf(_("The filesystem of %s cannot hold SELinux labels, so "
                                          "nothing keeps other VMs from it."),
                                        item->path),
                        g_strdup(_("Move the image to a filesystem with labels (ext4, xfs) or "
                                   "mount it with a context= option for this VM alone.")));
        else
            add_finding(findings, SVIRT_FINDING_MISSING, SVIRT_SEVERITY_WARNING, plan,
                        item->path, item->label, NULL, g_strdup(error->message),
                        g_strdup(_("Restore the file or remove it from the VM's definition.")));
        return;
    }

    if (writable && lstat(item->path, &st) == 0) {
        g_autoptr(GError) unsafe = NULL;
        gboolean bad = !svirt_labeler_check_location(
            item->path, S_ISBLK(st.st_mode) ? SVIRT_LABEL_TARGET_BLOCK : SVIRT_LABEL_TARGET_FILE,
            &unsafe);

        if (!bad && S_ISBLK(st.st_mode))
            bad = !svirt_labeler_check_block_device(st.st_rdev, item->path, &unsafe);
        if (bad)
            add_finding(findings, SVIRT_FINDING_HOST_DEVICE, SVIRT_SEVERITY_CRITICAL, plan,
                        item->path, NULL, actual,
                        g_strdup_printf(_("VM '%s' may write %s, which the host uses: a guest "
                                          "could take over the host (%s)"),
                                        plan->vm_name, item->path, unsafe->message),
                        g_strdup(_("Remove the device from the VM, or give it a disk image or "
                                   "an unused block device instead.")));
    }
    if (item->designation == SVIRT_DESIGNATION_SHARED)
        add_finding(findings, SVIRT_FINDING_SHARED_WRITABLE, SVIRT_SEVERITY_INFO, plan,
                    item->path, item->label, actual,
                    g_strdup_printf(_("%s is shared: every VM may write it, not only those "
                                      "that list it."),
                                    item->path),
                    g_strdup(_("Keep only data meant for every VM on it, or make it private "
                               "or read-only.")));
    if (ctx->pools && is_image_kind(item->kind) && !in_pools(ctx, item->path))
        add_finding(findings, SVIRT_FINDING_OUTSIDE_POOLS, SVIRT_SEVERITY_INFO, plan, item->path,
                    NULL, NULL,
                    g_strdup_printf(_("%s is in no storage pool, so libvirt does not manage "
                                      "it and the policy gives it no default label."),
                                    item->path),
                    g_strdup(_("Move it into a storage pool such as /var/lib/libvirt/images, "
                               "or define a pool for its directory.")));

    if (state == SVIRT_AUDIT_VM_RUNNING || admin_owned) {
        if (!item->label || g_strcmp0(actual, item->label) == 0)
            return;
        if (!actual) {
            SvirtFinding *f = add_finding(
                findings, SVIRT_FINDING_UNLABELLED, SVIRT_SEVERITY_ERROR, plan, item->path,
                item->label, NULL,
                g_strdup_printf(_("%s has no label, so the policy treats it as %s."),
                                item->path, "unlabeled_t"),
                g_strdup(admin_owned ? _("Label it with chcon, as its static label with "
                                         "relabel off leaves labels to the administrator.")
                                     : _("Use Fix to label it, or restart the VM.")));

            f->fixable = !admin_owned;
            return;
        }
        classify_wrong_label(ctx, plan, item, actual, !admin_owned, findings);
        return;
    }

    if (state == SVIRT_AUDIT_VM_STOPPED && actual) {
        g_autofree char *alevel = level_of(actual);
        g_autofree char *atype = NULL;
        SvirtLevel level;
        const char *user;
        SvirtFinding *f;

        if (!alevel || g_strcmp0(alevel, plan->level) == 0 ||
            !svirt_level_parse(alevel, &level, NULL) || svirt_level_n_categories(&level) == 0)
            return;
        user = g_hash_table_lookup(ctx->running_paths, item->path);
        if (user)
            return;
        atype = type_of(actual);
        if (!g_str_equal(atype, ctx->image_type))
            return;
        f = add_finding(
            findings, SVIRT_FINDING_STALE, SVIRT_SEVERITY_WARNING, plan, item->path, NULL, actual,
            g_strdup_printf(_("VM '%s' is stopped but %s still carries the dynamic level %s: "
                              "a VM that later gets that pair can use it."),
                            plan->vm_name, item->path, alevel),
            g_strdup(_("Use Fix or run 'svirtctl reconcile' to restore its original label.")));
        f->fixable = TRUE;
    }
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

/* ---- the audit of a connection ---- */

typedef struct {
    char *name;
    char *uuid;
    SvirtAuditVmState state;
    SvirtSettings *settings;
    SvirtPlan *plan;
    char *process_label;
    char *process_note;
    char *level;
    gboolean admin_owned;
} VmData;

static void
vm_data_free(VmData *vm)
{
    g_free(vm->name);
    g_free(vm->uuid);
    if (vm->settings)
        svirt_settings_free(vm->settings);
    if (vm->plan)
        svirt_plan_free(vm->plan);
    g_free(vm->process_label);
    g_free(vm->process_note);
    g_free(vm->level);
    g_free(vm);
}

static GStrv
list_pool_paths(SvirtEngine *engine, GError **error)
{
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, error);
    g_autoptr(GPtrArray) paths = g_ptr_array_new();
    virStoragePoolPtr *pools = NULL;
    int n;

    if (!conn)
        return NULL;
    n = virConnectListAllStoragePools(conn, &pools, 0);
    if (n < 0) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not list the storage pools"));
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        char *path = svirt_pool_target_path(pools[i]);

        if (path && g_path_is_absolute(path))
            g_ptr_array_add(paths, path);
        else
            g_free(path);
        virStoragePoolFree(pools[i]);
    }
    free(pools);
    virResetLastError();
    g_ptr_array_add(paths, NULL);
    return (GStrv)g_ptr_array_free(g_steal_pointer(&paths), FALSE);
}

/* The label a stopped dynamic VM last ran with, from what the journal still holds for it. */
static char *
last_level_from_journal(SvirtJournal *journal, const char *uuid)
{
    GPtrArray *entries;
    char *found = NULL;

    if (!journal)
        return NULL;
    entries = svirt_journal_get_entries(journal);
    for (guint i = 0; i < entries->len && !found; i++) {
        SvirtJournalEntry *entry = g_ptr_array_index(entries, i);
        g_autofree char *level = NULL;
        SvirtLevel parsed;

        if (!svirt_journal_entry_has_holder(entry, uuid) || !entry->label)
            continue;
        level = level_of(entry->label);
        if (level && svirt_level_parse(level, &parsed, NULL) &&
            svirt_level_n_categories(&parsed) > 0)
            found = g_steal_pointer(&level);
    }
    return found;
}

static VmData *
collect_vm(SvirtEngine *engine, const SvirtVmInfo *info, const SvirtPolicyTypes *types,
           GError **error)
{
    g_autoptr(SvirtVmStatus) status = svirt_engine_get_vm_status(engine, info->uuid, error);
    g_autofree char *xml = NULL;
    VmData *vm;

    if (!status)
        return NULL;
    vm = g_new0(VmData, 1);
    vm->name = g_strdup(status->name);
    vm->uuid = g_strdup(status->uuid);
    vm->settings = svirt_engine_get_settings(engine, info->uuid, error);
    xml = vm->settings ? svirt_engine_get_domain_xml(engine, info->uuid,
                                                      !svirt_vm_state_is_active(status->state),
                                                      error)
                       : NULL;
    if (!xml) {
        vm_data_free(vm);
        return NULL;
    }

    if (svirt_vm_state_is_active(status->state)) {
        if (status->started_by_engine) {
            vm->state = SVIRT_AUDIT_VM_RUNNING;
            vm->process_label = g_strdup(status->process_label);
            vm->process_note = g_strdup(_("its live label"));
        } else {
            vm->state = SVIRT_AUDIT_VM_RUNNING_OUTSIDE;
            vm->process_label = svirt_domain_xml_selinux_label(xml);
            vm->process_note = g_strdup(vm->process_label
                                            ? _("the label libvirtd gave it")
                                            : _("started outside sVirt Manager; its label is "
                                                "unknown"));
        }
        if (vm->process_label)
            vm->level = level_of(vm->process_label);
    } else {
        vm->state = SVIRT_AUDIT_VM_STOPPED;
        if (vm->settings->mode == SVIRT_SECURITY_MODE_STATIC) {
            vm->process_label = g_strdup(vm->settings->label);
            vm->process_note = g_strdup(_("the static label it gets at start"));
        } else if (vm->settings->mode == SVIRT_SECURITY_MODE_DYNAMIC) {
            /* Filled in from the journal once every VM is read. */
            vm->process_note = g_strdup(_("not running"));
        } else {
            vm->process_note = g_strdup(_("no SELinux label (mode none)"));
        }
    }
    if (vm->settings->mode == SVIRT_SECURITY_MODE_STATIC) {
        g_free(vm->level);
        vm->level = svirt_settings_dup_static_level(vm->settings);
    }
    if (vm->settings->mode == SVIRT_SECURITY_MODE_STATIC && !vm->settings->relabel) {
        g_autoptr(SvirtSettings) relabel = svirt_settings_copy(vm->settings);

        relabel->relabel = TRUE;
        vm->admin_owned = TRUE;
        vm->plan = svirt_plan_build(xml, relabel, types, vm->level, error);
    } else {
        vm->plan = svirt_plan_build(xml, vm->settings, types, vm->level ? vm->level : "s0",
                                    error);
    }
    if (!vm->plan) {
        vm_data_free(vm);
        return NULL;
    }
    return vm;
}

static gint
compare_findings(gconstpointer a, gconstpointer b)
{
    const SvirtFinding *fa = *(const SvirtFinding *const *)a;
    const SvirtFinding *fb = *(const SvirtFinding *const *)b;

    if (fa->severity != fb->severity)
        return fa->severity > fb->severity ? -1 : 1;
    return g_strcmp0(fa->vm_name, fb->vm_name);
}

static void
check_enforcing(GPtrArray *findings)
{
    const char *why = NULL;

    if (is_selinux_enabled() <= 0)
        why = _("SELinux is disabled on this host: labels are written but nothing enforces "
                "them, so no VM is kept from another or from the host. What the audit says a "
                "VM may do is what the installed policy would allow.");
    else if (security_getenforce() != 1)
        why = _("SELinux is permissive on this host: denials are logged but not blocked, so "
                "no VM is kept from another or from the host.");
    if (why)
        add_finding(findings, SVIRT_FINDING_NOT_ENFORCING, SVIRT_SEVERITY_WARNING, NULL, NULL,
                    "enforcing", is_selinux_enabled() <= 0 ? "disabled" : "permissive",
                    g_strdup(why),
                    g_strdup(_("Boot with SELinux enabled (security=selinux selinux=1) and set "
                               "SELINUX=enforcing in /etc/selinux/config.")));
}

static void
check_duplicates(GPtrArray *vms, GPtrArray *findings)
{
    for (guint i = 0; i < vms->len; i++) {
        VmData *a = g_ptr_array_index(vms, i);

        if (a->state == SVIRT_AUDIT_VM_STOPPED || !a->process_label)
            continue;
        for (guint j = 0; j < vms->len; j++) {
            VmData *b = g_ptr_array_index(vms, j);
            g_autofree char *la = level_of(a->process_label);
            g_autofree char *lb = NULL;

            if (i == j || b->state == SVIRT_AUDIT_VM_STOPPED || !b->process_label)
                continue;
            lb = level_of(b->process_label);
            if (!la || g_strcmp0(la, lb) != 0)
                continue;
            add_finding(findings, SVIRT_FINDING_DUPLICATE, SVIRT_SEVERITY_CRITICAL, a->plan, NULL,
                        _("a level no other running VM holds"), la,
                        g_strdup_printf(_("VMs '%s' and '%s' both run with the level %s: each "
                                          "can read and write the other's disks."),
                                        a->name, b->name, la),
                        g_strdup(_("Stop one of them and give it another static label, or "
                                   "make it dynamic.")));
        }
    }
}

static SvirtMatrixVm *
matrix_vm_of(const VmData *vm)
{
    SvirtMatrixVm *mvm = svirt_matrix_vm_new(vm->name, vm->uuid, vm->process_label,
                                             vm->process_note);

    for (guint i = 0; i < vm->plan->items->len; i++) {
        const SvirtPlanItem *item = g_ptr_array_index(vm->plan->items, i);
        g_autofree char *label = NULL;

        if (item->designation == SVIRT_DESIGNATION_SKIPPED || !g_path_is_absolute(item->path))
            continue;
        if (!svirt_labeler_read_label(item->path, &label, NULL))
            continue;
        svirt_matrix_vm_add_object(mvm, item->path, label);
    }
    return mvm;
}

SvirtAuditReport *
svirt_audit_run(SvirtEngine *engine, GCancellable *cancellable, GError **error)
{
    g_autoptr(SvirtAuditReport) report = g_new0(SvirtAuditReport, 1);
    g_autoptr(GPtrArray) infos = NULL;
    g_autoptr(GPtrArray) vms = g_ptr_array_new_with_free_func((GDestroyNotify)vm_data_free);
    g_autoptr(GPtrArray) matrix_vms = NULL;
    g_autoptr(SvirtPolicyTypes) types = NULL;
    g_autoptr(SvirtAuditContext) ctx = NULL;
    g_autoptr(SvirtJournal) journal = NULL;
    g_autofree char *policy = NULL;
    g_auto(GStrv) pools = NULL;

    report->findings = g_ptr_array_new_with_free_func((GDestroyNotify)svirt_finding_free);
    infos = svirt_engine_list_vms(engine, cancellable, error);
    types = infos ? svirt_policy_types_load(error) : NULL;
    if (!types)
        return NULL;
    {
        g_autoptr(GError) local = NULL;

        /* Without a storage driver the pool check is left out; the rest still runs. */
        pools = list_pool_paths(engine, &local);
        if (!pools)
            g_message("Audit without the storage pool check: %s", local->message);
    }
    for (guint i = 0; i < infos->len; i++) {
        const SvirtVmInfo *info = g_ptr_array_index(infos, i);
        g_autoptr(GError) local = NULL;
        VmData *vm;

        if (g_cancellable_set_error_if_cancelled(cancellable, error))
            return NULL;
        vm = collect_vm(engine, info, types, &local);
        if (!vm) {
            SvirtFinding *f;

            /* A VM that vanished meanwhile is not a finding; one that cannot be read is. */
            if (g_error_matches(local, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND))
                continue;
            f = add_finding(report->findings, SVIRT_FINDING_MISSING, SVIRT_SEVERITY_WARNING,
                            NULL, NULL, NULL, NULL, g_strdup(local->message),
                            g_strdup(_("Correct what the message names, then audit again.")));
            f->vm_name = g_strdup(info->name);
            f->vm_uuid = g_strdup(info->uuid);
            continue;
        }
        g_ptr_array_add(vms, vm);
    }
    /* Status reads take the journal's lock too, so it is only taken now. */
    journal = svirt_journal_open(NULL, NULL);
    if (journal && svirt_journal_lock(journal, NULL)) {
        for (guint i = 0; i < vms->len; i++) {
            VmData *vm = g_ptr_array_index(vms, i);
            g_autofree char *last = NULL;

            if (vm->state != SVIRT_AUDIT_VM_STOPPED ||
                vm->settings->mode != SVIRT_SECURITY_MODE_DYNAMIC)
                continue;
            last = last_level_from_journal(journal, vm->uuid);
            if (!last)
                continue;
            vm->process_label = svirt_policy_context_with_level(types->process, last, NULL);
            g_free(vm->process_note);
            vm->process_note = g_strdup(_("not running; its last label"));
        }
        svirt_journal_unlock(journal);
    }

    ctx = svirt_audit_context_new(types, (const char *const *)pools);
    for (guint i = 0; i < vms->len; i++) {
        VmData *vm = g_ptr_array_index(vms, i);

        if (vm->level && (vm->state != SVIRT_AUDIT_VM_STOPPED ||
                          vm->settings->mode == SVIRT_SECURITY_MODE_STATIC))
            svirt_audit_context_add_level(ctx, vm->level, vm->name);
        if (vm->state == SVIRT_AUDIT_VM_STOPPED)
            continue;
        for (guint k = 0; k < vm->plan->items->len; k++) {
            const SvirtPlanItem *item = g_ptr_array_index(vm->plan->items, k);

            svirt_audit_context_add_running_path(ctx, item->path, vm->name);
        }
    }
    check_enforcing(report->findings);
    for (guint i = 0; i < vms->len; i++) {
        VmData *vm = g_ptr_array_index(vms, i);

        if (vm->state == SVIRT_AUDIT_VM_RUNNING_OUTSIDE)
            add_finding(report->findings, SVIRT_FINDING_STARTED_OUTSIDE, SVIRT_SEVERITY_ERROR,
                        vm->plan, NULL, NULL, NULL,
                        g_strdup_printf(_("VM '%s' was started outside sVirt Manager: none of "
                                          "its files were labelled for it, and no level was "
                                          "reserved for it."),
                                        vm->name),
                        g_strdup(_("Stop it and start it again with sVirt Manager or "
                                   "'svirtctl start'.")));
        svirt_audit_check_plan(ctx, vm->plan, vm->state, vm->admin_owned, report->findings);
    }
    check_duplicates(vms, report->findings);
    g_ptr_array_sort(report->findings, compare_findings);

    matrix_vms = g_ptr_array_new_with_free_func((GDestroyNotify)svirt_matrix_vm_free);
    for (guint i = 0; i < vms->len; i++)
        g_ptr_array_add(matrix_vms, matrix_vm_of(g_ptr_array_index(vms, i)));
    policy = svirt_context_find_policy_file();
    report->matrix = svirt_matrix_compute(matrix_vms, policy, error);
    if (!report->matrix)
        return NULL;
    return g_steal_pointer(&report);
}

static gboolean
audit_call(gpointer source, SvirtTaskArgs *args, gpointer *result, GCancellable *cancellable,
           GError **error)
{
    return (*result = svirt_audit_run(source, cancellable, error)) != NULL;
}

void
svirt_audit_run_async(SvirtEngine *engine, GCancellable *cancellable,
                      GAsyncReadyCallback callback, gpointer user_data)
{
    svirt_task_run(engine, svirt_audit_run_async, audit_call, svirt_task_args_new(NULL),
                   (GDestroyNotify)svirt_audit_report_free, SVIRT_TASK_CANCEL_DROPS, cancellable,
                   callback, user_data);
}

SvirtAuditReport *
svirt_audit_run_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_pointer(engine, svirt_audit_run_async, result, error);
}

static gboolean
fix_call(gpointer source, SvirtTaskArgs *args, gpointer *result, GCancellable *cancellable,
         GError **error)
{
    return svirt_audit_fix(source, args->boxed, error);
}

void
svirt_audit_fix_async(SvirtEngine *engine, const SvirtFinding *finding,
                      GCancellable *cancellable, GAsyncReadyCallback callback,
                      gpointer user_data)
{
    SvirtTaskArgs *args = svirt_task_args_new(NULL);

    args->boxed = svirt_finding_copy(finding);
    args->boxed_free = (GDestroyNotify)svirt_finding_free;
    svirt_task_run(engine, svirt_audit_fix_async, fix_call, args, NULL, SVIRT_TASK_CANCEL_DROPS,
                   cancellable, callback, user_data);
}

gboolean
svirt_audit_fix_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_boolean(engine, svirt_audit_fix_async, result, error);
}

void
svirt_audit_report_free(SvirtAuditReport *report)
{
    if (!report)
        return;
    if (report->findings)
        g_ptr_array_unref(report->findings);
    svirt_matrix_free(report->matrix);
    g_free(report);
}

SvirtSeverity
svirt_audit_report_max_severity(const SvirtAuditReport *report)
{
    SvirtSeverity max = SVIRT_SEVERITY_INFO;

    for (guint i = 0; i < report->findings->len; i++) {
        const SvirtFinding *f = g_ptr_array_index(report->findings, i);

        if (f->severity > max)
            max = f->severity;
    }
    return max;
}

/* ---- output ---- */

static void
add_member(JsonBuilder *b, const char *name, const char *value)
{
    json_builder_set_member_name(b, name);
    if (value)
        json_builder_add_string_value(b, value);
    else
        json_builder_add_null_value(b);
}

JsonNode *
svirt_audit_report_to_json(const SvirtAuditReport *report)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    const SvirtMatrix *m = report->matrix;

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "findings");
    json_builder_begin_array(b);
    for (guint i = 0; i < report->findings->len; i++) {
        const SvirtFinding *f = g_ptr_array_index(report->findings, i);

        json_builder_begin_object(b);
        add_member(b, "id", svirt_finding_kind_to_id(f->kind));
        add_member(b, "severity", svirt_severity_to_string(f->severity));
        add_member(b, "vm", f->vm_name);
        add_member(b, "uuid", f->vm_uuid);
        add_member(b, "path", f->path);
        add_member(b, "expected", f->expected);
        add_member(b, "actual", f->actual);
        add_member(b, "explanation", f->explanation);
        add_member(b, "fix", f->fix);
        json_builder_set_member_name(b, "fixable");
        json_builder_add_boolean_value(b, f->fixable);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_set_member_name(b, "matrix");
    json_builder_begin_object(b);
    add_member(b, "source", svirt_policy_source_to_string(m->source));
    add_member(b, "policy", m->policy_path);
    json_builder_set_member_name(b, "vms");
    json_builder_begin_array(b);
    for (guint i = 0; i < m->vms->len; i++) {
        const SvirtMatrixVm *vm = g_ptr_array_index(m->vms, i);

        json_builder_begin_object(b);
        add_member(b, "name", vm->name);
        add_member(b, "uuid", vm->uuid);
        add_member(b, "process_label", vm->process_label);
        add_member(b, "note", vm->process_note);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_set_member_name(b, "cells");
    json_builder_begin_array(b);
    for (guint r = 0; r < m->vms->len; r++) {
        json_builder_begin_array(b);
        for (guint c = 0; c < m->vms->len; c++) {
            const SvirtMatrixCell *cell = svirt_matrix_get_cell(m, r, c);

            json_builder_begin_object(b);
            add_member(b, "access", r == c ? "self" : svirt_access_to_string(cell->access));
            add_member(b, "path", cell->path);
            add_member(b, "reason", cell->reason);
            json_builder_end_object(b);
        }
        json_builder_end_array(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

static void
append_escaped(GString *s, const char *text)
{
    g_autofree char *escaped = g_markup_escape_text(text ? text : "—", -1);

    g_string_append(s, escaped);
}

char *
svirt_audit_report_to_html(const SvirtAuditReport *report)
{
    GString *s = g_string_new(NULL);
    const SvirtMatrix *m = report->matrix;

    g_string_append(s, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>");
    append_escaped(s, _("sVirt isolation audit"));
    g_string_append(
        s, "</title><style>"
           "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}"
           "td,th{border:1px solid #999;padding:4px 8px;vertical-align:top;font-size:90%}"
           "th{background:#eee}.critical{background:#f4b6b6}.error{background:#f8d0b0}"
           ".warning{background:#fbeeb0}.info{background:#dde8f6}"
           ".isolated{background:#b8e0b8}.read{background:#fbeeb0}.write{background:#f4b6b6}"
           ".unknown{background:#ddd}.self{background:#fff}"
           "</style></head><body>\n<h1>");
    append_escaped(s, _("sVirt isolation audit"));
    g_string_append(s, "</h1>\n<p>");
    if (m->source == SVIRT_POLICY_SOURCE_BINARY) {
        g_autofree char *text = g_strdup_printf(_("Access computed with libsepol from the "
                                                  "binary policy %s."),
                                                m->policy_path);
        append_escaped(s, text);
    } else {
        append_escaped(s, _("No binary policy found: access computed from MCS dominance "
                            "alone."));
    }
    g_string_append(s, "</p>\n<h2>");
    append_escaped(s, _("Findings"));
    g_string_append(s, "</h2>\n<table><tr>");
    {
        const char *heads[] = { N_("Severity"), N_("Finding"), N_("VM"), N_("Object"),
                                N_("Expected"), N_("Actual"), N_("Explanation"), N_("Fix") };

        for (guint i = 0; i < G_N_ELEMENTS(heads); i++) {
            g_string_append(s, "<th>");
            append_escaped(s, _(heads[i]));
            g_string_append(s, "</th>");
        }
    }
    g_string_append(s, "</tr>\n");
    for (guint i = 0; i < report->findings->len; i++) {
        const SvirtFinding *f = g_ptr_array_index(report->findings, i);
        const char *cols[] = { svirt_severity_to_string(f->severity),
                               svirt_finding_kind_to_id(f->kind), f->vm_name, f->path,
                               f->expected, f->actual, f->explanation, f->fix };

        g_string_append_printf(s, "<tr class=\"%s\">", svirt_severity_to_string(f->severity));
        for (guint c = 0; c < G_N_ELEMENTS(cols); c++) {
            g_string_append(s, "<td>");
            append_escaped(s, cols[c]);
            g_string_append(s, "</td>");
        }
        g_string_append(s, "</tr>\n");
    }
    g_string_append(s, "</table>\n<h2>");
    append_escaped(s, _("Isolation matrix"));
    g_string_append(s, "</h2>\n<p>");
    append_escaped(s, _("Row: the VM whose process acts. Column: the VM whose objects it "
                        "reaches."));
    g_string_append(s, "</p>\n<table><tr><th></th>");
    for (guint c = 0; c < m->vms->len; c++) {
        const SvirtMatrixVm *vm = g_ptr_array_index(m->vms, c);

        g_string_append(s, "<th>");
        append_escaped(s, vm->name);
        g_string_append(s, "</th>");
    }
    g_string_append(s, "</tr>\n");
    for (guint r = 0; r < m->vms->len; r++) {
        const SvirtMatrixVm *vm = g_ptr_array_index(m->vms, r);

        g_string_append(s, "<tr><th title=\"");
        append_escaped(s, vm->process_label ? vm->process_label : vm->process_note);
        g_string_append(s, "\">");
        append_escaped(s, vm->name);
        g_string_append(s, "</th>");
        for (guint c = 0; c < m->vms->len; c++) {
            const SvirtMatrixCell *cell = svirt_matrix_get_cell(m, r, c);
            const char *cls = r == c ? "self" : svirt_access_to_string(cell->access);

            g_string_append_printf(s, "<td class=\"%s\" title=\"", cls);
            append_escaped(s, r == c ? "" : cell->reason);
            g_string_append(s, "\">");
            append_escaped(s, r == c ? "" : cls);
            if (r != c && cell->path) {
                g_string_append(s, "<br><small>");
                append_escaped(s, cell->path);
                g_string_append(s, "</small>");
            }
            g_string_append(s, "</td>");
        }
        g_string_append(s, "</tr>\n");
    }
    g_string_append(s, "</table>\n</body></html>\n");
    return g_string_free(s, FALSE);
}

/* ---- fixes ---- */

static gboolean
relabel_path(const char *path, const char *label, GError **error)
{
    struct stat st;
    g_autoptr(SvirtLabelTarget) target = NULL;
    SvirtLabelStatus status;

    if (lstat(path, &st) < 0) {
        int saved = errno;

        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND, _("Could not relabel %s: %s."),
                    path, g_strerror(saved));
        return FALSE;
    }
    target = svirt_label_target_open(path,
                                     S_ISBLK(st.st_mode)   ? SVIRT_LABEL_TARGET_BLOCK
                                     : S_ISREG(st.st_mode) ? SVIRT_LABEL_TARGET_FILE
                                                           : SVIRT_LABEL_TARGET_SOCKET,
                                     error);
    if (!target || !svirt_label_target_set_label(target, label, &status, error))
        return FALSE;
    if (status == SVIRT_LABEL_STATUS_UNSUPPORTED) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSUPPORTED,
                    _("%s is on a filesystem that cannot hold labels; it was not relabelled. "
                      "Move the image to a filesystem with extended attributes."),
                    path);
        return FALSE;
    }
    return TRUE;
}

/* Relabels under the journal lock, and only while the journal still holds the path for the VM:
 * a stop that restores it meanwhile must not be undone. */
static gboolean
relabel_held_path(const SvirtFinding *finding, GError **error)
{
    g_autoptr(SvirtJournal) journal = svirt_journal_open(NULL, error);
    g_autofree char *resolved = svirt_labeler_resolve_path(finding->path);
    SvirtJournalEntry *entry;
    gboolean ok;

    if (!journal || !svirt_journal_lock(journal, error))
        return FALSE;
    entry = resolved ? svirt_journal_lookup(journal, resolved) : NULL;
    if (!entry || !svirt_journal_entry_has_holder(entry, finding->vm_uuid)) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE,
                    _("%s is no longer labelled for VM '%s', so it was not relabelled. Run "
                      "the audit again."),
                    finding->path, finding->vm_name);
        svirt_journal_unlock(journal);
        return FALSE;
    }
    ok = relabel_path(finding->path, finding->expected, error);
    svirt_journal_unlock(journal);
    return ok;
}

static gboolean
fix_finding(SvirtEngine *engine, const SvirtFinding *finding, GError **error)
{
    g_autoptr(SvirtVmStatus) status = NULL;

    if (!finding->fixable || !finding->vm_uuid || !finding->path) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE,
                    _("sVirt Manager does not repair '%s' findings itself: %s"),
                    svirt_finding_kind_to_id(finding->kind), finding->fix);
        return FALSE;
    }
    status = svirt_engine_get_vm_status(engine, finding->vm_uuid, error);
    if (!status)
        return FALSE;

    switch (finding->kind) {
    case SVIRT_FINDING_MISMATCH:
    case SVIRT_FINDING_UNLABELLED:
        if (!svirt_vm_state_is_active(status->state) || !status->started_by_engine) {
            g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE,
                        _("VM '%s' is no longer running as started by sVirt Manager, so %s is "
                          "not relabelled. Run the audit again."),
                        status->name, finding->path);
            return FALSE;
        }
        return relabel_held_path(finding, error);
    case SVIRT_FINDING_STALE: {
        g_autoptr(SvirtJournal) journal = NULL;
        g_autofree char *resolved = svirt_labeler_resolve_path(finding->path);
        gboolean held = FALSE;

        if (svirt_vm_state_is_active(status->state)) {
            g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE,
                        _("VM '%s' runs again, so the label of %s is not stale any more. Run "
                          "the audit again."),
                        status->name, finding->path);
            return FALSE;
        }
        journal = svirt_journal_open(NULL, error);
        if (!journal || !svirt_journal_lock(journal, error))
            return FALSE;
        if (resolved) {
            SvirtJournalEntry *entry = svirt_journal_lookup(journal, resolved);

            held = entry && svirt_journal_entry_has_holder(entry, finding->vm_uuid);
        }
        svirt_journal_unlock(journal);
        g_clear_pointer(&journal, svirt_journal_free);
        if (held)
            return svirt_restore_holder(finding->vm_uuid, NULL, error);
        return svirt_restore_path(finding->path, NULL, error);
    }
    case SVIRT_FINDING_FOREIGN:
    case SVIRT_FINDING_DUPLICATE:
    case SVIRT_FINDING_SHARED_WRITABLE:
    case SVIRT_FINDING_HOST_DEVICE:
    case SVIRT_FINDING_UNSUPPORTED_FS:
    case SVIRT_FINDING_OUTSIDE_POOLS:
    case SVIRT_FINDING_STARTED_OUTSIDE:
    case SVIRT_FINDING_NOT_ENFORCING:
    case SVIRT_FINDING_MISSING:
    default:
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE,
                    _("sVirt Manager does not repair '%s' findings itself: %s"),
                    svirt_finding_kind_to_id(finding->kind), finding->fix);
        return FALSE;
    }
}

gboolean
svirt_audit_fix(SvirtEngine *engine, const SvirtFinding *finding, GError **error)
{
    gboolean ok = fix_finding(engine, finding, error);

    /* Even a fix that failed half-way may have changed a label. */
    if (finding->fixable && finding->vm_uuid)
        svirt_engine_notify_labels_changed(engine, finding->vm_uuid);
    return ok;
}
