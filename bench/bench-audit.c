#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <sepol/policydb/services.h>
#include <stdio.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "svirt-audit.h"
#include "svirt-context.h"
#include "svirt-labeler.h"
#include "svirt-sepol.h"

#define N_FILES 100000
#define N_VMS 500
#define ROUNDS 5
#define IMAGE "system_u:object_r:svirt_image_t:s0:c1,c2"

static char **
make_files(const char *dir)
{
    char **paths = g_new0(char *, N_FILES + 1);
    const char *xattr = svirt_labeler_xattr_name();

    for (guint i = 0; i < N_FILES; i++) {
        int fd;

        paths[i] = g_strdup_printf("%s/img%06u.img", dir, i);
        fd = open(paths[i], O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        if (fd < 0 || lsetxattr(paths[i], xattr, IMAGE, sizeof(IMAGE), 0) < 0) {
            fprintf(stderr, "bench-audit: cannot create and label %s: %s\n", paths[i],
                    g_strerror(errno));
            exit(1);
        }
        close(fd);
    }
    return paths;
}

static double
baseline(char **paths)
{
    const char *xattr = svirt_labeler_xattr_name();
    gint64 start = g_get_monotonic_time();
    char buf[256];
    guint labelled = 0;

    for (guint i = 0; paths[i]; i++)
        labelled += lgetxattr(paths[i], xattr, buf, sizeof(buf)) > 0;
    if (labelled != N_FILES)
        fprintf(stderr, "bench-audit: only %u files carry a label\n", labelled);
    return (g_get_monotonic_time() - start) / 1e6;
}

static double
audit(SvirtAuditContext *ctx, const SvirtPlan *plan)
{
    g_autoptr(GPtrArray) findings =
        g_ptr_array_new_with_free_func((GDestroyNotify)svirt_finding_free);
    gint64 start = g_get_monotonic_time();

    svirt_audit_check_plan(ctx, plan, SVIRT_AUDIT_VM_RUNNING, FALSE, findings);
    if (findings->len != 0)
        fprintf(stderr, "bench-audit: %u unexpected findings\n", findings->len);
    return (g_get_monotonic_time() - start) / 1e6;
}

static SvirtPlan *
make_plan(char **paths)
{
    SvirtPlan *plan = g_new0(SvirtPlan, 1);

    plan->vm_name = g_strdup("bench");
    plan->vm_uuid = g_strdup("00000000-0000-0000-0000-000000000000");
    plan->level = g_strdup("s0:c1,c2");
    plan->items = g_ptr_array_new_with_free_func((GDestroyNotify)svirt_plan_item_free);
    for (guint i = 0; paths[i]; i++) {
        SvirtPlanItem *item = g_new0(SvirtPlanItem, 1);

        item->path = g_strdup(paths[i]);
        item->kind = SVIRT_PLAN_KIND_DISK;
        item->designation = SVIRT_DESIGNATION_PRIVATE;
        item->label = g_strdup(IMAGE);
        g_ptr_array_add(plan->items, item);
    }
    return plan;
}

static GPtrArray *
make_vms(void)
{
    GPtrArray *vms = g_ptr_array_new_with_free_func((GDestroyNotify)svirt_matrix_vm_free);

    for (guint i = 0; i < N_VMS; i++) {
        g_autofree char *name = g_strdup_printf("vm%03u", i);
        g_autofree char *process = g_strdup_printf("system_u:system_r:svirt_t:s0:c%u,c%u", 2 * i,
                                                   2 * i + 1);
        g_autofree char *image = g_strdup_printf("system_u:object_r:svirt_image_t:s0:c%u,c%u",
                                                 2 * i, 2 * i + 1);
        g_autofree char *path = g_strdup_printf("/images/%s.img", name);
        g_autofree char *iso = g_strdup_printf("/images/%s.iso", name);
        SvirtMatrixVm *vm = svirt_matrix_vm_new(name, name, process, NULL);

        svirt_matrix_vm_add_object(vm, path, image);
        svirt_matrix_vm_add_object(vm, iso, "system_u:object_r:virt_content_t:s0");
        /* Every tenth VM shares a disk with the next one. */
        if (i % 10 == 0 || i % 10 == 1)
            svirt_matrix_vm_add_object(vm, "/images/shared.img",
                                       "system_u:object_r:svirt_image_t:s0");
        g_ptr_array_add(vms, vm);
    }
    return vms;
}

typedef struct {
    double runs[ROUNDS];
    double median, min, max;
} Timings;

static int
compare_doubles(gconstpointer a, gconstpointer b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static void
timings_finish(Timings *t)
{
    qsort(t->runs, ROUNDS, sizeof(double), compare_doubles);
    t->min = t->runs[0];
    t->max = t->runs[ROUNDS - 1];
    t->median = t->runs[ROUNDS / 2];
}

static void
print_timings(const char *what, const Timings *t)
{
    printf("  %-34s %9.1f ms  (min %.1f, max %.1f)\n", what, t->median * 1e3, t->min * 1e3,
           t->max * 1e3);
}

static void
print_target(const char *what, gboolean met)
{
    printf("  target %s: %s\n", what, met ? "met" : "NOT met");
}

/* Alternates the floor and the audit, so both see the same cache state. */
static void
bench_audit(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp("bench-audit-XXXXXX", &error);
    g_autoptr(SvirtPolicyTypes) types = svirt_policy_types_load(NULL);
    g_autoptr(SvirtAuditContext) ctx = NULL;
    g_autoptr(SvirtPlan) plan = NULL;
    g_auto(GStrv) paths = NULL;
    Timings base, ours;
    const char *pools[2] = { NULL, NULL };

    if (!dir) {
        fprintf(stderr, "bench-audit: %s\n", error->message);
        exit(1);
    }
    if (!types)
        types = svirt_policy_types_new_builtin();
    paths = make_files(dir);
    pools[0] = dir;
    ctx = svirt_audit_context_new(types, pools);
    plan = make_plan(paths);
    for (guint r = 0; r < ROUNDS; r++) {
        base.runs[r] = baseline(paths);
        ours.runs[r] = audit(ctx, plan);
    }
    for (guint i = 0; paths[i]; i++)
        g_unlink(paths[i]);
    g_rmdir(dir);
    timings_finish(&base);
    timings_finish(&ours);
    printf("bench-audit: %d labelled image files, median of %d runs\n", N_FILES, ROUNDS);
    print_timings("lgetxattr loop (floor):", &base);
    print_timings("audit of the same files:", &ours);
    printf("  ratio audit/floor:                 %9.2f\n", ours.median / base.median);
    print_target("audit <= 2x the floor", ours.median <= 2 * base.median);
}

/* The baseline: for each ordered pair of VMs, one libsepol decision on the other VM's image,
 * contexts resolved once, no decision kept. */
static double
matrix_baseline(const char *policy_path, GError **error)
{
    g_autoptr(SvirtSepolPolicy) policy = svirt_sepol_policy_lock(policy_path, error);
    g_autoptr(GPtrArray) vms = make_vms();
    g_autofree SvirtSepolSubject *procs = g_new0(SvirtSepolSubject, N_VMS);
    g_autofree SvirtSepolSubject *images = g_new0(SvirtSepolSubject, N_VMS);
    guint allowed = 0;
    gint64 start;

    if (!policy)
        return -1;
    for (guint i = 0; i < N_VMS; i++) {
        SvirtMatrixVm *vm = g_ptr_array_index(vms, i);
        SvirtMatrixObject *image = g_ptr_array_index(vm->objects, 0);

        if (!svirt_sepol_policy_resolve(policy, vm->process_label, "file", &procs[i], error) ||
            !svirt_sepol_policy_resolve(policy, image->label, "file", &images[i], error))
            return -1;
    }
    start = g_get_monotonic_time();
    for (guint a = 0; a < N_VMS; a++) {
        for (guint b = 0; b < N_VMS; b++) {
            struct sepol_av_decision avd;
            unsigned int why = 0;

            if (a == b)
                continue;
            if (sepol_compute_av_reason(procs[a].sid, images[b].sid, images[b].tclass,
                                        images[b].read_perm | images[b].write_perm, &avd,
                                        &why) < 0) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
                            "libsepol could not compute a decision");
                return -1;
            }
            allowed += (avd.allowed & images[b].write_perm) != 0;
        }
    }
    if (allowed)
        fprintf(stderr, "bench-audit: %u pairs may write each other's image\n", allowed);
    return (g_get_monotonic_time() - start) / 1e6;
}

static double
matrix_once(const char *policy, GError **error)
{
    gint64 start = g_get_monotonic_time();
    g_autoptr(SvirtMatrix) matrix = svirt_matrix_compute(make_vms(), policy, error);

    return matrix ? (g_get_monotonic_time() - start) / 1e6 : -1;
}

static int
bench_matrix(const char *policy)
{
    g_autoptr(GError) error = NULL;
    Timings base, ours;
    double first;

    /* The first computation also reads the policy. */
    first = matrix_once(policy, &error);
    for (guint r = 0; r < ROUNDS && first >= 0; r++) {
        base.runs[r] = policy ? matrix_baseline(policy, &error) : 0;
        ours.runs[r] = base.runs[r] >= 0 ? matrix_once(policy, &error) : -1;
        if (ours.runs[r] < 0)
            first = -1;
    }
    if (first < 0) {
        fprintf(stderr, "bench-audit: %s\n", error->message);
        return 1;
    }
    timings_finish(&base);
    timings_finish(&ours);
    printf("bench-audit: isolation matrix of %d VMs (%d cells), %s, median of %d runs\n",
           N_VMS, N_VMS * (N_VMS - 1), policy ? policy : "MCS dominance alone (no policy file)",
           ROUNDS);
    printf("  first computation (with policy load): %6.1f ms\n", first * 1e3);
    if (policy)
        print_timings("one libsepol call per pair:", &base);
    print_timings("matrix:", &ours);
    if (policy)
        printf("  ratio baseline/matrix:             %9.1f\n", base.median / ours.median);
    print_target("matrix of 500 VMs < 1 s", ours.median < 1.0);
    return 0;
}

int
main(int argc, char *argv[])
{
    g_autofree char *policy = svirt_context_find_policy_file();

    bench_audit();
    return bench_matrix(policy);
}
