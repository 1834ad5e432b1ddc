#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <libvirt/virterror.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "svirt-private.h"
#include "svirt-create.h"
#include "svirt-domain-xml.h"
#include "svirt-labeler.h"
#include "svirt-policy.h"
#include "svirt-task.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStoragePool, virStoragePoolFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStorageVol, virStorageVolFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virNetwork, virNetworkFree)

G_DEFINE_BOXED_TYPE(SvirtDiskSpec, svirt_disk_spec, svirt_disk_spec_copy, svirt_disk_spec_free)
G_DEFINE_BOXED_TYPE(SvirtVmSpec, svirt_vm_spec, svirt_vm_spec_copy, svirt_vm_spec_free)
G_DEFINE_BOXED_TYPE(SvirtPoolInfo, svirt_pool_info, svirt_pool_info_copy, svirt_pool_info_free)

#define MAX_NAME_LEN 64

const char *
svirt_volume_format_to_string(SvirtVolumeFormat format)
{
    return format == SVIRT_VOLUME_FORMAT_QCOW2 ? "qcow2" : "raw";
}

SvirtDiskSpec *
svirt_disk_spec_new_volume(const char *pool, guint64 size_mib, SvirtVolumeFormat format,
                           SvirtDesignation designation)
{
    SvirtDiskSpec *disk = g_new0(SvirtDiskSpec, 1);

    disk->kind = SVIRT_DISK_SPEC_NEW_VOLUME;
    disk->pool = g_strdup(pool);
    disk->size_mib = size_mib;
    disk->format = format;
    disk->designation = designation;
    return disk;
}

SvirtDiskSpec *
svirt_disk_spec_new_existing(const char *path, SvirtDesignation designation)
{
    SvirtDiskSpec *disk = g_new0(SvirtDiskSpec, 1);

    disk->kind = SVIRT_DISK_SPEC_EXISTING;
    disk->path = g_strdup(path);
    disk->format = SVIRT_VOLUME_FORMAT_RAW;
    disk->designation = designation;
    return disk;
}

SvirtDiskSpec *
svirt_disk_spec_copy(const SvirtDiskSpec *disk)
{
    SvirtDiskSpec *copy = g_memdup2(disk, sizeof(*disk));

    copy->pool = g_strdup(disk->pool);
    copy->volume = g_strdup(disk->volume);
    copy->path = g_strdup(disk->path);
    return copy;
}

void
svirt_disk_spec_free(SvirtDiskSpec *disk)
{
    if (disk == NULL)
        return;
    g_free(disk->pool);
    g_free(disk->volume);
    g_free(disk->path);
    g_free(disk);
}

SvirtVmSpec *
svirt_vm_spec_new(const char *name)
{
    SvirtVmSpec *spec = g_new0(SvirtVmSpec, 1);

    spec->name = g_strdup(name);
    spec->memory_mib = 1024;
    spec->vcpus = 1;
    spec->install = SVIRT_INSTALL_NONE;
    spec->disks = g_ptr_array_new_with_free_func((GDestroyNotify)svirt_disk_spec_free);
    spec->settings = svirt_settings_new();
    return spec;
}

SvirtVmSpec *
svirt_vm_spec_copy(const SvirtVmSpec *spec)
{
    SvirtVmSpec *copy = svirt_vm_spec_new(spec->name);

    copy->memory_mib = spec->memory_mib;
    copy->vcpus = spec->vcpus;
    copy->install = spec->install;
    copy->install_path = g_strdup(spec->install_path);
    for (guint i = 0; i < spec->disks->len; i++)
        g_ptr_array_add(copy->disks, svirt_disk_spec_copy(g_ptr_array_index(spec->disks, i)));
    copy->network = g_strdup(spec->network);
    if (spec->settings) {
        svirt_settings_free(copy->settings);
        copy->settings = svirt_settings_copy(spec->settings);
    }
    copy->use_kvm = spec->use_kvm;
    return copy;
}

void
svirt_vm_spec_free(SvirtVmSpec *spec)
{
    if (spec == NULL)
        return;
    g_free(spec->name);
    g_free(spec->install_path);
    g_ptr_array_unref(spec->disks);
    g_free(spec->network);
    svirt_settings_free(spec->settings);
    g_free(spec);
}

void
svirt_vm_spec_add_disk(SvirtVmSpec *spec, SvirtDiskSpec *disk)
{
    g_ptr_array_add(spec->disks, disk);
}

char *
svirt_vm_spec_dup_volume_name(const SvirtVmSpec *spec, guint index)
{
    const SvirtDiskSpec *disk;

    g_return_val_if_fail(index < spec->disks->len, NULL);
    disk = g_ptr_array_index(spec->disks, index);
    if (disk->kind != SVIRT_DISK_SPEC_NEW_VOLUME)
        return NULL;
    if (disk->volume && *disk->volume)
        return g_strdup(disk->volume);
    return g_strdup_printf("%s-%u.%s", spec->name, index + 1,
                           disk->format == SVIRT_VOLUME_FORMAT_QCOW2 ? "qcow2" : "img");
}

guint
svirt_vm_spec_count_new_volumes(const SvirtVmSpec *spec)
{
    guint n = 0;

    for (guint i = 0; i < spec->disks->len; i++) {
        const SvirtDiskSpec *disk = g_ptr_array_index(spec->disks, i);

        n += disk->kind == SVIRT_DISK_SPEC_NEW_VOLUME;
    }
    return n;
}

SvirtPoolInfo *
svirt_pool_info_copy(const SvirtPoolInfo *pool)
{
    SvirtPoolInfo *copy = g_new0(SvirtPoolInfo, 1);

    copy->name = g_strdup(pool->name);
    copy->path = g_strdup(pool->path);
    copy->active = pool->active;
    return copy;
}

void
svirt_pool_info_free(SvirtPoolInfo *pool)
{
    if (pool == NULL)
        return;
    g_free(pool->name);
    g_free(pool->path);
    g_free(pool);
}

static gboolean G_GNUC_PRINTF(2, 3)
refuse(GError **error, const char *format, ...)
{
    va_list args;
    GError *local;

    va_start(args, format);
    local = g_error_new_valist(SVIRT_ERROR, SVIRT_ERROR_INVALID_SETTINGS, format, args);
    va_end(args);
    g_propagate_error(error, local);
    return FALSE;
}

static gboolean
name_char_ok(char c)
{
    return g_ascii_isalnum(c) || c == '_' || c == '-' || c == '.' || c == '+';
}

/* Names libvirt, file systems and shells all take without quoting. */
static gboolean
check_name(const char *what, const char *name, GError **error)
{
    gsize len = name ? strlen(name) : 0;

    if (len == 0)
        return refuse(error, _("The %s is empty. Type a name."), what);
    if (len > MAX_NAME_LEN)
        return refuse(error, _("The %s '%s' is longer than %d characters. Choose a shorter one."),
                      what, name, MAX_NAME_LEN);
    /* VMs are looked up by name or UUID: a name that reads as a UUID could stand for another VM. */
    if (g_uuid_string_is_valid(name))
        return refuse(error, _("The %s '%s' has the form of a UUID, which names another VM. "
                               "Choose a name that is not a UUID."),
                      what, name);
    if (name[0] == '.' || name[0] == '-')
        return refuse(error,
                      _("The %s '%s' starts with '%c'. Start it with a letter, a digit or '_'."),
                      what, name, name[0]);
    for (gsize i = 0; i < len; i++) {
        if (!name_char_ok(name[i]))
            return refuse(error,
                          _("The %s '%s' has a character that is not allowed at position %u. "
                            "Use letters, digits, '.', '-', '_' and '+'."),
                          what, name, (guint)(i + 1));
    }
    return TRUE;
}

/* An existing file the VM is to use: it must exist, be a file or block device, and be nowhere
 * the host's own files live. Returns the resolved path. */
static char *
check_existing_path(const char *what, const char *path, GError **error)
{
    g_autofree char *resolved = NULL;
    struct stat st;

    if (path == NULL || *path == '\0') {
        refuse(error, _("No file is given for the %s. Choose a file."), what);
        return NULL;
    }
    if (!g_path_is_absolute(path)) {
        refuse(error, _("The path '%s' of the %s is not absolute. Give the full path, starting "
                        "with '/'."),
               path, what);
        return NULL;
    }
    resolved = svirt_labeler_resolve_path(path);
    if (resolved == NULL || stat(resolved, &st) < 0) {
        int saved = errno;

        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND,
                    _("The %s '%s' cannot be used: %s. Check the path."), what, path,
                    g_strerror(saved));
        return NULL;
    }
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
        refuse(error, _("The %s '%s' is not a regular file or a block device. Choose an image "
                        "file."),
               what, path);
        return NULL;
    }
    if (!svirt_labeler_check_location(resolved, S_ISBLK(st.st_mode) ? SVIRT_LABEL_TARGET_BLOCK
                                                                    : SVIRT_LABEL_TARGET_FILE,
                                      error))
        return NULL;
    /* A device the host uses would be refused at the first start; refuse it now. */
    if (S_ISBLK(st.st_mode) && !svirt_labeler_check_block_device(st.st_rdev, resolved, error))
        return NULL;
    return g_steal_pointer(&resolved);
}

static gboolean
check_disk(const SvirtVmSpec *spec, guint index, GHashTable *paths, GHashTable *volumes,
           GError **error)
{
    const SvirtDiskSpec *disk = g_ptr_array_index(spec->disks, index);
    guint n = index + 1;

    if (disk->designation != SVIRT_DESIGNATION_PRIVATE &&
        disk->designation != SVIRT_DESIGNATION_SHARED &&
        disk->designation != SVIRT_DESIGNATION_READONLY)
        return refuse(error, _("Disk %u must be private, shared or read-only."), n);
    if (disk->designation == SVIRT_DESIGNATION_SHARED && disk->format != SVIRT_VOLUME_FORMAT_RAW)
        return refuse(error,
                      _("Disk %u is shared but qcow2: two VMs cannot write one qcow2 image. Use "
                        "the raw format for shared disks."),
                      n);

    if (disk->kind == SVIRT_DISK_SPEC_NEW_VOLUME) {
        g_autofree char *volume = svirt_vm_spec_dup_volume_name(spec, index);
        g_autofree char *key = NULL;
        g_autofree char *what = g_strdup_printf(_("volume name of disk %u"), n);
        gpointer other;

        if (disk->pool == NULL || *disk->pool == '\0')
            return refuse(error, _("Disk %u has no storage pool. Choose a pool."), n);
        if (disk->size_mib < 1)
            return refuse(error, _("Disk %u needs a size of at least 1 MiB."), n);
        if (!check_name(what, volume, error))
            return FALSE;
        key = g_strdup_printf("%s/%s", disk->pool, volume);
        if (g_hash_table_lookup_extended(volumes, key, NULL, &other))
            return refuse(error,
                          _("Disks %u and %u would both be volume '%s' in pool '%s'. Give one "
                            "of them another name."),
                          GPOINTER_TO_UINT(other), n, volume, disk->pool);
        g_hash_table_insert(volumes, g_steal_pointer(&key), GUINT_TO_POINTER(n));
    } else {
        /* TRANSLATORS: "disk 2", in "The disk 2 '/path' cannot be used" */
        g_autofree char *what = g_strdup_printf(_("disk %u"), n);
        g_autofree char *resolved = check_existing_path(what, disk->path, error);
        gpointer other;

        if (resolved == NULL)
            return FALSE;
        if (g_hash_table_lookup_extended(paths, resolved, NULL, &other)) {
            if (GPOINTER_TO_UINT(other) == 0)
                return refuse(error, _("Disk %u is the install source '%s' too. Attach each "
                                       "file once."),
                              n, disk->path);
            return refuse(error, _("Disks %u and %u are the same file '%s'. Attach each file "
                                   "once."),
                          GPOINTER_TO_UINT(other), n, disk->path);
        }
        g_hash_table_insert(paths, g_steal_pointer(&resolved), GUINT_TO_POINTER(n));
    }
    return TRUE;
}

gboolean
svirt_vm_name_validate(const char *name, GError **error)
{
    return check_name(_("VM name"), name, error);
}

gboolean
svirt_vm_spec_validate(const SvirtVmSpec *spec, GError **error)
{
    g_autoptr(GHashTable) paths = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GHashTable) volumes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    g_return_val_if_fail(spec != NULL, FALSE);

    if (!check_name(_("VM name"), spec->name, error))
        return FALSE;
    if (spec->memory_mib < SVIRT_VM_MIN_MEMORY_MIB)
        return refuse(error, _("The VM needs at least %d MiB of memory; %u MiB is too little."),
                      SVIRT_VM_MIN_MEMORY_MIB, spec->memory_mib);
    if (spec->vcpus < 1)
        return refuse(error, _("The VM needs at least one virtual CPU."));

    if (spec->install != SVIRT_INSTALL_NONE) {
        const char *what =
            spec->install == SVIRT_INSTALL_ISO ? _("install ISO image") : _("boot disk image");
        char *resolved = check_existing_path(what, spec->install_path, error);

        if (resolved == NULL)
            return FALSE;
        g_hash_table_insert(paths, resolved, GUINT_TO_POINTER(0));
    }
    for (guint i = 0; i < spec->disks->len; i++) {
        if (!check_disk(spec, i, paths, volumes, error))
            return FALSE;
    }
    if (spec->install == SVIRT_INSTALL_NONE && spec->disks->len == 0)
        return refuse(error, _("The VM has nothing to boot from. Add a disk or an install "
                               "source."));

    if (spec->network && !check_name(_("network name"), spec->network, error))
        return FALSE;
    if (spec->settings && !svirt_settings_validate(spec->settings, error))
        return FALSE;
    return TRUE;
}

/* @preview: new volumes do not exist yet; declare them raw so that nothing tries to read a
 * qcow2 header (a new volume has no backing file anyway). */
static char *
build_xml(const SvirtVmSpec *spec, const char *const *volume_paths, gboolean preview,
          GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    guint n_volumes = volume_paths ? g_strv_length((char **)volume_paths) : 0;
    guint next_volume = 0;
    char letter = 'a';

    if (n_volumes != svirt_vm_spec_count_new_volumes(spec)) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("VM '%s' has %u new volumes but %u volume paths were given."), spec->name,
                    svirt_vm_spec_count_new_volumes(spec), n_volumes);
        return NULL;
    }
    doc = svirt_domain_xml_new(spec->use_kvm ? "kvm" : "qemu", spec->name, spec->memory_mib,
                               spec->vcpus, spec->install == SVIRT_INSTALL_ISO);
    if (spec->install == SVIRT_INSTALL_DISK_IMAGE) {
        SvirtDiskXml boot = { spec->install_path, "disk", "vda", "virtio", "raw",
                              SVIRT_DESIGNATION_PRIVATE };

        svirt_domain_xml_add_disk(doc, &boot);
        letter++;
    }
    for (guint i = 0; i < spec->disks->len; i++) {
        const SvirtDiskSpec *disk = g_ptr_array_index(spec->disks, i);
        char target[] = "vdX";
        SvirtDiskXml xml = { disk->path, "disk", target, "virtio",
                             svirt_volume_format_to_string(disk->format), disk->designation };

        if (letter > 'z') {
            g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_SETTINGS,
                        _("VM '%s' has more disks than virtio names (vda to vdz)."), spec->name);
            return NULL;
        }
        target[2] = letter++;
        if (disk->kind == SVIRT_DISK_SPEC_NEW_VOLUME) {
            xml.path = volume_paths[next_volume++];
            if (preview)
                xml.format = "raw";
        }
        svirt_domain_xml_add_disk(doc, &xml);
    }
    if (spec->install == SVIRT_INSTALL_ISO) {
        SvirtDiskXml cdrom = { spec->install_path, "cdrom", "hdc", "ide", "raw",
                               SVIRT_DESIGNATION_READONLY };

        svirt_domain_xml_add_disk(doc, &cdrom);
    }
    svirt_domain_xml_add_interface(doc, spec->network);
    svirt_domain_xml_add_console(doc);
    return svirt_xml_dump_formatted(doc);
}

char *
svirt_vm_spec_to_xml(const SvirtVmSpec *spec, const char *const *volume_paths, GError **error)
{
    g_return_val_if_fail(spec != NULL, NULL);

    if (!svirt_vm_spec_validate(spec, error))
        return NULL;
    return build_xml(spec, volume_paths, FALSE, error);
}

static GStrv
placeholder_paths(const SvirtVmSpec *spec)
{
    g_autoptr(GStrvBuilder) builder = g_strv_builder_new();

    for (guint i = 0; i < spec->disks->len; i++) {
        const SvirtDiskSpec *disk = g_ptr_array_index(spec->disks, i);
        g_autofree char *volume = svirt_vm_spec_dup_volume_name(spec, i);

        if (disk->kind == SVIRT_DISK_SPEC_NEW_VOLUME) {
            g_autofree char *path = g_strdup_printf("%s/%s", disk->pool, volume);

            g_strv_builder_add(builder, path);
        }
    }
    return g_strv_builder_end(builder);
}

SvirtPlan *
svirt_vm_spec_preview(const SvirtVmSpec *spec, const char *const *volume_paths, GError **error)
{
    g_auto(GStrv) placeholders = NULL;
    g_autofree char *xml = NULL;
    g_autoptr(SvirtPolicyTypes) types = NULL;
    g_autoptr(SvirtSettings) defaults = NULL;
    const SvirtSettings *settings;

    g_return_val_if_fail(spec != NULL, NULL);
    settings = spec->settings;

    if (!svirt_vm_spec_validate(spec, error))
        return NULL;
    if (volume_paths == NULL) {
        placeholders = placeholder_paths(spec);
        volume_paths = (const char *const *)placeholders;
    }
    xml = build_xml(spec, volume_paths, TRUE, error);
    if (xml == NULL || !(types = svirt_policy_types_load(error)))
        return NULL;
    if (settings == NULL)
        settings = defaults = svirt_settings_new();
    return svirt_plan_build(xml, settings, types, SVIRT_PREVIEW_LEVEL, error);
}

static gint
compare_pools(gconstpointer a, gconstpointer b)
{
    const SvirtPoolInfo *pa = *(SvirtPoolInfo *const *)a;
    const SvirtPoolInfo *pb = *(SvirtPoolInfo *const *)b;

    return g_strcmp0(pa->name, pb->name);
}

GPtrArray *
svirt_engine_list_pools(SvirtEngine *engine, GError **error)
{
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, error);
    g_autoptr(GPtrArray) list = NULL;
    virStoragePoolPtr *pools = NULL;
    int n;

    if (conn == NULL)
        return NULL;
    n = virConnectListAllStoragePools(conn, &pools, 0);
    if (n < 0) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT,
                                       _("Check that libvirt's storage driver is installed."),
                                       _("Could not list the storage pools on %s"),
                                       svirt_engine_get_uri(engine));
        return NULL;
    }
    list = g_ptr_array_new_with_free_func((GDestroyNotify)svirt_pool_info_free);
    for (int i = 0; i < n; i++) {
        SvirtPoolInfo *info = g_new0(SvirtPoolInfo, 1);

        info->name = g_strdup(virStoragePoolGetName(pools[i]));
        info->active = virStoragePoolIsActive(pools[i]) == 1;
        info->path = svirt_pool_target_path(pools[i]);
        virResetLastError();
        g_ptr_array_add(list, info);
        virStoragePoolFree(pools[i]);
    }
    free(pools);
    g_ptr_array_sort(list, compare_pools);
    return g_steal_pointer(&list);
}

gboolean
svirt_engine_ensure_default_pool(SvirtEngine *engine, GError **error)
{
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, error);
    g_autoptr(virStoragePool) pool = NULL;
    g_autofree char *xml = NULL;

    if (conn == NULL)
        return FALSE;
    pool = virStoragePoolLookupByName(conn, SVIRT_DEFAULT_POOL);
    if (pool == NULL) {
        if (virGetLastErrorCode() != VIR_ERR_NO_STORAGE_POOL) {
            svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                           _("Could not look up storage pool '%s'"),
                                           SVIRT_DEFAULT_POOL);
            return FALSE;
        }
        virResetLastError();
        xml = svirt_pool_xml_new_dir(SVIRT_DEFAULT_POOL, SVIRT_DEFAULT_POOL_PATH);
        pool = virStoragePoolDefineXML(conn, xml, 0);
        /* Another client may have defined it meanwhile. */
        if (pool == NULL)
            pool = virStoragePoolLookupByName(conn, SVIRT_DEFAULT_POOL);
        if (pool == NULL) {
            svirt_engine_set_libvirt_error(
                error, SVIRT_ERROR_LIBVIRT,
                _("Create a storage pool with virsh pool-define-as, or use an existing file."),
                _("Could not define storage pool '%s' at %s"), SVIRT_DEFAULT_POOL,
                SVIRT_DEFAULT_POOL_PATH);
            return FALSE;
        }
        virResetLastError();
        if (virStoragePoolBuild(pool, 0) < 0 || virStoragePoolSetAutostart(pool, 1) < 0) {
            svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                           _("Could not set up storage pool '%s' at %s"),
                                           SVIRT_DEFAULT_POOL, SVIRT_DEFAULT_POOL_PATH);
            return FALSE;
        }
    }
    if (virStoragePoolIsActive(pool) != 1 && virStoragePoolCreate(pool, 0) < 0 &&
        virStoragePoolIsActive(pool) != 1) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT,
                                       _("Check that its directory exists and is accessible."),
                                       _("Could not start storage pool '%s'"),
                                       SVIRT_DEFAULT_POOL);
        return FALSE;
    }
    virResetLastError();
    return TRUE;
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

GStrv
svirt_engine_list_networks(SvirtEngine *engine, GError **error)
{
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, error);
    g_autoptr(GPtrArray) names = NULL;
    virNetworkPtr *nets = NULL;
    int n;

    if (conn == NULL)
        return NULL;
    n = virConnectListAllNetworks(conn, &nets, VIR_CONNECT_LIST_NETWORKS_ACTIVE);
    if (n < 0) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not list the networks on %s"),
                                       svirt_engine_get_uri(engine));
        return NULL;
    }
    names = g_ptr_array_new();
    for (int i = 0; i < n; i++) {
        g_ptr_array_add(names, g_strdup(virNetworkGetName(nets[i])));
        virNetworkFree(nets[i]);
    }
    free(nets);
    g_ptr_array_sort(names, compare_names);
    g_ptr_array_add(names, NULL);
    return (GStrv)g_ptr_array_free(g_steal_pointer(&names), FALSE);
}

/* Where the pool puts its volumes; a missing "default" pool will be made at the usual place. */
static char *
lookup_pool_path(virConnectPtr conn, const char *name, GError **error)
{
    g_autoptr(virStoragePool) pool = virStoragePoolLookupByName(conn, name);
    char *path;

    if (pool == NULL) {
        if (virGetLastErrorCode() == VIR_ERR_NO_STORAGE_POOL && g_str_equal(name, SVIRT_DEFAULT_POOL)) {
            virResetLastError();
            return g_strdup(SVIRT_DEFAULT_POOL_PATH);
        }
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_NOT_FOUND,
                                       _("Choose one of the pools listed."),
                                       _("Could not find storage pool '%s'"), name);
        return NULL;
    }
    path = svirt_pool_target_path(pool);
    if (path == NULL)
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("Storage pool '%s' has no target directory, so its volumes cannot be "
                      "labelled. Choose a directory pool."),
                    name);
    return path;
}

SvirtPlan *
svirt_engine_preview_vm(SvirtEngine *engine, const SvirtVmSpec *spec, GError **error)
{
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
    g_auto(GStrv) paths = NULL;

    if (!svirt_vm_spec_validate(spec, error))
        return NULL;
    if (svirt_vm_spec_count_new_volumes(spec) > 0) {
        conn = svirt_engine_dup_connection(engine, error);
        if (conn == NULL)
            return NULL;
    }
    for (guint i = 0; i < spec->disks->len; i++) {
        const SvirtDiskSpec *disk = g_ptr_array_index(spec->disks, i);
        g_autofree char *dir = NULL;
        g_autofree char *volume = NULL;
        g_autofree char *path = NULL;

        if (disk->kind != SVIRT_DISK_SPEC_NEW_VOLUME)
            continue;
        dir = lookup_pool_path(conn, disk->pool, error);
        if (dir == NULL)
            return NULL;
        volume = svirt_vm_spec_dup_volume_name(spec, i);
        path = g_build_filename(dir, volume, NULL);
        g_strv_builder_add(builder, path);
    }
    paths = g_strv_builder_end(builder);
    return svirt_vm_spec_preview(spec, (const char *const *)paths, error);
}

typedef struct {
    virConnectPtr conn;
    const SvirtVmSpec *spec;
    GPtrArray *volumes; /* of virStorageVolPtr this creation made */
    virDomainPtr dom;
    SvirtCreateStepFunc step_func;
    gpointer step_data;
    GCancellable *cancellable;
} Creation;

/* Announces @step, then says whether the creation may go on. */
static gboolean
begin_step(Creation *c, SvirtCreateStep step, GError **error)
{
    if (c->step_func)
        c->step_func(step, c->step_data);
    return !g_cancellable_set_error_if_cancelled(c->cancellable, error);
}

static virStorageVolPtr
create_volume(Creation *c, guint index, GError **error)
{
    const SvirtDiskSpec *disk = g_ptr_array_index(c->spec->disks, index);
    g_autofree char *volume = svirt_vm_spec_dup_volume_name(c->spec, index);
    g_autofree char *xml = NULL;
    g_autoptr(virStoragePool) pool = NULL;
    virStorageVolPtr vol;

    pool = virStoragePoolLookupByName(c->conn, disk->pool);
    if (pool == NULL) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_NOT_FOUND,
                                       _("Choose one of the pools listed."),
                                       _("Could not find storage pool '%s' for disk %u"),
                                       disk->pool, index + 1);
        return NULL;
    }
    if (virStoragePoolIsActive(pool) != 1) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("Storage pool '%s' for disk %u is not active. Start it (virsh pool-start "
                      "%s) or choose another pool."),
                    disk->pool, index + 1, disk->pool);
        return NULL;
    }
    xml = svirt_volume_xml_new(volume, disk->size_mib,
                               svirt_volume_format_to_string(disk->format));
    vol = virStorageVolCreateXML(pool, xml, 0);
    if (vol == NULL)
        svirt_engine_set_libvirt_error(
            error, SVIRT_ERROR_LIBVIRT,
            _("Check that the pool has room and no volume of that name."),
            _("Could not create volume '%s' in pool '%s' for disk %u"), volume, disk->pool,
            index + 1);
    return vol;
}

/* Deletes what the creation made; returns what could not be deleted, for the message. */
static char *
roll_back(Creation *c)
{
    g_autoptr(GString) left = g_string_new(NULL);

    if (c->dom) {
        if (virDomainUndefine(c->dom) < 0)
            g_string_append_printf(left, " %s", virDomainGetName(c->dom));
        virDomainFree(c->dom);
        c->dom = NULL;
    }
    for (guint i = 0; i < c->volumes->len; i++) {
        virStorageVolPtr vol = g_ptr_array_index(c->volumes, i);

        if (virStorageVolDelete(vol, 0) < 0) {
            char *path = virStorageVolGetPath(vol);

            g_string_append_printf(left, " %s", path ? path : virStorageVolGetName(vol));
            free(path);
        }
        virStorageVolFree(vol);
    }
    g_ptr_array_set_size(c->volumes, 0);
    virResetLastError();
    return left->len ? g_string_free(g_steal_pointer(&left), FALSE) : NULL;
}

static gboolean
check_name_free(SvirtEngine *engine, virConnectPtr conn, const char *name, GError **error)
{
    g_autoptr(virDomain) dom = virDomainLookupByName(conn, name);

    if (dom) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE,
                    _("A VM named '%s' already exists on %s. Choose another name."), name,
                    svirt_engine_get_uri(engine));
        return FALSE;
    }
    if (virGetLastErrorCode() != VIR_ERR_NO_DOMAIN) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not check whether the name '%s' is free"), name);
        return FALSE;
    }
    virResetLastError();
    return TRUE;
}

static gboolean
check_kvm(virConnectPtr conn, GError **error)
{
    char *caps = virConnectGetDomainCapabilities(conn, NULL, "x86_64", "pc", "kvm", 0);

    if (caps == NULL) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_UNSUPPORTED,
                                       _("Create the VM without KVM acceleration."),
                                       _("KVM is not available on this host"));
        return FALSE;
    }
    free(caps);
    return TRUE;
}

static gboolean
needs_default_pool(const SvirtVmSpec *spec)
{
    for (guint i = 0; i < spec->disks->len; i++) {
        const SvirtDiskSpec *disk = g_ptr_array_index(spec->disks, i);

        if (disk->kind == SVIRT_DISK_SPEC_NEW_VOLUME && g_str_equal(disk->pool, SVIRT_DEFAULT_POOL))
            return TRUE;
    }
    return FALSE;
}

static gboolean
create_steps(SvirtEngine *engine, Creation *c, char **uuid, GError **error)
{
    g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
    g_auto(GStrv) paths = NULL;
    g_autofree char *xml = NULL;
    char uuid_str[VIR_UUID_STRING_BUFLEN];

    if (!begin_step(c, SVIRT_CREATE_STEP_VOLUMES, error))
        return FALSE;
    for (guint i = 0; i < c->spec->disks->len; i++) {
        const SvirtDiskSpec *disk = g_ptr_array_index(c->spec->disks, i);
        virStorageVolPtr vol;
        char *path;

        if (disk->kind != SVIRT_DISK_SPEC_NEW_VOLUME)
            continue;
        if (g_cancellable_set_error_if_cancelled(c->cancellable, error))
            return FALSE;
        vol = create_volume(c, i, error);
        if (vol == NULL)
            return FALSE;
        g_ptr_array_add(c->volumes, vol);
        path = virStorageVolGetPath(vol);
        if (path == NULL) {
            svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                           _("Could not read the path of the new volume of "
                                             "disk %u"),
                                           i + 1);
            return FALSE;
        }
        g_strv_builder_add(builder, path);
        free(path);
    }
    paths = g_strv_builder_end(builder);
    xml = build_xml(c->spec, (const char *const *)paths, FALSE, error);
    if (xml == NULL || !begin_step(c, SVIRT_CREATE_STEP_DEFINE, error))
        return FALSE;
    c->dom = virDomainDefineXML(c->conn, xml);
    if (c->dom == NULL) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not define VM '%s'"), c->spec->name);
        return FALSE;
    }
    if (virDomainGetUUIDString(c->dom, uuid_str) < 0) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not read the UUID of VM '%s'"), c->spec->name);
        return FALSE;
    }
    if (!begin_step(c, SVIRT_CREATE_STEP_SETTINGS, error) ||
        (c->spec->settings &&
         !svirt_engine_set_settings(engine, uuid_str, c->spec->settings, error)) ||
        !begin_step(c, SVIRT_CREATE_STEP_DONE, error))
        return FALSE;
    *uuid = g_strdup(uuid_str);
    return TRUE;
}

char *
svirt_engine_create_vm(SvirtEngine *engine, const SvirtVmSpec *spec, GError **error)
{
    return svirt_engine_create_vm_full(engine, spec, NULL, NULL, NULL, error);
}

char *
svirt_engine_create_vm_full(SvirtEngine *engine, const SvirtVmSpec *spec,
                            SvirtCreateStepFunc step_func, gpointer step_data,
                            GCancellable *cancellable, GError **error)
{
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(GError) local = NULL;
    g_autofree char *left = NULL;
    g_autoptr(GPtrArray) volumes = g_ptr_array_new();
    Creation c = { 0 };
    char *uuid = NULL;

    g_return_val_if_fail(SVIRT_IS_ENGINE(engine), NULL);
    g_return_val_if_fail(spec != NULL, NULL);

    /* The policy sees the settings before anything is created, not after. */
    if (!svirt_vm_spec_validate(spec, error) ||
        (spec->settings && !svirt_engine_check_settings(spec->settings, error)))
        return NULL;
    if (g_cancellable_is_cancelled(cancellable)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                    _("Creating VM '%s' was cancelled. Nothing was left behind."), spec->name);
        return NULL;
    }
    conn = svirt_engine_dup_connection(engine, error);
    if (conn == NULL || (spec->use_kvm && !check_kvm(conn, error)) ||
        !check_name_free(engine, conn, spec->name, error) ||
        (needs_default_pool(spec) && !svirt_engine_ensure_default_pool(engine, error)))
        return NULL;

    c.conn = conn;
    c.spec = spec;
    c.volumes = volumes;
    c.step_func = step_func;
    c.step_data = step_data;
    c.cancellable = cancellable;
    if (create_steps(engine, &c, &uuid, &local)) {
        virDomainFree(c.dom);
        for (guint i = 0; i < volumes->len; i++)
            virStorageVolFree(g_ptr_array_index(volumes, i));
        return uuid;
    }
    left = roll_back(&c);
    if (g_error_matches(local, G_IO_ERROR, G_IO_ERROR_CANCELLED) && left)
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                    _("Creating VM '%s' was cancelled. Could not remove what was already "
                      "made:%s; remove it by hand."),
                    spec->name, left);
    else if (g_error_matches(local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                    _("Creating VM '%s' was cancelled. Nothing was left behind."), spec->name);
    else if (left)
        g_set_error(error, local->domain, local->code,
                    _("Creating VM '%s' failed. %s Could not remove what was already made:%s; "
                      "remove it by hand."),
                    spec->name, local->message, left);
    else
        g_set_error(error, local->domain, local->code,
                    _("Creating VM '%s' failed. %s Nothing was left behind."), spec->name,
                    local->message);
    return NULL;
}

static gboolean
list_pools_call(gpointer source, SvirtTaskArgs *args, gpointer *result,
                GCancellable *cancellable, GError **error)
{
    return (*result = svirt_engine_list_pools(source, error)) != NULL;
}

void
svirt_engine_list_pools_async(SvirtEngine *engine, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
    svirt_task_run(engine, svirt_engine_list_pools_async, list_pools_call,
                   svirt_task_args_new(NULL), (GDestroyNotify)g_ptr_array_unref,
                   SVIRT_TASK_CANCEL_DROPS, cancellable, callback, user_data);
}

GPtrArray *
svirt_engine_list_pools_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_pointer(engine, svirt_engine_list_pools_async, result, error);
}

static gboolean
list_networks_call(gpointer source, SvirtTaskArgs *args, gpointer *result,
                   GCancellable *cancellable, GError **error)
{
    return (*result = svirt_engine_list_networks(source, error)) != NULL;
}

void
svirt_engine_list_networks_async(SvirtEngine *engine, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
    svirt_task_run(engine, svirt_engine_list_networks_async, list_networks_call,
                   svirt_task_args_new(NULL), (GDestroyNotify)g_strfreev, SVIRT_TASK_CANCEL_DROPS,
                   cancellable, callback, user_data);
}

GStrv
svirt_engine_list_networks_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_pointer(engine, svirt_engine_list_networks_async, result, error);
}

static SvirtTaskArgs *
spec_args(const SvirtVmSpec *spec)
{
    SvirtTaskArgs *args = svirt_task_args_new(NULL);

    args->boxed = svirt_vm_spec_copy(spec);
    args->boxed_free = (GDestroyNotify)svirt_vm_spec_free;
    return args;
}

static gboolean
preview_call(gpointer source, SvirtTaskArgs *args, gpointer *result, GCancellable *cancellable,
             GError **error)
{
    return (*result = svirt_engine_preview_vm(source, args->boxed, error)) != NULL;
}

void
svirt_engine_preview_vm_async(SvirtEngine *engine, const SvirtVmSpec *spec,
                              GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data)
{
    svirt_task_run(engine, svirt_engine_preview_vm_async, preview_call, spec_args(spec),
                   (GDestroyNotify)svirt_plan_free, SVIRT_TASK_CANCEL_DROPS, cancellable, callback,
                   user_data);
}

SvirtPlan *
svirt_engine_preview_vm_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_pointer(engine, svirt_engine_preview_vm_async, result, error);
}

/* The worker decides: a VM it returns exists even when the cancel came just after. */
static gboolean
create_call(gpointer source, SvirtTaskArgs *args, gpointer *result, GCancellable *cancellable,
            GError **error)
{
    *result = svirt_engine_create_vm_full(source, args->boxed, NULL, NULL, cancellable, error);
    return *result != NULL;
}

void
svirt_engine_create_vm_async(SvirtEngine *engine, const SvirtVmSpec *spec,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
    svirt_task_run(engine, svirt_engine_create_vm_async, create_call, spec_args(spec), g_free,
                   SVIRT_TASK_CANCEL_REPORTS, cancellable, callback, user_data);
}

char *
svirt_engine_create_vm_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_pointer(engine, svirt_engine_create_vm_async, result, error);
}

gboolean
svirt_engine_check_vm_name(SvirtEngine *engine, const char *name, GError **error)
{
    g_autoptr(virConnect) conn = NULL;

    g_return_val_if_fail(SVIRT_IS_ENGINE(engine), FALSE);

    if (!svirt_vm_name_validate(name, error))
        return FALSE;
    conn = svirt_engine_dup_connection(engine, error);
    return conn && check_name_free(engine, conn, name, error);
}

static gboolean
check_name_call(gpointer source, SvirtTaskArgs *args, gpointer *result,
                GCancellable *cancellable, GError **error)
{
    return svirt_engine_check_vm_name(source, args->vm, error);
}

void
svirt_engine_check_vm_name_async(SvirtEngine *engine, const char *name,
                                 GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data)
{
    svirt_task_run(engine, svirt_engine_check_vm_name_async, check_name_call,
                   svirt_task_args_new(name), NULL, SVIRT_TASK_CANCEL_DROPS, cancellable, callback,
                   user_data);
}

gboolean
svirt_engine_check_vm_name_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_boolean(engine, svirt_engine_check_vm_name_async, result, error);
}

void
svirt_path_user_free(SvirtPathUser *user)
{
    if (user == NULL)
        return;
    g_free(user->name);
    g_free(user->uuid);
    g_free(user);
}

static int
compare_users(gconstpointer a, gconstpointer b)
{
    const SvirtPathUser *ua = *(SvirtPathUser *const *)a;
    const SvirtPathUser *ub = *(SvirtPathUser *const *)b;

    return g_strcmp0(ua->name, ub->name);
}

gboolean
svirt_foreach_vm_file(virConnectPtr conn, SvirtVmFileFunc func, gpointer user_data)
{
    g_autoptr(SvirtPolicyTypes) types = svirt_policy_types_new_builtin();
    g_autoptr(SvirtSettings) settings = svirt_settings_new();
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(conn, &doms, 0);

    if (n < 0)
        return FALSE;
    for (int i = 0; i < n; i++) {
        char uuid[VIR_UUID_STRING_BUFLEN];
        g_autoptr(VirString) xml = NULL;
        g_autoptr(SvirtPlan) plan = NULL;

        if (virDomainGetUUIDString(doms[i], uuid) == 0)
            xml = virDomainGetXMLDesc(doms[i], VIR_DOMAIN_XML_INACTIVE);
        if (xml)
            plan = svirt_plan_build(xml, settings, types, SVIRT_PREVIEW_LEVEL, NULL);
        for (guint j = 0; plan && j < plan->items->len; j++) {
            SvirtPlanItem *item = g_ptr_array_index(plan->items, j);
            g_autofree char *resolved = svirt_labeler_resolve_path(item->path);

            func(doms[i], uuid, item, resolved ? resolved : item->path, user_data);
        }
        virDomainFree(doms[i]);
    }
    free(doms);
    virResetLastError();
    return TRUE;
}

typedef struct {
    const char *wanted;
    GPtrArray *users;
} PathUsers;

static void
add_path_user(virDomainPtr dom, const char *uuid, const SvirtPlanItem *item,
              const char *resolved, gpointer user_data)
{
    PathUsers *found = user_data;
    SvirtPathUser *last = found->users->len
                              ? g_ptr_array_index(found->users, found->users->len - 1)
                              : NULL;
    SvirtPathUser *user;

    /* A VM counts once, with the first use of the path in its plan. */
    if (!g_str_equal(resolved, found->wanted) || (last && g_str_equal(last->uuid, uuid)))
        return;
    user = g_new0(SvirtPathUser, 1);
    user->name = g_strdup(virDomainGetName(dom));
    user->uuid = g_strdup(uuid);
    user->designation = item->designation;
    g_ptr_array_add(found->users, user);
}

GPtrArray *
svirt_engine_list_path_users(SvirtEngine *engine, const char *path, GError **error)
{
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(GPtrArray) users = NULL;
    g_autofree char *wanted = NULL;
    PathUsers found;

    g_return_val_if_fail(SVIRT_IS_ENGINE(engine), NULL);
    g_return_val_if_fail(path != NULL, NULL);

    conn = svirt_engine_dup_connection(engine, error);
    if (conn == NULL)
        return NULL;
    wanted = svirt_labeler_resolve_path(path);
    if (wanted == NULL)
        wanted = g_strdup(path);
    users = g_ptr_array_new_with_free_func((GDestroyNotify)svirt_path_user_free);
    found = (PathUsers){ wanted, users };
    if (!svirt_foreach_vm_file(conn, add_path_user, &found)) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not list the VMs that use %s"), path);
        return NULL;
    }
    g_ptr_array_sort(users, compare_users);
    return g_steal_pointer(&users);
}

static gboolean
path_users_call(gpointer source, SvirtTaskArgs *args, gpointer *result,
                GCancellable *cancellable, GError **error)
{
    return (*result = svirt_engine_list_path_users(source, args->text, error)) != NULL;
}

void
svirt_engine_list_path_users_async(SvirtEngine *engine, const char *path,
                                   GCancellable *cancellable, GAsyncReadyCallback callback,
                                   gpointer user_data)
{
    SvirtTaskArgs *args = svirt_task_args_new(NULL);

    args->text = g_strdup(path);
    svirt_task_run(engine, svirt_engine_list_path_users_async, path_users_call, args,
                   (GDestroyNotify)g_ptr_array_unref, SVIRT_TASK_CANCEL_DROPS, cancellable,
                   callback, user_data);
}

GPtrArray *
svirt_engine_list_path_users_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_pointer(engine, svirt_engine_list_path_users_async, result, error);
}

/* "'a'", "'a' and 'b'", "'a', 'b' and 'c'" for the VMs in @users that @clashes selects. */
static char *
join_names(GPtrArray *users, gboolean (*clashes)(SvirtDesignation), guint *count)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GString) text = g_string_new(NULL);

    for (guint i = 0; i < users->len; i++) {
        SvirtPathUser *user = g_ptr_array_index(users, i);

        if (clashes(user->designation))
            g_ptr_array_add(names, g_strdup_printf("'%s'", user->name));
    }
    *count = names->len;
    for (guint i = 0; i < names->len; i++) {
        if (i > 0)
            /* TRANSLATORS: separators in a list of VM names: "'a', 'b' and 'c'" */
            g_string_append(text, i + 1 == names->len ? _(" and ") : _(", "));
        g_string_append(text, g_ptr_array_index(names, i));
    }
    return g_string_free(g_steal_pointer(&text), FALSE);
}

static gboolean
any_use(SvirtDesignation designation)
{
    return designation != SVIRT_DESIGNATION_SKIPPED;
}

static gboolean
private_use(SvirtDesignation designation)
{
    return designation == SVIRT_DESIGNATION_PRIVATE;
}

static gboolean
writing_use(SvirtDesignation designation)
{
    return designation == SVIRT_DESIGNATION_PRIVATE || designation == SVIRT_DESIGNATION_SHARED;
}

char *
svirt_disk_spec_describe_clash(const SvirtDiskSpec *disk, GPtrArray *users)
{
    g_autofree char *names = NULL;
    guint count = 0;

    g_return_val_if_fail(disk != NULL, NULL);

    if (disk->kind != SVIRT_DISK_SPEC_EXISTING || users == NULL)
        return NULL;
    switch (disk->designation) {
    case SVIRT_DESIGNATION_PRIVATE:
        names = join_names(users, any_use, &count);
        if (count == 0)
            return NULL;
        return g_strdup_printf(
            g_dngettext(GETTEXT_PACKAGE,
                        "VM %s also uses %s. As a private disk it gets this VM's own label "
                        "at each start, and VM %s can no longer open it while this VM runs. "
                        "Choose Shared or Read-only, or use another file.",
                        "VMs %s also use %s. As a private disk it gets this VM's own label at "
                        "each start, and VMs %s can no longer open it while this VM runs. "
                        "Choose Shared or Read-only, or use another file.",
                        count),
            names, disk->path, names);
    case SVIRT_DESIGNATION_SHARED:
        names = join_names(users, private_use, &count);
        if (count == 0)
            return NULL;
        return g_strdup_printf(
            g_dngettext(GETTEXT_PACKAGE,
                        "VM %s uses %s as its private disk, so the two VMs take the file's "
                        "label from each other at every start. Make it Shared in VM %s too, "
                        "or use another file.",
                        "VMs %s use %s as a private disk, so the VMs take the file's label "
                        "from each other at every start. Make it Shared in VMs %s too, or "
                        "use another file.",
                        count),
            names, disk->path, names);
    case SVIRT_DESIGNATION_READONLY:
    case SVIRT_DESIGNATION_CONTENT:
        names = join_names(users, writing_use, &count);
        if (count == 0)
            return NULL;
        return g_strdup_printf(
            g_dngettext(GETTEXT_PACKAGE,
                        "VM %s writes %s, so this VM may read it while it changes.",
                        "VMs %s write %s, so this VM may read it while it changes.", count),
            names, disk->path);
    case SVIRT_DESIGNATION_SKIPPED:
    default:
        return NULL;
    }
}
