#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
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

char *
svm_test_make_vm_dir(const char *prefix)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *tmpl = g_strdup_printf("%s-%d-XXXXXX", prefix, (int)svm_test_owner());
    char *dir = g_dir_make_tmp(tmpl, &error);

    g_assert_no_error(error);
    /* QEMU runs as another user and must reach the images. */
    g_assert_cmpint(g_chmod(dir, 0755), ==, 0);
    return dir;
}

void
svm_test_rmdir(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

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
