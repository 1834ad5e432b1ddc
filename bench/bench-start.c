/* Start of a VM with 64 small disks on the system libvirtd.
 *
 * 1. Labelling overhead: the engine's start (check, journal, label 65 files, launch the live
 *    copy) against virDomainCreateXML() of the very live definition the engine launched, with
 *    nothing labelled; the two alternate, the one going first changing every round.
 * 2. Scale: the engine's start of the same VM with 1 other VM running and with 50 (the engine
 *    keeps the levels they hold across starts), each beside the plain start at that moment, so
 *    what the host itself loses with 50 QEMUs running is seen apart.
 * Needs root and libvirtd (tools/setup). Stop is measured too.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_NEXT */
#endif
#include "config.h"

#include <dlfcn.h>
#include <glib/gstdio.h>
#include <libvirt/virterror.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "svirt-lifecycle.h"

#define URI "qemu:///system"
#define N_DISKS 64
#define ROUNDS 7
#define N_OTHERS 50

typedef virDomainPtr (*CreateXmlFunc)(virConnectPtr conn, const char *xml, unsigned int flags);

/* The live definition of the engine's last start. */
static char *last_live_xml;

/* What is removed at the end, also when the benchmark fails half way. */
static struct {
    char *prefix; /* of the names of every VM the benchmark defines */
    char *dir;
    char *state;
} made;

static void
clean_up(void)
{
    virConnectPtr conn = virConnectOpen(URI);
    virDomainPtr *doms = NULL;
    int n = conn ? virConnectListAllDomains(conn, &doms, 0) : -1;

    for (int i = 0; i < n; i++) {
        const char *vm = virDomainGetName(doms[i]);

        if (g_str_equal(vm, made.prefix) ||
            (g_str_has_prefix(vm, made.prefix) && g_str_has_prefix(vm + strlen(made.prefix), "-o"))) {
            if (virDomainIsActive(doms[i]) == 1)
                virDomainDestroy(doms[i]);
            virDomainUndefine(doms[i]);
        }
        virDomainFree(doms[i]);
    }
    free(doms);
    if (conn)
        virConnectClose(conn);
    if (made.dir) {
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s' '%s'", made.dir,
                                               made.state ? made.state : made.dir);

        if (system(cmd) != 0)
            fprintf(stderr, "bench-start: could not remove %s\n", made.dir);
    }
}

static G_GNUC_NORETURN G_GNUC_PRINTF(1, 2) void
fail(const char *format, ...)
{
    va_list args;

    va_start(args, format);
    fprintf(stderr, "bench-start: ");
    vfprintf(stderr, format, args);
    fprintf(stderr, "\n");
    va_end(args);
    clean_up();
    exit(1);
}

static CreateXmlFunc
real_create_xml(void)
{
    static CreateXmlFunc real;

    if (!real)
        real = (CreateXmlFunc)dlsym(RTLD_NEXT, "virDomainCreateXML");
    return real;
}

/* The engine's starts come through here: what it launches is kept for the baseline. */
virDomainPtr
virDomainCreateXML(virConnectPtr conn, const char *xml, unsigned int flags)
{
    g_free(last_live_xml);
    last_live_xml = g_strdup(xml);
    return real_create_xml()(conn, xml, flags);
}

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

typedef struct {
    double v[ROUNDS];
    double median, min, max;
} Stat;

static void
stat_finish(Stat *s)
{
    qsort(s->v, ROUNDS, sizeof(double), compare_double);
    s->min = s->v[0];
    s->max = s->v[ROUNDS - 1];
    s->median = ROUNDS % 2 ? s->v[ROUNDS / 2] : (s->v[ROUNDS / 2 - 1] + s->v[ROUNDS / 2]) / 2;
}

static void
print_row(const char *what, const Stat *ours, const Stat *base)
{
    printf("%-22s %8.1f ms [%6.1f..%6.1f] %8.1f ms [%6.1f..%6.1f] %7.3fx\n", what,
           ours->median * 1e3, ours->min * 1e3, ours->max * 1e3, base->median * 1e3,
           base->min * 1e3, base->max * 1e3, ours->median / base->median);
}

static void
write_file(const char *path, gsize size)
{
    g_autofree char *zeros = g_malloc0(size);

    if (!g_file_set_contents(path, zeros, size, NULL))
        fail("Could not write %s", path);
}

static char *
disk_name(int i)
{
    /* sda .. sdz, sdaa .. */
    if (i < 26)
        return g_strdup_printf("sd%c", 'a' + i);
    return g_strdup_printf("sd%c%c", 'a' + i / 26 - 1, 'a' + i % 26);
}

static char *
vm_xml(const char *name, const char *dir, int n_disks)
{
    GString *xml = g_string_new(NULL);

    g_string_append_printf(xml,
                           "<domain type='qemu'><name>%s</name><memory unit='MiB'>32</memory>"
                           "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
                           "<emulator>/usr/bin/qemu-system-x86_64</emulator>"
                           "<controller type='scsi' model='virtio-scsi'/>",
                           name);
    for (int i = 0; i < n_disks; i++) {
        g_autofree char *path = g_strdup_printf("%s/%s-disk%02d.img", dir, name, i);
        g_autofree char *target = disk_name(i);

        write_file(path, 64 * 1024);
        g_string_append_printf(xml,
                               "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                               "<source file='%s'/><target dev='%s' bus='scsi'/></disk>",
                               path, target);
    }
    g_string_append_printf(xml, "<serial type='file'><source path='%s/%s-serial.log'/></serial>",
                           dir, name);
    g_string_append(xml, "</devices></domain>");
    return g_string_free(xml, FALSE);
}

static void
engine_start(SvirtEngine *engine, const char *name)
{
    g_autoptr(GError) error = NULL;

    if (!svirt_engine_start_vm(engine, name, NULL, &error))
        fail("%s", error->message);
}

static void
engine_stop(SvirtEngine *engine, const char *name)
{
    g_autoptr(GError) error = NULL;

    if (!svirt_engine_stop_vm(engine, name, TRUE, 0, &error))
        fail("%s", error->message);
}

/* Started by the engine, then paused: it holds its level and its labels, and takes no CPU
 * time from the starts measured beside it. */
static void
start_paused(SvirtEngine *engine, virConnectPtr conn, const char *name)
{
    virDomainPtr dom;

    engine_start(engine, name);
    dom = virDomainLookupByName(conn, name);
    if (!dom || virDomainSuspend(dom) < 0)
        fail("cannot pause %s: %s", name, virGetLastErrorMessage());
    virDomainFree(dom);
}

/* @round of both starts (and stops) of @name, in the order the round's parity says. */
static void
one_round(SvirtEngine *engine, virConnectPtr conn, const char *name, const char *live, int round,
          Stat *os, Stat *od, Stat *ps, Stat *pd)
{
    for (int k = 0; k < 2; k++) {
        gboolean engine_turn = (k == 0) == (round % 2 == 0);
        double t = now();

        if (engine_turn) {
            engine_start(engine, name);
            os->v[round] = now() - t;
            t = now();
            engine_stop(engine, name);
            od->v[round] = now() - t;
        } else {
            virDomainPtr dom = real_create_xml()(conn, live, 0);

            if (!dom)
                fail("virDomainCreateXML: %s", virGetLastErrorMessage());
            ps->v[round] = now() - t;
            t = now();
            virDomainDestroy(dom);
            pd->v[round] = now() - t;
            virDomainFree(dom);
        }
    }
}

int
main(int argc, char *argv[])
{
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *state = NULL;
    g_autofree char *name = g_strdup_printf("bench-start-%d", (int)getpid());
    g_autofree char *xml = NULL;
    g_autofree char *live = NULL;
    g_autoptr(SvirtEngine) engine = NULL;
    g_autoptr(GPtrArray) others = g_ptr_array_new_with_free_func(g_free);
    virConnectPtr conn;
    virDomainPtr dom;
    Stat os, od, ps, pd;
    Stat os1, od1, ps1, pd1, os50, od50, ps50, pd50;
    gboolean scale = !(argc > 1 && g_str_equal(argv[1], "--no-scale"));

    svirt_engine_init_libvirt();
    made.prefix = name;
    dir = g_dir_make_tmp("bench-start-XXXXXX", &error);
    if (!dir)
        fail("%s", error->message);
    made.dir = dir;
    state = g_dir_make_tmp("bench-start-state-XXXXXX", &error);
    if (!state)
        fail("%s", error->message);
    made.state = state;
    g_chmod(dir, 0755);
    g_setenv("SVIRT_STATE_DIR", state, TRUE);

    conn = virConnectOpen(URI);
    if (!conn)
        fail("cannot reach %s (%s); run tools/setup as root first.", URI,
             virGetLastErrorMessage());
    xml = vm_xml(name, dir, N_DISKS);
    dom = virDomainDefineXML(conn, xml);
    if (!dom)
        fail("cannot define the VM: %s", virGetLastErrorMessage());
    engine = svirt_engine_new(URI);
    if (!svirt_engine_connect(engine, NULL, &error))
        fail("%s", error->message);

    /* A warm-up of each, so neither pays for QEMU's first probe or cold caches; it also gives
     * the live definition the engine launches. */
    engine_start(engine, name);
    live = g_strdup(last_live_xml);
    engine_stop(engine, name);
    {
        virDomainPtr warm = real_create_xml()(conn, live, 0);

        if (!warm)
            fail("virDomainCreateXML: %s", virGetLastErrorMessage());
        virDomainDestroy(warm);
        virDomainFree(warm);
    }

    for (int r = 0; r < ROUNDS; r++)
        one_round(engine, conn, name, live, r, &os, &od, &ps, &pd);
    stat_finish(&os);
    stat_finish(&od);
    stat_finish(&ps);
    stat_finish(&pd);

    printf("bench-start: a VM with %d disks and a serial log (%d labelled files), qemu TCG, "
           "median [min..max] of %d rounds, the order alternating\n\n",
           N_DISKS, N_DISKS + 1, ROUNDS);
    printf("%-22s %28s %28s %8s\n", "", "engine", "baseline", "ratio");
    print_row("start", &os, &ps);
    print_row("stop", &od, &pd);
    printf("\nbaseline: virDomainCreateXML() of the same live definition the engine launched, "
           "and virDomainDestroy(), nothing labelled\n");
    printf("labelling adds %.1f %% to start time (target: under 10 %%): %s\n",
           (os.median / ps.median - 1) * 100, os.median / ps.median < 1.10 ? "met" : "MISSED");
    fflush(stdout);
    if (scale) {
        /* The other VMs: one disk each, started by the engine as a user would. */
        for (int i = 0; i < N_OTHERS; i++) {
            g_autofree char *other = g_strdup_printf("%s-o%02d", name, i);
            g_autofree char *other_xml = vm_xml(other, dir, 1);
            virDomainPtr odom = virDomainDefineXML(conn, other_xml);

            if (!odom)
                fail("cannot define %s: %s", other, virGetLastErrorMessage());
            virDomainFree(odom);
            g_ptr_array_add(others, g_steal_pointer(&other));
        }
        start_paused(engine, conn, others->pdata[0]);
        for (int r = 0; r < ROUNDS; r++)
            one_round(engine, conn, name, live, r, &os1, &od1, &ps1, &pd1);
        for (guint i = 1; i < others->len; i++)
            start_paused(engine, conn, others->pdata[i]);
        for (int r = 0; r < ROUNDS; r++)
            one_round(engine, conn, name, live, r, &os50, &od50, &ps50, &pd50);
        for (guint i = 0; i < others->len; i++) {
            g_autoptr(GError) local = NULL;
            virDomainPtr odom = virDomainLookupByName(conn, others->pdata[i]);

            svirt_engine_stop_vm(engine, others->pdata[i], TRUE, 0, &local);
            if (odom) {
                virDomainUndefine(odom);
                virDomainFree(odom);
            }
        }
        stat_finish(&os1);
        stat_finish(&od1);
        stat_finish(&ps1);
        stat_finish(&pd1);
        stat_finish(&os50);
        stat_finish(&od50);
        stat_finish(&ps50);
        stat_finish(&pd50);
    }
    virDomainUndefine(dom);
    virDomainFree(dom);
    virConnectClose(conn);

    if (scale) {
        printf("\nwith other VMs running (started by the engine, then paused):\n");
        print_row("start, 1 running", &os1, &ps1);
        print_row("start, 50 running", &os50, &ps50);
        print_row("stop, 1 running", &od1, &pd1);
        print_row("stop, 50 running", &od50, &pd50);
        printf("engine start with 50 running / with 1: %.3fx (target: at most 1.1x): %s\n",
               os50.median / os1.median, os50.median / os1.median <= 1.10 ? "met" : "MISSED");
        printf("plain start with 50 running / with 1:  %.3fx (what the host itself loses)\n",
               ps50.median / ps1.median);
        printf("labelling overhead with 50 running: %.1f %%\n",
               (os50.median / ps50.median - 1) * 100);
    }
    clean_up();
    return 0;
}
