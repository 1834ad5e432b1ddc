#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "svirt-audit.h"
#include "svirt-context.h"
#include "svirt-labeler.h"

#define N_FILES 100000
#define N_VMS 500
#define ROUNDS 3
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

int
main(int argc, char *argv[])
{
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp("bench-audit-XXXXXX", &error);
    g_autofree char *policy = svirt_context_find_policy_file();
    g_autoptr(SvirtPolicyTypes) types = svirt_policy_types_load(NULL);
    g_autoptr(SvirtAuditContext) ctx = NULL;
    g_autoptr(SvirtPlan) plan = NULL;
    g_autoptr(SvirtMatrix) matrix = NULL;
    g_auto(GStrv) paths = NULL;
    double base = G_MAXDOUBLE, ours = G_MAXDOUBLE, load, compute;
    gint64 start;
    const char *pools[2] = { NULL, NULL };

    if (!dir) {
        fprintf(stderr, "bench-audit: %s\n", error->message);
        return 1;
    }
    if (!types)
        types = svirt_policy_types_new_builtin();
    paths = make_files(dir);
    pools[0] = dir;
    ctx = svirt_audit_context_new(types, pools);
    plan = make_plan(paths);

    /* Alternate, so both see the same cache state; keep the best of each. */
    for (guint r = 0; r < ROUNDS; r++) {
        base = MIN(base, baseline(paths));
        ours = MIN(ours, audit(ctx, plan));
    }
    printf("bench-audit: %d labelled image files\n", N_FILES);
    printf("  lgetxattr loop (baseline):  %8.1f ms\n", base * 1e3);
    printf("  audit of the same files:    %8.1f ms\n", ours * 1e3);
    printf("  ratio audit/baseline:       %8.2f\n", ours / base);

    for (guint i = 0; paths[i]; i++)
        g_unlink(paths[i]);
    g_rmdir(dir);

    /* The first computation loads the policy and asks libsepol for every decision; a second one
     * over the same labels finds the decisions cached. */
    start = g_get_monotonic_time();
    {
        g_autoptr(SvirtMatrix) warm = svirt_matrix_compute(make_vms(), policy, &error);

        if (!warm) {
            fprintf(stderr, "bench-audit: %s\n", error->message);
            return 1;
        }
    }
    load = (g_get_monotonic_time() - start) / 1e6;
    start = g_get_monotonic_time();
    matrix = svirt_matrix_compute(make_vms(), policy, &error);
    compute = (g_get_monotonic_time() - start) / 1e6;
    if (!matrix) {
        fprintf(stderr, "bench-audit: %s\n", error->message);
        return 1;
    }
    printf("bench-audit: isolation matrix of %d VMs (%d cells), %s\n", N_VMS,
           N_VMS * (N_VMS - 1),
           policy ? policy : "MCS dominance alone (no policy file)");
    printf("  first computation (policy load + every decision): %8.1f ms\n", load * 1e3);
    printf("  again, decisions cached:                           %8.1f ms\n", compute * 1e3);
    return 0;
}
