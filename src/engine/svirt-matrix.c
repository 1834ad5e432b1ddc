#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>
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

/* What the processes of one class may do to the objects of one class of owners. VMs with the
 * same process label share a class, and so do VMs whose objects carry the same labels in the
 * same order: their cells differ only in the path of the decisive object. */
typedef struct {
    gboolean done;
    SvirtAccess access;
    gint index; /* the owner's decisive object; -1 when it has none */
    char *why;
} PairResult;

static void
set_from_pair(SvirtMatrixCell *cell, const PairResult *pair, const SvirtMatrixVm *owner)
{
    const SvirtMatrixObject *object;

    if (pair->index < 0) {
        set_no_objects(cell);
        return;
    }
    object = g_ptr_array_index(owner->objects, pair->index);
    set_cell(cell, pair->access, object->path, object->label, g_strdup(pair->why));
}

static void
free_pairs(PairResult *pairs, gsize n)
{
    for (gsize i = 0; i < n; i++)
        g_free(pairs[i].why);
    g_free(pairs);
}

/* Gives each VM the number of its class by @keys (one per VM, taken; NULL: no class, G_MAXUINT). */
static guint *
assign_classes(char **keys, guint n, guint *n_classes)
{
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    guint *classes = g_new(guint, n);

    for (guint a = 0; a < n; a++) {
        gpointer value;

        if (!keys[a]) {
            classes[a] = G_MAXUINT;
        } else if (g_hash_table_lookup_extended(seen, keys[a], NULL, &value)) {
            classes[a] = GPOINTER_TO_UINT(value);
            g_free(keys[a]);
        } else {
            classes[a] = g_hash_table_size(seen);
            g_hash_table_insert(seen, keys[a], GUINT_TO_POINTER(classes[a]));
        }
    }
    *n_classes = g_hash_table_size(seen);
    g_free(keys);
    return classes;
}

/* A label resolved in the policy, with what its access decisions can depend on. */
typedef struct {
    SvirtSepolSubject subject;
    const char *urt; /* interned user:role:type; NULL when its level cannot be compared here */
    SvirtLevel low, high;
} Label;

/* The labels of @vm's objects in order, with their object classes where @resolved gives them. */
static char *
owner_key(const SvirtMatrixVm *vm, const Label *resolved)
{
    GString *key = g_string_new(NULL);

    for (guint i = 0; i < vm->objects->len; i++) {
        const SvirtMatrixObject *object = g_ptr_array_index(vm->objects, i);

        g_string_append_printf(key, "%s\x1f%s\x1e", object->label ? object->label : "",
                               resolved ? resolved[i].subject.cls : "");
    }
    return g_string_free(key, FALSE);
}

static void
label_init(Label *label, const char *context)
{
    g_autoptr(SvirtContext) parsed = svirt_context_parse(context, NULL);
    g_autofree char *urt = NULL;

    label->urt = NULL;
    if (!parsed || !svirt_context_has_level(parsed))
        return;
    label->low = *svirt_context_get_low(parsed);
    label->high = svirt_context_get_high(parsed) ? *svirt_context_get_high(parsed) : label->low;
    if (label->low.sensitivity != label->high.sensitivity)
        return;
    urt = g_strdup_printf("%s:%s:%s", svirt_context_get_user(parsed),
                          svirt_context_get_role(parsed), svirt_context_get_type_name(parsed));
    label->urt = g_intern_string(urt);
}

static gboolean
resolve_label(SvirtSepolPolicy *policy, const char *context, const char *cls, Label *out,
              GError **error)
{
    if (!svirt_sepol_policy_resolve(policy, context, cls, &out->subject, error))
        return FALSE;
    label_init(out, context);
    return TRUE;
}

/* Resolves every process label and object label in the policy once. */
static gboolean
resolve_labels(SvirtSepolPolicy *policy, GPtrArray *vms, Label *procs, gboolean *has_proc,
               Label **objects, GError **error)
{
    gboolean ok = TRUE;

    for (guint a = 0; a < vms->len && ok; a++) {
        SvirtMatrixVm *vm = g_ptr_array_index(vms, a);

        if (vm->process_label) {
            ok = resolve_label(policy, vm->process_label, "file", &procs[a], error);
            has_proc[a] = ok;
        }
        objects[a] = g_new0(Label, vm->objects->len);
        for (guint i = 0; i < vm->objects->len && ok; i++) {
            SvirtMatrixObject *object = g_ptr_array_index(vm->objects, i);

            ok = resolve_label(policy,
                               object->label ? object->label : UNLABELLED_FILE_CONTEXT,
                               class_of(object->path), &objects[a][i], error);
        }
        if (!ok)
            g_prefix_error(error, _("Reading the labels of %s: "), vm->name);
    }
    return ok;
}

/* libsepol's decision depends on the users, roles and types, the class, and, of the levels,
 * only on how they compare (constraints test eq, dom, domby and incomp between l1, h1, l2, h2):
 * labels alike in all of that get one decision. Labels whose levels cannot be compared here are
 * keyed by their SIDs. */
typedef struct {
    const char *process;
    const char *object;
    guint32 process_sid;
    guint32 object_sid;
    guint32 tclass;
    guint32 relations;
} DecisionKey;

typedef struct {
    DecisionKey key;
    SvirtSepolDecision decision;
    char *why[4]; /* the reason, by can_read | can_write << 1 as explained */
} Decision;

static guint
decision_key_hash(gconstpointer data)
{
    const DecisionKey *key = data;

    return g_direct_hash(key->process) * 31 + g_direct_hash(key->object) * 17 +
           key->process_sid * 7 + key->object_sid * 13 + key->tclass * 3 + key->relations;
}

static gboolean
decision_key_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(DecisionKey)) == 0;
}

static void
decision_free(Decision *decision)
{
    for (guint i = 0; i < G_N_ELEMENTS(decision->why); i++)
        g_free(decision->why[i]);
    g_free(decision);
}

/* eq 0, dom 1, domby 2, incomp 3 */
static guint
relation(const SvirtLevel *a, const SvirtLevel *b)
{
    gboolean ab = svirt_level_dominates(a, b), ba = svirt_level_dominates(b, a);

    return ab && ba ? 0 : ab ? 1 : ba ? 2 : 3;
}

static void
decision_key_init(DecisionKey *key, const Label *proc, const Label *object)
{
    memset(key, 0, sizeof(*key));
    key->tclass = object->subject.tclass;
    if (proc->urt && object->urt && proc->low.sensitivity == object->low.sensitivity) {
        key->process = proc->urt;
        key->object = object->urt;
        key->relations = relation(&proc->low, &object->low) |
                         relation(&proc->low, &object->high) << 2 |
                         relation(&proc->high, &object->low) << 4 |
                         relation(&proc->high, &object->high) << 6 |
                         relation(&proc->low, &proc->high) << 8 |
                         relation(&object->low, &object->high) << 10;
    } else {
        key->process_sid = proc->subject.sid;
        key->object_sid = object->subject.sid;
    }
}

static Decision *
decide(SvirtSepolPolicy *policy, GHashTable *memo, const Label *proc, const Label *object,
       GError **error)
{
    DecisionKey key;
    Decision *decision;

    decision_key_init(&key, proc, object);
    decision = g_hash_table_lookup(memo, &key);
    if (decision)
        return decision;
    decision = g_new0(Decision, 1);
    decision->key = key;
    if (!svirt_sepol_policy_decide(policy, &proc->subject, &object->subject,
                                   &decision->decision, error)) {
        g_free(decision);
        return NULL;
    }
    g_hash_table_insert(memo, &decision->key, decision);
    return decision;
}

static char *
explain(SvirtSepolPolicy *policy, Decision *decision, const Label *proc, const Label *object,
        SvirtAccess access)
{
    SvirtSepolDecision shown = decision->decision;
    guint which;

    shown.can_read = access >= SVIRT_ACCESS_READ;
    shown.can_write = access == SVIRT_ACCESS_WRITE;
    which = shown.can_read | shown.can_write << 1;
    if (!decision->why[which])
        decision->why[which] =
            svirt_sepol_policy_explain(policy, &proc->subject, &object->subject, &shown);
    return g_strdup(decision->why[which]);
}

/* The most process @proc may do to the objects of @owner, and the object that decides it: the
 * one that gives that access, else the first it is denied. */
static gboolean
policy_pair(SvirtSepolPolicy *policy, GHashTable *memo, const Label *proc,
            const SvirtMatrixVm *owner, const Label *objects, PairResult *pair, GError **error)
{
    SvirtAccess best = SVIRT_ACCESS_ISOLATED;
    gint best_i = -1, denied_i = -1;
    Decision *best_decision = NULL, *denied_decision = NULL;

    for (guint k = 0; k < owner->objects->len; k++) {
        Decision *decision = decide(policy, memo, proc, &objects[k], error);
        SvirtAccess access;

        if (!decision)
            return FALSE;
        access = decision->decision.can_write  ? SVIRT_ACCESS_WRITE
                 : decision->decision.can_read ? SVIRT_ACCESS_READ
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
    pair->done = TRUE;
    pair->access = best;
    pair->index = best_i >= 0 ? best_i : denied_i;
    if (pair->index >= 0)
        pair->why = explain(policy, best_i >= 0 ? best_decision : denied_decision, proc,
                            &objects[pair->index], best);
    return TRUE;
}

static gboolean
fill_policy_cells(SvirtSepolPolicy *policy, SvirtMatrix *matrix, const Label *procs,
                  const gboolean *has_proc, Label **objects, GError **error)
{
    GPtrArray *vms = matrix->vms;
    guint n = vms->len, n_proc, n_owner;
    char **proc_keys = g_new0(char *, n), **owner_keys = g_new0(char *, n);
    g_autoptr(GHashTable) memo =
        g_hash_table_new_full(decision_key_hash, decision_key_equal, NULL,
                              (GDestroyNotify)decision_free);
    g_autofree guint *proc_class = NULL, *owner_class = NULL;
    PairResult *pairs;
    gboolean ok = TRUE;

    for (guint a = 0; a < n; a++) {
        SvirtMatrixVm *vm = g_ptr_array_index(vms, a);

        proc_keys[a] = has_proc[a] ? g_strdup(vm->process_label) : NULL;
        owner_keys[a] = owner_key(vm, objects[a]);
    }
    proc_class = assign_classes(proc_keys, n, &n_proc);
    owner_class = assign_classes(owner_keys, n, &n_owner);
    pairs = g_new0(PairResult, (gsize)n_proc * n_owner);
    for (guint a = 0; a < n && ok; a++) {
        for (guint b = 0; b < n && ok; b++) {
            SvirtMatrixVm *owner = g_ptr_array_index(vms, b);
            PairResult *pair;

            if (a == b)
                continue;
            if (!has_proc[a]) {
                set_unknown(&matrix->cells[a * n + b], g_ptr_array_index(vms, a));
                continue;
            }
            pair = &pairs[(gsize)proc_class[a] * n_owner + owner_class[b]];
            if (!pair->done)
                ok = policy_pair(policy, memo, &procs[a], owner, objects[b], pair, error);
            if (ok)
                set_from_pair(&matrix->cells[a * n + b], pair, owner);
        }
    }
    free_pairs(pairs, (gsize)n_proc * n_owner);
    return ok;
}

/* The matrix from the loaded policy: every context is resolved once, libsepol is asked once per
 * kind of decision, and the reason made once per class pair. */
static gboolean
compute_policy(SvirtSepolPolicy *policy, SvirtMatrix *matrix, GError **error)
{
    guint n = matrix->vms->len;
    g_autofree Label *procs = g_new0(Label, n);
    g_autofree gboolean *has_proc = g_new0(gboolean, n);
    g_autofree Label **objects = g_new0(Label *, n);
    gboolean ok = resolve_labels(policy, matrix->vms, procs, has_proc, objects, error);

    ok = ok && fill_policy_cells(policy, matrix, procs, has_proc, objects, error);
    for (guint a = 0; a < n; a++)
        g_free(objects[a]);
    return ok;
}

/* The most the process of @va may do to the objects of @vb by MCS dominance alone, and the
 * object that decides it. */
static gboolean
mcs_pair(const SvirtPolicyTypes *types, const SvirtMatrixVm *va, const SvirtMatrixVm *vb,
         PairResult *pair, GError **error)
{
    SvirtAccess best = SVIRT_ACCESS_ISOLATED;
    gint decisive = -1;
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
        if (access > best || decisive < 0) {
            best = access;
            decisive = (gint)i;
            g_free(decisive_why);
            decisive_why = g_steal_pointer(&why);
        }
    }
    pair->done = TRUE;
    pair->access = best;
    pair->index = decisive;
    pair->why = g_steal_pointer(&decisive_why);
    return TRUE;
}

static gboolean
compute_mcs(SvirtMatrix *matrix, GError **error)
{
    g_autoptr(SvirtPolicyTypes) types = load_types();
    GPtrArray *vms = matrix->vms;
    guint n = vms->len, n_proc, n_owner;
    char **proc_keys = g_new0(char *, n), **owner_keys = g_new0(char *, n);
    g_autofree guint *proc_class = NULL, *owner_class = NULL;
    PairResult *pairs;
    gboolean ok = TRUE;

    for (guint a = 0; a < n; a++) {
        SvirtMatrixVm *vm = g_ptr_array_index(vms, a);

        proc_keys[a] = g_strdup(vm->process_label);
        owner_keys[a] = owner_key(vm, NULL);
    }
    proc_class = assign_classes(proc_keys, n, &n_proc);
    owner_class = assign_classes(owner_keys, n, &n_owner);
    pairs = g_new0(PairResult, (gsize)n_proc * n_owner);
    for (guint a = 0; a < n && ok; a++) {
        SvirtMatrixVm *va = g_ptr_array_index(vms, a);

        for (guint b = 0; b < n && ok; b++) {
            SvirtMatrixVm *vb = g_ptr_array_index(vms, b);
            PairResult *pair;

            if (a == b)
                continue;
            if (!va->process_label) {
                set_unknown(&matrix->cells[a * n + b], va);
                continue;
            }
            pair = &pairs[(gsize)proc_class[a] * n_owner + owner_class[b]];
            if (!pair->done)
                ok = mcs_pair(types, va, vb, pair, error);
            if (ok)
                set_from_pair(&matrix->cells[a * n + b], pair, vb);
        }
    }
    free_pairs(pairs, (gsize)n_proc * n_owner);
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
