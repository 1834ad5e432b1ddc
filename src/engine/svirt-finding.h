#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
    SVIRT_SEVERITY_INFO,
    SVIRT_SEVERITY_WARNING,
    SVIRT_SEVERITY_ERROR,
    SVIRT_SEVERITY_CRITICAL,
} SvirtSeverity;

typedef enum {
    SVIRT_FINDING_MISMATCH,        /* a label other than the planned one */
    SVIRT_FINDING_UNLABELLED,      /* no label where one is planned */
    SVIRT_FINDING_FOREIGN,         /* another VM's level on this VM's object */
    SVIRT_FINDING_STALE,           /* a stopped VM's object still carries a dynamic level */
    SVIRT_FINDING_DUPLICATE,       /* two running VMs hold the same level */
    SVIRT_FINDING_SHARED_WRITABLE, /* every VM may write this disk */
    SVIRT_FINDING_HOST_DEVICE,     /* a host location or host block device writable by VMs */
    SVIRT_FINDING_UNSUPPORTED_FS,  /* the filesystem cannot hold labels */
    SVIRT_FINDING_OUTSIDE_POOLS,   /* an image outside every storage pool */
    SVIRT_FINDING_STARTED_OUTSIDE, /* running, but not started by the engine: nothing labelled */
    SVIRT_FINDING_NOT_ENFORCING,   /* SELinux is off or permissive on the host */
    SVIRT_FINDING_MISSING,         /* the object does not exist or cannot be read */
    SVIRT_FINDING_NOT_ISOLATED,    /* a VM's level reaches other VMs or is reached by them */
    SVIRT_FINDING_SETTINGS_DIFFER, /* libvirt's own seclabel and the metadata disagree */
    SVIRT_FINDING_DISPLAY_EXPOSED, /* a VNC or SPICE server listens on a network address */
} SvirtFindingKind;

typedef struct {
    SvirtFindingKind kind;
    SvirtSeverity severity;
    char *vm_name;     /* NULL for host-level findings */
    char *vm_uuid;
    char *path;        /* the object; NULL for VM- and host-level findings */
    char *expected;    /* expected label or level; may be NULL */
    char *actual;      /* label or level found; may be NULL */
    char *explanation; /* one sentence */
    char *fix;         /* what to do */
    gboolean fixable;  /* svirt_audit_fix() can repair it */
} SvirtFinding;

const char *svirt_severity_to_string(SvirtSeverity severity);
const char *svirt_finding_kind_to_id(SvirtFindingKind kind);

SvirtFinding *svirt_finding_copy(const SvirtFinding *finding);
void svirt_finding_free(SvirtFinding *finding);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtFinding, svirt_finding_free)

G_END_DECLS
