#include "config.h"

#include <glib/gi18n-lib.h>
#include <sys/stat.h>

#include "svirt-context.h"
#include "svirt-matrix.h"
#include "svirt-policy.h"
#include "svirt-sepol.h"

/* What the kernel gives a file on a labelling filesystem that carries no label. */
#define UNLABELLED_FILE_CONTEXT "system_u:object_r:unlabeled_t:s0"

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

/* The policy's labels, or the usual ones where it has none. */
static SvirtPolicyTypes *
load_types(void)
{
    SvirtPolicyTypes *types = svirt_policy_types_load(NULL);

    return types ? types : svirt_policy_types_new_builtin();
}

gboolean
svirt_policy_check_access(const char *policy_path, const char *process_label,
                          const char *object_label, gboolean *can_read, gboolean *can_write,
                          char **reason, GError **error)
{
    if (!policy_path) {
        g_autoptr(SvirtPolicyTypes) types = load_types();

        return mcs_decide(types, process_label, object_label, can_read, can_write, reason,
                          error);
    }
    return svirt_sepol_check_access(policy_path, process_label,
                                    object_label ? object_label : UNLABELLED_FILE_CONTEXT, "file",
                                    can_read, can_write, reason, error);
}

/* Takes @why. */
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

static void
set_no_objects(SvirtMatrixCell *cell)
{
    cell->access = SVIRT_ACCESS_ISOLATED;
    cell->reason = g_strdup(_("it has no labelled objects"));
}

/* A VM without a process label: nothing to compute from. */
static void
set_unknown(SvirtMatrixCell *cell, const SvirtMatrixVm *vm)
{
    cell->access = SVIRT_ACCESS_UNKNOWN;
    cell->reason = g_strdup(vm->process_note ? vm->process_note : _("no process label"));
}

/* Resolves every process label and object label in the policy once. */
static gboolean
resolve_labels(SvirtSepolPolicy *policy, GPtrArray *vms, SvirtSepolSubject *procs,
               gboolean *has_proc, SvirtSepolSubject **objects, GError **error)
{
    gboolean ok = TRUE;

    for (guint a = 0; a < vms->len && ok; a++) {
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
    return ok;
}

/* The most process @proc may do to the objects of @owner, and the object that decides it: the
 * one that gives that access, else the first it is denied; the reason text is only made for
 * that object. */
static gboolean
policy_cell(SvirtSepolPolicy *policy, const SvirtSepolSubject *proc, const SvirtMatrixVm *owner,
            const SvirtSepolSubject *objects, SvirtMatrixCell *cell, GError **error)
{
    SvirtAccess best = SVIRT_ACCESS_ISOLATED;
    gint best_i = -1, denied_i = -1, i;
    SvirtSepolDecision best_decision = { 0 }, denied_decision = { 0 }, decision;
    const SvirtMatrixObject *object;

    for (guint k = 0; k < owner->objects->len; k++) {
        SvirtAccess access;

        if (!svirt_sepol_policy_decide(policy, proc, &objects[k], &decision, error))
            return FALSE;
        access = decision.can_write  ? SVIRT_ACCESS_WRITE
                 : decision.can_read ? SVIRT_ACCESS_READ
                                     : SVIRT_ACCESS_ISOLATED;
        if (access > best) {
            best = access;
            best_i = (gint)k;
            best_decision = decision;
        } else if (access == SVIRT_ACCESS_ISOLATED && denied_i < 0) {
            denied_i = (gint)k;
            denied_decision = decision;
        }
        if (best == SVIRT_ACCESS_WRITE)
            break;
    }
    if (best_i < 0 && denied_i < 0) {
        set_no_objects(cell);
        return TRUE;
    }
    i = best_i >= 0 ? best_i : denied_i;
    object = g_ptr_array_index(owner->objects, i);
    decision = best_i >= 0 ? best_decision : denied_decision;
    decision.can_read = best >= SVIRT_ACCESS_READ;
    decision.can_write = best == SVIRT_ACCESS_WRITE;
    set_cell(cell, best, object->path, object->label,
             svirt_sepol_policy_explain(policy, proc, &objects[i], &decision));
    return TRUE;
}

/* The matrix from the loaded policy: every context is resolved once. */
static gboolean
compute_policy(SvirtSepolPolicy *policy, SvirtMatrix *matrix, GError **error)
{
    GPtrArray *vms = matrix->vms;
    guint n = vms->len;
    g_autofree SvirtSepolSubject *procs = g_new0(SvirtSepolSubject, n);
    g_autofree gboolean *has_proc = g_new0(gboolean, n);
    g_autofree SvirtSepolSubject **objects = g_new0(SvirtSepolSubject *, n);
    gboolean ok = resolve_labels(policy, vms, procs, has_proc, objects, error);

    for (guint a = 0; a < n && ok; a++) {
        for (guint b = 0; b < n && ok; b++) {
            SvirtMatrixCell *cell = &matrix->cells[a * n + b];

            if (a == b)
                continue;
            if (!has_proc[a])
                set_unknown(cell, g_ptr_array_index(vms, a));
            else
                ok = policy_cell(policy, &procs[a], g_ptr_array_index(vms, b), objects[b], cell,
                                 error);
        }
    }
    for (guint a = 0; a < n; a++)
        g_free(objects[a]);
    return ok;
}

/* The most the process of @va may do to the objects of @vb by MCS dominance alone, and the
 * object that decides it. */
static gboolean
mcs_cell(const SvirtPolicyTypes *types, const SvirtMatrixVm *va, const SvirtMatrixVm *vb,
         SvirtMatrixCell *cell, GError **error)
{
    SvirtAccess best = SVIRT_ACCESS_ISOLATED;
    const SvirtMatrixObject *decisive = NULL;
    g_autofree char *decisive_why = NULL;

    for (guint i = 0; i < vb->objects->len; i++) {
        const SvirtMatrixObject *object = g_ptr_array_index(vb->objects, i);
        gboolean rd = FALSE, wr = FALSE;
        g_autofree char *why = NULL;
        SvirtAccess access;

        if (!mcs_decide(types, va->process_label, object->label, &rd, &wr, &why, error)) {
            g_prefix_error(error, _("Computing what %s may do to %s of %s: "), va->name,
                           object->path, vb->name);
            return FALSE;
        }
        access = wr ? SVIRT_ACCESS_WRITE : rd ? SVIRT_ACCESS_READ : SVIRT_ACCESS_ISOLATED;
        if (access > best || !decisive) {
            best = access;
            decisive = object;
            g_free(decisive_why);
            decisive_why = g_steal_pointer(&why);
        }
    }
    if (!decisive)
        set_no_objects(cell);
    else
        set_cell(cell, best, decisive->path, decisive->label, g_steal_pointer(&decisive_why));
    return TRUE;
}

static gboolean
compute_mcs(SvirtMatrix *matrix, GError **error)
{
    g_autoptr(SvirtPolicyTypes) types = load_types();
    GPtrArray *vms = matrix->vms;
    guint n = vms->len;
    gboolean ok = TRUE;

    for (guint a = 0; a < n && ok; a++) {
        SvirtMatrixVm *va = g_ptr_array_index(vms, a);

        for (guint b = 0; b < n && ok; b++) {
            SvirtMatrixCell *cell = &matrix->cells[a * n + b];

            if (a == b)
                continue;
            if (!va->process_label)
                set_unknown(cell, va);
            else
                ok = mcs_cell(types, va, g_ptr_array_index(vms, b), cell, error);
        }
    }
    return ok;
}

SvirtMatrix *
svirt_matrix_compute(GPtrArray *vms, const char *policy_path, GError **error)
{
    g_autoptr(SvirtMatrix) matrix = g_new0(SvirtMatrix, 1);
    gboolean ok;

    matrix->vms = g_ptr_array_ref(vms);
    g_ptr_array_set_free_func(matrix->vms, (GDestroyNotify)svirt_matrix_vm_free);
    matrix->cells = g_new0(SvirtMatrixCell, (gsize)vms->len * vms->len);
    matrix->source = policy_path ? SVIRT_POLICY_SOURCE_BINARY : SVIRT_POLICY_SOURCE_MCS;
    matrix->policy_path = g_strdup(policy_path);
    if (policy_path) {
        g_autoptr(SvirtSepolPolicy) policy = svirt_sepol_policy_lock(policy_path, error);

        ok = policy && compute_policy(policy, matrix, error);
    } else {
        ok = compute_mcs(matrix, error);
    }
    return ok ? g_steal_pointer(&matrix) : NULL;
}
