#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <sys/stat.h>

#include "svirt-create.h"
#include "svirt-domain-xml.h"
#include "svirt-labeler.h"
#include "svirt-policy.h"
#include "svirt-private.h"

G_DEFINE_BOXED_TYPE(SvirtDiskSpec, svirt_disk_spec, svirt_disk_spec_copy, svirt_disk_spec_free)
G_DEFINE_BOXED_TYPE(SvirtVmSpec, svirt_vm_spec, svirt_vm_spec_copy, svirt_vm_spec_free)

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
    spec->display = SVIRT_DISPLAY_VNC;
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
    copy->display = spec->display;
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
    /* What an administrator may allow for one disk is refused at the first start, whose message
     * names the disk to allow; the host's own places are refused now. */
    if (!svirt_labeler_check_location_for(resolved,
                                          S_ISBLK(st.st_mode) ? SVIRT_LABEL_TARGET_BLOCK
                                                              : SVIRT_LABEL_TARGET_FILE,
                                          &svirt_label_for_new_disk, error))
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

    if (spec->display != SVIRT_DISPLAY_VNC && spec->display != SVIRT_DISPLAY_SPICE &&
        spec->display != SVIRT_DISPLAY_NONE)
        return refuse(error, _("The VM's display must be VNC, SPICE or none."));
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
    if (spec->display != SVIRT_DISPLAY_NONE)
        svirt_domain_xml_add_display(doc, spec->display);
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

/* Where the new volumes will be, for a plan shown before they are created. */
static GStrv
preview_volume_paths(const SvirtVmSpec *spec)
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
    g_auto(GStrv) preview_paths = NULL;
    g_autofree char *xml = NULL;
    g_autoptr(SvirtPolicyTypes) types = NULL;
    g_autoptr(SvirtSettings) defaults = NULL;
    const SvirtSettings *settings;

    g_return_val_if_fail(spec != NULL, NULL);
    settings = spec->settings;

    if (!svirt_vm_spec_validate(spec, error))
        return NULL;
    if (volume_paths == NULL) {
        preview_paths = preview_volume_paths(spec);
        volume_paths = (const char *const *)preview_paths;
    }
    xml = build_xml(spec, volume_paths, TRUE, error);
    if (xml == NULL || !(types = svirt_policy_types_load(error)))
        return NULL;
    if (settings == NULL)
        settings = defaults = svirt_settings_new();
    return svirt_plan_build(xml, settings, types, SVIRT_PREVIEW_LEVEL, error);
}
