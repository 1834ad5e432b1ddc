#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>

G_BEGIN_DECLS

/* The marker the generated boot sector writes to the first serial port. It then echoes every
 * byte it receives on that port. */
#define SVM_TEST_BOOT_MARKER "SVIRT-BOOT-OK"

/* The process that owns what this test makes on the host: the test binary meson started (its
 * g_test_trap_subprocess() children inherit it through SVM_TEST_OWNER_ENV). */
#define SVM_TEST_OWNER_ENV "SVM_TEST_OWNER"
GPid svm_test_owner(void);

/* "@stem-<owner>": the name of a test VM, which svm_test_sweep() removes once its owner is
 * gone. @stem starts with "svm-test-". */
char *svm_test_vm_name(const char *stem);

/* A scratch directory only this user can enter, "/tmp/@prefix-<owner>-XXXXXX": its name
 * carries the owner, so svm_test_sweep() removes it once the owner has ended, however it
 * ended. @prefix starts with "svm-". Removed with svm_test_rmdir(), which first detaches a
 * mount on it or below it, never removing files through a mount. */
char *svm_test_make_dir(const char *prefix);
/* The same in a place that belongs to the host, SVM_TEST_HOST_DIR_ROOT. */
#define SVM_TEST_HOST_DIR_ROOT "/var/lib"
char *svm_test_make_host_dir(const char *prefix);
/* The same, but the QEMU user can enter it. */
char *svm_test_make_vm_dir(const char *prefix);
void svm_test_rmdir(const char *dir);

void svm_test_write_boot_image(const char *path);

/* The marker the display boot image writes at the top left of its screen and, followed by
 * "\r\n", to the first serial port. */
#define SVM_TEST_DISPLAY_MARKER "SVIRT-OK"
/* The colours of the marker's cells in VGA text mode: bright white on blue. The rest of the
 * screen is black until keys are typed. */
#define SVM_TEST_DISPLAY_ATTRIBUTE 0x1f
#define SVM_TEST_DISPLAY_COLUMNS 80
#define SVM_TEST_DISPLAY_ROWS 25
/* A boot sector that sets the 80x25 colour text mode, writes the marker in row 0 from column 0
 * and on COM1, then reads keys through the BIOS (int 16h) and shows each character it gets
 * from row 1 on (bright white on blue) and sends it to COM1. Keys without a character (arrows,
 * F1…) are read and dropped. */
void svm_test_write_display_boot_image(const char *path);
/* An ISO 9660 CD-ROM image that boots the same code through El Torito (no emulation), as an
 * installer's ISO boots. */
void svm_test_write_display_iso(const char *path);
/* A VNC display reached only through libvirt and a VGA card, as a new VM gets them. */
#define SVM_TEST_DISPLAY_DEVICES                                                                  \
    "<graphics type='vnc'><listen type='none'/></graphics><video><model type='vga'/></video>"

/* Forces off and undefines the VM with @uuid (by name when it is not a UUID), if it exists. */
void svm_test_remove_domain(virConnectPtr conn, const char *vm);
void svm_test_write_blank_image(const char *path, gsize size);

/* Whether VM @vm (a UUID, or a name) is defined on @conn. */
gboolean svm_test_domain_exists(virConnectPtr conn, const char *vm);
/* Whether storage pool @pool holds @volume, as a refresh finds it. */
gboolean svm_test_volume_exists(virConnectPtr conn, const char *pool, const char *volume);

/* A serial port and a console on a pty, for svm_test_domain_xml()'s @devices. */
#define SVM_TEST_PTY_CONSOLE "<serial type='pty'/><console type='pty'/>"

/* A <disk> of raw file @path at virtio target @target, with @extra ("<shareable/>", …) in it. */
char *svm_test_disk_xml(const char *path, const char *target, const char *extra);

/* A qemu VM @name of 16 MiB and one vCPU, TCG, booting @boot (hda), with @devices after the
 * boot disk. */
char *svm_test_domain_xml(const char *name, const char *boot, const char *devices);

/* A VM of the test driver (test:///default), with @devices; NULL when libvirt refuses it. */
virDomainPtr svm_test_define_test_vm(virConnectPtr conn, const char *name, const char *devices);

/* A VM of svm_test_domain_xml() whose images live in a directory of its own. */
typedef struct {
    char *dir;      /* its images; removed with it */
    char *name;
    char *uuid;
    char *boot;     /* the generated boot image */
    char *shared;   /* a disk other VMs use too, vdb; it stays */
    char *data;     /* a private blank disk */
    char *readonly; /* a read-only blank disk, vdc */
    char *serial;   /* the file its serial port writes to; NULL with a pty console */
} SvmTestVm;

typedef enum {
    SVM_TEST_VM_PLAIN = 0,
    /* A private blank disk, vm->data: vdb, or vdc after a shared one. */
    SVM_TEST_VM_DATA = 1 << 0,
    /* A read-only blank disk, vm->readonly, at vdc. */
    SVM_TEST_VM_READONLY = 1 << 1,
    /* Serial port and console on a pty instead of vm->serial. */
    SVM_TEST_VM_PTY_CONSOLE = 1 << 2,
    /* Boots svm_test_write_display_boot_image() with SVM_TEST_DISPLAY_DEVICES. */
    SVM_TEST_VM_DISPLAY = 1 << 3,
} SvmTestVmFlags;

/* Defines "@stem-<owner>" (svm_test_vm_name()) on @conn, booting a fresh image in
 * "/tmp/svm-<stem without svm-test->-<owner>-XXXXXX", with @shared (when not NULL) as a
 * shareable disk at vdb and what @flags add; fails the test when libvirt refuses it. */
void svm_test_vm_define(virConnectPtr conn, SvmTestVm *vm, const char *stem, const char *shared,
                        SvmTestVmFlags flags);
/* The same, but says whether libvirt defined it (and why not in the test log), so a scenario
 * can clean up before it fails. */
gboolean svm_test_vm_try_define(virConnectPtr conn, SvmTestVm *vm, const char *stem,
                                const char *shared, SvmTestVmFlags flags);
/* Forces @vm off, undefines it, removes its directory and frees @vm's fields; also after a
 * failed or no definition (a zeroed @vm). */
void svm_test_vm_undefine(virConnectPtr conn, SvmTestVm *vm);

G_END_DECLS
