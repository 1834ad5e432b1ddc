#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "svirt-audit-check.h"
#include "svirt-audit.h"
#include "svirt-graphics.h"
#include "svirt-context.h"
#include "svirt-labeler.h"
#include "svm-test-fixture.h"
#include "svm-test-vm.h"

#define PROC(level) "system_u:system_r:svirt_t:" level
#define IMAGE(level) "system_u:object_r:svirt_image_t:" level
#define CONTENT "system_u:object_r:virt_content_t:s0"

static char *policy_path;

/* Three VMs: a and b private, c shares a disk with a; d has no process label. */
static GPtrArray *
make_vms(void)
{
    GPtrArray *vms = g_ptr_array_new_with_free_func((GDestroyNotify)svirt_matrix_vm_free);
    SvirtMatrixVm *a = svirt_matrix_vm_new("a", "uuid-a", PROC("s0:c1,c2"), "live");
    SvirtMatrixVm *b = svirt_matrix_vm_new("b", "uuid-b", PROC("s0:c3,c4"), "live");
    SvirtMatrixVm *c = svirt_matrix_vm_new("c", "uuid-c", PROC("s0:c5,c6"), "live");
    SvirtMatrixVm *d = svirt_matrix_vm_new("d", "uuid-d", NULL, "not running");

    svirt_matrix_vm_add_object(a, "/img/a.img", IMAGE("s0:c1,c2"));
    svirt_matrix_vm_add_object(a, "/img/shared.img", IMAGE("s0"));
    svirt_matrix_vm_add_object(b, "/img/b.img", IMAGE("s0:c3,c4"));
    svirt_matrix_vm_add_object(b, "/img/b.iso", CONTENT);
    svirt_matrix_vm_add_object(c, "/img/c.img", IMAGE("s0:c5,c6"));
    svirt_matrix_vm_add_object(c, "/img/shared.img", IMAGE("s0"));
    svirt_matrix_vm_add_object(d, "/img/d.img", IMAGE("s0:c7,c8"));
    g_ptr_array_add(vms, a);
    g_ptr_array_add(vms, b);
    g_ptr_array_add(vms, c);
    g_ptr_array_add(vms, d);
    return vms;
}

/* Row acts on column: I isolated, R read, W write, U unknown, - self. */
static const char *const expected_grid[] = {
    "-RWI",
    "W-WI",
    "WR-I",
    "UUU-",
};

static char
access_char(const SvirtMatrix *m, guint r, guint c)
{
    if (r == c)
        return '-';
    switch (svirt_matrix_get_cell(m, r, c)->access) {
    case SVIRT_ACCESS_ISOLATED:
        return 'I';
    case SVIRT_ACCESS_READ:
        return 'R';
    case SVIRT_ACCESS_WRITE:
        return 'W';
    case SVIRT_ACCESS_UNKNOWN:
    default:
        return 'U';
    }
}

static void
assert_grid(const SvirtMatrix *m)
{
    for (guint r = 0; r < m->vms->len; r++) {
        char row[8] = { 0 };

        for (guint c = 0; c < m->vms->len; c++)
            row[c] = access_char(m, r, c);
        g_test_message("%s", row);
        g_assert_cmpstr(row, ==, expected_grid[r]);
    }
}

static void
test_matrix_mcs(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtMatrix) m = svirt_matrix_compute(make_vms(), NULL, &error);
    const SvirtMatrixCell *cell;

    g_assert_no_error(error);
    g_assert_cmpint(m->source, ==, SVIRT_POLICY_SOURCE_MCS);
    g_assert_null(m->policy_path);
    assert_grid(m);
    /* a -> b: b's ISO is readable by every VM; its image is not. */
    cell = svirt_matrix_get_cell(m, 0, 1);
    g_assert_cmpstr(cell->path, ==, "/img/b.iso");
    cell = svirt_matrix_get_cell(m, 1, 0);
    g_assert_cmpstr(cell->path, ==, "/img/shared.img");
    /* d has no label: nothing computed, and the reason says so. */
    cell = svirt_matrix_get_cell(m, 3, 0);
    g_assert_cmpstr(cell->reason, ==, "not running");
}

static void
test_matrix_mcs_reason(void)
{
    g_autoptr(GPtrArray) vms = g_ptr_array_new_with_free_func((GDestroyNotify)svirt_matrix_vm_free);
    SvirtMatrixVm *a = svirt_matrix_vm_new("a", "ua", PROC("s0:c1,c2"), NULL);
    SvirtMatrixVm *b = svirt_matrix_vm_new("b", "ub", PROC("s0:c3,c4"), NULL);
    g_autoptr(SvirtMatrix) m = NULL;
    const SvirtMatrixCell *cell;

    svirt_matrix_vm_add_object(b, "/img/b.img", IMAGE("s0:c3,c4"));
    /* A single category is reachable from every pair that contains it. */
    svirt_matrix_vm_add_object(a, "/img/a.img", IMAGE("s0:c3"));
    g_ptr_array_add(vms, a);
    g_ptr_array_add(vms, b);
    m = svirt_matrix_compute(g_steal_pointer(&vms), NULL, NULL);
    cell = svirt_matrix_get_cell(m, 0, 1);
    g_assert_cmpint(cell->access, ==, SVIRT_ACCESS_ISOLATED);
    g_assert_nonnull(strstr(cell->reason, "does not dominate"));
    cell = svirt_matrix_get_cell(m, 1, 0);
    g_assert_cmpint(cell->access, ==, SVIRT_ACCESS_WRITE);
    g_assert_cmpstr(cell->path, ==, "/img/a.img");
}

static void
test_matrix_policy(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtMatrix) m = NULL;
    const SvirtMatrixCell *cell;

    if (!policy_path) {
        g_test_skip("No binary SELinux policy is installed (selinux-policy-default).");
        return;
    }
    m = svirt_matrix_compute(make_vms(), policy_path, &error);
    g_assert_no_error(error);
    g_assert_cmpint(m->source, ==, SVIRT_POLICY_SOURCE_BINARY);
    g_assert_cmpstr(m->policy_path, ==, policy_path);
    assert_grid(m);
    /* The denial comes from libsepol: the MCS constraint. */
    cell = svirt_matrix_get_cell(m, 0, 2);
    g_assert_cmpint(cell->access, ==, SVIRT_ACCESS_WRITE);
    cell = svirt_matrix_get_cell(m, 2, 1);
    g_assert_cmpint(cell->access, ==, SVIRT_ACCESS_READ);
    g_assert_nonnull(strstr(cell->reason, "write denied"));
    {
        g_autoptr(GPtrArray) vms =
            g_ptr_array_new_with_free_func((GDestroyNotify)svirt_matrix_vm_free);
        SvirtMatrixVm *a = svirt_matrix_vm_new("a", "ua", PROC("s0:c1,c2"), NULL);
        SvirtMatrixVm *b = svirt_matrix_vm_new("b", "ub", PROC("s0:c3,c4"), NULL);
        g_autoptr(SvirtMatrix) m2 = NULL;

        svirt_matrix_vm_add_object(b, "/img/b.img", IMAGE("s0:c3,c4"));
        g_ptr_array_add(vms, a);
        g_ptr_array_add(vms, b);
        m2 = svirt_matrix_compute(g_steal_pointer(&vms), policy_path, &error);
        g_assert_no_error(error);
        cell = svirt_matrix_get_cell(m2, 0, 1);
        g_test_message("%s", cell->reason);
        g_assert_cmpint(cell->access, ==, SVIRT_ACCESS_ISOLATED);
        g_assert_nonnull(strstr(cell->reason, "constraint violated"));
        g_assert_nonnull(strstr(cell->reason, "h1 dom h2 -Fail-"));
    }
}

/* Forty VMs in few classes: four process levels, image labels repeated under other paths, a VM
 * without a process label, one without objects, unlabelled and shared objects, a range. */
static GPtrArray *
make_repeated_vms(void)
{
    static const char *const levels[] = { "s0:c1,c2", "s0:c3,c4", "s0:c1,c2", "s0-s0:c0.c1023" };
    GPtrArray *vms = g_ptr_array_new_with_free_func((GDestroyNotify)svirt_matrix_vm_free);

    for (guint i = 0; i < 40; i++) {
        g_autofree char *name = g_strdup_printf("vm%02u", i);
        g_autofree char *proc = g_strdup_printf(PROC("%s"), levels[i % 4]);
        g_autofree char *image = g_strdup_printf(IMAGE("%s"), levels[(i / 4) % 3]);
        g_autofree char *disk = g_strdup_printf("/img/%s.img", name);
        SvirtMatrixVm *vm = svirt_matrix_vm_new(name, name, i % 9 == 4 ? NULL : proc,
                                                "not running");

        if (i % 13 != 6)
            svirt_matrix_vm_add_object(vm, disk, image);
        if (i % 3 == 0)
            svirt_matrix_vm_add_object(vm, "/img/install.iso", CONTENT);
        if (i % 5 == 0)
            svirt_matrix_vm_add_object(vm, "/img/shared.img", i % 10 ? IMAGE("s0") : NULL);
        g_ptr_array_add(vms, vm);
    }
    return vms;
}

/* One cell the slow way: one decision per object of the owner, no classes. */
static void
reference_cell(const char *policy, const SvirtMatrixVm *va, const SvirtMatrixVm *vb,
               SvirtAccess *access, char **path, char **reason)
{
    const SvirtMatrixObject *decisive = NULL;
    g_autofree char *decisive_why = NULL;

    *access = SVIRT_ACCESS_ISOLATED;
    *path = NULL;
    if (!va->process_label) {
        *access = SVIRT_ACCESS_UNKNOWN;
        *reason = g_strdup(va->process_note);
        return;
    }
    for (guint i = 0; i < vb->objects->len; i++) {
        const SvirtMatrixObject *object = g_ptr_array_index(vb->objects, i);
        gboolean rd, wr;
        g_autofree char *why = NULL;
        g_autoptr(GError) error = NULL;
        SvirtAccess got;

        g_assert_true(svirt_policy_check_access(policy, va->process_label, object->label, &rd,
                                                &wr, &why, &error));
        g_assert_no_error(error);
        got = wr ? SVIRT_ACCESS_WRITE : rd ? SVIRT_ACCESS_READ : SVIRT_ACCESS_ISOLATED;
        if (!decisive || got > *access) {
            *access = got;
            decisive = object;
            g_free(decisive_why);
            decisive_why = g_steal_pointer(&why);
        }
    }
    if (!decisive)
        *reason = g_strdup("it has no labelled objects");
    else if (*access == SVIRT_ACCESS_ISOLATED)
        *reason = g_strdup_printf("%s: %s", decisive->path, decisive_why);
    else
        *reason = g_strdup_printf("%s (%s)", decisive_why,
                                  decisive->label ? decisive->label : "unlabelled");
    if (decisive && *access != SVIRT_ACCESS_ISOLATED)
        *path = g_strdup(decisive->path);
}

static void
assert_matrix_matches_reference(const char *policy)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtMatrix) m = svirt_matrix_compute(make_repeated_vms(), policy, &error);
    guint n, checked = 0;

    g_assert_no_error(error);
    n = m->vms->len;
    for (guint a = 0; a < n; a++) {
        for (guint b = 0; b < n; b++) {
            const SvirtMatrixCell *cell = svirt_matrix_get_cell(m, a, b);
            SvirtAccess access;
            g_autofree char *path = NULL, *reason = NULL;

            if (a == b)
                continue;
            reference_cell(policy, g_ptr_array_index(m->vms, a), g_ptr_array_index(m->vms, b),
                           &access, &path, &reason);
            g_assert_cmpint(cell->access, ==, access);
            g_assert_cmpstr(cell->path, ==, path);
            g_assert_cmpstr(cell->reason, ==, reason);
            checked++;
        }
    }
    g_assert_cmpuint(checked, ==, 40 * 39);
}

static void
test_matrix_classes_mcs(void)
{
    assert_matrix_matches_reference(NULL);
}

static void
test_matrix_classes_policy(void)
{
    if (!policy_path) {
        g_test_skip("No binary SELinux policy is installed (selinux-policy-default).");
        return;
    }
    assert_matrix_matches_reference(policy_path);
}

static void
test_policy_access(void)
{
    static const struct {
        const char *process;
        const char *object;
        gboolean read, write;
    } cases[] = {
        { PROC("s0:c1,c2"), IMAGE("s0:c1,c2"), TRUE, TRUE },
        { PROC("s0:c1,c2"), IMAGE("s0:c3,c4"), FALSE, FALSE },
        { PROC("s0:c1,c2"), IMAGE("s0:c1,c3"), FALSE, FALSE },
        { PROC("s0:c1,c2"), IMAGE("s0:c2"), TRUE, TRUE },
        { PROC("s0:c1,c2"), IMAGE("s0"), TRUE, TRUE },
        { PROC("s0:c1,c2"), CONTENT, TRUE, FALSE },
        { PROC("s0:c1,c2"), "system_u:object_r:virt_image_t:s0", FALSE, FALSE },
        { PROC("s0:c1,c2"), "system_u:object_r:etc_t:s0", TRUE, FALSE },
        { PROC("s0:c1,c2"), "system_u:object_r:shadow_t:s0", FALSE, FALSE },
        { PROC("s0:c1,c2"), NULL, FALSE, FALSE },
    };

    if (!policy_path) {
        g_test_skip("No binary SELinux policy is installed (selinux-policy-default).");
        return;
    }
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        g_autofree char *reason = NULL;
        gboolean rd = !cases[i].read, wr = !cases[i].write;

        g_assert_true(svirt_policy_check_access(policy_path, cases[i].process, cases[i].object,
                                                &rd, &wr, &reason, &error));
        g_assert_no_error(error);
        g_test_message("%s -> %s: %d %d %s", cases[i].process, cases[i].object, rd, wr, reason);
        g_assert_cmpint(rd, ==, cases[i].read);
        g_assert_cmpint(wr, ==, cases[i].write);
    }
}

static void
test_policy_missing(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) vms = g_ptr_array_new_with_free_func((GDestroyNotify)svirt_matrix_vm_free);
    g_autoptr(SvirtMatrix) m = NULL;

    g_ptr_array_add(vms, svirt_matrix_vm_new("a", "ua", PROC("s0:c1,c2"), NULL));
    m = svirt_matrix_compute(g_steal_pointer(&vms), "/nonexistent/policy.33", &error);
    g_assert_null(m);
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_POLICY);
    g_assert_nonnull(strstr(error->message, "/nonexistent/policy.33"));
}

/* ---- plan checks on real files ---- */

typedef struct {
    char *dir;
    SvirtPolicyTypes *types;
} Fixture;

static void
fixture_set_up(Fixture *fx, gconstpointer data)
{
    fx->dir = svm_test_make_dir("svm-audit");
    fx->types = svirt_policy_types_load(NULL);
    if (!fx->types)
        fx->types = svirt_policy_types_new_builtin();
}

static void
fixture_tear_down(Fixture *fx, gconstpointer data)
{
    g_autoptr(GDir) dir = g_dir_open(fx->dir, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *path = g_build_filename(fx->dir, name, NULL);

        g_unlink(path);
    }
    g_rmdir(fx->dir);
    g_free(fx->dir);
    svirt_policy_types_free(fx->types);
}

static char *
make_file(Fixture *fx, const char *name, const char *label)
{
    char *path = g_build_filename(fx->dir, name, NULL);

    g_assert_true(g_file_set_contents(path, "x", 1, NULL));
    if (label) {
        g_autoptr(SvirtLabelTarget) t = svirt_label_target_open(path, SVIRT_LABEL_TARGET_FILE,
                                                                NULL);
        SvirtLabelStatus status;

        g_assert_nonnull(t);
        g_assert_true(svirt_label_target_set_label(t, label, &status, NULL));
    }
    return path;
}

static SvirtPlan *
make_plan(const char *level)
{
    SvirtPlan *plan = g_new0(SvirtPlan, 1);

    plan->vm_name = g_strdup("vm1");
    plan->vm_uuid = g_strdup("uuid-1");
    plan->mode = SVIRT_SECURITY_MODE_DYNAMIC;
    plan->level = g_strdup(level);
    plan->process_label = g_strdup_printf(PROC("%s"), level);
    plan->items = g_ptr_array_new_with_free_func((GDestroyNotify)svirt_plan_item_free);
    return plan;
}

static void
plan_add(SvirtPlan *plan, const char *path, SvirtDesignation designation, const char *label)
{
    SvirtPlanItem *item = g_new0(SvirtPlanItem, 1);

    item->path = g_strdup(path);
    item->kind = SVIRT_PLAN_KIND_DISK;
    item->designation = designation;
    item->label = g_strdup(label);
    g_ptr_array_add(plan->items, item);
}

/* The finding of @kind on @path; the test ends when there is none. */
static const SvirtFinding *
find(GPtrArray *findings, SvirtFindingKind kind, const char *path)
{
    for (guint i = 0; i < findings->len; i++) {
        const SvirtFinding *f = g_ptr_array_index(findings, i);

        if (f->kind == kind && g_strcmp0(f->path, path) == 0)
            return f;
    }
    g_error("No %s finding on %s", svirt_finding_kind_to_id(kind), path);
}

static void
test_plan_running(Fixture *fx, gconstpointer data)
{
    g_autofree char *good = make_file(fx, "good.img", IMAGE("s0:c1,c2"));
    g_autofree char *none = make_file(fx, "none.img", NULL);
    g_autofree char *foreign = make_file(fx, "foreign.img", IMAGE("s0:c3,c4"));
    g_autofree char *undominated = make_file(fx, "undom.img", IMAGE("s0:c7,c8"));
    g_autofree char *wrong_type = make_file(fx, "type.img", CONTENT);
    g_autofree char *shared = make_file(fx, "shared.img", IMAGE("s0"));
    g_autofree char *missing = g_build_filename(fx->dir, "missing.img", NULL);
    g_autoptr(SvirtPlan) plan = make_plan("s0:c1,c2");
    g_autoptr(GPtrArray) findings =
        g_ptr_array_new_with_free_func((GDestroyNotify)svirt_finding_free);
    const char *pools[] = { fx->dir, NULL };
    g_autoptr(SvirtAuditContext) ctx = svirt_audit_context_new(fx->types, pools);
    const SvirtFinding *f;

    plan_add(plan, good, SVIRT_DESIGNATION_PRIVATE, IMAGE("s0:c1,c2"));
    plan_add(plan, none, SVIRT_DESIGNATION_PRIVATE, IMAGE("s0:c1,c2"));
    plan_add(plan, foreign, SVIRT_DESIGNATION_PRIVATE, IMAGE("s0:c1,c2"));
    plan_add(plan, undominated, SVIRT_DESIGNATION_PRIVATE, IMAGE("s0:c1,c2"));
    plan_add(plan, wrong_type, SVIRT_DESIGNATION_PRIVATE, IMAGE("s0:c1,c2"));
    plan_add(plan, shared, SVIRT_DESIGNATION_SHARED, IMAGE("s0"));
    plan_add(plan, missing, SVIRT_DESIGNATION_PRIVATE, IMAGE("s0:c1,c2"));
    svirt_audit_context_add_level(ctx, "s0:c3,c4", "vm2");

    svirt_audit_check_plan(ctx, plan, SVIRT_AUDIT_VM_RUNNING, FALSE, findings);
    for (guint i = 0; i < findings->len; i++) {
        f = g_ptr_array_index(findings, i);
        g_test_message("%s %s %s", svirt_finding_kind_to_id(f->kind), f->path, f->explanation);
    }
    g_assert_cmpuint(findings->len, ==, 6);
    f = find(findings, SVIRT_FINDING_UNLABELLED, none);
    g_assert_nonnull(f);
    g_assert_cmpint(f->severity, ==, SVIRT_SEVERITY_ERROR);
    g_assert_true(f->fixable);
    f = find(findings, SVIRT_FINDING_FOREIGN, foreign);
    g_assert_nonnull(f);
    g_assert_cmpint(f->severity, ==, SVIRT_SEVERITY_CRITICAL);
    g_assert_nonnull(strstr(f->explanation, "vm2"));
    g_assert_false(f->fixable);
    f = find(findings, SVIRT_FINDING_MISMATCH, undominated);
    g_assert_nonnull(f);
    g_assert_nonnull(strstr(f->explanation, "does not dominate"));
    g_assert_cmpstr(f->actual, ==, IMAGE("s0:c7,c8"));
    g_assert_cmpstr(f->expected, ==, IMAGE("s0:c1,c2"));
    g_assert_nonnull(find(findings, SVIRT_FINDING_MISMATCH, wrong_type));
    f = find(findings, SVIRT_FINDING_SHARED_WRITABLE, shared);
    g_assert_nonnull(f);
    g_assert_cmpint(f->severity, ==, SVIRT_SEVERITY_INFO);
    g_assert_nonnull(find(findings, SVIRT_FINDING_MISSING, missing));
}

static void
test_plan_stopped(Fixture *fx, gconstpointer data)
{
    g_autofree char *stale = make_file(fx, "stale.img", IMAGE("s0:c9,c10"));
    g_autofree char *used = make_file(fx, "used.img", IMAGE("s0:c11,c12"));
    g_autofree char *restored = make_file(fx, "restored.img", "system_u:object_r:virt_image_t:s0");
    g_autoptr(SvirtPlan) plan = make_plan("s0");
    g_autoptr(GPtrArray) findings =
        g_ptr_array_new_with_free_func((GDestroyNotify)svirt_finding_free);
    g_autoptr(SvirtAuditContext) ctx = svirt_audit_context_new(fx->types, NULL);
    const SvirtFinding *f;

    plan_add(plan, stale, SVIRT_DESIGNATION_PRIVATE, IMAGE("s0"));
    plan_add(plan, used, SVIRT_DESIGNATION_PRIVATE, IMAGE("s0"));
    plan_add(plan, restored, SVIRT_DESIGNATION_PRIVATE, IMAGE("s0"));
    /* A running VM uses the second file: its level there is not stale. */
    svirt_audit_context_add_running_path(ctx, used, "vm2");
    svirt_audit_check_plan(ctx, plan, SVIRT_AUDIT_VM_STOPPED, FALSE, findings);
    g_assert_cmpuint(findings->len, ==, 1);
    f = find(findings, SVIRT_FINDING_STALE, stale);
    g_assert_nonnull(f);
    g_assert_cmpstr(f->actual, ==, IMAGE("s0:c9,c10"));
    g_assert_true(f->fixable);
}

static void
test_plan_outside_pools(Fixture *fx, gconstpointer data)
{
    g_autofree char *img = make_file(fx, "a.img", IMAGE("s0:c1,c2"));
    g_autoptr(SvirtPlan) plan = make_plan("s0:c1,c2");
    g_autoptr(GPtrArray) findings =
        g_ptr_array_new_with_free_func((GDestroyNotify)svirt_finding_free);
    const char *pools[] = { "/var/lib/libvirt/images", NULL };
    g_autoptr(SvirtAuditContext) ctx = svirt_audit_context_new(fx->types, pools);

    plan_add(plan, img, SVIRT_DESIGNATION_PRIVATE, IMAGE("s0:c1,c2"));
    svirt_audit_check_plan(ctx, plan, SVIRT_AUDIT_VM_RUNNING, FALSE, findings);
    g_assert_cmpuint(findings->len, ==, 1);
    g_assert_nonnull(find(findings, SVIRT_FINDING_OUTSIDE_POOLS, img));
}

static void
test_plan_host_location(Fixture *fx, gconstpointer data)
{
    g_autoptr(SvirtPlan) plan = make_plan("s0:c1,c2");
    g_autoptr(GPtrArray) findings =
        g_ptr_array_new_with_free_func((GDestroyNotify)svirt_finding_free);
    g_autoptr(SvirtAuditContext) ctx = svirt_audit_context_new(fx->types, NULL);
    const SvirtFinding *f;

    /* A host file given to a VM as a writable disk. */
    plan_add(plan, "/etc/hostname", SVIRT_DESIGNATION_SHARED, IMAGE("s0"));
    svirt_audit_check_plan(ctx, plan, SVIRT_AUDIT_VM_STOPPED, FALSE, findings);
    f = find(findings, SVIRT_FINDING_HOST_DEVICE, "/etc/hostname");
    g_assert_nonnull(f);
    g_assert_cmpint(f->severity, ==, SVIRT_SEVERITY_CRITICAL);
}

static SvirtSettings *
settings_of(SvirtSecurityMode mode, const char *label, gboolean relabel, const char *disks)
{
    SvirtSettings *settings = svirt_settings_new();
    g_auto(GStrv) targets = g_strsplit(disks, " ", -1);

    g_assert_true(svirt_settings_set_mode(settings, mode, label, relabel, NULL));
    for (guint i = 0; *disks && targets[i]; i++)
        g_ptr_array_add(settings->no_relabel_disks, g_strdup(targets[i]));
    return settings;
}

/* libvirt's own seclabel and the metadata: a finding only where a start would differ. */
static void
test_settings_differ(void)
{
    static const struct {
        const char *name;
        SvirtSecurityMode native_mode, stored_mode;
        const char *native_label, *stored_label;
        gboolean native_relabel, stored_relabel;
        const char *native_disks, *stored_disks;
        gboolean differ;
    } cases[] = {
        { "same", SVIRT_SECURITY_MODE_STATIC, SVIRT_SECURITY_MODE_STATIC, PROC("s0:c1,c2"),
          PROC("s0:c1,c2"), TRUE, TRUE, "vdb vdc", "vdc vdb", FALSE },
        { "mode", SVIRT_SECURITY_MODE_STATIC, SVIRT_SECURITY_MODE_DYNAMIC, PROC("s0:c1,c2"), NULL,
          FALSE, TRUE, "", "", TRUE },
        { "label", SVIRT_SECURITY_MODE_STATIC, SVIRT_SECURITY_MODE_STATIC, PROC("s0:c1,c2"),
          PROC("s0:c1,c3"), FALSE, FALSE, "", "", TRUE },
        { "relabel", SVIRT_SECURITY_MODE_STATIC, SVIRT_SECURITY_MODE_STATIC, PROC("s0:c1,c2"),
          PROC("s0:c1,c2"), FALSE, TRUE, "", "", TRUE },
        { "disks", SVIRT_SECURITY_MODE_DYNAMIC, SVIRT_SECURITY_MODE_DYNAMIC, NULL, NULL, TRUE,
          TRUE, "vdb", "", TRUE },
        /* Nothing is relabelled either way: which disks are left alone does not matter. */
        { "disks-moot", SVIRT_SECURITY_MODE_STATIC, SVIRT_SECURITY_MODE_STATIC, PROC("s0:c1,c2"),
          PROC("s0:c1,c2"), FALSE, FALSE, "", "vdb", FALSE },
        { "none-relabel", SVIRT_SECURITY_MODE_NONE, SVIRT_SECURITY_MODE_NONE, NULL, NULL, TRUE,
          FALSE, "", "", FALSE },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(SvirtSettings) native = settings_of(cases[i].native_mode, cases[i].native_label,
                                                      cases[i].native_relabel,
                                                      cases[i].native_disks);
        g_autoptr(SvirtSettings) stored = settings_of(cases[i].stored_mode, cases[i].stored_label,
                                                      cases[i].stored_relabel,
                                                      cases[i].stored_disks);
        g_autoptr(SvirtPlan) plan = make_plan("s0:c1,c2");
        g_autoptr(GPtrArray) findings =
            g_ptr_array_new_with_free_func((GDestroyNotify)svirt_finding_free);
        const SvirtFinding *f;

        g_test_message("case %s", cases[i].name);
        svirt_audit_check_settings(plan, native, stored, findings);
        g_assert_cmpuint(findings->len, ==, cases[i].differ ? 1 : 0);
        if (!cases[i].differ)
            continue;
        f = g_ptr_array_index(findings, 0);
        g_test_message("%s / %s: %s", f->expected, f->actual, f->explanation);
        g_assert_cmpint(f->kind, ==, SVIRT_FINDING_SETTINGS_DIFFER);
        g_assert_cmpstr(svirt_finding_kind_to_id(f->kind), ==, "settings-differ");
        g_assert_cmpint(f->severity, ==, SVIRT_SEVERITY_WARNING);
        g_assert_cmpstr(f->vm_name, ==, "vm1");
        g_assert_false(f->fixable);
        g_assert_nonnull(strstr(f->explanation, "<seclabel model='selinux'>"));
        g_assert_nonnull(strstr(f->explanation, f->expected));
        g_assert_nonnull(strstr(f->explanation, f->actual));
        g_assert_nonnull(strstr(f->fix, "svirtctl set-label"));
    }
}

static void
test_settings_differ_described(void)
{
    g_autoptr(SvirtSettings) native = settings_of(SVIRT_SECURITY_MODE_STATIC, PROC("s0:c1,c2"),
                                                  FALSE, "");
    g_autoptr(SvirtSettings) stored = settings_of(SVIRT_SECURITY_MODE_DYNAMIC, NULL, TRUE, "vdb");
    g_autoptr(SvirtPlan) plan = make_plan("s0:c1,c2");
    g_autoptr(GPtrArray) findings =
        g_ptr_array_new_with_free_func((GDestroyNotify)svirt_finding_free);
    const SvirtFinding *f;

    g_assert_true(svirt_settings_set_baselabel(stored, PROC("s0"), NULL));
    svirt_audit_check_settings(plan, native, stored, findings);
    g_assert_cmpuint(findings->len, ==, 1);
    f = g_ptr_array_index(findings, 0);
    g_assert_cmpstr(f->expected, ==, "static " PROC("s0:c1,c2") ", relabel no");
    g_assert_cmpstr(f->actual, ==, "dynamic from base label " PROC("s0") "; vdb not relabelled");
}

static void
test_report_output(void)
{
    g_autoptr(SvirtAuditReport) report = g_new0(SvirtAuditReport, 1);
    g_autoptr(JsonNode) json = NULL;
    g_autofree char *html = NULL;
    SvirtFinding *f = g_new0(SvirtFinding, 1);
    JsonObject *root, *matrix;

    report->findings = g_ptr_array_new_with_free_func((GDestroyNotify)svirt_finding_free);
    f->kind = SVIRT_FINDING_DUPLICATE;
    f->severity = SVIRT_SEVERITY_CRITICAL;
    f->vm_name = g_strdup("a<b");
    f->explanation = g_strdup("x & y");
    g_ptr_array_add(report->findings, f);
    report->matrix = svirt_matrix_compute(make_vms(), NULL, NULL);
    g_assert_cmpint(svirt_audit_report_max_severity(report), ==, SVIRT_SEVERITY_CRITICAL);

    json = svirt_audit_report_to_json(report);
    root = json_node_get_object(json);
    g_assert_cmpstr(json_object_get_string_member(
                        json_array_get_object_element(json_object_get_array_member(root,
                                                                                   "findings"),
                                                      0),
                        "id"),
                    ==, "duplicate");
    matrix = json_object_get_object_member(root, "matrix");
    g_assert_cmpstr(json_object_get_string_member(matrix, "source"), ==, "mcs");
    g_assert_cmpuint(json_array_get_length(json_object_get_array_member(matrix, "cells")), ==,
                     4);

    html = svirt_audit_report_to_html(report);
    g_assert_nonnull(strstr(html, "a&lt;b"));
    g_assert_nonnull(strstr(html, "x &amp; y"));
    g_assert_nonnull(strstr(html, "class=\"write\""));
    g_assert_nonnull(strstr(html, "MCS dominance"));
    g_assert_null(strstr(html, "<script"));
}

typedef struct {
    const char *name;
    const char *graphics; /* inside <devices> */
    int severity;         /* -1: no finding */
    const char *actual;
    const char *reach;    /* a part of the Overview's sentence */
} DisplayCase;

static const DisplayCase display_cases[] = {
    { "any-address-no-password",
      "<graphics type='vnc' port='5900'><listen type='address' address='0.0.0.0'/></graphics>",
      SVIRT_SEVERITY_ERROR, "0.0.0.0:5900 without a password",
      "VNC on 0.0.0.0:5900 without a password: anyone on the network can see and use this VM." },
    { "listen-attribute",
      "<graphics type='vnc' autoport='yes' listen='192.0.2.7'/>", SVIRT_SEVERITY_ERROR,
      "192.0.2.7 without a password", "on 192.0.2.7 (port chosen at start) without a password" },
    { "ipv6-any", "<graphics type='spice'><listen type='address' address='::'/></graphics>",
      SVIRT_SEVERITY_ERROR, ":: without a password", "SPICE on :: (port chosen at start)" },
    { "network", "<graphics type='vnc'><listen type='network' network='default'/></graphics>",
      SVIRT_SEVERITY_ERROR, "network default without a password",
      "an address of the network 'default'" },
    { "any-address-password",
      "<graphics type='vnc' passwd='s3cret'><listen type='address' address='0.0.0.0'/>"
      "</graphics>",
      SVIRT_SEVERITY_WARNING, "0.0.0.0 with a password", "with a password" },
    { "loopback", "<graphics type='vnc'><listen type='address' address='127.0.0.1'/></graphics>",
      SVIRT_SEVERITY_WARNING, "127.0.0.1 without a password", "any user of this host" },
    { "loopback-ipv6", "<graphics type='spice' port='5901'><listen type='address' "
      "address='::1'/></graphics>",
      SVIRT_SEVERITY_WARNING, "[::1]:5901 without a password", "[::1]:5901" },
    { "default-address", "<graphics type='vnc'><listen type='address'/></graphics>",
      SVIRT_SEVERITY_WARNING, "the host's default address without a password",
      "the host's default address" },
    { "loopback-password",
      "<graphics type='vnc' passwd='x'><listen type='address' address='127.0.0.1'/>"
      "</graphics>",
      SVIRT_SEVERITY_INFO, "127.0.0.1 with a password", "users of this host who know it" },
    { "none", "<graphics type='vnc'><listen type='none'/></graphics>", -1, NULL,
      "VNC through libvirt only; nothing listens on the network." },
    { "socket", "<graphics type='spice'><listen type='socket' socket='/run/vm/spice.sock'/>"
      "</graphics>",
      -1, NULL, "SPICE on the UNIX socket /run/vm/spice.sock." },
    { "headless", "", -1, NULL, "No display: serial console only." },
};

static void
test_display(gconstpointer data)
{
    const DisplayCase *c = data;
    SvirtPlan plan = { .vm_name = "web", .vm_uuid = "c7a5fdbd-cdaf-9455-926a-d65c16db1809" };
    g_autoptr(GPtrArray) findings =
        g_ptr_array_new_with_free_func((GDestroyNotify)svirt_finding_free);
    g_autofree char *xml = g_strdup_printf("<domain type='qemu'><name>web</name><devices>%s"
                                           "<serial type='pty'/></devices></domain>",
                                           c->graphics);
    g_autofree char *reach = svirt_display_describe_reach(xml);
    const SvirtFinding *f;

    svirt_audit_check_display(&plan, xml, findings);
    g_test_message("%s", reach);
    g_assert_nonnull(strstr(reach, c->reach));
    if (c->severity < 0) {
        g_assert_cmpuint(findings->len, ==, 0);
        return;
    }
    g_assert_cmpuint(findings->len, ==, 1);
    f = g_ptr_array_index(findings, 0);
    g_assert_cmpint(f->kind, ==, SVIRT_FINDING_DISPLAY_EXPOSED);
    g_assert_cmpstr(svirt_finding_kind_to_id(f->kind), ==, "display-exposed");
    g_assert_cmpint(f->severity, ==, c->severity);
    g_assert_cmpstr(f->vm_name, ==, "web");
    g_assert_cmpstr(f->actual, ==, c->actual);
    g_assert_false(f->fixable);
    g_assert_nonnull(strstr(f->fix, "<listen type='none'/>"));
    g_assert_nonnull(strstr(f->fix, "virsh edit web"));
    /* A password is never shown. */
    g_assert_null(strstr(f->explanation, "s3cret"));
}

int
main(int argc, char *argv[])
{
    int ret;

    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_DEFAULT);
    g_test_init(&argc, &argv, NULL);
    policy_path = svirt_context_find_policy_file();
    g_test_add_func("/audit/matrix/mcs", test_matrix_mcs);
    g_test_add_func("/audit/matrix/mcs-reason", test_matrix_mcs_reason);
    g_test_add_func("/audit/matrix/policy", test_matrix_policy);
    g_test_add_func("/audit/matrix/policy-missing", test_policy_missing);
    g_test_add_func("/audit/matrix/classes-mcs", test_matrix_classes_mcs);
    g_test_add_func("/audit/matrix/classes-policy", test_matrix_classes_policy);
    g_test_add_func("/audit/policy/access", test_policy_access);
    g_test_add("/audit/plan/running", Fixture, NULL, fixture_set_up, test_plan_running,
               fixture_tear_down);
    g_test_add("/audit/plan/stopped", Fixture, NULL, fixture_set_up, test_plan_stopped,
               fixture_tear_down);
    g_test_add("/audit/plan/outside-pools", Fixture, NULL, fixture_set_up,
               test_plan_outside_pools, fixture_tear_down);
    g_test_add("/audit/plan/host-location", Fixture, NULL, fixture_set_up,
               test_plan_host_location, fixture_tear_down);
    g_test_add_func("/audit/settings/differ", test_settings_differ);
    g_test_add_func("/audit/settings/described", test_settings_differ_described);
    g_test_add_func("/audit/report/output", test_report_output);
    for (gsize i = 0; i < G_N_ELEMENTS(display_cases); i++) {
        g_autofree char *path = g_strdup_printf("/audit/display/%s", display_cases[i].name);

        g_test_add_data_func(path, &display_cases[i], test_display);
    }
    ret = g_test_run();
    g_free(policy_path);
    return ret;
}
