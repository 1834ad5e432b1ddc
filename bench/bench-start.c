/* Start and stop of a VM with 64 small disks on the system libvirtd: the engine's start (check,
 * journal, label 65 files, launch on a live copy) against a plain virDomainCreate() of the same
 * VM, and the engine's stop (destroy, restore 65 labels) against a plain virDomainDestroy(), in
 * one run, alternating so both see the same host. Needs root and libvirtd (tools/setup).
 */
#include "config.h"

#include <glib/gstdio.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "svirt-lifecycle.h"

#define URI "qemu:///system"
#define N_DISKS 64
#define ROUNDS 7

static double
now(void)
{
    return g_get_monotonic_time() / 1e6;
}

static int
compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
    qsort(v, n, sizeof(double), compare_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
write_file(const char *path, gsize size)
{
    g_autofree char *zeros = g_malloc0(size);

    if (!g_file_set_contents(path, zeros, size, NULL))
        g_error("Could not write %s", path);
}

static char *
disk_name(int i)
{
    /* sda .. sdz, sdaa .. */
    if (i < 26)
        return g_strdup_printf("sd%c", 'a' + i);
    return g_strdup_printf("sd%c%c", 'a' + i / 26 - 1, 'a' + i % 26);
}

int
main(int argc, char *argv[])
{
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *state = NULL;
    g_autofree char *name = g_strdup_printf("bench-start-%d", (int)getpid());
    g_autoptr(GString) xml = g_string_new(NULL);
    g_autoptr(SvirtEngine) engine = NULL;
    virConnectPtr conn;
    virDomainPtr dom;
    double plain_start[ROUNDS], plain_stop[ROUNDS], our_start[ROUNDS], our_stop[ROUNDS];
    double ps, pd, os, od;

    svirt_engine_init_libvirt();
    dir = g_dir_make_tmp("bench-start-XXXXXX", &error);
    state = g_dir_make_tmp("bench-start-state-XXXXXX", &error);
    g_assert_no_error(error);
    g_chmod(dir, 0755);
    g_setenv("SVIRT_STATE_DIR", state, TRUE);

    g_string_append_printf(xml,
                           "<domain type='qemu'><name>%s</name><memory unit='MiB'>32</memory>"
                           "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
                           "<emulator>/usr/bin/qemu-system-x86_64</emulator>"
                           "<controller type='scsi' model='virtio-scsi'/>",
                           name);
    for (int i = 0; i < N_DISKS; i++) {
        g_autofree char *path = g_strdup_printf("%s/disk%02d.img", dir, i);
        g_autofree char *target = disk_name(i);

        write_file(path, 64 * 1024);
        g_string_append_printf(xml,
                               "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                               "<source file='%s'/><target dev='%s' bus='scsi'/></disk>",
                               path, target);
    }
    g_string_append_printf(xml, "<serial type='file'><source path='%s/serial.log'/></serial>",
                           dir);
    g_string_append(xml, "</devices></domain>");

    conn = virConnectOpen(URI);
    if (!conn) {
        fprintf(stderr, "bench-start: cannot reach %s (%s); run tools/setup as root first.\n",
                URI, virGetLastErrorMessage());
        return 1;
    }
    dom = virDomainDefineXML(conn, xml->str);
    if (!dom) {
        fprintf(stderr, "bench-start: cannot define the VM: %s\n", virGetLastErrorMessage());
        return 1;
    }
    engine = svirt_engine_new(URI);
    if (!svirt_engine_connect(engine, NULL, &error))
        g_error("%s", error->message);

    /* One warm-up of each, so neither pays for QEMU's first probe or cold caches. */
    virDomainCreate(dom);
    virDomainDestroy(dom);
    if (!svirt_engine_start_vm(engine, name, NULL, &error) ||
        !svirt_engine_stop_vm(engine, name, TRUE, 0, &error))
        g_error("%s", error->message);

    for (int r = 0; r < ROUNDS; r++) {
        double t = now();

        if (virDomainCreate(dom) < 0)
            g_error("virDomainCreate: %s", virGetLastErrorMessage());
        plain_start[r] = now() - t;
        t = now();
        virDomainDestroy(dom);
        plain_stop[r] = now() - t;

        t = now();
        if (!svirt_engine_start_vm(engine, name, NULL, &error))
            g_error("%s", error->message);
        our_start[r] = now() - t;
        t = now();
        if (!svirt_engine_stop_vm(engine, name, TRUE, 0, &error))
            g_error("%s", error->message);
        our_stop[r] = now() - t;
    }
    virDomainUndefine(dom);
    virDomainFree(dom);
    virConnectClose(conn);

    ps = median(plain_start, ROUNDS);
    pd = median(plain_stop, ROUNDS);
    os = median(our_start, ROUNDS);
    od = median(our_stop, ROUNDS);
    printf("bench-start: a VM with %d disks and a serial log (%d labelled files), qemu TCG, "
           "median of %d rounds\n\n",
           N_DISKS, N_DISKS + 1, ROUNDS);
    printf("%-10s %14s %14s %8s\n", "", "engine", "baseline", "ratio");
    printf("%-10s %11.1f ms %11.1f ms %7.3fx\n", "start", os * 1000, ps * 1000, os / ps);
    printf("%-10s %11.1f ms %11.1f ms %7.3fx\n", "stop", od * 1000, pd * 1000, od / pd);
    printf("\nbaseline: virDomainCreate() and virDomainDestroy() of the same VM, no labels\n");
    printf("labelling adds %.1f %% to start time (target: under 10 %%): %s\n",
           (os / ps - 1) * 100, os / ps < 1.10 ? "met" : "MISSED");
    {
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s' '%s'", dir, state);

        if (system(cmd) != 0)
            fprintf(stderr, "bench-start: could not remove %s\n", dir);
    }
    return 0;
}
