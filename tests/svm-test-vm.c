#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* statx */
#endif
#include "config.h"

#include <glib/gstdio.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "svm-test-vm.h"

/* 16-bit real mode, loaded at 0x7c00: print the marker on COM1 (0x3f8), then echo what
 * arrives on it. Between checks of the line status register (0x3fd) it halts until the next
 * timer interrupt, so an idle guest costs the host almost nothing. */
static const guint8 boot_code[] = {
    0xFB,                   /* sti */
    0xFC,                   /* cld */
    0x31, 0xC0,             /* xor ax, ax */
    0x8E, 0xD8,             /* mov ds, ax */
    0xBA, 0xF8, 0x03,       /* mov dx, 0x3f8 */
    0xBE, 0x26, 0x7C,       /* mov si, 0x7c26 (the message below) */
    0xAC,                   /* print: lodsb */
    0x84, 0xC0,             /* test al, al */
    0x74, 0x03,             /* jz echo */
    0xEE,                   /* out dx, al */
    0xEB, 0xF8,             /* jmp print */
    0xBA, 0xFD, 0x03,       /* echo: mov dx, 0x3fd */
    0xEC,                   /* wait: in al, dx */
    0xA8, 0x01,             /* test al, 1 (data ready) */
    0x75, 0x03,             /* jnz got */
    0xF4,                   /* hlt */
    0xEB, 0xF8,             /* jmp wait */
    0xBA, 0xF8, 0x03,       /* got: mov dx, 0x3f8 */
    0xEC,                   /* in al, dx */
    0xEE,                   /* out dx, al */
    0xEB, 0xEE,             /* jmp echo */
};

void
svm_test_write_boot_image(const char *path)
{
    g_autofree guint8 *image = g_malloc0(1024 * 1024);
    const char marker[] = SVM_TEST_BOOT_MARKER "\r\n";
    g_autoptr(GError) error = NULL;

    G_STATIC_ASSERT(sizeof(boot_code) == 0x26);
    memcpy(image, boot_code, sizeof(boot_code));
    memcpy(image + sizeof(boot_code), marker, sizeof(marker));
    image[510] = 0x55;
    image[511] = 0xAA;
    g_assert_true(g_file_set_contents(path, (const char *)image, 1024 * 1024, &error));
    g_assert_no_error(error);
}

/* 16-bit real mode at 0x7c00: the 80x25 colour text mode (int 10h), the marker at the top left
 * of the screen (text memory at 0xb8000) in bright white on blue and on COM1, then each key
 * the BIOS reads (int 16h, which halts while it waits) from the second row on and on COM1. */
static const guint8 display_boot_code[] = {
    0xFA,                   /* cli */
    0x31, 0xC0,             /* xor ax, ax */
    0x8E, 0xD8,             /* mov ds, ax */
    0x8E, 0xD0,             /* mov ss, ax */
    0xBC, 0x00, 0x7C,       /* mov sp, 0x7c00 */
    0xFB,                   /* sti */
    0xFC,                   /* cld */
    0xB8, 0x03, 0x00,       /* mov ax, 0x0003 (text mode 3; clears the screen) */
    0xCD, 0x10,             /* int 0x10 */
    0xB8, 0x00, 0xB8,       /* mov ax, 0xb800 */
    0x8E, 0xC0,             /* mov es, ax */
    0x31, 0xFF,             /* xor di, di (row 0, column 0) */
    0xBE, 0x4C, 0x7C,       /* mov si, 0x7c4c (the marker below) */
    0xB4, 0x1F,             /* mov ah, 0x1f (bright white on blue) */
    0xBA, 0xF8, 0x03,       /* mov dx, 0x3f8 */
    0xAC,                   /* print: lodsb */
    0x84, 0xC0,             /* test al, al */
    0x74, 0x04,             /* jz keys */
    0xAB,                   /* stosw (character and attribute) */
    0xEE,                   /* out dx, al */
    0xEB, 0xF7,             /* jmp print */
    0xB0, 0x0D,             /* keys: mov al, 13 */
    0xEE,                   /* out dx, al */
    0xB0, 0x0A,             /* mov al, 10 */
    0xEE,                   /* out dx, al */
    0xBF, 0xA0, 0x00,       /* mov di, 160 (row 1) */
    0x30, 0xE4,             /* key: xor ah, ah */
    0xCD, 0x16,             /* int 0x16 (wait for a key: al = character) */
    0x84, 0xC0,             /* test al, al */
    0x74, 0xF8,             /* jz key (no character: arrows, function keys) */
    0xB4, 0x1F,             /* mov ah, 0x1f */
    0xAB,                   /* stosw */
    0x81, 0xFF, 0xA0, 0x0F, /* cmp di, 4000 (end of the screen) */
    0x72, 0x03,             /* jb echo */
    0xBF, 0xA0, 0x00,       /* mov di, 160 */
    0xBA, 0xF8, 0x03,       /* echo: mov dx, 0x3f8 */
    0xEE,                   /* out dx, al */
    0xEB, 0xE6,             /* jmp key */
};

void
svm_test_write_display_boot_image(const char *path)
{
    g_autofree guint8 *image = g_malloc0(1024 * 1024);
    const char marker[] = SVM_TEST_DISPLAY_MARKER;
    g_autoptr(GError) error = NULL;

    G_STATIC_ASSERT(sizeof(display_boot_code) == 0x4C);
    memcpy(image, display_boot_code, sizeof(display_boot_code));
    memcpy(image + sizeof(display_boot_code), marker, sizeof(marker));
    image[510] = 0x55;
    image[511] = 0xAA;
    g_assert_true(g_file_set_contents(path, (const char *)image, 1024 * 1024, &error));
    g_assert_no_error(error);
}

/* ISO 9660 sectors are 2048 bytes; the boot image is loaded in 512-byte units. */
#define ISO_SECTOR 2048
#define ISO_PVD 16
#define ISO_BOOT_RECORD 17
#define ISO_TERMINATOR 18
#define ISO_CATALOG 19
#define ISO_PATH_TABLE_L 20
#define ISO_PATH_TABLE_M 21
#define ISO_ROOT 22
#define ISO_BOOT_IMAGE 23
#define ISO_SECTORS 32

static void
put_le16(guint8 *p, guint16 v)
{
    p[0] = v & 0xff;
    p[1] = v >> 8;
}

static void
put_be16(guint8 *p, guint16 v)
{
    p[0] = v >> 8;
    p[1] = v & 0xff;
}

static void
put_le32(guint8 *p, guint32 v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (v >> (8 * i)) & 0xff;
}

static void
put_be32(guint8 *p, guint32 v)
{
    for (int i = 0; i < 4; i++)
        p[3 - i] = (v >> (8 * i)) & 0xff;
}

/* Both byte orders, as ISO 9660 stores most numbers. */
static void
put_both16(guint8 *p, guint16 v)
{
    put_le16(p, v);
    put_be16(p + 2, v);
}

static void
put_both32(guint8 *p, guint32 v)
{
    put_le32(p, v);
    put_be32(p + 4, v);
}

static void
put_text(guint8 *p, gsize size, const char *text)
{
    memset(p, ' ', size);
    memcpy(p, text, MIN(strlen(text), size));
}

/* A directory record of the root directory: "." (@name 0) or ".." (@name 1). */
static void
put_root_record(guint8 *p, guint8 name)
{
    p[0] = 34;
    put_both32(p + 2, ISO_ROOT);
    put_both32(p + 10, ISO_SECTOR);
    p[18] = 126; /* recorded in 2026 */
    p[19] = 1;
    p[20] = 1;
    p[25] = 0x02; /* a directory */
    put_both16(p + 28, 1);
    p[32] = 1;
    p[33] = name;
}

void
svm_test_write_display_iso(const char *path)
{
    g_autofree guint8 *iso = g_malloc0(ISO_SECTORS * ISO_SECTOR);
    g_autofree char *boot_path = g_strconcat(path, ".boot", NULL);
    g_autofree char *boot = NULL;
    g_autoptr(GError) error = NULL;
    guint8 *pvd = iso + ISO_PVD * ISO_SECTOR;
    guint8 *record = iso + ISO_BOOT_RECORD * ISO_SECTOR;
    guint8 *end = iso + ISO_TERMINATOR * ISO_SECTOR;
    guint8 *catalog = iso + ISO_CATALOG * ISO_SECTOR;
    guint8 *root = iso + ISO_ROOT * ISO_SECTOR;
    guint16 sum = 0;
    gsize boot_size = 0;

    /* The primary volume descriptor: one root directory, no files. */
    pvd[0] = 1;
    memcpy(pvd + 1, "CD001", 5);
    pvd[6] = 1;
    put_text(pvd + 8, 32, "");
    put_text(pvd + 40, 32, "SVM_TEST_DISPLAY");
    put_both32(pvd + 80, ISO_SECTORS);
    put_both16(pvd + 120, 1);
    put_both16(pvd + 124, 1);
    put_both16(pvd + 128, ISO_SECTOR);
    put_both32(pvd + 132, 10);
    put_le32(pvd + 140, ISO_PATH_TABLE_L);
    put_be32(pvd + 148, ISO_PATH_TABLE_M);
    put_root_record(pvd + 156, 0);
    put_text(pvd + 190, 623, "");
    for (int i = 0; i < 4; i++) /* no creation, modification, expiry or effective date */
        memset(pvd + 813 + 17 * i, '0', 16);
    pvd[881] = 1;

    /* The path tables, each with the root alone. */
    iso[ISO_PATH_TABLE_L * ISO_SECTOR] = 1;
    put_le32(iso + ISO_PATH_TABLE_L * ISO_SECTOR + 2, ISO_ROOT);
    put_le16(iso + ISO_PATH_TABLE_L * ISO_SECTOR + 6, 1);
    iso[ISO_PATH_TABLE_M * ISO_SECTOR] = 1;
    put_be32(iso + ISO_PATH_TABLE_M * ISO_SECTOR + 2, ISO_ROOT);
    put_be16(iso + ISO_PATH_TABLE_M * ISO_SECTOR + 6, 1);
    put_root_record(root, 0);
    put_root_record(root + 34, 1);

    /* El Torito: the boot record points at the catalog. */
    memcpy(record + 1, "CD001", 5);
    record[6] = 1;
    memcpy(record + 7, "EL TORITO SPECIFICATION", 23);
    put_le32(record + 0x47, ISO_CATALOG);
    end[0] = 255;
    memcpy(end + 1, "CD001", 5);
    end[6] = 1;

    /* The catalog: a validation entry for x86, whose 16-bit words sum to 0, and the default
     * entry: bootable, no emulation, loaded at 0x7c00 (segment 0 means the default), four
     * 512-byte sectors from the boot image's sector. */
    catalog[0] = 1;
    catalog[30] = 0x55;
    catalog[31] = 0xAA;
    for (int i = 0; i < 32; i += 2)
        sum += catalog[i] | (catalog[i + 1] << 8);
    put_le16(catalog + 28, (guint16)(0x10000 - sum));
    catalog[32] = 0x88;
    put_le16(catalog + 32 + 6, 4);
    put_le32(catalog + 32 + 8, ISO_BOOT_IMAGE);

    /* The boot sector is the display boot image's first sector. */
    svm_test_write_display_boot_image(boot_path);
    g_assert_true(g_file_get_contents(boot_path, &boot, &boot_size, &error));
    g_assert_no_error(error);
    g_unlink(boot_path);
    g_assert_cmpuint(boot_size, >=, ISO_SECTOR);
    memcpy(iso + ISO_BOOT_IMAGE * ISO_SECTOR, boot, ISO_SECTOR);

    g_assert_true(g_file_set_contents(path, (const char *)iso, ISO_SECTORS * ISO_SECTOR, &error));
    g_assert_no_error(error);
}

void
svm_test_write_blank_image(const char *path, gsize size)
{
    g_autofree char *zeros = g_malloc0(size);
    g_autoptr(GError) error = NULL;

    g_assert_true(g_file_set_contents(path, zeros, size, &error));
    g_assert_no_error(error);
}

GPid
svm_test_owner(void)
{
    const char *owner = g_getenv(SVM_TEST_OWNER_ENV);
    gint64 pid = owner ? g_ascii_strtoll(owner, NULL, 10) : 0;

    return pid > 0 ? (GPid)pid : (GPid)getpid();
}

char *
svm_test_vm_name(const char *stem)
{
    g_assert_true(g_str_has_prefix(stem, "svm-test-"));
    return g_strdup_printf("%s-%d", stem, (int)svm_test_owner());
}

/* "@parent/@prefix-<owner>-XXXXXX", private to this user. */
static char *
make_owned_dir(const char *parent, const char *prefix)
{
    g_autofree char *name = NULL;
    char *dir;

    /* The sweep finds only "svm-…" names. */
    g_assert_true(g_str_has_prefix(prefix, "svm-"));
    name = g_strdup_printf("%s-%d-XXXXXX", prefix, (int)svm_test_owner());
    dir = g_build_filename(parent, name, NULL);
    if (!g_mkdtemp(dir))
        g_error("Could not make a directory %s: %s", dir, g_strerror(errno));
    return dir;
}

char *
svm_test_make_dir(const char *prefix)
{
    return make_owned_dir(g_get_tmp_dir(), prefix);
}

char *
svm_test_make_host_dir(const char *prefix)
{
    return make_owned_dir(SVM_TEST_HOST_DIR_ROOT, prefix);
}

char *
svm_test_make_vm_dir(const char *prefix)
{
    char *dir = svm_test_make_dir(prefix);

    /* QEMU runs as another user and must reach the images. */
    g_assert_cmpint(g_chmod(dir, 0755), ==, 0);
    return dir;
}

static gboolean
is_mount_root(const char *dir)
{
    struct statx stx;

    return statx(AT_FDCWD, dir, AT_SYMLINK_NOFOLLOW, 0, &stx) == 0 &&
           (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
           (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

void
svm_test_rmdir(const char *dir)
{
    g_autoptr(GDir) d = NULL;
    const char *name;

    /* A test that died with a bind mount in its directory must not have the mounted files
     * removed through it: the mount goes first, and what stays mounted stays whole. */
    if (is_mount_root(dir) && (umount2(dir, MNT_DETACH) < 0 || is_mount_root(dir))) {
        g_message("Leaving %s, which is still mounted", dir);
        return;
    }
    d = g_dir_open(dir, 0, NULL);

    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, name, NULL);

        if (g_file_test(path, G_FILE_TEST_IS_DIR) && !g_file_test(path, G_FILE_TEST_IS_SYMLINK))
            svm_test_rmdir(path);
        else
            g_unlink(path);
    }
    g_rmdir(dir);
}

void
svm_test_remove_domain(virConnectPtr conn, const char *vm)
{
    virDomainPtr dom = virDomainLookupByUUIDString(conn, vm);

    if (!dom)
        dom = virDomainLookupByName(conn, vm);
    if (dom) {
        if (virDomainIsActive(dom) == 1)
            virDomainDestroy(dom);
        virDomainUndefine(dom);
        virDomainFree(dom);
    }
    virResetLastError();
}

gboolean
svm_test_domain_exists(virConnectPtr conn, const char *vm)
{
    virDomainPtr dom = virDomainLookupByUUIDString(conn, vm);

    if (!dom)
        dom = virDomainLookupByName(conn, vm);
    virResetLastError();
    if (!dom)
        return FALSE;
    virDomainFree(dom);
    return TRUE;
}

gboolean
svm_test_volume_exists(virConnectPtr conn, const char *pool, const char *volume)
{
    virStoragePoolPtr p = virStoragePoolLookupByName(conn, pool);
    virStorageVolPtr vol;

    if (!p) {
        virResetLastError();
        return FALSE;
    }
    virStoragePoolRefresh(p, 0);
    vol = virStorageVolLookupByName(p, volume);
    virResetLastError();
    virStoragePoolFree(p);
    if (!vol)
        return FALSE;
    virStorageVolFree(vol);
    return TRUE;
}

char *
svm_test_disk_xml(const char *path, const char *target, const char *extra)
{
    return g_strdup_printf("<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                           "<source file='%s'/><target dev='%s' bus='virtio'/>%s</disk>",
                           path, target, extra);
}

char *
svm_test_domain_xml(const char *name, const char *boot, const char *devices)
{
    return g_strdup_printf(
        "<domain type='qemu'><name>%s</name><memory unit='MiB'>16</memory><vcpu>1</vcpu>"
        "<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>"
        "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
        "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
        "<source file='%s'/><target dev='hda' bus='ide'/></disk>%s</devices></domain>",
        name, boot, devices);
}

virDomainPtr
svm_test_define_test_vm(virConnectPtr conn, const char *name, const char *devices)
{
    g_autofree char *xml = g_strdup_printf("<domain type='test'><name>%s</name>"
                                           "<memory>65536</memory><os><type>hvm</type></os>"
                                           "<devices>%s</devices></domain>",
                                           name, devices);

    return virDomainDefineXML(conn, xml);
}

/* The disks and serial port after the boot disk; makes the images @flags ask for. */
static char *
vm_devices(SvmTestVm *vm, SvmTestVmFlags flags)
{
    GString *devices = g_string_new(NULL);
    g_autofree char *serial = NULL;

    g_assert_true(!(vm->shared && (flags & SVM_TEST_VM_DATA) && (flags & SVM_TEST_VM_READONLY)));
    if (vm->shared) {
        g_autofree char *disk = svm_test_disk_xml(vm->shared, "vdb", "<shareable/>");

        g_string_append(devices, disk);
    }
    if (flags & SVM_TEST_VM_DATA) {
        g_autofree char *disk = NULL;

        vm->data = g_build_filename(vm->dir, "data.img", NULL);
        svm_test_write_blank_image(vm->data, 65536);
        disk = svm_test_disk_xml(vm->data, vm->shared ? "vdc" : "vdb", "");
        g_string_append(devices, disk);
    }
    if (flags & SVM_TEST_VM_READONLY) {
        g_autofree char *disk = NULL;

        vm->readonly = g_build_filename(vm->dir, "readonly.img", NULL);
        svm_test_write_blank_image(vm->readonly, 65536);
        disk = svm_test_disk_xml(vm->readonly, "vdc", "<readonly/>");
        g_string_append(devices, disk);
    }
    if (flags & SVM_TEST_VM_DISPLAY)
        g_string_append(devices, SVM_TEST_DISPLAY_DEVICES);
    if (flags & SVM_TEST_VM_PTY_CONSOLE) {
        g_string_append(devices, SVM_TEST_PTY_CONSOLE);
    } else {
        vm->serial = g_build_filename(vm->dir, "serial.log", NULL);
        g_string_append_printf(devices, "<serial type='file'><source path='%s'/></serial>",
                               vm->serial);
    }
    return g_string_free(devices, FALSE);
}

gboolean
svm_test_vm_try_define(virConnectPtr conn, SvmTestVm *vm, const char *stem, const char *shared,
                       SvmTestVmFlags flags)
{
    g_autofree char *prefix = NULL;
    g_autofree char *devices = NULL;
    g_autofree char *xml = NULL;
    virDomainPtr dom;
    char uuid[VIR_UUID_STRING_BUFLEN];

    g_assert_true(g_str_has_prefix(stem, "svm-test-"));
    memset(vm, 0, sizeof(*vm));
    prefix = g_strconcat("svm-", stem + strlen("svm-test-"), NULL);
    vm->dir = svm_test_make_vm_dir(prefix);
    vm->name = svm_test_vm_name(stem);
    vm->boot = g_build_filename(vm->dir, "boot.img", NULL);
    vm->shared = g_strdup(shared);
    if (flags & SVM_TEST_VM_DISPLAY)
        svm_test_write_display_boot_image(vm->boot);
    else
        svm_test_write_boot_image(vm->boot);
    devices = vm_devices(vm, flags);
    xml = svm_test_domain_xml(vm->name, vm->boot, devices);
    dom = virDomainDefineXML(conn, xml);
    if (!dom) {
        g_test_message("Could not define %s: %s", vm->name, virGetLastErrorMessage());
        return FALSE;
    }
    virDomainGetUUIDString(dom, uuid);
    vm->uuid = g_strdup(uuid);
    virDomainFree(dom);
    return TRUE;
}

void
svm_test_vm_define(virConnectPtr conn, SvmTestVm *vm, const char *stem, const char *shared,
                   SvmTestVmFlags flags)
{
    if (!svm_test_vm_try_define(conn, vm, stem, shared, flags))
        g_error("Could not define %s: %s", vm->name, virGetLastErrorMessage());
}

void
svm_test_vm_undefine(virConnectPtr conn, SvmTestVm *vm)
{
    if (vm->uuid)
        svm_test_remove_domain(conn, vm->uuid);
    if (vm->dir)
        svm_test_rmdir(vm->dir);
    g_free(vm->dir);
    g_free(vm->name);
    g_free(vm->uuid);
    g_free(vm->boot);
    g_free(vm->shared);
    g_free(vm->data);
    g_free(vm->readonly);
    g_free(vm->serial);
    memset(vm, 0, sizeof(*vm));
}
