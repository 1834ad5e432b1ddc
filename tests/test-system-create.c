#include "config.h"

#include <libvirt/virterror.h>
#include <string.h>
#include <unistd.h>

#include "svirt-create.h"
#include "svirt-lifecycle.h"
#include "svm-test-fixture.h"
#include "svm-test-util.h"
#include "svm-test-vm.h"

static void
delete_volume(virConnectPtr conn, const char *pool_name, const char *volume)
{
    virStoragePoolPtr pool = virStoragePoolLookupByName(conn, pool_name);
    virStorageVolPtr vol = pool ? virStorageVolLookupByName(pool, volume) : NULL;

    if (vol) {
        virStorageVolDelete(vol, 0);
        virStorageVolFree(vol);
    }
    if (pool)
        virStoragePoolFree(pool);
    virResetLastError();
}

static void
test_pools_and_networks(void)
{
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) pools = NULL;
    g_auto(GStrv) nets = NULL;
    gboolean found = FALSE;

    g_assert_true(svirt_engine_ensure_default_pool(engine, &error));
    g_assert_no_error(error);
    /* A second call finds it and changes nothing. */
    g_assert_true(svirt_engine_ensure_default_pool(engine, &error));
    pools = svirt_engine_list_pools(engine, &error);
    g_assert_no_error(error);
    for (guint i = 0; i < pools->len; i++) {
        SvirtPoolInfo *pool = g_ptr_array_index(pools, i);

        g_test_message("pool %s at %s, %s", pool->name, pool->path,
                       pool->active ? "active" : "inactive");
        if (g_str_equal(pool->name, SVIRT_DEFAULT_POOL)) {
            found = TRUE;
            g_assert_true(pool->active);
            g_assert_nonnull(pool->path);
        }
    }
    g_assert_true(found);

    nets = svirt_engine_list_networks(engine, &error);
    g_assert_no_error(error);
    g_assert_nonnull(nets);
    {
        g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);

        /* Only active networks are offered. */
        for (guint i = 0; nets[i]; i++) {
            virNetworkPtr net = virNetworkLookupByName(conn, nets[i]);

            g_assert_nonnull(net);
            g_assert_cmpint(virNetworkIsActive(net), ==, 1);
            virNetworkFree(net);
        }
    }
}

typedef struct {
    char *uuid;
    GError *create_error;
    char *xml;
    GError *start_error;
    SvirtVmStatus *status;
    GError *stop_error;
    SvirtSettings *settings;
} CreateRun;

static void
test_create_start_stop(void)
{
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autofree char *dir = svm_test_make_vm_dir("svm-create");
    g_autofree char *shared = g_build_filename(dir, "shared.img", NULL);
    g_autofree char *iso = g_build_filename(dir, "install.iso", NULL);
    g_autofree char *name = g_strdup_printf("svm-test-create-%d", (int)getpid());
    g_autofree char *volume = NULL;
    g_autoptr(SvirtVmSpec) spec = svirt_vm_spec_new(name);
    CreateRun run = { 0 };

    svm_test_write_blank_image(shared, 1024 * 1024);
    svm_test_write_boot_image(iso);
    spec->memory_mib = 32;
    spec->install = SVIRT_INSTALL_ISO;
    spec->install_path = g_strdup(iso);
    svirt_vm_spec_add_disk(spec, svirt_disk_spec_new_volume(SVIRT_DEFAULT_POOL, 8,
                                                            SVIRT_VOLUME_FORMAT_QCOW2,
                                                            SVIRT_DESIGNATION_PRIVATE));
    svirt_vm_spec_add_disk(spec, svirt_disk_spec_new_existing(shared, SVIRT_DESIGNATION_SHARED));
    volume = svirt_vm_spec_dup_volume_name(spec, 0);

    /* Everything is collected first and cleaned up before any assertion. */
    run.uuid = svirt_engine_create_vm(engine, spec, &run.create_error);
    if (run.uuid) {
        run.xml = svirt_engine_get_domain_xml(engine, run.uuid, TRUE, NULL);
        run.settings = svirt_engine_get_settings(engine, run.uuid, NULL);
        if (svirt_engine_start_vm(engine, name, NULL, &run.start_error)) {
            run.status = svirt_engine_get_vm_status(engine, name, &run.start_error);
            svirt_engine_stop_vm(engine, name, TRUE, 0, &run.stop_error);
        }
    }
    svm_test_remove_domain(conn, name);
    delete_volume(conn, SVIRT_DEFAULT_POOL, volume);
    svm_test_rmdir(dir);

    g_assert_no_error(run.create_error);
    g_assert_nonnull(run.uuid);
    g_test_message("%s", run.xml);
    g_assert_nonnull(run.xml);
    g_assert_nonnull(strstr(run.xml, "<shareable/>"));
    g_assert_nonnull(strstr(run.xml, "device='cdrom'"));
    g_assert_nonnull(strstr(run.xml, "<readonly/>"));
    g_assert_true(strstr(run.xml, "<interface type='user'>") != NULL);
    g_assert_nonnull(strstr(run.xml, volume));
    g_assert_nonnull(run.settings);
    g_assert_cmpint(run.settings->mode, ==, SVIRT_SECURITY_MODE_DYNAMIC);
    g_assert_no_error(run.start_error);
    g_assert_nonnull(run.status);
    g_assert_true(g_str_has_prefix(run.status->process_label, "system_u:system_r:svirt_t:s0:c"));
    g_assert_cmpuint(run.status->disks->len, ==, 3);
    for (guint i = 0; i < run.status->disks->len; i++) {
        SvirtDiskState *disk = g_ptr_array_index(run.status->disks, i);

        g_test_message("%s %s %s %s", disk->target, disk->path, disk->actual_label,
                       svirt_disk_status_to_string(disk->status));
        g_assert_cmpint(disk->status, ==, SVIRT_DISK_STATUS_LABELED);
        if (g_str_equal(disk->path, shared))
            g_assert_cmpint(disk->designation, ==, SVIRT_DESIGNATION_SHARED);
        else if (g_str_equal(disk->path, iso))
            g_assert_cmpint(disk->designation, ==, SVIRT_DESIGNATION_READONLY);
        else
            g_assert_cmpint(disk->designation, ==, SVIRT_DESIGNATION_PRIVATE);
    }
    g_assert_no_error(run.stop_error);
    g_assert_false(svm_test_domain_exists(conn, name));

    g_free(run.uuid);
    g_free(run.xml);
    svirt_vm_status_free(run.status);
    svirt_settings_free(run.settings);
}

static void
test_rollback(void)
{
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autofree char *name = g_strdup_printf("svm-test-rollback-%d", (int)getpid());
    g_autofree char *pool = g_strdup_printf("svm-no-such-pool-%d", (int)getpid());
    g_autofree char *first = NULL;
    g_autoptr(SvirtVmSpec) spec = svirt_vm_spec_new(name);
    g_autoptr(GError) error = NULL;
    g_autofree char *uuid = NULL;
    gboolean first_left, vm_left;

    spec->memory_mib = 32;
    svirt_vm_spec_add_disk(spec, svirt_disk_spec_new_volume(SVIRT_DEFAULT_POOL, 4,
                                                            SVIRT_VOLUME_FORMAT_RAW,
                                                            SVIRT_DESIGNATION_PRIVATE));
    svirt_vm_spec_add_disk(spec, svirt_disk_spec_new_volume(pool, 4, SVIRT_VOLUME_FORMAT_RAW,
                                                            SVIRT_DESIGNATION_PRIVATE));
    first = svirt_vm_spec_dup_volume_name(spec, 0);

    uuid = svirt_engine_create_vm(engine, spec, &error);
    first_left = svm_test_volume_exists(conn, SVIRT_DEFAULT_POOL, first);
    vm_left = svm_test_domain_exists(conn, name);
    svm_test_remove_domain(conn, name);
    delete_volume(conn, SVIRT_DEFAULT_POOL, first);

    g_assert_null(uuid);
    g_assert_nonnull(error);
    g_test_message("%s", error->message);
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND);
    g_assert_nonnull(strstr(error->message, name));
    g_assert_nonnull(strstr(error->message, pool));
    g_assert_nonnull(strstr(error->message, "disk 2"));
    g_assert_nonnull(strstr(error->message, "Nothing was left behind"));
    g_assert_false(first_left);
    g_assert_false(vm_left);
}

static void
test_name_taken(void)
{
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autofree char *dir = svm_test_make_vm_dir("svm-create");
    g_autofree char *image = g_build_filename(dir, "boot.img", NULL);
    g_autofree char *name = g_strdup_printf("svm-test-taken-%d", (int)getpid());
    g_autofree char *volume = NULL;
    g_autoptr(SvirtVmSpec) spec = svirt_vm_spec_new(name);
    g_autoptr(GError) error = NULL;
    g_autofree char *first = NULL;
    g_autofree char *second = NULL;
    gboolean volume_left;

    svm_test_write_boot_image(image);
    spec->memory_mib = 32;
    spec->install = SVIRT_INSTALL_DISK_IMAGE;
    spec->install_path = g_strdup(image);
    first = svirt_engine_create_vm(engine, spec, NULL);
    /* The second try would also make a volume: it must not. */
    svirt_vm_spec_add_disk(spec, svirt_disk_spec_new_volume(SVIRT_DEFAULT_POOL, 4,
                                                            SVIRT_VOLUME_FORMAT_RAW,
                                                            SVIRT_DESIGNATION_PRIVATE));
    volume = svirt_vm_spec_dup_volume_name(spec, 0);
    second = svirt_engine_create_vm(engine, spec, &error);
    volume_left = svm_test_volume_exists(conn, SVIRT_DEFAULT_POOL, volume);
    svm_test_remove_domain(conn, name);
    delete_volume(conn, SVIRT_DEFAULT_POOL, volume);
    svm_test_rmdir(dir);

    g_assert_nonnull(first);
    g_assert_null(second);
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE);
    g_assert_nonnull(strstr(error->message, "already exists"));
    g_assert_false(volume_left);
}

static void
on_created(GObject *source, GAsyncResult *result, gpointer user_data)
{
    GError **error = user_data;
    char *uuid = svirt_engine_create_vm_finish(SVIRT_ENGINE(source), result, error);

    g_assert_null(uuid);
}

static void
test_async_error(void)
{
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(SvirtVmSpec) spec = svirt_vm_spec_new("svm bad name");
    GError *error = NULL;

    svirt_engine_create_vm_async(engine, spec, NULL, on_created, &error);
    svm_test_wait_for(svm_test_pointer_is_set, &error, 30000, "the creation to fail");
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_SETTINGS);
    g_error_free(error);
}

typedef struct {
    SvirtCreateStep at;
    GCancellable *cancellable;
    gboolean volume_made; /* when the cancel came */
    gboolean vm_defined;
    virConnectPtr conn;
    const char *name;
    const char *volume;
} CancelRun;

static void
cancel_at_step(SvirtCreateStep step, gpointer user_data)
{
    CancelRun *run = user_data;

    if (step != run->at)
        return;
    run->volume_made = svm_test_volume_exists(run->conn, SVIRT_DEFAULT_POOL, run->volume);
    run->vm_defined = svm_test_domain_exists(run->conn, run->name);
    g_cancellable_cancel(run->cancellable);
}

/* A cancel at any step deletes what was made, like a failure. */
static void
test_cancel(gconstpointer data)
{
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autofree char *name = g_strdup_printf("svm-test-cancel-%d", (int)getpid());
    g_autoptr(SvirtVmSpec) spec = svirt_vm_spec_new(name);
    g_autoptr(GCancellable) cancellable = g_cancellable_new();
    g_autoptr(GError) error = NULL;
    g_autofree char *volume = NULL;
    g_autofree char *uuid = NULL;
    CancelRun run = { 0 };
    gboolean volume_left, vm_left;

    spec->memory_mib = 32;
    svirt_vm_spec_add_disk(spec, svirt_disk_spec_new_volume(SVIRT_DEFAULT_POOL, 4,
                                                            SVIRT_VOLUME_FORMAT_RAW,
                                                            SVIRT_DESIGNATION_PRIVATE));
    volume = svirt_vm_spec_dup_volume_name(spec, 0);
    run.at = GPOINTER_TO_INT(data);
    run.cancellable = cancellable;
    run.conn = conn;
    run.name = name;
    run.volume = volume;

    uuid = svirt_engine_create_vm_full(engine, spec, cancel_at_step, &run, cancellable, &error);
    volume_left = svm_test_volume_exists(conn, SVIRT_DEFAULT_POOL, volume);
    vm_left = svm_test_domain_exists(conn, name);
    svm_test_remove_domain(conn, name);
    delete_volume(conn, SVIRT_DEFAULT_POOL, volume);

    g_assert_null(uuid);
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_test_message("%s", error->message);
    g_assert_nonnull(strstr(error->message, "Nothing was left behind"));
    g_assert_true(g_cancellable_is_cancelled(cancellable));
    /* The later the step, the more there was to undo. */
    g_assert_cmpint(run.volume_made, ==, run.at >= SVIRT_CREATE_STEP_DEFINE);
    g_assert_cmpint(run.vm_defined, ==, run.at >= SVIRT_CREATE_STEP_SETTINGS);
    g_assert_false(volume_left);
    g_assert_false(vm_left);
}

int
main(int argc, char *argv[])
{
    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_LIBVIRTD);
    g_test_init(&argc, &argv, NULL);
    svirt_engine_init_libvirt();
    g_test_add_func("/system/create/pools-and-networks", test_pools_and_networks);
    g_test_add_func("/system/create/create-start-stop", test_create_start_stop);
    g_test_add_func("/system/create/rollback", test_rollback);
    g_test_add_func("/system/create/name-taken", test_name_taken);
    g_test_add_func("/system/create/async-error", test_async_error);
    g_test_add_data_func("/system/create/cancel/volumes",
                         GINT_TO_POINTER(SVIRT_CREATE_STEP_VOLUMES), test_cancel);
    g_test_add_data_func("/system/create/cancel/define", GINT_TO_POINTER(SVIRT_CREATE_STEP_DEFINE),
                         test_cancel);
    g_test_add_data_func("/system/create/cancel/settings",
                         GINT_TO_POINTER(SVIRT_CREATE_STEP_SETTINGS), test_cancel);
    g_test_add_data_func("/system/create/cancel/done", GINT_TO_POINTER(SVIRT_CREATE_STEP_DONE),
                         test_cancel);
    return g_test_run();
}
